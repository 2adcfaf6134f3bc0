"""Writes tests/fixtures/smact/smact_filter.jsonl with the real SMACT 4.0.2.

For about 200 element systems (n = 2..4) spread over the five built-in
oxidation-state sets and one custom file, records what
smact.screening.smact_filter(els, threshold=8, oxidation_states_set=...)
returns: the allowed ratios (in the system's element order) and, for binaries and ternaries, the full
(oxidation states, ratio) output in SMACT's order. tests/smact_differential.rs
compares Crystal Atlas with it. Run through scripts/make-smact-fixture.
"""

import json
import os
import random
import sys
import warnings

warnings.filterwarnings("ignore")

from smact import Element, ordered_elements  # noqa: E402
from smact.screening import smact_filter  # noqa: E402

OUT = sys.argv[1]
CUSTOM = os.path.join(os.path.dirname(OUT), "custom_oxidation_states.txt")
SETS = ["smact14", "icsd16", "icsd24", "pymatgen_sp", "wiki", CUSTOM]
# Systems every set is checked on: the paper's Table 1 and SMACT's docstring example.
FIXED = [["Zn", "O"], ["Li", "Zn", "O"], ["Li", "Zn", "Sn", "O"], ["Cs", "Pb", "I"], ["Fe", "O"], ["Na", "Cl"]]

symbols = ordered_elements(1, 103)
with_eneg = [s for s in symbols if Element(s).pauling_eneg is not None]
rng = random.Random(20241125)
records = []
for set_name in SETS:
    systems = [list(s) for s in FIXED]
    for n, count in [(2, 12), (3, 10), (4, 6)]:
        for _ in range(count):
            # Mostly elements SMACT can allow; sometimes any element (He, Lr, ...).
            pool = symbols if rng.random() < 0.15 else with_eneg
            systems.append(rng.sample(pool, n))
    for system in systems:
        els = [Element(s) for s in system]
        try:
            out = smact_filter(els, threshold=8, oxidation_states_set=set_name)
        except ValueError:
            # SMACT refuses elements without states in the set; nothing is allowed.
            out = []
        # Ratios in the order of "system"; SMACT's ratios are already reduced.
        allowed = sorted({tuple(r[2]) for r in out})
        record = {
            "set": os.path.basename(set_name) if set_name == CUSTOM else set_name,
            "system": system,
            "allowed": [list(ratio) for ratio in allowed],
        }
        if len(system) <= 3:
            record["output"] = [[list(r[1]), list(r[2])] for r in out]
        records.append(record)

with open(OUT, "w") as fh:
    for r in records:
        fh.write(json.dumps(r, separators=(",", ":")) + "\n")
print(f"wrote {len(records)} systems to {OUT}")
