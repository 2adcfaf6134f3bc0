//! The space being mapped: element combinations and stoichiometry tuples.
//!
//! An n-ary composition is n distinct elements with positive whole factors up to
//! `max_stoich`, counted once in reduced form (gcd 1), so the space holds
//! C(103, n) x |coprime n-tuples| compositions (SPEC section 2).

use crate::chem::gcd;

/// Largest stoichiometric factor the atlas accepts. Chosen so the n = 4 tuple
/// list (max^4 entries before the gcd filter) stays small; see README "Limits".
pub const MAX_STOICH_LIMIT: u32 = 16;
/// Orders the atlas maps: binaries, ternaries, quaternaries.
pub const ORDERS: [usize; 3] = [2, 3, 4];

/// All n-tuples with entries in 1..=max whose gcd is 1, in lexicographic order
/// (SMACT's `itertools.product` order). 43 pairs, 439 triples and 3,823
/// quadruples for max = 8.
pub fn coprime_tuples(n: usize, max: u32) -> Vec<Vec<u32>> {
    let mut out = Vec::new();
    let mut t = vec![1u32; n];
    if n == 0 || max == 0 {
        return out;
    }
    loop {
        if t.iter().fold(0, |g, &x| gcd(g, x)) == 1 {
            out.push(t.clone());
        }
        let mut i = n;
        loop {
            if i == 0 {
                return out;
            }
            i -= 1;
            if t[i] < max {
                t[i] += 1;
                break;
            }
            t[i] = 1;
        }
    }
}

/// Number of n-tuples in 1..=max with gcd 1, by Möbius inversion over the
/// common divisor d: sum over d of mu(d) * floor(max / d)^n.
pub fn coprime_tuple_count(n: usize, max: u32) -> u64 {
    (1..=max)
        .map(|d| mobius(d) * i64::from(max / d).pow(n as u32))
        .sum::<i64>() as u64
}

fn mobius(mut n: u32) -> i64 {
    let mut result = 1;
    let mut p = 2;
    while p * p <= n {
        if n.is_multiple_of(p) {
            n /= p;
            if n.is_multiple_of(p) {
                return 0;
            }
            result = -result;
        }
        p += 1;
    }
    if n > 1 { -result } else { result }
}

/// Binomial coefficient C(n, k) (exact for the sizes used here).
pub fn binomial(n: u64, k: u64) -> u64 {
    if k > n {
        return 0;
    }
    (0..k.min(n - k)).fold(1u64, |acc, i| acc * (n - i) / (i + 1))
}

/// Number of unique n-ary compositions: C(pool, n) x coprime tuples.
pub fn unique_compositions(pool: u64, n: usize, max_stoich: u32) -> u64 {
    binomial(pool, n as u64) * coprime_tuple_count(n, max_stoich)
}

/// The k-combinations of 0..n in lexicographic order, as index vectors
/// (`itertools.combinations(range(n), k)`).
pub fn combinations(n: usize, k: usize) -> impl Iterator<Item = Vec<usize>> {
    let mut next = (k <= n).then(|| (0..k).collect::<Vec<usize>>());
    std::iter::from_fn(move || {
        let current = next.take()?;
        let mut c = current.clone();
        let mut i = k;
        while i > 0 {
            i -= 1;
            if c[i] < n - k + i {
                c[i] += 1;
                for j in i + 1..k {
                    c[j] = c[j - 1] + 1;
                }
                next = Some(c);
                break;
            }
        }
        Some(current)
    })
}

/// The index of the k-combination `c` (strictly increasing, entries < n) in the
/// lexicographic order of [`combinations`]; inverse of [`unrank_combination`].
pub fn rank_combination(n: usize, c: &[usize]) -> u64 {
    let k = c.len();
    let mut rank = 0;
    let mut prev = 0;
    for (i, &x) in c.iter().enumerate() {
        for skipped in prev..x {
            rank += binomial((n - skipped - 1) as u64, (k - i - 1) as u64);
        }
        prev = x + 1;
    }
    rank
}

/// The k-combination of 0..n at lexicographic position `rank`.
pub fn unrank_combination(n: usize, k: usize, mut rank: u64) -> Vec<usize> {
    let mut out = Vec::with_capacity(k);
    let mut x = 0;
    for i in 0..k {
        loop {
            let block = binomial((n - x - 1) as u64, (k - i - 1) as u64);
            if rank < block {
                break;
            }
            rank -= block;
            x += 1;
        }
        out.push(x);
        x += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn space_sizes_match_the_paper() {
        // SPEC section 2: 43, 439, 3823 tuples; 225,879 / 77,637,589 / 16,902,534,325 compositions.
        assert_eq!(coprime_tuples(2, 8).len(), 43);
        assert_eq!(coprime_tuples(3, 8).len(), 439);
        assert_eq!(coprime_tuples(4, 8).len(), 3823);
        for n in 1..=4 {
            for max in 1..=12 {
                assert_eq!(
                    coprime_tuple_count(n, max),
                    coprime_tuples(n, max).len() as u64
                );
            }
        }
        assert_eq!(unique_compositions(103, 2, 8), 225_879);
        assert_eq!(unique_compositions(103, 3, 8), 77_637_589);
        assert_eq!(unique_compositions(103, 4, 8), 16_902_534_325);
    }

    #[test]
    fn combinations_rank_and_unrank() {
        let all: Vec<Vec<usize>> = combinations(7, 3).collect();
        assert_eq!(all.len(), 35);
        assert_eq!(all[0], [0, 1, 2]);
        assert_eq!(all[34], [4, 5, 6]);
        for (i, c) in all.iter().enumerate() {
            assert_eq!(rank_combination(7, c), i as u64);
            assert_eq!(&unrank_combination(7, 3, i as u64), c);
        }
        assert_eq!(combinations(3, 4).count(), 0);
    }
}
