"""The hard cases of prompt understanding: ages, scope of hedges and negation,
personas, misspellings, other languages, and a parser that never raises."""

from __future__ import annotations

import random

import pytest

from voicesmith.design.traits import parse_prompt
from voicesmith.engine.languages import BRITISH_ENGLISH, FRENCH


# ---------------------------------------------------------------- ages
@pytest.mark.parametrize(("prompt", "age", "years"), [
    ("A cheerful little girl, about seven years old", "child", 7),
    ("a seven year old girl", "child", 7),
    ("a 7-year-old boy", "child", 7),
    ("a man, 12 years old", "child", 12),
    ("a 75-year-old man", "elderly", 75),
    ("a man in his 70s", "elderly", 75),
    ("a woman in her late sixties", "elderly", None),
    ("a man in his fifties", "middle-aged", 55),
    ("a woman about forty", "adult", 40),
    ("seventy-something grandpa", "elderly", 75),
    ("a guy in his twenties", "young", 25),
    ("a teenage boy of sixteen years", "teen", 16),
])
def test_ages_in_numbers_and_words(prompt: str, age: str, years: int | None) -> None:
    t = parse_prompt(prompt)
    assert t.age == age
    if years is not None:
        assert t.age_years == years


@pytest.mark.parametrize("prompt", ["a seven year old girl", "a 10 years old boy",
                                    "she is nine years old"])
def test_years_old_is_never_elderly(prompt: str) -> None:
    assert parse_prompt(prompt).age == "child"


def test_a_child_in_years_brings_the_childs_implied_pitch() -> None:
    assert parse_prompt("a man, 12 years old").pitch > parse_prompt("a man").pitch


def test_young_boy_is_a_child() -> None:
    t = parse_prompt("a young boy")
    assert (t.gender, t.age) == ("male", "child")


# ---------------------------------------------------------------- scope
def test_almost_masculine_does_not_outvote_a_woman() -> None:
    t = parse_prompt("A woman with a very low, almost masculine voice")
    assert t.gender == "female" and t.pitch < 0


def test_a_bit_older_but_not_elderly() -> None:
    t = parse_prompt("a bit older, but not elderly")
    assert t.age in ("adult", "middle-aged")


def test_not_elderly_alone_sets_no_age() -> None:
    assert parse_prompt("a man, not elderly").age != "elderly"


def test_neither_fast_nor_slow_is_a_moderate_pace() -> None:
    assert abs(parse_prompt("neither fast nor slow").pace) <= 0.3


# ---------------------------------------------------------------- personas
@pytest.mark.parametrize(("prompt", "persona"), [
    ("a drill sergeant", "drill sergeant"),
    ("sounds like a radio DJ", "radio dj"),
    ("an old-fashioned English butler", "butler"),
    ("a sports commentator calling the final seconds", "sports commentator"),
])
def test_personas_are_named(prompt: str, persona: str) -> None:
    assert parse_prompt(prompt).persona == persona


def test_a_drill_sergeant_is_loud_and_commanding() -> None:
    t = parse_prompt("a drill sergeant")
    assert t.energy > 0 and "authoritative" in t.emotions


def test_an_explicit_word_beats_a_personas_default() -> None:
    # a meditation guide is slow; "fast" said outright wins
    assert parse_prompt("a fast meditation guide").pace > 0


def test_naming_one_of_a_personas_labels_keeps_the_others() -> None:
    # an old sailor is gravelly and raspy: "a raspy old sailor" is not less rough
    assert parse_prompt("a raspy old sailor").timbre.keys() >= {"gravelly", "raspy"}
    assert parse_prompt("an angry pirate").emotions.keys() == {"angry"}  # none of its own
    assert "gravelly" not in parse_prompt("a smooth-voiced pirate").timbre


def test_chills_down_your_spine_is_not_calm() -> None:
    t = parse_prompt("a voice that sends chills down your spine")
    assert "calm" not in t.emotions and t.energy >= 0


def test_gravely_is_not_gravelly() -> None:
    t = parse_prompt("he speaks gravely")
    assert "gravelly" not in t.timbre


# ---------------------------------------------------------------- misspellings
def test_typos_are_read_and_reported() -> None:
    t = parse_prompt("Excitted womn, talkin super fasst, hihg pitched")
    assert t.gender == "female" and t.pace > 1 and t.pitch > 0 and "excited" in t.emotions
    assert "womn -> woman" in t.corrections and "hihg -> high" in t.corrections


@pytest.mark.parametrize("word", ["cold", "bold", "mild", "fold", "wild"])
def test_real_words_are_not_corrected(word: str) -> None:
    t = parse_prompt(f"a {word} voice")
    assert t.corrections == () and t.age is None


# ---------------------------------------------------------------- languages
def test_french_elision_keeps_the_word() -> None:
    t = parse_prompt("Voix d'homme grave et chaleureuse, accent anglais")
    assert t.gender == "male" and t.pitch < 0 and "warm" in t.emotions
    assert t.accent == BRITISH_ENGLISH and t.prompt_language == "fr"


@pytest.mark.parametrize(("prompt", "language", "gender", "age"), [
    ("沙哑的老爷爷声音，说话很慢", "zh", "male", "elderly"),
    ("可爱的小女孩声音，音调很高", "zh", "female", "child"),
    ("落ち着いた中年男性の声", "ja", "male", "middle-aged"),
    ("пожилая женщина с хриплым голосом", "ru", "female", "elderly"),
    ("낮은 목소리의 중년 남자", "ko", "male", "middle-aged"),
    ("eine ältere Dame mit sanfter Stimme", "de", "female", "elderly"),
    ("una anciana que habla despacio", "es", "female", "elderly"),
])
def test_other_languages(prompt: str, language: str, gender: str, age: str) -> None:
    t = parse_prompt(prompt)
    assert (t.prompt_language, t.gender, t.age) == (language, gender, age)


def test_chinese_and_japanese_traits() -> None:
    t = parse_prompt("沙哑的老爷爷声音，说话很慢")
    assert t.pace < 0 and t.clarity < 0
    t = parse_prompt("可爱的小女孩声音，音调很高")
    assert t.pitch > 0
    assert "calm" in parse_prompt("落ち着いた中年男性の声").emotions


def test_japanese_negation_follows_the_word() -> None:
    assert parse_prompt("速すぎない話し方").pace <= 0.3


def test_the_prompt_language_is_not_the_accent() -> None:
    t = parse_prompt("une voix de femme avec un accent français")
    assert t.accent == FRENCH
    assert parse_prompt("une voix de femme").accent is None


# ---------------------------------------------------------------- robustness
def _random_prompt(rng: random.Random) -> str:
    alphabet = ("abcdefghijklmnopqrstuvwxyz  -'’,.!?0123456789éèçñäöüßабвгдежзлмнопр"
                "的声音老爷慢高低男女の声いないくすぎ남자여목소리않은\u0301\u200b\t\n😀")
    words = ["not", "very", "old", "years", "70s", "a bit", "neither", "nor", "d'", "l'",
             "сорок", "лет", "七十", "多", "岁", "代", "대", "like a", "drill sergeant"]
    parts = []
    for _ in range(rng.randint(0, 30)):
        if rng.random() < 0.4:
            parts.append(rng.choice(words))
        else:
            parts.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))))
    return " ".join(parts)


def test_never_raises_on_random_input() -> None:
    rng = random.Random(1234)
    for _ in range(3000):
        t = parse_prompt(_random_prompt(rng))
        assert t.to_dict()["prompt_language"]


@pytest.mark.parametrize("prompt", ["", " ", "0", "99999999999999999999 years old", "'" * 50,
                                    "a " * 5000, "\x00\x01", "七十" * 100 + "岁", "-" * 1000])
def test_never_raises_on_edge_cases(prompt: str) -> None:
    parse_prompt(prompt)


def test_a_very_long_prompt_is_read_up_to_a_limit_and_says_so() -> None:
    t = parse_prompt("deep " + "word " * 1000)
    assert t.pitch < 0 and any("first" in n for n in t.notes)


# ---------------------------------------------------------------- grammar and scope
@pytest.mark.parametrize(("prompt", "gender"), [
    ("Une Italienne de 45 ans, volubile", "female"),
    ("Présentatrice du journal, ton sérieux", "female"),
    ("Narrateur de documentaire, voix posée", "male"),
    ("Japanische Touristin mit japanischem Akzent", "female"),
    ("Voix fatiguée d'une infirmière", "female"),
    ("Un adolescente aburrido", "male"),
    ("Capitão pirata mal-humorado, voz rouca", None),  # "-a" of "pirata" is no feminine
])
def test_grammatical_gender_names_the_person(prompt: str, gender: str | None) -> None:
    assert parse_prompt(prompt).gender == gender


def test_a_voice_nouns_article_is_not_a_persons() -> None:
    # "une voix", "un débit": feminine and masculine nouns that are not the speaker
    assert parse_prompt("une voix douce, un débit lent").gender is None


def test_the_language_spoken_is_not_the_accent() -> None:
    t = parse_prompt("Un Italien enthousiaste qui parle français avec un fort accent")
    assert t.accent is not None and t.accent.code == "it"


def test_the_listeners_age_is_not_the_speakers() -> None:
    assert parse_prompt("a kindly old nurse who talks softly to scared kids").age == "elderly"


@pytest.mark.parametrize("prompt", ["neither masculine nor feminine",
                                    "Voce neutra, né maschile né femminile"])
def test_neither_gender_is_neutral(prompt: str) -> None:
    assert parse_prompt(prompt).gender == "neutral"


@pytest.mark.parametrize(("prompt", "years"), [
    ("Männlich, Anfang 20, locker", 22), ("Französin, Ende 20", 28),
    ("a man in his early 40s", 42), ("a woman in her late sixties", 68),
])
def test_where_in_a_decade(prompt: str, years: int) -> None:
    assert parse_prompt(prompt).age_years == years


@pytest.mark.parametrize(("prompt", "code", "strength"), [
    ("A man with a French accent", "fr", 1.0),
    ("A woman with a slight Indian accent", "hi", 0.5),
    ("a strong Spanish accent, deep voice", "es", 1.5),
    ("a very strong, heavy Italian accent", "it", 1.5),  # "very strong," is its own clause
    ("una mujer con un acento francés muy fuerte", "fr", 2.25),
    ("un homme avec un accent italien léger", "it", 0.5),
    ("ein Mann mit leichtem französischen Akzent", "fr", 0.5),
    ("uma mulher com sotaque italiano carregado", "it", 1.5),
])
def test_accent_strength_is_read_before_or_after_the_accent(
        prompt: str, code: str, strength: float) -> None:
    t = parse_prompt(prompt)
    assert t.accent is not None and t.accent.code.startswith(code)
    assert t.accent_strength == pytest.approx(strength)
    assert t.to_dict()["accent_strength"] == pytest.approx(strength)


def test_an_accents_strength_is_not_energy() -> None:
    assert parse_prompt("a strong French accent").energy == 0.0
    assert parse_prompt("acento francés fuerte").energy == 0.0
    assert parse_prompt("a strong man with a French accent").energy > 0.0


@pytest.mark.parametrize("prompt", ["A frail man in his eighties", "a woman in her late sixties",
                                    "Une femme dans la soixantaine", "a man in his 80s"])
def test_an_age_word_in_years_brings_what_its_band_implies(prompt: str) -> None:
    """"in his eighties" is as slow as "elderly" (a held-out design pair was not)."""
    t = parse_prompt(prompt)
    assert t.age == "elderly" and t.pace < 0 and t.clarity < 0
