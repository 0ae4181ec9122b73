"""Languages: the names clients send, and the ones the engine can speak.

Telnyx clients send names ("English", "Auto") and ISO codes ("en", "en-GB").
Kokoro has stock voices for nine languages; a language it has no voice for is
an error that says so, never a silent fallback to English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from voicesmith.errors import UnsupportedLanguageError, ValidationError


@dataclass(frozen=True)
class Language:
    code: str  # our canonical code, BCP-47-ish: "en-us", "en-gb", "es", ...
    name: str  # human name, as Telnyx spells it where Telnyx has one
    espeak: str  # espeak-ng voice used for phonemization
    voice_prefix: str  # first letter of the stock voices' names

    @property
    def iso639_1(self) -> str:
        return self.code.split("-")[0]


AMERICAN_ENGLISH = Language("en-us", "English", "en-us", "a")
BRITISH_ENGLISH = Language("en-gb", "English (British)", "en-gb", "b")
SPANISH = Language("es", "Spanish", "es", "e")
FRENCH = Language("fr", "French", "fr-fr", "f")
HINDI = Language("hi", "Hindi", "hi", "h")
ITALIAN = Language("it", "Italian", "it", "i")
JAPANESE = Language("ja", "Japanese", "ja", "j")
PORTUGUESE = Language("pt-br", "Portuguese", "pt-br", "p")
CHINESE = Language("zh", "Chinese", "cmn", "z")

SUPPORTED: tuple[Language, ...] = (
    AMERICAN_ENGLISH, BRITISH_ENGLISH, SPANISH, FRENCH, HINDI,
    ITALIAN, JAPANESE, PORTUGUESE, CHINESE,
)
BY_PREFIX = {lang.voice_prefix: lang for lang in SUPPORTED}

_ALIASES: dict[str, Language] = {
    "english": AMERICAN_ENGLISH, "en": AMERICAN_ENGLISH, "en-us": AMERICAN_ENGLISH,
    "american english": AMERICAN_ENGLISH, "english (american)": AMERICAN_ENGLISH,
    "en-gb": BRITISH_ENGLISH, "en-uk": BRITISH_ENGLISH, "british english": BRITISH_ENGLISH,
    "english (british)": BRITISH_ENGLISH,
    "spanish": SPANISH, "es": SPANISH, "es-es": SPANISH, "es-mx": SPANISH, "español": SPANISH,
    "french": FRENCH, "fr": FRENCH, "fr-fr": FRENCH, "français": FRENCH,
    "hindi": HINDI, "hi": HINDI, "hi-in": HINDI,
    "italian": ITALIAN, "it": ITALIAN, "it-it": ITALIAN, "italiano": ITALIAN,
    "japanese": JAPANESE, "ja": JAPANESE, "ja-jp": JAPANESE,
    "portuguese": PORTUGUESE, "pt": PORTUGUESE, "pt-br": PORTUGUESE, "pt-pt": PORTUGUESE,
    "brazilian portuguese": PORTUGUESE,
    "chinese": CHINESE, "mandarin": CHINESE, "zh": CHINESE, "zh-cn": CHINESE, "cmn": CHINESE,
}

# Languages clients may name (Telnyx lists them) for which Kokoro has no voice.
_WITHOUT_VOICES: dict[str, str] = {
    "korean": "Korean", "ko": "Korean", "ko-kr": "Korean",
    "german": "German", "de": "German", "de-de": "German",
    "russian": "Russian", "ru": "Russian", "ru-ru": "Russian",
}

AUTO = "auto"

# Function words that are frequent in one Latin-script language and rare in the others.
_STOPWORDS: dict[Language, frozenset[str]] = {
    AMERICAN_ENGLISH: frozenset("the and is are you to of it that this with for was have".split()),
    SPANISH: frozenset("el la los las y es que de en un una por para con está muy".split()),
    FRENCH: frozenset("le la les et est que de des un une pour avec je vous nous très".split()),
    ITALIAN: frozenset("il lo la gli le e è che di un una per con sono molto questo".split()),
    PORTUGUESE: frozenset("o a os as e é que de um uma para com não você muito está".split()),
}


def accepted_values() -> list[str]:
    """The values of a request's ``language`` that resolve to a language with voices.

    Matching is case-insensitive and treats ``_`` as ``-``; these are the spellings
    the API documents.
    """
    names = sorted({lang.name for lang in SUPPORTED})
    return ["Auto", *names, *(key for key in _ALIASES if key not in {n.lower() for n in names})]


def supported_names() -> str:
    return ", ".join(["Auto", *sorted({lang.name for lang in SUPPORTED})])


def resolve_language(value: str | None, text: str = "", *, pointer: str = "/language") -> Language:
    """Map a client's language value to an engine language.

    ``None``, "" and "Auto" detect the language from ``text``.
    """
    key = (value or AUTO).strip().lower().replace("_", "-")
    if key == AUTO:
        return detect_language(text)
    if key in _ALIASES:
        return _ALIASES[key]
    if key in _WITHOUT_VOICES:
        raise UnsupportedLanguageError(
            f"{_WITHOUT_VOICES[key]} is not supported: the embedded engine has no "
            f"{_WITHOUT_VOICES[key]} voices. Supported languages: {supported_names()}.",
            pointer=pointer,
        )
    raise ValidationError(
        f"Unknown language {value!r}. Supported languages: {supported_names()}.",
        pointer=pointer,
    )


def detect_language(text: str) -> Language:
    """Guess the language of ``text``: by script first, then by function words."""
    if re.search(r"[\u3040-\u30ff]", text):  # hiragana / katakana
        return JAPANESE
    if re.search(r"[\u4e00-\u9fff]", text):
        return CHINESE
    if re.search(r"[\u0900-\u097f]", text):
        return HINDI
    if re.search(r"[\uac00-\ud7af]", text):
        return resolve_language("ko")  # raises: no Korean voices
    if re.search(r"[\u0400-\u04ff]", text):
        return resolve_language("ru")  # raises: no Russian voices
    words = re.findall(r"[^\W\d_]+", text.lower())
    scores = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    # English wins ties: it is the default when nothing points elsewhere.
    if scores[best] > scores[AMERICAN_ENGLISH]:
        return best
    return AMERICAN_ENGLISH
