//! Crystal Atlas: maps of inorganic crystal chemical space.
//!
//! The pure-Rust core behind the web page and the `crystal-atlas` CLI. Data flows
//! one way: [`data`] -> [`enumerate`] -> [`filter`] -> [`label`] -> [`embed`] ->
//! [`reduce`] -> [`plot`]. Nothing here touches the DOM; the web shell lives in
//! `web` (wasm32 only) and calls into these modules. See ARCHITECTURE.md.

pub mod anion;
pub mod chem;
pub mod count;
pub mod data;
pub mod embed;
pub mod enumerate;
pub mod explain;
pub mod export;
pub mod filter;
pub mod glossary;
pub mod label;
pub mod neighbours;
pub mod parallel;
pub mod params;
pub mod pipeline;
pub mod plot;
pub mod reduce;
pub mod sample;
pub mod selection_summary;
pub mod session;
pub mod view_state;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub use chem::{Composition, Element};
pub use data::{KnownSet, OxidationStates};
pub use label::Category;
