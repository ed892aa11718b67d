"""Target evaluation and the printed tables, on made-up wrk results (no load is run)."""

from bench import scenarios
from bench.report import results_table, targets_table
from bench.scenarios import ScenarioSummary
from bench.targets import FAIL, NOT_AVAILABLE, PASS, RaceCheck, RowCheck, overall_status, targets_evaluate
from bench.wrk import WrkResult


def result(rps, *, p50=2.0, p99=5.0, statuses=None, socket_errors=None):
    requests = int(rps * 10)
    return WrkResult(
        duration_s=10,
        requests=requests,
        statuses=statuses or {200: requests},
        socket_errors=socket_errors or {},
        p50_ms=p50,
        p90_ms=p50,
        p99_ms=p99,
        max_ms=p99,
        mean_ms=p50,
    )


def summaries(**rps_by_id):
    found = {}
    for scenario in scenarios.ALL:
        summary = ScenarioSummary(scenario)
        key = scenario.id.replace("@", "_")
        if key in rps_by_id:
            ok = next(iter(scenario.ok_statuses or scenario.expected_error_statuses))
            summary.rounds = [result(rps, statuses={ok: int(rps * 10)}) for rps in rps_by_id[key]]
        found[scenario.id] = summary
    return found


def by_name(results):
    return {r.name: r for r in results}


GOOD = dict(
    B0=[1000, 900, 1100],
    B1=[700],
    B2=[900],
    S1=[450],
    S1_1k=[460],
    S2=[300],
    S3=[250],
    S6=[500],
    S6_1k=[550],
)
RACE_OK = RaceCheck(races=3, races_with_one_201=3, rows_per_name=[1, 1, 1], unexpected_statuses={})
ROWS_OK = RowCheck(created_responses=100, rows_written=104, in_flight_allowance=8)


def test_all_targets_met():
    results = targets_evaluate(summaries(**GOOD), race=RACE_OK, rows=ROWS_OK)

    assert {r.status for r in results} == {PASS}
    assert overall_status(results) == PASS


def test_ratio_uses_the_median_round_of_b0():
    results = by_name(targets_evaluate(summaries(**{**GOOD, "B1": [599]}), race=RACE_OK, rows=ROWS_OK))

    assert results["B1 throughput ≥ 0.6 x B0"].status == FAIL
    assert results["B1 throughput ≥ 0.6 x B0"].measured == "0.599"


def test_growth_compares_cost_at_1k_and_100k():
    results = by_name(targets_evaluate(summaries(**{**GOOD, "S6_1k": [610]}), race=RACE_OK, rows=ROWS_OK))

    growth = results["S6 cost at 100k ≤ 1.2 x its cost at 1k"]
    assert growth.status == FAIL
    assert growth.measured.startswith("1.22x")


def test_tail_latency_and_server_errors_fail():
    found = summaries(**GOOD)
    found["S2"].rounds = [result(300, p50=10, p99=101)]
    found["S3"].rounds = [result(250, statuses={201: 2490, 500: 10})]

    results = by_name(targets_evaluate(found, race=RACE_OK, rows=ROWS_OK))

    assert results["p99 < 10 x p50 for every read"].status == FAIL
    assert results["p99 < 10 x p50 for every read"].measured == "worst S2: p99/p50 = 10.1"
    assert results["zero 5xx anywhere"].status == FAIL
    assert results["zero 5xx anywhere"].measured == "S3: 10"
    assert results["no unexpected status or socket error"].status == FAIL


def test_expected_errors_are_not_unexpected():
    found = summaries(**GOOD)
    found["B2"].rounds = [result(900, statuses={401: 9000})]
    found["S4"].extra_statuses = {201: 3, 409: 21}

    results = by_name(targets_evaluate(found, race=RACE_OK, rows=ROWS_OK))

    assert found["S4"].expected_errors == 21
    assert found["B2"].unexpected == 0
    assert results["no unexpected status or socket error"].status == PASS


def test_unavailable_scenario_is_not_a_failure():
    found = summaries(**GOOD)
    found["S5"].available = False
    found["S5"].unavailable_reason = "PATCH → 405"
    found["B1"].rounds = []
    found["B1"].available = False
    found["B1"].unavailable_reason = "GET /Users → 404"

    results = targets_evaluate(found, race=RACE_OK, rows=ROWS_OK)

    assert by_name(results)["B1 throughput ≥ 0.6 x B0"].status == NOT_AVAILABLE
    assert by_name(results)["B1 throughput ≥ 0.6 x B0"].measured == "GET /Users → 404"
    assert overall_status(results) == PASS


def test_race_with_two_winners_fails():
    race = RaceCheck(races=3, races_with_one_201=2, rows_per_name=[1, 2, 1], unexpected_statuses={})

    results = by_name(targets_evaluate(summaries(**GOOD), race=race, rows=ROWS_OK))

    assert results["S4 exactly one 201 per race"].status == FAIL


def test_rows_beyond_the_in_flight_allowance_fail():
    rows = RowCheck(created_responses=100, rows_written=109, in_flight_allowance=8)

    results = by_name(targets_evaluate(summaries(**GOOD), race=RACE_OK, rows=rows))

    assert results["S3 one row per 201"].status == FAIL


def test_tables_show_ratios_and_unavailable_scenarios():
    found = summaries(**GOOD)
    found["S5"].available = False
    found["S5"].unavailable_reason = "PATCH → 405"

    table = results_table(list(found.values()), found["B0"].rps)
    targets = targets_table(targets_evaluate(found, race=RACE_OK, rows=ROWS_OK))

    assert "| B1 | authenticated cheap call | 700 (700-700) | 2.0 | 5.0 | - | 7,000 | 0 | 0 | 0 | 0.700 |" in table
    assert "| S5 | `PATCH /Users/{id}` active=false, random users | not available: PATCH → 405 |" in table
    assert "| S6 throughput ≥ 0.4 x B0 | **PASS** | 0.500 |" in targets


def test_ratio_pairs_each_round_with_the_b0_run_before_it():
    found = summaries(**GOOD)
    # Background load halves everything in round 2: paired ratios stay at 0.5.
    found["S6"].rounds = [result(500), result(250), result(500)]
    found["S6"].baselines = [result(1000), result(500), result(1000)]
    found["S6@1k"].rounds = [result(560), result(280), result(560)]
    found["S6@1k"].baselines = [result(1000), result(500), result(1000)]

    results = by_name(targets_evaluate(found, race=RACE_OK, rows=ROWS_OK))

    assert found["S6"].ratio() == 0.5
    assert results["S6 throughput ≥ 0.4 x B0"].measured == "0.500"
    assert results["S6 cost at 100k ≤ 1.2 x its cost at 1k"].measured.startswith("1.12x")


def test_growth_uses_server_cpu_per_request_when_measured():
    found = summaries(**GOOD)
    found["S1"].cpu_ms_per_request = [6.0, 6.5, 9.0]
    found["S1@1k"].cpu_ms_per_request = [5.0, 5.0, 5.5]

    growth = by_name(targets_evaluate(found, race=RACE_OK, rows=ROWS_OK))["S1 cost at 100k ≤ 1.2 x its cost at 1k"]

    assert growth.status == FAIL
    assert growth.measured == "1.30x (server CPU 5.00 → 6.50 ms/request)"
