//! Four f32 lanes for the reducers' hot loops that the compiler does not
//! vectorise on its own or not well: t-SNE's per-pair forces (their gathers
//! and scatters defeat it) and PCA's covariance tiles.
//!
//! SSE on x86-64 and SIMD128 on wasm32 (when built with `+simd128`), plain
//! arrays elsewhere. Every operation is the IEEE one, lane by lane, so the
//! three implementations give the same bits.

use std::ops::{Add, Div, Mul, Sub};

#[cfg(target_arch = "x86_64")]
mod imp {
    use std::arch::x86_64::*;

    pub type Inner = __m128;

    pub fn from_array(a: [f32; 4]) -> Inner {
        // SAFETY: SSE is part of the x86-64 baseline.
        unsafe { _mm_setr_ps(a[0], a[1], a[2], a[3]) }
    }

    pub fn to_array(v: Inner) -> [f32; 4] {
        let mut out = [0.0f32; 4];
        // SAFETY: SSE is part of the x86-64 baseline, and `out` has room
        // for the four lanes `_mm_storeu_ps` writes.
        unsafe { _mm_storeu_ps(out.as_mut_ptr(), v) };
        out
    }

    pub fn splat(x: f32) -> Inner {
        // SAFETY: SSE is part of the x86-64 baseline.
        unsafe { _mm_set1_ps(x) }
    }

    pub fn add(a: Inner, b: Inner) -> Inner {
        // SAFETY: SSE is part of the x86-64 baseline.
        unsafe { _mm_add_ps(a, b) }
    }

    pub fn sub(a: Inner, b: Inner) -> Inner {
        // SAFETY: SSE is part of the x86-64 baseline.
        unsafe { _mm_sub_ps(a, b) }
    }

    pub fn mul(a: Inner, b: Inner) -> Inner {
        // SAFETY: SSE is part of the x86-64 baseline.
        unsafe { _mm_mul_ps(a, b) }
    }

    pub fn div(a: Inner, b: Inner) -> Inner {
        // SAFETY: SSE is part of the x86-64 baseline.
        unsafe { _mm_div_ps(a, b) }
    }

    /// a > b ? a : b (MAXPS returns its second operand unless the first is
    /// greater).
    pub fn max(a: Inner, b: Inner) -> Inner {
        // SAFETY: SSE is part of the x86-64 baseline.
        unsafe { _mm_max_ps(a, b) }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    use std::arch::wasm32::*;

    pub type Inner = v128;

    pub fn from_array(a: [f32; 4]) -> Inner {
        f32x4(a[0], a[1], a[2], a[3])
    }

    pub fn to_array(v: Inner) -> [f32; 4] {
        [
            f32x4_extract_lane::<0>(v),
            f32x4_extract_lane::<1>(v),
            f32x4_extract_lane::<2>(v),
            f32x4_extract_lane::<3>(v),
        ]
    }

    pub fn splat(x: f32) -> Inner {
        f32x4_splat(x)
    }

    pub fn add(a: Inner, b: Inner) -> Inner {
        f32x4_add(a, b)
    }

    pub fn sub(a: Inner, b: Inner) -> Inner {
        f32x4_sub(a, b)
    }

    pub fn mul(a: Inner, b: Inner) -> Inner {
        f32x4_mul(a, b)
    }

    pub fn div(a: Inner, b: Inner) -> Inner {
        f32x4_div(a, b)
    }

    /// a > b ? a : b (`pmax(b, a)` is `b < a ? a : b`).
    pub fn max(a: Inner, b: Inner) -> Inner {
        f32x4_pmax(b, a)
    }
}

#[cfg(not(any(
    target_arch = "x86_64",
    all(target_arch = "wasm32", target_feature = "simd128")
)))]
mod imp {
    pub type Inner = [f32; 4];

    pub fn from_array(a: [f32; 4]) -> Inner {
        a
    }

    pub fn to_array(v: Inner) -> [f32; 4] {
        v
    }

    pub fn splat(x: f32) -> Inner {
        [x; 4]
    }

    fn map(a: Inner, b: Inner, f: impl Fn(f32, f32) -> f32) -> Inner {
        [f(a[0], b[0]), f(a[1], b[1]), f(a[2], b[2]), f(a[3], b[3])]
    }

    pub fn add(a: Inner, b: Inner) -> Inner {
        map(a, b, |x, y| x + y)
    }

    pub fn sub(a: Inner, b: Inner) -> Inner {
        map(a, b, |x, y| x - y)
    }

    pub fn mul(a: Inner, b: Inner) -> Inner {
        map(a, b, |x, y| x * y)
    }

    pub fn div(a: Inner, b: Inner) -> Inner {
        map(a, b, |x, y| x / y)
    }

    pub fn max(a: Inner, b: Inner) -> Inner {
        map(a, b, |x, y| if x > y { x } else { y })
    }
}

#[derive(Clone, Copy)]
pub(crate) struct F32x4(imp::Inner);

impl F32x4 {
    #[inline(always)]
    pub(crate) fn new(lanes: [f32; 4]) -> F32x4 {
        F32x4(imp::from_array(lanes))
    }

    #[inline(always)]
    pub(crate) fn splat(x: f32) -> F32x4 {
        F32x4(imp::splat(x))
    }

    #[inline(always)]
    pub(crate) fn from_slice(values: &[f32]) -> F32x4 {
        F32x4::new([values[0], values[1], values[2], values[3]])
    }

    #[inline(always)]
    pub(crate) fn to_array(self) -> [f32; 4] {
        imp::to_array(self.0)
    }

    /// Stores the lanes in `out[..4]`.
    #[inline(always)]
    pub(crate) fn write_to(self, out: &mut [f32]) {
        out[..4].copy_from_slice(&self.to_array());
    }

    /// Lane by lane `self > other ? self : other`: one instruction on every
    /// target, unlike `f32::max`, whose NaN rules cost a library call in wasm.
    #[inline(always)]
    pub(crate) fn max(self, other: F32x4) -> F32x4 {
        F32x4(imp::max(self.0, other.0))
    }

    /// (l0 + l1) + (l2 + l3).
    #[inline(always)]
    pub(crate) fn sum(self) -> f32 {
        let a = self.to_array();
        (a[0] + a[1]) + (a[2] + a[3])
    }
}

impl Add for F32x4 {
    type Output = F32x4;
    #[inline(always)]
    fn add(self, other: F32x4) -> F32x4 {
        F32x4(imp::add(self.0, other.0))
    }
}

impl Sub for F32x4 {
    type Output = F32x4;
    #[inline(always)]
    fn sub(self, other: F32x4) -> F32x4 {
        F32x4(imp::sub(self.0, other.0))
    }
}

impl Mul for F32x4 {
    type Output = F32x4;
    #[inline(always)]
    fn mul(self, other: F32x4) -> F32x4 {
        F32x4(imp::mul(self.0, other.0))
    }
}

impl Div for F32x4 {
    type Output = F32x4;
    #[inline(always)]
    fn div(self, other: F32x4) -> F32x4 {
        F32x4(imp::div(self.0, other.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_are_the_scalar_ieee_operations() {
        let a = [1.5f32, -2.0, 3.0e-39, 1.0e30];
        let b = [0.1f32, 7.0, -3.0, 3.0e-20];
        let (va, vb) = (F32x4::new(a), F32x4::new(b));
        type Scalar = fn(f32, f32) -> f32;
        let ops: [(F32x4, Scalar); 4] = [
            (va + vb, |x, y| x + y),
            (va - vb, |x, y| x - y),
            (va * vb, |x, y| x * y),
            (va / vb, |x, y| x / y),
        ];
        for (got, op) in ops {
            let want: Vec<u32> = a
                .iter()
                .zip(&b)
                .map(|(&x, &y)| op(x, y).to_bits())
                .collect();
            assert_eq!(got.to_array().map(f32::to_bits).to_vec(), want);
        }
        assert_eq!(F32x4::new([1.0, 2.0, 3.0, 4.0]).sum(), 10.0);
        // Ties between zeros pick the second operand on every target.
        let m = F32x4::new([0.0, -0.0, 1.0, -1.0]).max(F32x4::new([-0.0, 0.0, 1.0, 2.0]));
        let want = [-0.0f32, 0.0, 1.0, 2.0].map(f32::to_bits);
        assert_eq!(m.to_array().map(f32::to_bits), want);
        let mut out = [0.0; 5];
        va.write_to(&mut out[1..]);
        assert_eq!(out, [0.0, 1.5, -2.0, 3.0e-39, 1.0e30]);
    }
}
