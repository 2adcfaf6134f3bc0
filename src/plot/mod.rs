//! Drawing maps of chemical space on any plotters backend.
//!
//! Why a module of its own: the page (canvas), the exports (SVG, PNG) and the
//! native tests must draw the same picture, so everything that decides what a
//! map looks like lives here, away from the DOM: colours ([`colour`]), the
//! data-to-pixel transform with zoom and pan ([`viewport`]), which point is
//! under the pointer ([`hit_grid`]), box and lasso selections ([`selection`]),
//! the drawing itself ([`map`]), density contours under the points
//! ([`density`]) and a plotters backend that writes straight
//! into an RGBA pixel buffer ([`raster`]), which the page blits through
//! `ImageData` because 12,000 canvas calls per frame are too slow for 60 fps.
//!
//! Guarantees: drawing is deterministic (same inputs, same pixels) and never
//! panics on empty, degenerate (all points equal) or non-finite coordinates.

pub mod colour;
pub mod density;
pub mod hit_grid;
pub mod map;
pub mod map_model;
pub mod periodic;
pub mod raster;
pub mod selection;
pub mod viewport;

pub use colour::{Palette, Rgb};
pub use hit_grid::HitGrid;
pub use map::{
    Layers, LegendEntry, MapLabels, MapScene, MapStyle, PlacedMark, category_layer, draw_labels,
    draw_placed, draw_points, grouped, placed_pixels, placed_radius, render_svg, render_svg_layers,
    render_svg_with_contours,
};
pub use map_model::{MapLook, MapModel, MapPoints};
pub use raster::RgbaCanvas;
pub use selection::{Selection, SelectionOp, Selections};
pub use viewport::{Bounds, Viewport};
