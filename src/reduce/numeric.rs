//! Elementary functions that give the same bits on every target.
//!
//! `f64::exp`, `f64::ln` and `f32::powf` call the platform's maths library
//! (glibc natively, a musl port in wasm), which may round differently in the
//! last place. The reducers promise the same output for the same seed natively
//! and in the browser, so everything that feeds a result uses these functions
//! instead: they are built from `+`, `*`, `/`, `sqrt` and bit operations only,
//! which IEEE 754 defines exactly.
//!
//! [`exp`] and [`ln`] are accurate to about one unit in the last place;
//! [`fast_pow`] is the f32 power UMAP's gradient needs on every edge sample,
//! as accurate as f32 allows and much cheaper than `powf`.

const LN2_HI: f64 = 6.931_471_803_691_238e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;

/// 2^k for an integer k in the normal range -1022..=1023.
fn pow2i(k: i64) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// e^x.
/// floor(log2 |x|) of a finite non-zero f32, from its bits (subnormals too).
pub(crate) fn floor_log2(x: f32) -> i32 {
    let bits = x.abs().to_bits();
    let exponent = (bits >> 23) as i32;
    if exponent == 0 {
        // Subnormal: 2^-149 times the mantissa.
        -149 + (31 - bits.leading_zeros() as i32)
    } else {
        exponent - 127
    }
}

/// x 2^e, exact in f64 and rounded once to f32 (e within f64's exponents).
pub(crate) fn times_power_of_two(x: f32, e: i32) -> f32 {
    (f64::from(x) * pow2i(i64::from(e))) as f32
}

pub fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x > 709.782_712_893_384 {
        return f64::INFINITY;
    }
    if x < -745.133_219_101_941_1 {
        return 0.0;
    }
    let (_, k, e_r) = exp_reduced(x);
    let k = k as i64;
    // Split the scaling so that results near the overflow and underflow edges stay exact.
    if k > 1000 {
        e_r * pow2i(1000) * pow2i(k - 1000)
    } else if k < -1000 {
        e_r * pow2i(-1000) * pow2i(k + 1000)
    } else {
        e_r * pow2i(k)
    }
}

/// x = k ln 2 + r with |r| <= ln 2 / 2, for |x| < 2^51: returns (t, k, e^r)
/// where t = k + 1.5 * 2^52 holds k in its low bits. ln 2 is split in two so
/// k * LN2_HI is exact; e^r is its Taylor series to degree 13 (the next term
/// is below 1e-17 relative).
#[inline(always)]
fn exp_reduced(x: f64) -> (f64, f64, f64) {
    // Adding 1.5 * 2^52 rounds to the nearest integer (no `floor`, a library
    // call on baseline x86-64, so loops over it vectorise).
    const ROUND: f64 = 6_755_399_441_055_744.0;
    let t = x * std::f64::consts::LOG2_E + ROUND;
    let k = t - ROUND;
    let r = (x - k * LN2_HI) - k * LN2_LO;
    let mut p = INVERSE_FACTORIALS[13];
    for &c in INVERSE_FACTORIALS[..13].iter().rev() {
        p = p * r + c;
    }
    (t, k, p)
}

/// Inputs of [`exp_in_range`].
pub(crate) const EXP_RANGE: f64 = 708.0;

/// e^x for |x| <= [`EXP_RANGE`] (no overflow, no subnormals), without
/// branches so that loops over it vectorise; the same bits as [`exp`].
#[inline(always)]
pub(crate) fn exp_in_range(x: f64) -> f64 {
    let (t, _, e_r) = exp_reduced(x);
    // 2^k: k + 1023 in the exponent field (the shift drops the rest).
    e_r * f64::from_bits(t.to_bits().wrapping_add(1023) << 52)
}

/// 1 / d! for d = 0..24 (the FFT's twiddles use the higher terms).
pub(crate) const INVERSE_FACTORIALS: [f64; 24] = {
    let mut table = [1.0f64; 24];
    let mut factorial = 1.0f64;
    let mut d = 1;
    while d < 24 {
        factorial *= d as f64;
        table[d] = 1.0 / factorial;
        d += 1;
    }
    table
};

/// The natural logarithm; NaN for negative input, -inf at zero.
pub fn ln(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    if x == f64::INFINITY {
        return x;
    }
    let (mut x, mut e) = (x, 0i64);
    if x < f64::MIN_POSITIVE {
        x *= pow2i(54);
        e -= 54;
    }
    let bits = x.to_bits();
    e += ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    // ln m = 2 atanh(s) with s = (m - 1) / (m + 1), |s| <= 0.1716.
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut p = 1.0 / 23.0;
    for odd in (1..=21).rev().step_by(2) {
        p = p * s2 + 1.0 / odd as f64;
    }
    let e = e as f64;
    e * LN2_HI + (2.0 * s * p + e * LN2_LO)
}

/// x^y for x > 0 (finite, normal or subnormal) in f32: 2^(y log2 x) with short
/// polynomials. The relative error is about 1.2e-7 (2 + |y log2 x|), the
/// limit f32 sets on y log2 x, while |y log2 x| stays below 126. Returns 0
/// for x <= 0.
///
/// Free of branches (selects only), so a loop over lanes of x vectorises;
/// polynomials are evaluated in Estrin's form, which halves their latency.
#[inline(always)]
pub fn fast_pow(x: f32, y: f32) -> f32 {
    let r = fast_exp2(y * fast_log2(x));
    if x > 0.0 { r } else { 0.0 }
}

#[inline(always)]
fn fast_log2(x: f32) -> f32 {
    let tiny = x < f32::MIN_POSITIVE;
    let x = if tiny { x * 8_388_608.0 } else { x };
    let bits = x.to_bits();
    // Mantissa above sqrt(2)'s: take m in [sqrt(1/2), 1) and one more in the exponent.
    let high = (bits & 0x007f_ffff) > 0x0035_04f3;
    let e = ((bits >> 23) & 0xff) as i32 - 127 + high as i32 - if tiny { 23 } else { 0 };
    let m = f32::from_bits((bits & 0x007f_ffff) | if high { 0x3f00_0000 } else { 0x3f80_0000 });
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let s4 = s2 * s2;
    // 2/ln2 * (s + s^3/3 + s^5/5 + s^7/7 + s^9/9)
    const C1: f32 = 2.885_39;
    const C3: f32 = 0.961_796_7;
    const C5: f32 = 0.577_078_04;
    const C7: f32 = 0.412_198_6;
    const C9: f32 = 0.320_599_5;
    let p = (C1 + C3 * s2) + s4 * ((C5 + C7 * s2) + s4 * C9);
    e as f32 + s * p
}

/// e^x in f32 by the same polynomial as [`fast_pow`] (relative error about
/// 1.2e-7 (2 + |x| / ln 2)); underflows to about 1e-38 below x = -87.
#[inline(always)]
pub fn fast_exp(x: f32) -> f32 {
    fast_exp2(x * std::f32::consts::LOG2_E)
}

#[inline(always)]
fn fast_exp2(y: f32) -> f32 {
    let y = y.clamp(-126.0, 127.0);
    // Adding 1.5 * 2^23 rounds y to the nearest integer in the low mantissa bits.
    const ROUND: f32 = 12_582_912.0;
    let t = y + ROUND;
    let n = (t.to_bits() as i32).wrapping_sub(ROUND.to_bits() as i32);
    let f = y - (t - ROUND);
    // 2^f = e^(f ln2) for |f| <= 1/2, Taylor to degree 7.
    const L1: f32 = std::f32::consts::LN_2;
    const L2: f32 = 0.240_226_5;
    const L3: f32 = 0.055_504_11;
    const L4: f32 = 0.009_618_129;
    const L5: f32 = 0.001_333_355_8;
    const L6: f32 = 0.000_154_035_3;
    const L7: f32 = 0.000_015_252_734;
    let f2 = f * f;
    let f4 = f2 * f2;
    let p = ((1.0 + L1 * f) + f2 * (L2 + L3 * f)) + f4 * ((L4 + L5 * f) + f2 * (L6 + L7 * f));
    p * f32::from_bits((n.wrapping_add(127) as u32) << 23)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_in_range_is_exp_without_the_edges() {
        for i in -7000..=7000 {
            let x = i as f64 * 0.1011;
            assert_eq!(
                exp_in_range(x).to_bits(),
                exp(x).to_bits(),
                "exp_in_range({x})"
            );
            let relative = ((exp_in_range(x) - x.exp()) / x.exp()).abs();
            assert!(relative < 4.0 * f64::EPSILON, "exp_in_range({x}) vs std");
        }
        assert_eq!(exp_in_range(0.0), 1.0);
    }

    fn rel(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    #[test]
    fn exp_matches_the_platform_to_a_few_ulp() {
        // Results in the normal range; subnormal ones have fewer digits to compare.
        let mut x = -708.0;
        while x < 709.0 {
            assert!(
                rel(exp(x), x.exp()) < 4e-16,
                "exp({x}) = {} vs {}",
                exp(x),
                x.exp()
            );
            x += 0.137;
        }
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(800.0), f64::INFINITY);
        assert_eq!(exp(-800.0), 0.0);
    }

    #[test]
    fn ln_matches_the_platform_to_a_few_ulp() {
        for &x in &[
            1e-310, 1e-300, 1e-5, 0.5, 0.999_999, 1.0, 1.000_001, 2.0, 3.3, 1e10, 1e300,
        ] {
            let (a, b) = (ln(x), x.ln());
            assert!(
                (a - b).abs() <= 4e-16 * b.abs().max(1e-300),
                "ln({x}) = {a} vs {b}"
            );
        }
        assert_eq!(ln(1.0), 0.0);
        assert!(ln(-1.0).is_nan());
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
    }

    #[test]
    fn fast_pow_is_close_to_powf() {
        for &b in &[0.5f32, 0.79, 0.895, 1.0, 1.93] {
            let mut x = 1e-6f32;
            while x < 1e5 {
                let want = (x as f64).powf(b as f64);
                let got = fast_pow(x, b) as f64;
                let bound = 1.2e-7 * (2.0 + want.log2().abs());
                assert!(rel(got, want) < bound, "{x}^{b}: {got} vs {want}");
                x *= 1.037;
            }
        }
        assert_eq!(fast_pow(0.0, 0.9), 0.0);
        assert!(fast_pow(1e-40, 0.9) > 0.0);
    }
}
