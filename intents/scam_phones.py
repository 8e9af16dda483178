"""Phone numbers in a message: international prefixes, virtual-carrier ranges, fake service numbers.

The ranges and the known service numbers come from the `phones:` section of faq/scam_rules.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# +44..., 00852..., written with spaces or dashes between groups
_INTL = re.compile(r"(?<![\d+])(?:\+|00)\s?([1-9][\d\s-]{5,16}\d)")
# Chinese mobile numbers, also masked (138****6621, 170xxxx1234) as they are in forwarded texts
_MOBILE = re.compile(r"(?<![\d.])(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?[\d*x]{4}[\s-]?\d{4}(?!\d)")
# short service numbers: 95588, 10086, 12315 and their padded copies (955880)
_SERVICE = re.compile(
    r"(?<![\d.,*x])((?:95|96|100|123)\d{2,5})(?![\d.,%])(?!\s?(?:元|块|万|分|秒|个|人|岁|年|月|日|号|km))"
)


@dataclass(frozen=True)
class PhoneFacts:
    """What the phone numbers of a message show."""

    intl_number: bool = False
    virtual_number: bool = False
    fake_service_number: bool = False
    phone: bool = False


class PhonePolicy:
    """Judges the phone numbers of a prepared text."""

    def __init__(
        self,
        virtual_prefixes: Iterable[str],
        service_numbers: Iterable[str],
        home_codes: Iterable[str] = ("86",),
    ) -> None:
        self.virtual = {str(p) for p in virtual_prefixes}
        self.service = {str(n) for n in service_numbers}
        self.home_codes = tuple(str(c) for c in home_codes)

    def facts(self, text: str) -> PhoneFacts:
        """What the numbers of `text` say about it."""
        intl = any(not m.group(1).startswith(self.home_codes) for m in _INTL.finditer(text))
        mobiles = [m.group(1) for m in _MOBILE.finditer(text)]
        virtual = any(prefix in self.virtual for prefix in mobiles)
        fake = any(self.is_fake_service(m.group(1)) for m in _SERVICE.finditer(text))
        return PhoneFacts(intl, virtual, fake, phone=intl or bool(mobiles))

    def is_fake_service(self, number: str) -> bool:
        """A 95xxx number that is not a known one, or a known service number with digits added."""
        if number in self.service:
            return False
        if any(number.startswith(known) and len(number) > len(known) for known in self.service):
            return True
        return number.startswith("95") and len(number) in (5, 6)
