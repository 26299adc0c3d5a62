//! Docker helpers for tests that run executors as containers.
//!
//! No image can be pulled on the machines this project builds on, so tests use Ember's own
//! image built with the shipped `images/build-from-binaries.sh` ([`build_ember_image`]):
//! `FROM scratch`, the `ember` binary of this build (also linked as `ember-executor`) and the
//! shared libraries it links.

use std::path::PathBuf;
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

/// Builds Ember's image `tag` the way users build it without a registry: runs the repository's
/// `images/build-from-binaries.sh TAG BINARY` (which uses `images/Dockerfile.binaries`, `FROM
/// scratch`, uid 185) with the `ember` binary of this build.
pub fn build_ember_image(tag: &str) -> Result<(), String> {
    let binary = crate::binaries::built_binary("ember")?;
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../images/build-from-binaries.sh"
    );
    let output = Command::new(script)
        .arg(tag)
        .arg(&binary)
        .output()
        .map_err(|e| format!("cannot run {script}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{script} {tag} {}: {}{}",
            binary.display(),
            String::from_utf8_lossy(&output.stdout).trim(),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
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

/// The memory a container's cgroup cannot reclaim: anonymous memory plus shmem (tmpfs files),
/// from cgroup v1 `memory.stat` (`rss`, `shmem`) or v2 (`anon`, `shmem`). Page cache, which the
/// kernel reclaims before it OOM-kills, is left out.
fn unreclaimable_bytes(stat: &str) -> u64 {
    stat.lines()
        .filter_map(|line| line.split_once(' '))
        .filter(|(key, _)| matches!(*key, "rss" | "anon" | "shmem"))
        .filter_map(|(_, value)| value.trim().parse::<u64>().ok())
        .sum()
}

fn memory_stat_path(id: &str) -> Option<PathBuf> {
    [
        format!("/sys/fs/cgroup/memory/docker/{id}/memory.stat"),
        format!("/sys/fs/cgroup/system.slice/docker-{id}.scope/memory.stat"),
        format!("/sys/fs/cgroup/docker/{id}/memory.stat"),
    ]
    .into_iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
}

/// Samples, every few milliseconds from the host, the unreclaimable memory (anonymous plus
/// tmpfs) of the named containers while they run, and keeps each one's peak.
pub struct CgroupSampler {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<Vec<(String, u64)>>>,
}

impl CgroupSampler {
    /// Starts sampling containers named `names` (they may not exist yet).
    pub fn start(names: Vec<String>) -> Self {
        use std::sync::atomic::Ordering;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = std::sync::Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut paths: Vec<Option<PathBuf>> = vec![None; names.len()];
            let mut peaks = vec![0u64; names.len()];
            while !flag.load(Ordering::Relaxed) {
                for (i, name) in names.iter().enumerate() {
                    if paths[i].is_none() {
                        paths[i] = docker(&["inspect", "-f", "{{.Id}}", name])
                            .ok()
                            .and_then(|id| memory_stat_path(&id));
                    }
                    if let Some(stat) = paths[i]
                        .as_ref()
                        .and_then(|p| std::fs::read_to_string(p).ok())
                    {
                        peaks[i] = peaks[i].max(unreclaimable_bytes(&stat));
                    }
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            names.into_iter().zip(peaks).collect()
        });
        Self {
            stop,
            thread: Some(thread),
        }
    }

    /// Stops sampling; returns each container's peak in bytes (0: never seen).
    pub fn finish(mut self) -> Vec<(String, u64)> {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::unreclaimable_bytes;

    #[test]
    fn unreclaimable_memory_is_anonymous_plus_shmem() {
        let v1 = "cache 500\nrss 100\nrss_huge 0\nshmem 20\nmapped_file 7\ntotal_rss 999\n";
        assert_eq!(unreclaimable_bytes(v1), 120);
        let v2 = "anon 300\nfile 900\nshmem 40\nfile_mapped 5\n";
        assert_eq!(unreclaimable_bytes(v2), 340);
    }
}
