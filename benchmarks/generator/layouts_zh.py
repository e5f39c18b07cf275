"""Chinese waybills (快递面单). All sizes in mm; every printed thing becomes an item."""

from __future__ import annotations

import numpy as np

from . import fake as F
from .canvas import LabelCanvas

Rng = np.random.Generator
RED = (200, 30, 36)
BLUE_INK = (28, 52, 140)


def _party_line(c: LabelCanvas, x, y, name, phone, role, size, rng, max_w, gap_mm=3.0, fnt="zh_heavy"):
    """'张伟  13812345678' as two items on one line; returns the bottom y."""
    b = c.text(x, y, name, fnt=fnt, size_mm=size, category="name", role=role)
    px = b[2] + gap_mm
    c.text(
        px,
        y,
        phone,
        fnt="zh",
        size_mm=size * 0.95,
        category="phone",
        role=role,
        max_w_mm=max(8.0, x + max_w - px),
    )
    return y + size * 1.3


def _address(c: LabelCanvas, x, y, addr: str, role, size, max_w, max_lines=3) -> float:
    return c.paragraph(
        x, y, addr, fnt="zh", size_mm=size, max_w_mm=max_w, category="address", role=role, max_lines=max_lines
    )


def _carrier(rng: Rng, choices=("ZTO", "YTO", "STO", "YUNDA", "JT", "CAINIAO", "JD", "EMS")) -> str:
    return F.pick(rng, list(choices))


def _recipient_phone(rng: Rng, privacy: bool, mobile: str) -> str:
    if not privacy:
        return mobile if F.chance(rng, 0.85) else F.zh_landline(rng)
    return F.zh_mask_mobile(mobile) if F.chance(rng, 0.6) else F.zh_virtual(rng)


def zh_ecommerce(c: LabelCanvas, rng: Rng, privacy: bool = False) -> None:
    """E-commerce thermal waybill, 100 x 150 mm (ZTO/YTO/STO/Yunda/J&T/Cainiao-like)."""
    W = c.width_mm
    carrier = _carrier(rng)
    brand, hotline, short = F.ZH_CARRIERS[carrier]
    trk = F.zh_tracking(rng, carrier)
    rname, sname = F.zh_name(rng), F.zh_name(rng)
    rmob, smob = F.zh_mobile(rng), F.zh_mobile(rng)
    raddr, saddr = F.zh_address(rng, long=F.chance(rng, 0.5)), F.zh_address(rng)
    if privacy:
        rname_s = F.zh_mask_name(rname)
        rphone_s = _recipient_phone(rng, True, rmob)
        raddr_s = F.zh_mask_address(raddr) if F.chance(rng, 0.5) else raddr.full
        sname_s, sphone_s = F.zh_mask_name(sname), F.zh_mask_mobile(smob)
    else:
        rname_s, rphone_s, raddr_s = rname, _recipient_phone(rng, False, rmob), raddr.full
        sname_s, sphone_s = sname, smob
    m = 3.0
    c.rect(1.2, 1.2, W - 1.2, c.height_mm - 1.2, width_mm=0.4)
    # --- header
    c.text(m, 3.0, brand, fnt="zh_heavy", size_mm=6.0, max_w_mm=46)
    svc = F.pick(rng, ["标准快递", "特快", "电商件", "代收货款"])
    c.text(W - m, 3.2, svc, fnt="zh_heavy", size_mm=4.2, anchor="rt")
    c.text(W - m, 8.6, F.zh_datetime(rng), fnt="zh", size_mm=2.2, anchor="rt")
    if privacy:
        c.text(m, 10.2, F.pick(rng, ["隐私面单", "隐私保护面单", "[隐私号]"]), fnt="zh", size_mm=2.4)
    c.hline(1.2, W - 1.2, 13.5)
    # --- sorting code (三段码) and hub (集包地)
    c.text(W / 2, 15.0, F.zh_sort_code(rng), fnt="zh_heavy", size_mm=10.5, anchor="mt", max_w_mm=W - 8)
    c.hline(1.2, W - 1.2, 28.0)
    cap = c.text(m, 29.6, "集包地：", fnt="zh", size_mm=2.6)
    c.text(cap[2] + 1.0, 29.0, F.pick(rng, F.ZH_HUBS), fnt="zh_heavy", size_mm=4.6, max_w_mm=W - 30)
    c.text(W - m, 29.6, F.pick(rng, ["1/1", "第1/1件", "1-1"]), fnt="zh", size_mm=2.4, anchor="rt")
    c.hline(1.2, W - 1.2, 36.0)
    # --- recipient
    boxed = F.chance(rng, 0.6)
    y = 38.0
    if boxed:
        c.box_char(m, y, "收", 6.0)
        x0 = m + 10.5
    else:
        cap = c.text(m, y + 0.6, "收件人：", fnt="zh_heavy", size_mm=3.4)
        x0 = cap[2] + 1.0
    y = _party_line(c, x0, y, rname_s, rphone_s, "recipient", 4.4, rng, W - x0 - m)
    _address(c, x0, y + 0.5, raddr_s, "recipient", 3.6, W - x0 - m, max_lines=3)
    c.hline(1.2, W - 1.2, 62.0)
    # --- sender
    y = 63.5
    if boxed:
        c.box_char(m, y, "寄", 4.4, inverted=False)
        x0 = m + 8.5
    else:
        cap = c.text(m, y + 0.3, "寄件人：", fnt="zh", size_mm=2.8)
        x0 = cap[2] + 1.0
    y = _party_line(c, x0, y, sname_s, sphone_s, "sender", 3.0, rng, W - x0 - m, fnt="zh")
    _address(
        c,
        x0,
        y + 0.2,
        saddr.full if not privacy else F.zh_mask_address(saddr),
        "sender",
        2.6,
        W - x0 - m,
        max_lines=2,
    )
    c.hline(1.2, W - 1.2, 77.0)
    # --- tracking barcode + digits
    c.symbol(10, 79.0, trk, "Code128", w_mm=W - 20, h_mm=13.0, category="barcode")
    spaced = F.group(trk, [4, 4, 4, 4]) if F.chance(rng, 0.5) else trk
    c.text(W / 2, 93.0, spaced, fnt="zh", size_mm=3.4, anchor="mt", category="tracking_number")
    c.hline(1.2, W - 1.2, 98.0)
    # --- QR + service text
    q = c.symbol(m, 100.0, f"https://m.{carrier.lower()}.example/t?n={trk}", "QRCode", w_mm=17.0)
    xr = q[2] + 3.0
    c.text(xr, 100.5, "签收人：", fnt="zh", size_mm=2.6)
    c.text(xr, 105.0, "签收时间：   年   月   日", fnt="zh", size_mm=2.6)
    c.text(xr, 109.5, F.pick(rng, ["已验视", "已实名", "已验视 已实名"]), fnt="zh", size_mm=2.6)
    c.text(xr, 113.5, f"客服电话：{hotline}", fnt="zh", size_mm=2.4)
    c.text(
        W - m, 113.5, F.zh_hotline_400(rng) if F.chance(rng, 0.4) else "", fnt="zh", size_mm=2.2, anchor="rt"
    )
    c.hline(1.2, W - 1.2, 119.0, dashed=True)
    # --- stub (二联): repeats recipient / sender and the tracking number
    y = 120.5
    c.symbol(m + 5, y, trk, "Code128", w_mm=46, h_mm=7.0, category="barcode")
    c.text(m + 28, y + 7.6, trk, fnt="zh", size_mm=2.4, anchor="mt", category="tracking_number")
    c.text(W - m, y + 0.5, short, fnt="zh_heavy", size_mm=4.0, anchor="rt")
    if F.chance(rng, 0.6):
        c.text(
            W - m,
            y + 7.6,
            f"订单号：{F.digits(rng, int(rng.integers(16, 20)), True)}",
            fnt="zh",
            size_mm=2.0,
            anchor="rt",
        )
    y = 132.0
    cap = c.text(m, y, "收件：", fnt="zh", size_mm=2.5)
    b = c.text(cap[2] + 0.8, y, rname_s, fnt="zh", size_mm=2.5, category="name", role="recipient")
    c.text(b[2] + 2.0, y, rphone_s, fnt="zh", size_mm=2.5, category="phone", role="recipient")
    c.paragraph(
        m,
        y + 3.3,
        raddr_s,
        fnt="zh",
        size_mm=2.3,
        max_w_mm=W - 2 * m,
        category="address",
        role="recipient",
        max_lines=2,
    )
    y = 142.8
    cap = c.text(m, y, "寄件：", fnt="zh", size_mm=2.3)
    b = c.text(cap[2] + 0.8, y, sname_s, fnt="zh", size_mm=2.3, category="name", role="sender")
    c.text(b[2] + 2.0, y, sphone_s, fnt="zh", size_mm=2.3, category="phone", role="sender")
    c.text(
        W - m,
        y,
        f"物品：{F.pick(rng, F.ZH_GOODS)}  重量：{rng.uniform(0.1, 9):.2f}kg",
        fnt="zh",
        size_mm=2.2,
        anchor="rt",
    )


def zh_privacy(c: LabelCanvas, rng: Rng) -> None:
    zh_ecommerce(c, rng, privacy=True)


def zh_sf(c: LabelCanvas, rng: Rng) -> None:
    """SF-Express-like waybill, 100 x 150 mm: big destination code, 寄/收 blocks, 月结 info."""
    W = c.width_mm
    trk = F.zh_tracking(rng, "SF")
    rname, sname = F.zh_name(rng), F.zh_name(rng)
    raddr, saddr = F.zh_address(rng, long=F.chance(rng, 0.5)), F.zh_address(rng)
    virtual = F.chance(rng, 0.35)
    rphone = (
        F.zh_virtual(rng) if virtual else (F.zh_mobile(rng) if F.chance(rng, 0.8) else F.zh_landline(rng))
    )
    sphone = F.zh_mobile(rng)
    m = 3.0
    c.rect(1.2, 1.2, W - 1.2, c.height_mm - 1.2, width_mm=0.45)
    c.text(m, 2.8, "顺丰速运", fnt="zh_heavy", size_mm=5.4)
    c.text(m + 30, 3.6, "SF EXPRESS", fnt="sans_bold", size_mm=3.2)
    c.text(
        W - m,
        2.8,
        F.pick(rng, ["顺丰特快", "顺丰标快", "顺丰即日"]),
        fnt="zh_heavy",
        size_mm=4.6,
        anchor="rt",
    )
    c.hline(1.2, W - 1.2, 10.5, width_mm=0.5)
    c.symbol(m + 4, 12.0, trk, "Code128", w_mm=60, h_mm=12.0, category="barcode")
    cap = c.text(m, 25.3, "运单号", fnt="zh", size_mm=2.5)
    c.text(
        cap[2] + 2,
        25.0,
        F.group(trk, [2, 3, 3, 3, 3, 3]),
        fnt="zh_heavy",
        size_mm=3.2,
        category="tracking_number",
    )
    c.text(W - m - 14, 12.5, "目的地", fnt="zh", size_mm=2.4, anchor="mt")
    c.text(
        W - m - 14,
        16.0,
        f"{F.digits(rng, 3, True)}{F.pick(rng, ['WF', 'BF', 'AG', 'DL'])}",
        fnt="zh_heavy",
        size_mm=8.0,
        anchor="mt",
        max_w_mm=26,
    )
    c.hline(1.2, W - 1.2, 30.0)
    # recipient
    c.box_char(m, 32.0, "收", 5.0)
    x0 = m + 9.5
    y = _party_line(c, x0, 32.0, rname, rphone, "recipient", 4.0, rng, W - x0 - m)
    _address(c, x0, y + 0.4, raddr.full, "recipient", 3.4, W - x0 - m, max_lines=3)
    c.hline(1.2, W - 1.2, 56.0)
    # sender
    c.box_char(m, 58.0, "寄", 3.6, inverted=False)
    x0 = m + 7.5
    y = _party_line(c, x0, 58.0, sname, sphone, "sender", 3.0, rng, W - x0 - m, fnt="zh")
    _address(c, x0, y + 0.2, saddr.full, "sender", 2.6, W - x0 - m, max_lines=2)
    c.hline(1.2, W - 1.2, 71.0)
    # payment / service table
    c.text(m, 73.0, f"付款方式：{F.pick(rng, ['寄付月结', '到付', '寄付现结'])}", fnt="zh", size_mm=2.6)
    c.text(m, 77.0, f"月结卡号：{F.digits(rng, 10, True)}", fnt="zh", size_mm=2.6)
    c.text(m, 81.0, f"计费重量：{rng.uniform(0.3, 12):.1f}kg", fnt="zh", size_mm=2.6)
    c.text(m, 85.0, f"托寄物：{F.pick(rng, F.ZH_GOODS)}", fnt="zh", size_mm=2.6)
    c.text(
        m,
        89.0,
        f"声明价值：{int(rng.integers(0, 2000))}元  保价费用：{int(rng.integers(0, 20))}元",
        fnt="zh",
        size_mm=2.6,
    )
    c.symbol(W - m - 22, 73.0, f"https://www.sf-express.example/q/{trk}", "QRCode", w_mm=21)
    c.hline(1.2, W - 1.2, 96.0)
    c.text(m, 98.0, "收件员：", fnt="zh", size_mm=2.5)
    c.text(W / 2, 98.0, "寄件日期：", fnt="zh", size_mm=2.5)
    c.text(m, 102.5, "签名：", fnt="zh", size_mm=2.5)
    c.text(m, 107.0, f"打印时间：{F.zh_datetime(rng)}", fnt="zh", size_mm=2.3)
    c.text(m, 111.0, "服务热线：95338", fnt="zh", size_mm=2.4)
    c.hline(1.2, W - 1.2, 116.0, dashed=True)
    # stub
    c.symbol(m + 5, 118.0, trk, "Code128", w_mm=48, h_mm=8.0, category="barcode")
    c.text(m + 29, 126.5, trk, fnt="zh", size_mm=2.4, anchor="mt", category="tracking_number")
    y = 131.0
    cap = c.text(m, y, "收方：", fnt="zh", size_mm=2.4)
    b = c.text(cap[2] + 0.8, y, rname, fnt="zh", size_mm=2.4, category="name", role="recipient")
    c.text(b[2] + 2, y, rphone, fnt="zh", size_mm=2.4, category="phone", role="recipient")
    c.paragraph(
        m,
        y + 3.2,
        raddr.full,
        fnt="zh",
        size_mm=2.2,
        max_w_mm=W - 2 * m,
        category="address",
        role="recipient",
        max_lines=2,
    )
    y = 142.5
    cap = c.text(m, y, "寄方：", fnt="zh", size_mm=2.2)
    b = c.text(cap[2] + 0.8, y, sname, fnt="zh", size_mm=2.2, category="name", role="sender")
    c.text(b[2] + 2, y, sphone, fnt="zh", size_mm=2.2, category="phone", role="sender")


def zh_form(c: LabelCanvas, rng: Rng) -> None:
    """Hand-filled paper waybill (EMS / 国内快递详情单), 180 x 110 mm, with an ID number field."""
    W, H = c.width_mm, c.height_mm
    carrier = F.pick(rng, ["EMS", "SF", "ZTO"])
    brand, hotline, _ = F.ZH_CARRIERS[carrier]
    trk = F.zh_tracking(rng, carrier)
    hand = dict(fnt="zh", color=BLUE_INK, jitter=1.0, rng=rng)
    red = RED if carrier in ("EMS", "SF") else (30, 90, 60)
    m = 4.0
    c.rect(2, 2, W - 2, H - 2, width_mm=0.5, color=red)
    c.text(m, 4.0, brand, fnt="zh_heavy", size_mm=5.5, color=red)
    c.text(m + 75, 4.8, "国内快递详情单", fnt="zh_heavy", size_mm=4.2, color=red)
    c.symbol(W - 62, 4.0, trk, "Code128", w_mm=56, h_mm=10.0, category="barcode")
    c.text(W - 34, 14.8, trk, fnt="mono", size_mm=3.0, anchor="mt", category="tracking_number")
    c.hline(2, W - 2, 20.0, color=red)
    mid = W / 2
    c.vline(mid, 20.0, H - 22, color=red)
    # two columns: sender (left), recipient (right)
    for col, role in ((0, "sender"), (1, "recipient")):
        x = m + col * (mid - 2)
        name = F.zh_name(rng)
        phone = F.zh_mobile(rng) if F.chance(rng, 0.7) else F.zh_landline(rng)
        addr = F.zh_address(rng, long=True)
        title = "寄件人" if role == "sender" else "收件人"
        c.text(x, 21.5, title + "信息", fnt="zh_heavy", size_mm=3.2, color=red)
        y = 27.0
        cap = c.text(x, y, "姓名：", fnt="zh", size_mm=2.6, color=red)
        c.text(cap[2] + 2, y - 1.5, name, size_mm=5.0, category="name", role=role, **hand)
        cap2 = c.text(x + 40, y, "电话：", fnt="zh", size_mm=2.6, color=red)
        c.text(cap2[2] + 1, y - 1.2, phone, size_mm=4.2, category="phone", role=role, **hand)
        c.hline(x, x + mid - 8, y + 4.5, width_mm=0.2, color=red)
        y = 34.5
        cap = c.text(x, y, "地址：", fnt="zh", size_mm=2.6, color=red)
        lines = c.wrap(addr.full, "zh", 4.4, mid - 22, max_lines=3)
        yy = y - 1.5
        for ln in lines:
            c.text(cap[2] + 2, yy, ln, size_mm=4.4, category="address", role=role, **hand)
            c.hline(x, x + mid - 8, yy + 6.0, width_mm=0.2, color=red)
            yy += 7.0
        y = 57.5
        cap = c.text(x, y, "邮编：", fnt="zh", size_mm=2.6, color=red)
        c.text(cap[2] + 2, y - 1.2, addr.postcode, size_mm=4.2, category="postal_code", role=role, **hand)
        if role == "sender" or F.chance(rng, 0.4):
            cap = c.text(x + 32, y, "身份证号：", fnt="zh", size_mm=2.6, color=red)
            c.text(
                cap[2] + 1, y - 1.0, F.zh_id_number(rng), size_mm=3.6, category="id_number", role=role, **hand
            )
        c.hline(x, x + mid - 8, y + 4.5, width_mm=0.2, color=red)
        cap = c.text(x, 64.0, "单位名称：", fnt="zh", size_mm=2.6, color=red)
        if F.chance(rng, 0.4):
            c.text(
                cap[2] + 2, 62.8, F.pick(rng, F.ZH_SHOPS) + F.pick(rng, F.ZH_COMPANIES), size_mm=3.8, **hand
            )
    c.hline(2, W - 2, H - 22, color=red)
    c.text(m, H - 20, f"内件品名：{F.pick(rng, F.ZH_GOODS)}", fnt="zh", size_mm=2.8, color=red)
    c.text(m + 50, H - 20, f"重量：{rng.uniform(0.2, 9):.1f} 千克", fnt="zh", size_mm=2.8, color=red)
    c.text(m + 95, H - 20, "寄件人签名：", fnt="zh", size_mm=2.8, color=red)
    c.text(m, H - 14, f"收寄日期：{F.zh_datetime(rng)[:10]}", fnt="zh", size_mm=2.8, color=red)
    c.text(m + 95, H - 14, f"客服电话：{hotline}", fnt="zh", size_mm=2.8, color=red)
    c.text(m, H - 8, "请用力填写，字迹清楚 · 本单一式三联", fnt="zh", size_mm=2.4, color=red)
