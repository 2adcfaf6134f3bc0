//! Placing new rows on a PCA map: scikit-learn's `PCA.transform`, the new
//! rows centred by the fitted column means and projected on the fitted
//! components. Exact, and the same arithmetic as the fit's own projection, so
//! a fitted row placed again lands on its map position bit for bit.

use ndarray::{Array2, ArrayView2};

use super::{Pca, ROWS_PER_CALL, column_means, pca, project_rows};
use crate::reduce::ReduceError;
use crate::reduce::knn::check_finite;

/// A fitted PCA map and what placing new rows needs: the column means and
/// the components, zero-padded to the projection's lane width.
#[derive(Debug, Clone, PartialEq)]
pub struct PcaModel {
    pca: Pca,
    columns: usize,
    mean: Vec<f32>,
    loadings: Vec<Vec<f32>>,
}

impl PcaModel {
    /// [`pca`] of `data`, kept with its column means.
    pub fn fit(data: ArrayView2<f32>, dim: usize) -> Result<PcaModel, ReduceError> {
        let fitted = pca(data, dim)?;
        let data = data.as_standard_layout();
        let Some(x) = data.as_slice() else {
            unreachable!("a standard-layout array is one slice")
        };
        let columns = data.ncols();
        let padded = columns.next_multiple_of(4);
        let mut mean: Vec<f32> = column_means(x, columns, &crate::parallel::Pool::serial())
            .iter()
            .map(|&m| m as f32)
            .collect();
        mean.resize(padded, 0.0);
        let loadings = fitted
            .components
            .rows()
            .into_iter()
            .map(|row| {
                let mut v = row.to_vec();
                v.resize(padded, 0.0);
                v
            })
            .collect();
        Ok(PcaModel {
            pca: fitted,
            columns,
            mean,
            loadings,
        })
    }

    /// The fit: map coordinates, components, explained variance.
    pub fn pca(&self) -> &Pca {
        &self.pca
    }

    /// The fitted rows' map coordinates, N x dim.
    pub fn embedding(&self) -> ArrayView2<'_, f32> {
        self.pca.coords.view()
    }

    /// Map coordinates of `rows` (M x D, the fit's columns), M x dim.
    pub fn transform(&self, rows: ArrayView2<f32>) -> Result<Array2<f32>, ReduceError> {
        if rows.ncols() != self.columns {
            return Err(ReduceError::BadParameter {
                name: "columns of the new rows",
                value: rows.ncols().to_string(),
                accepted: format!("{} (the columns of the fitted rows)", self.columns),
            });
        }
        check_finite(rows)?;
        let dim = self.loadings.len();
        let rows = rows.as_standard_layout();
        let Some(x) = rows.as_slice() else {
            unreachable!("a standard-layout array is one slice")
        };
        let mut coords = vec![0.0f32; rows.nrows() * dim];
        let mut centred = vec![0.0f32; self.mean.len()];
        for (chunk, out) in x
            .chunks(ROWS_PER_CALL * self.columns)
            .zip(coords.chunks_mut(ROWS_PER_CALL * dim))
        {
            project_rows(
                chunk,
                self.columns,
                &self.mean,
                &self.loadings,
                &mut centred,
                out,
            );
        }
        Ok(Array2::from_shape_vec((rows.nrows(), dim), coords)
            .unwrap_or_else(|_| unreachable!("M x dim coordinates")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reduce::random::Random;
    use ndarray::{Axis, array};

    #[test]
    fn fitted_rows_placed_again_land_on_their_map_positions() {
        let mut r = Random::new(3);
        let x = Array2::from_shape_fn((500, 23), |(_, c)| (r.normal() * (c + 1) as f64) as f32);
        let model = PcaModel::fit(x.view(), 2).unwrap();
        let placed = model.transform(x.view()).unwrap();
        let same = placed
            .iter()
            .zip(model.embedding().iter())
            .all(|(a, b)| a.to_bits() == b.to_bits());
        assert!(same);
        let some = x.select(Axis(0), &[7, 3, 499]);
        let placed = model.transform(some.view()).unwrap();
        assert_eq!(placed.row(1), model.embedding().row(3));
    }

    #[test]
    fn agrees_with_scikit_learn() {
        let fixture = crate::reduce::transform_fixture();
        let x = crate::reduce::fixture_matrix(&fixture["data"]["fit"]);
        let new = crate::reduce::fixture_matrix(&fixture["data"]["new"]);
        let want = crate::reduce::fixture_matrix(&fixture["pca"]["transform"]);
        let placed = PcaModel::fit(x.view(), 2)
            .unwrap()
            .transform(new.view())
            .unwrap();
        // Magpie's columns span orders of magnitude, so errors are measured
        // against the coordinates' scale.
        let scale = want.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        for (got, want) in placed.iter().zip(want.iter()) {
            assert!(
                (got - want).abs() <= 1e-5 * scale,
                "{got} vs {want} (scale {scale})"
            );
        }
    }

    #[test]
    fn bad_new_rows_are_errors() {
        let x = array![[0.0f32, 1.0], [2.0, 0.5], [1.0, 4.0]];
        let model = PcaModel::fit(x.view(), 1).unwrap();
        assert!(matches!(
            model.transform(array![[1.0f32, 2.0, 3.0]].view()),
            Err(ReduceError::BadParameter { .. })
        ));
        assert_eq!(
            model.transform(array![[1.0f32, f32::NAN]].view()),
            Err(ReduceError::NonFinite { row: 0, column: 1 })
        );
        assert_eq!(
            model
                .transform(Array2::zeros((0, 2)).view())
                .unwrap()
                .nrows(),
            0
        );
    }
}
