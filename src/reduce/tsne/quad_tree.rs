//! A quadtree over a fixed 2-D map and the Barnes-Hut estimate of t-SNE's
//! repulsion on a point that is not part of it (van der Maaten 2014), as
//! openTSNE's `QuadTree` and `estimate_negative_gradient_bh` with
//! `pairwise_normalization=False` compute it when placing new points.
//!
//! Why a tree here when the fit uses a grid (`repulsion.rs`): the fitted map
//! never moves while new points are placed, so the tree is built once, and a
//! few new points then cost a few hundred cell visits each per iteration,
//! with no grid to size or refit.
//!
//! The tree is openTSNE's: the root is the square around the map, a cell
//! splits in four at its centre when a second point arrives, and points
//! within 1e-6 of a cell's centre of mass in both coordinates share it. One
//! difference: when such a shared leaf splits, openTSNE moves its points
//! into the child as one point; here they keep their count.

/// openTSNE's duplicate tolerance (`is_duplicate`).
const DUPLICATE_EPS: f64 = 1e-6;
/// Beyond this depth a cell is 2^-48 of the map wide; points that still
/// share it are treated as duplicates, so no input can recurse forever.
const MAX_DEPTH: usize = 48;
/// Added to squared distances, as openTSNE does, so coincident points give
/// a finite kernel.
const EPSILON: f64 = f64::EPSILON;

#[derive(Debug, Clone)]
struct Cell {
    centre: [f64; 2],
    length: f64,
    centre_of_mass: [f64; 2],
    points: f64,
    /// Index of the first of four children, 0 for a leaf.
    children: u32,
}

impl Cell {
    fn new(centre: [f64; 2], length: f64) -> Cell {
        Cell {
            centre,
            length,
            centre_of_mass: [0.0; 2],
            points: 0.0,
            children: 0,
        }
    }

    fn is_duplicate(&self, p: [f64; 2]) -> bool {
        (0..2).all(|d| (self.centre_of_mass[d] - p[d]).abs() < DUPLICATE_EPS)
    }

    /// Adds `count` points at `p` to the running centre of mass.
    fn absorb(&mut self, p: [f64; 2], count: f64) {
        for (c, &x) in self.centre_of_mass.iter_mut().zip(&p) {
            *c = (*c * self.points + x * count) / (self.points + count);
        }
        self.points += count;
    }

    /// Which of the four children holds `p`: bit d set when p is above the
    /// centre along axis d.
    fn child_for(&self, p: [f64; 2]) -> u32 {
        (p[0] > self.centre[0]) as u32 | ((p[1] > self.centre[1]) as u32) << 1
    }
}

/// What the force estimate reads of a cell, packed apart from what only
/// building needs, so a traversal touches less memory.
#[derive(Debug, Clone)]
struct Summary {
    centre_of_mass: [f64; 2],
    points: f64,
    length_squared: f64,
    /// Index of the first of four children, 0 for a leaf.
    children: u32,
}

/// The tree, its cells in one vector.
#[derive(Debug, Clone)]
pub(super) struct QuadTree {
    cells: Vec<Summary>,
}

/// The tree while points are added.
struct Builder {
    cells: Vec<Cell>,
}

impl QuadTree {
    /// The tree of `points` (x, y interleaved), which must be finite.
    pub(super) fn new(points: &[f64]) -> QuadTree {
        let mut lo = [f64::INFINITY; 2];
        let mut hi = [f64::NEG_INFINITY; 2];
        for p in points.chunks_exact(2) {
            for d in 0..2 {
                lo[d] = lo[d].min(p[d]);
                hi[d] = hi[d].max(p[d]);
            }
        }
        let centre = [(hi[0] + lo[0]) / 2.0, (hi[1] + lo[1]) / 2.0];
        let length = (hi[0] - lo[0]).max(hi[1] - lo[1]).max(0.0);
        let root = Cell::new(if points.is_empty() { [0.0; 2] } else { centre }, length);
        let mut builder = Builder { cells: vec![root] };
        for p in points.chunks_exact(2) {
            builder.add([p[0], p[1]]);
        }
        QuadTree {
            cells: builder
                .cells
                .into_iter()
                .map(|c| Summary {
                    centre_of_mass: c.centre_of_mass,
                    points: c.points,
                    length_squared: c.length * c.length,
                    children: c.children,
                })
                .collect(),
        }
    }
}

impl Builder {
    fn add(&mut self, p: [f64; 2]) {
        let mut at = 0usize;
        for depth in 0.. {
            let cell = &mut self.cells[at];
            if cell.children == 0
                && (cell.points == 0.0 || cell.is_duplicate(p) || depth >= MAX_DEPTH)
            {
                cell.absorb(p, 1.0);
                return;
            }
            if cell.children == 0 {
                // Split, and sink the points already here into their child.
                let (centre, half, held, count) = (
                    cell.centre,
                    cell.length / 2.0,
                    cell.centre_of_mass,
                    cell.points,
                );
                let first = self.cells.len() as u32;
                self.cells[at].children = first;
                for c in 0..4 {
                    let offset = |bit: usize| {
                        if c >> bit & 1 == 1 {
                            half / 2.0
                        } else {
                            -half / 2.0
                        }
                    };
                    let child_centre = [centre[0] + offset(0), centre[1] + offset(1)];
                    self.cells.push(Cell::new(child_centre, half));
                }
                let child = (first + self.cells[at].child_for(held)) as usize;
                self.cells[child].absorb(held, count);
            }
            let cell = &mut self.cells[at];
            cell.absorb(p, 1.0);
            at = (cell.children + cell.child_for(p)) as usize;
        }
    }
}

impl QuadTree {
    /// The repulsion on a point at `p` from every point of the tree, by
    /// Barnes-Hut with opening angle `theta`: returns (sum_j q_j^2 (p - y_j),
    /// sum_j q_j) with q_j = 1 / (1 + |p - y_j|^2), cells far enough away
    /// (or leaves) standing for their points at their centre of mass. Cells
    /// are visited depth first, children in order, as openTSNE recurses.
    pub(super) fn repulsion(
        &self,
        p: [f64; 2],
        theta: f64,
        stack: &mut Vec<u32>,
    ) -> ([f64; 2], f64) {
        let mut force = [0.0f64; 2];
        let mut sum_q = 0.0f64;
        let theta_squared = theta * theta;
        stack.clear();
        stack.push(0);
        while let Some(at) = stack.pop() {
            let cell = &self.cells[at as usize];
            if cell.points == 0.0 {
                continue;
            }
            let dx = [p[0] - cell.centre_of_mass[0], p[1] - cell.centre_of_mass[1]];
            let distance = EPSILON + dx[0] * dx[0] + dx[1] * dx[1];
            // openTSNE's length / sqrt(distance) < theta, squared.
            if cell.children == 0 || cell.length_squared < theta_squared * distance {
                let q = 1.0 / (1.0 + distance);
                let q_cell = q * cell.points;
                sum_q += q_cell;
                force[0] += q_cell * q * dx[0];
                force[1] += q_cell * q * dx[1];
            } else {
                stack.extend((0..4).rev().map(|c| cell.children + c));
            }
        }
        (force, sum_q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reduce::random::Random;

    fn exact(points: &[f64], p: [f64; 2]) -> ([f64; 2], f64) {
        let mut force = [0.0; 2];
        let mut sum_q = 0.0;
        for y in points.chunks_exact(2) {
            let dx = [p[0] - y[0], p[1] - y[1]];
            let q = 1.0 / (1.0 + EPSILON + dx[0] * dx[0] + dx[1] * dx[1]);
            sum_q += q;
            force[0] += q * q * dx[0];
            force[1] += q * q * dx[1];
        }
        (force, sum_q)
    }

    #[test]
    fn theta_zero_is_the_exact_sum_and_half_is_close() {
        let mut r = Random::new(9);
        // Clusters, duplicates and a far point.
        let mut points: Vec<f64> = (0..2000)
            .flat_map(|i| {
                let c = (i % 7) as f64 * 6.0;
                [c + r.normal(), c * 0.5 + r.normal()]
            })
            .collect();
        points.extend([3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 400.0, -90.0]);
        let tree = QuadTree::new(&points);
        let mut stack = Vec::new();
        for p in [[0.5, 0.2], [3.0, 3.0], [20.0, 5.0], [-50.0, 80.0]] {
            let (want_f, want_q) = exact(&points, p);
            let (f, q) = tree.repulsion(p, 0.0, &mut stack);
            assert!((q - want_q).abs() <= 1e-9 * want_q);
            for d in 0..2 {
                assert!((f[d] - want_f[d]).abs() <= 1e-9 * want_f[d].abs().max(1e-9));
            }
            let (f, q) = tree.repulsion(p, 0.5, &mut stack);
            assert!((q - want_q).abs() <= 0.03 * want_q, "{q} vs {want_q}");
            let norm = (want_f[0].powi(2) + want_f[1].powi(2)).sqrt();
            let error = ((f[0] - want_f[0]).powi(2) + (f[1] - want_f[1]).powi(2)).sqrt();
            assert!(error <= 0.05 * norm, "{error} vs {norm}");
        }
    }

    #[test]
    fn degenerate_maps_build_and_give_finite_sums() {
        let mut stack = Vec::new();
        for points in [
            vec![],
            vec![1.0, 1.0],
            vec![2.0, 2.0, 2.0, 2.0],
            vec![0.0, 0.0, 1e-300, 0.0],
        ] {
            let tree = QuadTree::new(&points);
            let (f, q) = tree.repulsion([0.5, -0.5], 0.5, &mut stack);
            let (want_f, want_q) = exact(&points, [0.5, -0.5]);
            assert!((q - want_q).abs() <= 1e-12, "{points:?}: {q} vs {want_q}");
            for d in 0..2 {
                assert!(
                    (f[d] - want_f[d]).abs() <= 1e-12,
                    "{points:?}: {f:?} vs {want_f:?}"
                );
            }
        }
    }
}
