"""Real-name checks: the 18-character resident ID and unified social credit code.

Pure functions. The resident ID (GB 11643-1999) ends in a check character computed
with ISO 7064 MOD 11-2; the unified social credit code (GB 32100-2015) ends in a check
character computed modulo 31 over its own 31-character alphabet.
"""

from __future__ import annotations

import datetime as dt
import re

from server.plugin_api import Label

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_SHAPE = re.compile(rf"^[{USCC_ALPHABET}]{{18}}$")


def resident_id_check(first17: str) -> str:
    """The check character of a resident ID's first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def resident_id_error(number: str) -> Label | None:
    """Why ``number`` is not a valid 18-character resident ID, or None when it is."""
    if not _ID_SHAPE.match(number):
        return Label(
            "应为 18 位：17 位数字加一位数字或 X", "18 characters: 17 digits and a digit or X"
        )
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return Label("其中的出生日期不存在", "the date of birth in it does not exist")
    if born.year < 1900 or born > dt.date.today():
        return Label("其中的出生日期超出范围", "the date of birth in it is out of range")
    if resident_id_check(number[:17]) != number[17]:
        return Label(
            "校验码不符（有数字输错）", "the check character does not match (a digit is mistyped)"
        )
    return None


def uscc_check(first17: str) -> str:
    """The check character of a unified social credit code's first 17 characters."""
    total = sum(
        USCC_ALPHABET.index(char) * weight
        for char, weight in zip(first17, _USCC_WEIGHTS, strict=True)
    )
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_error(code: str) -> Label | None:
    """Why ``code`` is not a valid unified social credit code, or None when it is."""
    if not _USCC_SHAPE.match(code):
        return Label(
            "应为 18 位：数字和大写字母（不含 I、O、S、V、Z）",
            "18 characters: digits and capitals without I, O, S, V or Z",
        )
    if uscc_check(code[:17]) != code[17]:
        return Label(
            "校验码不符（有字符输错）",
            "the check character does not match (a character is mistyped)",
        )
    return None
