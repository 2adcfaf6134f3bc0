//! The page's behaviour as a pure state machine: `Session::update(now, input)
//! -> effects`, in the manner of Elm's update and the wasm-bindgen TodoMVC
//! controller.
//!
//! Why it is in the core: everything the page decides (what a change
//! recomputes, which results are stale, what each panel shows: titles,
//! captions, legend notes, progress, messages, the link) is decided here,
//! where native tests drive it input by input. The web shell only turns DOM
//! and worker events into [`Input`]s and carries out the [`Effect`]s: posting
//! requests to workers, stopping them, rendering panels from the session's
//! accessors, moving the map and writing the URL.
//!
//! Guarantees:
//! - The link ([`ViewState`]) holds what is on screen; every change writes it.
//! - One table of requests in flight ([`requests::Requests`]): an answer is
//!   matched by id; an answer to a request no longer wanted matches nothing.
//! - Every caption, legend note and status line is derived from the result
//!   it describes and the requests in flight, never remembered separately,
//!   so none can go stale.

mod chem;
mod grid;
mod map;
pub mod messages;
mod nearby;
mod overlays;
mod place;
#[cfg(test)]
mod place_tests;
mod quiz;
mod requests;
pub mod shipped;
pub mod stages;
#[cfg(test)]
mod tests;

use std::rc::Rc;

use crate::chem::Element;
use crate::label::Category;
use crate::pipeline::protocol::UploadKind;
use crate::pipeline::{
    ChemSettings, EmbedSettings, KnownChoice, OxSource, Request, Response, SampleSettings, Upload,
};
use crate::plot::{MapModel, Selection, SelectionOp};
use crate::reduce::Method;
use crate::view_state::{KnownSetting, OxChoice, Tab, View, ViewState};

pub use chem::{CountsRow, DetailsView, Frequencies};
pub use grid::{CellState, GridCell, GridStatus};
pub use map::{MapAction, MapStatus, Progress};
pub use messages::{Banner, Field, FieldNote, Tone};
pub use nearby::{NEIGHBOURS_SHOWN, NearbyList, NearbyRow, NearbyView};
pub use overlays::SelectionView;
pub use place::{CsvExport, PlacedItem, PlacedState};
pub use quiz::{QuizAnswer, QuizView, charges_note};
use requests::{Job, Requests};
pub use stages::{LayoutData, SampleData};

/// What a worker is for: one worker per kind of job, so a long job never
/// holds up a short one and stopping a map (by terminating its worker) loses
/// nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Table 2 and the periodic-table counts.
    Counts,
    /// Explanations, chemical systems and uploaded files: always quick.
    Chem,
    /// The map's sample and embedding.
    Data,
    /// The map's reducer; terminated to cancel.
    Reduce,
    /// The small multiples.
    Grid,
    /// Formulas placed on a map, and neighbour searches: never stopped with
    /// a map, so its fitted maps and embedded known sets are kept.
    Place,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Counts,
        Role::Chem,
        Role::Data,
        Role::Reduce,
        Role::Grid,
        Role::Place,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Role::Counts => "counting",
            Role::Chem => "chemistry",
            Role::Data => "sampling and embedding",
            Role::Reduce => "map",
            Role::Grid => "small-multiples",
            Role::Place => "placing",
        }
    }

    pub fn index(self) -> usize {
        Role::ALL
            .iter()
            .position(|&r| r == self)
            .expect("every role is listed")
    }
}

/// Something that happened: a person's action, a worker's message, time.
#[derive(Debug, Clone)]
pub enum Input {
    /// The page opened with this URL fragment.
    Open {
        fragment: String,
    },
    /// The user edited the link in the address bar.
    LinkEdited {
        fragment: String,
    },
    /// A form field changed: the setting's link key and the value as typed.
    Field {
        key: String,
        value: String,
    },
    ShowTab(Tab),
    ToggleCategory(Category),
    /// The periodic table's element filter (choosing the same element again,
    /// or `None`, clears it).
    FilterElement(Option<Element>),
    /// The map's search box.
    Search(String),
    /// A composition to explain (the details form, a point, a system's row).
    Focus(String),
    CloseDetails,
    /// "Show on the map": the map tab, centred on the composition.
    LocateOnMap(String),
    /// The user moved the map to `Some(view)`, or back to the whole map.
    ViewMoved(Option<View>),
    /// A box or lasso drawn on the map.
    Select(SelectionOp, Selection),
    ClearSelection,
    /// List a chemical system such as "Li-Zn-Sn-O".
    ListSystem(String),
    /// A file was read from disk (or could not be).
    UploadRead {
        kind: UploadKind,
        name: String,
        text: Result<String, String>,
    },
    /// Stop the map being computed.
    Cancel,
    /// Compute the stopped (or failed) map after all.
    RunAgain,
    StopGrid,
    ComputeGrid,
    /// A panel of the small multiples was chosen: open it large.
    OpenGridCell {
        embedding: String,
        method: Method,
    },
    Response {
        role: Role,
        response: Response,
        payload: Option<Vec<f32>>,
    },
    /// A worker died; `resent` tells whether its unfinished work was sent
    /// again to a fresh one.
    WorkerDied {
        role: Role,
        message: String,
        resent: bool,
    },
    /// The share button: the link was copied to the clipboard, or not.
    Shared {
        copied: bool,
        url: String,
    },
    DismissBanner(u32),
    /// Something the shell could not do (an export, say): shown as an error.
    Failed(String),
    /// Formulas typed or pasted to place on the map (one per line, or
    /// separated by commas).
    Place(String),
    /// A file of formulas to place was read (or could not be).
    PlaceFile {
        name: String,
        text: Result<String, String>,
    },
    /// Take one placed formula off the map.
    Unplace(String),
    ClearPlaced,
    /// A CSV export; `link` is the page's address, for its provenance.
    ExportCsv {
        what: CsvExport,
        link: String,
    },
    /// Time passes (messages fade; silent workers are noticed).
    Tick,
    /// The quiz: the student says allowed (true) or forbidden, with the
    /// charges picked per element, if any.
    QuizAnswer {
        allowed: bool,
        charges: Option<Vec<i8>>,
    },
    QuizNext,
}

/// A part of the page that shows something the session decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Panel {
    Controls,
    Tabs,
    Counts,
    /// The map's caption, legend, chips and status line.
    Map,
    /// Only the map's layout and status line (a snapshot of a computation).
    MapStatus,
    Details,
    System,
    Elements,
    Grid,
    Quiz,
    Messages,
    Debug,
    /// The formulas placed on the map, the density toggle and the placed
    /// layer's legend line.
    Placed,
    /// The neighbours of the composition in focus.
    Neighbours,
    /// The summary of the selection.
    Selection,
}

/// Something for the shell to do.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Post `request` to the worker for `role` (starting it if needed), with
    /// the float matrix it needs beside it.
    Send {
        role: Role,
        request: Box<Request>,
        payload: Option<Rc<[f32]>>,
    },
    /// Stop the worker for `role` (terminate it): its requests are forgotten.
    Stop(Role),
    /// Start the worker for `role` now, so its code is ready when needed.
    Warm(Role),
    /// Render a panel from the session's accessors.
    Render(Panel),
    /// Redraw the map (its model or layout changed).
    Redraw,
    /// Put the map at `Some(view)`, or fit the whole map (and keep fitting
    /// it as a computation's snapshots arrive) with `None`.
    SetView(Option<View>),
    /// Replace the URL's fragment (without '#').
    WriteUrl(String),
    /// Offer `text` as a file named `name`.
    Download {
        name: String,
        mime: &'static str,
        text: String,
    },
}

/// Files the user uploaded, kept for the session (not part of a link).
#[derive(Debug, Clone, Default)]
pub struct Uploads {
    pub ox: Option<(Upload, String)>,
    pub known: Option<(Upload, String)>,
}

impl Uploads {
    fn get(&self, kind: UploadKind) -> Option<&(Upload, String)> {
        match kind {
            UploadKind::OxidationStates => self.ox.as_ref(),
            UploadKind::KnownList => self.known.as_ref(),
        }
    }

    /// The file's name and what it holds ("421 species").
    pub fn describe(&self, kind: UploadKind) -> Option<(&str, &str)> {
        self.get(kind).map(|(u, s)| (u.name.as_str(), s.as_str()))
    }
}

/// Times of first results, in ms since the page began loading.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    pub first_layout: Option<f64>,
    pub first_map: Option<f64>,
    /// Counting time of each order's last count.
    pub counts_ms: [Option<f64>; 3],
    /// When the first binary counts were on screen.
    pub binary_counts_at: Option<f64>,
}

/// The page's state.
#[derive(Debug, Default)]
pub struct Session {
    state: ViewState,
    uploads: Uploads,
    requests: Requests,
    caches: stages::Caches,
    chem: chem::ChemPanels,
    map: map::MapPanel,
    grid: grid::GridPanel,
    quiz: quiz::QuizPanel,
    place: place::Placing,
    nearby: nearby::Nearby,
    overlays: overlays::Overlays,
    messages: messages::Messages,
    timings: Timings,
    now: f64,
    /// Whether the page opened on the plain map (no panel or composition asked for).
    opened_plain: bool,
    written: Option<String>,
    effects: Vec<Effect>,
    dirty: Vec<Panel>,
    redraw: bool,
}

impl Session {
    pub fn new() -> Session {
        Session::default()
    }

    /// Takes one input and returns what the shell must do, in order.
    pub fn update(&mut self, now: f64, input: Input) -> Vec<Effect> {
        self.now = now;
        match input {
            Input::Open { fragment } => self.open(&fragment),
            Input::LinkEdited { fragment } => self.link_edited(&fragment),
            Input::Field { key, value } => self.field(&key, &value),
            Input::ShowTab(tab) => self.change(|s| s.tab = tab),
            Input::ToggleCategory(c) => self.change(|s| {
                if s.hidden.contains(&c) {
                    s.hidden.retain(|&x| x != c);
                } else {
                    s.hidden.push(c);
                }
            }),
            Input::FilterElement(e) => self.change(|s| {
                s.element = if s.element == e { None } else { e };
            }),
            Input::Search(text) => self.search(&text),
            Input::Focus(formula) => self.focus(&formula),
            Input::CloseDetails => self.change(|s| s.focus = None),
            Input::LocateOnMap(formula) => self.locate(&formula),
            Input::ViewMoved(view) => self.view_moved(view),
            Input::Select(op, shape) => self.change(|s| s.selection.apply(op, &shape)),
            Input::ClearSelection => self.change(|s| s.selection = Default::default()),
            Input::ListSystem(system) => self.list_system(&system),
            Input::UploadRead { kind, name, text } => self.upload_read(kind, &name, text),
            Input::Cancel => self.cancel(),
            Input::RunAgain => self.run_again(),
            Input::StopGrid => self.stop_grid(),
            Input::ComputeGrid => self.compute_grid(),
            Input::OpenGridCell { embedding, method } => self.change(|s| {
                s.embedding = embedding;
                s.reducer = method;
                s.tab = Tab::Map;
            }),
            Input::Response {
                role,
                response,
                payload,
            } => self.on_response(role, response, payload),
            Input::WorkerDied {
                role,
                message,
                resent,
            } => self.worker_died(role, &message, resent),
            Input::Shared { copied, url } => self.shared(copied, &url),
            Input::DismissBanner(id) => {
                if self.messages.dismiss(id) {
                    self.render(Panel::Messages);
                }
            }
            Input::Failed(text) => {
                self.messages
                    .banner(Tone::Error, text, Vec::new(), self.now);
                self.render(Panel::Messages);
            }
            Input::Tick => self.tick(),
            Input::QuizAnswer { allowed, charges } => self.quiz_answer(allowed, charges),
            Input::QuizNext => self.quiz_next(),
            Input::Place(text) => self.place_typed(&text),
            Input::PlaceFile { name, text } => self.place_file(&name, text),
            Input::Unplace(formula) => self.change(|s| s.place.retain(|f| *f != formula)),
            Input::ClearPlaced => self.change(|s| s.place.clear()),
            Input::ExportCsv { what, link } => self.export_csv(what, &link),
        }
        self.follow_map();
        self.finish()
    }

    // ---- what the shell reads ----

    pub fn state(&self) -> &ViewState {
        &self.state
    }

    pub fn uploads(&self) -> &Uploads {
        &self.uploads
    }

    pub fn banners(&self) -> &[Banner] {
        self.messages.banners()
    }

    pub fn field_note(&self, field: Field) -> Option<&FieldNote> {
        self.messages.field(field)
    }

    pub fn field_notes(&self) -> &[FieldNote] {
        self.messages.fields()
    }

    pub fn timings(&self) -> &Timings {
        &self.timings
    }

    /// Whether a first visit's tour may start: the page opened on the plain
    /// map, not on a panel or a composition a link asked for.
    pub fn opened_plain(&self) -> bool {
        self.opened_plain
    }

    /// Whether any request is waiting for a worker (the shell ticks meanwhile).
    pub fn busy(&self) -> bool {
        !self.requests.is_empty()
    }

    // ---- settings derived from the state ----

    /// What decides the categories.
    pub fn chem_settings(&self) -> ChemSettings {
        let ox = match (self.state.ox, &self.uploads.ox) {
            (OxChoice::Uploaded, Some((upload, _))) => OxSource::Uploaded {
                file: upload.reference(),
            },
            (OxChoice::Builtin(set), _) => OxSource::Builtin {
                name: set.name().into(),
            },
            (OxChoice::Uploaded, None) => OxSource::Builtin {
                name: crate::params::OX_SET.default.into(),
            },
        };
        let known = match (self.state.known, &self.uploads.known) {
            (
                KnownSetting {
                    database,
                    upload: true,
                },
                Some((upload, _)),
            ) => KnownChoice::Uploaded {
                file: upload.reference(),
                added_to: database.map(|d| d.name().to_string()),
            },
            (
                KnownSetting {
                    database: Some(d), ..
                },
                _,
            ) => KnownChoice::Builtin {
                name: d.name().into(),
            },
            (KnownSetting { database: None, .. }, _) => KnownChoice::Empty,
        };
        ChemSettings {
            ox,
            threshold: self.state.max_stoich,
            known,
            filter: self.state.filter,
        }
    }

    /// The uploaded texts `chem` names, to send beside it.
    fn upload_texts(&self, chem: &ChemSettings) -> Vec<Upload> {
        let refs = chem.uploads();
        [&self.uploads.ox, &self.uploads.known]
            .into_iter()
            .flatten()
            .map(|(u, _)| u)
            .filter(|u| refs.iter().any(|r| r.digest == u.digest))
            .cloned()
            .collect()
    }

    pub fn sample_settings(&self) -> SampleSettings {
        SampleSettings {
            chem: self.chem_settings(),
            order: self.state.order,
            size: self.state.sample_size,
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

    fn chem_key(&self) -> String {
        crate::pipeline::settings::cache_key(&self.chem_settings())
    }

    /// The key of the map the settings ask for.
    pub fn layout_key(&self) -> String {
        stages::layout_key(&self.embed_settings(), &self.state.reducer_params())
    }

    /// The database's name for people.
    pub fn known_title(&self) -> String {
        let upload = self.uploads.known.as_ref().map(|(u, _)| u.name.as_str());
        let database = |d: crate::data::KnownSource| match d {
            crate::data::KnownSource::MaterialsProject => "the Materials Project",
            crate::data::KnownSource::Oqmd => "OQMD",
            crate::data::KnownSource::Aflow => "AFLOW",
        };
        match (self.state.known.database, self.state.known.upload, upload) {
            (Some(d), true, Some(name)) => format!("{} or your list {name}", database(d)),
            (None, true, Some(name)) => format!("your list {name}"),
            (Some(d), _, _) => database(d).to_string(),
            (None, _, _) => "no database".into(),
        }
    }

    // ---- the machinery of an update ----

    fn emit(&mut self, effect: Effect) {
        self.effects.push(effect);
    }

    fn render(&mut self, panel: Panel) {
        if !self.dirty.contains(&panel) {
            self.dirty.push(panel);
        }
    }

    fn send(&mut self, role: Role, job: Job, request: impl FnOnce(u32) -> Request) -> u32 {
        let id = self.requests.start(role, job, self.now);
        let request = request(id);
        self.emit(Effect::Send {
            role,
            request: Box::new(request),
            payload: None,
        });
        id
    }

    /// Stops `role`'s worker and forgets its requests.
    fn stop(&mut self, role: Role) {
        if !self.requests.drop_role(role).is_empty() {
            self.emit(Effect::Stop(role));
        }
    }

    /// Ends an update: the URL if the state moved, then the panels to render.
    fn finish(&mut self) -> Vec<Effect> {
        let fragment = self.state.to_fragment();
        if self.written.as_deref() != Some(fragment.as_str()) {
            self.written = Some(fragment.clone());
            self.effects.push(Effect::WriteUrl(fragment));
        }
        self.dirty.sort();
        for panel in std::mem::take(&mut self.dirty) {
            self.effects.push(Effect::Render(panel));
        }
        if std::mem::take(&mut self.redraw) {
            self.effects.push(Effect::Redraw);
        }
        std::mem::take(&mut self.effects)
    }

    // ---- inputs ----

    fn open(&mut self, fragment: &str) {
        let (state, errors) = ViewState::from_fragment(fragment);
        self.opened_plain = state.tab == Tab::Map && state.focus.is_none();
        let errors = errors.iter().map(ToString::to_string).collect();
        self.adopt_link(state, errors, true);
        for role in [Role::Reduce, Role::Data] {
            self.emit(Effect::Warm(role));
        }
    }

    fn link_edited(&mut self, fragment: &str) {
        if fragment.trim_start_matches('#') == self.state.to_fragment() {
            return;
        }
        let (state, errors) = ViewState::from_fragment(fragment);
        let errors = errors.iter().map(ToString::to_string).collect();
        self.adopt_link(state, errors, false);
    }

    /// Makes a link's state the page's: an upload the link names is used
    /// when it is still in memory; every bad parameter is reported at once.
    fn adopt_link(&mut self, mut state: ViewState, mut errors: Vec<String>, first: bool) {
        if state.ox == OxChoice::Uploaded && self.uploads.ox.is_none() {
            state.ox = ViewState::default().ox;
            errors.push(
                "link setting 'ox=upload': an uploaded oxidation-state file is not part of a link; \
                 upload it again; using smact14 meanwhile"
                    .into(),
            );
        }
        if state.known.upload && self.uploads.known.is_none() {
            state.known.upload = false;
            if state.known.database.is_none() {
                state.known = KnownSetting::MP;
            }
            errors.push(format!(
                "link setting 'db': an uploaded formula list is not part of a link; upload it again; \
                 using {} meanwhile",
                state.known.name()
            ));
        }
        if !errors.is_empty() {
            let n = errors.len();
            let text = if n == 1 {
                "One setting of this link could not be used; the others apply:".to_string()
            } else {
                format!("{n} settings of this link could not be used; the others apply:")
            };
            self.messages.banner(Tone::Warning, text, errors, self.now);
            self.render(Panel::Messages);
        }
        if first {
            // Everything is computed for the first time.
            self.state = state;
            self.map.adopt_view(&self.state, self.layout_key());
            self.request_first_counts();
            self.settle_tab();
            if let Some(f) = self.state.focus.clone() {
                self.request_explain(&f);
            }
            self.request_map();
            for panel in [
                Panel::Controls,
                Panel::Tabs,
                Panel::Counts,
                Panel::Map,
                Panel::Details,
                Panel::Debug,
            ] {
                self.render(panel);
            }
        } else {
            self.change(|s| *s = state);
        }
    }

    /// Changes the state and recomputes what depends on the change.
    fn change(&mut self, edit: impl FnOnce(&mut ViewState)) {
        let old = self.state.clone();
        let old_chem = self.chem_settings();
        let old_layout = self.layout_key();
        edit(&mut self.state);
        self.settle(&old, &old_chem, &old_layout);
    }

    /// Brings everything up to date after the state (or an upload) changed.
    fn settle(&mut self, old: &ViewState, old_chem: &ChemSettings, old_layout: &str) {
        let chem_changed = &self.chem_settings() != old_chem;
        if chem_changed {
            self.request_counts();
            self.chem.system_stale();
        }
        if chem_changed || old.order != self.state.order {
            self.chem.frequencies_stale();
        }
        if chem_changed || old.focus != self.state.focus {
            match self.state.focus.clone() {
                Some(f) => self.request_explain(&f),
                None => self.chem.close_details(),
            }
            self.messages.clear(Field::Explain);
            self.render(Panel::Details);
        }
        if old.system != self.state.system {
            self.chem.system_stale();
        }
        self.settle_tab();
        let layout = self.layout_key();
        if layout != old_layout {
            self.map.switch_view(&mut self.state, old_layout, &layout);
            self.request_map();
            // The view of the new map (remembered, or the whole map) is
            // placed when it is shown.
            if let Some(shown) = self.map.shown.clone()
                && shown.key == layout
            {
                self.place_view(&shown);
            }
        } else if old.view != self.state.view {
            // The link was edited to another view of the same map.
            self.map.view_for = Some((layout.clone(), self.state.reducer));
            if self
                .map
                .shown
                .as_ref()
                .is_some_and(|s| s.key == layout && s.last)
            {
                self.emit(Effect::SetView(self.state.view));
                self.map.canvas = self.state.view;
            }
        }
        self.restyle();
        if self.state.tab == Tab::Grid {
            self.ensure_grid();
        }
        if old.tab != self.state.tab {
            self.render(Panel::Tabs);
        }
        for panel in [
            Panel::Controls,
            Panel::Counts,
            Panel::Map,
            Panel::Elements,
            Panel::Quiz,
        ] {
            self.render(panel);
        }
        if old.system != self.state.system || chem_changed {
            self.render(Panel::System);
        }
        if old.place != self.state.place || old.density != self.state.density {
            self.render(Panel::Placed);
        }
        if old.focus != self.state.focus || chem_changed {
            self.render(Panel::Neighbours);
        }
        if old.palette != self.state.palette {
            for panel in [Panel::Placed, Panel::Neighbours, Panel::Selection] {
                self.render(panel);
            }
        }
    }

    /// Requests what the panel on screen needs and does not have.
    fn settle_tab(&mut self) {
        match self.state.tab {
            Tab::Elements => self.ensure_frequencies(),
            Tab::System => self.ensure_system(),
            Tab::Grid => self.ensure_grid(),
            Tab::Counts => self.release_counts(),
            Tab::Map | Tab::Quiz | Tab::Glossary => {}
        }
    }

    fn field(&mut self, key: &str, value: &str) {
        let Some(param) = crate::params::by_key(key) else {
            return;
        };
        let field = Field::Param(param.key);
        if value.trim() == self.state.get(key) {
            if self.messages.clear(field) {
                self.render(Panel::Controls);
            }
            return;
        }
        let mut next = self.state.clone();
        let result = next.set(key, value).and_then(|()| {
            let missing = |kind| self.uploads.get(kind).is_none();
            if next.ox == OxChoice::Uploaded && missing(UploadKind::OxidationStates) {
                Err("upload an oxidation-state file first".to_string())
            } else if next.known.upload && missing(UploadKind::KnownList) {
                Err("upload a formula list first".to_string())
            } else {
                Ok(())
            }
        });
        match result {
            Ok(()) => {
                self.messages.clear(field);
                if key == crate::params::PER_CATEGORY.key
                    && next.sample_size == crate::sample::SampleSize::Whole
                {
                    let text = "The whole space: PCA maps it in seconds; UMAP and t-SNE take \
                                minutes and about 3 GB of memory (too much for a phone)."
                        .to_string();
                    self.messages.note(field, Tone::Info, text, None);
                }
                self.change(|s| *s = next);
            }
            Err(problem) => {
                let text = format!("{problem}. The map still uses {}.", self.state.get(key));
                self.messages
                    .note(field, Tone::Error, text, Some(value.to_string()));
                self.render(Panel::Controls);
            }
        }
    }

    fn shared(&mut self, copied: bool, url: &str) {
        let mut text = if copied {
            "Link copied: it opens this view, with every setting.".to_string()
        } else {
            format!("Copy this link to share the view: {url}")
        };
        let mut tone = Tone::Success;
        let uploads: Vec<&str> = [
            (self.state.ox == OxChoice::Uploaded)
                .then(|| self.uploads.describe(UploadKind::OxidationStates))
                .flatten(),
            self.state
                .known
                .upload
                .then(|| self.uploads.describe(UploadKind::KnownList))
                .flatten(),
        ]
        .into_iter()
        .flatten()
        .map(|(name, _)| name)
        .collect();
        if !uploads.is_empty() {
            tone = Tone::Warning;
            text.push_str(&format!(
                " It cannot carry your uploaded {}: whoever opens it must upload {} too, or sees the \
                 built-in data instead.",
                uploads.join(" and "),
                if uploads.len() == 1 { "it" } else { "them" }
            ));
        }
        self.messages.note(Field::Share, tone, text, None);
        self.render(Panel::Messages);
    }

    fn tick(&mut self) {
        if self.messages.expire(self.now) {
            self.render(Panel::Messages);
        }
        if self.now > COUNTS_HELD_MS || self.state.tab == Tab::Counts {
            self.release_counts();
        }
        if self.requests.iter().any(|r| self.now - r.heard > SILENT_MS) {
            self.render(Panel::Map);
            self.render(Panel::Counts);
        }
    }

    fn worker_died(&mut self, role: Role, message: &str, resent: bool) {
        let what = if resent {
            "It has been restarted and its work sent again."
        } else {
            "It has been restarted; the request that stopped it was not sent again."
        };
        self.messages.banner(
            Tone::Error,
            format!("The {} worker stopped ({message}). {what}", role.title()),
            Vec::new(),
            self.now,
        );
        self.render(Panel::Messages);
        if resent {
            let now = self.now;
            for r in self.requests.iter().map(|r| r.id).collect::<Vec<_>>() {
                if let Some(r) = self.requests.get_mut(r).filter(|r| r.role == role) {
                    r.heard = now;
                }
            }
            return;
        }
        let why = format!("the {} worker stopped ({message})", role.title());
        for request in self.requests.drop_role(role) {
            self.failed(request, why.clone());
        }
    }

    fn on_response(&mut self, role: Role, response: Response, payload: Option<Vec<f32>>) {
        let Some(id) = response.id() else {
            return;
        };
        let now = self.now;
        let Some(request) = self.requests.get_mut(id) else {
            // An answer to a request the page no longer wants.
            return;
        };
        request.heard = now;
        debug_assert_eq!(request.role, role);
        match response {
            Response::Ready => {}
            Response::Progress {
                stage, fraction, ..
            } => {
                request.fraction = Some(fraction);
                if stage.is_some() {
                    request.stage = stage;
                }
                let panel = self.panel_of(id);
                self.render(panel);
            }
            Response::Error { message, .. } => {
                if let Some(request) = self.requests.finish(id) {
                    self.failed(request, message);
                }
            }
            Response::Counts { counts, .. } => self.counts_done(id, counts),
            Response::Frequencies { order, counts, .. } => self.frequencies_done(id, order, counts),
            Response::Explanation { explanation, .. } => self.explained(id, *explanation),
            Response::System { system, rows, .. } => self.system_done(id, system, rows),
            Response::UploadChecked { summary, .. } => self.upload_checked(id, summary),
            // The matrix of a map shown, asked for to place formulas on it:
            // the map's own sample stands for the one sent with it.
            Response::Sample { .. } if self.matrix_job(id) => {}
            Response::Sample {
                formulas,
                categories,
                shortfalls,
                ..
            } => self.sampled(id, formulas, categories, shortfalls),
            Response::Embedded {
                kept,
                cols,
                non_finite,
                ..
            } if self.matrix_job(id) => self.matrix_arrived(id, kept, cols, non_finite, payload),
            Response::Embedded {
                kept,
                cols,
                non_finite,
                ..
            } => self.embedded(id, kept, cols, non_finite, payload),
            Response::Layout {
                method,
                stage,
                done,
                total,
                last,
                ..
            } => self.layout_arrived(id, method, stage, done, total, last, payload),
            Response::GridPanelStarted {
                embedding, params, ..
            } => self.grid_panel_started(embedding, params),
            Response::GridPanel {
                embedding,
                params,
                kept,
                non_finite,
                ..
            } => self.grid_panel(embedding, params, kept, non_finite, payload),
            Response::GridPanelFailed {
                embedding,
                params,
                message,
                ..
            } => self.grid_panel_failed(&embedding, &params, message),
            Response::GridDone { .. } => self.grid_done(id),
            Response::Placed { rows, cols, .. } => self.placed_arrived(id, rows, cols, payload),
            Response::Neighbours {
                formula,
                known,
                searched,
                ..
            } => self.neighbours_arrived(id, formula, known, searched, payload),
        }
    }

    /// The panel that shows request `id`'s progress.
    fn panel_of(&self, id: u32) -> Panel {
        match self.requests.get(id).map(|r| &r.job) {
            Some(Job::Counts { .. }) => Panel::Counts,
            Some(Job::Frequencies { .. }) => Panel::Elements,
            Some(Job::Grid { .. }) => Panel::Grid,
            Some(Job::System { .. }) => Panel::System,
            Some(Job::Explain { .. }) => Panel::Details,
            Some(Job::CheckUpload { .. }) => Panel::Controls,
            Some(Job::Place { .. } | Job::Matrix { .. }) => Panel::Placed,
            Some(Job::Neighbours { .. }) => Panel::Neighbours,
            _ => Panel::MapStatus,
        }
    }

    /// A request failed with `message`: say so where its result would show.
    fn failed(&mut self, request: requests::InFlight, message: String) {
        match request.job {
            Job::Counts { chem, .. } => self.chem.counts_failed(chem, message),
            Job::Frequencies { .. } => self.chem.frequencies_failed(message),
            Job::Explain { .. } => {
                self.messages
                    .note(Field::Explain, Tone::Error, message, None);
                self.chem.explain_failed();
            }
            Job::System { .. } => {
                self.messages
                    .note(Field::System, Tone::Error, message, None);
                self.chem.system_failed();
            }
            Job::CheckUpload { kind, upload } => {
                let text = format!(
                    "'{}' was not used: {message}. The settings in force are unchanged.",
                    upload.name
                );
                self.messages
                    .note(upload_field(kind), Tone::Error, text, None);
            }
            Job::Embed { key, .. } => {
                // The embedding of the settings in force failed: so did their map.
                if key == stages::embed_key(&self.embed_settings()) {
                    let layout = self.layout_key();
                    self.map_failed(layout, message);
                }
            }
            Job::Reduce { key, .. } => self.map_failed(key, message),
            Job::Grid { .. } => self.grid_failed(message),
            Job::Place { key } => self.place.failed = Some((key, message)),
            Job::Matrix { key, .. } => self.place.matrix_failed = Some((key, message)),
            Job::Neighbours { key } => self.nearby.failed = Some((key, message)),
        }
        for panel in [
            Panel::Counts,
            Panel::Elements,
            Panel::Details,
            Panel::System,
            Panel::Controls,
            Panel::Map,
            Panel::Grid,
            Panel::Placed,
            Panel::Neighbours,
        ] {
            self.render(panel);
        }
    }

    /// The shown map's model (colours, order, highlights ...).
    pub fn map_model(&self) -> &MapModel {
        &self.map.model
    }
}

/// The longest the ternary and quaternary counts wait for the first map
/// (ms after the page began loading).
const COUNTS_HELD_MS: f64 = 4_000.0;

/// How long a worker may say nothing about a request before the page says so (ms).
pub const SILENT_MS: f64 = 30_000.0;

fn upload_field(kind: UploadKind) -> Field {
    match kind {
        UploadKind::OxidationStates => Field::OxFile,
        UploadKind::KnownList => Field::KnownFile,
    }
}
