//! CSV of a map's points: formula, category and map coordinates, for the
//! whole sample or a selection. Points the embedding could not place (an
//! uncovered element) are kept with empty coordinates, so the file is the
//! whole sample.

use crate::label::Category;

/// One row of the export.
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

/// The CSV text; `axis` names the coordinate columns (`umap_1`, `umap_2`).
pub fn points_csv<'a>(axis: &str, points: impl IntoIterator<Item = CsvPoint<'a>>) -> String {
    let mut out = format!("formula,category,{0}_1,{0}_2\n", field(axis));
    for p in points {
        let (x, y) = p.xy.map_or((String::new(), String::new()), |(x, y)| {
            (x.to_string(), y.to_string())
        });
        out.push_str(&format!("{},{},{x},{y}\n", field(p.formula), p.category));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
