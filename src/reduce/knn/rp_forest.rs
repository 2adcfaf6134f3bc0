//! Random projection trees (Dasgupta and Freund 2008, as pynndescent builds
//! them for its initial graph): split each node by the hyperplane halfway
//! between two random points of it, until nodes hold at most `leaf_size`
//! points. Points that share a leaf are likely near one another, so comparing
//! all pairs within every leaf of a few trees gives NN-descent a good start.

use std::ops::Range;

use super::rows::{Rows, dot};
use crate::reduce::random::Random;
use crate::reduce::simd::with_best_simd;

/// The leaves of a tree: ranges into `order`, a permutation of the points.
pub struct Tree {
    pub order: Vec<u32>,
    pub leaves: Vec<Range<usize>>,
}

/// One tree, its splits drawn from `random` (a stream of its own, so trees
/// can grow in parallel).
pub fn build(rows: &Rows, leaf_size: usize, random: &mut Random) -> Tree {
    let n = rows.len();
    let mut tree = Tree {
        order: (0..n as u32).collect(),
        leaves: Vec::new(),
    };
    let mut normal = vec![0.0f32; rows.stride()];
    let mut side = vec![false; n];
    with_best_simd(
        #[inline(always)]
        |_| {
            let mut pending: Vec<Range<usize>> = Vec::new();
            pending.push(0..n);
            while let Some(node) = pending.pop() {
                if node.len() <= leaf_size.max(1) {
                    tree.leaves.push(node);
                    continue;
                }
                let members = &mut tree.order[node.clone()];
                let split = split(rows, members, &mut normal, &mut side, random);
                pending.push(node.start + split..node.end);
                pending.push(node.start..node.start + split);
            }
        },
    );
    tree
}

/// Moves the points on the left of a random hyperplane to the front of
/// `members` and returns how many there are (always between 1 and len - 1).
#[inline(always)]
fn split(
    rows: &Rows,
    members: &mut [u32],
    normal: &mut [f32],
    side: &mut [bool],
    random: &mut Random,
) -> usize {
    let len = members.len();
    let a = random.below(len as u32) as usize;
    let mut b = random.below(len as u32 - 1) as usize;
    if b >= a {
        b += 1;
    }
    let (pa, pb) = (rows.row(members[a] as usize), rows.row(members[b] as usize));
    let mut offset = 0.0f32;
    for d in 0..normal.len() {
        normal[d] = pa[d] - pb[d];
        offset -= normal[d] * (pa[d] + pb[d]) * 0.5;
    }
    let mut left = 0;
    for (slot, &m) in members.iter().enumerate() {
        let margin = dot(normal, rows.row(m as usize)) + offset;
        let goes_left = if margin.abs() <= 1e-8 {
            random.next_u64() & 1 == 0
        } else {
            margin > 0.0
        };
        side[slot] = goes_left;
        left += goes_left as usize;
    }
    if left == 0 || left == len {
        // Duplicates, or a plane that missed: halve at random instead.
        left = 0;
        for s in side.iter_mut().take(len) {
            *s = random.next_u64() & 1 == 0;
            left += *s as usize;
        }
        if left == 0 || left == len {
            for (slot, s) in side.iter_mut().take(len).enumerate() {
                *s = slot < len / 2;
            }
            left = len / 2;
        }
    }
    // Stable partition by side, so the result depends only on the draws.
    let mut right: Vec<u32> = Vec::with_capacity(len - left);
    let mut write = 0;
    for slot in 0..len {
        if side[slot] {
            members[write] = members[slot];
            write += 1;
        } else {
            right.push(members[slot]);
        }
    }
    members[write..].copy_from_slice(&right);
    left
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn leaves_cover_every_point_once() {
        let mut random = Random::new(5);
        let x = Array2::from_shape_fn((500, 3), |_| random.uniform() as f32);
        let rows = Rows::new(x.view());
        let tree = build(&rows, 12, &mut Random::new(1));
        assert!(tree.leaves.iter().all(|l| !l.is_empty() && l.len() <= 12));
        let mut seen: Vec<u32> = tree
            .leaves
            .iter()
            .flat_map(|l| tree.order[l.clone()].iter().copied())
            .collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..500).collect::<Vec<u32>>());
    }

    #[test]
    fn duplicate_points_still_split() {
        let x = Array2::<f32>::zeros((100, 4));
        let tree = build(&Rows::new(x.view()), 10, &mut Random::new(2));
        assert!(tree.leaves.iter().all(|l| l.len() <= 10));
    }
}
