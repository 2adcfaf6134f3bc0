//! The page's computations, staged and cached: settings -> sample -> embed ->
//! reduce, plus Table 2 counts, the periodic-table frequencies, explanations and
//! chemical-system listings.
//!
//! Why it is in the core: the page runs all of this in Web Workers, but none of
//! it needs a browser, so it lives here where native tests can drive it
//! message by message. The web shell only moves [`protocol`] messages between
//! the page and a [`Runner`], fetches the data files a request needs
//! ([`Runner::missing_assets`]) and throttles progress messages (the core has
//! no clock on wasm32).
//!
//! Guarantees: every request is answered by exactly one final message (its
//! result or an [`protocol::Response::Error`] that says what to fix); a stage
//! is recomputed only when its own inputs change; results depend only on the
//! settings (seeded, no clocks, no hash-map iteration order).

pub mod js_safe;
pub mod protocol;
mod runner;
pub mod settings;

pub use protocol::{Request, Response};
pub use runner::Runner;
pub use settings::{
    ChemSettings, EmbedSettings, KnownChoice, OxSource, ReducerParams, SampleSettings, Upload,
    UploadRef,
};
