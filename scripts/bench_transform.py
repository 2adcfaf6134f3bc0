"""The timing and scoring half of scripts/bench-transform: fitting a map and
placing held-out rows on it, Crystal Atlas's CLI against umap-learn's and
openTSNE's `transform` (and scikit-learn's PCA) on the same rows, every
placement scored the same way; the table. Run through scripts/bench-transform.

Usage: bench_transform.py NATIVE ROUNDS WORKDIR NAME:PATH:DIM [...]

For each matrix, every tenth row (i % 10 == 0) is held out and the rest
fitted, as tests/fixtures/reduce/transform_reference.json does. Timed:
  ours: `crystal-atlas reduce --method M --seed 42 --transform NEW
    --transform-out NEWY`, the fit and placement times the CLI reports
    (reading, writing and scoring excluded), best of ROUNDS by their sum;
  umap-learn 0.5.12: UMAP(random_state=42).fit(fit) then .transform(new), in
    this process after a warm-up fit and transform (numba compiled),
    best of ROUNDS by their sum;
  openTSNE 1.0.4: TSNE(n_jobs=2, random_state=42, n_iter=750).fit(fit)
    (250 early exaggeration + 750 = scikit-learn's 1,000 iterations, as
    scripts/bench-reduce) then .transform(new) with its defaults, once;
  scikit-learn 1.9.1: PCA(2).fit(fit) then .transform(new), best of ROUNDS.
Quality: recall at 15 of the placed rows: for each held-out row, the share
of its 15 nearest fitted rows in the input (exact, float64) that are among
its 15 nearest fitted points on the map; each implementation on its own map.
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
from sklearn.neighbors import NearestNeighbors  # noqa: E402

K = 15


def recall(fit_x, fit_y, new_x, new_y):
    a = NearestNeighbors(n_neighbors=K).fit(fit_x.astype(np.float64)).kneighbors(new_x.astype(np.float64), return_distance=False)
    b = NearestNeighbors(n_neighbors=K).fit(fit_y.astype(np.float64)).kneighbors(new_y.astype(np.float64), return_distance=False)
    return float(np.mean([len(set(p) & set(q)) / K for p, q in zip(a, b)]))


def ours(native, method, fit_path, new_path, dim, workdir, name):
    fit_out = os.path.join(workdir, f"{name}-{method}-fit.f32")
    new_out = os.path.join(workdir, f"{name}-{method}-new.f32")
    args = [native, "reduce", "--method", method, "--input", fit_path, "--dim", str(dim), "--seed", "42",
            "--out", fit_out, "--transform", new_path, "--transform-out", new_out]
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        return done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
    fit_s = float(re.search(r" -> \d+ x \d+ in ([0-9.]+) s$", done.stderr, re.M).group(1))
    place_s = float(re.search(r"placed .* in ([0-9.]+) s$", done.stderr, re.M).group(1))
    return fit_s, place_s, np.fromfile(fit_out, "<f4").reshape(-1, 2), np.fromfile(new_out, "<f4").reshape(-1, 2)


def timed(fit, place, fitted_map):
    """Fit and placement times, the fitted map (`fitted_map(model)`, read
    after placing: openTSNE's transform centres the map in place) and the
    placed rows."""
    start = time.perf_counter()
    model = fit()
    middle = time.perf_counter()
    new_y = place(model)
    end = time.perf_counter()
    return (middle - start, end - middle, np.asarray(fitted_map(model), dtype=np.float32),
            np.asarray(new_y, dtype=np.float32))


def best(results):
    failures = [r for r in results if isinstance(r, str)]
    return failures[0] if failures else min(results, key=lambda r: r[0] + r[1])


def dataset_rows(name, path, dim, native, rounds, workdir):
    import umap
    from openTSNE import TSNE as OpenTSNE
    from sklearn.decomposition import PCA

    x = np.fromfile(path, "<f4").reshape(-1, dim)
    held = np.arange(len(x)) % 10 == 0
    fit, new = x[~held], x[held]
    fit_path, new_path = (os.path.join(workdir, f"{name}-{part}.f32") for part in ["fit", "new"])
    fit.tofile(fit_path)
    new.tofile(new_path)
    print(f"  {name}: {len(fit)} fitted rows, {len(new)} held out", file=sys.stderr)

    def umap_fit():
        return umap.UMAP(random_state=42).fit(fit)

    def tsne_fit():
        return OpenTSNE(n_jobs=2, random_state=42, n_iter=750).fit(fit)

    def pca_fit():
        return PCA(n_components=2).fit(fit)

    print(f"  {name}: warming umap-learn up (fit and transform)...", file=sys.stderr)
    umap_fit().transform(new)
    rows = []
    for method in ["umap", "pca", "tsne"]:
        runs = {"ours": [], "reference": []}
        for r in range(rounds if method != "tsne" else 1):
            print(f"  {name}: {method} round {r + 1} (ours, reference)...", file=sys.stderr)
            runs["ours"].append(ours(native, method, fit_path, new_path, dim, workdir, name))
            if method == "umap":
                runs["reference"].append(timed(umap_fit, lambda m: m.transform(new), lambda m: m.embedding_))
            elif method == "pca":
                runs["reference"].append(timed(pca_fit, lambda m: m.transform(new), lambda m: m.transform(fit)))
            else:
                runs["reference"].append(timed(tsne_fit, lambda m: m.transform(new), np.array))
        reference_name = {"umap": "umap-learn", "pca": "scikit-learn", "tsne": "openTSNE n_jobs=2"}[method]
        for key, label in [("ours", "ours native"), ("reference", reference_name)]:
            result = best(runs[key])
            if isinstance(result, str):
                rows.append((name, method, label, result))
            else:
                fit_s, place_s, fit_y, new_y = result
                rows.append((name, method, label, (fit_s, place_s, recall(fit, fit_y, new, new_y))))
    return rows


def main():
    native, rounds, workdir, *datasets = sys.argv[1:]
    table = []
    for spec in datasets:
        name, path, dim = spec.split(":")
        table += dataset_rows(name, path, int(dim), native, int(rounds), workdir)

    print()
    print(f"{'dataset':<12} {'method':<5} {'implementation':<20} {'fit s':>7} {'place s':>8} {'total s':>8} "
          f"{'x ours':>7} {'recall@15':>9} {'vs ours':>8}")
    for name, method, label, result in table:
        if isinstance(result, str):
            print(f"{name:<12} {method:<5} {label:<20} {result}")
            continue
        fit_s, place_s, r = result
        base = next((row[3] for row in table if row[:3] == (name, method, "ours native") and not isinstance(row[3], str)), None)
        ratio = f"{(fit_s + place_s) / (base[0] + base[1]):6.2f}x" if base else "      -"
        diff = f"{r - base[2]:+8.4f}" if base else "       -"
        print(f"{name:<12} {method:<5} {label:<20} {fit_s:7.2f} {place_s:8.3f} {fit_s + place_s:8.2f} {ratio:>7} {r:9.4f} {diff}")
    print()
    print("Held out: every tenth row (i % 10 == 0), placed on the map of the others.")
    print("x ours: the row's fit + placement time / Crystal Atlas's (above 1: ours is faster).")
    print(f"recall@{K}: share of a placed row's {K} nearest fitted rows in the input that are among its {K} nearest")
    print("fitted points on the map (exact neighbours, scikit-learn, float64), averaged over the placed rows;")
    print("vs ours: the reference's recall minus ours.")


if __name__ == "__main__":
    main()
