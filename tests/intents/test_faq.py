"""The shipped FAQ and the validator's reports on broken copies."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.settings import PROJECT_ROOT
from intents.faq import LANGS, MAX_SPEECH, load_faq, parse_faq
from intents.normalise import Normaliser
from tests.shared import shared_file

FAQ = PROJECT_ROOT / "faq"


@pytest.fixture(scope="module")
def faq():
    return load_faq(FAQ)


def validate(directory: Path, *extra: str, catalogue: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CUNJING_FAQ__CATALOGUE=str(catalogue)) if catalogue else None
    return subprocess.run(
        [sys.executable, "-m", "bot", "faq", "validate", str(directory), *extra],
        cwd=PROJECT_ROOT, capture_output=True, text=True, encoding="utf-8", timeout=120, env=env,
    )


def test_every_catalogue_id_is_in_the_faq_with_its_kind(faq):
    path = shared_file("intent-catalogue.yaml")
    catalogue = yaml.safe_load(path.read_text(encoding="utf-8"))["intents"]
    for intent_id, entry in catalogue.items():
        assert intent_id in faq.intents, intent_id
        assert faq[intent_id].kind == entry["kind"]


def test_entries_are_complete(faq):
    english = re.compile(r"^[\x00-\x7f]*[A-Za-z]{2,}[\x00-\x7f]*$")
    for intent in faq.intents.values():
        assert len(intent.examples) >= 10, intent.id
        assert sum(bool(english.match(e)) for e in intent.examples) >= 2, intent.id
        assert intent.keywords, intent.id
        for lang in LANGS:
            assert 0 < len(intent.answer.get(lang)) <= 4096, intent.id
            assert 0 < len(intent.speech.get(lang)) <= MAX_SPEECH, intent.id


def test_fraud_answers_say_what_to_do(faq):
    for intent in faq.by_kind("fraud"):
        assert "110" in intent.answer.zh or "96110" in intent.answer.zh, intent.id
        assert "96110" in intent.answer.zh + intent.answer.en or "反诈" in intent.answer.zh, intent.id


def test_service_answers_can_be_routed_to_the_officer(faq):
    for intent in faq.by_kind("service"):
        assert intent.routable, intent.id
    assert faq["service.emergency"].urgent and faq["fraud.already_scammed"].urgent
    assert "110" in faq["service.emergency"].answer.zh


def test_no_development_line_was_copied_into_the_faq(faq):
    normalise = Normaliser(faq.typos)
    shipped = {normalise(e) for i in faq.intents.values() for e in i.examples} | {
        normalise(q) for q in faq.out_of_scope
    }
    for name in ("dev-questions.jsonl", "dev-messages.jsonl"):
        for line in shared_file("eval", name).read_text(encoding="utf-8").splitlines():
            text = normalise(json.loads(line)["text"])
            # a greeting as short as 你好 is everybody's; anything longer must be our own wording
            assert len(text) < 8 or text not in shipped, text


def test_the_shipped_faq_validates():
    result = validate(FAQ, "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 error(s)" in result.stderr


def broken_copy(tmp_path: Path, name: str, edit) -> Path:
    target = tmp_path / "faq"
    shutil.copytree(FAQ, target)
    path = target / name
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return target


def test_broken_yaml_is_reported_with_file_and_line(tmp_path):
    directory = broken_copy(tmp_path, "chat.yaml", lambda t: t + "\n  - id: [unclosed\n")
    result = validate(directory)
    assert result.returncode == 1
    assert re.search(r"chat\.yaml:\d+: error: not valid YAML", result.stdout)


def test_duplicate_id_unknown_kind_and_missing_language_are_reported(tmp_path):
    def edit(text: str) -> str:
        data = yaml.safe_load(text)
        first = dict(data["intents"][0])
        second = dict(data["intents"][1], kind="gossip")
        third = dict(data["intents"][2])
        third["answer"] = {"zh": third["answer"]["zh"]}
        return yaml.safe_dump({"intents": [first, first, second, third]}, allow_unicode=True, sort_keys=False)

    directory = broken_copy(tmp_path, "chat.yaml", edit)
    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_text("intents:\n  chat.greeting: {kind: chat}\n  chat.thanks: {kind: chat}\n", encoding="utf-8")
    faq, problems = parse_faq(directory)
    messages = [str(p) for p in problems]
    assert any("duplicate id chat.greeting" in m for m in messages)
    assert any("unknown kind 'gossip'" in m for m in messages)
    assert any("answer: missing or empty language en" in m for m in messages)
    assert all(re.match(r".+\.yaml:\d+: ", m) for m in messages if "chat.yaml" in m)
    result = validate(directory, catalogue=catalogue)
    assert result.returncode == 1
    assert re.search(r"catalogue\.yaml:3: error: catalogue id chat\.thanks missing from the FAQ", result.stdout)


def test_an_empty_answer_is_an_error(tmp_path):
    def edit(text: str) -> str:
        data = yaml.safe_load(text)
        data["intents"][0]["answer"]["en"] = "  "
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)

    _, problems = parse_faq(broken_copy(tmp_path, "chat.yaml", edit))
    assert any("chat.greeting answer: missing or empty language en" in str(p) for p in problems)


def test_an_answer_with_a_heading_of_its_own_is_an_error(tmp_path):
    def edit(text: str) -> str:
        data = yaml.safe_load(text)
        answer = data["intents"][0]["answer"]
        answer["zh"] = f"【{data['intents'][0]['title']['zh']}】\n{answer['zh']}"
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)

    _, problems = parse_faq(broken_copy(tmp_path, "chat.yaml", edit))
    assert any("chat.greeting: zh answer starts with a heading" in str(p) for p in problems)


def test_an_example_copied_into_another_intent_is_a_conflict(tmp_path):
    def edit(text: str) -> str:
        data = yaml.safe_load(text)
        data["intents"][0]["examples"] += ["身份证丢了去哪里补办呀"] * 3
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)

    directory = broken_copy(tmp_path, "chat.yaml", edit)
    result = validate(directory)
    assert result.returncode == 1
    assert re.search(r"chat\.yaml:\d+: error: chat.greeting: example '身份证丢了去哪里补办呀' matches", result.stdout)


def test_examples_lists_every_example_as_json_lines(faq):
    result = subprocess.run(
        [sys.executable, "-m", "bot", "faq", "examples"], cwd=PROJECT_ROOT, capture_output=True, timeout=60
    )
    rows = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert len(rows) == sum(len(i.examples) for i in faq.intents.values())
    assert {r["intent"] for r in rows} == set(faq.intents)


def test_the_faq_modules_public_names_are_still_imported_from_intents_faq():
    import intents.faq as faq
    from intents import faq_model, faq_schema, faq_yaml

    assert faq.Intent is faq_model.Intent and faq.Problem is faq_model.Problem
    assert faq.read_yaml is faq_yaml.read_yaml and faq.strip_marks is faq_yaml.strip_marks
    assert faq_schema.intent_of is not None  # the schema checks live beside the loader, not in it
    assert all(hasattr(faq, name) for name in faq.__all__)
