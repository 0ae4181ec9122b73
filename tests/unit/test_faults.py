from __future__ import annotations

import subprocess
import sys

import pytest

from voicesmith import faults


def test_an_unknown_point_is_refused_when_armed() -> None:
    with pytest.raises(ValueError, match="unknown crash point"):
        faults.arm("after_smaple_write")


def test_only_the_armed_point_ends_the_process() -> None:
    script = ("from voicesmith import faults\n"
              "faults.arm('rename.before_commit')\n"
              "faults.crash_point('delete.before_commit')\n"
              "print('past another point', flush=True)\n"
              "faults.crash_point('rename.before_commit')\n"
              "print('past the armed point', flush=True)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == faults.CRASH_EXIT_CODE
    assert done.stdout.splitlines() == ["past another point"]


def test_unarmed_points_do_nothing() -> None:
    faults.arm(None)
    for point in faults.CRASH_POINTS:
        faults.crash_point(point)
