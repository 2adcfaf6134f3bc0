//! Inline messages above the page: link problems, worker restarts, failures.
//! Each says what happened and what to do, and can be dismissed.

use super::dom;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Info,
    Warning,
    Error,
}

/// Most messages shown at once; older ones go first.
const MAX_SHOWN: u32 = 4;

/// Shows `text`; a message identical to one already shown is not repeated.
pub fn show(text: &str, kind: Kind) {
    let host: web_sys::HtmlElement = dom::by_id("messages");
    let children = host.children();
    for i in 0..children.length() {
        if let Some(c) = children.item(i)
            && c.get_attribute("data-text").as_deref() == Some(text)
        {
            return;
        }
    }
    while host.child_element_count() >= MAX_SHOWN {
        if let Some(first) = host.first_element_child() {
            first.remove();
        }
    }
    let class = match kind {
        Kind::Info => "message",
        Kind::Warning => "message warning",
        Kind::Error => "message error",
    };
    let message = dom::append(&host, dom::make("div", class, ""));
    dom::set_attr(&message, "data-text", text);
    if kind == Kind::Error {
        dom::set_attr(&message, "role", "alert");
    }
    dom::append(&message, dom::make("span", "", text));
    let close = dom::append(&message, dom::make("button", "", "Dismiss"));
    dom::set_attr(&close, "type", "button");
    let target = message.clone();
    dom::on::<web_sys::Event>(&close, "click", move |_| target.remove());
    if kind == Kind::Info {
        let target = message.clone();
        dom::after(8000, move || target.remove());
    }
}
