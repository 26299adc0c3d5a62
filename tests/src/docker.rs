//! Docker helpers for tests that run executors as containers.
//!
//! No image can be pulled on the machines this project builds on, so the executor image is
//! built `FROM scratch` out of the `ember-executor` binary the test build produced and the
//! shared libraries it links (found with `ldd`). The image holds nothing else.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `docker` with `args`; returns its stdout, or stderr as the error.
pub fn docker(args: &[&str]) -> Result<String, String> {
    let output = Command::new("docker")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run docker: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    } else {
        Err(format!(
            "docker {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// Whether a Docker engine answers.
pub fn docker_available() -> bool {
    docker(&["version", "--format", "{{.Server.Version}}"]).is_ok()
}

/// The `ember-executor` binary next to the test executable (cargo puts it one folder up).
pub fn executor_binary() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    exe.ancestors()
        .skip(1)
        .take(2)
        .map(|d| d.join("ember-executor"))
        .find(|p| p.is_file())
        .ok_or_else(|| "ember-executor binary not built".to_string())
}

/// The shared libraries `binary` loads, as absolute paths (from `ldd`).
fn linked_libraries(binary: &Path) -> Result<Vec<PathBuf>, String> {
    let output = Command::new("ldd")
        .arg(binary)
        .output()
        .map_err(|e| format!("cannot run ldd: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    Ok(text
        .lines()
        .filter_map(|line| {
            // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux... (0x...)"
            let path = match line.split_once("=>") {
                Some((_, right)) => right.split_whitespace().next(),
                None => line.split_whitespace().next(),
            }?;
            path.starts_with('/').then(|| PathBuf::from(path))
        })
        .collect())
}

/// Builds an image `tag` holding only `/ember-executor` and its libraries, with the binary as
/// entrypoint.
pub fn build_executor_image(tag: &str) -> Result<(), String> {
    let binary = executor_binary()?;
    let context = tempfile::tempdir().map_err(|e| e.to_string())?;
    let copy = |from: &Path, to: &Path| -> Result<(), String> {
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::copy(from, to)
            .map(|_| ())
            .map_err(|e| format!("copy {}: {e}", from.display()))
    };
    copy(&binary, &context.path().join("ember-executor"))?;
    for lib in linked_libraries(&binary)? {
        let relative = lib.strip_prefix("/").map_err(|e| e.to_string())?;
        copy(&lib, &context.path().join(relative))?;
    }
    std::fs::write(
        context.path().join("Dockerfile"),
        "FROM scratch\nCOPY . /\nENTRYPOINT [\"/ember-executor\"]\n",
    )
    .map_err(|e| e.to_string())?;
    let dir = context.path().display().to_string();
    docker(&["build", "-q", "-t", tag, &dir]).map(|_| ())
}

/// The peak memory use (RSS, page cache and tmpfs pages) of a running container's cgroup, in
/// bytes, read on the host: cgroup v1 `memory.max_usage_in_bytes` or v2 `memory.peak`.
pub fn container_memory_peak(name: &str) -> Result<u64, String> {
    let id = docker(&["inspect", "-f", "{{.Id}}", name])?;
    let candidates = [
        format!("/sys/fs/cgroup/memory/docker/{id}/memory.max_usage_in_bytes"),
        format!("/sys/fs/cgroup/system.slice/docker-{id}.scope/memory.peak"),
        format!("/sys/fs/cgroup/docker/{id}/memory.peak"),
    ];
    candidates
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok()?.trim().parse().ok())
        .ok_or_else(|| format!("no memory peak found for container {name} ({id})"))
}

/// Whether the kernel OOM-killed a container (as Docker recorded it).
pub fn container_oom_killed(name: &str) -> Result<bool, String> {
    docker(&["inspect", "-f", "{{.State.OOMKilled}}", name]).map(|s| s == "true")
}
