"""The timing and scoring half of scripts/bench-reduce: Crystal Atlas's CLI
(native and wasm) and the reference reducers on the same matrices, the
umap-learn and Crystal Atlas UMAP runs interleaved round by round so that a
busy machine slows them alike; every map scored the same way; the table.
Run through scripts/bench-reduce.

Usage: bench_reduce.py NATIVE WASM WASI_RUNNER ROUNDS WORKDIR NAME:PATH:DIM [...]

Timed for each dataset:
  ours, native on every core and on one (--threads 1), and wasm (one
    thread): `crystal-atlas reduce --method M --seed 42`, the wall time of
    the whole CLI run (start-up, reading the matrix, writing the map; the map
    is scored here, not by the CLI) and the reduction time the CLI reports,
    best of ROUNDS;
  umap-learn 0.5.12 UMAP(random_state=42) in this process after a warm-up run
    (numba compiled), single-threaded as umap-learn is when seeded, best of
    ROUNDS;
  umap-learn UMAP() unseeded, parallel over the machine's cores, likewise;
  umap-learn UMAP(random_state=42) in a fresh Python process, start-up, import
    and numba compilation included (what a one-off script pays), once;
  openTSNE 1.0.4 TSNE(n_jobs=<cores>, random_state=42, n_iter=750), 250 early
    exaggeration + 750 = scikit-learn's 1,000 iterations, once;
  scikit-learn 1.9.1 TSNE(random_state=42) and PCA(2), once.
Quality: trustworthiness (sklearn.manifold.trustworthiness) and kNN recall at
k = 15 on the standard subset, rows i * n // 3000 for i < 3000 (the formula
src/reduce/quality.rs uses), for every map.
"""

import os
import re
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
    return t, np.mean([len(set(p) & set(q)) / K for p, q in zip(a, b)])


def timed(run):
    start = time.perf_counter()
    y = run()
    return time.perf_counter() - start, np.asarray(y, dtype=np.float32)


CORES = os.cpu_count()


class Ours:
    """Crystal Atlas's CLI: "native" on every core, "native 1" on one thread, "wasm"."""

    def __init__(self, native, wasm, runner):
        self.commands = {"native": [native], "native 1": [native, "--threads", "1"],
                         "wasm": ["node", "--no-warnings", runner, wasm]}

    def run(self, implementation, method, path, dim, out):
        """(wall seconds of the whole run, reduction seconds the CLI reports), or the reason it failed."""
        command = self.commands[implementation]
        args = command[:1] + ["reduce"] + command[1:] if implementation != "wasm" else command + ["reduce"]
        args += ["--method", method, "--input", path, "--dim", str(dim), "--seed", "42", "--out", out]
        start = time.perf_counter()
        done = subprocess.run(args, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if done.returncode != 0:
            message = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
            return message
        return wall, float(re.search(r" in ([0-9.]+) s on \d+ threads?$", done.stderr, re.M).group(1))


def best(results):
    """The fastest (seconds, map[, reduction seconds]) of several, or the first failure."""
    failures = [r for r in results if isinstance(r, str)]
    return failures[0] if failures else min(results, key=lambda r: r[0])


def dataset_runs(name, path, dim, ours, rounds, workdir):
    import umap
    from openTSNE import TSNE as OpenTSNE
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    x = np.fromfile(path, "<f4").reshape(-1, dim)
    rows = []

    ours_rows = {"native": f"ours native {CORES} threads", "native 1": "ours native 1 thread", "wasm": "ours wasm"}
    ours_notes = {"native": f"crystal-atlas reduce, whole CLI run (reduction time in brackets), {CORES} threads",
                  "native 1": "crystal-atlas reduce --threads 1, whole CLI run",
                  "wasm": "the CLI as wasm32-wasip1 (SIMD128) under Node, one thread, whole run"}

    def ours_once(implementation, method):
        file = implementation.replace(" ", "-")
        out = os.path.join(workdir, f"{name}-{method}-ours-{file}.f32")
        t = ours.run(implementation, method, path, dim, out)
        return t if isinstance(t, str) else (t[0], np.fromfile(out, "<f4").reshape(len(x), -1), t[1])

    reference = {
        "umap-learn seeded warm": (lambda: umap.UMAP(random_state=42), "UMAP(random_state=42), warm, in process, 1 thread"),
        "umap-learn parallel warm": (lambda: umap.UMAP(), f"UMAP(), warm, in process, {CORES} threads"),
    }
    print(f"  {name}: warming umap-learn up...", file=sys.stderr)
    for make, _ in reference.values():
        make().fit_transform(x)
    results = {key: [] for key in [*ours_rows, *reference]}
    for r in range(rounds):
        print(f"  {name}: UMAP round {r + 1} of {rounds} (ours native all threads and one, ours wasm, "
              f"umap-learn seeded, parallel)...", file=sys.stderr)
        for implementation in ours_rows:
            results[implementation].append(ours_once(implementation, "umap"))
        for key, (make, _) in reference.items():
            results[key].append(timed(lambda: make().fit_transform(x)))
    for key, runs in results.items():
        label = ours_rows.get(key, key)
        how = ours_notes.get(key) or reference[key][1]
        rows.append((name, "umap", label, best(runs), how))

    print(f"  {name}: umap-learn in a fresh process...", file=sys.stderr)
    out = os.path.join(workdir, f"{name}-umap-fresh.f32")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", FRESH, path, str(dim), out], check=True, capture_output=True)
    fresh = (time.perf_counter() - start, np.fromfile(out, "<f4").reshape(len(x), -1))
    rows.append((name, "umap", "umap-learn fresh process", fresh,
                 "python -c 'import umap; UMAP(random_state=42).fit_transform(x)': start-up, import, numba JIT"))

    for method in ["tsne", "pca"]:
        for implementation in ours_rows:
            print(f"  {name}: {ours_rows[implementation]} {method}...", file=sys.stderr)
            first = ours_once(implementation, method)
            runs = [first] + ([] if isinstance(first, str) else [ours_once(implementation, method) for _ in range(rounds - 1)])
            rows.append((name, method, ours_rows[implementation], best(runs), ours_notes[implementation]))
    print(f"  {name}: openTSNE...", file=sys.stderr)
    rows.append((name, "tsne", f"openTSNE n_jobs={CORES}",
                 timed(lambda: OpenTSNE(n_jobs=CORES, random_state=42, n_iter=750).fit(x)),
                 f"TSNE(n_jobs={CORES}, random_state=42, n_iter=750), FFT gradients"))
    print(f"  {name}: scikit-learn TSNE...", file=sys.stderr)
    rows.append((name, "tsne", "scikit-learn", timed(lambda: TSNE(n_components=2, random_state=42).fit_transform(x)),
                 "TSNE(n_components=2, random_state=42), Barnes-Hut"))
    rows.append((name, "pca", "scikit-learn", timed(lambda: PCA(n_components=2).fit_transform(x)), "PCA(n_components=2)"))

    identical = []
    for method in ["umap", "tsne", "pca"]:
        a, b, c = (os.path.join(workdir, f"{name}-{method}-ours-{i}.f32") for i in ["native", "native-1", "wasm"])
        if all(os.path.exists(f) for f in [a, b, c]):
            maps = [open(f, "rb").read() for f in [a, b, c]]
            same = maps[0] == maps[1] == maps[2]
            identical.append(f"{name} {method}: the maps on {CORES} threads, 1 thread and in wasm are "
                             f"{'identical, bit for bit' if same else 'NOT identical'}")
    return x, rows, identical


def main():
    native, wasm, runner, rounds, workdir, *datasets = sys.argv[1:]
    ours = Ours(native, wasm, runner)
    table, notes, identical = [], [], []
    for spec in datasets:
        name, path, dim = spec.split(":")
        x, rows, same = dataset_runs(name, path, int(dim), ours, int(rounds), workdir)
        identical += same
        for name, method, implementation, result, how in rows:
            if isinstance(result, str):
                table.append((name, method, implementation, None, None, None, None, result))
            else:
                seconds, y, reduction = (*result, None)[:3]
                t, recall = quality(x, y)
                table.append((name, method, implementation, seconds, reduction, t, recall, how))

    print()
    print(f"Threads: {CORES} (the machine's cores); ours also on 1 thread; umap-learn parallel and openTSNE on {CORES}.")
    print(f"{'dataset':<12} {'method':<5} {'implementation':<26} {'wall s':>8} {'(reduce)':>9} {'x ours':>7} "
          f"{'trust@15':>9} {'recall@15':>9}")
    base_row = f"ours native {CORES} threads"
    for name, method, implementation, seconds, reduction, t, recall, how in table:
        if seconds is None:
            print(f"{name:<12} {method:<5} {implementation:<26} {how}")
            continue
        base = next((r[3] for r in table if r[:3] == (name, method, base_row) and r[3] is not None), None)
        ratio = f"{seconds / base:6.2f}x" if base else "      -"
        inner = f"({reduction:.2f})" if reduction is not None else ""
        print(f"{name:<12} {method:<5} {implementation:<26} {seconds:8.2f} {inner:>9} {ratio:>7} {t:9.4f} {recall:9.4f}")
        if how:
            notes.append(f"{implementation}: {how}")
    print()
    print(f"x ours: this row's wall time / the wall time of Crystal Atlas's whole native CLI run on {CORES} threads "
          "for the same method (above 1: ours is faster).")
    print(f"Quality on the standard subset (rows i * n // {SUBSET}), k = {K}, scored by scikit-learn for every row.")
    for note in dict.fromkeys(notes):
        print("  " + note)
    for line in identical:
        print(line)


if __name__ == "__main__":
    main()
