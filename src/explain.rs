//! Why a composition is allowed or forbidden, in SMACT's terms.
//!
//! Allowed: the oxidation-state assignments that make it neutral and pass the
//! electronegativity test (Zn2O = Zn(+1)x2 + O(-2)). Forbidden: no neutral
//! assignment (with the nearest miss), or neutral only with an
//! electronegativity violation (naming the pair), or a reason it is outside
//! what SMACT's enumeration considers at all.

use serde::{Deserialize, Serialize};

use crate::chem::{ChemicalSystem, Composition, Element};
use crate::filter::{charge, first_pauling_violation, oxidation_assignments};
use crate::label::{Category, Labeller};

/// One species in an assignment: element, oxidation state, amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpeciesAmount {
    pub element: String,
    pub oxidation_state: i8,
    pub amount: u32,
}

/// One oxidation state per element, in formula order, with the total charge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub species: Vec<SpeciesAmount>,
    pub charge: i64,
}

impl Assignment {
    /// "Zn(+1)x2 + O(-2)".
    pub fn written(&self) -> String {
        let terms: Vec<String> = self
            .species
            .iter()
            .map(|s| {
                let q = if s.oxidation_state > 0 {
                    format!("+{}", s.oxidation_state)
                } else {
                    s.oxidation_state.to_string()
                };
                if s.amount == 1 {
                    format!("{}({q})", s.element)
                } else {
                    format!("{}({q})x{}", s.element, s.amount)
                }
            })
            .collect();
        terms.join(" + ")
    }
}

/// A species in an electronegativity violation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ion {
    pub element: String,
    pub oxidation_state: i8,
    pub pauling_eneg: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// Neutral and electronegativity-balanced in each listed assignment.
    Allowed { assignments: Vec<Assignment> },
    /// Fewer than two elements: the atlas's space starts at binaries.
    SingleElement,
    /// A factor above the stoichiometry threshold.
    AmountOverThreshold {
        element: String,
        amount: u32,
        threshold: u32,
    },
    /// An element without a Pauling electronegativity fails every pair.
    NoElectronegativity { element: String },
    /// An element without oxidation states in the chosen set.
    NoOxidationStates { element: String, set: String },
    /// No assignment is neutral; the nearest leaves `nearest.charge`.
    NotNeutral { nearest: Assignment },
    /// Neutral only with a cation at least as electronegative as an anion.
    ElectronegativityViolation {
        assignment: Assignment,
        cation: Ion,
        anion: Ion,
        neutral_assignments: usize,
    },
}

/// Category and reason for one composition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    pub formula: String,
    pub order: usize,
    pub category: Category,
    pub allowed: bool,
    pub known: bool,
    pub oxidation_states_set: String,
    pub threshold: u32,
    pub reason: Reason,
    /// The reason as a sentence.
    pub summary: String,
}

fn species(elements: &[Element], states: &[i8], amounts: &[u32]) -> Assignment {
    Assignment {
        species: elements
            .iter()
            .zip(states)
            .zip(amounts)
            .map(|((e, &q), &a)| SpeciesAmount {
                element: e.symbol().to_string(),
                oxidation_state: q,
                amount: a,
            })
            .collect(),
        charge: charge(states, amounts),
    }
}

fn ion(element: Element, q: i8) -> Ion {
    Ion {
        element: element.symbol().to_string(),
        oxidation_state: q,
        pauling_eneg: element.pauling_eneg(),
    }
}

fn signed(q: i8) -> String {
    if q > 0 {
        format!("+{q}")
    } else {
        q.to_string()
    }
}

/// Most assignments listed for an allowed composition.
const MAX_LISTED: usize = 12;

/// Explains `c` under the labeller's settings.
pub fn explain(c: &Composition, labeller: &Labeller) -> Explanation {
    let ox = labeller.ox;
    let threshold = labeller.threshold;
    let parts = c.parts_in_formula_order();
    let elements: Vec<Element> = parts.iter().map(|&(e, _)| e).collect();
    let amounts: Vec<u32> = parts.iter().map(|&(_, a)| a).collect();
    let formula = c.to_string();
    let reason = reason(&elements, &amounts, labeller);
    let allowed = matches!(reason, Reason::Allowed { .. });
    let known = labeller.known.contains(c);
    let summary = summarise(&formula, &reason, ox.name());
    Explanation {
        formula,
        order: c.order(),
        category: Category::from_flags(allowed, known),
        allowed,
        known,
        oxidation_states_set: ox.name().to_string(),
        threshold,
        reason,
        summary,
    }
}

fn reason(elements: &[Element], amounts: &[u32], labeller: &Labeller) -> Reason {
    let ox = labeller.ox;
    if elements.len() < 2 {
        return Reason::SingleElement;
    }
    if let Some(i) = (0..elements.len()).find(|&i| amounts[i] > labeller.threshold) {
        return Reason::AmountOverThreshold {
            element: elements[i].symbol().to_string(),
            amount: amounts[i],
            threshold: labeller.threshold,
        };
    }
    if let Some(e) = elements.iter().find(|e| e.pauling_eneg().is_none()) {
        return Reason::NoElectronegativity {
            element: e.symbol().to_string(),
        };
    }
    if let Some(e) = elements.iter().find(|&&e| ox.of(e).is_empty()) {
        return Reason::NoOxidationStates {
            element: e.symbol().to_string(),
            set: ox.name().to_string(),
        };
    }
    let enegs: Vec<Option<f64>> = elements.iter().map(|e| e.pauling_eneg()).collect();
    let lists: Vec<&[i8]> = elements.iter().map(|&e| ox.of(e)).collect();
    let all = oxidation_assignments(&lists);
    let neutral: Vec<&Vec<i8>> = all.iter().filter(|q| charge(q, amounts) == 0).collect();
    let passing: Vec<Assignment> = neutral
        .iter()
        .filter(|q| first_pauling_violation(q, &enegs).is_none())
        .take(MAX_LISTED)
        .map(|q| species(elements, q, amounts))
        .collect();
    if !passing.is_empty() {
        return Reason::Allowed {
            assignments: passing,
        };
    }
    if let Some(q) = neutral.first() {
        let (i, j) = first_pauling_violation(q, &enegs).expect("neutral but not passing");
        let (cat, an) = if q[i] > 0 { (i, j) } else { (j, i) };
        return Reason::ElectronegativityViolation {
            assignment: species(elements, q, amounts),
            cation: ion(elements[cat], q[cat]),
            anion: ion(elements[an], q[an]),
            neutral_assignments: neutral.len(),
        };
    }
    // The nearest miss among electronegativity-balanced assignments, if any:
    // the closest a chemically sensible choice of states comes to neutral.
    let balanced: Vec<&Vec<i8>> = all
        .iter()
        .filter(|q| first_pauling_violation(q, &enegs).is_none())
        .collect();
    let candidates = if balanced.is_empty() {
        all.iter().collect()
    } else {
        balanced
    };
    let nearest = candidates
        .into_iter()
        .min_by_key(|q| charge(q, amounts).abs())
        .expect("non-empty lists");
    Reason::NotNeutral {
        nearest: species(elements, nearest, amounts),
    }
}

fn summarise(formula: &str, reason: &Reason, set: &str) -> String {
    match reason {
        Reason::Allowed { assignments } => {
            let first = &assignments[0];
            let more = if assignments.len() > 1 {
                format!(" ({} passing assignments in all)", assignments.len())
            } else {
                String::new()
            };
            format!(
                "{formula} is allowed: {} is neutral and every cation is less electronegative than every anion{more}.",
                first.written()
            )
        }
        Reason::SingleElement => {
            format!("{formula} is a single element; the atlas's compositions have 2 to 4 elements.")
        }
        Reason::AmountOverThreshold {
            element,
            amount,
            threshold,
        } => format!(
            "{formula} is forbidden: {element} has {amount} atoms in the reduced formula, above the stoichiometry limit of {threshold}."
        ),
        Reason::NoElectronegativity { element } => format!(
            "{formula} is forbidden: {element} has no Pauling electronegativity, so SMACT's electronegativity test fails every pair it is in."
        ),
        Reason::NoOxidationStates { element, set } => {
            format!("{formula} is forbidden: {element} has no oxidation states in the {set} set.")
        }
        Reason::NotNeutral { nearest } => format!(
            "{formula} is forbidden: no choice of oxidation states from {set} makes it neutral; the closest, {}, leaves a charge of {}.",
            nearest.written(),
            if nearest.charge > 0 {
                format!("+{}", nearest.charge)
            } else {
                nearest.charge.to_string()
            }
        ),
        Reason::ElectronegativityViolation {
            assignment,
            cation,
            anion,
            neutral_assignments,
        } => {
            let chi = |x: Option<f64>| x.map_or("none".to_string(), |v| format!("{v}"));
            format!(
                "{formula} is forbidden: it is neutral as {}{}, but the cation {}({}) has electronegativity {}, not below the anion {}({}) at {}.",
                assignment.written(),
                if *neutral_assignments > 1 {
                    format!(
                        " (and {} other neutral assignments, all failing the same way)",
                        neutral_assignments - 1
                    )
                } else {
                    String::new()
                },
                cation.element,
                signed(cation.oxidation_state),
                chi(cation.pauling_eneg),
                anion.element,
                signed(anion.oxidation_state),
                chi(anion.pauling_eneg)
            )
        }
    }
}

/// One line of a chemical system's listing: the sub-system it belongs to and
/// its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemEntry {
    /// The sub-system, elements in the order the user wrote them ("Li-Zn-O").
    pub system: String,
    pub explanation: Explanation,
}

/// The paper's Table 1 for `system`: every reduced composition of each
/// sub-system of two or more elements (smallest first), with factors up to the
/// labeller's threshold, explained. Li-Zn-Sn-O at threshold 8 gives
/// 6 x 43 + 4 x 439 + 3,823 = 5,837 entries.
pub fn system_table(system: &ChemicalSystem, labeller: &Labeller) -> Vec<SystemEntry> {
    let mut out = Vec::new();
    for sub in system.subsystems() {
        let name = sub.to_string();
        for amounts in crate::enumerate::coprime_tuples(sub.elements().len(), labeller.threshold) {
            if let Some(c) = Composition::new(sub.elements().iter().copied().zip(amounts)) {
                out.push(SystemEntry {
                    system: name.clone(),
                    explanation: explain(&c, labeller),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{KnownSet, OxidationSet};

    fn explain_str(f: &str) -> Explanation {
        let known = KnownSet::empty();
        let labeller = Labeller {
            ox: OxidationSet::Smact14.states(),
            threshold: 8,
            known: &known,
        };
        explain(&Composition::parse(f).unwrap(), &labeller)
    }

    #[test]
    fn allowed_shows_the_assignment() {
        let e = explain_str("Zn2O");
        assert!(e.allowed);
        let Reason::Allowed { assignments } = &e.reason else {
            panic!("{e:?}")
        };
        assert_eq!(assignments[0].written(), "Zn(+1)x2 + O(-2)");
        assert!(
            e.summary
                .starts_with("Zn2O is allowed: Zn(+1)x2 + O(-2) is neutral")
        );
    }

    #[test]
    fn forbidden_names_the_nearest_miss_or_the_pair() {
        let e = explain_str("ZnO3");
        let Reason::NotNeutral { nearest } = &e.reason else {
            panic!("{e:?}")
        };
        // Zn's smact14 states are +1, +2; O's -2, -1, +1, +2: the best is Zn(+2) + O(-1)x3 = -1.
        assert_eq!(nearest.charge.abs(), 1);
        assert!(
            e.summary
                .contains("no choice of oxidation states from smact14")
        );

        // LiZnSnO (Table 1, unlikely) is neutral e.g. as Li(+1) Zn(+1) Sn(+... ) only with a violation or not at all.
        let e = explain_str("LiZnSnO");
        assert!(!e.allowed);

        let e = explain_str("HeO");
        assert!(matches!(e.reason, Reason::NoElectronegativity { .. }));
        let e = explain_str("Zn9O");
        assert!(matches!(
            e.reason,
            Reason::AmountOverThreshold { amount: 9, .. }
        ));
    }

    #[test]
    fn system_table_holds_the_allowed_half_of_table_1() {
        let known = KnownSet::empty();
        let labeller = Labeller {
            ox: OxidationSet::Smact14.states(),
            threshold: 8,
            known: &known,
        };
        let system = ChemicalSystem::parse("Li-Zn-Sn-O").unwrap();
        let table = system_table(&system, &labeller);
        assert_eq!(table.len(), 6 * 43 + 4 * 439 + 3823);
        let find = |f: &str| {
            let c = Composition::parse(f).unwrap().to_string();
            table
                .iter()
                .find(|e| e.explanation.formula == c)
                .unwrap_or_else(|| panic!("{f} listed"))
        };
        // Paper Table 1: standard and missing are allowed, interesting and unlikely forbidden.
        for f in [
            "ZnO",
            "ZnO2",
            "Zn2O",
            "LiZnO2",
            "Li6ZnO4",
            "LiZnO",
            "Li2ZnSn3O8",
            "LiZnSnO2",
        ] {
            assert!(find(f).explanation.allowed, "{f} allowed");
        }
        for f in ["ZnO3", "LiZnO4", "LiZn4SnO8", "LiZn4Sn4O8", "LiZnSnO"] {
            assert!(!find(f).explanation.allowed, "{f} forbidden");
        }
        assert_eq!(find("LiZnO2").system, "Li-Zn-O");
        assert_eq!(table[0].system, "Li-Zn");
        assert_eq!(table.last().unwrap().system, "Li-Zn-Sn-O");
    }
}
