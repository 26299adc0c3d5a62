//! The `ember` command ends with a clear one-line error and a non-zero exit on bad input.

use std::process::Command;

fn ember(args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ember"));
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run ember");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_one_line_error(stderr: &str, needle: &str) {
    assert!(stderr.contains(needle), "expected {needle:?} in {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

#[test]
fn runs_a_query_on_the_embedded_default() {
    let (ok, stdout, stderr) = ember(
        &[
            "sql",
            "--master",
            "local[2]",
            "-e",
            "SELECT 40 + 2 AS answer",
        ],
        &[],
    );
    assert!(ok, "{stderr}");
    assert_eq!(stdout, "42\n", "spark-sql prints bare tab-separated rows");
    assert!(stderr.contains("Fetched 1 row(s)"), "{stderr}");
}

#[test]
fn unknown_master_is_a_clear_error() {
    let (ok, _, stderr) = ember(&["sql", "--master", "yarn", "-e", "SELECT 1"], &[]);
    assert!(!ok);
    assert_one_line_error(&stderr, "invalid master \"yarn\"");
}

#[test]
fn malformed_conf_value_is_a_clear_error() {
    let (ok, _, stderr) = ember(
        &[
            "sql",
            "--master",
            "local[1]",
            "--conf",
            "spark.executor.memory=lots",
            "-e",
            "SELECT 1",
        ],
        &[],
    );
    assert!(!ok);
    assert_one_line_error(&stderr, "spark.executor.memory");
    let (ok, _, stderr) = ember(&["sql", "--conf", "no-equals-sign", "-e", "SELECT 1"], &[]);
    assert!(!ok);
    assert_one_line_error(&stderr, "expected key=value");
}

#[test]
fn missing_executor_binary_is_a_clear_error() {
    let (ok, _, stderr) = ember(
        &[
            "sql",
            "--master",
            "local-cluster[1,1,512]",
            "-e",
            "SELECT 1",
        ],
        &[("EMBER_EXECUTOR_BIN", "/nonexistent/ember-executor")],
    );
    assert!(!ok);
    assert_one_line_error(&stderr, "/nonexistent/ember-executor");
}

#[test]
fn sql_errors_are_clear_errors() {
    let (ok, _, stderr) = ember(
        &[
            "sql",
            "--master",
            "local[1]",
            "-e",
            "SELECT * FROM no_such_table",
        ],
        &[],
    );
    assert!(!ok);
    assert_one_line_error(&stderr, "no_such_table");
}
