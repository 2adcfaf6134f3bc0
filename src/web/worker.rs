//! The worker side: a [`Runner`] behind `onmessage`.
//!
//! Each message is `{msg, payload?}`: `msg` a serde [`Request`], `payload` a
//! `Float32Array` for requests that carry one. Before running a request the
//! worker fetches the data files it needs. Intermediate layouts and progress
//! are throttled to about 25 a second so the page's event loop keeps up; the
//! final message of a request is always sent.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::DedicatedWorkerGlobalScope;

use super::dom::now;
use crate::pipeline::{Request, Response, Runner};

/// Least time between two throttled messages, in milliseconds.
const THROTTLE_MS: f64 = 40.0;
/// Least time between two intermediate layouts, per point: 40 ms for the
/// page's 12,000-point maps, 0.75 s for all 225,879 binaries, whose every
/// snapshot the page spends some 50 ms of a core drawing (and the worker
/// shares two cores with it on a small machine).
const LAYOUT_MS_PER_POINT: f64 = THROTTLE_MS / 12_000.0;

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Posts `{msg, payload?}`, transferring the payload's buffer. A response
/// that cannot be written (a number JavaScript cannot hold) is answered with
/// an error naming why, so the page is never left waiting.
fn post(response: &Response, payload: Option<&[f32]>) {
    post_with(response, payload, &[]);
}

/// [`post`], the message carrying `fields` besides.
fn post_with(response: &Response, payload: Option<&[f32]>, fields: &[(&str, JsValue)]) {
    let message = js_sys::Object::new();
    for (name, value) in fields {
        let _ = js_sys::Reflect::set(&message, &(*name).into(), value);
    }
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let msg = match serde::Serialize::serialize(response, &serializer) {
        Ok(msg) => msg,
        Err(e) => {
            let failure = Response::Error {
                id: response.id().unwrap_or(0),
                message: format!("the worker's answer could not be written for the page: {e}"),
            };
            match serde::Serialize::serialize(&failure, &serializer) {
                Ok(msg) => msg,
                Err(_) => return,
            }
        }
    };
    let _ = js_sys::Reflect::set(&message, &"msg".into(), &msg);
    let transfer = js_sys::Array::new();
    if let Some(values) = payload {
        let array = js_sys::Float32Array::from(values);
        transfer.push(&array.buffer());
        let _ = js_sys::Reflect::set(&message, &"payload".into(), &array);
    }
    if let Err(e) = scope().post_message_with_transfer(&message, &transfer) {
        web_sys::console::error_2(&"crystal-atlas worker: post failed".into(), &e);
    }
}

async fn fetch_bytes(path: &str) -> Result<Vec<u8>, String> {
    let failed = |e: JsValue| {
        format!(
            "could not load {path} ({}); check your connection and try again",
            describe(&e)
        )
    };
    let response: web_sys::Response = JsFuture::from(scope().fetch_with_str(path))
        .await
        .map_err(failed)?
        .unchecked_into();
    if !response.ok() {
        return Err(format!(
            "could not load {path}: the server answered {}",
            response.status()
        ));
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(failed)?)
        .await
        .map_err(failed)?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// A JS error as text.
pub fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

async fn run(runner: Rc<RefCell<Runner>>, request: Request, payload: Option<Vec<f32>>) {
    let id = request.id();
    let missing = runner.borrow().missing_assets(&request);
    for path in missing {
        let added = match fetch_bytes(&path).await {
            Ok(bytes) => runner.borrow_mut().add_asset(&path, &bytes),
            Err(e) => Err(e),
        };
        if let Err(message) = added {
            return post(&Response::Error { id, message }, None);
        }
    }
    // Only intermediate messages are dropped, and only in favour of each
    // other: a progress note right after a finished panel still gets through.
    let mut last_intermediate = f64::NEG_INFINITY;
    let mut last_layout = f64::NEG_INFINITY;
    runner
        .borrow_mut()
        .handle(request, payload, &mut |response, payload| {
            let droppable = matches!(
                response,
                Response::Progress { .. } | Response::Layout { last: false, .. }
            );
            if droppable {
                let t = now();
                if t - last_intermediate < THROTTLE_MS {
                    return;
                }
                if let Some(coords) = payload {
                    let points = (coords.len() / 2) as f64;
                    if t - last_layout < THROTTLE_MS.max(points * LAYOUT_MS_PER_POINT) {
                        return;
                    }
                    last_layout = t;
                }
                last_intermediate = t;
            }
            post(&response, payload);
        });
}

/// The worker's entry point: installs the panic hook and the message handler,
/// then says it is ready. The threaded build first starts its threads; an
/// instance that is itself one of those threads does nothing here.
pub fn start() {
    #[cfg(target_feature = "atomics")]
    {
        if super::threads::is_pool_thread() {
            return;
        }
        install_panic_hook();
        wasm_bindgen_futures::spawn_local(async {
            let threads = super::threads::start().await.unwrap_or_else(|why| {
                web_sys::console::warn_1(
                    &format!("crystal-atlas: the map worker runs on one thread: {why}").into(),
                );
                1
            });
            listen(threads);
        });
    }
    #[cfg(not(target_feature = "atomics"))]
    {
        install_panic_hook();
        listen(1);
    }
}

fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = format!("the worker stopped on an internal error: {info}");
        web_sys::console::error_1(&message.clone().into());
        let report = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&report, &"panic".into(), &message.into());
        let _ = scope().post_message(&report);
    }));
}

/// Handles the page's requests, one [`Runner`] for all, and says it is
/// ready and on how many threads it computes.
fn listen(threads: usize) {
    let runner = Rc::new(RefCell::new(Runner::new()));
    super::dom::on::<web_sys::MessageEvent>(&scope(), "message", move |event| {
        let data = event.data();
        let msg = js_sys::Reflect::get(&data, &"msg".into()).unwrap_or(JsValue::UNDEFINED);
        let payload = js_sys::Reflect::get(&data, &"payload".into())
            .ok()
            .and_then(|p| p.dyn_into::<js_sys::Float32Array>().ok())
            .map(|a| a.to_vec());
        match serde_wasm_bindgen::from_value::<Request>(msg) {
            Ok(request) => wasm_bindgen_futures::spawn_local(run(runner.clone(), request, payload)),
            Err(e) => post(
                &Response::Error {
                    id: 0,
                    message: format!("the page sent a message the worker cannot read: {e}"),
                },
                None,
            ),
        }
    });
    post_with(
        &Response::Ready,
        None,
        &[("threads", (threads as u32).into())],
    );
}
