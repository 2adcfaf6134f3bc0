//! One table of the page's settings: for each, its key in a link, the form
//! field that edits it, its label, a sentence or two of help written for a
//! first-year student, and what values it takes (range or choices) with its
//! default.
//!
//! Why a table: the link codec ([`crate::view_state`]), the settings form
//! (the web shell builds its fields from it) and the CLI (ranges, defaults and
//! help of the flags it shares with the page) all read this one declaration,
//! so a setting's range, default and wording cannot drift apart.

use crate::data::embeddings::EMBEDDINGS;
use crate::data::{KnownSource, OxidationSet};
use crate::embed::PoolingStat;
use crate::enumerate::MAX_STOICH_LIMIT;
use crate::plot::colour::ElementProperty;

/// The largest integer every JavaScript number holds exactly (2^53 - 1): a
/// seed above it would not survive the trip to a worker.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Where a setting sits in the settings form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    ChemicalSpace,
    Sample,
    Embedding,
    Reducer,
    Colours,
    /// Not in the form: set by the map, the tabs, the search box ...
    View,
}

impl Section {
    pub const FORM: [Section; 5] = [
        Section::ChemicalSpace,
        Section::Sample,
        Section::Embedding,
        Section::Reducer,
        Section::Colours,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Section::ChemicalSpace => "Chemical space",
            Section::Sample => "Sample",
            Section::Embedding => "Embedding",
            Section::Reducer => "Reducer",
            Section::Colours => "Colours",
            Section::View => "View",
        }
    }
}

/// One value a choice setting can take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub value: &'static str,
    pub label: String,
    /// An option group in the form ("The paper's six"), if any.
    pub group: Option<&'static str>,
}

fn plain(value: &'static str, label: &str) -> Choice {
    Choice {
        value,
        label: label.to_string(),
        group: None,
    }
}

/// What values a setting takes.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A whole number from `lo` to `hi`.
    Whole { lo: u64, hi: u64 },
    /// How many per category: a whole number from 1 to `hi`, or `all`.
    Size { hi: u64 },
    /// A finite number from `lo` to `hi`.
    Decimal { lo: f64, hi: f64 },
    /// One of a list (the list may depend on the build's data).
    Choice(fn() -> Vec<Choice>),
    /// On or off ("1" or "0" in a link).
    Flag,
    /// Text with its own reader (a formula, a view, a list ...).
    Text,
}

/// A setting of the page.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// Its key in a link (`n`, `emb`, `seed`, ...): stable, links depend on it.
    pub key: &'static str,
    /// The id of the form field that edits it (empty when not in the form).
    pub field: &'static str,
    /// The CLI flag that sets the same thing, when there is one.
    pub flag: Option<&'static str>,
    pub label: &'static str,
    /// What it is and what changing it does, in a sentence or two.
    pub help: &'static str,
    pub kind: Kind,
    /// As a link writes it.
    pub default: &'static str,
    pub section: Section,
    /// Shown in the form only while this reducer is chosen.
    pub only_for: Option<&'static str>,
}

impl Param {
    /// What a wrong value is said against: "a whole number from 1 to 16".
    pub fn accepted(&self) -> String {
        match self.kind {
            Kind::Whole { lo, hi } => format!("a whole number from {lo} to {hi}"),
            Kind::Size { hi } => format!("a whole number from 1 to {hi}, or all"),
            Kind::Decimal { lo, hi } => format!("a number from {lo} to {hi}"),
            Kind::Choice(choices) => {
                let names: Vec<&str> = choices().iter().map(|c| c.value).collect();
                format!("one of {}", names.join(", "))
            }
            Kind::Flag => "1 (on) or 0 (off)".into(),
            Kind::Text => "text".into(),
        }
    }

    /// Reads a whole-number setting, or says what is accepted.
    pub fn whole(&self, value: &str) -> Result<u64, String> {
        let Kind::Whole { lo, hi } = self.kind else {
            return Err(format!("{} is not a whole-number setting", self.key));
        };
        match value.trim().parse::<u64>() {
            Ok(v) if (lo..=hi).contains(&v) => Ok(v),
            _ => Err(format!("{} must be {}", self.label, self.accepted())),
        }
    }

    /// Reads a decimal setting (as f32, the precision links carry), or says
    /// what is accepted.
    pub fn decimal(&self, value: &str) -> Result<f32, String> {
        let Kind::Decimal { lo, hi } = self.kind else {
            return Err(format!("{} is not a number setting", self.key));
        };
        match value.trim().parse::<f32>() {
            Ok(v) if v.is_finite() && (lo..=hi).contains(&f64::from(v)) => Ok(v),
            _ => Err(format!("{} must be {}", self.label, self.accepted())),
        }
    }

    /// Reads a choice, or says which values there are.
    pub fn choice(&self, value: &str) -> Result<&'static str, String> {
        let Kind::Choice(choices) = self.kind else {
            return Err(format!("{} is not a choice", self.key));
        };
        choices()
            .into_iter()
            .find(|c| c.value == value.trim())
            .map(|c| c.value)
            .ok_or_else(|| {
                format!(
                    "no {} is called '{}'; choose {}",
                    self.label.to_lowercase(),
                    value.trim(),
                    self.accepted()
                )
            })
    }

    /// Reads a flag: 1/0, true/false, on/off, yes/no.
    pub fn flag(&self, value: &str) -> Result<bool, String> {
        match value.trim() {
            "1" | "true" | "on" | "yes" => Ok(true),
            "0" | "false" | "off" | "no" => Ok(false),
            _ => Err(format!("{} must be {}", self.label, self.accepted())),
        }
    }
}

fn orders() -> Vec<Choice> {
    vec![
        plain("2", "2 (binary)"),
        plain("3", "3 (ternary)"),
        plain("4", "4 (quaternary)"),
    ]
}

fn ox_sets() -> Vec<Choice> {
    let mut out: Vec<Choice> = OxidationSet::ALL
        .iter()
        .map(|s| {
            let label = match s {
                OxidationSet::Smact14 => "smact14 (the paper's)",
                OxidationSet::Icsd24 => "icsd24 (SMACT's default)",
                _ => s.name(),
            };
            plain(s.name(), label)
        })
        .collect();
    out.push(plain(UPLOAD, "uploaded file"));
    out
}

/// The value of a choice that stands for the user's uploaded file.
pub const UPLOAD: &str = "upload";

fn databases() -> Vec<Choice> {
    let mut out: Vec<Choice> = KnownSource::ALL
        .iter()
        .map(|s| {
            let label = match s {
                KnownSource::MaterialsProject => "Materials Project",
                KnownSource::Oqmd => "OQMD",
                KnownSource::Aflow => "AFLOW",
            };
            plain(s.name(), label)
        })
        .collect();
    out.push(plain("none", "none"));
    out.push(plain(UPLOAD, "uploaded list"));
    out
}

fn embeddings() -> Vec<Choice> {
    EMBEDDINGS
        .iter()
        .map(|e| Choice {
            value: e.name,
            label: e.name.to_string(),
            group: Some(if e.in_paper {
                "The paper's six"
            } else {
                "More from ElementEmbeddings"
            }),
        })
        .collect()
}

fn poolings() -> Vec<Choice> {
    PoolingStat::ALL
        .iter()
        .map(|p| {
            let label = if *p == PoolingStat::Mean {
                "mean (the paper's eq. 2)".to_string()
            } else {
                p.name().replace('_', " ")
            };
            Choice {
                value: p.name(),
                label,
                group: None,
            }
        })
        .collect()
}

fn reducers() -> Vec<Choice> {
    vec![
        plain("pca", "PCA"),
        plain("tsne", "t-SNE"),
        plain("umap", "UMAP"),
    ]
}

fn colourings() -> Vec<Choice> {
    let mut out = vec![
        plain("category", "category"),
        plain("anion", "anion class (Fig. 5)"),
    ];
    for p in ElementProperty::ALL {
        let (value, label): (&'static str, &str) = match p {
            ElementProperty::Pauling => ("prop:pauling", "electronegativity"),
            ElementProperty::Mass => ("prop:mass", "atomic mass"),
            ElementProperty::CovalentRadius => ("prop:r_cov", "covalent radius"),
            ElementProperty::ElectronAffinity => ("prop:e_affinity", "electron affinity"),
            ElementProperty::IonisationPotential => ("prop:ion_pot", "ionisation energy"),
            ElementProperty::Polarisability => ("prop:dipol", "polarisability"),
            ElementProperty::Abundance => ("prop:abundance", "crustal abundance"),
        };
        out.push(plain(value, label));
    }
    out
}

fn tabs() -> Vec<Choice> {
    vec![
        plain("map", "Map"),
        plain("grid", "Small multiples"),
        plain("system", "Chemical systems"),
        plain("elements", "Periodic table"),
        plain("counts", "Table 2"),
        plain("quiz", "Quiz"),
        plain("glossary", "Words"),
    ]
}

pub const TAB: Param = Param {
    key: "tab",
    field: "",
    flag: None,
    label: "Panel",
    help: "The panel on screen.",
    kind: Kind::Choice(tabs),
    default: "map",
    section: Section::View,
    only_for: None,
};

pub const ORDER: Param = Param {
    key: "n",
    field: "order",
    flag: Some("order"),
    label: "Elements per composition",
    help: "How many different elements each composition has: 2 gives binaries such as ZnO, 3 ternaries \
           such as LiZnO2, 4 quaternaries such as Li2ZnSn3O8.",
    kind: Kind::Choice(orders),
    default: "2",
    section: Section::ChemicalSpace,
    only_for: None,
};

pub const MAX_STOICH: Param = Param {
    key: "ms",
    field: "max-stoich",
    flag: Some("max-stoich"),
    label: "Largest stoichiometric factor",
    help: "The most atoms of one element in a formula unit. With 8 (the paper's choice) Zn2O and Li6ZnO4 \
           are in the space but Li9O is not.",
    kind: Kind::Whole {
        lo: 1,
        hi: MAX_STOICH_LIMIT as u64,
    },
    default: "8",
    section: Section::ChemicalSpace,
    only_for: None,
};

pub const OX_SET: Param = Param {
    key: "ox",
    field: "ox-set",
    flag: Some("ox-set"),
    label: "Oxidation states",
    help: "The charges each element may take. smact14 is the paper's list; icsd16 and icsd24 keep the \
           states seen in known crystals (icsd24 is SMACT's default today); pymatgen_sp is pymatgen's list \
           of common states; wiki is Wikipedia's longer list, which includes 0 for metals. You can also \
           upload your own list.",
    kind: Kind::Choice(ox_sets),
    default: "smact14",
    section: Section::ChemicalSpace,
    only_for: None,
};

pub const DATABASE: Param = Param {
    key: "db",
    field: "known",
    flag: Some("known"),
    label: "Known compositions",
    help: "The database that decides whether a composition counts as known (made and reported before). \
           The Materials Project is the paper's choice; OQMD and AFLOW are other databases of computed \
           materials; 'none' makes every composition unknown. You can upload your own formula list, \
           instead of the database or added to it.",
    kind: Kind::Choice(databases),
    default: "mp",
    section: Section::ChemicalSpace,
    only_for: None,
};

pub const MIXED_VALENCE: Param = Param {
    key: "mv",
    field: "mixed-valence",
    flag: Some("mixed-valence"),
    label: "Mixed valence",
    help: "Let the atoms of iron, manganese, copper and SMACT's other mixed-valence elements take \
           different charges in one compound, as in Fe3O4 = Fe(+2) + Fe(+3)x2 + O(-2)x4 (SMACT's \
           smact_validity option). The paper's filter gives every atom of an element the same charge.",
    kind: Kind::Flag,
    default: "0",
    section: Section::ChemicalSpace,
    only_for: None,
};

pub const ALLOYS: Param = Param {
    key: "alloys",
    field: "include-alloys",
    flag: Some("include-alloys"),
    label: "Count alloys as allowed",
    help: "Allow every composition made only of metals, such as CuZn (brass), whatever the charges \
           (SMACT's include_alloys option). The paper's filter does not.",
    kind: Kind::Flag,
    default: "0",
    section: Section::ChemicalSpace,
    only_for: None,
};

pub const CONSENSUS: Param = Param {
    key: "cons",
    field: "consensus",
    flag: Some("consensus"),
    label: "ICSD 2024: fewest reports",
    help: "With the icsd24 set only: keep a charge if it was reported in at least this many known \
           crystals (SMACT's ICSD24 filter; its default is 3). Leave empty for SMACT's icsd24 file.",
    kind: Kind::Text,
    default: "",
    section: Section::ChemicalSpace,
    only_for: None,
};

pub const COMMONALITY: Param = Param {
    key: "comm",
    field: "commonality",
    flag: Some("commonality"),
    label: "ICSD 2024: how common",
    help: "With the icsd24 set and a number of reports: keep every reported charge (low), those with \
           at least 10% of an element's reports (medium), 50% (high), or only the most reported one \
           (main).",
    kind: Kind::Choice(|| {
        vec![
            plain("low", "low (every state)"),
            plain("medium", "medium (10% of reports)"),
            plain("high", "high (50% of reports)"),
            plain("main", "main (the most reported)"),
        ]
    }),
    default: "low",
    section: Section::ChemicalSpace,
    only_for: None,
};

pub const PER_CATEGORY: Param = Param {
    key: "k",
    field: "per-category",
    flag: Some("per-category"),
    label: "Samples per category",
    help: "How many compositions are drawn at random from each of the four categories to make the map. \
           The paper drew 3,000 of each (12,000 points). Type all for the whole space: every one of the \
           225,879 binaries, or for ternaries and quaternaries the largest sample, 50,000 of each \
           category. PCA maps the whole binary space in seconds; UMAP and t-SNE take minutes and \
           about 3 GB of memory, more than a phone has.",
    kind: Kind::Size {
        hi: crate::sample::MAX_PER_CATEGORY as u64,
    },
    default: "3000",
    section: Section::Sample,
    only_for: None,
};

pub const SEED: Param = Param {
    key: "seed",
    field: "seed",
    flag: Some("seed"),
    label: "Seed",
    help: "A number that fixes the random draws: the same seed always gives the same sample and the same \
           map, on any computer. Change it to see another random sample.",
    kind: Kind::Whole {
        lo: 0,
        hi: MAX_SAFE_INTEGER,
    },
    default: "42",
    section: Section::Sample,
    only_for: None,
};

pub const EMBEDDING: Param = Param {
    key: "emb",
    field: "embedding",
    flag: Some("embedding"),
    label: "Element embedding",
    help: "A list of numbers that describes each element, learned from data (mat2vec, skipatom, megnet16) \
           or taken from measured properties (magpie, oliynyk). A composition becomes the average of its \
           elements' lists, weighted by how many atoms of each it has.",
    kind: Kind::Choice(embeddings),
    default: "mat2vec",
    section: Section::Embedding,
    only_for: None,
};

pub const POOLING: Param = Param {
    key: "pool",
    field: "pooling",
    flag: Some("stats"),
    label: "Pooling",
    help: "How the element lists of a composition are combined into one. The paper's eq. 2 is the mean \
           weighted by atom fraction; the others take the largest value, the smallest, the spread ...",
    kind: Kind::Choice(poolings),
    default: "mean",
    section: Section::Embedding,
    only_for: None,
};

pub const REDUCER: Param = Param {
    key: "red",
    field: "reducer",
    flag: Some("method"),
    label: "Reducer",
    help: "How the long lists of numbers are drawn as points on a flat map. PCA keeps the directions of \
           greatest spread (fast; large distances mean something). t-SNE and UMAP keep each point's \
           nearest neighbours close (clearer clusters; distances between clusters mean less).",
    kind: Kind::Choice(reducers),
    default: "umap",
    section: Section::Reducer,
    only_for: None,
};

pub const N_NEIGHBORS: Param = Param {
    key: "nn",
    field: "n-neighbors",
    flag: Some("n-neighbors"),
    label: "n_neighbors",
    help: "UMAP: how many nearest neighbours each point looks at. Small values show fine local detail, \
           large values more of the overall shape. The default is 15.",
    kind: Kind::Whole { lo: 2, hi: 200 },
    default: "15",
    section: Section::Reducer,
    only_for: Some("umap"),
};

pub const MIN_DIST: Param = Param {
    key: "md",
    field: "min-dist",
    flag: Some("min-dist"),
    label: "min_dist",
    help: "UMAP: how close points may sit on the map. 0 packs similar compositions into tight clumps; \
           larger values spread them out. The default is 0.1.",
    kind: Kind::Decimal { lo: 0.0, hi: 1.0 },
    default: "0.1",
    section: Section::Reducer,
    only_for: Some("umap"),
};

pub const PERPLEXITY: Param = Param {
    key: "perp",
    field: "perplexity",
    flag: Some("perplexity"),
    label: "perplexity",
    help: "t-SNE: roughly how many neighbours each point pays attention to. Values from 5 to 50 are \
           usual; the default is 30.",
    kind: Kind::Decimal { lo: 2.0, hi: 100.0 },
    default: "30",
    section: Section::Reducer,
    only_for: Some("tsne"),
};

pub const COLOUR_BY: Param = Param {
    key: "col",
    field: "colour-by",
    flag: None,
    label: "Colour by",
    help: "What the colours of the dots show: the four categories; the anion class (which element \
           is most electronegative: oxide, halide, chalcogenide, pnictide or other); or a property of \
           the elements, averaged over the composition.",
    kind: Kind::Choice(colourings),
    default: "category",
    section: Section::Colours,
    only_for: None,
};

pub const PALETTE: Param = Param {
    key: "pal",
    field: "cb-safe",
    flag: None,
    label: "Colour-blind-safe palette",
    help: "Colours that people with the common kinds of colour blindness can tell apart.",
    kind: Kind::Choice(|| {
        vec![
            plain("paper", "the paper's"),
            plain("cb", "colour-blind safe"),
        ]
    }),
    default: "paper",
    section: Section::Colours,
    only_for: None,
};

pub const QUIZ: Param = Param {
    key: "quiz",
    field: "",
    flag: None,
    label: "Quiz",
    help: "The seed of the quiz's sequence of compositions: a class opening the same link meets the same \
           compositions in the same order.",
    kind: Kind::Whole {
        lo: 0,
        hi: MAX_SAFE_INTEGER,
    },
    default: "1",
    section: Section::View,
    only_for: None,
};

const fn view(key: &'static str, label: &'static str, help: &'static str) -> Param {
    Param {
        key,
        field: "",
        flag: None,
        label,
        help,
        kind: Kind::Text,
        default: "",
        section: Section::View,
        only_for: None,
    }
}

pub const HIDDEN: Param = view(
    "hide",
    "Hidden categories",
    "Categories switched off in the legend, e.g. hide=unlikely,interesting.",
);
pub const ELEMENT: Param = view(
    "el",
    "Element filter",
    "Only compositions containing this element are shown (chosen in the periodic table).",
);
pub const SEARCH: Param = view(
    "q",
    "Search",
    "A formula or element symbol ringed on the map.",
);
pub const VIEW: Param = view(
    "v",
    "View",
    "The part of the map on screen: its centre x,y and the zoom relative to the whole map.",
);
pub const FOCUS: Param = view(
    "sel",
    "Composition in focus",
    "The composition whose explanation is open.",
);
pub const SYSTEM: Param = Param {
    default: "Li-Zn-Sn-O",
    ..view(
        "sys",
        "Chemical system",
        "The system listed in the chemical-systems panel, e.g. Li-Zn-Sn-O.",
    )
};
pub const AREA: Param = view(
    "area",
    "Selection",
    "Boxes (b:x0,y0,x1,y1) and lassos (l:x,y,...) drawn on the map, separated by ';'; one led by '-' \
     takes points away.",
);

/// Most formulas placed on a map at once: all of them travel in the link.
pub const MAX_PLACED: usize = 100;

pub const PLACE: Param = view(
    "place",
    "Formulas placed on the map",
    "Your formulas placed on the map shown without recomputing it, comma-separated (at most 100), \
     e.g. place=Zn2O,LiZnO.",
);

pub const DENSITY: Param = Param {
    key: "dens",
    field: "",
    flag: None,
    label: "Density contours",
    help: "Lines around where each category's points crowd on the map, drawn under the points: the \
           densest quarter, half and three quarters of each category.",
    kind: Kind::Flag,
    default: "0",
    section: Section::View,
    only_for: None,
};

/// Every setting a link can carry, in the order links write them.
pub const LINKED: [&Param; 29] = [
    &TAB,
    &ORDER,
    &EMBEDDING,
    &POOLING,
    &REDUCER,
    &N_NEIGHBORS,
    &MIN_DIST,
    &PERPLEXITY,
    &OX_SET,
    &MAX_STOICH,
    &DATABASE,
    &MIXED_VALENCE,
    &ALLOYS,
    &CONSENSUS,
    &COMMONALITY,
    &PER_CATEGORY,
    &SEED,
    &COLOUR_BY,
    &PALETTE,
    &HIDDEN,
    &ELEMENT,
    &SEARCH,
    &VIEW,
    &FOCUS,
    &SYSTEM,
    &AREA,
    &QUIZ,
    &PLACE,
    &DENSITY,
];

/// The settings of the form, section by section.
pub fn form() -> impl Iterator<Item = &'static Param> {
    LINKED
        .into_iter()
        .filter(|p| p.section != Section::View && !p.field.is_empty())
}

/// The setting with link key `key`.
pub fn by_key(key: &str) -> Option<&'static Param> {
    LINKED.into_iter().find(|p| p.key == key)
}

/// The setting edited by form field `field`.
pub fn by_field(field: &str) -> Option<&'static Param> {
    LINKED.into_iter().find(|p| p.field == field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_is_accepted_and_keys_and_fields_are_unique() {
        for p in LINKED {
            let ok = match p.kind {
                Kind::Whole { .. } => p.whole(p.default).is_ok(),
                Kind::Decimal { .. } => p.decimal(p.default).is_ok(),
                Kind::Choice(_) => p.choice(p.default).is_ok(),
                Kind::Size { .. } => crate::sample::SampleSize::parse(p.default).is_ok(),
                Kind::Flag => p.flag(p.default).is_ok(),
                Kind::Text => true,
            };
            assert!(ok, "{}: default '{}' is refused", p.key, p.default);
            assert_eq!(LINKED.iter().filter(|q| q.key == p.key).count(), 1);
            assert!(
                p.field.is_empty() || LINKED.iter().filter(|q| q.field == p.field).count() == 1
            );
            assert!(p.help.ends_with('.'), "{}: help is a sentence", p.key);
        }
    }

    #[test]
    fn wrong_values_say_what_is_accepted() {
        assert_eq!(
            MAX_STOICH.whole("99").unwrap_err(),
            "Largest stoichiometric factor must be a whole number from 1 to 16"
        );
        assert_eq!(SEED.whole("9007199254740991"), Ok(MAX_SAFE_INTEGER));
        assert!(
            SEED.whole("9007199254740992")
                .unwrap_err()
                .contains("from 0 to 9007199254740991")
        );
        assert!(MIN_DIST.decimal("NaN").is_err());
        assert!(PERPLEXITY.decimal("1e30").is_err());
        let e = EMBEDDING.choice("word2vec").unwrap_err();
        assert!(
            e.starts_with("no element embedding is called 'word2vec'; choose one of magpie"),
            "{e}"
        );
    }

    #[test]
    fn the_colour_choices_are_the_ones_colour_by_reads() {
        for c in colourings() {
            assert!(
                crate::plot::colour::ColourBy::from_name(c.value).is_some(),
                "{}",
                c.value
            );
        }
    }
}
