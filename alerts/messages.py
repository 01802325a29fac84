"""Message strings of the alert e-mails, one data file per language (``alerts/locale/*.toml``).

Like dateparser's per-language data, a language is added by adding a file: ``de.toml`` with the
tables of ``en.toml``. A key the file lacks falls back to English, so a partial translation
still renders. Files are checked when loaded: the ``[meta]`` code must match the file name,
every value must be text (or a table of text), and a template may only use the placeholders its
English original uses (a typo such as ``{contry}`` is refused at start-up, not mid-pass).
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from alerts.errors import LocaleError

LOCALE_DIR = Path(__file__).with_name("locale")
DEFAULT_LANGUAGE = "en"

__all__ = ["DEFAULT_LANGUAGE", "Messages", "available_languages", "load_messages"]


def available_languages(directory: Path = LOCALE_DIR) -> list[str]:
    """The language codes that have a message file."""
    return sorted(p.stem for p in directory.glob("*.toml"))


def _placeholders(template: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}
    except ValueError as exc:
        raise LocaleError(f"malformed template {template!r}: {exc}") from None


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise LocaleError(f"cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise LocaleError(f"{path.name}: not valid TOML: {exc}") from None


def _check(data: Mapping[str, Any], reference: Mapping[str, Any], where: str) -> None:
    """Values are text or tables of text; templates keep to their English placeholders."""
    for key, value in data.items():
        here = f"{where}.{key}"
        original = reference.get(key) if isinstance(reference, Mapping) else None
        if isinstance(value, Mapping):
            _check(value, original if isinstance(original, Mapping) else {}, here)
        elif isinstance(value, list):
            if not all(isinstance(item, str) for item in value):
                raise LocaleError(f"{here}: expected a list of text")
        elif not isinstance(value, str):
            raise LocaleError(f"{here}: expected text, got {type(value).__name__}")
        elif isinstance(original, str):
            extra = _placeholders(value) - _placeholders(original)
            if extra:
                names = ", ".join("{" + n + "}" for n in sorted(extra))
                raise LocaleError(f"{here}: unknown placeholder {names}")


class Messages:
    """One language's strings, falling back to English key by key."""

    def __init__(self, code: str, data: Mapping[str, Any], fallback: Messages | None) -> None:
        self.code = code
        self._data = data
        self._fallback = fallback

    def __repr__(self) -> str:
        return f"Messages({self.code!r})"

    def table(self, name: str) -> dict[str, Any]:
        """A whole table, the English entries under this language's."""
        merged: dict[str, Any] = dict(self._fallback.table(name)) if self._fallback else {}
        own = self._data.get(name)
        if isinstance(own, Mapping):
            merged.update(own)
        return merged

    def lookup(self, name: str, key: str) -> Any | None:
        own = self._data.get(name)
        if isinstance(own, Mapping) and key in own:
            return own[key]
        return self._fallback.lookup(name, key) if self._fallback else None

    def get(self, name: str, key: str, default: str | None = None) -> str | None:
        value = self.lookup(name, key)
        return value if isinstance(value, str) else default

    def plural(self, table: str, key: str, count: int, /, **values: object) -> str:
        """Like :meth:`text` for a ``{ one = …, many = … }`` entry, chosen by ``count``
        (``one`` is 1 in English, 0 and 1 in French: ``[meta] one_includes_zero``)."""
        entry = self.lookup(table, key)
        if not isinstance(entry, Mapping):
            return self.text(table, key, count=count, **values)
        zero_is_one = self.get("meta", "one_includes_zero", "false") == "true"
        form = "one" if count == 1 or (zero_is_one and count == 0) else "many"
        template = entry.get(form) or entry.get("many")
        return self._fill(table, key, template, count=count, **values)

    def text(self, table: str, key: str, /, **values: object) -> str:
        """The template ``[table] key`` filled with ``values``; the key itself when missing."""
        return self._fill(table, key, self.get(table, key), **values)

    def _fill(self, table: str, key: str, template: object, **values: object) -> str:
        if not isinstance(template, str):
            return key
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError) as exc:
            raise LocaleError(
                f"{self.code}: [{table}] {key}: cannot fill {template!r}: {exc}"
            ) from None


@lru_cache(maxsize=16)
def _load(code: str, directory: str) -> Messages:
    folder = Path(directory)
    path = folder / f"{code}.toml"
    if not path.is_file():
        known = ", ".join(available_languages(folder)) or "none"
        raise LocaleError(f"no message file for language {code!r} (available: {known})")
    data = _read(path)
    meta = data.get("meta")
    if not isinstance(meta, Mapping) or meta.get("code") != code:
        raise LocaleError(f"{path.name}: [meta] code must be {code!r}")
    if code == DEFAULT_LANGUAGE:
        _check(data, {}, code)
        return Messages(code, data, None)
    english = _load(DEFAULT_LANGUAGE, directory)
    _check(data, english._data, code)
    return Messages(code, data, english)


def load_messages(code: str = DEFAULT_LANGUAGE, directory: Path = LOCALE_DIR) -> Messages:
    """The strings of language ``code`` (``en``, ``fr``…); :class:`LocaleError` when unusable."""
    return _load(code.strip().lower(), str(directory))
