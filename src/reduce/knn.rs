//! k-nearest-neighbour graphs in Euclidean space, the first step of t-SNE and
//! UMAP (umap-learn's `nearest_neighbors`) and of the quality measures.
//!
//! [`nearest_neighbors`] is what the reducers call: for small inputs (see
//! [`uses_exact_search`]) it compares every pair ([`exact_nearest_neighbors`]),
//! for large ones it runs NN-descent from a random projection forest
//! ([`approximate_nearest_neighbors`]), as umap-learn does. Both are seeded and
//! single-threaded, so a seed fixes the graph bit for bit on every target.
//! Neighbour lists never contain the point itself and are sorted by distance,
//! ties by index.

mod brute_force;
mod heap;
mod nn_descent;
mod query;
mod rows;
mod rp_forest;

use ndarray::ArrayView2;

pub use nn_descent::NnDescentParams;
pub use query::NeighborIndex;

use super::{Observer, ReduceError, Silent};
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
/// NN-descent for large ones ([`uses_exact_search`]). Needs finite input and
/// at least k + 1 points. Reports progress as stage "nearest_neighbors" and
/// honours cancellation.
pub fn nearest_neighbors(
    data: ArrayView2<f32>,
    k: usize,
    seed: u64,
    observer: &mut dyn Observer,
) -> Result<KnnGraph, ReduceError> {
    check_input(data, k)?;
    let rows = Rows::new(data);
    let heaps = if uses_exact_search(data.nrows(), k) {
        brute_force::nearest_neighbors(&rows, k, observer)?
    } else {
        nn_descent::nn_descent(
            &rows,
            k,
            &NnDescentParams::for_size(data.nrows(), k),
            seed,
            observer,
        )?
    };
    Ok(KnnGraph::from_heaps(heaps))
}

/// Exact k nearest neighbours by comparing every pair (k is capped at N - 1).
/// Ties go to the smaller index. The data should be finite: distances that
/// come out NaN count as infinite.
pub fn exact_nearest_neighbors(data: ArrayView2<f32>, k: usize) -> KnnGraph {
    let k = k.min(data.nrows().saturating_sub(1));
    if k == 0 {
        return KnnGraph {
            k,
            indices: Vec::new(),
            distances: Vec::new(),
        };
    }
    let heaps = brute_force::nearest_neighbors(&Rows::new(data), k, &mut Silent);
    KnnGraph::from_heaps(heaps.unwrap_or_else(|_| unreachable!("Silent never cancels")))
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
    check_input(data, k)?;
    if params.max_candidates == 0 || params.n_trees == 0 {
        return Err(ReduceError::BadParameter {
            name: "max_candidates and n_trees",
            value: format!("{} and {}", params.max_candidates, params.n_trees),
            accepted: "at least 1".into(),
        });
    }
    let heaps = nn_descent::nn_descent(&Rows::new(data), k, params, seed, observer)?;
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
