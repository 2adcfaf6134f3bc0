//! The chemical-system explorer (the paper's Table 1): every composition of a
//! system and its sub-systems in the four categories. Clicking one explains it
//! and, when it is in the map's sample, shows it on the map.

use std::collections::{BTreeMap, BTreeSet};

use web_sys::HtmlElement;

use super::app::{App, with_app};
use super::dom::{self, append, by_id, make};
use crate::chem::{ChemicalSystem, Composition};
use crate::label::Category;
use crate::pipeline::protocol::SystemRow;
use crate::plot::colour::hex;
use crate::plot::grouped;

/// Formulas listed per category before "show all".
const SHOWN: usize = 24;

pub fn install() {
    dom::on::<web_sys::Event>(
        &by_id::<web_sys::EventTarget>("system-form"),
        "submit",
        |e| {
            e.prevent_default();
            let text = by_id::<web_sys::HtmlInputElement>("system-input").value();
            let text = text.trim().to_string();
            match ChemicalSystem::parse(&text) {
                Ok(_) => {
                    with_app(|app| {
                        app.state.system = text.clone();
                        app.request_system(&text);
                        app.after_view_change();
                    });
                }
                Err(problem) => show_error(&format!("'{text}': {problem}.")),
            }
        },
    );
}

pub fn show_error(message: &str) {
    let e: HtmlElement = by_id("system-error");
    e.set_text_content(Some(message));
    dom::set_hidden(&e, false);
}

pub fn render_pending(app: &App) {
    dom::set_hidden(&by_id::<HtmlElement>("system-error"), true);
    let input: web_sys::HtmlInputElement = by_id("system-input");
    if input.value().is_empty() {
        input.set_value(&app.state.system);
    }
    let host: HtmlElement = by_id("system-table");
    dom::clear(&host);
    append(
        &host,
        make("p", "hint", &format!("Listing {}…", app.state.system)),
    );
}

fn formula_button(host: &HtmlElement, row: &SystemRow) {
    let b = append(host, make("button", "", ""));
    dom::set_attr(&b, "type", "button");
    dom::set_attr(&b, "title", &row.summary);
    dom::set_attr(&b, "data-formula", &row.formula);
    append(&b, super::details::formula_html(&row.formula));
    let formula = row.formula.clone();
    dom::on::<web_sys::Event>(&b, "click", move |_| open(&formula));
}

fn open(formula: &str) {
    let sampled = with_app(|app| {
        let c = Composition::parse(formula).ok()?;
        let row = app.map.layout.as_ref()?.sample.find(&c)?;
        app.map.point_of_row(row)
    })
    .flatten();
    if sampled.is_some() {
        super::details::locate_on_map(formula);
    }
    with_app(|app| app.open_details(formula));
}

pub fn render(app: &App) {
    let host: HtmlElement = by_id("system-table");
    dom::clear(&host);
    let Some((system, rows)) = &app.system else {
        return;
    };
    let mut by_system: BTreeMap<usize, (String, Vec<&SystemRow>)> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for row in rows {
        if !order.contains(&row.system) {
            order.push(row.system.clone());
        }
        let k = order.iter().position(|s| s == &row.system).expect("pushed");
        by_system
            .entry(k)
            .or_insert_with(|| (row.system.clone(), Vec::new()))
            .1
            .push(row);
    }
    append(
        &host,
        make(
            "p",
            "note",
            &format!(
                "{} compositions in {system} and its sub-systems, factors up to {}.",
                grouped(rows.len() as u64),
                app.state.max_stoich
            ),
        ),
    );
    for (_, (name, rows)) in by_system.iter().rev() {
        let block = append(&host, make("div", "system-block", ""));
        dom::set_attr(&block, "data-system", name);
        append(&block, make("h3", "", name));
        let cats = append(&block, make("div", "system-cats", ""));
        for category in Category::ALL {
            let col = append(&cats, make("div", "system-cat", ""));
            let _ = col.style().set_property(
                "border-top-color",
                &hex(app.state.palette.category(category)),
            );
            let members: Vec<&&SystemRow> =
                rows.iter().filter(|r| r.category == category).collect();
            let h = append(&col, make("h4", "", ""));
            append(&h, make("span", "", category.name()));
            append(&h, make("span", "count", &grouped(members.len() as u64)));
            let list = append(&col, make("div", "formula-list", ""));
            for row in members.iter().take(SHOWN) {
                formula_button(&list, row);
            }
            if members.len() > SHOWN {
                let more = append(
                    &col,
                    make(
                        "button",
                        "more",
                        &format!("show all {}", grouped(members.len() as u64)),
                    ),
                );
                dom::set_attr(&more, "type", "button");
                let rest: Vec<SystemRow> = members[SHOWN..].iter().map(|r| (**r).clone()).collect();
                let list = list.clone();
                let button = more.clone();
                dom::on::<web_sys::Event>(&more, "click", move |_| {
                    for row in &rest {
                        formula_button(&list, row);
                    }
                    button.remove();
                    with_app(|app| mark_sampled(app));
                });
            }
        }
    }
    mark_sampled(app);
}

/// Marks the listed formulas that are in the map's sample.
pub fn mark_sampled(app: &App) {
    let Some(layout) = app.map.layout.as_ref() else {
        return;
    };
    let on_map: BTreeSet<&Composition> = layout
        .kept
        .iter()
        .map(|&row| &layout.sample.compositions[row as usize])
        .collect();
    for e in super::controls::query_all("#system-table button[data-formula]") {
        let sampled = e
            .get_attribute("data-formula")
            .and_then(|f| Composition::parse(&f).ok())
            .is_some_and(|c| on_map.contains(&c));
        dom::toggle_class(&e, "sampled", sampled);
    }
}
