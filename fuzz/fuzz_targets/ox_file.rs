//! SMACT-format oxidation-state files: parsing never panics; an accepted file
//! is written back and parses to the same states (and no line of it is
//! reported as replacing another); and filtering and explaining
//! fixed compositions under it agree with each other, whatever the states.
#![no_main]

use std::sync::OnceLock;

use crystal_atlas::data::{KnownSet, OxidationStates};
use crystal_atlas::explain::explain;
use crystal_atlas::label::Labeller;
use crystal_atlas::{Composition, Element};
use libfuzzer_sys::fuzz_target;

/// A binary, a ternary, the paper's quaternary, one with a noble gas, and an
/// eight-element formula (the most `explain` accepts).
fn compositions() -> &'static [Composition] {
    static LIST: OnceLock<Vec<Composition>> = OnceLock::new();
    LIST.get_or_init(|| {
        ["ZnO", "Fe2O3", "Li2ZnSn3O8", "LiZnSnO", "HeO2", "TiMnVCrFeCoNiO", "Cs5Pb3I16F"]
            .iter()
            .map(|f| Composition::parse(f).expect("fixed formula"))
            .collect()
    })
}

fuzz_target!(|text: &str| {
    let Ok(ox) = OxidationStates::parse_smact_file("fuzz", text) else {
        return;
    };
    let again = OxidationStates::parse_smact_file("fuzz", &ox.to_smact_file())
        .expect("a written set parses");
    for e in Element::all() {
        assert_eq!(again.of(e), ox.of(e));
    }
    // A replaced line is always reported against an earlier one; a written
    // set lists each element once.
    assert!(ox.notes().iter().all(|n| n.earlier_line < n.line));
    assert!(again.notes().is_empty());
    let known = KnownSet::empty();
    for threshold in [8, 16] {
        let labeller = Labeller {
            ox: &ox,
            threshold,
            options: Default::default(),
            known: &known,
        };
        for c in compositions() {
            let e = explain(c, &labeller);
            assert_eq!(e.allowed, labeller.allowed(c), "{c}");
        }
    }
});
