"""Articles: deduplicating inserts (only new rows come back), edits as versions, near-duplicate
links (storage/dedup.py), wire credits (storage/wires.py) and analysis results.

Identity, in order: feed + GUID, the canonical URL, the content hash (of the current text or of
any earlier version), then near-duplicate text. The first three make an entry *not new*; the
last stores the entry and links it to its original (``copy_of_id``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, or_, select, update
from sqlalchemy.orm import Session

from storage.dedup import index_articles, lock_for_articles, reindex_articles, text_of
from storage.keys import content_key, entry_key, guid_key, url_key
from storage.models import Article, ArticleVersion
from storage.statements import insert_ignoring_conflicts
from storage.wires import wire_of

BATCH_SIZE = 200


@dataclass(frozen=True)
class NewArticle:
    """What ingestion hands to storage for one feed entry."""

    feed_id: int
    guid: str
    url: str | None
    canonical_url: str | None
    title: str
    summary: str
    published_at: datetime | None
    language: str | None = None
    author: str | None = None
    body: str | None = None
    body_status: str | None = None
    # storage.keys.entry_key of the entry's own title and summary (before a page's title
    # stood in for a missing one); computed from ``title`` and ``summary`` when not given.
    entry_hash: str | None = None
    # Whether to fingerprint it for near-duplicates (storage.dedup): ingestion says no for an
    # entry its relevance gate turned down — a copy of it could never alert.
    fingerprint: bool = True


def article_row(item: NewArticle, discovered_at: datetime) -> dict[str, Any]:
    text = item.body or item.summary
    return {
        "feed_id": item.feed_id,
        "guid": item.guid,
        "guid_hash": guid_key(item.guid),
        "url": item.url,
        "canonical_url": item.canonical_url,
        "url_hash": url_key(item.canonical_url) if item.canonical_url else None,
        "content_hash": content_key(item.title, text),
        "title": item.title,
        "summary": item.summary,
        "body": item.body,
        "body_status": item.body_status,
        "author": item.author,
        "language": item.language,
        "published_at": item.published_at,
        "discovered_at": discovered_at,
        "wire": wire_of((item.summary, item.body or ""), item.author),
        "entry_hash": item.entry_hash or entry_key(item.title, item.summary),
    }


@dataclass(frozen=True)
class StoreReport:
    """What :func:`store_articles` did: ids of the new rows, of the articles an entry edited
    (a new version, analysed again), and the new rows that copy an earlier article."""

    new_ids: list[int]
    revised_ids: list[int]
    copies: dict[int, int]
    new_items: list[tuple[int, NewArticle]]  # each new id with the item it stored, in id order


def store_articles(
    session: Session, items: Sequence[NewArticle], discovered_at: datetime
) -> StoreReport:
    """Insert the entries that are not stored yet; record the edits of stored ones; link the
    new rows that are near-duplicates of stored articles to their original.

    An entry is not new when its feed already has its GUID, or another article has the same
    canonical URL, or the same normalised title and text now or in an earlier version. An
    entry of a stored feed + GUID with other text is an edit: the article takes the new text
    as a new version (``article_versions``) and is analysed again. Inserts use
    ``INSERT … ON CONFLICT DO NOTHING RETURNING``, and the whole step holds the articles lock
    (:func:`storage.dedup.lock_for_articles`), so reruns and concurrent passes store neither a
    duplicate nor two originals of one story.
    """
    if not items:
        return StoreReport([], [], {}, [])
    lock_for_articles(session)
    rows = [article_row(item, discovered_at) for item in items]
    old_versions = _earlier_version_hashes(session, [r["content_hash"] for r in rows])
    fresh = [r for r in rows if r["content_hash"] is None or r["content_hash"] not in old_versions]
    stmt = insert_ignoring_conflicts(session, Article).returning(
        Article.id, Article.feed_id, Article.guid_hash
    )
    inserted: dict[tuple[int, str], int] = {}
    for start in range(0, len(fresh), BATCH_SIZE):
        # One execution per batch: SQLAlchemy sends multi-row VALUES (insertmanyvalues) and
        # RETURNING yields the rows actually inserted; conflicting rows, including duplicates
        # inside the batch, are skipped. The dialect's ON CONFLICT statement is not cacheable,
        # so a statement per row cost a compilation (about 0.5-2.7 ms) per row.
        for article_id, feed_id, guid_hash in session.execute(
            stmt, fresh[start : start + BATCH_SIZE]
        ):
            inserted[(feed_id, guid_hash)] = article_id
    new_ids = sorted(inserted.values())
    texts = {
        inserted[(r["feed_id"], r["guid_hash"])]: text_of(r["title"], r["summary"], r["body"])
        for r in fresh
        if (r["feed_id"], r["guid_hash"]) in inserted
    }
    by_key = {(item.feed_id, guid_key(item.guid)): item for item in reversed(items)}
    printed = {i for key, i in inserted.items() if by_key[key].fingerprint}
    copies = index_articles(session, [(i, texts[i]) for i in new_ids if i in printed])
    edits = [r for r in rows if (r["feed_id"], r["guid_hash"]) not in inserted]
    revised = _record_edits(session, edits, old_versions, discovered_at)
    new_items = sorted(((i, by_key[key]) for key, i in inserted.items()), key=lambda p: p[0])
    return StoreReport(new_ids, revised, copies, new_items)


def insert_new_articles(
    session: Session, items: Sequence[NewArticle], discovered_at: datetime
) -> list[int]:
    """:func:`store_articles`, returning the ids of the new rows only."""
    return store_articles(session, items, discovered_at).new_ids


def insert_new_items(
    session: Session, items: Sequence[NewArticle], discovered_at: datetime
) -> list[tuple[int, NewArticle]]:
    """:func:`store_articles`, returning each new id with the item it stored."""
    return store_articles(session, items, discovered_at).new_items


def _earlier_version_hashes(session: Session, hashes: Sequence[str | None]) -> set[str]:
    wanted = sorted({h for h in hashes if h})
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        found.update(
            h
            for h in session.scalars(
                select(ArticleVersion.content_hash).where(
                    ArticleVersion.content_hash.in_(wanted[start : start + 500])
                )
            )
            if h
        )
    return found


def _record_edits(
    session: Session,
    rows: Sequence[dict[str, Any]],
    old_versions: set[str],
    seen_at: datetime,
) -> list[int]:
    """Entries of a stored feed + GUID whose title or text changed become the article's new
    version; a text it had before (an edit undone, a feed alternating) or that another
    article has is not an edit. Returns the revised article ids."""
    candidates = [r for r in rows if r["content_hash"] is not None]
    if not candidates:
        return []
    latest = {(r["feed_id"], r["guid_hash"]): r for r in candidates}  # the last one listed wins
    stored = {
        (a.feed_id, a.guid_hash): a
        for a in session.scalars(
            select(Article).where(
                or_(
                    *(
                        (Article.feed_id == feed_id) & (Article.guid_hash == guid_hash)
                        for feed_id, guid_hash in latest
                    )
                )
            )
        )
    }
    taken = set(
        session.scalars(
            select(Article.content_hash).where(
                Article.content_hash.in_(sorted({r["content_hash"] for r in latest.values()}))
            )
        )
    )
    revised: list[int] = []
    for key, row in latest.items():
        article = stored.get(key)
        digest = row["content_hash"]
        if article is None or article.content_hash == digest or article.pruned_at is not None:
            continue
        if digest in taken or digest in old_versions:
            continue
        changed = [
            name
            for name, before, after in (
                ("title", article.title, row["title"]),
                ("text", article.body or article.summary, row["body"] or row["summary"]),
            )
            if before != after
        ]
        if article.version == 1:
            session.add(
                ArticleVersion(
                    article_id=article.id,
                    version=1,
                    content_hash=article.content_hash,
                    title=article.title,
                    changed=[],
                    seen_at=article.discovered_at,
                )
            )
        session.add(
            ArticleVersion(
                article_id=article.id,
                version=article.version + 1,
                content_hash=digest,
                title=row["title"],
                changed=changed,
                seen_at=seen_at,
            )
        )
        article.version += 1
        article.title = row["title"]
        article.summary = row["summary"]
        article.body = row["body"] if row["body"] is not None else article.body
        article.body_status = row["body_status"] or article.body_status
        article.content_hash = digest
        article.entry_hash = row["entry_hash"]
        article.wire = row["wire"] or article.wire
        article.analysed_at = None
        taken.add(digest)
        revised.append(article.id)
    session.flush()
    reindex_articles(
        session,
        [(a.id, text_of(a.title, a.summary, a.body)) for a in stored.values() if a.id in revised],
    )
    return revised


def unchanged_guid_hashes(
    session: Session, feed_id: int, entries: Sequence[tuple[str, str, str]]
) -> set[str]:
    """The GUIDs (as hashes) of ``feed_id``'s entries ``(guid, title, summary)`` that are stored
    and unchanged: ingestion skips them early; a changed one goes on, as an edit. An article
    stored before entry fingerprints existed counts as unchanged."""
    keys = {guid_key(g): entry_key(t, s) for g, t, s in entries}
    hashes = list(keys)
    found: set[str] = set()
    for start in range(0, len(hashes), 500):
        rows = session.execute(
            select(Article.guid_hash, Article.entry_hash).where(
                Article.feed_id == feed_id, Article.guid_hash.in_(hashes[start : start + 500])
            )
        )
        found.update(g for g, e in rows if e is None or e == keys[g])
    return found


def article_versions(session: Session, article_id: int) -> list[ArticleVersion]:
    """An edited article's versions, oldest first (empty for an article never edited)."""
    return list(
        session.scalars(
            select(ArticleVersion)
            .where(ArticleVersion.article_id == article_id)
            .order_by(ArticleVersion.version)
        )
    )


def known_guid_hashes(session: Session, feed_id: int, guids: Sequence[str]) -> set[str]:
    """The GUIDs (as hashes) of ``feed_id`` that are already stored: lets ingestion skip known entries early."""
    hashes = [guid_key(g) for g in guids]
    found: set[str] = set()
    for start in range(0, len(hashes), 500):
        chunk = hashes[start : start + 500]
        found.update(
            session.scalars(
                select(Article.guid_hash).where(
                    Article.feed_id == feed_id, Article.guid_hash.in_(chunk)
                )
            )
        )
    return found


def load_articles(session: Session, ids: Sequence[int]) -> list[Article]:
    if not ids:
        return []
    return list(session.scalars(select(Article).where(Article.id.in_(ids)).order_by(Article.id)))


def unanalysed_article_ids(session: Session, limit: int = 10_000, after: int = 0) -> list[int]:
    """Articles stored but not analysed yet, by id, the first ``limit`` above ``after`` (a pass
    that died half-way resumes from here). Reads the partial index ``ix_articles_unanalysed``."""
    return list(
        session.scalars(
            select(Article.id)
            .where(Article.analysed_at.is_(None), Article.id > after)
            .order_by(Article.id)
            .limit(limit)
        )
    )


def load_unanalysed(session: Session, ids: Sequence[int]) -> list[Article]:
    """The articles of ``ids`` that are still not analysed, by id (one query)."""
    if not ids:
        return []
    return list(
        session.scalars(
            select(Article)
            .where(Article.id.in_(ids), Article.analysed_at.is_(None))
            .order_by(Article.id)
        )
    )


def is_analysed(session: Session, article_id: int) -> bool:
    """Has this article been analysed already (or is it gone)?"""
    analysed_at = session.execute(
        select(Article.analysed_at).where(Article.id == article_id)
    ).one_or_none()
    return analysed_at is None or analysed_at[0] is not None


def analysis_values(
    *,
    relevant: bool,
    score: float,
    detection: dict[str, Any],
    analysed_at: datetime,
    language: str | None = None,
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "relevant": relevant,
        "relevance_score": score,
        "detection": detection,
        "analysed_at": analysed_at,
    }
    if language is not None:
        values["language"] = language
    return values


def record_analysis(
    session: Session,
    article_id: int,
    *,
    relevant: bool,
    score: float,
    detection: dict[str, Any],
    analysed_at: datetime,
    language: str | None = None,
) -> None:
    values = analysis_values(
        relevant=relevant,
        score=score,
        detection=detection,
        analysed_at=analysed_at,
        language=language,
    )
    session.execute(update(Article).where(Article.id == article_id).values(**values))


def record_analyses(session: Session, rows: Sequence[tuple[int, dict[str, Any]]]) -> int:
    """Record many analyses (article id, :func:`analysis_values`) in few statements: one
    ``executemany`` per set of columns. Articles analysed meanwhile (by a retry after a commit
    that went through, or another pass) are left as they are; returns how many were recorded."""
    table = Article.__table__
    assert isinstance(table, Table)
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for article_id, values in rows:
        params = {"b_id": article_id, **{f"b_{k}": v for k, v in values.items()}}
        by_columns.setdefault(tuple(sorted(values)), []).append(params)
    recorded = 0
    for columns, params_list in by_columns.items():
        stmt = (
            update(table)
            .where(table.c.id == bindparam("b_id"), table.c.analysed_at.is_(None))
            .values({c: bindparam(f"b_{c}", type_=table.c[c].type) for c in columns})
        )
        result = session.connection().execute(stmt, params_list)
        recorded += max(result.rowcount, 0)
    return recorded
