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
//! These functions mirror SMACT one to one and are the reference the fast
//! counting in [`crate::count`] is tested against.

use crate::chem::{Composition, Element, MAX_COMPOSITION_ELEMENTS, gcd};
use crate::data::OxidationStates;

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

/// The distinct compositions `smact_filter` allows for the system `elements`
/// (exactly those elements, each with amount >= 1), sorted.
pub fn allowed_compositions(
    elements: &[Element],
    ox: &OxidationStates,
    threshold: u32,
) -> Vec<Composition> {
    let mut out: Vec<Composition> = smact_filter(elements, ox, threshold)
        .into_iter()
        .filter_map(|r| Composition::new(elements.iter().copied().zip(r.ratio)))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Whether `smact_filter` on the composition's elements allows it: its factors
/// are within `threshold` and some assignment is neutral and passes
/// [`pauling_test`].
pub fn is_allowed(c: &Composition, ox: &OxidationStates, threshold: u32) -> bool {
    if c.order() < 2 || c.max_amount() > threshold {
        // A single element is never an output of smact_filter's enumeration of
        // 2..4-element systems; the atlas's space starts at binaries.
        return false;
    }
    // Stack arrays: this runs for every sampled and every known composition.
    let n = c.order();
    let mut lists: [&[i8]; MAX_COMPOSITION_ELEMENTS] = [&[]; MAX_COMPOSITION_ELEMENTS];
    let mut amounts = [0i64; MAX_COMPOSITION_ELEMENTS];
    let mut enegs = [None; MAX_COMPOSITION_ELEMENTS];
    for (i, &(e, a)) in c.parts().iter().enumerate() {
        lists[i] = ox.of(e);
        amounts[i] = i64::from(a);
        enegs[i] = Some(match e.pauling_eneg() {
            Some(x) => x,
            None => return false,
        });
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

    #[test]
    fn zinc_oxides_of_table_1() {
        let ox = OxidationSet::Smact14.states();
        let allowed: Vec<String> = allowed_compositions(&els("Zn-O"), ox, 8)
            .iter()
            .map(|c| c.to_string())
            .collect();
        for f in ["ZnO", "ZnO2", "Zn2O"] {
            assert!(allowed.contains(&f.to_string()), "{f} allowed");
        }
        assert!(!allowed.contains(&"ZnO3".to_string()));
        for c in allowed_compositions(&els("Li-Zn-Sn-O"), ox, 8) {
            assert!(is_allowed(&c, ox, 8));
        }
        assert!(!is_allowed(&Composition::parse("ZnO3").unwrap(), ox, 8));
        assert!(!is_allowed(&Composition::parse("Zn9O").unwrap(), ox, 8));
    }
}
