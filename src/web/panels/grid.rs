//! Small multiples: the paper's grid of six element embeddings by three
//! reducers for the current sample, drawn as each panel finishes; choosing
//! one opens it large.

use wasm_bindgen::JsCast;
use web_sys::{HtmlCanvasElement, HtmlElement};

use super::super::dispatch::Dispatch;
use super::super::dom::{self, append, blit, by_id, context_2d, make};
use crate::plot::map::category_layer;
use crate::plot::{Bounds, MapScene, MapStyle, RgbaCanvas, Viewport, draw_points};
use crate::reduce::Method;
use crate::session::{CellState, GridCell, Input, Session};
use crate::view_state::paper_embeddings;

/// Alpha of a point in a small panel: lower than on the map, so density shows.
const PANEL_ALPHA: u8 = 170;

pub struct GridPanel {
    host: HtmlElement,
}

impl GridPanel {
    pub fn mount(dispatch: &Dispatch) -> GridPanel {
        let host: HtmlElement = by_id("small-multiples");
        append(&host, make("span", "", ""));
        for e in paper_embeddings() {
            append(&host, make("span", "col-head", e));
        }
        for method in Method::ALL {
            append(&host, make("span", "row-head", method.title()));
            for e in paper_embeddings() {
                let panel = append(&host, make("button", "sm-panel", ""));
                dom::set_attr(&panel, "type", "button");
                dom::set_attr(&panel, "data-cell", &format!("{}-{e}", method.name()));
                append(&panel, make("canvas", "", ""));
                append(&panel, make("span", "sm-state", ""));
            }
        }
        let d = dispatch.clone();
        dom::on::<web_sys::MouseEvent>(&host, "click", move |e| {
            let Some(cell) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|t| t.closest("[data-cell]").ok().flatten())
                .and_then(|c| c.get_attribute("data-cell"))
            else {
                return;
            };
            let Some((method, embedding)) = cell.split_once('-') else {
                return;
            };
            if let Some(method) = Method::from_name(method) {
                d.input(Input::OpenGridCell {
                    embedding: embedding.into(),
                    method,
                });
            }
        });
        let d = dispatch.clone();
        dom::on::<web_sys::Event>(
            &by_id::<web_sys::EventTarget>("grid-stop"),
            "click",
            move |_| {
                let running = by_id::<web_sys::Element>("grid-stop").get_attribute("data-action");
                d.input(match running.as_deref() {
                    Some("stop") => Input::StopGrid,
                    _ => Input::ComputeGrid,
                });
            },
        );
        GridPanel { host }
    }

    pub fn render(&self, session: &Session) {
        if self.host.offset_parent().is_none() {
            return;
        }
        for cell in session.grid_cells() {
            let selector = format!(
                "[data-cell='{}-{}']",
                cell.params.method().name(),
                cell.embedding
            );
            let Some(panel) = self.host.query_selector(&selector).ok().flatten() else {
                continue;
            };
            let (Some(canvas), Some(state)) = (
                panel.query_selector("canvas").ok().flatten(),
                panel.query_selector(".sm-state").ok().flatten(),
            ) else {
                continue;
            };
            let canvas: HtmlCanvasElement = canvas.unchecked_into();
            let state: HtmlElement = state.unchecked_into();
            let name = format!("{} of {}", cell.params.title(), cell.embedding);
            let (text, why) = match &cell.state {
                CellState::Ready => {
                    draw_panel(&canvas, &cell, session);
                    dom::set_attr(&panel, "aria-label", &format!("{name}: open large"));
                    (String::new(), String::new())
                }
                CellState::Computing => ("computing…".into(), String::new()),
                CellState::Waiting => ("waiting…".into(), String::new()),
                CellState::Failed(m) => ("not available".into(), m.clone()),
                CellState::NotComputed => ("not computed".into(), String::new()),
            };
            dom::set_hidden(&state, text.is_empty());
            state.set_text_content(Some(&text));
            if !text.is_empty() {
                dom::set_attr(&panel, "aria-label", &format!("{name}: {text}"));
                if let Some(c) = context_2d(&canvas) {
                    c.clear_rect(
                        0.0,
                        0.0,
                        f64::from(canvas.width()),
                        f64::from(canvas.height()),
                    );
                }
            }
            dom::set_attr(&panel, "title", &why);
        }
        let status = session.grid_status();
        dom::set_text("grid-status-text", &status.text);
        let _ = by_id::<HtmlElement>("grid-progress")
            .set_attribute("value", &status.fraction.to_string());
        let stop: HtmlElement = by_id("grid-stop");
        stop.set_text_content(Some(if status.running { "Stop" } else { "Compute" }));
        dom::set_attr(
            &stop,
            "data-action",
            if status.running { "stop" } else { "compute" },
        );
        dom::set_hidden(&stop, status.complete);
    }
}

fn draw_panel(canvas: &HtmlCanvasElement, cell: &GridCell, session: &Session) {
    let Some(layout) = &cell.layout else {
        return;
    };
    let ratio = dom::window().device_pixel_ratio().clamp(1.0, 2.0);
    let side = (f64::from(canvas.client_width().max(60)) * ratio) as u32;
    canvas.set_width(side);
    canvas.set_height(side);
    let Some(bounds) = Bounds::of(&layout.coords) else {
        return;
    };
    let state = session.state();
    let points = layout.points();
    let colours: Vec<[u8; 4]> = (0..points.len())
        .map(|i| {
            let c = state.palette.category(points.category(i));
            [c[0], c[1], c[2], PANEL_ALPHA]
        })
        .collect();
    let mut order: Vec<u32> = (0..points.len() as u32)
        .filter(|&i| !state.hidden.contains(&points.category(i as usize)))
        .collect();
    order.sort_by_key(|&i| category_layer(points.category(i as usize)));
    let scene = MapScene {
        coords: &layout.coords,
        colours: &colours,
        order: &order,
        highlighted: &[],
        focus: None,
        hover: None,
        outlines: &[],
    };
    // Single pixels (radius 0) at this size, so dense regions show density.
    let style = MapStyle {
        radius: (ratio - 1.0).round().max(0.0) as u32,
        pixel_ratio: ratio,
        ..MapStyle::default()
    };
    let view = Viewport::fit(bounds, side, side, 6.0 * ratio);
    let mut pixels = vec![0u8; side as usize * side as usize * 4];
    if let Some(mut raster) = RgbaCanvas::new(&mut pixels, side, side) {
        raster.clear([255, 255, 255, 255]);
        let _ = draw_points(&mut raster, &scene, &view, &style);
    }
    if let Some(context) = context_2d(canvas) {
        blit(&context, &pixels, side, side);
    }
}
