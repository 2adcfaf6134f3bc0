//! The paper's four categories: SMACT-allowed or not, crossed with known to a
//! materials database or not (SPEC section 4).

use std::fmt;

use crate::chem::Composition;
use crate::data::{KnownSet, OxidationStates};
use crate::filter::{FilterOptions, is_allowed};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Allowed and known.
    Standard,
    /// Allowed and unknown: candidates for new materials.
    Missing,
    /// Forbidden and known: where the simple rules break.
    Interesting,
    /// Forbidden and unknown.
    Unlikely,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::Standard,
        Category::Missing,
        Category::Interesting,
        Category::Unlikely,
    ];

    pub fn from_flags(allowed: bool, known: bool) -> Category {
        match (allowed, known) {
            (true, true) => Category::Standard,
            (true, false) => Category::Missing,
            (false, true) => Category::Interesting,
            (false, false) => Category::Unlikely,
        }
    }

    pub fn allowed(self) -> bool {
        matches!(self, Category::Standard | Category::Missing)
    }

    pub fn known(self) -> bool {
        matches!(self, Category::Standard | Category::Interesting)
    }

    pub fn name(self) -> &'static str {
        match self {
            Category::Standard => "standard",
            Category::Missing => "missing",
            Category::Interesting => "interesting",
            Category::Unlikely => "unlikely",
        }
    }

    pub fn from_name(name: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The paper's colours: blue, red, green, grey.
    pub fn paper_colour(self) -> [u8; 3] {
        match self {
            Category::Standard => [0x00, 0x2F, 0xFF],
            Category::Missing => [0xFF, 0x12, 0x01],
            Category::Interesting => [0x22, 0xE0, 0x00],
            Category::Unlikely => [0xD9, 0xD9, 0xD9],
        }
    }

    /// Okabe-Ito colours, distinguishable with the common colour-vision deficiencies.
    pub fn colour_blind_safe_colour(self) -> [u8; 3] {
        match self {
            Category::Standard => [0x00, 0x72, 0xB2],
            Category::Missing => [0xE6, 0x9F, 0x00],
            Category::Interesting => [0xCC, 0x79, 0xA7],
            Category::Unlikely => [0xBB, 0xBB, 0xBB],
        }
    }

    /// What the category means, in a sentence.
    pub fn meaning(self) -> &'static str {
        match self {
            Category::Standard => {
                "passes SMACT's charge-neutrality and electronegativity tests and is a known compound"
            }
            Category::Missing => {
                "passes SMACT's tests but is not in the database: a candidate for a new material"
            }
            Category::Interesting => {
                "fails SMACT's tests yet is a known compound: where the simple rules break down"
            }
            Category::Unlikely => "fails SMACT's tests and is not known",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The settings that decide a category: oxidation states, stoichiometry
/// limit, the filter's options and the known set.
#[derive(Debug, Clone, Copy)]
pub struct Labeller<'a> {
    /// The states filtered with (any ICSD24 thresholds in `options` already applied).
    pub ox: &'a OxidationStates,
    pub threshold: u32,
    pub options: FilterOptions,
    pub known: &'a KnownSet,
}

impl Labeller<'_> {
    /// Whether the filter allows `c` ([`is_allowed`] under these settings).
    pub fn allowed(&self, c: &Composition) -> bool {
        is_allowed(c, self.ox, self.threshold, &self.options)
    }

    pub fn category(&self, c: &Composition) -> Category {
        Category::from_flags(self.allowed(c), self.known.contains(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_are_the_truth_table() {
        assert_eq!(Category::from_flags(true, true), Category::Standard);
        assert_eq!(Category::from_flags(true, false), Category::Missing);
        assert_eq!(Category::from_flags(false, true), Category::Interesting);
        assert_eq!(Category::from_flags(false, false), Category::Unlikely);
        for c in Category::ALL {
            assert_eq!(Category::from_flags(c.allowed(), c.known()), c);
            assert_eq!(Category::from_name(c.name()), Some(c));
        }
        assert_eq!(Category::Missing.paper_colour(), [0xFF, 0x12, 0x01]);
    }
}
