"""The README's screenshots: the Compare page on a laptop and on a phone, the Outliers page,
the circles next to the ellipses (Density and distance) and the 3-D view.

    python scripts/screenshots.py      # writes docs/compare.png, compare_phone.png,
                                       # outliers.png, distances.png and view3d.png

Starts ``streamlit run app.py`` on a free port and drives Debian's Chromium with
Playwright (the browser test's set-up): the default view, and the Outliers page on the
generator's Overlapping preset.
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

OUTLIERS_LINK = ("/outliers?dataset=generated&gen_separation=2.0&gen_elongation=2.0"
                 "&gen_rotation=random&gen_outlier_pct=3.0")  # the Overlapping preset
SHOTS = {  # file: (path and query, viewport, charts to wait for)
    "compare.png": ("", (1400, 1000), 2),
    "compare_phone.png": ("", (390, 844), 2),
    "outliers.png": (OUTLIERS_LINK, (1400, 1250), 3),
}
# (file, page, charts on the page, the charts shown): two charts side by side, cropped.
CHART_SHOTS = [("distances.png", "density?dataset=iris", 3, (1, 2)),
               ("view3d.png", "view3d?dataset=iris", 2, (0, 1))]


def _charts_shot(page, charts, path):
    """A screenshot of the page cropped to the given charts (scrolled into view)."""
    page.locator(".js-plotly-plot").nth(charts[0]).scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    boxes = [page.locator(".js-plotly-plot").nth(i).bounding_box() for i in charts]
    left, top = min(b["x"] for b in boxes), min(b["y"] for b in boxes)
    right = max(b["x"] + b["width"] for b in boxes)
    bottom = max(b["y"] + b["height"] for b in boxes)
    page.screenshot(path=path, clip={"x": left, "y": top, "width": right - left,
                                     "height": bottom - top})


def main():
    proc, url = _start_server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for name, (path, (width, height), n_charts) in SHOTS.items():
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(url + path)
                _wait_until_drawn(page, n_charts)
                page.screenshot(path=str(ROOT / "docs" / name))
                page.close()
                print("wrote", ROOT / "docs" / name)
            for name, path, n_charts, charts in CHART_SHOTS:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"{url}/{path}")
                _wait_until_drawn(page, n_charts)
                _charts_shot(page, charts, str(ROOT / "docs" / name))
                page.close()
                print("wrote", ROOT / "docs" / name)
            browser.close()
    finally:
        _stop_server(proc)


if __name__ == "__main__":
    main()
