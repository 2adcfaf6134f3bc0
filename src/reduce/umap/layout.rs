//! Optimising the layout: stochastic gradient descent on the fuzzy set cross
//! entropy, with edges sampled in proportion to their weight and negative
//! sampling for the repulsion (umap-learn's `make_epochs_per_sample` and
//! `optimize_layout_euclidean` with `move_other = True`).
//!
//! The schedule is umap-learn's to the float64 operation: an edge of weight w
//! is sampled every w_max / w epochs, each time with about
//! negative_sample_rate negative samples; the gradients are umap-learn's,
//! clipped to +-4 per coordinate, and the learning rate decays linearly to
//! zero. What differs, for speed, and leaves the quality measures where
//! umap-learn's are (`scripts/bench-reduce`):
//! - the random stream: ours, seeded, one per chunk of edges (below),
//!   instead of one Tausworthe state per vertex;
//! - evaluation order: umap-learn moves a point after its attraction and
//!   after each repulsion, one edge after another (or, in its parallel mode,
//!   whenever a thread gets there). Here the edges due in an epoch are taken
//!   in batches of [`BATCH`]; every move of a batch is computed from the
//!   positions the batch starts from, in chunks of [`CHUNK`] edges that run
//!   in parallel, each with its own random stream, and the moves are then
//!   applied edge by edge in edge order. Within a chunk eight edge samples
//!   and their negative samples are evaluated together, so the arithmetic
//!   runs as vector instructions. The layout is thus the same bits for any
//!   number of threads, natively and in wasm;
//! - edge order: every vertex's first edge, then every vertex's second, ...
//!   (see `umap.rs`), so a batch rarely touches one point twice.

use std::sync::{Mutex, RwLock};

use crate::parallel::Pool;
use crate::reduce::numeric::fast_pow;
use crate::reduce::random::Random;
use crate::reduce::simd::with_best_simd;
use crate::reduce::{Control, Observer, ReduceError, Stage, Step};

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

/// Written as two compare-selects (what `f32::clamp` does for numbers),
/// which wasm SIMD has single instructions for (pmax, pmin).
#[inline(always)]
fn clip(x: f32) -> f32 {
    let x = if x < -CLIP { -CLIP } else { x };
    if x > CLIP { CLIP } else { x }
}

/// Lanes per edge sample: its tail (the attraction), then up to SLOTS - 1
/// negative samples; more negative samples (rare) take extra rounds.
const SLOTS: usize = 8;
/// Edge samples evaluated together, so the per-lane arithmetic runs as long
/// loops the compiler turns into vector instructions.
const GROUP: usize = 8;
const GROUP_LANES: usize = SLOTS * GROUP;
/// Due edges whose moves are computed from the same positions. A batch
/// moves a few thousand of the points (12,000 in the page's maps), each by
/// a small step, so the positions its moves start from are nearly current.
pub const BATCH: usize = 4096;
/// Edges of a batch computed by one task, with one random stream.
pub const CHUNK: usize = 512;

/// a, b of the curve and gamma, the weight of repulsion.
#[derive(Clone, Copy)]
struct Curve {
    a: f32,
    b: f32,
    gamma: f32,
}

/// The clipped gradient of each lane from `diff` (the moving point's
/// position minus the other point's, per coordinate): umap-learn's attraction
/// -2ab d^(2(b-1)) / (1 + a d^(2b)) where `attract`, its repulsion
/// 2 gamma b / ((0.001 + d^2)(1 + a d^(2b))) elsewhere, times the offset and
/// clipped to +-4; zero where not `live` or where the two points coincide
/// (umap-learn skips those).
#[inline(always)]
fn lane_gradients<const DIM: usize, const N: usize>(
    diff: &[[f32; N]; DIM],
    attract: &[bool; N],
    live: &[bool; N],
    Curve { a, b, gamma }: Curve,
) -> [[f32; N]; DIM] {
    let mut dist_squared = [0.0f32; N];
    for row in diff {
        for p in 0..N {
            dist_squared[p] += row[p] * row[p];
        }
    }
    let mut coeff = [0.0f32; N];
    for p in 0..N {
        let d2 = dist_squared[p];
        let pow_b = fast_pow(d2, b);
        // Both formulas as selects, so every lane runs the same instructions.
        let numerator = if attract[p] {
            -2.0 * a * b * pow_b
        } else {
            2.0 * gamma * b
        };
        let denominator = if attract[p] { d2 } else { 0.001 + d2 };
        let c = numerator / (denominator * (a * pow_b + 1.0));
        coeff[p] = if live[p] && d2 > 0.0 { c } else { 0.0 };
    }
    let mut grads = [[0.0f32; N]; DIM];
    for (g, row) in grads.iter_mut().zip(diff) {
        for p in 0..N {
            g[p] = clip(coeff[p] * row[p]);
        }
    }
    grads
}

/// The sum of a slot's lanes as a fixed tree (halves, quarters, pair).
#[inline(always)]
fn slot_sum(lanes: &[f32]) -> f32 {
    let halves: [f32; 4] = std::array::from_fn(|l| lanes[l] + lanes[l + 4]);
    (halves[0] + halves[2]) + (halves[1] + halves[3])
}

/// The moves of one edge sample: the attraction (the tail moves by minus
/// it) and the head's attraction plus repulsion, before the learning rate.
#[derive(Clone, Copy)]
struct Move<const DIM: usize> {
    attraction: [f32; DIM],
    repulsion: [f32; DIM],
}

/// Samples a group of due edges with their negative samples and returns
/// their moves. Every gradient is evaluated at the positions in `embedding`
/// (umap-learn moves a point between its attraction and each repulsion;
/// taking them together lets them run side by side and changes the layout no
/// more than the order of edges does). `n_neg` holds each edge's number of
/// negative samples.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn sample_group<const DIM: usize>(
    embedding: &[f32],
    heads: &[usize; GROUP],
    tails: &[usize; GROUP],
    n_neg: &[usize; GROUP],
    edges: usize,
    curve: Curve,
    random: &mut Random,
    moves: &mut Vec<Move<DIM>>,
) {
    let n_vertices = (embedding.len() / DIM) as u32;
    let mut others = [0usize; GROUP_LANES];
    let mut live = [false; GROUP_LANES];
    for e in 0..edges {
        let slot = &mut others[e * SLOTS..(e + 1) * SLOTS];
        for pair in slot.chunks_exact_mut(2) {
            let [x, y] = random.two_below(n_vertices);
            (pair[0], pair[1]) = (x as usize, y as usize);
        }
        slot[0] = tails[e];
        let count = n_neg[e].min(SLOTS - 1);
        for p in 0..SLOTS {
            live[e * SLOTS + p] = p == 0 || (p <= count && slot[p] != heads[e]);
        }
    }
    let attract: [bool; GROUP_LANES] = std::array::from_fn(|l| l % SLOTS == 0);
    let mut diff = [[0.0f32; GROUP_LANES]; DIM];
    for l in 0..GROUP_LANES {
        for d in 0..DIM {
            diff[d][l] = embedding[heads[l / SLOTS] * DIM + d] - embedding[others[l] * DIM + d];
        }
    }
    let grads = lane_gradients::<DIM, GROUP_LANES>(&diff, &attract, &live, curve);
    for e in 0..edges {
        let j = heads[e];
        let start: [f32; DIM] = std::array::from_fn(|d| embedding[j * DIM + d]);
        let mut attraction = [0.0f32; DIM];
        let mut repulsion = [0.0f32; DIM];
        for d in 0..DIM {
            let slot = &grads[d][e * SLOTS..(e + 1) * SLOTS];
            attraction[d] = slot[0];
            repulsion[d] = slot_sum(slot) - slot[0];
        }
        let mut remaining = n_neg[e].saturating_sub(SLOTS - 1);
        while remaining > 0 {
            let count = remaining.min(SLOTS);
            remaining -= count;
            extra_negatives::<DIM>(embedding, &start, j, count, curve, random, &mut repulsion);
        }
        moves.push(Move {
            attraction,
            repulsion,
        });
    }
}

/// Up to SLOTS further negative samples for the head j at `start`, beyond
/// what its slot in the group held.
#[inline(always)]
fn extra_negatives<const DIM: usize>(
    embedding: &[f32],
    start: &[f32; DIM],
    j: usize,
    count: usize,
    curve: Curve,
    random: &mut Random,
    repulsion: &mut [f32; DIM],
) {
    let n_vertices = (embedding.len() / DIM) as u32;
    let mut others = [0usize; SLOTS];
    for pair in others.chunks_exact_mut(2) {
        let [x, y] = random.two_below(n_vertices);
        (pair[0], pair[1]) = (x as usize, y as usize);
    }
    let live: [bool; SLOTS] = std::array::from_fn(|p| p < count && others[p] != j);
    let mut diff = [[0.0f32; SLOTS]; DIM];
    for p in 0..SLOTS {
        for d in 0..DIM {
            diff[d][p] = start[d] - embedding[others[p] * DIM + d];
        }
    }
    let grads = lane_gradients::<DIM, SLOTS>(&diff, &[false; SLOTS], &live, curve);
    for d in 0..DIM {
        repulsion[d] += slot_sum(&grads[d]);
    }
}

/// Runs the epochs on `embedding` (N x DIM, row-major) in place, the
/// chunks of each batch on the threads of `pool`; `random` seeds every
/// chunk's stream.
pub fn optimize_layout_euclidean<const DIM: usize>(
    embedding: &mut [f32],
    opt: &Optimization<'_>,
    random: &mut Random,
    pool: &Pool,
    observer: &mut dyn Observer,
) -> Result<(), ReduceError> {
    let schedule = Schedule::new(opt, random.next_u64());
    let mut alpha = opt.initial_alpha;
    for n in 0..opt.n_epochs {
        schedule.epoch::<DIM>(n, alpha, embedding, pool);
        alpha = opt.initial_alpha * (1.0 - n as f32 / opt.n_epochs as f32);
        let snapshot =
            opt.snapshot_every > 0 && ((n + 1) % opt.snapshot_every == 0 || n + 1 == opt.n_epochs);
        let step = Step {
            stage: Stage::OptimizeLayout,
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

/// umap-learn's per-edge bookkeeping: when each edge is next sampled and how
/// many negative samples it has had.
struct Schedule<'a> {
    opt: &'a Optimization<'a>,
    curve: Curve,
    /// Seeds the chunks' random streams.
    seed: u64,
    epochs_per_negative_sample: Vec<f64>,
    /// The edges in runs of [`RANGE`], each with its own bookkeeping, so the
    /// threads can settle an epoch's due edges side by side.
    ranges: Vec<RwLock<EdgeRange>>,
    /// The epoch's due edges, all ranges' in edge order, and their negative
    /// samples.
    due: RwLock<(Vec<u32>, Vec<u32>)>,
}

/// Edges whose bookkeeping one task settles at the start of an epoch.
const RANGE: usize = 1 << 14;

/// The bookkeeping of edges `start..start + next_sample.len()`.
struct EdgeRange {
    start: usize,
    epoch_of_next_sample: Vec<f64>,
    epoch_of_next_negative_sample: Vec<f64>,
    /// The edges due in the current epoch (their indices among all edges;
    /// the tail of the vector is scratch), and how many of them there are.
    due: Vec<u32>,
    n_due: usize,
    /// The negative samples of each due edge.
    n_neg: Vec<u32>,
}

impl EdgeRange {
    /// Finds the edges due in `epoch`, their negative samples, and books
    /// their samples. Each edge is due at most once an epoch, so this can
    /// all be settled before any of the epoch's moves.
    fn settle(
        &mut self,
        epoch: f64,
        epochs_per_sample: &[f64],
        epochs_per_negative_sample: &[f64],
    ) {
        // The edges due, gathered without branches (which would mispredict
        // often and stall the pipeline the samples overlap in).
        let mut len = 0;
        for (k, &next) in self.epoch_of_next_sample.iter().enumerate() {
            self.due[len] = (self.start + k) as u32;
            len += (next <= epoch) as usize;
        }
        self.n_due = len;
        self.n_neg.clear();
        for &i in &self.due[..len] {
            let (i, k) = (i as usize, i as usize - self.start);
            let count = ((epoch - self.epoch_of_next_negative_sample[k])
                / epochs_per_negative_sample[i])
                .max(0.0) as usize;
            self.n_neg.push(count as u32);
            self.epoch_of_next_sample[k] += epochs_per_sample[i];
            self.epoch_of_next_negative_sample[k] += count as f64 * epochs_per_negative_sample[i];
        }
    }
}

impl<'a> Schedule<'a> {
    fn new(opt: &'a Optimization<'a>, seed: u64) -> Schedule<'a> {
        let eps = opt.epochs_per_sample;
        let epochs_per_negative_sample: Vec<f64> =
            eps.iter().map(|e| e / opt.negative_sample_rate).collect();
        let ranges = crate::parallel::chunk_ranges(eps.len(), RANGE)
            .map(|range| {
                RwLock::new(EdgeRange {
                    start: range.start,
                    epoch_of_next_negative_sample: epochs_per_negative_sample[range.clone()]
                        .to_vec(),
                    // Edges never to be sampled (weight 0) wait forever.
                    epoch_of_next_sample: eps[range.clone()]
                        .iter()
                        .map(|&e| if e > 0.0 { e } else { f64::INFINITY })
                        .collect(),
                    due: vec![0; range.len()],
                    n_due: 0,
                    n_neg: Vec::with_capacity(range.len()),
                })
            })
            .collect();
        Schedule {
            opt,
            curve: Curve {
                a: opt.a,
                b: opt.b,
                gamma: opt.gamma,
            },
            seed,
            epochs_per_negative_sample,
            ranges,
            due: RwLock::new((Vec::with_capacity(eps.len()), Vec::with_capacity(eps.len()))),
        }
    }

    /// Epoch n: every edge due is sampled once, batch by batch. A call of
    /// its own, so the browser runs it optimised from the second epoch on
    /// (see `crate::reduce::simd`).
    ///
    /// The threads of `pool` work through the epoch as a team (an epoch at
    /// 12,000 points is a score of batches of ~0.2 ms each, too short for a
    /// parallel section that wakes sleeping threads). They settle the edge
    /// ranges' bookkeeping, the leader lists the due edges of all ranges, and
    /// they share each batch's chunks and meet.
    /// Every member keeps its own copy of the positions (the leader's is the
    /// layout itself) and applies every move of a batch to it, in edge
    /// order, so the copies stay the same bits: the moves are written once
    /// and read in sequence, where shared positions would bounce between the
    /// cores' caches at every batch. Moves are written to two sets of slots
    /// in turn, so a member may start the next batch while another still
    /// reads the last one's moves.
    #[inline(never)]
    fn epoch<const DIM: usize>(&self, n: usize, alpha: f32, embedding: &mut [f32], pool: &Pool) {
        let epoch = n as f64;
        let slots: [Vec<RwLock<Vec<Move<DIM>>>>; 2] = std::array::from_fn(|_| {
            (0..BATCH / CHUNK)
                .map(|_| RwLock::new(Vec::with_capacity(CHUNK)))
                .collect()
        });
        let layout = Mutex::new(embedding);
        pool.team(|member| {
            member.share(self.ranges.len(), |r| {
                write(&self.ranges[r]).settle(
                    epoch,
                    self.opt.epochs_per_sample,
                    &self.epochs_per_negative_sample,
                )
            });
            member.wait();
            // The others copy the layout while the leader lists the due
            // edges; the leader moves it only after the next meeting.
            let mut copy = Vec::new();
            if member.is_leader() {
                let mut due = write(&self.due);
                due.0.clear();
                due.1.clear();
                for range in &self.ranges {
                    let range = read(range);
                    due.0.extend_from_slice(&range.due[..range.n_due]);
                    due.1.extend_from_slice(&range.n_neg);
                }
            } else {
                copy = layout.lock().unwrap_or_else(|e| e.into_inner()).to_vec();
            }
            member.wait();
            let due = read(&self.due);
            let (due, n_neg) = (&due.0, &due.1);
            let mut layout_guard;
            let positions: &mut [f32] = if member.is_leader() {
                layout_guard = layout.lock().unwrap_or_else(|e| e.into_inner());
                &mut layout_guard
            } else {
                &mut copy
            };
            for (b, (batch, batch_neg)) in due.chunks(BATCH).zip(n_neg.chunks(BATCH)).enumerate() {
                let slots = &slots[b % 2];
                member.share(batch.len().div_ceil(CHUNK), |c| {
                    let range = c * CHUNK..((c + 1) * CHUNK).min(batch.len());
                    let stream = ((n as u64) << 32) | ((b as u64) << 16) | c as u64;
                    let mut random = Random::fork(self.seed, stream);
                    let mut moves = write(&slots[c]);
                    moves.clear();
                    with_best_simd(
                        #[inline(always)]
                        |_| {
                            self.chunk_moves::<DIM>(
                                &batch[range.clone()],
                                &batch_neg[range.clone()],
                                positions,
                                &mut random,
                                &mut moves,
                            )
                        },
                    );
                });
                member.wait();
                let moves: Vec<_> = slots.iter().map(read).collect();
                self.apply(batch, &moves, alpha, positions);
            }
        });
    }

    /// The moves of a chunk of due edges, from `embedding` as it is.
    #[inline(always)]
    fn chunk_moves<const DIM: usize>(
        &self,
        edges: &[u32],
        n_neg: &[u32],
        embedding: &[f32],
        random: &mut Random,
        moves: &mut Vec<Move<DIM>>,
    ) {
        for (group, group_neg) in edges.chunks(GROUP).zip(n_neg.chunks(GROUP)) {
            let mut heads = [0usize; GROUP];
            let mut tails = [0usize; GROUP];
            let mut counts = [0usize; GROUP];
            for (e, (&i, &count)) in group.iter().zip(group_neg).enumerate() {
                let i = i as usize;
                counts[e] = count as usize;
                heads[e] = self.opt.head[i] as usize;
                tails[e] = self.opt.tail[i] as usize;
            }
            sample_group::<DIM>(
                embedding,
                &heads,
                &tails,
                &counts,
                group.len(),
                self.curve,
                random,
                moves,
            );
        }
    }

    /// Moves the points of a batch edge by edge, in edge order; `moves`
    /// holds the moves of each chunk of the batch.
    fn apply<const DIM: usize>(
        &self,
        batch: &[u32],
        moves: &[impl std::ops::Deref<Target = Vec<Move<DIM>>>],
        alpha: f32,
        embedding: &mut [f32],
    ) {
        for (edges, moves) in batch.chunks(CHUNK).zip(moves) {
            for (&i, m) in edges.iter().zip(moves.iter()) {
                let i = i as usize;
                let (j, k) = (self.opt.head[i] as usize, self.opt.tail[i] as usize);
                for d in 0..DIM {
                    embedding[k * DIM + d] -= m.attraction[d] * alpha;
                    embedding[j * DIM + d] += m.attraction[d] * alpha + m.repulsion[d] * alpha;
                }
            }
        }
    }
}

/// The lock's value; a panic elsewhere while it was held leaves the data as
/// whole as it was (the team stops on a panic anyway).
fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|e| e.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|e| e.into_inner())
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
