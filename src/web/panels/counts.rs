//! Table 2, counted live: a compact card beside the map and the full table
//! in its own tab, both for the settings in force.

use web_sys::HtmlElement;

use super::super::dom::{self, append, by_id, make};
use crate::count::Counts;
use crate::label::Category;
use crate::plot::colour::hex;
use crate::plot::grouped;
use crate::session::{CountsRow, Session};

const ORDER_NAMES: [&str; 3] = ["Binary", "Ternary", "Quaternary"];

pub struct CountsPanel {
    card: HtmlElement,
    full: HtmlElement,
    note: HtmlElement,
}

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

/// A category as a column label.
fn column(c: Category) -> &'static str {
    match c {
        Category::Standard => "Standard",
        Category::Missing => "Missing",
        Category::Interesting => "Interesting",
        Category::Unlikely => "Unlikely",
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

fn pending_text(row: &CountsRow) -> String {
    match row {
        CountsRow::Counting { fraction, silent } => {
            let mut t = format!("counting… {:.0}%", fraction * 100.0);
            if *silent {
                t.push_str(" (no word for a while)");
            }
            t
        }
        CountsRow::Failed(_) => "not counted".into(),
        CountsRow::Queued => "counted once the map is drawn".into(),
        _ => "–".into(),
    }
}

impl CountsPanel {
    pub fn mount() -> CountsPanel {
        CountsPanel {
            card: by_id("counts-table"),
            full: by_id("counts-full"),
            note: by_id("counts-note"),
        }
    }

    pub fn render(&self, session: &Session) {
        let rows: Vec<CountsRow> = (2..=4).map(|n| session.counts_row(n)).collect();
        self.render_card(session, &rows);
        self.render_full(session, &rows);
        let failed = rows.iter().find_map(|r| match r {
            CountsRow::Failed(m) => Some(m.clone()),
            _ => None,
        });
        let text = match failed {
            Some(m) => format!("Counting failed: {m}"),
            None => session.settings_note(),
        };
        self.note.set_text_content(Some(&text));
    }

    fn render_card(&self, session: &Session, rows: &[CountsRow]) {
        let palette = session.state().palette;
        dom::clear(&self.card);
        for (i, name) in ORDER_NAMES.iter().enumerate() {
            let row = append(&self.card, make("div", "counts-row", ""));
            dom::set_attr(&row, "data-order", &(i + 2).to_string());
            let headline = append(&row, make("div", "headline", ""));
            append(&headline, make("strong", "", name));
            let CountsRow::Done { counts: c, .. } = &rows[i] else {
                append(&headline, make("span", "num", &pending_text(&rows[i])));
                continue;
            };
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
            // Square-root widths, so the small categories stay visible next to "unlikely".
            let total: f64 = per_category(c)
                .iter()
                .map(|(_, v)| (*v as f64).sqrt())
                .sum();
            for (category, n) in per_category(c) {
                let seg = append(&bar, make("span", "", ""));
                let width = if total > 0.0 {
                    (n as f64).sqrt() / total * 100.0
                } else {
                    0.0
                };
                let _ = seg.style().set_property("width", &format!("{width:.2}%"));
                let _ = seg
                    .style()
                    .set_property("background", &hex(palette.category(category)));
            }
            let cats = append(&row, make("div", "cats", ""));
            for (category, n) in per_category(c) {
                let item = append(&cats, make("span", "", ""));
                dom::set_attr(&item, "title", category.meaning());
                let dot = append(&item, make("span", "cat-dot", ""));
                let _ = dot
                    .style()
                    .set_property("background", &hex(palette.category(category)));
                append(
                    &item,
                    make("span", "", &format!("{category} {}", grouped(n))),
                );
            }
        }
    }

    fn render_full(&self, session: &Session, rows: &[CountsRow]) {
        dom::clear(&self.full);
        let scroll = append(&self.full, make("div", "table-scroll", ""));
        dom::set_attr(&scroll, "tabindex", "0");
        dom::set_attr(&scroll, "role", "region");
        dom::set_attr(
            &scroll,
            "aria-label",
            "Table 2 (scrolls sideways on narrow screens)",
        );
        let table = append(&scroll, make("table", "counts", ""));
        let head = append(&table, make("tr", "", ""));
        for h in [
            "n",
            "Unique",
            "Allowed",
            "Standard",
            "Missing",
            "Interesting",
            "Unlikely",
            "Time",
        ] {
            let th = append(&head, make("th", "", h));
            dom::set_attr(&th, "scope", "col");
        }
        for (i, name) in ORDER_NAMES.iter().enumerate() {
            let row = append(&table, make("tr", "", ""));
            let th = append(
                &row,
                make("th", "", &format!("{} ({})", i + 2, name.to_lowercase())),
            );
            dom::set_attr(&th, "scope", "row");
            match &rows[i] {
                CountsRow::Done { counts: c, ms } => {
                    let cell = |label: &str, text: &str| {
                        let td = append(&row, make("td", "", text));
                        dom::set_attr(&td, "data-label", label);
                        td
                    };
                    cell("Unique", &grouped(c.unique));
                    let counted = [("Allowed", c.allowed)]
                        .into_iter()
                        .chain(per_category(c).map(|(cat, n)| (column(cat), n)));
                    for (label, n) in counted {
                        let td = cell(label, &grouped(n));
                        append(&td, make("span", "pct", &percent(n, c.unique)));
                    }
                    cell("Time", &format!("{:.2} s", ms / 1000.0));
                }
                other => {
                    let td = append(&row, make("td", "", &pending_text(other)));
                    dom::set_attr(&td, "colspan", "7");
                }
            }
        }
        append(&self.full, make("p", "note", &session.settings_note()));
        append(
            &self.full,
            make(
                "p",
                "note",
                "Unique: compositions of n elements with factors up to the limit, each counted once in \
                 reduced form. Allowed: passes SMACT's charge-neutrality and electronegativity tests. \
                 Standard: allowed and known. Missing: allowed, not known (candidates). Interesting: \
                 forbidden yet known. Unlikely: forbidden and not known. Percentages are of the unique \
                 compositions. Counted exactly in your browser, without listing the compositions.",
            ),
        );
    }
}
