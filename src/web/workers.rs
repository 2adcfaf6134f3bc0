//! The page's side of its workers: one per [`Role`], started on first use,
//! stopped (terminated) to cancel, restarted when one dies with its
//! unfinished requests sent once more.
//!
//! The pool is owned by the shell; a worker's messages come back through
//! the dispatch queue ([`Msg::WorkerMessage`]), so they are handled in turn
//! with everything else.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker};

use super::dispatch::{Dispatch, Msg};
use crate::pipeline::{Request, Response};
use crate::session::Role;

/// What a worker's message means to the page.
pub enum Arrival {
    /// A response to pass to the session.
    Response(Response, Option<Vec<f32>>),
    /// The worker died; `resent` tells whether its requests were sent again.
    Died { message: String, resent: bool },
    /// Nothing for the session (a worker became ready, a message of a worker
    /// stopped since).
    Nothing,
}

struct Slot {
    worker: Option<Worker>,
    ready: bool,
    /// Messages waiting for the worker to be ready.
    queue: Vec<JsValue>,
    /// Requests sent and not yet finished, to send again after a restart.
    pending: Vec<(u32, JsValue)>,
    /// Restarts since the last finished request: a request that kills its
    /// worker twice is not sent a third time.
    restarts: u32,
    generation: u32,
    /// The worker's event handlers, kept alive with it.
    handlers: Vec<Closure<dyn FnMut(JsValue)>>,
}

pub struct Workers {
    slots: Vec<Slot>,
    dispatch: Dispatch,
    /// Handlers of workers stopped lately. A handler is not dropped the
    /// moment its worker stops: the stop may happen inside that very handler
    /// (a message saying the worker panicked), and a closure dropped while it
    /// runs is an error in wasm-bindgen. The oldest go once there are more
    /// than [`RETIRED_KEPT`].
    retired: Vec<Closure<dyn FnMut(JsValue)>>,
    /// Set when the threaded map worker died before it was ready (a device
    /// that cannot reserve its shared memory, say): the plain one takes over.
    plain_reduce: bool,
}

/// Handlers of stopped workers kept alive (two per worker).
const RETIRED_KEPT: usize = 8;

/// `{msg, payload?}` as the worker reads it, or why the request cannot be
/// sent (a number JavaScript cannot hold, say).
fn encode(request: &Request, payload: Option<&[f32]>) -> Result<JsValue, String> {
    request.validate().map_err(|e| e.to_string())?;
    let message = js_sys::Object::new();
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let msg = serde::Serialize::serialize(request, &serializer)
        .map_err(|e| format!("the request could not be written for the worker: {e}"))?;
    let _ = js_sys::Reflect::set(&message, &"msg".into(), &msg);
    if let Some(p) = payload {
        let array = js_sys::Float32Array::from(p);
        let _ = js_sys::Reflect::set(&message, &"payload".into(), &array);
    }
    Ok(message.into())
}

impl Workers {
    pub fn new(dispatch: Dispatch) -> Workers {
        let slots = Role::ALL
            .iter()
            .map(|_| Slot {
                worker: None,
                ready: false,
                queue: Vec::new(),
                pending: Vec::new(),
                restarts: 0,
                generation: 0,
                handlers: Vec::new(),
            })
            .collect();
        Workers {
            slots,
            dispatch,
            retired: Vec::new(),
            plain_reduce: false,
        }
    }

    /// Posts `request` to the worker for `role`, starting it if needed.
    pub fn send(
        &mut self,
        role: Role,
        request: &Request,
        payload: Option<&[f32]>,
    ) -> Result<(), String> {
        let message = encode(request, payload)?;
        self.warm(role);
        let slot = &mut self.slots[role.index()];
        slot.pending.push((request.id(), message.clone()));
        if slot.ready {
            post(slot, &message);
        } else {
            slot.queue.push(message);
        }
        Ok(())
    }

    /// Starts the worker for `role` now, so its wasm is compiled by the time
    /// the first request for it comes.
    pub fn warm(&mut self, role: Role) {
        if self.slots[role.index()].worker.is_none() {
            self.start(role);
        }
    }

    /// Stops whatever the worker for `role` is doing, by terminating it; the
    /// next request starts a fresh one.
    pub fn stop(&mut self, role: Role) {
        self.retire(role);
        let slot = &mut self.slots[role.index()];
        slot.queue.clear();
        slot.pending.clear();
        slot.generation += 1;
    }

    /// Terminates the worker for `role`, unhooks its handlers first (a
    /// message already queued must find no handler, not a dropped one) and
    /// keeps them a while (see [`Workers::retired`]).
    fn retire(&mut self, role: Role) {
        let slot = &mut self.slots[role.index()];
        if let Some(worker) = slot.worker.take() {
            worker.set_onmessage(None);
            worker.set_onerror(None);
            worker.terminate();
        }
        slot.ready = false;
        self.retired.append(&mut slot.handlers);
        let excess = self.retired.len().saturating_sub(RETIRED_KEPT);
        self.retired.drain(..excess);
    }

    fn start(&mut self, role: Role) {
        let slot = &mut self.slots[role.index()];
        slot.generation += 1;
        let generation = slot.generation;
        slot.ready = false;
        let threaded = role == Role::Reduce && !self.plain_reduce;
        let worker = match Worker::new(&loader_url(threaded)) {
            Ok(w) => w,
            Err(e) => {
                let message = format!("it could not start: {}", super::worker::describe(&e));
                let dispatch = self.dispatch.clone();
                super::dom::after(0, move || {
                    dispatch.send(Msg::WorkerError {
                        role,
                        generation,
                        message,
                    })
                });
                return;
            }
        };
        let dispatch = self.dispatch.clone();
        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let data = event
                .dyn_ref::<MessageEvent>()
                .map_or(JsValue::UNDEFINED, MessageEvent::data);
            dispatch.send(Msg::WorkerMessage {
                role,
                generation,
                data,
            });
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let dispatch = self.dispatch.clone();
        let on_error = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            if let Some(e) = event.dyn_ref::<web_sys::Event>() {
                e.prevent_default();
            }
            let message = event
                .dyn_ref::<web_sys::ErrorEvent>()
                .map(|e| e.message())
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| "it failed to load".into());
            dispatch.send(Msg::WorkerError {
                role,
                generation,
                message,
            });
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        slot.handlers = vec![on_message, on_error];
        slot.worker = Some(worker);
    }

    /// Reads a worker's message.
    pub fn arrived(&mut self, role: Role, generation: u32, data: &JsValue) -> Arrival {
        if self.slots[role.index()].generation != generation {
            return Arrival::Nothing;
        }
        if let Some(panic) = js_sys::Reflect::get(data, &"panic".into())
            .ok()
            .and_then(|p| p.as_string())
        {
            return self.died(role, generation, panic);
        }
        let msg = js_sys::Reflect::get(data, &"msg".into()).unwrap_or(JsValue::UNDEFINED);
        let payload = js_sys::Reflect::get(data, &"payload".into())
            .ok()
            .and_then(|p| p.dyn_into::<js_sys::Float32Array>().ok())
            .map(|a| a.to_vec());
        let response = match serde_wasm_bindgen::from_value::<Response>(msg) {
            Ok(r) => r,
            Err(e) => {
                web_sys::console::error_1(
                    &format!("crystal-atlas: unreadable worker message: {e}").into(),
                );
                return Arrival::Nothing;
            }
        };
        let slot = &mut self.slots[role.index()];
        if let Response::Ready = response {
            if role == Role::Reduce {
                // For tests and the curious: the threads the map is computed on.
                let threads = js_sys::Reflect::get(data, &"threads".into())
                    .ok()
                    .and_then(|t| t.as_f64())
                    .unwrap_or(1.0);
                if let Some(debug) = super::dom::document().get_element_by_id("debug") {
                    let _ = debug.set_attribute("data-map-threads", &threads.to_string());
                }
            }
            slot.ready = true;
            for message in std::mem::take(&mut slot.queue) {
                post(slot, &message);
            }
            return Arrival::Nothing;
        }
        if response.is_final()
            && let Some(id) = response.id()
        {
            slot.pending.retain(|(p, _)| *p != id);
            slot.restarts = 0;
        }
        Arrival::Response(response, payload)
    }

    /// A worker died: restart it and send its unfinished requests again, once.
    pub fn died(&mut self, role: Role, generation: u32, message: String) -> Arrival {
        let slot = &mut self.slots[role.index()];
        if slot.generation != generation {
            return Arrival::Nothing;
        }
        if role == Role::Reduce && !slot.ready && !self.plain_reduce {
            self.plain_reduce = true;
            web_sys::console::warn_1(
                &format!(
                    "crystal-atlas: the threaded map worker failed ({message}); using the plain one"
                )
                .into(),
            );
        }
        self.retire(role);
        let slot = &mut self.slots[role.index()];
        slot.restarts += 1;
        let resent = slot.restarts <= 1 && !slot.pending.is_empty();
        slot.queue = if resent {
            slot.pending.iter().map(|(_, m)| m.clone()).collect()
        } else {
            slot.pending.clear();
            Vec::new()
        };
        if resent {
            self.start(role);
        }
        Arrival::Died { message, resent }
    }
}

fn post(slot: &Slot, message: &JsValue) {
    if let Some(worker) = &slot.worker
        && let Err(e) = worker.post_message(message)
    {
        web_sys::console::error_2(&"crystal-atlas: could not message a worker".into(), &e);
    }
}

/// The worker's loader: versioned by the build (see www/stamp-build.mjs);
/// Trunk's own name when the page was not stamped (a development build).
/// `threaded` (the map's reducer) asks for the threaded build, given where
/// there is one and the page is cross-origin isolated (COOP and COEP), so
/// it may share memory with its threads.
fn loader_url(threaded: bool) -> String {
    let meta = |name: &str| {
        super::dom::document()
            .query_selector(&format!("meta[name={name}]"))
            .ok()
            .flatten()
            .and_then(|m| m.get_attribute("content"))
    };
    let isolated = || {
        js_sys::Reflect::get(&js_sys::global(), &"crossOriginIsolated".into())
            .is_ok_and(|v| v.is_truthy())
    };
    if threaded
        && let Some(name) = meta("crystal-atlas-threads")
        && isolated()
    {
        return format!("./{name}_loader.js");
    }
    match meta("crystal-atlas-build") {
        Some(b) => format!("./worker-{b}_loader.js"),
        None => "./worker_loader.js".into(),
    }
}
