//! The small multiples: the paper's grid of six element embeddings by three
//! reducers for the current sample, computed by a worker of its own panel by
//! panel. Finished panels join the map's layout cache, so choosing one opens
//! it large at once. Progress counts finished panels, so it never goes back.

use std::rc::Rc;

use super::requests::Job;
use super::stages::{self, LayoutData};
use super::{Panel, Role, Session};
use crate::pipeline::settings::cache_key;
use crate::pipeline::{EmbedSettings, ReducerParams, Request};
use crate::view_state::paper_embeddings;

#[derive(Debug, Default)]
pub(super) struct GridPanel {
    /// The grid asked for last (of [`Session::grid_key`]).
    key: Option<String>,
    stopped: bool,
    /// The panel being computed: (embedding, reducer).
    current: Option<(String, ReducerParams)>,
    /// Panels that failed, by layout key, with why.
    failed: Vec<(String, String)>,
    error: Option<String>,
}

/// A panel of the grid.
#[derive(Debug, Clone)]
pub struct GridCell {
    pub embedding: &'static str,
    pub params: ReducerParams,
    pub layout: Option<Rc<LayoutData>>,
    pub state: CellState,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CellState {
    Ready,
    Computing,
    Waiting,
    Failed(String),
    NotComputed,
}

/// The grid's status line.
#[derive(Debug, Clone, PartialEq)]
pub struct GridStatus {
    pub text: String,
    /// Panels ready, as a share of all (0..=1).
    pub fraction: f64,
    pub running: bool,
    pub complete: bool,
}

impl Session {
    /// The three reducers of the grid, with the settings' parameters.
    fn grid_reducers(&self) -> [ReducerParams; 3] {
        let s = &self.state;
        [
            ReducerParams::Pca,
            ReducerParams::Tsne {
                perplexity: s.perplexity,
                seed: s.seed,
            },
            ReducerParams::Umap {
                n_neighbors: s.n_neighbors,
                min_dist: s.min_dist,
                seed: s.seed,
            },
        ]
    }

    fn grid_embed(&self, embedding: &str) -> EmbedSettings {
        EmbedSettings {
            sample: self.sample_settings(),
            embedding: embedding.into(),
            pooling: self.state.pooling.clone(),
        }
    }

    fn grid_key(&self) -> String {
        cache_key(&(
            self.sample_settings(),
            &self.state.pooling,
            self.grid_reducers(),
        ))
    }

    fn grid_running(&self) -> bool {
        self.requests
            .find(|j| matches!(j, Job::Grid { .. }))
            .is_some()
    }

    /// Starts computing the grid for the settings, unless it is done,
    /// running or stopped.
    pub(super) fn ensure_grid(&mut self) {
        let key = self.grid_key();
        if self.grid.key.as_deref() == Some(key.as_str()) {
            return;
        }
        self.stop(Role::Grid);
        self.grid = GridPanel {
            key: Some(key),
            ..GridPanel::default()
        };
        self.send_grid();
    }

    fn send_grid(&mut self) {
        let reducers = self.grid_reducers();
        let missing: Vec<String> = paper_embeddings()
            .into_iter()
            .filter(|e| {
                reducers.iter().any(|p| {
                    self.caches
                        .layout(&stages::layout_key(&self.grid_embed(e), p))
                        .is_none()
                })
            })
            .map(str::to_string)
            .collect();
        if !missing.is_empty() {
            let sample = self.sample_settings();
            let pooling = self.state.pooling.clone();
            let uploads = self.upload_texts(&sample.chem);
            let job = Job::Grid {
                sample: sample.clone(),
                pooling: pooling.clone(),
            };
            self.send(Role::Grid, job, |id| Request::Grid {
                id,
                sample,
                pooling,
                embeddings: missing,
                reducers: reducers.to_vec(),
                uploads,
            });
        }
        self.render(Panel::Grid);
    }

    pub(super) fn stop_grid(&mut self) {
        self.stop(Role::Grid);
        self.grid.stopped = true;
        self.grid.current = None;
        self.render(Panel::Grid);
    }

    pub(super) fn compute_grid(&mut self) {
        let key = self.grid_key();
        self.stop(Role::Grid);
        self.grid = GridPanel {
            key: Some(key),
            ..GridPanel::default()
        };
        self.send_grid();
    }

    pub(super) fn grid_panel_started(&mut self, embedding: String, params: ReducerParams) {
        self.grid.current = Some((embedding, params));
        self.render(Panel::Grid);
    }

    pub(super) fn grid_panel(
        &mut self,
        embedding: String,
        params: ReducerParams,
        kept: Vec<u32>,
        non_finite: usize,
        payload: Option<Vec<f32>>,
    ) {
        let Some(Job::Grid {
            sample, pooling, ..
        }) = self
            .requests
            .find(|j| matches!(j, Job::Grid { .. }))
            .map(|r| r.job.clone())
        else {
            return;
        };
        let (Some(data), Some(coords)) = (self.caches.sample(&sample), payload) else {
            return;
        };
        if coords.len() != 2 * kept.len() {
            return;
        }
        let embed = EmbedSettings {
            sample,
            embedding,
            pooling,
        };
        self.caches.add_layout(Rc::new(LayoutData {
            key: stages::layout_key(&embed, &params),
            embed,
            params,
            sample: data,
            kept: Rc::new(kept),
            coords,
            method: params.method(),
            last: true,
            non_finite,
            points_of_rows: Default::default(),
        }));
        self.grid.current = None;
        self.render(Panel::Grid);
    }

    pub(super) fn grid_panel_failed(
        &mut self,
        embedding: &str,
        params: &ReducerParams,
        message: String,
    ) {
        let key = stages::layout_key(&self.grid_embed(embedding), params);
        self.grid.failed.push((key, message));
        self.grid.current = None;
        self.render(Panel::Grid);
    }

    pub(super) fn grid_done(&mut self, id: u32) {
        self.requests.finish(id);
        self.grid.current = None;
        self.render(Panel::Grid);
    }

    pub(super) fn grid_failed(&mut self, message: String) {
        self.grid.error = Some(message);
        self.grid.current = None;
    }

    /// The grid's panels, row by row (PCA, t-SNE, UMAP), each row in the
    /// paper's order of embeddings.
    pub fn grid_cells(&self) -> Vec<GridCell> {
        let running = self.grid_running();
        let mut cells = Vec::new();
        for params in self.grid_reducers() {
            for embedding in paper_embeddings() {
                let key = stages::layout_key(&self.grid_embed(embedding), &params);
                let layout = self.caches.layout(&key);
                let failed = self.grid.failed.iter().find(|(k, _)| *k == key);
                let computing = self
                    .grid
                    .current
                    .as_ref()
                    .is_some_and(|(e, p)| e == embedding && *p == params);
                let state = match (&layout, failed) {
                    (Some(_), _) => CellState::Ready,
                    (None, Some((_, message))) => CellState::Failed(message.clone()),
                    (None, None) if computing => CellState::Computing,
                    (None, None) if running => CellState::Waiting,
                    (None, None) => CellState::NotComputed,
                };
                cells.push(GridCell {
                    embedding,
                    params,
                    layout,
                    state,
                });
            }
        }
        cells
    }

    pub fn grid_status(&self) -> GridStatus {
        let cells = self.grid_cells();
        let ready = cells.iter().filter(|c| c.state == CellState::Ready).count();
        let failed = cells
            .iter()
            .filter(|c| matches!(c.state, CellState::Failed(_)))
            .count();
        let total = cells.len();
        let running = self.grid_running();
        let text = if let Some(e) = &self.grid.error {
            format!("Stopped: {e}")
        } else if let Some((embedding, params)) = &self.grid.current {
            format!(
                "{ready} of {total} panels ready; computing {} of {embedding}…",
                params.title()
            )
        } else if running {
            format!("{ready} of {total} panels ready; sampling…")
        } else if self.grid.stopped && ready + failed < total {
            format!("{ready} of {total} panels ready; stopped.")
        } else {
            format!("{ready} of {total} panels ready.")
        };
        GridStatus {
            text,
            fraction: ready as f64 / total as f64,
            running,
            complete: ready + failed == total,
        }
    }
}
