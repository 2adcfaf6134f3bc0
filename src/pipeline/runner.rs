//! Answers [`Request`]s, caching each stage by its inputs.

use std::rc::Rc;

use ndarray::{Array2, ArrayView2};

use super::protocol::{
    FittedMapRef, NeighbourRow, PlacedRow, Placement, Request, Response, SystemRow, UploadKind,
};
use super::settings::{
    ChemSettings, EmbedSettings, ReducerParams, SampleSettings, SettingsError, Upload,
    parse_known_upload, parse_ox_upload,
};
use crate::chem::{ChemicalSystem, Composition};
use crate::data::embeddings::{ElementEmbedding, EmbeddingInfo};
use crate::data::{KnownSet, OxidationStates};
use crate::embed::{PoolingStat, embed_batch};
use crate::label::{Category, Labeller};
use crate::neighbours::EmbeddedSet;
use crate::reduce::fitted::FittedMap;
use crate::reduce::{Control, Method, ReduceError, Stage, Step};

/// Receives each response, with its float payload when it has one.
pub type Emit<'a> = dyn FnMut(Response, Option<&[f32]>) + 'a;

/// The oxidation states and known set a [`ChemSettings`] names, parsed once.
struct Chem {
    settings: ChemSettings,
    ox: OxidationStates,
    known: Rc<KnownSet>,
}

impl Chem {
    fn labeller(&self) -> Labeller<'_> {
        Labeller {
            ox: &self.ox,
            threshold: self.settings.threshold,
            options: self.settings.filter,
            known: &self.known,
        }
    }
}

/// A sample: compositions and their categories.
struct SampleStage {
    settings: SampleSettings,
    compositions: Vec<Composition>,
    categories: Vec<Category>,
    shortfalls: Vec<(Category, usize)>,
}

/// An embedded sample: the kept rows and their feature matrix.
struct EmbedStage {
    settings: EmbedSettings,
    kept: Vec<u32>,
    matrix: Array2<f32>,
    /// Rows dropped because a pooling statistic was not finite.
    non_finite: usize,
}

/// Fitted maps kept for placing formulas (the map on screen and the one before).
const FITTED_KEPT: usize = 2;

/// A worker's state: fetched data files and the last result of each stage.
#[derive(Default)]
pub struct Runner {
    fetched_known: Vec<(String, KnownSet)>,
    fetched_embeddings: Vec<ElementEmbedding>,
    chem: Option<Rc<Chem>>,
    sample: Option<Rc<SampleStage>>,
    embedded: Option<Rc<EmbedStage>>,
    /// Fitted maps formulas were placed on, by layout key, most recent last.
    fitted: Vec<(String, Rc<FittedMap>)>,
    /// The known set last embedded for neighbour searches (one: OQMD with a
    /// 200-wide embedding is over 100 MB), by known set, embedding and pooling.
    known_embedded: Option<(String, Rc<EmbeddedSet>)>,
}

fn error(id: u32, message: impl ToString) -> Response {
    Response::Error {
        id,
        message: message.to_string(),
    }
}

impl Runner {
    pub fn new() -> Runner {
        Runner::default()
    }

    /// Data files (paths relative to the page) to fetch and hand to
    /// [`Runner::add_asset`] before `request` can run.
    pub fn missing_assets(&self, request: &Request) -> Vec<String> {
        let (chem, embeddings) = match request {
            Request::Counts { chem, .. }
            | Request::Frequencies { chem, .. }
            | Request::Explain { chem, .. }
            | Request::System { chem, .. } => (chem, Vec::new()),
            Request::Embed { settings, .. } => {
                (&settings.sample.chem, vec![settings.embedding.as_str()])
            }
            Request::Grid {
                sample, embeddings, ..
            } => (
                &sample.chem,
                embeddings.iter().map(String::as_str).collect(),
            ),
            Request::Place { chem, map, .. } => (chem, vec![map.embedding.as_str()]),
            Request::Neighbours {
                chem, embedding, ..
            } => (chem, vec![embedding.as_str()]),
            Request::Reduce { .. } | Request::CheckUpload { .. } => return Vec::new(),
        };
        let known = chem.known.asset().filter(|path| {
            !self
                .fetched_known
                .iter()
                .any(|(name, _)| path == &known_asset_path(name))
        });
        let embeddings = embeddings.into_iter().filter(|name| {
            EmbeddingInfo::from_name(name).is_some_and(|info| info.embedded().is_none())
                && !self.fetched_embeddings.iter().any(|e| e.name() == *name)
        });
        known
            .into_iter()
            .chain(embeddings.map(|name| format!("data/embeddings/{name}.bin")))
            .collect()
    }

    /// Decodes a fetched data file named by [`Runner::missing_assets`].
    pub fn add_asset(&mut self, path: &str, bytes: &[u8]) -> Result<(), String> {
        let reload =
            |e: &dyn std::fmt::Display| format!("{path}: {e}; reload the page to fetch it again");
        if let Some(name) = path
            .strip_prefix("data/embeddings/")
            .and_then(|p| p.strip_suffix(".bin"))
        {
            let embedding = ElementEmbedding::from_bytes(name, bytes).map_err(|e| reload(&e))?;
            self.fetched_embeddings.retain(|e| e.name() != name);
            self.fetched_embeddings.push(embedding);
            return Ok(());
        }
        let name = path
            .strip_prefix("data/known/")
            .and_then(|p| p.strip_suffix(".bin"))
            .ok_or_else(|| format!("{path} is not a data file this page uses"))?;
        let set = KnownSet::from_packed(name, bytes).map_err(|e| reload(&e))?;
        self.fetched_known.retain(|(n, _)| n != name);
        self.fetched_known.push((name.to_string(), set));
        Ok(())
    }

    fn chem(
        &mut self,
        settings: &ChemSettings,
        uploads: &[Upload],
    ) -> Result<Rc<Chem>, SettingsError> {
        if let Some(chem) = self.chem.as_ref().filter(|c| &c.settings == settings) {
            return Ok(chem.clone());
        }
        let ox = settings.oxidation_states(uploads)?.into_owned();
        let known = Rc::new(
            settings
                .known
                .set(&self.fetched_known, uploads)?
                .into_owned(),
        );
        let chem = Rc::new(Chem {
            settings: settings.clone(),
            ox,
            known,
        });
        self.chem = Some(chem.clone());
        Ok(chem)
    }

    fn sample(
        &mut self,
        settings: &SampleSettings,
        uploads: &[Upload],
    ) -> Result<Rc<SampleStage>, String> {
        if let Some(s) = self.sample.as_ref().filter(|s| &s.settings == settings) {
            return Ok(s.clone());
        }
        let chem = self
            .chem(&settings.chem, uploads)
            .map_err(|e| e.to_string())?;
        let sample = crate::sample::sample(
            settings.order,
            settings.size,
            settings.seed,
            &chem.labeller(),
        )
        .map_err(|e| e.to_string())?;
        let stage = Rc::new(SampleStage {
            settings: settings.clone(),
            compositions: sample.compositions,
            categories: sample.categories,
            shortfalls: sample.shortfalls,
        });
        self.sample = Some(stage.clone());
        Ok(stage)
    }

    fn embed(
        &mut self,
        settings: &EmbedSettings,
        uploads: &[Upload],
    ) -> Result<Rc<EmbedStage>, String> {
        if let Some(e) = self.embedded.as_ref().filter(|e| &e.settings == settings) {
            return Ok(e.clone());
        }
        let sample = self.sample(&settings.sample, uploads)?;
        let (table, stat) = embedding_table(
            &self.fetched_embeddings,
            &settings.embedding,
            &settings.pooling,
        )?;
        let stage = Rc::new(embed_finite(
            settings.clone(),
            &sample.compositions,
            table,
            stat,
        ));
        self.embedded = Some(stage.clone());
        Ok(stage)
    }

    /// Runs `request`, passing every response to `emit`; `payload` is the
    /// float array a [`Request::Reduce`] carries.
    pub fn handle(&mut self, request: Request, payload: Option<Vec<f32>>, emit: &mut Emit) {
        let id = request.id();
        match request {
            Request::Counts {
                chem,
                order,
                uploads,
                ..
            } => self.counts(id, &chem, &uploads, order, emit),
            Request::Frequencies {
                chem,
                order,
                uploads,
                ..
            } => {
                let response = self.frequencies(id, &chem, &uploads, order);
                emit(response, None);
            }
            Request::Explain {
                chem,
                formula,
                uploads,
                ..
            } => {
                let response = self.explain(id, &chem, &uploads, &formula);
                emit(response, None);
            }
            Request::System {
                chem,
                system,
                uploads,
                ..
            } => {
                let response = self.system(id, &chem, &uploads, &system);
                emit(response, None);
            }
            Request::Embed {
                settings, uploads, ..
            } => self.sample_and_embed(id, &settings, &uploads, emit),
            Request::CheckUpload { file, upload, .. } => emit(check_upload(id, file, upload), None),
            Request::Reduce {
                params, rows, cols, ..
            } => {
                let data = payload.unwrap_or_default();
                match ArrayView2::from_shape((rows, cols), &data) {
                    Ok(matrix) if data.len() == rows * cols => {
                        reduce_streaming(id, matrix, &params, emit)
                    }
                    _ => {
                        let message =
                            format!("the matrix has {} values, not {rows} x {cols}", data.len());
                        emit(error(id, message), None)
                    }
                }
            }
            Request::Place {
                chem,
                uploads,
                map,
                rows,
                cols,
                formulas,
                on_map,
                ..
            } => {
                let fitted = payload.unwrap_or_default();
                let request = PlaceRequest {
                    map: &map,
                    rows,
                    cols,
                    fitted: &fitted,
                    formulas: &formulas,
                    on_map: &on_map,
                };
                match self.place(&chem, &uploads, &request) {
                    Ok((rows, cols, placed)) => {
                        emit(Response::Placed { id, rows, cols }, Some(&placed))
                    }
                    Err(message) => emit(error(id, message), None),
                }
            }
            Request::Neighbours {
                chem,
                uploads,
                embedding,
                pooling,
                formula,
                k,
                ..
            } => match self.neighbours(&chem, &uploads, &embedding, &pooling, &formula, k) {
                Ok((formula, known, searched, vector)) => emit(
                    Response::Neighbours {
                        id,
                        formula,
                        known,
                        searched,
                    },
                    Some(&vector),
                ),
                Err(message) => emit(error(id, message), None),
            },
            Request::Grid {
                sample,
                pooling,
                embeddings,
                reducers,
                uploads,
                ..
            } => self.grid(
                id,
                &sample,
                &uploads,
                &pooling,
                &embeddings,
                &reducers,
                emit,
            ),
        }
    }

    fn frequencies(
        &mut self,
        id: u32,
        chem: &ChemSettings,
        uploads: &[Upload],
        order: usize,
    ) -> Response {
        let chem = match self.chem(chem, uploads) {
            Ok(chem) => chem,
            Err(e) => return error(id, e),
        };
        match crate::count::element_frequencies(
            order,
            &chem.ox,
            chem.settings.threshold,
            &chem.settings.filter,
        ) {
            Ok(counts) => Response::Frequencies { id, order, counts },
            Err(e) => error(id, e.to_string()),
        }
    }

    fn explain(
        &mut self,
        id: u32,
        chem: &ChemSettings,
        uploads: &[Upload],
        formula: &str,
    ) -> Response {
        match (Composition::parse(formula), self.chem(chem, uploads)) {
            (Err(e), _) => error(id, format!("'{}': {e}", formula.trim())),
            (_, Err(e)) => error(id, e),
            (Ok(c), Ok(chem)) => Response::Explanation {
                id,
                explanation: Box::new(crate::explain::explain(&c, &chem.labeller())),
            },
        }
    }

    fn counts(
        &mut self,
        id: u32,
        chem: &ChemSettings,
        uploads: &[Upload],
        order: usize,
        emit: &mut Emit,
    ) {
        let chem = match self.chem(chem, uploads) {
            Ok(chem) => chem,
            Err(e) => return emit(error(id, e), None),
        };
        let mut progress = |fraction: f64| {
            emit(
                Response::Progress {
                    id,
                    stage: None,
                    fraction,
                },
                None,
            );
            true
        };
        let l = chem.labeller();
        let response = match crate::count::count_space(
            order,
            l.ox,
            l.threshold,
            &l.options,
            l.known,
            &mut progress,
        ) {
            Ok(counts) => Response::Counts { id, counts },
            Err(e) => error(id, e.to_string()),
        };
        emit(response, None);
    }

    fn system(
        &mut self,
        id: u32,
        chem: &ChemSettings,
        uploads: &[Upload],
        system: &str,
    ) -> Response {
        let (parsed, chem) = match (ChemicalSystem::parse(system), self.chem(chem, uploads)) {
            (Err(e), _) => return error(id, format!("'{}': {e}", system.trim())),
            (_, Err(e)) => return error(id, e),
            (Ok(parsed), Ok(chem)) => (parsed, chem),
        };
        let rows = crate::explain::system_table(&parsed, &chem.labeller())
            .into_iter()
            .map(|entry| SystemRow {
                system: entry.system,
                formula: entry.explanation.formula,
                category: entry.explanation.category,
                summary: entry.explanation.summary,
            })
            .collect();
        Response::System {
            id,
            system: parsed.to_string(),
            rows,
        }
    }

    /// Emits the sample for `settings` (computing it if needed); false if it failed.
    fn emit_sample(
        &mut self,
        id: u32,
        settings: &SampleSettings,
        uploads: &[Upload],
        emit: &mut Emit,
    ) -> bool {
        let sample = match self.sample(settings, uploads) {
            Ok(s) => s,
            Err(e) => {
                emit(error(id, e), None);
                return false;
            }
        };
        let formulas = sample
            .compositions
            .iter()
            .map(Composition::to_string)
            .collect();
        let response = Response::Sample {
            id,
            formulas,
            categories: sample.categories.clone(),
            shortfalls: sample.shortfalls.clone(),
        };
        emit(response, None);
        true
    }

    fn sample_and_embed(
        &mut self,
        id: u32,
        settings: &EmbedSettings,
        uploads: &[Upload],
        emit: &mut Emit,
    ) {
        if !self.emit_sample(id, &settings.sample, uploads, emit) {
            return;
        }
        match self.embed(settings, uploads) {
            Ok(e) => emit(
                Response::Embedded {
                    id,
                    kept: e.kept.clone(),
                    cols: e.matrix.ncols(),
                    non_finite: e.non_finite,
                },
                Some(e.matrix.as_slice().expect("standard layout")),
            ),
            Err(e) => emit(error(id, e), None),
        }
    }

    /// The small multiples: every (embedding, reducer) panel in turn. A panel
    /// that fails is reported and the others still run.
    #[allow(clippy::too_many_arguments)]
    fn grid(
        &mut self,
        id: u32,
        sample: &SampleSettings,
        uploads: &[Upload],
        pooling: &str,
        embeddings: &[String],
        reducers: &[ReducerParams],
        emit: &mut Emit,
    ) {
        if !self.emit_sample(id, sample, uploads, emit) {
            return;
        }
        // Reducer by reducer, so the quick PCA row fills first; an embedding
        // is recomputed per row (cheap next to the reducers, and it keeps one
        // matrix in memory rather than six).
        for params in reducers {
            for embedding in embeddings {
                emit(
                    Response::GridPanelStarted {
                        id,
                        embedding: embedding.clone(),
                        params: *params,
                    },
                    None,
                );
                let settings = EmbedSettings {
                    sample: sample.clone(),
                    embedding: embedding.clone(),
                    pooling: pooling.to_string(),
                };
                let layout = self.embed(&settings, uploads).and_then(|e| {
                    reduce(e.matrix.view(), params, &mut crate::reduce::Silent)
                        .map(|layout| (e, layout))
                        .map_err(|e| e.to_string())
                });
                match layout {
                    Ok((e, layout)) => emit(
                        Response::GridPanel {
                            id,
                            embedding: embedding.clone(),
                            params: *params,
                            kept: e.kept.clone(),
                            non_finite: e.non_finite,
                        },
                        layout.as_slice(),
                    ),
                    Err(message) => emit(
                        Response::GridPanelFailed {
                            id,
                            embedding: embedding.clone(),
                            params: *params,
                            message,
                        },
                        None,
                    ),
                }
            }
        }
        emit(Response::GridDone { id }, None);
    }
}

/// The element embedding called `name` (compiled in, or among those
/// `fetched`) and the pooling statistic called `pooling`.
fn embedding_table<'a>(
    fetched: &'a [ElementEmbedding],
    name: &str,
    pooling: &str,
) -> Result<(&'a ElementEmbedding, PoolingStat), String> {
    let table = match EmbeddingInfo::from_name(name) {
        None => return Err(format!("no element embedding is called '{name}'")),
        Some(info) => info
            .embedded()
            .or_else(|| fetched.iter().find(|e| e.name() == info.name))
            .ok_or_else(|| {
                format!(
                    "the {} embedding has not been loaded; reload the page to fetch it",
                    info.name
                )
            })?,
    };
    let stat = PoolingStat::from_name(pooling)
        .ok_or_else(|| format!("'{pooling}' is not a pooling statistic"))?;
    Ok((table, stat))
}

/// A [`Request::Place`]'s inputs.
struct PlaceRequest<'a> {
    map: &'a FittedMapRef,
    rows: usize,
    cols: usize,
    /// The fitted matrix, then its layout.
    fitted: &'a [f32],
    formulas: &'a [String],
    on_map: &'a [bool],
}

/// Placed rows, the embedding's width, and per row placed its x, y and vector.
type Placed = (Vec<PlacedRow>, usize, Vec<f32>);

/// A neighbour search's answer: the formula as written back, the nearest
/// known compositions, how many were searched, and the formula's vector.
type Nearest = (String, Vec<NeighbourRow>, usize, Vec<f32>);

impl Runner {
    /// Labels `request.formulas` under `chem` and places those not on the
    /// map on its fitted map (rebuilt from the matrix and layout sent, or
    /// kept from an earlier request for the same map).
    fn place(
        &mut self,
        chem: &ChemSettings,
        uploads: &[Upload],
        request: &PlaceRequest,
    ) -> Result<Placed, String> {
        let chem = self.chem(chem, uploads).map_err(|e| e.to_string())?;
        let labeller = chem.labeller();
        let (table, stat) = embedding_table(
            &self.fetched_embeddings,
            &request.map.embedding,
            &request.map.pooling,
        )?;
        let compositions = request
            .formulas
            .iter()
            .map(|f| Composition::parse(f).map_err(|e| format!("'{}': {e}", f.trim())))
            .collect::<Result<Vec<_>, _>>()?;
        let mut rows: Vec<PlacedRow> = compositions
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let explanation = crate::explain::explain(c, &labeller);
                let on_map = request.on_map.get(i).copied().unwrap_or(false);
                PlacedRow {
                    formula: c.to_string(),
                    category: explanation.category,
                    summary: explanation.summary,
                    placement: if on_map {
                        Placement::OnMap
                    } else {
                        Placement::Placed
                    },
                }
            })
            .collect();
        let wanted: Vec<usize> = (0..rows.len())
            .filter(|&i| rows[i].placement == Placement::Placed)
            .collect();
        let new: Vec<Composition> = wanted.iter().map(|&i| compositions[i].clone()).collect();
        let batch = embed_batch(&new, table, &[stat], false);
        for &(j, element) in &batch.left_out {
            rows[wanted[j]].placement = Placement::Uncovered {
                element: element.symbol().to_string(),
            };
        }
        let finite: Vec<usize> = (0..batch.kept_rows.len())
            .filter(|&r| batch.matrix.row(r).iter().all(|v| v.is_finite()))
            .collect();
        for r in 0..batch.kept_rows.len() {
            if !finite.contains(&r) {
                rows[wanted[batch.kept_rows[r]]].placement = Placement::NotFinite;
            }
        }
        let cols = batch.matrix.ncols();
        if finite.is_empty() {
            return Ok((rows, cols, Vec::new()));
        }
        let vectors = batch.matrix.select(ndarray::Axis(0), &finite);
        let map = self.fitted_map(request)?;
        let at = map
            .transform(vectors.view(), &mut crate::reduce::Silent)
            .map_err(|e| format!("placing on the {}: {e}", request.map.params.title()))?;
        let mut payload = Vec::with_capacity(finite.len() * (2 + cols));
        for (k, vector) in vectors.rows().into_iter().enumerate() {
            payload.extend([at[[k, 0]], at[[k, 1]]]);
            payload.extend(vector.iter());
        }
        Ok((rows, cols, payload))
    }

    /// The fitted map `request` names: kept, or rebuilt from its matrix and layout.
    fn fitted_map(&mut self, request: &PlaceRequest) -> Result<Rc<FittedMap>, String> {
        let key = &request.map.key;
        if let Some((_, map)) = self.fitted.iter().find(|(k, _)| k == key) {
            return Ok(map.clone());
        }
        let (rows, cols) = (request.rows, request.cols);
        if request.fitted.len() != rows * (cols + 2) {
            return Err(format!(
                "the map came with {} values, not {rows} x {cols} plus {rows} x 2",
                request.fitted.len()
            ));
        }
        let (matrix, layout) = request.fitted.split_at(rows * cols);
        let data = ArrayView2::from_shape((rows, cols), matrix).map_err(|e| e.to_string())?;
        let layout =
            Array2::from_shape_vec((rows, 2), layout.to_vec()).map_err(|e| e.to_string())?;
        let map = request
            .map
            .params
            .fitted_map(data, layout)
            .map_err(|e| format!("the {} map: {e}", request.map.params.title()))?;
        let map = Rc::new(map);
        self.fitted.push((key.clone(), map.clone()));
        if self.fitted.len() > FITTED_KEPT {
            self.fitted.remove(0);
        }
        Ok(map)
    }

    /// The `k` known compositions nearest to `formula` (itself left out),
    /// with the formula's vector.
    fn neighbours(
        &mut self,
        chem: &ChemSettings,
        uploads: &[Upload],
        embedding: &str,
        pooling: &str,
        formula: &str,
        k: usize,
    ) -> Result<Nearest, String> {
        let query =
            Composition::parse(formula).map_err(|e| format!("'{}': {e}", formula.trim()))?;
        let chem = self.chem(chem, uploads).map_err(|e| e.to_string())?;
        let (table, stat) = embedding_table(&self.fetched_embeddings, embedding, pooling)?;
        let batch = embed_batch(std::slice::from_ref(&query), table, &[stat], false);
        if let Some(&(_, element)) = batch.left_out.first() {
            let e = crate::neighbours::NeighboursError::Uncovered {
                formula: query.to_string(),
                element,
                embedding: embedding.to_string(),
            };
            return Err(e.to_string());
        }
        let vector = batch.matrix.row(0).to_vec();
        if vector.iter().any(|v| !v.is_finite()) {
            let e = crate::neighbours::NeighboursError::NotFinite {
                formula: query.to_string(),
                embedding: embedding.to_string(),
            };
            return Err(e.to_string());
        }
        if chem.known.is_empty() {
            return Ok((query.to_string(), Vec::new(), 0, vector));
        }
        let key = format!(
            "{}|{embedding}|{pooling}",
            super::settings::cache_key(&chem.settings.known)
        );
        let set = match &self.known_embedded {
            Some((k, set)) if *k == key => set.clone(),
            _ => {
                // Dropped first: two embedded sets at once could be too many for a worker.
                self.known_embedded = None;
                let set = Rc::new(EmbeddedSet::new(chem.known.compositions(), table, &[stat]));
                self.known_embedded = Some((key, set.clone()));
                set
            }
        };
        let labeller = chem.labeller();
        let known = set
            .nearest_to_vector(&vector, k + 1)
            .map_err(|e| e.to_string())?
            .into_iter()
            .filter(|n| *n.composition != query)
            .take(k)
            .map(|n| NeighbourRow {
                formula: n.composition.to_string(),
                category: labeller.category(n.composition),
                distance: n.distance,
            })
            .collect();
        Ok((query.to_string(), known, set.len(), vector))
    }
}

/// Reads an uploaded file as the page will use it, and says what it holds.
fn check_upload(id: u32, file: UploadKind, upload: Upload) -> Response {
    let summary = match file {
        UploadKind::OxidationStates => parse_ox_upload(&upload)
            .map(|s| format!("{} species", crate::plot::grouped(s.species_count() as u64))),
        UploadKind::KnownList => parse_known_upload(&upload)
            .map(|s| format!("{} compositions", crate::plot::grouped(s.len() as u64))),
    };
    match summary {
        Ok(summary) => Response::UploadChecked {
            id,
            file,
            digest: upload.digest,
            summary,
        },
        Err(e) => error(id, e),
    }
}

/// Reduces `matrix`, offering the page a PCA preview first (for the
/// iterative methods) and then the reducer's own intermediate layouts.
fn reduce_streaming(id: u32, matrix: ArrayView2<f32>, params: &ReducerParams, emit: &mut Emit) {
    if *params != ReducerParams::Pca
        && let Ok(preview) = pca_preview(matrix)
    {
        let response = Response::Layout {
            id,
            method: Method::Pca,
            stage: Stage::Preview,
            done: 0,
            total: 0,
            last: false,
        };
        emit(response, preview.as_slice());
    }
    let method = params.method();
    let mut observer = |step: Step<'_>| {
        match step.layout {
            Some(layout) => {
                let response = Response::Layout {
                    id,
                    method,
                    stage: step.stage,
                    done: step.done,
                    total: step.total,
                    last: false,
                };
                emit(response, Some(layout));
            }
            None => {
                let fraction = fraction(step.done, step.total);
                emit(
                    Response::Progress {
                        id,
                        stage: Some(step.stage),
                        fraction,
                    },
                    None,
                );
            }
        }
        Control::Continue
    };
    let response = reduce(matrix, params, &mut observer);
    match response {
        Ok(layout) => emit(
            Response::Layout {
                id,
                method,
                stage: Stage::Done,
                done: 1,
                total: 1,
                last: true,
            },
            layout.as_slice(),
        ),
        Err(e) => emit(error(id, format!("{}: {e}", params.title())), None),
    }
}

fn known_asset_path(name: &str) -> String {
    format!("data/known/{name}.bin")
}

fn fraction(done: usize, total: usize) -> f64 {
    if total == 0 {
        0.0
    } else {
        done as f64 / total as f64
    }
}

/// Rows a PCA preview is fitted on at most. A bigger map's preview is
/// fitted on evenly spaced rows (every second of 40,000, every twelfth of all
/// 225,879 binaries) and places every row, in a fraction of a full fit's
/// time: the reducer it announces starts sooner.
const PREVIEW_FIT_ROWS: usize = 20_000;

/// The PCA map shown while an iterative reducer starts: the exact PCA up to
/// [`PREVIEW_FIT_ROWS`] rows, a fit on a subset beyond.
fn pca_preview(matrix: ArrayView2<f32>) -> Result<Array2<f32>, ReduceError> {
    let n = matrix.nrows();
    if n <= PREVIEW_FIT_ROWS {
        return reduce(matrix, &ReducerParams::Pca, &mut crate::reduce::Silent);
    }
    let every = n.div_ceil(PREVIEW_FIT_ROWS);
    let subset = matrix.slice(ndarray::s![..;every, ..]);
    crate::reduce::pca::PcaModel::fit(subset, 2)?.transform(matrix)
}

/// Runs one reducer to 2-D.
fn reduce(
    data: ArrayView2<f32>,
    params: &ReducerParams,
    observer: &mut dyn crate::reduce::Observer,
) -> Result<Array2<f32>, ReduceError> {
    use crate::reduce::{pca, tsne, umap};
    match *params {
        ReducerParams::Pca => pca::pca(data, 2).map(|p| p.coords),
        ReducerParams::Tsne { perplexity, seed } => tsne::tsne(
            data,
            &tsne::TsneParams {
                perplexity,
                seed,
                ..Default::default()
            },
            observer,
        ),
        ReducerParams::Umap { .. } => {
            // Every epoch is offered; the web shell passes on as many as the page can show.
            let params = umap::UmapParams {
                snapshot_every: 1,
                ..params.umap_params().expect("UMAP's")
            };
            umap::umap(data, &params, observer)
        }
    }
}

/// Embeds `compositions` and drops rows with a non-finite value (a geometric
/// mean of a negative component, say), which no reducer can place.
fn embed_finite(
    settings: EmbedSettings,
    compositions: &[Composition],
    table: &ElementEmbedding,
    stat: PoolingStat,
) -> EmbedStage {
    let batch = embed_batch(compositions, table, &[stat], false);
    let finite: Vec<usize> = (0..batch.matrix.nrows())
        .filter(|&r| batch.matrix.row(r).iter().all(|v| v.is_finite()))
        .collect();
    let non_finite = batch.matrix.nrows() - finite.len();
    let matrix = if non_finite == 0 {
        batch.matrix
    } else {
        batch.matrix.select(ndarray::Axis(0), &finite)
    };
    let kept = finite.iter().map(|&r| batch.kept_rows[r] as u32).collect();
    EmbedStage {
        settings,
        kept,
        matrix,
        non_finite,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::settings::{KnownChoice, OxSource};

    fn chem(known: KnownChoice) -> ChemSettings {
        ChemSettings {
            ox: OxSource::Builtin {
                name: "smact14".into(),
            },
            threshold: 8,
            known,
            filter: Default::default(),
        }
    }

    fn run(runner: &mut Runner, request: Request) -> Vec<Response> {
        let mut out = Vec::new();
        runner.handle(request, None, &mut |r, _| out.push(r));
        out
    }

    #[test]
    fn table_2_binaries_explanations_and_systems() {
        let mut runner = Runner::new();
        let mp = chem(KnownChoice::Builtin { name: "mp".into() });
        let out = run(
            &mut runner,
            Request::Counts {
                id: 1,
                chem: mp.clone(),
                order: 2,
                uploads: Vec::new(),
            },
        );
        let Some(Response::Counts { id: 1, counts }) = out.last() else {
            panic!("{out:?}")
        };
        // SPEC section 3: 13,464 of 225,879 binaries are allowed with smact14.
        assert_eq!((counts.unique, counts.allowed), (225_879, 13_464));
        assert!(
            out[..out.len() - 1]
                .iter()
                .all(|r| matches!(r, Response::Progress { id: 1, .. }))
        );

        let out = run(
            &mut runner,
            Request::Explain {
                id: 2,
                chem: mp.clone(),
                formula: "Zn2O".into(),
                uploads: Vec::new(),
            },
        );
        let [Response::Explanation { id: 2, explanation }] = &out[..] else {
            panic!("{out:?}")
        };
        assert!(explanation.allowed && explanation.summary.contains("Zn(+1)x2 + O(-2)"));

        let out = run(
            &mut runner,
            Request::System {
                id: 3,
                chem: mp.clone(),
                system: "Li-Zn-O".into(),
                uploads: Vec::new(),
            },
        );
        let [
            Response::System {
                id: 3,
                system,
                rows,
            },
        ] = &out[..]
        else {
            panic!("{out:?}")
        };
        assert_eq!(system, "Li-Zn-O");
        let li_zn_o2 = rows.iter().find(|r| r.formula == "LiZnO2").unwrap();
        assert_eq!(
            (li_zn_o2.system.as_str(), li_zn_o2.category),
            ("Li-Zn-O", Category::Standard)
        );
    }

    #[test]
    fn filter_options_reach_every_answer() {
        let mut runner = Runner::new();
        let paper = chem(KnownChoice::Empty);
        let mut options = paper.clone();
        options.filter.mixed_valence = true;
        options.filter.include_alloys = true;
        let allowed = |runner: &mut Runner, chem: &ChemSettings| {
            let out = run(
                runner,
                Request::Counts {
                    id: 1,
                    chem: chem.clone(),
                    order: 2,
                    uploads: Vec::new(),
                },
            );
            let Some(Response::Counts { counts, .. }) = out.last() else {
                panic!("{out:?}")
            };
            counts.allowed
        };
        assert!(allowed(&mut runner, &options) > allowed(&mut runner, &paper));
        let frequencies = |runner: &mut Runner, chem: &ChemSettings| {
            let out = run(
                runner,
                Request::Frequencies {
                    id: 2,
                    chem: chem.clone(),
                    order: 2,
                    uploads: Vec::new(),
                },
            );
            let [Response::Frequencies { counts, .. }] = &out[..] else {
                panic!("{out:?}")
            };
            counts.iter().sum::<u64>()
        };
        assert_eq!(frequencies(&mut runner, &paper), 2 * 13_464);
        assert_eq!(
            frequencies(&mut runner, &options),
            2 * allowed(&mut runner, &options)
        );
        for (formula, chem, want) in [("Fe3O4", &paper, false), ("Fe3O4", &options, true)] {
            let out = run(
                &mut runner,
                Request::Explain {
                    id: 3,
                    chem: chem.clone(),
                    formula: formula.into(),
                    uploads: Vec::new(),
                },
            );
            let [Response::Explanation { explanation, .. }] = &out[..] else {
                panic!("{out:?}")
            };
            assert_eq!(explanation.allowed, want, "{}", explanation.summary);
        }
        let out = run(
            &mut runner,
            Request::System {
                id: 4,
                chem: options.clone(),
                system: "Cu-Zn".into(),
                uploads: Vec::new(),
            },
        );
        let [Response::System { rows, .. }] = &out[..] else {
            panic!("{out:?}")
        };
        assert!(rows.iter().all(|r| r.category == Category::Missing));
        options.filter.icsd24 = Some(crate::data::Icsd24Filter::default());
        let out = run(
            &mut runner,
            Request::Counts {
                id: 5,
                chem: options,
                order: 2,
                uploads: Vec::new(),
            },
        );
        assert!(
            matches!(&out[..], [Response::Error { id: 5, message }] if message.contains("icsd24 set only")),
            "{out:?}"
        );
    }

    #[test]
    fn bad_input_is_one_error_message_that_says_what_to_fix() {
        let mut runner = Runner::new();
        let none = chem(KnownChoice::Empty);
        let out = run(
            &mut runner,
            Request::Explain {
                id: 4,
                chem: none.clone(),
                formula: "Zn2Q".into(),
                uploads: Vec::new(),
            },
        );
        assert_eq!(
            out,
            [error(4, "'Zn2Q': column 4: 'Q' is not an element symbol")]
        );
        let out = run(
            &mut runner,
            Request::System {
                id: 5,
                chem: none.clone(),
                system: "Li--O".into(),
                uploads: Vec::new(),
            },
        );
        assert!(
            matches!(&out[..], [Response::Error { id: 5, message }] if message.contains("element 2 of the system is empty"))
        );
        let upload = crate::pipeline::Upload::new("ox.txt", "Fe +2 x3\n".into());
        let bad_ox = ChemSettings {
            ox: OxSource::Uploaded {
                file: upload.reference(),
            },
            ..none
        };
        let out = run(
            &mut runner,
            Request::Counts {
                id: 6,
                chem: bad_ox,
                order: 2,
                uploads: vec![upload],
            },
        );
        assert!(
            matches!(&out[..], [Response::Error { id: 6, message }] if message.starts_with("oxidation-state file 'ox.txt': line 1"))
        );
        let mut out = Vec::new();
        runner.handle(
            Request::Reduce {
                id: 7,
                params: ReducerParams::Pca,
                rows: 3,
                cols: 2,
            },
            Some(vec![0.0; 5]),
            &mut |r, _| out.push(r),
        );
        assert_eq!(out, [error(7, "the matrix has 5 values, not 3 x 2")]);
    }

    fn sample_settings(per_category: usize) -> SampleSettings {
        SampleSettings {
            chem: chem(KnownChoice::Builtin { name: "mp".into() }),
            order: 2,
            size: crate::sample::SampleSize::PerCategory(per_category),
            seed: 42,
        }
    }

    #[test]
    fn embed_then_reduce_caches_each_stage() {
        let mut runner = Runner::new();
        let settings = EmbedSettings {
            sample: sample_settings(200),
            embedding: "magpie".into(),
            pooling: "mean".into(),
        };
        let mut out: Vec<(Response, Option<Vec<f32>>)> = Vec::new();
        runner.handle(
            Request::Embed {
                id: 1,
                settings: settings.clone(),
                uploads: Vec::new(),
            },
            None,
            &mut |r, p| out.push((r, p.map(<[f32]>::to_vec))),
        );
        let [
            (Response::Sample { formulas, .. }, None),
            (
                Response::Embedded {
                    kept,
                    cols,
                    non_finite,
                    ..
                },
                Some(matrix),
            ),
        ] = &out[..]
        else {
            panic!("{out:?}")
        };
        assert_eq!(formulas.len(), 800);
        assert_eq!((*cols, *non_finite), (22, 0));
        assert_eq!(matrix.len(), kept.len() * 22);
        // magpie lacks vectors for some heavy elements: those rows are left out, not zero-filled.
        let left_out: Vec<&String> = (0..800)
            .filter(|i| !kept.contains(&(*i as u32)))
            .map(|i| &formulas[i])
            .collect();
        assert!(
            left_out.iter().all(|f| ["Cf", "Es", "Fm", "Md", "No", "Lr"]
                .iter()
                .any(|e| f.contains(e))),
            "{left_out:?}"
        );
        let first = runner.embedded.clone().unwrap();

        // Same sample, another embedding: the sample is reused, the embedding redone.
        let other = EmbedSettings {
            embedding: "mat2vec".into(),
            ..settings.clone()
        };
        let sample_before = runner.sample.clone().unwrap();
        runner.handle(
            Request::Embed {
                id: 2,
                settings: other,
                uploads: Vec::new(),
            },
            None,
            &mut |_, _| {},
        );
        assert!(Rc::ptr_eq(&sample_before, runner.sample.as_ref().unwrap()));
        assert!(!Rc::ptr_eq(&first, runner.embedded.as_ref().unwrap()));

        let rows = kept.len();
        let mut layouts = Vec::new();
        runner.handle(
            Request::Reduce {
                id: 3,
                params: ReducerParams::Pca,
                rows,
                cols: 22,
            },
            Some(matrix.clone()),
            &mut |r, p| layouts.push((r, p.map(<[f32]>::to_vec))),
        );
        let [
            (
                Response::Layout {
                    last: true, method, ..
                },
                Some(coords),
            ),
        ] = &layouts[..]
        else {
            panic!("{layouts:?}")
        };
        assert_eq!((*method, coords.len()), (Method::Pca, rows * 2));
    }

    #[test]
    fn a_big_maps_pca_preview_is_fitted_on_a_subset_and_agrees_with_the_full_pca() {
        use crate::reduce::random::Random;
        // Columns of falling spread, so the two principal axes are clear.
        let mut random = Random::new(7);
        let shape = |n: usize, random: &mut Random| {
            Array2::from_shape_fn((n, 6), |(_, c)| {
                (random.normal() * [5.0, 3.0, 1.0, 0.5, 0.3, 0.1][c]) as f32
            })
        };
        let small = shape(PREVIEW_FIT_ROWS, &mut random);
        let full = |m: &Array2<f32>| {
            reduce(m.view(), &ReducerParams::Pca, &mut crate::reduce::Silent).unwrap()
        };
        assert_eq!(
            pca_preview(small.view()).unwrap(),
            full(&small),
            "up to the limit it is the PCA"
        );
        let big = shape(3 * PREVIEW_FIT_ROWS + 17, &mut random);
        let (preview, exact) = (pca_preview(big.view()).unwrap(), full(&big));
        assert_eq!(preview.dim(), (big.nrows(), 2));
        for axis in 0..2 {
            let (p, e) = (preview.column(axis), exact.column(axis));
            let dot = |a: ndarray::ArrayView1<f32>, b: ndarray::ArrayView1<f32>| {
                a.iter()
                    .zip(b)
                    .map(|(&x, &y)| f64::from(x) * f64::from(y))
                    .sum::<f64>()
            };
            let r = dot(p, e) / (dot(p, p) * dot(e, e)).sqrt();
            assert!(r > 0.999, "axis {axis}: correlation {r} with the full PCA");
        }
    }

    #[test]
    fn umap_streams_layouts_before_the_last() {
        let mut runner = Runner::new();
        let settings = EmbedSettings {
            sample: sample_settings(60),
            embedding: "megnet16".into(),
            pooling: "mean".into(),
        };
        let mut matrix = Vec::new();
        let mut kept = 0;
        runner.handle(
            Request::Embed {
                id: 1,
                settings,
                uploads: Vec::new(),
            },
            None,
            &mut |r, p| {
                if let (Response::Embedded { kept: k, .. }, Some(p)) = (r, p) {
                    kept = k.len();
                    matrix = p.to_vec();
                }
            },
        );
        let params = ReducerParams::Umap {
            n_neighbors: 15,
            min_dist: 0.1,
            seed: 42,
        };
        let mut stages = Vec::new();
        runner.handle(
            Request::Reduce {
                id: 2,
                params,
                rows: kept,
                cols: 16,
            },
            Some(matrix),
            &mut |r, p| {
                if let Response::Layout { stage, last, .. } = r {
                    assert_eq!(p.map(<[f32]>::len), Some(kept * 2));
                    stages.push((stage, last));
                }
            },
        );
        assert_eq!(
            stages[0],
            (Stage::Preview, false),
            "a PCA preview comes first"
        );
        // umap-learn's 500 epochs for small data, every one offered to the page.
        let epochs = stages.iter().filter(|(s, _)| *s == Stage::OptimizeLayout);
        assert_eq!(epochs.count(), 500);
        assert_eq!(stages.last().unwrap(), &(Stage::Done, true));
    }

    #[test]
    fn a_failing_grid_panel_does_not_stop_the_others() {
        let mut runner = Runner::new();
        // Four points: PCA works, UMAP with 15 neighbours cannot.
        let request = Request::Grid {
            id: 9,
            sample: sample_settings(1),
            pooling: "mean".into(),
            embeddings: vec!["magpie".into(), "megnet16".into()],
            reducers: vec![
                ReducerParams::Pca,
                ReducerParams::Umap {
                    n_neighbors: 15,
                    min_dist: 0.1,
                    seed: 42,
                },
            ],
            uploads: Vec::new(),
        };
        let mut kinds = Vec::new();
        runner.handle(request, None, &mut |r, _| match r {
            Response::Sample { formulas, .. } => {
                kinds.push(format!("sample of {}", formulas.len()))
            }
            Response::GridPanel { embedding, .. } => kinds.push(format!("panel {embedding}")),
            Response::GridPanelFailed {
                embedding, message, ..
            } => {
                assert!(message.contains("too few"), "{message}");
                kinds.push(format!("failed {embedding}"))
            }
            Response::GridDone { .. } => kinds.push("done".into()),
            _ => {}
        });
        assert_eq!(
            kinds,
            [
                "sample of 4",
                "panel magpie",
                "panel megnet16",
                "failed magpie",
                "failed megnet16",
                "done"
            ]
        );
    }

    #[test]
    fn placing_and_neighbour_searches_say_what_is_wrong() {
        let mut runner = Runner::new();
        let map = FittedMapRef {
            key: "k".into(),
            embedding: "magpie".into(),
            pooling: "mean".into(),
            params: ReducerParams::Pca,
        };
        let place = |formulas: &[&str]| Request::Place {
            id: 1,
            chem: chem(KnownChoice::Empty),
            uploads: Vec::new(),
            map: map.clone(),
            rows: 3,
            cols: 22,
            formulas: formulas.iter().map(|f| f.to_string()).collect(),
            on_map: vec![false; formulas.len()],
        };
        let mut out = Vec::new();
        runner.handle(place(&["ZnO"]), Some(vec![0.0; 10]), &mut |r, _| {
            out.push(r)
        });
        assert_eq!(
            out,
            [error(
                1,
                "the map came with 10 values, not 3 x 22 plus 3 x 2"
            )]
        );
        // Nothing to place (magpie has no californium): no map is needed.
        let out = run(&mut runner, place(&["CfO2"]));
        let [Response::Placed { rows, .. }] = &out[..] else {
            panic!("{out:?}")
        };
        assert_eq!(
            rows[0].placement,
            Placement::Uncovered {
                element: "Cf".into()
            }
        );
        let neighbours = |known| Request::Neighbours {
            id: 2,
            chem: chem(known),
            uploads: Vec::new(),
            embedding: "magpie".into(),
            pooling: "mean".into(),
            formula: "Zn2O".into(),
            k: 3,
        };
        let mut vector = Vec::new();
        let mut out = Vec::new();
        runner.handle(neighbours(KnownChoice::Empty), None, &mut |r, p| {
            vector = p.unwrap_or_default().to_vec();
            out.push(r)
        });
        assert!(
            matches!(&out[..], [Response::Neighbours { known, searched: 0, .. }] if known.is_empty())
        );
        let zn2o = Composition::parse("Zn2O").unwrap();
        let table = EmbeddingInfo::from_name("magpie")
            .unwrap()
            .embedded()
            .unwrap();
        let want = crate::embed::feature_vector(&zn2o, table, &[PoolingStat::Mean]).unwrap();
        assert_eq!(vector, want.iter().map(|&v| v as f32).collect::<Vec<_>>());
        let out = run(
            &mut runner,
            neighbours(KnownChoice::Builtin { name: "mp".into() }),
        );
        let [Response::Neighbours { known, .. }] = &out[..] else {
            panic!("{out:?}")
        };
        assert_eq!(known.len(), 3);
        assert!(
            known
                .iter()
                .all(|n| n.category.known() && n.formula != "Zn2O")
        );
    }

    #[test]
    fn assets_are_asked_for_only_when_not_compiled_in() {
        let mut runner = Runner::new();
        let request = Request::Counts {
            id: 1,
            chem: chem(KnownChoice::Builtin {
                name: "oqmd".into(),
            }),
            order: 2,
            uploads: Vec::new(),
        };
        // Natively every data file is compiled in; on wasm32 OQMD and the
        // embeddings beyond the paper's six are fetched.
        let fetched_on_wasm = |path: &str| -> Vec<String> {
            if cfg!(target_arch = "wasm32") {
                vec![path.into()]
            } else {
                Vec::new()
            }
        };
        assert_eq!(
            runner.missing_assets(&request),
            fetched_on_wasm("data/known/oqmd.bin")
        );
        assert!(
            runner
                .add_asset("data/known/oqmd.bin", b"junk")
                .unwrap_err()
                .contains("bad magic")
        );
        assert!(runner.add_asset("elsewhere.bin", b"").is_err());
        let grid = Request::Grid {
            id: 3,
            sample: SampleSettings {
                chem: chem(KnownChoice::Empty),
                order: 2,
                size: crate::sample::SampleSize::PerCategory(10),
                seed: 1,
            },
            pooling: "mean".into(),
            embeddings: vec!["magpie".into(), "xenonpy".into()],
            reducers: vec![ReducerParams::Pca],
            uploads: Vec::new(),
        };
        assert_eq!(
            runner.missing_assets(&grid),
            fetched_on_wasm("data/embeddings/xenonpy.bin")
        );
        assert!(
            runner
                .add_asset("data/embeddings/xenonpy.bin", b"CAE1")
                .unwrap_err()
                .starts_with("data/embeddings/xenonpy.bin: ")
        );
    }
}
