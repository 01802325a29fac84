"""Memory benchmark: peak resident memory of the pipeline's processes, each measured alone.

    .venv/bin/python bench/memory.py [--articles 200] [--json]

Each measurement runs in a fresh child process and reads the child's peak RSS from the kernel
(``wait4``'s ``ru_maxrss``), so one measurement never inherits another's pages:

* ``import``: ``import flows.pipeline`` (settings, storage, detection code, the language
  identifier);
* ``models``: the same, then one candidate article through ``detect_article`` — the learned
  heads and the e5 embedder are loaded on first use;
* ``detect N``: N generated candidate articles (about 800 words each) in a row, to show the
  peak does not grow with the number of articles;
* ``lemmatisers``: the same as ``models``, then every language's lemmatiser loaded
  (simplemma, pymorphy3, kiwipiepy — what a pass reading all fourteen languages holds);
* ``demo pass``: ``rudprk demo --fresh`` in an empty data folder — loopback feeds, article
  pages, detection, events and delivery to the loopback SMTP server, on SQLite.

Targets (issues 7 and 13): the models add < 300 MB (``models`` − ``import``); a pass stays
under 400 MB peak.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MODELS_TARGET_MB = 300.0
PASS_TARGET_MB = 400.0

_IMPORT = "import flows.pipeline"

_DETECT = """
import random, sys
sys.path.insert(0, {bench!r})
import flows.pipeline
from alerts.detect import detect_article
from detect import SENTENCES, make_article
rng = random.Random(7)
langs = sorted(SENTENCES)
for i in range({count}):
    lang = langs[i % len(langs)]
    detect_article(make_article(rng, lang, 800), title="", lang=lang, published=None)
"""

_LEMMATISERS = """
import flows.pipeline
from alerts.detect import detect_article
from alerts.detection.lexicon import default_lexicons
from alerts.detection.morphology import lemmatiser_for
detect_article("Pyongyang a envoyé des troupes.", title="", lang="fr", published=None)
for lang, lexicon in sorted(default_lexicons().languages.items()):
    lemmatiser = lemmatiser_for(lexicon.morphology, lexicon.code)
    if lemmatiser is not None:
        lemmatiser.lemmas("words", [(0, 5)], ["words"])
"""


def _peak_mb(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    """Run ``argv`` to completion and return its peak RSS in MB (exit status checked)."""
    proc = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        tail = stderr.strip().splitlines()[-1:] or ["(no output)"]
        raise SystemExit(f"bench/memory.py: {' '.join(argv[:3])}… exited {code}: {tail[0]}")
    return usage.ru_maxrss / 1024.0  # Linux reports kilobytes


def _rudprk() -> str:
    candidate = Path(sys.executable).with_name("rudprk")
    return str(candidate) if candidate.exists() else "rudprk"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200, help="articles in the detect run")
    parser.add_argument("--json", action="store_true", help="print a JSON summary as well")
    args = parser.parse_args()

    env = dict(os.environ)
    env.setdefault("DO_NOT_TRACK", "1")
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    py = sys.executable
    bench = str(ROOT / "bench")

    results: dict[str, float] = {}
    results["import"] = _peak_mb([py, "-c", _IMPORT], env, ROOT)
    results["models"] = _peak_mb([py, "-c", _DETECT.format(bench=bench, count=1)], env, ROOT)
    results[f"detect {args.articles}"] = _peak_mb(
        [py, "-c", _DETECT.format(bench=bench, count=args.articles)], env, ROOT
    )
    results["lemmatisers"] = _peak_mb([py, "-c", _LEMMATISERS], env, ROOT)
    with tempfile.TemporaryDirectory(prefix="rudprk-memory-") as tmp:
        demo_env = {**env, "RUDPRK_DATA_DIR": tmp}
        demo_env.pop("RUDPRK_DATABASE_URL", None)
        results["demo pass"] = _peak_mb([_rudprk(), "demo", "--fresh"], demo_env, Path(tmp))

    added = results["models"] - results["import"]
    print(f"{'process':<16}{'peak RSS MB':>12}")
    for name, mb in results.items():
        print(f"{name:<16}{mb:>12.1f}")
    print(f"{'models add':<16}{added:>12.1f}   target < {MODELS_TARGET_MB:.0f}")
    lemmas = results["lemmatisers"] - results["import"]
    print(f"{'+ lemmatisers':<16}{lemmas:>12.1f}   target < {MODELS_TARGET_MB:.0f}")
    print(f"{'pass peak':<16}{results['demo pass']:>12.1f}   target < {PASS_TARGET_MB:.0f}")
    if args.json:
        summary = {**results, "models_added": added}
        print(json.dumps({k: round(v, 1) for k, v in summary.items()}))


if __name__ == "__main__":
    main()
