//! Table 2, counted live: a compact card beside the map and the full table
//! in its own tab, both for the settings in force.

use web_sys::HtmlElement;

use super::app::App;
use super::dom::{self, append, by_id, make};
use crate::count::Counts;
use crate::label::Category;
use crate::plot::colour::hex;
use crate::plot::grouped;

const ORDER_NAMES: [&str; 3] = ["Binary", "Ternary", "Quaternary"];

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "–".into();
    }
    let p = part as f64 * 100.0 / whole as f64;
    if p < 0.01 && part > 0 {
        "<0.01%".into()
    } else {
        format!("{p:.2}%")
    }
}

fn per_category(c: &Counts) -> [(Category, u64); 4] {
    [
        (Category::Standard, c.standard),
        (Category::Missing, c.missing),
        (Category::Interesting, c.interesting),
        (Category::Unlikely, c.unlikely),
    ]
}

fn settings_note(app: &App) -> String {
    let ox = app.chem_settings();
    let ox = match &ox.ox {
        crate::pipeline::OxSource::Builtin { name } => format!("{name} oxidation states"),
        crate::pipeline::OxSource::Uploaded { name, .. } => format!("oxidation states from {name}"),
    };
    format!(
        "With {ox}, factors up to {}, known = in {}.",
        app.state.max_stoich,
        app.known_title()
    )
}

pub fn render(app: &App) {
    render_card(app);
    render_full(app);
}

fn render_card(app: &App) {
    let host: HtmlElement = by_id("counts-table");
    dom::clear(&host);
    for (i, name) in ORDER_NAMES.iter().enumerate() {
        let row = append(&host, make("div", "counts-row", ""));
        dom::set_attr(&row, "data-order", &(i + 2).to_string());
        let headline = append(&row, make("div", "headline", ""));
        append(&headline, make("strong", "", name));
        match &app.counts[i] {
            Some(c) => {
                let allowed = append(&headline, make("span", "num", ""));
                dom::set_attr(&allowed, "data-allowed", &c.allowed.to_string());
                allowed.set_text_content(Some(&format!(
                    "{} of {} allowed ({})",
                    grouped(c.allowed),
                    grouped(c.unique),
                    percent(c.allowed, c.unique)
                )));
                let bar = append(&row, make("div", "bar", ""));
                dom::set_attr(&bar, "aria-hidden", "true");
                for (category, n) in per_category(c) {
                    let seg = append(&bar, make("span", "", ""));
                    // Square-root widths, so the small categories stay visible next to "unlikely".
                    let total: f64 = per_category(c)
                        .iter()
                        .map(|(_, v)| (*v as f64).sqrt())
                        .sum();
                    let width = if total > 0.0 {
                        (n as f64).sqrt() / total * 100.0
                    } else {
                        0.0
                    };
                    let _ = seg.style().set_property("width", &format!("{width:.2}%"));
                    let _ = seg
                        .style()
                        .set_property("background", &hex(app.state.palette.category(category)));
                }
                let cats = append(&row, make("div", "cats", ""));
                for (category, n) in per_category(c) {
                    let item = append(&cats, make("span", "", ""));
                    let dot = append(&item, make("span", "cat-dot", ""));
                    let _ = dot
                        .style()
                        .set_property("background", &hex(app.state.palette.category(category)));
                    append(
                        &item,
                        make("span", "", &format!("{category} {}", grouped(n))),
                    );
                }
            }
            None if app.counts_req[i].id.is_some() => {
                let progress = app.counts_progress[i];
                append(
                    &headline,
                    make(
                        "span",
                        "num",
                        &format!("counting… {:.0}%", progress * 100.0),
                    ),
                );
            }
            None => {
                append(&headline, make("span", "num", "–"));
            }
        }
    }
    let note: HtmlElement = by_id("counts-note");
    let mut text = settings_note(app);
    if let Some(e) = &app.counts_error {
        text = format!("Counting failed: {e}");
    }
    note.set_text_content(Some(&text));
}

fn render_full(app: &App) {
    let host: HtmlElement = by_id("counts-full");
    dom::clear(&host);
    let table = append(&host, make("table", "counts", ""));
    let head = append(&table, make("tr", "", ""));
    for h in [
        "n",
        "Unique compositions",
        "SMACT allowed",
        "Standard",
        "Missing",
        "Interesting",
        "Unlikely",
        "Time",
    ] {
        append(&head, make("th", "", h));
    }
    for (i, name) in ORDER_NAMES.iter().enumerate() {
        let row = append(&table, make("tr", "", ""));
        append(&row, make("td", "", &format!("{} ({name})", i + 2)));
        match &app.counts[i] {
            Some(c) => {
                append(&row, make("td", "", &grouped(c.unique)));
                let cell = |n: u64| {
                    let td = make("td", "", &grouped(n));
                    append(&td, make("span", "pct", &percent(n, c.unique)));
                    td
                };
                append(&row, cell(c.allowed));
                for (_, n) in per_category(c) {
                    append(&row, cell(n));
                }
                let ms =
                    app.counts_ms[i].map_or(String::new(), |ms| format!("{:.2} s", ms / 1000.0));
                append(&row, make("td", "", &ms));
            }
            None => {
                let text = if app.counts_req[i].id.is_some() {
                    format!("counting… {:.0}%", app.counts_progress[i] * 100.0)
                } else {
                    "–".into()
                };
                let td = append(&row, make("td", "", &text));
                dom::set_attr(&td, "colspan", "7");
            }
        }
    }
    append(&host, make("p", "note", &settings_note(app)));
    append(
        &host,
        make(
            "p",
            "note",
            "Standard: allowed and known. Missing: allowed, not known (candidates). Interesting: forbidden yet known. Unlikely: forbidden and not known. Percentages are of the unique compositions.",
        ),
    );
}
