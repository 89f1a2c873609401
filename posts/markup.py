"""Markdown to safe HTML, done once at save time.

Markdown lets raw HTML through, so its output is always cleaned with nh3 to an
allow-list: what is not listed (scripts, event handlers, `javascript:` URLs,
SVG, iframes, styles) cannot survive, whatever the input looks like.
"""

from dataclasses import dataclass

import markdown
import nh3


@dataclass(frozen=True)
class Profile:
    tags: frozenset[str]
    attributes: dict[str, set[str]]
    link_rel: str
    extensions: tuple[str, ...] = ("fenced_code", "sane_lists")


INLINE = frozenset({"a", "em", "strong", "code", "br", "p", "blockquote", "ul", "ol", "li"})

# The artist's own posts: headings, images, code blocks and tables as well.
POST = Profile(
    tags=INLINE
    | {"h2", "h3", "h4", "hr", "pre", "img", "del", "table", "thead", "tbody", "tr", "th", "td"},
    attributes={
        "a": {"href", "title"},
        "img": {"src", "alt", "title"},
        "th": {"align"},
        "td": {"align"},
    },
    link_rel="noopener nofollow",
    extensions=("fenced_code", "sane_lists", "tables"),
)

# Fans' comments: paragraphs, emphasis, links, inline code, quotes and lists only.
COMMENT = Profile(
    tags=INLINE,
    attributes={"a": {"href", "title"}},
    link_rel="nofollow ugc noopener",
)


def render_markdown(text: str, profile: Profile = POST) -> str:
    html = markdown.markdown(text, extensions=list(profile.extensions), output_format="html")
    return sanitize_html(html, profile)


def sanitize_html(html: str, profile: Profile = COMMENT) -> str:
    """HTML written elsewhere (a reply from the fediverse) cleaned to a profile's
    allow-list: its mentions and hashtags stay links, with the profile's rel."""
    return nh3.clean(
        html,
        tags=set(profile.tags),
        attributes=profile.attributes,
        url_schemes={"http", "https", "mailto"},
        link_rel=profile.link_rel,
        strip_comments=True,
    )
