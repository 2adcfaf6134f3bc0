//! Your formulas on the map: formulas typed, pasted or uploaded are read
//! (every bad one reported beside the field with its line), labelled under
//! the chemistry in force, embedded with the map's element embedding and
//! pooling, and placed by the map's own method on the map shown, without
//! recomputing it (umap-learn's and openTSNE's `transform`, PCA's projection;
//! `reduce::fitted`). The list is in the link (`place=`), so a shared link
//! places them again, and it follows the map: a new finished map has them
//! placed on it afresh.
//!
//! Who places: the page's `Place` worker, sent the map's embedded sample and
//! layout with each request. The reducer's worker is stopped to cancel and
//! never sees the maps that come back from the page's caches (a small
//! multiple opened large, an earlier map returned to), so only the page holds
//! every map it can show; the worker rebuilds the fitted map from what it is
//! sent (and keeps the last two), and placing never waits behind a reducer.
//! When the page no longer holds a map's matrix (it keeps three), the same
//! worker samples and embeds it again.
//!
//! Also here: what the file exports of the map hold ([`CsvExport`]), since the
//! placed rows, the selection and the provenance all meet in them.

use std::rc::Rc;

use super::messages::{Field, Tone};
use super::requests::Job;
use super::stages::{self, EmbeddedData, LayoutData};
use super::{Effect, Panel, Role, Session};
use crate::chem::Composition;
use crate::export::{EmbeddingColumns, MapRow, Provenance, map_csv, summary_csv};
use crate::label::Category;
use crate::params::MAX_PLACED;
use crate::pipeline::protocol::{FittedMapRef, PlacedRow, Placement};
use crate::pipeline::{KnownChoice, OxSource, Request};
use crate::plot::{MapLook, MapModel, PlacedMark};

/// Bad lines quoted in the note beside the field, at most.
const PROBLEMS_SHOWN: usize = 5;

/// A formula placed (or not) on a map.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedFormula {
    pub composition: Composition,
    pub category: Category,
    pub summary: String,
    pub placement: Placement,
    /// Map position: where it was placed, or its own point when sampled.
    pub xy: Option<(f32, f32)>,
    /// Its embedding vector, when placed.
    pub vector: Option<Vec<f32>>,
}

/// The answer of the placing worker for one list, chemistry and map.
#[derive(Debug, Clone)]
struct PlacedSet {
    key: String,
    /// The map (layout key) it is on.
    layout: String,
    rows: Vec<PlacedFormula>,
}

#[derive(Debug, Default)]
pub(super) struct Placing {
    result: Option<PlacedSet>,
    /// The map the list last described (its key, and whether its formulas
    /// were drawn on it), so the list is rendered again when that changes.
    listed: Option<(String, bool)>,
    /// Placing for this key failed, with why.
    pub failed: Option<(String, String)>,
    /// Gathering the matrix of this map (embedding key) failed, with why.
    pub matrix_failed: Option<(String, String)>,
}

/// One line of the placed formulas' list.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedItem<'a> {
    pub formula: &'a str,
    /// Its category and reason, once labelled.
    pub label: Option<(Category, &'a str)>,
    pub state: PlacedState,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PlacedState {
    /// Placed on the map shown.
    Placed,
    /// A point of the map's sample already: marked at that point.
    InSample,
    /// Not placed: why (no vector for an element, say).
    NotPlaced(String),
    /// Waiting for a finished map, or for the worker.
    Waiting,
}

/// The CSV files the page exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvExport {
    /// Every sampled composition and every placed formula, with selection
    /// flags (and embedding vectors when asked for).
    Map { vectors: bool },
    /// Only the rows in the selection.
    Selection,
    /// The selection's summary.
    Summary,
}

/// Formulas typed in the field: separated by lines, commas, semicolons,
/// tabs or spaces; each with its line.
fn typed_formulas(text: &str) -> Vec<(String, String)> {
    text.lines()
        .enumerate()
        .flat_map(|(i, line)| {
            line.split([',', ';', '\t', ' '])
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(move |p| (format!("line {}", i + 1), p.to_string()))
        })
        .collect()
}

impl Session {
    /// The key of placing the state's formulas on `layout` under the chemistry in force.
    fn place_key(&self, layout: &LayoutData) -> String {
        format!(
            "{}\u{1}{}\u{1}{}",
            layout.key,
            self.chem_key(),
            self.state.place.join(",")
        )
    }

    /// The map formulas are placed on: the finished map shown, unless the
    /// map the settings ask for is being computed (they are placed on it
    /// when it is finished).
    fn place_target(&self) -> Option<Rc<LayoutData>> {
        let shown = self.map.shown.clone().filter(|l| l.last)?;
        let computing = self
            .map_status()
            .is_some_and(|s| s.action == Some(super::MapAction::Cancel));
        (shown.key == self.layout_key() || !computing).then_some(shown)
    }

    pub(super) fn place_typed(&mut self, text: &str) {
        if text.trim().is_empty() {
            self.messages.note(
                Field::Place,
                Tone::Error,
                "Type or paste formulas to place, one per line or separated by commas, e.g. Zn2O, LiZnO."
                    .into(),
                None,
            );
            self.render(Panel::Placed);
            return;
        }
        self.place_listed(typed_formulas(text), None);
    }

    pub(super) fn place_file(&mut self, name: &str, text: Result<String, String>) {
        let listed =
            text.and_then(|t| crate::data::known::list_formulas(&t).map_err(|e| e.to_string()));
        match listed {
            Ok(listed) if !listed.is_empty() => self.place_listed(listed, Some(name)),
            Ok(_) => {
                let text =
                    format!("'{name}' holds no formulas; put one formula per line, e.g. Zn2O.");
                self.messages.note(Field::Place, Tone::Error, text, None);
                self.render(Panel::Placed);
            }
            Err(problem) => {
                let text = format!("'{name}' was not used: {problem}.");
                self.messages.note(Field::Place, Tone::Error, text, None);
                self.render(Panel::Placed);
            }
        }
    }

    /// Adds the good formulas of `listed` (place, text) to those placed and
    /// says beside the field what became of the rest; refuses them all when
    /// more than [`MAX_PLACED`] would be placed.
    fn place_listed(&mut self, listed: Vec<(String, String)>, file: Option<&str>) {
        let mut problems = Vec::new();
        let mut bad_text = Vec::new();
        let mut next = self.state.place.clone();
        let mut added = 0;
        for (place, text) in &listed {
            match Composition::parse(text) {
                Ok(c) => {
                    let formula = c.to_string();
                    if !next.contains(&formula) {
                        next.push(formula);
                        added += 1;
                    }
                }
                Err(e) => {
                    problems.push(format!("{place}: '{text}': {e}"));
                    bad_text.push(text.clone());
                }
            }
        }
        let from = file.map_or(String::new(), |f| format!(" from '{f}'"));
        if next.len() > MAX_PLACED {
            let text = format!(
                "Nothing placed{from}: that would make {} formulas, and at most {MAX_PLACED} can be placed \
                 (the link carries them all). Take some off the list first.",
                next.len()
            );
            let typed = file.is_none().then(|| {
                listed
                    .iter()
                    .map(|(_, t)| t.as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            self.messages.note(Field::Place, Tone::Error, text, typed);
            self.render(Panel::Placed);
            return;
        }
        let placed = match added {
            0 => "Nothing new to place".to_string(),
            1 => "1 formula added".to_string(),
            n => format!("{n} formulas added"),
        };
        if problems.is_empty() {
            let tone = if added == 0 {
                Tone::Info
            } else {
                Tone::Success
            };
            let text = format!("{placed}{from}; {} on the list.", next.len());
            self.messages.note(Field::Place, tone, text, None);
        } else {
            let n = problems.len();
            let mut text = format!(
                "{placed}{from}; {} {} not {}: {}",
                n,
                if n == 1 { "entry is" } else { "entries are" },
                if n == 1 { "a formula" } else { "formulas" },
                problems[..n.min(PROBLEMS_SHOWN)].join("; ")
            );
            if n > PROBLEMS_SHOWN {
                text.push_str(&format!("; and {} more", n - PROBLEMS_SHOWN));
            }
            text.push('.');
            let tone = if added == 0 {
                Tone::Error
            } else {
                Tone::Warning
            };
            // What was not read stays in the field, to be corrected.
            let typed = file.is_none().then(|| bad_text.join("\n"));
            self.messages.note(Field::Place, tone, text, typed);
        }
        self.change(|s| s.place = next);
        self.render(Panel::Placed);
    }

    /// The embedded sample of `layout`, when the page holds it; otherwise
    /// asks the placing worker to make it again (`None` meanwhile).
    pub(super) fn matrix_of(&mut self, layout: &LayoutData) -> Option<Rc<EmbeddedData>> {
        let key = stages::embed_key(&layout.embed);
        if let Some(e) = self.caches.embedded(&key)
            && *e.kept == *layout.kept
        {
            return Some(e);
        }
        let asked = self
            .requests
            .find(|j| matches!(j, Job::Matrix { key: k, .. } if *k == key))
            .is_some();
        let failed = self
            .place
            .matrix_failed
            .as_ref()
            .is_some_and(|(k, _)| *k == key);
        if !asked && !failed {
            let settings = layout.embed.clone();
            let uploads = self.upload_texts(&settings.sample.chem);
            let job = Job::Matrix {
                key,
                settings: settings.clone(),
            };
            self.send(Role::Place, job, |id| Request::Embed {
                id,
                settings,
                uploads,
            });
        }
        None
    }

    pub(super) fn matrix_job(&self, id: u32) -> bool {
        matches!(
            self.requests.get(id).map(|r| &r.job),
            Some(Job::Matrix { .. })
        )
    }

    /// A map's matrix came back from the placing worker.
    pub(super) fn matrix_arrived(
        &mut self,
        id: u32,
        kept: Vec<u32>,
        cols: usize,
        non_finite: usize,
        payload: Option<Vec<f32>>,
    ) {
        let Some(Job::Matrix { key, settings }) = self.requests.finish(id).map(|r| r.job) else {
            return;
        };
        // The sample of a layout with these settings (the one shown).
        let sample = self
            .map
            .shown
            .as_ref()
            .filter(|l| stages::embed_key(&l.embed) == key)
            .map(|l| l.sample.clone());
        match (sample, payload) {
            (Some(sample), Some(matrix)) if matrix.len() == kept.len() * cols => {
                self.caches.add_embedded(Rc::new(EmbeddedData {
                    key,
                    settings,
                    sample,
                    kept: Rc::new(kept),
                    cols,
                    matrix: matrix.into(),
                    non_finite,
                }));
            }
            (None, _) => {}
            (Some(_), _) => {
                self.place.matrix_failed =
                    Some((key, "the map's embedding came back incomplete".into()));
                self.render(Panel::Placed);
            }
        }
    }

    /// Brings everything that follows the map up to date: the placed
    /// formulas, the neighbours of the composition in focus, the selection's
    /// summary and the density contours. Called after every input; each
    /// part does something only when what it depends on has changed.
    pub(super) fn follow_map(&mut self) {
        self.follow_place();
        self.follow_nearby();
        self.follow_overlays();
    }

    fn follow_place(&mut self) {
        let listed = self
            .map
            .shown
            .as_ref()
            .map(|l| (l.key.clone(), self.placed_rows().is_some()));
        if listed != self.place.listed {
            self.place.listed = listed;
            self.render(Panel::Placed);
        }
        if self.state.place.is_empty() {
            if !self
                .requests
                .drop_where(|j| matches!(j, Job::Place { .. }))
                .is_empty()
            {
                self.render(Panel::Placed);
            }
            return;
        }
        let Some(layout) = self.place_target() else {
            return;
        };
        let key = self.place_key(&layout);
        let have = self.place.result.as_ref().is_some_and(|r| r.key == key);
        let asked = self
            .requests
            .find(|j| matches!(j, Job::Place { key: k } if *k == key))
            .is_some();
        let failed = self.place.failed.as_ref().is_some_and(|(k, _)| *k == key);
        if have || asked || failed {
            return;
        }
        // An answer for another list or map is no longer wanted.
        self.requests.drop_where(|j| matches!(j, Job::Place { .. }));
        let Some(embedded) = self.matrix_of(&layout) else {
            self.render(Panel::Placed);
            return;
        };
        let on_map: Vec<bool> = self
            .state
            .place
            .iter()
            .map(|f| {
                Composition::parse(f)
                    .ok()
                    .and_then(|c| layout.point_of(&c))
                    .is_some()
            })
            .collect();
        let (rows, cols) = (layout.kept.len(), embedded.cols);
        let mut payload = Vec::with_capacity(rows * (cols + 2));
        payload.extend_from_slice(&embedded.matrix);
        payload.extend_from_slice(&layout.coords);
        let chem = self.chem_settings();
        let uploads = self.upload_texts(&chem);
        let map = FittedMapRef {
            key: layout.key.clone(),
            embedding: layout.embed.embedding.clone(),
            pooling: layout.embed.pooling.clone(),
            params: layout.params,
        };
        let formulas = self.state.place.clone();
        let id = self
            .requests
            .start(Role::Place, Job::Place { key }, self.now);
        self.emit(Effect::Send {
            role: Role::Place,
            request: Box::new(Request::Place {
                id,
                chem,
                uploads,
                map,
                rows,
                cols,
                formulas,
                on_map,
            }),
            payload: Some(payload.into()),
        });
        self.render(Panel::Placed);
    }

    pub(super) fn placed_arrived(
        &mut self,
        id: u32,
        rows: Vec<PlacedRow>,
        cols: usize,
        payload: Option<Vec<f32>>,
    ) {
        let Some(Job::Place { key }) = self.requests.finish(id).map(|r| r.job) else {
            return;
        };
        let Some(layout) = self.place_target() else {
            return;
        };
        let payload = payload.unwrap_or_default();
        let mut values = payload.chunks_exact(2 + cols);
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let Ok(composition) = Composition::parse(&row.formula) else {
                continue;
            };
            let (xy, vector) = match row.placement {
                Placement::Placed => match values.next() {
                    Some(v) => (Some((v[0], v[1])), Some(v[2..].to_vec())),
                    None => {
                        self.place.failed =
                            Some((key, "the placed positions did not arrive".into()));
                        self.render(Panel::Placed);
                        return;
                    }
                },
                Placement::OnMap => (
                    layout
                        .point_of(&composition)
                        .and_then(|i| layout.xy(i))
                        .map(|(x, y)| (x as f32, y as f32)),
                    None,
                ),
                _ => (None, None),
            };
            out.push(PlacedFormula {
                composition,
                category: row.category,
                summary: row.summary,
                placement: row.placement,
                xy,
                vector,
            });
        }
        self.place.result = Some(PlacedSet {
            key,
            layout: layout.key.clone(),
            rows: out,
        });
        self.restyle();
        self.render(Panel::Placed);
        self.render(Panel::Map);
    }

    /// The placed formulas of the map on screen, when they are on it.
    fn placed_rows(&self) -> Option<&[PlacedFormula]> {
        let shown = self.map.shown.as_ref().filter(|l| l.last)?;
        let result = self.place.result.as_ref()?;
        (result.layout == shown.key).then_some(result.rows.as_slice())
    }

    /// The placed formula `c`, when it is on the map shown.
    fn placed_formula(&self, c: &Composition) -> Option<&PlacedFormula> {
        if !self.state.place.contains(&c.to_string()) {
            return None;
        }
        self.placed_rows()?
            .iter()
            .find(|r| r.composition == *c && r.xy.is_some())
    }

    /// Where placed formula `c` is on the map shown.
    pub(super) fn placed_xy(&self, c: &Composition) -> Option<(f32, f32)> {
        self.placed_formula(c)?.xy
    }

    /// The formulas drawn over the map, in drawing order, with their marks.
    fn drawn(&self) -> impl Iterator<Item = (&PlacedFormula, (f32, f32))> {
        let listed = &self.state.place;
        self.placed_rows()
            .unwrap_or_default()
            .iter()
            .filter(|r| listed.contains(&r.composition.to_string()))
            .filter_map(|r| r.xy.map(|xy| (r, xy)))
    }

    /// The placed layer of `model` under `look`.
    pub(super) fn placed_marks(&self, model: &MapModel, look: &MapLook) -> Vec<PlacedMark> {
        self.drawn()
            .map(|(r, (x, y))| PlacedMark {
                x,
                y,
                colour: model.colour_of(look, &r.composition, r.category),
                focus: look.focus == Some(&r.composition),
            })
            .collect()
    }

    /// The formulas drawn over the map, in the order of the model's marks.
    pub fn placed_drawn(&self) -> Vec<String> {
        self.drawn()
            .map(|(r, _)| r.composition.to_string())
            .collect()
    }

    /// The list of formulas to place, each with what became of it.
    pub fn placed_list(&self) -> Vec<PlacedItem<'_>> {
        let rows = self.placed_rows().unwrap_or_default();
        self.state
            .place
            .iter()
            .map(|formula| {
                let row = rows.iter().find(|r| r.composition.to_string() == *formula);
                let state = match row.map(|r| &r.placement) {
                    None => PlacedState::Waiting,
                    Some(Placement::Placed) => PlacedState::Placed,
                    Some(Placement::OnMap) => PlacedState::InSample,
                    Some(Placement::Uncovered { element }) => PlacedState::NotPlaced(format!(
                        "not placed: {} has no vector for {element}",
                        self.map
                            .shown
                            .as_ref()
                            .map_or("the embedding", |l| &l.embed.embedding)
                    )),
                    Some(Placement::NotFinite) => PlacedState::NotPlaced(
                        "not placed: its pooled vector is not finite (choose the mean)".into(),
                    ),
                };
                PlacedItem {
                    formula,
                    label: row.map(|r| (r.category, r.summary.as_str())),
                    state,
                }
            })
            .collect()
    }

    /// What the placed list says over it, and how.
    pub fn place_status(&self) -> Option<(Tone, String)> {
        if self.state.place.is_empty() {
            return None;
        }
        let n = self.state.place.len();
        let formulas = if n == 1 {
            "1 formula".to_string()
        } else {
            format!("{n} formulas")
        };
        if let Some(layout) = self.place_target() {
            let key = self.place_key(&layout);
            let title = format!("{} of {}", layout.method.title(), layout.embed.embedding);
            if let Some((_, message)) = self.place.failed.as_ref().filter(|(k, _)| *k == key) {
                return Some((Tone::Error, format!("Could not place them: {message}")));
            }
            let matrix = stages::embed_key(&layout.embed);
            if let Some((_, message)) = self
                .place
                .matrix_failed
                .as_ref()
                .filter(|(k, _)| *k == matrix)
            {
                return Some((Tone::Error, format!("Could not place them: {message}")));
            }
            if self.place.result.as_ref().is_some_and(|r| r.key == key) {
                return Some((
                    Tone::Success,
                    format!(
                        "{formulas} on the {title} map, placed by its own method without recomputing it."
                    ),
                ));
            }
            return Some((
                Tone::Info,
                format!("Placing {formulas} on the {title} map…"),
            ));
        }
        Some((
            Tone::Info,
            format!("{formulas} to place: they are placed when the map is finished."),
        ))
    }

    // ---- exports ----

    /// The file name of the map shown's exports, without extension.
    pub fn export_stem(&self) -> String {
        let state = &self.state;
        match self.map.shown.as_ref() {
            Some(l) => format!(
                "crystal-atlas-n{}-{}-{}",
                l.embed.sample.order,
                l.embed.embedding,
                l.method.name()
            ),
            None => format!("crystal-atlas-n{}-{}-map", state.order, state.embedding),
        }
    }

    /// How the map shown was made, for the files it exports.
    pub fn provenance(&self, link: &str) -> Provenance {
        let mut p = Provenance::new(env!("CARGO_PKG_VERSION"));
        p.link = (!link.is_empty()).then(|| link.to_string());
        let Some(layout) = self.map.shown.as_ref() else {
            return p;
        };
        let e = &layout.embed;
        let chem = &e.sample.chem;
        p.seed = Some(e.sample.seed);
        let ox = match &chem.ox {
            OxSource::Builtin { name } => name.clone(),
            OxSource::Uploaded { file } => format!("uploaded {}", file.name),
        };
        let known = match &chem.known {
            KnownChoice::Builtin { name } => name.clone(),
            KnownChoice::Empty => "none".into(),
            KnownChoice::Uploaded { file, added_to } => match added_to {
                Some(d) => format!("{d} and uploaded {}", file.name),
                None => format!("uploaded {}", file.name),
            },
        };
        let mut settings = vec![
            ("elements per composition", e.sample.order.to_string()),
            ("oxidation states", ox),
            ("largest stoichiometric factor", chem.threshold.to_string()),
            ("known compositions", known),
            ("samples per category", e.sample.size.name()),
            ("element embedding", e.embedding.clone()),
            ("pooling", e.pooling.clone()),
            ("reducer", layout.method.name().to_string()),
        ];
        match layout.params {
            crate::pipeline::ReducerParams::Pca => {}
            crate::pipeline::ReducerParams::Tsne { perplexity, .. } => {
                settings.push(("perplexity", perplexity.to_string()));
            }
            crate::pipeline::ReducerParams::Umap {
                n_neighbors,
                min_dist,
                ..
            } => {
                settings.push(("n_neighbors", n_neighbors.to_string()));
                settings.push(("min_dist", min_dist.to_string()));
            }
        }
        if !layout.last {
            settings.push(("layout", "unfinished".into()));
        }
        p.settings = settings
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        for (u, _) in [&self.uploads.ox, &self.uploads.known]
            .into_iter()
            .flatten()
        {
            if chem.uploads().iter().any(|r| r.digest == u.digest) {
                p.data_versions
                    .push((format!("upload {}", u.name), format!("digest {}", u.digest)));
            }
        }
        p
    }

    /// Carries out a CSV export: the file, or a message saying why not.
    pub(super) fn export_csv(&mut self, what: CsvExport, link: &str) {
        match self.csv_text(what, link) {
            Ok((suffix, text)) => {
                let name = format!("{}{suffix}.csv", self.export_stem());
                self.emit(Effect::Download {
                    name,
                    mime: "text/csv",
                    text,
                });
            }
            Err(message) => {
                self.messages
                    .banner(Tone::Warning, message, Vec::new(), self.now);
                self.render(Panel::Messages);
            }
        }
    }

    /// The file name's suffix and the text of a CSV export.
    fn csv_text(&mut self, what: CsvExport, link: &str) -> Result<(&'static str, String), String> {
        let Some(layout) = self.map.shown.clone() else {
            return Err("There is no map to export yet; wait for it to be drawn.".into());
        };
        let provenance = self.provenance(link);
        if what == CsvExport::Summary {
            let Some(view) = self.selection_view() else {
                return Err(
                    "Select points on the map first (Box or Lasso), then export their summary."
                        .into(),
                );
            };
            return Ok((
                "-selection-summary",
                summary_csv(&provenance, &view.summary),
            ));
        }
        let vectors = what == CsvExport::Map { vectors: true };
        let matrix = if vectors {
            match self.matrix_of(&layout) {
                Some(m) => Some(m),
                None => {
                    return Err(
                        "The embedding vectors of this map are being gathered; export again in a moment."
                            .into(),
                    );
                }
            }
        } else {
            None
        };
        let only_selected = what == CsvExport::Selection;
        let model = &self.map.model;
        let sample = &layout.sample;
        let mut point_of_row = vec![u32::MAX; sample.formulas.len()];
        for (i, &row) in layout.kept.iter().enumerate() {
            point_of_row[row as usize] = i as u32;
        }
        let mut selected = vec![false; layout.kept.len()];
        for &i in &model.selected {
            selected[i] = true;
        }
        let cols = matrix.as_ref().map_or(0, |m| m.cols);
        let mut rows: Vec<MapRow> = Vec::new();
        for (row, formula) in sample.formulas.iter().enumerate() {
            let point = point_of_row[row];
            let on_map = point != u32::MAX;
            let is_selected = on_map && selected[point as usize];
            if only_selected && !is_selected {
                continue;
            }
            let i = point as usize;
            rows.push(MapRow {
                formula,
                category: sample.categories[row],
                xy: on_map.then(|| (layout.coords[2 * i], layout.coords[2 * i + 1])),
                placed: false,
                selected: is_selected,
                vector: matrix
                    .as_ref()
                    .filter(|_| on_map)
                    .map(|m| &m.matrix[i * cols..(i + 1) * cols]),
            });
        }
        let placed: Vec<(String, &PlacedFormula)> = self
            .placed_rows()
            .unwrap_or_default()
            .iter()
            .filter(|r| r.placement != Placement::OnMap)
            .filter(|r| self.state.place.contains(&r.composition.to_string()))
            .map(|r| (r.composition.to_string(), r))
            .collect();
        for (formula, r) in &placed {
            let is_selected = r
                .xy
                .is_some_and(|(x, y)| self.state.selection.contains(f64::from(x), f64::from(y)));
            if only_selected && !is_selected {
                continue;
            }
            rows.push(MapRow {
                formula,
                category: r.category,
                xy: r.xy,
                placed: true,
                selected: is_selected,
                vector: r.vector.as_deref(),
            });
        }
        let columns = matrix.as_ref().map(|_| EmbeddingColumns {
            name: &layout.embed.embedding,
            dim: cols,
        });
        let text = map_csv(&provenance, layout.method.name(), columns, rows);
        let suffix = match what {
            CsvExport::Map { vectors: true } => "-vectors",
            CsvExport::Selection => "-selection",
            _ => "",
        };
        Ok((suffix, text))
    }
}
