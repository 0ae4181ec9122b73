"""The model files the engine-options bench compares, and how close their speech is.

Derived from the installed int8 model into a work folder (kept between runs:
a file already there is reused):

* ``saved``: the graph after onnxruntime's full optimization, as
  ``SessionOptions.optimized_model_filepath`` writes it; loaded with
  optimization disabled. onnxruntime's caveat: such a file may hold
  kernels and layouts chosen for the CPU it was written on, so it is only
  valid on that machine (and with that onnxruntime version);
* ``conv-float``: the ConvInteger chains rewritten as float Conv
  (``bench.dequantize``), float32 weights;
* ``conv-runtime``: the same, the weights left uint8 and dequantized by a
  ``DequantizeLinear`` node at each run;
* ``all-float``: every quantized operator rewritten (Conv, MatMul, LSTM).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from voicesmith.engine.session import SessionTuning, open_session

MODELS = ("int8", "saved", "conv-float", "conv-runtime", "all-float")
_REWRITES: dict[str, tuple[tuple[str, ...], str]] = {
    "conv-float": (("ConvInteger",), "float"),
    "conv-runtime": (("ConvInteger",), "runtime"),
    "all-float": (("ConvInteger", "MatMulInteger", "DynamicQuantizeLSTM"), "float"),
}


def model_file(kind: str, int8: Path, work: Path) -> Path:
    """The file for model ``kind``, derived from ``int8`` into ``work`` if missing."""
    if kind == "int8":
        return int8
    target = work / f"kokoro-{kind}.onnx"
    if target.is_file():
        return target
    partial = target.with_suffix(".partial")
    if kind == "saved":
        open_session(int8, SessionTuning(save_optimized_to=partial))
    else:
        import onnx

        from voicesmith.bench.dequantize import dequantize

        ops, mode = _REWRITES[kind]
        model = onnx.load(str(int8))
        dequantize(model, ops=ops, mode=mode)  # type: ignore[arg-type]
        onnx.save(model, str(partial))
    partial.replace(target)
    return target


@dataclass(frozen=True)
class Closeness:
    """How a variant's speech compares with the int8 model's, on the same pieces.

    The waveform figures are strict: the vocoder's phase drifts with any
    change in its activations (as between int8 and float arithmetic), which
    lowers them without changing what is heard; the spectral ones compare
    log-magnitude spectrograms, which phase does not move.
    """

    correlation: float  # waveform; lowest over the pieces
    snr_db: float  # waveform, lowest: int8 signal power / difference power
    spectral_correlation: float  # log-magnitude spectrogram, lowest over the pieces
    spectral_distance_db: float  # mean |difference| of the log spectrograms (dB), largest
    length_change: float  # largest relative difference in samples


def closeness(variant: Path, int8: Path,
              feeds: Sequence[dict[str, NDArray[np.generic]]]) -> Closeness:
    """Both models on the same ``feeds`` (one model pass each)."""
    ours, theirs = (open_session(p, SessionTuning()) for p in (variant, int8))
    output = theirs.get_outputs()[0].name
    corr, snr, spec_corr, spec_dist, change = [], [], [], [], []
    for feed in feeds:
        a = np.asarray(theirs.run([output], feed)[0], np.float64).ravel()
        b = np.asarray(ours.run([output], feed)[0], np.float64).ravel()
        change.append(abs(a.size - b.size) / max(a.size, 1))
        n = min(a.size, b.size)
        a, b = a[:n], b[:n]
        corr.append(float(np.corrcoef(a, b)[0, 1]))
        noise = float(np.sum((a - b) ** 2))
        snr.append(float(10 * np.log10(float(np.sum(a**2)) / max(noise, 1e-30))))
        la, lb = _log_spectrogram(a), _log_spectrogram(b)
        spec_corr.append(float(np.corrcoef(la.ravel(), lb.ravel())[0, 1]))
        spec_dist.append(float(np.mean(np.abs(la - lb))))
    return Closeness(min(corr), min(snr), min(spec_corr), max(spec_dist), max(change))


def _log_spectrogram(x: NDArray[np.float64], frame: int = 1024,
                     hop: int = 256) -> NDArray[np.float64]:
    """20 log10 |STFT| (Hann window), floored 80 dB below the loudest bin."""
    frames = np.lib.stride_tricks.sliding_window_view(x, frame)[::hop] * np.hanning(frame)
    db = 20 * np.log10(np.abs(np.fft.rfft(frames, axis=1)) + 1e-12)
    return np.maximum(db, db.max() - 80)


def word_error_rate(speak: Callable[[str], NDArray[np.float32]], texts: Sequence[str],
                    sample_rate: int) -> float:
    """Mean WER of the offline recognizer (the eval extra) over ``texts``."""
    from voicesmith.evaluation.asr import word_error_rate as wer

    return float(np.mean([wer(speak(text), sample_rate, text) for text in texts]))
