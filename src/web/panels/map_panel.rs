//! Around the map: the toolbar (search, pointer mode, reset, export), the
//! chips of active filters, the status line with its Cancel or Run again,
//! and the legend (category toggles with counts, the colour key, and notes
//! on what the map leaves out).

use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement};

use super::super::dispatch::{Dispatch, Export, Msg};
use super::super::dom::{self, append, by_id, make};
use super::show_note;
use crate::label::Category;
use crate::plot::colour::{ColourBy, NO_DATA, anion_colour, hex, sequential_css_gradient};
use crate::plot::grouped;
use crate::session::{Field, Input, MapAction, Progress, Session};

pub struct MapPanel {
    legend: HtmlElement,
    chips: HtmlElement,
    status: HtmlElement,
}

fn clicked(e: &web_sys::MouseEvent, selector: &str) -> Option<web_sys::Element> {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|t| t.closest(selector).ok().flatten())
}

impl MapPanel {
    pub fn mount(dispatch: &Dispatch) -> MapPanel {
        let d = dispatch.clone();
        dom::on::<web_sys::Event>(
            &by_id::<web_sys::EventTarget>("search-form"),
            "submit",
            move |e| {
                e.prevent_default();
                d.input(Input::Search(by_id::<HtmlInputElement>("search").value()));
            },
        );
        let d = dispatch.clone();
        dom::on::<web_sys::Event>(
            &by_id::<web_sys::EventTarget>("search"),
            "search",
            move |_| {
                if by_id::<HtmlInputElement>("search").value().is_empty() {
                    d.input(Input::Search(String::new()));
                }
            },
        );
        for radio in dom::query_all(&by_id::<HtmlElement>("panel-map"), "input[name=mode]") {
            let input: HtmlInputElement = radio.unchecked_into();
            let d = dispatch.clone();
            let value = input.value();
            dom::on::<web_sys::Event>(&input, "change", move |_| {
                d.send(Msg::MapMode(value.clone()))
            });
        }
        // On a touch screen one finger scrolls the page unless asked to move the map.
        dom::on::<web_sys::Event>(
            &by_id::<web_sys::EventTarget>("touch-pan"),
            "change",
            |_| {
                let on = by_id::<HtmlInputElement>("touch-pan").checked();
                dom::toggle_class(&by_id::<web_sys::Element>("map"), "touch-pan", on);
            },
        );
        let d = dispatch.clone();
        dom::on::<web_sys::Event>(
            &by_id::<web_sys::EventTarget>("reset-view"),
            "click",
            move |_| d.input(Input::ViewMoved(None)),
        );
        for (id, export) in [
            ("export-png", Export::Png { scale: 1 }),
            ("export-png-2", Export::Png { scale: 2 }),
            ("export-png-4", Export::Png { scale: 4 }),
            ("export-svg", Export::Svg),
            ("export-csv", Export::Csv),
            ("export-selection", Export::SelectionCsv),
        ] {
            let d = dispatch.clone();
            dom::on::<web_sys::Event>(&by_id::<web_sys::EventTarget>(id), "click", move |_| {
                d.send(Msg::Export(export))
            });
        }
        let d = dispatch.clone();
        dom::on::<web_sys::Event>(
            &by_id::<web_sys::EventTarget>("map-action"),
            "click",
            move |_| {
                let action = by_id::<web_sys::Element>("map-action").get_attribute("data-action");
                d.input(match action.as_deref() {
                    Some("run") => Input::RunAgain,
                    _ => Input::Cancel,
                });
            },
        );
        let legend: HtmlElement = by_id("legend");
        let d = dispatch.clone();
        dom::on::<web_sys::Event>(&legend, "change", move |e| {
            let category = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|t| t.get_attribute("data-category"))
                .and_then(|c| Category::from_name(&c));
            if let Some(c) = category {
                d.input(Input::ToggleCategory(c));
            }
        });
        let chips: HtmlElement = by_id("chips");
        let d = dispatch.clone();
        dom::on::<web_sys::MouseEvent>(&chips, "click", move |e| {
            let Some(button) = clicked(&e, "[data-clear]") else {
                return;
            };
            match button.get_attribute("data-clear").as_deref() {
                Some("element") => d.input(Input::FilterElement(None)),
                Some("search") => d.input(Input::Search(String::new())),
                Some("selection") => d.input(Input::ClearSelection),
                _ => {}
            }
        });
        MapPanel {
            legend,
            chips,
            status: by_id("map-status"),
        }
    }

    pub fn render(&self, session: &Session) {
        show_note(&by_id("search-note"), session.field_note(Field::Search));
        let search: HtmlInputElement = by_id("search");
        if session
            .field_note(Field::Search)
            .and_then(|n| n.typed.as_ref())
            .is_none()
            && dom::document().active_element().as_ref() != Some(search.as_ref())
        {
            search.set_value(&session.state().search);
        }
        self.render_status(session);
        self.render_chips(session);
        self.render_legend(session);
        by_id::<web_sys::HtmlButtonElement>("export-selection")
            .set_disabled(session.map_model().selected.is_empty());
    }

    /// The status line alone (progress of a computation).
    pub fn render_status(&self, session: &Session) {
        let Some(status) = session.map_status() else {
            dom::set_hidden(&self.status, true);
            return;
        };
        dom::set_hidden(&self.status, false);
        self.status
            .set_class_name(&format!("map-status {}", status.tone.name()));
        dom::set_text("map-status-text", &status.text);
        let progress: HtmlElement = by_id("map-progress");
        match status.progress {
            Progress::Fraction(f) => {
                let _ = progress.set_attribute("value", &f.clamp(0.0, 1.0).to_string());
                dom::set_hidden(&progress, false);
            }
            Progress::Busy => {
                let _ = progress.remove_attribute("value");
                dom::set_hidden(&progress, false);
            }
            Progress::None => dom::set_hidden(&progress, true),
        }
        let button: HtmlElement = by_id("map-action");
        match status.action {
            Some(MapAction::Cancel) => {
                button.set_text_content(Some("Cancel"));
                dom::set_attr(&button, "data-action", "cancel");
                dom::set_hidden(&button, false);
            }
            Some(MapAction::RunAgain) => {
                button.set_text_content(Some("Run again"));
                dom::set_attr(&button, "data-action", "run");
                dom::set_hidden(&button, false);
            }
            None => dom::set_hidden(&button, true),
        }
    }

    fn chip(&self, text: &str, clear: &str) {
        let chip = append(&self.chips, make("span", "chip", text));
        let button = append(&chip, make("button", "", "✕"));
        dom::set_attr(&button, "type", "button");
        dom::set_attr(&button, "data-clear", clear);
        dom::set_attr(&button, "aria-label", &format!("Clear: {text}"));
    }

    fn render_chips(&self, session: &Session) {
        dom::clear(&self.chips);
        let state = session.state();
        let model = session.map_model();
        if let Some(e) = state.element {
            self.chip(
                &format!(
                    "Only compositions containing {e} ({} on the map)",
                    grouped(model.shown_total() as u64)
                ),
                "element",
            );
        }
        if !state.search.is_empty() {
            self.chip(
                &format!(
                    "Ringed: {} ({} on the map)",
                    state.search,
                    grouped(model.highlighted.len() as u64)
                ),
                "search",
            );
        }
        if !state.selection.is_empty() {
            self.chip(
                &format!("{} selected", grouped(model.selected.len() as u64)),
                "selection",
            );
        }
    }

    fn render_legend(&self, session: &Session) {
        let host = &self.legend;
        dom::clear(host);
        let state = session.state();
        if session.shown_layout().is_none() {
            append(
                host,
                make("span", "legend-note", "The legend appears with the map."),
            );
            return;
        }
        for (category, shown, sampled) in session.legend_counts() {
            let label = append(host, make("label", "", ""));
            dom::set_attr(&label, "title", category.meaning());
            let input: HtmlInputElement = append(&label, make("input", "", "")).unchecked_into();
            input.set_type("checkbox");
            input.set_checked(!state.hidden.contains(&category));
            dom::set_attr(&input, "data-category", category.name());
            if state.colour == ColourBy::Category {
                swatch(&label, state.palette.category(category));
            }
            append(&label, make("span", "", category.name()));
            let count = if state.hidden.contains(&category) {
                format!("(hidden, {})", grouped(sampled as u64))
            } else {
                format!("({})", grouped(shown as u64))
            };
            append(&label, make("span", "count", &count));
        }
        let explain = append(host, make("details", "legend-help", ""));
        append(
            &explain,
            make("summary", "", "What do the categories mean?"),
        );
        for c in Category::ALL {
            let p = append(&explain, make("p", "", ""));
            append(&p, make("strong", "", c.name()));
            append(&p, make("span", "", &format!(": {}.", c.meaning())));
        }
        match state.colour {
            ColourBy::Category => {}
            ColourBy::Anion => {
                append(host, make("span", "legend-title", "Anion class:"));
                for (class, n) in session.anion_counts() {
                    let item = append(host, make("span", "", ""));
                    swatch(&item, anion_colour(class));
                    append(&item, make("span", "", &format!(" {} ", class.name())));
                    append(
                        &item,
                        make("span", "count", &format!("({})", grouped(n as u64))),
                    );
                }
                append(
                    host,
                    make(
                        "span",
                        "legend-note",
                        "The anion is the most electronegative element: oxide (O), halide (F, Cl, Br, I, At), \
                         chalcogenide (S, Se, Te, Po), pnictide (N, P, As, Sb, Bi). Everything else (hydrides, \
                         carbides, borides, compositions of metals only) is 'other'.",
                    ),
                );
            }
            ColourBy::Property(p) => {
                append(
                    host,
                    make("span", "legend-title", &format!("{}:", p.title())),
                );
                let model = session.map_model();
                if let Some(r) = model.range {
                    append(host, make("span", "count", &format!("{:.2}", r.min)));
                    let bar = append(host, make("span", "gradient", ""));
                    let _ = bar
                        .style()
                        .set_property("background", &sequential_css_gradient());
                    append(host, make("span", "count", &format!("{:.2}", r.max)));
                }
                let missing = model.values.iter().filter(|v| v.is_none()).count();
                if missing > 0 {
                    swatch(host, NO_DATA);
                    append(
                        host,
                        make(
                            "span",
                            "count",
                            &format!("no data ({})", grouped(missing as u64)),
                        ),
                    );
                }
            }
        }
        for note in session.legend_notes() {
            append(host, make("span", "legend-note", &note));
        }
    }
}

fn swatch(host: &HtmlElement, colour: [u8; 3]) {
    let s = append(host, make("span", "swatch", ""));
    let _ = s.style().set_property("background", &hex(colour));
}
