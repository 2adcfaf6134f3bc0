//! neighbours: the known materials nearest to a formula in an embedding's
//! space ("what does Zn2O resemble"), with their distances and categories.
//! The known set is embedded with the same embedding and pooling as the
//! formula (crystal_atlas::neighbours).

use crystal_atlas::chem::{Composition, shown};
use crystal_atlas::embed::PoolingStat;
use crystal_atlas::neighbours::EmbeddedSet;
use crystal_atlas::plot::grouped;

use crate::args::{Args, CliError};
use crate::embed_command::load_embedding;
use crate::io::{note, out};
use crate::settings::Settings;

pub fn neighbours(mut args: Args) -> Result<(), CliError> {
    let formula = args.single_positional("a formula such as Zn2O")?;
    let embedding = load_embedding(&args.required(
        "embedding",
        "an embedding name such as mat2vec; see 'embed --list'",
    )?)?;
    let stats = PoolingStat::parse_list(&args.value("stats").unwrap_or_else(|| "mean".to_string()))
        .map_err(|e| CliError(format!("--stats: {e}")))?;
    let k: usize = args.number("k", Some(10), 1..=10_000)?;
    let json = args.switch("json");
    let settings = Settings::from_args(&mut args)?;
    args.finish()?;
    let query = Composition::parse(&formula)
        .map_err(|e| CliError(format!("'{}': {e}", shown(&formula))))?;

    let known = EmbeddedSet::new(settings.known.compositions(), &embedding, &stats);
    let found = known
        .nearest(&query, &embedding, &stats, k)
        .map_err(|e| CliError(e.to_string()))?;
    let labeller = settings.labeller();
    let stats_names: Vec<&str> = stats.iter().map(|s| s.name()).collect();
    note(&format!(
        "neighbours: the {} known compositions ({}) nearest to {query} by Euclidean distance between {} {} vectors; \
         {} of {} searched (left out: {} with an element {} lacks, {} whose vector is not finite)",
        found.len(),
        settings.known.name(),
        embedding.name(),
        stats_names.join("+"),
        grouped(known.len() as u64),
        grouped((known.len() + known.uncovered() + known.not_finite()) as u64),
        grouped(known.uncovered() as u64),
        embedding.name(),
        grouped(known.not_finite() as u64),
    ));
    for n in &found {
        let category = labeller.category(n.composition);
        if json {
            let line = serde_json::json!({
                "formula": n.composition.to_string(),
                "distance": n.distance,
                "category": category,
            });
            out(&line.to_string())?;
        } else {
            out(&format!("{}\t{}\t{category}", n.composition, n.distance))?;
        }
    }
    Ok(())
}
