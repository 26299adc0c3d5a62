#!/usr/bin/env python3
"""JVM Spark worker of the TPC-H benchmark (run by `ember-benches tpch`, one process per run).

Usage: spark_tpch.py DATA_DIR QUERY_DIR OUT_DIR MASTER PARTITIONS ITERATIONS QUERY...

Prints one JSON object per line on stdout: {"event": "ready"} once a `SELECT 1` has returned,
then {"event": "query", "q": N, "times": [...], "rows": R} per query (a warm-up run, then
ITERATIONS timed runs). Each query's result is written to OUT_DIR/qN.tsv: a line of Spark's
column types, then one line per row (tab-separated, NULL as \\N).
"""

import json
import os
import sys
import time
from decimal import Decimal


def emit(obj):
    print(json.dumps(obj), flush=True)


def kind(data_type):
    return data_type.simpleString()


def text(value):
    if value is None:
        return "\\N"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value).replace("\t", " ").replace("\n", " ")


def main():
    data, queries, out, master, partitions, iterations = sys.argv[1:7]
    numbers = [int(q) for q in sys.argv[7:]]
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master(master)
        .appName("ember-bench-spark")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", partitions)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "8g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    spark.sql("SELECT 1").collect()
    emit({"event": "ready"})
    for table in sorted(os.listdir(data)):
        path = os.path.join(data, table)
        spark.sql(f"CREATE OR REPLACE TEMPORARY VIEW {table} USING parquet OPTIONS (path '{path}')")
    os.makedirs(out, exist_ok=True)
    for q in numbers:
        with open(os.path.join(queries, f"q{q}.sql")) as f:
            sql = f.read()
        try:
            rows = spark.sql(sql).collect()
            times = []
            for _ in range(int(iterations)):
                started = time.perf_counter()
                df = spark.sql(sql)
                rows = df.collect()
                times.append(time.perf_counter() - started)
            with open(os.path.join(out, f"q{q}.tsv"), "w") as f:
                f.write("\t".join(kind(field.dataType) for field in df.schema.fields) + "\n")
                for row in rows:
                    f.write("\t".join(text(v) for v in row) + "\n")
            emit({"event": "query", "q": q, "times": times, "rows": len(rows)})
        except Exception as e:  # noqa: BLE001 - reported per query, the run goes on
            emit({"event": "query", "q": q, "error": str(e).splitlines()[0]})
    spark.stop()


if __name__ == "__main__":
    main()
