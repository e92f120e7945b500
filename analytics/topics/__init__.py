"""Topics from embeddings: BERTopic (UMAP + HDBSCAN + c-TF-IDF), tuned to corpus size, with outlier reduction,
guided topics and human-readable labels. Deterministic for a given seed. One job per module; import from them:

- params.py: the clustering settings of a run, chosen from the corpus size and the config (TopicParams).
- clustering.py: papers into topics: UMAP, HDBSCAN, guided topics, outlier reduction (cluster_papers).
- guided.py: guided topics, surfaced as their own topic when the papers support it (apply_guided_topics).
- describe.py: each topic's keywords, label, representative papers and centroid (describe_topics).
- labels.py: a topic's label from its keyword candidates and its papers' wording (make_label).
- layout.py: the report's 2-D map (layout_2d).
- fit.py: all of the above for one corpus (fit_topics -> TopicModelResult).
- sampled.py: topics fitted on a transformer-embedded sample, every other paper placed by its estimated
  transformer vector (fit_sampled_topics).
- speedups.py: faster paths around UMAP, its neighbour search, numba and BERTopic's imports.
- vocabulary.py: token pattern and stop words of the keywords (also used by topic-quality evaluation).
- vectors.py: row normalisation and topic centroids.
"""
