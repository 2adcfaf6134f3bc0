//! Exports of the map as a picture: PNG (for slides: 1x, 2x or 4x the size
//! on screen, with title and legend large enough to read when projected) or
//! SVG (plotters' SVG backend), with the density contours and the placed
//! formulas as on screen. The CSV files are made by the session.

use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::canvas::MapCanvas;
use super::dom;
use super::dom::blit;
use crate::plot::colour::{ColourBy, anion_colour, sequential};
use crate::plot::density::draw_contours;
use crate::plot::{
    Layers, LegendEntry, MapStyle, RgbaCanvas, Viewport, draw_labels, draw_placed, draw_points,
    grouped, render_svg_layers,
};
use crate::session::Session;

/// Text on an exported figure is this much larger than on screen, relative
/// to the figure, so it reads when projected.
const SLIDE_TEXT: f64 = 1.6;

/// What the colours mean, with counts, for an exported figure; last, the
/// placed formulas' diamonds when there are any.
fn legend_entries(session: &Session) -> Vec<LegendEntry> {
    let mut entries = colour_entries(session);
    let placed = session.map_model().placed.len();
    if placed > 0 {
        entries.push(LegendEntry {
            colour: [30, 30, 30],
            label: format!("◆ placed formulas ({placed})"),
        });
    }
    entries
}

fn colour_entries(session: &Session) -> Vec<LegendEntry> {
    let state = session.state();
    match state.colour {
        ColourBy::Category => session
            .legend_counts()
            .into_iter()
            .filter(|(c, _, _)| !state.hidden.contains(c))
            .map(|(c, shown, _)| LegendEntry {
                colour: state.palette.category(c),
                label: format!("{c} ({})", grouped(shown as u64)),
            })
            .collect(),
        ColourBy::Anion => session
            .anion_counts()
            .into_iter()
            .map(|(a, n)| LegendEntry {
                colour: anion_colour(a),
                label: format!("{} ({})", a.name(), grouped(n as u64)),
            })
            .collect(),
        ColourBy::Property(p) => match session.map_model().range {
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

fn text_parts(text: &str) -> js_sys::Array {
    js_sys::Array::of1(&JsValue::from_str(text))
}

/// The picture's image format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Image {
    /// Scaled 1x, 2x or 4x the size on screen.
    Png {
        scale: u32,
    },
    Svg,
}

/// Exports the map as a picture (the CSV files are the session's:
/// `Input::ExportCsv`); an error is the message to show.
pub fn image(what: Image, session: &Session, canvas: &MapCanvas) -> Result<(), String> {
    let (Some(layout), Some(view)) = (session.shown_layout(), canvas.view()) else {
        return Err("There is no map to export yet; wait for it to be drawn.".into());
    };
    let css = canvas.css_size();
    let fitted = |scale: f64| {
        let bounds = crate::plot::Bounds::of(&layout.coords)?;
        let (w, h) = (
            (css.0 * scale).round() as u32,
            (css.1 * scale).round() as u32,
        );
        let mut vp = Viewport::fit(bounds, w, h, 24.0 * scale);
        vp.cx = view.cx;
        vp.cy = view.cy;
        vp.scale = vp.fit_scale * view.zoom;
        Some(vp)
    };
    let outlines: Vec<_> = session
        .state()
        .selection
        .shapes()
        .map(|(_, s)| s.clone())
        .collect();
    let model = session.map_model();
    let scene = model.scene(&layout.coords, None, &outlines);
    let layers = Layers {
        contours: session.contours(),
        palette: session.state().palette,
        placed: &model.placed,
    };
    let labels = session.map_labels();
    let legend = legend_entries(session);
    let stem = session.export_stem();
    match what {
        Image::Svg => {
            let vp = fitted(1.0).ok_or("the map has no finite points")?;
            let style = MapStyle {
                radius: 2,
                pixel_ratio: 1.0,
                ..MapStyle::default()
            };
            let svg = render_svg_layers(&scene, &layers, &vp, &style, &labels, &legend)
                .map_err(|e| format!("The SVG could not be made: {e}."))?;
            dom::download(&format!("{stem}.svg"), "image/svg+xml", &text_parts(&svg));
        }
        Image::Png { scale } => {
            let scale = f64::from(scale.max(1));
            let vp = fitted(scale).ok_or("the map has no finite points")?;
            let png: web_sys::HtmlCanvasElement = dom::make("canvas", "", "").unchecked_into();
            png.set_width(vp.width);
            png.set_height(vp.height);
            let points = MapStyle {
                radius: (2.2 * scale).round().max(1.0) as u32,
                pixel_ratio: scale,
                ..MapStyle::default()
            };
            let mut pixels = vec![0u8; vp.width as usize * vp.height as usize * 4];
            if let Some(mut raster) = RgbaCanvas::new(&mut pixels, vp.width, vp.height) {
                raster.clear([255, 255, 255, 255]);
                let _ = draw_contours(&mut raster, layers.contours, layers.palette, &vp, &points);
                let _ = draw_points(&mut raster, &scene, &vp, &points);
                let _ = draw_placed(&mut raster, layers.placed, &vp, &points);
            }
            if let Some(context) = dom::context_2d(&png) {
                blit(&context, &pixels, vp.width, vp.height);
            }
            let text = MapStyle {
                pixel_ratio: scale * SLIDE_TEXT,
                ..points
            };
            if let Some(backend) = CanvasBackend::with_canvas_object(png.clone()) {
                let _ = draw_labels(&backend.into_drawing_area(), &labels, Some(&legend), &text);
            }
            let name = format!("{stem}-{}x.png", scale as u32);
            let callback = Closure::once_into_js(move |blob: JsValue| {
                if let Ok(blob) = blob.dyn_into::<web_sys::Blob>() {
                    dom::download_blob(&name, &blob);
                }
            });
            png.to_blob(callback.unchecked_ref())
                .map_err(|_| "The PNG could not be made.".to_string())?;
        }
    }
    Ok(())
}
