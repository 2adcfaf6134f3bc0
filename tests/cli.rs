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
fn explain_leads_with_the_common_charges_and_lists_the_states_tried() {
    let o = run(&["explain", "ZnO"]);
    let text = stdout(&o);
    let mut lines = text.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("ZnO\tstandard\tZnO is allowed: Zn(+2) + O(-2) is neutral"),
        "{text}"
    );
    assert_eq!(
        lines.next(),
        Some("  states tried (smact14; [ ] = used above): Zn +1 [+2]; O [-2] -1 +1 +2")
    );
    let text = stdout(&run(&["explain", "ZnO3"]));
    assert!(
        text.contains("  would need: Zn(+6) in Zn(+6) + O(-2)x3"),
        "{text}"
    );
}

#[test]
fn smact_validity_options_on_every_chemistry_command() {
    let json = |args: &[&str]| -> serde_json::Value {
        let o = run(args);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap()
    };
    let off = json(&["explain", "Fe3O4", "--json"]);
    assert_eq!(off["allowed"], false);
    assert_eq!(
        off["mixed_valence_alternative"]["species"][1]["oxidation_state"],
        3
    );
    let on = json(&["explain", "Fe3O4", "--json", "--mixed-valence"]);
    assert_eq!(on["allowed"], true);
    assert_eq!(on["options"]["mixed_valence"], true);
    assert_eq!(
        json(&["explain", "CuZn", "--json", "--include-alloys"])["reason"]["kind"],
        "alloy"
    );
    // The default counts are the paper's; each option allows more.
    let allowed = |flags: &[&str]| {
        let mut args = vec!["counts", "--order", "2", "--known", "none", "--json"];
        args.extend(flags);
        json(&args)["allowed"].as_u64().unwrap()
    };
    assert_eq!(allowed(&[]), 13_464);
    assert!(allowed(&["--mixed-valence"]) > 13_464);
    assert!(allowed(&["--include-alloys"]) > allowed(&["--mixed-valence"]));
    // The ICSD24 filter at consensus 6 is SMACT's icsd24 file.
    assert_eq!(
        allowed(&["--ox-set", "icsd24", "--consensus", "6"]),
        allowed(&["--ox-set", "icsd24"])
    );
    assert_ne!(
        allowed(&["--ox-set", "icsd24", "--commonality", "main"]),
        allowed(&["--ox-set", "icsd24"])
    );
    let system = stdout(&run(&["system", "Cu-Zn", "--include-alloys"]));
    assert_eq!(system.lines().count(), 43);
    assert!(
        system.lines().all(|l| l.contains("is allowed as an alloy")),
        "{system}"
    );
    let listed = stdout(&run(&[
        "list",
        "--order",
        "2",
        "--category",
        "allowed",
        "--mixed-valence",
    ]));
    assert!(listed.lines().any(|l| l == "Fe3O4"));
    let sampled = stdout(&run(&[
        "sample",
        "--order",
        "2",
        "--per-category",
        "5",
        "--include-alloys",
    ]));
    assert_eq!(sampled.lines().count(), 20);
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
    assert!(
        usage_error(&["counts", "--order", "2", "--consensus", "3"]).contains("--ox-set icsd24")
    );
    assert_eq!(
        usage_error(&[
            "explain",
            "ZnO",
            "--ox-set",
            "icsd24",
            "--commonality",
            "often"
        ]),
        "crystal-atlas: --commonality 'often' is not one of low, medium, high, main or a percentage from 0 to 100\n"
    );
    assert!(
        usage_error(&[
            "counts",
            "--order",
            "2",
            "--ox-set",
            "icsd24",
            "--consensus",
            "-1"
        ])
        .contains("--consensus")
    );
    assert!(
        usage_error(&["counts", "--order", "2", "--mixed-valence=yes"]).contains("takes no value")
    );
}

/// Writes `contents` to a fresh file under the target directory.
fn temp_file(name: &str, contents: &[u8]) -> String {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn odd_input_is_one_line_and_exit_2_with_the_fix() {
    let sample = |extra: &[&str]| {
        let mut args = vec!["sample", "--order", "2", "--per-category", "5"];
        args.extend_from_slice(extra);
        usage_error(&args)
    };
    assert_eq!(
        sample(&["--seed", "18446744073709551616"]),
        "crystal-atlas: --seed: '18446744073709551616' is outside 0..=18446744073709551615\n"
    );
    assert!(sample(&["--seed", "-1"]).contains("'-1' is outside"));
    assert!(sample(&["--seed", "4.2"]).contains("not a whole number"));
    assert!(sample(&["--seed", ""]).contains("not a whole number"));
    assert!(sample(&["--seed"]).contains("--seed needs a value"));
    assert!(sample(&["--seed", "1", "--seed", "2"]).contains("given twice"));
    assert!(sample(&["--json=yes"]).contains("takes no value"));
    assert!(
        usage_error(&["sample", "--order", "4", "--per-category", "50001"])
            .contains("a number from 1 to 50000, or all")
    );
    assert!(
        usage_error(&[
            "list",
            "--order",
            "3",
            "--category",
            "missing",
            "--limit",
            "0"
        ])
        .contains("--limit: 0 is outside 1..=")
    );
    assert!(
        usage_error(&["counts", "--order", "2", "--max-stoich", "0"]).contains("outside 1..=16")
    );
    assert!(
        usage_error(&["counts", "--order", "2", "--max-stoich", "17"]).contains("outside 1..=16")
    );
    assert!(
        usage_error(&["counts", "--order", "99999999999999999999999"]).contains("outside 2..=4")
    );

    // Formulas and systems as people paste them.
    assert!(usage_error(&["explain", "ＺｎＯ"]).contains("type 'Z' instead"));
    assert!(usage_error(&["explain", "Fe₂O₃"]).contains("plain digits ('2')"));
    assert!(usage_error(&["explain", "Zn\nQ"]).contains("'Zn\\nQ'"));
    assert!(usage_error(&["explain", &"O".repeat(100_000)]).contains("100000 characters"));
    assert!(usage_error(&["explain", "Ca(OH]2"]).contains("pair ( with )"));
    assert!(usage_error(&["system", "LiZnO"]).contains("separate symbols with dashes"));
    assert!(usage_error(&["system", "Li\u{1b}[2J-O"]).contains("\\u{1b}"));

    // Files: oxidation states and known lists.
    let ox = |name: &str, text: &[u8]| {
        let path = temp_file(name, text);
        usage_error(&["counts", "--order", "2", "--ox-set", &path])
    };
    assert!(
        ox("ox-range.txt", b"Fe +2 +12\n")
            .contains("line 1: oxidation state +12 is outside -9..+9")
    );
    assert!(
        ox("ox-comment.txt", b"O -2\nFe +2 # ferrous\n").contains("line 2: '#' after the states")
    );
    assert!(ox("ox-binary.txt", b"Fe \xff\xfe +2").contains("not UTF-8"));
    assert!(ox("ox-empty.txt", b"# nothing\n").contains("no element any oxidation state"));
    assert!(ox("ox-big.txt", &vec![b'#'; (1 << 20) + 1]).contains("larger than the 1048576 bytes"));
    let dir = std::env::temp_dir();
    assert!(
        usage_error(&["counts", "--order", "2", "--ox-set", dir.to_str().unwrap()])
            .contains("readable file")
    );
    let known = |name: &str, text: &[u8]| {
        let path = temp_file(name, text);
        usage_error(&["counts", "--order", "2", "--known", &path])
    };
    assert!(known("known-json.json", br#"["ZnO", 3]"#).contains("item 2 is a number"));
    assert!(known("known-quote.csv", b"formula\n\"ZnO\n").contains("line 2: a quoted cell"));
    assert!(known("known-cell.csv", b"id,formula\n1\n").contains("line 2: no formula in column 2"));
    assert!(known("known-none.csv", b"a,b\n1,2\n").contains("no 'formula' column"));
}

#[test]
fn quirky_files_that_are_fine_are_read() {
    let ox = temp_file(
        "ox-windows.txt",
        b"\xef\xbb\xbfZn\t+2\r\nO -2 +0\r\nO -2\r\n",
    );
    let known = temp_file(
        "known-excel.csv",
        b"\xef\xbb\xbfid;Formula;note\r\n1;ZnO;\"cheap; white\"\r\n",
    );
    let o = run(&[
        "counts", "--order", "2", "--ox-set", &ox, "--known", &known, "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    // Zn(+2) and O(-2): ZnO is the only allowed binary, and it is known.
    assert_eq!(
        (v["allowed"].as_u64(), v["standard"].as_u64()),
        (Some(1), Some(1))
    );
}

#[cfg(unix)]
#[test]
fn arguments_that_are_not_text_are_refused() {
    use std::os::unix::ffi::OsStrExt;
    let o = Command::new(env!("CARGO_BIN_EXE_crystal-atlas"))
        .arg("explain")
        .arg(std::ffi::OsStr::from_bytes(b"Zn\xffO"))
        .output()
        .unwrap();
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        err,
        "crystal-atlas: argument 2 ('Zn\u{fffd}O') is not UTF-8 text\n"
    );
}

/// The page's settings that the CLI also takes are the same flags, with the
/// same defaults: one table (`crystal_atlas::params`) declares them.
#[test]
fn the_page_settings_table_names_the_cli_flags() {
    let help = stdout(&run(&["help"]));
    for p in crystal_atlas::params::LINKED {
        if let Some(flag) = p.flag {
            assert!(
                help.contains(&format!("--{flag}")),
                "--{flag} ({}) in the help",
                p.key
            );
        }
    }
    // A default from the table: seed 42 gives the same sample as no seed.
    let args = ["sample", "--order", "2", "--per-category", "3"];
    let with = stdout(&run(&[
        &args[..],
        &["--seed", crystal_atlas::params::SEED.default],
    ]
    .concat()));
    assert_eq!(stdout(&run(&args)), with);
}
