//! `dynphase train`: train one full-rank or rank-2 RNN on one of the paper's tasks.
//!
//! Examples:
//! ```text
//! dynphase train --model full --task dcdt --delay-ms 200 --lr 0.1 --seed 0 --history h.csv --save net.npz
//! dynphase train --model rank2 --task delayed-activation --delay-ms 75 --response-ms 10 \
//!     --lr 0.1 --epochs 2001 --init tests/data/rank2_seed30_init.json --history h.csv
//! dynphase train --model full --task no-memory --window-ms 200 --lr 0.1 --seed 0
//! ```

use crate::io::{history, network};
use crate::rnn::float::Float;
use crate::rnn::full_rank::EpochStats;
use crate::rnn::metrics;
use crate::rnn::model::{FullRankParams, Rank2Params, N_HIDDEN};
use crate::rnn::task::{epoch_budget, FullRankTask, FullRankTaskKind, Rank2Task, WindowMode};
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
}

fn finite_nonneg(name: &str, v: f64) -> Result<f64> {
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(Error::invalid(
            name,
            format!("must be a finite non-negative number, got {v}"),
        ))
    }
}

fn whole_ms(name: &str, v: f64) -> Result<u32> {
    finite_nonneg(name, v)?;
    if v.fract() != 0.0 || v > 1e7 {
        return Err(Error::invalid(
            name,
            format!("must be a whole number of ms, got {v}"),
        ));
    }
    Ok(v as u32)
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
}

/// Run `dynphase train`.
pub fn run(args: &TrainArgs) -> Result<()> {
    train::check_lr(args.lr)?;
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
                        delay_ms: whole_ms(
                            "delay-ms",
                            args.delay_ms.ok_or_else(|| {
                                Error::invalid("delay-ms", "required for --task dcdt")
                            })?,
                        )?,
                        post: args.post,
                        tau_ms: crate::error::check_positive("tau-ms", args.tau_ms)?,
                    },
                    TaskArg::NoMemory => FullRankTaskKind::NoMemory {
                        window_ms: whole_ms(
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
            finite_nonneg("delay-ms", delay)?;
            finite_nonneg("response-ms", args.response_ms)?;
            finite_nonneg("post-ms", args.post_ms)?;
            if let Some(th) = args.early_stop {
                crate::error::check_positive("early-stop", th)?;
            }
            let init = match &args.init {
                Some(p) => network::load_rank2(p)?,
                None => Rank2Params::init(N_HIDDEN, args.seed),
            };
            if f64_mode {
                run_rank2::<f64>(args, init.cast())
            } else {
                run_rank2::<f32>(args, init)
            }
        }
    }
}

fn run_full<T: Float>(
    args: &TrainArgs,
    kind: FullRankTaskKind,
    window: WindowMode,
    init: FullRankParams<f32>,
) -> Result<()> {
    let task = FullRankTask::<T>::new(kind, window)?;
    let epochs = args.epochs.unwrap_or(match kind {
        FullRankTaskKind::Dcdt { post, .. } => {
            epoch_budget(args.lr, if post { 100.0 } else { 30.0 })
        }
        FullRankTaskKind::NoMemory { .. } => 3000,
    });
    let mut cfg = FullRankConfig::for_task(&kind, args.lr, epochs, args.seed);
    cfg.checkpoint_every = if args.save.is_some() {
        args.checkpoint_every
    } else {
        0
    };
    let progress = Progress::new(epochs, args.quiet);
    let run = train::train_full_rank(init.cast::<T>(), task, &cfg, &mut |e, s| {
        progress.update(e, s)
    })?;
    progress.finish();
    if let Some(h) = &args.history {
        history::write_csv(h, &run.history)?;
    }
    if let Some(s) = &args.save {
        network::save_full_rank(s, &run.params.cast())?;
        for (e, p) in &run.checkpoints {
            network::save_full_rank(&sibling(s, *e), &p.cast())?;
        }
    }
    let h = &run.history;
    print_final(h);
    if run.aborted {
        println!("aborted: max(loss) exceeded 100 (fixed-window abort rule)");
    }
    let o = metrics::outcome(&h.accuracy, &h.reliability);
    match kind {
        FullRankTaskKind::NoMemory { .. } => {
            println!(
                "outcome: {} (class {})",
                if o.final_ok { "correct" } else { "not learned" },
                metrics::fixed_window_class(&h.accuracy, &h.reliability)
            );
        }
        FullRankTaskKind::Dcdt { .. } => {
            println!(
                "outcome: learned = {}, stable = {}, final_ok = {}, first epoch with A, R > 0.8 = {}",
                o.learned,
                o.stable,
                o.final_ok,
                o.first_success.map_or("none".to_string(), |s| s.to_string())
            );
            if o.learned {
                println!("class: 1 (LC) or 2 (SP) — the mechanism index needs `dynphase classify`");
            } else {
                println!(
                    "class: {} ({})",
                    metrics::outcome_class(&o, f64::NAN),
                    if o.stable {
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

fn print_final(h: &History) {
    let Some(last) = h.len().checked_sub(1) else {
        println!("no epochs run");
        return;
    };
    println!(
        "epochs: {}  final loss: {:.6e}  loss/loss0: {:.4e}  grad norm: {:.4e}  accuracy: {}  reliability: {}",
        h.len(),
        h.loss[last],
        h.loss[last] / h.loss[0],
        h.grad_norm[last],
        h.accuracy[last],
        h.reliability[last]
    );
}

fn run_rank2<T: Float>(args: &TrainArgs, init: Rank2Params<f32>) -> Result<()> {
    let task =
        Rank2Task::<T>::from_ms(args.delay_ms.unwrap_or(0.0), args.response_ms, args.post_ms)?;
    let epochs = args.epochs.unwrap_or(50_000);
    let cfg = Rank2Config {
        lr: args.lr,
        epochs,
        early_stop: args.early_stop,
        snapshot_epochs: if args.save.is_some() {
            args.snapshot_epochs.clone()
        } else {
            vec![]
        },
    };
    let progress = Progress::new(epochs, args.quiet);
    let run = train::train_rank2(init.cast::<T>(), task.clone(), &cfg, &mut |e, s| {
        progress.update(e, s)
    })?;
    progress.finish();
    if let Some(h) = &args.history {
        history::write_csv(h, &run.history)?;
    }
    if let Some(s) = &args.save {
        network::save_rank2(s, &run.params.cast())?;
        for (e, p) in &run.snapshots {
            network::save_rank2(&sibling(s, *e), &p.cast())?;
        }
    }
    print_final(&run.history);
    match run.stopped_at {
        Some(e) => println!(
            "early stop: loss/loss0 < {} at epoch {e}",
            args.early_stop.unwrap_or(0.0)
        ),
        None => println!("no early stop (full budget)"),
    }
    println!(
        "outcome: learned = {} (o_t > 0.5 exactly on the target-1 steps); the mechanism (LC or none) needs `dynphase classify`",
        train::rank2_learned(&run.params, &task)
    );
    Ok(())
}
