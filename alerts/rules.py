"""Alert rules and channels: which events alert, how, and to whom (``RUDPRK_RULES``, TOML).

A rules file has ``[channels.NAME]`` tables (an Apprise URL each: Slack, Teams, Telegram,
Matrix, a generic JSON webhook…) and ``[[rules]]``::

    [channels.desk-slack]
    url_file = "/run/secrets/desk-slack"        # or url = "slack://…"

    [[rules]]
    name = "deployments"
    event_types = ["deployment"]                 # default: deployment, agreement
    statuses = ["new"]                           # modalities; default: new
    stages = []                                  # agreement stages; empty: any
    min_confidence = 0.5                         # default 0
    languages = []                               # article languages; empty: any
    kinds = ["new", "update"]                    # default: both
    mode = "immediate"                           # or "digest": listed in the daily digest
    email = true                                 # send by e-mail (default true)
    recipients = ["desk@example.org"]            # default: RUDPRK_ALERT_TO
    channels = ["desk-slack"]

Rules are checked when the file is loaded: any problem is one :class:`~alerts.errors.RulesError`
line naming the rule and key. Without a file one rule applies: new deployments and agreements,
immediately, by e-mail to ``RUDPRK_ALERT_TO`` — the behaviour before rules existed.
:func:`decide` is pure: the same event and rules always give the same decision, which is what
``rudprk backtest`` relies on.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from alerts.errors import RulesError

EMAIL = "email"
EVENT_TYPES = (
    "deployment",
    "agreement",
    "arms_transfer",
    "visit",
    "casualties",
    "sanctions",
    "other",
)
STATUSES = ("new", "background", "speculative", "denied")
STAGES = ("signature", "ratification", "enactment", "entry into force", "arrangement")
KINDS = ("new", "update")
MODES = ("immediate", "digest")
Mode = Literal["immediate", "digest"]
# The order in which a rule's criteria are checked; the first that fails is the reason.
CRITERIA = ("kind", "type", "modality", "stage", "language", "confidence")

_RULE_KEYS = {
    "name",
    "event_types",
    "statuses",
    "stages",
    "min_confidence",
    "languages",
    "kinds",
    "mode",
    "email",
    "recipients",
    "channels",
}
_CHANNEL_KEYS = {"url", "url_file"}


@dataclass(frozen=True)
class Channel:
    """A notification channel beyond e-mail: an Apprise URL (a secret: never shown)."""

    name: str
    url: str = field(repr=False)

    def scheme(self) -> str:
        return self.url.split("://", 1)[0].lower()


@dataclass(frozen=True)
class Rule:
    name: str
    event_types: tuple[str, ...] = ("deployment", "agreement")
    statuses: tuple[str, ...] = ("new",)
    stages: tuple[str, ...] = ()
    min_confidence: float = 0.0
    languages: tuple[str, ...] = ()
    kinds: tuple[str, ...] = KINDS
    mode: Mode = "immediate"
    email: bool = True
    recipients: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()

    def first_failure(self, facts: EventFacts) -> str | None:
        """The first criterion (of :data:`CRITERIA`) the event fails, or ``None``."""
        if facts.kind not in self.kinds:
            return "kind"
        if facts.event_type not in self.event_types:
            return "type"
        if facts.modality not in self.statuses:
            return "modality"
        if self.stages and facts.stage not in self.stages:
            return "stage"
        if self.languages and (facts.language or "").split("-")[0] not in self.languages:
            return "language"
        if facts.confidence < self.min_confidence:
            return "confidence"
        return None


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    channels: Mapping[str, Channel] = field(default_factory=dict)
    path: Path | None = None

    @property
    def is_default(self) -> bool:
        return self.path is None


DEFAULT_RULES = RuleSet(rules=(Rule(name="default"),))


@dataclass(frozen=True)
class EventFacts:
    """What the rules look at: the detector's fields of one event, as stored."""

    event_type: str
    modality: str
    confidence: float
    stage: str | None = None
    language: str | None = None
    kind: str = "new"

    @classmethod
    def of(
        cls,
        *,
        event_type: str,
        modality: str,
        confidence: float,
        force: str | None,
        language: str | None,
        kind: str = "new",
    ) -> EventFacts:
        stage = (force or "").partition(":")[2].strip() or None
        return cls(event_type, modality, float(confidence), stage, language, kind)


@dataclass(frozen=True)
class Decision:
    """What the rules decided for one event: ``outcome`` ``alert``, ``digest`` or ``none``."""

    outcome: Literal["alert", "digest", "none"]
    reason: str  # "rule" when a rule matched, else the criterion that failed, or stale/held
    rules: tuple[str, ...]  # the rules that matched (immediate ones for an alert)
    channels: tuple[str, ...]  # "email" and channel names, for an alert
    recipients: tuple[str, ...]  # the matching rules' e-mail addresses (empty: the defaults)
    checks: tuple[tuple[str, str | None], ...]  # (rule, first failing criterion or None)

    @property
    def rule(self) -> str | None:
        return ", ".join(self.rules) or None

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "reason": self.reason,
            "rules": list(self.rules),
            "channels": list(self.channels),
            "recipients": list(self.recipients),
            "checks": [{"rule": name, "failed": failed} for name, failed in self.checks],
        }


def decide(facts: EventFacts, rules: RuleSet, *, fresh: bool = True) -> Decision:
    """The decision for one event. A stale event (older than the freshness window) never
    alerts; its decision says which rules it would have matched."""
    checks = tuple((rule.name, rule.first_failure(facts)) for rule in rules.rules)
    matched = [r for r, (_, failed) in zip(rules.rules, checks, strict=True) if failed is None]
    immediate = [r for r in matched if r.mode == "immediate"]
    if immediate and fresh:
        channels: list[str] = []
        recipients: list[str] = []
        for rule in immediate:
            if rule.email:
                channels.append(EMAIL)
                recipients.extend(rule.recipients)
            channels.extend(rule.channels)
        # A rule with no recipients of its own sends to the defaults: then everyone does.
        if any(r.email and not r.recipients for r in immediate):
            recipients = []
        return Decision(
            "alert",
            "rule",
            tuple(r.name for r in immediate),
            tuple(dict.fromkeys(channels)),
            tuple(dict.fromkeys(recipients)),
            checks,
        )
    if immediate:
        return Decision("none", "stale", tuple(r.name for r in immediate), (), (), checks)
    if matched:
        return Decision("digest", "digest", tuple(r.name for r in matched), (), (), checks)
    failures = [failed for _, failed in checks if failed is not None]
    # The rule the event came closest to matching says best why it did not.
    reason = max(failures, key=CRITERIA.index) if failures else "rule"
    return Decision("none", reason, (), (), (), checks)


# --- loading and validation ------------------------------------------------------------------


def _strings(value: Any, where: str, allowed: Sequence[str] | None = None) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RulesError(f"{where}: expected a list of text")
    items = tuple(v.strip() for v in value if v.strip())
    if allowed is not None:
        for item in items:
            if item not in allowed:
                raise RulesError(
                    f"{where}: unknown value {item!r} (expected one of {', '.join(allowed)})"
                )
    return items


def _address(value: str, where: str) -> str:
    if "@" not in value or any(c in value for c in "\r\n,"):
        raise RulesError(f"{where}: not an e-mail address: {value!r}")
    return value


def _channel(name: str, table: Any, base: Path) -> Channel:
    where = f"channels.{name}"
    if not isinstance(table, Mapping):
        raise RulesError(f"{where}: expected a table with url or url_file")
    unknown = set(table) - _CHANNEL_KEYS
    if unknown:
        raise RulesError(f"{where}: unknown key {sorted(unknown)[0]!r} (expected url or url_file)")
    if name == EMAIL or not name.replace("-", "").replace("_", "").isalnum() or len(name) > 48:
        raise RulesError(f"{where}: a channel name is letters, digits, - and _ (not 'email')")
    if ("url" in table) == ("url_file" in table):
        raise RulesError(f"{where}: give exactly one of url and url_file")
    if "url" in table:
        url = table["url"]
        if not isinstance(url, str):
            raise RulesError(f"{where}.url: expected text")
    else:
        path = Path(str(table["url_file"])).expanduser()
        path = path if path.is_absolute() else base / path
        try:
            url = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise RulesError(f"{where}.url_file: cannot read {path}: {exc.strerror}") from None
    url = url.strip()
    from alerts.channels import check_apprise_url

    problem = check_apprise_url(url)
    if problem:
        raise RulesError(f"{where}: {problem}")
    return Channel(name=name, url=url)


def _rule(index: int, table: Any, channels: Mapping[str, Channel]) -> Rule:
    where = f"rules[{index}]"
    if not isinstance(table, Mapping):
        raise RulesError(f"{where}: expected a table")
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise RulesError(f"{where}: every rule needs a name")
    where = f"rule {name!r}"
    unknown = set(table) - _RULE_KEYS
    if unknown:
        raise RulesError(
            f"{where}: unknown key {sorted(unknown)[0]!r} (expected {', '.join(sorted(_RULE_KEYS))})"
        )
    values: dict[str, Any] = {"name": name.strip()}
    for key, allowed in (
        ("event_types", EVENT_TYPES),
        ("statuses", STATUSES),
        ("stages", STAGES),
        ("kinds", KINDS),
    ):
        if key in table:
            values[key] = _strings(table[key], f"{where}: {key}", allowed)
            if not values[key] and key != "stages":
                raise RulesError(f"{where}: {key} is empty: the rule could never match")
    if "languages" in table:
        values["languages"] = tuple(
            v.lower() for v in _strings(table["languages"], f"{where}: languages")
        )
    if "min_confidence" in table:
        value = table["min_confidence"]
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise RulesError(f"{where}: min_confidence must be a number from 0 to 1")
        values["min_confidence"] = float(value)
    if "mode" in table:
        if table["mode"] not in MODES:
            raise RulesError(f"{where}: mode must be immediate or digest, got {table['mode']!r}")
        values["mode"] = table["mode"]
    if "email" in table:
        if not isinstance(table["email"], bool):
            raise RulesError(f"{where}: email must be true or false")
        values["email"] = table["email"]
    if "recipients" in table:
        values["recipients"] = tuple(
            _address(a, f"{where}: recipients")
            for a in _strings(table["recipients"], f"{where}: recipients")
        )
    if "channels" in table:
        names = _strings(table["channels"], f"{where}: channels")
        for channel in names:
            if channel not in channels and channel != EMAIL:
                known = ", ".join(sorted(channels)) or "none defined"
                raise RulesError(f"{where}: unknown channel {channel!r} ({known})")
        values["channels"] = tuple(c for c in names if c != EMAIL)
        if EMAIL in names:
            values.setdefault("email", True)
    rule = Rule(**values)
    if rule.mode == "immediate" and not rule.email and not rule.channels:
        raise RulesError(f"{where}: email = false and no channels: it would send nothing")
    return rule


def parse_rules(data: Mapping[str, Any], *, base: Path, path: Path | None = None) -> RuleSet:
    unknown = set(data) - {"rules", "channels"}
    if unknown:
        raise RulesError(f"unknown table {sorted(unknown)[0]!r} (expected rules and channels)")
    raw_channels = data.get("channels", {})
    if not isinstance(raw_channels, Mapping):
        raise RulesError("channels: expected [channels.NAME] tables")
    channels = {name: _channel(name, table, base) for name, table in raw_channels.items()}
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RulesError("no [[rules]]: the file must define at least one rule")
    rules = [_rule(i, table, channels) for i, table in enumerate(raw_rules, start=1)]
    names = [r.name for r in rules]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise RulesError(f"rule {duplicate!r} is defined twice")
    return RuleSet(rules=tuple(rules), channels=channels, path=path)


def load_rules(path: Path) -> RuleSet:
    """Read and check a rules file; :class:`RulesError` names the first problem."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesError(f"cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path.name}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise RulesError(f"{path.name}: not UTF-8 text") from None
    try:
        return parse_rules(data, base=path.parent, path=path)
    except RulesError as exc:
        raise RulesError(f"{path.name}: {exc}") from None
