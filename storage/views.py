"""The analysts' SQL views, defined once: ``v_events``, ``v_event_sources``, ``v_articles``,
``v_feed_health`` and ``v_alerts``.

Each view is a list of ``(column, expression)`` pairs over fixed ``FROM`` text, so a column is
added with one line here. The SQL is the same on SQLite and PostgreSQL: plain joins, ``COUNT``,
``MAX`` and ``CASE`` only.

Migrations never read this module: a migration builds the schema of its own revision, so the
SQL each one creates is frozen in :mod:`storage.migrations.snapshots`. Changing a view here
means adding a snapshot there and a migration that drops the old views and creates the new
ones; ``tests/test_views.py`` fails until the newest snapshot equals these definitions. SQLite
checks views when a table is renamed, so a migration that rebuilds a table used here
(``batch_alter_table`` recreating it) drops the views first and creates them again after.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class View:
    name: str
    columns: tuple[tuple[str, str], ...]
    source: str

    def create_sql(self) -> str:
        select_list = ",\n    ".join(f"{expr} AS {name}" for name, expr in self.columns)
        return f"CREATE VIEW {self.name} AS\nSELECT\n    {select_list}\n{self.source}"

    def drop_sql(self) -> str:
        return f"DROP VIEW IF EXISTS {self.name}"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)


# Distinct feeds and articles reporting each event.
_EVENT_COUNTS = (
    "(SELECT ea.event_id, COUNT(DISTINCT a.feed_id) AS sources, COUNT(*) AS articles "
    "FROM event_articles ea JOIN articles a ON a.id = ea.article_id GROUP BY ea.event_id)"
)

V_EVENTS = View(
    "v_events",
    (
        ("id", "e.id"),
        ("event_type", "e.event_type"),
        ("modality", "e.modality"),
        ("summary", "e.summary"),
        ("figure_low", "e.figure_low"),
        ("figure_high", "e.figure_high"),
        ("figure_qualifier", "e.figure_qualifier"),
        ("figure_unit", "e.figure_unit"),
        ("unit_force", "e.unit_force"),
        ("force", "e.force"),
        ("stage", "e.stage"),
        ("status", "e.status"),
        ("instrument", "e.instrument"),
        ("contingent", "e.contingent"),
        ("place", "e.place"),
        ("event_date", "e.event_date"),
        ("date_end", "e.date_end"),
        ("date_precision", "e.date_precision"),
        ("claimant", "e.claimant"),
        ("additional", "e.additional"),
        ("confidence", "e.confidence"),
        ("sources", "COALESCE(c.sources, 0)"),
        ("articles", "COALESCE(c.articles, 0)"),
        ("first_article_id", "e.first_article_id"),
        ("first_seen_at", "e.first_seen_at"),
        ("first_published_at", "e.first_published_at"),
        ("last_seen_at", "e.last_seen_at"),
        ("parent_event_id", "e.parent_event_id"),
    ),
    f"FROM events e\nLEFT JOIN {_EVENT_COUNTS} c ON c.event_id = e.id",
)

V_EVENT_SOURCES = View(
    "v_event_sources",
    (
        ("event_id", "ea.event_id"),
        ("article_id", "a.id"),
        ("role", "ea.role"),
        ("linked_at", "ea.linked_at"),
        ("feed_id", "f.id"),
        ("feed_name", "f.name"),
        ("title", "a.title"),
        ("url", "COALESCE(a.canonical_url, a.url)"),
        ("language", "COALESCE(a.language, f.language)"),
        ("published_at", "a.published_at"),
        ("discovered_at", "a.discovered_at"),
    ),
    "FROM event_articles ea\nJOIN articles a ON a.id = ea.article_id\nJOIN feeds f ON f.id = a.feed_id",
)

V_ARTICLES = View(
    "v_articles",
    (
        ("id", "a.id"),
        ("feed_id", "a.feed_id"),
        ("feed_name", "f.name"),
        ("title", "a.title"),
        ("url", "COALESCE(a.canonical_url, a.url)"),
        ("language", "COALESCE(a.language, f.language)"),
        ("author", "a.author"),
        ("published_at", "a.published_at"),
        ("discovered_at", "a.discovered_at"),
        ("analysed_at", "a.analysed_at"),
        ("relevant", "a.relevant"),
        ("relevance_score", "a.relevance_score"),
        ("body_status", "a.body_status"),
        ("events", "(SELECT COUNT(*) FROM event_articles ea WHERE ea.article_id = a.id)"),
    ),
    "FROM articles a\nJOIN feeds f ON f.id = a.feed_id",
)

V_FEED_HEALTH = View(
    "v_feed_health",
    (
        ("id", "f.id"),
        ("name", "f.name"),
        ("url", "f.url"),
        ("language", "f.language"),
        ("enabled", "f.enabled"),
        ("disabled_reason", "f.disabled_reason"),
        ("healthy", "CASE WHEN f.error_count = 0 THEN 1 ELSE 0 END"),
        ("error_count", "f.error_count"),
        ("last_error", "f.last_error"),
        ("last_error_status", "f.last_error_status"),
        ("last_error_at", "f.last_error_at"),
        ("last_checked_at", "f.last_checked_at"),
        ("last_success_at", "f.last_success_at"),
        ("next_check_at", "f.next_check_at"),
        ("entries_seen", "f.entries_seen"),
        ("articles", "(SELECT COUNT(*) FROM articles a WHERE a.feed_id = f.id)"),
        ("last_article_at", "(SELECT MAX(a.discovered_at) FROM articles a WHERE a.feed_id = f.id)"),
    ),
    "FROM feeds f",
)

V_ALERTS = View(
    "v_alerts",
    (
        ("alert_id", "al.id"),
        ("event_id", "al.event_id"),
        ("kind", "al.kind"),
        ("created_at", "al.created_at"),
        ("message_id", "al.message_id"),
        ("channel", "d.channel"),
        ("status", "d.status"),
        ("attempts", "d.attempts"),
        ("last_error", "d.last_error"),
        ("next_attempt_at", "d.next_attempt_at"),
        ("sent_at", "d.sent_at"),
        ("transport", "d.transport"),
        ("event_type", "e.event_type"),
        ("event_summary", "e.summary"),
    ),
    "FROM alerts al\nLEFT JOIN deliveries d ON d.alert_id = al.id\n"
    "LEFT JOIN events e ON e.id = al.event_id",
)

VIEWS: tuple[View, ...] = (V_EVENTS, V_EVENT_SOURCES, V_ARTICLES, V_FEED_HEALTH, V_ALERTS)
