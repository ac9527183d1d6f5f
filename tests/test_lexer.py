"""Lexing Chinese without spaces: declared names and keywords separate reliably."""

from __future__ import annotations

from compiler.front.lexer import declared_names, tokenize
from compiler.front.parse import parser


def tokens(text: str) -> list[tuple[str, str]]:
    lexer = parser().parser.lexer  # our PolicyLexer, as Lark holds it
    return [(t.type, str(t)) for t in tokenize(text, lexer)]


def test_declared_names_are_read_from_declarations() -> None:
    text = "输入 市财政补助额度：金额「说明」\n输入 平台级别：选项（国家级、省级，市级）\n"
    assert declared_names(text) == ["市财政补助额度", "平台级别", "国家级", "省级", "市级"]


def test_a_name_containing_keywords_is_one_token() -> None:
    # 补助 and 的 are keywords; the declared name swallows neither its neighbours nor is split.
    text = "输入 市财政补助额度：金额\n按市财政补助额度的1%补助"
    assert tokens(text)[-5:] == [
        ("BY", "按"), ("NAME", "市财政补助额度"), ("的", "的"), ("RATE", "1%"), ("AWARD", "补助"),
    ]


def test_keywords_around_a_name_stay_keywords() -> None:
    text = "输入 年销售额：金额\n年销售额在1亿元及以上、3亿元及以上的，分别给予20万元、50万元的一次性奖励。"
    kinds = [kind for kind, _ in tokens(text)][4:]
    assert kinds == ["NAME", "AT", "MONEY", "BOUND_SUFFIX", "_SEP", "MONEY", "BOUND_SUFFIX", "的", "_COMMA", "分别",
                     "GIVE", "MONEY", "_SEP", "MONEY", "的", "ONCE", "AWARD", "_END"]


def test_the_longest_keyword_wins() -> None:
    text = "输入 甲：金额\n甲不超过5万元、不满5万元、超过5万元"
    words = [value for kind, value in tokens(text) if kind in ("NOT_OVER", "BOUND_PREFIX")]
    assert words == ["不超过", "不满", "超过"]


def test_full_and_half_width_punctuation_are_the_same_tokens() -> None:
    full = [kind for kind, _ in tokens("输入 甲：金额\n（甲）；，、：")]
    half = [kind for kind, _ in tokens("输入 甲:金额\n(甲);,、:")]
    assert full == half


def test_numbers_with_units_and_chinese_numerals() -> None:
    found = [(kind, value) for kind, value in tokens("给予3年最高1.5万元、五万元、1:2、1: 2、0.5%、2023年2月15日")]
    assert ("COUNT", "3年") in found
    assert ("MONEY", "1.5万元") in found and ("MONEY", "五万元") in found
    assert ("RATIO", "1:2") in found and ("RATIO", "1: 2") in found
    assert ("RATE", "0.5%") in found
    assert ("DATE", "2023年2月15日") in found
    assert ("ONCE", "一次性") in tokens("一次性")


def test_an_undeclared_word_becomes_a_name_up_to_the_next_keyword() -> None:
    assert tokens("按实际投资的1%") == [("BY", "按"), ("NAME", "实际投资"), ("的", "的"), ("RATE", "1%")]


def test_positions_are_line_and_column_in_code_points() -> None:
    lexer = parser().parser.lexer
    found = list(tokenize("输入 甲：金额\n  按甲", lexer))
    by = found[-2]
    assert (by.line, by.column, by.end_column) == (2, 3, 4)


def test_latin_letters_and_digits_inside_an_undeclared_word_are_part_of_it() -> None:
    """新建5G基站 is one word (the noun after 的); 30GB is a quantity and 5亿元 money, where a shape spans them."""
    assert tokens("超过30GB的新建5G基站，")[1:4] == [("COUNT", "30GB"), ("的", "的"), ("NAME", "新建5G基站")]
    assert tokens("开展B2B业务")[0] == ("NAME", "开展B2B业务")
    assert tokens("企业5亿元")[:2] == [("NAME", "企业"), ("MONEY", "5亿元")]
    assert tokens("企业5倍")[:2] == [("NAME", "企业"), ("NUMBER", "5")]


def test_a_comma_after_an_award_ends_a_tier_sentence_and_after_a_threshold_does_not() -> None:
    """增速超过15%的奖励15万元，增速超过20%的奖励20万元: the comma after the award opens the next tier's sentence; in
    对固定资产投资达到1000万元，亩均投资强度不低于200万元的项目 it only separates two conditions."""
    declared = "输入 增速：比例\n输入 固定资产投资：金额\n输入 亩均投资强度：金额\n"
    tiers = [kind for kind, _ in tokens(declared + "增速超过15%的奖励15万元，增速超过20%的奖励20万元。")]
    assert "_END" in tiers[:-1] and "_COMMA" not in tiers
    sentence = "对固定资产投资达到1000万元，亩均投资强度不低于200万元的项目，给予50万元奖励。"
    conditions = [kind for kind, _ in tokens(declared + sentence)]
    assert "_END" not in conditions[:-1] and conditions.count("_COMMA") == 2
