"""The project's exceptions: one base, one subclass per kind of failure.

The CLI catches :class:`EscmonError` once and turns it into one line on stderr and an exit code:
2 for a configuration the operator must fix (restarting cannot help, so the supervisor does not),
1 for a failure at run time. The modules' own error names (``RulesError``, ``RecordError`` ...)
stay where they were and subclass these, so callers catching either keep working; each kind also
keeps the builtin base it had (``ValueError``/``RuntimeError``) for the same reason.
"""

from __future__ import annotations

#: Exit code for a configuration error: fix the file or environment, restarting will not help.
EXIT_CONFIG = 2
#: Exit code for a failure at run time (broker, delivery, a bug).
EXIT_RUNTIME = 1


class EscmonError(Exception):
    """Base of every error escmon raises on purpose; the message is one line for an operator."""

    exit_code: int = EXIT_RUNTIME
    #: How the CLI names the kind in its one line (``escmon: <kind>: <message>``).
    kind: str = "error"


class ConfigError(EscmonError, ValueError):
    """The configuration (settings, rules, templates, channels, model) cannot be used."""

    exit_code = EXIT_CONFIG
    kind = "config error"


class InputError(EscmonError, ValueError):
    """Input data (a record, a file, a silence) is not valid; the message says why."""

    kind = "input error"


class DeliveryError(EscmonError, RuntimeError):
    """An alert channel did not accept an alert."""

    kind = "delivery"


class BrokerError(EscmonError, RuntimeError):
    """The Kafka broker could not be started, reached or used."""

    kind = "broker"
