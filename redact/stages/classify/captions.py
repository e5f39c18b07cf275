"""Captions on a label's lines: the role caption that opens a person's block (收件人 / SHIP TO /
FROM / "A NAME (Customer)" / a form's cell title), captions of other fields (付款方式：, WEIGHT:),
and lines that are only pre-printed form wording (never a name or an address)."""

from __future__ import annotations

import re

from ...types import Category, Role
from . import en
from . import forms
from . import zh
from .lines import Line, meaningful
from .text import fold, upper_same


def role_caption(L: Line) -> tuple[Role | None, bool]:
    """(role of a caption that starts this line, whether the line is only that caption)."""
    F = fold(L.text).strip()
    if L.zh:
        m = zh.ROLE_CAPTION.match(F)
        if m:
            word = m.group(1) or m.group(2)
            role = zh.caption_role(word)
            rest = meaningful(F[m.end() :])
            if word in ("联系人", "姓名") and role == Role.UNKNOWN:
                return (None, False)
            return (role, rest == "" or rest in ("方", "人", "件"))
        return (None, False)
    m = en.ROLE_CAPTION.match(upper_same(F))
    if m:
        role = en.caption_role(m.group(1))
        if role == Role.UNKNOWN:
            return (None, False)
        rest = meaningful(F[m.end() :])
        return (role, rest == "")
    sm = en.ROLE_SUFFIX.search(upper_same(F))
    if sm and meaningful(F[: sm.start()]):
        return (en.caption_role(sm.group(1)), False)  # "A NAME (Customer)": the block of that person
    ws = forms.caption_words(F)  # a form's cell title, misread or cut at the edge ("Vendr", "Custome")
    if ws and ws[0] in _FORM_ROLES:
        return (_FORM_ROLES[ws[0]], True)
    return (None, False)


_FORM_ROLES = {
    "VENDOR": Role.SENDER,
    "SELLER": Role.SENDER,
    "SHIPPER": Role.SENDER,
    "SENDER": Role.SENDER,
    "CONSIGNOR": Role.SENDER,
    "CUSTOMER": Role.RECIPIENT,
    "BUYER": Role.RECIPIENT,
    "RECIPIENT": Role.RECIPIENT,
    "CONSIGNEE": Role.RECIPIENT,
    "ADDRESSEE": Role.RECIPIENT,
}


_PERSON_CAPTION_WORDS = re.compile(
    r"地址|电话|手机|联系|姓名|邮编|邮政|身份证|证件|单位|公司|收件|寄件|收货|发件|发货|TEL|PHONE|MOBILE|EMAIL|E-MAIL|ATTN|"
    r"NAME|ADDRESS|CONTACT|PIN|ZIP|POSTAL|CELL|PH"
)
_ANY_CAPTION = re.compile(r"^\s*(?:([\u4e00-\u9fff]{2,6})\s*[:：]|([A-Za-z][A-Za-z .#/]{1,20}?)\s*:)")


def foreign_caption(text: str) -> bool:
    """A line opened by a caption that is not a person's field (付款方式：, 托寄物：, WEIGHT:)."""
    m = _ANY_CAPTION.match(fold(text))
    if not m:
        return False
    word = (m.group(1) or m.group(2) or "").upper()
    return not _PERSON_CAPTION_WORDS.search(word)


def form_wording(ls: list[Line]) -> None:
    """A line that is only pre-printed form wording (a caption, a cell title) is nobody's name or address,
    whatever block it stands in."""
    for L in ls:
        if L.zh or not forms.is_caption_only(L.text):
            continue
        L.hits = [h for h in L.hits if not (h.sensitive and h.category in (Category.NAME, Category.ADDRESS))]
    # a postage indicia (PRESORTED / U.S. POSTAGE PAID / CITY, ST / PERMIT NO. 123): the permit office's city
    # and the permit number are the mailer's licence, not anyone's address
    for P in ls:
        if P.zh or not _PERMIT.search(upper_same(fold(P.text))):
            continue
        for L in ls:
            near = L is P or (abs(L.x0 - P.x0) < 3 * P.h and -0.5 * P.h < P.y0 - L.y1 < 1.2 * max(P.h, L.h))
            if near and not any(h.sensitive and h.category in (Category.PHONE, Category.EMAIL) for h in L.hits):
                L.hits = [h for h in L.hits if not (h.sensitive and h.category in (Category.ADDRESS,
                                                                                    Category.POSTAL_CODE))]


_PERMIT = re.compile(r"(?<![A-Z])PERMIT\s*(?:NO\.?|#|NUMBER)?\s*\d{1,6}\s*$")
