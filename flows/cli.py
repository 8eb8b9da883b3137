"""The `presswatch` command line: a thin shell over the library. Data to stdout; logs and progress to stderr.

Prefect is imported only by the commands that run flows (it takes over a second to import).
"""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from flows.choices import ExportFormat, OutputFormat, StanceChoice
from flows.errors import PresswatchError, load_rule_file
from flows.settings import Settings, load_settings, resolve_config_path


def _placeholder(param: Any, ctx: Any) -> str | None:
    """What help shows after an option: its metavar, else its name in capitals ("--week WEEK"); nothing for flags.
    Typer prints the Python type instead ("<str>", "<bool>"), which tells a reader nothing."""
    if param.metavar is not None:
        return str(param.metavar)
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return None
    return str(param.name or "value").upper()


for _kind in (typer.core.TyperOption, typer.core.TyperArgument):
    _kind.display_type_rich = _placeholder  # type: ignore[method-assign,assignment]

app = typer.Typer(
    name="presswatch",
    help="Media-coverage monitor: who supports a policy, who opposes it, and why, with the evidence.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
feeds_app = typer.Typer(help="Manage the feeds presswatch watches.", no_args_is_help=True)
app.add_typer(feeds_app, name="feeds")
topics_app = typer.Typer(help="Topics: list them, start a new one, check a rule file.", no_args_is_help=True)
app.add_typer(topics_app, name="topics")
rules_app = typer.Typer(help="Improve a topic's rules from human labels.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

STATE: dict[str, Any] = {}


def _print_version(value: bool) -> None:
    if value:
        from flows.settings import software_version

        typer.echo(f"presswatch {software_version()}")
        raise typer.Exit()


@app.callback()
def _global(
    config: Annotated[
        str | None,
        typer.Option(
            "--config",
            "-c",
            metavar="PATH",
            help="presswatch.toml to use (env PRESSWATCH_CONFIG); before or after the command.",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    STATE["config"] = config


def hoist_config(argv: list[str]) -> list[str]:
    """`presswatch sql --config x.toml "..."` means what `presswatch --config x.toml sql "..."` does: the global
    option is moved in front of the command (a SQL text or file name equal to "--config" is not an option)."""
    out: list[str] = []
    moved: list[str] = []
    index = 0
    while index < len(argv):
        item = argv[index]
        if item == "--":
            out += argv[index:]
            break
        if item in ("--config", "-c") and index + 1 < len(argv):
            moved += [item, argv[index + 1]]
            index += 2
            continue
        if item.startswith("--config="):
            moved.append(item)
        else:
            out.append(item)
        index += 1
    return moved + out


def _settings(*, missing_ok: bool = False) -> Settings:
    return load_settings(resolve_config_path(STATE.get("config")), missing_ok=missing_ok)


def _err(message: str) -> None:
    typer.echo(message, err=True)


def prepare_prefect(settings: Settings) -> None:
    """Prefect's environment for this project, set before Prefect is imported (explicit settings win)."""
    os.environ.setdefault("PREFECT_HOME", str((settings.warehouse_path.parent / "prefect").resolve()))
    # Prefect creates its home without parents; a first run has no data folder yet.
    Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    # A first temporary server on a fresh Prefect home is slow to start (its start-up is on the orchestration line
    # of `python -m bench.ingest`); the bound leaves room for a loaded machine.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


# --- pipeline commands -----------------------------------------------------------------------------------------


@app.command()
def ingest() -> None:
    """Run one ingest (a Prefect flow run) over the configured feeds and print its summary."""
    from flows.preflight import check_warehouse

    settings = _settings()
    check_warehouse(settings, free_lock="ingest")
    prepare_prefect(settings)
    from flows import progress
    from flows.ingest import ingest_flow
    from flows.interrupt import interruptible

    with progress.shown(), interruptible(lambda: _pending_in_words(settings)):
        summary = _run_flow(ingest_flow, str(settings.config_path))
    _print_summary(summary)


def _pending_in_words(settings: Settings) -> str:
    """What an interrupted ingest leaves for the next run, counted when the warehouse can be read right now."""
    from warehouse import store
    from warehouse.db import connect

    with connect(settings.store, read_only=True, wait_s=0) as con:
        pending = store.count_pending(con)
    return f"{pending} pending article{'s' if pending != 1 else ''} will be done by the next run"


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port the demo web listens on.")] = 8015,
    data: Annotated[Path, typer.Option(help="Folder for the demo's warehouse and reports.")] = Path("data/demo"),
) -> None:
    """Serve the bundled sample news web on 127.0.0.x, ingest it, and write its weekly reports."""
    from flows.demo import run_demo

    run = run_demo(data, _ingest_with_progress, port=port, announce=_err)
    _print_summary(run.summary)
    typer.echo(f"warehouse: {run.settings.warehouse_path}")
    typer.echo(f"reports ({len(run.reports)}):")
    for report in run.reports:
        typer.echo(f"  {report.path}  ({report.relevant} relevant)")
    for subject in sorted({report.path.parent for report in run.reports}):
        typer.echo(f"start with the index: {subject / 'index.md'}")
    query = '"select stance, count(*) from coverage group by 1"'
    typer.echo(f"then ask your own questions: {_program()} --config {run.config} sql {query}")


def _ingest_with_progress(settings: Settings) -> dict[str, Any]:
    """One run of the ingest flow, its progress shown on the terminal: the demo's ingest."""
    prepare_prefect(settings)
    from flows import progress
    from flows.ingest import ingest_flow

    with progress.shown():
        summary: dict[str, Any] = _run_flow(ingest_flow, str(settings.config_path))
    return summary


def _program() -> str:
    """How this command was invoked, as the user can type it again (".venv/bin/presswatch" from `make demo`)."""
    invoked = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path("presswatch")
    if invoked.name != "presswatch":
        return "presswatch"
    try:
        return str(invoked.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(invoked)


@app.command()
def report(
    week: Annotated[str | None, typer.Option(help="ISO week, e.g. 2015-W33 (default: last complete week).")] = None,
    topic: Annotated[str | None, typer.Option(help="Topic name (default: every enabled topic).")] = None,
    all_weeks: Annotated[bool, typer.Option("--all", help="Every week with data.")] = False,
) -> None:
    """Write the weekly Markdown report(s) and print their paths."""
    from flows.reporting import all_weeks_with_data, default_week, report_topics, write_weekly_reports
    from reports.week import Week

    settings = _settings()
    topics = [subject.topic for subject in report_topics(settings, [topic] if topic else None)]
    if week and all_weeks:
        raise PresswatchError("--week and --all cannot be used together: --all writes every week with data")
    chosen = Week.parse(week) if week else None
    with_data = all_weeks_with_data(settings, topics)
    if all_weeks:
        weeks = with_data
    else:
        target = chosen or default_week()
        if not with_data:
            raise PresswatchError("the warehouse has no articles yet: nothing to report (run `presswatch ingest`)")
        if target.start < with_data[0].start or target.start > with_data[-1].start:
            raise PresswatchError(
                f"no articles in {target}: the warehouse holds weeks {with_data[0]} to {with_data[-1]} "
                "(--week picks one of them, --all writes them all)"
            )
        weeks = [target]
    for written in write_weekly_reports(settings, weeks, topics):
        typer.echo(str(written.path))


@app.command()
def classify(
    file: Annotated[str, typer.Argument(help="JSON Lines file (id, title, text, optional language, url), or -.")],
    topic: Annotated[str | None, typer.Option(help="Topic name (default: the first enabled topic).")] = None,
) -> None:
    """Classify articles from JSON Lines without a warehouse; prints one JSON line per input line."""
    from flows.classify_file import classify_lines
    from flows.pipeline import load_rulesets

    settings = _settings(missing_ok=True)
    ruleset = load_rulesets(settings, [topic] if topic else list(settings.topics[:1]))[0]
    stream = _stdin_bytes() if file == "-" else _open_bytes(file)
    failures = 0
    for line, problem in classify_lines(ruleset, stream, "stdin" if file == "-" else file):
        if problem is not None:
            failures += 1
            _err(problem)
        typer.echo(line)
    if failures:
        raise typer.Exit(1)


@app.command()
def reclassify(
    topic: Annotated[str | None, typer.Option(help="Topic name (default: every enabled topic).")] = None,
) -> None:
    """Re-run the current rules over stored text (no refetching); earlier versions' results are kept."""
    settings = _settings()
    from flows import progress
    from flows.interrupt import interruptible
    from flows.pipeline import load_rulesets
    from flows.stored import classify_stored

    rulesets = load_rulesets(settings, [topic] if topic else None)
    remains = "stored text without a current result is classified by the next ingest or reclassify"
    with progress.shown(), interruptible(lambda: remains):
        done = classify_stored(settings.store, rulesets, force=True, feed_topics=settings.feed_topics())
    versions = ", ".join(f"{r.topic} {r.version}" for r in rulesets)
    typer.echo(f"reclassified {done} article-topic pairs with {versions}")


@app.command()
def reextract() -> None:
    """Rebuild text, metadata, wire stories and stances from the stored raw pages, without fetching."""
    settings = _settings()
    from flows import progress
    from flows.interrupt import interruptible
    from flows.pipeline import load_rulesets
    from flows.stored import reextract_stored

    remains = "pages re-extracted so far are saved; run reextract again to finish"
    with progress.shown(), interruptible(lambda: remains):
        done = reextract_stored(settings.store, load_rulesets(settings), feed_topics=settings.feed_topics())
    typer.echo(f"re-extracted {done} stored pages")


@app.command()
def label(
    url: Annotated[str, typer.Argument(help="Article URL (as in coverage.url; other spellings are canonicalised).")],
    stance: Annotated[StanceChoice, typer.Option(help="The article's stance toward the topic.")],
    note: Annotated[str | None, typer.Option(help="Why (kept with the label).")] = None,
    topic: Annotated[str | None, typer.Option(help="Topic (default: the first enabled topic).")] = None,
) -> None:
    """Store a human label; `coverage` shows it (and the machine's beside it)."""
    from extractors.urls import canonicalize_url
    from warehouse.labels import save_label

    settings = _settings()
    key = canonicalize_url(url)
    chosen = topic or settings.topics[0]
    from warehouse.db import exists

    if not exists(settings.store):  # a mistyped path must not create an empty warehouse
        raise PresswatchError(
            f"no warehouse at {settings.warehouse_path} (check [warehouse] path in {settings.config_path})"
        )
    save_label(settings.store, key, chosen, stance.value, note, os.environ.get("USER"))
    typer.echo(f"labelled {key} as {stance} for {chosen}")


@app.command()
def review(
    week: Annotated[str | None, typer.Option(help="ISO week, e.g. 2015-W33 (default: last complete week).")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many articles.")] = 20,
    topic: Annotated[str | None, typer.Option(help="Topic (default: the first enabled topic).")] = None,
) -> None:
    """The week's relevant articles the rules are least sure about (lowest confidence first, labelled ones left
    out), each with its strongest own-voice evidence and the command to label it. Read-only."""
    from flows.reporting import default_week, report_topics
    from flows.review import review_lines
    from reports.week import Week
    from warehouse.review import least_sure

    settings = _settings()
    chosen = report_topics(settings, [topic] if topic else list(settings.topics[:1]))[0].topic
    target = Week.parse(week) if week else default_week()
    found = least_sure(settings.store, chosen, target.start, target.end, limit)
    for line in review_lines(found, topic=chosen, week=str(target), program=_program()):
        typer.echo(line)


@app.command()
def evaluate(
    labels: Annotated[
        str | None, typer.Option(help="Labelled JSON Lines file (default: human labels in the warehouse).")
    ] = None,
    topic: Annotated[str | None, typer.Option(help="Topic (default: the first enabled topic).")] = None,
    rules: Annotated[
        Path | None, typer.Option(help="A candidate rule file: show before (the topic's rules) and after (this file).")
    ] = None,
) -> None:
    """Measure the classifier: per-class precision/recall/F1, macro-F1, relevance, confusion matrix, baselines,
    reliability of its confidence; with --rules, a candidate rule file against the current one."""
    from flows.pipeline import load_rulesets
    from stance.evaluate import evaluate_labelled, format_comparison, format_evaluation
    from stance.rules import load_ruleset

    settings = _settings(missing_ok=labels is not None)
    ruleset = load_rulesets(settings, [topic] if topic else list(settings.topics[:1]))[0]
    if labels:
        rows = _labelled_json_lines(Path(labels))
    else:
        from warehouse.labels import labelled_articles

        rows = labelled_articles(settings.store, ruleset.topic)
        if not rows:
            raise PresswatchError("no human labels in the warehouse yet (presswatch label URL --stance ...)")
    before = evaluate_labelled(ruleset, rows)
    if rules is None:
        typer.echo(format_evaluation(before))
        return
    candidate = load_rule_file(load_ruleset, rules)
    after = evaluate_labelled(candidate, rows)
    typer.echo(
        format_comparison(
            before,
            after,
            f"{ruleset.path} (version {ruleset.version})",
            f"{rules} (version {candidate.version})",
        )
    )


@app.command()
def sql(
    query: Annotated[str | None, typer.Argument(help="SQL to run, or - to read it from stdin.")] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="Read the SQL from a file.")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="How to print the rows.")] = OutputFormat.table,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="Named parameter NAME=VALUE, used as $NAME.")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many rows in table output.")] = None,
    allow_files: Annotated[bool, typer.Option(help="Allow reading your own CSV/Parquet files.")] = False,
) -> None:
    """Run a read-only SQL query over the warehouse."""
    from flows.output import write_result
    from warehouse.analyst import run_query

    if file is not None:
        text = _read_file(file)
    elif query == "-":
        text = sys.stdin.read()
    elif query:
        text = query
    else:
        raise PresswatchError("give a query, - for stdin, or --file")
    params = {}
    for item in param or []:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise PresswatchError(f"--param must be NAME=VALUE, not {item!r}")
        params[name] = value
    result = run_query(_settings().store, text, params, allow_files=allow_files)
    write_result(result, fmt.value, sys.stdout, limit=limit)


@app.command()
def export(
    out: Annotated[Path, typer.Option("--out", help="Folder to write into (created if needed).")],
    fmt: Annotated[
        ExportFormat, typer.Option("--format", help="Parquet (partitioned by week) or CSV.")
    ] = ExportFormat.parquet,
    since: Annotated[
        str | None, typer.Option(help="Only articles published on or after this date (YYYY-MM-DD).")
    ] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Overwrite an earlier export in the same folder.")] = False,
) -> None:
    """Write the analyst views as files for pandas, R or a BI tool."""
    from datetime import date

    from warehouse.export import export_views

    try:
        start = date.fromisoformat(since) if since else None
    except ValueError:
        raise PresswatchError(f"--since must be a date like 2015-08-01, not {since!r}") from None
    for item in export_views(_settings().store, out, fmt.value, start, replace=replace):
        typer.echo(f"{item.view}: {item.rows} rows -> {item.path}")


# --- feeds ---------------------------------------------------------------------------------------------------


@app.command()
def backup(
    out: Annotated[
        Path | None, typer.Option(help="Folder for the copy (default: backups/<name>-<UTC time> beside the warehouse).")
    ] = None,
) -> None:
    """Copy the warehouse and its raw pages consistently (waits for a running ingest's write) and check the copy."""
    from warehouse.backup import backup_warehouse, default_folder

    settings = _settings()
    if settings.warehouse_url:
        raise PresswatchError(
            "backup copies a DuckDB file; a PostgreSQL warehouse is backed up with pg_dump (docs/scaling.md)"
        )
    made = backup_warehouse(settings.warehouse_path, out or default_folder(settings.warehouse_path))
    typer.echo(str(made.folder))
    _err(
        f"backed up {made.articles} articles (schema {made.schema}) in {len(made.files)} files; to restore, stop "
        f"presswatch and copy them back beside {settings.warehouse_path}"
    )


@app.command()
def runs(
    limit: Annotated[int, typer.Option(min=1, help="How many runs, newest first.")] = 20,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="How to print the rows.")] = OutputFormat.table,
    columns: Annotated[str | None, typer.Option(metavar="A,B,...", help="Columns to show, or all.")] = None,
) -> None:
    """The run history: when each ingest and report ran, how long, its status and what it collected."""
    from flows.output import select_columns, write_result
    from warehouse.runs import recent_runs

    try:
        shown = select_columns(recent_runs(_settings().store, limit), columns)
    except ValueError as exc:
        raise PresswatchError(f"--columns: {exc}") from None
    write_result(shown, fmt.value, sys.stdout)


# What `feeds list` shows in a table unless --columns says otherwise: enough to tell feeds apart and see which fail.
FEED_LIST_COLUMNS = ("url", "name", "consecutive_failures", "last_error", "last_success_at")


@feeds_app.command("list")
def feeds_list(
    fmt: Annotated[OutputFormat, typer.Option("--format", help="How to print the rows.")] = OutputFormat.table,
    columns: Annotated[
        str | None,
        typer.Option(metavar="A,B,...", help=f"Columns to show, or all (default: {', '.join(FEED_LIST_COLUMNS)})."),
    ] = None,
) -> None:
    """Every feed (config and added) with its health: last success, last new item, failures, last error."""
    from flows.feeds import feed_health
    from flows.output import select_columns, write_result

    try:
        # The short set is for people at a terminal; machine formats keep every column unless asked otherwise.
        shown = select_columns(feed_health(_settings()), columns, FEED_LIST_COLUMNS if fmt == "table" else ())
    except ValueError as exc:
        raise PresswatchError(f"--columns: {exc}") from None
    write_result(shown, fmt.value, sys.stdout)


@feeds_app.command("add")
def feeds_add(
    url: Annotated[str, typer.Argument(help="The feed's address (RSS, Atom, RDF or JSON Feed), http or https.")],
    name: Annotated[str, typer.Option(help="A label for the feed.")] = "",
) -> None:
    """Watch one more feed (stored in the warehouse beside the config's feeds)."""
    from flows.feeds import add_feed, check_feed_url

    for warning in check_feed_url(url.strip()):
        _err(f"warning: {warning}")
    typer.echo(add_feed(_settings(), url, name))


@feeds_app.command("remove")
def feeds_remove(
    url: Annotated[str, typer.Argument(help="The feed's address, as `feeds list` shows it.")],
) -> None:
    """Stop watching a feed added with `feeds add` or `feeds import` (config feeds: edit the config)."""
    from flows.feeds import remove_feed

    typer.echo(remove_feed(_settings(), url))


@feeds_app.command("import")
def feeds_import(file: Annotated[Path, typer.Argument(help="An OPML file (a feed reader's export).")]) -> None:
    """Add every feed of an OPML 2.0 file."""
    from flows.feeds import import_opml

    typer.echo(import_opml(_settings(), _read_file(file), str(file)))


@feeds_app.command("export")
def feeds_export() -> None:
    """Print the watched feeds as OPML 2.0."""
    from flows.feeds import export_opml

    typer.echo(export_opml(_settings()), nl=False)


@app.command()
def serve(
    run_now: Annotated[bool, typer.Option("--run-now", help="Also start an ingest at once.")] = False,
) -> None:
    """Run the scheduled ingest and weekly report until stopped (Ctrl-C or SIGTERM).

    With no PREFECT_API_URL set, serve starts a Prefect server of its own on 127.0.0.1 (its database beside the
    warehouse, in the Prefect home) and stops it on exit: Prefect's temporary server has no scheduler."""
    from flows.prefect_server import PrefectServer
    from flows.preflight import check_warehouse

    settings = _settings()
    check_warehouse(settings)
    prepare_prefect(settings)
    from warehouse.db import exclusive_run

    with ExitStack() as stack:
        # One serve per warehouse: a second one would run every schedule twice.
        stack.enter_context(exclusive_run(settings.store, "serve"))
        if not os.environ.get("PREFECT_API_URL"):
            server = PrefectServer(Path(os.environ["PREFECT_HOME"]), log=lambda m: _err(f"presswatch serve: {m}"))
            _err(f"starting a Prefect server on {server.api_url} (database {server.database}) ...")
            stack.enter_context(server)
            os.environ["PREFECT_API_URL"] = server.api_url
        from flows.schedule import next_runs, serve_deployments

        upcoming = next_runs(settings, datetime.now(UTC))

        def ready() -> None:
            typer.echo(f"serving {settings.config_path} with Prefect at {os.environ['PREFECT_API_URL']}")
            typer.echo(
                f"next ingest: {'now, then ' if run_now else ''}{_when(upcoming.ingest)} "
                f"(every {settings.ingest_every_minutes} min)"
            )
            typer.echo(f"next report: {_when(upcoming.report)} (cron '{settings.report_cron}', UTC)")
            typer.echo(f"reports go to {settings.reports_dir}; Ctrl-C stops", nl=True)

        stopped_by = serve_deployments(settings, run_now=run_now, on_ready=ready)
    _err(f"presswatch serve: stopped ({stopped_by}); an interrupted ingest is finished by the next run")
    if stopped_by == "SIGINT":
        sys.exit(130)


@app.command()
def deploy(
    pool: Annotated[str, typer.Option(metavar="NAME", help="Prefect work pool (a process pool; created if missing).")],
    shards: Annotated[int, typer.Option(min=1, max=64, help="Ingest deployments, one per shard of the feeds.")] = 1,
    run_now: Annotated[bool, typer.Option("--run-now", help="Also start a run of every shard at once.")] = False,
) -> None:
    """Register the ingest as one deployment per shard of the feeds (split by publisher) and the weekly report on a
    Prefect work pool, each one run at a time; `prefect worker start --pool NAME` runs them. Needs PREFECT_API_URL
    (a Prefect server), and with more than one shard a shared warehouse ([warehouse] url)."""
    from flows.preflight import check_warehouse

    settings = _settings()
    if not os.environ.get("PREFECT_API_URL"):
        raise PresswatchError(
            "deploy registers deployments on a Prefect server that the workers reach: set PREFECT_API_URL "
            "(e.g. http://127.0.0.1:4200/api after `prefect server start`; docs/scaling.md)"
        )
    check_warehouse(settings)
    prepare_prefect(settings)
    from flows.deploy import deploy as deploy_shards

    done = deploy_shards(settings, pool, shards, run_now=run_now)
    if done.created_pool:
        _err(f"created the process work pool {done.pool}")
    for name in done.removed:
        _err(f"removed {name} (another shard count)")
    for name in done.names:
        typer.echo(name)
    _err(f"{len(done.names)} deployments on {done.pool}{'; a run of each shard started' if run_now else ''}")
    _err(f"start workers with: prefect worker start --pool {done.pool}")


def _when(moment: datetime) -> str:
    return moment.strftime("%a %Y-%m-%d %H:%M UTC")


# --- topics --------------------------------------------------------------------------------------------------


@topics_app.command("list")
def topics_list() -> None:
    """Every topic the config can enable (bundled, and in [topics] dir), marking the enabled ones."""
    from flows.pipeline import available_topics

    settings = _settings(missing_ok=True)
    for name, path in available_topics(settings).items():
        mark = "*" if name in settings.topics else " "
        typer.echo(f"{mark} {name}  {path}")
    typer.echo("(* enabled in [topics] enabled)")


@topics_app.command("new")
def topics_new(
    name: Annotated[str, typer.Argument(help="Topic name: lowercase letters, digits and hyphens.")],
    title: Annotated[str | None, typer.Option(help="Human title (default: from the name).")] = None,
    folder: Annotated[
        Path | None,
        typer.Option("--dir", metavar="DIR", help="Where to write it (default: [topics] dir, else ./topics)."),
    ] = None,
) -> None:
    """Write a commented rule-file template for a new topic, ready to edit and `topics check`."""
    import re
    from importlib import resources

    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise PresswatchError(f"topic name must be lowercase letters, digits and hyphens, not {name!r}")
    settings = _settings(missing_ok=True)
    target_dir = folder or settings.topics_dir or Path("topics")
    target = target_dir / f"{name}.toml"
    if target.exists():
        raise PresswatchError(f"{target} exists already; choose another name or edit it")
    template = resources.files("stance").joinpath("templates", "topic.toml").read_text(encoding="utf-8")
    text = (
        template.replace("__TITLE__", title or name.replace("-", " ").capitalize())
        .replace("__NAME__", name)
        .replace("__FILE__", str(target))
    )
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise PresswatchError(f"{target}: {exc.strerror or exc}") from None
    typer.echo(str(target))
    _err(
        f"next: edit it, `presswatch topics check {target}`, then enable it in presswatch.toml "
        f'([topics] enabled = [..., "{name}"], dir = "{target_dir}")'
    )


@topics_app.command("check")
def topics_check(files: Annotated[list[Path], typer.Argument(help="Rule files to check.")]) -> None:
    """Report every problem of each rule file at once (file:line: key: message); exit 2 if there is any."""
    from stance.rules import check_rule_file, load_ruleset

    failed = False
    for path in files:
        errors = check_rule_file(path)
        for error in errors:
            typer.echo(str(error))
        if errors:
            failed = True
            continue
        ruleset = load_rule_file(load_ruleset, path)  # it loads (no problems found); the helper keeps errors ours
        rules = sum(len(lang.rules) for lang in ruleset.language_rules)
        typer.echo(f"{path}: ok ({rules} rules in {', '.join(ruleset.languages)}; version {ruleset.version})")
    if failed:
        raise typer.Exit(2)


@rules_app.command("suggest")
def rules_suggest(
    labels: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Labelled JSON Lines file (default: the human labels in the warehouse)."),
    ] = None,
    topic: Annotated[str | None, typer.Option(help="Topic (default: the first enabled topic).")] = None,
    out: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Write the candidate rules that helped as TOML here, to review and paste."),
    ] = None,
    min_support: Annotated[
        int, typer.Option(min=1, help="Only phrases used in the own voice of at least this many labelled articles.")
    ] = 3,
    folds: Annotated[int, typer.Option(min=2, help="Cross-validation folds.")] = 5,
    top: Annotated[int, typer.Option(min=1, help="At most this many candidates, best first.")] = 20,
) -> None:
    """Mine candidate phrases from human labels (own-voice word n-grams that separate the sides) and rank them by
    their cross-validated effect on macro-F1; never changes the rule file."""
    import time

    from flows.pipeline import load_rulesets
    from stance.suggest import candidate_toml, format_suggestions, labelled_rows, suggest_rules

    started = time.monotonic()
    settings = _settings(missing_ok=labels is not None)
    ruleset = load_rulesets(settings, [topic] if topic else list(settings.topics[:1]))[0]
    if labels is not None:
        if "heldout" in labels.resolve().parts:
            raise PresswatchError(f"{labels}: held-out sets are never mined for rules (bench/corpus/README.md)")
        rows = _labelled_json_lines(labels)
    else:
        from warehouse.labels import labelled_articles

        rows = labelled_articles(settings.store, ruleset.topic)
        if not rows:
            raise PresswatchError("no human labels in the warehouse yet (presswatch review, then presswatch label)")
    try:
        found = suggest_rules(ruleset, labelled_rows(rows), folds=folds, min_support=min_support)
    except ValueError as exc:
        raise PresswatchError(str(exc)) from None
    for line in format_suggestions(found, top):
        typer.echo(line)
    _err(
        f"{found.labels} labels, {found.mined} mined (supportive/opposed/neutral in a language with rules); "
        f"{found.phrases} phrases, the best {min(found.phrases, len(found.candidates))} cross-validated over "
        f"{found.folds} folds in {time.monotonic() - started:.1f} s"
    )
    if out is None:
        _err("--out FILE writes the candidates that raised macro-F1 as rule tables to review")
        return
    text, count = candidate_toml(found, ruleset, top)
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise PresswatchError(f"{out}: {exc.strerror or exc}") from None
    _err(
        f"wrote {count} candidate rule{'s' if count != 1 else ''} to {out}; to try them: append them to a copy of "
        f"{ruleset.path}, then `presswatch evaluate --rules COPY`"
    )


def _labelled_json_lines(path: Path) -> list[dict[str, Any]]:
    """A labelled JSON Lines file (id, title, text, language, label); the first bad line is a one-line error."""
    from flows.jsonl import article_problem, json_lines

    rows: list[dict[str, Any]] = []
    for number, item, invalid in json_lines(_open_bytes(str(path)), str(path)):
        problem = invalid or article_problem(item)
        if problem is None and item.get("label") is None:
            problem = 'missing "label" (supportive, opposed, neutral or off_topic)'
        if problem is not None:
            raise PresswatchError(f"{path}:{number}: {problem}")
        rows.append(item)
    return rows


# --- helpers -------------------------------------------------------------------------------------------------


def _run_flow(flow: Any, *args: Any) -> Any:
    """Run a Prefect flow; a Prefect server that cannot start or be reached is a clear one-line error."""
    try:
        return flow(*args)
    except RuntimeError as exc:
        message = str(exc)
        if "Prefect API" not in message and "Prefect server" not in message:
            raise
        raise PresswatchError(
            f"Prefect is not available ({message.strip()}); check PREFECT_HOME ({os.environ.get('PREFECT_HOME')}) "
            "or point PREFECT_API_URL at a running `prefect server start`"
        ) from None


def _stdin_bytes() -> Any:
    import io

    buffer = getattr(sys.stdin, "buffer", None)
    return buffer if buffer is not None else io.BytesIO(sys.stdin.read().encode("utf-8"))


def _open_bytes(path: str) -> Any:
    try:
        return open(path, "rb")
    except OSError as exc:
        raise PresswatchError(f"{path}: {exc.strerror}") from None


def _read_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PresswatchError(f"{path}: {getattr(exc, 'strerror', None) or exc}") from None


def _print_summary(summary: dict[str, Any]) -> None:
    from flows.summary import nothing_collected, summary_lines

    out, err = summary_lines(summary)
    for line in out:
        typer.echo(line)
    for line in err:
        _err(line)
    if nothing_collected(summary):
        raise PresswatchError(f"every feed failed ({summary['feeds_failed']}); nothing could be collected")


def main() -> None:
    try:
        app(args=hoist_config(sys.argv[1:]), prog_name="presswatch")
    except PresswatchError as exc:  # every presswatch error: flows/errors.py lists the tree
        from warehouse.analyst import QueryError
        from warehouse.db import WarehouseError

        # Ours say one thing a line (a config with several problems: one line each); DuckDB's messages, kept whole
        # in the warehouse's errors, are said as they are, so that a query's caret stays under its SQL line.
        whole = isinstance(exc, WarehouseError | QueryError)
        for line in [str(exc)] if whole else str(exc).splitlines():
            _err(f"presswatch: {line}")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _err("presswatch: interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
