//! The sample covariance of the centred data, `Xc^T Xc / (N - 1)`, the only
//! O(N D^2) step of PCA, so it is the one written for speed.
//!
//! Rows are taken `BLOCK_ROWS` at a time, centred into f32; each `TI` x `TJ` tile of the upper triangle is summed over the
//! block in f32 SIMD registers (the `TJ` columns are contiguous: two lanes
//! of four, SSE natively and SIMD128 in wasm) and added to f64 totals.
//! An f32 sum never has more than `BLOCK_ROWS` terms, so its rounding error
//! stays near 1e-7 relative whatever N is. Chunks of `CHUNK_BLOCKS` blocks
//! sum into f64 totals of their own, in parallel, and the chunks' totals are
//! added in chunk order: the same bits for any number of threads.

use crate::parallel::Pool;
use crate::reduce::lanes::F32x4;

const BLOCK_ROWS: usize = 128;
const CHUNK_BLOCKS: usize = 16;
const TI: usize = 4;
const TJ: usize = 8;

/// Row-major D x D covariance in f64.
pub(super) fn covariance(x: &[f32], d: usize, mean: &[f64], pool: &Pool) -> Vec<f64> {
    let n = x.len() / d;
    let padded = d.next_multiple_of(TJ);
    // Centring by the rounded mean shifts every row by the same tiny amount,
    // which the covariance does not see (to first order).
    let mean: Vec<f32> = mean.iter().map(|&m| m as f32).collect();
    let chunk = CHUNK_BLOCKS * BLOCK_ROWS * d;
    let chunks = pool.map(x.len().div_ceil(chunk), |c| {
        let mut totals = vec![0.0f64; padded * padded];
        let mut block = vec![0.0f32; padded * BLOCK_ROWS];
        for rows in x[c * chunk..((c + 1) * chunk).min(x.len())].chunks(BLOCK_ROWS * d) {
            add_block(rows, d, &mean, &mut block, &mut totals, padded);
        }
        totals
    });
    let mut totals = vec![0.0f64; padded * padded];
    for part in &chunks {
        for (t, &p) in totals.iter_mut().zip(part) {
            *t += p;
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

/// Adds one block's products to `totals`. A call per block, not one loop
/// over all rows: V8 runs a wasm function's optimised code only from its
/// next call on.
#[inline(never)]
fn add_block(
    rows: &[f32],
    d: usize,
    mean: &[f32],
    block: &mut [f32],
    totals: &mut [f64],
    padded: usize,
) {
    let n_rows = rows.len() / d;
    for (centred, row) in block.chunks_exact_mut(padded).zip(rows.chunks_exact(d)) {
        for ((c, &x), &m) in centred.iter_mut().zip(row).zip(mean) {
            *c = x - m;
        }
    }
    let block = &block[..n_rows * padded];
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

/// Over the block's rows, the sums of `x[bi + a] * x[bj + b]`.
fn tile_sums(block: &[f32], stride: usize, bi: usize, bj: usize) -> [[f32; TJ]; TI] {
    let zero = F32x4::splat(0.0);
    let mut acc = [[zero; TJ / 4]; TI];
    for row in block.chunks_exact(stride) {
        let xj: [F32x4; TJ / 4] = std::array::from_fn(|h| F32x4::from_slice(&row[bj + 4 * h..]));
        for (a, sums) in acc.iter_mut().enumerate() {
            let xi = F32x4::splat(row[bi + a]);
            for (s, &x) in sums.iter_mut().zip(&xj) {
                *s = *s + xi * x;
            }
        }
    }
    acc.map(|sums| {
        let mut out = [0.0f32; TJ];
        for (h, s) in sums.iter().enumerate() {
            s.write_to(&mut out[4 * h..]);
        }
        out
    })
}
