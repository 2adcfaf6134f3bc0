//! Your formulas on the map: the field and file upload that place them, the
//! list of what became of each (category, reason, placed or why not), the
//! placed layer's legend line, the density-contour switch of the map's
//! toolbar and the extra exports. Decides nothing: the session does.

use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement, HtmlTextAreaElement};

use super::super::dispatch::{Dispatch, Export, Msg};
use super::super::dom::{self, append, by_id, make};
use super::{category_chip, formula_html, show_note};
use crate::session::{Field, Input, PlacedState, Session};

pub struct PlacePanel {
    input: HtmlTextAreaElement,
    list: HtmlElement,
    /// The note whose refused text was last put back in the field, so the
    /// field is not overwritten again while the user corrects it.
    applied: Option<String>,
}

fn target(e: &web_sys::Event) -> Option<web_sys::Element> {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
}

impl PlacePanel {
    pub fn mount(dispatch: &Dispatch) -> PlacePanel {
        let input: HtmlTextAreaElement = by_id("place-input");
        let d = dispatch.clone();
        let field = input.clone();
        dom::on::<web_sys::Event>(
            &by_id::<web_sys::EventTarget>("place-form"),
            "submit",
            move |e| {
                e.prevent_default();
                let text = field.value();
                field.set_value("");
                d.input(Input::Place(text));
            },
        );
        let d = dispatch.clone();
        dom::on::<web_sys::Event>(
            &by_id::<web_sys::EventTarget>("place-file"),
            "change",
            move |e| {
                let Some(input) = target(&e).and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                else {
                    return;
                };
                if let Some(file) = input.files().and_then(|f| f.get(0)) {
                    d.send(Msg::PlaceFileChosen(file));
                }
                // Choosing the same file again is a change too.
                input.set_value("");
            },
        );
        let list: HtmlElement = by_id("placed-list");
        let d = dispatch.clone();
        dom::on::<web_sys::MouseEvent>(&list, "click", move |e| {
            let Some(button) = target(&e).and_then(|t| t.closest("[data-action]").ok().flatten())
            else {
                return;
            };
            let formula = button.get_attribute("data-formula").unwrap_or_default();
            match button.get_attribute("data-action").as_deref() {
                Some("locate") => d.input(Input::LocateOnMap(formula)),
                Some("focus") => d.input(Input::Focus(formula)),
                Some("unplace") => d.input(Input::Unplace(formula)),
                _ => {}
            }
        });
        let d = dispatch.clone();
        dom::on::<web_sys::Event>(
            &by_id::<web_sys::EventTarget>("place-clear"),
            "click",
            move |_| d.input(Input::ClearPlaced),
        );
        let d = dispatch.clone();
        dom::on::<web_sys::Event>(
            &by_id::<web_sys::EventTarget>("density-toggle"),
            "change",
            move |_| {
                let on = by_id::<HtmlInputElement>("density-toggle").checked();
                d.input(Input::Field {
                    key: "dens".into(),
                    value: if on { "1" } else { "0" }.into(),
                });
            },
        );
        for (id, export) in [
            ("export-csv-vectors", Export::CsvWithVectors),
            ("export-summary", Export::SummaryCsv),
        ] {
            let d = dispatch.clone();
            dom::on::<web_sys::Event>(&by_id::<web_sys::EventTarget>(id), "click", move |_| {
                d.send(Msg::Export(export))
            });
        }
        PlacePanel {
            input,
            list,
            applied: None,
        }
    }

    pub fn render(&mut self, session: &Session) {
        let note = session.field_note(Field::Place);
        show_note(&by_id("place-note"), note);
        if let Some(n) = note
            && let Some(typed) = &n.typed
            && self.applied.as_ref() != Some(&n.text)
        {
            self.input.set_value(typed);
            self.applied = Some(n.text.clone());
        }
        let status: HtmlElement = by_id("place-status");
        match session.place_status() {
            Some((tone, text)) => {
                status.set_text_content(Some(&text));
                status.set_class_name(&format!("note place-status {}", tone.name()));
                dom::set_hidden(&status, false);
            }
            None => dom::set_hidden(&status, true),
        }
        self.render_list(session);
        let state = session.state();
        by_id::<HtmlInputElement>("density-toggle").set_checked(state.density);
        let density: HtmlElement = by_id("density-note");
        match session.density_note() {
            Some(text) => {
                density.set_text_content(Some(text));
                dom::set_hidden(&density, false);
            }
            None => dom::set_hidden(&density, true),
        }
        let drawn = session.placed_drawn().len();
        let legend: HtmlElement = by_id("placed-legend");
        dom::set_hidden(&legend, drawn == 0);
        if drawn > 0 {
            dom::clear(&legend);
            append(&legend, make("span", "placed-mark", ""));
            let text = if drawn == 1 {
                "your formula, placed on this map".to_string()
            } else {
                format!("your {drawn} formulas, placed on this map")
            };
            append(&legend, make("span", "", &text));
        }
        by_id::<web_sys::HtmlButtonElement>("export-summary")
            .set_disabled(session.selection_view().is_none());
    }

    fn render_list(&self, session: &Session) {
        let list = &self.list;
        dom::clear(list);
        let items = session.placed_list();
        dom::set_hidden(&by_id::<HtmlElement>("place-clear"), items.len() < 2);
        let palette = session.state().palette;
        for item in items {
            let li = append(list, make("li", "placed-item", ""));
            dom::set_attr(&li, "data-formula", item.formula);
            let on_map = matches!(item.state, PlacedState::Placed | PlacedState::InSample);
            let name = append(&li, make("button", "placed-formula", ""));
            dom::set_attr(&name, "type", "button");
            dom::set_attr(&name, "data-formula", item.formula);
            dom::set_attr(
                &name,
                "data-action",
                if on_map { "locate" } else { "focus" },
            );
            append(&name, formula_html(item.formula));
            dom::set_attr(
                &name,
                "aria-label",
                &format!(
                    "{}: {}",
                    item.formula,
                    if on_map { "show on the map" } else { "explain" }
                ),
            );
            if let Some((category, _)) = item.label {
                category_chip(&li, palette, category);
            }
            let state = match &item.state {
                PlacedState::Placed => "placed".to_string(),
                PlacedState::InSample => "in the sample: marked at its own point".to_string(),
                PlacedState::NotPlaced(why) => why.clone(),
                PlacedState::Waiting => "waiting".to_string(),
            };
            append(&li, make("span", "placed-state", &state));
            let remove = append(&li, make("button", "placed-remove", "✕"));
            dom::set_attr(&remove, "type", "button");
            dom::set_attr(&remove, "data-action", "unplace");
            dom::set_attr(&remove, "data-formula", item.formula);
            dom::set_attr(
                &remove,
                "aria-label",
                &format!("Take {} off the map", item.formula),
            );
            if let Some((_, reason)) = item.label {
                append(&li, make("p", "placed-reason", reason));
            }
        }
    }
}
