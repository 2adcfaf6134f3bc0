//! Properties that must hold for every input, checked on random ones
//! (proptest, a modest number of cases each so the suite stays fast).
//!
//! The references are the slow, obvious paths: `smact_filter` run set by set
//! (SMACT's own algorithm), `smact_validity` ratio by ratio with the filter's
//! options, parsing what was written, listing what was drawn.

use std::collections::BTreeSet;

use crystal_atlas::count::{SignatureTable, allowed_in_pool};
use crystal_atlas::data::{KnownSet, KnownSource, OxidationSet, OxidationStates};
use crystal_atlas::enumerate::combinations;
use crystal_atlas::explain::explain;
use crystal_atlas::filter::{FilterOptions, allowed_compositions, is_allowed, smact_filter};
use crystal_atlas::label::Labeller;
use crystal_atlas::sample::sample;
use crystal_atlas::{Composition, Element};
use proptest::prelude::*;

fn element() -> impl Strategy<Value = Element> {
    (1u8..=103).prop_map(|z| Element::from_z(z).unwrap())
}

/// `n` distinct elements in random order, from `min..=max` of them.
fn distinct_elements(min: usize, max: usize) -> impl Strategy<Value = Vec<Element>> {
    prop::collection::btree_set(1u8..=103, min..=max)
        .prop_map(|zs| {
            zs.into_iter()
                .map(|z| Element::from_z(z).unwrap())
                .collect::<Vec<_>>()
        })
        .prop_shuffle()
}

/// An oxidation-state set: a built-in one, or a random one over -9..+9 in
/// SMACT's file format (zeros, long lists and elements without states included).
fn oxidation_states() -> impl Strategy<Value = OxidationStates> {
    let builtin = prop::sample::select(OxidationSet::ALL.to_vec()).prop_map(|s| s.states().clone());
    let custom =
        prop::collection::vec(prop::collection::vec(-9i8..=9, 0..6), 103).prop_map(|lists| {
            let text: String = Element::all()
                .zip(&lists)
                .map(|(e, l)| {
                    let states: Vec<String> = l.iter().map(|q| format!("{q:+}")).collect();
                    format!("{e} {}\n", states.join(" "))
                })
                .collect();
            // A set where no element has a state is an error: give H one.
            OxidationStates::parse_smact_file("random", &format!("{text}H +1\n"))
                .or_else(|_| OxidationStates::parse_smact_file("random", "H +1"))
                .unwrap()
        });
    prop_oneof![builtin, custom]
}

/// The paper's filter or SMACT's smact_validity options (mixed valence, alloys).
fn filter_options() -> impl Strategy<Value = FilterOptions> {
    (any::<bool>(), any::<bool>()).prop_map(|(mixed_valence, include_alloys)| FilterOptions {
        mixed_valence,
        include_alloys,
        icsd24: None,
    })
}

fn composition(max_elements: usize, max_amount: u32) -> impl Strategy<Value = Composition> {
    distinct_elements(1, max_elements)
        .prop_flat_map(move |els| {
            let n = els.len();
            (Just(els), prop::collection::vec(1..=max_amount, n))
        })
        .prop_map(|(els, amounts)| Composition::new(els.into_iter().zip(amounts)).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Writing a composition and reading it back gives the same composition.
    #[test]
    fn formatting_then_parsing_returns_the_composition(c in composition(8, 1_000_000)) {
        let written = c.to_string();
        prop_assert_eq!(Composition::parse(&written).unwrap(), c, "{}", written);
    }

    /// The formula parser answers every string, and what it accepts survives
    /// a round trip (the fuzz target checks the same on mutated input).
    #[test]
    fn any_text_is_parsed_or_refused(text in "[A-Za-z0-9()\\[\\] .]{0,40}") {
        if let Ok(c) = Composition::parse(&text) {
            prop_assert_eq!(Composition::parse(&c.to_string()).unwrap(), c);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// SMACT's filter does not depend on the order the elements are given in,
    /// and `is_allowed` agrees with it on every composition of the system.
    #[test]
    fn the_filter_does_not_depend_on_element_order(
        elements in distinct_elements(2, 4),
        ox in oxidation_states(),
        threshold in 1u32..=6,
        options in filter_options(),
        seed in any::<u64>(),
    ) {
        let mut permuted = elements.clone();
        permuted.rotate_left((seed % elements.len() as u64) as usize);
        permuted.swap(0, (seed / 7 % elements.len() as u64) as usize);
        let a: BTreeSet<Composition> = allowed_compositions(&elements, &ox, threshold, &options).into_iter().collect();
        let b: BTreeSet<Composition> = allowed_compositions(&permuted, &ox, threshold, &options).into_iter().collect();
        prop_assert_eq!(&a, &b);
        for t in crystal_atlas::enumerate::coprime_tuples(elements.len(), threshold) {
            let c = Composition::new(elements.iter().copied().zip(t)).unwrap();
            prop_assert_eq!(is_allowed(&c, &ox, threshold, &options), a.contains(&c), "{}", c);
        }
    }

    /// The explanation's verdict and category are `is_allowed`'s and the
    /// labeller's, for any composition, set and limit.
    #[test]
    fn the_explanation_agrees_with_is_allowed(
        c in composition(6, 10),
        ox in oxidation_states(),
        threshold in 1u32..=8,
        options in filter_options(),
    ) {
        let known = KnownSource::MaterialsProject.embedded().unwrap();
        let labeller = Labeller { ox: &ox, threshold, options, known };
        let e = explain(&c, &labeller);
        prop_assert_eq!(e.allowed, is_allowed(&c, &ox, threshold, &options), "{}", e.summary);
        prop_assert_eq!(e.category, labeller.category(&c));
    }

    /// A known list written out as text, CSV or JSON reads back as the same set.
    #[test]
    fn known_lists_read_back_what_was_written(
        list in prop::collection::vec(composition(4, 511), 1..40),
        shape in 0..3usize,
    ) {
        let formulas: Vec<String> = list.iter().map(|c| c.to_string()).collect();
        let text = match shape {
            0 => formulas.join("\n"),
            1 => std::iter::once("id,formula,note".to_string())
                .chain(formulas.iter().enumerate().map(|(i, f)| format!("{i},\"{f}\",\"a, b\"")))
                .collect::<Vec<_>>()
                .join("\r\n"),
            _ => serde_json::to_string(&formulas).unwrap(),
        };
        let set = KnownSet::parse_user_list("mine", text.as_bytes()).unwrap();
        let want: BTreeSet<&Composition> = list.iter().collect();
        prop_assert_eq!(set.len(), want.len());
        prop_assert!(list.iter().all(|c| set.contains(c)));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Table 2's signature counting equals `smact_filter` (or with options
    /// `smact_validity`) run on every element set of a random pool (with
    /// elements lacking electronegativity or states), for random limits and
    /// sets.
    #[test]
    fn signature_counts_equal_the_sum_over_element_sets(
        pool in prop::collection::btree_set(element(), 5..=8),
        ox in oxidation_states(),
        order in 2usize..=4,
        threshold in 1u32..=8,
        options in filter_options(),
    ) {
        // Quaternaries at the top limits are slow through the references.
        let threshold = if order == 4 { threshold.min(5) } else { threshold };
        let pool: Vec<Element> = pool.into_iter().collect();
        let mut expected = 0u64;
        for set in combinations(pool.len(), order) {
            let els: Vec<Element> = set.iter().map(|&i| pool[i]).collect();
            expected += allowed_compositions(&els, &ox, threshold, &options).len() as u64;
        }
        let got = allowed_in_pool(order, &ox, threshold, &options, &pool, &mut |_| true);
        prop_assert_eq!(got, Some(expected));
        if options == FilterOptions::PAPER {
            let table = SignatureTable::for_pool(order, &ox, threshold, &options, pool.iter().copied());
            prop_assert_eq!(table.allowed_total(&mut |_| true), Some(expected));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    /// A sample holds only compositions of the order and category it says.
    #[test]
    fn samples_hold_only_their_categories(
        order in 2usize..=4,
        per_category in 1usize..=40,
        seed in any::<u64>(),
        set in prop::sample::select(OxidationSet::ALL.to_vec()),
        threshold in 1u32..=8,
        with_known in any::<bool>(),
        options in filter_options(),
    ) {
        let none = KnownSet::empty();
        let known = if with_known { KnownSource::MaterialsProject.embedded().unwrap() } else { &none };
        let labeller = Labeller { ox: set.states(), threshold, options, known };
        let s = sample(order, crystal_atlas::sample::SampleSize::PerCategory(per_category), seed, &labeller).unwrap();
        prop_assert_eq!(s.compositions.len(), s.categories.len());
        for (c, &category) in s.compositions.iter().zip(&s.categories) {
            prop_assert_eq!(c.order(), order);
            prop_assert_eq!(labeller.category(c), category, "{}", c);
        }
        let distinct: BTreeSet<&Composition> = s.compositions.iter().collect();
        prop_assert_eq!(distinct.len(), s.compositions.len());
    }
}

/// `smact_filter` with a permuted system lists the same ratios, permuted.
#[test]
fn smact_filter_output_follows_the_permutation() {
    let ox = OxidationSet::Smact14.states();
    let els = |s: &str| -> Vec<Element> {
        s.split('-')
            .map(|x| Element::from_symbol(x).unwrap())
            .collect()
    };
    let forward: BTreeSet<(Vec<i8>, Vec<u32>)> = smact_filter(&els("Cs-Pb-I"), ox, 5)
        .into_iter()
        .map(|r| (r.ox_states, r.ratio))
        .collect();
    let backward: BTreeSet<(Vec<i8>, Vec<u32>)> = smact_filter(&els("I-Pb-Cs"), ox, 5)
        .into_iter()
        .map(|r| {
            let (mut q, mut a) = (r.ox_states, r.ratio);
            q.reverse();
            a.reverse();
            (q, a)
        })
        .collect();
    assert_eq!(forward, backward);
}
