"""Masking secrets for display: what ``escmon config show`` and error lines may print.

A webhook URL is a secret as a whole: credentials (``https://user:pw@host``), tokens in the query
(``?token=``) and incoming-webhook paths (``/services/T000/B000/XXXX``) all grant posting rights.
Only the scheme and the host (with its port) are kept, which is enough to tell channels apart.
An apprise URL keeps only its scheme: in ``slack://TokenA/TokenB/TokenC`` even the "host" is a
token.
"""

from __future__ import annotations

from urllib.parse import urlsplit

MASK = "**********"
#: Shorter strings are not redacted from logs: replacing every "ab" in every line would garble
#: the log and a secret that short protects nothing anyway.
MIN_SECRET = 4


def mask_url(url: str) -> str:
    """``scheme://host[:port]/**********``; the path, query, fragment and credentials go.

    >>> mask_url("https://user:pw@hooks.example.org:8443/services/T0/B0/x?token=abc")
    'https://hooks.example.org:8443/**********'
    >>> mask_url("not a url")
    '**********'
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return MASK
    if not parts.scheme or not host:
        return MASK
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port is not None else host
    return f"{parts.scheme}://{netloc}/{MASK}"


def mask_scheme_only(url: str) -> str:
    """``scheme://**********`` (for apprise URLs, whose every part may be a token).

    >>> mask_scheme_only("slack://TokenA/TokenB/TokenC")
    'slack://**********'
    """
    scheme, sep, _ = url.partition("://")
    return f"{scheme}://{MASK}" if sep and scheme.isascii() and scheme.isalnum() else MASK


def mask_value(value: object) -> object:
    """A value for an error line: any string holding ``://`` is shown masked as a URL."""
    if isinstance(value, str) and "://" in value:
        return mask_url(value)
    return value


def _looks_secret(part: str) -> bool:
    # Tokens are long or carry digits; words such as "services" or "alertmanager" are neither,
    # and redacting them would make every log line about that channel unreadable.
    return len(part) >= 16 or (len(part) >= 6 and any(c.isdigit() for c in part))


def url_fragments(url: str, *, host_is_secret: bool = False) -> set[str]:
    """The pieces of a secret URL that must not show in a log, even apart from the URL.

    Libraries log parts of a URL, not the URL as configured: apprise logs the Slack webhook it
    builds from ``slack://A/B/C`` and ``json://user:****@host/path``. So besides the whole URL:
    the password, and the path, the query and each segment or value of them that looks like a
    token (and, for apprise, the "host", which is often a token). Short words such as ``/hook``
    are left alone: replacing them everywhere would garble unrelated lines (``/hooks.slack``).

    >>> sorted(url_fragments("https://u:pass@example.org/hooks/T01234567?token=abc123"))
    ... # doctest: +NORMALIZE_WHITESPACE
    ['/hooks/T01234567', 'T01234567', 'abc123',
     'https://u:pass@example.org/hooks/T01234567?token=abc123', 'pass', 'token=abc123']
    """
    found = {url}
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return found
    if password and len(password) >= MIN_SECRET:
        found.add(password)
    # As written: `.hostname` is lower-cased, and apprise logs tokens in their own case.
    host = parts.netloc.rpartition("@")[2].rpartition(":")[0] or parts.netloc.rpartition("@")[2]
    pieces = [
        parts.path,
        parts.query,
        *parts.path.split("/"),
        *parts.query.replace("&", "=").split("="),
    ]
    if host_is_secret and "." not in host:
        pieces.append(host)
    found.update(p for p in pieces if p and _looks_secret(p))
    return {f for f in found if len(f) >= MIN_SECRET}
