//! Links: decoding any URL fragment never panics (bad parameters become
//! errors and defaults), and the state it gives is written as a fragment that
//! decodes, without errors, to the same state.
#![no_main]

use crystal_atlas::view_state::ViewState;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|fragment: &str| {
    let (state, _errors) = ViewState::from_fragment(fragment);
    let written = state.to_fragment();
    let (again, errors) = ViewState::from_fragment(&written);
    assert!(errors.is_empty(), "{fragment:?} -> {written:?}: {errors:?}");
    assert_eq!(again, state, "{fragment:?} -> {written:?}");
});
