//! The compact data committed under `data/` and compiled into the program:
//! SMACT's element table and oxidation-state sets, known-composition sets from
//! crabnet's Materials Project / OQMD / AFLOW benchmark data, and element
//! embeddings from ElementEmbeddings. `scripts/import-data` regenerates it all
//! from the pinned wheels; `data/README.md` credits the sources.
//!
//! Everything here parses once, on first use, and is shared afterwards.

pub mod embeddings;
pub mod known;
pub mod oxidation;

// The element table lives with `Element` in `chem`; data reads it from there.
pub use crate::chem::element_data as elements;
pub use crate::chem::element_data::{ELEMENT_COUNT, ElementData, element_data};
pub use known::{KnownSet, KnownSource, LeftOut, UserListError};
pub use oxidation::{OxidationSet, OxidationStates};
