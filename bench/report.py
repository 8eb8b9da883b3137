"""Weekly report speed on a big warehouse (issue 6): `python -m bench.report [--quick] [--json PATH]`.

A warehouse of 1,000,000 synthetic classified articles over three years (bench/fill.py; the same cached file as
bench/growth.py) is read by `flows.reporting.write_weekly_reports`, exactly as `presswatch report` does: one week
(2016-W21, the week of the policy's publication; median of 3 runs) must take under 2 s, and every week with data
(`presswatch report --all`: `weeks_with_data` then one call for all weeks, as the command runs it) under 10 s.
Baseline in the same run: the same week from a warehouse of 10,000 articles. Reports are written to a temporary
folder. `--quick`: 20,000 articles, indicative; its --all writes one quarter and scales the time to all weeks.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.common import OUT, Result, exit_code, median, print_result
from bench.fill import fill_warehouse, template
from bench.records import RESULTS, write_record

WEEK = "2016-W21"
ONE_WEEK_TARGET_S = 2.0
ALL_WEEKS_TARGET_S = 10.0
QUICK_WEEKS = 13  # --quick writes one quarter of the weeks and scales the time to all of them
SIZES = {False: (1_000_000, 10_000), True: (20_000, 2_000)}


def one_week_seconds(warehouse: Path, reports: Path, reps: int = 3) -> float:
    from flows.reporting import write_weekly_reports
    from flows.settings import Settings
    from reports.week import Week

    settings = Settings(config_path=reports / "none.toml", warehouse_path=warehouse, reports_dir=reports)
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        write_weekly_reports(settings, [Week.parse(WEEK)])
        times.append(time.perf_counter() - started)
    return median(times)


def all_weeks_seconds(warehouse: Path, reports: Path, limit: int | None = None) -> tuple[float, int, int]:
    """Seconds for `presswatch report --all` (`weeks_with_data`, then one `write_weekly_reports` call for all
    weeks, as the command does), the weeks written, and the weeks with data. With `limit` (quick mode), only the
    first `limit` weeks are written and the time is scaled to all weeks.

    (Until the report read its weeks in a few set-based queries, --all took minutes at a million articles and was
    timed a quarter per call with a cap; one call is what the command makes, so it is what is timed now.)"""
    from flows.reporting import all_weeks_with_data, write_weekly_reports
    from flows.settings import Settings

    settings = Settings(config_path=reports / "none.toml", warehouse_path=warehouse, reports_dir=reports)
    started = time.perf_counter()
    weeks = all_weeks_with_data(settings)
    if not weeks:
        return 0.0, 0, 0
    timed = weeks[:limit] if limit else weeks
    write_weekly_reports(settings, timed)
    return (time.perf_counter() - started) * len(weeks) / len(timed), len(timed), len(weeks)


def run(*, quick: bool) -> list[Result]:
    big_n, small_n = SIZES[quick]
    work = OUT / "report"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    small = work / "small.duckdb"
    fill_warehouse(small, small_n, sketches=False)
    if quick:
        big = work / "big.duckdb"
        fill_warehouse(big, big_n, sketches=False)
    else:
        big, built = template(big_n, OUT / "cache")
        if built is not None:
            print(f"- built the {big_n:,}-article warehouse in {built:.0f} s", flush=True)
    import flows.reporting  # noqa: F401 - imports (jinja2, reports) are not part of a report's time

    with tempfile.TemporaryDirectory(prefix="presswatch-bench-") as tmp:
        base = one_week_seconds(small, Path(tmp) / "small")
        one = one_week_seconds(big, Path(tmp) / "big")
        every, timed, weeks = all_weeks_seconds(big, Path(tmp) / "all", QUICK_WEEKS if quick else None)
    shutil.rmtree(work, ignore_errors=True)
    tag = " (quick: indicative)" if quick else ""
    if not weeks:
        result = Result.skip(
            f"weekly report, {big_n:,} articles{tag}",
            "the filled warehouse has no week with data",
            target="< 2 s, < 10 s",
        )
        print_result(result)
        return [result]
    results = [
        Result(
            f"weekly report, one week, {big_n:,} articles{tag}",
            f"{one:.2f} s",
            f"< {ONE_WEEK_TARGET_S:.0f} s",
            f"{small_n:,} articles: {base:.2f} s",
            one < ONE_WEEK_TARGET_S,
            f"week {WEEK}, median of 3",
        ),
        Result(
            f"weekly report --all, {big_n:,} articles{tag}",
            f"{every:.1f} s for {weeks} weeks ({every / weeks:.2f} s a week)",
            f"< {ALL_WEEKS_TARGET_S:.0f} s",
            f"one week {one:.2f} s",
            every < ALL_WEEKS_TARGET_S,
            "" if timed == weeks else f"{timed} of {weeks} weeks written, time scaled to all",
        ),
    ]
    for r in results:
        print_result(r)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--results-dir", type=Path, default=RESULTS, help="where to write the record (JSON)")
    args = parser.parse_args(argv)
    results = run(quick=args.quick)
    write_record("report", results, quick=args.quick, argv=argv, directory=args.results_dir)
    return exit_code(results)


if __name__ == "__main__":
    sys.exit(main())
