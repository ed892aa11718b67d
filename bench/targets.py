"""The issue's targets, checked against one run's summaries.

Throughput targets are ratios to B0 measured in the same run, because
absolute req/s on a shared 2-core machine drift by 15-20 % between runs.
"""

from dataclasses import dataclass

from bench.scenarios import ScenarioSummary

PASS = "PASS"
FAIL = "FAIL"
NOT_AVAILABLE = "N/A"

# (scenario, minimum throughput as a fraction of B0)
RATIO_TARGETS = (("B1", 0.6), ("B2", 0.8), ("S1", 0.4), ("S6", 0.4), ("S2", 0.25), ("S3", 0.2))
# (scenario at 100k, same at 1k, maximum cost growth)
GROWTH_TARGETS = (("S6", "S6@1k", 1.2), ("S1", "S1@1k", 1.2))
TAIL_FACTOR = 10


@dataclass(frozen=True)
class TargetResult:
    name: str
    status: str
    measured: str

    def as_json(self) -> dict:
        return {"target": self.name, "status": self.status, "measured": self.measured}


@dataclass(frozen=True)
class RaceCheck:
    """S4: concurrent creates of one userName; exactly one may succeed."""

    races: int
    races_with_one_201: int
    rows_per_name: list[int]
    unexpected_statuses: dict[int, int]
    # 409s whose body lacks `scimType: uniqueness`.
    conflicts_without_uniqueness: int = 0


@dataclass(frozen=True)
class RowCheck:
    """S3: every 201 wrote exactly one row, and nothing else did.

    wrk stops counting at the end of its duration while up to one request per
    connection is still in flight; the server completes those, so the rows may
    exceed the 201s seen by at most `in_flight_allowance`.
    """

    created_responses: int
    rows_written: int
    in_flight_allowance: int = 0


def targets_evaluate(
    summaries: dict[str, ScenarioSummary], *, race: RaceCheck | None, rows: RowCheck | None
) -> list[TargetResult]:
    results: list[TargetResult] = []
    baseline = summaries.get("B0")
    baseline_rps = baseline.rps if baseline and baseline.measured else None

    for scenario_id, minimum in RATIO_TARGETS:
        name = f"{scenario_id} throughput ≥ {minimum} x B0"
        summary = summaries.get(scenario_id)
        if not baseline_rps or summary is None or not summary.measured:
            results.append(TargetResult(name, NOT_AVAILABLE, _why_unavailable(summary, baseline_rps)))
            continue
        ratio = summary.ratio(baseline_rps)
        results.append(TargetResult(name, PASS if ratio >= minimum else FAIL, f"{ratio:.3f}"))

    for large_id, small_id, maximum in GROWTH_TARGETS:
        name = f"{large_id} cost at 100k ≤ {maximum} x its cost at 1k"
        large, small = summaries.get(large_id), summaries.get(small_id)
        if large is None or small is None or not large.measured or not small.measured:
            results.append(TargetResult(name, NOT_AVAILABLE, _why_unavailable(large or small, 1)))
            continue
        if large.cpu_ms and small.cpu_ms:
            # Server CPU per request: the cost itself, barely moved by other load on the machine.
            growth = large.cpu_ms / small.cpu_ms
            measured = f"{growth:.2f}x (server CPU {small.cpu_ms:.2f} → {large.cpu_ms:.2f} ms/request)"
        else:
            # Cost per request is 1 / throughput; each side normalised by its paired B0.
            growth = small.ratio(baseline_rps) / large.ratio(baseline_rps)
            measured = f"{growth:.2f}x (ratio to B0 {small.ratio(baseline_rps):.3f} → {large.ratio(baseline_rps):.3f})"
        results.append(TargetResult(name, PASS if growth <= maximum else FAIL, measured))

    reads = [s for s in summaries.values() if s.scenario.read and s.measured]
    if reads:
        worst = max(reads, key=lambda s: s.p99_ms / s.p50_ms if s.p50_ms else float("inf"))
        tails_ok = all(s.p50_ms and s.p99_ms < TAIL_FACTOR * s.p50_ms for s in reads)
        measured = f"worst {worst.id}: p99/p50 = {worst.p99_ms / worst.p50_ms:.1f}" if worst.p50_ms else worst.id
        results.append(TargetResult(f"p99 < {TAIL_FACTOR} x p50 for every read", PASS if tails_ok else FAIL, measured))

    server_errors = {s.id: s.server_errors for s in summaries.values() if s.server_errors}
    results.append(
        TargetResult(
            "zero 5xx anywhere",
            FAIL if server_errors else PASS,
            ", ".join(f"{k}: {v}" for k, v in server_errors.items()) or "0",
        )
    )

    unexpected = {s.id: s.unexpected_detail for s in summaries.values() if s.unexpected}
    socket_errors = {s.id: s.socket_errors for s in summaries.values() if s.socket_errors}
    detail = "; ".join(
        [f"{k}: {v}" for k, v in unexpected.items()] + [f"{k}: {v} socket errors" for k, v in socket_errors.items()]
    )
    results.append(
        TargetResult("no unexpected status or socket error", FAIL if detail else PASS, detail or "0"),
    )

    if race is None:
        results.append(TargetResult("S4 exactly one 201 per race", NOT_AVAILABLE, "not run"))
    else:
        race_ok = (
            race.races > 0
            and race.races_with_one_201 == race.races
            and all(n == 1 for n in race.rows_per_name)
            and not race.unexpected_statuses
            and not race.conflicts_without_uniqueness
        )
        measured = f"{race.races_with_one_201}/{race.races} races, rows per name {sorted(set(race.rows_per_name))}"
        if race.unexpected_statuses:
            measured += f", unexpected {race.unexpected_statuses}"
        if race.conflicts_without_uniqueness:
            measured += f", {race.conflicts_without_uniqueness} x 409 without scimType uniqueness"
        results.append(TargetResult("S4 exactly one 201 per race", PASS if race_ok else FAIL, measured))

    if rows is None:
        results.append(TargetResult("S3 one row per 201", NOT_AVAILABLE, "not run"))
    else:
        rows_ok = rows.created_responses <= rows.rows_written <= rows.created_responses + rows.in_flight_allowance
        measured = (
            f"{rows.created_responses} x 201, {rows.rows_written} rows "
            f"(up to {rows.in_flight_allowance} still in flight when wrk stopped)"
        )
        results.append(TargetResult("S3 one row per 201", PASS if rows_ok else FAIL, measured))

    return results


def overall_status(results: list[TargetResult]) -> str:
    return FAIL if any(r.status == FAIL for r in results) else PASS


def _why_unavailable(summary: ScenarioSummary | None, baseline_rps: float | None) -> str:
    if not baseline_rps:
        return "B0 not measured"
    if summary is None:
        return "not run"
    return summary.unavailable_reason or "not measured"
