"""Cloning a voice from an uploaded recording.

``load_recording`` decodes and cleans the upload; ``capture_voice`` fits a
voice of the engine to it (``style_search`` over the shipped ``voice_bank``,
then ``transform_fit``), with the voice transform (``audio.voice_transform``)
it may carry. Importing this package is cheap: PyAV and the speaker encoder
(``speaker_encoder``) are imported on first use.
"""

from voicesmith.cloning.capture import CapturedVoice, capture_voice
from voicesmith.cloning.recording import Recording, load_recording
from voicesmith.cloning.voice_bank import CaptureBank

__all__ = [
    "CaptureBank",
    "CapturedVoice",
    "Recording",
    "capture_voice",
    "load_recording",
]
