"""What every system under test reads: the same texts, the same voice."""

from __future__ import annotations

VOICE = "af_heart"
STOCK_VOICE_ID = "Telnyx.Kokoro." + VOICE

SHORT = "Thanks for calling, how can I help you today?"
MEDIUM = ("Your order has shipped and should arrive on Thursday. If anything is missing, "
          "reply to this message and we will sort it out right away.")
LONG = ("Welcome to the evening news. Heavy rain moved across the region this afternoon, "
        "closing two roads near the river and delaying trains into the city. Crews expect "
        "to reopen both roads by morning. In other news, the library on Main Street will "
        "extend its opening hours next month, staying open until nine on weekdays.")
TEXTS = (SHORT, MEDIUM, LONG)
# Streaming matters for multi-sentence text: the first sentence can play while
# the rest is synthesized.
STREAM_TEXT = LONG
THROUGHPUT_TEXT = MEDIUM
DESIGN_PROMPT = "A warm, low, slightly husky male narrator, British, unhurried"
