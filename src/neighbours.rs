//! What a composition resembles: its nearest compositions in the embedding
//! space, among the sampled compositions of a map or among a set of known
//! materials embedded the same way (same element embedding, same pooling).
//!
//! Distances are Euclidean between the f32 vectors the maps are made from
//! ([`crate::embed::embed_batch`]), found by an exact search
//! ([`NeighborIndex`]). An [`EmbeddedSet`] is built once (a known set of
//! 50,000 compositions embeds in a few tens of milliseconds) and answers any
//! number of queries; the page's worker keeps one per database and embedding.
//! Compositions the embedding cannot give a vector (an element it lacks, or a
//! pooling that comes out NaN, such as a geometric mean of negative values)
//! are left out of the set and counted.

use std::fmt;

use ndarray::{ArrayView2, Axis};

use crate::chem::{Composition, Element};
use crate::data::embeddings::ElementEmbedding;
use crate::embed::{PoolingStat, embed_batch};
use crate::reduce::ReduceError;
use crate::reduce::knn::NeighborIndex;

/// Compositions with their vectors, ready to be searched.
pub struct EmbeddedSet {
    compositions: Vec<Composition>,
    index: NeighborIndex,
    uncovered: usize,
    not_finite: usize,
}

/// One composition of the set near the query.
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbour<'a> {
    pub composition: &'a Composition,
    /// Its position in the set ([`EmbeddedSet::compositions`]).
    pub index: usize,
    /// Euclidean distance between the two vectors.
    pub distance: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NeighboursError {
    /// The query has an element the embedding does not cover.
    Uncovered {
        formula: String,
        element: Element,
        embedding: String,
    },
    /// The query's vector has a NaN or infinite component.
    NotFinite { formula: String, embedding: String },
    /// A vector or matrix of the wrong width.
    Width { got: usize, expected: usize },
    /// As many matrix rows as compositions are needed.
    Rows { rows: usize, compositions: usize },
}

impl fmt::Display for NeighboursError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NeighboursError::Uncovered {
                formula,
                element,
                embedding,
            } => write!(
                f,
                "{formula} has no {embedding} vector: {embedding} has none for {element}; choose an embedding that covers it"
            ),
            NeighboursError::NotFinite { formula, embedding } => write!(
                f,
                "{formula}'s {embedding} vector is not finite (a geometric or harmonic mean of negative or zero values?); choose the mean"
            ),
            NeighboursError::Width { got, expected } => {
                write!(f, "a vector of {got} values where {expected} are needed")
            }
            NeighboursError::Rows { rows, compositions } => write!(
                f,
                "{rows} vectors for {compositions} compositions; give one vector per composition"
            ),
        }
    }
}

impl std::error::Error for NeighboursError {}

impl EmbeddedSet {
    /// Embeds `compositions` with `embedding` pooled by `stats`, leaving out
    /// (and counting) those without a finite vector.
    pub fn new(
        compositions: impl IntoIterator<Item = Composition>,
        embedding: &ElementEmbedding,
        stats: &[PoolingStat],
    ) -> EmbeddedSet {
        let all: Vec<Composition> = compositions.into_iter().collect();
        let batch = embed_batch(&all, embedding, stats, false);
        let finite: Vec<usize> = (0..batch.kept_rows.len())
            .filter(|&r| batch.matrix.row(r).iter().all(|v| v.is_finite()))
            .collect();
        let matrix = batch.matrix.select(Axis(0), &finite);
        let mut compositions = Vec::with_capacity(finite.len());
        let mut all: Vec<Option<Composition>> = all.into_iter().map(Some).collect();
        for &r in &finite {
            compositions.extend(all[batch.kept_rows[r]].take());
        }
        EmbeddedSet {
            index: NeighborIndex::new(matrix.view())
                .unwrap_or_else(|_| unreachable!("only finite rows are kept")),
            uncovered: batch.left_out.len(),
            not_finite: batch.kept_rows.len() - finite.len(),
            compositions,
        }
    }

    /// A set from vectors already at hand (a map's sample and its matrix),
    /// one finite row per composition.
    pub fn from_matrix(
        compositions: Vec<Composition>,
        matrix: ArrayView2<f32>,
    ) -> Result<EmbeddedSet, ReduceError> {
        if matrix.nrows() != compositions.len() {
            return Err(ReduceError::BadParameter {
                name: "matrix rows",
                value: matrix.nrows().to_string(),
                accepted: format!("{} (one per composition)", compositions.len()),
            });
        }
        Ok(EmbeddedSet {
            index: NeighborIndex::new(matrix)?,
            compositions,
            uncovered: 0,
            not_finite: 0,
        })
    }

    /// The compositions searched, in index order.
    pub fn compositions(&self) -> &[Composition] {
        &self.compositions
    }

    pub fn len(&self) -> usize {
        self.compositions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.compositions.is_empty()
    }

    /// Compositions left out for an element the embedding lacks.
    pub fn uncovered(&self) -> usize {
        self.uncovered
    }

    /// Compositions left out because their pooled vector was not finite.
    pub fn not_finite(&self) -> usize {
        self.not_finite
    }

    /// The `k` compositions nearest to `vector`, nearest first (ties by index).
    pub fn nearest_to_vector(
        &self,
        vector: &[f32],
        k: usize,
    ) -> Result<Vec<Neighbour<'_>>, NeighboursError> {
        if vector.len() != self.index.dim() {
            return Err(NeighboursError::Width {
                got: vector.len(),
                expected: self.index.dim(),
            });
        }
        if vector.iter().any(|v| !v.is_finite()) {
            return Err(NeighboursError::NotFinite {
                formula: "the query".into(),
                embedding: "given".into(),
            });
        }
        let found = self
            .index
            .nearest(vector, k)
            .unwrap_or_else(|_| unreachable!("width and finiteness checked above"));
        Ok(found
            .into_iter()
            .map(|(j, distance)| Neighbour {
                composition: &self.compositions[j as usize],
                index: j as usize,
                distance,
            })
            .collect())
    }

    /// The `k` compositions nearest to `composition`, embedded as the set
    /// was (`embedding` and `stats` must be the set's).
    pub fn nearest(
        &self,
        composition: &Composition,
        embedding: &ElementEmbedding,
        stats: &[PoolingStat],
        k: usize,
    ) -> Result<Vec<Neighbour<'_>>, NeighboursError> {
        let batch = embed_batch(std::slice::from_ref(composition), embedding, stats, false);
        if let Some(&(_, element)) = batch.left_out.first() {
            return Err(NeighboursError::Uncovered {
                formula: composition.to_string(),
                element,
                embedding: embedding.name().to_string(),
            });
        }
        let vector = batch.matrix.row(0).to_vec();
        if vector.iter().any(|v| !v.is_finite()) {
            return Err(NeighboursError::NotFinite {
                formula: composition.to_string(),
                embedding: embedding.name().to_string(),
            });
        }
        self.nearest_to_vector(&vector, k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::embeddings::EmbeddingInfo;

    fn parse(formulas: &[&str]) -> Vec<Composition> {
        formulas
            .iter()
            .map(|f| Composition::parse(f).unwrap())
            .collect()
    }

    fn magpie() -> &'static ElementEmbedding {
        EmbeddingInfo::from_name("magpie")
            .and_then(|i| i.embedded())
            .unwrap()
    }

    #[test]
    fn nearest_compositions_by_their_embedded_distance() {
        let set = EmbeddedSet::new(
            parse(&["ZnO", "ZnO2", "NaCl", "KCl", "Fe2O3", "CfO", "MgO"]),
            magpie(),
            &[PoolingStat::Mean],
        );
        // Magpie has no vector for californium.
        assert_eq!((set.len(), set.uncovered(), set.not_finite()), (6, 1, 0));
        let query = Composition::parse("Zn2O").unwrap();
        let found = set
            .nearest(&query, magpie(), &[PoolingStat::Mean], 3)
            .unwrap();
        let names: Vec<String> = found.iter().map(|n| n.composition.to_string()).collect();
        // Distances by hand from the mean vectors, in f64.
        let mean = |c: &Composition| {
            crate::embed::feature_vector(c, magpie(), &[PoolingStat::Mean]).unwrap()
        };
        let q = mean(&query);
        let mut want: Vec<(f64, String)> = set
            .compositions()
            .iter()
            .map(|c| {
                let d: f64 = mean(c).iter().zip(&q).map(|(a, b)| (a - b).powi(2)).sum();
                (d.sqrt(), c.to_string())
            })
            .collect();
        want.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert_eq!(
            names,
            [want[0].1.clone(), want[1].1.clone(), want[2].1.clone()]
        );
        for (n, (d, _)) in found.iter().zip(&want) {
            assert!((f64::from(n.distance) - d).abs() <= 1e-4 * d.max(1.0));
            assert_eq!(set.compositions()[n.index], *n.composition);
        }
        // A composition of the set is its own nearest, at distance 0.
        let zno = Composition::parse("ZnO").unwrap();
        let own = set
            .nearest(&zno, magpie(), &[PoolingStat::Mean], 1)
            .unwrap();
        assert_eq!((own[0].composition, own[0].distance), (&zno, 0.0));
    }

    #[test]
    fn queries_without_a_vector_say_why() {
        let set = EmbeddedSet::new(parse(&["ZnO", "NaCl"]), magpie(), &[PoolingStat::Mean]);
        let err = set
            .nearest(
                &Composition::parse("CfO2").unwrap(),
                magpie(),
                &[PoolingStat::Mean],
                1,
            )
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "CfO2 has no magpie vector: magpie has none for Cf; choose an embedding that covers it"
        );
        assert_eq!(
            set.nearest_to_vector(&[1.0, 2.0], 1).unwrap_err(),
            NeighboursError::Width {
                got: 2,
                expected: 22
            }
        );
        assert!(
            EmbeddedSet::from_matrix(parse(&["ZnO"]), ndarray::Array2::zeros((2, 3)).view())
                .is_err()
        );
    }
}
