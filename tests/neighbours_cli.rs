//! The `crystal-atlas neighbours` contract: the known compositions nearest
//! to a formula in an embedding's space, one per line (formula, distance,
//! category), nearest first; one-line errors with exit code 2.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crystal-atlas"))
        .args(args)
        .output()
        .expect("runs")
}

fn lines(o: &Output) -> Vec<Vec<String>> {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

#[test]
fn lists_the_nearest_known_materials_with_distances_and_categories() {
    let o = run(&["neighbours", "Zn2O", "--embedding", "mat2vec", "--k", "8"]);
    let rows = lines(&o);
    assert_eq!(rows.len(), 8);
    let mut last = 0.0f32;
    for row in &rows {
        assert_eq!(row.len(), 3, "{row:?}");
        let d: f32 = row[1].parse().unwrap();
        assert!(d > 0.0 && d >= last, "{row:?}");
        last = d;
        // Every known material is standard or interesting.
        assert!(
            ["standard", "interesting"].contains(&row[2].as_str()),
            "{row:?}"
        );
    }
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("nearest to Zn2O") && err.contains("mat2vec"),
        "{err}"
    );

    // A known formula finds itself first, at distance 0; ZnO is standard
    // (allowed by smact14, in the Materials Project set).
    let rows = lines(&run(&[
        "neighbours",
        "ZnO",
        "--embedding",
        "magpie",
        "--k",
        "1",
    ]));
    assert_eq!(rows, [["ZnO", "0", "standard"]]);

    // Known sets, oxidation states and JSON lines.
    let o = run(&[
        "neighbours",
        "ZnO",
        "--embedding",
        "magpie",
        "--k",
        "2",
        "--known",
        "oqmd",
        "--json",
    ]);
    let text = String::from_utf8(o.stdout).unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["formula"], "ZnO");
    assert_eq!(first["category"], "standard");
    assert_eq!(text.lines().count(), 2);
}

#[test]
fn bad_requests_are_one_line_errors() {
    for (args, expected) in [
        (&["neighbours", "--embedding", "mat2vec"][..], "formula"),
        (&["neighbours", "Zn2O"], "--embedding"),
        (
            &["neighbours", "Zn2O", "--embedding", "word2vec"],
            "word2vec",
        ),
        (&["neighbours", "Zq2O", "--embedding", "mat2vec"], "Zq"),
        (
            &["neighbours", "CfO2", "--embedding", "magpie"],
            "magpie has none for Cf",
        ),
        (
            &["neighbours", "ZnO", "--embedding", "magpie", "--k", "0"],
            "--k",
        ),
        (
            &[
                "neighbours",
                "ZnO",
                "--embedding",
                "magpie",
                "--stats",
                "median",
            ],
            "--stats",
        ),
    ] {
        let o = run(args);
        let err = String::from_utf8(o.stderr).unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
    }
}
