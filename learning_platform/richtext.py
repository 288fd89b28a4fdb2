"""Organizer-written Markdown, rendered and then sanitized with an allow-list."""

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# Raw HTML in the Markdown is escaped, not passed through; nh3 then keeps only what is listed.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "a",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "code",
    "pre",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


def render_markdown(source: str) -> Markup:
    html = _markdown.render(source or "")
    # Headings start at h2: the page's h1 is the offering's title.
    for level in (3, 2, 1):  # deepest first, so no heading moves twice
        html = html.replace(f"<h{level}>", f"<h{level + 1}>").replace(
            f"</h{level}>", f"</h{level + 1}>"
        )
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener nofollow ugc",
    )
    return Markup(clean)


def plain_text(source: str, limit: int) -> str:
    """The words of Markdown `source` without its markup, shortened at a word to `limit`
    characters (with "…"): for a meta description or a link preview."""
    words = []
    for token in _markdown.parse(source or ""):
        for child in token.children or ():
            if child.type in ("text", "code_inline"):
                words.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                words.append(" ")
        if token.type == "inline":
            words.append(" ")
    text = " ".join("".join(words).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    # At a space when there is one (Thai, for one, writes none between words).
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:·") + "…"
