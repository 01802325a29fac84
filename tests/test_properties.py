"""Property tests (hypothesis) for the functions that meet untrusted input first.

* URL canonicalisation is idempotent, drops fragments and tracking parameters, and gives the
  same dedup key to the spellings of one URL;
* feed URLs with schemes other than http(s) are refused;
* the dedup keys are deterministic and blind to case, spacing and punctuation;
* ``parse_feed`` raises nothing but its own errors on any bytes and on feeds with hostile text,
  and never lets a control character, NUL or lone surrogate into what would be stored;
* the figure and date readers never raise, and what they find lies inside the text;
* no title, place or source name with CR/LF becomes an e-mail header, and HTML in them is
  escaped.

``RUDPRK_RELIABILITY=long`` multiplies the examples by ten.
"""

from __future__ import annotations

import os
import re
import string
from dataclasses import replace
from datetime import UTC, date, datetime
from email import policy
from email.parser import BytesParser
from html import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alerts.dates import resolve_dates
from alerts.figures import extract_quantities
from alerts.render import SourceLink, render_alert
from flows.ingest.errors import ParseError
from flows.ingest.parse import parse_feed
from flows.ingest.urls import canonicalize_url, feed_url_problem
from storage.keys import content_key, guid_key, normalise_text, url_key

LONG = os.environ.get("RUDPRK_RELIABILITY", "").strip().lower() == "long"
EXAMPLES = 1000 if LONG else 100
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,  # a loaded CI machine must not turn a slow example into a failure
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=not LONG,  # quick mode is the same every run; the long mode explores
    database=None,  # nothing written to .hypothesis/: a failure prints its example
)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# --- URLs -----------------------------------------------------------------------------------

# No spaces: whitespace around a URL is trimmed and inside it encoded, so "http://a/ " and
# "http://a/ ?q=1" are rightly different URLs.
_segment = st.text(
    alphabet=string.ascii_letters + string.digits + "-._~%!$&'()*+,;=:@éЖ한", max_size=12
)
_hosts = st.sampled_from(
    [
        "example.org",
        "EXAMPLE.org",
        "news.example.org.",
        "xn--80ak6aa92e.com",
        "пример.рф",
        "127.0.0.1",
    ]
)
_params = st.lists(
    st.tuples(
        st.sampled_from(["id", "page", "utm_source", "utm_medium", "fbclid", "q", "amp", "ref"]),
        st.text(alphabet=string.ascii_letters + string.digits + "%+/", max_size=8),
    ),
    max_size=4,
)


@st.composite
def urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "HttpS"]))
    host = draw(_hosts)
    port = draw(st.sampled_from(["", ":80", ":443", ":8080"]))
    path = "/".join(draw(st.lists(_segment, max_size=5)))
    query = "&".join(f"{k}={v}" for k, v in draw(_params))
    fragment = draw(st.sampled_from(["", "#top", "#section-2"]))
    return f"{scheme}://{host}{port}/{path}" + (f"?{query}" if query else "") + fragment


@PROPERTY
@given(urls())
def test_canonicalisation_is_idempotent(url: str) -> None:
    once = canonicalize_url(url)
    assert canonicalize_url(once) == once


@PROPERTY
@given(st.text(max_size=80))
def test_canonicalisation_of_any_text_never_raises_and_is_idempotent(text: str) -> None:
    once = canonicalize_url(text)
    assert canonicalize_url(once) == once


@PROPERTY
@given(urls())
def test_canonical_urls_have_no_fragment_nor_tracking_parameter(url: str) -> None:
    canonical = canonicalize_url(url)
    assert "#" not in canonical
    assert not re.search(r"[?&](utm_[a-z]+|fbclid)=", canonical), canonical
    assert canonical.startswith(("http://", "https://"))


@PROPERTY
@given(urls(), st.sampled_from(["", "#frag"]), st.sampled_from(["", "utm_source=rss"]))
def test_spellings_of_one_url_share_one_dedup_key(url: str, fragment: str, tracking: str) -> None:
    base = url.split("#", 1)[0]
    variant = base
    if tracking:
        variant += ("&" if "?" in variant else "?") + tracking
    variant += fragment
    assert url_key(canonicalize_url(variant)) == url_key(canonicalize_url(base))


@PROPERTY
@given(
    st.sampled_from(["file", "ftp", "javascript", "data", "gopher", "mailto", "ws", ""]),
    st.text(alphabet=string.ascii_letters + "/.:", max_size=20),
)
def test_feed_urls_other_than_http_are_refused(scheme: str, rest: str) -> None:
    url = f"{scheme}:{rest}" if scheme else rest
    assert feed_url_problem(url) is not None


# --- dedup keys -----------------------------------------------------------------------------


@PROPERTY
@given(st.text(max_size=200))
def test_normalised_text_is_idempotent_and_keys_are_stable(text: str) -> None:
    norm = normalise_text(text)
    assert normalise_text(norm) == norm
    assert guid_key(text) == guid_key(text) and len(guid_key(text)) == 64
    assert guid_key(f"  {text}\t") == guid_key(text)


@PROPERTY
@given(st.text(alphabet=string.ascii_letters + " ", min_size=90, max_size=200))
def test_content_keys_ignore_case_spacing_and_punctuation(text: str) -> None:
    key = content_key("Title", text)
    shouted = content_key("TITLE!", "  " + text.upper().replace(" ", " ,  ") + " .")
    if normalise_text(f"Title {text}") and len(normalise_text(f"Title {text}")) >= 80:
        assert key is not None and key == shouted
    else:
        assert key is None


# --- feed parsing ---------------------------------------------------------------------------

_hostile_text = st.text(
    alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Z", "Cc", "Cs", "Co"]),
    max_size=60,
)
_char_refs = st.sampled_from(
    ["&#0;", "&#x1;", "&#xD800;", "&#x110000;", "&#99999999999;", "&amp;", "&lt;b&gt;", "&nbsp;"]
)


@st.composite
def hostile_feeds(draw: st.DrawFn) -> bytes:
    def field() -> str:
        raw = draw(_hostile_text) + draw(_char_refs) + draw(_hostile_text)
        # Markup characters are kept (escaped) or left raw, to reach both parsers' paths.
        return escape(raw) if draw(st.booleans()) else raw.replace("<", "").replace("&", "")

    items = "".join(
        f"<item><guid>{field()}</guid><title>{field()}</title><link>{field()}</link>"
        f"<description>{field()}</description><pubDate>{field()}</pubDate></item>"
        for _ in range(draw(st.integers(1, 3)))
    )
    doc = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{field()}</title>{items}</channel></rss>'
    return doc.encode("utf-8", errors="surrogatepass")


def _parse_or_refuse(content: bytes) -> None:
    try:
        feed = parse_feed(content, url="http://127.0.0.1:9/feed.xml", now=NOW)
    except ParseError:
        return
    for entry in feed.entries:
        for value in (entry.guid, entry.title, entry.summary, entry.link or "", entry.author or ""):
            assert not FORBIDDEN.search(value), repr(value)
        assert entry.guid
        assert entry.published is None or entry.published.tzinfo is not None
    assert not FORBIDDEN.search(feed.title or "")


@PROPERTY
@given(st.binary(max_size=2048))
def test_parse_feed_on_any_bytes_raises_only_its_own_errors(content: bytes) -> None:
    _parse_or_refuse(content)


@PROPERTY
@given(hostile_feeds())
def test_parse_feed_keeps_forbidden_characters_out_of_entries(content: bytes) -> None:
    _parse_or_refuse(content)


@PROPERTY
@given(
    st.fixed_dictionaries(
        {"version": st.just("https://jsonfeed.org/version/1.1")},
        optional={
            "title": _hostile_text,
            "items": st.lists(
                st.dictionaries(
                    st.sampled_from(["id", "url", "title", "content_text", "date_published"]),
                    st.one_of(_hostile_text, st.integers(), st.none(), st.booleans()),
                ),
                max_size=3,
            ),
        },
    )
)
def test_json_feeds_with_any_values_raise_only_parse_errors(doc: dict[str, object]) -> None:
    import json

    _parse_or_refuse(json.dumps(doc).encode("utf-8", errors="surrogatepass"))


# --- figures and dates -----------------------------------------------------------------------

_WORDS = (
    "about more than up to troops soldiers 12 000 тысяч около свыше bis zu environ plus de"
    " 약 명 万 三千 January 2026 mars в октябре last week next month yesterday 1/2 ½"
)
_prose = st.lists(st.sampled_from([*"0123456789 ,.-–—~+%$()/:", *_WORDS.split()]), max_size=40).map(
    " ".join
)


@PROPERTY
@given(_prose | st.text(max_size=120), st.sampled_from(["en", "fr", "ru", "ko", "de", None, "xx"]))
def test_figures_never_raise_and_lie_inside_the_text(text: str, lang: str | None) -> None:
    for quantity in extract_quantities(text, lang):
        assert 0 <= quantity.start <= quantity.end <= len(text)
        assert quantity.low <= quantity.high


@PROPERTY
@given(
    _prose | st.text(max_size=120),
    st.sampled_from(["en", "fr", "ru", "ko", "de", None, "xx"]),
    st.dates(min_value=date(1991, 1, 1), max_value=date(2040, 12, 31)),
)
def test_dates_never_raise_and_are_ordered(text: str, lang: str | None, published: date) -> None:
    for mention in resolve_dates(text, lang, published):
        assert mention.start <= mention.end
        assert 0 <= mention.start_idx <= mention.end_idx <= len(text)


# --- e-mail headers -------------------------------------------------------------------------

_header_text = st.lists(
    st.sampled_from([*string.ascii_letters, " ", ":", "<", ">", "&", '"', "'", "\r", "\n", "\r\n"]),
    min_size=1,
    max_size=40,
).map("".join)


@PROPERTY
@given(_header_text, _header_text, _header_text, _header_text)
def test_untrusted_text_never_becomes_a_header_and_html_is_escaped(
    place: str, claimant: str, name: str, title: str
) -> None:
    from test_render import DEPLOYMENT, RECIPIENTS, SENDER, SENT

    view = replace(
        DEPLOYMENT,
        place=place + "\r\nBcc: victim@evil.example",
        claimant=claimant,
        sources=[
            SourceLink(
                name=name,
                title=title + "\nX-Injected: 1 <script>x</script>",
                url="https://example.org/a",
                published_at=None,
                language="en",
            )
        ],
    )
    raw = bytes(render_alert(view, sender=SENDER, recipients=RECIPIENTS, now=SENT))
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert parsed["Bcc"] is None and parsed["X-Injected"] is None
    for header in ("Subject", "From", "To", "Message-ID"):
        value = str(parsed[header])
        assert "\r" not in value and "\n" not in value
    html = next(p for p in parsed.walk() if p.get_content_type() == "text/html").get_content()
    assert "<script" not in html


def test_the_properties_are_not_vacuous() -> None:
    """Each strategy reaches the cases it exists for (a generator that only made easy inputs
    would pass every property above)."""
    assert canonicalize_url("HTTP://Example.org:80/a/./b/../c/?utm_source=x&id=1#f") == (
        "http://example.org/a/c?id=1"
    )
    with pytest.raises(ParseError):
        parse_feed(b"\x89PNG\r\n\x1a\n....", url="http://127.0.0.1:9/f", now=NOW)
    assert extract_quantities("about 12,000 troops", "en")[0].low == 12000
