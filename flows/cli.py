"""The `topictrends` command line."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from flows.prefect_env import configure_prefect_env

configure_prefect_env()  # before anything imports prefect

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Turn folders of paper-listing dumps into topics and their growth over time.")
console = Console(stderr=True)


@app.callback()
def _main() -> None:
    """Turn folders of paper-listing dumps into topics and their growth over time."""


def _absolute(path: Optional[Path]) -> Optional[str]:
    return str(path.resolve()) if path is not None else None


@app.command()
def run(
    input: Optional[Path] = typer.Option(None, "--input", "-i", help="Folder of dumps (default from config: data/samples)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Output folder (default from config: out)."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="TOML file overriding config/default.toml."),
) -> None:
    """Run the whole pipeline: parse, dates, embed, topics, trends, report."""
    from analytics.config import load_config
    from flows.pipeline import NoUsableInput, topictrends_flow

    cfg = load_config(config)
    input_dir = _absolute(input) or str(cfg.resolve_path(cfg.run.input))
    output_dir = _absolute(output) or str(cfg.resolve_path(cfg.run.output))
    if not Path(input_dir).is_dir():
        console.print(f"[red]error:[/red] input folder {input_dir} does not exist or is not a folder")
        raise typer.Exit(2)
    try:
        summary = topictrends_flow(input_dir, output_dir, _absolute(config))
    except NoUsableInput as error:
        console.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2)
    totals = summary["totals"]
    coverage = summary["date_coverage"].get("overall", summary["date_coverage"])
    console.print(
        f"[green]done[/green]: {totals['papers']} papers from {totals['usable_files']} dumps "
        f"({totals['set_aside_files']} set aside, {totals['problems']} problems), {totals['topics']} topics, "
        f"dates: {coverage.get('stated', 0)} stated / {coverage.get('inferred', 0)} inferred / "
        f"{coverage.get('undated', 0)} undated"
    )
    print(f"Report: {summary['outputs']['report']}")


@app.command()
def evaluate(
    run_dir: Optional[Path] = typer.Option(None, "--run", "-r", help="Output folder of a run (default from config: out)."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="TOML file overriding config/default.toml."),
) -> None:
    """Score a run's topics (coherence, diversity, outliers, sizes, agreement with arXiv categories);
    prints a table and writes evaluation.json into the run folder."""
    from analytics.config import load_config
    from analytics.evaluation import EVALUATION_FILE, evaluate_run, print_evaluation_table

    if run_dir is not None:
        folder = run_dir.resolve()
    else:
        cfg = load_config(config)
        folder = cfg.resolve_path(cfg.run.output)
    try:
        result = evaluate_run(folder)
    except (FileNotFoundError, ValueError) as error:
        console.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2)
    print_evaluation_table(result, Console())
    print(f"Evaluation: {folder / EVALUATION_FILE}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
