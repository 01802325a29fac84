"""URL canonicalisation (for deduplication) and resolution (relative links in feeds).

``canonicalize_url`` maps the spellings of one article URL to one string:

* scheme and host lower-cased, IDNA host encoded (``bücher.de`` → ``xn--bcher-kva.de``),
  default ports (80 for http, 443 for https) and the fragment dropped, user info kept;
* tracking parameters dropped (``utm_*``, ``fbclid``, ``gclid``, ``xtor``, ``at_medium``,
  ``at_campaign`` and the others in ``TRACKING_PARAMS``); the remaining parameters sorted
  (stable: repeated keys keep their order);
* path normalised: ``.``/``..`` segments resolved, duplicate slashes merged, unreserved
  characters percent-decoded and escapes upper-cased, a trailing ``index.html``-style document
  name removed, the trailing slash removed (except for the root ``/``);
* AMP variants folded: a final ``/amp`` segment, a ``.amp`` / ``.amp.html`` suffix and the
  ``amp``, ``outputType=amp`` parameters.

Only http(s) URLs are rewritten; anything else is returned stripped and otherwise unchanged.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "xtor",
        "xtref",
        "at_medium",
        "at_campaign",
        "at_custom1",
        "at_custom2",
        "at_custom3",
        "at_custom4",
        "at_link",
        "at_format",
        "at_platform",
        "at_ptr_name",
        "at_bbc_team",
        "ns_mchannel",
        "ns_source",
        "ns_campaign",
        "ns_linkname",
        "ns_fee",
        "ocid",
        "cmpid",
        "ito",
        "smid",
        "smtyp",
        "ref_src",
        "ref_url",
        "amp",
    }
)
_TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_", "ga_")
_INDEX_DOCS = re.compile(r"/(?:index|default)\.(?:html?|php|aspx?|jsp|shtml)$", re.IGNORECASE)
_AMP_SUFFIX = re.compile(r"(?:/amp/?|\.amp(?:\.html?)?)$", re.IGNORECASE)
_MULTI_SLASH = re.compile(r"/{2,}")
# Characters that never need escaping in a path (RFC 3986 unreserved + sub-delims + ":@/").
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


FEED_SCHEMES = ("http", "https")


def feed_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a feed (``None`` when it can): only absolute http(s) URLs with a
    host are fetched, so ``file:``, ``ftp:``, ``javascript:``, ``data:``… are refused."""
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return "not a URL"
    if parts.scheme.lower() not in FEED_SCHEMES:
        shown = f"{parts.scheme}:" if parts.scheme else "no scheme"
        return f"not an http(s) URL ({shown})"
    if not parts.hostname:
        return "no host"
    if any(c.isspace() or ord(c) < 32 for c in text):
        return "contains spaces or control characters"
    return None


def canonicalize_url(url: str) -> str:
    """The canonical form of an http(s) URL, for deduplication (see the module doc)."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS or not parts.hostname:
            return url
        host = _canonical_host(parts.hostname)
        port = parts.port
    except ValueError:
        return url
    netloc = host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{userinfo}@{netloc}"

    path = _canonical_path(parts.path)
    query_pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in query_pairs if not _is_tracking(k, v)]
    kept.sort(key=lambda kv: kv[0])
    query = urlencode(kept, quote_via=quote, safe="/:@!$'()*,;~")
    return urlunsplit((scheme, netloc, path, query, ""))


def resolve_url(base: str, href: str) -> str:
    """``href`` made absolute against ``base`` (whitespace trimmed; a bad base leaves href)."""
    href = href.strip()
    if not base:
        return href
    try:
        return urljoin(base.strip(), href)
    except ValueError:
        return href


def _is_tracking(key: str, value: str) -> bool:
    k = key.lower()
    if k in TRACKING_PARAMS:
        return k != "amp" or value.lower() in ("", "1", "true")
    if k == "outputtype":
        return value.lower() == "amp"
    return k.startswith(_TRACKING_PREFIXES)


def _canonical_host(hostname: str) -> str:
    host = hostname.lower().rstrip(".")
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _normalise_escape(m: re.Match[str]) -> str:
    char = chr(int(m.group(1), 16))
    return char if char in _UNRESERVED else "%" + m.group(1).upper()


def _canonical_path(path: str) -> str:
    if not path:
        return "/"
    path = _MULTI_SLASH.sub("/", path)
    segments: list[str] = []
    for seg in path.split("/")[1:] if path.startswith("/") else path.split("/"):
        if seg == ".":
            continue
        if seg == "..":
            if segments:
                segments.pop()
            continue
        segments.append(seg)
    path = "/" + "/".join(segments)
    path = _PERCENT.sub(_normalise_escape, quote(path, safe=_PATH_SAFE))
    path = _INDEX_DOCS.sub("/", path)
    if path != "/" and _AMP_SUFFIX.search(path):
        path = _AMP_SUFFIX.sub("", path) or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    return path
