"""Voice ids: which voice a speech request means.

Accepted forms (the provider and model segments are case-insensitive):

* ``Telnyx.<Model>.<clone id or name>``: ``<Model>`` is any model we serve
  (``Kokoro``, ``KokoroTTS``) or ``Qwen3TTS``, Telnyx's clone model, accepted as
  an alias so code written for Telnyx runs unchanged;
* ``Telnyx.Kokoro.<stock voice>``, e.g. ``Telnyx.Kokoro.af_heart``;
* ``Telnyx.<clone id, clone name or stock voice>`` (Telnyx's two-part form);
* the bare clone id, clone name or stock voice name;
* OpenAI's voice names (``alloy``, ``nova``, ...), mapped to similar stock voices
  so OpenAI clients work without choosing a voice first;
* ``Minimax.<model>.<MiniMax voice id, clone id or name>``: a clone made with
  provider ``minimax`` (any model segment; the clone's own model is used). A
  MiniMax clone also answers to the ``Telnyx.`` forms and its bare id or name.

A clone shadows a stock voice of the same name within its organization. An
unknown voice is a NotFoundError naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from voicesmith.engine.base import StockVoice, VoiceStyle
from voicesmith.engine.languages import Language, resolve_language
from voicesmith.errors import NotFoundError, ValidationError
from voicesmith.providers import EMBEDDED, PROVIDER_MODELS, RemoteVoice, wire_name
from voicesmith.store.models import VoiceClone
from voicesmith.store.repositories import UnitOfWork
from voicesmith.voices.speaking import SpeakingVoice

PROVIDER = "Telnyx"
CANONICAL_MODEL = "Kokoro"
# Model segments we answer to, lower-cased: ours, Telnyx's name for Kokoro, and
# Telnyx's clone model (an alias: the embedded engine speaks for it).
MODEL_ALIASES = frozenset({"kokoro", "kokorotts", "qwen3tts"})
# Providers other TTS clients name; recognised only to say they are not served here.
OTHER_PROVIDERS = frozenset({"aws", "azure", "elevenlabs", "resemble", "xai",
                             "humain", "soniox", "murfai", "openai"})
REMOTE_PROVIDERS = frozenset({"minimax"})
# OpenAI's built-in voices -> the stock voice closest in gender and character.
OPENAI_VOICES: Mapping[str, str] = {
    "alloy": "af_alloy", "ash": "am_adam", "ballad": "bm_george", "coral": "af_kore",
    "echo": "am_echo", "fable": "bm_fable", "nova": "af_nova", "onyx": "am_onyx",
    "sage": "af_sarah", "shimmer": "af_sky", "verse": "am_puck", "marin": "af_heart",
    "cedar": "am_michael",
}


@dataclass(frozen=True)
class ListedVoice:
    voice_id: str
    name: str
    language: str  # BCP-47 as clients write it: en-US, en-GB, es, ...
    gender: str | None
    kind: str  # "clone" | "stock"
    provider: str = EMBEDDED  # lower-case: telnyx (the engine) or a remote provider
    model: str = CANONICAL_MODEL

    def matches_language(self, wanted: Language, *, exact: bool) -> bool:
        """``exact``: same code (en-GB); else same language (en matches en-US and en-GB)."""
        own = self.language.lower()
        return own == wanted.code if exact else own.split("-")[0] == wanted.iso639_1


def display_code(code: str) -> str:
    lang, _, region = code.partition("-")
    return f"{lang}-{region.upper()}" if region else lang


@dataclass(frozen=True)
class VoiceRef:
    """A parsed voice id: ``name`` is the clone id/name or stock voice to look up."""

    name: str
    explicit_model: bool
    provider: str = EMBEDDED


def parse_voice_id(voice_id: str, *, pointer: str = "/voice") -> VoiceRef:
    value = voice_id.strip()
    if not value:
        raise ValidationError("voice is required, e.g. Telnyx.Kokoro.af_heart or a clone's id",
                              pointer=pointer)
    head, _, rest = value.partition(".")
    if rest and head.lower() in REMOTE_PROVIDERS:
        # {Provider}.{Model}.{provider_voice_id}; MiniMax's model names hold dots
        # (speech-2.6-hd), so a known model is matched whole. It may be omitted.
        provider = head.lower()
        for model in sorted(PROVIDER_MODELS.get(provider, []), key=len, reverse=True):
            if rest.lower().startswith(model.lower() + ".") and len(rest) > len(model) + 1:
                return VoiceRef(rest[len(model) + 1:], explicit_model=True, provider=provider)
        _, dot, tail = rest.partition(".")
        return VoiceRef(tail if dot and tail else rest, explicit_model=bool(dot),
                        provider=provider)
    if rest and head.lower() in OTHER_PROVIDERS:
        raise ValidationError(
            f"Voice {voice_id!r} belongs to provider {head!r}, which this server does not "
            "serve: voices here are Telnyx.<Model>.<voice>, synthesized by the embedded engine.",
            pointer=pointer)
    if not rest or head.lower() != PROVIDER.lower():
        return VoiceRef(value, explicit_model=False)
    model, _, name = rest.partition(".")
    if name and model.lower() in MODEL_ALIASES:
        return VoiceRef(name, explicit_model=True)
    if name and "." not in name and not _looks_like_voice(model):
        served = ", ".join(sorted({"Kokoro", "KokoroTTS", "Qwen3TTS"}))
        raise ValidationError(
            f"Voice {voice_id!r} names model {model!r}, which this server does not serve "
            f"(models: {served}).", pointer=pointer)
    return VoiceRef(rest, explicit_model=False)


def _looks_like_voice(segment: str) -> bool:
    """Telnyx's two-part form puts a voice where the model would be; names may hold dots."""
    return "_" in segment or "-" in segment or len(segment) >= 32


def canonical_id(name_or_id: str) -> str:
    return f"{PROVIDER}.{CANONICAL_MODEL}.{name_or_id}"


def clone_voice_id(clone: VoiceClone) -> str:
    """``{Provider}.{Model}.{provider_voice_id}`` for a remote clone, else the canonical id."""
    if clone.provider_voice_id and (clone.provider or EMBEDDED) != EMBEDDED:
        return f"{wire_name(clone.provider)}.{clone.model_id}.{clone.provider_voice_id}"
    return canonical_id(clone.id)


class VoiceResolver:
    """Looks voice ids up among an organization's clones and the engine's stock voices."""

    def __init__(self, sessions: sessionmaker[Session],
                 stock_voices: Mapping[str, StockVoice]) -> None:
        self._sessions = sessions
        self._stock = stock_voices

    def resolve(self, organization: str, voice_id: str | None,
                *, pointer: str = "/voice") -> SpeakingVoice:
        ref = parse_voice_id(voice_id or "", pointer=pointer)
        with UnitOfWork(self._sessions) as uow:
            clone = uow.clones.find(organization, ref.name)
            if clone is None and ref.provider != EMBEDDED:
                clone = uow.session.scalars(select(VoiceClone).where(
                    VoiceClone.organization == organization,
                    VoiceClone.provider == ref.provider,
                    VoiceClone.provider_voice_id == ref.name).limit(1)).first()
            if isinstance(clone, VoiceClone):
                return self._clone_voice(clone, pointer)
        if ref.provider != EMBEDDED:
            raise NotFoundError(
                f"Voice {voice_id!r} not found: no {ref.provider} voice clone with that voice "
                "id, clone id or name.", pointer=pointer)
        stock = self._stock.get(ref.name) or self._stock.get(OPENAI_VOICES.get(ref.name.lower(), ""))
        if stock is not None:
            return SpeakingVoice(voice_id=canonical_id(stock.name), style=stock.style,
                                 language=stock.language)
        raise NotFoundError(
            f"Voice {voice_id!r} not found: no voice clone with that id or name, and no stock "
            "voice of that name (GET /v2/text-to-speech/voices lists them).", pointer=pointer)

    def listing(self, organization: str) -> list[ListedVoice]:
        """The organization's clones (newest first), then the stock voices by name."""
        with UnitOfWork(self._sessions) as uow:
            clones = uow.clones.all(organization)
            listed = [ListedVoice(clone_voice_id(c), c.name, display_code(c.engine_language),
                                  c.gender, "clone", c.provider or EMBEDDED,
                                  _model_of(c))
                      for c in clones if c.status == "active"]
        listed += [ListedVoice(canonical_id(v.name), v.name, display_code(v.language.code),
                               v.gender, "stock", EMBEDDED)
                   for v in sorted(self._stock.values(), key=lambda v: v.name)]
        return listed

    @staticmethod
    def _clone_voice(clone: VoiceClone, pointer: str) -> SpeakingVoice:
        if clone.status != "active":
            raise ValidationError(
                f"Voice clone {clone.name!r} cannot speak yet: its status is {clone.status!r}"
                + (" (the capture failed; create it again)." if clone.status == "failed"
                   else " (try again in a few seconds)."), pointer=pointer)
        if clone.provider_voice_id and (clone.provider or EMBEDDED) != EMBEDDED:
            return SpeakingVoice(
                voice_id=clone_voice_id(clone), style=None,
                language=_language_or_english(clone.engine_language),
                remote=RemoteVoice(clone.provider, clone.provider_voice_id,
                                   clone.model_id or ""))
        return SpeakingVoice(
            voice_id=canonical_id(clone.id),
            style=VoiceStyle.from_bytes(clone.style),
            language=resolve_language(clone.engine_language),
            postprocess=clone.postprocess,
        )


def _model_of(clone: VoiceClone) -> str:
    remote = clone.provider_voice_id and (clone.provider or EMBEDDED) != EMBEDDED
    return (clone.model_id or CANONICAL_MODEL) if remote else CANONICAL_MODEL


def _language_or_english(code: str) -> Language:
    """A remote clone may speak a language the engine has no voices for: English stands in
    (only the speech cache's key and the engine, which never speaks it, would read it)."""
    try:
        return resolve_language(code)
    except ValidationError:
        return resolve_language("en")
