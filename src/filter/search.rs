//! One composition's oxidation-state assignments, searched without listing
//! them, for [`crate::explain`]: the most plausible ones first, how many there
//! are, and how close to neutral they come.
//!
//! Eight elements of nineteen states are 1.7e10 assignments, so nothing here
//! lists them. An assignment gives each *site* a state: an element is one
//! site, or, under mixed valence, one site per atom (only for elements with a
//! choice of states; SMACT's expansion limit keeps those few). For each
//! *region* (every assignment, or those of one electronegativity cut: see
//! [`super::cut_allows`]; an assignment passes `pauling_test` exactly when it
//! lies in some cut) a dynamic programme over charge totals gives the best
//! plausibility score with which sites d.. can total each charge. A best-first
//! search then descends the product tree with that as an exact bound, so
//! assignments come out in decreasing plausibility, ties in
//! `itertools.product` order, each after a few steps per site. The atoms of a
//! mixed-valence element take non-decreasing state indices, so each multiset
//! (Fe(+2) + Fe(+3)x2) comes once. Memory is regions x sites x charge range:
//! under 3 MB for eight elements at the largest limits.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use super::{cut_allows, electronegativity_ranks};

/// One element of the composition, as the search sees it.
pub(crate) struct Position<'a> {
    pub states: &'a [i8],
    pub amount: i64,
    pub eneg: f64,
    /// Its atoms may take different states.
    pub mixed: bool,
    /// Plausibility of each state, fixed point ([`super::plausibility::weight`]).
    pub weights: Vec<i32>,
}

impl Position<'_> {
    /// Whether the atoms become separate sites (a choice of states to mix).
    fn split(&self) -> bool {
        self.mixed && self.amount > 1 && self.states.len() > 1
    }
}

struct Site {
    position: usize,
    amount: i64,
    /// A later atom of the same element: its state index is not below the previous one's.
    repeat: bool,
}

/// Best score of the remaining sites for each total; unreachable totals hold this.
const NONE: i32 = i32::MIN;

struct Region {
    /// `[position][state index]`: whether the region uses that state.
    uses: Vec<Vec<bool>>,
    /// `[depth * width + total + bound]`: the best score with which sites
    /// depth.. total `total`.
    best: Vec<i32>,
}

pub(crate) struct AssignmentSearch<'a> {
    positions: &'a [Position<'a>],
    sites: Vec<Site>,
    ranks: Vec<usize>,
    /// Largest |total|; totals are indexed from -bound.
    bound: i64,
    width: usize,
    everything: Region,
    cuts: Vec<Region>,
}

/// A partial assignment in the best-first search.
#[derive(PartialEq, Eq)]
struct Node {
    /// Score so far plus the best completion: exact for a full assignment.
    bound: i64,
    /// State index per site so far.
    path: Vec<u8>,
    total: i64,
    score: i64,
    /// Regions (bits) the choices so far lie in.
    alive: u32,
}

impl Ord for Node {
    fn cmp(&self, other: &Self) -> Ordering {
        // Highest bound first; among equals, product order.
        (self.bound, Reverse(&self.path)).cmp(&(other.bound, Reverse(&other.path)))
    }
}

impl PartialOrd for Node {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<'a> AssignmentSearch<'a> {
    pub(crate) fn new(positions: &'a [Position<'a>]) -> Self {
        let enegs: Vec<f64> = positions.iter().map(|p| p.eneg).collect();
        let (ranks, top) = electronegativity_ranks(&enegs);
        let mut sites = Vec::new();
        for (i, p) in positions.iter().enumerate() {
            if p.split() {
                sites.extend((0..p.amount).map(|k| Site {
                    position: i,
                    amount: 1,
                    repeat: k > 0,
                }));
            } else {
                sites.push(Site {
                    position: i,
                    amount: p.amount,
                    repeat: false,
                });
            }
        }
        let bound: i64 = positions
            .iter()
            .map(|p| {
                p.states
                    .iter()
                    .map(|q| i64::from(q.unsigned_abs()))
                    .max()
                    .unwrap_or(0)
                    * p.amount
            })
            .sum();
        let width = (2 * bound + 1) as usize;
        let mut search = AssignmentSearch {
            positions,
            sites,
            ranks,
            bound,
            width,
            everything: Region {
                uses: Vec::new(),
                best: Vec::new(),
            },
            cuts: Vec::new(),
        };
        search.everything = search.region(&|_, _| true);
        search.cuts = (0..=top)
            .map(|cut| search.region(&|i, q| cut_allows(search.ranks[i], cut, q)))
            .collect();
        search
    }

    fn region(&self, uses: &dyn Fn(usize, i8) -> bool) -> Region {
        let uses: Vec<Vec<bool>> = self
            .positions
            .iter()
            .enumerate()
            .map(|(i, p)| p.states.iter().map(|&q| uses(i, q)).collect())
            .collect();
        let (n, w) = (self.sites.len(), self.width);
        let mut best = vec![NONE; (n + 1) * w];
        best[n * w + self.bound as usize] = 0;
        for d in (0..n).rev() {
            let site = &self.sites[d];
            let p = &self.positions[site.position];
            let (head, tail) = best.split_at_mut((d + 1) * w);
            let (here, next) = (&mut head[d * w..], &tail[..w]);
            for (k, &q) in p.states.iter().enumerate() {
                if !uses[site.position][k] {
                    continue;
                }
                let shift = i64::from(q) * site.amount;
                let gain = p.weights[k] * site.amount as i32;
                let lo = (-shift).max(0) as usize;
                let hi = (w as i64 - shift.max(0)).max(0) as usize;
                if hi <= lo {
                    continue;
                }
                let to = (lo as i64 + shift) as usize;
                for (h, &b) in here[to..to + (hi - lo)].iter_mut().zip(&next[lo..hi]) {
                    if b != NONE {
                        *h = (*h).max(b + gain);
                    }
                }
            }
        }
        Region { uses, best }
    }

    fn regions(&self, passing: bool) -> Vec<&Region> {
        if passing {
            self.cuts.iter().collect()
        } else {
            vec![&self.everything]
        }
    }

    /// Best score of sites `depth..` in the `alive` regions totalling one of
    /// `targets` minus `total`.
    fn completion(
        &self,
        regions: &[&Region],
        alive: u32,
        depth: usize,
        total: i64,
        targets: &[i64],
    ) -> Option<i64> {
        let mut best = None;
        for (r, region) in regions.iter().enumerate() {
            if alive >> r & 1 == 0 {
                continue;
            }
            for &t in targets {
                let x = t - total + self.bound;
                if (0..self.width as i64).contains(&x) {
                    let b = region.best[depth * self.width + x as usize];
                    if b != NONE && best.is_none_or(|v| i64::from(b) > v) {
                        best = Some(i64::from(b));
                    }
                }
            }
        }
        best
    }

    /// The `limit` most plausible assignments (of those passing
    /// `pauling_test`, or of all) totalling one of `targets`, best first, ties
    /// in product order: each as a state per site ([`Self::site_positions`])
    /// with its fixed-point score.
    pub(crate) fn ranked(
        &self,
        passing: bool,
        targets: &[i64],
        limit: usize,
    ) -> Vec<(Vec<i8>, i64)> {
        let regions = self.regions(passing);
        let all = (1u32 << regions.len()) - 1;
        let mut heap = BinaryHeap::new();
        if let Some(bound) = self.completion(&regions, all, 0, 0, targets) {
            heap.push(Node {
                bound,
                path: Vec::new(),
                total: 0,
                score: 0,
                alive: all,
            });
        }
        let mut found = Vec::new();
        while found.len() < limit {
            let Some(node) = heap.pop() else { break };
            let depth = node.path.len();
            if depth == self.sites.len() {
                let states = node
                    .path
                    .iter()
                    .zip(&self.sites)
                    .map(|(&k, s)| self.positions[s.position].states[k as usize])
                    .collect();
                found.push((states, node.score));
                continue;
            }
            let site = &self.sites[depth];
            let p = &self.positions[site.position];
            let first = if site.repeat { node.path[depth - 1] } else { 0 };
            for k in first as usize..p.states.len() {
                let alive = (0..regions.len())
                    .filter(|&r| node.alive >> r & 1 == 1 && regions[r].uses[site.position][k])
                    .fold(0u32, |m, r| m | 1 << r);
                if alive == 0 {
                    continue;
                }
                let total = node.total + i64::from(p.states[k]) * site.amount;
                let score = node.score + i64::from(p.weights[k]) * site.amount;
                if let Some(rest) = self.completion(&regions, alive, depth + 1, total, targets) {
                    let mut path = node.path.clone();
                    path.push(k as u8);
                    heap.push(Node {
                        bound: score + rest,
                        path,
                        total,
                        score,
                        alive,
                    });
                }
            }
        }
        found
    }

    /// The position (element) each site of a [`Self::ranked`] assignment belongs to.
    pub(crate) fn site_positions(&self) -> Vec<usize> {
        self.sites.iter().map(|s| s.position).collect()
    }

    /// Amount of each site.
    pub(crate) fn site_amounts(&self) -> Vec<u32> {
        self.sites.iter().map(|s| s.amount as u32).collect()
    }

    /// Ways (distinct assignments) with which position `i`, restricted to the
    /// states `uses` admits, adds each total: one per state, or under mixed
    /// valence one per multiset of its atoms' states.
    fn position_ways(&self, i: usize, uses: &dyn Fn(i8) -> bool) -> Vec<(i64, u64)> {
        let p = &self.positions[i];
        let states: Vec<i64> = p
            .states
            .iter()
            .filter(|&&q| uses(q))
            .map(|&q| i64::from(q))
            .collect();
        if !p.split() {
            return states.iter().map(|&q| (q * p.amount, 1)).collect();
        }
        // ways[atoms][total + offset], adding one state at a time with any multiplicity.
        let atoms = p.amount as usize;
        let offset = states.iter().map(|q| q.abs()).max().unwrap_or(0) * p.amount;
        let span = (2 * offset + 1) as usize;
        let mut ways = vec![vec![0u64; span]; atoms + 1];
        ways[0][offset as usize] = 1;
        for &q in &states {
            for used in 1..=atoms {
                for t in 0..span {
                    let from = t as i64 - q;
                    if (0..span as i64).contains(&from) {
                        ways[used][t] += ways[used - 1][from as usize];
                    }
                }
            }
        }
        ways[atoms]
            .iter()
            .enumerate()
            .filter(|(_, w)| **w > 0)
            .map(|(t, &w)| (t as i64 - offset, w))
            .collect()
    }

    /// `ways` (assignments of earlier positions, by total) extended by
    /// position `i` with the states `uses` admits. Counts cannot overflow:
    /// there are at most 19^8 < 2^64 assignments of single states, and mixed
    /// valence is only searched below a million.
    fn extend(&self, ways: &[u64], i: usize, uses: &dyn Fn(i8) -> bool) -> Vec<u64> {
        let mut next = vec![0u64; ways.len()];
        let added = self.position_ways(i, uses);
        for (t, &w) in ways.iter().enumerate().filter(|(_, w)| **w > 0) {
            for &(s, c) in &added {
                let to = t as i64 + s;
                if (0..next.len() as i64).contains(&to) {
                    next[to as usize] += w * c;
                }
            }
        }
        next
    }

    fn start(&self) -> Vec<u64> {
        let mut ways = vec![0u64; self.width];
        ways[self.bound as usize] = 1;
        ways
    }

    fn neutral(&self, ways: &[u64]) -> u64 {
        ways[self.bound as usize]
    }

    /// Number of neutral assignments.
    pub(crate) fn count_neutral(&self) -> u64 {
        let ways =
            (0..self.positions.len()).fold(self.start(), |w, i| self.extend(&w, i, &|_| true));
        self.neutral(&ways)
    }

    /// Number of neutral assignments that pass `pauling_test`, by one
    /// dynamic programme over positions in electronegativity order: tie
    /// groups are all cation-or-zero until the first group with an anion,
    /// anion-or-zero from there on (a cation and an anion never tie, nor do an
    /// element's own atoms).
    pub(crate) fn count_passing_neutral(&self) -> u64 {
        let (mut before_anions, mut after) = (self.start(), vec![0u64; self.width]);
        for rank in 1..self.cuts.len() {
            let group: Vec<usize> = (0..self.positions.len())
                .filter(|&i| self.ranks[i] == rank)
                .collect();
            let mut either: Vec<u64> = before_anions
                .iter()
                .zip(&after)
                .map(|(b, a)| b + a)
                .collect();
            let mut cations = before_anions.clone();
            for &i in &group {
                either = self.extend(&either, i, &|q| q <= 0);
                cations = self.extend(&cations, i, &|q| q >= 0);
            }
            // Groups that stayed all zero were counted as cation groups.
            if group.iter().all(|&i| self.positions[i].states.contains(&0)) {
                either
                    .iter_mut()
                    .zip(&before_anions)
                    .for_each(|(e, b)| *e -= b);
            }
            (before_anions, after) = (cations, either);
        }
        self.neutral(&before_anions) + self.neutral(&after)
    }

    /// The smallest |total| of any assignment (passing `pauling_test`, or
    /// any), or `None` when there is no such assignment.
    pub(crate) fn nearest_total(&self, passing: bool) -> Option<i64> {
        let regions = self.regions(passing);
        (0..=self.bound).find(|&d| {
            regions.iter().any(|r| {
                r.best[self.bound as usize + d as usize] != NONE
                    || r.best[self.bound as usize - d as usize] != NONE
            })
        })
    }
}
