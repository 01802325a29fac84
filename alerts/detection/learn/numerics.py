"""Elementwise functions whose results are the same on every x86-64 or ARM machine.

numpy's ``exp`` and ``log`` pick a vectorised implementation by CPU at run time (AVX-512 or
not), and those differ in the last bit; BLAS dot products change their summation order with
the CPU and the thread count. Training must give bit-identical arrays wherever it runs, so the
few transcendental functions it needs are built here from operations IEEE 754 rounds exactly
(``+``, ``-``, ``*``, ``/``, ``sqrt``, ``ldexp``, ``frexp``, ``rint``), and dot products are
plain elementwise products reduced by numpy's pairwise sum, which has a fixed order.

Accuracy is within a few units in the last place of the true value over the ranges used.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]

_LN2_HI = 6.93147180369123816490e-01  # ln 2 with its low bits cleared (k * _LN2_HI is exact)
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e00
_SQRT_HALF = 0.70710678118654752440
# 1/k! for k = 13 .. 0, for Horner evaluation of exp(r) with |r| <= ln2 / 2.
_EXP_COEFFS = tuple(
    1.0 / float(np.prod(np.arange(1, k + 1, dtype=np.float64))) for k in range(13, -1, -1)
)
# 1/(2k+1) for k = 11 .. 0, for log(m) = 2 atanh(s) with |s| <= 0.1716.
_ATANH_COEFFS = tuple(1.0 / (2 * k + 1) for k in range(11, -1, -1))


def exp(x: F64) -> F64:
    """``e**x`` elementwise; arguments are clipped to [-745, 709] (no overflow)."""
    x = np.clip(np.asarray(x, dtype=np.float64), -745.0, 709.0)
    k = np.rint(x * _INV_LN2)
    r = (x - k * _LN2_HI) - k * _LN2_LO
    p = np.full_like(r, _EXP_COEFFS[0])
    for c in _EXP_COEFFS[1:]:
        p = p * r + c
    return np.ldexp(p, k.astype(np.int64))


def log(x: F64) -> F64:
    """Natural logarithm elementwise, for positive finite ``x``."""
    x = np.asarray(x, dtype=np.float64)
    m, e = np.frexp(x)
    low = m < _SQRT_HALF
    m = np.where(low, m * 2.0, m)
    e = (e - low).astype(np.float64)
    s = (m - 1.0) / (m + 1.0)
    s2 = s * s
    p = np.full_like(s, _ATANH_COEFFS[0])
    for c in _ATANH_COEFFS[1:]:
        p = p * s2 + c
    return (2.0 * s * p + e * _LN2_LO) + e * _LN2_HI


def softplus(z: F64) -> F64:
    """``log(1 + e**z)`` without overflow."""
    return np.maximum(z, 0.0) + log(1.0 + exp(-np.abs(z)))


def sigmoid(z: F64) -> F64:
    """``1 / (1 + e**-z)`` without overflow."""
    ez = exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + ez), ez / (1.0 + ez))


def softmax_rows(z: F64) -> tuple[F64, F64]:
    """Row-wise softmax of ``z`` (n, k) and each row's log-sum-exp."""
    top = np.max(z, axis=1, keepdims=True)
    ez = exp(z - top)
    total = np.sum(ez, axis=1, keepdims=True)
    return ez / total, (top + log(total))[:, 0]


def dot(a: F64, b: F64) -> float:
    """``sum(a * b)`` in a fixed summation order (never BLAS)."""
    return float(np.sum(np.multiply(a, b)))
