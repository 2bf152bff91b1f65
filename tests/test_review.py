"""The review page's JSON API, without a browser: every correction, save, render, and bad requests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import numpy as np
import pytest
from starlette.testclient import TestClient

from reframe.analyze import Analysis
from reframe.croppath import CropPath
from reframe.detections import Detections
from reframe.plan import Planner
from reframe.probe import probe
from reframe.review.app import create_app
from reframe.review.session import Refused, Review
from reframe.testing import media

TOKEN = "test-token"


@pytest.fixture(scope="module")
def pair(synthetic_media_dir):
    """3 s, 640x360: two people far apart, a cut at frame 38."""
    return media.two_people(synthetic_media_dir / "review_pair.mp4", seconds=3.0, shots=((0.17, 0.83), (0.2, 0.8)))


def planned(pair) -> CropPath:
    """The clip's crop path planned on its true head boxes (no detector run)."""
    info = probe(pair.path)
    samples = {}
    for f in [*range(0, info.frame_count, 5), *pair.cut_frames]:
        x, y, w, h = pair.head_boxes[f].T
        samples[f] = Detections(np.stack([x, y, x + w, y + h], 1), np.full(2, 0.9), np.zeros(2))
    return Planner().run(Analysis(info, pair.cut_frames, samples))


@pytest.fixture(scope="module")
def pair_crop_path(pair) -> CropPath:
    """:func:`planned` once for the module: every review loads its own copy from its file."""
    return planned(pair)


@pytest.fixture
def review(pair_crop_path, pair, tmp_path):
    pair_crop_path.save(tmp_path / "clip.path.json", with_detections=True)
    session = Review(probe(pair.path), CropPath.load(tmp_path / "clip.path.json"),
                     save_to=tmp_path / "clip.path.json", output=tmp_path / "clip_vertical.mp4")
    yield session
    session.close()


@pytest.fixture
def client(review):
    with TestClient(create_app(review, TOKEN), headers={"X-Reframe-Token": TOKEN}) as c:
        yield c


def right_head(pair, frame: int) -> tuple[float, float]:
    x, y, w, h = pair.head_boxes[frame, 1]
    return float(x + w / 2), float(y + h / 2)


def test_the_page_its_code_and_the_path_are_served(client, pair):
    page = client.get("/", params={"token": TOKEN})
    assert page.status_code == 200 and "review.js" in page.text and "review_pair.mp4" in page.text
    assert "http://" not in page.text and "https://" not in page.text  # nothing fetched from elsewhere
    for name in ("/review.js", "/review.css"):
        code = client.get(name, headers={"X-Reframe-Token": ""})
        assert code.status_code == 200 and "https://" not in code.text and "http://" not in code.text
    view = client.get("/api/path").json()
    assert view["path"]["source"]["name"] == "review_pair.mp4"
    assert len(view["windows"]) == len(view["times"]) == 75
    assert [s["layout"] for s in view["shots"]] == ["split", "split"]
    assert set(view["panels"]) == {"0", "38"} and len(view["panels"]["38"][0]) == 37
    assert client.get("/api/shots").json()[1]["start"] == 38
    assert client.get("/api/detections").json()[0]["frame"] == 0


def test_the_video_is_served_with_ranges_for_seeking(client, pair):
    size = os.path.getsize(pair.path)
    part = client.get("/video", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and len(part.content) == 100
    assert part.headers["content-range"] == f"bytes 100-199/{size}"
    assert part.content == pair.path.read_bytes()[100:200]
    assert client.get("/video").headers["accept-ranges"] == "bytes"


def test_a_layout_a_zoom_and_undo(client, review):
    view = client.post("/api/shot", json={"shot": 1, "layout": "fit"}).json()
    assert [s["layout"] for s in view["shots"]] == ["split", "fit"]
    assert view["shots"][1]["reason"] == "fit chosen by hand" and view["can_undo"]
    view = client.post("/api/shot", json={"shot": 0, "layout": "follow", "zoom": 1.2}).json()
    assert view["shots"][0]["layout"] == "follow" and view["shots"][0]["zoom"] == pytest.approx(1.2, abs=0.01)
    assert view["path"]["overrides"]["shots"] == {"0": {"layout": "follow", "zoom": 1.2}, "1": {"layout": "fit"}}
    view = client.post("/api/undo").json()
    assert [s["layout"] for s in view["shots"]] == ["split", "fit"]
    view = client.post("/api/undo").json()
    assert [s["layout"] for s in view["shots"]] == ["split", "split"] and not view["can_undo"]
    assert client.post("/api/undo").status_code == 409


def test_a_pin_follows_the_other_person_to_the_end_of_the_shot(client, pair):
    x, y = right_head(pair, 50)
    view = client.post("/api/pin", json={"frame": 50, "x": x, "y": y}).json()
    shot = view["shots"][1]
    assert shot["layout"] == "follow" and shot["reason"] == "pinned by hand at 2.0 s"
    centre = [w[0] + w[2] / 2 for w in view["windows"]]
    assert abs(centre[74] - x) < 60
    assert view["path"]["overrides"]["pins"] == [{"time": 2.0, "x": round(x, 2), "y": round(y, 2)}]
    assert view["shots"][0]["layout"] == "split"  # the other shot is untouched


def test_a_dragged_window_is_a_keyframe_and_undo_takes_it_back(client, review):
    client.post("/api/shot", json={"shot": 0, "layout": "follow"})
    before = np.array(client.get("/api/path").json()["windows"])
    x = before[20, 0] + 40
    view = client.post("/api/keyframe", json={"frame": 20, "x": x, "y": 0}).json()
    after = np.array(view["windows"])
    assert after[20, 0] == pytest.approx(x)
    assert np.allclose(after[:38, 0], np.clip(before[:38, 0] + 40, 0, 640 - before[0, 2]))
    assert np.array_equal(after[38:], before[38:])
    assert "window moved by hand at 0.8 s" in view["shots"][0]["reason"]
    assert np.array_equal(np.array(client.post("/api/undo").json()["windows"]), before)


def test_save_writes_the_corrected_path_atomically(client, review, tmp_path):
    client.post("/api/shot", json={"shot": 1, "layout": "fit"})
    assert client.post("/api/save").json() == {"saved": str(tmp_path / "clip.path.json")}
    saved = CropPath.load(tmp_path / "clip.path.json")
    assert saved.shots[1].layout == "fit" and saved.overrides.shots[1].layout == "fit"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.slow  # encodes the whole clip at 1080x1920
def test_render_runs_in_the_background_with_progress(client, review, pair):
    client.post("/api/shot", json={"shot": 0, "layout": "fit"})
    started = client.post("/api/render").json()
    assert started["state"] == "running"
    for _ in range(600):
        job = client.get("/api/render").json()
        if job["state"] != "running":
            break
        time.sleep(0.2)
    assert job["state"] == "done" and job["fraction"] == 1.0, job
    out = probe(job["output"])
    assert out.frame_count == 75 and (out.width, out.height) == (1080, 1920)


BAD = [
    ("/api/shot", {"shot": 5, "layout": "fit"}, 404, "shot 5 does not exist"),
    ("/api/shot", {"shot": 0, "layout": "wide"}, 422, "not one of"),
    ("/api/shot", {"shot": 0, "zoom": 3}, 422, "between 1"),
    ("/api/shot", {"shot": "first", "layout": "fit"}, 400, "whole number"),
    ("/api/shot", {"layout": "fit"}, 400, "bad request"),
    ("/api/pin", {"frame": 75, "x": 10, "y": 10}, 422, "frame 75 is outside the video"),
    ("/api/pin", {"time": 9.5, "x": 10, "y": 10}, 422, "outside the video"),
    ("/api/pin", {"frame": 10, "x": 900, "y": 10}, 422, "outside the 640x360 picture"),
    ("/api/keyframe", {"frame": -1, "x": 10, "y": 0}, 422, "frame -1 is outside"),
    ("/api/keyframe", {"frame": 3, "x": "left", "y": 0}, 400, "x must be a number"),
]


@pytest.mark.parametrize("url, body, status, message", BAD)
def test_bad_requests_are_refused_with_a_status_and_the_saved_file_is_unchanged(
    client, tmp_path, url, body, status, message
):
    before = (tmp_path / "clip.path.json").read_bytes()
    answer = client.post(url, json=body)
    assert answer.status_code == status and message in answer.json()["error"], answer.json()
    assert client.post("/api/save").status_code == 200
    assert (tmp_path / "clip.path.json").read_bytes() == before


def test_a_body_that_is_not_json_is_refused(client):
    answer = client.post("/api/shot", content=b"{layout: fit", headers={"Content-Type": "application/json"})
    assert answer.status_code == 400 and "not JSON" in answer.json()["error"]


def test_a_path_for_another_video_is_refused(client, review, tmp_path):
    before = (tmp_path / "clip.path.json").read_bytes()
    other = json.loads(before)
    other["source"] |= {"name": "other.mp4", "width": 1920, "height": 1080}
    other["content"] = [0, 0, 1920, 1080]
    answer = client.post("/api/path", json=other)
    assert answer.status_code == 409 and "planned for a 1920x1080 video" in answer.json()["error"]
    answer = client.post("/api/path", json={"format": "something else"})
    assert answer.status_code == 422 and "not a reframe crop path" in answer.json()["error"]
    assert client.get("/api/path").json()["path"]["source"]["name"] == "review_pair.mp4"
    # The same video's path, edited elsewhere, is taken in.
    edited = json.loads(before)
    edited["shots"][0]["layout"] = "fit"
    assert client.post("/api/path", json=edited).json()["shots"][0]["layout"] == "fit"
    assert (tmp_path / "clip.path.json").read_bytes() == before


def test_a_wrong_or_missing_token_is_refused(review, tmp_path):
    before = (tmp_path / "clip.path.json").read_bytes()
    with TestClient(create_app(review, TOKEN)) as c:
        for method, url in [("GET", "/"), ("GET", "/api/path"), ("GET", "/video"), ("POST", "/api/save"),
                            ("POST", "/api/render")]:
            for given in ({}, {"X-Reframe-Token": "guess"}):
                answer = c.request(method, url, headers=given)
                assert answer.status_code == 403 and "token" in answer.json()["error"]
        assert c.get("/", params={"token": "guess"}).status_code == 403
        assert c.get("/api/shots", params={"token": TOKEN}).status_code == 200
    assert (tmp_path / "clip.path.json").read_bytes() == before
    assert review.job.state == "idle"


def test_a_path_without_detections_is_corrected_from_its_saved_analysis(pair, tmp_path):
    planned(pair).save(tmp_path / "p.json")
    path = CropPath.load(tmp_path / "p.json")
    info = probe(pair.path)
    blind = Review(info, path, save_to=tmp_path / "p.json", output=tmp_path / "out.mp4")
    with pytest.raises(Refused) as refused:
        blind.set_shot(0, layout="fit")
    assert refused.value.status == 409 and "carries no detections" in refused.value.message
    assert blind.detections() == []
    analysis = Analysis(info, pair.cut_frames, {f: d for f, d in planned(pair).detections.items()})
    seeing = Review(info, path, save_to=tmp_path / "p.json", output=tmp_path / "out.mp4", saved_analysis=analysis)
    assert [s["layout"] for s in seeing.set_shot(0, layout="fit")["shots"]] == ["fit", "split"]
    seeing.save()
    assert CropPath.load(tmp_path / "p.json").detections  # saved with them: a later review needs no analysis


def start_review(*args, cwd) -> tuple[subprocess.Popen, str]:
    """``reframe review ... --no-browser`` in a process of its own, and the address it prints."""
    proc = subprocess.Popen([sys.executable, "-m", "reframe", "review", *map(str, args), "--no-browser"], cwd=cwd,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    line = proc.stderr.readline()
    assert " at http://127.0.0.1:" in line, line + proc.stderr.read()
    return proc, line.split(" at ", 1)[1].strip()


@pytest.mark.slow  # command-line runs, one a server
def test_the_review_command_serves_on_localhost_with_a_token_and_stops_on_ctrl_c(pair, tmp_path):
    planned(pair).save(tmp_path / "p.json", with_detections=True)
    proc, url = start_review(pair.path, "--path", tmp_path / "p.json", cwd=tmp_path)
    try:
        base, token = url.split("/?token=")
        assert len(token) >= 20
        with urllib.request.urlopen(f"{base}/api/shots?token={token}", timeout=30) as answer:
            assert [s["layout"] for s in json.load(answer)] == ["split", "split"]
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{base}/api/shots?token=x", timeout=30)
        assert refused.value.code == 403
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        assert "review stopped" in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
    other = tmp_path / "other.path.json"
    data = json.loads((tmp_path / "p.json").read_text())
    data["source"]["frame_count"] = 10
    data["keyframes"] = [[0, 0, 0, 202.5, 360], [9, 0, 0, 202.5, 360]]
    data["shots"] = [{"start": 0, "end": 10}]
    other.write_text(json.dumps(data))
    res = subprocess.run([sys.executable, "-m", "reframe", "review", str(pair.path), "--path", str(other),
                          "--no-browser"], capture_output=True, text=True, timeout=120)
    assert res.returncode == 6 and "planned for a 640x360 video of 10 frames" in res.stderr


def test_stopping_the_review_stops_its_render_and_leaves_no_file(review, tmp_path):
    review.start_render()
    review.close()
    assert review.job.state == "failed" and "stopped" in review.job.error
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.path.json"]


def test_render_refuses_to_replace_a_file_it_did_not_make(review, tmp_path):
    (tmp_path / "clip_vertical.mp4").write_bytes(b"mine")
    with pytest.raises(Refused, match="already exists"):
        review.start_render()
    assert (tmp_path / "clip_vertical.mp4").read_bytes() == b"mine"
