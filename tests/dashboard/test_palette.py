"""Cluster colours every viewer tells apart: the colour science, then the palette.

The CVD simulation (Machado et al. 2009) and CIEDE2000 are implemented in plain
NumPy in dashboard/palette.py; they are checked here against published values
before the palette is judged with them.
"""

import itertools

import numpy as np
import pytest
from plotly.colors import qualitative

from dashboard import charts, palette

VISIONS = (None, "deuteranopia", "protanopia")

# Sharma, Wu & Dalal (2005), "The CIEDE2000 color-difference formula", Table 1: all 34 pairs.
SHARMA = [
    ((50.0000, 2.6772, -79.7751), (50.0000, 0.0000, -82.7485), 2.0425),
    ((50.0000, 3.1571, -77.2803), (50.0000, 0.0000, -82.7485), 2.8615),
    ((50.0000, 2.8361, -74.0200), (50.0000, 0.0000, -82.7485), 3.4412),
    ((50.0000, -1.3802, -84.2814), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, -1.1848, -84.8006), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, -0.9009, -85.5211), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, 0.0000, 0.0000), (50.0000, -1.0000, 2.0000), 2.3669),
    ((50.0000, -1.0000, 2.0000), (50.0000, 0.0000, 0.0000), 2.3669),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0009), 7.1792),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0010), 7.1792),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0011), 7.2195),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0012), 7.2195),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0009, -2.4900), 4.8045),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0010, -2.4900), 4.8045),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0011, -2.4900), 4.7461),
    ((50.0000, 2.5000, 0.0000), (50.0000, 0.0000, -2.5000), 4.3065),
    ((50.0000, 2.5000, 0.0000), (73.0000, 25.0000, -18.0000), 27.1492),
    ((50.0000, 2.5000, 0.0000), (61.0000, -5.0000, 29.0000), 22.8977),
    ((50.0000, 2.5000, 0.0000), (56.0000, -27.0000, -3.0000), 31.9030),
    ((50.0000, 2.5000, 0.0000), (58.0000, 24.0000, 15.0000), 19.4535),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.1736, 0.5854), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.2972, 0.0000), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 1.8634, 0.5757), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.2592, 0.3350), 1.0000),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((63.0109, -31.0961, -5.8663), (62.8187, -29.7946, -4.0864), 1.2630),
    ((61.2901, 3.7196, -5.3901), (61.4292, 2.2480, -4.9620), 1.8731),
    ((35.0831, -44.1164, 3.7933), (35.0232, -40.0716, 1.5901), 1.8645),
    ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
    ((36.4612, 47.8580, 18.3852), (36.2715, 50.5065, 21.2231), 1.4146),
    ((90.8027, -2.0831, 1.4410), (91.1528, -1.6435, 0.0447), 1.4441),
    ((90.9257, -0.5406, -0.9208), (88.6381, -0.8985, -0.7239), 1.5381),
    ((6.7747, -0.2908, -2.4247), (5.8714, -0.0985, -2.2286), 0.6377),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
]

# sRGB (8-bit) -> CIELAB D65, from Bruce Lindbloom's calculator (ColorChecker patches).
LAB_REFERENCE = [
    ((106, 81, 67), (36.657, 8.250, 12.270)),
    ((182, 149, 130), (64.202, 9.433, 14.710)),
    ((103, 122, 154), (50.845, 1.004, -19.450)),
    ((79, 91, 162), (40.818, 15.837, -39.953)),
    ((228, 199, 55), (80.527, -4.273, 70.711)),
    ((122, 121, 120), (50.884, 0.149, 0.710)),
]

OKABE_ITO_ORIGINAL = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2",
                      "#D55E00", "#CC79A7"}


# ------------------------------------------------------------------ colour science
def test_ciede2000_matches_sharmas_published_pairs():
    lab1 = np.array([p[0] for p in SHARMA])
    lab2 = np.array([p[1] for p in SHARMA])
    expected = np.array([p[2] for p in SHARMA])
    np.testing.assert_allclose(palette.ciede2000(lab1, lab2), expected, atol=5e-5)
    np.testing.assert_allclose(palette.ciede2000(lab2, lab1), expected, atol=5e-5)  # symmetric


def test_srgb_to_lab_matches_lindbloom():
    rgb = np.array([r for r, _ in LAB_REFERENCE]) / 255
    np.testing.assert_allclose(palette.rgb_to_lab(rgb), [lab for _, lab in LAB_REFERENCE],
                               atol=0.05)
    np.testing.assert_allclose(palette.rgb_to_lab(np.array([[1.0, 1.0, 1.0]])), [[100, 0, 0]],
                               atol=1e-4)


@pytest.mark.parametrize("deficiency", ["deuteranopia", "protanopia"])
def test_simulation_keeps_greys_and_collapses_red_against_green(deficiency):
    greys = np.linspace(0, 1, 6)[:, None] * np.ones(3)
    np.testing.assert_allclose(palette.simulate(greys, deficiency), greys, atol=1e-4)
    # A red and a green any trichromat tells apart at a glance come within a few units.
    pair = ["#D62728", "#2CA02C"]
    assert palette.pairwise_differences(pair)[0, 1] > 60
    assert palette.pairwise_differences(pair, deficiency)[0, 1] < 25
    # Severity-1 Machado matrices map white to white: rows sum to one.
    np.testing.assert_allclose(palette.CVD_MATRICES[deficiency].sum(axis=1), 1, atol=1e-5)


def test_contrast_ratio_is_wcags():
    assert palette.contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21)
    assert palette.contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert palette.contrast_ratio("#FFFFFF", "#FFFFFF") == pytest.approx(1)


# --------------------------------------------------------------------- the palette
@pytest.mark.parametrize("vision", VISIONS, ids=["normal", "deuteranopia", "protanopia"])
@pytest.mark.parametrize("k", range(2, 13))
def test_every_pair_of_cluster_colours_stays_noticeable(vision, k):
    colors = [charts.cluster_color(j) for j in range(k)]
    differences = palette.pairwise_differences(colors, vision)
    for a, b in itertools.combinations(range(k), 2):
        assert differences[a, b] >= palette.MIN_DIFFERENCE, (vision, colors[a], colors[b],
                                                             differences[a, b])


def test_the_threshold_rejects_the_old_palette():
    # Plotly's D3 colours, used before: blue and purple, orange and green... merge.
    for vision in ("deuteranopia", "protanopia"):
        differences = palette.pairwise_differences(qualitative.D3[:8], vision)
        np.fill_diagonal(differences, np.inf)
        assert differences.min() < palette.MIN_DIFFERENCE / 2


def test_first_eight_are_okabe_ito_with_a_grey_for_black():
    assert set(palette.OKABE_ITO) - {"#666666"} == OKABE_ITO_ORIGINAL - {"#000000"}
    assert len(set(palette.CLUSTER_COLORS)) == 12
    assert palette.OKABE_ITO[-1] == "#F0E442"  # the yellow, faint on white, comes last


def test_colour_and_symbol_never_repeat_together():
    pairs_2d = {(charts.cluster_color(j), palette.cluster_symbol(j)) for j in range(24)}
    assert len(pairs_2d) == 24
    assert len({palette.cluster_symbol(j) for j in range(12)}) == 12  # a symbol per cluster
    pairs_3d = {(charts.cluster_color(j), palette.cluster_symbol(j, True)) for j in range(12)}
    assert len(pairs_3d) == 12


@pytest.mark.parametrize("background", [palette.LIGHT_BACKGROUND, palette.DARK_BACKGROUND])
def test_inks_and_cluster_colours_show_on_both_themes(background):
    for ink in (palette.NEUTRAL, palette.DISAGREE_COLOR):
        assert palette.contrast_ratio(ink, background) >= 3
    for color in palette.CLUSTER_COLORS:
        if color == "#F0E442" and background == palette.LIGHT_BACKGROUND:
            continue  # Okabe–Ito's yellow on white: 1.3:1, the eighth colour for that reason
        assert palette.contrast_ratio(color, background) >= 2, color


def test_the_sequential_scale_keeps_both_ends_visible_on_both_themes():
    ends = []
    for _, color in (charts.SEQUENTIAL[0], charts.SEQUENTIAL[-1]):  # 'rgb(r, g, b)'
        red, green, blue = (int(float(v)) for v in color[4:-1].split(","))
        ends.append(f"#{red:02X}{green:02X}{blue:02X}")
    for end in ends:
        for background in (palette.LIGHT_BACKGROUND, palette.DARK_BACKGROUND):
            assert palette.contrast_ratio(end, background) >= 2, (end, background)
