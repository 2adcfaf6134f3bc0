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
pub mod neighbours;
pub mod place;
pub mod quiz;
pub mod selection;
pub mod system;
pub mod tour;

use web_sys::HtmlElement;

pub use super::dom::formula_html;
use super::dom::{append, make};
use crate::label::Category;
use crate::session::FieldNote;

/// A category as a coloured dot and its name (text in the page's ink, so
/// it reads on any palette).
pub fn category_chip(host: &HtmlElement, palette: crate::plot::Palette, category: Category) {
    let chip = append(host, make("span", "cat", ""));
    let dot = append(&chip, make("span", "cat-dot", ""));
    let _ = dot.style().set_property(
        "background",
        &crate::plot::colour::hex(palette.category(category)),
    );
    append(&chip, make("span", "", category.name()));
}

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
