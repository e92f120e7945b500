"""topictrends analytics: pure library code (parsing, dates, embedding, topics, trends). No Prefect here."""
