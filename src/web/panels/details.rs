//! The details card: why a composition is allowed or forbidden, taught on the
//! composition itself. The oxidation-state assignment is drawn as charges
//! that add up (or fail to) to zero, and the electronegativities of its
//! cations and anions are placed on one scale, so "charge neutrality" and
//! "electronegativity balance" are seen, not just read. Also the card at the
//! finger that a tapped point opens.

use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use super::super::dispatch::{Dispatch, Msg};
use super::super::dom::{self, append, by_id, make};
use super::{formula_html, show_note, signed};
use crate::chem::{Composition, Element};
use crate::explain::{Assignment, Explanation, Reason};
use crate::plot::colour::hex;
use crate::session::{DetailsView, Field, Input, Session};

/// Passing assignments drawn as charges; the rest are listed in words.
const SHOWN_ASSIGNMENTS: usize = 3;

const NEUTRALITY: &str = "Each element takes one of its usual oxidation states (charges). Multiply each \
charge by how many atoms there are and add them up: a stable ionic compound must come to exactly zero. \
SMACT tries every combination of the listed states, giving all atoms of one element the same charge.";
const BALANCE: &str = "Electronegativity measures how strongly an atom pulls electrons. In a sensible \
ionic picture the positive ions (cations, blue) are the less electronegative elements and the negative \
ions (anions, red) the more electronegative ones: every cation must sit to the left of every anion on \
the scale.";

pub struct Details {
    body: HtmlElement,
    empty: HtmlElement,
    note: HtmlElement,
    card: HtmlElement,
}

impl Details {
    pub fn mount(dispatch: &Dispatch) -> Details {
        let d = dispatch.clone();
        dom::on::<web_sys::Event>(
            &by_id::<web_sys::EventTarget>("explain-form"),
            "submit",
            move |e| {
                e.prevent_default();
                let text = by_id::<web_sys::HtmlInputElement>("explain-input").value();
                d.input(Input::Focus(text));
            },
        );
        let d = dispatch.clone();
        let actions = move |e: web_sys::MouseEvent| {
            let Some(button) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|t| t.closest("[data-action]").ok().flatten())
            else {
                return;
            };
            let formula = button.get_attribute("data-formula").unwrap_or_default();
            match button.get_attribute("data-action").as_deref() {
                Some("locate") => d.input(Input::LocateOnMap(formula)),
                Some("close") => d.input(Input::CloseDetails),
                Some("full") => d.send(Msg::ShowDetails),
                Some("close-card") => d.send(Msg::CloseCard),
                _ => {}
            }
        };
        let body: HtmlElement = by_id("details-body");
        dom::on::<web_sys::MouseEvent>(&body, "click", actions.clone());
        let card: HtmlElement = by_id("tap-card");
        dom::on::<web_sys::MouseEvent>(&card, "click", actions);
        Details {
            body,
            empty: by_id("details-empty"),
            note: by_id("explain-note"),
            card,
        }
    }

    pub fn render(&self, session: &Session) {
        show_note(&self.note, session.field_note(Field::Explain));
        dom::clear(&self.body);
        let view = session.details();
        dom::set_hidden(
            &self.empty,
            !matches!(view, DetailsView::Empty | DetailsView::Failed),
        );
        match view {
            DetailsView::Empty | DetailsView::Failed => {}
            DetailsView::Pending(formula) => {
                append(
                    &self.body,
                    make("p", "hint", &format!("Explaining {formula}…")),
                );
            }
            DetailsView::Ready(e) => self.explanation(session, e),
        }
        self.render_card(session);
    }

    /// The card at the finger: formula, category and the reason in a line.
    fn render_card(&self, session: &Session) {
        if session.state().focus.is_none() {
            dom::set_hidden(&self.card, true);
            return;
        }
        let content: HtmlElement = by_id("tap-card-body");
        dom::clear(&content);
        match session.details() {
            DetailsView::Ready(e) => {
                let head = append(&content, make("div", "card-head", ""));
                append(&head, formula_html(&e.formula));
                badge(&head, session, e);
                append(&content, make("p", "", &e.summary));
            }
            DetailsView::Pending(f) => {
                append(&content, make("p", "hint", &format!("Explaining {f}…")));
            }
            _ => {}
        }
    }

    fn explanation(&self, session: &Session, e: &Explanation) {
        let body = &self.body;
        let title = append(body, make("div", "formula-title", ""));
        append(&title, formula_html(&e.formula));
        badge(body, session, e);
        append(
            body,
            make("span", "", &format!("  {}", e.category.meaning())),
        );
        append(body, make("p", "summary", &e.summary));
        verdict(body, e);
        alternatives(body, e);
        states_tried(body, e);
        learn(body, "What is charge neutrality?", NEUTRALITY);
        learn(body, "What is electronegativity balance?", BALANCE);
        links(body, session, e);
    }
}

/// Why it passes or fails, with the charges that show it.
fn verdict(body: &HtmlElement, e: &Explanation) {
    match &e.reason {
        Reason::Allowed { assignments } => {
            let shown = assignments.len().min(SHOWN_ASSIGNMENTS);
            let ways = e.passing_assignments.max(assignments.len() as u64);
            let lead = if ways == 1 {
                "Charge neutral:".to_string()
            } else {
                format!(
                    "Charge neutral in {} ways (SMACT needs one); the most usual charges first:",
                    crate::plot::grouped(ways)
                )
            };
            append(body, make("p", "verdict good", &lead));
            for a in &assignments[..shown] {
                charges(body, a);
            }
            if assignments.len() > shown {
                let others: Vec<String> = assignments[shown..]
                    .iter()
                    .map(Assignment::written)
                    .collect();
                append(
                    body,
                    make("p", "note", &format!("Also: {}.", others.join("; "))),
                );
            }
            append(
                body,
                make(
                    "p",
                    "verdict good",
                    "Electronegativity balanced: every cation left of every anion.",
                ),
            );
            electronegativity_scale(body, &assignments[0]);
        }
        Reason::NotNeutral { nearest } => {
            append(
                body,
                make(
                    "p",
                    "verdict bad",
                    "No choice of states is neutral. The closest:",
                ),
            );
            charges(body, nearest);
        }
        Reason::ElectronegativityViolation {
            assignment,
            cation,
            anion,
            ..
        } => {
            append(body, make("p", "verdict good", "Charge neutral:"));
            charges(body, assignment);
            let text = format!(
                "…but not electronegativity balanced: the cation {} is not left of the anion {}.",
                cation.element, anion.element
            );
            append(body, make("p", "verdict bad", &text));
            electronegativity_scale(body, assignment);
        }
        Reason::Alloy => {
            append(
                body,
                make(
                    "p",
                    "verdict good",
                    "Every element is a metal, and the 'count alloys as allowed' option is on.",
                ),
            );
        }
        _ => {}
    }
}

/// The states it would need, and what mixed valence would allow.
fn alternatives(body: &HtmlElement, e: &Explanation) {
    for needed in &e.needed_states {
        let text = format!(
            "It would need {}({}), a state {} does not list for {}:",
            needed.element,
            signed(i64::from(needed.oxidation_state)),
            e.oxidation_states_set,
            needed.element
        );
        append(body, make("p", "verdict bad", &text));
        charges(body, &needed.assignment);
    }
    if let Some(mixed) = &e.mixed_valence_alternative {
        append(
            body,
            make(
                "p",
                "note",
                "SMACT gives every atom of an element the same charge. With mixed valence (in the \
                 settings), its atoms may differ, and this would pass:",
            ),
        );
        charges(body, mixed);
    }
}

/// What it was checked against, and where to go next.
fn links(body: &HtmlElement, session: &Session, e: &Explanation) {
    let known = if e.known { "is" } else { "is not" };
    let text = format!(
        "Checked with the {} oxidation states and factors up to {}. {} {known} in {}.",
        e.oxidation_states_set,
        e.threshold,
        e.formula,
        session.known_title()
    );
    append(body, make("p", "note", &text));
    let links = append(body, make("div", "links", ""));
    let mp: web_sys::HtmlAnchorElement =
        append(&links, make("a", "", "Search the Materials Project")).unchecked_into();
    mp.set_href(&format!(
        "https://next-gen.materialsproject.org/materials?formula={}",
        e.formula
    ));
    mp.set_target("_blank");
    mp.set_rel("noopener");
    let on_map = Composition::parse(&e.formula).is_ok_and(|c| session.on_map(&c));
    if on_map {
        let locate = append(&links, make("button", "", "Show on the map"));
        dom::set_attr(&locate, "type", "button");
        dom::set_attr(&locate, "data-action", "locate");
        dom::set_attr(&locate, "data-formula", &e.formula);
    } else {
        append(
            &links,
            make("span", "note", "Not in the current map sample."),
        );
    }
    let close = append(&links, make("button", "", "Close"));
    dom::set_attr(&close, "type", "button");
    dom::set_attr(&close, "data-action", "close");
}

/// Each element with the states the filter tried, those of the charges
/// shown marked, so a student sees what the set offers (and lacks).
fn states_tried(host: &HtmlElement, e: &Explanation) {
    if e.elements.is_empty() {
        return;
    }
    let d = append(host, make("div", "states-tried", ""));
    append(
        &d,
        make(
            "p",
            "note",
            &format!(
                "States tried ({}); the ones used above are marked:",
                e.oxidation_states_set
            ),
        ),
    );
    for el in &e.elements {
        let row = append(&d, make("div", "states-row", ""));
        append(&row, make("strong", "", &el.element));
        if el.states.is_empty() {
            append(&row, make("span", "note", " none in this set"));
        }
        for s in &el.states {
            let q = signed(i64::from(s.oxidation_state));
            let chip = append(
                &row,
                make("span", if s.used { "state used" } else { "state" }, &q),
            );
            let title = format!(
                "{}({q}): reported {} times in ICSD 2024{}",
                el.element,
                s.icsd24_reports,
                if s.used { "; used above" } else { "" }
            );
            dom::set_attr(&chip, "title", &title);
            if s.used {
                dom::set_attr(&chip, "aria-label", &format!("{q}, used"));
            }
        }
    }
}

fn badge(host: &HtmlElement, session: &Session, e: &Explanation) {
    let badge = append(
        host,
        make("span", &format!("badge {}", e.category), e.category.name()),
    );
    let _ = badge.style().set_property(
        "background",
        &hex(session.state().palette.category(e.category)),
    );
}

/// The assignment as charges: Zn(+1) × 2 = +2, plus O(−2) × 1 = −2, total 0.
fn charges(host: &HtmlElement, a: &Assignment) {
    let row = append(host, make("div", "charges", ""));
    dom::set_attr(&row, "role", "img");
    dom::set_attr(
        &row,
        "aria-label",
        &format!("{} gives a total charge of {}", a.written(), a.charge),
    );
    for (i, s) in a.species.iter().enumerate() {
        if i > 0 {
            append(&row, make("span", "op", "+"));
        }
        let q = i64::from(s.oxidation_state);
        let class = match q.signum() {
            1 => "charge pos",
            -1 => "charge neg",
            _ => "charge",
        };
        let chip = append(&row, make("span", class, ""));
        append(
            &chip,
            make("span", "ion", &format!("{}({})", s.element, signed(q))),
        );
        append(
            &chip,
            make(
                "span",
                "q",
                &format!("× {} = {}", s.amount, signed(q * i64::from(s.amount))),
            ),
        );
    }
    append(&row, make("span", "op", "="));
    let good = a.charge == 0;
    let total = append(
        &row,
        make(
            "span",
            if good { "total good" } else { "total bad" },
            &signed(a.charge),
        ),
    );
    dom::set_attr(
        &total,
        "title",
        if good { "neutral" } else { "not neutral" },
    );
}

/// Cations and anions of an assignment on one electronegativity scale.
fn electronegativity_scale(host: &HtmlElement, a: &Assignment) {
    let ions: Vec<(String, i8, f64)> = a
        .species
        .iter()
        .filter_map(|s| {
            Element::from_symbol(&s.element)
                .ok()
                .and_then(|e| e.pauling_eneg())
                .map(|x| (s.element.clone(), s.oxidation_state, x))
        })
        .collect();
    if ions.len() < 2 {
        return;
    }
    let (lo, hi) = (0.7, 4.0);
    let scale = append(host, make("div", "en-scale", ""));
    dom::set_attr(&scale, "role", "img");
    let described: Vec<String> = ions
        .iter()
        .map(|(e, q, x)| format!("{e}({}) {x}", signed(i64::from(*q))))
        .collect();
    dom::set_attr(
        &scale,
        "aria-label",
        &format!("Pauling electronegativities: {}", described.join(", ")),
    );
    for (k, (element, q, x)) in ions.iter().enumerate() {
        let class = match q.signum() {
            1 => "en-mark cation",
            -1 => "en-mark anion",
            _ => "en-mark neutral",
        };
        let mark = append(&scale, make("span", class, ""));
        append(
            &mark,
            make(
                "span",
                "",
                &format!("{element}({}) {x}", signed(i64::from(*q))),
            ),
        );
        append(&mark, make("span", "dot", ""));
        let left = (x - lo) / (hi - lo) * 100.0;
        let _ = mark
            .style()
            .set_property("left", &format!("{:.1}%", left.clamp(0.0, 100.0)));
        // Stagger labels of close values so they do not overlap.
        let _ = mark
            .style()
            .set_property("bottom", &format!("{}em", -0.35 + 1.25 * (k % 2) as f64));
    }
    let axis = append(host, make("div", "en-axis", ""));
    append(&axis, make("span", "", "0.7 less electronegative"));
    append(&axis, make("span", "", "more electronegative 4.0"));
}

fn learn(host: &HtmlElement, title: &str, text: &str) {
    let d = append(host, make("details", "learn", ""));
    append(&d, make("summary", "", title));
    append(&d, make("p", "", text));
}
