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

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if let Err(CliError(message)) = run(&argv) {
        eprintln!("crystal-atlas: {message}");
        std::process::exit(2);
    }
}
