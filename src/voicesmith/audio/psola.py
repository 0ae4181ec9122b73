"""Streaming TD-PSOLA: the pitch, formant and voice-source half of a ``VoiceTransform``.

Chosen by measurement over WORLD (``python -m voicesmith.bench.transform``):
a WORLD resynthesis costs 0.5-1 DistillMOS even with nothing changed and 4-6x
the CPU, while PSOLA moves copies of the engine's own waveform and keeps its
quality. How it works, one utterance as a stream of chunks:

- Analysis: Praat's autocorrelation pitch (parselmouth) on the new audio plus
  ``CONTEXT_S`` before it; epochs (one per glottal period) are picked from
  peak to peak, each from the last one, so they never jump phase at a chunk
  boundary, and fixed once ``HOLD_S`` of audio lies beyond them. Unvoiced
  stretches get marks on a fixed 5 ms grid.
- Synthesis: marks are placed one target period apart, carrying their
  position across chunks; each takes a two-period Hann grain around the
  nearest epoch (resampled by ``formant_warp``, which scales the envelope and
  not the pitch) and overlap-adds it. Unvoiced marks copy the input in place.
- Source effects act on each synthesis period: contour range and tremor on
  the period, jitter/shimmer/alternation (roughness) on period and gain, and
  creak lowers F0 to a pulsed, irregular fry where F0 sits low.

Random draws come from a fixed seed in pulse order, so an utterance always
renders the same whatever its chunking.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from voicesmith.audio.voice_transform import VoiceTransform

F0_FLOOR_HZ = 60.0
F0_CEIL_HZ = 600.0
PITCH_STEP_S = 0.01
CONTEXT_S = 0.25  # audio before the first unfixed sample that each analysis sees
HOLD_S = 0.1  # audio an epoch needs after it before it is fixed
SEED = 12_2024
_LN2_12 = math.log(2.0) / 12.0
# Roughness at 1: period jitter (relative std), shimmer (log-gain std) and
# period alternation (subharmonic), per unit of ``roughness``.
ROUGH_JITTER = 0.03
ROUGH_SHIMMER = 0.1
ROUGH_ALTERNATE = 0.035


def import_parselmouth() -> Any:
    try:
        import parselmouth
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the install
        raise ImportError("voice transforms need 'praat-parselmouth' "
                          "(pip install praat-parselmouth)") from exc
    return parselmouth


class PsolaStream:
    """Pitch-synchronous overlap-add over consecutive chunks of one utterance."""

    def __init__(self, transform: VoiceTransform, sample_rate: int,
                 reference_f0: float | None = None) -> None:
        self._pm = import_parselmouth()
        self.tr, self.sr = transform, sample_rate
        self._maxp = int(sample_rate / 55.0)  # longest voiced period
        self._uv = round(0.005 * sample_rate)  # unvoiced mark grid
        self._ctx, self._hold = round(CONTEXT_S * sample_rate), round(HOLD_S * sample_rate)
        self._x: NDArray[np.float64] = np.zeros(0)
        self._x0 = self._n = 0  # global index of _x[0]; samples received
        self._peak = 1e-4
        self._marks, self._voiced = [0], [False]
        self._dropped = 0  # marks pruned from the front of the lists
        self._in_run, self._scan = False, 0
        self._t, self._k = 0.0, 0
        self._run_end: int | None = None  # index of the current voiced run's last epoch
        self._end_scan = 0  # intervals below this one are known voiced (run end search)
        self._acc: NDArray[np.float64] = np.zeros(0)
        self._emitted = 0  # global index of _acc[0]
        self._rng = np.random.default_rng(SEED)
        self._pulses = 0
        self._ref = math.log(reference_f0) if reference_f0 else None
        # Time-weighted histogram of analysed log-F0 (1/8 semitone bins from 30 Hz).
        self._hist = np.zeros(8 * 12 * 5)
        self._median = math.log(150.0)
        # Period lengthening and grain gain are measured from the level they
        # leave (bench): a constant gain keeps loudness without per-chunk scaling.
        w = self.tr.formant_warp
        self._warp_gain = w**1.2 if w >= 1.0 else w**-0.4

    @property
    def latency(self) -> int:
        """Samples received but not yet returned."""
        return self._n - self._emitted

    def push(self, samples: NDArray[np.float64], last: bool) -> NDArray[np.float64]:
        self._x = np.concatenate([self._x, samples])
        self._n += samples.size
        if samples.size:
            self._peak = max(self._peak, float(np.max(np.abs(samples))))
        horizon = self._n if last else self._n - self._hold
        if horizon > self._marks[-1] + self._maxp or last:
            self._analyse(horizon, last)
            cum = np.cumsum(self._hist)
            if cum[-1] > 0:
                bin_ = int(np.searchsorted(cum, cum[-1] / 2))
                self._median = math.log(30.0) + bin_ / 8 * _LN2_12
        if last:
            self._fill(self._marks[-1], self._n + 2 * self._uv, closed=False)
        self._synthesise(last)
        return self._emit(last)

    # -- analysis ---------------------------------------------------------------------

    def _analyse(self, horizon: int, last: bool) -> None:
        s0 = max(self._x0, self._marks[-1] - self._ctx)
        seg = self._x[s0 - self._x0:]
        if seg.size < round(0.07 * self.sr):  # shorter than Praat's pitch window
            if last:
                self._in_run = False
            return
        sound = self._pm.Sound(seg, float(self.sr), s0 / self.sr)
        seg_peak = max(float(np.max(np.abs(seg))), 1e-9)
        pitch = sound.to_pitch_ac(
            time_step=PITCH_STEP_S, pitch_floor=F0_FLOOR_HZ, pitch_ceiling=F0_CEIL_HZ,
            # Praat's silence threshold is relative to the analysed sound's peak;
            # relate it to the stream's peak so every chunk judges alike.
            silence_threshold=min(0.03 * self._peak / seg_peak, 1.0))
        pos = pitch.xs() * self.sr
        f0 = np.nan_to_num(pitch.selected_array["frequency"])
        if pos.size == 0:
            return
        # Epochs sit on peaks of a 1 ms-smoothed signal: stable landmarks of the cycle.
        kernel = np.hanning(round(0.001 * self.sr) + 2)[1:-1]
        xs = np.convolve(seg, kernel / kernel.sum(), mode="same")

        def f0_at(p: float) -> float:
            i = int(np.clip(np.searchsorted(pos, p), 1, pos.size - 1)) if pos.size > 1 else 0
            if pos.size > 1 and p - pos[i - 1] < pos[i] - p:
                i -= 1
            return float(f0[i])

        def peak(lo: int, hi: int) -> int:
            lo, hi = max(lo, s0), min(hi, s0 + seg.size - 1)
            return lo + int(np.argmax(xs[lo - s0:hi - s0 + 1])) if hi >= lo else lo

        def follow(e: int, period: float, lo: int, hi: int) -> int:
            # The position one period on whose waveform best matches the last epoch's
            half = round(period / 2)
            lo, hi = max(lo, s0 + half), min(hi, s0 + seg.size - 1 - half)
            a = e - s0
            if hi < lo or a - half < 0:
                return peak(lo, hi)
            tmpl = seg[a - half:a + half]
            win = seg[lo - s0 - half:hi - s0 + half]
            cc = np.correlate(win, tmpl, mode="valid")
            energy = np.cumsum(np.concatenate([[0.0], win**2]))
            norm = np.sqrt(np.maximum(energy[tmpl.size:] - energy[:-tmpl.size], 1e-12))
            return lo + int(np.argmax(cc / norm))

        end = self._n - 1
        while True:
            last_mark = self._marks[-1]
            if self._in_run:
                f = f0_at(last_mark)
                period = self.sr / f if f > 0 else self._marks[-1] - self._marks[-2]
                if f0_at(last_mark + period) <= 0 or period > self._maxp:
                    self._in_run, self._scan = False, last_mark + round(period / 2)
                    continue
                lo, hi = last_mark + round(0.8 * period), last_mark + round(1.25 * period)
                if hi > horizon and not last:
                    return
                if lo > end:
                    self._in_run = False
                    return
                self._append(follow(last_mark, period, lo, hi), True)
                continue
            voiced = np.nonzero((f0 > 0) & (pos > self._scan) & (pos <= horizon))[0]
            if voiced.size == 0:
                self._fill(last_mark, horizon - self._uv, closed=False)
                self._scan = max(self._scan, horizon - self._uv)
                return
            v = float(pos[voiced[0]])
            half = 0.5 * self.sr / float(f0[voiced[0]])
            if v + half > horizon and not last:
                return
            epoch = peak(max(round(v - half), last_mark + self._uv // 2 + 1), round(v + half))
            if epoch <= last_mark + self._uv // 2:
                self._scan = int(v) + 1
                continue
            self._fill(last_mark, epoch, closed=True)
            self._append(epoch, True)
            self._in_run = True

    def _append(self, mark: int, voiced: bool) -> None:
        prev = self._marks[-1]
        if voiced and self._voiced[-1] and mark - prev <= self._maxp:
            # Centre of f0_range: the median F0 of all the speech analysed so
            # far, which runs ahead of synthesis by the chunk (the whole
            # utterance when it comes in one piece).
            semis = 12.0 * math.log2(self.sr / (mark - prev) / 30.0)
            self._hist[min(max(round(8 * semis), 0), self._hist.size - 1)] += mark - prev
        self._marks.append(mark)
        self._voiced.append(voiced)

    def _fill(self, after: int, until: int, *, closed: bool) -> None:
        """Unvoiced marks on the global grid between ``after`` and ``until``."""
        gap = self._uv // 2
        first = -(-(after + gap + 1) // self._uv) * self._uv
        stop = until - gap if closed else until + 1
        for g in range(first, stop, self._uv):
            self._append(g, False)

    # -- synthesis --------------------------------------------------------------------

    def _is_voiced(self, k: int) -> bool:
        m = self._marks
        return (k + 1 < len(m) and self._voiced[k] and self._voiced[k + 1]
                and m[k + 1] - m[k] <= self._maxp)

    def _synthesise(self, last: bool) -> None:
        m, tr = self._marks, self.tr
        limit = len(m) - 1 if last else len(m) - 5
        while self._k < limit:
            k, t = self._k, self._t
            if t >= m[k + 1]:
                self._k += 1
                continue
            if not self._is_voiced(k):
                a = round(t)
                pl = a - m[k] if a > m[k] else (m[k] - m[k - 1] if k > 0 else m[1] - m[0])
                self._grain(a, min(pl, self._maxp), m[k + 1] - a, a, 1.0, voiced=False)
                self._t = float(m[k + 1])
                continue
            periods = [m[j + 1] - m[j] for j in range(max(k - 2, 0), min(k + 3, len(m) - 1))
                       if self._is_voiced(j)]
            smooth = sum(periods) / len(periods)  # the epochs' picking jitter averaged out
            log_f0 = math.log(self.sr / smooth)
            ref = self._ref if self._ref is not None else self._median
            log_r = math.log(tr.f0_ratio) + (tr.f0_range - 1.0) * (log_f0 - ref)
            gain = 1.0
            if tr.tremor_depth > 0:
                wave = math.sin(2 * math.pi * tr.tremor_hz * t / self.sr)
                log_r += tr.tremor_depth * _LN2_12 * wave
                gain *= 1.0 + min(0.1 * tr.tremor_depth, 0.3) * wave
            creak = self._creak_weight(log_f0 + log_r - math.log(tr.f0_ratio), ref)
            log_r += math.log(1.0 - 0.55 * creak)
            r = min(max(math.exp(log_r), 0.25), 3.0)
            z = self._rng.standard_normal(2)
            jitter = ROUGH_JITTER * tr.roughness + 0.12 * creak
            shimmer = ROUGH_SHIMMER * tr.roughness + 0.35 * creak
            step = (m[k + 1] - m[k]) / r * (1.0 + min(max(jitter * float(z[0]), -0.3), 0.3))
            gain *= math.exp(min(max(shimmer * float(z[1]), -0.9), 0.9))
            alternate = ROUGH_ALTERNATE * tr.roughness + 0.15 * creak
            odd = self._pulses % 2 == 1
            step *= 1.0 + (alternate if odd else -alternate)
            gain *= (1.0 - 4.0 * alternate) if odd else 1.0
            self._pulses += 1
            gain *= self._level(r)
            ai = k if t - m[k] <= m[k + 1] - t else k + 1
            a = m[ai]
            pl = a - m[ai - 1] if ai > 0 else m[ai + 1] - a
            pr = m[ai + 1] - a if ai + 1 < len(m) else pl
            self._grain(a, min(pl, self._maxp), min(pr, self._maxp), round(t), gain, voiced=True)
            nxt = t + max(step, 2.0)
            end = self._find_run_end(k)
            if end is not None and nxt > m[end] - 0.5 * step:
                nxt = float(m[end])  # land on the run's last epoch: the copy resumes in phase
            self._t = nxt
        self._prune()

    def _find_run_end(self, k: int) -> int | None:
        """Index of the last epoch of the voiced run holding interval ``k``, once known."""
        if self._run_end is not None and self._run_end > k:
            return self._run_end
        self._run_end = None
        for j in range(max(k + 1, self._end_scan), len(self._marks) - 1):
            if not self._is_voiced(j):
                self._run_end = j
                return j
        self._end_scan = max(len(self._marks) - 1, k + 1)
        return None

    def _level(self, r: float) -> float:
        # Measured on stock voices (bench): grains a period apart no longer add
        # in phase once the pitch moves (-1 dB), and more grains per second add
        # more power; a compressed grain (warp > 1) leaves gaps between grains.
        drift = min(abs(math.log(r)) / 0.1, 1.0)
        return float(r**-0.4 * (1.0 + 0.12 * drift) * self._warp_gain)

    def _creak_weight(self, log_f0: float, ref: float) -> float:
        c = self.tr.creak
        if c <= 0:
            return 0.0
        semitones = (log_f0 - ref) / _LN2_12
        # c <= 0.5: only stretches 3+ semitones under the median (phrase-final
        # falls); above, the threshold rises until at 1 nearly every period creaks.
        threshold = -3.0 + 22.0 * max(c - 0.5, 0.0)
        return min(2.0 * c, 1.0) * min(max((threshold - semitones) / 2.0, 0.0), 1.0)

    def _grain(self, a: int, pl: int, pr: int, t: int, gain: float, *, voiced: bool) -> None:
        w = self.tr.formant_warp
        if pl < 1 or pr < 1:
            return
        span = (1.0 / w) if voiced else 1.0
        lo, hi = t - int(pl * span), t + int(pr * span)
        tau = np.arange(lo - t, hi - t + 1, dtype=np.float64)
        u = tau * w
        win_arg = u if voiced else tau
        win = 0.5 + 0.5 * np.cos(np.pi * np.where(win_arg < 0, win_arg / pl, win_arg / pr))
        values = self._sample(a + u - self._x0, exact=w == 1.0)
        need = hi + 1 - self._emitted
        if need > self._acc.size:
            self._acc = np.concatenate([self._acc, np.zeros(need - self._acc.size + 4096)])
        start = lo - self._emitted
        if start < 0:  # cannot happen with the emission rule; kept safe
            values, win, start = values[-start:], win[-start:], 0
        self._acc[start:start + values.size] += gain * win * values

    def _sample(self, idx: NDArray[np.float64], *, exact: bool) -> NDArray[np.float64]:
        """Input samples at buffer positions ``idx`` (cubic interpolation unless exact)."""
        x = self._x
        if x.size == 0:
            return np.zeros_like(idx)
        if exact:
            i = idx.astype(np.intp)
            if i[0] >= 0 and i[-1] < x.size:
                return x[i]
            return np.where((i >= 0) & (i < x.size), x[np.clip(i, 0, x.size - 1)], 0.0)
        i0 = np.floor(idx).astype(np.intp)
        f = idx - i0
        if i0[0] >= 1 and i0[-1] + 2 < x.size:
            xm, x0, x1, x2 = x[i0 - 1], x[i0], x[i0 + 1], x[i0 + 2]
        else:
            padded = np.concatenate([np.zeros(2), x, np.zeros(3)])
            j = np.clip(i0 + 2, 0, padded.size - 3)  # outside the buffer reads zeros
            j = np.where((i0 < -2) | (i0 > x.size + 1), 0, j)
            xm, x0, x1, x2 = padded[j - 1 + (j == 0)], padded[j], padded[j + 1], padded[j + 2]
        # Catmull-Rom: flat to ~0.3 fs, no ringing
        return x0 + 0.5 * f * (x1 - xm + f * (2.0 * xm - 5.0 * x0 + 4.0 * x1 - x2
                                              + f * (3.0 * (x0 - x1) + x2 - xm)))

    def _emit(self, last: bool) -> NDArray[np.float64]:
        reach = self._maxp * max(1.0, 1.0 / self.tr.formant_warp)
        ready = self._n if last else min(self._n, math.floor(self._t - reach) - 2)
        count = max(ready - self._emitted, 0)
        if self._acc.size < count:
            self._acc = np.concatenate([self._acc, np.zeros(count - self._acc.size)])
        out, self._acc = self._acc[:count].copy(), self._acc[count:]
        self._emitted += count
        return out

    def _prune(self) -> None:
        drop = max(self._k - 3, 0)
        if drop > 64:
            del self._marks[:drop], self._voiced[:drop]
            self._k -= drop
            self._end_scan = max(self._end_scan - drop, 0)
            if self._run_end is not None:
                self._run_end -= drop
            self._dropped += drop
        keep = min(self._marks[-1] - self._ctx - 2 * self._maxp,
                   self._marks[max(self._k - 1, 0)] - 3 * self._maxp)
        if keep - self._x0 > 48_000:
            self._x = self._x[keep - self._x0:]
            self._x0 = keep
