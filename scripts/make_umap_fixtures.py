"""Writes tests/fixtures/reduce/reference.json with the real umap-learn 0.5.12
and scikit-learn 1.9.1, for the unit tests of src/reduce (umap/fuzzy.rs,
umap/curve.rs, umap/spectral.rs, quality.rs). Run through
scripts/make-reduce-fixtures.

- fuzzy: 12 points in 2-D, n_neighbors 4: umap-learn's exact neighbours,
  smooth_knn_dist (sigmas, rhos) and fuzzy_simplicial_set (the union graph).
- ab: find_ab_params(spread, min_dist) for several min_dist and spreads.
- spectral: the fuzzy graph of 240 points in three joined blobs and
  umap-learn's spectral_layout of it (eigenvector signs are arbitrary).
- quality: 300 points in 10-D and an imperfect 2-D map of them;
  sklearn.manifold.trustworthiness and the kNN recall (scikit-learn's
  NearestNeighbors) at several k.

Every matrix is float32 and stored exactly (a float32 printed as the double
it is). The quality scores are computed on float64 copies of those values:
scikit-learn rounds the distances of float32 input to float32, which makes
ties of distances that differ in the eighth digit, and then breaks them by
its sort; on float64 it ranks them as Crystal Atlas does (exact distances).
The script refuses data with near-ties that even float64 could not resolve.
"""

import json
import sys
import warnings

warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import scipy.sparse  # noqa: E402
import sklearn  # noqa: E402
import umap  # noqa: E402
from sklearn.manifold import trustworthiness  # noqa: E402
from sklearn.metrics import pairwise_distances  # noqa: E402
from sklearn.neighbors import NearestNeighbors  # noqa: E402
from umap.spectral import spectral_layout  # noqa: E402
from umap.umap_ import find_ab_params, fuzzy_simplicial_set, smooth_knn_dist  # noqa: E402

OUT = sys.argv[1]


def matrix(a):
    return [[float(x) for x in row] for row in np.asarray(a, dtype=np.float32)]


def assert_no_near_ties(x, what):
    d = pairwise_distances(x.astype(np.float64))
    np.fill_diagonal(d, np.inf)
    s = np.sort(d, axis=1)[:, :-1]
    gaps = np.diff(s, axis=1) / np.maximum(s[:, 1:], 1e-12)
    assert gaps.min() > 1e-11, f"{what}: near-tie in distances ({gaps.min():.2e})"


def exact_knn(x, k):
    """umap-learn's small-data path: all distances, self first."""
    d = pairwise_distances(x)
    idx = np.argsort(d, axis=1)[:, :k]
    return idx, np.take_along_axis(d, idx, axis=1).astype(np.float32)


def graph_entries(g):
    g = g.tocoo()
    order = np.lexsort((g.col, g.row))
    return [[int(g.row[i]), int(g.col[i]), float(g.data[i])] for i in order]


rng = np.random.default_rng(20241125)

# fuzzy: a small graph one can check by hand.
x_fuzzy = rng.normal(size=(12, 2)).astype(np.float32)
assert_no_near_ties(x_fuzzy, "fuzzy")
knn_i, knn_d = exact_knn(x_fuzzy, 4)
assert (knn_i[:, 0] == np.arange(12)).all()
sigmas, rhos = smooth_knn_dist(knn_d, 4.0)
graph, _, _ = fuzzy_simplicial_set(x_fuzzy, 4, np.random.RandomState(0), "euclidean", knn_indices=knn_i, knn_dists=knn_d)
fuzzy = {
    "n_neighbors": 4,
    "x": matrix(x_fuzzy),
    "knn_indices": knn_i.tolist(),
    "knn_dists": [[float(v) for v in r] for r in knn_d],
    "sigmas": [float(v) for v in sigmas],
    "rhos": [float(v) for v in rhos],
    "graph": graph_entries(graph),
}

ab = []
for spread, min_dist in [(1.0, m) for m in [0.0, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.8, 0.99]] + [(2.0, 0.5), (0.5, 0.1)]:
    a, b = find_ab_params(spread, min_dist)
    ab.append({"spread": spread, "min_dist": min_dist, "a": float(a), "b": float(b)})

# spectral: three blobs in 5-D joined through a few points between them.
centres = np.array([[0, 0, 0, 0, 0], [6, 0, 0, 0, 0], [3, 5, 0, 0, 0]], dtype=np.float64)
blobs = [c + rng.normal(size=(75, 5)) for c in centres]
bridges = [np.linspace(centres[a], centres[b], 7)[1:-1] + 0.2 * rng.normal(size=(5, 5)) for a, b in [(0, 1), (1, 2), (2, 0)]]
x_spectral = np.vstack(blobs + bridges).astype(np.float32)
knn_i, knn_d = exact_knn(x_spectral, 10)
g_spectral, _, _ = fuzzy_simplicial_set(
    x_spectral, 10, np.random.RandomState(0), "euclidean", knn_indices=knn_i, knn_dists=knn_d
)
n_comp, _ = scipy.sparse.csgraph.connected_components(g_spectral)
assert n_comp == 1
layout = spectral_layout(x_spectral, g_spectral, 2, np.random.RandomState(42))
# The exact eigenvalues, to show the eigenvectors are well separated.
deg = np.asarray(g_spectral.sum(axis=0)).ravel()
dense = np.eye(len(deg)) - g_spectral.toarray() / np.sqrt(np.outer(deg, deg))
eigenvalues = np.linalg.eigvalsh(dense)[:4]
spectral = {
    "n": len(x_spectral),
    "graph": graph_entries(g_spectral),
    "layout": [[float(v) for v in r] for r in layout],
    "eigenvalues": [float(v) for v in eigenvalues],
}

# quality: an imperfect map of 10-D data.
x_high = rng.normal(size=(300, 10)).astype(np.float32)
x_low = (x_high[:, :2] + 0.6 * rng.normal(size=(300, 2))).astype(np.float32)
assert_no_near_ties(x_high, "quality high")
assert_no_near_ties(x_low, "quality low")
quality = {"high": matrix(x_high), "low": matrix(x_low), "scores": []}
high64, low64 = x_high.astype(np.float64), x_low.astype(np.float64)
for k in [1, 5, 10, 15, 30, 60, 149]:
    a = NearestNeighbors(n_neighbors=k).fit(high64).kneighbors(return_distance=False)
    b = NearestNeighbors(n_neighbors=k).fit(low64).kneighbors(return_distance=False)
    recall = float(np.mean([len(set(p) & set(q)) / k for p, q in zip(a, b)]))
    t = float(trustworthiness(high64, low64, n_neighbors=k))
    quality["scores"].append({"k": k, "trustworthiness": t, "knn_recall": recall})

with open(OUT, "w") as f:
    json.dump(
        {
            "made_with": {"umap-learn": umap.__version__, "scikit-learn": sklearn.__version__, "numpy": np.__version__},
            "fuzzy": fuzzy,
            "ab": ab,
            "spectral": spectral,
            "quality": quality,
        },
        f,
    )
    f.write("\n")
print(f"wrote {OUT}; spectral eigenvalues {eigenvalues}", file=sys.stderr)
