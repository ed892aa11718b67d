"""Machine info, the printed tables and the JSON results file."""

import json
import os
import platform
import re
import statistics
import subprocess
from importlib import metadata
from pathlib import Path

from bench.scenarios import ScenarioSummary
from bench.targets import TargetResult


def machine_info() -> dict:
    return {
        "nproc": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gib": _memory_gib(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": metadata.version("django"),
        "djangorestframework": metadata.version("djangorestframework"),
        "gunicorn": metadata.version("gunicorn"),
        "psycopg": metadata.version("psycopg"),
        "wrk": wrk_version(),
    }


def wrk_version() -> str:
    try:
        completed = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
    except OSError:
        return "missing"
    match = re.search(r"wrk (\S+)", completed.stdout + completed.stderr)
    return match.group(1) if match else "unknown"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def results_table(summaries: list[ScenarioSummary]) -> str:
    """The scenario table as Markdown (printed, and pasted into the README)."""
    lines = [
        "| id | request | req/s median (min-max) | p50 ms | p99 ms | server CPU ms/req "
        "| ok | expected 4xx | unexpected | 5xx | ratio |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for summary in summaries:
        request = summary.request or summary.scenario.label
        if not summary.available:
            lines.append(f"| {summary.id} | {request} | not available: {summary.unavailable_reason} ||||||||||")
            continue
        if summary.rps is None:
            throughput = summary.client_note or "-"
            p50 = p99 = ratio = cpu = "-"
        else:
            throughput = f"{summary.rps:,.0f} ({summary.rps_min:,.0f}-{summary.rps_max:,.0f})"
            p50, p99 = f"{summary.p50_ms:.1f}", f"{summary.p99_ms:.1f}"
            cpu = "-" if summary.cpu_ms is None else f"{summary.cpu_ms:.2f}"
            ratio = _ratio_text(summary.ratio(), summary.scenario.reference)
        unexpected = str(summary.unexpected + summary.socket_errors)
        if summary.unexpected_detail:
            unexpected += " (" + ", ".join(f"{s}: {n}" for s, n in summary.unexpected_detail.items()) + ")"
        lines.append(
            f"| {summary.id} | {request} | {throughput} | {p50} | {p99} | {cpu} | {summary.ok:,} | "
            f"{summary.expected_errors:,} | {unexpected} | {summary.server_errors} | {ratio} |"
        )
    return "\n".join(lines)


def ratios_table(documents: list[dict]) -> str:
    """Each scenario's ratio in every run, and their median: the table a target is judged on."""
    ids = list(dict.fromkeys(sid for document in documents for sid in document["scenarios"]))
    header = " | ".join(f"run {n}" for n in range(1, len(documents) + 1))
    lines = [f"| id | {header} | median |", "|---|" + "---|" * (len(documents) + 1)]
    for sid in ids:
        entries = [document["scenarios"].get(sid, {}) for document in documents]
        reference = next((e.get("reference") for e in entries if e.get("reference")), None)
        if reference is None:
            continue
        ratios = [e.get("ratio") for e in entries]
        present = [r for r in ratios if r is not None]
        median = _ratio_text(statistics.median(present), reference) if present else "-"
        cells = " | ".join("-" if r is None else f"{r:.3f}" for r in ratios)
        lines.append(f"| {sid} | {cells} | {median} |")
    return "\n".join(lines)


def _ratio_text(ratio: float | None, reference: str | None) -> str:
    if reference is None:
        return "1 (floor)"
    return "-" if ratio is None else f"{ratio:.3f} x {reference}"


def targets_table(targets: list[TargetResult]) -> str:
    lines = ["| target | result | measured |", "|---|---|---|"]
    lines += [f"| {t.name} | **{t.status}** | {t.measured} |" for t in targets]
    return "\n".join(lines)


def results_write(path: Path, document: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    tmp.replace(path)
