//! What the composition in focus resembles: its nearest compositions in the
//! original embedding space (not on the flat map, where distances between
//! clusters mean little), among the map's sample and among the known
//! materials of the chosen database, with distances and categories.
//!
//! The placing worker embeds the composition (with the element embedding
//! and pooling of the map on screen), searches the known set it embedded
//! once for that embedding, pooling and database, and sends the
//! composition's vector back; the page then searches the map's own matrix
//! with it (an exact search of one vector, a few milliseconds), so sampled,
//! placed and merely typed compositions are all answered the same way.

use std::rc::Rc;

use ndarray::ArrayView2;

use super::requests::Job;
use super::stages;
use super::{Panel, Role, Session};
use crate::chem::Composition;
use crate::label::Category;
use crate::neighbours::EmbeddedSet;
use crate::pipeline::Request;
use crate::pipeline::protocol::NeighbourRow;
use crate::pipeline::settings::KnownChoice;

/// Neighbours listed in each list.
pub const NEIGHBOURS_SHOWN: usize = 10;

/// One neighbour as the details card lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct NearbyRow {
    pub formula: String,
    pub category: Category,
    /// Euclidean distance between the embedding vectors.
    pub distance: f32,
}

/// A list of neighbours, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum NearbyList<'a> {
    Ready(&'a [NearbyRow]),
    Searching,
    /// The search failed or cannot be made: why.
    Unavailable(String),
}

/// The neighbours section of the details card.
#[derive(Debug, Clone, PartialEq)]
pub struct NearbyView<'a> {
    pub formula: &'a str,
    /// The space searched: "mat2vec vectors (mean pooling)".
    pub space: String,
    pub sample: NearbyList<'a>,
    pub known: NearbyList<'a>,
    /// "the Materials Project: 50,501 compositions searched".
    pub known_title: String,
}

/// The worker's answer for one formula in one space.
#[derive(Debug)]
struct KnownAnswer {
    key: String,
    known: Vec<NearbyRow>,
    searched: usize,
    vector: Vec<f32>,
}

#[derive(Default)]
pub(super) struct Nearby {
    known: Option<KnownAnswer>,
    /// The search for this key failed, with why.
    pub failed: Option<(String, String)>,
    /// The map's sample, searchable, by embedding key.
    index: Option<(String, Rc<EmbeddedSet>)>,
    /// The sample's neighbours, by the answer's key and the embedding key.
    sample: Option<(String, Vec<NearbyRow>)>,
}

impl std::fmt::Debug for Nearby {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Nearby")
            .field("known", &self.known)
            .field("failed", &self.failed)
            .field("index", &self.index.as_ref().map(|(k, s)| (k, s.len())))
            .field("sample", &self.sample)
            .finish()
    }
}

fn rows(found: Vec<NeighbourRow>) -> Vec<NearbyRow> {
    found
        .into_iter()
        .map(|n| NearbyRow {
            formula: n.formula,
            category: n.category,
            distance: n.distance,
        })
        .collect()
}

impl Session {
    /// The element embedding and pooling searched: the map shown's, or the settings'.
    fn nearby_space(&self) -> (String, String) {
        match self.map.shown.as_ref() {
            Some(l) => (l.embed.embedding.clone(), l.embed.pooling.clone()),
            None => (self.state.embedding.clone(), self.state.pooling.clone()),
        }
    }

    fn nearby_key(&self, formula: &str) -> String {
        let (embedding, pooling) = self.nearby_space();
        format!(
            "{formula}\u{1}{embedding}\u{1}{pooling}\u{1}{}",
            self.chem_key()
        )
    }

    pub(super) fn follow_nearby(&mut self) {
        let Some(formula) = self.state.focus.clone() else {
            self.requests
                .drop_where(|j| matches!(j, Job::Neighbours { .. }));
            return;
        };
        let key = self.nearby_key(&formula);
        let have = self.nearby.known.as_ref().is_some_and(|a| a.key == key);
        let asked = self
            .requests
            .find(|j| matches!(j, Job::Neighbours { key: k } if *k == key))
            .is_some();
        let failed = self.nearby.failed.as_ref().is_some_and(|(k, _)| *k == key);
        if !have && !asked && !failed {
            self.requests
                .drop_where(|j| matches!(j, Job::Neighbours { .. }));
            let chem = self.chem_settings();
            let uploads = self.upload_texts(&chem);
            let (embedding, pooling) = self.nearby_space();
            self.send(Role::Place, Job::Neighbours { key }, |id| {
                Request::Neighbours {
                    id,
                    chem,
                    uploads,
                    embedding,
                    pooling,
                    formula,
                    k: NEIGHBOURS_SHOWN,
                }
            });
            self.render(Panel::Neighbours);
            return;
        }
        if have {
            self.search_sample();
        }
    }

    /// Searches the map's sample with the vector of the composition in focus.
    fn search_sample(&mut self) {
        let (Some(answer), Some(layout)) = (self.nearby.known.as_ref(), self.map.shown.clone())
        else {
            return;
        };
        let embed = stages::embed_key(&layout.embed);
        let key = format!("{}\u{1}{embed}", answer.key);
        if self.nearby.sample.as_ref().is_some_and(|(k, _)| *k == key) {
            return;
        }
        if self.nearby.index.as_ref().is_none_or(|(k, _)| *k != embed) {
            let Some(embedded) = self.matrix_of(&layout) else {
                return;
            };
            let compositions: Vec<Composition> = embedded
                .kept
                .iter()
                .map(|&r| embedded.sample.compositions[r as usize].clone())
                .collect();
            let matrix =
                ArrayView2::from_shape((embedded.kept.len(), embedded.cols), &embedded.matrix);
            let Ok(set) = matrix
                .map_err(|e| e.to_string())
                .and_then(|m| EmbeddedSet::from_matrix(compositions, m).map_err(|e| e.to_string()))
            else {
                return;
            };
            self.nearby.index = Some((embed, Rc::new(set)));
        }
        let (Some(answer), Some((_, set))) =
            (self.nearby.known.as_ref(), self.nearby.index.as_ref())
        else {
            return;
        };
        let Some(focus) = self
            .state
            .focus
            .as_deref()
            .and_then(|f| Composition::parse(f).ok())
        else {
            return;
        };
        let found = set
            .nearest_to_vector(&answer.vector, NEIGHBOURS_SHOWN + 1)
            .unwrap_or_default();
        let sample = &layout.sample;
        let found: Vec<NearbyRow> = found
            .into_iter()
            .filter(|n| *n.composition != focus)
            .take(NEIGHBOURS_SHOWN)
            .map(|n| NearbyRow {
                formula: n.composition.to_string(),
                category: sample.categories[layout.kept[n.index] as usize],
                distance: n.distance,
            })
            .collect();
        self.nearby.sample = Some((key, found));
        self.render(Panel::Neighbours);
    }

    pub(super) fn neighbours_arrived(
        &mut self,
        id: u32,
        formula: String,
        known: Vec<NeighbourRow>,
        searched: usize,
        payload: Option<Vec<f32>>,
    ) {
        let Some(Job::Neighbours { key }) = self.requests.finish(id).map(|r| r.job) else {
            return;
        };
        let Some(vector) = payload else {
            self.nearby.failed = Some((key, format!("{formula}'s vector did not arrive")));
            self.render(Panel::Neighbours);
            return;
        };
        self.nearby.known = Some(KnownAnswer {
            key,
            known: rows(known),
            searched,
            vector,
        });
        self.search_sample();
        self.render(Panel::Neighbours);
    }

    /// The neighbours section of the details card, while a composition is in focus.
    pub fn nearby(&self) -> Option<NearbyView<'_>> {
        let formula = self.state.focus.as_deref()?;
        let key = self.nearby_key(formula);
        let (embedding, pooling) = self.nearby_space();
        let space = format!(
            "{embedding} vectors ({} pooling)",
            pooling.replace('_', " ")
        );
        let failed = self
            .nearby
            .failed
            .as_ref()
            .filter(|(k, _)| *k == key)
            .map(|(_, m)| m.clone());
        let answer = self.nearby.known.as_ref().filter(|a| a.key == key);
        let no_database = self.chem_settings().known == KnownChoice::Empty;
        let known = match (&failed, answer) {
            (Some(m), _) => NearbyList::Unavailable(m.clone()),
            _ if no_database => NearbyList::Unavailable(
                "No database is chosen (Settings: Known compositions).".into(),
            ),
            (None, Some(a)) => NearbyList::Ready(&a.known),
            (None, None) => NearbyList::Searching,
        };
        let sample = match (&failed, self.map.shown.as_ref()) {
            (Some(m), _) => NearbyList::Unavailable(m.clone()),
            (None, None) => NearbyList::Unavailable("There is no map yet.".into()),
            (None, Some(layout)) => {
                let embed = stages::embed_key(&layout.embed);
                let wanted = format!("{key}\u{1}{embed}");
                let matrix_failed = self
                    .place
                    .matrix_failed
                    .as_ref()
                    .filter(|(k, _)| *k == embed);
                match (
                    self.nearby.sample.as_ref().filter(|(k, _)| *k == wanted),
                    matrix_failed,
                ) {
                    (Some((_, rows)), _) => NearbyList::Ready(rows),
                    (None, Some((_, message))) => NearbyList::Unavailable(message.clone()),
                    (None, None) => NearbyList::Searching,
                }
            }
        };
        let searched = answer.map_or(String::new(), |a| {
            format!(
                ": {} compositions searched",
                crate::plot::grouped(a.searched as u64)
            )
        });
        Some(NearbyView {
            formula,
            space,
            sample,
            known,
            known_title: format!("{}{searched}", self.known_title()),
        })
    }
}
