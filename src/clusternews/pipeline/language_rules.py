"""Pure evidence rules for language detection: text cleaning, orthographic cues, the vote."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

# Languages both detectors are restricted to. Norwegian is one language here ("no"); the
# Bokmål/Nynorsk split is decided separately (see `variant_log_odds`).
CANDIDATES: tuple[str, ...] = ("no", "sv", "da", "en", "de", "fi", "is", "nl", "fr", "es")

# Detectors only see the first MAX_CHARS characters: paragraphs of 400+ characters are already
# 100 % correct on dev.tsv, so more text only costs time (and unbounded input is untrusted).
MAX_CHARS = 2000
# Regexes only ever run over this much raw input, so a 1 MB page costs no more than a short one.
_RAW_SCAN_CHARS = 8 * MAX_CHARS
# Fewer letters than this and no detector is better than a guess: "und", confidence 0.
MIN_LETTERS = 3

# Weights of the two detectors' log-probabilities (a weighted geometric vote). Tuned on one half
# of dev.tsv and checked on the other: 0.5/0.5 was best on both halves (0.3/0.7 and 0.7/0.3 lose
# 0.3-1 point on no/sv/da under 100 chars). Alone, py3langid gets 82 % of Norwegian under 40
# chars and lingua 86 % of Danish; the vote gets 89.5 % and 86.7 %, and 98.7-99.1 % at 40-100.
W_LINGUA = 0.5
W_LANGID = 0.5
# Probability floor: keeps one detector's hard zero (lingua rules languages out by letters)
# from vetoing the other (it fixed the one Bokmål paragraph full of Faroese names on dev).
PROB_FLOOR = 0.01
# Log-prior of each candidate: cluster news here is Nordic, sometimes English, rarely anything
# else. Short titles are where it counts ("Presidenten:" read as Spanish): on dev.tsv it lifts
# Norwegian under 40 characters by ~2 points and costs English/German/Finnish there <= 1 point
# (at -2 German under 40 fell from 97 % to 90 %). Texts of 40+ characters do not move.
LOG_PRIOR: dict[str, float] = {
    "en": -0.5,
    "de": -1.0,
    "fi": -1.0,
    "is": -1.0,
    "nl": -1.0,
    "fr": -1.0,
    "es": -1.0,
}
# Log-odds moved per word voting Danish or Norwegian (see DA_WORDS). The errors left on dev.tsv
# and on train-split sentences hardly ever contain a cue (the models already get those right),
# so any weight in 0.6-1.5 is within 0.4 points on both; the cues are a tie-breaker for
# headline text the models find close.
CUE_WEIGHT = 0.6
# Log-prior for the declared language, e^1.0 ≈ 2.7x. On dev: a correct declaration lifts no/da
# under 40 chars from ~88 % to 99-100 %; a template's wrong lang="en" costs <= 0.5 points at
# 40+ chars; even an adversarially wrong Nordic tag keeps s40-100 >= 97.4 % (at 1.5 it fell to
# 95.3 % and da->no rose to 2.4 %, so stronger priors are not worth it).
DECLARED_WEIGHT = 1.0
# Bokmål/Nynorsk: cue weight 0.4-1.2 all gave +1 point over none (40+ chars, both dev halves).
# Below VARIANT_MIN_POSTERIOR the variant is None (~2 % of 40+ texts, ~22 % under 40 chars).
VARIANT_CUE_WEIGHT = 0.8
VARIANT_MIN_POSTERIOR = 0.55

_URL_RE = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+", re.IGNORECASE)
_WORD_RE = re.compile(r"[^\W\d_]+")
_SPACE_RE = re.compile(r"\s+")

# Danish/Norwegian cues. Each word of a text votes Danish, Norwegian, both (they cancel) or
# neither. Chosen from the UD train splits (NDT nb/nn, DDT, Talbanken), never from dev.tsv or a
# test split (nor the sentences `language_accuracy.py --train-splits` evaluates on), and kept
# when one side has it at least e^2 (7x) as often per sentence as the other; each spelling rule
# below is in 5-60 % of one side's sentences and under 2 % of the other's. Closed-class and
# common words whose counterpart is spelled differently (af/av, mig/meg, blev/ble, op/opp):
DA_WORDS = frozenset(
    "af hvad nogle noget nogen mig dig sig os efter ud op ind nu blev blevet bliver blive havde "
    "have haft fik fået gik gået sagde siger sige lidt måske endnu mellem igennem gennem uden imod "
    "inden vores jeres gøre gør hvornår alligevel lige end mere anden andet igen tilbage tage "
    "tager taget give giver givet aldrig altid blandt næsten gerne hinanden fortæller længere "
    "finde fandt kender nej blot uge uger dage vej væk ude nyt mit børn mand pludselig "
    "ligesom".split()
)
# Norwegian (Bokmål or Nynorsk: either is Norwegian rather than Danish).
NO_WORDS = frozenset(
    "av hva noen noe meg deg seg oss etter ut opp inn nå ble blitt blir bli hadde hatt fikk fått "
    "gikk gått sa sier litt kanskje ennå mellom gjennom uten mot gjøre gjør nei vei igjen likevel "
    "mye å enn mer annen annet tilbake tatt gi aldri alltid blant nesten gjerne hverandre "
    "forteller fortsatt fant vet skjer dere uke uker dager ute nytt mitt sitt menn mann "
    "plutselig slik ikkje eg ein eit kva dei berre frå meir mykje vart vert fekk sjølv ho òg "
    "korleis kven kvifor noko nokon nokre seier medan saman fleire heile heilt vere desse kjem "
    "gjer veit gjekk sjå utan sidan då difor".split()
)
# Spellings, for words not capitalised mid-text (names: Kjeld, Heidi, Sæther, Scott ...).
# Norwegian doubles a final consonant after a short vowel (takk/tak, gikk/gik, nytt/nyt,
# mann/mand), writes kj/gj (kjøpe/købe, gjennom/gennem), ei and øy (vei/vej, høy/høj),
# -sjon and -het. Danish writes ej/øj, -tion and -hed, adjectives in -igt (vigtigt), weak
# past tense in -ede (startede/startet), and æ before consonants other than r (næste/neste).
_NO_SPELLING_RE = re.compile(
    r"\w*(?:kk|pp|tt|gg|ss|nn)|\w*(?:kj|gj|ei|øy)\w*|\w+(?:sjon|sjonen|sjoner|het|heten|heter)"
)
_DA_SPELLING_RE = re.compile(
    r"\w*(?:øj|ej|æ[^\Wr])\w*|\w+(?:tion|tionen|tioner|hed|heden|heder|igt)|\w{3,}ede"
)

# Nynorsk/Bokmål cues, chosen the same way from the NDT train splits.
NN_WORDS = frozenset(
    "ikkje eg ein eit kva dei berre frå meir mykje vart vert fekk sjølv ho òg korleis kven "
    "kvifor kvar heile heilt vere vore noko nokon nokre seier medan saman fleire fyrste veke "
    "difor hjå me hennar deira desse kjem gjer veit gjekk såg sjå eigen eige døme attende enno "
    "seinare utan sidan då".split()
)
NB_WORDS = frozenset(
    "ikke jeg en et hva noen noe hvordan hvem hvorfor de bare være fra mer flere hun ble fikk "
    "selv mye hver hele helt sier mens sammen første uke derfor hos uten annet vært gikk vet "
    "dere hverandre fortsatt forteller gjøre gjør".split()
)
# Nynorsk -leg/-lege (dagleg), -heit, definite plurals -ane/-inga vs Bokmål -lig/-lige (daglig),
# -het, -ingen and hv- (hva/kva, hvor/kor).
_NN_SPELLING_RE = re.compile(r"\w+(?:leg|lege|legt|heit|heita|ane|inga)")
_NB_SPELLING_RE = re.compile(r"\w+(?:lig|lige|ligt|het|heten|ingen)|hv\w+")

_DECLARED_ALIASES = {
    "nb": ("no", "nb"),
    "nob": ("no", "nb"),
    "nn": ("no", "nn"),
    "nno": ("no", "nn"),
    "no": ("no", None),
    "nor": ("no", None),
    "swe": ("sv", None),
    "dan": ("da", None),
    "eng": ("en", None),
}


@dataclass(frozen=True, slots=True)
class Cues:
    """Counts of orthographic cues in one text."""

    da: int
    no: int
    nb: int
    nn: int


def clean_text(text: str) -> str:
    """Bounded, detector-ready text: no URLs/e-mails/control characters, at most MAX_CHARS."""
    raw = text[:_RAW_SCAN_CHARS]
    # Control and format characters (incl. NUL, zero-width) become spaces; letters stay.
    raw = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in raw)
    raw = _URL_RE.sub(" ", raw)
    raw = _SPACE_RE.sub(" ", raw).strip()
    if len(raw) > MAX_CHARS:
        cut = raw.rfind(" ", 0, MAX_CHARS)
        raw = raw[: cut if cut > MAX_CHARS // 2 else MAX_CHARS]
    return raw


def count_letters(text: str) -> int:
    """Number of alphabetic characters."""
    return sum(1 for ch in text if ch.isalpha())


def parse_declared(tag: str | None) -> tuple[str | None, str | None]:
    """('no', 'nn') for 'nn-NO', ('sv', None) for 'sv_SE'; (None, None) if unusable."""
    if not tag or not isinstance(tag, str):
        return None, None
    primary = re.split(r"[-_\s]", tag.strip().lower(), maxsplit=1)[0]
    if primary in _DECLARED_ALIASES:
        return _DECLARED_ALIASES[primary]
    if primary in CANDIDATES:
        return primary, None
    return None, None


def _spelled(word: str, first: bool) -> bool:
    """Whether spelling cues apply: not a capitalised name in mid-text."""
    return first or word.islower() or word.isupper()


def count_cues(text: str) -> Cues:
    """Count Danish/Norwegian and Bokmål/Nynorsk cues in (cleaned) text: words voting each way."""
    da = no = nb = nn = 0
    for i, match in enumerate(_WORD_RE.finditer(text[:_RAW_SCAN_CHARS])):
        word = match.group()
        low = word.lower()
        spelled = _spelled(word, i == 0)
        is_da = low in DA_WORDS or (spelled and _DA_SPELLING_RE.fullmatch(low) is not None)
        is_no = low in NO_WORDS or (spelled and _NO_SPELLING_RE.fullmatch(low) is not None)
        if is_da != is_no:
            da, no = da + is_da, no + is_no
        is_nn = low in NN_WORDS or (spelled and _NN_SPELLING_RE.fullmatch(low) is not None)
        is_nb = low in NB_WORDS or (spelled and _NB_SPELLING_RE.fullmatch(low) is not None)
        if is_nn != is_nb:
            nn, nb = nn + is_nn, nb + is_nb
    return Cues(da=da, no=no, nb=nb, nn=nn)


def _normalise(probs: Mapping[str, float]) -> dict[str, float]:
    """Restrict to CANDIDATES, floor and renormalise."""
    total = sum(max(probs.get(lang, 0.0), 0.0) for lang in CANDIDATES)
    if total <= 0.0:
        return {lang: 1.0 / len(CANDIDATES) for lang in CANDIDATES}
    return {lang: max(probs.get(lang, 0.0), 0.0) / total for lang in CANDIDATES}


def combine(
    lingua: Mapping[str, float],
    langid: Mapping[str, float],
    cues: Cues,
    declared: str | None,
) -> dict[str, float]:
    """Posterior over CANDIDATES from both detectors, the cues and the declared language.

    `lingua` and `langid` map candidate codes to probabilities, with "no" already the better of
    Bokmål and Nynorsk (summing the two would double-count what they share with Danish).
    """
    p_l, p_p = _normalise(lingua), _normalise(langid)
    score = {
        lang: W_LINGUA * math.log(p_l[lang] + PROB_FLOOR)
        + W_LANGID * math.log(p_p[lang] + PROB_FLOOR)
        for lang in CANDIDATES
    }
    # Cues only move mass between Danish and Norwegian, keeping their sum: they say nothing
    # about Swedish (which also doubles final consonants) or any other language.
    shift = CUE_WEIGHT * (cues.no - cues.da)
    if shift:
        pair = _logsumexp(score["da"], score["no"])
        odds = score["no"] - score["da"] + shift
        score["no"] = pair - _log1p_exp(-odds)
        score["da"] = pair - _log1p_exp(odds)
    for lang, prior in LOG_PRIOR.items():
        score[lang] += prior
    if declared in score:
        score[declared] += DECLARED_WEIGHT
    top = max(score.values())
    exp = {lang: math.exp(s - top) for lang, s in score.items()}
    total = sum(exp.values())
    return {lang: v / total for lang, v in exp.items()}


def _log1p_exp(x: float) -> float:
    """log(1 + e^x) without overflow."""
    return x + math.log1p(math.exp(-x)) if x > 0 else math.log1p(math.exp(x))


def _logsumexp(a: float, b: float) -> float:
    return max(a, b) + math.log1p(math.exp(-abs(a - b)))


def variant_log_odds(
    lingua_nb: float,
    lingua_nn: float,
    langid_nb: float,
    langid_nn: float,
    cues: Cues,
    declared_variant: str | None,
) -> float:
    """Log-odds of Nynorsk over Bokmål (positive: Nynorsk)."""
    eps = PROB_FLOOR
    odds = W_LINGUA * (math.log(lingua_nn + eps) - math.log(lingua_nb + eps))
    odds += W_LANGID * (math.log(langid_nn + eps) - math.log(langid_nb + eps))
    odds += VARIANT_CUE_WEIGHT * (cues.nn - cues.nb)
    if declared_variant == "nn":
        odds += DECLARED_WEIGHT
    elif declared_variant == "nb":
        odds -= DECLARED_WEIGHT
    return odds


def variant_from_log_odds(odds: float) -> tuple[str | None, float]:
    """('nn'|'nb'|None, posterior of the chosen variant)."""
    p_nn = 1.0 / (1.0 + math.exp(-max(min(odds, 50.0), -50.0)))
    variant, post = ("nn", p_nn) if p_nn >= 0.5 else ("nb", 1.0 - p_nn)
    return (variant if post >= VARIANT_MIN_POSTERIOR else None), post
