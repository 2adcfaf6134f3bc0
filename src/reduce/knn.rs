//! k-nearest-neighbour graphs in Euclidean space, the first step of t-SNE and
//! UMAP (umap-learn's `nearest_neighbors`) and of the quality measures.
//!
//! [`nearest_neighbors`] is what the reducers call: for small inputs (see
//! [`uses_exact_search`]) it compares every pair ([`exact_nearest_neighbors`]),
//! for large ones it runs NN-descent from a random projection forest
//! ([`approximate_nearest_neighbors`]), as umap-learn does. Both are seeded and
//! run in fixed chunks on as many threads as they are given
//! ([`crate::parallel`]), so a seed fixes the graph bit for bit on every
//! target and for any number of threads. Neighbour lists never contain the
//! point itself and are sorted by distance, ties by index.
//!
//! The page, which can only spread work over Web Workers without shared
//! memory, splits the exact search with [`ExactSearchPlan`]: each worker
//! searches a range of tiles ([`exact_search_part`]) and
//! [`exact_search_combine`] merges the parts into the same bits as the
//! one-call search.

mod brute_force;
mod heap;
mod nn_descent;
mod query;
mod rows;
mod rp_forest;

use std::ops::Range;

use ndarray::ArrayView2;

pub use nn_descent::NnDescentParams;
pub use query::NeighborIndex;

use super::{Observer, ReduceError, Silent};
use crate::parallel::{Pool, Threads};
use heap::{EMPTY, NeighborHeaps};
use rows::Rows;

/// For each of N points, its k nearest other points by increasing distance.
#[derive(Debug, Clone, PartialEq)]
pub struct KnnGraph {
    pub k: usize,
    /// N * k neighbour indices, row-major.
    pub indices: Vec<u32>,
    /// N * k Euclidean distances, matching `indices`.
    pub distances: Vec<f32>,
}

impl KnnGraph {
    pub fn len(&self) -> usize {
        self.indices.len() / self.k.max(1)
    }

    /// The share of `exact`'s neighbours this graph also lists, row by row
    /// (how well an approximate search did); graphs of the same points.
    pub fn recall_against(&self, exact: &KnnGraph) -> f64 {
        let hits: usize = (0..exact.len().min(self.len()))
            .map(|i| {
                let truth = exact.neighbors(i);
                self.neighbors(i)
                    .iter()
                    .filter(|j| truth.contains(j))
                    .count()
            })
            .sum();
        hits as f64 / exact.indices.len().max(1) as f64
    }

    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }

    pub fn neighbors(&self, i: usize) -> &[u32] {
        &self.indices[i * self.k..(i + 1) * self.k]
    }

    pub fn neighbor_distances(&self, i: usize) -> &[f32] {
        &self.distances[i * self.k..(i + 1) * self.k]
    }

    fn from_heaps(heaps: NeighborHeaps) -> KnnGraph {
        let k = heaps.k();
        let (indices, keys) = heaps.into_sorted();
        debug_assert!(!indices.contains(&EMPTY));
        KnnGraph {
            k,
            indices,
            distances: keys.into_iter().map(f32::sqrt).collect(),
        }
    }
}

/// Below this many points, at k = 15, [`nearest_neighbors`] compares all
/// pairs; see [`uses_exact_search`].
pub const EXACT_BELOW: usize = 5000;

/// Whether [`nearest_neighbors`] compares all pairs for N points and k
/// neighbours: when N < 5,000 (k / 15)^1.5, where the exact search is the
/// faster one. Its cost grows with N^2 and hardly with k (12,000 x 200: 0.5 s
/// at k = 14 and 0.9 s at k = 90, natively); NN-descent's grows with N and
/// about k^1.5 (0.26 s at k = 14, 4.2 s at k = 90), so the crossover moves up
/// with k: about 5,000 points for UMAP's k = 14, 85,000 for t-SNE's k = 90.
/// (umap-learn switches at 4,096 whatever k.) Integer arithmetic, so every
/// target makes the same choice.
pub fn uses_exact_search(n: usize, k: usize) -> bool {
    // n < EXACT_BELOW (k / 15)^1.5  <=>  n^2 15^3 < EXACT_BELOW^2 k^3
    let (n, k, limit) = (n as u128, k as u128, EXACT_BELOW as u128);
    n * n * 15 * 15 * 15 < limit * limit * k * k * k
}

/// Each point's k nearest other points, exact for small inputs and by
/// NN-descent for large ones ([`uses_exact_search`]), on every core. Needs
/// finite input and at least k + 1 points. Reports progress as stage
/// "nearest_neighbors" and honours cancellation.
pub fn nearest_neighbors(
    data: ArrayView2<f32>,
    k: usize,
    seed: u64,
    observer: &mut dyn Observer,
) -> Result<KnnGraph, ReduceError> {
    nearest_neighbors_on(&Pool::new(Threads::all()), data, k, seed, observer)
}

/// [`nearest_neighbors`] on the threads of `pool` (the same bits for any number).
pub fn nearest_neighbors_on(
    pool: &Pool,
    data: ArrayView2<f32>,
    k: usize,
    seed: u64,
    observer: &mut dyn Observer,
) -> Result<KnnGraph, ReduceError> {
    check_input(data, k)?;
    let rows = Rows::new(data);
    let heaps = if uses_exact_search(data.nrows(), k) {
        brute_force::nearest_neighbors(&rows, k, pool, observer)?
    } else {
        nn_descent::nn_descent(
            &rows,
            k,
            &NnDescentParams::for_size(data.nrows(), k),
            seed,
            pool,
            observer,
        )?
    };
    Ok(KnnGraph::from_heaps(heaps))
}

/// Exact k nearest neighbours by comparing every pair (k is capped at N - 1),
/// on every core. Ties go to the smaller index. The data should be finite:
/// distances that come out NaN count as infinite.
pub fn exact_nearest_neighbors(data: ArrayView2<f32>, k: usize) -> KnnGraph {
    exact_nearest_neighbors_on(&Pool::new(Threads::all()), data, k)
}

/// [`exact_nearest_neighbors`] on the threads of `pool`.
pub fn exact_nearest_neighbors_on(pool: &Pool, data: ArrayView2<f32>, k: usize) -> KnnGraph {
    let k = k.min(data.nrows().saturating_sub(1));
    if k == 0 {
        return KnnGraph {
            k,
            indices: Vec::new(),
            distances: Vec::new(),
        };
    }
    let heaps = brute_force::nearest_neighbors(&Rows::new(data), k, pool, &mut Silent);
    KnnGraph::from_heaps(heaps.unwrap_or_else(|_| unreachable!("Silent never cancels")))
}

/// The exact search of N points cut into tiles for workers that share no
/// memory: the pairs (i, j), i < j, fall into tiles of two blocks of
/// [`ExactSearchPlan::ROW_BLOCK`] points, numbered 0..[`ExactSearchPlan::tiles`].
/// Any split of the tiles into ranges, searched anywhere by
/// [`exact_search_part`] and merged by [`exact_search_combine`], gives the
/// graph [`exact_nearest_neighbors`] gives, bit for bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExactSearchPlan {
    pub points: usize,
}

impl ExactSearchPlan {
    pub const ROW_BLOCK: usize = brute_force::ROW_BLOCK;

    pub fn new(points: usize) -> ExactSearchPlan {
        ExactSearchPlan { points }
    }

    pub fn tiles(&self) -> usize {
        brute_force::tiles(self.points)
    }

    /// Tile ranges for `parts` workers with about the same number of pairs
    /// each (a diagonal tile holds half as many as the others).
    pub fn split(&self, parts: usize) -> Vec<Range<usize>> {
        let tiles = self.tiles();
        let weight = |t: usize| {
            let (i, j) = brute_force::tile_blocks(t);
            if i == j { 1 } else { 2 }
        };
        let total: usize = (0..tiles).map(weight).sum();
        let parts = parts.clamp(1, tiles.max(1));
        let mut ranges = Vec::with_capacity(parts);
        let (mut start, mut done) = (0, 0);
        for t in 0..tiles {
            done += weight(t);
            if done * parts >= total * (ranges.len() + 1) && ranges.len() + 1 < parts {
                ranges.push(start..t + 1);
                start = t + 1;
            }
        }
        ranges.push(start..tiles);
        ranges
    }
}

/// What one part of a split exact search found: for every point, the best
/// `k` candidates the part's tiles offered (index [`u32::MAX`] and key
/// infinity in unfilled slots), keyed by squared distance from dot products.
/// Plain vectors, to travel between workers.
#[derive(Debug, Clone, PartialEq)]
pub struct KnnCandidates {
    pub k: usize,
    pub indices: Vec<u32>,
    pub keys: Vec<f32>,
}

/// The part of the exact search of `data` in the tiles `tiles` (see
/// [`ExactSearchPlan`]). Checks the input as [`nearest_neighbors`] does.
pub fn exact_search_part(
    data: ArrayView2<f32>,
    k: usize,
    tiles: Range<usize>,
) -> Result<KnnCandidates, ReduceError> {
    check_input(data, k)?;
    let plan = ExactSearchPlan::new(data.nrows());
    if tiles.start > tiles.end || tiles.end > plan.tiles() {
        return Err(ReduceError::BadParameter {
            name: "tiles",
            value: format!("{}..{}", tiles.start, tiles.end),
            accepted: format!("ranges within 0..{}", plan.tiles()),
        });
    }
    let (indices, keys) = brute_force::search_tiles(&Rows::new(data), k, tiles).into_parts();
    Ok(KnnCandidates { k, indices, keys })
}

/// The graph from parts that together cover every tile of the plan once:
/// the same bits as [`exact_nearest_neighbors`].
pub fn exact_search_combine(
    data: ArrayView2<f32>,
    k: usize,
    parts: &[KnnCandidates],
) -> Result<KnnGraph, ReduceError> {
    check_input(data, k)?;
    let n = data.nrows();
    let mut lists = NeighborHeaps::new(n, k);
    for part in parts {
        let fits = part.k == k
            && part.indices.len() == n * k
            && part.keys.len() == n * k
            && part.indices.iter().all(|&j| j == EMPTY || (j as usize) < n);
        let part = fits
            .then(|| NeighborHeaps::from_parts(k, part.indices.clone(), part.keys.clone()))
            .flatten()
            .ok_or_else(|| ReduceError::BadParameter {
                name: "parts",
                value: format!(
                    "a part of {} entries for k = {}",
                    part.indices.len(),
                    part.k
                ),
                accepted: format!("parts of {n} points x {k} neighbours from exact_search_part"),
            })?;
        lists.merge_from(&part);
    }
    if (0..n).any(|i| lists.filled(i) < k) {
        return Err(ReduceError::BadParameter {
            name: "parts",
            value: format!("{} parts", parts.len()),
            accepted: "parts covering every tile of the plan".into(),
        });
    }
    let rows = Rows::new(data);
    Ok(KnnGraph::from_heaps(brute_force::exact_keys(
        &rows,
        lists,
        &Pool::new(Threads::all()),
    )))
}

/// NN-descent with umap-learn's settings whatever the size (see
/// [`NnDescentParams::for_size`]); [`approximate_nearest_neighbors_with`]
/// takes others.
pub fn approximate_nearest_neighbors(
    data: ArrayView2<f32>,
    k: usize,
    seed: u64,
    observer: &mut dyn Observer,
) -> Result<KnnGraph, ReduceError> {
    approximate_nearest_neighbors_with(
        data,
        k,
        &NnDescentParams::for_size(data.nrows(), k),
        seed,
        observer,
    )
}

pub fn approximate_nearest_neighbors_with(
    data: ArrayView2<f32>,
    k: usize,
    params: &NnDescentParams,
    seed: u64,
    observer: &mut dyn Observer,
) -> Result<KnnGraph, ReduceError> {
    approximate_nearest_neighbors_on(&Pool::new(Threads::all()), data, k, params, seed, observer)
}

/// [`approximate_nearest_neighbors_with`] on the threads of `pool`.
pub fn approximate_nearest_neighbors_on(
    pool: &Pool,
    data: ArrayView2<f32>,
    k: usize,
    params: &NnDescentParams,
    seed: u64,
    observer: &mut dyn Observer,
) -> Result<KnnGraph, ReduceError> {
    check_input(data, k)?;
    if params.max_candidates == 0 || params.n_trees == 0 {
        return Err(ReduceError::BadParameter {
            name: "max_candidates and n_trees",
            value: format!("{} and {}", params.max_candidates, params.n_trees),
            accepted: "at least 1".into(),
        });
    }
    let heaps = nn_descent::nn_descent(&Rows::new(data), k, params, seed, pool, observer)?;
    Ok(KnnGraph::from_heaps(heaps))
}

/// The first non-finite entry of `data`, if any.
pub fn check_finite(data: ArrayView2<f32>) -> Result<(), ReduceError> {
    // The common case, every value finite, in one pass over a slice.
    if data
        .as_slice()
        .is_some_and(|x| x.iter().all(|v| v.is_finite()))
    {
        return Ok(());
    }
    for (row, values) in data.rows().into_iter().enumerate() {
        if let Some(column) = values.iter().position(|x| !x.is_finite()) {
            return Err(ReduceError::NonFinite { row, column });
        }
    }
    Ok(())
}

fn check_input(data: ArrayView2<f32>, k: usize) -> Result<(), ReduceError> {
    if k == 0 {
        return Err(ReduceError::BadParameter {
            name: "k",
            value: "0".into(),
            accepted: "1 or more".into(),
        });
    }
    if data.nrows() <= k {
        return Err(ReduceError::TooFewPoints {
            points: data.nrows(),
            needed: k + 1,
            why: format!("each point needs {k} other points as neighbours"),
        });
    }
    check_finite(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reduce::random::Random;
    use ndarray::{Array2, array};

    /// The simplest possible exact search, to check the blocked one against.
    fn by_sorting(data: ArrayView2<f32>, k: usize) -> Vec<Vec<u32>> {
        let n = data.nrows();
        (0..n)
            .map(|i| {
                let mut d: Vec<(f64, u32)> = (0..n)
                    .filter(|&j| j != i)
                    .map(|j| {
                        let s: f64 = data
                            .row(i)
                            .iter()
                            .zip(data.row(j))
                            .map(|(a, b)| ((a - b) as f64).powi(2))
                            .sum();
                        (s, j as u32)
                    })
                    .collect();
                d.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                d.iter().take(k).map(|p| p.1).collect()
            })
            .collect()
    }

    fn random_data(n: usize, d: usize, seed: u64) -> Array2<f32> {
        let mut r = Random::new(seed);
        Array2::from_shape_fn((n, d), |_| r.normal() as f32)
    }

    #[test]
    fn points_on_a_line() {
        let x = array![[0.0f32], [1.0], [3.0], [7.0]];
        let g = exact_nearest_neighbors(x.view(), 2);
        assert_eq!(g.neighbors(0), [1, 2]);
        assert_eq!(g.neighbors(2), [1, 0]);
        assert_eq!(g.neighbor_distances(3), [4.0, 6.0]);
    }

    #[test]
    fn ties_go_to_the_smaller_index() {
        let x = array![
            [0.0f32, 0.0],
            [1.0, 0.0],
            [-1.0, 0.0],
            [0.0, 1.0],
            [0.0, -1.0]
        ];
        let g = exact_nearest_neighbors(x.view(), 3);
        assert_eq!(g.neighbors(0), [1, 2, 3]);
    }

    #[test]
    fn blocked_search_agrees_with_sorting() {
        // Sizes that leave partial tiles and blocks, and an odd dimension.
        for (n, d, k) in [(9, 3, 4), (150, 7, 10), (300, 33, 15)] {
            let x = random_data(n, d, n as u64);
            let g = exact_nearest_neighbors(x.view(), k);
            let want = by_sorting(x.view(), k);
            for (i, want_i) in want.iter().enumerate() {
                assert_eq!(g.neighbors(i), want_i.as_slice(), "n {n}, point {i}");
                for (&j, &dist) in g.neighbors(i).iter().zip(g.neighbor_distances(i)) {
                    let exact: f32 = x
                        .row(i)
                        .iter()
                        .zip(x.row(j as usize))
                        .map(|(a, b)| (a - b) * (a - b))
                        .sum();
                    assert!((dist - exact.sqrt()).abs() <= 1e-5 * dist.max(1.0));
                }
            }
        }
    }

    #[test]
    fn nn_descent_finds_nearly_all_neighbours() {
        let x = random_data(3000, 8, 11);
        let exact = exact_nearest_neighbors(x.view(), 10);
        let approx = approximate_nearest_neighbors(x.view(), 10, 42, &mut Silent).unwrap();
        let recall = approx.recall_against(&exact);
        assert!(recall > 0.99, "recall {recall}");
        let again = approximate_nearest_neighbors(x.view(), 10, 42, &mut Silent).unwrap();
        assert_eq!(approx, again);
    }

    fn pool(threads: usize) -> Pool {
        Pool::new(Threads::new(threads).unwrap())
    }

    #[test]
    fn the_same_graphs_for_any_number_of_threads() {
        // Several row blocks, tiles and join rounds.
        let x = random_data(5000, 6, 21);
        let exact = exact_nearest_neighbors_on(&pool(1), x.view(), 7);
        let params = NnDescentParams::for_size(5000, 7);
        let approx =
            approximate_nearest_neighbors_on(&pool(1), x.view(), 7, &params, 9, &mut Silent)
                .unwrap();
        // 0.982 before the search ran in parallel too.
        let recall = approx.recall_against(&exact);
        assert!(recall > 0.975, "recall {recall}");
        for threads in [2, 3, 8] {
            assert_eq!(
                exact_nearest_neighbors_on(&pool(threads), x.view(), 7),
                exact
            );
            let again = approximate_nearest_neighbors_on(
                &pool(threads),
                x.view(),
                7,
                &params,
                9,
                &mut Silent,
            )
            .unwrap();
            assert_eq!(again, approx, "{threads} threads");
        }
    }

    #[test]
    fn an_exact_search_split_among_workers_gives_the_same_bits() {
        let x = random_data(1700, 9, 4);
        let k = 12;
        let one_call = exact_nearest_neighbors(x.view(), k);
        let plan = ExactSearchPlan::new(x.nrows());
        assert_eq!(plan.tiles(), 10);
        for workers in [1, 2, 3, 7, 20] {
            let ranges = plan.split(workers);
            assert_eq!(ranges.len(), workers.min(plan.tiles()));
            assert_eq!((ranges[0].start, ranges.last().unwrap().end), (0, 10));
            assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
            // Each part computed on its own, as a worker would, then merged
            // in any order.
            let mut parts: Vec<KnnCandidates> = ranges
                .into_iter()
                .map(|tiles| exact_search_part(x.view(), k, tiles).unwrap())
                .collect();
            parts.reverse();
            assert_eq!(
                exact_search_combine(x.view(), k, &parts).unwrap(),
                one_call,
                "{workers} workers"
            );
        }
        let half = exact_search_part(x.view(), k, 0..5).unwrap();
        assert!(exact_search_combine(x.view(), k, &[half]).is_err());
        assert!(exact_search_part(x.view(), k, 3..11).is_err());
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let x = array![[0.0f32, 1.0], [f32::NAN, 0.0], [2.0, 2.0]];
        assert_eq!(
            nearest_neighbors(x.view(), 1, 0, &mut Silent),
            Err(ReduceError::NonFinite { row: 1, column: 0 })
        );
        let x = array![[0.0f32], [1.0]];
        assert!(matches!(
            nearest_neighbors(x.view(), 2, 0, &mut Silent),
            Err(ReduceError::TooFewPoints { .. })
        ));
        assert!(matches!(
            nearest_neighbors(x.view(), 0, 0, &mut Silent),
            Err(ReduceError::BadParameter { .. })
        ));
    }

    #[test]
    fn the_exact_search_covers_more_points_for_more_neighbours() {
        assert!(uses_exact_search(4999, 15) && !uses_exact_search(5000, 15));
        assert!(uses_exact_search(4000, 14) && !uses_exact_search(6000, 14));
        assert!(uses_exact_search(12_000, 90) && !uses_exact_search(100_000, 90));
        assert!(uses_exact_search(3, 1));
    }

    #[test]
    fn cancellation_stops_the_search() {
        let x = random_data(5000, 4, 3);
        let mut calls = 0;
        let mut cancel = |_: crate::reduce::Step<'_>| {
            calls += 1;
            crate::reduce::Control::Cancel
        };
        assert_eq!(
            nearest_neighbors(x.view(), 5, 0, &mut cancel),
            Err(ReduceError::Cancelled)
        );
        assert_eq!(calls, 1);
    }
}
