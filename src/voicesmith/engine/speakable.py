"""What of a text is spoken, and which texts cannot be spoken faithfully.

Speech comes from espeak-ng's phonemes, and espeak-ng reads some input badly
without saying so: a NUL ends the text there (all after it is lost), a
zero-width space splits a word in two, emoji are read out by name ("grinning
face"), tags are read as words ("speak break time equals ..."), and a word
whose phonemes overflow espeak's word buffer (about 200 phonemes: 33 digits,
66 kana, 130-200 Latin letters) is cut short. So, before a text is split:

- ``speakable`` removes what is not meant to be heard: control characters
  (tabs and line breaks stay), format characters (bidirectional overrides and
  isolates, zero-width spaces and joiners, soft hyphens, byte-order marks)
  and emoji with their modifiers and flags;
- it refuses (``ValidationError`` on ``/text``) a text holding an unpaired
  surrogate (not a character at all), markup tags (SSML is not supported:
  saying so beats reading tags aloud), or a "word" of more than
  ``MAX_WORD_CHARS`` letters or digits (no language has one; it would be
  spelled out for minutes);
- ``slice_long_words`` cuts the long words that remain into slices espeak
  reads whole, so that nothing is cut short.
"""

from __future__ import annotations

import regex  # type: ignore[import-untyped]

from voicesmith.errors import ValidationError

# Longer runs of letters (or digits) are refused: "one word" of 100,000 letters
# is not text anyone wants spoken, and a clear error beats minutes of spelling.
MAX_WORD_CHARS = 1000
# Slices espeak-ng reads whole, under its word buffer with room to spare:
# 32 digits is the longest number it reads as a number; 48 letters is well
# under the shortest cut seen (66 kana), and longer than nearly every real word.
LETTER_SLICE = 48
DIGIT_SLICE = 32

# Control characters go, except the whitespace the splitter reads (line breaks
# end sentences); other control whitespace (\v, \f, \x1c-\x1f, \x85) becomes a space.
_CONTROL = regex.compile(r"[^\P{Cc}\t\n\r]")
_LINE_SEPARATORS = regex.compile(r"[\u2028\u2029]")
# Format characters: bidi controls, zero-width (non-)joiners and spaces, soft
# hyphen, BOM, emoji tag characters. None of them is pronounced.
_FORMAT = regex.compile(r"\p{Cf}")
# Emoji: what shows as an emoji by default, a pictograph made emoji by U+FE0F,
# and the parts of emoji sequences (skin tones, flags, keycaps, selectors).
# Text-style symbols (©, ™, °, ♪) are not emoji presentation and stay.
_EMOJI = regex.compile(
    r"\p{Emoji_Presentation}|\p{Extended_Pictographic}\uFE0F"
    r"|[\p{Emoji_Modifier}\p{Regional_Indicator}\uFE0E\uFE0F\u20E3]"
)
# A tag: <speak>, </p>, <break time="3s"/>, <amazon:effect ...>. "x < y" and
# "a <-> b" are not tags.
_TAG = regex.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>")
_LETTERS = regex.compile(r"[\p{L}\p{M}]+")
_DIGITS = regex.compile(r"\p{Nd}+")
_WORD = regex.compile(r"[\p{L}\p{M}\p{Nd}]+")


def speakable(text: str) -> str:
    """``text`` with what is not pronounced removed; ValidationError for what cannot be spoken."""
    _refuse_surrogates(text)
    tag = _TAG.search(text)
    if tag:
        raise ValidationError(
            f"The text contains markup ({_excerpt(tag.group())} at character "
            f"{tag.start():,}); it would be read aloud as words. SSML and HTML are not "
            "supported: send plain text.", pointer="/text")
    text = _CONTROL.sub(lambda m: " " if m.group().isspace() else "", text)
    text = _LINE_SEPARATORS.sub("\n", text)
    text = _EMOJI.sub("", _FORMAT.sub("", text))
    longest = max(_WORD.finditer(text), key=lambda m: len(m.group()), default=None)
    if longest is not None and len(longest.group()) > MAX_WORD_CHARS:
        raise ValidationError(
            f"The text has a word of {len(longest.group()):,} characters "
            f"({_excerpt(longest.group())}); a word may have at most {MAX_WORD_CHARS:,} "
            "letters or digits. Put spaces between words.",
            pointer="/text")
    return text


def slice_long_words(text: str) -> str:
    """``text`` with each word too long for espeak-ng cut into slices it reads whole."""
    text = _LETTERS.sub(lambda m: _sliced(m.group(), LETTER_SLICE), text)
    return _DIGITS.sub(lambda m: _sliced(m.group(), DIGIT_SLICE), text)


def _sliced(word: str, size: int) -> str:
    if len(word) <= size:
        return word
    return " ".join(word[i:i + size] for i in range(0, len(word), size))


def _refuse_surrogates(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValidationError(
            f"The text has an unpaired UTF-16 surrogate (U+{ord(text[exc.start]):04X}) at "
            f"character {exc.start:,}: it is half of a character, not a character. Send "
            "the whole character (a surrogate pair) or remove it.", pointer="/text") from exc


def _excerpt(s: str, size: int = 24) -> str:
    return repr(s if len(s) <= size else s[:size] + "…")
