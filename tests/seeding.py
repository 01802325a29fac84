"""Seeding a database with events and their due alerts, through the real storage functions.

Shared by the delivery tests and the reliability suite (``tests/reliability/``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from alerts.delivery import enqueue_event_alert
from storage.keys import sha256_hex
from storage.models import Article, Event, EventArticle, Feed

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

EVENTS: list[dict[str, Any]] = [
    {
        "event_type": "deployment",
        "summary": "North Korea sends 12,000 troops to Kursk",
        "evidence": "North Korea has sent about 12,000 troops to the Kursk region, the NIS said.",
        "figure_low": 12000,
        "figure_high": 12000,
        "figure_unit": "troops",
        "place": "Kursk",
        "claimant": "NIS",
        "qualifier": "approx",  # kept only in the origin article's stored detection
    },
    {
        "event_type": "agreement",
        "summary": "Moscow and Pyongyang sign a railway bridge protocol",
        "evidence": "Russia and North Korea signed a protocol on a road bridge over the Tumen.",
        "figure_low": None,
        "figure_high": None,
        "figure_unit": None,
        "place": "Tumen",
        "claimant": None,
    },
    {
        "event_type": "deployment",
        "summary": "Pyongyang dispatches 1,000 sappers to Kursk",
        "evidence": "Pyongyang will dispatch 1,000 sappers and 5,000 builders to Kursk.",
        "figure_low": 1000,
        "figure_high": 6000,
        "figure_unit": "personnel",
        "place": "Kursk",
        "claimant": "KCNA",
    },
]


def seed_alerts(
    session: Session,
    events: list[dict[str, Any]] = EVENTS,
    *,
    now: datetime = NOW,
    tag: str = "",
    channels: tuple[str, ...] = ("email",),
    alert: bool = True,
) -> list[int]:
    """Feeds, articles, events, links and one due 'new' alert (a delivery per channel) per
    event; with ``alert=False``, the event ids (no alert).

    ``tag`` keeps the URLs and GUIDs of several seedings apart in one database.
    """
    # Disabled: a pass never fetches them (their hosts do not exist).
    wire = Feed(
        url=f"https://wire{tag}.test/rss",
        name="Wire Test",
        language="en",
        created_at=now,
        enabled=False,
        disabled_reason="seeded for a test",
    )
    journal = Feed(
        url=f"https://journal{tag}.test/rss",
        name="Journal Test",
        language="fr",
        created_at=now,
        enabled=False,
        disabled_reason="seeded for a test",
    )
    session.add_all([wire, journal])
    session.flush()
    alert_ids = []
    for n, spec in enumerate(events, start=1):
        values = dict(spec)
        qualifier = values.pop("qualifier", None)
        detected = {
            "event_type": values["event_type"],
            "low": values["figure_low"],
            "high": values["figure_high"],
            "qualifier": qualifier,
        }
        origin = Article(
            feed_id=wire.id,
            guid=f"wire{tag}-{n}",
            guid_hash=sha256_hex(f"wire{tag}-{n}"),
            url=f"https://wire{tag}.test/story/{n}",
            title=f"Wire story {n}",
            summary="…",
            published_at=now - timedelta(hours=3),
            discovered_at=now - timedelta(hours=2),
            detection={"events": [{"event_type": "visit", "low": None}, detected]},
            analysed_at=now - timedelta(hours=2),  # a pass's analysis leaves it alone
        )
        copy = Article(
            feed_id=journal.id,
            guid=f"journal{tag}-{n}",
            guid_hash=sha256_hex(f"journal{tag}-{n}"),
            url=f"https://journal{tag}.test/article/{n}",
            title=f"Article du journal {n}",
            summary="…",
            language="fr",
            published_at=now - timedelta(hours=4),  # older, but not the article that raised it
            discovered_at=now - timedelta(hours=1),
            analysed_at=now - timedelta(hours=1),
        )
        session.add_all([origin, copy])
        session.flush()
        event = Event(
            modality="new",
            force=None,
            event_date=date(2026, 11, 18),
            date_precision="day",
            actors=["North Korea", "Russia"],
            additional=False,
            confidence=0.9,
            first_article_id=origin.id,
            first_seen_at=now - timedelta(hours=1),
            last_seen_at=now - timedelta(hours=1),
            **values,
        )
        session.add(event)
        session.flush()
        session.add_all(
            [
                EventArticle(event_id=event.id, article_id=origin.id, role="origin", linked_at=now),
                EventArticle(event_id=event.id, article_id=copy.id, role="report", linked_at=now),
            ]
        )
        if not alert:
            alert_ids.append(event.id)
            continue
        alert_id = enqueue_event_alert(
            session,
            event_id=event.id,
            kind="new",
            dedup_key=f"event:{event.id}:new",
            created_at=now,
            channels=channels,
        )
        assert alert_id is not None
        alert_ids.append(alert_id)
    session.commit()
    return alert_ids


def many_events(count: int) -> list[dict[str, Any]]:
    """``count`` distinct deployment events (different figures and places)."""
    places = ["Kursk", "Belgorod", "Bryansk", "Rostov", "Donetsk", "Kherson", "Zaporizhzhia"]
    return [
        {
            "event_type": "deployment",
            "summary": f"North Korea sends {1000 + 250 * i:,} troops to {places[i % len(places)]}",
            "evidence": f"About {1000 + 250 * i} North Korean troops arrived in "
            f"{places[i % len(places)]}, officials said.",
            "figure_low": 1000 + 250 * i,
            "figure_high": 1000 + 250 * i,
            "figure_unit": "troops",
            "place": places[i % len(places)],
            "claimant": "NIS",
        }
        for i in range(count)
    ]
