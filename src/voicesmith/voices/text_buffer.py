"""Text arriving in fragments (an LLM's tokens over a WebSocket), released as whole sentences.

Speaking each fragment as it comes would cut words and lose intonation;
waiting for everything would lose the point of streaming. The buffer releases
text up to the last sentence end it holds, so synthesis starts as soon as a
sentence is complete. A run-on text without sentence ends is released at a
clause or word boundary once it passes ``MAX_PENDING_CHARS``, which bounds
both the latency and the memory a client can make us hold.
"""

from __future__ import annotations

import re

MAX_PENDING_CHARS = 400
# A sentence end: terminal punctuation (Latin, CJK, Devanagari), closing quotes
# or brackets, then whitespace (the next sentence has begun).
_SENTENCE_END = re.compile(r"[.!?…。！？।]+[\"'”’)\]]*\s+")
_CLAUSE_END = re.compile(r"[,;:—–]\s+")


class SentenceBuffer:
    def __init__(self) -> None:
        self._text = ""

    @property
    def pending(self) -> str:
        return self._text

    def add(self, fragment: str) -> list[str]:
        """Append ``fragment``; return the complete sentences now ready (possibly none)."""
        self._text += fragment
        ready: list[str] = []
        last_end = None
        for match in _SENTENCE_END.finditer(self._text):
            last_end = match.end()
        if last_end is not None:
            ready.append(self._text[:last_end])
            self._text = self._text[last_end:]
        while len(self._text) > MAX_PENDING_CHARS:
            cut = self._cut_point(self._text[:MAX_PENDING_CHARS])
            ready.append(self._text[:cut])
            self._text = self._text[cut:]
        return [t for t in ready if t.strip()]

    @staticmethod
    def _cut_point(window: str) -> int:
        clauses = list(_CLAUSE_END.finditer(window))
        if clauses:
            return clauses[-1].end()
        space = window.rfind(" ")
        return space + 1 if space > 0 else len(window)

    def take_all(self) -> str:
        """Everything pending (a flush or the end of the stream)."""
        text, self._text = self._text, ""
        return text

    def clear(self) -> None:
        self._text = ""
