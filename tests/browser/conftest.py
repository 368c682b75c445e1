"""Playwright (Python) driving Debian's Chromium against pytest-django's live_server."""

import base64
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

# Chromium's own background traffic is refused by the closed network; these flags keep it quiet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


HERE = Path(__file__).parent


def pytest_collection_modifyitems(items):
    # The hook sees the whole session's items: mark only this folder's, so `-m "not browser"` keeps the rest.
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser(_require_chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# The offline layer's service worker fetches pages in the background, which would outlive a journey and meet the
# test database's teardown: journeys run without it, except the offline ones (tests/browser/test_offline_journeys.py).
@pytest.fixture
def phone_page(browser):
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        service_workers="block",
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", service_workers="block")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def screenshot(page, name: str, full_page: bool = False) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def current_totp(secret_base32: str) -> str:
    from django_otp.oath import totp

    return f"{totp(base64.b32decode(secret_base32)):06d}"


def enrol_second_factor(page) -> None:
    """What a leader or administrator does at first login: scan the code, type what the phone shows."""
    secret = page.get_by_test_id("otp-secret").inner_text()
    page.get_by_label("动态口令").fill(current_totp(secret))
    page.get_by_role("button", name="绑定").click()
    page.wait_for_load_state("networkidle")


def log_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")


def open_menu_item(page, label: str) -> None:
    """Reach a menu entry as a person does: open the collapsed menu on a phone, then the app's drop-down when the
    entry sits in one (a user offered several of an app's entries), then the entry."""
    toggler = page.get_by_role("button", name="展开菜单")
    if toggler.is_visible():
        toggler.click()
        page.locator("#main-nav.show").wait_for()
    link = page.locator("#main-nav").get_by_role("link", name=label, exact=True)
    if not link.is_visible():
        entry = page.locator(f'a.dropdown-item:text-is("{label}")')
        page.locator("#main-nav li.dropdown").filter(has=entry).locator(".dropdown-toggle").click()
    link.click()


def log_out_on_phone(page, live_server) -> None:
    """Open the collapsed menu, wait until Bootstrap has finished opening it, then press 退出."""
    page.get_by_role("button", name="展开菜单").click()
    page.locator("#main-nav.show").wait_for()
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
