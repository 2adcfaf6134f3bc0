//! The web shell (wasm32 only): the DOM, events and the workers. It decides
//! nothing: the page's behaviour is the [`crate::session`] state machine; the
//! shell turns events into its inputs ([`dispatch`]), carries out its effects
//! ([`shell`]) and renders the panels from its accessors ([`panels`], and the
//! map's [`canvas`]).
//!
//! Two entry points, one per wasm module: [`start_app`] for the page and
//! [`start_worker`] for the workers. Both install a panic hook that reports to
//! the page instead of leaving a dead module.

mod canvas;
mod dispatch;
mod dom;
mod export;
mod gl_points;
mod panels;
mod shell;
#[cfg(target_feature = "atomics")]
pub mod threads;
mod worker;
mod workers;

/// The page's entry point.
pub fn start_app() {
    std::panic::set_hook(Box::new(|info| {
        let text = format!(
            "Something went wrong inside the page ({info}). Your settings are kept in the link: reload the page to carry on."
        );
        web_sys::console::error_1(&text.clone().into());
        // The session may be mid-update, so only the DOM is touched here.
        if let Some(host) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("messages"))
        {
            let p = dom::make("div", "message error", &text);
            let _ = p.set_attribute("role", "alert");
            let _ = host.append_child(&p);
        }
    }));
    register_service_worker();
    shell::start();
}

/// A worker's entry point.
pub fn start_worker() {
    worker::start();
}

/// Caches the app for offline use after the first visit (where supported).
fn register_service_worker() {
    let navigator = dom::window().navigator();
    if !js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false) {
        return;
    }
    let container = navigator.service_worker();
    let promise = container.register("./sw.js");
    let failed = wasm_bindgen::closure::Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(
        |e: wasm_bindgen::JsValue| {
            web_sys::console::warn_2(&"crystal-atlas: offline support unavailable".into(), &e);
        },
    );
    let _ = promise.catch(&failed);
    // Kept for the promise's life, which is the page's.
    failed.forget();
}
