//! Training loops (docs/training.md): full-rank SGD with momentum and weight decay, rank-2 plain SGD,
//! per-epoch histories, the rank-2 early stop and the fixed-window abort rule.

use super::float::Float;
use super::full_rank::{EpochNoise, EpochStats, FullRankWorkspace};
use super::model::{FullRankParams, Rank2Params};
use super::optim::{sgd_step, SgdMomentum};
use super::rank2::Rank2Workspace;
use super::rng::{self, Stream, StreamRng};
use super::task::{FullRankTask, FullRankTaskKind, Rank2Task};

/// Per-epoch logs (docs/training.md); all vectors have one entry per completed epoch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// Loss of the epoch's forward pass (before the update).
    pub loss: Vec<f64>,
    /// ‖∂L/∂W_rec‖_F (full-rank) or the global gradient norm (rank-2).
    pub grad_norm: Vec<f64>,
    /// Accuracy (full-rank: docs/outcomes.md; rank-2: fraction of steps with 𝟙[o_t > 0.5] = y_t).
    pub accuracy: Vec<f64>,
    /// Reliability (full-rank: docs/outcomes.md; rank-2: mean of o_t on target-1 steps and 1 − o_t
    /// on target-0 steps).
    pub reliability: Vec<f64>,
}

impl History {
    fn push(&mut self, s: &EpochStats) {
        self.loss.push(s.loss);
        self.grad_norm.push(s.grad_norm);
        self.accuracy.push(s.accuracy);
        self.reliability.push(s.reliability);
    }

    /// Number of logged epochs.
    pub fn len(&self) -> usize {
        self.loss.len()
    }

    /// True if nothing was logged.
    pub fn is_empty(&self) -> bool {
        self.loss.is_empty()
    }
}

/// Validate a learning rate (finite, > 0).
pub fn check_lr(lr: f64) -> crate::Result<f64> {
    crate::error::check_positive("lr", lr)
}

/// Full-rank trainer state: parameters, optimiser, TRAIN stream and workspace.
///
/// One [`FullRankTrainer::step`] = draw ξ, ε from the TRAIN stream, forward all trials,
/// loss and metrics (pre-update), BPTT, one SGD-momentum step (docs/training.md).
#[derive(Debug, Clone)]
pub struct FullRankTrainer<T> {
    /// Current parameters.
    pub params: FullRankParams<T>,
    /// The task.
    pub task: FullRankTask<T>,
    /// The optimiser (μ = 0.9, λ = 1e-7 by default).
    pub optimizer: SgdMomentum<T>,
    grads: FullRankParams<T>,
    ws: FullRankWorkspace<T>,
    noise: EpochNoise<T>,
    rng: StreamRng,
    /// Completed epochs.
    pub epoch: usize,
    /// Logs of the completed epochs.
    pub history: History,
}

impl<T: Float> FullRankTrainer<T> {
    /// A trainer with the paper's optimiser at learning rate `lr`, noise from the TRAIN
    /// stream of `seed`.
    pub fn new(
        params: FullRankParams<T>,
        task: FullRankTask<T>,
        lr: f64,
        seed: u64,
    ) -> crate::Result<Self> {
        check_lr(lr)?;
        params.validate()?;
        super::kernels::active()?;
        let n = params.n_hidden();
        let (b, l) = (task.batch, task.steps);
        Ok(FullRankTrainer {
            grads: FullRankParams::zeros(n),
            ws: FullRankWorkspace::new(n, b, l),
            noise: EpochNoise::new(n, b, l),
            rng: rng::stream(seed, Stream::Train),
            optimizer: SgdMomentum::paper(T::from_f64(lr)),
            params,
            task,
            epoch: 0,
            history: History::default(),
        })
    }

    /// Run one epoch and log it; returns its statistics.
    pub fn step(&mut self) -> EpochStats {
        let (n, b, l) = (self.params.n_hidden(), self.task.batch, self.task.steps);
        self.noise.draw(&mut self.rng, n, b, l);
        let stats = self
            .ws
            .run(&self.params, &self.task, &self.noise, Some(&mut self.grads));
        let g = self.grads.tensors();
        self.optimizer.step(&mut self.params.tensors_mut(), &g);
        self.history.push(&stats);
        self.epoch += 1;
        stats
    }

    /// Gradients of the last epoch (without weight decay).
    pub fn last_gradients(&self) -> &FullRankParams<T> {
        &self.grads
    }
}

/// Options of a full-rank run.
#[derive(Debug, Clone, PartialEq)]
pub struct FullRankConfig {
    /// Learning rate η.
    pub lr: f64,
    /// Epoch budget.
    pub epochs: usize,
    /// Network seed (TRAIN stream).
    pub seed: u64,
    /// Abort after any epoch where max(loss history) exceeds this value (NaN-blind, docs/training.md);
    /// `Some(100.0)` for the fixed-window task, `None` otherwise.
    pub abort_above: Option<f64>,
    /// Store parameters at the start of every epoch that is a multiple of this (0 = never).
    pub checkpoint_every: usize,
}

impl FullRankConfig {
    /// Defaults for a task: abort rule only for the no-memory task.
    pub fn for_task(kind: &FullRankTaskKind, lr: f64, epochs: usize, seed: u64) -> Self {
        FullRankConfig {
            lr,
            epochs,
            seed,
            abort_above: matches!(kind, FullRankTaskKind::NoMemory { .. }).then_some(100.0),
            checkpoint_every: 0,
        }
    }
}

/// Result of a full-rank run.
#[derive(Debug, Clone)]
pub struct FullRankRun<T> {
    /// Final parameters.
    pub params: FullRankParams<T>,
    /// Per-epoch logs.
    pub history: History,
    /// True if the fixed-window abort rule fired.
    pub aborted: bool,
    /// (epoch, parameters at the start of that epoch) checkpoints.
    pub checkpoints: Vec<(usize, FullRankParams<T>)>,
    /// First epoch whose loss or gradient norm was not finite (the run diverged), if any.
    pub diverged_at: Option<usize>,
}

/// Record `e` as the divergence epoch if it is the first with a non-finite loss or gradient.
fn note_divergence(diverged_at: &mut Option<usize>, e: usize, s: &EpochStats) {
    if diverged_at.is_none() && !(s.loss.is_finite() && s.grad_norm.is_finite()) {
        *diverged_at = Some(e);
    }
}

/// Train a full-rank network (docs/training.md). `progress(epoch, stats)` is called after every
/// epoch.
pub fn train_full_rank<T: Float>(
    params: FullRankParams<T>,
    task: FullRankTask<T>,
    cfg: &FullRankConfig,
    progress: &mut dyn FnMut(usize, &EpochStats),
) -> crate::Result<FullRankRun<T>> {
    let mut tr = FullRankTrainer::new(params, task, cfg.lr, cfg.seed)?;
    let mut checkpoints = Vec::new();
    let mut max_loss = f64::NEG_INFINITY;
    let mut seen_nan = false;
    let mut aborted = false;
    let mut diverged_at = None;
    for e in 0..cfg.epochs {
        if cfg.checkpoint_every > 0 && e % cfg.checkpoint_every == 0 {
            checkpoints.push((e, tr.params.clone()));
        }
        let s = tr.step();
        note_divergence(&mut diverged_at, e, &s);
        progress(e, &s);
        if let Some(limit) = cfg.abort_above {
            if s.loss.is_nan() {
                seen_nan = true;
            } else {
                max_loss = max_loss.max(s.loss);
            }
            if !seen_nan && max_loss > limit {
                aborted = true;
                break;
            }
        }
    }
    Ok(FullRankRun {
        params: tr.params,
        history: tr.history,
        aborted,
        checkpoints,
        diverged_at,
    })
}

/// Options of a rank-2 run.
#[derive(Debug, Clone, PartialEq)]
pub struct Rank2Config {
    /// Learning rate η.
    pub lr: f64,
    /// Epoch budget.
    pub epochs: usize,
    /// Stop after the step and the append once loss_e/loss_0 < this (Fig 2 runs: 1e-4).
    pub early_stop: Option<f64>,
    /// Epochs at whose start the parameters are stored (Fig S1: 40,000, 67,000, 130,000).
    pub snapshot_epochs: Vec<usize>,
}

/// Result of a rank-2 run.
#[derive(Debug, Clone)]
pub struct Rank2Run<T> {
    /// Final parameters.
    pub params: Rank2Params<T>,
    /// Per-epoch logs.
    pub history: History,
    /// Epoch whose loss first satisfied the early-stop rule (the last logged epoch), if any.
    pub stopped_at: Option<usize>,
    /// (epoch, parameters at the start of that epoch).
    pub snapshots: Vec<(usize, Rank2Params<T>)>,
    /// First epoch whose loss or gradient norm was not finite (the run diverged), if any.
    pub diverged_at: Option<usize>,
}

/// Rank-2 trainer state (plain SGD, docs/training.md).
#[derive(Debug, Clone)]
pub struct Rank2Trainer<T> {
    /// Current parameters.
    pub params: Rank2Params<T>,
    /// The task.
    pub task: Rank2Task<T>,
    /// Learning rate.
    pub lr: T,
    grads: Rank2Params<T>,
    ws: Rank2Workspace<T>,
    /// Logs.
    pub history: History,
}

impl<T: Float> Rank2Trainer<T> {
    /// New trainer at learning rate `lr`.
    pub fn new(params: Rank2Params<T>, task: Rank2Task<T>, lr: f64) -> crate::Result<Self> {
        check_lr(lr)?;
        params.validate()?;
        super::kernels::active()?;
        Ok(Rank2Trainer {
            grads: params.clone(),
            ws: Rank2Workspace::new(params.n_hidden(), task.total()),
            params,
            task,
            lr: T::from_f64(lr),
            history: History::default(),
        })
    }

    /// One epoch: forward, loss, BPTT, θ ← θ − η∇θ; logs and returns the stats.
    pub fn step(&mut self) -> EpochStats {
        let (loss, norm) = self.ws.run(&self.params, &self.task, Some(&mut self.grads));
        let (acc, rel) = rank2_scores(self.ws.outputs(), &self.task.targets);
        let g = self.grads.trainable();
        sgd_step(self.lr, &mut self.params.trainable_mut(), &g);
        let s = EpochStats {
            loss,
            accuracy: acc,
            reliability: rel,
            grad_norm: norm,
        };
        self.history.push(&s);
        s
    }
}

fn rank2_scores<T: Float>(o: &[T], y: &[T]) -> (f64, f64) {
    let n = o.len() as f64;
    let mut acc = 0.0;
    let mut rel = 0.0;
    for (&o, &y) in o.iter().zip(y) {
        let (o, y) = (o.to_f64(), y.to_f64());
        let hit = (o > 0.5) == (y > 0.5);
        acc += f64::from(u8::from(hit));
        rel += if y > 0.5 { o } else { 1.0 - o };
    }
    (acc / n, rel / n)
}

/// Train a rank-2 network (docs/training.md). `progress(epoch, stats)` after every epoch.
pub fn train_rank2<T: Float>(
    params: Rank2Params<T>,
    task: Rank2Task<T>,
    cfg: &Rank2Config,
    progress: &mut dyn FnMut(usize, &EpochStats),
) -> crate::Result<Rank2Run<T>> {
    let mut tr = Rank2Trainer::new(params, task, cfg.lr)?;
    let mut snapshots = Vec::new();
    let mut stopped_at = None;
    let mut loss0 = f64::NAN;
    let mut diverged_at = None;
    for e in 0..cfg.epochs {
        if cfg.snapshot_epochs.contains(&e) {
            snapshots.push((e, tr.params.clone()));
        }
        let s = tr.step();
        note_divergence(&mut diverged_at, e, &s);
        if e == 0 {
            loss0 = s.loss;
        }
        progress(e, &s);
        if let Some(th) = cfg.early_stop {
            if s.loss / loss0 < th {
                stopped_at = Some(e);
                break;
            }
        }
    }
    Ok(Rank2Run {
        params: tr.params,
        history: tr.history,
        stopped_at,
        snapshots,
        diverged_at,
    })
}

/// Accuracy and reliability of the given rank-2 parameters on the task (one forward pass;
/// the history's values are those before each epoch's update).
pub fn rank2_scores_of<T: Float>(params: &Rank2Params<T>, task: &Rank2Task<T>) -> (f64, f64) {
    let mut ws = Rank2Workspace::new(params.n_hidden(), task.total());
    ws.run(params, task, None);
    rank2_scores(ws.outputs(), &task.targets)
}

/// Rank-2 "learned" criterion (docs/outcomes.md): with the given parameters, o_t > 0.5 exactly on
/// the steps where y_t = 1.
pub fn rank2_learned<T: Float>(params: &Rank2Params<T>, task: &Rank2Task<T>) -> bool {
    let mut ws = Rank2Workspace::new(params.n_hidden(), task.total());
    ws.run(params, task, None);
    ws.outputs()
        .iter()
        .zip(&task.targets)
        .all(|(&o, &y)| (o.to_f64() > 0.5) == (y.to_f64() > 0.5))
}
