//! The chemistry panels: Table 2's counts, the periodic table's counts, the
//! details card (why a composition is allowed or not), the chemical-system
//! listing, and the uploaded files they depend on. Each result is kept with
//! the key of the chemistry settings it was computed for, so a result for
//! settings left behind is never shown as current.

use super::messages::{Field, Tone};
use super::requests::Job;
use super::{Panel, Role, Session, upload_field};
use crate::chem::{ChemicalSystem, Composition};
use crate::count::Counts;
use crate::explain::Explanation;
use crate::pipeline::protocol::{SystemRow, UploadKind};
use crate::pipeline::{OxSource, Request, Upload};
use crate::view_state::{KnownSetting, OxChoice};

/// One row of Table 2 as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum CountsRow {
    Done {
        counts: Counts,
        ms: f64,
    },
    /// Counting; the share done so far (0..=1).
    Counting {
        fraction: f64,
        silent: bool,
    },
    Failed(String),
    /// Held back until the first map is drawn.
    Queued,
    Waiting,
}

/// The periodic table's counts as the page shows them.
#[derive(Debug, Clone, PartialEq)]
pub enum Frequencies<'a> {
    Ready(&'a [u64]),
    Counting,
    Failed(&'a str),
    NotAsked,
}

/// The details card.
#[derive(Debug, Clone, PartialEq)]
pub enum DetailsView<'a> {
    Empty,
    /// Explaining this formula.
    Pending(&'a str),
    Ready(&'a Explanation),
    /// The explanation failed; the note beside the form says why.
    Failed,
}

#[derive(Debug, Default)]
pub(super) struct ChemPanels {
    /// Per order: (chem key, counts, counting ms).
    counts: [Option<(String, Counts, f64)>; 3],
    counts_error: Option<(String, String)>,
    /// (chem key, order, counts), or the failure.
    frequencies: Option<(String, usize, Vec<u64>)>,
    frequencies_error: Option<String>,
    explanation: Option<Explanation>,
    explain_failed: bool,
    /// (chem key, system, rows).
    system: Option<(String, String, Vec<SystemRow>)>,
    system_failed: bool,
    /// Whether the ternary and quaternary counts wait for the first map.
    deferred: bool,
}

impl ChemPanels {
    pub fn system_stale(&mut self) {
        self.system = None;
        self.system_failed = false;
    }

    pub fn frequencies_stale(&mut self) {
        self.frequencies = None;
        self.frequencies_error = None;
    }

    pub fn close_details(&mut self) {
        self.explanation = None;
        self.explain_failed = false;
    }

    pub fn counts_failed(&mut self, chem: String, message: String) {
        self.counts_error = Some((chem, message));
    }

    pub fn frequencies_failed(&mut self, message: String) {
        self.frequencies_error = Some(message);
    }

    pub fn explain_failed(&mut self) {
        self.explanation = None;
        self.explain_failed = true;
    }

    pub fn system_failed(&mut self) {
        self.system = None;
        self.system_failed = true;
    }
}

impl Session {
    /// Counts every order of Table 2 not counted yet for the settings.
    pub(super) fn request_counts(&mut self) {
        self.chem.deferred = false;
        self.request_counts_to(4);
    }

    /// At opening only the binary row is counted at once: the ternary and
    /// quaternary rows (most of the counting) wait for the first finished
    /// map, which they would otherwise slow on a machine of two cores.
    pub(super) fn request_first_counts(&mut self) {
        self.chem.deferred = true;
        self.request_counts_to(2);
    }

    /// Sends the counts held back at opening, once the map no longer needs
    /// the cores (or a few seconds have passed).
    pub(super) fn release_counts(&mut self) {
        if self.chem.deferred {
            self.request_counts();
        }
    }

    fn request_counts_to(&mut self, last_order: usize) {
        let chem = self.chem_settings();
        let key = self.chem_key();
        // Counts for settings left behind are no longer wanted.
        self.requests
            .drop_where(|j| matches!(j, Job::Counts { chem, .. } if *chem != key));
        self.chem.counts_error = None;
        let uploads = self.upload_texts(&chem);
        for order in 2..=last_order {
            let asked = self.requests.find(
                |j| matches!(j, Job::Counts { order: o, chem } if *o == order && *chem == key),
            );
            if asked.is_some()
                || self.chem.counts[order - 2]
                    .as_ref()
                    .is_some_and(|(k, _, _)| *k == key)
            {
                continue;
            }
            let job = Job::Counts {
                order,
                chem: key.clone(),
            };
            let (chem, uploads) = (chem.clone(), uploads.clone());
            self.send(Role::Counts, job, |id| Request::Counts {
                id,
                chem,
                order,
                uploads,
            });
        }
        self.render(Panel::Counts);
    }

    pub(super) fn counts_done(&mut self, id: u32, counts: Counts) {
        let Some(request) = self.requests.finish(id) else {
            return;
        };
        let Job::Counts { order, chem } = request.job else {
            return;
        };
        let ms = self.now - request.started;
        if order == 2 && self.timings.binary_counts_at.is_none() {
            self.timings.binary_counts_at = Some(self.now);
        }
        self.timings.counts_ms[order - 2] = Some(ms);
        self.chem.counts[order - 2] = Some((chem, counts, ms));
        self.render(Panel::Counts);
        self.render(Panel::Debug);
    }

    /// Table 2's row for `order` (2, 3 or 4), for the settings in force.
    pub fn counts_row(&self, order: usize) -> CountsRow {
        let key = self.chem_key();
        if let Some((_, counts, ms)) = self.chem.counts[order - 2]
            .as_ref()
            .filter(|(k, _, _)| *k == key)
        {
            return CountsRow::Done {
                counts: *counts,
                ms: *ms,
            };
        }
        if let Some(r) = self
            .requests
            .find(|j| matches!(j, Job::Counts { order: o, chem } if *o == order && *chem == key))
        {
            return CountsRow::Counting {
                fraction: r.fraction.unwrap_or(0.0),
                silent: self.now - r.heard > super::SILENT_MS,
            };
        }
        match &self.chem.counts_error {
            Some((k, message)) if *k == key => CountsRow::Failed(message.clone()),
            _ if self.chem.deferred => CountsRow::Queued,
            _ => CountsRow::Waiting,
        }
    }

    /// The settings the counts are for, in words.
    pub fn settings_note(&self) -> String {
        let ox = match self.chem_settings().ox {
            OxSource::Builtin { name } => format!("{name} oxidation states"),
            OxSource::Uploaded { file } => format!("oxidation states from {}", file.name),
        };
        format!(
            "With {ox}, stoichiometric factors up to {}; known means in {}.",
            self.state.max_stoich,
            self.known_title()
        )
    }

    pub(super) fn ensure_frequencies(&mut self) {
        let key = self.chem_key();
        let order = self.state.order;
        let have = self
            .chem
            .frequencies
            .as_ref()
            .is_some_and(|(k, o, _)| *k == key && *o == order);
        let asked = self.requests.find(
            |j| matches!(j, Job::Frequencies { order: o, chem } if *o == order && *chem == key),
        );
        if have || asked.is_some() {
            return;
        }
        self.chem.frequencies_error = None;
        let chem = self.chem_settings();
        let uploads = self.upload_texts(&chem);
        let job = Job::Frequencies {
            order,
            chem: key.clone(),
        };
        self.send(Role::Counts, job, |id| Request::Frequencies {
            id,
            chem,
            order,
            uploads,
        });
        self.render(Panel::Elements);
    }

    pub(super) fn frequencies_done(&mut self, id: u32, order: usize, counts: Vec<u64>) {
        if let Some(Job::Frequencies { chem, .. }) = self.requests.finish(id).map(|r| r.job) {
            self.chem.frequencies = Some((chem, order, counts));
            self.render(Panel::Elements);
        }
    }

    /// The periodic table's counts for the order and settings in force.
    pub fn frequencies(&self) -> Frequencies<'_> {
        let key = self.chem_key();
        let order = self.state.order;
        if let Some((_, _, counts)) = self
            .chem
            .frequencies
            .as_ref()
            .filter(|(k, o, _)| *k == key && *o == order)
        {
            return Frequencies::Ready(counts);
        }
        if let Some(e) = &self.chem.frequencies_error {
            return Frequencies::Failed(e);
        }
        if self
            .requests
            .find(|j| matches!(j, Job::Frequencies { .. }))
            .is_some()
        {
            Frequencies::Counting
        } else {
            Frequencies::NotAsked
        }
    }

    pub(super) fn request_explain(&mut self, formula: &str) {
        self.requests
            .drop_where(|j| matches!(j, Job::Explain { .. }));
        self.chem.close_details();
        let chem = self.chem_settings();
        let uploads = self.upload_texts(&chem);
        let job = Job::Explain {
            formula: formula.to_string(),
        };
        let formula = formula.to_string();
        self.send(Role::Chem, job, |id| Request::Explain {
            id,
            chem,
            formula,
            uploads,
        });
        self.render(super::Panel::Details);
    }

    pub(super) fn explained(&mut self, id: u32, explanation: Explanation) {
        if self.requests.finish(id).is_some() {
            self.chem.explanation = Some(explanation);
            self.chem.explain_failed = false;
            self.render(Panel::Details);
            self.render(Panel::Quiz);
        }
    }

    /// What the details card shows.
    pub fn details(&self) -> DetailsView<'_> {
        if let Some(e) = &self.chem.explanation {
            return DetailsView::Ready(e);
        }
        if let Some(r) = self.requests.find(|j| matches!(j, Job::Explain { .. }))
            && let Job::Explain { formula, .. } = &r.job
        {
            return DetailsView::Pending(formula);
        }
        if self.chem.explain_failed {
            DetailsView::Failed
        } else {
            DetailsView::Empty
        }
    }

    /// A composition to explain: it is put in focus (ringed on the map when
    /// it is there) and its details open.
    pub(super) fn focus(&mut self, formula: &str) {
        match Composition::parse(formula) {
            Ok(c) => {
                self.messages.clear(Field::Explain);
                let canonical = c.to_string();
                if self.state.focus.as_deref() == Some(canonical.as_str()) {
                    // Asked again: explain again (a failed request, say).
                    self.request_explain(&canonical);
                }
                self.change(|s| s.focus = Some(canonical));
            }
            Err(problem) => {
                let text = format!(
                    "'{}': {problem}. Type a formula such as Zn2O.",
                    formula.trim()
                );
                self.messages
                    .note(Field::Explain, Tone::Error, text, Some(formula.to_string()));
                self.render(Panel::Details);
            }
        }
    }

    pub(super) fn list_system(&mut self, system: &str) {
        match ChemicalSystem::parse(system) {
            Ok(_) => {
                self.messages.clear(Field::System);
                let system = system.trim().to_string();
                self.chem.system_stale();
                self.change(|s| s.system = system);
                self.ensure_system();
                self.render(Panel::System);
            }
            Err(problem) => {
                let text = format!(
                    "'{}': {problem}. Type elements joined by '-', such as Li-Zn-Sn-O.",
                    system.trim()
                );
                self.messages
                    .note(Field::System, Tone::Error, text, Some(system.to_string()));
                self.render(Panel::System);
            }
        }
    }

    pub(super) fn ensure_system(&mut self) {
        let key = self.chem_key();
        let system = self.state.system.clone();
        let have = self
            .chem
            .system
            .as_ref()
            .is_some_and(|(k, s, _)| *k == key && *s == system);
        let asked = self
            .requests
            .find(|j| matches!(j, Job::System { system: s, chem } if *s == system && *chem == key));
        if have || asked.is_some() || self.chem.system_failed {
            return;
        }
        self.requests
            .drop_where(|j| matches!(j, Job::System { .. }));
        let chem = self.chem_settings();
        let uploads = self.upload_texts(&chem);
        let job = Job::System {
            system: system.clone(),
            chem: key,
        };
        self.send(Role::Chem, job, |id| Request::System {
            id,
            chem,
            system,
            uploads,
        });
        self.render(Panel::System);
    }

    pub(super) fn system_done(&mut self, id: u32, system: String, rows: Vec<SystemRow>) {
        if let Some(Job::System { chem, .. }) = self.requests.finish(id).map(|r| r.job) {
            self.chem.system = Some((chem, system, rows));
            self.chem.system_failed = false;
            self.render(Panel::System);
        }
    }

    /// The chemical system listed: its name and rows, or `None` while listing.
    pub fn system_rows(&self) -> Option<(&str, &[SystemRow])> {
        let (_, system, rows) = self.chem.system.as_ref()?;
        Some((system, rows))
    }

    /// Whether a system is being listed.
    pub fn system_pending(&self) -> bool {
        self.requests
            .find(|j| matches!(j, Job::System { .. }))
            .is_some()
    }

    // ---- uploads ----

    pub(super) fn upload_read(
        &mut self,
        kind: UploadKind,
        name: &str,
        text: Result<String, String>,
    ) {
        let field = upload_field(kind);
        let text = match text {
            Ok(text) => text,
            Err(problem) => {
                let text = format!("'{name}' was not used: {problem}.");
                self.messages.note(field, Tone::Error, text, None);
                self.render(Panel::Controls);
                return;
            }
        };
        // A newer file of the same kind replaces one still being read.
        self.requests
            .drop_where(|j| matches!(j, Job::CheckUpload { kind: k, .. } if *k == kind));
        let upload = Upload::new(name, text);
        self.messages
            .note(field, Tone::Info, format!("Reading '{name}'…"), None);
        let job = Job::CheckUpload {
            kind,
            upload: upload.clone(),
        };
        self.send(Role::Chem, job, |id| Request::CheckUpload {
            id,
            file: kind,
            upload,
        });
        self.render(Panel::Controls);
    }

    pub(super) fn upload_checked(&mut self, id: u32, summary: String) {
        let Some(Job::CheckUpload { kind, upload }) = self.requests.finish(id).map(|r| r.job)
        else {
            return;
        };
        let text = format!("Using '{}' ({summary}).", upload.name);
        self.messages
            .note(upload_field(kind), Tone::Success, text, None);
        let old = self.state.clone();
        let old_chem = self.chem_settings();
        let old_layout = self.layout_key();
        match kind {
            UploadKind::OxidationStates => {
                self.uploads.ox = Some((upload, summary));
                self.state.ox = OxChoice::Uploaded;
            }
            UploadKind::KnownList => {
                self.uploads.known = Some((upload, summary));
                self.state.known = KnownSetting {
                    database: None,
                    upload: true,
                };
            }
        }
        self.messages.clear(super::Field::Param(match kind {
            UploadKind::OxidationStates => "ox",
            UploadKind::KnownList => "db",
        }));
        self.settle(&old, &old_chem, &old_layout);
    }
}
