"""The alerts package's exception tree."""


class AlertsError(Exception):
    """Base of every error raised by :mod:`alerts`."""


class KnowledgeError(AlertsError):
    """An alias or vocabulary file is missing or malformed."""


class RenderError(AlertsError):
    """An alert could not be rendered."""


class DeliveryError(AlertsError):
    """An alert could not be delivered (SMTP refused, unreachable, outbox not writable...)."""


class ChannelUnavailableError(DeliveryError):
    """The delivery channel itself is down (SMTP server unreachable): no alert is at fault."""


class EvaluationError(AlertsError):
    """A labelled file given to ``rudprk eval`` is unreadable or malformed."""


class ModelError(AlertsError):
    """A shipped or trained model file is missing, corrupt or does not match its manifest."""


class CorpusError(AlertsError):
    """A labelled corpus file is unreadable or breaks the corpus schema."""
