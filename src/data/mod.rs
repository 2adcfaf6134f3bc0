//! The compact data committed under `data/` and compiled into the program:
//! SMACT's element table, oxidation-state sets and ICSD 2024 oxidation-state
//! counts, known-composition sets from
//! crabnet's Materials Project / OQMD / AFLOW benchmark data, and element
//! embeddings from ElementEmbeddings. `scripts/import-data` regenerates it all
//! from the pinned wheels; `data/README.md` credits the sources.
//!
//! Everything here parses once, on first use, and is shared afterwards.

pub mod embeddings;
pub mod icsd24;
pub mod known;
pub mod oxidation;

// The element table lives with `Element` in `chem`; data reads it from there.
pub use crate::chem::element_data as elements;
pub use crate::chem::element_data::{ELEMENT_COUNT, ElementData, element_data};
pub use icsd24::{Commonality, Icsd24Filter, icsd24_counts};
pub use known::{KnownSet, KnownSource, LeftOut, UserListError};
pub use oxidation::{OxidationSet, OxidationStates};
