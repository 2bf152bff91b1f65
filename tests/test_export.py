"""Export to editors: the sequences say the crop path's windows, at its keyframes, at the exact rate."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from reframe.render.compose import _even_rects
from reframe.config import Aspect
from reframe.croppath import CropPath, Shot, SourceRef, _keyframes
from reframe.export import export_path, window_of, xmeml_rate

W, H = 1920, 1080
OUT_W, OUT_H = 1080, 1920


def four_shot_path(fps: Fraction = Fraction(30000, 1001), name: str = "talk.mp4") -> CropPath:
    """A pan, a split, a fit and a zoomed-out follow window, 30 frames each."""
    n = 120
    src = SourceRef(name, W, H, fps, n, n / float(fps))
    w = 607.5
    t = np.arange(30)
    x = np.concatenate([100 + 20 * t, np.full(60, 656.25), 500 + 3 * t])
    win = np.stack([x, np.zeros(n), np.full(n, w), np.full(n, float(H))], axis=1)
    win[90:, 1:] = [-135.0, 759.375, 1350.0]  # zoomed out by 1.25: beyond the picture above and below
    panel_w, panel_h = 720.0, 640.0  # 9:8
    p1 = np.stack([40 + 10 * t, np.full(30, 50.0), np.full(30, panel_w), np.full(30, panel_h)], axis=1)
    p2 = np.stack([1100 - 5 * t, np.full(30, 300.0), np.full(30, panel_w), np.full(30, panel_h)], axis=1)
    shots = (Shot(0, 30, "people"), Shot(30, 60, "people", layout="split"), Shot(60, 90, "people", layout="fit"),
             Shot(90, 120, "people"))
    return CropPath(src, Aspect(9, 16), win, shots, panels={30: np.stack([p1, p2])})


@pytest.fixture
def path_file(tmp_path: Path) -> Path:
    f = tmp_path / "talk.path.json"
    four_shot_path().save(f)
    return f


def values(param: ET.Element) -> tuple[list[int], list[str | tuple[float, float]]]:
    """An FCP 7 parameter's keyframes as (frames, values); a single value has frame None."""
    def read(e: ET.Element):
        v = e.find("value")
        return (float(v.findtext("horiz")), float(v.findtext("vert"))) if v.find("horiz") is not None else float(v.text)

    keys = param.findall("keyframe")
    if not keys:
        return [None], [read(param)]
    return [int(k.findtext("when")) for k in keys], [read(k) for k in keys]


def effect(item: ET.Element, effect_id: str) -> ET.Element | None:
    for e in item.iter("effect"):
        if e.findtext("effectid") == effect_id:
            return e
    return None


def param(eff: ET.Element, pid: str) -> ET.Element:
    return next(p for p in eff.findall("parameter") if p.findtext("parameterid") == pid)


def test_premiere_sequence_says_every_window_at_the_paths_keyframes(path_file, tmp_path):
    path = CropPath.load(path_file)
    dst = tmp_path / "seq.xml"
    result = export_path(path_file, "premiere", dst)
    assert result.width, result.height == (OUT_W, OUT_H)
    assert [w for w in result.warnings if "not found" not in w] == []  # FCP 7 XML can say every layout
    root = ET.parse(dst).getroot()
    assert root.tag == "xmeml" and root.get("version") == "4"
    seq = root.find("sequence")
    assert (seq.findtext("rate/timebase"), seq.findtext("rate/ntsc")) == ("30", "TRUE")
    assert seq.findtext("duration") == "120"
    chars = seq.find("media/video/format/samplecharacteristics")
    assert (chars.findtext("width"), chars.findtext("height")) == ("1080", "1920")
    pathurls = [p.text for p in root.iter("pathurl")]
    url = (tmp_path / "talk.mp4").resolve().as_uri().replace("file://", "file://localhost", 1)
    assert pathurls == [url]  # described once, referred to after
    tracks = seq.findall("media/video/track")
    assert len(tracks) == 3  # blurred backgrounds, the picture or top panel, the second panel
    rects = _even_rects(OUT_W, OUT_H, True)
    checked = 0
    for number, track in enumerate(tracks):
        for item in track.findall("clipitem"):
            start, end = int(item.findtext("start")), int(item.findtext("end"))
            assert (int(item.findtext("in")), int(item.findtext("out"))) == (start, end)
            shot = path.shot_of(start)
            assert (shot.start, shot.end) == (start, end)
            motion = effect(item, "basic")
            frames, scales = values(param(motion, "scale"))
            cframes, centres = values(param(motion, "center"))
            if shot.layout == "split":
                track_windows = path.panels[shot.start][number - 1]
                rect = rects[number - 1]
                expected_frames = [shot.start + f for f in _keyframes(track_windows, 0, len(shot))]
            else:
                track_windows = path.windows[shot.start : shot.end]
                rect = (0, 0, OUT_W, OUT_H)
                expected_frames = _keyframes(path.windows, shot.start, shot.end)
            if cframes != [None]:
                assert cframes == expected_frames  # keyframes exactly where the path has them
            for frame, centre in zip(cframes, centres):
                frame = start if frame is None else frame
                scale = scales[frames.index(frame)] if frame in frames else scales[0]
                k = scale / 100
                dx, dy = centre[0] * OUT_W, centre[1] * OUT_H
                shown = window_of(k, dx, dy, rect, W, H, OUT_W, OUT_H)
                if number == 0:  # the blurred copy: the plain window, inside the picture
                    assert effect(item, "Gaussian Blur") is not None
                    assert shown[3] == pytest.approx(H, abs=0.05) and 0 <= shown[1] + 1e-6
                    continue
                want = path.fit_window() if shot.layout == "fit" else track_windows[frame - shot.start]
                np.testing.assert_allclose(shown, want, atol=0.05)
                checked += 1
            crop = effect(item, "crop")
            if shot.layout == "split":  # each panel cropped to its window
                edges = {e: values(param(crop, e))[1] for e in ("left", "right", "top", "bottom")}
                cf = values(param(crop, "left"))[0]
                for j, frame in enumerate(cf if cf != [None] else [start]):
                    x, y, w, h = track_windows[frame - shot.start]
                    got = [edges[e][min(j, len(edges[e]) - 1)] for e in ("left", "right", "top", "bottom")]
                    np.testing.assert_allclose(got, [100 * x / W, 100 * (W - x - w) / W, 100 * y / H,
                                                     100 * (H - y - h) / H], atol=1e-3)
    assert checked == 9  # 2 keyframes each: the pan, both panels, the zoomed window; one fit value


def test_fcpxml_positions_and_scales_give_back_the_windows(path_file, tmp_path):
    path = CropPath.load(path_file)
    dst = tmp_path / "seq.fcpxml"
    result = export_path(path_file, "fcpxml", dst)
    warned = [w for w in result.warnings if "not found" not in w]
    assert any("split shot(s) 2 " in w for w in warned)
    assert any("shot(s) 3, 4 show the picture over black" in w for w in warned)
    root = ET.parse(dst).getroot()
    assert root.tag == "fcpxml" and root.get("version") == "1.10"
    formats = {f.get("id"): f for f in root.iter("format")}
    seq = root.find("library/event/project/sequence")
    out = formats[seq.get("format")]
    assert (out.get("width"), out.get("height"), out.get("frameDuration")) == ("1080", "1920", "1001/30000s")
    asset = root.find("resources/asset")
    assert asset.find("media-rep").get("src") == (tmp_path / "talk.mp4").resolve().as_uri()
    clips = seq.findall("spine/asset-clip")
    assert len(clips) == len(path.shots)
    fps = Fraction(30000, 1001)

    def frames(t: str) -> int:
        f = Fraction(t.rstrip("s")) * fps
        assert f.denominator == 1, t  # whole frames, exact
        return int(f)

    for clip, shot in zip(clips, path.shots):
        assert (frames(clip.get("offset")), frames(clip.get("start")), frames(clip.get("duration"))) == (
            shot.start, shot.start, len(shot))
        assert clip.find("adjust-conform").get("type") == "none"
        transform = clip.find("adjust-transform")
        keys = transform.findall("param[@name='position']/keyframeAnimation/keyframe")
        scale = float(transform.get("scale").split()[0])
        pairs = [(frames(k.get("time")), k.get("value")) for k in keys] or [(shot.start, transform.get("position"))]
        if keys:
            assert [f for f, _ in pairs] == _keyframes(path.windows, shot.start, shot.end)
        for frame, value in pairs:
            px, py = (float(v) for v in value.split())
            dx, dy = px / 100 * OUT_H, -py / 100 * OUT_H
            shown = window_of(scale, dx, dy, (0, 0, OUT_W, OUT_H), W, H, OUT_W, OUT_H)
            want = path.fit_window() if shot.layout == "fit" else path.windows[frame]
            np.testing.assert_allclose(shown, want, atol=0.05)


def test_rates_are_exact_or_said_to_be_approximated():
    assert xmeml_rate(Fraction(24000, 1001)) == (24, True, True)
    assert xmeml_rate(Fraction(60000, 1001)) == (60, True, True)
    assert xmeml_rate(Fraction(50)) == (50, False, True)
    assert xmeml_rate(Fraction(15, 2))[2] is False


def test_opentimelineio_reads_both_files(tmp_path):
    otio = pytest.importorskip("opentimelineio")
    f = tmp_path / "talk.path.json"
    path = four_shot_path(fps=Fraction(25))  # the FCPXML reader rounds NTSC rates to whole frames
    path.save(f)
    export_path(f, "premiere", tmp_path / "a.xml")
    export_path(f, "fcpxml", tmp_path / "a.fcpxml")
    lengths = [len(s) for s in path.shots]
    try:
        premiere = otio.adapters.read_from_file(str(tmp_path / "a.xml"), adapter_name="fcp_xml")
        fcpx = otio.adapters.read_from_file(str(tmp_path / "a.fcpxml"), adapter_name="fcpx_xml")
    except ValueError as e:  # adapter plugin not installed
        pytest.skip(str(e))
    tracks = [[c for c in t if isinstance(c, otio.schema.Clip)] for t in premiere.tracks]
    assert [len(t) for t in tracks] == [2, 4, 1]  # backgrounds of shots 3 and 4; every shot; the second panel
    assert [c.source_range.duration.to_frames() for c in tracks[1]] == lengths
    assert premiere.duration().to_frames() == 120
    timeline = fcpx[0] if not hasattr(fcpx, "tracks") else fcpx
    clips = [c for t in timeline.tracks for c in t if isinstance(c, otio.schema.Clip)]
    assert [c.source_range.duration.to_frames() for c in clips] == lengths
    assert [c.source_range.start_time.to_frames() for c in clips] == [s.start for s in path.shots]


def test_a_real_source_adds_its_audio_and_must_match(still_face_clip, tmp_path):
    import reframe

    info = reframe.probe(still_face_clip.path)
    f = tmp_path / "still.path.json"
    CropPath.centered(SourceRef.from_info(info), "9:16").save(f)
    result = export_path(f, "premiere", tmp_path / "a.xml", source=still_face_clip.path)
    assert result.warnings == ()
    root = ET.parse(tmp_path / "a.xml").getroot()
    assert root.findtext("sequence/rate/timebase") == "25" and root.findtext("sequence/rate/ntsc") == "FALSE"
    assert len(root.findall("sequence/media/audio/track/clipitem")) == 1
    export_path(f, "fcpxml", tmp_path / "a.fcpxml", source=still_face_clip.path)
    asset = ET.parse(tmp_path / "a.fcpxml").getroot().find("resources/asset")
    assert asset.get("hasAudio") == "1"
    other = tmp_path / "other.path.json"
    CropPath.centered(SourceRef("x.mp4", 1920, 1080, Fraction(25), 10, 0.4), "9:16").save(other)
    run = subprocess.run(
        [sys.executable, "-m", "reframe", "export", str(other), "--to", "fcpxml", "-o", str(tmp_path / "b.xml"),
         "--source", str(still_face_clip.path)], capture_output=True, text=True,
    )
    assert run.returncode == 6 and "planned for" in run.stderr
    assert not (tmp_path / "b.xml").exists()


@pytest.mark.slow  # command-line runs
def test_cli_prints_one_line_per_warning_and_refuses_to_overwrite(path_file, tmp_path):
    dst = tmp_path / "seq.fcpxml"
    cmd = [sys.executable, "-m", "reframe", "export", str(path_file), "--to", "fcpxml", "-o", str(dst)]
    run = subprocess.run(cmd, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    lines = run.stderr.strip().splitlines()
    assert sum(line.startswith("reframe: warning: ") for line in lines) == 3  # no source, split, over black
    assert lines[-1].startswith(f"wrote {dst}")
    again = subprocess.run(cmd, capture_output=True, text=True)
    assert again.returncode == 5
    bad = subprocess.run(cmd[:6] + ["avid", "-o", str(tmp_path / "x.xml")], capture_output=True, text=True)
    assert bad.returncode == 2 and "not one of" in bad.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seq.fcpxml", "talk.path.json"]
