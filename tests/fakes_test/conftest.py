import sys
from pathlib import Path

# `tests` is not a package and the project is installed without it: make `tests.fakes` importable
# whichever way pytest is started (`python -m pytest` adds the cwd, the `pytest` script does not).
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.fakes.fixtures import fake_api  # noqa: E402, F401
