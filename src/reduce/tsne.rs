//! t-SNE. (Being written: see issue 4.)

use ndarray::{Array2, ArrayView2};

use super::{Observer, ReduceError};

/// scikit-learn / openTSNE defaults (SPEC section 6).
#[derive(Debug, Clone, PartialEq)]
pub struct TsneParams {
    pub dim: usize,
    pub perplexity: f32,
    pub early_exaggeration: f32,
    pub early_exaggeration_iter: usize,
    pub n_iter: usize,
    /// `None`: scikit-learn's "auto", max(N / early_exaggeration / 4, 50).
    pub learning_rate: Option<f32>,
    /// Barnes-Hut opening angle.
    pub theta: f32,
    pub seed: u64,
}

impl Default for TsneParams {
    fn default() -> Self {
        TsneParams {
            dim: 2,
            perplexity: 30.0,
            early_exaggeration: 12.0,
            early_exaggeration_iter: 250,
            n_iter: 1000,
            learning_rate: None,
            theta: 0.5,
            seed: 42,
        }
    }
}

pub fn tsne(
    _data: ArrayView2<f32>,
    _params: &TsneParams,
    _observer: &mut dyn Observer,
) -> Result<Array2<f32>, ReduceError> {
    Err(ReduceError::BadParameter {
        name: "method",
        value: "tsne".into(),
        accepted: "methods implemented so far".into(),
    })
}
