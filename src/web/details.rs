//! The details card: why a composition is allowed or forbidden, taught on the
//! composition itself. The oxidation-state assignment is drawn as charges that
//! add up (or fail to) to zero, and the electronegativities of its cations and
//! anions are placed on one scale, so "charge neutrality" and
//! "electronegativity balance" are seen, not just read.

use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use super::app::{App, with_app};
use super::dom::{self, append, by_id, make};
use crate::chem::{Composition, Element};
use crate::explain::{Assignment, Explanation, Reason};
use crate::plot::colour::hex;
use crate::view_state::Tab;

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

fn signed(q: i64) -> String {
    match q {
        0 => "0".into(),
        q if q > 0 => format!("+{q}"),
        q => format!("−{}", -q),
    }
}

/// The assignment as charges: Zn(+1) × 2 = +2, plus O(−2) × 1 = −2, total 0.
fn charges(host: &HtmlElement, a: &Assignment) {
    let row = append(host, make("div", "charges", ""));
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

const NEUTRALITY: &str = "Each element takes one of its usual oxidation states (charges). Multiply each charge by how many atoms \
there are and add them up: a stable ionic compound must come to exactly zero. SMACT tries every combination of the \
listed states.";
const BALANCE: &str = "Electronegativity measures how strongly an atom pulls electrons. In a sensible ionic picture the \
positive ions (cations, blue) are the less electronegative elements and the negative ions (anions, red) the more \
electronegative ones: every cation must sit to the left of every anion on the scale.";

/// Passing assignments drawn as charges; the rest are listed in words.
const SHOWN_ASSIGNMENTS: usize = 3;

pub fn render_pending(app: &App) {
    let body: HtmlElement = by_id("details-body");
    dom::set_hidden(&by_id::<HtmlElement>("details-empty"), true);
    dom::set_hidden(&by_id::<HtmlElement>("explain-error"), true);
    if app.explain_req.id.is_some() {
        dom::clear(&body);
        append(
            &body,
            make("p", "hint", &format!("Explaining {}…", app.explain_req.key)),
        );
    }
}

pub fn show_error(message: &str) {
    let e: HtmlElement = by_id("explain-error");
    e.set_text_content(Some(message));
    dom::set_hidden(&e, false);
}

pub fn render(app: &App) {
    let body: HtmlElement = by_id("details-body");
    dom::clear(&body);
    let Some(e) = app.explanation.as_ref() else {
        dom::set_hidden(&by_id::<HtmlElement>("details-empty"), false);
        return;
    };
    dom::set_hidden(&by_id::<HtmlElement>("details-empty"), true);
    render_explanation(app, &body, e);
}

fn render_explanation(app: &App, body: &HtmlElement, e: &Explanation) {
    let title = append(body, make("div", "formula-title", ""));
    append(&title, formula_html(&e.formula));
    let badge = append(
        body,
        make("span", &format!("badge {}", e.category), e.category.name()),
    );
    let _ = badge
        .style()
        .set_property("background", &hex(app.state.palette.category(e.category)));
    append(
        body,
        make("span", "", &format!("  {}", e.category.meaning())),
    );
    append(body, make("p", "summary", &e.summary));
    match &e.reason {
        Reason::Allowed { assignments } => {
            let shown = assignments.len().min(SHOWN_ASSIGNMENTS);
            let lead = if assignments.len() == 1 {
                "Charge neutral:".to_string()
            } else {
                format!(
                    "Charge neutral in {} ways (SMACT needs one):",
                    assignments.len()
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
                let text = format!("Also: {}.", others.join("; "));
                append(body, make("p", "note", &text));
            }
            let text = "Electronegativity balanced: every cation left of every anion.";
            append(body, make("p", "verdict good", text));
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
            append(
                body,
                make(
                    "p",
                    "verdict bad",
                    &format!(
                        "…but not electronegativity balanced: the cation {} is not left of the anion {}.",
                        cation.element, anion.element
                    ),
                ),
            );
            electronegativity_scale(body, assignment);
        }
        _ => {}
    }
    learn(body, "What is charge neutrality?", NEUTRALITY);
    learn(body, "What is electronegativity balance?", BALANCE);
    let known = if e.known { "is" } else { "is not" };
    append(
        body,
        make(
            "p",
            "note",
            &format!(
                "Checked with the {} oxidation states and factors up to {}. {} {known} in {}.",
                e.oxidation_states_set,
                e.threshold,
                e.formula,
                app.known_title()
            ),
        ),
    );
    let links = append(body, make("div", "links", ""));
    let mp: web_sys::HtmlAnchorElement =
        append(&links, make("a", "", "Search the Materials Project")).unchecked_into();
    mp.set_href(&format!(
        "https://next-gen.materialsproject.org/materials?formula={}",
        e.formula
    ));
    mp.set_target("_blank");
    mp.set_rel("noopener");
    let composition = Composition::parse(&e.formula).ok();
    let on_map = composition.as_ref().and_then(|c| {
        let layout = app.map.layout.as_ref()?;
        let row = layout.sample.find(c)?;
        app.map.point_of_row(row)
    });
    if on_map.is_some() {
        let locate = append(&links, make("button", "", "Show on the map"));
        dom::set_attr(&locate, "type", "button");
        let formula = e.formula.clone();
        dom::on::<web_sys::Event>(&locate, "click", move |_| locate_on_map(&formula));
    } else {
        append(
            &links,
            make("span", "note", "Not in the current map sample."),
        );
    }
    let close = append(&links, make("button", "", "Close"));
    dom::set_attr(&close, "type", "button");
    dom::on::<web_sys::Event>(&close, "click", |_| {
        with_app(|app| app.close_details());
    });
}

/// Switches to the map, centred on the composition, with its details open.
pub fn locate_on_map(formula: &str) {
    with_app(|app| {
        let Ok(c) = Composition::parse(formula) else {
            return;
        };
        let point = app
            .map
            .layout
            .as_ref()
            .and_then(|l| l.sample.find(&c))
            .and_then(|row| app.map.point_of_row(row));
        app.set_state(|s| {
            s.tab = Tab::Map;
            s.focus = Some(c.to_string());
        });
        if let Some(i) = point {
            app.map.centre_on(i);
            app.map.request_draw();
        }
    });
}

pub fn install() {
    dom::on::<web_sys::Event>(
        &by_id::<web_sys::EventTarget>("explain-form"),
        "submit",
        |e| {
            e.prevent_default();
            let input: web_sys::HtmlInputElement = by_id("explain-input");
            let text = input.value();
            let text = text.trim();
            if text.is_empty() {
                return show_error("Type a formula such as Zn2O, then press Explain.");
            }
            match Composition::parse(text) {
                Ok(_) => {
                    with_app(|app| app.open_details(text));
                }
                Err(problem) => show_error(&format!("'{text}': {problem}.")),
            }
        },
    );
}
