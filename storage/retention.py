"""Retention: ``rudprk db prune`` drops the text of old articles and keeps what identity needs.

An article analysed and discovered before the cut-off loses its summary, body, stored detection
and shingle set; it keeps its row (title, link, feed, dates, wire, copy link), its keys (GUID,
canonical URL and content hashes, the content hashes of its versions) and its MinHash signature
and band keys. So an entry pruned long ago is still not new when a feed lists it again, an
edited copy of it is still recognised (from the signatures), and events, alerts and their
sources stay as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from storage.models import Article, ArticleSignature

CHUNK = 500


@dataclass(frozen=True)
class PruneReport:
    articles: int  # articles whose text was (or would be) dropped
    shingle_sets: int  # shingle sets dropped with them
    applied: bool


def _prunable(before: datetime) -> list[ColumnElement[bool]]:
    return [
        Article.discovered_at < before,
        Article.analysed_at.is_not(None),
        Article.pruned_at.is_(None),
    ]


def prune_articles(
    session: Session, before: datetime, *, apply: bool, now: datetime
) -> PruneReport:
    """Drop the text of the articles discovered before ``before`` (when ``apply``; otherwise
    only count them). The caller commits."""
    ids = list(session.scalars(select(Article.id).where(*_prunable(before)).order_by(Article.id)))
    shingles = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        shingles += (
            session.scalar(
                select(func.count())
                .select_from(ArticleSignature)
                .where(
                    ArticleSignature.article_id.in_(chunk), ArticleSignature.shingles.is_not(None)
                )
            )
            or 0
        )
        if apply:
            session.execute(
                update(Article)
                .where(Article.id.in_(chunk))
                .values(summary="", body=None, detection=None, pruned_at=now)
            )
            session.execute(
                update(ArticleSignature)
                .where(ArticleSignature.article_id.in_(chunk))
                .values(shingles=None)
            )
    return PruneReport(len(ids), shingles, apply)
