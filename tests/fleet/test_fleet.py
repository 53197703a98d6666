"""The service as a fleet (issue 17): two gunicorn nodes behind nginx, TRUSTED_PROXY_HOPS=1, on
a throw-away PostgreSQL cluster and Redis of their own (bench/fleet.py builds it and runs each
scenario; these tests assert its figures and print them).

Opt-in, as a separate step of .ci/run: `LIKEPION_TEST_FLEET=1 .venv/bin/pytest -m fleet -s`.
Without LIKEPION_TEST_FLEET the tests are skipped (they take minutes and kill servers); with it,
a missing tool (nginx, wrk, redis-server, initdb) fails them.
"""

import json
import os
import shutil

import pytest

from bench import fleet as harness

pytestmark = pytest.mark.fleet
TOOLS = ("nginx", "wrk", "redis-server", "redis-cli")
MARGIN_S = 2.0  # on top of ALIAS_CACHE_CHECK_SECONDS: the probes themselves take time


@pytest.fixture(scope="module")
def fleet():
    if not os.environ.get("LIKEPION_TEST_FLEET"):
        pytest.skip("LIKEPION_TEST_FLEET is not set (the fleet tests run as their own CI step)")
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"the fleet needs {missing} (Debian packages: see .ci/run)")
    running = harness.Fleet()
    try:
        yield running.start()
    finally:
        running.stop()


def figures(name: str, result: dict) -> dict:
    print(f"\n{name}: {json.dumps(result, default=str)}")
    return result


def test_an_edit_through_one_node_reaches_the_other_and_a_deletion_both(fleet):
    result = figures("edit", harness.edit_propagation(fleet))
    assert result["edit_seen_on_b_s"] <= harness.ALIAS_CACHE_CHECK_SECONDS + MARGIN_S
    assert result["delete_404_on_both_s"] <= harness.ALIAS_CACHE_CHECK_SECONDS + MARGIN_S


def test_one_keys_limit_is_shared_by_both_nodes(fleet):
    result = figures("shared limit", harness.shared_limit(fleet))
    assert (result["passed"], result["limited"], result["other"]) == (30, 10, 0)
    assert result["nodes_serving"] == 2
    assert result["limit_headers"] == 40


def test_forwarded_visitors_are_targeted_counted_and_unique_but_not_forged(fleet):
    result = figures("forwarded visitors", harness.forwarded_visitors(fleet))
    assert result["through_lb"] == [result["canada"]] * 2
    assert result["countries_through_lb"] == ["CA", "CA"]
    assert result["unique_visitors_through_lb"] == 2
    assert result["forged_direct"] == [result["main"]] * 2
    assert result["countries_forged"] == [None, None]
    assert result["unique_visitors_forged"] == 1


def test_eight_pullers_on_two_nodes_get_each_link_exactly_once(fleet):
    result = figures("drain", harness.drain(fleet, links=5000, pullers_per_node=4))
    assert result["handed_out"] == result["distinct"] == result["queued"] == 5000
    assert result["all_queued_handed_out"]
    assert result["running_in_db"] == 5000


def test_kill_9_of_a_node_under_load(fleet):
    result = figures("kill -9", harness.kill_node(fleet, seconds=9))
    assert result["served_by_a"] > 0 and result["redirects_served"] > result["served_by_a"]
    assert result["status_5xx"] == 0  # nginx retried the killed node's requests on the other
    assert result["money_calls"] > 0
    assert result["money_5xx"] <= 1  # a POST in flight on the killed node is not retried
    assert result["balance_mismatches"] == 0
    assert result["claims_back"] == result["claims_held_by_a"] == 10
    assert result["clicks_lost"] <= result["a_redirects_in_last_flush_interval"]


def test_sigterm_of_a_node_under_load_loses_nothing(fleet):
    result = figures("SIGTERM", harness.graceful_stop(fleet, seconds=6))
    assert result["served_by_a"] > 0
    assert result["status_5xx"] == 0
    assert result["clicks_stored"] >= result["redirects_served"]


def test_postgresql_restart_is_survived_without_an_app_restart(fleet):
    result = figures("PostgreSQL restart", harness.postgres_restart(fleet))
    assert result["status_500_after_back"] == 0
    assert result["last_failure_after_back_s"] <= 10
    assert result["requests_from_10s_after_back"] > 0
    assert result["failed_from_10s_after_back"] == 0
    assert 500 not in result["statuses"]


def test_redis_outage_keeps_the_api_answering_and_limits_come_back(fleet):
    result = figures("Redis outage", harness.redis_outage(fleet))
    assert result["api_calls_while_down"] > 0
    assert result["status_5xx"] == 0
    assert result["api_answers_without_limit_headers"] == 0
    assert result["readyz_while_down"] == [(503, ["redis"]), (503, ["redis"])]
    assert result["fallback_logged"] and result["recovery_logged"]
    assert (result["after_passed"], result["after_limited"]) == (30, 10)


def test_metrics_agree_with_the_database(fleet):
    result = figures("metrics", harness.metrics_agree(fleet, redirects=300, pulls=40))
    assert result["redirects_answered"] == result["metric_redirects"] == 300
    assert result["metric_clicks_written"] == result["clicks_in_db"] == 300
    assert result["metric_tasks_claimed"] == result["links_taken"] == 40
    assert result["links_running_in_db"] == 40
