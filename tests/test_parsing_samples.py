"""Exact parse of the bundled sample dumps (data/samples), checked by reading the files."""

from __future__ import annotations

from pathlib import Path

import pytest

from functools import cache

from analytics.parsing import iter_dumps
from analytics.parsing import read_dump as _read_dump

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
EXPECTED = Path(__file__).resolve().parent / "fixtures" / "expected"

PLAIN = SAMPLES / "000_c0e02093f26f6559.txt"
TRENDING = SAMPLES / "001_6b73f48a22e7d380.txt"
SORTED_UPDATED = SAMPLES / "002_ee4e4be09cd55250.txt"
TRENDING_2 = SAMPLES / "003_9f597363cd8327d1.txt"
DAILY = SAMPLES / "004_504d9943657f3963.txt"


@cache
def read_dump(path: Path):
    """Each sample is parsed once per test session; tests only read the result."""
    return _read_dump(path)


def test_every_sample_gets_its_layout_and_record_count():
    seen = {p.file: (p.format, len(p.records), [str(x) for x in p.problems if x.severity == "error"]) for p in iter_dumps(SAMPLES)}
    assert seen == {
        PLAIN.name: ("plain_abstracts", 11, []),
        TRENDING.name: ("hf_trending", 232, []),
        SORTED_UPDATED.name: ("sorted_updated", 158, []),
        TRENDING_2.name: ("hf_trending", 41, []),
        DAILY.name: ("hf_daily", 98, []),
    }


def test_records_know_file_index_and_line():
    parsed = read_dump(TRENDING)
    assert [(r.source_file, r.index, r.line) for r in parsed.records[:2]] == [
        (TRENDING.name, 0, 3),
        (TRENDING.name, 1, 5),
    ]
    assert parsed.records[1].source_ref == f"{TRENDING.name}:1"
    assert [r.index for r in parsed.records] == list(range(232))


def test_sha256_is_of_the_raw_bytes():
    import hashlib

    assert read_dump(PLAIN).sha256 == hashlib.sha256(PLAIN.read_bytes()).hexdigest()


def test_plain_abstracts_one_per_line_exactly():
    parsed = read_dump(PLAIN)
    lines = PLAIN.read_text(encoding="utf-8").split("\n")
    assert [r.abstract for r in parsed.records] == [line for line in lines if line.strip()]
    assert all(r.title == "" for r in parsed.records)
    assert parsed.records[1].abstract.startswith("This work identifies 18 foundational challenges")


def test_trending_subscribe_glue_is_cut_from_first_title():
    parsed = read_dump(TRENDING)
    assert parsed.records[0].title == "DeepArchitect: Automatically Designing and Training Deep Architectures"
    assert parsed.records[0].abstract.startswith("In deep learning, performance is strongly affected")
    assert parsed.records[-1].title == "Diffusion Models Beat GANs on Image Classification"
    assert parsed.records[11].title == "ELUDE: Generating interpretable explanations via a decomposition into labelled and unlabelled features"
    first = read_dump(TRENDING_2).records[0]
    assert first.title == "Causal Interventions on Causal Paths: Mapping GPT-2's Reasoning From Syntax to Semantics"
    assert read_dump(TRENDING_2).records[1].title == (
        "As Good as New. How to Successfully Recycle English GPT-2 to Make Models for Other Languages"
    )


def test_trending_pairs_every_title_with_its_abstract():
    lines = TRENDING.read_text(encoding="utf-8").split("\n")
    records = read_dump(TRENDING).records
    # Line 3 is "Subscribe" + title; then title/abstract alternate to the end.
    assert [r.title for r in records[1:]] == lines[4::2]
    assert [r.abstract for r in records] == lines[3::2]


def test_daily_papers_fields_and_page_date():
    parsed = read_dump(DAILY)
    assert parsed.context["page_date"] == "Oct 29"
    first = parsed.records[0]
    assert first.title == "Branch-Train-Merge: Embarrassingly Parallel Training of Expert Language Models"
    assert first.abstract.startswith("We present Branch-Train-Merge (BTM)")
    assert (first.author_count, first.date_text, first.date_kind, first.upvotes) == (7, "Aug 5, 2022", "published", None)
    # "May 6, 2023 7": date followed by an upvote count
    x_llm = parsed.records[5]
    assert x_llm.title.startswith("X-LLM:")
    assert (x_llm.date_text, x_llm.upvotes) == ("May 6, 2023", 7)
    assert sum(r.upvotes is not None for r in parsed.records) == 23


def test_daily_papers_missing_lines_and_yearless_dates():
    parsed = read_dump(DAILY)
    by_title = {r.title: r for r in parsed.records}
    # Llasa has no author count and no date at all; the next record must not absorb anything.
    llasa = by_title["Llasa: Scaling Train-Time and Inference-Time Compute for Llama-based Speech Synthesis"]
    assert (llasa.author_count, llasa.date_text, llasa.line) == (None, "", 133)
    assert llasa.abstract.startswith("Recent advances in text-based large language models")
    nxt = parsed.records[llasa.index + 1]
    assert nxt.title == "Large Language Models as Zero-shot Dialogue State Tracker through Function Calling"
    assert (nxt.author_count, nxt.date_text, nxt.upvotes) == (10, "Feb 16, 2024", 3)
    assert any(p.line == 133 and "author count" in p.message for p in parsed.problems)
    # An organisation line instead of an author count, then a yearless date with upvotes.
    dr_llm = by_title["Dr.LLM: Dynamic Layer Routing in LLMs"]
    assert dr_llm.extra["organization"] == "parameterlab Parameter Lab"
    assert (dr_llm.author_count, dr_llm.date_text, dr_llm.upvotes) == (None, "Oct 14", 2)
    yearless = [r.date_text for r in parsed.records if r.date_text and "," not in r.date_text]
    assert yearless == ["May 31", "Jul 3", "Jul 28", "Feb 1", "Oct 14", "Mar 3", "May 13", "Jul 11", "Jan 19"]


def _expected_sorted_updated() -> list[tuple[int, str, str, int, str]]:
    rows = []
    for line in (EXPECTED / "002_sorted_updated_records.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        number, title, first_author, count, stamp = line.split("\t")
        rows.append((int(number), title, first_author, int(count), stamp))
    return rows


def test_sorted_updated_every_title_author_and_timestamp_exact():
    parsed = read_dump(SORTED_UPDATED)
    got = [(r.line, r.title, r.authors[0], len(r.authors), r.date_text) for r in parsed.records]
    assert got == _expected_sorted_updated()
    assert all(r.date_kind == "updated" for r in parsed.records)
    assert [p for p in parsed.problems if p.severity == "error"] == []


@pytest.mark.parametrize(
    "title, authors_start, abstract_end_of_previous",
    [
        # a URL running straight into the title
        ("Mora: Enabling Generalist Video Generation via A Multi-Agent Framework", ["Zhengqing Yuan"],
         "https://github.com/withmartian/routerbench."),
        ("Characterizing Large Language Model Geometry Solves Toxicity Detection and Generation", ["Randall Balestriero"],
         "https://github.com/apexrl/Diff4RLSurvey"),
        ("LLMLingua: Compressing Prompts for Accelerated Inference of Large Language Models", ["Huiqiang Jiang"],
         "https://huggingface.co/datasets/Anthropic/discrim-eval"),
        ("Simplifying Transformer Blocks", ["Bobby He", "Thomas Hofmann"], "https://github.com/S-LoRA/S-LoRA"),
        ("TimeGPT-1", ["Azul Garza", "Max Mergenthaler-Canseco"], "https://github.com/stanfordnlp/dspy"),
        ("Longformer: The Long-Document Transformer", ["Iz Beltagy"], "https://github.com/hojonathanho/diffusion"),
        # an abstract with no full stop
        ("Can Large Language Models Beat Wall Street? Unveiling the Potential of AI in Stock Selection", ["Georgios Fatouros"],
         "mitigate forgetting"),
        ("System 2 Attention (is something you might need too)", ["Jason Weston", "Sainbayar Sukhbaatar"],
         "alignment of smaller LMs"),
        # a lower-case title start after a full stop
        ("iTransformer: Inverted Transformers Are Effective for Time Series Forecasting", ["Yong Liu"],
         "released under the Apache 2.0 license."),
        # three-part and initialled first authors, titles ending in name-like words
        ("RouterBench: A Benchmark for Multi-LLM Routing System", ["Qitian Jason Hu", "Jacob Bieker"],
         "can be autonomously improved."),
        ("Modeling Strong and Human-Like Gameplay with KL-Regularized Search", ["Athul Paul Jacob", "David J. Wu"],
         "aligning language models with human intent."),
        ("Mistral 7B", ["Albert Q. Jiang", "Alexandre Sablayrolles"], "input size and improving performance."),
        ("Principled Instructions Are All You Need for Questioning LLaMA-1/2, GPT-3.5/4", ["Sondos Mahmoud Bsharat"],
         "https://github.com/yixuantt/MultiHop-RAG/."),
        ("Llamas Know What GPTs Don't Show: Surrogate Models for Confidence Estimation", ["Vaishnavi Shrivastava"],
         "https://github.com/codefuse-ai/Awesome-Code-LLM."),
        ("Efficient Streaming Language Models with Attention Sinks", ["Guangxuan Xiao", "Yuandong Tian"],
         "http://rl-diffusion.github.io ."),
        ("MM1: Methods, Analysis & Insights from Multimodal LLM Pre-training", ["Brandon McKinzie", "Zhe Gan"], ""),
        ("Structured Denoising Diffusion Models in Discrete State-Spaces", ["Jacob Austin", "Daniel D. Johnson"], ""),
        ("CoCoMo: Computational Consciousness Modeling for Generative and Ethical AI", ["Edward Y. Chang"], ""),
        ("HyperNetworks", ["David Ha", "Andrew Dai", "Quoc V. Le"], ""),
        # titles with ". ", "!", "--" and a missing space kept as written
        ("Lost in Translation: When GPT-4V(ision) Can't See Eye to Eye with Text. A Vision-Language-Consistency "
         "Analysis of VLLMs and Beyond", ["Xiang Zhang"], "commercial LLMs for agent tasks."),
        ("Mixture-of-Experts Meets Instruction Tuning:A Winning Combination for Large Language Models", ["Sheng Shen"],
         "(72\\% model FLOPs utilization)."),
        ("Don't throw away your value model! Making PPO even better via Value-Guided Monte-Carlo Tree Search decoding",
         ["Jiacheng Liu"], ""),
        ("Interpretability in the Wild: a Circuit for Indirect Object Identification in GPT-2 small", ["Kevin Wang"],
         "with far fewer human labels."),
    ],
)
def test_sorted_updated_hardest_glued_records(title, authors_start, abstract_end_of_previous):
    records = read_dump(SORTED_UPDATED).records
    by_title = {r.title: r for r in records}
    assert title in by_title
    record = by_title[title]
    assert record.authors[: len(authors_start)] == authors_start
    if abstract_end_of_previous:
        assert records[record.index - 1].abstract.endswith(abstract_end_of_previous)


def test_sorted_updated_abstracts_are_whole():
    records = read_dump(SORTED_UPDATED).records
    assert records[0].abstract.startswith("Inspired by the Kolmogorov-Arnold representation theorem")
    assert records[0].abstract.endswith("rely heavily on MLPs.")
    # The last abstract has no title after it.
    assert records[-1].abstract.endswith("These demonstrate effective use of all expert combinations.")
    # No abstract carries a piece of the next title, no title a piece of an abstract.
    assert all(r.abstract[:1].isupper() for r in records)
    assert all(not r.title.endswith((".", ",")) for r in records)
