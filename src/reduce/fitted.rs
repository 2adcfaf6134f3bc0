//! A fitted map of any of the three methods, kept to place new rows on it:
//! "where does Zn2O fall among the sampled binaries", "where do my 40
//! hypothetical formulas land". The page's map worker holds one per map and
//! answers each batch of new rows from it; the CLI's `reduce --transform`
//! does the same once.
//!
//! Each method places new rows as its reference package does: PCA projects
//! them exactly ([`PcaModel`]), UMAP follows umap-learn's `transform`
//! ([`UmapModel`]), t-SNE openTSNE's ([`TsneModel`]). The fitted map never
//! moves, and new rows never influence each other: placing 40 rows at once
//! or one at a time puts each in the same place for UMAP (apart from the
//! random negative samples) and t-SNE, exactly so for PCA.
//!
//! [`placement_recall`] measures how well placed rows keep their
//! neighbourhoods, the figure `scripts/bench-transform` compares with
//! umap-learn's and openTSNE's.

use ndarray::{Array2, ArrayView2};

use super::knn::NeighborIndex;
use super::pca::PcaModel;
use super::tsne::{TsneModel, TsneTransformParams};
use super::umap::UmapModel;
use super::{Observer, ReduceError, Silent};

/// A fitted map with what placing new rows on it needs.
pub enum FittedMap {
    Pca(PcaModel),
    Tsne {
        model: TsneModel,
        params: TsneTransformParams,
    },
    Umap(UmapModel),
}

impl FittedMap {
    /// "pca", "tsne" or "umap".
    pub fn method(&self) -> &'static str {
        match self {
            FittedMap::Pca(_) => "pca",
            FittedMap::Tsne { .. } => "tsne",
            FittedMap::Umap(_) => "umap",
        }
    }

    /// The fitted rows' map positions, N x dim.
    pub fn embedding(&self) -> ArrayView2<'_, f32> {
        match self {
            FittedMap::Pca(model) => model.embedding(),
            FittedMap::Tsne { model, .. } => model.embedding(),
            FittedMap::Umap(model) => model.embedding(),
        }
    }

    /// Map positions of `rows` (M x D, the fitted rows' columns), M x dim,
    /// without moving the fitted map. Iterative methods report progress and
    /// the new points' layout to the observer and can be cancelled.
    pub fn transform(
        &self,
        rows: ArrayView2<f32>,
        observer: &mut dyn Observer,
    ) -> Result<Array2<f32>, ReduceError> {
        match self {
            FittedMap::Pca(model) => model.transform(rows),
            FittedMap::Tsne { model, params } => model.transform(rows, params, observer),
            FittedMap::Umap(model) => model.transform(rows, observer),
        }
    }
}

/// How well placed rows keep their neighbourhoods among the fitted rows: for
/// each new row, the share of its `k` nearest fitted rows in the input
/// (`fit_rows`, `new_rows`) that are also among its `k` nearest fitted
/// points on the map (`fit_map`, `new_map`), averaged over the new rows.
/// Exact searches, ties to the smaller index. NaN when there are no new rows,
/// k is 0 or the shapes disagree.
pub fn placement_recall(
    fit_rows: ArrayView2<f32>,
    fit_map: ArrayView2<f32>,
    new_rows: ArrayView2<f32>,
    new_map: ArrayView2<f32>,
    k: usize,
) -> f64 {
    let agree = fit_rows.nrows() == fit_map.nrows()
        && new_rows.nrows() == new_map.nrows()
        && fit_rows.ncols() == new_rows.ncols()
        && fit_map.ncols() == new_map.ncols();
    let k = k.min(fit_rows.nrows());
    if !agree || k == 0 || new_rows.nrows() == 0 {
        return f64::NAN;
    }
    let neighbours = |fitted: ArrayView2<f32>, new: ArrayView2<f32>| {
        NeighborIndex::new(fitted).and_then(|index| index.query(new, k, &mut Silent))
    };
    let (Ok(high), Ok(low)) = (neighbours(fit_rows, new_rows), neighbours(fit_map, new_map)) else {
        return f64::NAN;
    };
    let hits: usize = (0..new_rows.nrows())
        .map(|i| {
            let truth = high.neighbors(i);
            low.neighbors(i)
                .iter()
                .filter(|j| truth.contains(j))
                .count()
        })
        .sum();
    hits as f64 / (new_rows.nrows() * k) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn recall_counts_shared_neighbours() {
        let fit_rows = array![[0.0f32], [1.0], [2.0], [10.0]];
        // The map keeps the order except that it swaps rows 2 and 3.
        let fit_map = array![[0.0f32], [1.0], [10.0], [2.0]];
        let new_rows = array![[0.1f32], [9.0]];
        let new_map = array![[0.1f32], [9.0]];
        let recall = |k| {
            placement_recall(
                fit_rows.view(),
                fit_map.view(),
                new_rows.view(),
                new_map.view(),
                k,
            )
        };
        // Row 0: {0, 1} both ways. Row 1: input {3, 2}, map {2, 3}: same set.
        assert_eq!(recall(2), 1.0);
        // k = 1. Row 0: 0 vs 0; row 1: input 3, map 2.
        assert_eq!(recall(1), 0.5);
        assert!(recall(0).is_nan());
    }

    /// Each fitted map with the reference's recall at 10 of the new rows.
    type Maps = Vec<(FittedMap, Option<f64>)>;

    /// The fitted and new rows of the small fixture and its three fitted
    /// maps: scikit-learn's PCA refitted, umap-learn's and openTSNE's maps
    /// as they made them.
    fn fixture_maps() -> (Array2<f32>, Array2<f32>, Maps) {
        use crate::reduce::{fixture_matrix, transform_fixture};
        let fixture = transform_fixture();
        let x = fixture_matrix(&fixture["data"]["fit"]);
        let new = fixture_matrix(&fixture["data"]["new"]);
        let umap_map = fixture_matrix(&fixture["umap"]["embedding"]);
        let tsne_map = fixture_matrix(&fixture["tsne"]["embedding"]);
        let umap_params = crate::reduce::umap::UmapParams::default();
        let maps = vec![
            (FittedMap::Pca(PcaModel::fit(x.view(), 2).unwrap()), None),
            (
                FittedMap::Tsne {
                    model: TsneModel::new(x.view(), tsne_map).unwrap(),
                    params: TsneTransformParams::default(),
                },
                fixture["tsne"]["recall_at_10"].as_f64(),
            ),
            (
                FittedMap::Umap(UmapModel::new(x.view(), umap_map, &umap_params).unwrap()),
                fixture["umap"]["recall_at_10"].as_f64(),
            ),
        ];
        (x, new, maps)
    }

    #[test]
    fn placed_rows_keep_their_neighbourhoods_as_the_references_do() {
        let (x, new, maps) = fixture_maps();
        for (map, reference) in &maps {
            let method = map.method();
            let placed = map.transform(new.view(), &mut Silent).unwrap();
            assert_eq!(placed.dim(), (new.nrows(), 2), "{method}");
            assert!(placed.iter().all(|v| v.is_finite()), "{method}");
            let recall = placement_recall(x.view(), map.embedding(), new.view(), placed.view(), 10);
            // umap-learn's and openTSNE's own placements of the same rows.
            let floor = reference.map_or(0.3, |r| r - 0.03);
            assert!(
                recall >= floor,
                "{method}: recall@10 {recall} below {floor}"
            );
            let again = map.transform(new.view(), &mut Silent).unwrap();
            let same = placed
                .iter()
                .zip(again.iter())
                .all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same, "{method}: the same rows land on the same bits");
        }
    }

    #[test]
    fn fitted_rows_placed_again_land_beside_themselves() {
        let (x, _, maps) = fixture_maps();
        let rows = [0usize, 57, 111, 190];
        let again = x.select(ndarray::Axis(0), &rows);
        // PCA exactly; the iterative maps within a fraction of their extent.
        for (map, limit) in maps
            .iter()
            .zip([0.0f32, 2.0, 1.0])
            .map(|((m, _), l)| (m, l))
        {
            let placed = map.transform(again.view(), &mut Silent).unwrap();
            let fitted = map.embedding();
            for (p, &r) in placed.rows().into_iter().zip(&rows) {
                let d: f32 = p
                    .iter()
                    .zip(fitted.row(r).iter())
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum();
                assert!(
                    d.sqrt() <= limit,
                    "{}: row {r} placed {} away",
                    map.method(),
                    d.sqrt()
                );
            }
        }
    }
}
