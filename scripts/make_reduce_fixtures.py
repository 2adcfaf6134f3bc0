"""Reference values for src/reduce/pca and src/reduce/tsne, from scikit-learn 1.9.1.

pca/small.json      sklearn PCA(svd_solver="full") on seeded synthetic data (float64 fit of the
                    float32 values), dim 3: coordinates, components, explained_variance_ratio.
pca/mat2vec_12k.json  the same on the 12,000 x 200 reference matrix (../shared/reference, or $CRYSTAL_ATLAS_SHARED/reference), dim 2:
                    components, explained_variance_ratio and the coordinates of every 100th row.
                    Skipped (file kept) when the matrix is absent.
tsne/perplexity.json  sklearn's _binary_search_perplexity (the conditional P of TSNE) on the
                    squared distances of each point's k = 3 * perplexity + 1 nearest neighbours
                    (NearestNeighbors), and the symmetrised joint P (_joint_probabilities_nn).
"""
import json
import os
import sys
from pathlib import Path

import numpy as np
import sklearn
from sklearn.decomposition import PCA
from sklearn.manifold._t_sne import _joint_probabilities_nn
from sklearn.manifold._utils import _binary_search_perplexity
from sklearn.neighbors import NearestNeighbors

root = Path(sys.argv[1])
pca_dir = root / "tests/fixtures/pca"
tsne_dir = root / "tests/fixtures/tsne"
pca_dir.mkdir(parents=True, exist_ok=True)
tsne_dir.mkdir(parents=True, exist_ok=True)
source = f"scripts/make_reduce_fixtures.py, scikit-learn {sklearn.__version__}, numpy {np.__version__}"


def f32_list(a):
    return [[float(v) for v in row] for row in np.asarray(a, dtype=np.float32)]


def f64_list(a):
    a = np.asarray(a, dtype=np.float64)
    return [float(v) for v in a] if a.ndim == 1 else [[float(v) for v in row] for row in a]


def write(path, obj):
    path.write_text(json.dumps(obj, separators=(",", ":")) + "\n")
    print("wrote", path.relative_to(root))


def pca_reference(x32, dim):
    pca = PCA(n_components=dim, svd_solver="full").fit(x32.astype(np.float64))
    return pca, pca.transform(x32.astype(np.float64))


# Correlated Gaussian data with very different variances along a few directions.
rng = np.random.default_rng(20241)
latent = rng.normal(size=(240, 4)) * np.array([6.0, 3.0, 1.5, 0.5])
mixing = rng.normal(size=(4, 12))
x = (latent @ mixing + 0.1 * rng.normal(size=(240, 12)) + 5.0).astype(np.float32)
pca, coords = pca_reference(x, 3)
write(pca_dir / "small.json", {
    "source": source,
    "data": f32_list(x),
    "dim": 3,
    "coords": f64_list(coords),
    "components": f64_list(pca.components_),
    "explained_variance_ratio": f64_list(pca.explained_variance_ratio_),
})

shared = Path(os.environ.get("CRYSTAL_ATLAS_SHARED", root.parent / "shared"))
matrix = shared / "reference/mat2vec_12k.f32"
if matrix.exists():
    x = np.fromfile(matrix, "<f4").reshape(-1, 200)
    pca, coords = pca_reference(x, 2)
    rows = list(range(0, len(x), 100))
    write(pca_dir / "mat2vec_12k.json", {
        "source": source + ", shared/reference/mat2vec_12k.f32",
        "dim": 2,
        "rows": rows,
        "coords": f64_list(coords[rows]),
        "components": f64_list(pca.components_),
        "explained_variance_ratio": f64_list(pca.explained_variance_ratio_),
    })
else:
    print("skipped pca/mat2vec_12k.json:", matrix, "is absent")

# Three clusters of different spread in 6-D, so the precisions differ widely.
rng = np.random.default_rng(7)
centres = rng.normal(size=(3, 6)) * 4.0
x = np.concatenate([c + s * rng.normal(size=(30, 6)) for c, s in zip(centres, [0.3, 1.0, 2.5])])
x = x.astype(np.float32)
perplexity = 8.0
k = min(len(x) - 1, int(3.0 * perplexity + 1))
graph = NearestNeighbors(n_neighbors=k).fit(x).kneighbors_graph(mode="distance")
graph.data **= 2
sq = graph.data.reshape(len(x), -1).astype(np.float32)
neighbors = graph.indices.reshape(len(x), -1)
conditional = _binary_search_perplexity(sq, perplexity, 0)
joint = _joint_probabilities_nn(graph, perplexity, 0).tocoo()
order = np.lexsort((joint.col, joint.row))
write(tsne_dir / "perplexity.json", {
    "source": source,
    "data": f32_list(x),
    "perplexity": perplexity,
    "k": k,
    "neighbors": neighbors.tolist(),
    "squared_distances": f32_list(sq),
    "conditional_p": f64_list(conditional),
    "joint_p": [[int(joint.row[i]), int(joint.col[i]), float(joint.data[i])] for i in order],
})
