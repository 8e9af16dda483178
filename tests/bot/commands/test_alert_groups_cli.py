"""`cunjing alert` and a village's linked groups (issue 17): the group counts as one recipient, it is
shown the text it will get, and it gets one message however many villagers the village has."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from bot.settings import DatabaseSettings
from bot.store import linked_groups, roster
from bot.store.demo import load_demo
from bot.store.models_outreach import AlertDelivery
from tests.bot.core.alert_helpers import add_villagers

GROUP = -1009000000401


@pytest.fixture
def linked_village(
    database: DatabaseSettings, factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> sessionmaker[Session]:
    """The demo roster, three villagers of QS001, and QS001's group linked by its officer."""
    load_demo(factory)
    add_villagers(factory, "QS001", range(5001, 5004))
    with factory.begin() as session:
        village = roster.village_by_code(session, "QS001")
        assert village is not None
        linked_groups.link(session, GROUP, village.id, "青山村村民群", by=1001)
    monkeypatch.setenv("CUNJING_DATABASE__URL", database.effective_url)
    monkeypatch.setenv("CUNJING_TELEGRAM__ADMINS", "[42]")
    return factory


def test_the_alert_goes_to_the_linked_group_once_beside_the_villagers(linked_village, capsys) -> None:  # noqa: ANN001
    assert main(["alert", "QS001", "--text", "注意：有人冒充民政局发救助金链接", "--yes", "--no-follow"]) == 0
    out = capsys.readouterr().out
    assert "4 recipients (3 Chinese, 0 English, 1 linked village groups, one message each)" in out
    assert "--- groups (zh) ---" in out and "Alert #1 stored: 4 recipients" in out
    with linked_village() as session:
        chats = [d.chat_id for d in session.scalars(select(AlertDelivery).where(AlertDelivery.alert_id == 1))]
    assert sorted(chats).count(GROUP) == 1 and len(chats) == 4


def test_a_town_alert_reaches_its_groups_and_not_another_towns(linked_village, capsys) -> None:  # noqa: ANN001
    add_villagers(linked_village, "BS001", range(5101, 5103))
    assert main(["alert", "白水镇（示例）", "--text", "注意防骗", "--yes", "--no-follow"]) == 0
    assert "2 recipients (2 Chinese, 0 English)" in capsys.readouterr().out
    with linked_village() as session:
        chats = [d.chat_id for d in session.scalars(select(AlertDelivery))]
    assert len(chats) == 2 and GROUP not in chats
