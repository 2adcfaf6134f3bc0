//! t-SNE (van der Maaten and Hinton 2008) with scikit-learn's defaults and
//! schedule (SPEC section 6), fast enough for 12,000 points in the page.
//!
//! The steps, named as in the papers and scikit-learn:
//! 1. `nearest_neighbors`: the k = min(N - 1, 3 perplexity + 1) nearest
//!    neighbours of each point ([`crate::reduce::knn`]);
//! 2. `affinities`: the conditional P by binary search on each point's
//!    precision, then the symmetric joint P ([`affinity`]);
//! 3. PCA initialisation scaled so the first column's standard deviation is
//!    1e-4, as scikit-learn and openTSNE do;
//! 4. gradient descent with momentum and delta-bar-delta gains (scikit-learn's
//!    `_gradient_descent`): `early_exaggeration` (P x 12, momentum 0.5, 250
//!    iterations) then `optimize` (momentum 0.8, to 1,000 in all), learning
//!    rate "auto" = max(N / 12 / 4, 50), gains and momentum reset between
//!    the phases. Unlike scikit-learn there is no early stop on a stalled KL
//!    divergence: every iteration runs, as in openTSNE.
//!
//! The gradient is 4 (sum_j p_ij q_ij (y_i - y_j) - sum_j q_ij^2 (y_i - y_j) / Z):
//! attraction over the sparse P ([`attraction`]), repulsion by grid
//! interpolation with FFTs plus an exact near field ([`repulsion`]), O(N) per
//! iteration. Every sum runs in a fixed order over fixed chunks of points
//! (which run in parallel, on as many threads as `threads` allows) with f32
//! positions, so a run gives the same bits natively and in wasm, on one
//! thread or eight.
//!
//! In the browser V8 first runs wasm as baseline code and switches a function
//! to optimised code only at its next call, so the hot loops run in functions
//! called many times (an iteration, a point), never in one long call.

mod affinity;
mod attraction;
mod fft;
mod math;
mod quad_tree;
mod repulsion;
mod transform;

use ndarray::{Array2, ArrayView2};

use super::knn::{self, KnnGraph};
use super::pca::pca_on;
use super::{Control, Observer, ReduceError, Stage, Step};
use crate::parallel::{Pool, Threads};
use affinity::JointProbabilities;
use attraction::ChunkForces;
use repulsion::Repulsion;

pub use transform::{TsneAffinities, TsneModel, TsneTransformParams};

/// scikit-learn / openTSNE defaults (SPEC section 6).
#[derive(Debug, Clone, PartialEq)]
pub struct TsneParams {
    /// Output dimension; this implementation lays out in 2-D only.
    pub dim: usize,
    pub perplexity: f32,
    pub early_exaggeration: f32,
    pub early_exaggeration_iter: usize,
    /// Iterations in all, the early-exaggeration ones included.
    pub n_iter: usize,
    /// `None`: scikit-learn's "auto", max(N / early_exaggeration / 4, 50).
    pub learning_rate: Option<f32>,
    /// Seed for the approximate nearest-neighbour search.
    pub seed: u64,
    /// Offer the layout to the observer every this many iterations and after
    /// the last one (0: never).
    pub snapshot_every: usize,
    /// Threads to run on; the layout is the same bits for any number.
    pub threads: Threads,
}

impl Default for TsneParams {
    fn default() -> Self {
        TsneParams {
            dim: 2,
            perplexity: 30.0,
            early_exaggeration: 12.0,
            early_exaggeration_iter: 250,
            n_iter: 1000,
            learning_rate: None,
            seed: 42,
            snapshot_every: 10,
            threads: Threads::all(),
        }
    }
}

/// Largest perplexity (the page's limit too): t-SNE keeps 3 perplexity + 1
/// neighbours per point, so time and memory grow with it; scikit-learn
/// suggests 5 to 50.
pub const MAX_PERPLEXITY: f32 = 100.0;

const MOMENTUM_EARLY: f32 = 0.5;
const MOMENTUM_LATE: f32 = 0.8;
const MIN_GAIN: f32 = 0.01;

/// The t-SNE layout of `data` (N x D), N x 2.
pub fn tsne(
    data: ArrayView2<f32>,
    params: &TsneParams,
    observer: &mut dyn Observer,
) -> Result<Array2<f32>, ReduceError> {
    check_params(data.nrows(), params)?;
    let scaled = super::in_safe_range(data);
    let data = scaled.as_ref().map_or(data, |(x, _)| x.view());
    let k = neighbor_count(data.nrows(), params.perplexity);
    let pool = Pool::new(params.threads);
    let graph = knn::nearest_neighbors_on(&pool, data, k, params.seed, observer)?;
    layout_from_neighbors(data, &graph, params, &pool, observer)
}

/// How many neighbours t-SNE's affinities use: min(N - 1, 3 perplexity + 1),
/// as scikit-learn.
pub fn neighbor_count(points: usize, perplexity: f32) -> usize {
    points
        .saturating_sub(1)
        .min((3.0 * f64::from(perplexity) + 1.0) as usize)
}

/// [`tsne`] from a nearest-neighbour graph already at hand (at least
/// [`neighbor_count`] neighbours per point; only that many are used), so a
/// caller can share one graph between reducers or runs.
pub fn tsne_with_neighbors(
    data: ArrayView2<f32>,
    graph: &KnnGraph,
    params: &TsneParams,
    observer: &mut dyn Observer,
) -> Result<Array2<f32>, ReduceError> {
    check_params(data.nrows(), params)?;
    knn::check_finite(data)?;
    let n = data.nrows();
    let k = neighbor_count(n, params.perplexity);
    if graph.len() != n || graph.k < k {
        return Err(ReduceError::BadParameter {
            name: "graph",
            value: format!("{} points x {} neighbours", graph.len(), graph.k),
            accepted: format!("graphs of all {n} points with at least {k} neighbours each"),
        });
    }
    let pool = Pool::new(params.threads);
    layout_from_neighbors(data, &first_neighbors(graph, k), params, &pool, observer)
}

/// Steps 2 to 4 from a checked input and its `neighbor_count`-neighbour graph.
fn layout_from_neighbors(
    data: ArrayView2<f32>,
    graph: &KnnGraph,
    params: &TsneParams,
    pool: &Pool,
    observer: &mut dyn Observer,
) -> Result<Array2<f32>, ReduceError> {
    let (n, k) = (data.nrows(), graph.k);

    let squared: Vec<f32> = graph.distances.iter().map(|d| d * d).collect();
    let conditional = affinity::binary_search_perplexity(
        &squared,
        k,
        f64::from(params.perplexity),
        pool,
        |done| observer.step(step(Stage::Affinities, done, n, None)) == Control::Continue,
    )
    .ok_or(ReduceError::Cancelled)?;
    let p = JointProbabilities::from_conditional(graph, &conditional);

    let mut y = pca_initialization(data, pool)?;
    let learning_rate = params
        .learning_rate
        .unwrap_or_else(|| (n as f32 / params.early_exaggeration / 4.0).max(50.0));
    let early = params.early_exaggeration_iter.min(params.n_iter);
    let phases = [
        (
            Stage::EarlyExaggeration,
            early,
            params.early_exaggeration,
            MOMENTUM_EARLY,
        ),
        (Stage::Optimize, params.n_iter - early, 1.0, MOMENTUM_LATE),
    ];
    let mut optimizer = Optimizer::new(n);
    let mut p = p;
    // Point i of the optimisation is row order[i] of the data.
    let mut order: Vec<u32> = (0..n as u32).collect();
    let mut layout = vec![0.0f32; 2 * n];
    let mut iteration = 0;
    for (stage, iterations, exaggeration, momentum) in phases {
        if iterations == 0 {
            continue;
        }
        // The momentum and gains restart here, so this is the moment to
        // renumber the points in map order: neighbours on the map become
        // neighbours in memory, which the force loops' gathers need.
        let map_order = spatial_order(&y);
        let mut rank = vec![0u32; n];
        for (new, &old) in map_order.iter().enumerate() {
            rank[old as usize] = new as u32;
        }
        p = p.renumbered(&rank);
        y = map_order
            .iter()
            .flat_map(|&old| [y[2 * old as usize], y[2 * old as usize + 1]])
            .collect();
        order = map_order.iter().map(|&old| order[old as usize]).collect();
        optimizer.reset();
        for done in 1..=iterations {
            optimizer.step(&p, &mut y, exaggeration, momentum, learning_rate, pool);
            // The grid needs a finite map; a learning rate far too large can
            // blow it up.
            let (lo, hi) = repulsion::bounds(&y);
            if !(y.iter().all(|v| v.is_finite()) && (0..2).all(|d| (hi[d] - lo[d]).is_finite())) {
                return Err(ReduceError::OutOfRange {
                    method: "t-SNE",
                    hint: "lower the learning rate",
                });
            }
            iteration += 1;
            let last = iteration == params.n_iter;
            let snapshot = params.snapshot_every > 0
                && (last || iteration.is_multiple_of(params.snapshot_every));
            if snapshot || last {
                for (point, &row) in y.chunks_exact(2).zip(&order) {
                    layout[2 * row as usize..2 * row as usize + 2].copy_from_slice(point);
                }
            }
            report(
                observer,
                stage,
                done,
                iterations,
                snapshot.then_some(layout.as_slice()),
            )?;
        }
    }
    Ok(Array2::from_shape_vec((n, 2), layout).expect("the layout holds n x 2 values"))
}

/// The points' indices along a Z-order (Morton) curve over their bounding
/// box, on a 2^16 x 2^16 grid, ties by index.
fn spatial_order(y: &[f32]) -> Vec<u32> {
    let (lo, hi) = repulsion::bounds(y);
    let cell = |v: f32, d: usize| {
        let width = hi[d] - lo[d];
        if width > 0.0 {
            (((v - lo[d]) / width) * 65535.0) as u64
        } else {
            0
        }
    };
    // Interleave the bits of x and y.
    let spread = |mut v: u64| {
        v = (v | (v << 8)) & 0x00ff_00ff;
        v = (v | (v << 4)) & 0x0f0f_0f0f;
        v = (v | (v << 2)) & 0x3333_3333;
        (v | (v << 1)) & 0x5555_5555
    };
    let mut keyed: Vec<(u64, u32)> = y
        .chunks_exact(2)
        .enumerate()
        .map(|(i, p)| {
            (
                spread(cell(p[0], 0)) | (spread(cell(p[1], 1)) << 1),
                i as u32,
            )
        })
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// The graph with each point's `k` nearest neighbours only.
fn first_neighbors(graph: &KnnGraph, k: usize) -> KnnGraph {
    if graph.k == k {
        return graph.clone();
    }
    let keep = |values: &[u32]| -> Vec<u32> {
        values
            .chunks_exact(graph.k)
            .flat_map(|row| &row[..k])
            .copied()
            .collect()
    };
    let distances = graph
        .distances
        .chunks_exact(graph.k)
        .flat_map(|row| &row[..k])
        .copied()
        .collect();
    KnnGraph {
        k,
        indices: keep(&graph.indices),
        distances,
    }
}

fn check_params(n: usize, params: &TsneParams) -> Result<(), ReduceError> {
    let bad = |name, value: String, accepted: &str| {
        Err(ReduceError::BadParameter {
            name,
            value,
            accepted: accepted.into(),
        })
    };
    if params.dim != 2 {
        return bad(
            "dim",
            params.dim.to_string(),
            "2 (this t-SNE lays out in two dimensions)",
        );
    }
    if !(params.perplexity > 0.0 && params.perplexity <= MAX_PERPLEXITY) {
        return bad(
            "perplexity",
            params.perplexity.to_string(),
            "numbers above 0 up to 100 (each point keeps 3 perplexity + 1 neighbours)",
        );
    }
    if !(params.early_exaggeration.is_finite() && params.early_exaggeration >= 1.0) {
        return bad(
            "early_exaggeration",
            params.early_exaggeration.to_string(),
            "numbers from 1 up",
        );
    }
    if let Some(rate) = params.learning_rate
        && !(rate.is_finite() && rate > 0.0)
    {
        return bad("learning_rate", rate.to_string(), "numbers above 0");
    }
    let needed = (params.perplexity.floor() as usize + 1).max(2);
    if n < needed {
        return Err(ReduceError::TooFewPoints {
            points: n,
            needed,
            why: format!(
                "t-SNE needs more points than the perplexity ({})",
                params.perplexity
            ),
        });
    }
    Ok(())
}

/// scikit-learn's `init="pca"`: the first two principal components scaled so
/// that the first has standard deviation 1e-4.
fn pca_initialization(data: ArrayView2<f32>, pool: &Pool) -> Result<Vec<f32>, ReduceError> {
    let dim = 2.min(data.ncols());
    let coords = pca_on(pool, data, dim)?.coords;
    let n = coords.nrows() as f64;
    let first = coords.column(0);
    let mean = first.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let variance = first
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / n;
    let scale = if variance > 0.0 {
        1e-4 / variance.sqrt()
    } else {
        1.0
    };
    let mut y = vec![0.0f32; coords.nrows() * 2];
    for (point, row) in y.chunks_exact_mut(2).zip(coords.rows()) {
        for (out, &v) in point.iter_mut().zip(row) {
            *out = (f64::from(v) * scale) as f32;
        }
    }
    Ok(y)
}

/// scikit-learn's `_gradient_descent` state: the last update and the gains.
struct Optimizer {
    update: Vec<f32>,
    gains: Vec<f32>,
    /// The attractive forces, then the gradient.
    gradient: Vec<f32>,
    repulsion_forces: Vec<f32>,
    repulsion: Repulsion,
    xs: Vec<f32>,
    ys: Vec<f32>,
    attraction: Vec<ChunkForces>,
}

impl Optimizer {
    fn new(n: usize) -> Optimizer {
        Optimizer {
            update: vec![0.0; 2 * n],
            gains: vec![1.0; 2 * n],
            gradient: vec![0.0; 2 * n],
            repulsion_forces: vec![0.0; 2 * n],
            repulsion: Repulsion::new(n),
            xs: Vec::new(),
            ys: Vec::new(),
            attraction: Vec::new(),
        }
    }

    fn reset(&mut self) {
        self.update.fill(0.0);
        self.gains.fill(1.0);
    }

    /// One iteration of scikit-learn's update: gains grow by 0.2 where the
    /// gradient changed sign against the last update and shrink by 0.8
    /// elsewhere (at least `MIN_GAIN`), then momentum descent. Never inlined
    /// into the iteration loop: V8 runs a wasm function's optimised code only
    /// from its next call on, so the work must come in many calls.
    #[inline(never)]
    fn step(
        &mut self,
        p: &JointProbabilities,
        y: &mut [f32],
        exaggeration: f32,
        momentum: f32,
        rate: f32,
        pool: &Pool,
    ) {
        self.compute_gradient(p, y, exaggeration, pool);
        for (((yc, update), gain), &gradient) in y
            .iter_mut()
            .zip(self.update.iter_mut())
            .zip(self.gains.iter_mut())
            .zip(&self.gradient)
        {
            *gain = if *update * gradient < 0.0 {
                *gain + 0.2
            } else {
                *gain * 0.8
            };
            if *gain < MIN_GAIN {
                *gain = MIN_GAIN;
            }
            *update = momentum * *update - rate * *gain * gradient;
            *yc += *update;
        }
    }

    /// Leaves the KL divergence's gradient, 4 (exaggeration sum_j p_ij q_ij
    /// (y_i - y_j) - sum_j q_ij^2 (y_i - y_j) / Z), in `self.gradient`.
    fn compute_gradient(
        &mut self,
        p: &JointProbabilities,
        y: &[f32],
        exaggeration: f32,
        pool: &Pool,
    ) {
        attraction::attractive_forces(
            p,
            y,
            &mut self.gradient,
            &mut self.xs,
            &mut self.ys,
            &mut self.attraction,
            pool,
        );
        let z = self.repulsion.forces(y, &mut self.repulsion_forces, pool);
        let inverse_z = (1.0 / z) as f32;
        for (attract, &repel) in self.gradient.iter_mut().zip(&self.repulsion_forces) {
            *attract = 4.0 * (exaggeration * *attract - repel * inverse_z);
        }
    }
}

fn step<'a>(stage: Stage, done: usize, total: usize, layout: Option<&'a [f32]>) -> Step<'a> {
    Step {
        stage,
        done,
        total,
        layout,
    }
}

fn report(
    observer: &mut dyn Observer,
    stage: Stage,
    done: usize,
    total: usize,
    layout: Option<&[f32]>,
) -> Result<(), ReduceError> {
    match observer.step(step(stage, done, total, layout)) {
        Control::Continue => Ok(()),
        Control::Cancel => Err(ReduceError::Cancelled),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{RngExt, SeedableRng};

    /// `clusters` Gaussian blobs of `per_cluster` points in `dim` dimensions,
    /// centres 10 apart on the axes; returns the data and each row's blob.
    fn blobs(
        clusters: usize,
        per_cluster: usize,
        dim: usize,
        seed: u64,
    ) -> (Array2<f32>, Vec<usize>) {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut normal = || (0..6).map(|_| rng.random::<f32>()).sum::<f32>() - 3.0;
        let n = clusters * per_cluster;
        let mut data = Array2::zeros((n, dim));
        let labels: Vec<usize> = (0..n).map(|i| i / per_cluster).collect();
        for (i, mut row) in data.rows_mut().into_iter().enumerate() {
            for (d, v) in row.iter_mut().enumerate() {
                let centre = if d == labels[i] % dim { 10.0 } else { 0.0 };
                *v = centre + normal();
            }
        }
        (data, labels)
    }

    fn affinities(data: &Array2<f32>, perplexity: f32) -> JointProbabilities {
        let k = neighbor_count(data.nrows(), perplexity);
        let graph = knn::exact_nearest_neighbors(data.view(), k);
        let squared: Vec<f32> = graph.distances.iter().map(|d| d * d).collect();
        let conditional = affinity::binary_search_perplexity(
            &squared,
            k,
            f64::from(perplexity),
            &Pool::serial(),
            |_| true,
        )
        .unwrap();
        JointProbabilities::from_conditional(&graph, &conditional)
    }

    fn dense(p: &JointProbabilities) -> Vec<f64> {
        let n = p.len;
        let mut dense = vec![0.0; n * n];
        for i in 0..n {
            for (j, pij) in p.upper_row(i) {
                dense[i * n + j] = f64::from(pij);
                dense[j * n + i] = f64::from(pij);
            }
        }
        dense
    }

    /// The exact gradient, O(N^2) in f64.
    fn exact_gradient(p: &[f64], y: &[f32], exaggeration: f64) -> Vec<f64> {
        let n = y.len() / 2;
        let w = |i: usize, j: usize| {
            let dx = f64::from(y[2 * i]) - f64::from(y[2 * j]);
            let dy = f64::from(y[2 * i + 1]) - f64::from(y[2 * j + 1]);
            (1.0 / (1.0 + dx * dx + dy * dy), dx, dy)
        };
        let z: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| w(i, j).0)
            .sum();
        let mut gradient = vec![0.0; 2 * n];
        for i in 0..n {
            for j in (0..n).filter(|&j| j != i) {
                let (q, dx, dy) = w(i, j);
                let coefficient = 4.0 * (exaggeration * p[i * n + j] - q / z) * q;
                gradient[2 * i] += coefficient * dx;
                gradient[2 * i + 1] += coefficient * dy;
            }
        }
        gradient
    }

    fn kl_divergence(p: &[f64], y: &[f32]) -> f64 {
        let n = y.len() / 2;
        let mut w = vec![0.0; n * n];
        for i in 0..n {
            for j in (0..n).filter(|&j| j != i) {
                let dx = f64::from(y[2 * i]) - f64::from(y[2 * j]);
                let dy = f64::from(y[2 * i + 1]) - f64::from(y[2 * j + 1]);
                w[i * n + j] = 1.0 / (1.0 + dx * dx + dy * dy);
            }
        }
        let z: f64 = w.iter().sum();
        p.iter()
            .zip(&w)
            .filter(|(p, _)| **p > 0.0)
            .map(|(p, w)| p * (p / (w / z)).ln())
            .sum()
    }

    fn relative_rms_error(got: &[f32], want: &[f64]) -> f64 {
        let error: f64 = got
            .iter()
            .zip(want)
            .map(|(g, w)| (f64::from(*g) - w).powi(2))
            .sum();
        let norm: f64 = want.iter().map(|w| w * w).sum();
        (error / norm).sqrt()
    }

    #[test]
    fn gradient_matches_the_exact_sum() {
        let (data, _) = blobs(4, 100, 5, 1);
        let p = affinities(&data, 20.0);
        let dense_p = dense(&p);
        let mut rng = StdRng::seed_from_u64(2);
        // A compact map (fine grid only) and a wide one (coarse grid and near field).
        for (width, exaggeration) in [(8.0f32, 12.0f32), (300.0, 1.0)] {
            let y: Vec<f32> = (0..2 * data.nrows())
                .map(|_| width * (rng.random::<f32>() - 0.5))
                .collect();
            let mut optimizer = Optimizer::new(data.nrows());
            optimizer.compute_gradient(&p, &y, exaggeration, &Pool::serial());
            let want = exact_gradient(&dense_p, &y, f64::from(exaggeration));
            let error = relative_rms_error(&optimizer.gradient, &want);
            assert!(error < 2e-2, "map width {width}: relative error {error}");
        }
    }

    #[test]
    fn kl_divergence_decreases() {
        let (data, _) = blobs(3, 60, 6, 3);
        let params = TsneParams {
            perplexity: 15.0,
            n_iter: 500,
            snapshot_every: 50,
            ..TsneParams::default()
        };
        let p = dense(&affinities(&data, params.perplexity));
        let mut early = Vec::new();
        let mut late = Vec::new();
        let mut observer = |step: Step<'_>| {
            if let Some(layout) = step.layout {
                let kl = kl_divergence(&p, layout);
                if step.stage == Stage::Optimize {
                    late.push(kl)
                } else {
                    early.push(kl)
                }
            }
            Control::Continue
        };
        tsne(data.view(), &params, &mut observer).unwrap();
        assert_eq!((early.len(), late.len()), (5, 5));
        assert!(late[0] < 0.5 * early[0], "early {early:?}, late {late:?}");
        for pair in late.windows(2) {
            assert!(pair[1] < pair[0], "KL divergence went up: {late:?}");
        }
    }

    #[test]
    fn same_seed_same_bits() {
        let (data, _) = blobs(3, 40, 4, 5);
        let params = TsneParams {
            perplexity: 10.0,
            n_iter: 300,
            ..TsneParams::default()
        };
        let first = tsne(data.view(), &params, &mut crate::reduce::Silent).unwrap();
        let second = tsne(data.view(), &params, &mut crate::reduce::Silent).unwrap();
        let bits = |a: &Array2<f32>| a.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&first), bits(&second));
    }

    #[test]
    fn the_same_bits_for_any_number_of_threads() {
        // Wide enough late in the run for the coarse grid and its near field.
        let (data, _) = blobs(6, 400, 8, 15);
        let run = |threads: usize| {
            let params = TsneParams {
                perplexity: 20.0,
                n_iter: 400,
                threads: Threads::new(threads).unwrap(),
                ..TsneParams::default()
            };
            let y = tsne(data.view(), &params, &mut crate::reduce::Silent).unwrap();
            y.iter().map(|v| v.to_bits()).collect::<Vec<u32>>()
        };
        let one = run(1);
        for threads in [2, 3, 8] {
            assert!(run(threads) == one, "{threads} threads");
        }
    }

    #[test]
    fn huge_values_give_the_map_of_the_data_scaled_down() {
        // Values near 1e19 once overflowed the squared distances and made
        // the repulsion grid panic. Scaled by a power of two, the input now
        // gives the map of the data whose largest magnitude is in [1, 2).
        let (data, _) = blobs(3, 40, 4, 21);
        let largest = data.iter().fold(0.0f32, |m, &v| m.max(v.abs()));
        let data = data.mapv(|v| v / largest);
        let params = TsneParams {
            perplexity: 10.0,
            n_iter: 300,
            ..TsneParams::default()
        };
        let want = tsne(data.view(), &params, &mut crate::reduce::Silent).unwrap();
        for power in [2f32.powi(64), 2f32.powi(-70)] {
            let huge = data.mapv(|v| v * power);
            let got = tsne(huge.view(), &params, &mut crate::reduce::Silent).unwrap();
            assert!(
                got.iter()
                    .zip(&want)
                    .all(|(a, b)| a.to_bits() == b.to_bits())
            );
        }
    }

    #[test]
    fn a_learning_rate_beyond_reason_gives_a_finite_map_or_an_error() {
        let (data, _) = blobs(2, 30, 3, 9);
        for rate in [1e30, f32::MAX] {
            for early_exaggeration in [12.0, 1e30] {
                let params = TsneParams {
                    perplexity: 5.0,
                    n_iter: 60,
                    learning_rate: Some(rate),
                    early_exaggeration,
                    ..TsneParams::default()
                };
                match tsne(data.view(), &params, &mut crate::reduce::Silent) {
                    Ok(y) => assert!(y.iter().all(|v| v.is_finite())),
                    Err(e) => assert!(matches!(e, ReduceError::OutOfRange { .. }), "{e}"),
                }
            }
        }
    }

    #[test]
    fn separated_clusters_stay_separated() {
        let (data, labels) = blobs(5, 80, 10, 7);
        let y = tsne(
            data.view(),
            &TsneParams::default(),
            &mut crate::reduce::Silent,
        )
        .unwrap();
        let map_neighbors = knn::exact_nearest_neighbors(y.view(), 10);
        let same = (0..data.nrows())
            .flat_map(|i| {
                map_neighbors
                    .neighbors(i)
                    .iter()
                    .map(move |&j| (i, j as usize))
            })
            .filter(|&(i, j)| labels[i] == labels[j])
            .count();
        let share = same as f64 / (10 * data.nrows()) as f64;
        assert!(
            share > 0.99,
            "only {share} of map neighbours share a cluster"
        );
    }

    #[test]
    fn reports_stages_and_snapshots() {
        let (data, _) = blobs(2, 30, 3, 9);
        let params = TsneParams {
            perplexity: 5.0,
            n_iter: 45,
            early_exaggeration_iter: 20,
            snapshot_every: 10,
            ..TsneParams::default()
        };
        let mut steps: Vec<(Stage, usize, usize, Option<Vec<f32>>)> = Vec::new();
        let mut observer = |step: Step<'_>| {
            steps.push((
                step.stage,
                step.done,
                step.total,
                step.layout.map(<[f32]>::to_vec),
            ));
            Control::Continue
        };
        let y = tsne(data.view(), &params, &mut observer).unwrap();
        let stages: Vec<Stage> = steps.iter().map(|s| s.0).collect();
        // The neighbour search reports in its own steps, first.
        let searching = stages
            .iter()
            .take_while(|&&s| s == Stage::NearestNeighbors)
            .count();
        assert!(searching >= 1);
        assert_eq!(stages[searching], Stage::Affinities);
        assert_eq!(
            stages.iter().filter(|&&s| s == Stage::Affinities).count(),
            1
        );
        assert_eq!(
            stages
                .iter()
                .filter(|&&s| s == Stage::EarlyExaggeration)
                .count(),
            20
        );
        assert_eq!(stages.iter().filter(|&&s| s == Stage::Optimize).count(), 25);
        let optimize: Vec<_> = steps.iter().filter(|s| s.0 == Stage::Optimize).collect();
        assert_eq!((optimize[0].1, optimize[0].2), (1, 25));
        let snapshots: Vec<usize> = steps
            .iter()
            .filter(|s| s.0 == Stage::EarlyExaggeration || s.0 == Stage::Optimize)
            .enumerate()
            .filter(|(_, s)| s.3.is_some())
            .map(|(i, _)| i + 1)
            .collect();
        assert_eq!(snapshots, [10, 20, 30, 40, 45]);
        assert_eq!(
            steps.last().unwrap().3.as_deref(),
            Some(y.as_slice().unwrap())
        );
    }

    #[test]
    fn no_snapshots_when_asked_for_none() {
        let (data, _) = blobs(2, 30, 3, 9);
        let params = TsneParams {
            perplexity: 5.0,
            n_iter: 30,
            snapshot_every: 0,
            ..TsneParams::default()
        };
        let mut offered = 0;
        let mut observer = |step: Step<'_>| {
            offered += usize::from(step.layout.is_some());
            Control::Continue
        };
        let y = tsne(data.view(), &params, &mut observer).unwrap();
        assert_eq!(offered, 0);
        assert!(y.iter().all(|v| v.is_finite()) && y.iter().any(|&v| v != 0.0));
    }

    #[test]
    fn cancelling_stops_promptly() {
        let (data, _) = blobs(2, 30, 3, 11);
        let params = TsneParams {
            perplexity: 5.0,
            ..TsneParams::default()
        };
        for cancel_at in [
            Stage::NearestNeighbors,
            Stage::Affinities,
            Stage::EarlyExaggeration,
            Stage::Optimize,
        ] {
            let mut calls_after_cancel = 0;
            let mut cancelled = false;
            let mut observer = |step: Step<'_>| {
                if cancelled {
                    calls_after_cancel += 1;
                }
                if step.stage == cancel_at {
                    cancelled = true;
                    return Control::Cancel;
                }
                Control::Continue
            };
            let params = TsneParams {
                snapshot_every: 1,
                ..params.clone()
            };
            assert_eq!(
                tsne(data.view(), &params, &mut observer),
                Err(ReduceError::Cancelled),
                "{cancel_at:?}"
            );
            assert!(cancelled && calls_after_cancel == 0, "{cancel_at:?}");
        }
    }

    #[test]
    fn rejects_bad_parameters_with_reasons() {
        let (data, _) = blobs(2, 10, 3, 13);
        let with = |params: TsneParams| tsne(data.view(), &params, &mut crate::reduce::Silent);
        let name = |r: Result<Array2<f32>, ReduceError>| match r {
            Err(ReduceError::BadParameter { name, .. }) => name,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            name(with(TsneParams {
                dim: 3,
                ..TsneParams::default()
            })),
            "dim"
        );
        assert_eq!(
            name(with(TsneParams {
                perplexity: f32::NAN,
                ..TsneParams::default()
            })),
            "perplexity"
        );
        // Bounded whatever N: 3 perplexity + 1 neighbours a point.
        let (many, _) = blobs(2, 200, 3, 13);
        let over = tsne(
            many.view(),
            &TsneParams {
                perplexity: 150.0,
                ..TsneParams::default()
            },
            &mut crate::reduce::Silent,
        );
        assert_eq!(name(over), "perplexity");
        assert_eq!(
            name(with(TsneParams {
                perplexity: 5.0,
                learning_rate: Some(0.0),
                ..TsneParams::default()
            })),
            "learning_rate"
        );
        assert_eq!(
            name(with(TsneParams {
                perplexity: 5.0,
                early_exaggeration: 0.5,
                ..TsneParams::default()
            })),
            "early_exaggeration"
        );
        assert!(matches!(
            with(TsneParams::default()),
            Err(ReduceError::TooFewPoints {
                points: 20,
                needed: 31,
                ..
            })
        ));
        let mut bad = data.clone();
        bad[[4, 2]] = f32::INFINITY;
        assert_eq!(
            tsne(
                bad.view(),
                &TsneParams {
                    perplexity: 5.0,
                    ..TsneParams::default()
                },
                &mut crate::reduce::Silent
            ),
            Err(ReduceError::NonFinite { row: 4, column: 2 })
        );
    }
}
