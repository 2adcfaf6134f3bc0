"""The Python half of scripts/bench-density: the same per-category density
contours with scipy and contourpy (what matplotlib and seaborn use), timed on
the same map, and Crystal Atlas's grids checked against a direct sum.

Usage: bench_density.py MAP.f32 LABELS.csv OURS.json OURS_LINE ROUNDS

Timed (best of ROUNDS): for each category with 10 or more points,
scipy.stats.gaussian_kde (Scott's rule, full covariance) evaluated on the
same grid as ours, the levels enclosing 25/50/75% of the grid's mass, and
contourpy's lines at them.
Checked: each of our grids against the direct sum of the Gaussian kernels
with our bandwidths at every node (numpy, float64): the largest difference
relative to the category's peak density, and the mass on the grid.
"""

import re
import sys
import time

import numpy as np
import contourpy
from scipy.stats import gaussian_kde

FRACTIONS = [0.25, 0.5, 0.75]


def mass_levels(values, fractions):
    s = np.sort(values.ravel())[::-1]
    c = np.cumsum(s)
    return [s[min(np.searchsorted(c, p * c[-1]), len(s) - 1)] for p in fractions]


def direct(xy, h, gx, gy):
    out = np.zeros((len(gy), len(gx)))
    norm = 1.0 / (2 * np.pi * h[0] * h[1] * len(xy))
    ex = np.exp(-0.5 * ((gx[None, :] - xy[:, 0:1]) / h[0]) ** 2)  # points x nx
    ey = np.exp(-0.5 * ((gy[None, :] - xy[:, 1:2]) / h[1]) ** 2)  # points x ny
    for start in range(0, len(xy), 2000):
        out += ey[start:start + 2000].T @ ex[start:start + 2000]
    return out * norm


def main():
    map_path, labels_path, ours_path, ours_line, rounds = sys.argv[1:]
    import json
    y = np.fromfile(map_path, "<f4").reshape(-1, 2).astype(np.float64)
    labels = [line.split(",")[1].strip() for line in open(labels_path).read().splitlines()[1:]]
    ours = json.load(open(ours_path))
    grids = {c["category"]: c for c in ours}
    first = ours[0]
    gx = first["x0"] + first["step"] * np.arange(first["nx"])
    gy = first["y0"] + first["step"] * np.arange(first["ny"])
    mesh = np.vstack([np.repeat(gx[None, :], len(gy), 0).ravel(), np.repeat(gy[:, None], len(gx), 1).ravel()])

    best = np.inf
    for _ in range(int(rounds)):
        start = time.perf_counter()
        for category in grids:
            xy = y[np.array(labels) == category]
            density = gaussian_kde(xy.T)(mesh).reshape(len(gy), len(gx))
            generator = contourpy.contour_generator(gx, gy, density)
            for level in mass_levels(density, FRACTIONS):
                generator.lines(level)
        best = min(best, time.perf_counter() - start)

    ours_ms = float(re.search(r"best of \d+ ([0-9.]+) ms", ours_line).group(1))
    print(ours_line)
    print(f"scipy gaussian_kde + contourpy, same grid and levels: best of {rounds} {best * 1e3:.1f} ms "
          f"({best * 1e3 / ours_ms:.0f}x ours)")
    for category, g in grids.items():
        xy = y[np.array(labels) == category]
        exact = direct(xy, g["bandwidth"], gx, gy)
        got = np.array(g["values"]).reshape(g["ny"], g["nx"])
        error = np.abs(got - exact).max() / exact.max()
        mass = got.sum() * g["step"] ** 2
        print(f"  {category:<11} {g['points']:>5} points, bandwidth {g['bandwidth'][0]:.3f} x {g['bandwidth'][1]:.3f}: "
              f"grid vs direct sum, largest difference {error:.2e} of the peak; mass on the grid {mass:.4f}; "
              f"iso-lines at {', '.join(f'{m:.0%}' for m in g['mass'])}: {g['paths']} paths")


if __name__ == "__main__":
    main()
