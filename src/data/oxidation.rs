//! Oxidation-state sets in SMACT's text format, built in or supplied by the user.
//!
//! The format, as SMACT's `data_loader` reads it: one element per line, its
//! symbol then its oxidation states separated by spaces ("Fe +2 +3"); blank
//! lines and lines starting with `#` are skipped, and so is a line holding
//! only a symbol (an element with no states). A later line for the same
//! element replaces an earlier one, as in SMACT, and is reported as a
//! [`OxFileNote`] so the earlier line's states are not dropped unseen.
//!
//! Stricter than SMACT where SMACT would lose data without a word: it skips
//! any line without a digit ("Fe two") and reads Python's `int`, which takes
//! Arabic-Indic or full-width digits; here both are errors naming the line and
//! the element.

use std::fmt;
use std::sync::OnceLock;

use crate::chem::{Element, ElementError, shown};
use crate::data::elements::{ELEMENT_COUNT, SYMBOLS_BEYOND_LR};

/// The five sets shipped with SMACT 4.0.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OxidationSet {
    /// `oxidation_states.txt`: SMACT's 2014 set, used by the paper (default here).
    Smact14,
    /// `oxidation_states_icsd.txt`: states seen in the 2016 ICSD.
    Icsd16,
    /// `oxidation_states_icsd24_filtered.txt`: the 2024 ICSD, SMACT 3's default.
    Icsd24,
    /// `oxidation_states_SP.txt`: pymatgen's structure-predictor states.
    PymatgenSp,
    /// `oxidation_states_wiki.txt`: Wikipedia's list, with 0 states.
    Wiki,
}

impl OxidationSet {
    pub const ALL: [OxidationSet; 5] = [
        OxidationSet::Smact14,
        OxidationSet::Icsd16,
        OxidationSet::Icsd24,
        OxidationSet::PymatgenSp,
        OxidationSet::Wiki,
    ];

    /// SMACT's `oxidation_states_set` name.
    pub fn name(self) -> &'static str {
        match self {
            OxidationSet::Smact14 => "smact14",
            OxidationSet::Icsd16 => "icsd16",
            OxidationSet::Icsd24 => "icsd24",
            OxidationSet::PymatgenSp => "pymatgen_sp",
            OxidationSet::Wiki => "wiki",
        }
    }

    pub fn from_name(name: &str) -> Option<OxidationSet> {
        OxidationSet::ALL.into_iter().find(|s| s.name() == name)
    }

    /// One line for people choosing a set.
    pub fn description(self) -> &'static str {
        match self {
            OxidationSet::Smact14 => "SMACT 2014 set, as in the paper (421 species)",
            OxidationSet::Icsd16 => "states reported in the 2016 ICSD",
            OxidationSet::Icsd24 => {
                "states reported at least 6 times in the 2024 ICSD (SMACT's current default)"
            }
            OxidationSet::PymatgenSp => "pymatgen structure-predictor states",
            OxidationSet::Wiki => {
                "Wikipedia's list, including 0; SMACT warns its results are questionable"
            }
        }
    }

    fn text(self) -> &'static str {
        match self {
            OxidationSet::Smact14 => include_str!("../../data/oxidation_states/smact14.txt"),
            OxidationSet::Icsd16 => include_str!("../../data/oxidation_states/icsd16.txt"),
            OxidationSet::Icsd24 => include_str!("../../data/oxidation_states/icsd24.txt"),
            OxidationSet::PymatgenSp => include_str!("../../data/oxidation_states/pymatgen_sp.txt"),
            OxidationSet::Wiki => include_str!("../../data/oxidation_states/wiki.txt"),
        }
    }

    /// The parsed set, shared.
    pub fn states(self) -> &'static OxidationStates {
        static SETS: [OnceLock<OxidationStates>; 5] = [const { OnceLock::new() }; 5];
        let i = OxidationSet::ALL
            .iter()
            .position(|&s| s == self)
            .expect("listed");
        SETS[i].get_or_init(|| {
            OxidationStates::parse_smact_file(self.name(), self.text())
                .expect("built-in oxidation-state files parse")
        })
    }
}

impl fmt::Display for OxidationSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Oxidation states per element of H..Lr (empty where the set has none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OxidationStates {
    name: String,
    states: Vec<Vec<i8>>,
    notes: Vec<OxFileNote>,
}

/// A line of an accepted file that replaced an earlier line for the same
/// element (SMACT keeps the later one): worth telling the user, not an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OxFileNote {
    pub element: Element,
    pub line: usize,
    pub earlier_line: usize,
}

impl fmt::Display for OxFileNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {} lists {} again (first on line {}); as in SMACT only the later line's states are used, so put all of an element's states on one line",
            self.line, self.element, self.earlier_line
        )
    }
}

/// Longest oxidation-state file accepted.
pub const MAX_OX_FILE_BYTES: usize = 1 << 20;

/// What is wrong with an oxidation-state file, and on which line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OxFileError {
    TooLarge {
        bytes: usize,
    },
    NotText,
    Symbol {
        line: usize,
        error: ElementError,
    },
    State {
        line: usize,
        token: String,
    },
    /// A state written with digits other than 0-9 ("٢", "２").
    NotAsciiDigits {
        line: usize,
        symbol: String,
        token: String,
    },
    OutOfRange {
        line: usize,
        token: String,
    },
    NoStates,
}

impl fmt::Display for OxFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OxFileError::TooLarge { bytes } => {
                write!(
                    f,
                    "the oxidation-state file is {bytes} bytes; at most {MAX_OX_FILE_BYTES} are accepted"
                )
            }
            OxFileError::NotText => write!(f, "the oxidation-state file is not UTF-8 text"),
            OxFileError::Symbol { line, error } => write!(
                f,
                "line {line}: {error}; each line is a symbol then its states, e.g. 'Fe +2 +3'"
            ),
            OxFileError::State { line, token } if token.starts_with('#') => write!(
                f,
                "line {line}: '{}' after the states; put comments on lines of their own, starting with '#'",
                shown(token)
            ),
            OxFileError::State { line, token } => write!(
                f,
                "line {line}: '{}' is not a whole-number oxidation state; write the symbol then states, e.g. 'Fe +2 +3'",
                shown(token)
            ),
            OxFileError::NotAsciiDigits {
                line,
                symbol,
                token,
            } => write!(
                f,
                "line {line}: oxidation state '{}' of {} is not written with the digits 0-9; type it as plain digits, e.g. +2",
                shown(token),
                shown(symbol)
            ),
            OxFileError::OutOfRange { line, token } => {
                write!(
                    f,
                    "line {line}: oxidation state {} is outside -9..+9",
                    shown(token)
                )
            }
            OxFileError::NoStates => write!(
                f,
                "the file gives no element any oxidation state; each line should read like 'Fe +2 +3' (SMACT's format)"
            ),
        }
    }
}

impl std::error::Error for OxFileError {}

impl OxidationStates {
    /// Parses SMACT's oxidation-state format (see the module docs). Symbols
    /// past Lr are ignored, as SMACT's enumeration never looks them up.
    pub fn parse_smact_file(name: &str, text: &str) -> Result<OxidationStates, OxFileError> {
        if text.len() > MAX_OX_FILE_BYTES {
            return Err(OxFileError::TooLarge { bytes: text.len() });
        }
        let mut states = vec![Vec::new(); ELEMENT_COUNT];
        let mut listed_on = vec![0usize; ELEMENT_COUNT];
        let mut notes = Vec::new();
        // Files saved on Windows start with a byte-order mark; old Mac ones
        // end lines with a bare CR.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
        for (i, raw) in lines.flat_map(|l| l.split('\r')).enumerate() {
            let line = i + 1;
            let stripped = raw.trim();
            if stripped.is_empty() || stripped.starts_with('#') {
                continue;
            }
            let mut tokens = stripped.split_whitespace().peekable();
            let symbol = tokens.next().unwrap_or_default();
            let element = match Element::from_symbol(symbol) {
                Ok(e) => Some(e),
                Err(_) if SYMBOLS_BEYOND_LR.contains(&symbol) => None,
                Err(error) => return Err(OxFileError::Symbol { line, error }),
            };
            if tokens.peek().is_none() {
                // A symbol alone: an element with no states, which SMACT skips
                // (it does not clear states an earlier line gave).
                continue;
            }
            let mut list = Vec::new();
            for token in tokens {
                let digits = token.strip_prefix(['+', '-']).unwrap_or(token);
                if !digits.is_ascii() && token.chars().any(char::is_numeric) {
                    return Err(OxFileError::NotAsciiDigits {
                        line,
                        symbol: symbol.to_string(),
                        token: token.to_string(),
                    });
                }
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(OxFileError::State {
                        line,
                        token: token.to_string(),
                    });
                }
                let value = match token.parse::<i8>() {
                    Ok(q) if (-9..=9).contains(&q) => q,
                    _ => {
                        return Err(OxFileError::OutOfRange {
                            line,
                            token: token.to_string(),
                        });
                    }
                };
                if !list.contains(&value) {
                    list.push(value);
                }
            }
            if let Some(e) = element {
                if listed_on[e.index()] != 0 {
                    notes.push(OxFileNote {
                        element: e,
                        line,
                        earlier_line: listed_on[e.index()],
                    });
                }
                listed_on[e.index()] = line;
                states[e.index()] = list;
            }
        }
        if states.iter().all(Vec::is_empty) {
            return Err(OxFileError::NoStates);
        }
        Ok(OxidationStates {
            name: name.to_string(),
            states,
            notes,
        })
    }

    /// A set from per-element lists (H..Lr, by element index), as
    /// [`crate::data::icsd24::Icsd24Filter`] builds one.
    pub(crate) fn from_lists(name: &str, states: Vec<Vec<i8>>) -> OxidationStates {
        debug_assert_eq!(states.len(), ELEMENT_COUNT);
        OxidationStates {
            name: name.to_string(),
            states,
            notes: Vec::new(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Lines of the file that replaced an earlier line for the same element.
    pub fn notes(&self) -> &[OxFileNote] {
        &self.notes
    }

    /// The element's oxidation states, in file order, without repeats.
    pub fn of(&self, element: Element) -> &[i8] {
        &self.states[element.index()]
    }

    /// Number of (element, state) species over H..Lr.
    pub fn species_count(&self) -> usize {
        self.states.iter().map(Vec::len).sum()
    }

    /// The set in SMACT's format, for download.
    pub fn to_smact_file(&self) -> String {
        let mut out = format!("# Oxidation state set\n# Source: {}\n#\n", self.name);
        for e in Element::all() {
            out.push_str(e.symbol());
            for q in self.of(e) {
                out.push_str(&if *q > 0 {
                    format!(" +{q}")
                } else {
                    format!(" {q}")
                });
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(s: &str) -> Element {
        Element::from_symbol(s).unwrap()
    }

    #[test]
    fn builtin_sets_have_smacts_species_counts() {
        // Species over H..Lr in the smact 4.0.2 data files (SPEC: 421 for smact14).
        assert_eq!(OxidationSet::Smact14.states().species_count(), 421);
        assert_eq!(
            OxidationSet::Smact14.states().of(el("Fe")),
            [-2, -1, 1, 2, 3, 4, 5, 6]
        );
        assert_eq!(OxidationSet::Smact14.states().of(el("He")), [] as [i8; 0]);
        assert!(OxidationSet::Wiki.states().of(el("Li")).contains(&0));
    }

    #[test]
    fn user_files_parse_like_smact_and_errors_name_the_line() {
        let s = OxidationStates::parse_smact_file(
            "mine",
            "# comment\nFe +2 +3\nO -2\nHe\nFe 2\nRf 4\n",
        )
        .unwrap();
        assert_eq!(s.of(el("Fe")), [2]);
        assert_eq!(s.of(el("O")), [-2]);
        assert_eq!(s.species_count(), 2);
        let round = OxidationStates::parse_smact_file("mine", &s.to_smact_file()).unwrap();
        assert_eq!(round.states, s.states);
        let err = |t: &str| {
            OxidationStates::parse_smact_file("x", t)
                .unwrap_err()
                .to_string()
        };
        assert!(err("Fe 2\nXx 3").starts_with("line 2: 'Xx' is not an element symbol;"));
        assert!(err("Fe 2.5").starts_with("line 1: '2.5' is not a whole-number oxidation state"));
        assert!(err("Fe 12").contains("outside -9..+9"));
        assert!(err("# nothing\nHe\n").contains("no element any oxidation state"));
        assert_eq!(
            err("Fe +2 # common\n"),
            "line 1: '#' after the states; put comments on lines of their own, starting with '#'"
        );
        assert!(err("Fe ++2").starts_with("line 1: '++2' is not a whole-number"));
        assert!(err("Fe +-2").starts_with("line 1: '+-2' is not a whole-number"));
        assert!(err("Fe 2e1").starts_with("line 1: '2e1' is not a whole-number"));
        assert_eq!(
            err("Fe 99999999999999999999999"),
            "line 1: oxidation state 99999999999999999999999 is outside -9..+9"
        );
        assert_eq!(
            err("O -2\n2 Fe"),
            "line 2: '2' is not an element symbol; each line is a symbol then its states, e.g. 'Fe +2 +3'"
        );
    }

    #[test]
    fn no_line_is_dropped_without_a_word() {
        // SMACT keeps the later of two lines for an element: so do we, and say so.
        let s = OxidationStates::parse_smact_file("a", "Fe +2\nO -2\n\nFe +3\nFe\n").unwrap();
        assert_eq!(s.of(el("Fe")), [3]);
        assert_eq!(
            s.notes(),
            [OxFileNote {
                element: el("Fe"),
                line: 4,
                earlier_line: 1
            }]
        );
        assert_eq!(
            s.notes()[0].to_string(),
            "line 4 lists Fe again (first on line 1); as in SMACT only the later line's states are used, so put all of an element's states on one line"
        );
        assert!(
            OxidationSet::ALL
                .iter()
                .all(|s| s.states().notes().is_empty())
        );
        let err = |t: &str| {
            OxidationStates::parse_smact_file("x", t)
                .unwrap_err()
                .to_string()
        };
        // Digits Python's int() reads but a line SMACT (no ASCII digit) or a
        // byte-wise reader would skip: Arabic-Indic, full-width, superscript.
        assert_eq!(
            err("O -2\nFe +\u{662} \u{663}\n"),
            "line 2: oxidation state '+\u{662}' of Fe is not written with the digits 0-9; type it as plain digits, e.g. +2"
        );
        assert!(err("O -2\nZn \u{ff12}").starts_with(
            "line 2: oxidation state '\u{ff12}' of Zn is not written with the digits 0-9"
        ));
        assert!(err("Fe +2 \u{b3}").starts_with("line 1: oxidation state '\u{b3}' of Fe"));
        // A line of words was skipped as "no digit"; now it is an error.
        assert!(err("O -2\nFe two three").starts_with("line 2: 'two' is not a whole-number"));
        assert!(err("O -2\nXx").starts_with("line 2: 'Xx' is not an element symbol"));
    }

    #[test]
    fn files_from_other_systems_read_the_same() {
        let unix = OxidationStates::parse_smact_file("a", "Fe +2 +3\nO -2\nZn +2\n").unwrap();
        for text in [
            "\u{feff}Fe +2 +3\r\nO -2\r\nZn +2\r\n",
            "Fe\t+2\t+3\rO\t-2\rZn +2",
            "Fe +2 +3 +2\nO -2 -2\nZn +2\n\n",
            "Fe 2 3\nO -02\nZn +2",
            "Fe -1\nFe +2 +3\nO -2\nZn +2\n",
        ] {
            let s = OxidationStates::parse_smact_file("a", text).unwrap();
            assert_eq!(s.states, unix.states, "{text:?}");
        }
        // '+0' and '-0' are the zero state of the wiki set.
        let s = OxidationStates::parse_smact_file("a", "Fe +0 -0 0 +3\nO -2").unwrap();
        assert_eq!(s.of(el("Fe")), [0, 3]);
        // Line numbers count CRLF and bare-CR lines once each.
        let err = OxidationStates::parse_smact_file("a", "Fe 2\r\nO -2\rZn 2x").unwrap_err();
        assert!(err.to_string().starts_with("line 3: '2x'"), "{err}");
    }
}
