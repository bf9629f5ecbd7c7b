"""Human durations ('30m', '6h', '1h30m', '90s', '1d') to seconds and back."""

from __future__ import annotations

import re

_PART = re.compile(r"(\d+)\s*([smhd])")
_WHOLE = re.compile(r"^\s*(?:\d+\s*[smhd]\s*)+$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> int:
    """Seconds in `text`; raises ValueError for anything that is not e.g. '30m' or '1h30m'."""
    if not isinstance(text, str) or not _WHOLE.match(text):
        raise ValueError(f"expected a duration such as 30m, 6h, 1h30m or 1d, got {text!r}")
    return sum(int(n) * _UNIT[u] for n, u in _PART.findall(text))


def format_duration(seconds: float) -> str:
    """The shortest exact spelling of a whole number of seconds ('1h30m')."""
    rest, out = int(seconds), []
    for unit in "dhms":
        n, rest = divmod(rest, _UNIT[unit])
        if n:
            out.append(f"{n}{unit}")
    return "".join(out) or "0s"
