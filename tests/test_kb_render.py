"""Article Markdown is rendered safe: no payload in the text becomes executable markup."""

import re
from html.parser import HTMLParser

import pytest

from server.kb.render import RenderCache, render_markdown, sanitize

# Script and HTML payloads as an article author (or a compromised account) might type
# them; none may come out as a tag, an event handler or a script URL.
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript&#x3A;alert(1))",
    "[x](java\tscript:alert(1))",
    "<iframe src=https://evil.example></iframe>",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">raw link</a>',
    '<a href="https://example.com" onclick="alert(1)">raw link</a>',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    '![x](x" onerror="alert(1))',
    "<<script>script>alert(1)<</script>/script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<style>body{display:none}</style>",
    '<form action="https://evil.example"><input name=a></form>',
    "[x](vbscript:msgbox(1))",
    "<details open ontoggle=alert(1)>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
]

ALLOWED = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
SCRIPT_URL = re.compile(r"\s*(javascript|vbscript|data):", re.I)


class Elements(HTMLParser):
    """The elements a browser would build from the HTML (escaped text is not one)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {name: value or "" for name, value in attrs}))


def assert_harmless(html: str) -> None:
    parser = Elements()
    parser.feed(html)
    for tag, attributes in parser.found:
        assert tag in ALLOWED, html
        assert not [name for name in attributes if name.startswith("on")], html
        assert "style" not in attributes, html
        for name in ("href", "src"):
            assert not SCRIPT_URL.match(attributes.get(name, "")), html


def test_the_check_itself_catches_a_handler():
    with pytest.raises(AssertionError):
        assert_harmless('<img src="x" onerror="alert(1)">')


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_renders_harmless(payload):
    assert_harmless(str(render_markdown(payload)))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_inside_an_article_renders_harmless(payload):
    text = f"# Title\n\nSome text {payload} more text.\n\n- item {payload}\n"
    assert_harmless(str(render_markdown(text)))


def test_raw_html_is_shown_as_text():
    assert "&lt;script&gt;" in str(render_markdown("<script>alert(1)</script>"))


def test_javascript_link_is_not_a_link():
    assert "<a" not in str(render_markdown("[click](javascript:alert(1))"))


@pytest.mark.parametrize(
    "html",
    [
        '<a href="javascript:alert(1)">x</a>',
        '<img src="x" onerror="alert(1)">',
        "<script>alert(1)</script>",
        '<iframe src="https://evil.example"></iframe>',
        '<svg><circle onload="alert(1)"/></svg>',
        '<a href="data:text/html,hi">x</a>',
        '<p style="position:fixed">x</p>',
    ],
)
def test_the_sanitizer_alone_stops_html_that_got_past_the_markdown_layer(html):
    cleaned = sanitize(html)
    assert_harmless(cleaned)
    assert "style=" not in cleaned


def test_links_get_nofollow_and_noopener():
    html = str(render_markdown("[site](https://example.com/help)"))
    assert 'href="https://example.com/help"' in html
    assert 'rel="nofollow noopener noreferrer"' in html


@pytest.mark.parametrize(
    ("source", "kept"),
    [
        ("https://example.com/a.png", True),
        ("/static/a.png", True),
        ("http://example.com/a.png", False),
        ("//evil.example/a.png", False),
        ("data:image/png;base64,AAAA", False),
    ],
)
def test_images_load_only_from_https_or_this_site(source, kept):
    html = str(render_markdown(f"![a]({source})"))
    assert (f'src="{source}"' in html) is kept


def test_ordinary_markdown_still_renders():
    html = str(render_markdown("# 检查\n\n1. **电源**\n2. 模式\n\n| a | b |\n|---|---|\n| 1 | 2 |"))
    assert "<h1>检查</h1>" in html and "<strong>电源</strong>" in html
    assert "<ol>" in html and "<table>" in html


def test_cache_renders_changed_text_afresh():
    cache = RenderCache(size=2)
    assert "old" in cache.rendered("old")
    assert "new" in cache.rendered("new")
    assert cache.rendered("old") is cache.rendered("old")
