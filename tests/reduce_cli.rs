//! The `crystal-atlas reduce` contract, used the way outside checks use it:
//! raw little-endian f32 matrices in and out, time (and with --quality the
//! trustworthiness) on stderr, the same file for any --threads, one-line
//! errors with exit code 2.

use std::path::PathBuf;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crystal-atlas"))
        .args(args)
        .env_remove("CRYSTAL_ATLAS_THREADS")
        .output()
        .expect("runs")
}

/// A file in the temporary directory, unique to this test process.
fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "crystal-atlas-reduce-{}-{name}",
        std::process::id()
    ))
}

fn write_f32(path: &PathBuf, values: &[f32]) {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(path, bytes).unwrap();
}

/// 90 points in 4-D: three clusters along a curve, deterministic.
fn clusters() -> Vec<f32> {
    (0..90)
        .flat_map(|i| {
            let c = (i / 30) as f32 * 5.0;
            let t = (i % 30) as f32 * 0.1;
            [
                c + t,
                (t * 1.7).sin(),
                c * 0.5 - t * t,
                ((i * 7919) % 13) as f32 * 0.05,
            ]
        })
        .collect()
}

fn usage_error(args: &[&str]) -> String {
    let o = run(args);
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: one line, got {err:?}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn umap_writes_an_n_by_2_map_and_reports_time_and_quality() {
    let (input, out) = (temp("in.f32"), temp("out.f32"));
    write_f32(&input, &clusters());
    let args = [
        "reduce",
        "--method",
        "umap",
        "--input",
        input.to_str().unwrap(),
        "--dim",
        "4",
    ];
    let umap_to = |file: &std::path::Path, more: &[&str]| {
        let rest = [
            "--seed",
            "7",
            "--n-neighbors",
            "10",
            "--out",
            file.to_str().unwrap(),
        ];
        run(&[&args[..], &rest[..], more].concat())
    };
    let o = umap_to(&out, &["--quality", "--threads", "1"]);
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(o.status.success(), "{err}");
    assert!(err.contains("90 x 4 -> 90 x 2 in"), "{err}");
    assert!(err.contains(" s on 1 thread\n"), "{err}");
    assert!(err.contains("trustworthiness@15"), "{err}");
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(bytes.len(), 90 * 2 * 4);
    let map: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    assert!(map.iter().all(|v| v.is_finite()));

    // The same seed gives the same file, on any number of threads; the
    // quality is measured only when asked for.
    let again = temp("again.f32");
    for threads in ["2", "3", "8"] {
        let o = umap_to(&again, &["--threads", threads]);
        let err = String::from_utf8(o.stderr).unwrap();
        assert!(o.status.success(), "{err}");
        assert!(err.contains(&format!(" s on {threads} threads\n")), "{err}");
        assert!(!err.contains("trustworthiness"), "{err}");
        assert_eq!(std::fs::read(&again).unwrap(), bytes, "{threads} threads");
    }
    for p in [input, out, again] {
        let _ = std::fs::remove_file(p);
    }
}

#[test]
fn bad_input_is_a_one_line_error_with_exit_code_2() {
    let (good, out) = (temp("good.f32"), temp("bad-out.f32"));
    write_f32(&good, &clusters());
    let good = good.to_str().unwrap();
    let out = out.to_str().unwrap();

    let err = usage_error(&[
        "reduce",
        "--method",
        "umap",
        "--input",
        "/no/such/file.f32",
        "--dim",
        "4",
        "--out",
        out,
    ]);
    assert!(err.contains("cannot read --input"), "{err}");

    let err = usage_error(&[
        "reduce", "--method", "umap", "--input", good, "--dim", "7", "--out", out,
    ]);
    assert!(err.contains("not a whole number of rows"), "{err}");

    let nan = temp("nan.f32");
    let mut values = clusters();
    values[4 * 10 + 2] = f32::NAN;
    write_f32(&nan, &values);
    let tiny = temp("tiny.f32");
    write_f32(&tiny, &clusters()[..4 * 5]);
    for (input, expected) in [(&nan, "row 10, column 2"), (&tiny, "too few")] {
        let err = usage_error(&[
            "reduce",
            "--method",
            "umap",
            "--input",
            input.to_str().unwrap(),
            "--dim",
            "4",
            "--out",
            out,
        ]);
        assert!(err.contains(expected), "{err}");
    }

    for bad in [
        &["--dim", "0"][..],
        &["--dim", "four"],
        &["--dim", "4", "--min-dist", "abc"],
        &["--dim", "4", "--min-dist", "NaN"],
        &["--dim", "4", "--n-neighbors", "1"],
        &["--dim", "4", "--perplexity", "-3"],
        &["--dim", "4", "--seed", "-1"],
        &["--dim", "4", "--threads", "0"],
        &["--dim", "4", "--threads", "many"],
    ] {
        usage_error(
            &[
                &["reduce", "--method", "umap", "--input", good, "--out", out][..],
                bad,
            ]
            .concat(),
        );
    }
    let err = usage_error(&[
        "reduce", "--method", "mds", "--input", good, "--dim", "4", "--out", out,
    ]);
    assert!(err.contains("pca, tsne, umap"), "{err}");
    usage_error(&["reduce", "--input", good, "--dim", "4", "--out", out]);
    usage_error(&["reduce", "--method", "umap", "--input", good, "--dim", "4"]);
    for p in [
        good.to_string(),
        nan.to_str().unwrap().into(),
        tiny.to_str().unwrap().into(),
    ] {
        let _ = std::fs::remove_file(p);
    }
}

#[test]
fn the_thread_count_can_come_from_the_environment() {
    let (input, out) = (temp("env-in.f32"), temp("env-out.f32"));
    write_f32(&input, &clusters());
    let with_env = |value: &str| {
        Command::new(env!("CARGO_BIN_EXE_crystal-atlas"))
            .args([
                "reduce",
                "--method",
                "pca",
                "--input",
                input.to_str().unwrap(),
                "--dim",
                "4",
                "--out",
                out.to_str().unwrap(),
            ])
            .env("CRYSTAL_ATLAS_THREADS", value)
            .output()
            .expect("runs")
    };
    let o = with_env("3");
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        o.status.success() && err.contains(" s on 3 threads"),
        "{err}"
    );
    let o = with_env("zero");
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("CRYSTAL_ATLAS_THREADS: 'zero'"), "{err}");
    let _ = std::fs::remove_file(input);
    let _ = std::fs::remove_file(out);
}

#[test]
fn pca_and_tsne_answer_through_the_same_contract() {
    let (input, out) = (temp("pt-in.f32"), temp("pt-out.f32"));
    write_f32(&input, &clusters());
    for method in ["pca", "tsne"] {
        let o = run(&[
            "reduce",
            "--method",
            method,
            "--input",
            input.to_str().unwrap(),
            "--dim",
            "4",
            "--perplexity",
            "10",
            "--out",
            out.to_str().unwrap(),
        ]);
        let err = String::from_utf8(o.stderr).unwrap();
        if o.status.success() {
            assert_eq!(std::fs::read(&out).unwrap().len(), 90 * 2 * 4, "{method}");
        } else {
            // Until the method lands: a clean one-line error, never a panic.
            assert_eq!(o.status.code(), Some(2), "{method}: {err}");
            assert_eq!(err.lines().count(), 1, "{method}: {err}");
        }
    }
    let _ = std::fs::remove_file(input);
    let _ = std::fs::remove_file(out);
}

fn read_f32(path: &PathBuf) -> Vec<f32> {
    std::fs::read(path)
        .unwrap()
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

#[test]
fn transform_places_new_rows_on_the_fitted_map() {
    let all = clusters();
    // Rows 0, 10, ..., 80 are new; the other 81 are fitted.
    let (fit, new): (Vec<_>, Vec<_>) = all
        .chunks_exact(4)
        .enumerate()
        .partition(|(i, _)| i % 10 != 0);
    let flat = |rows: Vec<(usize, &[f32])>| -> Vec<f32> {
        rows.into_iter().flat_map(|(_, r)| r.to_vec()).collect()
    };
    let (fit, new) = (flat(fit), flat(new));
    let (fit_in, new_in) = (temp("tr-fit.f32"), temp("tr-new.f32"));
    write_f32(&fit_in, &fit);
    write_f32(&new_in, &new);
    let (fit_out, new_out) = (temp("tr-fit-out.f32"), temp("tr-new-out.f32"));
    let fit_args = |method: &'static str| -> Vec<String> {
        [
            "reduce",
            "--method",
            method,
            "--input",
            fit_in.to_str().unwrap(),
            "--dim",
            "4",
            "--n-neighbors",
            "10",
            "--perplexity",
            "10",
            "--out",
            fit_out.to_str().unwrap(),
        ]
        .map(String::from)
        .to_vec()
    };
    let place = |method: &'static str, new_rows: &PathBuf| {
        let mut args = fit_args(method);
        args.extend(
            [
                "--transform",
                new_rows.to_str().unwrap(),
                "--transform-out",
                new_out.to_str().unwrap(),
            ]
            .map(String::from),
        );
        run(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    for method in ["pca", "tsne", "umap"] {
        let o = place(method, &new_in);
        let err = String::from_utf8(o.stderr).unwrap();
        assert!(o.status.success(), "{method}: {err}");
        assert!(err.contains("81 x 4 -> 81 x 2 in"), "{method}: {err}");
        assert!(err.contains("placed 9 x 4 -> 9 x 2 in"), "{method}: {err}");
        let recall: f64 = err
            .split("placed rows' kNN recall@15 ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{method}: no recall in {err}"));
        assert!((0.0..=1.0).contains(&recall), "{method}: {recall}");
        let placed = read_f32(&new_out);
        assert_eq!(placed.len(), 9 * 2, "{method}");
        assert!(placed.iter().all(|v| v.is_finite()), "{method}");
        // The fitted map is the one `reduce` writes without --transform.
        let with = std::fs::read(&fit_out).unwrap();
        let o = run(&fit_args(method)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>());
        assert!(o.status.success());
        assert_eq!(std::fs::read(&fit_out).unwrap(), with, "{method}");
        // Placing again gives the same bits.
        assert!(place(method, &new_in).status.success());
        assert_eq!(read_f32(&new_out), placed, "{method}");
    }
    // PCA places the fitted rows themselves exactly on their map positions.
    assert!(place("pca", &fit_in).status.success());
    assert_eq!(
        std::fs::read(&new_out).unwrap(),
        std::fs::read(&fit_out).unwrap()
    );
    for p in [fit_in, new_in, fit_out, new_out] {
        let _ = std::fs::remove_file(p);
    }
}

#[test]
fn transform_flags_come_in_pairs_and_check_their_file() {
    let (input, out, new_out) = (
        temp("tf-in.f32"),
        temp("tf-out.f32"),
        temp("tf-new-out.f32"),
    );
    write_f32(&input, &clusters());
    let (input, out, new_out) = (
        input.to_str().unwrap(),
        out.to_str().unwrap(),
        new_out.to_str().unwrap(),
    );
    let base = [
        "reduce", "--method", "pca", "--input", input, "--dim", "4", "--out", out,
    ];
    let three = temp("tf-three.f32");
    write_f32(&three, &[1.0, 2.0, 3.0]);
    let nan = temp("tf-nan.f32");
    write_f32(&nan, &[1.0, 2.0, f32::NAN, 3.0]);
    let (three, nan) = (three.to_str().unwrap(), nan.to_str().unwrap());
    for (flags, expected) in [
        (
            &["--transform", input][..],
            "--transform needs --transform-out",
        ),
        (
            &["--transform-out", new_out],
            "--transform-out needs --transform",
        ),
        (
            &["--transform", three, "--transform-out", new_out],
            "check --dim",
        ),
        (
            &["--transform", nan, "--transform-out", new_out],
            "row 0, column 2",
        ),
    ] {
        let err = usage_error(&[&base[..], flags].concat());
        assert!(err.contains(expected), "{err}");
    }
    let err = usage_error(
        &[
            &base[..],
            &["--transform", three, "--transform-out", new_out],
        ]
        .concat(),
    );
    assert!(err.starts_with("crystal-atlas: --transform '"), "{err}");
    for p in [input, out, new_out, three, nan] {
        let _ = std::fs::remove_file(p);
    }
}
