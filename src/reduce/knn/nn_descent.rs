//! Approximate k nearest neighbours by nearest-neighbour descent (Dong,
//! Charikar and Li 2011), the way pynndescent runs it for umap-learn: start
//! from the leaves of a random projection forest, then repeatedly compare each
//! point's neighbours with one another ("a neighbour of a neighbour is likely
//! a neighbour"), only pairs involving a candidate that is new since the last
//! round, until almost no list changes.
//!
//! One thread, one seeded generator, candidates processed in index order: the
//! same seed gives the same graph on every target.

use super::heap::{EMPTY, NeighborHeaps};
use super::rows::{Rows, squared_distance};
use super::rp_forest;
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

/// Points or leaves handed to one call of the vectorised kernels.
const CHUNK: usize = 256;

pub fn nn_descent(
    rows: &Rows,
    k: usize,
    params: &NnDescentParams,
    seed: u64,
    observer: &mut dyn Observer,
) -> Result<NeighborHeaps, ReduceError> {
    let n = rows.len();
    let total = params.n_iters + 1;
    // Work on the rows in the order of the first tree's leaves: neighbours then
    // sit close together in memory, and the joins below hit the cache.
    let mut forest_random = Random::fork(seed, FOREST);
    let first = rp_forest::build(rows, 1, params.leaf_size, &mut forest_random);
    let order = first.order;
    let rows = &rows.permuted(&order);
    let rest = rp_forest::build(
        rows,
        params.n_trees - 1,
        params.leaf_size,
        &mut forest_random,
    );
    let mut heaps = NeighborHeaps::new(n, k);
    // The first tree's leaves are runs of the reordered rows.
    let identity: Vec<u32> = (0..n as u32).collect();
    for (order, leaves) in [(&identity, &first.leaves), (&rest.order, &rest.leaves)] {
        for chunk in leaves.chunks(CHUNK) {
            with_best_simd(
                #[inline(always)]
                |_| {
                    for leaf in chunk {
                        let members = &order[leaf.clone()];
                        for (a, &p) in members.iter().enumerate() {
                            for &q in &members[a + 1..] {
                                offer(rows, &mut heaps, p, q);
                            }
                        }
                    }
                },
            );
        }
    }
    let mut random = Random::fork(seed, DESCENT);
    fill_at_random(rows, &mut heaps, &mut random);
    if observer.step(Step {
        stage: Stage::NearestNeighbors,
        done: 1,
        total,
        layout: None,
    }) == Control::Cancel
    {
        return Err(ReduceError::Cancelled);
    }

    let mut new_candidates = NeighborHeaps::new(n, params.max_candidates);
    let mut old_candidates = NeighborHeaps::new(n, params.max_candidates);
    for iteration in 0..params.n_iters {
        build_candidates(
            &mut heaps,
            &mut new_candidates,
            &mut old_candidates,
            &mut random,
        );
        let mut changes = 0usize;
        for start in (0..n).step_by(CHUNK) {
            let points = start..(start + CHUNK).min(n);
            changes += with_best_simd(
                #[inline(always)]
                |_| local_join(rows, &mut heaps, &new_candidates, &old_candidates, points),
            );
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
        for (&q, &key) in heaps.indices(p).iter().zip(heaps.keys(p)) {
            original.push(i as usize, key, order[q as usize], false);
        }
    }
    Ok(original)
}

/// For each point, compares its new candidates with one another and with its
/// old ones; returns how many list entries changed.
#[inline(always)]
fn local_join(
    rows: &Rows,
    heaps: &mut NeighborHeaps,
    new_candidates: &NeighborHeaps,
    old_candidates: &NeighborHeaps,
    points: std::ops::Range<usize>,
) -> usize {
    let mut changes = 0;
    for i in points {
        let new = new_candidates.indices(i);
        let old = old_candidates.indices(i);
        for (a, &p) in new.iter().enumerate().filter(|&(_, &p)| p != EMPTY) {
            for &q in new[a + 1..].iter().filter(|&&q| q != EMPTY) {
                changes += offer(rows, heaps, p, q);
            }
            for &q in old.iter().filter(|&&q| q != EMPTY && q != p) {
                changes += offer(rows, heaps, p, q);
            }
        }
    }
    changes
}

/// Compares p and q and offers each to the other's list; counts entries.
#[inline(always)]
fn offer(rows: &Rows, heaps: &mut NeighborHeaps, p: u32, q: u32) -> usize {
    let (pu, qu) = (p as usize, q as usize);
    let d = squared_distance(rows.row(pu), rows.row(qu));
    if d >= heaps.threshold(pu) && d >= heaps.threshold(qu) {
        return 0;
    }
    heaps.push(pu, d, q, true) as usize + heaps.push(qu, d, p, true) as usize
}

/// Tops up lists the forest left short with random points.
#[inline(always)]
fn fill_at_random(rows: &Rows, heaps: &mut NeighborHeaps, random: &mut Random) {
    let n = rows.len();
    let k = heaps.k();
    for i in 0..n {
        let mut tries = 0;
        while heaps.filled(i) < k {
            let j = if tries < 4 * k {
                random.below(n as u32) as usize
            } else {
                (i + tries) % n
            };
            tries += 1;
            if j != i {
                let d = squared_distance(rows.row(i), rows.row(j));
                heaps.push(i, d, j as u32, true);
            }
        }
    }
}

/// pynndescent's candidate sampling: every neighbour j of i (and i of j, the
/// reverse edge) becomes a candidate of i, new or old by j's flag, at most
/// `max_candidates` of each kept by random priority. New neighbours that made
/// it into a candidate list are old from now on.
fn build_candidates(
    heaps: &mut NeighborHeaps,
    new_candidates: &mut NeighborHeaps,
    old_candidates: &mut NeighborHeaps,
    random: &mut Random,
) {
    let n = heaps.points();
    new_candidates.clear();
    old_candidates.clear();
    for i in 0..n {
        for slot in 0..heaps.k() {
            let j = heaps.indices(i)[slot];
            if j == EMPTY {
                continue;
            }
            let priority = (random.next_u64() >> 40) as f32 * (1.0 / (1u32 << 24) as f32);
            let list = if heaps.fresh(i)[slot] {
                &mut *new_candidates
            } else {
                &mut *old_candidates
            };
            list.push(i, priority, j, false);
            list.push(j as usize, priority, i as u32, false);
        }
    }
    for i in 0..n {
        let k = heaps.k();
        for slot in 0..k {
            let j = heaps.indices(i)[slot];
            if heaps.fresh(i)[slot] && new_candidates.indices(i).contains(&j) {
                heaps.fresh_mut(i)[slot] = false;
            }
        }
    }
}
