//! A guided first visit: a few steps, each pointing at part of the page, that
//! a first-year student can follow without help. Shown once (remembered in
//! localStorage), dismissible at any step, and available again from the header.

use std::cell::Cell;

use web_sys::HtmlElement;

use super::dom::{self, by_id, on};

/// (element to point at, title, text).
const STEPS: [(&str, &str, &str); 6] = [
    (
        "map-wrap",
        "A map of possible compounds",
        "Each dot is a composition, such as ZnO or Li2O. Similar compositions sit close together. The map is \
         computed in your browser from the elements' properties.",
    ),
    (
        "legend",
        "Four kinds of composition",
        "Blue: passes the chemical rules and is known. Red: passes but is unknown, a candidate for a new material. \
         Green: known although it breaks the rules. Grey: breaks the rules and is unknown. Untick one to hide it.",
    ),
    (
        "details",
        "Why is it allowed?",
        "Click any dot (or type a formula here) to see the charges that make it neutral and how the elements' \
         electronegativities compare. Try ZnO3 to see a forbidden one.",
    ),
    (
        "counts-card",
        "The whole space, counted",
        "How many compositions exist with 2, 3 or 4 elements, and how many pass the rules. These are counted \
         exactly, live, for the settings you choose.",
    ),
    (
        "controls",
        "Change the question",
        "Pick ternaries or quaternaries, another element embedding or reducer, or other oxidation states. Only \
         what depends on your change is recomputed.",
    ),
    (
        "tab-system",
        "Explore a chemical system",
        "Type a system such as Li-Zn-Sn-O to list all its compositions in the four categories. The link in your \
         address bar always restores what you see: share it.",
    ),
];

const STORAGE_KEY: &str = "crystal-atlas-tour";

thread_local! {
    static STEP: Cell<usize> = const { Cell::new(0) };
}

fn show(step: usize) {
    STEP.with(|s| s.set(step));
    for e in super::controls::query_all(".tour-target") {
        dom::toggle_class(&e, "tour-target", false);
    }
    let (target, title, text) = STEPS[step];
    dom::set_text("tour-title", title);
    dom::set_text("tour-text", text);
    dom::set_text(
        "tour-step",
        &format!("Step {} of {}", step + 1, STEPS.len()),
    );
    let back: web_sys::HtmlButtonElement = by_id("tour-back");
    back.set_disabled(step == 0);
    let next: HtmlElement = by_id("tour-next");
    next.set_text_content(Some(if step + 1 == STEPS.len() {
        "Done"
    } else {
        "Next"
    }));
    let tour: HtmlElement = by_id("tour");
    dom::set_hidden(&tour, false);
    let target: HtmlElement = by_id(target);
    dom::toggle_class(&target, "tour-target", true);
    target.scroll_into_view_with_bool(false);
    let rect = target.get_bounding_client_rect();
    let window = dom::window();
    let vw = window
        .inner_width()
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(1024.0);
    let vh = window
        .inner_height()
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(768.0);
    let (tw, th) = (
        f64::from(tour.offset_width()),
        f64::from(tour.offset_height()),
    );
    // Beside the target when there is room, else below it, else above it,
    // else (a large target such as the map) inside its top-right corner.
    let (mut x, mut y) = if rect.right() + tw + 16.0 < vw {
        (rect.right() + 12.0, rect.top())
    } else if rect.bottom() + th + 16.0 < vh {
        (rect.left(), rect.bottom() + 12.0)
    } else if rect.top() - th - 16.0 > 0.0 {
        (rect.left(), rect.top() - th - 12.0)
    } else {
        (rect.right() - tw - 16.0, rect.top() + 16.0)
    };
    x = x.clamp(8.0, (vw - tw - 8.0).max(8.0));
    y = y.clamp(8.0, (vh - th - 8.0).max(8.0));
    let style = tour.style();
    let _ = style.set_property("left", &format!("{x}px"));
    let _ = style.set_property("top", &format!("{y}px"));
    let _ = by_id::<HtmlElement>("tour-next").focus();
}

fn close() {
    dom::set_hidden(&by_id::<HtmlElement>("tour"), true);
    for e in super::controls::query_all(".tour-target") {
        dom::toggle_class(&e, "tour-target", false);
    }
    dom::store(STORAGE_KEY, "done");
}

pub fn install() {
    on::<web_sys::Event>(
        &by_id::<web_sys::EventTarget>("tour-start"),
        "click",
        |_| show(0),
    );
    on::<web_sys::Event>(
        &by_id::<web_sys::EventTarget>("tour-close"),
        "click",
        |_| close(),
    );
    on::<web_sys::Event>(&by_id::<web_sys::EventTarget>("tour-back"), "click", |_| {
        show(STEP.with(Cell::get).saturating_sub(1));
    });
    on::<web_sys::Event>(&by_id::<web_sys::EventTarget>("tour-next"), "click", |_| {
        let next = STEP.with(Cell::get) + 1;
        if next < STEPS.len() {
            show(next)
        } else {
            close()
        }
    });
    on::<web_sys::KeyboardEvent>(&dom::document(), "keydown", |e| {
        if e.key() == "Escape" && !by_id::<HtmlElement>("tour").hidden() {
            close();
        }
    });
}

/// Starts the tour on a first visit, once the page has settled.
pub fn maybe_start() {
    if dom::stored(STORAGE_KEY).is_none() {
        dom::after(1200, || show(0));
    }
}
