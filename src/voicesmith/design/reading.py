"""Reading a prompt: words, phrases, modifiers, ages and the mentions they make.

``read_prompt`` finds the prompt's language, cuts it into tokens and walks
them left to right, longest known phrase first (the prompt's language, then
English, then the other languages' exact forms), carrying intensifiers and
negation to the next trait word, and collects every mention in ``Mentions``;
``traits.parse_prompt`` then applies the rules that turn mentions into traits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from voicesmith.design.ages import AgeReading, early_late
from voicesmith.design.lexicon import Effect
from voicesmith.design.mentions import Mentions
from voicesmith.design.spelling import correct
from voicesmith.design.tokens import CLAUSE_MARKS, detect_language, normalize, tokenize
from voicesmith.design.vocabulary import Entry, Vocabulary, vocabularies

MAX_TOKENS = 400  # a prompt is at most a few sentences; the rest is not read (noted)
# The English row whose implied effects an age in years brings along.
# (suffix, what may replace it); "<" drops a doubled consonant ("bigger" -> "big")
_SUFFIXES = (("ily", ("y",)), ("ly", ("", "le", "e")), ("iest", ("y",)), ("est", ("", "e", "<")),
             ("ier", ("y",)), ("er", ("", "e", "<")), ("iness", ("y",)), ("ness", ("",)),
             ("s", ("",)))
# the word for an accent, which carries nothing alone; a strength before it
# ("avec un fort accent") says how strong the accent named elsewhere is
_ACCENT_NOUNS = frozenset(["accent", "accents", "acento", "accento", "akzent", "sotaque",
                           "акцент", "акцентом"])
_OR = frozenset(["or", "nor", "ni", "o", "ou", "nem", "né", "oder", "noch", "или", "ни", "또는", "或", "或者", "也不", "も"])
_OF = frozenset({"de", "di", "da", "do", "of", "von"})
_TO = frozenset({"to", "for", "à", "aux", "pour", "para", "für", "per", "ai", "alle", "для"})
def read_prompt(text: str) -> Mentions:
    """Every mention in ``text``."""
    vocabs = vocabularies()
    norm = normalize(text)
    language = detect_language(norm, vocabs)
    state = Mentions(language=language if language in vocabs else "en")
    tokens = tokenize(norm, state.language, vocabs)
    if len(tokens) > MAX_TOKENS:
        state.notes.append(f"only the first {MAX_TOKENS} words were read")
        tokens = tokens[:MAX_TOKENS]
    primary = vocabs[state.language]
    # Chinese and Japanese share characters: a prompt in one is not read with
    # the other's words (大切 is not 大, "loud")
    order = [primary] + [v for code, v in vocabs.items()
                         if code != state.language and not (primary.segment and v.segment)]
    _Reader(tokens, order, state).run()
    return state


class _Reader(AgeReading):
    """One left-to-right pass over the tokens."""

    def __init__(self, tokens: list[str], order: Sequence[Vocabulary], state: Mentions) -> None:
        self.tokens, self.order, self.state = tokens, order, state
        # the prompt's language and English are matched by stem too; others exactly
        # the prompt's language and English know its modifiers; only the
        # prompt's language is matched by stem (an English stem meets German "die")
        self.close = [v for v in order if v is order[0] or v.language == "en"]
        self.mult, self.negated, self.modifiers = 1.0, False, list[str]()
        self.article: str | None = None  # "une ...": the gender of the person noun to come
        self.head = True  # still in the clause's opening words ("Junge Amerikanerin, ...")
        self.speaking = False  # right after "speaks"/"parle"/"spricht": a language, not an accent
        self.audience = False  # right after "to"/"for": the listeners, not the speaker

    def reset(self) -> None:
        self.mult, self.negated, self.modifiers = 1.0, False, []

    def run(self) -> None:
        self._correct_spelling()
        i = 0
        while i < len(self.tokens):
            tok = self.tokens[i]
            if tok in CLAUSE_MARKS or self._in("boundaries", tok):
                self.reset()
                self.article, self.head = None, True
                i += 1
                continue
            previous = self.tokens[i - 1] if i else ""
            self.speaking = self._in("speak_verbs", previous) or (
                i > 1 and self._in("speak_verbs", self.tokens[i - 2]))
            self.audience = previous in _TO or (i > 1 and self.tokens[i - 2] in _TO)
            step = self._age(i) or self._phrase(i)
            if step:
                i += step
                continue
            if tok in self.order[0].articles and (self.head or self.tokens[i - 1] in _OF):
                # a clause that opens "Une ..." describes the person ("Une Italienne de
                # 45 ans"), and so does "the voice of a ..." ("d'une infirmière")
                self.article = self.order[0].articles[tok]
                i += 1
                continue
            if self._in("negations", tok):
                self.negated = True
                self.modifiers.append(tok)
            elif (lemma := _lemma(tok, self.order)) is not None:
                self._apply(lemma, tok, i + 1)
            elif self._decade_position(tok) is not None:
                self.modifiers.append(tok)  # "early forties", "Anfang 20": read with the age
            elif self._in("stopwords", tok) or self._in("postnegations", tok):
                self.article, self.head = None, False  # "une voix": not a person's article
            elif (gender := self._person(tok)) is not None:
                self.state.apply((Effect("gender", gender, implied=True),), 1.0, False, tok)
                self.head = False
            elif not tok.isdecimal():
                self.state.ignored.append(tok)
                self.reset()  # "very unusual deep voice": "very" went to "unusual"
                self.head = False
            i += 1

    def _phrase(self, i: int) -> int:
        """A trait phrase or an intensifier at ``i``: how many tokens it took (0: none)."""
        tokens, tok = self.tokens, self.tokens[i]
        # A word of the prompt's language that carries nothing (Italian "sono")
        # is only a phrase if that language's own rows say so, word for word.
        primary = self.order[0]
        stop = tok in primary.stopwords
        # a word the prompt's language knows is read as that language's word
        own = stop or tok in primary.forms
        searched = [primary] if own else self.order
        best: tuple[int, Entry, bool] | None = None
        for vocab in searched:
            found = vocab.match(tokens, i, fuzzy=vocab is primary and not stop)
            if found and (best is None or found.length > best[0]):
                best = (found.length, vocab.entries[found.key], found.exact)
        intensifier = max((f for v in ([primary] if stop else self.close)
                           if (f := v.intensifier(tokens, i))),
                          default=None, key=lambda f: f[0])
        if (strength := self._accent_strength(tok)) is not None \
                and self._accent_follows(i + 1):
            # "a strong British accent": how strong the accent is, not energy
            self.mult *= strength
            self.modifiers.append(tok)
            if self._bare_accent_follows(i + 1):  # "an Italian ... with a strong accent"
                self.state.strengthen_accent(self.mult, tok)
                self.reset()
            return 1
        # an intensifier as written beats a trait word found by its stem
        # ("profundamente" is "deeply", not "deep")
        if best and (intensifier is None or best[0] > intensifier[0]
                     or (best[0] == intensifier[0] and best[2])):
            if best[1].marker == "negations":
                self.negated = True
                self.modifiers.append(" ".join(tokens[i:i + best[0]]))
            elif best[1].marker == "boundaries":
                self.reset()
            elif best[1].marker is None and best[1].effects:
                self._apply(best[1], " ".join(tokens[i:i + best[0]]), i + best[0])
                return best[0] + self._postnegated
            else:  # a phrase that carries nothing ("com sotaque") ends the opening words
                self.article, self.head = None, False
            return best[0]
        if intensifier:
            if self._entry_overlaps(i, intensifier[0]):
                return 1  # "a little girl": "little girl" wins over "a little"
            self.mult *= intensifier[1]
            self.modifiers.extend(tokens[i:i + intensifier[0]])
            return intensifier[0]
        return 0

    def _apply(self, entry: Entry, words: str, after: int) -> None:
        if any(e.kind == "years" for e in entry.effects) and self.modifiers:
            # "early forties" = 42, "late sixties" = 68
            entry = Entry(tuple(Effect(e.kind, float(early_late(int(float(e.value)),
                                                                 self.modifiers,
                                                                 self._decade_position)))
                                if e.kind == "years" else e for e in entry.effects),
                          entry.persona, entry.own)
        years = next((int(float(e.value)) for e in entry.effects if e.kind == "years"), None)
        if years is not None:  # "in his eighties" brings what "elderly" implies (slower)
            entry = Entry((*entry.effects, *self._band_implied(years)), entry.persona, entry.own)
        # Japanese and Korean negate after the word: "速くない", "빠르지 않은"
        self._postnegated = 0
        for j in range(after, min(after + 2, len(self.tokens))):
            if self._in("postnegations", self.tokens[j]):
                self.negated, self._postnegated = True, j - after + 1
                break
            if not self._in("stopwords", self.tokens[j]):
                break
        kinds = {e.kind for e in entry.effects}
        person = entry.persona or kinds & {"accent", "age", "style"}
        if self.speaking and "accent" in kinds:
            # "an Italian who speaks French": French is the language, not the accent
            entry = Entry(tuple(replace(e, implied=True) if e.kind == "accent" else e
                                for e in entry.effects), entry.persona, entry.own)
        if person and "gender" not in kinds \
                and (gender := self._person(words.split()[0], known=True)) is not None:
            # "une Italienne", "Narrateur de documentaire": the person's gender
            entry = Entry((*entry.effects, Effect("gender", gender, implied=True)),
                          entry.persona, entry.own)
        if person or "gender" in kinds:
            self.article = None
        if "age" in kinds and self.audience and self.state.ages:
            # "a kindly old nurse who talks to scared kids": the listeners' age
            entry = Entry(tuple(e for e in entry.effects if e.kind not in ("age", "years")),
                          entry.persona, entry.own)
        if entry.persona:
            self.state.personas.append(entry.persona)
        self.state.apply(entry.effects, self.mult, self.negated,
                         " ".join([*self.modifiers, words]))
        if "accent" in kinds:
            self._trailing_accent_strength(after + self._postnegated)
        # "not too high or too low": the negation covers both
        carry = self.negated and after < len(self.tokens) and self.tokens[after] in _OR
        self.reset()
        if carry:
            self.negated, self.modifiers = True, ["(not)"]

    _postnegated = 0

    def _entry_overlaps(self, start: int, length: int) -> bool:
        """Whether a trait phrase begins inside tokens[start:start+length] and runs past it."""
        for j in range(start + 1, start + length):
            for vocab in self.close:
                found = vocab.match(self.tokens, j, fuzzy=False)
                if found and j + found.length > start + length:
                    return True
        return False

    def _trailing_accent_strength(self, j: int) -> None:
        """"acento francés (muy) fuerte", "accent français léger": the strength
        follows the accent; its words are taken here, not read as traits."""
        if j >= len(self.tokens):
            return
        strength = self._accent_strength(self.tokens[j])
        k = j
        intensifier = next((f for v in self.close if (f := v.intensifier(self.tokens, j))), None)
        if intensifier and j + intensifier[0] < len(self.tokens) and (
                after := self._accent_strength(self.tokens[j + intensifier[0]])) is not None:
            k, strength = j + intensifier[0], after * intensifier[1]  # "muy fuerte"
        if strength is not None:
            self.state.strengthen_accent(strength, " ".join(self.tokens[j:k + 1]))
            self._postnegated += k + 1 - j

    def _bare_accent_follows(self, start: int) -> bool:
        """Whether the word "accent" comes next with no language after it."""
        rest = [t for t in self.tokens[start:start + 4] if not self._in("stopwords", t)
                or t in _ACCENT_NOUNS]
        return bool(rest) and rest[0] in _ACCENT_NOUNS and not (
            len(rest) > 1 and self._accent_follows(self.tokens.index(rest[1], start)))

    def _accent_strength(self, tok: str) -> float | None:
        """How strong an accent ``tok`` says it is ("strong" 1.5), if it says so."""
        return next((v.accent_adjectives[tok] for v in self.close
                     if tok in v.accent_adjectives), None)

    def _accent_follows(self, start: int) -> bool:
        """Whether an accent comes next ("a strong British accent"): then
        "strong"/"heavy" qualify the accent instead of asking for energy."""
        for tok in self.tokens[start:start + 3]:
            found = self.order[0].match(self.tokens, self.tokens.index(tok, start), fuzzy=True)
            effects = self.order[0].entries[found.key].effects if found else ()
            if any(e.kind == "accent" for e in effects) or tok == "accent":
                return True
            if not self._in("stopwords", tok) and self._accent_strength(tok) is None:
                return False  # "a very strong, heavy Spanish accent" reads on
        return False

    def _person(self, word: str, known: bool = False) -> str | None:
        """The gender of a word that names a person: from the article before it
        ("une standardiste") or, among a clause's opening words, from its
        ending ("Présentatrice du journal", "Japanische Touristin")."""
        article, self.article = self.article, None
        if article is not None:
            return article
        if not self.head:
            return None
        # a known role word's ending is read only when it is a real suffix
        # ("narrateur", "americano"), never a bare "-a" ("pirata")
        return self.order[0].person_gender(word, min_suffix=2 if known else 1)

    def _known(self, i: int) -> bool:
        tok = self.tokens[i]
        return (not tok.isalpha() or self._decade_position(tok) is not None or any(
            tok in v.forms or tok in v.age_units or tok in v.postnegations
            or v.match(self.tokens, i, fuzzy=True) for v in self.close)
            or _lemma(tok, self.order) is not None)

    def _correct_spelling(self) -> None:
        """Before reading: words nobody knows that are one slip from a known one."""
        forms = [v.forms | v.age_units for v in self.close if not v.segment]
        for i, tok in enumerate(self.tokens):
            if self._known(i):
                continue
            fixed = correct(tok, self.state.language, forms)
            if fixed is not None:
                self.state.corrections.append(f"{tok} -> {fixed}")
                self.tokens[i] = fixed


def _lemma(word: str, order: Sequence[Vocabulary]) -> Entry | None:
    """A known English word this one is formed from: "nervously" -> "nervous",
    "huskier" -> "husky", "gentler" -> "gentle", "calmness" -> "calm"."""
    english = next((v for v in order if v.language == "en"), None)
    if english is None:
        return None
    for suffix, replacements in _SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)]
            for tail in replacements:
                candidate = stem + tail if tail != "<" else stem[:-1]
                if (candidate,) in english.entries:
                    return english.entries[(candidate,)]
    return None
