//! Reproducible studies built from the trainer and both classifiers: the Fig 3C rank-2 post
//! study (docs/outcomes.md) and the spectral-vs-dynamical agreement on trained full-rank networks.
//! Networks run in parallel (rayon); every network is deterministic given its seed.

use super::classify::{classify_full_rank, ClassifyConfig, Verdict};
use super::field::LowRankLatentField;
use super::fixed_points::{
    find_critical_points, starts_from_trajectory, CriticalPoint, FixedPointConfig,
};
use super::index::Mechanism;
use super::rank2::{label_rank2, Rank2Label};
use crate::rnn::metrics::scores;
use crate::rnn::model::{alpha, rank2_rollout, TAU_MS};
use crate::rnn::task::{FullRankTask, FullRankTaskKind, Rank2Task, WindowMode};
use crate::rnn::train::{train_full_rank, train_rank2, FullRankConfig, Rank2Config};
use crate::rnn::{FullRankParams, Rank2Params};
use rayon::prelude::*;

/// One trained network of the rank-2 post study.
#[derive(Debug, Clone)]
pub struct Rank2StudyNet {
    /// Delay T, steps.
    pub delay_steps: usize,
    /// Trained with the 6-step post period.
    pub post: bool,
    /// Seed.
    pub seed: u64,
    /// docs/outcomes.md labels.
    pub label: Rank2Label,
    /// Final loss.
    pub final_loss: f64,
    /// Final parameters.
    pub params: Rank2Params<f32>,
}

/// The rank-2 task of the post study: T zeros, 2 ones, then 6 zeros with the post period
/// (total T + 8) or nothing without it (total T + 2) (docs/tasks.md).
pub fn post_study_task(delay_steps: usize, post: bool) -> crate::Result<Rank2Task<f32>> {
    Rank2Task::from_steps(delay_steps, 2, if post { 6 } else { 0 })
}

/// Epoch budget of the post study: 500,000 for T ∈ {6, 8}, else 1,500,000 (docs/tasks.md).
pub fn post_study_budget(delay_steps: usize) -> usize {
    if delay_steps <= 8 {
        500_000
    } else {
        1_500_000
    }
}

/// Train and label every (delay, post, seed) network of the rank-2 post study at learning rate
/// `lr` with `epochs(delay)` epochs (parallel over networks).
pub fn rank2_post_study(
    delays: &[usize],
    seeds: &[u64],
    lr: f64,
    epochs: &(dyn Fn(usize) -> usize + Sync),
) -> crate::Result<Vec<Rank2StudyNet>> {
    let jobs: Vec<(usize, bool, u64)> = delays
        .iter()
        .flat_map(|&d| {
            [true, false]
                .into_iter()
                .flat_map(move |p| seeds.iter().map(move |&s| (d, p, s)))
        })
        .collect();
    jobs.par_iter()
        .map(|&(d, post, seed)| {
            let task = post_study_task(d, post)?;
            let cfg = Rank2Config {
                lr,
                epochs: epochs(d),
                early_stop: None,
                snapshot_epochs: vec![],
            };
            let run = train_rank2(
                Rank2Params::<f32>::init(100, seed),
                task.clone(),
                &cfg,
                &mut |_, _| {},
            )?;
            let label = label_rank2(&run.params, &task)?;
            Ok(Rank2StudyNet {
                delay_steps: d,
                post,
                seed,
                label,
                final_loss: run.history.loss.last().copied().unwrap_or(f64::NAN),
                params: run.params,
            })
        })
        .collect()
}

/// Fixed and slow points of a rank-2 network in its latent plane κ (docs/models.md), from starts
/// along its rollout over 3·`total` steps and a 7×7 grid over the rollout's range.
pub fn rank2_latent_points(
    p: &Rank2Params<f32>,
    total: usize,
    cfg: &FixedPointConfig,
) -> crate::Result<Vec<CriticalPoint>> {
    let field = LowRankLatentField::from_rank2(p)?;
    find_critical_points(&field, &rank2_latent_starts(p, total), cfg)
}

/// Starts of the rank-2 latent fixed-point search: 24 states of the noise-free latent rollout
/// over 3× the trial (`total` steps) and a 7 × 7 grid over its bounding box widened by 1.
pub fn rank2_latent_starts(p: &Rank2Params<f32>, total: usize) -> Vec<Vec<f64>> {
    let p64: Rank2Params<f64> = p.cast();
    let ro = rank2_rollout(&p64, alpha(TAU_MS), 3 * total);
    let flat: Vec<f64> = ro.kappa.iter().flat_map(|k| [k[0], k[1]]).collect();
    let mut starts = starts_from_trajectory(&flat, 2, 24);
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for k in &ro.kappa {
        for d in 0..2 {
            lo[d] = lo[d].min(k[d]);
            hi[d] = hi[d].max(k[d]);
        }
    }
    for i in 0..7 {
        for j in 0..7 {
            let a = lo[0] - 1.0 + (hi[0] - lo[0] + 2.0) * i as f64 / 6.0;
            let b = lo[1] - 1.0 + (hi[1] - lo[1] + 2.0) * j as f64 / 6.0;
            starts.push(vec![a, b]);
        }
    }
    starts
}

/// One trained full-rank network with both labels.
#[derive(Debug, Clone)]
pub struct FullRankStudyNet {
    /// Delay, ms.
    pub delay_ms: u32,
    /// Learning rate.
    pub lr: f64,
    /// Seed.
    pub seed: u64,
    /// docs/outcomes.md learned.
    pub learned: bool,
    /// Both classifiers.
    pub verdict: Verdict,
    /// Final parameters.
    pub params: FullRankParams<f32>,
}

impl FullRankStudyNet {
    /// Spectral label.
    pub fn spectral(&self) -> Mechanism {
        self.verdict.spectral_label()
    }
    /// Dynamical label.
    pub fn dynamical(&self) -> Mechanism {
        self.verdict.dynamical_label()
    }
}

/// Train full-rank DCDT networks (no post, τ = 10 ms, reference window) for every
/// (delay, lr, seed) and run both classifiers on each (parallel over networks).
pub fn full_rank_agreement_study(
    jobs: &[(u32, f64, u64)],
    epochs: usize,
    cfg: &ClassifyConfig,
) -> crate::Result<Vec<FullRankStudyNet>> {
    jobs.par_iter()
        .map(|&(delay_ms, lr, seed)| {
            let kind = FullRankTaskKind::Dcdt {
                delay_ms,
                post: false,
                tau_ms: TAU_MS,
            };
            let task = FullRankTask::<f32>::new(kind, WindowMode::Reference)?;
            let tcfg = FullRankConfig::for_task(&kind, lr, epochs, seed);
            let run = train_full_rank(
                FullRankParams::<f32>::init(100, seed),
                task,
                &tcfg,
                &mut |_, _| {},
            )?;
            let learned = scores(&run.history.accuracy, &run.history.reliability).learned;
            let nd = (delay_ms / 5) as usize;
            let verdict = classify_full_rank(&run.params, alpha(TAU_MS), nd, seed, cfg)?;
            Ok(FullRankStudyNet {
                delay_ms,
                lr,
                seed,
                learned,
                verdict,
                params: run.params,
            })
        })
        .collect()
}
