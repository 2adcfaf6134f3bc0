//! t-SNE's attractive forces, sum_j p_ij q_ij (y_i - y_j) over the sparse
//! joint probabilities, each unordered pair evaluated once and applied to
//! both ends.
//!
//! In parallel without changing a bit: the pairs are taken in chunks of
//! [`CHUNK`] points i (pairs (i, j), j > i); a chunk adds its forces into
//! buffers of its own, dense for the points i..i + [`WINDOW`] (points are
//! in map order, so nearly all partners fall there) and a list for the
//! rest; the chunks' buffers are then added to the forces in chunk order.

use super::affinity::JointProbabilities;
use crate::parallel::Pool;
use crate::reduce::lanes::F32x4;

/// Points whose pairs one task evaluates.
const CHUNK: usize = 512;
/// Points from a chunk's first one on whose forces it keeps densely.
const WINDOW: usize = 4096;

/// One chunk's forces: dense from its first point on, then a list.
#[derive(Default)]
pub(super) struct ChunkForces {
    fx: Vec<f32>,
    fy: Vec<f32>,
    far: Vec<(u32, f32, f32)>,
}

/// Writes the attractive force on each point (`y` and `forces` interleaved
/// x, y). `xs`, `ys` and `chunks` are scratch space.
pub(super) fn attractive_forces(
    p: &JointProbabilities,
    y: &[f32],
    forces: &mut [f32],
    xs: &mut Vec<f32>,
    ys: &mut Vec<f32>,
    chunks: &mut Vec<ChunkForces>,
    pool: &Pool,
) {
    let (points, _) = y.as_chunks::<2>();
    let n = points.len();
    // Separate coordinate arrays so that four neighbours load into lanes.
    xs.clear();
    xs.extend(points.iter().map(|p| p[0]));
    ys.clear();
    ys.extend(points.iter().map(|p| p[1]));
    let (xs, ys) = (&xs[..], &ys[..]);
    chunks.resize_with(n.div_ceil(CHUNK), ChunkForces::default);
    pool.each_mut(chunks, |c, buffer| {
        let first = c * CHUNK;
        chunk_forces(p, xs, ys, first..(first + CHUNK).min(n), buffer)
    });
    let (forces, _) = forces.as_chunks_mut::<2>();
    forces.fill([0.0; 2]);
    for (c, buffer) in chunks.iter().enumerate() {
        let first = c * CHUNK;
        for (f, (&fx, &fy)) in forces[first..]
            .iter_mut()
            .zip(buffer.fx.iter().zip(&buffer.fy))
        {
            f[0] += fx;
            f[1] += fy;
        }
        for &(j, fx, fy) in &buffer.far {
            let f = &mut forces[j as usize];
            f[0] -= fx;
            f[1] -= fy;
        }
    }
}

/// The pairs of the points `rows` into `buffer`.
fn chunk_forces(
    p: &JointProbabilities,
    xs: &[f32],
    ys: &[f32],
    rows: std::ops::Range<usize>,
    buffer: &mut ChunkForces,
) {
    let first = rows.start;
    let width = WINDOW.min(xs.len() - first);
    buffer.fx.clear();
    buffer.fx.resize(width, 0.0);
    buffer.fy.clear();
    buffer.fy.resize(width, 0.0);
    buffer.far.clear();
    let ChunkForces {
        fx: bx,
        fy: by,
        far,
    } = buffer;
    let mut push = |j: usize, fx: f32, fy: f32| {
        if j - first < width {
            bx[j - first] -= fx;
            by[j - first] -= fy;
        } else {
            far.push((j as u32, fx, fy));
        }
    };
    let one = F32x4::splat(1.0);
    for i in rows {
        let (xi, yi) = (xs[i], ys[i]);
        let range = p.row_start[i] as usize..p.row_start[i + 1] as usize;
        let (columns, values) = (&p.column[range.clone()], &p.value[range]);
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
            let (fx, fy) = (pq * dx, pq * dy);
            sx = sx + fx;
            sy = sy + fy;
            let (fx, fy) = (fx.to_array(), fy.to_array());
            for l in 0..4 {
                push(j[l], fx[l], fy[l]);
            }
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
            push(j as usize, pq * dx, pq * dy);
        }
        // Adding a sum is subtracting its negation, to the bit.
        push(
            i,
            -((sx[0] + sx[1]) + (sx[2] + sx[3])),
            -((sy[0] + sy[1]) + (sy[2] + sy[3])),
        );
    }
}
