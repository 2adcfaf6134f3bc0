//! Exact k nearest neighbours by comparing every pair once.
//!
//! Squared distances come from dot products, |x|^2 + |y|^2 - 2 x.y, computed a
//! tile of 4 x 8 pairs at a time against a packed block of rows (the inner
//! kernel of a matrix product), so the work runs at close to the machine's
//! multiply-add rate. Each pair is computed once and offered to both points.
//! The chosen neighbours' distances are then recomputed from differences, which
//! keeps them exact when points are close and far from the origin.

use super::heap::NeighborHeaps;
use super::rows::{Rows, dot, squared_distance};
use crate::reduce::simd::with_best_simd;
use crate::reduce::{Control, Observer, ReduceError, Stage, Step};

/// Query rows per tile.
const MR: usize = 4;
/// Reference rows packed at a time: with 200 columns, 100 kB, well inside L2.
const BLOCK: usize = 128;

/// Each point's k nearest other points as heaps keyed by squared distance.
pub fn nearest_neighbors(
    rows: &Rows,
    k: usize,
    observer: &mut dyn Observer,
) -> Result<NeighborHeaps, ReduceError> {
    let n = rows.len();
    let norms: Vec<f32> = (0..n).map(|i| dot(rows.row(i), rows.row(i))).collect();
    let mut heaps = NeighborHeaps::new(n, k);
    let mut packed = vec![0.0f32; rows.stride() * BLOCK];
    for jb in (0..n).step_by(BLOCK) {
        let step = Step {
            stage: Stage::NearestNeighbors,
            done: jb,
            total: n,
            layout: None,
        };
        if observer.step(step) == Control::Cancel {
            return Err(ReduceError::Cancelled);
        }
        // Tiles of 4 x 16 fill AVX2's registers; SSE and wasm have half as many bits.
        with_best_simd(
            #[inline(always)]
            |wide| {
                if wide {
                    block::<16>(rows, &norms, jb, &mut packed, &mut heaps);
                } else {
                    block::<8>(rows, &norms, jb, &mut packed, &mut heaps);
                }
            },
        );
    }
    Ok(exact_keys(rows, heaps))
}

/// Every pair (i, j) with i < j and j in the block of rows from jb.
#[inline(always)]
fn block<const NR: usize>(
    rows: &Rows,
    norms: &[f32],
    jb: usize,
    packed: &mut [f32],
    heaps: &mut NeighborHeaps,
) {
    let n = rows.len();
    let stride = rows.stride();
    let jn = BLOCK.min(n - jb);
    pack::<NR>(rows, jb, jn, packed);
    for ib in (0..jb + jn).step_by(MR) {
        let im = MR.min(n - ib);
        let a: [&[f32]; MR] = std::array::from_fn(|r| rows.row(ib + r.min(im - 1)));
        for (p, panel) in packed
            .chunks_exact(stride * NR)
            .enumerate()
            .take(jn.div_ceil(NR))
        {
            let j0 = jb + p * NR;
            if j0 + NR <= ib + 1 {
                continue;
            }
            let dots = tile::<NR>(a, panel);
            for (r, row) in dots.iter().enumerate().take(im) {
                let i = ib + r;
                for (c, &x_dot_y) in row.iter().enumerate() {
                    let j = j0 + c;
                    if j <= i || j >= n {
                        continue;
                    }
                    let d2 = key(norms[i] + norms[j] - 2.0 * x_dot_y);
                    heaps.push(i, d2, j as u32, false);
                    heaps.push(j, d2, i as u32, false);
                }
            }
        }
    }
}

/// A squared distance as a heap key: rounding can make the dot-product form
/// slightly negative; NaN (from non-finite input) counts as infinitely far.
#[inline(always)]
fn key(d2: f32) -> f32 {
    if d2.is_nan() {
        f32::INFINITY
    } else {
        d2.max(0.0)
    }
}

/// Rows jb..jb+jn as panels of NR columns: panel p, column d, row c at
/// `(p * stride + d) * NR + c`; missing rows are zero.
#[inline(always)]
fn pack<const NR: usize>(rows: &Rows, jb: usize, jn: usize, packed: &mut [f32]) {
    let stride = rows.stride();
    for (p, panel) in packed
        .chunks_exact_mut(stride * NR)
        .enumerate()
        .take(jn.div_ceil(NR))
    {
        for c in 0..NR {
            let j = p * NR + c;
            if j < jn {
                for (d, &x) in rows.row(jb + j).iter().enumerate() {
                    panel[d * NR + c] = x;
                }
            } else {
                for d in 0..stride {
                    panel[d * NR + c] = 0.0;
                }
            }
        }
    }
}

/// MR x NR dot products, each summed in column order (the same on every
/// target). The four rows are spelled out so the accumulators stay in registers.
#[inline(always)]
fn tile<const NR: usize>(a: [&[f32]; MR], panel: &[f32]) -> [[f32; NR]; MR] {
    let dim = panel.len() / NR;
    let (a0, a1, a2, a3) = (&a[0][..dim], &a[1][..dim], &a[2][..dim], &a[3][..dim]);
    let mut c0 = [0.0f32; NR];
    let mut c1 = [0.0f32; NR];
    let mut c2 = [0.0f32; NR];
    let mut c3 = [0.0f32; NR];
    for (d, b) in panel.as_chunks::<NR>().0.iter().enumerate() {
        let (x0, x1, x2, x3) = (a0[d], a1[d], a2[d], a3[d]);
        for c in 0..NR {
            c0[c] += x0 * b[c];
            c1[c] += x1 * b[c];
            c2[c] += x2 * b[c];
            c3[c] += x3 * b[c];
        }
    }
    [c0, c1, c2, c3]
}

/// Replaces each kept key by the squared distance summed from differences and
/// re-sorts, so ties and near-ties are decided on exact values.
pub fn exact_keys(rows: &Rows, heaps: NeighborHeaps) -> NeighborHeaps {
    let k = heaps.k();
    let n = rows.len();
    let mut exact = NeighborHeaps::new(n, k);
    for i in 0..n {
        for &j in heaps.indices(i) {
            if j != super::heap::EMPTY {
                exact.push(
                    i,
                    key(squared_distance(rows.row(i), rows.row(j as usize))),
                    j,
                    false,
                );
            }
        }
    }
    exact
}
