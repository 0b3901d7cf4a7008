import pytest

from portal.lib.markdown import render_markdown

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    "<svg onload=alert(1)>",
    '<div onmouseover="alert(1)">hover</div>',
    "<body onload=alert(1)>",
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "<object data=javascript:alert(1)></object>",
    '<style>body{background:url("javascript:alert(1)")}</style>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '"><script>alert(document.cookie)</script>',
    '<form action="javascript:alert(1)"><input type=submit></form>',
]
FORBIDDEN = ["<script", "onerror", "onload", "onmouseover", "javascript:", "<iframe", "<svg", "<style", "<object", "data:text", "<form"]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_it_strips_every_xss_payload(payload):
    html = render_markdown(f"Some words\n\n{payload}\n\nmore words").lower()
    for needle in FORBIDDEN:
        assert needle not in html


def test_it_keeps_ordinary_markdown():
    html = render_markdown("**Ken** needs [the order](https://example.com) by *Friday*.\n\n- one\n- two")
    assert "<strong>Ken</strong>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">the order</a>' in html
    assert "<li>one</li>" in html


def test_empty_text_renders_nothing():
    assert render_markdown("") == ""


def test_a_flood_of_brackets_is_shown_as_plain_text():
    """Python-Markdown takes quadratic time on runs of "[" (a 100,000-character body of them held a
    worker for minutes): past 500 of them the text is shown as escaped paragraphs instead."""
    from portal.lib.markdown import MAX_BRACKETS, render_markdown

    flood = "[" * 100_000 + "\n\n<script>x</script>"
    html = render_markdown(flood)
    assert html.startswith("<p>[[[") and "&lt;script&gt;" in html and "<script>" not in html
    links = " ".join(f"[link {i}](https://example.com/{i})" for i in range(MAX_BRACKETS))
    assert render_markdown(links).count("<a href=") == MAX_BRACKETS
