"""The voice builder: reproducibility, the sampling parameters, gender, accent, steering."""

from __future__ import annotations

import json
from collections.abc import Mapping

import numpy as np
import pytest

from voicesmith.design.catalog import load_catalog
from voicesmith.design.directions import Direction, fit_directions
from voicesmith.design.sampling import SamplingParams, select
from voicesmith.design.steering import SPEED_RANGE
from voicesmith.design.voice_builder import DesignedVoice, design_voice
from voicesmith.engine.base import StockVoice
from voicesmith.engine.languages import (
    AMERICAN_ENGLISH,
    BRITISH_ENGLISH,
    FRENCH,
    SPANISH,
    Language,
)
from voicesmith.errors import ValidationError

Voices = Mapping[str, StockVoice]
T0 = SamplingParams(temperature=0.0)


def design(voices: Voices, prompt: str, params: SamplingParams = T0,
           language: Language | None = AMERICAN_ENGLISH, **kw: object) -> DesignedVoice:
    return design_voice(prompt, language, params, voices, **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def pitch(stock_voices: Voices) -> Direction:
    return fit_directions(stock_voices, load_catalog().voices)["pitch"]


def voices_used(d: DesignedVoice) -> list[str]:
    return [c["voice"] for c in d.recipe["components"]]


# ---------------------------------------------------------------- reproducibility
def test_same_seed_same_bytes(stock_voices: Voices) -> None:
    params = SamplingParams(temperature=1.2, seed=1234)
    a = design(stock_voices, "a warm, husky British woman", params)
    b = design(stock_voices, "a warm, husky British woman", params)
    assert a.style.to_bytes() == b.style.to_bytes()
    assert a.recipe == b.recipe


def test_temperature_zero_needs_no_seed(stock_voices: Voices) -> None:
    a = design(stock_voices, "a deep male voice", SamplingParams(temperature=0.0))
    b = design(stock_voices, "a deep male voice", SamplingParams(temperature=0.0))
    assert a.style.to_bytes() == b.style.to_bytes()
    assert a.recipe["offset_norm"] == 0.0


def test_different_seeds_differ_above_zero(stock_voices: Voices) -> None:
    packs = {design(stock_voices, "a calm female voice",
                    SamplingParams(temperature=0.9, seed=s)).style.to_bytes() for s in range(5)}
    assert len(packs) == 5


def test_without_a_seed_each_call_explores_and_the_recipe_can_replay_it(
        stock_voices: Voices) -> None:
    a = design(stock_voices, "a cheerful voice", SamplingParams(temperature=0.9))
    b = design(stock_voices, "a cheerful voice", SamplingParams(temperature=0.9))
    assert a.style.to_bytes() != b.style.to_bytes()
    replay = design(stock_voices, "a cheerful voice",
                    SamplingParams(temperature=0.9, seed=a.recipe["seed"]))
    assert replay.style.to_bytes() == a.style.to_bytes()


def test_temperature_widens_the_wander(stock_voices: Voices) -> None:
    centre = design(stock_voices, "a female voice").style.pack

    def spread(temperature: float) -> float:
        return float(np.mean([np.linalg.norm(design(
            stock_voices, "a female voice", SamplingParams(temperature=temperature, seed=s)
        ).style.pack.mean(0) - centre.mean(0)) for s in range(6)]))

    assert 0 < spread(0.3) < spread(1.0) < spread(2.0)


# ---------------------------------------------------------------- gender and language
@pytest.mark.parametrize("prompt", ["a deep male voice", "a high-pitched man", "a soprano guy",
                                    "he sounds cheerful and bright", "a very high male voice"])
def test_male_prompts_use_only_male_voices(stock_voices: Voices, prompt: str) -> None:
    for seed in range(4):
        d = design(stock_voices, prompt, SamplingParams(temperature=2.0, seed=seed))
        assert all(v[1] == "m" for v in voices_used(d)), (prompt, voices_used(d))


@pytest.mark.parametrize("prompt", ["a deep female voice", "a woman with a baritone",
                                    "an extremely low woman", "she is gruff"])
def test_female_prompts_use_only_female_voices(stock_voices: Voices, prompt: str) -> None:
    for seed in range(4):
        d = design(stock_voices, prompt, SamplingParams(temperature=2.0, seed=seed))
        assert all(v[1] == "f" for v in voices_used(d)), (prompt, voices_used(d))


def test_unspecified_gender_never_mixes(stock_voices: Voices) -> None:
    for seed in range(8):
        d = design(stock_voices, "a voice", SamplingParams(temperature=1.0, seed=seed))
        assert len({v[1] for v in voices_used(d)}) == 1


def test_neutral_may_mix_and_sits_between(stock_voices: Voices, pitch: Direction) -> None:
    d = design(stock_voices, "an androgynous voice")
    assert d.recipe["genders"] == ["female", "male"]
    assert 120 < d.recipe["targets"]["pitch_hz"] < 175
    female = pitch.position(design(stock_voices, "a female voice").style.pack)
    male = pitch.position(design(stock_voices, "a male voice").style.pack)
    assert male < pitch.position(d.style.pack) < female


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_neutral_takes_half_its_weight_from_each_gender(stock_voices: Voices, seed: int) -> None:
    d = design(stock_voices, "a gender-neutral voice", SamplingParams(seed=seed))
    share = {"female": 0.0, "male": 0.0}
    for c in d.recipe["components"]:
        share[stock_voices[c["voice"]].gender] += c["weight"]
    assert share == pytest.approx({"female": 0.5, "male": 0.5}, abs=1e-4)


def test_british_prompt_picks_british_voices(stock_voices: Voices) -> None:
    for language in (None, AMERICAN_ENGLISH, BRITISH_ENGLISH):
        d = design(stock_voices, "a British man", language=language)
        assert d.language == BRITISH_ENGLISH
        assert all(v.startswith("bm_") for v in voices_used(d))


def test_american_is_the_english_default(stock_voices: Voices) -> None:
    d = design(stock_voices, "a woman", language=None)
    assert d.language == AMERICAN_ENGLISH and all(v.startswith("af_") for v in voices_used(d))


def test_an_explicit_non_english_language_wins(stock_voices: Voices) -> None:
    d = design(stock_voices, "a British woman", language=SPANISH)
    assert d.language == SPANISH and voices_used(d) == ["ef_dora"]
    assert d.recipe["notes"]


def test_a_language_in_the_prompt_is_used_when_none_is_given(stock_voices: Voices) -> None:
    d = design(stock_voices, "a Spanish man", language=None)
    assert d.language == SPANISH and all(v.startswith("em_") for v in voices_used(d))


def test_a_language_without_that_gender_borrows_english_voices(stock_voices: Voices) -> None:
    d = design(stock_voices, "a man", language=FRENCH)
    assert d.language == FRENCH
    assert all(v[1] == "m" and v[0] in "ab" for v in voices_used(d))
    assert d.recipe["notes"]


# ---------------------------------------------------------------- accents
def share_of(d: DesignedVoice, prefix: str) -> float:
    return sum(c["weight"] for c in d.recipe["components"] if c["voice"].startswith(prefix))


@pytest.mark.parametrize(("prompt", "prefix"), [
    ("a man with a Spanish accent", "em_"), ("a woman with an Indian accent", "hf_"),
    ("an Italian man", "im_"), ("a woman with a Chinese accent", "zf_"),
    ("a Japanese woman", "jf_"), ("a Brazilian man", "pm_"),
])
def test_an_accent_speaks_english_with_that_languages_voices(
        stock_voices: Voices, prompt: str, prefix: str) -> None:
    for language in (AMERICAN_ENGLISH, BRITISH_ENGLISH):
        d = design(stock_voices, prompt, language=language)
        assert d.language == language  # the words stay English
        assert d.recipe["accent"]["share"] == pytest.approx(share_of(d, prefix), abs=1e-4)
        assert 0.5 < share_of(d, prefix) < 0.9
        assert all(c["voice"].startswith(prefix) or c["voice"][0] in "ab"
                   for c in d.recipe["components"])


def test_accent_strength_sets_the_accent_voices_share(stock_voices: Voices) -> None:
    shares = [share_of(design(stock_voices, f"a man with a {how} Spanish accent"), "em_")
              for how in ("faint", "slight", "", "strong", "very strong")]
    assert shares == sorted(shares) and shares[0] > 0.2 and shares[-1] <= 0.9
    assert shares[1] < shares[2] < shares[3]


def test_an_accent_without_that_gender_is_lent_and_keeps_the_register(
        stock_voices: Voices, pitch: Direction) -> None:
    plain = design(stock_voices, "a man")
    accented = design(stock_voices, "a man with a French accent")
    assert accented.recipe["accent"]["lent_from"] == "female"
    assert any("no male French" in n for n in accented.recipe["notes"])
    # steering brings the blend back to the male register the prompt asks for
    male = [pitch.position(v.pack) for n, v in stock_voices.items() if n.startswith("am_")]
    assert pitch.position(accented.style.pack) <= max(male)
    assert accented.recipe["predicted"]["pitch_hz"] == pytest.approx(
        plain.recipe["predicted"]["pitch_hz"], rel=0.1)


def test_no_accent_designs_exactly_as_before(stock_voices: Voices) -> None:
    d = design(stock_voices, "a man with an American accent")
    assert "accent" not in d.recipe
    assert d.style.pack.tobytes() == design(stock_voices, "an American man").style.pack.tobytes()


# ---------------------------------------------------------------- steering
def test_deep_and_high_move_along_the_pitch_direction_in_order(
        stock_voices: Voices, pitch: Direction) -> None:
    def pos(prompt: str) -> float:
        return pitch.position(design(stock_voices, prompt).style.pack)

    male = [pos(p) for p in ("a very deep male voice", "a deep male voice",
                             "a male voice", "a high male voice")]
    female = [pos(p) for p in ("a deep female voice", "a female voice",
                               "a high-pitched female voice", "a very high female voice")]
    assert male == sorted(male) and len(set(male)) == 4
    assert female == sorted(female) and len(set(female)) == 4


def test_slightly_and_much_deeper_differ_by_degree(stock_voices: Voices, pitch: Direction) -> None:
    neutral = pitch.position(design(stock_voices, "a male voice").style.pack)
    slightly = pitch.position(design(stock_voices, "a slightly deeper male voice").style.pack)
    much = pitch.position(design(stock_voices, "a much deeper male voice").style.pack)
    assert much < slightly < neutral


def test_targets_follow_the_prompt(stock_voices: Voices) -> None:
    deep = design(stock_voices, "a deep male voice").recipe["targets"]["pitch_hz"]
    high = design(stock_voices, "a high-pitched female voice").recipe["targets"]["pitch_hz"]
    assert deep < 110 < 190 < high


def test_steering_stays_within_the_stock_voices(stock_voices: Voices, pitch: Direction) -> None:
    lowest = min(pitch.positions[n] for n in pitch.positions if n[1] == "m")
    d = design(stock_voices, "an extremely extremely deep bass man",
               SamplingParams(temperature=2.0, seed=3))
    assert pitch.position(d.style.pack) >= lowest - 0.5 - 1e-4
    assert np.isfinite(d.style.pack).all()


def test_pace_sets_speed(stock_voices: Voices) -> None:
    speeds = [design(stock_voices, p).style.speed for p in (
        "a very slow male voice", "a slow male voice", "a male voice", "a fast male voice",
        "an extremely fast male voice")]
    assert speeds == sorted(speeds) and speeds[2] == 1.0
    assert SPEED_RANGE[0] <= speeds[0] and speeds[-1] <= SPEED_RANGE[1]
    assert 0.7 <= speeds[1] <= 0.9 and 1.1 <= speeds[3] <= 1.35


def test_timbre_traits_act_on_the_timbre_half(stock_voices: Voices) -> None:
    plain = design(stock_voices, "a female voice", SamplingParams(temperature=0.0, top_k=1))
    husky = design(stock_voices, "a breathy female voice", SamplingParams(temperature=0.0, top_k=1))
    moves = {m["direction"]: m for m in husky.recipe["steering"]}
    assert "clarity" in moves and moves["clarity"]["units"] != 0
    if voices_used(plain) == voices_used(husky):
        # same base voice: only the steering differs, mostly in dims [:128]
        diff = np.abs(husky.style.pack.mean(0) - plain.style.pack.mean(0))
        assert diff[:128].sum() > diff[128:].sum()


# ---------------------------------------------------------------- top_k, top_p, repetition
def test_top_k_one_is_one_voice(stock_voices: Voices) -> None:
    for seed in range(3):
        d = design(stock_voices, "a warm woman",
                   SamplingParams(temperature=1.0, top_k=1, seed=seed))
        assert len(d.recipe["components"]) == 1
        assert d.recipe["components"][0]["weight"] == 1.0


def test_top_k_caps_the_blend(stock_voices: Voices) -> None:
    counts = [len(design(stock_voices, "a woman", SamplingParams(temperature=0.0, top_k=k))
                  .recipe["components"]) for k in (1, 2, 3, 50)]
    assert counts[:3] == [1, 2, 3] and counts[3] > 3


def test_top_p_is_a_nucleus(stock_voices: Voices) -> None:
    n = [len(design(stock_voices, "a woman", SamplingParams(temperature=0.0, top_p=p))
             .recipe["components"]) for p in (0.0, 0.5, 0.9, 1.0)]
    assert n[0] == 1 and n == sorted(n) and n[3] > n[0]


def test_select() -> None:
    w = np.array([0.1, 0.5, 0.3, 0.1])
    assert select(w, 1, 1.0).tolist() == [0, 1, 0, 0]
    assert np.allclose(select(w, 4, 0.8), [0, 0.625, 0.375, 0])
    assert np.allclose(select(w, 4, 1.0), w)


def test_repetition_penalty_moves_away_from_previous(stock_voices: Voices) -> None:
    first = design(stock_voices, "a calm male voice")

    def distance(penalty: float) -> float:
        d = design(stock_voices, "a calm male voice",
                   SamplingParams(temperature=0.0, repetition_penalty=penalty),
                   previous=[first.style])
        return float(np.linalg.norm(d.style.pack.mean(0) - first.style.pack.mean(0)))

    distances = [distance(p) for p in (1.0, 1.05, 1.5, 2.0)]
    assert distances[0] == 0.0
    assert distances == sorted(distances) and distances[1] > 0


def test_repetition_penalty_works_with_a_single_voice_pool(stock_voices: Voices) -> None:
    first = design(stock_voices, "a woman", language=FRENCH)
    again = design_voice("a woman", FRENCH, SamplingParams(temperature=0.0, repetition_penalty=1.5),
                         stock_voices, previous=[first.style])
    assert again.style.to_bytes() != first.style.to_bytes()


# ---------------------------------------------------------------- API surface
def test_recipe_and_traits_are_json(stock_voices: Voices) -> None:
    d = design(stock_voices, "a slow, husky British narrator", SamplingParams(seed=5))
    json.dumps(d.recipe)
    json.dumps(d.traits.to_dict())
    assert d.recipe["language"] == "en-gb" and d.recipe["seed"] == 5


@pytest.mark.parametrize(("field", "value"), [
    ("temperature", -0.1), ("temperature", 2.5), ("top_k", 0), ("top_k", 1001), ("top_k", 2.5),
    ("top_p", 1.5), ("repetition_penalty", 0.9), ("repetition_penalty", 2.1), ("seed", -1),
    ("temperature", float("nan")),
])
def test_params_are_validated(field: str, value: float) -> None:
    with pytest.raises(ValidationError) as err:
        SamplingParams(**{field: value})  # type: ignore[arg-type]
    assert err.value.pointer == f"/{field}"


@pytest.mark.parametrize("prompt", ["", "flibbertigibbet", "🙂", "not not not", "a " * 300])
def test_any_prompt_gives_a_voice(stock_voices: Voices, prompt: str) -> None:
    d = design(stock_voices, prompt, SamplingParams(seed=1))
    assert d.style.pack.shape == (510, 256) and np.isfinite(d.style.pack).all()


def test_uncatalogued_voices_still_design(stock_voices: Voices) -> None:
    """A test engine's made-up voices: blended (no steering), never an error."""
    rng = np.random.default_rng(0)
    like = {"af_test": stock_voices["af_heart"], "am_test": stock_voices["am_adam"]}
    fake = {n: StockVoice(n, v.language, v.gender,
                          rng.normal(0, 0.01, (510, 256)).astype(np.float32))
            for n, v in like.items()}
    d = design_voice("a slow deep man", None, SamplingParams(seed=2), fake)
    assert voices_used(d) == ["am_test"] and d.style.speed < 1.0
    assert d.recipe["steering"] == [] and d.recipe["notes"]


def test_repetition_penalty_ignores_unrelated_previous_voices(stock_voices: Voices) -> None:
    """A previous voice far from the new one barely moves it (the kernel is local)."""
    unrelated = design(stock_voices, "a high-pitched woman").style
    same = design(stock_voices, "a deep man").style

    def moved(previous: object, penalty: float) -> float:
        d = design(stock_voices, "a deep man",
                   SamplingParams(temperature=0.0, repetition_penalty=penalty),
                   previous=[previous])
        return float(np.linalg.norm(d.style.pack.mean(0) - same.pack.mean(0)))

    assert moved(unrelated, 2.0) < 0.1 * moved(same, 2.0)


def test_pitch_order_holds_at_the_default_temperature(stock_voices: Voices) -> None:
    """Unasked-for pitch wanders only inside a band around the middle of its kind,
    and a target's jitter is bounded, so deep < neutral < high for every seed."""
    for seed in range(30):
        params = SamplingParams(seed=seed)  # temperature 0.9
        for kind in ("male", "female"):
            deep, plain, high = (design(stock_voices, p, params).recipe["predicted"]["pitch_hz"]
                                 for p in (f"a deep {kind} voice", f"a {kind} voice",
                                           f"a high {kind} voice"))
            assert deep * 2 ** (0.5 / 12) < plain < high / 2 ** (0.5 / 12), (seed, kind)
