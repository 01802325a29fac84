"""Events and their updates end to end: loopback HTTP feeds → store → loopback SMTP.

A ratification of a known instrument after its signing is an ``update`` alert threaded under
the signing's alert (In-Reply-To, References); a repeat report brings nothing; the event's
history records the stage change. Plus the record's columns and blocking in SQL.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.detect import detect_article
from alerts.matching import same_event, signature_of_detected, signature_of_stored
from alerts.novelty import blocking_of, find_matching_event, register_events
from flows.demo import LoopbackSMTP
from flows.loopback import Document, LoopbackServer
from flows.pipeline import run_pass
from flows.settings import Settings, load_settings
from storage.articles import NewArticle, insert_new_articles
from storage.engine import create_db_engine, create_session_factory
from storage.events import candidate_events, event_history
from storage.models import Alert, Event, Feed

SIGNED = (
    "Putin and Kim sign strategic partnership treaty",
    "Russian President Vladimir Putin and North Korean leader Kim Jong Un signed the "
    "Comprehensive Strategic Partnership Treaty in Pyongyang on Wednesday, state media said. "
    "The two leaders promised each other help in case of aggression.",
)
SIGNED_AGAIN = (
    "Russia and North Korea seal partnership pact",
    "Vladimir Putin and Kim Jong Un signed a Comprehensive Strategic Partnership Treaty during "
    "the Russian leader's visit to Pyongyang, the Kremlin said. Officials described the accord "
    "as a new stage in relations.",
)
RATIFIED = (
    "Russia ratifies partnership treaty with North Korea",
    "Russia's State Duma on Thursday ratified the Comprehensive Strategic Partnership Treaty "
    "with North Korea, the parliament said. Deputies voted unanimously for the law.",
)
RATIFIED_AGAIN = (
    "Duma approves North Korea treaty",
    "Russian lawmakers ratified the Comprehensive Strategic Partnership Treaty with North Korea "
    "on Thursday, the State Duma said in a statement on its website.",
)


def _rss(base: str, slug: str, items: list[tuple[str, str, datetime]]) -> bytes:
    entries = "".join(
        f"<item><title>{escape(title)}</title><link>{base}/{slug}/{i}.html</link>"
        f"<guid>{base}/{slug}/{i}.html</guid><description>{escape(text)}</description>"
        f"<pubDate>{format_datetime(when)}</pubDate></item>"
        for i, (title, text, when) in enumerate(items)
    )
    return (
        f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>{slug}</title>"
        f"<link>{base}/</link><description>{slug}</description>{entries}</channel></rss>"
    ).encode()


def _documents(base: str, feeds: dict[str, list[tuple[str, str, datetime]]]) -> dict[str, Document]:
    docs = {"/robots.txt": Document(b"User-agent: *\nAllow: /\n", "text/plain")}
    for slug, items in feeds.items():
        docs[f"/{slug}.xml"] = Document(_rss(base, slug, items))
        for i, (title, text, _when) in enumerate(items):
            page = (
                f"<!DOCTYPE html><html><head><title>{escape(title)}</title></head><body>"
                f"<article><h1>{escape(title)}</h1><p>{escape(text)}</p></article></body></html>"
            )
            docs[f"/{slug}/{i}.html"] = Document(page.encode(), "text/html; charset=utf-8")
    return docs


def _settings(tmp_path: Path, db_url: str, base: str, port: int) -> Settings:
    sources = tmp_path / "sources.toml"
    sources.write_text(
        "".join(
            f'[[feeds]]\nname = "{slug}"\nurl = "{base}/{slug}.xml"\nlanguage = "en"\n\n'
            for slug in ("wire", "daily")
        ),
        encoding="utf-8",
    )
    return replace(
        load_settings({}, cwd=tmp_path),
        database_url=db_url,
        sources_path=sources,
        smtp_host="127.0.0.1",
        smtp_port=port,
        alert_to=("analysts@example.org",),
        timeout_seconds=10.0,
    )


def test_a_ratification_after_the_signing_is_an_update_in_the_same_thread(
    tmp_path: Path, db_url: str
) -> None:
    now = datetime.now(UTC)
    signed_at, ratified_at = now - timedelta(hours=3), now - timedelta(hours=1)
    feeds: dict[str, list[tuple[str, str, datetime]]] = {
        "wire": [(*SIGNED, signed_at)],
        "daily": [],
    }
    with LoopbackServer({}) as server, LoopbackSMTP() as smtp:
        server.set_documents(_documents(server.base_url, feeds))
        settings = _settings(tmp_path, db_url, server.base_url, smtp.port)
        run_pass(settings)
        assert len(smtp.messages) == 1
        first = smtp.messages[0]
        assert first["X-Rudprk-Alert-Kind"] == "new"
        assert first["In-Reply-To"] is None

        # Another outlet repeats the signing, the wire reports the ratification.
        feeds["daily"] = [(*SIGNED_AGAIN, signed_at + timedelta(minutes=30))]
        feeds["wire"] = [(*SIGNED, signed_at), (*RATIFIED, ratified_at)]
        server.set_documents(_documents(server.base_url, feeds))
        run_pass(settings, force=True)
        assert len(smtp.messages) == 2
        update = smtp.messages[1]
        assert update["X-Rudprk-Alert-Kind"] == "update"
        assert update["In-Reply-To"] == first["Message-ID"]
        assert first["Message-ID"] in update["References"]

        # A repeat of the ratification elsewhere brings nothing.
        feeds["daily"].append((*RATIFIED_AGAIN, ratified_at + timedelta(minutes=20)))
        server.set_documents(_documents(server.base_url, feeds))
        run_pass(settings, force=True)
        assert len(smtp.messages) == 2

    engine = create_db_engine(db_url)
    try:
        with create_session_factory(engine)() as session:
            events = list(session.scalars(select(Event).order_by(Event.id)))
            assert [(e.instrument, e.stage) for e in events] == [
                ("csp-treaty-2024", "signature"),
                ("csp-treaty-2024", "ratification"),
            ]
            signing, ratification = events
            assert ratification.parent_event_id == signing.id
            assert signing.first_published_at is not None
            assert signing.first_seen_at > signing.first_published_at  # seen after published
            history = event_history(session, signing.id)
            assert [h.changes for h in history] == [
                [{"field": "stage", "before": "signature", "after": "ratification"}]
            ]
            kinds = sorted(session.scalars(select(Alert.kind)))
            assert kinds == ["new", "update"]
    finally:
        engine.dispose()


def _article(session: Session, guid: str) -> int:
    feed = session.scalar(select(Feed).where(Feed.url == "https://example.org/feed"))
    if feed is None:
        moment = datetime(2026, 1, 1, tzinfo=UTC)
        feed = Feed(url="https://example.org/feed", name="Example", created_at=moment)
        session.add(feed)
        session.flush()
    item = NewArticle(
        feed_id=feed.id,
        guid=guid,
        url=f"https://example.org/{guid}",
        canonical_url=f"https://example.org/{guid}",
        title=guid,
        summary=guid,
        published_at=None,
    )
    (article_id,) = insert_new_articles(session, [item], datetime(2026, 1, 1, tzinfo=UTC))
    return article_id


def _detected(text: str, title: str, when: datetime):  # type: ignore[no-untyped-def]
    detection = detect_article(text, title=title, lang="en", published=when)
    assert detection.relevance.relevant and detection.events
    return detection


def test_a_revised_figure_is_an_update_a_repeat_is_not(
    session_factory: sessionmaker[Session],
) -> None:
    when = datetime(2026, 11, 2, 9, tzinfo=UTC)
    first = _detected(
        "North Korea has sent troops to Russia's Kursk region with a force of 10,000 to "
        "12,000 soldiers, South Korea's spy agency said on Monday.",
        "North Korea sends troops to Russia",
        when,
    )
    revised = _detected(
        "North Korea has sent 12,000 to 20,000 troops to Russia's Kursk region, South "
        "Korea's spy agency said on Tuesday.",
        "North Korean force in Russia larger than thought",
        when + timedelta(days=1),
    )
    with session_factory() as session:
        a1 = _article(session, "a1")
        a2 = _article(session, "a2")
        a3 = _article(session, "a3")
        (o1,) = register_events(session, a1, first, published_at=when, now=when)
        assert o1.is_new
        (o2,) = register_events(
            session, a2, revised, published_at=when + timedelta(days=1), now=when
        )
        assert not o2.is_new and o2.event_id == o1.event_id
        assert [c["field"] for c in o2.changes] == ["figure"]
        assert o2.changes[0]["before"] == [10000, 12000]
        assert o2.changes[0]["after"] == [12000, 20000]
        # the same revised report again (another outlet): a source, no change
        (o3,) = register_events(
            session, a3, revised, published_at=when + timedelta(days=1), now=when
        )
        assert o3.event_id == o1.event_id and o3.changes == ()
        stored = session.get(Event, o1.event_id)
        assert stored is not None
        assert (stored.figure_low, stored.figure_high) == (10000, 12000)  # what matching reads
        assert len(event_history(session, o1.event_id)) == 1
        session.commit()


def test_blocking_in_sql_keeps_every_event_the_decision_accepts(
    session_factory: sessionmaker[Session],
) -> None:
    """Candidates narrowed in SQL are a superset of what same_event accepts among all stored."""
    when = datetime(2026, 11, 2, 9, tzinfo=UTC)
    reports = [
        (
            "North Korea sends 3,000 troops to Kursk",
            "North Korea has sent 3,000 troops to "
            "Russia's Kursk region, South Korea's intelligence service said.",
        ),
        ("Russia ratifies partnership treaty with North Korea", RATIFIED[1]),
        ("Putin and Kim sign treaty", SIGNED[1]),
        (
            "Moscow-Pyongyang trains resume",
            "Direct passenger trains between Moscow and "
            "Pyongyang resumed on Monday, Russian Railways said.",
        ),
    ]
    with session_factory() as session:
        for i, (title, text) in enumerate(reports * 3):
            moment = when + timedelta(days=2 * i)
            article = _article(session, f"b{i}")
            register_events(
                session,
                article,
                _detected(text, title, moment),
                published_at=moment,
                now=moment,
                title=title,
            )
        every = list(session.scalars(select(Event)))
        for title, text in reports:
            moment = when + timedelta(days=5)
            for event in _detected(text, title, moment).events:
                sig = signature_of_detected(event, moment.date())
                since = moment - timedelta(days=60)
                block = blocking_of(sig, since)
                kept = {row.id for row in candidate_events(session, block)}
                accepted = {
                    e.id
                    for e in every
                    if e.event_type == sig.event_type
                    and (e.modality == "new" or sig.modality != "new")
                    and e.last_seen_at >= since
                    and same_event(sig, signature_of_stored(e))
                }
                assert accepted <= kept
                match = find_matching_event(session, sig, since)
                assert (match is None) == (not accepted)


def test_a_confirmation_of_an_unconfirmed_report_is_a_status_update_once(
    session_factory: sessionmaker[Session],
) -> None:
    when = datetime(2026, 11, 2, 9, tzinfo=UTC)
    reported = _detected(
        "North Korea has sent 3,000 troops to the Kursk region, according to media reports.",
        "Report: North Korean troops in Kursk",
        when,
    )
    confirmed = _detected(
        "The Russian defence ministry confirmed on Tuesday that 3,000 North Korean troops are "
        "in the Kursk region.",
        "Moscow confirms North Korean troops in Kursk",
        when + timedelta(days=1),
    )
    again = _detected(
        "US officials confirmed that North Korea has sent 3,000 troops to the Kursk region.",
        "Washington confirms North Korean deployment",
        when + timedelta(days=1),
    )
    with session_factory() as session:
        (first,) = register_events(
            session, _article(session, "c1"), reported, published_at=when, now=when
        )
        stored = session.get(Event, first.event_id)
        assert stored is not None and stored.status == "alleged"
        later = when + timedelta(days=1)
        (second,) = register_events(
            session, _article(session, "c2"), confirmed, published_at=later, now=later
        )
        assert second.event_id == first.event_id
        assert second.changes == ({"field": "status", "before": "alleged", "after": "confirmed"},)
        assert stored.status == "confirmed"
        (third,) = register_events(
            session, _article(session, "c3"), again, published_at=later, now=later
        )
        assert third.event_id == first.event_id and third.changes == ()
        session.commit()
