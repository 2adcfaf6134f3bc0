//! How well a low-dimensional map keeps the input's neighbourhoods (SPEC
//! section 6): scikit-learn's trustworthiness and the kNN recall, both with
//! Euclidean distances, plus the fixed subset on which large maps are scored.
//!
//! Distances are computed in f64 from the f32 input, neighbours are exact,
//! and ties go to the smaller index. [`trustworthiness`] reproduces
//! `sklearn.manifold.trustworthiness` (tests compare it with values from
//! scikit-learn 1.9.1 to 1e-9). Both measures cost O(N^2 D): score maps of more
//! than a few thousand points on [`standard_subset`].

use ndarray::ArrayView2;

/// How many points [`standard_subset`] keeps.
pub const SUBSET_SIZE: usize = 3000;

/// The points large maps are scored on: `SUBSET_SIZE` rows evenly spread over
/// the input, row i * n / 3000 (integer division) for i in 0..3000, or every
/// row when there are no more than 3000. The benchmark's Python half uses the
/// same formula (`np.arange(3000) * n // 3000`), so both score the same points.
pub fn standard_subset(n: usize) -> Vec<usize> {
    if n <= SUBSET_SIZE {
        return (0..n).collect();
    }
    (0..SUBSET_SIZE).map(|i| i * n / SUBSET_SIZE).collect()
}

/// Both measures, computed in one pass over the points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quality {
    pub trustworthiness: f64,
    pub knn_recall: f64,
}

/// scikit-learn's `manifold.trustworthiness(high, low, n_neighbors=k)`:
/// 1 - 2 / (n k (2n - 3k - 1)) * sum over points i and their k nearest map
/// neighbours j of max(0, r(i, j) - k), where r(i, j) is j's rank among i's
/// input neighbours. NaN where scikit-learn raises: k = 0, k >= n / 2, or
/// row counts that differ.
pub fn trustworthiness(high: ArrayView2<f32>, low: ArrayView2<f32>, k: usize) -> f64 {
    quality(high, low, k).map_or(f64::NAN, |q| q.trustworthiness)
}

/// Mean share of each point's k nearest input neighbours that are among its k
/// nearest in the map. NaN for k = 0, k >= n, or row counts that differ.
pub fn knn_recall(high: ArrayView2<f32>, low: ArrayView2<f32>, k: usize) -> f64 {
    let n = high.nrows();
    if k == 0 || k >= n || low.nrows() != n {
        return f64::NAN;
    }
    let mut hits = 0usize;
    for_each_point(high, low, k, |_, high_row, low_neighbors| {
        let high_neighbors = nearest(high_row, k);
        hits += low_neighbors
            .iter()
            .filter(|j| high_neighbors.contains(j))
            .count();
    });
    hits as f64 / (n * k) as f64
}

/// Trustworthiness and kNN recall at k; None where trustworthiness is undefined.
pub fn quality(high: ArrayView2<f32>, low: ArrayView2<f32>, k: usize) -> Option<Quality> {
    let n = high.nrows();
    if k == 0 || 2 * k >= n || low.nrows() != n {
        return None;
    }
    let (mut penalty, mut hits) = (0u64, 0usize);
    for_each_point(high, low, k, |i, high_row, low_neighbors| {
        for &j in low_neighbors {
            let dj = high_row[j];
            // Rank of j among i's input neighbours, 1 for the nearest.
            let rank = 1 + high_row
                .iter()
                .enumerate()
                .filter(|&(l, &dl)| l != i && (dl < dj || (dl == dj && l < j)))
                .count();
            penalty += rank.saturating_sub(k) as u64;
        }
        let high_neighbors = nearest(high_row, k);
        hits += low_neighbors
            .iter()
            .filter(|j| high_neighbors.contains(j))
            .count();
    });
    let (n_f, k_f) = (n as f64, k as f64);
    let trustworthiness =
        1.0 - penalty as f64 * (2.0 / (n_f * k_f * (2.0 * n_f - 3.0 * k_f - 1.0)));
    Some(Quality {
        trustworthiness,
        knn_recall: hits as f64 / (n * k) as f64,
    })
}

/// Calls `f(i, squared input distances from i (infinite at i), i's k nearest
/// map neighbours)` for every point i.
fn for_each_point(
    high: ArrayView2<f32>,
    low: ArrayView2<f32>,
    k: usize,
    mut f: impl FnMut(usize, &[f64], &[usize]),
) {
    let n = high.nrows();
    let high_rows: Vec<Vec<f64>> = high
        .rows()
        .into_iter()
        .map(|r| r.iter().map(|&x| x as f64).collect())
        .collect();
    let low_rows: Vec<Vec<f64>> = low
        .rows()
        .into_iter()
        .map(|r| r.iter().map(|&x| x as f64).collect())
        .collect();
    let mut high_row = vec![0.0f64; n];
    let mut low_row = vec![0.0f64; n];
    for i in 0..n {
        for j in 0..n {
            high_row[j] = if j == i {
                f64::INFINITY
            } else {
                squared_distance(&high_rows[i], &high_rows[j])
            };
            low_row[j] = if j == i {
                f64::INFINITY
            } else {
                squared_distance(&low_rows[i], &low_rows[j])
            };
        }
        let low_neighbors = nearest(&low_row, k);
        f(i, &high_row, &low_neighbors);
    }
}

fn squared_distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// Indices of the k smallest values, ties by index.
fn nearest(row: &[f64], k: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..row.len()).collect();
    let cmp = |&a: &usize, &b: &usize| row[a].total_cmp(&row[b]).then(a.cmp(&b));
    if k < order.len() {
        order.select_nth_unstable_by(k, cmp);
        order.truncate(k);
    }
    order.sort_unstable_by(cmp);
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, array};

    #[test]
    fn a_perfect_map_scores_one() {
        let x = Array2::from_shape_fn((40, 3), |(i, j)| {
            ((i * 7 + j * 3) % 11) as f32 + i as f32 * 0.01
        });
        assert_eq!(trustworthiness(x.view(), x.view(), 5), 1.0);
        assert_eq!(knn_recall(x.view(), x.view(), 5), 1.0);
    }

    #[test]
    fn undefined_cases_are_nan() {
        let x = array![[0.0f32], [1.0], [2.0], [3.0]];
        assert!(trustworthiness(x.view(), x.view(), 2).is_nan());
        assert!(knn_recall(x.view(), x.view(), 4).is_nan());
        assert!(knn_recall(x.view(), x.slice(ndarray::s![..3, ..]), 1).is_nan());
    }

    #[test]
    fn the_subset_is_spread_evenly() {
        assert_eq!(standard_subset(5), [0, 1, 2, 3, 4]);
        let s = standard_subset(12_000);
        assert_eq!((s.len(), s[1], s[2999]), (3000, 4, 11_996));
        let s = standard_subset(11_385);
        assert_eq!((s.len(), s[0], s[2999]), (3000, 0, 11_381));
    }
}
