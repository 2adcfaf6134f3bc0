"""The Python half of scripts/bench-reduce: times the reference reducers on the
same matrices as Crystal Atlas, scores every map (ours and theirs) the same
way, and prints the side-by-side table. Run through scripts/bench-reduce.

Usage: bench_reduce.py OURS.tsv WORKDIR NAME:PATH:DIM [NAME:PATH:DIM ...]

OURS.tsv lists Crystal Atlas's runs, one a line: dataset, method,
implementation, seconds, output file, error (tab-separated; seconds and
output empty when the run failed). For each dataset this script times, in this
process unless said otherwise:
  umap-learn 0.5.12 UMAP(random_state=42), warm (numba has compiled: the
    better of runs two and three), single-threaded as umap-learn is when seeded;
  umap-learn UMAP() unseeded, warm likewise, parallel over the machine's cores;
  umap-learn UMAP(random_state=42) in a fresh Python process, import and
    numba compilation included (what a one-off script pays);
  openTSNE 1.0.4 TSNE(n_jobs=2, random_state=42, n_iter=750): 250 early
    exaggeration + 750 = scikit-learn's 1,000 iterations;
  scikit-learn 1.9.1 TSNE(random_state=42) and PCA(2).
Quality: trustworthiness (sklearn.manifold.trustworthiness) and kNN recall at
k = 15 on the standard subset, rows i * n // 3000 for i < 3000 (the formula
src/reduce/quality.rs uses), for every map.
"""

import os
import subprocess
import sys
import time
import warnings

warnings.filterwarnings("ignore")
os.environ.setdefault("TQDM_DISABLE", "1")

import numpy as np  # noqa: E402
from sklearn.manifold import trustworthiness  # noqa: E402
from sklearn.neighbors import NearestNeighbors  # noqa: E402

K = 15
SUBSET = 3000


def standard_subset(n):
    if n <= SUBSET:
        return np.arange(n)
    return np.arange(SUBSET) * n // SUBSET


def quality(x, y):
    sub = standard_subset(len(x))
    high, low = x[sub].astype(np.float64), y[sub].astype(np.float64)
    t = trustworthiness(high, low, n_neighbors=K)
    a = NearestNeighbors(n_neighbors=K).fit(high).kneighbors(return_distance=False)
    b = NearestNeighbors(n_neighbors=K).fit(low).kneighbors(return_distance=False)
    recall = np.mean([len(set(p) & set(q)) / K for p, q in zip(a, b)])
    return t, recall


def timed(run):
    start = time.perf_counter()
    y = run()
    return time.perf_counter() - start, np.asarray(y, dtype=np.float32)


FRESH = """
import sys, time, warnings
start = time.perf_counter()
warnings.filterwarnings("ignore")
import numpy as np, umap
x = np.fromfile(sys.argv[1], "<f4").reshape(-1, int(sys.argv[2]))
y = umap.UMAP(random_state=42).fit_transform(x)
print(time.perf_counter() - start)
np.asarray(y, dtype=np.float32).tofile(sys.argv[3])
"""


def reference_runs(name, path, dim, workdir):
    import umap
    from openTSNE import TSNE as OpenTSNE
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    x = np.fromfile(path, "<f4").reshape(-1, dim)
    runs = []

    def record(method, implementation, seconds, y, how):
        out = os.path.join(workdir, f"{name}-{method}-{implementation.replace(' ', '_')}.f32")
        y.tofile(out)
        runs.append(dict(dataset=name, method=method, implementation=implementation, seconds=seconds, output=out, how=how))

    def warm(make):
        make().fit_transform(x)
        return min((timed(lambda: make().fit_transform(x)) for _ in range(2)), key=lambda r: r[0])

    print(f"  {name}: umap-learn seeded (three runs, the better of the last two timed)...", file=sys.stderr)
    seconds, y = warm(lambda: umap.UMAP(random_state=42))
    record("umap", "umap-learn seeded warm", seconds, y, "UMAP(random_state=42), warm in process, 1 thread")
    print(f"  {name}: umap-learn unseeded parallel (likewise)...", file=sys.stderr)
    seconds, y = warm(lambda: umap.UMAP())
    record("umap", "umap-learn parallel warm", seconds, y, f"UMAP(), warm in process, {os.cpu_count()} threads")
    print(f"  {name}: umap-learn in a fresh process...", file=sys.stderr)
    out = os.path.join(workdir, f"{name}-umap-fresh.f32")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", FRESH, path, str(dim), out], check=True, capture_output=True)
    seconds = time.perf_counter() - start
    record("umap", "umap-learn fresh process", seconds, np.fromfile(out, "<f4").reshape(-1, 2),
           "python -c 'import umap; UMAP(random_state=42).fit_transform(x)': start-up, import, numba JIT")
    print(f"  {name}: openTSNE...", file=sys.stderr)
    seconds, y = timed(lambda: OpenTSNE(n_jobs=2, random_state=42, n_iter=750).fit(x))
    record("tsne", "openTSNE n_jobs=2", seconds, y, "TSNE(n_jobs=2, random_state=42, n_iter=750), FFT gradients")
    print(f"  {name}: scikit-learn TSNE...", file=sys.stderr)
    seconds, y = timed(lambda: TSNE(n_components=2, random_state=42).fit_transform(x))
    record("tsne", "scikit-learn", seconds, y, "TSNE(n_components=2, random_state=42), Barnes-Hut")
    seconds, y = timed(lambda: PCA(n_components=2).fit_transform(x))
    record("pca", "scikit-learn", seconds, y, "PCA(n_components=2)")
    return x, runs


def main():
    ours_file, workdir, datasets = sys.argv[1], sys.argv[2], sys.argv[3:]
    ours = []
    with open(ours_file) as f:
        for line in f:
            dataset, method, implementation, seconds, output, error = line.rstrip("\n").split("\t")
            ours.append(dict(dataset=dataset, method=method, implementation=implementation,
                             seconds=float(seconds) if seconds else None, output=output, error=error))
    rows, notes = [], []
    for spec in datasets:
        name, path, dim = spec.split(":")
        x, theirs = reference_runs(name, path, int(dim), workdir)
        for run in [r for r in ours if r["dataset"] == name] + theirs:
            if run.get("error"):
                rows.append((name, run["method"], run["implementation"], None, None, None, run["error"]))
                continue
            y = np.fromfile(run["output"], "<f4").reshape(len(x), -1)
            t, recall = quality(x, y)
            rows.append((name, run["method"], run["implementation"], run["seconds"], t, recall, run.get("how", "")))

    print()
    print(f"{'dataset':<12} {'method':<5} {'implementation':<26} {'wall s':>8} {'x ours':>7} "
          f"{'trust@15':>9} {'recall@15':>9}")
    for name, method, implementation, seconds, t, recall, how in rows:
        base = next((r[3] for r in rows if r[0] == name and r[1] == method and r[2] == "ours native"
                     and r[3] is not None), None)
        if seconds is None:
            print(f"{name:<12} {method:<5} {implementation:<26} {how}")
            continue
        ratio = f"{seconds / base:6.2f}x" if base else "      -"
        print(f"{name:<12} {method:<5} {implementation:<26} {seconds:8.2f} {ratio:>7} {t:9.4f} {recall:9.4f}")
        if how:
            notes.append(f"{implementation}: {how}")
    print()
    print("x ours: this row's wall time / Crystal Atlas's native time for the same method (above 1: ours is faster).")
    print(f"Quality on the standard subset (rows i * n // {SUBSET}), k = {K}, scored by scikit-learn for every row.")
    for note in dict.fromkeys(notes):
        print("  " + note)


if __name__ == "__main__":
    main()
