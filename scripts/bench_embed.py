"""Times crystal-atlas embed against ElementEmbeddings 0.8.0; run via scripts/bench-embed.

For each embedding, over the same formulas, in one run:
  ours native   `crystal-atlas embed` (wall time of the whole command, and
                the time of embed_batch alone that --time prints)
  ours wasm     the same program built for wasm32-wasip1, run by Node's WASI
                (the whole command includes starting Node and compiling the wasm;
                embed_batch alone is its first call, so it includes V8 compiling
                the hot code and the first touch of the output's memory)
  EE notebook   CompositionalEmbedding(f, embedding=NAME).feature_vector(stats="mean")
                per formula, as the paper's notebooks do (loads the embedding each call)
  EE loaded     the same with the Embedding loaded once and passed in
Each of ours is the best of REPEATS runs; ElementEmbeddings runs once (minutes).
Rows that raise are dropped, order kept, as in the reference matrices.
Then examples/embed_timing times embed_batch alone inside one process: the
first batch (fresh output memory) and the best of ten more (memory reused).
"""

import csv
import os
import re
import subprocess
import sys
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")

from elementembeddings.composition import CompositionalEmbedding  # noqa: E402
from elementembeddings.core import Embedding  # noqa: E402

NATIVE_DIR, WASM_DIR = sys.argv[2], sys.argv[3]
CSV, WASI_RUN, WORK = sys.argv[1], sys.argv[4], sys.argv[5]
NATIVE = [os.path.join(NATIVE_DIR, "crystal-atlas")]
WASM = ["node", "--no-warnings", WASI_RUN, os.path.join(WASM_DIR, "crystal-atlas.wasm")] if WASM_DIR else None
EMBEDDINGS = {"mat2vec": 200, "magpie": 22}
REPEATS = 3
os.makedirs(WORK, exist_ok=True)
with open(CSV, newline="") as fh:
    formulas = [row["formula"] for row in csv.DictReader(fh)]


def ours(command, name):
    out = os.path.join(WORK, f"{name}-{'wasm' if command[0] == 'node' else 'native'}.f32")
    best_wall, best_core = float("inf"), float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        done = subprocess.run(
            command + ["embed", "--embedding", name, "--formulas", os.path.abspath(CSV), "--out", out, "--time"],
            capture_output=True, text=True, check=True,
        )
        best_wall = min(best_wall, time.perf_counter() - start)
        best_core = min(best_core, float(re.search(r"formulas in ([\d.]+) ms", done.stderr).group(1)) / 1e3)
    return np.fromfile(out, "<f4").reshape(-1, EMBEDDINGS[name]), best_wall, best_core


def elementembeddings(name, embedding):
    rows, start = [], time.perf_counter()
    for f in formulas:
        try:
            rows.append(CompositionalEmbedding(f, embedding=embedding).feature_vector(stats="mean"))
        except Exception:
            continue
    return np.array(rows), time.perf_counter() - start


def seconds(t):
    return f"{t * 1e3:9.1f} ms" if t < 10 else f"{t:9.1f} s "


print(f"bench-embed: {len(formulas)} formulas from {CSV}; ours best of {REPEATS}, ElementEmbeddings once")
print("max |this - EE|: against ElementEmbeddings' float64 rows; ours are float32, so also the count of")
print("values that differ from float32(EE), the reference matrices' cast (0: the same bits)")
print(f"{'embedding':10} {'method':40} {'time':>12}  {'EE notebook / this':>18}  {'max |this - EE|':>15}  {'!= f32(EE)':>10}  rows")
for name in EMBEDDINGS:
    loaded = Embedding.load_data(name)
    ee_loaded, t_loaded = elementembeddings(name, loaded)
    ee_notebook, t_notebook = elementembeddings(name, name)
    assert np.array_equal(ee_loaded, ee_notebook)
    results = [("ElementEmbeddings, as the notebooks", ee_notebook, t_notebook),
               ("ElementEmbeddings, embedding loaded once", ee_loaded, t_loaded)]
    matrix, wall, core = ours(NATIVE, name)
    results += [("ours native, whole command", matrix, wall), ("ours native, embed_batch alone", matrix, core)]
    if WASM:
        matrix, wall, core = ours(WASM, name)
        results += [("ours wasm (Node WASI), whole command", matrix, wall), ("ours wasm, embed_batch alone", matrix, core)]
    for method, m, t in results:
        same_shape = m.shape == ee_notebook.shape
        diff = np.abs(m.astype(np.float64) - ee_notebook).max() if same_shape else float("nan")
        if m.dtype != np.float32:
            unequal = "-"
        else:
            unequal = str(int((m != ee_notebook.astype(np.float32)).sum())) if same_shape else "shape"
        print(f"{name:10} {method:40} {seconds(t):>12}  {t_notebook / t:17.0f}x  {diff:15.3e}  {unequal:>10}  {m.shape[0]}")

print("\nembed_batch alone, in one process (mean; --standardise adds the z-scoring)")
timers = [("native", [os.path.join(NATIVE_DIR, "examples", "embed_timing")])]
if WASM_DIR:
    timers.append(("wasm", ["node", "--no-warnings", WASI_RUN, os.path.join(WASM_DIR, "examples", "embed_timing.wasm")]))
for label, command in timers:
    done = subprocess.run(command + [os.path.abspath(CSV), *EMBEDDINGS], capture_output=True, text=True, check=True)
    for line in done.stdout.splitlines():
        print(f"{label:6} {line}")
