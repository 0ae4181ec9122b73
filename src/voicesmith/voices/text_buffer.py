"""Text arriving in fragments (an LLM's tokens over a WebSocket), released as whole sentences.

Speaking each fragment as it comes would cut words and lose intonation;
waiting for everything would lose the point of streaming. The buffer releases
text up to the last sentence end it is sure of, so synthesis starts as soon
as a sentence is complete. A run-on text without sentence ends is released at
a clause or word boundary once it passes ``MAX_PENDING_CHARS``, which bounds
both the latency and the memory a client can make us hold.

Sentence ends are the engine's own (``engine.text.sentence_spans``), so the
buffer never cuts a sentence the engine would speak whole ("Dr. Smith",
"e.g. apples", "3.5"). An end is sure once the text after it shows it: the
next sentence has begun, or nothing that may follow could undo it ("Hi! "
is an end whatever comes next; "Hello. " is not until the next word shows it
is not "world", lower case, which would continue the sentence). Releases
depend only on the text, never on how it was cut into fragments: any
fragments of a text give the same sentences as the whole.
"""

from __future__ import annotations

import re

from voicesmith.engine.text import sentence_spans

MAX_PENDING_CHARS = 400
_CLAUSE_END = re.compile(r"[,;:—–]\s+")


class SentenceBuffer:
    def __init__(self) -> None:
        self._text = ""

    @property
    def pending(self) -> str:
        return self._text

    @property
    def ends_a_sentence(self) -> bool:
        """The pending text is a sentence that only the next word could continue.

        ("Hello. ": released when the next word comes, unless it is in lower
        case.) A stream that goes quiet here should speak it anyway.
        """
        return _boundary_after(self._text, "A")

    def add(self, fragment: str) -> list[str]:
        """Append ``fragment``; return the complete sentences now ready (possibly none)."""
        self._text += fragment
        ready: list[str] = []
        while True:
            end = self._last_sure_end()
            if len(self._text) - end <= MAX_PENDING_CHARS:
                if end:
                    ready.append(self._text[:end])
                    self._text = self._text[end:]
                break
            # A run-on: as if it had come a character at a time, it is cut
            # once MAX_PENDING_CHARS pass with no sentence end.
            cut = end + _cut_point(self._text[end:end + MAX_PENDING_CHARS])
            ready.append(self._text[:cut])
            self._text = self._text[cut:]
        return [t for t in ready if t.strip()]

    def _last_sure_end(self) -> int:
        """Where the sentences sure to be complete end (0: none), each within reach.

        An end is within reach when it was sure before MAX_PENDING_CHARS had
        passed since the previous one: later than that, a run-on cut came first.
        """
        end = 0
        for start, _, _ in sentence_spans(self._text)[1:]:
            if start - end > MAX_PENDING_CHARS:
                return end
            end = start
        whole = len(self._text)
        if whole - end <= MAX_PENDING_CHARS + 1 and _sure_boundary_at_end(self._text):
            end = whole
        return end

    def take_all(self) -> str:
        """Everything pending (a flush or the end of the stream)."""
        text, self._text = self._text, ""
        return text

    def clear(self) -> None:
        self._text = ""


def _boundary_after(text: str, probe: str) -> bool:
    """Whether a sentence would end at the end of ``text`` (after its trailing space) if ``probe`` came next."""
    if not text[-1:].isspace() or not text.strip():
        return False
    spans = sentence_spans(text + probe)
    return len(spans) >= 2 and spans[-1][0] == len(text)


def _sure_boundary_at_end(text: str) -> bool:
    """A sentence ends at the end of ``text`` whatever comes next ("Hi! ", not "Hello. ")."""
    return _boundary_after(text, "A") and _boundary_after(text, "a")


def _cut_point(window: str) -> int:
    """Where to cut a run-on: after its last clause mark, else its last space, else anywhere."""
    clauses = list(_CLAUSE_END.finditer(window))
    if clauses:
        return clauses[-1].end()
    space = window.rfind(" ")
    return space + 1 if space > 0 else len(window)
