"""The alerts package's exception tree.

::

    AlertsError
    ├── KnowledgeError                an alias or vocabulary file is missing or malformed
    ├── RenderError                   an alert could not be rendered
    ├── LocaleError                   a message file (alerts/locale/*.toml) is missing or malformed
    ├── RulesError                    the rules file (RUDPRK_RULES) is missing or malformed
    ├── EvaluationError               a labelled file for ``rudprk eval`` is unusable
    └── DeliveryError                 an alert could not be delivered
        ├── PermanentDeliveryError    refused for good (SMTP 5xx): ``failed`` until an operator acts
        └── TemporaryDeliveryError    try again later (SMTP 4xx, timeout, outcome unknown)
            └── ChannelUnavailableError   the channel itself is down (unreachable, 421, login refused)
"""


class AlertsError(Exception):
    """Base of every error raised by :mod:`alerts`."""


class KnowledgeError(AlertsError):
    """An alias or vocabulary file is missing or malformed."""


class RenderError(AlertsError):
    """An alert could not be rendered."""


class LocaleError(AlertsError):
    """A message file of the alert e-mails is missing or malformed."""


class RulesError(AlertsError):
    """The rules file is unreadable or names something that does not exist."""


class DeliveryError(AlertsError):
    """An alert could not be delivered (SMTP refused, unreachable, outbox not writable...)."""


class PermanentDeliveryError(DeliveryError):
    """The receiving side refused this message for good: retrying cannot help."""


class TemporaryDeliveryError(DeliveryError):
    """This message could not be delivered now; the same message may go through later."""


class ChannelUnavailableError(TemporaryDeliveryError):
    """The delivery channel itself is down (SMTP server unreachable): no alert is at fault."""


class EvaluationError(AlertsError):
    """A labelled file given to ``rudprk eval`` is unreadable or malformed."""


class ModelError(AlertsError):
    """A shipped or trained model file is missing, corrupt or does not match its manifest."""


class CorpusError(AlertsError):
    """A labelled corpus file is unreadable or breaks the corpus schema."""
