//! The two elementary functions t-SNE needs beyond [`crate::reduce::numeric`],
//! from IEEE arithmetic alone so that every platform computes the same bits
//! (std's `exp`, `sin` and `cos` call the platform's libm): a branch-free
//! `exp` for the perplexity search's inner loop, and the FFT's twiddle
//! factors. Accuracy is a few ulps.

const LN_2_HI: f64 = 6.931_471_803_691_238e-1;
const LN_2_LO: f64 = 1.908_214_929_270_587_7e-10;
const INV_LN_2: f64 = std::f64::consts::LOG2_E;

/// Inputs of [`exp_in_range`].
pub(crate) const EXP_RANGE: f64 = 708.0;

/// e^x for |x| <= [`EXP_RANGE`] (no overflow, no subnormals), without
/// branches or `floor` (a library call on baseline x86-64) so that loops
/// over it vectorise. Same accuracy as [`exp`].
#[inline(always)]
pub(crate) fn exp_in_range(x: f64) -> f64 {
    // Adding 1.5 * 2^52 rounds x / ln 2 to the nearest integer k and leaves
    // k in the low bits of the sum.
    const SHIFT: f64 = 6_755_399_441_055_744.0;
    let t = x * INV_LN_2 + SHIFT;
    let k = t - SHIFT;
    let r = (x - k * LN_2_HI) - k * LN_2_LO;
    let mut p = INV_FACTORIALS[13];
    for n in (0..13).rev() {
        p = p * r + INV_FACTORIALS[n];
    }
    // 2^k: k + 1023 in the exponent field (the shift drops the rest).
    p * f64::from_bits(t.to_bits().wrapping_add(1023) << 52)
}

/// 1/n!, n < 24.
const INV_FACTORIALS: [f64; 24] = inv_factorials();

const fn inv_factorials() -> [f64; 24] {
    let mut table = [1.0; 24];
    let mut factorial = 1.0;
    let mut n = 1;
    while n < 24 {
        factorial *= n as f64;
        table[n] = 1.0 / factorial;
        n += 1;
    }
    table
}

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

    fn ulps(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs() / f64::EPSILON
    }

    #[test]
    fn exp_in_range_agrees_with_std_and_numeric() {
        for i in -7000..=7000 {
            let x = i as f64 * 0.1011;
            assert!(ulps(exp_in_range(x), x.exp()) < 4.0, "exp_in_range({x})");
            assert!(ulps(exp_in_range(x), crate::reduce::numeric::exp(x)) < 4.0);
        }
        assert_eq!(exp_in_range(0.0), 1.0);
        assert!(ulps(exp_in_range(1.0), std::f64::consts::E) <= 1.0);
    }

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
