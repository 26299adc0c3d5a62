//! Pods as local processes: an image name maps to a host binary that stands for the image's
//! entrypoint. Each process leads its own process group, so deleting the pod kills everything
//! it started.

use std::collections::HashMap;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::process::{Child, Command};

use super::spec::{Launch, Wait, rewrite_paths};
use super::{Exit, Reaper, Resource, forward_output};

/// The binary that `command[0]` names: the image's binary when the file names agree (the
/// command names the entrypoint's path inside the image), else the path itself, with volume
/// paths rewritten.
fn program(binary: &Path, command: &str, launch: &Launch) -> PathBuf {
    let name = Path::new(command).file_name();
    if name.is_some() && name == binary.file_name() {
        binary.to_path_buf()
    } else {
        PathBuf::from(rewrite_paths(command, &launch.mounts))
    }
}

/// Whether `image` is known.
pub fn check_image(images: &HashMap<String, PathBuf>, image: &str) -> Result<(), Wait> {
    if images.contains_key(image) {
        Ok(())
    } else {
        Err(Wait::new(
            "ErrImagePull",
            format!(
                "Failed to pull image \"{image}\": rpc error: code = NotFound desc = the stand-in \
                 maps no binary to this image"
            ),
        ))
    }
}

/// A running pod process.
pub struct Running {
    child: Child,
    pgid: u32,
    exited: bool,
    reaper: std::sync::Arc<Reaper>,
}

/// Starts the pod's process; the error is a start failure (the container cannot run).
pub fn start(
    images: &HashMap<String, PathBuf>,
    launch: &Launch,
    label: &str,
    reaper: std::sync::Arc<Reaper>,
) -> Result<Running, String> {
    let binary = images
        .get(&launch.image)
        .ok_or_else(|| format!("no binary for image {}", launch.image))?;
    let rewrite = |s: &String| rewrite_paths(s, &launch.mounts);
    let (program, mut args) = match launch.command.split_first() {
        Some((first, rest)) => (
            program(binary, first, launch),
            rest.iter().map(rewrite).collect(),
        ),
        None => (binary.clone(), Vec::new()),
    };
    args.extend(launch.args.iter().map(rewrite));
    let mut command = Command::new(&program);
    command
        .args(&args)
        .envs(launch.env.iter().map(|(k, v)| (k, rewrite(v))))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    if let Some(dir) = &launch.working_dir {
        let dir = PathBuf::from(rewrite_paths(dir, &launch.mounts));
        if dir.is_dir() {
            command.current_dir(dir);
        }
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
    let pgid = child.id().ok_or("the process exited at once")?;
    reaper.add(Resource::ProcessGroup(pgid));
    if let Some(out) = child.stdout.take() {
        forward_output(label.to_string(), out);
    }
    if let Some(err) = child.stderr.take() {
        forward_output(label.to_string(), err);
    }
    Ok(Running {
        child,
        pgid,
        exited: false,
        reaper,
    })
}

impl Running {
    /// `process://<pid>`, the container ID the pod status shows.
    pub fn id(&self) -> String {
        format!("process://{}", self.pgid)
    }

    /// Waits for the process to exit (a signal death reads as 128 + signal, as in containers).
    /// What it left running in its group is killed, as a container's processes die with its
    /// first process.
    pub async fn wait(&mut self) -> Exit {
        let status = self.child.wait().await;
        self.kill().await;
        match status {
            Ok(status) => {
                let code = status
                    .code()
                    .or_else(|| status.signal().map(|s| 128 + s))
                    .unwrap_or(1);
                Exit::from_code(code, false)
            }
            Err(e) => Exit {
                code: 128,
                reason: "Error".into(),
                message: Some(format!("cannot wait for the process: {e}")),
            },
        }
    }

    /// Kills the whole process group (once: afterwards its id may be reused).
    pub async fn kill(&mut self) {
        if self.exited {
            return;
        }
        self.exited = true;
        Resource::ProcessGroup(self.pgid).kill();
        let _ = self.child.kill().await;
        self.reaper.remove(&Resource::ProcessGroup(self.pgid));
    }
}
