//! What a selection on the map holds, in a few numbers: how many points of
//! each category, which elements and chemical systems occur most, and the
//! share known to the materials database. A lasso around a cluster of the
//! map then reads "mostly missing oxides of the alkali metals", which is
//! what the cluster means chemically.
//!
//! Counts are of compositions: an element is counted once per composition
//! that contains it, whatever its amount, and a system ("O-Zn") once per
//! composition of it. Ties are broken by atomic number and by system name, so
//! the same selection always reads the same.

use std::collections::BTreeMap;

use crate::chem::{Composition, Element};
use crate::label::Category;

/// The summary of one selection.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectionSummary {
    /// Points selected.
    pub points: usize,
    /// Points per category, in [`Category::ALL`] order.
    pub per_category: [(Category, usize); 4],
    /// The most frequent elements with the number of compositions holding
    /// each, most first, ties by atomic number.
    pub top_elements: Vec<(Element, usize)>,
    /// The most frequent chemical systems ("O-Zn") with their counts, most
    /// first, ties by name.
    pub top_systems: Vec<(String, usize)>,
    /// Share of the points known to the database (standard or interesting);
    /// `None` for an empty selection.
    pub known_share: Option<f64>,
    /// Share allowed by SMACT's rules (standard or missing); `None` when empty.
    pub allowed_share: Option<f64>,
}

/// Summarises the selected `rows` (each a composition and its category),
/// keeping the `top` most frequent elements and systems.
pub fn summarise<'a>(
    rows: impl IntoIterator<Item = (&'a Composition, Category)>,
    top: usize,
) -> SelectionSummary {
    let mut points = 0usize;
    let mut per_category = Category::ALL.map(|c| (c, 0usize));
    let mut elements = [0usize; 256];
    let mut systems: BTreeMap<String, usize> = BTreeMap::new();
    for (composition, category) in rows {
        points += 1;
        if let Some(slot) = per_category.iter_mut().find(|(c, _)| *c == category) {
            slot.1 += 1;
        }
        for element in composition.elements() {
            elements[element.index()] += 1;
        }
        *systems.entry(composition.system_name()).or_default() += 1;
    }
    let mut top_elements: Vec<(Element, usize)> = Element::all()
        .map(|e| (e, elements[e.index()]))
        .filter(|&(_, n)| n > 0)
        .collect();
    // Stable sort: atomic-number order stays among equal counts.
    top_elements.sort_by_key(|e| std::cmp::Reverse(e.1));
    top_elements.truncate(top);
    let mut top_systems: Vec<(String, usize)> = systems.into_iter().collect();
    top_systems.sort_by_key(|s| std::cmp::Reverse(s.1));
    top_systems.truncate(top);
    let share = |keep: fn(Category) -> bool| {
        (points > 0).then(|| {
            let n: usize = per_category
                .iter()
                .filter(|(c, _)| keep(*c))
                .map(|(_, n)| n)
                .sum();
            n as f64 / points as f64
        })
    };
    SelectionSummary {
        points,
        per_category,
        top_elements,
        top_systems,
        known_share: share(Category::known),
        allowed_share: share(Category::allowed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(items: &[(&str, Category)]) -> Vec<(Composition, Category)> {
        items
            .iter()
            .map(|(f, c)| (Composition::parse(f).unwrap(), *c))
            .collect()
    }

    fn el(symbol: &str) -> Element {
        Element::from_symbol(symbol).unwrap()
    }

    #[test]
    fn counts_categories_elements_systems_and_shares() {
        let selected = rows(&[
            ("ZnO", Category::Standard),
            ("Zn2O", Category::Missing),
            ("ZnO2", Category::Standard),
            ("Li2O", Category::Standard),
            ("LiZnO2", Category::Standard),
            ("ZnO3", Category::Unlikely),
            ("NaCl", Category::Standard),
            ("LiZn4SnO8", Category::Interesting),
        ]);
        let s = summarise(selected.iter().map(|(c, k)| (c, *k)), 3);
        assert_eq!(s.points, 8);
        assert_eq!(
            s.per_category,
            [
                (Category::Standard, 5),
                (Category::Missing, 1),
                (Category::Interesting, 1),
                (Category::Unlikely, 1)
            ]
        );
        // O in 7 compositions, Zn in 6, Li in 3 (Na and Cl in one each).
        assert_eq!(s.top_elements, [(el("O"), 7), (el("Zn"), 6), (el("Li"), 3)]);
        assert_eq!(
            s.top_systems,
            [
                ("Zn-O".to_string(), 4),
                ("Li-O".to_string(), 1),
                ("Li-Zn-O".to_string(), 1)
            ]
        );
        assert_eq!(s.known_share, Some(6.0 / 8.0));
        assert_eq!(s.allowed_share, Some(6.0 / 8.0));
    }

    #[test]
    fn ties_are_broken_the_same_way_whatever_the_order() {
        let selected = rows(&[("NaCl", Category::Standard), ("KBr", Category::Missing)]);
        let forward = summarise(selected.iter().map(|(c, k)| (c, *k)), 10);
        let backward = summarise(selected.iter().rev().map(|(c, k)| (c, *k)), 10);
        assert_eq!(forward, backward);
        // Equal counts: by atomic number (Na 11, Cl 17, K 19, Br 35).
        let order: Vec<&str> = forward
            .top_elements
            .iter()
            .map(|(e, _)| e.symbol())
            .collect();
        assert_eq!(order, ["Na", "Cl", "K", "Br"]);
        assert_eq!(forward.top_systems[0].0, "K-Br");
    }

    #[test]
    fn an_empty_selection_has_no_shares() {
        let s = summarise(std::iter::empty(), 5);
        assert_eq!(s.points, 0);
        assert!(s.top_elements.is_empty() && s.top_systems.is_empty());
        assert_eq!((s.known_share, s.allowed_share), (None, None));
    }
}
