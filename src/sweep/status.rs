//! `dynphase status`: how far the shards of a sweep are, and when they will be done.
//!
//! For each sweep directory: the records finished out of the runs of its (shard of the) grid,
//! read from `runs.jsonl` without touching it (a running shard may be appending). The ETA
//! comes from the records' own `wall_s`: finished runs give the seconds per unit of cost
//! ([`RunSpec::cost`], epochs × trial steps, pooled over all directories given, since
//! shards carry the same mix of runs), and the runs still to do are priced at that rate. A
//! sweep schedules its most expensive runs first, so pricing by cost rather than per run keeps
//! the estimate from being too pessimistic early on.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::preset::Preset;
use super::record::RunRecord;
use super::runner::Shard;
use super::spec::RunSpec;
use super::store::{scan_store, Manifest, RUNS_FILE};
use crate::{Error, Result};

/// Progress of one sweep directory.
#[derive(Debug, Clone)]
pub struct DirStatus {
    /// The directory.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// Its shard, if it is one.
    pub shard: Option<Shard>,
    /// Finished records.
    pub done: usize,
    /// Runs of its grid (shard), `None` if the manifest names no preset (a merge of
    /// different sweeps).
    pub total: Option<usize>,
    /// Sum of the finished records' `wall_s`.
    pub wall_s: f64,
    /// Sum of the finished runs' cost.
    pub done_cost: f64,
    /// Cost of the runs still to do (`None` with `total`).
    pub left_cost: Option<f64>,
    /// True if the last line is incomplete (a run being written, or a killed shard).
    pub partial_tail: bool,
}

fn spec_of(r: &RunRecord) -> RunSpec {
    RunSpec {
        experiment: r.experiment,
        lr: r.lr,
        delay_ms: r.delay_ms,
        seed: r.seed,
        epochs: r.epochs,
    }
}

/// The runs of a manifest's grid (its shard only, if it is one), `None` if the preset is not
/// a known one.
fn grid_runs(m: &Manifest, shard: Option<Shard>) -> Option<Vec<RunSpec>> {
    let p = Preset::named(&m.preset)
        .and_then(|p| p.with_overrides(&m.overrides))
        .ok()?;
    let runs = p.runs();
    Some(match shard {
        Some(s) => s.select(runs),
        None => runs,
    })
}

/// Read the progress of one sweep directory.
pub fn dir_status(dir: &Path) -> Result<DirStatus> {
    let manifest = Manifest::read(dir)?
        .ok_or_else(|| Error::format(dir, "no sweep.json manifest: not a sweep directory"))?;
    let shard = manifest.shard.as_deref().map(Shard::parse).transpose()?;
    let mut done_ids = HashSet::new();
    let (mut wall_s, mut done_cost) = (0.0, 0.0);
    let tail = scan_store(&dir.join(RUNS_FILE), &mut |r| {
        wall_s += r.wall_s;
        done_cost += spec_of(&r).cost();
        done_ids.insert(r.id);
    })?;
    let runs = grid_runs(&manifest, shard);
    let left_cost = runs.as_ref().map(|runs| {
        runs.iter()
            .filter(|r| !done_ids.contains(&r.id()))
            .map(RunSpec::cost)
            .sum()
    });
    Ok(DirStatus {
        dir: dir.to_path_buf(),
        shard,
        done: done_ids.len(),
        total: runs.map(|r| r.len()),
        wall_s,
        done_cost,
        left_cost,
        partial_tail: tail.is_some(),
        manifest,
    })
}

/// Progress of several directories together.
#[derive(Debug, Clone)]
pub struct SweepStatus {
    /// Each directory.
    pub dirs: Vec<DirStatus>,
    /// Shards of the sweep with no directory among the inputs (when all inputs are shards of
    /// one sweep with one shard count), with the cost of their runs.
    pub missing_shards: Vec<(Shard, f64)>,
    /// Finished records over all directories.
    pub done: usize,
    /// Runs over all directories and missing shards (`None` if some total is unknown).
    pub total: Option<usize>,
    /// Seconds of one worker thread per unit of run cost, pooled over every finished record
    /// (`None` before the first record).
    pub seconds_per_cost: Option<f64>,
}

impl SweepStatus {
    /// Worker-thread seconds still needed by each directory (and then each missing shard).
    pub fn left_seconds(&self) -> Option<Vec<f64>> {
        let rate = self.seconds_per_cost?;
        self.dirs
            .iter()
            .map(|d| d.left_cost.map(|c| c * rate))
            .chain(self.missing_shards.iter().map(|(_, c)| Some(c * rate)))
            .collect()
    }

    /// Wall-clock seconds until the last one finishes if every directory and missing shard
    /// runs at once on `threads` worker threads each.
    pub fn eta_s(&self, threads: usize) -> Option<f64> {
        let left = self.left_seconds()?;
        let t = threads.max(1) as f64;
        Some(left.iter().fold(0.0f64, |m, &s| m.max(s / t)))
    }
}

/// Read the progress of `dirs` (see the module docs).
pub fn sweep_status(dirs: &[PathBuf]) -> Result<SweepStatus> {
    if dirs.is_empty() {
        return Err(Error::invalid("status", "no sweep directories given"));
    }
    let dirs: Vec<DirStatus> = dirs.iter().map(|d| dir_status(d)).collect::<Result<_>>()?;
    let strip = |m: &Manifest| Manifest {
        shard: None,
        kernel: String::new(),
        ..m.clone()
    };
    let base = strip(&dirs[0].manifest);
    let mut missing_shards = Vec::new();
    if let Some(n) = dirs[0].shard.map(|s| s.count) {
        let one_sweep = dirs
            .iter()
            .all(|d| d.shard.map(|s| s.count) == Some(n) && strip(&d.manifest) == base);
        if one_sweep {
            let have: HashSet<usize> = dirs
                .iter()
                .filter_map(|d| d.shard)
                .map(|s| s.index)
                .collect();
            for index in (0..n).filter(|i| !have.contains(i)) {
                let shard = Shard { index, count: n };
                if let Some(runs) = grid_runs(&base, Some(shard)) {
                    missing_shards.push((shard, runs.iter().map(RunSpec::cost).sum()));
                }
            }
        }
    }
    let done = dirs.iter().map(|d| d.done).sum();
    let total = dirs
        .iter()
        .map(|d| d.total)
        .sum::<Option<usize>>()
        .map(|t| {
            t + missing_shards
                .iter()
                .filter_map(|(s, _)| grid_runs(&base, Some(*s)).map(|r| r.len()))
                .sum::<usize>()
        });
    let cost: f64 = dirs.iter().map(|d| d.done_cost).sum();
    let wall: f64 = dirs.iter().map(|d| d.wall_s).sum();
    let seconds_per_cost = (done > 0 && cost > 0.0).then(|| wall / cost);
    Ok(SweepStatus {
        dirs,
        missing_shards,
        done,
        total,
        seconds_per_cost,
    })
}

/// A duration as `1h02m`, `3m05s` or `12s`.
pub fn format_duration(s: f64) -> String {
    let s = s.max(0.0).round() as u64;
    match (s / 3600, (s / 60) % 60, s % 60) {
        (0, 0, sec) => format!("{sec}s"),
        (0, m, sec) => format!("{m}m{sec:02}s"),
        (h, m, _) => format!("{h}h{m:02}m"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(format_duration(0.4), "0s");
        assert_eq!(format_duration(59.6), "1m00s");
        assert_eq!(format_duration(185.0), "3m05s");
        assert_eq!(format_duration(3725.0), "1h02m");
        assert_eq!(format_duration(-3.0), "0s");
    }
}
