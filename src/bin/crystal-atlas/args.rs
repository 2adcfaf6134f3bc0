//! A small command-line reader whose every error is one line that says what is
//! wrong and how to fix it (the CLI contract: message on stderr, exit code 2).

use std::collections::BTreeMap;
use std::fmt::Display;
use std::str::FromStr;

/// A usage error: printed as `crystal-atlas: <message>`, exit code 2.
#[derive(Debug)]
pub struct CliError(pub String);

impl<E: Display> From<E> for CliError {
    fn from(e: E) -> Self {
        CliError(e.to_string())
    }
}

/// Flags (`--name value` or `--name=value`, or bare `--json`) and positionals.
pub struct Args {
    command: String,
    positional: Vec<String>,
    values: BTreeMap<String, String>,
    switches: Vec<String>,
    /// Flags given last or before another flag, with no value.
    missing: Vec<String>,
    /// The flags the command asked for, in order: its flags, for messages.
    used: Vec<String>,
}

/// Flags that take no value.
const SWITCHES: [&str; 9] = [
    "json",
    "help",
    "time",
    "standardise",
    "list",
    "mixed-valence",
    "include-alloys",
    "include-zero",
    "quality",
];

impl Args {
    pub fn parse(command: &str, raw: &[String]) -> Result<Args, CliError> {
        let mut args = Args {
            command: command.to_string(),
            positional: Vec::new(),
            values: BTreeMap::new(),
            switches: Vec::new(),
            missing: Vec::new(),
            used: Vec::new(),
        };
        let mut i = 0;
        while i < raw.len() {
            let a = &raw[i];
            if let Some(flag) = a.strip_prefix("--") {
                let (name, inline) = match flag.split_once('=') {
                    Some((n, v)) => (n.to_string(), Some(v.to_string())),
                    None => (flag.to_string(), None),
                };
                if name.is_empty() {
                    return Err(CliError(format!(
                        "'{a}' is not a flag; flags are words after two dashes, e.g. --order 2"
                    )));
                }
                if args.values.contains_key(&name)
                    || args.missing.contains(&name)
                    || args.switches.contains(&name)
                {
                    return Err(CliError(format!("--{name} is given twice")));
                }
                if SWITCHES.contains(&name.as_str()) {
                    if inline.is_some() {
                        return Err(CliError(format!("--{name} takes no value")));
                    }
                    args.switches.push(name);
                } else {
                    // Whether the flag exists is known only once the command
                    // has asked for its flags, so a missing value is reported
                    // then: "unknown flag" for a flag it never asks for.
                    let value = match inline {
                        Some(v) => Some(v),
                        None => match raw.get(i + 1) {
                            Some(next) if !next.starts_with("--") => {
                                i += 1;
                                Some(next.clone())
                            }
                            _ => None,
                        },
                    };
                    match value {
                        Some(v) => {
                            args.values.insert(name, v);
                        }
                        None => args.missing.push(name),
                    }
                }
            } else {
                args.positional.push(a.clone());
            }
            i += 1;
        }
        Ok(args)
    }

    pub fn switch(&mut self, name: &str) -> bool {
        self.used.push(name.to_string());
        self.switches.iter().any(|s| s == name)
    }

    /// The raw value of `--name`, if given.
    pub fn value(&mut self, name: &str) -> Option<String> {
        self.used.push(name.to_string());
        self.values.get(name).cloned()
    }

    pub fn required(&mut self, name: &str, what: &str) -> Result<String, CliError> {
        match self.value(name) {
            Some(v) => Ok(v),
            None => Err(self.absent(name, &format!(" ({what})"))),
        }
    }

    /// The error for a required flag that has no value: given without one,
    /// or not given (perhaps misspelt).
    fn absent(&self, name: &str, what: &str) -> CliError {
        if self.missing.iter().any(|m| m == name) {
            return CliError(format!("--{name} needs a value{what}"));
        }
        let typo = self
            .values
            .keys()
            .chain(&self.missing)
            .find(|given| !self.used.contains(given) && similar(given, name));
        match typo {
            Some(given) => CliError(format!(
                "{} needs --{name}{what}; --{given} is not one of its flags, did you mean --{name}?",
                self.command
            )),
            None => CliError(format!("{} needs --{name}{what}", self.command)),
        }
    }

    /// `--name` parsed as a number in `range`, or `default`.
    pub fn number<T>(
        &mut self,
        name: &str,
        default: Option<T>,
        range: std::ops::RangeInclusive<T>,
    ) -> Result<T, CliError>
    where
        T: FromStr + PartialOrd + Display + Copy,
    {
        let Some(raw) = self.value(name) else {
            if self.missing.iter().any(|m| m == name) {
                return Err(self.absent(name, ""));
            }
            return default.ok_or_else(|| self.absent(name, ""));
        };
        let v: T = raw.trim().parse().map_err(|_| {
            // Digits that do not fit the type are a number out of range, not a typo.
            let digits = raw.trim().strip_prefix(['-', '+']).unwrap_or(raw.trim());
            let problem = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                "is outside"
            } else {
                "is not a whole number in"
            };
            CliError(format!(
                "--{name}: '{raw}' {problem} {}..={}",
                range.start(),
                range.end()
            ))
        })?;
        if !range.contains(&v) {
            return Err(CliError(format!(
                "--{name}: {v} is outside {}..={}",
                range.start(),
                range.end()
            )));
        }
        Ok(v)
    }

    /// The one positional argument, described by `what` in errors.
    pub fn single_positional(&mut self, what: &str) -> Result<String, CliError> {
        match self.positional.len() {
            0 => {
                // "explain --frob ZnO": the formula went to the flag.
                let taken = self
                    .values
                    .iter()
                    .find(|(name, _)| !self.used.contains(name))
                    .map(|(name, value)| format!(" (--{name} took '{value}' as its value)"))
                    .unwrap_or_default();
                Err(CliError(format!("{} needs {what}{taken}", self.command)))
            }
            1 => Ok(self.positional.remove(0)),
            n => {
                if let Some(hint) = self.positional.iter().find_map(|p| single_dash(p)) {
                    return Err(CliError(format!("{}: {hint}", self.command)));
                }
                Err(CliError(format!(
                    "{} takes one argument, {what}, but got {n}; quote it if it contains spaces",
                    self.command
                )))
            }
        }
    }

    /// Fails on flags or positionals the command did not read, and on flags
    /// it read that were given without a value.
    /// The flag of a page setting ([`crystal_atlas::params`]), named and
    /// defaulted as the page's table says, within `range` (the CLI's range
    /// may be wider than the page's, for batch work).
    pub fn setting<T>(
        &mut self,
        p: &crystal_atlas::params::Param,
        range: std::ops::RangeInclusive<T>,
    ) -> Result<T, CliError>
    where
        T: FromStr + PartialOrd + Display + Copy,
    {
        let flag = p.flag.expect("a setting the CLI takes has a flag");
        let default = p.default.parse::<T>().ok();
        self.number(flag, default, range)
    }

    pub fn finish(self) -> Result<(), CliError> {
        let given = self
            .values
            .keys()
            .chain(&self.switches)
            .chain(&self.missing);
        for name in given {
            if !self.used.contains(name) {
                return Err(self.unknown(name));
            }
        }
        if let Some(name) = self.missing.first() {
            return Err(CliError(format!("--{name} needs a value")));
        }
        if let Some(p) = self.positional.first() {
            let problem = single_dash(p).unwrap_or_else(|| format!("unexpected argument '{p}'"));
            return Err(CliError(format!(
                "{}: {problem} (see crystal-atlas help)",
                self.command
            )));
        }
        Ok(())
    }

    /// "counts: unknown flag --frob; its flags are --order, ...".
    fn unknown(&self, name: &str) -> CliError {
        let mut flags: Vec<&str> = Vec::new();
        for f in &self.used {
            if !flags.contains(&f.as_str()) {
                flags.push(f);
            }
        }
        let guess = flags
            .iter()
            .find(|f| similar(name, f))
            .map(|f| format!("did you mean --{f}? "))
            .unwrap_or_default();
        let list: Vec<String> = flags.iter().map(|f| format!("--{f}")).collect();
        CliError(format!(
            "{}: unknown flag --{name}; {guess}its flags are {} (see crystal-atlas help)",
            self.command,
            list.join(", ")
        ))
    }
}

/// "'-json' is not a flag; ..." for a word after one dash (not a number).
fn single_dash(arg: &str) -> Option<String> {
    let rest = arg.strip_prefix('-')?;
    if rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
        return None;
    }
    Some(format!(
        "'{arg}' is not a flag; flags start with two dashes (--{rest})"
    ))
}

/// Whether `given` looks like a slip for `flag`: one is a prefix of the
/// other, or they differ by at most two edits.
fn similar(given: &str, flag: &str) -> bool {
    if given.len() >= 3 && (flag.starts_with(given) || given.starts_with(flag)) {
        return true;
    }
    let (a, b): (Vec<char>, Vec<char>) = (given.chars().collect(), flag.chars().collect());
    if a.len().abs_diff(b.len()) > 2 || a.len() > 64 {
        return false;
    }
    // Levenshtein distance, one row at a time.
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()] <= 2.min(b.len().saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &[&str]) -> Result<Args, CliError> {
        let raw: Vec<String> = raw.iter().map(|s| s.to_string()).collect();
        Args::parse("counts", &raw)
    }

    /// Reads the flags `counts` reads, then finishes.
    fn counts(raw: &[&str]) -> Result<(), CliError> {
        let mut args = parse(raw)?;
        args.number("order", None, 2..=4)?;
        args.switch("json");
        args.value("ox-set");
        args.finish()
    }

    #[test]
    fn unknown_flags_are_named_with_the_commands_flags() {
        let err = |raw: &[&str]| counts(raw).unwrap_err().0;
        let flags = "its flags are --order, --json, --ox-set (see crystal-atlas help)";
        assert_eq!(
            err(&["--order", "2", "--frob"]),
            format!("counts: unknown flag --frob; {flags}")
        );
        assert_eq!(
            err(&["--frob", "--order", "2"]),
            format!("counts: unknown flag --frob; {flags}")
        );
        assert_eq!(
            err(&["--order", "2", "--frob", "x"]),
            format!("counts: unknown flag --frob; {flags}")
        );
        assert_eq!(
            err(&["--order", "2", "--jsno"]),
            format!("counts: unknown flag --jsno; did you mean --json? {flags}")
        );
        assert_eq!(
            err(&["--ordr", "2"]),
            "counts needs --order; --ordr is not one of its flags, did you mean --order?"
        );
        assert_eq!(err(&["--order"]), "--order needs a value");
        assert_eq!(err(&["--order", "--json"]), "--order needs a value");
        assert_eq!(err(&["--order", "2", "--ox-set"]), "--ox-set needs a value");
        assert_eq!(
            err(&["--order", "2", "--order", "3"]),
            "--order is given twice"
        );
        assert_eq!(err(&["--json", "--json"]), "--json is given twice");
        assert_eq!(
            err(&["--order", "2", "-json"]),
            "counts: '-json' is not a flag; flags start with two dashes (--json) (see crystal-atlas help)"
        );
        assert!(err(&["--", "x"]).starts_with("'--' is not a flag"));
        // A negative number is a value, not a flag.
        assert_eq!(err(&["--order", "-2"]), "--order: -2 is outside 2..=4");
        assert!(counts(&["--order=3", "--json", "--ox-set", "wiki"]).is_ok());
    }

    #[test]
    fn slips_are_recognised_and_other_words_are_not() {
        for (given, flag) in [
            ("ordr", "order"),
            ("jsno", "json"),
            ("per-cat", "per-category"),
            ("seeds", "seed"),
        ] {
            assert!(similar(given, flag), "{given} {flag}");
        }
        for (given, flag) in [
            ("frob", "order"),
            ("x", "json"),
            ("dim", "min-dist"),
            ("in", "input"),
        ] {
            assert!(!similar(given, flag), "{given} {flag}");
        }
    }
}
