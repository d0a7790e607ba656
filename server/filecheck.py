"""Does a file's content match the type its name claims? (Magic bytes, no libmagic.)

Uploads are typed by their extension (``server.attachments``); this module then checks the
first bytes, so a script renamed ``photo.jpg`` or an HTML page renamed ``notes.txt`` is
refused instead of being stored and served under a type it is not.
"""

from __future__ import annotations

from collections.abc import Callable

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary Office formats (.doc, .xls)
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")  # .docx, .xlsx, .pptx, .odt, .zip (empty: PK\5\6)


def _starts(*prefixes: bytes) -> Callable[[bytes], bool]:
    return lambda data: data.startswith(prefixes)


def _webp(data: bytes) -> bool:
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP"


def _heic(data: bytes) -> bool:
    return data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1")


def is_text(data: bytes) -> bool:
    """Text in UTF-8 (with or without BOM) or GB18030 (the common Chinese encodings), no NUL
    and no markup a browser would run (an HTML page is not "plain text")."""
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            return False
    head = text.lstrip()[:512].lower()
    return not head.startswith(("<!doctype html", "<html", "<script", "<svg", "<?xml"))


SIGNATURES: dict[str, Callable[[bytes], bool]] = {
    "image/jpeg": _starts(b"\xff\xd8\xff"),
    "image/png": _starts(b"\x89PNG\r\n\x1a\n"),
    "image/gif": _starts(b"GIF87a", b"GIF89a"),
    "image/webp": _webp,
    "image/bmp": _starts(b"BM"),
    "image/tiff": _starts(b"II*\x00", b"MM\x00*"),
    "image/heic": _heic,
    "application/pdf": _starts(b"%PDF-"),
    "application/zip": _starts(*_ZIP),
    "application/msword": _starts(_OLE),
    "application/vnd.ms-excel": _starts(_OLE),
    "application/vnd.ms-powerpoint": _starts(_OLE),
    "text/plain": is_text,
    "text/csv": is_text,
}
_OOXML_PREFIX = "application/vnd.openxmlformats-officedocument."
_ODF_PREFIX = "application/vnd.oasis.opendocument."


def content_matches(content_type: str, data: bytes) -> bool | None:
    """True when ``data`` looks like ``content_type``, False when it does not, None when
    there is no signature for the type (the check cannot say)."""
    check = SIGNATURES.get(content_type)
    if check is None and content_type.startswith((_OOXML_PREFIX, _ODF_PREFIX)):
        check = _starts(*_ZIP)
    if check is None and content_type.startswith("text/"):
        check = is_text
    if check is None:
        return None
    return check(data)
