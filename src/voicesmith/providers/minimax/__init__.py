"""Provider "minimax": voices designed, cloned and spoken by MiniMax's speech API."""

from voicesmith.providers.minimax.client import MiniMaxClient, MiniMaxConfig
from voicesmith.providers.minimax.provider import MiniMaxProvider

__all__ = ["MiniMaxClient", "MiniMaxConfig", "MiniMaxProvider"]
