"""Alert and digest e-mails: golden files, escaping of hostile text, figure and date formatting.

Golden files live in tests/golden/; regenerate them with ``RUDPRK_UPDATE_GOLDEN=1 pytest
tests/test_render.py`` after an intended change, and review the diff.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest

from alerts.errors import RenderError
from alerts.messages import load_messages
from alerts.render import (
    AlertView,
    Change,
    SourceLink,
    alert_subject,
    fold_copies,
    format_actor,
    format_event_date,
    format_figures,
    format_force,
    message_id_for,
    one_line,
    render_alert,
    render_digest,
    safe_link,
)
from alerts.wording import headline, parties, quote_evidence

GOLDEN = Path(__file__).with_name("golden")
UPDATE = os.environ.get("RUDPRK_UPDATE_GOLDEN") == "1"
SENDER = "rudprk-watch <alerts@rudprk.test>"
RECIPIENTS = ["analyst@rudprk.test", "Desk Asia <desk@rudprk.test>"]
SENT = datetime(2026, 11, 20, 12, 5, tzinfo=UTC)

DEPLOYMENT = AlertView(
    alert_id=7,
    kind="new",
    event_id=42,
    event_type="deployment",
    modality="new",
    summary="North Korea has sent about 12,000 troops to Russia's Kursk region",
    evidence=(
        "Seoul's intelligence service said on Tuesday that Pyongyang had sent about 12,000 "
        "soldiers, including special forces, to the Kursk region for training."
    ),
    figure_low=12000,
    figure_high=12000,
    figure_unit="soldiers",
    force="troops+special_forces",
    place="Kursk",
    event_date=date(2026, 11, 17),
    date_precision="day",
    actors=["KP", "RU", "KR"],
    claimant="NIS",
    additional=False,
    confidence=0.91,
    sources=[
        SourceLink(
            name="Example Wire",
            title="Seoul says North Korean troops are in Kursk",
            url="https://wire.example/asia/2026/11/17/kursk?ref=rss&lang=en",
            published_at=datetime(2026, 11, 17, 8, 30, tzinfo=UTC),
            language="en",
            article_id=101,
        ),
        SourceLink(
            name="Le Quotidien Exemple",
            title="Des soldats nord-coréens envoyés dans la région de Koursk",
            url="https://quotidien.example/monde/koursk",
            published_at=datetime(2026, 11, 17, 10, 0, tzinfo=UTC),
            language="fr",
            article_id=102,
        ),
        SourceLink(
            name="Regional Reprint",
            title="Seoul says North Korean troops are in Kursk",
            url="https://reprint.example/world/kursk",
            published_at=datetime(2026, 11, 17, 12, 15, tzinfo=UTC),
            language="en",
            article_id=103,
            copy_of=101,
        ),
    ],
    message_id=message_id_for("event:42:new"),
    detected_at=datetime(2026, 11, 17, 11, 0, tzinfo=UTC),
    figure_qualifier="approx",
    evidence_language="en",
    claimant_side="KR",
    unit_force="troops",
)

AGREEMENT = AlertView(
    alert_id=8,
    kind="new",
    event_id=43,
    event_type="agreement",
    modality="new",
    summary="Russia and North Korea sign an agreement to resume Moscow–Pyongyang passenger trains",
    evidence=(
        "Les deux pays ont signé mercredi à Moscou un accord sur la reprise des trains de "
        "voyageurs entre Moscou et Pyongyang."
    ),
    figure_low=None,
    figure_high=None,
    figure_unit=None,
    force="accord:signature",
    place="Moscow",
    event_date=date(2026, 11, 1),
    date_precision="month",
    actors=["RU", "KP", "Choe Son Hui", "Sergei Lavrov"],
    claimant=None,
    additional=False,
    confidence=0.78,
    sources=[
        SourceLink(
            name="Le Quotidien Exemple",
            title="Moscou et Pyongyang relancent leurs trains",
            url="https://quotidien.example/monde/trains",
            published_at=None,
            language="fr",
        )
    ],
    message_id=message_id_for("event:43:new"),
    detected_at=datetime(2026, 11, 19, 15, 45, tzinfo=UTC),
)

UPDATED = replace(
    DEPLOYMENT,
    alert_id=9,
    kind="update",
    message_id=message_id_for("event:42:update:1"),
    in_reply_to=DEPLOYMENT.message_id,
    figure_low=15000,
    figure_high=15000,
    changes=(
        Change(
            "figures",
            {"low": 12000, "high": 12000, "qualifier": "approx"},
            {"low": 15000, "high": 15000, "qualifier": "approx"},
        ),
        Change("place", None, "Kursk"),
    ),
)

BACKGROUND = replace(
    AGREEMENT,
    alert_id=None,
    event_id=50,
    modality="background",
    force="treaty:signature",
    place="Pyongyang",
    event_date=date(2024, 6, 19),
    date_precision="day",
    evidence="The two countries signed a mutual defence treaty in Pyongyang in June 2024.",
    message_id="",
)

FAILING_FEEDS = [("Broken Feed", 6, "HTTP 404 Not Found (text/html)"), ("Slow Feed", 3, None)]


def _normalise(data: bytes) -> bytes:
    return re.sub(rb"(?m)^Date: [^\r\n]*", b"Date: <normalised>", data)


def _parts(msg: EmailMessage) -> tuple[str, str]:
    plain = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert plain is not None and html is not None
    return plain.get_content(), html.get_content()


def _check_golden(name: str, msg: EmailMessage) -> None:
    """The whole message (bytes, Date normalised) and its decoded text and HTML parts."""
    plain, html = _parts(msg)
    outputs = {
        f"{name}.eml": _normalise(msg.as_bytes(policy=policy.default)),
        f"{name}.txt": plain.encode("utf-8"),
        f"{name}.html": html.encode("utf-8"),
    }
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        for file_name, data in outputs.items():
            (GOLDEN / file_name).write_bytes(data)
        pytest.skip("golden files rewritten")
    for file_name, data in outputs.items():
        expected = (GOLDEN / file_name).read_bytes()
        assert data == expected, f"{file_name} differs (RUDPRK_UPDATE_GOLDEN=1 to regenerate)"


LANGUAGES = ["en", "fr"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("name", "view"),
    [("alert_deployment", DEPLOYMENT), ("alert_agreement", AGREEMENT), ("alert_update", UPDATED)],
)
def test_golden_alerts(name: str, view: AlertView, language: str) -> None:
    _check_golden(
        f"{name}_{language}",
        render_alert(view, sender=SENDER, recipients=RECIPIENTS, now=SENT, language=language),
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_golden_digest(language: str) -> None:
    digest = render_digest(
        [AGREEMENT, DEPLOYMENT],
        period_start=datetime(2026, 11, 16, 12, 0, tzinfo=UTC),
        period_end=datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
        sender=SENDER,
        recipients=RECIPIENTS,
        message_id=message_id_for("digest:2026-11-20"),
        failing_feeds=FAILING_FEEDS,
        now=SENT,
        undelivered=[(12, "email", "failed", 1, "550 5.1.1 mailbox unknown")],
        not_alerted=[
            ("modality", BACKGROUND),
            ("confidence", replace(DEPLOYMENT, alert_id=None, event_id=51, confidence=0.31)),
        ],
        language=language,
    )
    _check_golden(f"digest_{language}", digest)


def test_headline_says_who_did_what_how_many_where_when_and_according_to_whom() -> None:
    assert headline(DEPLOYMENT) == (
        "North Korea sends about 12,000 troops to the Kursk region on 17 November 2026, "
        "says South Korea's NIS"
    )
    assert headline(DEPLOYMENT, load_messages("fr")) == (
        "La Corée du Nord envoie environ 12\u202f000 soldats dans la région de Koursk "
        "le 17 novembre 2026, selon le renseignement sud-coréen (NIS)"
    )
    assert (
        headline(AGREEMENT) == "Russia and North Korea sign an agreement in Moscow in November 2026"
    )
    assert headline(AGREEMENT, load_messages("fr")) == (
        "La Russie et la Corée du Nord signent un accord à Moscou en novembre 2026"
    )
    ranged = replace(DEPLOYMENT, figure_low=10000, figure_high=12000, figure_qualifier="range")
    assert headline(ranged, load_messages("fr")).startswith(
        "La Corée du Nord envoie 10\u202f000 à 12\u202f000 soldats"
    )
    more = replace(DEPLOYMENT, additional=True, figure_low=2000, figure_high=2000, claimant=None)
    assert headline(more) == (
        "North Korea sends about 2,000 more troops to the Kursk region on 17 November 2026"
    )
    assert headline(replace(more, place=None, event_date=None)) == (
        "North Korea sends about 2,000 more troops to Russia"
    )
    ratified = replace(AGREEMENT, force="treaty:ratification", place=None, event_date=None)
    assert headline(ratified) == "Russia ratifies a treaty with North Korea"
    assert headline(UPDATED).startswith("Update: North Korea sends about 15,000 troops")


def test_the_claimants_country_is_not_a_party() -> None:
    assert parties(DEPLOYMENT) == ["KP", "RU"]
    plain, _html = _parts(render_alert(DEPLOYMENT, sender=SENDER, recipients=RECIPIENTS))
    assert "Parties:      North Korea, Russia\n" in plain
    assert "South Korea's NIS" in plain
    # A country that is a party and a claimant is still a party.
    kcna = replace(DEPLOYMENT, claimant="KCNA", claimant_side="KP")
    assert parties(kcna) == ["KP", "RU", "KR"]


def test_the_evidence_is_quoted_on_its_own_with_its_language() -> None:
    title = "North Korea sends troops to Russia"
    run_in = f"{title}\n\nSeoul's spy agency said 12,000 soldiers had left."
    assert quote_evidence(run_in, title) == "Seoul's spy agency said 12,000 soldiers had left."
    assert quote_evidence(f"{title} Seoul's spy agency said so.", title) == (
        "Seoul's spy agency said so."
    )
    assert quote_evidence(title, title) == title  # the headline is the whole evidence
    view = replace(DEPLOYMENT, evidence=f"{DEPLOYMENT.sources[0].title}\n\nThey went.")
    plain, html = _parts(render_alert(view, sender=SENDER, recipients=RECIPIENTS))
    assert "Evidence, in English:\n    “They went.”" in plain
    assert '<blockquote lang="en"' in html
    plain_fr, _ = _parts(
        render_alert(AGREEMENT, sender=SENDER, recipients=RECIPIENTS, language="fr")
    )
    assert "Extrait, en français :" in plain_fr


def test_copies_are_folded_under_their_original_and_marked() -> None:
    folded = fold_copies(DEPLOYMENT.sources)
    assert [(o.article_id, [c.article_id for c in cs]) for o, cs in folded] == [
        (101, [103]),
        (102, []),
    ]
    plain, html = _parts(render_alert(DEPLOYMENT, sender=SENDER, recipients=RECIPIENTS))
    assert "Sources (3):" in plain
    assert "copies of this report:\n     - Regional Reprint (copy): " in plain
    assert "https://reprint.example/world/kursk" in plain
    assert (
        'Regional Reprint <small>(copy)</small>: <a href="https://reprint.example/world/kursk">'
        in html
    )
    # A copy whose original is not listed stands alone, still marked.
    alone = fold_copies([replace(DEPLOYMENT.sources[2], copy_of=999)])
    assert len(alone) == 1
    plain, _ = _parts(
        render_alert(
            replace(DEPLOYMENT, sources=[replace(DEPLOYMENT.sources[2], copy_of=999)]),
            sender=SENDER,
            recipients=RECIPIENTS,
        )
    )
    assert "1. Regional Reprint (copy): " in plain


def test_detected_is_when_the_pipeline_saw_it_not_the_publication() -> None:
    plain, _ = _parts(render_alert(DEPLOYMENT, sender=SENDER, recipients=RECIPIENTS))
    assert "Detected by rudprk-watch 2026-11-17 11:00 UTC" in plain
    assert "published 2026-11-17 08:30 UTC" in plain


def test_an_update_says_what_changed() -> None:
    plain, _html = _parts(render_alert(UPDATED, sender=SENDER, recipients=RECIPIENTS))
    assert (
        "What changed:\n  - figures: about 12,000 → about 15,000\n  - place: Kursk (new)" in plain
    )
    plain_fr, _ = _parts(render_alert(UPDATED, sender=SENDER, recipients=RECIPIENTS, language="fr"))
    assert "chiffres : environ 12\u202f000 → environ 15\u202f000" in plain_fr


def test_the_html_has_a_viewport_and_the_readers_language() -> None:
    for language in LANGUAGES:
        msg = render_alert(DEPLOYMENT, sender=SENDER, recipients=RECIPIENTS, language=language)
        _, html = _parts(msg)
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
        assert f'<html lang="{language}">' in html
        assert msg["Content-Language"] == language


def test_date_is_the_only_header_that_changes_between_renders() -> None:
    first = render_alert(DEPLOYMENT, sender=SENDER, recipients=RECIPIENTS)
    second = render_alert(DEPLOYMENT, sender=SENDER, recipients=RECIPIENTS, now=SENT)
    assert _normalise(bytes(first)) == _normalise(bytes(second))
    assert second["Date"] == "Fri, 20 Nov 2026 12:05:00 +0000"


def test_alert_headers_and_structure() -> None:
    msg = render_alert(DEPLOYMENT, sender=SENDER, recipients=RECIPIENTS, now=SENT)
    parsed = BytesParser(policy=policy.default).parsebytes(bytes(msg))
    assert parsed["Subject"] == (
        "[rudprk] North Korea sends about 12,000 troops to the Kursk region on 17 November 2026, "
        "says South Korea's NIS"
    )
    assert parsed["Message-ID"] == DEPLOYMENT.message_id
    assert parsed["X-Rudprk-Alert-Kind"] == "new"
    assert parsed["X-Rudprk-Event-Type"] == "deployment"
    assert parsed["X-Rudprk-Event-Id"] == "42"
    assert parsed["X-Rudprk-Alert-Id"] == "7"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["List-Id"] == "rudprk-watch alerts <alerts.rudprk-watch.local>"
    assert [a.addr_spec for a in parsed["To"].addresses] == [
        "analyst@rudprk.test",
        "desk@rudprk.test",
    ]
    assert parsed.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]
    assert {p.get_content_charset() for p in parsed.iter_parts()} == {"utf-8"}
    assert parsed["In-Reply-To"] is None
    plain, html = _parts(parsed)
    for text in (plain, html):
        assert "about 12,000 troops" in text
        assert "North Korea, Russia" in text
        assert "Example Wire" in text
        assert "South Korea's NIS" in text.replace("&#39;", "'")
        assert "17 November 2026" in text
        assert "0.91" in text
        assert "#42" in text
    assert "“Seoul's intelligence service said on Tuesday" in plain
    assert "https://wire.example/asia/2026/11/17/kursk?ref=rss&lang=en" in plain
    assert 'href="https://wire.example/asia/2026/11/17/kursk?ref=rss&amp;lang=en"' in html


def test_update_alert_threads_under_the_first_alert() -> None:
    update = replace(
        DEPLOYMENT,
        alert_id=9,
        kind="update",
        message_id=message_id_for("event:42:update:1"),
        in_reply_to=DEPLOYMENT.message_id,
    )
    msg = render_alert(update, sender=SENDER, recipients=RECIPIENTS, now=SENT)
    assert msg["Subject"].startswith("[rudprk] Update: North Korea sends about 12,000 troops")
    assert msg["X-Rudprk-Alert-Kind"] == "update"
    assert msg["In-Reply-To"] == DEPLOYMENT.message_id
    assert msg["References"] == DEPLOYMENT.message_id


HOSTILE = replace(
    DEPLOYMENT,
    summary='Troops <script>alert("x")</script> & <img src=x onerror=alert(1)>',
    evidence="</blockquote><iframe src=https://evil.example></iframe>",
    place="Kursk\r\nBcc: victim@evil.example",
    claimant="<b>NIS</b>",
    actors=["North Korea\nX-Injected: 1"],
    sources=[
        SourceLink(
            name="Evil\r\nBcc: victim@evil.example",
            title="Title\r\nX-Injected: yes <script>steal()</script>",
            url="javascript:alert(document.cookie)",
            published_at=None,
            language="en\r\nX-Lang: 1",
        ),
        SourceLink(
            name="Quote",
            title="ok",
            url='https://evil.example/" onmouseover="alert(1)',
            published_at=None,
            language=None,
        ),
    ],
)


def test_hostile_text_is_escaped_in_html() -> None:
    msg = render_alert(HOSTILE, sender=SENDER, recipients=RECIPIENTS, now=SENT)
    _, html = _parts(msg)
    assert "<script" not in html
    assert "<iframe" not in html
    assert "<img" not in html
    assert "</blockquote><iframe" not in html
    assert "Title X-Injected: yes &lt;script&gt;steal()&lt;/script&gt;" in html
    assert "&lt;b&gt;NIS&lt;/b&gt;" in html
    assert "&lt;/blockquote&gt;&lt;iframe" in html
    assert re.findall(r'href="([^"]*)"', html) == []  # neither javascript: nor the quote trick
    assert 'onmouseover="' not in html


def test_crlf_in_untrusted_text_cannot_inject_headers() -> None:
    msg = render_alert(
        HOSTILE,
        sender="alerts@rudprk.test\r\nBcc: victim@evil.example",
        recipients=["analyst@rudprk.test\nX-Injected: 1"],
        now=SENT,
    )
    raw = bytes(msg)
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert parsed["Bcc"] is None
    assert parsed["X-Injected"] is None
    assert parsed["X-Lang"] is None
    assert "\n" not in str(parsed["Subject"]) and "\r" not in str(parsed["Subject"])
    assert parsed["Subject"] == (
        "[rudprk] North Korea sends about 12,000 troops to Kursk Bcc: victim@evil.example "
        "on 17 November 2026, says <b>NIS</b>"
    )
    header_block = raw.split(b"\n\n", 1)[0]
    assert not re.search(rb"(?m)^(Bcc|X-Injected|X-Lang):", header_block)
    plain, _ = _parts(parsed)
    assert "Title X-Injected: yes" in plain  # kept as text on one line, not as a header


@pytest.mark.parametrize(
    ("low", "high", "qualifier", "expected"),
    [
        (12000, 12000, "approx", "about 12,000 troops"),
        (12000, 12000, "exact", "12,000 troops"),
        (10000, 10000, "more_than", "more than 10,000 troops"),
        (500, 500, "less_than", "fewer than 500 troops"),
        (3000, 3000, "up_to", "up to 3,000 troops"),
        (10000, 12000, "range", "10,000–12,000 troops"),
        (2000, 9999, "vague", "roughly 2,000–9,999 troops"),
        (10000, None, "approx", "about 10,000 troops"),
        (12000, 12000, "unknown-qualifier", "12,000 troops"),
    ],
)
def test_format_figures_with_the_detected_qualifier(
    low: int | None, high: int | None, qualifier: str, expected: str
) -> None:
    assert format_figures(low, high, "troops", qualifier) == expected


def test_actor_codes_and_agreement_instruments_are_shown_readably() -> None:
    assert [format_actor(a) for a in ["KP", "RU", "Wagner", "XX"]] == [
        "North Korea",
        "Russia",
        "Wagner",
        "XX",
    ]
    assert format_force("accord:signature") == "accord (signature)"
    assert format_force("treaty:entry into force") == "treaty (entry into force)"
    assert format_force("special_forces") == "special forces"
    assert format_force("troops+special_forces", load_messages("fr")) == (
        "soldats et membres des forces spéciales"
    )
    assert format_force("agreement:") == "agreement"
    assert format_force(None) is None
    plain, html = _parts(render_alert(AGREEMENT, sender=SENDER, recipients=RECIPIENTS))
    assert "Instrument:   an agreement (signed)" in plain
    assert ">an agreement (signed)</td>" in html
    plain, _ = _parts(render_alert(AGREEMENT, sender=SENDER, recipients=RECIPIENTS, language="fr"))
    assert "Instrument :  un accord (signé)" in plain


def test_subject_of_other_event_types_and_long_subjects() -> None:
    visit = replace(
        AGREEMENT, event_type="visit", summary="Visit: Lavrov in Pyongyang", claimant=None
    )
    assert alert_subject(visit) == "[rudprk] Visit: Visit: Lavrov in Pyongyang"
    assert alert_subject(visit, load_messages("fr")) == (
        "[rudprk] Visite : Visit: Lavrov in Pyongyang"
    )
    long_view = replace(visit, summary="word " * 100)
    subject = alert_subject(long_view)
    assert len(subject) <= 300


@pytest.mark.parametrize(
    ("low", "high", "unit", "expected"),
    [
        (12000, 12000, "troops", "12,000 troops"),
        (12000, 12000, None, "12,000"),
        (10000, 12000, "troops", "10,000–12,000 troops"),
        (12000, 10000, None, "10,000–12,000"),
        (10000, None, None, "more than 10,000"),
        (None, 3000, "workers", "up to 3,000 workers"),
        (1500, 1500, "", "1,500"),
        (None, None, "troops", None),
        (2_500_000, 2_500_000, "rounds", "2,500,000 rounds"),
    ],
)
def test_format_figures(
    low: int | None, high: int | None, unit: str | None, expected: str | None
) -> None:
    assert format_figures(low, high, unit) == expected


@pytest.mark.parametrize(
    ("value", "precision", "expected"),
    [
        (date(2026, 11, 17), "day", "17 November 2026"),
        (date(2026, 11, 17), None, "17 November 2026"),
        (date(2026, 11, 16), "week", "the week of 16 November 2026"),
        (date(2026, 10, 1), "month", "October 2026"),
        (date(2026, 1, 1), "year", "2026"),
        (date(2026, 7, 1), "season", "around July 2026"),
        (date(2026, 3, 5), "approximate", "5 March 2026 (approximate)"),
        (None, "day", None),
    ],
)
def test_format_event_date(value: date | None, precision: str | None, expected: str | None) -> None:
    assert format_event_date(value, precision) == expected


def test_french_dates_and_numbers() -> None:
    fr = load_messages("fr")
    assert format_event_date(date(2026, 11, 1), "day", fr) == "1er novembre 2026"
    assert format_event_date(date(2026, 11, 1), "month", fr) == "novembre 2026"
    assert (
        format_figures(10000, 12000, "soldats", "range", fr) == "10\u202f000 à 12\u202f000 soldats"
    )
    assert format_figures(10000, None, None, None, fr) == "plus de 10\u202f000"


def test_message_id_is_stable_and_distinct() -> None:
    first = message_id_for("event:1:new")
    assert first == message_id_for("event:1:new")
    assert first != message_id_for("event:2:new")
    assert re.fullmatch(r"<rudprk\.[0-9a-f]{32}@rudprk-watch\.local>", first)
    assert message_id_for("event:1:new", "alerts.example.org").endswith("@alerts.example.org>")
    with pytest.raises(RenderError):
        message_id_for("event:1:new", "bad domain\r\nBcc: x")


def test_one_line_and_safe_link() -> None:
    assert one_line(" a\r\n b\u2028c\x00d\te ") == "a b cd e"
    assert one_line("abcdef", 4) == "abc…"
    assert one_line(None) == ""
    assert safe_link("https://x.example/a?b=1") == "https://x.example/a?b=1"
    assert safe_link("HTTP://X.EXAMPLE/") == "HTTP://X.EXAMPLE/"
    assert safe_link("javascript:alert(1)") is None
    assert safe_link("//x.example/a") is None
    assert safe_link('https://x.example/" onclick="x') is None
    assert safe_link(None) is None


def test_render_refuses_missing_addresses_and_bad_message_ids() -> None:
    with pytest.raises(RenderError, match="RUDPRK_ALERT_TO"):
        render_alert(DEPLOYMENT, sender=SENDER, recipients=[" ", ""])
    with pytest.raises(RenderError, match="RUDPRK_ALERT_FROM"):
        render_alert(DEPLOYMENT, sender="\r\n", recipients=RECIPIENTS)
    with pytest.raises(RenderError, match="Message-ID"):
        render_alert(
            replace(DEPLOYMENT, message_id="no-angle-brackets"),
            sender=SENDER,
            recipients=RECIPIENTS,
        )


def test_digest_headers_and_empty_digest() -> None:
    digest = render_digest(
        [DEPLOYMENT, AGREEMENT, replace(DEPLOYMENT, event_id=44, alert_id=10)],
        period_start=datetime(2026, 11, 19, 12, 0, tzinfo=UTC),
        period_end=datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
        sender=SENDER,
        recipients=RECIPIENTS,
        message_id=message_id_for("digest:a"),
        failing_feeds=FAILING_FEEDS,
    )
    assert digest["X-Rudprk-Alert-Kind"] == "digest"
    assert digest["X-Rudprk-Event-Type"] == "agreement, deployment"
    assert digest["X-Rudprk-Event-Id"] == "42, 43, 44"
    assert digest["Subject"] == (
        "[rudprk] Digest 2026-11-19 12:00 UTC – 2026-11-20 12:00 UTC: 3 alerts, 0 not alerted, "
        "2 failing feeds"
    )
    plain, html = _parts(digest)
    assert "Broken Feed: 6 consecutive errors; last: HTTP 404 Not Found (text/html)" in plain
    assert "Slow Feed: 3 consecutive errors" in plain
    assert "== Alerted (3) ==" in plain
    assert "* Russia and North Korea sign an agreement in Moscow in November 2026" in plain
    assert "Broken Feed: 6 consecutive errors" in html

    empty = render_digest(
        [],
        period_start=datetime(2026, 11, 19, 12, 0, tzinfo=UTC),
        period_end=datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
        sender=SENDER,
        recipients=RECIPIENTS,
        message_id=message_id_for("digest:b"),
    )
    assert empty["X-Rudprk-Event-Type"] == "none"
    assert empty["X-Rudprk-Event-Id"] == "none"
    assert empty["Subject"].endswith(": 0 alerts, 0 not alerted")
    plain, _ = _parts(empty)
    assert "No alert was sent in this period." in plain
    assert "Nothing else was detected in this period." in plain
    assert "Feeds failing" not in plain


def test_digest_escapes_hostile_text() -> None:
    digest = render_digest(
        [HOSTILE],
        period_start=datetime(2026, 11, 19, tzinfo=UTC),
        period_end=datetime(2026, 11, 20, tzinfo=UTC),
        sender=SENDER,
        recipients=RECIPIENTS,
        message_id=message_id_for("digest:c"),
        failing_feeds=[("<script>x</script>\r\nBcc: y", 2, "<b>boom</b>")],
    )
    _, html = _parts(digest)
    assert "<script" not in html and "<iframe" not in html and "<b>boom" not in html
    assert digest["Bcc"] is None
