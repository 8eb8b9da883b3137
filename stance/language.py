"""A small, pure language guesser: counts frequent function words (stopwords) of each language.

Function words are the most reliable cheap signal for 2,000-character news excerpts; the lists below are
short on purpose and avoid words that are frequent in several of the languages (e.g. "de", "en", "la", "a").
"""

from __future__ import annotations

import re

_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "the and of to is that for with was are this have from which by be has not it its they their "
        "would been were there what who will said but an or".split()
    ),
    "de": frozenset(
        "der die das und ist nicht mit sich auf für dem den des ein eine einer sie auch wird werden "
        "dass zu von im zum zur bei nach wie oder aber sind hat".split()
    ),
    "fr": frozenset(
        "le les des est et une pour dans qui que pas sur sont par au aux du avec ce cette ont été "
        "elle ils leur mais ou être".split()
    ),
    "es": frozenset(
        "el los las del y que es una por para con se su sus al como más pero está son lo esta fue "
        "ha han ser sobre entre".split()
    ),
    "sv": frozenset(
        "och att det är som för med på av till inte har en ett om den de sig kan ska från vi men "
        "också eller var efter när".split()
    ),
    "da": frozenset("og at det er som for med på af til ikke har en et om den de sig kan skal fra vi men også".split()),
    "no": frozenset("og at det er som for med på av til ikke har en et om den de seg kan skal fra vi men også".split()),
    "nl": frozenset(
        "de het een en van is dat niet op te voor met zijn die worden wordt ook maar bij naar uit heeft hebben".split()
    ),
    "it": frozenset(
        "il lo gli della delle degli e che è per non una sono con si nel nella alla anche come più "
        "questo questa dei ma".split()
    ),
    "pt": frozenset(
        "o os as da das do dos e que é para não uma com se na no pela pelo mais como foi são ao à também mas".split()
    ),
    "pl": frozenset(
        "i w na z że się nie jest do to o jak od po przez dla są jej jego ich ale czy tak może już oraz także".split()
    ),
    "ru": frozenset(
        "и в не на что с по как это из за от для к о же так его ее их но или был была были уже также".split()
    ),
}


def function_words(language: str) -> frozenset[str]:
    """The frequent function words the guesser counts for `language` (empty for a language it does not know)."""
    return _STOPWORDS.get(language, frozenset())


_LANGUAGES_OF: dict[str, tuple[str, ...]] = {}
for _code, _words in _STOPWORDS.items():
    for _word in _words:
        _LANGUAGES_OF[_word] = (*_LANGUAGES_OF.get(_word, ()), _code)
_TOKEN = re.compile(r"[^\W\d_]+")
# Function words are so frequent that the first few thousand characters decide as well as the whole text.
_SAMPLE_CHARS = 6000
# Below this many stopword hits the text is too short (or too foreign) to name a language.
_MIN_HITS = 3
# The winner must beat the runner-up by this factor, or the guess is not reliable (e.g. Danish vs Norwegian).
_MIN_RATIO = 1.2


def normalise_language(code: str | None) -> str | None:
    """'en-GB', 'EN', 'en_us' -> 'en'; None or '' -> None; anything not a 2-3 letter code -> None."""
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-")[0]
    return base if 2 <= len(base) <= 3 and base.isalpha() else None


def guess_language(text: str) -> str | None:
    """The ISO 639-1 code of the language of `text`, or None when it cannot be told with confidence."""
    counts = dict.fromkeys(_STOPWORDS, 0)
    for token in _TOKEN.findall(text[:_SAMPLE_CHARS].casefold()):
        for code in _LANGUAGES_OF.get(token, ()):
            counts[code] += 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    (best, hits), (_, second) = ranked[0], ranked[1]
    if hits < _MIN_HITS or hits < second * _MIN_RATIO:
        if best in ("da", "no") and ranked[1][0] in ("da", "no"):
            return best if hits > second else None
        return None
    return best
