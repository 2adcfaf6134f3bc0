//! Everything the page shows, as a value that fits in a link.
//!
//! The page keeps its settings in the URL fragment (`#n=3&emb=magpie&red=tsne`)
//! so a shared link restores the same view. Only settings that differ from the
//! defaults are written, so links stay short. Reading a link never fails as a
//! whole: a bad parameter gets a [`ParamError`] that says what is wrong and
//! what was used instead, and every other parameter still applies.

use std::fmt;

use crate::chem::{ChemicalSystem, Composition, Element};
use crate::data::embeddings::{EMBEDDINGS, EmbeddingInfo};
use crate::data::{KnownSource, OxidationSet};
use crate::embed::PoolingStat;
use crate::enumerate::MAX_STOICH_LIMIT;
use crate::filter::DEFAULT_THRESHOLD;
use crate::label::Category;
use crate::pipeline::ReducerParams;
use crate::plot::colour::{ColourBy, Palette};
use crate::plot::viewport::ZOOM_LIMITS;

/// Names of every element embedding the page offers (ElementEmbeddings 0.8.0's).
pub fn embedding_names() -> Vec<&'static str> {
    EMBEDDINGS.iter().map(|e| e.name).collect()
}

/// The paper's six element embeddings, in the paper's order.
pub fn paper_embeddings() -> Vec<&'static str> {
    EMBEDDINGS
        .iter()
        .filter(|e| e.in_paper)
        .map(|e| e.name)
        .collect()
}

/// Names of ElementEmbeddings' pooling statistics, the paper's mean first.
pub fn pooling_names() -> Vec<&'static str> {
    PoolingStat::ALL.iter().map(|p| p.name()).collect()
}

/// Most compositions drawn per category.
pub const MAX_PER_CATEGORY: usize = 10_000;

/// The reducer in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reducer {
    Pca,
    Tsne,
    Umap,
}

impl Reducer {
    pub const ALL: [Reducer; 3] = [Reducer::Pca, Reducer::Tsne, Reducer::Umap];

    pub fn name(self) -> &'static str {
        match self {
            Reducer::Pca => "pca",
            Reducer::Tsne => "tsne",
            Reducer::Umap => "umap",
        }
    }

    pub fn from_name(name: &str) -> Option<Reducer> {
        Reducer::ALL.into_iter().find(|r| r.name() == name)
    }
}

/// Where the oxidation states come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OxChoice {
    Builtin(OxidationSet),
    /// A file the user uploaded; it is not part of a link.
    Uploaded,
}

/// Which compositions count as known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KnownSetting {
    Builtin(KnownSource),
    None,
    /// A list the user uploaded; it is not part of a link.
    Uploaded,
}

/// The page's panels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Map,
    Grid,
    Counts,
    System,
    Elements,
}

impl Tab {
    pub const ALL: [Tab; 5] = [Tab::Map, Tab::Grid, Tab::Counts, Tab::System, Tab::Elements];

    pub fn name(self) -> &'static str {
        match self {
            Tab::Map => "map",
            Tab::Grid => "grid",
            Tab::Counts => "counts",
            Tab::System => "system",
            Tab::Elements => "elements",
        }
    }

    pub fn from_name(name: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// The part of the map on screen: centre and zoom relative to the fitted view.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    pub cx: f64,
    pub cy: f64,
    pub zoom: f64,
}

/// Every setting of the page.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewState {
    pub order: usize,
    pub embedding: String,
    pub pooling: String,
    pub reducer: Reducer,
    pub n_neighbors: usize,
    pub min_dist: f32,
    pub perplexity: f32,
    pub ox: OxChoice,
    pub max_stoich: u32,
    pub known: KnownSetting,
    pub per_category: usize,
    pub seed: u64,
    pub colour: ColourBy,
    pub palette: Palette,
    /// Categories switched off in the legend.
    pub hidden: Vec<Category>,
    /// Show only compositions containing this element (from the periodic table).
    pub element: Option<Element>,
    /// A formula or element symbol to highlight.
    pub search: String,
    pub view: Option<View>,
    /// The composition whose details are open.
    pub focus: Option<String>,
    pub tab: Tab,
    pub system: String,
}

impl Default for ViewState {
    fn default() -> Self {
        ViewState {
            order: 2,
            embedding: "mat2vec".into(),
            pooling: "mean".into(),
            reducer: Reducer::Umap,
            n_neighbors: 15,
            min_dist: 0.1,
            perplexity: 30.0,
            ox: OxChoice::Builtin(OxidationSet::Smact14),
            max_stoich: DEFAULT_THRESHOLD,
            known: KnownSetting::Builtin(KnownSource::MaterialsProject),
            per_category: 3000,
            seed: 42,
            colour: ColourBy::Category,
            palette: Palette::Paper,
            hidden: Vec::new(),
            element: None,
            search: String::new(),
            view: None,
            focus: None,
            tab: Tab::Map,
            system: "Li-Zn-Sn-O".into(),
        }
    }
}

/// A link parameter that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    pub key: String,
    pub value: String,
    /// What is wrong and what was used instead.
    pub problem: String,
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "link setting '{}={}': {}",
            self.key, self.value, self.problem
        )
    }
}

impl std::error::Error for ParamError {}

/// Reads a whole number in `lo..=hi`.
fn whole<T: std::str::FromStr + PartialOrd + fmt::Display + Copy>(
    value: &str,
    lo: T,
    hi: T,
    what: &str,
) -> Result<T, String> {
    match value.parse::<T>() {
        Ok(v) if v >= lo && v <= hi => Ok(v),
        _ => Err(format!("{what} must be a whole number from {lo} to {hi}")),
    }
}

fn decimal(value: &str, lo: f32, hi: f32, what: &str) -> Result<f32, String> {
    match value.parse::<f32>() {
        Ok(v) if v.is_finite() && v >= lo && v <= hi => Ok(v),
        _ => Err(format!("{what} must be a number from {lo} to {hi}")),
    }
}

fn one_of<T>(
    value: &str,
    parse: impl Fn(&str) -> Option<T>,
    names: &[&str],
    what: &str,
) -> Result<T, String> {
    parse(value).ok_or_else(|| format!("{what} must be one of {}", names.join(", ")))
}

impl ViewState {
    /// The reducer with its parameters, seeded like the sample.
    pub fn reducer_params(&self) -> ReducerParams {
        match self.reducer {
            Reducer::Pca => ReducerParams::Pca,
            Reducer::Tsne => ReducerParams::Tsne {
                perplexity: self.perplexity,
                seed: self.seed,
            },
            Reducer::Umap => ReducerParams::Umap {
                n_neighbors: self.n_neighbors,
                min_dist: self.min_dist,
                seed: self.seed,
            },
        }
    }

    /// The settings as `key=value` pairs, defaults left out, in a fixed order.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let d = ViewState::default();
        let mut out: Vec<(&'static str, String)> = Vec::new();
        let mut put = |key: &'static str, value: String, default: String| {
            if value != default {
                out.push((key, value));
            }
        };
        put("tab", self.tab.name().into(), d.tab.name().into());
        put("n", self.order.to_string(), d.order.to_string());
        put("emb", self.embedding.clone(), d.embedding.clone());
        put("pool", self.pooling.clone(), d.pooling.clone());
        put("red", self.reducer.name().into(), d.reducer.name().into());
        put(
            "nn",
            self.n_neighbors.to_string(),
            d.n_neighbors.to_string(),
        );
        put("md", self.min_dist.to_string(), d.min_dist.to_string());
        put(
            "perp",
            self.perplexity.to_string(),
            d.perplexity.to_string(),
        );
        let ox = |o: OxChoice| match o {
            OxChoice::Builtin(s) => s.name().to_string(),
            OxChoice::Uploaded => "upload".into(),
        };
        put("ox", ox(self.ox), ox(d.ox));
        put("ms", self.max_stoich.to_string(), d.max_stoich.to_string());
        let db = |k: KnownSetting| match k {
            KnownSetting::Builtin(s) => s.name().to_string(),
            KnownSetting::None => "none".into(),
            KnownSetting::Uploaded => "upload".into(),
        };
        put("db", db(self.known), db(d.known));
        put(
            "k",
            self.per_category.to_string(),
            d.per_category.to_string(),
        );
        put("seed", self.seed.to_string(), d.seed.to_string());
        put("col", self.colour.name(), d.colour.name());
        put("pal", self.palette.name().into(), d.palette.name().into());
        let hidden: Vec<&str> = Category::ALL
            .iter()
            .filter(|c| self.hidden.contains(c))
            .map(|c| c.name())
            .collect();
        put("hide", hidden.join(","), String::new());
        put(
            "el",
            self.element
                .map(|e| e.symbol().to_string())
                .unwrap_or_default(),
            String::new(),
        );
        put("q", self.search.clone(), String::new());
        let view = self
            .view
            .map(|v| format!("{},{},{}", v.cx as f32, v.cy as f32, v.zoom as f32))
            .unwrap_or_default();
        put("v", view, String::new());
        put("sel", self.focus.clone().unwrap_or_default(), String::new());
        put("sys", self.system.clone(), d.system.clone());
        out
    }

    /// The URL fragment (without '#'), percent-encoded.
    pub fn to_fragment(&self) -> String {
        let pairs: Vec<String> = self
            .to_pairs()
            .into_iter()
            .map(|(k, v)| format!("{k}={}", percent_encode(&v)))
            .collect();
        pairs.join("&")
    }

    /// Reads a URL fragment (with or without '#', or a query with '?'). Bad
    /// parameters keep their defaults and are reported; the rest apply.
    pub fn from_fragment(fragment: &str) -> (ViewState, Vec<ParamError>) {
        let mut state = ViewState::default();
        let mut errors = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        let body = fragment.trim_start_matches(['#', '?']);
        for piece in body.split('&').filter(|p| !p.is_empty()) {
            let (raw_key, raw_value) = piece.split_once('=').unwrap_or((piece, ""));
            let key = percent_decode(raw_key);
            let value = percent_decode(raw_value);
            let mut fail = |problem: String| {
                let shown: String = value.chars().take(40).collect();
                errors.push(ParamError {
                    key: key.clone(),
                    value: shown,
                    problem,
                });
            };
            if seen.contains(&key) {
                fail("given more than once; the first is used".into());
                continue;
            }
            seen.push(key.clone());
            if let Err((problem, fallback)) = state.apply(&key, value.trim()) {
                fail(format!("{problem}; {fallback}"));
            }
        }
        (state, errors)
    }

    /// Sets the link parameter `key` (as the page's controls do), or says
    /// what is wrong with `value`; then nothing changes.
    pub fn set_param(&mut self, key: &str, value: &str) -> Result<(), String> {
        self.apply(key, value.trim())
            .map_err(|(problem, _)| problem)
    }

    /// Sets one parameter, or says what is wrong and what a link reader falls
    /// back to (then nothing changes).
    fn apply(&mut self, key: &str, value: &str) -> Result<(), (String, String)> {
        let d = ViewState::default();
        let using = |what: String, default: &dyn fmt::Display| (what, format!("using {default}"));
        let note = |what: String, fallback: &str| (what, fallback.to_string());
        match key {
            "tab" => {
                let names: Vec<&str> = Tab::ALL.iter().map(|t| t.name()).collect();
                self.tab = one_of(value, Tab::from_name, &names, "the panel").map_err(|e| using(e, &d.tab.name()))?;
            }
            "n" => self.order = whole(value, 2, 4, "the order (number of elements)").map_err(|e| using(e, &d.order))?,
            "emb" => {
                if EmbeddingInfo::from_name(value).is_none() {
                    let names = embedding_names().join(", ");
                    let problem = format!("no element embedding is called '{value}'; choose one of {names}");
                    return Err(using(problem, &d.embedding));
                }
                self.embedding = value.into();
            }
            "pool" => {
                if PoolingStat::from_name(value).is_none() {
                    let problem = format!("pooling must be one of {}", pooling_names().join(", "));
                    return Err(using(problem, &d.pooling));
                }
                self.pooling = value.into();
            }
            "red" => {
                self.reducer = one_of(value, Reducer::from_name, &["pca", "tsne", "umap"], "the reducer")
                    .map_err(|e| using(e, &d.reducer.name()))?;
            }
            "nn" => self.n_neighbors = whole(value, 2, 200, "UMAP's n_neighbors").map_err(|e| using(e, &d.n_neighbors))?,
            "md" => self.min_dist = decimal(value, 0.0, 1.0, "UMAP's min_dist").map_err(|e| using(e, &d.min_dist))?,
            "perp" => self.perplexity = decimal(value, 2.0, 100.0, "t-SNE's perplexity").map_err(|e| using(e, &d.perplexity))?,
            "ox" => {
                if value == "upload" {
                    return Err(note("an uploaded oxidation-state file is not part of a link; upload it again".into(), "using smact14 meanwhile"));
                }
                let names: Vec<&str> = OxidationSet::ALL.iter().map(|s| s.name()).collect();
                self.ox = OxChoice::Builtin(
                    one_of(value, OxidationSet::from_name, &names, "the oxidation-state set").map_err(|e| using(e, &"smact14"))?,
                );
            }
            "ms" => {
                self.max_stoich = whole(value, 1, MAX_STOICH_LIMIT, "the maximum stoichiometry").map_err(|e| using(e, &d.max_stoich))?
            }
            "db" => {
                self.known = match value {
                    "none" => KnownSetting::None,
                    "upload" => {
                        return Err(note("an uploaded formula list is not part of a link; upload it again".into(), "using mp meanwhile"));
                    }
                    _ => KnownSetting::Builtin(
                        one_of(value, KnownSource::from_name, &["mp", "oqmd", "aflow", "none"], "the database")
                            .map_err(|e| using(e, &"mp"))?,
                    ),
                }
            }
            "k" => {
                self.per_category = whole(value, 1, MAX_PER_CATEGORY, "samples per category").map_err(|e| using(e, &d.per_category))?
            }
            "seed" => self.seed = whole(value, 0, u64::MAX, "the seed").map_err(|e| using(e, &d.seed))?,
            "col" => {
                self.colour = ColourBy::from_name(value).ok_or_else(|| {
                    using("colour by must be category, anion or prop:NAME (pauling, mass, r_cov, e_affinity, ion_pot, dipol, abundance)".into(), &"category")
                })?
            }
            "pal" => {
                self.palette = one_of(value, Palette::from_name, &["paper", "cb"], "the palette").map_err(|e| using(e, &"paper"))?
            }
            "hide" => {
                let mut hidden = Vec::new();
                for name in value.split(',').filter(|s| !s.is_empty()) {
                    let c = Category::from_name(name).ok_or_else(|| {
                        note(format!("'{name}' is not a category (standard, missing, interesting, unlikely)"), "showing all")
                    })?;
                    hidden.push(c);
                }
                self.hidden = hidden;
            }
            "el" => {
                self.element = Some(Element::from_symbol(value).map_err(|e| note(e.to_string(), "showing every element"))?);
            }
            "q" => {
                if !value.is_empty() && Element::from_symbol(value).is_err() {
                    Composition::parse(value).map_err(|e| note(e.to_string(), "nothing highlighted"))?;
                }
                self.search = value.into();
            }
            "v" => {
                // Links carry the view as f32 (short), so it is read as f32:
                // a value past f32's range would be written back as "inf".
                let parts: Vec<f64> = value
                    .split(',')
                    .map(|p| p.parse::<f32>().ok().filter(|v| v.is_finite()).map(f64::from))
                    .collect::<Option<_>>()
                    .unwrap_or_default();
                match parts[..] {
                    [cx, cy, zoom] if (ZOOM_LIMITS.0..=ZOOM_LIMITS.1).contains(&zoom) => self.view = Some(View { cx, cy, zoom }),
                    _ => {
                        return Err(note(
                            format!(
                                "the view must be three numbers 'x,y,zoom' with zoom from {} to {}",
                                ZOOM_LIMITS.0, ZOOM_LIMITS.1
                            ),
                            "showing the whole map",
                        ));
                    }
                }
            }
            "sel" => {
                let c = Composition::parse(value).map_err(|e| note(e.to_string(), "no details shown"))?;
                self.focus = Some(c.to_string());
            }
            "sys" => {
                ChemicalSystem::parse(value).map_err(|e| using(e.to_string(), &d.system))?;
                self.system = value.into();
            }
            _ => {
                return Err(note("not a setting of this page".into(), "ignored (the others apply)"));
            }
        }
        Ok(())
    }
}

/// Percent-encodes everything but unreserved characters and a few that are
/// safe and readable in a fragment (`,` `-` `.` `_` `~` `:` `(` `)`).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b",-._~:()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Reverses [`percent_encode`] (and reads '+' as a space, as forms write
/// it). Malformed escapes are kept as written; invalid UTF-8 is replaced.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_make_an_empty_link_and_everything_round_trips() {
        assert_eq!(ViewState::default().to_fragment(), "");
        let state = ViewState {
            order: 3,
            embedding: "magpie".into(),
            pooling: "maxpool".into(),
            reducer: Reducer::Tsne,
            n_neighbors: 30,
            min_dist: 0.25,
            perplexity: 12.5,
            ox: OxChoice::Builtin(OxidationSet::Icsd24),
            max_stoich: 6,
            known: KnownSetting::None,
            per_category: 500,
            seed: 7,
            colour: ColourBy::Property(crate::plot::colour::ElementProperty::Pauling),
            palette: Palette::ColourBlindSafe,
            hidden: vec![Category::Missing, Category::Unlikely],
            element: Element::from_symbol("Zn").ok(),
            search: "Li2ZnSn3O8".into(),
            view: Some(View {
                cx: 1.5,
                cy: -2.25,
                zoom: 4.0,
            }),
            focus: Some("ZnO2".into()),
            tab: Tab::System,
            system: "Li-Zn-O".into(),
        };
        let fragment = state.to_fragment();
        let (back, errors) = ViewState::from_fragment(&format!("#{fragment}"));
        assert_eq!(errors, []);
        assert_eq!(back, state);
        assert!(
            fragment.contains("col=prop:pauling") && fragment.contains("hide=missing,unlikely"),
            "{fragment}"
        );
    }

    #[test]
    fn a_bad_parameter_is_reported_and_only_it_falls_back() {
        let (state, errors) = ViewState::from_fragment(
            "#n=3&ms=99&emb=word2vec&red=umap&nn=1&seed=-4&q=Zn2Qq&wat=1&n=4",
        );
        assert_eq!(state.order, 3, "good settings still apply");
        assert_eq!(state.max_stoich, 8);
        assert_eq!(state.embedding, "mat2vec");
        assert_eq!(state.n_neighbors, 15);
        assert_eq!(state.search, "");
        let keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["ms", "emb", "nn", "seed", "q", "wat", "n"]);
        assert_eq!(
            errors[0].to_string(),
            "link setting 'ms=99': the maximum stoichiometry must be a whole number from 1 to 16; using 8"
        );
        assert!(
            errors[1]
                .problem
                .contains("no element embedding is called 'word2vec'")
        );
        assert!(
            errors[4].problem.contains("'Qq' is not an element symbol"),
            "{}",
            errors[4].problem
        );
        assert!(errors[6].problem.contains("more than once"));
        let (state, errors) =
            ViewState::from_fragment("ox=upload&db=upload&v=1,2&hide=standard,blue");
        assert_eq!(state.ox, OxChoice::Builtin(OxidationSet::Smact14));
        assert_eq!(state.view, None);
        assert_eq!(state.hidden, []);
        assert_eq!(errors.len(), 4);
        assert!(errors[0].problem.contains("upload it again"));
    }

    #[test]
    fn views_read_back_exactly_from_the_links_they_write() {
        // Found by fuzzing (fuzz/artifacts/view_state): a centre past f32's
        // range was accepted, written as "inf" and refused on reading back.
        let (state, errors) = ViewState::from_fragment("v=0.1,2e69,2");
        assert_eq!(state.view, None);
        assert_eq!(errors.len(), 1);
        for v in [
            "0.123456789,-3.3333333333,2.5",
            "1e30,-1e-30,0.05",
            "0,0,2000",
        ] {
            let (state, errors) = ViewState::from_fragment(&format!("v={v}"));
            assert!(errors.is_empty() && state.view.is_some(), "{v}: {errors:?}");
            let (again, errors) = ViewState::from_fragment(&state.to_fragment());
            assert!(errors.is_empty());
            assert_eq!(again, state, "{v}");
        }
        assert!(!ViewState::from_fragment("v=0.1,x,2,3").1.is_empty());
    }

    #[test]
    fn percent_coding() {
        assert_eq!(percent_encode("Ca(OH)2 & x=1#"), "Ca(OH)2%20%26%20x%3D1%23");
        assert_eq!(percent_decode(&percent_encode("Li–Zn ö")), "Li–Zn ö");
        assert_eq!(percent_decode("a+b%2"), "a b%2");
        assert_eq!(percent_decode("%zz%"), "%zz%");
    }
}
