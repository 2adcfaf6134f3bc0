//! The shell: owns the session, the workers, the map's canvas and the
//! panels, and interprets. A DOM or worker event arrives as a [`Msg`]; a
//! session input goes to [`Session::update`], whose effects are carried out
//! here in order: posting to or stopping workers, rendering the panels the
//! session names, moving or redrawing the map, writing the URL. Nothing here
//! decides what the page shows.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::canvas::{MapCanvas, Tool};
use super::dispatch::{Dispatch, Export, Handler, Msg};
use super::dom::{self, by_id};
use super::export::Image;
use super::panels::controls::{Controls, Tabs};
use super::panels::counts::CountsPanel;
use super::panels::details::Details;
use super::panels::elements::ElementsPanel;
use super::panels::grid::GridPanel;
use super::panels::map_panel::MapPanel;
use super::panels::messages::Messages;
use super::panels::neighbours::NeighboursPanel;
use super::panels::place::PlacePanel;
use super::panels::quiz::QuizPanel;
use super::panels::selection::SelectionPanel;
use super::panels::system::SystemPanel;
use super::panels::tour::Tour;
use super::workers::{Arrival, Workers};
use crate::pipeline::Response;
use crate::pipeline::protocol::UploadKind;
use crate::session::{CsvExport, Effect, Input, Panel, Session};

/// How often time passes for the session while it waits (ms).
const TICK_MS: i32 = 1000;

pub struct Shell {
    session: Session,
    workers: Workers,
    canvas: MapCanvas,
    controls: Controls,
    tabs: Tabs,
    counts: CountsPanel,
    map: MapPanel,
    details: Details,
    system: SystemPanel,
    elements: ElementsPanel,
    grid: GridPanel,
    messages: Messages,
    quiz: QuizPanel,
    tour: Tour,
    place: PlacePanel,
    neighbours: NeighboursPanel,
    selection: SelectionPanel,
    ticking: bool,
}

/// Builds the page and opens the link in the address bar.
pub fn start() {
    let dispatch = Dispatch::new();
    let shell = Shell {
        session: Session::new(),
        workers: Workers::new(dispatch.clone()),
        canvas: MapCanvas::mount(&dispatch),
        controls: Controls::mount(&dispatch),
        tabs: Tabs::mount(&dispatch),
        counts: CountsPanel::mount(),
        map: MapPanel::mount(&dispatch),
        details: Details::mount(&dispatch),
        system: SystemPanel::mount(&dispatch),
        elements: ElementsPanel::mount(&dispatch),
        grid: GridPanel::mount(&dispatch),
        messages: Messages::mount(&dispatch),
        quiz: QuizPanel::mount(&dispatch),
        tour: Tour::mount(&dispatch),
        place: PlacePanel::mount(&dispatch),
        neighbours: NeighboursPanel::mount(&dispatch),
        selection: SelectionPanel::mount(&dispatch),
        ticking: false,
    };
    super::panels::glossary::mount();
    listen(&dispatch);
    dispatch.start(Box::new(shell));
    let fragment = dom::window().location().hash().unwrap_or_default();
    dispatch.input(Input::Open { fragment });
}

/// The page-wide listeners that are not any panel's.
fn listen(dispatch: &Dispatch) {
    let d = dispatch.clone();
    dom::on::<web_sys::HashChangeEvent>(&dom::window(), "hashchange", move |_| {
        let fragment = dom::window().location().hash().unwrap_or_default();
        d.input(Input::LinkEdited { fragment });
    });
    for (id, msg) in [("share", 0), ("settings-toggle", 1), ("settings-close", 1)] {
        let d = dispatch.clone();
        dom::on::<web_sys::Event>(&by_id::<web_sys::EventTarget>(id), "click", move |_| {
            d.send(if msg == 0 {
                Msg::Share
            } else {
                Msg::ToggleSettings
            })
        });
    }
}

impl Handler for Shell {
    fn handle(&mut self, msg: Msg, d: &Dispatch) {
        match msg {
            Msg::Input(input) => self.update(input, d),
            Msg::Canvas(event) => {
                for input in self.canvas.on_event(event, &self.session, d) {
                    self.update(input, d);
                }
            }
            Msg::MapMode(mode) => {
                self.canvas.tool = match mode.as_str() {
                    "box" => Tool::Box,
                    "lasso" => Tool::Lasso,
                    _ => Tool::Pan,
                };
                let map: web_sys::Element = by_id("map");
                dom::toggle_class(&map, "box", self.canvas.tool == Tool::Box);
                dom::toggle_class(&map, "lasso", self.canvas.tool == Tool::Lasso);
                dom::toggle_class(&map, "pan", self.canvas.tool == Tool::Pan);
            }
            Msg::WorkerMessage {
                role,
                generation,
                data,
            } => {
                let arrival = self.workers.arrived(role, generation, &data);
                self.arrived(role, arrival, d);
            }
            Msg::WorkerError {
                role,
                generation,
                message,
            } => {
                let arrival = self.workers.died(role, generation, message);
                self.arrived(role, arrival, d);
            }
            Msg::UploadChosen { kind, file } => read_upload(kind, file, d.clone()),
            Msg::PlaceFileChosen(file) => {
                let name = file.name();
                let d = d.clone();
                read_text(file, MAX_PLACE_FILE_BYTES, move |text| {
                    d.input(Input::PlaceFile { name, text })
                });
            }
            Msg::Frame => {
                self.canvas.draw(&self.session);
                self.debug();
            }
            Msg::ViewSettled(token) => {
                if let Some(view) = self.canvas.settled(token) {
                    self.update(Input::ViewMoved(view), d);
                    // The full frame, after the stand-ins of the move.
                    self.canvas.request_draw(d);
                }
            }
            Msg::Export(what) => {
                let file = match what {
                    Export::Png { scale } => Err(Image::Png { scale }),
                    Export::Svg => Err(Image::Svg),
                    Export::Csv => Ok(CsvExport::Map { vectors: false }),
                    Export::CsvWithVectors => Ok(CsvExport::Map { vectors: true }),
                    Export::SelectionCsv => Ok(CsvExport::Selection),
                    Export::SummaryCsv => Ok(CsvExport::Summary),
                };
                match file {
                    Ok(what) => {
                        let link = dom::window().location().href().unwrap_or_default();
                        self.update(Input::ExportCsv { what, link }, d);
                    }
                    Err(picture) => {
                        if let Err(message) =
                            super::export::image(picture, &self.session, &self.canvas)
                        {
                            self.update(Input::Failed(message), d);
                        }
                    }
                }
                if let Some(menu) = dom::document()
                    .query_selector("details.export")
                    .ok()
                    .flatten()
                {
                    let _ = menu.remove_attribute("open");
                }
            }
            Msg::Share => self.share(d),
            Msg::Tour(step) => {
                if let Some(input) = self.tour.go(step) {
                    self.update(input, d);
                }
                self.tour.render();
            }
            Msg::ToggleSettings => {
                let body = dom::document().body().expect("body");
                let open = !body.class_list().contains("settings-open");
                dom::toggle_class(&body, "settings-open", open);
                dom::set_attr(
                    &by_id::<web_sys::Element>("settings-toggle"),
                    "aria-expanded",
                    if open { "true" } else { "false" },
                );
                if open {
                    let _ = by_id::<web_sys::HtmlElement>("settings-close").focus();
                }
            }
            Msg::ShowDetails => {
                dom::set_hidden(&by_id::<web_sys::HtmlElement>("tap-card"), true);
                by_id::<web_sys::HtmlElement>("details").scroll_into_view();
            }
            Msg::CloseCard => dom::set_hidden(&by_id::<web_sys::HtmlElement>("tap-card"), true),
            Msg::Tick => {
                self.ticking = false;
                self.update(Input::Tick, d);
            }
        }
    }
}

impl Shell {
    fn update(&mut self, input: Input, d: &Dispatch) {
        let opening = matches!(input, Input::Open { .. });
        let effects = self.session.update(dom::now(), input);
        if opening && self.session.opened_plain() {
            // A first visit to the plain map (not a link to a panel or a
            // composition) is offered the tour.
            Tour::offer(d);
        }
        for effect in effects {
            self.apply(effect, d);
        }
        if !self.ticking && (self.session.busy() || !self.session.banners().is_empty()) {
            self.ticking = true;
            let d = d.clone();
            dom::after(TICK_MS, move || d.send(Msg::Tick));
        }
    }

    fn apply(&mut self, effect: Effect, d: &Dispatch) {
        match effect {
            Effect::Send {
                role,
                request,
                payload,
            } => {
                if let Err(message) = self.workers.send(role, &request, payload.as_deref()) {
                    // Said where the request's result would show.
                    let response = Response::Error {
                        id: request.id(),
                        message,
                    };
                    d.input(Input::Response {
                        role,
                        response,
                        payload: None,
                    });
                }
            }
            Effect::Stop(role) => self.workers.stop(role),
            Effect::Warm(role) => self.workers.warm(role),
            Effect::Render(panel) => self.render(panel, d),
            Effect::Redraw => self.canvas.request_draw(d),
            Effect::SetView(view) => {
                self.canvas.sync(&self.session);
                self.canvas.set_view(view);
                self.canvas.request_draw(d);
            }
            Effect::WriteUrl(fragment) => write_url(&fragment),
            Effect::Download { name, mime, text } => {
                dom::download(&name, mime, &js_sys::Array::of1(&text.into()))
            }
        }
    }

    fn render(&mut self, panel: Panel, d: &Dispatch) {
        let s = &self.session;
        match panel {
            Panel::Controls => self.controls.render(s),
            Panel::Tabs => {
                self.tabs.render(s);
                self.grid.render(s);
                self.canvas.request_draw(d);
            }
            Panel::Counts => self.counts.render(s),
            Panel::Map => {
                self.canvas.sync(s);
                self.map.render(s);
                self.canvas.request_draw(d);
            }
            Panel::MapStatus => {
                self.canvas.sync(s);
                self.map.render_status(s);
                self.canvas.request_draw(d);
            }
            Panel::Details => self.details.render(s),
            Panel::System => self.system.render(s),
            Panel::Elements => self.elements.render(s),
            Panel::Grid => self.grid.render(s),
            Panel::Quiz => self.quiz.render(s),
            Panel::Messages => self.messages.render(s),
            Panel::Debug => self.debug(),
            Panel::Placed => {
                self.place.render(s);
                self.canvas.request_draw(d);
            }
            Panel::Neighbours => self.neighbours.render(s),
            Panel::Selection => self.selection.render(s),
        }
    }

    fn arrived(&mut self, role: crate::session::Role, arrival: Arrival, d: &Dispatch) {
        match arrival {
            Arrival::Response(response, payload) => self.update(
                Input::Response {
                    role,
                    response,
                    payload,
                },
                d,
            ),
            Arrival::Died { message, resent } => self.update(
                Input::WorkerDied {
                    role,
                    message,
                    resent,
                },
                d,
            ),
            Arrival::Nothing => {}
        }
    }

    /// Copies the page's link (which holds what is on screen).
    fn share(&mut self, d: &Dispatch) {
        let url = dom::window().location().href().unwrap_or_default();
        let clipboard = js_sys::Reflect::get(&dom::window().navigator(), &"clipboard".into()).ok();
        let write = clipboard
            .as_ref()
            .and_then(|c| js_sys::Reflect::get(c, &"writeText".into()).ok())
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        let copied = match (clipboard, write) {
            (Some(c), Some(f)) => f.call1(&c, &url.clone().into()).is_ok(),
            _ => false,
        };
        self.update(Input::Shared { copied, url }, d);
    }

    /// The debug panel in the footer: draw times, timings of the first
    /// results. The end-to-end tests and the benchmarks read its attributes.
    fn debug(&self) {
        let debug: web_sys::HtmlElement = by_id("debug");
        let t = self.session.timings();
        let at = |ms: Option<f64>| {
            ms.map_or("–".into(), |ms| {
                format!("{ms:.0} ms after the page began loading")
            })
        };
        let counts: Vec<String> = t
            .counts_ms
            .iter()
            .enumerate()
            .map(|(i, ms)| {
                format!(
                    "n={}: {}",
                    i + 2,
                    ms.map_or("–".into(), |ms| format!("{ms:.0} ms"))
                )
            })
            .collect();
        let map = self.session.shown_layout().map_or("none".into(), |l| {
            format!(
                "{} of {}, {} points{}",
                l.method.title(),
                l.embed.embedding,
                l.kept.len(),
                if l.last { "" } else { " (in progress)" }
            )
        });
        let lines = [
            format!(
                "draw: last {:.2} ms, slowest {:.2} ms, {} draws",
                self.canvas.last_draw_ms, self.canvas.slowest_draw_ms, self.canvas.draws
            ),
            format!("points drawn: {}", self.session.map_model().shown_total()),
            format!("Table 2 counting time: {}", counts.join(", ")),
            format!("binary counts shown at: {}", at(t.binary_counts_at)),
            format!("first map on screen at: {}", at(t.first_layout)),
            format!("first finished map at: {}", at(t.first_map)),
            format!("map: {map}"),
        ];
        dom::set_text("debug-text", &lines.join("\n"));
        let set = |name: &str, value: String| {
            let _ = debug.set_attribute(name, &value);
        };
        set("data-draw-ms", format!("{:.3}", self.canvas.last_draw_ms));
        set(
            "data-slowest-draw-ms",
            format!("{:.3}", self.canvas.slowest_draw_ms),
        );
        if let Some(ms) = t.first_layout {
            set("data-first-layout-ms", format!("{ms:.0}"));
        }
        if let Some(ms) = t.first_map {
            set("data-first-map-ms", format!("{ms:.0}"));
        }
        if let Some(ms) = t.binary_counts_at {
            set("data-binary-counts-ms", format!("{ms:.0}"));
        }
    }
}

fn write_url(fragment: &str) {
    let location = dom::window().location();
    let url = if fragment.is_empty() {
        location.pathname().unwrap_or_default() + &location.search().unwrap_or_default()
    } else {
        format!("#{fragment}")
    };
    if let Ok(history) = dom::window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// Largest file of formulas to place read: a hundred formulas fit in far less.
const MAX_PLACE_FILE_BYTES: usize = 1 << 20;

/// Reads the chosen file off the page's thread (the browser does), then
/// hands its text to the session, which has a worker check it.
fn read_upload(kind: UploadKind, file: web_sys::File, dispatch: Dispatch) {
    let name = file.name();
    let limit = match kind {
        UploadKind::OxidationStates => crate::data::oxidation::MAX_OX_FILE_BYTES,
        UploadKind::KnownList => crate::data::known::MAX_USER_LIST_BYTES,
    };
    read_text(file, limit, move |text| {
        dispatch.input(Input::UploadRead { kind, name, text })
    });
}

/// Reads `file` as text (refusing one over `limit` bytes) and hands the text,
/// or why it could not be read, to `done`.
fn read_text(
    file: web_sys::File,
    limit: usize,
    done: impl FnOnce(Result<String, String>) + 'static,
) {
    if file.size() > limit as f64 {
        return done(Err(format!(
            "it is {:.1} MB, larger than the {:.0} MB accepted",
            file.size() / 1e6,
            limit as f64 / 1e6
        )));
    }
    wasm_bindgen_futures::spawn_local(async move {
        let text = match JsFuture::from(file.text()).await {
            Ok(text) => text
                .as_string()
                .ok_or_else(|| "the file is not text; save it as plain UTF-8 text".to_string()),
            Err(_) => Err("it could not be read; choose the file again".to_string()),
        };
        done(text);
    });
}
