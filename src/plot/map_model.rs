//! What a map shows, decided once per change of data or look: each point's
//! colour, which points are drawn and in what order, which are ringed, which
//! is in focus, which are selected, and the counts a caption and legend
//! quote. The page's canvas, the exports and the tests all draw from this
//! model, so what is counted is what is drawn.

use super::colour::{ColourBy, Palette, Range, Rgb, anion_colour, sequential};
use super::map::{MapScene, PlacedMark, category_layer};
use super::selection::{Selection, Selections};
use crate::anion::AnionClass;
use crate::chem::{Composition, Element};
use crate::label::Category;

/// Alpha of a drawn point (over white).
pub const POINT_ALPHA: u8 = 215;

/// The settings that decide how a map looks.
#[derive(Debug, Clone, Copy)]
pub struct MapLook<'a> {
    pub colour: ColourBy,
    pub palette: Palette,
    /// Categories switched off.
    pub hidden: &'a [Category],
    /// Only compositions containing this element are shown.
    pub element: Option<Element>,
    /// A formula or element symbol to ring.
    pub search: &'a str,
    /// The composition whose details are open.
    pub focus: Option<&'a Composition>,
    pub selection: &'a Selections,
}

/// The points of a map: point `i` is sample row `kept[i]`.
#[derive(Debug, Clone, Copy)]
pub struct MapPoints<'a> {
    pub coords: &'a [f32],
    pub kept: &'a [u32],
    pub compositions: &'a [Composition],
    pub categories: &'a [Category],
}

impl MapPoints<'_> {
    pub fn len(&self) -> usize {
        self.kept.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    pub fn composition(&self, i: usize) -> &Composition {
        &self.compositions[self.kept[i] as usize]
    }

    pub fn category(&self, i: usize) -> Category {
        self.categories[self.kept[i] as usize]
    }
}

/// Everything drawn, per point.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MapModel {
    /// RGBA per point.
    pub colours: Vec<[u8; 4]>,
    /// Points drawn, back to front (unlikely at the back, standard in front).
    pub order: Vec<u32>,
    /// Whether each point passes the category and element filters.
    pub visible: Vec<bool>,
    /// Shown points ringed by the search.
    pub highlighted: Vec<u32>,
    /// The property value of each point, when colouring by a property.
    pub values: Vec<Option<f64>>,
    pub range: Option<Range>,
    /// The point in focus, when it is on the map and shown.
    pub focus: Option<u32>,
    /// Shown points inside the selection, in index order.
    pub selected: Vec<usize>,
    /// Shown points per category, in [`Category::ALL`] order.
    pub shown: [usize; 4],
    /// Formulas placed on the map, drawn over the points (set by whoever
    /// placed them: [`MapModel::build`] leaves it empty).
    pub placed: Vec<PlacedMark>,
}

/// The colour of a composition of `category` under `look`; `value` is its
/// property value and `range` the map's, when colouring by a property.
fn colour(
    look: &MapLook,
    c: &Composition,
    category: Category,
    value: Option<f64>,
    range: Option<Range>,
) -> Rgb {
    match look.colour {
        ColourBy::Category => look.palette.category(category),
        ColourBy::Anion => anion_colour(AnionClass::of(c)),
        ColourBy::Property(_) => sequential(match (value, range) {
            (Some(v), Some(r)) => r.unit(v),
            _ => f64::NAN,
        }),
    }
}

fn category_index(c: Category) -> usize {
    Category::ALL
        .iter()
        .position(|&x| x == c)
        .expect("every category is listed")
}

impl MapModel {
    pub fn build(points: &MapPoints, look: &MapLook) -> MapModel {
        let n = points.len();
        let visible: Vec<bool> = (0..n)
            .map(|i| {
                !look.hidden.contains(&points.category(i))
                    && look
                        .element
                        .is_none_or(|e| points.composition(i).contains(e))
            })
            .collect();
        let values: Vec<Option<f64>> = match look.colour {
            ColourBy::Property(p) => (0..n)
                .map(|i| p.of_composition(points.composition(i)))
                .collect(),
            _ => Vec::new(),
        };
        let range = Range::of(values.iter().flatten().copied());
        let colours = (0..n)
            .map(|i| {
                let value = values.get(i).copied().flatten();
                let rgb = colour(
                    look,
                    points.composition(i),
                    points.category(i),
                    value,
                    range,
                );
                [rgb[0], rgb[1], rgb[2], POINT_ALPHA]
            })
            .collect();
        let mut order: Vec<u32> = (0..n as u32).filter(|&i| visible[i as usize]).collect();
        order.sort_by_key(|&i| category_layer(points.category(i as usize)));
        let mut shown = [0; 4];
        for &i in &order {
            shown[category_index(points.category(i as usize))] += 1;
        }
        let highlighted = search_matches(look.search, points)
            .into_iter()
            .filter(|&i| visible[i])
            .map(|i| i as u32)
            .collect();
        let focus = look
            .focus
            .and_then(|f| (0..n).find(|&i| visible[i] && points.composition(i) == f))
            .map(|i| i as u32);
        let selected = look.selection.select(points.coords, |i| visible[i]);
        MapModel {
            colours,
            order,
            visible,
            highlighted,
            values,
            range,
            focus,
            selected,
            shown,
            placed: Vec::new(),
        }
    }

    /// The colour a composition of `category` that is not one of the map's
    /// points (a placed formula) takes under `look`, on this map's scale.
    pub fn colour_of(&self, look: &MapLook, c: &Composition, category: Category) -> Rgb {
        let value = match look.colour {
            ColourBy::Property(p) => p.of_composition(c),
            _ => None,
        };
        colour(look, c, category, value, self.range)
    }

    /// Points drawn in all.
    pub fn shown_total(&self) -> usize {
        self.order.len()
    }

    /// The scene to draw, with `hover` ringed and `outlines` (the selection's
    /// shapes and one being drawn) traced.
    pub fn scene<'a>(
        &'a self,
        coords: &'a [f32],
        hover: Option<u32>,
        outlines: &'a [Selection],
    ) -> MapScene<'a> {
        MapScene {
            coords,
            colours: &self.colours,
            order: &self.order,
            highlighted: &self.highlighted,
            focus: self.focus,
            hover,
            outlines,
        }
    }
}

/// Points matching a search: every composition containing an element, or the
/// composition a formula names.
pub fn search_matches(search: &str, points: &MapPoints) -> Vec<usize> {
    let search = search.trim();
    if search.is_empty() {
        return Vec::new();
    }
    if let Ok(e) = Element::from_symbol(search) {
        return (0..points.len())
            .filter(|&i| points.composition(i).contains(e))
            .collect();
    }
    match Composition::parse(search) {
        Ok(c) => (0..points.len())
            .filter(|&i| points.composition(i) == &c)
            .collect(),
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::SelectionOp;

    fn parts() -> (Vec<f32>, Vec<Composition>, Vec<Category>) {
        let formulas = ["ZnO", "Zn2O", "NaCl", "ZnO3", "CuO"];
        let categories = [
            Category::Standard,
            Category::Missing,
            Category::Standard,
            Category::Unlikely,
            Category::Interesting,
        ];
        let coords = vec![0.0, 0.0, 1.0, 0.0, 2.0, 0.0, 3.0, 0.0, 4.0, 0.0];
        let compositions = formulas
            .iter()
            .map(|f| Composition::parse(f).unwrap())
            .collect();
        (coords, compositions, categories.to_vec())
    }

    #[test]
    fn filters_hide_points_and_counts_are_of_what_is_drawn() {
        let (coords, compositions, categories) = parts();
        // Row 2 (NaCl) is not on this map (its embedding had no vector, say).
        let kept = [0u32, 1, 3, 4];
        let points = MapPoints {
            coords: &coords[..8],
            kept: &kept,
            compositions: &compositions,
            categories: &categories,
        };
        let zno = Composition::parse("ZnO").unwrap();
        let mut selection = Selections::default();
        selection.apply(
            SelectionOp::Replace,
            &Selection::Box {
                x0: -0.5,
                y0: -1.0,
                x1: 1.5,
                y1: 1.0,
            },
        );
        let look = MapLook {
            colour: ColourBy::Category,
            palette: Palette::Paper,
            hidden: &[Category::Interesting],
            element: Some(Element::from_symbol("Zn").unwrap()),
            search: "Zn2O",
            focus: Some(&zno),
            selection: &selection,
        };
        let model = MapModel::build(&points, &look);
        // CuO is hidden by its category; every other point contains Zn.
        assert_eq!(model.visible, [true, true, true, false]);
        // Drawn back to front: unlikely ZnO3, missing Zn2O, standard ZnO.
        assert_eq!(model.order, [2, 1, 0]);
        assert_eq!(model.shown, [1, 1, 0, 1]);
        assert_eq!(model.highlighted, [1]);
        assert_eq!(model.focus, Some(0));
        assert_eq!(model.selected, [0, 1]);
        assert_eq!(model.colours[1], [0xFF, 0x12, 0x01, POINT_ALPHA]);

        // The element filter filters: O keeps all four, Na none of them.
        let na = MapLook {
            element: Some(Element::from_symbol("Na").unwrap()),
            hidden: &[],
            ..look
        };
        let model = MapModel::build(&points, &na);
        assert_eq!(model.shown_total(), 0);
        assert_eq!(model.focus, None, "a point filtered out is not in focus");
    }

    #[test]
    fn an_element_search_rings_every_composition_with_it() {
        let (coords, compositions, categories) = parts();
        let kept: Vec<u32> = (0..5).collect();
        let points = MapPoints {
            coords: &coords,
            kept: &kept,
            compositions: &compositions,
            categories: &categories,
        };
        assert_eq!(search_matches("Zn", &points), [0, 1, 3]);
        assert_eq!(search_matches("OZn", &points), [0]);
        assert!(search_matches("Qq", &points).is_empty());
        assert!(search_matches("  ", &points).is_empty());
    }
}
