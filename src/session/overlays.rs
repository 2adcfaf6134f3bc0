//! What the map shows beyond its points: the summary of the selection (what
//! a box or lasso holds, in a few numbers) and the density contours of each
//! category under the points. Both are derived from the map on screen and
//! the state, recomputed only when those change.

use super::{Panel, Session};
use crate::label::Category;
use crate::plot::density::{CategoryContours, ContourSettings, category_contours};
use crate::selection_summary::{SelectionSummary, summarise};

/// Elements and chemical systems a selection's summary names.
const TOP: usize = 6;

/// The selection as its card shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectionView {
    /// Of the sampled points selected (shown ones only).
    pub summary: SelectionSummary,
    /// Placed formulas inside the selection.
    pub placed: usize,
}

#[derive(Debug, Default)]
pub(super) struct Overlays {
    /// (layout key, points selected, placed inside) and the summary.
    selection: Option<(String, Vec<usize>, usize, SelectionView)>,
    /// (layout key and hidden categories) and the contours of the shown categories.
    contours: Option<(String, Vec<CategoryContours>)>,
}

impl Session {
    pub(super) fn follow_overlays(&mut self) {
        self.follow_selection();
        self.follow_contours();
    }

    fn follow_selection(&mut self) {
        let layout = match self.map.shown.clone() {
            Some(l) if !self.state.selection.is_empty() => l,
            _ => {
                if self.overlays.selection.take().is_some() {
                    self.render(Panel::Selection);
                }
                return;
            }
        };
        let selected = &self.map.model.selected;
        let placed = self
            .map
            .model
            .placed
            .iter()
            .filter(|m| {
                self.state
                    .selection
                    .contains(f64::from(m.x), f64::from(m.y))
            })
            .count();
        let same = self
            .overlays
            .selection
            .as_ref()
            .is_some_and(|(k, s, p, _)| *k == layout.key && s == selected && *p == placed);
        if same {
            return;
        }
        let points = layout.points();
        let summary = summarise(
            selected
                .iter()
                .map(|&i| (points.composition(i), points.category(i))),
            TOP,
        );
        let view = SelectionView { summary, placed };
        self.overlays.selection = Some((layout.key.clone(), selected.clone(), placed, view));
        self.render(Panel::Selection);
    }

    fn follow_contours(&mut self) {
        let layout = self
            .map
            .shown
            .clone()
            .filter(|l| l.last && self.state.density);
        let Some(layout) = layout else {
            if self.overlays.contours.take().is_some() {
                self.redraw = true;
                self.render(Panel::Placed);
            }
            return;
        };
        let hidden: Vec<&str> = Category::ALL
            .iter()
            .filter(|c| self.state.hidden.contains(c))
            .map(|c| c.name())
            .collect();
        let key = format!("{}\u{1}{}", layout.key, hidden.join(","));
        if self
            .overlays
            .contours
            .as_ref()
            .is_some_and(|(k, _)| *k == key)
        {
            return;
        }
        let points = layout.points();
        let mut coords = Vec::with_capacity(layout.coords.len());
        let mut categories = Vec::with_capacity(points.len());
        for i in 0..points.len() {
            let c = points.category(i);
            if !self.state.hidden.contains(&c) {
                coords.extend_from_slice(&layout.coords[2 * i..2 * i + 2]);
                categories.push(c);
            }
        }
        let contours = category_contours(&coords, &categories, &ContourSettings::default());
        self.overlays.contours = Some((key, contours));
        self.redraw = true;
        self.render(Panel::Placed);
    }

    /// The density contours to draw under the points (none when switched off).
    pub fn contours(&self) -> &[CategoryContours] {
        self.overlays
            .contours
            .as_ref()
            .map_or(&[], |(_, c)| c.as_slice())
    }

    /// A word under the density switch, when it is on and nothing is drawn.
    pub fn density_note(&self) -> Option<&'static str> {
        if !self.state.density || !self.contours().is_empty() {
            return None;
        }
        Some(if self.map.shown.as_ref().is_some_and(|l| l.last) {
            "No category has enough points on the map for contours."
        } else {
            "Contours are drawn when the map is finished."
        })
    }

    /// The summary of the selection, while there is one.
    pub fn selection_view(&self) -> Option<&SelectionView> {
        self.overlays.selection.as_ref().map(|(_, _, _, v)| v)
    }
}
