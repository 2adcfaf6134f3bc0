"""Writes tests/fixtures/smact/binary_counts.json with the real SMACT 4.0.2:
how many of the 225,879 binary compositions (factors up to 8) smact_validity
allows with each of its options Crystal Atlas offers, every composition
tried. tests/smact_differential.rs checks the exact counter's binary row
against it. Slow (SMACT's mixed-valence expansion takes up to a second per
composition): about an hour on one core. Run through scripts/make-smact-fixture.
"""

import itertools
import json
import math
import sys
import time
import warnings
from functools import reduce

warnings.filterwarnings("ignore")

from pymatgen.core import Composition  # noqa: E402
from smact import ordered_elements  # noqa: E402
from smact.screening import ICSD24FilterConfig, smact_validity  # noqa: E402

OUT = sys.argv[1]
# Optional option labels to (re)compute; the others are kept from OUT if it exists.
ONLY = sys.argv[2:]
# label -> smact_validity keyword arguments (use_pauling_test=True, check_metallicity=False).
OPTIONS = {
    "smact14": {"oxidation_states_set": "smact14", "include_alloys": False},
    "smact14 include_alloys": {"oxidation_states_set": "smact14", "include_alloys": True},
    "smact14 mixed_valence": {"oxidation_states_set": "smact14", "include_alloys": False, "mixed_valence": True},
    "icsd24 consensus 3": {"oxidation_states_set": None, "include_alloys": False,
                           "icsd_filter": ICSD24FilterConfig(consensus=3, commonality="low")},
    "icsd24 consensus 10 commonality medium mixed_valence include_alloys": {
        "oxidation_states_set": None, "include_alloys": True, "mixed_valence": True,
        "icsd_filter": ICSD24FilterConfig(consensus=10, commonality="medium")},
}

symbols = ordered_elements(1, 103)
ratios = [r for r in itertools.product(range(1, 9), repeat=2) if reduce(math.gcd, r) == 1]
try:
    with open(OUT) as fh:
        counts = json.load(fh)["allowed"]
except (FileNotFoundError, KeyError, ValueError):
    counts = {}


def save():
    with open(OUT, "w") as fh:
        json.dump({"order": 2, "max_stoich": 8, "allowed": counts}, fh, indent=1)
        fh.write("\n")


for label, kwargs in OPTIONS.items():
    if (ONLY and label not in ONLY) or (not ONLY and label in counts):
        continue
    start = time.time()
    allowed = 0
    for a, b in itertools.combinations(symbols, 2):
        for r in ratios:
            allowed += bool(smact_validity(Composition({a: r[0], b: r[1]}), check_metallicity=False, **kwargs))
    counts[label] = allowed
    print(f"{label}: {allowed} in {time.time() - start:.0f} s", file=sys.stderr, flush=True)
    save()
