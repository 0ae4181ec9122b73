from __future__ import annotations

import pytest

from voicesmith.engine import languages as L
from voicesmith.errors import UnsupportedLanguageError, ValidationError


@pytest.mark.parametrize(("value", "expected"), [
    ("English", L.AMERICAN_ENGLISH), ("en", L.AMERICAN_ENGLISH), ("en-GB", L.BRITISH_ENGLISH),
    ("en_gb", L.BRITISH_ENGLISH), ("Spanish", L.SPANISH), ("pt-BR", L.PORTUGUESE),
    ("Chinese", L.CHINESE), ("zh", L.CHINESE), ("Japanese", L.JAPANESE), ("hi", L.HINDI),
    ("French", L.FRENCH), ("it", L.ITALIAN),
])
def test_telnyx_names_and_iso_codes(value: str, expected: L.Language) -> None:
    assert L.resolve_language(value) == expected


@pytest.mark.parametrize("value", ["Korean", "de", "Russian"])
def test_languages_without_voices_are_refused_by_name(value: str) -> None:
    with pytest.raises(UnsupportedLanguageError, match="no .* voices") as err:
        L.resolve_language(value)
    assert err.value.pointer == "/language"


def test_unknown_language() -> None:
    with pytest.raises(ValidationError, match="Unknown language"):
        L.resolve_language("Klingon")


@pytest.mark.parametrize(("text", "expected"), [
    ("Hello, how are you today?", L.AMERICAN_ENGLISH),
    ("Hola, ¿cómo estás? Es un día muy bonito para los niños.", L.SPANISH),
    ("Bonjour, je suis très content de vous voir avec les enfants.", L.FRENCH),
    ("Ciao, sono molto felice di vederti con il gatto.", L.ITALIAN),
    ("Olá, você está muito bem? Não é para mim.", L.PORTUGUESE),
    ("こんにちは、元気ですか。", L.JAPANESE), ("你好，今天天气很好。", L.CHINESE),
    ("नमस्ते, आप कैसे हैं?", L.HINDI), ("", L.AMERICAN_ENGLISH),
])
def test_auto_detects_from_text(text: str, expected: L.Language) -> None:
    assert L.resolve_language("Auto", text) == expected


def test_auto_refuses_a_script_without_voices() -> None:
    with pytest.raises(UnsupportedLanguageError, match="Korean"):
        L.resolve_language("Auto", "안녕하세요")
