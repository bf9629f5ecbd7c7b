"""Language detection stage: lingua + py3langid vote, orthographic cues, declared-language prior."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from lingua import Language, LanguageDetectorBuilder
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from clusternews.pipeline.language_rules import (
    CANDIDATES,
    MIN_LETTERS,
    Cues,
    clean_text,
    combine,
    count_cues,
    count_letters,
    parse_declared,
    variant_from_log_odds,
    variant_log_odds,
)

logger = logging.getLogger(__name__)

UNDETERMINED = "und"

_LINGUA_CODES: dict[Language, str] = {
    Language.BOKMAL: "nb",
    Language.NYNORSK: "nn",
    Language.SWEDISH: "sv",
    Language.DANISH: "da",
    Language.ENGLISH: "en",
    Language.GERMAN: "de",
    Language.FINNISH: "fi",
    Language.ICELANDIC: "is",
    Language.DUTCH: "nl",
    Language.FRENCH: "fr",
    Language.SPANISH: "es",
}
# py3langid labels Bokmål/unspecified Norwegian "no" and Nynorsk "nn".
_LANGID_CODES = frozenset(CANDIDATES) | {"nn"}
# A language outside CANDIDATES is reported when py3langid's full model (all its languages) is
# this sure of it: on dev.tsv no in-candidate text scores a foreign language above 0.7. Text that
# is mostly non-Latin script cannot be any candidate, so there its best guess is taken as is.
_FOREIGN_MIN_PROB = 0.8
_FOREIGN_MAX_LATIN_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class LanguageResult:
    """Detected language of one text."""

    language: str  # "no", "sv", "da", "en", "de", "fi", ... or "und"
    variant: str | None  # "nb" or "nn" when language == "no" and it can tell, else None
    confidence: float  # 0..1


UNDETERMINED_RESULT = LanguageResult(UNDETERMINED, None, 0.0)


def _latin_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for ch in letters if ch < "\u0250") / len(letters)


# lingua arbitrates only between the languages short texts confuse most: Bokmål, Nynorsk,
# Danish and Swedish; py3langid ranks every language and lingua splits py3langid's mass on
# these four. Measured with benchmarks/language_accuracy.py --options (PSS added to a process
# with numpy), on dev.tsv and on the UD train splits (a stand-in for held-out text):
# - lingua on all 11 candidates + py3langid: +391-403 MiB;
# - these 4 + py3langid: +230-237 MiB, and every figure at least that of nb/nn/da alone:
#   under 40 characters Norwegian 90.7 / 90.4 % (nb/nn/da: 89.7 / 90.0), Swedish 96.8 /
#   92.3 % (96.8 / 88.8), Danish 86.7 / 82.0 % (86.7 / 81.2); 40+ figures equal;
# - nb/nn/da + py3langid (shipped until 2026-12-06): +186-194 MiB;
# - py3langid alone: +80 MiB; lingua's low-accuracy mode loses 1.5-5 points at 40-100.
LINGUA_LANGUAGES: tuple[str, ...] = ("nb", "nn", "da", "sv")


class LanguageDetector:
    """Detects the language (and Norwegian written standard) of news text. Not thread-safe.

    `lingua` names the languages (codes of `_LINGUA_CODES`) lingua arbitrates between, in
    high-accuracy mode unless `low_accuracy`; empty means py3langid and the rules alone.
    """

    def __init__(
        self, lingua: tuple[str, ...] = LINGUA_LANGUAGES, *, low_accuracy: bool = False
    ) -> None:
        start = time.perf_counter()
        codes = {code: language for language, code in _LINGUA_CODES.items()}
        unknown = sorted(set(lingua) - set(codes))
        if unknown:
            raise ValueError(f"language: no lingua model for {unknown}")
        self._lingua_codes = tuple(dict.fromkeys(lingua))
        self._lingua = None
        if len(self._lingua_codes) >= 2:
            builder = LanguageDetectorBuilder.from_languages(
                *(codes[c] for c in self._lingua_codes)
            )
            if low_accuracy:
                builder = builder.with_low_accuracy_mode()
            # Preloading makes the cost one-off here instead of on first use.
            self._lingua = builder.with_preloaded_language_models().build()
        # The full model is kept: restricting to CANDIDATES is a renormalisation of its output,
        # and the unrestricted ranking tells us when a text is in none of them.
        self._langid = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        logger.info("language detectors loaded in %.2f s", time.perf_counter() - start)

    def detect(self, text: str, *, declared: str | None = None) -> LanguageResult:
        """Detect the language of `text`; `declared` (e.g. "nb-NO") is weighed as evidence."""
        if not isinstance(text, str):
            return UNDETERMINED_RESULT
        cleaned = clean_text(text)
        if count_letters(cleaned) < MIN_LETTERS:
            return UNDETERMINED_RESULT
        declared_lang, declared_variant = parse_declared(declared)

        ranked = self._langid.rank(cleaned)
        top_label, top_prob = ranked[0]
        if top_label not in _LANGID_CODES and (
            top_prob >= _FOREIGN_MIN_PROB or _latin_share(cleaned) < _FOREIGN_MAX_LATIN_SHARE
        ):
            return LanguageResult(top_label, None, round(top_prob, 4))
        langid = {label: prob for label, prob in ranked if label in _LANGID_CODES}
        mass = sum(langid.values()) or 1.0
        langid = {label: prob / mass for label, prob in langid.items()}
        lingua = self._lingua_vote(cleaned, langid)
        return self._decide(lingua, langid, count_cues(cleaned), declared_lang, declared_variant)

    def _lingua_vote(self, cleaned: str, langid: dict[str, float]) -> dict[str, float]:
        """py3langid's distribution with its mass on lingua's languages split as lingua says."""
        vote = {label: prob for label, prob in langid.items() if label not in ("no", "nn")}
        vote["nb"], vote["nn"] = langid.get("no", 0.0), langid.get("nn", 0.0)
        if self._lingua is None:
            vote["nb"] = vote["nn"] = max(vote["nb"], vote["nn"])  # no opinion on the variant
            return vote
        values = {code: 0.0 for code in self._lingua_codes}
        for cv in self._lingua.compute_language_confidence_values(cleaned):
            values[_LINGUA_CODES[cv.language]] = cv.value
        total = sum(values.values())
        share = sum(vote.get(code, 0.0) for code in self._lingua_codes)
        for code, value in values.items():
            vote[code] = share * (value / total if total > 0 else 1.0 / len(values))
        if "nn" not in values:
            vote["nn"] = vote["nb"]
        elif "nb" not in values:
            vote["nb"] = vote["nn"]
        return vote

    @staticmethod
    def _decide(
        lingua: dict[str, float],
        langid: dict[str, float],
        cues: Cues,
        declared_lang: str | None,
        declared_variant: str | None,
    ) -> LanguageResult:
        """Combine raw detector outputs (nb/nn kept apart) into a result."""
        l_nb, l_nn = lingua.get("nb", 0.0), lingua.get("nn", 0.0)
        p_nb, p_nn = langid.get("no", 0.0), langid.get("nn", 0.0)
        lingua_no = {k: v for k, v in lingua.items() if k not in ("nb", "nn")}
        lingua_no["no"] = max(l_nb, l_nn)
        langid_no = {k: v for k, v in langid.items() if k != "nn"}
        langid_no["no"] = max(p_nb, p_nn)
        posterior = combine(lingua_no, langid_no, cues, declared_lang)
        language = max(CANDIDATES, key=posterior.__getitem__)
        variant = None
        if language == "no":
            odds = variant_log_odds(l_nb, l_nn, p_nb, p_nn, cues, declared_variant)
            variant, _ = variant_from_log_odds(odds)
        return LanguageResult(language, variant, round(posterior[language], 4))
