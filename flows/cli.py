"""The `topictrends` command line.

Exit codes: 0 done; 2 bad input or usage (an input folder that does not exist, an output or store folder that
cannot be written, no usable dump, a bad option); 3 the store is busy with another run; 4 bad config.
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
from pathlib import Path
from typing import NoReturn, Optional

import typer
from rich.console import Console
from rich.markup import escape

from flows.prefect_env import configure_prefect_env, start_temporary_server

configure_prefect_env()  # before anything imports prefect

EXIT_BAD_INPUT = 2  # also what typer exits with on a bad option
EXIT_STORE_BUSY = 3
EXIT_BAD_CONFIG = 4
EXIT_OTHER_COLLECTION = 5
EXIT_CODES = ("Exit codes: 0 done, 2 bad input or usage (missing input folder, output or store folder not writable, "
              "no usable dump), 3 store busy with another run, 4 bad config, 5 the store serves another input "
              "folder.")

app = typer.Typer(add_completion=False, no_args_is_help=True, epilog=EXIT_CODES,
                  help="Turn folders of paper-listing dumps into topics and their growth over time.")
console = Console(stderr=True)


@app.callback()
def _main() -> None:
    """Turn folders of paper-listing dumps into topics and their growth over time."""


def _absolute(path: Optional[Path]) -> Optional[str]:
    return str(path.resolve()) if path is not None else None


def _fail(message: str, code: int) -> NoReturn:
    """One message in red on stderr, unwrapped (no traceback), then exit with `code`."""
    console.print(escape(message), style="red", soft_wrap=True, highlight=False)
    raise typer.Exit(code)


def _load_config(config: Optional[Path] = None, overrides: Optional[dict] = None):
    """The validated config, or exit 4 with the one message naming the file, key, value and what is allowed."""
    from analytics.config import ConfigError, load_config

    try:
        return load_config(config, overrides)
    except ConfigError as error:
        _fail(str(error), EXIT_BAD_CONFIG)


@app.command(epilog=EXIT_CODES)
def run(
    input: Optional[Path] = typer.Option(None, "--input", "-i", help="Folder of dumps (default from config: data/samples)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Output folder (default from config: out)."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="TOML file overriding config/default.toml."),
    store: Optional[Path] = typer.Option(None, "--store", help="Store folder reused by reruns (default from config: store)."),
) -> None:
    """Run the whole pipeline: parse, dates, embed, topics, trends, report."""
    overrides = {"run": {"store": _absolute(store)}} if store is not None else None
    # A bad config stops the command before anything starts: validating it takes milliseconds (pydantic).
    cfg = _load_config(config, overrides)
    wait_for_server = start_temporary_server()  # then at once: it boots on the other core while the imports load
    from analytics.outputs import FolderNotWritable, check_writable_folder

    input_dir = _absolute(input) or str(cfg.resolve_path(cfg.run.input))
    output_dir = _absolute(output) or str(cfg.resolve_path(cfg.run.output))
    if not Path(input_dir).is_dir():
        _fail(f"error: input folder {input_dir} does not exist or is not a folder", EXIT_BAD_INPUT)
    # Before the pipeline's imports and the work: outputs and store are only written at the end.
    try:
        check_writable_folder(Path(output_dir), "output")
        check_writable_folder(cfg.resolve_path(cfg.run.store), "store")
    except FolderNotWritable as error:
        _fail(f"error: {error}", EXIT_BAD_INPUT)
    from analytics.incremental import OtherCollection
    from analytics.store import StoreBusy
    from flows.pipeline import NoUsableInput, run_pipeline

    try:
        wait_for_server()
        summary = run_pipeline(input_dir, output_dir, _absolute(config), overrides)
    except NoUsableInput as error:
        _fail(f"error: {error}", EXIT_BAD_INPUT)
    except StoreBusy as error:
        _fail(f"error: {error}", EXIT_STORE_BUSY)
    except OtherCollection as error:
        _fail(f"error: {error}", EXIT_OTHER_COLLECTION)
    if summary.status == "unchanged":
        console.print(f"[green]nothing new[/green]: {summary.message} (same as run {summary.same_as_run})")
        print(f"Report: {summary.outputs['report']}")
        return
    totals = summary.totals
    coverage = summary.date_coverage["overall"]
    console.print(
        f"[green]done[/green]: {totals.papers} papers from {totals.usable_files} dumps "
        f"({totals.set_aside_files} set aside, {totals.problems} problems), {totals.topics} topics, "
        f"dates: {coverage['stated']} stated / {coverage['inferred']} inferred / "
        f"{coverage['undated']} undated; topics by {summary.mode}, "
        f"{summary.embedding.embedded_new} papers embedded, {summary.embedding.reused_from_store} reused"
    )
    print(f"Report: {summary.outputs['report']}")


@app.command("evaluate-dates", epilog=EXIT_CODES)
def evaluate_dates(
    input: Optional[Path] = typer.Option(None, "--input", "-i", help="Folder of dumps (default from config)."),
    output: Optional[Path] = typer.Option(None, "--json", help="Also write the numbers to this JSON file."),
) -> None:
    """Hide the stated dates of dated papers, infer them again, and report date coverage, how often the true
    date falls in the inferred interval, how wide the intervals are and how far the point estimate is off (with
    and without arXiv-id evidence), before (midpoints) and after the learned gap before a last revision."""
    from analytics.dates.evaluation import evaluate_dates_for_folder, summary_lines
    from analytics.outputs import write_json

    cfg = _load_config()
    folder = input.resolve() if input is not None else cfg.resolve_path(cfg.run.input)
    result = evaluate_dates_for_folder(folder)
    for line in summary_lines(result):
        print(line)
    if output is not None:
        write_json(result, output)


@app.command(epilog=EXIT_CODES)
def serve(
    input: Optional[Path] = typer.Option(None, "--input", "-i", help="Folder of dumps the scheduled runs read."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Output folder of the scheduled runs."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="TOML file overriding config/default.toml."),
    cron: Optional[str] = typer.Option(None, "--cron", help="Cron schedule (default: config schedule.cron)."),
    register_only: bool = typer.Option(False, "--register-only",
                                       help="Create or update the deployment and exit instead of serving it."),
) -> None:
    """Create a Prefect deployment with a cron schedule and serve it (runs the flow when due).

    Needs a real Prefect server: `prefect server start --host 127.0.0.1` and PREFECT_API_URL set to it.
    """
    cfg = _load_config(config)  # first: a bad config is reported before the slow imports
    from flows.pipeline import flow_for

    if not os.environ.get("PREFECT_API_URL"):
        console.print(
            "[red]error:[/red] scheduling needs a running Prefect server (the temporary one of `run` stops with it).\n"
            "  1. .venv/bin/prefect server start --host 127.0.0.1 --port 4200\n"
            "  2. PREFECT_API_URL=http://127.0.0.1:4200/api .venv/bin/topictrends serve"
        )
        raise typer.Exit(2)
    parameters = {
        "input_dir": _absolute(input) or str(cfg.resolve_path(cfg.run.input)),
        "output_dir": _absolute(output) or str(cfg.resolve_path(cfg.run.output)),
        "config_path": _absolute(config),
    }
    schedule_cron = cron or cfg.schedule.cron
    from prefect.schedules import Cron

    schedule = Cron(schedule_cron, timezone=cfg.schedule.timezone)
    if register_only:
        deployment = flow_for(cfg).to_deployment(name=cfg.schedule.deployment, schedule=schedule,
                                                    parameters=parameters)
        deployment_id = deployment.apply()
        print(f"Deployment topictrends/{cfg.schedule.deployment} ({deployment_id}) scheduled '{schedule_cron}' "
              f"{cfg.schedule.timezone}")
        return
    console.print(f"serving topictrends/{cfg.schedule.deployment} on '{schedule_cron}' ({cfg.schedule.timezone}); "
                  "Ctrl+C stops")
    flow_for(cfg).serve(name=cfg.schedule.deployment, schedule=schedule, parameters=parameters)


@app.command(epilog=EXIT_CODES)
def evaluate(
    run_dir: Optional[Path] = typer.Option(None, "--run", "-r", help="Output folder of a run (default from config: out)."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="TOML file overriding config/default.toml."),
) -> None:
    """Score a run's topics (coherence, diversity, outliers, sizes, agreement with arXiv categories);
    prints a table and writes evaluation.json into the run folder."""
    from analytics.topic_quality import EVALUATION_FILE, evaluate_run, print_evaluation_table

    if run_dir is not None:
        folder = run_dir.resolve()
    else:
        cfg = _load_config(config)
        folder = cfg.resolve_path(cfg.run.output)
    try:
        result = evaluate_run(folder)
    except (FileNotFoundError, ValueError) as error:
        console.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2)
    print_evaluation_table(result, Console())
    print(f"Evaluation: {folder / EVALUATION_FILE}")


def main() -> None:
    """The console script: the command, then an exit that skips tearing down the imported modules.

    A run imports ~2,000 modules (BERTopic, UMAP, numba, Prefect); freeing them one by one at interpreter exit
    took 2-3 s on 2 cores after every output was written and closed. The last exit handler ends the process
    instead, after the other handlers (Prefect's log and event flushes, stopping its temporary server) and
    with the command's own exit status. Exceptions the command does not handle exit the normal way.
    """
    status = {"code": 0}

    def end_now() -> None:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status["code"])

    atexit.register(end_now)  # registered first, so it runs last
    try:
        app()
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            status["code"] = stop.code or 0
        else:  # sys.exit("message"): Python prints it and exits with 1
            status["code"] = 1
        raise
    except BaseException:
        atexit.unregister(end_now)
        raise


if __name__ == "__main__":
    main()
