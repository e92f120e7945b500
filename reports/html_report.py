"""The report: one self-contained, offline HTML file (plotly.js inlined once, no network).

`build_report` builds the one payload (reports.payload) from the run's typed results, renders it with the
Jinja2 templates in reports/templates/ (autoescape on: every string from a dump is escaped there, never by
hand) and writes the file atomically. Static parts (overview, growth tables, data quality) are rendered by
the templates; interactive parts (topic map hover, toggles, topic pages, paper tables) are drawn by
reports/assets/report.js from the payload's data, using textContent only. The data sits in a
<script type="application/json"> with <, > and & written as \\u003c, \\u003e, \\u0026, so no text from a
dump can close the script element or be parsed as markup.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.offline
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from analytics.run_summary import RunSummary
from analytics.trend_analysis import TrendsResult
from reports.payload import FIGURE_IDS, SECTIONS, Payload, build_payload, class_slug

ASSETS = Path(__file__).parent / "assets"
TEMPLATES = Path(__file__).parent / "templates"

_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                   trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
_env.filters["slug"] = class_slug


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


def _csp_hash(script: str) -> str:
    """CSP source for one inline script: only our two scripts may run, never inline handlers from text."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def render_page(payload: Payload) -> str:
    """The report's HTML for a payload."""
    css = (ASSETS / "report.css").read_text(encoding="utf-8")
    script = (ASSETS / "report.js").read_text(encoding="utf-8")
    plotly_js = plotly.offline.get_plotlyjs()
    csp = (
        "default-src 'none'; "
        f"script-src {_csp_hash(plotly_js)} {_csp_hash(script)} 'unsafe-eval'; "  # unsafe-eval: WebGL (regl) compiles code
        "style-src 'unsafe-inline'; img-src data: blob:; connect-src 'none'; font-src 'none'; form-action 'none'"
    )
    # Markup: our own assets and the CSP go in as they are (the hashes must match the scripts byte for byte);
    # script_json has no character that could end the element. Everything else is escaped by the templates.
    return _env.get_template("page.html.j2").render(
        title=payload.title,
        section_names=SECTIONS,
        sections=payload.sections,
        figure_ids=FIGURE_IDS,
        footer=payload.footer,
        csp=Markup(csp),
        css=Markup(css),
        data_json=Markup(script_json(payload.data)),
        plotly_js=Markup(plotly_js),
        script=Markup(script),
    )


def build_report(
    out_path: Path,
    *,
    papers: pd.DataFrame,
    topics: pd.DataFrame,
    trends: TrendsResult,
    summary: RunSummary,
    evidence: dict | None = None,
    max_map_points: int = 30000,
    min_papers: int | None = None,
    title: str = "Topic trends",
) -> Path:
    """Write the self-contained HTML report to out_path and return it.

    `papers` is the papers.csv table, `topics` the topic table (topic_id, label, keywords, size, guided,
    representative_papers, representative_ids, coherence_margin, weak), `trends` the trends stage's result
    (both trend variants for the toggle, the verdicts, how the trends counted), `summary` the run's summary.
    `evidence` (evidence.json, analytics.growth_evidence.evidence_document) fills the "Why it rises / fades"
    box of rising and fading topics' pages. `max_map_points` (config [report] max_map_points) caps the points
    drawn on the topic map; `min_papers` (config [trends] min_papers) is only quoted in the growth rule.
    """
    out_path = Path(out_path)
    payload = build_payload(papers=papers, topics=topics, trends=trends, summary=summary, evidence=evidence,
                            max_map_points=max_map_points, min_papers=min_papers, title=title)
    page = render_page(payload)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    temporary = out_path.with_name(out_path.name + ".tmp")
    temporary.write_text(page, encoding="utf-8")
    temporary.replace(out_path)  # atomic: a reader never sees half a report
    return out_path
