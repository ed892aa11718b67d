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


def test_report_table_divides_b0_by_each_scenario():
    rows = [
        {"id": "B0", "instructions_per_request": 1_000_000, "statuses": {"200": 50}},
        {"id": "S6", "instructions_per_request": 2_500_000, "statuses": {"200": 49, "500": 1}},
    ]

    table = report_table(rows).splitlines()

    assert table[2] == "| B0 | 1.000 | 1.000 | 50 x 200 |"
    assert table[3] == "| S6 | 2.500 | 0.400 | 49 x 200, 1 x 500 |"


@pytest.mark.bench
@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed (apt-get install valgrind)")
def test_counts_each_scenario_on_a_database_it_seeds(tmp_path):
    output = tmp_path / "instructions.json"
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    arguments = ["--sqlite", "--users", "30", "--requests", "3", "--scenarios", "B0,S6", "--output", str(output)]
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
    assert rows["B0"]["statuses"] == {"200": 3} and rows["S6"]["statuses"] == {"200": 3}
    # A GET /Users/{id} does all that /healthz does, and authenticates and reads a user besides.
    assert 0 < rows["B0"]["instructions_per_request"] < rows["S6"]["instructions_per_request"]
    assert "| S6 |" in completed.stdout
