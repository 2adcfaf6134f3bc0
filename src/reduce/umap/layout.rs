//! Optimising the layout: stochastic gradient descent on the fuzzy set cross
//! entropy, with edges sampled in proportion to their weight and negative
//! sampling for the repulsion (umap-learn's `make_epochs_per_sample` and
//! `optimize_layout_euclidean` with `move_other = True`).
//!
//! The schedule is umap-learn's to the float64 operation: an edge of weight w
//! is sampled every w_max / w epochs, each time with about
//! negative_sample_rate negative samples; gradients are clipped to +-4 per
//! coordinate and the learning rate decays linearly to zero. The one
//! deliberate difference is the random stream (ours, seeded, one for the whole
//! run, instead of one Tausworthe state per vertex).

use crate::reduce::numeric::fast_pow;
use crate::reduce::random::Random;
use crate::reduce::simd::with_best_simd;
use crate::reduce::{Control, Observer, ReduceError, Step};

/// Epochs between samples of each edge: the heaviest edge every epoch, an
/// edge of weight w every w_max / w. Computed in umap-learn's types.
pub fn make_epochs_per_sample(weights: &[f32], n_epochs: usize) -> Vec<f64> {
    let max = weights.iter().copied().fold(0.0f32, f32::max);
    weights
        .iter()
        .map(|&w| {
            let n_samples = n_epochs as f32 * (w / max);
            if n_samples > 0.0 {
                n_epochs as f64 / n_samples as f64
            } else {
                -1.0
            }
        })
        .collect()
}

/// What the optimisation needs besides the layout.
pub struct Optimization<'a> {
    pub head: &'a [u32],
    pub tail: &'a [u32],
    pub epochs_per_sample: &'a [f64],
    pub n_epochs: usize,
    pub a: f32,
    pub b: f32,
    pub gamma: f32,
    pub initial_alpha: f32,
    pub negative_sample_rate: f64,
    /// Offer the layout to the observer every this many epochs (0: never).
    pub snapshot_every: usize,
}

/// Gradient clipping bound (umap-learn's `clip`).
const CLIP: f32 = 4.0;

#[inline(always)]
fn clip(x: f32) -> f32 {
    x.clamp(-CLIP, CLIP)
}

/// Lanes evaluated together: the edge's tail and negative samples, gradient
/// by gradient in plain Rust that the compiler turns into vector instructions.
const LANES: usize = 8;

/// One sample of edge (j, k) with `n_neg` negative samples, umap-learn's
/// inner loop body. The attraction to k and every repulsion are evaluated at
/// j's position before this sample (umap-learn moves j between them; taking
/// them together lets them run side by side, and changes the layout no more
/// than the order of edges does), then applied: j moves by all of them, k by
/// minus the attraction. Clipping is per gradient, as in umap-learn.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn sample_edge<const DIM: usize>(
    embedding: &mut [f32],
    j: usize,
    k: usize,
    n_neg: usize,
    alpha: f32,
    curve: Curve,
    random: &mut Random,
) {
    let n_vertices = (embedding.len() / DIM) as u32;
    let current: [f32; DIM] = std::array::from_fn(|d| embedding[j * DIM + d]);
    let mut attraction = [0.0f32; DIM];
    let mut repulsion = [0.0f32; DIM];
    let first = n_neg.min(LANES - 1);
    lanes::<DIM, true>(
        embedding,
        &current,
        j,
        k,
        first,
        n_vertices,
        curve,
        random,
        &mut attraction,
        &mut repulsion,
    );
    let mut remaining = n_neg - first;
    while remaining > 0 {
        let count = remaining.min(LANES);
        remaining -= count;
        lanes::<DIM, false>(
            embedding,
            &current,
            j,
            k,
            count,
            n_vertices,
            curve,
            random,
            &mut attraction,
            &mut repulsion,
        );
    }
    for d in 0..DIM {
        embedding[k * DIM + d] -= attraction[d] * alpha;
        embedding[j * DIM + d] = current[d] + attraction[d] * alpha + repulsion[d] * alpha;
    }
}

/// a, b of the curve and gamma, the weight of repulsion.
#[derive(Clone, Copy)]
struct Curve {
    a: f32,
    b: f32,
    gamma: f32,
}

/// A batch of lanes: with `POSITIVE`, lane 0 is the tail k (attraction) and
/// `count` negative samples follow; without, `count` negative samples. Every
/// batch draws LANES random vertices whatever `count` is, so no branch
/// depends on the data. A negative sample that draws j itself, or a point at
/// j's position, contributes nothing (umap-learn skips it too).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn lanes<const DIM: usize, const POSITIVE: bool>(
    embedding: &[f32],
    current: &[f32; DIM],
    j: usize,
    k: usize,
    count: usize,
    n_vertices: u32,
    Curve { a, b, gamma }: Curve,
    random: &mut Random,
    attraction: &mut [f32; DIM],
    repulsion: &mut [f32; DIM],
) {
    let mut others: [usize; LANES] = std::array::from_fn(|_| random.below(n_vertices) as usize);
    let first_negative = if POSITIVE { 1 } else { 0 };
    if POSITIVE {
        others[0] = k;
    }
    let live: [bool; LANES] = std::array::from_fn(|p| {
        (POSITIVE && p == 0)
            || (p >= first_negative && p < first_negative + count && others[p] != j)
    });
    let mut diff = [[0.0f32; LANES]; DIM];
    for p in 0..LANES {
        for d in 0..DIM {
            diff[d][p] = current[d] - embedding[others[p] * DIM + d];
        }
    }
    // The two formulas' choice per lane as data, so every lane runs the same
    // instructions (an index test would make the compiler peel lane 0).
    let attract: [bool; LANES] = std::array::from_fn(|p| POSITIVE && p == 0);
    let mut dist_squared = [0.0f32; LANES];
    for row in &diff {
        for p in 0..LANES {
            dist_squared[p] += row[p] * row[p];
        }
    }
    let mut coeff = [0.0f32; LANES];
    for p in 0..LANES {
        let d2 = dist_squared[p];
        let pow_b = fast_pow(d2, b);
        // Attraction: -2ab d^(2(b-1)) / (1 + a d^(2b)); repulsion: 2 gamma b / ((0.001 + d^2)(1 + a d^(2b))).
        let numerator = if attract[p] {
            -2.0 * a * b * pow_b
        } else {
            2.0 * gamma * b
        };
        let denominator = if attract[p] { d2 } else { 0.001 + d2 };
        let c = numerator / (denominator * (a * pow_b + 1.0));
        coeff[p] = if live[p] && d2 > 0.0 { c } else { 0.0 };
    }
    for d in 0..DIM {
        let grads: [f32; LANES] = std::array::from_fn(|p| clip(coeff[p] * diff[d][p]));
        if POSITIVE {
            attraction[d] += grads[0];
        }
        for &g in &grads[first_negative..] {
            repulsion[d] += g;
        }
    }
}

/// Runs the epochs on `embedding` (N x DIM, row-major) in place.
pub fn optimize_layout_euclidean<const DIM: usize>(
    embedding: &mut [f32],
    opt: &Optimization<'_>,
    random: &mut Random,
    observer: &mut dyn Observer,
) -> Result<(), ReduceError> {
    with_best_simd(
        #[inline(always)]
        |_| run_epochs::<DIM>(embedding, opt, random, observer),
    )
}

#[inline(always)]
fn run_epochs<const DIM: usize>(
    embedding: &mut [f32],
    opt: &Optimization<'_>,
    random: &mut Random,
    observer: &mut dyn Observer,
) -> Result<(), ReduceError> {
    let curve = Curve {
        a: opt.a,
        b: opt.b,
        gamma: opt.gamma,
    };
    let eps = opt.epochs_per_sample;
    let epochs_per_negative_sample: Vec<f64> =
        eps.iter().map(|e| e / opt.negative_sample_rate).collect();
    let mut epoch_of_next_negative_sample = epochs_per_negative_sample.clone();
    // Edges never to be sampled (weight 0) wait forever.
    let mut epoch_of_next_sample: Vec<f64> = eps
        .iter()
        .map(|&e| if e > 0.0 { e } else { f64::INFINITY })
        .collect();
    let mut due: Vec<u32> = vec![0; eps.len()];
    let mut alpha = opt.initial_alpha;
    for n in 0..opt.n_epochs {
        let epoch = n as f64;
        // The edges due this epoch, gathered without branches (which would
        // mispredict often and stall the pipeline the samples overlap in).
        let mut len = 0;
        for (i, &next) in epoch_of_next_sample.iter().enumerate() {
            due[len] = i as u32;
            len += (next <= epoch) as usize;
        }
        for &i in &due[..len] {
            let i = i as usize;
            epoch_of_next_sample[i] += eps[i];
            let n_neg_samples = ((epoch - epoch_of_next_negative_sample[i])
                / epochs_per_negative_sample[i])
                .max(0.0) as usize;
            sample_edge::<DIM>(
                embedding,
                opt.head[i] as usize,
                opt.tail[i] as usize,
                n_neg_samples,
                alpha,
                curve,
                random,
            );
            epoch_of_next_negative_sample[i] +=
                n_neg_samples as f64 * epochs_per_negative_sample[i];
        }
        alpha = opt.initial_alpha * (1.0 - n as f32 / opt.n_epochs as f32);
        let snapshot =
            opt.snapshot_every > 0 && ((n + 1) % opt.snapshot_every == 0 || n + 1 == opt.n_epochs);
        let step = Step {
            stage: "optimize_layout_euclidean",
            done: n + 1,
            total: opt.n_epochs,
            layout: if snapshot { Some(&*embedding) } else { None },
        };
        if observer.step(step) == Control::Cancel {
            return Err(ReduceError::Cancelled);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_heaviest_edge_is_sampled_every_epoch() {
        let eps = make_epochs_per_sample(&[1.0, 0.5, 0.25, 0.0], 200);
        assert_eq!(eps, [1.0, 2.0, 4.0, -1.0]);
    }
}
