//! Pods as Docker containers on the host network (the driver under test runs on the host, so
//! it reaches them and they reach it on loopback addresses; each pod has its own, `127.a.b.c`,
//! unless it asks for `hostNetwork`, which gives it the node's 127.0.0.1). Volumes are host directories bind-mounted, or tmpfs for
//! memory-backed emptyDirs; memory and CPU limits become `--memory` and `--cpus`.

use std::process::Stdio;
use std::sync::Arc;

use tokio::process::Command;

use super::spec::{Launch, Wait};
use super::{Exit, Reaper, Resource, forward_output};

async fn docker(args: &[String]) -> Result<String, String> {
    let output = Command::new("docker")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .await
        .map_err(|e| format!("cannot run docker: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
    }
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// Whether the image exists locally (nothing is ever pulled).
pub async fn check_image(image: &str) -> Result<(), Wait> {
    docker(&strings(&[
        "image", "inspect", "--format", "{{.Id}}", image,
    ]))
    .await
    .map(|_| ())
    .map_err(|e| {
        Wait::new(
            "ErrImagePull",
            format!("Failed to pull image \"{image}\": {e}"),
        )
    })
}

/// The `docker run` arguments for a launch.
pub fn run_args(name: &str, launch: &Launch) -> Vec<String> {
    let mut args = strings(&[
        "run",
        "-d",
        "--pull",
        "never",
        "--network",
        "host",
        "--name",
        name,
    ]);
    for (k, v) in &launch.env {
        args.extend(["-e".to_string(), format!("{k}={v}")]);
    }
    if let Some(bytes) = launch.memory_limit {
        args.extend(["--memory".to_string(), bytes.to_string()]);
    }
    if let Some(cpus) = launch.cpu_limit {
        args.extend(["--cpus".to_string(), format!("{cpus}")]);
    }
    for m in &launch.mounts {
        match m.tmpfs {
            Some(size) => {
                let size = size.map(|s| format!(",size={s}")).unwrap_or_default();
                args.extend(["--tmpfs".to_string(), format!("{}:mode=1777{size}", m.path)]);
            }
            None => {
                let ro = if m.read_only { ":ro" } else { "" };
                args.extend([
                    "-v".to_string(),
                    format!("{}:{}{ro}", m.host.display(), m.path),
                ]);
            }
        }
    }
    if let Some(dir) = &launch.working_dir {
        args.extend(["-w".to_string(), dir.clone()]);
    }
    let mut rest = Vec::new();
    if let Some((entrypoint, command_args)) = launch.command.split_first() {
        args.extend(["--entrypoint".to_string(), entrypoint.clone()]);
        rest.extend(command_args.iter().cloned());
    }
    args.push(launch.image.clone());
    args.extend(rest);
    args.extend(launch.args.iter().cloned());
    args
}

/// A running pod container.
pub struct Running {
    name: String,
    id: String,
    reaper: Arc<Reaper>,
}

/// Starts the container `name`; its output goes to stderr with `label`.
pub async fn start(
    name: &str,
    launch: &Launch,
    label: &str,
    reaper: Arc<Reaper>,
) -> Result<Running, String> {
    reaper.add(Resource::Container(name.to_string()));
    let id = match docker(&run_args(name, launch)).await {
        Ok(id) => id,
        Err(e) => {
            let _ = docker(&strings(&["rm", "-f", name])).await;
            reaper.remove(&Resource::Container(name.to_string()));
            return Err(e);
        }
    };
    if let Ok(mut logs) = Command::new("docker")
        .args(["logs", "-f", name])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
    {
        if let Some(out) = logs.stdout.take() {
            forward_output(label.to_string(), out);
        }
        if let Some(err) = logs.stderr.take() {
            forward_output(label.to_string(), err);
        }
        // `docker logs -f` ends when the container is removed.
        tokio::spawn(async move {
            let _ = logs.wait().await;
        });
    }
    Ok(Running {
        name: name.to_string(),
        id,
        reaper,
    })
}

impl Running {
    /// `docker://<id>`, the container ID the pod status shows.
    pub fn id(&self) -> String {
        format!("docker://{}", self.id)
    }

    /// Waits for the container to stop; reads its exit code and whether it was OOM-killed.
    pub async fn wait(&mut self) -> Exit {
        let waited = Command::new("docker")
            .args(["wait", &self.name])
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output()
            .await;
        if let Err(e) = waited {
            return Exit {
                code: 128,
                reason: "Error".into(),
                message: Some(format!("cannot wait for the container: {e}")),
            };
        }
        let format = "{{.State.ExitCode}} {{.State.OOMKilled}}";
        match docker(&strings(&["inspect", "-f", format, &self.name])).await {
            Ok(state) => {
                let mut parts = state.split_whitespace();
                let code = parts.next().and_then(|c| c.parse().ok()).unwrap_or(1);
                Exit::from_code(code, parts.next() == Some("true"))
            }
            Err(e) => Exit {
                code: 137,
                reason: "Error".into(),
                message: Some(format!("the container disappeared: {e}")),
            },
        }
    }

    /// Removes the container (`docker rm -f`).
    pub async fn kill(&mut self) {
        let _ = docker(&strings(&["rm", "-f", &self.name])).await;
        self.reaper.remove(&Resource::Container(self.name.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::k8s::agent::spec::Mount;

    #[test]
    fn run_arguments_carry_env_limits_mounts_and_entrypoint() {
        let launch = Launch {
            image: "img".into(),
            command: vec!["/bin/exec".into(), "--flag".into()],
            args: vec!["a".into()],
            env: vec![("K".into(), "v=1".into())],
            mounts: vec![
                Mount {
                    path: "/scratch".into(),
                    host: "/tmp/x".into(),
                    read_only: false,
                    tmpfs: Some(Some(1024)),
                },
                Mount {
                    path: "/secrets".into(),
                    host: "/tmp/s".into(),
                    read_only: true,
                    tmpfs: None,
                },
            ],
            working_dir: None,
            memory_limit: Some(512 << 20),
            cpu_limit: Some(0.5),
            dirs: Vec::new(),
        };
        let args = run_args("ember-pod-ns-p-1", &launch).join(" ");
        assert_eq!(
            args,
            "run -d --pull never --network host --name ember-pod-ns-p-1 -e K=v=1 \
             --memory 536870912 --cpus 0.5 --tmpfs /scratch:mode=1777,size=1024 \
             -v /tmp/s:/secrets:ro --entrypoint /bin/exec img --flag a"
        );
    }
}
