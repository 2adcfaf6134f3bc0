//! Nearest neighbours on the 12,000 x 200 mat2vec reference matrix: the
//! recall of NN-descent against the exact search. Slow in a debug build, so
//! ignored by default; `scripts/bench-reduce` runs it in release:
//! `cargo test --release --test reduce_reference -- --ignored --nocapture`.
//! Skips with a notice when the reference data is absent.

use std::path::PathBuf;
use std::time::Instant;

use crystal_atlas::reduce::Silent;
use crystal_atlas::reduce::knn::{approximate_nearest_neighbors, exact_nearest_neighbors};
use ndarray::Array2;

/// `shared/reference` next to the repository or to the worktree folder it sits in.
fn reference_dir() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    root.ancestors()
        .skip(1)
        .take(2)
        .map(|a| a.join("shared/reference"))
        .find(|p| p.join("mat2vec_12k.f32").exists())
}

#[test]
#[ignore = "slow in debug builds; scripts/bench-reduce runs it in release"]
fn nn_descent_recall_on_mat2vec_is_above_0_99() {
    let Some(dir) = reference_dir() else {
        println!("skipped: shared/reference/mat2vec_12k.f32 is absent");
        return;
    };
    let bytes = std::fs::read(dir.join("mat2vec_12k.f32")).unwrap();
    let values: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let x = Array2::from_shape_vec((values.len() / 200, 200), values).unwrap();
    // UMAP's n_neighbors = 15 counts the point itself: 14 others. Also k = 15 others.
    for k in [14, 15] {
        let start = Instant::now();
        let exact = exact_nearest_neighbors(x.view(), k);
        let exact_s = start.elapsed().as_secs_f64();
        let start = Instant::now();
        let approx = approximate_nearest_neighbors(x.view(), k, 42, &mut Silent).unwrap();
        let approx_s = start.elapsed().as_secs_f64();
        let r = approx.recall_against(&exact);
        println!(
            "mat2vec 12k, k = {k}: NN-descent recall {r:.5} in {approx_s:.3} s; exact search {exact_s:.3} s"
        );
        assert!(r > 0.99, "recall {r} at k = {k}");
    }
    let start = Instant::now();
    exact_nearest_neighbors(x.view(), 90);
    println!(
        "mat2vec 12k, k = 90 (t-SNE, perplexity 30): exact search {:.3} s",
        start.elapsed().as_secs_f64()
    );
}
