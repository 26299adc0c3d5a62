//! Executors as Docker containers with a memory limit, a size-limited tmpfs local dir and a disk
//! local dir. A sort of all of TPC-H SF0.5 `lineitem` (several times an executor's memory) must
//! complete with the right answer, spill into the tmpfs dir first and on disk after, and no
//! container may be OOM-killed. Each container's anonymous memory plus tmpfs bytes (what the
//! kernel charges it and cannot reclaim), sampled from the host every 20 ms, must stay under
//! the container limit, which is the executor memory plus the documented overhead.
//!
//! The image is Ember's own, built by `images/build-from-binaries.sh` from this build's `ember`
//! (no registry is reachable here); each container runs its `ember-executor` entry. The test needs a Docker engine; `EMBER_SKIP_DOCKER_TESTS=1` skips it on
//! machines without one (CI has one and runs it).

use std::time::Duration;

use ember::Session;
use ember_executor::memory::default_overhead_bytes;
use ember_tests::docker::{
    CgroupSampler, build_ember_image, container_memory_peak, container_oom_killed, docker,
    docker_available,
};
use ember_tests::local_dirs::files_left;
use ember_tests::sorted::sort_lineitem_checked;
use ember_tests::{register_tpch, shared_tpch};

const EXECUTOR_MIB: u64 = 256;
const TMPFS_MIB: u64 = 64;
const IMAGE: &str = "ember-executor:memory-test";
const HEARTBEAT_MS: u64 = 200;

/// Removes the test's containers however the test ends.
struct Containers(Vec<String>);

impl Drop for Containers {
    fn drop(&mut self) {
        for name in &self.0 {
            let _ = docker(&["rm", "-f", name]);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn executors_in_memory_limited_containers_spill_to_tmpfs_then_disk() {
    if std::env::var_os("EMBER_SKIP_DOCKER_TESTS").is_some() {
        eprintln!("skipped: EMBER_SKIP_DOCKER_TESTS is set");
        return;
    }
    assert!(
        docker_available(),
        "no Docker engine answers; set EMBER_SKIP_DOCKER_TESTS=1 to skip this test"
    );
    build_ember_image(IMAGE).expect("images/build-from-binaries.sh builds Ember's image");
    let dir = shared_tpch(0.5);
    // The image runs as uid 185: the data and the disk dir must be open to it.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755))
        .expect("data readable by the image's user");
    let data = dir.display().to_string();
    let memory = EXECUTOR_MIB * 1024 * 1024;
    let limit = memory + default_overhead_bytes(memory);
    let limit_mib = limit >> 20;
    let run = run_id();
    let names = Containers((0..2).map(|i| format!("ember-mem-{run}-{i}")).collect());
    let disk_dir = tempfile::tempdir().expect("temp dir");
    std::fs::set_permissions(disk_dir.path(), std::fs::Permissions::from_mode(0o777))
        .expect("disk dir writable by the image's user");
    let disk = disk_dir.path().display().to_string();
    // RPCs are authenticated (the default outside local[N]): the executors read the secret
    // from a file mounted at the same path, as a user running executors in containers would.
    let secret_dir = tempfile::tempdir().expect("temp dir");
    let secret_file = secret_dir.path().join("auth-secret");
    std::fs::write(&secret_file, format!("memory-docker-{run}-secret\n")).expect("secret file");
    std::fs::set_permissions(&secret_file, std::fs::Permissions::from_mode(0o644))
        .expect("secret readable by the image's user");
    let secret = secret_file.display().to_string();
    // Host networking: the executors reach the driver on 127.0.0.1 and each other as they
    // would on one node; readers fetch over gRPC because containers do not share files. The
    // disk local dir is a host folder, so that what is left in it can be checked.
    let command = format!(
        "docker run --rm --name ember-mem-{run}-{{id}} --network host \
         --memory {limit_mib}m --memory-swap {limit_mib}m \
         --tmpfs /ember/tmpfs:size={TMPFS_MIB}m,mode=1777 -v {disk}:/ember/disk \
         -v {data}:{data}:ro -v {secret}:{secret}:ro --entrypoint /opt/ember/bin/ember-executor {IMAGE}"
    );
    let sampler = CgroupSampler::start(names.0.clone());
    let session = Session::builder()
        .master(&format!("local-cluster[2,1,{EXECUTOR_MIB}]"))
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.local.dir", "/ember/tmpfs,/ember/disk")
        .config("spark.shuffle.readHostLocalDisk", "false")
        .config(
            "spark.executor.heartbeatInterval",
            &format!("{HEARTBEAT_MS}ms"),
        )
        .config("spark.ember.executor.command", &command)
        .config("spark.authenticate.secret.file", &secret)
        .build()
        .await
        .expect("session starts with containerized executors");
    register_tpch(&session, &dir).await;

    let sorted = sort_lineitem_checked(&session, "*").await;
    let metrics = session.last_job_metrics();
    let spilled: u64 = metrics.iter().map(|s| s.spilled_bytes).sum();
    let in_tmpfs: u64 = metrics.iter().map(|s| s.spilled_memory_bytes).sum();
    eprintln!(
        "sorted {} rows; spilled {} MiB, of which {} MiB in tmpfs",
        sorted.rows,
        spilled >> 20,
        in_tmpfs >> 20
    );
    assert!(in_tmpfs > 0, "spill must land in the tmpfs dir first");
    assert!(
        spilled > in_tmpfs,
        "beyond the memory budget, spill continues on disk"
    );

    // Heartbeats carry each executor's own view; wait for ones sent after the job.
    tokio::time::sleep(Duration::from_millis(3 * HEARTBEAT_MS)).await;
    let executors = session.executor_metrics().await;
    assert_eq!(
        executors.len(),
        2,
        "both executors are alive: {executors:?}"
    );
    for (id, m) in &executors {
        eprintln!(
            "executor {id}: VmHWM {} MiB (mapped files included), peak tmpfs {} MiB",
            m.peak_rss_bytes >> 20,
            m.peak_tmpfs_bytes >> 20
        );
        assert!(m.peak_tmpfs_bytes > 0, "executor {id} wrote to tmpfs");
        assert!(
            m.peak_tmpfs_bytes <= TMPFS_MIB << 20,
            "executor {id} charged more tmpfs bytes than the tmpfs holds"
        );
    }
    for (name, peak) in sampler.finish() {
        eprintln!(
            "{name}: anonymous + tmpfs peak {} MiB of a {limit_mib} MiB limit",
            peak >> 20
        );
        assert!(peak > 0, "{name} was never sampled");
        assert!(peak <= limit, "{name} peaked at {peak} bytes, over {limit}");
    }
    for name in &names.0 {
        assert!(
            !container_oom_killed(name).expect("inspect"),
            "{name} OOM-killed"
        );
        // The cgroup also counts reclaimable page cache, so its peak is shown, not checked.
        let cgroup = container_memory_peak(name).expect("cgroup peak");
        eprintln!("{name}: cgroup peak with page cache {} MiB", cgroup >> 20);
    }
    assert_eq!(files_left(disk_dir.path()).await, Vec::<String>::new());
    session.stop().await;
}

/// A name part unique to this run, so that concurrent runs do not share container names.
fn run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{:x}{:x}", std::process::id(), nanos)
}
