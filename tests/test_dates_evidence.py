"""Evidence about publication dates: arXiv ids, years in text, the evidence table, combining bounds."""

from datetime import date, timedelta
from pathlib import Path

import pytest

from analytics.dates.evidence import (
    DEFAULT_EVIDENCE_TABLE,
    Bound,
    arxiv_id_month,
    arxiv_ids_in_text,
    cited_arxiv_bound,
    combine_bounds,
    evidence_table_bound,
    load_evidence_table,
    own_arxiv_id,
    text_year_bound,
)


@pytest.mark.parametrize(
    "arxiv_id, month",
    [
        ("2503.11731", (date(2025, 3, 1), date(2025, 3, 31))),
        ("2404.19756v2", (date(2024, 4, 1), date(2024, 4, 30))),
        ("0704.0001", (date(2007, 4, 1), date(2007, 4, 30))),
        ("1111.2011", (date(2011, 11, 1), date(2011, 11, 30))),
        ("hep-ph/0701001", (date(2007, 1, 1), date(2007, 1, 31))),
        ("cs/0701001", (date(2007, 1, 1), date(2007, 1, 31))),
        ("math.AG/9912001v3", (date(1999, 12, 1), date(1999, 12, 31))),
        ("quant-ph/0201082", (date(2002, 1, 1), date(2002, 1, 31))),
        ("arXiv:2106.09685", (date(2021, 6, 1), date(2021, 6, 30))),
    ],
)
def test_arxiv_ids_give_the_submission_month(arxiv_id, month):
    assert arxiv_id_month(arxiv_id) == month


@pytest.mark.parametrize("not_an_id", ["", "abc", "2513.00001", "0703.0001", "1412.00001", "1501.0001",
                                       "hep-ph/0713001", "cs/0801001", "12345"])
def test_strings_that_are_not_arxiv_ids_give_nothing(not_an_id):
    assert arxiv_id_month(not_an_id) is None


def test_arxiv_ids_are_found_in_links_and_text():
    text = "see https://arxiv.org/abs/2303.08774v3 and arXiv:2106.09685, and http://arxiv.org/pdf/hep-ph/0701001v1"
    assert arxiv_ids_in_text(text) == ["2303.08774", "2106.09685", "hep-ph/0701001"]


def test_own_id_comes_from_the_field_or_a_single_link():
    assert own_arxiv_id("2503.11731", []) == ("2503.11731", "field")
    assert own_arxiv_id("", ["https://arxiv.org/abs/2503.11731", "https://arxiv.org/pdf/2503.11731"]) == (
        "2503.11731", "link")
    # two different papers linked: we cannot tell which one is this paper
    assert own_arxiv_id("", ["https://arxiv.org/abs/2503.11731", "https://arxiv.org/abs/2401.00001"]) == ("", "")


def test_a_cited_arxiv_id_is_a_lower_bound_not_the_papers_own_month():
    bound = cited_arxiv_bound("We extend arXiv:2301.11796 to video.", own_id="2405.00001")
    assert bound.low == date(2023, 1, 1) and bound.high is None
    assert cited_arxiv_bound("arXiv:2405.00001", own_id="2405.00001") is None


@pytest.mark.parametrize(
    "text, low",
    [
        ("Since its release in 2023, the benchmark has grown.", date(2023, 1, 1)),
        ("Prior work (Smith et al., 2021; Lee et al., 2024) studied this.", date(2024, 1, 1)),
        ("We won first place in the CVPR 2024 challenge.", date(2023, 7, 1)),
        ("Results on the SemEval-2025 shared task.", date(2024, 7, 1)),
        ("We ranked 3rd in the FAME 2026 challenge.", date(2025, 7, 1)),
    ],
)
def test_years_in_text_give_lower_bounds(text, low):
    assert text_year_bound(text).low == low


@pytest.mark.parametrize(
    "text",
    [
        "We release 2048 tokens of context and 2000 images.",
        "Emissions must halve by 2030.",
        "The model has 1024 hidden units and 4.2019 loss.",
        "Scores improved from 12.2019 to 13.1.",
        "Id 2023-24 season and arXiv 2401.12345.",
    ],
)
def test_numbers_that_are_not_past_years_are_ignored(text):
    assert text_year_bound(text) is None


def test_years_after_the_known_upper_bound_are_ignored():
    assert text_year_bound("Targets for 2035 and results from 2022.", max_year=2024).low == date(2022, 1, 1)


def test_bundled_evidence_table_loads_and_every_entry_is_cited():
    entries = load_evidence_table()
    assert 40 <= len(entries) <= 200
    for entry in entries:
        assert entry.name and ("arXiv:" in entry.source or "https://" in entry.source), entry.name
        assert entry.kind in ("model", "dataset", "method", "event"), entry.name
        assert date(2012, 1, 1) <= entry.first_seen <= date(2026, 12, 31), entry.name
        # an entry citing an arXiv paper cannot postdate that paper's month; when the arXiv paper is the
        # only source, the date is its v1 day: inside its month, or in the last days before it (ids are
        # numbered by announcement: The Pile, submitted 2020-12-31, is 2101.00027)
        cited = arxiv_ids_in_text(entry.source.replace("arXiv:", "arxiv.org/abs/"))
        if cited:
            month_start, month_end = arxiv_id_month(cited[0])
            assert entry.first_seen <= month_end, entry.name
            if entry.source.startswith("arXiv:"):
                assert month_start - timedelta(days=4) <= entry.first_seen, entry.name
    names = {entry.name: entry.first_seen for entry in entries}
    assert names["GPT-4"] == date(2023, 3, 14)
    assert names["Llama 2"] == date(2023, 7, 18)
    assert names["LoRA (low-rank adaptation)"] == date(2021, 6, 17)
    assert names["ChatGPT"] == date(2022, 11, 30)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("We fine-tune Llama 2 with LoRA adapters.", date(2023, 7, 18)),
        ("Compared with GPT-4 and ChatGPT, our model...", date(2023, 3, 14)),
        ("We use GPT-4o as a judge.", date(2024, 5, 13)),
        ("Evaluation against DeepSeek-R1 and Qwen3-8B.", date(2025, 4, 28)),
        ("A BERT baseline.", date(2018, 10, 11)),
    ],
)
def test_named_models_give_the_newest_lower_bound(text, expected):
    bound = evidence_table_bound(text, load_evidence_table())
    assert bound.low == expected and bound.high is None


@pytest.mark.parametrize(
    "text",
    [
        "LoRa radios for IoT sensor networks.",  # the radio, not low-rank adaptation
        "Claude Shannon's entropy revisited.",  # the person, not the model
        "The llama population of the Andes.",  # the animal
        "An electrical transformer fault detector based on gradient boosting.",
    ],
)
def test_lookalike_names_do_not_match(text):
    bound = evidence_table_bound(text, load_evidence_table())
    assert bound is None


def test_entries_newer_than_the_upper_bound_are_ignored():
    entries = load_evidence_table()
    bound = evidence_table_bound("GPT-5 and GPT-4 compared", entries, max_date=date(2024, 1, 1))
    assert bound.low == date(2023, 3, 14)


def test_bad_evidence_tables_name_the_file_and_entry(tmp_path: Path):
    bad = tmp_path / "table.toml"
    bad.write_text('[[entry]]\nname = "X"\npattern = "(unclosed"\ndate = 2020-01-01\nsource = "s"\n')
    with pytest.raises(ValueError, match=r"table\.toml: entry 1 \(X\): bad pattern"):
        load_evidence_table(bad)
    bad.write_text('[[entry]]\nname = "Y"\npattern = "Y"\ndate = 2020-01-01\n')
    with pytest.raises(ValueError, match=r"entry 1 \(Y\): missing source"):
        load_evidence_table(bad)
    bad.write_text("[[entry]\n")
    with pytest.raises(ValueError, match="not valid TOML"):
        load_evidence_table(bad)


def test_evidence_table_can_be_a_list():
    entries = load_evidence_table([{"name": "Foo", "pattern": r"\bFooNet\b", "date": "2024-02-03", "source": "x"}])
    assert evidence_table_bound("we improve FooNet", entries).low == date(2024, 2, 3)


def test_default_table_path_is_the_config_file():
    assert DEFAULT_EVIDENCE_TABLE.name == "date_evidence.toml" and DEFAULT_EVIDENCE_TABLE.exists()


def test_combining_bounds_intersects_them():
    estimate = combine_bounds([
        Bound(date(2023, 3, 14), None, "text_evidence", 0.95, "names GPT-4"),
        Bound(None, date(2023, 9, 14), "updated", 0.99, "updated"),
    ])
    assert (estimate.low, estimate.high) == (date(2023, 3, 14), date(2023, 9, 14))
    assert estimate.low <= estimate.point <= estimate.high
    assert estimate.precision == "interval"
    assert estimate.confidence == pytest.approx(0.95 * 0.99, abs=1e-3)
    assert set(estimate.sources) == {"text_evidence", "updated"}


def test_an_arxiv_month_alone_has_month_precision():
    estimate = combine_bounds([Bound(date(2025, 3, 1), date(2025, 3, 31), "arxiv_id", 0.95, "id")])
    assert estimate.precision == "month" and estimate.point == date(2025, 3, 16)


def test_contradicting_bounds_drop_the_weaker_one_and_say_so():
    estimate = combine_bounds([
        Bound(date(2025, 8, 7), None, "text_evidence", 0.9, "names GPT-5"),
        Bound(None, date(2024, 1, 10), "updated", 0.99, "updated 2024-01-10"),
    ])
    assert estimate.high == date(2024, 1, 10) and estimate.low is None and estimate.point is None
    assert "ignored" in estimate.note and "GPT-5" in estimate.note


def test_no_bounds_no_estimate():
    assert combine_bounds([]) is None


def test_year_ranges_count_their_end_year():
    assert text_year_bound("Data collected 2019-2022 in Kenya.").low == date(2022, 1, 1)
    assert text_year_bound("Phone number 555-2021 is not a year.") is None


def test_literal_prefixes_of_patterns():
    from analytics.dates.evidence import literal_prefixes

    assert literal_prefixes(r"\bGPT-?4\b") == ("gpt",)
    assert literal_prefixes(r"\bLoRA\b|[Ll]ow-[Rr]ank [Aa]daptation") == ("lora", "low-rank adaptation")
    assert literal_prefixes(r"\bDDPMs?\b") == ("ddpm",)
    assert literal_prefixes(r"\bQwen-?2\.5") == ("qwen",)
    assert literal_prefixes(r"(?:EU )?AI Act") is None  # no literal start: the regex always runs
    assert literal_prefixes(r"\bU-?Net") is None  # one required letter is too little to filter on


def test_fast_prefilter_finds_exactly_what_the_regex_finds():
    """Every bundled entry, on the sample dumps' text and on mention snippets: prefilter + regex == regex."""
    samples = Path(__file__).resolve().parent.parent / "data" / "samples"
    lines = [line for path in sorted(samples.iterdir()) for line in path.read_text(encoding="utf-8").splitlines()]
    texts = [line for line in lines if len(line) > 200][::4]  # a spread of abstracts, to keep the test quick
    texts += ["GPT4 and GPT-4o, Llama2, LLaMA-3.1, Qwen2.5-7B, Qwen3-8B, DeepSeek-R1, o1-preview, o3-mini",
              "Chain of Thought, tree-of-thoughts, BIG-Bench, MT-bench, SWE-Bench, GSM8K, DALL·E 2, U-Net, UNet",
              "Segment Anything Model 2, SAM2, FLUX.1 [dev], Gemini-1.5 Pro, Google's Gemini, Claude-3.5 Sonnet"]
    entries = load_evidence_table()
    for text in texts:
        lower = text.lower()
        for entry in entries:
            assert entry.found_in(text, lower) == (entry.pattern.search(text) is not None), (entry.name, text[:80])
