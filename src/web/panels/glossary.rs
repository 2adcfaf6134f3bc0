//! The glossary panel: every word the page uses, explained, with where to
//! read more ([`crate::glossary`]).

use wasm_bindgen::JsCast;

use super::super::dom::{append, by_id, make, set_attr};
use crate::glossary::{GLOSSARY, READING};

/// Builds the glossary once; it does not change.
pub fn mount() {
    let host: web_sys::HtmlElement = by_id("glossary");
    let list = append(&host, make("dl", "glossary", ""));
    for t in GLOSSARY {
        let term = append(&list, make("dt", "", t.term));
        term.set_id(&format!("glossary-{}", t.anchor));
        append(&list, make("dd", "", t.definition));
    }
    append(&host, make("h3", "", "Read more"));
    let reading = append(&host, make("ul", "reading", ""));
    for (title, url) in READING {
        let item = append(&reading, make("li", "", ""));
        let a: web_sys::HtmlAnchorElement = append(&item, make("a", "", title)).unchecked_into();
        a.set_href(url);
        set_attr(&a, "rel", "noopener");
    }
}
