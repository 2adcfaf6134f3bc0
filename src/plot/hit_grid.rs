//! Which point is under the pointer: a uniform grid over the map, so a hover
//! test looks at a few cells instead of all 12,000 points.

/// Points bucketed by cell, stored compactly: `items[starts[c]..starts[c + 1]]`
/// are the indices of the points in cell `c`.
#[derive(Debug, Clone, PartialEq)]
pub struct HitGrid {
    x0: f64,
    y0: f64,
    cell: f64,
    cols: usize,
    rows: usize,
    starts: Vec<u32>,
    items: Vec<u32>,
}

/// About this many points per cell on average.
const POINTS_PER_CELL: f64 = 4.0;
/// Cap on cells per axis, so a few far outliers cannot blow up memory.
const MAX_CELLS_PER_AXIS: usize = 1024;

impl HitGrid {
    /// Buckets the finite points of `coords` (x, y pairs).
    pub fn build(coords: &[f32]) -> HitGrid {
        let n = coords.len() / 2;
        let Some(b) = super::Bounds::of(coords) else {
            return HitGrid {
                x0: 0.0,
                y0: 0.0,
                cell: 1.0,
                cols: 1,
                rows: 1,
                starts: vec![0, 0],
                items: Vec::new(),
            };
        };
        let area = (b.width() * b.height()).max(1e-24);
        let mut cell = (area * POINTS_PER_CELL / n.max(1) as f64).sqrt();
        let longest = b.width().max(b.height());
        if !(cell > 0.0 && cell.is_finite()) || longest / cell > MAX_CELLS_PER_AXIS as f64 {
            cell = (longest / MAX_CELLS_PER_AXIS as f64).max(1e-12);
        }
        let cols = ((b.width() / cell).floor() as usize + 1).min(MAX_CELLS_PER_AXIS);
        let rows = ((b.height() / cell).floor() as usize + 1).min(MAX_CELLS_PER_AXIS);
        let mut grid = HitGrid {
            x0: b.x0,
            y0: b.y0,
            cell,
            cols,
            rows,
            starts: vec![0; cols * rows + 1],
            items: Vec::new(),
        };
        let cells: Vec<Option<usize>> = (0..n)
            .map(|i| grid.cell_of(coords[2 * i], coords[2 * i + 1]))
            .collect();
        for c in cells.iter().flatten() {
            grid.starts[c + 1] += 1;
        }
        for c in 0..cols * rows {
            grid.starts[c + 1] += grid.starts[c];
        }
        let mut fill = grid.starts.clone();
        grid.items = vec![0; grid.starts[cols * rows] as usize];
        for (i, c) in cells.iter().enumerate() {
            if let Some(c) = *c {
                grid.items[fill[c] as usize] = i as u32;
                fill[c] += 1;
            }
        }
        grid
    }

    fn col_row(&self, x: f64, y: f64) -> (i64, i64) {
        (
            ((x - self.x0) / self.cell).floor() as i64,
            ((y - self.y0) / self.cell).floor() as i64,
        )
    }

    fn cell_of(&self, x: f32, y: f32) -> Option<usize> {
        let (x, y) = (f64::from(x), f64::from(y));
        if !(x.is_finite() && y.is_finite()) {
            return None;
        }
        let (c, r) = self.col_row(x, y);
        let c = c.clamp(0, self.cols as i64 - 1) as usize;
        let r = r.clamp(0, self.rows as i64 - 1) as usize;
        Some(r * self.cols + c)
    }

    /// The point of `coords` nearest to (x, y) within `radius` (map units)
    /// among those `accept` lets through; ties go to the later point, the one
    /// drawn on top when indices follow drawing order.
    pub fn nearest(
        &self,
        coords: &[f32],
        x: f64,
        y: f64,
        radius: f64,
        accept: impl Fn(usize) -> bool,
    ) -> Option<usize> {
        if !(x.is_finite() && y.is_finite() && radius.is_finite() && radius >= 0.0) {
            return None;
        }
        let (c0, r0) = self.col_row(x - radius, y - radius);
        let (c1, r1) = self.col_row(x + radius, y + radius);
        let (c0, c1) = (c0.max(0), c1.min(self.cols as i64 - 1));
        let (r0, r1) = (r0.max(0), r1.min(self.rows as i64 - 1));
        let mut best: Option<(f64, usize)> = None;
        for r in r0..=r1 {
            for c in c0..=c1 {
                let cell = r as usize * self.cols + c as usize;
                for &i in &self.items[self.starts[cell] as usize..self.starts[cell + 1] as usize] {
                    let i = i as usize;
                    let (dx, dy) = (
                        f64::from(coords[2 * i]) - x,
                        f64::from(coords[2 * i + 1]) - y,
                    );
                    let d2 = dx * dx + dy * dy;
                    if d2 <= radius * radius
                        && best.is_none_or(|(b, j)| d2 < b || (d2 == b && i > j))
                        && accept(i)
                    {
                        best = Some((d2, i));
                    }
                }
            }
        }
        best.map(|(_, i)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng, rngs::StdRng};

    /// The nearest accepted point by looking at every point.
    fn brute(
        coords: &[f32],
        x: f64,
        y: f64,
        r: f64,
        accept: impl Fn(usize) -> bool,
    ) -> Option<usize> {
        let mut best: Option<(f64, usize)> = None;
        for i in 0..coords.len() / 2 {
            let (dx, dy) = (
                f64::from(coords[2 * i]) - x,
                f64::from(coords[2 * i + 1]) - y,
            );
            let d2 = dx * dx + dy * dy;
            if d2.is_finite()
                && d2 <= r * r
                && accept(i)
                && best.is_none_or(|(b, j)| d2 < b || (d2 == b && i > j))
            {
                best = Some((d2, i));
            }
        }
        best.map(|(_, i)| i)
    }

    #[test]
    fn grid_answers_like_a_scan_of_every_point() {
        let mut rng = StdRng::seed_from_u64(7);
        // Clusters and outliers, like a UMAP layout.
        let mut coords = Vec::new();
        for i in 0..3000 {
            let (cx, cy) = if i % 3 == 0 { (0.0, 0.0) } else { (20.0, -5.0) };
            coords.push(cx + rng.random_range(-1.0f32..1.0));
            coords.push(cy + rng.random_range(-1.0f32..1.0));
        }
        coords.extend([300.0, 300.0, f32::NAN, 0.0]);
        let grid = HitGrid::build(&coords);
        for _ in 0..2000 {
            let (x, y) = (rng.random_range(-5.0..25.0), rng.random_range(-8.0..3.0));
            let r = rng.random_range(0.0..0.5);
            let odd = |i: usize| i % 2 == 1;
            assert_eq!(
                grid.nearest(&coords, x, y, r, |_| true),
                brute(&coords, x, y, r, |_| true)
            );
            assert_eq!(
                grid.nearest(&coords, x, y, r, odd),
                brute(&coords, x, y, r, odd)
            );
        }
        assert_eq!(
            grid.nearest(&coords, 300.0, 300.0, 0.1, |_| true),
            Some(3000)
        );
        assert_eq!(grid.nearest(&coords, f64::NAN, 0.0, 1.0, |_| true), None);
    }

    #[test]
    fn empty_and_degenerate_layouts() {
        assert_eq!(
            HitGrid::build(&[]).nearest(&[], 0.0, 0.0, 1.0, |_| true),
            None
        );
        let same = [1.0f32, 1.0, 1.0, 1.0];
        let grid = HitGrid::build(&same);
        assert_eq!(grid.nearest(&same, 1.0, 1.0, 0.1, |_| true), Some(1));
    }
}
