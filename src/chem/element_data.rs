//! The element table: H (Z = 1) to Lr (Z = 103), from SMACT's `element_data.txt`
//! (Pauling electronegativity and properties) plus pymatgen's electronegativity
//! `X`, which only orders elements when formulas are written (pymatgen writes
//! Li2ZnSn3O8, not OLi2...).

use std::sync::OnceLock;

/// Elements in the atlas: H..Lr.
pub const ELEMENT_COUNT: usize = 103;

/// One row of `data/elements.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct ElementData {
    pub symbol: &'static str,
    pub z: u8,
    /// SMACT's `Element.pauling_eneg`; `None` for He, Ne, Ar, Pm, Rn, Lr.
    pub pauling_eneg: Option<f64>,
    /// pymatgen's `Element.X`, used only to order elements in formulas.
    pub formula_x: Option<f64>,
    pub mass: f64,
    pub covalent_radius: Option<f64>,
    pub electron_affinity: Option<f64>,
    pub ionisation_potential: Option<f64>,
    pub dipole_polarisability: Option<f64>,
    pub crustal_abundance: Option<f64>,
}

const ELEMENTS_CSV: &str = include_str!("../../data/elements.csv");

/// The table, indexed by `Z - 1`.
pub fn element_data() -> &'static [ElementData] {
    static TABLE: OnceLock<Vec<ElementData>> = OnceLock::new();
    TABLE.get_or_init(|| parse_elements_csv(ELEMENTS_CSV))
}

fn parse_elements_csv(text: &'static str) -> Vec<ElementData> {
    let optional = |s: &str| -> Option<f64> { if s.is_empty() { None } else { s.parse().ok() } };
    let table: Vec<ElementData> = text
        .lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let f: Vec<&'static str> = line.split(',').collect();
            ElementData {
                symbol: f[0],
                z: f[1].parse().expect("data/elements.csv: Z"),
                pauling_eneg: optional(f[2]),
                formula_x: optional(f[3]),
                mass: f[4].parse().expect("data/elements.csv: mass"),
                covalent_radius: optional(f[5]),
                electron_affinity: optional(f[6]),
                ionisation_potential: optional(f[7]),
                dipole_polarisability: optional(f[8]),
                crustal_abundance: optional(f[9]),
            }
        })
        .collect();
    assert!(
        table.len() == ELEMENT_COUNT
            && table.iter().enumerate().all(|(i, e)| e.z as usize == i + 1),
        "data/elements.csv must list Z = 1..103 in order"
    );
    table
}

/// Symbols of elements after Lr that SMACT's data files also list. Files may
/// name them; the atlas ignores them, as SMACT's enumeration (Z <= 103) does.
pub const SYMBOLS_BEYOND_LR: [&str; 15] = [
    "Rf", "Db", "Sg", "Bh", "Hs", "Mt", "Ds", "Rg", "Cn", "Nh", "Fl", "Mc", "Lv", "Ts", "Og",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_smact_element_data() {
        let t = element_data();
        assert_eq!(t[0].symbol, "H");
        assert_eq!(t[102].symbol, "Lr");
        // SMACT element_data.txt: O 3.44, Zn 1.65, Sn 1.96, Li 0.98.
        assert_eq!(t[7].pauling_eneg, Some(3.44));
        assert_eq!(t[29].pauling_eneg, Some(1.65));
        assert_eq!(t[49].pauling_eneg, Some(1.96));
        assert_eq!(t[2].pauling_eneg, Some(0.98));
        let without: Vec<&str> = t
            .iter()
            .filter(|e| e.pauling_eneg.is_none())
            .map(|e| e.symbol)
            .collect();
        assert_eq!(without, ["He", "Ne", "Ar", "Pm", "Rn", "Lr"]);
    }
}
