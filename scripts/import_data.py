"""Regenerate Crystal Atlas's committed data from the field's own wheels.

Run through scripts/import-data, which downloads the pinned wheels, checks their
sha256 and calls this with their unpacked directories. Writes:

  data/elements.csv                 symbol, Z, SMACT Pauling electronegativity,
                                    pymatgen X (formula order), element properties
  data/oxidation_states/<set>.txt   SMACT's five oxidation-state files, verbatim
  data/oxidation_states/icsd24_counts.txt
                                    ICSD 2024 reports per (element, oxidation
                                    state), from which SMACT's ICSD24 filter
                                    (consensus, commonality) builds its sets and
                                    by which explanations rank assignments
  data/known/<db>.bin               known reduced compositions (format below)
  data/embeddings/<name>.bin        element embeddings as ElementEmbeddings loads them
  data/counts.json                  per-file counts quoted in data/README.md

Known-composition format (".bin", all integers little-endian):
  magic b"CAK1", u32 count, then `count` LEB128 varints: the deltas between
  consecutive sorted u64 keys. A key packs up to four (Z, amount) pairs of the
  composition reduced by the gcd of its amounts, elements in increasing Z,
  16 bits per pair (Z << 9 | amount), first pair in the most significant bits.
  Compositions with more than four elements or an amount above 511 are outside
  the atlas's space and are not stored (data/counts.json says how many).

Embedding format (".bin"):
  magic b"CAE1", u8 value width (4: float32, 8: float64), u8 zero, u16 dim,
  u16 n, then n bytes of atomic numbers (increasing), then n * dim values,
  row-major: the vector of each element in turn. float64 is used only when
  float32 would move some value by more than 1e-7 (magpie's melting points).
"""

import csv
import glob
import json
import math
import os
import shutil
import struct
import sys
import warnings
from functools import reduce

warnings.filterwarnings("ignore")

SMACT_DIR, CRABNET_DIR, OUT = sys.argv[1], sys.argv[2], sys.argv[3]

OX_SETS = {
    "smact14": "oxidation_states.txt",
    "icsd16": "oxidation_states_icsd.txt",
    "icsd24": "oxidation_states_icsd24_filtered.txt",
    "pymatgen_sp": "oxidation_states_SP.txt",
    "wiki": "oxidation_states_wiki.txt",
}

# crabnet benchmark folders whose formulas make up each known-composition set.
KNOWN_SETS = {
    "mp": ["mp_e_hull"],
    "oqmd": ["OQMD_Bandgap", "OQMD_Energy_per_atom", "OQMD_Formation_Enthalpy", "OQMD_Volume_per_atom"],
    "aflow": sorted(os.path.basename(p) for p in glob.glob(os.path.join(CRABNET_DIR, "data/benchmark_data/aflow__*"))),
}

# Numeric columns of SMACT's element_data.txt kept for colouring maps by property.
PROPERTY_COLUMNS = ["mass", "r_cov", "e_affinity", "ion_pot", "dipol", "abundance"]

counts = {}


def write_elements():
    from pymatgen.core import Element as PmgElement

    rows = []
    path = os.path.join(SMACT_DIR, "data", "element_data.txt")
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        f = line.split()
        symbol, z = f[0], int(f[2])
        if z > 103:
            continue
        mass, r_cov, e_aff, _p, _s, abundance, el_neg, ion_pot, dipol = f[3:12]
        x = PmgElement(symbol).X
        rows.append(
            {
                "symbol": symbol,
                "z": z,
                "pauling": "" if el_neg == "None" else el_neg,
                "formula_x": "" if x is None or math.isnan(x) else repr(float(x)),
                "mass": mass,
                "r_cov": "" if r_cov == "None" else r_cov,
                "e_affinity": "" if e_aff == "None" else e_aff,
                "ion_pot": "" if ion_pot == "None" else ion_pot,
                "dipol": "" if dipol == "None" else dipol,
                "abundance": "" if abundance == "None" else abundance,
            }
        )
    rows.sort(key=lambda r: r["z"])
    assert [r["z"] for r in rows] == list(range(1, 104)), "element_data.txt must cover Z 1..103"
    with open(os.path.join(OUT, "elements.csv"), "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0].keys()), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    counts["elements"] = len(rows)
    counts["elements_without_pauling"] = [r["symbol"] for r in rows if not r["pauling"]]
    return {r["symbol"]: r["z"] for r in rows}


def copy_oxidation_states(symbol_to_z):
    os.makedirs(os.path.join(OUT, "oxidation_states"), exist_ok=True)
    counts["oxidation_states"] = {}
    for name, fname in OX_SETS.items():
        src = os.path.join(SMACT_DIR, "data", fname)
        shutil.copyfile(src, os.path.join(OUT, "oxidation_states", name + ".txt"))
        species = 0
        for line in open(src, encoding="utf-8"):
            s = line.split()
            if s and not s[0].startswith("#") and s[0] in symbol_to_z:
                species += len(s) - 1
        counts["oxidation_states"][name] = {"source": "smact/data/" + fname, "species_H_to_Lr": species}


def write_icsd24_counts(symbol_to_z):
    """oxidation_states_icsd24_counts.json as one line per element: the symbol,
    then state:reports for each state reported at least once, increasing."""
    src = os.path.join(SMACT_DIR, "data", "oxidation_states_icsd24_counts.json")
    rows = json.load(open(src, encoding="utf-8"))
    by_element = {}
    for row in rows:
        el, q, n = row["element"], int(row["oxidation_state"]), int(row["results_count"])
        assert -9 <= q <= 9 and n >= 0, row
        if el in symbol_to_z and n > 0:
            by_element.setdefault(el, []).append((q, n))
    lines = [
        "# ICSD (2024) reports of each oxidation state, from SMACT 4.0.2's",
        "# smact/data/oxidation_states_icsd24_counts.json: the symbol, then",
        "# state:reports for every state reported at least once.",
    ]
    z_to_symbol = sorted((z, s) for s, z in symbol_to_z.items())
    for _, el in z_to_symbol:
        pairs = sorted(by_element.get(el, []))
        lines.append(" ".join([el] + [f"{q}:{n}" for q, n in pairs]))
    with open(os.path.join(OUT, "oxidation_states", "icsd24_counts.txt"), "w") as fh:
        fh.write("\n".join(lines) + "\n")
    counts["oxidation_states"]["icsd24_counts"] = {
        "source": "smact/data/oxidation_states_icsd24_counts.json",
        "elements_reported": len(by_element),
        "species_reported": sum(len(v) for v in by_element.values()),
        "reports": sum(n for v in by_element.values() for _, n in v),
    }


def leb128(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def write_known(symbol_to_z):
    from pymatgen.core import Composition

    os.makedirs(os.path.join(OUT, "known"), exist_ok=True)
    counts["known"] = {}
    for name, folders in KNOWN_SETS.items():
        formulas = set()
        for folder in folders:
            for path in sorted(glob.glob(os.path.join(CRABNET_DIR, "data/benchmark_data", folder, "*.csv"))):
                with open(path, newline="") as fh:
                    formulas.update(row["formula"] for row in csv.DictReader(fh))
        keys = set()
        skipped = {"non_integer": 0, "more_than_4_elements": 0, "amount_over_511": 0, "unknown_element": 0}
        by_order = {}
        for formula in formulas:
            amounts = Composition(formula).get_el_amt_dict()
            if any(abs(v - round(v)) > 1e-6 for v in amounts.values()):
                skipped["non_integer"] += 1
                continue
            if any(el not in symbol_to_z for el in amounts):
                skipped["unknown_element"] += 1
                continue
            ints = {symbol_to_z[el]: int(round(v)) for el, v in amounts.items()}
            g = reduce(math.gcd, ints.values())
            pairs = sorted((z, a // g) for z, a in ints.items())
            if len(pairs) > 4:
                skipped["more_than_4_elements"] += 1
                continue
            if max(a for _, a in pairs) > 511:
                skipped["amount_over_511"] += 1
                continue
            key = 0
            for i, (z, a) in enumerate(pairs):
                key |= ((z << 9) | a) << (16 * (3 - i))
            if key not in keys:
                keys.add(key)
                n = len(pairs)
                within = max(a for _, a in pairs) <= 8
                slot = by_order.setdefault(str(n), {"all": 0, "max_stoich_8": 0})
                slot["all"] += 1
                slot["max_stoich_8"] += int(within)
        body = bytearray(b"CAK1" + struct.pack("<I", len(keys)))
        prev = 0
        for key in sorted(keys):
            body += leb128(key - prev)
            prev = key
        with open(os.path.join(OUT, "known", name + ".bin"), "wb") as fh:
            fh.write(body)
        counts["known"][name] = {
            "crabnet_folders": folders,
            "distinct_formulas": len(formulas),
            "stored_compositions": len(keys),
            "stored_by_order": dict(sorted(by_order.items())),
            "skipped": skipped,
            "bytes": len(body),
        }


def write_embeddings(symbol_to_z):
    from elementembeddings.core import Embedding
    from elementembeddings.utils.config import DEFAULT_ELEMENT_EMBEDDINGS

    os.makedirs(os.path.join(OUT, "embeddings"), exist_ok=True)
    counts["embeddings"] = {}
    for name in sorted(DEFAULT_ELEMENT_EMBEDDINGS):
        emb = Embedding.load_data(name)
        vectors = {el: v for el, v in emb.embeddings.items() if el in symbol_to_z}
        dims = {len(v) for v in vectors.values()}
        assert len(dims) == 1, f"{name}: ragged vectors"
        dim = dims.pop()
        zs = sorted(symbol_to_z[el] for el in vectors)
        z_to_symbol = {z: s for s, z in symbol_to_z.items()}
        rows = [[float(x) for x in vectors[z_to_symbol[z]]] for z in zs]
        assert all(math.isfinite(x) for row in rows for x in row), f"{name}: non-finite value"
        f32_error = max(abs(struct.unpack("<f", struct.pack("<f", x))[0] - x) for row in rows for x in row)
        code, width = ("d", 8) if f32_error > 1e-7 else ("f", 4)
        body = bytearray(b"CAE1" + struct.pack("<BBHH", width, 0, dim, len(zs)) + bytes(zs))
        for row in rows:
            body += struct.pack(f"<{dim}{code}", *row)
        with open(os.path.join(OUT, "embeddings", name + ".bin"), "wb") as fh:
            fh.write(body)
        counts["embeddings"][name] = {
            "file": DEFAULT_ELEMENT_EMBEDDINGS[name],
            "dim": dim,
            "value_bytes": width,
            "elements": len(zs),
            "dropped_outside_H_Lr": sorted(set(emb.embeddings) - set(vectors)),
            "bytes": len(body),
        }


def main():
    os.makedirs(OUT, exist_ok=True)
    symbol_to_z = write_elements()
    copy_oxidation_states(symbol_to_z)
    write_icsd24_counts(symbol_to_z)
    write_known(symbol_to_z)
    write_embeddings(symbol_to_z)
    with open(os.path.join(OUT, "counts.json"), "w") as fh:
        json.dump(counts, fh, indent=1, sort_keys=True)
        fh.write("\n")
    print(json.dumps(counts["known"], indent=1))


main()
