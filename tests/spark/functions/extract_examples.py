#!/usr/bin/env python3
"""Write the documented examples of every JVM Spark built-in function as golden-suite cases.

JVM Spark prints each built-in function's examples in `DESCRIBE FUNCTION EXTENDED f` (Spark's
own docs are generated from the same text). This script asks a local JVM Spark for
`SHOW FUNCTIONS`, reads every function's examples and writes them to `cases/<group>.sql`,
grouped by the first character of the name, each statement after a `-- function: NAME` line.
`cases/functions.tsv` lists every function with its number of examples, so functions without
examples are counted too. Examples that cannot give the same answer twice (random values, the
current time, the session's user) are left out, and listed with the reason in
`cases/left_out.tsv`.

The expected answers are not the doc text: `python3 tests/spark/generate_golden.py --suite
functions` runs the cases through JVM Spark and writes `golden/`.

Usage (needs Java 17 and `pip install pyspark==4.3.0`):
    python3 tests/spark/functions/extract_examples.py
"""

import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))

# Functions whose value depends on when, where or by whom a query runs, or on a random draw.
NON_DETERMINISTIC = {
    "current_date", "current_timestamp", "now", "localtimestamp", "curdate", "current_time",
    "current_timezone", "rand", "randn", "random", "uuid", "shuffle", "randstr", "uniform",
    "monotonically_increasing_id", "spark_partition_id", "input_file_name",
    "input_file_block_start", "input_file_block_length", "current_user", "user",
    "session_user", "current_catalog", "current_database", "current_schema", "version",
    "reflect", "java_method", "try_reflect", "unix_timestamp", "try_aes_decrypt",
    "aes_encrypt", "aes_decrypt",
}
# Examples calling these anywhere are left out for the same reason.
NON_DETERMINISTIC_CALLS = re.compile(
    r"\b(current_date|current_timestamp|now|localtimestamp|curdate|current_time|rand|randn|"
    r"random|uuid|shuffle|randstr|uniform|current_user|user|session_user|version|"
    r"aes_encrypt)\s*\(|\bunix_timestamp\(\s*\)|\bcurrent_(date|timestamp|time)\b",
    re.IGNORECASE,
)


def examples(describe_rows):
    """The example statements in DESCRIBE FUNCTION EXTENDED output, as SQL ending in ';'."""
    text = "\n".join(describe_rows)
    out = []
    in_examples = False
    current = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped == "Examples:":
            in_examples = True
            continue
        if not in_examples:
            continue
        if stripped.startswith(("Since:", "Note:", "Group:")) and current is None:
            break
        if stripped.startswith("> "):
            current = [stripped[2:]]
        elif current is not None:
            current.append(stripped)
        else:
            continue
        if current is not None and current[-1].endswith(";"):
            sql = " ".join(part for part in current if part).strip()
            out.append(sql)
            current = None
    return out


def group(name):
    first = name[0].lower()
    return first if first.isalpha() else "operators"


def main():
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[1]")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    names = sorted(r[0] for r in spark.sql("SHOW FUNCTIONS").collect())
    groups = {}
    listing = []
    left_out = []
    for name in names:
        quoted = "`" + name.replace("`", "``") + "`"
        rows = [r[0] for r in spark.sql(f"DESCRIBE FUNCTION EXTENDED {quoted}").collect()]
        found = examples(rows)
        kept = []
        for sql in found:
            if name in NON_DETERMINISTIC or NON_DETERMINISTIC_CALLS.search(sql):
                left_out.append((name, sql, "not deterministic"))
            else:
                kept.append(sql)
        listing.append((name, len(found), len(kept)))
        if kept:
            groups.setdefault(group(name), []).append((name, kept))
    cases = os.path.join(HERE, "cases")
    os.makedirs(cases, exist_ok=True)
    for old in os.listdir(cases):
        if old.endswith(".sql"):
            os.remove(os.path.join(cases, old))
    for g, functions in sorted(groups.items()):
        with open(os.path.join(cases, g + ".sql"), "w") as f:
            f.write(f"-- Examples of Spark {spark.version}'s built-in functions, from DESCRIBE "
                    "FUNCTION EXTENDED (extract_examples.py).\n\n")
            for name, sqls in functions:
                for sql in sqls:
                    f.write(f"-- function: {name}\n{sql}\n\n")
    with open(os.path.join(cases, "functions.tsv"), "w") as f:
        f.write(f"# Spark {spark.version} SHOW FUNCTIONS: name, documented examples, examples kept\n")
        for name, found, kept in listing:
            f.write(f"{name}\t{found}\t{kept}\n")
    with open(os.path.join(cases, "left_out.tsv"), "w") as f:
        f.write("# function\texample\treason\n")
        for name, sql, reason in left_out:
            f.write(f"{name}\t{sql}\t{reason}\n")
    print(f"{len(names)} functions, {sum(k for _, _, k in listing)} examples kept, "
          f"{len(left_out)} left out")


if __name__ == "__main__":
    main()
