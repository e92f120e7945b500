"""Topic labels: a short name a person understands at a glance, from a topic's keyword candidates and the way
its papers word them. label_topics labels every topic of a run; make_label one topic."""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

# Kept out of labels' middle when recovering surface phrases ("mixture of experts").
_JOINERS = r"(?:of|the|and|for|in|to|a|an|on|with|via|from|by)"


def _phrase_regex(phrase: str) -> re.Pattern[str]:
    """Match a keyword as authors write it: c-TF-IDF drops stop words, so allow joiners between its words.
    Matched against ASCII-lowercased text, and without a leading \\b so that re can jump to the first
    word's letters (20x faster); TextSet.matches checks the word boundary before the match instead."""
    words = phrase.lower().split()
    pattern = (r"(?:[\s\-]+" + _JOINERS + r")*[\s\-]+").join(re.escape(w) for w in words) + r"\b"
    return re.compile(pattern)


# Lowercases ASCII letters only, so that positions in the lowered text match the original's.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class TextSet:
    """Texts joined into one string, so a phrase is found in all of them with one regex scan (much faster
    than one search per text), plus the corpus share of each phrase, cached across topics."""

    SEPARATOR = "\x00"  # never in paper text, and not whitespace, so no match or completion crosses it

    def __init__(self, texts: list[str]) -> None:
        self.n = len(texts)
        self.joined = self.SEPARATOR.join(texts)
        self.lowered = self.joined.translate(_ASCII_LOWER)
        self.starts = list(itertools.accumulate([0] + [len(t) + 1 for t in texts[:-1]]))
        self._shares: dict[str, float] = {}

    def doc_of(self, position: int) -> int:
        return bisect.bisect_right(self.starts, position) - 1

    def matches(self, phrase: str) -> list[tuple[int, int]]:
        """(start, end) of each place the texts use `phrase`, whatever its case."""
        found = []
        for match in _phrase_regex(phrase).finditer(self.lowered):
            start = match.start()
            if start == 0 or not (self.lowered[start - 1].isalnum() or self.lowered[start - 1] == "_"):
                found.append((start, match.end()))
        return found

    def documents(self, phrase: str) -> set[int]:
        """Indices of the texts that use `phrase`."""
        return {self.doc_of(start) for start, _ in self.matches(phrase)}

    def share(self, phrase: str) -> float:
        """Share of the texts that use `phrase`."""
        if phrase not in self._shares:
            self._shares[phrase] = len(self.documents(phrase)) / max(self.n, 1)
        return self._shares[phrase]


# The two words after a phrase.
_FOLLOWING = re.compile(r"[\s\-]+([A-Za-z][A-Za-z\-]*)(?:[\s\-]+([A-Za-z][A-Za-z\-]*))?")


def _surface_forms(phrase: str, texts: list[str] | TextSet) -> tuple[str, int]:
    """The most common way the topic's papers write `phrase` ('llms' -> 'LLMs', 'mixture experts' ->
    'mixture of experts', 'large language' -> 'large language models') and in how many of them it occurs."""
    text_set = texts if isinstance(texts, TextSet) else TextSet(texts)
    joined = text_set.joined
    forms: Counter[str] = Counter()
    next_words: Counter[str] = Counter()
    next_pairs: Counter[str] = Counter()
    docs: set[int] = set()
    for start, end in text_set.matches(phrase):
        docs.add(text_set.doc_of(start))
        forms[joined[start:end]] += 1
        following = _FOLLOWING.match(joined, end, end + 60)
        first = _plain_case(following.group(1)) if following else ""
        next_words[first] += 1
        if following and following.group(2):
            next_pairs[f"{first} {_plain_case(following.group(2))}"] += 1
    doc_freq = len(docs)
    if not forms:
        return phrase, 0
    # Most frequent form; among equals prefer the shortest (fewest inserted joiners).
    best = _plain_case(max(forms.items(), key=lambda kv: (kv[1], -len(kv[0])))[0])
    # A phrase cut short by the bigram limit ("large language", "multimodal large", "retrieval-augmented")
    # is completed when the same word, or two, nearly always follow it. Single words are not:
    # "quantization" would become "quantization of weights".
    total = sum(forms.values())
    word, count = next_words.most_common(1)[0]
    # A model's name is not completed ("GPT-4" -> "GPT-4 style models" would hide the name from is_model_name).
    if word and count >= 0.7 * total and _word_count(phrase) > 1 and not re.fullmatch(_JOINERS, word) \
            and not is_model_name(best):
        pair, pair_count = next_pairs.most_common(1)[0] if next_pairs else ("", 0)
        if pair.startswith(word + " ") and pair_count >= 0.7 * total:
            word = pair
        best = f"{best} {word}"
    return best, doc_freq


def _plain_case(phrase: str) -> str:
    """Undo title case from paper titles ("Large Language Models" -> "large language models") but keep
    acronyms and mixed-case names as written (LLMs, LoRA, ImageNet, GPT-4)."""
    def part_case(part: str) -> str:
        keep = any(ch.isupper() for ch in part[1:]) or any(ch.isdigit() for ch in part)
        return part if keep else part.lower()

    return " ".join("-".join(part_case(p) for p in word.split("-")) for word in phrase.split(" "))


def _capitalise(text: str) -> str:
    if not text:
        return text
    first = text.split()[0]
    if any(ch.isupper() for ch in first[1:]):  # acronyms and mixed case (LLMs, LoRA) stay as written
        return text
    return text[0].upper() + text[1:]


def _stem(token: str) -> str:
    """Crude stem so 'transformer'/'transformers', 'interpretable'/'interpretability' or
    'multi-modal'/'multimodal' count as one word."""
    token = token.lower().replace("-", "")
    if len(token) > 3 and token.endswith("s"):
        token = token[:-1]
    return token[:7]


def _phrase_stems(phrase: str) -> set[str]:
    """Stems of a phrase's words, of its hyphenated parts, and its initials, so that "RL" overlaps
    "reinforcement learning", "MoE" overlaps "mixture of experts" and "vision" overlaps "vision-language"."""
    words = phrase.split()
    stems = {_stem(w) for w in words} | {_stem(part) for w in words for part in w.split("-") if part}
    content = [w for w in words if not re.fullmatch(_JOINERS, w, re.IGNORECASE)]
    if len(content) > 1:
        stems.add("".join(w[0] for w in content).lower())
        stems.add("".join(w[0] for w in words).lower())
    return stems


def _word_count(phrase: str) -> int:
    """Words in a phrase, hyphenated compounds counting as several ("vision-language", "in-context")."""
    return len([part for part in re.split(r"[\s\-]+", phrase) if part])


# Model families whose bare names label a topic by the tool, not the subject.
_MODEL_FAMILIES = {
    "gpt", "chatgpt", "llama", "qwen", "claude", "gemini", "mistral", "mixtral", "deepseek", "bert", "roberta",
    "t5", "clip", "sam", "vit", "phi", "gemma", "falcon", "palm", "opt", "bloom", "vicuna", "alpaca", "dall-e",
    "whisper", "yolo", "yolov", "dino", "dinov", "blip", "llava", "internvl", "internlm", "kimi", "grok", "sora",
}


def is_model_name(phrase: str) -> bool:
    """The phrase is nothing but a model's name and version: "GPT-4", "Llama 3", "Qwen2.5-VL", "ChatGPT"."""
    words = [w.lower() for w in phrase.split()]
    family = [re.match(r"[a-z]*", w).group() in _MODEL_FAMILIES for w in words]
    version = [bool(re.fullmatch(r"v?\d+(?:\.\d+)*[a-z]?", w)) for w in words]
    return any(family) and all(f or v for f, v in zip(family, version))


# A phrase used by more than this share of the whole corpus is everyday vocabulary there ("language models"
# in an LLM corpus, "deep learning" in a general one) ...
GENERIC_CORPUS_SHARE = 0.05
# ... unless the topic uses it at least this many times as often as the corpus does ("unlearning" in an
# unlearning topic of an unlearning-heavy corpus). At 3.0, "transformer" (21% of the samples, 80% of a
# quantization topic) led "Transformer, GPU"; at 4.0 that topic reads "GPU, quantization", and on a real 10k
# slice "LLMs, pre-training" / "LLMs, software" / "Token, language model" became "Pre-training, data
# selection" / "Software, programming" / "Token, speculative decoding"; one samples label got worse:
# "Window attention, memory" -> "Window attention, improves the throughput".
GENERIC_MIN_LIFT = 4.0
# A one-word lead ("Agent", "Video", "Medical", "Codes", and hyphenated modifiers such as "Few-shot") rarely names
# a subject; a longer candidate holding it leads instead when at least this share as many papers use it
# ("LLM agents", "video understanding", "few-shot learning"; on the 10k slice the hyphenated case changed one
# label of 87, "Few-shot, prompt tuning").
SUBJECT_PHRASE_MIN_RATIO = 0.3
# A second phrase is added only when it is nearly as characteristic of the topic as the first ...
SECOND_PHRASE_MIN_RATIO = 0.5
# ... or, for the topic's first c-TF-IDF keyword, at least this characteristic.
TOP_KEYWORD_MIN_RATIO = 0.25


@dataclass
class LabelCandidate:
    form: str  # as the topic's papers write it
    score: float
    share: float  # of the topic's papers using it
    corpus_share: float  # of the corpus sample using it
    generic: bool  # common across the corpus and not much more common in the topic
    stems: set[str]


def label_candidates(keywords: list[str], texts: list[str], corpus_texts: list[str] | TextSet | None = None,
                     topic_share: float | None = None) -> list[LabelCandidate]:
    """Candidate label phrases, best first.

    Score = the harmonic mean of coverage (the share of the topic's papers using the phrase) and exclusivity
    (the share of the corpus's papers using it that are in the topic: lift x `topic_share`, the topic's share of
    the corpus), the measure analytics.label_quality reports; multi-word phrases get a bonus because they name
    things ("knowledge distillation" over "distillation"). Duplicate surface forms keep their best score.
    Pass the corpus as one TextSet for all topics so each keyword's corpus share is computed once.
    Measured against the log-lift score before it (specific labels, analytics.label_quality): real 75k corpus
    44% -> 48% (with the lead extension and model-name rule below), samples 70% -> 70%.
    """
    corpus = corpus_texts if isinstance(corpus_texts, TextSet) or not corpus_texts else TextSet(corpus_texts)
    topic_set = TextSet(texts)
    n_topic = max(len(texts), 1)
    best: dict[str, LabelCandidate] = {}
    for rank, keyword in enumerate(keywords):
        form, doc_freq = _surface_forms(keyword, topic_set)
        if doc_freq == 0:
            continue
        p_topic = doc_freq / n_topic
        p_corpus, lift = 0.0, 1.0
        if corpus:
            p_corpus = corpus.share(keyword)
            lift = p_topic / max(p_corpus, 1e-3)
        generic = p_corpus > GENERIC_CORPUS_SHARE and lift < GENERIC_MIN_LIFT
        bonus = 1.5 if _word_count(form) > 1 else 1.0
        # Exclusivity: the share of the corpus papers using the phrase that are in this topic (lift times the
        # topic's share of the corpus). Coverage alone crowns corpus words ("Agent", "Tokens", "Video");
        # exclusivity alone, phrases a few papers use ("text-to-3D generation", 1% of its topic).
        exclusivity = 1.0  # without a corpus to compare with, every phrase is the topic's own
        if corpus:
            share = topic_share if topic_share is not None else n_topic / max(corpus.n, 1)
            exclusivity = min(1.0, lift * share)
        f1 = 2 * p_topic * exclusivity / (p_topic + exclusivity)
        score = f1 * bonus - 0.001 * rank  # rank breaks ties deterministically
        key = form.lower()
        if key not in best or score > best[key].score:
            best[key] = LabelCandidate(form, score, p_topic, p_corpus, generic, _phrase_stems(form))
    return sorted(best.values(), key=lambda c: (-c.score, c.form))


# Words (letters, digits, inner hyphens, dots and pluses: "GPT-4.5", "C++") separated by single spaces.
_LABEL_PHRASE = re.compile(r"[\w.+]+(?:-[\w.+]+)*(?: [\w.+]+(?:-[\w.+]+)*)*")


def make_label(keywords: list[str], texts: list[str], guided_name: str | None = None,
               corpus_texts: list[str] | TextSet | None = None, top_keyword: str | None = None,
               topic_share: float | None = None) -> str:
    """A short name a person understands at a glance, from the topic's keywords and its papers' wording.

    The most characteristic phrase leads (see label_candidates); phrases everyone in the corpus uses
    ("large language models", "deep learning") lead only when nothing else fits. A second phrase follows
    only when it is nearly as characteristic (the topic's first c-TF-IDF keyword, `top_keyword`: half as
    much is enough, and it is preferred) and shares no word with the first, so it adds meaning.
    A guided topic's name always leads.
    """
    # Phrases as authors write them, but never across punctuation ("models -- LLMs finetuned to").
    candidates = [c for c in label_candidates(keywords, texts, corpus_texts, topic_share)
                  if _LABEL_PHRASE.fullmatch(c.form)]
    # A model's name names a tool the papers use, not what they study ("GPT-4" for domain applications).
    candidates = [c for c in candidates if not is_model_name(c.form)] or candidates
    specific = [c for c in candidates if not c.generic]
    phrases: list[str] = []
    used_stems: set[str] = set()
    if guided_name:
        phrases.append(guided_name)
        used_stems.update(_phrase_stems(guided_name))
    elif candidates:
        lead = _fuller_phrase((specific or candidates)[0], specific, set())
        if " " not in lead.form:
            lead = _fuller_phrase(lead, specific, set(), min_ratio=SUBJECT_PHRASE_MIN_RATIO)
        phrases.append(lead.form)
        used_stems.update(lead.stems)
    # The second phrase must be nearly as characteristic as the best one (for a guided topic, as the best
    # candidate), else it is noise ("Machine unlearning, forget"), and adds words the label does not have yet.
    top_score = (specific or candidates)[0].score if candidates else 0.0
    seconds = [c for c in specific if c.score >= SECOND_PHRASE_MIN_RATIO * top_score and not c.stems & used_stems
               and not is_model_name(c.form)]
    # The topic's first c-TF-IDF keyword may follow the lead with half that strength: c-TF-IDF counts every use
    # of a word where the label score counts papers, and a word the topic's papers keep coming back to names
    # what they are about even when more of them use a neighbouring word (samples: "Transformer" ->
    # "Transformer, quantization" for the quantization / compression / serving papers).
    top_stems = _phrase_stems(_plain_case(top_keyword)) if top_keyword else set()
    top_phrases = [c for c in specific if top_stems and top_stems <= c.stems and not c.stems & used_stems
                   and c.score >= TOP_KEYWORD_MIN_RATIO * top_score]
    if top_phrases:  # the keyword's own phrase: the fewest words around it
        seconds = [min(top_phrases, key=lambda c: (_word_count(c.form), -c.score))]
    if len(phrases) == 1 and seconds:
        phrases.append(_fuller_phrase(seconds[0], specific, used_stems).form)
    if not phrases:
        return "Unlabelled topic"
    return _capitalise(phrases[0]) + (f", {phrases[1]}" if len(phrases) > 1 else "")


def _fuller_phrase(chosen: LabelCandidate, candidates: list[LabelCandidate], avoid: set[str],
                  min_ratio: float = 0.5) -> LabelCandidate:
    """A longer candidate containing the chosen one's words and used by at least `min_ratio` as many papers
    says more: "deep" -> "deep learning", "merging" -> "model merging", "scaling" -> "scaling laws". It must not
    repeat words already in the label (`avoid`): "Time series, series forecasting"."""
    n_words = _word_count(chosen.form)
    longer = [c for c in candidates if _word_count(c.form) > n_words and chosen.stems <= c.stems
              and c.share >= min_ratio * chosen.share and not c.stems & avoid]
    return max(longer, key=lambda c: (c.share, c.score)) if longer else chosen


def label_topics(texts: list[str], assignment: np.ndarray, label_phrases: dict[int, list[str]],
                 keywords: dict[int, list[str]], guided_names: dict[int, str], seed: int) -> dict[int, str]:
    """{topic: label} for the topics of `keywords` (their c-TF-IDF keywords, best first), from `label_phrases`
    (KeyBERT-inspired phrases) and the wording of the topic's papers (`texts`, `assignment`: a topic per text);
    a guided topic's name leads its label. Labels two topics share get one of their own keywords added."""
    labels = {}
    # A fixed, seeded sample of the corpus is enough to tell everyday phrases from distinctive ones.
    sample_rows = np.random.default_rng(seed).permutation(len(texts))[:2000]
    corpus_sample = TextSet([texts[i] for i in sorted(sample_rows)])
    for topic in keywords:
        member_texts = [texts[i] for i in np.where(assignment == topic)[0][:400]]
        # KeyBERT's phrases read well; the c-TF-IDF keywords add the words most papers of the topic share
        # ("quantization" where KeyBERT offered "single gpu").
        candidates = label_phrases[topic] + [k for k in keywords[topic] if k not in label_phrases[topic]]
        labels[topic] = make_label(candidates, member_texts, guided_names.get(topic), corpus_sample,
                                   top_keyword=keywords[topic][0] if keywords[topic] else None,
                                   topic_share=float(np.mean(assignment == topic)))
    return _deduplicate_labels(labels, keywords)


def _deduplicate_labels(labels: dict[int, str], keywords: dict[int, list[str]]) -> dict[int, str]:
    seen: Counter[str] = Counter(labels.values())
    result = dict(labels)
    for topic, label in labels.items():
        if seen[label] > 1:
            extra = next((k for k in keywords[topic] if k.lower() not in label.lower()), str(topic))
            result[topic] = f"{label} ({extra})"
    return result
