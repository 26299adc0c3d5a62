//! JVM Spark for the benchmark: a Python virtual environment with a pinned pyspark, created on
//! first use (pyspark runs on the installed Java 17), and the worker script kept beside this crate.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The pyspark release the benchmark and the golden suite use.
pub const PYSPARK_VERSION: &str = "4.3.0";

/// The JVM Spark worker script.
pub fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/spark_tpch.py")
}

fn venv_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-venv")
}

fn has_pyspark(python: &Path) -> bool {
    Command::new(python)
        .args([
            "-c",
            &format!("import pyspark, sys; sys.exit(pyspark.__version__ != '{PYSPARK_VERSION}')"),
        ])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The venv's Python with pyspark installed, creating the venv if needed.
///
/// # Errors
/// Python, venv or pip fail (the message says which command).
pub fn ensure_venv() -> Result<PathBuf, String> {
    let dir = venv_dir();
    let python = dir.join("bin/python");
    if python.exists() && has_pyspark(&python) {
        return Ok(python);
    }
    eprintln!(
        "setting up JVM Spark: pyspark {PYSPARK_VERSION} in {} (once)",
        dir.display()
    );
    let run = |program: &Path, args: &[&str]| -> Result<(), String> {
        let status = Command::new(program)
            .args(args)
            .status()
            .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!(
                "{} {} failed ({status})",
                program.display(),
                args.join(" ")
            ))
        }
    };
    run(
        Path::new("python3"),
        &["-m", "venv", &dir.display().to_string()],
    )?;
    run(
        &python,
        &[
            "-m",
            "pip",
            "install",
            "--quiet",
            &format!("pyspark=={PYSPARK_VERSION}"),
        ],
    )?;
    if !has_pyspark(&python) {
        return Err("pyspark was installed but cannot be imported".into());
    }
    Ok(python)
}
