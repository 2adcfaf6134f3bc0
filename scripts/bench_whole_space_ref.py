"""The reference half of scripts/bench-whole-space: umap-learn 0.5.12 on the
same whole-binary-space matrix (225,879 x 200 mat2vec) that Crystal Atlas's
CLI reduced, timed in this process (parallel, unseeded: umap-learn's fastest
mode), and both maps scored as scripts/bench-reduce scores them
(trustworthiness and kNN recall at 15 on the standard 3,000-row subset).

Usage: bench_whole_space_ref.py MATRIX DIM OURS_MAP OURS_SECONDS
"""

import sys
import time
import warnings

warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402

from bench_reduce import quality  # noqa: E402

path, dim, ours_map, ours_seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
x = np.fromfile(path, "<f4").reshape(-1, dim)
ours = np.fromfile(ours_map, "<f4").reshape(-1, 2)

import umap  # noqa: E402

start = time.perf_counter()
reference = umap.UMAP().fit_transform(x)
seconds = time.perf_counter() - start

for name, y, s in [("crystal-atlas", ours, ours_seconds), ("umap-learn", reference, seconds)]:
    t, r = quality(x, y)
    print(f"  {name:14s} {s:7.1f} s   trustworthiness@15 {t:.4f}   kNN recall@15 {r:.4f}")
print(f"  umap-learn / crystal-atlas time: {seconds / ours_seconds:.2f}x")
