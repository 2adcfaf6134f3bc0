//! The initial layout: eigenvectors of the fuzzy graph's normalised Laplacian
//! (umap-learn's `spectral_layout`), so optimisation starts from a picture of
//! the graph's large-scale shape rather than from noise.
//!
//! As in umap-learn, a graph in several connected components is laid out one
//! component at a time around anchor points (`multi_component_layout`): unit
//! vectors +-e_i when there are at most 2 x dim components, otherwise a
//! spectral embedding of the components' centroids (`component_layout`). When
//! an eigensolve fails, that part falls back to uniform random positions in
//! [-10, 10]; when it runs out of steps before its tolerance (a graph of a
//! few hundred thousand points, where the basis is capped), its best
//! approximations are used, still a picture of the large-scale shape.
//! Either is reported.

use ndarray::ArrayView2;

use super::eigen::{Lanczos, norm, rows_per_task};
use super::fuzzy::FuzzyGraph;
use crate::parallel::Pool;
use crate::reduce::numeric;
use crate::reduce::random::Random;

/// ARPACK's tolerance in umap-learn's call to `eigsh`.
const TOLERANCE: f64 = 1e-4;
/// Lanczos vectors kept at most (as f64, N at a time): bounds memory to
/// about 128 MB whatever N.
const MAX_BASIS_VALUES: usize = 16_000_000;
/// Thick restarts of a full basis that has not converged (only graphs of
/// more than 16,000 points get there). On all 225,879 binaries (70 vectors)
/// one restart takes the residual from 5e-3 to 2.5e-3 in 1.2 s and the
/// map's trustworthiness@15 from 0.817 to 0.847 (recall@15 0.128 to 0.131);
/// two or six restarts or converging (nine, 9.6 s) do no better (0.845 to
/// 0.848; umap-learn 0.857), and each costs the page about 2.5 s.
const RESTARTS: usize = 1;

/// An N x dim layout (row-major) and, if some part is not the exact spectral
/// layout (random positions, or eigenvectors short of the tolerance), why.
pub struct SpectralLayout {
    pub coords: Vec<f64>,
    pub fallback: Option<String>,
}

pub fn spectral_layout(
    data: ArrayView2<f32>,
    graph: &FuzzyGraph,
    dim: usize,
    random: &mut Random,
    pool: &Pool,
) -> SpectralLayout {
    let (n_components, labels) = connected_components(graph);
    if n_components > 1 {
        return multi_component_layout(data, graph, n_components, &labels, dim, random, pool);
    }
    match connected_layout(graph, dim, random, pool) {
        Ok((coords, approximate)) => SpectralLayout {
            coords,
            fallback: approximate,
        },
        Err(why) => SpectralLayout {
            coords: uniform(graph.vertices() * dim, 10.0, random),
            fallback: Some(format!("random positions: {why}")),
        },
    }
}

/// Components labelled in order of their lowest vertex, as scipy's
/// `connected_components` does.
pub fn connected_components(graph: &FuzzyGraph) -> (usize, Vec<usize>) {
    let n = graph.vertices();
    let mut labels = vec![usize::MAX; n];
    let mut count = 0;
    let mut stack = Vec::new();
    for start in 0..n {
        if labels[start] != usize::MAX {
            continue;
        }
        labels[start] = count;
        stack.push(start);
        while let Some(v) = stack.pop() {
            for &u in graph.row(v).0 {
                if labels[u as usize] == usize::MAX {
                    labels[u as usize] = count;
                    stack.push(u as usize);
                }
            }
        }
        count += 1;
    }
    (count, labels)
}

/// The dim eigenvectors of L = I - D^-1/2 W D^-1/2 after the trivial one, for
/// a connected graph: the top of D^-1/2 W D^-1/2 with sqrt(degree) deflated.
fn connected_layout(
    graph: &FuzzyGraph,
    dim: usize,
    random: &mut Random,
    pool: &Pool,
) -> Result<(Vec<f64>, Option<String>), String> {
    let n = graph.vertices();
    let degree: Vec<f64> = (0..n)
        .map(|i| graph.row(i).1.iter().map(|&w| w as f64).sum())
        .collect();
    let inv_sqrt: Vec<f64> = degree.iter().map(|&d| 1.0 / d.sqrt()).collect();
    let mut trivial: Vec<f64> = degree.iter().map(|d| d.sqrt()).collect();
    let len = norm(&trivial);
    trivial.iter_mut().for_each(|x| *x /= len);
    let deflate = [trivial];
    let solver = Lanczos {
        n,
        deflate: &deflate,
        count: dim,
        tol: TOLERANCE,
        shift: 1.0,
        max_steps: (MAX_BASIS_VALUES / n.max(1)).clamp(2 * dim + 1, 1000),
        restarts: RESTARTS,
        pool,
    };
    let mut apply = |x: &[f64], y: &mut [f64]| {
        let per_task = rows_per_task(pool, n);
        pool.chunks_mut(y, per_task, |piece, y| {
            for (k, y) in y.iter_mut().enumerate() {
                let i = piece * per_task + k;
                let (cols, ws) = graph.row(i);
                let s: f64 = cols
                    .iter()
                    .zip(ws)
                    .map(|(&j, &w)| w as f64 * inv_sqrt[j as usize] * x[j as usize])
                    .sum();
                *y = inv_sqrt[i] * s;
            }
        })
    };
    let pairs = solver
        .run(&mut apply, random)
        .map_err(|e| format!("spectral_layout: {e}"))?;
    let mut coords = vec![0.0; n * dim];
    for (c, v) in pairs.vectors.iter().enumerate() {
        let sign = sign_of_largest(v);
        for i in 0..n {
            coords[i * dim + c] = sign * v[i];
        }
    }
    let approximate = pairs
        .unconverged
        .map(|why| format!("approximate eigenvectors: spectral_layout: {why}"));
    Ok((coords, approximate))
}

/// +1 or -1 so that the entry of largest magnitude comes out positive (an
/// eigenvector's sign is arbitrary; this fixes it as scikit-learn does).
fn sign_of_largest(v: &[f64]) -> f64 {
    let mut best = 0.0f64;
    for &x in v {
        if x.abs() > best.abs() {
            best = x;
        }
    }
    if best < 0.0 { -1.0 } else { 1.0 }
}

fn uniform(len: usize, half_width: f64, random: &mut Random) -> Vec<f64> {
    (0..len)
        .map(|_| (2.0 * random.uniform() - 1.0) * half_width)
        .collect()
}

fn multi_component_layout(
    data: ArrayView2<f32>,
    graph: &FuzzyGraph,
    n_components: usize,
    labels: &[usize],
    dim: usize,
    random: &mut Random,
    pool: &Pool,
) -> SpectralLayout {
    let mut fallback: Vec<String> = Vec::new();
    let meta = if n_components > 2 * dim {
        component_layout(data, n_components, labels, dim, random).unwrap_or_else(|why| {
            fallback.push(format!("random anchors: {why}"));
            uniform(n_components * dim, 1.0, random)
        })
    } else {
        // +e_1, +e_2, ..., then -e_1, -e_2, ...
        let k = n_components.div_ceil(2);
        let mut meta = vec![0.0; n_components * dim];
        for c in 0..n_components {
            meta[c * dim + c % k] = if c < k { 1.0 } else { -1.0 };
        }
        meta
    };
    let n = graph.vertices();
    let mut coords = vec![0.0; n * dim];
    for label in 0..n_components {
        let members: Vec<usize> = (0..n).filter(|&i| labels[i] == label).collect();
        let anchor = &meta[label * dim..(label + 1) * dim];
        let nearest = (0..n_components)
            .filter(|&other| other != label)
            .map(|other| distance(anchor, &meta[other * dim..(other + 1) * dim]))
            .filter(|&d| d > 0.0)
            .fold(f64::INFINITY, f64::min);
        let data_range = if nearest.is_finite() {
            nearest / 2.0
        } else {
            1.0
        };
        let local = if members.len() < 2 * dim || members.len() <= dim + 1 {
            uniform(members.len() * dim, data_range, random)
        } else {
            let sub = subgraph(graph, &members, labels, label);
            let local = match connected_layout(&sub, dim, random, pool) {
                Ok((local, approximate)) => {
                    if let Some(why) = approximate {
                        fallback.push(format!("component {label}: {why}"));
                    }
                    local
                }
                Err(why) => {
                    fallback.push(format!("component {label}: random positions: {why}"));
                    uniform(members.len() * dim, 10.0, random)
                }
            };
            let largest = local.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            let expansion = if largest > 0.0 {
                data_range / largest
            } else {
                1.0
            };
            local.iter().map(|x| x * expansion).collect()
        };
        for (slot, &i) in members.iter().enumerate() {
            for c in 0..dim {
                coords[i * dim + c] = local[slot * dim + c] + anchor[c];
            }
        }
    }
    let fallback = if fallback.is_empty() {
        None
    } else {
        Some(fallback.join("; "))
    };
    SpectralLayout { coords, fallback }
}

fn distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

/// The edges among `members` (one component), renumbered 0..members.len().
fn subgraph(graph: &FuzzyGraph, members: &[usize], labels: &[usize], label: usize) -> FuzzyGraph {
    let mut position = vec![u32::MAX; graph.vertices()];
    for (slot, &i) in members.iter().enumerate() {
        position[i] = slot as u32;
    }
    let mut sub = FuzzyGraph {
        indptr: vec![0],
        indices: Vec::new(),
        weights: Vec::new(),
    };
    for &i in members {
        let (cols, ws) = graph.row(i);
        for (&j, &w) in cols.iter().zip(ws) {
            if labels[j as usize] == label {
                sub.indices.push(position[j as usize]);
                sub.weights.push(w);
            }
        }
        sub.indptr.push(sub.indices.len());
    }
    sub
}

/// Anchor points for many components: scikit-learn's `SpectralEmbedding` of
/// the centroids with affinity exp(-d^2), scaled so the largest coordinate is 1.
fn component_layout(
    data: ArrayView2<f32>,
    n_components: usize,
    labels: &[usize],
    dim: usize,
    random: &mut Random,
) -> Result<Vec<f64>, String> {
    let d = data.ncols();
    let mut centroids = vec![0.0f64; n_components * d];
    let mut counts = vec![0usize; n_components];
    for (i, row) in data.rows().into_iter().enumerate() {
        counts[labels[i]] += 1;
        for (c, &x) in row.iter().enumerate() {
            centroids[labels[i] * d + c] += x as f64;
        }
    }
    for (label, &count) in counts.iter().enumerate() {
        centroids[label * d..(label + 1) * d]
            .iter_mut()
            .for_each(|x| *x /= count as f64);
    }
    // Affinity without its diagonal, as scipy's normalised Laplacian uses it.
    let mut affinity = vec![0.0f64; n_components * n_components];
    for a in 0..n_components {
        for b in 0..n_components {
            if a != b {
                let d2: f64 = (0..d)
                    .map(|c| (centroids[a * d + c] - centroids[b * d + c]).powi(2))
                    .sum();
                affinity[a * n_components + b] = numeric::exp(-d2);
            }
        }
    }
    let degree: Vec<f64> = affinity
        .chunks_exact(n_components)
        .map(|r| r.iter().sum())
        .collect();
    if degree.iter().any(|&x| x <= 0.0 || !x.is_finite()) {
        return Err(
            "component_layout: a component is too far from all others (zero affinity)".into(),
        );
    }
    let dd: Vec<f64> = degree.iter().map(|x| x.sqrt()).collect();
    let mut trivial = dd.clone();
    let len = norm(&trivial);
    trivial.iter_mut().for_each(|x| *x /= len);
    let deflate = [trivial];
    let solver = Lanczos {
        n: n_components,
        deflate: &deflate,
        count: dim,
        tol: 1e-10,
        shift: 0.0,
        max_steps: n_components,
        restarts: 0,
        pool: &Pool::serial(),
    };
    let mut apply = |x: &[f64], y: &mut [f64]| {
        for a in 0..n_components {
            let row = &affinity[a * n_components..(a + 1) * n_components];
            y[a] = row
                .iter()
                .zip(x)
                .zip(&dd)
                .map(|((w, xb), db)| w * xb / db)
                .sum::<f64>()
                / dd[a];
        }
    };
    let pairs = solver
        .run(&mut apply, random)
        .map_err(|e| format!("component_layout: {e}"))?;
    let mut meta = vec![0.0; n_components * dim];
    for (c, v) in pairs.vectors.iter().enumerate() {
        let scaled: Vec<f64> = v.iter().zip(&dd).map(|(x, s)| x / s).collect();
        let sign = sign_of_largest(&scaled);
        for a in 0..n_components {
            meta[a * dim + c] = sign * scaled[a];
        }
    }
    let largest = meta.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if largest > 0.0 {
        meta.iter_mut().for_each(|x| *x /= largest);
    }
    Ok(meta)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reduce::knn::exact_nearest_neighbors;
    use crate::reduce::umap::fuzzy::fuzzy_simplicial_set;
    use ndarray::Array2;

    /// Two Gaussian blobs joined by a thin bridge of points.
    fn two_clusters(random: &mut Random, bridge: bool) -> Array2<f32> {
        let per = 60;
        let extra = if bridge { 6 } else { 0 };
        let mut x = Array2::<f32>::zeros((2 * per + extra, 3));
        for i in 0..2 * per {
            let centre = if i < per { -5.0 } else { 5.0 };
            x[[i, 0]] = (centre + random.normal()) as f32;
            x[[i, 1]] = random.normal() as f32;
            x[[i, 2]] = random.normal() as f32;
        }
        for b in 0..extra {
            x[[2 * per + b, 0]] = -3.0 + b as f32 * 1.2;
        }
        x
    }

    #[test]
    fn the_first_coordinate_separates_two_joined_clusters() {
        let mut random = Random::new(4);
        let x = two_clusters(&mut random, true);
        let graph = fuzzy_simplicial_set(&exact_nearest_neighbors(x.view(), 9));
        assert_eq!(connected_components(&graph).0, 1);
        let layout = spectral_layout(x.view(), &graph, 2, &mut random, &Pool::serial());
        assert!(layout.fallback.is_none());
        let left = layout.coords[0].signum();
        assert!((0..60).all(|i| layout.coords[i * 2].signum() == left));
        assert!((60..120).all(|i| layout.coords[i * 2].signum() == -left));
    }

    /// The fixture's graph (entries row, column, weight in row order) in compressed rows.
    fn fixture_graph(f: &serde_json::Value) -> FuzzyGraph {
        let n = f["n"].as_u64().unwrap() as usize;
        let mut graph = FuzzyGraph {
            indptr: vec![0; n + 1],
            indices: Vec::new(),
            weights: Vec::new(),
        };
        for e in f["graph"].as_array().unwrap() {
            let e = e.as_array().unwrap();
            graph.indptr[e[0].as_u64().unwrap() as usize + 1] += 1;
            graph.indices.push(e[1].as_u64().unwrap() as u32);
            graph.weights.push(e[2].as_f64().unwrap() as f32);
        }
        for i in 0..n {
            graph.indptr[i + 1] += graph.indptr[i];
        }
        graph
    }

    #[test]
    fn agrees_with_umap_learn_up_to_sign() {
        let fixture = crate::reduce::reference_fixture();
        let f = &fixture["spectral"];
        let graph = fixture_graph(f);
        let n = graph.vertices();
        let unused = Array2::<f32>::zeros((n, 1));
        let layout = spectral_layout(
            unused.view(),
            &graph,
            2,
            &mut Random::new(9),
            &Pool::serial(),
        );
        assert!(layout.fallback.is_none());
        for c in 0..2 {
            let theirs: Vec<f64> = (0..n)
                .map(|i| f["layout"][i][c].as_f64().unwrap())
                .collect();
            let ours: Vec<f64> = (0..n).map(|i| layout.coords[i * 2 + c]).collect();
            let sign = ours
                .iter()
                .zip(&theirs)
                .map(|(a, b)| a * b)
                .sum::<f64>()
                .signum();
            let worst = ours
                .iter()
                .zip(&theirs)
                .map(|(a, b)| (sign * a - b).abs())
                .fold(0.0, f64::max);
            assert!(worst < 1e-3, "column {c}: largest difference {worst}");
        }
    }

    #[test]
    fn many_components_are_placed_by_their_centroids() {
        // Six far-apart blobs along a line: more components than 2 x dim, so
        // the anchors come from a spectral embedding of the centroids.
        let mut random = Random::new(6);
        let x = Array2::from_shape_fn((120, 3), |(i, c)| {
            let offset = if c == 0 { (i / 20) as f64 * 3.0 } else { 0.0 };
            (offset + 0.05 * random.normal()) as f32
        });
        let graph = fuzzy_simplicial_set(&exact_nearest_neighbors(x.view(), 5));
        let (count, labels) = connected_components(&graph);
        assert_eq!(count, 6);
        let layout = spectral_layout(x.view(), &graph, 2, &mut random, &Pool::serial());
        assert!(layout.fallback.is_none(), "{:?}", layout.fallback);
        assert!(layout.coords.iter().all(|v| v.is_finite()));
        // Each component stays apart from the others: its points are closer to
        // their own mean than to any other component's.
        let means: Vec<[f64; 2]> = (0..6)
            .map(|c| {
                let members: Vec<usize> = (0..120).filter(|&i| labels[i] == c).collect();
                let m = |d: usize| {
                    members
                        .iter()
                        .map(|&i| layout.coords[i * 2 + d])
                        .sum::<f64>()
                        / 20.0
                };
                [m(0), m(1)]
            })
            .collect();
        for (p, &label) in layout.coords.chunks_exact(2).zip(&labels) {
            let nearest = (0..6)
                .min_by(|&a, &b| distance(p, &means[a]).total_cmp(&distance(p, &means[b])))
                .unwrap();
            assert_eq!(nearest, label, "point at {p:?}");
        }
    }

    #[test]
    fn separate_clusters_sit_at_opposite_anchors() {
        let mut random = Random::new(5);
        let x = two_clusters(&mut random, false);
        let graph = fuzzy_simplicial_set(&exact_nearest_neighbors(x.view(), 9));
        let (count, labels) = connected_components(&graph);
        assert_eq!(count, 2);
        assert!(labels[..60].iter().all(|&l| l == 0) && labels[60..].iter().all(|&l| l == 1));
        let layout = spectral_layout(x.view(), &graph, 2, &mut random, &Pool::serial());
        assert!(layout.fallback.is_none());
        // Anchors +e_1 and -e_1, each component within half their distance.
        assert!((0..60).all(|i| (layout.coords[i * 2] - 1.0).abs() <= 1.0 + 1e-12));
        assert!((60..120).all(|i| (layout.coords[i * 2] + 1.0).abs() <= 1.0 + 1e-12));
    }
}
