//! Exact k nearest neighbours by comparing every pair once.
//!
//! Squared distances come from dot products, |x|^2 + |y|^2 - 2 x.y, computed a
//! tile of 4 x 8 pairs at a time against a packed block of rows (the inner
//! kernel of a matrix product), so the work runs at close to the machine's
//! multiply-add rate. Each pair is computed once and offered to both points.
//! The chosen neighbours' distances are then recomputed from differences, which
//! keeps them exact when points are close and far from the origin.

use std::ops::Range;

use super::heap::{EMPTY, NeighborHeaps};
use super::rows::{Rows, dot, squared_distance};
use crate::parallel::Pool;
use crate::reduce::simd::with_best_simd;
use crate::reduce::{Control, Observer, ReduceError, Stage, Step};

/// Query rows per tile.
const MR: usize = 4;
/// Reference rows packed at a time: with 200 columns, 100 kB, well inside L2.
const BLOCK: usize = 128;
/// Points per row block. The pairs are cut into tiles of two row blocks
/// (the upper triangle of the distance matrix): the chunks of the parallel
/// search, whose boundaries depend only on N.
pub const ROW_BLOCK: usize = 512;

/// Tile t of the search of N points: the row blocks (I, J), I <= J, in
/// order of J then I.
pub fn tile_blocks(t: usize) -> (usize, usize) {
    // Tiles before column J: J (J + 1) / 2.
    let mut j = ((((8 * t + 1) as f64).sqrt() - 1.0) / 2.0) as usize;
    while (j + 1) * (j + 2) / 2 <= t {
        j += 1;
    }
    while j * (j + 1) / 2 > t {
        j -= 1;
    }
    (t - j * (j + 1) / 2, j)
}

/// The number of tiles for N points.
pub fn tiles(n: usize) -> usize {
    let blocks = n.div_ceil(ROW_BLOCK);
    blocks * (blocks + 1) / 2
}

fn block_rows(b: usize, n: usize) -> Range<usize> {
    b * ROW_BLOCK..((b + 1) * ROW_BLOCK).min(n)
}

/// Each point's k nearest other points as heaps keyed by squared distance.
/// First the diagonal tiles, in parallel, each filling its block's lists
/// from the block itself; then column J of tiles at a time, the last column
/// first: its tiles run in parallel, each offering its pairs to the lists of
/// block I (which no other tile of the column touches) and to a list of its
/// own for block J, merged afterwards. By then block J's lists hold the
/// best of every later block, and they bound what can still enter, so a
/// tile's own list takes only the few pairs that can. The k best of all the
/// pairs offered do not depend on the order of offers, so the lists are the
/// same bits whatever the number of threads.
pub fn nearest_neighbors(
    rows: &Rows,
    k: usize,
    pool: &Pool,
    observer: &mut dyn Observer,
) -> Result<NeighborHeaps, ReduceError> {
    let n = rows.len();
    let norms: Vec<f32> = (0..n).map(|i| dot(rows.row(i), rows.row(i))).collect();
    let blocks = n.div_ceil(ROW_BLOCK);
    let mut lists: Vec<NeighborHeaps> = (0..blocks)
        .map(|b| NeighborHeaps::new(block_rows(b, n).len(), k))
        .collect();
    let mut report = |done: usize| {
        let step = Step {
            stage: Stage::NearestNeighbors,
            done,
            total: tiles(n),
            layout: None,
        };
        match observer.step(step) {
            Control::Continue => Ok(()),
            Control::Cancel => Err(ReduceError::Cancelled),
        }
    };
    report(0)?;
    pool.each_mut(&mut lists, |b, list| {
        search_tile(rows, &norms, b, b, list, None)
    });
    let mut done = blocks;
    for j in (1..blocks).rev() {
        report(done)?;
        done += j;
        let (before, rest) = lists.split_at_mut(j);
        let list_j = &rest[0];
        let bound: Vec<f32> = (0..list_j.points()).map(|r| list_j.threshold(r)).collect();
        let partials = pool.map_mut(before, |i, list_i| {
            let mut own = NeighborHeaps::new(bound.len(), k);
            search_tile(rows, &norms, i, j, list_i, Some((&mut own, &bound)));
            own
        });
        for partial in &partials {
            lists[j].merge_from(partial);
        }
    }
    Ok(exact_keys(rows, NeighborHeaps::concat(lists, k), pool))
}

/// The pairs (i, j), i < j, of tile (I, J), offered to `list_i` (block I's
/// lists) and to `list_j` (block J's) when at most its bound (`None` on the
/// diagonal, where both are `list_i`).
fn search_tile(
    rows: &Rows,
    norms: &[f32],
    bi: usize,
    bj: usize,
    list_i: &mut NeighborHeaps,
    mut list_j: Option<(&mut NeighborHeaps, &[f32])>,
) {
    let n = rows.len();
    let (is, js) = (block_rows(bi, n), block_rows(bj, n));
    let mut packed = vec![0.0f32; rows.stride() * BLOCK];
    let mut offer = |i: usize, j: usize, d2: f32| {
        list_i.push(i - is.start, d2, j as u32, false);
        match &mut list_j {
            Some((list_j, bound)) => {
                // A pair beyond the bound cannot enter j's final list (ties
                // at the bound can, by index).
                if d2 <= bound[j - js.start] {
                    list_j.push(j - js.start, d2, i as u32, false);
                }
            }
            None => {
                list_i.push(j - is.start, d2, i as u32, false);
            }
        };
    };
    for jb in js.clone().step_by(BLOCK) {
        let jn = BLOCK.min(js.end - jb);
        // Tiles of 4 x 16 fill AVX2's registers; SSE and wasm have half as many bits.
        with_best_simd(
            #[inline(always)]
            |wide| {
                if wide {
                    block::<16>(rows, norms, is.clone(), jb, jn, &mut packed, &mut offer);
                } else {
                    block::<8>(rows, norms, is.clone(), jb, jn, &mut packed, &mut offer);
                }
            },
        );
    }
}

/// Every pair (i, j) with i < j, i in `is` and j in the block of `jn` rows
/// from jb.
#[inline(always)]
fn block<const NR: usize>(
    rows: &Rows,
    norms: &[f32],
    is: Range<usize>,
    jb: usize,
    jn: usize,
    packed: &mut [f32],
    offer: &mut impl FnMut(usize, usize, f32),
) {
    let stride = rows.stride();
    pack::<NR>(rows, jb, jn, packed);
    let i_end = is.end.min(jb + jn);
    for ib in (is.start..i_end).step_by(MR) {
        let im = MR.min(is.end - ib);
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
                    if j <= i || j >= jb + jn {
                        continue;
                    }
                    offer(i, j, key(norms[i] + norms[j] - 2.0 * x_dot_y));
                }
            }
        }
    }
}

/// The lists the tiles `tiles` of the search offer to, for all N points:
/// one part of an exact search split among workers (see
/// [`super::ExactSearchPlan`]).
pub fn search_tiles(rows: &Rows, k: usize, tiles: Range<usize>) -> NeighborHeaps {
    let n = rows.len();
    let norms: Vec<f32> = (0..n).map(|i| dot(rows.row(i), rows.row(i))).collect();
    let mut lists = NeighborHeaps::new(n, k);
    for t in tiles {
        let (bi, bj) = tile_blocks(t);
        let (is, js) = (block_rows(bi, n), block_rows(bj, n));
        let mut list_i = NeighborHeaps::new(is.len(), k);
        let mut list_j = NeighborHeaps::new(js.len(), k);
        let unbounded = vec![f32::INFINITY; js.len()];
        search_tile(
            rows,
            &norms,
            bi,
            bj,
            &mut list_i,
            (bi != bj).then_some((&mut list_j, &unbounded[..])),
        );
        for (start, part) in [(is.start, &list_i), (js.start, &list_j)] {
            for r in 0..part.points() {
                for (&j, &key) in part.indices(r).iter().zip(part.keys(r)) {
                    if j != EMPTY {
                        lists.push(start + r, key, j, false);
                    }
                }
            }
        }
    }
    lists
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
/// re-sorts, so ties and near-ties are decided on exact values. Row blocks
/// in parallel, each row on its own.
pub fn exact_keys(rows: &Rows, heaps: NeighborHeaps, pool: &Pool) -> NeighborHeaps {
    let k = heaps.k();
    let n = rows.len();
    let blocks = pool.map(n.div_ceil(ROW_BLOCK), |b| {
        let range = block_rows(b, n);
        let mut exact = NeighborHeaps::new(range.len(), k);
        for i in range.clone() {
            for &j in heaps.indices(i) {
                if j != EMPTY {
                    exact.push(
                        i - range.start,
                        key(squared_distance(rows.row(i), rows.row(j as usize))),
                        j,
                        false,
                    );
                }
            }
        }
        exact
    });
    NeighborHeaps::concat(blocks, k)
}
