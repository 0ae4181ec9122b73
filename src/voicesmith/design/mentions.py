"""What a prompt mentions: every trait word's effect, collected while reading.

``Mentions.apply`` records one phrase's effects with its strength and
negation; the small resolvers (``age``, ``accent``, ``label_group``) and
``traits.parse_prompt`` turn the collection into traits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from voicesmith.design.lexicon import AGES, AXES, LABEL_KINDS, Effect, age_band
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
MAX_STRENGTH = 2.0  # of a label, however many intensifiers stack
MAX_ACCENT_STRENGTH = 1.5 * MAX_STRENGTH
IMPLIED_GENDER_WEIGHT = 0.7
ACCENTS: dict[str, Language] = {
    "american": AMERICAN_ENGLISH, "british": BRITISH_ENGLISH, "spanish": SPANISH,
    "french": FRENCH, "hindi": HINDI, "italian": ITALIAN, "japanese": JAPANESE,
    "portuguese": PORTUGUESE, "chinese": CHINESE,
}


@dataclass
class Mentions:
    """Everything collected while reading a prompt."""

    axes: dict[str, list[tuple[float, bool, bool, str]]] = field(
        default_factory=lambda: {a: [] for a in AXES})  # (value, implied, negated, phrase)
    gender_votes: list[tuple[str, float, str]] = field(default_factory=list)
    negated_genders: set[str] = field(default_factory=set)  # "neither male nor female"
    ages: list[tuple[str, str, int | None]] = field(default_factory=list)  # band, phrase, years
    negated_ages: set[str] = field(default_factory=set)
    accents: list[tuple[str, str, float]] = field(default_factory=list)  # name, phrase, strength
    implied_accents: list[tuple[str, str, float]] = field(default_factory=list)
    labels: dict[str, dict[str, float]] = field(
        default_factory=lambda: {kind: {} for kind in LABEL_KINDS})
    implied_labels: dict[str, dict[str, float]] = field(
        default_factory=lambda: {kind: {} for kind in LABEL_KINDS})  # from personas
    personas: list[str] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    corrections: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    language: str = "en"

    def apply(self, effects: tuple[Effect, ...], mult: float, negated: bool, phrase: str) -> None:
        if effects:  # a row with no effects is a phrase that carries nothing ("en inglés")
            self.matched.append(phrase)
        for e in effects:
            if negated and e.implied:
                continue  # "not calm" says nothing about pace
            if e.kind in AXES:
                value = -NEGATED_STRENGTH * float(e.value) if negated else float(e.value) * mult
                self.axes[e.kind].append((value, e.implied, negated, phrase))
            elif e.kind == "gender":
                self._gender(str(e.value), e.implied, mult, negated, phrase)
            elif e.kind in ("age", "years"):
                band = age_band(int(float(e.value))) if e.kind == "years" else str(e.value)
                if negated:
                    self.negated_ages.add(band)
                    self.notes.append(f"'{phrase}': not {band}")
                else:
                    years = int(float(e.value)) if e.kind == "years" else None
                    self.ages.append((band, phrase, years))
            elif e.kind == "accent":
                self._accent(str(e.value), negated, phrase, e.implied, mult)
            else:  # a label: keep the strongest mention
                strength = -NEGATED_STRENGTH if negated else min(mult, MAX_STRENGTH)
                group = (self.implied_labels if e.implied else self.labels)[e.kind]
                if abs(strength) >= abs(group.get(str(e.value), 0.0)):
                    group[str(e.value)] = strength

    def _gender(self, value: str, implied: bool, mult: float, negated: bool, phrase: str) -> None:
        if negated:
            self.negated_genders.add(value)
            other = {"female": "male", "male": "female"}.get(value)
            if other:
                self.gender_votes.append((other, 0.6, phrase))
            return
        weight = IMPLIED_GENDER_WEIGHT if implied else 1.0
        # a hedged gender ("almost masculine", "slightly feminine") is a weak vote
        self.gender_votes.append((value, weight * min(1.0, mult * 0.6 if mult < 1 else 1.0),
                                  phrase))

    def _accent(self, value: str, negated: bool, phrase: str, implied: bool = False,
                strength: float = 1.0) -> None:
        if implied:  # a persona's accent ("a cowboy"): only when no accent is said
            if not negated:
                self.implied_accents.append((value.removesuffix("-approx"), phrase, strength))
            return
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
        self.accents.append((name, phrase, strength))

    def strengthen_accent(self, strength: float, word: str) -> None:
        """A strength said after the accent ("accent français léger")."""
        for found in (self.accents, self.implied_accents):
            if found:
                name, phrase, old = found[-1]
                found[-1] = (name, f"{phrase} {word}", old * strength)
                self.matched.append(word)
                return

    def label_group(self, kind: str) -> dict[str, float]:
        """The labels of a kind the prompt names; a persona's when it names none.

        A prompt that names one of the persona's own labels confirms its voice
        and keeps the rest ("a raspy old sailor" stays gravelly too: never less
        rough than "an old sailor"); one that names none of them replaces them
        ("a smooth-voiced pirate" is not gravelly).
        """
        said, implied = self.labels[kind], self.implied_labels[kind]
        if said and not set(said) & set(implied):
            return dict(said)
        return {**implied, **said}

    def accent(self) -> tuple[str | None, float]:
        """The last accent said and its strength; else the last one a persona implies.

        Intensifiers stack ("very very strong") up to the cap they have
        elsewhere (2), on the strongest accent word ("strong", 1.5): at most 3.
        """
        found = self.accents or self.implied_accents
        return (found[-1][0], min(found[-1][2], MAX_ACCENT_STRENGTH)) if found else (None, 1.0)

    def age(self) -> tuple[str | None, int | None]:
        """The last age mentioned (band, years if given); one negated ("older, but
        not elderly") steps a band younger, and then its years no longer hold."""
        if not self.ages:
            return None, None
        # an age in years is more precise than an age word ("a 19-year-old student")
        band, _, years = next((a for a in reversed(self.ages) if a[2] is not None),
                              self.ages[-1])
        if band not in self.negated_ages:
            return band, years
        while band in self.negated_ages and band != AGES[0]:
            band = AGES[AGES.index(band) - 1]
        return (None if band in self.negated_ages else band), None
