//! The formula parser: never panics, and every formula it accepts is written
//! back (pymatgen order, reduced) as text that parses to the same composition.
#![no_main]

use crystal_atlas::Composition;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(c) = Composition::parse(text) else {
        return;
    };
    let written = c.to_string();
    let again = Composition::parse(&written)
        .unwrap_or_else(|e| panic!("{text:?} -> {written:?} does not parse: {e}"));
    assert_eq!(again, c, "{text:?} -> {written:?}");
    assert_eq!(again.to_string(), written);
    assert!((1..=crystal_atlas::chem::MAX_COMPOSITION_ELEMENTS).contains(&c.order()));
});
