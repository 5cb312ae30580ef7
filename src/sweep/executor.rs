//! The real sweep executor: trains one network with [`crate::rnn`] and classifies it
//! (docs/training.md, docs/outcomes.md, docs/mechanism-index.md).
//!
//! * Full-rank experiments (`nopost`, `post`, `long-tau`, `no-memory`): f32 network of
//!   N = 100 units initialised from the network's seed, trained for the run's budget with the
//!   paper's optimiser (`no-memory`: with the abort rule); learned/unstable flags from the
//!   accuracy and reliability histories; learned DCDT networks get the mechanism index of a
//!   [`MechanismClassifier`] and class 1 (LC, index < 0.5) or 2 (SP).
//! * Rank-2 post study (`rank2-post`, `rank2-nopost`): T = delay/5 steps, 2 response steps,
//!   6 post steps or none; plain SGD; labels of docs/outcomes.md: class 0 not learned, 1 learned and
//!   rotating (limit cycle), 2 learned without rotation.
//!
//! The stored curves are the last 1000 epochs (fixed-window: the first 3000) of loss,
//! accuracy and reliability, as f32.

use super::record::RunOutcome;
use super::runner::RunExecutor;
use super::spec::{Experiment, RunSpec};
use crate::analysis::classify::{extended_trial_rates, ClassifierPost};
use crate::analysis::mechanism_index;
use crate::analysis::rank2::label_rank2;
use crate::outcome::Outcome;
use crate::rnn::metrics::{fixed_window_outcome, scores};
use crate::rnn::model::{FullRankParams, Rank2Params, N_HIDDEN, TAU_LONG_MS, TAU_MS};
use crate::rnn::task::{FullRankTask, FullRankTaskKind, Rank2Task, WindowMode};
use crate::rnn::train::{train_full_rank, train_rank2, FullRankConfig, History, Rank2Config};
use crate::Result;

/// Mechanism classification of trained networks (docs/mechanism-index.md, docs/outcomes.md).
pub trait MechanismClassifier: Sync {
    /// Mechanism index of a learned full-rank DCDT network (docs/mechanism-index.md); below
    /// [`crate::outcome::INDEX_THRESHOLD`] means LC.
    fn full_rank_index(
        &self,
        params: &FullRankParams<f32>,
        task: &FullRankTask<f32>,
        spec: &RunSpec,
    ) -> Result<f64>;
    /// Outcome of a trained rank-2 network (docs/outcomes.md): not learned, learned and rotating
    /// ([`Outcome::LimitCycle`]), or learned without rotation ([`Outcome::NoRotation`]).
    fn rank2_outcome(&self, params: &Rank2Params<f32>, task: &Rank2Task<f32>) -> Result<Outcome>;
}

/// The training executor (`--executor train`).
pub struct TrainExecutor<C> {
    /// Accuracy-window convention (docs/outcomes.md); the paper's is [`WindowMode::Reference`].
    pub window: WindowMode,
    /// Mechanism classifier for learned networks.
    pub classifier: C,
}

/// The full-rank task kind of a run.
pub fn full_rank_kind(spec: &RunSpec) -> Option<FullRankTaskKind> {
    let dcdt = |post, tau_ms| FullRankTaskKind::Dcdt {
        delay_ms: spec.delay_ms,
        post,
        tau_ms,
    };
    Some(match spec.experiment {
        Experiment::NoPost => dcdt(false, TAU_MS),
        Experiment::Post => dcdt(true, TAU_MS),
        Experiment::LongTau => dcdt(false, TAU_LONG_MS),
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
            let (outcome, index) = if spec.experiment == Experiment::NoMemory {
                (fixed_window_outcome(&h.accuracy, &h.reliability), None)
            } else {
                let o = scores(&h.accuracy, &h.reliability);
                if o.learned {
                    // A numerical failure of the classifier gives a NaN index, which docs/mechanism-index.md
                    // labels SP; the record's index is then null.
                    let idx = match self.classifier.full_rank_index(&run.params, &task, spec) {
                        Ok(x) => x,
                        Err(crate::Error::Numerical { .. }) => f64::NAN,
                        Err(e) => return Err(e),
                    };
                    (o.outcome(idx), Some(idx).filter(|x| x.is_finite()))
                } else {
                    (o.outcome(f64::NAN), None)
                }
            };
            return Ok(run_outcome(
                h,
                outcome,
                index,
                spec.experiment == Experiment::NoMemory,
            ));
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
        let outcome = self.classifier.rank2_outcome(&run.params, &task)?;
        Ok(run_outcome(&run.history, outcome, None, false))
    }
}

/// The outcome of a trained network from its history: epochs, final metrics and the stored
/// curves (the first epochs for the fixed-window control, else the last ones).
fn run_outcome(
    h: &History,
    outcome: Outcome,
    index: Option<f64>,
    fixed_window: bool,
) -> RunOutcome {
    let (curve_start, loss, accuracy, reliability) = stored_curves(h, fixed_window);
    RunOutcome {
        epochs_run: h.len() as u64,
        outcome,
        index,
        final_loss: last(&h.loss),
        final_accuracy: last(&h.accuracy),
        final_reliability: last(&h.reliability),
        curve_start,
        loss,
        accuracy,
        reliability,
    }
}

/// The paper's classifier: the spectral index of [`crate::analysis::mechanism_index`] on the
/// 9×-extended single trial of [`crate::analysis::classify::extended_trial_rates`] (CLASSIFY
/// stream of the network's seed, docs/mechanism-index.md), and the docs/outcomes.md labels of
/// [`crate::analysis::rank2::label_rank2`] for rank-2 networks.
#[derive(Debug, Clone, Copy, Default)]
pub struct SpectralClassifier {
    /// Post period in the extended trial (`--classifier-post`).
    pub post: ClassifierPost,
}

impl MechanismClassifier for SpectralClassifier {
    fn full_rank_index(
        &self,
        params: &FullRankParams<f32>,
        task: &FullRankTask<f32>,
        spec: &RunSpec,
    ) -> Result<f64> {
        let delay_steps = (spec.delay_ms / 5) as usize;
        // The extra post steps of `include` only apply to the post task.
        let post = if spec.experiment == Experiment::Post {
            self.post
        } else {
            ClassifierPost::Exclude
        };
        let rates =
            extended_trial_rates(params, f64::from(task.alpha), delay_steps, post, spec.seed)?;
        let steps = rates.len() / params.n_hidden();
        Ok(mechanism_index(&rates, steps, params.n_hidden())?.index)
    }

    fn rank2_outcome(&self, params: &Rank2Params<f32>, task: &Rank2Task<f32>) -> Result<Outcome> {
        let label = match label_rank2(params, task) {
            Ok(l) => l,
            // A diverged network (non-finite latent state) has not learned.
            Err(crate::Error::Numerical { .. }) => return Ok(Outcome::NotLearned),
            Err(e) => return Err(e),
        };
        Ok(match (label.learned, label.rotation.is_lc) {
            (false, _) => Outcome::NotLearned,
            (true, true) => Outcome::LimitCycle,
            (true, false) => Outcome::NoRotation,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
