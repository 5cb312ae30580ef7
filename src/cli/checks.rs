//! Checks made before any work starts: output paths that can be written, and the time and
//! memory a training run will need.
//!
//! A run that is bound to fail at the end (an output directory that does not exist) or that
//! cannot finish (an epoch budget of 10^31 epochs, a trial that needs 30 GB) is refused with
//! a one-line error before the first epoch. Long but feasible runs print their estimated
//! duration on standard error.

use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The directory a file path will be written into (`.` for a bare file name).
fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Probe that files can be created in the existing directory `dir`.
fn probe_writable(flag: &str, dir: &Path) -> Result<()> {
    let probe = dir.join(format!(".dynphase-write-probe-{}", std::process::id()));
    match std::fs::File::create(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(Error::invalid(
            flag,
            format!("cannot write into directory {}: {e}", dir.display()),
        )),
    }
}

/// Check that the file `path` given with `--flag` can be written: its directory exists and is
/// writable, and the path is not a directory.
pub fn output_file(flag: &str, path: &Path) -> Result<()> {
    if path.is_dir() {
        return Err(Error::invalid(
            flag,
            format!("{} is a directory, expected a file name", path.display()),
        ));
    }
    let dir = parent_dir(path);
    if !dir.is_dir() {
        return Err(Error::invalid(
            flag,
            format!(
                "directory {} does not exist (create it first)",
                dir.display()
            ),
        ));
    }
    probe_writable(flag, &dir)
}

/// Create the output directory `dir` given with `--flag` (and its parents) and check that it
/// is writable.
pub fn output_dir(flag: &str, dir: &Path) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::invalid(
            flag,
            format!("{} exists and is not a directory", dir.display()),
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::invalid(
            flag,
            format!("cannot create directory {}: {e}", dir.display()),
        )
    })?;
    probe_writable(flag, dir)
}

/// Measured cost of one time step of one epoch (forward and backward pass of the whole batch)
/// on an Intel Xeon (AVX-512, 2 cores), one core per network: full-rank N = 100, batch 128
/// (7.56 ms per 56-step epoch), and rank-2 N = 100, one trial (8.3 µs per 15-step epoch).
const FULL_RANK_S_PER_STEP: f64 = 7.56e-3 / 56.0;
const RANK2_S_PER_STEP: f64 = 8.3e-6 / 15.0;

/// Runs refused without `--no-resource-limits`: more memory than this (bytes, 4 GB) ...
pub const MEMORY_LIMIT_BYTES: f64 = 4e9;
/// ... or longer than this (seconds).
pub const TIME_LIMIT_S: f64 = 24.0 * 3600.0;
/// Runs longer than this (seconds) print their estimated duration.
pub const WARN_TIME_S: f64 = 600.0;

/// Estimated cost of one training run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cost {
    /// Epochs in the budget.
    pub epochs: f64,
    /// Time steps per epoch (trial length).
    pub steps: usize,
    /// Estimated wall time in seconds on one core.
    pub seconds: f64,
    /// Estimated peak memory in bytes (workspace plus the per-epoch history).
    pub bytes: f64,
}

/// History: four f64 per epoch.
const HISTORY_BYTES_PER_EPOCH: f64 = 32.0;

impl Cost {
    /// Full-rank run: N units, batch B, L steps, `epochs` epochs, `float_bytes` per number.
    /// The workspace holds rates, pre-activations and noise (3·N·B·L) plus outputs and their
    /// gradients (4·B·L).
    pub fn full_rank(
        n: usize,
        batch: usize,
        steps: usize,
        epochs: f64,
        float_bytes: usize,
    ) -> Self {
        let nb = (n * batch) as f64;
        let per_step = (n as f64 / 100.0).powi(2) * (batch as f64 / 128.0) * FULL_RANK_S_PER_STEP;
        Cost {
            epochs,
            steps,
            seconds: epochs * steps as f64 * per_step,
            bytes: (3.0 * nb + 4.0 * batch as f64) * steps as f64 * float_bytes as f64
                + epochs * HISTORY_BYTES_PER_EPOCH,
        }
    }

    /// Rank-2 run: N units, `total` steps per trial.
    pub fn rank2(n: usize, total: usize, epochs: f64, float_bytes: usize) -> Self {
        Cost {
            epochs,
            steps: total,
            seconds: epochs * total as f64 * (n as f64 / 100.0) * RANK2_S_PER_STEP,
            bytes: 2.0 * (n * total) as f64 * float_bytes as f64 + epochs * HISTORY_BYTES_PER_EPOCH,
        }
    }

    /// Refuse a run above the limits (unless `override_limits`), warn on standard error about
    /// a long one. The error names `epochs_flag` (`epochs` or `lr`, whichever set the budget)
    /// when the time or the history is too large, else `length_flag` (the trial length).
    pub fn check(&self, override_limits: bool, epochs_flag: &str, length_flag: &str) -> Result<()> {
        let over_memory = self.bytes > MEMORY_LIMIT_BYTES;
        let over_time = self.seconds > TIME_LIMIT_S;
        let plan = format!(
            "{} epochs of {} steps",
            count_str(self.epochs),
            count_str(self.steps as f64)
        );
        if (over_memory || over_time) && !override_limits {
            let history = self.epochs * HISTORY_BYTES_PER_EPOCH;
            let (flag, what) = if over_memory {
                (
                    if history > self.bytes / 2.0 {
                        epochs_flag
                    } else {
                        length_flag
                    },
                    format!(
                        "need about {} of memory (limit {})",
                        bytes_str(self.bytes),
                        bytes_str(MEMORY_LIMIT_BYTES)
                    ),
                )
            } else {
                (
                    epochs_flag,
                    format!(
                        "would take about {} on one core (limit {})",
                        duration_str(self.seconds),
                        duration_str(TIME_LIMIT_S)
                    ),
                )
            };
            return Err(Error::invalid(
                flag,
                format!(
                    "{plan} {what}; lower --epochs or --{length_flag}, or raise --lr, \
                     or pass --no-resource-limits to run anyway"
                ),
            ));
        }
        if self.seconds > WARN_TIME_S {
            eprintln!(
                "warning: {plan}: estimated {} on one core",
                duration_str(self.seconds)
            );
        }
        Ok(())
    }
}

/// `12345678` → `12,345,678`; above 10^15 in scientific notation.
pub fn count_str(x: f64) -> String {
    if !(x.is_finite() && x < 1e15) {
        return format!("{x:.2e}");
    }
    crate::sweep::results::fmt_count(x.round() as usize)
}

/// A duration in seconds as `45 s`, `12 min`, `3.4 h`, `5.2 days` or `3.1e9 years`.
pub fn duration_str(s: f64) -> String {
    if s < 90.0 {
        format!("{s:.0} s")
    } else if s < 5400.0 {
        format!("{:.0} min", s / 60.0)
    } else if s < 2.0 * 86400.0 {
        format!("{:.1} h", s / 3600.0)
    } else if s < 365.0 * 86400.0 {
        format!("{:.1} days", s / 86400.0)
    } else {
        format!("{:.1e} years", s / (365.25 * 86400.0))
    }
}

/// Bytes as `512 MB` or `31.5 GB` (decimal units).
pub fn bytes_str(b: f64) -> String {
    if b < 1e9 {
        format!("{:.0} MB", b / 1e6)
    } else if b < 1e15 {
        format!("{:.1} GB", b / 1e9)
    } else {
        format!("{:.1e} GB", b / 1e9)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(count_str(30_000_000.0), "30,000,000");
        assert_eq!(count_str(999.0), "999");
        assert_eq!(count_str(1000.0), "1,000");
        assert_eq!(count_str(3e31), "3.00e31");
        assert_eq!(duration_str(30.0), "30 s");
        assert_eq!(duration_str(1800.0), "30 min");
        assert_eq!(duration_str(4.0 * 86400.0), "4.0 days");
        assert_eq!(bytes_str(31.5e9), "31.5 GB");
    }

    #[test]
    fn the_reference_epoch_costs_what_was_measured() {
        // DCDT 200 ms: 56 steps; one epoch 7.56 ms, memory 3·100·128·56·4 + 4·128·56·4 bytes.
        let c = Cost::full_rank(100, 128, 56, 1.0, 4);
        assert!((c.seconds - 7.56e-3).abs() < 1e-12, "{}", c.seconds);
        assert_eq!(c.bytes, (3.0 * 12800.0 + 512.0) * 56.0 * 4.0 + 32.0);
        // 30 million epochs at that cost: 2.6 days, a warning but no error.
        let long = Cost::full_rank(100, 128, 56, 3e7, 4);
        assert!((long.seconds / 86400.0 - 2.625).abs() < 1e-9);
        let e = long.check(false, "lr", "delay-ms").unwrap_err().to_string();
        assert!(
            e.starts_with("invalid lr: 30,000,000 epochs of 56 steps would take about 2.6 days"),
            "{e}"
        );
        assert!(long.check(true, "lr", "delay-ms").is_ok());
        assert!(Cost::full_rank(100, 128, 56, 1000.0, 4)
            .check(false, "lr", "delay-ms")
            .is_ok());
        // A 1,000,000 ms delay: 200,016 steps, 31 GB of workspace.
        let e = Cost::full_rank(100, 128, 200_016, 1000.0, 4)
            .check(false, "lr", "delay-ms")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("invalid delay-ms: 1,000 epochs of 200,016 steps need about 31.1 GB"),
            "{e}"
        );
    }
}
