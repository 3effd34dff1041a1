"""Numbers as LaTeX for the "How it works" page (``st.latex`` strings)."""

import numpy as np

SIG = 4


def number(value, sig=SIG):
    """A float as LaTeX: ``1.234``, ``-0.05`` or ``1.2 \\times 10^{-7}``."""
    value = float(value)
    if not np.isfinite(value):
        return r"\infty" if value > 0 else (r"-\infty" if value < 0 else r"\text{NaN}")
    text = f"{value:.{sig}g}"
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def number_from_log(log_value, sig=3):
    """``exp(log_value)`` as LaTeX, without underflow: ``3.1 \\times 10^{-420}`` works."""
    if not np.isfinite(log_value):
        return "0" if log_value < 0 else r"\infty"
    log10 = log_value / np.log(10)
    exponent = int(np.floor(log10))
    mantissa = 10 ** (log10 - exponent)
    if round(mantissa, sig - 1) >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    if -3 <= exponent <= 3:
        return number(mantissa * 10.0**exponent, sig)
    return rf"{mantissa:.{sig - 1}f} \times 10^{{{exponent}}}"


def vector(values, sig=SIG):
    """A column vector: ``\\begin{pmatrix} a \\\\ b \\end{pmatrix}``."""
    return matrix(np.asarray(values, dtype=float)[:, None], sig)


def matrix(values, sig=SIG):
    """A matrix as a LaTeX ``pmatrix``."""
    rows = [" & ".join(number(v, sig) for v in row) for row in np.atleast_2d(values)]
    return r"\begin{pmatrix}" + r" \\ ".join(rows) + r"\end{pmatrix}"
