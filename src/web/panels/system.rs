//! The chemical-system explorer (the paper's Table 1): every composition of a
//! system and its sub-systems in the four categories. Choosing one explains
//! it and, when it is in the map's sample, shows it on the map.

use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement};

use super::super::dispatch::Dispatch;
use super::super::dom::{self, append, by_id, make};
use super::{formula_html, show_note};
use crate::chem::Composition;
use crate::label::Category;
use crate::pipeline::protocol::SystemRow;
use crate::plot::colour::hex;
use crate::plot::grouped;
use crate::session::{Field, Input, Session};

/// Formulas listed per category before "show all".
const SHOWN: usize = 24;

pub struct SystemPanel {
    table: HtmlElement,
}

impl SystemPanel {
    pub fn mount(dispatch: &Dispatch) -> SystemPanel {
        let d = dispatch.clone();
        dom::on::<web_sys::Event>(
            &by_id::<web_sys::EventTarget>("system-form"),
            "submit",
            move |e| {
                e.prevent_default();
                d.input(Input::ListSystem(
                    by_id::<HtmlInputElement>("system-input").value(),
                ));
            },
        );
        let table: HtmlElement = by_id("system-table");
        let d = dispatch.clone();
        dom::on::<web_sys::MouseEvent>(&table, "click", move |e| {
            let Some(target) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            else {
                return;
            };
            if let Some(more) = target.closest("button.more").ok().flatten() {
                // "Show all": the rest of the list was rendered hidden.
                if let Some(list) = more.previous_element_sibling() {
                    for e in dom::query_all(&list, "[hidden]") {
                        let _ = e.remove_attribute("hidden");
                    }
                }
                more.remove();
                return;
            }
            let Some(formula) = target
                .closest("[data-formula]")
                .ok()
                .flatten()
                .and_then(|b| b.get_attribute("data-formula"))
            else {
                return;
            };
            let sampled = target.closest(".sampled").ok().flatten().is_some();
            d.input(if sampled {
                Input::LocateOnMap(formula)
            } else {
                Input::Focus(formula)
            });
        });
        SystemPanel { table }
    }

    pub fn render(&self, session: &Session) {
        show_note(&by_id("system-note"), session.field_note(Field::System));
        let input: HtmlInputElement = by_id("system-input");
        if input.value().is_empty() {
            input.set_value(&session.state().system);
        }
        dom::clear(&self.table);
        let Some((system, rows)) = session.system_rows() else {
            if session.system_pending() {
                append(
                    &self.table,
                    make("p", "hint", &format!("Listing {}…", session.state().system)),
                );
            }
            return;
        };
        let mut systems: Vec<&str> = Vec::new();
        for row in rows {
            if !systems.contains(&row.system.as_str()) {
                systems.push(&row.system);
            }
        }
        append(
            &self.table,
            make(
                "p",
                "note",
                &format!(
                    "{} compositions in {system} and its sub-systems, factors up to {}. ◎ marks those on the map.",
                    grouped(rows.len() as u64),
                    session.state().max_stoich
                ),
            ),
        );
        let palette = session.state().palette;
        for name in systems.iter().rev() {
            let members: Vec<&SystemRow> = rows.iter().filter(|r| r.system == *name).collect();
            let block = append(&self.table, make("div", "system-block", ""));
            dom::set_attr(&block, "data-system", name);
            append(&block, make("h3", "", name));
            let cats = append(&block, make("div", "system-cats", ""));
            for category in Category::ALL {
                let col = append(&cats, make("div", "system-cat", ""));
                let _ = col
                    .style()
                    .set_property("border-top-color", &hex(palette.category(category)));
                let these: Vec<&&SystemRow> =
                    members.iter().filter(|r| r.category == category).collect();
                let h = append(&col, make("h4", "", ""));
                append(&h, make("span", "", category.name()));
                append(&h, make("span", "count", &grouped(these.len() as u64)));
                let list = append(&col, make("div", "formula-list", ""));
                for (k, row) in these.iter().enumerate() {
                    let b = append(&list, make("button", "", ""));
                    dom::set_attr(&b, "type", "button");
                    dom::set_attr(&b, "title", &row.summary);
                    dom::set_attr(&b, "data-formula", &row.formula);
                    append(&b, formula_html(&row.formula));
                    if Composition::parse(&row.formula).is_ok_and(|c| session.on_map(&c)) {
                        dom::toggle_class(&b, "sampled", true);
                        dom::set_attr(&b, "aria-label", &format!("{} (on the map)", row.formula));
                    }
                    if k >= SHOWN {
                        dom::set_hidden(&b, true);
                    }
                }
                if these.len() > SHOWN {
                    let more = append(
                        &col,
                        make(
                            "button",
                            "more",
                            &format!("show all {}", grouped(these.len() as u64)),
                        ),
                    );
                    dom::set_attr(&more, "type", "button");
                    // The list sits just before the button.
                    col.insert_before(&list, Some(&more)).ok();
                }
            }
        }
    }
}
