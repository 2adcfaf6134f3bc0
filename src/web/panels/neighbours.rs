//! The neighbours of the composition in focus, under its explanation in the
//! details card: the nearest compositions of the map's sample and the
//! nearest known materials, in the original embedding space, with distances
//! and categories. Choosing one focuses it (and shows it on the map when it
//! is there).

use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use super::super::dispatch::Dispatch;
use super::super::dom::{self, append, by_id, make};
use super::{category_chip, formula_html};
use crate::chem::Composition;
use crate::session::{Input, NearbyList, NearbyRow, Session};

pub struct NeighboursPanel {
    host: HtmlElement,
}

impl NeighboursPanel {
    pub fn mount(dispatch: &Dispatch) -> NeighboursPanel {
        let host: HtmlElement = by_id("neighbours");
        let d = dispatch.clone();
        dom::on::<web_sys::MouseEvent>(&host, "click", move |e| {
            let Some(button) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|t| t.closest("[data-formula]").ok().flatten())
            else {
                return;
            };
            let formula = button.get_attribute("data-formula").unwrap_or_default();
            d.input(if button.has_attribute("data-on-map") {
                Input::LocateOnMap(formula)
            } else {
                Input::Focus(formula)
            });
        });
        NeighboursPanel { host }
    }

    pub fn render(&self, session: &Session) {
        let host = &self.host;
        dom::clear(host);
        let Some(view) = session.nearby() else {
            dom::set_hidden(host, true);
            return;
        };
        dom::set_hidden(host, false);
        append(
            host,
            make("h3", "", &format!("What {} resembles", view.formula)),
        );
        append(
            host,
            make(
                "p",
                "note",
                &format!(
                    "Nearest by Euclidean distance between {}, in the embedding's own space (not on the flat map).",
                    view.space
                ),
            ),
        );
        list(host, session, "In this map's sample", &view.sample);
        list(
            host,
            session,
            &format!("Known materials in {}", view.known_title),
            &view.known,
        );
    }
}

fn list(host: &HtmlElement, session: &Session, title: &str, items: &NearbyList) {
    let block = append(host, make("div", "nearby", ""));
    append(&block, make("h4", "", title));
    let rows: &[NearbyRow] = match items {
        NearbyList::Ready(rows) => rows,
        NearbyList::Searching => {
            append(&block, make("p", "hint", "Searching…"));
            return;
        }
        NearbyList::Unavailable(why) => {
            append(&block, make("p", "hint", why));
            return;
        }
    };
    if rows.is_empty() {
        append(&block, make("p", "hint", "None found."));
        return;
    }
    let palette = session.state().palette;
    let ol = append(&block, make("ol", "nearby-list", ""));
    for row in rows {
        let li = append(&ol, make("li", "", ""));
        let b = append(&li, make("button", "", ""));
        dom::set_attr(&b, "type", "button");
        dom::set_attr(&b, "data-formula", &row.formula);
        let on_map = Composition::parse(&row.formula).is_ok_and(|c| session.on_map(&c));
        if on_map {
            dom::set_attr(&b, "data-on-map", "");
        }
        append(&b, formula_html(&row.formula));
        category_chip(&li, palette, row.category);
        append(
            &li,
            make("span", "distance", &format!("{:.3}", row.distance)),
        );
        dom::set_attr(
            &li,
            "title",
            &format!(
                "distance {:.4}{}",
                row.distance,
                if on_map { ", on the map" } else { "" }
            ),
        );
    }
}
