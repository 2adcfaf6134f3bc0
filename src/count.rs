//! Exact counts of the paper's Table 2: unique, allowed, standard, missing,
//! interesting and unlikely compositions of order n = 2, 3, 4, over the whole
//! space, without ever listing it (1.7e10 quaternaries).
//!
//! Why it is fast. Which stoichiometries `smact_filter` allows for an element
//! set depends only on each element's oxidation states and on the order of
//! their electronegativities (ties included), not on which elements they are.
//! So element sets are grouped by that *signature* and each signature is
//! solved once (98,753 of them cover the 3.7 million quaternary sets with
//! smact14). Within a signature, sorted by electronegativity, an assignment can
//! pass `pauling_test` only if its cations all come before its anions (zero
//! states may sit anywhere), so the allowed ratios are a union over these
//! cation/anion *patterns*; for each pattern a ratio is allowed when some sum
//! of cation charges equals some sum of anion charges, found with bitsets of
//! reachable sums instead of by trying every assignment.
//!
//! Known compositions are few (tens of thousands), so "standard" and
//! "interesting" are counted by testing each known composition directly.
//! `tests/` checks every count against [`crate::filter::smact_filter`] run set
//! by set, and binaries against the paper's 13,464.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::chem::Element;
use crate::data::{KnownSet, OxidationStates};
use crate::enumerate::{coprime_tuple_count, coprime_tuples, unique_compositions};
use crate::filter::is_allowed;

/// One row of Table 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub order: usize,
    pub unique: u64,
    pub allowed: u64,
    pub standard: u64,
    pub missing: u64,
    pub interesting: u64,
    pub unlikely: u64,
}

/// Element sets of one order grouped by signature: what the counts and the
/// per-element frequencies are computed from.
pub struct SignatureTable {
    order: usize,
    threshold: u32,
    /// Eligible elements (an electronegativity and at least one state), by
    /// increasing electronegativity, then Z.
    elements: Vec<Element>,
    types: Vec<PositionType>,
    /// Per eligible element: type id when first in the set (cation side),
    /// in the middle, last (anion side), and when all share one electronegativity.
    ids: Vec<[u16; 4]>,
    /// Distinct signatures, sorted, with the number of element sets each stands for.
    signatures: Vec<(u64, u64)>,
}

/// The states an element can take at a position of a signature.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct PositionType {
    /// Positive states (cation roles), increasing.
    cation: Vec<u8>,
    /// Magnitudes of negative states (anion roles), increasing.
    anion: Vec<u8>,
    /// Whether 0 is a state (wiki set): the element may stay neutral.
    zero: bool,
}

const FIRST: usize = 0;
const MIDDLE: usize = 1;
const LAST: usize = 2;
const ONLY: usize = 3;
const ID_BITS: u32 = 12;

impl SignatureTable {
    /// Groups every n-element set of eligible elements by signature.
    pub fn new(order: usize, ox: &OxidationStates, threshold: u32) -> SignatureTable {
        SignatureTable::for_pool(order, ox, threshold, Element::all())
    }

    /// As [`SignatureTable::new`] for the n-element subsets of `pool` only.
    pub fn for_pool(
        order: usize,
        ox: &OxidationStates,
        threshold: u32,
        pool: impl Iterator<Item = Element>,
    ) -> SignatureTable {
        assert!((2..=4).contains(&order), "orders 2..4");
        let mut elements: Vec<Element> =
            pool.filter(|&e| e.pauling_eneg().is_some() && !ox.of(e).is_empty()).collect();
        elements.sort_by(|a, b| {
            let (x, y) = (a.pauling_eneg().unwrap_or(0.0), b.pauling_eneg().unwrap_or(0.0));
            x.total_cmp(&y).then(a.cmp(b))
        });
        let mut types: Vec<PositionType> = Vec::new();
        let mut index: HashMap<PositionType, u16> = HashMap::new();
        let mut intern = |t: PositionType| -> u16 {
            *index.entry(t.clone()).or_insert_with(|| {
                types.push(t);
                (types.len() - 1) as u16
            })
        };
        let ids: Vec<[u16; 4]> = elements
            .iter()
            .map(|&e| {
                let states = ox.of(e);
                let mut cation: Vec<u8> = states.iter().filter(|&&q| q > 0).map(|&q| q as u8).collect();
                let mut anion: Vec<u8> = states.iter().filter(|&&q| q < 0).map(|&q| q.unsigned_abs()).collect();
                cation.sort_unstable();
                anion.sort_unstable();
                let zero = states.contains(&0);
                let full = PositionType { cation: cation.clone(), anion: anion.clone(), zero };
                [
                    intern(PositionType { cation: cation.clone(), anion: Vec::new(), zero }),
                    intern(full),
                    intern(PositionType { cation: Vec::new(), anion, zero }),
                    intern(PositionType { cation: Vec::new(), anion: Vec::new(), zero }),
                ]
            })
            .collect();
        assert!(types.len() < (1 << ID_BITS), "too many distinct oxidation-state lists");
        let enegs: Vec<f64> = elements.iter().map(|e| e.pauling_eneg().unwrap_or(0.0)).collect();
        let mut multiplicity: HashMap<u64, u64, FastHash> = HashMap::default();
        let mut set = vec![0usize; order];
        for_each_combination(elements.len(), order, &mut set, &mut |set| {
            *multiplicity.entry(signature_key(set, &enegs, &ids)).or_insert(0) += 1;
        });
        let mut signatures: Vec<(u64, u64)> = multiplicity.into_iter().collect();
        signatures.sort_unstable();
        SignatureTable { order, threshold, elements, types, ids, signatures }
    }

    /// Number of distinct signatures (the units of work).
    pub fn signature_count(&self) -> usize {
        self.signatures.len()
    }

    /// Number of element sets the signatures stand for.
    pub fn element_set_count(&self) -> u64 {
        self.signatures.iter().map(|&(_, m)| m).sum()
    }

    /// Allowed compositions summed over every element set of the table.
    pub fn allowed_total(&self, progress: &mut dyn FnMut(f64) -> bool) -> Option<u64> {
        let per_signature = self.allowed_per_signature(progress)?;
        Some(self.signatures.iter().zip(&per_signature).map(|(&(_, m), &a)| m * a).sum())
    }

    /// Allowed compositions per signature, in the order of `signatures`.
    /// `progress` gets the fraction done and returns false to cancel.
    fn allowed_per_signature(&self, progress: &mut dyn FnMut(f64) -> bool) -> Option<Vec<u64>> {
        let mut solver = PatternSolver::new(self.order, self.threshold);
        let total = self.signatures.len();
        let mut out = Vec::with_capacity(total);
        for (i, &(key, _)) in self.signatures.iter().enumerate() {
            if i % 2048 == 0 && !progress(i as f64 / total as f64) {
                return None;
            }
            let positions = self.decode(key);
            out.push(solver.allowed_count(&positions));
        }
        Some(out)
    }

    fn decode(&self, key: u64) -> Vec<Position<'_>> {
        let n = self.order;
        let mut level = 0u8;
        (0..n)
            .map(|i| {
                if i > 0 && key & (1 << (i - 1)) == 0 {
                    level += 1;
                }
                let id = (key >> (n - 1 + i * ID_BITS as usize)) & ((1 << ID_BITS) - 1);
                let t = &self.types[id as usize];
                Position { cation: &t.cation, anion: &t.anion, zero: t.zero, level }
            })
            .collect()
    }
}

/// Signature of the element set `set` (indices into the electronegativity-sorted
/// eligible list): per position a type id, plus one bit per neighbouring pair
/// saying whether they tie in electronegativity. Members of the lowest tie
/// group can only be cations (or zero), of the highest only anions; within a
/// tie group the order is irrelevant, so ids are sorted there.
fn signature_key(set: &[usize], enegs: &[f64], ids: &[[u16; 4]]) -> u64 {
    let n = set.len();
    let mut ties = 0u64;
    for i in 1..n {
        if enegs[set[i]] == enegs[set[i - 1]] {
            ties |= 1 << (i - 1);
        }
    }
    let first_group_end = (1..n).find(|&i| ties & (1 << (i - 1)) == 0).unwrap_or(n);
    let last_group_start = (1..n).rev().find(|&i| ties & (1 << (i - 1)) == 0).unwrap_or(0);
    let mut typed = [0u16; 4];
    for (i, &e) in set.iter().enumerate() {
        typed[i] = if first_group_end == n {
            ids[e][ONLY]
        } else if i < first_group_end {
            ids[e][FIRST]
        } else if i >= last_group_start {
            ids[e][LAST]
        } else {
            ids[e][MIDDLE]
        };
    }
    let mut start = 0;
    for i in 1..=n {
        if i == n || ties & (1 << (i - 1)) == 0 {
            typed[start..i].sort_unstable();
            start = i;
        }
    }
    let mut key = ties;
    for (i, &t) in typed[..n].iter().enumerate() {
        key |= u64::from(t) << (n - 1 + i * ID_BITS as usize);
    }
    key
}

/// Calls `f` with every k-subset of 0..n, increasing.
fn for_each_combination(n: usize, k: usize, set: &mut [usize], f: &mut dyn FnMut(&[usize])) {
    fn go(n: usize, k: usize, depth: usize, start: usize, set: &mut [usize], f: &mut dyn FnMut(&[usize])) {
        if depth == k {
            f(set);
            return;
        }
        for i in start..=n - (k - depth) {
            set[depth] = i;
            go(n, k, depth + 1, i + 1, set, f);
        }
    }
    if k <= n {
        go(n, k, 0, 0, set, f);
    }
}

/// One position of a decoded signature.
struct Position<'a> {
    cation: &'a [u8],
    anion: &'a [u8],
    zero: bool,
    /// Electronegativity rank: equal levels tie.
    level: u8,
}

impl<'a> Position<'a> {
    /// Charge magnitudes in a role: 0 cation, 1 anion, 2 neutral.
    fn charges(&self, role: usize) -> &'a [u8] {
        match role {
            0 => self.cation,
            1 => self.anion,
            _ => &[0],
        }
    }
}

/// Solves signatures: the number of coprime ratios (factors 1..=t) that some
/// cation/anion pattern makes neutral.
struct PatternSolver {
    n: usize,
    t: usize,
    /// Bit i set when the ratio with row-major index i (factor - 1 per position,
    /// first position most significant) has gcd 1.
    coprime: Vec<u64>,
    allowed: Vec<u64>,
}

impl PatternSolver {
    fn new(n: usize, threshold: u32) -> PatternSolver {
        let t = threshold as usize;
        let size = t.pow(n as u32);
        let mut coprime = vec![0u64; size.div_ceil(64)];
        for ratio in coprime_tuples(n, threshold) {
            let i = ratio.iter().fold(0usize, |acc, &w| acc * t + (w as usize - 1));
            coprime[i / 64] |= 1 << (i % 64);
        }
        PatternSolver { n, t, allowed: vec![0; coprime.len()], coprime }
    }

    fn allowed_count(&mut self, positions: &[Position]) -> u64 {
        self.allowed.iter_mut().for_each(|w| *w = 0);
        // Each position is a cation (0), an anion (1) or neutral (2).
        for pattern in 0..3usize.pow(self.n as u32) {
            let roles: Vec<usize> = (0..self.n).map(|i| pattern / 3usize.pow(i as u32) % 3).collect();
            let possible = positions.iter().zip(&roles).all(|(p, &r)| match r {
                0 => !p.cation.is_empty(),
                1 => !p.anion.is_empty(),
                _ => p.zero,
            });
            if !possible {
                continue;
            }
            let top_cation = positions.iter().zip(&roles).filter(|(_, r)| **r == 0).map(|(p, _)| p.level).max();
            let bottom_anion = positions.iter().zip(&roles).filter(|(_, r)| **r == 1).map(|(p, _)| p.level).min();
            match (top_cation, bottom_anion) {
                // All neutral: every ratio is neutral and no pair is compared.
                (None, None) => return coprime_tuple_count(self.n, self.t as u32),
                (Some(c), Some(a)) if c < a => self.add_pattern(positions, &roles),
                _ => {}
            }
        }
        self.allowed.iter().zip(&self.coprime).map(|(a, c)| u64::from((a & c).count_ones())).sum()
    }

    /// Marks the ratios that the pattern `roles` makes neutral: cation charges
    /// summing to the same total as anion charges, neutral positions free.
    fn add_pattern(&mut self, positions: &[Position], roles: &[usize]) {
        let (n, t) = (self.n, self.t);
        let stride = |i: usize| t.pow((n - 1 - i) as u32);
        let side = |role: usize| -> Vec<usize> { (0..n).filter(|&i| roles[i] == role).collect() };
        let (cations, anions, neutral) = (side(0), side(1), side(2));
        let reach = |members: &[usize], role: usize| -> Vec<(usize, Vec<u16>)> {
            // Every combination of factors on this side: (offset into the
            // row-major index, the distinct charge totals it can reach).
            let mut out = vec![(0usize, vec![0u16])];
            for &i in members {
                let mut next = Vec::with_capacity(out.len() * t);
                for (offset, sums) in &out {
                    for w in 1..=t {
                        let mut s: Vec<u16> = sums
                            .iter()
                            .flat_map(|&s| positions[i].charges(role).iter().map(move |&q| s + (w * q as usize) as u16))
                            .collect();
                        s.sort_unstable();
                        s.dedup();
                        next.push((offset + (w - 1) * stride(i), s));
                    }
                }
                out = next;
            }
            out
        };
        let cation_side = reach(&cations, 0);
        let anion_side = reach(&anions, 1);
        let mut by_total: HashMap<u16, Vec<usize>> = HashMap::new();
        for (offset, sums) in &anion_side {
            for &s in sums {
                by_total.entry(s).or_default().push(*offset);
            }
        }
        let neutral_offsets = reach(&neutral, 2);
        for (c_offset, sums) in &cation_side {
            for s in sums {
                if let Some(a_offsets) = by_total.get(s) {
                    for a in a_offsets {
                        for (z, _) in &neutral_offsets {
                            let i = c_offset + a + z;
                            self.allowed[i / 64] |= 1 << (i % 64);
                        }
                    }
                }
            }
        }
    }
}

/// A fast, deterministic hasher for the u64 signature keys.
#[derive(Default, Clone, Copy)]
struct FastHash;

impl std::hash::BuildHasher for FastHash {
    type Hasher = FastHasher;
    fn build_hasher(&self) -> FastHasher {
        FastHasher(0)
    }
}

struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

/// Table 2 for one order. `progress` gets the fraction done and returns false
/// to cancel (then `None`).
pub fn count_space(
    order: usize,
    ox: &OxidationStates,
    threshold: u32,
    known: &KnownSet,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Option<Counts> {
    let allowed = SignatureTable::new(order, ox, threshold).allowed_total(progress)?;
    let (mut standard, mut interesting) = (0, 0);
    for c in known.compositions() {
        if c.order() == order && c.max_amount() <= threshold {
            if is_allowed(&c, ox, threshold) {
                standard += 1;
            } else {
                interesting += 1;
            }
        }
    }
    let unique = unique_compositions(crate::data::ELEMENT_COUNT as u64, order, threshold);
    progress(1.0);
    Some(Counts {
        order,
        unique,
        allowed,
        standard,
        missing: allowed - standard,
        interesting,
        unlikely: unique - allowed - interesting,
    })
}

/// For each element H..Lr, the number of allowed compositions of this order
/// that contain it (the paper's Fig. 1 heat map).
pub fn element_frequencies(order: usize, ox: &OxidationStates, threshold: u32) -> Vec<u64> {
    let table = SignatureTable::new(order, ox, threshold);
    let per_signature = table.allowed_per_signature(&mut |_| true).expect("not cancelled");
    let lookup: HashMap<u64, u64, FastHash> =
        table.signatures.iter().zip(&per_signature).map(|(&(k, _), &a)| (k, a)).collect();
    let enegs: Vec<f64> = table.elements.iter().map(|e| e.pauling_eneg().unwrap_or(0.0)).collect();
    let mut freq = vec![0u64; crate::data::ELEMENT_COUNT];
    let mut set = vec![0usize; order];
    for_each_combination(table.elements.len(), order, &mut set, &mut |set| {
        let allowed = lookup[&signature_key(set, &enegs, &table.ids)];
        for &i in set {
            freq[table.elements[i].index()] += allowed;
        }
    });
    freq
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{KnownSource, OxidationSet};

    #[test]
    fn binary_counts_match_the_paper() {
        // SPEC section 3: 13,464 of 225,879 binaries allowed with smact14.
        let mp = KnownSource::MaterialsProject.embedded().unwrap();
        let c = count_space(2, OxidationSet::Smact14.states(), 8, mp, &mut |_| true).unwrap();
        assert_eq!(c.unique, 225_879);
        assert_eq!(c.allowed, 13_464);
        assert_eq!(c.standard + c.missing, c.allowed);
        assert_eq!(c.standard + c.missing + c.interesting + c.unlikely, c.unique);
    }

    /// The signature count equals smact_filter run on every element set of a
    /// pool chosen to include ties, elements without electronegativity or
    /// states, zero states (wiki) and several thresholds.
    #[test]
    fn signatures_agree_with_smact_filter_set_by_set() {
        let pool: Vec<Element> = ["H", "Li", "B", "C", "N", "O", "F", "Si", "S", "Cl", "Fe", "Co", "Sn", "I", "He", "Ru", "Os", "Pt", "Au"]
            .iter()
            .map(|s| Element::from_symbol(s).unwrap())
            .collect();
        for set in OxidationSet::ALL {
            let ox = set.states();
            for (order, threshold, size) in [(2, 8, 19), (3, 8, 12), (3, 5, 19), (4, 4, 11), (4, 8, 8)] {
                let pool = &pool[..size];
                let mut expected = 0u64;
                let mut subset = vec![0usize; order];
                for_each_combination(pool.len(), order, &mut subset, &mut |s| {
                    let els: Vec<Element> = s.iter().map(|&i| pool[i]).collect();
                    expected += crate::filter::allowed_compositions(&els, ox, threshold).len() as u64;
                });
                let table = SignatureTable::for_pool(order, ox, threshold, pool.iter().copied());
                let got = table.allowed_total(&mut |_| true).unwrap();
                assert_eq!(got, expected, "{set} order {order} threshold {threshold} pool {size}");
            }
        }
    }

    #[test]
    fn cancelling_stops_the_count() {
        let none = KnownSet::empty();
        assert!(count_space(3, OxidationSet::Smact14.states(), 8, &none, &mut |_| false).is_none());
    }
}
