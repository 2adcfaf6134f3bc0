//! The settings form, built from the parameter table ([`crate::params`]):
//! every setting with its label, a "?" that opens a sentence of help, and a
//! note beside it when a value is refused (the refused value stays in the
//! field to be corrected). Also the uploads and the tabs.

use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement};

use super::super::dispatch::{Dispatch, Msg};
use super::super::dom::{self, append, by_id, make};
use super::show_note;
use crate::params::{self, Kind, Param, Section, UPLOAD};
use crate::pipeline::protocol::UploadKind;
use crate::session::{Field, Input, Session};
use crate::view_state::{KnownSetting, OxChoice, Tab};

pub struct Controls {
    form: HtmlElement,
}

fn control(p: &Param) -> HtmlElement {
    match p.kind {
        Kind::Choice(choices) if p.key == "red" => {
            let group = make("div", "segmented", "");
            dom::set_attr(&group, "role", "radiogroup");
            dom::set_attr(&group, "aria-label", p.label);
            for c in choices() {
                let label = append(&group, make("label", "", ""));
                let input: HtmlInputElement =
                    append(&label, make("input", "", "")).unchecked_into();
                input.set_type("radio");
                input.set_name("reducer");
                input.set_value(c.value);
                append(&label, make("span", "", &format!(" {}", c.label)));
            }
            group
        }
        Kind::Flag => {
            let label = make("label", "check", "");
            let input: HtmlInputElement = append(&label, make("input", "", "")).unchecked_into();
            input.set_type("checkbox");
            input.set_id(p.field);
            append(&label, make("span", "", &format!(" {}", p.label)));
            label
        }
        Kind::Choice(_) if p.key == "pal" => {
            let label = make("label", "check", "");
            let input: HtmlInputElement = append(&label, make("input", "", "")).unchecked_into();
            input.set_type("checkbox");
            input.set_id(p.field);
            append(&label, make("span", "", &format!(" {}", p.label)));
            label
        }
        Kind::Choice(choices) => {
            let select: HtmlSelectElement = make("select", "", "").unchecked_into();
            select.set_id(p.field);
            let mut group: Option<(&str, HtmlElement)> = None;
            for c in choices() {
                let parent: HtmlElement = match (c.group, &group) {
                    (Some(name), Some((current, g))) if *current == name => g.clone(),
                    (Some(name), _) => {
                        let g = append(&select, make("optgroup", "", ""));
                        dom::set_attr(&g, "label", name);
                        group = Some((name, g.clone()));
                        g
                    }
                    (None, _) => select.clone().unchecked_into(),
                };
                let option = append(&parent, make("option", "", &c.label));
                dom::set_attr(&option, "value", c.value);
            }
            select.unchecked_into()
        }
        Kind::Whole { lo, hi } => number(p, &lo.to_string(), &hi.to_string(), "1", "numeric"),
        Kind::Size { .. } => {
            // A number or "all": text, with the usual choices a tap away.
            let wrap = make("span", "size-field", "");
            let input: HtmlInputElement = append(&wrap, make("input", "", "")).unchecked_into();
            input.set_id(p.field);
            dom::set_attr(&input, "autocomplete", "off");
            dom::set_attr(&input, "spellcheck", "false");
            dom::set_attr(&input, "placeholder", "3000 or all");
            let list_id = format!("{}-choices", p.field);
            dom::set_attr(&input, "list", &list_id);
            let list = append(&wrap, make("datalist", "", ""));
            list.set_id(&list_id);
            for (value, label) in [
                ("500", "500 of each: quick"),
                ("3000", "3,000 of each, as the paper"),
                ("all", "the whole space"),
            ] {
                let option = append(&list, make("option", "", label));
                dom::set_attr(&option, "value", value);
            }
            wrap
        }
        Kind::Decimal { lo, hi } => {
            let step = if hi <= 1.0 { "0.05" } else { "1" };
            number(p, &lo.to_string(), &hi.to_string(), step, "decimal")
        }
        Kind::Text => {
            let input: HtmlInputElement = make("input", "", "").unchecked_into();
            input.set_id(p.field);
            dom::set_attr(&input, "inputmode", "numeric");
            dom::set_attr(&input, "placeholder", "the icsd24 file");
            input.unchecked_into()
        }
    }
}

fn number(p: &Param, lo: &str, hi: &str, step: &str, mode: &str) -> HtmlElement {
    let input: HtmlInputElement = make("input", "", "").unchecked_into();
    input.set_type("number");
    input.set_id(p.field);
    dom::set_attr(&input, "min", lo);
    dom::set_attr(&input, "max", hi);
    dom::set_attr(&input, "step", step);
    dom::set_attr(&input, "inputmode", mode);
    input.unchecked_into()
}

/// A label with its "?" button and the help it opens.
fn labelled(host: &HtmlElement, p: &Param) -> HtmlElement {
    let field = append(host, make("div", "field", ""));
    dom::set_attr(&field, "data-key", p.key);
    if let Some(r) = p.only_for {
        dom::set_attr(&field, "data-reducer", r);
    }
    let head = append(&field, make("div", "field-head", ""));
    let checkbox = p.key == "pal" || matches!(p.kind, Kind::Flag);
    if !checkbox {
        let label = append(&head, make("label", "", p.label));
        if p.key != "red" {
            dom::set_attr(&label, "for", p.field);
        }
    }
    let help_id = format!("help-{}", p.key);
    let toggle = append(&head, make("button", "help-toggle", "?"));
    dom::set_attr(&toggle, "type", "button");
    dom::set_attr(&toggle, "aria-expanded", "false");
    dom::set_attr(&toggle, "aria-controls", &help_id);
    dom::set_attr(&toggle, "aria-label", &format!("What is {}?", p.label));
    let c = append(&field, control(p));
    if checkbox {
        head.insert_adjacent_element("afterbegin", &c).ok();
    }
    let help = append(&field, make("p", "help", p.help));
    help.set_id(&help_id);
    dom::set_hidden(&help, true);
    let note = append(&field, make("p", "field-note", ""));
    note.set_id(&format!("note-{}", p.key));
    dom::set_attr(&note, "role", "status");
    dom::set_hidden(&note, true);
    field
}

fn upload_input(host: &HtmlElement, id: &str, text: &str, accept: &str) {
    let label = append(host, make("label", "upload", text));
    let input: HtmlInputElement = append(&label, make("input", "", "")).unchecked_into();
    input.set_type("file");
    input.set_id(id);
    dom::set_attr(&input, "accept", accept);
    let note = append(host, make("p", "field-note", ""));
    note.set_id(&format!("note-{id}"));
    dom::set_attr(&note, "role", "status");
    dom::set_hidden(&note, true);
}

impl Controls {
    pub fn mount(dispatch: &Dispatch) -> Controls {
        let form: HtmlElement = by_id("settings");
        for section in Section::FORM {
            let set = append(&form, make("fieldset", "", ""));
            append(&set, make("legend", "", section.title()));
            for p in params::form().filter(|p| p.section == section) {
                labelled(&set, p);
                match p.key {
                    "ox" => upload_input(
                        &set,
                        "ox-file",
                        "Upload a set (SMACT's format: a symbol, then its charges, per line)",
                        ".txt,text/plain",
                    ),
                    "db" => upload_input(
                        &set,
                        "known-file",
                        "Upload formulas (text, CSV with a 'formula' column, or JSON)",
                        ".txt,.csv,.tsv,.json,text/plain,text/csv,application/json",
                    ),
                    _ => {}
                }
            }
        }
        let d = dispatch.clone();
        dom::on::<web_sys::Event>(&form, "change", move |e| {
            let Some(target) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            else {
                return;
            };
            if let Some(input) = target.dyn_ref::<HtmlInputElement>() {
                match (input.type_().as_str(), input.id().as_str()) {
                    ("file", id) => {
                        if let Some(file) = input.files().and_then(|f| f.get(0)) {
                            let kind = if id == "ox-file" {
                                UploadKind::OxidationStates
                            } else {
                                UploadKind::KnownList
                            };
                            d.send(Msg::UploadChosen { kind, file });
                        }
                        // Choosing the same file again is a change too.
                        input.set_value("");
                        return;
                    }
                    ("radio", _) => return d.input(field_input("red", input.value())),
                    ("checkbox", "cb-safe") => {
                        let v = if input.checked() { "cb" } else { "paper" };
                        return d.input(field_input("pal", v.into()));
                    }
                    ("checkbox", id) => {
                        if let Some(p) = params::by_field(id) {
                            let v = if input.checked() { "1" } else { "0" };
                            d.input(field_input(p.key, v.into()));
                        }
                        return;
                    }
                    _ => {}
                }
            }
            if let Some(p) = params::by_field(&target.id()) {
                d.input(field_input(p.key, value_of(&target)));
            }
        });
        dom::on::<web_sys::Event>(&form, "submit", |e| e.prevent_default());
        dom::on::<web_sys::MouseEvent>(&form, "click", |e| {
            let Some(toggle) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .filter(|t| t.class_list().contains("help-toggle"))
            else {
                return;
            };
            let open = toggle.get_attribute("aria-expanded").as_deref() != Some("true");
            dom::set_attr(
                &toggle,
                "aria-expanded",
                if open { "true" } else { "false" },
            );
            if let Some(id) = toggle.get_attribute("aria-controls") {
                dom::set_hidden(&by_id::<HtmlElement>(&id), !open);
            }
        });
        Controls { form }
    }

    pub fn render(&self, session: &Session) {
        let state = session.state();
        for p in params::form() {
            let note = session.field_note(Field::Param(p.key));
            let value = note
                .and_then(|n| n.typed.clone())
                .unwrap_or_else(|| state.get(p.key));
            match p.key {
                "red" => {
                    for radio in dom::query_all(&self.form, "input[name=reducer]") {
                        let input: HtmlInputElement = radio.unchecked_into();
                        input.set_checked(input.value() == state.reducer.name());
                    }
                }
                "pal" => by_id::<HtmlInputElement>(p.field).set_checked(value == "cb"),
                _ if matches!(p.kind, Kind::Flag) => {
                    by_id::<HtmlInputElement>(p.field).set_checked(value == "1")
                }
                "ox" | "db" => {
                    self.upload_options(session, p);
                    set_value(p.field, &value);
                }
                _ => set_value(p.field, &value),
            }
            show_note(&by_id(&format!("note-{}", p.key)), note);
        }
        // The ICSD 2024 thresholds belong to the icsd24 set.
        let icsd24 = state.ox == OxChoice::Builtin(crate::data::OxidationSet::Icsd24);
        for key in ["cons", "comm"] {
            for e in dom::query_all(&self.form, &format!("[data-key={key}]")) {
                dom::set_hidden(e.unchecked_ref(), !icsd24);
            }
        }
        for e in dom::query_all(&self.form, "[data-reducer]") {
            let shown = e.get_attribute("data-reducer").as_deref() == Some(state.reducer.name());
            dom::set_hidden(e.unchecked_ref(), !shown);
        }
        show_note(&by_id("note-ox-file"), session.field_note(Field::OxFile));
        show_note(
            &by_id("note-known-file"),
            session.field_note(Field::KnownFile),
        );
    }

    /// The "uploaded" choices, named after the files, once there are files.
    fn upload_options(&self, session: &Session, p: &Param) {
        let select: HtmlSelectElement = by_id(p.field);
        for e in dom::query_all(&select, "option[data-upload]") {
            e.remove();
        }
        let options = dom::query_all(&select, "option");
        let upload = options
            .iter()
            .find(|o| o.get_attribute("value").as_deref() == Some(UPLOAD));
        let kind = if p.key == "ox" {
            UploadKind::OxidationStates
        } else {
            UploadKind::KnownList
        };
        let Some(upload) = upload else {
            return;
        };
        match session.uploads().describe(kind) {
            None => {
                dom::set_attr(upload, "disabled", "");
                upload.set_text_content(Some(if p.key == "ox" {
                    "uploaded file (upload one below)"
                } else {
                    "uploaded list (upload one below)"
                }));
            }
            Some((name, _)) => {
                let _ = upload.remove_attribute("disabled");
                if p.key == "ox" {
                    upload.set_text_content(Some(&format!("uploaded: {name}")));
                } else {
                    upload.set_text_content(Some(&format!("only your list {name}")));
                    for source in crate::data::KnownSource::ALL {
                        let value = KnownSetting {
                            database: Some(source),
                            upload: true,
                        }
                        .name();
                        let title = options
                            .iter()
                            .find(|o| o.get_attribute("value").as_deref() == Some(source.name()))
                            .and_then(|o| o.text_content())
                            .unwrap_or_default();
                        let option = append(
                            &select,
                            make("option", "", &format!("{title} + your list {name}")),
                        );
                        dom::set_attr(&option, "value", &value);
                        dom::set_attr(&option, "data-upload", "");
                    }
                }
            }
        }
    }
}

fn field_input(key: &str, value: String) -> Input {
    Input::Field {
        key: key.into(),
        value,
    }
}

fn value_of(e: &web_sys::Element) -> String {
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

/// The tabs in the header: which panel is on screen.
pub struct Tabs;

impl Tabs {
    pub fn mount(dispatch: &Dispatch) -> Tabs {
        for tab in Tab::ALL {
            let button: web_sys::EventTarget = by_id(&format!("tab-{}", tab.name()));
            let d = dispatch.clone();
            dom::on::<web_sys::Event>(&button, "click", move |_| d.input(Input::ShowTab(tab)));
        }
        Tabs
    }

    pub fn render(&self, session: &Session) {
        let current = session.state().tab;
        for tab in Tab::ALL {
            let selected = tab == current;
            let button: web_sys::Element = by_id(&format!("tab-{}", tab.name()));
            dom::set_attr(
                &button,
                "aria-selected",
                if selected { "true" } else { "false" },
            );
            dom::set_hidden(
                &by_id::<HtmlElement>(&format!("panel-{}", tab.name())),
                !selected,
            );
        }
    }
}
