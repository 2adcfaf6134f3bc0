//! The settings every chemistry command shares: oxidation-state set,
//! stoichiometry limit, SMACT's smact_validity options and known-composition
//! set, read from flags.

use std::borrow::Cow;

use crystal_atlas::data::known::MAX_USER_LIST_BYTES;
use crystal_atlas::data::oxidation::MAX_OX_FILE_BYTES;
use crystal_atlas::data::{
    Commonality, Icsd24Filter, KnownSet, KnownSource, OxidationSet, OxidationStates,
};
use crystal_atlas::enumerate::MAX_STOICH_LIMIT;
use crystal_atlas::filter::{DEFAULT_THRESHOLD, FilterOptions};
use crystal_atlas::label::Labeller;

use crate::args::{Args, CliError};
use crate::io::{ReadError, note, read_capped};

pub struct Settings {
    /// The states filtered with (ICSD24 thresholds applied).
    pub ox: Cow<'static, OxidationStates>,
    pub threshold: u32,
    pub options: FilterOptions,
    pub known: Cow<'static, KnownSet>,
}

impl Settings {
    pub fn from_args(args: &mut Args) -> Result<Settings, CliError> {
        let threshold = args.setting(&crystal_atlas::params::MAX_STOICH, 1..=MAX_STOICH_LIMIT)?;
        debug_assert_eq!(
            crystal_atlas::params::MAX_STOICH.default,
            DEFAULT_THRESHOLD.to_string()
        );
        let ox = match args.value("ox-set") {
            None => Cow::Borrowed(OxidationSet::Smact14.states()),
            Some(name) => match OxidationSet::from_name(&name) {
                Some(set) => Cow::Borrowed(set.states()),
                None => Cow::Owned(read_ox_file(&name)?),
            },
        };
        let options = filter_options(args)?;
        let ox = options.oxidation_states(ox).map_err(|_| {
            CliError(
                "--consensus, --commonality and --include-zero choose states from the ICSD 2024 counts, so they need --ox-set icsd24"
                    .into(),
            )
        })?;
        let known = match args.value("known") {
            None => Cow::Borrowed(embedded(KnownSource::MaterialsProject)),
            Some(name) if name == "none" => Cow::Owned(KnownSet::empty()),
            Some(name) => match KnownSource::from_name(&name) {
                Some(source) => Cow::Borrowed(embedded(source)),
                None => Cow::Owned(read_known_file(&name)?),
            },
        };
        Ok(Settings {
            ox,
            threshold,
            options,
            known,
        })
    }

    pub fn labeller(&self) -> Labeller<'_> {
        Labeller {
            ox: &self.ox,
            threshold: self.threshold,
            options: self.options,
            known: &self.known,
        }
    }
}

/// `--mixed-valence`, `--include-alloys`, and the ICSD24 filter's
/// `--consensus`, `--commonality`, `--include-zero` (SMACT's names).
fn filter_options(args: &mut Args) -> Result<FilterOptions, CliError> {
    let mixed_valence = args.switch("mixed-valence");
    let include_alloys = args.switch("include-alloys");
    let include_zero = args.switch("include-zero");
    let consensus = args.value("consensus");
    let commonality = args.value("commonality");
    let icsd24 = if consensus.is_some() || commonality.is_some() || include_zero {
        let defaults = Icsd24Filter::default();
        let consensus = match consensus {
            None => defaults.consensus,
            Some(_) => args.number("consensus", None, 0..=u32::MAX)?,
        };
        let commonality = match commonality {
            None => defaults.commonality,
            Some(text) => text
                .parse::<Commonality>()
                .map_err(|e| CliError(format!("--{e}")))?,
        };
        Some(Icsd24Filter {
            consensus,
            commonality,
            include_zero,
        })
    } else {
        None
    };
    Ok(FilterOptions {
        mixed_valence,
        include_alloys,
        icsd24,
    })
}

fn embedded(source: KnownSource) -> &'static KnownSet {
    source
        .embedded()
        .expect("native builds embed every known set")
}

/// The file's bytes, refusing one larger than `limit` before reading it all
/// (a path such as /dev/zero never ends).
fn read_file(path: &str, what: &str, names: &str, limit: usize) -> Result<Vec<u8>, CliError> {
    read_capped(path, limit, None).map_err(|e| match e {
        ReadError::Io(e) => CliError(format!(
            "{what} '{path}' is neither {names} nor a readable file ({e})"
        )),
        other => CliError(format!("{what} '{path}': {other}")),
    })
}

fn read_ox_file(path: &str) -> Result<OxidationStates, CliError> {
    let bytes = read_file(
        path,
        "--ox-set",
        "smact14, icsd16, icsd24, pymatgen_sp, wiki",
        MAX_OX_FILE_BYTES,
    )?;
    let text = String::from_utf8(bytes).map_err(|_| {
        CliError(format!(
            "--ox-set '{path}': not UTF-8 text; save the file as UTF-8"
        ))
    })?;
    let states = OxidationStates::parse_smact_file(path, &text)
        .map_err(|e| CliError(format!("--ox-set '{path}': {e}")))?;
    // A file listing every element many times would bury the output: the
    // first few, then how many more.
    const SHOWN: usize = 3;
    for n in states.notes().iter().take(SHOWN) {
        note(&format!("crystal-atlas: note: --ox-set '{path}': {n}"));
    }
    if states.notes().len() > SHOWN {
        note(&format!(
            "crystal-atlas: note: --ox-set '{path}': {} more lines replace an earlier line for their element",
            states.notes().len() - SHOWN
        ));
    }
    Ok(states)
}

fn read_known_file(path: &str) -> Result<KnownSet, CliError> {
    let bytes = read_file(
        path,
        "--known",
        "mp, oqmd, aflow, none",
        MAX_USER_LIST_BYTES,
    )?;
    let set = KnownSet::parse_user_list(path, &bytes)
        .map_err(|e| CliError(format!("--known '{path}': {e}")))?;
    if let Some(left_out) = set.left_out() {
        note(&format!(
            "crystal-atlas: note: --known '{path}': {left_out}"
        ));
    }
    Ok(set)
}
