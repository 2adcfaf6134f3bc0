//! How often each oxidation state of each element is reported in the 2024
//! ICSD: SMACT 4.0.2's `oxidation_states_icsd24_counts.json`, committed as
//! `data/oxidation_states/icsd24_counts.txt`.
//!
//! Two uses. SMACT's `ICSD24OxStatesFilter` builds oxidation-state sets from
//! these counts (`consensus`, `commonality`; `smact_validity` uses it when no
//! set is named), reproduced by [`Icsd24Filter`]. And explanations rank
//! assignments by how common their states are ([`crate::filter::plausibility`]).

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::chem::Element;
use crate::data::elements::ELEMENT_COUNT;
use crate::data::oxidation::{OxidationSet, OxidationStates};

const COUNTS_TXT: &str = include_str!("../../data/oxidation_states/icsd24_counts.txt");

/// States the counts cover: -9..=+9.
const STATES: usize = 19;

/// ICSD 2024 reports per (element, oxidation state).
#[derive(Debug)]
pub struct Icsd24Counts {
    /// `[element index][state + 9]`.
    reports: Vec<[u32; STATES]>,
}

/// The committed counts, parsed once.
pub fn icsd24_counts() -> &'static Icsd24Counts {
    static COUNTS: OnceLock<Icsd24Counts> = OnceLock::new();
    COUNTS.get_or_init(|| parse_counts(COUNTS_TXT))
}

fn parse_counts(text: &str) -> Icsd24Counts {
    let mut reports = vec![[0u32; STATES]; ELEMENT_COUNT];
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let mut fields = line.split_whitespace();
        let symbol = fields.next().expect("icsd24_counts.txt: symbol");
        let e = Element::from_symbol(symbol).expect("icsd24_counts.txt: element symbol");
        for field in fields {
            let (q, n) = field
                .split_once(':')
                .expect("icsd24_counts.txt: state:reports");
            let q: i8 = q.parse().expect("icsd24_counts.txt: state");
            reports[e.index()][state_index(q).expect("icsd24_counts.txt: -9..9")] =
                n.parse().expect("icsd24_counts.txt: reports");
        }
    }
    Icsd24Counts { reports }
}

fn state_index(q: i8) -> Option<usize> {
    usize::try_from(i16::from(q) + 9)
        .ok()
        .filter(|&i| i < STATES)
}

impl Icsd24Counts {
    /// Reports of `element` in state `q` (0 outside -9..9).
    pub fn reports(&self, element: Element, q: i8) -> u32 {
        state_index(q).map_or(0, |i| self.reports[element.index()][i])
    }

    /// Reports of `element` in any state, 0 included.
    pub fn total(&self, element: Element) -> u64 {
        self.reports[element.index()]
            .iter()
            .map(|&n| u64::from(n))
            .sum()
    }

    /// The states of `element` with reports, increasing, with their reports.
    fn reported(&self, element: Element) -> impl Iterator<Item = (i8, u32)> + '_ {
        (-9i8..=9).map(move |q| (q, self.reports(element, q)))
    }
}

/// SMACT's `commonality`: which of an element's states (those left by
/// `consensus`) to keep, by their share of the element's reports.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Commonality {
    /// Every state ("low", SMACT's default).
    Low,
    /// States with at least 10% of the element's reports.
    Medium,
    /// States with at least 50%.
    High,
    /// The one most reported state.
    Main,
    /// States with at least this percentage (0..=100).
    Percent(f64),
}

// Percentages are checked finite when made, so equality is reflexive.
impl Eq for Commonality {}

impl Commonality {
    /// What `--commonality` accepts.
    pub const CHOICES: &'static str = "low, medium, high, main or a percentage from 0 to 100";
}

impl fmt::Display for Commonality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Commonality::Low => f.write_str("low"),
            Commonality::Medium => f.write_str("medium"),
            Commonality::High => f.write_str("high"),
            Commonality::Main => f.write_str("main"),
            Commonality::Percent(p) => write!(f, "{p}"),
        }
    }
}

/// A commonality that is none of the names nor a percentage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommonalityError(pub String);

impl fmt::Display for CommonalityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "commonality '{}' is not one of {}",
            crate::chem::shown(&self.0),
            Commonality::CHOICES
        )
    }
}

impl std::error::Error for CommonalityError {}

impl FromStr for Commonality {
    type Err = CommonalityError;

    fn from_str(s: &str) -> Result<Commonality, CommonalityError> {
        match s.trim() {
            "low" => Ok(Commonality::Low),
            "medium" => Ok(Commonality::Medium),
            "high" => Ok(Commonality::High),
            "main" => Ok(Commonality::Main),
            number => number
                .parse::<f64>()
                .ok()
                .filter(|p| (0.0..=100.0).contains(p))
                .map(Commonality::Percent)
                .ok_or_else(|| CommonalityError(s.to_string())),
        }
    }
}

impl TryFrom<String> for Commonality {
    type Error = CommonalityError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Commonality> for String {
    fn from(c: Commonality) -> String {
        c.to_string()
    }
}

/// SMACT's `ICSD24FilterConfig`: the ICSD24 oxidation states kept by
/// `ICSD24OxStatesFilter.filter(consensus, include_zero, commonality)`.
/// `smact_validity` uses it (with the defaults) when no set is named; the
/// `icsd24` set file is this filter at consensus 6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Icsd24Filter {
    /// Fewest reports a state needs (SMACT's default 3; 0 acts as 1).
    pub consensus: u32,
    pub commonality: Commonality,
    /// Keep state 0 (reported for metals in intermetallics).
    pub include_zero: bool,
}

impl Default for Icsd24Filter {
    fn default() -> Self {
        Icsd24Filter {
            consensus: 3,
            commonality: Commonality::Low,
            include_zero: false,
        }
    }
}

impl Icsd24Filter {
    /// The set's name: "icsd24 (consensus 3, commonality low)".
    pub fn name(&self) -> String {
        format!(
            "{} (consensus {}, commonality {}{})",
            OxidationSet::Icsd24.name(),
            self.consensus,
            self.commonality,
            if self.include_zero { ", with 0" } else { "" }
        )
    }

    /// The oxidation states SMACT's filter keeps, per element, increasing.
    pub fn states(&self) -> OxidationStates {
        let counts = icsd24_counts();
        let lists = Element::all()
            .map(|e| {
                let kept: Vec<(i8, u32)> = counts
                    .reported(e)
                    .filter(|&(q, n)| n > 0 && n >= self.consensus && (self.include_zero || q != 0))
                    .collect();
                let total: u64 = kept.iter().map(|&(_, n)| u64::from(n)).sum();
                // As pandas computes "species_proportion (%)".
                let share = |n: u32| n as f64 / total as f64 * 100.0;
                let minimum = match self.commonality {
                    Commonality::Low => 0.0,
                    Commonality::Medium => 10.0,
                    Commonality::High => 50.0,
                    Commonality::Percent(p) => p,
                    Commonality::Main => {
                        // idxmax: the first of the most reported states.
                        let best = kept.iter().map(|&(_, n)| n).max();
                        return kept
                            .iter()
                            .find(|&&(_, n)| Some(n) == best)
                            .map(|&(q, _)| vec![q])
                            .unwrap_or_default();
                    }
                };
                kept.iter()
                    .filter(|&&(_, n)| share(n) >= minimum)
                    .map(|&(q, _)| q)
                    .collect()
            })
            .collect();
        OxidationStates::from_lists(&self.name(), lists)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(s: &str) -> Element {
        Element::from_symbol(s).unwrap()
    }

    #[test]
    fn counts_are_smacts() {
        // smact/data/oxidation_states_icsd24_counts.json: Fe 2: 7276, 3: 11917; O -2: 116910.
        let c = icsd24_counts();
        assert_eq!(c.reports(el("Fe"), 3), 11_917);
        assert_eq!(c.reports(el("Fe"), 2), 7_276);
        assert_eq!(c.reports(el("O"), -2), 116_910);
        assert_eq!(c.reports(el("O"), 9), 0);
        assert_eq!(c.reports(el("O"), i8::MIN), 0);
        // 812,258 reports over 96 elements (data/counts.json).
        let total: u64 = Element::all().map(|e| c.total(e)).sum();
        assert_eq!(total, 812_258);
    }

    #[test]
    fn the_icsd24_set_is_the_filter_at_consensus_6() {
        // oxidation_states_icsd24_filtered.txt says "filtered for > 5 reports".
        let filter = Icsd24Filter {
            consensus: 6,
            ..Icsd24Filter::default()
        };
        let derived = filter.states();
        let file = OxidationSet::Icsd24.states();
        for e in Element::all() {
            assert_eq!(derived.of(e), file.of(e), "{e}");
        }
        assert_eq!(derived.name(), "icsd24 (consensus 6, commonality low)");
    }

    #[test]
    fn commonality_reads_smacts_names_and_percentages() {
        assert_eq!("main".parse(), Ok(Commonality::Main));
        assert_eq!("12.5".parse(), Ok(Commonality::Percent(12.5)));
        let err = "often".parse::<Commonality>().unwrap_err().to_string();
        assert_eq!(
            err,
            "commonality 'often' is not one of low, medium, high, main or a percentage from 0 to 100"
        );
        assert!("150".parse::<Commonality>().is_err());
        assert!("NaN".parse::<Commonality>().is_err());
        let json = serde_json::to_string(&Icsd24Filter::default()).unwrap();
        assert_eq!(
            json,
            r#"{"consensus":3,"commonality":"low","include_zero":false}"#
        );
        let back: Icsd24Filter =
            serde_json::from_str(r#"{"consensus":3,"commonality":"33.3","include_zero":true}"#)
                .unwrap();
        assert_eq!(back.commonality, Commonality::Percent(33.3));
        assert!(
            serde_json::from_str::<Icsd24Filter>(
                r#"{"consensus":3,"commonality":"x","include_zero":true}"#
            )
            .is_err()
        );
    }
}
