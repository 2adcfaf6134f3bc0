//! The transform from map coordinates to pixels, with zoom and pan.
//!
//! Map y grows upwards, pixel y downwards. The scale is the same on both axes
//! so a reducer's distances are not distorted. A view is stored in links as
//! its centre and its zoom relative to the fitted view, so a shared link shows
//! the same region on a screen of another size.

/// The smallest axis-aligned box around a set of points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Bounds {
    /// Bounds of the finite points in `coords` (x, y pairs); `None` if there are none.
    pub fn of(coords: &[f32]) -> Option<Bounds> {
        let mut b: Option<Bounds> = None;
        for p in coords.chunks_exact(2) {
            let (x, y) = (f64::from(p[0]), f64::from(p[1]));
            if !(x.is_finite() && y.is_finite()) {
                continue;
            }
            let nb = b.get_or_insert(Bounds {
                x0: x,
                y0: y,
                x1: x,
                y1: y,
            });
            nb.x0 = nb.x0.min(x);
            nb.y0 = nb.y0.min(y);
            nb.x1 = nb.x1.max(x);
            nb.y1 = nb.y1.max(y);
        }
        b
    }

    pub fn width(&self) -> f64 {
        self.x1 - self.x0
    }

    pub fn height(&self) -> f64 {
        self.y1 - self.y0
    }
}

/// Most a view may zoom in or out relative to the fitted view.
pub const ZOOM_LIMITS: (f64, f64) = (0.05, 2000.0);

/// What part of the map is on screen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viewport {
    /// Map coordinates at the centre of the screen.
    pub cx: f64,
    pub cy: f64,
    /// Pixels per map unit.
    pub scale: f64,
    /// Pixels per map unit of the fitted view, the reference for zoom.
    pub fit_scale: f64,
    pub width: u32,
    pub height: u32,
}

impl Viewport {
    /// The view that shows all of `bounds` with `margin` pixels to spare.
    /// Degenerate bounds (a single point) get a unit-wide box.
    pub fn fit(bounds: Bounds, width: u32, height: u32, margin: f64) -> Viewport {
        let (w, h) = if bounds.width() <= 0.0 && bounds.height() <= 0.0 {
            (1.0, 1.0)
        } else {
            // A zero extent on one axis leaves the other to decide the scale.
            (bounds.width().max(1e-12), bounds.height().max(1e-12))
        };
        let usable_w = (f64::from(width) - 2.0 * margin).max(1.0);
        let usable_h = (f64::from(height) - 2.0 * margin).max(1.0);
        let scale = (usable_w / w).min(usable_h / h);
        Viewport {
            cx: (bounds.x0 + bounds.x1) / 2.0,
            cy: (bounds.y0 + bounds.y1) / 2.0,
            scale,
            fit_scale: scale,
            width,
            height,
        }
    }

    /// Pixel position of map point (x, y).
    pub fn to_pixel(&self, x: f64, y: f64) -> (f64, f64) {
        (
            f64::from(self.width) / 2.0 + (x - self.cx) * self.scale,
            f64::from(self.height) / 2.0 - (y - self.cy) * self.scale,
        )
    }

    /// Map position under pixel (px, py).
    pub fn to_map(&self, px: f64, py: f64) -> (f64, f64) {
        (
            self.cx + (px - f64::from(self.width) / 2.0) / self.scale,
            self.cy - (py - f64::from(self.height) / 2.0) / self.scale,
        )
    }

    /// Zoom by `factor` (> 1 zooms in) keeping the map point under (px, py) fixed.
    pub fn zoom_at(&mut self, px: f64, py: f64, factor: f64) {
        if !(factor.is_finite() && factor > 0.0) {
            return;
        }
        let (mx, my) = self.to_map(px, py);
        let zoom = (self.scale * factor / self.fit_scale).clamp(ZOOM_LIMITS.0, ZOOM_LIMITS.1);
        self.scale = zoom * self.fit_scale;
        let (nx, ny) = self.to_map(px, py);
        self.cx += mx - nx;
        self.cy += my - ny;
    }

    /// Move the map by (dx, dy) pixels, as when dragged.
    pub fn pan(&mut self, dx: f64, dy: f64) {
        if dx.is_finite() && dy.is_finite() {
            self.cx -= dx / self.scale;
            self.cy += dy / self.scale;
        }
    }

    /// Where this view puts the pixels of `earlier`: pixel p there is pixel
    /// `scale * p + (dx, dy)` here (same size assumed). What a frame drawn for
    /// `earlier` must be scaled and moved by to stand in for this view.
    pub fn from_pixels_of(&self, earlier: &Viewport) -> (f64, f64, f64) {
        let scale = self.scale / earlier.scale;
        let (x0, y0) = earlier.to_pixel(0.0, 0.0);
        let (x1, y1) = self.to_pixel(0.0, 0.0);
        (scale, x1 - scale * x0, y1 - scale * y0)
    }

    /// Zoom relative to the fitted view (1 = fitted).
    pub fn zoom(&self) -> f64 {
        self.scale / self.fit_scale
    }

    /// The same region on a screen of another size: centre kept, zoom kept
    /// relative to the fit for the new size.
    pub fn resized(&self, bounds: Bounds, width: u32, height: u32, margin: f64) -> Viewport {
        let zoom = self.zoom();
        let mut v = Viewport::fit(bounds, width, height, margin);
        v.cx = self.cx;
        v.cy = self.cy;
        v.scale = v.fit_scale * zoom;
        v
    }

    /// Map rectangle on screen, as bounds.
    pub fn visible_bounds(&self) -> Bounds {
        let (x0, y1) = self.to_map(0.0, 0.0);
        let (x1, y0) = self.to_map(f64::from(self.width), f64::from(self.height));
        Bounds { x0, y0, x1, y1 }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_frame_drawn_for_one_view_is_moved_and_scaled_onto_another() {
        let earlier = Viewport::fit(
            Bounds {
                x0: -3.0,
                y0: -1.0,
                x1: 5.0,
                y1: 2.0,
            },
            800,
            600,
            20.0,
        );
        let mut now = earlier;
        now.pan(37.0, -12.5);
        now.zoom_at(300.0, 200.0, 2.5);
        let (scale, dx, dy) = now.from_pixels_of(&earlier);
        for (x, y) in [(-3.0, -1.0), (5.0, 2.0), (0.25, 1.5)] {
            let (px, py) = earlier.to_pixel(x, y);
            let (qx, qy) = now.to_pixel(x, y);
            assert!((scale * px + dx - qx).abs() < 1e-9 && (scale * py + dy - qy).abs() < 1e-9);
        }
    }

    use super::*;

    fn close(a: (f64, f64), b: (f64, f64)) -> bool {
        (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9
    }

    #[test]
    fn fit_shows_every_point_inside_the_margin() {
        let coords = [0.0f32, 0.0, 10.0, 5.0, -2.0, 3.0, f32::NAN, 1e30];
        let b = Bounds::of(&coords).unwrap();
        assert_eq!((b.x0, b.y0, b.x1, b.y1), (-2.0, 0.0, 10.0, 5.0));
        let v = Viewport::fit(b, 800, 600, 20.0);
        for p in coords[..6].chunks(2) {
            let (px, py) = v.to_pixel(f64::from(p[0]), f64::from(p[1]));
            assert!(
                (20.0 - 1e-9..=780.0 + 1e-9).contains(&px)
                    && (20.0 - 1e-9..=580.0 + 1e-9).contains(&py)
            );
        }
        // y grows upwards on the map.
        assert!(v.to_pixel(0.0, 5.0).1 < v.to_pixel(0.0, 0.0).1);
        assert!(Bounds::of(&[]).is_none());
        let single = Viewport::fit(Bounds::of(&[1.0, 1.0]).unwrap(), 100, 100, 10.0);
        assert!(single.scale.is_finite() && close(single.to_pixel(1.0, 1.0), (50.0, 50.0)));
    }

    #[test]
    fn zoom_keeps_the_point_under_the_cursor_and_pan_moves_by_pixels() {
        let mut v = Viewport::fit(
            Bounds {
                x0: 0.0,
                y0: 0.0,
                x1: 4.0,
                y1: 3.0,
            },
            400,
            300,
            0.0,
        );
        let under = v.to_map(123.0, 77.0);
        v.zoom_at(123.0, 77.0, 2.5);
        assert!(close(v.to_map(123.0, 77.0), under));
        assert!((v.zoom() - 2.5).abs() < 1e-12);
        let before = v.to_pixel(1.0, 1.0);
        v.pan(10.0, -4.0);
        let after = v.to_pixel(1.0, 1.0);
        assert!(close(
            (after.0 - before.0, after.1 - before.1),
            (10.0, -4.0)
        ));
        let clamped = {
            let mut w = v;
            w.zoom_at(0.0, 0.0, 1e12);
            w.zoom()
        };
        assert_eq!(clamped, ZOOM_LIMITS.1);
        let unchanged = v;
        v.zoom_at(5.0, 5.0, f64::NAN);
        assert_eq!(v, unchanged);
    }

    #[test]
    fn resizing_keeps_centre_and_relative_zoom() {
        let b = Bounds {
            x0: -1.0,
            y0: -1.0,
            x1: 1.0,
            y1: 1.0,
        };
        let mut v = Viewport::fit(b, 400, 400, 0.0);
        v.zoom_at(100.0, 100.0, 3.0);
        let r = v.resized(b, 800, 500, 0.0);
        assert_eq!((r.cx, r.cy), (v.cx, v.cy));
        assert!((r.zoom() - 3.0).abs() < 1e-12);
        let vb = r.visible_bounds();
        assert!(vb.x0 < r.cx && r.cx < vb.x1 && vb.y0 < r.cy && r.cy < vb.y1);
    }
}
