"""Article identity on real databases: near-duplicate copies (MinHash + LSH bands in SQL), wire
credits, versions of edited articles, copies in the analysis, and retention."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dedup_texts import FOLLOW_UP_NEW, OTHER_STORY, WIRE_STORY
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from flows.pipeline import analyse_pending
from storage.articles import (
    NewArticle,
    article_versions,
    insert_new_articles,
    insert_new_items,
    store_articles,
    unchanged_guid_hashes,
)
from storage.dedup import fingerprint, is_copy, similarity
from storage.engine import create_db_engine, create_session_factory, session_scope
from storage.feeds import FeedSource, sync_feeds
from storage.migrate import upgrade_database
from storage.models import Alert, Article, ArticleBand, ArticleSignature, EventArticle
from storage.retention import prune_articles
from storage.wires import detect_wires, wire_of

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
TITLE = "North Korea sends a second group of sappers to Kursk, Seoul says"
PARAGRAPHS = WIRE_STORY.split("\n")
# A wire copy as a second outlet runs it: one sentence reworded, the figure read differently,
# the credit added.
LIGHT_COPY = (
    WIRE_STORY.replace(
        "told lawmakers in Seoul on Thursday", "said on Thursday in a briefing to parliament"
    ).replace("about 1,000 military engineers", "6,000 sappers")
    + "\n(With AFP)"
)
FOLLOW_UP = "\n".join(PARAGRAPHS[:3]) + "\n" + FOLLOW_UP_NEW


def feeds(session: Session, n: int = 3) -> list[int]:
    return sync_feeds(
        session, [FeedSource(f"Feed {i}", f"http://feed{i}.test/rss") for i in range(n)], NOW
    )


def item(feed_id: int, guid: str, body: str, title: str = TITLE, **extra: object) -> NewArticle:
    return NewArticle(
        feed_id=feed_id,
        guid=guid,
        url=f"https://feed{feed_id}.test/{guid}",
        canonical_url=f"https://feed{feed_id}.test/{guid}",
        title=title,
        summary=body[:200],
        published_at=NOW,
        language="en",
        body=body,
        body_status="full",
        **extra,  # type: ignore[arg-type]
    )


# --- wire credits ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "author", "expected"),
    [
        ("SEOUL, Dec. 4 (Yonhap) -- North Korea sent troops.", None, ["Yonhap"]),
        ("Pyongyang a envoyé des troupes à Koursk.\n(Avec AFP)", None, ["AFP"]),
        ("Le Monde avec AFP\nPyongyang a envoyé des troupes.", None, ["AFP"]),
        ("МОСКВА, 4 декабря /ТАСС/. Переговоры продолжились.", None, ["TASS"]),
        ("(서울=연합뉴스) 홍길동 기자 = 북한이 병력을 보냈다.", None, ["Yonhap"]),
        ("Truppen wurden verlegt.\n(mit dpa und Reuters)", None, ["dpa", "Reuters"]),
        ("Las tropas llegaron. (EFE)", None, ["EFE"]),
        ("Troops moved, officials said. — Reuters", None, ["Reuters"]),
        ("Text of the story.", "By Jane Roe, Associated Press", ["AP"]),
        ("КИЕВ. /Укринформ/. Текст.", None, ["Ukrinform"]),
        # citations and photo credits are not credits
        ("Reuters reported that the troops had left.", None, []),
        ("An official told AFP the talks were over.", None, []),
        ("The talks went on. (AP Photo/John Doe)", None, []),
        ("Sappers moved north in April (about 1,000 of them).", None, []),
    ],
)
def test_wire_credits_are_read_from_credit_positions_only(
    text: str, author: str | None, expected: list[str]
) -> None:
    assert detect_wires(text, author) == expected


def test_wire_column_joins_the_credits_of_summary_byline_and_text() -> None:
    assert wire_of(("(Reuters) - Troops moved.", "Le Figaro avec AFP\nText."), None) == (
        "Reuters,AFP"
    )
    assert wire_of(("No credit here.", ""), None) is None


# --- similarity -----------------------------------------------------------------------------


def _sim(a: str, b: str, *, exact: bool = True) -> tuple[float, bool]:
    fa, fb = fingerprint(b), fingerprint(a)
    assert fa is not None and fb is not None
    sim = similarity(fa, fb.signature, fb.shingles if exact else None, len(fb.shingles))
    return sim.jaccard, is_copy(sim)


@pytest.mark.parametrize("exact", [True, False])
def test_copies_and_their_look_alikes(exact: bool) -> None:
    assert _sim(WIRE_STORY, LIGHT_COPY, exact=exact)[1]
    assert _sim(WIRE_STORY, "\n".join(PARAGRAPHS[:5]), exact=exact)[1]  # truncated
    assert not _sim(WIRE_STORY, FOLLOW_UP, exact=exact)[1]  # reuses 3 paragraphs, reports more
    assert not _sim(WIRE_STORY, OTHER_STORY, exact=exact)[1]
    assert fingerprint("Too short to compare.") is None


# --- copies in the store --------------------------------------------------------------------


def test_an_edited_wire_copy_is_linked_to_the_first_copy(session: Session) -> None:
    a, b, c = feeds(session)
    first = store_articles(session, [item(a, "o", WIRE_STORY)], NOW)
    later = store_articles(
        session,
        [
            item(b, "c1", LIGHT_COPY, title=TITLE + " (AFP)"),
            item(c, "f1", FOLLOW_UP),
            item(c, "x1", OTHER_STORY, title="Vladivostok–Pyongyang flights from spring"),
        ],
        NOW,
    )
    session.commit()
    (original,) = first.new_ids
    copy_id, follow_id, other_id = later.new_ids
    assert later.copies == {copy_id: original}
    rows = {a.id: a for a in session.scalars(select(Article))}
    assert rows[copy_id].copy_of_id == original
    assert rows[copy_id].wire == "AFP"
    assert rows[follow_id].copy_of_id is None and rows[other_id].copy_of_id is None
    # a copy of the copy, in a later pass, links to the first copy too
    again = store_articles(session, [item(c, "c2", LIGHT_COPY + "\nUpdated at 10:00.")], NOW)
    assert again.copies == {again.new_ids[0]: original}
    bands = session.scalar(
        select(func.count()).select_from(ArticleBand).where(ArticleBand.article_id == original)
    )
    assert bands == 40


def test_an_entry_the_gate_turned_down_is_not_fingerprinted(session: Session) -> None:
    a, b, _ = feeds(session)
    report = store_articles(
        session,
        [item(a, "o", WIRE_STORY, fingerprint=False), item(b, "c", LIGHT_COPY)],
        NOW,
    )
    session.commit()
    skipped, printed = report.new_ids
    assert report.copies == {}  # the copy has no fingerprinted original to link to
    signed = set(session.scalars(select(ArticleSignature.article_id)))
    assert skipped not in signed and printed in signed


def test_copies_in_one_batch_link_to_the_lowest_id(session: Session) -> None:
    a, b, c = feeds(session)
    report = store_articles(
        session,
        [item(a, "o", WIRE_STORY), item(b, "c", LIGHT_COPY), item(c, "t", WIRE_STORY + " (AP)")],
        NOW,
    )
    first, *rest = report.new_ids
    assert report.copies == {i: first for i in rest}
    assert [(i, it.guid) for i, it in report.new_items] == list(
        zip(report.new_ids, ["o", "c", "t"], strict=True)
    )
    pairs = insert_new_items(session, [item(a, "o", WIRE_STORY), item(a, "n", OTHER_STORY)], NOW)
    assert [(it.guid, i > report.new_ids[-1]) for i, it in pairs] == [("n", True)]


# --- versions -------------------------------------------------------------------------------


def test_an_edited_entry_is_a_new_version_not_a_new_article(session: Session) -> None:
    (a,) = feeds(session, 1)
    (article_id,) = insert_new_articles(session, [item(a, "g", WIRE_STORY)], NOW)
    session.execute(update(Article).values(analysed_at=NOW))
    assert unchanged_guid_hashes(session, a, [("g", TITLE, WIRE_STORY[:200])]) != set()
    edited = WIRE_STORY.replace("on Thursday", "on Thursday afternoon")
    assert unchanged_guid_hashes(session, a, [("g", TITLE, edited[:199])]) == set()
    later = NOW + timedelta(hours=2)
    report = store_articles(session, [item(a, "g", edited, title=TITLE + ": update")], later)
    session.commit()
    assert report.new_ids == [] and report.revised_ids == [article_id]
    article = session.get(Article, article_id)
    assert article is not None
    assert article.body == edited and article.version == 2 and article.analysed_at is None
    versions = article_versions(session, article_id)
    assert [(v.version, v.changed) for v in versions] == [(1, []), (2, ["title", "text"])]
    assert versions[1].seen_at == later and versions[0].content_hash != versions[1].content_hash
    # the first text again (a feed alternating) is neither an edit nor a new article
    back = store_articles(session, [item(a, "g", WIRE_STORY)], later)
    assert back.new_ids == [] and back.revised_ids == []
    assert session.scalar(select(func.count()).select_from(Article)) == 1


# --- copies in the analysis -----------------------------------------------------------------


def test_a_copy_inherits_the_events_of_its_original_and_never_alerts(
    session_factory: sessionmaker[Session],
) -> None:
    now = datetime.now(UTC)
    with session_scope(session_factory) as session:
        a, b, _ = feeds(session)
        session.execute(update(Article).values(analysed_at=now))
        # something analysed before: not a first pass, alerts are not held back
        insert_new_articles(session, [item(a, "old", OTHER_STORY, title="Flights")], now)
        session.execute(update(Article).values(analysed_at=now))
    with session_scope(session_factory) as session:
        (original,) = insert_new_articles(session, [item(a, "o", WIRE_STORY)], now)
    first = analyse_pending(session_factory, now, 72)
    assert first.alerts_enqueued == 1
    with session_scope(session_factory) as session:
        (copy_id,) = insert_new_articles(session, [item(b, "c", LIGHT_COPY)], now)
    second = analyse_pending(session_factory, now, 72)
    assert second.articles == 1 and second.events_new == 0 and second.alerts_enqueued == 0
    with session_scope(session_factory) as session:
        links = session.execute(select(EventArticle.article_id, EventArticle.role)).all()
        assert sorted(links) == [(original, "origin"), (copy_id, "copy")]
        assert session.scalar(select(func.count()).select_from(Alert)) == 1


# --- retention ------------------------------------------------------------------------------


def test_prune_keeps_keys_and_signatures_so_nothing_comes_back(session: Session) -> None:
    a, b, _ = feeds(session)
    (old,) = insert_new_articles(session, [item(a, "o", WIRE_STORY)], NOW - timedelta(days=200))
    (recent,) = insert_new_articles(session, [item(a, "x", OTHER_STORY, title="Flights")], NOW)
    session.execute(update(Article).values(analysed_at=NOW))
    dry = prune_articles(session, NOW - timedelta(days=90), apply=False, now=NOW)
    assert (dry.articles, dry.shingle_sets, dry.applied) == (1, 1, False)
    assert session.get(Article, old).body == WIRE_STORY  # type: ignore[union-attr]
    done = prune_articles(session, NOW - timedelta(days=90), apply=True, now=NOW)
    session.commit()
    assert done.articles == 1
    pruned = session.get(Article, old)
    assert pruned is not None and pruned.body is None and pruned.summary == ""
    assert pruned.title == TITLE and pruned.pruned_at == NOW
    signature = session.get(ArticleSignature, old)
    assert signature is not None and signature.shingles is None and signature.signature
    assert session.get(Article, recent).body == OTHER_STORY  # type: ignore[union-attr]
    # the same entry again is not new; an edited copy is still linked, from the signature
    assert insert_new_articles(session, [item(a, "o", WIRE_STORY)], NOW) == []
    report = store_articles(session, [item(b, "c", LIGHT_COPY)], NOW)
    assert report.copies == {report.new_ids[0]: old}
    assert prune_articles(session, NOW - timedelta(days=90), apply=True, now=NOW).articles == 0


def test_db_prune_command_is_a_dry_run_unless_yes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'prune.sqlite3'}"
    engine = create_db_engine(url)
    upgrade_database(engine)
    factory = create_session_factory(engine)
    with session_scope(factory) as session:
        (a,) = feeds(session, 1)
        insert_new_articles(session, [item(a, "o", WIRE_STORY)], NOW - timedelta(days=400))
        session.execute(update(Article).values(analysed_at=NOW))
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUDPRK_")}
    env["RUDPRK_DATABASE_URL"] = url

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "flows", "db", "prune", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )

    dry = run("--older-than", "90d")
    assert dry.returncode == 0, dry.stderr
    assert "would prune 1 articles" in dry.stdout and "--yes" in dry.stdout
    done = run("--older-than", "90d", "--yes")
    assert done.returncode == 0 and "pruned 1 articles" in done.stdout
    bad = run("--older-than", "ninety days")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.strip().startswith("rudprk: error: --older-than")
    with session_scope(factory) as session:
        assert session.scalar(select(Article.body)) is None
    engine.dispose()


def test_an_edit_alerts_again_only_when_the_detected_event_changes(
    session_factory: sessionmaker[Session],
) -> None:
    now = datetime.now(UTC)
    with session_scope(session_factory) as session:
        (a,) = feeds(session, 1)
        insert_new_articles(session, [item(a, "old", OTHER_STORY, title="Flights")], now)
        session.execute(update(Article).values(analysed_at=now))
        (article_id,) = insert_new_articles(session, [item(a, "g", WIRE_STORY)], now)
    assert analyse_pending(session_factory, now, 72).alerts_enqueued == 1
    # a sentence reworded: a new version, analysed again, no alert
    reworded = WIRE_STORY.replace("Moscow has not commented", "The Kremlin has not commented")
    with session_scope(session_factory) as session:
        assert store_articles(session, [item(a, "g", reworded)], now).revised_ids == [article_id]
    again = analyse_pending(session_factory, now, 72)
    assert again.articles == 1 and again.events_new == 0 and again.alerts_enqueued == 0
    # the figure revised threefold: the event changed, an update alert
    revised = reworded.replace("about 1,000 military engineers", "about 3,000 military engineers")
    with session_scope(session_factory) as session:
        assert store_articles(session, [item(a, "g", revised)], now).revised_ids == [article_id]
    third = analyse_pending(session_factory, now, 72)
    assert third.events_new == 0 and third.alerts_enqueued == 1
    with session_scope(session_factory) as session:
        kinds = sorted(session.scalars(select(Alert.kind)))
        assert kinds == ["new", "update"]
        assert [v.version for v in article_versions(session, article_id)] == [1, 2, 3]


def test_a_bad_wire_table_is_one_clear_error(tmp_path: Path) -> None:
    from storage.wires import WireDataError, load_wire_table

    bad = tmp_path / "wires.toml"
    bad.write_text('[wires.A]\nforms = ["X"]\n[wires.B]\nforms = ["X"]\n', "utf-8")
    with pytest.raises(WireDataError, match="form 'X' belongs to two wires"):
        load_wire_table(bad)
    bad.write_text("[wires.A]\nforms = [", "utf-8")
    with pytest.raises(WireDataError, match=r"wires\.toml"):
        load_wire_table(bad)
    good = tmp_path / "good.toml"
    good.write_text('[wires.NEWS1]\nforms = ["News One"]\n', "utf-8")
    assert detect_wires("Text. (News One)", table=load_wire_table(good)) == ["NEWS1"]
