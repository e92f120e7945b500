"""Dates you can trust: what each dump's dates mean, and a date (or honest interval) per paper.

One job per module:
- written.py: reading dates as the dumps write them (`parse_written_date`, `WrittenDate`), and the day in a
  file name (`capture_date_from_name`).
- stated.py: the dates the dumps state and what each means (`stated_dates`; `file_dates` for a file's capture
  and listing day; yearless dates resolved from the file's context, marked inferred).
- evidence.py: evidence about first publication from a paper's id and text (arXiv ids, years, the evidence
  table config/date_evidence.toml) as `Bound`s, and `combine_bounds` into an interval with a point estimate.
- gaps.py: the learned gap between first release and last revision (config/date_gaps.toml).
- inference.py: one date per paper (`assign_dates`): the best stated date among its copies, or an inferred one.
- coverage.py: how many papers are dated, overall and per file or topic (`date_coverage`, `date_coverage_by_file`).
- evaluation.py: how good inference is: hide stated dates, infer, compare (bench/evaluate_dates.py, the CLI).

Inferred dates are never presented as stated: `date_inferred` says which is which. The names below are what
the pipeline uses.
"""

from analytics.dates.coverage import date_coverage, date_coverage_by_file
from analytics.dates.inference import DATE_COLUMNS, assign_dates
from analytics.dates.stated import stated_dates

__all__ = ["DATE_COLUMNS", "assign_dates", "date_coverage", "date_coverage_by_file", "stated_dates"]
