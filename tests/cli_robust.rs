//! The CLI where the world is hostile: output that cannot be written (a full
//! disk, a closed pipe), outputs that would overwrite inputs, endless inputs,
//! files that would lose data quietly, and arguments that are nearly right.
#![cfg(unix)]

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_crystal-atlas");

/// A scratch directory of this test process, removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!(
            "crystal-atlas-robust-{test}-{}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn file(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_string()
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Fails unless the command exited with code 2 and one line on stderr.
fn one_line_error(o: &Output, what: &str) -> String {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{what}: {err}");
    assert_eq!(err.lines().count(), 1, "{what}: one line, got {err:?}");
    assert!(!err.contains("panicked"), "{what}: {err}");
    err
}

fn error(args: &[&str]) -> String {
    one_line_error(&run(args), &format!("{args:?}"))
}

/// A 90 x 4 matrix of f32 that every reducer accepts.
fn matrix(scratch: &Scratch, name: &str) -> String {
    let bytes: Vec<u8> = (0..90 * 4)
        .flat_map(|i| ((i * 37 % 101) as f32 * 0.1).to_le_bytes())
        .collect();
    scratch.file(name, &bytes)
}

/// Every command that prints, with arguments that succeed.
fn printing_commands() -> Vec<Vec<&'static str>> {
    vec![
        vec!["help"],
        vec!["counts", "--help"],
        vec!["counts", "--order", "2"],
        vec!["counts", "--order", "2", "--json"],
        vec!["list", "--order", "2", "--category", "allowed"],
        vec![
            "list",
            "--order",
            "3",
            "--category",
            "standard",
            "--limit",
            "3",
        ],
        vec!["explain", "Zn2O"],
        vec!["explain", "Zn2O", "--json"],
        vec!["system", "Li-Zn-O"],
        vec!["system", "Li-Zn-O", "--json"],
        vec!["sample", "--order", "2", "--per-category", "5"],
        vec!["embed", "--list"],
    ]
}

#[test]
fn a_full_disk_on_stdout_is_an_error_for_every_command() {
    for args in printing_commands() {
        let o = Command::new(BIN)
            .args(&args)
            .stdout(File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        let err = one_line_error(&o, &format!("{args:?} > /dev/full"));
        assert_eq!(
            err,
            "crystal-atlas: cannot write to standard output: No space left on device (os error 28)\n",
            "{args:?}"
        );
    }
}

#[test]
fn a_closed_pipe_on_stdout_ends_quietly_with_status_141() {
    for args in printing_commands() {
        // The reading end is closed before the command starts, as when
        // `| head` has already gone.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let o = Command::new(BIN)
            .args(&args)
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(141), "{args:?}: {}", stderr(&o));
        assert_eq!(stderr(&o), "", "{args:?}");
    }
}

#[test]
fn a_full_disk_on_stderr_is_no_panic() {
    let scratch = Scratch::new("stderr");
    let input = matrix(&scratch, "x.f32");
    let out = scratch.path("y.f32");
    let with_full_stderr = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .stderr(File::create("/dev/full").unwrap())
            .output()
            .unwrap()
            .status
            .code()
    };
    // Its message cannot be written, but the status still says it failed.
    assert_eq!(with_full_stderr(&["explain", "ZnQ"]), Some(2));
    // Progress lines cannot be written: the work is done all the same.
    let reduce = [
        "reduce", "--method", "pca", "--input", &input, "--dim", "4", "--out", &out, "--time",
    ];
    assert_eq!(with_full_stderr(&reduce), Some(0));
    assert_eq!(std::fs::metadata(&out).unwrap().len(), 90 * 2 * 4);
}

#[test]
fn a_full_disk_for_output_files_is_an_error() {
    let scratch = Scratch::new("files");
    let input = matrix(&scratch, "x.f32");
    let formulas = scratch.file("f.txt", b"ZnO\nLi2O\n");
    let out = scratch.path("out.f32");
    for (args, flag) in [
        (
            vec![
                "reduce",
                "--method",
                "pca",
                "--input",
                &input,
                "--dim",
                "4",
                "--out",
                "/dev/full",
            ],
            "--out",
        ),
        (
            vec![
                "embed",
                "--embedding",
                "magpie",
                "--formulas",
                &formulas,
                "--out",
                "/dev/full",
            ],
            "--out",
        ),
        (
            vec![
                "embed",
                "--embedding",
                "magpie",
                "--formulas",
                &formulas,
                "--out",
                &out,
                "--kept",
                "/dev/full",
            ],
            "--kept",
        ),
    ] {
        let err = error(&args);
        assert_eq!(
            err,
            format!(
                "crystal-atlas: {flag} '/dev/full': cannot write (No space left on device (os error 28))\n"
            )
        );
    }
}

#[test]
fn outputs_that_would_overwrite_an_input_are_refused() {
    let scratch = Scratch::new("same");
    let input = matrix(&scratch, "x.f32");
    let before = std::fs::read(&input).unwrap();
    let link = scratch.path("link.f32");
    std::os::unix::fs::symlink(&input, &link).unwrap();
    let hard = scratch.path("hard.f32");
    std::fs::hard_link(&input, &hard).unwrap();
    for out in [&input, &link, &hard] {
        let err = error(&[
            "reduce", "--method", "pca", "--input", &input, "--dim", "4", "--out", out,
        ]);
        assert!(
            err.starts_with(&format!(
                "crystal-atlas: --out '{out}' is the same file as the input --input"
            )),
            "{err}"
        );
        assert!(err.ends_with("writing it would destroy that input: choose another file\n"));
    }
    assert_eq!(
        std::fs::read(&input).unwrap(),
        before,
        "the input is untouched"
    );

    let formulas = scratch.file("f.txt", b"ZnO\nLi2O\n");
    let out = scratch.path("e.f32");
    let embed = |extra: &[&str]| {
        let mut args = vec!["embed", "--embedding", "magpie", "--formulas", &formulas];
        args.extend_from_slice(extra);
        error(&args)
    };
    assert!(embed(&["--out", &formulas]).contains("--out '"));
    assert!(
        embed(&["--out", &out, "--kept", &formulas])
            .contains("is the same file as the input --formulas")
    );
    assert!(
        embed(&["--out", &out, "--kept", &out]).contains("is the same file as the output --out")
    );
    assert_eq!(std::fs::read(&formulas).unwrap(), b"ZnO\nLi2O\n");
}

#[test]
fn endless_inputs_are_refused_at_their_cap() {
    let scratch = Scratch::new("endless");
    let out = scratch.path("out.f32");
    let err = error(&[
        "reduce",
        "--method",
        "umap",
        "--input",
        "/dev/zero",
        "--dim",
        "200",
        "--out",
        &out,
    ]);
    assert_eq!(
        err,
        "crystal-atlas: --input '/dev/zero' holds more than 230000 rows of 200 values; at most 230000 rows and 268435456 values (1 GiB) are reduced: take a sample\n"
    );
    let err = error(&[
        "embed",
        "--embedding",
        "magpie",
        "--formulas",
        "/dev/zero",
        "--out",
        &out,
    ]);
    assert_eq!(
        err,
        "crystal-atlas: --formulas '/dev/zero': the file is larger than the 67108864 bytes accepted; split the list\n"
    );
    let formulas = scratch.file("f.txt", b"ZnO\n");
    let err = error(&[
        "embed",
        "--embedding",
        "/dev/zero",
        "--formulas",
        &formulas,
        "--out",
        &out,
    ]);
    assert_eq!(
        err,
        "crystal-atlas: --embedding: '/dev/zero': the file is larger than the 16777216 bytes accepted; the largest embedding file is 0.3 MB\n"
    );
    // An endless stream of formulas on stdin: refused after the line cap,
    // with the writer told to stop (a broken pipe), not read to the end.
    let mut child = Command::new(BIN)
        .args([
            "embed",
            "--embedding",
            "magpie",
            "--formulas",
            "/dev/stdin",
            "--out",
            &out,
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let block = "ZnO\n".repeat(4096);
        let mut written = 0usize;
        while stdin.write_all(block.as_bytes()).is_ok() {
            written += 4096;
        }
        written
    });
    let o = child.wait_with_output().unwrap();
    let lines = writer.join().unwrap();
    let err = one_line_error(&o, "endless stdin");
    assert_eq!(
        err,
        "crystal-atlas: --formulas '/dev/stdin': the file has more than the 1000000 lines accepted; split the list\n"
    );
    assert!(lines < 1_100_000, "{lines} lines were taken");
    assert!(!std::path::Path::new(&out).exists());
}

#[test]
fn data_a_file_would_lose_is_refused_or_reported() {
    let scratch = Scratch::new("loss");
    let ox = |name: &str, text: &str| {
        let path = scratch.file(name, text.as_bytes());
        run(&[
            "counts", "--order", "2", "--known", "none", "--ox-set", &path, "--json",
        ])
    };
    // Arabic-Indic and full-width digits: the line used to be skipped, so
    // every iron compound turned forbidden.
    for digits in ["\u{662} \u{663}", "\u{ff12} \u{ff13}"] {
        let o = ox("digits.txt", &format!("O -2\nFe +{digits}\n"));
        let err = one_line_error(&o, digits);
        assert!(err.contains("line 2: oxidation state '+"), "{err}");
        assert!(
            err.contains("of Fe is not written with the digits 0-9"),
            "{err}"
        );
    }
    // An element listed twice: SMACT keeps the later line, and we say so.
    let o = ox("twice.txt", "Fe +2\nO -2\nFe +3\n");
    assert!(o.status.success(), "{}", stderr(&o));
    let path = scratch.path("twice.txt");
    assert_eq!(
        stderr(&o),
        format!(
            "crystal-atlas: note: --ox-set '{path}': line 3 lists Fe again (first on line 1); as in SMACT only the later line's states are used, so put all of an element's states on one line\n"
        )
    );
    let counts: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // Fe(+3) and O(-2): Fe2O3 alone among Fe-O binaries (FeO would need +2).
    let explain = |formula: &str| {
        let o = run(&[
            "explain", formula, "--known", "none", "--ox-set", &path, "--json",
        ]);
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()["allowed"].clone()
    };
    assert_eq!(
        (explain("Fe2O3"), explain("FeO")),
        (true.into(), false.into())
    );
    assert_eq!(counts["allowed"], 1);

    let known = scratch.file("known.json", br#"[{"formula": "ZnO", "formula": "Zn2O"}]"#);
    let err = error(&["explain", "ZnO", "--known", &known]);
    assert!(
        err.contains("item 1 is an object with two \"formula\" fields"),
        "{err}"
    );
    let known = scratch.file("known.txt", b"ZnO\nLiNaKRbCsO\n");
    let o = run(&["explain", "LiNaKRbCsO", "--known", &known]);
    assert!(o.status.success());
    assert!(
        stderr(&o).contains("1 formula has more than 4 elements or an amount above 511"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn nearly_right_arguments_get_a_fix() {
    assert_eq!(
        error(&["system", "O"]),
        "crystal-atlas: 'O' is one element; a chemical system is 2 to 4 elements joined by dashes, e.g. Zn-O or Li-Zn-Sn-O (for one compound use 'crystal-atlas explain')\n"
    );
    assert_eq!(
        error(&["counts", "--order", "2", "--frob"]),
        "crystal-atlas: counts: unknown flag --frob; its flags are --order, --json, --time, --max-stoich, --ox-set, --mixed-valence, --include-alloys, --include-zero, --consensus, --commonality, --known (see crystal-atlas help)\n"
    );
    // Every command names an unknown flag and lists its own flags, whether
    // the flag comes last, first or with a value.
    let scratch = Scratch::new("flags");
    let input = matrix(&scratch, "x.f32");
    let formulas = scratch.file("f.txt", b"ZnO\n");
    let out = scratch.path("o.f32");
    for (args, flags) in [
        (
            vec!["counts", "--order", "2"],
            "--order, --json, --time, --max-stoich, --ox-set, --mixed-valence, --include-alloys, --include-zero, --consensus, --commonality, --known",
        ),
        (
            vec!["list", "--order", "2", "--category", "allowed"],
            "--order, --category, --limit, --max-stoich, --ox-set, --mixed-valence, --include-alloys, --include-zero, --consensus, --commonality, --known",
        ),
        (
            vec!["explain", "ZnO"],
            "--json, --max-stoich, --ox-set, --mixed-valence, --include-alloys, --include-zero, --consensus, --commonality, --known",
        ),
        (
            vec!["system", "Zn-O"],
            "--json, --max-stoich, --ox-set, --mixed-valence, --include-alloys, --include-zero, --consensus, --commonality, --known",
        ),
        (
            vec!["sample", "--order", "2", "--per-category", "2"],
            "--order, --per-category, --seed, --max-stoich, --ox-set, --mixed-valence, --include-alloys, --include-zero, --consensus, --commonality, --known",
        ),
        (
            vec![
                "embed",
                "--embedding",
                "magpie",
                "--formulas",
                &formulas,
                "--out",
                &out,
            ],
            "--list, --embedding, --stats, --standardise, --formulas, --out, --kept, --time, --threads",
        ),
        (
            vec![
                "reduce", "--method", "pca", "--input", &input, "--dim", "4", "--out", &out,
            ],
            "--method, --input, --dim, --out, --seed, --n-neighbors, --min-dist, --perplexity, --time, --transform, --transform-out, --quality, --threads",
        ),
    ] {
        let command = args[0];
        for extra in [&["--frob"][..], &["--frob", "1"], &["--frob=1"]] {
            let mut a = args.clone();
            a.extend_from_slice(extra);
            assert_eq!(
                error(&a),
                format!(
                    "crystal-atlas: {command}: unknown flag --frob; its flags are {flags} (see crystal-atlas help)\n"
                ),
                "{a:?}"
            );
        }
        let mut first = vec![command, "--frob"];
        first.extend_from_slice(&args[1..]);
        let err = error(&first);
        if ["explain", "system"].contains(&command) {
            // The flag took the formula or system as its value.
            assert!(
                err.contains(&format!("(--frob took '{}' as its value)", args[1])),
                "{err}"
            );
        } else {
            assert!(err.contains("unknown flag --frob"), "{first:?}: {err}");
        }
        // --help after any command prints the usage.
        let help = run(&[command, "--help"]);
        assert!(help.status.success());
        assert!(
            String::from_utf8(help.stdout)
                .unwrap()
                .starts_with("crystal-atlas: maps")
        );
    }
    assert_eq!(
        error(&["sample", "--order", "2", "--per-categroy", "5"]),
        "crystal-atlas: sample needs --per-category (a number per category, or all); --per-categroy is not one of its flags, did you mean --per-category?\n"
    );
    assert_eq!(
        error(&[
            "reduce", "--method", "pca", "--input", &input, "--dim", "4", "--out", &out, "--sed",
            "3"
        ]),
        "crystal-atlas: reduce: unknown flag --sed; did you mean --seed? its flags are --method, --input, --dim, --out, --seed, --n-neighbors, --min-dist, --perplexity, --time, --transform, --transform-out, --quality, --threads (see crystal-atlas help)\n"
    );
    assert_eq!(
        error(&["counts", "--order", "--json"]),
        "crystal-atlas: --order needs a value\n"
    );
    assert_eq!(
        error(&["explain", "-json", "ZnO"]),
        "crystal-atlas: explain: '-json' is not a flag; flags start with two dashes (--json)\n"
    );
    assert!(error(&["explain", "Li2", "O"]).contains(
        "explain takes one argument, a formula such as Zn2O, but got 2; quote it if it contains spaces"
    ));
    assert!(
        error(&["counts", "--order", "2", "-json"])
            .contains("'-json' is not a flag; flags start with two dashes (--json)")
    );
}
