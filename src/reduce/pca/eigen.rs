//! The few largest eigenpairs of a real symmetric matrix, in f64, the way
//! LAPACK's `dsyevx` finds selected eigenpairs:
//!
//! 1. Householder reduction to tridiagonal form, A = Q T Q^T (`dsytd2`);
//! 2. the wanted eigenvalues of T by bisection on Sturm counts (`dstebz`),
//!    which cannot fail to converge and is accurate to a few ulps of ||T||;
//! 3. their eigenvectors of T by inverse iteration (`dstein`), orthogonalised
//!    within clusters of close eigenvalues;
//! 4. back-transformation by the Householder reflectors, v = Q z.
//!
//! Only step 1 costs O(D^3) (about D^3 multiply-adds); asking for k
//! eigenvectors adds O(k D^2). Pure arithmetic and `sqrt`, in a fixed order.

/// The `count` largest eigenvalues of the symmetric row-major `n` x `n`
/// matrix `a`, largest first, each with a unit eigenvector.
pub(crate) fn top_eigenpairs(a: &[f64], n: usize, count: usize) -> Vec<(f64, Vec<f64>)> {
    let mut reflectors = a.to_vec();
    let tri = tridiagonalize(&mut reflectors, n);
    let (lo, hi) = tri.gershgorin_bounds();
    let norm = lo.abs().max(hi.abs());
    if norm == 0.0 {
        return (0..count)
            .map(|k| {
                (
                    0.0,
                    (0..n).map(|i| if i == k { 1.0 } else { 0.0 }).collect(),
                )
            })
            .collect();
    }
    let mut values: Vec<f64> = Vec::with_capacity(count);
    let mut vectors: Vec<Vec<f64>> = Vec::with_capacity(count);
    for k in 0..count {
        let value = tri.eigenvalue(n - 1 - k);
        let cluster: Vec<&[f64]> = values
            .iter()
            .zip(&vectors)
            .filter(|(v, _)| (*v - value).abs() <= 1e-3 * norm)
            .map(|(_, z)| z.as_slice())
            .collect();
        let z = tri.eigenvector(value, norm, k, &cluster);
        values.push(value);
        vectors.push(z);
    }
    values
        .into_iter()
        .zip(vectors)
        .map(|(value, z)| (value, back_transform(&reflectors, &tri.tau, n, z)))
        .collect()
}

/// T = Q^T A Q: diagonal, off-diagonal, and the Householder scalars whose
/// vectors sit below the subdiagonal of the reduced matrix.
struct Tridiagonal {
    diagonal: Vec<f64>,
    off_diagonal: Vec<f64>,
    tau: Vec<f64>,
}

/// Householder reduction of the lower triangle (LAPACK `dsytd2`, uplo = 'L').
/// On return `a[i * n + k]` for i > k + 1 holds reflector k's vector (its
/// first entry, 1, implicit at row k + 1).
fn tridiagonalize(a: &mut [f64], n: usize) -> Tridiagonal {
    let mut diagonal = vec![0.0; n];
    let mut off_diagonal = vec![0.0; n.saturating_sub(1)];
    let mut tau = vec![0.0; n.saturating_sub(1)];
    let mut v = vec![0.0; n];
    let mut w = vec![0.0; n];
    for k in 0..n.saturating_sub(1) {
        let len = n - k - 1;
        let alpha = a[(k + 1) * n + k];
        let tail: f64 = (k + 2..n).map(|i| a[i * n + k] * a[i * n + k]).sum();
        let (t, beta) = if tail == 0.0 {
            (0.0, alpha)
        } else {
            let beta = -alpha.signum() * (alpha * alpha + tail).sqrt();
            let scale = 1.0 / (alpha - beta);
            for i in k + 2..n {
                a[i * n + k] *= scale;
            }
            ((beta - alpha) / beta, beta)
        };
        off_diagonal[k] = beta;
        tau[k] = t;
        diagonal[k] = a[k * n + k];
        if t == 0.0 {
            continue;
        }
        update_trailing(a, n, k, t, &mut v[..len], &mut w[..len]);
    }
    if n > 0 {
        diagonal[n - 1] = a[(n - 1) * n + n - 1];
    }
    Tridiagonal {
        diagonal,
        off_diagonal,
        tau,
    }
}

/// Applies reflector `k` (scalar `t`, vector below the subdiagonal of column
/// k) to the trailing submatrix: A22 -= v w^T + w v^T with p = t A22 v and
/// w = p - (t/2)(p.v) v. The O(n^2) step; a call per column also lets V8
/// optimise it (it runs a wasm function's optimised code only from its next
/// call on).
#[inline(never)]
fn update_trailing(a: &mut [f64], n: usize, k: usize, t: f64, v: &mut [f64], w: &mut [f64]) {
    let len = v.len();
    v[0] = 1.0;
    for (j, vj) in v.iter_mut().enumerate().skip(1) {
        *vj = a[(k + 1 + j) * n + k];
    }
    for (i, wi) in w.iter_mut().enumerate() {
        let row = &a[(k + 1 + i) * n + k + 1..(k + 2 + i) * n];
        *wi = t * row.iter().zip(v.iter()).map(|(x, y)| x * y).sum::<f64>();
    }
    let pv: f64 = w.iter().zip(v.iter()).map(|(x, y)| x * y).sum();
    let half = 0.5 * t * pv;
    for (wi, vi) in w.iter_mut().zip(v.iter()) {
        *wi -= half * vi;
    }
    for i in 0..len {
        let (vi, wi) = (v[i], w[i]);
        let row = &mut a[(k + 1 + i) * n + k + 1..(k + 2 + i) * n];
        for ((x, &vj), &wj) in row.iter_mut().zip(v.iter()).zip(w.iter()) {
            *x -= vi * wj + wi * vj;
        }
    }
}

/// v = H_0 H_1 ... H_{n-2} z.
fn back_transform(reflectors: &[f64], tau: &[f64], n: usize, mut z: Vec<f64>) -> Vec<f64> {
    for k in (0..tau.len()).rev() {
        if tau[k] == 0.0 {
            continue;
        }
        let reflector = |i: usize| {
            if i == k + 1 {
                1.0
            } else {
                reflectors[i * n + k]
            }
        };
        let dot: f64 = (k + 1..n).map(|i| reflector(i) * z[i]).sum();
        let scale = tau[k] * dot;
        for (i, zi) in z.iter_mut().enumerate().skip(k + 1) {
            *zi -= scale * reflector(i);
        }
    }
    z
}

impl Tridiagonal {
    fn len(&self) -> usize {
        self.diagonal.len()
    }

    /// An interval holding every eigenvalue (Gershgorin discs).
    fn gershgorin_bounds(&self) -> (f64, f64) {
        let n = self.len();
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for i in 0..n {
            let left = if i > 0 {
                self.off_diagonal[i - 1].abs()
            } else {
                0.0
            };
            let right = if i + 1 < n {
                self.off_diagonal[i].abs()
            } else {
                0.0
            };
            lo = lo.min(self.diagonal[i] - left - right);
            hi = hi.max(self.diagonal[i] + left + right);
        }
        (lo, hi)
    }

    /// How many eigenvalues are smaller than `x` (Sturm sequence).
    fn count_below(&self, x: f64, pivot_min: f64) -> usize {
        let mut count = 0;
        let mut q = 1.0;
        for i in 0..self.len() {
            let e2 = if i > 0 {
                self.off_diagonal[i - 1] * self.off_diagonal[i - 1]
            } else {
                0.0
            };
            q = self.diagonal[i] - x - if i > 0 { e2 / q } else { 0.0 };
            if q.abs() < pivot_min {
                q = -pivot_min;
            }
            if q < 0.0 {
                count += 1;
            }
        }
        count
    }

    /// The eigenvalue with ascending index `index`, by bisection.
    fn eigenvalue(&self, index: usize) -> f64 {
        let (mut lo, mut hi) = self.gershgorin_bounds();
        let norm = lo.abs().max(hi.abs());
        let pivot_min = f64::MIN_POSITIVE.max(norm * norm * f64::EPSILON * f64::EPSILON);
        let margin = 2.0 * f64::EPSILON * norm + pivot_min;
        lo -= margin;
        hi += margin;
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi || hi - lo <= 2.0 * f64::EPSILON * lo.abs().max(hi.abs()) {
                break;
            }
            if self.count_below(mid, pivot_min) > index {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        0.5 * (lo + hi)
    }

    /// Unit eigenvector for `value` by inverse iteration from a fixed start,
    /// kept orthogonal to `others` (unit eigenvectors of T for nearby
    /// eigenvalues).
    fn eigenvector(&self, value: f64, norm: f64, seed: usize, others: &[&[f64]]) -> Vec<f64> {
        let n = self.len();
        let factors = ShiftedLu::new(self, value, norm);
        let mut x: Vec<f64> = (0..n).map(|i| start_entry(i, seed)).collect();
        for _ in 0..5 {
            for other in others {
                let dot: f64 = x.iter().zip(other.iter()).map(|(a, b)| a * b).sum();
                for (xi, oi) in x.iter_mut().zip(other.iter()) {
                    *xi -= dot * oi;
                }
            }
            factors.solve(&mut x);
            normalize(&mut x);
        }
        for other in others {
            let dot: f64 = x.iter().zip(other.iter()).map(|(a, b)| a * b).sum();
            for (xi, oi) in x.iter_mut().zip(other.iter()) {
                *xi -= dot * oi;
            }
        }
        normalize(&mut x);
        x
    }
}

/// A fixed, well-spread start vector (golden-ratio sequence), different for
/// each wanted eigenvector.
fn start_entry(i: usize, seed: usize) -> f64 {
    let phi = 0.618_033_988_749_894_9;
    let t = ((i + 1) as f64 * phi + seed as f64 * 0.414_213_562_373_095_1).fract();
    0.5 + t
}

fn normalize(x: &mut [f64]) {
    let scale = x.iter().map(|v| v.abs()).fold(0.0, f64::max);
    if scale == 0.0 {
        x.fill(1.0);
    } else {
        for v in x.iter_mut() {
            *v /= scale;
        }
    }
    let length = x.iter().map(|v| v * v).sum::<f64>().sqrt();
    for v in x.iter_mut() {
        *v /= length;
    }
}

/// LU factors with partial pivoting of T - value I (LAPACK `dlagtf`), zero
/// pivots replaced by a tiny multiple of ||T|| as inverse iteration needs.
struct ShiftedLu {
    /// U's diagonal, first and second superdiagonals.
    u0: Vec<f64>,
    u1: Vec<f64>,
    u2: Vec<f64>,
    multipliers: Vec<f64>,
    swapped: Vec<bool>,
}

impl ShiftedLu {
    fn new(t: &Tridiagonal, value: f64, norm: f64) -> ShiftedLu {
        let n = t.len();
        let tiny = (f64::EPSILON * norm).max(f64::MIN_POSITIVE);
        let mut u0 = vec![0.0; n];
        let mut u1 = vec![0.0; n];
        let mut u2 = vec![0.0; n];
        let mut multipliers = vec![0.0; n.saturating_sub(1)];
        let mut swapped = vec![false; n.saturating_sub(1)];
        // The row being eliminated: entries at columns i and i + 1.
        let mut c0 = t.diagonal[0] - value;
        let mut c1 = if n > 1 { t.off_diagonal[0] } else { 0.0 };
        for i in 0..n.saturating_sub(1) {
            let sub = t.off_diagonal[i];
            let diag = t.diagonal[i + 1] - value;
            let sup = if i + 2 < n {
                t.off_diagonal[i + 1]
            } else {
                0.0
            };
            if c0.abs() >= sub.abs() {
                let pivot = if c0 == 0.0 { tiny } else { c0 };
                let m = sub / pivot;
                (u0[i], u1[i], u2[i]) = (pivot, c1, 0.0);
                multipliers[i] = m;
                (c0, c1) = (diag - m * c1, sup);
            } else {
                let m = c0 / sub;
                (u0[i], u1[i], u2[i]) = (sub, diag, sup);
                multipliers[i] = m;
                swapped[i] = true;
                (c0, c1) = (c1 - m * diag, -m * sup);
            }
        }
        if n > 0 {
            u0[n - 1] = if c0 == 0.0 { tiny } else { c0 };
        }
        ShiftedLu {
            u0,
            u1,
            u2,
            multipliers,
            swapped,
        }
    }

    /// Overwrites `b` with (T - value I)^-1 b.
    fn solve(&self, b: &mut [f64]) {
        let n = b.len();
        for i in 0..n.saturating_sub(1) {
            if self.swapped[i] {
                b.swap(i, i + 1);
            }
            b[i + 1] -= self.multipliers[i] * b[i];
        }
        for i in (0..n).rev() {
            let mut s = b[i];
            if i + 1 < n {
                s -= self.u1[i] * b[i + 1];
            }
            if i + 2 < n {
                s -= self.u2[i] * b[i + 2];
            }
            b[i] = s / self.u0[i];
        }
    }
}
