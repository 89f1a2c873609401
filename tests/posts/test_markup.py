"""No executable markup survives the sanitizer, whatever the Markdown holds."""

from html.parser import HTMLParser

import pytest

from posts.markup import COMMENT, POST, render_markdown

XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    '<body onload="alert(1)">hi</body>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<svg onload="alert(1)"><circle r="5"/></svg>',
    "<svg><script>alert(1)</script></svg>",
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;script:alert(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<object data="evil.swf"></object><embed src="evil.swf">',
    '<style>body{background:url("javascript:alert(1)")}</style>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<form action="https://evil.example"><input name="pw"></form>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '[a](https://ok.example "title" onmouseover=alert(1))',
    '<a href="https://ok.example" onclick="alert(1)">ok</a>',
    "<<script>script>alert(1)<</script>/script>",
    '<details open ontoggle="alert(1)">x</details>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "[x](vbscript:msgbox(1))",
]


class Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((name, value or "") for name, value in attrs)

    def handle_data(self, data):
        self.text += data


def parse(html: str) -> Collector:
    collector = Collector()
    collector.feed(html)
    return collector


@pytest.mark.parametrize("profile", [POST, COMMENT], ids=["post", "comment"])
@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_no_executable_markup_survives(vector, profile):
    parsed = parse(render_markdown(vector, profile))
    assert set(parsed.tags) <= profile.tags
    for name, value in parsed.attrs:
        assert not name.startswith("on"), (name, value)
        assert name != "style"
        if name in {"href", "src"}:
            scheme = value.split(":", 1)[0].lower() if ":" in value else ""
            assert scheme in {"", "http", "https", "mailto"}, value


def test_markdown_formatting_is_kept():
    html = render_markdown("## Tour\n\n**loud** and *soft*\n\n- one\n- two\n\n> quote")
    assert "<h2>Tour</h2>" in html
    assert "<strong>loud</strong>" in html and "<em>soft</em>" in html
    assert "<li>one</li>" in html and "<blockquote>" in html


def test_links_get_rel_noopener_nofollow():
    html = render_markdown("[my label](https://label.example/)")
    assert 'href="https://label.example/"' in html
    assert 'rel="noopener nofollow"' in html


def test_comment_links_are_marked_user_generated():
    html = render_markdown("[spam](https://spam.example/)", COMMENT)
    assert 'rel="nofollow ugc noopener"' in html


def test_comments_have_no_images_or_headings():
    html = render_markdown("# Big\n\n![pic](https://x.example/p.png)", COMMENT)
    assert "<h1" not in html and "<img" not in html
    assert "Big" in html


# What people type appears as typed: tag-like text that is not an allowed tag is text,
# and it never swallows what follows (#8 bug 5).
AS_TYPED = [
    ("a<b and c>d", ["a<b and c>d"]),
    ("I <3 this. R&B forever & ever", ["I <3 this. R&B forever & ever"]),
    ("the <style> is great\n\nand the chorus too", ["the <style> is great", "and the chorus too"]),
    ("<style>\nis great\n\nand the chorus too", ["<style>", "is great", "and the chorus too"]),
    (
        'Watch: <iframe src="https://video.example/embed">\n\nThe rest of the post.',
        ['Watch: <iframe src="https://video.example/embed">', "The rest of the post."],
    ),
    ('<iframe src="https://video.example/embed">\n\nThe rest.', ["The rest."]),
    ("x<y, y>z and 2 < 3 > 1", ["x<y, y>z and 2 < 3 > 1"]),
]


@pytest.mark.parametrize("profile", [POST, COMMENT], ids=["post", "comment"])
@pytest.mark.parametrize("text,shown", AS_TYPED, ids=[t for t, _ in AS_TYPED])
def test_writing_is_shown_as_typed(text, shown, profile):
    html = render_markdown(text, profile)
    parsed = parse(html)
    for part in shown:
        assert part in parsed.text, html
    assert set(parsed.tags) <= {"p"}, html  # no iframe, style or stray tag made of it


@pytest.mark.parametrize("profile", [POST, COMMENT], ids=["post", "comment"])
def test_markdown_after_unclosed_tag_is_still_markdown(profile):
    html = render_markdown("Look <iframe src=x>\n\nthe *rest* is **here**", profile)
    assert "<em>rest</em>" in html and "<strong>here</strong>" in html
    assert "&lt;iframe src=x&gt;" in html


@pytest.mark.parametrize("profile", [POST, COMMENT], ids=["post", "comment"])
def test_allowed_html_still_works(profile):
    html = render_markdown('<em>soft</em>, <strong onclick="x()">loud</strong><br>next', profile)
    assert "<em>soft</em>" in html and "<strong>loud</strong>" in html and "<br>" in html
    assert "onclick" not in html and "&lt;" not in html


def test_a_pasted_table_works_in_posts():
    html = render_markdown("<table><tr><td>Night</td><td>3:12</td></tr></table>\n\n*after*")
    assert "<table>" in html and "<td>Night</td>" in html and "<em>after</em>" in html


def test_comments_show_headings_and_rules_as_typed():
    parsed = parse(render_markdown("# 1 fan\n\n---", COMMENT))
    assert "# 1 fan" in parsed.text and "---" in parsed.text


# Inputs that made the old renderer take seconds (#10 abuse 4): nothing is lost, and
# bench/markup.py measures how long they take.
PATHOLOGICAL = ["[" * 5000, "![" * 2500, "[](" * 1666, "[a" * 2500, "**_* " * 1000]


@pytest.mark.parametrize("profile", [POST, COMMENT], ids=["post", "comment"])
@pytest.mark.parametrize("text", PATHOLOGICAL, ids=lambda t: repr(t[:6]))
def test_pathological_comments_render_whole(text, profile):
    parsed = parse(render_markdown(text, profile))
    assert set(parsed.tags) <= {"p", "em", "strong"}
    assert parsed.text.replace("\n", "").count("[") == text.count("[")


@pytest.mark.parametrize("profile", [POST, COMMENT], ids=["post", "comment"])
def test_nesting_people_write_is_kept(profile):
    text = "".join("  " * depth + f"- level {depth}\n" for depth in range(5)) + "\n> > > deep"
    parsed = parse(render_markdown(text, profile))
    assert all(f"level {depth}" in parsed.text for depth in range(5))
    assert "deep" in parsed.text and parsed.tags.count("blockquote") == 3


@pytest.mark.parametrize("profile", [POST, COMMENT], ids=["post", "comment"])
def test_html_comments_are_hidden_and_an_unclosed_one_shown(profile):
    for text in ["<p>hi <!-- note to self --> there <!-- never closed", "hi <!-- note to self -->"]:
        parsed = parse(render_markdown(text, profile))
        assert "note to self" not in parsed.text and "hi" in parsed.text
    assert "<!-- never closed" in parse(render_markdown("<p>x <!-- never closed")).text


@pytest.mark.parametrize("profile", [POST, COMMENT], ids=["post", "comment"])
@pytest.mark.parametrize("marker", [">", "> ", "- ", "1. ", "* "])
def test_nesting_past_the_limit_shows_the_rest_as_typed(profile, marker):
    parsed = parse(render_markdown(marker * 30 + "wow, this!\n\nnext", profile))
    assert "wow, this!" in parsed.text and "next" in parsed.text
