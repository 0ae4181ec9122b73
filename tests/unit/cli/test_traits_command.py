from __future__ import annotations

import json

from typer.testing import CliRunner

from voicesmith.cli import app


def test_traits_prints_the_parsed_prompt_as_json() -> None:
    result = CliRunner().invoke(app, ["traits", "a very deep, slow British baritone, zorbly"])
    assert result.exit_code == 0, result.output
    traits = json.loads(result.stdout)
    assert traits["gender"] == "male" and traits["pitch"] < 0 and traits["pace"] < 0
    assert "zorbly" in traits["ignored"]
