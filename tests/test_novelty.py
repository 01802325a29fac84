"""register_events against a real store (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.detect import detect_article
from alerts.novelty import register_events
from storage.articles import NewArticle, insert_new_articles
from storage.models import Event, EventArticle, Feed

T0 = datetime(2025, 4, 28, 9, 0, tzinfo=UTC)


def add_article(session: Session, guid: str, when: datetime) -> int:
    feed = session.scalar(select(Feed).where(Feed.url == "https://example.org/feed"))
    if feed is None:
        feed = Feed(url="https://example.org/feed", name="Example", created_at=T0)
        session.add(feed)
        session.flush()
    item = NewArticle(
        feed_id=feed.id,
        guid=guid,
        url=f"https://example.org/{guid}",
        canonical_url=f"https://example.org/{guid}",
        title=guid,
        summary=guid,
        published_at=when,
    )
    (article_id,) = insert_new_articles(session, [item], when)
    return article_id


def register(session: Session, guid: str, text: str, when: datetime, lang: str | None = None):  # type: ignore[no-untyped-def]
    article_id = add_article(session, guid, when)
    detection = detect_article(text, lang=lang, published=when)
    return article_id, register_events(
        session, article_id, detection, published_at=when, now=when + timedelta(minutes=5)
    )


def count_events(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Event)) or 0


def test_first_report_creates_an_alert_worthy_event(session: Session) -> None:
    article_id, outcomes = register(
        session,
        "a1",
        "Pyongyang a envoyé 12 000 soldats dans la région de Koursk, selon Séoul.",
        T0,
    )
    assert len(outcomes) == 1
    (o,) = outcomes
    assert o.is_new and o.event.alert_worthy
    row = session.get(Event, o.event_id)
    assert row is not None
    assert (row.event_type, row.modality, row.figure_low, row.place) == (
        "deployment",
        "new",
        12000,
        "Kursk",
    )
    assert row.first_article_id == article_id
    link = session.get(EventArticle, (o.event_id, article_id))
    assert link is not None and link.role == "origin"


def test_syndicated_and_translated_reports_join_the_event(session: Session) -> None:
    _, (first,) = register(
        session,
        "fr",
        "Pyongyang a envoyé 12 000 soldats dans la région de Koursk, selon Séoul.",
        T0,
    )
    later = T0 + timedelta(hours=6)
    article_id, (second,) = register(
        session,
        "en",
        "North Korea has sent about 12,000 troops to Russia's Kursk region, Seoul says.",
        later,
    )
    assert not second.is_new
    assert second.event_id == first.event_id
    link = session.get(EventArticle, (first.event_id, article_id))
    assert link is not None and link.role == "report"
    row = session.get(Event, first.event_id)
    assert row is not None and row.last_seen_at == later + timedelta(minutes=5)
    assert count_events(session) == 1


def test_additional_contingent_is_a_new_event(session: Session) -> None:
    _, (first,) = register(
        session, "a", "North Korea has sent 3,000 troops to Kursk, the NIS said.", T0
    )
    _, (second,) = register(
        session,
        "b",
        "North Korea has sent 3,000 additional troops to Kursk, the NIS said.",
        T0 + timedelta(days=2),
    )
    assert second.is_new and second.event.additional
    assert second.event_id != first.event_id


def test_speculation_does_not_swallow_the_announcement(session: Session) -> None:
    _, (spec,) = register(
        session, "s", "Russia and North Korea are expected to sign a visa agreement on Friday.", T0
    )
    assert spec.is_new and not spec.event.alert_worthy
    _, (signed,) = register(
        session,
        "n",
        "Russia and North Korea signed a visa agreement on Friday in Moscow.",
        T0 + timedelta(days=3),
    )
    assert signed.is_new and signed.event.alert_worthy
    assert signed.event_id != spec.event_id
    # a later recap joins the announcement, never alerts
    _, (recap,) = register(
        session,
        "r",
        "Russia and North Korea are expected to sign a visa agreement soon, diplomats said.",
        T0 + timedelta(days=4),
    )
    assert not recap.is_new


def test_events_far_apart_in_time_are_distinct(session: Session) -> None:
    text = "North Korea has sent 3,000 troops to Kursk, the NIS said."
    _, (a,) = register(session, "x1", text, T0)
    _, (b,) = register(session, "x2", text, T0 + timedelta(days=60))
    assert a.event_id != b.event_id and b.is_new


def test_irrelevant_articles_register_nothing(session: Session) -> None:
    _, outcomes = register(session, "i", "La Russie a déployé 1 500 soldats en Biélorussie.", T0)
    assert outcomes == []
    assert count_events(session) == 0


def test_registering_the_same_article_twice_is_idempotent(session: Session) -> None:
    text = "North Korea has sent 3,000 troops to Kursk, the NIS said."
    article_id, (first,) = register(session, "dup", text, T0)
    detection = detect_article(text, published=T0)
    again = register_events(session, article_id, detection, published_at=T0, now=T0)
    assert [o.event_id for o in again] == [first.event_id]
    assert not again[0].is_new
    assert count_events(session) == 1


def test_an_arrangement_announced_long_before_its_date_is_found_by_that_date(
    session: Session,
) -> None:
    _, (first,) = register(
        session,
        "early",
        "Russian Railways said passenger trains between Moscow and Pyongyang will resume "
        "on 20 June.",
        T0,
    )
    assert first.is_new and first.event.event_date is not None
    # another outlet's report of the announcement, days later, still states the day: one event
    _, (copy,) = register(
        session,
        "early-copy",
        "Passenger trains between Moscow and Pyongyang will resume on 20 June, Russian "
        "Railways said.",
        T0 + timedelta(days=2),
    )
    assert copy.event_id == first.event_id and not copy.is_new
    # on the day the trains run: announced and implemented are two stages (docs/corpus.md),
    # so the act is an event of its own, and a second report of it joins it
    _, (second,) = register(
        session,
        "on-the-day",
        "Passenger trains between Moscow and Pyongyang resumed on 20 June, Russian Railways said.",
        datetime(2025, 6, 21, 9, 0, tzinfo=UTC),
    )
    assert second.is_new and second.event_id != first.event_id
    _, (third,) = register(
        session,
        "on-the-day-2",
        "The first passenger train between Moscow and Pyongyang since 2020 left on 20 June.",
        datetime(2025, 6, 21, 15, 0, tzinfo=UTC),
    )
    assert third.event_id == second.event_id and not third.is_new
