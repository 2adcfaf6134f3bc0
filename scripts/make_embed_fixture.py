"""Writes ElementEmbeddings 0.8.0's compositional feature vectors as a test fixture.

Run through scripts/make-embed-fixture. For a seeded list of random reduced
compositions (binary to quaternary, amounts 1..8 with gcd 1, elements H..Lr, a
few of the paper's formulas first), computes

    CompositionalEmbedding(formula, embedding).feature_vector(stats=stat)

for every element embedding and every pooling statistic, on `rows` consecutive
formulas of the list from index `start`: all 1,000 for the paper's six
embeddings with "mean"; otherwise fewer (about BUDGET values per block, to keep
the fixture small), from a start that moves from block to block so that the
small blocks between them see many different compositions.
A formula with an element the embedding lacks raises KeyError in
ElementEmbeddings: it is recorded as left out, with the elements it lacks.

Also writes, for magpie and megnet16, scikit-learn's StandardScaler applied to
the "mean" rows of all 1,000 formulas (those the embedding covers).

Writes <out>/ee-0.8.0.json (formulas and block index) and <out>/ee-0.8.0.bin:
each block's kept rows, row-major, little-endian, float32 when that moves no
value by more than 1e-7 (the rule scripts/import-data uses; the test's
tolerance is 1e-5), else float64.
"""

import csv
import json
import math
import os
import struct
import sys
import warnings
from functools import reduce

import numpy as np

warnings.filterwarnings("ignore")

from importlib.metadata import version  # noqa: E402

from elementembeddings.composition import CompositionalEmbedding, formula_parser  # noqa: E402
from elementembeddings.core import Embedding  # noqa: E402
from elementembeddings.utils.config import DEFAULT_ELEMENT_EMBEDDINGS  # noqa: E402

ELEMENTS_CSV, OUT = sys.argv[1], sys.argv[2]
SEED = 20240521
N_FORMULAS = 1000
PAPER = ["magpie", "mat2vec", "megnet16", "oliynyk", "skipatom", "random_200"]
STATS = ["mean", "variance", "minpool", "maxpool", "range", "sum", "geometric_mean", "harmonic_mean"]
# Values per block for the blocks that need not hold 1,000 rows.
BUDGET = {"paper": 2400, "other": 1200}
MIN_ROWS = 8
# Paper Table 1 and a few compositions with elements some embeddings lack.
FIRST = ["ZnO", "Zn2O", "ZnO3", "LiZnO2", "Li6ZnO4", "LiZnO", "Li2ZnSn3O8", "LiZn4SnO8", "LiZn4Sn4O8",
         "LiZnSnO", "NaCl", "Fe2O3", "CsPbI3", "Ru5He3", "CfO2", "Es2O3", "NoCl3", "LrN", "PmF3", "XeF2"]

with open(ELEMENTS_CSV, newline="") as fh:
    symbols = [row["symbol"] for row in csv.DictReader(fh)]
assert len(symbols) == 103


def random_formulas():
    rng = np.random.default_rng(SEED)
    out = list(FIRST)
    while len(out) < N_FORMULAS:
        order = int(rng.integers(2, 5))
        zs = sorted(int(z) for z in rng.choice(103, size=order, replace=False))
        amounts = [int(a) for a in rng.integers(1, 9, size=order)]
        if reduce(math.gcd, amounts) != 1:
            continue
        out.append("".join(symbols[z] + (str(a) if a != 1 else "") for z, a in zip(zs, amounts)))
    return out


def rows_for(name, stat, dim):
    if name in PAPER and stat == "mean":
        return N_FORMULAS
    budget = BUDGET["paper" if name in PAPER else "other"]
    return max(MIN_ROWS, min(N_FORMULAS, round(budget / dim)))


def pack(values):
    as_f32 = struct.unpack(f"<{len(values)}f", struct.pack(f"<{len(values)}f", *values)) if values else ()
    ok = all(
        (math.isnan(a) and math.isnan(b)) or a == b or (math.isfinite(a) and abs(a - b) <= 1e-7)
        for a, b in zip(values, as_f32)
    )
    code, width = ("f", 4) if ok else ("d", 8)
    return width, struct.pack(f"<{len(values)}{code}", *values)


def standardised(name, formulas):
    """scikit-learn's StandardScaler over the kept "mean" rows of all formulas."""
    from sklearn.preprocessing import StandardScaler

    embedding = Embedding.load_data(name)
    rows = []
    for formula in formulas:
        try:
            rows.append(CompositionalEmbedding(formula, embedding).feature_vector(stats="mean"))
        except KeyError:
            continue
    return StandardScaler().fit_transform(np.array(rows)).ravel().tolist()


def main():
    ee_version = version("ElementEmbeddings")
    assert ee_version == "0.8.0", f"the fixture is of ElementEmbeddings 0.8.0, not {ee_version}"
    os.makedirs(OUT, exist_ok=True)
    formulas = random_formulas()
    blocks, body = [], bytearray()
    order = PAPER + sorted(set(DEFAULT_ELEMENT_EMBEDDINGS) - set(PAPER))
    for name in order:
        embedding = Embedding.load_data(name)
        for stat in STATS:
            dim = None
            rows = rows_for(name, stat, embedding.dim)
            start = 0 if rows == N_FORMULAS else (len(blocks) * 97) % (N_FORMULAS - rows)
            values, left_out = [], []
            for i, formula in enumerate(formulas[start : start + rows], start):
                try:
                    v = CompositionalEmbedding(formula, embedding).feature_vector(stats=stat)
                except KeyError:
                    lacking = [el for el in formula_parser(formula) if el not in embedding.embeddings]
                    assert lacking, f"{name} {formula}: KeyError without a missing element"
                    left_out.append([i, lacking])
                    continue
                dim = len(v)
                values.extend(float(x) for x in v)
            width, packed = pack(values)
            blocks.append({"embedding": name, "stat": stat, "start": start, "rows": rows, "dim": dim or embedding.dim,
                           "width": width, "offset": len(body), "bytes": len(packed), "left_out": left_out})
            body += packed
        print(f"{name:12s} dim {embedding.dim:4d}: {sum(b['bytes'] for b in blocks if b['embedding'] == name):8d} bytes",
              file=sys.stderr)
    standardised_blocks = []
    for name in ["magpie", "megnet16"]:
        width, packed = pack(standardised(name, formulas))
        standardised_blocks.append({"embedding": name, "stat": "mean", "width": width, "offset": len(body),
                                    "bytes": len(packed)})
        body += packed
    manifest = {
        "generator": "scripts/make-embed-fixture",
        "elementembeddings": ee_version,
        "numpy": np.__version__,
        "seed": SEED,
        "formulas": formulas,
        "blocks": blocks,
        "standardised_blocks": standardised_blocks,
        "scikit_learn": version("scikit-learn"),
    }
    with open(os.path.join(OUT, "ee-0.8.0.json"), "w") as fh:
        json.dump(manifest, fh, indent=None, separators=(",", ":"))
        fh.write("\n")
    with open(os.path.join(OUT, "ee-0.8.0.bin"), "wb") as fh:
        fh.write(body)
    print(f"make-embed-fixture: {len(blocks)} blocks, {len(body)} bytes of values", file=sys.stderr)


main()
