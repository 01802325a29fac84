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
  (simplemma, pymorphy3, Korean's suffix table — what a pass reading all fourteen languages
  holds); ``lemmatisers, full``: the same with ``RUDPRK_MORPHOLOGY=full`` (kiwipiepy itself);
* ``demo pass``: ``rudprk demo --fresh`` in an empty data folder — loopback feeds, article
  pages, detection, events and delivery to the loopback SMTP server, on SQLite;
* ``pass with Korean candidates``: the same demo with one more feed, in Korean, whose entries
  are the first :data:`KOREAN_STORIES` relevant Korean items of the corpus (title, text): the
  pass reads Korean candidates, so it loads Korean's lemmatiser (the child fails when it did
  not); ``… , full``: the same with ``RUDPRK_MORPHOLOGY=full``.

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
KOREAN_STORIES = 12

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
    lemmatiser = lemmatiser_for(lexicon.morphology, lexicon.code, lexicon.morphology_full)
    if lemmatiser is not None:
        lemmatiser.lemmas("words", [(0, 5)], ["words"])
"""

# The demo with a Korean feed: its entries are relevant Korean items of the corpus.
_KOREAN_PASS = """
import json, sys
from pathlib import Path
import flows.samples as samples
from alerts.detection import morphology
from alerts.detection.corpus import corpus_files

items = []
for path in corpus_files():
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line) if line.strip() else {{}}
        if item.get("lang") == "ko" and item.get("relevant") and item.get("title"):
            items.append(item)
items = items[:{count}]
bundled = samples.load_samples

def with_korean():
    feeds, stories = bundled()
    feeds.append(samples.SampleFeed("hanguk", "데모 국제 뉴스", "rss", "ko"))
    for i, item in enumerate(items):
        stories.append(samples.SampleStory(
            id=f"ko-{{i}}", feed="hanguk", hours_ago=1 + i / 10, expect="alert",
            event=str(item.get("event_type")), title=item["title"], summary=item["text"],
            body=(item["text"],),
        ))
    return feeds, stories

samples.load_samples = with_korean
from flows.cli import main
sys.argv = ["rudprk", "demo", "--fresh"]
try:
    main()
except SystemExit as exc:
    if exc.code:
        raise
if not any(code == "ko" and lem is not None for (_, code), lem in morphology._loaded.items()):
    raise SystemExit("the pass read no Korean text")
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
    full = {**env, "RUDPRK_MORPHOLOGY": "full"}
    results["lemmatisers"] = _peak_mb([py, "-c", _LEMMATISERS], env, ROOT)
    results["lemmatisers, full"] = _peak_mb([py, "-c", _LEMMATISERS], full, ROOT)
    korean = _KOREAN_PASS.format(count=KOREAN_STORIES)
    for name, base, argv in [
        ("demo pass", env, [_rudprk(), "demo", "--fresh"]),
        ("pass with Korean candidates", env, [py, "-c", korean]),
        ("pass with Korean candidates, full", full, [py, "-c", korean]),
    ]:
        with tempfile.TemporaryDirectory(prefix="rudprk-memory-") as tmp:
            demo_env = {**base, "RUDPRK_DATA_DIR": tmp}
            demo_env.pop("RUDPRK_DATABASE_URL", None)
            results[name] = _peak_mb(argv, demo_env, Path(tmp))

    added = results["models"] - results["import"]
    w = 36
    print(f"{'process':<{w}}{'peak RSS MB':>12}")
    for name, mb in results.items():
        print(f"{name:<{w}}{mb:>12.1f}")
    print(f"{'models add':<{w}}{added:>12.1f}   target < {MODELS_TARGET_MB:.0f}")
    lemmas = results["lemmatisers"] - results["import"]
    print(f"{'+ lemmatisers':<{w}}{lemmas:>12.1f}   target < {MODELS_TARGET_MB:.0f}")
    for name in ("demo pass", "pass with Korean candidates"):
        print(f"{name + ' peak':<{w}}{results[name]:>12.1f}   target < {PASS_TARGET_MB:.0f}")
    print(f"load average (1 min) {os.getloadavg()[0]:.2f}")
    if args.json:
        summary = {**results, "models_added": added}
        print(json.dumps({k: round(v, 1) for k, v in summary.items()}))


if __name__ == "__main__":
    main()
