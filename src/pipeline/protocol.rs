//! Messages between the page and its workers.
//!
//! Requests and responses are plain serde data. Large float arrays (an
//! embedding matrix, a layout) do not go through serde: they travel beside the
//! message as a `Float32Array` (the *payload*), which the browser copies in one
//! block. Each variant says whether it carries one.

use serde::{Deserialize, Serialize};

use super::js_safe::{JsNumberError, check_js_safe};
use super::settings::{ChemSettings, EmbedSettings, ReducerParams, SampleSettings};
use crate::count::Counts;
use crate::explain::Explanation;
use crate::label::Category;

/// Work for a worker. `id` comes back on every response to the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Request {
    /// One row of Table 2.
    Counts {
        id: u32,
        chem: ChemSettings,
        order: usize,
    },
    /// Fig. 1: allowed compositions of `order` containing each element.
    Frequencies {
        id: u32,
        chem: ChemSettings,
        order: usize,
    },
    Explain {
        id: u32,
        chem: ChemSettings,
        formula: String,
    },
    /// Table 1 for a chemical system such as "Li-Zn-Sn-O".
    System {
        id: u32,
        chem: ChemSettings,
        system: String,
    },
    /// Sample and embed: a [`Response::Sample`], then a [`Response::Embedded`].
    Embed { id: u32, settings: EmbedSettings },
    /// Reduce the payload matrix (`rows` x `cols`): [`Response::Layout`]s,
    /// the last with `last: true`.
    Reduce {
        id: u32,
        params: ReducerParams,
        rows: usize,
        cols: usize,
    },
    /// The paper's grid of embeddings x reducers for one sample: one
    /// [`Response::GridPanel`] per cell, then [`Response::GridDone`].
    Grid {
        id: u32,
        sample: SampleSettings,
        pooling: String,
        embeddings: Vec<String>,
        reducers: Vec<ReducerParams>,
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
            | Request::Reduce { id, .. }
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

/// A worker's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Response {
    /// Sent once when the worker's wasm has loaded; requests sent earlier are lost.
    Ready,
    /// How far a long request has got (0..=1).
    Progress {
        id: u32,
        stage: String,
        fraction: f64,
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
        method: String,
        stage: String,
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
    /// The request failed; `message` says what is wrong and what to do.
    Error {
        id: u32,
        message: String,
    },
}

impl Response {
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
            | Response::GridPanelFailed { .. } => false,
            _ => true,
        }
    }
}
