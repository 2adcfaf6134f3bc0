//! The inputs of each stage, so a stage's cache can be keyed on exactly what
//! it depends on: [`ChemSettings`] (oxidation states, stoichiometry limit,
//! the filter's options, known set) decide categories; [`SampleSettings`] add order, size and seed;
//! [`EmbedSettings`] add the element embedding and pooling; a
//! [`ReducerParams`] finishes a map.
//!
//! Files the user uploaded appear in settings as an [`UploadRef`] (name and
//! digest), so a cache key stays a few bytes however large the file; the text
//! itself travels once per request, beside the settings, as an [`Upload`].

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::data::{KnownSet, KnownSource, OxidationSet, OxidationStates};
use crate::filter::FilterOptions;
pub use crate::reduce::Method;

/// An uploaded file as settings name it: enough to tell two files apart.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UploadRef {
    pub name: String,
    /// FNV-1a 64 of the text, with its length (hex).
    pub digest: String,
}

/// An uploaded file with its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upload {
    pub name: String,
    pub digest: String,
    pub text: String,
}

impl Upload {
    pub fn new(name: &str, text: String) -> Upload {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in text.as_bytes() {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        Upload {
            name: name.to_string(),
            digest: format!("{hash:016x}-{:x}", text.len()),
            text,
        }
    }

    pub fn reference(&self) -> UploadRef {
        UploadRef {
            name: self.name.clone(),
            digest: self.digest.clone(),
        }
    }

    fn find<'a>(uploads: &'a [Upload], file: &UploadRef) -> Result<&'a Upload, SettingsError> {
        uploads
            .iter()
            .find(|u| u.digest == file.digest)
            .ok_or_else(|| SettingsError::BadUpload {
                what: "uploaded file",
                name: file.name.clone(),
                problem: "its text did not come with the request; upload it again".into(),
            })
    }
}

/// Where the oxidation states come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OxSource {
    /// One of SMACT's sets by name ("smact14", ...).
    Builtin { name: String },
    /// A file in SMACT's format the user uploaded.
    Uploaded { file: UploadRef },
}

/// Which compositions count as known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KnownChoice {
    /// A built-in database by short name ("mp", "oqmd", "aflow").
    Builtin { name: String },
    /// Nothing is known: every composition is missing or unlikely.
    Empty,
    /// A formula list the user uploaded (text, CSV or JSON), on its own or
    /// added to a built-in database.
    Uploaded {
        file: UploadRef,
        added_to: Option<String>,
    },
}

/// What decides a composition's category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChemSettings {
    pub ox: OxSource,
    /// Largest stoichiometric factor (SMACT's threshold).
    pub threshold: u32,
    pub known: KnownChoice,
    /// SMACT's smact_validity options; absent means the paper's filter.
    #[serde(default)]
    pub filter: FilterOptions,
}

impl ChemSettings {
    /// The uploaded files these settings name.
    pub fn uploads(&self) -> Vec<&UploadRef> {
        let mut out = Vec::new();
        if let OxSource::Uploaded { file } = &self.ox {
            out.push(file);
        }
        if let KnownChoice::Uploaded { file, .. } = &self.known {
            out.push(file);
        }
        out
    }
}

/// A settings problem, said so the user can fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingsError {
    UnknownOxSet(String),
    UnknownDatabase(String),
    /// Filter options that do not fit the chosen oxidation states.
    Filter(crate::filter::FilterOptionsError),
    BadUpload {
        what: &'static str,
        name: String,
        problem: String,
    },
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingsError::UnknownOxSet(n) => write!(
                f,
                "'{n}' is not an oxidation-state set; choose smact14, icsd16, icsd24, pymatgen_sp or wiki, or upload a file"
            ),
            SettingsError::UnknownDatabase(n) => {
                write!(
                    f,
                    "'{n}' is not a database; choose mp, oqmd, aflow or none, or upload a formula list"
                )
            }
            SettingsError::Filter(e) => write!(f, "{e}"),
            SettingsError::BadUpload {
                what,
                name,
                problem,
            } => write!(f, "{what} '{name}': {problem}"),
        }
    }
}

impl std::error::Error for SettingsError {}

/// Reads an uploaded oxidation-state file.
pub fn parse_ox_upload(upload: &Upload) -> Result<OxidationStates, SettingsError> {
    OxidationStates::parse_smact_file(&upload.name, &upload.text).map_err(|e| {
        SettingsError::BadUpload {
            what: "oxidation-state file",
            name: upload.name.clone(),
            problem: e.to_string(),
        }
    })
}

/// Reads an uploaded known-composition list.
pub fn parse_known_upload(upload: &Upload) -> Result<KnownSet, SettingsError> {
    KnownSet::parse_user_list(&upload.name, upload.text.as_bytes()).map_err(|e| {
        SettingsError::BadUpload {
            what: "known-composition list",
            name: upload.name.clone(),
            problem: e.to_string(),
        }
    })
}

impl ChemSettings {
    /// The states the filter uses: the chosen set (an uploaded file's text
    /// from `uploads`), or the ICSD24 filter's when the options give
    /// thresholds for the icsd24 set.
    pub fn oxidation_states(
        &self,
        uploads: &[Upload],
    ) -> Result<Cow<'static, OxidationStates>, SettingsError> {
        self.filter
            .oxidation_states(self.ox.states(uploads)?)
            .map_err(SettingsError::Filter)
    }
}

impl OxSource {
    /// The parsed set (shared for built-in sets); an uploaded file's text
    /// comes from `uploads`.
    pub fn states(
        &self,
        uploads: &[Upload],
    ) -> Result<Cow<'static, OxidationStates>, SettingsError> {
        match self {
            OxSource::Builtin { name } => OxidationSet::from_name(name)
                .map(|s| Cow::Borrowed(s.states()))
                .ok_or_else(|| SettingsError::UnknownOxSet(name.clone())),
            OxSource::Uploaded { file } => {
                parse_ox_upload(Upload::find(uploads, file)?).map(Cow::Owned)
            }
        }
    }
}

impl KnownChoice {
    /// The data file to fetch first, for built-in sets not compiled into this
    /// build (OQMD and AFLOW on the web).
    pub fn asset(&self) -> Option<String> {
        let name = match self {
            KnownChoice::Builtin { name } => name,
            KnownChoice::Uploaded {
                added_to: Some(name),
                ..
            } => name,
            _ => return None,
        };
        KnownSource::from_name(name)
            .filter(|s| s.embedded_bytes().is_none())
            .map(|s| format!("data/known/{}.bin", s.name()))
    }

    fn builtin<'a>(
        name: &str,
        fetched: &'a [(String, KnownSet)],
    ) -> Result<Cow<'a, KnownSet>, SettingsError> {
        let source = KnownSource::from_name(name)
            .ok_or_else(|| SettingsError::UnknownDatabase(name.to_string()))?;
        if let Some(set) = source.embedded() {
            return Ok(Cow::Borrowed(set));
        }
        fetched
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| Cow::Borrowed(s))
            .ok_or_else(|| SettingsError::BadUpload {
                what: "database",
                name: name.to_string(),
                problem: format!("its data file data/known/{name}.bin has not been loaded; check your connection and try again"),
            })
    }

    /// The set, from the build, from `fetched` (decoded asset files by short
    /// name) or from the uploaded text in `uploads`.
    pub fn set<'a>(
        &self,
        fetched: &'a [(String, KnownSet)],
        uploads: &[Upload],
    ) -> Result<Cow<'a, KnownSet>, SettingsError> {
        match self {
            KnownChoice::Empty => Ok(Cow::Owned(KnownSet::empty())),
            KnownChoice::Builtin { name } => KnownChoice::builtin(name, fetched),
            KnownChoice::Uploaded { file, added_to } => {
                let list = parse_known_upload(Upload::find(uploads, file)?)?;
                match added_to {
                    None => Ok(Cow::Owned(list)),
                    Some(name) => {
                        let base = KnownChoice::builtin(name, fetched)?;
                        let title = format!("{name} + {}", file.name);
                        Ok(Cow::Owned(base.union(&list, &title)))
                    }
                }
            }
        }
    }
}

/// What decides the sample of compositions a map shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleSettings {
    pub chem: ChemSettings,
    /// 2, 3 or 4 elements.
    pub order: usize,
    /// Compositions drawn from each category (the paper: 3,000), or the
    /// whole space.
    pub size: crate::sample::SampleSize,
    pub seed: u64,
}

/// What decides the matrix a reducer gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbedSettings {
    pub sample: SampleSettings,
    /// ElementEmbeddings' name ("mat2vec", ...).
    pub embedding: String,
    /// Pooling statistic ("mean", the paper's eq. 2).
    pub pooling: String,
}

/// A reducer and its main parameters (the rest are the reference defaults).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum ReducerParams {
    Pca,
    Tsne {
        perplexity: f32,
        seed: u64,
    },
    Umap {
        n_neighbors: usize,
        min_dist: f32,
        seed: u64,
    },
}

impl ReducerParams {
    pub fn method(&self) -> Method {
        match self {
            ReducerParams::Pca => Method::Pca,
            ReducerParams::Tsne { .. } => Method::Tsne,
            ReducerParams::Umap { .. } => Method::Umap,
        }
    }

    /// As the paper's figures label it: "PCA", "t-SNE", "UMAP".
    pub fn title(&self) -> &'static str {
        self.method().title()
    }

    /// The map of `data` (N x D) these parameters made, `layout` (N x 2),
    /// ready to place new rows on: PCA is fitted again (the same bits as
    /// its layout), t-SNE and UMAP keep `layout` as it is.
    pub fn fitted_map(
        &self,
        data: ndarray::ArrayView2<f32>,
        layout: ndarray::Array2<f32>,
    ) -> Result<crate::reduce::fitted::FittedMap, crate::reduce::ReduceError> {
        use crate::reduce::fitted::FittedMap;
        use crate::reduce::{pca, tsne, umap};
        Ok(match *self {
            ReducerParams::Pca => FittedMap::Pca(pca::PcaModel::fit(data, 2)?),
            ReducerParams::Tsne { .. } => FittedMap::Tsne {
                model: tsne::TsneModel::new(data, layout)?,
                params: Default::default(),
            },
            ReducerParams::Umap { .. } => {
                let params = self.umap_params().expect("UMAP's");
                FittedMap::Umap(umap::UmapModel::new(data, layout, &params)?)
            }
        })
    }

    /// The UMAP parameters of a UMAP map (the rest at umap-learn's
    /// defaults): the fit and the placing of new rows read them here.
    pub fn umap_params(&self) -> Option<crate::reduce::umap::UmapParams> {
        match *self {
            ReducerParams::Umap {
                n_neighbors,
                min_dist,
                seed,
            } => Some(crate::reduce::umap::UmapParams {
                n_neighbors,
                min_dist,
                seed,
                ..Default::default()
            }),
            _ => None,
        }
    }
}

/// A cache key: the settings' canonical JSON (field order is fixed by the
/// types, so equal settings give equal keys).
pub fn cache_key<T: Serialize>(settings: &T) -> String {
    serde_json::to_string(settings).expect("settings serialise")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_resolve_or_say_what_to_choose() {
        let smact = OxSource::Builtin {
            name: "smact14".into(),
        };
        assert_eq!(smact.states(&[]).unwrap().species_count(), 421);
        let err = OxSource::Builtin {
            name: "smact15".into(),
        }
        .states(&[])
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("'smact15' is not an oxidation-state set"),
            "{err}"
        );
        let bad = Upload::new("mine.txt", "Fe +2\nXx 3\n".into());
        let source = OxSource::Uploaded {
            file: bad.reference(),
        };
        assert_eq!(
            source
                .states(std::slice::from_ref(&bad))
                .unwrap_err()
                .to_string(),
            "oxidation-state file 'mine.txt': line 2: 'Xx' is not an element symbol; each line is a symbol then its states, e.g. 'Fe +2 +3'"
        );
        assert!(
            source
                .states(&[])
                .unwrap_err()
                .to_string()
                .contains("upload it again")
        );

        let mp = KnownChoice::Builtin { name: "mp".into() };
        assert_eq!(mp.asset(), None, "MP is compiled in");
        assert_eq!(mp.set(&[], &[]).unwrap().len(), 50_501);
        assert!(KnownChoice::Empty.set(&[], &[]).unwrap().is_empty());
        let bad_list = Upload::new("x.csv", "ZnO\nQq\n".into());
        let list = KnownChoice::Uploaded {
            file: bad_list.reference(),
            added_to: None,
        };
        assert!(
            list.set(&[], &[bad_list])
                .unwrap_err()
                .to_string()
                .starts_with("known-composition list 'x.csv': line 2")
        );
        let fetched = vec![("aflow".to_string(), KnownSet::new("aflow", []))];
        assert!(
            KnownChoice::Builtin {
                name: "aflow".into()
            }
            .set(&fetched, &[])
            .is_ok()
        );
    }

    #[test]
    fn an_uploaded_list_can_be_added_to_a_database() {
        // Zn2O is allowed but not in the Materials Project; ZnO is in it.
        let zn2o = crate::chem::Composition::parse("Zn2O").unwrap();
        let zno = crate::chem::Composition::parse("ZnO").unwrap();
        let upload = Upload::new("mine.txt", "Zn2O\n".into());
        let alone = KnownChoice::Uploaded {
            file: upload.reference(),
            added_to: None,
        };
        let added = KnownChoice::Uploaded {
            file: upload.reference(),
            added_to: Some("mp".into()),
        };
        let uploads = [upload];
        let alone = alone.set(&[], &uploads).unwrap();
        assert!(alone.contains(&zn2o) && !alone.contains(&zno));
        let added = added.set(&[], &uploads).unwrap();
        assert!(added.contains(&zn2o) && added.contains(&zno));
        assert_eq!(added.len(), 50_502);
    }

    #[test]
    fn uploads_are_named_by_their_text() {
        let a = Upload::new("a.txt", "Fe +2 +3\n".into());
        let b = Upload::new("b.txt", "Fe +2 +3\n".into());
        let c = Upload::new("a.txt", "Fe +3\n".into());
        assert_eq!(a.digest, b.digest);
        assert_ne!(a.digest, c.digest);
        // A key of settings naming a 1 MB upload stays short.
        let big = Upload::new("big.txt", "Fe +2\n".repeat(200_000));
        let chem = ChemSettings {
            ox: OxSource::Uploaded {
                file: big.reference(),
            },
            threshold: 8,
            known: KnownChoice::Empty,
            filter: FilterOptions::default(),
        };
        assert!(cache_key(&chem).len() < 200);
    }

    #[test]
    fn cache_keys_follow_the_settings() {
        let chem = ChemSettings {
            ox: OxSource::Builtin {
                name: "smact14".into(),
            },
            threshold: 8,
            known: KnownChoice::Empty,
            filter: FilterOptions::default(),
        };
        let a = SampleSettings {
            chem: chem.clone(),
            order: 2,
            size: crate::sample::SampleSize::PerCategory(3000),
            seed: 42,
        };
        let mut b = a.clone();
        assert_eq!(cache_key(&a), cache_key(&b));
        b.seed = 43;
        assert_ne!(cache_key(&a), cache_key(&b));
        let back: SampleSettings = serde_json::from_str(&cache_key(&a)).unwrap();
        assert_eq!(back, a);
        // Options change the key; settings written before them read as the paper's filter.
        b.seed = 42;
        b.chem.filter.mixed_valence = true;
        assert_ne!(cache_key(&a), cache_key(&b));
        let old =
            r#"{"ox":{"kind":"builtin","name":"smact14"},"threshold":8,"known":{"kind":"empty"}}"#;
        let old: ChemSettings = serde_json::from_str(old).unwrap();
        assert_eq!(old, chem);
    }

    #[test]
    fn icsd24_thresholds_choose_the_states() {
        let mut chem = ChemSettings {
            ox: OxSource::Builtin {
                name: "icsd24".into(),
            },
            threshold: 8,
            known: KnownChoice::Empty,
            filter: FilterOptions::default(),
        };
        let file = chem.oxidation_states(&[]).unwrap();
        assert_eq!(file.name(), "icsd24");
        chem.filter.icsd24 = Some(crate::data::Icsd24Filter::default());
        let filtered = chem.oxidation_states(&[]).unwrap();
        assert_eq!(filtered.name(), "icsd24 (consensus 3, commonality low)");
        // Consensus 3 keeps more states than the file's 6.
        assert!(filtered.species_count() > file.species_count());
        chem.ox = OxSource::Builtin {
            name: "smact14".into(),
        };
        assert!(
            chem.oxidation_states(&[])
                .unwrap_err()
                .to_string()
                .contains("apply to the icsd24 set only")
        );
    }
}
