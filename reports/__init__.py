"""Plotly figures and the self-contained HTML report (see reports.html_report)."""

from reports.html_report import build_report

__all__ = ["build_report"]
