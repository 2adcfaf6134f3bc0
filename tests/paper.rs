//! The paper's published numbers (Park, Onwuli, Butler, Walsh, Faraday
//! Discuss. 2024): Table 1's allowed/forbidden split and the binary count,
//! plus the paper's own binary labels where /work/shared/reference is present.

use std::collections::HashSet;
use std::path::Path;

use crystal_atlas::count::count_space;
use crystal_atlas::data::{KnownSet, OxidationSet};
use crystal_atlas::enumerate::{combinations, coprime_tuples};
use crystal_atlas::filter::{FilterOptions, is_allowed};
use crystal_atlas::{Composition, Element};

fn allowed(formula: &str) -> bool {
    is_allowed(
        &Composition::parse(formula).unwrap(),
        OxidationSet::Smact14.states(),
        8,
        &FilterOptions::PAPER,
    )
}

#[test]
fn table_1_allowed_and_forbidden() {
    // Table 1 (Li-Zn-Sn-O): standard and missing are allowed; interesting and unlikely forbidden.
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
        assert!(allowed(f), "{f} is allowed in Table 1");
    }
    for f in ["ZnO3", "LiZnO4", "LiZn4SnO8", "LiZn4Sn4O8", "LiZnSnO"] {
        assert!(!allowed(f), "{f} is forbidden in Table 1");
    }
    assert_eq!(
        Composition::parse("O8Sn3ZnLi2").unwrap().to_string(),
        "Li2ZnSn3O8"
    );
}

#[test]
fn binary_space_counts() {
    let c = count_space(
        2,
        OxidationSet::Smact14.states(),
        8,
        &FilterOptions::PAPER,
        &KnownSet::empty(),
        &mut |_| true,
    )
    .unwrap();
    assert_eq!((c.unique, c.allowed), (225_879, 13_464));
}

#[test]
fn binary_allowed_set_equals_the_papers_labels() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/binary_labels.csv");
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!("skipped: {} is absent", path.display());
        return;
    };
    let mut paper_allowed = HashSet::new();
    let mut rows = 0;
    for line in text.lines().skip(1) {
        let mut cells = line.split(',');
        let (formula, smact_allowed) = (cells.next().unwrap(), cells.next().unwrap());
        // Compositions, not strings: pymatgen writes NaO as Na2O2 and has reordered noble gases.
        let c = Composition::parse(formula).unwrap();
        if smact_allowed == "True" {
            paper_allowed.insert(c);
        }
        rows += 1;
    }
    assert_eq!(rows, 225_879);
    let mut ours = HashSet::new();
    let elements: Vec<Element> = Element::all().collect();
    for set in combinations(103, 2) {
        for t in coprime_tuples(2, 8) {
            let c = Composition::new([(elements[set[0]], t[0]), (elements[set[1]], t[1])]).unwrap();
            if is_allowed(&c, OxidationSet::Smact14.states(), 8, &FilterOptions::PAPER) {
                ours.insert(c);
            }
        }
    }
    assert_eq!(ours.len(), 13_464);
    assert_eq!(ours, paper_allowed);
}
