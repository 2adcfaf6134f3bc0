//! CSV of a map's points: formula, category and map coordinates, for the
//! whole sample or a selection. Points the embedding could not place (an
//! uncovered element) are kept with empty coordinates, so the file is the
//! whole sample.
//!
//! [`map_csv`] writes the file that reproduces a map: leading `#` lines say
//! how it was made (program and version, the link that reopens the view,
//! every setting, the seed, the versions of the data), then one row per point
//! with its coordinates and category, whether it is a sampled composition or
//! a formula placed on the fitted map afterwards, whether it is in the
//! current selection, and optionally its embedding vector. pandas reads it
//! with `pd.read_csv(path, comment="#")`. [`points_csv`] is the plain file of
//! the first four columns.

use crate::label::Category;
use crate::selection_summary::SelectionSummary;

/// One row of the plain export.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CsvPoint<'a> {
    pub formula: &'a str,
    pub category: Category,
    /// Map coordinates, if the point is on the map.
    pub xy: Option<(f32, f32)>,
}

/// A CSV field, quoted when it holds a comma, quote or line break.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A number as the shortest text that reads back as the same f32.
fn number(v: f32) -> String {
    v.to_string()
}

/// "x,y", or "," for a point not on the map.
fn coordinates(xy: Option<(f32, f32)>) -> String {
    xy.map_or(",".to_string(), |(x, y)| {
        format!("{},{}", number(x), number(y))
    })
}

/// The CSV text; `axis` names the coordinate columns (`umap_1`, `umap_2`).
pub fn points_csv<'a>(axis: &str, points: impl IntoIterator<Item = CsvPoint<'a>>) -> String {
    let mut out = format!("formula,category,{0}_1,{0}_2\n", field(axis));
    for p in points {
        out.push_str(&format!(
            "{},{},{}\n",
            field(p.formula),
            p.category,
            coordinates(p.xy)
        ));
    }
    out
}

/// The data compiled into this program, for [`Provenance::data_versions`]:
/// the wheels `scripts/import-data` reads (see data/README.md).
pub const BUILTIN_DATA: [(&str, &str); 3] = [
    ("smact", "4.0.2 (elements, oxidation-state sets, filter)"),
    ("elementembeddings", "0.8.0 (element embeddings)"),
    (
        "crabnet",
        "2.0.8 (Materials Project, OQMD and AFLOW known sets)",
    ),
];

/// How a map was made, written as the file's leading `#` lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Provenance {
    /// "Crystal Atlas".
    pub program: String,
    /// The program's version (the shell passes `CARGO_PKG_VERSION`).
    pub version: String,
    /// The link that reopens this view of the page.
    pub link: Option<String>,
    /// The seed of the sample and of the reducer.
    pub seed: Option<u64>,
    /// Every setting that decides the map, in the order to print them
    /// ("order" = "2", "ox_set" = "smact14", "embedding" = "mat2vec", ...).
    pub settings: Vec<(String, String)>,
    /// Versions of the data behind it ([`BUILTIN_DATA`] and any upload).
    pub data_versions: Vec<(String, String)>,
}

impl Provenance {
    /// Crystal Atlas at `version`, with the compiled-in data's versions and
    /// no settings yet.
    pub fn new(version: &str) -> Provenance {
        Provenance {
            program: "Crystal Atlas".into(),
            version: version.into(),
            link: None,
            seed: None,
            settings: Vec::new(),
            data_versions: BUILTIN_DATA
                .iter()
                .map(|&(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// The `#` lines, each ending in a newline. Line breaks inside a value
    /// become spaces, so every line stays a comment.
    pub fn comment_lines(&self) -> String {
        let one_line = |s: &str| s.replace(['\r', '\n'], " ");
        let mut out = format!(
            "# {} {}\n",
            one_line(&self.program),
            one_line(&self.version)
        );
        if let Some(link) = &self.link {
            out.push_str(&format!("# link: {}\n", one_line(link)));
        }
        if let Some(seed) = self.seed {
            out.push_str(&format!("# seed: {seed}\n"));
        }
        for (key, value) in &self.settings {
            out.push_str(&format!(
                "# setting {}: {}\n",
                one_line(key),
                one_line(value)
            ));
        }
        for (key, value) in &self.data_versions {
            out.push_str(&format!("# data {}: {}\n", one_line(key), one_line(value)));
        }
        out
    }
}

/// One point of [`map_csv`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapRow<'a> {
    pub formula: &'a str,
    pub category: Category,
    /// Map coordinates, if the point is on the map.
    pub xy: Option<(f32, f32)>,
    /// A formula placed on the fitted map (not part of the sample).
    pub placed: bool,
    /// In the current selection.
    pub selected: bool,
    /// The point's embedding vector, written when the file has embedding
    /// columns (empty fields when `None`).
    pub vector: Option<&'a [f32]>,
}

/// Embedding columns for [`map_csv`]: `{name}_1` .. `{name}_{dim}`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EmbeddingColumns<'a> {
    pub name: &'a str,
    pub dim: usize,
}

/// The reproducible export: provenance lines, then the header
/// `formula,category,{axis}_1,{axis}_2,source,selected` (and the embedding
/// columns when asked for), then one line per row. `source` is `sample` or
/// `placed`, `selected` is `true` or `false`. A vector whose length is not
/// `embedding.dim` is written as empty fields.
pub fn map_csv<'a>(
    provenance: &Provenance,
    axis: &str,
    embedding: Option<EmbeddingColumns<'_>>,
    rows: impl IntoIterator<Item = MapRow<'a>>,
) -> String {
    let mut out = provenance.comment_lines();
    out.push_str(&format!(
        "formula,category,{0}_1,{0}_2,source,selected",
        field(axis)
    ));
    if let Some(columns) = embedding {
        for c in 1..=columns.dim {
            out.push_str(&format!(",{}", field(&format!("{}_{c}", columns.name))));
        }
    }
    out.push('\n');
    for row in rows {
        out.push_str(&format!(
            "{},{},{},{},{}",
            field(row.formula),
            row.category,
            coordinates(row.xy),
            if row.placed { "placed" } else { "sample" },
            row.selected,
        ));
        if let Some(columns) = embedding {
            match row.vector.filter(|v| v.len() == columns.dim) {
                Some(vector) => {
                    for &v in vector {
                        out.push(',');
                        out.push_str(&number(v));
                    }
                }
                None => out.push_str(&",".repeat(columns.dim)),
            }
        }
        out.push('\n');
    }
    out
}

/// A selection's summary ([`crate::selection_summary`]) as CSV: the
/// provenance lines, then `part,name,count,share` rows: the points selected,
/// each category, the most frequent elements and chemical systems (share of
/// the points holding each), and the shares known and allowed.
pub fn summary_csv(provenance: &Provenance, summary: &SelectionSummary) -> String {
    let mut out = provenance.comment_lines();
    out.push_str("part,name,count,share\n");
    let share = |n: usize| {
        if summary.points == 0 {
            String::new()
        } else {
            format!("{:.4}", n as f64 / summary.points as f64)
        }
    };
    out.push_str(&format!("points,selected,{},\n", summary.points));
    for (category, n) in summary.per_category {
        out.push_str(&format!("category,{category},{n},{}\n", share(n)));
    }
    for (element, n) in &summary.top_elements {
        out.push_str(&format!("element,{},{n},{}\n", element.symbol(), share(*n)));
    }
    for (system, n) in &summary.top_systems {
        out.push_str(&format!("system,{},{n},{}\n", field(system), share(*n)));
    }
    for (name, value) in [
        ("known", summary.known_share),
        ("allowed", summary.allowed_share),
    ] {
        let value = value.map_or(String::new(), |v| format!("{v:.4}"));
        out.push_str(&format!("share,{name},,{value}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_selection_summary_reads_as_a_table() {
        let rows: Vec<(crate::chem::Composition, Category)> = [
            ("ZnO", Category::Standard),
            ("Zn2O", Category::Missing),
            ("ZnO3", Category::Unlikely),
            ("NaCl", Category::Standard),
        ]
        .iter()
        .map(|(f, c)| (crate::chem::Composition::parse(f).unwrap(), *c))
        .collect();
        let summary = crate::selection_summary::summarise(rows.iter().map(|(c, k)| (c, *k)), 2);
        let csv = summary_csv(&Provenance::new("0.1.0"), &summary);
        let data: Vec<&str> = csv.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            data,
            [
                "part,name,count,share",
                "points,selected,4,",
                "category,standard,2,0.5000",
                "category,missing,1,0.2500",
                "category,interesting,0,0.0000",
                "category,unlikely,1,0.2500",
                "element,O,3,0.7500",
                "element,Zn,3,0.7500",
                "system,Zn-O,3,0.7500",
                "system,Na-Cl,1,0.2500",
                "share,known,,0.5000",
                "share,allowed,,0.7500",
            ]
        );
        assert!(csv.starts_with("# Crystal Atlas 0.1.0\n"));
    }

    #[test]
    fn rows_and_columns() {
        let csv = points_csv(
            "umap",
            [
                CsvPoint {
                    formula: "ZnO",
                    category: Category::Standard,
                    xy: Some((1.5, -0.25)),
                },
                CsvPoint {
                    formula: "CfO",
                    category: Category::Missing,
                    xy: None,
                },
                CsvPoint {
                    formula: "a,\"b",
                    category: Category::Unlikely,
                    xy: Some((0.0, 1e-7)),
                },
            ],
        );
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines,
            [
                "formula,category,umap_1,umap_2",
                "ZnO,standard,1.5,-0.25",
                "CfO,missing,,",
                "\"a,\"\"b\",unlikely,0,0.0000001"
            ]
        );
    }

    fn provenance() -> Provenance {
        Provenance {
            link: Some("https://example.org/atlas/#order=2&emb=mat2vec".into()),
            seed: Some(42),
            settings: vec![
                ("order".into(), "2".into()),
                ("reducer".into(), "umap n_neighbors=15\nmin_dist=0.1".into()),
            ],
            ..Provenance::new("0.1.0")
        }
    }

    #[test]
    fn the_map_file_says_how_it_was_made_and_holds_every_kind_of_row() {
        let zno = [0.5f32, -1.25, 3.0];
        let csv = map_csv(
            &provenance(),
            "umap",
            Some(EmbeddingColumns {
                name: "mat2vec",
                dim: 3,
            }),
            [
                MapRow {
                    formula: "ZnO",
                    category: Category::Standard,
                    xy: Some((1.5, -0.25)),
                    placed: false,
                    selected: true,
                    vector: Some(&zno),
                },
                MapRow {
                    formula: "Zn2O",
                    category: Category::Missing,
                    xy: Some((1.75, 0.125)),
                    placed: true,
                    selected: false,
                    vector: None,
                },
                MapRow {
                    formula: "CfO",
                    category: Category::Missing,
                    xy: None,
                    placed: false,
                    selected: false,
                    vector: Some(&zno[..2]),
                },
            ],
        );
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines,
            [
                "# Crystal Atlas 0.1.0",
                "# link: https://example.org/atlas/#order=2&emb=mat2vec",
                "# seed: 42",
                "# setting order: 2",
                "# setting reducer: umap n_neighbors=15 min_dist=0.1",
                "# data smact: 4.0.2 (elements, oxidation-state sets, filter)",
                "# data elementembeddings: 0.8.0 (element embeddings)",
                "# data crabnet: 2.0.8 (Materials Project, OQMD and AFLOW known sets)",
                "formula,category,umap_1,umap_2,source,selected,mat2vec_1,mat2vec_2,mat2vec_3",
                "ZnO,standard,1.5,-0.25,sample,true,0.5,-1.25,3",
                "Zn2O,missing,1.75,0.125,placed,false,,,",
                "CfO,missing,,,sample,false,,,",
            ]
        );
        // Every data line has as many fields as the header.
        let fields = |l: &str| l.split(',').count();
        let header = fields(lines[8]);
        assert!(lines[9..].iter().all(|l| fields(l) == header));
    }

    #[test]
    fn numbers_read_back_as_the_same_f32() {
        for v in [0.1f32, -1.0e-30, 123_456.79, f32::MIN_POSITIVE, 1.0 / 3.0] {
            assert_eq!(number(v).parse::<f32>().unwrap().to_bits(), v.to_bits());
        }
    }

    #[test]
    fn without_embedding_columns_the_file_ends_at_selected() {
        let csv = map_csv(
            &Provenance::new("0.1.0"),
            "pca",
            None,
            [MapRow {
                formula: "NaCl",
                category: Category::Standard,
                xy: Some((0.0, 2.0)),
                placed: false,
                selected: false,
                vector: None,
            }],
        );
        let data: Vec<&str> = csv.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            data,
            [
                "formula,category,pca_1,pca_2,source,selected",
                "NaCl,standard,0,2,sample,false"
            ]
        );
    }
}
