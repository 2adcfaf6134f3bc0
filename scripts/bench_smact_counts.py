"""SMACT's side of scripts/bench-counts: times the real smact 4.0.2 on the
Table 2 work and prints JSON lines {"order", "seconds", "how"}.

With "options N SPEC...", times smact_validity instead, for each SPEC (a
label, then its keyword arguments as JSON) on N compositions drawn uniformly
from each order's space (seeded): JSON lines {"label", "order",
"per_composition", "sampled", "allowed"}. SMACT has no counter for these
options, so its time for a whole order is per_composition x the space.

- n = 2: generate_composition_with_smact(num_elements=2, max_stoich=8,
  oxidation_states_set="smact14", num_processes=2), end to end, as the paper's
  crystal_space tutorial does.
- n = 3, 4: the same pipeline is hours long, so it is timed per element set on
  a seeded sample (smact_filter on the set, plus generating the set's reduced
  formulas with pymatgen as generate_composition_with_smact does) and
  extrapolated to all C(103, n) sets, divided by the 2 processes it would use.
"""

import itertools
import json
import math
import random
import sys
import time
import warnings

warnings.filterwarnings("ignore")

from smact import Element, ordered_elements  # noqa: E402
from smact.screening import smact_filter  # noqa: E402
from smact.utils.crystal_space.generate_composition_with_smact import (  # noqa: E402
    convert_formula,
    generate_composition_with_smact,
)

def options_benchmark(n_sample, specs):
    from functools import reduce

    from pymatgen.core import Composition
    from smact.screening import ICSD24FilterConfig, smact_validity

    symbols = ordered_elements(1, 103)
    for label, kwargs in specs:
        kwargs = dict(kwargs)
        if "icsd_filter" in kwargs:
            kwargs["icsd_filter"] = ICSD24FilterConfig(**kwargs["icsd_filter"])
        for n in (2, 3, 4):
            rng = random.Random(7 + n)
            ratios = [r for r in itertools.product(range(1, 9), repeat=n) if reduce(math.gcd, r) == 1]
            comps = [Composition(dict(zip(rng.sample(symbols, n), rng.choice(ratios)))) for _ in range(n_sample)]
            start = time.perf_counter()
            allowed = sum(bool(smact_validity(c, **kwargs)) for c in comps)
            per = (time.perf_counter() - start) / n_sample
            print(json.dumps({"label": label, "order": n, "per_composition": per, "sampled": n_sample,
                              "allowed": allowed}), flush=True)


if len(sys.argv) > 1 and sys.argv[1] == "options":
    n_sample = int(sys.argv[2])
    specs = [(sys.argv[i], json.loads(sys.argv[i + 1])) for i in range(3, len(sys.argv), 2)]
    options_benchmark(n_sample, specs)
    sys.exit(0)

samples = {3: int(sys.argv[1]) if len(sys.argv) > 1 else 60, 4: int(sys.argv[2]) if len(sys.argv) > 2 else 8}

start = time.perf_counter()
df = generate_composition_with_smact(
    num_elements=2, max_stoich=8, max_atomic_num=103, num_processes=2, oxidation_states_set="smact14"
)
elapsed = time.perf_counter() - start
print(json.dumps({"order": 2, "seconds": elapsed, "allowed": int(df.smact_allowed.sum()),
                  "how": "generate_composition_with_smact, 2 processes, end to end"}), flush=True)

elements = [Element(s) for s in ordered_elements(1, 103)]
with_eneg = [e for e in elements if e.pauling_eneg is not None]
rng = random.Random(42)
for n in (3, 4):
    sets = [rng.sample(with_eneg, n) for _ in range(samples[n])]
    start = time.perf_counter()
    for els in sets:
        smact_filter(els, threshold=8, oxidation_states_set="smact14")
    filter_per_set = (time.perf_counter() - start) / len(sets)
    start = time.perf_counter()
    for els in sets:
        convert_formula(els, num_elements=n, max_stoich=8)
    formulas_per_set = (time.perf_counter() - start) / len(sets)
    total_sets = math.comb(103, n)
    filtered_sets = math.comb(len(with_eneg), n)
    seconds = (filter_per_set * filtered_sets + formulas_per_set * total_sets) / 2
    print(json.dumps({"order": n, "seconds": seconds,
                      "how": f"extrapolated from {len(sets)} sets: smact_filter {filter_per_set * 1e3:.1f} ms/set x "
                             f"{filtered_sets:,} + formulas {formulas_per_set * 1e3:.1f} ms/set x {total_sets:,}, / 2 processes"}),
          flush=True)
