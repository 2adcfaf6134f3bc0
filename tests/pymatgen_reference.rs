//! How explanations rank oxidation-state assignments, checked against
//! pymatgen's `Composition.oxi_state_guesses()` on the fixture made by
//! scripts/make-oxidation-guess-fixture: 462 compositions the paper's filter
//! allows (named common oxides, halides and chalcogenides, and a seeded
//! sample of Materials Project binaries, ternaries and quaternaries).
//!
//! The two rank differently on purpose (see `filter::plausibility`): pymatgen
//! sums raw ICSD occurrence counts and allows any states its own lists hold,
//! where the atlas scores the log-likelihood of the states under SMACT's ICSD
//! 2024 counts, within the chosen set and the electronegativity test. So the
//! test asserts an agreement floor on the leading assignment, measured when
//! it was written, rather than equality; `cargo test --test pymatgen_reference
//! -- --nocapture` prints the figures and the disagreements.

use std::collections::BTreeMap;

use crystal_atlas::Composition;
use crystal_atlas::data::{KnownSet, OxidationSet};
use crystal_atlas::explain::{Assignment, Reason, explain};
use crystal_atlas::filter::FilterOptions;
use crystal_atlas::label::Labeller;
use serde_json::Value;

const GUESSES: &str = include_str!("fixtures/pymatgen/oxi_state_guesses.jsonl");

/// Each element's states over the formula unit's atoms, sorted.
type Sites = BTreeMap<String, Vec<i64>>;

fn ours(a: &Assignment) -> Sites {
    let mut sites = Sites::new();
    for s in &a.species {
        sites
            .entry(s.element.clone())
            .or_default()
            .extend(std::iter::repeat_n(
                i64::from(s.oxidation_state),
                s.amount as usize,
            ));
    }
    sites.values_mut().for_each(|v| v.sort_unstable());
    sites
}

fn theirs(guess: &Value) -> Sites {
    guess
        .as_object()
        .unwrap()
        .iter()
        .map(|(el, states)| {
            let mut v: Vec<i64> = states
                .as_array()
                .unwrap()
                .iter()
                .map(|q| q.as_i64().unwrap())
                .collect();
            v.sort_unstable();
            (el.clone(), v)
        })
        .collect()
}

/// How many leading assignments agree with pymatgen's first guess.
#[derive(Debug, Default)]
struct Agreement {
    /// Compositions pymatgen has a guess for.
    compared: usize,
    agreed: usize,
    /// Of those, where pymatgen's guess gives every atom of an element one
    /// state (what the paper's filter can write).
    single_valent: usize,
    single_valent_agreed: usize,
    /// (compared, agreed) by number of elements.
    by_order: BTreeMap<u64, (usize, usize)>,
}

/// The agreement under `options`, printing each disagreement.
fn agreement(options: FilterOptions) -> Agreement {
    let known = KnownSet::empty();
    let labeller = Labeller {
        ox: OxidationSet::Smact14.states(),
        threshold: 8,
        options,
        known: &known,
    };
    let mut a = Agreement::default();
    for line in GUESSES.lines() {
        let record: Value = serde_json::from_str(line).unwrap();
        let formula = record["formula"].as_str().unwrap();
        let Some(top) = record["guesses"].as_array().unwrap().first() else {
            continue;
        };
        // The fixture's formulas are reduced, as compositions here are.
        let c = Composition::parse(formula).unwrap();
        let e = explain(&c, &labeller);
        let Reason::Allowed { assignments, .. } = &e.reason else {
            panic!(
                "{formula} is in the fixture because the paper's filter allows it: {}",
                e.summary
            )
        };
        let want = theirs(top);
        let got = ours(&assignments[0]);
        let single = want.values().all(|v| v.windows(2).all(|w| w[0] == w[1]));
        let same = got == want;
        let entry = a
            .by_order
            .entry(record["order"].as_u64().unwrap())
            .or_insert((0, 0));
        entry.0 += 1;
        entry.1 += usize::from(same);
        a.compared += 1;
        a.agreed += usize::from(same);
        a.single_valent += usize::from(single);
        a.single_valent_agreed += usize::from(single && same);
        if !same {
            println!(
                "{formula}: ours {} / pymatgen {top}",
                assignments[0].written()
            );
        }
    }
    a
}

#[test]
fn the_leading_assignment_agrees_with_pymatgen() {
    let paper = agreement(FilterOptions::PAPER);
    println!("paper's filter: {paper:?}");
    let mixed = agreement(FilterOptions {
        mixed_valence: true,
        ..FilterOptions::PAPER
    });
    println!("mixed valence: {mixed:?}");
    // Measured when written: 297 of 349 (85.1%); 297 of the 307 (96.7%)
    // where pymatgen's guess is single-valent, which the paper's filter can
    // write; with mixed valence 307 of 349 (88.0%).
    assert!(paper.compared >= 300, "{paper:?}");
    assert!(paper.agreed * 100 >= paper.compared * 84, "{paper:?}");
    assert!(
        paper.single_valent_agreed * 100 >= paper.single_valent * 95,
        "{paper:?}"
    );
    assert!(mixed.agreed * 100 >= mixed.compared * 87, "{mixed:?}");
}
