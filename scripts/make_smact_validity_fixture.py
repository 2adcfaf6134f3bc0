"""Writes tests/fixtures/smact/smact_validity.jsonl with the real SMACT 4.0.2.

Records what smact.screening.smact_validity does with the options Crystal
Atlas offers on top of the paper's smact_filter semantics, for
tests/smact_differential.rs:

- "lists": MIXED_VALENCE_ELEMENTS, smact.metals (include_alloys' "metal") and
  the mixed-valence expansion limit (_MAX_MIXED_VALENCE_COMBOS).
- "icsd24_filter": the element -> states mapping smact_validity builds from
  the ICSD 2024 counts for a grid of (consensus, commonality, include_zero).
- "validity": for element systems (n = 2..4) under several oxidation-state
  sets (built-in names, a custom file, and the ICSD24 filter with various
  thresholds), smact_validity(composition, use_pauling_test=True,
  include_alloys=A, check_metallicity=False, oxidation_states_set=...,
  icsd_filter=..., mixed_valence=M) for every reduced ratio with factors
  up to 8, as one '0'/'1' string per (M, A). Where SMACT is slow (up to
  seconds per composition when mixed valence expands to nearly a million
  assignments), a seeded sample of the ratios: quaternaries always, and
  ternaries with mixed valence.

Run through scripts/make-smact-fixture.
"""

import json
import os
import random
import sys
import time
import warnings

warnings.filterwarnings("ignore")

from pymatgen.core import Composition  # noqa: E402
from smact import Element, metals, ordered_elements  # noqa: E402
from smact.screening import (  # noqa: E402
    _MAX_MIXED_VALENCE_COMBOS,
    MIXED_VALENCE_ELEMENTS,
    ICSD24FilterConfig,
    _get_icsd24_oxidation_dict,
    smact_validity,
)

OUT = sys.argv[1]
CUSTOM = os.path.join(os.path.dirname(OUT), "custom_oxidation_states.txt")
THRESHOLD = 8
# Ratios checked where not all are: (order, mixed_valence) -> how many.
SAMPLED = {(3, True): 40, (4, False): 150, (4, True): 30}

# (label, oxidation_states_set, ICSD24 filter): a None set means the ICSD24 filter.
SETS = [
    ("smact14", "smact14", None),
    ("icsd24", "icsd24", None),
    ("wiki", "wiki", None),
    ("custom_oxidation_states.txt", CUSTOM, None),
    ("icsd24_filter", None, {"consensus": 3, "commonality": "low", "include_zero": False}),
    ("icsd24_filter", None, {"consensus": 1, "commonality": "medium", "include_zero": False}),
    ("icsd24_filter", None, {"consensus": 10, "commonality": "high", "include_zero": False}),
    ("icsd24_filter", None, {"consensus": 3, "commonality": "main", "include_zero": False}),
    ("icsd24_filter", None, {"consensus": 5, "commonality": 25.0, "include_zero": False}),
    ("icsd24_filter", None, {"consensus": 3, "commonality": "low", "include_zero": True}),
]
COMMONALITIES = ["low", "medium", "high", "main", 0.5, 33.3, 12]
FILTER_GRID = [(c, m, False) for c in [0, 1, 3, 6, 10, 100, 1000] for m in COMMONALITIES]
FILTER_GRID += [(3, m, True) for m in COMMONALITIES]
# Systems every set is checked on: mixed valence (Fe3O4, Mn3O4, Pb3O4's Pb is
# not in SMACT's list), alloys (all metals), and the paper's Li-Zn-Sn-O.
FIXED = [
    ["Fe", "O"],
    ["Mn", "O"],
    ["Co", "O"],
    ["Pb", "O"],
    ["Sb", "S"],
    ["Cu", "Zn"],
    ["Fe", "Ni"],
    ["Fe", "Mn", "O"],
    ["Li", "Co", "O"],
    ["Cu", "Zn", "Al"],
    ["Ce", "Eu", "O"],
    ["Li", "Fe", "P", "O"],
    ["Li", "Zn", "Sn", "O"],
]

symbols = ordered_elements(1, 103)
with_eneg = [s for s in symbols if Element(s).pauling_eneg is not None]
mixed = sorted(MIXED_VALENCE_ELEMENTS)
anions = ["O", "S", "Se", "F", "Cl", "Br", "I", "N", "P", "H", "C"]


def coprime_tuples(n, t):
    from itertools import product
    from math import gcd
    from functools import reduce

    return [r for r in product(range(1, t + 1), repeat=n) if reduce(gcd, r) == 1]


def random_system(rng, n):
    """Mostly systems where the options matter: a mixed-valence element with
    anions, or metals only; sometimes anything (He, Lr, ...)."""
    kind = rng.random()
    if kind < 0.45:
        first = [rng.choice(mixed)]
        rest = rng.sample([s for s in with_eneg if s != first[0]], n - 1)
        if rng.random() < 0.6:
            rest[-1] = rng.choice([a for a in anions if a not in first + rest[:-1]])
        return first + rest
    if kind < 0.7:
        return rng.sample(metals, n)
    pool = symbols if rng.random() < 0.2 else with_eneg
    return rng.sample(pool, n)


def main():
    rng = random.Random(20250612)
    started = time.time()
    records = [
        {
            "kind": "lists",
            "mixed_valence_elements": mixed,
            "metals": list(metals),
            "max_mixed_valence_combos": _MAX_MIXED_VALENCE_COMBOS,
        }
    ]
    for consensus, commonality, include_zero in FILTER_GRID:
        states = _get_icsd24_oxidation_dict(include_zero, consensus, commonality)
        records.append(
            {
                "kind": "icsd24_filter",
                "consensus": consensus,
                "commonality": commonality,
                "include_zero": include_zero,
                "states": {el: list(v) for el, v in states.items()},
            }
        )
    for label, set_name, icsd in SETS:
        config = ICSD24FilterConfig(**icsd) if icsd else ICSD24FilterConfig()
        systems = [list(s) for s in FIXED]
        for n, count in [(2, 6), (3, 4), (4, 2)]:
            systems.extend(random_system(rng, n) for _ in range(count))
        for system in systems:
            n = len(system)
            checks = []
            for m in [False, True]:
                ratios = coprime_tuples(n, THRESHOLD)
                sampled = (n, m) in SAMPLED
                if sampled:
                    ratios = sorted(rng.sample(ratios, SAMPLED[(n, m)]))
                for a in [False, True]:
                    bits = []
                    for ratio in ratios:
                        comp = Composition(dict(zip(system, ratio)))
                        ok = smact_validity(
                            comp,
                            use_pauling_test=True,
                            include_alloys=a,
                            check_metallicity=False,
                            oxidation_states_set=set_name,
                            icsd_filter=config,
                            mixed_valence=m,
                        )
                        bits.append("1" if ok else "0")
                    checks.append(
                        {
                            "mixed_valence": m,
                            "include_alloys": a,
                            "ratios": [list(r) for r in ratios] if sampled else None,
                            "valid": "".join(bits),
                        }
                    )
            record = {"kind": "validity", "set": label, "system": system}
            if icsd:
                record["icsd24_filter"] = icsd
            record["checks"] = checks
            records.append(record)
        print(f"{label} {icsd or ''}: {time.time() - started:.0f} s", file=sys.stderr)

    with open(OUT, "w") as fh:
        for r in records:
            fh.write(json.dumps(r, separators=(",", ":")) + "\n")
    print(f"wrote {len(records)} records to {OUT}")


main()
