"""Design samples are real speech in the voice asked for (real Kokoro model)."""

from __future__ import annotations

import io

import soundfile as sf

from tests.e2e.server import RunningServer
from tests.e2e.test_voice_designs import unique
from voicesmith.evaluation.measures import median_f0, normalize_text, transcribe, wer

TEXT = "Hello, and welcome to our voice design service. The weather is lovely today."


def sample_of(server: RunningServer, prompt: str, text: str = TEXT) -> tuple:  # type: ignore[type-arg]
    client = server.client()
    d = client.voice_designs.create(name=unique("speech"), prompt=prompt, text=text,
                                    extra_body={"seed": 7}).data
    samples, rate = sf.read(io.BytesIO(client.voice_designs.download_sample(d.id).read()),
                            dtype="float32")
    return samples, rate


def test_sample_is_intelligible_speech(real_server: RunningServer) -> None:
    samples, rate = sample_of(real_server, "A deep, calm male voice")
    heard = transcribe(samples, rate)
    assert wer(TEXT, heard) <= 0.15, heard
    for word in ("welcome", "voice", "design", "weather"):
        assert word in normalize_text(heard).split(), heard


def test_deep_male_and_high_female_differ_in_pitch(real_server: RunningServer) -> None:
    low = median_f0(*sample_of(real_server, "a deep male voice"))
    high = median_f0(*sample_of(real_server, "a high-pitched female voice"))
    assert low < 150 < 180 < high, (low, high)
    assert high / low > 1.6, (low, high)


def test_clone_sample_is_the_design_sample_and_speaks(real_server: RunningServer) -> None:
    client = real_server.client()
    d = client.voice_designs.create(name=unique("cl"), prompt="A warm British woman",
                                    text="Good morning, how may I help you?").data
    c = client.voice_clones.create(voice_clone_request={
        "name": unique("clone"), "voice_design_id": d.id, "language": "en", "gender": "female"}).data
    wav = client.voice_clones.download_sample(c.id).read()
    assert wav == client.voice_designs.download_sample(d.id).read()
    samples, rate = sf.read(io.BytesIO(wav), dtype="float32")
    assert wer("Good morning, how may I help you?", transcribe(samples, rate)) <= 0.2


def test_a_childs_voice_is_higher_in_the_sample_and_in_its_clones_speech(
        real_server: RunningServer) -> None:
    """The transform stage is part of the voice: the sample has it, a clone copies it, and
    every speech path applies it, and the words stay intelligible."""
    client = real_server.client()
    adult = median_f0(*sample_of(real_server, "a woman"))
    d = client.voice_designs.create(name=unique("child"), prompt="a little girl", text=TEXT,
                                    extra_body={"seed": 7}).data
    sample, rate = sf.read(io.BytesIO(client.voice_designs.download_sample(d.id).read()),
                           dtype="float32")
    assert median_f0(sample, rate) > 1.15 * adult
    clone = client.voice_clones.create(voice_clone_request={
        "name": unique("child-clone"), "voice_design_id": d.id, "language": "en",
        "gender": "female"}).data
    with client.text_to_speech.with_streaming_response.generate_speech(
            text="My kite is stuck in the big old tree.", voice=f"Telnyx.Qwen3TTS.{clone.id}",
            telnyx={"response_format": "wav"}) as resp:  # type: ignore[arg-type]
        audio, rate = sf.read(io.BytesIO(resp.read()), dtype="float32")
    assert median_f0(audio, rate) > 1.15 * adult
    assert wer("My kite is stuck in the big old tree.", transcribe(audio, rate)) <= 0.15


def test_an_accent_is_another_voice_that_still_speaks_the_english_words(
        real_server: RunningServer) -> None:
    """"A man with a strong Spanish accent", English text: the Spanish voices join the
    blend, the words stay English (ASR) and the pitch stays a man's."""
    client = real_server.client()
    d = client.voice_designs.create(name=unique("accent"), text=TEXT, language="en",
                                    prompt="A man with a strong Spanish accent",
                                    extra_body={"seed": 7}).data
    traits = d.model_extra["voice_traits"] if d.model_extra else {}
    assert traits["accent"] == "es" and traits["accent_strength"] == 1.5
    accented, rate = sf.read(io.BytesIO(client.voice_designs.download_sample(d.id).read()),
                             dtype="float32")
    plain, _ = sample_of(real_server, "A man")
    from voicesmith.evaluation.speaker import speaker_similarity

    # another voice: below what one stock voice scores with itself on two texts (0.93)
    assert speaker_similarity(accented, rate, plain, rate) < 0.93
    assert wer(TEXT, transcribe(accented, rate)) <= 0.15
    assert median_f0(accented, rate) < 150
