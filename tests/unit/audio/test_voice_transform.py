"""The voice transform on real speech, its effects measured with Praat (parselmouth).

Speech: two LibriSpeech utterances shipped with the evaluation tests (a woman
and a man), resampled to the engine's 24 kHz.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
import soxr
from numpy.typing import NDArray

from tests.unit.audio.helpers import irregular_chunks
from voicesmith.audio.voice_transform import TransformStream, VoiceTransform, apply_transform

parselmouth = pytest.importorskip("parselmouth")
pytest.importorskip("parselmouth.praat")
from parselmouth.praat import call

SR = 24_000
DATA = Path(__file__).resolve().parents[1] / "evaluation" / "data"
# (utterance, formant ceiling for Praat's Burg tracker)
CLIPS = {"female": ("1998-15444-0007", 5500.0), "male": ("2033-164914-0005", 5000.0)}


def _load(utterance: str) -> NDArray[np.float32]:
    samples, rate = sf.read(DATA / f"{utterance}.flac", dtype="float32")
    return np.asarray(soxr.resample(samples, rate, SR), dtype=np.float32)


@pytest.fixture(scope="module")
def speech() -> dict[str, NDArray[np.float32]]:
    return {name: _load(utt) for name, (utt, _) in CLIPS.items()}


def _sound(y: NDArray[np.float32]) -> Any:
    return parselmouth.Sound(y.astype(np.float64), SR)


def _pitch(y: NDArray[np.float32]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    p = _sound(y).to_pitch_ac(time_step=0.01, pitch_floor=60.0, pitch_ceiling=600.0)
    return p.xs(), p.selected_array["frequency"]


def _median_f0(y: NDArray[np.float32]) -> float:
    f0 = _pitch(y)[1]
    return float(np.median(f0[f0 > 0]))


def _voiced(y: NDArray[np.float32]) -> float:
    return float(np.mean(_pitch(y)[1] > 0))


def _hnr(y: NDArray[np.float32]) -> float:
    return float(call(_sound(y).to_harmonicity_cc(0.01, 60.0, 0.1, 1.0), "Get mean", 0, 0))


def _jitter(y: NDArray[np.float32]) -> float:
    s = _sound(y)
    pitch = s.to_pitch_ac(time_step=0.01, pitch_floor=60.0, pitch_ceiling=600.0)
    points = call([s, pitch], "To PointProcess (cc)")
    return float(call(points, "Get jitter (local)", 0, 0, 0.0001, 0.02, 1.3))


def _formants(y: NDArray[np.float32], ceiling: float) -> NDArray[np.float64]:
    """Median F1, F2 over voiced frames (Burg)."""
    s = _sound(y)
    times, f0 = _pitch(y)
    formant = s.to_formant_burg(0.01, 5.0, ceiling, 0.025, 50.0)
    values = [[formant.get_value_at_time(i, t) for i in (1, 2)] for t, f in zip(times, f0) if f > 0]
    return np.nanmedian(np.array(values), axis=0)


def _rms_db(y: NDArray[np.float32]) -> float:
    return 20 * math.log10(float(np.sqrt(np.mean(y.astype(np.float64) ** 2))))


def _log_f0_change(x: NDArray[np.float32], y: NDArray[np.float32]
                   ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """(times, input log-F0 around its median, output minus input) where both are voiced.

    Frames where the two differ by more than ~9 semitones from the typical
    change are the tracker's octave errors and are left out.
    """
    t, a = _pitch(x)
    _, b = _pitch(y)
    both = (a > 0) & (b > 0)
    la, lb = np.log(a[both]), np.log(b[both])
    d = lb - la
    ok = np.abs(d - np.median(d)) < 0.55
    return t[both][ok], la[ok] - np.median(la[ok]), d[ok]


def _stream(tr: VoiceTransform, x: NDArray[np.float32], size: int) -> list[NDArray[np.float32]]:
    stream = TransformStream(tr, SR)
    starts = range(0, x.size, size)
    return [stream.process(x[i:i + size], last=i + size >= x.size) for i in starts]


# -- the parameters ----------------------------------------------------------------------


def test_neutral_transform_returns_the_same_chunks(speech: dict[str, NDArray[np.float32]]) -> None:
    x = speech["female"]
    for tr in (VoiceTransform(), VoiceTransform(tremor_hz=7.0)):  # no depth: no tremor
        assert tr.is_identity
        stream = TransformStream(tr, SR)
        first, second = x[:7200], x[7200:]
        assert stream.process(first) is first
        assert stream.process(second, last=True) is second
        assert apply_transform(tr, x) is x
    assert not VoiceTransform(loudness_db=-1.0).is_identity


def test_parameters_round_trip_through_json_and_are_versioned() -> None:
    tr = VoiceTransform(f0_ratio=1.23456789, formant_warp=0.91, breathiness=0.3, creak=0.25,
                        tremor_depth=0.7, tremor_hz=6.1, loudness_db=-2.5,
                        tilt_db_per_octave=-1.5)
    stored = json.loads(json.dumps(tr.to_dict()))
    assert stored["kind"] == "voice_transform" and stored["version"] == 1
    assert VoiceTransform.from_dict(stored) == tr
    assert VoiceTransform.from_dict({"kind": "voice_transform", "version": 1}) == VoiceTransform()
    legacy = {"kind": "world_f0_warp", "version": 1, "f0_ratio": 0.9, "warp": 1.05}
    assert VoiceTransform.from_dict(legacy) == VoiceTransform(f0_ratio=0.9, formant_warp=1.05)
    for bad in ({**stored, "version": 2}, {**stored, "kind": "other"}, {**stored, "pitch": 1},
                {**stored, "f0_ratio": 5.0}, {**stored, "whisper": float("nan")},
                {**stored, "creak": True}, {**stored, "roughness": "0.2"}):
        with pytest.raises(ValueError):
            VoiceTransform.from_dict(bad)


def test_scaled_moves_from_neutral() -> None:
    tr = VoiceTransform(f0_ratio=1.44, breathiness=0.8, tremor_depth=1.0, tremor_hz=6.0)
    assert tr.scaled(0.0).is_identity
    assert tr.scaled(1.0) == tr
    half = tr.scaled(0.5)
    assert half.f0_ratio == pytest.approx(1.2) and half.breathiness == pytest.approx(0.4)
    assert half.tremor_hz == 6.0


# -- measured effects --------------------------------------------------------------------


@pytest.mark.parametrize("voice", ["female", "male"])
def test_f0_ratio_moves_the_median_f0(speech: dict[str, NDArray[np.float32]], voice: str) -> None:
    x = speech[voice]
    base = _median_f0(x)
    for ratio in (1.3, 0.8):
        y = apply_transform(VoiceTransform(f0_ratio=ratio), x)
        # Frame by frame, and over the whole utterance (where lowering also
        # loses a few weakly voiced frames to the tracker).
        framewise = math.exp(float(np.median(_log_f0_change(x, y)[2])))
        assert framewise == pytest.approx(ratio, rel=0.03), (ratio, framewise)
        assert _median_f0(y) / base == pytest.approx(ratio, rel=0.08), (ratio, _median_f0(y) / base)


@pytest.mark.parametrize("voice", ["female", "male"])
def test_f0_range_widens_and_narrows_the_contour(speech: dict[str, NDArray[np.float32]],
                                                 voice: str) -> None:
    x = speech[voice]
    # Output minus input log-F0 grows with the input's distance from the median:
    # slope f0_range - 1 (0.7 and -0.6 here), less the tracker's noise.
    for factor, lo, hi in ((1.7, 0.25, 1.0), (0.4, -0.8, -0.35)):
        _, dev, change = _log_f0_change(x, apply_transform(VoiceTransform(f0_range=factor), x))
        slope = float(np.polyfit(dev, change, 1)[0])
        assert lo < slope < hi, (factor, slope)


@pytest.mark.parametrize("voice", ["female", "male"])
def test_formant_warp_moves_f1_and_f2(speech: dict[str, NDArray[np.float32]], voice: str) -> None:
    x = speech[voice]
    ceiling = CLIPS[voice][1]
    for warp in (1.2, 0.85):
        # One ceiling for both sides, between the two vocal-tract lengths.
        c = ceiling * math.sqrt(warp)
        moved = _formants(apply_transform(VoiceTransform(formant_warp=warp), x), c) / _formants(x, c)
        if warp > 1:
            assert np.all(moved > 1.05), (warp, moved)
        else:
            assert np.all(moved < 0.95), (warp, moved)


def test_breathiness_lowers_hnr(speech: dict[str, NDArray[np.float32]]) -> None:
    for x in speech.values():
        base = _hnr(x)
        some = _hnr(apply_transform(VoiceTransform(breathiness=0.5), x))
        full = _hnr(apply_transform(VoiceTransform(breathiness=1.0), x))
        assert full < some < base - 0.3 and full < base - 2.0, (base, some, full)
        assert _voiced(apply_transform(VoiceTransform(breathiness=1.0), x)) > 0.8 * _voiced(x)


def test_whisper_removes_voicing(speech: dict[str, NDArray[np.float32]]) -> None:
    for x in speech.values():
        base = _voiced(x)
        assert _voiced(apply_transform(VoiceTransform(whisper=0.3), x)) < base
        assert _voiced(apply_transform(VoiceTransform(whisper=1.0), x)) < 0.1 * base


def test_roughness_raises_jitter_and_lowers_hnr(speech: dict[str, NDArray[np.float32]]) -> None:
    for x in speech.values():
        y = apply_transform(VoiceTransform(roughness=0.7), x)
        assert _jitter(y) > 1.3 * _jitter(x)
        assert _hnr(y) < _hnr(x) - 1.0


def test_creak_turns_low_stretches_into_fry(speech: dict[str, NDArray[np.float32]]) -> None:
    for x in speech.values():
        base = _voiced(x)
        light = _voiced(apply_transform(VoiceTransform(creak=0.5), x))
        heavy = _voiced(apply_transform(VoiceTransform(creak=0.8), x))
        # Fry is below Praat's 60 Hz floor and irregular: those frames read unvoiced.
        assert heavy < 0.5 * base and heavy < light < base, (base, light, heavy)


@pytest.mark.parametrize("rate", [5.0, 7.0])
def test_tremor_modulates_f0_at_its_rate(speech: dict[str, NDArray[np.float32]], rate: float) -> None:
    x = speech["male"]
    t, _, change = _log_f0_change(x, apply_transform(
        VoiceTransform(tremor_depth=1.0, tremor_hz=rate), x))
    semitones = change * 12 / math.log(2)

    def amplitude(hz: float) -> float:
        basis = np.stack([np.sin(2 * np.pi * hz * t), np.cos(2 * np.pi * hz * t),
                          np.ones_like(t)], axis=1)
        coef = np.linalg.lstsq(basis, semitones, rcond=None)[0]
        return float(np.hypot(coef[0], coef[1]))

    at_rate = amplitude(rate)
    assert 0.7 < at_rate < 1.3, at_rate  # the set depth: 1 semitone peak
    assert amplitude(2.7) < 0.4 * at_rate and amplitude(9.1) < 0.4 * at_rate


def test_loudness_changes_rms_by_the_set_db(speech: dict[str, NDArray[np.float32]]) -> None:
    x = speech["female"]
    for db in (-6.0, 3.0):
        y = apply_transform(VoiceTransform(loudness_db=db), x)
        assert _rms_db(y) - _rms_db(x) == pytest.approx(db, abs=0.05)
    loud = apply_transform(VoiceTransform(loudness_db=12.0), x)
    assert float(np.max(np.abs(loud))) <= 1.0  # the limiter, not clipping


def test_tilt_reshapes_the_spectrum_and_keeps_the_level(
        speech: dict[str, NDArray[np.float32]]) -> None:
    def balance(y: NDArray[np.float32]) -> float:
        power = np.abs(np.fft.rfft(y.astype(np.float64))) ** 2
        f = np.fft.rfftfreq(y.size, 1 / SR)
        return float(10 * np.log10(power[(f > 2000) & (f < 6000)].sum()
                                   / power[(f > 100) & (f < 800)].sum()))

    for x in speech.values():
        dark = apply_transform(VoiceTransform(tilt_db_per_octave=-4.0), x)
        bright = apply_transform(VoiceTransform(tilt_db_per_octave=4.0), x)
        # 2-6 kHz vs 0.1-0.8 kHz is about 3 octaves apart: ~12 dB each way.
        assert balance(dark) < balance(x) - 8 and balance(bright) > balance(x) + 8
        # Level: normalized on an average speech spectrum, so a voice far darker
        # than that (these audiobook recordings) moves a few dB.
        assert abs(_rms_db(dark) - _rms_db(x)) < 4.5 and abs(_rms_db(bright) - _rms_db(x)) < 4.5


# -- streaming ---------------------------------------------------------------------------

COMBINED = VoiceTransform(f0_ratio=1.2, f0_range=1.3, formant_warp=1.1, breathiness=0.3,
                          roughness=0.3, tremor_depth=0.5, loudness_db=-2.0,
                          tilt_db_per_octave=-2.0)


@pytest.mark.parametrize("voice", ["female", "male"])
def test_chunked_output_matches_whole_without_clicks(speech: dict[str, NDArray[np.float32]],
                                                     voice: str) -> None:
    x = speech[voice]
    whole = apply_transform(COMBINED, x)
    size = round(0.3 * SR)
    y = np.concatenate(_stream(COMBINED, x, size))
    assert y.size == x.size == whole.size and y.dtype == np.float32
    # The centre of f0_range is the median F0 analysed so far: the whole utterance
    # at once, or a running median that settles as chunks come.
    assert _median_f0(y) == pytest.approx(_median_f0(whole), rel=0.05)

    # Level, 20 ms windows: follows the whole-utterance rendering.
    def levels(z: NDArray[np.float32]) -> NDArray[np.float64]:
        n = z.size // 480
        frames = z[:n * 480].astype(np.float64).reshape(n, 480)
        return 10 * np.log10(np.mean(frames**2, axis=1) + 1e-10)

    speaking = levels(whole) > levels(whole).max() - 40
    diff = np.abs(levels(y) - levels(whole))[speaking]
    assert np.median(diff) < 1.0 and np.percentile(diff, 95) < 4.0, (
        np.median(diff), np.percentile(diff, 95))

    # At every chunk boundary: no sample jump beyond the signal's own steepest
    # 0.1 %, and the level just before and after matches the whole rendering's.
    jumps = np.abs(np.diff(y.astype(np.float64)))
    typical = float(np.percentile(jumps, 99.9))
    for b in range(size, x.size - 240, size):
        assert jumps[b - 1] <= typical, (b, jumps[b - 1], typical)
        step_y = _rms_db(y[b:b + 240] + 1e-9) - _rms_db(y[b - 240:b] + 1e-9)
        step_w = _rms_db(whole[b:b + 240] + 1e-9) - _rms_db(whole[b - 240:b] + 1e-9)
        assert abs(step_y - step_w) < 6.0, (b, step_y, step_w)


def test_spectral_effects_do_not_depend_on_chunking(speech: dict[str, NDArray[np.float32]]) -> None:
    x = speech["female"]
    tr = VoiceTransform(breathiness=0.6, whisper=0.2, tilt_db_per_octave=-3.0, loudness_db=-1.0)
    whole = apply_transform(tr, x)
    stream = TransformStream(tr, SR)
    parts = [stream.process(c) for c in irregular_chunks(x)] + [stream.flush()]
    np.testing.assert_allclose(np.concatenate(parts), whole, atol=1e-6)


def test_any_chunking_keeps_length_and_range(speech: dict[str, NDArray[np.float32]]) -> None:
    x = speech["male"][:SR]
    tr = VoiceTransform(f0_ratio=0.8, formant_warp=0.9, creak=0.6, whisper=0.1)
    stream = TransformStream(tr, SR)
    parts = [stream.process(c) for c in irregular_chunks(x)]
    assert stream.latency < 0.3 * SR
    parts.append(stream.flush())
    y = np.concatenate(parts)
    assert y.size == x.size and np.all(np.isfinite(y)) and np.max(np.abs(y)) <= 1.0
    with pytest.raises(RuntimeError):
        stream.process(x[:10])


def test_silence_and_scraps_pass_through() -> None:
    tr = VoiceTransform(f0_ratio=1.3, breathiness=0.5)
    silence = np.zeros(SR, np.float32)
    assert np.max(np.abs(apply_transform(tr, silence))) < 1e-6
    scrap = (0.1 * np.sin(np.arange(100) / 5.0)).astype(np.float32)
    out = apply_transform(tr, scrap)
    assert out.size == 100 and np.all(np.isfinite(out))
    assert apply_transform(tr, np.zeros(0, np.float32)).size == 0
