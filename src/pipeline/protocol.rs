//! Messages between the page and its workers.
//!
//! Requests and responses are plain serde data. Large float arrays (an
//! embedding matrix, a layout) do not go through serde: they travel beside the
//! message as a `Float32Array` (the *payload*), which the browser copies in one
//! block. Each variant says whether it carries one.

use serde::{Deserialize, Serialize};

use super::js_safe::{JsNumberError, check_js_safe};
use super::settings::{ChemSettings, EmbedSettings, ReducerParams, SampleSettings, Upload};
use crate::count::Counts;
use crate::explain::Explanation;
use crate::label::Category;
use crate::reduce::{Method, Stage};

/// What an uploaded file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UploadKind {
    /// An oxidation-state set in SMACT's format.
    OxidationStates,
    /// A list of known compositions (text, CSV or JSON).
    KnownList,
}

/// Work for a worker. `id` comes back on every response to the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Request {
    /// One row of Table 2.
    Counts {
        id: u32,
        chem: ChemSettings,
        order: usize,
        /// The texts of the files `chem` names (see [`ChemSettings::uploads`]).
        #[serde(default)]
        uploads: Vec<Upload>,
    },
    /// Fig. 1: allowed compositions of `order` containing each element.
    Frequencies {
        id: u32,
        chem: ChemSettings,
        order: usize,
        #[serde(default)]
        uploads: Vec<Upload>,
    },
    Explain {
        id: u32,
        chem: ChemSettings,
        formula: String,
        #[serde(default)]
        uploads: Vec<Upload>,
    },
    /// Table 1 for a chemical system such as "Li-Zn-Sn-O".
    System {
        id: u32,
        chem: ChemSettings,
        system: String,
        #[serde(default)]
        uploads: Vec<Upload>,
    },
    /// Sample and embed: a [`Response::Sample`], then a [`Response::Embedded`].
    Embed {
        id: u32,
        settings: EmbedSettings,
        #[serde(default)]
        uploads: Vec<Upload>,
    },
    /// Reads an uploaded file, so a bad one is refused (with its line) before
    /// it is used and a large one is parsed off the page's thread:
    /// [`Response::UploadChecked`].
    CheckUpload {
        id: u32,
        file: UploadKind,
        upload: Upload,
    },
    /// Reduce the payload matrix (`rows` x `cols`): [`Response::Layout`]s,
    /// the last with `last: true`.
    Reduce {
        id: u32,
        params: ReducerParams,
        rows: usize,
        cols: usize,
    },
    /// Label formulas under `chem` and place those not already on the map
    /// on the fitted map `map`: [`Response::Placed`]. The payload is the
    /// fitted matrix (`rows` x `cols`, the map's embedded sample) followed
    /// by its layout (`rows` x 2), so any map the page shows can be placed
    /// on, whichever worker made it.
    Place {
        id: u32,
        chem: ChemSettings,
        #[serde(default)]
        uploads: Vec<Upload>,
        map: FittedMapRef,
        rows: usize,
        cols: usize,
        formulas: Vec<String>,
        /// Formulas already points of the map: labelled, not placed.
        on_map: Vec<bool>,
    },
    /// The `k` known compositions (of `chem`'s known set) nearest to
    /// `formula` in the space of `embedding` pooled by `pooling`:
    /// [`Response::Neighbours`].
    Neighbours {
        id: u32,
        chem: ChemSettings,
        #[serde(default)]
        uploads: Vec<Upload>,
        embedding: String,
        pooling: String,
        formula: String,
        k: usize,
    },
    /// The paper's grid of embeddings x reducers for one sample: one
    /// [`Response::GridPanel`] per cell, then [`Response::GridDone`].
    Grid {
        id: u32,
        sample: SampleSettings,
        pooling: String,
        embeddings: Vec<String>,
        reducers: Vec<ReducerParams>,
        #[serde(default)]
        uploads: Vec<Upload>,
    },
}

impl Request {
    pub fn id(&self) -> u32 {
        match self {
            Request::Counts { id, .. }
            | Request::Frequencies { id, .. }
            | Request::Explain { id, .. }
            | Request::System { id, .. }
            | Request::Embed { id, .. }
            | Request::CheckUpload { id, .. }
            | Request::Reduce { id, .. }
            | Request::Place { id, .. }
            | Request::Neighbours { id, .. }
            | Request::Grid { id, .. } => *id,
        }
    }

    /// Refuses a request with a number the other side of the worker boundary
    /// would not read back as itself (a seed past 2^53, a NaN parameter), with
    /// the field and the fix; call it where a request is made or parsed.
    pub fn validate(&self) -> Result<(), JsNumberError> {
        check_js_safe(self)
    }
}

/// One composition of a chemical-system listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemRow {
    /// The sub-system it belongs to ("Li-Zn-O").
    pub system: String,
    pub formula: String,
    pub category: Category,
    pub summary: String,
}

/// The fitted map formulas are placed on: the key of its layout (the worker
/// keeps the last few fitted maps by it) and how it was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedMapRef {
    pub key: String,
    pub embedding: String,
    pub pooling: String,
    pub params: ReducerParams,
}

/// What became of a formula sent to be placed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Placement {
    /// Placed by the map's method; its position is in the payload.
    Placed,
    /// A point of the map already (in the sample): not placed twice.
    OnMap,
    /// The embedding has no vector for `element`.
    Uncovered { element: String },
    /// Its pooled vector is not finite (a geometric mean of negative values).
    NotFinite,
}

/// A formula labelled and placed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlacedRow {
    pub formula: String,
    pub category: Category,
    /// Why, in a sentence (the explanation's summary).
    pub summary: String,
    pub placement: Placement,
}

/// A composition near the one asked about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeighbourRow {
    pub formula: String,
    pub category: Category,
    /// Euclidean distance between the two embedding vectors.
    pub distance: f32,
}

/// A worker's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Response {
    /// Sent once when the worker's wasm has loaded; requests sent earlier are lost.
    Ready,
    /// How far a long request has got (0..=1), in a reducer's `stage` when
    /// it is one.
    Progress {
        id: u32,
        stage: Option<Stage>,
        fraction: f64,
    },
    /// An uploaded file reads well: `summary` says what it holds ("421 species").
    UploadChecked {
        id: u32,
        file: UploadKind,
        digest: String,
        summary: String,
    },
    Counts {
        id: u32,
        counts: Counts,
    },
    Frequencies {
        id: u32,
        order: usize,
        counts: Vec<u64>,
    },
    Explanation {
        id: u32,
        explanation: Box<Explanation>,
    },
    System {
        id: u32,
        system: String,
        rows: Vec<SystemRow>,
    },
    Sample {
        id: u32,
        formulas: Vec<String>,
        categories: Vec<Category>,
        shortfalls: Vec<(Category, usize)>,
    },
    /// Payload: the `kept.len()` x `cols` matrix. `kept` lists the sample rows
    /// embedded; of the rest, `non_finite` gave a non-finite pooled value and
    /// the others have an element the embedding does not cover.
    Embedded {
        id: u32,
        kept: Vec<u32>,
        cols: usize,
        non_finite: usize,
    },
    /// Payload: `rows` x 2 coordinates, an intermediate layout unless `last`.
    Layout {
        id: u32,
        /// The method of this layout: PCA for the preview an iterative
        /// reducer shows first.
        method: Method,
        stage: Stage,
        done: usize,
        total: usize,
        last: bool,
    },
    /// Payload: the panel's coordinates, one pair per `kept` sample row
    /// (`non_finite` as in [`Response::Embedded`]).
    GridPanel {
        id: u32,
        embedding: String,
        params: ReducerParams,
        kept: Vec<u32>,
        non_finite: usize,
    },
    /// The grid starts computing one panel.
    GridPanelStarted {
        id: u32,
        embedding: String,
        params: ReducerParams,
    },
    /// A panel of the grid that could not be computed; the others go on.
    GridPanelFailed {
        id: u32,
        embedding: String,
        params: ReducerParams,
        message: String,
    },
    GridDone {
        id: u32,
    },
    /// Payload: for each row placed ([`Placement::Placed`]), in order, its
    /// map x and y then its embedding vector (`cols` values).
    Placed {
        id: u32,
        rows: Vec<PlacedRow>,
        cols: usize,
    },
    /// Payload: the formula's embedding vector. `known` lists the nearest
    /// known compositions (the formula itself left out), nearest first, of
    /// `searched` with a vector (`none` when no database is chosen).
    Neighbours {
        id: u32,
        formula: String,
        known: Vec<NeighbourRow>,
        searched: usize,
    },
    /// The request failed; `message` says what is wrong and what to do.
    Error {
        id: u32,
        message: String,
    },
}

impl Response {
    /// The request this answers (none for [`Response::Ready`]).
    pub fn id(&self) -> Option<u32> {
        match self {
            Response::Ready => None,
            Response::Progress { id, .. }
            | Response::UploadChecked { id, .. }
            | Response::Counts { id, .. }
            | Response::Frequencies { id, .. }
            | Response::Explanation { id, .. }
            | Response::System { id, .. }
            | Response::Sample { id, .. }
            | Response::Embedded { id, .. }
            | Response::Layout { id, .. }
            | Response::GridPanel { id, .. }
            | Response::GridPanelStarted { id, .. }
            | Response::GridPanelFailed { id, .. }
            | Response::GridDone { id }
            | Response::Placed { id, .. }
            | Response::Neighbours { id, .. }
            | Response::Error { id, .. } => Some(*id),
        }
    }

    /// As [`Request::validate`], for answers.
    pub fn validate(&self) -> Result<(), JsNumberError> {
        check_js_safe(self)
    }

    /// Whether this is the last message for its request.
    pub fn is_final(&self) -> bool {
        match self {
            Response::Layout { last, .. } => *last,
            Response::Ready
            | Response::Progress { .. }
            | Response::Sample { .. }
            | Response::GridPanel { .. }
            | Response::GridPanelStarted { .. }
            | Response::GridPanelFailed { .. } => false,
            _ => true,
        }
    }
}
