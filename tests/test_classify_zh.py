"""Chinese per-string detectors: hundreds of generated positives and near-misses, plus hand-written tricky ones.

Each positive asserts the exact personal characters are covered by a hit of the expected category (the caption
is not); each near-miss asserts no personal hit touches the look-alike.
"""

from __future__ import annotations

import random

import pytest

from redact.stages.classify import valid_cn_id, zh
from redact.stages.classify.data.zh_names import COMPOUND_SURNAMES, SINGLE_SURNAMES
from redact.stages.classify.data.zh_places import CITIES, DISTRICTS, PROVINCES
from redact.types import Category as C

R = random.Random(20240512)
MOBILE_PREFIXES = [f"13{d}" for d in range(10)] + [
    "145",
    "147",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "170",
    "171",
    "172",
    "173",
    "175",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "184",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "193",
    "195",
    "196",
    "197",
    "198",
    "199",
]
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文博宇浩然子涵欣怡晨阳思远雨萱嘉豪梓轩")
AREA = [
    "010",
    "020",
    "021",
    "022",
    "023",
    "024",
    "025",
    "027",
    "028",
    "029",
    "0311",
    "0351",
    "0371",
    "0431",
    "0451",
    "0512",
    "0531",
    "0551",
    "0571",
    "0574",
    "0591",
    "0731",
    "0755",
    "0756",
    "0769",
    "0871",
    "0898",
]
ROADS = [
    "文三路",
    "中山路",
    "人民路",
    "解放大道",
    "建设街",
    "和平巷",
    "长江路",
    "科技大道",
    "学院路",
    "新华街",
]
ESTATES = ["华星大厦", "阳光花园", "和谐家园", "翠苑小区", "金色公寓", "万科城", "绿城广场", "锦绣新村"]


def digits(n: int) -> str:
    return "".join(R.choice("0123456789") for _ in range(n))


def mobile() -> str:
    return R.choice(MOBILE_PREFIXES) + digits(8)


def cn_id() -> str:
    region = R.choice(["110101", "310104", "330106", "440305", "510107", "420106", "320102", "130102"])
    birth = f"{R.randint(1950, 2008)}{R.randint(1, 12):02d}{R.randint(1, 28):02d}"
    body = region + birth + digits(3)
    w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(body[i]) * w[i] for i in range(17)) % 11]


def name() -> str:
    if R.random() < 0.2:
        return R.choice(COMPOUND_SURNAMES) + "".join(R.choice(GIVEN) for _ in range(R.randint(1, 2)))
    return R.choice(SINGLE_SURNAMES) + "".join(R.choice(GIVEN) for _ in range(R.randint(1, 2)))


def address() -> str:
    prov = R.choice(PROVINCES)
    city = R.choice(CITIES)
    dist = R.choice(DISTRICTS)
    parts = [
        prov + ("省" if prov not in ("北京", "上海", "天津", "重庆") else "市"),
        city + "市",
        dist + "区",
        R.choice(ROADS) + f"{R.randint(1, 999)}号",
    ]
    if R.random() < 0.7:
        parts.append(R.choice(ESTATES) + f"{R.randint(1, 30)}栋{R.randint(1, 6)}单元{R.randint(101, 2505)}室")
    if R.random() < 0.3:
        parts = parts[1:]
    return "".join(parts)


def covered(text: str, sub_start: int, sub_end: int, cats) -> bool:
    """Every non-space character of text[sub_start:sub_end] lies in a hit of one of ``cats``."""
    hits = [h for h in zh.find(text) if h[2] in cats]
    for k in range(sub_start, sub_end):
        if text[k].isspace():
            continue
        if not any(s <= k < e for s, e, _, _ in hits):
            return False
    return True


def untouched(text: str, sub_start: int, sub_end: int) -> bool:
    return not any(s < sub_end and sub_start < e for s, e, _, _ in zh.find(text))


# ------------------------------------------------------------------------------------------------ phones
def mobile_variants(n: int):
    out = []
    for _ in range(n):
        m = mobile()
        k = R.randrange(9)
        if k == 0:
            v = m
        elif k == 1:
            v = f"{m[:3]} {m[3:7]} {m[7:]}"
        elif k == 2:
            v = f"{m[:3]}-{m[3:7]}-{m[7:]}"
        elif k == 3:
            v = "+86 " + m
        elif k == 4:
            v = "86-" + m
        elif k == 5:
            v = f"{m}-{digits(4)}"  # virtual number with extension
        elif k == 6:
            v = f"{m}转{digits(4)}"
        elif k == 7:
            v = f"{m[:3]}****{m[7:]}"
        else:
            v = f"{m[:3]}-xxxx-{m[7:]}" if R.random() < 0.5 else f"{m[:3]}xxxx{m[7:]}"
        out.append(v)
    return out


CAPTIONS = [
    "",
    "电话：",
    "手机：",
    "联系电话:",
    "Tel:",
    "收件人：张伟 ",
    "寄件人： 李娜 ",
    "收 王芳 ",
    "联系方式：",
]


@pytest.mark.parametrize("value", mobile_variants(240))
def test_mobile_numbers(value):
    cap = R.choice(CAPTIONS)
    tail = R.choice(["", " ", " 浙江省杭州市西湖区文三路90号", "（工作日）"])
    text = cap + value + tail
    s = len(cap)
    assert covered(text, s, s + len(value), {C.PHONE}), (text, zh.find(text))
    # the caption itself is not personal
    cap_word = cap.split("：")[0].split(":")[0].strip()
    if cap_word and cap_word not in ("收件人", "寄件人") and not cap_word.startswith("收"):
        assert untouched(text, 0, len(cap_word))


@pytest.mark.parametrize("i", range(80))
def test_landlines(i):
    a = R.choice(AREA)
    local = str(R.randint(2, 8)) + digits(7 if len(a) == 3 else R.choice([6, 7]))
    v = R.choice(
        [
            f"{a}-{local}",
            f"({a}){local}",
            f"（{a}）{local}",
            f"{a} {local}",
            f"{a}{local}",
            f"{a}-{local}-{R.randint(1, 9999)}",
            f"{a}-{local}转{R.randint(10, 999)}",
        ]
    )
    cap = R.choice(["", "电话：", "座机：", "寄件人：陈静 "])
    text = cap + v
    assert covered(text, len(cap), len(text), {C.PHONE}), (text, zh.find(text))


@pytest.mark.parametrize(
    "text",
    [
        "客服电话：95311",
        "客服热线 95546",
        "服务热线：400-820-8820",
        "4008-111-111",
        "全国客服 400 811 1111",
        "投诉电话：800-810-8888",
        "95338",
        "11183",
        "EMS 11185",
        "顺丰 95338 中通 95311",
    ],
)
def test_hotlines_are_kept(text):
    assert zh.find(text) == [], zh.find(text)


@pytest.mark.parametrize(
    "text",
    [
        "2024-05-12",
        "2024-05-12 14:30:22",
        "2024/5/12",
        "2024年5月12日",
        "打印时间：2024-05-12 08:01:32",
        "重量：1.5kg",
        "12.35 KG",
        "计费重量：3公斤",
        "30x20x10cm",
        "第1/1件",
        "数量：2",
        "¥128.00",
        "310-W01 00",
        "571 A2-03",
        "华东 上海 010",
        "集包地：杭州",
        "杭州转运中心",
        "深圳宝安集散",
        "签收人：",
        "已验视 已实名",
        "电商件",
        "中通快递",
        "顺丰速运 标快",
        "物品：图书  重量：6.82kg",
        "签收时间：   年   月   日",
        "订单号：202405120001234",
        "订单编号：DD20240512123456",
        "月结卡号：7550000123",
        "快件送达收件人地址，经收件人或收件人允许的代收人签字，视为送达。",
        "请收件人当面验货",
        "寄件人承诺：不含违禁品",
        "您对此单的签收代表您已验收，确认商品信息无误，包装完好",
        "本次服务适用于《快递服务契约条款》",
        "寄件人签字：",
        "收件人/代收人：",
        "如有疑问请致电客服 95311",
        "付款方式：寄付现结",
        "计费重量：8.9kg",
        "声明价值：1616元 保价费用：3元",
    ],
)
def test_near_misses_are_kept(text):
    assert zh.find(text) == [], zh.find(text)


# ------------------------------------------------------------------------------------------------ IDs
@pytest.mark.parametrize("i", range(60))
def test_id_numbers_with_checksum(i):
    v = cn_id()
    assert valid_cn_id(v)
    cap = R.choice(["", "身份证号：", "证件号码: ", "身份证 "])
    text = cap + v
    hits = zh.find(text)
    assert any(c == C.ID_NUMBER and s == len(cap) and e == len(text) for s, e, c, _ in hits), (text, hits)


@pytest.mark.parametrize("i", range(20))
def test_id_checksum_failure_needs_caption(i):
    v = cn_id()
    bad = v[:17] + ("0" if v[17] != "0" else "1")
    assert not valid_cn_id(bad)
    text = "身份证号：" + bad
    assert any(c == C.ID_NUMBER for _, _, c, _ in zh.find(text))
    # without a caption it is still masked (an 18-digit run), just not called an ID
    assert covered(bad, 0, len(bad), {C.TRACKING_NUMBER, C.ID_NUMBER})


def test_id_15_digits_and_masked():
    assert any(c == C.ID_NUMBER for _, _, c, _ in zh.find("身份证：110101800101123"))
    t = "身份证：3301**********1234"
    assert covered(t, 4, len(t), {C.ID_NUMBER}), zh.find(t)


def test_valid_cn_id_rejects_bad_dates_and_shapes():
    good = cn_id()
    assert valid_cn_id(good) and valid_cn_id(good.lower())
    assert not valid_cn_id(good[:10] + "13" + good[12:])  # month 13
    assert not valid_cn_id(good[:-1])
    assert not valid_cn_id("0" + good[1:])


# ------------------------------------------------------------------------------------------------ names
NAME_CAPS = [
    "收件人：",
    "收件人:",
    "收货人：",
    "寄件人：",
    "发件人：",
    "姓名：",
    "联系人：",
    "收件：",
    "寄件：",
    "收 ",
    "寄 ",
    "收方：",
    "寄方：",
]


@pytest.mark.parametrize("i", range(150))
def test_names_after_captions(i):
    nm = name()
    if R.random() < 0.25:
        nm = nm[0] + "*" * (len(nm) - 1) if nm[:2] not in COMPOUND_SURNAMES else nm[:2] + "*"
    elif R.random() < 0.1:
        nm = nm[0] + "*" + nm[-1] if len(nm) == 3 else nm
    cap = R.choice(NAME_CAPS)
    tail = R.choice(["", " " + mobile(), "  " + mobile()[:3] + "****" + mobile()[7:], " " + address()])
    text = cap + nm + tail
    s = len(cap)
    assert covered(text, s, s + len(nm), {C.NAME}), (text, zh.find(text))
    assert untouched(text, 0, len(cap.strip(" ：:")))


@pytest.mark.parametrize("i", range(60))
def test_names_beside_a_phone(i):
    nm = name()
    m = mobile()
    text = R.choice([f"{nm} {m}", f"{nm}  {m}", f"{m} {nm}", f"{nm}，{m}", f"{nm} 电话：{m}"])
    s = text.index(nm)
    assert covered(text, s, s + len(nm), {C.NAME}), (text, zh.find(text))


def test_compound_and_masked_names():
    for text, nm in [
        ("收件人：欧阳娜娜", "欧阳娜娜"),
        ("寄件人：司马懿", "司马懿"),
        ("收件人：诸葛亮 13812345678", "诸葛亮"),
        ("收件人：张*", "张*"),
        ("寄件：王** 138****5678", "王**"),
        ("收件人：金*鑫", "金*鑫"),
        ("收件人：上官* 0571-8888****", "上官*"),
    ]:
        s = text.index(nm)
        assert covered(text, s, s + len(nm), {C.NAME}), (text, zh.find(text))


@pytest.mark.parametrize(
    "text",
    [
        "收件人电话：",
        "收件地址：",
        "寄件人信息",
        "收件员：",
        "签收人：",
        "收货地址",
        "寄件须知",
        "联系客服",
        "收费标准",
    ],
)
def test_caption_words_are_not_names(text):
    assert not any(c == C.NAME for _, _, c, _ in zh.find(text)), zh.find(text)


# ------------------------------------------------------------------------------------------------ addresses
@pytest.mark.parametrize("i", range(120))
def test_addresses(i):
    a = address()
    if R.random() < 0.2:
        a = a[: len(a) // 2] + "***"  # privacy waybill
    cap = R.choice(["", "地址：", "收件地址：", "详细地址: ", "收件人：张伟 13812345678 "])
    text = cap + a
    s = len(cap)
    assert covered(text, s, len(text), {C.ADDRESS}), (text, zh.find(text))


def test_address_with_postal_code():
    text = "上海市浦东新区张江路88弄5号1201室 200120"
    hits = zh.find(text)
    assert any(c == C.POSTAL_CODE and text[s:e] == "200120" for s, e, c, _ in hits)
    assert covered(text, 0, text.index(" "), {C.ADDRESS})
    t2 = "邮编：310012"
    assert any(c == C.POSTAL_CODE and t2[s:e] == "310012" for s, e, c, _ in zh.find(t2))
    # a 6-digit number without address context is not a postal code
    assert zh.find("数量 123456") == []


def test_postal_caption_with_a_character_lost_to_blur():
    t = "邮：445657"  # "邮编：" read from a blurred photo
    assert any(c == C.POSTAL_CODE and t[s:e] == "445657" for s, e, c, _ in zh.find(t))
    assert not any(c == C.POSTAL_CODE for s, e, c, _ in zh.find("邮箱：123456"))


# ------------------------------------------------------------------------------------------------ tracking
def tracking_numbers(n: int):
    out = []
    for _ in range(n):
        k = R.randrange(11)
        out.append(
            [
                lambda: "SF" + digits(13),
                lambda: "SF" + digits(12),
                lambda: "JDVA" + digits(11),
                lambda: "JD" + digits(15),
                lambda: "YT" + digits(13),
                lambda: "JT" + digits(13),
                lambda: "75" + digits(12),
                lambda: "77" + digits(13),
                lambda: "43" + digits(11),
                lambda: "E" + R.choice("ABCDLR") + digits(9) + "CN",
                lambda: "LP" + digits(14),
            ][k]()
        )
    return out


@pytest.mark.parametrize("value", tracking_numbers(120))
def test_tracking_numbers(value):
    spaced = value
    if value[-2:].isdigit() and R.random() < 0.4:  # printed in groups of 4 under a barcode
        spaced = " ".join(value[i : i + 4] for i in range(0, len(value), 4))
    cap = R.choice(["", "运单号：", "快递单号: ", "单号 "])
    text = cap + spaced
    assert covered(text, len(cap), len(text), {C.TRACKING_NUMBER}), (text, zh.find(text))


def test_email():
    text = "邮箱：zhang.wei88@example.com"
    assert any(c == C.EMAIL and text[s:e] == "zhang.wei88@example.com" for s, e, c, _ in zh.find(text))


# ------------------------------------------------------------------------------------------------ OCR noise
@pytest.mark.parametrize(
    "text,value",
    [
        ("收件人：张伟 l38l234S678", "l38l234S678"),
        ("电话：O2l-6l234567", "O2l-6l234567"),
        ("收件人：张伟 138 1234 5678", "138 1234 5678"),
        ("收件人：张伟 138一1234一5678", "138一1234一5678"),
        ("收件人：张伟　１３８１２３４５６７８", "１３８１２３４５６７８"),
        ("寄件人：李娜，（０２１）１２３４５６７８", "（０２１）１２３４５６７８"),
        ("SF l234 5678 9O12 3", "SF l234 5678 9O12 3"),
        ("YT2652B20788764", "YT2652B20788764"),
    ],
)
def test_ocr_noise(text, value):
    s = text.index(value)
    assert covered(text, s, s + len(value), {C.PHONE, C.TRACKING_NUMBER}), (text, zh.find(text))


def test_exact_spans_of_the_contract_example():
    text = "收件人：张伟 13812345678"
    hits = {(s, e, c) for s, e, c, _ in zh.find(text)}
    assert (7, 18, C.PHONE) in hits
    assert (4, 6, C.NAME) in hits
    assert len(hits) == 2
