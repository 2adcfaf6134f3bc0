//! Elements, compositions and chemical systems: what they are, how they are
//! written and read. Formulas are written as pymatgen writes reduced formulas
//! (elements by increasing electronegativity, amounts of 1 omitted).

pub(crate) mod composition;
mod element;
pub mod element_data;
mod formula;
mod system;

pub(crate) use composition::gcd;
pub use composition::{Composition, MAX_COMPOSITION_ELEMENTS};
pub use element::shown;
pub use element::{Element, ElementError};
pub use formula::FormulaError;
pub use system::{ChemicalSystem, SystemError};
