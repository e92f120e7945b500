"""The baseline: what a plain BERTopic script does with the same dumps and the same bundled model.

Same papers as the pipeline (parsed and merged by analytics.parsing / analytics.dedupe, text = title +
abstract), the bundled all-MiniLM-L6-v2 sentence-transformer, and BERTopic() with its defaults. Writes
papers.csv / topics.csv in the pipeline's layout so analytics.topic_quality can score both the same way.

    .venv/bin/python bench/plain_bertopic.py --input DIR --output DIR
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()

    import pandas as pd
    from bertopic import BERTopic
    from sentence_transformers import SentenceTransformer

    from analytics.dedupe import merge_records
    from analytics.embedding import bundled_minilm_path, paper_text
    from analytics.parsing import iter_dumps

    records = [r for parsed in iter_dumps(Path(args.input)) for r in parsed.records]
    papers = merge_records(records)
    docs = [paper_text(t, a) for t, a in zip(papers["title"], papers["abstract"])]
    model = SentenceTransformer(str(bundled_minilm_path()), device="cpu")
    embeddings = model.encode(docs, show_progress_bar=True)
    topic_model = BERTopic(embedding_model=model)
    topics, _ = topic_model.fit_transform(docs, embeddings)

    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    papers = papers.assign(topic_id=topics, text=docs)
    papers["categories"] = papers["categories"].map(lambda c: ";".join(c) if isinstance(c, list) else c)
    papers[["paper_id", "title", "abstract", "categories", "topic_id"]].to_csv(out / "papers.csv", index=False)
    info = topic_model.get_topic_info()
    rows = [{"topic_id": int(t), "label": name, "size": int(n),
             "keywords": ", ".join(w for w, _ in (topic_model.get_topic(t) or []))}
            for t, name, n in zip(info["Topic"], info["Name"], info["Count"]) if t != -1]
    pd.DataFrame(rows).to_csv(out / "topics.csv", index=False)
    print(f"plain BERTopic: {len(papers)} papers, {len(rows)} topics, outliers {(papers['topic_id'] == -1).mean():.1%}")


if __name__ == "__main__":
    main()
