"""Every diagnostic code, with its Chinese message and help, in one place.

Messages stand alone and say what is wrong; only ``help`` says how to fix it.
Templates are filled with ``str.format``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Code:
    id: str
    severity: Severity
    message: str
    help: str | None = None


def _error(id: str, message: str, help: str | None = None) -> Code:
    return Code(id, Severity.ERROR, message, help)


def _warning(id: str, message: str, help: str | None = None) -> Code:
    return Code(id, Severity.WARNING, message, help)


# ── reading the file ──────────────────────────────────────────────────────────
NOT_UTF8 = _error("E0001", "文件不是 UTF-8 编码", "请以 UTF-8 编码保存该文件")
UNKNOWN_CHARACTER = _error("E0002", "无法识别的字符“{char}”", "删除该字符，或把说明文字放进「」里")
SYNTAX = _error("E0003", "此处不应出现{found}", "此处应为{expected}")
UNEXPECTED_END = _error("E0004", "文件在句子中间结束", "此处应为{expected}")
UNCLOSED_STRING = _error("E0005", "「没有对应的」", "在引文末尾补上」")
NUMERAL_TOO_LONG = _error("E0006", "中文数字过长（{length} 个字）",
                          "中文数字至多 {limit} 个字；较大的数请用阿拉伯数字书写，如 1500万元")

# ── names ─────────────────────────────────────────────────────────────────────
UNDECLARED = _error("E0101", "未声明的名称“{name}”", "先用“输入 {name}：类型”声明它")
DUPLICATE_INPUT = _error("E0102", "输入“{name}”重复声明", "删除重复的声明，或改用另一个名称")
NAME_IS_KEYWORD = _error("E0103", "名称“{name}”与关键字相同", "换一个名称，例如在前面加上说明性的词")
NOT_IDENTIFIER = _error("E0104", "名称“{name}”不能作为程序中的参数名",
                        "名称只能由汉字、字母、数字和下划线组成，且不以数字开头")
DUPLICATE_RULE = _error("E0105", "规则编号“{name}”重复", "每条规则的编号须唯一")
BAD_RULE_ID = _error("E0106", "规则编号“{name}”不能使用", "规则编号用小写英文字母、数字和下划线，如 art24_investment")
UNKNOWN_CHOICE = _error("E0107", "“{name}”不是任何输入的选项", "在“输入 …：选项（…）”中加入它")
AMBIGUOUS_CHOICE = _error("E0108", "选项“{name}”同时属于多个输入：{inputs}", "写明是哪个输入，如“{example}为…、…”")
DUPLICATE_CHOICE = _error("E0109", "选项“{name}”重复", "每个选项只能出现一次")
FOLDED_COLLISION = _error("E0110", "名称“{name}”与“{other}”在程序中会变成同一个名称",
                          "全角字母会被折叠为半角，请改用不同的名称")
NOT_A_CHOICE_INPUT = _error("E0111", "“{name}”不是选项型输入", "选项条件写作“输入名为选项值”")
MIXED_KEYS = _error("E0112", "分档的各项不属于同一个输入：{inputs}", "一句“分别”只能对同一个输入的选项取值")
KEY_NOT_IN_INPUT = _error("E0113", "“{name}”不是输入“{input}”的选项", "该输入的选项有：{choices}")
RESERVED_NAME = _error("E0114", "名称“{name}”留给生成的代码使用",
                       "换一个名称；以“_”开头的名称、Python 内置名称和生成代码自用的名称（如 {examples}）都不能用")
NOT_FOLDED = _error("E0115", "名称“{name}”在程序中会变成“{folded}”，调用时按原样传入的名称将对不上",
                    "改写为“{folded}”（全角字母、兼容汉字等会被 Python 折叠）")
RULE_ID_TOO_LONG = _error("E0116", "规则编号长 {length} 个字符，超过 {limit} 个", "用更短的编号，详细名称写进「」标题")
AMOUNT_ID_CLASH = _error("E0117", "规则编号“{name}”与规则“{other}”的“{name}”函数同名",
                         "每条规则另有一个“编号_amount”函数；换一个编号")

# ── types and units ───────────────────────────────────────────────────────────
TYPE_MISMATCH = _error("E0201", "“{what}”是{actual}，此处需要{expected}")
ADD_MIXED = _error("E0202", "{left}与{right}不能相加减", "只有同类的量才能相加减，如金额加金额")
MULTIPLY_MIXED = _error("E0203", "{left}与{right}不能相乘", "金额只能乘以比例或数量")
COMPARE_MIXED = _error("E0204", "“{what}”是{actual}，不能与{expected}比较")
UNIT_MISMATCH = _error("E0205", "单价“{price}”按{per}计，所乘的数量是{given}：单位不符，算不出以元计的金额",
                       "单价的每个单位须对应一个数量输入，如“输入 租用面积：数量（平方米）”“输入 租用月数：数量（月）”，"
                       "再写“按租用面积和租用月数给予18元/平方米/月的补贴”")
UNKNOWN_UNIT = _error("E0206", "pol 不认识单位“{unit}”", "数量的单位可写：{known}")
LONGEST_WITHOUT_TERM = _error("E0208", "“最长{longest}”限定的{unit}数没有名称",
                              "在规则之下写“期限：以工代训月数”（输入 以工代训月数：数量（{unit}））：单价按它计，最多{longest}")
TERM_WITHOUT_LONGEST = _error("E0209", "写了“期限：{name}”，但单价之后没有“最长…”",
                              "写作“按吸纳人数给予每月500元/人、最长6个月的补贴”；没有期限的单价把数量写在“按”之后")
NEGATIVE_THRESHOLD = _error("E0210", "门槛 {rate} 是负数，而“{name}”未声明可为负",
                            "负增长的比例声明为“输入 {name}：比例（可为负）”；"
                            "未声明的比例从不为负，这样的门槛或永远成立、或永远不成立")
SIGNED_OUTSIDE_CONDITION = _error("E0211", "“{name}”是可为负的比例，只能在条件中比较（如“{name}不低于-5%”）",
                                  "可为负的比例只作条件和分档的门槛，不能作计算的基数或封顶：计算的依据请另用不为负的输入")
PRICE_QUANTITY_AMBIGUOUS = _error("E0212", "单价“{price}”按{unit}计，以{unit}计的数量输入有{count}个（{inputs}）：不知乘以哪一个",
                                  "在单价之前写出所乘的数量：“凡{example}的农户每{unit}奖励100元”")
CAP_PER_UNIT = _error("E0207", "封顶“{cap}”按{per}计：封顶只能按一项（台、个、套、项、人、户、家…）或一年计",
                      "每一项的封顶写作“最高不超过10万元/台”“单台最高10万元”；以{per}计的上限 pol 尚不支持")

# ── boundaries, rates, caps, tiers ───────────────────────────────────────────
MISSING_BOUNDARY = _error("E0301", "缺少边界用语，无法确定是否包含本数", "在数额后写“以上”“以下”，或改用“达到”“超过”等")
CONTRADICTORY_MARK = _error("E0302", "“{word}”{meaning}本数，与“{mark}”矛盾", "删除“{mark}”，或改用相应的边界用语")
AMBIGUOUS_RANGE_END = _error("E0303", "区间的{end}未注明是否包含本数",
                             "在该数额后注明（含）或（不含），并用“解读「…」”写明理由；"
                             "文件对未注明的区间端点另有通例的，在文件开头约定，如“边界：区间下限含本数、区间上限不含本数”")
RATE_OVER_100 = _error("E0304", "比例 {rate} 超过 100%", "补助比例一般不超过 100%；请核对原文")
NON_POSITIVE_CAP = _error("E0305", "封顶金额 {amount} 不是正数", "封顶金额须大于零")
TIERS_NOT_INCREASING = _error("E0306", "分档门槛须由低到高排列：{later} 不高于 {earlier}", "按门槛从低到高书写各档")
TIERS_OVERLAP = _error("E0307", "相邻两档在 {value} 处重叠", "把其中一档的边界改为（不含）")
TIERS_GAP = _error("E0308", "相邻两档之间有空隙：{value} 不属于任何一档", "让上一档的上限与下一档的下限相接，并只在一侧含本数")
COUNT_MISMATCH = _error("E0309", "有 {keys} 项，却有 {values} 个数额", "“分别”前后的项数须相同")
TIER_COUNT_MISMATCH = _error("E0322", "写明“{written}”，却列出 {listed} 档", "“分为…N档”的档数须与列出的档数相同")
GRID_ONE_INPUT = _error("E0340", "二维表的行与列都是输入“{name}”的选项",
                        "行（“分别”前的各项）与列（每组“分别”前的名称）须是两个不同输入的选项")
GRID_AMONG = _error("E0341", "“其中{name}分别…”须跟在一张定额表之后，且“{name}”须是是否型输入",
                    "写作“A、B分别给予X、Y；其中{name}分别给予Z、W”，{name}成立时取后一组金额")
EMPTY_RANGE = _error("E0310", "区间下限 {low} 高于上限 {high}")
NEGATIVE_AMOUNT = _error("E0311", "金额 {amount} 为负数", "补助金额须为正数")
ZERO_RATIO = _error("E0312", "配套比例 {ratio} 的前项为零", "配套比例写作“1:2”，前项为市级金额，后项为区级金额")
DIRECTION_MIXED = _error("E0313", "分档须都是“以上”类门槛", "“分别给予”的各档写作“1亿元及以上、3亿元及以上…”")
BEYOND_LIMIT = _error("E0314", "门槛 {value} 超出计算器可接受的{what}范围（须小于 {limit}）",
                      "任何输入都到不了这个数；请核对原文的数额和单位")

# ── structure ─────────────────────────────────────────────────────────────────
MISSING_SOURCE = _error("E0401", "规则“{name}”没有原文", "在规则下写“原文「…」”，引用政策原句")
RULE_OUTSIDE_ARTICLE = _error("E0402", "规则“{name}”不在任何条之下", "先写“第X条「标题」”")
SENTENCE_OUTSIDE_RULE = _error("E0403", "句子不在任何规则之下", "先写“规则 编号「名称」”")
NO_COMPUTATION = _error("E0404", "规则“{name}”没有计算金额的句子")
TWO_COMPUTATIONS = _error("E0405", "规则“{name}”有两个计算金额的句子", "一条规则只算一个金额；把另一句拆为新规则")
MISSING_DOCUMENT_NUMBER = _error("E0406", "文件没有文号", "在文件开头写“文号「…」”")
DUPLICATE_FIELD = _error("E0407", "“{field}”重复", "删除重复的一行")
FIELD_OUTSIDE_RULE = _error("E0408", "“{field}”写错了位置：须写在{where}", "把这一行移到{where}")
BAD_ARTICLE_NUMBER = _error("E0409", "条号“{text}”无法识别")
VALIDITY_REVERSED = _error("E0410", "有效期的开始日期晚于结束日期")
BAD_DATE = _error("E0411", "日期“{text}”不存在")
BAD_BOUNDARY_WORD = _error("E0412", "“{word}”的含义是固定的，不能由文件重新约定",
                           "只能约定“以上”“以下”“以内”及“区间下限”“区间上限”是否含本数")
QUOTE_MISMATCH = _error("E0415", "原文与原件不符", "原件此处为「{original}」")
QUOTE_NOT_FOUND = _error("E0416", "原文在原件中找不到", "核对引文是否抄自原件")
ORIGINAL_MISSING = _error("E0417", "找不到原件“{path}”，或它不是可读的文本文件",
                          "“原件”写本文件所在文件夹之内的原件文本（UTF-8，不超过16 MiB）的相对路径")
AMBIGUOUS_INCREASE = _error("E0418", "“增加{rate}”有两种理解：对方金额的{rate}，或在基数上再加{rate}",
                            "在其后用括号写明按哪个基数计算，如“增加5%（按研发费用的5%）”，并用“解读「…」”写明理由")
READING_MISMATCH = _error("E0419", "括号中的比例 {reading} 与“增加{rate}”不一致")
AMBIGUOUS_TIERS = _error("E0420", "“再给予”的各档可以累加，也可以只取最高一档", "在句末写“，各档累加”或“，只取最高一档”")
AMBIGUOUS_ROUNDING = _error("E0421", "“{mode}”未写明取整到哪一位", "写作“{mode}到元”（或到分、到十元…），并用“解读「…」”写明理由")
AMBIGUOUS_VALIDITY = _error("E0422", "有效期始于发文日期之前", "在文件开头用“解读「…」”说明有效期为何不从印发之日起算")
UNKNOWN_RULE = _error("E0423", "没有编号为“{name}”的规则")
BAD_RULE_REFERENCE = _error("E0424", "只能引用定额或分档定额的规则，“{name}”不是", "引用的规则须是“给予…万元”或“A、B分别给予…”")
MISPLACED_MODIFIER = _error("E0425", "“{text}”不适用于这类计算")
BAD_BRACKETS = _error("E0426", "分段须写作“不超过A的部分按x%、超过A的部分按y%”")
BAD_MODULE_NAME = _error("E0414", "文件名“{name}”不能作为模块名", "文件名用小写英文字母、数字和下划线，如 wucheng2023.pol")
MODULE_NAME_CLASH = _error("E0427", "文件名“{name}”不能作为模块名：{why}", "换一个文件名，如 wucheng2023.pol")
BAD_TOPUP = _error("E0413", "“基础上”前应为“在”", "写作“在「市级政策标准」的基础上”")

# ── lints ─────────────────────────────────────────────────────────────────────
UNUSED_INPUT = _warning("W0501", "输入“{name}”没有被任何规则使用")
UNREACHABLE_ENTRY = _warning("W0503", "“{key}”一档永远取不到：条件已限定{condition}", "删除这一档，或放宽条件")
CAP_NEVER_BINDS = Code("I0504", Severity.INFO, "封顶{cap}永远不会生效：本规则最多{most}", "{detail}")
CLIFF = _warning("W0505", "分档出现断崖：{subject}达到{higher}时金额为{after}，反而少于{lower}一档的{before}",
                 "核对各档金额；如原文确实如此，可忽略本警告")
INVERTED_LEVELS = _warning("W0506", "级别表的金额顺序反常：{higher}的金额{high_amount}低于{lower}的{low_amount}",
                           "核对“分别”前后的对应关系")
CONTRADICTORY_CONDITIONS = _warning("W0507", "条件互相矛盾，本规则永远不适用：{condition}")
TIER_OWN_CONDITION = _warning("W0508", "条件“{condition}”只写在{tiers}的句中，只对该档适用",
                              "如为各档共同的条件，请写在第一档的门槛之前（A 并且 X达到…的，…），或写成一句分档")
EMPTY_ARTICLE = _warning("W0502", "{article}既没有规则，也没有写明不计算的理由",
                         "写“规则 …”编码其中的计算，或写“不计算「理由」”")

ALL: tuple[Code, ...] = tuple(v for v in dict(globals()).values() if isinstance(v, Code))

# ── added later; kept at the end so that the order above stays stable ─────────
UNKNOWN_WORD = _error("E0007", "无法识别“{word}”：它既不是已声明的输入，也不是本语言的用语",
                      "本语言不支持这种写法：删去“{word}”，或改写这句话；如果它是输入，先用“输入 {word}：…”声明")
UNSUPPORTED = _error("E0008", "pol 尚不支持{construct}：“{text}”", "{help}")
CAP_SCOPES_DIFFER = _error("E0316", "同一句中的两个封顶范围不同（“{first}”与“{second}”）：范围更大的封顶须对企业各项的合计封顶，"
                           "一次计算只有一项，不能合并为一个封顶",
                           "规则之下写“逐项「项目」，按顺序分摊”（或“按比例分摊”）：逐项计算，“{second}”的封顶对企业各项的合计封顶；"
                           "或每句只写一个范围的封顶")
BAD_INCREMENT = _error("E0318", "递增奖励须从“超过A的部分”算起，且每档的增量须为正数：{what}",
                       "写作“营业收入超过1亿元的部分每增加1000万元再奖励10万元”")
BAD_PRORATION = _error("E0320", "按天数折算{what}",
                       "写作“按贷款金额的2%给予贴息，按实际贴息天数/365计算”：天数为数量输入（数量 或 数量（天）），"
                       "折算基数为正整数，只用于按比例或定额计算的金额")
CAP_TABLE_MISPLACED = _error("E0319", "“分别最高…”须跟在按类别的表之后（分别给予…、分别按…的…）",
                             "各类别的上限写在表的句末：“国家级、省级分别按投资额的10%、5%给予补助，分别最高100万元、30万元”")
MARK_NUMBER_DIFFERS = _error("E0315", "“{mark}”中的数额与所注的门槛 {value} 不符",
                             "括号中写门槛本身（如“500万元（含500万元）以上”），或只写“（含）”“（不含）”")
RANGE_END_WORD = _error("E0321", "区间的{end}写了“{word}”，方向不对",
                        "下限写“以上”，上限写“以下”或“以内”：“100万元以上至500万元以下”")
RATE_WITHOUT_BASE = _error("E0009", "“给予{rate}”前须是计算的基数：对后应为一个金额输入，其后直接是“给予”",
                           "写作“对并购重组中介服务费给予50%补贴”，或“按X的50%给予补贴”")
ITEMS_WITHOUT_TOTAL = _error("E0330", "规则写了“逐项「{noun}」”，但句中没有对企业合计的封顶（如“单个企业最高200万元”）",
                             "在句末写明企业合计的上限，如“，单个企业累计不超过200万元”；不按项计算的规则删去“逐项”")
BAD_MINIMUM = _error("E0334", "最低发放额的写法不对：{what}", "写作“对补贴额3万元以下的企业不予安排补贴资金”")
CAPS_BY_CHOICE_INCOMPLETE = _error("E0332", "按类别的封顶须列出“{name}”的每个选项，缺少：{missing}",
                                   "逐一写出：“现有企业最高奖励300万元，当年新引入企业最高奖励500万元”；"
                                   "某类不封顶时把它的封顶写成足够大的金额，或把该类写成另一条规则")
BAD_TOTAL_CAP = _error("E0331", "企业合计的封顶须为一个金额：{what}",
                       "逐项计算的规则只能有一个企业合计的封顶，写作“单个企业最高200万元”")
# schedules: year-by-year rates and staged payment
BAD_YEARS = _error("E0350", "无法读出“{text}”所指的年份", "写作“前3年”“第4-5年”“第三年至第五年”“后两年”或“第一年”")
YEARS_NOT_CONTIGUOUS = _error("E0351", "分年计算的年份须从第1年起逐段相接：“{text}”是第{first}至{last}年，应从第{expected}年起",
                              "按年份顺序写各段，如“前3年…，第4-5年…”")
SCHEDULE_WITHOUT_BASE = _error("E0352", "“{text}”没有写明按什么计算",
                               "在年份前写基数（“企业所得税地方留成部分前3年全额奖励”），或写“按X的50%”")
YEARLY_OUTSIDE_SCHEDULE = _error("E0353", "“{name}”是逐年输入，只能在分年计算中使用",
                                 "在分年计算中引用它（前3年按{name}的…），或把它声明为一般的输入")
SCHEDULE_MODIFIER = _error("E0354", "分年计算之后不能再写“{text}”：各年的金额须与总额相符",
                           "分年计算后只可写封顶或舍入；倍数、折算等写在各年的比例中")
SHARES_NOT_WHOLE = _error("E0355", "各期的份额合计为{total}，应为100%", "核对各阶段（各期）的比例，使其合计为100%")
STAGES_PARTLY_DECLARED = _error("E0358", "各节点（阶段）须都声明为“是否”输入，或都不声明：{what}",
                                "要按是否已到各节点计发，把每个节点声明为“输入 X：是否”；只算总额与各期时，各节点都不声明")
BAD_SUPPORT_YEARS = _error("E0359", "“{text}”：{what}",
                           "在规则之下写“期限：享受补助年数”（输入 享受补助年数：数量（年）），即含本年度在内享受本项补助的年数；"
                           "年限写作“补助年限最长不超过2年”")
BAD_RATIO_SCHEDULE = _error("E0357", "按比例分年拨付：{what}",
                             "写作“…，按照3∶3∶4的比例分年拨付”，或在定额表之后单独成句："
                             "“A、B的奖励补助资金分别按照3∶3∶4和4∶6的比例分年拨付。”（每类一个比例，次序同表）")
BAD_PERIOD = _error("E0356", "期限{what}", "写作“补贴执行期限5年”：以年计的期限，跟在按比例、定额或单价计算的金额之后")
CAP_APART_ALONE = _error("E0335", "单独成句的封顶“{text}”前面没有它所封顶的计算",
                         "单独成句的封顶接在同一规则的计算之后：“对调峰时段用电量给予0.2元/千瓦时奖励。上述期限内用电奖励单家企业最高不超过500万元。”")
RECEIVED_WITHOUT_CUMULATIVE = _error("E0333", "写了“累计已获：{name}”，但句中没有累计的封顶（如“累计补贴金额最高200万元”）",
                                     "在句末写明累计上限；“累计已获”只用于从累计上限中扣除已获得的金额")
# only where a condition holds: 对X的项目，奖补标准上浮10%。 · …，属于X，给予设备投资12%奖补
WHERE_ALONE = _error("E0360", "按条件的倍数或比例“{text}”前面没有它所调整的计算",
                     "接在同一规则的计算之后单独成句：“…，单个项目补助金额最高为2000万元。"
                     "对民营企业为主要社会资本方的项目，奖补标准上浮10%。”"
                     "“按实际支付利息的50%给予贴息；入库科技型中小企业贴息比例提高30个百分点。”")
BAD_WHERE = _error("E0361", "按条件另定的标准：{what}",
                   "写作“按设备投资额给予10%奖补，属于战略性新兴产业技术改造项目，给予设备投资12%奖补”"
                   "（同一基数的另一比例），或在计算之后单独成句：“对X的项目，奖补标准上浮10%。”")
# 取自「文号」rule under an input: the amount of another document's rule, in a set holding both documents
TAKEN_NOT_MONEY = _error("E0428", "“{name}”取自另一规则的金额，应声明为“金额”，而不是“{kind}”",
                         "写作“输入 {name}：金额”，其下“取自「文号」规则编号”")
TAKEN_RULE_MISSING = _error("E0429", "「{document}」中没有编号为“{rule}”的规则",
                            "核对规则编号；「{document}」的规则有：{rules}")
TAKEN_NOT_AMOUNT = _error("E0430", "「{document}」{rule}的金额{why}，不是确定的金额，不能取自它",
                          "删去“取自…”，让申请人填写该金额")
TAKEN_CYCLE = _error("E0431", "“取自”的规则互相引用，无法先后计算：{cycle}", "删去其中一处“取自…”")
TAKEN_CLASH = _error("E0432", "输入“{name}”在{other}中{how}，与此处不同",
                     "同一集合按名称读取同一项情况：各文件对“{name}”的“取自…”须相同，否则改用另一个名称")
TAKEN_DOCUMENT_ABSENT = _warning("W0509", "集合中没有文件「{document}」，“{name}”仍由申请人填写",
                                 "把「{document}」的 .pol 文件放进同一目录，{name}即按其规则{rule}计算")
# 按超额累进计算，具体奖励标准为：…: progressive brackets written as tiers of rates, each tier's rate on its part of the base
BAD_PROGRESSIVE = _error("E0362", "“按超额累进计算”：{what}",
                         "写作“按超额累进计算，具体奖励标准为：X在A-B的，按Y给予2.5‰奖励；X在B-C的，按Y给予2‰奖励；"
                         "X在C以上的，按Y给予1‰奖励”：其后各档一句、各档同一基数的比例，档与档首尾相接；"
                         "或写作“Y不超过B的部分按2.5‰、超过B的部分按2‰计算”")
