"""Western per-string detectors: hundreds of generated positives and near-misses, plus tricky hand-written ones."""

from __future__ import annotations

import random

import pytest

from redact.stages.classify import en, mod10_usps_ok, s10_check_ok, ups_check_digit_ok
from redact.stages.classify.data.en_places import US_STATES
from redact.types import Category as C

R = random.Random(1234)
FIRST = [
    "JOHN",
    "MARY",
    "ROBERT",
    "PATRICIA",
    "JAMES",
    "LINDA",
    "DAVID",
    "BARBARA",
    "ARJUN",
    "PRIYA",
    "WEI",
    "FATIMA",
    "CARLOS",
    "ANANYA",
    "HIROSHI",
    "OLGA",
]
LAST = [
    "SMITH",
    "JOHNSON",
    "WILLIAMS",
    "BROWN",
    "GARCIA",
    "MILLER",
    "DAVIS",
    "NGUYEN",
    "PATEL",
    "SHARMA",
    "KIM",
    "O'BRIEN",
    "VAN DYKE",
    "MUELLER",
]
STREETS = [
    "MAIN",
    "OAK",
    "MAPLE",
    "ELM",
    "WASHINGTON",
    "LAKE",
    "HILL",
    "PARK",
    "CEDAR",
    "SUNSET",
    "MARTIN LUTHER KING JR",
]
SUFFIX = [
    "ST",
    "STREET",
    "AVE",
    "AVENUE",
    "RD",
    "ROAD",
    "BLVD",
    "DR",
    "DRIVE",
    "LN",
    "CT",
    "PL",
    "TER",
    "WAY",
    "PKWY",
    "HWY",
    "CIR",
    "SQ",
    "TRL",
]
UNITS = ["APT 4B", "APT. 12", "UNIT 7", "STE 200", "SUITE 1400", "# 5", "#12C", "FL 3", "BLDG 2"]
CITIES = [
    "NEW YORK",
    "LOS ANGELES",
    "SAN JOSE",
    "AUSTIN",
    "SALT LAKE CITY",
    "ST. LOUIS",
    "SPRINGFIELD",
    "BOISE",
    "Portland",
    "Des Moines",
]


def digits(n: int) -> str:
    return "".join(R.choice("0123456789") for _ in range(n))


def find(text):
    return en.find(text)


def covered(text: str, s0: int, e0: int, cats) -> bool:
    hits = [h for h in find(text) if h[2] in cats]
    return all(
        text[k].isspace() or text[k] in ",." or any(s <= k < e for s, e, _, _ in hits) for k in range(s0, e0)
    )


def untouched(text: str, s0: int, e0: int) -> bool:
    return not any(s < e0 and s0 < e for s, e, _, _ in find(text))


# ------------------------------------------------------------------------------------------------ phones
def us_phone() -> str:
    a, b, c = f"{R.randint(2, 9)}{digits(2)}", f"{R.randint(2, 9)}{digits(2)}", digits(4)
    if a[1:] in ("00", "33", "44", "55", "66", "77", "88") and a[0] == "8":
        a = "212"
    return R.choice(
        [
            f"({a}) {b}-{c}",
            f"{a}-{b}-{c}",
            f"{a}.{b}.{c}",
            f"{a} {b} {c}",
            f"+1 {a} {b} {c}",
            f"+1 ({a}) {b}-{c}",
            f"1-{a}-{b}-{c}",
            f"+1-{a}-{b}-{c}",
            f"{a}{b}{c}",
            f"({a}){b}-{c}",
            f"{a}-{b}-{c} x{R.randint(1, 9999)}",
            f"{a}-{b}-{c} ext. {R.randint(1, 999)}",
        ]
    )


def intl_phone() -> str:
    return R.choice(
        [
            f"+44 20 {digits(4)} {digits(4)}",
            f"+44 7{digits(3)} {digits(6)}",
            f"+44 (0)161 {digits(3)} {digits(4)}",
            f"+91 {R.choice('6789')}{digits(4)} {digits(5)}",
            f"+91-{R.choice('6789')}{digits(9)}",
            f"+91 {R.choice('6789')}{digits(9)}",
            f"+49 30 {digits(8)}",
            f"+49 (0)89 {digits(7)}",
            f"+33 1 {digits(2)} {digits(2)} {digits(2)} {digits(2)}",
            f"+61 2 {digits(4)} {digits(4)}",
            f"+86 138 {digits(4)} {digits(4)}",
            f"0{R.choice('12')}{digits(2)} {digits(3)} {digits(4)}",
            f"07{digits(3)} {digits(6)}",
        ]
    )


@pytest.mark.parametrize("value", [us_phone() for _ in range(150)] + [intl_phone() for _ in range(100)])
def test_phone_numbers(value):
    cap = R.choice(["", "TEL: ", "PHONE: ", "Ph: ", "Mobile: ", "(PH) ", "CONTACT NO. "])
    text = cap + value
    assert covered(text, len(cap), len(text), {C.PHONE}), (text, find(text))


@pytest.mark.parametrize(
    "text",
    [
        "1-800-PICK-UPS",
        "1-800-742-5877",
        "800-463-3339",
        "1 (800) 222-1811",
        "CALL 1-888-555-0199",
        "SHIP DATE: 05/12/2024",
        "05/12/2024",
        "12.05.2024",
        "10:30A",
        "WED - 28 JUN 10:30A",
        "WEIGHT: 2.5 LBS",
        "17.3 LBS",
        "ACTWGT: 18.02 LB",
        "DIMS: 12x10x4 IN",
        "DWT: 10,7,8",
        "1 OF 1",
        "PKG 1/2",
        "ZONE 5",
        "USPS PRIORITY MAIL 2-DAY",
        "UPS 2ND DAY AIR",
        "PRIORITY OVERNIGHT",
        "BILLING: P/P",
        "REF 1: PO-394273",
        "ORDER # 112-1234567-1234567",
        "Order ID: 190-5521004-6751930",
        "Invoice Date: 10/21/2024   Qty: 1",
        "US POSTAGE PAID",
        "RETURN SERVICE REQUESTED",
        "UT 841 3-71",
        "FL 331 7-07",
        "SHIP TO:",
        "FROM:",
        "TO",
        "SHIPPER",
        "UNITED STATES",
        "USA",
        "CANADA",
        "Product: Cotton Kurta",
        "Weight: 3.87 kg",
        "If undelivered, please return to the address above.",
        "PREPAID",
        "COD",
        "FRAGILE - HANDLE WITH CARE",
        "RETURN TO SENDER",
        "UT-US MEM",
        "XH SWFA",
        "KEEP DRY",
        "HOME DELIVERY",
        "TX 787 5-77",
        "BILL SENDER",
        "0221",
    ],
)
def test_near_misses_are_kept(text):
    assert find(text) == [], find(text)


# ------------------------------------------------------------------------------------------------ streets
def street() -> str:
    s = f"{R.randint(1, 99999)} {R.choice(['', 'N ', 'S ', 'E ', 'W ', 'NW '])}{R.choice(STREETS)} {R.choice(SUFFIX)}"
    if R.random() < 0.4:
        s += R.choice([" ", ", "]) + R.choice(UNITS)
    return s


@pytest.mark.parametrize(
    "value",
    [street() for _ in range(150)]
    + [
        "PO BOX 1234",
        "P.O. BOX 77",
        "221B BAKER STREET",
        "Flat 4, 22 Baker Street",
        "Hauptstraße 12",
        "Lindenallee 5a",
        "APT 4B",
        "UNIT 12",
        "STE 300",
        "1600 Pennsylvania Ave NW",
        "350 Fifth Avenue, 21st Floor",
    ],
)
def test_street_lines(value):
    assert covered(value, 0, len(value), {C.ADDRESS}), (value, find(value))


def city_line() -> str:
    st = R.choice(list(US_STATES)[:51])
    z = digits(5) if R.random() < 0.5 else f"{digits(5)}-{digits(4)}"
    return R.choice(
        [f"{R.choice(CITIES)} {st} {z}", f"{R.choice(CITIES)}, {st} {z}", f"{R.choice(CITIES)}, {st}  {z}"]
    )


@pytest.mark.parametrize("value", [city_line() for _ in range(120)])
def test_city_state_zip(value):
    hits = find(value)
    assert covered(value, 0, len(value), {C.ADDRESS, C.POSTAL_CODE}), (value, hits)
    zip_ = value.split()[-1]
    assert any(c == C.POSTAL_CODE and value[s:e] == zip_ for s, e, c, _ in hits), hits


@pytest.mark.parametrize(
    "value",
    [
        "LONDON SW1A 1AA",
        "Manchester M1 1AE",
        "EDINBURGH EH1 1YZ",
        "TORONTO ON M5V 3L9",
        "Vancouver, BC V6B 4Y8",
        "10115 Berlin",
        "D-80331 München",
        "Mumbai, Maharashtra 400001",
        "Bengaluru - 560001",
        "PIN: 400913",
        "New Delhi 110001",
        "Chennai, Tamil Nadu 600001",
    ],
)
def test_international_postcode_lines(value):
    assert covered(value, 0, len(value), {C.ADDRESS, C.POSTAL_CODE}) or any(
        c == C.POSTAL_CODE for _, _, c, _ in find(value)
    ), (value, find(value))
    assert any(c == C.POSTAL_CODE for _, _, c, _ in find(value)), (value, find(value))


# ------------------------------------------------------------------------------------------------ tracking
def ups_number(valid: bool = True) -> str:
    body = "".join(R.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(6)) + digits(9)
    total = 0
    for i, c in enumerate(body):
        v = int(c) if c.isdigit() else (ord(c) - 63) % 10
        total += v * (2 if i % 2 else 1)
    check = (10 - total % 10) % 10
    if not valid:
        check = (check + 1) % 10
    return "1Z" + body + str(check)


def usps_number() -> str:
    body = R.choice(["9400", "9205", "9300", "9361", "9270"]) + digits(17)
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


@pytest.mark.parametrize("i", range(60))
def test_ups_numbers(i):
    v = ups_number()
    assert ups_check_digit_ok(v)
    assert not ups_check_digit_ok(v[:-1] + str((int(v[-1]) + 1) % 10))
    spaced = R.choice([v, f"{v[:2]} {v[2:5]} {v[5:8]} {v[8:10]} {v[10:14]} {v[14:]}"])
    cap = R.choice(["", "TRACKING #: ", "TRK# "])
    text = cap + spaced
    hits = find(text)
    assert covered(text, len(cap), len(text), {C.TRACKING_NUMBER}), (text, hits)


def test_ups_check_digit_failure_is_still_tracking():
    v = ups_number(valid=False)
    assert not ups_check_digit_ok(v)
    assert any(c == C.TRACKING_NUMBER and r == "ups_nocheck" for _, _, c, r in find(v))


@pytest.mark.parametrize("i", range(80))
def test_other_tracking_numbers(i):
    k = i % 8
    v = [
        lambda: usps_number(),
        lambda: " ".join(usps_number()[j : j + 4] for j in range(0, 22, 4)),
        lambda: digits(12),
        lambda: f"{digits(4)} {digits(4)} {digits(4)}",
        lambda: digits(15),
        lambda: "JJD" + digits(18),
        lambda: "TBA" + digits(12),
        lambda: digits(10),
    ][k]()
    cap = R.choice(["", "USPS TRACKING # ", "TRK# ", "WAYBILL ", "AWB No: "])
    text = cap + v
    assert covered(text, len(cap), len(text), {C.TRACKING_NUMBER, C.PHONE}), (text, find(text))


def test_usps_check_and_s10():
    v = usps_number()
    assert mod10_usps_ok(v)
    assert not mod10_usps_ok(v[:-1] + str((int(v[-1]) + 1) % 10))
    assert s10_check_ok("RR123456785US") and not s10_check_ok("RR123456784US")


# ------------------------------------------------------------------------------------------------ names, e-mails
@pytest.mark.parametrize("i", range(60))
def test_names_after_role_captions(i):
    nm = f"{R.choice(FIRST)} {R.choice(['', 'A ', 'J. '])}{R.choice(LAST)}".replace("  ", " ")
    cap = R.choice(
        ["SHIP TO: ", "TO: ", "FROM: ", "SHIPPER: ", "RECIPIENT: ", "DELIVER TO: ", "Ship To: ", "ATTN: "]
    )
    text = cap + nm
    assert covered(text, len(cap), len(text), {C.NAME}), (text, find(text))
    assert untouched(text, 0, len(cap.strip(": ")))


@pytest.mark.parametrize(
    "value",
    [
        "john.smith@example.com",
        "priya_s+orders@mail.example.in",
        "a.b-c@sub.example.co.uk",
        "JANE.DOE@EXAMPLE.ORG",
    ],
)
def test_emails(value):
    text = R.choice(["", "EMAIL: ", "E-mail: "]) + value
    s = text.index(value)
    assert covered(text, s, len(text), {C.EMAIL}), find(text)


@pytest.mark.parametrize(
    "text,value",
    [
        ("(2l2) 555-Ol23", "(2l2) 555-Ol23"),
        ("7O7-17O-8945", "7O7-17O-8945"),
        ("3l1.606.8937", "3l1.606.8937"),
        ("+l 890 353 3664", "+l 890 353 3664"),
        ("1Z 999 AA1 01 2345 6784", "1Z 999 AA1 01 2345 6784"),
        ("l303 W MADISON CT", "l303 W MADISON CT"),
        ("TBA8434190Z5276", "TBA8434190Z5276"),
        ("9400 l000 0000 0000 0000 00", "9400 l000 0000 0000 0000 00"),
    ],
)
def test_ocr_noise(text, value):
    s = text.index(value)
    assert covered(text, s, s + len(value), {C.PHONE, C.TRACKING_NUMBER, C.ADDRESS}), (text, find(text))


@pytest.mark.parametrize(
    "text,value,cat",
    [
        ("C/O MARY JONES", "MARY JONES", C.NAME),
        ("SHIP TO:JOHN SMITH", "JOHN SMITH", C.NAME),
        ("To : BRIAN SCOTT", "BRIAN SCOTT", C.NAME),
        (
            "Flat 863, Green Apartments, VIMAN NAGAR, Hyderabad,",
            "Flat 863, Green Apartments, VIMAN NAGAR, Hyderabad",
            C.ADDRESS,
        ),
        ("Plot 221, MIDC, Bengaluru", "Plot 221, MIDC, Bengaluru", C.ADDRESS),
        ("62712", "62712", C.POSTAL_CODE),  # the routing ZIP printed alone
        ("SAN JOSE CA MLID", "SAN JOSE CA", C.ADDRESS),  # a city line whose ZIP the reader lost
        ("Contact: +44 7625 231252", "+44 7625 231252", C.PHONE),
        ("TRACKING =: 1Z CLT OKA 01 1631 4696", "1Z CLT OKA 01 1631 4696", C.TRACKING_NUMBER),
    ],
)
def test_tricky_lines_read_from_real_ocr(text, value, cat):
    s = text.index(value)
    assert covered(text, s, s + len(value), {cat}), (text, find(text))
