from bot.settings import load_settings
from intents.faq import load_faq
from intents.matcher import Matcher


def test_a_cached_index_answers_like_a_fresh_one_and_a_damaged_file_is_rebuilt(tmp_path):
    faq = load_faq(load_settings().faq.dir)
    fresh = Matcher(faq, cache_dir=None)
    first = Matcher(faq, cache_dir=tmp_path)
    (cache_file,) = tmp_path.glob("matcher-*.pickle")
    second = Matcher(faq, cache_dir=tmp_path)  # read back from the file
    question = "有人打电话说我医保卡被冻结了要我配合调查"
    assert fresh.match(question) == first.match(question) == second.match(question)
    cache_file.write_bytes(b"not a pickle")
    assert Matcher(faq, cache_dir=tmp_path).match(question) == fresh.match(question)
    assert cache_file.read_bytes() != b"not a pickle"
