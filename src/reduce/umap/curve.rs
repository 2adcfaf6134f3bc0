//! The low-dimensional similarity curve 1 / (1 + a d^(2b)), fitted to the
//! offset exponential that min_dist and spread describe (umap-learn's
//! `find_ab_params`, which calls scipy's `curve_fit`: least squares on 300
//! points of [0, 3 spread], started from a = b = 1). Here the least squares
//! are solved by Levenberg-Marquardt, as scipy's default MINPACK routine does.

use crate::reduce::numeric;

const SAMPLES: usize = 300;

/// (a, b) for the given spread and min_dist.
pub fn find_ab_params(spread: f64, min_dist: f64) -> (f64, f64) {
    let xs: Vec<f64> = (0..SAMPLES)
        .map(|i| 3.0 * spread * i as f64 / (SAMPLES - 1) as f64)
        .collect();
    let ys: Vec<f64> = xs
        .iter()
        .map(|&x| {
            if x < min_dist {
                1.0
            } else {
                numeric::exp(-(x - min_dist) / spread)
            }
        })
        .collect();
    let [a, b] = levenberg_marquardt(&xs, &ys, [1.0, 1.0]);
    (a, b)
}

/// x^(2b), with 0 at x = 0.
fn power(x: f64, b: f64) -> f64 {
    if x > 0.0 {
        numeric::exp(2.0 * b * numeric::ln(x))
    } else {
        0.0
    }
}

/// Sum of squared residuals of the curve with parameters p.
fn cost(xs: &[f64], ys: &[f64], p: [f64; 2]) -> f64 {
    xs.iter()
        .zip(ys)
        .map(|(&x, &y)| (1.0 / (1.0 + p[0] * power(x, p[1])) - y).powi(2))
        .sum()
}

fn levenberg_marquardt(xs: &[f64], ys: &[f64], start: [f64; 2]) -> [f64; 2] {
    let mut p = start;
    let mut current = cost(xs, ys, p);
    let mut lambda = 1e-3;
    for _ in 0..1000 {
        // Normal equations J^T J and J^T r for f = 1 / (1 + a x^(2b)).
        let (mut jtj, mut jtr) = ([[0.0f64; 2]; 2], [0.0f64; 2]);
        for (&x, &y) in xs.iter().zip(ys) {
            if x <= 0.0 {
                continue;
            }
            let t = power(x, p[1]);
            let denominator = 1.0 + p[0] * t;
            let f = 1.0 / denominator;
            let df_da = -t / (denominator * denominator);
            let df_db = -p[0] * t * 2.0 * numeric::ln(x) / (denominator * denominator);
            let j = [df_da, df_db];
            for r in 0..2 {
                jtr[r] += j[r] * (f - y);
                for c in 0..2 {
                    jtj[r][c] += j[r] * j[c];
                }
            }
        }
        let mut improved = false;
        while lambda < 1e12 {
            let m = [
                [jtj[0][0] * (1.0 + lambda), jtj[0][1]],
                [jtj[1][0], jtj[1][1] * (1.0 + lambda)],
            ];
            let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
            if det == 0.0 || !det.is_finite() {
                lambda *= 10.0;
                continue;
            }
            let step = [
                (-jtr[0] * m[1][1] + jtr[1] * m[0][1]) / det,
                (-jtr[1] * m[0][0] + jtr[0] * m[1][0]) / det,
            ];
            let trial = [p[0] + step[0], p[1] + step[1]];
            let trial_cost = cost(xs, ys, trial);
            if trial_cost.is_finite() && trial_cost < current {
                let small =
                    step[0].abs() <= 1e-15 * p[0].abs() && step[1].abs() <= 1e-15 * p[1].abs();
                p = trial;
                current = trial_cost;
                lambda = (lambda / 10.0).max(1e-12);
                improved = !small;
                break;
            }
            lambda *= 10.0;
        }
        if !improved {
            break;
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_give_umaps_well_known_curve() {
        // umap-learn's a, b for min_dist 0.1, spread 1 (printed in its docs and
        // checked against the fixture in umap's tests): about 1.577 and 0.895.
        let (a, b) = find_ab_params(1.0, 0.1);
        assert!(
            (a - 1.577).abs() < 1e-3 && (b - 0.895).abs() < 1e-3,
            "{a} {b}"
        );
    }

    #[test]
    fn the_fit_is_a_least_squares_minimum() {
        let xs: Vec<f64> = (0..SAMPLES)
            .map(|i| 3.0 * i as f64 / (SAMPLES - 1) as f64)
            .collect();
        let ys: Vec<f64> = xs
            .iter()
            .map(|&x| if x < 0.25 { 1.0 } else { (-(x - 0.25)).exp() })
            .collect();
        let (a, b) = find_ab_params(1.0, 0.25);
        let best = cost(&xs, &ys, [a, b]);
        for (da, db) in [(1e-4, 0.0), (-1e-4, 0.0), (0.0, 1e-4), (0.0, -1e-4)] {
            assert!(cost(&xs, &ys, [a + da, b + db]) > best);
        }
    }
}
