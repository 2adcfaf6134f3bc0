//! Every point's best k candidates so far, as bounded max-heaps laid out side
//! by side (pynndescent's "neighbor heap"). Keys are squared distances; ties go
//! to the smaller index, so the final lists never depend on the order in
//! which candidates arrived.

pub const EMPTY: u32 = u32::MAX;

pub struct NeighborHeaps {
    k: usize,
    indices: Vec<u32>,
    keys: Vec<f32>,
    /// NN-descent's "new" flag: not yet used in a local join.
    fresh: Vec<bool>,
}

#[inline(always)]
fn before(key: f32, index: u32, other_key: f32, other_index: u32) -> bool {
    key < other_key || (key == other_key && index < other_index)
}

impl NeighborHeaps {
    pub fn new(n: usize, k: usize) -> NeighborHeaps {
        NeighborHeaps {
            k,
            indices: vec![EMPTY; n * k],
            keys: vec![f32::INFINITY; n * k],
            fresh: vec![false; n * k],
        }
    }

    pub fn k(&self) -> usize {
        self.k
    }

    /// The number of points.
    pub fn points(&self) -> usize {
        self.indices.len() / self.k.max(1)
    }

    /// The key a candidate must beat to enter i's heap.
    #[inline(always)]
    pub fn threshold(&self, i: usize) -> f32 {
        self.keys[i * self.k]
    }

    pub fn indices(&self, i: usize) -> &[u32] {
        &self.indices[i * self.k..(i + 1) * self.k]
    }

    pub fn keys(&self, i: usize) -> &[f32] {
        &self.keys[i * self.k..(i + 1) * self.k]
    }

    pub fn fresh(&self, i: usize) -> &[bool] {
        &self.fresh[i * self.k..(i + 1) * self.k]
    }

    pub fn fresh_mut(&mut self, i: usize) -> &mut [bool] {
        &mut self.fresh[i * self.k..(i + 1) * self.k]
    }

    /// How many slots of i's heap hold a candidate.
    pub fn filled(&self, i: usize) -> usize {
        self.indices(i).iter().filter(|&&j| j != EMPTY).count()
    }

    /// Offers j to i's heap; true if it entered (it was better than the worst
    /// kept and not already there).
    #[inline(always)]
    pub fn push(&mut self, i: usize, key: f32, j: u32, fresh: bool) -> bool {
        let base = i * self.k;
        if !before(key, j, self.keys[base], self.indices[base]) {
            return false;
        }
        self.push_slow(base, key, j, fresh)
    }

    #[inline(never)]
    fn push_slow(&mut self, base: usize, key: f32, j: u32, fresh: bool) -> bool {
        let k = self.k;
        let indices = &mut self.indices[base..base + k];
        if indices.contains(&j) {
            return false;
        }
        let keys = &mut self.keys[base..base + k];
        let flags = &mut self.fresh[base..base + k];
        let mut at = 0;
        loop {
            let left = 2 * at + 1;
            if left >= k {
                break;
            }
            let right = left + 1;
            let bigger =
                if right < k && before(keys[left], indices[left], keys[right], indices[right]) {
                    right
                } else {
                    left
                };
            if before(keys[bigger], indices[bigger], key, j) {
                break;
            }
            keys[at] = keys[bigger];
            indices[at] = indices[bigger];
            flags[at] = flags[bigger];
            at = bigger;
        }
        keys[at] = key;
        indices[at] = j;
        flags[at] = fresh;
        true
    }

    /// Offers every entry of `other` (lists of the same points) to these
    /// lists. The k best of a union do not depend on how it was split, so
    /// lists filled from parts of a search and merged equal the lists filled
    /// in one go.
    pub fn merge_from(&mut self, other: &NeighborHeaps) {
        debug_assert_eq!(self.points(), other.points());
        for i in 0..other.points() {
            for slot in 0..other.k {
                let at = i * other.k + slot;
                if other.indices[at] != EMPTY {
                    self.push(i, other.keys[at], other.indices[at], other.fresh[at]);
                }
            }
        }
    }

    /// Consecutive blocks of points' lists as one.
    pub fn concat(blocks: Vec<NeighborHeaps>, k: usize) -> NeighborHeaps {
        let mut all = NeighborHeaps::new(0, k);
        for block in blocks {
            all.indices.extend_from_slice(&block.indices);
            all.keys.extend_from_slice(&block.keys);
            all.fresh.extend_from_slice(&block.fresh);
        }
        all
    }

    /// The lists' indices and keys, slot by slot (empty slots hold
    /// [`EMPTY`] and infinity).
    pub fn into_parts(self) -> (Vec<u32>, Vec<f32>) {
        (self.indices, self.keys)
    }

    /// Lists from [`NeighborHeaps::into_parts`]; `None` if the lengths do not
    /// fit k.
    pub fn from_parts(k: usize, indices: Vec<u32>, keys: Vec<f32>) -> Option<NeighborHeaps> {
        if k == 0 || indices.len() != keys.len() || !indices.len().is_multiple_of(k) {
            return None;
        }
        let fresh = vec![false; indices.len()];
        Some(NeighborHeaps {
            k,
            indices,
            keys,
            fresh,
        })
    }

    /// Each point's list by increasing (key, index), empty slots last.
    pub fn into_sorted(mut self) -> (Vec<u32>, Vec<f32>) {
        let k = self.k;
        let mut pairs: Vec<(f32, u32)> = Vec::with_capacity(k);
        for (indices, keys) in self
            .indices
            .chunks_exact_mut(k.max(1))
            .zip(self.keys.chunks_exact_mut(k.max(1)))
        {
            pairs.clear();
            pairs.extend(keys.iter().copied().zip(indices.iter().copied()));
            pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for (slot, &(key, j)) in pairs.iter().enumerate() {
                keys[slot] = key;
                indices[slot] = j;
            }
        }
        (self.indices, self.keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_k_smallest_without_duplicates() {
        let mut h = NeighborHeaps::new(1, 3);
        for (key, j) in [
            (5.0, 1),
            (1.0, 2),
            (4.0, 3),
            (1.0, 2),
            (0.5, 4),
            (9.0, 5),
            (4.0, 0),
        ] {
            h.push(0, key, j, true);
        }
        assert_eq!(h.threshold(0), 4.0);
        let (indices, keys) = h.into_sorted();
        assert_eq!(indices, [4, 2, 0]);
        assert_eq!(keys, [0.5, 1.0, 4.0]);
    }

    #[test]
    fn ties_go_to_the_smaller_index_whatever_the_order() {
        let mut a = NeighborHeaps::new(1, 2);
        let mut b = NeighborHeaps::new(1, 2);
        for j in [3, 1, 2] {
            a.push(0, 1.0, j, false);
        }
        for j in [2, 3, 1] {
            b.push(0, 1.0, j, false);
        }
        assert_eq!(a.into_sorted().0, [1, 2]);
        assert_eq!(b.into_sorted().0, [1, 2]);
    }
}
