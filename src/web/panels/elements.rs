//! The periodic table (Fig. 1): how many allowed compositions of the chosen
//! order contain each element, as a heat map. Choosing an element filters the
//! map to compositions containing it; choosing it again, or "Clear", ends
//! the filter.

use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use super::super::dispatch::Dispatch;
use super::super::dom::{self, append, by_id, make};
use crate::chem::Element;
use crate::plot::colour::{hex, sequential, sequential_css_gradient};
use crate::plot::grouped;
use crate::plot::periodic::position;
use crate::session::{Frequencies, Input, Session};
use crate::view_state::Tab;

pub struct ElementsPanel {
    table: HtmlElement,
}

/// A count short enough for a cell on a phone: 812, 1.2k, 12k.
fn short(n: u64) -> String {
    match n {
        0..1_000 => n.to_string(),
        1_000..10_000 => format!("{:.1}k", n as f64 / 1000.0),
        _ => format!("{}k", (n as f64 / 1000.0).round()),
    }
}

/// Black or white, whichever reads better on `bg` (WCAG contrast).
fn text_on(bg: [u8; 3]) -> &'static str {
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * lin(bg[0]) + 0.7152 * lin(bg[1]) + 0.0722 * lin(bg[2]);
    let on_white = 1.05 / (l + 0.05);
    let on_black = (l + 0.05) / 0.05;
    if on_white >= on_black {
        "#ffffff"
    } else {
        "#000000"
    }
}

impl ElementsPanel {
    pub fn mount(dispatch: &Dispatch) -> ElementsPanel {
        let table: HtmlElement = by_id("ptable");
        for e in Element::all() {
            let (row, col) = position(e);
            let b = append(&table, make("button", "", ""));
            dom::set_attr(&b, "type", "button");
            dom::set_attr(&b, "data-symbol", e.symbol());
            let _ = b.style().set_property("grid-row", &row.to_string());
            let _ = b.style().set_property("grid-column", &col.to_string());
            append(&b, make("span", "sym", e.symbol()));
            // A space, so the visible text reads "Zn 812", as the label does.
            let _ = b.insert_adjacent_text("beforeend", " ");
            append(&b, make("span", "n", ""));
        }
        let spacer = append(&table, make("div", "gap", ""));
        let _ = spacer.style().set_property("grid-row", "8");
        let _ = spacer.style().set_property("height", "0.6em");
        let d = dispatch.clone();
        dom::on::<web_sys::MouseEvent>(&table, "click", move |e| {
            let symbol = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|t| t.closest("[data-symbol]").ok().flatten())
                .and_then(|b| b.get_attribute("data-symbol"));
            if let Some(e) = symbol.and_then(|s| Element::from_symbol(&s).ok()) {
                d.input(Input::FilterElement(Some(e)));
                d.input(Input::ShowTab(Tab::Map));
            }
        });
        let d = dispatch.clone();
        dom::on::<web_sys::Event>(
            &by_id::<web_sys::EventTarget>("ptable-clear"),
            "click",
            move |_| d.input(Input::FilterElement(None)),
        );
        ElementsPanel { table }
    }

    pub fn render(&self, session: &Session) {
        let state = session.state();
        let order_name = ["binary", "ternary", "quaternary"][state.order - 2];
        let frequencies = session.frequencies();
        let counts = match frequencies {
            Frequencies::Ready(c) => Some(c),
            _ => None,
        };
        let intro = match frequencies {
            Frequencies::Ready(_) => format!(
                "How many allowed {order_name} compositions contain each element (the paper's Fig. 1). \
                 Choose an element to show only compositions containing it on the map."
            ),
            Frequencies::Counting => {
                format!("Counting allowed {order_name} compositions per element…")
            }
            Frequencies::Failed(e) => format!("The counts could not be made: {e}"),
            Frequencies::NotAsked => {
                format!("Allowed {order_name} compositions per element appear here.")
            }
        };
        dom::set_text("elements-intro", &intro);
        let max = counts.map_or(0, |c| c.iter().copied().max().unwrap_or(0));
        for b in dom::query_all(&self.table, "button[data-symbol]") {
            let Some(e) = b
                .get_attribute("data-symbol")
                .and_then(|s| Element::from_symbol(&s).ok())
            else {
                continue;
            };
            let b: HtmlElement = b.unchecked_into();
            let n = counts.map(|c| c[e.index()]);
            let t = match n {
                Some(n) if max > 0 => n as f64 / max as f64,
                _ => f64::NAN,
            };
            let colour = sequential(t);
            let _ = b.style().set_property("background", &hex(colour));
            let _ = b.style().set_property("color", text_on(colour));
            if let Some(label) = b.query_selector(".n").ok().flatten() {
                label.set_text_content(Some(&n.map_or(String::new(), short)));
            }
            let title = match n {
                Some(n) => format!(
                    "{} {}: {} allowed {order_name} compositions contain {}",
                    e.symbol(),
                    short(n),
                    grouped(n),
                    e.symbol()
                ),
                None => e.symbol().to_string(),
            };
            dom::set_attr(&b, "aria-label", &title);
            dom::set_attr(
                &b,
                "data-count",
                &n.map_or(String::new(), |n| n.to_string()),
            );
            dom::set_attr(&b, "title", &title);
            let selected = state.element == Some(e);
            dom::toggle_class(&b, "selected", selected);
            dom::set_attr(&b, "aria-pressed", if selected { "true" } else { "false" });
        }
        let clear: HtmlElement = by_id("ptable-clear");
        dom::set_hidden(&clear, state.element.is_none());
        if let Some(e) = state.element {
            clear.set_text_content(Some(&format!("Clear the filter ({e})")));
        }
        let scale: HtmlElement = by_id("ptable-scale");
        dom::clear(&scale);
        if counts.is_some() {
            append(&scale, make("span", "", "0"));
            let bar = append(&scale, make("span", "gradient", ""));
            let _ = bar
                .style()
                .set_property("background", &sequential_css_gradient());
            append(&scale, make("span", "", &grouped(max)));
        }
    }
}
