import pytest
from django.utils.html import linebreaks

from portal.lib.markdown import plain_excerpt, render_markdown

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


class TestPlainExcerpt:
    def test_list_items_headings_and_paragraphs_stay_apart(self):
        html = render_markdown(
            "We help him:\n\n- use our ordering portal\n- Our account team reviews his stock\n\n## Next\n\nA paragraph."
        )
        assert plain_excerpt(html) == (
            "We help him: use our ordering portal · Our account team reviews his stock · Next · A paragraph."
        )

    def test_a_block_ending_in_punctuation_needs_no_separator(self):
        html = render_markdown("- First we listen.\n- ثم نسأل؟\n- Then we act")
        assert plain_excerpt(html) == "First we listen. ثم نسأل؟ Then we act"

    def test_line_breaks_and_table_cells_stay_apart(self):
        assert plain_excerpt(linebreaks("12 Main Street\nDayton", autoescape=True)) == "12 Main Street · Dayton"
        assert plain_excerpt(render_markdown("| SKU | Stock |\n|---|---|\n| A1 | 40 |")) == "SKU · Stock · A1 · 40"

    def test_it_stays_on_one_line_and_inline_tags_join_their_words(self):
        html = "<p>Weekly <strong>replen</strong>ishment\n  of <em>fittings</em></p>\n<ul>\n<li>a</li>\n</ul>"
        assert plain_excerpt(html) == "Weekly replenishment of fittings · a"

    def test_it_cuts_after_the_number_of_words_separators_not_counted(self):
        html = render_markdown("- one two\n- three four\n- five")
        assert plain_excerpt(html, 3) == "one two · three …"
        assert plain_excerpt(html, 4) == "one two · three four …"
        assert plain_excerpt(html, 5) == "one two · three four · five"

    def test_entities_are_decoded_once(self):
        assert plain_excerpt(render_markdown("Fish &amp;amp; chips & &lt;b&gt;")) == "Fish &amp; chips & <b>"

    def test_nothing_gives_nothing(self):
        assert plain_excerpt("") == plain_excerpt(None) == plain_excerpt("<p> </p>") == ""
