//! What the kernel says about this process's memory: its peak resident size and the memory
//! limit of its cgroup (a container's `--memory`, a pod's memory limit).

use std::path::PathBuf;

/// Peak resident set size of this process (`VmHWM` in `/proc/self/status`), in bytes.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status_kib(&status, "VmHWM:").map(|kib| kib * 1024)
}

/// A `Name:   123 kB` field of `/proc/<pid>/status`, in KiB.
pub fn status_kib(status: &str, field: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The folder of this process's cgroup (v2), where `memory.max` and `memory.peak` live.
fn cgroup_dir() -> Option<PathBuf> {
    let cgroup = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    // cgroup v2: a single line `0::/path`; inside a container with its own cgroup namespace the
    // path is `/` and the files sit at the root of the mount.
    let relative = cgroup
        .lines()
        .find_map(|l| l.strip_prefix("0::"))?
        .trim_start_matches('/');
    let dir = PathBuf::from("/sys/fs/cgroup").join(relative);
    if dir.join("memory.max").is_file() {
        Some(dir)
    } else {
        Some(PathBuf::from("/sys/fs/cgroup")).filter(|d| d.join("memory.max").is_file())
    }
}

fn read_u64(name: &str) -> Option<u64> {
    let text = std::fs::read_to_string(cgroup_dir()?.join(name)).ok()?;
    text.trim().parse().ok()
}

/// A file of the cgroup v1 memory controller, as a container sees it
/// (`/sys/fs/cgroup/memory/<name>`).
fn read_v1(name: &str) -> Option<u64> {
    let text = std::fs::read_to_string(PathBuf::from("/sys/fs/cgroup/memory").join(name)).ok()?;
    let value: u64 = text.trim().parse().ok()?;
    // v1 reports "no limit" as a huge page-aligned number.
    (value < 1 << 60).then_some(value)
}

/// The memory limit of this process's cgroup, if it has one: v2 `memory.max` (`max` means
/// none), else v1 `memory.limit_in_bytes`.
pub fn cgroup_memory_limit() -> Option<u64> {
    read_u64("memory.max").or_else(|| read_v1("memory.limit_in_bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_fields_parse() {
        let status = "Name:\tx\nVmHWM:\t  12345 kB\nVmRSS:\t 100 kB\n";
        assert_eq!(status_kib(status, "VmHWM:"), Some(12345));
        assert_eq!(status_kib(status, "VmPeak:"), None);
        assert!(peak_rss_bytes().is_some_and(|b| b > 0));
    }
}
