"""From a prompt to tokens, and which language it is written in.

Latin, Cyrillic, Hangul and Devanagari text is split at spaces and
punctuation; Chinese and Japanese runs (written without spaces) are cut by
longest match against the vocabulary. Clause punctuation stays as a token
("," ends the reach of "not"). English contractions join ("isn't" -> "isnt"),
Romance elisions drop ("d'homme" -> "homme", "n'" -> "ne").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from voicesmith.design.vocabulary import Vocabulary

CLAUSE_MARKS = frozenset(".,;:!?()/、。，！？；：（）")
_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ー"
_TOKEN_RE = re.compile(
    rf"[{_CJK}]+"                                   # a Chinese/Japanese run
    r"|\d+(?:s|th|ish)?"                            # 7, 70s
    r"|(?:[^\W\d_]|[\u0900-\u097f])+(?:['’`](?:[^\W\d_]|[\u0900-\u097f])+)*"  # words
    r"|[.,;:!?()/、。，！？；：（）]")
_ENGLISH_CLITICS = frozenset({"t", "s", "ll", "re", "ve", "d", "m"})
_ELISIONS = frozenset({"l", "d", "qu", "j", "m", "t", "s", "c", "dell", "dall", "nell", "sull",
                       "all", "un", "quest", "quell", "nessun", "sant", "bell", "lorsqu",
                       "puisqu", "jusqu"})
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_DEVANAGARI = re.compile(r"[\u0900-\u097f]")


def normalize(text: str) -> str:
    # NFKC folds full-width letters and digits ("７０歳") into plain ones.
    return unicodedata.normalize("NFKC", text).lower()


def _join_apostrophe(word: str) -> list[str]:
    parts = re.split(r"['’`]", word)
    if len(parts) == 1:
        return parts
    if parts[0] in ("n", "d"):  # "n'est" reads a negation, "d'une" keeps its "of"
        return [parts[0] + "e", *_join_apostrophe("'".join(parts[1:]))]
    if parts[0] in _ELISIONS and parts[1] not in _ENGLISH_CLITICS:
        return _join_apostrophe("'".join(parts[1:]))
    return ["".join(parts)]  # "isn't" -> "isnt", "queen's" -> "queens"


def detect_language(text: str, vocabularies: Mapping[str, Vocabulary]) -> str:
    """The prompt's language: by script, then by the words each language knows."""
    if _HANGUL.search(text):
        return "ko"
    if _KANA.search(text):
        return "ja"
    if _HAN.search(text):
        return "zh"
    if _CYRILLIC.search(text):
        return "ru"
    if _DEVANAGARI.search(text):
        return "hi"
    words = [w for t in _TOKEN_RE.findall(text) for w in _join_apostrophe(t) if w[0].isalpha()]
    best, best_score = "en", 0.0
    for code, vocab in vocabularies.items():
        if vocab.segment or code in ("ko", "ru", "hi"):
            continue
        score = sum(1.0 for w in words if w in vocab.forms)
        score += 0.5 if code == "en" else 0.0  # a tie (names, numbers) reads as English
        if score > best_score:
            best, best_score = code, score
    return best


def _segment(run: str, keys: Mapping[str, int], longest: int) -> list[str]:
    out: list[str] = []
    unknown = ""
    i = 0
    while i < len(run):
        for length in range(min(longest, len(run) - i), 0, -1):
            if run[i:i + length] in keys:
                if unknown:
                    out.append(unknown)
                    unknown = ""
                out.append(run[i:i + length])
                i += length
                break
        else:
            unknown += run[i]
            i += 1
    if unknown:
        out.append(unknown)
    return out


_KEYS_CACHE: dict[tuple[str, int], tuple[dict[str, int], int]] = {}


def _segment_keys(language: str, vocabularies: Mapping[str, Vocabulary]
                  ) -> tuple[dict[str, int], int]:
    """Chinese and Japanese keys for longest match, the prompt's language winning a tie."""
    cache_key = (language, id(vocabularies))
    if cache_key not in _KEYS_CACHE:
        keys: dict[str, int] = {}
        # a Chinese or Japanese prompt is cut with its own words only
        for code in ((language,) if language in ("zh", "ja") else ("ja", "zh")):
            vocab = vocabularies.get(code)
            if vocab is not None and vocab.segment:
                keys.update(vocab.segment_keys)
        _KEYS_CACHE[cache_key] = keys, max(keys.values(), default=1)
    return _KEYS_CACHE[cache_key]


def tokenize(text: str, language: str, vocabularies: Mapping[str, Vocabulary]) -> list[str]:
    """The prompt's tokens (already normalized text), words and clause marks."""
    keys, longest = _segment_keys(language, vocabularies)
    tokens: list[str] = []
    for raw in _TOKEN_RE.findall(text):
        if _HAN.match(raw) or _KANA.match(raw) or raw[0] in "々〆ー":
            tokens.extend(_segment(raw, keys, longest))
        elif raw[0].isalpha() or _DEVANAGARI.match(raw):
            tokens.extend(_join_apostrophe(raw))
        else:
            tokens.append(raw)
    return [t for t in tokens if t]
