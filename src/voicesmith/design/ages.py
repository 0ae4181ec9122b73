"""Ages written as numbers: "seven years old", "a 7-year-old", "in her late sixties",
"35-40", "Teenager, 16,", "Anfang 20", "70歳", "50代", "лет 70", "七十多岁".

A mixin of the prompt reader (``reading._Reader``): it reads the same tokens
and vocabularies, and records an age in years (with the implied traits of
its band) through the reader's mentions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from voicesmith.design.lexicon import Effect, age_band
from voicesmith.design.mentions import Mentions
from voicesmith.design.tokens import CLAUSE_MARKS
from voicesmith.design.vocabulary import Vocabulary

_BAND_WORDS = {"child": ("child",), "teen": ("teen",), "young": ("young",), "adult": ("adult",),
               "middle-aged": ("middle", "aged"), "elderly": ("elderly",)}
_APPROXIMATE = frozenset(["about", "around", "roughly", "approximately", "aged", "age", "nearly", "almost", "over", "under", "maybe", "perhaps", "circa"])
_PLUS_FIVE = frozenset({"something", "ish", "odd", "多", "余", "几", "여"})
_OLD = frozenset({"old", "aged", "of", "age"})
_IS = frozenset({"is", "hes", "shes", "im", "aged", "age", "est", "ist", "tiene", "tem", "ha"})
_EARLY_LATE = {"early": -3, "mid": 0, "middle": 0, "late": 3}
_CJK_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
               "九": 9}




class AgeReading:
    """The age-reading half of the prompt reader."""

    tokens: list[str]
    order: Sequence[Vocabulary]
    close: list[Vocabulary]
    state: Mentions
    modifiers: list[str]
    negated: bool

    def _in(self, attr: str, tok: str) -> bool:
        """Whether a word is in that list of the prompt's language or English."""
        return any(tok in getattr(v, attr) for v in self.close)

    def reset(self) -> None:  # the reader's: forget pending modifiers
        raise NotImplementedError

    def _number(self, i: int) -> tuple[int, int] | None:
        tok = self.tokens[i]
        if tok and all(c in _CJK_DIGITS or c == "十" for c in tok):
            return 1, _cjk_number(tok)
        if tok.endswith(("s", "ish")) and tok.rstrip("sih").isdecimal():
            return 1, int(tok.rstrip("sih"))
        for vocab in self.close:
            if (found := vocab.number(self.tokens, i)) is not None:
                return found
        return None


    def _age(self, i: int) -> int:
        """An age in numbers or number words at ``i``: tokens taken (0: none)."""
        tokens = self.tokens
        if (self.state.language == "ru" and self._in("age_units", tokens[i])
                and i + 1 < len(tokens)):
            found = self._number(i + 1)  # Russian "лет 70": about seventy
            if found and 3 <= found[1] <= 110:
                self._years(found[1], " ".join(tokens[i:i + 1 + found[0]]))
                return 1 + found[0]
            return 0
        found = self._number(i)
        if found is None:
            return 0
        length, value = found
        j = i + length
        nxt = tokens[j] if j < len(tokens) else ""
        decade = tokens[i + length - 1].endswith("s") and tokens[i + length - 1][0].isdigit()
        if nxt in _PLUS_FIVE:  # "seventy-something", "七十多岁"
            value, j = value + 5, j + 1
            nxt = tokens[j] if j < len(tokens) else ""
        if self._in("decade_units", nxt):  # "50代", "20대"
            value, j, decade = value + 5, j + 1, False
        elif self._in("age_units", nxt):
            j += 1
            while j < len(tokens) and (tokens[j] in _OLD or self._means_old(j)):
                j += 1  # "seven years old", "30 Jahre alt": the age, not "old"
        elif decade or (value % 10 == 0 and 20 <= value and i > 0
                        and self._decade_position(tokens[i - 1]) is not None):
            value += 5 if value % 10 == 0 else 0
        elif (upto := self._number(j) if j < len(tokens) else None) and \
                value < upto[1] <= value + 15 and 13 <= value:
            value, j = (value + upto[1]) // 2, j + upto[0]  # "35-40": a range
        elif not (13 <= value <= 110 and (
                (i > 0 and (tokens[i - 1] in _APPROXIMATE | _IS
                            or self._in("approximate", tokens[i - 1])))
                or ((i == 0 or tokens[i - 1] in CLAUSE_MARKS)
                    and (j == len(tokens) or tokens[j] in CLAUSE_MARKS)))):
            return 0  # a number alone in its clause ("Teenager, 16, bored") is an age
        if not 1 <= value <= 110:
            return 0
        self._years(value, " ".join(tokens[i:j]))
        return j - i


    def _means_old(self, j: int) -> bool:
        found = self.order[0].match(self.tokens, j, fuzzy=True)
        entry = self.order[0].entries[found.key] if found and found.length == 1 else None
        return entry is not None and any(e.kind == "age" and e.value == "elderly"
                                         for e in entry.effects)


    def _decade_position(self, word: str) -> int | None:
        """-3 early, 0 mid, +3 late: "early", "Anfang", "fin de la"..."""
        if word in _EARLY_LATE:
            return _EARLY_LATE[word]
        return next((v.decade_positions[word] for v in self.close
                     if word in v.decade_positions), None)


    def _years(self, years: int, phrase: str) -> None:
        years = early_late(years, self.modifiers, self._decade_position)
        self.state.apply((Effect("years", float(years)), *self._band_implied(years)), 1.0,
                         self.negated, " ".join([*self.modifiers, phrase]))
        self.reset()

    def _band_implied(self, years: int) -> tuple[Effect, ...]:
        """What an age in years implies, as its band's word does ("in his eighties"
        is as slow as "elderly")."""
        english = self.order[0] if self.order[0].language == "en" else next(
            v for v in self.order if v.language == "en")
        return tuple(e for e in english.entries[_BAND_WORDS[age_band(years)]].effects
                     if e.implied)



def early_late(years: int, modifiers: list[str],
                position: Callable[[str], int | None] = _EARLY_LATE.get) -> int:
    """Moves a decade's middle ("forties": 45) to its early or late part."""
    shift = sum(position(m) or 0 for m in modifiers)
    return years + shift if shift and years % 10 == 5 else years


def _cjk_number(text: str) -> int:
    """"七十" -> 70, "十五" -> 15, "八" -> 8, "七十五" -> 75."""
    if "十" not in text:
        return _CJK_DIGITS.get(text[-1], 0)
    tens, _, units = text.partition("十")
    return (_CJK_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CJK_DIGITS.get(units, 0)
                                                            if units else 0)
