//! Crystal Atlas against the real SMACT 4.0.2, from two fixtures made by
//! scripts/make-smact-fixture:
//!
//! - `smact_filter.jsonl`: `smact_filter(els, threshold=8,
//!   oxidation_states_set=...)` for ~200 element systems over the five
//!   built-in sets and a custom file (the paper's filter);
//! - `smact_validity.jsonl`: `smact_validity` with `mixed_valence` and
//!   `include_alloys` on and off, for 250 systems under the built-in sets, the
//!   custom file and the ICSD24 filter at several `consensus`/`commonality`
//!   thresholds, plus the filter's states for a grid of thresholds and SMACT's
//!   lists (mixed-valence elements, metals, the expansion limit);
//! - `binary_counts.json`: how many of the 225,879 binaries `smact_validity`
//!   allows with several options, every composition tried.
//!
//! Every path that decides "allowed" must agree with them: the one-to-one
//! ports, the single-composition test, the fast counter and the explanations.

use std::borrow::Cow;
use std::collections::BTreeSet;

use crystal_atlas::count::{SignatureTable, allowed_in_pool, count_space};
use crystal_atlas::data::{Commonality, Icsd24Filter, KnownSet, OxidationSet, OxidationStates};
use crystal_atlas::enumerate::coprime_tuples;
use crystal_atlas::explain::explain;
use crystal_atlas::filter::{
    FilterOptions, MAX_MIXED_VALENCE_COMBOS, METALS, MIXED_VALENCE_ELEMENTS, is_allowed,
    smact_filter, smact_validity,
};
use crystal_atlas::label::Labeller;
use crystal_atlas::{Composition, Element};
use serde_json::Value;

const FIXTURE: &str = include_str!("fixtures/smact/smact_filter.jsonl");
const VALIDITY: &str = include_str!("fixtures/smact/smact_validity.jsonl");
const BINARY_COUNTS: &str = include_str!("fixtures/smact/binary_counts.json");
const CUSTOM: &str = include_str!("fixtures/smact/custom_oxidation_states.txt");

fn states(name: &str, custom: &OxidationStates) -> OxidationStates {
    match OxidationSet::from_name(name) {
        Some(set) => set.states().clone(),
        None => custom.clone(),
    }
}

fn ratios(v: &Value) -> Vec<Vec<u32>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap() as u32)
                .collect()
        })
        .collect()
}

#[test]
fn every_system_agrees_with_smact() {
    let custom = OxidationStates::parse_smact_file("custom", CUSTOM).unwrap();
    let none = KnownSet::empty();
    let mut systems = 0;
    for line in FIXTURE.lines() {
        let record: Value = serde_json::from_str(line).unwrap();
        let ox = states(record["set"].as_str().unwrap(), &custom);
        let elements: Vec<Element> = record["system"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| Element::from_symbol(s.as_str().unwrap()).unwrap())
            .collect();
        let context = format!("{} {:?}", ox.name(), record["system"]);
        let want: BTreeSet<Vec<u32>> = ratios(&record["allowed"]).into_iter().collect();

        // The port, output for output, in SMACT's order where recorded.
        let ours = smact_filter(&elements, &ox, 8);
        let got: BTreeSet<Vec<u32>> = ours.iter().map(|r| r.ratio.clone()).collect();
        assert_eq!(got, want, "{context}");
        if let Some(output) = record.get("output") {
            let expected: Vec<(Vec<i64>, Vec<u32>)> = output
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let ox_states = r[0]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x.as_i64().unwrap())
                        .collect();
                    (
                        ox_states,
                        ratios(&Value::Array(vec![r[1].clone()])).remove(0),
                    )
                })
                .collect();
            let actual: Vec<(Vec<i64>, Vec<u32>)> = ours
                .iter()
                .map(|r| {
                    (
                        r.ox_states.iter().map(|&q| i64::from(q)).collect(),
                        r.ratio.clone(),
                    )
                })
                .collect();
            assert_eq!(actual, expected, "{context}");
        }

        // The single-composition test and the explanation, over the system's whole space.
        let paper = FilterOptions::PAPER;
        let labeller = Labeller {
            ox: &ox,
            threshold: 8,
            options: paper,
            known: &none,
        };
        for ratio in coprime_tuples(elements.len(), 8) {
            let c = Composition::new(elements.iter().copied().zip(ratio.iter().copied())).unwrap();
            let allowed = want.contains(&ratio);
            assert_eq!(is_allowed(&c, &ox, 8, &paper), allowed, "{context} {c}");
            assert_eq!(smact_validity(&c, &ox, &paper), allowed, "{context} {c}");
            assert_eq!(explain(&c, &labeller).allowed, allowed, "{context} {c}");
        }

        // The fast counter on this one set.
        let table =
            SignatureTable::for_pool(elements.len(), &ox, 8, &paper, elements.iter().copied());
        assert_eq!(
            table.allowed_total(&mut |_| true),
            Some(want.len() as u64),
            "{context}"
        );
        systems += 1;
    }
    assert!(systems >= 200, "fixture holds {systems} systems");
}

fn symbols(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// The ICSD24 filter thresholds of a fixture record.
fn icsd24_filter(record: &Value) -> Icsd24Filter {
    let commonality = match &record["commonality"] {
        Value::String(s) => s.parse().unwrap(),
        number => Commonality::Percent(number.as_f64().unwrap()),
    };
    Icsd24Filter {
        consensus: record["consensus"].as_u64().unwrap() as u32,
        commonality,
        include_zero: record["include_zero"].as_bool().unwrap(),
    }
}

#[test]
fn smacts_lists_are_ours() {
    let lists: Value = serde_json::from_str(VALIDITY.lines().next().unwrap()).unwrap();
    let mut ours: Vec<String> = MIXED_VALENCE_ELEMENTS.map(String::from).to_vec();
    ours.sort();
    assert_eq!(symbols(&lists["mixed_valence_elements"]), ours);
    assert_eq!(symbols(&lists["metals"]), METALS.map(String::from));
    assert_eq!(
        lists["max_mixed_valence_combos"].as_u64(),
        Some(MAX_MIXED_VALENCE_COMBOS)
    );
}

#[test]
fn the_icsd24_filter_keeps_smacts_states() {
    let mut grids = 0;
    for line in VALIDITY.lines() {
        let record: Value = serde_json::from_str(line).unwrap();
        if record["kind"] != "icsd24_filter" {
            continue;
        }
        let filter = icsd24_filter(&record);
        let options = FilterOptions {
            icsd24: Some(filter),
            ..FilterOptions::PAPER
        };
        let ours = options
            .oxidation_states(Cow::Borrowed(OxidationSet::Icsd24.states()))
            .unwrap();
        let states = record["states"].as_object().unwrap();
        for e in Element::all() {
            let want: Vec<i8> = states.get(e.symbol()).map_or(Vec::new(), |v| {
                v.as_array()
                    .unwrap()
                    .iter()
                    .map(|q| q.as_i64().unwrap() as i8)
                    .collect()
            });
            assert_eq!(ours.of(e), want, "{e} {filter:?}");
        }
        grids += 1;
    }
    assert_eq!(grids, 56);
}

#[test]
fn smact_validity_options_agree_with_smact() {
    let custom = OxidationStates::parse_smact_file("custom", CUSTOM).unwrap();
    let none = KnownSet::empty();
    let (mut compositions, mut only_mixed, mut only_alloys) = (0, 0, 0);
    for line in VALIDITY.lines() {
        let record: Value = serde_json::from_str(line).unwrap();
        if record["kind"] != "validity" {
            continue;
        }
        let ox = match record.get("icsd24_filter") {
            Some(f) => Icsd24Filter::states(&icsd24_filter(f)),
            None => states(record["set"].as_str().unwrap(), &custom),
        };
        let elements: Vec<Element> = symbols(&record["system"])
            .iter()
            .map(|s| Element::from_symbol(s).unwrap())
            .collect();
        let mut plain_bits = std::collections::HashMap::new();
        for check in record["checks"].as_array().unwrap() {
            let options = FilterOptions {
                mixed_valence: check["mixed_valence"].as_bool().unwrap(),
                include_alloys: check["include_alloys"].as_bool().unwrap(),
                icsd24: None,
            };
            let context = format!("{} {:?} {options:?}", ox.name(), record["system"]);
            let every_ratio = check["ratios"].is_null();
            let ratios = if every_ratio {
                coprime_tuples(elements.len(), 8)
            } else {
                ratios(&check["ratios"])
            };
            let valid: Vec<bool> = check["valid"]
                .as_str()
                .unwrap()
                .bytes()
                .map(|b| b == b'1')
                .collect();
            assert_eq!(valid.len(), ratios.len(), "{context}");
            let labeller = Labeller {
                ox: &ox,
                threshold: 8,
                options,
                known: &none,
            };
            for (ratio, &want) in ratios.iter().zip(&valid) {
                let c =
                    Composition::new(elements.iter().copied().zip(ratio.iter().copied())).unwrap();
                assert_eq!(is_allowed(&c, &ox, 8, &options), want, "{context} {c}");
                assert_eq!(smact_validity(&c, &ox, &options), want, "{context} {c}");
                let e = explain(&c, &labeller);
                assert_eq!(e.allowed, want, "{context} {c}: {}", e.summary);
                compositions += 1;
                if options == FilterOptions::PAPER {
                    plain_bits.insert(ratio.clone(), want);
                } else if want && plain_bits.get(ratio) == Some(&false) {
                    match (options.mixed_valence, options.include_alloys) {
                        (true, false) => only_mixed += 1,
                        (false, true) => only_alloys += 1,
                        _ => {}
                    }
                }
            }
            if every_ratio {
                let expected = valid.iter().filter(|&&v| v).count() as u64;
                let counted =
                    allowed_in_pool(elements.len(), &ox, 8, &options, &elements, &mut |_| true);
                assert_eq!(counted, Some(expected), "{context}");
            }
        }
    }
    // The options were exercised: compositions only mixed valence allows,
    // only alloys allow.
    assert!(compositions > 100_000, "{compositions}");
    assert!(
        only_mixed > 50 && only_alloys > 1_000,
        "{only_mixed} {only_alloys}"
    );
}

/// Table 2's binary row under each option, against SMACT's smact_validity
/// run on every binary.
#[test]
fn binary_counts_with_options_are_smacts() {
    let counts: Value = serde_json::from_str(BINARY_COUNTS).unwrap();
    let icsd24 = |consensus, commonality| {
        FilterOptions {
            icsd24: Some(Icsd24Filter {
                consensus,
                commonality,
                include_zero: false,
            }),
            ..FilterOptions::PAPER
        }
        .oxidation_states(Cow::Borrowed(OxidationSet::Icsd24.states()))
        .unwrap()
    };
    let smact14 = Cow::Borrowed(OxidationSet::Smact14.states());
    let options = |mixed_valence, include_alloys| FilterOptions {
        mixed_valence,
        include_alloys,
        icsd24: None,
    };
    let cases = [
        ("smact14", smact14.clone(), options(false, false)),
        (
            "smact14 include_alloys",
            smact14.clone(),
            options(false, true),
        ),
        ("smact14 mixed_valence", smact14, options(true, false)),
        (
            "icsd24 consensus 3",
            icsd24(3, Commonality::Low),
            options(false, false),
        ),
        (
            "icsd24 consensus 10 commonality medium mixed_valence include_alloys",
            icsd24(10, Commonality::Medium),
            options(true, true),
        ),
    ];
    let none = KnownSet::empty();
    for (label, ox, options) in cases {
        let c = count_space(2, &ox, 8, &options, &none, &mut |_| true).unwrap();
        assert_eq!(
            Some(c.allowed),
            counts["allowed"][label].as_u64(),
            "{label}"
        );
    }
}
