//! The `--master` / `spark.master` string: where executors come from.

use crate::error::{EmberError, Result};

/// A parsed master.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Master {
    /// `local`, `local[N]`, `local[*]`: one executor with N task slots inside the driver process.
    Local { cores: usize },
    /// `local-cluster[E,C,M]`: E `ember-executor` processes with C cores and M MiB each.
    LocalCluster {
        executors: usize,
        cores: usize,
        memory_mib: u64,
    },
    /// `k8s://URL`: executor pods created through the Kubernetes API server at `api_url`.
    Kubernetes { api_url: String },
}

impl Master {
    /// Parses a master string as Spark writes it.
    ///
    /// # Errors
    /// [`EmberError::InvalidMaster`] for anything else, with what was expected.
    pub fn parse(master: &str) -> Result<Self> {
        let bad = |reason: &str| EmberError::InvalidMaster {
            master: master.to_string(),
            reason: reason.to_string(),
        };
        let m = master.trim();
        if m == "local" {
            return Ok(Master::Local { cores: 1 });
        }
        if let Some(inner) = m.strip_prefix("local[").and_then(|r| r.strip_suffix(']')) {
            let cores = if inner == "*" {
                std::thread::available_parallelism().map_or(1, |n| n.get())
            } else {
                match inner.trim().parse::<usize>() {
                    Ok(n) if n > 0 => n,
                    _ => return Err(bad("expected local[N] with N >= 1, or local[*]")),
                }
            };
            return Ok(Master::Local { cores });
        }
        if let Some(inner) = m
            .strip_prefix("local-cluster[")
            .and_then(|r| r.strip_suffix(']'))
        {
            let parts: Vec<&str> = inner.split(',').map(str::trim).collect();
            let [e, c, mem] = parts.as_slice() else {
                return Err(bad("expected local-cluster[executors,cores,memoryMiB]"));
            };
            let (Ok(executors), Ok(cores), Ok(memory_mib)) =
                (e.parse::<usize>(), c.parse::<usize>(), mem.parse::<u64>())
            else {
                return Err(bad(
                    "expected three positive integers in local-cluster[E,C,M]",
                ));
            };
            if executors == 0 || cores == 0 || memory_mib == 0 {
                return Err(bad("executors, cores and memory must all be at least 1"));
            }
            // Memory is handled in bytes later: it must fit a signed 64-bit byte count.
            if memory_mib > (i64::MAX as u64) >> 20 {
                return Err(bad("executor memory is too large"));
            }
            return Ok(Master::LocalCluster {
                executors,
                cores,
                memory_mib,
            });
        }
        if m.starts_with("k8s://") {
            return crate::k8s::client::api_url(m)
                .map(|api_url| Master::Kubernetes { api_url })
                .ok_or_else(|| bad("expected k8s://https://HOST:PORT"));
        }
        Err(bad(
            "expected local, local[N], local[*], local-cluster[E,C,M] or k8s://https://HOST:PORT",
        ))
    }

    /// Total task slots across executors; `None` when the configuration decides
    /// (`spark.executor.instances` times `spark.executor.cores` on Kubernetes).
    pub fn total_cores(&self) -> Option<usize> {
        match self {
            Master::Local { cores } => Some(*cores),
            Master::LocalCluster {
                executors, cores, ..
            } => Some(executors * cores),
            Master::Kubernetes { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_spark_masters() {
        assert_eq!(
            Master::parse("local[4]").ok(),
            Some(Master::Local { cores: 4 })
        );
        assert_eq!(
            Master::parse("local").ok(),
            Some(Master::Local { cores: 1 })
        );
        assert!(matches!(
            Master::parse("local[*]"),
            Ok(Master::Local { .. })
        ));
        assert_eq!(
            Master::parse("local-cluster[2, 1, 1024]").ok(),
            Some(Master::LocalCluster {
                executors: 2,
                cores: 1,
                memory_mib: 1024
            })
        );
    }

    #[test]
    fn rejects_unknown_masters_with_a_reason() {
        for bad in [
            "yarn",
            "local[0]",
            "local[x]",
            "local-cluster[2,1]",
            "local-cluster[0,1,1]",
            "local-cluster[1,1,99999999999999]",
            "",
        ] {
            let err = Master::parse(bad).expect_err(bad).to_string();
            assert!(err.contains("invalid master"), "{err}");
        }
    }
}
