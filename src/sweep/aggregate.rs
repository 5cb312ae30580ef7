//! Aggregates of sweep records for figures (docs/fits.md): cell fractions, per-class learning
//! curves (mean ± SEM) and mechanism-index samples.

use super::phase::PhaseTable;
use super::record::RunRecord;
use super::spec::Experiment;
use crate::outcome::{Mechanism, Outcome};

/// Per-cell fractions `(f_fail, f_LC, f_SP)`; for the no-memory control `(f_not, f_learned, 0)`.
pub fn cell_fractions(table: &PhaseTable) -> Vec<(f64, f64, f64)> {
    table
        .cells
        .iter()
        .map(|c| {
            let n = c.n.max(1) as f64;
            let fail = c.not_learned as f64 / n;
            match (c.limit_cycle, c.slow_point) {
                (Some(lc), Some(sp)) => (fail, lc as f64 / n, sp as f64 / n),
                _ => (fail, 1.0 - fail, 0.0),
            }
        })
        .collect()
}

/// Which per-epoch curve of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Loss.
    Loss,
    /// Accuracy.
    Accuracy,
    /// Reliability.
    Reliability,
}

/// Mean ± SEM of one class's curves.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassCurve {
    /// The outcome whose networks these are.
    pub outcome: Outcome,
    /// Networks in the class.
    pub n: usize,
    /// Mean over networks with a finite value at each position (NaN where none).
    pub mean: Vec<f64>,
    /// Standard error std/√n (population std, over the same networks).
    pub sem: Vec<f64>,
}

/// The learning rate in `records` (of `experiment`) closest to `lr` in log scale.
pub fn nearest_lr(records: &[RunRecord], experiment: Experiment, lr: f64) -> Option<f64> {
    records
        .iter()
        .filter(|r| r.experiment == experiment)
        .map(|r| r.lr)
        .min_by(|a, b| {
            (a.ln() - lr.ln())
                .abs()
                .total_cmp(&(b.ln() - lr.ln()).abs())
        })
}

/// Mean ± SEM curves per class at learning rate `lr`, pooled over delays (docs/fits.md).
///
/// DCDT curves (the last epochs) are right-aligned, fixed-window curves (the first epochs)
/// left-aligned; shorter curves count as missing (NaN padding) where they have no value.
/// `classes` lists the classes to return, in order; a class with no network gets `n = 0` and
/// empty vectors.
pub fn class_curves(
    records: &[RunRecord],
    experiment: Experiment,
    lr: f64,
    metric: Metric,
    classes: &[Outcome],
) -> Vec<ClassCurve> {
    let left = experiment == Experiment::NoMemory;
    classes
        .iter()
        .map(|&outcome| {
            let curves: Vec<&Vec<f32>> = records
                .iter()
                .filter(|r| r.experiment == experiment && r.lr == lr && r.outcome == outcome)
                .map(|r| match metric {
                    Metric::Loss => &r.loss_curve,
                    Metric::Accuracy => &r.accuracy_curve,
                    Metric::Reliability => &r.reliability_curve,
                })
                .collect();
            let len = curves.iter().map(|c| c.len()).max().unwrap_or(0);
            let mut mean = vec![f64::NAN; len];
            let mut sem = vec![f64::NAN; len];
            for i in 0..len {
                let vals: Vec<f64> = curves
                    .iter()
                    .filter_map(|c| {
                        let j = if left {
                            Some(i)
                        } else {
                            (i + c.len()).checked_sub(len)
                        };
                        j.and_then(|j| c.get(j)).map(|&v| v as f64)
                    })
                    .filter(|v| v.is_finite())
                    .collect();
                if vals.is_empty() {
                    continue;
                }
                let n = vals.len() as f64;
                let m = vals.iter().sum::<f64>() / n;
                let var = vals.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / n;
                mean[i] = m;
                sem[i] = (var / n).sqrt();
            }
            ClassCurve {
                outcome,
                n: curves.len(),
                mean,
                sem,
            }
        })
        .collect()
}

/// Mechanism indices of every learned network of `mechanism` in `experiment`.
pub fn index_values(
    records: &[RunRecord],
    experiment: Experiment,
    mechanism: Mechanism,
) -> Vec<f64> {
    records
        .iter()
        .filter(|r| r.experiment == experiment && r.outcome.mechanism() == Some(mechanism))
        .filter_map(|r| r.index)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::record::RunOutcome;
    use crate::sweep::spec::RunSpec;

    fn rec(seed: u64, outcome: Outcome, loss: Vec<f32>) -> RunRecord {
        let spec = RunSpec {
            experiment: Experiment::NoPost,
            lr: 0.1,
            delay_ms: 20 * seed as u32,
            seed,
            epochs: 1000,
        };
        RunRecord::new(
            &spec,
            RunOutcome {
                epochs_run: 1000,
                outcome,
                index: None,
                final_loss: 0.0,
                final_accuracy: 0.0,
                final_reliability: 0.0,
                curve_start: 0,
                loss,
                accuracy: vec![],
                reliability: vec![],
            },
            0.0,
        )
    }

    #[test]
    fn mean_and_sem_by_hand() {
        let rs = vec![
            rec(0, Outcome::LimitCycle, vec![1.0, 2.0]),
            rec(1, Outcome::LimitCycle, vec![3.0, f32::NAN]),
            rec(2, Outcome::SlowPoint, vec![5.0]),
        ];
        let c = class_curves(
            &rs,
            Experiment::NoPost,
            0.1,
            Metric::Loss,
            &[Outcome::LimitCycle, Outcome::SlowPoint, Outcome::NotLearned],
        );
        assert_eq!(c[0].n, 2);
        assert_eq!(c[0].mean, vec![2.0, 2.0]);
        assert_eq!(c[0].sem, vec![(1.0f64 / 2.0).sqrt(), 0.0]);
        // Right-aligned: the single value sits at the end.
        assert!(c[1].mean.len() == 1 && c[1].mean[0] == 5.0);
        assert_eq!(c[2].n, 0);
    }
}
