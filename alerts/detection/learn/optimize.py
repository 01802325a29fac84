"""A deterministic full-batch L-BFGS minimiser for smooth convex objectives.

Every step is a function of the data alone: the start point is given, the line search is a
backtracking Armijo search with fixed constants, and every inner product goes through
:func:`.numerics.dot` (a fixed summation order, never BLAS). The same objective and start
point give bit-identical iterates on any machine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from alerts.detection.learn.numerics import F64, dot

Objective = Callable[[F64], tuple[float, F64]]


@dataclass(frozen=True)
class OptimizeResult:
    x: F64
    fun: float
    grad_max: float
    iterations: int
    evaluations: int
    converged: bool
    reason: str


def lbfgs(
    fun: Objective,
    x0: F64,
    *,
    memory: int = 10,
    max_iter: int = 500,
    gtol: float = 1e-6,
    ftol: float = 1e-11,
    max_backtracks: int = 40,
) -> OptimizeResult:
    """Minimise ``fun`` (returning the value and the gradient) from ``x0``.

    Stops when the largest gradient component is at most ``gtol``, when one step lowers the
    objective by at most ``ftol * max(1, |f|)``, or after ``max_iter`` iterations.
    """
    x = np.array(x0, dtype=np.float64, copy=True)
    f, g = fun(x)
    evaluations = 1
    s_hist: list[F64] = []
    y_hist: list[F64] = []
    rho_hist: list[float] = []
    reason = "max_iter"
    converged = False
    iteration = 0
    for iteration in range(1, max_iter + 1):
        gmax = float(np.max(np.abs(g))) if g.size else 0.0
        if gmax <= gtol:
            reason, converged = "gtol", True
            iteration -= 1
            break
        # Two-loop recursion: d = -H g.
        q = g.copy()
        alphas: list[float] = []
        for s, y, rho in zip(reversed(s_hist), reversed(y_hist), reversed(rho_hist), strict=True):
            a = rho * dot(s, q)
            alphas.append(a)
            q = q - a * y
        if s_hist:
            gamma = dot(s_hist[-1], y_hist[-1]) / dot(y_hist[-1], y_hist[-1])
        else:
            gamma = 1.0 / max(1.0, float(np.sqrt(dot(g, g))))
        r = gamma * q
        for s, y, rho, a in zip(s_hist, y_hist, rho_hist, reversed(alphas), strict=True):
            b = rho * dot(y, r)
            r = r + (a - b) * s
        d = -r
        slope = dot(g, d)
        if slope >= 0.0:  # not a descent direction: restart from steepest descent
            s_hist.clear()
            y_hist.clear()
            rho_hist.clear()
            d = -g / max(1.0, float(np.sqrt(dot(g, g))))
            slope = dot(g, d)
        step = 1.0
        for _ in range(max_backtracks):
            x_new = x + step * d
            f_new, g_new = fun(x_new)
            evaluations += 1
            if f_new <= f + 1e-4 * step * slope:
                break
            step *= 0.5
        else:
            reason = "line_search"
            converged = bool(np.max(np.abs(g)) <= 1e3 * gtol)
            break
        s_vec, y_vec = x_new - x, g_new - g
        sy = dot(s_vec, y_vec)
        if sy > 1e-12 * dot(s_vec, s_vec):
            s_hist.append(s_vec)
            y_hist.append(y_vec)
            rho_hist.append(1.0 / sy)
            if len(s_hist) > memory:
                del s_hist[0], y_hist[0], rho_hist[0]
        decrease = f - f_new
        x, f, g = x_new, f_new, g_new
        if decrease <= ftol * max(1.0, abs(f)):
            reason, converged = "ftol", True
            break
    gmax = float(np.max(np.abs(g))) if g.size else 0.0
    return OptimizeResult(
        x=x,
        fun=float(f),
        grad_max=gmax,
        iterations=iteration,
        evaluations=evaluations,
        converged=converged,
        reason=reason,
    )
