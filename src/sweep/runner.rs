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
use crate::outcome::Outcome;
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

    /// Parse a `--shard` value: `I/N`, or `auto` / `auto/N` for a SLURM array task (see
    /// [`Shard::from_slurm`]); `env` looks up environment variables.
    pub fn parse_with_env(s: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Shard> {
        match s.trim() {
            "auto" => Shard::from_slurm(None, env),
            t => match t.strip_prefix("auto/") {
                Some(n) => {
                    let count = n.trim().parse().ok().filter(|&c: &usize| c > 0).ok_or_else(|| {
                        Error::invalid(
                            "shard",
                            format!("'{s}': N is not a positive integer (expected auto/N, e.g. auto/100)"),
                        )
                    })?;
                    Shard::from_slurm(Some(count), env)
                }
                None => Shard::parse(t),
            },
        }
    }

    /// The shard of a SLURM array task, from the variables SLURM sets in its environment.
    ///
    /// * `count = None` (`--shard auto`): the array itself is the shard list. Index
    ///   `(SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP` of
    ///   `SLURM_ARRAY_TASK_COUNT` (MIN defaults to 0, STEP to 1), so `--array=0-99`,
    ///   `--array=1-100` and `--array=0-198:2` all give shards 0/100 … 99/100. The array must be
    ///   a complete range: a task resubmitted alone (`sbatch --array=17`) is an array of one
    ///   and needs `auto/N`.
    /// * `count = Some(N)` (`--shard auto/N`): index `SLURM_ARRAY_TASK_ID` of N, whatever the
    ///   array looks like, for 0-based arrays and resubmitted indices.
    pub fn from_slurm(count: Option<usize>, env: &dyn Fn(&str) -> Option<String>) -> Result<Shard> {
        let bad = |why: String| Error::invalid("shard", format!("auto: {why}"));
        let var = |name: &str, required: bool| -> Result<Option<usize>> {
            match env(name) {
                None if required => Err(bad(format!(
                    "{name} is not set (--shard auto works inside a SLURM array task, \
                     `sbatch --array=...`; elsewhere give --shard I/N)"
                ))),
                None => Ok(None),
                Some(v) => v
                    .trim()
                    .parse()
                    .map(Some)
                    .map_err(|_| bad(format!("{name}='{v}' is not a non-negative integer"))),
            }
        };
        let id = var("SLURM_ARRAY_TASK_ID", true)?.unwrap_or(0);
        let (index, count) = match count {
            Some(n) => (id, n),
            None => {
                let n = var("SLURM_ARRAY_TASK_COUNT", true)?.unwrap_or(0);
                let min = var("SLURM_ARRAY_TASK_MIN", false)?.unwrap_or(0);
                let step = var("SLURM_ARRAY_TASK_STEP", false)?.unwrap_or(1).max(1);
                if let Some(max) = var("SLURM_ARRAY_TASK_MAX", false)? {
                    if max < min || (max - min) / step + 1 != n || (max - min) % step != 0 {
                        return Err(bad(format!(
                            "the array {min}-{max}:{step} does not have SLURM_ARRAY_TASK_COUNT={n} \
                             evenly spaced tasks; give --shard auto/N or I/N"
                        )));
                    }
                }
                if id < min || (id - min) % step != 0 {
                    return Err(bad(format!(
                        "task {id} is not on the array's range (min {min}, step {step})"
                    )));
                }
                ((id - min) / step, n)
            }
        };
        if count == 0 {
            return Err(bad("SLURM_ARRAY_TASK_COUNT must be at least 1".to_string()));
        }
        if index >= count {
            return Err(bad(format!(
                "task index {index} is not below the shard count {count} (shards are 0-based)"
            )));
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
        // The rank-2 post study has no "unstable" class: such a fake network is not learned.
        let outcome =
            Outcome::from_code(class, spec.experiment.labels()).unwrap_or(Outcome::NotLearned);
        Ok(RunOutcome {
            epochs_run: spec.epochs,
            outcome,
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

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let v: Vec<(String, String)> = vars
            .iter()
            .map(|(k, x)| (k.to_string(), x.to_string()))
            .collect();
        move |k: &str| v.iter().find(|(n, _)| n == k).map(|(_, x)| x.clone())
    }

    #[test]
    fn shard_auto_from_slurm_array() {
        let sh = |s: &str, vars: &[(&str, &str)]| Shard::parse_with_env(s, &env_of(vars));
        let shard = |index, count| Shard { index, count };
        // --array=0-99, task 17
        let a = [
            ("SLURM_ARRAY_TASK_ID", "17"),
            ("SLURM_ARRAY_TASK_COUNT", "100"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_MAX", "99"),
        ];
        assert_eq!(sh("auto", &a).unwrap(), shard(17, 100));
        // --array=1-100, task 18 is the 18th task: shard 17/100
        let b = [
            ("SLURM_ARRAY_TASK_ID", "18"),
            ("SLURM_ARRAY_TASK_COUNT", "100"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_MAX", "100"),
        ];
        assert_eq!(sh("auto", &b).unwrap(), shard(17, 100));
        // --array=0-198:2, task 34
        let c = [
            ("SLURM_ARRAY_TASK_ID", "34"),
            ("SLURM_ARRAY_TASK_COUNT", "100"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_MAX", "198"),
            ("SLURM_ARRAY_TASK_STEP", "2"),
        ];
        assert_eq!(sh("auto", &c).unwrap(), shard(17, 100));
        // Only ID and COUNT set.
        let d = [
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ];
        assert_eq!(sh("auto", &d).unwrap(), shard(3, 4));
        // A resubmitted single index: auto/N takes the id as the index.
        let e = [
            ("SLURM_ARRAY_TASK_ID", "17"),
            ("SLURM_ARRAY_TASK_COUNT", "1"),
            ("SLURM_ARRAY_TASK_MIN", "17"),
            ("SLURM_ARRAY_TASK_MAX", "17"),
        ];
        assert_eq!(sh("auto/100", &e).unwrap(), shard(17, 100));
        assert_eq!(sh("auto", &e).unwrap(), shard(0, 1));
        // Plain I/N ignores the environment.
        assert_eq!(sh("2/5", &[]).unwrap(), shard(2, 5));

        let err = |s: &str, vars: &[(&str, &str)]| sh(s, vars).unwrap_err().to_string();
        let m = err("auto", &[]);
        assert!(
            m.starts_with("invalid shard: auto: SLURM_ARRAY_TASK_ID is not set"),
            "{m}"
        );
        let m = err("auto", &[("SLURM_ARRAY_TASK_ID", "3")]);
        assert!(m.contains("SLURM_ARRAY_TASK_COUNT is not set"), "{m}");
        let m = err(
            "auto",
            &[
                ("SLURM_ARRAY_TASK_ID", "x"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ],
        );
        assert!(
            m.contains("SLURM_ARRAY_TASK_ID='x' is not a non-negative integer"),
            "{m}"
        );
        let m = err(
            "auto",
            &[
                ("SLURM_ARRAY_TASK_ID", "4"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ],
        );
        assert!(
            m.contains("task index 4 is not below the shard count 4"),
            "{m}"
        );
        let m = err(
            "auto",
            &[
                ("SLURM_ARRAY_TASK_ID", "1"),
                ("SLURM_ARRAY_TASK_COUNT", "0"),
            ],
        );
        assert!(m.contains("at least 1"), "{m}");
        // --array=1,5,7: not a range
        let m = err(
            "auto",
            &[
                ("SLURM_ARRAY_TASK_ID", "5"),
                ("SLURM_ARRAY_TASK_COUNT", "3"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_MAX", "7"),
            ],
        );
        assert!(m.contains("does not have SLURM_ARRAY_TASK_COUNT=3"), "{m}");
        let m = err("auto/0", &d);
        assert!(m.contains("N is not a positive integer"), "{m}");
        let m = err("auto/3", &d);
        assert!(
            m.contains("task index 3 is not below the shard count 3"),
            "{m}"
        );
        let m = err("auto/4", &[]);
        assert!(m.contains("SLURM_ARRAY_TASK_ID is not set"), "{m}");
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
