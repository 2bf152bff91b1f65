"""The public API: one name per operation, source first, configs; old names warn and still work."""

from __future__ import annotations

import importlib
import inspect
import re
import subprocess
import sys
import typing
from pathlib import Path

import numpy as np
import pytest
from test_plan import analysis

import reframe
from reframe.config import MOTIONS, AnalyzeConfig, MotionName, PlanConfig, RenderConfig
from reframe.errors import InputError

CLIP = analysis(100, lambda f: [600 + 2 * f])


def test_import_reframe_loads_no_detector_or_codec_library():
    code = "import sys, reframe; print(' '.join(m for m in ('cv2', 'mediapipe', 'av') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_every_exported_name_resolves_and_operations_stay_functions():
    for name in reframe.__all__:
        assert getattr(reframe, name) is not None, name
    for module in ("analyze", "plan", "render", "probe"):  # submodules named like the operations
        __import__(f"reframe.{module}")

    for name in ("probe", "analyze", "plan", "render", "convert"):
        assert inspect.isfunction(getattr(reframe, name)), name


# Names in annotations that are not reframe's own types (Box: a plain tuple alias).
_FOREIGN = {"None", "ForwardRef", "Box", "Path", "PathLike", "Mapping", "Sequence", "Iterable", "Callable", "Fraction", "Traversable"}


def _annotation_names(obj) -> set[str]:
    if inspect.isclass(obj):
        hints = [str(p.annotation) for p in inspect.signature(obj).parameters.values()]
    else:
        sig = inspect.signature(obj)
        hints = [str(p.annotation) for p in sig.parameters.values()] + [str(sig.return_annotation)]
    names = set()
    for hint in hints:
        names |= {n for n in re.findall(r"(?<![.\w])([A-Z]\w*)", hint) if n not in _FOREIGN}
    return names


def test_everything_a_public_signature_mentions_is_exported():
    missing = {}
    for name in reframe.__all__:
        obj = getattr(reframe, name)
        if callable(obj) and not isinstance(obj, typing._SpecialForm) and not name.startswith("_"):
            try:
                names = _annotation_names(obj)
            except (TypeError, ValueError):
                continue
            if names - set(reframe.__all__):
                missing[name] = sorted(names - set(reframe.__all__))
    assert not missing


def test_settings_choices_are_the_literal_types():
    assert set(typing.get_args(MotionName)) == set(MOTIONS)
    assert PlanConfig.__dataclass_fields__["layout"].type == "Layout"
    with pytest.raises(reframe.UsageError):
        PlanConfig(layout="spiral")


def test_cli_defaults_are_the_configs():
    from reframe import cli

    signature = inspect.signature(cli.convert)
    assert signature.parameters["crf"].default == RenderConfig().crf
    assert signature.parameters["motion"].default == PlanConfig().motion
    assert signature.parameters["aspect"].default == str(PlanConfig().aspect)
    assert inspect.signature(cli.plan).parameters["zoom_max"].default == PlanConfig().zoom_max


def test_plan_takes_an_analysis_first_and_matches_the_planner():
    from reframe.plan import Planner

    config = PlanConfig(aspect="4:5")
    path = reframe.plan(CLIP, config)
    np.testing.assert_array_equal(path.windows, Planner(config).run(CLIP).windows)


def test_old_plan_names_warn_and_still_work(monkeypatch):
    pipeline = importlib.import_module("reframe.pipeline")
    from reframe.plan import plan as old_plan

    want = reframe.plan(CLIP).windows
    with pytest.warns(DeprecationWarning, match="reframe.plan"):
        np.testing.assert_array_equal(old_plan(CLIP).windows, want)
    monkeypatch.setattr(pipeline, "analyze", lambda src, config, progress=None, **kw: CLIP)
    with pytest.warns(DeprecationWarning, match="plan_file"):
        np.testing.assert_array_equal(reframe.plan_file("clip.mp4").windows, want)


class _FakeAnalyzer:
    def __init__(self, config=AnalyzeConfig()):
        self.config = config

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def run(self, info, progress=None):
        return ("analysed", info, self.config)


def test_old_analyze_names_warn_and_still_work(monkeypatch):
    stage = importlib.import_module("reframe.analyze")

    monkeypatch.setattr(stage, "Analyzer", _FakeAnalyzer)
    info = CLIP.info
    config = AnalyzeConfig(sample_fps=4)
    assert reframe.analyze(info, config) == ("analysed", info, config)
    with pytest.warns(DeprecationWarning, match="analyze_file"):
        assert reframe.analyze_file(info, config) == ("analysed", info, config)
    with pytest.warns(DeprecationWarning, match="reframe.analyze.analyze"):
        assert stage.analyze(info, config) == ("analysed", info, config)


def test_render_with_the_crop_path_first_warns_and_still_works(monkeypatch):
    stage = importlib.import_module("reframe.render")

    calls = []

    def render_many(src, targets, config, progress, info=None):
        calls.append((src, list(targets)))
        return ["result"] * len(targets)

    monkeypatch.setattr(stage, "render_many", render_many)
    path = reframe.plan(CLIP)
    assert reframe.render("in.mp4", path, "out.mp4") == "result"
    with pytest.warns(DeprecationWarning, match="render"):
        reframe.render(path, "in.mp4", "out.mp4")
    assert calls == [("in.mp4", [(path, "out.mp4")])] * 2


def test_render_many_with_the_targets_first_warns_and_still_works(tmp_path):
    # The real function: a missing source named in the error shows the arguments were swapped back.
    targets = [(reframe.plan(CLIP), tmp_path / "out.mp4")]
    missing = tmp_path / "missing.mp4"
    with pytest.raises(InputError, match="missing.mp4"):
        reframe.render_many(missing, targets)
    with pytest.warns(DeprecationWarning, match="render_many"), pytest.raises(InputError, match="missing.mp4"):
        reframe.render_many(targets, missing)
    assert not (tmp_path / "out.mp4").exists()


@pytest.fixture
def staged(monkeypatch, tmp_path):
    """convert with its stages replaced: records the configs and outputs it gets."""
    pipeline = importlib.import_module("reframe.pipeline")
    stage = importlib.import_module("reframe.render")

    seen = {}
    monkeypatch.setattr(pipeline, "probe", lambda src: CLIP.info)
    monkeypatch.setattr(pipeline, "analyze", lambda info, config, progress=None, analyzer=None:
                        seen.setdefault("analyze", config) and CLIP)
    monkeypatch.setattr(stage, "check_encoder", lambda encoder: None)

    def render_many(src, planned, config, progress, info=None):
        seen["render"] = config
        seen["outputs"] = {str(p.aspect): Path(dst).name for p, dst in planned}
        return [f"result {Path(dst).name}" for _, dst in planned]

    monkeypatch.setattr(stage, "render_many", render_many)
    src = tmp_path / "in.mp4"
    src.write_bytes(b"")
    return src, seen


def test_convert_takes_configs_and_one_or_several_outputs(staged, tmp_path):
    src, seen = staged
    config = RenderConfig(crf=30)
    assert reframe.convert(src, tmp_path / "o.mp4", plan_config=PlanConfig(aspect="4:5"), render_config=config) == [
        "result o.mp4"
    ]
    assert seen["outputs"] == {"4:5": "o.mp4"} and seen["render"] == config
    results = reframe.convert(src, {"9:16": tmp_path / "a.mp4", "1:1": tmp_path / "b.mp4"})
    assert results == ["result a.mp4", "result b.mp4"]


def test_old_convert_keywords_and_reframe_warn_and_still_work(staged, tmp_path):
    src, seen = staged
    with pytest.warns(DeprecationWarning, match="convert"):
        reframe.convert(src, {"9:16": tmp_path / "a.mp4"}, crf=25, sample_fps=4.0,
                        save_paths={"9:16": tmp_path / "a.json"})
    assert seen["render"].crf == 25 and seen["analyze"].sample_fps == 4.0
    assert (tmp_path / "a.json").is_file()
    seen.clear()
    with pytest.warns(DeprecationWarning, match="reframe.reframe"):
        result = reframe.reframe(src, tmp_path / "r.mp4", aspect="1:1", preset="medium")
    assert result == "result r.mp4" and seen["outputs"] == {"1:1": "r.mp4"} and seen["render"].preset == "medium"
    with pytest.raises(reframe.UsageError, match="unknown option"):
        with pytest.warns(DeprecationWarning):
            reframe.convert(src, tmp_path / "x.mp4", colour="red")


def test_old_options_keep_the_motion_presets(staged, tmp_path):
    src, seen = staged
    with pytest.warns(DeprecationWarning):
        reframe.convert(src, tmp_path / "m.mp4", motion="lively")
    from reframe.pipeline import _configs

    assert _configs({"motion": "lively"}, "9:16")[1] == PlanConfig(motion="lively")
