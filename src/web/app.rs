//! The page's state and how a change flows through it.
//!
//! Settings live in a [`ViewState`] mirrored in the URL. A change recomputes
//! only what depends on it: the chemistry settings re-count Table 2; the
//! sample settings re-sample; the embedding re-embeds; the reducer re-reduces;
//! anything else only redraws. Samples, embedded matrices and finished layouts
//! are cached by their settings' keys, so going back to an earlier choice is
//! instant.

use std::cell::RefCell;
use std::rc::Rc;

use super::dom;
use super::map_view::MapView;
use super::workers::{self, Event, Role};
use super::{controls, counts_panel, details, elements_panel, grid_panel, messages, system_panel};
use crate::chem::Composition;
use crate::count::Counts;
use crate::data::KnownSource;
use crate::explain::Explanation;
use crate::label::Category;
use crate::pipeline::protocol::SystemRow;
use crate::pipeline::settings::cache_key;
use crate::pipeline::{
    ChemSettings, EmbedSettings, KnownChoice, OxSource, ReducerParams, Request, Response,
    SampleSettings,
};
use crate::view_state::{KnownSetting, OxChoice, Tab, ViewState};

/// A sample as the page holds it.
pub struct SampleData {
    pub formulas: Vec<String>,
    pub compositions: Vec<Composition>,
    pub categories: Vec<Category>,
    pub shortfalls: Vec<(Category, usize)>,
}

impl SampleData {
    /// Row of the sample holding composition `c`, if sampled.
    pub fn find(&self, c: &Composition) -> Option<usize> {
        self.compositions.iter().position(|x| x == c)
    }
}

/// An embedded sample, kept to re-reduce without re-embedding.
pub struct EmbeddedData {
    pub key: String,
    pub sample: Rc<SampleData>,
    pub kept: Rc<Vec<u32>>,
    pub cols: usize,
    pub matrix: js_sys::Float32Array,
    /// Rows left out because their pooled vector was not finite.
    pub non_finite: usize,
}

/// A map layout: one (x, y) per kept sample row.
pub struct LayoutData {
    pub key: String,
    pub sample: Rc<SampleData>,
    pub kept: Rc<Vec<u32>>,
    pub coords: Vec<f32>,
    /// "PCA", "t-SNE", "UMAP" (of the layout shown, which may be a preview).
    pub method: String,
    pub embedding: String,
    pub last: bool,
    /// Sample rows left out because their pooled vector was not finite (the
    /// other rows missing from `kept` have an element the embedding lacks).
    pub non_finite: usize,
}

/// Files the user uploaded: (file name, text).
#[derive(Default)]
pub struct Uploads {
    pub ox: Option<(String, String)>,
    pub known: Option<(String, String)>,
}

/// A request in flight: its id and the key of what it computes.
#[derive(Default, Clone)]
pub struct InFlight {
    pub id: Option<u32>,
    pub key: String,
    pub started: f64,
}

pub struct App {
    pub state: ViewState,
    pub uploads: Uploads,
    next_id: u32,
    // Table 2.
    pub counts_req: [InFlight; 3],
    pub counts: [Option<Counts>; 3],
    pub counts_progress: [f64; 3],
    pub counts_ms: [Option<f64>; 3],
    pub counts_error: Option<String>,
    // Periodic table.
    pub freq_req: InFlight,
    pub frequencies: Option<(usize, Vec<u64>)>,
    // Details and systems.
    pub explain_req: InFlight,
    pub explanation: Option<Explanation>,
    pub system_req: InFlight,
    pub system: Option<(String, Vec<SystemRow>)>,
    // The map.
    pub embed_req: InFlight,
    pub reduce_req: InFlight,
    pub sample: Option<Rc<SampleData>>,
    embedded: Vec<Rc<EmbeddedData>>,
    layouts: Vec<Rc<LayoutData>>,
    pub map: MapView,
    /// When the first layout of any kind (a PCA preview, say) was on screen,
    /// in milliseconds since the page began loading.
    pub first_layout_ms: Option<f64>,
    /// When the first finished layout was on screen.
    pub first_map_ms: Option<f64>,
    /// The layout key the user stopped, not to be restarted by redraws.
    pub stopped: Option<String>,
    // Small multiples.
    pub grid_req: InFlight,
}

/// Most finished layouts kept (18 small multiples and some history).
const LAYOUT_CACHE: usize = 40;
/// Most embedded matrices kept (up to 10 MB each).
const EMBED_CACHE: usize = 3;

thread_local! {
    static APP: RefCell<Option<App>> = const { RefCell::new(None) };
}

/// Runs `f` on the app. Event handlers never nest, so the borrow is free; if it
/// is not (a bug), the event is dropped with a console note rather than a panic.
pub fn with_app<T>(f: impl FnOnce(&mut App) -> T) -> Option<T> {
    APP.with(|cell| match cell.try_borrow_mut() {
        Ok(mut app) => app.as_mut().map(f),
        Err(_) => {
            web_sys::console::warn_1(&"crystal-atlas: nested app access skipped".into());
            None
        }
    })
}

/// Builds the app from the URL and starts the first computations.
pub fn start() {
    let fragment = dom::window().location().hash().unwrap_or_default();
    let (state, errors) = ViewState::from_fragment(&fragment);
    let app = App {
        state,
        uploads: Uploads::default(),
        next_id: 1,
        counts_req: Default::default(),
        counts: [None; 3],
        counts_progress: [0.0; 3],
        counts_ms: [None; 3],
        counts_error: None,
        freq_req: InFlight::default(),
        frequencies: None,
        explain_req: InFlight::default(),
        explanation: None,
        system_req: InFlight::default(),
        system: None,
        embed_req: InFlight::default(),
        reduce_req: InFlight::default(),
        sample: None,
        embedded: Vec::new(),
        layouts: Vec::new(),
        map: MapView::new(),
        first_layout_ms: None,
        first_map_ms: None,
        stopped: None,
        grid_req: InFlight::default(),
    };
    APP.with(|cell| *cell.borrow_mut() = Some(app));
    workers::init(|role, event| {
        with_app(|app| app.on_worker(role, event));
    });
    controls::install();
    super::map_view::install();
    system_panel::install();
    elements_panel::install();
    details::install();
    super::tour::install();
    with_app(|app| {
        for e in &errors {
            messages::show(&e.to_string(), messages::Kind::Warning);
        }
        controls::sync(app);
        app.show_tab();
        app.request_counts();
        app.request_map();
        workers::start_early(Role::Reduce);
        if let Some(focus) = app.state.focus.clone() {
            app.request_explain(&focus);
        }
        app.after_view_change();
    });
    super::tour::maybe_start();
    dom::on::<web_sys::HashChangeEvent>(&dom::window(), "hashchange", |_| {
        let fragment = dom::window().location().hash().unwrap_or_default();
        with_app(|app| {
            if fragment.trim_start_matches('#') != app.state.to_fragment() {
                let (state, errors) = ViewState::from_fragment(&fragment);
                for e in &errors {
                    messages::show(&e.to_string(), messages::Kind::Warning);
                }
                app.set_state(|s| *s = state);
            }
        });
    });
}

impl App {
    pub fn new_id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }

    /// What decides the categories.
    pub fn chem_settings(&self) -> ChemSettings {
        let ox = match (self.state.ox, &self.uploads.ox) {
            (OxChoice::Uploaded, Some((name, text))) => OxSource::Uploaded {
                name: name.clone(),
                text: text.clone(),
            },
            (OxChoice::Builtin(set), _) => OxSource::Builtin {
                name: set.name().into(),
            },
            (OxChoice::Uploaded, None) => OxSource::Builtin {
                name: "smact14".into(),
            },
        };
        let known = match (self.state.known, &self.uploads.known) {
            (KnownSetting::Uploaded, Some((name, text))) => KnownChoice::Uploaded {
                name: name.clone(),
                text: text.clone(),
            },
            (KnownSetting::Builtin(source), _) => KnownChoice::Builtin {
                name: source.name().into(),
            },
            (KnownSetting::None, _) => KnownChoice::Empty,
            (KnownSetting::Uploaded, None) => KnownChoice::Builtin { name: "mp".into() },
        };
        ChemSettings {
            ox,
            threshold: self.state.max_stoich,
            known,
        }
    }

    pub fn sample_settings(&self) -> SampleSettings {
        SampleSettings {
            chem: self.chem_settings(),
            order: self.state.order,
            per_category: self.state.per_category,
            seed: self.state.seed,
        }
    }

    pub fn embed_settings(&self) -> EmbedSettings {
        EmbedSettings {
            sample: self.sample_settings(),
            embedding: self.state.embedding.clone(),
            pooling: self.state.pooling.clone(),
        }
    }

    pub fn layout_key(embed: &EmbedSettings, params: &ReducerParams) -> String {
        cache_key(&(embed, params))
    }

    /// The database's name for people.
    pub fn known_title(&self) -> String {
        match (self.state.known, &self.uploads.known) {
            (KnownSetting::Builtin(s), _) => match s {
                KnownSource::MaterialsProject => "Materials Project".into(),
                KnownSource::Oqmd => "OQMD".into(),
                KnownSource::Aflow => "AFLOW".into(),
            },
            (KnownSetting::None, _) => "no database".into(),
            (KnownSetting::Uploaded, Some((name, _))) => format!("your list {name}"),
            (KnownSetting::Uploaded, None) => "Materials Project".into(),
        }
    }

    /// Changes the settings and recomputes what depends on the change.
    pub fn set_state(&mut self, change: impl FnOnce(&mut ViewState)) {
        let old_chem = self.chem_settings();
        let old = self.state.clone();
        change(&mut self.state);
        self.after_change(&old, old_chem);
    }

    /// Recomputes after the uploads changed (the view state may not have).
    pub fn uploads_changed(&mut self, old_chem: ChemSettings) {
        let old = self.state.clone();
        self.after_change(&old, old_chem);
    }

    fn after_change(&mut self, old: &ViewState, old_chem: ChemSettings) {
        let chem_changed = old_chem != self.chem_settings();
        if chem_changed {
            self.request_counts();
        }
        if chem_changed || old.order != self.state.order {
            self.frequencies = None;
            if self.state.tab == Tab::Elements {
                self.request_frequencies();
            }
        }
        if chem_changed && self.system.is_some() {
            let system = self.state.system.clone();
            self.request_system(&system);
        }
        if chem_changed && let Some(f) = self.state.focus.clone() {
            self.request_explain(&f);
        }
        if old.tab != self.state.tab {
            self.show_tab();
        }
        self.request_map();
        if self.state.tab == Tab::Grid {
            grid_panel::ensure(self);
        }
        self.after_view_change();
    }

    /// Redraws and mirrors the settings in the controls and the URL.
    pub fn after_view_change(&mut self) {
        controls::sync(self);
        self.map.restyle(&self.state);
        self.map.request_draw();
        super::legend::render(self);
        counts_panel::render(self);
        elements_panel::render(self);
        system_panel::mark_sampled(self);
        grid_panel::render(self);
        self.write_url();
    }

    fn write_url(&self) {
        let fragment = self.state.to_fragment();
        let url = if fragment.is_empty() {
            let location = dom::window().location();
            location.pathname().unwrap_or_default() + &location.search().unwrap_or_default()
        } else {
            format!("#{fragment}")
        };
        if let Ok(history) = dom::window().history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    }

    pub fn show_tab(&mut self) {
        for tab in Tab::ALL {
            let selected = tab == self.state.tab;
            let button: web_sys::Element = dom::by_id(&format!("tab-{}", tab.name()));
            dom::set_attr(
                &button,
                "aria-selected",
                if selected { "true" } else { "false" },
            );
            dom::set_hidden(&dom::by_id(&format!("panel-{}", tab.name())), !selected);
        }
        match self.state.tab {
            Tab::Map => self.map.request_draw(),
            Tab::Elements if self.frequencies.is_none() => self.request_frequencies(),
            Tab::System if self.system.is_none() => {
                let system = self.state.system.clone();
                self.request_system(&system);
            }
            Tab::Grid => grid_panel::ensure(self),
            _ => {}
        }
    }

    // ---- requests ----

    pub fn request_counts(&mut self) {
        let chem = self.chem_settings();
        let key = cache_key(&chem);
        self.counts_error = None;
        // Counts for old settings would hold up the new ones: stop them (and
        // the frequencies sharing their worker, asked for again below).
        let stale = self
            .counts_req
            .iter()
            .any(|r| r.id.is_some() && r.key != key);
        if stale {
            workers::cancel(Role::Counts);
            self.counts_req.iter_mut().for_each(|r| r.id = None);
            if self.freq_req.id.take().is_some() {
                self.freq_req.key.clear();
            }
        }
        for (i, order) in [2usize, 3, 4].into_iter().enumerate() {
            if self.counts_req[i].key == key
                && (self.counts[i].is_some() || self.counts_req[i].id.is_some())
            {
                continue;
            }
            let id = self.new_id();
            self.counts[i] = None;
            self.counts_progress[i] = 0.0;
            self.counts_ms[i] = None;
            self.counts_req[i] = InFlight {
                id: Some(id),
                key: key.clone(),
                started: dom::now(),
            };
            workers::send(
                Role::Counts,
                &Request::Counts {
                    id,
                    chem: chem.clone(),
                    order,
                },
                None,
            );
        }
        counts_panel::render(self);
    }

    pub fn request_frequencies(&mut self) {
        let chem = self.chem_settings();
        let key = cache_key(&(&chem, self.state.order));
        if self.freq_req.key == key && self.freq_req.id.is_some() {
            return;
        }
        let id = self.new_id();
        self.freq_req = InFlight {
            id: Some(id),
            key,
            started: dom::now(),
        };
        workers::send(
            Role::Counts,
            &Request::Frequencies {
                id,
                chem,
                order: self.state.order,
            },
            None,
        );
        elements_panel::render(self);
    }

    pub fn request_explain(&mut self, formula: &str) {
        let id = self.new_id();
        self.explain_req = InFlight {
            id: Some(id),
            key: formula.to_string(),
            started: dom::now(),
        };
        workers::send(
            Role::Chem,
            &Request::Explain {
                id,
                chem: self.chem_settings(),
                formula: formula.to_string(),
            },
            None,
        );
    }

    pub fn request_system(&mut self, system: &str) {
        let id = self.new_id();
        self.system_req = InFlight {
            id: Some(id),
            key: system.to_string(),
            started: dom::now(),
        };
        workers::send(
            Role::Chem,
            &Request::System {
                id,
                chem: self.chem_settings(),
                system: system.to_string(),
            },
            None,
        );
        system_panel::render_pending(self);
    }

    /// Brings the map up to date with the settings: a cached layout is shown
    /// at once; otherwise the missing stages are requested.
    pub fn request_map(&mut self) {
        let embed = self.embed_settings();
        let params = self.state.reducer_params();
        let key = App::layout_key(&embed, &params);
        if self.map.layout_key() == Some(key.as_str()) && self.map.layout_is_final() {
            return;
        }
        if self.stopped.as_deref() == Some(key.as_str()) {
            return;
        }
        self.stopped = None;
        if let Some(layout) = self.layouts.iter().find(|l| l.key == key).cloned() {
            self.cancel_reduce();
            self.show_layout(layout);
            return;
        }
        if self.reduce_req.id.is_some() && self.reduce_req.key == key {
            return;
        }
        self.cancel_reduce();
        let embed_key = cache_key(&embed);
        if let Some(embedded) = self.embedded.iter().find(|e| e.key == embed_key).cloned() {
            self.send_reduce(&embedded, key);
            return;
        }
        if self.embed_req.id.is_some() && self.embed_req.key == embed_key {
            return;
        }
        if self.embed_req.id.is_some() {
            // Sampling for settings already left behind would hold up these
            // (at the cost of the worker's cached sample).
            workers::cancel(Role::Data);
        }
        let id = self.new_id();
        self.embed_req = InFlight {
            id: Some(id),
            key: embed_key,
            started: dom::now(),
        };
        workers::send(
            Role::Data,
            &Request::Embed {
                id,
                settings: embed,
            },
            None,
        );
        self.map
            .set_status(Some(("Sampling and embedding…".into(), None, false)));
    }

    fn send_reduce(&mut self, embedded: &Rc<EmbeddedData>, key: String) {
        let params = self.state.reducer_params();
        let id = self.new_id();
        self.reduce_req = InFlight {
            id: Some(id),
            key,
            started: dom::now(),
        };
        let request = Request::Reduce {
            id,
            params,
            rows: embedded.kept.len(),
            cols: embedded.cols,
        };
        workers::send(Role::Reduce, &request, Some(&embedded.matrix));
        self.map.set_status(Some((
            format!("{}: starting…", params.title()),
            Some(0.0),
            true,
        )));
    }

    /// Stops the map's reducer, if running.
    pub fn cancel_reduce(&mut self) {
        if self.reduce_req.id.take().is_some() && workers::busy(Role::Reduce) {
            workers::cancel(Role::Reduce);
        }
        self.map.set_status(None);
    }

    /// The user pressed Cancel: stop, keep whatever layout is on screen.
    pub fn cancel_by_user(&mut self) {
        if self.embed_req.id.take().is_some() {
            workers::cancel(Role::Data);
            self.embed_req.key.clear();
        }
        self.cancel_reduce();
        self.stopped = Some(App::layout_key(
            &self.embed_settings(),
            &self.state.reducer_params(),
        ));
        self.map.set_status(Some((
            "Stopped. The map shows the last layout computed.".into(),
            None,
            false,
        )));
    }

    /// The user asked to compute the stopped map after all.
    pub fn run_again(&mut self) {
        self.stopped = None;
        self.map.set_status(None);
        self.request_map();
    }

    fn show_layout(&mut self, layout: Rc<LayoutData>) {
        // Milliseconds since the page began loading (performance.now()'s origin).
        let t = dom::now();
        self.first_layout_ms.get_or_insert(t);
        if layout.last {
            self.first_map_ms.get_or_insert(t);
        }
        let view = self.state.view;
        self.map.set_layout(layout, view);
        self.map.restyle(&self.state);
        self.map.request_draw();
        super::legend::render(self);
        system_panel::mark_sampled(self);
        super::debug::render(self);
    }

    /// Remembers a finished layout (from the map or the small multiples).
    pub fn cache_layout(&mut self, layout: Rc<LayoutData>) {
        self.layouts.retain(|l| l.key != layout.key);
        self.layouts.push(layout);
        if self.layouts.len() > LAYOUT_CACHE {
            self.layouts.remove(0);
        }
    }

    pub fn cached_layout(&self, key: &str) -> Option<Rc<LayoutData>> {
        self.layouts.iter().find(|l| l.key == key).cloned()
    }

    // ---- responses ----

    fn on_worker(&mut self, role: Role, event: Event) {
        match event {
            Event::Died { message, resent } => {
                let what = if resent {
                    "It has been restarted and its work sent again."
                } else {
                    "It has been restarted; the request that stopped it was not sent again."
                };
                messages::show(
                    &format!("The {} worker stopped ({message}). {what}", role.title()),
                    messages::Kind::Error,
                );
                if !resent {
                    self.on_error(role, 0, "the worker stopped".into());
                }
            }
            Event::Response(response, payload) => self.on_response(role, response, payload),
        }
    }

    fn on_response(
        &mut self,
        role: Role,
        response: Response,
        payload: Option<js_sys::Float32Array>,
    ) {
        match response {
            Response::Ready => {}
            Response::Progress {
                id,
                stage,
                fraction,
            } => {
                if let Some(i) = self.counts_req.iter().position(|r| r.id == Some(id)) {
                    self.counts_progress[i] = fraction;
                    counts_panel::render(self);
                } else if self.reduce_req.id == Some(id) {
                    let title = self.state.reducer_params().title();
                    let text = format!("{title}: {}…", stage_text(&stage));
                    self.map.set_status(Some((text, Some(fraction), true)));
                } else if self.grid_req.id == Some(id) {
                    grid_panel::progress(self, &stage, fraction);
                }
            }
            Response::Counts { id, counts } => {
                if let Some(i) = self.counts_req.iter().position(|r| r.id == Some(id)) {
                    self.counts_ms[i] = Some(dom::now() - self.counts_req[i].started);
                    self.counts_req[i].id = None;
                    self.counts[i] = Some(counts);
                    counts_panel::render(self);
                    super::debug::render(self);
                }
            }
            Response::Frequencies { id, order, counts } => {
                if self.freq_req.id == Some(id) {
                    self.freq_req.id = None;
                    self.frequencies = Some((order, counts));
                    elements_panel::render(self);
                }
            }
            Response::Explanation { id, explanation } => {
                if self.explain_req.id == Some(id) {
                    self.explain_req.id = None;
                    self.explanation = Some(*explanation);
                    details::render(self);
                }
            }
            Response::System { id, system, rows } => {
                if self.system_req.id == Some(id) {
                    self.system_req.id = None;
                    self.system = Some((system, rows));
                    system_panel::render(self);
                }
            }
            Response::Sample {
                id,
                formulas,
                categories,
                shortfalls,
            } => {
                if self.embed_req.id == Some(id) {
                    let compositions = formulas
                        .iter()
                        .filter_map(|f| Composition::parse(f).ok())
                        .collect();
                    self.sample = Some(Rc::new(SampleData {
                        formulas,
                        compositions,
                        categories,
                        shortfalls,
                    }));
                    self.map.set_status(Some(("Embedding…".into(), None, true)));
                    system_panel::mark_sampled(self);
                } else if self.grid_req.id == Some(id) {
                    grid_panel::on_sample(formulas, categories, shortfalls);
                }
            }
            Response::Embedded {
                id,
                kept,
                cols,
                non_finite,
            } => {
                if self.embed_req.id != Some(id) {
                    return;
                }
                self.embed_req.id = None;
                let (Some(sample), Some(matrix)) = (self.sample.clone(), payload) else {
                    return self.on_error(
                        role,
                        id,
                        "the embedding arrived without its sample".into(),
                    );
                };
                let embedded = Rc::new(EmbeddedData {
                    key: self.embed_req.key.clone(),
                    sample,
                    kept: Rc::new(kept),
                    cols,
                    matrix,
                    non_finite,
                });
                self.embedded.retain(|e| e.key != embedded.key);
                self.embedded.push(embedded.clone());
                if self.embedded.len() > EMBED_CACHE {
                    self.embedded.remove(0);
                }
                let key = App::layout_key(&self.embed_settings(), &self.state.reducer_params());
                if cache_key(&self.embed_settings()) == embedded.key
                    && self.cached_layout(&key).is_none()
                {
                    self.send_reduce(&embedded, key);
                } else {
                    self.request_map();
                }
            }
            Response::Layout {
                id,
                method,
                stage,
                done,
                total,
                last,
            } => {
                if self.reduce_req.id != Some(id) {
                    return;
                }
                let embed_key = cache_key(&self.embed_settings());
                let (Some(embedded), Some(coords)) = (
                    self.embedded.iter().find(|e| e.key == embed_key).cloned(),
                    payload,
                ) else {
                    return;
                };
                let title = match method.as_str() {
                    "pca" => "PCA",
                    "tsne" => "t-SNE",
                    _ => "UMAP",
                };
                let layout = Rc::new(LayoutData {
                    key: self.reduce_req.key.clone(),
                    sample: embedded.sample.clone(),
                    kept: embedded.kept.clone(),
                    coords: coords.to_vec(),
                    method: title.into(),
                    embedding: self.state.embedding.clone(),
                    last,
                    non_finite: embedded.non_finite,
                });
                if last {
                    self.reduce_req.id = None;
                    self.map.set_status(None);
                    self.cache_layout(layout.clone());
                } else {
                    let params = self.state.reducer_params();
                    let text = if stage == "preview" {
                        format!("PCA preview while {} starts…", params.title())
                    } else {
                        format!(
                            "{}: {} {done} of {total}",
                            params.title(),
                            stage_text(&stage)
                        )
                    };
                    let fraction = if total > 0 {
                        Some(done as f64 / total as f64)
                    } else {
                        None
                    };
                    self.map.set_status(Some((text, fraction, true)));
                }
                self.show_layout(layout);
            }
            Response::GridPanel {
                id,
                embedding,
                params,
                kept,
                non_finite,
            } => {
                if self.grid_req.id == Some(id)
                    && let Some(coords) = payload
                {
                    let panel = grid_panel::Panel {
                        embedding,
                        params,
                        kept,
                        coords: coords.to_vec(),
                        non_finite,
                    };
                    grid_panel::on_panel(self, panel);
                }
            }
            Response::GridPanelFailed {
                id,
                embedding,
                params,
                message,
            } => {
                if self.grid_req.id == Some(id) {
                    grid_panel::on_failed(self, &embedding, &params, message);
                }
            }
            Response::GridDone { id } => {
                if self.grid_req.id == Some(id) {
                    self.grid_req.id = None;
                    grid_panel::render(self);
                }
            }
            Response::Error { id, message } => self.on_error(role, id, message),
        }
    }

    fn on_error(&mut self, role: Role, id: u32, message: String) {
        let matches = |r: &InFlight| r.id == Some(id) || (id == 0 && r.id.is_some());
        match role {
            Role::Counts => {
                if let Some(i) = self.counts_req.iter().position(matches) {
                    self.counts_req[i].id = None;
                    self.counts_error = Some(message);
                    counts_panel::render(self);
                } else if matches(&self.freq_req) {
                    self.freq_req.id = None;
                    messages::show(&format!("Periodic table: {message}"), messages::Kind::Error);
                }
            }
            Role::Chem => {
                if matches(&self.explain_req) {
                    self.explain_req.id = None;
                    details::show_error(&message);
                } else if matches(&self.system_req) {
                    self.system_req.id = None;
                    system_panel::show_error(&message);
                }
            }
            Role::Data | Role::Reduce => {
                if matches(&self.embed_req) || matches(&self.reduce_req) {
                    self.embed_req.id = None;
                    self.reduce_req.id = None;
                    self.map.set_status(None);
                    messages::show(&format!("Map: {message}"), messages::Kind::Error);
                }
            }
            Role::Grid => {
                if matches(&self.grid_req) {
                    self.grid_req.id = None;
                    grid_panel::show_error(self, &message);
                }
            }
        }
    }

    /// Opens the details of a composition (and focuses it on the map when sampled).
    pub fn open_details(&mut self, formula: &str) {
        let canonical = Composition::parse(formula)
            .map(|c| c.to_string())
            .unwrap_or_else(|_| formula.to_string());
        self.request_explain(&canonical);
        self.state.focus = Some(canonical);
        self.map.restyle(&self.state);
        self.map.request_draw();
        self.write_url();
        details::render_pending(self);
    }

    pub fn close_details(&mut self) {
        self.state.focus = None;
        self.explanation = None;
        self.explain_req.id = None;
        self.map.restyle(&self.state);
        self.map.request_draw();
        self.write_url();
        details::render(self);
    }
}

/// A reducer stage name as words.
fn stage_text(stage: &str) -> String {
    match stage {
        "nearest_neighbors" => "finding nearest neighbours".into(),
        "optimize_layout" | "optimize_layout_euclidean" => "optimising the layout, epoch".into(),
        "fuzzy_simplicial_set" => "building the neighbour graph".into(),
        "spectral_layout" => "spectral initialisation".into(),
        "early_exaggeration" => "early exaggeration, iteration".into(),
        "affinities" => "computing affinities".into(),
        "gradient_descent" | "optimize" => "optimising, iteration".into(),
        other => other.replace('_', " "),
    }
}
