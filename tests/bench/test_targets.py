"""Target evaluation, ratios to the floors, medians over runs and the printed tables, on made-up wrk results."""

import json

from bench import scenarios
from bench.report import ratios_table, results_table, targets_table
from bench.run import runs_document
from bench.scenarios import ScenarioSummary
from bench.targets import (
    FAIL,
    NOT_AVAILABLE,
    PASS,
    RaceCheck,
    RowCheck,
    TargetResult,
    overall_status,
    targets_evaluate,
    targets_median,
)
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


FLOOR_RPS = {"L0": 2000, "L2a": 1000}


def summaries(**rps_by_id):
    """Made-up rounds; each round is paired with a floor run at FLOOR_RPS (L2a 1,000 req/s, L0 2,000)."""
    found = {}
    for scenario in scenarios.ALL:
        summary = ScenarioSummary(scenario)
        key = scenario.id.replace("@", "_")
        if key in rps_by_id:
            ok = next(iter(scenario.ok_statuses or scenario.expected_error_statuses))
            summary.rounds = [result(rps, statuses={ok: int(rps * 10)}) for rps in rps_by_id[key]]
            if scenario.reference:
                summary.baselines = [result(FLOOR_RPS.get(scenario.reference, 2000)) for _ in rps_by_id[key]]
        found[scenario.id] = summary
    return found


def by_name(results):
    return {r.name: r for r in results}


# Ratios: B1 0.85 x L2a, B2 0.75 x L0, S1 0.46, S2 0.13, S3 0.11, S6 0.55 x L2a.
GOOD = dict(
    L0=[2000, 1800, 2200],
    L1=[1400],
    L2a=[1000],
    B1=[850],
    B2=[1500],
    S1=[460],
    S1_1k=[470],
    S2=[130],
    S3=[110],
    S6=[550],
    S6_1k=[560],
)
RACE_OK = RaceCheck(races=3, races_with_one_201=3, rows_per_name=[1, 1, 1], unexpected_statuses={})
ROWS_OK = RowCheck(created_responses=100, rows_written=104, in_flight_allowance=8)


def test_all_targets_met():
    results = targets_evaluate(summaries(**GOOD), race=RACE_OK, rows=ROWS_OK)

    assert {r.status for r in results} == {PASS}
    assert overall_status(results) == PASS


def test_every_ratio_target_is_against_l2a_but_b2s_against_l0():
    names = [r.name for r in targets_evaluate(summaries(**GOOD), race=RACE_OK, rows=ROWS_OK)]

    assert names[:6] == [
        "B1 ≥ 0.8 x L2a",
        "B2 ≥ 0.7 x L0",
        "S6 ≥ 0.5 x L2a",
        "S1 ≥ 0.45 x L2a",
        "S2 ≥ 0.12 x L2a",
        "S3 ≥ 0.1 x L2a",
    ]


def test_a_ratio_below_its_target_fails():
    results = by_name(targets_evaluate(summaries(**{**GOOD, "B1": [799]}), race=RACE_OK, rows=ROWS_OK))

    assert results["B1 ≥ 0.8 x L2a"].status == FAIL
    assert results["B1 ≥ 0.8 x L2a"].measured == "0.799"


def test_growth_compares_cost_at_1k_and_100k():
    results = by_name(targets_evaluate(summaries(**{**GOOD, "S6_1k": [671]}), race=RACE_OK, rows=ROWS_OK))

    growth = results["S6 cost at 100k ≤ 1.2 x its cost at 1k"]
    assert growth.status == FAIL
    assert growth.measured.startswith("1.22x")


def test_tail_latency_and_server_errors_fail():
    found = summaries(**GOOD)
    found["S2"].rounds = [result(130, p50=10, p99=101)]
    found["S3"].rounds = [result(110, statuses={201: 1090, 500: 10})]

    results = by_name(targets_evaluate(found, race=RACE_OK, rows=ROWS_OK))

    assert results["p99 < 10 x p50 for every read"].status == FAIL
    assert results["p99 < 10 x p50 for every read"].measured == "worst S2: p99/p50 = 10.1"
    assert results["zero 5xx anywhere"].status == FAIL
    assert results["zero 5xx anywhere"].measured == "S3: 10"
    assert results["no unexpected status or socket error"].status == FAIL


def test_the_floors_tails_are_not_a_target():
    found = summaries(**GOOD)
    found["L1"].rounds = [result(1400, p50=2, p99=50)]

    results = by_name(targets_evaluate(found, race=RACE_OK, rows=ROWS_OK))

    assert results["p99 < 10 x p50 for every read"].status == PASS


def test_expected_errors_are_not_unexpected():
    found = summaries(**GOOD)
    found["B2"].rounds = [result(1500, statuses={401: 15000})]
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
    found["B1"].baselines = []
    found["B1"].available = False
    found["B1"].unavailable_reason = "GET /Users → 404"

    results = targets_evaluate(found, race=RACE_OK, rows=ROWS_OK)

    assert by_name(results)["B1 ≥ 0.8 x L2a"].status == NOT_AVAILABLE
    assert by_name(results)["B1 ≥ 0.8 x L2a"].measured == "GET /Users → 404"
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

    table = results_table(list(found.values()))
    targets = targets_table(targets_evaluate(found, race=RACE_OK, rows=ROWS_OK))

    assert (
        "| B1 | authenticated cheap call | 850 (850-850) | 2.0 | 5.0 | - | 8,500 | 0 | 0 | 0 | 0.850 x L2a |" in table
    )
    assert "| B2 | B1 with a bad token (401 path) | 1,500 (1,500-1,500) |" in table
    assert table.splitlines()[3].endswith("| 0.700 x L0 |")  # L1 against the same round's L0
    assert "| S5 | `PATCH /Users/{id}` active=false, random users | not available: PATCH → 405 |" in table
    assert "| S6 ≥ 0.5 x L2a | **PASS** | 0.550 |" in targets


def test_ratio_pairs_each_round_with_the_floor_run_before_it():
    found = summaries(**GOOD)
    # Background load halves everything in round 2: paired ratios stay at 0.5.
    found["S6"].rounds = [result(500), result(250), result(500)]
    found["S6"].baselines = [result(1000), result(500), result(1000)]
    found["S6@1k"].rounds = [result(560), result(280), result(560)]
    found["S6@1k"].baselines = [result(1000), result(500), result(1000)]

    results = by_name(targets_evaluate(found, race=RACE_OK, rows=ROWS_OK))

    assert found["S6"].ratio() == 0.5
    assert results["S6 ≥ 0.5 x L2a"].measured == "0.500"
    assert results["S6 cost at 100k ≤ 1.2 x its cost at 1k"].measured.startswith("1.12x")


def test_the_ratio_is_the_median_over_rounds():
    found = summaries(**GOOD)
    found["S1"].rounds = [result(400), result(900), result(460)]
    found["S1"].baselines = [result(1000), result(1000), result(1000)]

    assert found["S1"].ratio() == 0.46


def test_growth_uses_server_cpu_per_request_when_measured():
    found = summaries(**GOOD)
    found["S1"].cpu_ms_per_request = [6.0, 6.5, 9.0]
    found["S1@1k"].cpu_ms_per_request = [5.0, 5.0, 5.5]

    growth = by_name(targets_evaluate(found, race=RACE_OK, rows=ROWS_OK))["S1 cost at 100k ≤ 1.2 x its cost at 1k"]

    assert growth.status == FAIL
    assert growth.measured == "1.30x (server CPU 5.00 → 6.50 ms/request)"


def test_a_numeric_target_is_judged_on_the_median_of_the_runs():
    runs = [
        [TargetResult("S2 ≥ 0.12 x L2a", FAIL, "0.110", value=0.11, bound=0.12)],
        [TargetResult("S2 ≥ 0.12 x L2a", PASS, "0.130", value=0.13, bound=0.12)],
        [TargetResult("S2 ≥ 0.12 x L2a", PASS, "0.125", value=0.125, bound=0.12)],
    ]

    (merged,) = targets_median(runs)

    assert merged.status == PASS
    assert merged.measured == "0.125 (runs: 0.110, 0.130, 0.125)"
    growth = [[TargetResult("g", PASS, "", value=v, bound=1.2, at_least=False)] for v in (1.1, 1.3, 1.25)]
    assert targets_median(growth)[0].status == FAIL  # median 1.25 > 1.2


def test_a_count_target_must_hold_in_every_run():
    runs = [
        [TargetResult("zero 5xx anywhere", PASS, "0")],
        [TargetResult("zero 5xx anywhere", FAIL, "S3: 1")],
        [TargetResult("zero 5xx anywhere", PASS, "0")],
    ]

    (merged,) = targets_median(runs)

    assert merged.status == FAIL
    assert merged.measured == "0 / S3: 1 / 0"


def test_three_runs_give_a_table_of_ratios_and_their_median():
    documents = []
    for s6 in (500, 560, 530):
        found = summaries(**{**GOOD, "S6": [s6]})
        targets = targets_evaluate(found, race=RACE_OK, rows=ROWS_OK)
        documents.append(
            {"scenarios": {sid: s.as_json() for sid, s in found.items()}, "targets": [t.as_json() for t in targets]}
        )

    table = ratios_table(documents)
    combined = runs_document(documents)

    assert "| S6 | 0.500 | 0.560 | 0.530 | 0.530 x L2a |" in table
    assert "| B2 | 0.750 | 0.750 | 0.750 | 0.750 x L0 |" in table
    assert "| L0 |" not in table  # the floor of the others has no ratio
    assert "| S6 ≥ 0.5 x L2a | **PASS** | 0.530 (runs: 0.500, 0.560, 0.530) |" in combined["tables"]["targets"]
    assert combined["overall"] == PASS


def test_the_summary_command_reads_saved_runs(tmp_path, capsys):
    from bench.summary import main

    machine = {"nproc": 2, "cpu_model": "cpu", "python": "3", "django": "5", "database": "PostgreSQL"}
    config = {"users": 100_000, "gunicorn": "2 sync workers", "wrk": "-t1 -c8", "rounds": 3}
    paths = []
    for n, s3 in enumerate((90, 105, 120)):
        found = summaries(**{**GOOD, "S3": [s3]})
        targets = targets_evaluate(found, race=RACE_OK, rows=ROWS_OK)
        document = {
            "machine": machine,
            "config": config,
            "scenarios": {sid: s.as_json() for sid, s in found.items()},
            "targets": [t.as_json() for t in targets],
        }
        paths.append(tmp_path / f"run{n}.json")
        paths[-1].write_text(json.dumps(document))

    assert main([str(path) for path in paths]) == 0  # S3 fails in one run, passes on the median (0.105)
    printed = capsys.readouterr().out
    assert "3 runs, targets on their median" in printed
    assert "| S3 | 0.090 | 0.105 | 0.120 | 0.105 x L2a |" in printed
    assert "| S3 ≥ 0.1 x L2a | **PASS** | 0.105 (runs: 0.090, 0.105, 0.120) |" in printed
