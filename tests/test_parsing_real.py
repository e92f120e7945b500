"""Each real export format, read from ../shared/real (skipped when that folder is absent)."""

from __future__ import annotations

import gzip
import os
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from analytics.dates.stated import file_dates
from analytics.parsing import read_dump as _read_dump

# ../shared/real next to the project; TOPICTRENDS_REAL_DATA overrides it (e.g. from a git worktree).
REAL = Path(os.environ.get("TOPICTRENDS_REAL_DATA") or Path(__file__).resolve().parents[1] / ".." / "shared" / "real")

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real is not available"),
]


@cache
def read(relative: str):
    return _read_dump(REAL / relative)


def test_daily_arxiv_listing_jsonl_gz():
    parsed = read("arxiv-daily-cs-cv-cl/data/2025-07-06.jsonl.gz")
    assert parsed.format == "arxiv_daily_jsonl"
    lines = gzip.decompress((REAL / "arxiv-daily-cs-cv-cl/data/2025-07-06.jsonl.gz").read_bytes()).decode().splitlines()
    assert len(parsed.records) == len(lines) == 190
    assert parsed.problems == []
    assert file_dates(parsed).listing == date(2025, 7, 6)  # the listing day, from the file name
    first = parsed.records[0]
    assert first.arxiv_id == "2507.02257"
    assert first.title == "Gbake: Baking 3D Gaussian Splats into Reflection Probes"
    assert first.authors == ["Stephen Pasch", "Joel K. Salzman", "Changxi Zheng"]
    assert first.author_count == 3
    assert first.categories == ["cs.GR"]
    assert first.links == ["https://arxiv.org/abs/2507.02257", "https://arxiv.org/pdf/2507.02257"]
    assert first.extra["comment"] == "SIGGRAPH 2025 Posters"
    # hard line wraps undone, nothing else changed
    assert first.abstract.startswith("The growing popularity of 3D Gaussian Splatting has created the need to integrate traditional")
    assert first.abstract.endswith("in the Unity game engine.")
    assert "\n" not in first.abstract
    assert parsed.records[1].categories == ["cs.GR", "cs.CV"]  # primary first


def test_kaggle_oai_snapshot_json_lines():
    parsed = read("kaggle-arxiv-snapshot-head/arxiv-metadata-oai-snapshot.head.jsonl")
    assert parsed.format == "arxiv_oai_jsonl"
    assert len(parsed.records) == 200
    assert parsed.problems == []
    first = parsed.records[0]
    assert first.arxiv_id == "0704.0001"
    assert first.title == "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    assert first.authors == ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan"]
    assert first.categories == ["hep-ph"]
    assert first.abstract.startswith("A fully differential calculation in perturbative quantum chromodynamics is presented")
    assert (first.date_text, first.date_kind) == ("Mon, 2 Apr 2007 19:18:42 GMT", "published")
    assert first.extra["update_date"] == "2008-11-26"
    assert [v["version"] for v in first.extra["versions"]] == ["v1", "v2"]
    assert first.extra["doi"] == "10.1103/PhysRevD.76.013009"
    assert parsed.records[1].categories == ["math.CO", "cs.CG"]


def test_arxiv_atom_current_layout():
    parsed = read("arxiv-api-atom/new_2026/id_1605.08386_s0_m100_199195aa31ad.body.xml")
    assert parsed.format == "arxiv_atom"
    [record] = parsed.records
    assert record.arxiv_id == "1605.08386"
    assert record.title == "Heat-bath random walks with Markov bases"
    assert record.authors == ["Caprice Stanley", "Tobias Windisch"]
    assert record.categories == ["math.CO", "math.ST"]
    assert (record.date_text, record.date_kind) == ("2016-05-26T17:59:46Z", "published")
    assert record.extra["updated"] == "2016-05-26T17:59:46Z"
    assert record.extra["comment"] == "20 pages, 3 figures"
    assert "https://arxiv.org/pdf/1605.08386v1" in record.links
    assert record.line == 10
    assert len(read("arxiv-api-atom/new_2026/q_testing_s0_m100_cfe7536492ca.body.xml").records) == 100


def test_arxiv_atom_old_layout_and_old_style_ids():
    parsed = read("arxiv-api-atom/old_2016/id_list=1111.2011v2.xml")
    [record] = parsed.records
    assert record.arxiv_id == "1111.2011"
    assert record.title == "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    assert record.authors == ["James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic"]
    assert record.extra["journal_ref"] == "Phys. Rev. B 85, 115117 (2012)"
    assert record.extra["updated"] == "2012-04-02T12:38:54Z"
    assert len(read("arxiv-api-atom/old_2016/search_query=au_del_maestro.xml").records) == 10
    old_id = read("arxiv-api-atom/new_2026/id_astro-ph_0601001_s0_m100_3150dca9dc76.body.xml").records[0]
    assert old_id.arxiv_id == "astro-ph/0601001"


def test_arxiv_atom_empty_result_and_error_body_are_reported_not_records():
    empty = read("arxiv-api-atom/new_2026/id_0000.0000_s0_m100_8b51d9633a68.body.xml")
    assert empty.records == []
    assert any("no entries (totalResults 0)" in p.message for p in empty.problems)
    error = read("arxiv-api-atom/new_2026/id_abc_s0_m100_b79c8dcf6bc3.body.xml")
    assert error.records == []
    assert any("incorrect id format for abc" in p.message and p.line == 9 for p in error.problems)
    recorded = read("arxiv-api-atom/new_2026/id_abc_s0_m100_b79c8dcf6bc3.json")
    assert recorded.format == "http_error"
    assert "status 400" in recorded.problems[0].message
    # A recorded 200 response reads like the bare body.
    wrapped = read("arxiv-api-atom/new_2026/id_1605.08386_s0_m100_199195aa31ad.json")
    assert [r.title for r in wrapped.records] == ["Heat-bath random walks with Markov bases"]


def test_semantic_scholar_paper_object():
    parsed = read("semantic-scholar-api/fixtures/Paper.json")
    assert parsed.format == "semantic_scholar_json"
    [record] = parsed.records  # its citations and references are not listed papers
    assert record.title == "Computing Machinery and Intelligence"
    assert record.authors == ["A. Turing"]
    assert (record.date_text, record.date_kind) == ("1950-10-01", "published")
    assert record.extra["year"] == 1950
    assert record.extra["externalIds"]["DOI"] == "10.1093/MIND/LIX.236.433"
    assert record.abstract.startswith("I propose to consider the question, “Can machines think?”")


def test_semantic_scholar_search_envelopes():
    search = read("semantic-scholar-api/cassette_bodies/test_search_paper.0.json")
    assert search.format == "semantic_scholar_json"
    assert len(search.records) == 100
    assert search.context["search_total"] == 70499
    assert search.records[0].title.startswith("Using DeepSpeed and Megatron to Train Megatron-Turing NLG 530B")
    bulk = read("semantic-scholar-api/cassette_bodies/test_search_paper_bulk_retrieval.0.json")
    assert len(bulk.records) == 1000
    assert len(read("semantic-scholar-api/fixtures/Author.json").records) == 60
    # Batch answer with only authors: nothing to cluster, said so.
    batch = read("semantic-scholar-api/cassette_bodies/test_get_papers.0.json")
    assert batch.records == []
    assert any("no title, abstract or arXiv id" in p.message for p in batch.problems)


def test_arxiv_cs_sample_csv():
    parsed = read("arxiv-cs-sample-100/sample.csv")
    assert parsed.format == "generic_csv"
    assert len(parsed.records) == 100
    first = parsed.records[0]
    assert first.arxiv_id == "1801.00779"
    assert first.title == "Machine Learning for Building Energy and Indoor Environment: A Perspective"
    assert first.categories[0].startswith("cs.")
    assert "cs/0109111" in [r.arxiv_id for r in parsed.records]
    assert all(r.arxiv_id for r in parsed.records)


def test_json_lines_with_numeric_ids_restore_trailing_zeros():
    parsed = read("arxiv-cs-sample-100/arxiv_cs_october19_sample_20.jsonl")
    assert parsed.format == "generic_jsonl"
    assert len(parsed.records) == 20
    ids = {r.extra["id_as_written"]: r.arxiv_id for r in parsed.records}
    assert ids["1910.00888"] == "1910.00888"
    assert ids["1910.104"] == "1910.10400"
    assert ids["1910.0033"] == "1910.00330"
    first = parsed.records[0]
    assert first.authors == ["Thomas Pinetz", "Daniel Soukup", "Thomas Pock"]
    assert first.categories == ["cs.LG", "stat.ML"]
