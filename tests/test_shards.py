"""Feeds split into shards by publisher (flows/shards.py) and the deployments `presswatch deploy` registers."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.errors import PresswatchError
from flows.settings import FeedConfig, load_settings
from flows.shards import Shard, feeds_of, shard_index

# In the full suite, a thread that an earlier test leaves running in this process can use `random` while Hypothesis
# draws, and Hypothesis then warns that the strategy did (seen in full runs, never with this file alone); these
# strategies do not use it, and what they draw does not depend on it.
_OTHER_THREADS_RANDOM = pytest.mark.filterwarnings(
    "ignore:Do not use the `random` module inside strategies:hypothesis.errors.HypothesisDeprecationWarning"
)
_LABEL = st.from_regex(r"[a-z][a-z0-9]{1,10}", fullmatch=True)
_FEEDS = st.lists(st.tuples(_LABEL, st.sampled_from(["com", "org", "co.uk", "de"])), min_size=1, max_size=40)


def _urls(publishers: list[tuple[str, str]]) -> list[str]:
    return [f"https://feeds.{name}.{suffix}/rss/{i}" for i, (name, suffix) in enumerate(publishers)]


def test_one_publisher_is_one_shard_whatever_its_host_or_path() -> None:
    urls = ["https://www.bbc.co.uk/news/rss.xml", "https://feeds.bbc.co.uk/news/world/rss.xml", "http://bbc.co.uk/x"]
    for count in range(1, 9):
        assert len({shard_index(url, count) for url in urls}) == 1


@_OTHER_THREADS_RANDOM
@given(_FEEDS, _FEEDS)
def test_adding_or_removing_feeds_never_moves_another_publisher(
    before: list[tuple[str, str]], added: list[tuple[str, str]]
) -> None:
    urls = _urls(before)
    grown = urls + [u.replace("/rss/", "/more/") for u in _urls(added)]
    for count in (2, 3, 5):
        assert {u: shard_index(u, count) for u in urls} == {u: shard_index(u, count) for u in grown if u in urls}


@_OTHER_THREADS_RANDOM
@given(_FEEDS)
def test_one_more_shard_moves_publishers_only_onto_the_new_shard(publishers: list[tuple[str, str]]) -> None:
    for count in (1, 2, 3, 7):
        for url in _urls(publishers):
            before, after = shard_index(url, count), shard_index(url, count + 1)
            assert after == before or after == count + 1


def test_shards_cover_every_feed_once_and_spread_publishers() -> None:
    feeds = [FeedConfig(url=f"https://news{i}.example{i}.org/feed") for i in range(300)]
    parts = [feeds_of(feeds, Shard(i, 3)) for i in (1, 2, 3)]
    assert sorted(f.url for part in parts for f in part) == sorted(f.url for f in feeds)
    assert all(70 <= len(part) <= 130 for part in parts), [len(p) for p in parts]
    assert feeds_of(feeds, None) == feeds


@pytest.mark.parametrize(
    "text", [pytest.param("0/3", id="zero"), pytest.param("4/3", id="past-n"), pytest.param("2", id="no-n")]
)
def test_a_shard_is_written_i_of_n(text: str) -> None:
    assert str(Shard.parse("2/3")) == "2/3"
    with pytest.raises(PresswatchError):
        Shard.parse(text)


def test_deploy_builds_one_ingest_per_shard_and_the_report_each_one_run_at_a_time(tmp_path: Path) -> None:
    from flows.deploy import build_deployments, deploy

    config = tmp_path / "presswatch.toml"
    config.write_text('[warehouse]\nurl = "postgresql://pw@127.0.0.1:5432/pw"\n', encoding="utf-8")
    settings = load_settings(config)
    deployments = build_deployments(settings, "presswatch", 3)
    names = [d.name for d in deployments]
    assert names == [
        "presswatch-ingest-shard-1-of-3", "presswatch-ingest-shard-2-of-3", "presswatch-ingest-shard-3-of-3",
        "presswatch-weekly-report",
    ]  # fmt: skip
    assert [d.parameters.get("shard") for d in deployments] == ["1/3", "2/3", "3/3", None]
    assert {d.concurrency_limit for d in deployments} == {1}
    assert {d.work_pool_name for d in deployments} == {"presswatch"}
    assert deployments[0].entrypoint == "flows.ingest.ingest_flow"  # imported from the installed package
    assert [d.name for d in build_deployments(settings, "p", 1)] == ["presswatch-ingest", "presswatch-weekly-report"]
    config.write_text('[warehouse]\npath = "pw.duckdb"\n', encoding="utf-8")
    with pytest.raises(PresswatchError, match=r"\[warehouse\] url"):
        deploy(load_settings(config), "presswatch", 2)


def test_prefect_yaml_names_the_flows_presswatch_deploy_registers(tmp_path: Path) -> None:
    """`prefect deploy --all` reads prefect.yaml's entrypoints (file paths): a flow module renamed without them
    would register a deployment that cannot start."""
    import yaml

    from flows.deploy import build_deployments

    spec = yaml.safe_load((Path(__file__).resolve().parents[1] / "prefect.yaml").read_text(encoding="utf-8"))
    declared = {}
    for item in spec["deployments"]:
        path, name = item["entrypoint"].split(":")
        declared[item["name"]] = f"{path.removesuffix('.py').replace('/', '.')}.{name}"
    settings = load_settings(tmp_path / "presswatch.toml", missing_ok=True)
    assert declared == {d.name: d.entrypoint for d in build_deployments(settings, "presswatch", 1)}
