//! The one place the page's events are queued and handled, in the manner of
//! the wasm-bindgen TodoMVC example's scheduler: a DOM or worker event is
//! turned into a [`Msg`] and [`Dispatch::send`]; messages are handled one at
//! a time, in order, by the shell. A handler that sends a message (a follow-up)
//! never nests: the message waits in the queue until the current one is done.
//! So nothing is ever dropped for a busy borrow, and there is no global.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use wasm_bindgen::JsValue;

use crate::pipeline::protocol::UploadKind;
use crate::session::{Input, Role};

/// A gesture on the map's canvas, in CSS pixels relative to the canvas.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pointer {
    pub id: i32,
    pub x: f64,
    pub y: f64,
    pub touch: bool,
    pub shift: bool,
    pub alt: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CanvasEvent {
    Down(Pointer),
    Move(Pointer),
    Up(Pointer),
    Cancel(Pointer),
    Leave,
    /// Wheel at (x, y); `delta` in CSS pixels (down is positive).
    Wheel {
        x: f64,
        y: f64,
        delta: f64,
    },
    /// A key pressed while the canvas has focus; true when it was used.
    Key(String),
    /// The canvas changed size.
    Resized,
}

/// Everything the shell handles.
pub enum Msg {
    /// An input for the session.
    Input(Input),
    Canvas(CanvasEvent),
    /// The pointer mode of the map: "pan", "box" or "lasso".
    MapMode(String),
    /// A worker posted `data` (generation: which start of the worker).
    WorkerMessage {
        role: Role,
        generation: u32,
        data: JsValue,
    },
    /// A worker failed (to load, or with an uncaught error).
    WorkerError {
        role: Role,
        generation: u32,
        message: String,
    },
    /// A file was chosen in an upload field.
    UploadChosen {
        kind: UploadKind,
        file: web_sys::File,
    },
    /// A file of formulas to place on the map was chosen.
    PlaceFileChosen(web_sys::File),
    /// The next animation frame: draw what changed.
    Frame,
    /// The view has been still for a moment since `token` was issued.
    ViewSettled(u32),
    Export(Export),
    Share,
    Tour(TourStep),
    /// The settings drawer on small screens.
    ToggleSettings,
    /// Scroll to the full explanation (from the card at the finger).
    ShowDetails,
    /// Close the card at the finger.
    CloseCard,
    /// Time passes (a second).
    Tick,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    Png {
        scale: u32,
    },
    Svg,
    Csv,
    /// The map's CSV with the embedding vectors.
    CsvWithVectors,
    SelectionCsv,
    /// The selection's summary.
    SummaryCsv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TourStep {
    Start,
    Next,
    Back,
    Close,
}

/// What handles messages: the shell.
pub trait Handler {
    fn handle(&mut self, msg: Msg, dispatch: &Dispatch);
}

struct Inner {
    queue: RefCell<VecDeque<Msg>>,
    draining: Cell<bool>,
    handler: RefCell<Option<Box<dyn Handler>>>,
}

/// A handle to the queue; cheap to clone into event listeners.
#[derive(Clone)]
pub struct Dispatch(Rc<Inner>);

impl Dispatch {
    pub fn new() -> Dispatch {
        Dispatch(Rc::new(Inner {
            queue: RefCell::new(VecDeque::new()),
            draining: Cell::new(false),
            handler: RefCell::new(None),
        }))
    }

    /// Installs the handler and handles what was queued meanwhile.
    pub fn start(&self, handler: Box<dyn Handler>) {
        *self.0.handler.borrow_mut() = Some(handler);
        self.drain();
    }

    /// Queues `msg`; it is handled now, or after the message being handled.
    pub fn send(&self, msg: Msg) {
        self.0.queue.borrow_mut().push_back(msg);
        self.drain();
    }

    pub fn input(&self, input: Input) {
        self.send(Msg::Input(input));
    }

    fn drain(&self) {
        if self.0.draining.replace(true) {
            return;
        }
        loop {
            let Some(msg) = self.0.queue.borrow_mut().pop_front() else {
                break;
            };
            let mut handler = self.0.handler.borrow_mut();
            match handler.as_mut() {
                Some(h) => h.handle(msg, self),
                None => {
                    // Not started yet: keep it for when it is.
                    drop(handler);
                    self.0.queue.borrow_mut().push_front(msg);
                    break;
                }
            }
        }
        self.0.draining.set(false);
    }
}
