"""Every UI string is marked for translation, and the catalogs translate every one.

The checks read the source the way the extractor does, so a new page or message that is
not marked, or a catalog that lacks a translation, fails here before anyone sees English
words on a Chinese page (or hard-coded Chinese on an English one).
"""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest

from server.config import PROJECT_ROOT
from server.i18n_catalogs import problems, project_parts

TEMPLATES = sorted(
    [*(PROJECT_ROOT / "templates").rglob("*.html"), *(PROJECT_ROOT / "plugins").rglob("*.html")]
)
PYTHON = sorted(
    path
    for folder in ("server", "plugins")
    for path in (PROJECT_ROOT / folder).rglob("*.py")
    # the JSON API speaks English to programs (its messages are not UI); the scaffold's
    # strings are the code of a new plugin
    if "tests" not in path.parts
    and path.name != "scaffold.py"
    and not path.is_relative_to(PROJECT_ROOT / "server" / "api")
)


def _cases(paths: list[Path]) -> list[object]:
    return [pytest.param(path, id=str(path.relative_to(PROJECT_ROOT))) for path in paths]


# Words that are the same in every language of the product (names and acronyms).
NEUTRAL = {"aftersales", "API", "CSV", "XLSX", "JSON", "PDF", "SLA", "KPI", "ID", "URL", "P1"}
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_CJK = re.compile(r"[\u3400-\u9fff]")
_TRANSLATED_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}
HOLE = "\x00"


def _tokens(source: str) -> list[tuple[int, str, str]]:
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    return [token for token in env.lex(source) if token[1] != "whitespace"]


def unmarked_expression_strings(source: str) -> list[str]:
    """String literals inside Jinja expressions that reach the page untranslated: any with
    Chinese in it (``'工单' if zh else 'Ticket'``), and worded ones after ``else``/``or``."""
    found = []
    tokens = _tokens(source)
    for index, (_line, kind, value) in enumerate(tokens):
        if kind != "string":
            continue
        before = tokens[index - 1][2] if index else ""
        if _CJK.search(value) or (before in ("else", "or") and _WORD.search(value)):
            found.append(value[1:-1])
    return found


def _without_jinja(source: str) -> str:
    """The template's own text, each Jinja construct and each trans block one ``HOLE``."""
    out: list[str] = []
    tokens = _tokens(source)
    in_trans = 0
    for index, (_line, kind, value) in enumerate(tokens):
        if kind == "block_begin":
            name = tokens[index + 1][2] if index + 1 < len(tokens) else ""
            if name == "trans":
                in_trans += 1
            elif name == "endtrans":
                in_trans -= 1
        if in_trans:
            continue
        if kind == "data":
            out.append(value)
        elif kind.endswith("_begin"):
            out.append(HOLE)
    return "".join(out)


class _TextCollector(HTMLParser):
    """Text nodes and translatable attribute values, outside script and style."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        attributes = dict(attrs)
        for name, value in attrs:
            if value and name in _TRANSLATED_ATTRIBUTES:
                self.texts.append(value)
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.texts.append(attributes.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.texts.append(data)


def unmarked_template_texts(source: str) -> list[str]:
    """Texts of a template that would reach the page untranslated."""
    collector = _TextCollector()
    collector.feed(_without_jinja(source))
    found = unmarked_expression_strings(source)
    for text in collector.texts:
        text = " ".join(text.replace(HOLE, " ").split())
        words = [w for w in _WORD.findall(text) if w not in NEUTRAL]
        if words or _CJK.search(text):
            found.append(text)
    return found


@pytest.mark.parametrize("path", _cases(TEMPLATES))
def test_every_template_text_is_marked_for_translation(path: Path) -> None:
    assert unmarked_template_texts(path.read_text(encoding="utf-8")) == []


def test_the_template_check_finds_unmarked_words_and_accepts_marked_ones() -> None:
    unmarked = (
        '<h1>Tickets</h1><input placeholder="Search" value="{{ q }}"><p>{{ n }} 条</p>'
        "{{ '工单' if zh else 'Ticket' }}{{ d|localtime if d else 'never' }}"
    )
    expected = ["工单", "Ticket", "never", "Tickets", "Search", "条"]
    assert unmarked_template_texts(unmarked) == expected
    marked = (
        '<h1>{{ _("Tickets") }}</h1><input placeholder="{{ _(\'Search\') }}">'
        "{% trans n=3 %}{{ n }} open tickets{% endtrans %}<p>SLA · {{ x }} — CSV</p>"
        "<script>const a = 'b';</script>{{ url_for('tickets.queue', status='open') }}"
    )
    assert unmarked_template_texts(marked) == []


# --- Python: messages people read ---------------------------------------------------------

_GETTEXT_CALLS = {"_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext", "Label"}
# validator → positions of its message argument
_VALIDATOR_MESSAGE_AT = {
    "DataRequired": 0,
    "InputRequired": 0,
    "Email": 0,
    "Length": 2,
    "NumberRange": 2,
    "Regexp": 2,
    "EqualTo": 1,
    "AnyOf": 1,
    "NoneOf": 1,
}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_plain_text(node: ast.expr | None) -> bool:
    """A literal or f-string with words in it, not wrapped in a gettext call."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(_WORD.search(node.value) or _CJK.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_is_plain_text(part) for part in node.values if isinstance(part, ast.Constant))
    return False


def unmarked_python_messages(source: str) -> list[str]:
    """Literal texts handed to people without ``_()``: flashes, form labels and hints,
    validator messages, validation errors."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        suspects: list[ast.expr | None] = []
        if name == "flash" and node.args:
            suspects.append(node.args[0])
        elif name.endswith("Field") and name[:1].isupper():
            suspects.extend(node.args[:1])
            suspects += [k.value for k in node.keywords if k.arg in ("label", "description")]
        elif name in _VALIDATOR_MESSAGE_AT:
            at = _VALIDATOR_MESSAGE_AT[name]
            suspects.extend(node.args[at : at + 1])
        elif name in ("ValidationError", "StopValidation") or (
            name == "append"
            and isinstance(node.func, ast.Attribute)
            and _name(node.func.value) == "errors"
        ):
            suspects.extend(node.args[:1])
        if name in _VALIDATOR_MESSAGE_AT or name.endswith("Field"):
            suspects += [k.value for k in node.keywords if k.arg == "message"]
        for suspect in suspects:
            if _is_plain_text(suspect):
                found.append((node.lineno, ast.unparse(suspect)[:80]))
    return [f"line {line}: {text}" for line, text in sorted(found)]


@pytest.mark.parametrize("path", _cases(PYTHON))
def test_every_python_message_is_marked_for_translation(path: Path) -> None:
    assert unmarked_python_messages(path.read_text(encoding="utf-8")) == []


def test_the_python_check_finds_unmarked_messages() -> None:
    source = (
        "flash('Saved.')\n"
        "flash(_('Saved.'))\n"
        "name = StringField('Name', validators=[DataRequired('Say it.'), Length(max=3)])\n"
        "hint = StringField(_l('Name'), description=_l('Who'))\n"
        "form.name.errors.append(f'Bad {x}')\n"
        "raise ValidationError(gettext('No.'))\n"
    )
    assert [line.split(":")[0] for line in unmarked_python_messages(source)] == [
        "line 1",
        "line 3",
        "line 3",
        "line 5",
    ]


# --- catalogs -------------------------------------------------------------------------------


@pytest.mark.parametrize("part", project_parts(), ids=lambda part: part.name)
def test_every_marked_string_is_translated_to_chinese(part) -> None:
    assert problems(part) == []
