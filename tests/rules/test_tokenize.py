"""jieba through one wrapper (rules/tokenize.py): content words, and words found only where they stand whole."""

from __future__ import annotations

from rules.tokenize import Segmented, words


def test_words_drop_punctuation():
    assert words("收到申请，12件。") == ["收到", "申请", "12", "件"]


def test_a_word_is_found_only_where_it_stands_whole():
    text = Segmented.cut("共收到申请人来信，收到申请12件")
    # 申请 inside 申请人 is skipped; the whole word after the comma is found
    assert text.find("申请") == text.text.rindex("申请")
    assert text.rfind("申请") == text.text.rindex("申请")
    assert "申请人" in text
    assert "请人" not in text  # a part of a word
    assert "收到申请" in text  # a run of words
    assert "人" in text  # a single character is a morpheme, found anywhere


def test_domain_words_of_the_user_dictionary_stay_whole():
    text = Segmented.cut("组织学习行政诉讼法培训")
    assert "行政诉讼" not in text and "行政诉讼法" in text


def test_slices_keep_the_words_they_were_cut_from():
    text = Segmented.cut("收到申请人来信")
    head = text[:4]  # 收到申请 (cut inside 申请人): the slice's end is an edge
    assert head.text == "收到申请" and "申请" in head
    assert "申请" not in text[2:]  # 申请人来信: 申请 is still part of 申请人
    assert text[5:2].text == ""
    assert text[1:][1:].text == "申请人来信" and "申请" not in text[1:][1:]


def test_plain_text_finds_substrings():
    text = Segmented.plain("共收到申请人来信")
    assert text.find("请人") == 4 and text[3:].find("请人") == 1


def test_the_dictionary_leaves_nothing_in_the_temp_folder(tmp_path, monkeypatch):
    import tempfile

    from rules.tokenize import tokenizer

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    tokenizer.cache_clear()
    try:
        assert tokenizer().lcut("收到申请", HMM=False) == ["收到", "申请"]
        assert list(tmp_path.iterdir()) == []
    finally:
        tokenizer.cache_clear()
