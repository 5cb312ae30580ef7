//! The real sweep executor: trains one network with [`crate::rnn`] and classifies it
//! (SPEC 4, 5.3, 5.4, 6).
//!
//! * Full-rank experiments (`nopost`, `post`, `long-tau`, `no-memory`): f32 network of
//!   N = 100 units initialised from the network's seed, trained for the run's budget with the
//!   paper's optimiser (`no-memory`: with the abort rule); learned/unstable flags from the
//!   accuracy and reliability histories; learned DCDT networks get the mechanism index of a
//!   [`MechanismClassifier`] and class 1 (LC, index < 0.5) or 2 (SP).
//! * Rank-2 post study (`rank2-post`, `rank2-nopost`): T = delay/5 steps, 2 response steps,
//!   6 post steps or none; plain SGD; learned by SPEC 5.4; learned networks are class 1 if the
//!   classifier finds a rotation (limit cycle), else 2.
//!
//! The stored curves are the last 1000 epochs (fixed-window: the first 3000) of loss,
//! accuracy and reliability, as f32.

use super::record::RunOutcome;
use super::runner::RunExecutor;
use super::spec::{Experiment, RunSpec};
use crate::rnn::metrics::{fixed_window_class, outcome, outcome_class};
use crate::rnn::model::{FullRankParams, Rank2Params, N_HIDDEN, TAU_LONG_MS, TAU_MS};
use crate::rnn::task::{FullRankTask, FullRankTaskKind, Rank2Task, WindowMode};
use crate::rnn::train::{train_full_rank, train_rank2, FullRankConfig, History, Rank2Config};
use crate::Result;

/// Mechanism classification of trained networks (SPEC 6, 5.4).
pub trait MechanismClassifier: Sync {
    /// Mechanism index of a learned full-rank DCDT network (SPEC 6); < 0.5 means LC.
    fn full_rank_index(
        &self,
        params: &FullRankParams<f32>,
        task: &FullRankTask<f32>,
        spec: &RunSpec,
    ) -> Result<f64>;
    /// True if a learned rank-2 network's latent trajectory rotates (limit cycle, SPEC 5.4).
    fn rank2_rotates(&self, params: &Rank2Params<f32>, task: &Rank2Task<f32>) -> Result<bool>;
}

/// The training executor (`--executor train`).
pub struct TrainExecutor<C> {
    /// Accuracy-window convention (SPEC 5.2); the paper's is [`WindowMode::Reference`].
    pub window: WindowMode,
    /// Mechanism classifier for learned networks.
    pub classifier: C,
}

/// The full-rank task kind of a run.
pub fn full_rank_kind(spec: &RunSpec) -> Option<FullRankTaskKind> {
    Some(match spec.experiment {
        Experiment::NoPost => FullRankTaskKind::Dcdt {
            delay_ms: spec.delay_ms,
            post: false,
            tau_ms: TAU_MS,
        },
        Experiment::Post => FullRankTaskKind::Dcdt {
            delay_ms: spec.delay_ms,
            post: true,
            tau_ms: TAU_MS,
        },
        Experiment::LongTau => FullRankTaskKind::Dcdt {
            delay_ms: spec.delay_ms,
            post: false,
            tau_ms: TAU_LONG_MS,
        },
        Experiment::NoMemory => FullRankTaskKind::NoMemory {
            window_ms: spec.delay_ms,
        },
        Experiment::Rank2Post | Experiment::Rank2NoPost => return None,
    })
}

/// Curves to store: the last 1000 epochs, or (fixed window) the first 3000; returns the
/// start epoch and the f32 slices of loss, accuracy and reliability.
fn stored_curves(h: &History, fixed_window: bool) -> (u64, Vec<f32>, Vec<f32>, Vec<f32>) {
    let n = h.len();
    let (a, b) = if fixed_window {
        (0, n.min(3000))
    } else {
        (n.saturating_sub(1000), n)
    };
    let cut = |v: &[f64]| {
        v[a.min(v.len())..b.min(v.len())]
            .iter()
            .map(|&x| x as f32)
            .collect()
    };
    (
        a as u64,
        cut(&h.loss),
        cut(&h.accuracy),
        cut(&h.reliability),
    )
}

fn last(v: &[f64]) -> f32 {
    v.last().map(|&x| x as f32).unwrap_or(f32::NAN)
}

impl<C: MechanismClassifier> RunExecutor for TrainExecutor<C> {
    fn name(&self) -> &str {
        "train"
    }

    fn run(&self, spec: &RunSpec) -> Result<RunOutcome> {
        let epochs = spec.epochs as usize;
        if let Some(kind) = full_rank_kind(spec) {
            let task = FullRankTask::<f32>::new(kind, self.window)?;
            let params = FullRankParams::<f32>::init(N_HIDDEN, spec.seed);
            let cfg = FullRankConfig::for_task(&kind, spec.lr, epochs, spec.seed);
            let run = train_full_rank(params, task.clone(), &cfg, &mut |_, _| {})?;
            let h = &run.history;
            let (class, index) = if spec.experiment == Experiment::NoMemory {
                (fixed_window_class(&h.accuracy, &h.reliability), None)
            } else {
                let o = outcome(&h.accuracy, &h.reliability);
                if o.learned {
                    let idx = self.classifier.full_rank_index(&run.params, &task, spec)?;
                    (outcome_class(&o, idx), Some(idx))
                } else {
                    (outcome_class(&o, f64::NAN), None)
                }
            };
            let (curve_start, loss, accuracy, reliability) =
                stored_curves(h, spec.experiment == Experiment::NoMemory);
            return Ok(RunOutcome {
                epochs_run: h.len() as u64,
                class,
                index,
                final_loss: last(&h.loss),
                final_accuracy: last(&h.accuracy),
                final_reliability: last(&h.reliability),
                curve_start,
                loss,
                accuracy,
                reliability,
            });
        }
        // Rank-2 post study.
        let t_steps = (spec.delay_ms / 5) as usize;
        let post = if spec.experiment == Experiment::Rank2Post {
            6
        } else {
            0
        };
        let task = Rank2Task::<f32>::from_steps(t_steps, 2, post)?;
        let params = Rank2Params::<f32>::init(N_HIDDEN, spec.seed);
        let cfg = Rank2Config {
            lr: spec.lr,
            epochs,
            early_stop: None,
            snapshot_epochs: Vec::new(),
        };
        let run = train_rank2(params, task.clone(), &cfg, &mut |_, _| {})?;
        let learned = crate::rnn::train::rank2_learned(&run.params, &task);
        let class = if !learned {
            0
        } else if self.classifier.rank2_rotates(&run.params, &task)? {
            1
        } else {
            2
        };
        let h = &run.history;
        let (curve_start, loss, accuracy, reliability) = stored_curves(h, false);
        Ok(RunOutcome {
            epochs_run: h.len() as u64,
            class,
            index: None,
            final_loss: last(&h.loss),
            final_accuracy: last(&h.accuracy),
            final_reliability: last(&h.reliability),
            curve_start,
            loss,
            accuracy,
            reliability,
        })
    }
}

/// Whether the classifier's extended trial includes the post period (SPEC 6 step 1,
/// `--classifier-post`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClassifierPost {
    /// L = 6 + n_d + 10 even for the post experiment (the reference; default).
    #[default]
    Exclude,
    /// Add the 6 post steps for the post experiment.
    Include,
}

/// The paper's classifier: the spectral index of [`crate::analysis::mechanism_index`] on a
/// 9×-extended single trial from the network's CLASSIFY stream (SPEC 6), and the rotation
/// criterion of SPEC 5.4 for rank-2 networks.
#[derive(Debug, Clone, Copy, Default)]
pub struct SpectralClassifier {
    /// Post period in the extended trial.
    pub post: ClassifierPost,
}

/// Steps of the classifier's extended trial, T_ext = 9·L with L = 6 + n_d + 10 (+ 6 with
/// `include` for the post task) (SPEC 6 step 1).
pub fn extended_trial_steps(spec: &RunSpec, post: ClassifierPost) -> usize {
    let n_d = (spec.delay_ms / 5) as usize;
    let extra = if spec.experiment == Experiment::Post && post == ClassifierPost::Include {
        6
    } else {
        0
    };
    9 * (6 + n_d + 10 + extra)
}

/// SPEC 5.4 rotation test on the latent trajectory κ_t, t ∈ [total, 3·total): with c the
/// mean of κ over that range, the unwrapped angle of κ_t − c must sweep at least 2π, and the
/// RMS distance from c over the last `total` steps must be ≥ 0.1 × the RMS over the whole
/// range (which excludes spirals into a focus).
pub fn rank2_rotation(kappa: &[[f64; 2]], total: usize) -> bool {
    let h = 3 * total;
    if total == 0 || kappa.len() < h {
        return false;
    }
    let seg = &kappa[total..h];
    let m = seg.len() as f64;
    let c = [
        seg.iter().map(|k| k[0]).sum::<f64>() / m,
        seg.iter().map(|k| k[1]).sum::<f64>() / m,
    ];
    let d2 = |k: &[f64; 2]| (k[0] - c[0]).powi(2) + (k[1] - c[1]).powi(2);
    let rms_all = (seg.iter().map(d2).sum::<f64>() / m).sqrt();
    let last = &seg[seg.len() - total..];
    let rms_last = (last.iter().map(d2).sum::<f64>() / total as f64).sqrt();
    if rms_all.is_nan() || rms_all <= 0.0 || rms_last < 0.1 * rms_all {
        return false;
    }
    let tau = std::f64::consts::TAU;
    let mut theta = (seg[0][1] - c[1]).atan2(seg[0][0] - c[0]);
    let (mut unwrapped, mut lo, mut hi) = (0.0f64, 0.0f64, 0.0f64);
    for k in &seg[1..] {
        let a = (k[1] - c[1]).atan2(k[0] - c[0]);
        let mut d = a - theta;
        d -= tau * (d / tau).round();
        unwrapped += d;
        lo = lo.min(unwrapped);
        hi = hi.max(unwrapped);
        theta = a;
    }
    hi - lo >= tau
}

impl MechanismClassifier for SpectralClassifier {
    fn full_rank_index(
        &self,
        params: &FullRankParams<f32>,
        task: &FullRankTask<f32>,
        spec: &RunSpec,
    ) -> Result<f64> {
        let steps = extended_trial_steps(spec, self.post);
        let inputs: Vec<[f32; 2]> = (0..steps)
            .map(|t| if t < 6 { [0.0, 1.0] } else { [0.0, 0.0] })
            .collect();
        let rates = crate::rnn::model::simulate_trial(params, task.alpha, &inputs, spec.seed);
        let rates: Vec<f64> = rates.iter().map(|&x| x as f64).collect();
        Ok(crate::analysis::mechanism_index(&rates, steps, params.n_hidden())?.index)
    }

    fn rank2_rotates(&self, params: &Rank2Params<f32>, task: &Rank2Task<f32>) -> Result<bool> {
        let total = task.total();
        let roll = crate::rnn::model::rank2_rollout(params, task.alpha, 3 * total);
        let kappa: Vec<[f64; 2]> = roll
            .kappa
            .iter()
            .map(|k| [k[0] as f64, k[1] as f64])
            .collect();
        Ok(rank2_rotation(&kappa, total))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn circle(n: usize, period: f64, radius: impl Fn(usize) -> f64) -> Vec<[f64; 2]> {
        (0..n)
            .map(|t| {
                let a = std::f64::consts::TAU * t as f64 / period;
                [3.0 + radius(t) * a.cos(), -1.0 + radius(t) * a.sin()]
            })
            .collect()
    }

    #[test]
    fn rotation_criterion() {
        let total = 14;
        // A cycle of period 10 steps: several turns in [14, 42).
        assert!(rank2_rotation(&circle(3 * total + 1, 10.0, |_| 1.0), total));
        // Too slow to complete a turn within 2·total steps.
        assert!(!rank2_rotation(
            &circle(3 * total + 1, 40.0, |_| 1.0),
            total
        ));
        // Turns, then settles on the focus for the last `total` steps: the RMS distance over
        // the last steps is |mean offset| = 0.036 against 0.707 overall, below 0.1×.
        let settle = circle(
            3 * total + 1,
            5.0,
            |t| if t < 2 * total { 1.0 } else { 0.0 },
        );
        assert!(!rank2_rotation(&settle, total));
        // A slowly decaying spiral still counts as rotating.
        assert!(rank2_rotation(
            &circle(3 * total + 1, 5.0, |t| 0.98f64.powi(t as i32)),
            total
        ));
        // A fixed point.
        assert!(!rank2_rotation(&vec![[1.0, 2.0]; 3 * total + 1], total));
    }

    #[test]
    fn stored_curve_windows() {
        let h = |n: usize| History {
            loss: (0..n).map(|e| e as f64).collect(),
            grad_norm: vec![0.0; n],
            accuracy: (0..n).map(|e| e as f64).collect(),
            reliability: (0..n).map(|e| e as f64).collect(),
        };
        // DCDT: the last 1000 epochs.
        let (start, l, a, r) = stored_curves(&h(1500), false);
        assert_eq!((start, l.len(), l[0], l[999]), (500, 1000, 500.0, 1499.0));
        assert_eq!((a.len(), r.len()), (1000, 1000));
        let (start, l, _, _) = stored_curves(&h(700), false);
        assert_eq!((start, l.len()), (0, 700));
        // Fixed window: the first 3000 epochs.
        let (start, l, _, _) = stored_curves(&h(3500), true);
        assert_eq!((start, l.len(), l[2999]), (0, 3000, 2999.0));
    }

    #[test]
    fn extended_trial_length() {
        let s = RunSpec {
            experiment: Experiment::Post,
            lr: 0.1,
            delay_ms: 100,
            seed: 0,
            epochs: 1,
        };
        assert_eq!(extended_trial_steps(&s, ClassifierPost::Exclude), 9 * 36);
        assert_eq!(extended_trial_steps(&s, ClassifierPost::Include), 9 * 42);
    }
}
