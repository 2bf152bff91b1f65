"""The review page in a real headless Chromium: change a layout, pin a subject, save, render."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from test_review import pair, planned, right_head, start_review  # noqa: F401  (pair is a fixture)

from reframe.croppath import CropPath
from reframe.probe import probe

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
# Where a screenshot of the page goes when set (the README's picture is made this way).
SCREENSHOT = os.environ.get("REFRAME_REVIEW_SCREENSHOT")

pytestmark = [
    pytest.mark.skipif(
        not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
        reason="needs Chromium and its WebDriver: apt-get install chromium chromium-driver",
    ),
    pytest.mark.slow,  # a real browser, and a render of the whole clip
]


@pytest.fixture
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1400,900", "--autoplay-policy=no-user-gesture-required"):
        options.add_argument(arg)
    profile = tempfile.mkdtemp(prefix="reframe-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait(driver, condition, what: str, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(f"return {condition}")
        if value:
            return value
        time.sleep(0.1)
    status = driver.execute_script("return document.getElementById('status').textContent")
    raise AssertionError(f"waited {timeout} s for {what}; the page says: {status!r}")


def click_at(driver, element, x: float, y: float) -> None:
    """Click ``element`` at ``(x, y)`` in its own pixels from its top-left corner."""
    from selenium.webdriver.common.action_chains import ActionChains

    width, height = element.size["width"], element.size["height"]
    ActionChains(driver).move_to_element_with_offset(element, x - width / 2, y - height / 2).click().perform()


def test_the_page_changes_a_layout_pins_a_subject_saves_and_renders(browser, pair, tmp_path):  # noqa: F811
    planned(pair).save(tmp_path / "p.json", with_detections=True)
    proc, url = start_review(pair.path, "--path", tmp_path / "p.json", "-o", tmp_path / "out.mp4", cwd=tmp_path)
    try:
        by_id = lambda name: browser.find_element("id", name)  # noqa: E731
        browser.get(url)
        wait(browser, "document.body.dataset.ready === '1'", "the video to load")
        # The source plays in the page and the vertical view is drawn from it.
        assert wait(browser, "document.getElementById('video').videoWidth", "the video's size") == 640
        lit = browser.execute_script(
            "const c = document.getElementById('vertical'); const d = c.getContext('2d')"
            ".getImageData(0, 0, c.width, c.height).data; let s = 0; for (let i = 0; i < d.length; i += 4) s += d[i];"
            "return s / (d.length / 4);"
        )
        assert lit > 20, "the vertical view is black"

        if SCREENSHOT:
            browser.execute_script("document.getElementById('video').currentTime = 0.5")
            wait(browser, "document.body.dataset.frame === '12'", "frame 12")
            time.sleep(0.5)
            browser.save_screenshot(SCREENSHOT.replace(".png", "_split.png"))
        # Shot 0: fit instead of split.
        by_id("shot-0").click()
        by_id("layout-fit").click()
        wait(browser, "document.getElementById('shot-0').dataset.layout === 'fit'", "shot 0 to be fit")

        # Shot 1: pin the person on the right at frame 50.
        by_id("shot-1").click()
        browser.execute_script("document.getElementById('video').currentTime = arguments[0]", 50 / 25 + 0.02)
        wait(browser, "document.body.dataset.frame === '50'", "frame 50")
        by_id("tool-pin").click()
        x, y = right_head(pair, 50)
        overlay = by_id("overlay")
        scale = overlay.size["width"] / 640
        click_at(browser, overlay, x * scale, y * scale)
        wait(browser, "/pinned by hand/.test(document.getElementById('shot-reason').textContent)", "the pin")
        assert by_id("shot-1").get_attribute("data-layout") == "follow"
        if SCREENSHOT:
            browser.execute_script("document.getElementById('video').currentTime = 2.9")
            wait(browser, "document.body.dataset.frame === '72'", "frame 72")
            time.sleep(0.5)
            browser.save_screenshot(SCREENSHOT)

        by_id("save").click()
        wait(browser, "/^saved /.test(document.getElementById('status').textContent)", "the save")
        saved = CropPath.load(tmp_path / "p.json")
        assert [s.layout for s in saved.shots] == ["fit", "follow"]
        assert saved.overrides.shots[0].layout == "fit"
        (pin,) = saved.overrides.pins
        assert abs(pin.time - 2.0) < 0.05 and abs(pin.x - x) < 8 and abs(pin.y - y) < 8
        centre = saved.windows[:, 0] + saved.windows[:, 2] / 2
        assert abs(centre[74] - right_head(pair, 74)[0]) < 60

        by_id("render").click()
        wait(browser, "document.body.dataset.render === 'done' || document.body.dataset.render === 'failed'",
             "the render", timeout=300)
        assert by_id("render-state").text == "done", by_id("status").text
        out = probe(tmp_path / "out.mp4")
        assert out.frame_count == 75 and (out.width, out.height) == (1080, 1920)
        assert float(by_id("render-progress").get_attribute("value")) == 1.0
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0
    assert sorted(p.name for p in Path(tmp_path).iterdir()) == ["out.mp4", "p.json"]
    assert np.isfinite(saved.windows).all()
