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
//! SMACT's options ([`FilterOptions`]) keep this shape. Under mixed valence
//! an element's atoms may take different states, so a position at factor w
//! adds any sum of w of its states of one sign (not only w times one), and
//! since SMACT skips that expansion past a million assignments, a signature
//! with a mixed-valence element is solved both ways and each ratio takes the
//! answer SMACT would give (a mask per combination of state-list lengths).
//! Alloys are counted, not searched: every ratio of every all-metal set, less
//! those the filter already allows.
//!
//! Known compositions are few (tens of thousands), so "standard" and
//! "interesting" are counted by testing each known composition directly.
//! `tests/` checks every count against [`crate::filter::smact_filter`] run set
//! by set, and binaries against the paper's 13,464.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::chem::Element;
use crate::data::{KnownSet, OxidationStates};
use crate::enumerate::{
    MAX_STOICH_LIMIT, binomial, coprime_tuple_count, coprime_tuples, unique_compositions,
};
use crate::filter::{
    FilterOptions, MAX_MIXED_VALENCE_COMBOS, is_allowed, is_metal, is_mixed_valence_element,
};

/// Why a count was not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountError {
    Order(usize),
    Threshold(u32),
    Cancelled,
}

impl fmt::Display for CountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CountError::Order(n) => write!(
                f,
                "order {n}: the atlas counts binaries, ternaries and quaternaries (2, 3 or 4)"
            ),
            CountError::Threshold(t) => write!(
                f,
                "stoichiometry limit {t}: choose between 1 and {MAX_STOICH_LIMIT}"
            ),
            CountError::Cancelled => write!(f, "the count was cancelled"),
        }
    }
}

impl std::error::Error for CountError {}

/// Checks the settings every count takes.
fn check(order: usize, threshold: u32) -> Result<(), CountError> {
    if !(2..=4).contains(&order) {
        return Err(CountError::Order(order));
    }
    if !(1..=MAX_STOICH_LIMIT).contains(&threshold) {
        return Err(CountError::Threshold(threshold));
    }
    Ok(())
}

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

/// Element sets of one order grouped by signature: the counts and the
/// per-element frequencies are computed from it.
///
/// A signature is split into a *prefix* (the first n - 1 positions by
/// electronegativity, with their ties) and the *last* position (its type and
/// whether it ties with the one before). Prefixes are solved once and shared
/// by every last position, which is where most of the work is saved.
pub struct SignatureTable {
    order: usize,
    threshold: u32,
    /// Eligible elements (an electronegativity and at least one state), by
    /// increasing electronegativity, then Z.
    elements: Vec<Element>,
    enegs: Vec<f64>,
    types: Vec<PositionType>,
    /// Per type id, the charges it adds at each factor ([`TypeSums`]).
    sums: Vec<TypeSums>,
    /// Per eligible element: type id when in the lowest tie group (cation
    /// side), in the middle, in the highest (anion side), or when all tie.
    ids: Vec<[u16; 4]>,
    /// Compact index of each type id that can stand last, and back.
    last_index: Vec<u16>,
    last_types: Vec<u16>,
    /// Prefix keys, sorted; row i of `multiplicity` belongs to prefix i.
    prefixes: Vec<u64>,
    prefix_row: HashMap<u64, usize, FastHash>,
    /// Element sets per (prefix, tied, last type): `[row][tied][last]`,
    /// flattened. u32: at most C(103, 4) = 4.4 million sets, and with a
    /// custom set of 103 distinct state lists this table is ~150 MB as u32.
    multiplicity: Vec<u32>,
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
    /// Under mixed valence only (0 and false otherwise, so the paper's
    /// signatures are not split): the length of the element's whole state
    /// list, which SMACT's expansion limit multiplies, and whether its atoms
    /// may take different states.
    list_len: u8,
    mixed: bool,
}

/// The charge magnitudes a position of one type adds at factor w, as a
/// cation (`[0]`) or an anion (`[1]`), indexed by w - 1: w x state, or under
/// mixed valence every sum of w states of that sign or 0 with at least one
/// of that sign (an element's atoms may differ, but never be both cation
/// and anion: equal electronegativities fail the test).
struct TypeSums {
    single: [Vec<Vec<u16>>; 2],
    /// The same as `single` unless the type is mixed.
    expanded: [Vec<Vec<u16>>; 2],
}

impl TypeSums {
    fn new(t: &PositionType, threshold: usize) -> TypeSums {
        let single = |states: &[u8]| -> Vec<Vec<u16>> {
            (1..=threshold)
                .map(|w| states.iter().map(|&q| (w * q as usize) as u16).collect())
                .collect()
        };
        let expanded = |states: &[u8]| -> Vec<Vec<u16>> {
            if !t.mixed {
                return single(states);
            }
            // Sums of k states or zeros, k = 0, 1, ...; at factor w, one state
            // of the role plus w - 1 more.
            let mut with_zero: Vec<u16> = states.iter().map(|&q| u16::from(q)).collect();
            if t.zero {
                with_zero.push(0);
            }
            let mut any = vec![0u16];
            let mut out = Vec::with_capacity(threshold);
            for _ in 1..=threshold {
                let mut at_w: Vec<u16> = states
                    .iter()
                    .flat_map(|&q| any.iter().map(move |&s| s + u16::from(q)))
                    .collect();
                at_w.sort_unstable();
                at_w.dedup();
                out.push(at_w);
                let mut next: Vec<u16> = with_zero
                    .iter()
                    .flat_map(|&q| any.iter().map(move |&s| s + q))
                    .collect();
                next.sort_unstable();
                next.dedup();
                any = next;
            }
            out
        };
        TypeSums {
            single: [single(&t.cation), single(&t.anion)],
            expanded: [expanded(&t.cation), expanded(&t.anion)],
        }
    }

    fn of(&self, expand: bool, role: Role, w: usize) -> &[u16] {
        let sums = if expand { &self.expanded } else { &self.single };
        match role {
            Role::Cation => &sums[0][w - 1],
            Role::Anion => &sums[1][w - 1],
            Role::Neutral => &[0],
        }
    }
}

const FIRST: usize = 0;
const MIDDLE: usize = 1;
const LAST: usize = 2;
const ONLY: usize = 3;
const ID_BITS: u32 = 12;
const NO_SLOT: u16 = u16::MAX;

/// (prefix key, last ties with the one before, last type id).
type SplitKey = (u64, bool, u16);

/// What [`SignatureTable::walk`] reports.
enum Visit<'a> {
    /// The sets made of `prefix` and any eligible element from index
    /// `first_last` on: each is strictly more electronegative than the prefix,
    /// so all share the prefix key.
    Bulk {
        prefix: &'a [usize],
        prefix_key: u64,
        first_last: usize,
    },
    /// One set whose last element ties with the one before.
    Single { set: &'a [usize], key: SplitKey },
}

impl SignatureTable {
    /// Groups every n-element set of eligible elements by signature. Of the
    /// options, only mixed valence changes signatures; alloys are added by
    /// [`allowed_in_pool`].
    pub fn new(
        order: usize,
        ox: &OxidationStates,
        threshold: u32,
        options: &FilterOptions,
    ) -> SignatureTable {
        SignatureTable::for_pool(order, ox, threshold, options, Element::all())
    }

    /// As [`SignatureTable::new`] for the n-element subsets of `pool` only.
    ///
    /// # Panics
    /// Unless `order` is 2..=4 and `threshold` 1..=[`MAX_STOICH_LIMIT`]
    /// ([`count_space`] and [`element_frequencies`] check them first).
    pub fn for_pool(
        order: usize,
        ox: &OxidationStates,
        threshold: u32,
        options: &FilterOptions,
        pool: impl Iterator<Item = Element>,
    ) -> SignatureTable {
        check(order, threshold).expect("order 2..=4, threshold 1..=MAX_STOICH_LIMIT");
        let mut elements: Vec<Element> = pool
            .filter(|&e| e.pauling_eneg().is_some() && !ox.of(e).is_empty())
            .collect();
        elements.sort_by(|a, b| {
            let (x, y) = (
                a.pauling_eneg().unwrap_or(0.0),
                b.pauling_eneg().unwrap_or(0.0),
            );
            x.total_cmp(&y).then(a.cmp(b))
        });
        let enegs: Vec<f64> = elements
            .iter()
            .map(|e| e.pauling_eneg().unwrap_or(0.0))
            .collect();
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
                let mut cation: Vec<u8> = states
                    .iter()
                    .filter(|&&q| q > 0)
                    .map(|&q| q as u8)
                    .collect();
                let mut anion: Vec<u8> = states
                    .iter()
                    .filter(|&&q| q < 0)
                    .map(|&q| q.unsigned_abs())
                    .collect();
                cation.sort_unstable();
                anion.sort_unstable();
                let zero = states.contains(&0);
                let (list_len, mixed) = if options.mixed_valence {
                    (states.len() as u8, is_mixed_valence_element(e))
                } else {
                    (0, false)
                };
                let typed = |cation: &[u8], anion: &[u8]| PositionType {
                    cation: cation.to_vec(),
                    anion: anion.to_vec(),
                    zero,
                    list_len,
                    mixed,
                };
                [
                    intern(typed(&cation, &[])),
                    intern(typed(&cation, &anion)),
                    intern(typed(&[], &anion)),
                    intern(typed(&[], &[])),
                ]
            })
            .collect();
        assert!(
            types.len() < (1 << ID_BITS),
            "too many distinct oxidation-state lists"
        );
        let mut last_index = vec![NO_SLOT; types.len()];
        let mut last_types = Vec::new();
        for id in ids.iter().flat_map(|i| [i[LAST], i[ONLY]]) {
            if last_index[id as usize] == NO_SLOT {
                last_index[id as usize] = last_types.len() as u16;
                last_types.push(id);
            }
        }
        let sums = types
            .iter()
            .map(|t| TypeSums::new(t, threshold as usize))
            .collect();
        let mut table = SignatureTable {
            order,
            threshold,
            elements,
            enegs,
            types,
            sums,
            ids,
            last_index,
            last_types,
            prefixes: Vec::new(),
            prefix_row: HashMap::default(),
            multiplicity: Vec::new(),
        };
        table.group_sets();
        table
    }

    fn lasts(&self) -> usize {
        self.last_types.len()
    }

    /// Fills `prefixes` and `multiplicity` by walking every element set.
    fn group_sets(&mut self) {
        let l = self.lasts();
        let suffix = self.suffix_histograms();
        let mut rows: HashMap<u64, Vec<u32>, FastHash> = HashMap::default();
        self.walk(&mut |visit| match visit {
            Visit::Bulk {
                prefix_key,
                first_last,
                ..
            } => {
                let row = rows.entry(prefix_key).or_insert_with(|| vec![0; 2 * l]);
                let counts = &suffix[first_last * l..(first_last + 1) * l];
                row[..l].iter_mut().zip(counts).for_each(|(r, s)| *r += s);
            }
            Visit::Single {
                key: (prefix_key, tied, last),
                ..
            } => {
                let row = rows.entry(prefix_key).or_insert_with(|| vec![0; 2 * l]);
                row[usize::from(tied) * l + self.last_index[last as usize] as usize] += 1;
            }
        });
        let mut prefixes: Vec<u64> = rows.keys().copied().collect();
        prefixes.sort_unstable();
        // Rows are moved out one by one so the table is never held twice.
        let mut multiplicity = Vec::with_capacity(prefixes.len() * 2 * l);
        for p in &prefixes {
            multiplicity.extend(rows.remove(p).unwrap_or_default());
        }
        self.multiplicity = multiplicity;
        self.prefix_row = prefixes.iter().enumerate().map(|(i, &p)| (p, i)).collect();
        self.prefixes = prefixes;
    }

    /// `[m][last]`: eligible elements from index m on, by last-position type
    /// (each alone in the highest tie group).
    fn suffix_histograms(&self) -> Vec<u32> {
        let (n, l) = (self.elements.len(), self.lasts());
        let mut h = vec![0u32; (n + 1) * l];
        for m in (0..n).rev() {
            let (head, tail) = h.split_at_mut((m + 1) * l);
            head[m * l..].copy_from_slice(&tail[..l]);
            head[m * l + self.last_index[self.ids[m][LAST] as usize] as usize] += 1;
        }
        h
    }

    /// Visits every element set once (see [`Visit`]).
    fn walk(&self, visit: &mut dyn FnMut(Visit)) {
        let n = self.elements.len();
        let mut set = vec![0usize; self.order];
        let k = self.order - 1;
        for_each_combination(n, k, &mut set[..k], &mut |prefix| {
            let top = prefix[k - 1];
            let m = (top + 1..n)
                .find(|&i| self.enegs[i] > self.enegs[top])
                .unwrap_or(n);
            let mut full = [0usize; 4];
            full[..k].copy_from_slice(prefix);
            if m < n {
                full[k] = m;
                visit(Visit::Bulk {
                    prefix: &full[..k],
                    prefix_key: self.split_key(&full[..=k]).0,
                    first_last: m,
                });
            }
            for last in top + 1..m {
                full[k] = last;
                visit(Visit::Single {
                    set: &full[..=k],
                    key: self.split_key(&full[..=k]),
                });
            }
        });
    }

    /// The signature of an element set (indices into the eligible list,
    /// increasing). Members of the lowest tie group can only be cations (or
    /// zero), of the highest only anions, so they are typed by those states
    /// alone; within a tie group order is irrelevant, so ids are sorted there.
    fn split_key(&self, set: &[usize]) -> SplitKey {
        let n = set.len();
        let tied = |i: usize| self.enegs[set[i]] == self.enegs[set[i - 1]];
        let first_group_end = (1..n).find(|&i| !tied(i)).unwrap_or(n);
        let last_group_start = (1..n).rev().find(|&i| !tied(i)).unwrap_or(0);
        let mut typed = [0u16; 4];
        for (i, &e) in set.iter().enumerate() {
            let role = if first_group_end == n {
                ONLY
            } else if i < first_group_end {
                FIRST
            } else if i >= last_group_start {
                LAST
            } else {
                MIDDLE
            };
            typed[i] = self.ids[e][role];
        }
        let mut start = 0;
        for i in 1..=n {
            if i == n || !tied(i) {
                typed[start..i].sort_unstable();
                start = i;
            }
        }
        let mut prefix = 0u64;
        for &t in &typed[..n - 1] {
            prefix = prefix << ID_BITS | u64::from(t);
        }
        for i in 1..n - 1 {
            prefix = prefix << 1 | u64::from(tied(i));
        }
        (prefix, tied(n - 1), typed[n - 1])
    }

    /// Number of (prefix, last) signatures with at least one element set.
    pub fn signature_count(&self) -> usize {
        self.multiplicity.iter().filter(|&&m| m > 0).count()
    }

    /// Number of element sets the signatures stand for.
    pub fn element_set_count(&self) -> u64 {
        self.multiplicity.iter().map(|&m| u64::from(m)).sum()
    }

    /// Allowed compositions summed over every element set of the table.
    pub fn allowed_total(&self, progress: &mut dyn FnMut(f64) -> bool) -> Option<u64> {
        let mut total = 0u64;
        self.allowed_per_signature(progress, &mut |slot, allowed| {
            total += u64::from(self.multiplicity[slot]) * allowed;
        })?;
        Some(total)
    }

    /// Calls `record(slot, allowed compositions)` for each entry of
    /// `multiplicity` with element sets. `progress` gets the fraction done and
    /// returns false to cancel (then `None`).
    fn allowed_per_signature(
        &self,
        progress: &mut dyn FnMut(f64) -> bool,
        record: &mut dyn FnMut(usize, u64),
    ) -> Option<()> {
        let max_anion = self
            .types
            .iter()
            .flat_map(|t| t.anion.iter().copied())
            .max()
            .unwrap_or(0) as usize;
        // No anion side can total more than this, so larger cation totals never balance.
        let max_total = self.threshold as usize * (self.order - 1) * max_anion;
        match max_total / 64 + 1 {
            1 => self.solve::<1>(max_anion, progress, record),
            2 => self.solve::<2>(max_anion, progress, record),
            3 | 4 => self.solve::<4>(max_anion, progress, record),
            _ => self.solve::<8>(max_anion, progress, record),
        }
    }

    fn solve<const W: usize>(
        &self,
        max_anion: usize,
        progress: &mut dyn FnMut(f64) -> bool,
        record: &mut dyn FnMut(usize, u64),
    ) -> Option<()> {
        let l = self.lasts();
        let mut solver = PrefixSolver::<W>::new(
            self.order,
            self.threshold as usize,
            max_anion,
            &self.types,
            &self.sums,
        );
        for (row, &key) in self.prefixes.iter().enumerate() {
            if row % 256 == 0 && !progress(row as f64 / self.prefixes.len() as f64) {
                return None;
            }
            let prefix = self.decode_prefix(key);
            solver.load_prefix(&prefix);
            for tied in [false, true] {
                for (last, &id) in self.last_types.iter().enumerate() {
                    let slot = row * 2 * l + usize::from(tied) * l + last;
                    if self.multiplicity[slot] > 0 {
                        let p = prefix[self.order - 2];
                        let level = p.level + u8::from(!tied);
                        record(slot, solver.allowed_count(&p, id, level));
                    }
                }
            }
        }
        Some(())
    }

    fn decode_prefix(&self, key: u64) -> Vec<Position<'_>> {
        let k = self.order - 1;
        let ties = key & ((1 << (k - 1)) - 1);
        let mut level = 0u8;
        (0..k)
            .map(|i| {
                if i > 0 && ties & (1 << (k - 1 - i)) == 0 {
                    level += 1;
                }
                let id = (key >> (k - 1 + (k - 1 - i) * ID_BITS as usize)) & ((1 << ID_BITS) - 1);
                let t = &self.types[id as usize];
                Position {
                    id: id as u16,
                    cation: &t.cation,
                    anion: &t.anion,
                    zero: t.zero,
                    level,
                }
            })
            .collect()
    }
}

/// Calls `f` with every k-subset of 0..n, increasing.
fn for_each_combination(n: usize, k: usize, set: &mut [usize], f: &mut dyn FnMut(&[usize])) {
    fn go(
        n: usize,
        k: usize,
        depth: usize,
        start: usize,
        set: &mut [usize],
        f: &mut dyn FnMut(&[usize]),
    ) {
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

/// One position of a decoded prefix.
#[derive(Clone, Copy, PartialEq)]
struct Position<'a> {
    id: u16,
    cation: &'a [u8],
    anion: &'a [u8],
    zero: bool,
    /// Electronegativity rank: equal levels tie.
    level: u8,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Role {
    Cation,
    Anion,
    Neutral,
}

impl Role {
    const ALL: [Role; 3] = [Role::Cation, Role::Anion, Role::Neutral];

    fn possible(self, cation: &[u8], anion: &[u8], zero: bool) -> bool {
        match self {
            Role::Cation => !cation.is_empty(),
            Role::Anion => !anion.is_empty(),
            Role::Neutral => zero,
        }
    }
}

/// Roles for the *stem* (all positions but the last two) that `pauling_test`
/// can pass (cations strictly below anions in electronegativity), with the
/// cation-minus-anion charge totals each stem ratio can reach.
struct StemPattern {
    top_cation_level: Option<u8>,
    has_anion: bool,
    /// `[total][stem word]`: bit r set when stem ratio r can reach this total
    /// (negative totals are dropped: a stem with anions is followed by anions
    /// or neutral positions only, which never raise the total).
    stems_by_total: Vec<u64>,
}

/// (p type id, p role, l type id, l role, mixed valence expanded).
type PairRoles = (u16, Role, u16, Role, bool);

/// Counts allowed ratios for signatures sharing a prefix. A signature is a
/// stem, then position `p` (the last of the prefix), then the last position
/// `l`. Ratios are allowed when stem total s, p's charge and l's charge
/// cancel; for each pair of factors (w_p, w_l) the stem totals that cancel
/// them depend only on p's and l's states, so they are listed once per pair of
/// types and each signature costs a few hundred word operations.
///
/// Under mixed valence a signature with a mixed-valence position is solved
/// twice, with its atoms free to differ (`expand`) and not, and each ratio
/// takes the first answer where SMACT's expansion stays within its limit
/// and the second where SMACT gives up on it (a mask per combination of
/// list lengths).
struct PrefixSolver<'a, const W: usize> {
    t: usize,
    stem_len: usize,
    stem_words: usize,
    max_total: usize,
    types: &'a [PositionType],
    sums: &'a [TypeSums],
    /// `[(w_p - 1) * t + (w_l - 1)][stem word]`: stem ratios coprime with (w_p, w_l).
    coprime: Vec<u64>,
    all_coprime: u64,
    stem: Vec<Position<'a>>,
    /// Per `expand` (false, true): the stem's patterns, made when first needed.
    stem_patterns: [Option<Vec<StemPattern>>; 2],
    stem_all_neutral: bool,
    stem_mixed: bool,
    /// Stem totals needed by each (w_p, w_l), per [`PairRoles`]: an index
    /// into `needed_lists`.
    needed: HashMap<PairRoles, usize, FastHash>,
    needed_lists: Vec<Vec<(u16, u16)>>,
    /// Ratios (laid out as `columns`) within SMACT's mixed-valence limit,
    /// per (list length, mixed) of each position: an index into `masks`, or
    /// `None` when all are.
    limit_masks: HashMap<Vec<(u8, bool)>, Option<usize>>,
    masks: Vec<Vec<u64>>,
    columns: Vec<u64>,
}

impl<'a, const W: usize> PrefixSolver<'a, W> {
    fn new(
        order: usize,
        t: usize,
        max_anion: usize,
        types: &'a [PositionType],
        sums: &'a [TypeSums],
    ) -> Self {
        let stem_len = order - 2;
        let stem_words = t.pow(stem_len as u32).div_ceil(64);
        let mut coprime = vec![0u64; t * t * stem_words];
        for ratio in coprime_tuples(order, t as u32) {
            let r = ratio[..stem_len]
                .iter()
                .fold(0usize, |acc, &w| acc * t + (w as usize - 1));
            let column = (ratio[stem_len] as usize - 1) * t + ratio[stem_len + 1] as usize - 1;
            coprime[column * stem_words + r / 64] |= 1 << (r % 64);
        }
        PrefixSolver {
            t,
            stem_len,
            stem_words,
            max_total: t * (order - 1) * max_anion,
            types,
            sums,
            coprime,
            all_coprime: coprime_tuple_count(order, t as u32),
            stem: Vec::new(),
            stem_patterns: [None, None],
            stem_all_neutral: false,
            stem_mixed: false,
            needed: HashMap::default(),
            needed_lists: Vec::new(),
            limit_masks: HashMap::new(),
            masks: Vec::new(),
            columns: vec![0; t * t * stem_words],
        }
    }

    /// Takes the prefix's stem, dropping its patterns unless it is the same stem as the last one.
    fn load_prefix(&mut self, prefix: &[Position<'a>]) {
        let stem = &prefix[..self.stem_len];
        let same = self.stem.len() == stem.len()
            && self
                .stem
                .iter()
                .zip(stem)
                .all(|(a, b)| (a.id, a.level) == (b.id, b.level));
        if same && !self.stem.is_empty() {
            return;
        }
        self.stem = stem.to_vec();
        self.stem_patterns = [None, None];
        self.stem_all_neutral = stem.iter().all(|p| p.zero);
        self.stem_mixed = stem.iter().any(|p| self.types[p.id as usize].mixed);
    }

    /// Makes the stem's role patterns that can pass, with the totals each
    /// reaches, and says where they are in `stem_patterns`.
    fn load_stem_patterns(&mut self, expand: bool) -> usize {
        // Without a mixed-valence position the two are the same.
        let expand = expand && self.stem_mixed;
        if self.stem_patterns[usize::from(expand)].is_none() {
            let stem = self.stem.clone();
            let mut patterns = Vec::new();
            let mut roles = vec![Role::Cation; self.stem_len];
            for pattern in 0..3usize.pow(self.stem_len as u32) {
                for (i, role) in roles.iter_mut().enumerate() {
                    *role = Role::ALL[pattern / 3usize.pow(i as u32) % 3];
                }
                if !stem
                    .iter()
                    .zip(&roles)
                    .all(|(p, r)| r.possible(p.cation, p.anion, p.zero))
                {
                    continue;
                }
                let levels = |want: Role| {
                    stem.iter()
                        .zip(&roles)
                        .filter(move |(_, r)| **r == want)
                        .map(|(p, _)| p.level)
                };
                let (top_cation, bottom_anion) =
                    (levels(Role::Cation).max(), levels(Role::Anion).min());
                if matches!((top_cation, bottom_anion), (Some(c), Some(a)) if c >= a) {
                    continue;
                }
                let mut stems_by_total = vec![0u64; (self.max_total + 1) * self.stem_words];
                let mut start = [0u64; W];
                start[0] = 1;
                self.reach(&stem, &roles, expand, 0, 0, &start, &mut stems_by_total);
                patterns.push(StemPattern {
                    top_cation_level: top_cation,
                    has_anion: bottom_anion.is_some(),
                    stems_by_total,
                });
            }
            self.stem_patterns[usize::from(expand)] = Some(patterns);
        }
        usize::from(expand)
    }

    /// Depth-first over stem factors, carrying the set of reachable totals.
    #[allow(clippy::too_many_arguments)]
    fn reach(
        &self,
        stem: &[Position],
        roles: &[Role],
        expand: bool,
        depth: usize,
        r: usize,
        totals: &[u64; W],
        out: &mut [u64],
    ) {
        if depth == self.stem_len {
            for (word, &bits) in totals.iter().enumerate() {
                let mut bits = bits;
                while bits != 0 {
                    let s = word * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    out[s * self.stem_words + r / 64] |= 1 << (r % 64);
                }
            }
            return;
        }
        let p = &stem[depth];
        let sums = &self.sums[p.id as usize];
        for w in 1..=self.t {
            let mut next = [0u64; W];
            let role = roles[depth];
            match role {
                Role::Cation => {
                    for &q in sums.of(expand, role, w) {
                        shl_or(&mut next, totals, q as usize);
                    }
                    truncate(&mut next, self.max_total);
                }
                Role::Anion => {
                    for &a in sums.of(expand, role, w) {
                        shr_or(&mut next, totals, a as usize);
                    }
                }
                Role::Neutral => next = *totals,
            }
            if next.iter().any(|&b| b != 0) {
                self.reach(
                    stem,
                    roles,
                    expand,
                    depth + 1,
                    r * self.t + w - 1,
                    &next,
                    out,
                );
            }
        }
    }

    /// The (column, stem total) pairs that balance p and l in these roles:
    /// stem total + p's contribution = l's contribution.
    fn needed_totals(&mut self, key: PairRoles) -> usize {
        let (t, max_total) = (self.t, self.max_total as i64);
        let (p_id, p_role, l_id, l_role, expand) = key;
        let (p_sums, l_sums) = (&self.sums[p_id as usize], &self.sums[l_id as usize]);
        let lists = &mut self.needed_lists;
        *self.needed.entry(key).or_insert_with(|| {
            let sign = if p_role == Role::Anion { -1 } else { 1 };
            let mut out = Vec::new();
            for wp in 1..=t {
                for wl in 1..=t {
                    let column = ((wp - 1) * t + wl - 1) as u16;
                    for &qp in p_sums.of(expand, p_role, wp) {
                        for &ql in l_sums.of(expand, l_role, wl) {
                            let s = i64::from(ql) - sign * i64::from(qp);
                            if (0..=max_total).contains(&s) {
                                out.push((column, s as u16));
                            }
                        }
                    }
                }
            }
            out.sort_unstable();
            out.dedup();
            lists.push(out);
            lists.len() - 1
        })
    }

    /// The ratios (bits laid out as `columns`) whose mixed-valence expansion
    /// SMACT would try, for a stem (loaded), `p` and last type `l_id`; `None`
    /// when it would try them all.
    fn within_limit(&mut self, p: &Position, l_id: u16) -> Option<usize> {
        let key: Vec<(u8, bool)> = self
            .stem
            .iter()
            .map(|s| s.id)
            .chain([p.id, l_id])
            .map(|id| {
                let t = &self.types[id as usize];
                (t.list_len, t.mixed)
            })
            .collect();
        let (t, sw, stem_len) = (self.t, self.stem_words, self.stem_len);
        let masks = &mut self.masks;
        *self.limit_masks.entry(key).or_insert_with_key(|key| {
            // SMACT's projection: list lengths multiplied, a mixed-valence
            // element's raised to its factor.
            let factor = |(len, mixed): (u8, bool), w: usize| -> u64 {
                if mixed {
                    (0..w).fold(1u64, |f, _| f.saturating_mul(u64::from(len)))
                } else {
                    u64::from(len)
                }
            };
            let stems = t.pow(stem_len as u32);
            let stem_factor: Vec<u64> = (0..stems)
                .map(|r| {
                    (0..stem_len).fold(1u64, |f, i| {
                        let w = r / t.pow((stem_len - 1 - i) as u32) % t + 1;
                        f.saturating_mul(factor(key[i], w))
                    })
                })
                .collect();
            let mut mask = vec![0u64; t * t * sw];
            let mut all = true;
            for wp in 1..=t {
                for wl in 1..=t {
                    let column = (wp - 1) * t + wl - 1;
                    let pl =
                        factor(key[stem_len], wp).saturating_mul(factor(key[stem_len + 1], wl));
                    for (r, &f) in stem_factor.iter().enumerate() {
                        if f.saturating_mul(pl) <= MAX_MIXED_VALENCE_COMBOS {
                            mask[column * sw + r / 64] |= 1 << (r % 64);
                        } else {
                            all = false;
                        }
                    }
                }
            }
            if all {
                return None;
            }
            masks.push(mask);
            Some(masks.len() - 1)
        })
    }

    /// Ratios allowed by some role pattern (bits laid out as `columns`).
    fn fill_columns(&mut self, p: &Position, l_id: u16, level: u8, expand: bool) -> Vec<u64> {
        let l = &self.types[l_id as usize];
        let (l_anion, l_zero) = (!l.anion.is_empty(), l.zero);
        let sw = self.stem_words;
        // The buffer is reused; the two passes under mixed valence take two.
        let mut columns = std::mem::take(&mut self.columns);
        columns.clear();
        columns.resize(self.t * self.t * sw, 0);
        let k = self.load_stem_patterns(expand);
        let patterns = self.stem_patterns[k].as_ref().map_or(0, Vec::len);
        for si in 0..patterns {
            let (stem_top_cation, stem_has_anion) = self.stem_patterns[k]
                .as_ref()
                .map(|p| (p[si].top_cation_level, p[si].has_anion))
                .unwrap_or_default();
            for p_role in Role::ALL {
                let allowed_here = p_role.possible(p.cation, p.anion, p.zero)
                    && match p_role {
                        // A cation after the stem's anions would be more electronegative than them.
                        Role::Cation => !stem_has_anion,
                        Role::Anion => stem_top_cation.is_none_or(|c| c < p.level),
                        Role::Neutral => true,
                    };
                if !allowed_here {
                    continue;
                }
                let top_cation = if p_role == Role::Cation {
                    Some(p.level)
                } else {
                    stem_top_cation
                };
                let has_anion = stem_has_anion || p_role == Role::Anion;
                for l_role in [Role::Anion, Role::Neutral] {
                    let valid = top_cation.is_some()
                        && match l_role {
                            Role::Anion => l_anion && top_cation.is_some_and(|c| c < level),
                            _ => l_zero && has_anion,
                        };
                    if !valid {
                        continue;
                    }
                    let needed = self.needed_totals((p.id, p_role, l_id, l_role, expand));
                    let Some(patterns) = &self.stem_patterns[k] else {
                        continue;
                    };
                    let stems = &patterns[si].stems_by_total;
                    for &(column, total) in &self.needed_lists[needed] {
                        let (c, s) = (column as usize * sw, total as usize * sw);
                        for i in 0..sw {
                            columns[c + i] |= stems[s + i];
                        }
                    }
                }
            }
        }
        columns
    }

    /// Allowed ratios of a prefix (`p` = its last position, stem loaded)
    /// followed by a last position of type `l_id` at electronegativity `level`.
    fn allowed_count(&mut self, p: &Position, l_id: u16, level: u8) -> u64 {
        let l = &self.types[l_id as usize];
        if self.stem_all_neutral && p.zero && l.zero {
            return self.all_coprime;
        }
        let mixed = self.stem_mixed || self.types[p.id as usize].mixed || l.mixed;
        let columns = self.fill_columns(p, l_id, level, mixed);
        let count = if !mixed || self.within_limit(p, l_id).is_none() {
            columns
                .iter()
                .zip(&self.coprime)
                .map(|(c, m)| u64::from((c & m).count_ones()))
                .sum()
        } else {
            // Where SMACT gives up on the expansion, one state per element.
            let expanded = columns;
            let single = self.fill_columns(p, l_id, level, false);
            let within = match self.within_limit(p, l_id) {
                Some(i) => &self.masks[i],
                None => &expanded,
            };
            let count = expanded
                .iter()
                .zip(&single)
                .zip(within)
                .zip(&self.coprime)
                .map(|(((e, s), k), m)| u64::from((((e & k) | (s & !k)) & m).count_ones()))
                .sum();
            self.columns = single;
            return count;
        };
        self.columns = columns;
        count
    }
}

/// `dst |= src << shift` over W-word little-endian bitsets.
fn shl_or<const W: usize>(dst: &mut [u64; W], src: &[u64; W], shift: usize) {
    let (words, bits) = (shift / 64, shift % 64);
    for i in (words..W).rev() {
        let mut v = src[i - words] << bits;
        if bits > 0 && i > words {
            v |= src[i - words - 1] >> (64 - bits);
        }
        dst[i] |= v;
    }
}

/// `dst |= src >> shift` over W-word little-endian bitsets.
fn shr_or<const W: usize>(dst: &mut [u64; W], src: &[u64; W], shift: usize) {
    let (words, bits) = (shift / 64, shift % 64);
    for i in 0..W.saturating_sub(words) {
        let mut v = src[i + words] >> bits;
        if bits > 0 && i + words + 1 < W {
            v |= src[i + words + 1] << (64 - bits);
        }
        dst[i] |= v;
    }
}

/// Clears bits above `max`.
fn truncate<const W: usize>(x: &mut [u64; W], max: usize) {
    for (i, word) in x.iter_mut().enumerate() {
        let lo = i * 64;
        if lo > max {
            *word = 0;
        } else if max - lo < 63 {
            *word &= (1u64 << (max - lo + 1)) - 1;
        }
    }
}

/// A fast, deterministic hasher for u64 keys.
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
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

/// Allowed compositions of `order` elements of `pool` under `options`: the
/// signature count, plus, with include_alloys, the all-metal compositions it
/// does not already allow (counted, not listed: each metal set has every
/// coprime ratio). `None` when `progress` cancels.
///
/// # Panics
/// Unless `order` is 2..=4 and `threshold` 1..=[`MAX_STOICH_LIMIT`].
pub fn allowed_in_pool(
    order: usize,
    ox: &OxidationStates,
    threshold: u32,
    options: &FilterOptions,
    pool: &[Element],
    progress: &mut dyn FnMut(f64) -> bool,
) -> Option<u64> {
    let table = SignatureTable::for_pool(order, ox, threshold, options, pool.iter().copied());
    let mut allowed = table.allowed_total(progress)?;
    if options.include_alloys {
        let metals: Vec<Element> = pool.iter().copied().filter(|&e| is_metal(e)).collect();
        let all_metal = unique_compositions(metals.len() as u64, order, threshold);
        let already = SignatureTable::for_pool(order, ox, threshold, options, metals.into_iter())
            .allowed_total(&mut |_| true)?;
        allowed += all_metal - already;
    }
    Some(allowed)
}

/// Table 2 for one order. `progress` gets the fraction done and returns false
/// to cancel.
pub fn count_space(
    order: usize,
    ox: &OxidationStates,
    threshold: u32,
    options: &FilterOptions,
    known: &KnownSet,
    progress: &mut dyn FnMut(f64) -> bool,
) -> Result<Counts, CountError> {
    check(order, threshold)?;
    let pool: Vec<Element> = Element::all().collect();
    let allowed = allowed_in_pool(order, ox, threshold, options, &pool, progress)
        .ok_or(CountError::Cancelled)?;
    let (mut standard, mut interesting) = (0, 0);
    for c in known.compositions_within(order, threshold) {
        if is_allowed(&c, ox, threshold, options) {
            standard += 1;
        } else {
            interesting += 1;
        }
    }
    let unique = unique_compositions(crate::data::ELEMENT_COUNT as u64, order, threshold);
    progress(1.0);
    Ok(Counts {
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
pub fn element_frequencies(
    order: usize,
    ox: &OxidationStates,
    threshold: u32,
    options: &FilterOptions,
) -> Result<Vec<u64>, CountError> {
    check(order, threshold)?;
    let mut freq = SignatureTable::new(order, ox, threshold, options).frequencies();
    if options.include_alloys {
        // Every composition of metals only is allowed: add those the filter
        // did not already count.
        let metals: Vec<Element> = Element::all().filter(|&e| is_metal(e)).collect();
        let per_metal = binomial(metals.len() as u64 - 1, order as u64 - 1)
            * coprime_tuple_count(order, threshold);
        let already =
            SignatureTable::for_pool(order, ox, threshold, options, metals.iter().copied())
                .frequencies();
        for e in metals {
            freq[e.index()] += per_metal - already[e.index()];
        }
    }
    Ok(freq)
}

impl SignatureTable {
    /// For each element H..Lr, the allowed compositions of the table's sets
    /// that contain it.
    fn frequencies(&self) -> Vec<u64> {
        // u32: a signature allows at most 16^4 ratios.
        let mut allowed = vec![0u32; self.multiplicity.len()];
        self.allowed_per_signature(&mut |_| true, &mut |slot, count| {
            allowed[slot] = count as u32
        });
        let l = self.lasts();
        let slot = |(key, tied, id): SplitKey| {
            self.prefix_row[&key] * 2 * l
                + usize::from(tied) * l
                + self.last_index[id as usize] as usize
        };
        let mut freq = vec![0u64; crate::data::ELEMENT_COUNT];
        self.walk(&mut |visit| match visit {
            Visit::Bulk {
                prefix,
                prefix_key,
                first_last,
            } => {
                let mut prefix_total = 0;
                for last in first_last..self.elements.len() {
                    let count = u64::from(allowed[slot((prefix_key, false, self.ids[last][LAST]))]);
                    prefix_total += count;
                    freq[self.elements[last].index()] += count;
                }
                for &i in prefix {
                    freq[self.elements[i].index()] += prefix_total;
                }
            }
            Visit::Single { set, key } => {
                let count = u64::from(allowed[slot(key)]);
                for &i in set {
                    freq[self.elements[i].index()] += count;
                }
            }
        });
        freq
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{KnownSource, OxidationSet, OxidationStates};

    const MIXED_ALLOYS: FilterOptions = FilterOptions {
        mixed_valence: true,
        include_alloys: true,
        icsd24: None,
    };

    /// With the options, the count equals [`is_allowed`] (itself checked
    /// against the smact_validity port and the real SMACT) ratio by ratio on
    /// every element set of pools with mixed-valence elements (many states:
    /// Fe, Mn, Sb), metals without states in some sets, ties (Ru, Os), zero
    /// states (wiki) and SMACT's expansion limit in play (Fe7O8 is past it
    /// with smact14).
    #[test]
    fn options_agree_with_smact_validity_set_by_set() {
        let pool: Vec<Element> = [
            "Fe", "O", "Mn", "Cu", "Zn", "Sb", "S", "Ru", "Os", "Li", "Pb", "Cl", "Tc", "He",
        ]
        .iter()
        .map(|s| Element::from_symbol(s).unwrap())
        .collect();
        let options = [
            FilterOptions {
                mixed_valence: true,
                ..FilterOptions::PAPER
            },
            FilterOptions {
                include_alloys: true,
                ..FilterOptions::PAPER
            },
            MIXED_ALLOYS,
        ];
        for set in OxidationSet::ALL {
            let ox = set.states();
            for (order, threshold, size) in
                [(2, 8, 14), (3, 5, 10), (3, 8, 8), (4, 4, 8), (4, 8, 5)]
            {
                let pool = &pool[..size];
                for o in &options {
                    let mut expected = 0u64;
                    let mut subset = vec![0usize; order];
                    let ratios = coprime_tuples(order, threshold);
                    for_each_combination(pool.len(), order, &mut subset, &mut |s| {
                        for ratio in &ratios {
                            let c = crate::chem::Composition::new(
                                s.iter().map(|&i| pool[i]).zip(ratio.iter().copied()),
                            )
                            .unwrap();
                            expected += u64::from(is_allowed(&c, ox, threshold, o));
                        }
                    });
                    let got = allowed_in_pool(order, ox, threshold, o, pool, &mut |_| true);
                    assert_eq!(
                        got,
                        Some(expected),
                        "{set} order {order} threshold {threshold} {o:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn binary_counts_match_the_paper() {
        // SPEC section 3: 13,464 of 225,879 binaries allowed with smact14.
        let mp = KnownSource::MaterialsProject.embedded().unwrap();
        let c = count_space(
            2,
            OxidationSet::Smact14.states(),
            8,
            &FilterOptions::PAPER,
            mp,
            &mut |_| true,
        )
        .unwrap();
        assert_eq!(c.unique, 225_879);
        assert_eq!(c.allowed, 13_464);
        assert_eq!(c.standard + c.missing, c.allowed);
        assert_eq!(
            c.standard + c.missing + c.interesting + c.unlikely,
            c.unique
        );
    }

    /// The signature count equals smact_filter run on every element set of a
    /// pool chosen to include ties, elements without electronegativity or
    /// states, zero states (wiki) and several thresholds.
    #[test]
    fn signatures_agree_with_smact_filter_set_by_set() {
        let pool: Vec<Element> = [
            "H", "Li", "B", "C", "N", "O", "F", "Si", "S", "Cl", "Fe", "Co", "Sn", "I", "He", "Ru",
            "Os", "Pt", "Au",
        ]
        .iter()
        .map(|s| Element::from_symbol(s).unwrap())
        .collect();
        for set in OxidationSet::ALL {
            let ox = set.states();
            for (order, threshold, size) in
                [(2, 8, 19), (3, 8, 10), (3, 5, 16), (4, 4, 10), (4, 7, 7)]
            {
                let pool = &pool[..size];
                let mut expected = 0u64;
                let mut subset = vec![0usize; order];
                for_each_combination(pool.len(), order, &mut subset, &mut |s| {
                    let els: Vec<Element> = s.iter().map(|&i| pool[i]).collect();
                    expected += crate::filter::allowed_compositions(
                        &els,
                        ox,
                        threshold,
                        &FilterOptions::PAPER,
                    )
                    .len() as u64;
                });
                let table = SignatureTable::for_pool(
                    order,
                    ox,
                    threshold,
                    &FilterOptions::PAPER,
                    pool.iter().copied(),
                );
                let got = table.allowed_total(&mut |_| true).unwrap();
                assert_eq!(
                    got, expected,
                    "{set} order {order} threshold {threshold} pool {size}"
                );
            }
        }
    }

    /// The bitset width is chosen from the largest anion charge and the
    /// limit: at -9 and 16 the totals reach 16 x 3 x 9 = 432 bits. Sets with
    /// every state out to +-9, in distinct lists so signatures differ, counted
    /// at the top limit against smact_filter set by set.
    #[test]
    fn widest_states_at_the_top_limit_agree_with_smact_filter() {
        let lists: [&str; 8] = [
            "-9 9 1", "9 -1", "-9 -4 2", "-8 9 3", "7 -9", "-9 0 5", "9 8 -2", "-3 -9 6",
        ];
        let pool: Vec<Element> = ["Li", "Fe", "O", "Cl", "Sn", "Ru", "Os", "Zn"]
            .iter()
            .map(|s| Element::from_symbol(s).unwrap())
            .collect();
        let text: String = pool
            .iter()
            .zip(lists)
            .map(|(e, l)| format!("{e} {l}\n"))
            .collect();
        let ox = OxidationStates::parse_smact_file("wide", &text).unwrap();
        for (order, size) in [(2, 8), (3, 8), (4, 5)] {
            let pool = &pool[..size];
            let mut expected = 0u64;
            let mut subset = vec![0usize; order];
            for_each_combination(pool.len(), order, &mut subset, &mut |s| {
                let els: Vec<Element> = s.iter().map(|&i| pool[i]).collect();
                expected +=
                    crate::filter::allowed_compositions(&els, &ox, 16, &FilterOptions::PAPER).len()
                        as u64;
            });
            let table = SignatureTable::for_pool(
                order,
                &ox,
                16,
                &FilterOptions::PAPER,
                pool.iter().copied(),
            );
            assert_eq!(
                table.allowed_total(&mut |_| true),
                Some(expected),
                "order {order}"
            );
            assert!(expected > 0);
        }
    }

    #[test]
    fn element_frequencies_add_up_to_order_times_allowed() {
        let (ox, none) = (OxidationSet::Icsd24.states(), KnownSet::empty());
        for order in [2, 3] {
            for options in [FilterOptions::PAPER, MIXED_ALLOYS] {
                let freq = element_frequencies(order, ox, 8, &options).unwrap();
                let counts = count_space(order, ox, 8, &options, &none, &mut |_| true).unwrap();
                assert_eq!(freq.iter().sum::<u64>(), order as u64 * counts.allowed);
            }
            let freq = element_frequencies(order, ox, 8, &FilterOptions::PAPER).unwrap();
            let (o, au) = (
                Element::from_symbol("O").unwrap(),
                Element::from_symbol("Au").unwrap(),
            );
            assert!(freq[o.index()] > freq[au.index()]);
            // Alloys: gold is in every composition of metals.
            let alloys = element_frequencies(order, ox, 8, &MIXED_ALLOYS).unwrap();
            assert!(alloys[au.index()] > freq[au.index()]);
        }
    }

    #[test]
    fn cancelling_stops_the_count() {
        let none = KnownSet::empty();
        assert_eq!(
            count_space(
                3,
                OxidationSet::Smact14.states(),
                8,
                &FilterOptions::PAPER,
                &none,
                &mut |_| false
            ),
            Err(CountError::Cancelled)
        );
    }

    #[test]
    fn settings_out_of_range_are_errors() {
        let (ox, none) = (OxidationSet::Smact14.states(), KnownSet::empty());
        for (order, threshold, want) in [
            (1, 8, CountError::Order(1)),
            (5, 8, CountError::Order(5)),
            (2, 0, CountError::Threshold(0)),
            (2, 17, CountError::Threshold(17)),
        ] {
            let paper = FilterOptions::PAPER;
            assert_eq!(
                count_space(order, ox, threshold, &paper, &none, &mut |_| true),
                Err(want)
            );
            assert_eq!(element_frequencies(order, ox, threshold, &paper), Err(want));
        }
        assert!(
            CountError::Threshold(17)
                .to_string()
                .contains("between 1 and 16")
        );
    }
}
