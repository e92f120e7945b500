"""The report: one self-contained, offline HTML file (plotly.js inlined once, no network).

Layout: static parts (overview, growth tables, data quality) are rendered here with every dump-derived
string escaped; interactive parts (topic map hover, toggles, topic pages, paper tables) are drawn by
reports/assets/report.js from one JSON payload, using textContent only. The payload sits in a
<script type="application/json"> with <, > and & written as \\u003c, \\u003e, \\u0026, so no text from a
dump can close the script element or be parsed as markup.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.io as pio
import plotly.offline

from analytics import growth as growth_stats
from analytics import trends as trend_stats
from reports import figures

ASSETS = Path(__file__).parent / "assets"
SECTIONS = [
    ("overview", "Overview"),
    ("map", "Topic map"),
    ("trends", "Topics over time"),
    ("growth", "Growth"),
    ("topics", "Topic pages"),
    ("quality", "Data quality"),
]
TOP_TOPICS_IN_TRENDS = 10
TOP_TOPICS_IN_HEATMAP = 30
MAX_TITLE_CHARS = 300  # titles in the papers table; keeps the file small for huge pasted "titles"
MAX_PROBLEMS_PER_FILE = 100
ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})$")


def _e(value: Any) -> str:
    """Escape anything for HTML text or attribute values."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


def script_json(payload: Any) -> str:
    """JSON that is safe inside a <script> element: no <, >, & or line separators as raw characters."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _figure_dict(fig) -> dict:
    # plotly.io's encoder turns numpy arrays into compact base64 typed arrays.
    return json.loads(pio.to_json(fig, validate=False, remove_uids=True))


def _clean(value: Any) -> Any:
    """Numbers JSON can carry: NaN/inf become None, numpy scalars become Python ones."""
    if isinstance(value, (np.floating, float)):
        return None if not math.isfinite(float(value)) else round(float(value), 6)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _fmt_int(value: Any) -> str:
    return f"{int(value):,}" if value is not None and not (isinstance(value, float) and math.isnan(value)) else "–"


def _fmt_pct(value: float | None, digits: int = 0) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value * 100:.{digits}f}%"


def _fmt_rate(rate: float, low: float, high: float) -> str:
    if not all(map(math.isfinite, (rate, low, high))):
        return "–"
    return f"{rate * 100:+.0f}%/yr (95% CI {low * 100:+.0f}% to {high * 100:+.0f}%)"


def _fmt_fold(value: float) -> str:
    if value == math.inf:
        return "new"  # a topic from nowhere: no finite change from zero
    if not math.isfinite(value):
        return "–"
    if value > 1000 or value < 1 / 1000:
        return "×>1000" if value > 1 else "÷>1000"
    if value >= 1:
        return f"×{value:.2f}" if value < 10 else f"×{value:.0f}"
    return f"÷{1 / value:.2f}" if value > 0.1 else f"÷{1 / value:.0f}"


def _fmt_seconds(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.1f} s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


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


def _infer_period_kind(trends: pd.DataFrame) -> str:
    if trends.attrs.get("period"):
        return trends.attrs["period"]
    if trends.empty:
        return "auto"
    return trend_stats.period_kind_of_label(str(trends["period"].iloc[0]))


def _include_inferred(trends: pd.DataFrame) -> bool:
    if "include_inferred" in trends.attrs:
        return bool(trends.attrs["include_inferred"])
    if "include_inferred" in trends.columns and not trends.empty:
        return bool(trend_stats._as_bool(trends["include_inferred"]).iloc[0])
    return True


# ---------------------------------------------------------------------------------------------------
# Payload for the page script


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
        for t, label in zip(table["topic_id"], table.get("label", pd.Series([""] * len(table))))
    ]
    table["papers"] = table["topic_id"].map(sizes).fillna(0).astype(int)
    if "size" not in table.columns:
        table["size"] = table["papers"]
    table["size"] = pd.to_numeric(table["size"], errors="coerce").fillna(table["papers"]).astype(int)
    for column in ("keywords", "representative_papers"):
        if column not in table.columns:
            table[column] = ""
        table[column] = table[column].map(_text)
    table = table.merge(growth, on="topic_id", how="left")
    table["growth_class"] = table["growth_class"].fillna("not enough dated papers")
    table["growth_reason"] = table["growth_reason"].fillna("no dated papers")
    table["order"] = np.where(table["topic_id"] == -1, -1, table["size"])
    return table.sort_values(["order", "topic_id"], ascending=[False, True]).reset_index(drop=True)


def _strings(papers: pd.DataFrame, name: str) -> list[str]:
    """A column as plain Python strings ("" for missing); lists iterate far faster than Arrow-backed Series."""
    if name not in papers.columns:
        return [""] * len(papers)
    return ["" if value is None or value != value else str(value) for value in papers[name].tolist()]


def _papers_payload(papers: pd.DataFrame) -> tuple[dict, list[str], list[str]]:
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
    inferred = (
        trend_stats._as_bool(papers["date_inferred"]).tolist() if "date_inferred" in papers else [False] * len(papers)
    )
    date_sources: dict[str, int] = {}
    payload = {
        "title": [" ".join(t.split())[:MAX_TITLE_CHARS] for t in _strings(papers, "title")],
        "date": dates,
        "inferred": [1 if (flag and date) else 0 for flag, date in zip(inferred, dates)],
        "topic": papers["topic_id"].astype(int).tolist(),
        "src": [encode_sources(s) for s in _strings(papers, "sources")],
        "arxiv": [a.strip() if ARXIV_ID.match(a.strip()) else "" for a in _strings(papers, "arxiv_id")],
        "date_source": [date_sources.setdefault(v, len(date_sources)) for v in _strings(papers, "date_source")],
    }
    payload["date_source_names"] = list(date_sources)
    return payload, list(files), published


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


# ---------------------------------------------------------------------------------------------------
# Static HTML sections


def _card(label: str, value: str, note: str = "") -> str:
    note_html = f'<div class="card-note">{note}</div>' if note else ""
    return f'<div class="card"><div class="card-label">{_e(label)}</div><div class="card-value">{value}</div>{note_html}</div>'


def _change_item(item: Any, labels: dict[int, str]) -> str:
    """One entry of run_summary['changes'] lists: a topic id, a label, or a dict describing a topic."""
    if isinstance(item, dict):
        topic_id = item.get("topic_id", item.get("id"))
        label = item.get("label") or (labels.get(int(topic_id)) if topic_id is not None else None) or topic_id
        details = ", ".join(
            f"{_e(k.replace('_', ' '))}: {_e(_fmt_number(v))}" for k, v in item.items() if k not in {"topic_id", "id", "label"}
        )
        link = f'<a href="#topic-{int(topic_id)}">{_e(label)}</a>' if _is_int(topic_id) else _e(label)
        return f"<li>{link}{' <span class=muted>(' + details + ')</span>' if details else ''}</li>"
    if _is_int(item):
        return f'<li><a href="#topic-{int(item)}">{_e(labels.get(int(item), f"Topic {item}"))}</a></li>'
    return f"<li>{_e(item)}</li>"


def _is_int(value: Any) -> bool:
    try:
        return value is not None and not isinstance(value, bool) and float(value) == int(float(value))
    except (TypeError, ValueError):
        return False


def _fmt_number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _overview_html(papers, topic_table, run_summary, published, trends_all, figure_ids) -> str:
    n_papers = len(papers)
    files = run_summary.get("files", []) or []
    coverage = run_summary.get("date_coverage") or {}
    coverage = coverage.get("overall", coverage)  # analytics.dates.date_coverage nests totals under "overall"
    inferred_flags = trend_stats._as_bool(papers["date_inferred"]) if "date_inferred" in papers else pd.Series(False, index=papers.index)
    has_date = pd.Series([bool(v) for v in published], index=papers.index)
    stated = int(coverage.get("stated", int((has_date & ~inferred_flags).sum())))
    inferred = int(coverage.get("inferred", int((has_date & inferred_flags).sum())))
    undated = int(coverage.get("undated", int((~has_date).sum())))
    covered = max(stated + inferred + undated, 1)
    dated_values = sorted(v for v in published if v)
    span = f"{_e(dated_values[0][:7])} – {_e(dated_values[-1][:7])}" if dated_values else "no dated papers"
    span_note = f"{_e(dated_values[0][:10])} to {_e(dated_values[-1][:10])}, " if dated_values else ""
    n_topics = int((topic_table["topic_id"] != -1).sum())
    outliers = int(topic_table.loc[topic_table["topic_id"] == -1, "papers"].sum())
    timings = run_summary.get("timings") or {}
    total_seconds = sum(float(v) for v in timings.values() if isinstance(v, (int, float)))
    cards = "".join(
        [
            _card("Papers", _fmt_int(n_papers), "unique papers"),
            _card("Dumps", _fmt_int(len(files)), f"{sum(int(f.get('records', 0) or 0) for f in files):,} records read"),
            _card("Date span", f'<span class="small-value">{span}</span>', f"{span_note}trends by {_e(trends_all.attrs.get('period', ''))}"),
            _card("Topics", _fmt_int(n_topics), f"{_fmt_pct(outliers / max(n_papers, 1))} of papers in no topic"),
            _card("Run time", _e(_fmt_seconds(total_seconds)) if timings else "–", f"{len(timings)} stages"),
        ]
    )
    segments = "".join(
        f'<div class="seg seg-{cls}" style="width:{100 * n / covered:.3f}%" title="{_e(name)}: {n:,}"></div>'
        for cls, name, n in (("stated", "stated", stated), ("inferred", "inferred", inferred), ("undated", "undated", undated))
    )
    legend = "".join(
        f'<span class="key"><i class="sw seg-{cls}"></i>{_e(name)} <b>{n:,}</b> ({_fmt_pct(n / covered)})</span>'
        for cls, name, n in (
            ("stated", "date stated by a dump", stated),
            ("inferred", "date inferred", inferred),
            ("undated", "undated", undated),
        )
    )
    coverage_html = f'<h3>Date coverage</h3><div class="coverage">{segments}</div><div class="coverage-legend">{legend}</div>'

    changes = run_summary.get("changes")
    labels = dict(zip(topic_table["topic_id"].astype(int), topic_table["label"]))
    if changes:
        how = {"refit": "topics were fitted again", "assign": "new papers were placed in the existing topics"}
        parts = [f'<p><b>{_fmt_int(changes.get("new_papers", 0))}</b> new papers since the previous run; '
                 f'{_e(how.get(changes.get("mode"), str(changes.get("mode", ""))))}.</p>']
        if "previous_papers_moved" in changes:
            kept, moved = changes.get("previous_papers_kept_topic", 0), changes.get("previous_papers_moved", 0)
            parts.append(f'<p><b>{_fmt_int(kept)}</b> of {_fmt_int(kept + moved)} earlier papers '
                         f'({_fmt_pct(kept / max(kept + moved, 1))}) kept their topic; <b>{_fmt_int(moved)}</b> moved. '
                         f'{_fmt_int(changes.get("topics_kept", 0))} topics kept their id and label.</p>')
        # New topics name where they came from (split / merged); vanished ones where their papers went.
        for key, title in (("new_topics", "New, split and merged topics"), ("vanished", "Vanished topics"),
                           ("fastest_growing", "Fastest growing")):
            items = changes.get(key) or []
            if items:
                parts.append(f'<div class="change-list"><h4>{title}</h4><ul>{"".join(_change_item(i, labels) for i in items[:15])}</ul></div>')
            else:
                parts.append(f'<div class="change-list"><h4>{title}</h4><p class="muted">none</p></div>')
        shown = {"new_papers", "new_topics", "fastest_growing", "vanished", "mode", "previous_papers_moved",
                 "previous_papers_kept_topic", "previous_papers_kept_share", "topics_kept", "vanished_topics"}
        for key, value in changes.items():
            if key not in shown and not isinstance(value, (list, dict)):
                parts.append(f'<p class="muted">{_e(key.replace("_", " "))}: {_e(_fmt_number(value))}</p>')
        changes_html = f'<div class="changes" id="changes"><h3>What changed since the last run</h3>{"".join(parts)}</div>'
    else:
        changes_html = '<div class="changes" id="changes"><h3>What changed since the last run</h3><p class="muted">This is the first run on this store: nothing to compare with yet.</p></div>'

    glance_html = _glance_html(topic_table, run_summary.get("coverage") or {})

    totals = run_summary.get("totals") or {}
    totals_rows = "".join(
        f"<tr><td>{_e(str(k).replace('_', ' '))}</td><td class=num>{_e(_fmt_number(v))}</td></tr>"
        for k, v in totals.items()
        if not isinstance(v, (dict, list))
    )
    timing_rows = "".join(
        f"<tr><td>{_e(stage)}</td><td class=num>{_e(_fmt_seconds(float(sec)))}</td></tr>"
        for stage, sec in timings.items()
        if isinstance(sec, (int, float))
    )
    details = ""
    if totals_rows or timing_rows:
        details = (
            '<div class="two-col">'
            + (f'<details><summary>Run totals</summary><table class="kv">{totals_rows}</table></details>' if totals_rows else "")
            + (f'<details><summary>Time per stage</summary><table class="kv">{timing_rows}</table></details>' if timing_rows else "")
            + "</div>"
        )
    return (
        f'<div class="cards">{cards}</div>'
        f'<div class="two-col wide-left"><div>{coverage_html}'
        f'<h3>Dated papers per {_e(trends_all.attrs.get("period", "period"))}</h3>'
        f'<p class="hint">Dumps cover periods unevenly; the trend charts therefore use each topic\'s share of the period\'s dated papers.</p>'
        f'<div class="fig" id="{figure_ids["dated"]}"></div></div><div>{glance_html}{changes_html}</div></div>'
        f"{details}"
    )


def _glance_html(topic_table: pd.DataFrame, coverage: dict, per_side: int = 5) -> str:
    """The most clearly rising and fading topics for the first screen, each with its reason. Only verdicts
    that passed the false-discovery control and the coverage check carry these classes (analytics.growth)."""
    judged = topic_table[topic_table["topic_id"] != -1]
    # A mixed topic's share can move because it gathers unrelated papers: its verdict stays in Growth, marked,
    # but does not make the first screen.
    weak = judged["weak"] if "weak" in judged else pd.Series(False, index=judged.index)
    mixed = weak.map(lambda w: isinstance(w, (bool, np.bool_)) and bool(w)).astype(bool)
    mixed_movers = judged[mixed & judged["growth_class"].isin(growth_stats.RISING + growth_stats.FALLING)]
    judged = judged[~mixed]
    rising = judged[judged["growth_class"].isin(growth_stats.RISING)].sort_values(
        ["change_over_span", "q_value"], ascending=[False, True])
    fading = judged[judged["growth_class"].isin(growth_stats.FALLING)].sort_values(["change_over_span", "q_value"])
    explained = judged[judged["growth_class"] == growth_stats.COVERAGE]

    def items(rows: pd.DataFrame, empty: str) -> str:
        if rows.empty:
            return f'<p class="muted">{_e(empty)}</p>'
        return "<ul class=glance-list>" + "".join(
            f'<li><a href="#topic-{int(r.topic_id)}">{_e(r.label)}</a> {_badge(r.growth_class)} '
            f'<span class="muted">{_e(_fmt_fold(r.change_over_span))}</span>'
            f'<div class="muted small glance-reason">{_e(r.growth_reason)}</div></li>'
            for r in rows.head(per_side).itertuples()
        ) + "</ul>"

    changes = coverage.get("changes") or []
    coverage_note = ""
    if changes:
        listed = "".join(f"<li>{_e(c.get('sentence', ''))}</li>" for c in changes[:8])
        more = f"<li>… and {len(changes) - 8} more</li>" if len(changes) > 8 else ""
        moved = (f" {len(explained)} topic(s) whose share moved only because of it are marked "
                 f"{_badge(growth_stats.COVERAGE)} and left out here." if len(explained) else "")
        by_layout = coverage.get("stratified_by") == "dump layout"
        what = "which kinds of dumps hold the papers" if by_layout else "which categories were collected"
        within = ("papers read from dumps of the same layout" if by_layout
                  else "papers within the same primary arXiv category")
        coverage_note = (
            '<details class="coverage-note"><summary><b>The dumps\' coverage changed</b> '
            f'({len(changes)} change(s) in {what}). Verdicts compare {within}, so this moves none of them.'
            f'{moved}</summary><ul>{listed}{more}</ul></details>'
        )
    return (
        '<div class="glance" id="glance"><h3>At a glance</h3>'
        f"{coverage_note}"
        f'<h4>Rising</h4>{items(rising, "No topic rises clearly.")}'
        f'<h4>Fading</h4>{items(fading, "No topic fades clearly.")}'
        + (f'<p class="muted small">Left out: {len(mixed_movers)} rising or fading topic(s) marked "mixed topic" '
           "(their papers are barely more alike than the corpus), listed in Growth.</p>" if len(mixed_movers) else "")
        + f'<p class="muted small">Only changes that pass a test against chance with false-discovery control '
        f'(Benjamini-Hochberg, q &lt; {growth_stats.FDR:g}) are listed; see Growth for intervals and the rule.</p></div>'
    )


def _weak_flag(weak: Any, margin: Any) -> str:
    """A "mixed topic" flag for a topic whose coherence margin is under the weak cut-off (analytics.topic_quality)."""
    if not (isinstance(weak, (bool, np.bool_)) and weak):  # missing for the outliers row, runs without the measure
        return ""
    return (f'<span class="flag weak" title="coherence margin {_e(_fmt_number(margin))}: its papers are barely '
            'closer to each other than to the rest of the corpus">mixed topic</span>')


def _growth_row(row: pd.Series) -> str:
    flags = []
    if row.get("bursting_now") is True:
        flags.append('<span class="flag burst" title="Kleinberg burst in the latest period">burst now</span>')
    if _text(row.get("signal")):
        flags.append(f'<span class="flag signal">{_e(row["signal"])}</span>')
    flags.append(_weak_flag(row.get("weak"), row.get("coherence_margin")))
    return (
        f'<tr><td class="topic-cell"><a href="#topic-{int(row["topic_id"])}">{_e(row["label"])}</a>{"".join(flags)}</td>'
        f"<td>{_badge(row['growth_class'])}</td>"
        f'<td class=num><b>{_e(_fmt_fold(row["change_over_span"]))}</b> '
        f'<span class="muted">({_e(_fmt_fold(row["change_over_span_low"]))} to {_e(_fmt_fold(row["change_over_span_high"]))})</span></td>'
        f'<td class=num>{_e(_fmt_rate_short(row["growth_per_year"]))} '
        f'<span class="muted">({_e(_fmt_rate_short(row["growth_per_year_low"]))} to {_e(_fmt_rate_short(row["growth_per_year_high"]))})</span></td>'
        f'<td class=num>{_fmt_pct(row["recent_share"], 1)}</td>'
        f'<td class=num>{_fmt_int(row["dated_papers"])}</td>'
        f'<td class="muted small">{_e(row["first_period"])} – {_e(row["last_period"])}</td></tr>'
    )


def _fmt_rate_short(rate: float) -> str:
    return f"{rate * 100:+.0f}%" if isinstance(rate, float) and math.isfinite(rate) else "–"


def _badge(growth_class: str) -> str:
    slug = re.sub(r"[^a-z]+", "-", str(growth_class).lower()).strip("-")
    return f'<span class="badge cls-{_e(slug)}">{_e(growth_class)}</span>'


GROWTH_HEADER = (
    "<thead><tr><th>Topic</th><th>Class</th><th class=num>Change of share over span (95% CI)</th>"
    "<th class=num>Per year (95% CI)</th><th class=num>Recent share</th><th class=num>Dated papers</th>"
    "<th>Span</th></tr></thead>"
)


def _rule_html(min_papers: int) -> str:
    """The growth rule as paragraphs and a list of classes."""
    parts, items = [], []
    for line in growth_stats.growth_rule(min_papers):
        if line.startswith("- "):
            name, _, text = line[2:].partition(":")
            items.append(f"<li>{_badge(name)} {_e(text.strip())}</li>")
            continue
        if items:
            parts.append(f'<ul class="rule-list">{"".join(items)}</ul>')
            items = []
        parts.append(f"<p>{_e(line)}</p>")
    if items:
        parts.append(f'<ul class="rule-list">{"".join(items)}</ul>')
    return "".join(parts)


def _growth_html(topic_table: pd.DataFrame, trends: pd.DataFrame, min_papers: int | None, figure_ids) -> str:
    judged = topic_table[topic_table["topic_id"] != -1]
    counts = judged["growth_class"].value_counts()
    chips = "".join(
        f'<span class="chip">{_badge(c)} <b>{int(counts.get(c, 0))}</b></span>' for c in growth_stats.GROWTH_CLASSES
        if c != growth_stats.NOT_JUDGED or counts.get(c, 0)  # shown only when a topic's statistics failed
    )
    rising = judged[judged["growth_class"].isin(["emerging", "growing"])].sort_values("change_over_span", ascending=False)
    fading = judged[judged["growth_class"].isin(["fading", "declining"])].sort_values("change_over_span")

    def table(rows: pd.DataFrame, empty: str, table_id: str) -> str:
        if rows.empty:
            return f'<p class="muted">{_e(empty)}</p>'
        body = "".join(_growth_row(r) for _, r in rows.iterrows())
        wrapper = "scroll-box" if len(rows) > 15 else "table-wrap"  # long lists scroll inside the page
        return f'<div class="{wrapper}"><table class="data sticky" id="{table_id}">{GROWTH_HEADER}<tbody>{body}</tbody></table></div>'

    all_rows = "".join(
        f'<tr><td><a href="#topic-{int(r.topic_id)}">{_e(r.label)}</a>{_weak_flag(getattr(r, "weak", None), getattr(r, "coherence_margin", None))}</td><td>{_badge(r.growth_class)}</td>'
        f"<td class=num>{_fmt_int(0 if pd.isna(r.dated_papers) else r.dated_papers)}</td><td>{_e(r.growth_reason)}</td>"
        f"<td>{_e(r.burst_periods if isinstance(r.burst_periods, str) else '')}</td></tr>"
        for r in judged.itertuples()
    )
    period = trends.attrs.get("period", "period")
    inferred = "including" if _include_inferred(trends) else "excluding"
    return (
        f'<div class="chips">{chips}</div>'
        f'<p class="hint">Growth of each topic\'s share of dated papers per {_e(period)} ({inferred} inferred dates). '
        "Diamonds are the fitted change of share over the whole span, bars its 95% interval; topics whose interval "
        "includes 1 (no change) are not drawn.</p>"
        f'<div class="fig" id="{figure_ids["leaderboard"]}"></div>'
        f'<h3>Rising</h3>{table(rising, "No topic rises clearly.", "rising-table")}'
        f'<h3>Fading</h3>{table(fading, "No topic fades clearly.", "fading-table")}'
        f'<details class="rule" open><summary>How growth is judged</summary><div class="rule-text">'
        f"{_rule_html(min_papers or growth_stats.MIN_PAPERS)}</div></details>"
        f'<details><summary>All topics ({len(judged)}) with the reason for their class</summary><div class="table-wrap"><table class="data">'
        "<thead><tr><th>Topic</th><th>Class</th><th class=num>Dated papers</th><th>Why</th><th>Bursts</th></tr></thead>"
        f"<tbody>{all_rows}</tbody></table></div></details>"
    )


def _quality_html(papers: pd.DataFrame, run_summary: dict, published: list[str], trends: pd.DataFrame) -> str:
    files = run_summary.get("files", []) or []
    # Papers and undated papers per dump: the papers read from that dump, and those of them with no date.
    # Per format the same, counting a paper once even when several dumps of that format list it.
    format_of = {_text(f.get("file")): _text(f.get("format")) or "(unknown)" for f in files}
    undated_by_file: dict[str, int] = {}
    papers_by_file: dict[str, int] = {}
    papers_by_format: dict[str, int] = {}
    undated_by_format: dict[str, int] = {}
    for refs, date in zip(_strings(papers, "sources"), published):
        names = {ref.rpartition(":")[0] or ref for ref in refs.split(";") if ref.strip()}
        for name in names:
            papers_by_file[name] = papers_by_file.get(name, 0) + 1
            if not date:
                undated_by_file[name] = undated_by_file.get(name, 0) + 1
        for fmt in {format_of[name] for name in names if name in format_of}:
            papers_by_format[fmt] = papers_by_format.get(fmt, 0) + 1
            if not date:
                undated_by_format[fmt] = undated_by_format.get(fmt, 0) + 1

    per_dump = []
    for f in files:
        name = _text(f.get("file"))
        problems = f.get("problems") or []
        errors = sum(1 for p in problems if (p.get("severity") or "error") == "error")
        per_dump.append(
            {
                "file": name,
                "format": _text(f.get("format")) or "(unknown)",
                "records": int(f.get("records") or 0),
                "papers": papers_by_file.get(name, 0),
                "errors": errors,
                "warnings": len(problems) - errors,
                "undated": undated_by_file.get(name, 0),
                "sha256": _text(f.get("sha256"))[:12],
                "problems": problems,
            }
        )
    if not per_dump:
        return '<p class="muted">The run summary lists no input files.</p>'

    def count_cells(d: dict) -> str:
        share = f' <span class="muted">({_fmt_pct(d["undated"] / d["papers"])})</span>' if d["papers"] else ""
        return (
            f'<td class=num>{d["records"]:,}</td><td class=num>{d["papers"]:,}</td>'
            f'<td class="num{" bad" if d["errors"] else ""}">{d["errors"]:,}</td>'
            f'<td class="num{" warn" if d["warnings"] else ""}">{d["warnings"]:,}</td>'
            f'<td class=num>{d["undated"]:,}{share}</td>'
        )

    by_format: dict[str, dict] = {}
    for d in per_dump:
        agg = by_format.setdefault(d["format"], {"dumps": 0, "records": 0, "papers": 0, "errors": 0, "warnings": 0, "undated": 0})
        agg["dumps"] += 1
        for key in ("records", "errors", "warnings"):
            agg[key] += d[key]
        agg["papers"] = papers_by_format.get(d["format"], 0)
        agg["undated"] = undated_by_format.get(d["format"], 0)
    count_head = (
        "<th class=num>Records</th><th class=num>Papers</th><th class=num>Errors</th>"
        "<th class=num>Warnings</th><th class=num>Undated papers</th>"
    )
    format_rows = "".join(
        f"<tr><td>{_e(fmt)}</td><td class=num>{agg['dumps']:,}</td>{count_cells(agg)}</tr>"
        for fmt, agg in sorted(by_format.items(), key=lambda item: -item[1]["records"])
    )
    dump_rows = "".join(
        f"<tr><td>{_e(d['file'])}</td><td>{_e(d['format'])}</td>{count_cells(d)}<td class=mono>{_e(d['sha256'])}</td></tr>"
        for d in per_dump
    )
    problem_rows, shown, total_problems = [], 0, 0
    for d in per_dump:
        total_problems += len(d["problems"])
        for p in d["problems"][:MAX_PROBLEMS_PER_FILE]:
            problem_rows.append(
                f'<tr><td>{_e(d["file"])}</td><td class="num mono">{_e(p.get("line") or "")}</td>'
                f'<td>{_badge_sev(p.get("severity") or "error")}</td><td>{_e(p.get("message", ""))}</td></tr>'
            )
            shown += 1
    problems_html = (
        f'<h3>Problems ({total_problems:,})</h3>'
        + (f'<p class="hint">Showing {shown:,}; the first {MAX_PROBLEMS_PER_FILE} per dump. All are in run.json.</p>' if shown < total_problems else "")
        + '<div class="scroll-box"><table class="data sticky" id="problems-table"><thead><tr><th>Dump</th><th class=num>Line</th>'
        f'<th>Severity</th><th>Message</th></tr></thead><tbody>{"".join(problem_rows)}</tbody></table></div>'
        if problem_rows
        else '<h3>Problems</h3><p class="muted">No problems reported while reading the dumps.</p>'
    )

    def breakdown(column: str, title: str) -> str:
        if column not in papers.columns:
            return ""
        values = papers[column].map(_text).replace("", "(none)").value_counts()
        body = "".join(f"<tr><td>{_e(k)}</td><td class=num>{v:,}</td></tr>" for k, v in values.head(20).items())
        return f'<div><h4>{_e(title)}</h4><table class="kv">{body}</table></div>'

    coarse = trends.attrs.get("papers_too_coarse", 0)
    coarse_note = (
        f'<p class="hint">{coarse:,} dated papers are known only to a range wider than one {_e(trends.attrs.get("period", "period"))} '
        "and are left out of the trend counts.</p>"
        if coarse
        else ""
    )
    return (
        '<h3>By dump format</h3><div class="table-wrap"><table class="data" id="formats-table"><thead><tr><th>Format</th>'
        f"<th class=num>Dumps</th>{count_head}</tr></thead><tbody>{format_rows}</tbody></table></div>"
        f'<h3>By dump ({len(per_dump):,})</h3><div class="scroll-box"><table class="data sticky" id="dumps-table"><thead><tr>'
        f"<th>Dump</th><th>Format</th>{count_head}<th>SHA-256</th></tr></thead><tbody>{dump_rows}</tbody></table></div>"
        f"{problems_html}"
        '<h3>Where the dates come from</h3><div class="three-col">'
        + breakdown("date_source", "Date source")
        + breakdown("date_kind", "Date meaning")
        + breakdown("date_precision", "Date precision")
        + f"</div>{coarse_note}"
    )


def _badge_sev(severity: str) -> str:
    return f'<span class="sev sev-{_e(severity)}">{_e(severity)}</span>'


# ---------------------------------------------------------------------------------------------------


def build_report(
    out_path: Path,
    papers: pd.DataFrame,
    topics: pd.DataFrame,
    trends: pd.DataFrame,
    growth: pd.DataFrame,
    run_summary: dict,
    *,
    max_map_points: int = 30000,
    min_papers: int | None = None,
    title: str = "Topic trends",
    evidence: dict | None = None,
) -> Path:
    """Write the self-contained HTML report to out_path and return it.

    `trends` is `topic_trends(papers, ...)` for the configured include_inferred choice; the report
    also computes the other choice (same period) for its toggle. `growth` is `topic_growth(trends)`.
    `max_map_points` (config [report] max_map_points) caps the points drawn on the topic map;
    `min_papers` (config [trends] min_papers) is only quoted in the explanation of the growth rule.
    `evidence` (the content of evidence.json, analytics.growth_evidence.evidence_document) fills the
    "Why it rises / fades" box of rising and fading topics' pages.
    """
    out_path = Path(out_path)
    papers = papers.reset_index(drop=True)
    period = _infer_period_kind(trends)
    include_inferred = _include_inferred(trends)
    other = trend_stats.topic_trends(papers, period=period, include_inferred=not include_inferred)
    trends_all, trends_stated = (trends, other) if include_inferred else (other, trends)
    for frame in (trends_all, trends_stated):
        frame.attrs.setdefault("period", period)

    topic_table = _topic_table(papers, topics, growth)
    labels = dict(zip(topic_table["topic_id"].astype(int), topic_table["label"]))
    colors = figures.topic_colors(topic_table["topic_id"].astype(int).tolist())
    papers_payload, files, published = _papers_payload(papers)

    figure_ids = {"map": "fig-map", "trends": "fig-trends", "heatmap": "fig-heatmap", "leaderboard": "fig-leaderboard", "dated": "fig-dated"}
    figs: dict[str, Any] = {}
    has_map = {"map_x", "map_y"} <= set(papers.columns)
    shown = np.array([], dtype=int)
    if has_map:
        map_fig, shown = figures.map_figure(papers, labels, colors, max_points=max_map_points)
        figs["map"] = _figure_dict(map_fig)
    top_ids = figures.top_topics(trends_all, TOP_TOPICS_IN_TRENDS)
    figs["trends"] = {}
    for variant, frame, stated in (("all", trends_all, trends_stated), ("stated", trends_stated, None)):
        for value in ("share", "count"):
            if frame.empty:
                continue
            figs["trends"][f"{value}|{variant}"] = _figure_dict(
                figures.trends_figure(frame, stated, labels, colors, top_ids, value=value)
            )
    heat_ids = figures.top_topics(trends, TOP_TOPICS_IN_HEATMAP) if not trends.empty else []
    if not trends.empty:
        figs["heatmap"] = _figure_dict(figures.heatmap_figure(trends, growth, labels, heat_ids))
        figs["leaderboard"] = _figure_dict(figures.leaderboard_figure(growth, labels))
        figs["dated"] = _figure_dict(figures.dated_papers_figure(trends_all, trends_stated))

    representative = _representative_rows(topic_table, papers)
    evidence_by_topic = {int(item["topic_id"]): item for item in (evidence or {}).get("topics", [])}
    topic_rows = []
    for row in topic_table.itertuples():
        topic_rows.append(
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
                "rate": _fmt_rate(row.growth_per_year, row.growth_per_year_low, row.growth_per_year_high)
                if isinstance(row.growth_per_year, float)
                else "–",
                "change": _fmt_fold(row.change_over_span) if isinstance(row.change_over_span, float) else "–",
                "bursts": _text(row.burst_periods),
                "burst_now": bool(row.bursting_now) if isinstance(row.bursting_now, (bool, np.bool_)) else False,
                "signal": _text(row.signal),
                "rep": representative.get(int(row.topic_id), []),
                "rep_text": "" if int(row.topic_id) in representative else row.representative_papers[:1000],
                "evidence": _evidence_payload(evidence_by_topic.get(int(row.topic_id))),
            }
        )
    payload = {
        "meta": {
            "period": period,
            "include_inferred": include_inferred,
            "map_points": int(len(shown)),
            "map_total": int(len(papers)),
            "map_available": has_map,
            "evidence_periods": list((evidence or {}).get("recent_periods", [])),
        },
        "topics": topic_rows,
        "papers": papers_payload,
        "files": files,
        "timeline": _timelines(trends),
        "figures": figs,
    }

    sections = {
        "overview": _overview_html(papers, topic_table, run_summary, published, trends_all, figure_ids),
        "map": _map_html(payload["meta"], figure_ids),
        "trends": _trends_html(trends_all, trends_stated, include_inferred, figure_ids, len(heat_ids)),
        "growth": _growth_html(topic_table, trends, min_papers, figure_ids),
        "topics": _topics_html(),
        "quality": _quality_html(papers, run_summary, published, trends_all),
    }
    page = _page(title, sections, payload, run_summary)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    temporary = out_path.with_name(out_path.name + ".tmp")
    temporary.write_text(page, encoding="utf-8")
    temporary.replace(out_path)  # atomic: a reader never sees half a report
    return out_path


def _evidence_payload(item: dict | None) -> dict | None:
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


def _representative_rows(topic_table: pd.DataFrame, papers: pd.DataFrame) -> dict[int, list[int]]:
    """Representative papers as row positions, from the paper ids the pipeline writes (`representative_ids`,
    ';'-joined; `representative_papers` holds their titles joined by ' | '). Tables without the ids column
    may list ids in `representative_papers`."""
    if "paper_id" not in papers.columns:
        return {}
    position = {pid: i for i, pid in enumerate(_strings(papers, "paper_id"))}
    column = "representative_ids" if "representative_ids" in topic_table.columns else "representative_papers"
    out = {}
    for topic_id, text in zip(topic_table["topic_id"], topic_table[column].fillna("").astype(str)):
        ids = [part.strip() for part in text.split(";") if part.strip()]
        if ids and all(i in position for i in ids):
            out[int(topic_id)] = [position[i] for i in ids[:10]]
    return out


def _map_html(meta: dict, figure_ids) -> str:
    if not meta["map_available"]:
        return '<p class="muted">No map coordinates in this run.</p>'
    sampled = meta["map_points"] < meta["map_total"]
    note = (
        f"Showing a sample of {meta['map_points']:,} of {meta['map_total']:,} papers (every topic kept visible; "
        "all papers are in the topic pages)."
        if sampled
        else f"All {meta['map_points']:,} papers with map coordinates."
    )
    return (
        '<p class="hint">Each dot is a paper, placed by the similarity of its text; colours are topics, grey '
        "dots belong to no topic. Hover for title, date and topic; click a dot to open its topic page; "
        f"drag to pan, scroll to zoom, double-click to reset. {_e(note)}</p>"
        f'<div class="fig fig-map" id="{figure_ids["map"]}"></div>'
    )


def _trends_html(trends_all, trends_stated, include_inferred: bool, figure_ids, n_rows: int) -> str:
    if trends_all.empty:
        return '<p class="muted">No dated papers, so no trends.</p>'
    n_lines = len(figures.top_topics(trends_all, TOP_TOPICS_IN_TRENDS))
    period = trends_all.attrs.get("period", "period")
    left_out = int(trends_all.attrs.get("papers_used", 0)) - int(trends_stated.attrs.get("papers_used", 0))
    return (
        '<div class="toolbar" role="toolbar">'
        '<div class="seg-toggle" id="toggle-value"><button data-value="share" class="on">Share</button><button data-value="count">Count</button></div>'
        f'<label class="check"><input type="checkbox" id="toggle-inferred"{" checked" if include_inferred else ""}'
        f'{" disabled" if left_out == 0 else ""}> include inferred dates '
        f'<span class=muted>({f"{left_out:,} papers" if left_out else "none in this run"})</span></label></div>'
        f'<p class="hint">The {n_lines} topics with most dated papers, per {_e(period)}. Share = topic papers / all '
        "dated papers of that period (hover shows the 95% interval and counts); the bars below show how many dated "
        "papers each period rests on. Click a legend entry to hide a topic, double-click to show it alone.</p>"
        f'<div class="fig" id="{figure_ids["trends"]}"></div>'
        f"<h3>When each topic peaked</h3>"
        f'<p class="hint">Share of each of the {n_rows} largest topics relative to its own peak '
        f"{_e(period)}; rows run from fastest rising (top) to fastest fading.</p>"
        f'<div class="fig" id="{figure_ids["heatmap"]}"></div>'
    )


def _topics_html() -> str:
    return (
        '<div class="topic-browser">'
        '<aside class="topic-list-pane"><input type="search" id="topic-search" placeholder="Filter topics by label or keyword" '
        'aria-label="Filter topics"><ul id="topic-list" class="topic-list"></ul></aside>'
        '<div id="topic-detail" class="topic-detail"></div></div>'
    )


def _csp_hash(script: str) -> str:
    """CSP source for one inline script: only our two scripts may run, never inline handlers from text."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def _page(title: str, sections: dict[str, str], payload: dict, run_summary: dict) -> str:
    css = (ASSETS / "report.css").read_text(encoding="utf-8")
    script = (ASSETS / "report.js").read_text(encoding="utf-8")
    plotly_js = plotly.offline.get_plotlyjs()
    nav = "".join(f'<a href="#{sid}">{_e(name)}</a>' for sid, name in SECTIONS)
    body = "".join(
        f'<section id="{sid}" class="section"><h2>{_e(name)}</h2>{sections[sid]}</section>' for sid, name in SECTIONS
    )
    versions = run_summary.get("versions") or {}
    version_text = ", ".join(f"{k} {v}" for k, v in versions.items())
    # The run's own time (not the clock now), so the same run always gives the same file.
    run_time = next((_text(run_summary.get(k)) for k in ("finished_at", "finished", "started_at", "started") if run_summary.get(k)), "")
    generated = f"Run of {run_time}. " if run_time else ""
    csp = (
        "default-src 'none'; "
        f"script-src {_csp_hash(plotly_js)} {_csp_hash(script)} 'unsafe-eval'; "  # unsafe-eval: WebGL (regl) compiles code
        "style-src 'unsafe-inline'; img-src data: blob:; connect-src 'none'; font-src 'none'; form-action 'none'"
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<title>{_e(title)}</title>
<style>{css}</style>
</head>
<body>
<header class="topbar"><div class="brand">{_e(title)}</div><nav>{nav}</nav></header>
<main>{body}</main>
<footer>{_e(generated)}Report by topictrends. {_e(version_text)}</footer>
<script type="application/json" id="report-data">{script_json(payload)}</script>
<script>{plotly_js}</script>
<script>{script}</script>
</body>
</html>
"""
