//! Exports: the map as PNG (drawn at screen resolution with its legend) or
//! SVG (plotters' SVG backend), the sample or the selection as CSV.

use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::app::{App, with_app};
use super::dom::{self, by_id, on};
use super::messages;
use crate::export::{CsvPoint, points_csv};
use crate::plot::{MapStyle, Viewport, draw_labels, render_svg};

fn file_stem(app: &App) -> String {
    let method = app.map.layout.as_ref().map_or("map".to_string(), |l| {
        l.method.to_lowercase().replace('-', "")
    });
    format!(
        "crystal-atlas-n{}-{}-{}",
        app.state.order, app.state.embedding, method
    )
}

fn text_parts(text: &str) -> js_sys::Array {
    js_sys::Array::of1(&JsValue::from_str(text))
}

fn not_ready() {
    messages::show(
        "There is no map to export yet; wait for it to be drawn.",
        messages::Kind::Info,
    );
}

fn export_svg(app: &App) {
    let (Some(scene), Some(vp)) = (app.map.scene(), app.map.viewport) else {
        return not_ready();
    };
    // The SVG is laid out in CSS pixels, however dense the screen.
    let ratio = app.map.style().pixel_ratio;
    let view = Viewport {
        width: (f64::from(vp.width) / ratio).round() as u32,
        height: (f64::from(vp.height) / ratio).round() as u32,
        scale: vp.scale / ratio,
        fit_scale: vp.fit_scale / ratio,
        ..vp
    };
    let style = MapStyle {
        radius: 2,
        pixel_ratio: 1.0,
        ..MapStyle::default()
    };
    match render_svg(
        &scene,
        &view,
        &style,
        &app.map.labels,
        &super::legend::entries(app),
    ) {
        Ok(svg) => dom::download(
            &format!("{}.svg", file_stem(app)),
            "image/svg+xml",
            &text_parts(&svg),
        ),
        Err(e) => messages::show(
            &format!("The SVG could not be made: {e}."),
            messages::Kind::Error,
        ),
    }
}

fn export_png(app: &App) {
    let (Some(scene), Some(vp)) = (app.map.scene(), app.map.viewport) else {
        return not_ready();
    };
    let canvas: web_sys::HtmlCanvasElement = dom::make("canvas", "", "").unchecked_into();
    canvas.set_width(vp.width);
    canvas.set_height(vp.height);
    let style = app.map.style();
    super::map_view::paint_points(&canvas, &scene, &vp, &style);
    if let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) {
        let _ = draw_labels(
            &backend.into_drawing_area(),
            &app.map.labels,
            Some(&super::legend::entries(app)),
            &style,
        );
    }
    let name = format!("{}.png", file_stem(app));
    let callback =
        Closure::once_into_js(
            move |blob: JsValue| match blob.dyn_into::<web_sys::Blob>() {
                Ok(blob) => dom::download_blob(&name, &blob),
                Err(_) => messages::show("The PNG could not be made.", messages::Kind::Error),
            },
        );
    let _ = canvas.to_blob(callback.unchecked_ref());
}

/// CSV of every sampled composition, or of the selected points only.
fn export_csv(app: &App, selection_only: bool) {
    let Some(layout) = app.map.layout.as_ref() else {
        return not_ready();
    };
    let sample = &layout.sample;
    let axis = layout.method.to_lowercase().replace('-', "");
    let mut xy: Vec<Option<(f32, f32)>> = vec![None; sample.formulas.len()];
    for (i, &row) in layout.kept.iter().enumerate() {
        xy[row as usize] = Some((layout.coords[2 * i], layout.coords[2 * i + 1]));
    }
    let rows: Vec<usize> = if selection_only {
        app.map
            .selected
            .iter()
            .map(|&i| layout.kept[i] as usize)
            .collect()
    } else {
        (0..sample.formulas.len()).collect()
    };
    let csv = points_csv(
        &axis,
        rows.iter().map(|&r| CsvPoint {
            formula: &sample.formulas[r],
            category: sample.categories[r],
            xy: xy[r],
        }),
    );
    let suffix = if selection_only { "-selection" } else { "" };
    dom::download(
        &format!("{}{suffix}.csv", file_stem(app)),
        "text/csv",
        &text_parts(&csv),
    );
}

/// Closes the export menu once a choice is made.
fn close_menu() {
    if let Some(menu) = dom::document()
        .query_selector("details.export")
        .ok()
        .flatten()
    {
        let _ = menu.remove_attribute("open");
    }
}

pub fn install() {
    on::<web_sys::Event>(
        &by_id::<web_sys::EventTarget>("export-svg"),
        "click",
        |_| {
            with_app(|app| export_svg(app));
            close_menu();
        },
    );
    on::<web_sys::Event>(
        &by_id::<web_sys::EventTarget>("export-png"),
        "click",
        |_| {
            with_app(|app| export_png(app));
            close_menu();
        },
    );
    on::<web_sys::Event>(
        &by_id::<web_sys::EventTarget>("export-csv"),
        "click",
        |_| {
            with_app(|app| export_csv(app, false));
            close_menu();
        },
    );
    on::<web_sys::Event>(
        &by_id::<web_sys::EventTarget>("export-selection"),
        "click",
        |_| {
            with_app(|app| export_csv(app, true));
            close_menu();
        },
    );
}
