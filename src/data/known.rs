//! Known compositions: the "known" half of the four categories. A composition
//! is known when its reduced composition appears in a materials database.
//!
//! Built-in sets come from crabnet 2.0.8's benchmark data (Materials Project
//! `mp_e_hull`; OQMD and AFLOW property sets), packed by `scripts/import-data`
//! (format in `scripts/import_data.py`). Users can supply their own list.

use std::fmt;
use std::sync::OnceLock;

use crate::chem::{Composition, Element};

/// Where a known set came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KnownSource {
    MaterialsProject,
    Oqmd,
    Aflow,
}

impl KnownSource {
    pub const ALL: [KnownSource; 3] = [KnownSource::MaterialsProject, KnownSource::Oqmd, KnownSource::Aflow];

    /// The short name used by the CLI and in URLs.
    pub fn name(self) -> &'static str {
        match self {
            KnownSource::MaterialsProject => "mp",
            KnownSource::Oqmd => "oqmd",
            KnownSource::Aflow => "aflow",
        }
    }

    pub fn from_name(name: &str) -> Option<KnownSource> {
        KnownSource::ALL.into_iter().find(|s| s.name() == name)
    }

    pub fn title(self) -> &'static str {
        match self {
            KnownSource::MaterialsProject => "Materials Project (crabnet mp_e_hull snapshot)",
            KnownSource::Oqmd => "OQMD (crabnet benchmark sets)",
            KnownSource::Aflow => "AFLOW (crabnet benchmark sets)",
        }
    }

    /// The packed file, for sources compiled into this build. The browser build
    /// embeds only the Materials Project and fetches the larger two on demand.
    pub fn embedded_bytes(self) -> Option<&'static [u8]> {
        match self {
            KnownSource::MaterialsProject => Some(include_bytes!("../../data/known/mp.bin")),
            #[cfg(not(target_arch = "wasm32"))]
            KnownSource::Oqmd => Some(include_bytes!("../../data/known/oqmd.bin")),
            #[cfg(not(target_arch = "wasm32"))]
            KnownSource::Aflow => Some(include_bytes!("../../data/known/aflow.bin")),
            #[cfg(target_arch = "wasm32")]
            _ => None,
        }
    }

    /// The decoded set, when embedded in this build.
    pub fn embedded(self) -> Option<&'static KnownSet> {
        static SETS: [OnceLock<Option<KnownSet>>; 3] = [const { OnceLock::new() }; 3];
        let i = KnownSource::ALL.iter().position(|&s| s == self).expect("listed");
        SETS[i]
            .get_or_init(|| {
                self.embedded_bytes().map(|b| KnownSet::from_packed(self.name(), b).expect("embedded set decodes"))
            })
            .as_ref()
    }
}

/// A set of reduced compositions of at most four elements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownSet {
    name: String,
    keys: Vec<u64>,
}

/// Packs a reduced composition of at most four elements, amounts <= 511:
/// 16 bits per element (Z << 9 | amount), increasing Z, first in the top bits.
pub fn composition_key(c: &Composition) -> Option<u64> {
    if c.order() > 4 || c.max_amount() > 511 {
        return None;
    }
    Some(pack_key(c.parts().iter().map(|&(e, a)| (e.z(), a as u16))))
}

/// [`composition_key`] for (Z, amount) pairs already sorted by Z and reduced.
pub fn pack_key(pairs: impl Iterator<Item = (u8, u16)>) -> u64 {
    let mut key = 0u64;
    for (i, (z, a)) in pairs.enumerate() {
        key |= (u64::from(z) << 9 | u64::from(a)) << (16 * (3 - i));
    }
    key
}

fn unpack_key(key: u64) -> Option<Composition> {
    let parts = (0..4).filter_map(|i| {
        let field = (key >> (16 * (3 - i))) & 0xffff;
        let z = (field >> 9) as u8;
        (z != 0).then(|| Element::from_z(z).map(|e| (e, (field & 0x1ff) as u32)))
    });
    Composition::new(parts.collect::<Option<Vec<_>>>()?)
}

/// A packed known-set file that does not decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedSetError(pub String);

impl fmt::Display for PackedSetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "known-composition file: {}", self.0)
    }
}

impl std::error::Error for PackedSetError {}

impl KnownSet {
    pub fn new(name: &str, compositions: impl IntoIterator<Item = Composition>) -> KnownSet {
        let mut keys: Vec<u64> = compositions.into_iter().filter_map(|c| composition_key(&c)).collect();
        keys.sort_unstable();
        keys.dedup();
        KnownSet { name: name.to_string(), keys }
    }

    /// An empty set ("--known none": everything is unknown).
    pub fn empty() -> KnownSet {
        KnownSet { name: "none".to_string(), keys: Vec::new() }
    }

    /// Decodes the packed format (magic "CAK1", count, LEB128 deltas).
    pub fn from_packed(name: &str, bytes: &[u8]) -> Result<KnownSet, PackedSetError> {
        let err = |m: &str| PackedSetError(m.to_string());
        let body = bytes.strip_prefix(b"CAK1").ok_or_else(|| err("not a packed known set (bad magic)"))?;
        let count = u32::from_le_bytes(body.get(..4).ok_or_else(|| err("truncated header"))?.try_into().unwrap());
        let mut keys = Vec::with_capacity((count as usize).min(body.len()));
        let (mut pos, mut prev) = (4usize, 0u64);
        for _ in 0..count {
            let (mut delta, mut shift) = (0u64, 0u32);
            loop {
                let b = *body.get(pos).ok_or_else(|| err("truncated"))?;
                pos += 1;
                if shift > 63 {
                    return Err(err("varint too long"));
                }
                delta |= u64::from(b & 0x7f) << shift;
                shift += 7;
                if b & 0x80 == 0 {
                    break;
                }
            }
            prev = prev.checked_add(delta).ok_or_else(|| err("key overflow"))?;
            keys.push(prev);
        }
        if pos != body.len() {
            return Err(err("trailing bytes"));
        }
        Ok(KnownSet { name: name.to_string(), keys })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn contains(&self, c: &Composition) -> bool {
        composition_key(c).is_some_and(|k| self.contains_key(k))
    }

    /// Membership of a key made by [`pack_key`].
    pub fn contains_key(&self, key: u64) -> bool {
        self.keys.binary_search(&key).is_ok()
    }

    /// Every composition in the set, in key order.
    pub fn compositions(&self) -> impl Iterator<Item = Composition> + '_ {
        self.keys.iter().filter_map(|&k| unpack_key(k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn materials_project_set_decodes_with_import_counts() {
        let mp = KnownSource::MaterialsProject.embedded().unwrap();
        // data/counts.json: 50,501 compositions of <= 4 elements among crabnet's 56,662 mp_e_hull formulas.
        assert_eq!(mp.len(), 50_501);
        for f in ["ZnO", "LiZnO2", "Li2ZnSn3O8", "Fe2O3", "NaCl"] {
            assert!(mp.contains(&Composition::parse(f).unwrap()), "{f} should be in MP");
        }
        assert!(!mp.contains(&Composition::parse("Zn2O").unwrap()));
        let back: Vec<Composition> = mp.compositions().take(100).collect();
        assert!(back.iter().all(|c| mp.contains(c)));
    }

    #[test]
    fn bad_packed_files_are_errors_not_panics() {
        assert!(KnownSet::from_packed("x", b"").is_err());
        assert!(KnownSet::from_packed("x", b"CAK1\x02\x00\x00\x00\x81").is_err());
        assert!(KnownSet::from_packed("x", b"CAK1\x01\x00\x00\x00\x01\x01").is_err());
        assert_eq!(KnownSet::from_packed("x", b"CAK1\x01\x00\x00\x00\x01").unwrap().len(), 1);
    }
}
