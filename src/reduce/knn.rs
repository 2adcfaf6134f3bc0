//! k-nearest-neighbour graphs in Euclidean space, the first step of t-SNE and
//! UMAP (umap-learn's `nearest_neighbors`) and of the quality measures.
//!
//! [`nearest_neighbors`] is what the reducers call: below [`EXACT_BELOW`]
//! points it compares every pair ([`exact_nearest_neighbors`]), above it runs
//! NN-descent from a random projection forest
//! ([`approximate_nearest_neighbors`]), as umap-learn does. Both are seeded and
//! single-threaded, so a seed fixes the graph bit for bit on every target.
//! Neighbour lists never contain the point itself and are sorted by distance,
//! ties by index.

mod brute_force;
mod heap;
mod nn_descent;
mod rows;
mod rp_forest;

use ndarray::ArrayView2;

pub use nn_descent::NnDescentParams;

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

/// From this many points on, [`nearest_neighbors`] switches from comparing all
/// pairs to NN-descent. umap-learn draws the line at the same place (its
/// `_small_data` path computes all distances below 4,096 points). Here the
/// exact path takes about 0.1 s at 4,096 x 200 natively and grows with N^2,
/// while NN-descent's cost grows with N and reaches recall 0.99+.
pub const EXACT_BELOW: usize = 4096;

/// Each point's k nearest other points, exact below [`EXACT_BELOW`] points and
/// by NN-descent from there on. Needs finite input and at least k + 1 points.
/// Reports progress as stage "nearest_neighbors" and honours cancellation.
pub fn nearest_neighbors(
    data: ArrayView2<f32>,
    k: usize,
    seed: u64,
    observer: &mut dyn Observer,
) -> Result<KnnGraph, ReduceError> {
    check_input(data, k)?;
    let rows = Rows::new(data);
    let heaps = if data.nrows() < EXACT_BELOW {
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
        let hits: usize = (0..3000)
            .map(|i| {
                approx
                    .neighbors(i)
                    .iter()
                    .filter(|j| exact.neighbors(i).contains(j))
                    .count()
            })
            .sum();
        let recall = hits as f64 / 30_000.0;
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
