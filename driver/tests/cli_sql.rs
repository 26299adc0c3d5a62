//! `ember sql` and `ember submit` behave like spark-sql and spark-submit: layered configuration,
//! scripts of several statements, output formats and exit codes.

use std::process::Command;

fn ember(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ember"));
    cmd.args(args).env_remove("SPARK_CONF_DIR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run ember");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn csv_output_has_a_header_and_spark_values() {
    let (code, stdout, stderr) = ember(
        &[
            "sql",
            "--master",
            "local[2]",
            "--output-format",
            "csv",
            "-e",
            "SELECT 7 / 2 AS half, 'a,b' AS s, CAST(NULL AS INT) AS n, array(1, 2) AS xs",
        ],
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "half,s,n,xs\n3.5,\"a,b\",NULL,\"[1,2]\"\n");
}

#[test]
fn csv_result_sets_of_one_run_are_separated_by_a_blank_line() {
    let (code, stdout, stderr) = ember(
        &[
            "sql",
            "--master",
            "local[2]",
            "--output-format",
            "csv",
            "-e",
            "SELECT 1 AS a; SET spark.sql.shuffle.partitions=3; SELECT 'x' AS b, 2 AS c",
        ],
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "a\n1\n\nkey,value\nspark.sql.shuffle.partitions,3\n\nb,c\nx,2\n"
    );
}

#[test]
fn a_file_of_statements_with_comments_runs_in_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("app.sql");
    std::fs::write(
        &script,
        "-- a view, then two queries\nCREATE TEMPORARY VIEW v AS SELECT * FROM (VALUES (1), (2), (3)) AS t(x);\n\
         /* a block comment; with a semicolon */\nSELECT sum(x) FROM v;\nSELECT x FROM v WHERE x > 1 ORDER BY x;\n",
    )
    .expect("write script");
    let path = script.display().to_string();
    let (code, stdout, stderr) = ember(&["sql", "--master", "local[2]", "-f", &path], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "6\n2\n3\n");
    assert_eq!(stderr.matches("Time taken:").count(), 3, "{stderr}");

    let (code, _, stderr) = ember(&["submit", "--master", "local[2]", &path], &[]);
    assert_eq!(code, 0, "{stderr}");
    std::fs::write(
        &script,
        "SELECT 1;\nSELECT * FROM missing_table;\nSELECT 2;\n",
    )
    .expect("write");
    let (code, stdout, stderr) = ember(&["submit", "--master", "local[2]", &path], &[]);
    assert_eq!(
        code, 1,
        "a failed statement fails the application: {stderr}"
    );
    assert_eq!(stdout, "1\n", "statements after the failure do not run");
}

#[test]
fn configuration_layers_properties_conf_and_set() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("spark-defaults.conf"),
        "# defaults\nspark.master local[1]\nspark.sql.shuffle.partitions 3\nspark.custom.key from-file\n",
    )
    .expect("write defaults");
    let conf_dir = dir.path().display().to_string();
    let (code, stdout, stderr) = ember(
        &[
            "sql",
            "--conf",
            "spark.custom.key=from-flag",
            "-e",
            "SET spark.sql.shuffle.partitions; SET spark.custom.key; SET spark.custom.key=from-set; SET spark.custom.key; RESET; SET spark.custom.key",
        ],
        &[("SPARK_CONF_DIR", &conf_dir)],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "spark.sql.shuffle.partitions\t3\nspark.custom.key\tfrom-flag\nspark.custom.key\tfrom-set\nspark.custom.key\tfrom-set\nspark.custom.key\tfrom-flag\n"
    );
    let (code, _, stderr) = ember(
        &["sql", "-e", "SET spark.executor.memory=lots"],
        &[("SPARK_CONF_DIR", &conf_dir)],
    );
    assert_eq!(code, 1);
    assert!(stderr.contains("spark.executor.memory"), "{stderr}");
}

#[test]
fn version_and_help() {
    let (code, stdout, _) = ember(&["--version"], &[]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("ember "), "{stdout}");
    for sub in ["sql", "submit"] {
        let (code, stdout, _) = ember(&[sub, "--help"], &[]);
        assert_eq!(code, 0);
        assert!(
            stdout.contains("--master") && stdout.contains("--conf"),
            "{stdout}"
        );
    }
}

#[test]
fn corrupt_and_missing_files_are_clear_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.parquet");
    std::fs::write(&bad, b"PAR1 this is not a parquet file").expect("write");
    let bad = bad.display().to_string();
    let (code, _, stderr) = ember(
        &[
            "sql",
            "--master",
            "local[1]",
            "-e",
            &format!("SELECT * FROM parquet.`{bad}`"),
        ],
        &[],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    let (code, _, stderr) = ember(
        &[
            "sql",
            "--master",
            "local[1]",
            "-e",
            "CREATE TEMPORARY VIEW v USING csv OPTIONS (path '/nonexistent/data.csv')",
        ],
        &[],
    );
    assert_eq!(code, 1);
    assert!(stderr.contains("[PATH_NOT_FOUND]"), "{stderr}");
}

#[test]
fn ctrl_c_cancels_the_running_job_and_exits() {
    use std::time::{Duration, Instant};
    let mut child = Command::new(env!("CARGO_BIN_EXE_ember"))
        .args([
            "sql",
            "--master",
            "local[1]",
            "-e",
            "SELECT sum(id * 2) FROM range(0, 100000000000)",
        ])
        .env_remove("SPARK_CONF_DIR")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start ember");
    std::thread::sleep(Duration::from_secs(2));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("send SIGINT");
    assert!(status.success());
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert_eq!(status.code(), Some(130));
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "ember did not exit after Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut stderr = String::new();
    use std::io::Read;
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    assert!(stderr.contains("Cancelled"), "{stderr}");
}

/// Every data file under `dir` (recursively), relative, sorted.
fn data_files(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "parquet") {
                let relative = path.strip_prefix(dir).unwrap_or(&path);
                out.push(relative.display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn tables_persist_across_runs_and_a_failed_overwrite_keeps_the_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let warehouse = dir.path().join("warehouse");
    let conf = format!("spark.sql.warehouse.dir={}", warehouse.display());
    let (code, _, stderr) = ember(
        &[
            "sql",
            "--master",
            "local[2]",
            "--conf",
            &conf,
            "-e",
            "CREATE TABLE t (id INT, p STRING) USING parquet PARTITIONED BY (p); \
             INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'a')",
        ],
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    let files = data_files(&warehouse.join("t"));
    assert!(
        files.iter().any(|f| f.starts_with("p=a/part-"))
            && files.iter().any(|f| f.starts_with("p=b/part-")),
        "Hive partition folders: {files:?}"
    );

    // A second run (on executor processes, from a file) sees the table and appends to it.
    let script = dir.path().join("app.sql");
    std::fs::write(
        &script,
        "INSERT INTO t SELECT 4, 'c';\nSELECT p, count(*), sum(id) FROM t GROUP BY p ORDER BY p;\n",
    )
    .expect("write script");
    let path = script.display().to_string();
    let (code, stdout, stderr) = ember(
        &[
            "sql",
            "--master",
            "local-cluster[2,1,512]",
            "--conf",
            &conf,
            "-f",
            &path,
        ],
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "a\t2\t4\nb\t1\t2\nc\t1\t4\n");

    // An INSERT OVERWRITE whose job fails (an invalid cast in ANSI mode) changes nothing.
    let before = data_files(&warehouse.join("t"));
    let (code, _, stderr) = ember(
        &[
            "sql",
            "--master",
            "local[2]",
            "--conf",
            &conf,
            "-e",
            "CREATE TEMPORARY VIEW src AS SELECT * FROM VALUES ('5'), ('not a number') AS v(s); \
             INSERT OVERWRITE t SELECT CAST(s AS INT), 'z' FROM src",
        ],
        &[],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("CAST_INVALID_INPUT"), "{stderr}");
    assert_eq!(data_files(&warehouse.join("t")), before);
    let leftovers: Vec<String> = std::fs::read_dir(&warehouse)
        .expect("list warehouse")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("ember-staging") || n.contains("ember-replaced"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // DROP TABLE removes the data of a managed table.
    let (code, stdout, stderr) = ember(
        &[
            "sql",
            "--master",
            "local[1]",
            "--conf",
            &conf,
            "-e",
            "SELECT count(*) FROM t; DROP TABLE t; SHOW TABLES",
        ],
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "4\n");
    assert!(!warehouse.join("t").exists());
}
