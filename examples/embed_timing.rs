//! Times `embed_batch` inside one process, natively or as wasm32-wasip1 under
//! Node's WASI, for scripts/bench-embed: the first batch (its output memory
//! fresh from the system) and the best of the next repeats (memory reused, as
//! in the page's long-lived worker).
//!
//! Usage: embed_timing FORMULAS.csv NAME [NAME...]

use std::time::Instant;

use crystal_atlas::Composition;
use crystal_atlas::data::embeddings::EmbeddingInfo;
use crystal_atlas::embed::{PoolingStat, embed_batch};

const REPEATS: usize = 10;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((path, names)) = args.split_first() else {
        eprintln!("usage: embed_timing FORMULAS.csv NAME [NAME...]");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let compositions: Vec<Composition> = text
        .lines()
        .skip(1)
        .map(|line| {
            Composition::parse(line.split(',').next().unwrap_or("")).expect("a formula per row")
        })
        .collect();
    for name in names {
        let embedding = EmbeddingInfo::from_name(name)
            .and_then(|e| e.embedded())
            .expect("a built-in embedding");
        for standardise in [false, true] {
            let mut times = Vec::with_capacity(REPEATS + 1);
            for _ in 0..=REPEATS {
                let started = Instant::now();
                let batch =
                    embed_batch(&compositions, embedding, &[PoolingStat::Mean], standardise);
                times.push(started.elapsed().as_secs_f64() * 1e3);
                std::hint::black_box(batch);
            }
            let warm = times[1..].iter().copied().fold(f64::INFINITY, f64::min);
            println!(
                "{name} standardise={standardise} first_ms={:.2} warm_best_ms={warm:.2}",
                times[0]
            );
        }
    }
}
