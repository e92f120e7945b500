"""Merging copies of the same paper across dumps (analytics.dedupe.merge_records)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from analytics.dedupe import PAPER_COLUMNS, merge_records, normalise_text
from analytics.parsing import iter_dumps
from analytics.records import Record

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
ABSTRACT = (
    "We study how mixture-of-experts layers route tokens and show that routing collapses early in "
    "training unless a balancing loss is used; we propose a simple fix that keeps experts busy."
)


@cache
def sample_records() -> tuple[Record, ...]:
    return tuple(r for parsed in iter_dumps(SAMPLES) for r in parsed.records)


def rec(file: str, index: int, **fields) -> Record:
    return Record(source_file=file, index=index, line=index + 1, **fields)


def test_columns_and_one_row_per_paper():
    frame = merge_records([rec("a.txt", 0, title="A Paper", abstract=ABSTRACT)])
    assert list(frame.columns) == PAPER_COLUMNS
    row = frame.iloc[0]
    assert row.title == "A Paper"
    assert row.sources == ["a.txt:0"] and row.record_refs == ["a.txt:0"]
    assert re.fullmatch(r"title:[0-9a-f]{12}", row.paper_id)


def test_merge_by_arxiv_id_even_when_titles_differ():
    frame = merge_records([
        rec("daily.jsonl", 3, title="Routing in MoE", arxiv_id="2503.11731", categories=["cs.LG"]),
        rec("other.txt", 0, title="Unrelated title"),
        rec("atom.xml", 0, title="Routing in MoE (v2)", arxiv_id="2503.11731", categories=["cs.LG", "cs.CL"]),
    ])
    assert len(frame) == 2
    paper = frame.iloc[0]
    assert paper.paper_id == "arxiv:2503.11731"
    assert paper.sources == ["daily.jsonl:3", "atom.xml:0"]
    assert paper.categories == ["cs.LG", "cs.CL"]  # primary of the first copy stays first


def test_merge_by_normalised_title_without_ids():
    frame = merge_records([
        rec("trending.txt", 0, title="Soft Prompting for Unlearning in Large Language Models", abstract=ABSTRACT),
        rec("daily.txt", 5, title="soft prompting for  unlearning in large-language models"),
        rec("updated.txt", 2, title="Soft Prompting for Unlearning in Large Language Models",
            authors=["Karuna Bhaila", "Minh-Hao Van"], date_text="2024-06-17 10:00:00", date_kind="updated"),
    ])
    assert len(frame) == 1
    paper = frame.iloc[0]
    assert paper.title == "Soft Prompting for Unlearning in Large Language Models"  # most copies, as written
    assert paper.sources == ["trending.txt:0", "daily.txt:5", "updated.txt:2"]
    assert paper.authors == ["Karuna Bhaila", "Minh-Hao Van"]
    assert paper.author_count == 2


def test_copies_with_and_without_ids_meet_whatever_order_they_come_in():
    # Title keys are indexed lazily (only when a lookup needs them): a paper first seen without an id, then
    # many papers with ids, must still be found by title from a later copy with an id, and vice versa.
    others = [rec("daily.jsonl", i, title=f"Paper number {i}", abstract=ABSTRACT + str(i), arxiv_id=f"2503.{i:05d}")
              for i in range(50)]
    frame = merge_records([
        rec("trending.txt", 0, title="Sparse Autoencoders Find Features"),
        *others,
        rec("daily.jsonl", 99, title="Sparse autoencoders find features", arxiv_id="2509.00001"),
        rec("listing.txt", 1, title="Paper Number 7"),
    ])
    assert len(frame) == 51
    sae = frame[frame.paper_id == "arxiv:2509.00001"].iloc[0]
    assert sae.sources == ["trending.txt:0", "daily.jsonl:99"]
    seventh = frame[frame.paper_id == "arxiv:2503.00007"].iloc[0]
    assert seventh.sources == ["daily.jsonl:7", "listing.txt:1"]


def test_merge_by_abstract_when_there_is_no_title():
    frame = merge_records([
        rec("plain.txt", 0, abstract=ABSTRACT),
        rec("trending.txt", 7, title="Keeping Experts Busy", abstract="  " + ABSTRACT.upper() + " "),
    ])
    assert len(frame) == 1
    assert frame.iloc[0].title == "Keeping Experts Busy"
    assert frame.iloc[0].sources == ["plain.txt:0", "trending.txt:7"]


def test_abstracts_that_merely_start_alike_stay_apart():
    start = ABSTRACT[:150]
    frame = merge_records([
        rec("plain.txt", 0, abstract=start + " Experiments use language models."),
        rec("plain.txt", 1, abstract=start + " Experiments use vision transformers."),
    ])
    assert len(frame) == 2
    assert frame.paper_id.is_unique


def test_truncated_abstract_joins_the_one_paper_it_starts():
    frame = merge_records([
        rec("full.txt", 0, title="Keeping Experts Busy", abstract=ABSTRACT),
        rec("cut.txt", 0, abstract=ABSTRACT[:120] + "..."),
    ])
    assert len(frame) == 1
    assert frame.iloc[0].abstract == ABSTRACT  # the complete copy wins
    assert frame.iloc[0].sources == ["full.txt:0", "cut.txt:0"]


def test_truncated_abstract_matching_two_papers_stays_apart():
    frame = merge_records([
        rec("a.txt", 0, title="One", abstract=ABSTRACT + " Variant one."),
        rec("b.txt", 0, title="Two", abstract=ABSTRACT + " Variant two."),
        rec("cut.txt", 0, abstract=ABSTRACT[:120] + "…"),
    ])
    assert len(frame) == 3


def test_same_title_different_arxiv_ids_stay_apart():
    frame = merge_records([
        rec("a.jsonl", 0, title="A Survey on In-context Learning", arxiv_id="2301.00234"),
        rec("b.jsonl", 0, title="A Survey on In-context Learning", arxiv_id="2405.99999"),
        rec("c.txt", 0, title="A Survey on In-context Learning"),
    ])
    assert list(frame.paper_id) == ["arxiv:2301.00234", "arxiv:2405.99999"]
    assert frame.iloc[0].sources == ["a.jsonl:0", "c.txt:0"]


def test_best_metadata_from_each_copy():
    frame = merge_records([
        rec("daily.txt", 0, title="Paper", abstract=ABSTRACT[:100] + "...", author_count=3, upvotes=4,
            date_text="May 31", date_kind="published"),
        rec("updated.txt", 0, title="Paper", abstract=ABSTRACT, authors=["A B", "C D", "E F"],
            links=["https://x.org/1"]),
        rec("api.jsonl", 0, title="Paper", abstract=ABSTRACT[:-1], upvotes=9,
            links=["https://arxiv.org/abs/2503.11731", "https://x.org/1"], categories=["cs.CL"]),
    ])
    assert len(frame) == 1
    paper = frame.iloc[0]
    assert paper.abstract == ABSTRACT  # longest complete one
    assert paper.authors == ["A B", "C D", "E F"] and paper.author_count == 3
    assert paper.upvotes == 9
    assert paper.links == ["https://x.org/1", "https://arxiv.org/abs/2503.11731"]
    assert paper.categories == ["cs.CL"]


def test_author_count_kept_when_no_list():
    frame = merge_records([rec("daily.txt", 0, title="Paper", author_count=7)])
    assert frame.iloc[0].authors == [] and frame.iloc[0].author_count == 7


def test_ids_and_order_are_deterministic():
    records = list(sample_records())
    first = merge_records(records)
    second = merge_records(list(records))
    assert first.equals(second)
    assert first.paper_id.is_unique
    # rows follow the first appearance of each paper
    first_refs = [refs[0] for refs in first.sources]
    order = {r.source_ref: i for i, r in enumerate(records)}
    assert [order[ref] for ref in first_refs] == sorted(order[ref] for ref in first_refs)


def test_samples_merge_their_shared_papers():
    records = list(sample_records())
    frame = merge_records(records)
    assert len(records) == 540
    assert len(frame) == 535
    shared = {row.title: row.sources for row in frame.itertuples() if len(row.sources) > 1}
    assert shared["Machine Unlearning for Image-to-Image Generative Models"] == [
        "001_6b73f48a22e7d380.txt:5", "002_ee4e4be09cd55250.txt:24"]
    assert shared["ZipLM: Hardware-Aware Structured Pruning of Language Models"] == [
        "003_9f597363cd8327d1.txt:40", "004_504d9943657f3963.txt:33"]
    assert len(shared) == 5
    # every record is accounted for exactly once
    assert sorted(ref for refs in frame.sources for ref in refs) == sorted(r.source_ref for r in records)


def test_normalise_text_ignores_case_accents_punctuation_spacing():
    assert normalise_text("Soljačić:  KANs — Networks!") == normalise_text("soljacic kans networks")
