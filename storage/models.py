"""Typed SQLAlchemy 2.0 models.

Tables: ``feeds`` (one row per source with its fetch state), ``articles`` (one row per distinct
report, deduplicated by feed+GUID, canonical URL hash and content hash; near-duplicates linked
by ``copy_of_id``), ``article_versions`` (the history of edited articles), ``article_signatures``
and ``article_bands`` (MinHash signatures and their LSH buckets), ``events`` (real-world
events detected in articles), ``event_articles`` (which article reports which event), ``event_updates`` (an event's history), ``alerts``
(the outbox: one row per alert, written before it is sent), ``deliveries`` (one row per alert and
channel, carrying the delivery state: status, attempts, last error, next attempt, lease),
``alert_decisions`` (why each new event alerted or not), ``locks`` (the database lock that keeps two passes out of the same stage) and ``installation``
(one row: the id that makes this installation's Message-IDs its own).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

# BIGINT primary keys on PostgreSQL, INTEGER (rowid alias) on SQLite.
IdType = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class Feed(Base):
    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    language: Mapped[str | None] = mapped_column(String(16))
    # The folder path of an OPML outline (``News/Asia``); feeds import keeps it, export writes it.
    category: Mapped[str | None] = mapped_column(String(300))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Conditional GET and change detection
    etag: Mapped[str | None] = mapped_column(String(1024))
    last_modified: Mapped[str | None] = mapped_column(String(256))
    body_hash: Mapped[str | None] = mapped_column(String(64))
    # Health (Miniflux-style per-feed error counters)
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_status: Mapped[int | None] = mapped_column(Integer)
    last_error_content_type: Mapped[str | None] = mapped_column(String(256))
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ttl_seconds: Mapped[int | None] = mapped_column(Integer)
    # The operator's own check interval (the sources file's ``interval``): replaces server hints.
    check_interval_seconds: Mapped[int | None] = mapped_column(Integer)
    entries_seen: Mapped[int] = mapped_column(Integer, default=0)

    articles: Mapped[list[Article]] = relationship(back_populates="feed")


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (
        UniqueConstraint("feed_id", "guid_hash", name="uq_articles_feed_guid"),
        UniqueConstraint("url_hash", name="uq_articles_url_hash"),
        UniqueConstraint("content_hash", name="uq_articles_content_hash"),
        Index("ix_articles_published_at", "published_at"),
        Index("ix_articles_discovered_at", "discovered_at"),
        # The analysis stage's queue: only the rows still to analyse (migration 0070).
        Index(
            "ix_articles_unanalysed",
            "id",
            sqlite_where=text("analysed_at IS NULL"),
            postgresql_where=text("analysed_at IS NULL"),
        ),
        Index("ix_articles_copy_of", "copy_of_id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    guid: Mapped[str] = mapped_column(Text)
    guid_hash: Mapped[str] = mapped_column(String(64))
    url: Mapped[str | None] = mapped_column(Text)
    canonical_url: Mapped[str | None] = mapped_column(Text)
    url_hash: Mapped[str | None] = mapped_column(String(64))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str | None] = mapped_column(Text)
    body_status: Mapped[str | None] = mapped_column(String(64))
    author: Mapped[str | None] = mapped_column(String(500))
    language: Mapped[str | None] = mapped_column(String(16))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    discovered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    analysed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    relevant: Mapped[bool | None] = mapped_column(Boolean)
    relevance_score: Mapped[float | None] = mapped_column(Float)
    detection: Mapped[dict[str, object] | None] = mapped_column(JSON)
    # Revision 0090 (storage/dedup.py, storage/wires.py): the first stored article this one is a
    # near-duplicate of (always an original, never a copy), the wires its text or byline
    # credits ("AFP", "AFP,Reuters"), the fingerprint of the feed entry (title + summary) that
    # tells an edited entry from an unchanged one, the current version number, and when
    # ``rudprk db prune`` dropped its text.
    copy_of_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    wire: Mapped[str | None] = mapped_column(String(200))
    entry_hash: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    pruned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    feed: Mapped[Feed] = relationship(back_populates="articles")


class ArticleVersion(Base):
    """One version of an edited article: its content hash, title, what changed from the version
    before (``["title", "text"]``) and when it was seen. Version 1 is written at the first
    edit; the article row holds the latest text."""

    __tablename__ = "article_versions"
    __table_args__ = (
        UniqueConstraint("article_id", "version", name="uq_article_versions_version"),
        Index("ix_article_versions_content_hash", "content_hash"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text, default="")
    changed: Mapped[list[str]] = mapped_column(JSON, default=list)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ArticleSignature(Base):
    """An article's MinHash signature (``NUM_PERM`` little-endian uint32) and its shingle set
    (sorted uint32 hashes; dropped by ``rudprk db prune``, the signature stays)."""

    __tablename__ = "article_signatures"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    shingles: Mapped[bytes | None] = mapped_column(LargeBinary)
    shingle_count: Mapped[int] = mapped_column(Integer)


class ArticleBand(Base):
    """One LSH band bucket of an article: articles sharing a ``band_key`` are candidates."""

    __tablename__ = "article_bands"
    __table_args__ = (
        PrimaryKeyConstraint("band_key", "article_id", name="pk_article_bands"),
        Index("ix_article_bands_article", "article_id"),
    )

    band_key: Mapped[int] = mapped_column(BigInteger)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))


class ArticleStopBand(Base):
    """An LSH band key held by more than ``storage.dedup.STOP_BAND_ARTICLES`` stored
    articles (revision 0100): its rows left ``article_bands`` and new ones are not written."""

    __tablename__ = "article_stop_bands"
    __table_args__ = (PrimaryKeyConstraint("band_key", name="pk_article_stop_bands"),)

    band_key: Mapped[int] = mapped_column(BigInteger)
    articles: Mapped[int] = mapped_column(Integer)


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_type_first_seen", "event_type", "first_seen_at"),
        Index("ix_events_type_last_seen", "event_type", "last_seen_at"),
        Index("ix_events_type_date", "event_type", "event_date"),
        Index("ix_events_instrument", "instrument", "last_seen_at"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    event_type: Mapped[str] = mapped_column(String(32))
    modality: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text)
    figure_low: Mapped[int | None] = mapped_column(BigInteger)
    figure_high: Mapped[int | None] = mapped_column(BigInteger)
    figure_unit: Mapped[str | None] = mapped_column(String(64))
    force: Mapped[str | None] = mapped_column(String(200))
    place: Mapped[str | None] = mapped_column(String(300))
    event_date: Mapped[date | None] = mapped_column(Date)
    date_precision: Mapped[str | None] = mapped_column(String(16))
    actors: Mapped[list[str]] = mapped_column(JSON, default=list)
    claimant: Mapped[str | None] = mapped_column(String(200))
    additional: Mapped[bool] = mapped_column(Boolean, default=False)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    first_article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL")
    )
    # When the pipeline first saw the event; ``first_published_at`` is when its first report
    # was published (the two differ for a back catalogue or a late feed).
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The record (revision 0040): an agreement's stage (signature, ratification, enactment,
    # entry into force, arrangement) and known instrument id (alerts/detection/instruments.toml),
    # a deployment's contingent key, the status (alleged, confirmed, denied), how the figure
    # was qualified (approx, more_than, up_to, range…), the force the figure counts (not the
    # source's word) and the end of a stated period.
    stage: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str | None] = mapped_column(String(16))
    instrument: Mapped[str | None] = mapped_column(String(64))
    contingent: Mapped[str | None] = mapped_column(String(200))
    figure_qualifier: Mapped[str | None] = mapped_column(String(16))
    unit_force: Mapped[str | None] = mapped_column(String(64))
    date_end: Mapped[date | None] = mapped_column(Date)
    # Revision 0041: the first event of a known instrument a later stage follows up (its alert
    # threads under that event's), and the blocking keys matching narrows candidates by.
    parent_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL")
    )
    place_area: Mapped[str | None] = mapped_column(String(300))
    claimant_side: Mapped[str | None] = mapped_column(String(8))


class EventArticle(Base):
    __tablename__ = "event_articles"
    __table_args__ = (Index("ix_event_articles_article_id", "article_id"),)

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16))  # "origin" or "report"
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EventUpdate(Base):
    """One change of an event's record (its history): ``changes`` is
    ``[{"field", "before", "after"}]``; ``fingerprint`` keeps the same change from being
    recorded (and alerted) twice."""

    __tablename__ = "event_updates"
    __table_args__ = (
        UniqueConstraint("event_id", "fingerprint", name="uq_event_updates_fingerprint"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    changes: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    fingerprint: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Alert(Base):
    """Outbox row, one per alert. ``dedup_key`` makes a second alert for the same event and kind
    impossible; its delivery state is in :class:`Delivery`, one row per channel."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("dedup_key", name="uq_alerts_dedup_key"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # new, update, digest
    dedup_key: Mapped[str] = mapped_column(String(200))
    # <random.installation@domain>: created once at enqueue, the same on every retry.
    message_id: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Why it was sent: the rule, scores, model version, evidence articles, matching decision
    # (and, for an update, what changed). Written with the alert, read by `rudprk alerts why`.
    why: Mapped[dict[str, object] | None] = mapped_column(JSON)


class Delivery(Base):
    """One alert on one channel (``email`` today): the exactly-once state machine.

    ``pending`` (due from ``next_attempt_at``) → ``sending`` (claimed by ``lease_owner`` until
    ``lease_expires_at``) → ``sent``; a temporary failure goes back to ``pending`` with a later
    ``next_attempt_at``; a permanent refusal ends in ``failed`` until an operator resends or
    discards it (``discarded``).
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("alert_id", "channel", name="uq_deliveries_alert_channel"),
        Index("ix_deliveries_status_next_attempt", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How it went out: "smtp" or "file" for the email channel.
    transport: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The e-mail addresses of the rules that chose this channel (None: RUDPRK_ALERT_TO).
    recipients: Mapped[list[str] | None] = mapped_column(JSON)


class AlertDecision(Base):
    """What the rules decided for a new event, alerted or not: ``outcome`` is ``alert``,
    ``digest`` (reported in the daily digest) or ``none``; ``reason`` says why (``rule``,
    ``type``, ``modality``, ``confidence``, ``stale``, ``held``…); ``why`` holds the scores, the
    model version, the evidence article ids and the matching decision."""

    __tablename__ = "alert_decisions"
    __table_args__ = (
        UniqueConstraint("event_id", name="uq_alert_decisions_event"),
        Index("ix_alert_decisions_decided_at", "decided_at"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(32))
    rule: Mapped[str | None] = mapped_column(String(200))
    why: Mapped[dict[str, object]] = mapped_column(JSON)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Lock(Base):
    """A named lock held by one pass (``owner``) until ``expires_at``; the holder renews it."""

    __tablename__ = "locks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(64))
    holder: Mapped[str] = mapped_column(String(300))  # "rudprk run, pid 123 on host"
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Installation(Base):
    """A single row: this installation's id, created once (part of every Message-ID)."""

    __tablename__ = "installation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    installation_id: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
