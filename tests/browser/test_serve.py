"""gdtui serve in a real browser: Debian's headless Chromium (through selenium, pointed at the
system's browser and driver: nothing downloaded) opens the served app, sees its title, presses
space and sees it play; `s` delivers the scenario to the browser and writes nothing on the server.

The terminal is drawn on a canvas (xterm.js), so the test reads what the app sends it: a script
injected before the page's own wraps WebSocket and keeps every frame's text.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; .ci/run does)")

RECORD_FRAMES = """
window.__frames = [];
const Original = window.WebSocket;
window.WebSocket = class extends Original {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (event) => {
      const data = event.data;
      if (typeof data === "string") window.__frames.push(data);
      else if (data instanceof ArrayBuffer) window.__frames.push(new TextDecoder().decode(data));
      else if (data && data.text) data.text().then((text) => window.__frames.push(text));
    });
  }
};
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    """`gdtui serve bowl` on a free port, run from an empty directory; yields (url, that directory)."""
    port = free_port()
    workdir = tmp_path / "server"
    workdir.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "gdtui", "serve", "bowl", "--port", str(port),
                             "--max-sessions", "1"], cwd=workdir, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1).read()
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail(f"gdtui serve did not start: {proc.stderr.read()}")
    yield url, workdir
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_FRAMES})
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    yield driver
    driver.quit()


def screen_text(driver) -> str:
    return driver.execute_script("return window.__frames.join('')") or ""


def wait_for(predicate, seconds=30) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def press(driver, keys: str):
    """Type into the terminal's own input (xterm.js listens on a hidden textarea; a click on the
    canvas would reach the app as a click on the surface)."""
    from selenium.webdriver.common.action_chains import ActionChains

    driver.execute_script("document.querySelector('.xterm-helper-textarea').focus()")
    ActionChains(driver).send_keys(keys).perform()


def test_the_served_app_shows_its_title_and_plays_on_space(served, browser):
    url, _ = served
    browser.get(url)
    assert wait_for(lambda: "The elongated bowl" in screen_text(browser)), screen_text(browser)[-2000:]
    assert "paused" in screen_text(browser)
    seen = len(screen_text(browser))
    press(browser, " ")
    assert wait_for(lambda: "playing" in screen_text(browser)[seen:]), screen_text(browser)[-2000:]
    assert wait_for(lambda: any(f"step {n}/200" in screen_text(browser)[seen:] for n in range(5, 200)))


def test_save_delivers_the_file_to_the_browser_and_writes_nothing_on_the_server(served, browser):
    url, workdir = served
    browser.get(url)
    assert wait_for(lambda: "The elongated bowl" in screen_text(browser))
    press(browser, "s")
    assert wait_for(lambda: any(p.suffix == ".toml" for p in browser.downloads.iterdir())), \
        screen_text(browser)[-2000:]
    delivered = next(p for p in browser.downloads.iterdir() if p.suffix == ".toml")
    assert delivered.name == "bowl.toml" and 'title = "The elongated bowl"' in delivered.read_text()
    assert list(workdir.iterdir()) == []                      # nothing written where the server runs


def test_a_visitor_past_max_sessions_gets_a_page_saying_so(served, browser):
    url, _ = served
    browser.get(url)
    assert wait_for(lambda: "The elongated bowl" in screen_text(browser))
    with pytest.raises(urllib.error.HTTPError) as full:
        urllib.request.urlopen(url, timeout=5)
    assert full.value.code == 503 and "this session is full" in full.value.read().decode()


def test_the_page_names_the_address_the_visitor_used_and_sizes_are_capped(tmp_path):
    """Served on 0.0.0.0 (a class's network), the page's scripts and websocket point at the
    address the browser reached (0.0.0.0 is nobody's); a terminal larger than 400 × 150 is
    given 400 × 150."""
    from gdtui.serve import MAX_COLUMNS, MAX_ROWS, _clamp_terminal_size

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "gdtui", "serve", "bowl", "--host", "0.0.0.0", "--port", str(port)],
                            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        page = ""
        for _ in range(100):
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert f"ws://127.0.0.1:{port}/ws" in page and "0.0.0.0" not in page
    finally:
        proc.terminate()
        proc.wait(10)

    asked = []

    class Service:
        async def start(self, width, height):
            asked.append((width, height))

        async def set_terminal_size(self, width, height):
            asked.append((width, height))

    _clamp_terminal_size(Service)
    import asyncio

    asyncio.run(Service().start(3000, 1500))
    asyncio.run(Service().set_terminal_size(120, 40))
    assert asked == [(MAX_COLUMNS, MAX_ROWS), (120, 40)] == [(400, 150), (120, 40)]
