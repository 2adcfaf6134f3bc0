//! `Element`: one of the 103 elements H..Lr, named after SMACT's `Element`.

use std::fmt;

use super::element_data::{ELEMENT_COUNT, ElementData, SYMBOLS_BEYOND_LR, element_data};

/// An element of the atlas's pool, H (Z = 1) to Lr (Z = 103). Ordered by Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Element(u8);

/// A symbol that names no element of the pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ElementError {
    /// Not a symbol at all ("Xx").
    Unknown(String),
    /// A real element past Lr ("Rf"), outside the atlas's pool.
    BeyondLr(String),
    /// A known symbol written in the wrong case ("co" for "Co").
    WrongCase {
        written: String,
        symbol: &'static str,
    },
    /// Letters outside A-Z, a-z: full-width "Ｆｅ" names `symbol`.
    NotAscii {
        written: String,
        symbol: Option<&'static str>,
    },
}

/// User text as it appears inside a one-line message: control characters
/// escaped, cut to 24 characters.
pub fn shown(text: &str) -> String {
    let mut out: String = text.chars().take(24).flat_map(char::escape_debug).collect();
    if text.chars().nth(24).is_some() {
        out.push_str("...");
    }
    out
}

impl fmt::Display for ElementError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ElementError::Unknown(s) => write!(f, "'{}' is not an element symbol", shown(s)),
            ElementError::BeyondLr(s) => {
                write!(
                    f,
                    "'{s}' is past lawrencium; the atlas covers H to Lr (Z = 1..103)"
                )
            }
            ElementError::WrongCase { written, symbol } => {
                write!(
                    f,
                    "'{written}' is not an element symbol; did you mean '{symbol}'? (symbols are capitalised)"
                )
            }
            ElementError::NotAscii { written, symbol } => {
                write!(f, "'{}' is not an element symbol", shown(written))?;
                match symbol {
                    Some(symbol) => write!(
                        f,
                        "; did you mean '{symbol}'? (type plain letters A-Z, a-z)"
                    ),
                    None => write!(f, "; symbols are plain letters A-Z, a-z, e.g. Fe"),
                }
            }
        }
    }
}

impl std::error::Error for ElementError {}

impl Element {
    /// The element with atomic number `z`, if it is in H..Lr.
    pub fn from_z(z: u8) -> Option<Element> {
        (1..=ELEMENT_COUNT as u8).contains(&z).then_some(Element(z))
    }

    /// All 103 elements in order of Z.
    pub fn all() -> impl Iterator<Item = Element> {
        (1..=ELEMENT_COUNT as u8).map(Element)
    }

    /// Looks up a symbol exactly as written ("Fe", not "fe" or "FE").
    pub fn from_symbol(symbol: &str) -> Result<Element, ElementError> {
        if let Some(i) = element_data().iter().position(|e| e.symbol == symbol) {
            return Ok(Element(i as u8 + 1));
        }
        if SYMBOLS_BEYOND_LR.contains(&symbol) {
            return Err(ElementError::BeyondLr(symbol.to_string()));
        }
        if !symbol.is_ascii() {
            // Full-width forms (U+FF21..) sit at a fixed offset from ASCII.
            let ascii: Option<String> = symbol
                .chars()
                .map(|c| {
                    u32::from(c)
                        .checked_sub(0xFEE0)
                        .and_then(char::from_u32)
                        .filter(|a| a.is_ascii_alphabetic() && u32::from(c) >= 0xFF21)
                })
                .collect();
            return Err(ElementError::NotAscii {
                written: symbol.to_string(),
                symbol: ascii.and_then(|a| Element::from_symbol(&a).ok().map(Element::symbol)),
            });
        }
        if let Some(e) = element_data()
            .iter()
            .find(|e| e.symbol.eq_ignore_ascii_case(symbol))
        {
            return Err(ElementError::WrongCase {
                written: symbol.to_string(),
                symbol: e.symbol,
            });
        }
        Err(ElementError::Unknown(symbol.to_string()))
    }

    pub fn z(self) -> u8 {
        self.0
    }

    /// Index into per-element tables (`Z - 1`).
    pub fn index(self) -> usize {
        self.0 as usize - 1
    }

    pub fn data(self) -> &'static ElementData {
        &element_data()[self.index()]
    }

    pub fn symbol(self) -> &'static str {
        self.data().symbol
    }

    /// SMACT's Pauling electronegativity; `None` for He, Ne, Ar, Pm, Rn, Lr.
    pub fn pauling_eneg(self) -> Option<f64> {
        self.data().pauling_eneg
    }
}

impl fmt::Display for Element {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_round_trip_and_errors_explain() {
        for e in Element::all() {
            assert_eq!(Element::from_symbol(e.symbol()), Ok(e));
        }
        assert_eq!(Element::from_symbol("Lr").unwrap().z(), 103);
        assert_eq!(
            Element::from_symbol("Xx").unwrap_err().to_string(),
            "'Xx' is not an element symbol"
        );
        assert!(
            Element::from_symbol("Rf")
                .unwrap_err()
                .to_string()
                .contains("past lawrencium")
        );
        assert!(
            Element::from_symbol("co")
                .unwrap_err()
                .to_string()
                .contains("did you mean 'Co'")
        );
        assert_eq!(
            Element::from_symbol("Ｆｅ").unwrap_err().to_string(),
            "'Ｆｅ' is not an element symbol; did you mean 'Fe'? (type plain letters A-Z, a-z)"
        );
        assert!(
            Element::from_symbol("Zñ")
                .unwrap_err()
                .to_string()
                .ends_with("symbols are plain letters A-Z, a-z, e.g. Fe")
        );
        assert_eq!(
            Element::from_symbol(&format!("\u{1b}[31m{}", "x".repeat(100)))
                .unwrap_err()
                .to_string(),
            format!(
                "'\\u{{1b}}[31m{}...' is not an element symbol",
                "x".repeat(19)
            )
        );
        assert_eq!(Element::from_z(0), None);
        assert_eq!(Element::from_z(104), None);
    }
}
