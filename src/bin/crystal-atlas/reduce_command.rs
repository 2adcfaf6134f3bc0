//! `reduce`: a matrix of raw little-endian f32 rows in, its 2-D map out, in
//! the format of the reference matrices (`np.fromfile(f, "<f4")`). The time
//! of the reduction and its trustworthiness on the standard subset go to
//! stderr, for people and for `scripts/bench-reduce`; `--time` adds the
//! time of each stage the reducer reports.

use std::time::Instant;

use crystal_atlas::reduce::quality::{self, standard_subset};
use crystal_atlas::reduce::tsne::TsneParams;
use crystal_atlas::reduce::umap::UmapParams;
use crystal_atlas::reduce::{Control, Observer, Step, pca, tsne, umap};
use ndarray::{Array2, Axis};

use crate::args::{Args, CliError};
use crate::io::{self, MAX_MATRIX_ROWS, MAX_MATRIX_VALUES, Named, note};

/// Neighbourhood size of the quality measures (SPEC section 6).
const QUALITY_K: usize = 15;

pub fn reduce(mut args: Args) -> Result<(), CliError> {
    let method = args.required("method", "pca, tsne or umap")?;
    let input = args.required(
        "input",
        "a file of raw little-endian f32 values, row after row",
    )?;
    let dim: usize = args.number("dim", None, 1..=1_000_000)?;
    let out = args.required("out", "the file to write the N x 2 f32 map to")?;
    let seed: u64 = args.number("seed", Some(42), 0..=u64::MAX)?;
    let n_neighbors: usize = args.number("n-neighbors", Some(15), 2..=1000)?;
    let min_dist = real(&mut args, "min-dist", 0.1, 0.0, 1.0)?;
    let perplexity = real(&mut args, "perplexity", 30.0, 1.0, 10_000.0)?;
    let stage_times = args.switch("time");
    args.finish()?;
    if !["pca", "tsne", "umap"].contains(&method.as_str()) {
        return Err(CliError(format!(
            "--method '{method}' is not one of pca, tsne, umap"
        )));
    }
    io::refuse_overwrites(
        &[Named {
            flag: "--input",
            path: &input,
        }],
        &[Named {
            flag: "--out",
            path: &out,
        }],
    )?;
    let data = read_matrix(&input, dim)?;
    let (n, d) = data.dim();

    let start = Instant::now();
    let mut stages = StageClock::new(stage_times);
    let map = match method.as_str() {
        "pca" => pca::pca(data.view(), 2).map(|p| p.coords),
        "tsne" => {
            let params = TsneParams {
                perplexity,
                seed,
                ..TsneParams::default()
            };
            tsne::tsne(data.view(), &params, &mut stages)
        }
        _ => {
            let params = UmapParams {
                n_neighbors,
                min_dist,
                seed,
                snapshot_every: 0,
                ..UmapParams::default()
            };
            umap::umap_with_outcome(data.view(), &params, &mut stages).map(|outcome| {
                if let Some(why) = outcome.random_init {
                    note(&format!(
                        "umap: initial layout (partly) random instead of spectral: {why}"
                    ));
                }
                outcome.embedding
            })
        }
    }
    .map_err(|e| CliError(format!("{method}: {e}")))?;
    let seconds = start.elapsed().as_secs_f64();
    stages.report(&method);

    io::write_file("--out", &out, map.iter().map(|x| x.to_le_bytes()))?;
    note(&format!(
        "{method}: {n} x {d} -> {} x {} in {seconds:.3} s",
        map.nrows(),
        map.ncols()
    ));
    note(&format!("{method}: {}", quality_line(&data, &map)));
    Ok(())
}

/// With --time, when each reported stage began, to print how long each took.
struct StageClock {
    enabled: bool,
    starts: Vec<(&'static str, Instant)>,
}

impl StageClock {
    fn new(enabled: bool) -> StageClock {
        StageClock {
            enabled,
            starts: Vec::new(),
        }
    }

    fn report(&self, method: &str) {
        let end = Instant::now();
        for (at, (stage, start)) in self.starts.iter().enumerate() {
            let next = self.starts.get(at + 1).map_or(end, |s| s.1);
            note(&format!(
                "{method}: {stage} {:.3} s",
                (next - *start).as_secs_f64()
            ));
        }
    }
}

impl Observer for StageClock {
    fn step(&mut self, step: Step<'_>) -> Control {
        if self.enabled && self.starts.last().is_none_or(|s| s.0 != step.stage) {
            self.starts.push((step.stage, Instant::now()));
        }
        Control::Continue
    }
}

/// `--name` as a finite number in lo..=hi, or `default`.
fn real(args: &mut Args, name: &str, default: f32, lo: f32, hi: f32) -> Result<f32, CliError> {
    let Some(raw) = args.value(name) else {
        return Ok(default);
    };
    match raw.trim().parse::<f32>() {
        Ok(v) if (lo..=hi).contains(&v) => Ok(v),
        _ => Err(CliError(format!(
            "--{name}: '{raw}' is not a number in {lo}..={hi}"
        ))),
    }
}

/// The file as an N x dim matrix, checked: readable, within the caps (read
/// no further than them), whole rows, finite, at least one row.
fn read_matrix(path: &str, dim: usize) -> Result<Array2<f32>, CliError> {
    let max_values = MAX_MATRIX_ROWS.saturating_mul(dim).min(MAX_MATRIX_VALUES);
    let (values, left_over) = io::read_f32(path, max_values).map_err(|e| match e {
        io::ReadError::Io(e) => CliError(format!("cannot read --input '{path}': {e}")),
        _ => CliError(format!(
            "--input '{path}' holds more than {} rows of {dim} values; at most {MAX_MATRIX_ROWS} rows and {MAX_MATRIX_VALUES} values (1 GiB) are reduced: take a sample",
            max_values / dim
        )),
    })?;
    let row_bytes = 4 * dim;
    let bytes = 4 * values.len() + left_over;
    if bytes == 0 || bytes % row_bytes != 0 {
        return Err(CliError(format!(
            "--input '{path}' has {bytes} bytes, not a whole number of rows of {dim} f32 values ({row_bytes} bytes each); \
             check --dim (the number of columns)"
        )));
    }
    if let Some(at) = values.iter().position(|x| !x.is_finite()) {
        return Err(CliError(format!(
            "--input '{path}': row {}, column {} is {} (every value must be a finite number)",
            at / dim,
            at % dim,
            values[at]
        )));
    }
    let rows = values.len() / dim;
    Array2::from_shape_vec((rows, dim), values)
        .map_err(|e| CliError(format!("--input '{path}': {e}")))
}

fn quality_line(data: &Array2<f32>, map: &Array2<f32>) -> String {
    let n = data.nrows();
    let subset = standard_subset(n);
    let high = data.select(Axis(0), &subset);
    let low = map.select(Axis(0), &subset);
    match quality::quality(high.view(), low.view(), QUALITY_K) {
        Some(q) => format!(
            "trustworthiness@{QUALITY_K} {:.5}, kNN recall@{QUALITY_K} {:.4} (standard subset: {} of {n} rows, row i*{n}/{})",
            q.trustworthiness,
            q.knn_recall,
            subset.len(),
            subset.len()
        ),
        None => format!(
            "trustworthiness@{QUALITY_K} not defined for {n} points (needs more than {})",
            2 * QUALITY_K
        ),
    }
}
