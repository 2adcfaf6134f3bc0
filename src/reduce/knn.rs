//! k-nearest-neighbour graphs in Euclidean space, the first step of t-SNE and
//! UMAP (umap-learn's `nearest_neighbors`) and of the quality measures.

use ndarray::ArrayView2;

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
}

/// Exact k nearest neighbours by brute force (ties by index), O(N^2 D).
pub fn exact_nearest_neighbors(data: ArrayView2<f32>, k: usize) -> KnnGraph {
    let n = data.nrows();
    let k = k.min(n.saturating_sub(1));
    let mut indices = Vec::with_capacity(n * k);
    let mut distances = Vec::with_capacity(n * k);
    let mut row: Vec<(f32, u32)> = Vec::with_capacity(n);
    for i in 0..n {
        row.clear();
        let xi = data.row(i);
        for j in 0..n {
            if j != i {
                let d2: f32 = xi
                    .iter()
                    .zip(data.row(j))
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum();
                row.push((d2, j as u32));
            }
        }
        let cmp = |a: &(f32, u32), b: &(f32, u32)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
        if k < row.len() {
            row.select_nth_unstable_by(k, cmp);
            row.truncate(k);
        }
        row.sort_unstable_by(cmp);
        indices.extend(row.iter().map(|&(_, j)| j));
        distances.extend(row.iter().map(|&(d2, _)| d2.sqrt()));
    }
    KnnGraph {
        k,
        indices,
        distances,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn points_on_a_line() {
        let x = array![[0.0f32], [1.0], [3.0], [7.0]];
        let g = exact_nearest_neighbors(x.view(), 2);
        assert_eq!(g.neighbors(0), [1, 2]);
        assert_eq!(g.neighbors(2), [1, 0]);
        assert_eq!(g.neighbor_distances(3), [4.0, 6.0]);
    }
}
