//! Predict, then check (the session's `quiz`): a composition, "Allowed" or
//! "Forbidden", an optional charge per element, then the verdict, the
//! charges checked, the reason and the way to the map, with a running score.

use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement};

use super::super::dispatch::Dispatch;
use super::super::dom::{self, append, by_id, make};
use super::{formula_html, show_note, signed};
use crate::session::{DetailsView, Field, Input, QuizAnswer, QuizView, Session};

pub struct QuizPanel {
    host: HtmlElement,
}

/// The charges picked, one per element, when every element has one.
fn picked(host: &HtmlElement) -> Option<Vec<i8>> {
    let selects = dom::query_all(host, "select[data-element]");
    if selects.is_empty() {
        return None;
    }
    selects
        .iter()
        .map(|s| {
            s.unchecked_ref::<HtmlSelectElement>()
                .value()
                .parse::<i8>()
                .ok()
        })
        .collect()
}

impl QuizPanel {
    pub fn mount(dispatch: &Dispatch) -> QuizPanel {
        let host: HtmlElement = by_id("quiz");
        let d = dispatch.clone();
        let h = host.clone();
        dom::on::<web_sys::MouseEvent>(&host, "click", move |e| {
            let Some(button) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|t| t.closest("[data-action]").ok().flatten())
            else {
                return;
            };
            let formula = button.get_attribute("data-formula").unwrap_or_default();
            match button.get_attribute("data-action").as_deref() {
                Some("allowed") => d.input(Input::QuizAnswer {
                    allowed: true,
                    charges: picked(&h),
                }),
                Some("forbidden") => d.input(Input::QuizAnswer {
                    allowed: false,
                    charges: picked(&h),
                }),
                Some("next") => d.input(Input::QuizNext),
                Some("locate") => d.input(Input::LocateOnMap(formula)),
                _ => {}
            }
        });
        let d = dispatch.clone();
        dom::on::<web_sys::Event>(
            &by_id::<web_sys::EventTarget>("quiz-seed"),
            "change",
            move |_| {
                d.input(Input::Field {
                    key: "quiz".into(),
                    value: by_id::<HtmlInputElement>("quiz-seed").value(),
                })
            },
        );
        QuizPanel { host }
    }

    pub fn render(&self, session: &Session) {
        let seed: HtmlInputElement = by_id("quiz-seed");
        let note = session.field_note(Field::Param("quiz"));
        if note.is_none() {
            seed.set_value(&session.state().quiz.to_string());
        }
        show_note(&by_id("note-quiz"), note);
        // Charges picked and not yet answered survive a redraw.
        let shown = self.host.get_attribute("data-formula");
        let kept: Vec<String> = dom::query_all(&self.host, "select[data-element]")
            .iter()
            .map(|s| s.unchecked_ref::<HtmlSelectElement>().value())
            .collect();
        dom::clear(&self.host);
        let QuizView::Question {
            number,
            formula,
            elements,
            answered,
            charges_note,
            right,
            asked,
        } = session.quiz()
        else {
            let _ = self.host.remove_attribute("data-formula");
            append(
                &self.host,
                make("p", "hint", "Preparing the sample the questions come from…"),
            );
            return;
        };
        dom::set_attr(&self.host, "data-formula", &formula);
        let head = append(&self.host, make("div", "quiz-head", ""));
        append(&head, make("span", "", &format!("Composition {number}")));
        let score = append(
            &head,
            make("span", "quiz-score", &format!("{right} of {asked} right")),
        );
        dom::set_attr(&score, "aria-live", "polite");
        let title = append(&self.host, make("div", "formula-title quiz-formula", ""));
        append(&title, formula_html(&formula));
        append(
            &self.host,
            make(
                "p",
                "",
                "Does it pass SMACT's two tests, charge neutrality and electronegativity balance?",
            ),
        );
        let kept = (shown.as_deref() == Some(formula.as_str())).then_some(kept);
        picker(&self.host, &elements, kept, answered.is_some());
        let buttons = append(&self.host, make("div", "quiz-buttons", ""));
        for (action, text) in [("allowed", "Allowed"), ("forbidden", "Forbidden")] {
            let b = append(&buttons, make("button", "", text));
            dom::set_attr(&b, "type", "button");
            dom::set_attr(&b, "data-action", action);
            b.unchecked_ref::<web_sys::HtmlButtonElement>()
                .set_disabled(answered.is_some());
        }
        if let Some(answer) = answered {
            verdict(&self.host, session, &answer, charges_note);
        }
    }
}

/// A charge to pick for each element (when the set is a built-in one),
/// keeping what was picked before a redraw.
fn picker(
    host: &HtmlElement,
    elements: &[(String, Vec<i8>)],
    kept: Option<Vec<String>>,
    answered: bool,
) {
    if elements.iter().any(|(_, states)| states.is_empty()) {
        return;
    }
    let picker = append(host, make("fieldset", "quiz-charges", ""));
    append(
        &picker,
        make("legend", "", "Your charges (optional): one per element"),
    );
    for (k, (symbol, states)) in elements.iter().enumerate() {
        let label = append(&picker, make("label", "", &format!("{symbol} ")));
        let select: HtmlSelectElement = append(&label, make("select", "", "")).unchecked_into();
        dom::set_attr(&select, "data-element", symbol);
        let none = append(&select, make("option", "", "?"));
        dom::set_attr(&none, "value", "");
        for &q in states {
            let option = append(&select, make("option", "", &signed(i64::from(q))));
            dom::set_attr(&option, "value", &q.to_string());
        }
        if let Some(v) = kept.as_ref().and_then(|kept| kept.get(k)) {
            select.set_value(v);
        }
        select.set_disabled(answered);
    }
}

/// Whether the answer was right, the charges checked, the reason, and the
/// way on.
fn verdict(
    host: &HtmlElement,
    session: &Session,
    answer: &QuizAnswer,
    charges_note: Option<String>,
) {
    let right = answer.right();
    let truth = if answer.category.allowed() {
        "allowed"
    } else {
        "forbidden"
    };
    let text = format!(
        "{}: {} is {truth} ({}: {}).",
        if right { "Right" } else { "Not quite" },
        answer.formula,
        answer.category,
        answer.category.meaning()
    );
    let p = append(
        host,
        make(
            "p",
            if right { "verdict good" } else { "verdict bad" },
            &text,
        ),
    );
    dom::set_attr(&p, "role", "status");
    if let Some(note) = charges_note {
        append(host, make("p", "", &note));
    }
    if let DetailsView::Ready(e) = session.details()
        && e.formula == answer.formula
    {
        append(host, make("p", "summary", &e.summary));
    }
    let links = append(host, make("div", "quiz-buttons", ""));
    let locate = append(&links, make("button", "", "Show it on the map"));
    dom::set_attr(&locate, "type", "button");
    dom::set_attr(&locate, "data-action", "locate");
    dom::set_attr(&locate, "data-formula", &answer.formula);
    let next = append(&links, make("button", "primary", "Next composition"));
    dom::set_attr(&next, "type", "button");
    dom::set_attr(&next, "data-action", "next");
}
