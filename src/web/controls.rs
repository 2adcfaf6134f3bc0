//! The settings form, the tabs and the uploads: each control writes one
//! setting through [`ViewState::set_param`], so a control accepts exactly what
//! a link accepts and says the same thing when a value is wrong.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement};

use super::app::{App, with_app};
use super::dom::{self, by_id, on};
use super::messages;
use crate::data::{KnownSet, OxidationStates};
use crate::view_state::{
    KnownSetting, OxChoice, Tab, ViewState, embedding_names, paper_embeddings, pooling_names,
};

/// (element id, link key) of the plain inputs and selects.
const FIELDS: [(&str, &str); 10] = [
    ("order", "n"),
    ("max-stoich", "ms"),
    ("per-category", "k"),
    ("seed", "seed"),
    ("embedding", "emb"),
    ("pooling", "pool"),
    ("n-neighbors", "nn"),
    ("min-dist", "md"),
    ("perplexity", "perp"),
    ("colour-by", "col"),
];

fn value_of(id: &str) -> String {
    let e: web_sys::Element = by_id(id);
    if let Some(i) = e.dyn_ref::<HtmlInputElement>() {
        i.value()
    } else if let Some(s) = e.dyn_ref::<HtmlSelectElement>() {
        s.value()
    } else {
        String::new()
    }
}

fn set_value(id: &str, value: &str) {
    let e: web_sys::Element = by_id(id);
    if let Some(i) = e.dyn_ref::<HtmlInputElement>() {
        if i.value() != value {
            i.set_value(value);
        }
    } else if let Some(s) = e.dyn_ref::<HtmlSelectElement>() {
        s.set_value(value);
    }
}

fn add_option(select: &HtmlSelectElement, value: &str, text: &str) {
    let option = dom::make("option", "", text);
    dom::set_attr(&option, "value", value);
    dom::append(select, option);
}

/// A setting's current value as the form shows it.
fn field_value(state: &ViewState, key: &str) -> String {
    match key {
        "n" => state.order.to_string(),
        "ms" => state.max_stoich.to_string(),
        "k" => state.per_category.to_string(),
        "seed" => state.seed.to_string(),
        "emb" => state.embedding.clone(),
        "pool" => state.pooling.clone(),
        "nn" => state.n_neighbors.to_string(),
        "md" => state.min_dist.to_string(),
        "perp" => state.perplexity.to_string(),
        "col" => state.colour.name(),
        _ => String::new(),
    }
}

/// Applies one control's value; a bad value is reported under the form and
/// the control goes back to the setting in force.
fn apply(key: &'static str, value: String) {
    with_app(|app| {
        let mut next = app.state.clone();
        match next.set_param(key, &value) {
            Ok(()) => {
                dom::set_hidden(&by_id::<HtmlElement>("upload-error"), true);
                app.set_state(|s| *s = next);
            }
            Err(problem) => {
                messages::show(
                    &format!("{}: {problem}.", capitalised(&problem_subject(key))),
                    messages::Kind::Warning,
                );
                sync(app);
            }
        }
    });
}

fn problem_subject(key: &str) -> String {
    match key {
        "n" => "Elements per composition",
        "ms" => "Largest stoichiometric factor",
        "k" => "Samples per category",
        "seed" => "Seed",
        "nn" => "n_neighbors",
        "md" => "min_dist",
        "perp" => "perplexity",
        _ => "Setting",
    }
    .to_string()
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Fills the lists and wires every control.
pub fn install() {
    let embedding: HtmlSelectElement = by_id("embedding");
    let paper = dom::append(&embedding, dom::make("optgroup", "", ""));
    dom::set_attr(&paper, "label", "The paper's six");
    let paper_six = paper_embeddings();
    for &name in &paper_six {
        add_option(&paper.clone().unchecked_into(), name, name);
    }
    let more = dom::append(&embedding, dom::make("optgroup", "", ""));
    dom::set_attr(&more, "label", "More from ElementEmbeddings");
    for name in embedding_names()
        .into_iter()
        .filter(|n| !paper_six.contains(n))
    {
        add_option(&more.clone().unchecked_into(), name, name);
    }
    let pooling: HtmlSelectElement = by_id("pooling");
    for name in pooling_names() {
        let label = if name == "mean" {
            "mean (the paper's eq. 2)".to_string()
        } else {
            name.replace('_', " ")
        };
        add_option(&pooling, name, &label);
    }
    for (id, key) in FIELDS {
        let target: web_sys::EventTarget = by_id(id);
        on::<web_sys::Event>(&target, "change", move |_| apply(key, value_of(id)));
    }
    for radio in query_all("input[name=reducer]") {
        let input: HtmlInputElement = radio.unchecked_into();
        let value = input.value();
        on::<web_sys::Event>(&input, "change", move |_| apply("red", value.clone()));
    }
    let ox: HtmlSelectElement = by_id("ox-set");
    on::<web_sys::Event>(&ox, "change", |_| {
        let value = value_of("ox-set");
        if value != "upload" {
            apply("ox", value);
        }
    });
    on::<web_sys::Event>(&by_id::<web_sys::EventTarget>("known"), "change", |_| {
        let value = value_of("known");
        if value != "upload" {
            apply("db", value);
        }
    });
    on::<web_sys::Event>(&by_id::<web_sys::EventTarget>("cb-safe"), "change", |_| {
        let on = by_id::<HtmlInputElement>("cb-safe").checked();
        apply("pal", if on { "cb".into() } else { "paper".into() });
    });
    on::<web_sys::Event>(&by_id::<web_sys::EventTarget>("ox-file"), "change", |_| {
        read_upload(Upload::Ox)
    });
    on::<web_sys::Event>(
        &by_id::<web_sys::EventTarget>("known-file"),
        "change",
        |_| read_upload(Upload::Known),
    );
    for tab in Tab::ALL {
        let button: web_sys::EventTarget = by_id(&format!("tab-{}", tab.name()));
        on::<web_sys::Event>(&button, "click", move |_| {
            with_app(|app| app.set_state(|s| s.tab = tab));
        });
    }
    on::<web_sys::Event>(&by_id::<web_sys::EventTarget>("settings"), "submit", |e| {
        e.prevent_default()
    });
    on::<web_sys::Event>(&by_id::<web_sys::EventTarget>("share"), "click", |_| {
        share()
    });
}

pub fn query_all(selector: &str) -> Vec<web_sys::Element> {
    let list = dom::document()
        .query_selector_all(selector)
        .expect("valid selector");
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into().ok())
        .collect()
}

/// Shows the settings in force in every control.
pub fn sync(app: &App) {
    let state = &app.state;
    for (id, key) in FIELDS {
        set_value(id, &field_value(state, key));
    }
    for radio in query_all("input[name=reducer]") {
        let input: HtmlInputElement = radio.unchecked_into();
        input.set_checked(input.value() == state.reducer.name());
    }
    for e in query_all("[data-reducer]") {
        let shown = e.get_attribute("data-reducer").as_deref() == Some(state.reducer.name());
        dom::set_hidden(e.unchecked_ref(), !shown);
    }
    let ox = match state.ox {
        OxChoice::Builtin(s) => s.name(),
        OxChoice::Uploaded => "upload",
    };
    set_value("ox-set", ox);
    let known = match state.known {
        KnownSetting::Builtin(s) => s.name(),
        KnownSetting::None => "none",
        KnownSetting::Uploaded => "upload",
    };
    set_value("known", known);
    by_id::<HtmlInputElement>("cb-safe")
        .set_checked(state.palette == crate::plot::Palette::ColourBlindSafe);
    set_value("search", &state.search);
}

#[derive(Clone, Copy)]
enum Upload {
    Ox,
    Known,
}

/// Reads the chosen file, checks it here (so a bad file is reported at once,
/// with its line), then uses it.
fn read_upload(kind: Upload) {
    let input: HtmlInputElement = by_id(match kind {
        Upload::Ox => "ox-file",
        Upload::Known => "known-file",
    });
    let Some(file) = input.files().and_then(|f| f.get(0)) else {
        return;
    };
    let name = file.name();
    wasm_bindgen_futures::spawn_local(async move {
        let bytes = match JsFuture::from(file.array_buffer()).await {
            Ok(buffer) => js_sys::Uint8Array::new(&buffer).to_vec(),
            Err(_) => {
                return upload_error(&format!(
                    "'{name}' could not be read; choose the file again"
                ));
            }
        };
        let checked = match kind {
            Upload::Ox => std::str::from_utf8(&bytes)
                .map_err(|_| "the file is not UTF-8 text; save it as plain text".to_string())
                .and_then(|text| {
                    OxidationStates::parse_smact_file(&name, text)
                        .map(|s| format!("{} species", s.species_count()))
                        .map_err(|e| e.to_string())
                }),
            Upload::Known => KnownSet::parse_user_list(&name, &bytes)
                .map(|s| format!("{} compositions", s.len()))
                .map_err(|e| e.to_string()),
        };
        let summary = match checked {
            Ok(summary) => summary,
            Err(problem) => {
                return upload_error(&format!(
                    "'{name}' was not used: {problem}. The settings in force are unchanged."
                ));
            }
        };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        with_app(|app| {
            let old = app.chem_settings();
            match kind {
                Upload::Ox => {
                    app.uploads.ox = Some((name.clone(), text));
                    app.state.ox = OxChoice::Uploaded;
                }
                Upload::Known => {
                    app.uploads.known = Some((name.clone(), text));
                    app.state.known = KnownSetting::Uploaded;
                }
            }
            enable_upload_option(kind, &name);
            dom::set_hidden(&by_id::<HtmlElement>("upload-error"), true);
            messages::show(
                &format!("Using '{name}' ({summary})."),
                messages::Kind::Info,
            );
            app.uploads_changed(old);
        });
    });
}

fn enable_upload_option(kind: Upload, name: &str) {
    let select: HtmlSelectElement = by_id(match kind {
        Upload::Ox => "ox-set",
        Upload::Known => "known",
    });
    let options = select.options();
    for i in 0..options.length() {
        if let Some(o) = options.item(i)
            && o.get_attribute("value").as_deref() == Some("upload")
        {
            let _ = o.remove_attribute("disabled");
            o.set_text_content(Some(&format!("uploaded: {name}")));
        }
    }
}

fn upload_error(text: &str) {
    let e: HtmlElement = by_id("upload-error");
    e.set_text_content(Some(text));
    dom::set_hidden(&e, false);
    messages::show(text, messages::Kind::Error);
}

/// Copies the page's link (which holds every setting) to the clipboard.
fn share() {
    let url = dom::window().location().href().unwrap_or_default();
    let clipboard = js_sys::Reflect::get(&dom::window().navigator(), &"clipboard".into()).ok();
    let write = clipboard
        .as_ref()
        .and_then(|c| js_sys::Reflect::get(c, &"writeText".into()).ok())
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let copied = match (clipboard, write) {
        (Some(c), Some(f)) => f.call1(&c, &url.clone().into()).is_ok(),
        _ => false,
    };
    let text = if copied {
        "Link copied: it restores every setting and the view.".to_string()
    } else {
        format!("Copy this link to share the view: {url}")
    };
    messages::show(&text, messages::Kind::Info);
}
