"""A mail's HTML part, drawn from the same rendered text as its plain-text part.

The .txt templates stay the one source of each mail's wording; this module reads their
shape (paragraphs, "  - " lists, indented details, a link alone on its line, the "-- "
signature) and the HTML layout (templates/mail/layout.html) draws it. No Markdown library
fits: the text is not Markdown (a "  - " after a line would be a code block, a lone URL stays
text), and what is needed is this small, fixed shape.
"""

import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape

#: http(s) links in mail text; the text is ours, its links made by external_url.
URL = re.compile(r"https?://[^\s<>\"']+")
#: Punctuation that ends a sentence rather than a link.
TRAILING = ".,;:!?)"
#: The signature delimiter: what follows it is drawn by the layout's footer.
SIGNATURE = re.compile(r"^-- ?$", re.MULTILINE)
BULLET = re.compile(r"^\s*[-•]\s+")


@dataclass
class Block:
    #: "paragraph", "list", "detail" (indented lines: a time, a place), "link", or
    #: "markdown" (one line: someone's Markdown, rendered and sanitised; see compose_template).
    kind: str
    lines: list[Markup] = field(default_factory=list)
    #: The address of a "link" block.
    href: str = ""


def linkify(text: str) -> Markup:
    """`text` escaped, with each http(s) link in it made a link."""
    out = Markup()
    position = 0
    for match in URL.finditer(text):
        url = match.group().rstrip(TRAILING)
        end = match.start() + len(url)
        out += escape(text[position : match.start()])
        out += Markup(
            '<a class="link" href="{0}" style="color:#084c37;word-break:break-all;">{0}</a>'
        ).format(url)
        position = end
    return out + escape(text[position:])


def text_blocks(text: str, own_site: str = "") -> list[Block]:
    """The blocks of a mail's plain text, without its signature.

    A link alone on its line is drawn as the mail's button only when it leads to `own_site`
    (our own address: a confirmation or reset link the template wrote). Any other address, such
    as one an organizer typed into a reason or note, stays an inline link in its paragraph:
    nobody can make a button in our mail that looks like ours and leads elsewhere.
    """
    # The last delimiter: a "--" line in a text an organizer wrote stays in the body.
    signatures = list(SIGNATURE.finditer(text))
    body = text[: signatures[-1].start()] if signatures else text
    blocks: list[Block] = []
    for paragraph in re.split(r"\n[ \t]*\n", body.strip("\n")):
        current: Block | None = None
        for line in paragraph.splitlines():
            if not line.strip():
                continue
            kind = _kind(line)
            if kind == "link" and not (own_site and line.strip().startswith(own_site)):
                kind = "paragraph"
            if kind == "link":
                blocks.append(Block("link", href=line.strip()))
                current = None
                continue
            if current is None or current.kind != kind:
                current = Block(kind)
                blocks.append(current)
            current.lines.append(linkify(BULLET.sub("", line).strip()))
    return blocks


def _kind(line: str) -> str:
    if URL.fullmatch(line.strip()):
        return "link"
    if BULLET.match(line):
        return "list"
    if line[:1].isspace():
        return "detail"
    return "paragraph"
