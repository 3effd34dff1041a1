from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGES = [f"pages/{name}.py" for name in (
    "compare", "data", "responsibilities", "convergence", "steps", "inspect", "outliers",
    "density", "view3d", "choose_k", "math")]


class AppSession(AppTest):
    """AppTest whose runs land on the default page unless ``switch_page`` was just called.

    AppTest (Streamlit 1.67) leaves out the entry script's sidebar when it re-runs
    a page by its hash, although a browser keeps it (the browser test checks
    that). Requesting the default page, as a fresh page load does, keeps the
    sidebar widgets in the tree so the tests can drive them.
    """

    def _run(self, widget_state=None, timeout=None):
        self._finished_page_script_hash = ""
        try:
            return super()._run(widget_state, timeout)
        finally:
            self._page_hash = ""


def new_session():
    """A fresh simulated session of the real app, run once."""
    at = AppSession(Path(APP), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def app():
    return new_session()
