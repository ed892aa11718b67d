"""bench.instructions: instruction counts per request under callgrind, and their table."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.instructions import callgrind_total, report_table

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_callgrind_total_reads_the_summary_line():
    dump = "version: 1\ncreator: callgrind-3.19.0\ncmd: python\nevents: Ir\nsummary: 19736747\n\nfl=(1) x.c\n"

    assert callgrind_total(dump) == 19736747
    assert callgrind_total(dump.replace("summary:", "totals:")) == 19736747


def test_callgrind_total_refuses_a_dump_without_a_total():
    with pytest.raises(ValueError, match="summary"):
        callgrind_total("version: 1\nevents: Ir\n")


def test_report_table_divides_each_scenarios_floor_by_it():
    rows = [
        {"id": "L0", "instructions_per_request": 1_000_000, "statuses": {"200": 50}},
        {"id": "L2a", "instructions_per_request": 1_250_000, "statuses": {"200": 50}},
        {"id": "B2", "instructions_per_request": 1_250_000, "statuses": {"401": 50}},
        {"id": "S6", "instructions_per_request": 2_500_000, "statuses": {"200": 49, "500": 1}},
        {"id": "S5", "instructions_per_request": 5_000_000, "statuses": {"200": 50}},
    ]

    table = report_table(rows).splitlines()

    assert table[2] == "| L0 | 1.000 | 1 (floor) |  | 50 x 200 |"
    assert table[3] == "| L2a | 1.250 | 0.800 x L0 |  | 50 x 200 |"
    assert table[4] == "| B2 | 1.250 | 0.800 x L0 | ≥ 0.7 x L0 | 50 x 401 |"
    assert table[5] == "| S6 | 2.500 | 0.500 x L2a | ≥ 0.5 x L2a | 49 x 200, 1 x 500 |"
    assert table[6] == "| S5 | 5.000 | 0.250 x L2a |  | 50 x 200 |"


@pytest.mark.bench
@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed (apt-get install valgrind)")
def test_counts_each_scenario_on_a_database_it_seeds(tmp_path):
    output = tmp_path / "instructions.json"
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    arguments = ["--sqlite", "--users", "30", "--requests", "3", "--scenarios", "L0,L2a,S6", "--output", str(output)]
    completed = subprocess.run(
        [sys.executable, "-m", "bench.instructions", *arguments],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert completed.returncode == 0, completed.stderr[-3000:]
    rows = {row["id"]: row for row in json.loads(output.read_text())["scenarios"]}
    assert {row["id"]: row["statuses"] for row in rows.values()} == {sid: {"200": 3} for sid in ("L0", "L2a", "S6")}
    # Each does what the one before does, and more: a SELECT and the count; then the gate, the user, the resource.
    assert 0 < rows["L0"]["instructions_per_request"] < rows["L2a"]["instructions_per_request"]
    assert rows["L2a"]["instructions_per_request"] < rows["S6"]["instructions_per_request"]
    assert "| S6 |" in completed.stdout
