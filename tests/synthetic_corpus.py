"""A seeded synthetic corpus in the shape the flow hands to the report (papers, topics, run summary).

Used by the report tests (a few hundred papers, 5 topics) and by bench/bench_report.py (75,000 papers).
Topics follow known patterns (growing, fading, stable, emerging, bursting, tiny) over uneven monthly
coverage; some dates are inferred, some known only to the month, some missing; one title and one topic
label carry HTML that must never run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

XSS_TITLE = '<img src=x onerror="window.__xss=1">Robust <script>window.__xss=3</script> unlearning & forgetting'
XSS_LABEL = '<img src=x onerror="window.__xss=2">tiny topic'
XSS_EVIDENCE_TITLE = '<img src=x onerror="window.__xss=5">Agentic <b>planning</b> & tools'

NAMED_TOPICS = [
    ("machine unlearning", "growing", "unlearning, forgetting, erasure, privacy, retain set"),
    ("GAN image synthesis", "fading", "gan, generator, discriminator, image synthesis, stylegan"),
    ("mechanistic interpretability", "stable", "circuits, features, sparse autoencoders, probing, neurons"),
    ("mixture of experts", "emerging", "experts, routing, sparse, gating, load balancing"),
    (XSS_LABEL, "tiny", "tiny, rare, niche"),
]
PATTERNS = ["growing", "fading", "stable", "emerging", "burst", "stable", "declining", "stable"]
WORDS = (
    "learning model language vision graph efficient robust sparse scaling diffusion reasoning agent benchmark "
    "retrieval alignment federated quantization pruning distillation contrastive transformer attention memory"
).split()


def _weight(pattern: str, t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    if pattern == "growing":
        return 1 + 3 * t
    if pattern == "fading":
        return 0.2 + 4 * (1 - t) ** 2
    if pattern == "declining":
        return 2.5 - 1.2 * t
    if pattern == "emerging":
        return np.where(t < 0.45, 0.0, 8 * (t - 0.45))
    if pattern == "burst":
        weight = np.full_like(t, 1.0)
        weight[int(len(t) * 0.6): int(len(t) * 0.6) + 2] = 5.0
        return weight
    return np.full_like(t, 2.0) * rng.uniform(0.6, 1.4)


def make_corpus(
    n_papers: int = 400,
    *,
    n_topics: int = 5,
    months: int = 24,
    start: str = "2024-01",
    seed: int = 7,
    outlier_rate: float = 0.08,
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """(papers, topics, run_summary) with the columns the flow produces."""
    rng = np.random.default_rng(seed)
    month_starts = pd.period_range(start, periods=months, freq="M")
    t = np.linspace(0, 1, months)
    coverage = rng.uniform(0.5, 1.5, months)  # uneven crawling: some months have far more papers
    coverage[months // 3] = 0.15
    month_of_paper = rng.choice(months, size=n_papers, p=coverage / coverage.sum())

    topic_rows = []
    weights = []
    for k in range(n_topics):
        if k < len(NAMED_TOPICS) and n_topics <= len(NAMED_TOPICS):
            label, pattern, keywords = NAMED_TOPICS[k]
        else:
            pattern = PATTERNS[k % len(PATTERNS)]
            picked = rng.choice(WORDS, size=5, replace=False)
            label, keywords = " ".join(picked[:3]), ", ".join(picked)
        topic_rows.append({"topic_id": k, "label": label, "keywords": keywords, "pattern": pattern})
        weights.append(np.zeros(months) if pattern == "tiny" else _weight(pattern, t, rng) * rng.uniform(0.4, 1.6))
    weights = np.array(weights)

    topic_of_paper = np.empty(n_papers, dtype=int)
    for m in range(months):
        members = np.flatnonzero(month_of_paper == m)
        probabilities = weights[:, m] / weights[:, m].sum()
        topic_of_paper[members] = rng.choice(n_topics, size=len(members), p=probabilities)
    tiny = [k for k, row in enumerate(topic_rows) if row["pattern"] == "tiny"]
    for k in tiny:  # exactly five papers, spread over the span: too few to judge
        topic_of_paper[rng.choice(n_papers, size=5, replace=False)] = k
    outliers = rng.random(n_papers) < outlier_rate
    topic_of_paper[outliers & ~np.isin(topic_of_paper, tiny)] = -1

    days = rng.integers(0, 28, n_papers)
    published = [(month_starts[m].start_time + pd.Timedelta(days=int(d))).strftime("%Y-%m-%d") for m, d in zip(month_of_paper, days)]
    kind = rng.random(n_papers)
    inferred = kind < 0.12
    month_only = (kind >= 0.12) & (kind < 0.17)
    undated = kind > 0.95
    centres = rng.normal(0, 8, size=(n_topics + 1, 2))
    papers = []
    for i in range(n_papers):
        topic = int(topic_of_paper[i])
        label = topic_rows[topic]["label"] if topic >= 0 else ""
        words = rng.choice(WORDS, size=6)
        title = f"{' '.join(words).capitalize()} for {label if topic >= 0 else 'assorted problems'} ({i})"
        date = published[i]
        row = {
            "paper_id": f"p{i:06d}",
            "title": title,
            "abstract": f"We study {label or 'things'}. " + " ".join(rng.choice(WORDS, size=30)),
            "authors": "; ".join(f"Author {j}" for j in rng.integers(0, 500, 3)),
            "sources": ";".join(
                f"{(month_starts[month_of_paper[i]].start_time + pd.Timedelta(days=int(days[i]) + s)).strftime('%Y-%m-%d')}.jsonl.gz:{int(rng.integers(0, 400))}"
                for s in range(int(rng.integers(1, 3)))
            ),
            "published": date,
            "date_kind": "published",
            "date_source": "dump",
            "date_precision": "day",
            "date_low": date,
            "date_high": date,
            "date_inferred": False,
            "topic_id": topic,
            "topic_label": label,
            "map_x": float(centres[topic][0] + rng.normal(0, 1.3)),
            "map_y": float(centres[topic][1] + rng.normal(0, 1.3)),
            "categories": "cs.LG",
            "arxiv_id": f"{str(month_starts[month_of_paper[i]].year)[2:]}{month_starts[month_of_paper[i]].month:02d}.{i % 100000:05d}",
        }
        if inferred[i]:
            row.update(date_inferred=True, date_source="arxiv_id", date_kind="listed")
        if month_only[i]:
            month_start = date[:8] + "01"
            month_end = (pd.Timestamp(month_start) + pd.offsets.MonthEnd(0)).strftime("%Y-%m-%d")
            row.update(published=month_start, date_precision="month", date_low=month_start, date_high=month_end)
        if undated[i]:
            row.update(published="", date_kind="", date_source="", date_precision="", date_low="", date_high="", date_inferred=False)
        papers.append(row)
    papers = pd.DataFrame(papers)
    papers.loc[0, "title"] = XSS_TITLE
    papers.loc[0, "abstract"] = "<script>window.__xss=4</script> abstract"

    sizes = papers["topic_id"].value_counts()
    topics = pd.DataFrame(
        [
            {
                "topic_id": row["topic_id"],
                "label": row["label"],
                "keywords": row["keywords"],
                "size": int(sizes.get(row["topic_id"], 0)),
                "representative_papers": "; ".join(papers.loc[papers["topic_id"] == row["topic_id"], "paper_id"].head(3)),
            }
            for row in topic_rows
        ]
        + [{"topic_id": -1, "label": "Outliers", "keywords": "", "size": int(sizes.get(-1, 0)), "representative_papers": ""}]
    )

    file_names = sorted({ref.rpartition(":")[0] for refs in papers["sources"] for ref in refs.split(";")})
    files = []
    for k, name in enumerate(file_names):
        problems = []
        if k % 7 == 3:
            problems.append({"file": name, "line": 12 + k, "message": "record without a title set aside", "severity": "error"})
        if k % 5 == 1:
            problems.append({"file": name, "line": 3, "message": 'date "<b>May 31</b>" has no year; year taken from the page date', "severity": "warning"})
        files.append({"file": name, "format": "arxiv_jsonl" if k % 3 else "hf_daily", "records": int(rng.integers(20, 400)), "problems": problems, "sha256": f"{k:064x}"})
    dated = papers["published"] != ""
    run_summary = {
        "files": files,
        "totals": {"files": len(files), "records": sum(f["records"] for f in files), "papers": len(papers), "topics": n_topics},
        "date_coverage": {
            "stated": int((dated & ~papers["date_inferred"]).sum()),
            "inferred": int((dated & papers["date_inferred"]).sum()),
            "undated": int((~dated).sum()),
        },
        "timings": {"parse": 1.2, "dates": 0.4, "embed": 42.0, "cluster": 8.5, "trends": 0.3, "report": 1.1},
        "versions": {"topictrends": "0.1.0", "bertopic": "0.17.4", "plotly": "7"},
    }
    return papers, topics, run_summary


def make_evidence(papers: pd.DataFrame, growth: pd.DataFrame) -> dict:
    """An evidence.json document (analytics.growth_evidence) for the corpus's rising and fading topics, with
    planted figures: 'agentic' 3% -> 21% of a rising topic's papers, a sub-theme, upvotes, and a hostile title
    among the closest recent papers."""
    from analytics.growth_evidence import (EvidencePaper, SubTheme, SubThemeTerm, TermShift, TopicEvidence,
                                           UpvoteSummary, evidence_document)

    classes = dict(zip(growth["topic_id"].astype(int), growth["growth_class"]))
    evidence = {}
    for topic_id, growth_class in classes.items():
        if topic_id == -1 or growth_class not in ("emerging", "growing", "declining", "fading"):
            continue
        ids = papers.loc[papers["topic_id"] == topic_id, "paper_id"].tolist()
        closest = [EvidencePaper(paper_id=ids[0], title=XSS_EVIDENCE_TITLE, date="2025-11-03", similarity=0.91),
                   EvidencePaper(paper_id=ids[1], title="Tool-using agents at scale", date="2025-12-01", similarity=0.88)]
        evidence[topic_id] = TopicEvidence(
            topic_id=topic_id, recent_papers=140, earlier_papers=300,
            rising_terms=[TermShift("agentic", 9, 300, 0.03, 29, 140, 0.2071, 1e-9, 0.02, 0.05)],
            falling_terms=[TermShift("gan", 60, 300, 0.2, 7, 140, 0.05, 1e-4, 0.1, 0.09)],
            closest_recent=closest, centre_similarity=0.93,
            sub_theme=SubTheme(recent_papers=12, earlier_papers=1, p_value=1e-4,
                               terms=[SubThemeTerm("tool use", 10, 12, 0.8333, 3, 128, 0.0234, 1e-8)],
                               closest=closest[:1]),
            upvotes=UpvoteSummary(papers_with_upvotes=40, recent_with_upvotes=25, earlier_with_upvotes=15,
                                  median_recent=31.0, median_earlier=8.0),
        )
    labels = dict(zip(papers["topic_id"].astype(int), papers["topic_label"]))
    return evidence_document(evidence, labels, classes, ["2025-09", "2025-10", "2025-11", "2025-12"])
