//! The `crystal-atlas` command-line contract, used the way outside checks use it.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crystal-atlas"))
        .args(args)
        .output()
        .expect("runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// Fails unless the command exited with code 2 and one line on stderr.
fn usage_error(args: &[&str]) -> String {
    let o = run(args);
    let err = String::from_utf8(o.stderr.clone()).unwrap();
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: one line, got {err:?}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn counts_prints_one_json_object_with_the_contract_keys() {
    let o = run(&["counts", "--order", "2", "--json"]);
    assert!(o.status.success());
    let text = stdout(&o);
    assert_eq!(text.lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    for key in [
        "order",
        "unique",
        "allowed",
        "standard",
        "missing",
        "interesting",
        "unlikely",
    ] {
        assert!(v[key].is_u64(), "{key} in {v}");
    }
    assert_eq!(v["unique"], 225_879);
    assert_eq!(v["allowed"], 13_464);
    let none = run(&["counts", "--order", "2", "--known", "none", "--json"]);
    let v: serde_json::Value = serde_json::from_str(stdout(&none).trim()).unwrap();
    assert_eq!(
        (v["standard"].as_u64(), v["missing"].as_u64()),
        (Some(0), Some(13_464))
    );
}

#[test]
fn counts_accepts_a_custom_oxidation_state_file() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/smact/custom_oxidation_states.txt"
    );
    let o = run(&[
        "counts", "--order", "2", "--ox-set", path, "--known", "none", "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert!(v["allowed"].as_u64().unwrap() > 0);
}

#[test]
fn list_prints_formulas_of_the_category_and_refuses_unbounded_quaternaries() {
    let o = run(&["list", "--order", "2", "--category", "allowed"]);
    let formulas: Vec<String> = stdout(&o).lines().map(String::from).collect();
    assert_eq!(formulas.len(), 13_464);
    assert!(formulas.contains(&"Zn2O".to_string()));
    let missing = run(&[
        "list",
        "--order",
        "3",
        "--category",
        "missing",
        "--limit",
        "5",
    ]);
    assert_eq!(stdout(&missing).lines().count(), 5);
    let err = usage_error(&["list", "--order", "4", "--category", "allowed"]);
    assert!(err.contains("--limit"), "{err}");
    let four = run(&[
        "list",
        "--order",
        "4",
        "--category",
        "unlikely",
        "--limit",
        "3",
    ]);
    assert_eq!(stdout(&four).lines().count(), 3);
}

#[test]
fn explain_gives_category_and_reason() {
    let o = run(&["explain", "Zn2O"]);
    let text = stdout(&o);
    assert!(text.contains("Zn(+1)x2 + O(-2)"), "{text}");
    let json = run(&["explain", "ZnO3", "--json"]);
    let v: serde_json::Value = serde_json::from_str(stdout(&json).trim()).unwrap();
    assert_eq!(v["allowed"], false);
    assert_eq!(v["reason"]["kind"], "not_neutral");
}

#[test]
fn system_lists_table_1() {
    let o = run(&["system", "Li-Zn-Sn-O", "--json"]);
    let rows: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let find = |f: &str| {
        rows.iter()
            .find(|r| r["formula"] == f)
            .unwrap_or_else(|| panic!("{f} listed"))
    };
    assert_eq!(find("Zn2O")["category"], "missing");
    assert_eq!(find("LiZnSnO")["allowed"], false);
    assert_eq!(find("Li2ZnSn3O8")["allowed"], true);
    assert_eq!(find("Li2ZnSn3O8")["system"], "Li-Zn-Sn-O");
    // 6 binary, 4 ternary and 1 quaternary sub-systems.
    let systems: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r["system"].as_str().unwrap()).collect();
    assert_eq!(systems.len(), 11);
}

#[test]
fn sample_is_seeded_and_labelled() {
    let args = [
        "sample",
        "--order",
        "3",
        "--per-category",
        "50",
        "--seed",
        "7",
    ];
    let a = stdout(&run(&args));
    assert_eq!(a, stdout(&run(&args)));
    assert_eq!(a.lines().count(), 200);
    for line in a.lines().step_by(10) {
        let (formula, category) = line.split_once(',').unwrap();
        let e = run(&["explain", formula, "--json"]);
        let v: serde_json::Value = serde_json::from_str(stdout(&e).trim()).unwrap();
        assert_eq!(v["category"], category, "{formula}");
    }
    assert_ne!(
        a,
        stdout(&run(&[
            "sample",
            "--order",
            "3",
            "--per-category",
            "50",
            "--seed",
            "8"
        ]))
    );
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    usage_error(&[]);
    usage_error(&["frobnicate"]);
    assert!(usage_error(&["counts", "--order", "5"]).contains("outside 2..=4"));
    assert!(usage_error(&["counts", "--order", "two"]).contains("not a whole number"));
    assert!(usage_error(&["counts"]).contains("--order"));
    assert!(
        usage_error(&["counts", "--order", "2", "--max-stoich", "99"]).contains("--max-stoich")
    );
    assert!(
        usage_error(&["counts", "--order", "2", "--ox-set", "/no/such/file"])
            .contains("readable file")
    );
    assert!(usage_error(&["counts", "--order", "2", "--bogus", "1"]).contains("--bogus"));
    assert!(usage_error(&["explain", "ZnQ"]).contains("'Q' is not an element symbol"));
    assert!(usage_error(&["explain"]).contains("formula"));
    assert!(usage_error(&["system", "Li-Li"]).contains("twice"));
    assert!(usage_error(&["list", "--order", "2", "--category", "nice"]).contains("--category"));
    assert!(
        usage_error(&["sample", "--order", "2", "--per-category", "0"]).contains("--per-category")
    );
}
