"""The prompt vocabulary: the data files beside this module, loaded once.

One ``<code>.toml`` a prompt language and ``personas.toml`` (see README.md
here for the format). ``vocabularies()`` returns every language, English
first; ``personas()`` the persona bundles. Each form is indexed three ways
(exact token tuple, Snowball stem tuple, ``*`` prefix pattern) so that
``Vocabulary.match`` finds the longest phrase at a position in one call.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from importlib import resources
from typing import Any, NamedTuple

import snowballstemmer  # type: ignore[import-untyped]

from voicesmith.design.lexicon import LABEL_KINDS, Effect, parse_effects

LANGUAGE_FILES = ("en", "es", "fr", "de", "it", "pt", "ru", "zh", "ja", "ko", "hi")
MAX_PHRASE = 5
_PREFIX_MIN = 2  # a "*" pattern needs at least this many characters before the star


@dataclass(frozen=True)
class Entry:
    """A known phrase: what it asks for, and the persona it names, if any."""

    effects: tuple[Effect, ...]
    persona: str | None = None
    own: bool = True  # a row of the language's file (not only a persona's alias)
    marker: str | None = None  # a phrase from the stopwords, negations or boundaries lists


class Match(NamedTuple):
    length: int  # tokens taken
    key: tuple[str, ...]  # the entry's phrase
    exact: bool  # every word as written (not by stem or prefix)


@dataclass
class Vocabulary:
    """One prompt language's words, with the indexes used to match them."""

    language: str
    stemmer_name: str
    segment: bool
    entries: dict[tuple[str, ...], Entry]
    intensifiers: dict[tuple[str, ...], float]
    negations: frozenset[str]
    postnegations: frozenset[str]
    boundaries: frozenset[str]
    stopwords: frozenset[str]
    numbers: dict[str, int]
    age_units: frozenset[str]
    decade_units: frozenset[str]
    # "strong" 1.5, "léger" 0.5: next to an accent, how strong it is (1.0: an accent)
    accent_adjectives: dict[str, float]
    approximate: frozenset[str]  # "about", "environ", "около": a bare number after it is an age
    articles: dict[str, str]  # "une" -> female: the gender of the person noun that follows
    speak_verbs: frozenset[str]  # "speaks", "parle": a language named next is not an accent
    decade_positions: dict[str, int]  # "anfang" -3, "mitte" 0, "ende" 3: where in a decade
    person_suffixes: tuple[tuple[str, str], ...]  # ("trice", "female"), longest first
    _stems: dict[str, str] = field(default_factory=dict)  # a cache: stemming is slow

    @cached_property
    def _stemmer(self) -> Any:
        return snowballstemmer.stemmer(self.stemmer_name) if self.stemmer_name else None

    def stem(self, token: str) -> str:
        if self._stemmer is None or len(token) < 4:
            return token
        stem = self._stems.get(token)
        if stem is None:
            if len(self._stems) > 100_000:  # bounded, whatever the prompts
                self._stems.clear()
            stem = self._stems[token] = str(self._stemmer.stemWord(token))
        return stem

    @cached_property
    def _stem_entries(self) -> dict[tuple[str, ...], tuple[str, ...]]:
        index: dict[tuple[str, ...], tuple[str, ...]] = {}
        if self._stemmer is None:
            return index
        # only the language's own rows: a persona alias from another language,
        # stemmed here, would catch common words (Spanish "que" as "queen")
        for phrase, entry in self.entries.items():
            if entry.own and not any(w.endswith("*") for w in phrase):
                index.setdefault(tuple(self.stem(w) for w in phrase), phrase)
        return index

    @cached_property
    def _prefix_entries(self) -> dict[str, list[tuple[str, ...]]]:
        """Phrases with a "*" word, by what their first token must start with
        (its first two characters, or the whole exact first word)."""
        index: dict[str, list[tuple[str, ...]]] = {}
        # longest first, in words then in letters: "남자아이*" before "남자*"
        for phrase in sorted(self.entries, key=lambda p: (len(p), len("".join(p))),
                             reverse=True):
            if any(w.endswith("*") for w in phrase):
                first = phrase[0]
                index.setdefault(first[:1] if first.endswith("*") else first, []).append(phrase)
        return index

    @cached_property
    def forms(self) -> frozenset[str]:
        """Every single word of this language's own rows (for spelling correction
        and language detection; persona aliases in other languages left out)."""
        words = {w for p, e in self.entries.items() if e.own for w in p if not w.endswith("*")}
        words |= {w for p in self.intensifiers for w in p}
        return frozenset(words | self.negations | self.stopwords | set(self.numbers))

    @cached_property
    def segment_keys(self) -> dict[str, int]:
        """Keys for longest-match segmentation (zh/ja), with their length."""
        keys = {" ".join(p) for p in self.entries} | {" ".join(p) for p in self.intensifiers}
        keys |= self.negations | self.postnegations | self.stopwords | set(self.numbers)
        keys |= self.age_units | self.decade_units | self.boundaries
        return {k.rstrip("*"): len(k.rstrip("*")) for k in keys if k and " " not in k}

    def person_gender(self, token: str, min_suffix: int = 1) -> str | None:
        """The gender a person noun's ending tells ("présentatrice": female)."""
        for suffix, gender in self.person_suffixes:
            if len(suffix) >= min_suffix and token.endswith(suffix) \
                    and len(token) > len(suffix) + 2:
                return gender or None  # "" : either ("turista", "cantante")
        return None

    def prepare(self) -> None:
        """Build every index now (stems, prefixes, forms) rather than on first use."""
        _ = self._stem_entries, self._prefix_entries, self.forms, self.segment_keys

    def match(self, tokens: Sequence[str], start: int, *, fuzzy: bool = True
              ) -> Match | None:
        """The longest known phrase at ``tokens[start]``. ``fuzzy`` also
        compares Snowball stems (off for languages other than the prompt's and
        English, where a stem could meet a foreign word)."""
        for length in range(min(MAX_PHRASE, len(tokens) - start), 0, -1):
            phrase = tuple(tokens[start:start + length])
            if phrase in self.entries:
                return Match(length, phrase, exact=True)
            if fuzzy and self._stemmer is not None:
                key = self._stem_entries.get(tuple(self.stem(w) for w in phrase))
                if key is not None:
                    return Match(length, key, exact=False)
            for pattern in self._prefix_candidates(tokens[start]):
                if len(pattern) == length and all(_word_matches(w, p, self, fuzzy)
                                                  for w, p in zip(phrase, pattern, strict=True)):
                    return Match(length, pattern, exact=False)
        return None

    def _prefix_candidates(self, token: str) -> list[tuple[str, ...]]:
        index = self._prefix_entries
        if not index:
            return []
        return [*index.get(token[:1], ()), *index.get(token, ())]

    def intensifier(self, tokens: Sequence[str], start: int) -> tuple[int, float] | None:
        for length in range(min(3, len(tokens) - start), 0, -1):
            value = self.intensifiers.get(tuple(tokens[start:start + length]))
            if value is not None:
                return length, value
        return None

    def _number_word(self, tokens: Sequence[str], start: int) -> tuple[int, int] | None:
        """The longest number key at ``start`` ("dix sept" before "dix")."""
        for length in range(min(4, len(tokens) - start), 0, -1):
            value = self.numbers.get(" ".join(tokens[start:start + length]))
            if value is not None:
                return length, value
        return None

    def number(self, tokens: Sequence[str], start: int) -> tuple[int, int] | None:
        """A number written in digits or words ("seventy five", "soixante et onze",
        "quatre vingt dix sept")."""
        tok = tokens[start] if start < len(tokens) else ""
        if tok.isdecimal():
            return (1, int(tok)) if len(tok) <= 4 else None
        first = self._number_word(tokens, start)
        if first is None:
            return None
        length, value = first
        while (nxt := self._number_word(tokens, start + length)) is not None:
            if nxt[1] in (20, 100) and 1 < value < 10:
                value *= nxt[1]  # "quatre vingt" = 80
            elif value >= 20 and value % 10 == 0 and nxt[1] < value and (nxt[1] < 20
                                                                         or value >= 100):
                value += nxt[1]  # tens then units; a joiner ("et", "y") is 0
            else:
                break
            length += nxt[0]
        return length, value


def _word_matches(token: str, form: str, vocab: Vocabulary, fuzzy: bool) -> bool:
    if form.endswith("*"):
        # two letters at least; one Hangul syllable is enough ("젊*")
        long_enough = len(form) > _PREFIX_MIN or not form[0].isascii()
        return long_enough and token.startswith(form[:-1])
    return token == form or (fuzzy and vocab.stem(token) == vocab.stem(form))


def _split_form(form: str, segment: bool) -> tuple[str, ...]:
    form = form.lower().strip()
    if segment:
        return tuple(form.split())  # CJK forms are one token each
    # the same normalisation as the tokenizer: hyphens split, apostrophes drop
    form = re.sub(r"['’`]", "", form.replace("-", " "))
    return tuple(w for w in form.split() if w)


def _resolve(spec: str, english: Mapping[tuple[str, ...], Entry] | None) -> tuple[Effect, ...]:
    effects: list[Effect] = []
    rest: list[str] = []
    for item in spec.split():
        if item.startswith("@"):
            key = tuple(item[1:].replace("_", " ").split())
            if english is None or key not in english:
                raise ValueError(f"unknown reference {item!r}")
            effects.extend(english[key].effects)
        else:
            rest.append(item)
    return (*effects, *parse_effects(" ".join(rest)))


def _with_persona(word: Entry | None, persona: Entry) -> Entry:
    """A persona named by a word the vocabulary also has ("narrator", "grandma"):
    the word's own effects, then the persona's for what the word does not say."""
    if word is None:
        return persona
    said = {(e.kind, e.value if e.kind in LABEL_KINDS else None) for e in word.effects}
    extra = tuple(e for e in persona.effects
                  if (e.kind, e.value if e.kind in LABEL_KINDS else None) not in said)
    return Entry((*word.effects, *extra), persona=persona.persona, own=word.own)


def _strings(data: Mapping[str, Any], key: str) -> frozenset[str]:
    return frozenset(str(w).lower() for w in data.get(key, ()))


def _load(data: Mapping[str, Any], english: Mapping[tuple[str, ...], Entry] | None,
          extra: Iterable[tuple[str, Entry]] = ()) -> Vocabulary:
    segment = bool(data.get("segment", False))
    entries: dict[tuple[str, ...], Entry] = {}
    references = english if english is not None else entries

    def add_row(forms: str, spec: str) -> None:
        entry = Entry(_resolve(spec, references))
        for form in forms.split("|"):
            if (key := _split_form(form, segment)):
                entries.setdefault(key, entry)

    deferred = []
    for forms, spec in data.get("words", {}).items():
        try:
            add_row(str(forms), str(spec))
        except ValueError:  # a reference to a phrase a later row of this file defines
            deferred.append((str(forms), str(spec)))
    for forms, spec in deferred:
        add_row(forms, spec)  # raises on a reference nothing defines
    for kind in ("stopwords", "negations", "boundaries"):
        for item in data.get(kind, ()):
            key = _split_form(str(item).replace("_", " "), segment)
            if len(key) > 1:  # "sin embargo", "тем не менее": one phrase
                entries.setdefault(key, Entry((), marker=kind))
    for form, persona in extra:
        if (key := _split_form(form, segment)):
            entries[key] = _with_persona(entries.get(key), persona)
    return Vocabulary(
        language=str(data["language"]), stemmer_name=str(data.get("stemmer", "")),
        segment=segment, entries=entries,
        intensifiers={_split_form(k, segment): float(v)
                      for k, v in data.get("intensifiers", {}).items()},
        negations=_strings(data, "negations"), postnegations=_strings(data, "postnegations"),
        boundaries=_strings(data, "boundaries"), stopwords=_strings(data, "stopwords"),
        numbers={" ".join(_split_form(str(k), segment)): int(v)
                 for k, v in data.get("numbers", {}).items()},
        age_units=_strings(data, "age_units"), decade_units=_strings(data, "decade_units"),
        accent_adjectives={str(k).lower(): float(v)
                           for k, v in data.get("accent_adjectives", {}).items()},
        approximate=_strings(data, "approximate"),
        articles={str(k).lower(): str(v) for k, v in data.get("articles", {}).items()},
        speak_verbs=_strings(data, "speak_verbs"),
        decade_positions={str(k).lower(): int(v)
                          for k, v in data.get("decade_positions", {}).items()},
        person_suffixes=tuple(sorted(((str(k).lower(), str(v))
                                      for k, v in data.get("person_suffixes", {}).items()),
                                     key=lambda kv: -len(kv[0]))),
    )


def _read(name: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)


@cache
def personas() -> dict[str, tuple[tuple[str, ...], str, tuple[Effect, ...]]]:
    """Persona name -> (aliases, description, effects)."""
    if not resources.files(__package__).joinpath("personas.toml").is_file():
        return {}
    data = _read("personas.toml").get("personas", {})
    # A persona's labels are defaults like its axis pushes: implied, so that the
    # prompt's own words win ("a husky narrator" is not also "clear").
    return {str(name): (tuple(str(a) for a in p.get("aliases", ())), str(p.get("description", "")),
                        tuple(replace(e, implied=True)
                              for e in parse_effects(str(p.get("effects", "")))))
            for name, p in data.items()}


def _persona_forms(english: bool) -> list[tuple[str, Entry]]:
    """Every persona's names; the canonical (English) name is an English word."""
    forms = []
    for name, (aliases, _, effects) in personas().items():
        alias = Entry(effects, persona=name, own=False)
        forms.append((name, Entry(effects, persona=name, own=english)))
        forms.extend((form, alias) for form in aliases)
    return forms


@cache
def vocabularies() -> dict[str, Vocabulary]:
    """Every prompt language's vocabulary, English first (the others refer to it)."""
    english = _load(_read("en.toml"), None, _persona_forms(english=True))
    persona_forms = _persona_forms(english=False)
    loaded = {"en": english}
    for code in LANGUAGE_FILES[1:]:
        if resources.files(__package__).joinpath(f"{code}.toml").is_file():
            loaded[code] = _load(_read(f"{code}.toml"), english.entries, persona_forms)
    for vocab in loaded.values():
        vocab.prepare()
    return loaded
