"""Chinese waybill rules: captions, names, addresses, postal codes (plus the shared number detectors).

``find(text)`` returns the personal items of one OCR line as ``(start, end, Category, rule)``;
``scan(text)`` returns every ``Hit`` including the kept ones (captions, hotlines, dates, weights, order
numbers) with the role a caption in the same line gives.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ...types import Category, Role
from .data.zh_names import COMPOUND_SURNAMES, NOT_NAMES, SINGLE_SURNAMES
from .data.zh_places import CITIES, DISTRICTS, PROVINCES, SORT_REGIONS
from .checks import plausible_cn_id15, valid_cn_id
from .hits import Hit, gaps, merge_adjacent, resolve, trim_span
from .numbers import number_hits
from .text import digitize, fold, has_cjk

__all__ = [
    "FORM_TERM",
    "HUB",
    "KEEP_TEXT",
    "ROLE_CAPTION",
    "address_score",
    "caption_role",
    "find",
    "form_term",
    "is_surname_start",
    "scan",
    "valid_cn_id",
]

_H = "\u4e00-\u9fff"
_SURNAME1 = frozenset(SINGLE_SURNAMES)
_SURNAME2 = frozenset(COMPOUND_SURNAMES)

# ------------------------------------------------------------------------------------------------ captions
# Captions that name a person's block (role) — longest first.
_ROLE_WORDS = (
    ("收件人", Role.RECIPIENT),
    ("收货人", Role.RECIPIENT),
    ("收件方", Role.RECIPIENT),
    ("收方", Role.RECIPIENT),
    ("收件", Role.RECIPIENT),
    ("收货", Role.RECIPIENT),
    ("到件人", Role.RECIPIENT),
    ("寄件人", Role.SENDER),
    ("发件人", Role.SENDER),
    ("发货人", Role.SENDER),
    ("寄件方", Role.SENDER),
    ("寄方", Role.SENDER),
    ("寄件", Role.SENDER),
    ("发货", Role.SENDER),
    ("退货人", Role.SENDER),
    ("联系人", Role.UNKNOWN),
    ("姓名", Role.UNKNOWN),
)
ROLE_CAPTION = re.compile(
    r"(?:(?<![\u4e00-\u9fff])|(?=(?:" + "|".join(w for w, _ in _ROLE_WORDS) + r")(?:姓名|名称|信息)?\s*:))"
    r"(" + "|".join(w for w, _ in _ROLE_WORDS) + r")(?:姓名|名称|信息)?(?![地单号电手址员签承])"
    r"|(?:(?<=^)|(?<=[\s\[\]|()<>]))([收寄])(?![件货方人地址到达款票费据藏益入银送存回往])"
)
_ROLE_OF = {w: r for w, r in _ROLE_WORDS}
_ROLE_OF.update({"收": Role.RECIPIENT, "寄": Role.SENDER, "发": Role.SENDER})


def caption_role(word: str) -> Role:
    return _ROLE_OF.get(word, Role.UNKNOWN)


_CAP = r"\s*:?\s*"
PHONE_CAPTION = re.compile(
    r"(?:联系电话|电话号码|手机号码|手机号|联系方式|固话|座机|电话|手机|TEL|Tel|tel|PHONE|Phone|MOB|电)"
    + _CAP
)
ADDR_CAPTION = re.compile(
    r"(?:收件地址|收货地址|寄件地址|发件地址|详细地址|联系地址|通讯地址|地址|住址)(?:\s*:\s*|\s+)"
    r"|^\s*址\s*:?\s*"
)
ID_CAPTION = re.compile(r"(?:身份证号码|身份证号|身份证|公民身份号码|证件号码|证件号)" + _CAP)
# "邮:" is "邮编:" with a character lost to blur (the value must still be 6 digits)
POSTAL_CAPTION = re.compile(r"(?:邮政编码|邮编|邮(?=\s*:))" + _CAP)
TRACK_CAPTION = re.compile(
    r"(?:运单号码|运单编号|运单号|快递单号|物流单号|母单号|子单号|(?<![订家台])单号|回单号)" + _CAP
)
ORDER_CAPTION = re.compile(
    r"(?:订单编号|订单号码|订单号|订单|商家单号|平台单号|月结卡号|月结账号|月结号|卡号|客户编码|客户编号)"
    + _CAP
)
EMAIL_CAPTION = re.compile(r"(?:电子邮箱|邮箱|E-?mail|EMAIL)" + _CAP)
OTHER_CAPTION = re.compile(
    r"(?:集包地|目的地|始发地|签收人|签收时间|签收|签名|签字|收件员|派件员|快递员|业务员|已验视|打印时间|寄件时间|重量|计费重量|件数|数量|备注|内容品名|"
    r"物品|品名|客服电话|服务热线|客服|热线|付款方式|到付|寄付|月结|保价|运费|代收货款|单位名称|公司名称|寄件日期|"
    r"收件日期|日期|托寄物|声明价值|保价费用|计费重量|付款|件数)" + _CAP
)

# ------------------------------------------------------------------------------------------------ places
_PLACE_NAMES = sorted(set(PROVINCES) | set(CITIES) | set(DISTRICTS), key=len, reverse=True)
PLACE = re.compile("|".join(_PLACE_NAMES))
_PROV_CITY = re.compile("|".join(sorted(set(PROVINCES) | set(CITIES), key=len, reverse=True)))
SUFFIX = re.compile(
    r"(?<=["
    + _H
    + r"0-9A-Za-z*])(?:自治区|自治州|特别行政区|街道|大道|大街|胡同|小区|花园|大厦|公寓|广场|家园|新村|号楼|号院|"
    r"单元|工业园|产业园|科技园|园区|省|市|区|县|镇|乡|村|路|街|巷|弄|号|栋|幢|座|室|楼|层|苑|组)"
)
_NUMBERED = re.compile(r"\d+\s?(?:号楼|号院|号|栋|幢|座|单元|室|楼|层|弄|组)|[A-Za-z]\d?(?:栋|座|区)")
# a courier's own sites (hubs, sorting centres, branches): text naming one is no person's address
HUB = re.compile(r"转运|中转|分拨|集散|集包|始发|目的地|分拣|网点|分部|营业部|营业点|操作部|航空部|仓")
# the courier's printed terms, service notes and web wording: text holding one is the label's, not a person's
KEEP_TEXT = re.compile(
    r"签收|验视|本人|确认|快件|派送|服务|投诉|客服|保价|月结|到付|寄付|现付|货款|打印|官网|微信|扫码|关注|"
    r"www|http|条款|契约|协议|赔偿|责任|如有|请|谢谢|感谢|欢迎|注意|禁止|违禁|温馨|提示|须知"
)


# a form's own wording in a person's block: the captions of its cells and the units its blanks are
# counted in ("寄件地址", "单位名称", "省 市 区/县", "年 月 日 时"): the form's, never a name
FORM_TERM = re.compile(
    r"地址|姓名|名称|签名|签字|电话|手机|信息|编码|邮编|日期|时间|单位|业务员|结算|证件|数量|重量|体积|金额|"
    r"费用|资费|备注|品名|物品|填写"
)
_UNITS_ONLY = re.compile(r"^[省市区县乡镇村街路号楼层室栋单元年月日时分秒/\\、\s]+$")


_CAPTION_ONLY = re.compile(r"^\s*([\u4e00-\u9fff]{2,8})\s*[:：]\s*$")
# ... unless it announces a person's field (its value may stand on the next line: the layout reads it)
_PERSON_WORD = re.compile(r"地址|电话|手机|联系|姓名|名字|邮编|邮政|身份|证件|单位|公司|收件|寄件|收货|发件|发货|收方|寄方|人")


def form_term(core: str) -> bool:
    """Is this leftover text of a block line the form's wording (a cell caption, a unit, a printed term)?"""
    return bool(FORM_TERM.search(core) or _UNITS_ONLY.match(core) or KEEP_TEXT.search(core))


# a number a service caption announces is the courier's or the shop's (客服电话：021-…)
_SERVICE_NUMBER = re.compile(r"(?:客服|热线|服务电话|服务热线|投诉电话|查询电话|客服电话|全国统一)\W{0,3}$")


def is_surname_start(s: str) -> bool:
    return bool(s) and (s[:2] in _SURNAME2 or s[0] in _SURNAME1)


@lru_cache(maxsize=4096)
def address_score(seg: str) -> tuple[int, int, int]:
    """(suffix words, place names, numbered parts) in a piece of text."""
    return (len(SUFFIX.findall(seg)), len(PLACE.findall(seg)), len(_NUMBERED.findall(seg)))


def looks_like_address(seg: str, forced: bool = False) -> bool:
    if not has_cjk(seg):
        return forced and any(c.isalnum() for c in seg)
    suf, places, numbered = address_score(seg)
    if forced:
        return True
    if HUB.search(seg) and suf + places < 4:
        return False
    if KEEP_TEXT.search(seg) and suf + places < 4:
        return False
    if suf >= 2:
        return True
    if suf >= 1 and (places >= 1 or numbered >= 1 or "***" in seg):
        return True
    if places >= 2 and _PROV_CITY.search(seg) and len(re.sub(r"[^" + _H + "]", "", seg)) > 4:
        return True
    return False


def _is_sort_line(seg: str) -> bool:
    """三段码 / 集包 lines: region words, bare city names and short codes only."""
    rest = seg
    for w in SORT_REGIONS:
        rest = rest.replace(w, " ")
    rest = PLACE.sub(" ", rest)
    return not has_cjk(rest)


# ------------------------------------------------------------------------------------------------ names
_NAME_RUN = re.compile(r"\*{0,3}[" + _H + r"·](?:[" + _H + r"·]|\*(?=\*{0,2}[" + _H + r"])){0,11}\*{0,3}")
_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z.'\-]*(?: [A-Za-z][A-Za-z.'\-]*){0,3}")


def _name_len(run: str) -> int:
    """How many leading characters of a CJK run (possibly with * masks) are the name."""
    core = run.strip("*")
    lead = len(run) - len(run.lstrip("*"))
    if len(core) <= 4:
        return len(run)
    # a name glued to what follows (an address, a word): cut before a place name / caption word
    for k in (2, 3, 4):
        tail = core[k:]
        if PLACE.match(tail) or tail[:2] in NOT_NAMES or tail[:3] in NOT_NAMES:
            return lead + k
    if core[:2] in _SURNAME2:
        return lead + 4 if len(core) >= 4 else lead + len(core)
    return lead + 3


def _name_ok(s: str, strict: bool) -> bool:
    core = s.strip("*")
    if not core:
        return False
    if core in NOT_NAMES or core[:2] in NOT_NAMES or core[:3] in NOT_NAMES:
        return False
    if SUFFIX.search(core) and PLACE.search(core):
        return False
    if _PROV_CITY.fullmatch(core):
        return False
    if strict:
        return is_surname_start(core) or "*" in s
    return len(core) <= 4


def _caption_names(F: str, taken: list[Hit]) -> list[Hit]:
    out: list[Hit] = []
    for m in ROLE_CAPTION.finditer(F):
        word = m.group(1) or m.group(2)
        role = caption_role(word)
        single = m.group(2) is not None
        out.append(
            Hit(m.start(), m.end(), Category.OTHER, "caption", sensitive=False, role=role, priority=98)
        )
        pos = m.end()
        while pos < len(F) and F[pos] in " :：\t":
            pos += 1
        if any(h.start <= pos < h.end for h in taken):
            continue
        rest = F[pos:]
        mm = _NAME_RUN.match(rest)
        if mm:
            run = mm.group(0)
            if len(run.strip("*")) > 4 and PLACE.match(run) and looks_like_address(run):
                continue  # "收件人：浙江省杭州市..." : no name here, the address follows the caption
            n = _name_len(run)
            cand = run[:n]
            # a caption glued to a word (no colon, no space) is only a caption before a real surname
            if _name_ok(cand, strict=pos == m.end()):
                out.append(
                    Hit(pos, pos + n, Category.NAME, "caption_name", role=role, priority=88, score=0.95)
                )
            continue
        mm = _LATIN_NAME.match(rest)
        if mm and not single and not re.match(r"\d", rest):
            out.append(
                Hit(
                    pos,
                    pos + len(mm.group(0)),
                    Category.NAME,
                    "caption_name_latin",
                    role=role,
                    priority=88,
                    score=0.85,
                )
            )
    return out


_MASKED_NAME = re.compile(r"(?<![" + _H + r"*])([" + _H + r"]{1,2}\*{1,3}[" + _H + r"]?)(?![" + _H + r"*])")
_PHONE_RULES = (
    "cn_mobile",
    "cn_mobile_masked",
    "cn_landline",
    "us_phone",
    "intl_phone",
    "masked_digits",
    "caption_phone",
    "in_mobile",
    "zero_phone",
    "uk_phone",
)


def _adjacent_names(F: str, accepted: list[Hit]) -> list[Hit]:
    out: list[Hit] = []
    ordered = sorted((h for h in accepted if h.sensitive), key=lambda h: h.start)
    for idx, h in enumerate(ordered):
        if h.category != Category.PHONE:
            continue
        # left of the phone
        left_bound = ordered[idx - 1].end if idx > 0 else 0
        left = F[left_bound : h.start]
        j = len(left)
        while j > 0 and left[j - 1] in " :：,，、/|-\t":
            j -= 1
        pc = None
        for m in PHONE_CAPTION.finditer(left[:j]):
            if m.end() >= j - 0:
                pc = m
        if pc is not None and pc.end() >= j:
            j = pc.start()
            while j > 0 and left[j - 1] in " :：,，、/|-\t":
                j -= 1
        k = j
        while k > 0 and (("\u4e00" <= left[k - 1] <= "\u9fff") or left[k - 1] in "*·"):
            k -= 1
        run = left[k:j]
        core = run.strip("*")
        if 1 <= len(core) <= 4 and (len(core) >= 2 or "*" in run) and _name_ok(run, strict=False):
            out.append(
                Hit(
                    left_bound + k,
                    left_bound + j,
                    Category.NAME,
                    "name_by_phone",
                    role=h.role,
                    priority=87,
                    score=0.85,
                )
            )
        elif len(core) > 4:
            # "...地址张伟 138..." : a surname-led tail of 2-3 characters
            for n in (3, 2):
                tail = run[-n:]
                if is_surname_start(tail) and _name_ok(tail, strict=True) and not SUFFIX.search(tail):
                    out.append(
                        Hit(
                            left_bound + j - n,
                            left_bound + j,
                            Category.NAME,
                            "name_by_phone_tail",
                            role=h.role,
                            priority=86,
                            score=0.6,
                        )
                    )
                    break
        # right of the phone
        right_bound = ordered[idx + 1].start if idx + 1 < len(ordered) else len(F)
        right = F[h.end : right_bound]
        s = 0
        while s < len(right) and right[s] in " :：,，、/|\t":
            s += 1
        mm = _NAME_RUN.match(right[s:])
        if mm and s > 0:
            run = mm.group(0)
            core = run.strip("*")
            if 2 <= len(core) <= 4 and _name_ok(run, strict=True):
                out.append(
                    Hit(
                        h.end + s,
                        h.end + s + len(run),
                        Category.NAME,
                        "name_by_phone",
                        role=h.role,
                        priority=87,
                        score=0.8,
                    )
                )
    return out


# ------------------------------------------------------------------------------------------------ scan
def _caption_values(F: str, D: str) -> list[Hit]:
    out: list[Hit] = []

    def value_after(m: re.Match, pattern: str) -> tuple[int, int] | None:
        mm = re.compile(pattern).match(D, m.end())
        if not mm:
            return None
        return trim_span(D, mm.start(), mm.end(), " -")

    for m in ID_CAPTION.finditer(F):
        out.append(Hit(m.start(), m.end(), Category.OTHER, "caption", sensitive=False, priority=98))
        v = value_after(m, r"[0-9Xx*][0-9Xx* ]{13,24}")
        if v:
            raw = D[v[0] : v[1]].replace(" ", "")
            rule = (
                "cn_id18" if valid_cn_id(raw) else ("cn_id15" if plausible_cn_id15(raw) else "id_by_caption")
            )
            out.append(Hit(v[0], v[1], Category.ID_NUMBER, rule, priority=100, score=0.95))
    for m in POSTAL_CAPTION.finditer(F):
        out.append(Hit(m.start(), m.end(), Category.OTHER, "caption", sensitive=False, priority=98))
        v = value_after(m, r"\d{6}(?!\d)")
        if v:
            out.append(Hit(v[0], v[1], Category.POSTAL_CODE, "postal_by_caption", priority=100, score=0.95))
    for m in TRACK_CAPTION.finditer(F):
        out.append(Hit(m.start(), m.end(), Category.OTHER, "caption", sensitive=False, priority=98))
        v = value_after(m, r"[A-Za-z0-9][A-Za-z0-9 \-]{5,40}")
        if v and sum(c.isdigit() for c in D[v[0] : v[1]]) >= 6:
            out.append(
                Hit(v[0], v[1], Category.TRACKING_NUMBER, "tracking_by_caption", priority=100, score=0.95)
            )
    for m in ORDER_CAPTION.finditer(F):
        out.append(Hit(m.start(), m.end(), Category.OTHER, "caption", sensitive=False, priority=98))
        v = value_after(m, r"[A-Za-z0-9][A-Za-z0-9\-]{5,40}")
        if v:
            out.append(Hit(v[0], v[1], Category.OTHER, "order_number", sensitive=False, priority=99))
    for m in PHONE_CAPTION.finditer(F):
        if m.group(0).strip(" :") == "电" and not re.match(r"\s*:", F[m.start() + 1 :]):
            continue
        out.append(Hit(m.start(), m.end(), Category.OTHER, "caption", sensitive=False, priority=98))
        v = value_after(m, r"[+(0-9*xX][0-9*xX()+\- 转]{6,30}")
        if v and sum(c.isdigit() or c in "*xX" for c in D[v[0] : v[1]]) >= 7:
            out.append(Hit(v[0], v[1], Category.PHONE, "caption_phone", priority=77, score=0.9))
    for m in EMAIL_CAPTION.finditer(F):
        out.append(Hit(m.start(), m.end(), Category.OTHER, "caption", sensitive=False, priority=98))
    for m in ADDR_CAPTION.finditer(F):
        out.append(Hit(m.start(), m.end(), Category.OTHER, "address_caption", sensitive=False, priority=97))
    for m in OTHER_CAPTION.finditer(F):
        out.append(Hit(m.start(), m.end(), Category.OTHER, "caption", sensitive=False, priority=96))
    return out


_SIX = re.compile(r"(?<![0-9A-Za-z\-])\d{6}(?![0-9A-Za-z\-])")


def scan(text: str, *, in_block: bool = False) -> list[Hit]:
    """All hits of one line. ``in_block``: the line stands in a person's block (layout), so leftover
    Chinese text is read as an address rather than kept."""
    F = fold(text)
    D = digitize(F)
    cap = _CAPTION_ONLY.match(F)
    if cap and not _PERSON_WORD.search(cap.group(1)):  # "总计：", "客户要求：": a cell's caption, blank empty
        return [Hit(cap.start(1), cap.end(1), Category.OTHER, "caption", sensitive=False, priority=98)]
    hits = number_hits(F, D, "zh", in_block) + _caption_values(F, D)
    hits = [
        Hit(h.start, h.end, Category.OTHER, "hotline", sensitive=False, priority=85)
        if h.sensitive and h.category == Category.PHONE and _SERVICE_NUMBER.search(F[max(0, h.start - 10) : h.start])
        else h
        for h in hits
    ]
    first = resolve(hits, D)
    # names
    names = _caption_names(F, [h for h in first if h.sensitive])
    second = resolve(first + names, D)
    second = resolve(second + _adjacent_names(F, second), D)
    extra: list[Hit] = []
    for m in _MASKED_NAME.finditer(F):
        if is_surname_start(m.group(1)):
            extra.append(Hit(m.start(1), m.end(1), Category.NAME, "masked_name", priority=84, score=0.85))
    accepted = resolve(second + extra, D)
    # addresses (and postal codes in address context) in what is left
    forced_from = [h.end for h in accepted if h.rule == "address_caption"]
    pieces = gaps(len(F), [(h.start, h.end) for h in accepted])
    addr_hits: list[Hit] = []
    line_is_address = False
    for s, e in pieces:
        s, e = trim_span(F, s, e, " \t:,;|/-()[]")
        if e <= s:
            continue
        seg = F[s:e]
        forced = any(
            f <= s and not any(h.start >= f and h.end <= s and h.sensitive for h in accepted)
            for f in forced_from
        )
        if looks_like_address(seg, forced=forced) or (
            in_block and has_cjk(seg) and not form_term(seg) and not _is_sort_line(seg)
        ):
            line_is_address = True
            # a 6-digit postal code at the end of an address piece
            for m in _SIX.finditer(seg):
                addr_hits.append(
                    Hit(
                        s + m.start(),
                        s + m.end(),
                        Category.POSTAL_CODE,
                        "postal_in_address",
                        priority=55,
                        score=0.85,
                    )
                )
            strong = forced or looks_like_address(seg)
            rule = "address_by_caption" if forced else ("address" if strong else "block_address")
            addr_hits.append(Hit(s, e, Category.ADDRESS, rule, priority=30, score=0.8 if strong else 0.6))
    if line_is_address or in_block:
        for s, e in pieces:
            for m in _SIX.finditer(F, s, e):
                addr_hits.append(
                    Hit(m.start(), m.end(), Category.POSTAL_CODE, "postal_in_address", priority=55, score=0.8)
                )
    final = merge_adjacent(resolve(accepted + addr_hits, D), F, categories=(Category.ADDRESS,))
    # the role a caption in this line gives to what follows it
    caps = [(h.start, h.role) for h in final if h.rule == "caption" and h.role != Role.UNKNOWN]
    if caps:
        out = []
        for h in final:
            role = h.role
            for pos, r in caps:
                if pos <= h.start:
                    role = r
            out.append(
                Hit(
                    h.start,
                    h.end,
                    h.category,
                    h.rule,
                    h.sensitive,
                    role if h.sensitive else h.role,
                    h.score,
                    h.priority,
                )
            )
        final = out
    return final


def find(text: str) -> list[tuple[int, int, Category, str]]:
    """The personal items of one line: ``[(start, end, Category, rule), ...]``."""
    return [h.as_tuple() for h in scan(text) if h.sensitive]
