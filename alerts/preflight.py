"""What the alert stage checks before anything starts: rules, templates and channels.

``escmon run`` and ``escmon config check`` call :func:`check` so a typo is one line and exit code
2 at start, not a traceback (and a restart loop) when the notifier first needs the value.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import apprise

from alerts.rules import RuleSet
from alerts.templates import check_templates
from escmon.errors import ConfigError
from escmon.secrets import mask_scheme_only, mask_url
from escmon.settings import Settings


@contextmanager
def _quiet(name: str) -> Iterator[None]:
    log = logging.getLogger(name)
    was = log.disabled
    log.disabled = True
    try:
        yield
    finally:
        log.disabled = was


def http_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be POSTed to (None when it is an http(s) URL with a host)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return "not an http(s) URL"
    if not host:
        return "has no host"
    return None


def check_channels(settings: Settings) -> list[ConfigError]:
    """One error per channel URL that cannot work; the URLs are masked in the messages."""
    a = settings.alerts
    problems: list[ConfigError] = []
    for i, url in enumerate(a.webhooks):
        why = http_url_problem(url)
        if why:
            problems.append(ConfigError(f"alerts.webhooks[{i}]: {why} (got {mask_url(url)!r})"))
    if a.alertmanager is not None:
        why = http_url_problem(a.alertmanager)
        if why:
            shown = mask_url(a.alertmanager)
            problems.append(ConfigError(f"alerts.alertmanager: {why} (got {shown!r})"))
    for i, secret in enumerate(a.apprise):
        url = secret.get_secret_value()
        # apprise.add parses the URL and builds the service object without contacting it. On a
        # bad URL it logs its own ERROR line with the URL in it: ours below says it, masked.
        with _quiet("apprise"):
            usable = apprise.Apprise().add(url)
        if not usable:
            shown = mask_scheme_only(url)
            msg = f"alerts.apprise[{i}]: apprise cannot use this URL (got {shown!r})"
            problems.append(ConfigError(msg))
    return problems


def check(settings: Settings) -> list[ConfigError]:
    """Every problem of the alert stage's configuration (empty when it can start)."""
    problems: list[ConfigError] = []
    try:
        RuleSet.load(settings.alerts.rules)
    except ConfigError as exc:
        problems.append(exc)
    try:
        check_templates(settings.alerts.template, settings.alerts.title_template)
    except ConfigError as exc:
        problems.append(exc)
    problems.extend(check_channels(settings))
    return problems
