#!/usr/bin/env python3
"""Record a run of Spark's own SQL test corpus through `ember sql`, per file, for the docs.

The corpus (Spark's SQLQueryTestSuite golden files) and its runner live outside the
repository, in the team's `../shared/spark-sql-tests/`; a run writes its counts to
`target/spark-sql-tests/`. This script turns that run into `tests/spark/corpus.tsv` (date,
commit and per-file counts), which `tests/tests/spark_golden.rs` renders into
`docs/compatibility.md`:

    python3 ../shared/spark-sql-tests/run.py --ember target/debug/ember
    python3 tests/spark/corpus_report.py [target/spark-sql-tests]
    EMBER_UPDATE_DOCS=1 cargo test -p ember-tests --test spark_golden
"""

import csv
import datetime
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    results = sys.argv[1] if len(sys.argv) > 1 else "target/spark-sql-tests"
    with open(os.path.join(results, "summary.txt"), encoding="utf-8") as f:
        summary = f.read()
    passed = re.search(r"passed: (\d+)/(\d+)", summary)
    if not passed:
        sys.exit(f"no 'passed: N/M' line in {results}/summary.txt")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE
    ).stdout.strip() or "unknown"
    rows = []
    with open(os.path.join(results, "files.tsv"), encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            rows.append((row["file"], int(row["pass"]), int(row["run"])))
    rows.sort()
    ok, total = int(passed.group(1)), int(passed.group(2))
    out = os.path.join(HERE, "corpus.tsv")
    with open(out, "w", encoding="utf-8") as f:
        f.write(
            f"# {datetime.date.today().isoformat()}, commit {commit}: {ok} of {total} queries "
            f"({100.0 * ok / total:.1f}%) in {len(rows)} files return Spark's golden output\n"
        )
        f.write("file\tpass\trun\n")
        for name, p, r in rows:
            f.write(f"{name}\t{p}\t{r}\n")
    print(f"wrote {out}: {ok}/{total}")


if __name__ == "__main__":
    main()
