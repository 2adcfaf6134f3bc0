//! `reduce`: a matrix of raw little-endian f32 rows in, its 2-D map out, in
//! the format of the reference matrices (`np.fromfile(f, "<f4")`). The time
//! of the reduction and the threads it ran on go to stderr, for people and
//! for `scripts/bench-reduce`; `--time` adds the time of each stage the
//! reducer reports, `--quality` the map's trustworthiness and kNN recall on
//! the standard subset (which takes about as long as a UMAP of 12,000
//! points, so only when asked).

use std::time::Instant;

use crystal_atlas::parallel::{Pool, Threads};
use crystal_atlas::reduce::quality::{self, standard_subset};
use crystal_atlas::reduce::tsne::TsneParams;
use crystal_atlas::reduce::umap::UmapParams;
use crystal_atlas::reduce::{Control, Observer, Step, pca, tsne, umap};
use ndarray::{Array2, Axis};

use crate::args::{Args, CliError};

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
    let with_quality = args.switch("quality");
    let threads = threads(&mut args)?;
    args.finish()?;
    if !["pca", "tsne", "umap"].contains(&method.as_str()) {
        return Err(CliError(format!(
            "--method '{method}' is not one of pca, tsne, umap"
        )));
    }
    let data = read_matrix(&input, dim)?;
    let (n, d) = data.dim();

    let start = Instant::now();
    let mut stages = StageClock::new(stage_times);
    let map = match method.as_str() {
        "pca" => pca::pca_on(&Pool::new(threads), data.view(), 2).map(|p| p.coords),
        "tsne" => {
            let params = TsneParams {
                perplexity,
                seed,
                threads,
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
                threads,
                ..UmapParams::default()
            };
            umap::umap_with_outcome(data.view(), &params, &mut stages).map(|outcome| {
                if let Some(why) = outcome.random_init {
                    eprintln!("umap: initial layout (partly) random instead of spectral: {why}");
                }
                outcome.embedding
            })
        }
    }
    .map_err(|e| CliError(format!("{method}: {e}")))?;
    let seconds = start.elapsed().as_secs_f64();
    stages.report(&method);

    let bytes: Vec<u8> = map.iter().flat_map(|x| x.to_le_bytes()).collect();
    std::fs::write(&out, bytes)
        .map_err(|e| CliError(format!("cannot write --out '{out}': {e}")))?;
    eprintln!(
        "{method}: {n} x {d} -> {} x {} in {seconds:.3} s on {} thread{}",
        map.nrows(),
        map.ncols(),
        threads.get(),
        if threads.get() == 1 { "" } else { "s" }
    );
    if with_quality {
        eprintln!("{method}: {}", quality_line(&data, &map));
    }
    Ok(())
}

/// `--threads N`, else `CRYSTAL_ATLAS_THREADS`, else every core.
pub fn threads(args: &mut Args) -> Result<Threads, CliError> {
    let (raw, from) = match args.value("threads") {
        Some(raw) => (raw, "--threads"),
        None => match std::env::var("CRYSTAL_ATLAS_THREADS") {
            Ok(raw) if !raw.trim().is_empty() => (raw, "CRYSTAL_ATLAS_THREADS"),
            _ => return Ok(Threads::all()),
        },
    };
    raw.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=1024).contains(n))
        .and_then(Threads::new)
        .ok_or_else(|| {
            CliError(format!(
                "{from}: '{raw}' is not a number of threads in 1..=1024"
            ))
        })
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
            eprintln!("{method}: {stage} {:.3} s", (next - *start).as_secs_f64());
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

/// The file as an N x dim matrix, checked: readable, whole rows, finite,
/// at least one row.
fn read_matrix(path: &str, dim: usize) -> Result<Array2<f32>, CliError> {
    let bytes =
        std::fs::read(path).map_err(|e| CliError(format!("cannot read --input '{path}': {e}")))?;
    let row_bytes = 4 * dim;
    if bytes.is_empty() || bytes.len() % row_bytes != 0 {
        return Err(CliError(format!(
            "--input '{path}' has {} bytes, not a whole number of rows of {dim} f32 values ({row_bytes} bytes each); \
             check --dim (the number of columns)",
            bytes.len()
        )));
    }
    let values: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
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
