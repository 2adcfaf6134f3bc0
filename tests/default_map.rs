//! The default map shipped with the page (`data/maps/`, see
//! `session::shipped`) is the map the page's workers compute for the default
//! settings, bit for bit, and a first visit shows it without reducing.
//!
//! `CRYSTAL_ATLAS_WRITE_DEFAULT_MAP=1 cargo test --release --test default_map`
//! (what `scripts/make-default-map` runs) rewrites it.

use std::path::Path;

use crystal_atlas::pipeline::{Request, Response, Runner};
use crystal_atlas::session::{Input, Session};

/// The default map as the workers compute it: (layout key, coordinates).
fn computed() -> (String, Vec<f32>) {
    let mut session = Session::new();
    session.update(
        0.0,
        Input::Open {
            fragment: String::new(),
        },
    );
    let settings = session.embed_settings();
    let params = session.state().reducer_params();
    let mut runner = Runner::new();
    let mut embedded = None;
    runner.handle(
        Request::Embed {
            id: 1,
            settings,
            uploads: Vec::new(),
        },
        None,
        &mut |r, payload| {
            if let Response::Embedded { kept, cols, .. } = r {
                embedded = Some((kept.len(), cols, payload.expect("a matrix").to_vec()));
            }
        },
    );
    let (rows, cols, matrix) = embedded.expect("the default sample embeds");
    let mut coords = None;
    runner.handle(
        Request::Reduce {
            id: 2,
            params,
            rows,
            cols,
        },
        Some(matrix),
        &mut |r, payload| {
            if let Response::Layout { last: true, .. } = r {
                coords = payload.map(<[f32]>::to_vec);
            }
        },
    );
    (session.layout_key(), coords.expect("a finished layout"))
}

#[test]
fn the_shipped_default_map_is_the_one_the_page_computes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/maps");
    let (key, coords) = computed();
    let bytes: Vec<u8> = coords.iter().flat_map(|x| x.to_le_bytes()).collect();
    if std::env::var_os("CRYSTAL_ATLAS_WRITE_DEFAULT_MAP").is_some() {
        std::fs::write(dir.join("default.key"), format!("{key}\n")).unwrap();
        std::fs::write(dir.join("default.f32"), &bytes).unwrap();
        eprintln!(
            "wrote data/maps/default.key and default.f32 ({} points)",
            coords.len() / 2
        );
        return;
    }
    let shipped_key = std::fs::read_to_string(dir.join("default.key")).unwrap();
    assert_eq!(
        shipped_key.trim_end(),
        key,
        "the default settings changed: run scripts/make-default-map"
    );
    let shipped = std::fs::read(dir.join("default.f32")).unwrap();
    assert!(
        shipped == bytes,
        "the shipped default map differs from the one computed now (reducer, data or sample changed): run scripts/make-default-map"
    );
    // The session takes it as the finished map of the default settings.
    let from_session = crystal_atlas::session::shipped::layout(&key, coords.len() / 2);
    assert_eq!(from_session.as_deref(), Some(&coords[..]));
    assert_eq!(
        crystal_atlas::session::shipped::layout("{}", coords.len() / 2),
        None
    );
}
