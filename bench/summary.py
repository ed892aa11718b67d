"""The median of several saved `make bench` runs: each scenario's ratio per run, and the targets on their median.

    make bench BENCH_ARGS="--output bench/results/run1.json"     # three times, run1..run3
    python -m bench.summary bench/results/run1.json bench/results/run2.json bench/results/run3.json

(`make bench BENCH_ARGS="--runs 3"` does the same in one go, on one seed.)
"""

import argparse
import json
import sys
from pathlib import Path

from bench.run import runs_document, runs_report_text
from bench.targets import PASS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.summary", description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", type=Path, help="results files written by `make bench`")
    parser.add_argument("--output", type=Path, help="also write the combined document here")
    args = parser.parse_args(argv)
    documents = []
    for path in args.results:
        document = json.loads(path.read_text())
        # A file written by `--runs N` holds its runs; a single run is the document itself.
        documents.extend(document.get("runs", [document]))
    combined = runs_document(documents)
    print(runs_report_text(combined))
    if args.output:
        args.output.write_text(json.dumps(combined, indent=2, ensure_ascii=False) + "\n")
    return 0 if combined["overall"] == PASS else 1


if __name__ == "__main__":
    sys.exit(main())
