"""Choosing the voice transform's signal processing: ``python -m voicesmith.bench.transform``.

Real sentences from stock voices go through each effect with each candidate
method, and are compared with the untouched audio of the same run:

- ``stream``: the chosen ``audio.voice_transform.TransformStream`` (streaming
  TD-PSOLA + STFT noise/tilt), fed the engine's own chunks as ``speak`` would.
- ``world``: WORLD through pyworld (dio + stonemask at 5 ms, the better WORLD
  setting here; cheaptrick, d4c), parameters edited, whole utterance.
- ``world10``: WORLD as the upload clones' post-process runs it today (10 ms).
- ``praat``: Praat's PSOLA through parselmouth, whole utterance ("Change
  gender" for F0/range/formants, a manipulated PitchTier for tremor and
  jitter); n/a where Praat has no such control.

Per effect and method: DistillMOS (and its change), speaker similarity to the
untouched audio, CPU seconds per audio second of the transform alone, and a
Praat/numpy measure that the effect happened. Needs the eval extra.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from voicesmith.audio.voice_transform import TransformStream, VoiceTransform, spectral_gains

SR = 24_000
VOICES = ("af_heart", "am_michael", "bf_emma")
SENTENCES = (
    "The quick brown fox jumps over the lazy dog, and then it runs away into the forest.",
    ("Your order has shipped and should arrive on Thursday. If anything is missing, "
     "reply to this message."),
)
NEAR_IDENTITY = VoiceTransform(f0_ratio=1.000001)  # forces the resynthesis path
HEAVIEST = VoiceTransform(f0_ratio=1.5, f0_range=1.4, formant_warp=1.2, breathiness=0.5,
                          roughness=0.5, creak=0.3, tremor_depth=1.0, loudness_db=-3.0,
                          tilt_db_per_octave=-2.0)
EFFECTS: dict[str, VoiceTransform] = {
    "resynthesis only": NEAR_IDENTITY,
    "f0 x1.25": VoiceTransform(f0_ratio=1.25),
    "f0 x0.8": VoiceTransform(f0_ratio=0.8),
    "range x1.6": VoiceTransform(f0_range=1.6),
    "range x0.5": VoiceTransform(f0_range=0.5),
    "formants x1.15": VoiceTransform(formant_warp=1.15),
    "formants x0.88": VoiceTransform(formant_warp=0.88),
    "child (f0 x1.5, formants x1.2)": VoiceTransform(f0_ratio=1.5, formant_warp=1.2),
    "breathiness 0.5": VoiceTransform(breathiness=0.5),
    "breathiness 1.0": VoiceTransform(breathiness=1.0),
    "whisper 1.0": VoiceTransform(whisper=1.0),
    "roughness 0.5": VoiceTransform(roughness=0.5),
    "roughness 1.0": VoiceTransform(roughness=1.0),
    "creak 0.3": VoiceTransform(creak=0.3),
    "creak 0.7": VoiceTransform(creak=0.7),
    "tremor 1 st @ 5.5 Hz": VoiceTransform(tremor_depth=1.0, tremor_hz=5.5),
    "tilt -3 dB/oct": VoiceTransform(tilt_db_per_octave=-3.0),
    "heaviest (all on)": HEAVIEST,
}
METHODS = ("stream", "world", "world10", "praat")


@dataclass
class Cell:
    mos: list[float] = field(default_factory=list)
    sim: list[float] = field(default_factory=list)
    cpu: float = 0.0
    seconds: float = 0.0
    measure: list[float] = field(default_factory=list)


# -- candidates -------------------------------------------------------------------------


def run_stream(chunks: list[NDArray[np.float32]], tr: VoiceTransform) -> NDArray[np.float32]:
    stream = TransformStream(tr, SR)
    out = [stream.process(c, last=i == len(chunks) - 1) for i, c in enumerate(chunks)]
    return np.concatenate(out)


def _creak_weight(st: NDArray[np.float64], c: float) -> NDArray[np.float64]:
    threshold = -3.0 + 22.0 * max(c - 0.5, 0.0)
    return min(2.0 * c, 1.0) * np.clip((threshold - st) / 2.0, 0.0, 1.0)


def _import_pyworld() -> types.ModuleType:
    """Import pyworld even where setuptools >= 81 has removed pkg_resources.

    pyworld 0.3.x reads its own version through ``pkg_resources`` at import and
    nothing else; a stand-in that answers that one call keeps the server free
    of a setuptools pin.
    """
    try:
        import pyworld  # type: ignore[import-untyped]
    except ModuleNotFoundError as exc:
        if exc.name == "pyworld":
            from voicesmith.cloning.availability import missing_packages_error

            raise missing_packages_error(["pyworld"], "The WORLD candidate of this bench") from exc
        if exc.name != "pkg_resources":
            raise
        stub = types.ModuleType("pkg_resources")

        class _Dist:
            version = "unknown"

        stub.get_distribution = lambda _name: _Dist()  # type: ignore[attr-defined]
        sys.modules.setdefault("pkg_resources", stub)
        sys.modules.pop("pyworld", None)
        import pyworld  # type: ignore[import-untyped]
    return pyworld


def warp_envelope(envelope: NDArray[np.float64], warp: float) -> NDArray[np.float64]:
    """Frequency-warp each frame: output bin k takes the input at k / warp."""
    if abs(warp - 1.0) < 1e-6:
        return envelope
    n_bins = envelope.shape[1]
    src = np.minimum(np.arange(n_bins) / warp, n_bins - 1)
    lo = np.floor(src).astype(np.intp)
    hi = np.minimum(lo + 1, n_bins - 1)
    frac = src - lo
    # Interpolate in the log domain: the envelope spans many decades.
    log_env = np.log(np.maximum(envelope, 1e-16))
    warped = log_env[:, lo] * (1.0 - frac) + log_env[:, hi] * frac
    return np.ascontiguousarray(np.exp(warped))


def run_world(x: NDArray[np.float32], tr: VoiceTransform, frame_ms: float = 5.0) -> NDArray[np.float32]:
    """The same parameters expressed as WORLD edits (F0, envelope, aperiodicity)."""
    pw = _import_pyworld()
    xd = x.astype(np.float64)
    f0, times = pw.dio(xd, SR, f0_floor=60.0, f0_ceil=600.0, frame_period=frame_ms)
    f0 = pw.stonemask(xd, f0, times, SR)
    fft = pw.get_cheaptrick_fft_size(SR)
    sp = pw.cheaptrick(xd, f0, times, SR, fft_size=fft)
    ap = pw.d4c(xd, f0, times, SR, fft_size=fft)
    rng = np.random.default_rng(0)
    v = f0 > 0
    if v.any():
        lf = np.log(f0[v])
        ref = float(np.median(lf))
        lf = math.log(tr.f0_ratio) + ref + tr.f0_range * (lf - ref)
        lf += tr.tremor_depth * math.log(2) / 12 * np.sin(2 * np.pi * tr.tremor_hz * times[v])
        w = _creak_weight((lf - math.log(tr.f0_ratio) - ref) / (math.log(2) / 12), tr.creak)
        lf += np.log(1.0 - 0.55 * w)
        lf += np.log1p(np.clip((0.03 * tr.roughness + 0.12 * w) * rng.standard_normal(lf.size),
                               -0.3, 0.3))
        f0 = f0.copy()
        f0[v] = np.exp(lf)
    freqs = np.linspace(0, SR / 2, sp.shape[1])
    harm, noise = spectral_gains(tr, freqs)  # the stream's own mix, as aperiodicity
    ap_pow = ap**2
    noise_share = np.clip((noise / 2.0) ** 2 / ((noise / 2.0) ** 2 + harm**2 + 1e-12), 0, 1)
    ap_pow = ap_pow + (1 - ap_pow) * np.clip(noise_share + 0.3 * tr.roughness, 0, 1)
    if tr.whisper >= 0.99:
        f0 = np.zeros_like(f0)
    sp = warp_envelope(sp, tr.formant_warp) * (harm**2 + (noise / 2.0) ** 2)
    y = pw.synthesize(f0, np.ascontiguousarray(sp), np.ascontiguousarray(np.sqrt(ap_pow)), SR,
                      frame_period=frame_ms)[:x.size]
    y = np.pad(y, (0, x.size - y.size))
    y *= math.sqrt(np.mean(xd**2) / max(np.mean(y**2), 1e-12)) * 10 ** (tr.loudness_db / 20)
    return np.clip(y, -1, 1).astype(np.float32)


def run_praat(x: NDArray[np.float32], tr: VoiceTransform) -> NDArray[np.float32] | None:
    import parselmouth
    from parselmouth.praat import call

    pitch_only = {"f0_ratio", "f0_range", "formant_warp"}
    manip_only = {"tremor_depth", "roughness"}
    changed = {k for k, v in tr.to_dict().items()
               if k not in ("kind", "version", "tremor_hz") and v != getattr(VoiceTransform(), k)}
    sound = parselmouth.Sound(x.astype(np.float64), SR)
    if changed <= pitch_only:
        pitch = sound.to_pitch_ac(time_step=0.01, pitch_floor=60.0, pitch_ceiling=600.0)
        median = call(pitch, "Get quantile", 0, 0, 0.5, "Hertz")
        out = call(sound, "Change gender", 60, 600, tr.formant_warp, median * tr.f0_ratio,
                   tr.f0_range, 1.0)
    elif changed <= manip_only:
        manip = call(sound, "To Manipulation", 0.01, 60, 600)
        tier = call(manip, "Extract pitch tier")
        call(tier, "Formula", f"self * 2^({tr.tremor_depth}*sin(2*pi*{tr.tremor_hz}*x)/12)"
             f" * (1 + {0.03 * tr.roughness}*randomGauss(0,1))")
        call([tier, manip], "Replace pitch tier")
        out = call(manip, "Get resynthesis (overlap-add)")
    else:
        return None
    y = np.asarray(out.values[0], dtype=np.float32)[:x.size]
    return np.pad(y, (0, x.size - y.size))


# -- measures ---------------------------------------------------------------------------


def _praat_stats(y: NDArray[np.float32]) -> dict[str, float]:
    import parselmouth
    from parselmouth.praat import call

    s = parselmouth.Sound(y.astype(np.float64), SR)
    p = s.to_pitch_ac(time_step=0.01, pitch_floor=60.0, pitch_ceiling=600.0)
    f = p.selected_array["frequency"]
    v = f[f > 0]
    out = {"voiced": float(np.mean(f > 0)),
           "hnr": float(call(s.to_harmonicity_cc(0.01, 60, 0.1, 1.0), "Get mean", 0, 0)),
           "median_f0": float(np.median(v)) if v.size else math.nan,
           "range_st": float(12 * np.log2(np.percentile(v, 90) / np.percentile(v, 10)))
           if v.size > 10 else math.nan,
           "rms_db": float(20 * np.log10(np.sqrt(np.mean(y.astype(np.float64) ** 2)) + 1e-12))}
    points = call([s, p], "To PointProcess (cc)")
    out["jitter"] = (float(call(points, "Get jitter (local)", 0, 0, 0.0001, 0.02, 1.3))
                     if v.size > 10 else math.nan)
    # Tremor: amplitude (semitones) of the log-F0 contour's component at 5.5 Hz.
    t, lf = p.xs()[f > 0], 12 * np.log2(np.maximum(v, 1.0))
    if v.size > 20:
        basis = np.stack([np.sin(2 * np.pi * 5.5 * t), np.cos(2 * np.pi * 5.5 * t),
                          np.ones_like(t), t], axis=1)
        coef = np.linalg.lstsq(basis, lf, rcond=None)[0]
        out["tremor_st"] = float(np.hypot(coef[0], coef[1]))
    else:
        out["tremor_st"] = math.nan
    return out


def ltas_scale(x: NDArray[np.float32], y: NDArray[np.float32]) -> float:
    """The frequency scale s for which y's long-term spectrum best matches x's at f/s."""
    def ltas(z: NDArray[np.float32]) -> NDArray[np.float64]:
        frames = np.lib.stride_tricks.sliding_window_view(z.astype(np.float64), 1024)[::256]
        power = np.abs(np.fft.rfft(frames * np.hanning(1024), axis=1)) ** 2
        loud = power.sum(1) > np.percentile(power.sum(1), 50)
        return 10 * np.log10(power[loud].mean(0) + 1e-12)

    f = np.fft.rfftfreq(1024, 1 / SR)
    band = (f > 250) & (f < 5000)
    a, b = ltas(x), ltas(y)
    scales = np.arange(0.7, 1.41, 0.01)
    score = [np.corrcoef(np.interp(f / s, f, a)[band], b[band])[0, 1] for s in scales]
    return float(scales[int(np.argmax(score))])


MEASURES: dict[str, tuple[str, Callable[[dict[str, float], dict[str, float]], float]]] = {
    "f0": ("median F0 ratio", lambda a, b: b["median_f0"] / a["median_f0"]),
    "range": ("F0 range ratio", lambda a, b: b["range_st"] / a["range_st"]),
    "breath": ("HNR change dB", lambda a, b: b["hnr"] - a["hnr"]),
    "whisper": ("voiced fraction", lambda a, b: b["voiced"]),
    "rough": ("jitter ratio", lambda a, b: b["jitter"] / a["jitter"]),
    "creak": ("voiced fraction ratio", lambda a, b: b["voiced"] / a["voiced"]),
    "tremor": ("5.5 Hz F0 component st", lambda a, b: b["tremor_st"]),
    "tilt": ("level change dB", lambda a, b: b["rms_db"] - a["rms_db"]),
}


def _measure_key(effect: str) -> str | None:
    for key, prefix in (("f0", "f0 "), ("range", "range"), ("formant", "formants"),
                        ("formant", "child"), ("breath", "breath"), ("whisper", "whisper"),
                        ("rough", "rough"), ("creak", "creak"), ("tremor", "tremor"),
                        ("tilt", "tilt")):
        if effect.startswith(prefix):
            return key
    return None


# -- the run ----------------------------------------------------------------------------


def run(voices: tuple[str, ...] = VOICES, sentences: tuple[str, ...] = SENTENCES,
        methods: tuple[str, ...] = METHODS) -> dict[str, Any]:
    from voicesmith.config import Settings
    from voicesmith.engine.loader import load_engine
    from voicesmith.evaluation.quality import naturalness_mos
    from voicesmith.evaluation.speaker import speaker_embedding

    engine = load_engine(Settings())
    utterances: list[tuple[list[NDArray[np.float32]], NDArray[np.float32]]] = []
    synth_cpu = synth_audio = 0.0
    for name in voices:
        voice = engine.stock_voices[name]
        for text in sentences:
            c0 = time.process_time()
            chunks = [c.samples for c in engine.synthesize(text, voice.style, voice.language)]
            synth_cpu += time.process_time() - c0
            whole = np.concatenate(chunks)
            synth_audio += whole.size / SR
            utterances.append((chunks, whole))
    base_mos = [naturalness_mos(w, SR) for _, w in utterances]
    base_emb = [speaker_embedding(w, SR) for _, w in utterances]
    base_stats = [_praat_stats(w) for _, w in utterances]
    cells: dict[tuple[str, str], Cell] = {}
    for effect, tr in EFFECTS.items():
        key = _measure_key(effect)
        for method in methods:
            cell = Cell()
            for i, (chunks, whole) in enumerate(utterances):
                c0 = time.process_time()
                y: NDArray[np.float32] | None
                if method == "stream":
                    y = run_stream(chunks, tr)
                elif method == "world":
                    y = run_world(whole, tr)
                elif method == "world10":
                    y = (run_world(whole, tr, 10.0) if effect in (
                        "resynthesis only", "f0 x1.25", "f0 x0.8", "formants x1.15",
                        "formants x0.88", "child (f0 x1.5, formants x1.2)") else None)
                else:
                    y = run_praat(whole, tr)
                if y is None:
                    break
                cell.cpu += time.process_time() - c0
                cell.seconds += whole.size / SR
                cell.mos.append(naturalness_mos(y, SR))
                cell.sim.append(float(np.dot(base_emb[i], speaker_embedding(y, SR))))
                if key == "formant":
                    cell.measure.append(ltas_scale(whole, y))
                elif key is not None:
                    cell.measure.append(MEASURES[key][1](base_stats[i], _praat_stats(y)))
            if cell.mos:
                cells[(effect, method)] = cell
    rows = []
    for (effect, method), cell in cells.items():
        key = _measure_key(effect)
        label = "LTAS frequency scale" if key == "formant" else (MEASURES[key][0] if key else "")
        rows.append({"effect": effect, "method": method,
                     "mos": float(np.mean(cell.mos)),
                     "mos_change": float(np.mean(cell.mos) - np.mean(base_mos)),
                     "speaker_similarity": float(np.mean(cell.sim)),
                     "cpu_per_audio_s": cell.cpu / cell.seconds,
                     "measure": label,
                     "measured": float(np.nanmean(cell.measure)) if cell.measure else math.nan})
    return {"voices": list(voices), "utterances": len(utterances),
            "audio_s": synth_audio, "untouched_mos": float(np.mean(base_mos)),
            "synthesis_cpu_per_audio_s": synth_cpu / synth_audio, "rows": rows}


def markdown(result: dict[str, Any]) -> str:
    head = (f"{result['utterances']} utterances ({', '.join(result['voices'])}), "
            f"{result['audio_s']:.1f} s of audio; untouched DistillMOS "
            f"{result['untouched_mos']:.2f}; synthesis "
            f"{result['synthesis_cpu_per_audio_s']:.3f} CPU s per audio s")
    lines = [head, "",
             "| effect | method | MOS | ΔMOS | speaker sim | CPU s/audio s | effect measured |",
             "|---|---|---|---|---|---|---|"]
    for r in result["rows"]:
        measured = f"{r['measure']}: {r['measured']:.2f}" if r["measure"] else ""
        lines.append(f"| {r['effect']} | {r['method']} | {r['mos']:.2f} | {r['mos_change']:+.2f} "
                     f"| {r['speaker_similarity']:.3f} | {r['cpu_per_audio_s']:.3f} | {measured} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--voices", default=",".join(VOICES))
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    result = run(tuple(args.voices.split(",")), SENTENCES, tuple(args.methods.split(",")))
    print(markdown(result))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=2)


if __name__ == "__main__":
    main()
