//! Answers [`Request`]s, caching each stage by its inputs.

use std::rc::Rc;

use ndarray::{Array2, ArrayView2};

use super::protocol::{Request, Response, SystemRow};
use super::settings::{ChemSettings, EmbedSettings, ReducerParams, SampleSettings, SettingsError};
use crate::chem::{ChemicalSystem, Composition};
use crate::data::{KnownSet, OxidationStates};
use crate::label::{Category, Labeller};
use crate::reduce::{Control, ReduceError, Step};

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
}

/// A worker's state: fetched data files and the last result of each stage.
#[derive(Default)]
pub struct Runner {
    fetched_known: Vec<(String, KnownSet)>,
    chem: Option<Rc<Chem>>,
    sample: Option<Rc<SampleStage>>,
    embedded: Option<Rc<EmbedStage>>,
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
        let chem = match request {
            Request::Counts { chem, .. }
            | Request::Frequencies { chem, .. }
            | Request::Explain { chem, .. }
            | Request::System { chem, .. } => chem,
            Request::Embed { settings, .. } => &settings.sample.chem,
            Request::Grid { sample, .. } => &sample.chem,
            Request::Reduce { .. } => return Vec::new(),
        };
        chem.known
            .asset()
            .filter(|path| {
                !self
                    .fetched_known
                    .iter()
                    .any(|(name, _)| path == &known_asset_path(name))
            })
            .into_iter()
            .collect()
    }

    /// Decodes a fetched data file named by [`Runner::missing_assets`].
    pub fn add_asset(&mut self, path: &str, bytes: &[u8]) -> Result<(), String> {
        let name = path
            .strip_prefix("data/known/")
            .and_then(|p| p.strip_suffix(".bin"))
            .ok_or_else(|| format!("{path} is not a data file this page uses"))?;
        let set = KnownSet::from_packed(name, bytes)
            .map_err(|e| format!("{path}: {e}; reload the page to fetch it again"))?;
        self.fetched_known.retain(|(n, _)| n != name);
        self.fetched_known.push((name.to_string(), set));
        Ok(())
    }

    fn chem(&mut self, settings: &ChemSettings) -> Result<Rc<Chem>, SettingsError> {
        if let Some(chem) = self.chem.as_ref().filter(|c| &c.settings == settings) {
            return Ok(chem.clone());
        }
        let ox = settings.ox.states()?.into_owned();
        let known = Rc::new(settings.known.set(&self.fetched_known)?.into_owned());
        let chem = Rc::new(Chem {
            settings: settings.clone(),
            ox,
            known,
        });
        self.chem = Some(chem.clone());
        Ok(chem)
    }

    fn sample(&mut self, settings: &SampleSettings) -> Result<Rc<SampleStage>, String> {
        if let Some(s) = self.sample.as_ref().filter(|s| &s.settings == settings) {
            return Ok(s.clone());
        }
        let chem = self.chem(&settings.chem).map_err(|e| e.to_string())?;
        let sample = crate::sample::sample(
            settings.order,
            settings.per_category,
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

    fn embed(&mut self, settings: &EmbedSettings) -> Result<Rc<EmbedStage>, String> {
        if let Some(e) = self.embedded.as_ref().filter(|e| &e.settings == settings) {
            return Ok(e.clone());
        }
        let sample = self.sample(&settings.sample)?;
        let (kept, matrix) =
            embed_compositions(&sample.compositions, &settings.embedding, &settings.pooling)?;
        let stage = Rc::new(EmbedStage {
            settings: settings.clone(),
            kept,
            matrix,
        });
        self.embedded = Some(stage.clone());
        Ok(stage)
    }

    /// Runs `request`, passing every response to `emit`; `payload` is the
    /// float array a [`Request::Reduce`] carries.
    pub fn handle(&mut self, request: Request, payload: Option<Vec<f32>>, emit: &mut Emit) {
        let id = request.id();
        match request {
            Request::Counts { chem, order, .. } => match self.chem(&chem) {
                Err(e) => emit(error(id, e), None),
                Ok(chem) => {
                    let mut progress = |fraction: f64| {
                        emit(
                            Response::Progress {
                                id,
                                stage: format!("counting order {order}"),
                                fraction,
                            },
                            None,
                        );
                        true
                    };
                    let labeller = chem.labeller();
                    match crate::count::count_space(
                        order,
                        labeller.ox,
                        labeller.threshold,
                        labeller.known,
                        &mut progress,
                    ) {
                        Some(counts) => emit(Response::Counts { id, counts }, None),
                        None => emit(error(id, "counting was cancelled"), None),
                    }
                }
            },
            Request::Frequencies { chem, order, .. } => match self.chem(&chem) {
                Err(e) => emit(error(id, e), None),
                Ok(chem) => {
                    let counts =
                        crate::count::element_frequencies(order, &chem.ox, chem.settings.threshold);
                    emit(Response::Frequencies { id, order, counts }, None);
                }
            },
            Request::Explain { chem, formula, .. } => {
                let response = match (Composition::parse(&formula), self.chem(&chem)) {
                    (Err(e), _) => error(id, format!("'{}': {e}", formula.trim())),
                    (_, Err(e)) => error(id, e),
                    (Ok(c), Ok(chem)) => Response::Explanation {
                        id,
                        explanation: Box::new(crate::explain::explain(&c, &chem.labeller())),
                    },
                };
                emit(response, None);
            }
            Request::System { chem, system, .. } => {
                let response = match (ChemicalSystem::parse(&system), self.chem(&chem)) {
                    (Err(e), _) => error(id, format!("'{}': {e}", system.trim())),
                    (_, Err(e)) => error(id, e),
                    (Ok(parsed), Ok(chem)) => {
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
                };
                emit(response, None);
            }
            Request::Embed { settings, .. } => {
                let sample = match self.sample(&settings.sample) {
                    Ok(s) => s,
                    Err(e) => return emit(error(id, e), None),
                };
                emit(
                    Response::Sample {
                        id,
                        formulas: sample
                            .compositions
                            .iter()
                            .map(Composition::to_string)
                            .collect(),
                        categories: sample.categories.clone(),
                        shortfalls: sample.shortfalls.clone(),
                    },
                    None,
                );
                match self.embed(&settings) {
                    Ok(e) => emit(
                        Response::Embedded {
                            id,
                            kept: e.kept.clone(),
                            cols: e.matrix.ncols(),
                        },
                        Some(e.matrix.as_slice().expect("standard layout")),
                    ),
                    Err(e) => emit(error(id, e), None),
                }
            }
            Request::Reduce {
                params, rows, cols, ..
            } => {
                let data = payload.unwrap_or_default();
                if data.len() != rows * cols {
                    return emit(
                        error(
                            id,
                            format!("the matrix has {} values, not {rows} x {cols}", data.len()),
                        ),
                        None,
                    );
                }
                let matrix = ArrayView2::from_shape((rows, cols), &data).expect("checked length");
                if params != ReducerParams::Pca
                    && let Ok(preview) =
                        reduce(matrix, &ReducerParams::Pca, &mut crate::reduce::Silent)
                {
                    let response = Response::Layout {
                        id,
                        method: "pca".into(),
                        stage: "preview".into(),
                        done: 0,
                        total: 0,
                        last: false,
                    };
                    emit(response, preview.as_slice());
                }
                let method = params.method().to_string();
                let mut observer = |step: Step<'_>| {
                    let response = Response::Layout {
                        id,
                        method: method.clone(),
                        stage: step.stage.to_string(),
                        done: step.done,
                        total: step.total,
                        last: false,
                    };
                    match step.layout {
                        Some(layout) => emit(response, Some(layout)),
                        None => emit(
                            Response::Progress {
                                id,
                                stage: step.stage.to_string(),
                                fraction: fraction(step.done, step.total),
                            },
                            None,
                        ),
                    }
                    Control::Continue
                };
                match reduce(matrix, &params, &mut observer) {
                    Ok(layout) => emit(
                        Response::Layout {
                            id,
                            method,
                            stage: "done".into(),
                            done: 1,
                            total: 1,
                            last: true,
                        },
                        layout.as_slice(),
                    ),
                    Err(e) => emit(error(id, format!("{}: {e}", params.title())), None),
                }
            }
            Request::Grid {
                sample,
                pooling,
                embeddings,
                reducers,
                ..
            } => {
                let total = embeddings.len() * reducers.len();
                for (i, embedding) in embeddings.iter().enumerate() {
                    let settings = EmbedSettings {
                        sample: sample.clone(),
                        embedding: embedding.clone(),
                        pooling: pooling.clone(),
                    };
                    let embedded = match self.embed(&settings) {
                        Ok(e) => e,
                        Err(e) => return emit(error(id, format!("{embedding}: {e}")), None),
                    };
                    for (j, params) in reducers.iter().enumerate() {
                        let done = i * reducers.len() + j;
                        let stage = format!("{} of {embedding}", params.title());
                        emit(
                            Response::Progress {
                                id,
                                stage,
                                fraction: fraction(done, total),
                            },
                            None,
                        );
                        match reduce(embedded.matrix.view(), params, &mut crate::reduce::Silent) {
                            Ok(layout) => emit(
                                Response::GridPanel {
                                    id,
                                    embedding: embedding.clone(),
                                    params: *params,
                                    kept: embedded.kept.clone(),
                                },
                                layout.as_slice(),
                            ),
                            Err(e) => {
                                return emit(
                                    error(id, format!("{} of {embedding}: {e}", params.title())),
                                    None,
                                );
                            }
                        }
                    }
                }
                emit(Response::GridDone { id }, None);
            }
        }
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
        ReducerParams::Umap {
            n_neighbors,
            min_dist,
            seed,
        } => umap::umap(
            data,
            &umap::UmapParams {
                n_neighbors,
                min_dist,
                seed,
                ..Default::default()
            },
            observer,
        ),
    }
}

/// The compositional embeddings of `compositions`: the indices kept and their
/// rows. Waits for the `embed` module.
fn embed_compositions(
    _compositions: &[Composition],
    embedding: &str,
    _pooling: &str,
) -> Result<(Vec<u32>, Array2<f32>), String> {
    Err(format!(
        "the {embedding} embedding is not available in this build yet"
    ))
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
    fn bad_input_is_one_error_message_that_says_what_to_fix() {
        let mut runner = Runner::new();
        let none = chem(KnownChoice::Empty);
        let out = run(
            &mut runner,
            Request::Explain {
                id: 4,
                chem: none.clone(),
                formula: "Zn2Q".into(),
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
            },
        );
        assert!(
            matches!(&out[..], [Response::Error { id: 5, message }] if message.contains("element 2 of the system is empty"))
        );
        let bad_ox = ChemSettings {
            ox: OxSource::Uploaded {
                name: "ox.txt".into(),
                text: "Fe +2 x3\n".into(),
            },
            ..none
        };
        let out = run(
            &mut runner,
            Request::Counts {
                id: 6,
                chem: bad_ox,
                order: 2,
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

    #[test]
    fn assets_are_asked_for_only_when_not_compiled_in() {
        let mut runner = Runner::new();
        let request = Request::Counts {
            id: 1,
            chem: chem(KnownChoice::Builtin {
                name: "oqmd".into(),
            }),
            order: 2,
        };
        // Natively every known set is compiled in; on wasm32 OQMD is fetched.
        let expected: Vec<String> = if cfg!(target_arch = "wasm32") {
            vec!["data/known/oqmd.bin".into()]
        } else {
            Vec::new()
        };
        assert_eq!(runner.missing_assets(&request), expected);
        assert!(
            runner
                .add_asset("data/known/oqmd.bin", b"junk")
                .unwrap_err()
                .contains("bad magic")
        );
        assert!(runner.add_asset("elsewhere.bin", b"").is_err());
    }
}
