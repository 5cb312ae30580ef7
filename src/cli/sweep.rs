//! `dynphase sweep`, `merge` and `phase`.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::analysis::classify::ClassifierPost;
use crate::rnn::task::WindowMode;
use crate::sweep::executor::{SpectralClassifier, TrainExecutor};
use crate::sweep::phase::{pick_experiment, to_csv_string};
use crate::sweep::status::{format_duration, sweep_status};
use crate::sweep::{
    merge_dirs, phase_table, read_store, Experiment, FakeExecutor, Manifest, Overrides, Preset,
    RunExecutor, Shard, SweepOptions,
};
use crate::{Error, Result};

/// Arguments of `dynphase sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Preset: quick, nopost-broad, nopost-narrow, nopost, post, long-tau, no-memory,
    /// rank2-post-study (test-tiny: a testing aid).
    #[arg(long)]
    pub preset: String,
    /// Output directory (holds sweep.json and runs.jsonl; rerun the same command to resume).
    #[arg(long)]
    pub out: PathBuf,
    /// Run only shard I of N (0-based, 0 <= I < N), e.g. `--shard $SLURM_ARRAY_TASK_ID/100`.
    /// Inside a SLURM array task: `auto` (I and N from the array: task id minus the array's
    /// first id, and the task count) or `auto/N` (I = the task id; for resubmitted indices).
    #[arg(long)]
    pub shard: Option<String>,
    /// Worker threads (one network each); default: all cores.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Override: seeds 0..N per cell.
    #[arg(long)]
    pub seeds: Option<u64>,
    /// Override: comma-separated learning rates.
    #[arg(long, value_delimiter = ',')]
    pub lrs: Option<Vec<f64>>,
    /// Override: comma-separated delays (no-memory: response windows) in ms.
    #[arg(long = "delays-ms", value_delimiter = ',')]
    pub delays_ms: Option<Vec<u32>>,
    /// Override: a fixed budget of N epochs for every run.
    #[arg(long)]
    pub epochs: Option<u64>,
    /// Executor: `train` (the RNN trainer and mechanism classifier) or `fake` (a cheap
    /// deterministic stand-in, a testing aid).
    #[arg(long, default_value = "train")]
    pub executor: String,
    /// Accuracy window: `reference` (the paper's, default) or `corrected` (docs/outcomes.md).
    #[arg(long, default_value = "reference")]
    pub window: String,
    /// Post period in the classifier's extended trial: `exclude` (the reference, default) or
    /// `include` (docs/mechanism-index.md).
    #[arg(long, default_value = "exclude")]
    pub classifier_post: String,
    /// Testing aid: wall-clock milliseconds the fake executor sleeps per run.
    #[arg(long, default_value_t = 0, hide = true)]
    pub fake_sleep_ms: u64,
    /// Do not show the progress bar.
    #[arg(long)]
    pub no_progress: bool,
}

/// Arguments of `dynphase merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Output directory (gets runs.jsonl in canonical order and sweep.json).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Sweep (shard) directories to merge. Without --out the first one is the output
    /// directory (`dynphase merge OUT DIR...`, the older form).
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Overwrite an existing OUT/runs.jsonl.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `dynphase status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Sweep (shard) directories, e.g. `sweeps/nopost/shard-*`.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Worker threads of each shard (its `dynphase sweep --threads`), for the ETA.
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
}

/// Arguments of `dynphase phase`.
#[derive(Debug, Args)]
pub struct PhaseArgs {
    /// Sweep directory (with runs.jsonl).
    pub dir: PathBuf,
    /// Output CSV (default: standard output).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Experiment to aggregate when the directory holds several (nopost, post, long-tau,
    /// no-memory, rank2-post, rank2-nopost).
    #[arg(long)]
    pub experiment: Option<String>,
}

/// The executor named `name`.
fn executor(
    name: &str,
    fake_sleep_ms: u64,
    window: WindowMode,
    post: ClassifierPost,
) -> Result<Box<dyn RunExecutor>> {
    match name {
        "fake" => Ok(Box::new(FakeExecutor {
            sleep: Duration::from_millis(fake_sleep_ms),
        })),
        "train" => Ok(Box::new(TrainExecutor {
            window,
            classifier: SpectralClassifier { post },
        })),
        _ => Err(Error::unknown("executor", name, &["train", "fake"])),
    }
}

/// Run `dynphase sweep`.
pub fn run_sweep(args: &SweepArgs) -> Result<()> {
    let overrides = Overrides {
        seeds: args.seeds,
        lrs: args.lrs.clone(),
        delays_ms: args.delays_ms.clone(),
        epochs: args.epochs,
    };
    let preset = Preset::named(&args.preset)?.with_overrides(&overrides)?;
    let shard = args
        .shard
        .as_deref()
        .map(|s| Shard::parse_with_env(s, &|k| std::env::var(k).ok()))
        .transpose()?;
    let threads = match args.threads {
        Some(0) => return Err(Error::invalid("threads", "must be at least 1")),
        Some(k) => k,
        None => std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
    };
    let window = match args.window.as_str() {
        "reference" => WindowMode::Reference,
        "corrected" => WindowMode::Corrected,
        w => return Err(Error::unknown("window", w, &["reference", "corrected"])),
    };
    let post = match args.classifier_post.as_str() {
        "exclude" => ClassifierPost::Exclude,
        "include" => ClassifierPost::Include,
        p => {
            return Err(Error::unknown(
                "classifier-post",
                p,
                &["exclude", "include"],
            ))
        }
    };
    let exec = executor(&args.executor, args.fake_sleep_ms, window, post)?;
    let manifest = Manifest {
        format: 1,
        preset: args.preset.clone(),
        overrides,
        executor: exec.name().to_string(),
        window: args.window.clone(),
        classifier_post: args.classifier_post.clone(),
        shard: shard.map(|s| s.to_string()),
        merged_from: Vec::new(),
        stream_version: crate::rnn::rng::STREAM_VERSION,
        kernel: crate::rnn::kernels::current().name().to_string(),
    };
    let opts = SweepOptions {
        threads,
        shard,
        progress: !args.no_progress,
    };
    let s = crate::sweep::run_sweep(&args.out, &manifest, &preset, exec.as_ref(), &opts)?;
    if let Some(t) = &s.truncated {
        eprintln!(
            "note: {}: line {} was {}; removed {} bytes left by an interrupted run (it is redone)",
            args.out.join(crate::sweep::store::RUNS_FILE).display(),
            t.line_no,
            t.reason,
            t.bad_bytes
        );
    }
    eprintln!(
        "sweep {}{}: {} runs, {} already done, {} run now on {} threads in {:.1} s",
        args.preset,
        shard.map(|s| format!(" shard {s}")).unwrap_or_default(),
        s.total,
        s.already_done,
        s.ran,
        threads,
        s.wall_s
    );
    Ok(())
}

/// Run `dynphase merge`.
pub fn run_merge(args: &MergeArgs) -> Result<()> {
    let (out, inputs) = match &args.out {
        Some(out) => (out, &args.dirs[..]),
        None => match args.dirs.split_first() {
            Some((out, inputs)) if !inputs.is_empty() => (out, inputs),
            _ => {
                return Err(Error::invalid(
                    "merge",
                    "no input directories given (usage: dynphase merge --out OUT DIR...)",
                ))
            }
        },
    };
    let s = merge_dirs(out, inputs, args.force)?;
    for (p, line) in &s.ignored_tails {
        eprintln!(
            "note: {}: ignored the incomplete last line {line} (an interrupted run)",
            p.display()
        );
    }
    let missing = s
        .grid_size
        .map(|g| {
            format!(
                ", {} of the grid's {g} missing",
                g.saturating_sub(s.records)
            )
        })
        .unwrap_or_default();
    eprintln!(
        "merged {} records from {} directories ({} identical duplicates dropped{missing}) into {}",
        s.records,
        inputs.len(),
        s.duplicates,
        out.display()
    );
    Ok(())
}

fn percent(done: usize, total: usize) -> f64 {
    if total == 0 {
        100.0
    } else {
        100.0 * done as f64 / total as f64
    }
}

/// Run `dynphase status`.
pub fn run_status(args: &StatusArgs) -> Result<()> {
    if args.threads == 0 {
        return Err(Error::invalid("threads", "must be at least 1"));
    }
    let st = sweep_status(&args.dirs)?;
    let left = st.left_seconds();
    let t = args.threads as f64;
    for (k, d) in st.dirs.iter().enumerate() {
        let what = match d.shard {
            Some(s) => format!("{} shard {s}", d.manifest.preset),
            None => d.manifest.preset.clone(),
        };
        let progress = match d.total {
            Some(n) => format!("{}/{n} done ({:.1}%)", d.done, percent(d.done, n)),
            None => format!("{} done", d.done),
        };
        let eta = match (&left, d.total) {
            (Some(l), Some(n)) if d.done < n => format!(", ETA {}", format_duration(l[k] / t)),
            _ => String::new(),
        };
        let tail = if d.partial_tail {
            ", last line incomplete (a run being written, or a killed task)"
        } else {
            ""
        };
        println!("{} ({what}): {progress}{eta}{tail}", d.dir.display());
    }
    if !st.missing_shards.is_empty() {
        let names: Vec<String> = st
            .missing_shards
            .iter()
            .map(|(s, _)| s.to_string())
            .collect();
        println!(
            "missing: shard{} {} (no directory yet: not started, or not given)",
            if names.len() == 1 { "" } else { "s" },
            names.join(", ")
        );
    }
    let progress = match st.total {
        Some(n) => format!(
            "{}/{n} done ({:.1}%), {} left",
            st.done,
            percent(st.done, n),
            n - st.done.min(n)
        ),
        None => format!("{} done", st.done),
    };
    let eta = match (st.total, st.eta_s(args.threads)) {
        (Some(n), _) if st.done >= n => String::new(),
        (_, Some(e)) => format!(
            "; ETA {} with {} thread{} per shard, all shards running at once",
            format_duration(e),
            args.threads,
            if args.threads == 1 { "" } else { "s" }
        ),
        (_, None) => "; ETA unknown until a run finishes".to_string(),
    };
    println!("overall: {progress}{eta}");
    Ok(())
}

/// Run `dynphase phase`.
pub fn run_phase(args: &PhaseArgs) -> Result<()> {
    let path = args.dir.join(crate::sweep::store::RUNS_FILE);
    if !path.exists() {
        return Err(Error::format(&path, "missing: not a sweep directory"));
    }
    let contents = read_store(&path)?;
    if let Some(t) = &contents.bad_tail {
        eprintln!(
            "note: {}: ignored the incomplete last line {} (an interrupted run)",
            path.display(),
            t.line_no
        );
    }
    let wanted = args
        .experiment
        .as_deref()
        .map(Experiment::from_name)
        .transpose()?;
    let exp = pick_experiment(&contents.records, wanted)?;
    let table = phase_table(&contents.records, exp);
    let csv = to_csv_string(&table);
    match &args.out {
        Some(p) => std::fs::write(p, csv).map_err(|e| Error::io(p, e))?,
        None => print!("{csv}"),
    }
    Ok(())
}
