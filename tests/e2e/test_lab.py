"""The design lab (GET /) in a real browser against a real server.

Debian's Chromium, driven by Playwright, plays a user's session on the tiny-model
server: enter the key, generate three previews and play them, keep one, make a
second version and A/B it, clone it, record a clone through Chromium's fake
microphone (a LibriSpeech recording) and from an uploaded file, speak with it in
mp3 and 8 kHz mu-law (and wav, ogg), see a 422 explained next to the field that
caused it, rename and delete from the library. The tests run in order on one page
(each step needs the one before); the page's own JavaScript must log no error.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import soundfile as sf

import voicesmith
from tests.e2e.lab_browser import (
    STEP_TIMEOUT_MS,
    Page,
    chromium_args,
    find_chromium,
    play,
    region,
    require,
    wait_status,
)
from tests.e2e.server import RunningServer, server_env
from tests.support.tiny_model import build_tiny_kokoro_model
from voicesmith.audio import g711

playwright_api = require("playwright.sync_api", "the lab's browser tests need playwright (test extra)")
require("resemblyzer", "the recorded clone needs the clone extra")

LIBRISPEECH = Path(__file__).resolve().parents[2].parent / "shared/data/librispeech/test-other"
SHIPPED_CLIP = Path(__file__).resolve().parents[1] / "unit/evaluation/data/1688-142285-0001.flac"
# Generous: a recorded clone's capture takes seconds on the tiny model, more on a busy machine.
CAPTURE_TIMEOUT_MS = 300_000
PROMPT = "A warm, low male narrator, British, unhurried, blorfy"


@pytest.fixture(scope="module", autouse=True)
def chromium() -> str:
    """Looked for first: without a browser no server is started for nothing."""
    return find_chromium()


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One tiny-model server on SQLite (the browser flows need one database, not both)."""
    model = build_tiny_kokoro_model(tmp_path_factory.mktemp("lab-model") / "tiny.onnx")
    # The server must import this checkout's code, whatever the venv's install points at.
    src = str(Path(voicesmith.__file__).resolve().parents[1])
    path = os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH", "")) if p)
    server = RunningServer(tmp_path_factory.mktemp("lab-data"),
                           server_env(VOICESMITH_MODEL_PATH=str(model), PYTHONPATH=path)).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def microphone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A LibriSpeech recording as the WAV Chromium's fake microphone plays (it loops)."""
    found = sorted((LIBRISPEECH / "1688").glob("*/1688-*.flac")) if LIBRISPEECH.is_dir() else []
    samples, rate = sf.read(found[0] if found else SHIPPED_CLIP, dtype="float32")
    wav = tmp_path_factory.mktemp("mic") / "speaker.wav"
    sf.write(wav, samples, rate, subtype="PCM_16")
    return wav


@pytest.fixture(scope="module")
def console() -> list[str]:
    return []


@pytest.fixture(scope="module")
def answers() -> list[str]:
    return []


@pytest.fixture(scope="module")
def page(chromium: str, lab_server: RunningServer, microphone: Path, console: list[str],
         answers: list[str]) -> Iterator[Page]:
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=chromium_args(microphone))
        context = browser.new_context(
            permissions=["microphone", "clipboard-read", "clipboard-write"])
        page = context.new_page()
        page.set_default_timeout(STEP_TIMEOUT_MS)
        page.on("console", lambda m: console.append(f"console.{m.type}: {m.text}")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
        # Rename asks with prompt(), delete with confirm(): both answered yes, a prompt
        # with the next of `answers` (a test appends what it would type).
        page.on("dialog", lambda d: d.accept(answers.pop(0) if answers and d.type == "prompt"
                                             else None))
        yield page
        browser.close()


def test_page_loads_in_under_a_second_and_asks_for_the_key(lab_server: RunningServer,
                                                          page: Page) -> None:
    root = f"http://127.0.0.1:{lab_server.port}/"
    page.goto(root, wait_until="load")
    load_ms = page.evaluate("""() => {
        const nav = performance.getEntriesByType('navigation')[0];
        return nav.loadEventEnd - nav.startTime; }""")
    assert 0 < load_ms < 1000, load_ms
    assert "Enter the API key" in wait_status(page, "key-status", "API key")


def test_every_control_is_named_and_reachable_by_keyboard(page: Page) -> None:
    unnamed = page.evaluate("""() => [...document.querySelectorAll(
            'button, input, select, textarea, a[href], summary')]
        .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                        && !el.textContent.trim() && !el.closest('label'))
        .map((el) => el.outerHTML)""")
    assert unnamed == []
    for name in ("Prompt", "Generate", "Regenerate", "Version A", "Version B", "Clone name",
                 "Audio file", "Voice", "Format", "Sample rate", "Speed", "Volume", "Search"):
        assert page.get_by_label(name, exact=True).count() + page.get_by_role(
            "button", name=name, exact=True).count() >= 1, name
    assert page.get_by_label("Text", exact=True).count() == 2  # the design's and Speak's
    # Tab alone reaches every visible, enabled control.
    ident = """(el) => el.id || (el.name ? `${el.name}=${el.value}` : '')
                       || el.getAttribute('aria-label') || el.textContent.trim()"""
    wanted = set(page.evaluate(f"""() => [...document.querySelectorAll(
            'button, input, select, textarea, a[href], summary, audio[controls]')]
        .filter((el) => !el.disabled && el.getClientRects().length > 0)
        // inside a closed <details> a control is reached once its summary opens it
        .filter((el) => el.tagName === 'SUMMARY' || !el.closest('details:not([open])'))
        .filter((el) => el.type !== 'radio' || el.checked)  // a radio group is one tab stop
        .map({ident})"""))
    assert len(wanted) > 30 and "generate" in wanted and "speak-go" in wanted
    page.get_by_label("API key", exact=True).focus()
    reached = {"api-key"}
    for _ in range(400):
        page.keyboard.press("Tab")
        reached.add(page.evaluate(f"({ident})(document.activeElement)"))
        if wanted <= reached:
            break
    assert wanted - reached == set()
    page.get_by_label("API key", exact=True).focus()


def test_enter_the_key(lab_server: RunningServer, page: Page) -> None:
    page.get_by_label("API key", exact=True).fill(str(lab_server.key))
    page.get_by_label("API key", exact=True).press("Enter")
    wait_status(page, "key-status", "Key accepted")
    assert lab_server.key not in page.url
    assert page.evaluate("localStorage.getItem('voicesmith.apiKey')") == lab_server.key


def test_generate_three_previews_and_play_them(lab_server: RunningServer, page: Page) -> None:
    design = region(page, "Design")
    design.get_by_label("Prompt", exact=True).fill(PROMPT)
    assert f"{len(PROMPT)} / 5000" in str(page.locator("#prompt-count").text_content())
    design.get_by_label("Text", exact=True).fill("Hello, this is how I sound.")
    design.get_by_role("button", name="Generate", exact=True).click()
    wait_status(page, "design-status", "Three previews ready")
    cards = page.locator("#previews article")
    assert cards.count() == 3
    seeds = {cards.nth(i).locator("p").text_content() for i in range(3)}
    assert len(seeds) == 3
    for i in range(3):
        assert play(page, f"#previews article:nth-child({i + 1}) audio") > 0
    client = lab_server.client()
    previews = client.voice_designs.list(filter_name="lab-preview-")
    samples = {client.voice_designs.download_sample(d.id).read() for d in previews}
    assert len(previews.data) == 3 and len(samples) == 3  # three voices, not one thrice
    understood = str(page.locator("#understood").text_content())
    assert "male" in understood and "blorfy" in understood and "Ignored words" in understood


def test_keep_one_then_a_second_version_and_ab_them(lab_server: RunningServer, page: Page) -> None:
    page.get_by_label("Design name", exact=True).fill("lab-narrator")
    page.get_by_role("button", name="Keep preview 1").click()
    wait_status(page, "design-status", "Kept as lab-narrator")
    page.get_by_role("button", name="Regenerate").click()
    wait_status(page, "design-status", "Three previews ready")
    page.get_by_label("Keep as", exact=True).select_option(label="a new version of lab-narrator")
    client = lab_server.client()
    preview = next(d for d in client.voice_designs.list(filter_name="lab-preview-")
                   if d.name.endswith("-2"))
    heard = client.voice_designs.download_sample(preview.id).read()
    # An edit after generating is for the next generation, not for what is kept now.
    region(page, "Design").get_by_label("Prompt", exact=True).fill("A high, fast child")
    page.get_by_role("button", name="Keep preview 2").click()
    wait_status(page, "design-status", "version 2")
    # The version kept is the voice heard (same prompt, parameters, seed; no penalty).
    assert client.voice_designs.download_sample("lab-narrator", version=2).read() == heard

    versions = region(page, "Versions")
    page.wait_for_function("() => document.querySelectorAll('#history li').length === 2")
    assert versions.get_by_label("Design", exact=True).locator("option:checked").text_content() == "lab-narrator"
    versions.get_by_label("Version A", exact=True).select_option(label="Version 1")
    versions.get_by_label("Version B", exact=True).select_option(label="Version 2")
    versions.get_by_role("button", name="Play A").click()
    wait_status(page, "history-status", "Playing A: version 1")
    a = page.evaluate("document.getElementById('ab-audio').src")
    versions.get_by_role("button", name="Play B").click()
    wait_status(page, "history-status", "Playing B: version 2")
    assert page.evaluate("document.getElementById('ab-audio').src") != a
    assert play(page, "#ab-audio") > 0
    # The previews not kept are gone: only the kept design is left.
    assert [d.name for d in client.voice_designs.list()] == ["lab-narrator"]


def test_clone_the_design_version(page: Page) -> None:
    clone = region(page, "Clone")
    clone.get_by_label("Design version", exact=True).check()
    clone.get_by_label("Clone name", exact=True).fill("lab-narrator-clone")
    clone.get_by_label("Source design", exact=True).select_option(label="lab-narrator")
    clone.get_by_label("Source version", exact=True).select_option(label="Version 2")
    clone.get_by_role("button", name="Create clone").click()
    wait_status(page, "clone-status", "lab-narrator-clone is active")
    library = region(page, "Library")
    library.get_by_label("Search", exact=True).fill("narrator-clone")
    playwright_api.expect(library.locator("#library-clones li")).to_have_count(1)
    snippet = str(library.locator("#library-clones pre").first.text_content())
    clone_id = page.evaluate("document.getElementById('clone-status').dataset.cloneId")
    assert clone_id in snippet and "Authorization: Bearer" in snippet


def test_record_a_clone_from_the_microphone(page: Page) -> None:
    clone = region(page, "Clone")
    clone.get_by_label("Recording", exact=True).check()
    clone.get_by_role("button", name="Record", exact=True).click()
    page.wait_for_function("() => parseFloat(document.getElementById('record-time').textContent) >= 7",
                           timeout=STEP_TIMEOUT_MS)
    assert page.evaluate("document.getElementById('level').value") > 0  # the meter moved
    clone.get_by_role("button", name="Stop").click()
    wait_status(page, "clone-status", "Recorded")
    assert play(page, "#recording") > 6.5
    clone.get_by_label("Clone name", exact=True).fill("lab-mic")
    clone.get_by_label("Gender", exact=True).select_option("male")
    clone.get_by_role("button", name="Create clone").click()
    status = wait_status(page, "clone-status", "lab-mic is active", timeout=CAPTURE_TIMEOUT_MS)
    assert "Captured as" in status


def test_clone_from_an_uploaded_file(page: Page, microphone: Path, tmp_path: Path) -> None:
    samples, rate = sf.read(microphone, dtype="float32")
    short, clip = tmp_path / "short.wav", tmp_path / "clip.wav"
    sf.write(short, samples[:rate], rate, subtype="PCM_16")
    sf.write(clip, samples[: 8 * rate], rate, subtype="PCM_16")
    clone = region(page, "Clone")
    clone.get_by_label("Uploaded file", exact=True).check()
    assert clone.get_by_label("Transcript", exact=True).input_value() == ""
    clone.get_by_label("Clone name", exact=True).fill("lab-upload")
    # One second of speech: the server's 422 is shown at the file field.
    clone.get_by_label("Audio file", exact=True).set_input_files(str(short))
    clone.get_by_role("button", name="Create clone").click()
    error = page.locator("#clone-file-error")
    error.wait_for(state="visible")
    assert str(error.text_content()).startswith("Audio file: ")
    assert "3" in str(error.text_content())  # says how much speech is needed
    clone.get_by_label("Audio file", exact=True).set_input_files(str(clip))
    clone.get_by_role("button", name="Create clone").click()
    wait_status(page, "clone-status", "lab-upload is active", timeout=CAPTURE_TIMEOUT_MS)
    assert page.locator("#clone-file-error").text_content() == ""


# mp3 and mu-law are the acceptance's two; wav (a streamed header of unknown length)
# and ogg (played once whole) cover the page's other two ways to play.
PLAYERS = {"mp3": "StreamPlayer", "mulaw": "PcmPlayer", "wav": "PcmPlayer", "ogg": "WholePlayer"}


@pytest.mark.parametrize("fmt", list(PLAYERS))
def test_speak_with_the_recorded_clone(page: Page, fmt: str) -> None:
    speak = region(page, "Speak")
    speak.get_by_label("Voice", exact=True).select_option(label=speak.get_by_label("Voice", exact=True).locator(
        "option", has_text="lab-mic").first.text_content())
    speak.get_by_label("Text", exact=True).fill("Thanks for calling. How can I help you today?")
    speak.get_by_label("Format", exact=True).select_option(fmt)
    speak.get_by_role("button", name="Speak").click()
    rate = "8000" if fmt == "mulaw" else "24000"
    status = wait_status(page, "speak-status", f"of {fmt} at {rate} Hz")
    audio = page.evaluate("({...document.getElementById('speak-audio').dataset})")
    assert audio["format"] == fmt and int(audio["bytes"]) > 1000
    # Played as it arrived: MediaSource for mp3, Web Audio for mu-law (decoded in the page).
    assert audio["player"] == PLAYERS[fmt]
    assert float(audio["seconds"]) > 0.5, status
    if fmt == "mulaw":  # one byte a sample at 8 kHz
        assert abs(int(audio["bytes"]) / 8000 - float(audio["seconds"])) < 0.01
    assert play(page, "#speak-audio") > 0.5
    download = speak.get_by_role("link", name="Download")
    assert download.get_attribute("download") == f"speech.{'ulaw' if fmt == 'mulaw' else fmt}"


@pytest.mark.parametrize("fmt", ["mulaw", "alaw"])
def test_the_page_decodes_g711_like_the_server(page: Page, fmt: str) -> None:
    decoded = page.evaluate("""async (fmt) => {
        const players = await import('/lab/players.js');
        const bytes = Uint8Array.from({length: 256}, (_, i) => i);
        return Array.from(players.decodeG711(fmt, bytes), (s) => Math.round(s * 32768)); }""", fmt)
    decode = g711.ulaw_to_s16 if fmt == "mulaw" else g711.alaw_to_s16
    assert decoded == decode(bytes(range(256))).tolist()


def test_a_422_is_explained_next_to_its_field(page: Page) -> None:
    design = region(page, "Design")
    design.locator("summary", has_text="Advanced").click()
    design.get_by_label("temperature", exact=True).fill("3")
    design.get_by_role("button", name="Generate", exact=True).click()
    error = page.locator("#temperature-error")
    error.wait_for(state="visible")
    assert error.text_content() == "temperature: must be at most 2."
    assert design.get_by_label("temperature", exact=True).get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "temperature"
    design.get_by_label("temperature", exact=True).fill("0.9")

    speak = region(page, "Speak")
    speak.get_by_label("Volume", exact=True).fill("5")
    speak.get_by_role("button", name="Speak").click()
    page.locator("#speak-volume-error").wait_for(state="visible")
    assert page.locator("#speak-volume-error").text_content() == "Volume: must be at most 2."


def test_library_renames_and_deletes(lab_server: RunningServer, page: Page,
                                     answers: list[str]) -> None:
    library = region(page, "Library")
    library.get_by_label("Search", exact=True).fill("lab-upload")
    answers.append("lab-upload-renamed")
    library.get_by_role("button", name="Rename lab-upload", exact=True).click()
    wait_status(page, "library-status", "Renamed lab-upload to lab-upload-renamed")
    library.get_by_label("Search", exact=True).fill("lab-narrator")
    library.get_by_role("button", name="Delete lab-narrator", exact=True).click()
    wait_status(page, "library-status", "Deleted lab-narrator")
    playwright_api.expect(library.locator("#library-designs li")).to_have_count(0)
    # A clone outlives its design; the other sections' lists follow.
    playwright_api.expect(library.locator("#library-clones li")).to_have_count(1)
    playwright_api.expect(region(page, "Versions").get_by_label("Design", exact=True)
                          .locator("option")).to_have_text(["no designs yet"])
    client = lab_server.client()
    library.get_by_label("Search", exact=True).fill("lab-mic")
    library.locator("summary", has_text="Snippets for lab-mic").click()
    library.get_by_role("button", name="Copy the id of lab-mic").click()
    wait_status(page, "library-status", "Copied")
    mic = next(c for c in client.voice_clones.list() if c.name == "lab-mic")
    assert page.evaluate("navigator.clipboard.readText()") == mic.id
    assert {c.name for c in client.voice_clones.list()} == {
        "lab-narrator-clone", "lab-mic", "lab-upload-renamed"}
    assert list(client.voice_designs.list()) == []


def test_no_console_errors(console: list[str]) -> None:
    # The three deliberate 422s are logged by the browser's network layer, not by the page.
    network_422 = "Failed to load resource: the server responded with a status of 422"
    assert [m for m in console if network_422 not in m] == []
    assert len(console) <= 3
