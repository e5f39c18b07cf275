"""Western shipping labels (4 x 6 in, 101.6 x 152.4 mm). Every printed thing becomes an item."""

from __future__ import annotations

import numpy as np

from . import fake as F
from .canvas import LabelCanvas

Rng = np.random.Generator


def _us_party(rng: Rng, plus4: bool = True):
    city, state, zp = F.pick(rng, F.US_CITIES)
    return dict(
        name=F.en_name(rng),
        street=F.en_street(rng),
        unit=F.en_unit(rng) if F.chance(rng, 0.5) else "",
        city=f"{city} {state}",
        zip=F.us_zip(rng, zp, plus4 and F.chance(rng, 0.7)),
        phone=F.us_phone(rng),
        company=F.pick(rng, F.US_COMPANIES) if F.chance(rng, 0.3) else "",
    )


def _block(
    c: LabelCanvas,
    x,
    y,
    p,
    role,
    size,
    fnt="sans",
    gap=1.22,
    phone=False,
    company=True,
    max_w=60.0,
    bold_name=False,
):
    """Name / company / street / unit / city+ZIP (ZIP as its own postal_code item). Returns the bottom y."""
    c.text(
        x,
        y,
        p["name"],
        fnt="sans_bold" if bold_name else fnt,
        size_mm=size,
        category="name",
        role=role,
        max_w_mm=max_w,
    )
    y += size * gap
    if company and p.get("company"):
        c.text(x, y, p["company"], fnt=fnt, size_mm=size, category="other", role=role, max_w_mm=max_w)
        y += size * gap
    c.text(x, y, p["street"], fnt=fnt, size_mm=size, category="address", role=role, max_w_mm=max_w)
    y += size * gap
    if p.get("unit"):
        c.text(x, y, p["unit"], fnt=fnt, size_mm=size, category="address", role=role, max_w_mm=max_w)
        y += size * gap
    b = c.text(x, y, p["city"], fnt=fnt, size_mm=size, category="address", role=role, max_w_mm=max_w * 0.7)
    c.text(b[2] + size * 0.6, y, p["zip"], fnt=fnt, size_mm=size, category="postal_code", role=role)
    y += size * gap
    if phone:
        c.text(x, y, p["phone"], fnt=fnt, size_mm=size, category="phone", role=role)
        y += size * gap
    return y


def us_usps(c: LabelCanvas, rng: Rng) -> None:
    W = c.width_mm
    s, r = _us_party(rng, plus4=False), _us_party(rng)
    trk = F.usps_tracking(rng)
    m = 3.0
    c.rect(1, 1, W - 1, c.height_mm - 1, width_mm=0.5)
    c.rect(m, m, m + 24, m + 24, width_mm=1.2)
    c.text(m + 12, m + 2.0, "P", fnt="sans_bold", size_mm=18, anchor="mt")
    c.text(W - m, 4.0, "US POSTAGE PAID", fnt="sans_bold", size_mm=2.6, anchor="rt")
    c.text(W - m, 8.0, f"${rng.uniform(7, 40):.2f}", fnt="sans_bold", size_mm=3.4, anchor="rt")
    c.text(W - m, 13.0, F.en_date(rng), fnt="sans", size_mm=2.4, anchor="rt")
    c.text(W - m, 17.0, F.weight_lb(rng), fnt="sans", size_mm=2.4, anchor="rt")
    c.text(W - m, 21.0, f"ZONE {int(rng.integers(1, 9))}", fnt="sans", size_mm=2.4, anchor="rt")
    c.hline(1, W - 1, 30.0, width_mm=0.8)
    c.text(
        W / 2,
        31.5,
        F.pick(rng, ["USPS PRIORITY MAIL", "USPS GROUND ADVANTAGE", "USPS PRIORITY MAIL EXPRESS"]),
        fnt="sans_bold",
        size_mm=4.6,
        anchor="mt",
        max_w_mm=W - 8,
    )
    c.hline(1, W - 1, 38.5, width_mm=0.8)
    c.text(m, 40.5, "FROM:", fnt="sans_bold", size_mm=2.2)
    _block(c, m + 12, 40.5, s, "sender", 2.4, max_w=52)
    c.text(W - m, 40.5, F.pick(rng, ["0006", "C049", "0003"]), fnt="sans", size_mm=2.4, anchor="rt")
    c.text(m, 62.0, "SHIP TO:", fnt="sans_bold", size_mm=3.0)
    _block(c, m + 16, 62.0, r, "recipient", 3.8, max_w=W - m - 20, bold_name=False)
    c.hline(1, W - 1, 92.0, width_mm=1.2)
    c.text(W / 2, 94.0, "USPS TRACKING # EP", fnt="sans_bold", size_mm=3.0, anchor="mt")
    zip5 = r["zip"][:5]
    c.symbol(
        8, 99.0, "420" + zip5 + trk, "Code128", w_mm=W - 16, h_mm=20.0, category="barcode", role="recipient"
    )
    c.text(
        W / 2,
        121.0,
        F.group(trk, [4, 4, 4, 4, 4, 2]),
        fnt="sans_bold",
        size_mm=3.4,
        anchor="mt",
        category="tracking_number",
    )
    c.hline(1, W - 1, 127.0, width_mm=1.2)
    c.text(m, 130.0, f"Electronic Rate Approved #{F.digits(rng, 9)}", fnt="sans", size_mm=2.2)
    c.text(m, 134.0, f"REF: ORDER {F.digits(rng, 7)}", fnt="sans", size_mm=2.2)
    if F.chance(rng, 0.5):
        c.symbol(W - m - 16, 129.5, f"https://tools.usps.example/go?t={trk}", "QRCode", w_mm=15.0)


def us_ups(c: LabelCanvas, rng: Rng) -> None:
    W = c.width_mm
    s, r = _us_party(rng, plus4=False), _us_party(rng)
    trk = F.ups_tracking(rng)
    m = 3.0
    c.rect(1, 1, W - 1, c.height_mm - 1, width_mm=0.5)
    y = _block(c, m, 3.0, s, "sender", 2.3, phone=True, max_w=55)
    c.text(W - m, 3.0, F.weight_lb(rng), fnt="sans_bold", size_mm=3.0, anchor="rt")
    c.text(W - m, 7.0, "1 OF 1", fnt="sans_bold", size_mm=3.0, anchor="rt")
    c.text(
        W - m,
        11.0,
        f"DWT: {int(rng.integers(6, 30))},{int(rng.integers(4, 20))},{int(rng.integers(2, 15))}",
        fnt="sans",
        size_mm=2.2,
        anchor="rt",
    )
    y = max(y, 22.0) + 1.0
    c.text(m, y, "SHIP TO:", fnt="sans_bold", size_mm=3.0)
    _block(c, m + 6, y + 4.0, r, "recipient", 4.0, phone=F.chance(rng, 0.6), max_w=W - 14, bold_name=True)
    c.hline(1, W - 1, 62.0, width_mm=0.8)
    c.symbol(
        m + 1,
        64.0,
        f"[)>\x1e01\x1d96{r['zip'][:5]}\x1d840\x1d{int(rng.integers(1, 99)):03d}\x1d{trk}",
        "MaxiCode",
        w_mm=27,
        category="qrcode",
        role="recipient",
    )
    city_state = r["city"].split()[-1]
    c.text(
        m + 34,
        65.0,
        f"{city_state} {r['zip'][:3]} {int(rng.integers(0, 10))}-{int(rng.integers(1, 99)):02d}",
        fnt="sans_bold",
        size_mm=7.0,
        max_w_mm=W - 40,
    )
    c.symbol(
        m + 36, 76.0, "420" + r["zip"][:5], "Code128", w_mm=44, h_mm=12, category="barcode", role="recipient"
    )
    c.hline(1, W - 1, 93.0, width_mm=1.4)
    c.text(
        m,
        95.0,
        F.pick(rng, ["UPS GROUND", "UPS NEXT DAY AIR", "UPS 2ND DAY AIR"]),
        fnt="sans_bold",
        size_mm=4.6,
        max_w_mm=W - 20,
    )
    c.text(W - m, 95.0, F.pick(rng, ["1", "2", "3"]), fnt="sans_bold", size_mm=8, anchor="rt")
    cap = c.text(m, 101.5, "TRACKING #:", fnt="sans", size_mm=2.8)
    c.text(
        cap[2] + 1.5,
        101.5,
        F.group(trk, [2, 3, 3, 2, 4, 4]),
        fnt="sans_bold",
        size_mm=2.8,
        category="tracking_number",
    )
    c.hline(1, W - 1, 106.0, width_mm=0.5)
    c.symbol(10, 108.0, trk, "Code128", w_mm=W - 20, h_mm=22, category="barcode")
    c.hline(1, W - 1, 132.0, width_mm=0.5)
    c.text(m, 134.0, "BILLING: P/P", fnt="sans", size_mm=2.4)
    c.text(
        m, 138.0, f"REF 1: {F.pick(rng, ['PO', 'INV', 'ORD'])}-{F.digits(rng, 6)}", fnt="sans", size_mm=2.4
    )
    c.text(
        W - m,
        146.0,
        f"ISH 13.00F LP {int(rng.integers(10, 99))}.0V {int(rng.integers(1, 12)):02d}/2025",
        fnt="sans",
        size_mm=2.0,
        anchor="rt",
    )


def us_fedex(c: LabelCanvas, rng: Rng) -> None:
    W = c.width_mm
    s, r = _us_party(rng, plus4=False), _us_party(rng, plus4=False)
    trk = F.digits(rng, 12, True) if F.chance(rng, 0.7) else F.digits(rng, 15, True)
    m = 3.0
    c.rect(1, 1, W - 1, c.height_mm - 1, width_mm=0.5)
    c.text(m, 3.0, f"ORIGIN ID:{F.pick(rng, ['RNOA', 'MEMH', 'EWRA', 'LAXA'])}", fnt="sans", size_mm=2.2)
    c.text(m + 30, 3.0, s["phone"], fnt="sans", size_mm=2.2, category="phone", role="sender")
    _block(c, m, 6.5, s, "sender", 2.2, max_w=55)
    c.text(W - m, 3.0, f"SHIP DATE: {F.en_date(rng)}", fnt="sans", size_mm=2.1, anchor="rt")
    c.text(W - m, 6.5, f"ACTWGT: {rng.uniform(0.5, 40):.2f} LB", fnt="sans", size_mm=2.1, anchor="rt")
    c.text(
        W - m, 10.0, f"CAD: {F.digits(rng, 9)}/INET{F.digits(rng, 4)}", fnt="sans", size_mm=2.1, anchor="rt"
    )
    c.text(W - m, 13.5, "BILL SENDER", fnt="sans", size_mm=2.1, anchor="rt")
    c.text(m, 24.0, "TO", fnt="sans_bold", size_mm=3.4)
    y = _block(c, m + 8, 24.0, r, "recipient", 3.8, max_w=W - 14, bold_name=True)
    c.text(m + 8, y, r["phone"], fnt="sans", size_mm=3.0, category="phone", role="recipient")
    c.text(W - m, y, f"REF: {F.digits(rng, 8)}", fnt="sans", size_mm=2.2, anchor="rt")
    c.hline(1, W - 1, 56.0, width_mm=0.6)
    c.symbol(
        m,
        58.0,
        f"[)>\x1e01\x1d02{r['zip'][:5]}\x1d840\x1d{trk}\x1dFDEB\x1d{r['name']}",
        "PDF417",
        w_mm=W - 2 * m,
        h_mm=20.0,
        category="qrcode",
        role="recipient",
    )
    c.hline(1, W - 1, 80.0, width_mm=0.6)
    c.text(m, 82.0, "TRK#", fnt="sans_bold", size_mm=2.6)
    c.text(m + 10, 81.5, F.group(trk, [4, 4, 4, 3]), fnt="sans_bold", size_mm=4.4, category="tracking_number")
    c.text(m, 87.5, F.pick(rng, ["0201", "0221", "0430"]), fnt="sans_bold", size_mm=2.6)
    c.text(
        W - m,
        81.5,
        F.pick(rng, ["PRIORITY OVERNIGHT", "2DAY", "GROUND", "HOME DELIVERY"]),
        fnt="sans_bold",
        size_mm=3.8,
        anchor="rt",
    )
    c.text(
        W - m,
        87.0,
        f"{F.pick(rng, ['MON', 'TUE', 'WED', 'THU', 'FRI'])} - {int(rng.integers(1, 29))} "
        f"{F.pick(rng, ['JAN', 'MAY', 'JUN', 'OCT'])} 10:30A",
        fnt="sans_bold",
        size_mm=2.8,
        anchor="rt",
    )
    c.text(
        m,
        93.0,
        f"{F.pick(rng, ['XH', 'NA', 'SW'])} {F.pick(rng, ['SWFA', 'MQYA', 'ZSEA'])}",
        fnt="sans_bold",
        size_mm=7.0,
    )
    c.text(
        W - m,
        93.0,
        f"{r['zip'][:5]}",
        fnt="sans_bold",
        size_mm=5.0,
        anchor="rt",
        category="postal_code",
        role="recipient",
    )
    c.text(
        W - m,
        99.5,
        f"{r['city'].split()[-1]}-US {F.pick(rng, ['EWR', 'MEM', 'IND', 'OAK'])}",
        fnt="sans_bold",
        size_mm=3.4,
        anchor="rt",
    )
    c.symbol(
        8,
        108.0,
        F.digits(rng, 10) + trk + F.digits(rng, 34 - 10 - len(trk)),
        "Code128",
        w_mm=W - 16,
        h_mm=22,
        category="barcode",
    )
    c.text(m, 133.0, f"J{F.digits(rng, 12)}", fnt="sans", size_mm=2.0)


def dhl_intl(c: LabelCanvas, rng: Rng) -> None:
    W = c.width_mm
    country = F.pick(rng, ["UK", "CA", "DE"])
    sp = _us_party(rng, plus4=False)
    name = F.en_name(rng)
    if country == "UK":
        city, pc, ctry, phone = (
            F.pick(rng, F.UK_CITIES),
            F.uk_postcode(rng),
            "UNITED KINGDOM",
            F.uk_phone(rng),
        )
    elif country == "CA":
        cc = F.pick(rng, F.CA_CITIES)
        city, pc, ctry, phone = f"{cc[0]} {cc[1]}", F.ca_postcode(rng), "CANADA", F.us_phone(rng)
    else:
        city, pc, ctry = F.pick(rng, F.DE_CITIES), F.digits(rng, 5, True), "GERMANY"
        phone = f"+49 {F.digits(rng, 3)} {F.digits(rng, 7)}"
    street = (
        f"{int(rng.integers(1, 200))} {F.pick(rng, F.EN_STREETS)} {F.pick(rng, ['ROAD', 'STREET', 'LANE'])}"
        if country != "DE"
        else f"{F.pick(rng, ['HAUPTSTR.', 'BAHNHOFSTR.', 'GARTENWEG', 'LINDENALLEE'])} "
        f"{int(rng.integers(1, 120))}"
    )
    waybill = F.digits(rng, 10, True)
    m = 3.0
    c.rect(1, 1, W - 1, c.height_mm - 1, width_mm=0.5)
    c.rect(1, 1, W - 1, 12, fill=(255, 204, 0))
    c.text(m, 3.0, "DHL", fnt="sans_bold", size_mm=6.5, color=(212, 5, 17))
    c.text(m + 22, 4.5, "EXPRESS WORLDWIDE", fnt="sans_bold", size_mm=3.2)
    c.text(W - m, 4.5, F.pick(rng, ["WPX", "DOX", "ECX"]), fnt="sans_bold", size_mm=3.4, anchor="rt")
    c.text(m, 14.0, "From :", fnt="sans_bold", size_mm=2.4)
    y = _block(c, m + 12, 14.0, sp, "sender", 2.4, phone=True, max_w=62)
    c.hline(1, W - 1, max(y, 30) + 1, width_mm=0.5)
    y = max(y, 30) + 3
    c.text(m, y, "To :", fnt="sans_bold", size_mm=3.0)
    x = m + 12
    c.text(x, y, name, fnt="sans_bold", size_mm=3.6, category="name", role="recipient")
    y += 4.6
    c.text(x, y, street, fnt="sans", size_mm=3.4, category="address", role="recipient")
    y += 4.3
    if country == "DE":
        b = c.text(x, y, pc, fnt="sans", size_mm=3.4, category="postal_code", role="recipient")
        c.text(b[2] + 2, y, city, fnt="sans", size_mm=3.4, category="address", role="recipient")
    else:
        b = c.text(x, y, city, fnt="sans", size_mm=3.4, category="address", role="recipient")
        c.text(b[2] + 2, y, pc, fnt="sans", size_mm=3.4, category="postal_code", role="recipient")
    y += 4.3
    c.text(x, y, ctry, fnt="sans_bold", size_mm=3.4)
    y += 4.6
    cap = c.text(x, y, "Contact:", fnt="sans", size_mm=2.6)
    c.text(cap[2] + 1.5, y, phone, fnt="sans", size_mm=2.6, category="phone", role="recipient")
    y += 3.6
    c.text(x, y, F.email(rng, name), fnt="sans", size_mm=2.6, category="email", role="recipient")
    c.hline(1, W - 1, 78.0, width_mm=0.8)
    c.text(
        m,
        80.0,
        f"{country}-{F.pick(rng, ['LHR', 'YYZ', 'LEJ', 'CGN'])}-{F.pick(rng, ['HUB', 'GTW'])}",
        fnt="sans_bold",
        size_mm=6.0,
    )
    c.symbol(W - m - 18, 79.5, f"{waybill}|{pc}|{name}", "DataMatrix", w_mm=17, role="recipient")
    c.text(m, 89.0, f"Ref: {F.digits(rng, 8)}", fnt="sans", size_mm=2.4)
    c.text(m, 93.0, f"Pce/Shpt Weight {rng.uniform(0.3, 20):.1f} kg  Piece 1/1", fnt="sans", size_mm=2.4)
    c.text(
        m,
        97.0,
        f"Contents: {F.pick(rng, ['DOCUMENTS', 'CLOTHING', 'ELECTRONICS', 'GIFT'])}",
        fnt="sans",
        size_mm=2.4,
    )
    c.hline(1, W - 1, 101.0, width_mm=0.5)
    cap = c.text(m, 103.0, "WAYBILL", fnt="sans_bold", size_mm=2.8)
    c.text(
        cap[2] + 2,
        103.0,
        F.group(waybill, [2, 4, 4]),
        fnt="sans_bold",
        size_mm=3.2,
        category="tracking_number",
    )
    c.symbol(10, 108.0, waybill, "Code128", w_mm=W - 20, h_mm=16, category="barcode")
    lp = "JJD" + F.digits(rng, 18)
    c.symbol(10, 128.0, lp, "Code128", w_mm=W - 20, h_mm=12, category="barcode")
    c.text(W / 2, 141.0, f"(J){lp[1:]}", fnt="sans", size_mm=2.6, anchor="mt", category="tracking_number")


def amazon(c: LabelCanvas, rng: Rng) -> None:
    W = c.width_mm
    r = _us_party(rng)
    trk = "TBA" + F.digits(rng, 12)
    m = 3.0
    c.rect(1, 1, W - 1, c.height_mm - 1, width_mm=0.5)
    c.text(m, 3.0, F.pick(rng, ["DSF4", "DAX5", "DJT6", "DCK1"]), fnt="sans_bold", size_mm=9.0)
    c.text(W - m, 3.0, F.pick(rng, ["CYCLE 1", "CYCLE 2"]), fnt="sans_bold", size_mm=4.0, anchor="rt")
    c.rect(W - 40, 9.5, W - m, 20, fill=(20, 20, 20))
    c.text(
        W - 21.5,
        11.0,
        F.pick(rng, ["A.GG4", "D.SM2", "B.KT7"]),
        fnt="sans_bold",
        size_mm=6.0,
        color=(245, 245, 245),
        anchor="mt",
    )
    c.hline(1, W - 1, 22.0, width_mm=0.8)
    c.text(m, 24.0, "SHIP TO:", fnt="sans_bold", size_mm=2.8)
    _block(c, m, 28.5, r, "recipient", 3.6, max_w=W - 10)
    c.symbol(W - m - 20, 24.0, f"{trk}|{r['zip']}", "DataMatrix", w_mm=18, role="recipient")
    c.hline(1, W - 1, 56.0, width_mm=0.8)
    c.symbol(m, 58.0, trk, "QRCode", w_mm=24)
    c.text(m + 30, 60.0, F.pick(rng, ["SMALL", "MEDIUM", "LARGE"]), fnt="sans_bold", size_mm=5.0)
    c.text(m + 30, 68.0, F.en_date(rng), fnt="sans", size_mm=2.8)
    c.text(m + 30, 72.5, F.weight_lb(rng), fnt="sans", size_mm=2.8)
    c.hline(1, W - 1, 86.0, width_mm=0.8)
    c.symbol(8, 89.0, trk, "Code128", w_mm=W - 16, h_mm=24, category="barcode")
    c.text(W / 2, 115.0, trk, fnt="sans_bold", size_mm=4.2, anchor="mt", category="tracking_number")
    c.hline(1, W - 1, 123.0, width_mm=0.8)
    c.text(m, 126.0, "Amazon Logistics", fnt="sans", size_mm=2.8)
    c.text(
        m, 131.0, f"{F.pick(rng, ['AMZL_US', 'AMZL'])} {F.pick(rng, ['STD', 'EXP'])}", fnt="sans", size_mm=2.6
    )


def in_courier(c: LabelCanvas, rng: Rng) -> None:
    W = c.width_mm
    city, state, pinp = F.pick(rng, F.IN_CITIES)
    name = F.en_name(rng).title()
    pin = pinp + F.digits(rng, 3)
    awb = F.digits(rng, 13, True) if F.chance(rng, 0.6) else F.digits(rng, 11, True)
    brand = F.pick(rng, ["DELHIVERY", "BLUE DART", "XPRESSBEES", "ECOM EXPRESS"])
    seller = F.pick(rng, F.US_COMPANIES).title()
    scity, sstate, sp = F.pick(rng, F.IN_CITIES)
    spin = sp + F.digits(rng, 3)
    m = 3.0
    c.rect(1, 1, W - 1, c.height_mm - 1, width_mm=0.5)
    c.text(m, 3.0, brand, fnt="sans_bold", size_mm=5.0, max_w_mm=55)
    cod = F.chance(rng, 0.5)
    c.text(
        W - m,
        3.0,
        f"COD Rs.{int(rng.integers(199, 4999))}" if cod else "PREPAID",
        fnt="sans_bold",
        size_mm=4.0,
        anchor="rt",
    )
    c.hline(1, W - 1, 10.0, width_mm=0.6)
    c.symbol(8, 12.0, awb, "Code128", w_mm=W - 16, h_mm=15, category="barcode")
    cap = c.text(m + 6, 28.5, "AWB No:", fnt="sans", size_mm=2.8)
    c.text(cap[2] + 1.5, 28.5, awb, fnt="sans_bold", size_mm=3.0, category="tracking_number")
    c.text(
        W - m,
        28.5,
        f"{pin}/{F.pick(rng, ['BOM', 'BLR', 'DEL', 'MAA'])}/{F.digits(rng, 2)}",
        fnt="sans_bold",
        size_mm=2.8,
        anchor="rt",
    )
    c.hline(1, W - 1, 33.0, width_mm=0.6)
    c.text(m, 35.0, "Ship To:", fnt="sans_bold", size_mm=3.0)
    y = 39.5
    c.text(m, y, name, fnt="sans_bold", size_mm=3.6, category="name", role="recipient")
    y += 4.6
    addr = (
        f"Flat {int(rng.integers(1, 1200))}, {F.pick(rng, ['Shanti', 'Sai', 'Green', 'Lotus'])} "
        f"{F.pick(rng, ['Apartments', 'Residency', 'Towers'])}, {F.pick(rng, F.IN_LOCALITIES)}, {city.title()}, "
        f"{state.title()}"
    )
    y = c.paragraph(
        m,
        y,
        addr,
        fnt="sans",
        size_mm=3.2,
        max_w_mm=W - 2 * m,
        category="address",
        role="recipient",
        max_lines=3,
    )
    cap = c.text(m, y, "PIN:", fnt="sans_bold", size_mm=3.4)
    c.text(cap[2] + 1.5, y, pin, fnt="sans_bold", size_mm=3.4, category="postal_code", role="recipient")
    y += 4.6
    cap = c.text(m, y, "Mobile:", fnt="sans", size_mm=3.0)
    c.text(cap[2] + 1.5, y, F.in_phone(rng), fnt="sans", size_mm=3.0, category="phone", role="recipient")
    if F.chance(rng, 0.5) and y + 4.2 < 71:
        y += 4.2
        cap = c.text(m, y, "Email:", fnt="sans", size_mm=2.8)
        c.text(
            cap[2] + 1.5, y, F.email(rng, name), fnt="sans", size_mm=2.8, category="email", role="recipient"
        )
    c.hline(1, W - 1, 75.0, width_mm=0.6)
    c.text(
        m,
        77.0,
        f"Product: {F.pick(rng, ['Cotton Kurta', 'Phone Case', 'Steel Bottle', 'Notebook Set'])}",
        fnt="sans",
        size_mm=2.8,
    )
    c.text(
        m,
        81.5,
        f"Order ID: {F.digits(rng, 3)}-{F.digits(rng, 7)}-{F.digits(rng, 7)}",
        fnt="sans",
        size_mm=2.8,
    )
    c.text(m, 86.0, f"Invoice Date: {F.en_date(rng)}   Qty: 1", fnt="sans", size_mm=2.8)
    c.text(m, 90.5, f"Weight: {rng.uniform(0.1, 5):.2f} kg", fnt="sans", size_mm=2.8)
    c.symbol(W - m - 20, 77.0, f"{awb}|{pin}", "QRCode", w_mm=19)
    c.hline(1, W - 1, 99.0, width_mm=0.6)
    c.text(m, 101.0, "Return Address:", fnt="sans_bold", size_mm=2.6)
    c.text(m, 105.0, seller, fnt="sans", size_mm=2.6, category="name", role="sender")
    c.text(
        m,
        109.0,
        f"Plot {int(rng.integers(1, 300))}, {F.pick(rng, ['MIDC', 'Industrial Area Phase 2', 'Okhla Phase 1'])}, "
        f"{scity.title()}",
        fnt="sans",
        size_mm=2.6,
        category="address",
        role="sender",
        max_w_mm=W - 8,
    )
    b = c.text(m, 113.0, sstate.title(), fnt="sans", size_mm=2.6, category="address", role="sender")
    c.text(b[2] + 2, 113.0, spin, fnt="sans", size_mm=2.6, category="postal_code", role="sender")
    c.text(m, 117.0, F.in_phone(rng), fnt="sans", size_mm=2.6, category="phone", role="sender")
    c.text(
        m,
        122.0,
        f"GSTIN: {F.digits(rng, 2)}ABCDE{F.digits(rng, 4)}F1Z{F.digits(rng, 1)}",
        fnt="sans",
        size_mm=2.4,
    )
    c.text(
        m,
        140.0,
        "If undelivered, please return to the address above.",
        fnt="sans",
        size_mm=2.2,
        max_w_mm=W - 8,
    )
