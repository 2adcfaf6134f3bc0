//! counts, list, explain, system, sample: the chemistry commands.

use std::io::Write;

use crystal_atlas::chem::{ChemicalSystem, Composition};
use crystal_atlas::explain::explain as explain_composition;
use crystal_atlas::filter::allowed_compositions;
use crystal_atlas::label::Category;

use crate::args::{Args, CliError};
use crate::settings::Settings;

/// Writes to stdout; a closed pipe (`| head`) ends the program quietly.
pub fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.write_all(b"\n"))
        .is_err()
    {
        std::process::exit(0);
    }
}

fn json_line(value: &serde_json::Value) {
    out(&value.to_string());
}

pub fn explain(mut args: Args) -> Result<(), CliError> {
    let formula = args.single_positional("a formula such as Zn2O")?;
    let json = args.switch("json");
    let settings = Settings::from_args(&mut args)?;
    args.finish()?;
    let c = Composition::parse(&formula).map_err(|e| CliError(format!("'{formula}': {e}")))?;
    let e = explain_composition(&c, &settings.labeller());
    if json {
        json_line(&serde_json::to_value(&e).expect("serialisable"));
    } else {
        out(&format!("{}\t{}\t{}", e.formula, e.category, e.summary));
    }
    Ok(())
}

pub fn system(mut args: Args) -> Result<(), CliError> {
    let text = args.single_positional("a chemical system such as Li-Zn-Sn-O")?;
    let json = args.switch("json");
    let settings = Settings::from_args(&mut args)?;
    args.finish()?;
    let system = ChemicalSystem::parse(&text).map_err(|e| CliError(format!("'{text}': {e}")))?;
    let labeller = settings.labeller();
    for sub in system.subsystems() {
        for c in system_compositions(sub.elements(), settings.threshold) {
            let e = explain_composition(&c, &labeller);
            if json {
                let mut v = serde_json::to_value(&e).expect("serialisable");
                v["system"] = serde_json::Value::String(sub.to_string());
                json_line(&v);
            } else {
                out(&format!(
                    "{}\t{}\t{}\t{}",
                    sub, e.formula, e.category, e.summary
                ));
            }
        }
    }
    Ok(())
}

/// Every reduced composition of exactly these elements with factors <= max.
fn system_compositions(elements: &[crystal_atlas::Element], max: u32) -> Vec<Composition> {
    crystal_atlas::enumerate::coprime_tuples(elements.len(), max)
        .into_iter()
        .filter_map(|t| Composition::new(elements.iter().copied().zip(t)))
        .collect()
}

pub fn list(mut args: Args) -> Result<(), CliError> {
    let _ = (&mut args, allowed_compositions, Category::ALL);
    Err(CliError("list: not available yet".into()))
}

/// Reads `--order`, one of 2, 3, 4.
fn order(args: &mut Args) -> Result<usize, CliError> {
    args.number("order", None, 2..=4)
}

pub fn counts(mut args: Args) -> Result<(), CliError> {
    let order = order(&mut args)?;
    let json = args.switch("json");
    let settings = Settings::from_args(&mut args)?;
    args.finish()?;
    let c = crystal_atlas::count::count_space(
        order,
        &settings.ox,
        settings.threshold,
        &settings.known,
        &mut |_| true,
    )
    .expect("not cancelled");
    if json {
        json_line(&serde_json::to_value(c).expect("serialisable"));
    } else {
        let pct = |x: u64| 100.0 * x as f64 / c.unique as f64;
        out(&format!(
            "order {}: unique {}, allowed {} ({:.2}%), standard {} ({:.3}%), missing {} ({:.2}%), interesting {} ({:.3}%), unlikely {} ({:.2}%)",
            c.order,
            c.unique,
            c.allowed,
            pct(c.allowed),
            c.standard,
            pct(c.standard),
            c.missing,
            pct(c.missing),
            c.interesting,
            pct(c.interesting),
            c.unlikely,
            pct(c.unlikely)
        ));
    }
    Ok(())
}

pub fn sample(_args: Args) -> Result<(), CliError> {
    Err(CliError("sample: not available yet".into()))
}
