"""The benchmark's floors and scenarios, and how their wrk rounds are summarised."""

import statistics
from dataclasses import dataclass, field

from bench.wrk import WrkResult


@dataclass(frozen=True)
class Scenario:
    id: str
    label: str
    # GET scenarios: their tail latency is a target (p99 < 10 x p50).
    read: bool
    # Statuses that are the right answer, and error statuses that are also the
    # right answer (B2's 401, S4's 409). Anything else is unexpected.
    ok_statuses: frozenset[int] = frozenset({200})
    expected_error_statuses: frozenset[int] = frozenset()
    # The floor its throughput is a ratio to (None for L0 itself).
    reference: str | None = "L2a"


# The floors (bench/floors.py): what any request, a request that reads the database, and a SCIM request cost at least.
L0 = Scenario("L0", "`GET /healthz` (no auth, no DB)", read=True, reference=None)
L1 = Scenario("L1", "one primary-key SELECT through `connection.cursor()`, constant JSON", read=True, reference="L0")
L2a = Scenario("L2a", "L1 + the throttle's counter upsert", read=True, reference="L0")
FLOORS = (L0, L1, L2a)

B1 = Scenario("B1", "authenticated cheap call", read=True)
B2 = Scenario(
    "B2",
    "B1 with a bad token (401 path)",
    read=True,
    ok_statuses=frozenset(),
    expected_error_statuses=frozenset({401}),
    reference="L0",
)
S1_SMALL = Scenario("S1@1k", '`GET /Users?filter=userName eq "…"`, 1,000 users', read=True)
S1 = Scenario("S1", '`GET /Users?filter=userName eq "…"` random user, random case', read=True)
S2 = Scenario("S2", "`GET /Users?startIndex=<last 1,000>&count=100`", read=True)
S3 = Scenario("S3", "`POST /Users` unique userName, full permissions", read=False, ok_statuses=frozenset({201}))
S4 = Scenario(
    "S4",
    "8 connections `POST` the same userName",
    read=False,
    ok_statuses=frozenset({201}),
    expected_error_statuses=frozenset({409}),
    reference=None,
)
S5 = Scenario("S5", "`PATCH /Users/{id}` active=false, random users", read=False)
S5_LARGE = Scenario("S5x100", "`PATCH /Users/{id}` 100 operations (the cap), random users", read=False)
S6_SMALL = Scenario("S6@1k", "`GET /Users/{id}`, 1,000 users", read=True)
S6 = Scenario("S6", "`GET /Users/{id}` random user", read=True)

# Table order.
ALL = (*FLOORS, B1, B2, S1_SMALL, S1, S2, S3, S4, S5, S5_LARGE, S6_SMALL, S6)


@dataclass
class ScenarioSummary:
    """A scenario's measured rounds, summarised as medians."""

    scenario: Scenario
    request: str = ""
    available: bool = True
    unavailable_reason: str = ""
    rounds: list[WrkResult] = field(default_factory=list)
    # Server CPU (gunicorn workers + their PostgreSQL backends) per request, per round, in ms.
    cpu_ms_per_request: list[float] = field(default_factory=list)
    # The run of its floor paired with each round (see ratio()).
    baselines: list[WrkResult] = field(default_factory=list)
    # Responses outside the measured rounds (warm-up, S4's client) still count for errors.
    extra_statuses: dict[int, int] = field(default_factory=dict)
    # S4 measures with its own client; it sets these directly.
    client_note: str = ""

    @property
    def id(self) -> str:
        return self.scenario.id

    @property
    def measured(self) -> bool:
        return self.available and bool(self.rounds)

    @property
    def rps(self) -> float | None:
        return statistics.median(r.rps for r in self.rounds) if self.rounds else None

    def ratio(self) -> float | None:
        """Throughput relative to the scenario's floor: the median over rounds of round / its paired floor run.

        Background load on a shared machine drifts over tens of seconds; a floor
        run seconds before each round cancels most of that drift, which one floor
        figure for the whole run cannot.
        """
        pairs = [r.rps / b.rps for r, b in zip(self.rounds, self.baselines, strict=False) if b.rps]
        if not pairs or len(self.baselines) != len(self.rounds):
            return None
        return statistics.median(pairs)

    @property
    def cpu_ms(self) -> float | None:
        """Median server CPU per request: what a request costs, whatever else the machine is doing."""
        return statistics.median(self.cpu_ms_per_request) if self.cpu_ms_per_request else None

    @property
    def rps_min(self) -> float | None:
        return min(r.rps for r in self.rounds) if self.rounds else None

    @property
    def rps_max(self) -> float | None:
        return max(r.rps for r in self.rounds) if self.rounds else None

    @property
    def p50_ms(self) -> float | None:
        return statistics.median(r.p50_ms for r in self.rounds) if self.rounds else None

    @property
    def p99_ms(self) -> float | None:
        return statistics.median(r.p99_ms for r in self.rounds) if self.rounds else None

    @property
    def statuses(self) -> dict[int, int]:
        total = dict(self.extra_statuses)
        for result in self.rounds:
            for status, count in result.statuses.items():
                total[status] = total.get(status, 0) + count
        return total

    @property
    def socket_errors(self) -> int:
        return sum(sum(r.socket_errors.values()) for r in self.rounds)

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if status in self.scenario.ok_statuses)

    @property
    def expected_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status in self.scenario.expected_error_statuses)

    @property
    def unexpected(self) -> int:
        expected = self.scenario.ok_statuses | self.scenario.expected_error_statuses
        return sum(n for status, n in self.statuses.items() if status not in expected)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    @property
    def unexpected_detail(self) -> dict[int, int]:
        expected = self.scenario.ok_statuses | self.scenario.expected_error_statuses
        return {status: n for status, n in sorted(self.statuses.items()) if status not in expected}

    def as_json(self) -> dict:
        rps = self.rps
        ratio = self.ratio()
        return {
            "label": self.scenario.label,
            "request": self.request,
            "available": self.available,
            "unavailable_reason": self.unavailable_reason,
            "client_note": self.client_note,
            "rps_median": _round(rps),
            "rps_min": _round(self.rps_min),
            "rps_max": _round(self.rps_max),
            "server_cpu_ms_per_request": _round(self.cpu_ms, 2),
            "p50_ms": _round(self.p50_ms, 2),
            "p99_ms": _round(self.p99_ms, 2),
            "reference": self.scenario.reference,
            "ratio": _round(ratio, 3),
            "paired_reference_rps": [_round(b.rps) for b in self.baselines],
            "statuses": {str(status): n for status, n in sorted(self.statuses.items())},
            "ok": self.ok,
            "expected_errors": self.expected_errors,
            "unexpected": self.unexpected,
            "server_errors": self.server_errors,
            "socket_errors": self.socket_errors,
            "rounds": [
                {
                    "rps": _round(r.rps),
                    "requests": r.requests,
                    "duration_s": _round(r.duration_s, 2),
                    "p50_ms": _round(r.p50_ms, 2),
                    "p90_ms": _round(r.p90_ms, 2),
                    "p99_ms": _round(r.p99_ms, 2),
                    "max_ms": _round(r.max_ms, 2),
                    "statuses": {str(status): n for status, n in sorted(r.statuses.items())},
                    "socket_errors": r.socket_errors,
                }
                for r in self.rounds
            ],
        }


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)
