"""The fast model: the pinned one with its convolutions rewritten, kept only if it is faster and the same.

``build_fast_model`` runs once at asset install (``conv_rewrite`` says what
the rewrite does). Before the rewritten model is used it must, on this
machine, produce byte-identical audio to the pinned model for probe inputs
of several lengths, and be faster; otherwise the record says so and the
pinned model stays in use. The record also names the CPU and onnxruntime
it was checked on: a cache moved to another machine (or an onnxruntime
upgrade, which brings other kernels) is checked again rather than trusted.

Measured on the 2-core bench machine (AVX-512 VNNI): 0.65x the pinned
model's time for the same audio (README, "Engine tuning").
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
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
from numpy.typing import NDArray

from voicesmith.engine.base import PACK_ROWS, SAMPLE_RATE
from voicesmith.engine.integrity import write_atomic
from voicesmith.engine.session import ENGINE_TUNING, open_session

log = logging.getLogger(__name__)

# A rewrite that saves less than this is not worth a second 90 MB file.
KEEP_BELOW_TIME_RATIO = 0.95
# Probe lengths in tokens: a word, a sentence, a long sentence.
_PROBE_TOKENS = (8, 60, 200)
_VOCAB_IDS = (1, 177)  # Kokoro's token ids (0 is the pad)


@dataclass(frozen=True)
class FastModelRecord:
    """What the check found, stored beside the model as JSON."""

    source_sha256: str
    machine: str  # ``machine_signature()`` at the check
    identical: bool
    time_ratio: float  # rewritten / pinned, same probes (nan if not timed)
    rewritten_convs: int
    kept: bool
    size: int = 0  # of the kept file, with its mtime: unchanged since the check
    mtime_ns: int = 0
    reason: str = ""

    def vouches_for(self, path: Path, source_sha256: str) -> bool:
        """True if this record is for ``source_sha256`` on this machine and ``path`` is unchanged."""
        if self.source_sha256 != source_sha256 or self.machine != machine_signature():
            return False
        if not self.kept:
            return True
        try:
            st = path.stat()
        except OSError:
            return False
        return st.st_size == self.size and st.st_mtime_ns == self.mtime_ns


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
    source: Path, source_sha256: str, target: Path, record_path: Path,
    styles: Sequence[NDArray[np.float32]], say: Callable[[str], None],
    *, keep_below: float | None = None,
) -> FastModelRecord:
    """Rewrite ``source`` into ``target``, check it, and write the record; never raises for
    a rewrite that fails or does not pay: the record says why and ``target`` is removed.

    ``styles`` are voice packs (510 x 256) whose rows the probes are spoken with;
    ``keep_below`` is the time ratio it must beat (``KEEP_BELOW_TIME_RATIO``).
    """
    threshold = KEEP_BELOW_TIME_RATIO if keep_below is None else keep_below
    say("Building the fast model (convolutions as int8 matrix products) and checking it")
    with tempfile.TemporaryDirectory(prefix=".fast-model-", dir=target.parent) as tmp:
        candidate = Path(tmp) / target.name
        try:
            count = _write_rewritten(source, candidate)
            identical, ratio = _compare(source, candidate, styles) if count else (False, 1.0)
        except Exception as exc:  # onnx / onnxruntime raise many untyped errors: keep the pinned model
            log.warning("The fast model could not be built: %s", exc)
            count, identical, ratio = 0, False, float("nan")
            reason = f"build failed: {exc}"
        else:
            reason = ("" if identical and ratio < threshold else
                      "no convolution to rewrite" if not count else
                      "its audio differs on this CPU" if not identical else
                      f"not faster here ({ratio:.2f}x)")
        kept = not reason
        size = mtime = 0
        if kept:
            os.replace(candidate, target)
            st = target.stat()
            size, mtime = st.st_size, st.st_mtime_ns
        else:
            target.unlink(missing_ok=True)
    record = FastModelRecord(source_sha256, machine_signature(), identical, ratio, count, kept,
                             size, mtime, reason)
    write_atomic(record_path, json.dumps(asdict(record), indent=1).encode())
    say(f"Fast model: {ratio:.2f}x the pinned model's time, identical audio"
        if kept else f"Fast model not used: {reason}")
    return record


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
        tokens = rng.integers(_VOCAB_IDS[0], _VOCAB_IDS[1] + 1, n)
        feeds.append({"tokens": np.array([[0, *tokens, 0]], np.int64),
                      "style": pack[min(n, PACK_ROWS) - 1][np.newaxis].astype(np.float32),
                      "speed": np.array([1.0], np.float32)})
    return feeds


def _compare(source: Path, candidate: Path, styles: Sequence[NDArray[np.float32]],
             ) -> tuple[bool, float]:
    """Whether ``candidate`` speaks the probes byte for byte like ``source``, and its time ratio."""
    feeds = _probes(styles)
    sessions = [open_session(source, ENGINE_TUNING), open_session(candidate, ENGINE_TUNING)]
    outputs = [[s.run(None, f)[0] for f in feeds] for s in sessions]  # also the warm-up
    identical = all(a.shape == b.shape and np.array_equal(a, b) for a, b in zip(*outputs))
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
