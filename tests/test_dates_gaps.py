"""The learned gap between first release and last revision: the table, the point estimate, the intervals it adds."""

import subprocess
import sys
import tomllib
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from analytics.dates.evidence import CONFIDENCE, Bound, combine_bounds
from analytics.dates.gaps import DEFAULT_GAP_TABLE, load_gap_table, revision_bounds
from analytics.dates.inference import assign_dates
from analytics.dates.stated import stated_dates
from analytics.dedupe import merge_records
from analytics.parsing import read_dump
from analytics.records import DateInfo, ParsedFile, Record

ROOT = Path(__file__).resolve().parent.parent
SORTED_UPDATED = ROOT / "data" / "samples" / "002_ee4e4be09cd55250.txt"
REAL = ROOT.parent / "shared" / "real"
if not REAL.exists():  # worktrees live one level deeper than the main checkout
    REAL = Path("/work/shared/real")
needs_real = pytest.mark.skipif(not REAL.exists(), reason="../shared/real not present")

GAPS = load_gap_table()


def day(iso, kind="published", **fields):
    return DateInfo(iso, kind, "dump", "day", iso, iso, **fields)


def papers_frame(rows):
    base = {"paper_id": "", "title": "", "abstract": "", "arxiv_id": "", "links": [], "sources": []}
    return pd.DataFrame([{**base, **row} for row in rows])


def write_gap_table(path: Path, median_all: int, q90_all: int, median_revised: int = 150, q90_revised: int = 700):
    levels = [0.5, 0.9]
    path.write_text(
        "[revision_gap]\n"
        f"quantile_levels = {levels}\n"
        "[revision_gap.all]\n"
        f"papers = 10\nnever_revised = 4\nmedian_days = {median_all}\nquantile_days = [{median_all}, {q90_all}]\n"
        "[revision_gap.revised]\n"
        f"papers = 6\nnever_revised = 0\nmedian_days = {median_revised}\n"
        f"quantile_days = [{median_revised}, {q90_revised}]\n"
    )
    return path


# ---------------------------------------------------------------- the table


def test_bundled_gap_table_loads_with_its_figures():
    raw = tomllib.loads(DEFAULT_GAP_TABLE.read_text())["revision_gap"]
    assert GAPS.all.papers == raw["all"]["papers"] >= 300
    assert GAPS.all.median_days == raw["all"]["median_days"]
    assert GAPS.revised.median_days == raw["revised"]["median_days"] > 30  # revisions come weeks to months later
    assert 0.9 in GAPS.levels and GAPS.days_at(GAPS.all, 0.9) == raw["all"]["quantile_days"][GAPS.levels.index(0.9)]
    assert 0 < GAPS.all.never_revised < GAPS.all.papers
    assert any("kaggle-arxiv-snapshot-head" in s for s in raw["sources"])


@pytest.mark.parametrize("broken, message", [
    ("[other]\nx = 1\n", "no \\[revision_gap\\] table"),
    ("[revision_gap]\nquantile_levels = [0.9, 0.5]\n", "quantile_levels must be increasing"),
    ("[revision_gap]\nquantile_levels = [0.5, 0.9]\n[revision_gap.all]\npapers = 3\nnever_revised = 1\n"
     "median_days = 0\nquantile_days = [40, 10]\n", "revision_gap.all.quantile_days must be 2 non-decreasing"),
    ("[revision_gap]\nquantile_levels = [0.5, 0.9]\n[revision_gap.all]\npapers = 3\nnever_revised = 1\n"
     "median_days = 0\nquantile_days = [0, 10]\n", "no \\[revision_gap.revised\\] table"),
    ("[revision_gap\n", "not valid TOML"),
    ("[revision_gap]\nquantile_levels = [0.5, 0.9]\n[revision_gap.all]\npapers = 0\nnever_revised = 0\n"
     "median_days = 0\nquantile_days = [0, 10]\n", "learned from no papers"),
])
def test_bad_gap_tables_name_the_file_and_the_problem(tmp_path, broken, message):
    path = tmp_path / "gaps.toml"
    path.write_text(broken)
    with pytest.raises(ValueError, match=message) as error:
        load_gap_table(path)
    assert str(path) in str(error.value)


@needs_real
def test_committed_table_is_what_the_script_learns_from_the_real_data():
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "learn_date_gaps.py"), "--check"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "up to date" in done.stdout


# ---------------------------------------------------------------- the point estimate


def test_an_interval_closed_by_a_last_revision_puts_the_point_near_it_not_mid_interval():
    # "The Era of 1-bit LLMs": named the Transformer (2017-06-12), last revised 2024-02-27; the midpoint said 2020-10-19
    transformer = Bound(date(2017, 6, 12), None, "text_evidence", 0.95, "names Transformer")
    upper, _ = revision_bounds(date(2024, 2, 27), None, GAPS, "last updated 2024-02-27")
    estimate = combine_bounds([transformer, upper])
    assert (estimate.low, estimate.high) == (date(2017, 6, 12), date(2024, 2, 27))
    assert estimate.point == date(2024, 2, 27) - timedelta(days=GAPS.all.median_days)
    assert date(2024, 2, 27) - estimate.point <= timedelta(days=120)  # months before the revision at most, not 2020
    assert "date_gaps.toml" in estimate.note and "point estimate" in estimate.note
    midpoint = combine_bounds([transformer, Bound(None, date(2024, 2, 27), "updated", 0.99, "last updated")])
    assert midpoint.point == date(2020, 10, 19)  # without the learned gap: the middle, as before


def test_the_1bit_llms_sample_paper_is_dated_near_its_last_revision():
    parsed = read_dump(SORTED_UPDATED)
    papers = merge_records(parsed.records)
    stated = stated_dates(parsed)
    era = papers.title.str.startswith("The Era of 1-bit LLMs")
    after = assign_dates(papers[era], stated).iloc[0]
    before = assign_dates(papers[era], stated, use_revision_gaps=False).iloc[0]
    assert (before.date_low, before.published, before.date_high) == ("2017-06-12", "2020-10-19", "2024-02-27")
    assert after.date_high == "2024-02-27" and after.date_inferred and after.date_kind == "published"
    assert date(2023, 11, 27) <= date.fromisoformat(after.published) <= date(2024, 2, 27)
    # the learned gap also bounds it below: 90% of papers were revised within the gap, not within 7 years
    assert after.date_low == (date(2024, 2, 27) - timedelta(days=GAPS.days_at(GAPS.all, 0.9))).isoformat()
    assert "revision_gap" in after.date_source and "median gap" in after.date_note


def test_the_point_follows_the_table_it_is_given(tmp_path):
    table = write_gap_table(tmp_path / "gaps.toml", median_all=30, q90_all=200)
    papers = papers_frame([{"paper_id": "p", "abstract": "We fine-tune Llama 2.", "sources": ["u.txt:0"]}])
    row = assign_dates(papers, {"u.txt:0": day("2024-03-31", "updated")}, gap_table=table).iloc[0]
    assert (row.date_low, row.published, row.date_high) == ("2023-09-13", "2024-03-01", "2024-03-31")
    assert "30 days before the last revision" in row.date_note
    # a gap longer than the interval is clipped into it (the lower bound here is Llama 2's release)
    table = write_gap_table(tmp_path / "gaps.toml", median_all=300, q90_all=900)
    row = assign_dates(papers, {"u.txt:0": day("2024-03-31", "updated")}, gap_table=table).iloc[0]
    assert (row.date_low, row.published) == ("2023-07-18", "2023-07-18") and "clipped" in row.date_note


def test_a_paper_without_a_last_revision_keeps_its_midpoint():
    papers = papers_frame([
        {"paper_id": "capture", "abstract": "We fine-tune Llama 2 with LoRA.", "sources": ["t.txt:0"]},
        {"paper_id": "horizon", "abstract": "We evaluate GPT-4.", "sources": ["h.txt:0"]},
        {"paper_id": "month", "arxiv_id": "2403.00001", "sources": ["a.txt:0"]},
    ])
    with_gap = assign_dates(papers, {}, capture_dates={"t.txt": "2024-01-31"}, horizon="2024-06-30")
    without = assign_dates(papers, {}, capture_dates={"t.txt": "2024-01-31"}, horizon="2024-06-30",
                           use_revision_gaps=False)
    pd.testing.assert_frame_equal(with_gap, without)
    rows = with_gap.set_index("paper_id")
    assert rows.loc["capture", "published"] == "2023-10-24"  # middle of [2023-07-18, 2024-01-31]
    assert rows.loc["horizon", "published"] == "2023-11-06"  # middle of [2023-03-14, 2024-06-30]
    assert rows.loc["month", "published"] == "2024-03-16"
    assert not rows.date_note.str.contains("gap").any()


# ---------------------------------------------------------------- intervals the gap adds (coverage)


def test_a_paper_known_only_by_its_last_revision_gets_a_publication_interval():
    papers = papers_frame([{"paper_id": "p", "abstract": "A method.", "sources": ["002.txt:0"]}])
    row = assign_dates(papers, {"002.txt:0": day("2024-05-02", "updated")}).iloc[0]
    widest = GAPS.days_at(GAPS.all, 0.9)
    assert (row.date_kind, bool(row.date_inferred), row.date_source) == ("published", True, "revision_gap+updated")
    assert (row.date_low, row.date_high) == ((date(2024, 5, 2) - timedelta(days=widest)).isoformat(), "2024-05-02")
    assert row.date_confidence == round(CONFIDENCE["revision_gap"] * CONFIDENCE["updated"], 3)
    assert widest < 400  # narrow enough for trends to count it


def test_a_metadata_update_day_sets_no_learned_interval():
    # an OAI snapshot's update_date is a metadata change, years after release: no gap applies
    papers = papers_frame([{"paper_id": "p", "abstract": "A method.", "sources": ["snap.jsonl:0"]}])
    row = assign_dates(papers, {"snap.jsonl:0": day("2008-11-26", "updated", metadata_update=True)}).iloc[0]
    assert (row.published, row.date_kind, bool(row.date_inferred)) == ("2008-11-26", "updated", False)


def test_a_metadata_update_day_with_text_evidence_is_a_plain_upper_bound_with_a_midpoint():
    papers = papers_frame([{"paper_id": "p", "abstract": "We improve GANs.", "sources": ["snap.jsonl:0"]}])
    row = assign_dates(papers, {"snap.jsonl:0": day("2016-06-10", "updated", metadata_update=True)}).iloc[0]
    assert (row.date_low, row.date_high, row.date_source) == ("2014-06-10", "2016-06-10", "text_evidence+update_date")
    assert row.published == "2015-06-10"  # the middle: no learned gap for metadata days


def test_version_one_means_the_last_update_is_the_first_release():
    papers = papers_frame([{"paper_id": "p", "abstract": "A method.", "sources": ["api.xml:0"]}])
    row = assign_dates(papers, {"api.xml:0": day("2022-02-24", "updated", version=1)}).iloc[0]
    assert (row.date_low, row.published, row.date_high) == ("2022-02-24", "2022-02-24", "2022-02-24")
    assert "version 1" in row.date_note
    # the negative case: without a version number the same day is a last revision of unknown age
    row = assign_dates(papers, {"api.xml:0": day("2022-02-24", "updated")}).iloc[0]
    assert row.date_low < "2022-02-24"


def test_a_revised_version_uses_the_gap_of_revised_papers():
    papers = papers_frame([{"paper_id": "p", "abstract": "A method.", "sources": ["api.xml:0"]}])
    row = assign_dates(papers, {"api.xml:0": day("2024-06-30", "updated", version=3)}).iloc[0]
    revision = date(2024, 6, 30)
    assert row.published == (revision - timedelta(days=GAPS.revised.median_days)).isoformat()
    assert row.date_low == (revision - timedelta(days=GAPS.days_at(GAPS.revised, 0.9))).isoformat()
    assert "revised arXiv papers" in row.date_note
    unknown = assign_dates(papers, {"api.xml:0": day("2024-06-30", "updated")}).iloc[0]
    assert unknown.published == (revision - timedelta(days=GAPS.all.median_days)).isoformat()
    assert unknown.published != row.published


def test_oai_versions_give_the_latest_version_day_and_number_before_the_metadata_day():
    record = Record("snap.jsonl", 0, 1, title="B", extra={
        "versions": [None, {"version": "v2", "created": "Tue, 24 Jul 2007 20:10:27 GMT"}],  # v1 unknown
        "update_date": "2008-11-26"})
    info = stated_dates(ParsedFile("snap.jsonl", "snap.jsonl", "arxiv_oai_jsonl", [record]))["snap.jsonl:0"]
    assert (info.date, info.kind, info.version, info.metadata_update) == ("2007-07-24", "updated", 2, False)
    record.extra["versions"] = [None]  # never revised, v1 unknown: only the metadata day is left
    info = stated_dates(ParsedFile("snap.jsonl", "snap.jsonl", "arxiv_oai_jsonl", [record]))["snap.jsonl:0"]
    assert (info.date, info.kind, info.version, info.metadata_update) == ("2008-11-26", "updated", None, True)


def test_arxiv_api_updated_day_carries_the_version_of_the_entry_id():
    record = Record("api.xml", 0, 1, title="B", extra={"updated": "2012-04-02T12:38:54Z", "version": 2})
    info = stated_dates(ParsedFile("api.xml", "api.xml", "arxiv_atom", [record]))["api.xml:0"]
    assert (info.date, info.kind, info.version, info.metadata_update) == ("2012-04-02", "updated", 2, False)
    record.extra.pop("version")
    info = stated_dates(ParsedFile("api.xml", "api.xml", "arxiv_atom", [record]))["api.xml:0"]
    assert info.version is None
