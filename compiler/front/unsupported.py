"""Wordings of computations pol cannot express yet, named when a sentence holding one fails to parse.

A drafter who writes a real clause such as ``给予每月500元/人的补贴`` (no quantity) or ``每提高一个百分点追加0.5万元`` should
learn that pol has no such computation, not be told ``此处应为“的”`` at some token nearby.  When a line
fails to parse, ``parse.py`` asks ``find`` whether it holds one of these wordings; if it does, the error
names the construct (E0008) instead.  Declared names are masked out first, so that a name such as
``两年内完成全部投资`` is not taken for a schedule over years.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_MASK = "囗"  # stands for each character of a declared name: a Chinese character no pattern spells out
# Numbers start only where a run of digits (or numerals) starts and are taken whole (possessive ++), so that a
# line of 20,000 digits is searched in linear time, not tried again from every digit inside the run.
_DIGITS = r"(?<![\d.])\d++(?:\.\d++)?"
_NUM = rf"(?:{_DIGITS}|(?<![〇零一二两三四五六七八九十百千])[〇零一二两三四五六七八九十百千]++)"
_CN = r"(?<![〇零一二两三四五六七八九十百千\d])[〇零一二两三四五六七八九十百千\d]++"
_MONEY = r"(?:万元|亿元|元|万)"
_UNIT = r"(?:千瓦时|kWh|度|兆瓦|千瓦|平方米|立方米|m²|m|台|个|人|户|头|吨|亩|项|件|套|家|月|年)(?:/月|/年)?"


# 给予5万美元: an amount in 美元 that is not a threshold (达到3000万美元以上) nor a step (每5万美元): those are a quantity's
# a threshold written with a word before it (达到500万美元的, 超过1000万美元) is a quantity in 美元, not an award
# (a match starts only where a run of spaces starts: tried inside a long run of tabs, \s* made it quadratic)
_DOLLARS = (rf"(?<!每)(?<![到达过于破超])(?<!\s)\s*+{_NUM}\s*[万亿]?美元"
            r"(?!\s*(?:以上|以下|以内|及以上|（含|\(含|（不含|\(不含|之间|[-—－–~～至到]))")


@dataclass(frozen=True)
class Construct:
    name: str  # what the construct is, as the message names it
    pattern: re.Pattern[str]
    help: str


CONSTRUCTS: tuple[Construct, ...] = (
    Construct("负数的这种写法（如 增速低于负5%、增速低于—5%）",
              re.compile(rf"(?:低于|高于|不低于|不高于|超过|达到|小于|大于|不足|为|在)\s*[—负]\s*{_DIGITS}\s*[%％‰]"),
              "负的比例写作“-5%”，如“增速不低于-5%”，其输入声明为“比例（可为负）”；降幅也可声明为比例输入，写作“降幅超过5%”"),
    Construct("类型之后的这种括号（如 比例（可以为负））",
              re.compile(r"(?<=金额|比例|是否|日期)[（(](?!可为负[）)])[^）)]*[）)](?=\s*(?:「|$))"),  # after the type
              "金额、比例、是否、日期之后不带括号；可为负的比例写作“比例（可为负）”，带单位的数量写作“数量（亩）”，"
              "选项写作“选项（A、B）”，说明写在「」里"),
    Construct("只有荣誉、没有金额的句子（如 授予骏马奖。）", re.compile(r"授予[^，,。；;]{1,16}(?=[。；;]|$)"),
              "荣誉不计金额：同一句给奖励的，写成“授予骏马奖，并给予100万元奖励”；只有荣誉的，把此条记为“不计算「…」”"),
    Construct("单价的这种用法（如 给予500元/人的补贴，没有所乘的数量）",
              re.compile(rf"{_NUM}\s*{_MONEY}\s*/\s*{_UNIT}"
                         rf"|每(?:千瓦时|度|头|吨|平方米|立方米|亩|兆瓦|千瓦)\s*(?:奖励|补助|补贴|给予)?\s*{_NUM}\s*{_MONEY}"),
              "单价只能乘以带单位的数量计算：“按用电量给予0.2元/千瓦时的补贴”（输入 用电量：数量（千瓦时））；"
              "每一项的封顶写作“最高不超过10万元/台”，每一项的定额写作“按5万元/个的标准给予奖励”；有期限的单价写作“按吸纳人数给予每月500元/人、最长6个月的补贴”（规则之下写“期限：…”）；"
              "其他写法可先记为“未编码”"),
    Construct("用“/”分隔的分档的这种写法（如 达到2000万元/5000万元的，给予2万元奖励）",
              re.compile(rf"{_NUM}\s*{_MONEY}?\s*/\s*{_DIGITS}\s*{_MONEY}?"),
              "用“/”分隔的分档须各有其金额：“年产值销售过2000万元/5000万元的企业，分别给予2万/5万元奖励”，"
              "或用顿号写：“达到2000万元、5000万元的，分别给予2万元、5万元奖励”"),
    Construct("分档各自的“不超过”（分别给予不超过…）", re.compile(r"分别(?:再)?给予(?:一次性)?不超过"),
              "各档的上限写作“分别给予最高20万元、30万元”"),
    Construct("按类别各自的门槛的这种写法（分别达到…）", re.compile(r"分别达到"),
              "写作“对批发、零售当年销售额分别达到1亿元、5000万元以上的，分别再给予不超过2万元、5万元的奖励”；"
              "其他写法请写成各类别各自的规则"),
    Construct("带小数的数量（如 1.5兆瓦、0.5GB）",
              re.compile(r"(?<![\d.])\d++\.\d++\s*(?:GB|MB|TB|MWh|kWh|MW|kW|兆瓦时|兆瓦|千瓦时|千瓦|亩|平方米|立方米|吨|公顷|公里)"),
              "条件中的数量写成整数和单位，如“日均流量超过30GB”“装机容量5兆瓦以上”（输入 装机容量：数量（兆瓦））"),
    Construct("不带“元”的奖励金额（如 给予3万-5万奖励）",
              re.compile(rf"(?:给予|奖励|补助|补贴|资助|奖补)\s*(?:每个项目|每家|每户|每个)?\s*{_NUM}\s*万\s*[-—–~～至]\s*"
                         rf"{_NUM}\s*万(?!元)"),
              "奖励金额写成“给予3万元-5万元奖励”或“给予3万-5万元奖励”（条件里的“零售额在200万-400万的”可以照写）"),
    Construct("不写基数的比例（如 补助比例最高不超过20%）", re.compile(r"比例(?:最高|不超过|不高于)"),
              "比例须有基数：“按X的20%给予补助”（只写比例上限、不说对什么计算的，算不出金额；原文写明基数的，"
              "写作“按X给予不超过20%的补助”）"),
    Construct("这样用顿号连接的比例与封顶（如 按贷款市场报价利率的35%、最高2000万元确定）", re.compile(r"[%％]、[^，。；]*最高"),
              "写作“给予不高于投资额5%、最高200万元补助”“按不高于投资额5%、给予最高200万元补助”，"
              "或封顶另起：“按投资额的5%给予补助，最高200万元”"),
    Construct("以美元给出的奖励金额（如 给予5万美元）", re.compile(_DOLLARS),
              "奖励金额只能以元、万元、亿元书写；以美元计的门槛和台阶是数量："
              "“输入 出口额：数量（美元）”，如“出口额在5万美元以上的，每5万美元给予1万元的奖励”；"
              "以美元计的基数按声明的汇率折算为人民币：“输入 美元汇率：数量（元/美元）”"),
    Construct("一端不带单位的比例区间（如 给予5-20%）",
              re.compile(rf"(?:给予|予以|的|按规定给予)\s*(?:每个项目|每家|每户|每个)?\s*{_NUM}"
                         rf"\s*[-—–~～至]\s*{_NUM}\s*(?:%|％)"),  # 5%-20%, and amounts (3-5万元 is 3万元至5万元): supported
              "比例区间的两端各写%：“按X给予5%-20%的补助”“按X的5%—20%给予补助”（结果为下限与上限）；"
              "金额区间可写“给予3万元-5万元的补助”“给予3-5万元的补助”；其他写法可先记为“未编码”"),
    Construct("未写明的比例（一定比例）", re.compile(r"一定比例"),
              "比例未定而写明基数的，写作“按X的一定比例给予支持”（至多为X全额，具体金额由主管部门核定）；"
              "不写基数的，请写明比例，或把此条记为“未编码”"),
    Construct("排名条件（前N名）", re.compile(rf"排名前{_CN}|前{_CN}名"),
              "排名要与其他申报者比较，pol 不能计算；可声明一个是否输入，如“输入 排名前五：是否”"),
    Construct("分年度或分阶段的计算（如 前3年…，第4-5年…）",
              re.compile(rf"前{_CN}年|第{_CN}(?:[-—至]{_CN})?年|连续{_CN}年|{_CN}年内按|分年|分段"
                         r"|分阶段(?![^，。；]{0,6}[，,]\s*(?:共|总计))"  # 实行分阶段奖励，共300万元: the total
                         r"|分期(?!\s*(?:补助|奖励|补贴|资助|扶持|支持|奖补))|执行期限"  # 分期补贴: the total
                         r"|(?<!\d)\d++\s*[∶:：]\s*\d++\s*[∶:：]\s*\d++"),
              "一条规则算一次的金额；各年（各阶段）的金额请写成各自的规则，或记为“未编码”"),
    Construct("按增量递增的金额的这种写法（如 每提高一个百分点追加0.5万元）",
              re.compile(rf"每(?:增加|跨越|提高|增长|满)|每{_NUM}\s*(?:万元|亿元|元)|追加"),
              "递增写作“营业收入超过1亿元的部分每增加1000万元再奖励10万元”，或接在门槛条件之后："
              "“年度营收达到100亿元后，每跨越一个百亿台阶再给予100万元”“对X1亿元以上的，增量部分每1000万元给予3万元”"
              "“按每增长1亿元给予5万元”（声明 输入 销售额增长额：金额）"
              "“对当年增速不低于25%的企业，给予3万元奖励，在此基础上，增速每增加一个百分点追加0.5万元奖励”；"
              "其他写法可先记为“未编码”"),
    Construct("在另一标准上调（如 上浮10%、提高30个百分点）", re.compile(r"个百分点|上浮|提高\s*\d++(?:\.\d++)?\s*[%％]"),
              "pol 尚不能在另一条规则的标准上调整；同一规则中按条件上浮或按百分点提高的，接在计算之后单独成句："
              "“…，最高2000万元。对民营企业为主要社会资本方的项目，奖补标准上浮10%。”"
              "“按实际支付利息的50%给予贴息；入库科技型中小企业贴息比例提高30个百分点。”；其他请写出调整后的比例或金额"),
    Construct("最低发放额的这种写法（如 3万元以下的不予安排）", re.compile(r"以下的?\S{0,4}不予(?:安排|补助|奖励|补贴)"),
              "最低发放额写在计算之后：“…，对补贴额3万元以下的企业不予安排补贴资金”；其他写法可先记为“未编码”"),
    Construct("两个输入之间的比较（如 本年税收不低于上年税收）",
              re.compile(r"(?:不低于|低于|高于|不高于|超过)(?:上年|上一年|去年|同期|贷款市场报价利率|LPR)"),
              "条件只能把输入与确定的数比较；可声明一个是否输入，如“输入 税收不低于上年：是否”"),
    Construct("只有上限、没有计算的这种写法（如 单个项目资助不超过300万元）",
              re.compile(r"^[^，。；]{0,12}?(?:资助|补助|奖励|补贴|支持)不超过"),
              "只写上限的句子写作“单个项目资助金额不超过300万元且不超过项目总投资的30%”（资助金额、补助额、奖励额度…），"
              "或先写计算：“给予一定资助，单个项目资助不超过300万元”"),
    Construct("两级财政在一句中各自的比例（如 给予市级财政补贴，高新区给予10%的配套补贴）",
              re.compile(r"给予(?:省|市|县|区)级?财政(?:补贴|补助|奖励|资助|奖补)[，,][^，。；]{0,10}?给予"),
              "一条规则算一级财政的金额：本级的写作“按X的10%给予配套补贴”，另一级的比例记在解读里，或写成另一条规则"),
    Construct("另一类对象另定比例的这种写法（如 …，属于战略性新兴产业项目，按投资额的12%给予奖补）",
              re.compile(r"[，,]\s*属于[^，。；]{1,30}[，,]\s*(?:给予|按)"),
              "写作“按设备投资额给予10%奖补，属于战略性新兴产业技术改造项目，给予设备投资12%奖补”（同一基数的另一比例），"
              "或把类别声明为选项：“一般项目、战略性新兴产业项目分别按设备投资额的10%、12%给予奖补”"),
    Construct("没有比例的计算（如 按固定资产投资给予奖励）",
              re.compile(r"按(?:照)?[^，。；的%％\d]{1,20}给予(?:奖励|补助|补贴|支持|奖补)(?=[，。；]|$)"),
              "pol 须有确定的比例或金额：“按X的10%给予奖励”；原文写“一定比例”的，写作“按X的一定比例给予奖励”"
              "（比例由主管部门核定，至多为X全额）"),
    Construct("价格或标准的下限，不是奖励（如 按不低于…的70%执行）", re.compile(r"[%％]\s*执行"),
              "pol 计算的是奖励或补助的金额；价格标准请记为“不计算”"),
)


@dataclass(frozen=True)
class Found:
    construct: Construct
    start: int  # offsets in the line
    end: int
    text: str


def find(line: str, names: Iterable[str] = ()) -> Found | None:
    """The unsupported construct written in ``line``, outside the declared ``names``: of several, the one
    listed first (the more particular wordings come first, the general ones last)."""
    masked = line
    for name in sorted(set(names), key=len, reverse=True):
        if name:
            masked = masked.replace(name, _MASK * len(name))
    for construct in CONSTRUCTS:
        match = construct.pattern.search(masked)
        if match is not None:
            return Found(construct, match.start(), match.end(), line[match.start():match.end()])
    return None
