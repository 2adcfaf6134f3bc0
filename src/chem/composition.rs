//! `Composition`: a set of distinct elements with positive whole amounts,
//! always held in reduced form (amounts divided by their gcd), so MgO and
//! Mg2O2 are the same composition, as in the paper's enumeration.

use std::fmt;
use std::str::FromStr;

use super::element::Element;
use super::formula::{FormulaError, parse_formula};

/// Most distinct elements a composition may hold. The atlas's space is 2..4
/// elements; explanations accept a few more so a user's formula is not refused.
pub const MAX_COMPOSITION_ELEMENTS: usize = 8;

/// A reduced composition: elements in increasing Z, amounts with gcd 1.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Composition {
    parts: Vec<(Element, u32)>,
}

pub(crate) fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Composition {
    /// Builds the reduced composition of `parts`. Repeated elements add up.
    /// Returns `None` if there are no parts, an amount is zero, a sum overflows,
    /// or there are more than [`MAX_COMPOSITION_ELEMENTS`] elements.
    pub fn new(parts: impl IntoIterator<Item = (Element, u32)>) -> Option<Composition> {
        let mut merged: Vec<(Element, u32)> = Vec::new();
        for (el, amount) in parts {
            if amount == 0 {
                return None;
            }
            match merged.iter_mut().find(|(e, _)| *e == el) {
                Some((_, a)) => *a = a.checked_add(amount)?,
                None => merged.push((el, amount)),
            }
        }
        if merged.is_empty() || merged.len() > MAX_COMPOSITION_ELEMENTS {
            return None;
        }
        merged.sort_unstable_by_key(|(e, _)| *e);
        let g = merged.iter().fold(0, |g, &(_, a)| gcd(g, a));
        for (_, a) in &mut merged {
            *a /= g;
        }
        Some(Composition { parts: merged })
    }

    /// Parses a formula such as "Li2ZnSn3O8", "Mg2O2" or "Ca(OH)2" and reduces it.
    pub fn parse(formula: &str) -> Result<Composition, FormulaError> {
        parse_formula(formula)
    }

    /// (element, amount) pairs in increasing Z.
    pub fn parts(&self) -> &[(Element, u32)] {
        &self.parts
    }

    pub fn elements(&self) -> impl Iterator<Item = Element> + '_ {
        self.parts.iter().map(|&(e, _)| e)
    }

    pub fn amounts(&self) -> impl Iterator<Item = u32> + '_ {
        self.parts.iter().map(|&(_, a)| a)
    }

    /// Number of distinct elements: 2 for a binary, 3 ternary, 4 quaternary.
    pub fn order(&self) -> usize {
        self.parts.len()
    }

    /// Largest stoichiometric factor, the quantity SMACT's threshold limits.
    pub fn max_amount(&self) -> u32 {
        self.amounts().max().unwrap_or(0)
    }

    pub fn total_amount(&self) -> u64 {
        self.amounts().map(u64::from).sum()
    }

    pub fn amount_of(&self, element: Element) -> Option<u32> {
        self.parts
            .iter()
            .find(|(e, _)| *e == element)
            .map(|&(_, a)| a)
    }

    pub fn contains(&self, element: Element) -> bool {
        self.amount_of(element).is_some()
    }

    /// Atomic fraction of each part, in the order of [`Composition::parts`].
    pub fn fractions(&self) -> impl Iterator<Item = f64> + '_ {
        let total = self.total_amount() as f64;
        self.amounts().map(move |a| f64::from(a) / total)
    }

    /// Parts in the order pymatgen writes them: increasing electronegativity
    /// (pymatgen's `X`), ties by symbol; elements without one (He, Ne, Ar) last.
    pub fn parts_in_formula_order(&self) -> Vec<(Element, u32)> {
        let mut parts = self.parts.clone();
        parts.sort_by(|(a, _), (b, _)| {
            let key = |e: &Element| {
                (
                    e.data().formula_x.is_none(),
                    e.data().formula_x.unwrap_or(0.0),
                )
            };
            let (ka, kb) = (key(a), key(b));
            ka.0.cmp(&kb.0)
                .then(ka.1.total_cmp(&kb.1))
                .then(a.symbol().cmp(b.symbol()))
        });
        parts
    }

    /// The chemical system, e.g. "Li-Zn-Sn-O", in formula order.
    pub fn system_name(&self) -> String {
        let symbols: Vec<&str> = self
            .parts_in_formula_order()
            .iter()
            .map(|(e, _)| e.symbol())
            .collect();
        symbols.join("-")
    }
}

impl fmt::Display for Composition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (el, amount) in self.parts_in_formula_order() {
            f.write_str(el.symbol())?;
            if amount != 1 {
                write!(f, "{amount}")?;
            }
        }
        Ok(())
    }
}

impl FromStr for Composition {
    type Err = FormulaError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_formula(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Composition {
        Composition::parse(s).unwrap()
    }

    #[test]
    fn written_as_pymatgen_writes_reduced_formulas() {
        // pymatgen Composition(...).reduced_formula, checked with pymatgen-core 2026.10.16.
        assert_eq!(c("O8Sn3ZnLi2").to_string(), "Li2ZnSn3O8");
        assert_eq!(c("Zn2O2").to_string(), "ZnO");
        assert_eq!(c("He3Ru5").to_string(), "Ru5He3");
        assert_eq!(c("ClNa").to_string(), "NaCl");
        // Unlike pymatgen, no polyanion brackets: the paper's Table 1 writes
        // LiZn4Sn4O8 where pymatgen now writes LiZn4(SnO2)4.
        assert_eq!(c("LiZn4Sn4O8").to_string(), "LiZn4Sn4O8");
        assert_eq!(c("CaH2O2").to_string(), "CaH2O2");
        assert_eq!(
            c("Li-Zn-Sn-O".replace('-', "").as_str()).system_name(),
            "Li-Zn-Sn-O"
        );
    }

    #[test]
    fn reduced_and_merged() {
        assert_eq!(c("Mg2O2"), c("MgO"));
        assert_eq!(c("FeOFe"), c("Fe2O"));
        assert_eq!(c("Li6ZnO4").max_amount(), 6);
        assert_eq!(c("Li6ZnO4").order(), 3);
        assert!(Composition::new([(Element::from_z(8).unwrap(), 0)]).is_none());
    }
}
