//! `crystal-atlas`: the native command line over the same core as the page.
//! Batch work, the outside checks' contract and benchmarks go through here.
//! Every error is one line on stderr with exit code 2; nothing panics on input.

mod args;
mod chem_commands;
mod settings;

use args::{Args, CliError};

const HELP: &str = "crystal-atlas: maps of inorganic crystal chemical space (Park et al., Faraday Discuss. 2024)

USAGE
  crystal-atlas counts --order N [--max-stoich 8] [--ox-set NAME|FILE] [--known mp|oqmd|aflow|none|FILE] [--json] [--time]
  crystal-atlas list --order N --category allowed|forbidden|standard|missing|interesting|unlikely [--limit K]
  crystal-atlas explain FORMULA [--json]
  crystal-atlas system Li-Zn-Sn-O [--json]
  crystal-atlas sample --order N --per-category K --seed S

Common options: --max-stoich (default 8), --ox-set smact14|icsd16|icsd24|pymatgen_sp|wiki|FILE
(default smact14, the paper's set), --known mp|oqmd|aflow|none|FILE (default mp).";

fn run(argv: &[String]) -> Result<(), CliError> {
    let Some((command, rest)) = argv.split_first() else {
        return Err(CliError(
            "no command given; try 'crystal-atlas help'".into(),
        ));
    };
    let args = Args::parse(command, rest)?;
    match command.as_str() {
        "counts" => chem_commands::counts(args),
        "list" => chem_commands::list(args),
        "explain" => chem_commands::explain(args),
        "system" => chem_commands::system(args),
        "sample" => chem_commands::sample(args),
        "help" | "--help" | "-h" => {
            println!("{HELP}");
            Ok(())
        }
        other => Err(CliError(format!(
            "unknown command '{other}'; commands: counts, list, explain, system, sample, help"
        ))),
    }
}

/// The arguments as text; `std::env::args` would panic on one that is not UTF-8.
fn arguments() -> Result<Vec<String>, CliError> {
    std::env::args_os()
        .skip(1)
        .enumerate()
        .map(|(i, a)| {
            a.into_string().map_err(|a| {
                CliError(format!(
                    "argument {} ('{}') is not UTF-8 text",
                    i + 1,
                    a.to_string_lossy()
                ))
            })
        })
        .collect()
}

fn main() {
    if let Err(CliError(message)) = arguments().and_then(|argv| run(&argv)) {
        // One line whatever the message echoes (a formula with a newline, say).
        let line: String = message
            .chars()
            .flat_map(|c| {
                let escape = c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
                let text: Vec<char> = if escape {
                    c.escape_default().collect()
                } else {
                    vec![c]
                };
                text
            })
            .collect();
        eprintln!("crystal-atlas: {line}");
        std::process::exit(2);
    }
}
