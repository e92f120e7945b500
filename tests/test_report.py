"""The HTML report as a file: self-contained, one plotly.js, untrusted text escaped, all data present.

The inputs are what the flow hands over: the synthetic corpus's papers and topics, the trends stage's
result (analyse_trends) and the run summary (build_run_summary), built by tests.synthetic_corpus.run_stages.
"""

from __future__ import annotations

import dataclasses
import json
import re

import numpy as np
import pandas as pd
import pytest
from markupsafe import escape

from analytics.records import Problem
from reports import build_report
from reports.figures import sample_map_points
from reports.html_report import script_json
from tests.synthetic_corpus import (
    XSS_EVIDENCE_TITLE,
    XSS_LABEL,
    XSS_TITLE,
    make_corpus,
    make_evidence,
    run_stages,
)

CHANGES = {
    "new_papers": 37,
    "new_topics": [3],
    "fastest_growing": [{"topic_id": 0, "label": "machine unlearning", "growth_per_year": 1.3}],
}


@pytest.fixture(scope="module")
def corpus():
    """papers, topics and the dumps they were read from (ParsedFile)."""
    return make_corpus(300, seed=3)


@pytest.fixture(scope="module")
def run(corpus):
    """The corpus through the flow's stages: papers.csv's table, topics, TrendsResult, RunSummary."""
    return run_stages(*corpus)


@pytest.fixture(scope="module")
def report_html(corpus, tmp_path_factory):
    staged = run_stages(*corpus, changes=CHANGES)
    path = build_report(tmp_path_factory.mktemp("report") / "report.html", **staged.report_inputs())
    return path.read_text(encoding="utf-8")


def section(html: str, name: str) -> str:
    return re.search(rf'<section id="{name}" class="section">(.*?)</section>', html, re.S).group(1)


def payload_of(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S)
    assert match, "the report carries its data in one JSON script element"
    return json.loads(match.group(1))


def test_report_is_self_contained_with_one_plotly(report_html):
    assert len(re.findall(r"plotly\.js v\d", report_html)) == 1  # the bundle's banner: inlined exactly once
    assert not re.search(r"<script[^>]*\bsrc=", report_html, re.I)
    assert not re.search(r"<link\b", report_html, re.I)
    assert "fonts.googleapis" not in report_html and "@import" not in report_html
    assert re.search(r"default-src 'none'", report_html)  # the page may not load anything from anywhere


def test_every_section_is_there(report_html):
    for section in ("overview", "map", "trends", "growth", "topics", "quality"):
        assert f'<section id="{section}"' in report_html
    payload = payload_of(report_html)
    assert set(payload["figures"]["trends"]) == {"share|all", "count|all", "share|stated", "count|stated"}
    assert {"map", "heatmap", "leaderboard", "dated"} <= set(payload["figures"])


def test_untrusted_text_never_appears_as_markup(report_html):
    lowered = report_html.lower()
    assert "<img src=x" not in lowered
    assert "<script>window.__xss" not in lowered
    assert str(escape(XSS_LABEL)) in report_html  # static tables: escaped (by the templates' autoescape)
    payload = payload_of(report_html)
    assert payload["papers"]["title"][0] == XSS_TITLE  # ...and intact as data, for the page to show as text
    labels = [t["label"] for t in payload["topics"]]
    assert XSS_LABEL in labels
    # Plotly renders some tags in labels; what goes to Plotly is entity-escaped.
    heatmap_labels = payload["figures"]["heatmap"]["data"][0]["y"]
    assert any(label.startswith("&lt;img src=x") for label in heatmap_labels)


def test_script_json_cannot_close_the_script_element():
    text = script_json({"t": "</script><script>alert(1)</script> & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text)["t"] == "</script><script>alert(1)</script> & \u2028"


def test_payload_holds_every_paper_and_topic(report_html, run):
    papers, topics = run.papers, run.topics
    payload = payload_of(report_html)
    table = payload["papers"]
    assert len(table["title"]) == len(papers) == len(table["date"]) == len(table["topic"]) == len(table["src"])
    assert sorted({t["id"] for t in payload["topics"]}) == sorted(set(papers["topic_id"]) | set(topics["topic_id"]))
    # Sources are stored against a file list; decoding gives back exactly what papers.csv says.
    decoded = [
        ";".join(f"{payload['files'][int(ref.split(':')[0])]}:{ref.split(':')[1]}" for ref in encoded.split(";"))
        for encoded in table["src"][:20]
    ]
    assert decoded == papers["sources"].head(20).tolist()
    # Dates show as precisely as they are known.
    month_only = papers.index[papers["date_precision"] == "month"][0]
    assert table["date"][month_only] == papers.loc[month_only, "published"][:7]
    undated = papers.index[papers["published"] == ""][0]
    assert table["date"][undated] == ""


def test_overview_numbers_and_changes(report_html, run):
    assert f'<div class="card-value">{len(run.papers):,}</div>' in report_html
    assert f'<div class="card-value">{len(run.summary.files):,}</div>' in report_html
    assert f"{run.summary.totals.records:,} records read" in report_html
    assert "<b>37</b> new papers since the previous run" in report_html
    assert 'href="#topic-3"' in report_html and "growth per year: 1.3" in report_html


def test_first_run_says_there_is_nothing_to_compare(run, tmp_path):
    html = build_report(tmp_path / "r.html", **run.report_inputs()).read_text()
    assert "first run on this store" in html


def test_growth_tables_and_rule(report_html):
    assert 'id="rising-table"' in report_html and 'id="fading-table"' in report_html
    assert "binomial regression" in report_html and "not enough dated papers" in report_html
    glance = re.search(r'id="glance".*?</div>', report_html, re.S).group(0)  # first screen: rising and fading
    assert re.search(r'href="#topic-\d+">[^<]+</a> <span class="badge cls-(emerging|growing)"', glance)
    rising = re.search(r'id="rising-table".*?</table>', report_html, re.S).group(0)
    assert re.search(r'class="badge cls-(emerging|growing)"', rising)


def test_quality_lists_every_dump_and_its_problems(report_html, run):
    dumps = re.search(r'id="dumps-table".*?</table>', report_html, re.S).group(0)
    assert dumps.count("<tr>") == len(run.summary.files) + 1  # + header
    problems = sum(len(f.problems) for f in run.summary.files)
    assert f"Problems ({problems:,})" in report_html
    assert "&lt;b&gt;May 31&lt;/b&gt;" in report_html  # problem messages quote dump text: escaped


def test_same_inputs_same_file(run, tmp_path):
    first = build_report(tmp_path / "a.html", **run.report_inputs()).read_bytes()
    second = build_report(tmp_path / "b.html", **run.report_inputs()).read_bytes()
    assert first == second


def test_the_report_reads_how_trends_counted_from_the_result_not_from_frame_attrs(run, tmp_path):
    """The period, the include_inferred choice and the papers the toggle adds come from TrendsResult's
    settings; the frames' attrs (lost on any copy or CSV round trip) are not read."""
    frames = {name: getattr(run.trends, name).copy() for name in ("trends", "trends_all", "trends_stated")}
    for frame in frames.values():
        frame.attrs.clear()
    trends = dataclasses.replace(run.trends, **frames)
    html = build_report(tmp_path / "r.html", **dict(run.report_inputs(), trends=trends)).read_text()
    assert html == build_report(tmp_path / "s.html", **run.report_inputs()).read_text()
    payload = payload_of(html)
    settings = run.trends.settings
    assert payload["meta"]["period"] == settings.period and payload["meta"]["include_inferred"] is settings.include_inferred
    assert payload["timeline"]["periods"] == sorted(run.trends.trends["period"].unique().tolist())
    left_out = run.trends.settings_all.papers_used - run.trends.settings_stated.papers_used
    assert left_out > 0 and f"({left_out:,} papers)" in section(html, "trends")


def test_large_corpora_sample_the_map_but_keep_every_topic():
    rng = np.random.default_rng(0)
    topic_ids = np.concatenate([np.zeros(9000, int), np.ones(900, int), np.full(40, 2), np.full(60, -1)])
    rng.shuffle(topic_ids)
    has_xy = np.ones(len(topic_ids), bool)
    has_xy[:10] = False
    shown = sample_map_points(topic_ids, has_xy, max_points=1000, seed=1)
    assert len(shown) <= 1000 and len(set(shown)) == len(shown)
    assert not set(shown) & set(range(10))  # papers without coordinates are never drawn
    kept = {t: int((topic_ids[shown] == t).sum()) for t in (0, 1, 2, -1)}
    assert kept[2] == 40 and kept[-1] >= 50 and kept[1] >= 50  # small topics stay visible
    assert np.array_equal(shown, sample_map_points(topic_ids, has_xy, max_points=1000, seed=1))
    assert len(sample_map_points(topic_ids, has_xy, max_points=20000)) == len(topic_ids) - 10


def test_map_points_are_capped_in_the_report(run, tmp_path):
    html = build_report(tmp_path / "r.html", **run.report_inputs(), max_map_points=120).read_text()
    payload = payload_of(html)
    assert payload["meta"]["map_points"] <= 120
    drawn = sum(len(trace["customdata"]) for trace in payload["figures"]["map"]["data"])
    assert drawn == payload["meta"]["map_points"]
    assert "Showing a sample of" in html


def test_papers_per_format_count_each_paper_once(corpus, tmp_path):
    papers, topics, files = corpus
    staged = run_stages(papers, topics, [dataclasses.replace(f, format="arxiv_jsonl") for f in files])
    html = build_report(tmp_path / "r.html", **staged.report_inputs()).read_text()
    formats = re.search(r'id="formats-table".*?</table>', html, re.S).group(0)
    row = re.search(r"<td>arxiv_jsonl</td>(.*?)</tr>", formats, re.S).group(1)
    cells = [re.sub(r"<.*?>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
    dumps, records, n_papers, _, _, undated = cells[:6]
    assert int(n_papers.replace(",", "")) == len(papers)  # papers listed by several dumps count once
    assert undated.startswith(f"{int((papers['published'] == '').sum()):,}")


def test_a_run_without_dates_or_map_still_gives_a_report(corpus, tmp_path):
    papers, topics, files = corpus
    undated = papers.drop(columns=["map_x", "map_y"]).assign(published="", date_low="", date_high="", date_precision="")
    html = build_report(tmp_path / "r.html", **run_stages(undated, topics, files).report_inputs()).read_text()
    assert "No dated papers, so no trends." in html and "No map coordinates in this run." in html
    assert "no dated papers" in html  # the date span card
    payload = payload_of(html)
    assert all(t["cls"] == "not enough dated papers" for t in payload["topics"])


def test_growth_evidence_reaches_rising_and_fading_topic_pages_as_data(run, tmp_path):
    evidence = make_evidence(run.papers, run.trends.growth)
    html = build_report(tmp_path / "r.html", **run.report_inputs(), evidence=evidence).read_text()
    payload = payload_of(html)
    with_evidence = {t["id"]: t for t in payload["topics"] if t["evidence"]}
    classes = {t["id"]: t["cls"] for t in payload["topics"]}
    assert set(with_evidence) == {e["topic_id"] for e in evidence["topics"]} and with_evidence
    assert {classes[t] for t in with_evidence} <= {"emerging", "growing", "declining", "fading"}
    box = next(iter(with_evidence.values()))["evidence"]
    assert box["rising_terms"][0]["term"] == "agentic"
    assert (box["rising_terms"][0]["earlier_share"], box["rising_terms"][0]["recent_share"]) == (0.03, 0.2071)
    assert box["closest_recent"][0]["title"] == XSS_EVIDENCE_TITLE  # intact as data, for the page to show as text
    assert box["sub_theme"]["closest"][0]["title"] == XSS_EVIDENCE_TITLE
    assert box["upvotes"]["median_recent"] == 31.0
    assert payload["meta"]["evidence_periods"] == ["2025-09", "2025-10", "2025-11", "2025-12"]
    assert "window.__xss=5" in html and "<img src=x onerror=\"window.__xss=5" not in html.lower()
    assert all(t["evidence"] is None for t in payload["topics"] if t["id"] not in with_evidence)


def test_changes_after_a_refit_say_what_moved_and_what_vanished(corpus, tmp_path):
    """The overview of a refit: how many earlier papers kept their topic, new topics with where they came
    from, vanished topics with where their papers went (analytics.incremental.changes)."""
    changes = {
        "previous_run": "r1", "mode": "refit", "new_papers": 156, "previous_papers_kept_topic": 349,
        "previous_papers_moved": 30, "previous_papers_kept_share": 0.9208, "topics_kept": 14,
        "new_topics": [{"topic_id": 3, "status": "split", "from": "1: Graph neural networks"}],
        "fastest_growing": [], "vanished_topics": 1,
        "vanished": [{"label": "7: Program synthesis", "papers_went": "12 to Agents, 3 to Reasoning"}],
    }
    staged = run_stages(*corpus, changes=changes)
    html = build_report(tmp_path / "r.html", **staged.report_inputs()).read_text(encoding="utf-8")
    assert "topics were fitted again" in html
    assert "<b>349</b> of 379 earlier papers (92%) kept their topic; <b>30</b> moved." in html
    assert 'href="#topic-3"' in html and "from: 1: Graph neural networks" in html
    assert "7: Program synthesis" in html and "papers went: 12 to Agents, 3 to Reasoning" in html
    assert "previous papers moved" not in html  # shown in the sentence, not again as a raw key


def test_at_a_glance_names_coverage_changes_and_lists_only_judged_verdicts(run, tmp_path):
    """When the dumps' coverage changed, the first screen says so (and how verdicts deal with it); topics whose
    change is explained by coverage are not listed as rising or fading."""
    growth = run.trends.growth.copy()
    explained = int(growth.loc[growth["topic_id"] != -1, "topic_id"].iloc[0])
    growth.loc[growth["topic_id"] == explained, "growth_class"] = "explained by coverage"
    coverage = {"stratified_by": "primary arXiv category", "changes": [
        {"stratum": "cs.IT", "kind": "entered", "period": "2026-01", "share_before": 0.0, "share_after": 0.04,
         "sentence": "cs.IT enters the dumps in 2026-01 (0.0% of dated papers before, 4.0% from then on)"}]}
    html = build_report(tmp_path / "r.html", papers=run.papers, topics=run.topics,
                        trends=dataclasses.replace(run.trends, growth=growth),
                        summary=run.summary.model_copy(update={"coverage": coverage})).read_text(encoding="utf-8")
    glance = html[html.index('id="glance"'):html.index("see Growth for intervals and the rule")]
    assert "The dumps&#x27; coverage changed" in glance or "The dumps' coverage changed" in glance
    assert "cs.IT enters the dumps in 2026-01" in glance and "within the same primary arXiv category" in glance
    assert f'href="#topic-{explained}"' not in glance


def test_topic_pages_list_representative_papers_as_rows_in_the_pipelines_format(run, tmp_path):
    """The topics stage writes representative titles joined by ' | ' and their ids, ';'-joined, in
    `representative_ids`: the topic page shows them as paper rows (the ids resolved to the papers), not as a
    paragraph of joined titles."""
    topics = run.topics
    assert topics["representative_papers"].str.contains(" | ", regex=False).all()
    payload = payload_of(build_report(tmp_path / "r.html", **run.report_inputs()).read_text())
    ids = dict(zip(topics["topic_id"], topics["representative_ids"]))
    titles = dict(zip(topics["topic_id"], topics["representative_papers"]))
    paper_ids = run.papers["paper_id"].tolist()
    for topic in payload["topics"]:
        if topic["id"] == -1:
            assert topic["rep"] == []
            continue
        assert topic["rep_text"] == "" and len(topic["rep"]) == min(3, topic["size"]), topic["label"]
        assert [paper_ids[row] for row in topic["rep"]] == ids[topic["id"]].split(";")
        shown = [payload["papers"]["title"][row] for row in topic["rep"]]
        assert shown == [" ".join(t.split()) for t in titles[topic["id"]].split(" | ")]


def test_topics_without_a_quality_measure_are_not_flagged(corpus, tmp_path):
    """A run that could not measure its topics (no ONNX model) writes no coherence_margin or weak columns."""
    papers, topics, files = corpus
    staged = run_stages(papers, topics.drop(columns=["coherence_margin", "weak"]), files)
    html = build_report(tmp_path / "r.html", **staged.report_inputs()).read_text()
    assert "mixed topic</span>" not in html and staged.summary.topic_quality is None


def _first_topic_weak(topics: pd.DataFrame) -> tuple[pd.DataFrame, list[int]]:
    """The topic table with its first topic under the weak margin (0.03) and the others well above."""
    topics = topics.copy()
    ids = topics["topic_id"].astype(int).tolist()
    topics["coherence_margin"] = [0.03 if t == ids[0] else 0.2 for t in ids]
    topics["weak"] = [t == ids[0] for t in ids]
    return topics, ids


def test_a_weak_topic_is_marked_mixed_and_the_others_are_not(corpus, tmp_path):
    papers, topics, files = corpus
    topics, ids = _first_topic_weak(topics)
    html = build_report(tmp_path / "r.html", **run_stages(papers, topics, files).report_inputs()).read_text()
    # in the table of all topics, and in the rising/fading table when the topic is listed there
    rows = re.findall(r'<tr><td(?: class="topic-cell")?><a href="#topic-(\d+)">.*?</tr>', html, re.S)
    flagged = {int(t) for t, row in zip(rows, re.findall(r'<tr><td(?: class="topic-cell")?><a href="#topic-\d+">.*?</tr>',
                                                          html, re.S)) if ">mixed topic</span>" in row}
    assert flagged == {ids[0]}
    assert 'title="coherence margin 0.03: its papers are barely closer' in html


def test_topic_pages_carry_the_mixed_topic_and_vague_label_flags(corpus, tmp_path):
    papers, topics, files = corpus
    topics, ids = _first_topic_weak(topics)
    topics["label_coverage"] = [0.9] * len(ids)
    topics["label_exclusivity"] = [0.08 if t == ids[1] else 0.7 for t in ids]
    topics["label_specific"] = [t != ids[1] for t in ids]
    html = build_report(tmp_path / "r.html", **run_stages(papers, topics, files).report_inputs()).read_text()
    by_id = {t["id"]: t for t in payload_of(html)["topics"]}
    assert by_id[ids[0]]["weak"].startswith("coherence margin 0.03") and by_id[ids[1]]["weak"] is None
    assert by_id[ids[1]]["vague_label"].startswith("90% of its papers use the label's words and 8% of the papers")
    assert [t for t in by_id if by_id[t]["vague_label"]] == [ids[1]]


def test_at_a_glance_leaves_out_a_rising_topic_marked_mixed(corpus, run, tmp_path):
    """A mixed topic's share can rise because it gathers unrelated papers: the first screen does not lead with it."""
    papers, topics, files = corpus
    growth = run.trends.growth
    rising = growth[(growth["topic_id"] != -1) & growth["growth_class"].isin(["emerging", "growing"])]
    assert not rising.empty
    mixed_id = int(rising["topic_id"].iloc[0])
    topics = topics.copy()
    topics["coherence_margin"] = [0.03 if int(t) == mixed_id else 0.2 for t in topics["topic_id"]]
    topics["weak"] = [int(t) == mixed_id for t in topics["topic_id"]]
    html = build_report(tmp_path / "r.html", **run_stages(papers, topics, files).report_inputs()).read_text(encoding="utf-8")
    glance = html[html.index('id="glance"'):html.index("see Growth for intervals and the rule")]
    assert f'href="#topic-{mixed_id}"' not in glance and 'Left out: 1 rising or fading topic(s) marked' in glance


def test_a_verdict_its_words_do_not_bear_out_is_marked_and_left_off_at_a_glance(corpus, run, tmp_path):
    """Relabel a rising topic with a word every topic's titles use at random: the papers using it do not rise, so
    the verdict is not borne out; Growth marks it, its page says why, the first screen leaves it off. The topics
    whose words do rise keep their place there, each with its words check."""
    papers, topics, files = corpus
    growth = run.trends.growth
    rising = growth[(growth["topic_id"] != -1) & growth["growth_class"].isin(["emerging", "growing"])]
    relabelled = int(rising["topic_id"].iloc[0])
    topics = topics.copy()
    topics.loc[topics["topic_id"] == relabelled, "label"] = "Attention"
    staged = run_stages(papers, topics, files)
    checked = staged.trends.growth.set_index("topic_id")
    assert checked.loc[relabelled, "words_check"] == "not borne out"
    html = build_report(tmp_path / "r.html", **staged.report_inputs()).read_text(encoding="utf-8")
    glance = html[html.index('id="glance"'):html.index("see Growth for intervals and the rule")]
    assert f'href="#topic-{relabelled}"' not in glance and "Left out: 1 rising or fading topic(s) whose verdict" in glance
    borne_out = [int(t) for t in checked.index[checked["words_check"] == "borne out"] if f'href="#topic-{t}"' in glance]
    assert borne_out and len(re.findall("Its words: [×÷]", glance)) == len(borne_out)
    assert 'class="flag words"' in section(html, "growth")
    page = {t["id"]: t for t in payload_of(html)["topics"]}[relabelled]
    assert page["words"] == "not borne out by its words" and '"attention"' in page["words_reason"]


HOSTILE = """<script>window.__xss='9'</script>"x"&"""


def test_text_from_dumps_is_escaped_in_every_section_by_the_templates(corpus, run, tmp_path):
    """A topic label, a dump's file name, a problem message, a vanished topic, a package version and the title
    carrying a <script>: each shows as text wherever a section renders it, escaped by Jinja's autoescape
    (markupsafe writes ' and " as &#39; and &#34;), once (no &amp;lt;), and no script element comes of it."""
    papers, topics, files = corpus
    growth = run.trends.growth
    rising_id = int(growth.loc[growth["growth_class"].isin(["emerging", "growing"]), "topic_id"].iloc[0])
    topics = topics.copy()
    topics.loc[topics["topic_id"] == rising_id, "label"] = f"{HOSTILE} label"
    old_name = files[0].file
    new_name = f"{HOSTILE}{old_name}"
    papers = papers.assign(sources=papers["sources"].str.replace(f"{old_name}:", f"{new_name}:", regex=False))
    files = [dataclasses.replace(files[0], file=new_name, problems=[Problem(new_name, f"{HOSTILE} message", line=1)]),
             *files[1:]]
    changes = {"mode": "refit", "new_papers": 3, "new_topics": [rising_id], "fastest_growing": [],
               "vanished": [{"label": f"{HOSTILE} vanished", "papers_went": "none left"}]}
    staged = run_stages(papers, topics, files, changes=changes, versions={"topictrends": HOSTILE})
    html = build_report(tmp_path / "r.html", **staged.report_inputs(), title=f"{HOSTILE} title").read_text()

    escaped = str(escape(HOSTILE))
    assert escaped == "&lt;script&gt;window.__xss=&#39;9&#39;&lt;/script&gt;&#34;x&#34;&amp;"
    assert len(re.findall(r"<script\b", html)) == 3  # the data, plotly.js, the page script: nothing else
    assert "<script>window.__xss" not in html and "&amp;lt;" not in html
    head = html[:html.index("<main>")]
    assert f"<title>{escaped} title</title>" in head and f'<div class="brand">{escaped} title</div>' in head
    overview = section(html, "overview")
    assert f'<a href="#topic-{rising_id}">{escaped} label</a>' in overview  # At a glance and the new topics
    assert overview.count(f"{escaped} label") == 2 and f"<li>{escaped} vanished" in overview
    growth = section(html, "growth")
    assert f'<a href="#topic-{rising_id}">{escaped} label</a>' in growth
    # the rising table, the table of all topics, and the check of its verdict against its words there
    assert growth.count(f"{escaped} label") == 3
    quality = section(html, "quality")
    assert f"<td>{escaped}{old_name}</td>" in quality and quality.count(f"{escaped}{old_name}") == 2  # dumps, problems
    assert f"<td>{escaped} message</td>" in quality
    assert f"topictrends {escaped}</footer>" in html
    # the page script's data keeps the text as it is, to show with textContent
    payload = payload_of(html)
    assert f"{HOSTILE} label" in [t["label"] for t in payload["topics"]] and new_name in payload["files"]
