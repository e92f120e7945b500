"""Plotly figures for the report. Each builder returns a go.Figure (or its data) and never touches HTML.

All text that may come from dumps (titles, topic labels, keywords) goes through `plotly_text`, because
Plotly renders a subset of HTML tags in labels and hover text; escaped, it shows as plain text.
Hover text of the topic map is filled in by the page's script from the papers table, so titles are not
stored twice in the file.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.colors
import plotly.graph_objects as go
from plotly.subplots import make_subplots

OUTLIER_COLOR = "#c4c8cc"
CLASS_COLORS = {
    "emerging": "#0b7a3e",
    "growing": "#45a04a",
    "stable": "#6c7a89",
    "declining": "#e07b39",
    "fading": "#c0392b",
    "not enough dated papers": "#b3b9c0",
    "no clear change": "#c9ced4",
    "explained by coverage": "#d9a441",
}
FONT = dict(family="system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif", size=13)


def plotly_text(text: object, max_chars: int | None = None) -> str:
    """Untrusted text made safe and short for Plotly labels (it renders some HTML tags)."""
    value = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text)
    value = " ".join(value.split())
    if max_chars and len(value) > max_chars:
        value = value[: max_chars - 1].rstrip() + "…"
    return html.escape(value, quote=False)


def _palette() -> list[str]:
    seen, colors = set(), []
    q = plotly.colors.qualitative
    for color in q.T10 + q.Bold + q.Dark24 + q.Alphabet:
        color = color.lower()
        if color not in seen and color not in {"#bab0ac", "rgb(165, 170, 153)"}:
            seen.add(color)
            colors.append(color)
    return colors


def topic_colors(topic_ids_by_size: list[int]) -> dict[int, str]:
    """One colour per topic; the biggest topics get the most distinct colours; outliers grey."""
    palette = _palette()
    colors, position = {}, 0
    for topic_id in topic_ids_by_size:
        if topic_id == -1:
            colors[topic_id] = OUTLIER_COLOR
            continue
        colors[topic_id] = palette[position % len(palette)]
        position += 1
    return colors


def _base_layout(**extra) -> dict:
    layout = dict(
        template="none",  # plotly.js defaults; named templates cost time and ~8 KB per figure
        font=FONT,
        margin=dict(l=60, r=20, t=30, b=50),
        hoverlabel=dict(font=dict(family=FONT["family"], size=12), align="left"),
        paper_bgcolor="white",
        plot_bgcolor="white",
    )
    layout.update(extra)
    return layout


# ---------------------------------------------------------------------------------------------------
# Topic map


def sample_map_points(topic_ids: np.ndarray, has_coordinates: np.ndarray, max_points: int, seed: int = 0) -> np.ndarray:
    """Indices of papers to draw on the map: all of them up to max_points, else a seeded sample that
    keeps every topic visible (at least 50 points, or all of a smaller topic) and shares out the rest
    in proportion to topic size."""
    candidates = np.flatnonzero(has_coordinates)
    if len(candidates) <= max_points:
        return candidates
    rng = np.random.default_rng(seed)
    groups = {int(t): candidates[topic_ids[candidates] == t] for t in np.unique(topic_ids[candidates])}
    floors = {t: min(len(members), 50) for t, members in groups.items()}
    if sum(floors.values()) > max_points:  # thousands of topics: no floor, plain proportional sample
        floors = {t: 0 for t in groups}
    spare = max_points - sum(floors.values())
    extra_pool = sum(len(members) - floors[t] for t, members in groups.items())
    chosen = []
    for t, members in groups.items():
        extra = int(spare * (len(members) - floors[t]) / extra_pool) if extra_pool else 0
        keep = min(len(members), floors[t] + extra)
        chosen.append(rng.choice(members, size=keep, replace=False))
    return np.sort(np.concatenate(chosen))


def _place_labels(centres: list[tuple[int, float, float, str]], x_range, y_range, width_px=1000, height_px=600):
    """Greedy label placement: biggest topics first; skip a label that would overlap one already placed."""
    placed, boxes = [], []
    x_span = (x_range[1] - x_range[0]) or 1.0
    y_span = (y_range[1] - y_range[0]) or 1.0
    for topic_id, x, y, text in centres:
        px = (x - x_range[0]) / x_span * width_px
        py = (y - y_range[0]) / y_span * height_px
        half_w = (len(text) * 6.6 + 12) / 2
        half_h = 11
        box = (px - half_w, px + half_w, py - half_h, py + half_h)
        if any(not (box[1] < b[0] or box[0] > b[1] or box[3] < b[2] or box[2] > b[3]) for b in boxes):
            continue
        boxes.append(box)
        placed.append((topic_id, x, y, text))
    return placed


def map_figure(
    papers: pd.DataFrame,
    labels: dict[int, str],
    colors: dict[int, str],
    *,
    max_points: int = 30000,
    max_labels: int = 40,
    seed: int = 0,
) -> tuple[go.Figure, np.ndarray]:
    """Scattergl of papers at (map_x, map_y) coloured by topic, with topic labels at topic centres.

    Returns the figure and the drawn paper row positions; `customdata` of each trace holds those row
    positions so the page can add hover text (title, date, topic) from its papers table.
    """
    x = pd.to_numeric(papers["map_x"], errors="coerce").to_numpy(dtype=float)
    y = pd.to_numeric(papers["map_y"], errors="coerce").to_numpy(dtype=float)
    topic_ids = papers["topic_id"].to_numpy(dtype=int)
    shown = sample_map_points(topic_ids, np.isfinite(x) & np.isfinite(y), max_points, seed)
    n_shown = len(shown)
    marker_size = 6 if n_shown < 2000 else 4 if n_shown < 15000 else 3

    # One trace per topic with one colour: Plotly validates a per-point colour array string by string,
    # which takes seconds at 30,000 points. Outliers first so topics are drawn over them.
    traces = []
    by_topic = pd.Series(shown).groupby(topic_ids[shown])
    order = sorted(by_topic.groups, key=lambda t: (t != -1, -len(by_topic.groups[t])))
    for topic_id in order:
        rows = np.asarray(by_topic.get_group(topic_id).to_numpy(), dtype=int)
        traces.append(
            go.Scattergl(
                x=x[rows].astype(np.float32),
                y=y[rows].astype(np.float32),
                customdata=rows.tolist(),  # plain list: the page reads it to build hover text
                mode="markers",
                name=plotly_text(labels.get(int(topic_id), f"Topic {topic_id}"), 40),
                marker=dict(size=marker_size, color=colors.get(int(topic_id), OUTLIER_COLOR),
                            opacity=0.45 if topic_id == -1 else 0.8, line=dict(width=0)),
                hoverinfo="text",
                showlegend=False,
            )
        )
    fig = go.Figure(traces)

    annotations = []
    if n_shown:
        x_range = (float(np.nanmin(x[shown])), float(np.nanmax(x[shown])))
        y_range = (float(np.nanmin(y[shown])), float(np.nanmax(y[shown])))
        frame = pd.DataFrame({"topic_id": topic_ids, "x": x, "y": y}).iloc[shown]
        frame = frame[frame["topic_id"] != -1]
        sizes = frame.groupby("topic_id").size().sort_values(ascending=False)
        centres = []
        for topic_id in sizes.index[: max_labels * 2]:
            members = frame[frame["topic_id"] == topic_id]
            centres.append(
                (int(topic_id), float(members["x"].median()), float(members["y"].median()),
                 plotly_text(labels.get(int(topic_id), f"Topic {topic_id}"), 30))
            )
        for topic_id, cx, cy, text in _place_labels(centres, x_range, y_range)[:max_labels]:
            annotations.append(
                dict(
                    x=cx, y=cy, text=text, showarrow=False,
                    font=dict(size=11, color="#1f2933"),
                    bgcolor="rgba(255,255,255,0.78)", bordercolor=colors.get(topic_id, "#888"),
                    borderwidth=1, borderpad=2,
                )
            )
    fig.update_layout(
        **_base_layout(
            height=640,
            margin=dict(l=10, r=10, t=10, b=10),
            dragmode="pan",
            hovermode="closest",
            annotations=annotations,
        )
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor=None)
    return fig, shown


# ---------------------------------------------------------------------------------------------------
# Topics over time


def top_topics(trends: pd.DataFrame, n: int) -> list[int]:
    """The n topics (outliers excluded) with the most dated papers."""
    counted = trends[trends["topic_id"] != -1].groupby("topic_id")["count"].sum()
    counted = counted[counted > 0].sort_values(ascending=False, kind="stable")
    return [int(t) for t in counted.index[:n]]


def _periods(trends: pd.DataFrame) -> pd.DataFrame:
    return trends.drop_duplicates("period").sort_values("period_start")[["period", "period_total"]]


def trends_figure(
    trends: pd.DataFrame,
    stated_trends: pd.DataFrame | None,
    labels: dict[int, str],
    colors: dict[int, str],
    topic_ids: list[int],
    *,
    value: str = "share",
) -> go.Figure:
    """Lines of share (or count) per period for the given topics, above bars of the dated papers each
    period rests on (split into stated and inferred dates when `stated_trends` is given)."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.74, 0.26], vertical_spacing=0.07)
    for topic_id in topic_ids:
        rows = trends[trends["topic_id"] == topic_id].sort_values("period_start")
        custom = np.column_stack(
            [rows["share"].fillna(0), rows["share_low"], rows["share_high"], rows["count"], rows["period_total"]]
        )
        if value == "share":
            y = rows["share"]
            template = "%{y:.1%} (95% CI %{customdata[1]:.1%}–%{customdata[2]:.1%}), %{customdata[3]:,} of %{customdata[4]:,}"
        else:
            y = rows["count"]
            template = "%{y:,} papers (%{customdata[0]:.1%} of %{customdata[4]:,} dated)"
        fig.add_trace(
            go.Scatter(
                x=rows["period"], y=y, customdata=custom, mode="lines+markers",
                name=plotly_text(labels.get(topic_id, f"Topic {topic_id}"), 42),
                line=dict(color=colors.get(topic_id), width=2.2), marker=dict(size=5),
                hovertemplate=template, legendgroup=str(topic_id),
            ),
            row=1, col=1,
        )
    periods = _periods(trends)
    if stated_trends is not None and not stated_trends.empty:
        stated = _periods(stated_trends).set_index("period")["period_total"].reindex(periods["period"]).fillna(0)
        inferred = periods["period_total"].to_numpy() - stated.to_numpy()
        fig.add_trace(go.Bar(x=periods["period"], y=stated.to_numpy(), name="stated dates", marker_color="#5b7083",
                             hovertemplate="%{y:,} papers with stated dates", showlegend=False), row=2, col=1)
        fig.add_trace(go.Bar(x=periods["period"], y=inferred, name="inferred dates", marker_color="#b9c4cf",
                             hovertemplate="%{y:,} papers with inferred dates", showlegend=False), row=2, col=1)
    else:
        fig.add_trace(go.Bar(x=periods["period"], y=periods["period_total"], name="dated papers",
                             marker_color="#5b7083", hovertemplate="%{y:,} dated papers", showlegend=False),
                      row=2, col=1)
    fig.update_layout(
        **_base_layout(
            height=560, barmode="stack", hovermode="x unified",
            legend=dict(orientation="v", x=1.01, y=1, xanchor="left", font=dict(size=12), tracegroupgap=2),
            margin=dict(l=70, r=10, t=20, b=60),
        )
    )
    fig.update_yaxes(title_text="share of dated papers" if value == "share" else "papers", row=1, col=1,
                     tickformat=".1~%" if value == "share" else ",d", rangemode="tozero")
    fig.update_yaxes(title_text="dated papers", row=2, col=1, tickformat="~s", rangemode="tozero")
    fig.update_xaxes(type="category", row=2, col=1, tickangle=-45 if len(periods) > 16 else 0)
    fig.update_xaxes(type="category", row=1, col=1)
    return fig


def heatmap_figure(trends: pd.DataFrame, growth: pd.DataFrame, labels: dict[int, str], topic_ids: list[int]) -> go.Figure:
    """Each topic's share per period relative to its own peak, rows ordered from rising to fading."""
    order = growth.set_index("topic_id")["growth_per_year"].reindex(topic_ids)
    ordered = list(order.sort_values(ascending=False, na_position="last").index)
    periods = _periods(trends)["period"].tolist()
    z, custom, names = [], [], []
    for topic_id in ordered:
        rows = trends[trends["topic_id"] == topic_id].set_index("period").reindex(periods)
        share = rows["share"].to_numpy(dtype=float)
        peak = np.nanmax(share) if np.isfinite(share).any() else np.nan
        z.append(share / peak if peak and np.isfinite(peak) else share * np.nan)
        custom.append(np.column_stack([np.nan_to_num(share), rows["count"].fillna(0), rows["period_total"].fillna(0)]))
        names.append(plotly_text(labels.get(int(topic_id), f"Topic {topic_id}"), 38))
    fig = go.Figure(
        go.Heatmap(
            z=z, x=periods, y=names, customdata=custom, colorscale="YlGnBu", zmin=0, zmax=1,
            colorbar=dict(title=dict(text="of peak", side="right"), tickformat=".0%", thickness=12, len=0.8),
            hovertemplate="%{y}<br>%{x}: share %{customdata[0]:.1%} (%{customdata[1]:,} of %{customdata[2]:,})<extra></extra>",
            xgap=1, ygap=1,
        )
    )
    fig.update_layout(**_base_layout(height=max(260, 26 * len(ordered) + 110), margin=dict(l=10, r=10, t=10, b=70)))
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(type="category", tickangle=-45 if len(periods) > 16 else 0)
    return fig


def dated_papers_figure(trends: pd.DataFrame, stated_trends: pd.DataFrame) -> go.Figure:
    """Dated papers per period, stated vs inferred: how even the coverage of the dumps is."""
    periods = _periods(trends)
    stated = _periods(stated_trends).set_index("period")["period_total"].reindex(periods["period"]).fillna(0)
    fig = go.Figure()
    fig.add_trace(go.Bar(x=periods["period"], y=stated.to_numpy(), name="stated date", marker_color="#5b7083",
                         hovertemplate="%{x}: %{y:,} papers with stated dates<extra></extra>"))
    fig.add_trace(go.Bar(x=periods["period"], y=periods["period_total"].to_numpy() - stated.to_numpy(),
                         name="inferred date", marker_color="#b9c4cf",
                         hovertemplate="%{x}: %{y:,} papers with inferred dates<extra></extra>"))
    fig.update_layout(**_base_layout(height=260, barmode="stack", margin=dict(l=60, r=10, t=10, b=50),
                                     legend=dict(orientation="h", x=0, y=1.12, traceorder="normal")))
    fig.update_xaxes(type="category", tickangle=-45 if len(periods) > 8 else 0)  # a narrow column
    fig.update_yaxes(title_text="papers", tickformat="~s")
    return fig


# ---------------------------------------------------------------------------------------------------
# Growth leaderboard


def leaderboard_figure(growth: pd.DataFrame, labels: dict[int, str], *, per_side: int = 12) -> go.Figure:
    """Forest plot: change of share over the span with its 95% interval for the most rising and most
    fading topics (log scale; 1 = no change)."""
    # Finite changes only: a new topic's change from zero (inf) has no place on a log axis.
    judged = growth[(growth["topic_id"] != -1) & np.isfinite(growth["change_over_span"].astype(float))]
    judged = judged[judged["growth_class"].isin(["emerging", "growing", "stable", "declining", "fading"])]
    rising = judged[judged["change_over_span_low"] > 1].sort_values("change_over_span", ascending=False).head(per_side)
    falling = judged[judged["change_over_span_high"] < 1].sort_values("change_over_span").head(per_side)
    rows = pd.concat([rising, falling.iloc[::-1]])
    fig = go.Figure()
    for growth_class, color in CLASS_COLORS.items():
        part = rows[rows["growth_class"] == growth_class]
        if part.empty:
            continue
        names = [plotly_text(labels.get(int(t), f"Topic {t}"), 42) for t in part["topic_id"]]
        fig.add_trace(
            go.Scatter(
                x=part["change_over_span"], y=names, mode="markers", name=growth_class,
                marker=dict(color=color, size=10, symbol="diamond"),
                error_x=dict(type="data", symmetric=False, color=color, thickness=2, width=0,
                             array=part["change_over_span_high"] - part["change_over_span"],
                             arrayminus=part["change_over_span"] - part["change_over_span_low"]),
                customdata=np.column_stack([part["change_over_span_low"], part["change_over_span_high"],
                                            part["dated_papers"]]),
                hovertemplate="%{y}<br>share ×%{x:.2f} over the span (95% CI ×%{customdata[0]:.2f}–×%{customdata[1]:.2f})"
                              "<br>%{customdata[2]:,} dated papers<extra>%{fullData.name}</extra>",
            )
        )
    if rows.empty:  # an empty log axis from 0.1 to 1M says nothing; say why instead
        fig.update_layout(**_base_layout(height=140, margin=dict(l=10, r=20, t=20, b=20)))
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        fig.add_annotation(text="No topic's share changed clearly enough to draw (see the classes above).",
                           x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font=dict(color="#6c7a89"))
        return fig
    order = [plotly_text(labels.get(int(t), f"Topic {t}"), 42) for t in rows["topic_id"]]
    fig.add_vline(x=1, line=dict(color="#555", width=1, dash="dot"))
    fig.update_layout(
        **_base_layout(height=max(220, 28 * len(rows) + 100), margin=dict(l=10, r=20, t=30, b=50),
                       legend=dict(orientation="h", x=0, y=1.06, yanchor="bottom"), hovermode="closest")
    )
    fig.update_xaxes(type="log", title_text="change of share over the span (log scale; 1 = no change)",
                     zeroline=False, showgrid=True)
    fig.update_yaxes(categoryorder="array", categoryarray=order[::-1], automargin=True)
    return fig
