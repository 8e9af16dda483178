"""Links in a message and what is wrong with them: raw IPs, punycode, shorteners, look-alike domains.

The lists (official domains, brand tokens, shorteners, top-level domains) come from the `links:`
section of faq/scam_rules.yaml; this module only knows how to read a URL.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

# Characters a URL may hold once it has a scheme; Chinese text right after a link ends it.
_URL_CHARS = r"[a-z0-9\-._~:/?#@!$&'*+,;=%]"  # no brackets: markdown-style [text](url) ends a link
_TRAIL = ".,;:!?)'\""
_MAX_LINKS = 20  # a message with more links than this is judged on its first ones
_LOOKALIKE = str.maketrans({"0": "o", "1": "l", "i": "l", "|": "l", "5": "s", "3": "e"})
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?")


@dataclass(frozen=True)
class Link:
    """One link found in a message, with the facts the checker weighs."""

    url: str
    host: str
    ip: bool = False
    punycode: bool = False
    shortener: bool = False
    official: bool = False
    lookalike: bool = False
    suspicious_tld: bool = False


def _labels(host: str) -> list[str]:
    """The dot-separated labels of a host."""
    return [label for label in host.split(".") if label]


class LinkPolicy:
    """Finds links in prepared (lower-case, NFKC) text and judges their domains."""

    def __init__(
        self,
        tlds: Iterable[str],
        official: Mapping[str, Iterable[str]],
        official_suffixes: Iterable[str] = (),
        shorteners: Iterable[str] = (),
        suspicious_tlds: Iterable[str] = (),
        brand_tokens: Iterable[str] = (),
    ) -> None:
        self.official = {d.lower() for domains in official.values() for d in domains}
        self.official_suffixes = tuple(s.lower().lstrip(".") for s in official_suffixes)
        self.shorteners = {s.lower() for s in shorteners}
        self.suspicious_tlds = {t.lower().lstrip(".") for t in suspicious_tlds}
        self.brands = {b.lower() for b in [*official, *brand_tokens] if b}
        # the registrable labels of official domains (icbc of icbc.com.cn), for near-miss spellings
        self.official_labels = {_labels(d)[0] for d in self.official if len(_labels(d)[0]) >= 5}
        self.skeletons = {_skeleton(b) for b in self.brands | self.official_labels if len(b) >= 3}
        tld_alt = "|".join(sorted({t.lower().lstrip(".") for t in tlds}, key=len, reverse=True)) or "com"
        self._pattern = re.compile(
            rf"(?:https?|hxxps?)://{_URL_CHARS}+"
            rf"|(?<![a-z0-9.@_/-])(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+(?:{tld_alt})"
            rf"(?::\d{{1,5}})?(?:/{_URL_CHARS}*)?(?![a-z0-9-])"
            rf"|(?<![\d.])(?:\d{{1,3}}\.){{3}}\d{{1,3}}(?::\d{{1,5}}|/){_URL_CHARS}*",
        )

    def find(self, text: str) -> list[Link]:
        """Every link of `text` (at most a few dozen), judged."""
        links = []
        for match in self._pattern.finditer(text):
            url = match.group(0).rstrip(_TRAIL)
            host = host_of(url)
            if _HOST.fullmatch(host):
                links.append(self.judge(url, host))
            if len(links) >= _MAX_LINKS:
                break
        return links

    def judge(self, url: str, host: str) -> Link:
        """The facts about one link's host."""
        if _is_ip(host):
            return Link(url, host, ip=True)
        labels = _labels(host)
        return Link(
            url,
            host,
            punycode=any(label.startswith("xn--") for label in labels),
            shortener=host in self.shorteners or host.removeprefix("www.") in self.shorteners,
            official=self.is_official(host),
            lookalike=not self.is_official(host) and self.looks_like_brand(labels),
            suspicious_tld=bool(labels) and labels[-1] in self.suspicious_tlds,
        )

    def is_official(self, host: str) -> bool:
        """`host` is an official domain or one of its subdomains."""
        labels = _labels(host)
        suffixes = {".".join(labels[i:]) for i in range(len(labels))}
        if suffixes & self.official:
            return True
        return any(host == s or host.endswith("." + s) for s in self.official_suffixes)

    def looks_like_brand(self, labels: list[str]) -> bool:
        """A brand name inside a domain that is not the brand's (icbc-pay.top, gov-cn.xx, taobao0.com)."""
        if len(labels) < 2:
            return False
        tokens = [t for label in labels[:-1] for t in re.split(r"[-_]", label) if t]
        for token in tokens:
            if token in self.brands:
                return True
            # a longer token that starts with a brand (etcxq, icbcbank) or embeds a long one (mytaobao)
            if any(len(b) >= 3 and token.startswith(b) or len(b) >= 5 and b in token for b in self.brands):
                return True
            # a swapped look-alike letter (1cbc, taoba0) or, for longer names, one letter off (alipav)
            if _skeleton(token) in self.skeletons or len(token) >= 5 and any(
                Levenshtein.distance(token, o) == 1 for o in self.official_labels
            ):
                return True
        return False


def _skeleton(token: str) -> str:
    """The shape of a name with look-alike letters merged: 1cbc, lcbc and icbc look the same."""
    return token.translate(_LOOKALIKE).replace("rn", "m").replace("vv", "w")


def host_of(url: str) -> str:
    """The host of a URL with or without a scheme, lower case, without user or port."""
    rest = url.split("://", 1)[1] if "://" in url else url
    host = re.split(r"[/?#]", rest, maxsplit=1)[0]
    host = host.rsplit("@", 1)[-1].split(":", 1)[0].strip(".")
    return host.lower()


def _is_ip(host: str) -> bool:
    """Whether `host` is a raw IP address."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
