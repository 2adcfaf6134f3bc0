//! t-SNE's input similarities: each point's Gaussian over its nearest
//! neighbours calibrated to the perplexity (the conditional P), then
//! symmetrised into the joint P, exactly as scikit-learn's
//! `_binary_search_perplexity` and `_joint_probabilities_nn`.

use crate::parallel::Pool;
use crate::reduce::knn::KnnGraph;
use crate::reduce::numeric;

/// scikit-learn's `PERPLEXITY_TOLERANCE` and `EPSILON_DBL`, both C floats.
const ENTROPY_TOLERANCE: f64 = 1e-5f32 as f64;
const MIN_SUM: f64 = 1e-8f32 as f64;
const BINARY_SEARCH_STEPS: usize = 100;

/// For each row of `squared_distances` (k per point), p_{j|i} = exp(-d_ij^2
/// beta_i) / sum_j, with the precision beta_i found by bisection so that the
/// row's entropy is ln(perplexity) within 1e-5 nats (at most 100 steps from
/// beta = 1, doubling or halving until bracketed), as scikit-learn does.
/// Rows are calibrated each on its own, [`ROWS_PER_TASK`] to a task, on the
/// threads of `pool`; `on_rows` runs after each [`ROWS_PER_REPORT`] rows with
/// the number done (for progress) and stops early with `false`.
pub(super) fn binary_search_perplexity(
    squared_distances: &[f32],
    k: usize,
    perplexity: f64,
    pool: &Pool,
    mut on_rows: impl FnMut(usize) -> bool,
) -> Option<Vec<f64>> {
    let desired_entropy = numeric::ln(perplexity);
    let mut p = vec![0.0f64; squared_distances.len()];
    let n = squared_distances.len() / k.max(1);
    for (report, rows) in p.chunks_mut(ROWS_PER_REPORT * k.max(1)).enumerate() {
        let first = report * ROWS_PER_REPORT;
        pool.chunks_mut(rows, ROWS_PER_TASK * k, |task, rows| {
            let first = first + task * ROWS_PER_TASK;
            let distances = &squared_distances[first * k..];
            for (row, distances) in rows.chunks_exact_mut(k).zip(distances.chunks_exact(k)) {
                calibrate_row(row, distances, desired_entropy);
            }
        });
        if !on_rows((first + ROWS_PER_REPORT).min(n)) {
            return None;
        }
    }
    Some(p)
}

/// Rows calibrated by one task.
const ROWS_PER_TASK: usize = 128;
/// Rows calibrated between progress reports.
pub(super) const ROWS_PER_REPORT: usize = 2048;

/// One point's conditional P (in `row`) from its squared neighbour distances.
/// A function of its own, called once per point, so that V8 optimises it
/// after the first few points (it optimises a wasm function only for later
/// calls).
#[inline(never)]
fn calibrate_row(row: &mut [f64], distances: &[f32], desired_entropy: f64) {
    let farthest = distances
        .iter()
        .fold(0.0f32, |m, &d| if d > m { d } else { m });
    let mut beta = 1.0f64;
    let mut beta_min = f64::NEG_INFINITY;
    let mut beta_max = f64::INFINITY;
    for _ in 0..BINARY_SEARCH_STEPS {
        let mut sum = 0.0;
        if f64::from(farthest) * beta <= numeric::EXP_RANGE {
            for (pj, &d) in row.iter_mut().zip(distances) {
                *pj = numeric::exp_in_range(-f64::from(d) * beta);
            }
        } else {
            for (pj, &d) in row.iter_mut().zip(distances) {
                *pj = numeric::exp(-f64::from(d) * beta);
            }
        }
        for &pj in row.iter() {
            sum += pj;
        }
        if sum == 0.0 {
            sum = MIN_SUM;
        }
        let mut weighted_distance = 0.0;
        for (pj, &d) in row.iter_mut().zip(distances) {
            *pj /= sum;
            weighted_distance += f64::from(d) * *pj;
        }
        let entropy = numeric::ln(sum) + beta * weighted_distance;
        let difference = entropy - desired_entropy;
        if difference.abs() <= ENTROPY_TOLERANCE {
            break;
        }
        if difference > 0.0 {
            beta_min = beta;
            beta = if beta_max == f64::INFINITY {
                beta * 2.0
            } else {
                (beta + beta_max) / 2.0
            };
        } else {
            beta_max = beta;
            beta = if beta_min == f64::NEG_INFINITY {
                beta / 2.0
            } else {
                (beta + beta_min) / 2.0
            };
        }
    }
}

/// The symmetric joint probabilities p_ij = (p_{j|i} + p_{i|j}) / sum, held
/// once per unordered pair.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct JointProbabilities {
    pub(super) len: usize,
    /// Pairs (i, j) with i < j, sorted by i then j, and their p_ij.
    pub(super) row_start: Vec<u32>,
    pub(super) column: Vec<u32>,
    pub(super) value: Vec<f32>,
}

impl JointProbabilities {
    /// scikit-learn's `_joint_probabilities_nn`: P + P^T over the kNN graph,
    /// divided by its total.
    pub(super) fn from_conditional(graph: &KnnGraph, conditional: &[f64]) -> JointProbabilities {
        let n = graph.len();
        let mut pairs: Vec<(u32, u32, f64)> = Vec::with_capacity(graph.indices.len());
        for i in 0..n {
            let row = &conditional[i * graph.k..(i + 1) * graph.k];
            for (&j, &p) in graph.neighbors(i).iter().zip(row) {
                let i = i as u32;
                pairs.push((i.min(j), i.max(j), p));
            }
        }
        pairs.sort_unstable_by_key(|&(i, j, _)| (i, j));
        let mut merged: Vec<(u32, u32, f64)> = Vec::with_capacity(pairs.len());
        for (i, j, p) in pairs {
            match merged.last_mut() {
                Some(last) if last.0 == i && last.1 == j => last.2 += p,
                _ => merged.push((i, j, p)),
            }
        }
        // Each unordered pair stands for both p_ij and p_ji.
        let total = 2.0 * merged.iter().map(|&(_, _, p)| p).sum::<f64>();
        let total = total.max(f64::EPSILON);
        let mut row_start = vec![0u32; n + 1];
        for &(i, _, _) in &merged {
            row_start[i as usize + 1] += 1;
        }
        for i in 0..n {
            row_start[i + 1] += row_start[i];
        }
        JointProbabilities {
            len: n,
            row_start,
            column: merged.iter().map(|&(_, j, _)| j).collect(),
            value: merged.iter().map(|&(_, _, p)| (p / total) as f32).collect(),
        }
    }

    /// The same probabilities with each point i renamed `rank[i]`.
    pub(super) fn renumbered(&self, rank: &[u32]) -> JointProbabilities {
        let n = self.len;
        let mut row_start = vec![0u32; n + 1];
        for i in 0..n {
            for &j in &self.column[self.row_start[i] as usize..self.row_start[i + 1] as usize] {
                row_start[rank[i].min(rank[j as usize]) as usize + 1] += 1;
            }
        }
        for i in 0..n {
            row_start[i + 1] += row_start[i];
        }
        let mut next: Vec<u32> = row_start[..n].to_vec();
        let mut entries = vec![(0u32, 0.0f32); self.column.len()];
        for i in 0..n {
            let range = self.row_start[i] as usize..self.row_start[i + 1] as usize;
            for (&j, &p) in self.column[range.clone()].iter().zip(&self.value[range]) {
                let (a, b) = (rank[i], rank[j as usize]);
                let row = a.min(b) as usize;
                entries[next[row] as usize] = (a.max(b), p);
                next[row] += 1;
            }
        }
        for i in 0..n {
            entries[row_start[i] as usize..row_start[i + 1] as usize]
                .sort_unstable_by_key(|&(j, _)| j);
        }
        JointProbabilities {
            len: n,
            row_start,
            column: entries.iter().map(|&(j, _)| j).collect(),
            value: entries.iter().map(|&(_, p)| p).collect(),
        }
    }

    /// Pairs (j, p_ij) with j > i.
    #[cfg(test)]
    pub(super) fn upper_row(&self, i: usize) -> impl Iterator<Item = (usize, f32)> + '_ {
        let range = self.row_start[i] as usize..self.row_start[i + 1] as usize;
        self.column[range.clone()]
            .iter()
            .map(|&j| j as usize)
            .zip(self.value[range].iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn fixture() -> Value {
        let path = format!(
            "{}/tests/fixtures/tsne/perplexity.json",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
    }

    fn floats(v: &Value) -> Vec<f64> {
        v.as_array()
            .unwrap()
            .iter()
            .flat_map(|row| match row.as_array() {
                Some(r) => r.iter().map(|x| x.as_f64().unwrap()).collect::<Vec<_>>(),
                None => vec![row.as_f64().unwrap()],
            })
            .collect()
    }

    #[test]
    fn conditional_p_matches_scikit_learn() {
        let f = fixture();
        let k = f["k"].as_u64().unwrap() as usize;
        let squared: Vec<f32> = floats(&f["squared_distances"])
            .iter()
            .map(|&d| d as f32)
            .collect();
        let want = floats(&f["conditional_p"]);
        let got = binary_search_perplexity(
            &squared,
            k,
            f["perplexity"].as_f64().unwrap(),
            &Pool::serial(),
            |_| true,
        )
        .unwrap();
        assert_eq!(got.len(), want.len());
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!((g - w).abs() <= 1e-5, "entry {i}: {g} vs {w}");
        }
        for row in got.chunks_exact(k) {
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn joint_p_matches_scikit_learn() {
        let f = fixture();
        let k = f["k"].as_u64().unwrap() as usize;
        let neighbors: Vec<u32> = floats(&f["neighbors"]).iter().map(|&j| j as u32).collect();
        let squared: Vec<f32> = floats(&f["squared_distances"])
            .iter()
            .map(|&d| d as f32)
            .collect();
        let graph = KnnGraph {
            k,
            distances: squared.iter().map(|d| d.sqrt()).collect(),
            indices: neighbors,
        };
        let conditional = floats(&f["conditional_p"]);
        let joint = JointProbabilities::from_conditional(&graph, &conditional);
        let want: Vec<(usize, usize, f64)> = f["joint_p"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t[0].as_u64().unwrap() as usize,
                    t[1].as_u64().unwrap() as usize,
                    t[2].as_f64().unwrap(),
                )
            })
            .filter(|&(i, j, _)| i < j)
            .collect();
        let got: Vec<(usize, usize, f32)> = (0..joint.len)
            .flat_map(|i| joint.upper_row(i).map(move |(j, p)| (i, j, p)))
            .collect();
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert_eq!((g.0, g.1), (w.0, w.1));
            assert!((f64::from(g.2) - w.2).abs() <= 1e-6 * w.2, "{g:?} vs {w:?}");
        }
    }

    #[test]
    fn renumbering_keeps_every_pair() {
        let f = fixture();
        let k = f["k"].as_u64().unwrap() as usize;
        let graph = KnnGraph {
            k,
            indices: floats(&f["neighbors"]).iter().map(|&j| j as u32).collect(),
            distances: vec![1.0; floats(&f["neighbors"]).len()],
        };
        let joint = JointProbabilities::from_conditional(&graph, &floats(&f["conditional_p"]));
        let n = joint.len as u32;
        let rank: Vec<u32> = (0..n).map(|i| (i * 37 + 11) % n).collect();
        let renamed = joint.renumbered(&rank);
        let pairs = |p: &JointProbabilities, name: &dyn Fn(usize) -> u32| {
            let mut all: Vec<(u32, u32, u32)> = (0..p.len)
                .flat_map(|i| p.upper_row(i).map(move |(j, v)| (i, j, v)))
                .map(|(i, j, v)| (name(i).min(name(j)), name(i).max(name(j)), v.to_bits()))
                .collect();
            all.sort_unstable();
            all
        };
        assert_eq!(pairs(&renamed, &|i| i as u32), pairs(&joint, &|i| rank[i]));
        for i in 0..renamed.len {
            let columns: Vec<usize> = renamed.upper_row(i).map(|(j, _)| j).collect();
            assert!(columns.windows(2).all(|w| w[0] < w[1]) && columns.iter().all(|&j| j > i));
        }
    }

    #[test]
    fn cancelling_stops_the_search() {
        let squared = vec![1.0f32; 4 * 3 * ROWS_PER_REPORT];
        let mut reports = Vec::new();
        let result = binary_search_perplexity(&squared, 4, 2.0, &Pool::serial(), |done| {
            reports.push(done);
            false
        });
        assert!(result.is_none());
        assert_eq!(reports, [ROWS_PER_REPORT]);
    }
}
