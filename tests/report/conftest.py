import json
import os
import shutil
from pathlib import Path

import pytest

from pipeline import load_config, run_pipeline
from pipeline.config import PROJECT_ROOT
from tests.conftest import write

SAMPLE = PROJECT_ROOT / "corpora" / "sample"
XSS = ['<script>window.__xss="script";document.title="pwned"</script>',
       '<img src=x onerror="window.__xss=\'img\'">',
       '<svg onload="window.__xss=\'svg\'"></svg>',
       '" onmouseover="window.__xss=\'attr\'" x="',
       "</style></script><script>window.__xss='close'</script>",
       "javascript:window.__xss='url'"]


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    """The shipped sample corpus through every stage."""
    out = tmp_path_factory.mktemp("report") / "sample"
    inputs = [SAMPLE / "news.csv", SAMPLE / "social.jsonl", SAMPLE / "claims.json",
              SAMPLE / "multilingual.jsonl", SAMPLE / "articles"]
    config = load_config()
    return run_pipeline([str(p) for p in inputs], str(out), config), config


@pytest.fixture(scope="session")
def xss_run(tmp_path_factory):
    """A corpus whose titles, texts, sources, authors and URLs are script payloads, with a
    copy-paste network so that payloads reach the coordination section too."""
    root = tmp_path_factory.mktemp("xss")
    rows = []
    for i, payload in enumerate(XSS):
        rows.append({"id": f"n{i}", "title": payload, "source": f"RT {payload}",
                     "url": payload if payload.startswith("javascript:") else
                     f"javascript:window.__xss='href{i}'",
                     "text": f"NATO is preparing an attack on Russia, RT reports. {payload} "
                             f"Western media spread Russophobic lies, Lavrov said. {payload}",
                     "published_at": f"2024-0{1 + i % 6}-0{1 + i % 8}T10:00:00Z"})
    for burst in range(3):
        for a in range(4):
            rows.append({"id": f"s{burst}-{a}", "author": f"{XSS[a]}{a}",
                         "published_at": f"2024-03-0{1 + burst}T12:0{a}:00Z",
                         "text": f"Share now: NATO lies about the Baltic exercise {burst} "
                                 f"{XSS[burst]}"})
    path = write(root / "xss.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n")
    config = load_config()
    return run_pipeline([str(path)], str(root / "run"), config), config


def chromium_path() -> str | None:
    return os.environ.get("DISINFO_CHROMIUM") or shutil.which("chromium") or \
        shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright. Skipped where Chromium is not installed,
    except when DISINFO_REQUIRE_BROWSER=1 (set by .ci/run, which installs it)."""
    exe = chromium_path()
    if exe is None:
        if os.environ.get("DISINFO_REQUIRE_BROWSER") == "1":
            pytest.fail("DISINFO_REQUIRE_BROWSER=1 but no chromium is installed "
                        "(apt-get install chromium, or set DISINFO_CHROMIUM=/path).")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


def open_page(browser, path: Path):
    """Open a report; return the page and the console errors, page errors and dialogs."""
    page = browser.new_page()
    problems = {"console": [], "pageerror": [], "dialog": [], "request": []}
    page.on("console", lambda m: m.type in ("error", "warning") and
            problems["console"].append(m.text))
    page.on("pageerror", lambda exc: problems["pageerror"].append(str(exc)))
    page.on("dialog", lambda d: (problems["dialog"].append(d.message), d.dismiss()))
    page.on("request", lambda r: not r.url.startswith("file:") and
            problems["request"].append(r.url))
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    return page, problems
