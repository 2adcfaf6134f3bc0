//! Two-dimensional radix-2 FFTs for the repulsion's grid convolutions.
//!
//! Why a hand-written FFT: the repulsion needs one shape of transform (square,
//! power-of-two side, complex f32 held as separate real and imaginary planes)
//! and it must give the same bits natively and in wasm; a small radix-2 code
//! does that without a dependency.
//!
//! Layout and tricks, all for speed:
//! - a transform along the first axis treats whole rows as vector elements, so
//!   every butterfly is a loop over contiguous columns that the compiler
//!   vectorises; the second axis is done the same way after a transpose;
//! - the forward transform is decimation in frequency (natural order in,
//!   bit-reversed out) and the inverse decimation in time (bit-reversed in,
//!   natural out), so a convolution never permutes: the spectra are simply
//!   all in the same scrambled, transposed order;
//! - the convolution's inputs are zero outside the first half of each axis
//!   and only the first half of each output axis is wanted, so the first
//!   forward stage and the last inverse stage do half the work.

use super::math::cos_sin_turns;

/// Transforms of `size` x `size` arrays (rows of `size` values).
pub(super) struct Fft2 {
    size: usize,
    /// e^(-2 pi i j / size) for j < size / 2.
    cos: Vec<f32>,
    sin: Vec<f32>,
}

impl Fft2 {
    pub(super) fn new(size: usize) -> Fft2 {
        assert!(
            size.is_power_of_two() && size >= 2,
            "FFT size {size} is not a power of two"
        );
        let (cos, sin) = (0..size / 2)
            .map(|j| {
                let (c, s) = cos_sin_turns(j, size);
                (c as f32, -s as f32)
            })
            .unzip();
        Fft2 { size, cos, sin }
    }

    pub(super) fn size(&self) -> usize {
        self.size
    }

    /// Forward transform in place. With `padded`, only the top-left
    /// `size/2` x `size/2` quadrant may be non-zero. The spectrum comes out
    /// transposed and bit-reversed along both axes.
    pub(super) fn forward(&self, re: &mut [f32], im: &mut [f32], padded: bool) {
        let n = self.size;
        let width = if padded { n / 2 } else { n };
        self.forward_rows(re, im, width, padded);
        transpose(re, n);
        transpose(im, n);
        self.forward_rows(re, im, n, padded);
    }

    /// Inverse of [`Fft2::forward`] (without the 1/size^2 factor), taking its
    /// scrambled layout. With `quadrant`, only the top-left `size/2` x
    /// `size/2` outputs are computed; the rest of the arrays is garbage.
    pub(super) fn inverse(&self, re: &mut [f32], im: &mut [f32], quadrant: bool) {
        let n = self.size;
        self.inverse_rows(re, im, n, quadrant);
        transpose(re, n);
        transpose(im, n);
        let width = if quadrant { n / 2 } else { n };
        self.inverse_rows(re, im, width, quadrant);
    }

    /// Decimation-in-frequency transform along the first axis of the first
    /// `width` columns; `upper_zero` when rows size/2.. are zero.
    fn forward_rows(&self, re: &mut [f32], im: &mut [f32], width: usize, upper_zero: bool) {
        let n = self.size;
        let mut half = n / 2;
        let mut first = true;
        while half >= 1 {
            let twiddle_step = n / (2 * half);
            for start in (0..n).step_by(2 * half) {
                for j in 0..half {
                    let (wr, wi) = (self.cos[j * twiddle_step], self.sin[j * twiddle_step]);
                    let (a, b) = (start + j, start + j + half);
                    let (ar, br) = two_rows(re, n, a, b, width);
                    let (ai, bi) = two_rows(im, n, a, b, width);
                    if first && upper_zero {
                        copy_rotated(ar, ai, br, bi, wr, wi);
                    } else {
                        butterfly_dif(ar, ai, br, bi, wr, wi);
                    }
                }
            }
            first = false;
            half /= 2;
        }
    }

    /// Decimation-in-time inverse along the first axis of the first `width`
    /// columns; `lower_only` computes only output rows ..size/2.
    fn inverse_rows(&self, re: &mut [f32], im: &mut [f32], width: usize, lower_only: bool) {
        let n = self.size;
        let mut half = 1;
        while half < n {
            let twiddle_step = n / (2 * half);
            let last = 2 * half == n;
            for start in (0..n).step_by(2 * half) {
                for j in 0..half {
                    // Conjugate twiddles for the inverse.
                    let (wr, wi) = (self.cos[j * twiddle_step], -self.sin[j * twiddle_step]);
                    let (a, b) = (start + j, start + j + half);
                    let (ar, br) = two_rows(re, n, a, b, width);
                    let (ai, bi) = two_rows(im, n, a, b, width);
                    if last && lower_only {
                        add_rotated(ar, ai, br, bi, wr, wi);
                    } else {
                        butterfly_dit(ar, ai, br, bi, wr, wi);
                    }
                }
            }
            half *= 2;
        }
    }
}

/// Rows `a` < `b` of a row-major array with rows of `n`, first `width` columns.
fn two_rows(
    data: &mut [f32],
    n: usize,
    a: usize,
    b: usize,
    width: usize,
) -> (&mut [f32], &mut [f32]) {
    let (low, high) = data.split_at_mut(b * n);
    (&mut low[a * n..a * n + width], &mut high[..width])
}

/// (a, b) <- (a + b, (a - b) w)
fn butterfly_dif(ar: &mut [f32], ai: &mut [f32], br: &mut [f32], bi: &mut [f32], wr: f32, wi: f32) {
    for (((ar, ai), br), bi) in ar
        .iter_mut()
        .zip(ai.iter_mut())
        .zip(br.iter_mut())
        .zip(bi.iter_mut())
    {
        let (dr, di) = (*ar - *br, *ai - *bi);
        *ar += *br;
        *ai += *bi;
        *br = dr * wr - di * wi;
        *bi = dr * wi + di * wr;
    }
}

/// The first DIF stage when b is zero: (a, b) <- (a, a w).
fn copy_rotated(ar: &mut [f32], ai: &mut [f32], br: &mut [f32], bi: &mut [f32], wr: f32, wi: f32) {
    for (((ar, ai), br), bi) in ar
        .iter_mut()
        .zip(ai.iter_mut())
        .zip(br.iter_mut())
        .zip(bi.iter_mut())
    {
        *br = *ar * wr - *ai * wi;
        *bi = *ar * wi + *ai * wr;
    }
}

/// (a, b) <- (a + b w, a - b w)
fn butterfly_dit(ar: &mut [f32], ai: &mut [f32], br: &mut [f32], bi: &mut [f32], wr: f32, wi: f32) {
    for (((ar, ai), br), bi) in ar
        .iter_mut()
        .zip(ai.iter_mut())
        .zip(br.iter_mut())
        .zip(bi.iter_mut())
    {
        let tr = *br * wr - *bi * wi;
        let ti = *br * wi + *bi * wr;
        *br = *ar - tr;
        *bi = *ai - ti;
        *ar += tr;
        *ai += ti;
    }
}

/// The last DIT stage when only a is wanted: a <- a + b w.
fn add_rotated(ar: &mut [f32], ai: &mut [f32], br: &mut [f32], bi: &mut [f32], wr: f32, wi: f32) {
    for (((ar, ai), br), bi) in ar
        .iter_mut()
        .zip(ai.iter_mut())
        .zip(br.iter())
        .zip(bi.iter())
    {
        *ar += *br * wr - *bi * wi;
        *ai += *br * wi + *bi * wr;
    }
}

/// In-place transpose of a row-major `n` x `n` array, in cache-sized tiles.
fn transpose(data: &mut [f32], n: usize) {
    const TILE: usize = 16;
    for bi in (0..n).step_by(TILE) {
        for bj in (bi..n).step_by(TILE) {
            for i in bi..(bi + TILE).min(n) {
                let from = if bi == bj { i + 1 } else { bj };
                for j in from..(bj + TILE).min(n) {
                    data.swap(i * n + j, j * n + i);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Direct O(n^4) 2-D DFT in f64 with e^(-2 pi i (ky y + kx x) / n).
    fn dft(re: &[f64], im: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
        let mut out_re = vec![0.0; n * n];
        let mut out_im = vec![0.0; n * n];
        for ky in 0..n {
            for kx in 0..n {
                for y in 0..n {
                    for x in 0..n {
                        let (c, s) = cos_sin_turns(ky * y + kx * x, n);
                        let (a, b) = (re[y * n + x], im[y * n + x]);
                        out_re[ky * n + kx] += a * c + b * s;
                        out_im[ky * n + kx] += b * c - a * s;
                    }
                }
            }
        }
        (out_re, out_im)
    }

    fn bit_reverse(i: usize, n: usize) -> usize {
        i.reverse_bits() >> (usize::BITS - n.trailing_zeros())
    }

    fn sample(n: usize, padded: bool) -> (Vec<f32>, Vec<f32>) {
        let value = |i: usize, k: usize| ((i * 7919 + k * 104_729) % 1000) as f32 / 500.0 - 1.0;
        let inside = |i: usize| !padded || (i / n < n / 2 && i % n < n / 2);
        let re = (0..n * n)
            .map(|i| if inside(i) { value(i, 1) } else { 0.0 })
            .collect();
        let im = (0..n * n)
            .map(|i| if inside(i) { value(i, 2) } else { 0.0 })
            .collect();
        (re, im)
    }

    #[test]
    fn forward_matches_the_direct_dft_in_its_scrambled_order() {
        for (n, padded) in [(2, false), (8, false), (8, true), (16, true)] {
            let (mut re, mut im) = sample(n, padded);
            let wide = |v: &[f32]| v.iter().map(|&x| f64::from(x)).collect::<Vec<_>>();
            let (want_re, want_im) = dft(&wide(&re), &wide(&im), n);
            Fft2::new(n).forward(&mut re, &mut im, padded);
            for ky in 0..n {
                for kx in 0..n {
                    // Transposed: row is kx, column ky, both bit-reversed.
                    let got = bit_reverse(kx, n) * n + bit_reverse(ky, n);
                    let want = ky * n + kx;
                    assert!(
                        (f64::from(re[got]) - want_re[want]).abs() < 1e-4 * n as f64,
                        "n {n} ({ky},{kx})"
                    );
                    assert!(
                        (f64::from(im[got]) - want_im[want]).abs() < 1e-4 * n as f64,
                        "n {n} ({ky},{kx})"
                    );
                }
            }
        }
    }

    #[test]
    fn inverse_undoes_forward() {
        for (n, padded) in [(4, false), (32, false), (32, true)] {
            let (re0, im0) = sample(n, padded);
            let (mut re, mut im) = (re0.clone(), im0.clone());
            let fft = Fft2::new(n);
            fft.forward(&mut re, &mut im, padded);
            fft.inverse(&mut re, &mut im, padded);
            let scale = 1.0 / (n * n) as f32;
            for y in 0..n {
                for x in 0..n {
                    if padded && (y >= n / 2 || x >= n / 2) {
                        continue;
                    }
                    let i = y * n + x;
                    assert!((re[i] * scale - re0[i]).abs() < 1e-5, "n {n} ({y},{x})");
                    assert!((im[i] * scale - im0[i]).abs() < 1e-5, "n {n} ({y},{x})");
                }
            }
        }
    }
}
