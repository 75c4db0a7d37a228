"""The web page in a real browser: headless Chromium (Debian's package) driven by Selenium.

Skips, saying why, when Selenium, chromium or chromedriver is absent (`bash .ci/browser` installs
them and runs this file). The server runs with the tiny test model on 127.0.0.1 only.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the server extra (idtrans[serve]) is not installed")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install selenium)")

from serve_fixtures import tiny_config  # noqa: E402

from idtrans.serve.app import create_app  # noqa: E402
from idtrans.serve.engine import load_engine  # noqa: E402

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
SCREENSHOT_ENV = "IDTRANS_SCREENSHOT"


def _binary(names: tuple[str, ...], env: str) -> str | None:
    if os.environ.get(env):
        return os.environ[env]
    return next((found for name in names if (found := shutil.which(name))), None)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def browser_paths() -> tuple[str, str]:
    browser = _binary(BROWSERS, "IDTRANS_CHROMIUM")
    driver = _binary(("chromedriver",), "IDTRANS_CHROMEDRIVER")
    if browser is None:
        pytest.skip("no chromium on PATH (apt-get install chromium chromium-driver)")
    if driver is None:
        pytest.skip("no chromedriver on PATH (apt-get install chromium-driver)")
    return browser, driver


@pytest.fixture(scope="module")
def server_url(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    config = tiny_config(tiny_model_dir, tmp_path_factory.mktemp("browser"))
    app = create_app(config, engine=load_engine(config))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(30)


@pytest.fixture(scope="module")
def driver(browser_paths: tuple[str, str]) -> Iterator[Any]:
    from selenium.webdriver.chrome.service import Service

    browser, chromedriver = browser_paths
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1400,1000",
        "--lang=en",
    ):
        options.add_argument(flag)
    session = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    try:
        yield session
    finally:
        session.quit()


def test_page_translates_the_sample_article(driver: Any, server_url: str, example_article: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(server_url)
    assert "idtrans" in driver.title
    source = driver.find_element(By.ID, "source")
    driver.execute_script("arguments[0].value = arguments[1];", source, example_article.read_text(encoding="utf-8"))
    driver.find_element(By.ID, "translate").click()
    WebDriverWait(driver, 120).until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#result tbody tr")))
    rows = driver.find_elements(By.CSS_SELECTOR, "#result tbody tr")
    english = [row.find_element(By.CSS_SELECTOR, "td.english").text for row in rows]
    assert len(rows) == 2 and all(text.strip() for text in english)  # the title and its one long paragraph
    assert len(driver.find_elements(By.CSS_SELECTOR, "#result td.english .sentence")) > 20
    terms = driver.find_elements(By.CSS_SELECTOR, "#result td.english mark.term")
    assert terms and any(t.text.strip() for t in terms)
    assert driver.find_elements(By.CSS_SELECTOR, "#result td.source mark.term")
    assert "boilerplate line(s) removed" in driver.find_element(By.ID, "summary").text
    if os.environ.get(SCREENSHOT_ENV):
        driver.save_screenshot(os.environ[SCREENSHOT_ENV])


def test_page_glossary_tab_searches_and_adds(driver: Any, server_url: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(server_url)
    driver.find_element(By.ID, "tab-glossary").click()
    search = driver.find_element(By.ID, "g-search")
    search.send_keys("umerov")
    driver.find_element(By.CSS_SELECTOR, "#glossary-search button").click()
    WebDriverWait(driver, 30).until(lambda d: "rustem-umerov" in d.find_element(By.ID, "g-table").text)
    driver.find_element(By.ID, "a-source").send_keys("Juru bicara Kemhan")
    driver.find_element(By.ID, "a-target").send_keys("defence ministry spokesperson")
    driver.find_element(By.CSS_SELECTOR, "#glossary-add button").click()
    WebDriverWait(driver, 30).until(lambda d: "Added" in d.find_element(By.ID, "a-status").text)
    WebDriverWait(driver, 30).until(lambda d: "defence ministry spokesperson" in d.find_element(By.ID, "g-table").text)


def test_page_marks_review_flagged_sentences(driver: Any, server_url: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(server_url)
    record = {
        "paragraph": 1,
        "sentence": 0,
        "source": "Pasukan tiba di Kyiv.",
        "translation": "Troops reached Kiev.",
        "glossary": [{"entry": "kyiv", "source_form": "Kyiv", "target": "Kyiv", "status": "missed"}],
        "review": ["glossary term not rendered: Kyiv"],
    }
    driver.execute_script("render(arguments[0]);", {"sentences": [record], "removed": [], "glossary": {}, "review": 1})
    flagged = driver.find_elements(By.CSS_SELECTOR, "#result td.english .sentence.review")
    assert len(flagged) == 1 and "Kyiv" in flagged[0].get_attribute("title")
    assert driver.find_element(By.CSS_SELECTOR, "#result td.source mark.term").text == "Kyiv"
    assert "1 sentence(s) flagged for review" in driver.find_element(By.ID, "summary").text
