"""Metrics (precision, recall, F1, accuracy, confusion, per language) and threshold choice.

Thresholds are chosen on the validation split only: the score that maximises F1, or the one
with the highest recall whose precision reaches a floor. Figures are rounded to four decimals
so that manifests are stable text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray


def _r(x: float) -> float:
    return round(float(x), 4)


def binary_metrics(
    truth: Sequence[bool] | NDArray[Any], pred: Sequence[bool] | NDArray[Any]
) -> dict[str, Any]:
    """Precision, recall, F1 and accuracy of ``pred`` against ``truth`` (the positive class)."""
    t = np.asarray(truth, bool)
    p = np.asarray(pred, bool)
    tp = int(np.sum(t & p))
    fp = int(np.sum(~t & p))
    fn = int(np.sum(t & ~p))
    tn = int(np.sum(~t & ~p))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    n = tp + fp + fn + tn
    return {
        "precision": _r(precision),
        "recall": _r(recall),
        "f1": _r(f1),
        "accuracy": _r((tp + tn) / n) if n else 1.0,
        "support": tp + fn,
        "items": n,
        "confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
    }


def multiclass_metrics(
    truth: Sequence[int] | NDArray[Any], pred: Sequence[int] | NDArray[Any], classes: Sequence[str]
) -> dict[str, Any]:
    """Accuracy, macro F1, per-class precision/recall/F1/support and the confusion matrix
    (rows: true class, columns: predicted class, in the order of ``classes``)."""
    t = np.asarray(truth, np.int64)
    p = np.asarray(pred, np.int64)
    k = len(classes)
    confusion = np.zeros((k, k), np.int64)
    np.add.at(confusion, (t, p), 1)
    per_class: dict[str, dict[str, Any]] = {}
    f1s: list[float] = []
    for i, name in enumerate(classes):
        m = binary_metrics(t == i, p == i)
        per_class[name] = {key: m[key] for key in ("precision", "recall", "f1", "support")}
        if m["support"]:
            f1s.append(m["f1"])
    n = int(t.size)
    return {
        "accuracy": _r(np.sum(t == p) / n) if n else 1.0,
        "macro_f1": _r(sum(f1s) / len(f1s)) if f1s else 0.0,
        "items": n,
        "per_class": per_class,
        "confusion": confusion.tolist(),
    }


def by_group(
    groups: Sequence[str], indices: dict[str, list[int]] | None = None
) -> dict[str, list[int]]:
    """Row indices of each group value (e.g. each language), groups sorted."""
    out: dict[str, list[int]] = dict(indices or {})
    for i, g in enumerate(groups):
        out.setdefault(g, []).append(i)
    return dict(sorted(out.items()))


@dataclass(frozen=True)
class ThresholdRule:
    """``max_f1``, or ``recall_at_precision`` with a ``precision_floor``."""

    kind: Literal["max_f1", "recall_at_precision"] = "max_f1"
    precision_floor: float = 0.9

    def to_json(self) -> dict[str, Any]:
        if self.kind == "max_f1":
            return {"kind": self.kind}
        return {"kind": self.kind, "precision_floor": self.precision_floor}


def choose_threshold(
    truth: Sequence[bool] | NDArray[Any],
    scores: Sequence[float] | NDArray[Any],
    rule: ThresholdRule = ThresholdRule(),
) -> tuple[float, dict[str, Any]]:
    """The threshold (a score is positive when ``>=`` it) chosen by ``rule`` on these scores,
    and how it was met. Cut points lie half-way between consecutive distinct scores; ties
    go to the higher threshold (the more precise choice)."""
    t = np.asarray(truth, bool)
    s = np.asarray(scores, np.float64)
    if s.size == 0 or not t.any():
        return 0.5, {"rule": rule.to_json(), "met": False, "note": "no positive item to tune on"}
    distinct = np.unique(s)[::-1]  # high to low
    cuts = np.concatenate([[np.inf], (distinct[:-1] + distinct[1:]) / 2.0, [-np.inf]])
    best: tuple[float, float, float] | None = None  # (objective, recall-or-f1 tie, cut)
    chosen = 0.5
    met = True
    fallback: tuple[float, float] | None = None  # (precision, cut) when the floor is never met
    for cut in cuts[1:]:  # every cut that predicts at least one positive
        pred = s >= cut
        tp = float(np.sum(t & pred))
        fp = float(np.sum(~t & pred))
        fn = float(np.sum(t & ~pred))
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if rule.kind == "max_f1":
            key = (f1, 0.0, float(cut))
        else:
            if precision < rule.precision_floor:
                if fallback is None or precision > fallback[0]:
                    fallback = (precision, float(cut))
                continue
            key = (recall, f1, float(cut))
        if best is None or key[:2] > best[:2]:
            best = key
    if best is not None:
        chosen = best[2]
    elif fallback is not None:
        chosen, met = fallback[1], False
    if not np.isfinite(chosen):
        chosen = float(distinct[-1])
    return chosen, {"rule": rule.to_json(), "met": met}
