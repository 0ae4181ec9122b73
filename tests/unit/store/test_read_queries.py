"""The Core read queries: the same answers the ORM gave, scoped and escaped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from voicesmith.store.database import open_database
from voicesmith.store.models import ApiKey, VoiceDesign, VoiceDesignVersion
from voicesmith.store.read_queries import ReadQueries, VersionStats
from voicesmith.store.repositories import UnitOfWork

T0 = datetime(2026, 1, 1, tzinfo=UTC).replace(tzinfo=None)


@pytest.fixture
def sessions(tmp_path: Path) -> sessionmaker[Session]:
    return open_database(f"sqlite:///{tmp_path / 'db.sqlite'}")


def _version(design: VoiceDesign, number: int) -> VoiceDesignVersion:
    return VoiceDesignVersion(
        design=design, version=number, prompt=f"prompt {number}", text=f"text {number}",
        language="en", engine_language="en-us", parameters={"seed": number},
        traits={"gender": "female"}, recipe={"speed": 1.0}, style=b"s", transform=None,
        sample_key=f"{design.name}-{number}", sample_size=44 + number,
        created_at=T0 + timedelta(minutes=number))


@pytest.fixture
def reads(sessions: sessionmaker[Session]) -> ReadQueries:
    with UnitOfWork(sessions) as uow:
        for i, name in enumerate(["Alto", "bass_1", "Bass%2", "contralto"]):
            design = VoiceDesign(organization="a", name=name, created_at=T0 + timedelta(hours=i),
                                 updated_at=T0 + timedelta(hours=i), last_version=i)
            uow.add(design)
            for number in range(1, i + 1):
                uow.add(_version(design, number))
        uow.add(VoiceDesign(organization="b", name="Alto"))
        uow.add(ApiKey(name="k", organization="a", key_hash="h" * 64, prefix="vs_abc",
                       scope="read"))
        uow.commit()
    return ReadQueries.of(sessions)


def test_a_page_holds_the_total_and_each_designs_version_stats(reads: ReadQueries) -> None:
    page, total = reads.design_page("a", name_contains=None, sort="-created_at", number=1, size=3)
    assert total == 4 and [d.name for d in page] == ["contralto", "Bass%2", "bass_1"]
    assert [d.versions for d in page] == [VersionStats(3, 3), VersionStats(2, 2),
                                          VersionStats(1, 1)]
    rest, total = reads.design_page("a", name_contains=None, sort="-created_at", number=2, size=3)
    assert total == 4 and [d.name for d in rest] == ["Alto"]
    assert rest[0].versions == VersionStats(0, None)


def test_past_the_last_page_is_empty_with_the_total(reads: ReadQueries) -> None:
    assert reads.design_page("a", name_contains=None, sort="name", number=9, size=3) == ([], 4)
    assert reads.design_page("a", name_contains="bass", sort="name", number=2**61,
                             size=250) == ([], 2)


def test_the_name_filter_is_case_blind_and_its_wildcards_literal(reads: ReadQueries) -> None:
    names = lambda text: [d.name for d in reads.design_page(
        "a", name_contains=text, sort="name", number=1, size=10)[0]]
    assert names("BASS") == ["Bass%2", "bass_1"]
    assert names("%") == ["Bass%2"] and names("_") == ["bass_1"] and names("s/") == []
    assert names("alto") == ["Alto", "contralto"]  # organization b's Alto is not listed


def test_a_version_is_found_by_id_or_name_latest_or_by_number(reads: ReadQueries) -> None:
    latest = reads.design_version("a", "contralto", None)
    assert latest is not None and latest.version == 3 and latest.name == "contralto"
    assert latest.parameters == {"seed": 3} and latest.traits == {"gender": "female"}
    by_id = reads.design_version("a", latest.design_id, 2)
    assert by_id is not None and (by_id.version, by_id.text, by_id.sample_size) == (2, "text 2", 46)
    assert reads.design_version("a", "contralto", 4) is None
    assert reads.design_version("a", "Alto", None) is None  # no versions
    assert reads.design_version("b", latest.design_id, None) is None  # another organization


def test_keys_are_found_by_their_shown_prefix(reads: ReadQueries) -> None:
    [key] = reads.keys_by_prefix("vs_abc")
    assert (key.organization, key.scope, key.revoked_at) == ("a", "read", None)
    assert reads.keys_by_prefix("vs_abd") == []
