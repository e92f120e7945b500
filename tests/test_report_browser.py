"""The report in a real browser: Debian's chromium via Playwright, from file://, network blocked.

Checks every section renders with data, there are no console errors, the toggles and tables work,
and HTML in titles and labels shows as text and never runs. Saves one screenshot per section under
test-artifacts/report/ for a person to look at.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reports import build_report
from tests.synthetic_corpus import (
    XSS_EVIDENCE_TITLE,
    XSS_LABEL,
    XSS_TITLE,
    make_corpus,
    make_evidence,
    make_run,
    run_stages,
)

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "report"
SECTIONS = ["overview", "map", "trends", "growth", "topics", "quality"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

if CHROMIUM is None:
    pytest.skip("chromium is not installed (apt-get install -y chromium); browser test skipped", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")


@pytest.fixture(scope="module")
def report_path(tmp_path_factory) -> Path:
    run = make_run(400, seed=11, changes={"new_papers": 42, "new_topics": [3], "fastest_growing": [0, 3]})
    return build_report(
        tmp_path_factory.mktemp("browser") / "report.html", **run.report_inputs(),
        evidence=make_evidence(run.papers, run.trends.growth),
    )


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_report(browser, path: Path):
    """A page with the report loaded from file://; collects console errors and any attempted network request."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    problems: list[str] = []
    network: list[str] = []
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda err: problems.append(f"page error: {err}"))

    def only_local(route):
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            network.append(url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready='1']", state="attached", timeout=60_000)
    return page, problems, network


@pytest.fixture(scope="module")
def browser_page(browser, report_path):
    page, problems, network = open_report(browser, report_path)
    yield page, problems, network
    page.close()


def screenshot(page, section: str, name: str | None = None) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # The sticky navigation bar would be painted over the middle of tall section screenshots.
    page.add_style_tag(content=".topbar { position: static !important; }")
    page.locator(f"#{section}").screenshot(path=str(ARTIFACTS / f"{name or section}.png"))


def test_sections_render_with_data_and_screenshots(browser_page):
    page, problems, network = browser_page
    for section in SECTIONS:
        screenshot(page, section)
        assert (ARTIFACTS / f"{section}.png").stat().st_size > 10_000

    cards = page.locator("#overview .card-value").all_inner_texts()
    assert cards[0] == "400" and "2024-01" in cards[2]
    assert page.locator("#fig-dated .bars .point").count() >= 8  # dated papers per quarter, stated + inferred
    assert "42 new papers since the previous run" in page.locator("#changes").inner_text()

    drawn = page.evaluate("document.getElementById('fig-map')._fullData.reduce((n, t) => n + t.x.length, 0)")
    assert drawn == 400
    assert page.locator("#fig-map canvas").count() >= 1  # WebGL scatter
    assert page.locator("#fig-map .annotation-text").count() >= 4  # topic labels on the map

    assert page.locator("#fig-trends .scatterlayer .trace").count() == 5
    assert page.locator("#fig-heatmap .hm image, #fig-heatmap .heatmaplayer image").count() >= 1
    assert page.locator("#fig-leaderboard .scatterlayer .trace").count() >= 1
    assert page.locator("#rising-table tbody tr").count() >= 1

    assert page.locator("#topic-list li").count() == 7  # All papers + 5 topics + outliers
    assert page.locator("#topic-detail .topic-timeline .main-svg").count() >= 1
    assert page.locator("#topic-detail .papers-table tbody tr").count() == 25

    assert page.locator("#dumps-table tbody tr").count() > 100
    assert not problems, problems
    assert not network, f"the report tried to reach the network: {network[:5]}"


def test_trend_toggles_switch_between_precomputed_views(browser_page):
    page, problems, _ = browser_page
    trends = page.locator("#fig-trends")
    assert trends.get_attribute("data-variant") == "share|all"
    page.click("#toggle-value button[data-value='count']")
    assert trends.get_attribute("data-variant") == "count|all"
    assert page.locator("#fig-trends .g-ytitle").first.text_content() == "papers"
    page.uncheck("#toggle-inferred")
    assert trends.get_attribute("data-variant") == "count|stated"
    stated_total = page.evaluate("document.getElementById('fig-trends').data.filter(t => t.type === 'bar').length")
    assert stated_total == 1  # without inferred dates there is nothing to stack
    page.click("#toggle-value button[data-value='share']")
    page.check("#toggle-inferred")
    assert trends.get_attribute("data-variant") == "share|all"
    assert not problems, problems


def test_topic_page_table_searches_sorts_and_pages(browser_page):
    page, problems, _ = browser_page
    page.evaluate("location.hash = '#topic-all'")
    page.wait_for_function("document.querySelector('#topic-detail h3').textContent === 'All papers'")
    counter = page.locator("#topic-detail .table-tools .muted")
    assert counter.inner_text() == "400 papers"
    page.fill("#topic-detail input[type=search]", "(17)")
    page.wait_for_function("document.querySelector('#topic-detail .table-tools .muted').textContent.includes('of 400')")
    assert page.locator("#topic-detail tbody tr").count() == 1
    page.fill("#topic-detail input[type=search]", "")
    page.wait_for_function("document.querySelector('#topic-detail .table-tools .muted').textContent === '400 papers'")

    def shown_dates():
        cells = page.locator("#topic-detail tbody td:nth-child(2)").all_inner_texts()
        return [cell.replace("inferred", "").strip() for cell in cells]

    assert shown_dates() == sorted(shown_dates(), reverse=True)  # newest first by default
    page.click("#topic-detail th:has-text('Date')")
    assert shown_dates() == sorted(shown_dates())
    page.click("#topic-detail th:has-text('Title')")
    titles = [t.lower() for t in page.locator("#topic-detail tbody td.title").all_inner_texts()]
    assert titles == sorted(titles)
    page.click("#topic-detail .pager button:has-text('Next')")
    assert page.locator("#topic-detail .pager .muted").inner_text().startswith("26–50")
    assert not problems, problems


def test_html_in_titles_and_labels_is_shown_as_text_and_never_runs(browser_page):
    page, problems, _ = browser_page
    # The hostile topic label: its page, its list entry, the map, the legend.
    tiny_topic = page.evaluate(f"JSON.parse(document.getElementById('report-data').textContent).topics.find(t => t.label === {XSS_LABEL!r}).id")
    page.evaluate(f"location.hash = '#topic-{tiny_topic}'")
    page.wait_for_function(f"document.querySelector('#topic-detail').getAttribute('data-topic') === '{tiny_topic}'")
    assert page.locator("#topic-detail .topic-name").inner_text() == XSS_LABEL
    screenshot(page, "topics", "topic-page-with-html-label")

    # The hostile title: search for it in all papers, and hover it on the map.
    page.evaluate("location.hash = '#topic-all'")
    page.fill("#topic-detail input[type=search]", "robust <script>")
    page.wait_for_function("document.querySelector('#topic-detail tbody tr td.title') && document.querySelectorAll('#topic-detail tbody tr').length === 1")
    assert page.locator("#topic-detail tbody td.title").inner_text() == " ".join(XSS_TITLE.split())
    page.locator("#map").scroll_into_view_if_needed()
    point = page.evaluate(
        """() => {
            const gd = document.getElementById('fig-map');
            for (let c = 0; c < gd.data.length; c++) {
                const p = gd.data[c].customdata.indexOf(0);  // paper 0 carries the hostile title
                if (p < 0) continue;
                const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();
                const trace = gd._fullData[c];
                return [box.left + xa._offset + xa.l2p(trace.x[p]), box.top + ya._offset + ya.l2p(trace.y[p])];
            }
            return null;
        }"""
    )
    page.mouse.move(point[0], point[1])
    page.wait_for_selector("#fig-map .hoverlayer .hovertext", timeout=5000)
    hover = page.locator("#fig-map .hoverlayer .hovertext").first.text_content()
    assert hover is not None and "<img src=x onerror=" in hover
    screenshot(page, "map", "map-hover-on-html-title")
    assert page.evaluate("window.__xss") is None
    assert page.locator("img[src='x']").count() == 0
    assert not problems, problems


def _topic_with_class(page, classes: list[str]) -> int:
    return page.evaluate(
        f"JSON.parse(document.getElementById('report-data').textContent).topics.find(t => {classes!r}.includes(t.cls)).id")


def _open_topic(page, topic_id: int) -> None:
    page.evaluate(f"location.hash = '#topic-{topic_id}'")
    page.wait_for_function(f"document.querySelector('#topic-detail').getAttribute('data-topic') === '{topic_id}'")


def test_why_it_rises_and_fades_boxes_show_evidence_as_text(browser_page):
    page, problems, _ = browser_page
    _open_topic(page, _topic_with_class(page, ["emerging", "growing"]))
    box = page.locator("#topic-detail #evidence")
    assert box.locator("h4").text_content() == "Why it rises"
    text = box.inner_text()
    assert "papers of 2025-09–2025-12 compared with its 300 earlier dated papers" in text
    assert "agentic 3.0% → 21% of its papers (9 of 300 earlier, 29 of 140 recent; elsewhere 2.0% → 5.0%)" in text
    assert "New sub-theme: tool use" in text
    assert "A group of 12 recent and 1 earlier papers" in text
    assert "tool use in 83% of its papers (10 of 12; 2.3% of the topic's other recent papers)" in text
    assert "recent median 31 (25 papers), earlier median 8 (15 papers)" in text
    titles = box.locator("ul.rep li").all_inner_texts()
    assert f"{XSS_EVIDENCE_TITLE} · 2025-11-03" in titles  # the hostile title, shown as text
    assert box.locator("b:has-text('planning')").count() == 0 and page.locator("img[src='x']").count() == 0
    screenshot(page, "topics", "topic-page-why-it-rises")

    _open_topic(page, _topic_with_class(page, ["fading", "declining"]))
    assert page.locator("#topic-detail #evidence h4").text_content() == "Why it fades"
    fading = page.locator("#topic-detail #evidence").inner_text()
    # a fading topic leads with the words that fell
    assert fading.index("gan 20% → 5.0%") < fading.index("agentic 3.0% → 21%")

    _open_topic(page, _topic_with_class(page, ["stable", "not enough dated papers"]))
    assert page.locator("#topic-detail #evidence").count() == 0
    assert page.evaluate("window.__xss") is None
    assert not problems, problems


def test_a_report_without_dates_or_map_opens_cleanly(browser, tmp_path):
    papers, topics, files = make_corpus(120, seed=5)
    papers = papers.drop(columns=["map_x", "map_y"]).assign(published="", date_low="", date_high="", date_precision="")
    path = build_report(tmp_path / "report.html", **run_stages(papers, topics, files).report_inputs())
    page, problems, network = open_report(browser, path)
    try:
        assert "No dated papers, so no trends." in page.locator("#trends").inner_text()
        assert page.locator("#topic-detail .papers-table tbody tr").count() >= 1
        assert not problems, problems
        assert not network
    finally:
        page.close()
