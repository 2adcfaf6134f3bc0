//! Crystal Atlas against the real SMACT 4.0.2: the fixture made by
//! scripts/make-smact-fixture records `smact_filter(els, threshold=8,
//! oxidation_states_set=...)` for ~200 element systems over the five built-in
//! sets and a custom file. Every path that decides "allowed" must agree with it:
//! the one-to-one port, the single-composition test, the fast counter and the
//! explanations.

use std::collections::BTreeSet;

use crystal_atlas::count::SignatureTable;
use crystal_atlas::data::{KnownSet, OxidationSet, OxidationStates};
use crystal_atlas::enumerate::coprime_tuples;
use crystal_atlas::explain::explain;
use crystal_atlas::filter::{is_allowed, smact_filter};
use crystal_atlas::label::Labeller;
use crystal_atlas::{Composition, Element};
use serde_json::Value;

const FIXTURE: &str = include_str!("fixtures/smact/smact_filter.jsonl");
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
        let labeller = Labeller {
            ox: &ox,
            threshold: 8,
            known: &none,
        };
        for ratio in coprime_tuples(elements.len(), 8) {
            let c = Composition::new(elements.iter().copied().zip(ratio.iter().copied())).unwrap();
            let allowed = want.contains(&ratio);
            assert_eq!(is_allowed(&c, &ox, 8), allowed, "{context} {c}");
            assert_eq!(explain(&c, &labeller).allowed, allowed, "{context} {c}");
        }

        // The fast counter on this one set.
        let table = SignatureTable::for_pool(elements.len(), &ox, 8, elements.iter().copied());
        assert_eq!(
            table.allowed_total(&mut |_| true),
            Some(want.len() as u64),
            "{context}"
        );
        systems += 1;
    }
    assert!(systems >= 200, "fixture holds {systems} systems");
}
