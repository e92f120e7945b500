"""The real flow (real parsing, real model, real UMAP/HDBSCAN, real report) on the bundled samples,
run once through the installed CLI exactly as a user would."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analytics.run_summary import RunSummary

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"

pytestmark = pytest.mark.e2e


def _cli() -> list[str]:
    exe = shutil.which("topictrends", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "flows.cli"]


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("e2e")
    out = work / "out"
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    # Its own empty store: a first run, whatever earlier runs left in the project's store/.
    proc = subprocess.run(
        [*_cli(), "run", "--input", str(SAMPLES), "--output", str(out), "--store", str(work / "store")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800,
    )
    assert proc.returncode == 0, f"run failed:\nSTDOUT:\n{proc.stdout[-3000:]}\nSTDERR:\n{proc.stderr[-5000:]}"
    assert f"Report: {out / 'report.html'}" in proc.stdout
    return out


def test_output_files_exist(sample_run: Path) -> None:
    for name in ("papers.csv", "topics.csv", "trends.csv", "evidence.json", "run.json", "report.html"):
        assert (sample_run / name).stat().st_size > 0, name


def test_papers_contract(sample_run: Path) -> None:
    papers = pd.read_csv(sample_run / "papers.csv", dtype=str, keep_default_na=False)
    for column in ("paper_id", "title", "abstract", "authors", "sources", "published", "date_source",
                   "topic_id", "topic_label"):
        assert column in papers.columns, column
    assert papers["paper_id"].is_unique
    # Every sample dump contributes papers, and every source ref points into a real dump file.
    sample_names = {p.name for p in SAMPLES.iterdir()}
    refs = [ref for cell in papers["sources"] for ref in cell.split(";")]
    assert all(re.fullmatch(r".+:\d+", ref) for ref in refs)
    assert {ref.rsplit(":", 1)[0] for ref in refs} == sample_names
    assert len(refs) == len(set(refs)), "a record was read into two papers"
    assert 500 <= len(papers) <= 560  # the five samples hold ~540 records with a few duplicates
    published = papers["published"]
    assert published.map(lambda d: d == "" or re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) is not None).all()
    topic_ids = papers["topic_id"].astype(int)
    assert (topic_ids >= -1).all()
    assert (topic_ids != -1).mean() >= 0.9, "most papers should have a topic"


def test_dates_where_the_dump_states_them(sample_run: Path) -> None:
    papers = pd.read_csv(sample_run / "papers.csv", dtype=str, keep_default_na=False)
    # The "Sort by updated" dump states a timestamp for every record: all its papers are dated.
    updated = papers[papers["sources"].str.contains("002_ee4e4be09cd55250.txt:")]
    assert len(updated) > 100
    assert (updated["published"] != "").all()
    # KAN (first record of that dump) was last updated 2024-05-02: an upper bound, not its publication.
    kan = papers[papers["title"] == "KAN: Kolmogorov-Arnold Networks"].iloc[0]
    assert kan["date_kind"] in {"updated", "published"}
    assert kan["published"] <= "2024-05-02"
    # Daily Papers records with "Aug 5, 2022" keep that exact date.
    btm = papers[papers["title"].str.startswith("Branch-Train-Merge")].iloc[0]
    assert btm["published"] == "2022-08-05"
    assert btm["date_source"] == "dump"


def test_topics_are_non_trivial(sample_run: Path) -> None:
    topics = pd.read_csv(sample_run / "topics.csv", keep_default_na=False)
    for column in ("topic_id", "label", "keywords", "size"):
        assert column in topics.columns
    real = topics[topics["topic_id"] != -1]
    assert len(real) >= 5
    assert real["label"].is_unique
    assert not real["label"].str.match(r"^-?\d+_").any(), "labels should be words, not BERTopic ids"
    papers = pd.read_csv(sample_run / "papers.csv", keep_default_na=False)
    sizes = papers["topic_id"].value_counts()
    assert all(sizes[t] == s for t, s in zip(real["topic_id"], real["size"]))
    # The samples are full of unlearning papers: a topic must be about it. Mixture-of-experts and
    # interpretability papers are plentiful too: each has its own, clearly labelled topic.
    assert real["label"].str.contains("unlearning", case=False).any()
    assert real["label"].str.contains("mixture of experts", case=False).any()
    assert real["label"].str.contains("interpretability", case=False).any()
    # The quantization / compression papers and the code-generation papers are named for what they are about.
    assert real["label"].str.contains("quantization", case=False).any()
    assert real["label"].str.contains("code generation", case=False).any()
    # Phrases the whole corpus uses say nothing about a topic: they never lead a label.
    assert not real["label"].str.match(r"(?i)(large )?language models?\b").any()


@pytest.mark.parametrize("field, title_pattern", [
    ("unlearning", r"unlearn"),
    ("mixture of experts", r"mixture[- ]of[- ]experts?|\bMoE\b"),
    ("interpretability", r"interpretab|sparse autoencoder|mechanistic|circuit"),
    ("quantization", r"quantiz|1-bit|low-bit|pruning"),
    ("code", r"\bcode\b|\bcoder|program|software"),
    ("multi-?modal", r"multimodal|multi-modal|vision-language|visual"),
    ("reasoning", r"reasoning|chain-of-thought"),
])
def test_a_field_sits_mostly_in_its_own_topic(sample_run: Path, field: str, title_pattern: str) -> None:
    papers = pd.read_csv(sample_run / "papers.csv", keep_default_na=False)
    about = papers[papers["title"].str.contains(title_pattern, case=False, regex=True)]
    assert len(about) >= 10, f"the samples hold {len(about)} {field} papers"  # enough for a topic
    counts = about["topic_label"].value_counts()
    assert counts.iloc[0] > 0.5 * len(about), f"{field} papers are split: {counts.head(4).to_dict()}"
    # `field` is a regular expression: "multimodal" and "multi-modal" are the same word.
    assert re.search(field, counts.index[0], re.IGNORECASE), f"{field} papers sit in {counts.index[0]!r}"


def test_interpretability_is_not_mixed_with_architecture_papers(sample_run: Path) -> None:
    # The samples hold ~25 papers on transformer and state-space architectures (Mamba, linear attention,
    # LayerNorm removal); issue 19 found 20 of them in the interpretability topic.
    papers = pd.read_csv(sample_run / "papers.csv", keep_default_na=False)
    architecture = papers["title"].str.contains(
        r"mamba|state.space|linear attention|linear transformer|layernorm|rmsnorm|transformer block|longformer",
        case=False, regex=True)
    interpretability = papers["topic_label"].str.contains("interpretability", case=False)
    assert architecture.sum() >= 10
    assert (architecture & interpretability).sum() <= 2, papers.loc[architecture & interpretability, "title"].tolist()


def test_every_topic_and_label_is_measured(sample_run: Path) -> None:
    """run.json says how good the topics are: coherence margin per topic, size spread, label specificity."""
    quality = RunSummary.model_validate_json((sample_run / "run.json").read_text()).topic_quality
    topics = pd.read_csv(sample_run / "topics.csv", keep_default_na=False)
    real = set(topics.loc[topics["topic_id"] != -1, "topic_id"].astype(int))
    assert set(quality.per_topic) == real and set(quality.labels.per_topic) == real
    assert quality.sizes.max == topics["size"].max() and quality.sizes.min == topics.loc[
        topics["topic_id"] != -1, "size"].min()
    assert 0 < quality.labels.specific_share <= 1
    # No label is a model's name alone ("GPT-4" named a 51-paper topic of LLM applications).
    assert not any(score.model_name_only for score in quality.labels.per_topic.values())


def test_trends_contract(sample_run: Path) -> None:
    trends = pd.read_csv(sample_run / "trends.csv")
    for column in ("topic_id", "period", "count", "share"):
        assert column in trends.columns
    covered = trends["period_total"] > 0
    assert (trends.loc[covered, "share"].between(0, 1)).all()
    assert trends.loc[~covered, "share"].isna().all()  # a year no dump covers has no share, not 0%
    totals = trends.groupby("period")["count"].sum()
    assert (totals > 0).any()


def test_run_summary(sample_run: Path) -> None:
    summary = RunSummary.model_validate_json((sample_run / "run.json").read_text())
    formats = {f.file: f.format for f in summary.files}
    assert len(formats) == 5
    assert set(formats.values()) >= {"hf_trending", "hf_daily", "sorted_updated", "plain_abstracts"}
    assert all(f.records > 0 for f in summary.files)
    for stage in ("parse", "embed", "topics", "trends", "write_outputs"):
        assert summary.timings[stage] >= 0
    assert summary.versions["bertopic"] != "not installed"
    coverage = summary.date_coverage["overall"]
    assert coverage["stated"] > 0 and coverage["stated"] + coverage["inferred"] + coverage["undated"] == coverage["papers"]


def test_growth_evidence_covers_the_rising_and_fading_topics(sample_run: Path) -> None:
    evidence = json.loads((sample_run / "evidence.json").read_text(encoding="utf-8"))
    summary = RunSummary.model_validate_json((sample_run / "run.json").read_text())
    topics = pd.read_csv(sample_run / "topics.csv", keep_default_na=False)
    rising_or_fading = topics["growth_class"].isin(["emerging", "growing", "declining", "fading"])
    assert {t["topic_id"] for t in evidence["topics"]} == set(topics.loc[rising_or_fading, "topic_id"])
    assert summary.growth_evidence["topics"] == int(rising_or_fading.sum())
    assert summary.growth_evidence["failed"] == 0
    assert evidence["recent_periods"] and evidence["recent_periods"] == summary.growth_evidence["recent_periods"]
    assert summary.timings["growth_evidence"] >= 0


def test_report_is_self_contained(sample_run: Path) -> None:
    html = (sample_run / "report.html").read_text(encoding="utf-8")
    assert html.count("plotly.js v") == 1  # plotly.js inlined once, not per chart
    # No external scripts, stylesheets or fonts (plotly.js itself mentions a CDN only for geo maps' data).
    assert not re.findall(r"<script[^>]+src=[\"']?https?:", html)
    assert not re.findall(r"<link[^>]+href=[\"']?https?:", html)
    assert "@import" not in html and "fonts.googleapis" not in html
    assert "unlearning" in html.lower()
