"""Headless snapshots and trajectory export (CSV, JSON), round-tripped into numpy."""

import json

import numpy as np
import pytest

from .conftest import BASE, gdtui_process


def test_snapshot_svg_and_txt_are_deterministic(gdtui, tmp_path):
    for ext in ("svg", "txt"):
        a, b = tmp_path / f"a.{ext}", tmp_path / f"b.{ext}"
        assert gdtui("snapshot", "bowl", "--steps", "30", "--out", a).code == 0
        assert gdtui("snapshot", "bowl", "--steps", "30", "--out", b).code == 0
        assert a.read_bytes() == b.read_bytes() and len(a.read_bytes()) > 2000
    text = (tmp_path / "a.txt").read_text()
    assert "The elongated bowl" in text and "step 30/200" in text and "Momentum tuned" in text


def test_snapshot_size_and_select(gdtui, tmp_path):
    out = tmp_path / "s.txt"
    assert gdtui("snapshot", "ravine", "--steps", "5", "--size", "100x30", "--select", "Adam", "--out", out).code == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 30 and max(len(line) for line in lines) <= 100
    assert any("★ Adam" in line and "adam, batch 32" in line for line in lines)  # the inspector shows Adam


@pytest.mark.parametrize("argv,expected", [
    (["snapshot", "bowl", "--out", "x.png"], "x.png: the output must end in .svg or .txt"),
    (["snapshot", "bowl", "--select", "Nobody", "--out", "x.svg"], "--select: no run 'Nobody'"),
    (["snapshot", "bowl", "--size", "big", "--out", "x.svg"], "argument --size: expected COLSxROWS"),
    (["snapshot", "bowl"], "the following arguments are required: --out"),
    (["play", "bowl", "--headless"], "--headless and --frames N go together"),
    (["play", "bowl", "--frames", "3"], "--headless and --frames N go together"),
])
def test_bad_snapshot_and_play_flags(gdtui, argv, expected):
    r = gdtui(*argv)
    assert r.code == 2 and expected in r.err and len(r.err.strip().splitlines()) == 1


def test_play_headless_frames(tmp_path):
    r = gdtui_process("play", "bowl", "--headless", "--frames", "5", "--size", "100x30", cwd=tmp_path)
    assert r.code == 0 and r.out.startswith("5 frames at 100x30: median")


def test_trajectory_round_trips_from_csv_and_json(gdtui, tmp_path):
    csv_path, json_path = tmp_path / "run.csv", tmp_path / "run.json"
    assert gdtui("run", "ravine", "--steps", "20", "--csv", csv_path).code == 0
    json_path.write_text(gdtui("run", "ravine", "--steps", "20", "--json", "--history").out)
    # the one-liners of the README
    data = np.genfromtxt(csv_path, delimiter=",", names=True, dtype=None, encoding=None)
    path = np.array(json.load(open(json_path))["runs"][0]["trajectory"])
    gd = data[data["run"] == "GD"]
    assert path.shape == (21, 2)
    np.testing.assert_array_equal(np.column_stack([gd["w"], gd["b"]]), path)
    assert path[0].tolist() == [-2.0, 2.5]


def test_an_svg_is_valid_xml_whatever_the_text(gdtui, tmp_path):
    """Markup characters and characters beyond the BMP in a title and run names; and, by
    construction, characters XML forbids outright (validation refuses them in a scenario)."""
    import xml.etree.ElementTree as ET

    from gdtui.ui.snapshot import svg_file

    scenario = tmp_path / "odd.toml"
    scenario.write_text(BASE.replace('title = "t"', 'title = "<b>&amp; \\"quoted\\" \'x\' 📉 </svg>"')
                        .replace('name = "GD"', 'name = "G&D <1> 🚀"'), encoding="utf-8")
    out = tmp_path / "odd.svg"
    assert gdtui("snapshot", scenario, "--steps", "5", "--out", out).code == 0
    root = ET.parse(out).getroot()
    text = "".join(root.itertext())
    assert "<b>&amp;" in text and "G&D" in text and "🚀" in text
    forbidden = svg_file('<svg a="1"><text>bell\x07 esc\x1b nul\x00 \ufffe \ud800 tab\tok</text></svg>')
    assert ET.fromstring(forbidden).find("text").text == "bell\ufffd esc\ufffd nul\ufffd \ufffd \ufffd tab\tok"
