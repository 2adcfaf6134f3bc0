//! Where each element sits in the periodic table the page draws (Fig. 1):
//! 18 groups, periods 1-7, and the lanthanides and actinides in two rows of
//! their own below (rows 9 and 10, after a spacer row 8).

use crate::chem::Element;

/// (row, column), both 1-based, of `e` in the 18-column table.
pub fn position(e: Element) -> (u32, u32) {
    let z = u32::from(e.z());
    match z {
        1 => (1, 1),
        2 => (1, 18),
        3..=4 => (2, z - 2),
        5..=10 => (2, z + 8),
        11..=12 => (3, z - 10),
        13..=18 => (3, z),
        19..=36 => (4, z - 18),
        37..=54 => (5, z - 36),
        55..=56 => (6, z - 54),
        57..=71 => (9, z - 54),
        72..=86 => (6, z - 68),
        87..=88 => (7, z - 86),
        _ => (10, z - 86),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(symbol: &str) -> (u32, u32) {
        position(Element::from_symbol(symbol).unwrap())
    }

    #[test]
    fn elements_are_where_chemists_look_for_them() {
        assert_eq!(at("H"), (1, 1));
        assert_eq!(at("He"), (1, 18));
        assert_eq!(at("B"), (2, 13));
        assert_eq!(at("Fe"), (4, 8));
        assert_eq!(at("Ag"), (5, 11));
        assert_eq!(at("Hf"), (6, 4));
        assert_eq!(at("Rn"), (6, 18));
        assert_eq!(at("La"), (9, 3));
        assert_eq!(at("Lu"), (9, 17));
        assert_eq!(at("Ra"), (7, 2));
        assert_eq!(at("Lr"), (10, 17));
        let mut seen: Vec<(u32, u32)> = Element::all().map(position).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 103, "no two elements share a cell");
    }
}
