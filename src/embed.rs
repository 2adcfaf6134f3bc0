//! Compositional embeddings: one vector per composition, pooled from its
//! elements' vectors (paper eq. 2 and ElementEmbeddings' other statistics).
//!
//! For a composition with amounts a_i (reduced, as [`Composition`] holds them),
//! fractions w_i = a_i / sum(a) and element vectors v_i, each component is, as
//! in ElementEmbeddings 0.8.0's `CompositionalEmbedding.feature_vector`:
//!
//! | stat             | value                                   |
//! |------------------|-----------------------------------------|
//! | `mean` (eq. 2)   | sum w_i v_i                             |
//! | `variance`       | sum w_i (v_i - mean)^2                  |
//! | `minpool`        | min v_i                                 |
//! | `maxpool`        | max v_i                                 |
//! | `range`          | max v_i - min v_i                       |
//! | `sum`            | sum a_i v_i (amounts, not fractions)    |
//! | `geometric_mean` | exp(sum w_i ln v_i)                     |
//! | `harmonic_mean`  | 1 / sum (w_i / v_i)                     |
//!
//! The last two follow IEEE arithmetic exactly as numpy does: a negative
//! component makes the geometric mean NaN and a zero makes it 0; a zero
//! makes the harmonic mean 0. They only mean something for positive
//! embeddings (magpie, oliynyk, the one-hot scales). Several statistics
//! concatenate in the order given, as ElementEmbeddings does for a list.
//!
//! Everything is computed in f64 and rounded once to f32 for the maps. A
//! composition with an element the embedding does not cover has no vector: it
//! is left out of the batch and reported, never filled in with zeros.
//! Guarantees: the output depends only on the inputs (no hashing; each row
//! computed on its own, chunks of rows on as many threads as allowed and
//! joined in order), bit for bit natively and in wasm and for any number of
//! threads; a chunk allocates its rows, its two index lists and one scratch
//! vector, and nothing per row.

use std::fmt;

use ndarray::Array2;

use crate::chem::{Composition, Element, MAX_COMPOSITION_ELEMENTS};
use crate::data::embeddings::ElementEmbedding;
use crate::parallel::{Pool, Threads};

/// A pooling statistic of ElementEmbeddings' `feature_vector(stats=...)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PoolingStat {
    Mean,
    Variance,
    MinPool,
    MaxPool,
    Range,
    Sum,
    GeometricMean,
    HarmonicMean,
}

impl PoolingStat {
    pub const ALL: [PoolingStat; 8] = [
        PoolingStat::Mean,
        PoolingStat::Variance,
        PoolingStat::MinPool,
        PoolingStat::MaxPool,
        PoolingStat::Range,
        PoolingStat::Sum,
        PoolingStat::GeometricMean,
        PoolingStat::HarmonicMean,
    ];

    /// ElementEmbeddings' name for the statistic.
    pub fn name(self) -> &'static str {
        match self {
            PoolingStat::Mean => "mean",
            PoolingStat::Variance => "variance",
            PoolingStat::MinPool => "minpool",
            PoolingStat::MaxPool => "maxpool",
            PoolingStat::Range => "range",
            PoolingStat::Sum => "sum",
            PoolingStat::GeometricMean => "geometric_mean",
            PoolingStat::HarmonicMean => "harmonic_mean",
        }
    }

    pub fn from_name(name: &str) -> Option<PoolingStat> {
        PoolingStat::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Reads a comma-separated list such as "mean,variance".
    pub fn parse_list(text: &str) -> Result<Vec<PoolingStat>, UnknownStat> {
        text.split(',')
            .map(|s| {
                PoolingStat::from_name(s.trim()).ok_or_else(|| UnknownStat(s.trim().to_string()))
            })
            .collect()
    }

    /// Pools the element vectors into `acc` (length dim), component by
    /// component, with `tmp` (length dim) as scratch. Loops run element by
    /// element over whole vectors, so each is a plain vectorisable pass.
    fn pool(
        self,
        vectors: &[&[f64]],
        amounts: &[f64],
        fractions: &[f64],
        acc: &mut [f64],
        tmp: &mut [f64],
    ) {
        match self {
            PoolingStat::Mean => weighted_sum(acc, vectors, fractions, |v| v),
            PoolingStat::Variance => {
                weighted_sum(tmp, vectors, fractions, |v| v);
                acc.fill(0.0);
                for (v, &w) in vectors.iter().zip(fractions) {
                    for ((a, &x), &mean) in acc.iter_mut().zip(v.iter()).zip(tmp.iter()) {
                        *a += w * ((x - mean) * (x - mean));
                    }
                }
            }
            PoolingStat::MinPool => fold(acc, vectors, f64::min),
            PoolingStat::MaxPool => fold(acc, vectors, f64::max),
            PoolingStat::Range => {
                fold(acc, vectors, f64::max);
                fold(tmp, vectors, f64::min);
                acc.iter_mut()
                    .zip(tmp.iter())
                    .for_each(|(a, &min)| *a -= min);
            }
            PoolingStat::Sum => weighted_sum(acc, vectors, amounts, |v| v),
            PoolingStat::GeometricMean => {
                // libm, not the platform's maths library, so wasm gives the same bits.
                weighted_sum(acc, vectors, fractions, libm::log);
                acc.iter_mut().for_each(|a| *a = libm::exp(*a));
            }
            PoolingStat::HarmonicMean => {
                weighted_sum(acc, vectors, fractions, |v| 1.0 / v);
                acc.iter_mut().for_each(|a| *a = 1.0 / *a);
            }
        }
    }
}

/// acc = sum_i weight_i f(v_i), summed in element order from 0 (as numpy's dot).
fn weighted_sum(acc: &mut [f64], vectors: &[&[f64]], weights: &[f64], f: impl Fn(f64) -> f64) {
    acc.fill(0.0);
    for (v, &w) in vectors.iter().zip(weights) {
        for (a, &x) in acc.iter_mut().zip(v.iter()) {
            *a += w * f(x);
        }
    }
}

/// acc = the componentwise fold of the vectors by `f` (min or max).
fn fold(acc: &mut [f64], vectors: &[&[f64]], f: fn(f64, f64) -> f64) {
    acc.copy_from_slice(vectors[0]);
    for v in &vectors[1..] {
        acc.iter_mut()
            .zip(v.iter())
            .for_each(|(a, &x)| *a = f(*a, x));
    }
}

impl fmt::Display for PoolingStat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A statistic name ElementEmbeddings does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownStat(pub String);

impl fmt::Display for UnknownStat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = PoolingStat::ALL.iter().map(|s| s.name()).collect();
        write!(
            f,
            "'{}' is not a pooling statistic; choose from {}",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for UnknownStat {}

/// Length of the feature vector for `stats` over `embedding`.
pub fn feature_len(embedding: &ElementEmbedding, stats: &[PoolingStat]) -> usize {
    embedding.dim() * stats.len()
}

/// Writes the feature vector of `composition` into `out` (length
/// [`feature_len`]), computed in f64 in `scratch` (length 2 x dim) and rounded
/// by `round` (the identity for f64, `as f32` for the maps). Returns the first
/// element (in increasing Z) the embedding does not cover, leaving `out` untouched.
///
/// Never inlined: in wasm, V8 first runs code unoptimised and swaps in
/// optimised code only between calls, so the per-row work must be a call of
/// its own to be optimised within a batch's first run, not only in later ones.
#[inline(never)]
fn write_feature_vector<T>(
    composition: &Composition,
    embedding: &ElementEmbedding,
    stats: &[PoolingStat],
    scratch: &mut [f64],
    out: &mut [T],
    round: impl Fn(f64) -> T,
) -> Result<(), Element> {
    let parts = composition.parts();
    let n = parts.len();
    let dim = embedding.dim();
    assert!(
        n <= MAX_COMPOSITION_ELEMENTS
            && out.len() == feature_len(embedding, stats)
            && scratch.len() == 2 * dim
    );
    let mut vectors: [&[f64]; MAX_COMPOSITION_ELEMENTS] = [&[]; MAX_COMPOSITION_ELEMENTS];
    let mut amounts = [0.0; MAX_COMPOSITION_ELEMENTS];
    let mut fractions = [0.0; MAX_COMPOSITION_ELEMENTS];
    let total = composition.total_amount() as f64;
    for (i, &(element, amount)) in parts.iter().enumerate() {
        vectors[i] = embedding.vector(element).ok_or(element)?;
        amounts[i] = f64::from(amount);
        fractions[i] = amounts[i] / total;
    }
    let (acc, tmp) = scratch.split_at_mut(dim);
    for (stat, out) in stats.iter().zip(out.chunks_exact_mut(dim)) {
        stat.pool(&vectors[..n], &amounts[..n], &fractions[..n], acc, tmp);
        out.iter_mut()
            .zip(acc.iter())
            .for_each(|(o, &a)| *o = round(a));
    }
    Ok(())
}

/// The feature vector of one composition in f64 (ElementEmbeddings'
/// `CompositionalEmbedding(formula, embedding).feature_vector(stats)`), or the
/// first element the embedding does not cover.
pub fn feature_vector(
    composition: &Composition,
    embedding: &ElementEmbedding,
    stats: &[PoolingStat],
) -> Result<Vec<f64>, Element> {
    let mut out = vec![0.0; feature_len(embedding, stats)];
    let mut scratch = vec![0.0; 2 * embedding.dim()];
    write_feature_vector(composition, embedding, stats, &mut scratch, &mut out, |v| v)?;
    Ok(out)
}

/// The compositional embeddings of a batch, one f32 row per kept composition.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbedBatch {
    /// Kept compositions x (`stats.len()` x embedding dim), in input order.
    pub matrix: Array2<f32>,
    /// Input index of each matrix row.
    pub kept_rows: Vec<usize>,
    /// Input index of each composition left out, with the first of its
    /// elements (in increasing Z) the embedding does not cover.
    pub left_out: Vec<(usize, Element)>,
}

/// Embeds `compositions` on every core; see the module docs. With
/// `standardise`, each column is then z-scored over the kept rows
/// ([`standardise_columns`]).
pub fn embed_batch(
    compositions: &[Composition],
    embedding: &ElementEmbedding,
    stats: &[PoolingStat],
    standardise: bool,
) -> EmbedBatch {
    embed_batch_on(
        &Pool::new(Threads::all()),
        compositions,
        embedding,
        stats,
        standardise,
    )
}

/// Compositions embedded by one task.
const CHUNK: usize = 1024;

/// [`embed_batch`] on the threads of `pool` (the same bits for any number).
pub fn embed_batch_on(
    pool: &Pool,
    compositions: &[Composition],
    embedding: &ElementEmbedding,
    stats: &[PoolingStat],
    standardise: bool,
) -> EmbedBatch {
    let width = feature_len(embedding, stats);
    let chunks = pool.map(compositions.len().div_ceil(CHUNK), |c| {
        let first = c * CHUNK;
        let chunk = &compositions[first..(first + CHUNK).min(compositions.len())];
        // Rows grow at the end of one buffer (reserved once, so never moved) and
        // are zeroed there just before they are written, while in cache.
        let mut data: Vec<f32> = Vec::with_capacity(chunk.len() * width);
        let mut scratch = vec![0.0; 2 * embedding.dim()];
        let mut kept_rows = Vec::with_capacity(chunk.len());
        let mut left_out = Vec::new();
        for (i, c) in chunk.iter().enumerate() {
            let start = data.len();
            data.resize(start + width, 0.0);
            match write_feature_vector(c, embedding, stats, &mut scratch, &mut data[start..], |v| {
                v as f32
            }) {
                Ok(()) => kept_rows.push(first + i),
                Err(element) => {
                    data.truncate(start);
                    left_out.push((first + i, element));
                }
            }
        }
        (data, kept_rows, left_out)
    });
    let mut data = Vec::with_capacity(compositions.len() * width);
    let mut kept_rows = Vec::with_capacity(compositions.len());
    let mut left_out = Vec::new();
    for (rows, kept, left) in chunks {
        data.extend_from_slice(&rows);
        kept_rows.extend(kept);
        left_out.extend(left);
    }
    let mut matrix =
        Array2::from_shape_vec((kept_rows.len(), width), data).expect("rows x width values");
    if standardise {
        standardise_columns(&mut matrix);
    }
    EmbedBatch {
        matrix,
        kept_rows,
        left_out,
    }
}

/// Z-scores each column: (x - mean) / std with the population std (as
/// scikit-learn's `StandardScaler`), accumulated in f64. A column whose values
/// are all equal becomes 0. NaN or infinite entries (geometric and harmonic
/// means of signed embeddings) take no part in a column's mean and std and
/// are left as they are.
pub fn standardise_columns(matrix: &mut Array2<f32>) {
    let width = matrix.ncols();
    if width == 0 || matrix.nrows() == 0 {
        return;
    }
    if !matrix.is_standard_layout() {
        *matrix = matrix.as_standard_layout().into_owned();
    }
    let data = matrix.as_slice_mut().expect("standard layout");
    // One pass gathers every column's count, sum and sum of squares, row by
    // row in memory order, each value shifted by its column's first value so
    // the variance does not cancel and a constant column's is exactly 0.
    // Rows that are all finite (nearly all) take a loop the compiler vectorises.
    let shift: Vec<f64> = data[..width]
        .iter()
        .map(|&v| if v.is_finite() { f64::from(v) } else { 0.0 })
        .collect();
    let mut finite_rows = 0.0;
    let mut extra_count = vec![0f64; width];
    let mut sum = vec![0f64; width];
    let mut squares = vec![0f64; width];
    for row in data.chunks_exact(width) {
        let columns = row.iter().zip(&shift).zip(sum.iter_mut().zip(&mut squares));
        if row.iter().all(|v| v.is_finite()) {
            finite_rows += 1.0;
            for ((&v, &shift), (sum, squares)) in columns {
                let d = f64::from(v) - shift;
                *sum += d;
                *squares += d * d;
            }
        } else {
            for (((&v, &shift), (sum, squares)), count) in columns.zip(&mut extra_count) {
                if v.is_finite() {
                    let d = f64::from(v) - shift;
                    *count += 1.0;
                    *sum += d;
                    *squares += d * d;
                }
            }
        }
    }
    let mut mean = vec![0f64; width];
    let mut scale = vec![0f64; width];
    for j in 0..width {
        let count = finite_rows + extra_count[j];
        if count > 0.0 {
            let shifted_mean = sum[j] / count;
            mean[j] = shift[j] + shifted_mean;
            let variance = (squares[j] / count - shifted_mean * shifted_mean).max(0.0);
            scale[j] = if squares[j] == 0.0 {
                0.0
            } else {
                1.0 / variance.sqrt()
            };
        }
    }
    for row in data.chunks_exact_mut(width) {
        for ((v, &mean), &scale) in row.iter_mut().zip(&mean).zip(&scale) {
            let z = ((f64::from(*v) - mean) * scale) as f32;
            *v = if v.is_finite() { z } else { *v };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::embeddings::EmbeddingInfo;
    use ndarray::Axis;

    fn c(formula: &str) -> Composition {
        Composition::parse(formula).unwrap()
    }

    fn toy() -> ElementEmbedding {
        // H = (1, -2, 0), O = (4, 2, 3): small enough to check every statistic by hand.
        let mut b = b"CAE1\x08\x00\x03\x00\x02\x00\x01\x08".to_vec();
        for v in [1.0f64, -2.0, 0.0, 4.0, 2.0, 3.0] {
            b.extend(v.to_le_bytes());
        }
        ElementEmbedding::from_bytes("toy", &b).unwrap()
    }

    #[test]
    fn every_statistic_by_hand_on_water() {
        let e = toy();
        let water = c("H2O");
        let fv = |s: PoolingStat| feature_vector(&water, &e, &[s]).unwrap();
        // w = (2/3, 1/3).
        assert_eq!(fv(PoolingStat::Mean), [2.0, -2.0 / 3.0, 1.0]);
        let var = fv(PoolingStat::Variance);
        for (got, want) in var.iter().zip([2.0, 32.0 / 9.0, 2.0]) {
            assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        }
        assert_eq!(fv(PoolingStat::MinPool), [1.0, -2.0, 0.0]);
        assert_eq!(fv(PoolingStat::MaxPool), [4.0, 2.0, 3.0]);
        assert_eq!(fv(PoolingStat::Range), [3.0, 4.0, 3.0]);
        assert_eq!(fv(PoolingStat::Sum), [6.0, -2.0, 3.0]);
        let geo = fv(PoolingStat::GeometricMean);
        assert!((geo[0] - 4f64.powf(1.0 / 3.0)).abs() < 1e-12);
        assert!(
            geo[1].is_nan(),
            "a negative value makes numpy's geometric mean NaN"
        );
        assert_eq!(geo[2], 0.0, "a zero makes it 0");
        let harm = fv(PoolingStat::HarmonicMean);
        assert!((harm[0] - 1.0 / (2.0 / 3.0 + 1.0 / 12.0)).abs() < 1e-12);
        assert!((harm[1] - 1.0 / (-1.0 / 3.0 + 1.0 / 6.0)).abs() < 1e-12);
        assert_eq!(harm[2], 0.0, "1/0 = inf, so the harmonic mean is 0");
        // Statistics concatenate in the order asked, like ElementEmbeddings' lists.
        let both = feature_vector(&water, &e, &[PoolingStat::Sum, PoolingStat::Mean]).unwrap();
        assert_eq!(both, [6.0, -2.0, 3.0, 2.0, -2.0 / 3.0, 1.0]);
    }

    #[test]
    fn the_same_batch_for_any_number_of_threads() {
        let e = toy();
        // Several chunks, with left-out rows on both sides of a chunk boundary.
        let comps: Vec<Composition> = (0..3 * CHUNK + 17)
            .map(|i| match i % 5 {
                0 => c("NaCl"),
                1 => c("H2O"),
                2 => c("H2O2"),
                3 => c("OH3"),
                _ => c("H5O3"),
            })
            .collect();
        let stats = [PoolingStat::Mean, PoolingStat::Variance];
        let one = embed_batch_on(&Pool::serial(), &comps, &e, &stats, true);
        assert_eq!(one.left_out.len(), (3 * CHUNK + 17).div_ceil(5));
        for threads in [2, 3, 8] {
            let pool = Pool::new(Threads::new(threads).unwrap());
            let again = embed_batch_on(&pool, &comps, &e, &stats, true);
            assert_eq!(again.kept_rows, one.kept_rows);
            assert_eq!(again.left_out, one.left_out);
            let bits = |b: &EmbedBatch| b.matrix.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&again), bits(&one), "{threads} threads");
        }
    }

    #[test]
    fn uncovered_elements_are_left_out_and_named() {
        let e = toy();
        let batch = embed_batch(
            &[c("H2O"), c("NaCl"), c("OH"), c("HOC")],
            &e,
            &[PoolingStat::Mean],
            false,
        );
        assert_eq!(batch.kept_rows, [0, 2]);
        let names: Vec<(usize, &str)> = batch
            .left_out
            .iter()
            .map(|&(i, el)| (i, el.symbol()))
            .collect();
        assert_eq!(names, [(1, "Na"), (3, "C")]);
        assert_eq!(batch.matrix.shape(), [2, 3]);
        assert_eq!(batch.matrix.row(1).to_vec(), [2.5, 0.0, 1.5]);
        let empty = embed_batch(&[c("NaCl")], &e, &[PoolingStat::Mean], true);
        assert_eq!(empty.matrix.shape(), [0, 3]);
    }

    #[test]
    fn standardised_columns_have_zero_mean_unit_population_std() {
        let e = toy();
        let comps = [c("H2O"), c("HO"), c("HO2"), c("H3O")];
        let batch = embed_batch(&comps, &e, &[PoolingStat::Mean, PoolingStat::MinPool], true);
        for (j, column) in batch.matrix.axis_iter(Axis(1)).enumerate() {
            let n = column.len() as f64;
            let mean = column.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
            let var = column
                .iter()
                .map(|&v| (f64::from(v) - mean).powi(2))
                .sum::<f64>()
                / n;
            assert!(mean.abs() < 1e-6, "column {j} mean {mean}");
            if j < 3 {
                assert!((var - 1.0).abs() < 1e-6, "column {j} var {var}");
            } else {
                // minpool is the same for every composition of H and O: constant columns become 0.
                assert!(column.iter().all(|&v| v == 0.0), "column {j}");
            }
        }
    }

    #[test]
    fn non_finite_entries_keep_out_of_standardisation() {
        let mut m = Array2::from_shape_vec((3, 1), vec![1.0, f32::NAN, 3.0]).unwrap();
        standardise_columns(&mut m);
        assert_eq!(m[[0, 0]], -1.0);
        assert!(m[[1, 0]].is_nan());
        assert_eq!(m[[2, 0]], 1.0);
    }

    #[test]
    fn batch_rows_are_the_single_vectors_rounded_once() {
        let e = EmbeddingInfo::from_name("mat2vec")
            .unwrap()
            .embedded()
            .unwrap();
        let comps = [c("Li2ZnSn3O8"), c("ZnO"), c("LiZn4Sn4O8")];
        let stats = [PoolingStat::Mean, PoolingStat::Variance];
        let batch = embed_batch(&comps, e, &stats, false);
        for (row, c) in batch.matrix.rows().into_iter().zip(&comps) {
            let single: Vec<f32> = feature_vector(c, e, &stats)
                .unwrap()
                .iter()
                .map(|&v| v as f32)
                .collect();
            assert_eq!(row.to_vec(), single);
        }
    }

    #[test]
    fn stat_names_round_trip_and_errors_list_choices() {
        for s in PoolingStat::ALL {
            assert_eq!(PoolingStat::from_name(s.name()), Some(s));
        }
        assert_eq!(
            PoolingStat::parse_list("mean, variance").unwrap(),
            [PoolingStat::Mean, PoolingStat::Variance]
        );
        let err = PoolingStat::parse_list("mean,median")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("'median' is not a pooling statistic; choose from mean, variance"),
            "{err}"
        );
    }
}
