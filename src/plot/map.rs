//! The map picture: points in their colours, highlighted and focused points
//! ringed, the current selection outlined, and labels and a legend for the
//! exported figures. Generic over the plotters backend, so the page's pixel
//! buffer, its canvas and the SVG export all draw the same thing.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_backend::DrawingErrorKind;

use super::colour::{Palette, Rgb};
use super::density::{CategoryContours, draw_contours};
use super::selection::Selection;
use super::viewport::Viewport;

/// What to draw. All slices index the same points.
#[derive(Debug, Clone, Copy)]
pub struct MapScene<'a> {
    /// x, y per point, in map units.
    pub coords: &'a [f32],
    /// RGBA per point (alpha below 255 fades points filtered out).
    pub colours: &'a [[u8; 4]],
    /// Points to draw, back to front; hidden points are left out.
    pub order: &'a [u32],
    /// Points to ring: search matches.
    pub highlighted: &'a [u32],
    /// The point whose details are open.
    pub focus: Option<u32>,
    /// The point under the pointer.
    pub hover: Option<u32>,
    /// Shapes of the selection (and one being drawn), traced.
    pub outlines: &'a [Selection],
}

/// Sizes and colours that do not depend on the data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapStyle {
    /// Point radius in pixels.
    pub radius: u32,
    /// Device pixels per CSS pixel: scales rings, lines and text.
    pub pixel_ratio: f64,
    pub background: Rgb,
    pub ring: Rgb,
}

impl Default for MapStyle {
    fn default() -> Self {
        MapStyle {
            radius: 3,
            pixel_ratio: 1.0,
            background: [255, 255, 255],
            ring: [0, 0, 0],
        }
    }
}

/// A formula placed on the map: drawn as a diamond in its colour, outlined
/// in black and white so it stands out from the points around it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlacedMark {
    pub x: f32,
    pub y: f32,
    pub colour: Rgb,
    /// Its details are open: ringed as a point in focus is.
    pub focus: bool,
}

/// Half the diagonal of a placed formula's diamond, in point radii, and at
/// least in CSS pixels: a few times a point, so it reads among thousands.
const PLACED_SIZE: f64 = 3.0;
const PLACED_MIN_PX: f64 = 7.0;

/// Half the diagonal of a placed formula's diamond in pixels under `style`.
pub fn placed_radius(style: &MapStyle) -> i32 {
    (f64::from(style.radius) * PLACED_SIZE)
        .max(PLACED_MIN_PX * style.pixel_ratio)
        .round() as i32
}

/// Pixel corners of the diamond of half-diagonal `r` around `p`.
fn diamond((x, y): (i32, i32), r: i32) -> [(i32, i32); 5] {
    [(x, y - r), (x + r, y), (x, y + r), (x - r, y), (x, y - r)]
}

/// Pixel centres of the placed marks on screen, in order (`None` off screen).
pub fn placed_pixels(
    placed: &[PlacedMark],
    view: &Viewport,
    margin: f64,
) -> Vec<Option<(i32, i32)>> {
    placed
        .iter()
        .map(|m| {
            let (px, py) = view.to_pixel(f64::from(m.x), f64::from(m.y));
            let inside = px.is_finite()
                && py.is_finite()
                && px > -margin
                && py > -margin
                && px < f64::from(view.width) + margin
                && py < f64::from(view.height) + margin;
            inside.then(|| (px.round() as i32, py.round() as i32))
        })
        .collect()
}

/// Draws the placed formulas over the points (after [`draw_points`]).
pub fn draw_placed<DB: DrawingBackend>(
    backend: &mut DB,
    placed: &[PlacedMark],
    view: &Viewport,
    style: &MapStyle,
) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
    let line = |w: f64| (w * style.pixel_ratio).round().max(1.0) as u32;
    let r = placed_radius(style);
    let margin = f64::from(r) + 8.0 * style.pixel_ratio;
    let ring = rgb(style.ring);
    for (m, at) in placed.iter().zip(placed_pixels(placed, view, margin)) {
        let Some(p) = at else {
            continue;
        };
        let halo = r + line(1.5) as i32;
        backend.fill_polygon(diamond(p, halo).into_iter().take(4), &WHITE)?;
        backend.fill_polygon(diamond(p, r).into_iter().take(4), &rgb(m.colour))?;
        backend.draw_path(diamond(p, r), &ring.stroke_width(line(1.5)))?;
        if m.focus {
            let radius = (halo + line(4.0) as i32) as u32;
            backend.draw_circle(p, radius + 1, &WHITE.stroke_width(line(2.5) + 2), false)?;
            backend.draw_circle(p, radius, &ring.stroke_width(line(2.5)), false)?;
        }
    }
    Ok(())
}

/// What is drawn with the points: density contours under them (in the
/// palette's colours) and placed formulas over them.
#[derive(Debug, Clone, Copy)]
pub struct Layers<'a> {
    pub contours: &'a [CategoryContours],
    pub palette: Palette,
    pub placed: &'a [PlacedMark],
}

/// One legend line: a swatch and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendEntry {
    pub colour: Rgb,
    pub label: String,
}

/// Text drawn on exported figures (and over the map on the page).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MapLabels {
    pub title: String,
    pub subtitle: String,
}

fn rgba(c: [u8; 4]) -> RGBAColor {
    RGBAColor(c[0], c[1], c[2], f64::from(c[3]) / 255.0)
}

fn rgb(c: Rgb) -> RGBColor {
    RGBColor(c[0], c[1], c[2])
}

/// Pixel centre of point `i`, if it is finite and near enough the screen to show.
fn on_screen(scene: &MapScene, view: &Viewport, i: usize, margin: f64) -> Option<(i32, i32)> {
    let (x, y) = (*scene.coords.get(2 * i)?, *scene.coords.get(2 * i + 1)?);
    let (px, py) = view.to_pixel(f64::from(x), f64::from(y));
    let inside = px > -margin
        && py > -margin
        && px < f64::from(view.width) + margin
        && py < f64::from(view.height) + margin;
    inside.then(|| (px.round() as i32, py.round() as i32))
}

/// Draws the points, rings and selection outline (no text) straight on the
/// backend: plotters' drawing areas clamp coordinates to their edges, which
/// would drag points just off screen onto the border.
pub fn draw_points<DB: DrawingBackend>(
    backend: &mut DB,
    scene: &MapScene,
    view: &Viewport,
    style: &MapStyle,
) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
    let margin = f64::from(style.radius) + 8.0 * style.pixel_ratio;
    for &i in scene.order {
        let i = i as usize;
        let (Some(p), Some(&c)) = (on_screen(scene, view, i, margin), scene.colours.get(i)) else {
            continue;
        };
        backend.draw_circle(p, style.radius, &rgba(c), true)?;
    }
    let line = |w: f64| (w * style.pixel_ratio).round().max(1.0) as u32;
    let ring = rgb(style.ring);
    for &i in scene.highlighted {
        if let Some(p) = on_screen(scene, view, i as usize, margin) {
            backend.draw_circle(
                p,
                style.radius + line(2.5),
                &ring.stroke_width(line(1.5)),
                false,
            )?;
        }
    }
    for (i, extra, width) in [(scene.hover, 3.0, 1.5), (scene.focus, 5.0, 2.5)] {
        if let Some(p) = i.and_then(|i| on_screen(scene, view, i as usize, margin)) {
            let r = style.radius + line(extra);
            backend.draw_circle(p, r + 1, &WHITE.stroke_width(line(width) + 2), false)?;
            backend.draw_circle(p, r, &ring.stroke_width(line(width)), false)?;
        }
    }
    for selection in scene.outlines {
        let path: Vec<(i32, i32)> = selection
            .outline()
            .into_iter()
            .map(|(x, y)| {
                let (px, py) = view.to_pixel(x, y);
                (px.round() as i32, py.round() as i32)
            })
            .collect();
        backend.draw_path(path, &ring.stroke_width(line(1.5)))?;
    }
    Ok(())
}

/// Where a category's points sit in the drawing order: unlikely at the back
/// (the most numerous, pale grey), standard in front.
pub fn category_layer(c: crate::label::Category) -> u8 {
    use crate::label::Category;
    match c {
        Category::Unlikely => 0,
        Category::Interesting => 1,
        Category::Missing => 2,
        Category::Standard => 3,
    }
}

/// A count with thousands separated by commas, as the paper's tables write
/// them: 13,464.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Rough text width, for laying out the legend without font metrics.
fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.56
}

/// Draws the title, subtitle and (when given) a legend box at the top right.
pub fn draw_labels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: &MapLabels,
    legend: Option<&[LegendEntry]>,
    style: &MapStyle,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let k = style.pixel_ratio;
    let px = |v: f64| (v * k).round() as i32;
    let title = ("sans-serif", 15.0 * k)
        .into_font()
        .color(&RGBColor(30, 30, 30));
    let small = ("sans-serif", 12.0 * k)
        .into_font()
        .color(&RGBColor(70, 70, 70));
    if !labels.title.is_empty() || !labels.subtitle.is_empty() {
        // A pale box keeps the text legible over dense points.
        let width = text_width(&labels.title, 15.0).max(text_width(&labels.subtitle, 12.0));
        let height = if labels.subtitle.is_empty() {
            26.0
        } else {
            44.0
        };
        area.draw(&Rectangle::new(
            [(px(4.0), px(4.0)), (px(16.0 + width), px(4.0 + height))],
            RGBAColor(255, 255, 255, 0.85).filled(),
        ))?;
    }
    if !labels.title.is_empty() {
        area.draw(&Text::new(labels.title.clone(), (px(10.0), px(8.0)), title))?;
    }
    if !labels.subtitle.is_empty() {
        area.draw(&Text::new(
            labels.subtitle.clone(),
            (px(10.0), px(28.0)),
            small.clone(),
        ))?;
    }
    let Some(entries) = legend.filter(|e| !e.is_empty()) else {
        return Ok(());
    };
    let (w, _) = area.dim_in_pixel();
    let widest = entries
        .iter()
        .map(|e| text_width(&e.label, 12.0))
        .fold(0.0, f64::max);
    let box_w = px(widest + 34.0);
    let box_h = px(10.0 + 18.0 * entries.len() as f64);
    let x0 = w as i32 - box_w - px(10.0);
    let y0 = px(10.0);
    area.draw(&Rectangle::new(
        [(x0, y0), (x0 + box_w, y0 + box_h)],
        RGBAColor(255, 255, 255, 0.85).filled(),
    ))?;
    area.draw(&Rectangle::new(
        [(x0, y0), (x0 + box_w, y0 + box_h)],
        RGBColor(200, 200, 200).stroke_width(1),
    ))?;
    for (row, e) in entries.iter().enumerate() {
        let y = y0 + px(8.0 + 18.0 * row as f64);
        area.draw(&Rectangle::new(
            [(x0 + px(8.0), y), (x0 + px(20.0), y + px(12.0))],
            rgb(e.colour).filled(),
        ))?;
        area.draw(&Text::new(
            e.label.clone(),
            (x0 + px(26.0), y),
            small.clone(),
        ))?;
    }
    Ok(())
}

/// The whole figure as an SVG document `view.width` x `view.height` pixels.
pub fn render_svg(
    scene: &MapScene,
    view: &Viewport,
    style: &MapStyle,
    labels: &MapLabels,
    legend: &[LegendEntry],
) -> Result<String, String> {
    render_svg_with_contours(scene, &[], Palette::Paper, view, style, labels, legend)
}

/// [`render_svg`] with density contours drawn under the points.
pub fn render_svg_with_contours(
    scene: &MapScene,
    contours: &[CategoryContours],
    palette: Palette,
    view: &Viewport,
    style: &MapStyle,
    labels: &MapLabels,
    legend: &[LegendEntry],
) -> Result<String, String> {
    let layers = Layers {
        contours,
        palette,
        placed: &[],
    };
    render_svg_layers(scene, &layers, view, style, labels, legend)
}

/// [`render_svg`] with the contours under the points and the placed
/// formulas over them.
pub fn render_svg_layers(
    scene: &MapScene,
    layers: &Layers,
    view: &Viewport,
    style: &MapStyle,
    labels: &MapLabels,
    legend: &[LegendEntry],
) -> Result<String, String> {
    let mut svg = String::new();
    {
        let mut backend = SVGBackend::with_string(&mut svg, (view.width, view.height));
        let failed = |e: &dyn std::fmt::Display| format!("drawing the SVG failed: {e}");
        backend
            .draw_rect(
                (0, 0),
                (view.width as i32, view.height as i32),
                &rgb(style.background),
                true,
            )
            .map_err(|e| failed(&e))?;
        draw_contours(&mut backend, layers.contours, layers.palette, view, style)
            .map_err(|e| failed(&e))?;
        draw_points(&mut backend, scene, view, style).map_err(|e| failed(&e))?;
        draw_placed(&mut backend, layers.placed, view, style).map_err(|e| failed(&e))?;
        let area = backend.into_drawing_area();
        draw_labels(&area, labels, Some(legend), style).map_err(|e| failed(&e))?;
        area.present().map_err(|e| failed(&e))?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::{Bounds, RgbaCanvas};

    fn scene_parts() -> (Vec<f32>, Vec<[u8; 4]>) {
        let coords = vec![0.0, 0.0, 10.0, 10.0, 5.0, 5.0, f32::NAN, 1.0];
        let colours = vec![
            [0, 47, 255, 255],
            [255, 18, 1, 255],
            [34, 224, 0, 255],
            [217, 217, 217, 255],
        ];
        (coords, colours)
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(13_464), "13,464");
        assert_eq!(grouped(16_902_534_325), "16,902,534,325");
    }

    #[test]
    fn svg_has_one_circle_per_drawn_point_in_its_colour() {
        let (coords, colours) = scene_parts();
        let view = Viewport::fit(Bounds::of(&coords).unwrap(), 200, 150, 10.0);
        let scene = MapScene {
            coords: &coords,
            colours: &colours,
            order: &[0, 1, 3],
            highlighted: &[],
            focus: None,
            hover: None,
            outlines: &[],
        };
        let legend = [LegendEntry {
            colour: [0, 47, 255],
            label: "standard (1)".into(),
        }];
        let labels = MapLabels {
            title: "UMAP of mat2vec".into(),
            subtitle: "3 binaries".into(),
        };
        let svg = render_svg(&scene, &view, &MapStyle::default(), &labels, &legend).unwrap();
        assert!(svg.starts_with("<svg"));
        // Points 0 and 1 are drawn; 2 is hidden (not in order), 3 has no finite position.
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(
            svg.contains("#002FFF") || svg.contains("#002fff"),
            "standard blue"
        );
        assert!(
            svg.contains("#FF1201") || svg.contains("#ff1201"),
            "missing red"
        );
        assert!(
            !svg.contains("#22E000") && !svg.contains("#22e000"),
            "hidden green left out"
        );
        assert!(svg.contains("UMAP of mat2vec") && svg.contains("standard (1)"));
    }

    #[test]
    fn placed_formulas_are_diamonds_over_the_points() {
        let (coords, colours) = scene_parts();
        let view = Viewport::fit(Bounds::of(&coords).unwrap(), 120, 100, 10.0);
        let scene = MapScene {
            coords: &coords,
            colours: &colours,
            order: &[0, 1, 2],
            highlighted: &[],
            focus: None,
            hover: None,
            outlines: &[],
        };
        // One mark exactly on point 2 (green), in the missing red; one off the map.
        let placed = [
            PlacedMark {
                x: 5.0,
                y: 5.0,
                colour: [255, 18, 1],
                focus: false,
            },
            PlacedMark {
                x: 500.0,
                y: 5.0,
                colour: [0, 0, 0],
                focus: false,
            },
        ];
        let style = MapStyle::default();
        let (w, h) = (view.width, view.height);
        let mut buf = vec![0u8; (w * h * 4) as usize];
        {
            let mut canvas = RgbaCanvas::new(&mut buf, w, h).unwrap();
            canvas.clear([255, 255, 255, 255]);
            draw_points(&mut canvas, &scene, &view, &style).unwrap();
            draw_placed(&mut canvas, &placed, &view, &style).unwrap();
        }
        let (px, py) = view.to_pixel(5.0, 5.0);
        let (px, py) = (px.round() as u32, py.round() as u32);
        let at = |x: u32, y: u32| {
            let i = ((y * w + x) * 4) as usize;
            [buf[i], buf[i + 1], buf[i + 2]]
        };
        assert_eq!(at(px, py), [255, 18, 1], "the mark covers the point");
        // radius 3 x 3 = 9 px to the corners: black outline there, white halo beyond.
        assert_eq!(placed_radius(&style), 9);
        assert_eq!(at(px + 9, py), [0, 0, 0]);
        assert_eq!(at(px, py - 9), [0, 0, 0]);
        assert_eq!(at(px + 11, py), [255, 255, 255]);
        // A diamond, not a square: its bounding box's corner stays white.
        assert_eq!(at(px + 7, py + 7), [255, 255, 255]);
        assert_eq!(
            placed_pixels(&placed, &view, 0.0),
            [Some((px as i32, py as i32)), None]
        );
        let svg = render_svg_layers(
            &scene,
            &Layers {
                contours: &[],
                palette: Palette::Paper,
                placed: &placed,
            },
            &view,
            &style,
            &MapLabels::default(),
            &[],
        )
        .unwrap();
        assert_eq!(
            svg.matches("<polygon").count(),
            2,
            "halo and fill of the one mark on screen"
        );
    }

    #[test]
    fn raster_draw_puts_points_where_the_viewport_says() {
        let (coords, colours) = scene_parts();
        let view = Viewport::fit(Bounds::of(&coords).unwrap(), 120, 100, 10.0);
        let highlighted = [2u32];
        let selection = Selection::Box {
            x0: -1.0,
            y0: -1.0,
            x1: 1.0,
            y1: 1.0,
        };
        let scene = MapScene {
            coords: &coords,
            colours: &colours,
            order: &[0, 1, 2, 3],
            highlighted: &highlighted,
            focus: Some(1),
            hover: None,
            outlines: std::slice::from_ref(&selection),
        };
        let (w, h) = (view.width, view.height);
        let mut buf = vec![0u8; (w * h * 4) as usize];
        {
            let mut canvas = RgbaCanvas::new(&mut buf, w, h).unwrap();
            canvas.clear([255, 255, 255, 255]);
            draw_points(&mut canvas, &scene, &view, &MapStyle::default()).unwrap();
        }
        let at = |x: f64, y: f64| {
            let (px, py) = view.to_pixel(x, y);
            let i = ((py.round() as u32 * w + px.round() as u32) * 4) as usize;
            [buf[i], buf[i + 1], buf[i + 2]]
        };
        assert_eq!(at(0.0, 0.0), [0, 47, 255]);
        assert_eq!(at(10.0, 10.0), [255, 18, 1]);
        assert_eq!(at(5.0, 5.0), [34, 224, 0]);
        // The highlight ring around point 2 is black, 5.5 px out.
        let (px, py) = view.to_pixel(5.0, 5.0);
        let i = ((py.round() as u32 * w + px.round() as u32 + 5) * 4) as usize;
        assert_eq!(&buf[i..i + 3], [0, 0, 0]);
    }
}
