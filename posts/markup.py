"""Markdown to safe HTML, done once at save time, and HTML back to plain text.

The parser is markdown-it-py (CommonMark): it runs in linear time, so no comment,
however crafted, can stall a worker (bench/markup.py measures the worst inputs we
know). Writing is shown as typed: "<3", "R&B" and "a<b and c>d" are text. Raw HTML
passes only for tags the profile allows (`<em>`, `<br>`, a pasted `<table>` in a
post); any other tag-like text is escaped and shown, never swallowed, so an unclosed
`<iframe>` or a `<style>` in a sentence costs nothing that follows it. The result
is then always cleaned with nh3 to the allow-list: scripts, event handlers,
`javascript:` URLs, SVG, iframes and styles cannot survive, whatever the input.
"""

import re
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.html_re import close_tag, open_tag

# The name of a tag at the start of a piece of raw HTML ("" for comments and the like).
TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")


@dataclass(frozen=True, eq=False)
class Profile:
    tags: frozenset[str]
    attributes: dict[str, set[str]]
    link_rel: str
    # markdown-it rules beyond CommonMark to turn on, and CommonMark rules to turn off.
    enable: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    parser: MarkdownIt = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parser", _parser(self))

    def allows(self, raw_html: str) -> bool:
        """Is this piece of raw HTML an opening or closing tag of the allow-list?"""
        match = TAG_NAME.match(raw_html)
        return bool(match) and match.group(1).lower() in self.tags


# How deep markup may nest: markdown-it retries nested brackets up to this depth, so it
# bounds the cost of "[[[[…", the worst input we know (bench/markup.py); 20 by default,
# 12 brings it down to the cost of the other pathological inputs. Quotes and lists
# stop nesting a little before it, so ">>>>>>>>>>>>>>>> wow" shows the rest as typed
# instead of reaching the limit, where markdown-it drops the innermost text.
MAX_NESTING = 12
CONTAINERS_UP_TO = MAX_NESTING - 2  # a list takes two levels (list, item) before its text


def _parser(profile: Profile) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).enable(list(profile.enable))
    if profile.disable:
        md.disable(list(profile.disable))
    block_tags = profile.tags - {"pre"}

    def starts_allowed_html(state, start: int) -> bool:
        # An HTML block swallows lines up to a blank one (or, for <pre>, <style> and
        # the like, to the end of the post): only a line that opens with a tag we show
        # may start one. Anything else is an ordinary paragraph.
        tag = TAG_NAME.match(state.src, state.bMarks[start] + state.tShift[start])
        return bool(tag) and tag.group(1).lower() in block_tags

    _guard_block_rule(md, "html_block", starts_allowed_html)
    for container in ("blockquote", "list"):
        _guard_block_rule(md, container, lambda state, start: state.level < CONTAINERS_UP_TO)
    md.add_render_rule("html_inline", lambda self, tokens, i, *_: _raw(tokens[i].content, profile))
    md.add_render_rule(
        "html_block",
        lambda self, tokens, i, *_: HTML_PIECE.sub(
            lambda m: _raw(m.group(), profile) if m.group(1) is None else escape(m.group(1)),
            _without_comments(tokens[i].content),
        ),
    )
    return md


def _guard_block_rule(md: MarkdownIt, name: str, guard) -> None:
    """Run markdown-it's block rule `name` only where `guard(state, line)` is true,
    keeping which other rules it may interrupt."""
    rule = next(rule for rule in md.block.ruler.__rules__ if rule.name == name)
    original = rule.fn
    md.block.ruler.at(
        name,
        lambda state, start, end, silent: (
            guard(state, start) and original(state, start, end, silent)
        ),
        {"alt": list(rule.alt)},
    )


# Inside a raw HTML block: an opening or closing tag, or a run of text (group 1). Only
# tags: a pattern for comments or <?…?> would rescan to the end at each unclosed one.
HTML_PIECE = re.compile(rf"{open_tag}|{close_tag}|([^<]+|<)")


def _without_comments(html: str) -> str:
    """Drop complete <!-- … --> comments, in one pass (an unclosed one stays, as text)."""
    kept, start = [], 0
    while (opening := html.find("<!--", start)) != -1:
        closing = html.find("-->", opening + 4)
        if closing == -1:
            break
        kept.append(html[start:opening])
        start = closing + 3
    kept.append(html[start:])
    return "".join(kept)


def _raw(html: str, profile: Profile) -> str:
    """One tag of raw HTML: kept when allowed, shown as typed when not (comments go)."""
    if html.startswith("<!--"):
        return ""
    return html if profile.allows(html) else escape(html)


INLINE = frozenset({"a", "em", "strong", "code", "br", "p", "blockquote", "ul", "ol", "li"})

# The artist's own posts: headings, images, code blocks, tables, strikethrough as well.
POST = Profile(
    tags=INLINE
    | {"h2", "h3", "h4", "hr", "pre", "img", "del", "table", "thead", "tbody", "tr", "th", "td"},
    attributes={
        "a": {"href", "title"},
        "img": {"src", "alt", "title"},
        "th": {"align"},
        "td": {"align"},
        "ol": {"start"},
    },
    link_rel="noopener nofollow",
    enable=("table", "strikethrough"),
)

# Fans' comments: paragraphs, emphasis, links, code, quotes and lists only. What makes
# headings, rules and images is off, so "# 1 fan" or "---" stays as typed.
COMMENT = Profile(
    tags=INLINE,
    attributes={"a": {"href", "title"}, "ol": {"start"}},
    link_rel="nofollow ugc noopener",
    disable=("heading", "lheading", "hr", "image", "reference"),
)


def render_markdown(text: str, profile: Profile = POST) -> str:
    return sanitize_html(profile.parser.render(text), profile)


def sanitize_html(html: str, profile: Profile = COMMENT) -> str:
    """HTML cleaned to a profile's allow-list: what Markdown rendered, or HTML written
    elsewhere (a reply from the fediverse), whose mentions and hashtags stay links."""
    return nh3.clean(
        html,
        tags=set(profile.tags),
        attributes=profile.attributes,
        url_schemes={"http", "https", "mailto"},
        link_rel=profile.link_rel,
        strip_comments=True,
    )


# Elements that end a run of text: flattened, their texts are kept apart.
BLOCKS = frozenset(
    {"p", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "br"}
    | {"ul", "ol", "table", "hr", "div"}
)


class _Flattener(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = [""]

    def handle_starttag(self, tag, attrs):
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self.blocks.append("")

    def handle_data(self, data):
        self.blocks[-1] += data


def plain_text(html: str) -> str:
    """The text of sanitized HTML, as a reader sees it: entities decoded ("R&B", not
    "R&amp;B"), one line, and blocks (paragraphs, list items, cells) kept apart by
    " · " unless one already ends a sentence."""
    parser = _Flattener()
    parser.feed(html)
    parser.close()
    text = ""
    for block in (" ".join(b.split()) for b in parser.blocks):
        if block:
            text += (" " if text[-1:] in {"", ".", "!", "?", ":", ";", "…"} else " · ") + block
    return text.strip()
