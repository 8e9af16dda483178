"""An officer sets the photo villagers see with /officer: a photo captioned /photo, or /photo as a reply."""

from __future__ import annotations

from bot.core.types import Attachment


def send_photo(person, file_id: str, caption: str = "/photo"):  # noqa: ANN001, ANN201 - a test's Person
    """What Telegram sends for a photo with a caption: a photo, its caption as the text."""
    return person.sends("photo", text=caption, attachments=(Attachment("photo", file_id),))


def test_an_officer_sends_a_photo_captioned_photo_and_villagers_see_it(world):
    villager, officer = world.person(7), world.person(1001)
    villager.send("/start QS001")
    (card,) = villager.send("/officer")
    assert card.photo is None
    assert [r.text for r in send_photo(officer, "PHOTO-WANG")] == [world.faq.message("photo.saved", "zh")]
    (card_again,) = villager.send("/officer")
    assert card_again.photo == "PHOTO-WANG" and card_again.text == card.text


def test_photo_as_a_reply_to_a_photo_the_officer_sent(world):
    villager, officer = world.person(7), world.person(1001)
    villager.send("/start QS001")
    officer.send("/photo", reply_to=41, reply_to_attachments=(Attachment("photo", "PHOTO-REPLIED"),))
    assert officer.last.text == world.faq.message("photo.saved", "zh")
    assert villager.send("/officer")[0].photo == "PHOTO-REPLIED"


def test_photo_without_a_photo_says_how(world):
    officer = world.person(1001)
    officer.send("/photo")
    assert officer.last.text == world.faq.message("photo.how", "zh")
    officer.send("/photo", reply_to=41, reply_to_attachments=(Attachment("document", "A-PDF", "cv.pdf"),))
    assert officer.last.text == world.faq.message("photo.how", "zh")  # a file is not a photo Telegram can show


def test_a_villager_cannot_set_a_photo(world):
    villager = world.person(7)
    villager.send("/start QS001")
    (refusal,) = send_photo(villager, "PHOTO-SELFIE")
    assert refusal.text == world.faq.message("officer.only", "zh")
    assert villager.send("/officer")[0].photo is None


def test_officer_help_mentions_photo(world):
    officer = world.person(1001)
    officer.send("/help")
    assert "/photo" in officer.last.text
