"""Links in a message and what is wrong with them: raw IPs, punycode, shorteners, look-alike domains.

The lists (official domains, brand tokens, shorteners, common and cheap endings) come from the `links:`
section of faq/scam_rules.yaml; which endings exist at all comes from the public suffix list
(tldextract's bundled snapshot); this module only knows how to read a URL.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from functools import cache

import tldextract
from rapidfuzz.distance import Levenshtein

# Characters a URL may hold once it has a scheme; Chinese text right after a link ends it.
_URL_CHARS = r"[a-z0-9\-._~:/?#@!$&'*+,;=%]"  # no brackets: markdown-style [text](url) ends a link
_TRAIL = ".,;:!?)'\""
_MAX_LINKS = 20  # a message with more links than this is judged on its first ones
_LOOKALIKE = str.maketrans({"0": "o", "1": "l", "i": "l", "|": "l", "5": "s", "3": "e"})
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"  # one DNS label: at most 63 characters
_MAX_HOST = 253  # the longest name DNS allows; a longer "host" is judged without reading its labels


@cache
def top_level_domains() -> frozenset[str]:
    """Every top-level domain of the public suffix list, from the snapshot bundled with tldextract.

    Built once per process (41 ms on this machine when idle). `suffix_list_urls=()` and no cache
    directory: tldextract never fetches the list nor writes a file, so the checker works offline and
    the same on every machine; a newer list comes with a newer tldextract. Private domains (github.io, vercel.app)
    are left out: they all end in public top-level domains, and only those endings are read here.
    """
    extractor = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), include_psl_private_domains=False)
    tlds: set[str] = set()
    for suffix in extractor.tlds:
        tld = suffix.rsplit(".", 1)[-1].lstrip("!*")
        tlds.add(tld)
        with suppress(UnicodeError):  # the list spells endings in Unicode (网店); text holds them as xn--
            tlds.add(tld.encode("idna").decode("ascii"))
    return frozenset(t for t in tlds if t.isascii())


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
    disguised: bool = False  # an official name followed by someone else's domain (chinatax.gov.cn.ua)
    suspicious_tld: bool = False


def _labels(host: str) -> list[str]:
    """The dot-separated labels of a host."""
    return [label for label in host.split(".") if label]


class LinkPolicy:
    """Finds links in prepared (lower-case, NFKC) text and judges their domains."""

    def __init__(
        self,
        official: Mapping[str, Iterable[str]],
        official_suffixes: Iterable[str] = (),
        shorteners: Iterable[str] = (),
        suspicious_tlds: Iterable[str] = (),
        brand_tokens: Iterable[str] = (),
        common_tlds: Iterable[str] = (),
    ) -> None:
        self.official = {d.lower() for domains in official.values() for d in domains}
        self.official_suffixes = tuple(s.lower().lstrip(".") for s in official_suffixes)
        self.shorteners = {s.lower() for s in shorteners}
        self.suspicious_tlds = {t.lower().lstrip(".") for t in suspicious_tlds}
        self.common_tlds = {t.lower().lstrip(".") for t in common_tlds} | self.suspicious_tlds
        self.brands = {b.lower() for b in [*official, *brand_tokens] if b}
        # the registrable labels of official domains (icbc of icbc.com.cn), for near-miss spellings
        self.official_labels = {_labels(d)[0] for d in self.official if len(_labels(d)[0]) >= 5}
        self.skeletons = {_skeleton(b) for b in self.brands | self.official_labels if len(b) >= 3}
        # whole official names of two labels or more (icbc.com.cn, gov.cn), to find them inside other hosts
        self.official_names = {n for n in self.official | set(self.official_suffixes) if len(_labels(n)) >= 2}
        self.longest_name = max((len(_labels(n)) for n in self.official_names), default=0)
        self.tlds = top_level_domains()
        # A bare host (no scheme) ends in any label here; find() keeps it only if is_bare_host()
        # says so. A regex alternation of the ~1,450 endings would do that work inside the scan, slower.
        self._pattern = re.compile(
            rf"(?:https?|hxxps?)://{_URL_CHARS}+"
            rf"|(?<![a-z0-9.@_/-])(?P<bare>(?:{_LABEL}\.)+[a-z](?:[a-z0-9-]{{0,61}}[a-z0-9])?)"
            rf"(?::\d{{1,5}})?(?:/{_URL_CHARS}*)?(?![a-z0-9-])"
            rf"|(?<![\d.])(?:\d{{1,3}}\.){{3}}\d{{1,3}}(?::\d{{1,5}}|/){_URL_CHARS}*",
        )

    def find(self, text: str) -> list[Link]:
        """Every link of `text` (at most a few dozen), judged."""
        links = []
        for match in self._pattern.finditer(text):
            url = match.group(0).rstrip(_TRAIL)
            bare = match.group("bare")
            if bare and not self.is_bare_host(bare, more=len(url) > len(bare)):
                continue
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
        if len(host) > _MAX_HOST:  # no such host can exist: an unknown site, its labels left unread
            return Link(url, host)
        labels = _labels(host)
        official = self.is_official(host)
        disguised = not official and self.hides_official(labels)
        return Link(
            url,
            host,
            punycode=any(label.startswith("xn--") for label in labels),
            shortener=host in self.shorteners or host.removeprefix("www.") in self.shorteners,
            official=official,
            lookalike=disguised or not official and self.looks_like_brand(labels),
            disguised=disguised,
            suspicious_tld=bool(labels) and labels[-1] in self.suspicious_tlds,
        )

    def is_bare_host(self, name: str, more: bool) -> bool:
        """Whether a dotted name without a scheme is a web address (`more`: a port or path follows it).

        Any ending of the public suffix list counts for a name that looks made for the web: www.
        first, a port or path after it, a hyphen (ybj-gx.fyi, 10086-jf.xyz), a known site, or an
        official name inside (chinatax.gov.cn.ua). Other names (tmall.com) need a common or cheap
        ending: English text glues sentences with a bare dot (nice.how, her.love, unsold.now, and
        text-speak 2day.love), which gave 27 legitimate messages of the benchmark sets a link when
        every ending counted. Numbers (v1.2) and unknown endings (a.b) never count.
        """
        labels = name.split(".")
        if labels[0] == "www" and len(labels) >= 3:
            return True
        if labels[-1] not in self.tlds:
            return False
        if more or "-" in name or labels[-1] in self.common_tlds:
            return True
        if len(name) > _MAX_HOST:  # no such host; and is_official() would take quadratic time on it
            return False
        return name in self.shorteners or self.is_official(name) or self.hides_official(labels)

    def hides_official(self, labels: list[str]) -> bool:
        """An official name with more labels after it: chinatax.gov.cn.ua, www.gov.cn.secure-pay.com.

        The site belongs to whoever holds the labels after the official name, not to the official body.
        """
        last = len(labels) - 1  # the name must end before the host's last label
        return any(
            ".".join(labels[i:j]) in self.official_names
            for i in range(last)
            for j in range(i + 2, min(i + self.longest_name, last) + 1)
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
