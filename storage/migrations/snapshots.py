"""Frozen SQL of the analysts' views, one snapshot per migration that (re)creates them.

A migration must build the schema of its own revision, not of today's code: migration 0050
used to call :func:`storage.views.create_views`, so a view column added later over a column
that a later migration adds (``feeds.category``, say) would break a fresh upgrade at 0050 on
PostgreSQL. Each snapshot is the ``(name, CREATE VIEW …)`` list as it stood at its revision;
``tests/test_views.py`` checks that the newest snapshot equals :mod:`storage.views`, so changing
a view means adding a snapshot here and a migration that recreates the views from it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

ViewSQL = tuple[str, str]

#: the views as migration 0050 created them (unchanged through 0090)
VIEWS_0050: tuple[ViewSQL, ...] = (
    (
        "v_events",
        (
            "CREATE VIEW v_events AS\n"
            "SELECT\n"
            "    e.id AS id,\n"
            "    e.event_type AS event_type,\n"
            "    e.modality AS modality,\n"
            "    e.summary AS summary,\n"
            "    e.figure_low AS figure_low,\n"
            "    e.figure_high AS figure_high,\n"
            "    e.figure_qualifier AS figure_qualifier,\n"
            "    e.figure_unit AS figure_unit,\n"
            "    e.unit_force AS unit_force,\n"
            "    e.force AS force,\n"
            "    e.stage AS stage,\n"
            "    e.status AS status,\n"
            "    e.instrument AS instrument,\n"
            "    e.contingent AS contingent,\n"
            "    e.place AS place,\n"
            "    e.event_date AS event_date,\n"
            "    e.date_end AS date_end,\n"
            "    e.date_precision AS date_precision,\n"
            "    e.claimant AS claimant,\n"
            "    e.additional AS additional,\n"
            "    e.confidence AS confidence,\n"
            "    COALESCE(c.sources, 0) AS sources,\n"
            "    COALESCE(c.articles, 0) AS articles,\n"
            "    e.first_article_id AS first_article_id,\n"
            "    e.first_seen_at AS first_seen_at,\n"
            "    e.first_published_at AS first_published_at,\n"
            "    e.last_seen_at AS last_seen_at,\n"
            "    e.parent_event_id AS parent_event_id\n"
            "FROM events e\n"
            "LEFT JOIN (SELECT ea.event_id, COUNT(DISTINCT a.feed_id) AS sources, COUNT(*) AS articles FROM event_articles ea JOIN articles a ON a.id = ea.article_id GROUP BY ea.event_id) c ON c.event_id = e.id\n"
        ),
    ),
    (
        "v_event_sources",
        (
            "CREATE VIEW v_event_sources AS\n"
            "SELECT\n"
            "    ea.event_id AS event_id,\n"
            "    a.id AS article_id,\n"
            "    ea.role AS role,\n"
            "    ea.linked_at AS linked_at,\n"
            "    f.id AS feed_id,\n"
            "    f.name AS feed_name,\n"
            "    a.title AS title,\n"
            "    COALESCE(a.canonical_url, a.url) AS url,\n"
            "    COALESCE(a.language, f.language) AS language,\n"
            "    a.published_at AS published_at,\n"
            "    a.discovered_at AS discovered_at\n"
            "FROM event_articles ea\n"
            "JOIN articles a ON a.id = ea.article_id\n"
            "JOIN feeds f ON f.id = a.feed_id\n"
        ),
    ),
    (
        "v_articles",
        (
            "CREATE VIEW v_articles AS\n"
            "SELECT\n"
            "    a.id AS id,\n"
            "    a.feed_id AS feed_id,\n"
            "    f.name AS feed_name,\n"
            "    a.title AS title,\n"
            "    COALESCE(a.canonical_url, a.url) AS url,\n"
            "    COALESCE(a.language, f.language) AS language,\n"
            "    a.author AS author,\n"
            "    a.published_at AS published_at,\n"
            "    a.discovered_at AS discovered_at,\n"
            "    a.analysed_at AS analysed_at,\n"
            "    a.relevant AS relevant,\n"
            "    a.relevance_score AS relevance_score,\n"
            "    a.body_status AS body_status,\n"
            "    (SELECT COUNT(*) FROM event_articles ea WHERE ea.article_id = a.id) AS events\n"
            "FROM articles a\n"
            "JOIN feeds f ON f.id = a.feed_id\n"
        ),
    ),
    (
        "v_feed_health",
        (
            "CREATE VIEW v_feed_health AS\n"
            "SELECT\n"
            "    f.id AS id,\n"
            "    f.name AS name,\n"
            "    f.url AS url,\n"
            "    f.language AS language,\n"
            "    f.enabled AS enabled,\n"
            "    f.disabled_reason AS disabled_reason,\n"
            "    CASE WHEN f.error_count = 0 THEN 1 ELSE 0 END AS healthy,\n"
            "    f.error_count AS error_count,\n"
            "    f.last_error AS last_error,\n"
            "    f.last_error_status AS last_error_status,\n"
            "    f.last_error_at AS last_error_at,\n"
            "    f.last_checked_at AS last_checked_at,\n"
            "    f.last_success_at AS last_success_at,\n"
            "    f.next_check_at AS next_check_at,\n"
            "    f.entries_seen AS entries_seen,\n"
            "    (SELECT COUNT(*) FROM articles a WHERE a.feed_id = f.id) AS articles,\n"
            "    (SELECT MAX(a.discovered_at) FROM articles a WHERE a.feed_id = f.id) AS last_article_at\n"
            "FROM feeds f\n"
        ),
    ),
    (
        "v_alerts",
        (
            "CREATE VIEW v_alerts AS\n"
            "SELECT\n"
            "    al.id AS alert_id,\n"
            "    al.event_id AS event_id,\n"
            "    al.kind AS kind,\n"
            "    al.created_at AS created_at,\n"
            "    al.message_id AS message_id,\n"
            "    d.channel AS channel,\n"
            "    d.status AS status,\n"
            "    d.attempts AS attempts,\n"
            "    d.last_error AS last_error,\n"
            "    d.next_attempt_at AS next_attempt_at,\n"
            "    d.sent_at AS sent_at,\n"
            "    d.transport AS transport,\n"
            "    e.event_type AS event_type,\n"
            "    e.summary AS event_summary\n"
            "FROM alerts al\n"
            "LEFT JOIN deliveries d ON d.alert_id = al.id\n"
            "LEFT JOIN events e ON e.id = al.event_id\n"
        ),
    ),
)

#: the snapshot the head revision's views are built from
LATEST: tuple[ViewSQL, ...] = VIEWS_0050


def create(execute: Callable[[str], object], views: Sequence[ViewSQL]) -> None:
    """Create ``views`` in order with ``execute`` (``op.execute`` in a migration)."""
    for _name, sql in views:
        execute(sql)


def drop(execute: Callable[[str], object], views: Sequence[ViewSQL]) -> None:
    """Drop ``views`` in reverse order (a view may read an earlier one)."""
    for name, _sql in reversed(views):
        execute(f"DROP VIEW IF EXISTS {name}")
