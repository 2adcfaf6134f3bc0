//! Known compositions: the "known" half of the four categories. A composition
//! is known when its reduced composition appears in a materials database.
//!
//! Built-in sets come from crabnet 2.0.8's benchmark data (Materials Project
//! `mp_e_hull`; OQMD and AFLOW property sets), packed by `scripts/import-data`
//! (format in `scripts/import_data.py`). Users can supply their own list.

use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;

use crate::chem::{Composition, Element, shown};

/// Where a known set came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KnownSource {
    MaterialsProject,
    Oqmd,
    Aflow,
}

impl KnownSource {
    pub const ALL: [KnownSource; 3] = [
        KnownSource::MaterialsProject,
        KnownSource::Oqmd,
        KnownSource::Aflow,
    ];

    /// The short name used by the CLI and in URLs.
    pub fn name(self) -> &'static str {
        match self {
            KnownSource::MaterialsProject => "mp",
            KnownSource::Oqmd => "oqmd",
            KnownSource::Aflow => "aflow",
        }
    }

    pub fn from_name(name: &str) -> Option<KnownSource> {
        KnownSource::ALL.into_iter().find(|s| s.name() == name)
    }

    pub fn title(self) -> &'static str {
        match self {
            KnownSource::MaterialsProject => "Materials Project (crabnet mp_e_hull snapshot)",
            KnownSource::Oqmd => "OQMD (crabnet benchmark sets)",
            KnownSource::Aflow => "AFLOW (crabnet benchmark sets)",
        }
    }

    /// The packed file, for sources compiled into this build. The browser build
    /// embeds only the Materials Project and fetches the larger two on demand.
    pub fn embedded_bytes(self) -> Option<&'static [u8]> {
        match self {
            KnownSource::MaterialsProject => Some(include_bytes!("../../data/known/mp.bin")),
            #[cfg(not(target_arch = "wasm32"))]
            KnownSource::Oqmd => Some(include_bytes!("../../data/known/oqmd.bin")),
            #[cfg(not(target_arch = "wasm32"))]
            KnownSource::Aflow => Some(include_bytes!("../../data/known/aflow.bin")),
            #[cfg(target_arch = "wasm32")]
            _ => None,
        }
    }

    /// The decoded set, when embedded in this build.
    pub fn embedded(self) -> Option<&'static KnownSet> {
        static SETS: [OnceLock<Option<KnownSet>>; 3] = [const { OnceLock::new() }; 3];
        let i = KnownSource::ALL
            .iter()
            .position(|&s| s == self)
            .expect("listed");
        SETS[i]
            .get_or_init(|| {
                self.embedded_bytes()
                    .map(|b| KnownSet::from_packed(self.name(), b).expect("embedded set decodes"))
            })
            .as_ref()
    }
}

/// A set of reduced compositions of at most four elements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownSet {
    name: String,
    keys: Vec<u64>,
    left_out: Option<LeftOut>,
}

/// Formulas of a user's list that no key holds (more than four elements, or
/// an amount above 511): the atlas never looks them up, so they are left out,
/// and said to be rather than dropped unseen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    pub count: usize,
    /// Where the first one is ("line 7") and its formula.
    pub first_place: String,
    pub first_formula: String,
}

impl fmt::Display for LeftOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (n, s) = match self.count {
            1 => ("1 formula has".to_string(), ""),
            n => (format!("{n} formulas have"), "s"),
        };
        write!(
            f,
            "{n} more than 4 elements or an amount above 511 and can never be a composition of the atlas's maps; left out (the first: {}, '{}'), so explain calls such formula{s} unknown",
            self.first_place,
            shown(&self.first_formula)
        )
    }
}

/// Packs a reduced composition of at most four elements, amounts <= 511:
/// 16 bits per element (Z << 9 | amount), increasing Z, first in the top bits.
pub fn composition_key(c: &Composition) -> Option<u64> {
    if c.order() > 4 || c.max_amount() > 511 {
        return None;
    }
    Some(pack_key(c.parts().iter().map(|&(e, a)| (e.z(), a as u16))))
}

/// [`composition_key`] for (Z, amount) pairs already sorted by Z and reduced.
pub fn pack_key(pairs: impl Iterator<Item = (u8, u16)>) -> u64 {
    let mut key = 0u64;
    for (i, (z, a)) in pairs.enumerate() {
        key |= (u64::from(z) << 9 | u64::from(a)) << (16 * (3 - i));
    }
    key
}

fn unpack_key(key: u64) -> Option<Composition> {
    let parts = (0..4).filter_map(|i| {
        let field = (key >> (16 * (3 - i))) & 0xffff;
        let z = (field >> 9) as u8;
        (z != 0).then(|| Element::from_z(z).map(|e| (e, (field & 0x1ff) as u32)))
    });
    Composition::new(parts.collect::<Option<Vec<_>>>()?)
}

/// A packed known-set file that does not decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedSetError(pub String);

impl fmt::Display for PackedSetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "known-composition file: {}", self.0)
    }
}

impl std::error::Error for PackedSetError {}

impl KnownSet {
    pub fn new(name: &str, compositions: impl IntoIterator<Item = Composition>) -> KnownSet {
        let mut keys: Vec<u64> = compositions
            .into_iter()
            .filter_map(|c| composition_key(&c))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        KnownSet {
            name: name.to_string(),
            keys,
            left_out: None,
        }
    }

    /// An empty set ("--known none": everything is unknown).
    pub fn empty() -> KnownSet {
        KnownSet {
            name: "none".to_string(),
            keys: Vec::new(),
            left_out: None,
        }
    }

    /// Decodes the packed format (magic "CAK1", count, LEB128 deltas).
    pub fn from_packed(name: &str, bytes: &[u8]) -> Result<KnownSet, PackedSetError> {
        let err = |m: &str| PackedSetError(m.to_string());
        let body = bytes
            .strip_prefix(b"CAK1")
            .ok_or_else(|| err("not a packed known set (bad magic)"))?;
        let count = u32::from_le_bytes(
            body.get(..4)
                .ok_or_else(|| err("truncated header"))?
                .try_into()
                .unwrap(),
        );
        let mut keys = Vec::with_capacity((count as usize).min(body.len()));
        let (mut pos, mut prev) = (4usize, 0u64);
        for _ in 0..count {
            let (mut delta, mut shift) = (0u64, 0u32);
            loop {
                let b = *body.get(pos).ok_or_else(|| err("truncated"))?;
                pos += 1;
                if shift > 63 || (shift == 63 && b & 0x7f > 1) {
                    return Err(err("varint too long"));
                }
                delta |= u64::from(b & 0x7f) << shift;
                shift += 7;
                if b & 0x80 == 0 {
                    break;
                }
            }
            if delta == 0 {
                return Err(err("keys must be strictly increasing"));
            }
            prev = prev.checked_add(delta).ok_or_else(|| err("key overflow"))?;
            // Only the key of a reduced composition is ever looked up, so any
            // other key would make the set's size and contents disagree.
            if unpack_key(prev).and_then(|c| composition_key(&c)) != Some(prev) {
                return Err(PackedSetError(format!(
                    "entry {} is not a reduced composition of 1 to 4 elements in order of Z",
                    keys.len() + 1
                )));
            }
            keys.push(prev);
        }
        if pos != body.len() {
            return Err(err("trailing bytes"));
        }
        Ok(KnownSet {
            name: name.to_string(),
            keys,
            left_out: None,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The formulas of a user's list that were left out, if any.
    pub fn left_out(&self) -> Option<&LeftOut> {
        self.left_out.as_ref()
    }

    pub fn contains(&self, c: &Composition) -> bool {
        composition_key(c).is_some_and(|k| self.contains_key(k))
    }

    /// Membership of a key made by [`pack_key`].
    pub fn contains_key(&self, key: u64) -> bool {
        self.keys.binary_search(&key).is_ok()
    }

    /// The compositions of both sets, named `name`.
    pub fn union(&self, other: &KnownSet, name: &str) -> KnownSet {
        let mut keys = Vec::with_capacity(self.keys.len() + other.keys.len());
        keys.extend_from_slice(&self.keys);
        keys.extend_from_slice(&other.keys);
        keys.sort_unstable();
        keys.dedup();
        KnownSet {
            name: name.to_string(),
            keys,
            left_out: other.left_out.clone().or_else(|| self.left_out.clone()),
        }
    }

    /// Every composition in the set, in key order.
    pub fn compositions(&self) -> impl Iterator<Item = Composition> + '_ {
        self.keys.iter().filter_map(|&k| unpack_key(k))
    }

    /// The compositions of exactly `order` elements with every amount at most
    /// `max_amount`, in key order (read off the keys before unpacking).
    pub fn compositions_within(
        &self,
        order: usize,
        max_amount: u32,
    ) -> impl Iterator<Item = Composition> + '_ {
        self.keys
            .iter()
            .filter(move |&&k| {
                let fields = (0..4)
                    .map(|i| (k >> (16 * (3 - i))) & 0xffff)
                    .filter(|f| f >> 9 != 0);
                let (mut n, mut max) = (0, 0);
                for f in fields {
                    n += 1;
                    max = max.max((f & 0x1ff) as u32);
                }
                n == order && max <= max_amount
            })
            .filter_map(|&k| unpack_key(k))
    }
}

/// Largest user-supplied known list accepted.
pub const MAX_USER_LIST_BYTES: usize = 16 << 20;

/// What is wrong with an uploaded known-composition list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserListError {
    TooLarge {
        bytes: usize,
    },
    NotText,
    Empty,
    /// A formula that does not parse, with its 1-based line (CSV, text) or item (JSON).
    Formula {
        place: String,
        formula: String,
        error: crate::chem::FormulaError,
    },
    /// A JSON list that does not parse.
    Json(String),
    /// JSON that is not a list.
    JsonNotList,
    /// A JSON item that is neither a formula string nor an object with one.
    JsonItem {
        item: usize,
        found: &'static str,
    },
    /// A CSV header without a formula column.
    NoFormulaColumn {
        header: String,
    },
    /// A CSV row without a cell in the formula column, or with an empty one.
    MissingCell {
        line: usize,
        column: usize,
    },
    /// A CSV row whose quoted cell does not close on that line.
    UnclosedQuote {
        line: usize,
    },
}

impl fmt::Display for UserListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UserListError::TooLarge { bytes } => {
                write!(
                    f,
                    "the list is {bytes} bytes; at most {MAX_USER_LIST_BYTES} are accepted"
                )
            }
            UserListError::NotText => write!(
                f,
                "the list is not UTF-8 text; save it as UTF-8 and upload a .txt, .csv or .json file of formulas"
            ),
            UserListError::Empty => write!(
                f,
                "the list holds no formulas; put one formula per line, e.g. ZnO"
            ),
            UserListError::Formula {
                place,
                formula,
                error,
            } => write!(f, "{place}: '{}': {error}", shown(formula)),
            UserListError::Json(e) => write!(
                f,
                "not valid JSON ({e}); use a list of formulas such as [\"ZnO\", \"Li2O\"]"
            ),
            UserListError::JsonNotList => write!(
                f,
                "the JSON is not a list; use a list of formulas such as [\"ZnO\", \"Li2O\"]"
            ),
            UserListError::JsonItem { item, found } => write!(
                f,
                "item {item} is {found}; list formulas as strings (\"ZnO\") or objects with a \"formula\" string"
            ),
            UserListError::NoFormulaColumn { header } => write!(
                f,
                "the CSV header '{}' has no 'formula' column; name the column 'formula' or upload one formula per line",
                shown(header)
            ),
            UserListError::MissingCell { line, column } => write!(
                f,
                "line {line}: no formula in column {column}; every row needs one"
            ),
            UserListError::UnclosedQuote { line } => write!(
                f,
                "line {line}: a quoted cell is not closed on this line; close the quote (cells may not span lines)"
            ),
        }
    }
}

impl std::error::Error for UserListError {}

/// CSV header names of a formula column (case is ignored): ours and those of
/// Materials Project, OQMD and AFLOW exports.
const FORMULA_HEADERS: [&str; 6] = [
    "formula",
    "composition",
    "formula_pretty",
    "pretty_formula",
    "reduced_formula",
    "compound",
];

impl KnownSet {
    /// Reads a user's list of known compositions: one formula per line (blank
    /// lines and `#` comments skipped), a CSV (or TSV, or semicolon-separated)
    /// table whose header names a formula column (see [`FORMULA_HEADERS`]) or
    /// that has formulas in its first column, or a JSON array of formulas or
    /// of objects with a `formula` field. Compositions beyond four elements are
    /// kept out, as in the built-in sets.
    pub fn parse_user_list(name: &str, bytes: &[u8]) -> Result<KnownSet, UserListError> {
        if bytes.len() > MAX_USER_LIST_BYTES {
            return Err(UserListError::TooLarge { bytes: bytes.len() });
        }
        let text = std::str::from_utf8(bytes).map_err(|_| UserListError::NotText)?;
        let formulas = listed_formulas(text)?;
        if formulas.is_empty() {
            return Err(UserListError::Empty);
        }
        // Keys, not compositions, are kept: a 16 MB list is 1.5 million formulas.
        let mut keys = Vec::with_capacity(formulas.len());
        let mut left_out: Option<LeftOut> = None;
        for ((kind, number), formula) in formulas {
            let c = Composition::parse(&formula).map_err(|error| UserListError::Formula {
                place: format!("{kind} {number}"),
                formula: formula.to_string(),
                error,
            })?;
            match (composition_key(&c), &mut left_out) {
                (Some(key), _) => keys.push(key),
                (None, Some(l)) => l.count += 1,
                (None, None) => {
                    left_out = Some(LeftOut {
                        count: 1,
                        first_place: format!("{kind} {number}"),
                        first_formula: formula.into_owned(),
                    })
                }
            }
        }
        keys.sort_unstable();
        keys.dedup();
        Ok(KnownSet {
            name: name.to_string(),
            keys,
            left_out,
        })
    }
}

/// Where a formula was found: ("line", 3) or ("item", 2), 1-based.
type Place = (&'static str, usize);

/// The formulas of a list in any shape [`KnownSet::parse_user_list`] reads
/// (one per line, a CSV, TSV or semicolon table, a JSON list), unparsed, each
/// with where it was found ("line 3", "item 2"): for readers that report
/// every bad formula at once rather than stop at the first, as the page does
/// with formulas to place on a map.
pub fn list_formulas(text: &str) -> Result<Vec<(String, String)>, UserListError> {
    Ok(listed_formulas(text)?
        .into_iter()
        .map(|((kind, number), formula)| (format!("{kind} {number}"), formula.into_owned()))
        .collect())
}

/// (place, formula) pairs of a list's text, JSON or table by its first character.
fn listed_formulas(text: &str) -> Result<Vec<(Place, Cow<'_, str>)>, UserListError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') || trimmed.starts_with('{') {
        json_formulas(text)
    } else {
        table_formulas(text)
    }
}

/// (place, formula) pairs of a JSON list.
fn json_formulas(text: &str) -> Result<Vec<(Place, Cow<'_, str>)>, UserListError> {
    // Items are read by `JsonItem`, not as `serde_json::Value`: a `Value`
    // object keeps only the last of two "formula" fields, dropping the first
    // without a word. Every item is accepted by it, so a data error can only
    // be a top level that is not a list.
    let items: Vec<JsonItem> = serde_json::from_str(text).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => UserListError::JsonNotList,
        _ => UserListError::Json(e.to_string()),
    })?;
    items
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let item = i + 1;
            let found = match v {
                JsonItem::Formula(s) => return Ok((("item", item), Cow::Owned(s))),
                JsonItem::NoFormula => "an object without a \"formula\" string",
                JsonItem::TwoFormulas => "an object with two \"formula\" fields",
                JsonItem::Number => "a number",
                JsonItem::List => "a list",
                JsonItem::Other => "true, false or null",
            };
            Err(UserListError::JsonItem { item, found })
        })
        .collect()
}

/// One item of a JSON list, as far as the list cares.
enum JsonItem {
    Formula(String),
    NoFormula,
    TwoFormulas,
    Number,
    List,
    Other,
}

impl<'de> serde::Deserialize<'de> for JsonItem {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<JsonItem, D::Error> {
        d.deserialize_any(JsonItemVisitor)
    }
}

struct JsonItemVisitor;

impl<'de> serde::de::Visitor<'de> for JsonItemVisitor {
    type Value = JsonItem;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a formula or an object with a \"formula\" field")
    }

    fn visit_str<E>(self, v: &str) -> Result<JsonItem, E> {
        Ok(JsonItem::Formula(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<JsonItem, E> {
        Ok(JsonItem::Formula(v))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<JsonItem, A::Error> {
        let mut formula: Option<Option<String>> = None;
        let mut twice = false;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key != "formula" {
                map.next_value::<serde::de::IgnoredAny>()?;
                continue;
            }
            let value = map.next_value::<serde_json::Value>()?;
            twice |= formula.is_some();
            formula = Some(match value {
                serde_json::Value::String(s) => Some(s),
                _ => None,
            });
        }
        Ok(match formula {
            _ if twice => JsonItem::TwoFormulas,
            Some(Some(s)) => JsonItem::Formula(s),
            _ => JsonItem::NoFormula,
        })
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<JsonItem, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(JsonItem::List)
    }

    fn visit_i64<E>(self, _: i64) -> Result<JsonItem, E> {
        Ok(JsonItem::Number)
    }

    fn visit_u64<E>(self, _: u64) -> Result<JsonItem, E> {
        Ok(JsonItem::Number)
    }

    fn visit_f64<E>(self, _: f64) -> Result<JsonItem, E> {
        Ok(JsonItem::Number)
    }

    fn visit_bool<E>(self, _: bool) -> Result<JsonItem, E> {
        Ok(JsonItem::Other)
    }

    fn visit_unit<E>(self) -> Result<JsonItem, E> {
        Ok(JsonItem::Other)
    }
}

/// (place, formula) pairs of a plain list or a CSV/TSV table.
fn table_formulas(text: &str) -> Result<Vec<(Place, Cow<'_, str>)>, UserListError> {
    // `lines` takes CRLF and LF; a bare CR (old Mac files) also ends a line.
    let mut lines = text
        .lines()
        .flat_map(|l| l.split('\r'))
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    let Some((first_line, first)) = lines.next() else {
        return Ok(Vec::new());
    };
    let is_header = |cell: &str| FORMULA_HEADERS.iter().any(|h| cell.eq_ignore_ascii_case(h));
    let Some(separator) = ['\t', ';', ','].into_iter().find(|&s| first.contains(s)) else {
        // One formula per line (a one-column CSV: maybe a header, maybe quotes).
        let header = is_header(first.trim().trim_matches('"'));
        let rows = std::iter::once((first_line, first)).skip(usize::from(header));
        return rows
            .chain(lines)
            .map(|(line, l)| {
                if !l.contains('"') {
                    return Ok((("line", line), Cow::Borrowed(l.trim())));
                }
                // No line holds '\n', so this only unquotes.
                let mut cells = split_row(l, '\n').ok_or(UserListError::UnclosedQuote { line })?;
                Ok((("line", line), Cow::Owned(cells.swap_remove(0))))
            })
            .collect();
    };
    let header =
        split_row(first, separator).ok_or(UserListError::UnclosedQuote { line: first_line })?;
    let named = header
        .iter()
        .position(|c| FORMULA_HEADERS.iter().any(|h| c.eq_ignore_ascii_case(h)));
    // Without a header: formulas in the first column, or in every cell when
    // the first row is all formulas ("ZnO, Li2O, Fe2O3").
    let (column, every_cell, rows) = match named {
        Some(c) => (c, false, Vec::new()),
        None if header.iter().all(|c| Composition::parse(c).is_ok()) => {
            (0, true, vec![(first_line, header)])
        }
        None if Composition::parse(&header[0]).is_ok() => (0, false, vec![(first_line, header)]),
        None => {
            return Err(UserListError::NoFormulaColumn {
                header: first.to_string(),
            });
        }
    };
    let mut cells = rows;
    for (line, l) in lines {
        cells.push((
            line,
            split_row(l, separator).ok_or(UserListError::UnclosedQuote { line })?,
        ));
    }
    let mut formulas = Vec::new();
    for (line, row) in cells {
        let place = ("line", line);
        if every_cell {
            formulas.extend(
                row.into_iter()
                    .filter(|c| !c.is_empty())
                    .map(|c| (place, Cow::Owned(c))),
            );
        } else {
            match row.into_iter().nth(column).filter(|c| !c.is_empty()) {
                Some(cell) => formulas.push((place, Cow::Owned(cell))),
                None => {
                    return Err(UserListError::MissingCell {
                        line,
                        column: column + 1,
                    });
                }
            }
        }
    }
    Ok(formulas)
}

/// Cells of one CSV row, trimmed, as spreadsheets write them: a cell in
/// double quotes may hold the separator, `""` inside quotes is a quote.
/// `None` when a quote is left open.
fn split_row(line: &str, separator: char) -> Option<Vec<String>> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == separator && !quoted => {
                cells.push(std::mem::take(&mut cell).trim().to_string())
            }
            c => cell.push(c),
        }
    }
    if quoted {
        return None;
    }
    cells.push(cell.trim().to_string());
    Some(cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn materials_project_set_decodes_with_import_counts() {
        let mp = KnownSource::MaterialsProject.embedded().unwrap();
        // data/counts.json: 50,501 compositions of <= 4 elements among crabnet's 56,662 mp_e_hull formulas.
        assert_eq!(mp.len(), 50_501);
        for f in ["ZnO", "LiZnO2", "Li2ZnSn3O8", "Fe2O3", "NaCl"] {
            assert!(
                mp.contains(&Composition::parse(f).unwrap()),
                "{f} should be in MP"
            );
        }
        assert!(!mp.contains(&Composition::parse("Zn2O").unwrap()));
        let back: Vec<Composition> = mp.compositions().take(100).collect();
        assert!(back.iter().all(|c| mp.contains(c)));
    }

    #[test]
    fn listed_formulas_keep_their_places_and_the_bad_ones() {
        let got = list_formulas("\u{feff}ZnO\nQq\n# a note\nLi2O\n").unwrap();
        let want = [("line 1", "ZnO"), ("line 2", "Qq"), ("line 4", "Li2O")];
        assert_eq!(got, want.map(|(p, f)| (p.to_string(), f.to_string())));
        let got = list_formulas("id,formula\n1,Zn2O\n2,LiZnO\n").unwrap();
        assert_eq!(got[1], ("line 3".to_string(), "LiZnO".to_string()));
        let got = list_formulas(r#"["ZnO", {"formula": "Zn2O"}]"#).unwrap();
        assert_eq!(got[1], ("item 2".to_string(), "Zn2O".to_string()));
        assert!(list_formulas("[1]").is_err());
    }

    #[test]
    fn user_lists_in_three_shapes() {
        let plain = KnownSet::parse_user_list("mine", b"ZnO\n# note\n\nLi2O\n").unwrap();
        assert_eq!(plain.len(), 2);
        let csv =
            KnownSet::parse_user_list("mine", b"id,formula,energy\n1,Zn2O2,0.1\n2,LiZnO2,0.2\n")
                .unwrap();
        assert!(csv.contains(&Composition::parse("ZnO").unwrap()));
        let json =
            KnownSet::parse_user_list("mine", br#"["ZnO", {"formula": "Li6ZnO4"}]"#).unwrap();
        assert!(json.contains(&Composition::parse("Li6ZnO4").unwrap()));
        let err = |b: &[u8]| KnownSet::parse_user_list("x", b).unwrap_err().to_string();
        assert_eq!(
            err(b"ZnO\nZnQ2\n"),
            "line 2: 'ZnQ2': column 3: 'Q' is not an element symbol"
        );
        assert!(err(b"a,b\n1,2\n").contains("no 'formula' column"));
        assert!(err(b"[1, ").contains("not valid JSON"));
        assert!(err(b"\xff\xfe").contains("not UTF-8"));
        assert!(err(b"\n\n").contains("no formulas"));
    }

    #[test]
    fn user_lists_as_spreadsheets_and_scripts_write_them() {
        let read = |b: &[u8]| {
            let set = KnownSet::parse_user_list("mine", b).unwrap();
            let mut f: Vec<String> = set.compositions().map(|c| c.to_string()).collect();
            f.sort();
            f
        };
        let want = ["Li2O", "ZnO"];
        for text in [
            &b"id,formula,note\r\n1,ZnO,\"stable, cheap\"\r\n2,\"Li2O\",\"say \"\"hi\"\"\"\r\n"[..],
            b"\xef\xbb\xbfFormula;energy\nZnO;0,1\nLi2O;0,2\n",
            b"material_id\tformula_pretty\nmp-2133\tZnO\nmp-1960\tLi2O",
            b"ZnO\rLi2O\r",
            b"ZnO, Li2O",
            b"ZnO,0.1\nLi2O,0.2\n",
            br#"[{"formula": "ZnO", "energy": 1}, "Li2O"]"#,
            b"# my list\n  ZnO  \n\n\tLi2O\n",
            b"Formula\n\"ZnO\"\nLi2O\n",
        ] {
            assert_eq!(read(text), want, "{}", String::from_utf8_lossy(text));
        }
        let err = |b: &[u8]| KnownSet::parse_user_list("x", b).unwrap_err().to_string();
        assert_eq!(
            err(br#"["ZnO", 12]"#),
            "item 2 is a number; list formulas as strings (\"ZnO\") or objects with a \"formula\" string"
        );
        assert!(
            err(br#"[{"name": "ZnO"}]"#)
                .contains("item 1 is an object without a \"formula\" string")
        );
        assert!(err(br#"[null]"#).contains("item 1 is true, false or null"));
        assert!(err(br#"{"formula": "ZnO"}"#).contains("the JSON is not a list"));
        assert_eq!(
            err(b"formula,e\nZnO,1\n\"Li2O,2\n"),
            "line 3: a quoted cell is not closed on this line; close the quote (cells may not span lines)"
        );
        assert_eq!(
            err(b"id,formula\n1,ZnO\n2\n"),
            "line 3: no formula in column 2; every row needs one"
        );
        assert!(err(b"id,formula\n1,\n").starts_with("line 2: no formula in column 2"));
        assert!(err(b"\xff\xfeZ\x00").contains("save it as UTF-8"));
    }

    #[test]
    fn nothing_in_a_list_is_dropped_without_a_word() {
        let err = |b: &[u8]| KnownSet::parse_user_list("x", b).unwrap_err().to_string();
        // serde_json's Value keeps the last of two equal keys.
        assert_eq!(
            err(br#"["ZnO", {"formula": "Li2O", "id": 3, "formula": "ZnO2"}]"#),
            "item 2 is an object with two \"formula\" fields; list formulas as strings (\"ZnO\") or objects with a \"formula\" string"
        );
        assert!(err(br#"[{"formula": 1}]"#).contains("item 1 is an object without"));
        assert!(err(br#"[["ZnO"]]"#).contains("item 1 is a list"));
        assert!(err(br#"{"formula": "ZnO"}"#).contains("the JSON is not a list"));
        assert!(err(br#"[{"formula": "ZnO"}"#).contains("not valid JSON"));
        let json = KnownSet::parse_user_list(
            "x",
            br#"[{"n": [1, {"formula": 2}], "formula": "Zn\u004f"}]"#,
        )
        .unwrap();
        assert!(json.contains(&Composition::parse("ZnO").unwrap()));
        // Five elements or an amount past 511: never looked up, so said to be left out.
        let set = KnownSet::parse_user_list("x", b"ZnO\nLiNaKRbCsO\nFe512O\nLi2O\n").unwrap();
        assert_eq!(set.len(), 2);
        let left_out = set.left_out().unwrap();
        assert_eq!(
            (left_out.count, left_out.first_place.as_str()),
            (2, "line 2")
        );
        assert_eq!(
            left_out.to_string(),
            "2 formulas have more than 4 elements or an amount above 511 and can never be a composition of the atlas's maps; left out (the first: line 2, 'LiNaKRbCsO'), so explain calls such formulas unknown"
        );
        assert_eq!(
            KnownSet::parse_user_list("x", b"ZnO\n").unwrap().left_out(),
            None
        );
        assert!(
            KnownSet::parse_user_list("x", b"Fe511O\n")
                .unwrap()
                .left_out()
                .is_none()
        );
    }

    #[test]
    fn bad_packed_files_are_errors_not_panics() {
        assert!(KnownSet::from_packed("x", b"").is_err());
        assert!(KnownSet::from_packed("x", b"CAK1\x02\x00\x00\x00\x81").is_err());
        assert!(KnownSet::from_packed("x", b"CAK1\x01\x00\x00\x00\x01\x01").is_err());
        let packed = |keys: &[u64]| {
            let mut b = b"CAK1".to_vec();
            b.extend((keys.len() as u32).to_le_bytes());
            let mut prev = 0;
            for &k in keys {
                let mut d = k.wrapping_sub(prev);
                prev = k;
                while d >= 0x80 {
                    b.push(d as u8 | 0x80);
                    d >>= 7;
                }
                b.push(d as u8);
            }
            b
        };
        let key = |parts: &[(u8, u16)]| pack_key(parts.iter().copied());
        let zno = key(&[(8, 1), (30, 1)]);
        let set = KnownSet::from_packed("x", &packed(&[key(&[(3, 2), (8, 1)]), zno])).unwrap();
        assert_eq!(set.len(), 2);
        assert!(set.contains(&Composition::parse("ZnO").unwrap()));
        // Found by fuzzing (fuzz/artifacts/known_packed): keys that are not a
        // reduced composition decoded to a set that did not contain its members.
        let err = |keys: &[u64]| {
            KnownSet::from_packed("x", &packed(keys))
                .unwrap_err()
                .to_string()
        };
        for (bad, why) in [
            (key(&[(30, 1), (8, 1)]), "entry 1 is not a reduced"),
            (key(&[(8, 2), (30, 2)]), "entry 1 is not a reduced"),
            (key(&[(8, 0), (30, 1)]), "entry 1 is not a reduced"),
            (key(&[(104, 1), (105, 1)]), "entry 1 is not a reduced"),
            (0, "strictly increasing"),
        ] {
            assert!(err(&[bad]).contains(why), "{bad:x}: {}", err(&[bad]));
        }
        assert!(err(&[zno, zno]).contains("strictly increasing"));
        assert!(err(&[zno, 1]).contains("key overflow"));
        // A varint whose tenth byte carries more than the 64th bit.
        let mut long = b"CAK1\x01\x00\x00\x00".to_vec();
        long.extend([0xff; 9]);
        long.push(0x02);
        assert!(
            KnownSet::from_packed("x", &long)
                .unwrap_err()
                .to_string()
                .contains("varint too long")
        );
    }
}
