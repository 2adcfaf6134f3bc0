//! `crystal-atlas`: the native command line over the same core as the page.
//! Batch work, the outside checks' contract and benchmarks go through here.
//! Every error is one line on stderr with exit code 2; nothing panics on input
//! or on output that cannot be written (see `io.rs`).

mod args;
mod chem_commands;
mod embed_command;
mod io;
mod neighbours_command;
mod reduce_command;
mod settings;

use args::{Args, CliError};

const HELP: &str = "crystal-atlas: maps of inorganic crystal chemical space (Park et al., Faraday Discuss. 2024)

USAGE
  crystal-atlas counts --order N [--max-stoich 8] [--ox-set NAME|FILE] [--known mp|oqmd|aflow|none|FILE] [--json] [--time]
  crystal-atlas list --order N --category allowed|forbidden|standard|missing|interesting|unlikely [--limit K]
  crystal-atlas explain FORMULA [--json]
  crystal-atlas system Li-Zn-Sn-O [--json]
  crystal-atlas sample --order N --per-category K|all --seed S
  crystal-atlas embed --embedding NAME [--stats mean] [--standardise] --formulas FILE --out X.f32 [--kept FILE] [--time]
                      [--threads N]
  crystal-atlas embed --list
  crystal-atlas reduce --method pca|tsne|umap --input X.f32 --dim D [--seed 42] [--n-neighbors 15]
                       [--min-dist 0.1] [--perplexity 30] --out Y.f32 [--time] [--quality] [--threads N]
                       [--transform NEW.f32 --transform-out NEWY.f32]
  crystal-atlas neighbours FORMULA --embedding NAME [--stats mean] [--k 10] [--known mp] [--json]

Common options: --max-stoich (default 8), --ox-set smact14|icsd16|icsd24|pymatgen_sp|wiki|FILE
(default smact14, the paper's set), --known mp|oqmd|aflow|none|FILE (default mp).
SMACT's smact_validity options (off by default: the paper's smact_filter): --mixed-valence (atoms of
Fe, Mn, Co, Cu, ... may take different states: Fe3O4), --include-alloys (compositions of metals only
are allowed); with --ox-set icsd24, the ICSD24 filter's --consensus N (default 3) and --commonality
low|medium|high|main|PERCENT (default low), --include-zero. The icsd24 file alone is consensus 6.

embed: compositional embeddings, the paper's eq. 2 and ElementEmbeddings 0.8.0's
CompositionalEmbedding(formula, NAME).feature_vector(stats), computed in float64.
  --embedding  magpie, mat2vec, megnet16, oliynyk, skipatom, random_200 (the paper's six), atomic, cgnf,
               chemeleon, chgnet, crystallm, mace_mp0, magpie_sc, matscholar, matscibert, mod_petti,
               oliynyk_sc, orb_v2, sevennet, xenonpy (--list: sizes, descriptions, sources), or a .bin
               file from data/embeddings/.
  --stats      mean (default; the fraction-weighted mean), variance, minpool, maxpool, range, sum,
               geometric_mean, harmonic_mean, or a comma-separated list, concatenated in that order.
               sum weights by the reduced formula's amounts (Mg2O2 counts as MgO).
  --formulas   one formula per line, or a CSV/TSV with a 'formula' column; blank and # lines skipped.
  --out        raw little-endian float32, row-major, no header: ONE ROW PER KEPT FORMULA, in input order.
               A formula with an element the embedding lacks has no vector (ElementEmbeddings raises
               KeyError) and gets no row: stderr lists each such line number and formula, and the count.
  --kept FILE  writes the input line number of each row of --out, one per line.
  --standardise  z-scores each column over the rows written (population std; constant columns 0).
  --time       prints how long the embedding itself took (stderr).

reduce reads X.f32, raw little-endian f32 values row after row with D (--dim) columns, and writes the
N x 2 map the same way to Y.f32; --n-neighbors and --min-dist apply to umap, --perplexity to tsne. It
prints the time to stderr (--time: also the time of each stage; --quality: also the trustworthiness
and kNN recall at 15 on the standard subset). --transform places the rows of NEW.f32 (same columns) on
the fitted map without moving it, as umap-learn's and openTSNE's transform do (PCA: the fitted
projection), writes their M x 2 positions to NEWY.f32 and prints that time and their kNN recall at 15.

neighbours prints the known compositions nearest to FORMULA in the embedding's space (Euclidean
distance between pooled vectors, the known set embedded the same way), nearest first: formula,
distance and category (standard or interesting under --ox-set and --max-stoich), one per line.

--threads N (embed, reduce): threads to run on; default every core, or CRYSTAL_ATLAS_THREADS when
set. The output is the same bits for any number.";

fn run(argv: &[String]) -> Result<(), CliError> {
    let Some((command, rest)) = argv.split_first() else {
        return Err(CliError(
            "no command given; try 'crystal-atlas help'".into(),
        ));
    };
    if rest.iter().any(|a| a == "--help" || a == "-h") {
        return io::out(HELP);
    }
    let args = Args::parse(command, rest)?;
    match command.as_str() {
        "counts" => chem_commands::counts(args),
        "list" => chem_commands::list(args),
        "explain" => chem_commands::explain(args),
        "system" => chem_commands::system(args),
        "sample" => chem_commands::sample(args),
        "embed" => embed_command::embed(args),
        "reduce" => reduce_command::reduce(args),
        "neighbours" => neighbours_command::neighbours(args),
        "help" | "--help" | "-h" => io::out(HELP),
        other => Err(CliError(format!(
            "unknown command '{other}'; commands: counts, list, explain, system, sample, embed, reduce, neighbours, help"
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
        io::note(&format!("crystal-atlas: {line}"));
        std::process::exit(2);
    }
}
