"""Property-based tests (hypothesis) for every classifier entry point: OCR-like lines, letter/digit confusions,
odd characters (ß, ﬁ, İ: case changes that change a string's length), odd layouts (zero-size, overlapping,
rotated, out-of-frame polygons, several regions, lines in every direction). No exception, and every field's
spans lie inside their lines; the policy only ever returns fields it was given (or deny-list hits inside the
lines)."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redact.stages.classify import apply_policy, classify, en, zh
from redact.stages.classify import layout as lay
from redact.stages.classify.leftover import leftover_hits
from redact.config import Policy
from redact.types import Category, Role, Symbol, TextLine

# pieces real labels are made of, with the OCR's usual confusions and the characters that broke things before
WORDS = [
    "SHIP TO:", "Ship To", "FROM:", "Return To:", "Deliver To", "(Customer)", "(Seller)", "Vendor", "Name:-",
    "Address:-", "Pincode", "GSTIN:", "Flyer:", "Order ID:", "AWB", "Packet ID:", "TRACKING #", "Phone:",
    "收件人", "寄件人", "电话", "地址：", "广东省深圳市南山区", "张伟", "138****5678", "XXXXXXXXX1234", "******5678",
    "12ABCDE3456F1Z7", "I2ABCDE34S6F1Z7", "1Z999AA10123456784", "9400 1000 0000 0000 0000 00", "560001",
    "123 Main St", "Springfield, IL 62704", "SW1A 1AA", "10115 Berlin", "Straße", "ﬁle", "İstanbul", "ǅ",
    "ŉ", "ﬀ", "ß", "0", "O", "l", "I", "|", "S5", "B8", "Z2", "-", ":", "#", "*", "x", "X", "  ", "\t", "，",
    "：", "—", "·", "●", "（", "）", "95338", "1800-123-4567", "+91 98765 43210", "2024-05-12", "3.5 kg",
    "Rs. 1,299.00", "CA 912 3-45", "310-W01 00", "UTAB00012345", "4455 9K2D H7M", "", "🙂", "\u200b", "\x00",
]
line_text = st.lists(st.sampled_from(WORDS) | st.text(max_size=6), min_size=0, max_size=6).map(" ".join)

coord = st.floats(min_value=-5000, max_value=5000, allow_nan=False, allow_infinity=False)
size = st.floats(min_value=0, max_value=400, allow_nan=False, allow_infinity=False)
angle = st.floats(min_value=-180, max_value=180, allow_nan=False, allow_infinity=False)


@st.composite
def text_line(draw):
    text = draw(line_text)
    x, y = draw(coord), draw(coord)
    w, h = draw(size), draw(size)
    a = math.radians(draw(angle))
    ca, sa = math.cos(a), math.sin(a)
    box = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)]
    poly = tuple((x + px * ca - py * sa, y + px * sa + py * ca) for px, py in box)
    kind = draw(st.sampled_from(["quad", "upright", "degenerate"]))
    up = tuple((x + px, y + py) for px, py in box) if kind == "upright" else ()
    if kind == "degenerate":
        poly = ((x, y),) * 4
    score = draw(st.floats(min_value=0, max_value=1))
    label = draw(st.integers(min_value=0, max_value=3))
    return TextLine(text=text, polygon=poly, score=score, upright=up, label_index=label)


@st.composite
def symbol(draw):
    payload = draw(st.sampled_from(["", "1Z999AA10123456784", "SF1234567890123", "12345678"]) | st.text(max_size=20))
    x, y = draw(coord), draw(coord)
    s = draw(size)
    return Symbol(format=draw(st.sampled_from(["Code128", "QRCode", "DataMatrix", "unknown"])), payload=payload,
                  polygon=((x, y), (x + s, y), (x + s, y + s), (x, y + s)),
                  decoded=bool(payload))


def _spans_inside(fields, lines):
    for f in fields:
        for sp in f.spans:
            assert 0 <= sp.line < len(lines), f.rule
            n = len(lines[sp.line].text)
            assert 0 <= sp.start < sp.end <= n, (f.rule, sp, n)


SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(text_line(), max_size=25), st.lists(symbol(), max_size=3))
def test_classify_never_raises_and_spans_are_inside(lines, symbols):
    fields = classify(lines, symbols)
    _spans_inside(fields, lines)
    for f in fields:
        assert all(0 <= s < len(symbols) for s in f.symbols)


@SETTINGS
@given(st.lists(text_line(), max_size=15), st.sampled_from(["", "ACME", "ß", "İ", "12345678"]),
       st.sampled_from(["", "Vendor", "ﬁ", "1234"]))
def test_apply_policy_never_raises(lines, allow, deny):
    fields = classify(lines)
    pol = Policy(allow=(allow,) if allow else (), deny=(deny,) if deny else ())
    out = apply_policy(fields, pol, lines=lines)
    ids = {id(f) for f in fields}
    for f in out:
        assert id(f) in ids or f.rule == "deny_list"
    _spans_inside(out, lines)


@SETTINGS
@given(line_text, st.booleans())
def test_line_scanners_stay_inside(text, in_block):
    for hits in (en.scan(text, in_block=in_block), zh.scan(text, in_block=in_block), leftover_hits(text, [])):
        for h in hits:
            assert 0 <= h.start < h.end <= len(text), (h.rule, h.start, h.end, len(text))


@SETTINGS
@given(st.lists(text_line(), min_size=1, max_size=20), st.one_of(st.none(), angle))
def test_layout_rules_on_odd_layouts(lines, a):
    """classify_label over any subset and frame: the layout rules (blocks, stub, leftover) never fail."""
    fields = lay.classify_label(lines, range(len(lines)), a)
    _spans_inside(fields, lines)
    for f in fields:
        assert isinstance(f.category, Category) and isinstance(f.role, Role)


def test_case_changes_that_change_length_keep_positions():
    """The root of the IndexError in the stub rules: 'ß'.upper() is 'SS' (and 'ﬁ' is 'FI'); a value seen on
    the label and repeated on a line after such a character must map back inside that line."""
    mk = lambda t, y: TextLine(text=t, polygon=((0, y), (400, y), (400, y + 30), (0, y + 30)), score=0.95,
                               upright=((0, y), (400, y), (400, y + 30), (0, y + 30)))
    lines = [mk("SHIP TO: Maxi Mustermann", 0), mk("Hauptstraße 12", 40), mk("ßßßß Mustermann ﬁﬁ", 200)]
    fields = classify(lines)
    _spans_inside(fields, lines)
    assert any(sp.line == 2 for f in fields if f.sensitive for sp in f.spans)
