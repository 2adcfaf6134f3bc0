//! The periodic table (Fig. 1): how many allowed compositions of the chosen
//! order contain each element, as a heat map. Clicking an element filters the
//! map to compositions containing it.

use web_sys::HtmlElement;

use super::app::{App, with_app};
use super::dom::{self, append, by_id, make};
use crate::chem::Element;
use crate::plot::colour::{hex, sequential, sequential_css_gradient};
use crate::plot::grouped;
use crate::plot::periodic::position;
use crate::view_state::Tab;

pub fn install() {
    let host: HtmlElement = by_id("ptable");
    for e in Element::all() {
        let (row, col) = position(e);
        let b = append(&host, make("button", "", ""));
        dom::set_attr(&b, "type", "button");
        dom::set_attr(&b, "data-symbol", e.symbol());
        let _ = b.style().set_property("grid-row", &row.to_string());
        let _ = b.style().set_property("grid-column", &col.to_string());
        append(&b, make("span", "sym", e.symbol()));
        append(&b, make("span", "n", ""));
        dom::on::<web_sys::Event>(&b, "click", move |_| {
            with_app(|app| {
                app.set_state(|s| {
                    s.element = if s.element == Some(e) { None } else { Some(e) };
                    s.tab = Tab::Map;
                })
            });
        });
    }
    let spacer = append(&host, make("div", "gap", ""));
    let _ = spacer.style().set_property("grid-row", "8");
    let _ = spacer.style().set_property("height", "0.6em");
}

pub fn render(app: &App) {
    let order_name = ["binary", "ternary", "quaternary"][app.state.order - 2];
    let intro: HtmlElement = by_id("elements-intro");
    let counts = app
        .frequencies
        .as_ref()
        .filter(|(order, _)| *order == app.state.order)
        .map(|(_, c)| c);
    intro.set_text_content(Some(&match counts {
        Some(_) => format!(
            "How many allowed {order_name} compositions contain each element (the paper's Fig. 1). Click an element to show only compositions containing it on the map."
        ),
        None if app.freq_req.id.is_some() => format!("Counting allowed {order_name} compositions per element…"),
        None => format!("Allowed {order_name} compositions per element appear here."),
    }));
    let max = counts.map_or(0, |c| c.iter().copied().max().unwrap_or(0));
    for b in super::controls::query_all("#ptable button[data-symbol]") {
        let Some(e) = b
            .get_attribute("data-symbol")
            .and_then(|s| Element::from_symbol(&s).ok())
        else {
            continue;
        };
        let b: HtmlElement = wasm_bindgen::JsCast::unchecked_into(b);
        let n = counts.map(|c| c[e.index()]);
        let t = match n {
            Some(n) if max > 0 => n as f64 / max as f64,
            _ => f64::NAN,
        };
        let colour = sequential(t);
        let _ = b.style().set_property("background", &hex(colour));
        // Light text on the dark end of the scale.
        let dark = t.is_finite() && t < 0.55;
        let _ = b
            .style()
            .set_property("color", if dark { "#ffffff" } else { "#1b1f24" });
        if let Some(label) = b.query_selector(".n").ok().flatten() {
            label.set_text_content(Some(&n.map_or(String::new(), grouped)));
        }
        let title = match n {
            Some(n) => format!(
                "{}: {} allowed {order_name} compositions contain {}",
                e.symbol(),
                grouped(n),
                e.symbol()
            ),
            None => e.symbol().to_string(),
        };
        dom::set_attr(&b, "title", &title);
        dom::toggle_class(&b, "selected", app.state.element == Some(e));
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
