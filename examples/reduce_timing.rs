//! Times our PCA and t-SNE on a raw little-endian f32 matrix and writes the
//! 2-D result for scripts/bench-tsne to score. Built natively and for
//! wasm32-wasip1 (run under Node's WASI), so both report the same stages.
//!
//! usage: reduce_timing pca|tsne MATRIX COLUMNS OUT.f32 [REPEATS]

use std::time::Instant;

use crystal_atlas::reduce::{Control, Step, pca, tsne};
use ndarray::Array2;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        eprintln!("usage: reduce_timing pca|tsne MATRIX COLUMNS OUT.f32 [REPEATS]");
        std::process::exit(2);
    }
    let columns: usize = args[3].parse().expect("COLUMNS must be a number");
    let repeats: usize = args
        .get(5)
        .map_or(1, |r| r.parse().expect("REPEATS must be a number"));
    let bytes = std::fs::read(&args[2]).expect("cannot read MATRIX");
    let values: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let data = Array2::from_shape_vec((values.len() / columns, columns), values).expect("shape");
    let mut best = f64::INFINITY;
    let mut result = None;
    for _ in 0..repeats {
        let start = Instant::now();
        let layout = match args[1].as_str() {
            "pca" => pca::pca(data.view(), 2).expect("pca").coords,
            "tsne" => {
                let mut stage_start = Instant::now();
                let mut stage = "";
                let mut observer = |step: Step<'_>| {
                    if step.stage != stage {
                        if !stage.is_empty() {
                            eprintln!("  {stage}: {:.3} s", stage_start.elapsed().as_secs_f64());
                        }
                        stage = step.stage;
                        stage_start = Instant::now();
                    }
                    Control::Continue
                };
                let y = tsne::tsne(data.view(), &tsne::TsneParams::default(), &mut observer)
                    .expect("tsne");
                eprintln!("  {stage}: {:.3} s", stage_start.elapsed().as_secs_f64());
                y
            }
            other => panic!("unknown method {other}"),
        };
        let seconds = start.elapsed().as_secs_f64();
        eprintln!("{}: {seconds:.4} s", args[1]);
        best = best.min(seconds);
        result = Some(layout);
    }
    println!("{best:.4}");
    let out: Vec<u8> = result
        .unwrap()
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    std::fs::write(&args[4], out).expect("cannot write OUT");
}
