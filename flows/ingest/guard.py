"""Hostile-XML guard: read the prolog before the root element, refuse entity declarations.

feedparser keeps "safe" internal entities (values without ``&``) and its loose parser expands
them with no limit: a 160 kB quadratic-blowup document grows to gigabytes. So the document's
prolog is examined *before* feedparser sees it:

* a DOCTYPE whose internal subset declares a general entity (``<!ENTITY name ...>``) is
  refused with :class:`HostileFeedError`, whatever the entity's value (internal text, SYSTEM
  ``file:///...`` or ``http://...``): nothing is expanded and nothing is fetched;
* any other DOCTYPE (an external DTD reference, element declarations, external parameter
  entities such as the XHTML Latin-1 entity set) is cut out, so no DTD is ever read;
* the XML declaration is replaced by one saying UTF-8, since the text is already decoded.

Only the prolog is scanned, with compiled regular expressions that step over quoted strings
in one move, so the cost does not depend on the size of the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flows.ingest.errors import HostileFeedError, ParseError

UTF8_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
_UTF8_DECLARATION_BYTES = UTF8_DECLARATION.encode("ascii")

_WS = re.compile(r"\s*")
_NAME_START = re.compile(r"<([A-Za-z_][\w:.\-]*)")
_DOCTYPE_NAME = re.compile(r"<!DOCTYPE\s+([^\s\[>]+)", re.IGNORECASE)
# Tokens inside the part of a DOCTYPE before its internal subset: quoted ids, "[" or ">".
_DOCTYPE_HEAD = re.compile(r"\"[^\"]*\"|'[^']*'|\[|>")
# Tokens inside an internal subset: quoted strings, comments, entity keywords, the closing "]".
_SUBSET = re.compile(r"\"[^\"]*\"|'[^']*'|<!--.*?-->|<!ENTITY\s+(%?)|\]", re.DOTALL)
_SUBSET_END = re.compile(r"\s*>")
# How far junk before the first "<" is tolerated (PHP notices, stray text).
_MAX_LEADING_JUNK = 4096


@dataclass(frozen=True)
class Prolog:
    """What the prolog scan found.

    ``root`` is the root element's name as written (``rss``, ``rdf:RDF``, ``feed``,
    ``html``...), None when there is none; ``start`` is where the kept document begins in
    ``text`` (the root element, or after a DOCTYPE that has no element after it).
    """

    text: str
    start: int
    root: str | None
    doctype: str | None
    warnings: tuple[str, ...]

    @property
    def body(self) -> str:
        """The document from its root element on, behind a UTF-8 XML declaration."""
        rest = self.text[self.start :]
        return UTF8_DECLARATION + rest if self.root is not None else rest

    def utf8_document(self) -> bytes:
        """``body`` encoded as UTF-8, without building the intermediate string."""
        rest = self.text[self.start :].encode("utf-8")
        return _UTF8_DECLARATION_BYTES + rest if self.root is not None else rest


def scan_prolog(text: str) -> Prolog:
    """Check and strip the prolog of a decoded document.

    Raises HostileFeedError when a DTD declares a general entity, ParseError when a DOCTYPE
    is not terminated.
    """
    warnings: list[str] = []
    doctype: str | None = None
    pos = _WS.match(text).end()  # type: ignore[union-attr]
    n = len(text)
    if pos < n and text[pos] != "<" and text[pos] not in "{[":
        first = text.find("<", pos, pos + _MAX_LEADING_JUNK)
        if first > 0 and _looks_like_markup_start(text, first):
            warnings.append("text before the XML prolog ignored")
            pos = first
    while pos < n:
        if text.startswith("<?", pos):
            end = text.find("?>", pos + 2)
            if end < 0:
                break
            pos = end + 2
        elif text.startswith("<!--", pos):
            end = text.find("-->", pos + 4)
            if end < 0:
                break
            pos = end + 3
        elif text[pos : pos + 9].upper() == "<!DOCTYPE":
            if doctype is not None:
                raise HostileFeedError("hostile XML: more than one DOCTYPE")
            doctype, pos, param = _skip_doctype(text, pos)
            if param:
                warnings.append("DOCTYPE with parameter entities ignored (never fetched)")
        elif (m := _NAME_START.match(text, pos)) is not None:
            return Prolog(text, pos, m.group(1), doctype, tuple(warnings))
        else:
            break
        pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
    if doctype is not None:
        # A DOCTYPE with no element after it: never hand the DTD on.
        return Prolog(text, pos, None, doctype, tuple(warnings))
    return Prolog(text, 0, None, None, tuple(warnings))


def _looks_like_markup_start(text: str, pos: int) -> bool:
    nxt = text[pos + 1 : pos + 2]
    return nxt in ("?", "!") or nxt.isalpha()


def _skip_doctype(text: str, start: int) -> tuple[str, int, bool]:
    """Return (doctype name, position after the DOCTYPE, declares parameter entities)."""
    m = _DOCTYPE_NAME.match(text, start)
    name = m.group(1) if m else ""
    pos = m.end() if m else start + 9
    for tok in _DOCTYPE_HEAD.finditer(text, pos):
        t = tok.group(0)
        if t == ">":
            return name, tok.end(), False
        if t == "[":
            return _skip_internal_subset(text, tok.end(), name)
    raise ParseError("malformed XML: DOCTYPE is not terminated")


def _skip_internal_subset(text: str, pos: int, name: str) -> tuple[str, int, bool]:
    param = False
    for tok in _SUBSET.finditer(text, pos):
        t = tok.group(0)
        if t.startswith("<!ENTITY"):
            if tok.group(1) != "%":
                raise HostileFeedError("hostile XML: DTD declares entities")
            param = True
        elif t == "]":
            end = _SUBSET_END.match(text, tok.end())
            if end is None:
                raise ParseError("malformed XML: DOCTYPE is not terminated")
            return name, end.end(), param
    raise ParseError("malformed XML: DOCTYPE is not terminated")
