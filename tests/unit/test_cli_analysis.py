"""The command line writes views of the Analysis page as the page draws them, or says why not."""
from __future__ import annotations

import pytest

from exports import cli
from exports.compose import compose

pytest.importorskip("matplotlib")

HOT_STATES = "page=analysis&an_view=hotspots&level=state&measure=per_capita&an_perm=99"


@pytest.fixture
def drawn(monkeypatch):
    """The figures the exporter encodes (to read their texts, not their pixels)."""
    from exports import maps

    figures = []
    real = maps.to_bytes

    def spy(snap, fmt, dpi=None):
        figures.append(snap.figure)
        return real(snap, fmt, dpi)

    monkeypatch.setattr(maps, "to_bytes", spy)
    return figures


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]


def test_the_hot_spots_of_the_states_as_png_and_pdf(us, tmp_path, drawn, capsys):
    png, pdf = tmp_path / "hot.png", tmp_path / "hot.pdf"
    assert cli.main(["-w", "us_federal", "--query", HOT_STATES, "-f", "png", "--dpi", "150",
                     "-o", str(png)]) == 0, capsys.readouterr().err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    texts = _texts(drawn[0])
    c = compose(us, dict(p.split("=") for p in HOT_STATES.split("&")))
    assert c.title in texts and c.subtitle in texts
    for entry in c.view.legend:          # every cluster with its count, as on the screen
        assert f"{entry.label}  ({entry.count:,})" in texts
    assert any(t.startswith("Local Moran's I (LISA) with queen contiguity") and
               "99 conditional permutations" in t for t in texts)     # under the map
    assert cli.main(["-w", "us_federal", "--query", HOT_STATES + "&an_stat=gi", "-f", "pdf",
                     "-o", str(pdf)]) == 0
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert any("Gi* hot and cold spots" in t for t in _texts(drawn[1]))


def test_a_value_the_page_does_not_offer_writes_nothing(tmp_path, capsys):
    out = tmp_path / "x.png"
    assert cli.main(["-w", "us_federal", "--query", HOT_STATES + "&an_alpha=0.2", "-f", "png",
                     "-o", str(out)]) == 1
    assert not out.exists()
    assert "an_alpha='0.2': not available here (valid: one of 0.1, 0.05, 0.01)" in \
        capsys.readouterr().err


def test_a_method_that_refuses_the_data_says_why(tmp_path, capsys):
    out = tmp_path / "x.png"
    q = "page=analysis&an_view=hotspots&an_stat=gi&level=state&measure=change"
    assert cli.main(["-w", "us_federal", "--query", q, "-f", "png", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "an_view='hotspots': Getis-Ord Gi* needs values of zero or more" in err
    assert "(valid:" not in err and not out.exists()


def test_the_help_shows_an_analysis_example(capsys):
    assert cli.main(["--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "page=analysis&an_view=hotspots&level=county&measure=per_capita" in out
