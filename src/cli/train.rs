//! `dynphase train`: train one full-rank or rank-2 RNN on one of the paper's tasks.
//!
//! Examples:
//! ```text
//! dynphase train --model full --task dcdt --delay-ms 200 --lr 0.1 --seed 0 --history h.csv --save net.npz
//! dynphase train --model rank2 --task delayed-activation --delay-ms 75 --response-ms 10 \
//!     --lr 0.1 --epochs 2001 --init tests/data/rank2_seed30_init.json --history h.csv
//! dynphase train --model full --task no-memory --window-ms 200 --lr 0.1 --seed 0
//! ```

use super::checks::{self, Cost};
use crate::analysis::classify::{extended_trial_rates, ClassifierPost};
use crate::analysis::index::mechanism_index;
use crate::analysis::rank2::label_rank2;
use crate::grid::epoch_budget;
use crate::io::{history, network};
use crate::rnn::float::Float;
use crate::rnn::full_rank::EpochStats;
use crate::rnn::metrics;
use crate::rnn::model::{FullRankParams, Rank2Params, DT_MS, N_HIDDEN};
use crate::rnn::task::{ms_to_steps, FullRankTask, FullRankTaskKind, Rank2Task, WindowMode};
use crate::rnn::train::{self, FullRankConfig, History, Rank2Config};
use crate::{Error, Result};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// `--model` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModelArg {
    /// Full-rank RNN (docs/models.md).
    Full,
    /// Rank-2 RNN (docs/models.md).
    Rank2,
}

/// `--task` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TaskArg {
    /// Delayed cue-discrimination task (full-rank).
    Dcdt,
    /// No-memory / fixed-window control task (full-rank, linear readout).
    NoMemory,
    /// Rank-2 delayed-activation task.
    DelayedActivation,
}

/// `--window` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WindowArg {
    /// The reference's truncation formula (default).
    Reference,
    /// The true response window.
    Corrected,
}

/// `--precision` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PrecisionArg {
    /// Single precision (as the reference).
    F32,
    /// Double precision (debug).
    F64,
}

/// Arguments of `dynphase train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Model: `full` (full-rank, N = 100) or `rank2`.
    #[arg(long, value_enum, default_value = "full")]
    pub model: ModelArg,
    /// Task: `dcdt` or `no-memory` (full-rank), `delayed-activation` (rank-2).
    #[arg(long, value_enum, default_value = "dcdt")]
    pub task: TaskArg,
    /// Delay in ms (DCDT: multiple of 5, paper grid 0…400 step 20; rank-2: e.g. 75).
    #[arg(long, allow_negative_numbers = true)]
    pub delay_ms: Option<f64>,
    /// Rank-2 response duration in ms.
    #[arg(long, allow_negative_numbers = true, default_value_t = 10.0)]
    pub response_ms: f64,
    /// Rank-2 post-response duration in ms (Fig 3: 30).
    #[arg(long, allow_negative_numbers = true, default_value_t = 0.0)]
    pub post_ms: f64,
    /// DCDT with the 30 ms post period (K = 16).
    #[arg(long)]
    pub post: bool,
    /// Membrane time constant in ms (10; long-τ experiment 20).
    #[arg(long, allow_negative_numbers = true, default_value_t = 10.0)]
    pub tau_ms: f64,
    /// No-memory task response window in ms (20…400).
    #[arg(long, allow_negative_numbers = true)]
    pub window_ms: Option<f64>,
    /// Accuracy window convention: `reference` (default) or `corrected`.
    #[arg(long, value_enum, default_value = "reference")]
    pub window: WindowArg,
    /// Learning rate.
    #[arg(long, allow_negative_numbers = true)]
    pub lr: f64,
    /// Network seed (INIT and TRAIN streams).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Epoch budget. Default: full-rank E(lr) = max(1000, c/lr) (c = 30, post 100);
    /// no-memory 3000; rank-2 50,000.
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Rank-2: stop once loss/loss0 falls below this (the Fig 2 runs use 1e-4).
    #[arg(long, allow_negative_numbers = true)]
    pub early_stop: Option<f64>,
    /// Arithmetic precision: `f32` (default, as the reference) or `f64` (debug).
    #[arg(long, value_enum, default_value = "f32")]
    pub precision: PrecisionArg,
    /// Initial parameters (.npz; rank-2 also the reference .json) instead of drawing them.
    #[arg(long)]
    pub init: Option<PathBuf>,
    /// Write the per-epoch history CSV here.
    #[arg(long)]
    pub history: Option<PathBuf>,
    /// Save the final parameters (.npz) here.
    #[arg(long)]
    pub save: Option<PathBuf>,
    /// Save parameters every this many epochs (full-rank) next to `--save` as
    /// `<stem>_epoch<E>.npz`.
    #[arg(long, default_value_t = 0)]
    pub checkpoint_every: usize,
    /// Rank-2: epochs (comma-separated) at whose start parameters are saved next to `--save`.
    #[arg(long, value_delimiter = ',')]
    pub snapshot_epochs: Vec<usize>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Run even when the estimated time (over 24 h) or memory (over 4 GiB) is above the limits.
    #[arg(long)]
    pub no_resource_limits: bool,
}

/// A duration flag in ms: finite, non-negative, a whole number of 5 ms steps.
fn ms_flag(name: &str, v: f64) -> Result<u32> {
    Ok(ms_to_steps(name, v)? as u32 * DT_MS as u32)
}

/// `--history` and `--save` of a finished run: the history CSV, the final parameters and each
/// saved epoch's parameters next to them ([`sibling`]), converted to f32 by `to_f32`.
fn write_outputs<P, Q>(
    args: &TrainArgs,
    h: &History,
    last: &P,
    saved: &[(usize, P)],
    to_f32: impl Fn(&P) -> Q,
    save: fn(&Path, &Q) -> Result<()>,
) -> Result<()> {
    if let Some(path) = &args.history {
        history::write_csv(path, h)?;
    }
    if let Some(s) = &args.save {
        save(s, &to_f32(last))?;
        for (e, p) in saved {
            save(&sibling(s, *e), &to_f32(p))?;
        }
    }
    Ok(())
}

fn sibling(save: &Path, epoch: usize) -> PathBuf {
    let stem = save
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "net".into());
    save.with_file_name(format!("{stem}_epoch{epoch}.npz"))
}

struct Progress {
    bar: Option<ProgressBar>,
    every: usize,
}

impl Progress {
    fn new(total: usize, quiet: bool) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let b = ProgressBar::new(total as u64);
            b.set_style(
                ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} epochs  {msg}  [{elapsed_precise} < {eta_precise}]",
                )
                .expect("static template"),
            );
            b
        });
        Progress {
            bar,
            every: (total / 2000).max(1),
        }
    }

    fn update(&self, e: usize, s: &EpochStats) {
        if let Some(b) = &self.bar {
            if e.is_multiple_of(self.every) {
                b.set_position(e as u64 + 1);
                b.set_message(format!("loss {:.6}", s.loss));
            }
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }

    /// Run `train` with a progress bar over `epochs` (unless `quiet` or not a terminal).
    fn run<R>(
        epochs: usize,
        quiet: bool,
        train: impl FnOnce(&mut dyn FnMut(usize, &EpochStats)) -> Result<R>,
    ) -> Result<R> {
        let progress = Progress::new(epochs, quiet);
        let run = train(&mut |e, s| progress.update(e, s))?;
        progress.finish();
        Ok(run)
    }
}

/// Refuse flag combinations that would be silently ignored and output paths that cannot be
/// written, before any training.
fn check_outputs(args: &TrainArgs) -> Result<()> {
    let full = args.model == ModelArg::Full;
    if args.checkpoint_every > 0 && !full {
        return Err(Error::invalid(
            "checkpoint-every",
            "applies to --model full only (rank-2: --snapshot-epochs)",
        ));
    }
    if !args.snapshot_epochs.is_empty() && full {
        return Err(Error::invalid(
            "snapshot-epochs",
            "applies to --model rank2 only (full-rank: --checkpoint-every)",
        ));
    }
    if args.save.is_none() {
        let flag = if args.checkpoint_every > 0 {
            Some("checkpoint-every")
        } else if !args.snapshot_epochs.is_empty() {
            Some("snapshot-epochs")
        } else {
            None
        };
        if let Some(flag) = flag {
            return Err(Error::invalid(
                flag,
                "needs --save FILE.npz (the saved parameters go next to it)",
            ));
        }
    }
    if let Some(p) = &args.save {
        checks::output_file("save", p)?;
    }
    if let Some(p) = &args.history {
        checks::output_file("history", p)?;
    }
    Ok(())
}

/// Run `dynphase train`.
pub fn run(args: &TrainArgs) -> Result<()> {
    train::check_lr(args.lr)?;
    check_outputs(args)?;
    let window = match args.window {
        WindowArg::Reference => WindowMode::Reference,
        WindowArg::Corrected => WindowMode::Corrected,
    };
    let f64_mode = args.precision == PrecisionArg::F64;
    match args.model {
        ModelArg::Full => {
            let kind =
                match args.task {
                    TaskArg::Dcdt => FullRankTaskKind::Dcdt {
                        delay_ms: ms_flag(
                            "delay-ms",
                            args.delay_ms.ok_or_else(|| {
                                Error::invalid("delay-ms", "required for --task dcdt")
                            })?,
                        )?,
                        post: args.post,
                        tau_ms: crate::error::check_positive("tau-ms", args.tau_ms)?,
                    },
                    TaskArg::NoMemory => FullRankTaskKind::NoMemory {
                        window_ms: ms_flag(
                            "window-ms",
                            args.window_ms.ok_or_else(|| {
                                Error::invalid("window-ms", "required for --task no-memory")
                            })?,
                        )?,
                    },
                    TaskArg::DelayedActivation => return Err(Error::invalid(
                        "task",
                        "delayed-activation needs --model rank2 (full-rank tasks: dcdt, no-memory)",
                    )),
                };
            let init = match &args.init {
                Some(p) => network::load_full_rank(p)?,
                None => FullRankParams::init(N_HIDDEN, args.seed),
            };
            if f64_mode {
                run_full::<f64>(args, kind, window, init.cast())
            } else {
                run_full::<f32>(args, kind, window, init)
            }
        }
        ModelArg::Rank2 => {
            if args.task != TaskArg::DelayedActivation {
                return Err(Error::invalid(
                    "task",
                    "--model rank2 trains the delayed-activation task (--task delayed-activation)",
                ));
            }
            let delay = args
                .delay_ms
                .ok_or_else(|| Error::invalid("delay-ms", "required for --model rank2"))?;
            let steps = [
                ms_to_steps("delay-ms", delay)?,
                ms_to_steps("response-ms", args.response_ms)?,
                ms_to_steps("post-ms", args.post_ms)?,
            ];
            if let Some(th) = args.early_stop {
                crate::error::check_positive("early-stop", th)?;
            }
            let init = match &args.init {
                Some(p) => network::load_rank2(p)?,
                None => Rank2Params::init(N_HIDDEN, args.seed),
            };
            if f64_mode {
                run_rank2::<f64>(args, steps, init.cast())
            } else {
                run_rank2::<f32>(args, steps, init)
            }
        }
    }
}

fn float_bytes<T: Float>() -> usize {
    std::mem::size_of::<T>()
}

fn run_full<T: Float>(
    args: &TrainArgs,
    kind: FullRankTaskKind,
    window: WindowMode,
    init: FullRankParams<f32>,
) -> Result<()> {
    let task = FullRankTask::<T>::new(kind, window)?;
    // E(lr) = max(1000, c/lr) (c = 30, post 100); no-memory 3000.
    let budget_c = match kind {
        FullRankTaskKind::Dcdt { post, .. } => Some(if post { 100.0 } else { 30.0 }),
        FullRankTaskKind::NoMemory { .. } => None,
    };
    let planned = match (args.epochs, budget_c) {
        (Some(e), _) => e as f64,
        (None, Some(c)) => (c / args.lr).max(1000.0).trunc(),
        (None, None) => 3000.0,
    };
    Cost::full_rank(
        init.n_hidden(),
        task.batch,
        task.steps,
        planned,
        float_bytes::<T>(),
    )
    .check(
        args.no_resource_limits,
        if args.epochs.is_some() {
            "epochs"
        } else {
            "lr"
        },
        match kind {
            FullRankTaskKind::Dcdt { .. } => "delay-ms",
            FullRankTaskKind::NoMemory { .. } => "window-ms",
        },
    )?;
    let epochs = args
        .epochs
        .unwrap_or_else(|| budget_c.map_or(3000, |c| epoch_budget(c, args.lr) as usize));
    let mut cfg = FullRankConfig::for_task(&kind, args.lr, epochs, args.seed);
    cfg.checkpoint_every = args.checkpoint_every;
    let run = Progress::run(epochs, args.quiet, |cb| {
        train::train_full_rank(init.cast::<T>(), task.clone(), &cfg, cb)
    })?;
    write_outputs(
        args,
        &run.history,
        &run.params,
        &run.checkpoints,
        |p| p.cast(),
        network::save_full_rank,
    )?;
    let h = &run.history;
    print_final(h);
    print_divergence(run.diverged_at, h);
    if run.aborted {
        println!("aborted: max(loss) exceeded 100 (fixed-window abort rule)");
    }
    let o = metrics::scores(&h.accuracy, &h.reliability);
    match kind {
        FullRankTaskKind::NoMemory { .. } => {
            println!(
                "outcome: {} (class {})",
                if o.final_ok { "correct" } else { "not learned" },
                metrics::fixed_window_outcome(&h.accuracy, &h.reliability).code()
            );
        }
        FullRankTaskKind::Dcdt { delay_ms, .. } => {
            let first = o
                .first_success
                .map_or("none".to_string(), |s| s.to_string());
            if run.diverged_at.is_some() {
                // A diverged run has not learned whatever its early epochs did; its
                // "stability" is not a property of learning.
                println!(
                    "outcome: learned = false (diverged), first epoch with A, R > 0.8 = {first}"
                );
            } else {
                println!(
                    "outcome: learned = {}, stable = {}, final_ok = {}, first epoch with A, R > 0.8 = {first}",
                    o.learned, o.stable, o.final_ok
                );
            }
            if o.learned {
                // The paper's classifier (spectral index of the 9x extended trial), as a
                // sweep records it.
                let rates = extended_trial_rates(
                    &run.params,
                    task.alpha.to_f64(),
                    (delay_ms / DT_MS as u32) as usize,
                    ClassifierPost::default(),
                    args.seed,
                )?;
                let n = run.params.n_hidden();
                let index = match mechanism_index(&rates, rates.len() / n, n) {
                    Ok(r) => r.index,
                    Err(Error::Numerical { .. }) => f64::NAN,
                    Err(e) => return Err(e),
                };
                let outcome = o.outcome(index);
                println!(
                    "class: {} ({}; mechanism index {index:.4})",
                    outcome.code(),
                    outcome.label().to_lowercase()
                );
            } else {
                println!(
                    "class: {} ({})",
                    o.outcome(f64::NAN).code(),
                    if run.diverged_at.is_some() {
                        "not learned: diverged"
                    } else if o.stable {
                        "no learning / final model fails"
                    } else {
                        "unstable learning"
                    }
                );
            }
        }
    }
    Ok(())
}

/// `diverged at epoch E` with the first non-finite loss or gradient norm.
fn print_divergence(diverged_at: Option<usize>, h: &History) {
    if let Some(e) = diverged_at {
        println!(
            "diverged at epoch {e}: loss {}, gradient norm {} (the learning rate is too large \
             or the initial parameters are unusable)",
            h.loss[e], h.grad_norm[e]
        );
    }
}

/// Printed precision: losses and gradient norms to 4 significant digits (scientific),
/// accuracy and reliability (rounded to 4 decimals by definition) to 4 decimals.
fn print_final(h: &History) {
    let Some(last) = h.len().checked_sub(1) else {
        println!("no epochs run");
        return;
    };
    println!(
        "epochs: {}  final loss: {:.4e}  loss/loss0: {:.4e}  grad norm: {:.4e}  accuracy: {:.4}  reliability: {:.4}",
        h.len(),
        h.loss[last],
        h.loss[last] / h.loss[0],
        h.grad_norm[last],
        h.accuracy[last],
        h.reliability[last]
    );
}

fn run_rank2<T: Float>(args: &TrainArgs, steps: [usize; 3], init: Rank2Params<f32>) -> Result<()> {
    let task = Rank2Task::<T>::from_steps(steps[0], steps[1], steps[2])?;
    let epochs = args.epochs.unwrap_or(50_000);
    Cost::rank2(
        init.n_hidden(),
        task.total(),
        epochs as f64,
        float_bytes::<T>(),
    )
    .check(args.no_resource_limits, "epochs", "delay-ms")?;
    let cfg = Rank2Config {
        lr: args.lr,
        epochs,
        early_stop: args.early_stop,
        snapshot_epochs: args.snapshot_epochs.clone(),
    };
    let run = Progress::run(epochs, args.quiet, |cb| {
        train::train_rank2(init.cast::<T>(), task.clone(), &cfg, cb)
    })?;
    write_outputs(
        args,
        &run.history,
        &run.params,
        &run.snapshots,
        |p| p.cast(),
        network::save_rank2,
    )?;
    print_final(&run.history);
    print_divergence(run.diverged_at, &run.history);
    match run.stopped_at {
        Some(e) => println!(
            "early stop: loss/loss0 < {} at epoch {e}",
            args.early_stop.unwrap_or(0.0)
        ),
        None => println!("no early stop (full budget)"),
    }
    // The final parameters, not the last epoch's pre-update forward pass, decide "learned".
    let (acc, rel) = train::rank2_scores_of(&run.params, &task);
    println!("final parameters: accuracy: {acc:.4}  reliability: {rel:.4}");
    let label = match label_rank2(&run.params, &task) {
        Ok(l) if run.diverged_at.is_none() => Some(l),
        Ok(_) | Err(Error::Numerical { .. }) => None,
        Err(e) => return Err(e),
    };
    match label {
        Some(l) if l.learned => println!(
            "outcome: learned = true (o_t > 0.5 exactly on the target-1 steps); class: {}",
            if l.rotation.is_lc {
                "1 (rotation: limit cycle)"
            } else {
                "2 (learned without rotation)"
            }
        ),
        Some(_) => println!(
            "outcome: learned = false (o_t > 0.5 not exactly on the target-1 steps); class: 0"
        ),
        None => println!("outcome: learned = false (diverged); class: 0"),
    }
    Ok(())
}
