//! Same settings and seed, same output, bit for bit, natively (embeddings and
//! maps on three threads) and in wasm (one thread):
//! the CLI is built for wasm32-wasip1 and run under Node's WASI
//! (scripts/wasi-run.mjs), and its samples and counts are compared byte for
//! byte with the native binary's. Skips, saying why, when the wasip1 target or
//! node is missing.

use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The wasm CLI, built now (so it is never stale), or `None` with a notice.
fn wasm_cli() -> Option<PathBuf> {
    if Command::new("node").arg("--version").output().is_err() {
        eprintln!("skipped: node is not installed, so the wasm build cannot run");
        return None;
    }
    let sysroot = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .ok()?;
    let sysroot = String::from_utf8(sysroot.stdout).ok()?;
    if !Path::new(sysroot.trim())
        .join("lib/rustlib/wasm32-wasip1")
        .exists()
    {
        eprintln!(
            "skipped: the wasm32-wasip1 target is not installed (rustup target add wasm32-wasip1)"
        );
        return None;
    }
    // A target directory of its own: the outer `cargo test` may hold the main one.
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wasip1");
    // With SIMD128, as the page is built (.cargo/config.toml), so the lanes
    // compared are the ones the browser runs.
    let status = Command::new(env!("CARGO"))
        .env(
            "CARGO_TARGET_WASM32_WASIP1_RUSTFLAGS",
            "-C target-feature=+simd128",
        )
        .args([
            "build",
            "--quiet",
            "--target",
            "wasm32-wasip1",
            "--bin",
            "crystal-atlas",
        ])
        .arg("--target-dir")
        .arg(&target_dir)
        .current_dir(ROOT)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "the wasm32-wasip1 build failed");
    Some(target_dir.join("wasm32-wasip1/debug/crystal-atlas.wasm"))
}

/// (exit code, stdout, stderr) of the CLI natively and as wasm.
fn both(wasm: &Path, args: &[&str]) -> [(Option<i32>, Vec<u8>, Vec<u8>); 2] {
    let native = Command::new(env!("CARGO_BIN_EXE_crystal-atlas"))
        .args(args)
        .output()
        .expect("native CLI runs");
    let in_wasm = Command::new("node")
        .arg("--no-warnings")
        .arg(Path::new(ROOT).join("scripts/wasi-run.mjs"))
        .arg(wasm)
        .args(args)
        .output()
        .expect("node runs");
    [native, in_wasm].map(|o| (o.status.code(), o.stdout, o.stderr))
}

#[test]
fn samples_and_counts_are_the_same_natively_and_in_wasm() {
    let Some(wasm) = wasm_cli() else { return };
    let custom = format!("{ROOT}/tests/fixtures/smact/custom_oxidation_states.txt");
    let cases: Vec<Vec<&str>> = vec![
        vec![
            "sample",
            "--order",
            "2",
            "--per-category",
            "1000",
            "--seed",
            "3",
            "--ox-set",
            "wiki",
        ],
        vec![
            "sample",
            "--order",
            "3",
            "--per-category",
            "300",
            "--seed",
            "18446744073709551615",
            "--ox-set",
            "icsd24",
            "--max-stoich",
            "12",
        ],
        vec![
            "sample",
            "--order",
            "4",
            "--per-category",
            "200",
            "--seed",
            "7",
            "--known",
            "none",
        ],
        vec![
            "counts",
            "--order",
            "3",
            "--ox-set",
            "pymatgen_sp",
            "--max-stoich",
            "11",
            "--json",
        ],
        vec!["counts", "--order", "4", "--ox-set", "icsd16", "--json"],
        vec![
            "counts", "--order", "3", "--ox-set", &custom, "--known", "none", "--json",
        ],
        vec!["explain", "Li2ZnSn3O8", "--ox-set", "wiki", "--json"],
    ];
    for args in cases {
        let [native, in_wasm] = both(&wasm, &args);
        assert_eq!(
            native.0,
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&native.2)
        );
        assert!(
            native.1.len() > 100,
            "{args:?} printed too little to compare"
        );
        assert!(
            native == in_wasm,
            "{args:?}: native and wasm differ\nnative: {}\nwasm: {}",
            String::from_utf8_lossy(&native.2),
            String::from_utf8_lossy(&in_wasm.2)
        );
    }
}

/// Runs `args` natively (on three threads, so a thread count that divides
/// nothing evenly is compared too) and as wasm (one thread), each writing its
/// own copy of the file given after `--out`; returns both files' bytes after
/// checking both runs succeeded.
fn both_files(wasm: &Path, args: &[&str], out: &Path) -> [Vec<u8>; 2] {
    let mut files = Vec::new();
    for side in ["native", "wasm"] {
        let target = out.with_extension(format!("{side}.f32"));
        let mut full: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        full.extend(["--out".to_string(), target.display().to_string()]);
        let output = if side == "native" {
            Command::new(env!("CARGO_BIN_EXE_crystal-atlas"))
                .args(&full)
                .args(["--threads", "3"])
                .output()
                .expect("native CLI runs")
        } else {
            Command::new("node")
                .arg("--no-warnings")
                .arg(Path::new(ROOT).join("scripts/wasi-run.mjs"))
                .arg(wasm)
                .args(&full)
                .output()
                .expect("node runs")
        };
        assert_eq!(
            output.status.code(),
            Some(0),
            "{side} {full:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        files.push(std::fs::read(&target).expect("the output was written"));
    }
    let wasm_file = files.pop().unwrap();
    [files.pop().unwrap(), wasm_file]
}

#[test]
fn embeddings_and_maps_are_the_same_natively_and_in_wasm() {
    let Some(wasm) = wasm_cli() else { return };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("agree-maps");
    std::fs::create_dir_all(&dir).unwrap();
    // 600 ternaries, 150 per category, as the page samples them.
    let sample = Command::new(env!("CARGO_BIN_EXE_crystal-atlas"))
        .args([
            "sample",
            "--order",
            "3",
            "--per-category",
            "150",
            "--seed",
            "11",
        ])
        .output()
        .expect("native CLI runs");
    assert!(sample.status.success());
    let formulas: String = String::from_utf8(sample.stdout)
        .unwrap()
        .lines()
        .map(|line| format!("{}\n", line.split(',').next().unwrap()))
        .collect();
    assert_eq!(formulas.lines().count(), 600);
    let formulas_path = dir.join("formulas.txt");
    std::fs::write(&formulas_path, formulas).unwrap();
    let formulas_arg = formulas_path.display().to_string();

    let x = dir.join("x");
    let [native_x, wasm_x] = both_files(
        &wasm,
        &[
            "embed",
            "--embedding",
            "magpie",
            "--formulas",
            &formulas_arg,
        ],
        &x,
    );
    // magpie lacks some actinides, so a few formulas get no row.
    assert_eq!(native_x.len() % (22 * 4), 0, "rows of 22 f32");
    let rows = native_x.len() / (22 * 4);
    assert!(
        (500..=600).contains(&rows),
        "{rows} of 600 formulas embedded"
    );
    assert!(
        native_x == wasm_x,
        "magpie embeddings differ natively and in wasm"
    );
    let x_arg = x.with_extension("native.f32").display().to_string();

    for method in ["pca", "tsne", "umap"] {
        let y = dir.join(format!("y-{method}"));
        let [native_y, wasm_y] = both_files(
            &wasm,
            &[
                "reduce", "--method", method, "--input", &x_arg, "--dim", "22", "--seed", "5",
            ],
            &y,
        );
        assert_eq!(
            native_y.len(),
            rows * 2 * 4,
            "{method}: {rows} points in 2-D"
        );
        let floats: Vec<f32> = native_y
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
            .collect();
        assert!(floats.iter().all(|v| v.is_finite()), "{method}: finite map");
        assert!(
            floats.iter().any(|&v| v != floats[0]),
            "{method}: the points are spread"
        );
        let differing = native_y
            .chunks_exact(4)
            .zip(wasm_y.chunks_exact(4))
            .filter(|(a, b)| a != b)
            .count();
        assert_eq!(
            differing, 0,
            "{method}: coordinates differ natively and in wasm"
        );
    }
}

#[test]
fn placed_rows_are_the_same_natively_and_in_wasm() {
    let Some(wasm) = wasm_cli() else { return };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("agree-transform");
    std::fs::create_dir_all(&dir).unwrap();
    // Four curved clusters in 6-D: 400 fitted rows, 40 new ones between them.
    let row = |i: usize, shift: f32| -> Vec<f32> {
        let (c, t) = ((i % 4) as f32, (i / 4) as f32 * 0.07 + shift);
        vec![
            3.0 * c + t.sin(),
            c * c - t,
            (t * 1.3).cos(),
            c * t * 0.1,
            t * t * 0.01,
            c,
        ]
    };
    let write = |name: &str, rows: Vec<f32>| {
        let path = dir.join(name);
        let bytes: Vec<u8> = rows.iter().flat_map(|v| v.to_le_bytes()).collect();
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    };
    let fit = write("fit.f32", (0..400).flat_map(|i| row(i, 0.0)).collect());
    let new = write("new.f32", (0..40).flat_map(|i| row(i * 9, 0.031)).collect());
    for method in ["pca", "tsne", "umap"] {
        let mut placed = Vec::new();
        for side in ["native", "wasm"] {
            let out = dir
                .join(format!("{method}-{side}-fit.f32"))
                .display()
                .to_string();
            let new_out = dir
                .join(format!("{method}-{side}-new.f32"))
                .display()
                .to_string();
            let args = [
                "reduce",
                "--method",
                method,
                "--input",
                &fit,
                "--dim",
                "6",
                "--seed",
                "3",
                "--out",
                &out,
                "--transform",
                &new,
                "--transform-out",
                &new_out,
            ];
            let output = if side == "native" {
                Command::new(env!("CARGO_BIN_EXE_crystal-atlas"))
                    .args(args)
                    .output()
            } else {
                Command::new("node")
                    .arg("--no-warnings")
                    .arg(Path::new(ROOT).join("scripts/wasi-run.mjs"))
                    .arg(&wasm)
                    .args(args)
                    .output()
            }
            .expect("the CLI runs");
            assert!(
                output.status.success(),
                "{side} {method}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            placed.push((
                std::fs::read(&out).unwrap(),
                std::fs::read(&new_out).unwrap(),
            ));
        }
        let (native, in_wasm) = (&placed[0], &placed[1]);
        assert_eq!(
            native.1.len(),
            40 * 2 * 4,
            "{method}: 40 placed rows in 2-D"
        );
        assert!(
            native.0 == in_wasm.0,
            "{method}: fitted maps differ natively and in wasm"
        );
        assert!(
            native.1 == in_wasm.1,
            "{method}: placed rows differ natively and in wasm"
        );
    }
}
