//! Automatic labels of trained rank-2 networks for Fig 3C (docs/outcomes.md, docs/decisions.md).
//!
//! * **learned** — at the final epoch o_t > 0.5 exactly on the steps where y_t = 1;
//! * **LC** — on κ_t for t ∈ [total, H), H = 3·total, with c the mean of κ over that range:
//!   the unwrapped angle of κ_t − c reaches |θ_t − θ_total| ≥ 2π, **and** the RMS distance
//!   from c over the last `total` steps is ≥ 0.1 × the RMS over the whole range (which
//!   excludes spirals into a focus).

use super::stats::{bonferroni, fisher_exact_two_sided, stars};
use crate::rnn::model::TAU_MS;
use crate::rnn::task::Rank2Task;
use crate::rnn::{alpha, rank2_rollout, Float, Rank2Params};

/// The rotation criterion of one rank-2 network.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Rank2Rotation {
    /// max_t |θ_t − θ_total| of the unwrapped angle of κ_t − c over [total, 3·total), radians.
    pub max_dtheta: f64,
    /// RMS distance from c over the last `total` steps divided by the RMS over the whole range.
    pub late_rms_ratio: f64,
    /// max_dtheta ≥ 2π and late_rms_ratio ≥ 0.1.
    pub is_lc: bool,
}

/// Apply the docs/outcomes.md LC criterion to a latent trajectory κ_0…κ_{H'} (H' ≥ 3·total − 1).
/// Errors if the trajectory is too short or total = 0.
pub fn rank2_rotation(kappa: &[[f64; 2]], total: usize) -> crate::Result<Rank2Rotation> {
    let h = 3 * total;
    if total == 0 || kappa.len() < h {
        return Err(crate::Error::invalid(
            "kappa",
            format!(
                "need at least 3·total = {h} latent states, got {}",
                kappa.len()
            ),
        ));
    }
    let seg = &kappa[total..h];
    let m = seg.len() as f64;
    let c = [
        seg.iter().map(|k| k[0]).sum::<f64>() / m,
        seg.iter().map(|k| k[1]).sum::<f64>() / m,
    ];
    let mut theta0 = None;
    let mut prev = 0.0;
    let mut unwrapped = 0.0;
    let mut max_dtheta: f64 = 0.0;
    for k in seg {
        let a = (k[1] - c[1]).atan2(k[0] - c[0]);
        match theta0 {
            None => {
                theta0 = Some(a);
                unwrapped = a;
            }
            Some(t0) => {
                let mut d = a - prev;
                while d > std::f64::consts::PI {
                    d -= 2.0 * std::f64::consts::PI;
                }
                while d < -std::f64::consts::PI {
                    d += 2.0 * std::f64::consts::PI;
                }
                unwrapped += d;
                max_dtheta = max_dtheta.max((unwrapped - t0).abs());
            }
        }
        prev = a;
    }
    let rms = |s: &[[f64; 2]]| {
        (s.iter()
            .map(|k| (k[0] - c[0]).powi(2) + (k[1] - c[1]).powi(2))
            .sum::<f64>()
            / s.len() as f64)
            .sqrt()
    };
    let all = rms(seg);
    let late = rms(&seg[seg.len() - total..]);
    let late_rms_ratio = if all > 0.0 { late / all } else { 0.0 };
    Ok(Rank2Rotation {
        max_dtheta,
        late_rms_ratio,
        is_lc: max_dtheta >= 2.0 * std::f64::consts::PI && late_rms_ratio >= 0.1,
    })
}

/// docs/outcomes.md "learned": o_t > 0.5 exactly on the steps with y_t = 1 (readout after the update,
/// t = 0…total−1, f64 rollout of the given parameters).
pub fn rank2_is_learned<T: Float>(p: &Rank2Params<T>, task: &Rank2Task<T>) -> bool {
    let p64: Rank2Params<f64> = p.cast();
    let ro = rank2_rollout(&p64, alpha(TAU_MS), task.total());
    ro.output
        .iter()
        .zip(&task.targets)
        .all(|(o, y)| (*o > 0.5) == (y.to_f64() == 1.0))
}

/// Label of one trained rank-2 network for Fig 3C.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Rank2Label {
    /// docs/outcomes.md learned criterion.
    pub learned: bool,
    /// The rotation criterion (computed for every network).
    pub rotation: Rank2Rotation,
}

/// Label a rank-2 network on its task: learned criterion and rotation over 3·total steps
/// (f64 rollout from its x_0).
pub fn label_rank2<T: Float>(p: &Rank2Params<T>, task: &Rank2Task<T>) -> crate::Result<Rank2Label> {
    p.validate()?;
    let total = task.total();
    let p64: Rank2Params<f64> = p.cast();
    let ro = rank2_rollout(&p64, alpha(TAU_MS), 3 * total);
    if ro
        .kappa
        .iter()
        .any(|k| !k[0].is_finite() || !k[1].is_finite())
    {
        return Err(crate::Error::numerical(
            "rank-2 rollout",
            "latent state is not finite",
        ));
    }
    Ok(Rank2Label {
        learned: rank2_is_learned(p, task),
        rotation: rank2_rotation(&ro.kappa, total)?,
    })
}

/// LC counts per condition and the Fisher comparison of one delay (Fig 3C bar pair).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Fig3cRow {
    /// Delay T, steps.
    pub delay_steps: usize,
    /// (learned, LC among learned) with the post period.
    pub post: (usize, usize),
    /// (learned, LC among learned) without the post period.
    pub no_post: (usize, usize),
    /// Two-sided Fisher exact p on [[LC_post, SP_post], [LC_nopost, SP_nopost]].
    pub p: f64,
    /// Bonferroni-corrected p (× `n_tests`).
    pub p_adjusted: f64,
    /// Stars of the corrected p.
    pub stars: &'static str,
}

impl Fig3cRow {
    /// Build from the labels of both conditions; `n_tests` = 8 in the paper (8 delays).
    pub fn new(
        delay_steps: usize,
        post: &[Rank2Label],
        no_post: &[Rank2Label],
        n_tests: usize,
    ) -> Self {
        let count = |ls: &[Rank2Label]| {
            let learned: Vec<_> = ls.iter().filter(|l| l.learned).collect();
            (
                learned.len(),
                learned.iter().filter(|l| l.rotation.is_lc).count(),
            )
        };
        let (lp, cp) = count(post);
        let (ln, cn) = count(no_post);
        let p = fisher_exact_two_sided(cp as u64, (lp - cp) as u64, cn as u64, (ln - cn) as u64);
        let p_adjusted = bonferroni(p, n_tests);
        Fig3cRow {
            delay_steps,
            post: (lp, cp),
            no_post: (ln, cn),
            p,
            p_adjusted,
            stars: stars(p_adjusted),
        }
    }

    /// LC fraction among learned networks (NaN if none learned): (post, no post).
    pub fn fractions(&self) -> (f64, f64) {
        let f = |(l, c): (usize, usize)| {
            if l == 0 {
                f64::NAN
            } else {
                c as f64 / l as f64
            }
        };
        (f(self.post), f(self.no_post))
    }
}
