//! The page's panels. Each is mounted once (building its fixed elements and
//! attaching its listeners, which only send messages to the queue) and then
//! rendered from the session's accessors whenever the session says so. A
//! panel decides nothing: what it shows is the session's.

pub mod controls;
pub mod counts;
pub mod details;
pub mod elements;
pub mod glossary;
pub mod grid;
pub mod map_panel;
pub mod messages;
pub mod quiz;
pub mod system;
pub mod tour;

use web_sys::HtmlElement;

pub use super::dom::formula_html;
use crate::session::FieldNote;

/// A charge as a chemist writes it: +2, −2 (a true minus sign), 0.
pub fn signed(q: i64) -> String {
    match q {
        0 => "0".into(),
        q if q > 0 => format!("+{q}"),
        q => format!("−{}", -q),
    }
}

/// Shows `note` in the element `e` (a `.field-note`), or hides it.
pub fn show_note(e: &HtmlElement, note: Option<&FieldNote>) {
    match note {
        Some(n) => {
            e.set_text_content(Some(&n.text));
            e.set_class_name(&format!("field-note {}", n.tone.name()));
            super::dom::set_hidden(e, false);
        }
        None => super::dom::set_hidden(e, true),
    }
}
