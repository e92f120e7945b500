"""Does a verdict survive a look at the papers' words? A check of each rising or falling verdict that does not
depend on the topics' edges.

A topic's share can move because research moved, or because its edge with a neighbouring topic moved: on the
real 75k corpus "Safety alignment" grew x2.2 while cs.CL titles saying safety, harmful or jailbreak grew x1.1,
the rest of those papers sitting in "Attack success, jailbreak", which declined. The check takes every dated paper whose title or
abstract uses one of the topic's label phrases, wherever its topic, and fits the same regression as the verdict
(analytics.growth.fit_share_trend: within strata, over the same span). The verdict is
- "borne out" when the words' share moved the same way, significantly (95% interval clear of x1);
- "contradicted" when it moved significantly the other way;
- "not borne out" when the words' share shows no significant change;
- "too few papers use its words" below MIN_WORD_PAPERS.
A verdict borne out in direction whose interval does not meet its words' says so in its reason: the field moved,
but by far less (or more) than the topic.
The label names the subject the report claims rises or fades, so its words are what an analyst would search
for; a label broader than its topic ("Diffusion models" for one corner of diffusion) fails the check too, and
should: the claim as written is not what the data say.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.growth import FALLING, RISING, fit_share_trend, fmt_fold, saturating_exp
from analytics.label_quality import label_phrases, phrase_uses
from analytics.topics.labels import TextSet
from analytics.trends import Z95

MIN_WORD_PAPERS = 20  # dated papers using the label's words; fewer give an interval too wide to say anything
BORNE_OUT = "borne out"
NOT_BORNE_OUT = "not borne out"
CONTRADICTED = "contradicted"
TOO_FEW_WORDS = "too few papers use its words"
# The columns and their values for a verdict that is not checked (stable ones, or no fit).
UNCHECKED = {"words_papers": np.nan, "words_change": np.nan, "words_change_low": np.nan, "words_change_high": np.nan,
             "words_check": "", "words_size_holds": None, "words_reason": ""}
WORDS_COLUMNS = list(UNCHECKED)


def check_verdicts_by_words(growth: pd.DataFrame, dated: pd.DataFrame, texts: list[str],
                            labels: dict[int, str], *, strata_words: str | None, z: float = Z95) -> pd.DataFrame:
    """`growth` (analytics.growth.topic_growth) with WORDS_COLUMNS added for its rising and falling topics.
    `dated` is analytics.growth.dated_papers (its `row` indexes `texts`, title + abstract of every paper);
    `strata_words` names the strata in the reasons ("arXiv categories"), None for one stratum."""
    result = growth.copy()
    for column, value in UNCHECKED.items():
        result[column] = pd.Series(value, index=result.index, dtype=object if value is None else None)
    judged = result["growth_class"].isin(RISING + FALLING) & (result["topic_id"] != -1)
    if not judged.any() or dated.empty or "row" not in dated.columns:
        return result
    words = _Words(TextSet([texts[int(r)] for r in dated["row"]]), dated, z,
                   f" within {strata_words}" if dated["stratum"].nunique() > 1 and strata_words else "")
    for index in result.index[judged]:
        row = result.loc[index]
        try:
            checked = words.check(label_phrases(labels.get(int(row["topic_id"]), "")), row["growth_class"],
                                  (row["change_over_span"], row["change_over_span_low"], row["change_over_span_high"]))
        except Exception as error:  # noqa: BLE001 - one topic's check never takes the run down
            checked = {"words_reason": f"words check failed ({type(error).__name__}: {error})"}
        for column, value in checked.items():
            result.at[index, column] = value
    return result


class _Words:
    """The dated papers' texts and the regression the verdicts use; which papers use a phrase, computed once."""

    def __init__(self, corpus: TextSet, dated: pd.DataFrame, z: float, within: str) -> None:
        self.corpus, self.dated, self.z, self.within = corpus, dated, z, within
        self.stratified = dated["stratum"].nunique() > 1
        self.span_years = float(dated["time"].max() - dated["time"].min())
        self._uses: dict[str, np.ndarray] = {}

    def uses(self, phrase: str) -> np.ndarray:
        if phrase not in self._uses:
            self._uses[phrase] = phrase_uses(phrase, self.corpus)
        return self._uses[phrase]

    def check(self, phrases: list[str], growth_class: str, topic_change: tuple[float, float, float]) -> dict:
        """The WORDS_COLUMNS of one verdict ({} when its label has no phrase or the fit fails); `topic_change`:
        the verdict's change over the span and its 95% interval."""
        if not phrases:
            return {}
        uses = np.logical_or.reduce([self.uses(p) for p in phrases])
        quoted = " or ".join(f'"{p}"' for p in phrases)
        n = int(uses.sum())
        if n < MIN_WORD_PAPERS:
            return {"words_papers": n, "words_check": TOO_FEW_WORDS,
                    "words_reason": f"{n} dated papers use {quoted} (fewer than {MIN_WORD_PAPERS}): no check"}
        fit = fit_share_trend(self.dated, uses, self.stratified)
        if fit is None:
            return {"words_papers": n}
        slope, slope_se, _ = fit
        change = saturating_exp(slope * self.span_years)
        low = saturating_exp((slope - self.z * slope_se) * self.span_years)
        high = saturating_exp((slope + self.z * slope_se) * self.span_years)
        rising = growth_class in RISING
        if (low > 1 and rising) or (high < 1 and not rising):
            check = BORNE_OUT
        elif low > 1 or high < 1:
            check = CONTRADICTED
        else:
            check = NOT_BORNE_OUT
        reason = (f"{check}: the {n} papers using {quoted}, wherever their topic, changed {fmt_fold(change)}"
                  f"{self.within} (95% CI {fmt_fold(low)} to {fmt_fold(high)}), the topic {fmt_fold(topic_change[0])}")
        topic_low, topic_high = topic_change[1], topic_change[2]
        size_holds = not (topic_low > high or topic_high < low)  # the two intervals meet
        if check == BORNE_OUT and not size_holds:
            # The direction holds, the size does not: "Memory systems" x9.4 (x6.6 to x13), its words x1.5.
            reason += (f"; the direction holds, not the size: the topic's interval ({fmt_fold(topic_low)} to "
                       f"{fmt_fold(topic_high)}) does not meet its words'")
        return {"words_papers": n, "words_change": change, "words_change_low": low, "words_change_high": high,
                "words_check": check, "words_size_holds": size_holds, "words_reason": reason}


def words_rule() -> str:
    """The check in words, for the report's rule."""
    return ("Each rising or falling verdict is then checked against the papers' own words, which do not depend "
            "on where a topic's edges fall: the dated papers whose title or abstract uses one of the topic's label "
            "phrases, wherever their topic, get the same regression. The verdict is \"borne out\" when their share "
            "moved the same way (95% interval clear of no change), \"contradicted\" when it moved the other way, "
            "\"not borne out\" when it did not move significantly (the topic's share may have moved because its "
            "edge with a neighbouring topic moved); the reason also says when the direction holds but the two "
            "intervals do not meet; there is no check below "
            f"{MIN_WORD_PAPERS} such papers. A verdict its words do not bear out is marked and left off At a glance.")
