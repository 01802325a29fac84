"""L2-regularised logistic regression, binary and multinomial, and a dense-block standardiser.

The objective is the weighted mean log-loss plus ``l2 / 2`` times the squared norm of the
weights (intercepts are not penalised). It is minimised by :func:`.optimize.lbfgs` from zero,
with products computed by ``scipy.sparse`` (fixed-order C loops, never BLAS) and the
functions of :mod:`.numerics`, so the same data give bit-identical weights on any machine.
Fitted weights are rounded to float32, the precision they are stored in, so that a model
loaded from its bundle predicts exactly what the trained one did.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, TypeAlias

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from alerts.detection.learn import numerics
from alerts.detection.learn.numerics import F64
from alerts.detection.learn.optimize import OptimizeResult, lbfgs

Matrix: TypeAlias = sp.csr_matrix | NDArray[np.floating]
ClassWeight: TypeAlias = Literal["balanced"] | Mapping[int, float] | None


def as_csr(x: Matrix) -> sp.csr_matrix:
    """``x`` as a float64 CSR matrix with sorted indices (dense input converted)."""
    m = sp.csr_matrix(x, dtype=np.float64)
    m.sort_indices()
    return m


def class_weights(y: NDArray[np.int64], n_classes: int, spec: ClassWeight) -> F64:
    """Weight of each class: 1, ``n / (k * n_c)`` for ``"balanced"``, or as given."""
    if spec is None:
        return np.ones(n_classes)
    if spec == "balanced":
        counts = np.bincount(y, minlength=n_classes).astype(np.float64)
        present = counts > 0
        out = np.zeros(n_classes)
        out[present] = len(y) / (float(np.count_nonzero(present)) * counts[present])
        return out
    return np.array([float(spec.get(c, 1.0)) for c in range(n_classes)])


@dataclass
class LogisticRegression:
    """Binary (``n_classes == 2``) or multinomial logistic regression."""

    l2: float = 1e-3
    class_weight: ClassWeight = None
    max_iter: int = 500
    gtol: float = 1e-6

    def __post_init__(self) -> None:
        self.coef_: F64 = np.zeros((0, 0))
        self.intercept_: F64 = np.zeros(0)
        self.n_classes: int = 0
        self.result: OptimizeResult | None = None

    @property
    def binary(self) -> bool:
        return self.n_classes == 2

    def objective(
        self,
        x: Matrix,
        y: NDArray[np.integer],
        n_classes: int,
        sample_weight: NDArray[np.floating] | None = None,
    ) -> Callable[[F64], tuple[float, F64]]:
        """The training objective over the flat parameters (weights by column of the
        feature-by-class matrix, then the intercepts): its value and gradient."""
        if n_classes < 2:
            raise ValueError("logistic regression needs at least two classes")
        X = as_csr(x)
        labels = np.asarray(y, dtype=np.int64)
        n, d = X.shape
        if labels.shape != (n,):
            raise ValueError(f"{n} rows but {labels.shape[0]} labels")
        if n and (labels.min() < 0 or labels.max() >= n_classes):
            raise ValueError(f"labels must lie in 0..{n_classes - 1}")
        w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, np.float64)
        w = w * class_weights(labels, n_classes, self.class_weight)[labels]
        total = float(np.sum(w))
        if total <= 0:
            raise ValueError("the sample weights sum to zero")
        w = w / total
        XT = X.T.tocsr()
        XT.sort_indices()
        k = 1 if n_classes == 2 else n_classes
        l2 = float(self.l2)

        if k == 1:
            target = (labels == 1).astype(np.float64)

            def binary(theta: F64) -> tuple[float, F64]:
                coef, b = theta[:d], theta[d]
                z = X @ coef + b
                loss = numerics.dot(w, numerics.softplus(z) - target * z)
                r = w * (numerics.sigmoid(z) - target)
                grad = np.empty_like(theta)
                grad[:d] = XT @ r + l2 * coef
                grad[d] = float(np.sum(r))
                return loss + 0.5 * l2 * numerics.dot(coef, coef), grad

            return binary

        onehot = np.zeros((n, k))
        onehot[np.arange(n), labels] = 1.0

        def multinomial(theta: F64) -> tuple[float, F64]:
            coef = theta[: d * k].reshape(d, k)
            b = theta[d * k :]
            z = X @ coef + b
            p, lse = numerics.softmax_rows(z)
            loss = numerics.dot(w, lse - np.sum(z * onehot, axis=1))
            r = (p - onehot) * w[:, None]
            grad = np.empty_like(theta)
            grad[: d * k] = (XT @ r + l2 * coef).ravel()
            grad[d * k :] = np.sum(r, axis=0)
            flat = theta[: d * k]
            return loss + 0.5 * l2 * numerics.dot(flat, flat), grad

        return multinomial

    def fit(
        self,
        x: Matrix,
        y: NDArray[np.integer],
        n_classes: int,
        sample_weight: NDArray[np.floating] | None = None,
    ) -> LogisticRegression:
        """Fit on rows ``x`` with labels ``y`` in ``0 .. n_classes - 1``."""
        fun = self.objective(x, y, n_classes, sample_weight)
        d = int(x.shape[1])
        k = 1 if n_classes == 2 else n_classes
        result = lbfgs(fun, np.zeros(d * k + k), max_iter=self.max_iter, gtol=self.gtol)
        theta = result.x.astype(np.float32).astype(np.float64)
        self.coef_ = theta[: d * k].reshape(d, k)
        self.intercept_ = theta[d * k :]
        self.n_classes = n_classes
        self.result = result
        return self

    def set_weights(self, coef: NDArray[np.floating], intercept: NDArray[np.floating]) -> None:
        """Install stored weights: ``coef`` (d, 1) for a binary model, (d, k) otherwise."""
        coef64 = np.asarray(coef, np.float64)
        if coef64.ndim != 2 or np.asarray(intercept).shape != (coef64.shape[1],):
            raise ValueError("coef must be (d, k) with one intercept per column")
        self.coef_ = coef64
        self.intercept_ = np.asarray(intercept, np.float64)
        self.n_classes = 2 if coef64.shape[1] == 1 else coef64.shape[1]

    def decision_function(self, x: Matrix) -> F64:
        if not self.n_classes:
            raise ValueError("the model is not fitted")
        z: F64 = np.asarray(as_csr(x) @ self.coef_) + self.intercept_
        return z

    def predict_proba(self, x: Matrix) -> F64:
        """Probabilities (n, n_classes); for a binary model the columns are [P(0), P(1)]."""
        z = self.decision_function(x)
        if self.binary:
            p1 = numerics.sigmoid(z[:, 0])
            return np.stack([1.0 - p1, p1], axis=1)
        return numerics.softmax_rows(z)[0]


@dataclass
class Standardizer:
    """Centre and scale the columns of a dense block (constant columns are only centred)."""

    mean: F64
    scale: F64

    @classmethod
    def fit(cls, x: NDArray[np.floating]) -> Standardizer:
        a = np.asarray(x, np.float64)
        if a.ndim != 2 or a.shape[0] == 0:
            raise ValueError("standardising needs a non-empty 2-D block")
        mean = np.sum(a, axis=0) / a.shape[0]
        var = np.sum((a - mean) ** 2, axis=0) / a.shape[0]
        scale = np.sqrt(var)
        scale = np.where(scale > 1e-12, scale, 1.0)
        return cls(
            mean.astype(np.float32).astype(np.float64), scale.astype(np.float32).astype(np.float64)
        )

    def transform(self, x: NDArray[np.floating]) -> F64:
        out: F64 = (np.asarray(x, np.float64) - self.mean) / self.scale
        return out
