//! `crystal-atlas embed`: the contract outside checks rely on (raw float32
//! rows for kept formulas in input order, left-out lines on stderr, one-line
//! errors with exit code 2).

use std::path::PathBuf;
use std::process::{Command, Output};

use crystal_atlas::Composition;
use crystal_atlas::data::embeddings::EmbeddingInfo;
use crystal_atlas::embed::{PoolingStat, embed_batch};

struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("crystal-atlas-embed-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn file(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
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
    Command::new(env!("CARGO_BIN_EXE_crystal-atlas"))
        .arg("embed")
        .args(args)
        .output()
        .unwrap()
}

fn floats(path: &str) -> Vec<f32> {
    std::fs::read(path)
        .unwrap()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
        .collect()
}

#[test]
fn rows_for_kept_formulas_in_order_and_left_out_lines_on_stderr() {
    let dir = Scratch::new("rows");
    let formulas = dir.file(
        "f.txt",
        "ZnO\n\n# a comment\nCfO2\nLi2ZnSn3O8\nEs2O3\nZn2O\n",
    );
    let (out, kept) = (dir.path("x.f32"), dir.path("kept.txt"));
    let o = run(&[
        "--embedding",
        "magpie",
        "--formulas",
        &formulas,
        "--out",
        &out,
        "--kept",
        &kept,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8(o.stderr).unwrap();
    assert!(
        stderr.contains("line 4: CfO2 left out: magpie has no vector for Cf"),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 6: Es2O3 left out: magpie has no vector for Es"),
        "{stderr}"
    );
    assert!(
        stderr.contains("5 formulas, 3 rows of 22 float32"),
        "{stderr}"
    );
    assert!(stderr.contains("2 left out"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "1\n5\n7\n");

    let magpie = EmbeddingInfo::from_name("magpie")
        .unwrap()
        .embedded()
        .unwrap();
    let kept_compositions: Vec<Composition> = ["ZnO", "Li2ZnSn3O8", "Zn2O"]
        .iter()
        .map(|f| Composition::parse(f).unwrap())
        .collect();
    let expected = embed_batch(&kept_compositions, magpie, &[PoolingStat::Mean], false);
    assert_eq!(
        floats(&out),
        expected.matrix.iter().copied().collect::<Vec<_>>()
    );
}

#[test]
fn csv_input_statistics_lists_and_standardisation() {
    let dir = Scratch::new("csv");
    let csv = dir.file(
        "f.csv",
        "id,formula,label\n1,ZnO,standard\n2,Zn2O,missing\n3,ZnO3,unlikely\n",
    );
    let out = dir.path("x.f32");
    let o = run(&[
        "--embedding",
        "megnet16",
        "--stats",
        "mean,maxpool",
        "--standardise",
        "--formulas",
        &csv,
        "--out",
        &out,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let values = floats(&out);
    assert_eq!(values.len(), 3 * 32);
    // maxpool over Zn-O compositions is the same for all three: those columns standardise to 0.
    assert!(
        values
            .chunks_exact(32)
            .all(|row| row[16..].iter().all(|&v| v == 0.0))
    );
    let column_mean: f32 = values.chunks_exact(32).map(|row| row[0]).sum::<f32>() / 3.0;
    assert!(column_mean.abs() < 1e-6);
}

#[test]
fn a_bin_file_stands_in_for_an_embedding_name() {
    let dir = Scratch::new("bin");
    let formulas = dir.file("f.txt", "NaCl\n");
    let bin = concat!(env!("CARGO_MANIFEST_DIR"), "/data/embeddings/cgnf.bin");
    let (by_file, by_name) = (dir.path("a.f32"), dir.path("b.f32"));
    assert!(
        run(&[
            "--embedding",
            bin,
            "--formulas",
            &formulas,
            "--out",
            &by_file
        ])
        .status
        .success()
    );
    assert!(
        run(&[
            "--embedding",
            "cgnf",
            "--formulas",
            &formulas,
            "--out",
            &by_name
        ])
        .status
        .success()
    );
    assert_eq!(floats(&by_file), floats(&by_name));
    assert_eq!(floats(&by_file).len(), 90);
}

#[test]
fn errors_are_one_line_with_exit_code_2() {
    let dir = Scratch::new("errors");
    let good = dir.file("good.txt", "ZnO\n");
    let bad = dir.file("bad.txt", "ZnO\nZnQ2\n");
    let no_column = dir.file("nocol.csv", "id,label\n1,x\n");
    let out = dir.path("x.f32");
    let cases: [(&[&str], &str); 6] = [
        (
            &[
                "--embedding",
                "word2vec",
                "--formulas",
                &good,
                "--out",
                &out,
            ],
            "'word2vec' is neither an embedding",
        ),
        (
            &["--embedding", "magpie", "--formulas", &bad, "--out", &out],
            "line 2: 'ZnQ2'",
        ),
        (
            &[
                "--embedding",
                "magpie",
                "--stats",
                "median",
                "--formulas",
                &good,
                "--out",
                &out,
            ],
            "'median' is not a pooling",
        ),
        (
            &["--embedding", "magpie", "--formulas", &good],
            "needs --out",
        ),
        (
            &[
                "--embedding",
                "magpie",
                "--formulas",
                &no_column,
                "--out",
                &out,
            ],
            "no 'formula' column",
        ),
        (
            &[
                "--embedding",
                "magpie",
                "--formulas",
                &good,
                "--out",
                &out,
                "--seed",
                "1",
            ],
            "unknown flag --seed",
        ),
    ];
    for (args, message) in cases {
        let o = run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(o.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

#[test]
fn list_names_every_embedding_with_its_source() {
    let o = run(&["--list"]);
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    assert_eq!(text.lines().count(), 20);
    assert!(
        text.lines()
            .next()
            .unwrap()
            .starts_with("magpie\t22\tpaper\t")
    );
    assert!(text.contains("Tshitoyan"));
}
