"""The harness's wrk plumbing: reading the Lua script's result line, and the script itself."""

import contextlib
import http.server
import shutil
import threading
from urllib.parse import unquote

import pytest

from bench.wrk import WrkError, WrkRequest, wrk_command, wrk_environment, wrk_result_parse, wrk_run

WRK_OUTPUT = """Running 6s test @ http://127.0.0.1:40000
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.50ms  307.60us   9.77ms   89.49%
  15967 requests in 3.10s, 6.09MB read
Requests/sec:   5151.60
BENCH_RESULT {"duration_us": 3000000, "requests": 1500, "bytes": 6386800, \
"errors": {"connect": 0, "read": 2, "write": 0, "status": 40, "timeout": 1}, \
"latency_us": {"min": 796, "mean": 1504.4, "max": 9774, "p50": 1466, "p90": 1747, "p99": 2265, "p999": 5299}, \
"statuses": {"201": 1460, "409": 39, "500": 1}}
"""


def test_parse_reads_the_result_line_among_wrk_text():
    result = wrk_result_parse(WRK_OUTPUT)

    assert result.requests == 1500
    assert result.rps == 500.0
    assert result.statuses == {201: 1460, 409: 39, 500: 1}
    assert (result.p50_ms, result.p90_ms, result.p99_ms, result.max_ms) == (1.466, 1.747, 2.265, 9.774)
    # wrk's "status" error count only repeats the non-2xx responses already in `statuses`.
    assert result.socket_errors == {"connect": 0, "read": 2, "write": 0, "timeout": 1}


def test_parse_without_result_line_says_so():
    with pytest.raises(WrkError, match="BENCH_RESULT"):
        wrk_result_parse("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_command_is_one_thread_with_latency_and_a_long_timeout():
    command = wrk_command(url="http://127.0.0.1:1234", duration_s=6, connections=8, threads=1)

    assert command[:4] == ["wrk", "-t1", "-c8", "-d6s"]
    assert "--latency" in command
    assert command[command.index("--timeout") + 1] == "30s"
    assert command[-1] == "http://127.0.0.1:1234"


def test_token_goes_through_the_environment_not_the_command_line():
    request = WrkRequest("static", path="/scim/v2/Users/x", token="scim_secret", origin="https://idp.example.com")
    command = wrk_command(url="http://127.0.0.1:1234", duration_s=1, connections=8, threads=1)

    env = wrk_environment(request, host="127.0.0.1:1234", run_id="r1")

    assert env["BENCH_TOKEN"] == "scim_secret"
    assert env["BENCH_HOST"] == "127.0.0.1:1234"
    assert not any("scim_secret" in part for part in command)


class _RecordingHandler(http.server.BaseHTTPRequestHandler):
    """Answers 200 and 409 alternately, remembering what it was sent."""

    seen: list = []

    def do_GET(self):
        self.seen.append((self.path, self.headers.get("Authorization"), self.headers.get("X-Request-Origin")))
        status = 409 if len(self.seen) % 2 else 200
        body = b"{}"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        # wrk hangs up on its open connections when its time is up.
        with contextlib.suppress(ConnectionError):
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install wrk)")
def test_lua_script_counts_statuses_and_sends_random_case_filters(tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("alice@example.com\nbob@example.com\n")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RecordingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _RecordingHandler.seen = []
    try:
        port = server.server_address[1]
        request = WrkRequest("filter", data_file=names, token="scim_t", origin="https://idp.example.com")
        result = wrk_run(
            request,
            base_url=f"http://127.0.0.1:{port}",
            host=f"127.0.0.1:{port}",
            run_id="t",
            duration_s=1,
            connections=2,
        )
    finally:
        server.shutdown()
        server.server_close()

    assert result.requests > 0
    assert set(result.statuses) == {200, 409}
    assert sum(result.statuses.values()) == result.requests
    _, authorization, origin = _RecordingHandler.seen[0]
    assert authorization == "Bearer scim_t"
    assert origin == "https://idp.example.com"
    filters = {unquote(p.split("filter=", 1)[1]) for p, _, _ in _RecordingHandler.seen}
    assert all(f.lower() in {'username eq "alice@example.com"', 'username eq "bob@example.com"'} for f in filters)


def test_process_cpu_seconds_reads_proc_for_this_process():
    import os

    from bench.server import child_pids, process_cpu_seconds

    sum(i * i for i in range(200_000))  # spend a little CPU
    assert process_cpu_seconds([os.getpid()])[os.getpid()] > 0
    assert process_cpu_seconds([2**22 + 1]) == {}  # no such process
    assert os.getpid() in child_pids(os.getppid())
