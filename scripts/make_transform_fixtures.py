"""Writes the fixtures for placing new rows on fitted maps, with the real
scikit-learn 1.9.1, umap-learn 0.5.12 and openTSNE 1.0.4. Run through
scripts/make-transform-fixtures.

tests/fixtures/reduce/transform.json (for the unit tests of
src/reduce/{pca,umap,tsne}/transform.rs and src/reduce/fitted.rs):
  data: 600 fitted rows and 60 new rows of the 22-column magpie reference
    matrix (rows i * n // 600, and the rows three past every 190th, none of
    them fitted), float32, stored exactly;
  pca: PCA(2).fit(fit).transform(new);
  umap: UMAP(random_state=42).fit(fit)'s embedding_, then for the new rows
    the graph transform builds (transform_mode="graph", coo order), the
    starting positions (umap.umap_.init_graph_transform on it), the epoch
    count, and the kNN recall at 10 of UMAP.transform's positions;
  tsne: openTSNE TSNE(random_state=42).fit(fit)'s embedding, then for the
    new rows the neighbours and affinities of affinities.to_new(perplexities=5)
    (transform's default), the median initialisation, and the recall at 10
    of embedding.transform(new)'s positions.

tests/fixtures/reduce/transform_reference.json (for tests/transform_reference.rs):
  for mat2vec_12k and magpie_12k, every tenth row (i % 10 == 0) held out,
  the rest fitted: the recall at 15 of the held-out rows placed by
  scikit-learn's PCA, umap-learn (UMAP(random_state=42)) and openTSNE
  (TSNE(n_jobs=2, random_state=42, n_iter=750), 1,000 iterations as
  scikit-learn's), each on its own fitted map.

Recall at k: for each new row, the share of its k nearest fitted rows in the
input (exact, float64) that are among its k nearest fitted points on the map.
Usage: make_transform_fixtures.py REFERENCE_DIR OUT_DIR
"""

import json
import os
import sys
import warnings

warnings.filterwarnings("ignore")
os.environ.setdefault("TQDM_DISABLE", "1")

import numpy as np  # noqa: E402
import openTSNE  # noqa: E402
import sklearn  # noqa: E402
import umap  # noqa: E402
from openTSNE import TSNE  # noqa: E402
from openTSNE import initialization  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.neighbors import NearestNeighbors  # noqa: E402
from umap.umap_ import init_graph_transform  # noqa: E402

REFERENCE, OUT = sys.argv[1], sys.argv[2]


def matrix(a):
    return [[float(x) for x in row] for row in np.asarray(a, dtype=np.float32)]


def recall(fit_x, fit_y, new_x, new_y, k):
    a = NearestNeighbors(n_neighbors=k).fit(fit_x.astype(np.float64)).kneighbors(new_x.astype(np.float64), return_distance=False)
    b = NearestNeighbors(n_neighbors=k).fit(fit_y.astype(np.float64)).kneighbors(new_y.astype(np.float64), return_distance=False)
    return float(np.mean([len(set(p) & set(q)) / k for p, q in zip(a, b)]))


def load(name, dim):
    return np.fromfile(os.path.join(REFERENCE, name), "<f4").reshape(-1, dim)


def small_fixture():
    x = load("magpie_12k.f32", 22)
    n = len(x)
    fit_rows = [i * n // 600 for i in range(600)]
    new_rows = [i * 190 + 3 for i in range(60)]
    assert not set(fit_rows) & set(new_rows)
    fit, new = x[fit_rows], x[new_rows]

    pca = PCA(n_components=2).fit(fit)

    u = umap.UMAP(random_state=42).fit(fit)
    u_embedding = np.array(u.embedding_, dtype=np.float32)
    u.transform_mode = "graph"
    graph = u.transform(new)
    csr = graph.tocsr()
    csr.eliminate_zeros()
    init = init_graph_transform(csr, u_embedding)
    u.transform_mode = "embedding"
    u_placed = u.transform(new)

    t = TSNE(random_state=42).fit(fit)
    t_embedding = np.array(t, dtype=np.float32)
    p, neighbors, _ = t.affinities.to_new(new, perplexities=5, return_distances=True)
    p = p.toarray()
    t_init = initialization.median(t, neighbors[:, :25])
    t_placed = t.transform(new)  # centres t in place; compare in that frame
    t_centred = np.array(t, dtype=np.float32)

    return {
        "made_with": {"umap-learn": umap.__version__, "openTSNE": openTSNE.__version__,
                      "scikit-learn": sklearn.__version__, "numpy": np.__version__},
        "data": {"fit": matrix(fit), "new": matrix(new)},
        "pca": {"transform": matrix(pca.transform(new))},
        "umap": {
            "n_neighbors": 15,
            "embedding": matrix(u_embedding),
            "graph": [[int(r), int(c), float(v)] for r, c, v in zip(graph.row, graph.col, graph.data)],
            "init": matrix(init),
            "n_epochs": 100,
            "recall_at_10": recall(fit, u_embedding, new, u_placed, 10),
        },
        "tsne": {
            "embedding": matrix(t_embedding),
            "neighbors": neighbors.tolist(),
            "p": [[float(p[i, j]) for j in row] for i, row in enumerate(neighbors)],
            "init": matrix(t_init),
            "recall_at_10": recall(fit, t_centred, new, t_placed, 10),
        },
    }


def held_out(name, dim):
    x = load(f"{name}.f32", dim)
    held = np.arange(len(x)) % 10 == 0
    fit, new = x[~held], x[held]
    out = {"fitted_rows": int(len(fit)), "new_rows": int(len(new))}
    pca = PCA(n_components=2).fit(fit)
    out["pca"] = recall(fit, pca.transform(fit), new, pca.transform(new), 15)
    u = umap.UMAP(random_state=42).fit(fit)
    out["umap"] = recall(fit, u.embedding_, new, u.transform(new), 15)
    t = TSNE(n_jobs=2, random_state=42, n_iter=750).fit(fit)
    placed = t.transform(new)
    out["tsne"] = recall(fit, np.array(t), new, placed, 15)
    print(f"{name}: {out}", file=sys.stderr)
    return out


def write(path, value):
    with open(path, "w") as f:
        json.dump(value, f)
        f.write("\n")
    print(f"wrote {path}", file=sys.stderr)


write(os.path.join(OUT, "transform.json"), small_fixture())
write(os.path.join(OUT, "transform_reference.json"), {
    "made_with": {"umap-learn": umap.__version__, "openTSNE": openTSNE.__version__, "scikit-learn": sklearn.__version__},
    "held_out": "every tenth row (i % 10 == 0) placed on the map of the others",
    "k": 15,
    "mat2vec_12k": held_out("mat2vec_12k", 200),
    "magpie_12k": held_out("magpie_12k", 22),
})
