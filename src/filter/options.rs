//! SMACT's `smact_validity` options, offered on top of the paper's
//! `smact_filter` semantics and off by default.
//!
//! What each does in smact 4.0.2 (`smact/screening.py`), and so here:
//!
//! - `include_alloys`: a composition made only of elements in SMACT's
//!   `metals` list is valid before any oxidation state is looked at (even an
//!   element with no states in the set). [`METALS`].
//! - `mixed_valence`: only when no assignment of one state per element
//!   passes, the atoms of each element in [`MIXED_VALENCE_ELEMENTS`] become
//!   separate sites of amount 1 with the element's full state list, and every
//!   assignment of the sites is tried (Fe3O4 = Fe(+2) + Fe(+3)x2 + O(-2)x4).
//!   The electronegativity test then compares every pair of sites, so an
//!   element's atoms may be cations in different states, or anions, but never
//!   both (equal electronegativities fail the strict test), and zero-state
//!   sites compare with nothing. Before expanding, SMACT multiplies the list
//!   lengths (each mixed-valence element's raised to its amount) and, above
//!   [`MAX_MIXED_VALENCE_COMBOS`], gives up and calls the composition invalid
//!   (Fe7O8 with smact14: 8^7 x 4 > 10^6). That limit is part of what SMACT
//!   answers, so it is kept.
//! - `oxidation_states_set=None` with an `ICSD24FilterConfig` (`consensus`,
//!   `commonality`, `include_zero`): the states come from the ICSD 2024
//!   counts ([`Icsd24Filter`]). Here that is the `icsd24` set with thresholds;
//!   SMACT's `icsd24` file is the filter at consensus 6.
//! - `check_metallicity` (a weighted score of metal fraction, d-block
//!   fraction, metal count, valence-electron count and electronegativity
//!   spread, valid above 0.7) is not offered: it is a heuristic beyond the two
//!   tests the paper and this atlas are about.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::chem::Element;
use crate::data::{Icsd24Filter, OxidationSet, OxidationStates};

/// SMACT 4.0.2's `MIXED_VALENCE_ELEMENTS`: the elements whose atoms may take
/// different oxidation states under `mixed_valence`.
pub const MIXED_VALENCE_ELEMENTS: [&str; 24] = [
    "Fe", "Mn", "Co", "Cu", "Ni", "V", "Ti", "Cr", "Nb", "Mo", "W", "Re", "Ru", "Os", "Pd", "Ag",
    "Au", "Sn", "Sb", "Bi", "Ce", "Eu", "Yb", "U",
];

/// SMACT 4.0.2's `smact.metals`: what `include_alloys` calls a metal.
pub const METALS: [&str; 79] = [
    "Li", "Be", "Na", "Mg", "Al", "K", "Ca", "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu",
    "Zn", "Ga", "Ge", "Rb", "Sr", "Y", "Zr", "Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag", "Cd", "In",
    "Sn", "Sb", "Cs", "Ba", "La", "Ce", "Pr", "Nd", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm",
    "Yb", "Lu", "Hf", "Ta", "W", "Re", "Os", "Ir", "Pt", "Au", "Hg", "Tl", "Pb", "Bi", "Po", "Fr",
    "Ra", "Ac", "Th", "Pa", "U", "Np", "Pu", "Am", "Cm", "Bk", "Cf", "Es", "Fm", "Md", "No",
];

/// SMACT's `_MAX_MIXED_VALENCE_COMBOS`: the most assignments the mixed-valence
/// expansion may have before SMACT gives up on it.
pub const MAX_MIXED_VALENCE_COMBOS: u64 = 1_000_000;

/// Whether SMACT lets `element`'s atoms take different states.
pub fn is_mixed_valence_element(element: Element) -> bool {
    MIXED_VALENCE_ELEMENTS.contains(&element.symbol())
}

/// Whether `element` is in SMACT's `metals` list.
pub fn is_metal(element: Element) -> bool {
    METALS.contains(&element.symbol())
}

/// How many assignments SMACT's mixed-valence expansion of a composition
/// would try: the product of the elements' state-list lengths, each
/// mixed-valence element's raised to its amount (saturating).
pub fn mixed_valence_combinations(parts: impl IntoIterator<Item = (Element, usize, u32)>) -> u64 {
    parts
        .into_iter()
        .fold(1u64, |product, (element, states, amount)| {
            let states = states as u64;
            let factor = if is_mixed_valence_element(element) {
                (0..amount).fold(1u64, |f, _| f.saturating_mul(states))
            } else {
                states
            };
            product.saturating_mul(factor)
        })
}

/// SMACT's `smact_validity` options. The default is the paper's filter
/// (`smact_filter` semantics): every option off.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FilterOptions {
    /// Atoms of SMACT's mixed-valence elements may take different states
    /// (see the module docs for exactly when).
    pub mixed_valence: bool,
    /// Compositions of metals only are allowed.
    pub include_alloys: bool,
    /// SMACT's ICSD24 filter thresholds, for the `icsd24` set only: its
    /// states are then those the filter keeps from the ICSD 2024 counts
    /// rather than SMACT's `icsd24` file. They choose the states, so they
    /// are applied once, where the set is chosen
    /// ([`FilterOptions::oxidation_states`]); the filter functions take the
    /// states that gives.
    pub icsd24: Option<Icsd24Filter>,
}

/// Options that do not fit the chosen oxidation states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterOptionsError {
    /// ICSD24 thresholds with another set.
    Icsd24ThresholdsWithout { set: String },
}

impl fmt::Display for FilterOptionsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FilterOptionsError::Icsd24ThresholdsWithout { set } => write!(
                f,
                "consensus and commonality choose states from the ICSD 2024 counts, so they apply to the icsd24 set only, not to '{set}'; choose icsd24 or leave them out"
            ),
        }
    }
}

impl std::error::Error for FilterOptionsError {}

impl FilterOptions {
    /// The paper's filter.
    pub const PAPER: FilterOptions = FilterOptions {
        mixed_valence: false,
        include_alloys: false,
        icsd24: None,
    };

    /// The states to filter with: `chosen`, or, with ICSD24 thresholds and
    /// the `icsd24` set chosen, the states SMACT's ICSD24 filter keeps.
    pub fn oxidation_states<'a>(
        &self,
        chosen: Cow<'a, OxidationStates>,
    ) -> Result<Cow<'a, OxidationStates>, FilterOptionsError> {
        match self.icsd24 {
            None => Ok(chosen),
            Some(filter) if *chosen == *OxidationSet::Icsd24.states() => {
                Ok(Cow::Owned(filter.states()))
            }
            Some(_) => Err(FilterOptionsError::Icsd24ThresholdsWithout {
                set: chosen.name().to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Commonality;

    fn el(s: &str) -> Element {
        Element::from_symbol(s).unwrap()
    }

    #[test]
    fn lists_name_elements_of_the_atlas() {
        for s in MIXED_VALENCE_ELEMENTS.iter().chain(&METALS) {
            assert!(Element::from_symbol(s).is_ok(), "{s}");
        }
        assert!(is_metal(el("Pb")) && !is_mixed_valence_element(el("Pb")));
        assert!(is_mixed_valence_element(el("Fe")) && !is_metal(el("O")));
    }

    #[test]
    fn combinations_are_smacts_projection() {
        // Fe3O4 with smact14 (Fe 8 states, O 4): 8^3 x 4; Fe7O8: 8^7 x 4, past the limit.
        assert_eq!(
            mixed_valence_combinations([(el("Fe"), 8, 3), (el("O"), 4, 4)]),
            2_048
        );
        assert!(
            mixed_valence_combinations([(el("Fe"), 8, 7), (el("O"), 4, 8)])
                > MAX_MIXED_VALENCE_COMBOS
        );
        // Pb is not in SMACT's list: its amount does not count.
        assert_eq!(
            mixed_valence_combinations([(el("Pb"), 2, 3), (el("O"), 4, 4)]),
            8
        );
        assert_eq!(
            mixed_valence_combinations([(el("Fe"), 19, 16), (el("Mn"), 19, 16)]),
            u64::MAX
        );
    }

    #[test]
    fn icsd24_thresholds_apply_to_the_icsd24_set_only() {
        let options = FilterOptions {
            icsd24: Some(Icsd24Filter {
                consensus: 3,
                commonality: Commonality::Main,
                include_zero: false,
            }),
            ..FilterOptions::PAPER
        };
        let fe = el("Fe");
        let icsd24 = options
            .oxidation_states(Cow::Borrowed(OxidationSet::Icsd24.states()))
            .unwrap();
        assert_eq!(icsd24.of(fe), [3]);
        let err = options
            .oxidation_states(Cow::Borrowed(OxidationSet::Smact14.states()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("not to 'smact14'"), "{err}");
        let plain = FilterOptions::PAPER
            .oxidation_states(Cow::Borrowed(OxidationSet::Smact14.states()))
            .unwrap();
        assert_eq!(plain.of(fe), OxidationSet::Smact14.states().of(fe));
        let json: FilterOptions = serde_json::from_str(r#"{"mixed_valence":true}"#).unwrap();
        assert_eq!(
            json,
            FilterOptions {
                mixed_valence: true,
                ..FilterOptions::PAPER
            }
        );
    }
}
