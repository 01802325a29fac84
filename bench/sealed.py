"""Measure detection on a sealed set and print aggregate figures only (issue 7, item 8).

A sealed set is written apart from the detection work and never read by whoever works on
detection: this script runs :func:`alerts.evaluate.evaluate_items` on it and prints the
relevance, alert, type and novelty figures, the event replay's counts and each language's alert
recall, never an item, an id or a miss. Sealed sets are kept gzip-compressed under
``bench/sealed/`` so that they survive with the repository without being read by accident; a
set that has informed a decision is spent and moves into ``alerts/detection/corpus/``.

    .venv/bin/python bench/sealed.py bench/sealed/F.jsonl.gz [--label before] [--log FILE]

``--log`` appends the figures as one JSON line with the label, the model set and the commit.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alerts.errors import EvaluationError
from alerts.evaluate import evaluate_items, load_items


def read_sealed(path: Path) -> str:
    """The set's JSON Lines text (plain or gzip-compressed)."""
    data = path.read_bytes()
    return (gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).decode("utf-8")


def aggregates(path: Path) -> dict[str, Any]:
    """The set's figures without its misses."""
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "sealed.jsonl"
        plain.write_text(read_sealed(path), encoding="utf-8")
        report = evaluate_items(load_items(plain)).to_dict()
    report.pop("misses", None)
    return report


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).resolve().parents[1],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return "unknown"
    return out.stdout.strip() or "unknown"


def format_aggregates(figures: dict[str, Any]) -> str:
    rel, alert, ev = figures["relevance"], figures["alert"], figures["events"]
    lines = [
        f"items {figures['items']}  model {figures.get('model') or 'none'}",
        "relevance P {precision:.3f} R {recall:.3f} F1 {f1:.3f}".format(**rel),
        "alert     P {precision:.3f} R {recall:.3f} F1 {f1:.3f}".format(**alert),
        f"event type {figures['event_type_accuracy']:.3f}  novelty {figures['novelty_accuracy']:.3f}"
        f"  quantity exact {figures['quantity_exact']:.3f}",
        "events " + "  ".join(f"{k} {v}" for k, v in sorted(ev.items())),
        "alert recall by language (support):",
    ]
    for lang, scores in sorted(figures["by_language"].items()):
        a = scores.get("alert", {})
        r = scores.get("relevance", {})
        lines.append(
            f"  {lang}  {a.get('recall', 0.0):.2f} ({int(a.get('support', 0))})"
            f"  precision {a.get('precision', 0.0):.2f}  relevance F1 {r.get('f1', 0.0):.2f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--label", default="")
    parser.add_argument("--log", type=Path, default=None)
    args = parser.parse_args(argv)
    try:
        figures = aggregates(args.path)
    except (OSError, EvaluationError, UnicodeDecodeError, gzip.BadGzipFile) as exc:
        print(f"bench/sealed.py: cannot measure {args.path}: {exc}", file=sys.stderr)
        return 2
    print(format_aggregates(figures))
    if args.log is not None:
        row = {"label": args.label, "set": args.path.name, "commit": _commit(), **figures}
        with args.log.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
