"""JSON inputs: one document (object or array) or JSON lines; which export it is comes from keys.

Decimal numbers are read as their literal text (JsonNumber), so an arXiv id written as a
JSON number (1910.104, really 1910.10400) can be restored; the record keeps the literal in
extra["id_as_written"]. Recorded HTTP responses {"status"/"status_code",
"body"} are unwrapped; an error status becomes a problem.
"""

from __future__ import annotations

import json
from typing import Any

from analytics.parsing import arxiv_atom, arxiv_daily_jsonl, arxiv_oai_jsonl, generic_table, semantic_scholar
from analytics.parsing.common import JsonNumber, LayoutResult, oversized_fields, record_is_empty
from analytics.records import Problem, Record


def loads(text: str) -> Any:
    return json.loads(text, parse_float=JsonNumber)


def looks_like(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n")[:1] in ("{", "[")


def _object_format(obj: dict[str, Any], column_mapping: dict | None) -> str:
    if arxiv_oai_jsonl.looks_like(obj):
        return "arxiv_oai_jsonl"
    if arxiv_daily_jsonl.looks_like(obj):
        return "arxiv_daily_jsonl"
    if semantic_scholar.is_paper(obj):
        return "semantic_scholar_json"
    if generic_table.has_paper_columns(list(obj), column_mapping):
        return "generic_jsonl"
    return "unknown"


def parse(text: str, file: str, column_mapping: dict | None = None) -> tuple[str, LayoutResult]:
    """(format name, result) for JSON text."""
    stripped = text.lstrip("\ufeff \t\r\n")
    try:
        doc = loads(stripped)
    except json.JSONDecodeError:
        doc = None
        whole_document = False
    else:
        whole_document = True
    single_object_line = isinstance(doc, dict) and len([l for l in text.split("\n") if l.strip()]) == 1
    if whole_document and not (single_object_line and _object_format(doc, column_mapping) != "unknown"
                               and not semantic_scholar.is_paper(doc)):
        return _parse_document(doc, text, file, column_mapping)
    return _parse_lines(text, file, column_mapping)


def _parse_document(doc: Any, text: str, file: str, column_mapping: dict | None) -> tuple[str, LayoutResult]:
    result = LayoutResult()
    if isinstance(doc, dict) and "body" in doc and ("status" in doc or "status_code" in doc):
        status = str(doc.get("status_code", doc.get("status")))
        result.context["http_status"] = status
        for key in ("url", "request_uri"):
            if doc.get(key):
                result.context["request"] = str(doc[key]).strip("'")
        body = doc["body"]
        if status.isdigit() and int(status) >= 400:
            detail = ""
            if isinstance(body, str) and arxiv_atom.looks_like(body):
                inner = arxiv_atom.parse(body, file)
                detail = "; ".join(p.message for p in inner.problems if p.message.startswith("arXiv API error"))
            result.problems.append(Problem(file, f"recorded HTTP response with status {status}{' (' + detail + ')' if detail else ''}; set aside"))
            return "http_error", result
        if isinstance(body, str):
            if arxiv_atom.looks_like(body):
                inner = arxiv_atom.parse(body, file)
                inner.context.update(result.context)
                return "arxiv_atom", inner
            try:
                body = loads(body)
            except json.JSONDecodeError:
                result.problems.append(Problem(file, "recorded HTTP response whose body is neither Atom XML nor JSON; set aside"))
                return "unknown", result
        fmt, inner = _parse_document(body, text, file, column_mapping)
        inner.context.update(result.context)
        return fmt, inner

    papers = semantic_scholar.paper_objects(doc)
    if papers:
        offset = 0
        for paper in papers:
            line, offset = semantic_scholar.find_line(text, paper, offset)
            _add(result, semantic_scholar.to_record(paper, file, len(result.records), line), file)
        if isinstance(doc, dict):
            for key in ("total", "offset", "next", "token"):
                if doc.get(key) not in (None, ""):
                    result.context[f"search_{key}"] = doc[key]
        _report_skipped(result, file)
        return "semantic_scholar_json", result

    objects = doc if isinstance(doc, list) else [doc]
    objects = [o for o in objects if isinstance(o, dict)]
    if not objects:
        result.problems.append(Problem(file, "JSON holds no paper objects; set aside", 1))
        return "unknown", result
    fmt = _object_format(objects[0], column_mapping)
    if fmt == "unknown":
        keys = ", ".join(list(objects[0])[:8])
        result.problems.append(Problem(file, f"JSON objects with keys ({keys}) are not a known paper export; set aside", 1))
        return "unknown", result
    if fmt == "generic_jsonl":
        fmt = "generic_json"
    for obj in objects:
        _add(result, _to_record(fmt, obj, column_mapping, file, len(result.records), 1), file)
    _report_skipped(result, file)
    return fmt, result


def _to_record(fmt: str, obj: dict, column_mapping: dict | None, file: str, index: int, line: int) -> Record:
    if fmt == "arxiv_oai_jsonl":
        return arxiv_oai_jsonl.to_record(obj, file, index, line)
    if fmt == "arxiv_daily_jsonl":
        return arxiv_daily_jsonl.to_record(obj, file, index, line)
    if fmt == "semantic_scholar_json":
        return semantic_scholar.to_record(obj, file, index, line)
    mapping = generic_table.resolve_mapping(list(obj), column_mapping)
    return generic_table.to_record(obj, mapping, column_mapping, file, index, line)


def _add(result: LayoutResult, record: Record, file: str) -> None:
    too_big = oversized_fields(record)
    if too_big:
        result.problems.append(
            Problem(file, f"record's {', '.join(too_big)} is over 100,000 characters; set aside", record.line)
        )
        return
    if record_is_empty(record):
        result.context["skipped_without_text"] = result.context.get("skipped_without_text", 0) + 1
        result.context.setdefault("first_skipped_line", record.line)
        return
    record.index = len(result.records)
    result.records.append(record)


def _report_skipped(result: LayoutResult, file: str) -> None:
    skipped = result.context.pop("skipped_without_text", 0)
    line = result.context.pop("first_skipped_line", None)
    if skipped:
        result.problems.append(
            Problem(file, f"{skipped} record(s) have no title, abstract or arXiv id (first at line {line}); skipped", line, "warning")
        )


def _parse_lines(text: str, file: str, column_mapping: dict | None) -> tuple[str, LayoutResult]:
    result = LayoutResult()
    fmt = ""
    lines = text.split("\n")
    last_content = max((i for i, line in enumerate(lines) if line.strip()), default=-1)
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        number = i + 1
        try:
            obj = loads(line)
        except json.JSONDecodeError as error:
            where = "last line is cut off (truncated record?)" if i == last_content else f"not valid JSON ({error.msg})"
            result.problems.append(Problem(file, f"{where}; line set aside", number))
            continue
        if not isinstance(obj, dict):
            result.problems.append(Problem(file, "JSON line is not an object; set aside", number))
            continue
        if not fmt:
            fmt = _object_format(obj, column_mapping)
            if fmt == "unknown":
                keys = ", ".join(list(obj)[:8])
                result.problems.append(Problem(file, f"JSON objects with keys ({keys}) are not a known paper export; set aside", number))
                return "unknown", result
        _add(result, _to_record(fmt, obj, column_mapping, file, len(result.records), number), file)
    _report_skipped(result, file)
    if not fmt:
        result.problems.append(Problem(file, "no valid JSON line; set aside", 1))
        return "unknown", result
    return fmt, result
