"""Dates read from the bundled sample dumps and the real export-format samples, through the real parser."""

from pathlib import Path

import pandas as pd
import pytest

from analytics.dates.coverage import date_coverage
from analytics.dates.inference import assign_dates
from analytics.dates.stated import file_dates, stated_dates
from analytics.dedupe import merge_records
from analytics.parsing import read_dump

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
REAL = ROOT.parent / "shared" / "real"
if not REAL.exists():  # worktrees live one level deeper than the main checkout
    REAL = Path("/work/shared/real")

HF_DAILY = SAMPLES / "004_504d9943657f3963.txt"
SORTED_UPDATED = SAMPLES / "002_ee4e4be09cd55250.txt"

needs_real = pytest.mark.skipif(not REAL.exists(), reason="../shared/real not present")


def by_title(parsed, stated):
    return {record.title: stated.get(record.source_ref) for record in parsed.records}


# ---------------------------------------------------------------- Hugging Face Daily Papers (004)


@pytest.fixture(scope="module")
def hf_daily():
    parsed = read_dump(HF_DAILY)
    return parsed, stated_dates(parsed)


def test_hf_daily_page_date_gets_its_year_from_the_explicit_years_on_the_page(hf_daily):
    parsed, _ = hf_daily
    dates = file_dates(parsed)
    assert parsed.context["page_date"] == "Oct 29"
    # explicit years go up to Nov 27, 2024 and the page omits years for its own year: Oct 29, 2025
    assert dates.capture.isoformat() == "2025-10-29" and dates.capture_inferred


def test_hf_daily_explicit_dates_are_stated_and_yearless_ones_inferred(hf_daily):
    parsed, stated = hf_daily
    kinds = pd.Series([(i.kind, i.inferred) for i in stated.values()]).value_counts().to_dict()
    assert kinds == {("published", False): 88, ("published", True): 9, ("captured", True): 1}
    dates = by_title(parsed, stated)
    btm = dates["Branch-Train-Merge: Embarrassingly Parallel Training of Expert Language Models"]
    assert (btm.date, btm.kind, btm.inferred) == ("2022-08-05", "published", False)


def test_hf_daily_yearless_dates(hf_daily):
    parsed, stated = hf_daily
    dates = by_title(parsed, stated)
    liger = dates["Liger: Linearizing Large Language Models to Gated Recurrent Structures"]  # written "Mar 3 2"
    assert (liger.date, liger.inferred) == ("2025-03-03", True)
    assert "without a year" in liger.note
    yearless = sorted(i.date for i in stated.values() if i.inferred and i.kind == "published")
    assert yearless == ["2025-01-19", "2025-02-01", "2025-03-03", "2025-05-13", "2025-05-31",
                        "2025-07-03", "2025-07-11", "2025-07-28", "2025-10-14"]


def test_hf_daily_upvote_count_does_not_change_the_date(hf_daily):
    parsed, stated = hf_daily
    record = next(r for r in parsed.records if r.date_text.startswith("Feb 16, 2024"))
    assert stated[record.source_ref].date == "2024-02-16"


def test_a_known_capture_day_overrides_the_guess(hf_daily):
    parsed, _ = hf_daily
    stated = stated_dates(parsed, capture_date="2026-10-30")
    assert sorted(i.date for i in stated.values() if i.inferred and i.kind == "published")[0] == "2026-01-19"


# ---------------------------------------------------------------- Sort by updated (002)


@pytest.fixture(scope="module")
def sorted_updated():
    parsed = read_dump(SORTED_UPDATED)
    return parsed, stated_dates(parsed)


def test_sort_by_updated_timestamps_are_last_revision_days(sorted_updated):
    parsed, stated = sorted_updated
    assert len(stated) == len(parsed.records) == 158
    assert {i.kind for i in stated.values()} == {"updated"}
    kan = by_title(parsed, stated)["KAN: Kolmogorov-Arnold Networks"]
    assert (kan.date, kan.kind, kan.inferred) == ("2024-05-02", "updated", False)


def test_updated_papers_get_an_inferred_publication_never_a_stated_one(sorted_updated):
    parsed, stated = sorted_updated
    papers = assign_dates(merge_records(parsed.records), stated)
    updated_day = {r.title: stated[r.source_ref].date for r in parsed.records}
    for row in papers.itertuples():
        # publication inferred from the learned gap (and text evidence), capped by the update day
        assert (row.date_kind, bool(row.date_inferred)) == ("published", True)
        assert row.date_high == updated_day[row.title] and row.date_low <= row.published <= row.date_high
        assert "date_gaps.toml" in row.date_note
    without_gap = assign_dates(merge_records(parsed.records), stated, use_revision_gaps=False)
    kinds = without_gap.date_kind.value_counts().to_dict()
    assert kinds["updated"] > 0 and kinds["published"] > 0  # before the gap: update days stayed update days


# ---------------------------------------------------------------- all samples together


def test_sample_coverage_and_duplicates():
    parsed_files = [read_dump(path) for path in sorted(SAMPLES.iterdir())]
    stated = {}
    for parsed in parsed_files:
        stated.update(stated_dates(parsed))
    papers = merge_records([r for parsed in parsed_files for r in parsed.records])
    dated = assign_dates(papers, stated)
    coverage = date_coverage(dated, by="source_file")
    overall = coverage["overall"]
    assert overall["papers"] == len(papers)
    assert overall["stated"] + overall["inferred"] + overall["undated"] == len(papers)
    assert overall["stated"] >= 88  # 004 stated days
    # update days are last revisions: their papers get inferred publication intervals, so none is left as such
    assert overall["by_kind"].get("updated", 0) == 0
    assert coverage["groups"]["002_ee4e4be09cd55250.txt"]["papers"] == 158
    # a paper on a trending page (no dates) and on the daily page takes its date from the daily copy
    duplicates = dated[dated.date_source == "duplicate"].set_index("title")
    assert len(duplicates) == 3
    for row in duplicates.itertuples():
        assert row.sources[0] not in stated and f"from copy {row.sources[1]}" in row.date_note
        assert not row.date_inferred and row.date_kind == "published"
    # two trending-page papers also listed by update day: publication inferred from the other copy's update
    from_update = dated[dated.sources.map(len).gt(1) & dated.date_source.str.contains("updated")]
    assert len(from_update) == 2
    for row in from_update.itertuples():
        assert row.date_inferred and f"({row.sources[1]})" in row.date_note


# ---------------------------------------------------------------- real export formats


@needs_real
def test_kaggle_snapshot_v1_is_the_publication_day():
    parsed = read_dump(REAL / "kaggle-arxiv-snapshot-head" / "arxiv-metadata-oai-snapshot.head.jsonl")
    stated = stated_dates(parsed)
    assert len(stated) == 200 and {i.kind for i in stated.values()} == {"published"}
    first = parsed.records[0]
    assert first.arxiv_id == "0704.0001" and stated[first.source_ref].date == "2007-04-02"
    # v1 days of the first 0704 ids fall on the weekend before April: the id month is not the v1 month
    assert sum(i.date.startswith("2007-03") for i in stated.values()) == 43


@needs_real
@pytest.mark.parametrize(
    "path, published, capture",
    [
        ("arxiv-api-atom/new_2026/id_1707.08567_s0_m100_6a1afebfc6a3.body.xml", "2017-07-27", "2026-04-12"),
        ("arxiv-api-atom/old_2016/id_list=1111.2011v2.xml", "2011-11-08", "2016-10-09"),
    ],
)
def test_arxiv_atom_published_and_feed_day(path, published, capture):
    parsed = read_dump(REAL / path)
    info = stated_dates(parsed)[parsed.records[0].source_ref]
    assert (info.date, info.kind) == (published, "published")
    assert file_dates(parsed).capture.isoformat() == capture


@needs_real
def test_semantic_scholar_paper_date():
    parsed = read_dump(REAL / "semantic-scholar-api" / "fixtures" / "Paper.json")
    info = stated_dates(parsed)[parsed.records[0].source_ref]
    assert (info.date, info.kind, info.precision) == ("1950-10-01", "published", "day")


@needs_real
def test_daily_listing_file_gives_the_listing_day():
    parsed = read_dump(REAL / "arxiv-daily-cs-cv-cl" / "data" / "2025-03-18.jsonl.gz")
    stated = stated_dates(parsed)
    assert len(stated) == len(parsed.records) > 400
    assert {(i.date, i.kind, i.source) for i in stated.values()} == {("2025-03-18", "listed", "file_name")}
    dated = assign_dates(merge_records(parsed.records), stated)
    assert set(dated.date_kind) == {"listed"} and not dated.date_inferred.any()


@needs_real
def test_undated_csv_gets_months_from_arxiv_ids_including_old_style():
    parsed = read_dump(REAL / "arxiv-cs-sample-100" / "sample.csv")
    stated = stated_dates(parsed)
    assert stated == {}
    dated = assign_dates(merge_records(parsed.records), stated).set_index("arxiv_id")
    assert dated.date_inferred.all() and (dated.date_kind == "published").all()
    assert (dated.loc["1801.00779", "date_low"], dated.loc["1801.00779", "date_high"]) == ("2018-01-01", "2018-01-31")
    assert (dated.loc["cs/0109111", "date_low"], dated.loc["cs/0109111", "date_high"]) == ("2001-09-01", "2001-09-30")
    assert set(dated.date_source) == {"arxiv_id"}
