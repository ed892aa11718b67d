"""A small HTTP client for the probes and for S4, the concurrent-create race.

wrk cannot line up eight requests to start together, so S4 uses threads and a
barrier: each round, eight connections are opened first, then all eight send
the same userName at once (half of them in upper case, since uniqueness is
case-insensitive).
"""

import http.client
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass

USERS_PATH = "/scim/v2/Users"


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        try:
            return json.loads(self.body or b"{}")
        except ValueError:
            return {}


@dataclass(frozen=True)
class ScimClient:
    host: str
    port: int
    host_header: str
    token: str
    origin: str

    def headers(self, *, token: str | None = None) -> dict[str, str]:
        return {
            "Host": self.host_header,
            "Authorization": f"Bearer {self.token if token is None else token}",
            "X-Request-Origin": self.origin,
            "Accept": "application/scim+json",
            "Content-Type": "application/scim+json",
        }

    def connect(self) -> http.client.HTTPConnection:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        connection.connect()
        return connection

    def send(self, connection, method: str, path: str, body: str | None = None, token: str | None = None) -> Response:
        try:
            connection.request(method, path, body=body, headers=self.headers(token=token))
            response = connection.getresponse()
            return Response(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            connection.close()

    def request(self, method: str, path: str, body: str | None = None, token: str | None = None) -> Response:
        return self.send(self.connect(), method, path, body=body, token=token)


@dataclass(frozen=True)
class RaceOutcome:
    user_names: list[str]
    statuses: Counter
    races_with_one_201: int
    conflicts_without_uniqueness: int
    requests: int
    seconds: float


def race_run(client: ScimClient, *, body_template: str, run_tag: str, races: int, connections: int = 8) -> RaceOutcome:
    statuses: Counter = Counter()
    user_names: list[str] = []
    races_with_one_201 = 0
    conflicts_without_uniqueness = 0
    started = time.monotonic()
    for race in range(races):
        user_name = f"s4-{run_tag}-{race}@bench.example.com"
        user_names.append(user_name)
        barrier = threading.Barrier(connections)
        responses: list[Response | None] = [None] * connections

        def create(slot: int, user_name=user_name, barrier=barrier, responses=responses) -> None:
            spelling = user_name.upper() if slot % 2 else user_name
            connection = client.connect()
            barrier.wait()
            responses[slot] = client.send(
                connection, "POST", USERS_PATH, body=body_template.replace("{{USERNAME}}", spelling)
            )

        threads = [threading.Thread(target=create, args=(slot,)) for slot in range(connections)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        race_statuses = Counter(r.status for r in responses if r is not None)
        statuses.update(race_statuses)
        races_with_one_201 += race_statuses[201] == 1
        conflicts_without_uniqueness += sum(
            1 for r in responses if r is not None and r.status == 409 and r.json().get("scimType") != "uniqueness"
        )
    return RaceOutcome(
        user_names=user_names,
        statuses=statuses,
        races_with_one_201=races_with_one_201,
        conflicts_without_uniqueness=conflicts_without_uniqueness,
        requests=races * connections,
        seconds=time.monotonic() - started,
    )
