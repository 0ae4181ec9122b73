"""Remote voice providers: voices made and spoken by someone else's service.

The embedded engine serves provider ``telnyx`` (Telnyx's name for its own
voices) and needs nothing here. A remote provider (today ``minimax``) is a
``VoiceProvider``: it designs a voice from a prompt, clones one from a
recording, deletes one, and speaks with one. The voices/ layer asks
``Providers`` for one by name; a provider that is not configured is a 422
that says how to enable it. Nothing here imports FastAPI.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

from voicesmith.engine.base import AudioChunk
from voicesmith.errors import ValidationError

EMBEDDED = "telnyx"
KNOWN = ("telnyx", "minimax")
# How each provider is spelled on the wire (the seeds' examples) and the models it serves.
WIRE_NAMES: Mapping[str, str] = {"telnyx": "Telnyx", "minimax": "Minimax"}
# Each provider's speech models (the responses' provider_supported_models): the embedded
# engine's, and MiniMax's T2A v2 models, newest first.
PROVIDER_MODELS: Mapping[str, list[str]] = {
    "telnyx": ["Qwen3TTS", "Kokoro"],
    "minimax": ["speech-2.6-hd", "speech-2.6-turbo", "speech-02-hd", "speech-02-turbo",
                "speech-01-hd", "speech-01-turbo"],
}
ENABLE_HINTS: Mapping[str, str] = {
    "minimax": ("set VOICESMITH_MINIMAX_API_KEY (a MiniMax API key) in the server's environment "
                "and restart it"),
}


@dataclass(frozen=True)
class RemoteDesign:
    """A voice a provider designed: its id there and its preview as a WAV."""

    voice_id: str
    sample_wav: bytes


@dataclass(frozen=True)
class RemoteVoice:
    """A voice that speaks through a provider: which provider, and its id there."""

    provider: str
    voice_id: str
    model: str


class VoiceProvider(Protocol):
    name: str
    supported_models: list[str]
    default_model: str

    def design(self, prompt: str, preview_text: str) -> RemoteDesign: ...

    def clone_upload(self, audio: bytes, filename: str | None) -> str:
        """The provider's voice id of a voice cloned from a recording."""
        ...

    def delete_voice(self, voice_id: str, *, designed: bool) -> None: ...

    def speak(self, text: str, voice: RemoteVoice, speed: float) -> Iterator[AudioChunk]:
        """Audio chunks at the engine's sample rate; raises ProviderError on failure."""
        ...


class Providers:
    """The configured remote providers, by lower-case name."""

    def __init__(self, providers: Mapping[str, VoiceProvider] | None = None) -> None:
        self._providers = dict(providers or {})

    def check(self, provider: str, *, pointer: str = "/provider") -> str:
        """The provider's lower-case name, if this server can serve it; else a 422."""
        value = provider.lower()
        if value == EMBEDDED or value in self._providers:
            return value
        if value in ENABLE_HINTS:
            raise ValidationError(
                f"Provider {provider!r} is not enabled on this server: "
                f"{ENABLE_HINTS[value]}. Provider 'telnyx' (the embedded engine) is always "
                "available.", pointer=pointer)
        raise ValidationError(
            f"Provider {provider!r} is not available on this server: the providers are "
            "'telnyx' (the embedded engine) and 'minimax' (MiniMax, with a key).",
            pointer=pointer)

    def get(self, provider: str) -> VoiceProvider:
        name = self.check(provider)
        if name not in self._providers:
            raise ValidationError(f"Provider {provider!r} has no remote voices here",
                                  pointer="/provider")
        return self._providers[name]



def wire_name(provider: str | None) -> str:
    return WIRE_NAMES.get((provider or EMBEDDED).lower(), provider or "Telnyx")


def supported_models(provider: str | None) -> list[str]:
    return list(PROVIDER_MODELS.get((provider or EMBEDDED).lower(), PROVIDER_MODELS[EMBEDDED]))
