"""`presswatch deploy --pool NAME --shards N`: the ingest as N deployments, one per shard of the feeds, and the
weekly report, on a Prefect `process` work pool; `prefect worker start --pool NAME` on any machine runs them.

Each deployment has a concurrency limit of 1, so a slow run of a shard is never overtaken by the next one. Runs
name the flows by module path (`flows.ingest.ingest_flow`): a worker imports them from the presswatch installed
on its machine, so no code is uploaded or pulled. Shards share one warehouse: with more than one, the config must
name the shared store (`[warehouse] url`)."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from prefect.schedules import Cron, Interval
from prefect.types.entrypoint import EntrypointType

from flows.errors import PresswatchError
from flows.ingest import ingest_flow
from flows.schedule import INTERVAL_ANCHOR, REPORT_DEPLOYMENT
from flows.settings import Settings
from flows.shards import Shard
from flows.weekly_report_flow import weekly_report_flow

INGEST_DEPLOYMENT = "presswatch-ingest"
_SHARD_NAME = re.compile(rf"{INGEST_DEPLOYMENT}-shard-(\d+)-of-(\d+)")


def shard_deployment_name(shard: Shard) -> str:
    return f"{INGEST_DEPLOYMENT}-shard-{shard.index}-of-{shard.count}"


@dataclass(frozen=True)
class Deployed:
    pool: str
    created_pool: bool
    names: tuple[str, ...]  # flow/deployment, as `prefect deployment run` takes them
    removed: tuple[str, ...]  # shard deployments of an earlier N


def build_deployments(settings: Settings, pool: str, shards: int) -> list[Any]:
    """One ingest deployment per shard ("i/N" as its `shard` parameter; with one shard, the whole feed list) and
    the weekly report, each limited to one run at a time, on the schedules of `[schedule]`."""
    config = str(settings.config_path.resolve())
    common: dict[str, Any] = {
        "work_pool_name": pool,
        "concurrency_limit": 1,
        "entrypoint_type": EntrypointType.MODULE_PATH,
        "paused": False,
    }
    interval = Interval(timedelta(minutes=settings.ingest_every_minutes), anchor_date=INTERVAL_ANCHOR, timezone="UTC")
    if shards == 1:
        ingests = [
            ingest_flow.to_deployment(
                name=INGEST_DEPLOYMENT, schedule=interval, parameters={"config_path": config}, **common
            )
        ]
    else:
        ingests = [
            ingest_flow.to_deployment(
                name=shard_deployment_name(shard),
                schedule=interval,
                parameters={"config_path": config, "shard": str(shard)},
                **common,
            )
            for shard in (Shard(i, shards) for i in range(1, shards + 1))
        ]
    report = weekly_report_flow.to_deployment(
        name=REPORT_DEPLOYMENT,
        schedule=Cron(settings.report_cron, timezone="UTC"),
        parameters={"config_path": config},
        **common,
    )
    return [*ingests, report]


def deploy(settings: Settings, pool: str, shards: int, *, run_now: bool = False) -> Deployed:
    """Create the process work pool if it does not exist, register the deployments on it, remove the ingest
    deployments of another shard count (their feeds now belong to the new shards), and with `run_now` start one
    run of each ingest deployment at once."""
    if not 1 <= shards <= 64:
        raise PresswatchError(f"--shards must be between 1 and 64, not {shards}")
    if shards > 1 and not settings.warehouse_url:
        raise PresswatchError(
            f'{shards} shards need a warehouse they can all write: set [warehouse] url = "postgresql://..." in '
            f"{settings.config_path} (docs/scaling.md); a DuckDB file has one writer"
        )
    # Built before the event loop starts: inside one, Prefect's to_deployment returns a coroutine.
    deployments = build_deployments(settings, pool, shards)
    return asyncio.run(_deploy(deployments, pool, run_now))


async def _deploy(deployments: list[Any], pool: str, run_now: bool) -> Deployed:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName, FlowFilter, FlowFilterName
    from prefect.deployments.flow_runs import arun_deployment
    from prefect.deployments.runner import adeploy
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound
    from prefect.workers.process import ProcessWorker

    created = False
    async with get_client() as client:
        try:
            await client.read_work_pool(pool)
        except ObjectNotFound:
            template = ProcessWorker.get_default_base_job_template()
            try:
                await client.create_work_pool(WorkPoolCreate(name=pool, type="process", base_job_template=template))
                created = True
            except ObjectAlreadyExists:  # a worker started with --type process created it a moment ago
                pass
    with contextlib.redirect_stdout(sys.stderr):  # Prefect's table of what it did: progress, not data
        await adeploy(
            *deployments, work_pool_name=pool, build=False, push=False, print_next_steps_message=False,
            ignore_warnings=True,
        )  # fmt: skip
    names = tuple(f"{d.flow_name}/{d.name}" for d in deployments)
    current = {d.name for d in deployments}
    removed = []
    async with get_client() as client:
        stale = await client.read_deployments(
            flow_filter=FlowFilter(name=FlowFilterName(any_=[ingest_flow.name])),
            deployment_filter=DeploymentFilter(name=DeploymentFilterName(like_=f"{INGEST_DEPLOYMENT}%")),
        )
        for old in stale:
            if old.name not in current and (old.name == INGEST_DEPLOYMENT or _SHARD_NAME.fullmatch(old.name)):
                await client.delete_deployment(old.id)
                removed.append(f"{ingest_flow.name}/{old.name}")
    if run_now:
        for name in names[:-1]:
            await arun_deployment(name, timeout=0)
    return Deployed(pool=pool, created_pool=created, names=names, removed=tuple(removed))
