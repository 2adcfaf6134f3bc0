//! The anion classes of the paper's Fig. 5: a binary is a pnictide, halide,
//! chalcogenide, oxide or other according to its anion, taken to be its most
//! electronegative element (SPEC section 6).

use serde::{Deserialize, Serialize};

use crate::chem::{Composition, Element};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnionClass {
    /// N, P, As, Sb, Bi.
    Pnictide,
    /// F, Cl, Br, I, At.
    Halide,
    /// S, Se, Te, Po.
    Chalcogenide,
    /// O.
    Oxide,
    /// Any other anion.
    Other,
}

impl AnionClass {
    pub const ALL: [AnionClass; 5] = [
        AnionClass::Pnictide,
        AnionClass::Halide,
        AnionClass::Chalcogenide,
        AnionClass::Oxide,
        AnionClass::Other,
    ];

    pub fn name(self) -> &'static str {
        match self {
            AnionClass::Pnictide => "pnictide",
            AnionClass::Halide => "halide",
            AnionClass::Chalcogenide => "chalcogenide",
            AnionClass::Oxide => "oxide",
            AnionClass::Other => "other",
        }
    }

    /// The class an element gives a composition when it is the anion.
    pub fn of_element(element: Element) -> AnionClass {
        match element.symbol() {
            "N" | "P" | "As" | "Sb" | "Bi" => AnionClass::Pnictide,
            "F" | "Cl" | "Br" | "I" | "At" => AnionClass::Halide,
            "S" | "Se" | "Te" | "Po" => AnionClass::Chalcogenide,
            "O" => AnionClass::Oxide,
            _ => AnionClass::Other,
        }
    }

    /// The class of `c`, by its most electronegative element (Pauling scale;
    /// elements without a value are passed over; a tie goes to the element
    /// written last, as pymatgen orders formulas by electronegativity).
    pub fn of(c: &Composition) -> AnionClass {
        anion(c).map_or(AnionClass::Other, AnionClass::of_element)
    }
}

/// The most electronegative element of `c` (see [`AnionClass::of`]).
pub fn anion(c: &Composition) -> Option<Element> {
    let mut best: Option<(f64, Element)> = None;
    for (e, _) in c.parts_in_formula_order() {
        if let Some(x) = e.pauling_eneg()
            && best.is_none_or(|(b, _)| x >= b)
        {
            best = Some((x, e));
        }
    }
    best.map(|(_, e)| e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(f: &str) -> AnionClass {
        AnionClass::of(&Composition::parse(f).unwrap())
    }

    #[test]
    fn classes_of_fig_5() {
        assert_eq!(class("ZnO"), AnionClass::Oxide);
        assert_eq!(class("NaCl"), AnionClass::Halide);
        assert_eq!(class("GaAs"), AnionClass::Pnictide);
        assert_eq!(class("CdTe"), AnionClass::Chalcogenide);
        // O (3.44) is less electronegative than F (3.98): OF2 is a fluoride.
        assert_eq!(class("OF2"), AnionClass::Halide);
        // In Mg3Bi2 bismuth is the anion; in BiF3 fluorine.
        assert_eq!(class("Mg3Bi2"), AnionClass::Pnictide);
        assert_eq!(class("BiF3"), AnionClass::Halide);
        assert_eq!(class("CuZn"), AnionClass::Other);
        // He has no Pauling electronegativity, so Ar-He pairs have no anion.
        assert_eq!(class("HeAr"), AnionClass::Other);
        assert_eq!(class("NaHe"), AnionClass::Other);
    }
}
