//! The compact data committed under `data/` and compiled into the program:
//! SMACT's element table, oxidation-state sets and ICSD 2024 oxidation-state
//! counts, known-composition sets from
//! crabnet's Materials Project / OQMD / AFLOW benchmark data, and element
//! embeddings from ElementEmbeddings. `scripts/import-data` regenerates it all
//! from the pinned wheels; `data/README.md` credits the sources.
//!
//! Everything here parses once, on first use, and is shared afterwards.

pub mod elements;
pub mod embeddings;
pub mod icsd24;
pub mod known;
pub mod oxidation;

pub use elements::{ELEMENT_COUNT, ElementData, element_data};
pub use icsd24::{Commonality, Icsd24Filter, icsd24_counts};
pub use known::{KnownSet, KnownSource, UserListError};
pub use oxidation::{OxidationSet, OxidationStates};
