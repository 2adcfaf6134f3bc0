//! Messages where the user looks: a note beside the field that caused it
//! (kept until that field holds a good value), or a banner for what belongs
//! to no field (a link's bad parameters, grouped; a worker that stopped).
//! Successes are not styled as errors, and banners do not pile up: the same
//! text is shown once, the oldest goes first, and information fades.

/// How a message should look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    Success,
    Warning,
    Error,
}

impl Tone {
    pub fn name(self) -> &'static str {
        match self {
            Tone::Info => "info",
            Tone::Success => "success",
            Tone::Warning => "warning",
            Tone::Error => "error",
        }
    }
}

/// Where a field note is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// A setting of the form, by its link key.
    Param(&'static str),
    Search,
    Explain,
    System,
    OxFile,
    KnownFile,
    /// The share button.
    Share,
    /// The formulas to place on the map (typed or uploaded).
    Place,
}

/// A message beside a field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldNote {
    pub field: Field,
    pub tone: Tone,
    pub text: String,
    /// The value the user typed that was refused, shown in the field so it
    /// can be corrected (the setting in force is unchanged).
    pub typed: Option<String>,
}

/// A message at the top of the page.
#[derive(Debug, Clone, PartialEq)]
pub struct Banner {
    pub id: u32,
    pub tone: Tone,
    pub text: String,
    /// Items listed under the text (a link's bad parameters).
    pub items: Vec<String>,
    /// When it fades (ms), for information.
    pub expires: Option<f64>,
}

/// Banners shown at once at most.
const MAX_BANNERS: usize = 4;
/// How long information stays (ms).
const INFO_MS: f64 = 10_000.0;

#[derive(Debug, Default)]
pub struct Messages {
    banners: Vec<Banner>,
    fields: Vec<FieldNote>,
    last_id: u32,
}

impl Messages {
    /// Shows a banner (replacing one with the same text).
    pub fn banner(&mut self, tone: Tone, text: String, items: Vec<String>, now: f64) {
        self.banners.retain(|b| b.text != text);
        self.last_id += 1;
        let expires = matches!(tone, Tone::Info | Tone::Success).then_some(now + INFO_MS);
        self.banners.push(Banner {
            id: self.last_id,
            tone,
            text,
            items,
            expires,
        });
        if self.banners.len() > MAX_BANNERS {
            self.banners.remove(0);
        }
    }

    pub fn dismiss(&mut self, id: u32) -> bool {
        let before = self.banners.len();
        self.banners.retain(|b| b.id != id);
        before != self.banners.len()
    }

    /// Drops faded banners; true if any went.
    pub fn expire(&mut self, now: f64) -> bool {
        let before = self.banners.len();
        self.banners.retain(|b| b.expires.is_none_or(|t| t > now));
        before != self.banners.len()
    }

    /// Shows a note beside `field` (replacing its previous one).
    pub fn note(&mut self, field: Field, tone: Tone, text: String, typed: Option<String>) {
        self.fields.retain(|f| f.field != field);
        self.fields.push(FieldNote {
            field,
            tone,
            text,
            typed,
        });
    }

    /// Clears the note beside `field`; true if there was one.
    pub fn clear(&mut self, field: Field) -> bool {
        let before = self.fields.len();
        self.fields.retain(|f| f.field != field);
        before != self.fields.len()
    }

    pub fn field(&self, field: Field) -> Option<&FieldNote> {
        self.fields.iter().find(|f| f.field == field)
    }

    pub fn banners(&self) -> &[Banner] {
        &self.banners
    }

    pub fn fields(&self) -> &[FieldNote] {
        &self.fields
    }
}
