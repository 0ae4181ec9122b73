"""Clones whose voice lives with a remote provider (``minimax``). No HTTP here.

* From a design: a remote design's version already is a voice there, so the
  clone points at the same voice id (no call is made).
* From an upload: the recording is checked and trimmed as for the engine (its
  trimmed speech is the clone's sample), then sent to the provider, which
  clones it; only then are the sample blob and the row written, so a failed
  provider call stores nothing, and a row that cannot be committed has its
  blob removed and its remote voice deleted.
* Delete: the remote voice is deleted first (unless a design version or
  another clone still speaks with it). If the provider fails, the clone is
  kept and the error (502/429) returned, so the delete can be sent again and
  no voice is left on the provider that nothing here knows of.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from voicesmith.audio.decode import decode_to_mono
from voicesmith.audio.wav import encode_wav
from voicesmith.engine.base import SAMPLE_RATE
from voicesmith.engine.languages import resolve_language
from voicesmith.errors import ConflictError, ProviderError, UploadAudioError, ValidationError
from voicesmith.faults import crash_point
from voicesmith.providers import EMBEDDED, Providers
from voicesmith.store.blobs import BlobStore
from voicesmith.store.models import VoiceClone, VoiceDesign, VoiceDesignVersion, utcnow
from voicesmith.store.repositories import UnitOfWork
from voicesmith.voices.common import check_name, discard_sample_if_unreferenced
from voicesmith.voices.remote_designs import remote_language
from voicesmith.voices.uploads import GENDERS, CloneFromUpload

log = logging.getLogger(__name__)

# MiniMax's voice clone takes MP3, M4A or WAV, 10 s to 5 minutes, under 20 MB.
MIN_RECORDING_S, MAX_RECORDING_S = 10.0, 300.0
# FFmpeg's container names -> the extension MiniMax reads them by.
ACCEPTED_FORMATS = {"wav": "wav", "mp3": "mp3", "mov,mp4,m4a,3gp,3g2,mj2": "m4a"}


def remote_clone_of_version(organization: str, name: str, design: VoiceDesign,
                            source: VoiceDesignVersion, *, language: str, gender: str,
                            requested_provider: str, model_id: str) -> VoiceClone:
    """A clone row of a remote design's version (the caller adds and commits it)."""
    if requested_provider not in (EMBEDDED, design.provider):
        raise ValidationError(
            f"Voice design {design.name!r} is a {design.provider!r} voice; its clones are "
            f"{design.provider!r} voices too.", pointer="/provider")
    now = utcnow()
    return VoiceClone(
        organization=organization, name=name, source_design_id=design.id,
        source_design_version=source.version, language=language,
        engine_language=remote_language(language, ""), gender=gender, label=source.prompt,
        provider=design.provider, model_id=model_id, status="active", style=b"",
        postprocess=None,
        sample_key=source.sample_key, sample_size=source.sample_size,
        provider_voice_id=source.provider_voice_id, created_at=now, updated_at=now)


class RemoteClones:
    def __init__(self, sessions: sessionmaker[Session], blobs: BlobStore,
                 providers: Providers) -> None:
        self._sessions = sessions
        self._blobs = blobs
        self._providers = providers

    def create_from_upload(self, organization: str, provider: str,
                           req: CloneFromUpload) -> VoiceClone:
        from voicesmith.cloning.recording import load_recording

        remote = self._providers.get(provider)
        check_name(req.name)
        if req.gender.strip().lower() not in GENDERS:
            raise ValidationError(f"gender must be one of {', '.join(GENDERS)}, got "
                                  f"{req.gender!r}.", pointer="/gender")
        model_id = req.model_id or remote.default_model
        if model_id not in remote.supported_models:
            raise ValidationError(
                f"Model {model_id!r} is not one of {provider!r}'s speech models "
                f"({', '.join(remote.supported_models)}).", pointer="/model_id")
        with UnitOfWork(self._sessions) as uow:
            _check_clone_name(uow, organization, req.name)
        recording = load_recording(req.audio, filename=req.filename)  # 400/422 as for the engine
        if recording.original_duration_s < MIN_RECORDING_S:
            raise UploadAudioError(
                f"The recording is {recording.original_duration_s:.1f} s long; provider "
                f"{provider!r} clones from at least {MIN_RECORDING_S:.0f} s of audio (up to 5 "
                "minutes).", pointer="/audio_file")
        audio, filename = _as_accepted(req.audio, req.filename, recording.source_format)
        voice_id = remote.clone_upload(audio, filename)
        key: str | None = None
        try:
            key = self._blobs.put(recording.wav)
            crash_point("upload.after_sample_write")
            with UnitOfWork(self._sessions) as uow:
                _check_clone_name(uow, organization, req.name)
                now = utcnow()
                clone = VoiceClone(
                    organization=organization, name=req.name, source="upload",
                    language=req.language, engine_language=_language(req),
                    gender=req.gender, label=req.label, provider=provider, model_id=model_id,
                    status="active", style=b"", sample_key=key,
                    sample_size=len(recording.wav), provider_voice_id=voice_id,
                    capture={"provider": provider, "voice_id": voice_id}, created_at=now,
                    updated_at=now)
                uow.add(clone)
                uow.commit()
                return clone
        except BaseException:
            if key is not None:
                discard_sample_if_unreferenced(self._sessions, self._blobs, key)
            self._delete_quietly(provider, voice_id)
            raise

    def delete_voice_of(self, clone: VoiceClone) -> None:
        """Before the clone's row goes: its remote voice, unless something else uses it."""
        voice_id = clone.provider_voice_id
        if not voice_id or clone.provider in (None, EMBEDDED):
            return
        with UnitOfWork(self._sessions) as uow:
            shared = uow.provider_voice_in_use_elsewhere(voice_id, clone_id=clone.id)
        if shared:
            return
        try:
            remote = self._providers.get(clone.provider)
        except ValidationError:
            # The provider is no longer configured here (its key was removed): the clone
            # can still be deleted; its voice stays with the provider, which is logged.
            log.warning("voice clone %s deleted without deleting %s voice %s: provider not "
                        "configured", clone.id, clone.provider, voice_id)
            return
        remote.delete_voice(voice_id, designed=clone.source != "upload")

    def _delete_quietly(self, provider: str, voice_id: str) -> None:
        try:
            self._providers.get(provider).delete_voice(voice_id, designed=False)
        except (ProviderError, ValidationError) as exc:
            log.warning("could not delete %s voice %s: %s", provider, voice_id, exc)


def _as_accepted(audio: bytes, filename: str | None, source_format: str) -> tuple[bytes, str]:
    """The recording in a container MiniMax accepts (MP3, M4A, WAV): as sent, or as a WAV."""
    if source_format in ACCEPTED_FORMATS:
        return audio, filename or f"recording.{ACCEPTED_FORMATS[source_format]}"
    samples = decode_to_mono(audio, SAMPLE_RATE)[: int(MAX_RECORDING_S * SAMPLE_RATE)]
    return encode_wav(samples, SAMPLE_RATE), "recording.wav"


def _language(req: CloneFromUpload) -> str:
    try:
        return resolve_language(req.language, req.ref_text or "").code
    except ValidationError:
        return req.language.lower()[:16] or "auto"


def _check_clone_name(uow: UnitOfWork, organization: str, name: str) -> None:
    if uow.clones.name_taken(organization, name):
        raise ConflictError(f"A voice clone named {name!r} already exists", pointer="/name")
