"""User text shown as text: file names, headers, title lines, model-file strings.

Streamlit renders Markdown (links, images, HTML-like tags, ``:color[...]``
directives, ``$...$`` LaTeX) in ``st.markdown``, ``st.caption``, alerts and
widget labels. Anything a visitor typed, uploaded or linked goes through
:func:`escape` before it is put into such a string, so it shows literally.
"""

import re

# Every ASCII punctuation character CommonMark lets a backslash escape, which
# covers Markdown syntax, Streamlit's directives and LaTeX delimiters.
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&\"'=^%@,;/?])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def escape(text, max_length=200):
    """``text`` made safe to embed in Markdown: shown literally, on one line.

    Parameters
    ----------
    text : object
        Converted with ``str``.
    max_length : int
        Longer text is cut (with an ellipsis), so a hostile name cannot flood
        the page.

    Returns
    -------
    str
    """
    return _PUNCTUATION.sub(r"\\\1", _one_line(text, max_length))


def plotly_text(text, max_length=80):
    """``text`` for a Plotly title, axis title, legend or hover label: shown literally.

    Plotly renders a few HTML tags (``<a href>``, ``<b>``, ``<br>``) and entities
    in those strings; escaping ``&``, ``<`` and ``>`` keeps a column name from
    becoming a link.
    """
    text = _one_line(text, max_length)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _one_line(text, max_length):
    """``str(text)`` without control or bidi characters, on one line, at most
    ``max_length`` characters (cut with an ellipsis)."""
    text = _CONTROL.sub("", str(text)).replace("\r", " ").replace("\n", " ")
    if len(text) > max_length:
        text = text[: max_length - 1] + "…"
    return text
