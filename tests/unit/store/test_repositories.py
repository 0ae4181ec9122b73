from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from voicesmith.errors import ConflictError
from voicesmith.store.database import create_db_engine, open_database
from voicesmith.store.models import VoiceDesign
from voicesmith.store.repositories import Page, UnitOfWork


@pytest.fixture
def sessions(tmp_path: Path):  # type: ignore[no-untyped-def]
    return open_database(f"sqlite:///{tmp_path / 'db.sqlite'}")


def test_migrations_create_the_schema_in_wal_mode(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    open_database(url)
    engine = create_db_engine(url)
    assert {"api_keys", "voice_designs", "voice_design_versions", "voice_clones",
            "alembic_version"} <= set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    open_database(url)  # applying again is a no-op


def test_names_are_unique_per_organization(sessions) -> None:  # type: ignore[no-untyped-def]
    with UnitOfWork(sessions) as uow:
        uow.add(VoiceDesign(organization="a", name="n"))
        uow.add(VoiceDesign(organization="b", name="n"))
        uow.commit()
    with UnitOfWork(sessions) as uow, pytest.raises(ConflictError):
        uow.add(VoiceDesign(organization="a", name="n"))
        uow.commit()


def test_find_and_page_are_scoped_to_the_organization(sessions) -> None:  # type: ignore[no-untyped-def]
    with UnitOfWork(sessions) as uow:
        for i in range(5):
            uow.add(VoiceDesign(organization="a", name=f"Voice_{i}"))
        uow.add(VoiceDesign(organization="b", name="Voice_9"))
        uow.commit()
    with UnitOfWork(sessions) as uow:
        found = uow.designs.find("a", "Voice_1")
        assert found is not None and uow.designs.find("a", found.id) is not None
        assert uow.designs.find("b", found.id) is None
        items, total = uow.designs.page("a", name_contains="voice_", sort="name", page=Page(2, 2))
        assert total == 5 and [d.name for d in items] == ["Voice_2", "Voice_3"]
        # LIKE wildcards in the filter are literal characters.
        assert uow.designs.page("a", name_contains="%", sort="name", page=Page(1, 9))[1] == 0


def test_leaving_without_commit_rolls_back(sessions) -> None:  # type: ignore[no-untyped-def]
    with UnitOfWork(sessions) as uow:
        uow.add(VoiceDesign(organization="a", name="ghost"))
        uow.flush()
    with UnitOfWork(sessions) as uow:
        assert uow.designs.find("a", "ghost") is None
