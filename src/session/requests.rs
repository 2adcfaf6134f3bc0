//! The one table of requests in flight: which worker has it, what it
//! computes, when it started and what it last said. A response is matched to
//! its request by id alone; a request the page no longer wants is simply
//! forgotten here (its late answers then match nothing).

use std::rc::Rc;

use super::Role;
use super::stages::EmbeddedData;
use crate::pipeline::protocol::UploadKind;
use crate::pipeline::{EmbedSettings, ReducerParams, SampleSettings, Upload};
use crate::reduce::Stage;

/// What a request computes, with the key of the settings it is for.
#[derive(Debug, Clone)]
pub enum Job {
    /// A row of Table 2 (`order`) for the chemistry settings `chem`.
    Counts {
        order: usize,
        chem: String,
    },
    /// The periodic table's counts.
    Frequencies {
        order: usize,
        chem: String,
    },
    Explain {
        formula: String,
    },
    System {
        system: String,
        chem: String,
    },
    /// The map's sample and embedding (`key`: of the embedding settings).
    Embed {
        key: String,
        settings: EmbedSettings,
    },
    /// The map's layout of `embedded` by `params` (`key`: of both).
    Reduce {
        key: String,
        embedded: Rc<EmbeddedData>,
        params: ReducerParams,
    },
    /// The small multiples of `sample`.
    Grid {
        sample: SampleSettings,
        pooling: String,
    },
    /// An uploaded file being read.
    CheckUpload {
        kind: UploadKind,
        upload: Upload,
    },
    /// Formulas placed on a map (`key`: of the formulas, the chemistry and
    /// the map).
    Place {
        key: String,
    },
    /// The embedded sample of a map on screen whose matrix the page no
    /// longer holds (`key`: of the embedding settings), to place on it.
    Matrix {
        key: String,
        settings: EmbedSettings,
    },
    /// The known compositions nearest to the one in focus (`key`: of the
    /// formula, embedding, pooling and chemistry).
    Neighbours {
        key: String,
    },
}

/// A request sent and not yet answered in full.
#[derive(Debug, Clone)]
pub struct InFlight {
    pub id: u32,
    pub role: Role,
    pub job: Job,
    /// When it was sent and when its worker last said something (ms).
    pub started: f64,
    pub heard: f64,
    /// Progress reported so far (0..=1), and the reducer's stage and step.
    pub fraction: Option<f64>,
    pub stage: Option<Stage>,
    pub done: usize,
    pub total: usize,
}

#[derive(Debug, Default)]
pub struct Requests {
    list: Vec<InFlight>,
    last_id: u32,
}

impl Requests {
    /// Records a new request and returns its id.
    pub fn start(&mut self, role: Role, job: Job, now: f64) -> u32 {
        self.last_id += 1;
        self.list.push(InFlight {
            id: self.last_id,
            role,
            job,
            started: now,
            heard: now,
            fraction: None,
            stage: None,
            done: 0,
            total: 0,
        });
        self.last_id
    }

    pub fn get(&self, id: u32) -> Option<&InFlight> {
        self.list.iter().find(|r| r.id == id)
    }

    pub fn get_mut(&mut self, id: u32) -> Option<&mut InFlight> {
        self.list.iter_mut().find(|r| r.id == id)
    }

    /// Forgets request `id`, returning it.
    pub fn finish(&mut self, id: u32) -> Option<InFlight> {
        let i = self.list.iter().position(|r| r.id == id)?;
        Some(self.list.remove(i))
    }

    /// The first request whose job passes `wanted`.
    pub fn find(&self, wanted: impl Fn(&Job) -> bool) -> Option<&InFlight> {
        self.list.iter().find(|r| wanted(&r.job))
    }

    /// Forgets every request of `role` (its worker was stopped), returning them.
    pub fn drop_role(&mut self, role: Role) -> Vec<InFlight> {
        let (gone, kept) = std::mem::take(&mut self.list)
            .into_iter()
            .partition(|r| r.role == role);
        self.list = kept;
        gone
    }

    /// Forgets the requests whose job passes `unwanted`, returning them.
    pub fn drop_where(&mut self, unwanted: impl Fn(&Job) -> bool) -> Vec<InFlight> {
        let (gone, kept) = std::mem::take(&mut self.list)
            .into_iter()
            .partition(|r| unwanted(&r.job));
        self.list = kept;
        gone
    }

    pub fn iter(&self) -> impl Iterator<Item = &InFlight> {
        self.list.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}
