//! Times `plot::density::category_contours` (the per-category density
//! estimate and its iso-lines) on a map, for scripts/bench-density: the best
//! of several runs in one process. Writes each category's grid and
//! iso-lines as JSON for the benchmark to check against a direct sum.
//!
//! Usage: contour_timing MAP.f32 LABELS.csv OUT.json
//! (MAP.f32: N x 2 little-endian f32; LABELS.csv: a header, then one row per
//! point whose second field is its category.)

use std::time::Instant;

use crystal_atlas::label::Category;
use crystal_atlas::plot::density::{ContourSettings, category_contours};

const REPEATS: usize = 10;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [map, labels, out] = args.as_slice() else {
        eprintln!("usage: contour_timing MAP.f32 LABELS.csv OUT.json");
        std::process::exit(2);
    };
    let coords: Vec<f32> = std::fs::read(map)
        .unwrap_or_else(|e| panic!("{map}: {e}"))
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let text = std::fs::read_to_string(labels).unwrap_or_else(|e| panic!("{labels}: {e}"));
    let categories: Vec<Category> = text
        .lines()
        .skip(1)
        .map(|line| {
            let name = line.split(',').nth(1).unwrap_or("").trim();
            Category::from_name(name).unwrap_or_else(|| panic!("no category in '{line}'"))
        })
        .collect();
    assert_eq!(coords.len(), 2 * categories.len(), "one category per point");
    let settings = ContourSettings::default();
    let mut best = f64::INFINITY;
    let mut contours = Vec::new();
    for _ in 0..REPEATS {
        let start = Instant::now();
        contours = category_contours(&coords, &categories, &settings);
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!(
        "contours: {} points, {} categories, grid {} x {}, {} levels: best of {REPEATS} {:.1} ms",
        categories.len(),
        contours.len(),
        contours.first().map_or(0, |c| c.density.nx),
        contours.first().map_or(0, |c| c.density.ny),
        settings.mass_fractions.len(),
        best * 1e3
    );
    let json: Vec<serde_json::Value> = contours
        .iter()
        .map(|c| {
            serde_json::json!({
                "category": c.category,
                "points": c.points,
                "bandwidth": c.bandwidth,
                "nx": c.density.nx, "ny": c.density.ny,
                "x0": c.density.x0, "y0": c.density.y0, "step": c.density.step,
                "values": c.density.values,
                "levels": c.isolines.iter().map(|l| l.level).collect::<Vec<_>>(),
                "mass": c.isolines.iter().map(|l| l.mass).collect::<Vec<_>>(),
                "paths": c.isolines.iter().map(|l| l.paths.len()).collect::<Vec<_>>(),
            })
        })
        .collect();
    std::fs::write(out, serde_json::Value::Array(json).to_string())
        .unwrap_or_else(|e| panic!("{out}: {e}"));
}
