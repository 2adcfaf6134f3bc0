//! SMACT's chemical filter, exactly as `smact.screening.smact_filter(els,
//! threshold, oxidation_states_set=...)` in smact 4.0.2 (SPEC section 3):
//!
//! for every assignment of one oxidation state to each element (the Cartesian
//! product of their lists), the ratios with every factor <= threshold, gcd 1 and
//! zero total charge ([`neutral_ratios`]) are allowed if the assignment passes
//! the electronegativity test ([`pauling_test`]): every cation strictly less
//! electronegative than every anion. A composition is allowed when some
//! assignment makes it neutral and passes.
//!
//! On top of that, SMACT's newer `smact_validity` options ([`FilterOptions`]:
//! mixed valence, alloys, the ICSD24 filter's thresholds), off by default,
//! exactly as smact 4.0.2 implements them ([`options`] says what each does).
//!
//! [`smact_filter`] and [`smact_validity`] mirror SMACT one to one and are the
//! reference that [`is_allowed`] and the fast counting in [`crate::count`] are
//! tested against. [`plausibility`] ranks assignments for explanations.

pub mod options;
pub mod plausibility;
pub(crate) mod search;

use crate::chem::{Composition, Element, MAX_COMPOSITION_ELEMENTS, gcd};
use crate::data::OxidationStates;

pub use options::{
    FilterOptions, FilterOptionsError, MAX_MIXED_VALENCE_COMBOS, METALS, MIXED_VALENCE_ELEMENTS,
    is_metal, is_mixed_valence_element, mixed_valence_combinations,
};

/// SMACT's default stoichiometry threshold.
pub const DEFAULT_THRESHOLD: u32 = 8;

/// SMACT's `pauling_test` with default arguments (`eneg_states_test`): false if
/// any element lacks an electronegativity, or some cation (q > 0) is at least
/// as electronegative as some anion (q < 0). Zero states are compared with
/// nothing.
pub fn pauling_test(ox_states: &[i8], enegs: &[Option<f64>]) -> bool {
    first_pauling_violation(ox_states, enegs).is_none()
}

/// The first pair (in SMACT's `itertools.combinations` order) that fails
/// [`pauling_test`], as indices (i, j) with i < j.
pub fn first_pauling_violation(ox_states: &[i8], enegs: &[Option<f64>]) -> Option<(usize, usize)> {
    let n = ox_states.len();
    for i in 0..n {
        for j in i + 1..n {
            let (q1, q2) = (ox_states[i], ox_states[j]);
            let fails = match (enegs[i], enegs[j]) {
                (Some(e1), Some(e2)) => {
                    (q1 > 0 && q2 < 0 && e1 >= e2) || (q1 < 0 && q2 > 0 && e1 <= e2)
                }
                _ => true,
            };
            if fails {
                return Some((i, j));
            }
        }
    }
    None
}

/// SMACT's `neutral_ratios(oxidations, threshold=threshold)`: every tuple in
/// 1..=threshold (product order) with gcd 1 and total charge zero.
pub fn neutral_ratios(oxidations: &[i8], threshold: u32) -> Vec<Vec<u32>> {
    crate::enumerate::coprime_tuples(oxidations.len(), threshold)
        .into_iter()
        .filter(|r| charge(oxidations, r) == 0)
        .collect()
}

/// Total charge of `amounts` of species with `oxidations`.
pub fn charge(oxidations: &[i8], amounts: &[u32]) -> i64 {
    oxidations
        .iter()
        .zip(amounts)
        .map(|(&q, &a)| i64::from(q) * i64::from(a))
        .sum()
}

/// One line of `smact_filter`'s default output: (elements, oxidation states, ratio).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterResult {
    pub ox_states: Vec<i8>,
    pub ratio: Vec<u32>,
}

/// Every assignment of one state per element, in `itertools.product` order.
pub fn oxidation_assignments(lists: &[&[i8]]) -> Vec<Vec<i8>> {
    let mut out: Vec<Vec<i8>> = vec![Vec::new()];
    for list in lists {
        out = out
            .iter()
            .flat_map(|prefix| {
                list.iter()
                    .map(move |&q| [prefix.as_slice(), &[q]].concat())
            })
            .collect();
    }
    out
}

/// Pauling electronegativities of `elements`, as SMACT's `Element.pauling_eneg`.
pub fn electronegativities(elements: &[Element]) -> Vec<Option<f64>> {
    elements.iter().map(|e| e.pauling_eneg()).collect()
}

/// `smact_filter(els, threshold=threshold, oxidation_states_set=ox)`. SMACT
/// raises when an element has no states; here that element simply allows nothing.
pub fn smact_filter(
    elements: &[Element],
    ox: &OxidationStates,
    threshold: u32,
) -> Vec<FilterResult> {
    let lists: Vec<&[i8]> = elements.iter().map(|&e| ox.of(e)).collect();
    let enegs = electronegativities(elements);
    let mut out = Vec::new();
    if lists.iter().any(|l| l.is_empty()) {
        return out;
    }
    for ox_states in oxidation_assignments(&lists) {
        let ratios = neutral_ratios(&ox_states, threshold);
        if !ratios.is_empty() && pauling_test(&ox_states, &enegs) {
            out.extend(ratios.into_iter().map(|ratio| FilterResult {
                ox_states: ox_states.clone(),
                ratio,
            }));
        }
    }
    out
}

/// The distinct compositions the filter allows for the system `elements`
/// (exactly those elements, each with amount >= 1, factors up to
/// `threshold`), sorted: `smact_filter`'s, or with options
/// [`smact_validity`]'s ratio by ratio.
pub fn allowed_compositions(
    elements: &[Element],
    ox: &OxidationStates,
    threshold: u32,
    options: &FilterOptions,
) -> Vec<Composition> {
    let mut out: Vec<Composition> = if *options == FilterOptions::PAPER {
        smact_filter(elements, ox, threshold)
            .into_iter()
            .filter_map(|r| Composition::new(elements.iter().copied().zip(r.ratio)))
            .collect()
    } else {
        crate::enumerate::coprime_tuples(elements.len(), threshold)
            .into_iter()
            .filter_map(|ratio| Composition::new(elements.iter().copied().zip(ratio)))
            .filter(|c| smact_validity(c, ox, options))
            .collect()
    };
    out.sort();
    out.dedup();
    out
}

/// `smact_validity(composition, use_pauling_test=True, include_alloys,
/// check_metallicity=False, oxidation_states_set=ox, mixed_valence)`, one to
/// one: every assignment of the Cartesian product is tried, and under mixed
/// valence every assignment of the expanded sites (see [`options`]). Unlike
/// [`is_allowed`] it has no stoichiometry limit and calls a single element
/// valid, as SMACT does. `options.icsd24` is not read: pass the states it
/// chooses ([`FilterOptions::oxidation_states`]).
pub fn smact_validity(c: &Composition, ox: &OxidationStates, options: &FilterOptions) -> bool {
    let parts = c.parts();
    if parts.len() == 1 {
        return true;
    }
    if options.include_alloys && parts.iter().all(|&(e, _)| is_metal(e)) {
        return true;
    }
    let lists: Vec<&[i8]> = parts.iter().map(|&(e, _)| ox.of(e)).collect();
    if lists.iter().any(|l| l.is_empty()) {
        return false;
    }
    let enegs: Vec<Option<f64>> = parts.iter().map(|&(e, _)| e.pauling_eneg()).collect();
    let amounts: Vec<u32> = parts.iter().map(|&(_, a)| a).collect();
    if any_valid_assignment(&lists, &amounts, &enegs) {
        return true;
    }
    if !(options.mixed_valence && parts.iter().any(|&(e, _)| is_mixed_valence_element(e))) {
        return false;
    }
    let combinations =
        mixed_valence_combinations(parts.iter().zip(&lists).map(|(&(e, a), l)| (e, l.len(), a)));
    if combinations > MAX_MIXED_VALENCE_COMBOS {
        return false;
    }
    // `_expand_mixed_valence_comp`: each atom of a mixed-valence element is a site of amount 1.
    let (mut site_lists, mut site_amounts, mut site_enegs) = (Vec::new(), Vec::new(), Vec::new());
    for ((&(e, a), &list), &eneg) in parts.iter().zip(&lists).zip(&enegs) {
        let sites = if is_mixed_valence_element(e) { a } else { 1 };
        for _ in 0..sites {
            site_lists.push(list);
            site_amounts.push(a / sites);
            site_enegs.push(eneg);
        }
    }
    any_valid_assignment(&site_lists, &site_amounts, &site_enegs)
}

/// `_is_valid_oxi_state` with the composition's own ratio: some assignment,
/// in product order, is neutral and passes [`pauling_test`].
fn any_valid_assignment(lists: &[&[i8]], amounts: &[u32], enegs: &[Option<f64>]) -> bool {
    let mut index = vec![0usize; lists.len()];
    let mut states: Vec<i8> = lists.iter().map(|l| l[0]).collect();
    loop {
        if charge(&states, amounts) == 0 && pauling_test(&states, enegs) {
            return true;
        }
        // The next assignment, last position fastest (itertools.product).
        let mut i = lists.len();
        loop {
            if i == 0 {
                return false;
            }
            i -= 1;
            index[i] += 1;
            if index[i] < lists[i].len() {
                states[i] = lists[i][index[i]];
                break;
            }
            index[i] = 0;
            states[i] = lists[i][0];
        }
    }
}

/// Most assignments [`is_allowed`] tries one by one; past this (many elements
/// with long state lists: 19 states on 8 elements is 1.7e10 assignments) it
/// decides cut by cut over reachable totals, whose cost grows with the charge
/// range instead.
const MAX_ASSIGNMENTS_TRIED: u64 = 4096;

/// Whether the filter allows `c`: its factors are within `threshold` and,
/// as [`smact_validity`] decides with `options` (by default as
/// `smact_filter` on its elements), some assignment is neutral and passes
/// [`pauling_test`], or it counts as an alloy.
pub fn is_allowed(
    c: &Composition,
    ox: &OxidationStates,
    threshold: u32,
    options: &FilterOptions,
) -> bool {
    if c.order() < 2 || c.max_amount() > threshold {
        // A single element is never an output of smact_filter's enumeration of
        // 2..4-element systems; the atlas's space starts at binaries.
        return false;
    }
    if options.include_alloys && c.elements().all(is_metal) {
        return true;
    }
    single_valence_allowed(c, ox) || (options.mixed_valence && mixed_valence_allowed(c, ox))
}

/// Whether some assignment of one state per element is neutral and passes
/// [`pauling_test`].
fn single_valence_allowed(c: &Composition, ox: &OxidationStates) -> bool {
    // Stack arrays: this runs for every sampled and every known composition.
    let n = c.order();
    let mut lists: [&[i8]; MAX_COMPOSITION_ELEMENTS] = [&[]; MAX_COMPOSITION_ELEMENTS];
    let mut amounts = [0i64; MAX_COMPOSITION_ELEMENTS];
    let mut enegs = [None; MAX_COMPOSITION_ELEMENTS];
    let mut assignments = 1u64;
    for (i, &(e, a)) in c.parts().iter().enumerate() {
        lists[i] = ox.of(e);
        amounts[i] = i64::from(a);
        enegs[i] = Some(match e.pauling_eneg() {
            Some(x) => x,
            None => return false,
        });
        assignments = assignments.saturating_mul(lists[i].len() as u64);
    }
    if assignments > MAX_ASSIGNMENTS_TRIED {
        let enegs: Vec<f64> = enegs[..n].iter().flatten().copied().collect();
        return any_passing_neutral(&lists[..n], &amounts[..n], &enegs);
    }
    let mut states = [0i8; MAX_COMPOSITION_ELEMENTS];
    any_neutral_balanced(
        &lists[..n],
        &amounts[..n],
        &enegs[..n],
        &mut states[..n],
        0,
        0,
    )
}

/// Whether SMACT's mixed-valence expansion of `c` (within its limit) has a
/// neutral assignment passing [`pauling_test`]: the sites, each atom of a
/// mixed-valence element one of amount 1, decided cut by cut.
fn mixed_valence_allowed(c: &Composition, ox: &OxidationStates) -> bool {
    let parts = c.parts();
    if !parts.iter().any(|&(e, _)| is_mixed_valence_element(e))
        || parts
            .iter()
            .any(|&(e, _)| e.pauling_eneg().is_none() || ox.of(e).is_empty())
        || mixed_valence_combinations(parts.iter().map(|&(e, a)| (e, ox.of(e).len(), a)))
            > MAX_MIXED_VALENCE_COMBOS
    {
        return false;
    }
    let (mut lists, mut amounts, mut enegs) = (Vec::new(), Vec::new(), Vec::new());
    for &(e, a) in parts {
        let sites = if is_mixed_valence_element(e) { a } else { 1 };
        for _ in 0..sites {
            lists.push(ox.of(e));
            amounts.push(i64::from(a / sites));
            enegs.push(e.pauling_eneg().unwrap_or_default());
        }
    }
    any_passing_neutral(&lists, &amounts, &enegs)
}

/// Depth-first over assignments with a running charge; true at the first
/// neutral assignment that passes [`pauling_test`].
fn any_neutral_balanced(
    lists: &[&[i8]],
    amounts: &[i64],
    enegs: &[Option<f64>],
    states: &mut [i8],
    depth: usize,
    charge: i64,
) -> bool {
    if depth == lists.len() {
        return charge == 0 && pauling_test(states, enegs);
    }
    for &q in lists[depth] {
        states[depth] = q;
        if any_neutral_balanced(
            lists,
            amounts,
            enegs,
            states,
            depth + 1,
            charge + i64::from(q) * amounts[depth],
        ) {
            return true;
        }
    }
    false
}

/// Position `i`'s electronegativity rank (1 for the lowest value; equal
/// values share a rank), and the number of distinct values.
fn electronegativity_ranks(enegs: &[f64]) -> (Vec<usize>, usize) {
    let mut values = enegs.to_vec();
    values.sort_by(f64::total_cmp);
    values.dedup();
    let ranks = enegs
        .iter()
        .map(|x| values.partition_point(|v| v < x) + 1)
        .collect();
    (ranks, values.len())
}

/// Whether state `q` at a position of electronegativity rank `rank` is on the
/// right side of cut `cut`: cations at or below it, anions above it, zero anywhere.
///
/// [`pauling_test`] passes exactly when every cation is less electronegative
/// than every anion, that is when some cut of the electronegativity ranks has
/// every cation at or below it and every anion above it. So the passing
/// assignments are the union, over cuts 0..=ranks, of products of state lists
/// restricted this way.
fn cut_allows(rank: usize, cut: usize, q: i8) -> bool {
    q == 0 || (q > 0 && rank <= cut) || (q < 0 && rank > cut)
}

/// Largest |charge| any assignment can total: totals live in `-bound..=bound`.
fn charge_bound(lists: &[&[i8]], amounts: &[i64]) -> i64 {
    lists
        .iter()
        .zip(amounts)
        .map(|(l, &a)| {
            l.iter()
                .map(|q| i64::from(q.unsigned_abs()))
                .max()
                .unwrap_or(0)
                * a
        })
        .sum()
}

/// `dst |= src` moved `shift` bits up (down when negative), over
/// little-endian bitsets of equal length; bits moved past either end drop.
fn shift_or(dst: &mut [u64], src: &[u64], shift: i64) {
    let len = dst.len();
    let distance = usize::try_from(shift.unsigned_abs()).unwrap_or(usize::MAX);
    let (words, bits) = (distance / 64, (distance % 64) as u32);
    if words >= len {
        return;
    }
    if shift >= 0 {
        for i in (words..len).rev() {
            let mut v = src[i - words] << bits;
            if bits > 0 && i > words {
                v |= src[i - words - 1] >> (64 - bits);
            }
            dst[i] |= v;
        }
    } else {
        for i in 0..len - words {
            let mut v = src[i + words] >> bits;
            if bits > 0 && i + words + 1 < len {
                v |= src[i + words + 1] << (64 - bits);
            }
            dst[i] |= v;
        }
    }
}

/// Whether some assignment is neutral and passes [`pauling_test`] (every
/// electronegativity known), decided cut by cut with bitsets of reachable
/// totals: time grows with positions x states x charge range, memory with the
/// charge range, never with the number of assignments.
fn any_passing_neutral(lists: &[&[i8]], amounts: &[i64], enegs: &[f64]) -> bool {
    let (ranks, top) = electronegativity_ranks(enegs);
    let bound = charge_bound(lists, amounts);
    let words = usize::try_from(2 * bound + 1).map_or(usize::MAX, |w| w.div_ceil(64));
    let zero = (bound / 64) as usize;
    let (mut row, mut next) = (vec![0u64; words], vec![0u64; words]);
    (0..=top).any(|cut| {
        row.fill(0);
        row[zero] = 1 << (bound % 64);
        for (i, (list, &a)) in lists.iter().zip(amounts).enumerate() {
            next.fill(0);
            for &q in list.iter().filter(|&&q| cut_allows(ranks[i], cut, q)) {
                shift_or(&mut next, &row, i64::from(q) * a);
            }
            std::mem::swap(&mut row, &mut next);
        }
        row[zero] >> (bound % 64) & 1 == 1
    })
}

/// gcd of a ratio; 1 for a reduced one.
pub fn ratio_gcd(ratio: &[u32]) -> u32 {
    ratio.iter().fold(0, |g, &x| gcd(g, x))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::OxidationSet;

    fn els(s: &str) -> Vec<Element> {
        s.split('-')
            .map(|x| Element::from_symbol(x).unwrap())
            .collect()
    }

    #[test]
    fn smact_docstring_example_cs_pb_i() {
        // The smact_filter docstring's example, which smact 4.0.2 reproduces with
        // oxidation_states_set="smact14", threshold=5 (checked with the real package).
        let got = smact_filter(&els("Cs-Pb-I"), OxidationSet::Smact14.states(), 5);
        let want: Vec<(Vec<i8>, Vec<u32>)> = vec![
            (vec![1, -4, -1], vec![5, 1, 1]),
            (vec![1, 2, -1], vec![1, 1, 3]),
            (vec![1, 2, -1], vec![1, 2, 5]),
            (vec![1, 2, -1], vec![2, 1, 4]),
            (vec![1, 2, -1], vec![3, 1, 5]),
            (vec![1, 4, -1], vec![1, 1, 5]),
        ];
        let got: Vec<(Vec<i8>, Vec<u32>)> =
            got.into_iter().map(|r| (r.ox_states, r.ratio)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn pauling_test_follows_smact() {
        assert!(pauling_test(&[2, -2], &[Some(1.65), Some(3.44)]));
        assert!(!pauling_test(&[2, -2], &[Some(3.44), Some(1.65)]));
        assert!(!pauling_test(&[1, -1], &[Some(2.0), Some(2.0)]));
        assert!(pauling_test(&[1, 1], &[Some(2.0), Some(1.0)]));
        assert!(!pauling_test(&[1, 1], &[Some(2.0), None]));
        assert!(pauling_test(&[0, 0], &[Some(2.0), Some(1.0)]));
    }

    /// The cut-by-cut decision [`is_allowed`] falls back on for long state
    /// lists agrees with trying every assignment, on random lists (ties,
    /// zeros, one-sided elements) and amounts.
    #[test]
    fn deciding_by_cuts_agrees_with_trying_every_assignment() {
        use rand::rngs::StdRng;
        use rand::{RngExt, SeedableRng};
        let mut rng = StdRng::seed_from_u64(2);
        let (mut allowed, mut forbidden) = (0, 0);
        for _ in 0..20_000 {
            let n = rng.random_range(2..=6u32) as usize;
            let lists: Vec<Vec<i8>> = (0..n)
                .map(|_| {
                    let len = rng.random_range(1..=6u32);
                    let mut l: Vec<i8> = (0..len)
                        .map(|_| rng.random_range(-9..=9i32) as i8)
                        .collect();
                    l.dedup();
                    l
                })
                .collect();
            let lists: Vec<&[i8]> = lists.iter().map(Vec::as_slice).collect();
            let amounts: Vec<i64> = (0..n)
                .map(|_| i64::from(rng.random_range(1..=16u32)))
                .collect();
            // Few distinct values, so ties are common.
            let enegs: Vec<f64> = (0..n)
                .map(|_| f64::from(rng.random_range(0..4u32)))
                .collect();
            let some: Vec<Option<f64>> = enegs.iter().map(|&x| Some(x)).collect();
            let mut states = vec![0i8; n];
            let tried = any_neutral_balanced(&lists, &amounts, &some, &mut states, 0, 0);
            assert_eq!(
                any_passing_neutral(&lists, &amounts, &enegs),
                tried,
                "{lists:?} {amounts:?} {enegs:?}"
            );
            if tried { allowed += 1 } else { forbidden += 1 }
        }
        assert!(
            allowed > 1_000 && forbidden > 1_000,
            "{allowed} {forbidden}"
        );
    }

    #[test]
    fn long_state_lists_are_decided_without_trying_every_assignment() {
        // 8 elements of 19 states: 1.7e10 assignments, decided in microseconds.
        let text: String = Element::all()
            .map(|e| format!("{e} -9 -8 -7 -6 -5 -4 -3 -2 -1 0 1 2 3 4 5 6 7 8 9\n"))
            .collect();
        let ox = OxidationStates::parse_smact_file("widest", &text).unwrap();
        assert!(is_allowed(
            &Composition::parse("FeMnCrVTiCoNiCu").unwrap(),
            &ox,
            16,
            &FilterOptions::PAPER
        ));
        // Seven elements with states of 2 mod 4 and one (Cu) of 0 mod 4 never
        // total 0 mod 4; doubling one of the seven makes neutral totals possible.
        let text: String = Element::all()
            .map(|e| match e.symbol() {
                "Cu" => "Cu -8 -4 4 8\n".to_string(),
                s => format!("{s} -6 -2 2 6\n"),
            })
            .collect();
        let ox = OxidationStates::parse_smact_file("mod 4", &text).unwrap();
        for (f, allowed) in [("FeMnCrVTiCoNiCu", false), ("FeMnCrVTiCoNi2Cu", true)] {
            let c = Composition::parse(f).unwrap();
            let lists: Vec<&[i8]> = c.elements().map(|e| ox.of(e)).collect();
            let amounts: Vec<i64> = c.amounts().map(i64::from).collect();
            let enegs: Vec<Option<f64>> = c.elements().map(|e| e.pauling_eneg()).collect();
            let mut states = [0i8; 8];
            let tried = any_neutral_balanced(&lists, &amounts, &enegs, &mut states, 0, 0);
            assert_eq!(
                (is_allowed(&c, &ox, 16, &FilterOptions::PAPER), tried),
                (allowed, allowed),
                "{f}"
            );
        }
    }

    #[test]
    fn zinc_oxides_of_table_1() {
        let ox = OxidationSet::Smact14.states();
        let allowed: Vec<String> = allowed_compositions(&els("Zn-O"), ox, 8, &FilterOptions::PAPER)
            .iter()
            .map(|c| c.to_string())
            .collect();
        for f in ["ZnO", "ZnO2", "Zn2O"] {
            assert!(allowed.contains(&f.to_string()), "{f} allowed");
        }
        assert!(!allowed.contains(&"ZnO3".to_string()));
        for c in allowed_compositions(&els("Li-Zn-Sn-O"), ox, 8, &FilterOptions::PAPER) {
            assert!(is_allowed(&c, ox, 8, &FilterOptions::PAPER));
        }
        assert!(!is_allowed(
            &Composition::parse("ZnO3").unwrap(),
            ox,
            8,
            &FilterOptions::PAPER
        ));
        assert!(!is_allowed(
            &Composition::parse("Zn9O").unwrap(),
            ox,
            8,
            &FilterOptions::PAPER
        ));
    }

    fn options(mixed_valence: bool, include_alloys: bool) -> FilterOptions {
        FilterOptions {
            mixed_valence,
            include_alloys,
            icsd24: None,
        }
    }

    #[test]
    fn mixed_valence_and_alloys_as_smact_validity_answers() {
        // Checked with smact 4.0.2's smact_validity(oxidation_states_set="smact14").
        let ox = OxidationSet::Smact14.states();
        let decide = |f: &str, o: FilterOptions| {
            let c = Composition::parse(f).unwrap();
            let fast = is_allowed(&c, ox, 8, &o);
            assert_eq!(fast, smact_validity(&c, ox, &o), "{f} {o:?}");
            fast
        };
        assert!(!decide("Fe3O4", options(false, false)));
        assert!(decide("Fe3O4", options(true, false)));
        assert!(decide("Fe5O7", options(true, false)));
        // 8^6 x 4 and 8^7 x 4 assignments: past SMACT's limit, so not tried.
        assert!(!decide("Fe6O7", options(true, false)));
        assert!(!decide("Fe7O8", options(true, false)));
        // Pb is not one of SMACT's mixed-valence elements.
        assert!(!decide("Pb3O4", options(true, false)));
        assert!(!decide("CuZn", options(false, false)));
        assert!(decide("CuZn", options(false, true)));
        assert!(!decide("ZnO3", options(false, true)));
    }

    /// The fast decision agrees with the one-to-one port of smact_validity
    /// on random sets and compositions, every option combination.
    #[test]
    fn is_allowed_agrees_with_the_smact_validity_port() {
        use rand::rngs::StdRng;
        use rand::{RngExt, SeedableRng};
        let mut rng = StdRng::seed_from_u64(9);
        // Mixed-valence elements, metals, anions, ties (Ru, Os) and He (no electronegativity).
        let pool: Vec<Element> = [
            "Fe", "Mn", "Sn", "Cu", "Ru", "Os", "Zn", "Pb", "Li", "O", "S", "Cl", "N", "He",
        ]
        .iter()
        .map(|s| Element::from_symbol(s).unwrap())
        .collect();
        let mut seen = [0usize; 4];
        for _ in 0..6 {
            let text: String = Element::all()
                .map(|e| {
                    let states: Vec<String> = (-4i8..=6)
                        .filter(|_| rng.random_range(0..3u32) == 0)
                        .map(|q| q.to_string())
                        .collect();
                    format!("{e} {}\n", states.join(" "))
                })
                .collect();
            let ox = OxidationStates::parse_smact_file("random", &text).unwrap();
            for _ in 0..400 {
                let n = rng.random_range(2..=4u32) as usize;
                let mut elements = pool.clone();
                for i in 0..n {
                    let j = rng.random_range(i as u32..pool.len() as u32) as usize;
                    elements.swap(i, j);
                }
                let c = Composition::new(
                    elements[..n]
                        .iter()
                        .map(|&e| (e, rng.random_range(1..=6u32))),
                )
                .unwrap();
                for (k, o) in [
                    options(false, false),
                    options(true, false),
                    options(false, true),
                    options(true, true),
                ]
                .into_iter()
                .enumerate()
                {
                    let allowed = smact_validity(&c, &ox, &o);
                    assert_eq!(is_allowed(&c, &ox, 8, &o), allowed, "{c} {o:?}");
                    seen[k] += usize::from(allowed);
                }
            }
        }
        // Each option allowed more than the paper's filter.
        assert!(seen[1] > seen[0] && seen[2] > seen[0], "{seen:?}");
    }
}
