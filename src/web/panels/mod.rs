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
pub mod selection;
pub mod system;
pub mod tour;

use web_sys::HtmlElement;

use super::dom::{append, make};
use crate::anion::AnionClass;
use crate::chem::Composition;
use crate::label::Category;
use crate::plot::colour::ColourBy;
use crate::session::{FieldNote, Session};

/// A formula with its numbers as subscripts.
pub fn formula_html(formula: &str) -> HtmlElement {
    let span = make("span", "formula", "");
    let mut run = String::new();
    let mut digits = false;
    let flush = |run: &mut String, digits: bool, span: &HtmlElement| {
        if !run.is_empty() {
            let e = if digits {
                make("sub", "", run)
            } else {
                make("span", "", run)
            };
            append(span, e);
            run.clear();
        }
    };
    for c in formula.chars() {
        if c.is_ascii_digit() != digits {
            flush(&mut run, digits, &span);
            digits = c.is_ascii_digit();
        }
        run.push(c);
    }
    flush(&mut run, digits, &span);
    span
}

/// What a point's colour means beyond its category: its anion class or the
/// property value the map is coloured by.
pub fn colour_note(session: &Session, c: &Composition) -> String {
    match session.state().colour {
        ColourBy::Category => String::new(),
        ColourBy::Anion => format!(" · {}", AnionClass::of(c).name()),
        ColourBy::Property(p) => match p.of_composition(c) {
            Some(v) => format!(" · {} {v:.2}", p.title().trim_start_matches("mean ")),
            None => " · no data".into(),
        },
    }
}

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
