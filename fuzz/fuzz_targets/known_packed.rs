//! The packed known-set format (fetched over the network by the page):
//! decoding never panics, and a decoded set answers membership for each of
//! its compositions.
#![no_main]

use crystal_atlas::data::KnownSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(set) = KnownSet::from_packed("fuzz", bytes) else {
        return;
    };
    for c in set.compositions().take(1_000) {
        assert!(set.contains(&c), "{c}");
        assert!(c.order() <= 4);
    }
    for order in 2..=4 {
        for c in set.compositions_within(order, 16).take(1_000) {
            assert_eq!(c.order(), order);
            assert!(c.max_amount() <= 16);
        }
    }
});
