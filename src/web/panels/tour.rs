//! A guided first visit: a step for each part of the page and each tab, that
//! a first-year student can follow without help. Shown once on a first visit
//! to the plain map (remembered in localStorage; never over a shared link
//! that opens another tab or a composition), dismissible at any step, and
//! available again from the header.

use web_sys::HtmlElement;

use super::super::dispatch::{Dispatch, Msg, TourStep};
use super::super::dom::{self, by_id};
use crate::session::Input;
use crate::view_state::Tab;

/// (element to point at, the tab it is on, title, text).
const STEPS: [(&str, Tab, &str, &str); 12] = [
    (
        "map-wrap",
        Tab::Map,
        "A map of possible compounds",
        "Each dot is a composition, such as ZnO or Li2O. Compositions made of similar elements sit close \
         together. The map is computed in your browser from numbers that describe each element.",
    ),
    (
        "legend",
        Tab::Map,
        "Four kinds of composition",
        "Blue (standard): passes the chemical rules and is known. Red (missing): passes but is unknown, a \
         candidate for a new material. Green (interesting): known although it breaks the rules. Grey \
         (unlikely): breaks the rules and is unknown. Untick one to hide it.",
    ),
    (
        "details",
        Tab::Map,
        "Why is it allowed?",
        "Tap or click any dot (or type a formula here) to see the charges that make it neutral and how the \
         elements' electronegativities compare. Try ZnO3 to see a forbidden one.",
    ),
    (
        "counts-card",
        Tab::Map,
        "The whole space, counted",
        "How many compositions exist with 2, 3 or 4 elements, and how many pass the rules: counted exactly, \
         live, for the settings you choose.",
    ),
    (
        "controls",
        Tab::Map,
        "Change the question",
        "Pick ternaries or quaternaries, another element embedding or reducer, or other oxidation states. \
         Every setting has a ? that says what it is. Only what depends on a change is recomputed.",
    ),
    (
        "tab-grid",
        Tab::Grid,
        "The paper's figure",
        "Small multiples: the same sample drawn with six element embeddings and three reducers, as in the \
         paper's Figs 2 to 4. Choose a panel to open it large.",
    ),
    (
        "tab-system",
        Tab::System,
        "Explore a chemical system",
        "Type a system such as Li-Zn-Sn-O to list all its compositions in the four categories, as the \
         paper's Table 1 does.",
    ),
    (
        "tab-elements",
        Tab::Elements,
        "The periodic table",
        "How many allowed compositions contain each element (the paper's Fig. 1). Choose an element to show \
         only its compositions on the map.",
    ),
    (
        "tab-counts",
        Tab::Counts,
        "Table 2",
        "The paper's Table 2, counted in your browser for your settings: all the compositions, those \
         allowed, and the four categories.",
    ),
    (
        "tab-quiz",
        Tab::Quiz,
        "Predict, then check",
        "A quiz for class: say whether a composition is allowed before the page tells you, then see why and \
         where it sits on the map. A shared link gives everyone the same questions.",
    ),
    (
        "tab-glossary",
        Tab::Glossary,
        "Words",
        "Every word the page uses, explained, with links to the paper and to the SMACT and \
         ElementEmbeddings packages.",
    ),
    (
        "share",
        Tab::Map,
        "Share what you see",
        "The address bar always holds what is on screen: settings, zoom, the composition explained. Share \
         link copies it, so a class opens exactly the same map.",
    ),
];

const STORAGE_KEY: &str = "crystal-atlas-tour";

pub struct Tour {
    step: Option<usize>,
}

impl Tour {
    pub fn mount(dispatch: &Dispatch) -> Tour {
        for (id, step) in [
            ("tour-start", TourStep::Start),
            ("tour-close", TourStep::Close),
            ("tour-back", TourStep::Back),
            ("tour-next", TourStep::Next),
        ] {
            let d = dispatch.clone();
            dom::on::<web_sys::Event>(&by_id::<web_sys::EventTarget>(id), "click", move |_| {
                d.send(Msg::Tour(step))
            });
        }
        let d = dispatch.clone();
        dom::on::<web_sys::KeyboardEvent>(&dom::document(), "keydown", move |e| {
            if e.key() == "Escape" && !by_id::<HtmlElement>("tour").hidden() {
                d.send(Msg::Tour(TourStep::Close));
            }
        });
        Tour { step: None }
    }

    /// Starts the tour on a first visit, once the page has settled.
    pub fn offer(dispatch: &Dispatch) {
        if dom::stored(STORAGE_KEY).is_none() {
            let d = dispatch.clone();
            dom::after(1200, move || d.send(Msg::Tour(TourStep::Start)));
        }
    }

    /// Moves the tour; returns the tab its step is on, for the session.
    pub fn go(&mut self, step: TourStep) -> Option<Input> {
        let next = match (step, self.step) {
            (TourStep::Start, _) => Some(0),
            (TourStep::Next, Some(s)) if s + 1 < STEPS.len() => Some(s + 1),
            (TourStep::Back, Some(s)) => Some(s.saturating_sub(1)),
            (TourStep::Close | TourStep::Next, _) | (TourStep::Back, None) => None,
        };
        self.step = next;
        match next {
            Some(s) => Some(Input::ShowTab(STEPS[s].1)),
            None => {
                close();
                Some(Input::ShowTab(Tab::Map))
            }
        }
    }

    /// Draws the step (after its tab is on screen).
    pub fn render(&self) {
        let Some(step) = self.step else {
            return;
        };
        for e in dom::query_all(
            &dom::document().document_element().expect("html"),
            ".tour-target",
        ) {
            dom::toggle_class(&e, "tour-target", false);
        }
        let (target, _, title, text) = STEPS[step];
        dom::set_text("tour-title", title);
        dom::set_text("tour-text", text);
        dom::set_text(
            "tour-step",
            &format!("Step {} of {}", step + 1, STEPS.len()),
        );
        by_id::<web_sys::HtmlButtonElement>("tour-back").set_disabled(step == 0);
        let next: HtmlElement = by_id("tour-next");
        next.set_text_content(Some(if step + 1 == STEPS.len() {
            "Done"
        } else {
            "Next"
        }));
        let tour: HtmlElement = by_id("tour");
        dom::set_hidden(&tour, false);
        let mut target: HtmlElement = by_id(target);
        if target.offset_parent().is_none() {
            // The settings live in a drawer on small screens: point at its button.
            target = by_id("settings-toggle");
        }
        dom::toggle_class(&target, "tour-target", true);
        target.scroll_into_view_with_bool(false);
        place(&tour, &target);
        let _ = next.focus();
    }
}

/// Puts the tour beside its target when there is room, else below it, else
/// above it, else (a large target such as the map) inside its top corner.
fn place(tour: &HtmlElement, target: &HtmlElement) {
    let rect = target.get_bounding_client_rect();
    let window = dom::window();
    let size =
        |v: Result<wasm_bindgen::JsValue, _>, d: f64| v.ok().and_then(|v| v.as_f64()).unwrap_or(d);
    let vw = size(window.inner_width(), 1024.0);
    let vh = size(window.inner_height(), 768.0);
    let (tw, th) = (
        f64::from(tour.offset_width()),
        f64::from(tour.offset_height()),
    );
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
}

fn close() {
    dom::set_hidden(&by_id::<HtmlElement>("tour"), true);
    for e in dom::query_all(
        &dom::document().document_element().expect("html"),
        ".tour-target",
    ) {
        dom::toggle_class(&e, "tour-target", false);
    }
    dom::store(STORAGE_KEY, "done");
}
