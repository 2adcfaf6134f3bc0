//! What a box or lasso selection holds, in a few numbers under the map:
//! points per category, the most frequent elements and chemical systems,
//! the shares known and allowed, and the placed formulas inside it.

use web_sys::HtmlElement;

use super::super::dispatch::{Dispatch, Export, Msg};
use super::super::dom::{self, append, by_id, make};
use crate::plot::colour::hex;
use crate::plot::grouped;
use crate::session::Session;

pub struct SelectionPanel {
    card: HtmlElement,
    body: HtmlElement,
}

fn percent(share: Option<f64>) -> String {
    share.map_or("–".into(), |s| format!("{:.0}%", 100.0 * s))
}

impl SelectionPanel {
    pub fn mount(dispatch: &Dispatch) -> SelectionPanel {
        let d = dispatch.clone();
        dom::on::<web_sys::Event>(
            &by_id::<web_sys::EventTarget>("selection-export"),
            "click",
            move |_| d.send(Msg::Export(Export::SummaryCsv)),
        );
        SelectionPanel {
            card: by_id("selection-card"),
            body: by_id("selection-body"),
        }
    }

    pub fn render(&self, session: &Session) {
        let body = &self.body;
        dom::clear(body);
        let Some(view) = session.selection_view() else {
            dom::set_hidden(&self.card, true);
            return;
        };
        dom::set_hidden(&self.card, false);
        let s = &view.summary;
        let placed = match view.placed {
            0 => String::new(),
            1 => ", and 1 of your placed formulas".into(),
            n => format!(", and {n} of your placed formulas"),
        };
        append(
            body,
            make(
                "p",
                "",
                &format!(
                    "{} points selected{placed}: {} known to the database, {} allowed by SMACT's rules.",
                    grouped(s.points as u64),
                    percent(s.known_share),
                    percent(s.allowed_share)
                ),
            ),
        );
        let palette = session.state().palette;
        let cats = append(body, make("ul", "selection-cats", ""));
        for (category, n) in s.per_category {
            let li = append(&cats, make("li", "", ""));
            let swatch = append(&li, make("span", "swatch", ""));
            let _ = swatch
                .style()
                .set_property("background", &hex(palette.category(category)));
            append(
                &li,
                make("span", "", &format!("{category} {}", grouped(n as u64))),
            );
        }
        let elements: Vec<String> = s
            .top_elements
            .iter()
            .map(|(e, n)| format!("{} ({})", e.symbol(), grouped(*n as u64)))
            .collect();
        let systems: Vec<String> = s
            .top_systems
            .iter()
            .map(|(name, n)| format!("{name} ({})", grouped(*n as u64)))
            .collect();
        if !elements.is_empty() {
            let p = append(body, make("p", "", ""));
            append(&p, make("strong", "", "Most frequent elements: "));
            append(&p, make("span", "", &elements.join(", ")));
            let p = append(body, make("p", "", ""));
            append(&p, make("strong", "", "Most frequent systems: "));
            append(&p, make("span", "", &systems.join(", ")));
        }
    }
}
