"""How the engine's onnxruntime session is configured.

Every knob ``voicesmith.bench.engine_options`` measures is a field here, so
the bench builds its candidates with the same code the engine runs.
``SessionTuning()`` is onnxruntime's own defaults; ``ENGINE_TUNING`` is what
won there (README, "Engine tuning").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import onnxruntime as ort
from kokoro_onnx.session import resolve_providers
from numpy.typing import NDArray

Optimization = Literal["disabled", "basic", "extended", "layout", "all"]

_LEVELS: dict[Optimization, Any] = {
    "disabled": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
    "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
    "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
    "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
}
if hasattr(ort.GraphOptimizationLevel, "ORT_ENABLE_LAYOUT"):  # onnxruntime >= 1.22
    _LEVELS["layout"] = ort.GraphOptimizationLevel.ORT_ENABLE_LAYOUT


@dataclass(frozen=True)
class SessionTuning:
    """onnxruntime settings for the Kokoro session (defaults: onnxruntime's own)."""

    optimization: Optimization = "all"
    intra_op_threads: int = 0  # 0: onnxruntime decides (one per physical core)
    inter_op_threads: int = 0
    parallel: bool = False  # ORT_PARALLEL: independent branches of the graph at once
    # Threads spin-wait for work between operators: lower latency when the
    # cores are otherwise idle, wasted CPU when other work wants them.
    spinning: bool = True
    cpu_mem_arena: bool = True
    mem_pattern: bool = True
    io_binding: bool = False  # run through an IOBinding rather than run()
    # Where to write the graph after optimization (loaded later with
    # optimization "disabled", it skips the optimizer at start).
    save_optimized_to: Path | None = None

    def options(self) -> ort.SessionOptions:
        options = ort.SessionOptions()
        options.graph_optimization_level = _LEVELS[self.optimization]
        options.intra_op_num_threads = self.intra_op_threads
        options.inter_op_num_threads = self.inter_op_threads
        options.execution_mode = (ort.ExecutionMode.ORT_PARALLEL if self.parallel
                                  else ort.ExecutionMode.ORT_SEQUENTIAL)
        options.enable_cpu_mem_arena = self.cpu_mem_arena
        options.enable_mem_pattern = self.mem_pattern
        options.add_session_config_entry("session.intra_op.allow_spinning",
                                         "1" if self.spinning else "0")
        options.add_session_config_entry("session.inter_op.allow_spinning",
                                         "1" if self.spinning else "0")
        if self.save_optimized_to is not None:
            options.optimized_model_filepath = str(self.save_optimized_to)
        return options


# Measured on 2 cores against onnxruntime's defaults (same speed within 2 %):
# - the memory pattern off: with it, every new input length (each piece has
#   its own) plans and keeps another whole-run block, so a long-lived process
#   grows (peak RSS 620 -> 422 MB for one stream, 730 -> 491 MB for two);
# - no spin-waiting: two concurrent syntheses gained 2-7 % throughput, since
#   spinning threads take the cores the other synthesis (and HTTP) need.
# Threads stay onnxruntime's choice (one per core): 1 thread made a single
# synthesis 1.5x slower. Graph optimization stays "all"; a saved optimized
# model only saved 0.14 s of start-up; I/O binding and float (dequantized)
# models were no faster (the latter 7-11 % slower, +110-230 MB).
ENGINE_TUNING = SessionTuning(mem_pattern=False, spinning=False)


def engine_tuning(*, intra_op_threads: int = 0, spinning: bool = False) -> SessionTuning:
    """``ENGINE_TUNING`` with the operator's settings (``VOICESMITH_ONNX_*``)."""
    return replace(ENGINE_TUNING, intra_op_threads=intra_op_threads, spinning=spinning)


def open_session(model: Path, tuning: SessionTuning) -> ort.InferenceSession:
    """An inference session over ``model``; onnxruntime's errors pass through."""
    return ort.InferenceSession(str(model), sess_options=tuning.options(),
                                providers=resolve_providers())


def run_one(session: ort.InferenceSession, output: str, feeds: dict[str, NDArray[Any]],
            *, io_binding: bool) -> NDArray[np.float32]:
    """The model's ``output`` for ``feeds``, through an IOBinding if asked."""
    if not io_binding:
        result: NDArray[np.float32] = session.run([output], feeds)[0]
        return result
    binding = session.io_binding()
    for name, value in feeds.items():
        binding.bind_cpu_input(name, value)
    binding.bind_output(output)  # onnxruntime allocates it, on the CPU
    session.run_with_iobinding(binding)
    copied: NDArray[np.float32] = binding.copy_outputs_to_cpu()[0]
    return copied
