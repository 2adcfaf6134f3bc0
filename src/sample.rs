//! Seeded samples of K compositions drawn uniformly from each of the four
//! categories of one order: what the maps are drawn from (the paper samples
//! 3,000 per category).
//!
//! Known categories (standard, interesting) are drawn from the known set's
//! compositions of that order. Unknown ones (missing, unlikely) are drawn by
//! rejection: a uniform composition of the whole space is an element set chosen
//! uniformly and a coprime stoichiometry chosen uniformly (every set has the
//! same number of them), kept if it is unknown and its category still needs
//! members. Allowed fractions are 6-17%, so this is quick even for
//! quaternaries. Small spaces (binaries) are listed in full and sampled
//! without rejection.
//!
//! Deterministic: the same settings and seed give the same sample on every
//! platform (only fixed-width integers are drawn, never `usize`).

use std::collections::HashSet;
use std::fmt;

use crate::chem::{Composition, Element};
use crate::data::ELEMENT_COUNT;
use crate::data::known::composition_key;
use crate::enumerate::{
    MAX_STOICH_LIMIT, binomial, combinations, coprime_tuples, unrank_combination,
};
use crate::filter::is_metal;
use crate::label::{Category, Labeller};
use crate::reduce::random::Random;

/// Most compositions per category one sample may ask for.
pub const MAX_PER_CATEGORY: usize = 50_000;
/// The purpose the sample's generator is forked for (see [`Random::fork`]).
const SAMPLE_STREAM: u64 = 0x5A4D_504C_4531;
/// Spaces up to this many compositions are listed in full.
const LIST_IN_FULL_UP_TO: u64 = 3_000_000;

/// How much of a category a sample takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SampleSize {
    /// Up to this many compositions from each category (the paper: 3,000).
    PerCategory(usize),
    /// The whole space: every composition of the order where the space is
    /// listed in full (all 225,879 binaries with factors up to 8); elsewhere
    /// the largest sample the page and the reducers take,
    /// [`MAX_PER_CATEGORY`] of each category.
    Whole,
}

impl SampleSize {
    /// As a link and the CLI write it: `3000` or `all`.
    pub fn name(self) -> String {
        match self {
            SampleSize::PerCategory(k) => k.to_string(),
            SampleSize::Whole => "all".into(),
        }
    }

    /// Reads `3000` or `all`.
    pub fn parse(text: &str) -> Result<SampleSize, SampleError> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("all") {
            return Ok(SampleSize::Whole);
        }
        match text.parse::<usize>() {
            Ok(k) if (1..=MAX_PER_CATEGORY).contains(&k) => Ok(SampleSize::PerCategory(k)),
            _ => Err(SampleError::Size(text.chars().take(40).collect())),
        }
    }
}

/// Compositions in category order (standard, missing, interesting,
/// unlikely), with their categories.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub compositions: Vec<Composition>,
    pub categories: Vec<Category>,
    /// Categories of which fewer compositions than asked for were found, with
    /// how many (all of which are in the sample). Listed categories are
    /// exhaustive; an unknown category drawn by rejection is short only when
    /// it holds under about 1 in 200 of the space.
    pub shortfalls: Vec<(Category, usize)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SampleError {
    Order(usize),
    PerCategory(usize),
    /// Neither a number of compositions per category nor `all`.
    Size(String),
    Threshold(u32),
}

impl fmt::Display for SampleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SampleError::Order(n) => write!(
                f,
                "order {n}: the atlas samples binaries, ternaries and quaternaries (2, 3 or 4)"
            ),
            SampleError::PerCategory(k) => {
                write!(
                    f,
                    "{k} per category: choose between 1 and {MAX_PER_CATEGORY}"
                )
            }
            SampleError::Size(text) => write!(
                f,
                "'{text}' per category: give a number from 1 to {MAX_PER_CATEGORY}, or all for the whole space"
            ),
            SampleError::Threshold(t) => write!(
                f,
                "stoichiometry limit {t}: choose between 1 and {MAX_STOICH_LIMIT}"
            ),
        }
    }
}

impl std::error::Error for SampleError {}

/// Draws compositions of `order` elements from each category under the
/// labeller's settings: up to K of each, or the whole space.
pub fn sample(
    order: usize,
    size: SampleSize,
    seed: u64,
    labeller: &Labeller,
) -> Result<Sample, SampleError> {
    if !(2..=4).contains(&order) {
        return Err(SampleError::Order(order));
    }
    if let SampleSize::PerCategory(k) = size
        && !(1..=MAX_PER_CATEGORY).contains(&k)
    {
        return Err(SampleError::PerCategory(k));
    }
    if !(1..=MAX_STOICH_LIMIT).contains(&labeller.threshold) {
        return Err(SampleError::Threshold(labeller.threshold));
    }
    let tuples = coprime_tuples(order, labeller.threshold);
    let space = binomial(ELEMENT_COUNT as u64, order as u64) * tuples.len() as u64;
    let listed = space <= LIST_IN_FULL_UP_TO;
    let per_category = match size {
        SampleSize::PerCategory(k) => k,
        SampleSize::Whole if listed => usize::MAX,
        SampleSize::Whole => MAX_PER_CATEGORY,
    };
    let mut draw = Draw {
        labeller,
        order,
        tuples,
        per_category,
        rng: Random::fork(seed, SAMPLE_STREAM),
        by_category: Default::default(),
        shortfalls: Vec::new(),
    };
    draw.known();
    if listed {
        draw.unknown_listed();
    } else {
        draw.unknown_drawn();
    }

    let mut compositions = Vec::new();
    let mut categories = Vec::new();
    for (category, pool) in Category::ALL.into_iter().zip(draw.by_category) {
        categories.extend(std::iter::repeat_n(category, pool.len()));
        compositions.extend(pool);
    }
    let mut shortfalls = draw.shortfalls;
    shortfalls.sort();
    if per_category == usize::MAX {
        // Everything was asked for and everything is there.
        shortfalls.clear();
    }
    Ok(Sample {
        compositions,
        categories,
        shortfalls,
    })
}

/// A sample being drawn: the pools chosen so far, category by category, from
/// one generator (the order of the draws is the sample's identity).
/// `compositions` split into those the filters allow and the rest, each in
/// the order given.
fn split_allowed(
    labeller: &Labeller,
    compositions: impl IntoIterator<Item = Composition>,
) -> (Vec<Composition>, Vec<Composition>) {
    compositions.into_iter().partition(|c| labeller.allowed(c))
}

struct Draw<'a> {
    labeller: &'a Labeller<'a>,
    order: usize,
    tuples: Vec<Vec<u32>>,
    per_category: usize,
    rng: Random,
    by_category: [Vec<Composition>; 4],
    shortfalls: Vec<(Category, usize)>,
}

impl Draw<'_> {
    /// Where `category`'s pool goes (the sample is in category order).
    fn slot(category: Category) -> usize {
        Category::ALL
            .iter()
            .position(|&x| x == category)
            .expect("listed")
    }

    fn keep(&mut self, category: Category, pool: Vec<Composition>) {
        self.by_category[Self::slot(category)] = choose(
            pool,
            self.per_category,
            &mut self.rng,
            category,
            &mut self.shortfalls,
        );
    }

    /// Known categories: from the known set itself.
    fn known(&mut self) {
        let labeller = self.labeller;
        let (standard, interesting) = split_allowed(
            labeller,
            labeller
                .known
                .compositions_within(self.order, labeller.threshold),
        );
        self.keep(Category::Standard, standard);
        self.keep(Category::Interesting, interesting);
    }

    /// Unknown categories of a space small enough to list in full.
    fn unknown_listed(&mut self) {
        let labeller = self.labeller;
        let tuples = &self.tuples;
        let unknown = combinations(ELEMENT_COUNT, self.order)
            .flat_map(|set| tuples.iter().map(move |t| composition_of(&set, t)))
            .filter(|c| !labeller.known.contains(c));
        let (missing, unlikely) = split_allowed(labeller, unknown);
        self.keep(Category::Missing, missing);
        self.keep(Category::Unlikely, unlikely);
    }

    /// Unknown categories of a large space, by rejection.
    fn unknown_drawn(&mut self) {
        let (labeller, order, per_category) = (self.labeller, self.order, self.per_category);
        // Allowed compositions only use elements with an electronegativity and
        // oxidation states (or metals, when alloys count). When a custom set
        // leaves few of those, "missing" may be tiny or empty, which rejection
        // would chase for ever: it is listed in full instead.
        let eligible: Vec<usize> = Element::all()
            .filter(|&e| {
                (e.pauling_eneg().is_some() && !labeller.ox.of(e).is_empty())
                    || (labeller.options.include_alloys && is_metal(e))
            })
            .map(Element::index)
            .collect();
        let list_missing = binomial(eligible.len() as u64, order as u64) * self.tuples.len() as u64
            <= LIST_IN_FULL_UP_TO;
        let mut wanted_missing = per_category;
        if list_missing {
            let mut missing = Vec::new();
            for subset in combinations(eligible.len(), order) {
                let set: Vec<usize> = subset.iter().map(|&i| eligible[i]).collect();
                for t in &self.tuples {
                    let c = composition_of(&set, t);
                    if !labeller.known.contains(&c) && labeller.allowed(&c) {
                        missing.push(c);
                    }
                }
            }
            self.keep(Category::Missing, missing);
            wanted_missing = 0;
        }
        let sets = binomial(ELEMENT_COUNT as u64, order as u64);
        // Keys of the compositions kept, so none is kept twice (at most 2 x K).
        let mut kept = HashSet::new();
        let (mut missing, mut unlikely) = (Vec::new(), Vec::new());
        // Enough draws for a category holding 1 in 200 of the space (the
        // built-in sets' allowed fractions are 6-17%); a rarer one comes up
        // short, and the shortfall is reported, rather than drawing for minutes.
        let mut budget: u64 = 200 * per_category as u64 + 10_000_000;
        let rng = &mut self.rng;
        while (missing.len() < wanted_missing || unlikely.len() < per_category) && budget > 0 {
            budget -= 1;
            let set = unrank_combination(ELEMENT_COUNT, order, index_below(rng, sets));
            let t = &self.tuples[index_below(rng, self.tuples.len() as u64) as usize];
            let c = composition_of(&set, t);
            let key = composition_key(&c).expect("within 4 elements and 511");
            if labeller.known.contains_key(key) {
                continue;
            }
            let (pool, wanted) = if labeller.allowed(&c) {
                (&mut missing, wanted_missing)
            } else {
                (&mut unlikely, per_category)
            };
            if pool.len() < wanted && kept.insert(key) {
                pool.push(c);
            }
        }
        for (category, pool, wanted) in [
            (Category::Missing, missing, wanted_missing),
            (Category::Unlikely, unlikely, per_category),
        ] {
            if wanted == 0 {
                continue;
            }
            if pool.len() < wanted {
                self.shortfalls.push((category, pool.len()));
            }
            self.by_category[Self::slot(category)] = pool;
        }
    }
}

fn composition_of(set: &[usize], ratio: &[u32]) -> Composition {
    let parts = set
        .iter()
        .zip(ratio)
        .map(|(&i, &a)| (Element::from_z(i as u8 + 1).expect("0..103"), a));
    Composition::new(parts).expect("distinct elements, positive amounts")
}

/// A uniform index below `n`, from the repo's own generator (whose stream no
/// crate upgrade can change: a sample in a lecture's link stays the same).
/// Every `n` here (element sets, stoichiometries, pool sizes) is below 2^32.
fn index_below(rng: &mut Random, n: u64) -> u64 {
    let n = u32::try_from(n).expect("sample spaces index below 2^32");
    u64::from(rng.below(n))
}

/// `k` members of `pool` chosen uniformly without replacement (partial
/// Fisher-Yates), in the order drawn; all of them, with a shortfall noted,
/// when the pool is smaller.
fn choose(
    mut pool: Vec<Composition>,
    k: usize,
    rng: &mut Random,
    category: Category,
    shortfalls: &mut Vec<(Category, usize)>,
) -> Vec<Composition> {
    if pool.len() <= k {
        if pool.len() < k {
            shortfalls.push((category, pool.len()));
        }
        return pool;
    }
    for i in 0..k {
        let j = i + index_below(rng, (pool.len() - i) as u64) as usize;
        pool.swap(i, j);
    }
    pool.truncate(k);
    pool
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{KnownSource, OxidationSet};
    use crate::filter::FilterOptions;

    fn labeller() -> Labeller<'static> {
        Labeller {
            ox: OxidationSet::Smact14.states(),
            threshold: 8,
            options: FilterOptions::PAPER,
            known: KnownSource::MaterialsProject.embedded().unwrap(),
        }
    }

    #[test]
    fn samples_follow_the_filter_options() {
        let mixed_alloys = FilterOptions {
            mixed_valence: true,
            include_alloys: true,
            icsd24: None,
        };
        let l = Labeller {
            options: mixed_alloys,
            ..labeller()
        };
        for order in [2, 4] {
            let s = sample(order, SampleSize::PerCategory(300), 5, &l).unwrap();
            // Fewer known compositions are forbidden now: 168 binaries.
            assert!(
                s.shortfalls
                    .iter()
                    .all(|&(c, _)| c == Category::Interesting),
                "{:?}",
                s.shortfalls
            );
            for (c, &cat) in s.compositions.iter().zip(&s.categories) {
                assert_eq!(l.category(c), cat, "{c}");
            }
            // Alloys are allowed now: some all-metal composition is missing or standard.
            assert!(
                s.compositions
                    .iter()
                    .zip(&s.categories)
                    .any(|(c, cat)| cat.allowed() && c.elements().all(is_metal)),
                "order {order}"
            );
        }
    }

    #[test]
    fn every_member_is_in_its_category_and_seeds_repeat() {
        let l = labeller();
        for order in [2, 3, 4] {
            let s = sample(order, SampleSize::PerCategory(200), 42, &l).unwrap();
            assert_eq!(
                s.compositions.len(),
                800,
                "order {order}: {:?}",
                s.shortfalls
            );
            for (c, &cat) in s.compositions.iter().zip(&s.categories) {
                assert_eq!(c.order(), order);
                assert_eq!(l.category(c), cat, "{c}");
            }
            let distinct: HashSet<&Composition> = s.compositions.iter().collect();
            assert_eq!(distinct.len(), 800);
            assert_eq!(
                sample(order, SampleSize::PerCategory(200), 42, &l).unwrap(),
                s
            );
            assert_ne!(
                sample(order, SampleSize::PerCategory(200), 43, &l)
                    .unwrap()
                    .compositions,
                s.compositions
            );
        }
    }

    #[test]
    fn small_categories_are_taken_whole_and_reported() {
        let l = Labeller {
            threshold: 1,
            ..labeller()
        };
        // With factors of 1 only, binaries are the 5,253 AB compositions.
        let s = sample(2, SampleSize::PerCategory(50_000), 1, &l).unwrap();
        assert_eq!(s.compositions.len(), 5_253);
        assert_eq!(s.shortfalls.len(), 4);
        assert!(sample(5, SampleSize::PerCategory(10), 1, &l).is_err());
        assert!(sample(2, SampleSize::PerCategory(0), 1, &l).is_err());
        assert!(SampleSize::parse("0").is_err());
        assert!(
            SampleSize::parse("lots")
                .unwrap_err()
                .to_string()
                .contains("or all")
        );
        assert_eq!(SampleSize::parse(" ALL "), Ok(SampleSize::Whole));
        assert_eq!(SampleSize::parse("3000"), Ok(SampleSize::PerCategory(3000)));
        // A set where only Zn and O have states: no quaternary is allowed. The
        // missing category used to be chased by rejection for minutes while
        // every draw was remembered (1.7 GB after two minutes).
        let zn_o = crate::data::OxidationStates::parse_smact_file("zn-o", "Zn +2\nO -2").unwrap();
        let tiny = Labeller {
            ox: &zn_o,
            ..labeller()
        };
        let s = sample(4, SampleSize::PerCategory(50_000), 1, &tiny).unwrap();
        assert!(
            s.shortfalls.contains(&(Category::Missing, 0)),
            "{:?}",
            s.shortfalls
        );
        assert_eq!(
            s.categories
                .iter()
                .filter(|&&c| c == Category::Unlikely)
                .count(),
            50_000
        );
        let s = sample(3, SampleSize::PerCategory(100), 1, &tiny).unwrap();
        assert!(s.shortfalls.contains(&(Category::Missing, 0)));
        for threshold in [0, 17, u32::MAX] {
            let l = Labeller { threshold, ..l };
            assert_eq!(
                sample(2, SampleSize::PerCategory(10), 1, &l),
                Err(SampleError::Threshold(threshold))
            );
        }
    }

    #[test]
    fn the_whole_binary_space_is_every_binary_once() {
        let l = labeller();
        let s = sample(2, SampleSize::Whole, 1, &l).unwrap();
        // Table 2 of the paper: 225,879 binaries, 13,464 of them allowed.
        assert_eq!(s.compositions.len(), 225_879);
        let allowed = s
            .categories
            .iter()
            .filter(|c| matches!(c, Category::Standard | Category::Missing))
            .count();
        assert_eq!(allowed, 13_464);
        let distinct: HashSet<_> = s.compositions.iter().map(|c| c.to_string()).collect();
        assert_eq!(distinct.len(), 225_879);
        assert!(s.shortfalls.is_empty());
        // Beyond what is listed in full, the whole space is the largest sample.
        let t = sample(3, SampleSize::Whole, 1, &l).unwrap();
        let unlikely = t
            .categories
            .iter()
            .filter(|c| **c == Category::Unlikely)
            .count();
        assert_eq!(unlikely, MAX_PER_CATEGORY);
    }
}
