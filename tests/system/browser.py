"""What the browser tests share: the viewport people use, logging in as a role, and where the
screenshots go."""

import os
from pathlib import Path

VIEWPORT = {"width": 1366, "height": 900}
PASSWORD = "pass-1234"  # tests/conftest.py's make_user
LIVE_WAIT_MS = 15_000  # live.js refreshes every 3 s; a real worker and the sandbox's events too


def log_in(chromium, live_server, username, locale, on_the_board=False, **page_options):
    """A new page at 1366 × 900 in `locale` (and Playwright's `page_options`, e.g. the browser's
    time zone), logged in as `username`: on the board, where logging in lands, or then on the
    admin's index."""
    page = chromium.new_page(
        locale=locale, viewport=VIEWPORT, accept_downloads=True, **page_options
    )
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")
    if not on_the_board:
        page.goto(f"{live_server.url}/admin/")
    return page


def wait_for_the_outcome(page, words, timeout=LIVE_WAIT_MS):
    """Until the contact page's newest callback shows `words` as its outcome, without a reload
    (live.js)."""
    page.wait_for_function(
        "text => document.querySelector('#contact-callbacks tr.callback-row .callback-outcome')"
        "?.innerText.includes(text)",
        arg=words,
        timeout=timeout,
    )


def screenshot_folder(tmp_path: Path) -> Path:
    """SCREENSHOTS_DIR when set (CI keeps it as an artefact), else the test's own folder."""
    folder = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def right_edges_inside_the_viewport(page, selectors):
    """The selectors whose element reaches past the viewport's right edge (or is not shown)."""
    outside = []
    for selector in selectors:
        box = page.locator(selector).first.bounding_box()
        if box is None or box["x"] < 0 or box["x"] + box["width"] > VIEWPORT["width"]:
            outside.append((selector, box))
    return outside
