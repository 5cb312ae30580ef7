//! The sweep executor loop: shards, the run-executor trait, a fake executor for tests, and the
//! parallel, resumable [`run_sweep`].

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::preset::Preset;
use super::record::{RunOutcome, RunRecord};
use super::spec::{Experiment, RunSpec};
use super::store::{BadTail, Manifest, RunStore, MANIFEST_FILE, RUNS_FILE};
use crate::{Error, Result};

/// A 0-based shard `index` of `count` (`--shard I/N`, 0 ≤ I < N).
///
/// Run j of the canonical order (see [`Preset::runs`]) belongs to shard j mod N. The round-robin
/// assignment makes shards disjoint, lets N shards cover the grid exactly once, and balances
/// cost (every shard gets the same mix of learning rates and delays). It matches SLURM's
/// `--array=0-(N-1)` and `$SLURM_ARRAY_TASK_ID`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, 0-based.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl Shard {
    /// Parse `I/N` (0-based; `0/1` is the whole grid).
    pub fn parse(s: &str) -> Result<Shard> {
        let bad = |why: &str| {
            Error::invalid(
                "shard",
                format!("'{s}': {why} (expected I/N with 0 <= I < N, e.g. 0/100)"),
            )
        };
        let (i, n) = s.split_once('/').ok_or_else(|| bad("missing '/'"))?;
        let index: usize = i.trim().parse().map_err(|_| bad("I is not an integer"))?;
        let count: usize = n.trim().parse().map_err(|_| bad("N is not an integer"))?;
        if count == 0 {
            return Err(bad("N must be at least 1"));
        }
        if index >= count {
            return Err(bad("I must be smaller than N (shards are 0-based)"));
        }
        Ok(Shard { index, count })
    }

    /// The runs of this shard, in canonical order.
    pub fn select(&self, runs: Vec<RunSpec>) -> Vec<RunSpec> {
        runs.into_iter()
            .enumerate()
            .filter(|(j, _)| j % self.count == self.index)
            .map(|(_, r)| r)
            .collect()
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Trains (and classifies) one network. Implementations must be deterministic: the outcome
/// may depend on the spec only, never on the thread or the order of calls.
pub trait RunExecutor: Sync {
    /// Short name written to the sweep manifest (`train`, `fake`).
    fn name(&self) -> &str;
    /// Train and classify the network described by `spec`.
    fn run(&self, spec: &RunSpec) -> Result<RunOutcome>;
}

/// A cheap deterministic stand-in for training, for tests and dry runs (`--executor fake`).
///
/// Each run draws from a ChaCha8 stream seeded by the hash of its id. Classes follow a known
/// synthetic phase diagram shaped like the paper's: not learned with probability
/// `1 − exp(−a(T − T_c(η)))` above `T_c(η) = 300 ms · (η/0.001)^(−1/2.72)` (a = 0.03/ms), else
/// 2 % noise; learned networks are SP (class 2) with probability `1/(1 + exp((T − T_sp)/15))`,
/// `T_sp(η) = 250 ms · (η/0.001)^(−1/4.05)`, otherwise LC; 5 % of failures are class 3. The
/// curves are exponential decays with noise. `sleep` adds a fixed wall-clock delay per run.
#[derive(Debug, Clone, Default)]
pub struct FakeExecutor {
    /// Extra wall-clock time per run (to test kills mid-sweep).
    pub sleep: Duration,
}

/// Critical delay (ms) of the fake executor's synthetic failure boundary.
pub fn fake_failure_delay_ms(lr: f64) -> f64 {
    300.0 * (lr / 0.001).powf(-1.0 / 2.72)
}

impl RunExecutor for FakeExecutor {
    fn name(&self) -> &str {
        "fake"
    }

    fn run(&self, spec: &RunSpec) -> Result<RunOutcome> {
        if !self.sleep.is_zero() {
            std::thread::sleep(self.sleep);
        }
        let mut rng = ChaCha8Rng::seed_from_u64(spec.id_hash());
        let t = spec.delay_ms as f64;
        let tc = fake_failure_delay_ms(spec.lr);
        let p_fail = if t > tc {
            1.0 - (-0.03 * (t - tc)).exp()
        } else {
            0.02
        };
        let u: f64 = rng.random();
        let learned = u >= p_fail;
        let class = if !learned {
            if rng.random::<f64>() < 0.05 {
                3
            } else {
                0
            }
        } else if !spec.experiment.has_mechanism() {
            1
        } else {
            let tsp = 250.0 * (spec.lr / 0.001).powf(-1.0 / 4.05);
            let p_sp = 1.0 / (1.0 + ((t - tsp) / 15.0).exp());
            if rng.random::<f64>() < p_sp {
                2
            } else {
                1
            }
        };
        let index = match class {
            1 if spec.experiment.has_mechanism() => Some(0.45 * rng.random::<f64>().powi(3)),
            2 => Some(0.5 + 0.5 * rng.random::<f64>()),
            _ => None,
        };
        let fixed_window = spec.experiment == Experiment::NoMemory;
        let n = spec.epochs.min(if fixed_window { 3000 } else { 1000 }) as usize;
        let curve_start = if fixed_window {
            0
        } else {
            spec.epochs - n as u64
        };
        let (floor, acc_end) = if learned { (0.01, 0.95) } else { (0.2, 0.5) };
        let round4 = |x: f32| ((x as f64 * 1e4).round_ties_even() / 1e4) as f32;
        let mut loss = Vec::with_capacity(n);
        let mut acc = Vec::with_capacity(n);
        let mut rel = Vec::with_capacity(n);
        for e in 0..n {
            let x = (curve_start + e as u64) as f64 / spec.epochs as f64;
            let noise: f64 = rng.random::<f64>() - 0.5;
            loss.push((floor + 0.25 * (-5.0 * x).exp() + 0.01 * noise) as f32);
            let a = acc_end - (acc_end - 0.5) * (-5.0 * x).exp();
            acc.push(round4((a + 0.01 * noise).clamp(0.0, 1.0) as f32));
            rel.push(round4((a - 0.01 * noise).clamp(0.0, 1.0) as f32));
        }
        Ok(RunOutcome {
            epochs_run: spec.epochs,
            class,
            index,
            final_loss: *loss.last().unwrap_or(&f32::NAN),
            final_accuracy: *acc.last().unwrap_or(&f32::NAN),
            final_reliability: *rel.last().unwrap_or(&f32::NAN),
            curve_start,
            loss,
            accuracy: acc,
            reliability: rel,
        })
    }
}

/// Options of [`run_sweep`].
#[derive(Debug, Clone)]
pub struct SweepOptions {
    /// Worker threads (one network per thread).
    pub threads: usize,
    /// Run only this shard.
    pub shard: Option<Shard>,
    /// Show a progress bar on standard error (hidden automatically when it is not a terminal).
    pub progress: bool,
}

/// What a call to [`run_sweep`] did.
#[derive(Debug, Clone)]
pub struct SweepSummary {
    /// Runs in this (shard of the) grid.
    pub total: usize,
    /// Runs already finished before this call.
    pub already_done: usize,
    /// Runs finished by this call.
    pub ran: usize,
    /// A bad final line that was cut off on resume.
    pub truncated: Option<BadTail>,
    /// Wall time of this call in seconds.
    pub wall_s: f64,
}

/// Run (or resume) a sweep into `dir`.
///
/// Creates `dir`, writes `dir/sweep.json` (or checks that an existing manifest equals
/// `manifest`), reads `dir/runs.jsonl` (cutting off a truncated last line), skips finished ids
/// and trains the rest on a rayon pool of `opts.threads` threads, most expensive runs first,
/// appending one record per finished network. Stops at the first executor error (records
/// already written are kept).
pub fn run_sweep(
    dir: &Path,
    manifest: &Manifest,
    preset: &Preset,
    exec: &dyn RunExecutor,
    opts: &SweepOptions,
) -> Result<SweepSummary> {
    let t0 = Instant::now();
    if opts.threads == 0 {
        return Err(Error::invalid("threads", "must be at least 1"));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let runs_path = dir.join(RUNS_FILE);
    match Manifest::read(dir)? {
        Some(old) if !old.same_sweep(manifest) => {
            let show = |m: &Manifest| serde_json::to_string(m).unwrap_or_default();
            return Err(Error::format(
                dir.join(MANIFEST_FILE),
                format!(
                    "this directory holds a different sweep ({}); refusing to resume it as ({}); use another --out",
                    show(&old),
                    show(manifest)
                ),
            ));
        }
        Some(old) => {
            if let Some(m) = old.adding_kernels(&manifest.kernel) {
                m.write(dir)?;
            }
        }
        None => {
            if runs_path.exists() && std::fs::metadata(&runs_path).map(|m| m.len()).unwrap_or(0) > 0
            {
                return Err(Error::format(
                    &runs_path,
                    "records without a sweep.json manifest; refusing to append to them",
                ));
            }
            manifest.write(dir)?;
        }
    }
    let mut runs = preset.runs();
    if let Some(s) = opts.shard {
        runs = s.select(runs);
    }
    let total = runs.len();
    let (store, contents) = RunStore::open_resume(&runs_path)?;
    let wanted: std::collections::HashMap<String, &RunSpec> =
        runs.iter().map(|r| (r.id(), r)).collect();
    for (k, rec) in contents.records.iter().enumerate() {
        match wanted.get(&rec.id) {
            Some(spec) if spec.epochs == rec.epochs => {}
            _ => {
                return Err(Error::format(
                    &runs_path,
                    format!(
                        "record {} ({}) is not part of this sweep{}",
                        k + 1,
                        rec.id,
                        opts.shard
                            .map(|s| format!(" shard {s}"))
                            .unwrap_or_default()
                    ),
                ))
            }
        }
    }
    let done: std::collections::HashSet<&str> =
        contents.records.iter().map(|r| r.id.as_str()).collect();
    let mut pending: Vec<&RunSpec> = runs
        .iter()
        .filter(|r| !done.contains(r.id().as_str()))
        .collect();
    // Longest first (stable: ties keep canonical order) so the pool drains evenly.
    pending.sort_by(|a, b| b.cost().total_cmp(&a.cost()));
    let already_done = total - pending.len();

    let bar = if opts.progress {
        let b = indicatif::ProgressBar::with_draw_target(
            Some(pending.len() as u64),
            indicatif::ProgressDrawTarget::stderr(),
        );
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} runs, ETA {eta_precise} {msg}",
        ) {
            b.set_style(style);
        }
        b.set_message(format!("({already_done} done before)"));
        b
    } else {
        indicatif::ProgressBar::hidden()
    };

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .map_err(|e| Error::invalid("threads", e.to_string()))?;
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let first_err: Mutex<Option<Error>> = Mutex::new(None);
    let ran = AtomicUsize::new(0);
    pool.install(|| {
        (0..opts.threads).into_par_iter().for_each(|_| loop {
            if stop.load(Ordering::SeqCst) {
                break;
            }
            let i = next.fetch_add(1, Ordering::SeqCst);
            let Some(spec) = pending.get(i) else { break };
            let t = Instant::now();
            let res = exec.run(spec).and_then(|out| {
                store.append(&RunRecord::new(spec, out, t.elapsed().as_secs_f64()))
            });
            match res {
                Ok(()) => {
                    ran.fetch_add(1, Ordering::SeqCst);
                    bar.inc(1);
                }
                Err(e) => {
                    stop.store(true, Ordering::SeqCst);
                    let mut g = first_err.lock().unwrap_or_else(|p| p.into_inner());
                    if g.is_none() {
                        *g = Some(Error::invalid(
                            "sweep",
                            format!("run {} failed: {e}", spec.id()),
                        ));
                    }
                    break;
                }
            }
        })
    });
    bar.finish_and_clear();
    if let Some(e) = first_err.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    Ok(SweepSummary {
        total,
        already_done,
        ran: ran.into_inner(),
        truncated: contents.bad_tail,
        wall_s: t0.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_parsing() {
        assert_eq!(
            Shard::parse("3/100").unwrap(),
            Shard {
                index: 3,
                count: 100
            }
        );
        assert_eq!(Shard::parse("0/1").unwrap(), Shard { index: 0, count: 1 });
        for bad in ["3/2", "2/2", "0/0", "a/b", "1", "-1/4", "1/x", ""] {
            let e = Shard::parse(bad).unwrap_err().to_string();
            assert!(e.starts_with("invalid shard"), "{bad}: {e}");
        }
    }

    #[test]
    fn shards_partition_the_grid() {
        let runs = Preset::named("test-tiny").unwrap().runs();
        let mut ids: Vec<String> = (0..4)
            .flat_map(|i| Shard { index: i, count: 4 }.select(runs.clone()))
            .map(|r| r.id())
            .collect();
        ids.sort();
        let mut all: Vec<String> = runs.iter().map(RunSpec::id).collect();
        all.sort();
        assert_eq!(ids, all);
    }

    #[test]
    fn fake_executor_is_deterministic() {
        let runs = Preset::named("test-tiny").unwrap().runs();
        let f = FakeExecutor::default();
        for r in &runs {
            assert_eq!(f.run(r).unwrap(), f.run(r).unwrap());
        }
    }
}
