//! Same settings and seed, same output, bit for bit, natively and in wasm:
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
    let status = Command::new(env!("CARGO"))
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
