"""Reading a prompt: words, phrases, modifiers and the mentions they make.

``read_prompt`` walks the tokens left to right, longest known phrase first,
carrying intensifiers and negation to the next trait word, and collects every
mention in a ``Mentions``; ``traits.parse_prompt`` then applies the rules
that turn mentions into traits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from voicesmith.design.lexicon import (
    AXES,
    BOUNDARIES,
    CJK_WORDS,
    INTENSIFIERS,
    NEGATIONS,
    STOPWORDS,
    TRAIT_WORDS,
    Effect,
)
from voicesmith.engine.languages import (
    AMERICAN_ENGLISH,
    BRITISH_ENGLISH,
    CHINESE,
    FRENCH,
    HINDI,
    ITALIAN,
    JAPANESE,
    PORTUGUESE,
    SPANISH,
    Language,
)

NEGATED_STRENGTH = 0.3
IMPLIED_GENDER_WEIGHT = 0.7
MAX_PHRASE = 4
ACCENTS: dict[str, Language] = {
    "american": AMERICAN_ENGLISH, "british": BRITISH_ENGLISH, "spanish": SPANISH,
    "french": FRENCH, "hindi": HINDI, "italian": ITALIAN, "japanese": JAPANESE,
    "portuguese": PORTUGUESE, "chinese": CHINESE,
}
# (suffix, what may replace it); "<" drops a doubled consonant ("bigger" -> "big")
_SUFFIXES = (("ily", ("y",)), ("ly", ("", "le", "e")), ("iest", ("y",)), ("est", ("", "e", "<")),
             ("ier", ("y",)), ("er", ("", "e", "<")), ("iness", ("y",)), ("ness", ("",)),
             ("s", ("",)))
_ACCENT_ADJECTIVES = frozenset("strong heavy thick light mild faint slight".split())


def split_words(text: str) -> list[str]:
    # Apostrophes go ("isn't" -> "isnt", "queen's" -> "queens"); hyphens split
    # ("high-pitched" -> "high pitched"); digits drop out (ages are read before).
    text = re.sub(r"['’`]", "", text.lower())
    return re.findall(r"(?:[^\W\d_]|[\u0900-\u097f])+|[.,;:!?()/]", text)


def _parse_spec(spec: str) -> tuple[Effect, ...]:
    effects = []
    for item in spec.split():
        if ":" in item:
            kind, label = item.split(":", 1)
            effects.append(Effect(kind, label))
            continue
        kind, op, value = re.split(r"([=~])", item, maxsplit=1)
        parsed: float | str = value if kind in ("gender", "age", "accent") else float(value)
        effects.append(Effect(kind, parsed, implied=op == "~"))
    return tuple(effects)


def _build_entries() -> dict[tuple[str, ...], tuple[Effect, ...]]:
    entries: dict[tuple[str, ...], tuple[Effect, ...]] = {}
    for words, spec in TRAIT_WORDS.items():
        effects = _parse_spec(spec)
        for word in words.split("|"):
            entries[tuple(split_words(word))] = effects
    return entries


ENTRIES = _build_entries()
_INTENSIFIERS = {tuple(split_words(k)): v for k, v in INTENSIFIERS.items()}
_CJK = sorted(CJK_WORDS.items(), key=lambda kv: -len(kv[0]))
# Particles and "voice"/"speaking" in Chinese and Japanese: not worth reporting.
_CJK_FILLER = re.compile(r"[声音的のなでとがはをにで一个位说话的です、。，！？]+")
_AGE_RE = re.compile(
    r"\b(\d{1,3})\s*[- ]?\s*(?:years?|yrs?)\s*[- ]?\s*old\b|\b(?:in\s+(?:his|her|their)\s+)?"
    r"(?:early\s+|mid\s+|late\s+)?(\d)0s\b", re.IGNORECASE)


def _age_of_years(years: int) -> str:
    for limit, age in ((13, "child"), (20, "teen"), (30, "young"), (45, "adult"),
                       (65, "middle-aged")):
        if years < limit:
            return age
    return "elderly"


@dataclass
class Mentions:
    """Everything collected while reading a prompt."""

    axes: dict[str, list[tuple[float, bool, bool, str]]] = field(
        default_factory=lambda: {a: [] for a in AXES})  # (value, implied, negated, phrase)
    gender_votes: list[tuple[str, float, str]] = field(default_factory=list)
    ages: list[tuple[str, str]] = field(default_factory=list)
    accents: list[tuple[str, str]] = field(default_factory=list)
    labels: dict[str, dict[str, float]] = field(
        default_factory=lambda: {"emotion": {}, "timbre": {}, "style": {}})
    matched: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def apply(self, effects: tuple[Effect, ...], mult: float, negated: bool, phrase: str) -> None:
        self.matched.append(phrase)
        for e in effects:
            if negated and e.implied:
                continue  # "not calm" says nothing about pace
            if e.kind in AXES:
                value = -NEGATED_STRENGTH * float(e.value) if negated else float(e.value) * mult
                self.axes[e.kind].append((value, e.implied, negated, phrase))
            elif e.kind == "gender":
                self._gender(str(e.value), e.implied, negated, phrase)
            elif e.kind == "age":
                if negated:
                    self.notes.append(f"'{phrase}': a negated age has no effect")
                else:
                    self.ages.append((str(e.value), phrase))
            elif e.kind == "accent":
                self._accent(str(e.value), negated, phrase)
            else:  # a label: keep the strongest mention
                strength = -NEGATED_STRENGTH if negated else min(mult, 2.0)
                group = self.labels[e.kind]
                if abs(strength) >= abs(group.get(str(e.value), 0.0)):
                    group[str(e.value)] = strength

    def _gender(self, value: str, implied: bool, negated: bool, phrase: str) -> None:
        if negated:
            other = {"female": "male", "male": "female"}.get(value)
            if other:
                self.gender_votes.append((other, 0.6, phrase))
            return
        self.gender_votes.append((value, IMPLIED_GENDER_WEIGHT if implied else 1.0, phrase))

    def _accent(self, value: str, negated: bool, phrase: str) -> None:
        name = value.removesuffix("-approx")
        if value == "unsupported":
            self.notes.append(f"'{phrase}': no stock voices for that accent or language; ignored")
            return
        if negated:
            name = {"british": "american", "american": "british"}.get(name, "")
            if not name:
                self.notes.append(f"'{phrase}': a negated accent has no effect")
                return
        elif value.endswith("-approx"):
            self.notes.append(f"'{phrase}': no stock voices with that accent; "
                              f"approximated by {ACCENTS[name].name} voices")
        self.accents.append((name, phrase))


def read_prompt(text: str) -> Mentions:
    """Every mention in ``text``: ages in numbers, CJK words, then the words."""
    state = Mentions()
    for match in _AGE_RE.finditer(text):
        years = int(match.group(1)) if match.group(1) else int(match.group(2)) * 10 + 5
        state.ages.append((_age_of_years(years), match.group(0).strip()))
        state.matched.append(match.group(0).strip())
    text = _AGE_RE.sub(" ", text)
    for word, spec in _CJK:
        while word in text:
            state.apply(_parse_spec(spec), 1.0, False, word)
            text = text.replace(word, " ", 1)
    _read_words(split_words(_CJK_FILLER.sub(" ", text)), state)
    return state


def _read_words(tokens: list[str], state: Mentions) -> None:
    mult, negated = 1.0, False
    modifiers: list[str] = []

    def reset() -> None:
        nonlocal mult, negated, modifiers
        mult, negated, modifiers = 1.0, False, []

    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if not tok[0].isalpha() or tok in BOUNDARIES:
            reset()
            i += 1
            continue
        for length in range(min(MAX_PHRASE, len(tokens) - i), 0, -1):
            phrase = tuple(tokens[i:i + length])
            if length == 1 and tok in _ACCENT_ADJECTIVES and _accent_follows(tokens, i + 1):
                mult *= _INTENSIFIERS.get(phrase, 1.0)
                modifiers.append(tok)
                break
            if phrase in ENTRIES:
                words = " ".join([*modifiers, *phrase])
                state.apply(ENTRIES[phrase], mult, negated, words)
                # "not too high or too low": the negation covers both
                carry = negated and tokens[i + length:i + length + 1] in (["or"], ["nor"])
                reset()
                if carry:
                    negated, modifiers = True, ["(not)"]
                break
            if phrase in _INTENSIFIERS:
                if _phrase_overlaps(tokens, i, length):
                    length = 1  # "a little girl": "little girl" wins over "a little"
                    break
                mult *= _INTENSIFIERS[phrase]
                modifiers.extend(phrase)
                break
        else:
            length = 1
            if tok in NEGATIONS:
                negated = True
                modifiers.append(tok)
            elif (lemma := _lemma(tok)) is not None:
                state.apply(ENTRIES[(lemma,)], mult, negated, " ".join([*modifiers, tok]))
                reset()
            elif tok not in STOPWORDS:
                state.ignored.append(tok)
                reset()  # "very unusual deep voice": "very" went to "unusual"
        i += length


def _lemma(word: str) -> str | None:
    """A known word this one is formed from: "nervously" -> "nervous",
    "huskier" -> "husky", "gentler" -> "gentle", "calmness" -> "calm"."""
    for suffix, replacements in _SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)]
            for tail in replacements:
                candidate = stem + tail if tail != "<" else stem[:-1]
                if (candidate,) in ENTRIES:
                    return candidate
    return None


def _phrase_overlaps(tokens: list[str], start: int, length: int) -> bool:
    """Whether a trait phrase begins inside tokens[start:start+length] and runs past it."""
    for j in range(start + 1, start + length):
        for n in range(start + length - j + 1, MAX_PHRASE + 1):
            if tuple(tokens[j:j + n]) in ENTRIES and j + n <= len(tokens):
                return True
    return False


def _accent_follows(tokens: list[str], start: int) -> bool:
    """Whether an accent comes next ("a strong British accent"): then
    "strong"/"heavy" qualify the accent instead of asking for energy."""
    for tok in tokens[start:start + 3]:
        effects = ENTRIES.get((tok,), ())
        if any(e.kind == "accent" for e in effects) or tok == "accent":
            return True
        if tok not in STOPWORDS:
            return False
    return False
