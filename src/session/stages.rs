//! What the page holds of each stage's results (a sample, an embedded
//! matrix, a map layout), each with the settings it was computed for, so a
//! caption or a legend describes the map on screen and never the settings
//! that have moved on since. Kept in small caches keyed by those settings, so
//! going back to an earlier choice is instant.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::chem::Composition;
use crate::label::Category;
use crate::pipeline::settings::cache_key;
use crate::pipeline::{EmbedSettings, ReducerParams, SampleSettings};
use crate::plot::MapPoints;
use crate::reduce::Method;

/// Most samples, embedded matrices and layouts kept.
const SAMPLES_KEPT: usize = 4;
const EMBEDDED_KEPT: usize = 3;
/// The 18 small multiples and some history.
const LAYOUTS_KEPT: usize = 40;

/// A stage's cache key: its settings' canonical JSON (uploads appear by
/// digest, so keys stay short).
pub fn sample_key(s: &SampleSettings) -> String {
    cache_key(s)
}

pub fn embed_key(s: &EmbedSettings) -> String {
    cache_key(s)
}

pub fn layout_key(embed: &EmbedSettings, params: &ReducerParams) -> String {
    cache_key(&(embed, params))
}

/// A sample: compositions and their categories.
#[derive(Debug)]
pub struct SampleData {
    pub settings: SampleSettings,
    pub formulas: Vec<String>,
    pub compositions: Vec<Composition>,
    pub categories: Vec<Category>,
    /// Categories with fewer compositions than asked for: (category, held).
    pub shortfalls: Vec<(Category, usize)>,
    /// Row of each composition, built on first use.
    pub index: OnceCell<HashMap<Composition, u32>>,
}

impl SampleData {
    /// Row of the sample holding composition `c`, if sampled.
    pub fn find(&self, c: &Composition) -> Option<usize> {
        let index = self.index.get_or_init(|| {
            self.compositions
                .iter()
                .enumerate()
                .map(|(row, c)| (c.clone(), row as u32))
                .collect()
        });
        index.get(c).map(|&row| row as usize)
    }
}

/// An embedded sample, kept to re-reduce without re-embedding.
#[derive(Debug)]
pub struct EmbeddedData {
    pub key: String,
    pub settings: EmbedSettings,
    pub sample: Rc<SampleData>,
    /// Sample rows embedded, one per matrix row.
    pub kept: Rc<Vec<u32>>,
    pub cols: usize,
    pub matrix: Rc<[f32]>,
    /// Rows left out because their pooled vector was not finite.
    pub non_finite: usize,
}

/// A map layout: one (x, y) per kept sample row.
#[derive(Debug)]
pub struct LayoutData {
    pub key: String,
    pub embed: EmbedSettings,
    pub params: ReducerParams,
    pub sample: Rc<SampleData>,
    pub kept: Rc<Vec<u32>>,
    pub coords: Vec<f32>,
    /// The method of this layout: PCA for the preview an iterative reducer
    /// shows while it starts.
    pub method: Method,
    /// The finished layout (not a snapshot).
    pub last: bool,
    /// Sample rows left out because their pooled vector was not finite (the
    /// other rows missing from `kept` have an element the embedding lacks).
    pub non_finite: usize,
    /// The point of each sample row (`u32::MAX` when off the map), built on first use.
    pub points_of_rows: OnceCell<Vec<u32>>,
}

impl LayoutData {
    pub fn points(&self) -> MapPoints<'_> {
        MapPoints {
            coords: &self.coords,
            kept: &self.kept,
            compositions: &self.sample.compositions,
            categories: &self.sample.categories,
        }
    }

    /// A PCA shown while the chosen reducer starts.
    pub fn is_preview(&self) -> bool {
        self.method != self.params.method()
    }

    /// Point index of sample row `row`, if it is on the map.
    pub fn point_of_row(&self, row: usize) -> Option<u32> {
        let points = self.points_of_rows.get_or_init(|| {
            let mut points = vec![u32::MAX; self.sample.formulas.len()];
            for (i, &r) in self.kept.iter().enumerate() {
                points[r as usize] = i as u32;
            }
            points
        });
        points.get(row).copied().filter(|&p| p != u32::MAX)
    }

    /// Point index of composition `c`, if it is on the map.
    pub fn point_of(&self, c: &Composition) -> Option<u32> {
        self.point_of_row(self.sample.find(c)?)
    }

    /// Map coordinates of point `i`.
    pub fn xy(&self, i: u32) -> Option<(f64, f64)> {
        let i = i as usize;
        Some((
            f64::from(*self.coords.get(2 * i)?),
            f64::from(*self.coords.get(2 * i + 1)?),
        ))
    }

    /// Sample rows with an element the embedding has no vector for.
    pub fn uncovered(&self) -> usize {
        self.sample.formulas.len() - self.kept.len() - self.non_finite
    }
}

/// The results kept, most recent last.
#[derive(Debug, Default)]
pub struct Caches {
    samples: Vec<Rc<SampleData>>,
    embedded: Vec<Rc<EmbeddedData>>,
    layouts: Vec<Rc<LayoutData>>,
}

fn keep<T>(list: &mut Vec<Rc<T>>, item: Rc<T>, same: impl Fn(&T) -> bool, most: usize) {
    list.retain(|x| !same(x));
    list.push(item);
    if list.len() > most {
        list.remove(0);
    }
}

impl Caches {
    pub fn add_sample(&mut self, sample: Rc<SampleData>) {
        let key = sample_key(&sample.settings);
        keep(
            &mut self.samples,
            sample,
            |s| sample_key(&s.settings) == key,
            SAMPLES_KEPT,
        );
    }

    pub fn sample(&self, settings: &SampleSettings) -> Option<Rc<SampleData>> {
        self.samples
            .iter()
            .rev()
            .find(|s| &s.settings == settings)
            .cloned()
    }

    pub fn add_embedded(&mut self, embedded: Rc<EmbeddedData>) {
        let key = embedded.key.clone();
        keep(
            &mut self.embedded,
            embedded,
            |e| e.key == key,
            EMBEDDED_KEPT,
        );
    }

    pub fn embedded(&self, key: &str) -> Option<Rc<EmbeddedData>> {
        self.embedded.iter().find(|e| e.key == key).cloned()
    }

    /// Keeps a finished layout.
    pub fn add_layout(&mut self, layout: Rc<LayoutData>) {
        let key = layout.key.clone();
        keep(&mut self.layouts, layout, |l| l.key == key, LAYOUTS_KEPT);
    }

    pub fn layout(&self, key: &str) -> Option<Rc<LayoutData>> {
        self.layouts.iter().find(|l| l.key == key).cloned()
    }
}
