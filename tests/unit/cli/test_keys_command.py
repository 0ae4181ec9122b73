from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from voicesmith.cli import app
from voicesmith.store.database import open_database
from voicesmith.voices.keys import KeyService, Scope


def run(*args: str) -> str:
    # Wide enough that the table never wraps a cell.
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_keys_create_read_only_and_list_shows_each_scope(tmp_path: Path) -> None:
    data = ["--data-dir", str(tmp_path)]
    full = run("keys", "create", "app", "--org", "acme", *data).strip()
    reader = run("keys", "create", "phones", "--org", "acme", "--read-only", *data).strip()
    assert full.startswith("vsk_") and reader.startswith("vsk_") and full != reader

    keys = KeyService(open_database(f"sqlite:///{tmp_path / 'voicesmith.db'}"))
    assert keys.authenticate(full).scope is Scope.FULL
    assert keys.authenticate(reader).scope is Scope.READ_ONLY

    rows = {line.split("│")[2].strip(): line for line in run("keys", "list", *data).splitlines()
            if line.count("│") > 3}
    assert " read-only " in rows["phones"] and " full " in rows["app"]
    assert " full " not in rows["phones"] and reader not in rows["phones"]
