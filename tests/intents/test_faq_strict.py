"""`cunjing faq validate --strict` passes on the shipped FAQ: no warning either, conflicts included.

A warning of the conflict report is an example that, left out of the index, another intent (or
"not sure") would get: a way of asking that only the example itself teaches. The FAQ is kept free
of them, so that `--strict` can guard it in CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from bot.settings import PROJECT_ROOT
from intents.faq import load_faq

FAQ = PROJECT_ROOT / "faq"
SHARED_CATALOGUE = PROJECT_ROOT.parent / "shared" / "intent-catalogue.yaml"


def catalogue(tmp_path: Path) -> Path:
    """The intent catalogue of ../shared; on a clone without it, one listing the FAQ's own intents
    (coverage is then trivially met: the test is about every other check)."""
    if SHARED_CATALOGUE.is_file():
        return SHARED_CATALOGUE
    own = {i.id: {"kind": i.kind} for i in load_faq(FAQ).intents.values()}
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump({"intents": own}, allow_unicode=True), encoding="utf-8")
    return path


def test_the_shipped_faq_validates_strictly(tmp_path):
    env = dict(os.environ, CUNJING_FAQ__CATALOGUE=str(catalogue(tmp_path)))
    result = subprocess.run(
        [sys.executable, "-m", "bot", "faq", "validate", str(FAQ), "--strict"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, encoding="utf-8", timeout=300, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.strip().endswith("0 error(s), 0 warning(s)")
