//! The map's canvas: the viewport, drawing, and the gestures (hover, click
//! or tap, drag to pan, wheel and pinch to zoom, box and lasso selection, the
//! keyboard). What is drawn (colours, order, rings) is the session's map
//! model; this module only decides where on screen, and turns gestures into
//! session inputs: a click focuses a composition, a finished move reports the
//! view, a drawn shape selects.
//!
//! Up to [`GL_MIN_POINTS`] points are drawn by `plot::draw_points` into an
//! RGBA buffer (the `RgbaCanvas` plotters backend) and blitted with one
//! `putImageData`; the labels are drawn over it with plotters-canvas. Bigger
//! maps draw their points with WebGL2 ([`super::gl_points`]) on a canvas
//! under `#map`, and `#map` holds the rest, transparent around it (contours,
//! rings, selection outlines, placed formulas, labels); without WebGL2, or
//! when its context is lost, they fall back to the CPU path. Draws are
//! coalesced on the next animation frame.

use std::rc::Rc;

use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlElement};

use super::dispatch::{CanvasEvent, Dispatch, Msg, Pointer};
use super::dom::{self, blit, by_id, context_2d};
use super::gl_points::{Drawn, GlFrame, GlPoints};
use crate::plot::density::draw_contours;
use crate::plot::{
    Bounds, HitGrid, MapScene, MapStyle, RgbaCanvas, Selection, SelectionOp, Viewport, draw_labels,
    draw_placed, draw_points, placed_pixels, placed_radius,
};
use crate::session::{Input, LayoutData, Session};
use crate::view_state::View;

/// CSS pixels of empty margin around a fitted map.
const MARGIN_PX: f64 = 24.0;
/// Movement (CSS pixels) below which a press is a click, not a drag.
const CLICK_SLOP_PX: f64 = 4.0;
/// How far beyond a point's dot (CSS pixels) a click or hover still finds it.
const HIT_SLOP_PX: f64 = 4.0;
/// A touch is a fingertip: it finds points further away.
const TOUCH_HIT_SLOP_PX: f64 = 14.0;
/// Radius of a point (CSS pixels).
const POINT_RADIUS_PX: f64 = 2.2;

/// Zoom per CSS pixel of wheel travel (exp(-delta * this)).
const WHEEL_ZOOM_PER_PX: f64 = 0.0015;
/// Arrow keys move the map by this many CSS pixels; + and - zoom by this factor.
const KEY_PAN_PX: f64 = 40.0;
const KEY_ZOOM: f64 = 1.25;
/// The view is reported (and written to the link) once still for this long.
pub const SETTLE_MS: i32 = 300;
/// A full frame that takes longer than this (a map of a hundred thousand
/// points and more drawn on the CPU) is stood in for, while the view moves,
/// by the last full frame moved and scaled: one image copy, so panning and
/// zooming keep the display's frame rate. The full frame follows once the
/// view settles.
const STAND_IN_FROM_MS: f64 = 12.0;
/// Device pixels per CSS pixel drawn at most (sharper costs more).
const MAX_PIXEL_RATIO: f64 = 3.0;
/// Maps drawing more points than this draw them with WebGL2 when it works
/// (the CPU raster of 12,000 points takes a few ms; of 225,879, far more
/// than a frame).
pub const GL_MIN_POINTS: usize = 40_000;
/// Local storage key: "software" lets a software WebGL2 draw the points
/// (refused by default: slower than the CPU path; the e2e tests set it, as
/// headless Chromium's WebGL2 is SwiftShader's).
const GL_SOFTWARE_KEY: &str = "crystal-atlas-webgl";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Pan,
    Box,
    Lasso,
}

/// A press in progress.
struct Drag {
    start: (f64, f64),
    last: (f64, f64),
    moved: bool,
    op: SelectionOp,
}

/// The last full frame's points (without labels), kept to stand in for the
/// next frames while the view moves.
struct Frame {
    canvas: HtmlCanvasElement,
    context: CanvasRenderingContext2d,
    viewport: Viewport,
    layout: Rc<LayoutData>,
}

pub struct MapCanvas {
    canvas: HtmlCanvasElement,
    context: CanvasRenderingContext2d,
    wrap: HtmlElement,
    tooltip: HtmlElement,
    layout: Option<Rc<LayoutData>>,
    bounds: Option<Bounds>,
    grid: Option<HitGrid>,
    viewport: Option<Viewport>,
    /// Fit every new layout (snapshots of a computation included), or keep
    /// the view.
    fitting: bool,
    /// A view asked for before there was a layout to put it on.
    wanted: Option<View>,
    pixel_ratio: f64,
    pixels: Vec<u8>,
    pub hover: Option<u32>,
    /// The point the keyboard is on.
    cursor: Option<usize>,
    pub tool: Tool,
    drag: Option<Drag>,
    /// The shape being drawn.
    drawing: Option<Selection>,
    /// Active pointers (id, x, y) in device pixels, for pinch zoom.
    pointers: Vec<(i32, f64, f64)>,
    pinch: Option<f64>,
    draw_pending: bool,
    settle_token: u32,
    /// The view is being moved (pan, zoom) and has not settled yet.
    moving: bool,
    frame: Option<Frame>,
    pub last_draw_ms: f64,
    pub slowest_draw_ms: f64,
    pub draws: u32,
    dispatch: Dispatch,
    /// The WebGL2 point layer, made when a map first needs it.
    gl: Option<GlPoints>,
    /// WebGL2 failed once (absent, a shader error, a lost context): the CPU
    /// path draws from then on.
    gl_failed: bool,
    /// Counts new layouts, so the GL layer uploads coordinates once per layout.
    layout_serial: u64,
}

impl MapCanvas {
    /// Takes over `#map` and wires its events to `dispatch`.
    pub fn mount(dispatch: &Dispatch) -> MapCanvas {
        let canvas: HtmlCanvasElement = by_id("map");
        let context = context_2d(&canvas).expect("the browser offers a 2-D canvas");
        listen(&canvas, dispatch);
        MapCanvas {
            canvas,
            context,
            wrap: by_id("map-wrap"),
            tooltip: by_id("tooltip"),
            layout: None,
            bounds: None,
            grid: None,
            viewport: None,
            fitting: true,
            wanted: None,
            pixel_ratio: 1.0,
            pixels: Vec::new(),
            hover: None,
            cursor: None,
            tool: Tool::Pan,
            drag: None,
            drawing: None,
            pointers: Vec::new(),
            pinch: None,
            draw_pending: false,
            settle_token: 0,
            moving: false,
            frame: None,
            last_draw_ms: 0.0,
            slowest_draw_ms: 0.0,
            draws: 0,
            dispatch: dispatch.clone(),
            gl: None,
            gl_failed: false,
            layout_serial: 0,
        }
    }

    fn margin(&self) -> f64 {
        MARGIN_PX * self.pixel_ratio
    }

    fn fitted(&self) -> Option<Viewport> {
        Some(Viewport::fit(
            self.bounds?,
            self.canvas.width(),
            self.canvas.height(),
            self.margin(),
        ))
    }

    /// Puts the map at `view`, or fits it (and keeps fitting new layouts).
    pub fn set_view(&mut self, view: Option<View>) {
        // The session's view supersedes a gesture still settling: its timer
        // must not report the view this replaced.
        self.settle_token += 1;
        self.moving = false;
        self.fitting = view.is_none();
        self.wanted = view;
        self.apply_view();
    }

    fn apply_view(&mut self) {
        let Some(mut vp) = self.fitted() else {
            return;
        };
        if let Some(v) = self.wanted.take() {
            vp.cx = v.cx;
            vp.cy = v.cy;
            vp.scale = vp.fit_scale * v.zoom;
        } else if !self.fitting
            && let Some(old) = self.viewport
        {
            // Keep the region on screen, relative to the new layout's fit.
            vp.cx = old.cx;
            vp.cy = old.cy;
            vp.scale = vp.fit_scale * old.zoom();
        }
        self.viewport = Some(vp);
    }

    /// The canvas's size in CSS pixels.
    pub fn css_size(&self) -> (f64, f64) {
        (
            f64::from(self.canvas.width()) / self.pixel_ratio,
            f64::from(self.canvas.height()) / self.pixel_ratio,
        )
    }

    /// The view on screen, as a link carries it.
    pub fn view(&self) -> Option<View> {
        self.viewport.map(|vp| View {
            cx: vp.cx,
            cy: vp.cy,
            zoom: vp.zoom(),
        })
    }

    /// Takes up the session's layout when it changed.
    pub fn sync(&mut self, session: &Session) {
        let shown = session.shown_layout();
        let same = match (&self.layout, shown) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        if !same {
            self.layout = shown.cloned();
            self.layout_serial += 1;
            self.bounds = self.layout.as_ref().and_then(|l| Bounds::of(&l.coords));
            self.grid = self.layout.as_ref().map(|l| HitGrid::build(&l.coords));
            // For tests: the finished layout's bits, to compare maps computed
            // on one thread and on several (FNV-1a over the coordinates).
            let hash = self.layout.as_ref().filter(|l| l.last).map(|l| {
                l.coords.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, x| {
                    (h ^ u64::from(x.to_bits())).wrapping_mul(0x0100_0000_01b3)
                })
            });
            let _ = match hash {
                Some(h) => self
                    .canvas
                    .set_attribute("data-layout-hash", &format!("{h:016x}")),
                None => self.canvas.remove_attribute("data-layout-hash"),
            };
            self.hover = None;
            self.cursor = None;
            self.resize();
            self.apply_view();
        }
    }

    fn resize(&mut self) {
        let ratio = dom::window()
            .device_pixel_ratio()
            .clamp(1.0, MAX_PIXEL_RATIO);
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
                self.viewport = Some(vp.resized(b, w, h, self.margin()));
            }
        }
    }

    pub fn style(&self) -> MapStyle {
        MapStyle {
            radius: (POINT_RADIUS_PX * self.pixel_ratio).round().max(1.0) as u32,
            pixel_ratio: self.pixel_ratio,
            ..MapStyle::default()
        }
    }

    /// Schedules a draw on the next animation frame (several asks, one draw).
    pub fn request_draw(&mut self, dispatch: &Dispatch) {
        if self.draw_pending {
            return;
        }
        self.draw_pending = true;
        let dispatch = dispatch.clone();
        dom::next_frame(move || dispatch.send(Msg::Frame));
    }

    /// The selection's shapes and the one being drawn.
    fn outlines(&self, session: &Session) -> Vec<Selection> {
        session
            .state()
            .selection
            .shapes()
            .map(|(_, s)| s.clone())
            .chain(self.drawing.clone())
            .collect()
    }

    pub fn draw(&mut self, session: &Session) {
        self.draw_pending = false;
        if self.canvas.offset_parent().is_none() {
            return;
        }
        let t0 = dom::now();
        self.resize();
        let (w, h) = (self.canvas.width(), self.canvas.height());
        let style = self.style();
        if self.moving && self.stand_in() {
            self.draw_labels(session, &style);
            self.count_draw(t0);
            return;
        }
        let outlines = self.outlines(session);
        let mut on_gl = false;
        let drawn = match (self.layout.clone(), self.viewport) {
            (Some(layout), Some(vp)) => {
                let model = session.map_model();
                let scene = model.scene(&layout.coords, self.hover, &outlines);
                let palette = session.state().palette;
                on_gl = model.shown_total() > GL_MIN_POINTS && self.draw_gl(&scene, &vp, &style);
                if on_gl {
                    // The points are on the GL canvas underneath: the rest
                    // goes on this one, transparent around it.
                    self.pixels = Vec::new();
                    self.context
                        .clear_rect(0.0, 0.0, f64::from(w), f64::from(h));
                    if let Some(mut backend) =
                        CanvasBackend::with_canvas_object(self.canvas.clone())
                    {
                        let rest = MapScene {
                            order: &[],
                            ..scene
                        };
                        let _ =
                            draw_contours(&mut backend, session.contours(), palette, &vp, &style);
                        let _ = draw_points(&mut backend, &rest, &vp, &style);
                        let _ = draw_placed(&mut backend, &model.placed, &vp, &style);
                    }
                } else {
                    let mut pixels = std::mem::take(&mut self.pixels);
                    pixels.resize(w as usize * h as usize * 4, 0);
                    if let Some(mut raster) = RgbaCanvas::new(&mut pixels, w, h) {
                        raster.clear([255, 255, 255, 255]);
                        let _ =
                            draw_contours(&mut raster, session.contours(), palette, &vp, &style);
                        let _ = draw_points(&mut raster, &scene, &vp, &style);
                        let _ = draw_placed(&mut raster, &model.placed, &vp, &style);
                    }
                    blit(&self.context, &pixels, w, h);
                    self.pixels = pixels;
                    self.frame = if dom::now() - t0 > STAND_IN_FROM_MS {
                        self.keep_frame(vp, layout.clone())
                    } else {
                        None
                    };
                }
                true
            }
            _ => false,
        };
        if !drawn {
            self.context
                .clear_rect(0.0, 0.0, f64::from(w), f64::from(h));
        }
        if let Some(gl) = &self.gl
            && gl.canvas().hidden() == on_gl
        {
            dom::set_hidden(gl.canvas(), !on_gl);
        }
        if on_gl {
            self.frame = None;
        }
        self.draw_labels(session, &style);
        self.count_draw(t0);
        self.describe(session, on_gl);
    }

    /// For tests and assistive tools: what is drawn, by what, and whether it
    /// is final; where the placed formulas are; the map in words.
    fn describe(&self, session: &Session, on_gl: bool) {
        let c = &self.canvas;
        let model = session.map_model();
        let _ = c.set_attribute("data-drawn-points", &model.shown_total().to_string());
        let _ = c.set_attribute("data-renderer", if on_gl { "webgl2" } else { "cpu" });
        if let Some(layout) = &self.layout {
            let _ = c.set_attribute("data-method", layout.method.title());
            let _ = c.set_attribute("data-final", if layout.last { "true" } else { "false" });
        }
        // Where the placed formulas are drawn, in CSS pixels.
        let placed: Vec<String> = self
            .viewport
            .map(|vp| placed_pixels(&model.placed, &vp, 0.0))
            .unwrap_or_default()
            .into_iter()
            .flatten()
            .map(|(x, y)| {
                format!(
                    "{:.1},{:.1}",
                    f64::from(x) / self.pixel_ratio,
                    f64::from(y) / self.pixel_ratio
                )
            })
            .collect();
        let _ = c.set_attribute("data-placed", &placed.len().to_string());
        let _ = c.set_attribute("data-placed-xy", &placed.join(";"));
        let _ = c.set_attribute("data-contours", &session.contours().len().to_string());
        let labels = session.map_labels();
        let _ = c.set_attribute(
            "aria-label",
            &format!(
                "{}: {}. Arrow keys move, + and - zoom, n and p step through the points, Enter explains one.",
                labels.title, labels.subtitle
            ),
        );
    }

    fn draw_labels(&self, session: &Session, style: &MapStyle) {
        if let Some(backend) = CanvasBackend::with_canvas_object(self.canvas.clone()) {
            let _ = draw_labels(
                &backend.into_drawing_area(),
                &session.map_labels(),
                None,
                style,
            );
        }
    }

    fn count_draw(&mut self, t0: f64) {
        self.last_draw_ms = dom::now() - t0;
        self.slowest_draw_ms = self.slowest_draw_ms.max(self.last_draw_ms);
        self.draws += 1;
    }

    /// A copy of the points just drawn (before the labels), for [`Self::stand_in`].
    fn keep_frame(&mut self, viewport: Viewport, layout: Rc<LayoutData>) -> Option<Frame> {
        let (canvas, context) = match self.frame.take() {
            Some(f) => (f.canvas, f.context),
            None => {
                let canvas: HtmlCanvasElement = dom::document()
                    .create_element("canvas")
                    .ok()?
                    .dyn_into()
                    .ok()?;
                let context = context_2d(&canvas)?;
                (canvas, context)
            }
        };
        if (canvas.width(), canvas.height()) != (viewport.width, viewport.height) {
            canvas.set_width(viewport.width);
            canvas.set_height(viewport.height);
        }
        context
            .draw_image_with_html_canvas_element(&self.canvas, 0.0, 0.0)
            .ok()?;
        Some(Frame {
            canvas,
            context,
            viewport,
            layout,
        })
    }

    /// Draws the last full frame moved and scaled to the current view; false
    /// when there is none for this map and size.
    fn stand_in(&self) -> bool {
        let (Some(frame), Some(vp), Some(layout)) = (&self.frame, self.viewport, &self.layout)
        else {
            return false;
        };
        if !Rc::ptr_eq(&frame.layout, layout)
            || (frame.viewport.width, frame.viewport.height) != (vp.width, vp.height)
        {
            return false;
        }
        let (scale, dx, dy) = vp.from_pixels_of(&frame.viewport);
        let (w, h) = (f64::from(vp.width), f64::from(vp.height));
        self.context.set_fill_style_str("#ffffff");
        self.context.fill_rect(0.0, 0.0, w, h);
        self.context
            .draw_image_with_html_canvas_element_and_dw_and_dh(
                &frame.canvas,
                dx,
                dy,
                w * scale,
                h * scale,
            )
            .is_ok()
    }

    /// Draws the scene's points with WebGL2; false when it cannot (the CPU
    /// path draws them instead, and will from now on).
    fn draw_gl(&mut self, scene: &MapScene, vp: &Viewport, style: &MapStyle) -> bool {
        if self.gl_failed {
            return false;
        }
        if self.gl.is_none() {
            match self.start_gl() {
                Ok(gl) => self.gl = Some(gl),
                Err(why) => {
                    self.give_up_gl(&why);
                    return false;
                }
            }
        }
        let frame = GlFrame {
            layout_serial: self.layout_serial,
            coords: scene.coords,
            colours: scene.colours,
            order: scene.order,
            viewport: vp,
            radius: style.radius,
        };
        let drawn = self.gl.as_mut().map_or(Drawn::Failed, |gl| gl.draw(&frame));
        if drawn == Drawn::Failed {
            self.give_up_gl("WebGL2 could not draw (context lost or an error)");
        }
        drawn == Drawn::Yes
    }

    /// A canvas under `#map` and a WebGL2 context on it.
    fn start_gl(&self) -> Result<GlPoints, String> {
        let canvas: HtmlCanvasElement = dom::document()
            .create_element("canvas")
            .map_err(|_| "no canvas element".to_string())?
            .unchecked_into();
        canvas.set_class_name("map-gl");
        let _ = canvas.set_attribute("aria-hidden", "true");
        let _ = self.wrap.insert_before(&canvas, Some(&self.canvas));
        let dispatch = self.dispatch.clone();
        // A lost context redraws: the next draw falls back to the CPU.
        let software = dom::stored(GL_SOFTWARE_KEY).as_deref() == Some("software");
        let made = GlPoints::new(canvas.clone(), software, move || {
            dispatch.send(Msg::Canvas(CanvasEvent::Resized))
        });
        if made.is_err() {
            canvas.remove();
        }
        made
    }

    /// Drops the GL layer for good and says why on the console.
    fn give_up_gl(&mut self, why: &str) {
        if let Some(gl) = self.gl.take() {
            gl.canvas().remove();
        }
        self.gl_failed = true;
        web_sys::console::info_1(
            &format!("crystal-atlas: the map's points are drawn on the CPU ({why})").into(),
        );
    }

    /// The point under the device-pixel position, if any.
    fn hit(&self, session: &Session, px: f64, py: f64, touch: bool) -> Option<u32> {
        let (layout, vp, grid) = (self.layout.as_ref()?, self.viewport?, self.grid.as_ref()?);
        let (x, y) = vp.to_map(px, py);
        let slop = if touch {
            TOUCH_HIT_SLOP_PX
        } else {
            HIT_SLOP_PX
        };
        let radius = (f64::from(self.style().radius) + slop * self.pixel_ratio) / vp.scale;
        let visible = &session.map_model().visible;
        grid.nearest(&layout.coords, x, y, radius, |i| {
            visible.get(i) == Some(&true)
        })
        .map(|i| i as u32)
    }

    /// The placed formula whose mark is under the device-pixel position, if any.
    fn placed_hit(&self, session: &Session, px: f64, py: f64, touch: bool) -> Option<String> {
        let vp = self.viewport?;
        let slop = if touch {
            TOUCH_HIT_SLOP_PX
        } else {
            HIT_SLOP_PX
        };
        let reach = f64::from(placed_radius(&self.style())) + slop * self.pixel_ratio;
        let formulas = session.placed_drawn();
        placed_pixels(&session.map_model().placed, &vp, 0.0)
            .into_iter()
            .zip(formulas)
            .filter_map(|(at, f)| {
                let (x, y) = at?;
                let d = ((f64::from(x) - px).powi(2) + (f64::from(y) - py).powi(2)).sqrt();
                (d <= reach).then_some((d, f))
            })
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, f)| f)
    }

    fn device(&self, p: &Pointer) -> (f64, f64) {
        (p.x * self.pixel_ratio, p.y * self.pixel_ratio)
    }

    /// Reports the view once it has been still for [`SETTLE_MS`].
    fn settle_later(&mut self, dispatch: &Dispatch) {
        self.settle_token += 1;
        let token = self.settle_token;
        let dispatch = dispatch.clone();
        dom::after(SETTLE_MS, move || dispatch.send(Msg::ViewSettled(token)));
    }

    /// The view to report when `token` is the latest move.
    pub fn settled(&mut self, token: u32) -> Option<Option<View>> {
        let latest = token == self.settle_token;
        if latest {
            self.moving = false;
        }
        latest.then(|| self.view())
    }

    /// Handles a gesture; returns what it means to the session.
    pub fn on_event(
        &mut self,
        event: CanvasEvent,
        session: &Session,
        dispatch: &Dispatch,
    ) -> Vec<Input> {
        let mut out = Vec::new();
        let before = self.viewport;
        match event {
            CanvasEvent::Resized => {}
            CanvasEvent::Wheel { x, y, delta } => {
                if let Some(vp) = self.viewport.as_mut() {
                    vp.zoom_at(
                        x * self.pixel_ratio,
                        y * self.pixel_ratio,
                        (-delta * WHEEL_ZOOM_PER_PX).exp(),
                    );
                    self.fitting = false;
                    self.settle_later(dispatch);
                }
            }
            CanvasEvent::Down(p) => self.down(p),
            CanvasEvent::Move(p) => {
                if self.moved(p, session) {
                    self.hide_tooltip();
                } else {
                    self.show_tooltip(session, p);
                }
            }
            CanvasEvent::Up(p) => out.extend(self.up(p, true, session, dispatch)),
            CanvasEvent::Cancel(p) => out.extend(self.up(p, false, session, dispatch)),
            CanvasEvent::Leave => {
                self.hide_tooltip();
                self.hover = None;
            }
            CanvasEvent::Key(key) => out.extend(self.key(&key, session, dispatch)),
        }
        if self.viewport != before && before.is_some() {
            self.moving = true;
        }
        self.request_draw(dispatch);
        out
    }

    fn down(&mut self, p: Pointer) {
        let (px, py) = self.device(&p);
        self.pointers.retain(|(id, _, _)| *id != p.id);
        self.pointers.push((p.id, px, py));
        if let [a, b] = self.pointers[..] {
            self.pinch = Some(((a.1 - b.1).powi(2) + (a.2 - b.2).powi(2)).sqrt());
            self.drag = None;
            self.drawing = None;
            return;
        }
        let op = if p.shift {
            SelectionOp::Add
        } else if p.alt {
            SelectionOp::Remove
        } else {
            SelectionOp::Replace
        };
        self.drag = Some(Drag {
            start: (px, py),
            last: (px, py),
            moved: false,
            op,
        });
        if let Some(vp) = self.viewport {
            let (x, y) = vp.to_map(px, py);
            self.drawing = match self.tool {
                Tool::Box => Some(Selection::Box {
                    x0: x,
                    y0: y,
                    x1: x,
                    y1: y,
                }),
                Tool::Lasso => Some(Selection::Lasso(vec![(x, y)])),
                Tool::Pan => None,
            };
        }
        dom::toggle_class(&self.canvas, "dragging", self.tool == Tool::Pan);
    }

    /// A pointer moved; true when it dragged or pinched.
    fn moved(&mut self, p: Pointer, session: &Session) -> bool {
        let (px, py) = self.device(&p);
        if let Some(entry) = self.pointers.iter_mut().find(|(id, _, _)| *id == p.id) {
            *entry = (p.id, px, py);
        }
        if let (Some(d0), [a, b]) = (self.pinch, self.pointers.as_slice()) {
            let d = ((a.1 - b.1).powi(2) + (a.2 - b.2).powi(2)).sqrt();
            if let Some(vp) = self.viewport.as_mut()
                && d0 > 0.0
            {
                vp.zoom_at((a.1 + b.1) / 2.0, (a.2 + b.2) / 2.0, d / d0);
                self.fitting = false;
            }
            self.pinch = Some(d);
            return true;
        }
        let Some(drag) = self.drag.as_mut() else {
            let hit = self.hit(session, px, py, p.touch);
            self.hover = hit;
            return false;
        };
        let far = ((px - drag.start.0).powi(2) + (py - drag.start.1).powi(2)).sqrt()
            > CLICK_SLOP_PX * self.pixel_ratio;
        drag.moved |= far;
        let (dx, dy) = (px - drag.last.0, py - drag.last.1);
        drag.last = (px, py);
        let Some(vp) = self.viewport.as_mut() else {
            return true;
        };
        let (x, y) = vp.to_map(px, py);
        match self.drawing.as_mut() {
            Some(Selection::Box { x1, y1, .. }) => {
                *x1 = x;
                *y1 = y;
            }
            Some(Selection::Lasso(points)) => points.push((x, y)),
            None => {
                vp.pan(dx, dy);
                self.fitting = false;
            }
        }
        self.hover = None;
        true
    }

    fn up(
        &mut self,
        p: Pointer,
        completed: bool,
        session: &Session,
        dispatch: &Dispatch,
    ) -> Vec<Input> {
        let mut out = Vec::new();
        let (px, py) = self.device(&p);
        self.pointers.retain(|(id, _, _)| *id != p.id);
        dom::toggle_class(&self.canvas, "dragging", false);
        if self.pinch.is_some() {
            if self.pointers.len() < 2 {
                self.pinch = None;
            }
            self.settle_later(dispatch);
            return out;
        }
        let Some(drag) = self.drag.take() else {
            return out;
        };
        let drawing = self.drawing.take();
        if completed && !drag.moved {
            if let Some(formula) = self.placed_hit(session, px, py, p.touch) {
                show_card(&self.wrap, p.x, p.y);
                out.push(Input::Focus(formula));
                return out;
            }
            match self.hit(session, px, py, p.touch) {
                Some(i) => {
                    if let Some(formula) = self.formula(i) {
                        show_card(&self.wrap, p.x, p.y);
                        out.push(Input::Focus(formula));
                    }
                }
                None if drawing.is_some() => out.push(Input::ClearSelection),
                None => {}
            }
        } else if let Some(shape) = drawing.filter(|_| completed) {
            out.push(Input::Select(drag.op, shape));
        } else if drag.moved {
            self.settle_later(dispatch);
        }
        out
    }

    fn formula(&self, i: u32) -> Option<String> {
        let layout = self.layout.as_ref()?;
        let row = *layout.kept.get(i as usize)? as usize;
        layout.sample.formulas.get(row).cloned()
    }

    fn key(&mut self, key: &str, session: &Session, dispatch: &Dispatch) -> Vec<Input> {
        let Some(vp) = self.viewport.as_mut() else {
            return Vec::new();
        };
        let (cx, cy) = (f64::from(vp.width) / 2.0, f64::from(vp.height) / 2.0);
        let step = KEY_PAN_PX * self.pixel_ratio;
        match key {
            "+" | "=" => vp.zoom_at(cx, cy, KEY_ZOOM),
            "-" | "_" => vp.zoom_at(cx, cy, 1.0 / KEY_ZOOM),
            "ArrowLeft" => vp.pan(step, 0.0),
            "ArrowRight" => vp.pan(-step, 0.0),
            "ArrowUp" => vp.pan(0.0, step),
            "ArrowDown" => vp.pan(0.0, -step),
            "0" => return vec![Input::ViewMoved(None)],
            "Escape" => return vec![Input::ClearSelection],
            "n" | "p" => {
                self.step_cursor(key == "n", session);
                return Vec::new();
            }
            "Enter" | " " => {
                let formula = self
                    .cursor
                    .or(self.hover.map(|h| h as usize))
                    .and_then(|i| self.formula(i as u32));
                return formula.map(Input::Focus).into_iter().collect();
            }
            _ => return Vec::new(),
        }
        self.fitting = false;
        self.settle_later(dispatch);
        Vec::new()
    }

    /// Moves the keyboard cursor to the next (or previous) point in view,
    /// left to right, and says which it is.
    fn step_cursor(&mut self, forward: bool, session: &Session) {
        let (Some(layout), Some(vp)) = (self.layout.as_ref(), self.viewport) else {
            return;
        };
        let view = vp.visible_bounds();
        let model = session.map_model();
        let mut in_view: Vec<(f32, f32, usize)> = model
            .order
            .iter()
            .map(|&i| i as usize)
            .filter_map(|i| {
                let (x, y) = (layout.coords[2 * i], layout.coords[2 * i + 1]);
                let inside = f64::from(x) >= view.x0
                    && f64::from(x) <= view.x1
                    && f64::from(y) >= view.y0
                    && f64::from(y) <= view.y1;
                inside.then_some((x, -y, i))
            })
            .collect();
        if in_view.is_empty() {
            return;
        }
        in_view.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let at = self
            .cursor
            .and_then(|c| in_view.iter().position(|&(_, _, i)| i == c));
        let next = match (at, forward) {
            (None, _) => 0,
            (Some(k), true) => (k + 1) % in_view.len(),
            (Some(k), false) => (k + in_view.len() - 1) % in_view.len(),
        };
        let i = in_view[next].2;
        self.cursor = Some(i);
        self.hover = Some(i as u32);
        let (row, category) = (
            layout.kept[i] as usize,
            layout.sample.categories[layout.kept[i] as usize],
        );
        dom::set_text(
            "map-cursor",
            &format!(
                "{}, {category}: point {} of {} in view. Enter explains it.",
                layout.sample.formulas[row],
                next + 1,
                in_view.len()
            ),
        );
    }

    fn hide_tooltip(&self) {
        dom::set_hidden(&self.tooltip, true);
    }

    fn show_tooltip(&self, session: &Session, p: Pointer) {
        if p.touch {
            return;
        }
        let Some((i, layout)) = self.hover.zip(self.layout.as_ref()) else {
            return self.hide_tooltip();
        };
        let row = layout.kept[i as usize] as usize;
        let colour = session
            .map_model()
            .colours
            .get(i as usize)
            .copied()
            .unwrap_or([0, 0, 0, 255]);
        let tip = &self.tooltip;
        dom::clear(tip);
        let swatch = dom::append(tip, dom::make("span", "swatch", ""));
        let _ = swatch.style().set_property(
            "background",
            &format!("rgb({},{},{})", colour[0], colour[1], colour[2]),
        );
        dom::append(
            tip,
            super::panels::formula_html(&layout.sample.formulas[row]),
        );
        let category = layout.sample.categories[row];
        let extra = session.colour_note(&layout.sample.compositions[row]);
        dom::append(tip, dom::make("span", "", &format!(" — {category}{extra}")));
        dom::set_hidden(tip, false);
        place_beside(tip, &self.wrap, p.x, p.y);
    }
}

/// Positions `e` beside (x, y) inside `wrap`, flipping to stay inside it.
fn place_beside(e: &HtmlElement, wrap: &HtmlElement, x: f64, y: f64) {
    let (w, h) = (
        f64::from(wrap.client_width()),
        f64::from(wrap.client_height()),
    );
    let (tw, th) = (f64::from(e.offset_width()), f64::from(e.offset_height()));
    let left = if x + 14.0 + tw > w {
        x - tw - 10.0
    } else {
        x + 14.0
    };
    let top = if y + 14.0 + th > h {
        y - th - 10.0
    } else {
        y + 14.0
    };
    let style = e.style();
    let _ = style.set_property("left", &format!("{}px", left.clamp(0.0, (w - tw).max(0.0))));
    let _ = style.set_property("top", &format!("{}px", top.clamp(0.0, (h - th).max(0.0))));
}

/// Opens the card at the finger (its content comes with the explanation).
fn show_card(wrap: &HtmlElement, x: f64, y: f64) {
    let card: HtmlElement = by_id("tap-card");
    dom::set_hidden(&card, false);
    place_beside(&card, wrap, x, y);
}

/// Where a mouse or pointer event is, in CSS pixels from the canvas's corner.
fn at(canvas: &HtmlCanvasElement, e: &web_sys::MouseEvent) -> (f64, f64) {
    let rect = canvas.get_bounding_client_rect();
    (
        f64::from(e.client_x()) - rect.left(),
        f64::from(e.client_y()) - rect.top(),
    )
}

fn pointer(canvas: &HtmlCanvasElement, e: &web_sys::PointerEvent) -> Pointer {
    let (x, y) = at(canvas, e);
    Pointer {
        id: e.pointer_id(),
        x,
        y,
        touch: e.pointer_type() == "touch",
        shift: e.shift_key(),
        alt: e.alt_key(),
    }
}

/// Keys the map answers to (the rest are left to the page).
const MAP_KEYS: [&str; 14] = [
    "+",
    "=",
    "-",
    "_",
    "0",
    "n",
    "p",
    "Enter",
    " ",
    "Escape",
    "ArrowLeft",
    "ArrowRight",
    "ArrowUp",
    "ArrowDown",
];

/// Wires the canvas's DOM events to the queue.
fn listen(canvas: &HtmlCanvasElement, dispatch: &Dispatch) {
    listen_pointers(canvas, dispatch);
    let d = dispatch.clone();
    let c = canvas.clone();
    dom::on_active::<web_sys::WheelEvent>(canvas, "wheel", move |e| {
        e.prevent_default();
        let (x, y) = at(&c, &e);
        let delta = match e.delta_mode() {
            1 => e.delta_y() * 16.0,
            2 => e.delta_y() * 400.0,
            _ => e.delta_y(),
        };
        d.send(Msg::Canvas(CanvasEvent::Wheel { x, y, delta }));
    });
    let d = dispatch.clone();
    dom::on::<web_sys::KeyboardEvent>(canvas, "keydown", move |e| {
        let key = e.key();
        if MAP_KEYS.contains(&key.as_str()) {
            e.prevent_default();
            d.send(Msg::Canvas(CanvasEvent::Key(key)));
        }
    });
    let d = dispatch.clone();
    let observer = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
        d.send(Msg::Canvas(CanvasEvent::Resized))
    });
    if let Ok(resize) = web_sys::ResizeObserver::new(observer.as_ref().unchecked_ref()) {
        resize.observe(&by_id::<web_sys::Element>("map-wrap"));
    }
    // The observer lives as long as the page.
    observer.forget();
}

fn listen_pointers(canvas: &HtmlCanvasElement, dispatch: &Dispatch) {
    for name in ["pointerdown", "pointermove", "pointerup", "pointercancel"] {
        let d = dispatch.clone();
        let c = canvas.clone();
        dom::on::<web_sys::PointerEvent>(canvas, name, move |e| {
            let p = pointer(&c, &e);
            let event = match name {
                "pointerdown" => {
                    let _ = c.set_pointer_capture(e.pointer_id());
                    CanvasEvent::Down(p)
                }
                "pointermove" => CanvasEvent::Move(p),
                "pointerup" => {
                    let _ = c.release_pointer_capture(e.pointer_id());
                    CanvasEvent::Up(p)
                }
                _ => CanvasEvent::Cancel(p),
            };
            d.send(Msg::Canvas(event));
        });
    }
    let d = dispatch.clone();
    dom::on::<web_sys::PointerEvent>(canvas, "pointerleave", move |_| {
        d.send(Msg::Canvas(CanvasEvent::Leave))
    });
}
