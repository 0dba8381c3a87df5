"""The report in headless Chromium: no errors, every section, working tables, and a corpus of
script payloads that executes nothing."""
from pipeline.report.html import SECTIONS
from tests.report.conftest import open_page

TITLE = "Disinformation narratives report"


def test_sample_report_loads_without_errors_and_has_every_section(browser, sample_run):
    run, _ = sample_run
    page, problems = open_page(browser, run.path / "report.html")
    assert problems == {"console": [], "pageerror": [], "dialog": [], "request": []}
    assert page.title() == TITLE
    for sid, title in SECTIONS:
        heading = page.locator(f"section#{sid} > h2")
        assert heading.inner_text() == title, sid
        assert page.locator(f"section#{sid}").inner_text().strip() != title, sid  # has content
    assert page.locator("section#mechanisms svg.chart").count() >= 2
    assert page.locator("section#accusations svg.chart").count() == 1
    assert page.locator("section#coordination table.data").count() == 1
    assert page.locator("section#evidence mark").count() > 0
    page.close()


def test_tables_sort_and_filter(browser, sample_run):
    run, _ = sample_run
    page, problems = open_page(browser, run.path / "report.html")
    table = page.locator("#t-by-source")
    docs = lambda: [float(c) for c in table.locator("tbody tr td:nth-child(4)")
                    .evaluate_all("cells => cells.map(c => c.getAttribute('data-v'))")]
    before = docs()
    assert before == sorted(before, reverse=True)
    table.locator("th", has_text="documents").click()
    assert docs() == sorted(before)
    table.locator("th", has_text="documents").click()
    assert docs() == sorted(before, reverse=True)
    search = table.locator("xpath=..").locator("input.filter")  # the table's own filter
    search.fill("reuters")
    visible = table.locator("tbody tr:not([hidden])")
    assert visible.count() >= 1
    assert all("reuters" in t.lower() for t in visible.all_inner_texts())
    search.fill("")
    assert table.locator("tbody tr:not([hidden])").count() == len(before)
    assert problems["pageerror"] == []
    page.close()


def test_script_payloads_in_the_corpus_execute_nothing(browser, xss_run):
    run, _ = xss_run
    assert (run.path / "coordination.parquet").exists()
    page, problems = open_page(browser, run.path / "report.html")
    assert page.evaluate("window.__xss") is None
    assert page.title() == TITLE
    for a in page.locator("a[href]").all():  # hover and click every link: nothing runs
        a.hover()
    assert page.evaluate("window.__xss") is None
    assert page.locator("a[href^='javascript' i]").count() == 0
    assert page.locator("main script, main img, main iframe, main [onerror], main [onload], "
                        "main [onmouseover]").count() == 0
    assert problems == {"console": [], "pageerror": [], "dialog": [], "request": []}
    # the payloads are shown as text, where an analyst can read them
    text = page.locator("main").inner_text()
    assert "<script>window.__xss" in text and "onerror=" in text
    coordination = page.locator("section#coordination").inner_text()
    assert "<script>" in coordination
    page.close()
