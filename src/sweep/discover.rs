//! Where the sweep figures find their data.
//!
//! [`discover`] looks for sweep directories (each with a `runs.jsonl`) under a root, by
//! default [`sweep_root`] = `$DYNPHASE_SWEEPS` or `sweeps/`, the first found of each
//! experiment ([`CANDIDATES`]):
//!
//! | experiment | directories tried, in order |
//! |---|---|
//! | no post (Fig 4A–C, 4H, S3) | `nopost/merged`, `nopost`, `quick/merged`, `quick` |
//! | post (Fig 4D–F, 4I) | `post/merged`, `post`, `quick-post/merged`, `quick-post` |
//! | long τ (Fig S5) | `long-tau/merged`, `long-tau`, `quick-long-tau/merged`, `quick-long-tau` |
//! | no-memory (Fig S6) | `no-memory/merged`, `no-memory`, `quick-no-memory/merged`, `quick-no-memory` |
//!
//! (the layout written by `dynphase sweep --out sweeps/PRESET` and by
//! `examples/slurm/finish.sh`). [`load_dirs`] reads given directories instead, every
//! experiment found in each. To bound memory on full sweeps, the per-epoch curves of a record
//! are kept only at the learning rate the curve figures show ([`curve_lr`]).

use std::path::{Path, PathBuf};

use super::store::{scan_store, RUNS_FILE};
use super::{Experiment, RunRecord};
use crate::{Error, Result};

/// Environment variable naming the root of the sweep directories (default [`DEFAULT_ROOT`]).
pub const ROOT_ENV: &str = "DYNPHASE_SWEEPS";
/// Default root of the sweep directories.
pub const DEFAULT_ROOT: &str = "sweeps";

/// The experiments with sweep figures and the directories tried for each, in order,
/// relative to the root.
pub const CANDIDATES: [(Experiment, &[&str]); 4] = [
    (
        Experiment::NoPost,
        &[
            "nopost/merged",
            "nopost",
            "workstation/merged",
            "workstation",
            "quick/merged",
            "quick",
        ],
    ),
    (
        Experiment::Post,
        &["post/merged", "post", "quick-post/merged", "quick-post"],
    ),
    (
        Experiment::LongTau,
        &[
            "long-tau/merged",
            "long-tau",
            "quick-long-tau/merged",
            "quick-long-tau",
        ],
    ),
    (
        Experiment::NoMemory,
        &[
            "no-memory/merged",
            "no-memory",
            "quick-no-memory/merged",
            "quick-no-memory",
        ],
    ),
];

/// Learning rate whose curves the figures of `experiment` show (paper Fig 4A/D, S3A/B,
/// S5A: η = 0.1; Fig S6A: η = 0.112884); the nearest learning rate of the sweep is used.
pub fn curve_lr(experiment: Experiment) -> f64 {
    if experiment == Experiment::NoMemory {
        0.112884
    } else {
        0.1
    }
}

/// The records of one experiment read from one sweep directory.
#[derive(Debug, Clone)]
pub struct SweepSet {
    /// The experiment.
    pub experiment: Experiment,
    /// The directory its `runs.jsonl` is in.
    pub dir: PathBuf,
    /// Its records (curves kept only at [`curve_lr`]).
    pub records: Vec<RunRecord>,
}

/// What a search found: a set of records, or a note saying what is missing.
#[derive(Debug, Clone)]
pub enum Found {
    /// Records of one experiment.
    Set(SweepSet),
    /// Nothing for an experiment or a directory (the text says what was tried).
    Missing(String),
}

/// The sweep root: `$DYNPHASE_SWEEPS`, or [`DEFAULT_ROOT`].
pub fn sweep_root() -> PathBuf {
    std::env::var_os(ROOT_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_ROOT))
}

/// The `experiment` records of `dir`'s `runs.jsonl`, or `None` if it has none (or no such
/// file). Two streaming passes: the first finds the learning rate nearest [`curve_lr`], the
/// second keeps the curves only there.
pub fn load_experiment(dir: &Path, experiment: Experiment) -> Result<Option<Vec<RunRecord>>> {
    let path = dir.join(RUNS_FILE);
    if !path.exists() {
        return Ok(None);
    }
    let target = curve_lr(experiment);
    let mut best: Option<f64> = None;
    scan_store(&path, &mut |r| {
        if r.experiment == experiment {
            let d = |x: f64| (x.ln() - target.ln()).abs();
            if best.is_none_or(|b| d(r.lr) < d(b)) {
                best = Some(r.lr);
            }
        }
    })?;
    let Some(keep) = best else { return Ok(None) };
    let mut records = Vec::new();
    scan_store(&path, &mut |mut r| {
        if r.experiment == experiment {
            if r.lr != keep {
                r.loss_curve = Vec::new();
                r.accuracy_curve = Vec::new();
                r.reliability_curve = Vec::new();
            }
            records.push(r);
        }
    })?;
    Ok(Some(records))
}

/// For each experiment of [`CANDIDATES`], the records of the first directory under `root`
/// that has any, or a note naming the directories tried.
pub fn discover(root: &Path) -> Result<Vec<Found>> {
    let mut found = Vec::new();
    for (experiment, cands) in CANDIDATES {
        let mut hit = None;
        for c in cands {
            let dir = root.join(c);
            if let Some(records) = load_experiment(&dir, experiment)? {
                hit = Some(SweepSet {
                    experiment,
                    dir,
                    records,
                });
                break;
            }
        }
        found.push(match hit {
            Some(set) => Found::Set(set),
            None => Found::Missing(format!(
                "no '{}' sweep data under {} (tried {}); skipped",
                experiment.name(),
                root.display(),
                cands.join(", ")
            )),
        });
    }
    Ok(found)
}

/// Every experiment of [`CANDIDATES`] found in each of `dirs` (each holding a `runs.jsonl`, as
/// written by `dynphase sweep` or `dynphase merge`); a directory with none gets a note. A
/// directory without `runs.jsonl` is an error ([`Error::Format`]).
pub fn load_dirs(dirs: &[PathBuf]) -> Result<Vec<Found>> {
    let mut found = Vec::new();
    for dir in dirs {
        let runs = dir.join(RUNS_FILE);
        if !runs.is_file() {
            return Err(Error::format(
                &runs,
                "no sweep results here (expected the runs.jsonl written by `dynphase sweep`)",
            ));
        }
        let before = found.len();
        for (experiment, _) in CANDIDATES {
            if let Some(records) = load_experiment(dir, experiment)? {
                found.push(Found::Set(SweepSet {
                    experiment,
                    dir: dir.clone(),
                    records,
                }));
            }
        }
        if found.len() == before {
            found.push(Found::Missing(format!(
                "no full-rank sweep records in {}; nothing drawn",
                dir.display()
            )));
        }
    }
    Ok(found)
}
