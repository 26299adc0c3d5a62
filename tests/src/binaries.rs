//! The binaries this build produced (`ember`, `ember-executor`), for tests that run them as
//! processes, containers or pods.

use std::path::PathBuf;

/// `name` next to the test executable (cargo puts binaries one folder up from `deps/`).
pub fn built_binary(name: &str) -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    exe.ancestors()
        .skip(1)
        .take(2)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| format!("the {name} binary is not built (cargo build --workspace)"))
}
