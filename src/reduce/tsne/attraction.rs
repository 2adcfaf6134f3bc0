//! t-SNE's attractive forces, sum_j p_ij q_ij (y_i - y_j) over the sparse
//! joint probabilities, each unordered pair evaluated once and applied to
//! both ends.

use super::affinity::JointProbabilities;
use crate::reduce::lanes::F32x4;

/// Writes the attractive force on each point (`y` and `forces` interleaved
/// x, y). `xs` and `ys` are scratch space.
pub(super) fn attractive_forces(
    p: &JointProbabilities,
    y: &[f32],
    forces: &mut [f32],
    xs: &mut Vec<f32>,
    ys: &mut Vec<f32>,
) {
    let (points, _) = y.as_chunks::<2>();
    // Separate coordinate arrays so that four neighbours load into lanes.
    xs.clear();
    xs.extend(points.iter().map(|p| p[0]));
    ys.clear();
    ys.extend(points.iter().map(|p| p[1]));
    let (forces, _) = forces.as_chunks_mut::<2>();
    forces.fill([0.0; 2]);
    let one = F32x4::splat(1.0);
    for (i, &[xi, yi]) in points.iter().enumerate() {
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
                let f = &mut forces[j[l]];
                f[0] -= fx[l];
                f[1] -= fy[l];
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
            let f = &mut forces[j as usize];
            f[0] -= pq * dx;
            f[1] -= pq * dy;
        }
        forces[i][0] += (sx[0] + sx[1]) + (sx[2] + sx[3]);
        forces[i][1] += (sy[0] + sy[1]) + (sy[2] + sy[3]);
    }
}
