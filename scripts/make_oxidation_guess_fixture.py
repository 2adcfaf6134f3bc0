"""Writes tests/fixtures/pymatgen/oxi_state_guesses.jsonl with pymatgen-core.

The outside check of how Crystal Atlas ranks oxidation-state assignments
(src/filter/plausibility.rs): for a few hundred compositions the paper's
filter allows, what pymatgen's Composition.oxi_state_guesses() puts first.

Compositions: a list of common oxides, halides and chalcogenides named in the
tests, then a seeded sample of the Materials Project compositions in
data/known/mp.bin (150 binary, 150 ternary, 100 quaternary) that
smact_validity(oxidation_states_set="smact14", include_alloys=False) allows
with factors up to 8 (the paper's filter on one composition).

Each line: formula, order, and pymatgen's guesses best first (at most 3), each
as {element: [state of each site]} (Composition._get_oxi_state_guesses's
second result; oxi_state_guesses() returns the per-element means of these).
An empty list means pymatgen finds no charge-balanced guess with its ICSD
oxidation-state lists. Run through scripts/make-oxidation-guess-fixture.
"""

import json
import os
import random
import struct
import sys
import warnings

warnings.filterwarnings("ignore")

from pymatgen.core import Composition, Element  # noqa: E402
from smact.screening import smact_validity  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = sys.argv[1]
PER_ORDER = {2: 150, 3: 150, 4: 100}
NAMED = [
    "ZnO", "MnO2", "SnO2", "PbO2", "CuO", "Cu2O", "Fe2O3", "FeO", "TiO2", "Al2O3", "MgO", "CaO",
    "Cr2O3", "V2O5", "MoO3", "WO3", "NiO", "CoO", "SiO2", "Li2O", "Na2O", "SnO", "PbO",
    "NaCl", "KBr", "CaF2", "MgCl2", "AlF3", "FeCl3", "FeCl2", "CuCl", "CuCl2", "AgI", "SnCl4", "TiCl4",
    "ZnS", "CdS", "PbS", "FeS", "Cu2S", "MoS2", "ZnSe", "CdTe", "Bi2Te3", "Sb2S3", "GaAs", "InP", "GaN",
    "Li2ZnSn3O8", "LiCoO2", "LiFePO4", "BaTiO3", "SrTiO3", "CaTiO3", "MgAl2O4", "ZnFe2O4", "CuFeS2",
    "CsPbI3", "KMnO4", "K2Cr2O7", "Na2SO4", "CaCO3",
]


def mp_compositions():
    """data/known/mp.bin decoded (format in scripts/import_data.py)."""
    data = open(os.path.join(ROOT, "data", "known", "mp.bin"), "rb").read()
    assert data[:4] == b"CAK1"
    (count,) = struct.unpack("<I", data[4:8])
    pos, key, out = 8, 0, []
    for _ in range(count):
        delta, shift = 0, 0
        while True:
            b = data[pos]
            pos += 1
            delta |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                break
        key += delta
        pairs = []
        for i in range(4):
            pair = (key >> (16 * (3 - i))) & 0xFFFF
            if pair:
                pairs.append((Element.from_Z(pair >> 9).symbol, pair & 0x1FF))
        out.append(pairs)
    return out


def allowed(formula):
    return smact_validity(
        Composition(formula),
        include_alloys=False,
        check_metallicity=False,
        oxidation_states_set="smact14",
        mixed_valence=False,
    )


def guesses(formula):
    comp = Composition(formula)
    _, combos = comp._get_oxi_state_guesses(
        all_oxi_states=False, max_sites=None, oxi_states_override=None, target_charge=0
    )
    public = comp.oxi_state_guesses()
    # The per-site combos are what the public means are made of.
    for combo, means in zip(combos, public):
        for el, sites in combo.items():
            assert abs(sum(sites) / len(sites) - means[el]) < 1e-9
    return [{el: [int(q) for q in sites] for el, sites in combo.items()} for combo in combos[:3]]


def main():
    rng = random.Random(11)
    chosen = []
    for formula in NAMED:
        assert allowed(formula), formula
        chosen.append(formula)
    by_order = {2: [], 3: [], 4: []}
    for pairs in mp_compositions():
        if len(pairs) in by_order and max(a for _, a in pairs) <= 8:
            by_order[len(pairs)].append("".join(f"{el}{a if a > 1 else ''}" for el, a in pairs))
    for n, want in PER_ORDER.items():
        pool = by_order[n]
        rng.shuffle(pool)
        taken = 0
        for formula in pool:
            if taken == want:
                break
            if allowed(formula):
                chosen.append(formula)
                taken += 1
    with open(OUT, "w") as fh:
        for formula in chosen:
            record = {
                "formula": formula,
                "order": len(Composition(formula).elements),
                "guesses": guesses(formula),
            }
            fh.write(json.dumps(record, separators=(",", ":")) + "\n")
    print(f"wrote {len(chosen)} compositions to {OUT}")


main()
