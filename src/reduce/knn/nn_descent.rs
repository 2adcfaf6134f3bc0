//! Approximate k nearest neighbours by nearest-neighbour descent (Dong,
//! Charikar and Li 2011), the way pynndescent runs it for umap-learn: start
//! from the leaves of a random projection forest, then repeatedly compare each
//! point's neighbours with one another ("a neighbour of a neighbour is likely
//! a neighbour"), only pairs involving a candidate that is new since the last
//! round, until almost no list changes.
//!
//! Parallel and deterministic, as pynndescent's parallel mode is in outline:
//! each tree of the forest draws from its own seeded stream; the pairs of a
//! round of joins are computed in fixed chunks of points against the lists
//! as they stood when the round began, and offered to the lists block by
//! block, chunk after chunk. A list keeps the k best of what it was offered
//! whatever the order, and the counts that decide when to stop come from a
//! fixed order, so the same seed gives the same graph on every target and
//! for any number of threads.

use super::heap::{EMPTY, NeighborHeaps};
use super::rows::{Rows, squared_distance};
use super::rp_forest;
use crate::parallel::Pool;
use crate::reduce::random::Random;
use crate::reduce::simd::with_best_simd;
use crate::reduce::{Control, Observer, ReduceError, Stage, Step};

/// umap-learn's settings for pynndescent.
#[derive(Debug, Clone, PartialEq)]
pub struct NnDescentParams {
    pub n_trees: usize,
    pub leaf_size: usize,
    pub n_iters: usize,
    /// Most new (and most old) candidates a point joins per round.
    pub max_candidates: usize,
    /// Stop when fewer than delta * k * N list entries changed in a round.
    pub delta: f64,
}

impl NnDescentParams {
    /// umap-learn's choices for N points and k neighbours (its k counts the
    /// point itself, ours does not).
    pub fn for_size(n: usize, k: usize) -> NnDescentParams {
        NnDescentParams {
            n_trees: (5 + ((n as f64).sqrt() / 20.0).round() as usize).min(64),
            leaf_size: (k + 1).max(10),
            n_iters: ((n as f64).log2().round() as usize).max(5),
            max_candidates: 60,
            delta: 0.001,
        }
    }
}

const FOREST: u64 = 1;
const DESCENT: u64 = 2;

/// Points per block of lists: the unit the offers are applied in, one block
/// per task.
const BLOCK: usize = 1024;
/// Points whose joins one task computes.
const JOIN_CHUNK: usize = 256;
/// Points whose joins are computed before their offers are applied (bounds
/// the memory the offers take).
const JOIN_ROUND: usize = 4096;
/// Leaves one task joins.
const LEAF_CHUNK: usize = 256;
/// Chunks of leaves joined before their offers are applied (bounds the
/// memory the offers take, as [`JOIN_ROUND`] does for the joins).
const LEAF_ROUND: usize = 32;

/// A pair offered to a list: (point, candidate, squared distance).
type Offer = (u32, u32, f32);

/// Every point's list, in blocks of [`BLOCK`] points so that blocks can be
/// filled in parallel.
struct Lists {
    blocks: Vec<NeighborHeaps>,
}

impl Lists {
    fn new(n: usize, k: usize) -> Lists {
        Lists {
            blocks: (0..n.div_ceil(BLOCK))
                .map(|b| NeighborHeaps::new(BLOCK.min(n - b * BLOCK), k))
                .collect(),
        }
    }

    #[inline(always)]
    fn threshold(&self, i: usize) -> f32 {
        self.blocks[i / BLOCK].threshold(i % BLOCK)
    }

    fn indices(&self, i: usize) -> &[u32] {
        self.blocks[i / BLOCK].indices(i % BLOCK)
    }

    fn keys(&self, i: usize) -> &[f32] {
        self.blocks[i / BLOCK].keys(i % BLOCK)
    }

    fn fresh(&self, i: usize) -> &[bool] {
        self.blocks[i / BLOCK].fresh(i % BLOCK)
    }

    fn filled(&self, i: usize) -> usize {
        self.blocks[i / BLOCK].filled(i % BLOCK)
    }

    fn push(&mut self, i: usize, key: f32, j: u32, fresh: bool) -> bool {
        self.blocks[i / BLOCK].push(i % BLOCK, key, j, fresh)
    }

    /// Offers each chunk's offers (bucketed by block) to the lists, block by
    /// block in parallel, chunks in order; returns how many entered.
    fn apply(&mut self, chunks: &[Vec<Vec<Offer>>], pool: &Pool) -> usize {
        pool.map_mut(&mut self.blocks, |b, block| {
            let base = b * BLOCK;
            let mut entered = 0;
            for chunk in chunks {
                for &(i, j, d) in &chunk[b] {
                    entered += block.push(i as usize - base, d, j, true) as usize;
                }
            }
            entered
        })
        .into_iter()
        .sum()
    }
}

/// Offers sorted into one bucket per block of the point they go to.
struct Buckets(Vec<Vec<Offer>>);

impl Buckets {
    fn new(n: usize) -> Buckets {
        Buckets(vec![Vec::new(); n.div_ceil(BLOCK)])
    }

    #[inline(always)]
    fn offer(&mut self, i: u32, j: u32, d: f32) {
        self.0[i as usize / BLOCK].push((i, j, d));
    }
}

pub fn nn_descent(
    rows: &Rows,
    k: usize,
    params: &NnDescentParams,
    seed: u64,
    pool: &Pool,
    observer: &mut dyn Observer,
) -> Result<NeighborHeaps, ReduceError> {
    let n = rows.len();
    let total = params.n_iters + 1;
    // Said before the forest and its leaves, which take a good part of the
    // search (a third of it for the 225,879 binaries).
    if observer.step(Step {
        stage: Stage::NearestNeighbors,
        done: 0,
        total,
        layout: None,
    }) == Control::Cancel
    {
        return Err(ReduceError::Cancelled);
    }
    // Every tree from its own stream, so they grow in parallel.
    let trees = pool.map(params.n_trees, |t| {
        rp_forest::build(
            rows,
            params.leaf_size,
            &mut Random::fork(seed, FOREST + ((t as u64) << 8)),
        )
    });
    // Work on the rows in the order of the first tree's leaves: neighbours then
    // sit close together in memory, and the joins below hit the cache.
    let order = trees[0].order.clone();
    let mut rank = vec![0u32; n];
    for (r, &i) in order.iter().enumerate() {
        rank[i as usize] = r as u32;
    }
    let rows = &rows.permuted(&order);
    let leaves: Vec<Vec<u32>> = trees
        .iter()
        .flat_map(|tree| {
            tree.leaves.iter().map(|leaf| {
                tree.order[leaf.clone()]
                    .iter()
                    .map(|&i| rank[i as usize])
                    .collect()
            })
        })
        .collect();
    drop(trees);
    let mut lists = Lists::new(n, k);
    // Round by round, so the offers in memory are a round's (all the
    // leaves' at once were 0.7 GB for the 225,879 binaries). Each list
    // receives the same offers in the same order either way.
    for round in leaves.chunks(LEAF_CHUNK * LEAF_ROUND) {
        let offers = pool.map(round.len().div_ceil(LEAF_CHUNK), |c| {
            let chunk = &round[c * LEAF_CHUNK..((c + 1) * LEAF_CHUNK).min(round.len())];
            let mut buckets = Buckets::new(n);
            with_best_simd(
                #[inline(always)]
                |_| {
                    for members in chunk {
                        for (a, &p) in members.iter().enumerate() {
                            for &q in &members[a + 1..] {
                                let d =
                                    squared_distance(rows.row(p as usize), rows.row(q as usize));
                                buckets.offer(p, q, d);
                                buckets.offer(q, p, d);
                            }
                        }
                    }
                },
            );
            buckets.0
        });
        lists.apply(&offers, pool);
    }
    drop(leaves);
    let mut random = Random::fork(seed, DESCENT);
    fill_at_random(rows, &mut lists, &mut random);
    if observer.step(Step {
        stage: Stage::NearestNeighbors,
        done: 1,
        total,
        layout: None,
    }) == Control::Cancel
    {
        return Err(ReduceError::Cancelled);
    }

    for iteration in 0..params.n_iters {
        let candidates =
            build_candidates(&mut lists, params.max_candidates, random.next_u64(), pool);
        let mut changes = 0usize;
        for round in (0..n).step_by(JOIN_ROUND) {
            let end = (round + JOIN_ROUND).min(n);
            let offers = pool.map((end - round).div_ceil(JOIN_CHUNK), |c| {
                let start = round + c * JOIN_CHUNK;
                let points = start..(start + JOIN_CHUNK).min(end);
                with_best_simd(
                    #[inline(always)]
                    |_| local_join(rows, &lists, &candidates, points),
                )
            });
            changes += lists.apply(&offers, pool);
        }
        let step = Step {
            stage: Stage::NearestNeighbors,
            done: iteration + 2,
            total,
            layout: None,
        };
        if observer.step(step) == Control::Cancel {
            return Err(ReduceError::Cancelled);
        }
        if changes as f64 <= params.delta * (k * n) as f64 {
            break;
        }
    }
    let mut original = NeighborHeaps::new(n, k);
    for (p, &i) in order.iter().enumerate() {
        for (&q, &key) in lists.indices(p).iter().zip(lists.keys(p)) {
            original.push(i as usize, key, order[q as usize], false);
        }
    }
    Ok(original)
}

/// The new and old candidates of every point, in blocks like the lists.
struct Candidates {
    new: Vec<NeighborHeaps>,
    old: Vec<NeighborHeaps>,
}

impl Candidates {
    fn new_of(&self, i: usize) -> &[u32] {
        self.new[i / BLOCK].indices(i % BLOCK)
    }

    fn old_of(&self, i: usize) -> &[u32] {
        self.old[i / BLOCK].indices(i % BLOCK)
    }
}

/// For each point of `points`, compares its new candidates with one another
/// and with its old ones, against the lists as they are; returns the pairs
/// that could enter a list, bucketed by block.
#[inline(always)]
fn local_join(
    rows: &Rows,
    lists: &Lists,
    candidates: &Candidates,
    points: std::ops::Range<usize>,
) -> Vec<Vec<Offer>> {
    let mut buckets = Buckets::new(rows.len());
    let mut compare = |p: u32, q: u32| {
        let d = squared_distance(rows.row(p as usize), rows.row(q as usize));
        // At the threshold a smaller index still enters: offer ties too.
        if d <= lists.threshold(p as usize) {
            buckets.offer(p, q, d);
        }
        if d <= lists.threshold(q as usize) {
            buckets.offer(q, p, d);
        }
    };
    for i in points {
        let new = candidates.new_of(i);
        let old = candidates.old_of(i);
        for (a, &p) in new.iter().enumerate().filter(|&(_, &p)| p != EMPTY) {
            for &q in new[a + 1..].iter().filter(|&&q| q != EMPTY) {
                compare(p, q);
            }
            for &q in old.iter().filter(|&&q| q != EMPTY && q != p) {
                compare(p, q);
            }
        }
    }
    buckets.0
}

/// Tops up lists the forest left short with random points.
#[inline(never)]
fn fill_at_random(rows: &Rows, lists: &mut Lists, random: &mut Random) {
    let n = rows.len();
    let k = lists.blocks.first().map_or(0, NeighborHeaps::k);
    for i in 0..n {
        let mut tries = 0;
        while lists.filled(i) < k {
            let j = if tries < 4 * k {
                random.below(n as u32) as usize
            } else {
                (i + tries) % n
            };
            tries += 1;
            if j != i {
                let d = squared_distance(rows.row(i), rows.row(j));
                lists.push(i, d, j as u32, true);
            }
        }
    }
}

/// A priority in [0, 1) for the unordered pair {i, j} in one round: the same
/// from either end, so a pair offered twice is offered alike.
#[inline(always)]
fn priority(round_seed: u64, i: u32, j: u32) -> f32 {
    let (lo, hi) = (i.min(j) as u64, i.max(j) as u64);
    let mut z = round_seed ^ (lo << 32 | hi).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) >> 40) as f32 * (1.0 / (1u32 << 24) as f32)
}

/// pynndescent's candidate sampling: every neighbour j of i (and i of j, the
/// reverse edge) becomes a candidate of i, new or old by the flag of the
/// edge, at most `max_candidates` of each kept by random priority. New
/// neighbours that made it into a candidate list are old from now on. Each
/// block of points gathers its own candidates (the reverse edges sorted by
/// point first), in parallel.
///
/// A call of its own, so the browser runs it optimised from the second
/// iteration on (see `crate::reduce::simd`).
#[inline(never)]
fn build_candidates(
    lists: &mut Lists,
    max_candidates: usize,
    round_seed: u64,
    pool: &Pool,
) -> Candidates {
    let n: usize = lists.blocks.iter().map(NeighborHeaps::points).sum();
    // The reverse edges (i, fresh) of each point j, by a counting sort.
    let mut start = vec![0u32; n + 1];
    for i in 0..n {
        for &j in lists.indices(i).iter().filter(|&&j| j != EMPTY) {
            start[j as usize + 1] += 1;
        }
    }
    for j in 0..n {
        start[j + 1] += start[j];
    }
    let mut next = start.clone();
    let mut reverse = vec![(0u32, false); start[n] as usize];
    for i in 0..n {
        for (&j, &fresh) in lists.indices(i).iter().zip(lists.fresh(i)) {
            if j != EMPTY {
                reverse[next[j as usize] as usize] = (i as u32, fresh);
                next[j as usize] += 1;
            }
        }
    }
    let lists_ref = &*lists;
    let blocks: Vec<(NeighborHeaps, NeighborHeaps)> = pool.map(lists.blocks.len(), |b| {
        let base = b * BLOCK;
        let size = lists_ref.blocks[b].points();
        let mut new = NeighborHeaps::new(size, max_candidates);
        let mut old = NeighborHeaps::new(size, max_candidates);
        for r in 0..size {
            let i = base + r;
            let own = lists_ref.indices(i).iter().zip(lists_ref.fresh(i));
            let back = reverse[start[i] as usize..start[i + 1] as usize]
                .iter()
                .map(|(j, fresh)| (j, fresh));
            for (&j, &fresh) in own.chain(back) {
                if j == EMPTY {
                    continue;
                }
                let list = if fresh { &mut new } else { &mut old };
                list.push(r, priority(round_seed, i as u32, j), j, false);
            }
        }
        (new, old)
    });
    let (new, old): (Vec<_>, Vec<_>) = blocks.into_iter().unzip();
    let candidates = Candidates { new, old };
    pool.each_mut(&mut lists.blocks, |b, block| {
        for r in 0..block.points() {
            let chosen = candidates.new[b].indices(r);
            for slot in 0..block.k() {
                let j = block.indices(r)[slot];
                if block.fresh(r)[slot] && chosen.contains(&j) {
                    block.fresh_mut(r)[slot] = false;
                }
            }
        }
    });
    candidates
}
