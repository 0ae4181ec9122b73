from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from voicesmith.engine.base import PACK_ROWS, STYLE_DIM, StockVoice, VoiceStyle
from voicesmith.engine.languages import AMERICAN_ENGLISH, BRITISH_ENGLISH
from voicesmith.errors import NotFoundError, ValidationError
from voicesmith.store.database import open_database
from voicesmith.store.models import VoiceClone
from voicesmith.store.repositories import UnitOfWork
from voicesmith.voices.voice_ids import VoiceResolver, parse_voice_id

PACK = np.zeros((PACK_ROWS, STYLE_DIM), np.float32)
STOCK = {"af_heart": StockVoice("af_heart", AMERICAN_ENGLISH, "female", PACK),
         "af_alloy": StockVoice("af_alloy", AMERICAN_ENGLISH, "female", PACK + 1),
         "bm_george": StockVoice("bm_george", BRITISH_ENGLISH, "male", PACK + 2)}


@pytest.fixture
def resolver(tmp_path: Path) -> tuple[VoiceResolver, str]:
    sessions = open_database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    style = VoiceStyle(PACK + 3, speed=1.1)
    with UnitOfWork(sessions) as uow:
        clone = VoiceClone(organization="org", name="narrator.v2", engine_language="en-gb",
                           style=style.to_bytes(), sample_key="0" * 64, sample_size=1,
                           postprocess={"kind": "world_f0_warp", "f0_ratio": 1.1, "warp": 1.0})
        pending = VoiceClone(organization="org", name="slow", engine_language="en-us",
                             style=style.to_bytes(), sample_key="0" * 64, sample_size=1,
                             status="pending")
        uow.add(clone)
        uow.add(pending)
        uow.commit()
        clone_id = clone.id
    return VoiceResolver(sessions, STOCK), clone_id


@pytest.mark.parametrize("model", ["Kokoro", "KokoroTTS", "Qwen3TTS", "qwen3tts"])
def test_clone_by_id_or_name_under_any_served_model(resolver, model: str) -> None:  # type: ignore[no-untyped-def]
    voices, clone_id = resolver
    for ident in (clone_id, "narrator.v2"):
        voice = voices.resolve("org", f"Telnyx.{model}.{ident}")
        assert voice.voice_id == f"Telnyx.Kokoro.{clone_id}"
        assert voice.language == BRITISH_ENGLISH
        assert voice.style.speed == pytest.approx(1.1)
        assert voice.postprocess == {"kind": "world_f0_warp", "f0_ratio": 1.1, "warp": 1.0}


def test_bare_and_two_part_forms(resolver) -> None:  # type: ignore[no-untyped-def]
    voices, clone_id = resolver
    assert voices.resolve("org", clone_id).voice_id.endswith(clone_id)
    assert voices.resolve("org", "narrator.v2").voice_id.endswith(clone_id)
    assert voices.resolve("org", f"telnyx.{clone_id}").voice_id.endswith(clone_id)
    assert voices.resolve("org", "Telnyx.af_heart").voice_id == "Telnyx.Kokoro.af_heart"


def test_stock_voices_and_openai_names(resolver) -> None:  # type: ignore[no-untyped-def]
    voices, _ = resolver
    v = voices.resolve("org", "Telnyx.Kokoro.bm_george")
    assert v.language == BRITISH_ENGLISH and v.postprocess is None
    assert np.array_equal(v.style.pack, PACK + 2)
    assert voices.resolve("org", "alloy").voice_id == "Telnyx.Kokoro.af_alloy"


def test_clones_are_private_to_their_organization(resolver) -> None:  # type: ignore[no-untyped-def]
    voices, clone_id = resolver
    with pytest.raises(NotFoundError) as err:
        voices.resolve("other", f"Telnyx.Qwen3TTS.{clone_id}")
    assert clone_id in err.value.detail and err.value.pointer == "/voice"


def test_unknown_voice_model_provider_and_pending_clone(resolver) -> None:  # type: ignore[no-untyped-def]
    voices, _ = resolver
    with pytest.raises(NotFoundError, match="nobody"):
        voices.resolve("org", "Telnyx.Kokoro.nobody")
    with pytest.raises(ValidationError, match="model 'Ultra'"):
        voices.resolve("org", "Telnyx.Ultra.af_heart")
    with pytest.raises(ValidationError, match="azure"):
        voices.resolve("org", "azure.en-US-AvaMultilingualNeural")
    with pytest.raises(ValidationError, match="pending"):
        voices.resolve("org", "slow")
    with pytest.raises(ValidationError, match="required"):
        voices.resolve("org", "  ")


def test_listing_has_clones_then_stock_voices(resolver) -> None:  # type: ignore[no-untyped-def]
    voices, clone_id = resolver
    listed = voices.listing("org")
    assert [v.voice_id for v in listed] == [f"Telnyx.Kokoro.{clone_id}", "Telnyx.Kokoro.af_alloy",
                                            "Telnyx.Kokoro.af_heart", "Telnyx.Kokoro.bm_george"]
    assert listed[0].language == "en-GB" and listed[0].kind == "clone"
    assert voices.listing("other")[0].kind == "stock"


def test_parse_keeps_dotted_names() -> None:
    assert parse_voice_id("Telnyx.Kokoro.my.voice").name == "my.voice"
    assert parse_voice_id("my.voice").name == "my.voice"
