import re

import pytest

from layers.palettes import (
    BIVARIATE_3X3,
    NO_DATA_COLOUR,
    NO_DATA_HATCH,
    PALETTES,
    get_palette,
    palette_names,
    text_colour_for,
)

HEX = re.compile(r"^#[0-9a-f]{6}$")


@pytest.mark.parametrize("name", list(PALETTES))
@pytest.mark.parametrize("k", range(3, 10))
def test_every_palette_has_k_valid_hex_colours(name, k):
    colours = get_palette(name, k)
    assert len(colours) == k
    assert all(HEX.match(c) for c in colours)
    assert len(set(colours)) == k


def test_registry_metadata():
    assert set(palette_names("sequential")) == {
        "YlGnBu", "Blues", "Greens", "Oranges", "Purples", "YlOrRd", "viridis", "cividis",
    }
    assert set(palette_names("diverging")) == {"RdBu", "PuOr", "BrBG"}
    assert palette_names() == list(PALETTES)
    for name, info in PALETTES.items():
        assert info.name == name
        assert info.kind in ("sequential", "diverging")
        assert info.colour_blind_safe is True
        assert info.class_counts == tuple(range(3, 10))


def test_colorbrewer_lists_are_exact_per_k():
    assert get_palette("Blues", 3) == ["#deebf7", "#9ecae1", "#3182bd"]
    assert get_palette("YlGnBu", 9)[0] == "#ffffd9"
    assert get_palette("YlGnBu", 9)[-1] == "#081d58"
    assert get_palette("RdBu", 3) == ["#ef8a62", "#f7f7f7", "#67a9cf"]
    assert get_palette("RdBu", 9)[4] == "#f7f7f7"


def test_reverse_and_case_insensitive_lookup():
    assert get_palette("rdbu", 5, reverse=True) == get_palette("RdBu", 5)[::-1]


def test_returned_list_is_a_copy():
    colours = get_palette("Greens", 4)
    colours[0] = "#000000"
    assert get_palette("Greens", 4)[0] != "#000000"


def test_unknown_palette_lists_valid_names():
    with pytest.raises(ValueError) as err:
        get_palette("Rainbow", 5)
    for name in PALETTES:
        assert name in str(err.value)


@pytest.mark.parametrize("k", [0, 2, 10, 3.0, True])
def test_out_of_range_k(k):
    with pytest.raises(ValueError):
        get_palette("Blues", k)


def test_unknown_kind():
    with pytest.raises(ValueError, match="sequential"):
        palette_names("qualitative")


def test_bivariate_is_3x3_with_distinct_corners():
    assert len(BIVARIATE_3X3) == 3 and all(len(row) == 3 for row in BIVARIATE_3X3)
    flat = [c for row in BIVARIATE_3X3 for c in row]
    assert all(HEX.match(c) for c in flat)
    assert len(set(flat)) == 9
    assert BIVARIATE_3X3[0][0] == "#e8e8e8"
    assert BIVARIATE_3X3[2][2] == "#3b4994"


def test_no_data_colour_is_grey_and_not_in_any_palette():
    r, g, b = (int(NO_DATA_COLOUR[i : i + 2], 16) for i in (1, 3, 5))
    assert r == g == b and r > 180
    assert NO_DATA_HATCH
    for info in PALETTES.values():
        for colours in info.colours.values():
            assert NO_DATA_COLOUR not in colours


@pytest.mark.parametrize(
    "colour, expected",
    [
        ("#000000", "#ffffff"),
        ("#ffffff", "#000000"),
        ("#081d58", "#ffffff"),
        ("#ffffd9", "#000000"),
        ("#fde725", "#000000"),
        ("#440154", "#ffffff"),
        ("FFF", "#000000"),
    ],
)
def test_text_colour_for(colour, expected):
    assert text_colour_for(colour) == expected


def test_text_colour_for_rejects_garbage():
    with pytest.raises(ValueError):
        text_colour_for("blue")
