//! Placing new rows on a fitted UMAP map, step by step as umap-learn 0.5.12's
//! `UMAP.transform`, under its names. The fitted map does not move; each new
//! point is laid out against it alone (new points never see each other).
//!
//! 1. `nearest_neighbors`: each new row's n_neighbors nearest fitted rows,
//!    exactly ([`NeighborIndex`]; umap-learn is exact below 4,096 fitted rows
//!    and uses pynndescent's graph search above).
//! 2. `smooth_knn_dist` with local_connectivity - 1 = 0: rho is 0, and sigma
//!    makes the memberships of neighbours 2..k sum to log2(k) (umap-learn's
//!    bisection skips the first column, which in a fit is the point itself
//!    and here the nearest fitted row); the floor is 1e-3 of the mean of all
//!    the new rows' neighbour distances.
//! 3. `compute_membership_strengths` (bipartite): exp(-d / sigma), 1 for a
//!    row identical to a fitted one.
//! 4. `init_graph_transform`: each new point starts at the membership-weighted
//!    mean of its neighbours' map positions, or exactly on a neighbour whose
//!    membership is 1 (umap-learn takes the first in column order).
//! 5. n_epochs: 100 for up to 10,000 new rows, 30 above (a third of
//!    `UmapParams::n_epochs` when that is set); edges lighter than max /
//!    n_epochs dropped; `make_epochs_per_sample`.
//! 6. `optimize_layout_euclidean` with the new points as the head embedding
//!    and the fitted map as the fixed tail (`move_other = False`): attraction
//!    along each edge, negative samples drawn among the fitted points,
//!    learning rate starting at a quarter of the fit's.
//!
//! Where it differs: the search is exact at every size; the random stream is
//! ours (one seeded generator, not a Tausworthe state per point); a new row
//! with no edge at all (umap-learn gives it NaN coordinates) starts, and
//! stays, on its nearest fitted row.

use ndarray::{Array2, ArrayView2};

use super::fuzzy::{MIN_K_DIST_SCALE, bisect_sigma, compute_membership_strengths};
use super::layout::make_epochs_per_sample;
use super::{MAX_DIM, UmapOutcome, UmapParams, announce, check_params, curve};
use crate::reduce::knn::NeighborIndex;
use crate::reduce::numeric::fast_pow;
use crate::reduce::random::Random;
use crate::reduce::{Control, Observer, ReduceError, Stage, Step};

/// Random stream of the transform's negative samples (see `umap.rs`).
const TRANSFORM_SGD: u64 = 14;
/// Gradient clipping bound (umap-learn's `clip`).
const CLIP: f32 = 4.0;

/// A fitted UMAP map and what placing new rows on it needs: the fitted rows
/// (searched for each new row's neighbours), their map positions, the
/// curve's a and b, and the parameters.
pub struct UmapModel {
    index: NeighborIndex,
    embedding: Array2<f32>,
    params: UmapParams,
    a: f32,
    b: f32,
}

/// The fuzzy graph from new rows to fitted rows, as umap-learn's transform
/// builds it before optimising (`transform_mode="graph"`), with the initial
/// positions.
#[derive(Debug, Clone, PartialEq)]
pub struct TransformGraph {
    /// Neighbours per new row (n_neighbors, or fewer fitted rows).
    pub k: usize,
    /// New rows x k fitted-row indices, nearest first.
    pub neighbors: Vec<u32>,
    /// Their membership strengths, matching `neighbors`.
    pub memberships: Vec<f32>,
    pub sigmas: Vec<f32>,
    /// New rows x dim starting positions.
    pub init: Vec<f32>,
}

impl UmapModel {
    /// The model of a map made by [`super::umap_with_outcome`] from `data`.
    pub fn from_outcome(
        data: ArrayView2<f32>,
        outcome: &UmapOutcome,
        params: &UmapParams,
    ) -> Result<UmapModel, ReduceError> {
        let mut model = UmapModel::new(data, outcome.embedding.clone(), params)?;
        (model.a, model.b) = (outcome.a, outcome.b);
        Ok(model)
    }

    /// The model of a map of `data` laid out elsewhere (`embedding`, N x
    /// params.dim), under `params` (a and b follow from min_dist and spread).
    pub fn new(
        data: ArrayView2<f32>,
        embedding: Array2<f32>,
        params: &UmapParams,
    ) -> Result<UmapModel, ReduceError> {
        check_params(params, data.nrows())?;
        if embedding.dim() != (data.nrows(), params.dim) {
            return Err(ReduceError::BadParameter {
                name: "embedding",
                value: format!("{} x {}", embedding.nrows(), embedding.ncols()),
                accepted: format!(
                    "{} x {} (a map of every fitted row)",
                    data.nrows(),
                    params.dim
                ),
            });
        }
        crate::reduce::knn::check_finite(embedding.view())?;
        let (a, b) = curve::find_ab_params(params.spread as f64, params.min_dist as f64);
        Ok(UmapModel {
            index: NeighborIndex::new(data)?,
            embedding: embedding.as_standard_layout().into_owned(),
            params: params.clone(),
            a: a as f32,
            b: b as f32,
        })
    }

    /// The fitted rows' map positions, N x dim.
    pub fn embedding(&self) -> ArrayView2<'_, f32> {
        self.embedding.view()
    }

    pub fn params(&self) -> &UmapParams {
        &self.params
    }

    /// Steps 1 to 4 for `rows` (M x D): the neighbours, memberships and
    /// starting positions.
    pub fn transform_graph(
        &self,
        rows: ArrayView2<f32>,
        observer: &mut dyn Observer,
    ) -> Result<TransformGraph, ReduceError> {
        let knn = self.index.query(rows, self.params.n_neighbors, observer)?;
        let (m, k) = (knn.len(), knn.k);
        announce(observer, Stage::FuzzySimplicialSet)?;
        // smooth_knn_dist(dists, n_neighbors, local_connectivity = 0).
        let target = (self.params.n_neighbors as f64).log2();
        let total: f64 = knn.distances.iter().map(|&d| f64::from(d)).sum();
        let floor = MIN_K_DIST_SCALE * total / (m * k).max(1) as f64;
        let sigmas: Vec<f32> = (0..m)
            .map(|i| {
                let sigma = bisect_sigma(&knn.neighbor_distances(i)[1..], 0.0, target);
                if f64::from(sigma) < floor {
                    floor as f32
                } else {
                    sigma
                }
            })
            .collect();
        let memberships = compute_membership_strengths(&knn, &sigmas, &vec![0.0; m]);
        let init = self.init_graph_transform(&knn.indices, &memberships, k);
        Ok(TransformGraph {
            k,
            neighbors: knn.indices,
            memberships,
            sigmas,
            init,
        })
    }

    /// umap-learn's `init_graph_transform`: per new row, the weighted mean of
    /// its neighbours' positions over the non-zero memberships, visited in
    /// column order in f32 as scipy's sorted rows are, or the position of the
    /// first neighbour with membership 1.
    fn init_graph_transform(&self, neighbors: &[u32], memberships: &[f32], k: usize) -> Vec<f32> {
        let dim = self.params.dim;
        let m = neighbors.len() / k.max(1);
        let mut init = vec![0.0f32; m * dim];
        let mut row: Vec<(u32, f32)> = Vec::with_capacity(k);
        for (i, out) in init.chunks_exact_mut(dim).enumerate() {
            row.clear();
            row.extend(
                neighbors[i * k..(i + 1) * k]
                    .iter()
                    .copied()
                    .zip(memberships[i * k..(i + 1) * k].iter().copied())
                    .filter(|&(_, w)| w != 0.0),
            );
            row.sort_unstable_by_key(|&(j, _)| j);
            let position = |j: u32| self.embedding.row(j as usize);
            if row.is_empty() {
                out.iter_mut()
                    .zip(position(neighbors[i * k]))
                    .for_each(|(o, &p)| *o = p);
                continue;
            }
            let row_sum: f32 = row.iter().map(|&(_, w)| w).sum();
            for &(j, w) in &row {
                if w == 1.0 {
                    out.iter_mut().zip(position(j)).for_each(|(o, &p)| *o = p);
                    break;
                }
                out.iter_mut()
                    .zip(position(j))
                    .for_each(|(o, &p)| *o += w / row_sum * p);
            }
        }
        init
    }

    /// Map positions of `rows` (M x D, the fitted rows' columns), M x dim.
    /// Progress goes to the observer as "nearest_neighbors",
    /// "fuzzy_simplicial_set" and "optimize_layout_euclidean" (the new
    /// points' layout offered every `snapshot_every` epochs).
    pub fn transform(
        &self,
        rows: ArrayView2<f32>,
        observer: &mut dyn Observer,
    ) -> Result<Array2<f32>, ReduceError> {
        let graph = self.transform_graph(rows, observer)?;
        let (m, k, dim) = (rows.nrows(), graph.k, self.params.dim);
        let n_epochs = self.transform_epochs(m);
        // Edges in umap-learn's order (row by row, nearest first), pruned.
        let max = graph.memberships.iter().copied().fold(0.0f32, f32::max);
        let threshold = max / n_epochs as f32;
        let mut head = Vec::with_capacity(m * k);
        let mut tail = Vec::with_capacity(m * k);
        let mut weights = Vec::with_capacity(m * k);
        for (e, &w) in graph.memberships.iter().enumerate() {
            if w > 0.0 && w >= threshold {
                head.push((e / k.max(1)) as u32);
                tail.push(graph.neighbors[e]);
                weights.push(w);
            }
        }
        let epochs_per_sample = make_epochs_per_sample(&weights, n_epochs);
        let mut layout = graph.init;
        let mut optimization = Optimization {
            layout: &mut layout,
            fixed: self
                .embedding
                .as_slice()
                .unwrap_or_else(|| unreachable!("kept in standard layout")),
            dim,
            head: &head,
            tail: &tail,
            epochs_per_sample: &epochs_per_sample,
            a: self.a,
            b: self.b,
            negative_sample_rate: self.params.negative_sample_rate as f64,
        };
        optimization.run(
            n_epochs,
            self.params.learning_rate / 4.0,
            self.params.snapshot_every,
            &mut Random::fork(self.params.seed, TRANSFORM_SGD),
            observer,
        )?;
        Ok(Array2::from_shape_vec((m, dim), layout)
            .unwrap_or_else(|_| unreachable!("M x dim values")))
    }

    /// umap-learn's transform epochs: 100 for up to 10,000 new rows, 30
    /// above, or a third of the fit's epochs when those were set.
    fn transform_epochs(&self, new_rows: usize) -> usize {
        match self.params.n_epochs {
            Some(n) => (n / 3).max(1),
            None if new_rows <= 10_000 => 100,
            None => 30,
        }
    }
}

/// `optimize_layout_euclidean` with a separate, fixed tail embedding.
struct Optimization<'a> {
    /// The new points, M x dim, moved in place.
    layout: &'a mut [f32],
    /// The fitted map, N x dim.
    fixed: &'a [f32],
    dim: usize,
    head: &'a [u32],
    tail: &'a [u32],
    epochs_per_sample: &'a [f64],
    a: f32,
    b: f32,
    negative_sample_rate: f64,
}

#[inline(always)]
fn clip(x: f32) -> f32 {
    x.clamp(-CLIP, CLIP)
}

impl Optimization<'_> {
    fn run(
        &mut self,
        n_epochs: usize,
        initial_alpha: f32,
        snapshot_every: usize,
        random: &mut Random,
        observer: &mut dyn Observer,
    ) -> Result<(), ReduceError> {
        let eps = self.epochs_per_sample;
        let epochs_per_negative_sample: Vec<f64> =
            eps.iter().map(|e| e / self.negative_sample_rate).collect();
        let mut next_negative = epochs_per_negative_sample.clone();
        let mut next_sample = eps.to_vec();
        let mut alpha = initial_alpha;
        for n in 0..n_epochs {
            self.epoch(
                n as f64,
                alpha,
                &mut next_sample,
                &mut next_negative,
                &epochs_per_negative_sample,
                random,
            );
            alpha = initial_alpha * (1.0 - n as f32 / n_epochs as f32);
            let snapshot =
                snapshot_every > 0 && ((n + 1) % snapshot_every == 0 || n + 1 == n_epochs);
            let step = Step {
                stage: Stage::OptimizeLayout,
                done: n + 1,
                total: n_epochs,
                layout: snapshot.then_some(&*self.layout),
            };
            if observer.step(step) == Control::Cancel {
                return Err(ReduceError::Cancelled);
            }
        }
        Ok(())
    }

    /// One epoch: every due edge in order, its attraction then its negative
    /// samples, each move applied at once (umap-learn's sequential loop).
    #[inline(never)]
    fn epoch(
        &mut self,
        epoch: f64,
        alpha: f32,
        next_sample: &mut [f64],
        next_negative: &mut [f64],
        epochs_per_negative_sample: &[f64],
        random: &mut Random,
    ) {
        let (dim, a, b) = (self.dim, self.a, self.b);
        let n_fixed = (self.fixed.len() / dim) as u32;
        let mut current = [0.0f32; MAX_DIM];
        for i in 0..self.head.len() {
            if next_sample[i] > epoch {
                continue;
            }
            let j = self.head[i] as usize;
            current[..dim].copy_from_slice(&self.layout[j * dim..(j + 1) * dim]);
            let other = &self.fixed[self.tail[i] as usize * dim..][..dim];
            let d2 = squared(&current[..dim], other);
            if d2 > 0.0 {
                let pow_b = fast_pow(d2, b);
                let coeff = -2.0 * a * b * pow_b / (d2 * (a * pow_b + 1.0));
                for d in 0..dim {
                    current[d] += clip(coeff * (current[d] - other[d])) * alpha;
                }
            }
            next_sample[i] += self.epochs_per_sample[i];
            let n_neg =
                ((epoch - next_negative[i]) / epochs_per_negative_sample[i]).max(0.0) as usize;
            for _ in 0..n_neg {
                let k = random.below(n_fixed) as usize;
                let other = &self.fixed[k * dim..(k + 1) * dim];
                let d2 = squared(&current[..dim], other);
                if d2 > 0.0 {
                    let coeff = 2.0 * b / ((0.001 + d2) * (a * fast_pow(d2, b) + 1.0));
                    for d in 0..dim {
                        current[d] += clip(coeff * (current[d] - other[d])) * alpha;
                    }
                }
            }
            next_negative[i] += n_neg as f64 * epochs_per_negative_sample[i];
            self.layout[j * dim..(j + 1) * dim].copy_from_slice(&current[..dim]);
        }
    }
}

#[inline(always)]
fn squared(p: &[f32], q: &[f32]) -> f32 {
    p.iter().zip(q).map(|(x, y)| (x - y) * (x - y)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reduce::{Silent, fixture_matrix, transform_fixture};

    fn fixture_model() -> (UmapModel, Array2<f32>, serde_json::Value) {
        let fixture = transform_fixture();
        let f = fixture["umap"].clone();
        let x = fixture_matrix(&fixture["data"]["fit"]);
        let embedding = fixture_matrix(&f["embedding"]);
        let params = UmapParams {
            n_neighbors: f["n_neighbors"].as_u64().unwrap() as usize,
            snapshot_every: 0,
            ..UmapParams::default()
        };
        let model = UmapModel::new(x.view(), embedding, &params).unwrap();
        (model, fixture_matrix(&fixture["data"]["new"]), f)
    }

    #[test]
    fn graph_and_initial_positions_agree_with_umap_learn() {
        let (model, new, f) = fixture_model();
        let graph = model.transform_graph(new.view(), &mut Silent).unwrap();
        let k = graph.k;
        assert_eq!(k, f["n_neighbors"].as_u64().unwrap() as usize);
        // umap-learn's graph in coo order: (new row, fitted row, membership).
        let edges = f["graph"].as_array().unwrap();
        assert_eq!(edges.len(), graph.neighbors.len());
        for (e, want) in edges.iter().enumerate() {
            let want = want.as_array().unwrap();
            assert_eq!(want[0].as_u64().unwrap() as usize, e / k);
            assert_eq!(
                want[1].as_u64().unwrap() as u32,
                graph.neighbors[e],
                "edge {e}"
            );
            let w = want[2].as_f64().unwrap();
            let got = f64::from(graph.memberships[e]);
            assert!((got - w).abs() <= 1e-5, "edge {e}: {got} vs {w}");
        }
        assert_eq!(
            model.transform_epochs(new.nrows()),
            f["n_epochs"].as_u64().unwrap() as usize
        );
        let init = fixture_matrix(&f["init"]);
        for (got, want) in graph.init.iter().zip(init.iter()) {
            assert!(
                (got - want).abs() <= 1e-4 * want.abs().max(1.0),
                "{got} vs {want}"
            );
        }
    }

    #[test]
    fn reports_progress_and_cancels() {
        let (model, new, _) = fixture_model();
        let mut snapshots = 0;
        let mut cancel_at_five = |s: Step<'_>| {
            if let Some(layout) = s.layout {
                assert_eq!(layout.len(), new.nrows() * 2);
                snapshots += 1;
            }
            if s.stage == Stage::OptimizeLayout && s.done == 5 {
                Control::Cancel
            } else {
                Control::Continue
            }
        };
        let model = UmapModel {
            params: UmapParams {
                snapshot_every: 1,
                ..model.params.clone()
            },
            ..model
        };
        assert_eq!(
            model.transform(new.view(), &mut cancel_at_five),
            Err(ReduceError::Cancelled)
        );
        assert_eq!(snapshots, 5);
    }

    #[test]
    fn bad_input_is_an_error() {
        let (model, new, _) = fixture_model();
        let x = fixture_matrix(&transform_fixture()["data"]["fit"]);
        assert!(matches!(
            model.transform(new.slice(ndarray::s![.., 1..]), &mut Silent),
            Err(ReduceError::BadParameter { .. })
        ));
        let mut bad = new.clone();
        bad[[2, 1]] = f32::INFINITY;
        assert_eq!(
            model.transform(bad.view(), &mut Silent),
            Err(ReduceError::NonFinite { row: 2, column: 1 })
        );
        assert_eq!(
            model
                .transform(new.slice(ndarray::s![..0, ..]), &mut Silent)
                .unwrap()
                .nrows(),
            0
        );
        let wrong_map = Array2::zeros((x.nrows() - 1, 2));
        assert!(matches!(
            UmapModel::new(x.view(), wrong_map, &UmapParams::default()),
            Err(ReduceError::BadParameter { .. })
        ));
    }
}
