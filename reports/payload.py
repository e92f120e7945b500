"""The report's one payload, built in one place from the run's typed results.

`build_payload` takes the papers table (papers.csv), the topic table, the trends stage's result
(analytics.trend_analysis.TrendsResult), the run summary (analytics.run_summary.RunSummary) and the growth
evidence (evidence.json) and returns a `Payload`:

- `data`: the JSON the page script (assets/report.js) reads: papers, topics, timelines, figures;
- `sections`: per section, the context its template (templates/) renders: text and numbers already
  formatted, never markup. The templates only place them; Jinja's autoescape escapes every string.

Every number is formatted here (the `fmt_*` helpers). Nothing here is analytics: both trend variants, the
verdicts and how the trends counted come from TrendsResult, the run's counts from RunSummary. What is built
here is for showing only: the topic table joined with the verdicts, representative papers as rows, the
timelines, the figures.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.io as pio

from analytics import growth as growth_stats
from analytics import verdict_words
from analytics.growth import fmt_fold
from analytics.label_quality import SPECIFIC_MIN_SHARE
from analytics.run_summary import RunSummary
from analytics.trend_analysis import TrendsResult
from analytics.trends import as_bool
from reports import figures

SECTIONS = [
    ("overview", "Overview"),
    ("map", "Topic map"),
    ("trends", "Topics over time"),
    ("growth", "Growth"),
    ("topics", "Topic pages"),
    ("quality", "Data quality"),
]
FIGURE_IDS = {"map": "fig-map", "trends": "fig-trends", "heatmap": "fig-heatmap", "leaderboard": "fig-leaderboard",
              "dated": "fig-dated"}
TOP_TOPICS_IN_TRENDS = 10
TOP_TOPICS_IN_HEATMAP = 30
MAX_TITLE_CHARS = 300  # titles in the papers table; keeps the file small for huge pasted "titles"
MAX_PROBLEMS_PER_FILE = 100
MAX_CHANGED_TOPICS = 15  # per list of "What changed since the last run"
MAX_COVERAGE_CHANGES = 8  # listed in At a glance
GLANCE_PER_SIDE = 5
ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})$")


@dataclass
class Payload:
    title: str
    data: dict[str, Any]  # the page script's data (script element #report-data)
    sections: dict[str, dict[str, Any]]  # section id -> its template's context
    footer: str


# ---------------------------------------------------------------------------------------------------
# Formatting


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def fmt_int(value: Any) -> str:
    return f"{int(value):,}" if value is not None and not (isinstance(value, float) and math.isnan(value)) else "–"


def fmt_pct(value: float | None, digits: int = 0) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value * 100:.{digits}f}%"


def fmt_rate(rate: float, low: float, high: float) -> str:
    if not all(map(math.isfinite, (rate, low, high))):
        return "–"
    return f"{rate * 100:+.0f}%/yr (95% CI {low * 100:+.0f}% to {high * 100:+.0f}%)"


def fmt_rate_short(rate: float) -> str:
    return f"{rate * 100:+.0f}%" if isinstance(rate, float) and math.isfinite(rate) else "–"


def fmt_fold_cell(value: Any) -> str:
    """A change of share as the report's tables write it (×2.50, ÷3.10, new; – when unknown)."""
    return fmt_fold(value, typeset=True) if isinstance(value, float) else "–"


def fmt_seconds(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.1f} s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def fmt_number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def class_slug(growth_class: Any) -> str:
    """The CSS class of a growth class's badge: 'not enough dated papers' -> 'not-enough-dated-papers'."""
    return re.sub(r"[^a-z]+", "-", str(growth_class).lower()).strip("-")


def _display_date(published: str, precision: str, low: str, high: str) -> str:
    """The paper's date as precise as it is known: '2024-05-03', '2024-05', '2024' or a range."""
    if not published:
        return ""
    if precision == "month":
        return published[:7]
    if precision == "year":
        return published[:4]
    if precision == "interval" and low and high and low != high:
        return f"{low}..{high}"
    return published[:10]


def _clean(value: Any) -> Any:
    """Numbers JSON can carry: NaN/inf become None, numpy scalars become Python ones."""
    if isinstance(value, (np.floating, float)):
        return None if not math.isfinite(float(value)) else round(float(value), 6)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _is_int(value: Any) -> bool:
    try:
        return value is not None and not isinstance(value, bool) and float(value) == int(float(value))
    except (TypeError, ValueError):
        return False


def _is_true(value: Any) -> bool:
    """A flag column that may be missing (NaN) for some rows."""
    return isinstance(value, (bool, np.bool_)) and bool(value)


def _figure_dict(fig) -> dict:
    # plotly.io's encoder turns numpy arrays into compact base64 typed arrays.
    return json.loads(pio.to_json(fig, validate=False, remove_uids=True))


def _strings(papers: pd.DataFrame, name: str) -> list[str]:
    """A column as plain Python strings ("" for missing); lists iterate far faster than Arrow-backed Series."""
    if name not in papers.columns:
        return [""] * len(papers)
    return ["" if value is None or value != value else str(value) for value in papers[name].tolist()]


# ---------------------------------------------------------------------------------------------------
# The payload


def build_payload(*, papers: pd.DataFrame, topics: pd.DataFrame, trends: TrendsResult, summary: RunSummary,
                  evidence: dict | None, max_map_points: int, min_papers: int | None, title: str) -> Payload:
    """Everything the report shows; see the module's docstring."""
    papers = papers.reset_index(drop=True)
    settings = trends.settings
    topic_table = _topic_table(papers, topics, trends.growth)
    labels = dict(zip(topic_table["topic_id"].astype(int), topic_table["label"]))
    colors = figures.topic_colors(topic_table["topic_id"].astype(int).tolist())
    papers_data, files, published = _papers_data(papers)

    figs: dict[str, Any] = {}
    has_map = {"map_x", "map_y"} <= set(papers.columns)
    shown = np.array([], dtype=int)
    if has_map:
        map_fig, shown = figures.map_figure(papers, labels, colors, max_points=max_map_points)
        figs["map"] = _figure_dict(map_fig)
    top_ids = figures.top_topics(trends.trends_all, TOP_TOPICS_IN_TRENDS)
    figs["trends"] = {}
    for variant, frame, stated in (("all", trends.trends_all, trends.trends_stated), ("stated", trends.trends_stated, None)):
        for value in ("share", "count"):
            if frame.empty:
                continue
            figs["trends"][f"{value}|{variant}"] = _figure_dict(
                figures.trends_figure(frame, stated, labels, colors, top_ids, value=value))
    heat_ids = figures.top_topics(trends.trends, TOP_TOPICS_IN_HEATMAP) if not trends.trends.empty else []
    if not trends.trends.empty:
        figs["heatmap"] = _figure_dict(figures.heatmap_figure(trends.trends, trends.growth, labels, heat_ids))
        figs["leaderboard"] = _figure_dict(figures.leaderboard_figure(trends.growth, labels))
        figs["dated"] = _figure_dict(figures.dated_papers_figure(trends.trends_all, trends.trends_stated))

    representative = _representative_rows(topic_table, papers)
    evidence = evidence or {}
    evidence_by_topic = {int(item["topic_id"]): item for item in evidence.get("topics", [])}
    topic_rows = [
        {
            "id": int(row.topic_id),
            "label": row.label,
            "keywords": row.keywords,
            "size": int(row.size),
            "papers": int(row.papers),
            "color": colors.get(int(row.topic_id)),
            "cls": row.growth_class,
            "reason": row.growth_reason,
            "dated": _clean(row.dated_papers),
            "rate": fmt_rate(row.growth_per_year, row.growth_per_year_low, row.growth_per_year_high)
            if isinstance(row.growth_per_year, float)
            else "–",
            "change": fmt_fold_cell(row.change_over_span),
            "bursts": _text(row.burst_periods),
            "burst_now": _is_true(row.bursting_now),
            "signal": _text(row.signal),
            "rep": representative.get(int(row.topic_id), []),
            "rep_text": "" if int(row.topic_id) in representative else row.representative_papers[:1000],
            "evidence": _evidence_data(evidence_by_topic.get(int(row.topic_id))),
            "weak": _weak_flag(row.weak, row.coherence_margin),
            "vague_label": _vague_label_flag(row.label_specific, row.label_coverage, row.label_exclusivity),
            "words": _words_flag(row.words_check),
            "words_reason": _text(row.words_reason),
        }
        for row in topic_table.itertuples()
    ]
    map_meta = {"map_points": int(len(shown)), "map_total": int(len(papers)), "map_available": has_map}
    data = {
        "meta": {
            "period": settings.period,
            "include_inferred": settings.include_inferred,
            **map_meta,
            "evidence_periods": list(evidence.get("recent_periods", [])),
        },
        "topics": topic_rows,
        "papers": papers_data,
        "files": files,
        "timeline": _timelines(trends.trends),
        "figures": figs,
    }
    sections = {
        "overview": _overview(papers, topic_table, summary, published, settings.period, labels),
        "map": _map(**map_meta),
        "trends": _trends(trends, len(heat_ids)),
        "growth": _growth(topic_table, trends, min_papers),
        "topics": {},
        "quality": _quality(papers, summary, published, trends),
    }
    versions = ", ".join(f"{k} {v}" for k, v in summary.versions.items())
    # The run's own time (not the clock now), so the same run always gives the same file.
    run_time = summary.finished_at or summary.started_at
    generated = f"Run of {run_time}. " if run_time else ""
    return Payload(title=title, data=data, sections=sections,
                   footer=f"{generated}Report by topictrends. {versions}")


def _topic_table(papers: pd.DataFrame, topics: pd.DataFrame, growth: pd.DataFrame) -> pd.DataFrame:
    """One row per topic id seen in papers or topics, with label, keywords, size, growth columns."""
    sizes = papers["topic_id"].value_counts()
    table = pd.DataFrame({"topic_id": sorted(set(sizes.index.astype(int)) | set(topics["topic_id"].astype(int)))})
    topic_info = topics.copy()
    topic_info["topic_id"] = topic_info["topic_id"].astype(int)
    table = table.merge(topic_info, on="topic_id", how="left")
    fallback_labels = papers.groupby("topic_id")["topic_label"].first() if "topic_label" in papers else pd.Series()
    table["label"] = [
        _text(label) or _text(fallback_labels.get(t, "")) or ("Outliers (no topic)" if t == -1 else f"Topic {t}")
        for t, label in zip(table["topic_id"], table["label"])
    ]
    table["papers"] = table["topic_id"].map(sizes).fillna(0).astype(int)
    table["size"] = pd.to_numeric(table["size"], errors="coerce").fillna(table["papers"]).astype(int)
    for column in ("keywords", "representative_papers"):
        table[column] = table[column].map(_text)
    # Absent when the run could not measure its topics.
    for column in ("coherence_margin", "weak", "label_coverage", "label_exclusivity", "label_specific"):
        if column not in table.columns:
            table[column] = None
    table = table.merge(growth, on="topic_id", how="left")
    for column in verdict_words.WORDS_COLUMNS:  # absent when no verdict was checked against the words
        if column not in table.columns:
            table[column] = None
    table["growth_class"] = table["growth_class"].fillna("not enough dated papers")
    table["growth_reason"] = table["growth_reason"].fillna("no dated papers")
    table["order"] = np.where(table["topic_id"] == -1, -1, table["size"])
    return table.sort_values(["order", "topic_id"], ascending=[False, True]).reset_index(drop=True)


def _papers_data(papers: pd.DataFrame) -> tuple[dict, list[str], list[str]]:
    """Columnar papers table for the page. Sources are stored as 'fileIndex:record' against a file list,
    date sources as codes into a short list of names."""
    files: dict[str, int] = {}

    def encode_sources(sources: str) -> str:
        refs = []
        for ref in sources.split(";"):
            ref = ref.strip()
            if not ref:
                continue
            name, _, index = ref.rpartition(":")
            if not name:
                name, index = ref, ""
            position = files.setdefault(name, len(files))
            refs.append(f"{position}:{index}")
        return ";".join(refs)

    published = _strings(papers, "published")
    precision, low, high = _strings(papers, "date_precision"), _strings(papers, "date_low"), _strings(papers, "date_high")
    dates = [_display_date(p, pr, lo, hi) for p, pr, lo, hi in zip(published, precision, low, high)]
    inferred = as_bool(papers["date_inferred"]).tolist() if "date_inferred" in papers else [False] * len(papers)
    date_sources: dict[str, int] = {}
    data = {
        "title": [" ".join(t.split())[:MAX_TITLE_CHARS] for t in _strings(papers, "title")],
        "date": dates,
        "inferred": [1 if (flag and date) else 0 for flag, date in zip(inferred, dates)],
        "topic": papers["topic_id"].astype(int).tolist(),
        "src": [encode_sources(s) for s in _strings(papers, "sources")],
        "arxiv": [a.strip() if ARXIV_ID.match(a.strip()) else "" for a in _strings(papers, "arxiv_id")],
        "date_source": [date_sources.setdefault(v, len(date_sources)) for v in _strings(papers, "date_source")],
    }
    data["date_source_names"] = list(date_sources)
    return data, list(files), published


def _timelines(trends: pd.DataFrame) -> dict:
    if trends.empty:
        return {"periods": [], "totals": [], "topics": {}}
    periods = trends.drop_duplicates("period").sort_values("period_start")
    out = {"periods": periods["period"].tolist(), "totals": periods["period_total"].astype(int).tolist(), "topics": {}}
    for topic_id, rows in trends.groupby("topic_id"):
        rows = rows.sort_values("period_start")
        out["topics"][str(int(topic_id))] = {
            "count": rows["count"].astype(int).tolist(),
            "share": [_clean(v) for v in rows["share"]],
            "low": [_clean(v) for v in rows["share_low"]],
            "high": [_clean(v) for v in rows["share_high"]],
        }
    return out


def _representative_rows(topic_table: pd.DataFrame, papers: pd.DataFrame) -> dict[int, list[int]]:
    """Representative papers as row positions, from the paper ids the pipeline writes (`representative_ids`,
    ';'-joined; `representative_papers` holds their titles joined by ' | '). A topic whose ids are not all
    among the papers keeps its titles as text (`rep_text`)."""
    if "paper_id" not in papers.columns:
        return {}
    position = {pid: i for i, pid in enumerate(_strings(papers, "paper_id"))}
    out = {}
    for topic_id, text in zip(topic_table["topic_id"], topic_table["representative_ids"].map(_text)):
        ids = [part.strip() for part in text.split(";") if part.strip()]
        if ids and all(i in position for i in ids):
            out[int(topic_id)] = [position[i] for i in ids[:10]]
    return out


def _evidence_data(item: dict | None) -> dict | None:
    """One topic's growth evidence for the page: numbers JSON can carry, titles cut like the papers table's."""
    if item is None:
        return None

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return _clean(value)

    def papers(rows: list[dict]) -> list[dict]:
        return [{"paper_id": _text(p.get("paper_id")), "title": " ".join(_text(p.get("title")).split())[:MAX_TITLE_CHARS],
                 "date": _text(p.get("date"))[:10]} for p in rows or []]

    sub_theme = item.get("sub_theme")
    if sub_theme:
        sub_theme = dict(clean(sub_theme), closest=papers(sub_theme.get("closest")))
    return {
        "recent_papers": _clean(item.get("recent_papers")),
        "earlier_papers": _clean(item.get("earlier_papers")),
        "rising_terms": clean(item.get("rising_terms") or []),
        "falling_terms": clean(item.get("falling_terms") or []),
        "closest_recent": papers(item.get("closest_recent")),
        "sub_theme": sub_theme or None,
        "upvotes": clean(item.get("upvotes")),
        "notes": [_text(n) for n in item.get("notes") or []],
        "error": _text(item.get("error")),
    }


# ---------------------------------------------------------------------------------------------------
# Section contexts (templates/<section>.html.j2)


def _overview(papers: pd.DataFrame, topic_table: pd.DataFrame, summary: RunSummary, published: list[str],
              period: str, labels: dict[int, str]) -> dict:
    n_papers = len(papers)
    overall = summary.date_coverage["overall"]
    coverage = [("stated", "stated", "date stated by a dump", int(overall["stated"])),
                ("inferred", "inferred", "date inferred", int(overall["inferred"])),
                ("undated", "undated", "undated", int(overall["undated"]))]
    covered = max(sum(n for *_, n in coverage), 1)
    dated_values = sorted(v for v in published if v)
    span = f"{dated_values[0][:7]} – {dated_values[-1][:7]}" if dated_values else "no dated papers"
    span_note = f"{dated_values[0][:10]} to {dated_values[-1][:10]}, " if dated_values else ""
    n_topics = int((topic_table["topic_id"] != -1).sum())
    outliers = int(topic_table.loc[topic_table["topic_id"] == -1, "papers"].sum())
    timings = summary.timings
    cards = [  # label, value, note; small: a value too long for the big digits
        {"label": "Papers", "value": fmt_int(n_papers), "note": "unique papers", "small": False},
        {"label": "Dumps", "value": fmt_int(len(summary.files)), "note": f"{summary.totals.records:,} records read",
         "small": False},
        {"label": "Date span", "value": span, "note": f"{span_note}trends by {period}", "small": True},
        {"label": "Topics", "value": fmt_int(n_topics), "note": f"{fmt_pct(outliers / max(n_papers, 1))} of papers in no topic",
         "small": False},
        {"label": "Run time", "value": fmt_seconds(sum(timings.values())) if timings else "–",
         "note": f"{len(timings)} stages", "small": False},
    ]
    totals = [(key.replace("_", " "), fmt_number(value)) for key, value in summary.totals.model_dump().items()]
    return {
        "cards": cards,
        "coverage": [{"cls": cls, "name": name, "count": f"{n:,}", "width": f"{100 * n / covered:.3f}"}
                     for cls, name, _, n in coverage],
        "coverage_legend": [{"cls": cls, "name": name, "count": f"{n:,}", "share": fmt_pct(n / covered)}
                            for cls, _, name, n in coverage],
        "period": period,
        "glance": _glance(topic_table, summary.coverage),
        "changes": _changes(summary.changes, labels),
        "totals": totals,
        "timings": [(stage, fmt_seconds(seconds)) for stage, seconds in timings.items()],
    }


def _glance(topic_table: pd.DataFrame, coverage: dict) -> dict:
    """The most clearly rising and fading topics for the first screen, each with its reason. Only verdicts
    that passed the false-discovery control and the coverage check carry these classes (analytics.growth)."""
    judged = topic_table[topic_table["topic_id"] != -1]
    # A mixed topic's share can move because it gathers unrelated papers: its verdict stays in Growth, marked,
    # but does not make the first screen.
    mixed = judged["weak"].map(_is_true).astype(bool)
    movers = judged["growth_class"].isin(growth_stats.RISING + growth_stats.FALLING)
    mixed_movers = judged[mixed & movers]
    # So can a verdict the papers' own words do not bear out (analytics.verdict_words): the topic's edge moved.
    unsupported = judged["words_check"].map(_words_flag).notna() & ~mixed
    unsupported_movers = judged[unsupported & movers]
    judged = judged[~mixed & ~unsupported]
    rising = judged[judged["growth_class"].isin(growth_stats.RISING)].sort_values(
        ["change_over_span", "q_value"], ascending=[False, True])
    fading = judged[judged["growth_class"].isin(growth_stats.FALLING)].sort_values(["change_over_span", "q_value"])
    explained = judged[judged["growth_class"] == growth_stats.COVERAGE]

    def items(rows: pd.DataFrame) -> list[dict]:
        return [{"id": int(r.topic_id), "label": r.label, "cls": r.growth_class, "change": fmt_fold_cell(r.change_over_span),
                 "reason": r.growth_reason, "words": _words_short(r)}
                for r in rows.head(GLANCE_PER_SIDE).itertuples()]

    changes = coverage["changes"]
    coverage_note = None
    if changes:
        by_layout = coverage["stratified_by"] == "dump layout"
        coverage_note = {
            "count": len(changes),
            "what": "which kinds of dumps hold the papers" if by_layout else "which categories were collected",
            "within": "papers read from dumps of the same layout" if by_layout
            else "papers within the same primary arXiv category",
            "explained": len(explained),
            "sentences": [c["sentence"] for c in changes[:MAX_COVERAGE_CHANGES]],
            "more": max(len(changes) - MAX_COVERAGE_CHANGES, 0),
        }
    return {"coverage_note": coverage_note, "rising": items(rising), "fading": items(fading),
            "mixed_movers": len(mixed_movers), "unsupported_movers": len(unsupported_movers), "fdr": f"{growth_stats.FDR:g}", "coverage_class": growth_stats.COVERAGE}


def _changes(changes: dict[str, Any] | None, labels: dict[int, str]) -> dict | None:
    """What changed since the previous run (analytics.incremental.changes), None on a store's first run."""
    if not changes:
        return None
    how = {"refit": "topics were fitted again", "assign": "new papers were placed in the existing topics"}
    kept = None
    if "previous_papers_moved" in changes:
        n_kept, moved = changes.get("previous_papers_kept_topic", 0), changes["previous_papers_moved"]
        kept = {"kept": fmt_int(n_kept), "of": fmt_int(n_kept + moved), "share": fmt_pct(n_kept / max(n_kept + moved, 1)),
                "moved": fmt_int(moved), "topics_kept": fmt_int(changes.get("topics_kept", 0))}
    # New topics name where they came from (split / merged); vanished ones where their papers went.
    lists = [{"title": title, "entries": [_change_item(item, labels) for item in (changes.get(key) or [])[:MAX_CHANGED_TOPICS]]}
             for key, title in (("new_topics", "New, split and merged topics"), ("vanished", "Vanished topics"),
                                ("fastest_growing", "Fastest growing"))]
    shown = {"new_papers", "new_topics", "fastest_growing", "vanished", "mode", "previous_papers_moved",
             "previous_papers_kept_topic", "previous_papers_kept_share", "topics_kept", "vanished_topics"}
    return {
        "new_papers": fmt_int(changes.get("new_papers", 0)),
        "how": how.get(changes.get("mode"), str(changes.get("mode", ""))),
        "kept": kept,
        "lists": lists,
        "other": [(key.replace("_", " "), fmt_number(value)) for key, value in changes.items()
                  if key not in shown and not isinstance(value, (list, dict))],
    }


def _change_item(item: Any, labels: dict[int, str]) -> dict:
    """One entry of the changes' lists: a topic id, a label, or a dict describing a topic. `topic` is the id
    to link to, if any."""
    if isinstance(item, dict):
        topic_id = item.get("topic_id", item.get("id"))
        label = item.get("label") or (labels.get(int(topic_id)) if topic_id is not None else None) or topic_id
        details = ", ".join(f"{k.replace('_', ' ')}: {fmt_number(v)}" for k, v in item.items()
                            if k not in {"topic_id", "id", "label"})
        return {"topic": int(topic_id) if _is_int(topic_id) else None, "text": _text(label), "details": details}
    if _is_int(item):
        return {"topic": int(item), "text": labels.get(int(item), f"Topic {item}"), "details": ""}
    return {"topic": None, "text": _text(item), "details": ""}


def _map(map_points: int, map_total: int, map_available: bool) -> dict:
    note = (
        f"Showing a sample of {map_points:,} of {map_total:,} papers (every topic kept visible; "
        "all papers are in the topic pages)."
        if map_points < map_total
        else f"All {map_points:,} papers with map coordinates."
    )
    return {"available": map_available, "note": note}


def _trends(trends: TrendsResult, heatmap_rows: int) -> dict:
    left_out = trends.settings_all.papers_used - trends.settings_stated.papers_used
    return {
        "empty": trends.trends_all.empty,
        "period": trends.settings.period,
        "include_inferred": trends.settings.include_inferred,
        "left_out": left_out,
        "left_out_text": f"{left_out:,} papers" if left_out else "none in this run",
        "lines": len(figures.top_topics(trends.trends_all, TOP_TOPICS_IN_TRENDS)) if not trends.trends_all.empty else 0,
        "heatmap_rows": heatmap_rows,
    }


def _weak_flag(weak: Any, margin: Any) -> str | None:
    """The title of a "mixed topic" flag for a topic whose coherence margin is under the weak cut-off
    (analytics.topic_quality); None for other topics (and the outliers row, runs without the measure)."""
    if not _is_true(weak):
        return None
    return (f"coherence margin {fmt_number(margin)}: its papers are barely closer to each other than to the rest "
            "of the corpus")


def _words_short(row: Any) -> str:
    """The words check in a line, for At a glance: "×1.48 (×1.22 to ×1.80) in the 1,339 papers using its label's
    words; the direction holds, not the size"."""
    if not isinstance(row.words_change, float) or not math.isfinite(row.words_change):
        return ""
    size_note = "" if _is_true(row.words_size_holds) else "; the direction holds, not the size"
    return (f"{fmt_fold_cell(row.words_change)} ({fmt_fold_cell(row.words_change_low)} to "
            f"{fmt_fold_cell(row.words_change_high)}) in the {fmt_int(row.words_papers)} papers using its label's "
            f"words{size_note}")


def _words_flag(check: Any) -> str | None:
    """The text of a flag on a verdict the papers' words do not bear out (analytics.verdict_words), else None."""
    if check in (verdict_words.NOT_BORNE_OUT, verdict_words.CONTRADICTED):
        return f"{check} by its words"
    return None


def _vague_label_flag(specific: Any, coverage: Any, exclusivity: Any) -> str | None:
    """The title of a "vague label" flag for a topic whose label does not name a subject of its own
    (analytics.label_quality); None for specific labels and runs without the measure."""
    if not isinstance(specific, (bool, np.bool_)) or specific:
        return None
    return (f"{fmt_pct(coverage, 0)} of its papers use the label's words and {fmt_pct(exclusivity, 0)} of the "
            f"papers using its lead phrase are in this topic (a specific label: both at least "
            f"{fmt_pct(SPECIFIC_MIN_SHARE, 0)}, and not a model's name alone)")


def _growth_row(row: pd.Series) -> dict:
    return {
        "id": int(row["topic_id"]),
        "label": row["label"],
        "burst_now": row.get("bursting_now") is True,
        "signal": _text(row.get("signal")),
        "weak": _weak_flag(row.get("weak"), row.get("coherence_margin")),
        "words": _words_flag(row.get("words_check")),
        "words_reason": _text(row.get("words_reason")),
        "cls": row["growth_class"],
        "change": fmt_fold_cell(row["change_over_span"]),
        "change_low": fmt_fold_cell(row["change_over_span_low"]),
        "change_high": fmt_fold_cell(row["change_over_span_high"]),
        "rate": fmt_rate_short(row["growth_per_year"]),
        "rate_low": fmt_rate_short(row["growth_per_year_low"]),
        "rate_high": fmt_rate_short(row["growth_per_year_high"]),
        "recent": fmt_pct(row["recent_share"], 1),
        "dated": fmt_int(row["dated_papers"]),
        "first": _text(row["first_period"]),
        "last": _text(row["last_period"]),
    }


def _rule(min_papers: int) -> list[dict]:
    """The growth rule (analytics.growth.growth_rule) as paragraphs and lists of classes."""
    parts: list[dict] = []  # a paragraph (text) or a list of classes
    for line in growth_stats.growth_rule(min_papers):
        if line.startswith("- "):
            name, _, text = line[2:].partition(":")
            if not parts or not parts[-1]["classes"]:
                parts.append({"text": "", "classes": []})
            parts[-1]["classes"].append({"cls": name, "text": text.strip()})
        else:
            parts.append({"text": line, "classes": []})
    parts.append({"text": verdict_words.words_rule(), "classes": []})
    return parts


def _growth(topic_table: pd.DataFrame, trends: TrendsResult, min_papers: int | None) -> dict:
    judged = topic_table[topic_table["topic_id"] != -1]
    counts = judged["growth_class"].value_counts()
    chips = [{"cls": c, "count": int(counts.get(c, 0))} for c in growth_stats.GROWTH_CLASSES
             if c != growth_stats.NOT_JUDGED or counts.get(c, 0)]  # shown only when a topic's statistics failed
    rising = judged[judged["growth_class"].isin(["emerging", "growing"])].sort_values("change_over_span", ascending=False)
    fading = judged[judged["growth_class"].isin(["fading", "declining"])].sort_values("change_over_span")
    return {
        "chips": chips,
        "period": trends.settings.period,
        "inferred": "including" if trends.settings.include_inferred else "excluding",
        "rising": [_growth_row(r) for _, r in rising.iterrows()],
        "fading": [_growth_row(r) for _, r in fading.iterrows()],
        "rule": _rule(min_papers or growth_stats.MIN_PAPERS),
        "all": [
            {"id": int(r.topic_id), "label": r.label, "weak": _weak_flag(r.weak, r.coherence_margin),
             "words": _words_flag(r.words_check), "words_reason": _text(r.words_reason),
             "cls": r.growth_class, "dated": fmt_int(0 if pd.isna(r.dated_papers) else r.dated_papers),
             "reason": r.growth_reason, "bursts": r.burst_periods if isinstance(r.burst_periods, str) else ""}
            for r in judged.itertuples()
        ],
    }


def _quality(papers: pd.DataFrame, summary: RunSummary, published: list[str], trends: TrendsResult) -> dict:
    files = summary.files
    if not files:
        return {"files": False}
    # Papers and undated papers per dump come with the run (a paper counts once per dump). Per format the
    # same, counting a paper once even when several dumps of that format list it.
    format_of = {f.file: f.format or "(unknown)" for f in files}
    papers_by_format: dict[str, int] = {}
    undated_by_format: dict[str, int] = {}
    for refs, date in zip(_strings(papers, "sources"), published):
        names = {ref.rpartition(":")[0] or ref for ref in refs.split(";") if ref.strip()}
        for fmt in {format_of[name] for name in names if name in format_of}:
            papers_by_format[fmt] = papers_by_format.get(fmt, 0) + 1
            if not date:
                undated_by_format[fmt] = undated_by_format.get(fmt, 0) + 1

    per_dump = []
    for f in files:
        dates = summary.date_coverage_by_file.get(f.file, {})
        errors = sum(1 for p in f.problems if (p.get("severity") or "error") == "error")
        per_dump.append({"file": f.file, "format": f.format or "(unknown)", "records": f.records,
                         "papers": sum(dates.values()), "errors": errors, "warnings": len(f.problems) - errors,
                         "undated": dates.get("undated", 0), "sha256": f.sha256[:12], "problems": f.problems})

    by_format: dict[str, dict] = {}
    for d in per_dump:
        agg = by_format.setdefault(d["format"], {"format": d["format"], "dumps": 0, "records": 0, "errors": 0,
                                                 "warnings": 0})
        agg["dumps"] += 1
        for key in ("records", "errors", "warnings"):
            agg[key] += d[key]
        agg["papers"] = papers_by_format.get(d["format"], 0)
        agg["undated"] = undated_by_format.get(d["format"], 0)

    def counts(d: dict) -> dict:
        return {"records": f"{d['records']:,}", "papers": f"{d['papers']:,}", "errors": f"{d['errors']:,}",
                "warnings": f"{d['warnings']:,}", "undated": f"{d['undated']:,}",
                "undated_share": fmt_pct(d["undated"] / d["papers"]) if d["papers"] else "",
                "has_errors": bool(d["errors"]), "has_warnings": bool(d["warnings"])}

    problems, total_problems = [], 0
    for d in per_dump:
        total_problems += len(d["problems"])
        problems += [{"file": d["file"], "line": _text(p.get("line") or ""), "severity": p.get("severity") or "error",
                      "message": _text(p.get("message", ""))} for p in d["problems"][:MAX_PROBLEMS_PER_FILE]]

    def breakdown(column: str, title: str) -> dict | None:
        if column not in papers.columns:
            return None
        values = papers[column].map(_text).replace("", "(none)").value_counts()
        return {"title": title, "rows": [(k, f"{v:,}") for k, v in values.head(20).items()]}

    coarse = trends.settings.papers_too_coarse
    return {
        "files": True,
        "formats": [dict(agg, dumps=f"{agg['dumps']:,}", **counts(agg))
                    for agg in sorted(by_format.values(), key=lambda agg: -agg["records"])],
        "dumps_count": f"{len(per_dump):,}",
        "dumps": [dict(d, **counts(d)) for d in per_dump],
        "problems": problems,
        "problems_total": f"{total_problems:,}",
        "problems_cut": f"{len(problems):,}" if len(problems) < total_problems else None,
        "max_problems_per_file": MAX_PROBLEMS_PER_FILE,
        "breakdowns": [b for b in (breakdown("date_source", "Date source"), breakdown("date_kind", "Date meaning"),
                                   breakdown("date_precision", "Date precision")) if b],
        "coarse": f"{coarse:,}" if coarse else None,
        "period": trends.settings.period,
    }
