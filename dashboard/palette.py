"""Cluster colours and marker symbols every viewer can tell apart, and the colour
science that checks them: no Streamlit, no Plotly.

Clusters 1-8 take the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal
Design"), its black replaced by a dark grey so that a cluster stays visible on
a dark background as on a light one. Beyond eight (K goes up to 12) Okabe–Ito
has no more colours: clusters 9-12 take four further colours chosen to be as
far as possible from the first eight and from each other for normal vision
and both simulated deficiencies. Every pair of the twelve stays at least
:data:`MIN_DIFFERENCE` apart (CIEDE2000) for all three; and since colour alone
should never carry meaning, every cluster also has its own marker symbol.

Colour differences are CIEDE2000 (Sharma, Wu & Dalal 2005) in CIELAB (D65) of
sRGB colours; colour-vision deficiencies are simulated with the matrices of
Machado, Oliveira & Fernandes (2009), severity 1, applied in linear RGB.

Inks that sit on the chart's background (outlines, guide lines) are mid-tone
(:data:`NEUTRAL`): at least 3:1 contrast on Streamlit's light (white) and dark
(``#171614``) backgrounds, so charts follow the app's theme without knowing it.
Every cluster colour keeps at least 2:1 on both, but Okabe–Ito's yellow on white
(1.3:1), which is why it comes eighth.
"""

import numpy as np

# Okabe–Ito with its black swapped for a dark grey (black vanishes on a dark
# background), in an order that keeps the first K colours far apart for small K and
# puts yellow, faint on white, last.
OKABE_ITO = (
    "#E69F00",  # orange
    "#0072B2",  # blue
    "#009E73",  # bluish green
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#666666",  # dark grey (Okabe–Ito's black)
    "#F0E442",  # yellow
)
# Clusters 9-12: the four colours a maximin search over sRGB (steps of 8) found
# furthest, in CIEDE2000 under normal vision, deuteranopia and protanopia, from the
# eight above and from each other, among colours with at least 2:1 contrast on a
# white and 3:1 on a near-black (#0E1117) background. See tests/dashboard/test_palette.py.
FALLBACK = ("#A84030", "#E0A8B0", "#4088F8", "#A0C080")
CLUSTER_COLORS = OKABE_ITO + FALLBACK
MAX_DISTINCT = len(OKABE_ITO)
# The least CIEDE2000 difference between any two cluster colours, for normal vision and
# simulated deuteranopia and protanopia: about ten just-noticeable differences (small
# markers need far more than the unit difference of two large patches side by side).
MIN_DIFFERENCE = 10.0

# One symbol per cluster in 2-D (Plotly's Scattergl). Scatter3d draws its symbols as
# text glyphs; these six are in every common font (its cross and x are not: a missing
# glyph shows as an empty box), so clusters 7-12 reuse them with other colours.
SYMBOLS_2D = ("circle", "square", "triangle-up", "triangle-down", "pentagon", "hexagon",
              "star", "cross", "triangle-left", "triangle-right", "hourglass", "bowtie")
SYMBOLS_3D = ("circle", "square", "diamond", "circle-open", "square-open", "diamond-open")

NEUTRAL = "#808080"  # outlines and guides: >= 3:1 on both backgrounds below
DISAGREE_COLOR = "#FF2BD6"  # the ring round a point the methods assign differently
LIGHT_BACKGROUND = "#FFFFFF"
DARK_BACKGROUND = "#171614"  # Streamlit 1.67's dark theme (the browser test measures it)


def cluster_color(j):
    """The colour of cluster ``j`` (0-based) in every chart; cycles past 12."""
    return CLUSTER_COLORS[j % len(CLUSTER_COLORS)]


def cluster_symbol(j, three_d=False):
    """The marker symbol of cluster ``j`` (0-based), in 2-D or 3-D charts.

    In 2-D, groups 13-24 (true labels can have more classes than K) take the open
    versions, so no two of 24 share both colour and symbol.
    """
    if three_d:
        return SYMBOLS_3D[j % len(SYMBOLS_3D)]
    symbol = SYMBOLS_2D[j % len(SYMBOLS_2D)]
    return symbol + "-open" if (j // len(SYMBOLS_2D)) % 2 else symbol


# ----------------------------------------------------------------- colour science
# sRGB (D65) to CIE XYZ, IEC 61966-2-1.
_RGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                        [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])
_WHITE = _RGB_TO_XYZ.sum(axis=1)  # D65, Y = 1

# Machado, Oliveira & Fernandes (2009), severity 1.0, for linear RGB.
CVD_MATRICES = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
}


def hex_to_rgb(colors):
    """``'#RRGGBB'`` strings to sRGB in [0, 1], shape (n_colors, 3)."""
    colors = [colors] if isinstance(colors, str) else list(colors)
    return np.array([[int(c.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
                     for c in colors])


def srgb_to_linear(rgb):
    """Gamma-encoded sRGB in [0, 1] to linear light, same shape."""
    rgb = np.asarray(rgb, dtype=float)
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(linear):
    """Linear light to gamma-encoded sRGB, clipped to [0, 1], same shape."""
    linear = np.clip(np.asarray(linear, dtype=float), 0, 1)
    return np.where(linear <= 0.0031308, 12.92 * linear,
                    1.055 * linear ** (1 / 2.4) - 0.055)


def simulate(rgb, deficiency):
    """How sRGB colours look to a viewer with ``deficiency`` (a key of
    :data:`CVD_MATRICES`), shape (n_colors, 3) in [0, 1]."""
    linear = srgb_to_linear(rgb) @ CVD_MATRICES[deficiency].T
    return linear_to_srgb(linear)


def rgb_to_lab(rgb):
    """sRGB in [0, 1], shape (n, 3), to CIELAB (D65), shape (n, 3)."""
    xyz = srgb_to_linear(rgb) @ _RGB_TO_XYZ.T / _WHITE
    eps, kappa = 216 / 24389, 24389 / 27
    f = np.where(xyz > eps, np.cbrt(xyz), (kappa * xyz + 16) / 116)
    return np.column_stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]),
                            200 * (f[:, 1] - f[:, 2])])


def ciede2000(lab1, lab2):
    """CIEDE2000 colour difference of CIELAB colours, broadcast over rows.

    Parameters
    ----------
    lab1, lab2 : array_like of shape (..., 3)

    Returns
    -------
    delta_e : ndarray of shape (...)
    """
    lab1, lab2 = np.asarray(lab1, dtype=float), np.asarray(lab2, dtype=float)
    L1, a1, b1 = np.moveaxis(lab1, -1, 0)
    L2, a2, b2 = np.moveaxis(lab2, -1, 0)
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dLp, dCp = L2 - L1, c2p - c1p
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(c1p * c2p == 0, 0.0, dh)
    dHp = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh) / 2)
    L_bar, c_bar_p = (L1 + L2) / 2, (c1p + c2p) / 2
    h_sum = h1p + h2p
    h_bar = np.where(np.abs(h1p - h2p) > 180,
                     np.where(h_sum < 360, (h_sum + 360) / 2, (h_sum - 360) / 2), h_sum / 2)
    h_bar = np.where(c1p * c2p == 0, h_sum, h_bar)
    t = (1 - 0.17 * np.cos(np.radians(h_bar - 30)) + 0.24 * np.cos(np.radians(2 * h_bar))
         + 0.32 * np.cos(np.radians(3 * h_bar + 6)) - 0.20 * np.cos(np.radians(4 * h_bar - 63)))
    s_l = 1 + 0.015 * (L_bar - 50) ** 2 / np.sqrt(20 + (L_bar - 50) ** 2)
    s_c = 1 + 0.045 * c_bar_p
    s_h = 1 + 0.015 * c_bar_p * t
    r_c = 2 * np.sqrt(c_bar_p**7 / (c_bar_p**7 + 25.0**7))
    r_t = -np.sin(np.radians(2 * 30 * np.exp(-(((h_bar - 275) / 25) ** 2)))) * r_c
    return np.sqrt((dLp / s_l) ** 2 + (dCp / s_c) ** 2 + (dHp / s_h) ** 2
                   + r_t * (dCp / s_c) * (dHp / s_h))


def pairwise_differences(colors, deficiency=None):
    """CIEDE2000 between every pair of ``colors`` (hex), as seen normally or with
    ``deficiency``; shape (n_colors, n_colors), zero diagonal."""
    rgb = hex_to_rgb(colors)
    if deficiency is not None:
        rgb = simulate(rgb, deficiency)
    lab = rgb_to_lab(rgb)
    return ciede2000(lab[:, None, :], lab[None, :, :])


def relative_luminance(rgb):
    """WCAG relative luminance of sRGB colours in [0, 1], shape (n_colors,)."""
    return srgb_to_linear(np.atleast_2d(rgb)) @ np.array([0.2126, 0.7152, 0.0722])


def contrast_ratio(color, background):
    """WCAG contrast ratio (1 to 21) of two hex colours."""
    lum = relative_luminance(hex_to_rgb([color, background]))
    high, low = max(lum), min(lum)
    return float((high + 0.05) / (low + 0.05))
