"""A real browser (headless Chromium through chromedriver) on a live server: the password form
and the splash countdown work for a person, not only for the test client."""

import os
import shutil
import threading
from datetime import timedelta

import pytest
from werkzeug.serving import make_server

from likepion.shortener.plans import seed_plans
from tests.conftest import build_app
from tests.factories import make_user
from tests.helpers import QuietHandler, loopback_server

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
LANDING_HOST = "landing.example.test"
pytestmark = pytest.mark.browser


class Landing(QuietHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        body = b"<!doctype html><title>Landed</title><h1>Landed</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _serve(server):
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@pytest.fixture
def site(tmp_path):
    """The service on a live port with a file database, and a landing page on another port."""
    app = build_app(f"sqlite:///{tmp_path}/browser.db", SHORTENER_RATE_LIMIT="1000 per minute")
    with app.app_context():
        seed_plans()
    service = _serve(make_server("127.0.0.1", 0, app, threaded=True))
    admin = make_user(app, is_admin=True)
    with loopback_server(Landing) as landing:
        yield {
            "app": app,
            "base": f"http://127.0.0.1:{service.server_port}",
            # Loopback destinations are refused: the browser maps this public-looking name to it.
            "landing": f"http://{LANDING_HOST}:{landing.server_port}/landing",
            "headers": {"Authorization": f"Bearer {admin.api_key}"},
        }
    service.shutdown()


@pytest.fixture
def browser():
    if not (CHROMIUM and CHROMEDRIVER):
        if os.environ.get("CI"):
            pytest.fail("chromium and chromedriver are required in CI (Debian chromium-driver)")
        pytest.skip("chromium and chromedriver are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # CSP reports land there
    options.add_argument(f"--host-resolver-rules=MAP {LANDING_HOST} 127.0.0.1")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(20)
    yield driver
    driver.quit()


def _short_link(site, **fields) -> str:
    # The API is called on "localhost"; the landing page lives on LANDING_HOST, another host.
    response = (
        site["app"]
        .test_client()
        .post("/api/url/add", json={"url": site["landing"], **fields}, headers=site["headers"])
    )
    assert response.status_code == 200, response.json
    return site["base"] + "/" + response.json["shorturl"].rsplit("/", 1)[1]


def _wait_for_landing(browser, site, seconds=15):
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, seconds).until(lambda b: b.current_url == site["landing"])
    assert browser.find_element("tag name", "h1").text == "Landed"


def test_a_person_types_the_password_and_lands_on_the_destination(site, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(_short_link(site, custom="secret-page", password="open sesame"))
    assert "protected" in browser.find_element(By.TAG_NAME, "h1").text

    browser.find_element(By.ID, "password").send_keys("wrong")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    # The form posts and a new page loads: wait for it rather than read the old one.
    error = WebDriverWait(browser, 15).until(lambda b: b.find_elements(By.ID, "password-error"))[0]
    assert error.text.startswith("Wrong password")
    assert browser.current_url.startswith(site["base"])

    browser.find_element(By.ID, "password").send_keys("open sesame")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    _wait_for_landing(browser, site)
    assert _csp_violations(browser) == []  # the form posts and redirects under the policy


def test_a_splash_page_continues_by_itself_after_its_countdown(site, browser):
    from selenium.webdriver.common.by import By

    splash = (
        site["app"]
        .test_client()
        .post(
            "/api/splash/add",
            json={"name": "Promo", "title": "Before you go", "counter": 2},
            headers=site["headers"],
        )
    )
    browser.get(_short_link(site, type=f"splash-{splash.json['id']}"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Before you go"
    assert browser.find_element(By.ID, "countdown").text in {"2", "1"}

    _wait_for_landing(browser, site, seconds=10)
    assert _csp_violations(browser) == []  # the countdown script is allowed by its hash


def _csp_violations(browser) -> list[str]:
    return [
        entry["message"]
        for entry in browser.get_log("browser")
        if "Content Security Policy" in entry["message"]
    ]


def test_pages_work_under_their_content_security_policy(site, browser):
    """The splash countdown ran above; here the overlay's close button (a hashed inline script),
    the framed destination and the styles work with the policy on, and nothing is refused."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    overlay = (
        site["app"]
        .test_client()
        .post(
            "/api/overlay/add",
            json={"type": "message", "name": "Tips", "message": "Weekly tips"},
            headers=site["headers"],
        )
    )
    browser.get(_short_link(site, type=f"overlay-{overlay.json['id']}"))
    browser.switch_to.frame(browser.find_element(By.TAG_NAME, "iframe"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Landed"
    browser.switch_to.default_content()
    bar = browser.find_element(By.CLASS_NAME, "bar")
    assert bar.value_of_css_property("border-bottom-style") == "solid"  # the hashed <style> applies

    browser.find_element(By.CSS_SELECTOR, ".overlay .close").click()
    WebDriverWait(browser, 5).until(lambda b: not b.find_elements(By.CLASS_NAME, "overlay"))
    assert _csp_violations(browser) == []


def test_the_docs_page_renders_under_its_content_security_policy(site, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(site["base"] + "/docs/")

    title = WebDriverWait(browser, 15).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, ".swagger-ui .info .title")
    )[0]
    assert title.text.startswith("Likepion")
    assert browser.find_elements(By.CSS_SELECTOR, ".opblock")  # the spec was fetched and drawn
    assert _csp_violations(browser) == []


def test_public_stats_page_draws_the_chart_and_the_numbers(site, browser, tmp_path):
    from selenium.webdriver.common.by import By

    from likepion.shortener import rollups
    from tests.clicks import click_row, store

    short = _short_link(site, custom="viral", public_stats=True)
    link_id = site["app"].test_client().get("/api/urls", headers=site["headers"]).json
    link_id = link_id["data"]["urls"][0]["id"]
    clicks = []
    for day in range(30):  # a rising curve, one visitor per click
        at = rollups.midnight(days_ago=29 - day) + timedelta(hours=10)
        country, browser_name = ("US", "Chrome") if day % 3 else ("DE", "Firefox")
        clicks += [
            click_row(
                link=link_id,
                at=at,
                country=country,
                browser=browser_name,
                os="Windows 10",
                referrer="t.co",
                visitor=f"{day}-{n}",
            )
            for n in range(day + 1)
        ]
    store(site["app"], clicks)

    browser.set_window_size(1100, 1000)
    browser.get(short + "+")

    assert browser.find_element(By.TAG_NAME, "h1").text == f"Stats of {short}"
    assert browser.find_element(By.CSS_SELECTOR, "#clicks strong").text == "465"
    assert browser.find_element(By.CSS_SELECTOR, "#unique strong").text == "465"
    bars = browser.find_elements(By.CSS_SELECTOR, "svg.chart rect.day")
    heights = [bar.rect["height"] for bar in bars]
    assert len(bars) == 30 and heights == sorted(heights) and heights[0] > 0
    assert [bar.get_attribute("data-clicks") for bar in bars] == [str(n) for n in range(1, 31)]
    countries = browser.find_element(By.ID, "topCountries").text
    assert "United States\n320" in countries and "Germany\n145" in countries
    browser.save_screenshot(str(tmp_path / "stats-page.png"))
    assert (tmp_path / "stats-page.png").stat().st_size > 10_000

    browser.get(_short_link(site, custom="private") + "+")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Page not found"
