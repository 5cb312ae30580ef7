//! Mechanism tracking during training (Fig S1 story: SP manifold → transition → limit cycle).
//!
//! Checkpoints taken every K epochs are classified; [`first_transition`] reports the first
//! epoch labelled `to` that follows an epoch labelled `from`.

use super::classify::{classify_full_rank, ClassifyConfig};
use super::index::Mechanism;
use super::rank2::{label_rank2, Rank2Label};
use crate::rnn::task::Rank2Task;
use crate::rnn::train::{train_rank2, Rank2Config};
use crate::rnn::{FullRankParams, Rank2Params};

/// First epoch whose label is `to` and that comes after some epoch labelled `from` (labels in
/// increasing epoch order). None if there is no such switch.
pub fn first_transition(
    labels: &[(usize, Mechanism)],
    from: Mechanism,
    to: Mechanism,
) -> Option<usize> {
    let mut seen_from = false;
    for &(e, m) in labels {
        if m == from {
            seen_from = true;
        } else if m == to && seen_from {
            return Some(e);
        }
    }
    None
}

/// One classified rank-2 checkpoint.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rank2Checkpoint {
    /// Epoch at whose start the parameters were taken.
    pub epoch: usize,
    /// docs/outcomes.md labels.
    pub label: Rank2Label,
    /// LC if the rotation criterion holds, else SP.
    pub mechanism: Mechanism,
}

/// Train a rank-2 network for `epochs` epochs at `lr`, snapshot every `every` epochs (and at
/// the end) and label each snapshot with the docs/outcomes.md rotation criterion.
pub fn track_rank2(
    init: Rank2Params<f32>,
    task: Rank2Task<f32>,
    lr: f64,
    epochs: usize,
    every: usize,
) -> crate::Result<Vec<Rank2Checkpoint>> {
    if every == 0 {
        return Err(crate::Error::invalid("every", "must be at least 1 epoch"));
    }
    let cfg = Rank2Config {
        lr,
        epochs,
        early_stop: None,
        snapshot_epochs: (0..epochs).step_by(every).collect(),
    };
    let run = train_rank2(init, task.clone(), &cfg, &mut |_, _| {})?;
    let mut snaps = run.snapshots;
    snaps.push((epochs, run.params));
    snaps
        .iter()
        .map(|(e, p)| {
            let label = label_rank2(p, &task)?;
            Ok(Rank2Checkpoint {
                epoch: *e,
                label,
                mechanism: if label.rotation.is_lc {
                    Mechanism::LimitCycle
                } else {
                    Mechanism::SlowPoint
                },
            })
        })
        .collect()
}

/// Classify full-rank checkpoints (e.g. from `FullRankConfig::checkpoint_every`) with both
/// classifiers: (epoch, index, spectral label, dynamical label).
pub fn track_full_rank(
    checkpoints: &[(usize, FullRankParams<f32>)],
    alpha: f64,
    delay_steps: usize,
    seed: u64,
    cfg: &ClassifyConfig,
) -> crate::Result<Vec<(usize, f64, Mechanism, Mechanism)>> {
    checkpoints
        .iter()
        .map(|(e, p)| {
            let v = classify_full_rank(p, alpha, delay_steps, seed, cfg)?;
            Ok((
                *e,
                v.spectral.index,
                v.spectral_label(),
                v.dynamical_label(),
            ))
        })
        .collect()
}
