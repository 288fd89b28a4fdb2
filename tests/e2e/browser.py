"""A person at a browser, who uses only the keyboard, and the checks run on every page they see.

Every step reaches its control with Tab (a control Tab cannot reach fails the test), then types,
presses Enter or Space. Date, time and select controls are reached with Tab and then given their
value directly, as their own keyboard widgets differ by locale. Each new page is checked: its
language, no sideways scrolling, no console errors (CSP included), and axe-core finds nothing
serious or critical.
"""

import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from playwright.sync_api import Browser, Locator, Page


@dataclass(frozen=True)
class Variant:
    language: str
    locale: str
    timezone: str
    width: int
    height: int


VARIANTS = {
    "ko-phone": Variant("ko", "ko-KR", "Asia/Seoul", 390, 844),
    "ko-desktop": Variant("ko", "ko-KR", "Asia/Seoul", 1280, 800),
    "en-phone": Variant("en", "en-US", "Asia/Bangkok", 390, 844),
    "en-desktop": Variant("en", "en-US", "Asia/Bangkok", 1280, 800),
    "th-phone": Variant("th", "th-TH", "Asia/Bangkok", 390, 844),
    "th-desktop": Variant("th", "th-TH", "Asia/Bangkok", 1280, 800),
}

#: Tab presses allowed to reach one control (a catalog page has a few hundred stops at most).
MAX_TABS = 400
_AXE_RUN = """() => axe.run(document, {resultTypes: ["violations"]}).then(result =>
    result.violations
        .filter(v => v.impact === "serious" || v.impact === "critical")
        .map(v => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map(n => n.target.join(" ")).join(", ")}`))"""

#: The innermost elements that reach past the right edge of the screen.
_WIDER_THAN_SCREEN = """() => [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
    .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right
        > document.documentElement.clientWidth + 0.5))
    .slice(0, 5).map(e => e.outerHTML.slice(0, 120))"""

#: The element is inside a closed <details> whose summary shows (the phone's header menu).
_IN_FOLDED_MENU = """element => {
    const menu = element.closest("details:not([open])");
    const toggle = menu && menu.querySelector(":scope > summary");
    return Boolean(toggle) && toggle !== element && getComputedStyle(toggle).display !== "none";
}"""


class Visitor:
    def __init__(self, page: Page, base_url: str, name: str, axe_source: str, screenshots: Path):
        self.page = page
        self.base_url = base_url
        self.variant_name = name
        self.variant = VARIANTS[name]
        self.axe_source = axe_source
        self.screenshots = screenshots
        self.problems: list[str] = []
        self._axe_checked: set[str] = set()
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    @classmethod
    def open(cls, browser: Browser, base_url: str, name: str, *, axe_source, screenshots, address):
        variant = VARIANTS[name]
        context = browser.new_context(
            viewport={"width": variant.width, "height": variant.height},
            locale=variant.locale,
            timezone_id=variant.timezone,
            extra_http_headers={"X-Forwarded-For": address},
        )
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
        context.set_default_timeout(10_000)
        return cls(context.new_page(), base_url, name, axe_source, screenshots)

    def close(self) -> None:
        self.page.context.close()

    @property
    def language(self) -> str:
        return self.variant.language

    def _on_console(self, message) -> None:
        if message.type != "error":
            return
        # A form sent back with errors answers 422; Chromium logs that for the page itself.
        document_status = message.text.startswith("Failed to load resource: the server responded")
        if document_status and message.location.get("url") == self.page.url:
            return
        self.problems.append(f"console error on {self.page.url}: {message.text}")

    # Moving around --------------------------------------------------------------------------

    def go(self, path_or_url: str) -> None:
        """Type an address into the browser (or follow a link from a mail)."""
        url = path_or_url if "://" in path_or_url else self.base_url + path_or_url
        response = self.page.goto(url)
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        self.inspect()

    def focus(self, target: Locator) -> None:
        """Press Tab until `target` has the focus; first open the folded menu holding it (the
        header's "Menu" on a phone), as a person would."""
        handle = target.element_handle()
        if self.page.evaluate(_IN_FOLDED_MENU, handle):
            self.press(target.locator("xpath=ancestor::details[1]/summary"))
        for _ in range(MAX_TABS):
            if self.page.evaluate("element => document.activeElement === element", handle):
                return
            self.page.keyboard.press("Tab")
        raise AssertionError(f"{target} cannot be reached with Tab on {self.page.url}")

    def activate(self, target: Locator, *, inspect: bool = True) -> None:
        """Tab to a link or button and press Enter; wait for the page it leads to."""
        self.focus(target)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")
        if inspect:
            self.inspect()

    def use_my_language(self) -> None:
        """After logging in the site speaks the account's language; switch if it is not ours."""
        if self.page.locator("html").get_attribute("lang") != self.language:
            self.activate(self.page.locator(f"header button[value={self.language}]"))
        else:
            self.inspect()

    def type_into(self, target: Locator, value: str) -> None:
        self.focus(target)
        self.page.keyboard.press("ControlOrMeta+A")
        self.page.keyboard.press("Delete")
        self.page.keyboard.type(value)

    def set_value(self, target: Locator, value: str) -> None:
        """Date and time inputs: reach by Tab, then set as the native picker would."""
        self.focus(target)
        target.fill(value)

    def choose(self, target: Locator, value: str) -> None:
        self.focus(target)
        target.select_option(value)

    def tick(self, target: Locator) -> None:
        self.focus(target)
        if not target.is_checked():
            self.page.keyboard.press("Space")
        assert target.is_checked()

    def press(self, target: Locator) -> None:
        """Tab to a button that acts on the page itself and press Enter."""
        self.focus(target)
        self.page.keyboard.press("Enter")

    def clipboard(self) -> str:
        return self.page.evaluate("() => navigator.clipboard.readText()")

    # Looking --------------------------------------------------------------------------------

    def inspect(self) -> None:
        """Checks every page gets: language, layout on a phone, accessibility."""
        page = self.page
        assert page.locator("html").get_attribute("lang") == self.language, page.url
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            culprits = page.evaluate(_WIDER_THAN_SCREEN)
            self.problems.append(f"{page.url} scrolls sideways by {overflow}px: {culprits}")
        key = re.sub(r"\d+", "N", page.url.split("?")[0].removeprefix(self.base_url))
        key += f" {page.title()} {page.locator('.error, .flashes').count()}"
        if key in self._axe_checked:
            return
        self._axe_checked.add(key)
        page.evaluate(self.axe_source)
        for violation in page.evaluate(_AXE_RUN):
            self.problems.append(f"axe on {page.url}: {violation}")

    def snap(self, name: str) -> None:
        """Save a full-page screenshot for the gallery (256 colours keep the repository small)."""
        self.screenshots.mkdir(parents=True, exist_ok=True)
        picture = Image.open(io.BytesIO(self.page.screenshot(full_page=True))).convert("RGB")
        # Written aside, then renamed: two pytest-xdist workers may save the same page.
        target = self.screenshots / f"{name}.png"
        aside = target.with_name(f".{name}-{os.getpid()}.png")
        picture.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(aside, optimize=True)
        aside.replace(target)

    def notice(self) -> str:
        return self.page.locator(".flashes").inner_text()

    def field_error(self, field_id: str) -> str:
        return self.page.locator(f"#{field_id}-error").inner_text()
