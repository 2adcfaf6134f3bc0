//! Which oxidation-state assignment a chemist would write first.
//!
//! SMACT lists assignments in `itertools.product` order, so the first one
//! found for ZnO is Zn(+1) + O(-1). Explanations instead lead with the most
//! plausible one, scored by how often each state is reported in the 2024 ICSD
//! (SMACT 4.0.2's own counts, [`crate::data::icsd24`]).
//!
//! The score of an assignment is the log-likelihood of the formula unit when
//! each atom's state is drawn from its element's ICSD 2024 distribution:
//! the sum over atoms of ln f(element, state), where f is the share of the
//! element's reports in that state, add-one smoothed over the 19 states
//! -9..+9 so unreported states are rare rather than impossible. Per atom,
//! because a formula unit with three O(-1) is three times less likely than
//! with one; a log of frequencies, because frequencies multiply. An
//! element's smoothing constant and total add the same amount to every
//! assignment of a composition, so the ranking depends only on how often
//! the states themselves are reported.
//!
//! pymatgen's `Composition.oxi_state_guesses` ranks by the sum over atoms of
//! the raw occurrence counts of its ICSD bond-valence data: a sum, so a common
//! anion can outweigh an implausible cation, and unnormalised, so common
//! elements weigh more. `tests/` measures how often the two agree.
//!
//! Scores are summed in fixed point, so ties and order are exact and the same
//! on every platform.

use crate::chem::Element;
use crate::data::icsd24_counts;

/// Fixed-point units per unit of ln: scores are exact sums of integers.
pub const SCALE: f64 = 65_536.0;

/// States the smoothing spreads one report over: -9..=+9.
const SMOOTHED_STATES: f64 = 19.0;

/// ln of the (smoothed) share of `element`'s ICSD 2024 reports in state `q`.
pub fn log_frequency(element: Element, q: i8) -> f64 {
    let counts = icsd24_counts();
    let reports = f64::from(counts.reports(element, q));
    let total = counts.total(element) as f64;
    libm::log((reports + 1.0) / (total + SMOOTHED_STATES))
}

/// [`log_frequency`] in fixed point (units of 1 / [`SCALE`]).
pub(crate) fn weight(element: Element, q: i8) -> i32 {
    (log_frequency(element, q) * SCALE).round() as i32
}

/// A fixed-point score as ln units.
pub(crate) fn score_value(score: i64) -> f64 {
    score as f64 / SCALE
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(s: &str) -> Element {
        Element::from_symbol(s).unwrap()
    }

    #[test]
    fn common_states_score_higher() {
        // ICSD 2024: O -2 116,910 reports, -1 517; Zn +2 far above +1.
        assert!(weight(el("O"), -2) > weight(el("O"), -1));
        assert!(weight(el("Zn"), 2) > weight(el("Zn"), 1));
        assert!(weight(el("Fe"), 3) > weight(el("Fe"), 2));
        // An unreported state is rare, not impossible.
        assert!(log_frequency(el("Zn"), 6).is_finite());
        // A state holding nearly all reports scores close to ln 1 = 0.
        assert!(log_frequency(el("O"), -2) > -0.05);
    }
}
