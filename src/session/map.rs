//! The map: what is computed for it (sample and embedding, then the reducer,
//! each only when its own settings changed), which layout is on screen, where
//! the view is, and what its caption, legend and status line say.
//!
//! The view (centre and zoom) belongs to one map (a layout key and method):
//! a link's view waits for that map's finished layout, while the previews
//! and snapshots before it are fitted to the screen; a view the user chose
//! on a PCA preview is dropped when the real map arrives, as it describes
//! another space.

use super::shipped;
use crate::sample::{MAX_PER_CATEGORY, SampleSize};
use std::rc::Rc;

use super::messages::{Field, Tone};
use super::requests::Job;
use super::stages::{self, EmbeddedData, LayoutData, SampleData};
use super::{Effect, Panel, Role, Session};
use crate::anion::AnionClass;
use crate::chem::{Composition, Element};
use crate::label::Category;
use crate::pipeline::{ReducerParams, Request};
use crate::plot::{MapLabels, MapLook, MapModel, grouped};
use crate::reduce::{Method, Stage};
use crate::view_state::{Tab, View, ViewState};

/// Zoom a search or "Show on the map" goes to (at least), relative to the whole map.
pub const LOCATE_ZOOM: f64 = 3.0;
/// Views remembered per map, so going back to a map goes back to its view.
const VIEWS_KEPT: usize = 40;

#[derive(Debug, Default)]
pub(super) struct MapPanel {
    /// The layout on screen.
    pub shown: Option<Rc<LayoutData>>,
    pub model: MapModel,
    /// The map (layout key) the user stopped.
    pub stopped: Option<String>,
    /// The map (layout key) that failed, with why.
    pub failed: Option<(String, String)>,
    /// The map and method the state's view belongs to.
    pub view_for: Option<(String, Method)>,
    /// What the canvas was last told: `None` is fitted.
    pub canvas: Option<View>,
    /// Views of other maps, to go back to.
    views: Vec<(String, View)>,
}

impl MapPanel {
    /// At opening, a link's view belongs to the map the link describes.
    pub fn adopt_view(&mut self, state: &ViewState, layout_key: String) {
        self.view_for = state.view.map(|_| (layout_key, state.reducer));
    }

    /// The settings moved to another map: remember the old map's view, take
    /// up the new one's (or the whole map).
    pub fn switch_view(&mut self, state: &mut ViewState, old: &str, new: &str) {
        if let (Some(v), Some((key, _))) = (state.view, &self.view_for)
            && key == old
        {
            self.views.retain(|(k, _)| k != old);
            self.views.push((old.to_string(), v));
            if self.views.len() > VIEWS_KEPT {
                self.views.remove(0);
            }
        }
        state.view = self.views.iter().find(|(k, _)| k == new).map(|(_, v)| *v);
        self.view_for = state.view.map(|_| (new.to_string(), state.reducer));
    }
}

/// What the map's status line shows.
#[derive(Debug, Clone, PartialEq)]
pub struct MapStatus {
    pub text: String,
    pub progress: Progress,
    pub action: Option<MapAction>,
    pub tone: Tone,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Progress {
    None,
    /// Working, without a measure of how far.
    Busy,
    Fraction(f64),
}

/// The status line's button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapAction {
    Cancel,
    RunAgain,
}

fn order_name(order: usize) -> &'static str {
    match order {
        2 => "binaries",
        3 => "ternaries",
        _ => "quaternaries",
    }
}

/// How many compositions the sample's order and factor limit allow in all.
fn space_of(sample: &crate::pipeline::settings::SampleSettings) -> u64 {
    crate::enumerate::unique_compositions(
        crate::data::ELEMENT_COUNT as u64,
        sample.order,
        sample.chem.threshold,
    )
}

impl Session {
    /// Brings the map up to date with the settings: a cached layout is shown
    /// at once; otherwise the missing stages are requested.
    pub(super) fn request_map(&mut self) {
        let embed = self.embed_settings();
        let params = self.state.reducer_params();
        let key = stages::layout_key(&embed, &params);
        if self.map.stopped.as_deref() != Some(key.as_str()) {
            self.map.stopped = None;
        }
        if self.map.failed.as_ref().is_some_and(|(k, _)| *k != key) {
            self.map.failed = None;
        }
        let shown_final = self
            .map
            .shown
            .as_ref()
            .is_some_and(|l| l.key == key && l.last);
        if shown_final || self.map.stopped.is_some() || self.map.failed.is_some() {
            self.stop_other_reduce(&key);
            self.render(Panel::Map);
            return;
        }
        if let Some(layout) = self.caches.layout(&key) {
            self.stop_other_reduce(&key);
            self.show_layout(layout);
            return;
        }
        if self
            .requests
            .find(|j| matches!(j, Job::Reduce { key: k, .. } if *k == key))
            .is_some()
        {
            return;
        }
        self.stop_other_reduce(&key);
        let embed_key = stages::embed_key(&embed);
        if let Some(embedded) = self.caches.embedded(&embed_key) {
            match shipped::layout(&key, embedded.kept.len()) {
                Some(coords) => self.show_shipped(embedded, params, key, coords),
                None => self.send_reduce(embedded, params, key),
            }
            return;
        }
        if self
            .requests
            .find(|j| matches!(j, Job::Embed { key: k, .. } if *k == embed_key))
            .is_none()
        {
            // Sampling for settings already left behind would hold these up.
            self.stop(Role::Data);
            let uploads = self.upload_texts(&embed.sample.chem);
            let job = Job::Embed {
                key: embed_key,
                settings: embed.clone(),
            };
            self.send(Role::Data, job, |id| Request::Embed {
                id,
                settings: embed,
                uploads,
            });
        }
        self.render(Panel::Map);
    }

    /// Stops a reducer computing a map other than `key`.
    fn stop_other_reduce(&mut self, key: &str) {
        if self
            .requests
            .find(|j| matches!(j, Job::Reduce { key: k, .. } if k != key))
            .is_some()
        {
            self.stop(Role::Reduce);
        }
    }

    /// The default map, computed ahead of time (see [`shipped`]): final at
    /// once, as if the reducer had just finished it.
    fn show_shipped(
        &mut self,
        embedded: Rc<EmbeddedData>,
        params: ReducerParams,
        key: String,
        coords: Vec<f32>,
    ) {
        let layout = Rc::new(LayoutData {
            key,
            embed: embedded.settings.clone(),
            params,
            sample: embedded.sample.clone(),
            kept: embedded.kept.clone(),
            coords,
            method: params.method(),
            last: true,
            non_finite: embedded.non_finite,
            points_of_rows: Default::default(),
        });
        self.caches.add_layout(layout.clone());
        self.show_layout(layout);
    }

    fn send_reduce(&mut self, embedded: Rc<EmbeddedData>, params: ReducerParams, key: String) {
        let (rows, cols) = (embedded.kept.len(), embedded.cols);
        let matrix = embedded.matrix.clone();
        let job = Job::Reduce {
            key,
            embedded,
            params,
        };
        let id = self.requests.start(Role::Reduce, job, self.now);
        self.emit(Effect::Send {
            role: Role::Reduce,
            request: Box::new(Request::Reduce {
                id,
                params,
                rows,
                cols,
            }),
            payload: Some(matrix),
        });
        self.render(Panel::Map);
    }

    pub(super) fn sampled(
        &mut self,
        id: u32,
        formulas: Vec<String>,
        categories: Vec<Category>,
        shortfalls: Vec<(Category, usize)>,
    ) {
        let settings = match self.requests.get(id).map(|r| &r.job) {
            Some(Job::Embed { settings, .. }) => settings.sample.clone(),
            Some(Job::Grid { sample, .. }) => sample.clone(),
            _ => return,
        };
        let compositions = formulas
            .iter()
            .filter_map(|f| Composition::parse(f).ok())
            .collect();
        let sample = Rc::new(SampleData {
            settings,
            formulas,
            compositions,
            categories,
            shortfalls,
            index: Default::default(),
        });
        self.caches.add_sample(sample);
        self.render(Panel::Map);
        self.render(Panel::Quiz);
    }

    pub(super) fn embedded(
        &mut self,
        id: u32,
        kept: Vec<u32>,
        cols: usize,
        non_finite: usize,
        payload: Option<Vec<f32>>,
    ) {
        let Some(Job::Embed { key, settings }) = self.requests.finish(id).map(|r| r.job) else {
            return;
        };
        let (Some(sample), Some(matrix)) = (self.caches.sample(&settings.sample), payload) else {
            return self.map_failed(
                self.layout_key(),
                "the embedding arrived without its sample or matrix".into(),
            );
        };
        self.caches.add_embedded(Rc::new(EmbeddedData {
            key,
            settings,
            sample,
            kept: Rc::new(kept),
            cols,
            matrix: matrix.into(),
            non_finite,
        }));
        self.request_map();
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn layout_arrived(
        &mut self,
        id: u32,
        method: Method,
        stage: Stage,
        done: usize,
        total: usize,
        last: bool,
        payload: Option<Vec<f32>>,
    ) {
        let Some(request) = self.requests.get_mut(id) else {
            return;
        };
        request.stage = Some(stage);
        request.done = done;
        request.total = total;
        if total > 0 {
            request.fraction = Some(done as f64 / total as f64);
        }
        let Job::Reduce {
            key,
            embedded,
            params,
        } = request.job.clone()
        else {
            return;
        };
        let Some(coords) = payload.filter(|c| c.len() == 2 * embedded.kept.len()) else {
            self.requests.finish(id);
            return self.map_failed(key, "the layout arrived without its coordinates".into());
        };
        let layout = Rc::new(LayoutData {
            key: key.clone(),
            embed: embedded.settings.clone(),
            params,
            sample: embedded.sample.clone(),
            kept: embedded.kept.clone(),
            coords,
            method,
            last,
            non_finite: embedded.non_finite,
            points_of_rows: Default::default(),
        });
        if last {
            self.requests.finish(id);
            self.caches.add_layout(layout.clone());
        }
        if key == self.layout_key() {
            self.show_layout(layout);
        }
    }

    pub(super) fn show_layout(&mut self, layout: Rc<LayoutData>) {
        self.timings.first_layout.get_or_insert(self.now);
        if layout.last {
            self.timings.first_map.get_or_insert(self.now);
            self.release_counts();
        }
        self.place_view(&layout);
        // Which compositions are on the map changes with the sample and
        // embedding, not with each snapshot of a layout.
        let same_points = self
            .map
            .shown
            .as_ref()
            .is_some_and(|s| Rc::ptr_eq(&s.kept, &layout.kept));
        // A snapshot of the computation on screen: only the positions and the
        // progress move (the model depends on positions only through a
        // selection).
        let snapshot = same_points
            && !layout.last
            && self
                .map
                .shown
                .as_ref()
                .is_some_and(|s| s.key == layout.key && s.method == layout.method);
        self.map.shown = Some(layout);
        if snapshot {
            if !self.state.selection.is_empty() {
                self.restyle();
            }
            self.redraw = true;
            self.render(Panel::MapStatus);
            return;
        }
        self.restyle();
        self.render(Panel::Map);
        if !same_points {
            for panel in [Panel::Details, Panel::System, Panel::Debug] {
                self.render(panel);
            }
        }
    }

    /// Tells the canvas where to look as `layout` comes on screen.
    pub(super) fn place_view(&mut self, layout: &LayoutData) {
        let belongs = self
            .map
            .view_for
            .as_ref()
            .is_some_and(|(k, m)| *k == layout.key && *m == layout.method);
        let want = match self.state.view {
            // A user's view stays on every snapshot; a link's view waits for
            // the finished layout (the snapshots before it are fitted).
            Some(v) if belongs && (layout.last || self.map.canvas == Some(v)) => Some(v),
            Some(_)
                if !belongs
                    && !layout.is_preview()
                    && self
                        .map
                        .view_for
                        .as_ref()
                        .is_some_and(|(k, _)| *k == layout.key) =>
            {
                // Chosen on the preview, a view of another space.
                self.state.view = None;
                self.map.view_for = None;
                None
            }
            _ => None,
        };
        let new_map = self
            .map
            .shown
            .as_ref()
            .is_none_or(|s| s.key != layout.key || s.method != layout.method);
        if want != self.map.canvas || (new_map && want.is_none()) {
            self.map.canvas = want;
            self.emit(Effect::SetView(want));
        }
    }

    pub(super) fn view_moved(&mut self, view: Option<View>) {
        let view = view.map(View::rounded);
        self.state.view = view;
        self.map.canvas = view;
        self.map.view_for = match (&self.map.shown, view) {
            (Some(shown), Some(_)) => Some((shown.key.clone(), shown.method)),
            _ => None,
        };
        if view.is_none() {
            self.emit(Effect::SetView(None));
        }
    }

    /// Recomputes the map's model after its layout or look changed.
    pub(super) fn restyle(&mut self) {
        let Some(layout) = self.map.shown.clone() else {
            return;
        };
        let focus = self
            .state
            .focus
            .as_deref()
            .and_then(|f| Composition::parse(f).ok());
        let look = MapLook {
            colour: self.state.colour,
            palette: self.state.palette,
            hidden: &self.state.hidden,
            element: self.state.element,
            search: &self.state.search,
            focus: focus.as_ref(),
            selection: &self.state.selection,
        };
        let mut model = MapModel::build(&layout.points(), &look);
        model.placed = self.placed_marks(&model, &look);
        if model != self.map.model {
            self.map.model = model;
            self.redraw = true;
            self.render(Panel::Map);
        }
    }

    /// Centres the map on point `i` of the layout shown, zoomed in to at least [`LOCATE_ZOOM`].
    fn centre_on(&mut self, i: u32) {
        if let Some((cx, cy)) = self.map.shown.as_ref().and_then(|l| l.xy(i)) {
            self.centre_at(cx, cy);
        }
    }

    /// Centres the map on (cx, cy), zoomed in to at least [`LOCATE_ZOOM`].
    fn centre_at(&mut self, cx: f64, cy: f64) {
        let Some(layout) = self.map.shown.clone() else {
            return;
        };
        let zoom = self.state.view.map_or(1.0, |v| v.zoom).max(LOCATE_ZOOM);
        let view = View { cx, cy, zoom }.rounded();
        self.state.view = Some(view);
        self.map.view_for = Some((layout.key.clone(), layout.method));
        self.map.canvas = Some(view);
        self.emit(Effect::SetView(Some(view)));
    }

    pub(super) fn locate(&mut self, formula: &str) {
        let Ok(c) = Composition::parse(formula) else {
            return;
        };
        self.change(|s| {
            s.tab = Tab::Map;
            s.focus = Some(c.to_string());
        });
        if let Some(i) = self.map.shown.as_ref().and_then(|l| l.point_of(&c)) {
            self.centre_on(i);
        } else if let Some((x, y)) = self.placed_xy(&c) {
            self.centre_at(f64::from(x), f64::from(y));
        }
    }

    /// The map's search: an element rings every composition containing it;
    /// a formula rings that composition, centres the map on it and explains it.
    pub(super) fn search(&mut self, text: &str) {
        let text = text.trim();
        let mut next = self.state.clone();
        if let Err(problem) = next.set("q", text) {
            let text = format!(
                "'{text}': {problem}. Type a formula such as Zn2O or an element such as Zn."
            );
            self.messages
                .note(Field::Search, Tone::Error, text.clone(), Some(text));
            self.render(Panel::Map);
            return;
        }
        self.change(|s| *s = next);
        self.messages.clear(Field::Search);
        if text.is_empty() {
            return;
        }
        if Element::from_symbol(text).is_ok() {
            let n = self.map.model.highlighted.len();
            let note = format!(
                "{} compositions containing {text} are ringed on the map.",
                grouped(n as u64)
            );
            self.messages.note(Field::Search, Tone::Success, note, None);
            return;
        }
        let c = Composition::parse(text).expect("checked by the state");
        match self.map.shown.as_ref().and_then(|l| l.point_of(&c)) {
            Some(i) if self.map.model.visible.get(i as usize) == Some(&true) => {
                self.centre_on(i);
                self.messages.note(
                    Field::Search,
                    Tone::Success,
                    format!("{c} is ringed at the centre of the map."),
                    None,
                );
            }
            Some(_) => self.messages.note(
                Field::Search,
                Tone::Info,
                format!(
                    "{c} is in the sample but hidden by a filter; its explanation is on the right."
                ),
                None,
            ),
            None => self.messages.note(
                Field::Search,
                Tone::Info,
                format!("{c} is not in this map's sample; its explanation is on the right."),
                None,
            ),
        }
        self.focus(&c.to_string());
    }

    pub(super) fn cancel(&mut self) {
        self.release_counts();
        self.stop(Role::Data);
        self.stop(Role::Reduce);
        self.map.stopped = Some(self.layout_key());
        self.render(Panel::Map);
    }

    pub(super) fn run_again(&mut self) {
        self.map.stopped = None;
        self.map.failed = None;
        self.request_map();
        self.render(Panel::Map);
    }

    /// The map `key` (a layout key) could not be computed.
    pub(super) fn map_failed(&mut self, key: String, message: String) {
        self.release_counts();
        self.map.failed = Some((key, message));
        self.render(Panel::Map);
    }

    // ---- what the map shows ----

    /// The layout on screen.
    pub fn shown_layout(&self) -> Option<&Rc<LayoutData>> {
        self.map.shown.as_ref()
    }

    /// Whether the layout on screen is the one the settings ask for.
    pub fn shown_is_current(&self) -> bool {
        self.map
            .shown
            .as_ref()
            .is_some_and(|l| l.key == self.layout_key())
    }

    /// The status line over the map, when there is something to say.
    pub fn map_status(&self) -> Option<MapStatus> {
        let key = self.layout_key();
        let title = self.state.reducer_params().title();
        let shown = self.map.shown.as_ref();
        let current = shown.filter(|l| l.key == key);
        if let Some((_, message)) = self.map.failed.as_ref().filter(|(k, _)| *k == key) {
            return Some(MapStatus {
                text: format!("The map could not be computed: {message}"),
                progress: Progress::None,
                action: Some(MapAction::RunAgain),
                tone: Tone::Error,
            });
        }
        if self.map.stopped.as_deref() == Some(key.as_str()) {
            let text = match (current, shown) {
                (Some(l), _) if l.is_preview() => format!(
                    "Stopped before {title} had a layout. The map shows its PCA preview."
                ),
                (Some(_), _) => format!("Stopped. The map shows {title}'s last layout, unfinished."),
                (None, Some(_)) => {
                    "Stopped before the new map had a layout. The map shows the previous settings' map."
                        .to_string()
                }
                (None, None) => "Stopped before the first layout. Nothing to show yet.".to_string(),
            };
            return Some(MapStatus {
                text,
                progress: Progress::None,
                action: Some(MapAction::RunAgain),
                tone: Tone::Info,
            });
        }
        let silent = |heard: f64| {
            if self.now - heard > super::SILENT_MS {
                format!(
                    " No word from the worker for {:.0} s; Cancel stops it.",
                    (self.now - heard) / 1000.0
                )
            } else {
                String::new()
            }
        };
        if let Some(r) = self
            .requests
            .find(|j| matches!(j, Job::Reduce { key: k, .. } if *k == key))
        {
            let (text, progress) = match r.stage {
                None => (format!("{title}: starting…"), Progress::Busy),
                Some(Stage::Preview) => (
                    format!("{title}: starting (PCA preview shown)…"),
                    Progress::Busy,
                ),
                Some(stage) if r.total > 0 && r.done > 0 => (
                    format!("{title}: {} {} of {}", stage.words(), r.done, r.total),
                    Progress::Fraction(r.done as f64 / r.total as f64),
                ),
                Some(stage) => (
                    format!("{title}: {}…", stage.words()),
                    r.fraction.map_or(Progress::Busy, Progress::Fraction),
                ),
            };
            return Some(MapStatus {
                text: text + &silent(r.heard),
                progress,
                action: Some(MapAction::Cancel),
                tone: Tone::Info,
            });
        }
        if let Some(r) = self.requests.find(|j| matches!(j, Job::Embed { .. })) {
            let sampled = match &r.job {
                Job::Embed { settings, .. } => self.caches.sample(&settings.sample).is_some(),
                _ => false,
            };
            let text = if sampled {
                "Embedding the sample…"
            } else {
                "Sampling and embedding…"
            };
            return Some(MapStatus {
                text: text.to_string() + &silent(r.heard),
                progress: Progress::Busy,
                action: Some(MapAction::Cancel),
                tone: Tone::Info,
            });
        }
        None
    }

    /// The map's title and subtitle, describing the layout on screen.
    pub fn map_labels(&self) -> MapLabels {
        let Some(layout) = self.map.shown.as_ref() else {
            let title = if self
                .map_status()
                .is_some_and(|s| s.action == Some(MapAction::Cancel))
            {
                "Preparing the first map…"
            } else {
                "No map yet"
            };
            return MapLabels {
                title: title.into(),
                subtitle: String::new(),
            };
        };
        let e = &layout.embed;
        let pooling = if e.pooling == "mean" {
            String::new()
        } else {
            format!(", {} pooling", e.pooling.replace('_', " "))
        };
        let mut title = format!("{} of {}{pooling}", layout.method.title(), e.embedding);
        let current = layout.key == self.layout_key();
        let stopped = current && self.map.stopped.is_some();
        let failed = current && self.map.failed.is_some();
        let wanted = layout.params.title();
        if layout.is_preview() {
            title.push_str(&if stopped || failed {
                format!(" (preview; {wanted} was stopped)")
            } else {
                format!(" (preview while {wanted} computes)")
            });
        } else if !layout.last {
            title.push_str(if stopped || failed {
                " (unfinished)"
            } else {
                " (computing…)"
            });
        }
        let (shown, sampled) = (
            self.map.model.shown_total() as u64,
            layout.sample.formulas.len() as u64,
        );
        let space = space_of(&e.sample);
        let mut subtitle = if shown == sampled && sampled == space {
            format!("all {} {}", grouped(shown), order_name(e.sample.order))
        } else {
            format!(
                "{} {} shown of {} sampled",
                grouped(shown),
                order_name(e.sample.order),
                grouped(sampled)
            )
        };
        if !current {
            subtitle.push_str(" · earlier settings");
        }
        MapLabels { title, subtitle }
    }

    /// Points on the map per category, and sampled per category.
    pub fn legend_counts(&self) -> [(Category, usize, usize); 4] {
        let sampled = |c: Category| {
            self.map.shown.as_ref().map_or(0, |l| {
                l.sample.categories.iter().filter(|&&x| x == c).count()
            })
        };
        let mut out = [(Category::Standard, 0, 0); 4];
        for (k, c) in Category::ALL.into_iter().enumerate() {
            out[k] = (c, self.map.model.shown[k], sampled(c));
        }
        out
    }

    /// Points on the map per anion class (Fig. 5).
    pub fn anion_counts(&self) -> Vec<(AnionClass, usize)> {
        let Some(layout) = self.map.shown.as_ref() else {
            return Vec::new();
        };
        let points = layout.points();
        AnionClass::ALL
            .into_iter()
            .map(|class| {
                let n = self
                    .map
                    .model
                    .order
                    .iter()
                    .filter(|&&i| AnionClass::of(points.composition(i as usize)) == class)
                    .count();
                (class, n)
            })
            .collect()
    }

    /// Sentences under the legend: what is left out of the map shown, and why.
    pub fn legend_notes(&self) -> Vec<String> {
        let Some(layout) = self.map.shown.as_ref() else {
            return Vec::new();
        };
        let mut notes = Vec::new();
        if layout.non_finite > 0 {
            notes.push(format!(
                "{} sampled compositions have no finite {} pooled vector (e.g. a geometric mean of negative values) and are left out.",
                grouped(layout.non_finite as u64),
                layout.embed.pooling.replace('_', " ")
            ));
        }
        if layout.uncovered() > 0 {
            notes.push(format!(
                "{} sampled compositions contain an element {} has no vector for, so they are left out of this map.",
                grouped(layout.uncovered() as u64),
                layout.embed.embedding
            ));
        }
        let asked = match layout.embed.sample.size {
            SampleSize::PerCategory(k) => grouped(k as u64),
            SampleSize::Whole => {
                format!("{}, the most a map takes", grouped(MAX_PER_CATEGORY as u64))
            }
        };
        for (category, held) in &layout.sample.shortfalls {
            notes.push(format!(
                "Only {} {category} compositions exist for these settings (asked for {asked}), so all are shown.",
                grouped(*held as u64),
            ));
        }
        if layout.embed.sample.size == SampleSize::Whole {
            let order = layout.embed.sample.order;
            let space = space_of(&layout.embed.sample);
            let drawn = layout.sample.compositions.len() as u64;
            notes.push(if drawn >= space {
                format!(
                    "The whole space: every one of the {} {} with factors up to {}.",
                    grouped(space),
                    order_name(order),
                    layout.embed.sample.chem.threshold
                )
            } else {
                format!(
                    "The whole space holds {} {}, more than one map can take: shown is the largest sample, up to {} of each category.",
                    grouped(space),
                    order_name(order),
                    grouped(MAX_PER_CATEGORY as u64)
                )
            });
        }
        if let Some(e) = self.state.element {
            notes.push(format!(
                "Only compositions containing {} are shown (chosen in the periodic table).",
                e.symbol()
            ));
        }
        notes
    }

    /// What a point's colour means beyond its category: its anion class, or
    /// the property value the map is coloured by (" · oxide").
    pub fn colour_note(&self, c: &Composition) -> String {
        use crate::plot::colour::ColourBy;
        match self.state.colour {
            ColourBy::Category => String::new(),
            ColourBy::Anion => format!(" · {}", AnionClass::of(c).name()),
            ColourBy::Property(p) => match p.of_composition(c) {
                Some(v) => format!(" · {} {v:.2}", p.title().trim_start_matches("mean ")),
                None => " · no data".into(),
            },
        }
    }

    /// Whether composition `c` is on the map on screen: one of its points,
    /// or a formula placed on it.
    pub fn on_map(&self, c: &Composition) -> bool {
        self.map
            .shown
            .as_ref()
            .and_then(|l| l.point_of(c))
            .is_some()
            || self.placed_xy(c).is_some()
    }
}
