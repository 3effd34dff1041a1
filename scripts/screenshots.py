"""The README's screenshots of the Compare page, on a laptop and on a phone.

    python scripts/screenshots.py      # writes docs/compare.png and docs/compare_phone.png

Starts ``streamlit run app.py`` on a free port and drives Debian's Chromium with
Playwright (the browser test's set-up), on the default view.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.app.test_browser import (  # noqa: E402
    CHROMIUM_ARGS,
    _start_server,
    _stop_server,
    _wait_until_drawn,
)

SHOTS = {"compare.png": (1400, 1000), "compare_phone.png": (390, 844)}


def main():
    proc, url = _start_server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for name, (width, height) in SHOTS.items():
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(url)
                _wait_until_drawn(page, 2)
                page.screenshot(path=str(ROOT / "docs" / name))
                page.close()
                print("wrote", ROOT / "docs" / name)
            browser.close()
    finally:
        _stop_server(proc)


if __name__ == "__main__":
    main()
