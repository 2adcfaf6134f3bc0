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
    used: Vec<String>,
}

/// Flags that take no value.
const SWITCHES: [&str; 8] = [
    "json",
    "help",
    "time",
    "standardise",
    "list",
    "mixed-valence",
    "include-alloys",
    "include-zero",
];

impl Args {
    pub fn parse(command: &str, raw: &[String]) -> Result<Args, CliError> {
        let mut args = Args {
            command: command.to_string(),
            positional: Vec::new(),
            values: BTreeMap::new(),
            switches: Vec::new(),
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
                if SWITCHES.contains(&name.as_str()) {
                    if inline.is_some() {
                        return Err(CliError(format!("--{name} takes no value")));
                    }
                    args.switches.push(name);
                } else {
                    let value = match inline {
                        Some(v) => v,
                        None => {
                            i += 1;
                            raw.get(i)
                                .cloned()
                                .ok_or_else(|| CliError(format!("--{name} needs a value")))?
                        }
                    };
                    if args.values.insert(name.clone(), value).is_some() {
                        return Err(CliError(format!("--{name} is given twice")));
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
        self.value(name)
            .ok_or_else(|| CliError(format!("{} needs --{name} ({what})", self.command)))
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
            return default.ok_or_else(|| CliError(format!("{} needs --{name}", self.command)));
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
            0 => Err(CliError(format!("{} needs {what}", self.command))),
            1 => Ok(self.positional.remove(0)),
            _ => Err(CliError(format!(
                "{} takes one {what}, got {}; quote it if it contains spaces",
                self.command,
                self.positional.len()
            ))),
        }
    }

    /// Fails on flags or positionals the command did not read.
    pub fn finish(self) -> Result<(), CliError> {
        for name in self.values.keys().chain(&self.switches) {
            if !self.used.contains(name) {
                return Err(CliError(format!(
                    "{} does not take --{name} (see crystal-atlas help)",
                    self.command
                )));
            }
        }
        if let Some(p) = self.positional.first() {
            return Err(CliError(format!(
                "{}: unexpected argument '{p}' (see crystal-atlas help)",
                self.command
            )));
        }
        Ok(())
    }
}
