//! Placing new rows on a fitted t-SNE map, step by step as openTSNE 1.0.4's
//! `TSNEEmbedding.transform` with its defaults. The fitted map does not move;
//! each new point is optimised against it alone (new points never see each
//! other).
//!
//! 1. `nearest_neighbors`: each new row's k = min(N - 1, 3 perplexity) nearest
//!    fitted rows, exactly (openTSNE asks its Annoy index for them); the
//!    transform's perplexity is 5, so k = 15.
//! 2. `affinities`: openTSNE's `compute_gaussian_perplexity`, a bisection on
//!    each new row's Gaussian precision until the entropy of its neighbour
//!    distribution is ln(perplexity) (to 1e-8, at most 200 steps), rows
//!    normalised to 1 ("point-wise"), never symmetrised.
//! 3. `median` initialisation: each new point starts at the coordinate-wise
//!    median of its neighbours' map positions.
//! 4. `optimize`: openTSNE's `gradient_descent` on the new points only, 250
//!    iterations at learning rate 0.1, exaggeration 1.5, momentum 0.8, each
//!    point's gradient clipped to norm 0.25, gains +0.2 when the gradient
//!    turns against the last update and x 0.8 + 0.01 otherwise. The gradient
//!    is exaggeration sum_j p_ij q_ij (y_i - y_j) - sum_j q_ij^2 (y_i - y_j) /
//!    sum_j q_ij over the fitted points j, the repulsion by Barnes-Hut
//!    (theta 0.5) on a quadtree of the fitted map ([`super::quad_tree`]), each
//!    point normalised by its own sum, as openTSNE does for fewer than 10,000
//!    new rows.
//!
//! Where it differs: the search is exact; openTSNE switches to its
//! interpolation grid (and clips points to a disc around the map) from
//! 10,000 new rows on, this keeps Barnes-Hut at every size. The arithmetic is
//! f64 as openTSNE's, with this crate's exp and ln, so a run gives the same
//! bits natively and in wasm.

use ndarray::{Array2, ArrayView2};

use super::quad_tree::QuadTree;
use super::{TsneParams, tsne};
use crate::reduce::knn::{KnnGraph, NeighborIndex, check_finite};
use crate::reduce::numeric::{exp, ln};
use crate::reduce::{Control, Observer, ReduceError, Stage, Step};

/// openTSNE's `transform` defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct TsneTransformParams {
    pub perplexity: f64,
    /// Neighbours whose median starts a new point (capped at the 3
    /// perplexity searched, as openTSNE's slice is).
    pub init_neighbors: usize,
    pub learning_rate: f64,
    pub early_exaggeration: f64,
    pub early_exaggeration_iter: usize,
    pub exaggeration: f64,
    /// Iterations after the early exaggeration.
    pub n_iter: usize,
    pub initial_momentum: f64,
    pub final_momentum: f64,
    /// Each point's gradient is scaled down to this norm when longer.
    pub max_grad_norm: Option<f64>,
    /// Barnes-Hut opening angle.
    pub theta: f64,
    /// Offer the new points' layout to the observer every this many
    /// iterations and after the last (0: never).
    pub snapshot_every: usize,
}

impl Default for TsneTransformParams {
    fn default() -> Self {
        TsneTransformParams {
            perplexity: 5.0,
            init_neighbors: 25,
            learning_rate: 0.1,
            early_exaggeration: 4.0,
            early_exaggeration_iter: 0,
            exaggeration: 1.5,
            n_iter: 250,
            initial_momentum: 0.8,
            final_momentum: 0.8,
            max_grad_norm: Some(0.25),
            theta: 0.5,
            snapshot_every: 10,
        }
    }
}

/// openTSNE's `compute_gaussian_perplexity` tolerance and step limit.
const PERPLEXITY_TOLERANCE: f64 = 1e-8;
const PERPLEXITY_STEPS: usize = 200;
const MIN_GAIN: f64 = 0.01;
/// Rows of the perplexity search between progress reports.
const AFFINITY_REPORT_ROWS: usize = 256;

/// A fitted t-SNE map and what placing new rows on it needs: the fitted rows
/// (searched for each new row's neighbours), their map positions, and the
/// quadtree of those positions.
pub struct TsneModel {
    index: NeighborIndex,
    embedding: Array2<f32>,
    tree: QuadTree,
}

/// A new row's affinities to fitted rows and its starting position.
#[derive(Debug, Clone, PartialEq)]
pub struct TsneAffinities {
    /// Neighbours per new row.
    pub k: usize,
    /// New rows x k fitted-row indices, nearest first.
    pub neighbors: Vec<u32>,
    /// Their affinities p_ij, each row summing to 1.
    pub p: Vec<f64>,
    /// New rows x 2 starting positions.
    pub init: Vec<f64>,
}

impl TsneModel {
    /// [`tsne`] of `data`, kept with what placing new rows needs.
    pub fn fit(
        data: ArrayView2<f32>,
        params: &TsneParams,
        observer: &mut dyn Observer,
    ) -> Result<TsneModel, ReduceError> {
        let embedding = tsne(data, params, observer)?;
        TsneModel::new(data, embedding)
    }

    /// The model of a 2-D map of `data` laid out elsewhere (N x 2).
    pub fn new(data: ArrayView2<f32>, embedding: Array2<f32>) -> Result<TsneModel, ReduceError> {
        if embedding.dim() != (data.nrows(), 2) || data.nrows() == 0 {
            return Err(ReduceError::BadParameter {
                name: "embedding",
                value: format!("{} x {}", embedding.nrows(), embedding.ncols()),
                accepted: format!(
                    "{} x 2 (a 2-D map of every fitted row, at least one)",
                    data.nrows()
                ),
            });
        }
        check_finite(embedding.view())?;
        let embedding = embedding.as_standard_layout().into_owned();
        let positions: Vec<f64> = embedding.iter().map(|&v| f64::from(v)).collect();
        Ok(TsneModel {
            index: NeighborIndex::new(data)?,
            tree: QuadTree::new(&positions),
            embedding,
        })
    }

    /// The fitted rows' map positions, N x 2.
    pub fn embedding(&self) -> ArrayView2<'_, f32> {
        self.embedding.view()
    }

    /// Steps 1 to 3 for `rows` (M x D): neighbours, affinities, starting
    /// positions.
    pub fn affinities(
        &self,
        rows: ArrayView2<f32>,
        params: &TsneTransformParams,
        observer: &mut dyn Observer,
    ) -> Result<TsneAffinities, ReduceError> {
        check_transform_params(params)?;
        let k = (self.index.len().saturating_sub(1))
            .min((3.0 * params.perplexity) as usize)
            .max(1);
        let knn = self.index.query(rows, k, observer)?;
        let m = knn.len();
        let mut p = Vec::with_capacity(m * k);
        for i in 0..m {
            p.extend(gaussian_perplexity(
                knn.neighbor_distances(i),
                params.perplexity,
            ));
            if (i + 1) % AFFINITY_REPORT_ROWS == 0 || i + 1 == m {
                report(observer, Stage::Affinities, i + 1, m, None)?;
            }
        }
        let init = self.median_init(&knn, params.init_neighbors.clamp(1, k));
        Ok(TsneAffinities {
            k,
            neighbors: knn.indices,
            p,
            init,
        })
    }

    /// openTSNE's `median` initialisation over each row's first `k` neighbours.
    fn median_init(&self, knn: &KnnGraph, k: usize) -> Vec<f64> {
        let mut init = Vec::with_capacity(2 * knn.len());
        let mut values = Vec::with_capacity(k);
        for i in 0..knn.len() {
            let neighbors = &knn.neighbors(i)[..k];
            for d in 0..2 {
                values.clear();
                values.extend(
                    neighbors
                        .iter()
                        .map(|&j| f64::from(self.embedding[[j as usize, d]])),
                );
                values.sort_unstable_by(f64::total_cmp);
                let middle = values.len() / 2;
                init.push(if values.len() % 2 == 1 {
                    values[middle]
                } else {
                    (values[middle - 1] + values[middle]) / 2.0
                });
            }
        }
        init
    }

    /// Map positions of `rows` (M x D, the fitted rows' columns), M x 2.
    /// Progress goes to the observer as "nearest_neighbors", "affinities",
    /// "early_exaggeration" (when it has iterations) and "optimize".
    pub fn transform(
        &self,
        rows: ArrayView2<f32>,
        params: &TsneTransformParams,
        observer: &mut dyn Observer,
    ) -> Result<Array2<f32>, ReduceError> {
        let affinities = self.affinities(rows, params, observer)?;
        let m = rows.nrows();
        let mut y = affinities.init.clone();
        let mut descent = GradientDescent {
            affinities: &affinities,
            fixed: &self.embedding,
            tree: &self.tree,
            update: vec![0.0; 2 * m],
            gains: vec![1.0; 2 * m],
            gradient: vec![0.0; 2 * m],
            stack: Vec::new(),
        };
        let mut snapshot = vec![0.0f32; 2 * m];
        let phases = [
            (
                Stage::EarlyExaggeration,
                params.early_exaggeration_iter,
                params.early_exaggeration,
                params.initial_momentum,
            ),
            (
                Stage::Optimize,
                params.n_iter,
                params.exaggeration,
                params.final_momentum,
            ),
        ];
        for (stage, iterations, exaggeration, momentum) in phases {
            for done in 1..=iterations {
                descent.step(&mut y, exaggeration, momentum, params);
                let offer = params.snapshot_every > 0
                    && (done % params.snapshot_every == 0 || done == iterations);
                if offer {
                    snapshot
                        .iter_mut()
                        .zip(&y)
                        .for_each(|(s, &v)| *s = v as f32);
                }
                report(
                    observer,
                    stage,
                    done,
                    iterations,
                    offer.then_some(snapshot.as_slice()),
                )?;
            }
        }
        let y: Vec<f32> = y.iter().map(|&v| v as f32).collect();
        Ok(Array2::from_shape_vec((m, 2), y).unwrap_or_else(|_| unreachable!("M x 2 values")))
    }
}

/// openTSNE's `compute_gaussian_perplexity` for one row of neighbour
/// distances (not squared): the conditional probabilities, summing to 1.
fn gaussian_perplexity(distances: &[f32], perplexity: f64) -> Vec<f64> {
    let squared: Vec<f64> = distances.iter().map(|&d| f64::from(d).powi(2)).collect();
    let desired_entropy = ln(perplexity);
    let mut p = vec![0.0f64; squared.len()];
    let (mut tau, mut min_tau, mut max_tau) = (1.0f64, f64::NEG_INFINITY, f64::INFINITY);
    for _ in 0..PERPLEXITY_STEPS {
        let sqrt_tau = tau.sqrt();
        let mut sum_p = 0.0;
        for (pj, &d2) in p.iter_mut().zip(&squared) {
            *pj = sqrt_tau * exp(-d2 * tau * 0.5);
            sum_p += *pj;
        }
        sum_p += f64::EPSILON;
        let sum_p_d: f64 = p.iter().zip(&squared).map(|(pj, d2)| pj / sum_p * d2).sum();
        let entropy = tau * 0.5 * sum_p_d + ln(sum_p) - ln(tau) * 0.5;
        let entropy_diff = entropy - desired_entropy;
        if entropy_diff.abs() <= PERPLEXITY_TOLERANCE {
            break;
        }
        if entropy_diff > 0.0 {
            min_tau = tau;
            tau = if max_tau.is_infinite() {
                tau * 2.0
            } else {
                (tau + max_tau) * 0.5
            };
        } else {
            max_tau = tau;
            tau = if min_tau.is_infinite() {
                tau / 2.0
            } else {
                (tau + min_tau) * 0.5
            };
        }
    }
    // Row-normalised twice, as openTSNE does (inside the search and again
    // "point-wise" on the sparse matrix).
    for _ in 0..2 {
        let sum: f64 = p.iter().sum();
        if sum > 0.0 {
            p.iter_mut().for_each(|pj| *pj /= sum);
        }
    }
    p
}

/// openTSNE's `gradient_descent` state for the new points.
struct GradientDescent<'a> {
    affinities: &'a TsneAffinities,
    fixed: &'a Array2<f32>,
    tree: &'a QuadTree,
    update: Vec<f64>,
    gains: Vec<f64>,
    gradient: Vec<f64>,
    stack: Vec<u32>,
}

impl GradientDescent<'_> {
    /// One iteration, each point's gradient then its update. Never inlined:
    /// V8 optimises a wasm function only from its next call on.
    #[inline(never)]
    fn step(
        &mut self,
        y: &mut [f64],
        exaggeration: f64,
        momentum: f64,
        params: &TsneTransformParams,
    ) {
        let k = self.affinities.k;
        for (i, point) in y.chunks_exact(2).enumerate() {
            let p = [point[0], point[1]];
            let (force, sum_q) = self.tree.repulsion(p, params.theta, &mut self.stack);
            let mut g = [
                -force[0] / (sum_q + f64::EPSILON),
                -force[1] / (sum_q + f64::EPSILON),
            ];
            let neighbors = &self.affinities.neighbors[i * k..(i + 1) * k];
            let pij = &self.affinities.p[i * k..(i + 1) * k];
            for (&j, &pj) in neighbors.iter().zip(pij) {
                let other = self.fixed.row(j as usize);
                let dx = [p[0] - f64::from(other[0]), p[1] - f64::from(other[1])];
                let q = 1.0 / (1.0 + dx[0] * dx[0] + dx[1] * dx[1]);
                let pq = pj * exaggeration * q;
                g[0] += pq * dx[0];
                g[1] += pq * dx[1];
            }
            if let Some(max_norm) = params.max_grad_norm {
                let coeff = max_norm / ((g[0] * g[0] + g[1] * g[1]).sqrt() + 1e-6);
                if coeff < 1.0 {
                    g = [g[0] * coeff, g[1] * coeff];
                }
            }
            self.gradient[2 * i..2 * i + 2].copy_from_slice(&g);
        }
        for (((yc, update), gain), &g) in y
            .iter_mut()
            .zip(self.update.iter_mut())
            .zip(self.gains.iter_mut())
            .zip(&self.gradient)
        {
            // numpy's sign: 0 for 0, so the first step always counts as a turn.
            *gain = if sign(*update) != sign(g) {
                *gain + 0.2
            } else {
                *gain * 0.8 + MIN_GAIN
            };
            *update = momentum * *update - params.learning_rate * *gain * g;
            *yc += *update;
        }
    }
}

fn sign(x: f64) -> i8 {
    (x > 0.0) as i8 - (x < 0.0) as i8
}

fn check_transform_params(params: &TsneTransformParams) -> Result<(), ReduceError> {
    let bad = |name, value: f64, accepted: &str| {
        Err(ReduceError::BadParameter {
            name,
            value: value.to_string(),
            accepted: accepted.into(),
        })
    };
    let positive = |v: f64| v.is_finite() && v > 0.0;
    if !positive(params.perplexity) {
        return bad("perplexity", params.perplexity, "numbers above 0");
    }
    if !positive(params.learning_rate) {
        return bad("learning_rate", params.learning_rate, "numbers above 0");
    }
    for (name, v) in [
        ("exaggeration", params.exaggeration),
        ("early_exaggeration", params.early_exaggeration),
    ] {
        if !positive(v) {
            return bad(name, v, "numbers above 0");
        }
    }
    for (name, v) in [
        ("initial_momentum", params.initial_momentum),
        ("final_momentum", params.final_momentum),
    ] {
        if !(0.0..1.0).contains(&v) {
            return bad(name, v, "0 <= momentum < 1");
        }
    }
    if let Some(norm) = params.max_grad_norm
        && !positive(norm)
    {
        return bad("max_grad_norm", norm, "numbers above 0");
    }
    if !(params.theta.is_finite() && params.theta >= 0.0) {
        return bad("theta", params.theta, "numbers from 0 up");
    }
    Ok(())
}

fn report(
    observer: &mut dyn Observer,
    stage: Stage,
    done: usize,
    total: usize,
    layout: Option<&[f32]>,
) -> Result<(), ReduceError> {
    let step = Step {
        stage,
        done,
        total,
        layout,
    };
    match observer.step(step) {
        Control::Continue => Ok(()),
        Control::Cancel => Err(ReduceError::Cancelled),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reduce::{Silent, fixture_matrix, transform_fixture};

    fn fixture_model() -> (TsneModel, Array2<f32>, serde_json::Value) {
        let fixture = transform_fixture();
        let f = fixture["tsne"].clone();
        let x = fixture_matrix(&fixture["data"]["fit"]);
        let embedding = fixture_matrix(&f["embedding"]);
        let model = TsneModel::new(x.view(), embedding).unwrap();
        (model, fixture_matrix(&fixture["data"]["new"]), f)
    }

    #[test]
    fn affinities_and_initial_positions_agree_with_opentsne() {
        let (model, new, f) = fixture_model();
        let params = TsneTransformParams::default();
        let a = model.affinities(new.view(), &params, &mut Silent).unwrap();
        assert_eq!(a.k, 15);
        let neighbors = f["neighbors"].as_array().unwrap();
        let p = f["p"].as_array().unwrap();
        for i in 0..new.nrows() {
            let want: Vec<u32> = neighbors[i]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as u32)
                .collect();
            assert_eq!(
                &a.neighbors[i * 15..(i + 1) * 15],
                want.as_slice(),
                "row {i}"
            );
            for (j, want) in p[i].as_array().unwrap().iter().enumerate() {
                let (got, want) = (a.p[i * 15 + j], want.as_f64().unwrap());
                // Distances agree to f32 rounding; p moves ~10x as much.
                assert!(
                    (got - want).abs() <= 1e-5 * want,
                    "p[{i}][{j}]: {got} vs {want}"
                );
            }
        }
        let init = fixture_matrix(&f["init"]);
        for (got, want) in a.init.iter().zip(init.iter()) {
            assert!((got - f64::from(*want)).abs() <= 1e-5, "{got} vs {want}");
        }
    }

    #[test]
    fn the_perplexity_search_reaches_its_target() {
        let distances = [
            0.3f32, 0.5, 0.9, 1.0, 1.2, 1.5, 2.0, 2.2, 3.0, 3.1, 4.0, 4.5, 5.0, 6.0, 7.0,
        ];
        let p = gaussian_perplexity(&distances, 5.0);
        let entropy: f64 = -p
            .iter()
            .filter(|&&x| x > 0.0)
            .map(|&x| x * x.ln())
            .sum::<f64>();
        assert!(
            (entropy.exp() - 5.0).abs() < 1e-4,
            "perplexity {}",
            entropy.exp()
        );
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(p.windows(2).all(|w| w[0] >= w[1]));
    }

    #[test]
    fn bad_input_is_an_error() {
        let (model, new, _) = fixture_model();
        let params = TsneTransformParams::default();
        assert!(matches!(
            model.transform(new.slice(ndarray::s![.., 1..]), &params, &mut Silent),
            Err(ReduceError::BadParameter { .. })
        ));
        for bad in [
            TsneTransformParams {
                perplexity: 0.0,
                ..params.clone()
            },
            TsneTransformParams {
                final_momentum: 1.0,
                ..params.clone()
            },
            TsneTransformParams {
                max_grad_norm: Some(f64::NAN),
                ..params.clone()
            },
        ] {
            assert!(matches!(
                model.transform(new.view(), &bad, &mut Silent),
                Err(ReduceError::BadParameter { .. })
            ));
        }
        let mut cancel = |_: Step<'_>| Control::Cancel;
        assert_eq!(
            model.transform(new.view(), &params, &mut cancel),
            Err(ReduceError::Cancelled)
        );
        assert!(TsneModel::new(new.view(), Array2::zeros((new.nrows(), 3))).is_err());
    }
}
