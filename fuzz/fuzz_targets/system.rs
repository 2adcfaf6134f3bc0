//! The chemical-system parser: never panics, and an accepted system is
//! written as text that parses to the same system, with 2^n - n - 1 sub-systems.
#![no_main]

use crystal_atlas::chem::ChemicalSystem;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(s) = ChemicalSystem::parse(text) else {
        return;
    };
    let written = s.to_string();
    let again = ChemicalSystem::parse(&written)
        .unwrap_or_else(|e| panic!("{text:?} -> {written:?} does not parse: {e}"));
    assert_eq!(again, s);
    let n = s.elements().len();
    assert_eq!(s.subsystems().len(), (1 << n) - n - 1);
});
