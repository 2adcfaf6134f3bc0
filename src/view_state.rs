//! Everything the page shows, as a value that fits in a link.
//!
//! The page keeps its settings in the URL fragment (`#n=3&emb=magpie&red=tsne`)
//! so a shared link restores the same view: the settings, the part of the map
//! on screen, the composition in focus, the search, the selection, hidden
//! categories and the panel. Only values that differ from the defaults are
//! written, so links stay short. Keys, ranges and defaults come from
//! [`crate::params`]. Reading a link never fails as a whole: every bad
//! parameter gets a [`ParamError`] that says what is wrong and what was used
//! instead, and every other parameter still applies.

use crate::sample::SampleSize;
use std::fmt;

use crate::chem::{ChemicalSystem, Composition, Element};
use crate::data::embeddings::EMBEDDINGS;
use crate::data::{Commonality, Icsd24Filter, KnownSource, OxidationSet};
use crate::embed::PoolingStat;
use crate::filter::FilterOptions;
use crate::label::Category;
use crate::params::{self, Kind, LINKED, Param, UPLOAD};
use crate::pipeline::ReducerParams;
use crate::plot::Selections;
use crate::plot::colour::{ColourBy, Palette};
use crate::plot::viewport::ZOOM_LIMITS;
pub use crate::reduce::Method;

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

/// Where the oxidation states come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OxChoice {
    Builtin(OxidationSet),
    /// The file the user uploaded (a link says `ox=upload`; it restores only
    /// where that file is still in memory).
    Uploaded,
}

/// Which compositions count as known: a database, the user's uploaded list,
/// or the list added to the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownSetting {
    pub database: Option<KnownSource>,
    pub upload: bool,
}

impl KnownSetting {
    pub const MP: KnownSetting = KnownSetting {
        database: Some(KnownSource::MaterialsProject),
        upload: false,
    };

    /// As a link writes it: "mp", "none", "upload" or "mp,upload".
    pub fn name(self) -> String {
        match (self.database, self.upload) {
            (Some(d), false) => d.name().into(),
            (None, false) => "none".into(),
            (None, true) => UPLOAD.into(),
            (Some(d), true) => format!("{},{UPLOAD}", d.name()),
        }
    }

    fn from_name(value: &str) -> Result<KnownSetting, String> {
        let (base, upload) = match value.split_once(',') {
            Some((base, UPLOAD)) => (base, true),
            Some(_) => return Err("a database may only be followed by ',upload'".into()),
            None if value == UPLOAD => {
                return Ok(KnownSetting {
                    database: None,
                    upload: true,
                });
            }
            None => (value, false),
        };
        let database = match base {
            "none" => None,
            _ => Some(
                KnownSource::from_name(base)
                    .ok_or_else(|| params::DATABASE.choice(base).unwrap_err())?,
            ),
        };
        Ok(KnownSetting { database, upload })
    }
}

/// The page's panels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Map,
    Grid,
    Counts,
    System,
    Elements,
    Quiz,
    Glossary,
}

impl Tab {
    pub const ALL: [Tab; 7] = [
        Tab::Map,
        Tab::Grid,
        Tab::System,
        Tab::Elements,
        Tab::Counts,
        Tab::Quiz,
        Tab::Glossary,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Tab::Map => "map",
            Tab::Grid => "grid",
            Tab::Counts => "counts",
            Tab::System => "system",
            Tab::Elements => "elements",
            Tab::Quiz => "quiz",
            Tab::Glossary => "glossary",
        }
    }

    pub fn from_name(name: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// The part of the map on screen: centre (map coordinates) and zoom relative
/// to the whole map fitted to the screen, so a link shows the same region on
/// a screen of another size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    pub cx: f64,
    pub cy: f64,
    pub zoom: f64,
}

impl View {
    /// The view as a link carries it (f32 numbers), so a view read back from
    /// its link is exactly itself.
    pub fn rounded(self) -> View {
        let r = |v: f64| f64::from(v as f32);
        View {
            cx: r(self.cx),
            cy: r(self.cy),
            zoom: r(self.zoom),
        }
    }
}

/// Every setting of the page.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewState {
    pub order: usize,
    pub embedding: String,
    pub pooling: String,
    pub reducer: Method,
    pub n_neighbors: usize,
    pub min_dist: f32,
    pub perplexity: f32,
    pub ox: OxChoice,
    pub max_stoich: u32,
    pub known: KnownSetting,
    /// Compositions per category, or the whole space (`k=all`).
    pub sample_size: SampleSize,
    pub seed: u64,
    pub colour: ColourBy,
    pub palette: Palette,
    /// Categories switched off in the legend.
    pub hidden: Vec<Category>,
    /// Show only compositions containing this element (from the periodic table).
    pub element: Option<Element>,
    /// A formula or element symbol to ring on the map.
    pub search: String,
    /// The part of the map on screen; `None` is the whole map.
    pub view: Option<View>,
    /// The composition whose details are open (canonical formula).
    pub focus: Option<String>,
    pub tab: Tab,
    pub system: String,
    /// Boxes and lassos drawn on the map.
    pub selection: Selections,
    /// The seed of the quiz's sequence.
    pub quiz: u64,
    /// SMACT's smact_validity options (all off: the paper's filter).
    pub filter: FilterOptions,
    /// Formulas placed on the map (canonical, in the order given, at most
    /// [`params::MAX_PLACED`]).
    pub place: Vec<String>,
    /// Density contours under the points.
    pub density: bool,
}

impl Default for ViewState {
    /// Every value from [`crate::params`]' defaults.
    fn default() -> Self {
        let mut state = ViewState {
            order: 2,
            embedding: String::new(),
            pooling: String::new(),
            reducer: Method::Umap,
            n_neighbors: 0,
            min_dist: 0.0,
            perplexity: 0.0,
            ox: OxChoice::Builtin(OxidationSet::Smact14),
            max_stoich: 0,
            known: KnownSetting::MP,
            sample_size: SampleSize::PerCategory(0),
            seed: 0,
            colour: ColourBy::Category,
            palette: Palette::Paper,
            hidden: Vec::new(),
            element: None,
            search: String::new(),
            view: None,
            focus: None,
            tab: Tab::Map,
            system: String::new(),
            selection: Selections::default(),
            quiz: 0,
            filter: FilterOptions::default(),
            place: Vec::new(),
            density: false,
        };
        for p in LINKED {
            state
                .set(p.key, p.default)
                .expect("params' defaults are accepted (tested)");
        }
        state
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

fn cut(value: &str) -> String {
    let shown: String = value.chars().take(40).collect();
    if shown.len() < value.len() {
        format!("{shown}…")
    } else {
        shown
    }
}

impl ViewState {
    /// The reducer with its parameters, seeded like the sample.
    pub fn reducer_params(&self) -> ReducerParams {
        match self.reducer {
            Method::Pca => ReducerParams::Pca,
            Method::Tsne => ReducerParams::Tsne {
                perplexity: self.perplexity,
                seed: self.seed,
            },
            Method::Umap => ReducerParams::Umap {
                n_neighbors: self.n_neighbors,
                min_dist: self.min_dist,
                seed: self.seed,
            },
        }
    }

    /// The value of setting `key` as a link writes it ("" for an unknown key).
    pub fn get(&self, key: &str) -> String {
        match key {
            "tab" => self.tab.name().into(),
            "n" => self.order.to_string(),
            "emb" => self.embedding.clone(),
            "pool" => self.pooling.clone(),
            "red" => self.reducer.name().into(),
            "nn" => self.n_neighbors.to_string(),
            "md" => self.min_dist.to_string(),
            "perp" => self.perplexity.to_string(),
            "ox" => match self.ox {
                OxChoice::Builtin(s) => s.name().into(),
                OxChoice::Uploaded => UPLOAD.into(),
            },
            "ms" => self.max_stoich.to_string(),
            "db" => self.known.name(),
            "k" => self.sample_size.name(),
            "seed" => self.seed.to_string(),
            "col" => self.colour.name(),
            "pal" => self.palette.name().into(),
            "hide" => Category::ALL
                .iter()
                .filter(|c| self.hidden.contains(c))
                .map(|c| c.name())
                .collect::<Vec<_>>()
                .join(","),
            "el" => self
                .element
                .map(|e| e.symbol().to_string())
                .unwrap_or_default(),
            "q" => self.search.clone(),
            "v" => self
                .view
                .map(|v| format!("{},{},{}", v.cx as f32, v.cy as f32, v.zoom as f32))
                .unwrap_or_default(),
            "sel" => self.focus.clone().unwrap_or_default(),
            "sys" => self.system.clone(),
            "area" => self.selection.to_link(),
            "quiz" => self.quiz.to_string(),
            "mv" => flag(self.filter.mixed_valence),
            "alloys" => flag(self.filter.include_alloys),
            "cons" => self
                .filter
                .icsd24
                .map(|f| f.consensus.to_string())
                .unwrap_or_default(),
            "comm" => self
                .filter
                .icsd24
                .map_or("low".into(), |f| f.commonality.to_string()),
            "place" => self.place.join(","),
            "dens" => if self.density { "1" } else { "0" }.into(),
            _ => String::new(),
        }
    }

    /// Sets setting `key` from `value` as a link or the form gives it, or
    /// says what is wrong (then nothing changes).
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let value = value.trim();
        let p = params::by_key(key).ok_or_else(|| "not a setting of this page".to_string())?;
        match key {
            "tab" => self.tab = Tab::from_name(p.choice(value)?).expect("listed"),
            "n" => self.order = p.choice(value)?.parse().expect("listed"),
            "emb" => self.embedding = p.choice(value)?.into(),
            "pool" => self.pooling = p.choice(value)?.into(),
            "red" => self.reducer = Method::from_name(p.choice(value)?).expect("listed"),
            "nn" => self.n_neighbors = p.whole(value)? as usize,
            "md" => self.min_dist = p.decimal(value)?,
            "perp" => self.perplexity = p.decimal(value)?,
            "ox" => {
                self.ox = match p.choice(value)? {
                    UPLOAD => OxChoice::Uploaded,
                    name => OxChoice::Builtin(OxidationSet::from_name(name).expect("listed")),
                };
                // The ICSD 2024 thresholds choose icsd24's states only.
                if self.ox != OxChoice::Builtin(OxidationSet::Icsd24) {
                    self.filter.icsd24 = None;
                }
            }
            "mv" => self.filter.mixed_valence = p.flag(value)?,
            "alloys" => self.filter.include_alloys = p.flag(value)?,
            "cons" => self.filter.icsd24 = self.thresholds(value, None)?,
            "comm" => {
                let commonality = match p.choice(value)? {
                    "medium" => Commonality::Medium,
                    "high" => Commonality::High,
                    "main" => Commonality::Main,
                    _ => Commonality::Low,
                };
                if self.filter.icsd24.is_some() || commonality != Commonality::Low {
                    let consensus = self.get("cons");
                    let consensus = if consensus.is_empty() {
                        "3"
                    } else {
                        &consensus
                    };
                    self.filter.icsd24 = self.thresholds(consensus, Some(commonality))?;
                }
            }
            "ms" => self.max_stoich = p.whole(value)? as u32,
            "db" => self.known = KnownSetting::from_name(value)?,
            "k" => {
                self.sample_size = SampleSize::parse(value)
                    .map_err(|_| format!("{} must be {}", p.label, p.accepted()))?
            }
            "seed" => self.seed = p.whole(value)?,
            "col" => self.colour = ColourBy::from_name(p.choice(value)?).expect("listed"),
            "pal" => self.palette = Palette::from_name(p.choice(value)?).expect("listed"),
            "hide" => {
                let mut hidden = Vec::new();
                for name in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    let c = Category::from_name(name).ok_or_else(|| {
                        format!(
                            "'{name}' is not a category (standard, missing, interesting, unlikely)"
                        )
                    })?;
                    if !hidden.contains(&c) {
                        hidden.push(c);
                    }
                }
                self.hidden = hidden;
            }
            "el" => {
                self.element = if value.is_empty() {
                    None
                } else {
                    Some(Element::from_symbol(value).map_err(|e| e.to_string())?)
                }
            }
            "q" => {
                if !value.is_empty() && Element::from_symbol(value).is_err() {
                    Composition::parse(value).map_err(|e| e.to_string())?;
                }
                self.search = value.into();
            }
            "v" => self.view = read_view(value)?,
            "sel" => {
                self.focus = if value.is_empty() {
                    None
                } else {
                    Some(
                        Composition::parse(value)
                            .map_err(|e| e.to_string())?
                            .to_string(),
                    )
                }
            }
            "sys" => {
                ChemicalSystem::parse(value).map_err(|e| e.to_string())?;
                self.system = value.into();
            }
            "area" => self.selection = Selections::from_link(value)?,
            "quiz" => self.quiz = p.whole(value)?,
            "place" => self.place = read_placed(value)?,
            "dens" => self.density = p.flag(value)?,
            _ => return Err("not a setting of this page".into()),
        }
        Ok(())
    }

    /// SMACT's ICSD24 filter at `consensus` reports ("" for the icsd24 file),
    /// for the icsd24 set only.
    fn thresholds(
        &self,
        consensus: &str,
        commonality: Option<Commonality>,
    ) -> Result<Option<Icsd24Filter>, String> {
        if consensus.is_empty() {
            return Ok(None);
        }
        if self.ox != OxChoice::Builtin(OxidationSet::Icsd24) {
            return Err(
                "the ICSD 2024 thresholds apply to the icsd24 set only; choose icsd24 first".into(),
            );
        }
        let consensus = consensus
            .parse::<u32>()
            .ok()
            .filter(|&c| c <= 100_000)
            .ok_or_else(|| {
                "the fewest reports must be a whole number from 0 to 100000".to_string()
            })?;
        let current = self.filter.icsd24.unwrap_or_default();
        Ok(Some(Icsd24Filter {
            consensus,
            commonality: commonality.unwrap_or(current.commonality),
            include_zero: current.include_zero,
        }))
    }

    /// The settings as `key=value` pairs, defaults left out, in a fixed order.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        LINKED
            .iter()
            .map(|p| (p.key, self.get(p.key)))
            .filter(|(key, value)| Some(value.as_str()) != default_of(key))
            .collect()
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
    /// parameters keep their defaults and are all reported; the rest apply.
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
                errors.push(ParamError {
                    key: cut(&key),
                    value: cut(&value),
                    problem,
                })
            };
            if seen.contains(&key) {
                fail("given more than once; the first is used".into());
                continue;
            }
            seen.push(key.clone());
            if let Err(problem) = state.set(&key, &value) {
                let fallback = match params::by_key(&key) {
                    None => "ignored (the others apply)".to_string(),
                    Some(p) => fallback(p),
                };
                fail(format!("{problem}; {fallback}"));
            }
        }
        (state, errors)
    }
}

fn flag(on: bool) -> String {
    if on { "1" } else { "0" }.into()
}

fn default_of(key: &str) -> Option<&'static str> {
    params::by_key(key).map(|p| p.default)
}

/// What a link reader uses instead of a bad value.
fn fallback(p: &Param) -> String {
    match (p.key, p.kind) {
        ("hide", _) => "showing all categories".into(),
        ("el", _) => "showing every element".into(),
        ("q", _) => "nothing ringed".into(),
        ("v", _) => "showing the whole map".into(),
        ("sel", _) => "no details shown".into(),
        ("area", _) => "nothing selected".into(),
        ("place", _) => "nothing placed".into(),
        (_, Kind::Text) => format!("using {}", p.default),
        _ => format!("using {}", p.default),
    }
}

/// A link's comma-separated formulas to place, canonical and without
/// repeats; more than [`params::MAX_PLACED`] are refused as a whole.
fn read_placed(value: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for piece in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let c = Composition::parse(piece).map_err(|e| format!("'{piece}': {e}"))?;
        let formula = c.to_string();
        if !out.contains(&formula) {
            out.push(formula);
        }
    }
    if out.len() > params::MAX_PLACED {
        return Err(format!(
            "{} formulas; a link places at most {}, so place fewer or share them as a file",
            out.len(),
            params::MAX_PLACED
        ));
    }
    Ok(out)
}

fn read_view(value: &str) -> Result<Option<View>, String> {
    if value.is_empty() {
        return Ok(None);
    }
    // Links carry the view as f32 (short), so it is read as f32: a value
    // past f32's range would be written back as "inf".
    let parts = crate::plot::selection::finite_f32s(value).unwrap_or_default();
    match parts[..] {
        [cx, cy, zoom] if (ZOOM_LIMITS.0..=ZOOM_LIMITS.1).contains(&zoom) => {
            Ok(Some(View { cx, cy, zoom }))
        }
        _ => Err(format!(
            "the view must be three numbers 'x,y,zoom' with zoom from {} to {}",
            ZOOM_LIMITS.0, ZOOM_LIMITS.1
        )),
    }
}

/// Names of ElementEmbeddings' pooling statistics, the paper's mean first.
pub fn pooling_names() -> Vec<&'static str> {
    PoolingStat::ALL.iter().map(|p| p.name()).collect()
}

/// Percent-encodes everything but unreserved characters and a few that are
/// safe and readable in a fragment (`,` `-` `.` `_` `~` `:` `(` `)` `;`).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b",-._~:();".contains(&b) {
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
    use crate::plot::{Selection, SelectionOp};

    #[test]
    fn defaults_make_an_empty_link_and_everything_round_trips() {
        assert_eq!(ViewState::default().to_fragment(), "");
        let mut selection = Selections::default();
        selection.apply(
            SelectionOp::Replace,
            &Selection::Box {
                x0: 0.5,
                y0: -1.0,
                x1: 2.0,
                y1: 3.25,
            },
        );
        let state = ViewState {
            order: 3,
            embedding: "magpie".into(),
            pooling: "maxpool".into(),
            reducer: Method::Tsne,
            n_neighbors: 30,
            min_dist: 0.25,
            perplexity: 12.5,
            ox: OxChoice::Builtin(OxidationSet::Icsd24),
            max_stoich: 6,
            known: KnownSetting {
                database: Some(KnownSource::Oqmd),
                upload: true,
            },
            sample_size: SampleSize::PerCategory(500),
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
            selection,
            quiz: 9,
            filter: FilterOptions {
                mixed_valence: true,
                include_alloys: false,
                icsd24: None,
            },
            place: vec!["Zn2O".into(), "LiZnO".into()],
            density: true,
        };
        let fragment = state.to_fragment();
        let (back, errors) = ViewState::from_fragment(&format!("#{fragment}"));
        assert_eq!(errors, []);
        assert_eq!(back, state);
        for part in [
            "col=prop:pauling",
            "hide=missing,unlikely",
            "db=oqmd,upload",
            "area=b:0.5,-1,2,3.25",
            "place=Zn2O,LiZnO&dens=1",
        ] {
            assert!(fragment.contains(part), "{part} in {fragment}");
        }
    }

    #[test]
    fn the_whole_space_is_k_all() {
        let (state, errors) = ViewState::from_fragment("#k=all&n=2");
        assert_eq!((state.sample_size, errors.len()), (SampleSize::Whole, 0));
        assert!(state.to_fragment().contains("k=all"));
        let (state, errors) = ViewState::from_fragment("#k=lots");
        assert_eq!(state.sample_size, SampleSize::PerCategory(3000));
        assert!(
            errors[0].problem.contains("from 1 to 50000, or all"),
            "{errors:?}"
        );
    }

    #[test]
    fn every_bad_parameter_is_reported_and_only_it_falls_back() {
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
            "link setting 'ms=99': Largest stoichiometric factor must be a whole number from 1 to 16; using 8"
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
        // All 21 of 21 bad parameters are reported, not the last few.
        let many: Vec<String> = (0..21).map(|i| format!("bad{i}=x")).collect();
        assert_eq!(ViewState::from_fragment(&many.join("&")).1.len(), 21);
    }

    #[test]
    fn placed_formulas_are_canonical_and_capped() {
        let (state, errors) = ViewState::from_fragment("place=OZn2,%20LiZnO,Zn2O,,");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(state.place, ["Zn2O", "LiZnO"]);
        assert_eq!(state.to_fragment(), "place=Zn2O,LiZnO");
        let (state, errors) = ViewState::from_fragment("place=Zn2O,Qq2&n=3");
        assert_eq!((state.place.len(), state.order), (0, 3));
        assert_eq!(
            errors[0].to_string(),
            "link setting 'place=Zn2O,Qq2': 'Qq2': column 1: 'Qq' is not an element symbol; nothing placed"
        );
        // Every composition Li1O1 .. Li101O1 is a different formula: one too many.
        let many: Vec<String> = (1..=params::MAX_PLACED + 1)
            .map(|i| format!("Li{i}O{}", i + 1))
            .collect();
        let (state, errors) = ViewState::from_fragment(&format!("place={}", many.join(",")));
        assert!(state.place.is_empty());
        assert!(
            errors[0]
                .problem
                .starts_with("101 formulas; a link places at most 100"),
            "{}",
            errors[0].problem
        );
        let (state, _) = ViewState::from_fragment(&format!("place={}", many[..100].join(",")));
        assert_eq!(state.place.len(), 100);
    }

    #[test]
    fn seeds_stop_where_javascript_numbers_stop() {
        let (state, errors) = ViewState::from_fragment("seed=9007199254740991");
        assert!(errors.is_empty());
        assert_eq!(state.seed, params::MAX_SAFE_INTEGER);
        let (state, errors) = ViewState::from_fragment("seed=18446744073709551615");
        assert_eq!(state.seed, 42);
        assert!(errors[0].problem.contains("from 0 to 9007199254740991"));
    }

    #[test]
    fn uploads_and_databases_read_as_written() {
        let (state, errors) = ViewState::from_fragment("ox=upload&db=upload");
        assert!(errors.is_empty());
        assert_eq!(state.ox, OxChoice::Uploaded);
        assert_eq!(
            state.known,
            KnownSetting {
                database: None,
                upload: true
            }
        );
        let (state, errors) = ViewState::from_fragment("db=mp,upload");
        assert!(errors.is_empty());
        assert_eq!(state.known.name(), "mp,upload");
        let (_, errors) = ViewState::from_fragment("db=mp,oqmd&db2=1");
        assert_eq!(errors.len(), 2);
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
            assert_eq!(state.view.map(View::rounded), state.view);
        }
        assert!(!ViewState::from_fragment("v=0.1,x,2,3").1.is_empty());
    }

    #[test]
    fn smact_options_travel_in_links_and_thresholds_need_icsd24() {
        let (state, errors) =
            ViewState::from_fragment("mv=1&alloys=1&ox=icsd24&cons=10&comm=medium");
        assert!(errors.is_empty(), "{errors:?}");
        assert!(state.filter.mixed_valence && state.filter.include_alloys);
        let f = state.filter.icsd24.unwrap();
        assert_eq!((f.consensus, f.commonality), (10, Commonality::Medium));
        let (back, errors) = ViewState::from_fragment(&state.to_fragment());
        assert!(errors.is_empty());
        assert_eq!(back, state);
        let (state, errors) = ViewState::from_fragment("cons=3");
        assert_eq!(state.filter.icsd24, None);
        assert!(
            errors[0].problem.contains("apply to the icsd24 set only"),
            "{errors:?}"
        );
        // Leaving icsd24 drops its thresholds.
        let (mut state, _) = ViewState::from_fragment("ox=icsd24&cons=3");
        state.set("ox", "wiki").unwrap();
        assert_eq!(state.filter.icsd24, None);
        assert!(!state.to_fragment().contains("cons"));
    }

    #[test]
    fn percent_coding() {
        assert_eq!(percent_encode("Ca(OH)2 & x=1#"), "Ca(OH)2%20%26%20x%3D1%23");
        assert_eq!(percent_decode(&percent_encode("Li–Zn ö")), "Li–Zn ö");
        assert_eq!(percent_decode("a+b%2"), "a b%2");
        assert_eq!(percent_decode("%zz%"), "%zz%");
    }
}
