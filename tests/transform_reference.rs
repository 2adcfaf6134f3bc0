//! Placing held-out rows of the 12k reference matrices on fitted maps keeps
//! their neighbourhoods at least as well as the reference packages do, less
//! 0.03: every tenth row is held out, the rest fitted, and the recall at 15
//! of the placed rows (their 15 nearest fitted rows in the input among their
//! 15 nearest fitted points on the map) is compared with umap-learn's,
//! openTSNE's and scikit-learn's in tests/fixtures/reduce/transform_reference.json
//! (scripts/make-transform-fixtures). Fitting two 12k maps per method is
//! slow in a debug build, so the test runs in release builds
//! (`cargo test --release --test transform_reference`, which
//! scripts/bench-transform does). Skips with a notice when the reference
//! data is absent.

use std::path::PathBuf;

use crystal_atlas::reduce::Silent;
use crystal_atlas::reduce::fitted::{FittedMap, placement_recall};
use crystal_atlas::reduce::pca::PcaModel;
use crystal_atlas::reduce::tsne::{TsneModel, TsneParams, TsneTransformParams};
use crystal_atlas::reduce::umap::{UmapModel, UmapParams, umap_with_outcome};
use ndarray::{Array2, Axis};

/// `shared/reference` next to the repository or to the worktree folder it sits in.
fn reference_dir() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    root.ancestors()
        .skip(1)
        .take(2)
        .map(|a| a.join("shared/reference"))
        .find(|p| p.join("mat2vec_12k.f32").exists() && p.join("magpie_12k.f32").exists())
}

fn read_matrix(path: &PathBuf, dim: usize) -> Array2<f32> {
    let bytes = std::fs::read(path).unwrap();
    let values: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    Array2::from_shape_vec((values.len() / dim, dim), values).unwrap()
}

fn fit_map(method: &str, fit: &Array2<f32>) -> FittedMap {
    match method {
        "pca" => FittedMap::Pca(PcaModel::fit(fit.view(), 2).unwrap()),
        "umap" => {
            let params = UmapParams {
                snapshot_every: 0,
                ..UmapParams::default()
            };
            let outcome = umap_with_outcome(fit.view(), &params, &mut Silent).unwrap();
            FittedMap::Umap(UmapModel::from_outcome(fit.view(), &outcome, &params).unwrap())
        }
        _ => {
            let params = TsneParams {
                snapshot_every: 0,
                ..TsneParams::default()
            };
            FittedMap::Tsne {
                model: TsneModel::fit(fit.view(), &params, &mut Silent).unwrap(),
                params: TsneTransformParams::default(),
            }
        }
    }
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "slow in debug builds; scripts/bench-transform runs it in release"
)]
fn held_out_rows_keep_their_neighbourhoods_as_well_as_the_reference() {
    let Some(dir) = reference_dir() else {
        println!("skipped: shared/reference/mat2vec_12k.f32 and magpie_12k.f32 are absent");
        return;
    };
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/reduce/transform_reference.json")).unwrap();
    let k = fixture["k"].as_u64().unwrap() as usize;
    let mut failures = Vec::new();
    for (name, dim) in [("mat2vec_12k", 200), ("magpie_12k", 22)] {
        let x = read_matrix(&dir.join(format!("{name}.f32")), dim);
        let (held, kept): (Vec<usize>, Vec<usize>) = (0..x.nrows()).partition(|i| i % 10 == 0);
        let (fit, new) = (x.select(Axis(0), &kept), x.select(Axis(0), &held));
        let reference = &fixture[name];
        assert_eq!(reference["new_rows"].as_u64(), Some(new.nrows() as u64));
        for method in ["pca", "umap", "tsne"] {
            let map = fit_map(method, &fit);
            let placed = map.transform(new.view(), &mut Silent).unwrap();
            let ours = placement_recall(fit.view(), map.embedding(), new.view(), placed.view(), k);
            let theirs = reference[method].as_f64().unwrap();
            // PCA is the same projection: only rounding may differ.
            let slack = if method == "pca" { 0.005 } else { 0.03 };
            println!(
                "{name} {method}: placed rows' recall@{k} {ours:.4}, reference {theirs:.4} (floor {:.4})",
                theirs - slack
            );
            if ours < theirs - slack {
                failures.push(format!(
                    "{name} {method}: {ours:.4} < {theirs:.4} - {slack}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:?}");
}
