//! UMAP (McInnes, Healy and Melville 2018), step by step as umap-learn 0.5.12
//! runs it with Euclidean input and output, and under its names:
//!
//! 1. [`nearest_neighbors`](crate::reduce::knn::nearest_neighbors): each
//!    point's n_neighbors - 1 nearest others (umap-learn counts the point
//!    itself), exact for small inputs (below about 5,000 points), NN-descent
//!    for large ones.
//! 2. [`fuzzy::smooth_knn_dist`], [`fuzzy::compute_membership_strengths`],
//!    [`fuzzy::fuzzy_simplicial_set`]: local fuzzy sets and their union.
//! 3. Edges lighter than max / n_epochs are dropped (they would never be
//!    sampled), as in umap-learn's `simplicial_set_embedding`.
//! 4. [`spectral::spectral_layout`]: the initial layout, scaled to at most 10
//!    with N(0, 1e-4) noise (`noisy_scale_coords`), then each coordinate to [0, 10].
//! 5. [`curve::find_ab_params`]: a and b from min_dist and spread.
//! 6. [`layout::make_epochs_per_sample`], [`layout::optimize_layout_euclidean`]:
//!    SGD with negative sampling for n_epochs (500 up to 10,000 points, 200 above).
//!
//! Everything runs from one seed, in fixed chunks on as many threads as
//! `threads` allows, with arithmetic that is the same on every target, so a
//! seed gives the same layout bit for bit natively and in wasm, on one
//! thread or eight. Progress goes to the [`Observer`] under each step's name; the
//! layout is offered every `snapshot_every` epochs; cancelling stops within an
//! epoch.

pub mod curve;
mod eigen;
pub mod fuzzy;
pub mod layout;
pub mod spectral;
mod transform;

use ndarray::{Array2, ArrayView2};

pub use transform::{TransformGraph, UmapModel};

use super::random::Random;
use super::{Control, Observer, ReduceError, Stage, Step, knn};
use crate::parallel::{Pool, Threads};

/// umap-learn defaults (SPEC section 6).
#[derive(Debug, Clone, PartialEq)]
pub struct UmapParams {
    pub dim: usize,
    pub n_neighbors: usize,
    pub min_dist: f32,
    pub spread: f32,
    /// `None`: umap-learn's rule, 500 epochs up to 10,000 points, 200 above.
    pub n_epochs: Option<usize>,
    pub negative_sample_rate: usize,
    pub learning_rate: f32,
    pub seed: u64,
    /// Offer the layout to the observer every this many epochs (0: never).
    pub snapshot_every: usize,
    /// Threads to run on; the layout is the same bits for any number.
    pub threads: Threads,
}

impl Default for UmapParams {
    fn default() -> Self {
        UmapParams {
            dim: 2,
            n_neighbors: 15,
            min_dist: 0.1,
            spread: 1.0,
            n_epochs: None,
            negative_sample_rate: 5,
            learning_rate: 1.0,
            seed: 42,
            snapshot_every: 10,
            threads: Threads::all(),
        }
    }
}

/// The layout and how it was made.
#[derive(Debug, Clone, PartialEq)]
pub struct UmapOutcome {
    /// N x dim.
    pub embedding: Array2<f32>,
    pub a: f32,
    pub b: f32,
    pub n_epochs: usize,
    /// Edges of the fuzzy graph that were optimised (both directions count).
    pub edges: usize,
    /// Why the initial layout is not exactly spectral, if it is not (parts
    /// placed at random, or eigenvectors short of the tolerance).
    pub random_init: Option<String>,
}

/// Largest output dimension: the optimiser is specialised per dimension.
pub const MAX_DIM: usize = 4;

/// Largest n_neighbors (the page's limit too): the fuzzy graph and the
/// optimisation grow with it (N x n_neighbors edges), and umap-learn's
/// documentation suggests 2 to 100.
pub const MAX_N_NEIGHBORS: usize = 200;

/// Random streams for the steps that draw numbers, kept apart so that one
/// step drawing more does not change what another sees.
const SPECTRAL: u64 = 11;
const NOISE: u64 = 12;
const SGD: u64 = 13;

pub fn umap(
    data: ArrayView2<f32>,
    params: &UmapParams,
    observer: &mut dyn Observer,
) -> Result<Array2<f32>, ReduceError> {
    umap_with_outcome(data, params, observer).map(|o| o.embedding)
}

/// [`umap`], also returning a, b, the epoch count, the number of edges and
/// whether the spectral initialisation had to fall back to random positions.
pub fn umap_with_outcome(
    data: ArrayView2<f32>,
    params: &UmapParams,
    observer: &mut dyn Observer,
) -> Result<UmapOutcome, ReduceError> {
    check_params(params, data.nrows())?;
    let scaled = super::in_safe_range(data);
    let data = scaled.as_ref().map_or(data, |(x, _)| x.view());
    let n = data.nrows();
    let dim = params.dim;
    let pool = Pool::new(params.threads);
    let knn =
        knn::nearest_neighbors_on(&pool, data, params.n_neighbors - 1, params.seed, observer)?;
    announce(observer, Stage::FuzzySimplicialSet)?;
    let graph = fuzzy::fuzzy_simplicial_set(&knn);
    drop(knn);

    let n_epochs = params
        .n_epochs
        .unwrap_or(if n <= 10_000 { 500 } else { 200 });
    let max_weight = graph.weights.iter().copied().fold(0.0f32, f32::max);
    // umap-learn prunes against its default epoch count when asked for 10 or fewer.
    let prune_epochs = if n_epochs > 10 {
        n_epochs
    } else if n <= 10_000 {
        500
    } else {
        200
    };
    let threshold = max_weight as f64 / prune_epochs as f64;
    let graph = graph.filter(|w| w as f64 >= threshold);

    announce(observer, Stage::SpectralLayout)?;
    let init = spectral::spectral_layout(
        data,
        &graph,
        dim,
        &mut Random::fork(params.seed, SPECTRAL),
        &pool,
    );
    let mut embedding = noisy_scale_coords(&init.coords, &mut Random::fork(params.seed, NOISE));
    scale_to_ten(&mut embedding, dim);

    let (a, b) = curve::find_ab_params(params.spread as f64, params.min_dist as f64);
    let (a, b) = (a as f32, b as f32);
    // Edges in rounds (every vertex's first edge, then every vertex's second,
    // ...) so consecutive samples move different points and the processor
    // can overlap them; umap-learn goes row by row. A counting sort by round.
    let degree = |i: usize| graph.indptr[i + 1] - graph.indptr[i];
    let max_degree = (0..n).map(degree).max().unwrap_or(0);
    let mut round_start = vec![0usize; max_degree + 1];
    for i in 0..n {
        for r in 0..degree(i) {
            round_start[r + 1] += 1;
        }
    }
    for r in 0..max_degree {
        round_start[r + 1] += round_start[r];
    }
    let edges = graph.edges();
    let (mut head, mut tail, mut weights) =
        (vec![0u32; edges], vec![0u32; edges], vec![0f32; edges]);
    for i in 0..n {
        let (cols, ws) = graph.row(i);
        for (r, (&j, &w)) in cols.iter().zip(ws).enumerate() {
            let at = round_start[r];
            round_start[r] += 1;
            (head[at], tail[at], weights[at]) = (i as u32, j, w);
        }
    }
    let epochs_per_sample = layout::make_epochs_per_sample(&weights, n_epochs);
    let opt = layout::Optimization {
        head: &head,
        tail: &tail,
        epochs_per_sample: &epochs_per_sample,
        n_epochs,
        a,
        b,
        gamma: 1.0,
        initial_alpha: params.learning_rate,
        negative_sample_rate: params.negative_sample_rate as f64,
        snapshot_every: params.snapshot_every,
    };
    let mut random = Random::fork(params.seed, SGD);
    let r = &mut random;
    match dim {
        1 => layout::optimize_layout_euclidean::<1>(&mut embedding, &opt, r, &pool, observer)?,
        2 => layout::optimize_layout_euclidean::<2>(&mut embedding, &opt, r, &pool, observer)?,
        3 => layout::optimize_layout_euclidean::<3>(&mut embedding, &opt, r, &pool, observer)?,
        _ => layout::optimize_layout_euclidean::<4>(&mut embedding, &opt, r, &pool, observer)?,
    }
    if !embedding.iter().all(|x| x.is_finite()) {
        return Err(ReduceError::OutOfRange {
            method: "UMAP",
            hint: "lower the learning rate",
        });
    }
    let embedding = Array2::from_shape_vec((n, dim), embedding)
        .unwrap_or_else(|_| unreachable!("N x dim values"));
    Ok(UmapOutcome {
        embedding,
        a,
        b,
        n_epochs,
        edges: graph.edges(),
        random_init: init.fallback,
    })
}

fn announce(observer: &mut dyn Observer, stage: Stage) -> Result<(), ReduceError> {
    match observer.step(Step {
        stage,
        done: 0,
        total: 1,
        layout: None,
    }) {
        Control::Continue => Ok(()),
        Control::Cancel => Err(ReduceError::Cancelled),
    }
}

fn check_params(params: &UmapParams, points: usize) -> Result<(), ReduceError> {
    let bad = |name: &'static str, value: String, accepted: &str| {
        Err(ReduceError::BadParameter {
            name,
            value,
            accepted: accepted.into(),
        })
    };
    if !(1..=MAX_DIM).contains(&params.dim) {
        return bad("dim", params.dim.to_string(), "1..=4");
    }
    if !(2..=MAX_N_NEIGHBORS).contains(&params.n_neighbors) {
        return bad(
            "n_neighbors",
            params.n_neighbors.to_string(),
            "2..=200 (larger graphs cost N x n_neighbors edges for no better map)",
        );
    }
    if !(params.spread.is_finite() && params.spread > 0.0) {
        return bad("spread", params.spread.to_string(), "a positive number");
    }
    if !(params.min_dist.is_finite() && params.min_dist >= 0.0 && params.min_dist <= params.spread)
    {
        return bad("min_dist", params.min_dist.to_string(), "0..=spread");
    }
    if params.n_epochs == Some(0) {
        return bad("n_epochs", "0".into(), "1 or more");
    }
    if !(1..=100).contains(&params.negative_sample_rate) {
        return bad(
            "negative_sample_rate",
            params.negative_sample_rate.to_string(),
            "1..=100 (each edge sample costs that many repulsions)",
        );
    }
    if !(params.learning_rate.is_finite() && params.learning_rate > 0.0) {
        return bad(
            "learning_rate",
            params.learning_rate.to_string(),
            "a positive number",
        );
    }
    if points <= params.n_neighbors {
        return Err(ReduceError::TooFewPoints {
            points,
            needed: params.n_neighbors + 1,
            why: format!(
                "UMAP with n_neighbors = {} needs more points than neighbours",
                params.n_neighbors
            ),
        });
    }
    Ok(())
}

/// umap-learn's `noisy_scale_coords`: scale so the largest coordinate is 10,
/// to float32, plus N(0, 1e-4) noise against exact ties.
fn noisy_scale_coords(coords: &[f64], random: &mut Random) -> Vec<f32> {
    let largest = coords.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let expansion = if largest > 0.0 { 10.0 / largest } else { 1.0 };
    let mut scaled: Vec<f32> = coords.iter().map(|&x| (x * expansion) as f32).collect();
    for x in scaled.iter_mut() {
        *x += (random.normal() * 1e-4) as f32;
    }
    scaled
}

/// Each coordinate linearly onto [0, 10], as umap-learn does before optimising.
fn scale_to_ten(embedding: &mut [f32], dim: usize) {
    for c in 0..dim {
        let column = embedding.iter().skip(c).step_by(dim);
        let (lo, hi) = column.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
        let range = hi - lo;
        for x in embedding.iter_mut().skip(c).step_by(dim) {
            *x = if range > 0.0 {
                10.0 * (*x - lo) / range
            } else {
                5.0
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reduce::quality::trustworthiness;
    use crate::reduce::{Silent, Step};

    /// Three Gaussian blobs in 6-D.
    fn blobs(n_per: usize, seed: u64) -> Array2<f32> {
        let mut random = Random::new(seed);
        Array2::from_shape_fn((3 * n_per, 6), |(i, c)| {
            let centre = if c == i / n_per { 8.0 } else { 0.0 };
            (centre + random.normal()) as f32
        })
    }

    fn quick() -> UmapParams {
        UmapParams {
            n_epochs: Some(60),
            snapshot_every: 0,
            ..UmapParams::default()
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_bits() {
        let x = blobs(60, 1);
        let a = umap(x.view(), &quick(), &mut Silent).unwrap();
        let b = umap(x.view(), &quick(), &mut Silent).unwrap();
        let same = a
            .iter()
            .zip(b.iter())
            .all(|(p, q)| p.to_bits() == q.to_bits());
        assert!(same);
        let c = umap(x.view(), &UmapParams { seed: 7, ..quick() }, &mut Silent).unwrap();
        assert!(a.iter().zip(c.iter()).any(|(p, q)| p != q));
    }

    #[test]
    fn the_same_bits_for_any_number_of_threads() {
        // Enough edges for several batches and chunks an epoch.
        let x = blobs(700, 8);
        let run = |threads: usize| {
            let params = UmapParams {
                n_epochs: Some(30),
                threads: Threads::new(threads).unwrap(),
                ..quick()
            };
            let y = umap(x.view(), &params, &mut Silent).unwrap();
            y.iter().map(|v| v.to_bits()).collect::<Vec<u32>>()
        };
        let one = run(1);
        for threads in [2, 3, 8] {
            assert!(run(threads) == one, "{threads} threads");
        }
    }

    #[test]
    fn keeps_the_neighbourhoods_of_clear_clusters() {
        let x = blobs(80, 2);
        let outcome = umap_with_outcome(
            x.view(),
            &UmapParams {
                n_epochs: Some(200),
                ..quick()
            },
            &mut Silent,
        )
        .unwrap();
        assert_eq!(outcome.embedding.dim(), (240, 2));
        assert!(outcome.random_init.is_none());
        assert!(outcome.embedding.iter().all(|v| v.is_finite()));
        let t = trustworthiness(x.view(), outcome.embedding.view(), 10);
        assert!(t > 0.9, "trustworthiness {t}");
    }

    #[test]
    fn reports_every_epoch_and_offers_snapshots() {
        let x = blobs(40, 3);
        let params = UmapParams {
            n_epochs: Some(20),
            snapshot_every: 5,
            dim: 3,
            ..quick()
        };
        let mut epochs = Vec::new();
        let mut snapshots = Vec::new();
        let mut stages = Vec::new();
        let mut observe = |s: Step<'_>| {
            if !stages.contains(&s.stage) {
                stages.push(s.stage);
            }
            if s.stage == Stage::OptimizeLayout {
                assert_eq!(s.total, 20);
                epochs.push(s.done);
                if let Some(layout) = s.layout {
                    assert_eq!(layout.len(), 120 * 3);
                    snapshots.push(s.done);
                }
            }
            Control::Continue
        };
        umap(x.view(), &params, &mut observe).unwrap();
        assert_eq!(
            stages,
            [
                Stage::NearestNeighbors,
                Stage::FuzzySimplicialSet,
                Stage::SpectralLayout,
                Stage::OptimizeLayout
            ]
        );
        assert_eq!(epochs, (1..=20).collect::<Vec<_>>());
        assert_eq!(snapshots, [5, 10, 15, 20]);
    }

    #[test]
    fn cancelling_stops_within_an_epoch() {
        let x = blobs(40, 4);
        let mut epochs_seen = 0;
        let mut cancel_at_three = |s: Step<'_>| {
            if s.stage == Stage::OptimizeLayout {
                epochs_seen += 1;
                if s.done == 3 {
                    return Control::Cancel;
                }
            }
            Control::Continue
        };
        let result = umap(
            x.view(),
            &UmapParams {
                n_epochs: Some(500),
                ..quick()
            },
            &mut cancel_at_three,
        );
        assert_eq!(result, Err(ReduceError::Cancelled));
        assert_eq!(epochs_seen, 3);
    }

    #[test]
    fn degenerate_inputs_give_finite_layouts() {
        // All points identical; a line; two far groups and two stray points
        // (several components, two of them too small for an eigensolve).
        let identical = Array2::<f32>::ones((50, 3));
        let line = Array2::from_shape_fn((60, 2), |(i, c)| if c == 0 { i as f32 } else { 0.0 });
        let mut groups = blobs(30, 6);
        for c in 0..6 {
            groups[[0, c]] = 1e4;
            groups[[1, c]] = -1e4;
        }
        for x in [identical, line, groups] {
            let params = UmapParams {
                n_neighbors: 5,
                ..quick()
            };
            let outcome = umap_with_outcome(x.view(), &params, &mut Silent).unwrap();
            assert!(
                outcome.embedding.iter().all(|v| v.is_finite()),
                "{:?}",
                outcome.random_init
            );
        }
    }

    #[test]
    fn huge_values_give_the_map_of_the_data_scaled_down() {
        // Values near 1e19 once overflowed the squared distances (a map of
        // noise); scaled by a power of two, the input now gives the map of
        // the data whose largest magnitude is in [1, 2).
        let x = blobs(40, 7);
        let largest = x.iter().fold(0.0f32, |m, &v| m.max(v.abs()));
        let x = x.mapv(|v| v / largest);
        let want = umap(x.view(), &quick(), &mut Silent).unwrap();
        for power in [2f32.powi(64), 2f32.powi(-70)] {
            let got = umap(x.mapv(|v| v * power).view(), &quick(), &mut Silent).unwrap();
            assert!(
                got.iter()
                    .zip(&want)
                    .all(|(a, b)| a.to_bits() == b.to_bits())
            );
        }
        let wild = UmapParams {
            learning_rate: f32::MAX,
            ..quick()
        };
        assert!(matches!(
            umap(x.view(), &wild, &mut Silent),
            Err(ReduceError::OutOfRange { .. })
        ));
    }

    #[test]
    fn bad_parameters_and_tiny_inputs_are_errors() {
        let x = blobs(3, 5);
        let too_few = umap(x.view(), &quick(), &mut Silent);
        assert!(
            matches!(
                too_few,
                Err(ReduceError::TooFewPoints {
                    points: 9,
                    needed: 16,
                    ..
                })
            ),
            "{too_few:?}"
        );
        let x = blobs(20, 5);
        for params in [
            UmapParams { dim: 0, ..quick() },
            UmapParams { dim: 5, ..quick() },
            UmapParams {
                n_neighbors: 1,
                ..quick()
            },
            UmapParams {
                n_neighbors: 201,
                ..quick()
            },
            UmapParams {
                min_dist: -0.1,
                ..quick()
            },
            UmapParams {
                min_dist: 2.0,
                ..quick()
            },
            UmapParams {
                spread: f32::NAN,
                ..quick()
            },
            UmapParams {
                n_epochs: Some(0),
                ..quick()
            },
            UmapParams {
                learning_rate: 0.0,
                ..quick()
            },
        ] {
            assert!(
                matches!(
                    umap(x.view(), &params, &mut Silent),
                    Err(ReduceError::BadParameter { .. })
                ),
                "{params:?}"
            );
        }
        let mut with_nan = blobs(20, 5);
        with_nan[[7, 2]] = f32::NAN;
        assert_eq!(
            umap(with_nan.view(), &quick(), &mut Silent),
            Err(ReduceError::NonFinite { row: 7, column: 2 })
        );
    }
}
