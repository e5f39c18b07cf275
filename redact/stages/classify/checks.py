"""Check digits and shapes of numbers: mainland ID numbers, UPS 1Z, USPS/GS1 mod 10, UPU S10, Indian GSTIN."""

from __future__ import annotations

import re


_ID_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_C = "10X98765432"


def valid_cn_id(s: str) -> bool:
    """An 18-character mainland ID number with a plausible birth date and a correct check character."""
    s = s.strip().upper()
    if not re.fullmatch(r"[1-9]\d{16}[\dX]", s):
        return False
    year, month, day = int(s[6:10]), int(s[10:12]), int(s[12:14])
    if not (1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31):
        return False
    total = sum(int(s[i]) * _ID_W[i] for i in range(17))
    return _ID_C[total % 11] == s[17]


def plausible_cn_id15(s: str) -> bool:
    """A 15-digit (old) mainland ID number with a plausible birth month and day."""
    if not re.fullmatch(r"[1-9]\d{14}", s):
        return False
    month, day = int(s[8:10]), int(s[10:12])
    return 1 <= month <= 12 and 1 <= day <= 31


def ups_check_digit_ok(s: str) -> bool:
    """UPS 1Z tracking number check digit (the 18th character)."""
    s = "".join(c for c in s.upper() if c.isalnum())
    if len(s) != 18 or not s.startswith("1Z"):
        return False
    body = s[2:17]
    total = 0
    for i, c in enumerate(body):
        if c.isdigit():
            v = int(c)
        else:
            v = (ord(c) - 63) % 10
        total += v * (2 if i % 2 else 1)
    check = (10 - total % 10) % 10
    return s[17].isdigit() and int(s[17]) == check


def mod10_usps_ok(digits: str) -> bool:
    """USPS IMpb / GS1 mod-10 check digit over a string of digits."""
    if not digits.isdigit() or len(digits) < 2:
        return False
    body, check = digits[:-1], int(digits[-1])
    total = 0
    for i, c in enumerate(reversed(body)):
        total += int(c) * (3 if i % 2 == 0 else 1)
    return (10 - total % 10) % 10 == check


def s10_check_ok(s: str) -> bool:
    """UPU S10 (EMS / registered post) check digit: 2 letters, 8 digits + check, 2 letters."""
    s = s.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{9}[A-Z]{2}", s):
        return False
    w = (8, 6, 4, 2, 3, 5, 9, 7)
    total = sum(int(s[2 + i]) * w[i] for i in range(8))
    c = 11 - total % 11
    c = 5 if c == 10 else 0 if c == 11 else c
    return int(s[10]) == c


# Indian GSTIN: 2-digit state code, PAN (5 letters, 4 digits, 1 letter), entity number, 'Z', check character
_GST_DIGIT = {"O": "0", "D": "0", "Q": "0", "I": "1", "L": "1", "S": "5", "B": "8", "Z": "2", "G": "6", "T": "7"}
_GST_LETTER = {"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z", "6": "G", "4": "A", "7": "T"}
_GST_SHAPE = "DDLLLLLDDDDLAZA"  # D digit, L letter, A either, Z the letter Z


def gstin_ok(tok: str) -> bool:
    """A 15-character token that has the GSTIN's shape once the usual OCR confusions are undone (O/0, I/1,
    S/5, B/8, Z/2), with at most 3 characters corrected."""
    t = "".join(c for c in tok.upper() if c.isalnum())
    if len(t) != 15:
        return False
    fixes = 0
    for c, kind in zip(t, _GST_SHAPE):
        if kind == "D" and not c.isdigit():
            if c not in _GST_DIGIT:
                return False
            fixes += 1
        elif kind == "L" and not c.isalpha():
            if c not in _GST_LETTER:
                return False
            fixes += 1
        elif kind == "Z" and c not in "Z27":
            return False
    code = int("".join(_GST_DIGIT.get(c, c) for c in t[:2]))
    return fixes <= 3 and 1 <= code <= 38
