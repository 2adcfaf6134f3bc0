//! The k nearest rows of a fixed matrix to new vectors: the first step of
//! placing new rows on a fitted map (umap-learn's and openTSNE's `transform`
//! search the fitted rows for each new row's neighbours) and of "what does
//! this composition resemble" (its nearest compositions in a sample or a
//! known set, embedded the same way).
//!
//! The search is exact, every new row against every fitted row: a page asks
//! about a few formulas at a time, and even a thousand new rows against
//! 12,000 fitted ones of 200 columns is a fraction of a second. umap-learn
//! searches exactly too below 4,096 fitted rows (above, pynndescent's graph
//! search, whose recall is below 1). Distances are summed from differences in
//! fixed lanes ([`super::rows`]), so they are exact for near neighbours and the
//! same bits on every target; ties go to the smaller row index.

use ndarray::ArrayView2;

use super::heap::NeighborHeaps;
use super::rows::{Rows, squared_distance};
use super::{KnnGraph, check_finite};
use crate::reduce::simd::with_best_simd;
use crate::reduce::{Control, Observer, ReduceError, Silent, Stage, Step};

/// New rows searched between progress reports (and calls, for V8's sake).
const QUERIES_PER_CALL: usize = 32;
/// Indexed rows compared with each group of new rows at a time: with 200
/// columns, 100 kB, which stays in cache while every new row of the group
/// passes over it (one new row at a time would stream the whole index from
/// memory for each).
const ROWS_PER_BLOCK: usize = 128;

/// Rows to search, copied once into the padded layout the distance kernels
/// read; keep it to answer many queries against the same rows.
pub struct NeighborIndex {
    rows: Rows,
    dim: usize,
}

impl NeighborIndex {
    /// An index of `data`'s rows; every value must be finite.
    pub fn new(data: ArrayView2<f32>) -> Result<NeighborIndex, ReduceError> {
        check_finite(data)?;
        Ok(NeighborIndex {
            rows: Rows::new(data),
            dim: data.ncols(),
        })
    }

    /// The number of rows searched.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.len() == 0
    }

    /// The number of columns a query must have.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// For each row of `queries`, the `k` nearest indexed rows (k is capped at
    /// the number of rows) by increasing Euclidean distance, ties by index.
    /// Row i of the result lists indices into the indexed rows. Reports
    /// progress as "nearest_neighbors" and honours cancellation.
    pub fn query(
        &self,
        queries: ArrayView2<f32>,
        k: usize,
        observer: &mut dyn Observer,
    ) -> Result<KnnGraph, ReduceError> {
        if queries.ncols() != self.dim {
            return Err(ReduceError::BadParameter {
                name: "columns of the new rows",
                value: queries.ncols().to_string(),
                accepted: format!("{} (the columns of the rows searched)", self.dim),
            });
        }
        check_finite(queries)?;
        let k = k.min(self.len());
        let m = queries.nrows();
        if k == 0 {
            return Ok(KnnGraph {
                k,
                indices: Vec::new(),
                distances: Vec::new(),
            });
        }
        let queries = Rows::new(queries);
        let mut heaps = NeighborHeaps::new(m, k);
        for start in (0..m).step_by(QUERIES_PER_CALL) {
            let step = Step {
                stage: Stage::NearestNeighbors,
                done: start,
                total: m,
                layout: None,
            };
            if observer.step(step) == Control::Cancel {
                return Err(ReduceError::Cancelled);
            }
            let end = (start + QUERIES_PER_CALL).min(m);
            with_best_simd(
                #[inline(always)]
                |_| {
                    for block in (0..self.rows.len()).step_by(ROWS_PER_BLOCK) {
                        let block_end = (block + ROWS_PER_BLOCK).min(self.rows.len());
                        for i in start..end {
                            let q = queries.row(i);
                            for j in block..block_end {
                                let d2 = squared_distance(q, self.rows.row(j));
                                heaps.push(i, d2, j as u32, false);
                            }
                        }
                    }
                },
            );
        }
        Ok(KnnGraph::from_heaps(heaps))
    }

    /// The `k` nearest indexed rows to one vector: (row, distance) pairs by
    /// increasing distance, ties by row.
    pub fn nearest(&self, query: &[f32], k: usize) -> Result<Vec<(u32, f32)>, ReduceError> {
        let view = ArrayView2::from_shape((1, query.len()), query).map_err(|_| {
            ReduceError::BadParameter {
                name: "query",
                value: format!("{} values", query.len()),
                accepted: format!("{} values", self.dim),
            }
        })?;
        let graph = self.query(view, k, &mut Silent)?;
        Ok(graph
            .indices
            .iter()
            .copied()
            .zip(graph.distances.iter().copied())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reduce::random::Random;
    use ndarray::{Array2, array};

    #[test]
    fn finds_the_nearest_rows_with_their_distances() {
        let x = array![[0.0f32, 0.0], [3.0, 4.0], [1.0, 0.0], [0.0, -2.0]];
        let index = NeighborIndex::new(x.view()).unwrap();
        assert_eq!(
            index.nearest(&[0.0, 0.0], 3).unwrap(),
            [(0, 0.0), (2, 1.0), (3, 2.0)]
        );
        // Ties go to the smaller row; k is capped at the number of rows.
        assert_eq!(
            index.nearest(&[0.5, 0.0], 9).unwrap(),
            [(0, 0.5), (2, 0.5), (3, 2.0615528), (1, 4.7169905)]
        );
    }

    #[test]
    fn agrees_with_sorting_all_distances() {
        let mut r = Random::new(5);
        let data = Array2::from_shape_fn((300, 37), |_| r.normal() as f32);
        let queries = Array2::from_shape_fn((70, 37), |_| r.normal() as f32);
        let index = NeighborIndex::new(data.view()).unwrap();
        let graph = index.query(queries.view(), 15, &mut Silent).unwrap();
        assert_eq!(graph.len(), 70);
        for (i, q) in queries.rows().into_iter().enumerate() {
            let mut all: Vec<(f64, u32)> = data
                .rows()
                .into_iter()
                .enumerate()
                .map(|(j, row)| {
                    let d: f64 = row
                        .iter()
                        .zip(q.iter())
                        .map(|(a, b)| (f64::from(*a) - f64::from(*b)).powi(2))
                        .sum();
                    (d.sqrt(), j as u32)
                })
                .collect();
            all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let want: Vec<u32> = all[..15].iter().map(|p| p.1).collect();
            assert_eq!(graph.neighbors(i), want.as_slice(), "query {i}");
            for (got, (exact, _)) in graph.neighbor_distances(i).iter().zip(&all) {
                assert!((f64::from(*got) - exact).abs() <= 1e-5 * exact, "query {i}");
            }
        }
    }

    #[test]
    fn bad_queries_are_errors() {
        let index = NeighborIndex::new(array![[0.0f32, 1.0], [2.0, 3.0]].view()).unwrap();
        assert!(matches!(
            index.nearest(&[1.0], 1),
            Err(ReduceError::BadParameter { .. })
        ));
        assert_eq!(
            index.query(
                array![[0.0f32, 1.0], [f32::NAN, 0.0]].view(),
                1,
                &mut Silent
            ),
            Err(ReduceError::NonFinite { row: 1, column: 0 })
        );
        assert!(matches!(
            NeighborIndex::new(array![[f32::INFINITY]].view()),
            Err(ReduceError::NonFinite { row: 0, column: 0 })
        ));
        assert!(index.nearest(&[0.0, 0.0], 0).unwrap().is_empty());
    }
}
