"""Property tests: dumps generated in each layout from random records parse back exactly.

The generators write what the real dumps look like: titles in title case with colons,
commas, "?", ". " and product names ("RouterBench:"); abstracts of several sentences that
use the title's words (as real abstracts do), ending in a full stop, a URL, or no stop at
all; author names of two or three parts with initials, particles, hyphens and accents.
Stated assumptions of the glued layout: author names are not words the abstracts use, and
one listing does not repeat a title or an abstract.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from analytics.parsing import read_dump
from analytics.parsing.sorted_updated import word_stem

# Fixed seed; no shrinking phase, so that a failure is reported in seconds, not minutes.
PROPERTY_SETTINGS = settings(
    max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)

WORDS = (
    "learning models language neural networks attention training scaling efficient robust sparse graph "
    "diffusion transformers reasoning agents benchmark memory retrieval vision policy reward optimization "
    "inference data evaluation alignment generation representation adaptive compression distillation tokens "
    "experts mixture routing layers large small deep fast simple towards understanding improving unlearning "
    "privacy federated causal structured multimodal video speech code search planning control forecasting "
    "detection segmentation translation summarization pretraining contrastive generative interpretability "
    "circuits features probing safety hallucination quantization pruning kernels hardware parallel streaming"
).split()
FUNCTION_WORDS = ["for", "with", "of", "and", "in", "via", "to", "on", "from"]
ACRONYMS = ["LLMs", "GPT-4", "RL", "MoE", "3D", "LoRA"]
GIVEN = ["Qitian", "Yuntong", "Ziming", "Sachin", "Fabian", "Noam", "Xiuyu", "Haotian", "Jiawei", "Rosalia",
         "Dheeraj", "Negar", "Runlong", "Wenqi", "Shaokun", "Niklas", "Gintare", "Athul", "Sondos", "Marwa",
         "Itamar", "Damjan", "Arindam", "Vaishnavi", "Abhinand", "Jean-Baptiste", "Chun-Fu", "Zoë", "Łukasz"]
MIDDLE = ["R.", "Y.", "J", "Jason", "Mahmoud", "Karolina", "Q."]
SURNAMES = ["Liu", "Hu", "Soljačić", "Obando-Ceron", "O'Gara", "McAleer", "Tegmark", "Dao", "Zhang", "Bsharat",
            "Dziugaite", "Kalajdzievski", "Shrivastava", "Xiao", "Muennighoff", "Riquelme", "Rocktäschel", "Wu"]
PARTICLES = ["de", "van der", "von"]


def test_name_pools_are_not_prose_words():
    # The stated assumption of the glued layout, checked for the generator itself.
    stems = {word_stem(w) for w in WORDS}
    for name in GIVEN + MIDDLE + SURNAMES:
        for part in re.split(r"[-' .]", name):
            if part:
                assert part.lower() not in WORDS and word_stem(part) not in stems, name


title_word = st.sampled_from(WORDS).map(str.capitalize)
product_name = st.tuples(st.sampled_from(WORDS), st.sampled_from(WORDS)).map(
    lambda pair: pair[0].capitalize() + pair[1].capitalize()
)


@st.composite
def titles(draw) -> str:
    words = draw(st.lists(title_word, min_size=1, max_size=8))
    # function words between title words, never last
    for i in range(len(words) - 1, 0, -1):
        if draw(st.booleans()):
            words.insert(i, draw(st.sampled_from(FUNCTION_WORDS)))
    if draw(st.booleans()):
        words.append(draw(st.sampled_from(ACRONYMS + [w.capitalize() for w in WORDS])))
    title = " ".join(words)
    style = draw(st.sampled_from(["plain", "product", "comma", "question", "sentence"]))
    if style == "product":
        title = draw(product_name) + ": " + title
    elif style == "comma" and len(words) > 2:
        title = words[0] + ", " + " ".join(words[1:])
    elif style == "question":
        title = title + "? " + " ".join(draw(st.lists(title_word, min_size=1, max_size=4)))
    elif style == "sentence":
        title = title + ". " + " ".join(draw(st.lists(title_word, min_size=2, max_size=4)))
    return title


@st.composite
def sentences(draw, min_words: int = 10) -> str:
    words = draw(st.lists(st.sampled_from(WORDS + FUNCTION_WORDS), min_size=min_words, max_size=25))
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


@st.composite
def abstracts(draw, title: str) -> str:
    body = draw(st.lists(sentences(), min_size=3, max_size=5))
    # Real abstracts use their title's words and name their method.
    mention = "We study " + " ".join(re.findall(r"[\w\-]+", title)).lower() + "."
    product = re.match(r"(\w+):", title)
    if product:
        mention += f" We introduce {product.group(1)}."
    body.insert(draw(st.integers(0, len(body))), mention)
    text = " ".join(body)
    ending = draw(st.sampled_from(["stop", "url", "url_stop", "no_stop"]))
    if ending == "url":
        repo = draw(st.sampled_from([product_name, st.sampled_from(WORDS), product_name.map(lambda n: n + "4RL")]))
        text += " Code: https://github.com/" + draw(st.sampled_from(WORDS)) + "/" + draw(repo)
    elif ending == "url_stop":
        text += " Code is at https://github.com/org-" + draw(st.sampled_from(WORDS)) + "/repo."
    elif ending == "no_stop":
        text = text[:-1]
    return text


@st.composite
def author_names(draw) -> str:
    parts = [draw(st.sampled_from(GIVEN))]
    if draw(st.integers(0, 3)) == 0:
        parts.append(draw(st.sampled_from(MIDDLE)))
    if draw(st.integers(0, 5)) == 0:
        parts.append(draw(st.sampled_from(PARTICLES)))
    parts.append(draw(st.sampled_from(SURNAMES)))
    return " ".join(parts)


timestamps = st.builds(
    lambda y, mo, d, h, mi, s: f"{y}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d}",
    st.integers(2017, 2025), st.integers(1, 12), st.integers(1, 28), st.integers(0, 23), st.integers(0, 59), st.integers(0, 59),
)


@st.composite
def glued_records(draw) -> list[dict]:
    count = draw(st.integers(1, 6))
    records = []
    for _ in range(count):
        title = draw(titles())
        records.append({
            "title": title,
            "abstract": draw(abstracts(title)),
            "authors": draw(st.lists(author_names(), min_size=1, max_size=5)),
            "timestamp": draw(timestamps),
        })
    # One listing does not hold two papers with the same title or the same abstract.
    assume(len({r["title"] for r in records}) == len({r["abstract"] for r in records}) == len(records))
    return records


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@PROPERTY_SETTINGS
@given(records=glued_records())
def test_sorted_updated_round_trip(tmp_path_factory, records):
    text = "Sort by updated\n"
    for i, record in enumerate(records):
        if i:
            text += "Summary:\n" + records[i - 1]["abstract"]
        text += f"{record['title']} {', '.join(record['authors'])} {record['timestamp']}\n"
    text += "Summary:\n" + records[-1]["abstract"] + "\n"
    parsed = read_dump(write(tmp_path_factory.mktemp("glued"), "dump.txt", text))
    assert parsed.format == "sorted_updated"
    got = [{"title": r.title, "abstract": r.abstract, "authors": r.authors, "timestamp": r.date_text}
           for r in parsed.records]
    assert got == records


@st.composite
def listing_records(draw) -> list[dict]:
    records = []
    for _ in range(draw(st.integers(1, 6))):
        title = draw(titles())
        records.append({"title": title, "abstract": draw(abstracts(title))})
    return records


@PROPERTY_SETTINGS
@given(records=listing_records())
def test_hf_trending_round_trip(tmp_path_factory, records):
    lines = ["Get trending papers in your email inbox once a day!", "Get trending papers in your email inbox!"]
    for i, record in enumerate(records):
        lines.append(("Subscribe" if i == 0 else "") + record["title"])
        lines.append(record["abstract"])
    parsed = read_dump(write(tmp_path_factory.mktemp("trending"), "page.txt", "\n".join(lines)))
    assert parsed.format == "hf_trending"
    assert [{"title": r.title, "abstract": r.abstract} for r in parsed.records] == records


@PROPERTY_SETTINGS
@given(records=listing_records())
def test_plain_abstracts_round_trip(tmp_path_factory, records):
    text = "\n".join(r["abstract"] for r in records) + "\n"
    parsed = read_dump(write(tmp_path_factory.mktemp("plain"), "abstracts.txt", text))
    assert parsed.format == "plain_abstracts"
    assert [r.abstract for r in parsed.records] == [r["abstract"] for r in records]


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
daily_dates = st.builds(
    lambda m, d, y: f"{m} {d}" + (f", {y}" if y else ""),
    st.sampled_from(MONTHS), st.integers(1, 28), st.one_of(st.none(), st.integers(2019, 2025)),
)


@st.composite
def daily_records(draw) -> list[dict]:
    records = []
    for _ in range(draw(st.integers(1, 6))):
        title = draw(titles())
        has_date = draw(st.booleans()) or draw(st.booleans())
        meta = draw(st.sampled_from(["count", "org", "none"] if has_date else ["count", "none"]))
        records.append({
            "title": title,
            "abstract": draw(abstracts(title)),
            "author_count": draw(st.integers(1, 40)) if meta == "count" else None,
            "organization": (draw(st.sampled_from(WORDS)) + "lab " + draw(title_word) + " Lab") if meta == "org" else None,
            "date_text": draw(daily_dates) if has_date else "",
            "upvotes": draw(st.one_of(st.none(), st.integers(1, 500))) if has_date else None,
        })
    return records


@PROPERTY_SETTINGS
@given(records=daily_records(), page_date=daily_dates.filter(lambda d: "," not in d))
def test_hf_daily_round_trip(tmp_path_factory, records, page_date):
    blocks = ["new", "Get trending papers in your email inbox!", "Subscribe", "Daily Papers",
              "byAK and the research community", page_date]
    for record in records:
        blocks += [record["title"], record["abstract"]]
        if record["author_count"] is not None:
            blocks.append(f"  • {record['author_count']} authors")
        if record["organization"]:
            blocks.append(record["organization"])
        if record["date_text"]:
            blocks.append("·\n" + record["date_text"] + (f" {record['upvotes']}" if record["upvotes"] else ""))
    parsed = read_dump(write(tmp_path_factory.mktemp("daily"), "daily.txt", "\n\n".join(blocks) + "\n"))
    assert parsed.format == "hf_daily"
    assert parsed.context["page_date"] == page_date
    got = [{
        "title": r.title, "abstract": r.abstract, "author_count": r.author_count,
        "organization": r.extra.get("organization"), "date_text": r.date_text, "upvotes": r.upvotes,
    } for r in parsed.records]
    assert got == records


plain_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=80
).map(str.strip).filter(bool)


@st.composite
def table_records(draw) -> list[dict]:
    rows = []
    for _ in range(draw(st.integers(1, 5))):
        rows.append({
            "title": draw(plain_text),
            "abstract": draw(plain_text),
            "authors": draw(st.lists(st.sampled_from([g + " " + s for g in GIVEN[:6] for s in SURNAMES[:6]]), max_size=4)),
            "arxiv_id": draw(st.sampled_from(["", "2503.11731", "1910.00330", "hep-ph/0701001"])),
            "categories": draw(st.lists(st.sampled_from(["cs.LG", "cs.CL", "stat.ML"]), unique=True, max_size=3)),
        })
    return rows


@PROPERTY_SETTINGS
@given(rows=table_records())
def test_generic_csv_round_trip(tmp_path_factory, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["paper_title", "summary", "author_names", "id", "cats"])
    for row in rows:
        writer.writerow([row["title"], row["abstract"], "; ".join(row["authors"]), row["arxiv_id"], " ".join(row["categories"])])
    path = write(tmp_path_factory.mktemp("csv"), "export.csv", buffer.getvalue())
    mapping = {"title": "paper_title", "abstract": "summary", "authors": "author_names", "arxiv_id": "id", "categories": "cats"}
    parsed = read_dump(path, column_mapping=mapping)
    assert parsed.format == "generic_csv"
    got = [{"title": r.title, "abstract": r.abstract, "authors": r.authors, "arxiv_id": r.arxiv_id,
            "categories": r.categories} for r in parsed.records]
    assert got == rows


@PROPERTY_SETTINGS
@given(rows=table_records())
def test_generic_jsonl_round_trip(tmp_path_factory, rows):
    text = "\n".join(json.dumps({"name_of_paper": r["title"], "text": r["abstract"], "people": r["authors"],
                                 "arxiv": r["arxiv_id"], "labels": r["categories"]}) for r in rows)
    path = write(tmp_path_factory.mktemp("jsonl"), "export.jsonl", text)
    mapping = {"title": "name_of_paper", "abstract": "text", "authors": "people", "arxiv_id": "arxiv", "categories": "labels"}
    parsed = read_dump(path, column_mapping=mapping)
    assert parsed.format == "generic_jsonl"
    got = [{"title": r.title, "abstract": r.abstract, "authors": r.authors, "arxiv_id": r.arxiv_id,
            "categories": r.categories} for r in parsed.records]
    assert got == rows
