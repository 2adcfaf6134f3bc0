//! The high-dimensional fuzzy simplicial set: each point's neighbourhood as a
//! fuzzy set of edges with membership strengths, then the fuzzy union of all
//! of them (umap-learn's `smooth_knn_dist`, `compute_membership_strengths`,
//! `fuzzy_simplicial_set` with `set_op_mix_ratio = 1`, `local_connectivity = 1`).
//!
//! umap-learn's neighbour lists include the point itself at distance 0 in the
//! first column; ours ([`KnnGraph`]) leave it out, so the functions below take
//! the self column as implied. The arithmetic follows umap-learn's types
//! (float32 distances, sigmas and memberships) so the values agree with it to
//! float32 rounding.

use crate::reduce::knn::KnnGraph;
use crate::reduce::numeric;

const SMOOTH_K_TOLERANCE: f64 = 1e-5;
pub(super) const MIN_K_DIST_SCALE: f64 = 1e-3;
const SMOOTH_K_ITERATIONS: usize = 64;

/// A symmetric sparse graph in compressed rows: row i's edges are
/// `indices[indptr[i]..indptr[i + 1]]` (increasing) with `weights` alongside.
#[derive(Debug, Clone, PartialEq)]
pub struct FuzzyGraph {
    pub indptr: Vec<usize>,
    pub indices: Vec<u32>,
    pub weights: Vec<f32>,
}

impl FuzzyGraph {
    pub fn vertices(&self) -> usize {
        self.indptr.len() - 1
    }

    pub fn edges(&self) -> usize {
        self.indices.len()
    }

    pub fn row(&self, i: usize) -> (&[u32], &[f32]) {
        let r = self.indptr[i]..self.indptr[i + 1];
        (&self.indices[r.clone()], &self.weights[r])
    }

    /// Keeps only the edges `keep` accepts, in the same order.
    pub fn filter(&self, keep: impl Fn(f32) -> bool) -> FuzzyGraph {
        let mut out = FuzzyGraph {
            indptr: vec![0],
            indices: Vec::new(),
            weights: Vec::new(),
        };
        for i in 0..self.vertices() {
            let (cols, ws) = self.row(i);
            for (&j, &w) in cols.iter().zip(ws) {
                if keep(w) {
                    out.indices.push(j);
                    out.weights.push(w);
                }
            }
            out.indptr.push(out.indices.len());
        }
        out
    }
}

/// For each point, sigma (the kernel width that makes its fuzzy neighbourhood
/// hold log2(k) worth of membership) and rho (the distance to its nearest
/// neighbour), where k = n_neighbors counts the point itself.
pub fn smooth_knn_dist(knn: &KnnGraph) -> (Vec<f32>, Vec<f32>) {
    let n = knn.len();
    let k = knn.k + 1;
    let target = (k as f64).log2();
    // umap-learn's mean of the whole distance matrix, self column included.
    let total: f64 = knn.distances.iter().map(|&d| d as f64).sum();
    let mean_distances = total / (n * k) as f64;
    let mut sigmas = vec![0.0f32; n];
    let mut rhos = vec![0.0f32; n];
    for i in 0..n {
        (sigmas[i], rhos[i]) = smooth_one(knn.neighbor_distances(i), target, mean_distances);
    }
    (sigmas, rhos)
}

/// Sigma and rho of one point from its neighbour distances (self excluded):
/// bisection for the sigma whose memberships sum to `target`.
#[inline(never)]
fn smooth_one(distances: &[f32], target: f64, mean_distances: f64) -> (f32, f32) {
    // local_connectivity = 1: rho is the smallest non-zero distance.
    let rho = distances.iter().copied().find(|&d| d > 0.0).unwrap_or(0.0);
    let mid = bisect_sigma(distances, rho, target);
    // umap-learn's floor on sigma, against collapsing on duplicates.
    let k = distances.len() + 1;
    let mean_ith: f64 = distances.iter().map(|&d| d as f64).sum::<f64>() / k as f64;
    let floor = MIN_K_DIST_SCALE * if rho > 0.0 { mean_ith } else { mean_distances };
    let sigma = if (mid as f64) < floor {
        floor as f32
    } else {
        mid
    };
    (sigma, rho)
}

/// umap-learn's bisection for sigma: the width at which the memberships
/// exp(-(d - rho) / sigma) of `distances` (1 up to rho) sum to `target`,
/// before any floor.
#[inline(always)]
pub(super) fn bisect_sigma(distances: &[f32], rho: f32, target: f64) -> f32 {
    let (mut lo, mut hi, mut mid) = (0.0f32, f32::MAX, 1.0f32);
    for _ in 0..SMOOTH_K_ITERATIONS {
        let mut psum = 0.0f32;
        for &d in distances {
            let d = d - rho;
            psum += if d > 0.0 {
                numeric::fast_exp(-(d / mid))
            } else {
                1.0
            };
        }
        if (psum as f64 - target).abs() < SMOOTH_K_TOLERANCE {
            break;
        }
        if psum as f64 > target {
            hi = mid;
            mid = (lo + hi) / 2.0;
        } else {
            lo = mid;
            if hi == f32::MAX {
                mid *= 2.0;
            } else {
                mid = (lo + hi) / 2.0;
            }
        }
    }
    mid
}

/// Membership strength of each directed edge i -> j of the kNN graph:
/// exp(-(d - rho_i) / sigma_i), 1 up to the nearest neighbour.
pub fn compute_membership_strengths(knn: &KnnGraph, sigmas: &[f32], rhos: &[f32]) -> Vec<f32> {
    let mut strengths = Vec::with_capacity(knn.indices.len());
    for i in 0..knn.len() {
        for &d in knn.neighbor_distances(i) {
            let strength = if d - rhos[i] <= 0.0 || sigmas[i] == 0.0 {
                1.0
            } else {
                numeric::exp(-((d - rhos[i]) / sigmas[i]) as f64) as f32
            };
            strengths.push(strength);
        }
    }
    strengths
}

/// The fuzzy union of all local fuzzy sets: w_ij + w_ji - w_ij w_ji, zero
/// entries dropped.
pub fn fuzzy_simplicial_set(knn: &KnnGraph) -> FuzzyGraph {
    let (sigmas, rhos) = smooth_knn_dist(knn);
    let strengths = compute_membership_strengths(knn, &sigmas, &rhos);
    fuzzy_union(knn, &strengths)
}

fn fuzzy_union(knn: &KnnGraph, strengths: &[f32]) -> FuzzyGraph {
    let n = knn.len();
    let k = knn.k;
    // Each row's own edges by column, and the transpose's (edges into the
    // row's point) by a counting sort, which keeps them in column order.
    let mut own: Vec<(u32, f32)> = Vec::with_capacity(k);
    let mut reverse_start = vec![0usize; n + 1];
    for &j in &knn.indices {
        reverse_start[j as usize + 1] += 1;
    }
    for i in 0..n {
        reverse_start[i + 1] += reverse_start[i];
    }
    let mut fill = reverse_start.clone();
    let mut reverse = vec![(0u32, 0.0f32); knn.indices.len()];
    for i in 0..n {
        for (&j, &w) in knn.neighbors(i).iter().zip(&strengths[i * k..(i + 1) * k]) {
            reverse[fill[j as usize]] = (i as u32, w);
            fill[j as usize] += 1;
        }
    }
    let mut graph = FuzzyGraph {
        indptr: Vec::with_capacity(n + 1),
        indices: Vec::with_capacity(2 * knn.indices.len()),
        weights: Vec::with_capacity(2 * knn.indices.len()),
    };
    graph.indptr.push(0);
    for i in 0..n {
        own.clear();
        own.extend(
            knn.neighbors(i)
                .iter()
                .copied()
                .zip(strengths[i * k..(i + 1) * k].iter().copied()),
        );
        own.sort_unstable_by_key(|e| e.0);
        let theirs = &reverse[reverse_start[i]..reverse_start[i + 1]];
        let (mut a, mut b) = (0, 0);
        while a < own.len() || b < theirs.len() {
            let ja = own.get(a).map_or(u32::MAX, |e| e.0);
            let jb = theirs.get(b).map_or(u32::MAX, |e| e.0);
            let j = ja.min(jb);
            let w = if ja == j {
                a += 1;
                own[a - 1].1
            } else {
                0.0
            };
            let w_t = if jb == j {
                b += 1;
                theirs[b - 1].1
            } else {
                0.0
            };
            let union = (w + w_t) - w * w_t;
            if union != 0.0 {
                graph.indices.push(j);
                graph.weights.push(union);
            }
        }
        graph.indptr.push(graph.indices.len());
    }
    graph
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reduce::knn::exact_nearest_neighbors;
    use ndarray::array;

    #[test]
    fn union_is_symmetric_and_probabilistic() {
        let x = array![
            [0.0f32, 0.0],
            [1.0, 0.0],
            [0.0, 2.0],
            [3.0, 3.0],
            [5.0, 1.0],
            [2.5, 0.5]
        ];
        let g = fuzzy_simplicial_set(&exact_nearest_neighbors(x.view(), 3));
        for i in 0..g.vertices() {
            let (cols, ws) = g.row(i);
            assert!(cols.windows(2).all(|w| w[0] < w[1]));
            for (&j, &w) in cols.iter().zip(ws) {
                assert!(w > 0.0 && w <= 1.0);
                let (back, back_w) = g.row(j as usize);
                let at = back.iter().position(|&c| c == i as u32).expect("symmetric");
                assert_eq!(back_w[at], w);
            }
        }
    }

    #[test]
    fn agrees_with_umap_learn() {
        let fixture = crate::reduce::reference_fixture();
        let f = &fixture["fuzzy"];
        let x = crate::reduce::fixture_matrix(&f["x"]);
        let k = f["n_neighbors"].as_u64().unwrap() as usize;
        let knn = exact_nearest_neighbors(x.view(), k - 1);
        // umap-learn's lists start with the point itself.
        for (i, row) in f["knn_indices"].as_array().unwrap().iter().enumerate() {
            let want: Vec<u32> = row.as_array().unwrap()[1..]
                .iter()
                .map(|v| v.as_u64().unwrap() as u32)
                .collect();
            assert_eq!(knn.neighbors(i), want.as_slice());
        }
        let (sigmas, rhos) = smooth_knn_dist(&knn);
        for i in 0..x.nrows() {
            let (s, r) = (
                f["sigmas"][i].as_f64().unwrap(),
                f["rhos"][i].as_f64().unwrap(),
            );
            assert!(
                (sigmas[i] as f64 - s).abs() <= 1e-6 * s,
                "sigma {i}: {} vs {s}",
                sigmas[i]
            );
            assert!(
                (rhos[i] as f64 - r).abs() <= 1e-6 * r,
                "rho {i}: {} vs {r}",
                rhos[i]
            );
        }
        let graph = fuzzy_simplicial_set(&knn);
        let want = f["graph"].as_array().unwrap();
        assert_eq!(graph.edges(), want.len());
        let mut at = 0;
        for i in 0..graph.vertices() {
            let (cols, ws) = graph.row(i);
            for (&j, &w) in cols.iter().zip(ws) {
                let e = want[at].as_array().unwrap();
                assert_eq!(
                    (e[0].as_u64().unwrap(), e[1].as_u64().unwrap()),
                    (i as u64, j as u64)
                );
                let expected = e[2].as_f64().unwrap();
                assert!(
                    (w as f64 - expected).abs() <= 1e-6,
                    "edge {i}-{j}: {w} vs {expected}"
                );
                at += 1;
            }
        }
    }

    #[test]
    fn sigma_sets_the_neighbourhood_size_to_log2_k() {
        let x = array![[0.0f32], [1.0], [1.5], [4.0], [4.2], [9.0]];
        let knn = exact_nearest_neighbors(x.view(), 3);
        let (sigmas, rhos) = smooth_knn_dist(&knn);
        for i in 0..6 {
            let psum: f64 = knn
                .neighbor_distances(i)
                .iter()
                .map(|&d| (-((d - rhos[i]).max(0.0) / sigmas[i]) as f64).exp())
                .sum();
            assert!((psum - 2.0).abs() < 1e-4, "point {i}: {psum}");
        }
    }
}
