//! Compositional embeddings against ElementEmbeddings 0.8.0.
//!
//! `tests/fixtures/embed/` holds ElementEmbeddings' own feature vectors, written
//! by `scripts/make-embed-fixture`, for seeded random compositions, every
//! element embedding and every pooling statistic. The shared reference
//! matrices (12,000 sampled binaries, mat2vec and magpie "mean", float32) are
//! checked too when `../shared/reference` is present.

use std::path::{Path, PathBuf};

use crystal_atlas::Composition;
use crystal_atlas::data::embeddings::{EMBEDDINGS, EmbeddingInfo};
use crystal_atlas::embed::{PoolingStat, embed_batch, feature_vector};

const TOLERANCE: f64 = 1e-5;

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/embed")
}

fn read_values(bytes: &[u8], width: usize) -> Vec<f64> {
    match width {
        4 => bytes
            .chunks_exact(4)
            .map(|b| f64::from(f32::from_le_bytes(b.try_into().unwrap())))
            .collect(),
        8 => bytes
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
            .collect(),
        _ => panic!("fixture value width {width}"),
    }
}

/// NaN where the reference has NaN, the same infinity where it has one, else
/// the absolute difference.
fn difference(ours: f64, reference: f64) -> Result<f64, String> {
    if reference.is_nan() || ours.is_nan() {
        return if reference.is_nan() && ours.is_nan() {
            Ok(0.0)
        } else {
            Err(format!("{ours} vs {reference}"))
        };
    }
    if reference.is_infinite() || ours.is_infinite() {
        return if ours == reference {
            Ok(0.0)
        } else {
            Err(format!("{ours} vs {reference}"))
        };
    }
    Ok((ours - reference).abs())
}

/// How far the harmonic mean may move because `scripts/import-data` stores
/// some embeddings in float32 (each value within half a float32 ulp of
/// ElementEmbeddings' float64): to first order |dH| <= H^2 sum_i w_i |dv_i| / v_i^2,
/// doubled for the second-order terms. Zero for embeddings stored in float64.
/// Where the sum 1/H = sum_i w_i / v_i nearly cancels, this is far above 1e-5.
fn harmonic_storage_bound(
    c: &Composition,
    info: &'static EmbeddingInfo,
    j: usize,
    harmonic: f64,
) -> f64 {
    let stored_width = info.embedded_bytes().unwrap()[4];
    if stored_width == 8 {
        return 0.0;
    }
    let embedding = info.embedded().unwrap();
    let sum: f64 = c
        .elements()
        .zip(c.fractions())
        .map(|(e, w)| {
            // |dv| <= |v| eps/2, so w |dv| / v^2 <= w eps / (2 |v|); zeros are stored exactly.
            let v = embedding.vector(e).unwrap()[j];
            if v == 0.0 {
                0.0
            } else {
                w * f64::from(f32::EPSILON) / (2.0 * v.abs())
            }
        })
        .sum();
    2.0 * harmonic * harmonic * sum
}

struct Fixture {
    manifest: serde_json::Value,
    values: Vec<u8>,
    formulas: Vec<Composition>,
}

fn fixture() -> Fixture {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture_dir().join("ee-0.8.0.json")).unwrap())
            .unwrap();
    let values = std::fs::read(fixture_dir().join("ee-0.8.0.bin")).unwrap();
    assert_eq!(manifest["elementembeddings"], "0.8.0");
    let formulas: Vec<Composition> = manifest["formulas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| Composition::parse(f.as_str().unwrap()).unwrap())
        .collect();
    assert_eq!(formulas.len(), 1000);
    Fixture {
        manifest,
        values,
        formulas,
    }
}

impl Fixture {
    fn block_values(&self, block: &serde_json::Value) -> Vec<f64> {
        let field = |k: &str| block[k].as_u64().unwrap() as usize;
        read_values(
            &self.values[field("offset")..field("offset") + field("bytes")],
            field("width"),
        )
    }
}

#[test]
fn standardised_columns_match_scikit_learn_standard_scaler() {
    let fixture = fixture();
    for block in fixture.manifest["standardised_blocks"].as_array().unwrap() {
        let name = block["embedding"].as_str().unwrap();
        let reference = fixture.block_values(block);
        let embedding = EmbeddingInfo::from_name(name).unwrap().embedded().unwrap();
        let batch = embed_batch(&fixture.formulas, embedding, &[PoolingStat::Mean], true);
        assert_eq!(batch.matrix.len(), reference.len(), "{name}");
        let worst = batch
            .matrix
            .iter()
            .zip(&reference)
            .map(|(&o, &r)| (f64::from(o) - r).abs())
            .fold(0.0, f64::max);
        println!(
            "{name}: {} x {} standardised, max |ours - StandardScaler| = {worst:.2e}",
            batch.matrix.nrows(),
            batch.matrix.ncols()
        );
        assert!(worst < TOLERANCE, "{name}: {worst:e}");
    }
}

#[test]
fn every_embedding_and_statistic_matches_elementembeddings() {
    let fixture = fixture();
    let (manifest, formulas) = (&fixture.manifest, &fixture.formulas);

    println!(
        "max |ours - ElementEmbeddings 0.8.0| (includes the fixture's float32 rounding, at most 1e-7, where it stores float32)"
    );
    println!(
        "embedding     rows  left out  mean       all but harmonic  harmonic_mean (float32-storage bound used)"
    );
    for info in &EMBEDDINGS {
        let embedding = info.embedded().unwrap();
        let (mut rows_checked, mut left) = (0usize, 0usize);
        let (mut worst_mean, mut worst, mut worst_harmonic, mut worst_harmonic_share) =
            (0f64, 0f64, 0f64, 0f64);
        let mut stats_seen = Vec::new();
        for block in manifest["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["embedding"] == info.name)
        {
            let stat = PoolingStat::from_name(block["stat"].as_str().unwrap()).unwrap();
            stats_seen.push(stat);
            let field = |k: &str| block[k].as_u64().unwrap() as usize;
            let (start, rows, dim) = (field("start"), field("rows"), field("dim"));
            assert_eq!(dim, info.dim, "{}", info.name);
            let reference = fixture.block_values(block);
            let expected_left_out: Vec<(usize, Vec<String>)> =
                serde_json::from_value(block["left_out"].clone()).unwrap();
            let compositions = &formulas[start..start + rows];

            let mut left_out = Vec::new();
            let mut kept = 0;
            for (i, c) in compositions.iter().enumerate() {
                let ours = match feature_vector(c, embedding, &[stat]) {
                    Ok(ours) => ours,
                    Err(element) => {
                        left_out.push((start + i, element));
                        continue;
                    }
                };
                let theirs = &reference[kept * dim..(kept + 1) * dim];
                kept += 1;
                for (j, (&o, &t)) in ours.iter().zip(theirs).enumerate() {
                    let d = difference(o, t)
                        .unwrap_or_else(|e| panic!("{} {stat} {c} component {j}: {e}", info.name));
                    if stat == PoolingStat::HarmonicMean {
                        let allowed =
                            TOLERANCE + harmonic_storage_bound(c, info, j, o.abs().max(t.abs()));
                        assert!(
                            d <= allowed,
                            "{} {stat} {c} component {j}: {o} vs {t}, allowed {allowed:e}",
                            info.name
                        );
                        worst_harmonic = worst_harmonic.max(d);
                        worst_harmonic_share = worst_harmonic_share.max(d / allowed);
                    } else {
                        assert!(
                            d < TOLERANCE,
                            "{} {stat} {c} component {j}: {o} vs {t}",
                            info.name
                        );
                        worst = worst.max(d);
                    }
                    if stat == PoolingStat::Mean {
                        worst_mean = worst_mean.max(d);
                    }
                }
            }
            assert_eq!(
                kept * dim,
                reference.len(),
                "{} {stat}: kept rows differ",
                info.name
            );
            assert_eq!(
                left_out.len(),
                expected_left_out.len(),
                "{} {stat}: left-out rows",
                info.name
            );
            for ((row, element), (ref_row, lacking)) in left_out.iter().zip(&expected_left_out) {
                assert_eq!(row, ref_row, "{} {stat}", info.name);
                assert!(
                    lacking.iter().any(|s| s == element.symbol()),
                    "{} row {row}: {element} vs {lacking:?}",
                    info.name
                );
            }

            let batch = embed_batch(compositions, embedding, &[stat], false);
            assert_eq!(batch.matrix.nrows(), kept);
            let batch_left_out: Vec<(usize, _)> = batch
                .left_out
                .iter()
                .map(|&(i, e)| (start + i, e))
                .collect();
            assert_eq!(batch_left_out, left_out);
            rows_checked += rows;
            left += left_out.len();
        }
        assert_eq!(
            stats_seen,
            PoolingStat::ALL,
            "{}: the fixture covers every statistic",
            info.name
        );
        println!(
            "{:12} {rows_checked:5}  {left:8}  {worst_mean:.2e}   {worst:.2e}          {worst_harmonic:.2e} ({:.0}% of bound)",
            info.name,
            100.0 * worst_harmonic_share
        );
    }
}

fn reference_dir() -> Option<PathBuf> {
    // The shared folder beside the repository (main) or beside the worktrees' folder.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    ["../shared/reference", "../../shared/reference"]
        .iter()
        .map(|p| root.join(p))
        .find(|p| p.is_dir())
}

fn read_reference(dir: &Path, name: &str, dim: usize) -> Option<(Vec<String>, Vec<f32>)> {
    let csv = std::fs::read_to_string(dir.join(format!("{name}_12k.csv"))).ok()?;
    let matrix = std::fs::read(dir.join(format!("{name}_12k.f32"))).ok()?;
    let formulas: Vec<String> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect();
    let values: Vec<f32> = matrix
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
        .collect();
    assert_eq!(values.len(), formulas.len() * dim, "{name}_12k.f32 shape");
    Some((formulas, values))
}

#[test]
fn mean_rows_match_the_shared_12k_reference_matrices() {
    let Some(dir) = reference_dir() else {
        println!(
            "skipped: ../shared/reference is absent (reference matrices mat2vec_12k / magpie_12k)"
        );
        return;
    };
    let Some((formulas, _)) = read_reference(&dir, "mat2vec", 200) else {
        println!(
            "skipped: mat2vec_12k.csv / .f32 absent from {}",
            dir.display()
        );
        return;
    };
    // Both matrices embed the same 12,000 formulas (mat2vec_12k.csv lists them all);
    // magpie's drops the rows with elements magpie lacks, order kept.
    let compositions: Vec<Composition> = formulas
        .iter()
        .map(|f| Composition::parse(f).unwrap())
        .collect();
    for (name, dim, left_out) in [("mat2vec", 200, 0), ("magpie", 22, 615)] {
        let (kept_formulas, reference) = read_reference(&dir, name, dim).unwrap();
        let embedding = EmbeddingInfo::from_name(name).unwrap().embedded().unwrap();
        let batch = embed_batch(&compositions, embedding, &[PoolingStat::Mean], false);
        assert_eq!(batch.left_out.len(), left_out, "{name}");
        let ours_kept: Vec<&str> = batch
            .kept_rows
            .iter()
            .map(|&i| formulas[i].as_str())
            .collect();
        assert_eq!(
            ours_kept, kept_formulas,
            "{name}: kept formulas and their order"
        );
        let (mut max_abs, mut max_ulps, mut exact) = (0f32, 0u32, 0usize);
        for (&o, &r) in batch.matrix.iter().zip(&reference) {
            let ulps = (o.to_bits() as i64 - r.to_bits() as i64).unsigned_abs() as u32;
            assert!(o.signum() == r.signum() || o == r, "{name}: {o} vs {r}");
            max_ulps = max_ulps.max(ulps);
            max_abs = max_abs.max((o - r).abs());
            exact += usize::from(o == r);
        }
        println!(
            "{name}: {} rows x {dim}: {exact} of {} values identical, max {max_ulps} ulp (max abs {max_abs:.3e})",
            batch.matrix.nrows(),
            reference.len()
        );
        assert!(
            max_ulps <= 1,
            "{name}: float32 casts of the same f64 values differ by at most one rounding"
        );
    }
}
