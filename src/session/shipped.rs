//! The default map, computed ahead of time.
//!
//! A first visit opens on the paper's map (UMAP of mat2vec, 3,000 of each
//! category, seed 42). Every reducer here gives the same bits for a seed on
//! every platform and thread count (`tests/native_wasm_agree.rs`), so that
//! map can be computed once, natively, and shipped: the page shows it as
//! soon as its sample is embedded, exactly as if its worker had computed it,
//! instead of after seconds of UMAP. `tests/default_map.rs` recomputes it
//! through the workers' own `Runner` and fails if the shipped file differs
//! (rewrite it with `scripts/make-default-map`). Any other setting is
//! computed in the page.

/// The layout key (`stages::layout_key`) of the shipped map.
const KEY: &str = include_str!("../../data/maps/default.key");
/// Its coordinates: rows x 2 little-endian f32, in the embedded rows' order.
const COORDS: &[u8] = include_bytes!("../../data/maps/default.f32");

/// The shipped coordinates of the map `key` with `rows` points, if it is the
/// one shipped.
pub fn layout(key: &str, rows: usize) -> Option<Vec<f32>> {
    if key != KEY.trim_end() || COORDS.len() != rows * 2 * 4 {
        return None;
    }
    Some(
        COORDS
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
    )
}
