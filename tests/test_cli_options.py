"""The options several commands share: offered with the configs' defaults, and built into the configs
the commands receive. In process, with the library call replaced: no video is read."""

from __future__ import annotations

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from reframe.cli import app
from reframe.config import PlanConfig, RenderConfig
from reframe.overrides import Overrides

RENDER_OPTIONS = ("size", "crf", "preset", "encoder", "audio_tracks")
PLAN_OPTIONS = ("aspect", "motion", "layout", "zoom_max", "subtitles")


def offered(command: str) -> dict:
    return {p.name: p for p in get_command(app).commands[command].params}


@pytest.fixture
def cli(monkeypatch):
    monkeypatch.setenv("REFRAME_DEBUG", "1")  # keeps this process's stderr where it is

    def invoke(*args: str):
        return CliRunner().invoke(app, [str(a) for a in args])

    return invoke


@pytest.mark.parametrize("command", ["convert", "render", "batch"])
def test_the_render_options_are_offered_with_the_configs_defaults(command):
    options = offered(command)
    for name in RENDER_OPTIONS:
        assert options[name].default == getattr(RenderConfig(), name), name


@pytest.mark.parametrize(
    "command, left_out", [("plan", ()), ("analyze", ()), ("convert", ()), ("batch", ()),
                          ("preview", ("subtitles",)), ("review", ("subtitles",))],
)
def test_the_plan_options_are_offered_with_the_configs_defaults(command, left_out):
    options = offered(command)
    for name in PLAN_OPTIONS:
        if name in left_out:
            assert name not in options
        elif name == "aspect":  # convert and batch take several, in the same text
            assert str(options[name].default) == str(PlanConfig().aspect)
        else:
            assert options[name].default == getattr(PlanConfig(), name), name


def test_convert_receives_the_configs_its_options_build(cli, monkeypatch, tmp_path):
    seen = {}

    def convert(src, outputs, **kwargs):
        seen.update(kwargs, outputs=outputs)
        return []

    monkeypatch.setattr("reframe.pipeline.convert", convert)
    res = cli("convert", "in.mp4", "-o", tmp_path / "o.mp4", "-a", "4:5", "-s", "720x900", "--crf", "30",
              "--audio-tracks", "all", "-m", "lively", "--zoom-max", "1", "--subtitles", "keep",
              "--pin", "1.5=20,30", "--shot", "0=fit", "-y", "-q")
    assert res.exit_code == 0, res.output
    assert seen["plan_config"] == PlanConfig(aspect="4:5", motion="lively", zoom_max=1.0, subtitles="keep")
    assert seen["render_config"] == RenderConfig(size=(720, 900), crf=30, audio_tracks="all", overwrite=True)
    assert seen["overrides"] == Overrides.parse(["1.5=20,30"], ["0=fit"])
    assert list(seen["outputs"].values()) == [tmp_path / "o.mp4"]


def test_the_defaults_build_the_default_configs(cli, monkeypatch, tmp_path):
    seen = {}

    def run_batch(sources, out, settings, **kwargs):
        seen["settings"] = settings
        raise KeyboardInterrupt  # enough seen

    monkeypatch.setattr("reframe.batch.run_batch", run_batch)
    res = cli("batch", "in.mp4", "-o", tmp_path)
    assert res.exit_code != 0
    assert seen["settings"].plan == PlanConfig()
    assert seen["settings"].render == RenderConfig()


@pytest.mark.parametrize(
    "args, word",
    [(("plan", "in.mp4", "-o", "p.json", "--motion", "bogus"), "motion"),
     (("render", "in.mp4", "-p", "p.json", "-o", "o.mp4", "--crf", "99"), "crf"),
     (("convert", "in.mp4", "-o", "o.mp4", "--pin", "soon"), "--pin"),
     (("preview", "in.mp4", "-o", "o", "--zoom-max", "5"), "zoom_max")],
)
def test_a_bad_option_value_is_one_line_before_the_input_is_read(cli, args, word):
    res = cli(*args)  # in.mp4 does not exist: the option is refused first
    assert res.exit_code == 2
    assert res.stderr.count("\n") == 1 and res.stderr.startswith("reframe: error: ") and word in res.stderr
