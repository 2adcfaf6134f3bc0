//! Seeded per-category sampling.
//!
//! STUB in the `web` branch only, with the signature the lead announced, so the
//! page can be built against it; binaries only. Delete when main's lands.

use rand::{SeedableRng, rngs::StdRng, seq::SliceRandom};

use crate::chem::{Composition, Element};
use crate::label::{Category, Labeller};

#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub compositions: Vec<Composition>,
    pub categories: Vec<Category>,
    pub shortfalls: Vec<(Category, usize)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SampleError {
    Order(usize),
}

impl std::fmt::Display for SampleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SampleError::Order(n) => write!(
                f,
                "sampling order {n} is not available in this build yet (binaries only)"
            ),
        }
    }
}

impl std::error::Error for SampleError {}

pub fn sample(
    order: usize,
    per_category: usize,
    seed: u64,
    labeller: &Labeller,
) -> Result<Sample, SampleError> {
    if order != 2 {
        return Err(SampleError::Order(order));
    }
    let elements: Vec<Element> = Element::all().collect();
    let mut groups: [Vec<Composition>; 4] = Default::default();
    for pair in crate::enumerate::combinations(elements.len(), 2) {
        for t in crate::enumerate::coprime_tuples(2, labeller.threshold) {
            if let Some(c) =
                Composition::new([(elements[pair[0]], t[0]), (elements[pair[1]], t[1])])
            {
                let k = Category::ALL
                    .iter()
                    .position(|&x| x == labeller.category(&c))
                    .unwrap_or(3);
                groups[k].push(c);
            }
        }
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = Sample {
        compositions: Vec::new(),
        categories: Vec::new(),
        shortfalls: Vec::new(),
    };
    for (k, group) in groups.iter_mut().enumerate() {
        group.shuffle(&mut rng);
        let take = per_category.min(group.len());
        if take < per_category {
            out.shortfalls.push((Category::ALL[k], per_category - take));
        }
        out.compositions.extend(group.drain(..take));
        out.categories
            .extend(std::iter::repeat_n(Category::ALL[k], take));
    }
    Ok(out)
}
