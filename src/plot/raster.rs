//! A plotters backend that draws into an RGBA pixel buffer laid out as the
//! browser's `ImageData` (row-major, 4 bytes per pixel, straight alpha).
//!
//! The page draws the map's 12,000 points here and blits the buffer in one
//! `putImageData` call: the same plotters drawing code as the SVG export, at a
//! fraction of the cost of one canvas call per point. Filled circles and
//! rectangles have fast span-filling paths; everything else uses plotters'
//! pixel rasteriser. Text is not supported (no fonts here): draw labels with a
//! backend that has them (the page's canvas, SVG).

use std::error::Error;
use std::fmt;

use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, DrawingBackend, DrawingErrorKind,
};

/// The pixel buffer and its size.
pub struct RgbaCanvas<'a> {
    pixels: &'a mut [u8],
    width: u32,
    height: u32,
}

/// The only failure: a text call on a backend without fonts.
#[derive(Debug)]
pub struct RasterError;

impl fmt::Display for RasterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the RGBA raster backend draws no text")
    }
}

impl Error for RasterError {}

impl<'a> RgbaCanvas<'a> {
    /// Wraps `pixels`, which must hold exactly `width * height * 4` bytes.
    pub fn new(pixels: &'a mut [u8], width: u32, height: u32) -> Option<RgbaCanvas<'a>> {
        (pixels.len() as u64 == u64::from(width) * u64::from(height) * 4).then_some(RgbaCanvas {
            pixels,
            width,
            height,
        })
    }

    /// Sets every pixel to `rgba`.
    pub fn clear(&mut self, rgba: [u8; 4]) {
        for p in self.pixels.chunks_exact_mut(4) {
            p.copy_from_slice(&rgba);
        }
    }

    /// Blends `color` over the pixels x0..x1 of row y (clipped).
    fn span(&mut self, y: i32, x0: i32, x1: i32, color: BackendColor) {
        if y < 0 || y >= self.height as i32 {
            return;
        }
        let (x0, x1) = (x0.max(0), x1.min(self.width as i32 - 1));
        if x0 > x1 {
            return;
        }
        let row = y as usize * self.width as usize * 4;
        let slice = &mut self.pixels[row + x0 as usize * 4..row + (x1 as usize + 1) * 4];
        let (r, g, b) = color.rgb;
        let a = (color.alpha.clamp(0.0, 1.0) * 255.0).round() as u32;
        if a == 255 {
            for p in slice.chunks_exact_mut(4) {
                p.copy_from_slice(&[r, g, b, 255]);
            }
        } else if a > 0 {
            for p in slice.chunks_exact_mut(4) {
                blend(p, [r, g, b], a);
            }
        }
    }
}

/// Source-over blending of `rgb` at alpha `a` (0..=255) onto pixel `p`.
fn blend(p: &mut [u8], rgb: [u8; 3], a: u32) {
    let inv = 255 - a;
    let da = u32::from(p[3]);
    // Straight-alpha "over": out_a = a + da (1 - a); out_c = (c a + dc da (1 - a)) / out_a.
    let out_a = a * 255 + da * inv;
    if out_a == 0 {
        return;
    }
    for k in 0..3 {
        let c = u32::from(rgb[k]) * a * 255 + u32::from(p[k]) * da * inv;
        p[k] = ((c + out_a / 2) / out_a) as u8;
    }
    p[3] = ((out_a + 127) / 255) as u8;
}

impl DrawingBackend for RgbaCanvas<'_> {
    type ErrorType = RasterError;

    fn get_size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<RasterError>> {
        Ok(())
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<RasterError>> {
        Ok(())
    }

    fn draw_pixel(
        &mut self,
        (x, y): BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<RasterError>> {
        self.span(y, x, x, color);
        Ok(())
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<RasterError>> {
        if !fill {
            return plotters_backend::rasterizer::draw_rect(
                self,
                upper_left,
                bottom_right,
                style,
                fill,
            );
        }
        let (x0, x1) = (
            upper_left.0.min(bottom_right.0),
            upper_left.0.max(bottom_right.0),
        );
        let (y0, y1) = (
            upper_left.1.min(bottom_right.1),
            upper_left.1.max(bottom_right.1),
        );
        for y in y0.max(0)..=y1.min(self.height as i32 - 1) {
            self.span(y, x0, x1, style.color());
        }
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        (cx, cy): BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<RasterError>> {
        let color = style.color();
        let r = f64::from(radius) + 0.5;
        let ri = radius as i32;
        if cx + ri < 0
            || cy + ri < 0
            || cx - ri >= self.width as i32
            || cy - ri >= self.height as i32
        {
            return Ok(());
        }
        // The ring keeps pixels whose centres lie between the inner and outer radius.
        let inner = if fill {
            -1.0
        } else {
            (r - f64::from(style.stroke_width().max(1))).max(0.0)
        };
        for dy in -ri..=ri {
            let dy2 = f64::from(dy) * f64::from(dy);
            let outer_half = (r * r - dy2).max(0.0).sqrt().floor() as i32;
            if inner < 0.0 || dy2 >= inner * inner {
                self.span(cy + dy, cx - outer_half, cx + outer_half, color);
            } else {
                let inner_half = (inner * inner - dy2).sqrt().ceil() as i32;
                self.span(cy + dy, cx - outer_half, cx - inner_half, color);
                self.span(cy + dy, cx + inner_half, cx + outer_half, color);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{RgbaCanvas, blend};
    use plotters::prelude::*;

    fn pixel(buf: &[u8], w: u32, x: u32, y: u32) -> [u8; 4] {
        let i = ((y * w + x) * 4) as usize;
        buf[i..i + 4].try_into().unwrap()
    }

    #[test]
    fn draws_plotters_elements_into_rgba() {
        let (w, h) = (40u32, 30u32);
        let mut buf = vec![0u8; (w * h * 4) as usize];
        {
            let mut canvas = RgbaCanvas::new(&mut buf, w, h).unwrap();
            canvas.clear([255, 255, 255, 255]);
            let area = canvas.into_drawing_area();
            area.draw(&Circle::new((10, 10), 4, RGBColor(0, 47, 255).filled()))
                .unwrap();
            area.draw(&Rectangle::new(
                [(30, 20), (35, 25)],
                RGBColor(255, 18, 1).filled(),
            ))
            .unwrap();
            area.draw(&Circle::new((25, 10), 4, BLACK.stroke_width(1)))
                .unwrap();
        }
        assert_eq!(pixel(&buf, w, 10, 10), [0, 47, 255, 255]);
        assert_eq!(pixel(&buf, w, 13, 10), [0, 47, 255, 255]);
        assert_eq!(pixel(&buf, w, 10, 15), [255, 255, 255, 255]);
        assert_eq!(pixel(&buf, w, 32, 22), [255, 18, 1, 255]);
        assert_eq!(pixel(&buf, w, 29, 10), [0, 0, 0, 255], "ring drawn");
        assert_eq!(
            pixel(&buf, w, 25, 10),
            [255, 255, 255, 255],
            "ring is hollow"
        );
        assert!(RgbaCanvas::new(&mut [0u8; 5], 1, 1).is_none());
    }

    #[test]
    fn blending_and_clipping() {
        let (w, h) = (8u32, 8u32);
        let mut buf = vec![0u8; (w * h * 4) as usize];
        {
            let mut canvas = RgbaCanvas::new(&mut buf, w, h).unwrap();
            canvas.clear([255, 255, 255, 255]);
            canvas
                .draw_rect((0, 0), (3, 3), &RGBColor(0, 0, 0).mix(0.5), true)
                .unwrap();
            // Shapes partly or wholly off the buffer are clipped, not moved and not a panic.
            canvas.draw_circle((-3, 6), 5, &RED, true).unwrap();
            canvas.draw_circle((1000, -1000), 5, &RED, true).unwrap();
        }
        assert_eq!(
            pixel(&buf, w, 2, 2),
            [127, 127, 127, 255],
            "white under half-transparent black"
        );
        assert_eq!(pixel(&buf, w, 0, 6), [255, 0, 0, 255]);
        assert_eq!(pixel(&buf, w, 3, 6), [255, 255, 255, 255]);
        // Over transparent, a half-transparent colour stays half-transparent.
        let mut p = [0u8, 0, 0, 0];
        blend(&mut p, [10, 20, 30], 128);
        assert_eq!(p, [10, 20, 30, 128]);
    }
}
