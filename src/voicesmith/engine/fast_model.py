"""The engine's model files made at install: the fast model, and the model split in two.

``build_fast_model`` runs once at asset install:

1. the fast model: the pinned one with its convolutions rewritten
   (``conv_rewrite``). It is used only if, on this machine, it produces
   byte-identical audio to the pinned model for probe inputs of several
   lengths and is faster; otherwise the pinned model stays in use.
2. the split: whichever of the two the engine uses, cut into a front and a
   decoder (``split_model``, for a sooner first audio), kept only if front
   then decoder gives the pinned model's audio byte for byte.

The record says what was found and why, and names the CPU and onnxruntime
it was checked on: a cache moved to another machine (or an onnxruntime
upgrade, which brings other kernels) is checked again rather than trusted.

Measured on the 2-core bench machine (AVX-512 VNNI): the fast model takes
0.65x the pinned model's time for the same audio (README, "Engine tuning").
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
from numpy.typing import NDArray

from voicesmith.engine.base import PACK_ROWS, SAMPLE_RATE, model_feeds
from voicesmith.engine.integrity import write_atomic
from voicesmith.engine.pins import MODEL_FILENAME
from voicesmith.engine.session import ENGINE_TUNING, open_session
from voicesmith.engine.split_model import SplitKokoro, split_model

log = logging.getLogger(__name__)

_STEM = MODEL_FILENAME.removesuffix(".onnx")
FAST_MODEL_FILENAME = f"{_STEM}.fast.onnx"
FRONT_FILENAME = f"{_STEM}.front.onnx"
DECODER_FILENAME = f"{_STEM}.decoder.onnx"
RECORD_FILENAME = f"{_STEM}.engine-check.json"
# A rewrite that saves less than this is not worth a second 90 MB file.
KEEP_BELOW_TIME_RATIO = 0.95
# Probe lengths in tokens: a word, a sentence, a long sentence.
_PROBE_TOKENS = (8, 60, 200)
_VOCAB_IDS = (1, 177)  # Kokoro's token ids (0 is the pad)


@dataclass(frozen=True)
class FastModelRecord:
    """What the check found, stored beside the models as JSON."""

    source_sha256: str
    machine: str  # ``machine_signature()`` at the check
    identical: bool  # the rewritten model's audio, byte for byte
    time_ratio: float  # rewritten / pinned, same probes (nan if not timed)
    rewritten_convs: int
    kept: bool  # the fast model is used
    split: bool  # the front and decoder are used
    # Each kept file's [size, mtime_ns]: unchanged since the check.
    files: dict[str, list[int]] = field(default_factory=dict)
    reason: str = ""  # why the fast model is not used
    split_reason: str = ""

    def vouches_for(self, folder: Path, source_sha256: str) -> bool:
        """True if this record is for ``source_sha256`` on this machine, its files unchanged."""
        if self.source_sha256 != source_sha256 or self.machine != machine_signature():
            return False
        try:
            return all([(st := (folder / name).stat()).st_size, st.st_mtime_ns] == stat
                       for name, stat in self.files.items())
        except OSError:
            return False


def machine_signature() -> str:
    """The CPU (model and instruction-set flags) and onnxruntime version the check depends on."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            lines = [ln for ln in f if ln.startswith(("model name", "flags"))]
        cpu = "".join(sorted(set(lines)))
    except OSError:
        pass
    digest = hashlib.sha256(cpu.encode()).hexdigest()[:16]
    return f"onnxruntime {ort.__version__}, cpu {digest}"


def read_record(path: Path) -> FastModelRecord | None:
    try:
        return FastModelRecord(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def build_fast_model(
    source: Path, source_sha256: str, folder: Path,
    styles: Sequence[NDArray[np.float32]], say: Callable[[str], None],
    *, keep_below: float | None = None,
) -> FastModelRecord:
    """Build, check and keep (or remove) the files in ``folder``; write and return the record.

    Never raises for a rewrite or split that fails or does not pay: the record
    says why. ``styles`` are voice packs (510 x 256) whose rows the probes are
    spoken with; ``keep_below`` is the time ratio the rewrite must beat
    (``KEEP_BELOW_TIME_RATIO``).
    """
    threshold = KEEP_BELOW_TIME_RATIO if keep_below is None else keep_below
    say("Building the fast model (convolutions as int8 matrix products) and checking it")
    feeds = _probes(styles)
    files: dict[str, list[int]] = {}
    with tempfile.TemporaryDirectory(prefix=".fast-model-", dir=folder) as tmp:
        work = Path(tmp)
        count, identical, ratio, reason = 0, False, float("nan"), ""
        reference: list[NDArray[np.float32]] | None = None
        try:
            pinned = open_session(source, ENGINE_TUNING)
            reference = _speak(pinned, feeds)  # also its warm-up for the timing
            count = _write_rewritten(source, work / FAST_MODEL_FILENAME)
            if count:
                identical, ratio = _compare(pinned, work / FAST_MODEL_FILENAME, reference, feeds)
        except Exception as exc:  # onnx / onnxruntime raise many untyped errors
            log.warning("The fast model could not be built: %s", exc)
            reason = f"build failed: {exc}"
        reason = reason or ("no convolution to rewrite" if not count else
                            "its audio differs on this CPU" if not identical else
                            "" if ratio < threshold else f"not faster here ({ratio:.2f}x)")
        kept = not reason
        if kept:
            files[FAST_MODEL_FILENAME] = _keep(work / FAST_MODEL_FILENAME, folder)
        split_reason = "the pinned model could not be run"
        if reference is not None:
            base = folder / FAST_MODEL_FILENAME if kept else source
            split_reason = _try_split(base, work, reference, feeds)
            if not split_reason:
                for name in (FRONT_FILENAME, DECODER_FILENAME):
                    files[name] = _keep(work / name, folder)
        split = not split_reason
    for name in (FAST_MODEL_FILENAME, FRONT_FILENAME, DECODER_FILENAME):
        if name not in files:
            (folder / name).unlink(missing_ok=True)
    record = FastModelRecord(source_sha256, machine_signature(), identical, ratio, count, kept,
                             split, files, reason, split_reason)
    write_atomic(folder / RECORD_FILENAME, json.dumps(asdict(record), indent=1).encode())
    say(f"Fast model: {ratio:.2f}x the pinned model's time, identical audio"
        if kept else f"Fast model not used: {reason}")
    say("Model split for a sooner first audio" if split else f"Model not split: {split_reason}")
    return record


def _keep(path: Path, folder: Path) -> list[int]:
    target = folder / path.name
    os.replace(path, target)
    st = target.stat()
    return [st.st_size, st.st_mtime_ns]


def _try_split(base: Path, work: Path, reference: list[NDArray[np.float32]],
               feeds: list[dict[str, NDArray[Any]]]) -> str:
    """Split ``base`` into ``work``; "" if front-then-decoder speaks like the pinned model."""
    try:
        split_model(base, work / FRONT_FILENAME, work / DECODER_FILENAME)
        split = SplitKokoro(open_session(work / FRONT_FILENAME, ENGINE_TUNING),
                            open_session(work / DECODER_FILENAME, ENGINE_TUNING))
        got = [split.decode(split.prosody(f), f["style"]) for f in feeds]
    except Exception as exc:  # a model without the pinned export's tensors, among others
        log.warning("The model could not be split: %s", exc)
        return f"split failed: {exc}"
    same = all(a.reshape(-1).tobytes() == b.tobytes() for a, b in zip(reference, got, strict=True))
    return "" if same else "front then decoder differs from the whole model"


def _write_rewritten(source: Path, target: Path) -> int:
    import onnx

    from voicesmith.engine.conv_rewrite import rewrite_conv_integer

    model = onnx.load(str(source))
    count = rewrite_conv_integer(model)
    if count:
        onnx.save(model, str(target))
    return count


def _probes(styles: Sequence[NDArray[np.float32]]) -> list[dict[str, NDArray[Any]]]:
    rng = np.random.default_rng(0)
    feeds = []
    for i, n in enumerate(_PROBE_TOKENS):
        pack = styles[i % len(styles)].reshape(PACK_ROWS, -1)
        tokens = rng.integers(_VOCAB_IDS[0], _VOCAB_IDS[1] + 1, n).tolist()
        feeds.append(model_feeds(tokens, pack, 1.0))
    return feeds


def _speak(session: ort.InferenceSession,
           feeds: list[dict[str, NDArray[Any]]]) -> list[NDArray[np.float32]]:
    return [np.asarray(session.run(None, f)[0], dtype=np.float32) for f in feeds]


def _compare(pinned: ort.InferenceSession, candidate: Path,
             reference: list[NDArray[np.float32]],
             feeds: list[dict[str, NDArray[Any]]]) -> tuple[bool, float]:
    """Whether ``candidate`` speaks the probes byte for byte like ``reference`` (``pinned``'s
    output), and its time ratio to ``pinned``."""
    sessions = [pinned, open_session(candidate, ENGINE_TUNING)]
    outputs = [reference, _speak(sessions[1], feeds)]  # the candidate's warm-up too
    identical = all(a.shape == b.shape and a.tobytes() == b.tobytes() for a, b in zip(*outputs))
    if not identical:
        return False, float("nan")
    best = [float("inf"), float("inf")]
    for _ in range(2):  # alternate, so that a busy moment does not favour one
        for i, session in enumerate(sessions):
            start = time.perf_counter()
            for f in feeds:
                session.run(None, f)
            best[i] = min(best[i], time.perf_counter() - start)
    audio_s = sum(o.size for o in outputs[0]) / SAMPLE_RATE
    log.info("fast model check: %.1f s of audio, pinned %.2f s, rewritten %.2f s",
             audio_s, best[0], best[1])
    return True, best[1] / best[0]
