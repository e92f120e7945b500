"""The words topic keywords are made of: the c-TF-IDF vectorizer's token pattern and the stop words it drops.
Shared by the keywords (describe.py), topic-quality evaluation (analytics.topic_quality) and growth evidence
(analytics.growth_evidence), so all three tokenise alike."""


# Words that occur in nearly every abstract and say nothing about the topic.
ACADEMIC_STOP_WORDS = {
    "paper", "propose", "proposed", "proposes", "approach", "approaches", "method", "methods", "results",
    "result", "show", "shows", "shown", "demonstrate", "demonstrates", "present", "presents", "novel",
    "based", "using", "use", "used", "work", "study", "new", "existing", "performance", "experiments",
    "experimental", "extensive", "state", "art", "significantly", "achieve", "achieves", "framework",
    "et", "al", "available", "github", "com", "https", "http", "www", "introduce", "introduces",
    # result-reporting verbs ("Clinical, achieved" was a 75k-paper label)
    "achieved", "achieving", "reaches", "reached", "vs",
    # LaTeX command names left in abstracts ("$\mathbb{R}^d$" gave the keyword "mathbb")
    "mathbb", "mathcal", "mathrm", "mathbf", "textbf", "textit", "emph", "frac", "cdot", "ldots", "leq", "geq",
}
# Tokens for c-TF-IDF keywords (and for their evaluation in analytics.topic_quality): words of 2+ characters
# starting with a letter; hyphens stay inside ("fine-tuning", "gpt-4").
TOKEN_PATTERN = r"(?u)\b[a-zA-Z][a-zA-Z0-9\-]+\b"
