"""../shared beside the project: the intent catalogue and the development sets.

Every developer and CI run has it; a fresh clone of the project alone does not. A test needs it only
for a check that makes sense against it alone (the FAQ covers the catalogue; no development line
was copied into the FAQ): `shared_file` skips such a test with the reason, which `-ra` prints.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT

SHARED = PROJECT_ROOT.parent / "shared"


def shared_file(*parts: str) -> Path:
    """The file `parts` of ../shared, or skip the calling test saying which file is missing."""
    __tracebackhide__ = True  # the skip is reported at the calling test's line
    path = SHARED.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"{path} not found: this check runs against ../shared beside the project")
    return path
