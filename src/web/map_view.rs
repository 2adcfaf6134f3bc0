//! The map on the page: drawing, hover, click, zoom, pan, pinch, box and
//! lasso selection.
//!
//! Points are drawn by `plot::draw_points` into an RGBA buffer (the
//! `RgbaCanvas` plotters backend) and blitted with one `putImageData`; the
//! labels are drawn over it with plotters-canvas. A redraw is scheduled on the
//! next animation frame and coalesced, and its time is measured and shown in
//! the debug panel. Hover uses a `HitGrid` built once per layout.

use std::rc::Rc;

use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlElement};

use super::app::{LayoutData, with_app};
use super::dom::{self, by_id, on, on_active};
use crate::anion::AnionClass;
use crate::chem::{Composition, Element};
use crate::label::Category;
use crate::plot::colour::{ColourBy, Range, anion_colour, sequential};
use crate::plot::{
    Bounds, HitGrid, MapLabels, MapScene, MapStyle, RgbaCanvas, Selection, Viewport,
    category_layer, draw_labels, draw_points, grouped,
};
use crate::view_state::{View, ViewState};

/// Pixels of empty margin around a fitted map.
const MARGIN: f64 = 24.0;
/// Movement (CSS pixels) below which a press is a click, not a drag.
const CLICK_SLOP: f64 = 4.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Pan,
    Box,
    Lasso,
}

/// A drag in progress.
struct Drag {
    start: (f64, f64),
    last: (f64, f64),
    moved: bool,
}

/// The status line over the map: text, progress fraction, whether it can be cancelled.
pub type Status = (String, Option<f64>, bool);

pub struct MapView {
    canvas: HtmlCanvasElement,
    context: CanvasRenderingContext2d,
    pub layout: Option<Rc<LayoutData>>,
    pub viewport: Option<Viewport>,
    bounds: Option<Bounds>,
    /// The user zoomed or panned: new snapshots of the layout keep the view.
    user_moved: bool,
    pixel_ratio: f64,
    pixels: Vec<u8>,
    grid: Option<HitGrid>,
    pub colours: Vec<[u8; 4]>,
    pub order: Vec<u32>,
    pub visible: Vec<bool>,
    pub highlighted: Vec<u32>,
    pub values: Vec<Option<f64>>,
    pub range: Option<Range>,
    pub focus: Option<u32>,
    pub hover: Option<u32>,
    pub selection: Option<Selection>,
    pub selected: Vec<usize>,
    pub mode: Mode,
    drag: Option<Drag>,
    /// Active pointers (id, x, y) in device pixels, for pinch zoom.
    pointers: Vec<(i32, f64, f64)>,
    pinch: Option<f64>,
    draw_pending: bool,
    pub labels: MapLabels,
    pub last_draw_ms: f64,
    pub slowest_draw_ms: f64,
    pub draws: u32,
}

impl MapView {
    pub fn new() -> MapView {
        let canvas: HtmlCanvasElement = by_id("map");
        let context = context_2d(&canvas).expect("the browser offers a 2-D canvas");
        MapView {
            canvas,
            context,
            layout: None,
            viewport: None,
            bounds: None,
            user_moved: false,
            pixel_ratio: 1.0,
            pixels: Vec::new(),
            grid: None,
            colours: Vec::new(),
            order: Vec::new(),
            visible: Vec::new(),
            highlighted: Vec::new(),
            values: Vec::new(),
            range: None,
            focus: None,
            hover: None,
            selection: None,
            selected: Vec::new(),
            mode: Mode::Pan,
            drag: None,
            pointers: Vec::new(),
            pinch: None,
            draw_pending: false,
            labels: MapLabels::default(),
            last_draw_ms: 0.0,
            slowest_draw_ms: 0.0,
            draws: 0,
        }
    }

    pub fn layout_key(&self) -> Option<&str> {
        self.layout.as_ref().map(|l| l.key.as_str())
    }

    pub fn layout_is_final(&self) -> bool {
        self.layout.as_ref().is_some_and(|l| l.last)
    }

    /// Shows a (new or updated) layout. A new map is fitted to the screen, or
    /// put at the view a link asked for; a new snapshot of the same map keeps
    /// the view the user chose.
    pub fn set_layout(&mut self, layout: Rc<LayoutData>, saved: Option<View>) {
        let same_map = self.layout.as_ref().is_some_and(|l| l.key == layout.key);
        if !same_map {
            self.user_moved = saved.is_some();
            self.selection = None;
            self.selected.clear();
            self.hover = None;
        }
        self.bounds = Bounds::of(&layout.coords);
        self.grid = Some(HitGrid::build(&layout.coords));
        self.layout = Some(layout);
        self.resize();
        if let (Some(b), Some(v)) = (self.bounds, saved.filter(|_| !same_map)) {
            let mut vp = Viewport::fit(
                b,
                self.device_width(),
                self.device_height(),
                MARGIN * self.pixel_ratio,
            );
            vp.cx = v.cx;
            vp.cy = v.cy;
            vp.scale = vp.fit_scale * v.zoom;
            self.viewport = Some(vp);
        } else if !self.user_moved {
            self.fit();
        }
        if let Some(sel) = &self.selection {
            self.selected = sel.select(&self.layout.as_ref().expect("set").coords, |i| {
                self.visible.get(i) == Some(&true)
            });
        }
    }

    fn device_width(&self) -> u32 {
        self.canvas.width()
    }

    fn device_height(&self) -> u32 {
        self.canvas.height()
    }

    /// Fits the whole map on screen.
    pub fn fit(&mut self) {
        if let Some(b) = self.bounds {
            let vp = Viewport::fit(
                b,
                self.device_width(),
                self.device_height(),
                MARGIN * self.pixel_ratio,
            );
            // Keep the zoom reference of a map the user never moved.
            self.viewport = Some(vp);
        }
    }

    pub fn reset_view(&mut self) {
        self.user_moved = false;
        self.fit();
        self.request_draw();
    }

    /// The view to store in the link, when the user moved it.
    pub fn saved_view(&self) -> Option<View> {
        let vp = self.viewport.filter(|_| self.user_moved)?;
        Some(View {
            cx: vp.cx,
            cy: vp.cy,
            zoom: vp.zoom(),
        })
    }

    /// Matches the canvas buffer to its size on screen.
    fn resize(&mut self) {
        let ratio = dom::window().device_pixel_ratio().clamp(1.0, 3.0);
        let rect = self.canvas.get_bounding_client_rect();
        let (w, h) = (
            (rect.width() * ratio).round().max(1.0) as u32,
            (rect.height() * ratio).round().max(1.0) as u32,
        );
        if w != self.canvas.width() || h != self.canvas.height() || ratio != self.pixel_ratio {
            self.canvas.set_width(w);
            self.canvas.set_height(h);
            self.pixel_ratio = ratio;
            if let (Some(vp), Some(b)) = (self.viewport, self.bounds) {
                self.viewport = Some(vp.resized(b, w, h, MARGIN * ratio));
            }
        }
        let needed = w as usize * h as usize * 4;
        if self.pixels.len() != needed {
            self.pixels = vec![0; needed];
        }
    }

    /// Recomputes colours, drawing order and highlights from the settings.
    pub fn restyle(&mut self, state: &ViewState) {
        let Some(layout) = self.layout.clone() else {
            return;
        };
        let sample = &layout.sample;
        let n = layout.kept.len();
        let comp = |i: usize| &sample.compositions[layout.kept[i] as usize];
        let cat = |i: usize| sample.categories[layout.kept[i] as usize];
        self.visible = (0..n).map(|i| !state.hidden.contains(&cat(i))).collect();
        self.values = match state.colour {
            ColourBy::Property(p) => (0..n).map(|i| p.of_composition(comp(i))).collect(),
            _ => Vec::new(),
        };
        self.range = Range::of(self.values.iter().flatten().copied());
        let element = state.element;
        let faded = |i: usize| element.is_some_and(|e| !comp(i).contains(e));
        self.colours = (0..n)
            .map(|i| {
                let rgb = match state.colour {
                    ColourBy::Category => state.palette.category(cat(i)),
                    ColourBy::Anion => anion_colour(AnionClass::of(comp(i))),
                    ColourBy::Property(_) => sequential(match (self.values[i], self.range) {
                        (Some(v), Some(r)) => r.unit(v),
                        _ => f64::NAN,
                    }),
                };
                [rgb[0], rgb[1], rgb[2], if faded(i) { 45 } else { 215 }]
            })
            .collect();
        let mut order: Vec<u32> = (0..n as u32)
            .filter(|&i| self.visible[i as usize])
            .collect();
        order.sort_by_key(|&i| (!faded(i as usize), category_layer(cat(i as usize))));
        self.order = order;
        self.highlighted = search_matches(&state.search, n, comp)
            .into_iter()
            .filter(|&i| self.visible[i])
            .map(|i| i as u32)
            .collect();
        let focus = state
            .focus
            .as_deref()
            .and_then(|f| Composition::parse(f).ok());
        self.focus = focus
            .and_then(|f| (0..n).find(|&i| comp(i) == &f))
            .map(|i| i as u32);
        if self
            .hover
            .is_some_and(|h| !self.visible.get(h as usize).copied().unwrap_or(false))
        {
            self.hover = None;
        }
        if let Some(sel) = &self.selection {
            self.selected = sel.select(&layout.coords, |i| self.visible[i]);
        }
        let order_name = match state.order {
            2 => "binaries",
            3 => "ternaries",
            _ => "quaternaries",
        };
        let pooling = if state.pooling == "mean" {
            String::new()
        } else {
            format!(", {} pooling", state.pooling.replace('_', " "))
        };
        self.labels = MapLabels {
            title: format!("{} of {}{pooling}", layout.method, layout.embedding),
            subtitle: format!(
                "{} {order_name} shown of {} sampled",
                grouped(self.order.len() as u64),
                grouped(sample.formulas.len() as u64)
            ),
        };
        let wanted = state.reducer_params().title();
        if layout.method != wanted {
            // The PCA an iterative reducer shows while it starts.
            let note = format!(" (preview while {wanted} computes)");
            self.labels.title.push_str(&note);
        } else if !layout.last {
            self.labels.title.push_str(" (computing…)");
        }
    }

    pub fn scene(&self) -> Option<MapScene<'_>> {
        let layout = self.layout.as_ref()?;
        Some(MapScene {
            coords: &layout.coords,
            colours: &self.colours,
            order: &self.order,
            highlighted: &self.highlighted,
            focus: self.focus,
            hover: self.hover,
            selection: self.selection.as_ref(),
        })
    }

    pub fn style(&self) -> MapStyle {
        MapStyle {
            radius: (2.2 * self.pixel_ratio).round().max(1.0) as u32,
            pixel_ratio: self.pixel_ratio,
            ..MapStyle::default()
        }
    }

    /// Schedules a redraw on the next animation frame (several requests, one draw).
    pub fn request_draw(&mut self) {
        if self.draw_pending {
            return;
        }
        self.draw_pending = true;
        dom::next_frame(|| {
            with_app(|app| {
                app.map.draw_pending = false;
                app.map.draw();
                super::debug::render(app);
            });
        });
    }

    fn draw(&mut self) {
        if self.canvas.offset_parent().is_none() {
            return;
        }
        let t0 = dom::now();
        self.resize();
        let (w, h) = (self.device_width(), self.device_height());
        let style = self.style();
        let mut pixels = std::mem::take(&mut self.pixels);
        let drawn = if let (Some(scene), Some(vp)) = (self.scene(), self.viewport) {
            if let Some(mut raster) = RgbaCanvas::new(&mut pixels, w, h) {
                raster.clear([255, 255, 255, 255]);
                let _ = draw_points(&mut raster, &scene, &vp, &style);
            }
            true
        } else {
            false
        };
        self.pixels = pixels;
        if drawn {
            blit(&self.context, &self.pixels, w, h);
        } else {
            self.context
                .clear_rect(0.0, 0.0, f64::from(w), f64::from(h));
        }
        if let Some(backend) = CanvasBackend::with_canvas_object(self.canvas.clone()) {
            let labels = if self.layout.is_some() {
                self.labels.clone()
            } else {
                MapLabels {
                    title: "Preparing the first map…".into(),
                    subtitle: String::new(),
                }
            };
            let _ = draw_labels(&backend.into_drawing_area(), &labels, None, &style);
        }
        self.last_draw_ms = dom::now() - t0;
        self.slowest_draw_ms = self.slowest_draw_ms.max(self.last_draw_ms);
        self.draws += 1;
        // For tests and assistive tools: what is drawn, and whether it is final.
        let canvas = &self.canvas;
        let _ = canvas.set_attribute("data-drawn-points", &self.order.len().to_string());
        if let Some(layout) = &self.layout {
            let _ = canvas.set_attribute("data-method", &layout.method);
            let _ = canvas.set_attribute("data-final", if layout.last { "true" } else { "false" });
        }
    }

    pub fn set_status(&mut self, status: Option<Status>) {
        let host: HtmlElement = by_id("map-status");
        let Some((text, fraction, running)) = status else {
            dom::set_hidden(&host, true);
            return;
        };
        dom::set_hidden(&host, false);
        dom::set_text("map-status-text", &text);
        let progress: HtmlElement = by_id("map-progress");
        match fraction {
            Some(f) => {
                let _ = progress.set_attribute("value", &f.clamp(0.0, 1.0).to_string());
                dom::set_hidden(&progress, false);
            }
            None if running => {
                let _ = progress.remove_attribute("value");
                dom::set_hidden(&progress, false);
            }
            None => dom::set_hidden(&progress, true),
        }
        let button: HtmlElement = by_id("cancel");
        button.set_text_content(Some(if running { "Cancel" } else { "Run again" }));
        let _ = button.set_attribute("data-action", if running { "cancel" } else { "run" });
    }

    /// The point under the device-pixel position, if any.
    fn hit(&self, px: f64, py: f64) -> Option<u32> {
        let (layout, vp, grid) = (self.layout.as_ref()?, self.viewport?, self.grid.as_ref()?);
        let (x, y) = vp.to_map(px, py);
        let radius = (f64::from(self.style().radius) + 4.0 * self.pixel_ratio) / vp.scale;
        grid.nearest(&layout.coords, x, y, radius, |i| {
            self.visible.get(i) == Some(&true)
        })
        .map(|i| i as u32)
    }

    /// The sample row and composition of point `i`.
    pub fn point(&self, i: u32) -> Option<(usize, &Composition, Category, &str)> {
        let layout = self.layout.as_ref()?;
        let row = *layout.kept.get(i as usize)? as usize;
        Some((
            row,
            &layout.sample.compositions[row],
            layout.sample.categories[row],
            &layout.sample.formulas[row],
        ))
    }

    /// Point index of sample row `row`, if it is on the map.
    pub fn point_of_row(&self, row: usize) -> Option<u32> {
        self.layout
            .as_ref()?
            .kept
            .iter()
            .position(|&r| r as usize == row)
            .map(|i| i as u32)
    }

    /// Centres the view on point `i` (zooming in a little if the map is fitted).
    pub fn centre_on(&mut self, i: u32) {
        let (Some(layout), Some(vp)) = (self.layout.as_ref(), self.viewport.as_mut()) else {
            return;
        };
        let (x, y) = (
            f64::from(layout.coords[2 * i as usize]),
            f64::from(layout.coords[2 * i as usize + 1]),
        );
        vp.cx = x;
        vp.cy = y;
        if vp.zoom() < 3.0 {
            vp.scale = vp.fit_scale * 3.0;
        }
        self.user_moved = true;
    }
}

/// Draws the scene's points into a fresh RGBA buffer and blits it onto
/// `canvas` (already sized to the view), for exports and small panels.
pub fn paint_points(
    canvas: &HtmlCanvasElement,
    scene: &MapScene,
    view: &Viewport,
    style: &MapStyle,
) {
    let (w, h) = (view.width, view.height);
    let mut pixels = vec![0u8; w as usize * h as usize * 4];
    if let Some(mut raster) = RgbaCanvas::new(&mut pixels, w, h) {
        raster.clear([255, 255, 255, 255]);
        let _ = draw_points(&mut raster, scene, view, style);
    }
    if let Some(context) = context_2d(canvas) {
        blit(&context, &pixels, w, h);
    }
}

/// The canvas's 2-D context, when the browser gives one.
pub fn context_2d(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into().ok())
}

/// Puts RGBA `pixels` (w x h) at the canvas's origin in one call.
fn blit(context: &CanvasRenderingContext2d, pixels: &[u8], w: u32, h: u32) {
    if let Ok(image) = web_sys::ImageData::new_with_u8_clamped_array_and_sh(Clamped(pixels), w, h) {
        let _ = context.put_image_data(&image, 0.0, 0.0);
    }
}

/// Points matching a search: every composition containing an element, or the
/// composition a formula names.
fn search_matches<'a>(
    search: &str,
    n: usize,
    comp: impl Fn(usize) -> &'a Composition,
) -> Vec<usize> {
    let search = search.trim();
    if search.is_empty() {
        return Vec::new();
    }
    if let Ok(e) = Element::from_symbol(search) {
        return (0..n).filter(|&i| comp(i).contains(e)).collect();
    }
    match Composition::parse(search) {
        Ok(c) => (0..n).filter(|&i| comp(i) == &c).collect(),
        Err(_) => Vec::new(),
    }
}

fn device_xy(map: &MapView, e: &web_sys::MouseEvent) -> (f64, f64) {
    let rect = map.canvas.get_bounding_client_rect();
    (
        (f64::from(e.client_x()) - rect.left()) * map.pixel_ratio,
        (f64::from(e.client_y()) - rect.top()) * map.pixel_ratio,
    )
}

fn show_tooltip(map: &MapView, i: Option<u32>, css: (f64, f64), state: &ViewState) {
    let tip: HtmlElement = by_id("tooltip");
    let Some((_, c, category, formula)) = i.and_then(|i| map.point(i)) else {
        dom::set_hidden(&tip, true);
        return;
    };
    let colour = map
        .colours
        .get(i.unwrap_or(0) as usize)
        .copied()
        .unwrap_or([0, 0, 0, 255]);
    let extra = match state.colour {
        ColourBy::Category => String::new(),
        ColourBy::Anion => format!(" · {}", AnionClass::of(c).name()),
        ColourBy::Property(p) => match p.of_composition(c) {
            Some(v) => format!(" · {} {v:.2}", p.title().trim_start_matches("mean ")),
            None => " · no data".into(),
        },
    };
    tip.set_inner_html("");
    let swatch = dom::append(&tip, dom::make("span", "swatch", ""));
    let _ = swatch.style().set_property(
        "background",
        &format!("rgb({},{},{})", colour[0], colour[1], colour[2]),
    );
    dom::append(&tip, super::details::formula_html(formula));
    dom::append(
        &tip,
        dom::make("span", "", &format!(" — {category}{extra}")),
    );
    dom::set_hidden(&tip, false);
    let wrap: HtmlElement = by_id("map-wrap");
    let (w, h) = (
        f64::from(wrap.client_width()),
        f64::from(wrap.client_height()),
    );
    let (tw, th) = (
        f64::from(tip.offset_width()),
        f64::from(tip.offset_height()),
    );
    let x = if css.0 + 14.0 + tw > w {
        css.0 - tw - 10.0
    } else {
        css.0 + 14.0
    };
    let y = if css.1 + 14.0 + th > h {
        css.1 - th - 10.0
    } else {
        css.1 + 14.0
    };
    let style = tip.style();
    let _ = style.set_property("left", &format!("{}px", x.max(0.0)));
    let _ = style.set_property("top", &format!("{}px", y.max(0.0)));
}

/// Stores the view in the link after the user moved the map.
fn remember_view() {
    with_app(|app| {
        app.state.view = app.map.saved_view();
        app.after_view_change();
    });
}

/// Wires the canvas, the toolbar and the search box.
pub fn install() {
    let canvas: HtmlCanvasElement = by_id("map");
    on_active::<web_sys::WheelEvent>(&canvas, "wheel", |e| {
        e.prevent_default();
        with_app(|app| {
            let (x, y) = device_xy(&app.map, &e);
            let delta = match e.delta_mode() {
                1 => e.delta_y() * 16.0,
                2 => e.delta_y() * 400.0,
                _ => e.delta_y(),
            };
            if let Some(vp) = app.map.viewport.as_mut() {
                vp.zoom_at(x, y, (-delta * 0.0015).exp());
                app.map.user_moved = true;
                app.map.request_draw();
            }
        });
        debounce_remember();
    });
    on::<web_sys::PointerEvent>(&canvas, "pointerdown", |e| {
        with_app(|app| {
            let map = &mut app.map;
            let _ = map.canvas.set_pointer_capture(e.pointer_id());
            let p = device_xy(map, &e);
            map.pointers.retain(|(id, _, _)| *id != e.pointer_id());
            map.pointers.push((e.pointer_id(), p.0, p.1));
            if map.pointers.len() == 2 {
                let (a, b) = (map.pointers[0], map.pointers[1]);
                map.pinch = Some(((a.1 - b.1).powi(2) + (a.2 - b.2).powi(2)).sqrt());
                map.drag = None;
                return;
            }
            map.drag = Some(Drag {
                start: p,
                last: p,
                moved: false,
            });
            let to_map = |vp: Viewport| vp.to_map(p.0, p.1);
            match (map.mode, map.viewport) {
                (Mode::Box, Some(vp)) => {
                    let (x, y) = to_map(vp);
                    map.selection = Some(Selection::Box {
                        x0: x,
                        y0: y,
                        x1: x,
                        y1: y,
                    });
                }
                (Mode::Lasso, Some(vp)) => map.selection = Some(Selection::Lasso(vec![to_map(vp)])),
                _ => dom::toggle_class(&map.canvas, "dragging", true),
            }
        });
    });
    on::<web_sys::PointerEvent>(&canvas, "pointermove", |e| {
        with_app(|app| {
            let p = device_xy(&app.map, &e);
            let ratio = app.map.pixel_ratio;
            let map = &mut app.map;
            if let Some(entry) = map
                .pointers
                .iter_mut()
                .find(|(id, _, _)| *id == e.pointer_id())
            {
                *entry = (e.pointer_id(), p.0, p.1);
            }
            if let (Some(d0), [a, b]) = (map.pinch, map.pointers.as_slice()) {
                let d = ((a.1 - b.1).powi(2) + (a.2 - b.2).powi(2)).sqrt();
                if let Some(vp) = map.viewport.as_mut()
                    && d0 > 0.0
                {
                    vp.zoom_at((a.1 + b.1) / 2.0, (a.2 + b.2) / 2.0, d / d0);
                    map.user_moved = true;
                }
                map.pinch = Some(d);
                map.request_draw();
                return;
            }
            if let Some(drag) = map.drag.as_mut() {
                let moved_far = ((p.0 - drag.start.0).powi(2) + (p.1 - drag.start.1).powi(2))
                    .sqrt()
                    > CLICK_SLOP * ratio;
                drag.moved |= moved_far;
                let (dx, dy) = (p.0 - drag.last.0, p.1 - drag.last.1);
                drag.last = p;
                let Some(vp) = map.viewport.as_mut() else {
                    return;
                };
                let (x, y) = vp.to_map(p.0, p.1);
                match (map.mode, map.selection.as_mut()) {
                    (Mode::Box, Some(Selection::Box { x1, y1, .. })) => {
                        *x1 = x;
                        *y1 = y;
                    }
                    (Mode::Lasso, Some(Selection::Lasso(points))) => points.push((x, y)),
                    _ => {
                        vp.pan(dx, dy);
                        map.user_moved = true;
                    }
                }
                map.hover = None;
                map.request_draw();
                dom::set_hidden(&by_id::<HtmlElement>("tooltip"), true);
                return;
            }
            let hit = map.hit(p.0, p.1);
            if hit != map.hover {
                map.hover = hit;
                map.request_draw();
            }
            show_tooltip(map, hit, (p.0 / ratio, p.1 / ratio), &app.state);
        });
    });
    on::<web_sys::PointerEvent>(&canvas, "pointerup", |e| pointer_end(e, true));
    on::<web_sys::PointerEvent>(&canvas, "pointercancel", |e| pointer_end(e, false));
    on::<web_sys::PointerEvent>(&canvas, "pointerleave", |_| {
        dom::set_hidden(&by_id::<HtmlElement>("tooltip"), true);
        with_app(|app| {
            if app.map.hover.take().is_some() {
                app.map.request_draw();
            }
        });
    });
    on::<web_sys::KeyboardEvent>(&canvas, "keydown", |e| {
        with_app(|app| {
            let map = &mut app.map;
            let Some(vp) = map.viewport.as_mut() else {
                return;
            };
            let (cx, cy) = (f64::from(vp.width) / 2.0, f64::from(vp.height) / 2.0);
            let step = 40.0 * map.pixel_ratio;
            match e.key().as_str() {
                "+" | "=" => vp.zoom_at(cx, cy, 1.25),
                "-" | "_" => vp.zoom_at(cx, cy, 0.8),
                "ArrowLeft" => vp.pan(step, 0.0),
                "ArrowRight" => vp.pan(-step, 0.0),
                "ArrowUp" => vp.pan(0.0, step),
                "ArrowDown" => vp.pan(0.0, -step),
                "0" => {
                    map.reset_view();
                    return;
                }
                "Escape" => {
                    map.selection = None;
                    map.selected.clear();
                }
                _ => return,
            }
            e.prevent_default();
            map.user_moved = true;
            map.request_draw();
        });
        debounce_remember();
    });
    for radio in super::controls::query_all("input[name=mode]") {
        let input: web_sys::HtmlInputElement = radio.unchecked_into();
        let value = input.value();
        on::<web_sys::Event>(&input, "change", move |_| {
            with_app(|app| {
                app.map.mode = match value.as_str() {
                    "box" => Mode::Box,
                    "lasso" => Mode::Lasso,
                    _ => Mode::Pan,
                };
                dom::toggle_class(&app.map.canvas, "box", app.map.mode == Mode::Box);
                dom::toggle_class(&app.map.canvas, "lasso", app.map.mode == Mode::Lasso);
            });
        });
    }
    on::<web_sys::Event>(
        &by_id::<web_sys::EventTarget>("reset-view"),
        "click",
        |_| {
            with_app(|app| app.map.reset_view());
            remember_view();
        },
    );
    on::<web_sys::Event>(&by_id::<web_sys::EventTarget>("cancel"), "click", |_| {
        let action = by_id::<web_sys::Element>("cancel").get_attribute("data-action");
        with_app(|app| match action.as_deref() {
            Some("run") => app.run_again(),
            _ => app.cancel_by_user(),
        });
    });
    on::<web_sys::Event>(
        &by_id::<web_sys::EventTarget>("search-form"),
        "submit",
        |e| {
            e.prevent_default();
            let text = by_id::<web_sys::HtmlInputElement>("search").value();
            with_app(|app| search(app, text.trim()));
        },
    );
    on::<web_sys::Event>(&by_id::<web_sys::EventTarget>("search"), "search", |_| {
        let text = by_id::<web_sys::HtmlInputElement>("search").value();
        if text.is_empty() {
            with_app(|app| search(app, ""));
        }
    });
    super::export::install();
    let observer = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(|| {
        with_app(|app| app.map.request_draw());
    });
    if let Ok(resize) = web_sys::ResizeObserver::new(observer.as_ref().unchecked_ref()) {
        resize.observe(&by_id::<web_sys::Element>("map-wrap"));
    }
    observer.forget();
}

fn pointer_end(e: web_sys::PointerEvent, completed: bool) {
    let mut remember = false;
    let mut open: Option<String> = None;
    with_app(|app| {
        let map = &mut app.map;
        let _ = map.canvas.release_pointer_capture(e.pointer_id());
        map.pointers.retain(|(id, _, _)| *id != e.pointer_id());
        dom::toggle_class(&map.canvas, "dragging", false);
        if map.pinch.is_some() {
            if map.pointers.len() < 2 {
                map.pinch = None;
            }
            remember = true;
            return;
        }
        let Some(drag) = map.drag.take() else { return };
        let p = device_xy(map, &e);
        if completed && !drag.moved {
            if map.mode != Mode::Pan {
                map.selection = None;
                map.selected.clear();
            }
            if let Some(i) = map.hit(p.0, p.1) {
                open = map.point(i).map(|(_, _, _, f)| f.to_string());
            }
        } else if let (Some(sel), Some(layout)) = (map.selection.as_ref(), map.layout.as_ref()) {
            map.selected = sel.select(&layout.coords, |i| map.visible.get(i) == Some(&true));
        } else {
            remember = true;
        }
        map.request_draw();
    });
    if let Some(formula) = open {
        with_app(|app| app.open_details(&formula));
    }
    with_app(|app| super::legend::render(app));
    if remember {
        remember_view();
    }
}

thread_local! {
    static REMEMBER_AT: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
}

/// Stores the view once the wheel or keys have been still for a moment.
fn debounce_remember() {
    let t = dom::now();
    REMEMBER_AT.with(|c| c.set(t));
    dom::after(300, move || {
        if REMEMBER_AT.with(|c| c.get()) == t {
            remember_view();
        }
    });
}

/// Highlights what the search names and, for a formula, opens its details.
fn search(app: &mut super::app::App, text: &str) {
    let error: HtmlElement = by_id("search-error");
    dom::set_hidden(&error, true);
    if text.is_empty() {
        app.set_state(|s| s.search.clear());
        return;
    }
    let mut next = app.state.clone();
    if let Err(problem) = next.set_param("q", text) {
        error.set_text_content(Some(&format!(
            "'{text}': {problem}. Type a formula such as Zn2O or an element such as Zn."
        )));
        dom::set_hidden(&error, false);
        return;
    }
    app.set_state(|s| *s = next);
    let found = app.map.highlighted.len();
    let is_element = Element::from_symbol(text).is_ok();
    if is_element {
        error.set_text_content(Some(&format!(
            "{} compositions containing {text} are ringed on the map.",
            grouped(found as u64)
        )));
        dom::set_hidden(&error, false);
        return;
    }
    if let Some(&i) = app.map.highlighted.first() {
        app.map.centre_on(i);
        app.map.request_draw();
    } else {
        error.set_text_content(Some(&format!(
            "{text} is not in this map's sample; its explanation is shown on the right."
        )));
        dom::set_hidden(&error, false);
    }
    app.open_details(text);
}
