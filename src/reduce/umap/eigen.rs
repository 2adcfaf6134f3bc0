//! The few extreme eigenvectors the spectral initialisation needs, from a
//! symmetric operator given only by its product with a vector: Lanczos
//! iteration with full reorthogonalisation (the method behind ARPACK's
//! `eigsh`, which umap-learn calls), and the implicit QL algorithm for the
//! small tridiagonal matrix it produces.
//!
//! Everything is f64 with `sqrt` as the only non-arithmetic operation, each
//! dot product summed in one fixed order and each entry of a vector update
//! computed alone, so results are the same on every target and for any
//! number of threads.

use crate::parallel::Pool;
use crate::reduce::random::Random;

/// sqrt(a^2 + b^2) without overflow or underflow in the squares.
fn hypot(a: f64, b: f64) -> f64 {
    let (a, b) = (a.abs(), b.abs());
    let (big, small) = if a > b { (a, b) } else { (b, a) };
    if big == 0.0 {
        return 0.0;
    }
    let r = small / big;
    big * (1.0 + r * r).sqrt()
}

/// Eigenvalues of the symmetric tridiagonal matrix with diagonal `diag` and
/// off-diagonal `off` (off[i] joins rows i and i + 1), by implicit QL with
/// Wilkinson-style shifts. Every rotation is also applied to the columns of the
/// `rows` x m row-major matrix `z`, so starting from the identity (or from its
/// last row alone) gives the eigenvectors (or their last components), one per
/// column, in the order of the returned values (not sorted). None if an
/// eigenvalue takes more than 60 iterations, which does not happen for finite
/// input.
pub fn tridiagonal_eigen(diag: &[f64], off: &[f64], z: &mut [f64]) -> Option<Vec<f64>> {
    let m = diag.len();
    let rows = z.len().checked_div(m).unwrap_or(0);
    let mut d = diag.to_vec();
    // e[i] joins rows i and i + 1; e[m - 1] is a zero sentinel.
    let mut e: Vec<f64> = off
        .iter()
        .copied()
        .chain(std::iter::once(0.0))
        .take(m)
        .collect();
    for l in 0..m {
        let mut iterations = 0;
        loop {
            // Find the first negligible off-diagonal element at or after l.
            let mut split = l;
            while split + 1 < m {
                let scale = d[split].abs() + d[split + 1].abs();
                if e[split].abs() <= f64::EPSILON * scale {
                    break;
                }
                split += 1;
            }
            if split == l {
                break;
            }
            iterations += 1;
            if iterations > 60 {
                return None;
            }
            // Shift from the leading 2 x 2 block, then chase the bulge up from `split`.
            let mut g = (d[l + 1] - d[l]) / (2.0 * e[l]);
            let mut r = hypot(g, 1.0);
            g = d[split] - d[l] + e[l] / (g + if g >= 0.0 { r } else { -r });
            let (mut s, mut c, mut p) = (1.0, 1.0, 0.0);
            let mut deflated_early = false;
            for i in (l..split).rev() {
                let f = s * e[i];
                let b = c * e[i];
                r = hypot(f, g);
                e[i + 1] = r;
                if r == 0.0 {
                    d[i + 1] -= p;
                    e[split] = 0.0;
                    deflated_early = true;
                    break;
                }
                s = f / r;
                c = g / r;
                g = d[i + 1] - p;
                r = (d[i] - g) * s + 2.0 * c * b;
                p = s * r;
                d[i + 1] = g + p;
                g = c * r - b;
                for row in 0..rows {
                    let zi = z[row * m + i];
                    let zi1 = z[row * m + i + 1];
                    z[row * m + i + 1] = s * zi + c * zi1;
                    z[row * m + i] = c * zi - s * zi1;
                }
            }
            if deflated_early {
                continue;
            }
            d[l] -= p;
            e[l] = g;
            e[split] = 0.0;
        }
    }
    Some(d)
}

/// The `count` algebraically largest eigenpairs of a symmetric operator on
/// R^n restricted to the complement of the orthonormal vectors `deflate`.
pub struct Lanczos<'a> {
    pub n: usize,
    pub deflate: &'a [Vec<f64>],
    pub count: usize,
    /// Converged when ||A y - theta y|| <= tol * max(|shift - theta|, 1e-12)
    /// for every wanted pair: with A = I - L and shift 1, the tolerance is
    /// relative to L's eigenvalue, as ARPACK's is when umap-learn asks it for
    /// L's smallest.
    pub tol: f64,
    pub shift: f64,
    pub max_steps: usize,
    /// Thick restarts allowed when `max_steps` fill the basis unconverged
    /// (Wu and Simon's thick-restart Lanczos, what ARPACK's implicit
    /// restarts amount to for a symmetric operator): the best half of the
    /// Ritz vectors are kept and the basis grows again from the residual.
    pub restarts: usize,
    /// Runs the dot products (a whole vector each) and the vector updates
    /// (in pieces of rows): the same bits on any number of threads.
    pub pool: &'a Pool,
}

/// Unit eigenvectors, largest eigenvalue first.
pub struct EigenPairs {
    pub vectors: Vec<Vec<f64>>,
    /// Set when the steps ran out before the tolerance was met: the vectors
    /// are then the best approximations the Krylov space holds (smooth
    /// combinations of the wanted eigenvectors, good enough to start a
    /// layout from), and this says how far they are.
    pub unconverged: Option<String>,
}

impl Lanczos<'_> {
    /// Runs the iteration; Err carries why it stopped without converging.
    pub fn run(
        &self,
        apply: &mut dyn FnMut(&[f64], &mut [f64]),
        random: &mut Random,
    ) -> Result<EigenPairs, String> {
        let n = self.n;
        let room = n.saturating_sub(self.deflate.len());
        if self.count == 0 || self.count > room {
            return Err(format!(
                "{} eigenvectors asked of a space of dimension {room}",
                self.count
            ));
        }
        let max_steps = self.max_steps.min(room).max(self.count);
        let mut basis: Vec<Vec<f64>> = Vec::with_capacity(max_steps);
        let mut alpha: Vec<f64> = Vec::new();
        let mut beta: Vec<f64> = Vec::new();
        let mut q = self
            .fresh_direction(&basis, random)
            .ok_or("no start vector")?;
        let mut w = vec![0.0; n];
        for step in 0..max_steps {
            apply(&q, &mut w);
            let a = dot(&w, &q);
            axpy(-a, &q, &mut w);
            if let (Some(&b), Some(prev)) = (beta.last(), basis.last()) {
                axpy(-b, prev, &mut w);
            }
            basis.push(q);
            alpha.push(a);
            let b = self.orthogonalize(&mut w, &basis);
            let m = step + 1;
            let exhausted = m == max_steps;
            let breakdown = b <= 1e-10 * a.abs().max(1.0);
            if m >= self.count && (m % 8 == 0 || exhausted || breakdown) {
                let mut last = vec![0.0; m];
                last[m - 1] = 1.0;
                let values =
                    tridiagonal_eigen(&alpha, &beta, &mut last).ok_or("QL did not converge")?;
                let order = largest_first(&values, self.count);
                let residual_bound = |idx: usize| b * last[idx].abs();
                let converged = order.iter().all(|&i| {
                    residual_bound(i) <= self.tol * (self.shift - values[i]).abs().max(1e-12)
                });
                if converged || (breakdown && m == room) {
                    return Ok(self.ritz_pairs(&alpha, &beta, &basis, self.count));
                }
                if exhausted && self.restarts > 0 && !breakdown && m > self.count + 1 {
                    let mut h = vec![0.0; m * m];
                    for i in 0..m {
                        h[i * m + i] = alpha[i];
                        if i + 1 < m {
                            h[i * m + i + 1] = beta[i];
                            h[(i + 1) * m + i] = beta[i];
                        }
                    }
                    return Ok(self.thick_restarts(apply, random, basis, h, w, b));
                }
                if exhausted {
                    let worst = order.iter().map(|&i| residual_bound(i)).fold(0.0, f64::max);
                    let mut pairs = self.ritz_pairs(&alpha, &beta, &basis, self.count);
                    pairs.unconverged = Some(format!(
                        "Lanczos did not converge in {m} steps (residual {worst:.1e})"
                    ));
                    return Ok(pairs);
                }
            }
            if breakdown {
                // An invariant subspace: continue from a new direction (a zero
                // off-diagonal keeps the tridiagonal matrix exact).
                beta.push(0.0);
                q = self
                    .fresh_direction(&basis, random)
                    .ok_or("Krylov space exhausted")?;
            } else {
                beta.push(b);
                q = w.iter().map(|x| x / b).collect();
            }
        }
        Err("Lanczos ran out of steps".into())
    }

    /// Restarts a full basis of m vectors up to `self.restarts` times: keeps
    /// the largest half of its Ritz pairs (the projected matrix H becomes
    /// their values on the diagonal, joined to the residual by an arrow),
    /// continues from the residual `w` (norm `b`) with full
    /// reorthogonalisation, H filled from the projections, until the wanted
    /// pairs meet the tolerance or the restarts run out.
    fn thick_restarts(
        &self,
        apply: &mut dyn FnMut(&[f64], &mut [f64]),
        random: &mut Random,
        mut basis: Vec<Vec<f64>>,
        mut h: Vec<f64>,
        mut w: Vec<f64>,
        mut b: f64,
    ) -> EigenPairs {
        let m = basis.len();
        let keep = (m / 2).max(self.count + 1).min(m - 1);
        let mut restart = 0;
        loop {
            let ritz = crate::reduce::pca::top_eigenpairs(&h, m, keep);
            let residual = |y: &[f64]| b * y[m - 1].abs();
            let converged = ritz[..self.count]
                .iter()
                .all(|(value, y)| residual(y) <= self.tol * (self.shift - value).abs().max(1e-12));
            if converged || restart == self.restarts {
                let worst = ritz[..self.count]
                    .iter()
                    .map(|(_, y)| residual(y))
                    .fold(0.0, f64::max);
                let vectors = ritz[..self.count]
                    .iter()
                    .map(|(_, y)| combine(self.pool, &basis, y))
                    .collect();
                return EigenPairs {
                    vectors,
                    unconverged: (!converged).then(|| {
                        format!(
                            "Lanczos did not converge in {m} steps and {restart} restart{} \
                             (residual {worst:.1e})",
                            if restart == 1 { "" } else { "s" }
                        )
                    }),
                };
            }
            restart += 1;
            let kept: Vec<Vec<f64>> = ritz
                .iter()
                .map(|(_, y)| combine(self.pool, &basis, y))
                .collect();
            h.iter_mut().for_each(|x| *x = 0.0);
            for (i, (value, y)) in ritz.iter().enumerate() {
                h[i * m + i] = *value;
                h[i * m + keep] = b * y[m - 1];
                h[keep * m + i] = b * y[m - 1];
            }
            basis = kept;
            let mut q: Vec<f64> = if b > 0.0 {
                w.iter().map(|x| x / b).collect()
            } else {
                match self.fresh_direction(&basis, random) {
                    Some(q) => q,
                    None => return self.restart_failed(&basis, &h, m),
                }
            };
            for j in keep..m {
                apply(&q, &mut w);
                basis.push(std::mem::take(&mut q));
                let (along, len) = self.project_out(&mut w, &basis);
                for (i, c) in along.into_iter().enumerate() {
                    h[i * m + j] = c;
                    h[j * m + i] = c;
                }
                b = len;
                if j + 1 < m {
                    q = if len > 1e-10 {
                        w.iter().map(|x| x / len).collect()
                    } else {
                        b = 0.0;
                        match self.fresh_direction(&basis, random) {
                            Some(q) => q,
                            None => return self.restart_failed(&basis, &h, m),
                        }
                    };
                }
            }
        }
    }

    /// The Ritz vectors of a restarted basis that cannot grow (the space is
    /// exhausted: they are then exact).
    fn restart_failed(&self, basis: &[Vec<f64>], h: &[f64], m: usize) -> EigenPairs {
        let size = basis.len();
        let mut sub = vec![0.0; size * size];
        for i in 0..size {
            sub[i * size..(i + 1) * size].copy_from_slice(&h[i * m..i * m + size]);
        }
        let vectors = crate::reduce::pca::top_eigenpairs(&sub, size, self.count)
            .iter()
            .map(|(_, y)| combine(self.pool, basis, y))
            .collect();
        EigenPairs {
            vectors,
            unconverged: None,
        }
    }

    /// Removes from w its components along the deflated vectors and the
    /// basis, twice (classical Gram-Schmidt, "twice is enough"), and returns
    /// the components along the basis, summed over both passes, and the
    /// norm of what is left.
    fn project_out(&self, w: &mut [f64], basis: &[Vec<f64>]) -> (Vec<f64>, f64) {
        let mut total = vec![0.0; basis.len()];
        let vectors: Vec<&[f64]> = basis.iter().map(Vec::as_slice).collect();
        for _ in 0..2 {
            for v in self.deflate {
                let c = dot(w, v);
                axpy(-c, v, w);
            }
            let along = dots(self.pool, w, &vectors);
            subtract(self.pool, w, &vectors, &along);
            for (t, c) in total.iter_mut().zip(along) {
                *t += c;
            }
        }
        (total, norm(w))
    }

    /// Removes from w its components along the deflated vectors and the basis
    /// (classical Gram-Schmidt, repeated once when it cancelled most of w:
    /// "twice is enough", Kahan and Parlett) and returns its norm. A call per
    /// step, which lets a JIT optimise it early.
    #[inline(never)]
    fn orthogonalize(&self, w: &mut [f64], basis: &[Vec<f64>]) -> f64 {
        let mut before = norm(w);
        let vectors: Vec<&[f64]> = self
            .deflate
            .iter()
            .chain(basis)
            .map(Vec::as_slice)
            .collect();
        for _ in 0..2 {
            let along = dots(self.pool, w, &vectors);
            subtract(self.pool, w, &vectors, &along);
            let after = norm(w);
            if after > 0.7 * before {
                return after;
            }
            before = after;
        }
        before
    }

    fn fresh_direction(&self, basis: &[Vec<f64>], random: &mut Random) -> Option<Vec<f64>> {
        for _ in 0..4 {
            let mut v: Vec<f64> = (0..self.n).map(|_| random.normal()).collect();
            self.orthogonalize(&mut v, basis);
            let len = norm(&v);
            if len > 1e-8 {
                v.iter_mut().for_each(|x| *x /= len);
                return Some(v);
            }
        }
        None
    }

    fn ritz_pairs(
        &self,
        alpha: &[f64],
        beta: &[f64],
        basis: &[Vec<f64>],
        count: usize,
    ) -> EigenPairs {
        let m = alpha.len();
        let mut z = vec![0.0; m * m];
        for i in 0..m {
            z[i * m + i] = 1.0;
        }
        let values =
            tridiagonal_eigen(alpha, &beta[..m - 1], &mut z).unwrap_or_else(|| alpha.to_vec());
        let order = largest_first(&values, count);
        let mut vectors = Vec::with_capacity(count);
        for &col in &order {
            let y: Vec<f64> = (0..m).map(|row| z[row * m + col]).collect();
            vectors.push(combine(self.pool, basis, &y));
        }
        EigenPairs {
            vectors,
            unconverged: None,
        }
    }
}

/// Rows of a vector update (or of an operator's product) one task
/// computes: every entry is computed on its own, so the cut cannot change a
/// result and follows the threads, a few pieces per thread, one on one
/// thread (in the browser, short pieces cost more in calls than they gain).
pub fn rows_per_task(pool: &Pool, n: usize) -> usize {
    match pool.threads() {
        1 => n.max(1),
        threads => n.div_ceil(4 * threads).max(256),
    }
}

/// w . v for every v, each a task of its own.
fn dots(pool: &Pool, w: &[f64], vectors: &[&[f64]]) -> Vec<f64> {
    pool.map(vectors.len(), |k| dot(w, vectors[k]))
}

/// w -= sum_k c[k] v[k], the terms subtracted in order from every entry.
fn subtract(pool: &Pool, w: &mut [f64], vectors: &[&[f64]], c: &[f64]) {
    let per_task = rows_per_task(pool, w.len());
    pool.chunks_mut(w, per_task, |piece, w| {
        let rows = piece * per_task..piece * per_task + w.len();
        for (v, &c) in vectors.iter().zip(c) {
            axpy(-c, &v[rows.clone()], w);
        }
    });
}

/// sum_r y[r] basis[r], normalised.
fn combine(pool: &Pool, basis: &[Vec<f64>], y: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; basis.first().map_or(0, Vec::len)];
    let per_task = rows_per_task(pool, out.len());
    pool.chunks_mut(&mut out, per_task, |piece, out| {
        let rows = piece * per_task..piece * per_task + out.len();
        for (v, &c) in basis.iter().zip(y) {
            axpy(c, &v[rows.clone()], out);
        }
    });
    let len = norm(&out);
    if len > 0.0 {
        out.iter_mut().for_each(|x| *x /= len);
    }
    out
}

/// Indices of the `count` largest values, largest first (ties by index).
fn largest_first(values: &[f64], count: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&i, &j| values[j].total_cmp(&values[i]).then(i.cmp(&j)));
    order.truncate(count);
    order
}

/// Dot product in eight fixed lanes (vectorised, the same sum on every target).
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let (a_chunks, a_rest) = a.as_chunks::<8>();
    let (b_chunks, b_rest) = b.as_chunks::<8>();
    let mut acc = [0.0f64; 8];
    for (x, y) in a_chunks.iter().zip(b_chunks) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    // Kept from being fused into the loop, which would then run two lanes at a time.
    let acc = std::hint::black_box(acc);
    let rest: f64 = a_rest.iter().zip(b_rest).map(|(x, y)| x * y).sum();
    (((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]))) + rest
}

pub fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The operator diag(spectrum).
    fn diagonal(spectrum: &[f64]) -> impl FnMut(&[f64], &mut [f64]) + '_ {
        move |x, y| {
            for ((y, x), l) in y.iter_mut().zip(x).zip(spectrum) {
                *y = l * x;
            }
        }
    }

    #[test]
    fn ql_diagonalises_a_tridiagonal_matrix() {
        // The path graph's Laplacian-like matrix 2, -1 has eigenvalues 2 - 2 cos(k pi / (m + 1)).
        let m = 7;
        let diag = vec![2.0; m];
        let off = vec![-1.0; m - 1];
        let mut z = vec![0.0; m * m];
        for i in 0..m {
            z[i * m + i] = 1.0;
        }
        let mut values = tridiagonal_eigen(&diag, &off, &mut z).unwrap();
        for col in 0..m {
            // T v = lambda v for every returned column.
            for row in 0..m {
                let mut tv = 2.0 * z[row * m + col];
                if row > 0 {
                    tv -= z[(row - 1) * m + col];
                }
                if row + 1 < m {
                    tv -= z[(row + 1) * m + col];
                }
                assert!((tv - values[col] * z[row * m + col]).abs() < 1e-12);
            }
        }
        values.sort_by(f64::total_cmp);
        for (k, v) in values.iter().enumerate() {
            let want = 2.0 - 2.0 * ((k + 1) as f64 * std::f64::consts::PI / (m + 1) as f64).cos();
            assert!((v - want).abs() < 1e-12);
        }
    }

    #[test]
    fn out_of_steps_it_returns_its_best_approximations_and_says_so() {
        let n = 2000;
        let spectrum: Vec<f64> = (0..n).map(|i| 1.0 - i as f64 / n as f64).collect();
        let solver = Lanczos {
            n,
            deflate: &[],
            count: 2,
            tol: 1e-12,
            shift: 0.0,
            max_steps: 24,
            restarts: 0,
            pool: &Pool::serial(),
        };
        let mut apply = diagonal(&spectrum);
        let pairs = solver.run(&mut apply, &mut Random::new(3)).unwrap();
        let why = pairs.unconverged.expect("24 steps cannot meet 1e-12 here");
        assert!(why.contains("did not converge in 24 steps"), "{why}");
        // Unit vectors whose weight sits on the top of the spectrum: a
        // Rayleigh quotient far above the operator's mean (0.5).
        for v in &pairs.vectors {
            assert!((norm(v) - 1.0).abs() < 1e-9);
            let rayleigh: f64 = v.iter().zip(&spectrum).map(|(x, l)| l * x * x).sum();
            assert!(rayleigh > 0.95, "{rayleigh}");
        }
    }

    #[test]
    fn thick_restarts_converge_where_one_basis_cannot() {
        // A clear top pair over a dense tail: 16 vectors cannot resolve it to
        // 1e-9, restarted bases can.
        let n = 3000;
        let spectrum: Vec<f64> = (0..n)
            .map(|i| match i {
                0 => 1.0,
                1 => 0.97,
                _ => 0.9 * (1.0 - i as f64 / n as f64),
            })
            .collect();
        let mut apply = diagonal(&spectrum);
        let serial = Pool::serial();
        let solver = |restarts| Lanczos {
            n,
            deflate: &[],
            count: 2,
            tol: 1e-9,
            shift: 0.0,
            max_steps: 16,
            restarts,
            pool: &serial,
        };
        let once = solver(0).run(&mut apply, &mut Random::new(5)).unwrap();
        assert!(once.unconverged.is_some(), "one basis of 16 falls short");
        let restarted = solver(40).run(&mut apply, &mut Random::new(5)).unwrap();
        assert_eq!(restarted.unconverged, None);
        for (k, v) in restarted.vectors.iter().enumerate() {
            assert!((norm(v) - 1.0).abs() < 1e-9);
            assert!(v[k].abs() > 0.999_999, "eigenvector {k}: {}", v[k]);
        }
        // Out of restarts, it says how far it got.
        let short = solver(1).run(&mut apply, &mut Random::new(5)).unwrap();
        let why = short.unconverged.expect("one restart is not enough");
        assert!(why.contains("16 steps and 1 restart ("), "{why}");
    }

    #[test]
    fn the_same_bits_on_any_number_of_threads() {
        // Long enough vectors for several row pieces; few enough steps for a
        // restart, which runs the other Gram-Schmidt and the combinations.
        let n = 5000;
        let spectrum: Vec<f64> = (0..n).map(|i| 1.0 / (1.0 + i as f64)).collect();
        let mut trivial = vec![0.0; n];
        trivial[n - 1] = 1.0;
        let deflate = [trivial];
        let run = |threads: usize| {
            let pool = Pool::new(crate::parallel::Threads::new(threads).unwrap());
            let solver = Lanczos {
                n,
                deflate: &deflate,
                count: 3,
                tol: 1e-12,
                shift: 0.0,
                max_steps: 12,
                restarts: 2,
                pool: &pool,
            };
            let pairs = solver
                .run(&mut diagonal(&spectrum), &mut Random::new(3))
                .unwrap();
            let bits: Vec<u64> = pairs
                .vectors
                .iter()
                .flatten()
                .map(|x| x.to_bits())
                .collect();
            bits
        };
        let one = run(1);
        assert_eq!(one.len(), 3 * n);
        for threads in [2, 3] {
            assert!(run(threads) == one, "{threads} threads");
        }
    }

    #[test]
    fn lanczos_finds_the_top_of_a_diagonal_operator() {
        let n = 300;
        let spectrum: Vec<f64> = (0..n).map(|i| 1.0 - i as f64 / n as f64).collect();
        // Deflate the top eigenvector e_0: the answer is then e_1 and e_2.
        let mut e0 = vec![0.0; n];
        e0[0] = 1.0;
        let deflate = [e0];
        let solver = Lanczos {
            n,
            deflate: &deflate,
            count: 2,
            tol: 1e-8,
            shift: 0.0,
            max_steps: 300,
            restarts: 0,
            pool: &Pool::serial(),
        };
        let mut apply = diagonal(&spectrum);
        let pairs = solver.run(&mut apply, &mut Random::new(1)).unwrap();
        assert!(pairs.vectors[0][1].abs() > 0.9999 && pairs.vectors[1][2].abs() > 0.9999);
    }
}
