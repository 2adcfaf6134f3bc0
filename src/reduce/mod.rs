//! Dimensionality reduction to 2-D (or any small dimension): PCA, t-SNE and
//! UMAP in pure Rust, plus the quality measures that compare them (SPEC
//! section 6). Native and wasm alike; seeded and deterministic; iterative
//! methods report progress, can be cancelled, and hand out intermediate
//! layouts through an [`Observer`] so the page can animate the optimisation.
//!
//! Input is an N x D matrix of f32 (row per composition), output N x dim.

pub mod fitted;
pub mod knn;
mod lanes;
pub mod numeric;
pub mod pca;
pub mod quality;
pub mod random;
mod simd;
pub mod tsne;
pub mod umap;

use std::fmt;

use ndarray::{Array2, ArrayView2};

/// What an iterative reducer reports after an iteration or epoch.
pub struct Step<'a> {
    /// The phase, named after the paper's steps.
    pub stage: Stage,
    pub done: usize,
    pub total: usize,
    /// The current N x dim layout, row-major, when the reducer offers one at this step.
    pub layout: Option<&'a [f32]>,
}

/// The three reducers, as links, the CLI and the page's wording name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    Pca,
    Tsne,
    Umap,
}

impl Method {
    pub const ALL: [Method; 3] = [Method::Pca, Method::Tsne, Method::Umap];

    /// "pca", "tsne" or "umap".
    pub fn name(self) -> &'static str {
        match self {
            Method::Pca => "pca",
            Method::Tsne => "tsne",
            Method::Umap => "umap",
        }
    }

    pub fn from_name(name: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.name() == name)
    }

    /// As the paper's figures label it: "PCA", "t-SNE", "UMAP".
    pub fn title(self) -> &'static str {
        match self {
            Method::Pca => "PCA",
            Method::Tsne => "t-SNE",
            Method::Umap => "UMAP",
        }
    }
}

/// A phase of a reducer, named after the paper's steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The k nearest neighbours of every point (UMAP and t-SNE).
    NearestNeighbors,
    /// UMAP's fuzzy neighbour graph.
    FuzzySimplicialSet,
    /// UMAP's spectral initialisation.
    SpectralLayout,
    /// UMAP's epochs of stochastic gradient descent.
    OptimizeLayout,
    /// t-SNE's perplexity search and joint probabilities.
    Affinities,
    /// t-SNE's first iterations with exaggerated attraction.
    EarlyExaggeration,
    /// t-SNE's remaining iterations.
    Optimize,
    /// A quick PCA layout shown while an iterative reducer starts.
    Preview,
    /// The finished layout.
    Done,
}

impl Stage {
    /// umap-learn's and scikit-learn's name for the step ("nearest_neighbors").
    pub fn name(self) -> &'static str {
        match self {
            Stage::NearestNeighbors => "nearest_neighbors",
            Stage::FuzzySimplicialSet => "fuzzy_simplicial_set",
            Stage::SpectralLayout => "spectral_layout",
            Stage::OptimizeLayout => "optimize_layout_euclidean",
            Stage::Affinities => "affinities",
            Stage::EarlyExaggeration => "early_exaggeration",
            Stage::Optimize => "optimize",
            Stage::Preview => "preview",
            Stage::Done => "done",
        }
    }

    /// The stage in words, for a progress line ("optimising the layout, epoch").
    pub fn words(self) -> &'static str {
        match self {
            Stage::NearestNeighbors => "finding nearest neighbours",
            Stage::FuzzySimplicialSet => "building the neighbour graph",
            Stage::SpectralLayout => "spectral initialisation",
            Stage::OptimizeLayout => "optimising the layout, epoch",
            Stage::Affinities => "computing affinities",
            Stage::EarlyExaggeration => "early exaggeration, iteration",
            Stage::Optimize => "optimising, iteration",
            Stage::Preview => "PCA preview",
            Stage::Done => "done",
        }
    }
}

/// The observer's answer: go on or stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Continue,
    Cancel,
}

/// Receives progress; returning [`Control::Cancel`] stops the reducer with
/// [`ReduceError::Cancelled`].
pub trait Observer {
    fn step(&mut self, step: Step<'_>) -> Control;
}

impl<F: FnMut(Step<'_>) -> Control> Observer for F {
    fn step(&mut self, step: Step<'_>) -> Control {
        self(step)
    }
}

/// An observer that never cancels and ignores progress.
pub struct Silent;

impl Observer for Silent {
    fn step(&mut self, _: Step<'_>) -> Control {
        Control::Continue
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ReduceError {
    Cancelled,
    /// Too few rows for the method and its parameters.
    TooFewPoints {
        points: usize,
        needed: usize,
        why: String,
    },
    /// A parameter outside its accepted range.
    BadParameter {
        name: &'static str,
        value: String,
        accepted: String,
    },
    /// A NaN or infinity in the input.
    NonFinite {
        row: usize,
        column: usize,
    },
    /// A coordinate of the map left f32's range (an optimisation with a
    /// learning rate far too large, say).
    OutOfRange {
        method: &'static str,
        hint: &'static str,
    },
}

impl fmt::Display for ReduceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReduceError::Cancelled => write!(f, "cancelled"),
            ReduceError::TooFewPoints {
                points,
                needed,
                why,
            } => {
                write!(
                    f,
                    "{points} points is too few: at least {needed} are needed ({why})"
                )
            }
            ReduceError::BadParameter {
                name,
                value,
                accepted,
            } => write!(f, "{name} = {value} is outside {accepted}"),
            ReduceError::NonFinite { row, column } => {
                write!(
                    f,
                    "row {row}, column {column} of the input is not a finite number"
                )
            }
            ReduceError::OutOfRange { method, hint } => {
                write!(
                    f,
                    "{method}: a coordinate of the map left the range of f32 numbers; {hint}"
                )
            }
        }
    }
}

impl std::error::Error for ReduceError {}

/// Magnitudes outside [2^-40, 2^40] are brought back into [1, 2) before a
/// reducer works on them: squared distances and dot products of rows of up
/// to a million columns then stay far from f32's overflow and underflow.
const SAFE_MAGNITUDE_LOG2: i32 = 40;

/// `data` times a power of two, and that power's exponent, when its largest
/// magnitude is outside [2^-40, 2^40] (values near 1e19 would overflow
/// squared distances); `None` for data already in range (nearly all), which
/// reducers then use as it is, bit for bit. A power of two changes no
/// relative distance, so neighbour graphs, PCA's directions and the layouts
/// of t-SNE and UMAP (which calibrate to each point's own distances) are
/// those of the data.
pub(crate) fn in_safe_range(data: ArrayView2<f32>) -> Option<(Array2<f32>, i32)> {
    let largest = data.iter().fold(0.0f32, |m, &x| {
        let x = x.abs();
        if x > m { x } else { m }
    });
    if !largest.is_finite() || largest == 0.0 {
        return None;
    }
    let log2 = numeric::floor_log2(largest);
    if (-SAFE_MAGNITUDE_LOG2..=SAFE_MAGNITUDE_LOG2).contains(&log2) {
        return None;
    }
    let exponent = -log2;
    Some((
        data.mapv(|x| numeric::times_power_of_two(x, exponent)),
        exponent,
    ))
}

/// Values from umap-learn and scikit-learn for the unit tests, written by
/// `scripts/make-reduce-fixtures`.
#[cfg(test)]
pub(crate) fn reference_fixture() -> serde_json::Value {
    serde_json::from_str(include_str!("../../tests/fixtures/reduce/reference.json"))
        .expect("valid JSON")
}

/// Values from umap-learn, openTSNE and scikit-learn for the tests of
/// placing new rows, written by `scripts/make-transform-fixtures`.
#[cfg(test)]
pub(crate) fn transform_fixture() -> serde_json::Value {
    serde_json::from_str(include_str!("../../tests/fixtures/reduce/transform.json"))
        .expect("valid JSON")
}

/// A fixture matrix (rows of numbers) as f32.
#[cfg(test)]
pub(crate) fn fixture_matrix(value: &serde_json::Value) -> ndarray::Array2<f32> {
    let rows: Vec<Vec<f32>> = value
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            r.as_array()
                .expect("row")
                .iter()
                .map(|x| x.as_f64().expect("number") as f32)
                .collect()
        })
        .collect();
    let cols = rows.first().map_or(0, Vec::len);
    ndarray::Array2::from_shape_vec((rows.len(), cols), rows.concat()).expect("rectangular")
}
