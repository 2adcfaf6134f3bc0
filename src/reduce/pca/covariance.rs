//! The sample covariance of the centred data, `Xc^T Xc / (N - 1)`, the only
//! O(N D^2) step of PCA, so it is the one written for speed.
//!
//! Rows are taken `BLOCK_ROWS` at a time (a block fits in L1 cache), centred
//! into f32; each `TI` x `TJ` tile of the upper triangle is summed over the
//! block in f32 registers (the `TJ` columns are contiguous, so the compiler
//! vectorises them, natively and with wasm SIMD128) and added to f64 totals.
//! An f32 sum never has more than `BLOCK_ROWS` terms, so its rounding error
//! stays near 1e-7 relative whatever N is.

use ndarray::ArrayView2;

const BLOCK_ROWS: usize = 32;
const TI: usize = 8;
const TJ: usize = 8;

/// Row-major D x D covariance in f64.
pub(super) fn covariance(data: ArrayView2<f32>, mean: &[f64]) -> Vec<f64> {
    let (n, d) = data.dim();
    let padded = d.next_multiple_of(TJ);
    let mut totals = vec![0.0f64; padded * padded];
    let mut block = vec![0.0f32; padded * BLOCK_ROWS];
    for start in (0..n).step_by(BLOCK_ROWS) {
        let rows = (n - start).min(BLOCK_ROWS);
        for (r, centred) in block.chunks_exact_mut(padded).take(rows).enumerate() {
            for ((c, &x), &m) in centred.iter_mut().zip(data.row(start + r)).zip(mean) {
                *c = (f64::from(x) - m) as f32;
            }
        }
        let block = &block[..rows * padded];
        for bi in (0..padded).step_by(TI) {
            for bj in (bi - bi % TJ..padded).step_by(TJ) {
                let tile = tile_sums(block, padded, bi, bj);
                for (a, sums) in tile.iter().enumerate() {
                    let totals = &mut totals[(bi + a) * padded + bj..][..TJ];
                    for (t, &s) in totals.iter_mut().zip(sums) {
                        *t += f64::from(s);
                    }
                }
            }
        }
    }
    let scale = 1.0 / (n as f64 - 1.0);
    let mut cov = vec![0.0f64; d * d];
    for i in 0..d {
        for j in i..d {
            let c = totals[i * padded + j] * scale;
            cov[i * d + j] = c;
            cov[j * d + i] = c;
        }
    }
    cov
}

/// Over the block's rows, the sums of `x[bi + a] * x[bj + b]`.
fn tile_sums(block: &[f32], stride: usize, bi: usize, bj: usize) -> [[f32; TJ]; TI] {
    let mut acc = [[0.0f32; TJ]; TI];
    for row in block.chunks_exact(stride) {
        let mut xj = [0.0f32; TJ];
        xj.copy_from_slice(&row[bj..bj + TJ]);
        for (a, sums) in acc.iter_mut().enumerate() {
            let xi = row[bi + a];
            for (s, &x) in sums.iter_mut().zip(&xj) {
                *s += xi * x;
            }
        }
    }
    acc
}
