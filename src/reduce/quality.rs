//! How well a 2-D map keeps the input's neighbourhoods. (Being written: see issue 4.)

use ndarray::ArrayView2;

/// scikit-learn's `manifold.trustworthiness(high, low, n_neighbors=k)`.
pub fn trustworthiness(_high: ArrayView2<f32>, _low: ArrayView2<f32>, _k: usize) -> f64 {
    f64::NAN
}

/// Mean share of each point's k nearest input neighbours that are among its k
/// nearest in the map.
pub fn knn_recall(_high: ArrayView2<f32>, _low: ArrayView2<f32>, _k: usize) -> f64 {
    f64::NAN
}
