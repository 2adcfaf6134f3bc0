//! The FFT's twiddle factors from IEEE arithmetic alone, so that every
//! platform computes the same bits (std's `sin` and `cos` call the platform's
//! libm), like [`crate::reduce::numeric`]. Accuracy is about one ulp.

use crate::reduce::numeric::INVERSE_FACTORIALS as INV_FACTORIALS;

/// (cos, sin) of the angle 2 pi k / n, exact to about 1 ulp; the octant is
/// found in integer arithmetic so large k lose nothing.
pub(crate) fn cos_sin_turns(k: usize, n: usize) -> (f64, f64) {
    let k = k % n;
    let eighth = 8 * k / n;
    let rest = 8 * k - eighth * n;
    // angle = (eighth + rest / n) * pi/4; fold each octant onto [0, pi/4].
    let quarter_pi = std::f64::consts::FRAC_PI_4;
    let within = |r: usize| quarter_pi * r as f64 / n as f64;
    let (c, s) = if eighth.is_multiple_of(2) {
        cos_sin_small(within(rest))
    } else {
        let (c, s) = cos_sin_small(within(n - rest));
        (s, c)
    };
    match eighth {
        0 | 1 => (c, s),
        2 | 3 => (-s, c),
        4 | 5 => (-c, -s),
        _ => (s, -c),
    }
}

/// cos and sin of t in [0, pi/4] by Taylor series (error below 1e-17).
fn cos_sin_small(t: f64) -> (f64, f64) {
    let t2 = t * t;
    let mut c = 0.0;
    let mut s = 0.0;
    for n in (0..11).rev() {
        let sign = if n % 2 == 0 { 1.0 } else { -1.0 };
        c = c * t2 + sign * INV_FACTORIALS[2 * n];
        s = s * t2 + sign * INV_FACTORIALS[2 * n + 1];
    }
    (c, s * t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turns_agree_with_std() {
        for n in [1usize, 2, 3, 8, 12, 64, 100, 256, 1000] {
            for k in 0..2 * n {
                let (c, s) = cos_sin_turns(k, n);
                let angle = std::f64::consts::TAU * k as f64 / n as f64;
                // std's angle is itself rounded, by up to ~2e-15 near 4 pi.
                assert!(
                    (c - angle.cos()).abs() < 4e-15,
                    "cos {k}/{n}: {c} vs {}",
                    angle.cos()
                );
                assert!(
                    (s - angle.sin()).abs() < 4e-15,
                    "sin {k}/{n}: {s} vs {}",
                    angle.sin()
                );
                assert!((c * c + s * s - 1.0).abs() < 3e-16);
            }
        }
        assert_eq!(cos_sin_turns(0, 8), (1.0, 0.0));
        assert_eq!(cos_sin_turns(2, 8), (0.0, 1.0));
    }
}
