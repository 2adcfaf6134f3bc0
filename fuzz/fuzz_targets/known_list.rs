//! Uploaded known-composition lists (text, CSV, JSON): parsing never panics,
//! and an accepted list written out one formula per line reads back as the
//! same set.
#![no_main]

use crystal_atlas::data::KnownSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(set) = KnownSet::parse_user_list("fuzz", bytes) else {
        return;
    };
    let written: Vec<String> = set.compositions().map(|c| c.to_string()).collect();
    assert_eq!(written.len(), set.len());
    if written.is_empty() {
        return;
    }
    let again = KnownSet::parse_user_list("fuzz", written.join("\n").as_bytes())
        .expect("a written list parses");
    assert_eq!(again.len(), set.len());
    assert!(again.left_out().is_none(), "every written formula has a key");
    assert!(set.compositions().all(|c| again.contains(&c)));
});
