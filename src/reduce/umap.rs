//! UMAP. (Being written: see issue 4.)

use ndarray::{Array2, ArrayView2};

use super::{Observer, ReduceError};

/// umap-learn defaults (SPEC section 6).
#[derive(Debug, Clone, PartialEq)]
pub struct UmapParams {
    pub dim: usize,
    pub n_neighbors: usize,
    pub min_dist: f32,
    pub spread: f32,
    /// `None`: umap-learn's rule, 500 epochs up to 10,000 points, 200 above.
    pub n_epochs: Option<usize>,
    pub negative_sample_rate: usize,
    pub learning_rate: f32,
    pub seed: u64,
}

impl Default for UmapParams {
    fn default() -> Self {
        UmapParams {
            dim: 2,
            n_neighbors: 15,
            min_dist: 0.1,
            spread: 1.0,
            n_epochs: None,
            negative_sample_rate: 5,
            learning_rate: 1.0,
            seed: 42,
        }
    }
}

pub fn umap(
    _data: ArrayView2<f32>,
    _params: &UmapParams,
    _observer: &mut dyn Observer,
) -> Result<Array2<f32>, ReduceError> {
    Err(ReduceError::BadParameter {
        name: "method",
        value: "umap".into(),
        accepted: "methods implemented so far".into(),
    })
}
