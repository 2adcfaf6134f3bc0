//! Principal component analysis. (Being written: see issue 4.)

use ndarray::{Array2, ArrayView2};

use super::ReduceError;

/// Projection onto the top principal components.
#[derive(Debug, Clone, PartialEq)]
pub struct Pca {
    /// N x dim coordinates.
    pub coords: Array2<f32>,
    /// dim x D unit vectors, largest variance first.
    pub components: Array2<f32>,
    /// Share of the total variance each component explains.
    pub explained_variance_ratio: Vec<f64>,
}

pub fn pca(_data: ArrayView2<f32>, _dim: usize) -> Result<Pca, ReduceError> {
    Err(ReduceError::BadParameter {
        name: "method",
        value: "pca".into(),
        accepted: "methods implemented so far".into(),
    })
}
