//! The page's side of its workers: one worker per kind of job, so a long job
//! never holds up a short one, and cancelling a map (which terminates its
//! worker, the only way to stop wasm mid-computation without shared memory)
//! loses nothing else.
//!
//! A worker that dies (a panic, a trap, a failed load) is restarted and its
//! unfinished request sent again once; the page is told either way.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker};

use crate::pipeline::{Request, Response};

/// What a worker is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Table 2 and the periodic-table frequencies.
    Counts,
    /// Explanations and chemical-system listings: always quick.
    Chem,
    /// Sampling and embedding, cached.
    Data,
    /// The map's reducer; terminated to cancel.
    Reduce,
    /// The small multiples.
    Grid,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Counts,
        Role::Chem,
        Role::Data,
        Role::Reduce,
        Role::Grid,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Role::Counts => "counting",
            Role::Chem => "chemistry",
            Role::Data => "sampling and embedding",
            Role::Reduce => "map",
            Role::Grid => "small-multiples",
        }
    }

    fn index(self) -> usize {
        Role::ALL.iter().position(|&r| r == self).expect("listed")
    }
}

/// What a worker reports to the page.
pub enum Event {
    Response(Response, Option<js_sys::Float32Array>),
    /// The worker died; `resent` tells whether its request was sent again.
    Died {
        message: String,
        resent: bool,
    },
}

type Handler = Rc<dyn Fn(Role, Event)>;

struct Slot {
    worker: Option<Worker>,
    ready: bool,
    /// Messages waiting for the worker to be ready.
    queue: Vec<JsValue>,
    /// Requests sent and not yet finished, with their payloads, to resend on restart.
    pending: Vec<(u32, JsValue)>,
    /// Restarts since the last finished request, to stop resending a request that kills its worker.
    restarts: u32,
    generation: u32,
}

/// The workers, started on first use.
pub struct Workers {
    slots: Vec<Slot>,
    handler: Handler,
}

thread_local! {
    static WORKERS: RefCell<Option<Workers>> = const { RefCell::new(None) };
}

/// Sets up the pool; `handler` receives every event (never re-entrantly from a send).
pub fn init(handler: impl Fn(Role, Event) + 'static) {
    let slots = Role::ALL
        .iter()
        .map(|_| Slot {
            worker: None,
            ready: false,
            queue: Vec::new(),
            pending: Vec::new(),
            restarts: 0,
            generation: 0,
        })
        .collect();
    WORKERS.with(|w| {
        *w.borrow_mut() = Some(Workers {
            slots,
            handler: Rc::new(handler),
        })
    });
}

fn with<T>(f: impl FnOnce(&mut Workers) -> T) -> T {
    WORKERS.with(|w| f(w.borrow_mut().as_mut().expect("workers::init first")))
}

fn encode(request: &Request, payload: Option<&js_sys::Float32Array>) -> JsValue {
    let message = js_sys::Object::new();
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let msg = serde::Serialize::serialize(request, &serializer).expect("requests serialise");
    js_sys::Reflect::set(&message, &"msg".into(), &msg).expect("object");
    if let Some(p) = payload {
        js_sys::Reflect::set(&message, &"payload".into(), p).expect("object");
    }
    message.into()
}

/// Sends `request` to the worker for `role`, starting it if needed.
pub fn send(role: Role, request: &Request, payload: Option<&js_sys::Float32Array>) {
    let message = encode(request, payload);
    with(|w| {
        let slot = &mut w.slots[role.index()];
        slot.pending.push((request.id(), message.clone()));
        if slot.worker.is_none() {
            start(slot, role, w.handler.clone());
        }
        let slot = &mut w.slots[role.index()];
        if slot.ready {
            post(slot, &message);
        } else {
            slot.queue.push(message);
        }
    });
}

/// Starts the worker for `role` now, so its wasm is compiled by the time the
/// first request for it comes (the map's reducer waits on sampling otherwise).
pub fn start_early(role: Role) {
    with(|w| {
        let handler = w.handler.clone();
        let slot = &mut w.slots[role.index()];
        if slot.worker.is_none() {
            start(slot, role, handler);
        }
    });
}

/// Stops whatever the worker for `role` is doing (by terminating it); the
/// next [`send`] starts a fresh one.
pub fn cancel(role: Role) {
    with(|w| {
        let slot = &mut w.slots[role.index()];
        if let Some(worker) = slot.worker.take() {
            worker.terminate();
        }
        slot.ready = false;
        slot.queue.clear();
        slot.pending.clear();
        slot.generation += 1;
    });
}

/// Whether the worker for `role` has unfinished requests.
pub fn busy(role: Role) -> bool {
    with(|w| !w.slots[role.index()].pending.is_empty())
}

fn post(slot: &Slot, message: &JsValue) {
    if let Some(worker) = &slot.worker
        && let Err(e) = worker.post_message(message)
    {
        web_sys::console::error_2(&"crystal-atlas: could not message a worker".into(), &e);
    }
}

fn start(slot: &mut Slot, role: Role, handler: Handler) {
    slot.generation += 1;
    let generation = slot.generation;
    slot.ready = false;
    let worker = match Worker::new(&loader_url()) {
        Ok(w) => w,
        Err(e) => {
            let message = format!(
                "the {} worker could not start: {}",
                role.title(),
                super::worker::describe(&e)
            );
            super::dom::after(0, move || {
                handler(
                    role,
                    Event::Died {
                        message,
                        resent: false,
                    },
                )
            });
            return;
        }
    };
    let on_message = {
        let handler = handler.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            on_message(role, generation, &handler, event.data());
        })
    };
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        event.prevent_default();
        let message = event
            .dyn_ref::<web_sys::ErrorEvent>()
            .map(|e| e.message())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "it failed to load".into());
        died(role, generation, &handler, message);
    });
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    slot.worker = Some(worker);
}

/// The worker's loader: versioned by the build (see www/stamp-build.mjs);
/// Trunk's own name when the page was not stamped (a development build).
pub fn loader_url() -> String {
    let build = super::dom::document()
        .query_selector("meta[name=crystal-atlas-build]")
        .ok()
        .flatten()
        .and_then(|m| m.get_attribute("content"));
    match build {
        Some(b) => format!("./worker-{b}_loader.js"),
        None => "./worker_loader.js".into(),
    }
}

fn on_message(role: Role, generation: u32, handler: &Handler, data: JsValue) {
    let current = with(|w| w.slots[role.index()].generation == generation);
    if !current {
        return;
    }
    if let Some(panic) = js_sys::Reflect::get(&data, &"panic".into())
        .ok()
        .and_then(|p| p.as_string())
    {
        return died(role, generation, handler, panic);
    }
    let msg = js_sys::Reflect::get(&data, &"msg".into()).unwrap_or(JsValue::UNDEFINED);
    let payload = js_sys::Reflect::get(&data, &"payload".into())
        .ok()
        .and_then(|p| p.dyn_into().ok());
    let response = match serde_wasm_bindgen::from_value::<Response>(msg) {
        Ok(r) => r,
        Err(e) => {
            return web_sys::console::error_1(
                &format!("crystal-atlas: unreadable worker message: {e}").into(),
            );
        }
    };
    if let Response::Ready = response {
        with(|w| {
            let slot = &mut w.slots[role.index()];
            slot.ready = true;
            for message in std::mem::take(&mut slot.queue) {
                post(slot, &message);
            }
        });
        return;
    }
    if response.is_final()
        && let Some(id) = response_id(&response)
    {
        with(|w| {
            let slot = &mut w.slots[role.index()];
            slot.pending.retain(|(p, _)| *p != id);
            slot.restarts = 0;
        });
    }
    handler(role, Event::Response(response, payload));
}

fn response_id(r: &Response) -> Option<u32> {
    match r {
        Response::Ready => None,
        Response::Progress { id, .. }
        | Response::Counts { id, .. }
        | Response::Frequencies { id, .. }
        | Response::Explanation { id, .. }
        | Response::System { id, .. }
        | Response::Sample { id, .. }
        | Response::Embedded { id, .. }
        | Response::Layout { id, .. }
        | Response::GridPanel { id, .. }
        | Response::GridPanelFailed { id, .. }
        | Response::GridDone { id }
        | Response::Error { id, .. } => Some(*id),
    }
}

/// Restarts a dead worker and resends its unfinished requests, once.
fn died(role: Role, generation: u32, handler: &Handler, message: String) {
    let resent = with(|w| {
        let handler = w.handler.clone();
        let slot = &mut w.slots[role.index()];
        if slot.generation != generation {
            return None;
        }
        if let Some(worker) = slot.worker.take() {
            worker.terminate();
        }
        slot.ready = false;
        slot.restarts += 1;
        let resend = slot.restarts <= 1;
        slot.queue = if resend {
            slot.pending.iter().map(|(_, m)| m.clone()).collect()
        } else {
            Vec::new()
        };
        if !resend {
            slot.pending.clear();
        }
        if !slot.queue.is_empty() {
            start(slot, role, handler);
        }
        Some(resend)
    });
    if let Some(resent) = resent {
        handler(role, Event::Died { message, resent });
    }
}
