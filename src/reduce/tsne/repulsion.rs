//! t-SNE's repulsive forces, sum_j q_ij^2 (y_i - y_j), and the normaliser
//! Z = sum_{i != j} q_ij, with q_ij = 1 / (1 + |y_i - y_j|^2), in O(N) per
//! iteration: particle-particle particle-mesh (P3M, Hockney and Eastwood)
//! built on the FFT-accelerated interpolation of FIt-SNE (Linderman et al.
//! 2019).
//!
//! Why: exact sums are O(N^2); Barnes-Hut visits hundreds of tree cells per
//! point; FIt-SNE's grid must resolve the kernel's unit width over the whole
//! map, which at 12,000 points (a map ~170 units wide) means a ~1000^2 FFT
//! every iteration. Here the kernels are split at a radius R: inside R their
//! sharp part is summed exactly over nearby pairs (few, since R is a couple
//! of units), and what remains is smooth at scale R, so a coarse grid
//! interpolates it well. When the map is small the grid is fine enough on
//! its own and R is zero.
//!
//! The grid part: each point spreads a unit charge onto the 4 x 4 nearest
//! nodes with cubic Lagrange weights; one FFT convolution with the kernel
//! G(r) = K2(r) r (x and y parts packed as one complex kernel, K2 = 1 / (1 +
//! r^2)^2 flattened inside R) gives the force field at the nodes, which the
//! points read back with the same weights. Z needs no inverse transform:
//! sum_ab c_a K1(a - b) c_b is a weighted sum over the charges' spectrum
//! (Parseval).
//!
//! Accuracy, measured against exact sums on layouts of the 12,000-point
//! reference data halfway through and at the end of a run: forces within
//! 3-5% (root mean square, relative), Z within 0.1%. FIt-SNE's default
//! interpolation (3 nodes per unit box) gives about 4% on the same final map.
//! The unit tests check smaller maps of both kinds (`forces_match_exact_sums`).

use super::fft::Fft2;
use crate::parallel::Pool;
use crate::reduce::lanes::F32x4;

/// Node spacing at or below which the grid alone is accurate (no near field).
const FINE_SPACING: f32 = 1.0 / 3.0;
/// Near-field radius in node spacings, once the grid is coarser than fine.
const NEAR_RADIUS_PER_SPACING: f32 = 1.5;
const MIN_FFT_SIZE: usize = 32;
/// The largest FFT for any number of points (see [`Repulsion::new`]).
const MAX_FFT_SIZE: usize = 512;
/// A refitted coarse grid leaves this much room for the map to grow.
const HEADROOM: f32 = 1.1;
/// Nodes kept free at the grid's edges for the 4-point stencil.
const EDGE_NODES: usize = 5;
/// Near-field cells per near-field radius. Smaller cells mean fewer
/// candidate pairs beyond the radius but more, shorter loops; on the 12k
/// reference map 2 and 3 were 20-30% slower than 1.
const CELLS_PER_RADIUS: usize = 1;
/// Width of the near field's vectorised loops.
const LANES: usize = 4;
/// Points per parallel task when placing stencils and reading forces.
const CHUNK: usize = 1024;
/// Rows of near-field cells per parallel task.
const BAND: usize = 4;

/// The grid, kernels and buffers, kept across iterations; rebuilt only when
/// the map outgrows the grid.
pub(super) struct Repulsion {
    /// The FFT size beyond which the grid coarsens instead of growing.
    largest_fft: usize,
    grid: Option<Grid>,
    /// Charge (then field) planes, size x size.
    re: Vec<f32>,
    im: Vec<f32>,
    stencils: Vec<Stencil>,
    near: NearField,
}

struct Grid {
    fft: Fft2,
    spacing: f32,
    /// Usable nodes per axis (half the FFT size: the rest is zero padding).
    nodes: usize,
    near_radius: f32,
    /// Spectrum of (Gx + i Gy) / size^2, in the FFT's scrambled layout.
    g_re: Vec<f32>,
    g_im: Vec<f32>,
    /// Spectrum of K1 / size^2 (real, the kernel being even).
    k1: Vec<f32>,
    /// K1 at zero distance, each point's interaction with itself in the grid sum.
    k1_self: f64,
}

impl Repulsion {
    /// For `points` points. The grid grows to about one usable node per point
    /// and no further (it costs O(size^2 log size) per iteration, the near
    /// field O(N) for a given node spacing), so tiny inputs get a tiny grid
    /// and a near field holding most pairs.
    pub(super) fn new(points: usize) -> Repulsion {
        let mut largest_fft = MIN_FFT_SIZE;
        while largest_fft < MAX_FFT_SIZE && (largest_fft / 2).pow(2) < points {
            largest_fft *= 2;
        }
        Repulsion {
            largest_fft,
            grid: None,
            re: Vec::new(),
            im: Vec::new(),
            stencils: Vec::new(),
            near: NearField::default(),
        }
    }

    /// Writes sum_j q_ij^2 (y_i - y_j) for each point (`y` and `forces` are
    /// interleaved x, y) and returns Z. Stencils, forces and the near field
    /// run in fixed chunks on the threads of `pool`.
    pub(super) fn forces(&mut self, y: &[f32], forces: &mut [f32], pool: &Pool) -> f64 {
        let (lo, hi) = bounds(y);
        let span = (hi[0] - lo[0]).max(hi[1] - lo[1]);
        self.fit_grid(span);
        let grid = self.grid.as_ref().expect("fit_grid always leaves a grid");
        let size = grid.fft.size();
        // Centre the map on the usable nodes.
        let centre = (grid.nodes as f32 - 1.0) * 0.5;
        let origin = [
            0.5 * (lo[0] + hi[0]) - centre * grid.spacing,
            0.5 * (lo[1] + hi[1]) - centre * grid.spacing,
        ];
        let inverse_spacing = 1.0 / grid.spacing;

        self.re.clear();
        self.re.resize(size * size, 0.0);
        self.im.clear();
        self.im.resize(size * size, 0.0);
        self.stencils.clear();
        self.stencils.resize(y.len() / 2, Stencil::default());
        pool.chunks_mut(&mut self.stencils, CHUNK, |c, stencils| {
            let points = y[2 * c * CHUNK..].chunks_exact(2);
            for (stencil, p) in stencils.iter_mut().zip(points) {
                *stencil = Stencil::new(p, origin, inverse_spacing, size);
            }
        });
        for stencil in &self.stencils {
            let wx = F32x4::new(stencil.wx);
            for (b, &wy) in stencil.wy.iter().enumerate() {
                let row = &mut self.re[stencil.base + b * size..][..4];
                (F32x4::from_slice(row) + F32x4::splat(wy) * wx).write_to(row);
            }
        }

        grid.fft.forward(&mut self.re, &mut self.im, true);
        // Multiply by the kernel's spectrum; sum |C|^2 K1 in f32 lanes per row
        // of the spectrum and in f64 across rows.
        let mut self_energy = 0.0f64;
        let rows = self
            .re
            .chunks_exact_mut(size)
            .zip(self.im.chunks_exact_mut(size));
        let kernel_rows = grid
            .g_re
            .chunks_exact(size)
            .zip(grid.g_im.chunks_exact(size));
        for ((re, im), ((g_re, g_im), k1)) in rows.zip(kernel_rows.zip(grid.k1.chunks_exact(size)))
        {
            let mut energy = F32x4::splat(0.0);
            for c in (0..size).step_by(4) {
                let (cr, ci) = (F32x4::from_slice(&re[c..]), F32x4::from_slice(&im[c..]));
                let (gr, gi) = (F32x4::from_slice(&g_re[c..]), F32x4::from_slice(&g_im[c..]));
                energy = energy + (cr * cr + ci * ci) * F32x4::from_slice(&k1[c..]);
                (cr * gr - ci * gi).write_to(&mut re[c..]);
                (cr * gi + ci * gr).write_to(&mut im[c..]);
            }
            self_energy += f64::from(energy.sum());
        }
        grid.fft.inverse(&mut self.re, &mut self.im, true);

        let (re, im, stencils) = (&self.re, &self.im, &self.stencils);
        pool.chunks_mut(forces, 2 * CHUNK, |c, forces| {
            let stencils = &stencils[c * CHUNK..];
            for (stencil, force) in stencils.iter().zip(forces.chunks_exact_mut(2)) {
                let mut gx = F32x4::splat(0.0);
                let mut gy = F32x4::splat(0.0);
                for (b, &wy) in stencil.wy.iter().enumerate() {
                    let at = stencil.base + b * size;
                    gx = gx + F32x4::splat(wy) * F32x4::from_slice(&re[at..at + 4]);
                    gy = gy + F32x4::splat(wy) * F32x4::from_slice(&im[at..at + 4]);
                }
                let wx = F32x4::new(stencil.wx);
                force[0] = (gx * wx).sum();
                force[1] = (gy * wx).sum();
            }
        });
        let n = y.len() / 2;
        let mut z = self_energy - n as f64 * grid.k1_self;
        if grid.near_radius > 0.0 {
            z += self
                .near
                .add_forces(y, lo, hi, grid.near_radius, forces, pool);
        }
        z
    }

    /// Keeps the grid while the map fits; otherwise picks the smallest FFT
    /// whose fine grid holds the map, or the largest with a coarser spacing
    /// and a near field.
    fn fit_grid(&mut self, span: f32) {
        if let Some(grid) = &self.grid
            && span <= grid.spacing * (grid.nodes - EDGE_NODES) as f32
        {
            return;
        }
        let mut size = MIN_FFT_SIZE;
        while size < self.largest_fft && span > FINE_SPACING * (size / 2 - EDGE_NODES) as f32 {
            size *= 2;
        }
        let nodes = size / 2;
        let fine_holds = span <= FINE_SPACING * (nodes - EDGE_NODES) as f32;
        let spacing = if fine_holds {
            FINE_SPACING
        } else {
            HEADROOM * span / (nodes - EDGE_NODES) as f32
        };
        let near_radius = if fine_holds {
            0.0
        } else {
            NEAR_RADIUS_PER_SPACING * spacing
        };
        self.grid = Some(Grid::new(size, spacing, near_radius));
    }
}

impl Grid {
    fn new(size: usize, spacing: f32, near_radius: f32) -> Grid {
        let fft = Fft2::new(size);
        let nodes = size / 2;
        let plateau = f64::from(near_radius) * f64::from(near_radius);
        let k2_plateau = 1.0 / ((1.0 + plateau) * (1.0 + plateau));
        let k1_plateau = 1.0 / (1.0 + plateau);
        let offset = |i: usize| {
            if i < nodes {
                i as f64
            } else {
                i as f64 - size as f64
            }
        };
        let mut g_re = vec![0.0f32; size * size];
        let mut g_im = vec![0.0f32; size * size];
        let mut k1 = vec![0.0f32; size * size];
        let mut k1_im = vec![0.0f32; size * size];
        let scale = 1.0 / (size * size) as f64;
        for iy in 0..size {
            for ix in 0..size {
                // Offsets of +-size/2 are never needed and would break the
                // kernels' symmetry; leave them zero.
                if iy == nodes || ix == nodes {
                    continue;
                }
                let dx = offset(ix) * f64::from(spacing);
                let dy = offset(iy) * f64::from(spacing);
                let u = dx * dx + dy * dy;
                let (k2, k1_value) = if u < plateau {
                    (k2_plateau, k1_plateau)
                } else {
                    let k = 1.0 / (1.0 + u);
                    (k * k, k)
                };
                g_re[iy * size + ix] = (k2 * dx * scale) as f32;
                g_im[iy * size + ix] = (k2 * dy * scale) as f32;
                k1[iy * size + ix] = (k1_value * scale) as f32;
            }
        }
        fft.forward(&mut g_re, &mut g_im, false);
        fft.forward(&mut k1, &mut k1_im, false);
        Grid {
            fft,
            spacing,
            nodes,
            near_radius,
            g_re,
            g_im,
            k1,
            k1_self: k1_plateau,
        }
    }
}

/// A point's 4 x 4 interpolation stencil: cubic Lagrange weights for the
/// nodes floor(t) - 1 ..= floor(t) + 2 along each axis.
#[derive(Clone, Default)]
struct Stencil {
    base: usize,
    wx: [f32; 4],
    wy: [f32; 4],
}

impl Stencil {
    fn new(point: &[f32], origin: [f32; 2], inverse_spacing: f32, size: usize) -> Stencil {
        let tx = (point[0] - origin[0]) * inverse_spacing;
        let ty = (point[1] - origin[1]) * inverse_spacing;
        // t >= 1 on the grid, so truncation is floor (and cheaper).
        let (ix, iy) = (tx as usize, ty as usize);
        let base = (iy - 1) * size + ix - 1;
        Stencil {
            base,
            wx: cubic_weights(tx - ix as f32),
            wy: cubic_weights(ty - iy as f32),
        }
    }
}

/// Lagrange weights of the nodes at -1, 0, 1, 2 for a point at f in [0, 1).
fn cubic_weights(f: f32) -> [f32; 4] {
    let (a, b, c, d) = (f + 1.0, f, f - 1.0, f - 2.0);
    [
        -b * c * d * (1.0 / 6.0),
        a * c * d * 0.5,
        -a * b * d * 0.5,
        a * b * c * (1.0 / 6.0),
    ]
}

/// The lower and upper corners of the points' bounding box (by comparisons,
/// as `f32::min` is a library call in wasm).
pub(super) fn bounds(y: &[f32]) -> ([f32; 2], [f32; 2]) {
    let mut lo = [f32::INFINITY; 2];
    let mut hi = [f32::NEG_INFINITY; 2];
    for point in y.chunks_exact(2) {
        for d in 0..2 {
            if point[d] < lo[d] {
                lo[d] = point[d];
            }
            if point[d] > hi[d] {
                hi[d] = point[d];
            }
        }
    }
    (lo, hi)
}

/// The exact kernels minus their flattened grid versions, summed over pairs
/// closer than the near radius, found with square cells of that side.
#[derive(Default)]
struct NearField {
    order: Vec<u32>,
    cell_start: Vec<u32>,
    xs: Vec<f32>,
    ys: Vec<f32>,
    fx: Vec<f32>,
    fy: Vec<f32>,
}

/// What a band of cell rows adds: forces on the points from `first` on
/// (in cell order), and its part of Z.
struct BandForces {
    first: usize,
    fx: Vec<f32>,
    fy: Vec<f32>,
    z: f64,
}

impl NearField {
    /// Adds the near-field forces and returns the near-field part of Z.
    /// Bands of [`BAND`] cell rows run in parallel, each adding into forces
    /// of its own (its points and those of the rows below it it reaches);
    /// the bands' forces and sums are then added in band order.
    fn add_forces(
        &mut self,
        y: &[f32],
        lo: [f32; 2],
        hi: [f32; 2],
        radius: f32,
        forces: &mut [f32],
        pool: &Pool,
    ) -> f64 {
        let n = y.len() / 2;
        let inverse = CELLS_PER_RADIUS as f32 / radius;
        let columns = ((hi[0] - lo[0]) * inverse) as usize + 1;
        let rows = ((hi[1] - lo[1]) * inverse) as usize + 1;
        let cell_of = |p: &[f32]| {
            let cx = (((p[0] - lo[0]) * inverse) as usize).min(columns - 1);
            let cy = (((p[1] - lo[1]) * inverse) as usize).min(rows - 1);
            cy * columns + cx
        };
        self.cell_start.clear();
        self.cell_start.resize(columns * rows + 1, 0);
        for p in y.chunks_exact(2) {
            self.cell_start[cell_of(p) + 1] += 1;
        }
        for c in 0..columns * rows {
            self.cell_start[c + 1] += self.cell_start[c];
        }
        self.order.resize(n, 0);
        let mut next = self.cell_start.clone();
        for (i, p) in y.chunks_exact(2).enumerate() {
            let c = cell_of(p);
            self.order[next[c] as usize] = i as u32;
            next[c] += 1;
        }
        self.xs.clear();
        self.ys.clear();
        self.xs
            .extend(self.order.iter().map(|&i| y[2 * i as usize]));
        self.ys
            .extend(self.order.iter().map(|&i| y[2 * i as usize + 1]));

        let plateau = radius * radius;
        let k1_plateau = 1.0 / (1.0 + plateau);
        let k2_plateau = k1_plateau * k1_plateau;
        let (xs, ys, cell_start) = (&self.xs, &self.ys, &self.cell_start);
        let start = |c: usize| cell_start[c] as usize;
        // Pairs closer than the radius lie at most CELLS_PER_RADIUS cells
        // apart; each is seen once: from its earlier point, to later cells in
        // the same row and to the rows below. Each span of cells is one
        // contiguous range of the sorted points.
        let reach = CELLS_PER_RADIUS;
        let bands = pool.map(rows.div_ceil(BAND), |band| {
            let (row0, row1) = (band * BAND, ((band + 1) * BAND).min(rows));
            let first = start(row0 * columns);
            let last = start((row1 + reach).min(rows) * columns);
            let mut fx = vec![0.0f32; last - first];
            let mut fy = vec![0.0f32; last - first];
            let mut z = 0.0f64;
            for cy in row0..row1 {
                for cx in 0..columns {
                    let c = cy * columns + cx;
                    let same_row_end = start(cy * columns + (cx + reach).min(columns - 1) + 1);
                    let (left, right) = (cx.saturating_sub(reach), (cx + reach).min(columns - 1));
                    let lower_rows = (cy + 1..(cy + 1 + reach).min(rows))
                        .map(|r| start(r * columns + left)..start(r * columns + right + 1));
                    for i in start(c)..start(c + 1) {
                        let ranges = std::iter::once(i + 1..same_row_end).chain(lower_rows.clone());
                        for range in ranges {
                            z += near_pairs(
                                i - first,
                                range.start - first..range.end - first,
                                &xs[first..last],
                                &ys[first..last],
                                &mut fx,
                                &mut fy,
                                k1_plateau,
                                k2_plateau,
                            );
                        }
                    }
                }
            }
            BandForces { first, fx, fy, z }
        });
        self.fx.clear();
        self.fx.resize(n, 0.0);
        self.fy.clear();
        self.fy.resize(n, 0.0);
        let mut z = 0.0f64;
        for band in &bands {
            for (k, (&bx, &by)) in band.fx.iter().zip(&band.fy).enumerate() {
                self.fx[band.first + k] += bx;
                self.fy[band.first + k] += by;
            }
            z += band.z;
        }
        for (k, &i) in self.order.iter().enumerate() {
            forces[2 * i as usize] += self.fx[k];
            forces[2 * i as usize + 1] += self.fy[k];
        }
        2.0 * z
    }
}

/// Point `i` against the points `range` (all after i in cell order): adds
/// (K2(u) - K2(R^2)) (y_i - y_j) to i and its opposite to j for u < R^2,
/// and returns the sum of K1(u) - K1(R^2).
///
/// Both differences are positive exactly when u < R^2 (the kernels
/// decrease), so clamping them at zero replaces the distance test and the
/// loop over whole chunks of `LANES` vectorises; the lanes are summed in a
/// fixed order.
#[allow(clippy::too_many_arguments)]
fn near_pairs(
    i: usize,
    range: std::ops::Range<usize>,
    xs: &[f32],
    ys: &[f32],
    fx: &mut [f32],
    fy: &mut [f32],
    k1_plateau: f32,
    k2_plateau: f32,
) -> f64 {
    let (xi, yi) = (xs[i], ys[i]);
    let (k1_plateau4, k2_plateau4) = (F32x4::splat(k1_plateau), F32x4::splat(k2_plateau));
    let (xi4, yi4, zero, one) = (
        F32x4::splat(xi),
        F32x4::splat(yi),
        F32x4::splat(0.0),
        F32x4::splat(1.0),
    );
    let pairs = |x: F32x4, y: F32x4| {
        let (dx, dy) = (xi4 - x, yi4 - y);
        let k1 = one / (one + dx * dx + dy * dy);
        let k2 = (k1 * k1 - k2_plateau4).max(zero);
        (k2 * dx, k2 * dy, (k1 - k1_plateau4).max(zero))
    };
    let (mut sx, mut sy, mut sz) = (zero, zero, zero);
    let (xj, yj) = (&xs[range.clone()], &ys[range.clone()]);
    let (fxj, fyj) = (&mut fx[range.clone()], &mut fy[range]);
    let whole = xj.len() - xj.len() % LANES;
    for c in (0..whole).step_by(LANES) {
        let (px, py, pz) = pairs(F32x4::from_slice(&xj[c..]), F32x4::from_slice(&yj[c..]));
        sx = sx + px;
        sy = sy + py;
        sz = sz + pz;
        (F32x4::from_slice(&fxj[c..]) - px).write_to(&mut fxj[c..]);
        (F32x4::from_slice(&fyj[c..]) - py).write_to(&mut fyj[c..]);
    }
    // The last few, in lanes of their own so the sums keep a fixed order.
    let rest = xj.len() - whole;
    if rest > 0 {
        let lanes = |v: &[f32], pad: f32| {
            std::array::from_fn(|l| if l < rest { v[whole + l] } else { pad })
        };
        // Padding lanes sit far away (finitely, to keep 0 * distance at 0)
        // and contribute nothing.
        let (px, py, pz) = pairs(F32x4::new(lanes(xj, xi + 1e18)), F32x4::new(lanes(yj, yi)));
        sx = sx + px;
        sy = sy + py;
        sz = sz + pz;
        let (px, py) = (px.to_array(), py.to_array());
        for l in 0..rest {
            fxj[whole + l] -= px[l];
            fyj[whole + l] -= py[l];
        }
    }
    let (sx, sy, sz) = (sx.sum(), sy.sum(), sz.sum());
    fx[i] += sx;
    fy[i] += sy;
    f64::from(sz)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{RngExt, SeedableRng};

    /// sum_j q_ij^2 (y_i - y_j) and Z, exactly, in f64.
    fn exact(y: &[f32]) -> (Vec<f64>, f64) {
        let n = y.len() / 2;
        let mut forces = vec![0.0; 2 * n];
        let mut z = 0.0;
        for i in 0..n {
            for j in (0..n).filter(|&j| j != i) {
                let dx = f64::from(y[2 * i]) - f64::from(y[2 * j]);
                let dy = f64::from(y[2 * i + 1]) - f64::from(y[2 * j + 1]);
                let q = 1.0 / (1.0 + dx * dx + dy * dy);
                z += q;
                forces[2 * i] += q * q * dx;
                forces[2 * i + 1] += q * q * dy;
            }
        }
        (forces, z)
    }

    /// `clusters` round clusters of points (radius `radius`) scattered over a
    /// square of side `width`.
    fn clustered_map(n: usize, clusters: usize, width: f32, radius: f32, seed: u64) -> Vec<f32> {
        let mut rng = StdRng::seed_from_u64(seed);
        let centres: Vec<(f32, f32)> = (0..clusters)
            .map(|_| (width * rng.random::<f32>(), width * rng.random::<f32>()))
            .collect();
        (0..n)
            .flat_map(|i| {
                let (cx, cy) = centres[i % clusters];
                let r = radius * rng.random::<f32>().sqrt();
                let a = std::f32::consts::TAU * rng.random::<f32>();
                [cx + r * a.cos(), cy + r * a.sin()]
            })
            .collect()
    }

    #[test]
    fn forces_match_exact_sums() {
        // (points, clusters, width, cluster radius): a compact early map on
        // the fine grid, and wide maps on the coarse grid with a near field.
        for (n, clusters, width, radius) in [
            (3000, 5, 6.0, 2.0),
            (3000, 20, 150.0, 12.0),
            (2000, 1, 0.0, 90.0),
            (1500, 300, 200.0, 1.0),
        ] {
            let y = clustered_map(n, clusters, width, radius, 17);
            let mut repulsion = Repulsion::new(n);
            let mut forces = vec![0.0f32; 2 * n];
            let z = repulsion.forces(&y, &mut forces, &Pool::serial());
            let (want, want_z) = exact(&y);
            let error: f64 = forces
                .iter()
                .zip(&want)
                .map(|(g, w)| (f64::from(*g) - w).powi(2))
                .sum();
            let norm: f64 = want.iter().map(|w| w * w).sum();
            let relative = (error / norm).sqrt();
            let z_relative = (z - want_z).abs() / want_z;
            assert!(relative < 0.03, "forces off by {relative}");
            assert!(z_relative < 0.005, "Z off by {z_relative}");
        }
    }
}
