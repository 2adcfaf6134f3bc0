//! Density contours under the points: where each category's points crowd
//! on the map, as iso-lines of a kernel density estimate. With 12,000
//! overlapping points the eye cannot tell whether the red (missing) points
//! sit inside the blue (standard) cloud or around it; contours can.
//!
//! For each category separately:
//! - a Gaussian kernel density estimate with a diagonal bandwidth by Scott's
//!   rule, h = sigma n^(-1/6) per axis (sigma the sample standard deviation,
//!   n the category's points; scipy's `gaussian_kde` default factor, for the
//!   2-D case, without the off-diagonal term), evaluated on a square grid
//!   over the whole map padded by three bandwidths, by linear binning and two
//!   separable convolutions (kernels cut at four bandwidths), O(n + grid);
//! - levels by the mass they enclose: the iso-line at fraction p bounds the
//!   densest region holding p of the category's estimated mass (seaborn's
//!   "iso-proportion" levels), 25%, 50% and 75% by default;
//! - iso-lines by marching squares, saddles decided by the cell's mean,
//!   segments joined into paths (closed where they close).
//!
//! Everything is in f64 with this crate's exp, so contours are the same
//! natively and in wasm; drawing ([`draw_contours`]) works on any plotters
//! backend, before the points so they stay on top.

use plotters::prelude::*;
use plotters_backend::DrawingErrorKind;

use super::colour::Palette;
use super::map::MapStyle;
use super::viewport::Viewport;
use crate::label::Category;
use crate::reduce::numeric::exp;

/// What to estimate and where to draw lines.
#[derive(Debug, Clone, PartialEq)]
pub struct ContourSettings {
    /// Grid nodes along the longer side of the padded map.
    pub nodes: usize,
    /// Fractions of each category's mass the iso-lines enclose.
    pub mass_fractions: Vec<f64>,
    /// Categories with fewer points get no contours.
    pub min_points: usize,
}

impl Default for ContourSettings {
    fn default() -> Self {
        ContourSettings {
            nodes: 160,
            mass_fractions: vec![0.25, 0.5, 0.75],
            min_points: 10,
        }
    }
}

/// A density on a grid of square cells: node (i, j) is at (x0 + i step,
/// y0 + j step); `values` row by row (j), nx per row.
#[derive(Debug, Clone, PartialEq)]
pub struct DensityGrid {
    pub nx: usize,
    pub ny: usize,
    pub x0: f64,
    pub y0: f64,
    pub step: f64,
    /// Probability density (per map unit squared) at each node.
    pub values: Vec<f64>,
}

/// One iso-line level: the paths where the density equals `level`.
#[derive(Debug, Clone, PartialEq)]
pub struct Isoline {
    /// The fraction of the mass inside.
    pub mass: f64,
    pub level: f64,
    /// Polylines in map units; a closed one repeats its first point last.
    pub paths: Vec<Vec<(f64, f64)>>,
}

/// A category's density and its iso-lines.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryContours {
    pub category: Category,
    pub points: usize,
    /// Scott's bandwidth along x and y, in map units.
    pub bandwidth: [f64; 2],
    pub density: DensityGrid,
    pub isolines: Vec<Isoline>,
}

/// Scott's rule per axis for the finite points of `xy` (x, y pairs):
/// sigma n^(-1/6), sigma with n - 1 in the denominator. A zero spread (all
/// points on a line) falls back to 1e-3 of the other axis's bandwidth (of 1
/// when both are zero).
pub fn scott_bandwidth(xy: &[[f64; 2]]) -> [f64; 2] {
    let n = xy.len() as f64;
    if xy.len() < 2 {
        return [1e-3; 2];
    }
    let factor = exp(-crate::reduce::numeric::ln(n) / 6.0);
    let mut h = [0.0; 2];
    for (d, hd) in h.iter_mut().enumerate() {
        let mean = xy.iter().map(|p| p[d]).sum::<f64>() / n;
        let var = xy.iter().map(|p| (p[d] - mean).powi(2)).sum::<f64>() / (n - 1.0);
        *hd = var.sqrt() * factor;
    }
    let wider = h[0].max(h[1]);
    let fallback = 1e-3 * if wider > 0.0 { wider } else { 1.0 };
    h.map(|v| if v > 0.0 { v } else { fallback })
}

/// The density of `xy` with bandwidth `h` on the grid `like` describes
/// (its values ignored): linear binning, then a separable Gaussian filter.
/// Points outside the grid add nothing (but count in the normalisation), so
/// give a grid that covers them, as [`category_contours`] does.
pub fn kde(xy: &[[f64; 2]], h: [f64; 2], like: &DensityGrid) -> DensityGrid {
    let (nx, ny, step) = (like.nx, like.ny, like.step);
    let mut counts = vec![0.0f64; nx * ny];
    for p in xy {
        let tx = (p[0] - like.x0) / step;
        let ty = (p[1] - like.y0) / step;
        if !(tx >= 0.0 && ty >= 0.0 && tx <= (nx - 1) as f64 && ty <= (ny - 1) as f64) {
            continue;
        }
        let (i, j) = ((tx as usize).min(nx - 2), (ty as usize).min(ny - 2));
        let (fx, fy) = (tx - i as f64, ty - j as f64);
        counts[j * nx + i] += (1.0 - fx) * (1.0 - fy);
        counts[j * nx + i + 1] += fx * (1.0 - fy);
        counts[(j + 1) * nx + i] += (1.0 - fx) * fy;
        counts[(j + 1) * nx + i + 1] += fx * fy;
    }
    let kernel = |h: f64| -> Vec<f64> {
        let radius = ((4.0 * h / step).ceil() as usize).max(1);
        let norm = 1.0 / ((2.0 * std::f64::consts::PI).sqrt() * h);
        (0..=radius)
            .map(|k| {
                let u = k as f64 * step / h;
                norm * exp(-0.5 * u * u)
            })
            .collect()
    };
    let (kx, ky) = (kernel(h[0]), kernel(h[1]));
    // Along x, row by row, then along y, column by column.
    let mut along_x = vec![0.0f64; nx * ny];
    for j in 0..ny {
        let row = &counts[j * nx..(j + 1) * nx];
        for i in 0..nx {
            along_x[j * nx + i] = filter_at(row, i, &kx);
        }
    }
    let mut values = vec![0.0f64; nx * ny];
    let scale = 1.0 / xy.len().max(1) as f64;
    let mut column = vec![0.0f64; ny];
    for i in 0..nx {
        for (j, c) in column.iter_mut().enumerate() {
            *c = along_x[j * nx + i];
        }
        for j in 0..ny {
            values[j * nx + i] = scale * filter_at(&column, j, &ky);
        }
    }
    DensityGrid {
        values,
        ..like.clone()
    }
}

/// sum_k kernel[|k|] line[at + k] over the line, for a symmetric kernel
/// given from its centre out.
fn filter_at(line: &[f64], at: usize, kernel: &[f64]) -> f64 {
    let mut sum = kernel[0] * line[at];
    for (k, &w) in kernel.iter().enumerate().skip(1) {
        if let Some(&v) = at.checked_sub(k).and_then(|i| line.get(i)) {
            sum += w * v;
        }
        if let Some(&v) = line.get(at + k) {
            sum += w * v;
        }
    }
    sum
}

/// The density levels enclosing each fraction of the grid's mass: the
/// smallest node value v such that the nodes at or above v hold at least
/// that fraction of the sum over all nodes.
pub fn mass_levels(grid: &DensityGrid, fractions: &[f64]) -> Vec<f64> {
    let mut sorted: Vec<f64> = grid.values.clone();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let total: f64 = sorted.iter().sum();
    fractions
        .iter()
        .map(|&p| {
            let target = p.clamp(0.0, 1.0) * total;
            let mut cumulative = 0.0;
            for &v in &sorted {
                cumulative += v;
                if cumulative >= target {
                    return v;
                }
            }
            sorted.last().copied().unwrap_or(0.0)
        })
        .collect()
}

/// Marching squares: the iso-lines of `grid` at `level`, joined into paths.
pub fn isolines(grid: &DensityGrid, level: f64) -> Vec<Vec<(f64, f64)>> {
    let (nx, ny) = (grid.nx, grid.ny);
    // A level of 0 (or NaN) would outline the whole grid.
    if nx < 2 || ny < 2 || level.is_nan() || level <= 0.0 {
        return Vec::new();
    }
    let v = |i: usize, j: usize| grid.values[j * nx + i];
    // Crossings live on grid edges: horizontal edge (i, j) joins nodes (i, j)
    // and (i + 1, j), id 2 (j nx + i); vertical edge (i, j) joins (i, j) and
    // (i, j + 1), id 2 (j nx + i) + 1.
    let h_edge = |i: usize, j: usize| 2 * (j * nx + i);
    let v_edge = |i: usize, j: usize| 2 * (j * nx + i) + 1;
    let mut segments: Vec<[usize; 2]> = Vec::new();
    for j in 0..ny - 1 {
        for i in 0..nx - 1 {
            let corners = [v(i, j), v(i + 1, j), v(i + 1, j + 1), v(i, j + 1)];
            let case = corners
                .iter()
                .enumerate()
                .fold(0, |c, (b, &x)| c | (usize::from(x >= level) << b));
            let (bottom, right, top, left) = (
                h_edge(i, j),
                v_edge(i + 1, j),
                h_edge(i, j + 1),
                v_edge(i, j),
            );
            let centre_above = corners.iter().sum::<f64>() / 4.0 >= level;
            let pairs: &[[usize; 2]] = match case {
                0 | 15 => &[],
                1 | 14 => &[[left, bottom]],
                2 | 13 => &[[bottom, right]],
                3 | 12 => &[[left, right]],
                4 | 11 => &[[right, top]],
                6 | 9 => &[[bottom, top]],
                7 | 8 => &[[left, top]],
                // Saddles: corners 0 and 2 above (5) or 1 and 3 (10); the
                // cell's mean decides whether the high corners connect.
                5 if centre_above => &[[left, top], [bottom, right]],
                5 => &[[left, bottom], [right, top]],
                10 if centre_above => &[[left, bottom], [right, top]],
                _ => &[[left, top], [bottom, right]],
            };
            segments.extend_from_slice(pairs);
        }
    }
    let point = |edge: usize| {
        let (cell, vertical) = (edge / 2, edge % 2 == 1);
        let (i, j) = (cell % nx, cell / nx);
        let (a, b) = if vertical {
            (v(i, j), v(i, j + 1))
        } else {
            (v(i, j), v(i + 1, j))
        };
        let t = if a != b { (level - a) / (b - a) } else { 0.5 };
        let (x, y) = (
            grid.x0 + i as f64 * grid.step,
            grid.y0 + j as f64 * grid.step,
        );
        if vertical {
            (x, y + t * grid.step)
        } else {
            (x + t * grid.step, y)
        }
    };
    join_segments(&segments, 2 * nx * ny)
        .into_iter()
        .map(|path| path.into_iter().map(point).collect())
        .collect()
}

/// Chains segments that share an edge crossing into paths, in the order
/// the segments came; each crossing is shared by at most two segments.
fn join_segments(segments: &[[usize; 2]], edges: usize) -> Vec<Vec<usize>> {
    const NONE: usize = usize::MAX;
    let mut touching = vec![[NONE; 2]; edges];
    for (s, seg) in segments.iter().enumerate() {
        for &e in seg {
            let slot = &mut touching[e];
            if slot[0] == NONE {
                slot[0] = s;
            } else {
                slot[1] = s;
            }
        }
    }
    let mut used = vec![false; segments.len()];
    let mut paths = Vec::new();
    // From the end `edge` of segment `s`, the crossings further along.
    let walk = |mut s: usize, mut edge: usize, used: &mut Vec<bool>| {
        let mut out = Vec::new();
        loop {
            let next = touching[edge]
                .into_iter()
                .find(|&t| t != NONE && t != s && !used[t]);
            let Some(t) = next else { break };
            used[t] = true;
            let far = if segments[t][0] == edge {
                segments[t][1]
            } else {
                segments[t][0]
            };
            out.push(far);
            (s, edge) = (t, far);
        }
        out
    };
    for s in 0..segments.len() {
        if used[s] {
            continue;
        }
        used[s] = true;
        let [a, b] = segments[s];
        let forward = walk(s, b, &mut used);
        let closed = forward.last() == Some(&a);
        let mut path: Vec<usize> = if closed {
            Vec::new()
        } else {
            let mut back = walk(s, a, &mut used);
            back.reverse();
            back
        };
        path.push(a);
        path.push(b);
        path.extend(forward);
        paths.push(path);
    }
    paths
}

/// Each category's density and iso-lines on one grid over the whole map
/// (`coords` x, y per point, `categories` per point; non-finite points are
/// skipped). Categories in [`Category::ALL`] order, those with fewer than
/// `settings.min_points` points left out.
pub fn category_contours(
    coords: &[f32],
    categories: &[Category],
    settings: &ContourSettings,
) -> Vec<CategoryContours> {
    let mut groups: Vec<(Category, Vec<[f64; 2]>)> =
        Category::ALL.iter().map(|&c| (c, Vec::new())).collect();
    for (p, &c) in coords.chunks_exact(2).zip(categories) {
        let (x, y) = (f64::from(p[0]), f64::from(p[1]));
        if x.is_finite()
            && y.is_finite()
            && let Some(group) = groups.iter_mut().find(|g| g.0 == c)
        {
            group.1.push([x, y]);
        }
    }
    groups.retain(|g| g.1.len() >= settings.min_points.max(2));
    let bandwidths: Vec<[f64; 2]> = groups.iter().map(|g| scott_bandwidth(&g.1)).collect();
    let Some(grid) = shared_grid(&groups, &bandwidths, settings.nodes) else {
        return Vec::new();
    };
    groups
        .into_iter()
        .zip(bandwidths)
        .map(|((category, xy), bandwidth)| {
            let density = kde(&xy, bandwidth, &grid);
            let levels = mass_levels(&density, &settings.mass_fractions);
            let isolines = settings
                .mass_fractions
                .iter()
                .zip(levels)
                .map(|(&mass, level)| Isoline {
                    mass,
                    level,
                    paths: isolines(&density, level),
                })
                .collect();
            CategoryContours {
                category,
                points: xy.len(),
                bandwidth,
                density,
                isolines,
            }
        })
        .collect()
}

/// A square-cell grid over every group's points padded by three of the
/// widest bandwidth, `nodes` along its longer side.
fn shared_grid(
    groups: &[(Category, Vec<[f64; 2]>)],
    bandwidths: &[[f64; 2]],
    nodes: usize,
) -> Option<DensityGrid> {
    let mut lo = [f64::INFINITY; 2];
    let mut hi = [f64::NEG_INFINITY; 2];
    for p in groups.iter().flat_map(|g| &g.1) {
        for d in 0..2 {
            lo[d] = lo[d].min(p[d]);
            hi[d] = hi[d].max(p[d]);
        }
    }
    let pad = 3.0 * bandwidths.iter().flatten().fold(0.0f64, |m, &h| m.max(h));
    if !(lo[0].is_finite() && pad.is_finite()) {
        return None;
    }
    let span = (hi[0] - lo[0]).max(hi[1] - lo[1]) + 2.0 * pad;
    let nodes = nodes.clamp(8, 2048);
    let step = span / (nodes - 1) as f64;
    let count =
        |d: usize| (((hi[d] - lo[d] + 2.0 * pad) / step).ceil() as usize + 1).clamp(2, nodes);
    Some(DensityGrid {
        nx: count(0),
        ny: count(1),
        x0: lo[0] - pad,
        y0: lo[1] - pad,
        step,
        values: Vec::new(),
    })
}

/// Draws the iso-lines in their categories' colours (thicker for the inner,
/// denser levels) straight on the backend; draw them before the points.
pub fn draw_contours<DB: DrawingBackend>(
    backend: &mut DB,
    contours: &[CategoryContours],
    palette: Palette,
    view: &Viewport,
    style: &MapStyle,
) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
    for set in contours {
        let [r, g, b] = palette.category(set.category);
        // Unlikely's pale grey would vanish on white: lines a shade darker.
        let colour = RGBColor(
            (f64::from(r) * 0.8) as u8,
            (f64::from(g) * 0.8) as u8,
            (f64::from(b) * 0.8) as u8,
        );
        let levels = set.isolines.len();
        for (rank, isoline) in set.isolines.iter().enumerate() {
            let width = 1.0 + 0.5 * (levels - 1 - rank) as f64 / (levels.max(2) - 1) as f64;
            let stroke = colour.stroke_width((width * style.pixel_ratio).round().max(1.0) as u32);
            for path in &isoline.paths {
                let pixels: Vec<(i32, i32)> = path
                    .iter()
                    .map(|&(x, y)| {
                        let (px, py) = view.to_pixel(x, y);
                        (px.round() as i32, py.round() as i32)
                    })
                    .collect();
                backend.draw_path(pixels, &stroke)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::{Bounds, RgbaCanvas};
    use crate::reduce::random::Random;

    fn gaussian_blob(n: usize, centre: [f64; 2], sigma: f64, seed: u64) -> Vec<[f64; 2]> {
        let mut r = Random::new(seed);
        (0..n)
            .map(|_| {
                [
                    centre[0] + sigma * r.normal(),
                    centre[1] + sigma * r.normal(),
                ]
            })
            .collect()
    }

    fn grid_over(lo: f64, hi: f64, nodes: usize) -> DensityGrid {
        DensityGrid {
            nx: nodes,
            ny: nodes,
            x0: lo,
            y0: lo,
            step: (hi - lo) / (nodes - 1) as f64,
            values: Vec::new(),
        }
    }

    #[test]
    fn scott_bandwidth_is_sigma_times_n_to_the_minus_one_sixth() {
        let xy = gaussian_blob(4096, [0.0, 0.0], 2.0, 1);
        let h = scott_bandwidth(&xy);
        // sigma ~ 2, 4096^(-1/6) = 0.25.
        for v in h {
            assert!((v - 0.5).abs() < 0.02, "{h:?}");
        }
        let line: Vec<[f64; 2]> = (0..100).map(|i| [f64::from(i), 3.0]).collect();
        let h = scott_bandwidth(&line);
        assert!(h[0] > 1.0 && h[1] == 1e-3 * h[0], "{h:?}");
    }

    #[test]
    fn the_estimate_matches_the_direct_sum_and_integrates_to_one() {
        let xy = gaussian_blob(500, [1.0, -1.0], 1.0, 2);
        let h = [0.4, 0.6];
        let grid = kde(&xy, h, &grid_over(-6.0, 6.0, 121));
        let direct = |x: f64, y: f64| {
            let norm = 1.0 / (2.0 * std::f64::consts::PI * h[0] * h[1]);
            xy.iter()
                .map(|p| {
                    let (u, v) = ((x - p[0]) / h[0], (y - p[1]) / h[1]);
                    norm * (-0.5 * (u * u + v * v)).exp()
                })
                .sum::<f64>()
                / xy.len() as f64
        };
        let peak = grid.values.iter().fold(0.0f64, |m, &v| m.max(v));
        for (i, j) in [(70, 50), (60, 40), (30, 90), (100, 20)] {
            let (x, y) = (
                grid.x0 + i as f64 * grid.step,
                grid.y0 + j as f64 * grid.step,
            );
            let got = grid.values[j * grid.nx + i];
            // Binning moves each point by at most half a cell (0.05 here).
            assert!(
                (got - direct(x, y)).abs() < 0.02 * peak,
                "({x}, {y}): {got} vs {}",
                direct(x, y)
            );
        }
        let mass: f64 = grid.values.iter().sum::<f64>() * grid.step * grid.step;
        assert!((mass - 1.0).abs() < 1e-3, "mass {mass}");
    }

    #[test]
    fn mass_levels_enclose_their_fraction_of_a_gaussian() {
        // For a standard 2-D Gaussian, the region holding p of the mass is a
        // circle of radius sqrt(-2 ln(1 - p)).
        let mut grid = grid_over(-6.0, 6.0, 241);
        grid.values = (0..241 * 241)
            .map(|k| {
                let (i, j) = (k % 241, k / 241);
                let (x, y) = (
                    grid.x0 + i as f64 * grid.step,
                    grid.y0 + j as f64 * grid.step,
                );
                (-(x * x + y * y) / 2.0).exp() / (2.0 * std::f64::consts::PI)
            })
            .collect();
        let levels = mass_levels(&grid, &[0.25, 0.5, 0.75]);
        for (p, level) in [0.25f64, 0.5, 0.75].iter().zip(&levels) {
            let want = (1.0 - p) / (2.0 * std::f64::consts::PI);
            assert!(
                (level - want).abs() < 0.01 * want,
                "p {p}: {level} vs {want}"
            );
        }
        // And the iso-line at 50% is one closed circle of that radius.
        let paths = isolines(&grid, levels[1]);
        assert_eq!(paths.len(), 1);
        let path = &paths[0];
        assert_eq!(path.first(), path.last(), "closed");
        let radius = (-2.0 * (0.5f64).ln()).sqrt();
        for &(x, y) in path {
            assert!(((x * x + y * y).sqrt() - radius).abs() < 0.01, "({x}, {y})");
        }
    }

    #[test]
    fn separate_blobs_give_separate_rings_and_saddles_stay_consistent() {
        let mut grid = grid_over(-4.0, 4.0, 81);
        grid.values = (0..81 * 81)
            .map(|k| {
                let (i, j) = (k % 81, k / 81);
                let (x, y) = (
                    grid.x0 + i as f64 * grid.step,
                    grid.y0 + j as f64 * grid.step,
                );
                let bump = |cx: f64, cy: f64| (-((x - cx).powi(2) + (y - cy).powi(2)) * 4.0).exp();
                bump(-2.0, -2.0) + bump(2.0, 2.0) + bump(-2.0, 2.0)
            })
            .collect();
        let paths = isolines(&grid, 0.5);
        assert_eq!(paths.len(), 3);
        assert!(paths.iter().all(|p| p.first() == p.last() && p.len() > 8));
        // A checkerboard of saddles: every segment still joins up.
        let mut checker = grid_over(0.0, 3.0, 4);
        checker.values = (0..16)
            .map(|k| f64::from(((k % 4) + (k / 4)) % 2 == 0))
            .collect();
        let paths = isolines(&checker, 0.5);
        let ends: usize = paths.iter().filter(|p| p.first() != p.last()).count();
        assert!(paths.iter().all(|p| p.len() >= 2));
        assert!(ends > 0, "open paths reach the border");
    }

    #[test]
    fn categories_get_contours_around_their_own_points() {
        let mut coords = Vec::new();
        let mut categories = Vec::new();
        for (c, centre) in [
            (Category::Standard, [0.0, 0.0]),
            (Category::Missing, [10.0, 0.0]),
        ] {
            for p in gaussian_blob(3000, centre, 1.0, centre[0] as u64) {
                coords.extend([p[0] as f32, p[1] as f32]);
                categories.push(c);
            }
        }
        // Too few to contour, and a point off the map.
        coords.extend([5.0, 5.0, f32::NAN, 1.0]);
        categories.extend([Category::Unlikely, Category::Standard]);
        let contours = category_contours(&coords, &categories, &ContourSettings::default());
        assert_eq!(contours.len(), 2);
        for (set, centre_x) in contours.iter().zip([0.0, 10.0]) {
            assert_eq!(set.points, 3000);
            assert_eq!(set.isolines.len(), 3);
            let inner = &set.isolines[0];
            assert_eq!(inner.paths.len(), 1);
            for &(x, y) in &inner.paths[0] {
                // 25% of a unit Gaussian lies within radius 0.76.
                let r = ((x - centre_x).powi(2) + y * y).sqrt();
                assert!(
                    (r - 0.76).abs() < 0.25,
                    "{:?} ring at r = {r}",
                    set.category
                );
            }
            let levels: Vec<f64> = set.isolines.iter().map(|l| l.level).collect();
            assert!(levels[0] > levels[1] && levels[1] > levels[2]);
        }
    }

    #[test]
    fn contours_draw_under_points_on_svg_and_raster_backends() {
        let xy: Vec<f32> = gaussian_blob(400, [0.0, 0.0], 1.0, 5)
            .into_iter()
            .flat_map(|p| [p[0] as f32, p[1] as f32])
            .collect();
        let categories = vec![Category::Missing; 400];
        let contours = category_contours(&xy, &categories, &ContourSettings::default());
        let view = crate::plot::Viewport::fit(Bounds::of(&xy).unwrap(), 120, 100, 5.0);
        let style = MapStyle::default();
        let mut svg = String::new();
        {
            let mut backend = SVGBackend::with_string(&mut svg, (120, 100));
            draw_contours(&mut backend, &contours, Palette::Paper, &view, &style).unwrap();
        }
        assert_eq!(svg.matches("<polyline").count(), 3, "{svg}");
        // In the exported figure the lines come before (under) the points.
        let colours = vec![[255u8, 18, 1, 255]; 400];
        let order: Vec<u32> = (0..400).collect();
        let scene = crate::plot::MapScene {
            coords: &xy,
            colours: &colours,
            order: &order,
            highlighted: &[],
            focus: None,
            hover: None,
            outlines: &[],
        };
        let figure = crate::plot::render_svg_with_contours(
            &scene,
            &contours,
            Palette::Paper,
            &view,
            &style,
            &crate::plot::MapLabels::default(),
            &[],
        )
        .unwrap();
        let (first_line, first_point) = (figure.find("<polyline"), figure.find("<circle"));
        assert!(
            first_line.is_some() && first_line < first_point,
            "lines under points"
        );
        let mut pixels = vec![255u8; 120 * 100 * 4];
        let mut canvas = RgbaCanvas::new(&mut pixels, 120, 100).unwrap();
        draw_contours(&mut canvas, &contours, Palette::Paper, &view, &style).unwrap();
        // Some pixels took the missing red, darkened (204, 14, 0).
        let red = pixels
            .chunks_exact(4)
            .filter(|p| p[0] > 150 && p[1] < 60 && p[2] < 60)
            .count();
        assert!(red > 50, "{red} red pixels");
    }
}
