"""Which providers a server serves, and how a MiniMax voice id is read."""

from __future__ import annotations

import pytest

from voicesmith.errors import ValidationError
from voicesmith.providers import Providers, supported_models, wire_name
from voicesmith.voices.voice_ids import parse_voice_id


def test_telnyx_is_always_served_and_minimax_only_with_a_key() -> None:
    none = Providers()
    assert none.check("Telnyx") == "telnyx"
    with pytest.raises(ValidationError, match="VOICESMITH_MINIMAX_API_KEY") as caught:
        none.check("Minimax")
    assert caught.value.pointer == "/provider"
    with pytest.raises(ValidationError, match="'telnyx'"):
        none.check("azure")
    enabled = Providers({"minimax": object()})  # type: ignore[dict-item]
    assert enabled.check("MINIMAX") == "minimax"


def test_wire_names_and_models() -> None:
    assert (wire_name("telnyx"), wire_name(None), wire_name("minimax")) == (
        "Telnyx", "Telnyx", "Minimax")
    assert supported_models("telnyx") == ["Qwen3TTS", "Kokoro"]
    assert "speech-02-hd" in supported_models("MiniMax")


@pytest.mark.parametrize(("voice", "name", "explicit"), [
    ("Minimax.speech-02-hd.ttv-voice-1-abc", "ttv-voice-1-abc", True),
    ("MiniMax.speech-2.6-hd.voicesmith12ab", "voicesmith12ab", True),  # a model with a dot
    ("minimax.my-clone", "my-clone", False),
])
def test_minimax_voice_ids_name_the_provider(voice: str, name: str, explicit: bool) -> None:
    ref = parse_voice_id(voice)
    assert (ref.provider, ref.name, ref.explicit_model) == ("minimax", name, explicit)
