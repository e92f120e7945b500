"""Bad input never stops a run: each bad file gets a message naming it (and the line), is set
aside, is left untouched on disk, and every good record in the folder still comes out."""

from __future__ import annotations

import codecs
import functools
import gzip
import json
import os
import shutil
import socket
import tarfile
import threading
import tracemalloc
from pathlib import Path

import pandas as pd
import pytest

from analytics.config import ConfigError, load_config
from analytics.outputs import write_csv
from analytics.parsing import iter_dumps, read_dump
from analytics.run_summary import FileSummary
from analytics.store import Store

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"

DAILY_LINE = {
    "id": "2507.02257", "categories": ["cs.GR"], "pdf": "https://arxiv.org/pdf/2507.02257",
    "abs": "https://arxiv.org/abs/2507.02257", "authors": ["Stephen Pasch", "Changxi Zheng"],
    "title": "Gbake: Baking 3D Gaussian Splats into Reflection Probes", "comment": None,
    "summary": "The growing popularity of 3D Gaussian Splatting has created the need to\nintegrate traditional graphics.",
}
ABSTRACT = (
    "Large language models memorise parts of their training data, and removing that knowledge after "
    "training is hard. We propose a method that unlearns targeted facts while keeping general ability, "
    "and we evaluate it on three benchmarks with strong baselines, showing better forgetting and utility."
)


def daily_line(n: int) -> str:
    return json.dumps(dict(DAILY_LINE, id=f"2507.{n:05d}", title=f"Paper number {n}"))


def trending_page(titles: list[str]) -> str:
    lines = ["Get trending papers in your email inbox once a day!", "Get trending papers in your email inbox!"]
    for i, title in enumerate(titles):
        lines += [("Subscribe" if i == 0 else "") + title, ABSTRACT]
    return "\n".join(lines) + "\n"


@pytest.fixture
def mixed_folder(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    """A folder of good and bad dumps; returns it and the record count of each good file."""
    folder = tmp_path / "dumps"
    folder.mkdir()
    good: dict[str, int] = {}
    shutil.copy(SAMPLES / "000_c0e02093f26f6559.txt", folder / "plain.txt")
    good["plain.txt"] = 11
    shutil.copy(SAMPLES / "003_9f597363cd8327d1.txt", folder / "trending.txt")
    good["trending.txt"] = 41
    (folder / "daily.jsonl.gz").write_bytes(gzip.compress(("\n".join(daily_line(n) for n in range(5)) + "\n").encode()))
    good["daily.jsonl.gz"] = 5

    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_text("\n   \n\t\n")
    (folder / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (folder / "noise.bin").write_bytes(bytes((i * 37) % 256 for i in range(4096)))
    (folder / "latin1.txt").write_bytes(trending_page(["Caf\xe9 Models: Unlearning", "Second Paper"]).encode("latin-1"))
    (folder / "truncated.jsonl").write_text(daily_line(10) + "\n" + daily_line(11) + "\n" + daily_line(12)[:70])
    (folder / "huge_line.txt").write_text(ABSTRACT + "\n" + "word " * 40_000 + "\n" + ABSTRACT + " Again.\n")
    (folder / "shopping.txt").write_text("Shopping list\neggs\nmilk\nbread\n")
    (folder / "page.html").write_text("<!DOCTYPE html><html><body><h1>Trending</h1></body></html>\n")
    (folder / "payload.txt").write_text(trending_page(['<script>alert("x")</script>Attention Is All You Need', "Plain Title"]))
    whole_gz = gzip.compress(("\n".join(daily_line(n) for n in range(100, 400)) + "\n").encode())
    (folder / "broken.gz").write_bytes(whole_gz[: len(whole_gz) // 2])
    (folder / "cut.xml").write_text('<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n<entry><title>X</title>\n')
    (folder / "subfolder").mkdir()
    (folder / "gone.txt").symlink_to(folder / "does-not-exist.txt")
    return folder, good


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.name: (p.read_bytes(), p.stat().st_mtime_ns)
        for p in folder.iterdir() if p.is_file() and not p.is_symlink()
    }


def test_mixed_folder_keeps_good_records_and_names_every_bad_file(mixed_folder):
    folder, good = mixed_folder
    before = snapshot(folder)
    parsed = {p.file: p for p in iter_dumps(folder)}
    assert snapshot(folder) == before  # nothing modified, moved or deleted
    assert sorted(parsed) == sorted(p.name for p in folder.iterdir())  # every entry reported once

    for name, count in good.items():
        assert len(parsed[name].records) == count, name
        assert [p for p in parsed[name].problems if p.severity == "error"] == [], name

    expected_status = {
        "empty.txt": "empty", "blank.txt": "empty", "image.png": "binary", "noise.bin": "binary",
        "shopping.txt": "unknown", "page.html": "unknown", "subfolder": "unreadable", "gone.txt": "unreadable",
    }
    for name, status in expected_status.items():
        assert parsed[name].format == status, name
        assert parsed[name].records == [], name
        assert parsed[name].problems and all(p.file == name for p in parsed[name].problems), name
        assert any(str(p).startswith(name) for p in parsed[name].problems)

    # Files read in part: the good part is kept, the bad part named with its line.
    truncated = parsed["truncated.jsonl"]
    assert [r.arxiv_id for r in truncated.records] == ["2507.00010", "2507.00011"]
    assert [(p.line, p.severity) for p in truncated.problems] == [(3, "error")]
    assert "truncated" in truncated.problems[0].message

    huge = parsed["huge_line.txt"]
    assert [r.line for r in huge.records] == [1, 3]
    assert [(p.line, p.severity) for p in huge.problems] == [(2, "error")]
    assert "199,999 characters" in huge.problems[0].message  # "word " * 40000, stripped

    latin1 = parsed["latin1.txt"]
    assert [r.title for r in latin1.records] == ["Café Models: Unlearning", "Second Paper"]
    assert any("not valid UTF-8" in p.message and p.line == 3 and p.severity == "warning" for p in latin1.problems)

    payload = parsed["payload.txt"]
    assert payload.records[0].title == '<script>alert("x")</script>Attention Is All You Need'  # data, kept as written
    assert any("HTML/script" in p.message and p.line == 3 for p in payload.problems)

    broken = parsed["broken.gz"]
    assert any("gzip data is damaged or truncated" in p.message for p in broken.problems)
    assert 0 < len(broken.records) < 300
    assert [r.title for r in broken.records] == [f"Paper number {n}" for n in range(100, 100 + len(broken.records))]

    assert parsed["cut.xml"].records == []
    assert any("not well-formed" in p.message and p.line for p in parsed["cut.xml"].problems)


def test_recursive_reading_descends_into_subfolders(tmp_path):
    (tmp_path / "a").mkdir()
    shutil.copy(SAMPLES / "000_c0e02093f26f6559.txt", tmp_path / "a" / "plain.txt")
    assert [p.format for p in iter_dumps(tmp_path)] == ["unreadable"]
    assert [(p.file, len(p.records)) for p in iter_dumps(tmp_path, recursive=True)] == [("plain.txt", 11)]


def test_missing_folder_is_reported_not_raised(tmp_path):
    [parsed] = list(iter_dumps(tmp_path / "nope"))
    assert parsed.format == "unreadable" and "cannot be listed" in parsed.problems[0].message


def test_unreadable_file_permissions(tmp_path):
    path = tmp_path / "locked.txt"
    path.write_text(ABSTRACT)
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as a user who can read any file")
        parsed = read_dump(path)
        assert parsed.format == "unreadable"
        assert "cannot be read" in parsed.problems[0].message
    finally:
        path.chmod(0o644)


def test_trending_page_cut_after_a_title(tmp_path):
    path = tmp_path / "cut.txt"
    path.write_text(trending_page(["First Paper", "Second Paper"]) + "Third Paper Title\n")
    parsed = read_dump(path)
    assert [r.title for r in parsed.records] == ["First Paper", "Second Paper", "Third Paper Title"]
    assert parsed.records[-1].abstract == ""
    assert any(p.line == 7 and "truncated" in p.message for p in parsed.problems)


def test_detection_is_by_content_not_name(tmp_path):
    path = tmp_path / "looks_like.csv"
    shutil.copy(SAMPLES / "002_ee4e4be09cd55250.txt", path)
    assert read_dump(path).format == "sorted_updated"
    gz = tmp_path / "plain.txt.gz"
    gz.write_bytes(gzip.compress((SAMPLES / "000_c0e02093f26f6559.txt").read_bytes()))
    parsed = read_dump(gz)
    assert (parsed.format, len(parsed.records)) == ("plain_abstracts", 11)


def test_plain_abstracts_with_one_short_abstract_are_still_plain(tmp_path):
    path = tmp_path / "abstracts.txt"
    path.write_text("\n".join([ABSTRACT, "We pose 200 open questions about alignment.", ABSTRACT + " More.", ABSTRACT + " Again.", ABSTRACT + " End."]))
    parsed = read_dump(path)
    assert (parsed.format, len(parsed.records)) == ("plain_abstracts", 5)
    assert parsed.records[1].abstract == "We pose 200 open questions about alignment."


def test_each_file_gets_a_json_ready_entry_for_run_json(mixed_folder):
    folder, _ = mixed_folder
    entries = {e["file"]: e for e in (FileSummary.of(p).model_dump(mode="json") for p in iter_dumps(folder))}
    json.dumps(entries)  # serialisable as is
    assert entries["truncated.jsonl"]["format"] == "arxiv_daily_jsonl"
    assert entries["truncated.jsonl"]["records"] == 2 and not entries["truncated.jsonl"]["set_aside"]
    assert entries["empty.txt"]["set_aside"] and entries["empty.txt"]["problems"][0]["message"]


# -- hostile input (issue 17) ------------------------------------------------------------------------


def finishes_within(seconds: float, function):
    """Run `function` in a thread; its result, or pytest.fail if it is still running after `seconds`."""
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(value=function()), daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"still running after {seconds} s (blocked opening a FIFO?)")
    return result["value"]


@pytest.fixture
def special_files_folder(tmp_path):
    """A folder with a good dump, a symlink to it, and entries that are not regular files."""
    folder = tmp_path / "dumps"
    folder.mkdir()
    shutil.copy(SAMPLES / "000_c0e02093f26f6559.txt", folder / "good.txt")
    (folder / "good-link.txt").symlink_to(folder / "good.txt")
    os.mkfifo(folder / "pipe")
    (folder / "pipe-link").symlink_to(folder / "pipe")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "sock"))
    (folder / "device").symlink_to("/dev/null")
    (folder / "loop").symlink_to(folder / "loop")
    (folder / "gone").symlink_to(folder / "missing.txt")
    (folder / "sub").mkdir()
    yield folder
    server.close()
    try:  # free a reader stuck on the FIFO (the code before the fix): open it for writing, then close
        os.close(os.open(folder / "pipe", os.O_WRONLY | os.O_NONBLOCK))
    except OSError:
        pass


NOT_REGULAR = {
    "pipe": "is a named pipe (FIFO), not a dump file",
    "pipe-link": "is a named pipe (FIFO), not a dump file",
    "sock": "is a socket, not a dump file",
    "device": "is a device, not a dump file",
    "sub": "is a directory, not a dump file",
    "loop": "is a symbolic link that cannot be followed to a file (Too many levels of symbolic links)",
    "gone": "is a symbolic link that cannot be followed to a file (No such file or directory)",
}


def test_fifo_socket_device_and_broken_links_are_set_aside_without_being_opened(special_files_folder):
    """Anything in the input folder that is not a regular file (or a readable symlink to one) is set aside
    with a message naming it, and neither the pipeline's digest step nor its parse step opens it: a FIFO
    no longer hangs the run."""
    from analytics.run_inputs import file_digest, list_dumps
    from analytics.run_summary import FileSummary
    from flows.pipeline import parse_dumps

    folder = special_files_folder
    entries = list_dumps(folder)
    digests = finishes_within(5, lambda: {str(p): file_digest(p) for p in entries})
    assert {Path(p).name for p, d in digests.items() if d} == {"good.txt", "good-link.txt"}

    store = Store(folder.parent / "store")
    try:
        special = [p for p in entries if p.name in NOT_REGULAR]
        parsed = finishes_within(5, lambda: parse_dumps(special, digests, {}, "code", store))
    finally:
        store.close()
    summaries = {s["file"]: s for s in (FileSummary.of(p).model_dump() for p in parsed)}  # run.json's "files"
    assert sorted(summaries) == sorted(NOT_REGULAR)
    for name, message in NOT_REGULAR.items():
        assert summaries[name]["set_aside"] and summaries[name]["format"] == "unreadable", name
        [problem] = summaries[name]["problems"]
        assert (problem["file"], problem["message"]) == (name, message + "; set aside")

    good = finishes_within(5, lambda: read_dump(folder / "good-link.txt"))
    assert len(good.records) == 11 and good.problems == []


def write_gzip_bomb(path: Path, megabytes: int) -> None:
    """`megabytes` MB of one repeated JSON line, gzip-compressed as it is written (memory stays small)."""
    line = (daily_line(1) + "\n").encode()
    chunk = line * ((1 << 20) // len(line))
    with gzip.open(path, "wb", compresslevel=6) as handle:
        for _ in range(megabytes):
            handle.write(chunk)


def peak_memory_mb(function):
    """(result, peak MB of Python allocations while `function` ran)."""
    tracemalloc.start()
    try:
        result = function()
        return result, tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def test_gzip_bomb_is_stopped_at_the_decompressed_size_limit_in_bounded_memory(tmp_path):
    """A .gz that expands beyond [parsing] max_decompressed_mb is set aside with a message naming the file
    and the limit, after decompressing little more than the limit (never the whole bomb)."""
    bomb = tmp_path / "bomb.jsonl.gz"
    write_gzip_bomb(bomb, 64)
    parsed, peak = peak_memory_mb(lambda: read_dump(bomb, max_decompressed_mb=4, max_compression_ratio=1e6))
    assert parsed.format == "too_large" and parsed.records == []
    [problem] = parsed.problems
    assert str(problem) == (
        "bomb.jsonl.gz: expands beyond 4 MB when decompressed; set aside (limit [parsing] max_decompressed_mb)"
    )
    assert peak < 12, f"{peak:.0f} MB allocated reading a bomb stopped at 4 MB"


def test_gzip_bomb_is_stopped_at_the_compression_ratio_limit_by_default(tmp_path):
    """With the default limits, a .gz expanding over 100 times its size (a bomb of repeated text, ~300:1)
    is set aside once it has decompressed 100 times its size, far below the size limit."""
    bomb = tmp_path / "bomb.jsonl.gz"
    write_gzip_bomb(bomb, 64)
    compressed = bomb.stat().st_size
    parsed, peak = peak_memory_mb(lambda: read_dump(bomb))
    assert parsed.format == "too_large" and parsed.records == []
    [problem] = parsed.problems
    assert problem.file == "bomb.jsonl.gz" and problem.severity == "error"
    assert "expands over 100 times its compressed size" in problem.message
    assert "(limit [parsing] max_compression_ratio)" in problem.message
    assert peak < 100 * compressed / 2**20 + 8, f"{peak:.0f} MB allocated for a {compressed:,}-byte bomb"
    # A genuine gzipped dump (about 3:1) is read whole under the same defaults.
    genuine = tmp_path / "daily.jsonl.gz"
    genuine.write_bytes(gzip.compress(("\n".join(daily_line(n) for n in range(2000)) + "\n").encode()))
    assert len(read_dump(genuine).records) == 2000


def test_read_limits_come_from_config_and_key_the_parse_cache():
    """The [parsing] limits are validated config, passed to read_dump, and part of the parse cache key:
    changing a limit re-reads the dumps instead of reusing results read under the old limit."""
    from analytics.run_inputs import parse_cache_key, read_limits

    defaults = load_config()
    assert read_limits(defaults) == {"max_decompressed_mb": 512, "max_compression_ratio": 100}
    smaller = load_config(overrides={"parsing": {"max_decompressed_mb": 64}})
    key = functools.partial(parse_cache_key, ["d"], {}, "code")
    assert key(read_limits(defaults)) != key(read_limits(smaller))
    with pytest.raises(ConfigError, match=r"parsing.max_compression_ratio = 0: must be a number > 0"):
        load_config(overrides={"parsing": {"max_compression_ratio": 0}})


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_files_with_a_byte_order_mark_read_like_utf8(tmp_path, encoding):
    """A dump saved as UTF-16 or UTF-32 with a byte order mark (as Windows editors write them) gives
    the same records as the UTF-8 original instead of being set aside as binary."""
    original = SAMPLES / "003_9f597363cd8327d1.txt"
    text = original.read_text(encoding="utf-8")
    data = text.encode(encoding)
    if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # -le/-be codecs write no mark
        data = (codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE) + data
    path = tmp_path / "windows.txt"
    path.write_bytes(data)
    parsed, expected = read_dump(path), read_dump(original)
    assert parsed.format == expected.format == "hf_trending"
    assert [p for p in parsed.problems if p.severity == "error"] == []
    strip = lambda records: [dict(r.to_dict(), source_file="") for r in records]  # noqa: E731
    assert strip(parsed.records) == strip(expected.records) and len(parsed.records) == 41


def test_stray_nul_bytes_set_aside_only_the_records_they_are_in(tmp_path):
    """A text file with a few stray NUL bytes is read, not set aside as binary: each record whose lines
    held a NUL is set aside with a message naming the file and line, every other record is kept, and
    no NUL reaches a record (also past the first 64 KiB, where the binary check does not look)."""
    trending = SAMPLES / "003_9f597363cd8327d1.txt"
    lines = trending.read_text(encoding="utf-8").split("\n")
    expected = read_dump(trending).records
    by_line = {r.line: r for r in expected}
    assert by_line[5].title and by_line[9].title  # records 1 and 3 start on lines 5 and 9
    lines[0] = "Get trending papers\x00 in your email inbox once a day!"  # page header: no record lost
    lines[5] = lines[5][:40] + "\x00" + lines[5][40:]  # line 6, record 1's abstract
    lines[8] = "\x00\x00" + lines[8]  # line 9, record 3's title
    path = tmp_path / "damaged.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    parsed = read_dump(path)
    assert parsed.format == "hf_trending"
    assert [r.title for r in parsed.records] == [r.title for r in expected if r.line not in (5, 9)]
    assert [(str(p), p.severity) for p in parsed.problems] == [
        ("damaged.txt:1: NUL characters (damaged text?) removed from this line", "warning"),
        ("damaged.txt:6: NUL characters (damaged text?) on line 6; record 1 (from line 5) set aside", "error"),
        ("damaged.txt:9: NUL characters (damaged text?) on line 9; record 3 (from line 9) set aside", "error"),
    ]

    jsonl = tmp_path / "daily.jsonl"
    rows = [daily_line(n) for n in range(400)]  # ~130 KB: line 300 lies past the first 64 KiB
    rows[299] = rows[299].replace("Paper number", "Paper\x00 number")
    jsonl.write_text("\n".join(rows) + "\n", encoding="utf-8")
    parsed = read_dump(jsonl)
    assert [r.title for r in parsed.records] == [f"Paper number {n}" for n in range(400) if n != 299]
    assert [(p.line, p.severity) for p in parsed.problems] == [(300, "error")]
    assert not any("\x00" in value for r in parsed.records for value in (r.title, r.abstract, *r.authors))


def test_data_full_of_nul_bytes_is_still_binary(tmp_path):
    """Telling stray NULs from binary data does not let binary data through: a tar archive of a dump,
    BOM-less UTF-16 and zero-padded noise are still set aside as binary."""
    tar_path = tmp_path / "dumps.tar"
    with tarfile.open(tar_path, "w") as archive:
        archive.add(SAMPLES / "001_6b73f48a22e7d380.txt", arcname="001.txt")
    (tmp_path / "utf16.txt").write_bytes((SAMPLES / "000_c0e02093f26f6559.txt").read_text().encode("utf-16-le"))
    (tmp_path / "padded.bin").write_bytes(b"HEADER" + bytes(2000) + ABSTRACT.encode() + bytes(2000))
    for name in ("dumps.tar", "utf16.txt", "padded.bin"):
        parsed = read_dump(tmp_path / name)
        assert parsed.format == "binary" and parsed.records == [], name
        assert "binary" in parsed.problems[0].message and parsed.problems[0].file == name


def test_csv_outputs_never_carry_control_characters(tmp_path):
    """papers.csv and topics.csv never carry NUL or other C0 control characters (a JSON dump can spell
    them as \\u0000 escapes); tabs and line breaks in text are kept."""
    table = pd.DataFrame({
        "title": ["Nul\x00 title", "Bell\x07 and escape\x1b[31m"],
        "abstract": ["Line one\nline two\twith a tab", "Form\x0cfeed\x0b"],
        "size": [1, 2],
        "authors": [["A"], "B\x00"],
    })
    write_csv(table, tmp_path / "papers.csv")
    text = (tmp_path / "papers.csv").read_text(encoding="utf-8")
    assert not any(ord(c) < 32 and c not in "\t\n\r" for c in text)
    back = pd.read_csv(tmp_path / "papers.csv")
    assert back["title"].tolist() == ["Nul title", "Bell and escape[31m"]
    assert back["abstract"].tolist() == ["Line one\nline two\twith a tab", "Formfeed"]


def test_output_and_store_folders_inside_the_input_folder_are_not_dumps(tmp_path):
    """A run's output and store folders placed inside its input folder are not listed as dumps (not even
    as set aside), so a rerun sees the same inputs; other sub-folders are still listed."""
    from analytics.run_inputs import list_dumps

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLES / "000_c0e02093f26f6559.txt", folder / "a.txt")
    for name in ("out", "store", "other"):
        (folder / name).mkdir()
    (folder / "out" / "papers.csv").write_text("paper_id,title\n")
    relative_out = Path(os.path.relpath(folder / "out"))  # as a user may give it on the command line
    names = [p.name for p in list_dumps(folder, skip=[relative_out, folder / "store"])]
    assert names == ["a.txt", "other"]
    assert [p.name for p in list_dumps(folder)] == ["a.txt", "other", "out", "store"]
