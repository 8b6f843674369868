"""Full text of a feed item (pure): which addresses may be fetched, which answers are an article,
and the article record that carries the fetched text. The HTTP shell is producers/pagefetch.py.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from escmon.models import Article
from producers.extraction import Extracted

# Cloud metadata services answer on these addresses; most are link-local or private already, but
# naming them gives the refusal a reason an operator recognises.
METADATA_ADDRESSES = frozenset(
    {
        ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack …
        ipaddress.ip_address("169.254.170.2"),  # AWS ECS task metadata
        ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
        ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
    }
)
HTML_TYPES = ("text/html", "application/xhtml+xml")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset=["']?([\w.:-]{1,40})""", re.I)
# What a page says when it hides the article behind a subscription or a login.
_PAYWALL_WORDS = re.compile(
    r"paywall|subscribe to (?:continue|read)|to continue reading|subscribers only|"
    r"for subscribers|already a subscriber|sign in to (?:continue|read)|"
    r"\"isAccessibleForFree\"\s*:\s*\"?false",
    re.I,
)


def refused_address(address: str) -> str | None:
    """Why an IP address must not be fetched from a feed's link, or ``None`` when it may.

    Only global unicast addresses may: loopback, private (RFC 1918, unique local), link-local,
    shared (CGNAT), multicast, reserved and unspecified ones are the producer's own network,
    where a hostile feed could make it read internal services. IPv4 mapped into IPv6 is judged
    as the IPv4 address it carries.

    >>> refused_address("93.184.216.34") is None
    True
    >>> refused_address("::ffff:127.0.0.1")
    'loopback'
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not_an_address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES:
        return "metadata"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link_local"
    if ip.is_private:
        return "private"
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved or not ip.is_global:
        return "reserved"
    return None


def is_html(content_type: str | None) -> bool:
    """True for an HTML answer; a missing Content-Type is taken as HTML (old servers)."""
    if not content_type:
        return True
    return content_type.split(";", 1)[0].strip().lower() in HTML_TYPES


def decode_page(data: bytes, content_type: str | None) -> str:
    """The page's text: the charset of the header, else of a ``<meta>``, else UTF-8."""
    candidates: list[str] = []
    if content_type and "charset=" in content_type.lower():
        candidates.append(content_type.lower().split("charset=", 1)[1].split(";")[0].strip("\"' "))
    found = _META_CHARSET.search(data[:4096])
    if found:
        candidates.append(found.group(1).decode("ascii", "ignore"))
    for encoding in [*candidates, "utf-8"]:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", "replace")


@dataclass(frozen=True)
class Verdict:
    """Whether the fetched page gives the article its full text, and if not why."""

    article: Article | None
    reason: str = ""  # "paywall" or "thin_text" when article is None


def full_text_article(article: Article, page: str, found: Extracted, *, min_chars: int) -> Verdict:
    """The update of ``article`` with the page's main text, or why the summary stays.

    The page must say more than the feed did. A main text shorter than ``min_chars`` or no longer
    than the summary is a paywall when the page says so (subscribe-to-read words, schema.org's
    ``isAccessibleForFree: false``); else thin text (a video page, a consent wall) when short, or
    nothing new when the feed carried the whole text already.
    """
    text = found.text
    if len(text) < min_chars or len(text) <= len(article.body):
        if _PAYWALL_WORDS.search(page):
            return Verdict(None, "paywall")
        return Verdict(None, "thin_text" if len(text) < min_chars else "nothing_new")
    return Verdict(
        article.model_copy(
            update={
                "body": text,
                "summary": article.body,
                "full_text": True,
                "published": article.published or found.date,
            }
        )
    )
