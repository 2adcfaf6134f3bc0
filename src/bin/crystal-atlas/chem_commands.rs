//! counts, list, explain, system, sample: the chemistry commands.

use crystal_atlas::chem::{ChemicalSystem, Composition, shown};
use crystal_atlas::explain::{Explanation, Reason, explain as explain_composition, system_table};
use crystal_atlas::label::Category;

use crate::args::{Args, CliError};
use crate::io::{Lines, note, out};
use crate::settings::Settings;

fn json_line(value: &serde_json::Value) -> Result<(), CliError> {
    out(&value.to_string())
}

pub fn explain(mut args: Args) -> Result<(), CliError> {
    let formula = args.single_positional("a formula such as Zn2O")?;
    let json = args.switch("json");
    let settings = Settings::from_args(&mut args)?;
    args.finish()?;
    let c = Composition::parse(&formula)
        .map_err(|e| CliError(format!("'{}': {e}", shown(&formula))))?;
    let e = explain_composition(&c, &settings.labeller());
    if json {
        json_line(&serde_json::to_value(&e).expect("serialisable"))
    } else {
        out(&format!("{}\t{}\t{}", e.formula, e.category, e.summary))?;
        for line in details(&e) {
            out(&format!("  {line}"))?;
        }
        Ok(())
    }
}

/// The explanation's lists, for people: the states tried per element (those
/// of the leading assignment in brackets), the ranked assignments, the
/// states a forbidden formula would need.
fn details(e: &Explanation) -> Vec<String> {
    let signed = |q: i8| {
        if q > 0 {
            format!("+{q}")
        } else {
            q.to_string()
        }
    };
    let mut lines = Vec::new();
    if e.elements.iter().any(|el| !el.states.is_empty()) {
        let tried: Vec<String> = e
            .elements
            .iter()
            .map(|el| {
                let states: Vec<String> = el
                    .states
                    .iter()
                    .map(|s| {
                        let q = signed(s.oxidation_state);
                        if s.used { format!("[{q}]") } else { q }
                    })
                    .collect();
                format!("{} {}", el.element, states.join(" "))
            })
            .collect();
        lines.push(format!(
            "states tried ({}; [ ] = used above): {}",
            e.oxidation_states_set,
            tried.join("; ")
        ));
    }
    let scored = |a: &crystal_atlas::explain::Assignment| {
        format!("{} ({:.2})", a.written(), a.log_frequency)
    };
    match &e.reason {
        Reason::Allowed { assignments } if e.passing_assignments > 1 => {
            let passing_assignments = e.passing_assignments;
            let listed: Vec<String> = assignments.iter().map(scored).collect();
            lines.push(format!(
                "passing assignments, most plausible first (ln ICSD 2024 frequency per formula unit){}: {}",
                if passing_assignments > assignments.len() as u64 {
                    format!(", {} of {passing_assignments}", assignments.len())
                } else {
                    String::new()
                },
                listed.join("; ")
            ));
        }
        Reason::NotNeutral { .. } if !e.needed_states.is_empty() => {
            let listed: Vec<String> = e
                .needed_states
                .iter()
                .map(|n| {
                    format!(
                        "{}({}) in {}",
                        n.element,
                        signed(n.oxidation_state),
                        n.assignment.written()
                    )
                })
                .collect();
            lines.push(format!("would need: {}", listed.join("; ")));
        }
        _ => {}
    }
    lines
}

pub fn system(mut args: Args) -> Result<(), CliError> {
    let text = args.single_positional("a chemical system such as Li-Zn-Sn-O")?;
    let json = args.switch("json");
    let settings = Settings::from_args(&mut args)?;
    args.finish()?;
    let system =
        ChemicalSystem::parse(&text).map_err(|e| CliError(format!("'{}': {e}", shown(&text))))?;
    if system.elements().len() < 2 {
        // Its table would be empty: the atlas's compositions have 2 to 4 elements.
        return Err(CliError(format!(
            "'{}' is one element; a chemical system is 2 to 4 elements joined by dashes, e.g. Zn-O or Li-Zn-Sn-O (for one compound use 'crystal-atlas explain')",
            shown(&text)
        )));
    }
    let mut lines = Lines::new();
    for entry in system_table(&system, &settings.labeller()) {
        let e = entry.explanation;
        if json {
            let mut v = serde_json::to_value(&e).expect("serialisable");
            v["system"] = serde_json::Value::String(entry.system);
            lines.line(&v.to_string())?;
        } else {
            lines.line(&format!(
                "{}\t{}\t{}\t{}",
                entry.system, e.formula, e.category, e.summary
            ))?;
        }
    }
    lines.finish()
}

/// What `list --category` selects.
#[derive(Clone, Copy)]
enum Selection {
    Allowed(bool),
    Category(Category),
}

impl Selection {
    fn parse(name: &str) -> Result<Selection, CliError> {
        match name {
            "allowed" => Ok(Selection::Allowed(true)),
            "forbidden" => Ok(Selection::Allowed(false)),
            other => Category::from_name(other).map(Selection::Category).ok_or_else(|| {
                CliError(format!(
                    "--category: '{other}' is not one of allowed, forbidden, standard, missing, interesting, unlikely"
                ))
            }),
        }
    }

    fn matches(self, category: Category) -> bool {
        match self {
            Selection::Allowed(allowed) => category.allowed() == allowed,
            Selection::Category(c) => c == category,
        }
    }
}

pub fn list(mut args: Args) -> Result<(), CliError> {
    let order = order(&mut args)?;
    let selection =
        Selection::parse(&args.required("category", "allowed, forbidden or a category name")?)?;
    let limit: Option<u64> = match args.value("limit") {
        None => None,
        Some(_) => Some(args.number("limit", None, 1..=u64::MAX)?),
    };
    let settings = Settings::from_args(&mut args)?;
    args.finish()?;
    if order == 4 && limit.is_none() {
        return Err(CliError(
            "list --order 4 needs --limit K: the quaternary space holds 1.7e10 compositions".into(),
        ));
    }
    let labeller = settings.labeller();
    let mut lines = Lines::new();
    let mut left = limit.unwrap_or(u64::MAX);
    if let Selection::Category(c) = selection
        && c.known()
    {
        // Known categories come from the known set: no need to walk the space.
        let mut found: Vec<Composition> = settings
            .known
            .compositions_within(order, settings.threshold)
            .filter(|k| labeller.category(k) == c)
            .collect();
        found.sort();
        for c in found.iter().take(left.min(usize::MAX as u64) as usize) {
            lines.line(&c.to_string())?;
        }
        return lines.finish();
    }
    let tuples = crystal_atlas::enumerate::coprime_tuples(order, settings.threshold);
    for set in crystal_atlas::enumerate::combinations(crystal_atlas::data::ELEMENT_COUNT, order) {
        let elements: Vec<crystal_atlas::Element> = set
            .iter()
            .map(|&i| crystal_atlas::Element::from_z(i as u8 + 1).expect("0..103"))
            .collect();
        for t in &tuples {
            let c =
                Composition::new(elements.iter().copied().zip(t.iter().copied())).expect("valid");
            if selection.matches(labeller.category(&c)) {
                lines.line(&c.to_string())?;
                left -= 1;
                if left == 0 {
                    return lines.finish();
                }
            }
        }
    }
    lines.finish()
}

/// Reads `--order`, one of 2, 3, 4.
fn order(args: &mut Args) -> Result<usize, CliError> {
    args.number("order", None, 2..=4)
}

pub fn counts(mut args: Args) -> Result<(), CliError> {
    let order = order(&mut args)?;
    let json = args.switch("json");
    let time = args.switch("time");
    let settings = Settings::from_args(&mut args)?;
    args.finish()?;
    let start = std::time::Instant::now();
    let c = crystal_atlas::count::count_space(
        order,
        &settings.ox,
        settings.threshold,
        &settings.options,
        &settings.known,
        &mut |_| true,
    )?;
    if time {
        note(&format!(
            "counts: order {order} in {:.1} ms",
            start.elapsed().as_secs_f64() * 1e3
        ));
    }
    if json {
        json_line(&serde_json::to_value(c).expect("serialisable"))
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
        ))
    }
}

pub fn sample(mut args: Args) -> Result<(), CliError> {
    let order = order(&mut args)?;
    let size = args.required("per-category", "a number per category, or all")?;
    let size = crystal_atlas::sample::SampleSize::parse(&size)
        .map_err(|e| CliError(format!("--per-category: {e}")))?;
    let seed = args.setting(&crystal_atlas::params::SEED, 0..=u64::MAX)?;
    let settings = Settings::from_args(&mut args)?;
    args.finish()?;
    let s = crystal_atlas::sample::sample(order, size, seed, &settings.labeller())?;
    for (category, available) in &s.shortfalls {
        note(&format!(
            "crystal-atlas: note: only {available} {category} compositions were found; all are included"
        ));
    }
    let mut lines = Lines::new();
    for (c, category) in s.compositions.iter().zip(&s.categories) {
        lines.line(&format!("{c},{category}"))?;
    }
    lines.finish()
}
