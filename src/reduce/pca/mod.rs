//! Principal component analysis, exact: the top eigenvectors of the centred
//! data's covariance matrix, as scikit-learn's `PCA(n_components=dim)` with an
//! exact solver ("full" or "covariance_eigh").
//!
//! Why this shape: the embeddings have at most a few hundred columns and many
//! more rows, so the D x D covariance is small and a careful symmetric
//! eigensolver on it ([`eigen`]) is exact and fast; no randomised SVD.
//!
//! Guarantees:
//! - components are unit vectors with scikit-learn's sign convention
//!   (`svd_flip(u_based_decision=False)`): in each component the entry of
//!   largest magnitude (the first one, on ties) is positive, so maps do not
//!   flip between runs or platforms;
//! - the covariance is accumulated in f32 over blocks of rows and in f64 across
//!   blocks, the eigenproblem is solved in f64 and the projection summed in
//!   f32 (relative errors ~1e-6, far inside the 1e-4 the tests ask of
//!   scikit-learn agreement);
//! - deterministic: the same bits natively and in wasm (only IEEE arithmetic
//!   and `sqrt`, in a fixed order).

mod covariance;
mod eigen;
pub(crate) use eigen::top_eigenpairs;
mod transform;

use ndarray::{Array2, ArrayView2};

use super::ReduceError;
use super::lanes::F32x4;
use crate::parallel::{Pool, Threads};

pub use transform::PcaModel;

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

/// The top `dim` principal components of `data` (N x D) and the data projected
/// onto them.
///
/// `explained_variance_ratio` is each component's variance over the total
/// variance (the covariance's trace); all zeros when every row is the same.
pub fn pca(data: ArrayView2<f32>, dim: usize) -> Result<Pca, ReduceError> {
    pca_on(&Pool::new(Threads::all()), data, dim)
}

/// [`pca`] on the threads of `pool` (the same bits for any number).
pub fn pca_on(pool: &Pool, data: ArrayView2<f32>, dim: usize) -> Result<Pca, ReduceError> {
    let (n, d) = data.dim();
    if n < 2 {
        return Err(ReduceError::TooFewPoints {
            points: n,
            needed: 2,
            why: "the variance of one point is undefined".into(),
        });
    }
    if dim == 0 || dim > n.min(d) {
        return Err(ReduceError::BadParameter {
            name: "dim",
            value: dim.to_string(),
            accepted: format!(
                "1..={} (at most the number of rows and of columns)",
                n.min(d)
            ),
        });
    }
    // Values near 1e19 would overflow the covariance: work on the data
    // scaled by a power of two, and scale the coordinates back.
    let scaled = super::in_safe_range(data);
    let data = scaled.as_ref().map_or(data, |(x, _)| x.view());
    // One contiguous row-major copy at most (none for the usual input), so
    // every pass below runs over plain slices.
    let data = data.as_standard_layout();
    let Some(x) = data.as_slice() else {
        unreachable!("a standard-layout array is one slice")
    };
    let mean = column_means(x, d, pool);
    // A NaN or an infinity makes its column's sum non-finite (an f64 sum of
    // N finite f32 cannot overflow), so the mean doubles as the finiteness
    // check and the error names the first bad value.
    if mean.iter().any(|m| !m.is_finite()) {
        super::knn::check_finite(data.view())?;
    }
    let cov = covariance::covariance(x, d, &mean, pool);
    let total_variance: f64 = (0..d).map(|i| cov[i * d + i]).sum();
    let top = eigen::top_eigenpairs(&cov, d, dim);

    let mut components = Array2::<f32>::zeros((dim, d));
    let mut explained_variance_ratio = Vec::with_capacity(dim);
    let mut loadings: Vec<Vec<f64>> = Vec::with_capacity(dim);
    for (k, (value, mut vector)) in top.into_iter().enumerate() {
        flip_sign(&mut vector);
        for (c, &v) in components.row_mut(k).iter_mut().zip(&vector) {
            *c = v as f32;
        }
        let ratio = if total_variance > 0.0 {
            value.max(0.0) / total_variance
        } else {
            0.0
        };
        explained_variance_ratio.push(ratio);
        loadings.push(vector);
    }

    // Projection in f32 lanes: each coordinate sums D products of centred
    // values and loadings, good to ~1e-6 relative.
    let padded = d.next_multiple_of(4);
    let pad = |v: &mut Vec<f32>| v.resize(padded, 0.0);
    let mut mean32: Vec<f32> = mean.iter().map(|&m| m as f32).collect();
    pad(&mut mean32);
    let loadings32: Vec<Vec<f32>> = loadings
        .iter()
        .map(|v| {
            let mut v: Vec<f32> = v.iter().map(|&x| x as f32).collect();
            pad(&mut v);
            v
        })
        .collect();
    let mut coords = vec![0.0f32; n * dim];
    pool.chunks_mut(&mut coords, ROWS_PER_CALL * dim, |c, out| {
        let rows = &x[c * ROWS_PER_CALL * d..][..out.len() / dim * d];
        let mut centred = vec![0.0f32; padded];
        project_rows(rows, d, &mean32, &loadings32, &mut centred, out);
    });
    if let Some((_, exponent)) = scaled {
        for c in coords.iter_mut() {
            *c = super::numeric::times_power_of_two(*c, -exponent);
        }
        if !coords.iter().all(|c| c.is_finite()) {
            return Err(ReduceError::OutOfRange {
                method: "PCA",
                hint: "the input's values are too large; divide it by a constant first",
            });
        }
    }
    let Ok(coords) = Array2::from_shape_vec((n, dim), coords) else {
        unreachable!("n * dim coordinates")
    };
    Ok(Pca {
        coords,
        components,
        explained_variance_ratio,
    })
}

/// Rows handed to each call of a row-wise pass: V8 runs a wasm function's
/// optimised code only from its next call on, so no pass over all rows runs
/// in one call.
const ROWS_PER_CALL: usize = 512;

/// Column means; each chunk of rows sums on its own, the chunks' sums added
/// in order.
fn column_means(x: &[f32], d: usize, pool: &Pool) -> Vec<f64> {
    let chunk = 8 * ROWS_PER_CALL * d;
    let parts = pool.map(x.len().div_ceil(chunk), |c| {
        let mut sum = vec![0.0f64; d];
        for rows in x[c * chunk..((c + 1) * chunk).min(x.len())].chunks(ROWS_PER_CALL * d) {
            add_rows(rows, &mut sum);
        }
        sum
    });
    let mut sum = vec![0.0f64; d];
    for part in &parts {
        for (s, &p) in sum.iter_mut().zip(part) {
            *s += p;
        }
    }
    let n = (x.len() / d) as f64;
    sum.iter().map(|s| s / n).collect()
}

#[inline(never)]
fn add_rows(rows: &[f32], sum: &mut [f64]) {
    for row in rows.chunks_exact(sum.len()) {
        for (s, &x) in sum.iter_mut().zip(row) {
            *s += f64::from(x);
        }
    }
}

/// Coordinates of `rows` (row-major, `d` columns) on the zero-padded
/// loadings, in f32 lanes; `centred` is scratch of the padded width.
#[inline(never)]
fn project_rows(
    rows: &[f32],
    d: usize,
    mean: &[f32],
    loadings: &[Vec<f32>],
    centred: &mut [f32],
    out: &mut [f32],
) {
    for (row, coords) in rows
        .chunks_exact(d)
        .zip(out.chunks_exact_mut(loadings.len()))
    {
        for ((c, &x), &m) in centred.iter_mut().zip(row).zip(mean) {
            *c = x - m;
        }
        for (o, vector) in coords.iter_mut().zip(loadings) {
            let mut dot = F32x4::splat(0.0);
            for (c, v) in centred.chunks_exact(4).zip(vector.chunks_exact(4)) {
                dot = dot + F32x4::from_slice(c) * F32x4::from_slice(v);
            }
            *o = dot.sum();
        }
    }
}

/// scikit-learn's `svd_flip(u_based_decision=False)`: the largest-magnitude
/// entry (first on ties, as `argmax`) becomes positive.
fn flip_sign(vector: &mut [f64]) {
    let mut largest = 0;
    for (i, v) in vector.iter().enumerate() {
        if v.abs() > vector[largest].abs() {
            largest = i;
        }
    }
    if vector[largest] < 0.0 {
        for v in vector.iter_mut() {
            *v = -*v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, array};
    use serde_json::Value;
    use std::path::PathBuf;

    fn fixture(name: &str) -> Value {
        let path = format!("{}/tests/fixtures/pca/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap()
    }

    fn matrix(v: &Value) -> Vec<Vec<f64>> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|row| {
                row.as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_f64().unwrap())
                    .collect()
            })
            .collect()
    }

    fn vector(v: &Value) -> Vec<f64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    }

    /// The reference matrix from ../shared/reference (or $CRYSTAL_ATLAS_SHARED).
    fn shared_matrix(name: &str, columns: usize) -> Option<Array2<f32>> {
        let shared = std::env::var_os("CRYSTAL_ATLAS_SHARED")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
        let path = shared.join("reference").join(name);
        let Ok(bytes) = std::fs::read(&path) else {
            eprintln!("skipped: {} is absent", path.display());
            return None;
        };
        let values: Vec<f32> = bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
            .collect();
        Some(Array2::from_shape_vec((values.len() / columns, columns), values).unwrap())
    }

    fn assert_matches_reference(ours: &Pca, reference: &Value, rows: &[usize]) {
        let components = matrix(&reference["components"]);
        for (k, want) in components.iter().enumerate() {
            for (j, &w) in want.iter().enumerate() {
                let got = f64::from(ours.components[[k, j]]);
                assert!((got - w).abs() < 1e-5, "component {k}[{j}]: {got} vs {w}");
            }
        }
        let ratios = vector(&reference["explained_variance_ratio"]);
        for (got, want) in ours.explained_variance_ratio.iter().zip(&ratios) {
            assert!((got - want).abs() <= 1e-4 * want, "ratio {got} vs {want}");
        }
        let coords = matrix(&reference["coords"]);
        for k in 0..components.len() {
            let spread =
                (coords.iter().map(|r| r[k] * r[k]).sum::<f64>() / coords.len() as f64).sqrt();
            for (&row, want) in rows.iter().zip(&coords) {
                let got = f64::from(ours.coords[[row, k]]);
                assert!(
                    (got - want[k]).abs() <= 1e-4 * spread,
                    "row {row} coordinate {k}: {got} vs {}",
                    want[k]
                );
            }
        }
    }

    #[test]
    fn matches_scikit_learn_on_correlated_data() {
        let reference = fixture("small.json");
        let rows = matrix(&reference["data"]);
        let data = Array2::from_shape_fn((rows.len(), rows[0].len()), |(i, j)| rows[i][j] as f32);
        let dim = reference["dim"].as_u64().unwrap() as usize;
        let ours = pca(data.view(), dim).unwrap();
        assert_eq!(ours.coords.dim(), (rows.len(), dim));
        assert_matches_reference(&ours, &reference, &(0..rows.len()).collect::<Vec<_>>());
    }

    #[test]
    fn matches_scikit_learn_on_mat2vec_12k() {
        let Some(data) = shared_matrix("mat2vec_12k.f32", 200) else {
            return;
        };
        let reference = fixture("mat2vec_12k.json");
        let rows: Vec<usize> = reference["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_u64().unwrap() as usize)
            .collect();
        let ours = pca(data.view(), 2).unwrap();
        assert_matches_reference(&ours, &reference, &rows);
    }

    #[test]
    fn the_same_bits_for_any_number_of_threads() {
        // Several chunks of covariance blocks and of projected rows.
        let mut random = crate::reduce::random::Random::new(4);
        let data = Array2::from_shape_fn((5000, 13), |(_, c)| {
            (random.normal() * (c + 1) as f64) as f32
        });
        let run = |threads: usize| {
            let pool = Pool::new(Threads::new(threads).unwrap());
            let p = pca_on(&pool, data.view(), 3).unwrap();
            let bits: Vec<u32> = p
                .coords
                .iter()
                .chain(&p.components)
                .map(|v| v.to_bits())
                .collect();
            (bits, p.explained_variance_ratio)
        };
        let one = run(1);
        for threads in [2, 3, 8] {
            assert!(run(threads) == one, "{threads} threads");
        }
    }

    #[test]
    fn huge_and_tiny_values_are_scaled_not_overflowed() {
        // Values near 1e19 once overflowed the covariance into NaN.
        let mut random = crate::reduce::random::Random::new(8);
        let x = Array2::from_shape_fn((300, 5), |(_, c)| (random.normal() * (c + 1) as f64) as f32);
        let largest = x.iter().fold(0.0f32, |m, &v| m.max(v.abs()));
        let x = x.mapv(|v| v / largest);
        let want = pca(x.view(), 2).unwrap();
        for power in [2f32.powi(64), 2f32.powi(-70)] {
            let got = pca(x.mapv(|v| v * power).view(), 2).unwrap();
            assert_eq!(got.components, want.components);
            assert_eq!(got.coords, want.coords.mapv(|v| v * power));
        }
        // Coordinates beyond f32 are an error, not infinities.
        let extreme =
            Array2::from_shape_fn(
                (4, 400),
                |(i, c)| {
                    if (i + c) % 2 == 0 { 3e38f32 } else { -3e38 }
                },
            );
        assert!(matches!(
            pca(extreme.view(), 1),
            Err(ReduceError::OutOfRange { .. })
        ));
    }

    #[test]
    fn components_keep_their_sign_when_the_data_is_negated() {
        let reference = fixture("small.json");
        let rows = matrix(&reference["data"]);
        let data = Array2::from_shape_fn((rows.len(), rows[0].len()), |(i, j)| rows[i][j] as f32);
        let plain = pca(data.view(), 2).unwrap();
        let negated = pca((-&data).view(), 2).unwrap();
        assert_eq!(plain.components, negated.components);
        for (a, b) in plain.coords.iter().zip(negated.coords.iter()) {
            assert!((a + b).abs() <= 1e-5 * a.abs().max(1.0), "{a} vs {b}");
        }
        for row in plain.components.rows() {
            let largest = row
                .iter()
                .fold(0.0f32, |m, &v| if v.abs() > m.abs() { v } else { m });
            assert!(largest > 0.0);
        }
    }

    #[test]
    fn axis_aligned_variances_give_unit_components() {
        let data = array![
            [2.0f32, 0.0, 5.0],
            [-2.0, 0.0, 5.0],
            [0.0, 0.5, 5.0],
            [0.0, -0.5, 5.0]
        ];
        let result = pca(data.view(), 2).unwrap();
        assert_eq!(
            result.components,
            array![[1.0f32, 0.0, 0.0], [0.0, 1.0, 0.0]]
        );
        let total = 8.0 + 0.5;
        assert!((result.explained_variance_ratio[0] - 8.0 / total).abs() < 1e-12);
        assert!((result.explained_variance_ratio[1] - 0.5 / total).abs() < 1e-12);
        assert_eq!(
            result.coords.column(0).to_vec(),
            vec![2.0f32, -2.0, 0.0, 0.0]
        );
    }

    #[test]
    fn identical_rows_give_zero_ratios_not_nan() {
        let data = Array2::<f32>::from_elem((5, 3), 1.5);
        let result = pca(data.view(), 2).unwrap();
        assert_eq!(result.explained_variance_ratio, vec![0.0, 0.0]);
        assert!(result.coords.iter().all(|&c| c == 0.0));
    }

    #[test]
    fn rejects_bad_input_with_reasons() {
        let data = array![[1.0f32, 2.0], [3.0, 4.0], [5.0, 7.0]];
        assert!(matches!(
            pca(data.view(), 0),
            Err(ReduceError::BadParameter { name: "dim", .. })
        ));
        assert!(matches!(
            pca(data.view(), 3),
            Err(ReduceError::BadParameter { name: "dim", .. })
        ));
        assert!(matches!(
            pca(data.slice(ndarray::s![..1, ..]), 1),
            Err(ReduceError::TooFewPoints { points: 1, .. })
        ));
        let mut bad = data.clone();
        bad[[2, 1]] = f32::NAN;
        assert_eq!(
            pca(bad.view(), 1),
            Err(ReduceError::NonFinite { row: 2, column: 1 })
        );
    }
}
