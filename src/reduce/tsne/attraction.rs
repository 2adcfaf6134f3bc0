//! t-SNE's attractive forces, sum_j p_ij q_ij (y_i - y_j) over the sparse
//! joint probabilities. Each point sums over all its pairs and writes only
//! its own force, so blocks of points run in parallel with no two writing
//! the same place, and every sum runs in the same order whatever the number
//! of threads.

use super::affinity::JointProbabilities;
use crate::parallel::Pool;
use crate::reduce::lanes::F32x4;

/// Points per parallel task.
const CHUNK: usize = 512;

/// The joint probabilities as full rows: every pair listed from both ends,
/// each row by increasing column.
pub(super) struct SymmetricRows {
    row_start: Vec<u32>,
    column: Vec<u32>,
    value: Vec<f32>,
}

impl SymmetricRows {
    pub(super) fn new(p: &JointProbabilities) -> SymmetricRows {
        let n = p.len;
        let upper = |i: usize| p.row_start[i] as usize..p.row_start[i + 1] as usize;
        let mut row_start = vec![0u32; n + 1];
        for i in 0..n {
            row_start[i + 1] += (upper(i).len()) as u32;
            for &j in &p.column[upper(i)] {
                row_start[j as usize + 1] += 1;
            }
        }
        for i in 0..n {
            row_start[i + 1] += row_start[i];
        }
        let mut next = row_start[..n].to_vec();
        let mut column = vec![0u32; row_start[n] as usize];
        let mut value = vec![0.0f32; row_start[n] as usize];
        // Rows in increasing i: each row j first receives its columns i < j
        // (in increasing i), then its own upper columns (increasing).
        for i in 0..n {
            for (&j, &v) in p.column[upper(i)].iter().zip(&p.value[upper(i)]) {
                let at = next[j as usize] as usize;
                (column[at], value[at]) = (i as u32, v);
                next[j as usize] += 1;
            }
            for (&j, &v) in p.column[upper(i)].iter().zip(&p.value[upper(i)]) {
                let at = next[i] as usize;
                (column[at], value[at]) = (j, v);
                next[i] += 1;
            }
        }
        SymmetricRows {
            row_start,
            column,
            value,
        }
    }
}

/// Writes the attractive force on each point (`y` and `forces` interleaved
/// x, y). `xs` and `ys` are scratch space.
pub(super) fn attractive_forces(
    p: &SymmetricRows,
    y: &[f32],
    forces: &mut [f32],
    xs: &mut Vec<f32>,
    ys: &mut Vec<f32>,
    pool: &Pool,
) {
    let (points, _) = y.as_chunks::<2>();
    // Separate coordinate arrays so that four neighbours load into lanes.
    xs.clear();
    xs.extend(points.iter().map(|p| p[0]));
    ys.clear();
    ys.extend(points.iter().map(|p| p[1]));
    let (xs, ys) = (&xs[..], &ys[..]);
    pool.chunks_mut(forces, 2 * CHUNK, |c, forces| {
        for (r, force) in forces.chunks_exact_mut(2).enumerate() {
            let i = c * CHUNK + r;
            let range = p.row_start[i] as usize..p.row_start[i + 1] as usize;
            let [fx, fy] = row_force(xs, ys, i, &p.column[range.clone()], &p.value[range]);
            force[0] = fx;
            force[1] = fy;
        }
    });
}

/// sum_j p_ij q_ij (y_i - y_j) over one row, in four lanes then the rest.
#[inline(always)]
fn row_force(xs: &[f32], ys: &[f32], i: usize, columns: &[u32], values: &[f32]) -> [f32; 2] {
    let (xi, yi) = (xs[i], ys[i]);
    let one = F32x4::splat(1.0);
    let (xi4, yi4) = (F32x4::splat(xi), F32x4::splat(yi));
    let mut sx = F32x4::splat(0.0);
    let mut sy = F32x4::splat(0.0);
    let mut column_chunks = columns.chunks_exact(4);
    let mut value_chunks = values.chunks_exact(4);
    for (js, ps) in (&mut column_chunks).zip(&mut value_chunks) {
        let j = [
            js[0] as usize,
            js[1] as usize,
            js[2] as usize,
            js[3] as usize,
        ];
        let dx = xi4 - F32x4::new(j.map(|j| xs[j]));
        let dy = yi4 - F32x4::new(j.map(|j| ys[j]));
        let pq = F32x4::from_slice(ps) / (one + dx * dx + dy * dy);
        sx = sx + pq * dx;
        sy = sy + pq * dy;
    }
    let (mut sx, mut sy) = (sx.to_array(), sy.to_array());
    for (l, (&j, &pij)) in column_chunks
        .remainder()
        .iter()
        .zip(value_chunks.remainder())
        .enumerate()
    {
        let (dx, dy) = (xi - xs[j as usize], yi - ys[j as usize]);
        let pq = pij / (1.0 + dx * dx + dy * dy);
        sx[l] += pq * dx;
        sy[l] += pq * dy;
    }
    [
        (sx[0] + sx[1]) + (sx[2] + sx[3]),
        (sy[0] + sy[1]) + (sy[2] + sy[3]),
    ]
}
