"""An integrity check of a rudprk database, for the reliability suite (and issue 11's).

:func:`integrity_problems` returns one line per problem found (an empty list when all is well):

* the engine's own check (SQLite ``PRAGMA integrity_check`` and ``foreign_key_check``);
* orphan rows: articles without a feed, links without their event or article, events whose
  first article is gone, alerts whose event is gone, deliveries without their alert;
* outbox states: every alert has a delivery; statuses are known; a ``sending`` row holds a
  lease, a ``sent`` row a time and a transport, a ``failed`` one its error, a retrying one its
  error and next attempt;
* sent twice: alerts sharing a Message-ID, events with two new-event alerts;
* feed health: an error count without its error, a negative count; NULs in stored text
  (SQLite, which accepts them);
* exactly one installation id;
* ``quiescent=True`` (no pass running): no claim and no lock left behind.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from storage.engine import create_db_engine

STATUSES = ("pending", "sending", "sent", "failed", "discarded")

# (what is wrong, a query counting the rows where it is)
CHECKS: tuple[tuple[str, str], ...] = (
    (
        "articles without their feed",
        "SELECT count(*) FROM articles a LEFT JOIN feeds f ON f.id = a.feed_id WHERE f.id IS NULL",
    ),
    (
        "event links without their event",
        "SELECT count(*) FROM event_articles l LEFT JOIN events e ON e.id = l.event_id"
        " WHERE e.id IS NULL",
    ),
    (
        "event links without their article",
        "SELECT count(*) FROM event_articles l LEFT JOIN articles a ON a.id = l.article_id"
        " WHERE a.id IS NULL",
    ),
    (
        "events whose first article is gone",
        "SELECT count(*) FROM events e LEFT JOIN articles a ON a.id = e.first_article_id"
        " WHERE e.first_article_id IS NOT NULL AND a.id IS NULL",
    ),
    (
        "alerts whose event is gone",
        "SELECT count(*) FROM alerts x LEFT JOIN events e ON e.id = x.event_id"
        " WHERE x.event_id IS NOT NULL AND e.id IS NULL",
    ),
    (
        "deliveries without their alert",
        "SELECT count(*) FROM deliveries d LEFT JOIN alerts x ON x.id = d.alert_id"
        " WHERE x.id IS NULL",
    ),
    (
        "alerts without any delivery",
        "SELECT count(*) FROM alerts x WHERE NOT EXISTS"
        " (SELECT 1 FROM deliveries d WHERE d.alert_id = x.id)",
    ),
    (
        "deliveries with an unknown status",
        "SELECT count(*) FROM deliveries WHERE status NOT IN "
        + "("
        + ", ".join(f"'{s}'" for s in STATUSES)
        + ")",
    ),
    (
        "deliveries being sent without a lease",
        "SELECT count(*) FROM deliveries WHERE status = 'sending'"
        " AND (lease_owner IS NULL OR lease_expires_at IS NULL)",
    ),
    (
        "deliveries sent without a time or transport",
        "SELECT count(*) FROM deliveries WHERE status = 'sent'"
        " AND (sent_at IS NULL OR transport IS NULL)",
    ),
    (
        "deliveries failed without an error",
        "SELECT count(*) FROM deliveries WHERE status = 'failed' AND last_error IS NULL",
    ),
    (
        "deliveries retrying without an error or a next attempt",
        "SELECT count(*) FROM deliveries WHERE status = 'pending' AND attempts > 0"
        " AND (last_error IS NULL OR next_attempt_at IS NULL)",
    ),
    (
        "deliveries with a negative attempt count",
        "SELECT count(*) FROM deliveries WHERE attempts < 0",
    ),
    # Sent twice: two alerts carrying one Message-ID, or two 'new' alerts for one event.
    (
        "Message-IDs shared by several alerts",
        "SELECT count(*) FROM (SELECT message_id FROM alerts GROUP BY message_id"
        " HAVING count(*) > 1) shared",
    ),
    (
        "events with more than one new-event alert",
        "SELECT count(*) FROM (SELECT event_id FROM alerts WHERE kind = 'new'"
        " AND event_id IS NOT NULL GROUP BY event_id HAVING count(*) > 1) twice",
    ),
    # Feed health that contradicts itself after a fault.
    (
        "feeds counting errors without the error",
        "SELECT count(*) FROM feeds WHERE error_count > 0 AND last_error IS NULL",
    ),
    (
        "feeds with a negative error count",
        "SELECT count(*) FROM feeds WHERE error_count < 0",
    ),
)

QUIESCENT_CHECKS: tuple[tuple[str, str], ...] = (
    ("deliveries still claimed", "SELECT count(*) FROM deliveries WHERE status = 'sending'"),
    ("locks left behind", "SELECT count(*) FROM locks"),
)


def _engine_checks(conn: Connection) -> list[str]:
    if conn.dialect.name != "sqlite":
        return []
    problems = []
    result = [row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check")]
    if result != ["ok"]:
        problems.append(f"PRAGMA integrity_check: {'; '.join(map(str, result))[:500]}")
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        problems.append(f"PRAGMA foreign_key_check: {len(broken)} row(s), first {tuple(broken[0])}")
    # SQLite stores a NUL that PostgreSQL would refuse (and a C string would cut at).
    nul = conn.exec_driver_sql(
        "SELECT count(*) FROM articles WHERE instr(title, char(0)) > 0"
        " OR instr(guid, char(0)) > 0 OR instr(coalesce(url, ''), char(0)) > 0"
        " OR instr(summary, char(0)) > 0"
    ).scalar()
    if nul:
        problems.append(f"{nul} articles holding a NUL character")
    return problems


def integrity_problems(url: str, *, quiescent: bool = True) -> list[str]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            problems = _engine_checks(conn)
            checks = CHECKS + (QUIESCENT_CHECKS if quiescent else ())
            for what, query in checks:
                count = int(conn.execute(text(query)).scalar() or 0)
                if count:
                    problems.append(f"{count} {what}")
            installations = int(
                conn.execute(text("SELECT count(*) FROM installation")).scalar() or 0
            )
            if installations != 1:
                problems.append(f"{installations} installation rows (expected 1)")
    finally:
        engine.dispose()
    return problems


def assert_integrity(url: str, *, quiescent: bool = True) -> None:
    problems = integrity_problems(url, quiescent=quiescent)
    assert not problems, "database integrity: " + "; ".join(problems)
