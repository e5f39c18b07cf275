"""Layout rules on hand-built labels: TextLines with realistic upright polygons (captions at left, values to the
right, blocks under captions, SHIP TO / FROM blocks, the stub of a Chinese waybill), symbols, and the policy."""

from __future__ import annotations

import time

import numpy as np

from redact.stages.classify import apply_policy, classify
from redact.config import Policy
from redact.types import Category as C
from redact.types import Role, Symbol, TextLine


def L(text, x, y, h=30.0, score=0.95, label=0, rot=0.0, origin=(0.0, 0.0)):
    """A line at (x, y) in the label's upright frame, ``h`` high; its photo polygon is the same box rotated by
    ``rot`` degrees about ``origin`` (a tilted photo)."""
    w = sum(h if "\u4e00" <= c <= "\u9fff" else 0.55 * h for c in text)
    up = ((x, y), (x + w, y), (x + w, y + h), (x, y + h))
    a = np.deg2rad(rot)
    ox, oy = origin
    photo = tuple(
        (
            ox + (px - ox) * np.cos(a) - (py - oy) * np.sin(a),
            oy + (px - ox) * np.sin(a) + (py - oy) * np.cos(a),
        )
        for px, py in up
    )
    return TextLine(text=text, polygon=photo, score=score, upright=up, label_index=label)


def fields_by(fields, lines):
    out = []
    for f in fields:
        if f.sensitive:
            out.append((f.category, f.role, tuple(lines[s.line].text[s.start : s.end] for s in f.spans)))
    return out


def has(fields, lines, cat, role, *texts):
    want = tuple(texts)
    for c, r, t in fields_by(fields, lines):
        if c == cat and (role is None or r == role) and all(any(w in x for x in t) for w in want):
            return True
    return False


def masked_text(fields, lines, li):
    cov = np.zeros(len(lines[li].text), bool)
    for f in fields:
        if f.sensitive:
            for s in f.spans:
                if s.line == li:
                    cov[s.start : s.end] = True
    return cov


# ------------------------------------------------------------------------------------------------ Chinese
def waybill(rot=0.0):
    return [
        L("中通快递", 20, 10, 40, rot=rot),
        L("310-W01 00", 300, 10, 60, rot=rot),
        L("华东 上海 010", 20, 80, rot=rot),
        L("收", 20, 140, 90, rot=rot),
        L("张伟  13812345678", 130, 140, rot=rot),
        L("浙江省杭州市西湖区文三路90号", 130, 175, rot=rot),
        L("华星科技大厦3单元501室", 130, 210, rot=rot),
        L("寄", 20, 262, 90, rot=rot),
        L("欧阳娜娜 0755-23456789", 130, 262, rot=rot),
        L("广东省深圳市南山区科技园", 130, 297, rot=rot),
        L("SF1234567890123", 100, 420, 30, rot=rot),
        L("客服电话：95338", 20, 470, 20, rot=rot),
        L("重量：1.5kg", 300, 470, 20, rot=rot),
        L("收件人：张* 138****5678", 20, 520, 20, rot=rot),
        L("寄件人：欧阳* 0755-****6789", 330, 520, 20, rot=rot),
        L("订单号：202405120001234", 20, 550, 20, rot=rot),
        L("打印时间：2024-05-12 14:30", 330, 550, 20, rot=rot),
        L("张伟", 20, 580, 20, rot=rot),
    ]


SYMS = [
    Symbol("Code128", "SF1234567890123", ((100, 370), (500, 370), (500, 415), (100, 415))),
    Symbol("QRCode", "https://x.example/abc", ((500, 100), (600, 100), (600, 200), (500, 200))),
]


def test_boxed_captions_blocks_and_roles():
    lines = waybill()
    f = classify(lines, SYMS)
    assert has(f, lines, C.NAME, Role.RECIPIENT, "张伟")
    assert has(f, lines, C.PHONE, Role.RECIPIENT, "13812345678")
    # the address wraps onto the next line: one field, one span per line
    addr = [x for x in f if x.category == C.ADDRESS and x.role == Role.RECIPIENT]
    assert len(addr) == 1 and len(addr[0].spans) == 2
    assert has(f, lines, C.NAME, Role.SENDER, "欧阳娜娜")
    assert has(f, lines, C.PHONE, Role.SENDER, "0755-23456789")
    assert has(f, lines, C.ADDRESS, Role.SENDER, "广东省深圳市南山区科技园")
    # stub
    assert has(f, lines, C.NAME, Role.RECIPIENT, "张*")
    assert has(f, lines, C.PHONE, Role.RECIPIENT, "138****5678")
    assert has(f, lines, C.PHONE, Role.SENDER, "0755-****6789")
    assert has(f, lines, C.NAME, None, "张伟") and masked_text(f, lines, 17).all()
    # kept: brand, sorting codes, captions, hotline, weight, order number, date
    for li in (0, 1, 2, 3, 7, 11, 12, 15, 16):
        assert not masked_text(f, lines, li).any(), lines[li].text
    for li in (13, 14):  # captions of the stub stay readable
        assert not masked_text(f, lines, li)[:4].any()


def test_symbols_and_repeated_payload():
    lines = waybill()
    f = classify(lines, SYMS)
    syms = [x for x in f if x.symbols and not x.spans]
    assert sorted(x.category for x in syms) == [C.BARCODE, C.QRCODE]
    tied = [x for x in f if x.category == C.TRACKING_NUMBER and x.symbols == (0,)]
    assert tied and tied[0].spans[0].line == 10 and tied[0].role == Role.UNKNOWN
    # an undecoded symbol is still a field
    f2 = classify(lines, [Symbol("unknown", "", SYMS[0].polygon, decoded=False)])
    assert any(x.category == C.BARCODE and x.rule == "symbol_undecoded" for x in f2)


def test_rotated_photo_uses_upright_frame():
    a = classify(waybill(), SYMS)
    b = classify(waybill(rot=90.0), SYMS)
    assert fields_by(a, waybill()) == fields_by(b, waybill(rot=90.0))


def test_caption_at_left_value_in_its_own_box():
    lines = [
        L("收件人：", 20, 100),
        L("李娜", 160, 100),
        L("13912345678", 260, 100),
        L("江苏省南京市鼓楼区中山路1号", 160, 140),
        L("寄件人：", 20, 200),
        L("王强", 160, 200),
        L("021-12345678", 260, 200),
        L("上海市徐汇区漕溪北路88号", 160, 240),
    ]
    f = classify(lines, [])
    assert has(f, lines, C.NAME, Role.RECIPIENT, "李娜")
    assert has(f, lines, C.PHONE, Role.RECIPIENT, "13912345678")
    assert has(f, lines, C.ADDRESS, Role.RECIPIENT, "江苏省南京市鼓楼区中山路1号")
    assert has(f, lines, C.NAME, Role.SENDER, "王强")
    assert has(f, lines, C.PHONE, Role.SENDER, "021-12345678")
    assert has(f, lines, C.ADDRESS, Role.SENDER, "上海市徐汇区漕溪北路88号")
    assert not masked_text(f, lines, 0).any() and not masked_text(f, lines, 4).any()


def test_block_of_three_lines_under_caption():
    lines = [
        L("收件人", 20, 100, 26),
        L("赵敏", 20, 130),
        L("186 1234 5678", 20, 165),
        L("四川省成都市武侯区", 20, 200),
        L("人民南路四段一号", 20, 235),  # no number words in the wrap line
        L("寄件人", 20, 320, 26),
        L("钱多多", 20, 350),
        L("15912345678", 20, 385),
    ]
    f = classify(lines, [])
    assert has(f, lines, C.NAME, Role.RECIPIENT, "赵敏")
    assert has(f, lines, C.PHONE, Role.RECIPIENT, "186 1234 5678")
    assert has(f, lines, C.ADDRESS, Role.RECIPIENT, "四川省成都市武侯区", "人民南路四段一号")
    assert has(f, lines, C.NAME, Role.SENDER, "钱多多")
    assert has(f, lines, C.PHONE, Role.SENDER, "15912345678")


def test_name_next_to_a_phone_without_caption():
    lines = [L("韩梅梅", 20, 100), L("13712345678", 140, 100), L("北京市朝阳区建国路88号", 20, 140)]
    f = classify(lines, [])
    assert has(f, lines, C.NAME, None, "韩梅梅")
    assert has(f, lines, C.ADDRESS, None, "北京市朝阳区建国路88号")


def test_low_confidence_line_in_a_block_is_masked():
    lines = [L("收件人：", 20, 100), L("刘**", 160, 100), L("x#@?%", 20, 140, score=0.2)]
    f = classify(lines, [])
    assert masked_text(f, lines, 2).all()
    assert any(x.category == C.UNREADABLE for x in f)


def test_separate_labels_do_not_mix():
    a = [L("收件人：", 20, 100, label=0), L("周杰", 160, 100, label=0)]
    b = [L("13812345678", 2000, 1500, label=1)]  # another parcel, far away in the photo
    f = classify(a + b, [])
    assert has(f, a + b, C.NAME, Role.RECIPIENT, "周杰")
    ph = [x for x in f if x.category == C.PHONE]
    assert ph and ph[0].role == Role.UNKNOWN  # the other label's caption gives it no role


def test_regions_of_one_label_are_reasoned_about_together():
    """A reader that splits one label into regions (label_index 0/1/2, each with its own upright frame) must not
    lose captions, blocks or repeated values across the regions: the photo frame, turned upright, joins them."""
    rot = -6.0
    base = waybill(rot=rot)
    split = []
    for k, ln in enumerate(base):
        region = 0 if k < 7 else (1 if k < 13 else 2)
        up = tuple((x - 1000 * region, y) for x, y in ln.upright)  # each region's own frame
        split.append(TextLine(ln.text, ln.polygon, ln.score, upright=up, label_index=region))
    f = classify(split, SYMS)
    assert has(f, split, C.NAME, Role.RECIPIENT, "张伟")
    assert has(f, split, C.NAME, Role.SENDER, "欧阳娜娜")
    assert masked_text(f, split, 17).all()  # the stub name, matched with the value read in another region


# ------------------------------------------------------------------------------------------------ Western
def us_label():
    return [
        L("USPS PRIORITY MAIL", 20, 10, 30),
        L("FROM:", 20, 60, 20),
        L("JANE DOE", 20, 85, 20),
        L("500 OAK AVE STE 200", 20, 110, 20),
        L("AUSTIN TX 78701", 20, 135, 20),
        L("WEIGHT: 2 LBS", 400, 60, 20),
        L("SHIP DATE: 05/12/2024", 400, 85, 20),
        L("SHIP TO:", 60, 220, 26),
        L("JOHN SMITH", 60, 252, 26),
        L("1234 N MAIN ST APT 4B", 60, 284, 26),
        L("NEW YORK NY 10001-1234", 60, 316, 26),
        L("(212) 555-0123", 60, 348, 26),
        L("USPS TRACKING # EP", 60, 420, 20),
        L("9405 5036 9930 0123 4567 89", 60, 450, 24),
    ]


def test_ship_to_and_from_blocks():
    lines = us_label()
    sym = [
        Symbol(
            "Code128", "42010001\x1d9405503699300123456789", ((60, 380), (500, 380), (500, 415), (60, 415))
        )
    ]
    f = classify(lines, sym)
    assert has(f, lines, C.NAME, Role.SENDER, "JANE DOE")
    assert has(f, lines, C.ADDRESS, Role.SENDER, "500 OAK AVE STE 200")
    assert has(f, lines, C.POSTAL_CODE, Role.SENDER, "78701")
    assert has(f, lines, C.NAME, Role.RECIPIENT, "JOHN SMITH")
    assert has(f, lines, C.ADDRESS, Role.RECIPIENT, "1234 N MAIN ST APT 4B", "NEW YORK")
    assert has(f, lines, C.POSTAL_CODE, Role.RECIPIENT, "10001-1234")
    assert has(f, lines, C.PHONE, Role.RECIPIENT, "(212) 555-0123")
    trk = [x for x in f if x.category == C.TRACKING_NUMBER]
    assert trk and trk[0].symbols == (0,)  # the digits repeat the IMpb payload (420 + ZIP + tracking)
    for li in (0, 1, 5, 6, 7, 12):
        assert not masked_text(f, lines, li).any(), lines[li].text


def test_western_sender_block_without_caption():
    lines = [
        L("THOMAS MUELLER", 24, 28, 12),
        L("309 N LAKE AVE", 24, 50, 12),
        L("AUSTIN TX 78773", 24, 74, 12),
        L("SHIP TO:", 24, 188, 18),
        L("ARJUN THOMPSON", 72, 222, 22),
        L("7951 E ELM CT", 72, 262, 22),
        L("SALT LAKE CITY UT 84185-3286", 72, 300, 22),
    ]
    f = classify(lines, [])
    assert has(f, lines, C.NAME, Role.SENDER, "THOMAS MUELLER")  # the return address sits above SHIP TO
    assert has(f, lines, C.ADDRESS, Role.SENDER, "309 N LAKE AVE")
    assert has(f, lines, C.NAME, Role.RECIPIENT, "ARJUN THOMPSON")
    assert has(f, lines, C.ADDRESS, Role.RECIPIENT, "7951 E ELM CT")


def test_blurred_western_block_is_masked_upwards_from_its_address():
    """A blurred sender block: the city line still reads as one, the street and the name above it do not
    (no street pattern, misspelt). Stacked on the address line, they are the same person's: masked; the
    label's wording above them is not."""
    lines = [
        L("SHIP DATE: 12/11/2025", 24, 0, 12),
        L("MCHELLE GARCIA", 24, 28, 12),
        L("BUNO S MAN RO", 24, 50, 12),
        L("SAN JOSE CA 95120", 24, 72, 12),
        L("SHIP TO:", 24, 188, 18),
        L("ARJUN THOMPSON", 72, 222, 22),
    ]
    f = classify(lines, [])
    assert has(f, lines, C.ADDRESS, Role.SENDER, "SAN JOSE CA")
    for i in (1, 2):
        assert masked_text(f, lines, i)[1:-1].all(), lines[i].text
    assert not masked_text(f, lines, 0).any()


def test_name_on_the_caption_line():
    lines = [
        L("SHIP TO: MARIA GARCIA", 20, 20),
        L("77 SUNSET BLVD", 20, 55),
        L("LOS ANGELES, CA 90028", 20, 90),
    ]
    f = classify(lines, [])
    assert has(f, lines, C.NAME, Role.RECIPIENT, "MARIA GARCIA")
    assert not masked_text(f, lines, 0)[:7].any()


# ------------------------------------------------------------------------------------------------ policy
def test_policy_default_masks_every_personal_field_and_symbol():
    lines = waybill()
    f = classify(lines, SYMS)
    sel = apply_policy(f, Policy())
    assert {id(x) for x in sel} == {id(x) for x in f if x.sensitive}


def test_policy_by_category_and_role():
    lines = waybill()
    f = classify(lines, SYMS)
    only_recipient = apply_policy(f, Policy(roles=frozenset({"recipient"})))
    assert only_recipient and all(x.role == Role.RECIPIENT for x in only_recipient)
    courier = apply_policy(f, Policy(categories=frozenset({"name", "phone", "address"})))
    assert courier and all(x.category in (C.NAME, C.PHONE, C.ADDRESS) for x in courier)
    assert not any(x.category == C.TRACKING_NUMBER for x in courier)


def test_policy_allow_and_deny_lists():
    lines = waybill()
    f = classify(lines, SYMS)
    sel = apply_policy(f, Policy(allow=("广东省深圳市南山区科技园",)))
    assert not any(x.category == C.ADDRESS and x.role == Role.SENDER for x in sel)
    assert any(x.category == C.ADDRESS and x.role == Role.RECIPIENT for x in sel)
    # deny beats allow, and a deny literal is masked wherever it is read (with the lines given)
    sel2 = apply_policy(f, Policy(allow=("张伟",), deny=("张伟", "中通")), lines=lines)
    assert any("张伟" in x.value for x in sel2)
    assert any(x.rule == "deny_list" and lines[x.spans[0].line].text == "中通快递" for x in sel2)
    # allow is case and width insensitive
    f3 = classify(us_label(), [])
    sel3 = apply_policy(f3, Policy(allow=("jane doe",)))
    assert not any(x.value == "JANE DOE" for x in sel3)


def test_sixty_lines_classify_quickly():
    base = waybill() + us_label()
    lines = []
    for k in range(3):
        for ln in base:
            t = "".join(str((int(c) + k + 1) % 10) if c.isdigit() else c for c in ln.text)
            lines.append(TextLine(t, ln.polygon, ln.score, upright=ln.upright, label_index=k))
    lines = lines[:60]
    classify(lines[:3], [])
    t0 = time.perf_counter()
    classify(lines, [])
    assert time.perf_counter() - t0 < 0.2  # ~10-20 ms idle; loose for a shared 2-core box


def _memo_sizes():
    """Entries held by every memo (lru_cache) of every classifier module, by module.name."""
    import importlib
    import pkgutil

    import redact.stages.classify as pkg

    memos = {}
    for info in pkgutil.iter_modules(pkg.__path__):
        mod = importlib.import_module(f"{pkg.__name__}.{info.name}")
        for name, obj in vars(mod).items():
            if callable(getattr(obj, "cache_info", None)):
                memos[f"{info.name}.{name}"] = obj.cache_info().currsize
    return memos


def test_no_recognised_text_outlives_the_call(caplog):
    import logging

    for lines, syms in ((waybill(), SYMS), (us_label(), [])):
        with caplog.at_level(logging.DEBUG, logger="redact.stages.classify"):
            f = classify(lines, syms)
        assert f
        # every memo of every classifier module is empty after the call: one that is not holds recognised
        # words (the Western label goes through forms.caption_word, the Chinese one through zh.address_score)
        memos = _memo_sizes()
        assert {"lines.scan_cached", "text.digitize", "text.compact_map", "zh.address_score",
                "forms.caption_word"} <= set(memos)
        assert {k: n for k, n in memos.items() if n} == {}
    logged = " ".join(r.getMessage() for r in caplog.records)
    for piece in ("13812345678", "张伟", "欧阳娜娜", "浙江省", "JOHN SMITH", "555-0123"):
        assert piece not in logged


def test_caption_and_value_read_as_separate_lines():
    lines = [
        L("邮编：", 20, 100),
        L("310012", 120, 100),
        L("身份证号：", 20, 140),
        L("33010619900101123X", 180, 140),
        L("TEL:", 20, 180),
        L("212 555 0123", 90, 180),
    ]
    f = classify(lines, [])
    assert has(f, lines, C.POSTAL_CODE, None, "310012")
    assert has(f, lines, C.ID_NUMBER, None, "33010619900101123X")
    assert has(f, lines, C.PHONE, None, "212 555 0123")
    assert not masked_text(f, lines, 0).any() and not masked_text(f, lines, 4).any()
