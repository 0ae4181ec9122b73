"""voicesmith: self-hosted voice design and cloning, wire-compatible with Telnyx v2."""

__version__ = "0.1.0"
