//! `reduce`: a matrix of raw little-endian f32 rows in, its 2-D map out, in
//! the format of the reference matrices (`np.fromfile(f, "<f4")`). The time
//! of the reduction and the threads it ran on go to stderr, for people and
//! for `scripts/bench-reduce`; `--time` adds the time of each stage the
//! reducer reports, `--quality` the map's trustworthiness and kNN recall on
//! the standard subset (which takes about as long as a UMAP of 12,000
//! points, so only when asked). `--transform` places further rows on the
//! fitted map (`crystal_atlas::reduce::fitted`) and reports that time and
//! their kNN recall too (`scripts/bench-transform`).

use crystal_atlas::params;
use std::time::Instant;

use crystal_atlas::parallel::{Pool, Threads};
use crystal_atlas::reduce::fitted::{FittedMap, placement_recall};
use crystal_atlas::reduce::pca::PcaModel;
use crystal_atlas::reduce::quality::{self, standard_subset};
use crystal_atlas::reduce::tsne::{TsneModel, TsneParams, TsneTransformParams};
use crystal_atlas::reduce::umap::{UmapModel, UmapParams};
use crystal_atlas::reduce::{Control, Observer, Stage, Step, pca, tsne, umap};
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
    let seed: u64 = args.setting(&params::SEED, 0..=u64::MAX)?;
    let n_neighbors: usize = args.setting(&params::N_NEIGHBORS, 2..=1000)?;
    let min_dist = real(&mut args, &params::MIN_DIST, 0.0, 1.0)?;
    let perplexity = real(&mut args, &params::PERPLEXITY, 1.0, 10_000.0)?;
    let stage_times = args.switch("time");
    let transform = transform_args(&mut args)?;
    let with_quality = args.switch("quality");
    let threads = threads(&mut args)?;
    args.finish()?;
    if !["pca", "tsne", "umap"].contains(&method.as_str()) {
        return Err(CliError(format!(
            "--method '{method}' is not one of pca, tsne, umap"
        )));
    }
    let mut inputs = vec![Named {
        flag: "--input",
        path: &input,
    }];
    let mut outputs = vec![Named {
        flag: "--out",
        path: &out,
    }];
    if let Some((new, placed)) = &transform {
        inputs.push(Named {
            flag: "--transform",
            path: new,
        });
        outputs.push(Named {
            flag: "--transform-out",
            path: placed,
        });
    }
    io::refuse_overwrites(&inputs, &outputs)?;
    let data = read_matrix(&input, dim)?;
    let new_rows = match &transform {
        Some((path, _)) => Some(
            read_matrix(path, dim).map_err(|e| CliError(e.0.replace("--input", "--transform")))?,
        ),
        None => None,
    };
    let (n, d) = data.dim();

    let umap_params = UmapParams {
        n_neighbors,
        min_dist,
        seed,
        snapshot_every: 0,
        threads,
        ..UmapParams::default()
    };
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
        _ => umap::umap_with_outcome(data.view(), &umap_params, &mut stages).map(|outcome| {
            if let Some(why) = outcome.random_init {
                note(&format!("umap: initial layout not exactly spectral: {why}"));
            }
            outcome.embedding
        }),
    }
    .map_err(|e| CliError(format!("{method}: {e}")))?;
    let seconds = start.elapsed().as_secs_f64();
    stages.report(&method);

    io::write_file("--out", &out, map.iter().map(|x| x.to_le_bytes()))?;
    note(&format!(
        "{method}: {n} x {d} -> {} x {} in {seconds:.3} s on {} thread{}",
        map.nrows(),
        map.ncols(),
        threads.get(),
        if threads.get() == 1 { "" } else { "s" }
    ));
    if with_quality {
        note(&format!("{method}: {}", quality_line(&data, &map)));
    }
    if let (Some(new_rows), Some((_, out))) = (new_rows, transform) {
        place(
            &method,
            &data,
            map,
            &new_rows,
            &umap_params,
            &out,
            stage_times,
        )?;
    }
    Ok(())
}

/// `--transform NEW.f32 --transform-out NEWY.f32`, both or neither.
fn transform_args(args: &mut Args) -> Result<Option<(String, String)>, CliError> {
    match (args.value("transform"), args.value("transform-out")) {
        (Some(new), Some(out)) => Ok(Some((new, out))),
        (None, None) => Ok(None),
        (Some(_), None) => Err(CliError(
            "--transform needs --transform-out, the file to write the placed rows' map positions to".into(),
        )),
        (None, Some(_)) => Err(CliError(
            "--transform-out needs --transform, the file of new rows to place on the map".into(),
        )),
    }
}

/// Places `new_rows` on the fitted `map` of `data` as the method's reference
/// package does (crystal_atlas::reduce::fitted), writes their positions to
/// `out`, and reports the time and the placed rows' kNN recall at 15.
fn place(
    method: &str,
    data: &Array2<f32>,
    map: Array2<f32>,
    new_rows: &Array2<f32>,
    umap_params: &UmapParams,
    out: &str,
    stage_times: bool,
) -> Result<(), CliError> {
    let start = Instant::now();
    let mut stages = StageClock::new(stage_times);
    let fitted = match method {
        "pca" => PcaModel::fit(data.view(), 2).map(FittedMap::Pca),
        "tsne" => TsneModel::new(data.view(), map).map(|model| FittedMap::Tsne {
            model,
            params: TsneTransformParams::default(),
        }),
        _ => UmapModel::new(data.view(), map, umap_params).map(FittedMap::Umap),
    };
    let placed = fitted
        .and_then(|f| Ok((f.transform(new_rows.view(), &mut stages)?, f)))
        .map_err(|e| CliError(format!("{method} --transform: {e}")))?;
    let seconds = start.elapsed().as_secs_f64();
    stages.report(&format!("{method} --transform"));
    let (placed, fitted) = placed;
    io::write_file(
        "--transform-out",
        out,
        placed.iter().map(|x| x.to_le_bytes()),
    )?;
    note(&format!(
        "{method}: placed {} x {} -> {} x {} in {seconds:.3} s",
        new_rows.nrows(),
        new_rows.ncols(),
        placed.nrows(),
        placed.ncols()
    ));
    let recall = placement_recall(
        data.view(),
        fitted.embedding(),
        new_rows.view(),
        placed.view(),
        QUALITY_K,
    );
    note(&format!(
        "{method}: placed rows' kNN recall@{QUALITY_K} {recall:.4} (their {QUALITY_K} nearest fitted rows in the input, among their {QUALITY_K} nearest on the map)"
    ));
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
    starts: Vec<(Stage, Instant)>,
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
                "{method}: {} {:.3} s",
                stage.name(),
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
/// A decimal page setting's flag, defaulted as the page's table says.
fn real(args: &mut Args, p: &params::Param, lo: f32, hi: f32) -> Result<f32, CliError> {
    let name = p.flag.expect("a flag");
    let Some(raw) = args.value(name) else {
        return Ok(p.default.parse().expect("the table's default is a number"));
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
