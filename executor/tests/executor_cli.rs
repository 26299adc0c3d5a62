//! The `ember-executor` binary ends with a clear one-line error, not a panic, on bad input.

use std::process::Command;

fn run(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ember-executor"))
        .args(args)
        .output()
        .expect("run ember-executor");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn unreachable_driver_is_a_clear_error() {
    // Port 9 (discard) on loopback has no listener here.
    let (ok, stderr) = run(&["--driver-url", "http://127.0.0.1:9", "--executor-id", "x"]);
    assert!(!ok);
    assert!(
        stderr.contains("cannot reach the driver at http://127.0.0.1:9"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

#[test]
fn malformed_driver_url_and_zero_cores_are_clear_errors() {
    let (ok, stderr) = run(&["--driver-url", "not a url", "--executor-id", "x"]);
    assert!(!ok);
    assert!(stderr.contains("cannot reach the driver"), "{stderr}");
    let (ok, stderr) = run(&[
        "--driver-url",
        "http://127.0.0.1:9",
        "--executor-id",
        "x",
        "--cores",
        "0",
    ]);
    assert!(!ok);
    assert!(stderr.contains("cores must be at least 1"), "{stderr}");
}
