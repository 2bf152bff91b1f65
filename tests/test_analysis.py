"""The analysis as a file: saved, loaded back equal, planned identically."""

import json
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from reframe.analysis import FORMAT, VERSION, Analysis
from reframe.config import PlanConfig
from reframe.detections import Detections, Kind
from reframe.errors import AnalysisFileError
from reframe.plan import Planner
from reframe.probe import AudioStreamInfo, VideoInfo
from reframe.subtitles import SubtitleBand
from reframe.transitions import Transition

W, H = 1920, 1080
FPS = Fraction(30000, 1001)


def hand_built() -> Analysis:
    n = 240
    info = VideoInfo(
        path=Path("/videos/talk.mp4"), width=W, height=H, coded_width=W, coded_height=H, rotation=0,
        sar=Fraction(1), fps=FPS, time_base=Fraction(1, 30000), frame_count=n, duration=n / float(FPS),
        start_time=0.0, codec="h264", pix_fmt="yuv420p", timestamps=np.arange(n) * 1001 / 30000,
        audio=(AudioStreamInfo(1, "aac", 2, 48000, "eng", True, 0.0),),
    )
    rng = np.random.default_rng(3)
    samples = {}
    for f in range(0, n, 6):
        x = 500 + 3 * f + rng.normal(0, 2)
        samples[f] = Detections(
            np.array([[x, 200.3, x + 161.7, 391.1], [1300.25, 150, 1420.5, 330], [100, 900, 700, 960]]),
            np.array([0.91, 0.83, 0.6]),
            np.array([Kind.FACE, Kind.FACE, Kind.TEXT]),
            np.array([rng.uniform(0, 1), np.nan, np.nan]),
        )
    samples[121] = Detections.empty()  # a sample where nothing was found is kept
    return Analysis(
        info, (120,), samples, content=(0.0, 140.0, 1920.0, 800.0),
        speech={f: round(float(rng.uniform()), 3) for f in samples},
        subtitles=(SubtitleBand(30, 95, (412.5, 880.0, 1095.0, 96.4)),),
        transitions=(Transition(200, 212, "dissolve"),),
    )


def test_a_hand_built_analysis_round_trips_equal_and_plans_identically(tmp_path):
    a = hand_built()
    b = Analysis.from_json(a.to_json())
    assert b == a
    assert b.info.audio == a.info.audio and b.info.path == a.info.path
    a.save(tmp_path / "talk.analysis.json")
    c = Analysis.load(tmp_path / "talk.analysis.json")
    assert c == a
    assert [p.name for p in tmp_path.iterdir()] == ["talk.analysis.json"]  # no partial file left
    for config in (PlanConfig(), PlanConfig(aspect="4:5", layout="follow")):
        before, after = Planner(config).run(a), Planner(config).run(c)
        assert after == before
        assert after.to_json(with_detections=True) == before.to_json(with_detections=True)


def test_equality_sees_every_part():
    a = hand_built()
    moved = dict(a.samples)
    moved[6] = moved[6].scaled(1.0001)
    assert replace(a, samples=moved) != a
    assert replace(a, speech=None) != a
    assert replace(a, cuts=(121,)) != a
    assert replace(a, info=replace(a.info, timestamps=a.info.timestamps + 1e-6)) != a


def test_unknown_format_version_and_malformed_files_are_refused(tmp_path):
    data = hand_built().to_dict()
    with pytest.raises(AnalysisFileError, match="not a reframe analysis"):
        Analysis.from_dict({**data, "format": "reframe.croppath"})
    with pytest.raises(AnalysisFileError, match=f"version {VERSION + 1} is not supported"):
        Analysis.from_dict({**data, "version": VERSION + 1})
    with pytest.raises(AnalysisFileError, match="malformed"):
        Analysis.from_dict({k: v for k, v in data.items() if k != "samples"})
    with pytest.raises(AnalysisFileError, match="not valid JSON"):
        Analysis.from_json("{")
    with pytest.raises(AnalysisFileError, match="cannot read"):
        Analysis.load(tmp_path / "missing.json")
    assert data["format"] == FORMAT and json.loads(json.dumps(data)) == data


def test_an_analysis_of_another_video_is_refused():
    a = hand_built()
    a.check_video(a.info)
    with pytest.raises(AnalysisFileError, match="240 frames"):
        a.check_video(replace(a.info, frame_count=300))


@pytest.mark.slow
def test_a_real_analysis_round_trips_equal_and_plans_identically(clip_with_cut, tmp_path):
    from reframe import analyze

    a = analyze(clip_with_cut.path)
    assert a.speech is not None and a.cuts and any(len(d) for d in a.samples.values())
    a.save(tmp_path / "a.json")
    b = Analysis.load(tmp_path / "a.json")
    assert b == a
    before, after = Planner(PlanConfig()).run(a), Planner(PlanConfig()).run(b)
    assert after == before
    assert after.to_json(with_detections=True) == before.to_json(with_detections=True)
