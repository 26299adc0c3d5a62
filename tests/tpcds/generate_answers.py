#!/usr/bin/env python3
"""JVM Spark's answers to the TPC-DS queries, for Ember's TPC-DS tests.

Usage (needs Java 17 and `pip install pyspark==4.3.0`):
    tpcgen-cli tpcds parquet -s 0.01 --output-dir /tmp/tpcds-sf0.01   # PyPI `tpcgen-cli`
    python3 tests/tpcds/generate_answers.py /tmp/tpcds-sf0.01 tests/tpcds/spark/sf0.01 [q1 ...]

Runs every query of `queries/` (Spark's own TPC-DS v1.4 set, see README.md) on `local[2]` with
the session time zone UTC, over one temporary view per Parquet file of DATA_DIR, and writes
OUT_DIR/<query>.tsv: a line of Spark's column types (`simpleString`, e.g. `decimal(17,2)`), then
one line per row, tab-separated, NULL as \\N, decimals with their scale. A query Spark refuses
gets OUT_DIR/<query>.error with its error class instead (q30 on data from generators that name
the column `c_last_review_date_sk`), and OUT_DIR/<query>.names the column names Spark gives, on
one line, tab-separated. The data must come from the same generator the tests use
(`tpcdsgen`, which `tpcgen-cli` runs) at the same scale. CI does not run this: it compares Ember
against the committed answers.
"""

import os
import sys
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))


def text(value):
    if value is None:
        return "\\N"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value).replace("\t", " ").replace("\n", " ")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    data, out = sys.argv[1], sys.argv[2]
    wanted = sys.argv[3:]
    from pyspark.sql import SparkSession
    from pyspark.errors import PySparkException

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("ember-tpcds-answers")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "8g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    for name in sorted(os.listdir(data)):
        table, ext = os.path.splitext(name)
        if ext == ".parquet" or os.path.isdir(os.path.join(data, name)):
            path = os.path.join(data, name)
            spark.sql(
                f"CREATE OR REPLACE TEMPORARY VIEW {table} USING parquet OPTIONS (path '{path}')"
            )
    os.makedirs(out, exist_ok=True)
    queries = sorted(
        f[:-4] for f in os.listdir(os.path.join(HERE, "queries")) if f.endswith(".sql")
    )
    for query in wanted or queries:
        with open(os.path.join(HERE, "queries", f"{query}.sql")) as f:
            sql = f.read().strip().rstrip(";")
        for stale in (f"{query}.tsv", f"{query}.error", f"{query}.names"):
            if os.path.exists(os.path.join(out, stale)):
                os.remove(os.path.join(out, stale))
        try:
            df = spark.sql(sql)
            rows = df.collect()
        except PySparkException as e:
            with open(os.path.join(out, f"{query}.error"), "w") as f:
                f.write((e.getErrorClass() or "ERROR") + "\n")
            print(f"{query}: error {e.getErrorClass()}", flush=True)
            continue
        with open(os.path.join(out, f"{query}.names"), "w") as f:
            f.write("\t".join(field.name for field in df.schema.fields) + "\n")
        with open(os.path.join(out, f"{query}.tsv"), "w") as f:
            f.write("\t".join(field.dataType.simpleString() for field in df.schema.fields) + "\n")
            for row in rows:
                f.write("\t".join(text(v) for v in row) + "\n")
        print(f"{query}: {len(rows)} rows", flush=True)
    spark.stop()


if __name__ == "__main__":
    main()
