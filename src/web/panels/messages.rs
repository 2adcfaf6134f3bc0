//! Banners at the top of the page for what belongs to no field (a link's
//! bad parameters, listed together; a worker that stopped), and the note
//! under the share button.

use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use super::super::dispatch::Dispatch;
use super::super::dom::{self, append, by_id, make};
use super::show_note;
use crate::session::{Field, Input, Session, Tone};

pub struct Messages {
    host: HtmlElement,
}

impl Messages {
    pub fn mount(dispatch: &Dispatch) -> Messages {
        let host: HtmlElement = by_id("messages");
        let d = dispatch.clone();
        dom::on::<web_sys::MouseEvent>(&host, "click", move |e| {
            let id = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|t| t.get_attribute("data-dismiss"))
                .and_then(|id| id.parse().ok());
            if let Some(id) = id {
                d.input(Input::DismissBanner(id));
            }
        });
        Messages { host }
    }

    pub fn render(&self, session: &Session) {
        show_note(&by_id("share-note"), session.field_note(Field::Share));
        dom::clear(&self.host);
        for banner in session.banners() {
            let message = append(
                &self.host,
                make("div", &format!("message {}", banner.tone.name()), ""),
            );
            if banner.tone == Tone::Error {
                dom::set_attr(&message, "role", "alert");
            }
            let text = append(&message, make("div", "", ""));
            append(&text, make("span", "", &banner.text));
            if !banner.items.is_empty() {
                let list = append(&text, make("ul", "", ""));
                for item in &banner.items {
                    append(&list, make("li", "", item));
                }
            }
            let close = append(&message, make("button", "", "Dismiss"));
            dom::set_attr(&close, "type", "button");
            dom::set_attr(&close, "data-dismiss", &banner.id.to_string());
        }
    }
}
