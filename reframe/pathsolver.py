"""The camera path of one shot along one axis, as an L1-optimal program.

Following Grundmann, Kwatra and Essa ("Auto-directed video stabilization with
robust L1 optimal camera paths", CVPR 2011), the window centre ``c_t``
minimises the L1 norms of its first, second and third differences. L1 (not
least squares) makes the optimum piecewise: exactly still segments,
constant-speed pans, and eased transitions between them, which is how an
operator moves a camera. The subject enters only through constraints made
soft by penalised slack:

* the must-keep interval ``[lo_t, hi_t]`` lies inside the window;
* the subject centre ``target_t`` may drift ``dead_zone`` either side of the
  window centre for free (so handheld shake and small gestures never move
  the window);
* intervals to avoid (faces that do not fit) lie wholly outside the window,
  on their side, so no face is cut by the window edge.

The speed limit is hard. scipy's HiGHS solves the linear program.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Largest number of time points one program is solved on; longer shots are
# solved on a coarser grid and interpolated (still piecewise linear).
MAX_POINTS = 720


@dataclass(frozen=True)
class PathWeights:
    """Relative costs. Only ratios matter; pixels are the unit everywhere."""

    velocity: float = 10.0  # per pixel moved
    acceleration: float = 40.0  # per pixel/frame change of speed
    jerk: float = 100.0  # per pixel/frame^2 change of acceleration
    off_target: float = 1.0  # per pixel per frame the subject is outside the dead zone
    must_keep: float = 40.0  # per pixel per frame of a must-keep box outside the window
    avoid: float = 8.0  # per pixel per frame of an excluded face inside the window


@dataclass(frozen=True)
class Avoid:
    """At frame ``t``, the interval ``[lo, hi]`` must be outside the window on ``side`` (-1 left, +1 right).

    ``weight`` scales the cost of breaking it (1 for a face); ``frames`` is
    how many frames it stands for (a sampled detection holds for the frames
    around its sample), so the cost does not depend on how densely the
    analysis sampled nor on the solver's grid.
    """

    t: int
    lo: float
    hi: float
    side: int
    weight: float = 1.0
    frames: float = 1.0


def solve_path(
    target: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    *,
    size: float,
    extent: float,
    max_step: float,
    dead_zone: float,
    avoid: list[Avoid] = (),
    must_weight: np.ndarray | None = None,
    weights: PathWeights = PathWeights(),
    still_start: int = 2,
    still: np.ndarray | None = None,
) -> np.ndarray:
    """Window centres, one per frame, for a window of ``size`` on an axis of ``extent`` pixels.

    ``target``, ``lo``, ``hi`` are per-frame arrays (NaN where unknown: no
    constraint). ``max_step`` is the largest move per frame; ``dead_zone``
    how far the target may sit from the centre for free. The window does
    not move at all over the first ``still_start`` frames: right after a
    cut the eye needs a steady picture to find its way; nor between two
    consecutive frames that ``still`` (a per-frame boolean mask) marks, such
    as those of a dissolve, where a moving window would show the camera
    panning from one shot into the next.

    >>> c = solve_path(np.full(50, 300.0), np.full(50, 280.0), np.full(50, 320.0),
    ...                size=200, extent=1000, max_step=5, dead_zone=20)
    >>> float(np.ptp(c))
    0.0
    """
    n = len(target)
    half = size / 2.0
    c_lo, c_hi = half, extent - half
    if c_hi - c_lo < 1e-6 or n == 0:
        return np.full(n, extent / 2.0)
    if n == 1:
        t0 = target[0] if np.isfinite(target[0]) else extent / 2
        return np.array([float(np.clip(t0, c_lo, c_hi))])

    step = int(np.ceil(n / MAX_POINTS))
    grid = np.arange(0, n, step)
    if grid[-1] != n - 1:
        grid = np.append(grid, n - 1)
    g = len(grid)
    dt = np.diff(grid).astype(float)  # frames between grid points
    tg, log, hig = target[grid], lo[grid], hi[grid]
    mw = np.ones(n) if must_weight is None else must_weight
    mwg = mw[grid]
    span = np.empty(g)  # frames each grid point stands for
    span[:] = step
    span[0] = span[-1] = max(1.0, step / 2)

    cols: dict[str, tuple[int, int]] = {}
    count = 0

    def block(name: str, size_: int) -> None:
        nonlocal count
        cols[name] = (count, count + size_)
        count += size_

    block("c", g)
    block("d1", g - 1)
    block("d2", max(0, g - 2))
    block("d3", max(0, g - 3))
    has_t = np.isfinite(tg)
    has_m = np.isfinite(log) & np.isfinite(hig)
    block("e", int(has_t.sum()))
    block("m_lo", int(has_m.sum()))
    block("m_hi", int(has_m.sum()))
    avoid = [a for a in avoid if 0 <= a.t < n]
    block("a", len(avoid))

    rows, colidx, vals, rhs = [], [], [], []
    r = 0

    def add(coeffs: list[tuple[int, float]], b: float) -> None:
        nonlocal r
        for ci, v in coeffs:
            rows.append(r)
            colidx.append(ci)
            vals.append(v)
        rhs.append(b)
        r += 1

    c0 = cols["c"][0]
    # Differences per frame: divide by the grid spacing so the costs mean the
    # same whatever the grid.
    stencils = {"d1": [-1.0, 1.0], "d2": [1.0, -2.0, 1.0], "d3": [-1.0, 3.0, -3.0, 1.0]}
    for name, st in stencils.items():
        k0 = cols[name][0]
        for i in range(cols[name][1] - k0):
            h = float(np.mean(dt[i : i + len(st) - 1]))
            coeffs = [(c0 + i + j, s / h ** (len(st) - 1)) for j, s in enumerate(st)]
            add(coeffs + [(k0 + i, -1.0)], 0.0)
            add([(ci, -v) for ci, v in coeffs] + [(k0 + i, -1.0)], 0.0)

    e0 = cols["e"][0]
    for k, i in enumerate(np.flatnonzero(has_t)):
        add([(c0 + i, 1.0), (e0 + k, -1.0)], tg[i] + dead_zone)
        add([(c0 + i, -1.0), (e0 + k, -1.0)], -tg[i] + dead_zone)
    ml0, mh0 = cols["m_lo"][0], cols["m_hi"][0]
    for k, i in enumerate(np.flatnonzero(has_m)):
        # window left edge <= lo (+ slack), window right edge >= hi (- slack)
        add([(c0 + i, 1.0), (ml0 + k, -1.0)], log[i] + half)
        add([(c0 + i, -1.0), (mh0 + k, -1.0)], -hig[i] + half)
    a0 = cols["a"][0]
    grid_of = np.searchsorted(grid, [a.t for a in avoid]) if avoid else []
    for k, (a, i) in enumerate(zip(avoid, grid_of)):
        i = min(int(i), g - 1)
        if a.side < 0:  # keep the window's left edge right of the face
            add([(c0 + i, -1.0), (a0 + k, -1.0)], -(a.hi + half))
        else:  # keep the window's right edge left of the face
            add([(c0 + i, 1.0), (a0 + k, -1.0)], a.lo - half)

    cost = np.zeros(count)
    w = weights
    cost[slice(*cols["d1"])] = w.velocity * dt
    if g > 2:
        cost[slice(*cols["d2"])] = w.acceleration * (dt[:-1] + dt[1:]) / 2
    if g > 3:
        cost[slice(*cols["d3"])] = w.jerk * (dt[:-2] + dt[1:-1] + dt[2:]) / 3
    cost[slice(*cols["e"])] = w.off_target * span[has_t]
    cost[slice(*cols["m_lo"])] = w.must_keep * span[has_m] * mwg[has_m]
    cost[slice(*cols["m_hi"])] = w.must_keep * span[has_m] * mwg[has_m]
    cost[slice(*cols["a"])] = w.avoid * np.array([a.weight * a.frames for a in avoid])

    bounds = np.zeros((count, 2))
    bounds[:, 1] = np.inf
    bounds[slice(*cols["c"])] = (c_lo, c_hi)
    bounds[slice(*cols["d1"]), 1] = max_step  # hard speed limit (per frame)
    d1 = cols["d1"][0]
    bounds[d1 : d1 + min(int(np.ceil(still_start / step)), g - 1), 1] = 0.0
    if still is not None and n > 1:
        # A grid step is held when any two consecutive frames in it are.
        pairs = np.concatenate([[0], np.cumsum(np.asarray(still[:-1], bool) & np.asarray(still[1:], bool))])
        held = pairs[grid[1:]] > pairs[grid[:-1]]
        bounds[d1 : d1 + g - 1, 1][held] = 0.0

    from scipy import sparse  # here, not at the top: importing reframe stays fast
    from scipy.optimize import linprog

    a_ub = sparse.csr_matrix((vals, (rows, colidx)), shape=(r, count))
    res = linprog(cost, A_ub=a_ub, b_ub=np.array(rhs), bounds=bounds, method="highs")
    if res.status != 0 or res.x is None:
        # Cannot happen with soft constraints and a feasible box; keep a safe path anyway.
        fill = np.where(np.isfinite(target), target, extent / 2)
        return np.clip(np.full(n, float(np.median(fill))), c_lo, c_hi)
    c = res.x[c0 : c0 + g]
    out = np.interp(np.arange(n), grid, c)
    # HiGHS returns vertices up to ~1e-7; snap so still segments are exactly still.
    return np.clip(np.round(out, 3), c_lo, c_hi)
