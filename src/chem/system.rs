//! Chemical systems such as "Li-Zn-Sn-O": a set of distinct elements, the
//! unit of the paper's Table 1 and of SMACT's `smact_filter`.

use std::fmt;

use super::element::{Element, ElementError};

/// Most elements in a system: the atlas's space stops at quaternaries.
pub const MAX_SYSTEM_ELEMENTS: usize = 4;

/// A set of 1..=4 distinct elements, kept in the order written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChemicalSystem {
    elements: Vec<Element>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SystemError {
    Empty,
    /// An empty piece between dashes ("Li--O"), 1-based piece number.
    EmptyPart {
        position: usize,
    },
    Element {
        position: usize,
        error: ElementError,
    },
    Repeated {
        symbol: String,
    },
    TooMany {
        count: usize,
    },
}

impl fmt::Display for SystemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SystemError::Empty => write!(
                f,
                "the chemical system is empty: type elements joined by dashes, e.g. Li-Zn-Sn-O"
            ),
            SystemError::EmptyPart { position } => {
                write!(
                    f,
                    "element {position} of the system is empty; join symbols with single dashes, e.g. Li-Zn-O"
                )
            }
            SystemError::Element { position, error } => {
                write!(f, "element {position} of the system: {error}")?;
                match error {
                    ElementError::Unknown(s) if s.chars().count() > 2 => {
                        write!(f, "; separate symbols with dashes, e.g. Li-Zn-Sn-O")
                    }
                    _ => Ok(()),
                }
            }
            SystemError::Repeated { symbol } => {
                write!(f, "{symbol} appears twice; list each element once")
            }
            SystemError::TooMany { count } => {
                write!(
                    f,
                    "{count} elements; a system here has at most {MAX_SYSTEM_ELEMENTS} (quaternaries)"
                )
            }
        }
    }
}

impl std::error::Error for SystemError {}

impl ChemicalSystem {
    /// Reads "Li-Zn-Sn-O"; spaces, commas and dashes (also en and em dashes
    /// and the minus sign, as copied text has them) all separate symbols.
    pub fn parse(text: &str) -> Result<ChemicalSystem, SystemError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(SystemError::Empty);
        }
        // Commas and spaces separate like dashes; only an empty piece between dashes is an error.
        let joined = trimmed
            .split([',', ' ', '\t'])
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let pieces: Vec<&str> = joined
            .split(['-', '\u{2013}', '\u{2014}', '\u{2212}'])
            .collect();
        if pieces.len() > 16 {
            return Err(SystemError::TooMany {
                count: pieces.len(),
            });
        }
        let mut elements = Vec::new();
        for (i, piece) in pieces.iter().enumerate() {
            let position = i + 1;
            if piece.is_empty() {
                return Err(SystemError::EmptyPart { position });
            }
            let e = Element::from_symbol(piece)
                .map_err(|error| SystemError::Element { position, error })?;
            if elements.contains(&e) {
                return Err(SystemError::Repeated {
                    symbol: e.symbol().to_string(),
                });
            }
            elements.push(e);
        }
        if elements.len() > MAX_SYSTEM_ELEMENTS {
            return Err(SystemError::TooMany {
                count: elements.len(),
            });
        }
        Ok(ChemicalSystem { elements })
    }

    pub fn from_elements(elements: Vec<Element>) -> Option<ChemicalSystem> {
        let distinct = elements
            .iter()
            .enumerate()
            .all(|(i, e)| !elements[..i].contains(e));
        (distinct && (1..=MAX_SYSTEM_ELEMENTS).contains(&elements.len()))
            .then_some(ChemicalSystem { elements })
    }

    pub fn elements(&self) -> &[Element] {
        &self.elements
    }

    /// Every sub-system with at least two elements, smallest first, each in
    /// the order written: Li-Zn-O gives Li-Zn, Li-O, Zn-O, Li-Zn-O.
    pub fn subsystems(&self) -> Vec<ChemicalSystem> {
        let n = self.elements.len();
        let mut masks: Vec<u32> = (1u32..(1 << n)).filter(|m| m.count_ones() >= 2).collect();
        masks.sort_by_key(|&m| (m.count_ones(), m));
        masks
            .into_iter()
            .map(|m| ChemicalSystem {
                elements: (0..n)
                    .filter(|i| m & (1 << i) != 0)
                    .map(|i| self.elements[i])
                    .collect(),
            })
            .collect()
    }
}

impl fmt::Display for ChemicalSystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let symbols: Vec<&str> = self.elements.iter().map(|e| e.symbol()).collect();
        f.write_str(&symbols.join("-"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_lists_subsystems() {
        let s = ChemicalSystem::parse("Li-Zn-Sn-O").unwrap();
        assert_eq!(s.to_string(), "Li-Zn-Sn-O");
        let subs: Vec<String> = s.subsystems().iter().map(|s| s.to_string()).collect();
        assert_eq!(subs.len(), 11);
        assert_eq!(
            &subs[..6],
            ["Li-Zn", "Li-Sn", "Zn-Sn", "Li-O", "Zn-O", "Sn-O"]
        );
        assert_eq!(subs[10], "Li-Zn-Sn-O");
        assert_eq!(ChemicalSystem::parse("Zn, O").unwrap().to_string(), "Zn-O");
        for copied in ["Li–Zn–O", "Li—Zn—O", "Li−Zn−O", " Li\tZn O\n"] {
            assert_eq!(
                ChemicalSystem::parse(copied).unwrap().to_string(),
                "Li-Zn-O"
            );
        }
    }

    #[test]
    fn errors_say_what_to_type() {
        assert!(
            ChemicalSystem::parse("Li--O")
                .unwrap_err()
                .to_string()
                .contains("element 2 of the system is empty")
        );
        assert!(
            ChemicalSystem::parse("Li-Qq")
                .unwrap_err()
                .to_string()
                .contains("'Qq' is not an element symbol")
        );
        assert!(
            ChemicalSystem::parse("O-O")
                .unwrap_err()
                .to_string()
                .contains("appears twice")
        );
        assert!(
            ChemicalSystem::parse("H-Li-Be-B-C")
                .unwrap_err()
                .to_string()
                .contains("at most 4")
        );
        assert!(
            ChemicalSystem::parse("  ")
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
        let err = |s: &str| ChemicalSystem::parse(s).unwrap_err().to_string();
        assert_eq!(
            err("LiZnO"),
            "element 1 of the system: 'LiZnO' is not an element symbol; separate symbols with dashes, e.g. Li-Zn-Sn-O"
        );
        assert!(err("Ｌｉ-O").contains("did you mean 'Li'?"));
        assert!(err(&"Li".repeat(1 << 20)).contains("LiLiLiLi..."));
        assert!(err(&"Li-".repeat(1 << 16)).contains("at most 4"));
    }
}
