//! Reading chemical formulas: "Li2ZnSn3O8", "Mg2O2", "Ca(OH)2", "Li2 Zn Sn3 O8".
//!
//! Errors say what is wrong, where (1-based character column) and how to fix
//! it, because formulas come from people typing.

use std::fmt;

use super::composition::{Composition, MAX_COMPOSITION_ELEMENTS};
use super::element::{Element, ElementError};

/// Longest formula accepted, in characters.
pub const MAX_FORMULA_CHARS: usize = 200;
/// Largest amount accepted for one element after multiplying out brackets.
pub const MAX_AMOUNT: u32 = 1_000_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormulaError {
    Empty,
    TooLong {
        chars: usize,
    },
    /// A character that cannot start an element, a number or a bracket.
    UnexpectedChar {
        column: usize,
        found: char,
    },
    /// An element symbol the pool does not have.
    Element {
        column: usize,
        error: ElementError,
    },
    /// "Fe0.5O": the atlas uses whole-number stoichiometries.
    Fractional {
        column: usize,
        text: String,
    },
    /// "O0": amounts are at least 1.
    ZeroAmount {
        column: usize,
    },
    AmountTooLarge {
        column: usize,
    },
    /// One element's amounts add up past [`MAX_AMOUNT`] ("O999999O999999").
    TotalTooLarge {
        symbol: &'static str,
        total: u64,
    },
    UnclosedBracket {
        column: usize,
    },
    UnopenedBracket {
        column: usize,
    },
    EmptyBrackets {
        column: usize,
    },
    /// "(OH]": a bracket closed by the other kind.
    MismatchedBracket {
        open_column: usize,
        close_column: usize,
        close: char,
    },
    /// A number with nothing before it ("2O").
    DanglingNumber {
        column: usize,
    },
    TooManyElements {
        count: usize,
    },
}

impl fmt::Display for FormulaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use FormulaError::*;
        match self {
            Empty => write!(
                f,
                "the formula is empty: type one such as ZnO or Li2ZnSn3O8"
            ),
            TooLong { chars } => {
                write!(
                    f,
                    "the formula is {chars} characters long; at most {MAX_FORMULA_CHARS} are accepted"
                )
            }
            UnexpectedChar { column, found } => write!(
                f,
                "column {column}: unexpected '{}'; {}",
                found.escape_debug(),
                unexpected_char_hint(*found)
            ),
            Element { column, error } => write!(f, "column {column}: {error}"),
            Fractional { column, text } => write!(
                f,
                "column {column}: '{text}' is fractional; the atlas uses whole-number stoichiometries (write Fe2O3 rather than FeO1.5)"
            ),
            ZeroAmount { column } => write!(
                f,
                "column {column}: an amount of 0; leave the element out instead"
            ),
            AmountTooLarge { column } => {
                write!(
                    f,
                    "column {column}: amount larger than {MAX_AMOUNT}; the atlas's stoichiometries are small whole numbers"
                )
            }
            TotalTooLarge { symbol, total } => write!(
                f,
                "{symbol} adds up to {total} atoms; at most {MAX_AMOUNT} are accepted"
            ),
            UnclosedBracket { column } => {
                write!(f, "column {column}: this bracket is never closed")
            }
            UnopenedBracket { column } => write!(f, "column {column}: this bracket closes nothing"),
            EmptyBrackets { column } => write!(
                f,
                "column {column}: empty brackets; put elements inside, e.g. Ca(OH)2"
            ),
            MismatchedBracket {
                open_column,
                close_column,
                close,
            } => {
                let open = if *close == ')' { '[' } else { '(' };
                write!(
                    f,
                    "column {close_column}: '{close}' closes the '{open}' of column {open_column}; pair ( with ) and [ with ]"
                )
            }
            DanglingNumber { column } => {
                write!(
                    f,
                    "column {column}: a number must follow an element or a bracket (write O2, not 2O)"
                )
            }
            TooManyElements { count } => write!(
                f,
                "{count} different elements; a composition here has at most {MAX_COMPOSITION_ELEMENTS} (the maps cover 2 to 4)"
            ),
        }
    }
}

impl std::error::Error for FormulaError {}

/// How to fix a character a formula cannot hold. Copied formulas often bring
/// full-width letters, sub- and superscript digits, charges or hydrate dots.
fn unexpected_char_hint(c: char) -> String {
    let full_width = u32::from(c)
        .checked_sub(0xFEE0)
        .and_then(char::from_u32)
        .filter(|a| ('\u{FF01}'..='\u{FF5E}').contains(&c) && a.is_ascii_alphanumeric());
    if let Some(ascii) = full_width {
        return format!("this is a full-width character: type '{ascii}' instead");
    }
    if let Some(d) = "₀₁₂₃₄₅₆₇₈₉⁰¹²³⁴⁵⁶⁷⁸⁹".chars().position(|x| x == c)
    {
        return format!(
            "write sub- and superscript digits as plain digits ('{}')",
            d % 10
        );
    }
    match c {
        '+' | '-' | '−' => {
            "charges are not part of a formula here: write the neutral formula (ZnO, not Zn2+O2-)"
                .into()
        }
        '·' | '•' | '∙' | '*' | '.' => {
            "hydrates and adducts are not read: write the total formula (CuH10SO9 for CuSO4·5H2O)"
                .into()
        }
        c if c.is_numeric() => "write amounts with the digits 0-9".into(),
        c if c.is_alphabetic() => {
            "element symbols are written with the letters A-Z and a-z (e.g. Zn, O)".into()
        }
        _ => {
            "a formula is element symbols (Zn, O), whole numbers and brackets, e.g. Ca(OH)2".into()
        }
    }
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn column(&self) -> usize {
        self.pos + 1
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    /// An optional whole amount after a symbol or bracket; 1 when absent.
    fn amount(&mut self) -> Result<u64, FormulaError> {
        let start = self.pos;
        let mut value: u64 = 0;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            value = value.saturating_mul(10).saturating_add(u64::from(d));
            self.pos += 1;
        }
        if self.peek() == Some('.')
            && self
                .chars
                .get(self.pos + 1)
                .is_some_and(char::is_ascii_digit)
        {
            self.pos += 1;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.pos += 1;
            }
            let text: String = self.chars[start..self.pos].iter().collect();
            return Err(FormulaError::Fractional {
                column: start + 1,
                text,
            });
        }
        if self.pos == start {
            return Ok(1);
        }
        if value == 0 {
            return Err(FormulaError::ZeroAmount { column: start + 1 });
        }
        if value > u64::from(MAX_AMOUNT) {
            return Err(FormulaError::AmountTooLarge { column: start + 1 });
        }
        Ok(value)
    }

    /// A sequence of groups up to a closing bracket or the end.
    fn group(&mut self, depth: usize) -> Result<Vec<(Element, u64)>, FormulaError> {
        let mut parts: Vec<(Element, u64)> = Vec::new();
        loop {
            self.skip_spaces();
            let Some(c) = self.peek() else { break };
            let column = self.column();
            match c {
                'A'..='Z' | 'a'..='z' => {
                    // A symbol is a letter and at most one lower-case letter; a
                    // lower-case start is read too, so the error can suggest the capital.
                    let start = self.pos;
                    self.pos += 1;
                    if self.peek().is_some_and(|c| c.is_ascii_lowercase()) {
                        self.pos += 1;
                    }
                    let symbol: String = self.chars[start..self.pos].iter().collect();
                    let element = Element::from_symbol(&symbol)
                        .map_err(|error| FormulaError::Element { column, error })?;
                    let amount = self.amount()?;
                    parts.push((element, amount));
                }
                '(' | '[' => {
                    self.pos += 1;
                    let inner = self.group(depth + 1)?;
                    let close = if c == '(' { ')' } else { ']' };
                    match self.peek() {
                        Some(found) if found == close => {}
                        Some(found) => {
                            return Err(FormulaError::MismatchedBracket {
                                open_column: column,
                                close_column: self.column(),
                                close: found,
                            });
                        }
                        None => return Err(FormulaError::UnclosedBracket { column }),
                    }
                    if inner.is_empty() {
                        return Err(FormulaError::EmptyBrackets { column });
                    }
                    self.pos += 1;
                    let amount = self.amount()?;
                    for (e, a) in inner {
                        let total = a.saturating_mul(amount);
                        if total > u64::from(MAX_AMOUNT) {
                            return Err(FormulaError::AmountTooLarge { column });
                        }
                        parts.push((e, total));
                    }
                }
                ')' | ']' => {
                    if depth == 0 {
                        return Err(FormulaError::UnopenedBracket { column });
                    }
                    break;
                }
                '0'..='9' => return Err(FormulaError::DanglingNumber { column }),
                other => {
                    return Err(FormulaError::UnexpectedChar {
                        column,
                        found: other,
                    });
                }
            }
        }
        Ok(parts)
    }
}

pub(super) fn parse_formula(text: &str) -> Result<Composition, FormulaError> {
    // Counted before anything is allocated: a pasted megabyte is refused cheaply.
    let count = text.chars().count();
    if count > MAX_FORMULA_CHARS {
        return Err(FormulaError::TooLong { chars: count });
    }
    let mut parser = Parser {
        chars: text.chars().collect(),
        pos: 0,
    };
    let parts = parser.group(0)?;
    if parts.is_empty() {
        return Err(FormulaError::Empty);
    }
    let mut merged: Vec<(Element, u64)> = Vec::new();
    for (e, a) in parts {
        match merged.iter_mut().find(|(m, _)| *m == e) {
            Some((_, total)) => *total = total.saturating_add(a),
            None => merged.push((e, a)),
        }
    }
    if merged.len() > MAX_COMPOSITION_ELEMENTS {
        return Err(FormulaError::TooManyElements {
            count: merged.len(),
        });
    }
    if let Some(&(e, total)) = merged.iter().find(|&&(_, a)| a > u64::from(MAX_AMOUNT)) {
        return Err(FormulaError::TotalTooLarge {
            symbol: e.symbol(),
            total,
        });
    }
    Ok(
        Composition::new(merged.into_iter().map(|(e, a)| (e, a as u32)))
            .expect("non-empty, positive, bounded"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<String, String> {
        Composition::parse(s)
            .map(|c| c.to_string())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn reads_common_notations() {
        assert_eq!(parse("Li2ZnSn3O8").unwrap(), "Li2ZnSn3O8");
        assert_eq!(parse(" Li2 Zn Sn3 O8 ").unwrap(), "Li2ZnSn3O8");
        // Element order as pymatgen-core 2026.10.16's reduced_formula (which
        // would also bracket polyanions: Ca(HO)2, CoH18(N2Cl)3).
        assert_eq!(parse("Ca(OH)2").unwrap(), "CaH2O2");
        assert_eq!(parse("[Co(NH3)6]Cl3").unwrap(), "CoH18N6Cl3");
        assert_eq!(parse("CO").unwrap(), "CO");
        assert_eq!(parse("Co").unwrap(), "Co");
        assert_eq!(parse("NaCl").unwrap(), "NaCl");
    }

    #[test]
    fn errors_name_the_place_and_the_fix() {
        assert_eq!(
            parse("").unwrap_err(),
            "the formula is empty: type one such as ZnO or Li2ZnSn3O8"
        );
        assert_eq!(
            parse("ZnXx2").unwrap_err(),
            "column 3: 'Xx' is not an element symbol"
        );
        assert!(parse("zno").unwrap_err().contains("did you mean 'Zn'"));
        assert!(
            parse("FeO1.5")
                .unwrap_err()
                .starts_with("column 4: '1.5' is fractional")
        );
        assert!(
            parse("Ca(OH2")
                .unwrap_err()
                .starts_with("column 3: this bracket is never closed")
        );
        assert!(
            parse("CaOH)2")
                .unwrap_err()
                .starts_with("column 5: this bracket closes nothing")
        );
        assert!(parse("2O").unwrap_err().contains("write O2, not 2O"));
        assert!(parse("O0").unwrap_err().contains("amount of 0"));
        assert!(
            parse("Zn99999999999999999999O")
                .unwrap_err()
                .contains("larger than")
        );
        assert!(parse("Zn-O").unwrap_err().contains("unexpected '-'"));
        assert!(parse("Rf2O").unwrap_err().contains("past lawrencium"));
        assert!(
            parse(&"O".repeat(300))
                .unwrap_err()
                .contains("300 characters")
        );
        assert!(parse("Zn\u{00e9}O").unwrap_err().contains("unexpected"));
        assert!(
            parse("HLiBeBCNOFNa")
                .unwrap_err()
                .contains("9 different elements")
        );
    }

    #[test]
    fn copied_and_odd_formulas_get_a_fix() {
        let err = |s: &str| parse(s).unwrap_err();
        assert_eq!(
            err("ＺｎＯ"),
            "column 1: unexpected 'Ｚ'; this is a full-width character: type 'Z' instead"
        );
        assert!(err("Fe₂O₃").starts_with(
            "column 3: unexpected '₂'; write sub- and superscript digits as plain digits ('2')"
        ));
        assert!(err("Fe²O").contains("plain digits ('2')"));
        assert!(err("Zn٢O").contains("digits 0-9"));
        // Digits other than 0-9 are never read as amounts (nor skipped).
        assert!(err("Zn\u{ff12}O").contains("full-width character: type '2' instead"));
        assert!(err("ZnO\u{0663}").starts_with("column 4: unexpected"));
        assert!(err("ZnΩ").contains("letters A-Z"));
        assert!(err("CuSO4·5H2O").contains("hydrates"));
        assert!(err("Zn2+").contains("charges"));
        assert!(err("Zn\u{7}O").contains("unexpected '\\u{7}'"));
        assert_eq!(
            err("Ca(OH]2"),
            "column 6: ']' closes the '(' of column 3; pair ( with ) and [ with ]"
        );
        assert_eq!(
            err("O999999O999999"),
            "O adds up to 1999998 atoms; at most 1000000 are accepted"
        );
        assert!(err("Fe(O999999)2").contains("larger than"));
        assert!(err("()").contains("empty brackets"));
        assert!(err(&"O".repeat(1 << 20)).contains("1048576 characters"));
        // Deep but within the length limit: no stack trouble.
        let deep = format!("{}O{}", "(".repeat(99), ")".repeat(99));
        assert_eq!(parse(&deep).unwrap(), "O");
        assert_eq!(parse(" \tZn\u{a0}O\r\n").unwrap(), "ZnO");
        assert_eq!(parse("O1000000Zn1000000").unwrap(), "ZnO");
    }
}
