"""The Python half of scripts/bench-tsne: runs our example binary (natively
and under Node's WASI) and the reference tools on one matrix, and scores
every map the same way.

Timing: wall-clock seconds, best of --repeats runs, each tool's whole job
(nearest neighbours, affinities, initialisation, optimisation). Ours are
timed inside the binary (the same stages, no process start-up or file
reading); openTSNE and scikit-learn around their fit calls.

Quality, on the fixed subset S = rows i * n // 3000 (i < 3000), both as
scikit-learn computes them: trustworthiness(X[S], Y[S], n_neighbors=15) and
the mean share of each point's 15 nearest neighbours in X[S] that are among
its 15 nearest in Y[S].
"""
import argparse
import os
import subprocess
import tempfile
import time

import numpy as np
import openTSNE
import sklearn
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE, trustworthiness
from sklearn.neighbors import NearestNeighbors

parser = argparse.ArgumentParser()
parser.add_argument("--matrix", required=True)
parser.add_argument("--columns", type=int, default=200)
parser.add_argument("--native", required=True)
parser.add_argument("--wasm")
parser.add_argument("--repeats", type=int, default=2)
parser.add_argument("--no-wasm", action="store_true")
parser.add_argument("--no-sklearn", action="store_true")
parser.add_argument("--knn-cache", help="our t-SNE reads its neighbour graph from this file (written by the "
                    "first run): times then leave out our nearest-neighbour search")
args = parser.parse_args()

X = np.fromfile(args.matrix, "<f4").reshape(-1, args.columns)
n = len(X)
subset = np.arange(3000) * n // 3000 if n > 3000 else np.arange(n)
K = 15


def recall(high, low):
    near = lambda Z: NearestNeighbors(n_neighbors=K + 1).fit(Z).kneighbors(Z, return_distance=False)[:, 1:]
    a, b = near(high), near(low)
    return float(np.mean([len(set(r) & set(s)) / K for r, s in zip(a, b)]))


def score(Y):
    Y = np.asarray(Y, dtype=np.float64)
    return trustworthiness(X[subset], Y[subset], n_neighbors=K), recall(X[subset], Y[subset])


def ours(method, command):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "y.f32")
        cache = [os.path.abspath(args.knn_cache)] if args.knn_cache and method == "tsne" else []
        run = subprocess.run(command + [method, args.matrix, str(args.columns), out, str(args.repeats)] + cache,
                             capture_output=True, text=True)
        if run.returncode != 0:
            # Node 20 has been seen to crash while exiting after a complete run
            # (the result printed and written): keep such a run, say so.
            if run.stdout.strip() and os.path.exists(out) and os.path.getsize(out) > 0:
                print(f"note: {command[0]} {method} exited with {run.returncode} after finishing", flush=True)
            else:
                raise SystemExit(f"{' '.join(command)} {method} failed ({run.returncode}):\n{run.stderr}")
        stages = [l.strip() for l in run.stderr.splitlines() if l.startswith("  ")][-4:]
        return float(run.stdout.split()[-1]), np.fromfile(out, "<f4").reshape(n, -1), stages


def best_of(fit):
    best, result = float("inf"), None
    for _ in range(args.repeats):
        start = time.perf_counter()
        result = fit()
        best = min(best, time.perf_counter() - start)
    return best, np.asarray(result)


rows = []  # (task, tool, seconds, layout, stages)
tools = [("ours native", [args.native])]
if args.wasm and not args.no_wasm:
    tools.append(("ours wasm", ["node", "--no-warnings", os.path.join(os.path.dirname(__file__), "wasi-run.mjs"), args.wasm]))

for name, command in tools:
    seconds, layout, stages = ours("tsne", command)
    rows.append(("t-SNE", name + (" (kNN cached)" if args.knn_cache else ""), seconds, layout, stages))
seconds, layout = best_of(lambda: openTSNE.TSNE(n_jobs=2, random_state=42).fit(X))
rows.append(("t-SNE", f"openTSNE {openTSNE.__version__} (n_jobs=2)", seconds, layout, []))
if not args.no_sklearn:
    seconds, layout = best_of(lambda: TSNE(random_state=42).fit_transform(X))
    rows.append(("t-SNE", f"scikit-learn {sklearn.__version__} TSNE", seconds, layout, []))

for name, command in tools:
    seconds, layout, _ = ours("pca", command)
    rows.append(("PCA", name, seconds, layout, []))
seconds, layout = best_of(lambda: PCA(n_components=2).fit_transform(X))
rows.append(("PCA", f"scikit-learn {sklearn.__version__} PCA", seconds, layout, []))

for task in ("t-SNE", "PCA"):
    layouts = [r[3] for r in rows if r[0] == task and r[1].startswith("ours")]
    if len(layouts) == 2:
        same = layouts[0].tobytes() == layouts[1].tobytes()
        print(f"{task}: native and wasm layouts {'identical bit for bit' if same else 'DIFFER'}")

print(f"\n{n} x {args.columns} ({os.path.basename(args.matrix)}), best of {args.repeats}; "
      f"quality on {len(subset)} points, k = {K}")
for task in ("t-SNE", "PCA"):
    task_rows = [r for r in rows if r[0] == task]
    reference = next(r for r in task_rows if not r[1].startswith("ours"))
    print(f"\n{task:<6} {'tool':<34} {'seconds':>9} {'vs ' + reference[1].split()[0]:>12} {'trust@15':>9} {'recall@15':>10}")
    for _, tool, seconds, layout, stages in task_rows:
        t, r = score(layout)
        print(f"{'':<6} {tool:<34} {seconds:9.3f} {reference[2] / seconds:11.1f}x {t:9.4f} {r:10.4f}")
        for stage in stages:
            print(f"{'':<8}{stage}")
