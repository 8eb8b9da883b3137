"""Ingest benchmarks on a synthetic web served on loopback: `python -m bench.ingest [--quick] [--json PATH]`.

Targets (issue 9), each measured beside its baseline in the same run:
- end to end: ingest of 2,000 new articles (500 feeds x 4, 40 hosts, 50 ms server latency, 2 requests in flight
  per host, no delay between requests) within 1.3x of the larger of the network limit (articles x latency /
  (hosts x per-host concurrency)) and the CPU limit (trafilatura's own CPU time for the same pages, the same call
  and options as presswatch, on one core in a fresh process, timed just before and just after the ingest and
  averaged, divided by the cores); per-stage breakdown and where the run's CPU went printed;
- orchestration: the same ingest as a Prefect flow (`ingest_flow`) against the stage functions called directly
  (`run_ingest(orchestrated=False)`), each on a fresh warehouse: at most 1.10x. The flow process first runs an
  empty flow three times so that Prefect's temporary server is up; the ingest flow's time includes its own
  per-flow-run cost but not the server's start-up, which is reported on its own;
- nothing new: a second run over the same 500 feeds (even feeds answer 304 to their ETag, odd feeds send the same
  body again) as a flow: under 5 s beyond an empty flow run measured in the same process;
- memory: peak RSS (the ingest process and its extraction workers, sampled every 100 ms) of one ingest of
  10,000 articles (500 feeds x 20) under 1.5 GB, and not growing with the number of articles: at most 1.25x the
  peak of the 2,000-article run.

Every ingest runs in its own process (`python -m bench.ingest worker ...`) while this process serves the web, so
the two share the machine's cores as a real deployment would share them with the network. The machine's speed
drifts over minutes, so the full run makes two rounds (a direct ingest, then the flow, on fresh warehouses), times
the CPU limit before, between and after them, and compares means. `--quick` shrinks every size (200 and 600
articles, 200 feeds, one round, the limit timed once, no timing on all cores): its figures are indicative only.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.common import OUT, ROOT, PeakRss, Result, exit_code, mb, median, prefect_env, print_result, run_json
from bench.records import RESULTS, write_record
from bench.synthetic import Corpus, ServerFarm, write_config

HOSTS = 40
LATENCY_S = 0.05
PER_HOST_CONCURRENCY = 2
E2E_RATIO_TARGET = 1.3
FLOW_RATIO_TARGET = 1.10
NOTHING_NEW_TARGET_S = 5.0
RSS_TARGET = 1.5 * 2**30
RSS_GROWTH_TARGET = 1.25  # "not growing": the 10,000-article peak within 25% of the 2,000-article peak
EMPTY_FLOWS = 3
SIZES = {
    False: {"feeds": 500, "per_feed": 4, "big_per_feed": 20, "cpu_sample": 500, "rounds": 2, "all_cores": True},
    # One round, the limit timed once before it, and no timing on all cores: `--quick` must stay under 2 minutes.
    True: {"feeds": 200, "per_feed": 1, "big_per_feed": 3, "cpu_sample": 200, "rounds": 1, "all_cores": False},
}


# --- the worker: one process per ingest ------------------------------------------------------------------------


def worker(config: str, mode: str, runs: int, empty_flows: int) -> dict[str, Any]:
    """Run `runs` ingests of `config` one after another (direct or as flows); times, summaries and peak RSS."""
    from flows.settings import load_settings

    settings = load_settings(Path(config))
    out: dict[str, Any] = {"runs": [], "empty_flows": []}
    if mode == "flow":
        from prefect import flow

        from flows.ingest import ingest_flow

        @flow(name="bench-empty", log_prints=False)
        def empty() -> None:
            return None

        for _ in range(empty_flows):
            started = time.perf_counter()
            empty()
            out["empty_flows"].append(time.perf_counter() - started)
    else:
        from flows.ingest import run_ingest
    for _ in range(runs):
        with PeakRss() as rss:
            cpu_before = cpu_seconds()
            started = time.perf_counter()
            summary = ingest_flow(config) if mode == "flow" else asdict(run_ingest(settings, orchestrated=False))
            wall = time.perf_counter() - started
            cpu_after = cpu_seconds()
        cpu = {k: cpu_after[k] - cpu_before[k] for k in ("main", "exited_children", "live")}
        out["runs"].append({"wall": wall, "summary": summary, "peak_rss": rss.peak, "cpu": cpu})
    out["main_max_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    out["cpu"] = cpu_seconds()
    return out


def cpu_seconds() -> dict[str, float]:
    """CPU seconds of this process, of its exited children (extraction workers) and of its live descendants
    (Prefect's temporary server), whole process lifetime: where the machine's time went."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    gone = resource.getrusage(resource.RUSAGE_CHILDREN)
    live = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    stack = _children_of(os.getpid())
    while stack:
        pid = stack.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            live += (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, ValueError, IndexError):
            continue
        stack += _children_of(pid)
    return {"main": own.ru_utime + own.ru_stime, "exited_children": gone.ru_utime + gone.ru_stime, "live": live}


def _children_of(pid: int) -> list[int]:
    from bench.common import _children

    return _children(pid)


def run_worker(config: str, mode: str, runs: int = 1, empty_flows: int = 0) -> dict[str, Any]:
    args = ["-m", "bench.ingest", "worker", config, "--mode", mode, "--runs", str(runs)]
    return run_json([*args, "--empty-flows", str(empty_flows)])


# --- limits ----------------------------------------------------------------------------------------------------


def bare_trafilatura_seconds(pages: list[tuple[bytes, str]], *, wait_for_go: bool = False) -> tuple[float, float]:
    """Mean CPU seconds per page of trafilatura alone, with the call and options presswatch uses, on one core, and
    the wall seconds of the whole pass. `wait_for_go`: after the warm-up, print "ready" and wait for a line on
    stdin, so that several processes can time their passes side by side.

    The benchmark runs this in a process of its own (`limit`), as fresh as the extraction workers, and once per
    page, as they see each page: in the process that serves the web the garbage collector walks a large heap, and
    a second pass profits from trafilatura's caches (docs/benchmarks.md, "The limit is now measured as the
    workers see it")."""
    import trafilatura

    from extractors.extract import TRAFILATURA_OPTIONS

    def one(html: bytes, url: str) -> None:
        trafilatura.bare_extraction(html, url=url, **TRAFILATURA_OPTIONS)

    one(*pages[0])  # the first date lookup in a process costs seconds: not part of the per-page cost
    if wait_for_go:
        print("ready", flush=True)
        sys.stdin.readline()
    started, wall = time.process_time(), time.perf_counter()
    for html, url in pages:
        one(html, url)
    return (time.process_time() - started) / len(pages), time.perf_counter() - wall


def time_trafilatura(pages: list[tuple[bytes, str]], processes: int = 1) -> list[tuple[float, float]]:
    """`bare_trafilatura_seconds` in `processes` fresh processes, each on its share of `pages`: every process warms
    up, then all start their timed pass at once. (CPU seconds per page, wall seconds of the pass) of each."""
    paths: list[Path] = []
    for i in range(processes):
        path = OUT / "ingest" / f"limit-pages-{i}.pickle"
        path.write_bytes(pickle.dumps(pages[i::processes], protocol=pickle.HIGHEST_PROTOCOL))
        paths.append(path)
    args = [[sys.executable, "-m", "bench.ingest", "limit", str(p), "--wait-for-go"] for p in paths]
    procs = [
        subprocess.Popen(a, cwd=ROOT, env=prefect_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for a in args
    ]
    try:
        for proc in procs:  # every process warmed up ...
            assert proc.stdout is not None
            if proc.stdout.readline().strip() != "ready":
                raise RuntimeError("a trafilatura timing process did not start")
        for proc in procs:  # ... then all start at once
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        timed = [json.loads(proc.communicate(timeout=600)[0].strip().splitlines()[-1]) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        for path in paths:
            path.unlink(missing_ok=True)
    return [(float(t["seconds_per_page"]), float(t["wall"])) for t in timed]


def measure_limit(pages: list[tuple[bytes, str]]) -> float:
    """CPU seconds per page of trafilatura alone, in one fresh process."""
    return time_trafilatura(pages)[0][0]


def measure_on_all_cores(pages: list[tuple[bytes, str]], cores: int) -> float:
    """Wall seconds per page of trafilatura alone with every core busy (`cores` processes side by side). The CPU
    limit divides one core's time by the cores; this says how near to that the cores come when all work at once."""
    return max(wall for _cpu, wall in time_trafilatura(pages, cores)) / len(pages)


def cpu_line(run: dict[str, Any], articles: int, bare_per_page: float, cores: int, farm_cpu: float) -> str:
    """Where the run's CPU went, beside the wall time it allows on `cores`: trafilatura inside the workers (the
    CPU limit's own work), presswatch's other work in the workers and in the main process, and this benchmark's
    web server (which a real deployment would not run)."""
    stages = run["summary"].get("stage_seconds", {})
    workers = run["cpu"]["exited_children"]
    traf = stages.get("extract", 0.0)
    own = {k: stages.get(k, 0.0) for k in ("compress", "sketch", "classify")}
    rest = workers - traf - sum(own.values())
    total = workers + run["cpu"]["main"] + farm_cpu
    parts = ", ".join(f"{k} {v:.1f}" for k, v in own.items())
    return (
        f"CPU seconds: extraction in the workers {traf:.1f} ({traf / articles * 1000:.1f} ms/page against "
        f"{bare_per_page * 1000:.1f} alone), the workers' other stages {parts}, their start-up and hand-over "
        f"{rest:.1f}; main process {run['cpu']['main']:.1f} (fetching, feeds, warehouse); the benchmark's web "
        f"server {farm_cpu:.1f}; all {total:.1f} = {total / cores:.1f} s on {cores} cores, "
        f"{total / (bare_per_page * articles):.2f}x the extraction alone"
    )


def _listed(values: list[float], scale: float, unit: str) -> str:
    return " and ".join(f"{v * scale:.1f}" for v in values) + f" {unit}"


def _steal_seconds() -> float:
    """CPU seconds the hypervisor gave other guests while this machine wanted them (all cores; 0 off Linux)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def stage_line(summary: dict[str, Any]) -> str:
    stages = summary.get("stage_seconds", {})
    return ", ".join(f"{k} {v:.1f}s" for k, v in stages.items())


# --- the benchmark ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    w = sub.add_parser("worker", help="(internal) run ingests in this process and print JSON")
    w.add_argument("config")
    w.add_argument("--mode", choices=("direct", "flow"), required=True)
    w.add_argument("--runs", type=int, default=1)
    w.add_argument("--empty-flows", type=int, default=0)
    lim = sub.add_parser("limit", help="(internal) time bare trafilatura on pickled pages and print JSON")
    lim.add_argument("pages", type=Path)
    lim.add_argument("--wait-for-go", action="store_true", help='print "ready" after the warm-up, wait for stdin')
    parser.add_argument("--quick", action="store_true", help="small sizes; indicative figures")
    parser.add_argument("--results-dir", type=Path, default=RESULTS, help="where to write the record (JSON)")
    args = parser.parse_args(argv)
    if args.command == "worker":
        print(json.dumps(worker(args.config, args.mode, args.runs, args.empty_flows), default=str))
        return 0
    if args.command == "limit":
        per_page, wall = bare_trafilatura_seconds(pickle.loads(args.pages.read_bytes()), wait_for_go=args.wait_for_go)
        print(json.dumps({"seconds_per_page": per_page, "wall": wall}))
        return 0
    results = run(quick=args.quick)
    write_record("ingest", results, quick=args.quick, argv=argv, directory=args.results_dir)
    return exit_code(results)


def run(*, quick: bool) -> list[Result]:
    size = SIZES[quick]
    work = OUT / "ingest"
    shutil.rmtree(work, ignore_errors=True)
    main_corpus = Corpus("main", size["feeds"], size["per_feed"])
    big_corpus = Corpus("big", size["feeds"], size["big_per_feed"])
    n, n_big = main_corpus.articles, big_corpus.articles
    cores = os.cpu_count() or 1
    results: list[Result] = []
    tag = " (quick: indicative)" if quick else ""
    print(
        f"ingest benchmark{tag}: {HOSTS} loopback hosts, {LATENCY_S * 1000:.0f} ms latency, {cores} cores", flush=True
    )
    with ServerFarm(HOSTS, LATENCY_S, [main_corpus, big_corpus]) as farm:
        feeds = farm.feed_urls("main")
        big_cfg = write_config(str(work / "big"), farm.feed_urls("big"), per_host_concurrency=PER_HOST_CONCURRENCY)
        pages = farm.pages("main")
        sample = pages[:: max(1, len(pages) // size["cpu_sample"])]
        del pages
        # The machine's speed drifts over minutes (a shared host), so the CPU limit is timed before, between and
        # after the rounds, each round runs the direct ingest and then the flow on fresh warehouses, and the
        # figures compare means over all of them.
        limits: list[float] = []
        directs: list[dict[str, Any]] = []
        flows: list[dict[str, Any]] = []
        farm_cpu = steal = 0.0
        for r in range(size["rounds"]):
            print(f"- CPU limit: trafilatura alone on {len(sample)} of the pages, in a fresh process ...", flush=True)
            limits.append(measure_limit(sample))
            runs = 2 if r == 0 else 1  # the first round also times a second run with nothing new
            cfg = write_config(str(work / f"direct-{r}"), feeds, per_host_concurrency=PER_HOST_CONCURRENCY)
            print(f"- round {r + 1}: direct ingest of {n} articles{', then nothing new' * (r == 0)} ...", flush=True)
            farm_before, steal_before = cpu_seconds()["main"], _steal_seconds()
            directs.append(run_worker(cfg, "direct", runs=runs))
            if r == 0:  # this process's CPU meanwhile: the web's server thread (the rest of it idles)
                farm_cpu = cpu_seconds()["main"] - farm_before
                steal = _steal_seconds() - steal_before
            cfg = write_config(str(work / f"flow-{r}"), feeds, per_host_concurrency=PER_HOST_CONCURRENCY)
            print(f"- round {r + 1}: the same as a Prefect flow ({EMPTY_FLOWS} empty flows first) ...", flush=True)
            flows.append(run_worker(cfg, "flow", runs=runs, empty_flows=EMPTY_FLOWS))
        all_cores = None
        if size["all_cores"]:
            print("- the CPU limit again ...", flush=True)
            limits.append(measure_limit(sample))
            print(f"- trafilatura alone on all {cores} cores at once ...", flush=True)
            all_cores = measure_on_all_cores(sample, cores)
        del sample
        per_page = sum(limits) / len(limits)
        print(f"- direct ingest of {n_big} articles (memory) ...", flush=True)
        big = run_worker(big_cfg, "direct", runs=1)
        served = farm.requests

    direct, flowed = directs[0], flows[0]
    d1, d2 = direct["runs"]
    f1, f2 = flowed["runs"]
    direct_walls = [d["runs"][0]["wall"] for d in directs]
    flow_walls = [f["runs"][0]["wall"] for f in flows]
    direct_wall = sum(direct_walls) / len(direct_walls)
    network_limit = n * LATENCY_S / (HOSTS * PER_HOST_CONCURRENCY)
    cpu_limit = per_page * n / cores
    limit = max(network_limit, cpu_limit)
    ratio = direct_wall / limit
    s = d1["summary"]
    extracted_all = all(d["runs"][0]["summary"]["articles_extracted"] >= 0.95 * n for d in directs)
    counts = (
        f"{s['articles_extracted']} extracted, {s['articles_classified']} classified, {s['relevant']} relevant, "
        f"{s['articles_failed']} failed"
    )
    results.append(
        Result(
            f"ingest {n} articles end to end{tag}",
            f"{direct_wall:.1f} s = {ratio:.2f}x the limit",
            f"<= {E2E_RATIO_TARGET}x",
            f"network limit {network_limit:.1f} s, CPU limit {cpu_limit:.1f} s "
            f"({per_page * 1000:.1f} ms/page / {cores} cores; timings {_listed(limits, 1000, 'ms/page')})"
            + (
                f"; trafilatura alone on all {cores} cores at once: {all_cores * n:.1f} s, "
                f"{limits[-1] / all_cores:.2f}x one core timed just before it; the run took "
                f"{direct_wall / (all_cores * n):.2f}x that"
                if all_cores
                else ""
            ),
            ratio <= E2E_RATIO_TARGET and extracted_all,
            f"runs {_listed(direct_walls, 1, 's')}; first run: stages: {stage_line(s)}; {counts}; "
            f"{cpu_line(d1, n, per_page, cores, farm_cpu)}; CPU time the machine's host took from this machine "
            f"meanwhile (steal): {steal:.1f} s",
        )
    )
    flow_wall = sum(flow_walls) / len(flow_walls)
    flow_ratio = flow_wall / direct_wall
    empty = flowed["empty_flows"]
    empty_run = median(empty[1:]) if len(empty) > 1 else empty[0]
    results.append(
        Result(
            f"orchestration overhead{tag}",
            f"flow {flow_wall:.1f} s = {flow_ratio:.2f}x direct",
            f"<= {FLOW_RATIO_TARGET}x",
            f"direct {direct_wall:.1f} s",
            flow_ratio <= FLOW_RATIO_TARGET,
            f"means of {len(flows)} rounds, each a direct run then a flow run: flow {_listed(flow_walls, 1, 's')} "
            f"against direct {_listed(direct_walls, 1, 's')}; first round: flow stages: {stage_line(f1['summary'])}; "
            "Prefect server start-up (first empty flow) "
            f"{empty[0]:.1f} s, each further empty flow run {empty_run:.2f} s (not counted); CPU seconds of the "
            f"run, flow vs direct: main process {f1['cpu']['main']:.1f} vs {d1['cpu']['main']:.1f}, extraction "
            f"workers {f1['cpu']['exited_children']:.1f} vs {d1['cpu']['exited_children']:.1f}, Prefect's server "
            f"{f1['cpu']['live']:.1f} during the run ({flowed['cpu']['live']:.0f} in its whole life)",
        )
    )
    beyond = f2["wall"] - empty_run
    s2 = f2["summary"]
    results.append(
        Result(
            f"nothing new, {len(feeds)} feeds{tag}",
            f"flow {f2['wall']:.2f} s = {beyond:.2f} s beyond an empty flow",
            f"< {NOTHING_NEW_TARGET_S:.0f} s beyond",
            f"empty flow run {empty_run:.2f} s; same run direct {d2['wall']:.2f} s",
            beyond < NOTHING_NEW_TARGET_S and s2["entries_new"] == 0,
            f"{s2['feeds_not_modified']} answered 304, {s2['feeds_unchanged']} unchanged, {s2['feeds_ok']} parsed, "
            f"{s2['entries_new']} new; stages: {stage_line(s2)}",
        )
    )
    b = big["runs"][0]
    growth = b["peak_rss"] / d1["peak_rss"]
    results.append(
        Result(
            f"peak RSS, ingest of {n_big} articles{tag}",
            f"{mb(b['peak_rss'])} = {growth:.2f}x the {n}-article run",
            f"< {mb(RSS_TARGET)} and <= {RSS_GROWTH_TARGET}x",
            f"{n} articles: {mb(d1['peak_rss'])}",
            b["peak_rss"] < RSS_TARGET and growth <= RSS_GROWTH_TARGET,
            f"process and extraction workers; main process alone {mb(big['main_max_rss'])} vs "
            f"{mb(direct['main_max_rss'])}; {n_big} articles took {b['wall']:.1f} s ({stage_line(b['summary'])}); "
            f"the web served {served} requests",
        )
    )
    for r in results:
        print_result(r)
    return results


if __name__ == "__main__":
    sys.exit(main())
