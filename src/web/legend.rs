//! The legend under the map (category toggles with counts, the colour key)
//! and the chips that show active filters.

use wasm_bindgen::JsCast;

use super::app::{App, with_app};
use super::dom::{self, by_id, make};
use crate::anion::AnionClass;
use crate::label::Category;
use crate::plot::colour::{ColourBy, anion_colour, hex, sequential, sequential_css_gradient};
use crate::plot::{LegendEntry, grouped};

fn swatch(colour: [u8; 3]) -> web_sys::HtmlElement {
    let s = make("span", "swatch", "");
    let _ = s.style().set_property("background", &hex(colour));
    s
}

/// Points on the map per category.
fn shown_per_category(app: &App) -> [usize; 4] {
    let mut counts = [0; 4];
    for &i in &app.map.order {
        if let Some((_, _, c, _)) = app.map.point(i) {
            counts[Category::ALL.iter().position(|&x| x == c).expect("listed")] += 1;
        }
    }
    counts
}

pub fn render(app: &App) {
    let host: web_sys::HtmlElement = by_id("legend");
    dom::clear(&host);
    render_chips(app);
    let Some(layout) = app.map.layout.clone() else {
        dom::append(
            &host,
            make("span", "legend-note", "The legend appears with the map."),
        );
        return;
    };
    let shown = shown_per_category(app);
    let sample = &layout.sample;
    for (k, category) in Category::ALL.into_iter().enumerate() {
        let label = dom::append(&host, make("label", "", ""));
        dom::set_attr(&label, "title", category.meaning());
        let input: web_sys::HtmlInputElement =
            dom::append(&label, make("input", "", "")).unchecked_into();
        input.set_type("checkbox");
        input.set_checked(!app.state.hidden.contains(&category));
        dom::set_attr(&input, "data-category", category.name());
        // Category swatches only when the points wear category colours.
        if app.state.colour == ColourBy::Category {
            dom::append(&label, swatch(app.state.palette.category(category)));
        }
        dom::append(&label, make("span", "", category.name()));
        let sampled = sample.categories.iter().filter(|&&c| c == category).count();
        let count = if app.state.hidden.contains(&category) {
            format!("(hidden, {})", grouped(sampled as u64))
        } else {
            format!("({})", grouped(shown[k] as u64))
        };
        dom::append(&label, make("span", "count", &count));
        dom::on::<web_sys::Event>(&input, "change", move |_| {
            with_app(|app| {
                app.set_state(|s| {
                    if s.hidden.contains(&category) {
                        s.hidden.retain(|&c| c != category);
                    } else {
                        s.hidden.push(category);
                    }
                })
            });
        });
    }
    match app.state.colour {
        ColourBy::Category => {}
        ColourBy::Anion => {
            dom::append(&host, make("span", "legend-title", "Anion class:"));
            for class in AnionClass::ALL {
                let n = app
                    .map
                    .order
                    .iter()
                    .filter(|&&i| {
                        app.map
                            .point(i)
                            .is_some_and(|(_, c, _, _)| AnionClass::of(c) == class)
                    })
                    .count();
                let item = dom::append(&host, make("span", "", ""));
                dom::append(&item, swatch(anion_colour(class)));
                dom::append(&item, make("span", "", &format!(" {} ", class.name())));
                dom::append(
                    &item,
                    make("span", "count", &format!("({})", grouped(n as u64))),
                );
            }
        }
        ColourBy::Property(p) => {
            dom::append(
                &host,
                make("span", "legend-title", &format!("{}:", p.title())),
            );
            if let Some(r) = app.map.range {
                dom::append(&host, make("span", "count", &format!("{:.2}", r.min)));
                let bar = dom::append(&host, make("span", "gradient", ""));
                let _ = bar
                    .style()
                    .set_property("background", &sequential_css_gradient());
                dom::append(&host, make("span", "count", &format!("{:.2}", r.max)));
            }
            let missing = app.map.values.iter().filter(|v| v.is_none()).count();
            if missing > 0 {
                dom::append(&host, swatch(crate::plot::colour::NO_DATA));
                dom::append(
                    &host,
                    make(
                        "span",
                        "count",
                        &format!("no data ({})", grouped(missing as u64)),
                    ),
                );
            }
        }
    }
    let left_out = sample.formulas.len() - layout.kept.len() - layout.non_finite;
    let mut notes = Vec::new();
    if layout.non_finite > 0 {
        notes.push(format!(
            "{} sampled compositions have no finite {} pooled vector (e.g. a geometric mean of negative values) and are left out.",
            grouped(layout.non_finite as u64),
            app.state.pooling.replace('_', " ")
        ));
    }
    if left_out > 0 {
        notes.push(format!(
            "{} sampled compositions contain an element {} has no vector for, so they are left out of this map.",
            grouped(left_out as u64),
            layout.embedding
        ));
    }
    for (category, held) in &sample.shortfalls {
        notes.push(format!(
            "Only {} {category} compositions exist for these settings (asked for {}), so all are shown.",
            grouped(*held as u64),
            grouped(app.state.per_category as u64)
        ));
    }
    for note in notes {
        dom::append(&host, make("span", "legend-note", &note));
    }
}

/// Entries for exported figures: what the colours mean, with counts.
pub fn entries(app: &App) -> Vec<LegendEntry> {
    match app.state.colour {
        ColourBy::Category => {
            let shown = shown_per_category(app);
            Category::ALL
                .into_iter()
                .enumerate()
                .filter(|(_, c)| !app.state.hidden.contains(c))
                .map(|(k, c)| LegendEntry {
                    colour: app.state.palette.category(c),
                    label: format!("{c} ({})", grouped(shown[k] as u64)),
                })
                .collect()
        }
        ColourBy::Anion => AnionClass::ALL
            .iter()
            .map(|&a| LegendEntry {
                colour: anion_colour(a),
                label: a.name().into(),
            })
            .collect(),
        ColourBy::Property(p) => match app.map.range {
            Some(r) => (0..5)
                .map(|i| {
                    let t = f64::from(i) / 4.0;
                    LegendEntry {
                        colour: sequential(t),
                        label: format!("{:.2}", r.min + t * (r.max - r.min)),
                    }
                })
                .chain(std::iter::once(LegendEntry {
                    colour: [255, 255, 255],
                    label: p.title().into(),
                }))
                .collect(),
            None => Vec::new(),
        },
    }
}

fn chip(host: &web_sys::HtmlElement, text: &str, on_clear: impl FnMut(web_sys::Event) + 'static) {
    let chip = dom::append(host, make("span", "chip", text));
    let button = dom::append(&chip, make("button", "", "✕"));
    dom::set_attr(&button, "type", "button");
    dom::set_attr(&button, "aria-label", &format!("Clear: {text}"));
    dom::on(&button, "click", on_clear);
}

fn render_chips(app: &App) {
    let host: web_sys::HtmlElement = by_id("chips");
    dom::clear(&host);
    if let Some(e) = app.state.element {
        chip(&host, &format!("Only compositions containing {e}"), |_| {
            with_app(|app| app.set_state(|s| s.element = None));
        });
    }
    if !app.state.search.is_empty() {
        chip(
            &host,
            &format!(
                "Ringed: {} ({} on the map)",
                app.state.search,
                grouped(app.map.highlighted.len() as u64)
            ),
            |_| {
                with_app(|app| app.set_state(|s| s.search.clear()));
            },
        );
    }
    let selected = app.map.selected.len();
    if app.map.selection.is_some() {
        chip(
            &host,
            &format!("{} selected", grouped(selected as u64)),
            |_| {
                with_app(|app| {
                    app.map.selection = None;
                    app.map.selected.clear();
                    app.map.request_draw();
                    render(app);
                });
            },
        );
    }
    by_id::<web_sys::HtmlButtonElement>("export-selection").set_disabled(selected == 0);
}
