//! Small helpers over web-sys, so the rest of the shell reads like what it does.

use wasm_bindgen::Clamped;
use wasm_bindgen::JsCast;
use wasm_bindgen::convert::FromWasmAbi;
use wasm_bindgen::prelude::*;
use web_sys::{
    CanvasRenderingContext2d, Document, Element, HtmlCanvasElement, HtmlElement, Window,
};

pub fn window() -> Window {
    web_sys::window().expect("the page has a window")
}

pub fn document() -> Document {
    window().document().expect("the page has a document")
}

/// The element with `id`, as type `T`. The ids are index.html's, so a missing
/// one is a bug in the page, not in the user's input.
pub fn by_id<T: JsCast>(id: &str) -> T {
    document()
        .get_element_by_id(id)
        .unwrap_or_else(|| panic!("index.html has no element #{id}"))
        .dyn_into::<T>()
        .unwrap_or_else(|_| panic!("#{id} has an unexpected element type"))
}

/// A new element with a class (may be empty) and text (may be empty).
pub fn make(tag: &str, class: &str, text: &str) -> HtmlElement {
    let e: HtmlElement = document()
        .create_element(tag)
        .expect("valid tag")
        .unchecked_into();
    if !class.is_empty() {
        e.set_class_name(class);
    }
    if !text.is_empty() {
        e.set_text_content(Some(text));
    }
    e
}

/// Appends `child` to `parent` and returns the child.
pub fn append<T: AsRef<web_sys::Node>>(parent: &impl AsRef<web_sys::Node>, child: T) -> T {
    parent
        .as_ref()
        .append_child(child.as_ref())
        .expect("append");
    child
}

/// The elements under `parent` matching `selector`.
pub fn query_all(parent: &impl AsRef<web_sys::Element>, selector: &str) -> Vec<Element> {
    let Ok(list) = parent.as_ref().query_selector_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into().ok())
        .collect()
}

pub fn clear(e: &Element) {
    e.set_inner_html("");
}

pub fn set_text(id: &str, text: &str) {
    by_id::<Element>(id).set_text_content(Some(text));
}

pub fn set_hidden(e: &HtmlElement, hidden: bool) {
    e.set_hidden(hidden);
}

pub fn set_attr(e: &Element, name: &str, value: &str) {
    e.set_attribute(name, value).expect("attribute");
}

pub fn toggle_class(e: &Element, class: &str, on: bool) {
    e.class_list()
        .toggle_with_force(class, on)
        .expect("class list");
}

/// Calls `f` on every `event` on `target`, for the life of the page.
pub fn on<E: JsCast + FromWasmAbi + 'static>(
    target: &web_sys::EventTarget,
    event: &str,
    f: impl FnMut(E) + 'static,
) {
    let closure = Closure::<dyn FnMut(E)>::new(f);
    target
        .add_event_listener_with_callback(event, closure.as_ref().unchecked_ref())
        .expect("listener");
    closure.forget();
}

/// Like [`on`], for events whose default the handler may prevent (wheel, touch).
pub fn on_active<E: JsCast + FromWasmAbi + 'static>(
    target: &web_sys::EventTarget,
    event: &str,
    f: impl FnMut(E) + 'static,
) {
    let closure = Closure::<dyn FnMut(E)>::new(f);
    let options = web_sys::AddEventListenerOptions::new();
    options.set_passive(false);
    target
        .add_event_listener_with_callback_and_add_event_listener_options(
            event,
            closure.as_ref().unchecked_ref(),
            &options,
        )
        .expect("listener");
    closure.forget();
}

/// Milliseconds since the page (or worker) started.
pub fn now() -> f64 {
    js_sys::global()
        .dyn_into::<web_sys::WorkerGlobalScope>()
        .ok()
        .and_then(|w| w.performance())
        .or_else(|| web_sys::window().and_then(|w| w.performance()))
        .map_or(0.0, |p| p.now())
}

/// Runs `f` on the next animation frame.
pub fn next_frame(f: impl FnOnce() + 'static) {
    let closure = Closure::once_into_js(f);
    window()
        .request_animation_frame(closure.unchecked_ref())
        .expect("animation frame");
}

/// Runs `f` after `ms` milliseconds.
pub fn after(ms: i32, f: impl FnOnce() + 'static) {
    let closure = Closure::once_into_js(f);
    window()
        .set_timeout_with_callback_and_timeout_and_arguments_0(closure.unchecked_ref(), ms)
        .expect("timeout");
}

/// Offers `bytes` as a download named `name`.
pub fn download(name: &str, mime: &str, parts: &js_sys::Array) {
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(parts, &options) else {
        return;
    };
    download_blob(name, &blob);
}

pub fn download_blob(name: &str, blob: &web_sys::Blob) {
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    let a: web_sys::HtmlAnchorElement = make("a", "", "").unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    append(&document().body().expect("body"), &a);
    a.click();
    a.remove();
    after(60_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
}

/// The local storage value of `key`, when storage is available.
pub fn stored(key: &str) -> Option<String> {
    window()
        .local_storage()
        .ok()
        .flatten()?
        .get_item(key)
        .ok()
        .flatten()
}

pub fn store(key: &str, value: &str) {
    if let Some(s) = window().local_storage().ok().flatten() {
        let _ = s.set_item(key, value);
    }
}

/// A formula with its numbers as subscripts.
pub fn formula_html(formula: &str) -> HtmlElement {
    let span = make("span", "formula", "");
    let mut run = String::new();
    let mut digits = false;
    let flush = |run: &mut String, digits: bool, span: &HtmlElement| {
        if !run.is_empty() {
            let e = if digits {
                make("sub", "", run)
            } else {
                make("span", "", run)
            };
            append(span, e);
            run.clear();
        }
    };
    for c in formula.chars() {
        if c.is_ascii_digit() != digits {
            flush(&mut run, digits, &span);
            digits = c.is_ascii_digit();
        }
        run.push(c);
    }
    flush(&mut run, digits, &span);
    span
}

/// The 2-D context of a canvas, when the browser gives one.
pub fn context_2d(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into().ok())
}

/// Puts RGBA `pixels` (w x h) at the canvas's origin in one call.
pub fn blit(context: &CanvasRenderingContext2d, pixels: &[u8], w: u32, h: u32) {
    if let Ok(image) = web_sys::ImageData::new_with_u8_clamped_array_and_sh(Clamped(pixels), w, h) {
        let _ = context.put_image_data(&image, 0.0, 0.0);
    }
}
