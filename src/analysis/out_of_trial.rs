//! Out-of-trial dynamics: does activity settle or keep oscillating after the trial?
//! (docs/mechanism-index.md, "Idea": SP trajectories slow down and converge, LC trajectories keep
//! rotating.)
//!
//! The network is rolled forward noise-free with its input off ([`euler_rollout`]) for many
//! trial lengths, and the **tail** of that rollout (its last `tail` steps) is analysed:
//!
//! * RMS radius of the tail about its centroid, ρ = √(mean_t ‖x_t − x̄‖²);
//! * the scalar signal y_t = (x_t − x̄)·u, u = the tail's first principal axis;
//! * its normalised autocorrelation A(τ); the **period** is the lag of the first local
//!   maximum of A after its first zero crossing (parabolic interpolation), and that maximum's
//!   height measures how periodic the tail is;
//! * the spectral peak of y (largest non-DC |DFT|², interpolated), an independent period;
//! * amplitude = (max y − min y)/2 along u.
//!
//! Verdict ([`Asymptote`]): **settled** if ρ < `settle_rms`; **oscillating** if the
//! autocorrelation peak is ≥ `min_acf_peak`; otherwise **drifting** (still moving but not
//! periodic: a slow passage or irregular activity). Oscillating → LC, otherwise SP.

#![allow(clippy::needless_range_loop)]

use super::field::{euler_rollout, VectorField};
use super::index::Mechanism;
use rustfft::{num_complex::Complex, FftPlanner};

/// Settings of the out-of-trial analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct OutOfTrialConfig {
    /// Rollout length after the starting state, steps (default 4000).
    pub steps: usize,
    /// Number of final steps analysed (default 2000).
    pub tail: usize,
    /// RMS radius below which the tail counts as settled (default 1e-4).
    pub settle_rms: f64,
    /// Autocorrelation peak at or above which the tail counts as periodic (default 0.5).
    pub min_acf_peak: f64,
}

impl Default for OutOfTrialConfig {
    fn default() -> Self {
        OutOfTrialConfig {
            steps: 4000,
            tail: 2000,
            settle_rms: 1e-4,
            min_acf_peak: 0.5,
        }
    }
}

/// The asymptotic behaviour of the tail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Asymptote {
    /// Converged: RMS radius below tolerance (a stable fixed point).
    Settled,
    /// Still moving, not periodic (slow passage, irregular activity).
    Drifting,
    /// Periodic: a limit cycle (or a long-lived oscillation).
    Oscillating,
}

/// Result of [`analyse_tail`] / [`out_of_trial`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OutOfTrial {
    /// Settled / drifting / oscillating.
    pub asymptote: Asymptote,
    /// LC if oscillating, otherwise SP.
    pub label: Mechanism,
    /// RMS radius of the tail about its centroid (state units).
    pub tail_rms: f64,
    /// Amplitude (max − min)/2 of the tail along its first principal axis.
    pub amplitude: f64,
    /// Period from the autocorrelation, steps (None if no peak).
    pub period_steps: Option<f64>,
    /// Height of that autocorrelation peak in [−1, 1] (NaN if none).
    pub acf_peak: f64,
    /// Period from the spectral peak of the tail signal, steps (None if no power).
    pub spectral_period_steps: Option<f64>,
    /// Speed ‖x_T − x_{T−1}‖ of the last step (state units per step).
    pub final_step: f64,
    /// The last state of the rollout.
    pub final_state: Vec<f64>,
}

impl OutOfTrial {
    /// Period in ms for a time step of `dt_ms` (docs/tasks.md: 5 ms).
    pub fn period_ms(&self, dt_ms: f64) -> Option<f64> {
        self.period_steps.map(|p| p * dt_ms)
    }
}

/// Analyse the last `cfg.tail` rows of a (T × dim) row-major trajectory (see module docs).
/// Errors if the trajectory is empty, ragged or non-finite.
pub fn analyse_tail(traj: &[f64], dim: usize, cfg: &OutOfTrialConfig) -> crate::Result<OutOfTrial> {
    if dim == 0 || traj.is_empty() || !traj.len().is_multiple_of(dim) {
        return Err(crate::Error::invalid(
            "trajectory",
            format!("{} values do not form rows of {dim}", traj.len()),
        ));
    }
    if traj.iter().any(|v| !v.is_finite()) {
        return Err(crate::Error::numerical(
            "out-of-trial rollout",
            "state diverged (non-finite)",
        ));
    }
    let t = traj.len() / dim;
    let w = cfg.tail.min(t).max(2.min(t));
    let tail = &traj[(t - w) * dim..];
    let row = |i: usize| &tail[i * dim..(i + 1) * dim];
    let mut mean = vec![0.0; dim];
    for i in 0..w {
        for (m, v) in mean.iter_mut().zip(row(i)) {
            *m += v / w as f64;
        }
    }
    let mut ss = 0.0;
    for i in 0..w {
        ss += row(i)
            .iter()
            .zip(&mean)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>();
    }
    let tail_rms = (ss / w as f64).sqrt();
    let final_state = row(w - 1).to_vec();
    let final_step = if w >= 2 {
        row(w - 1)
            .iter()
            .zip(row(w - 2))
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            .sqrt()
    } else {
        0.0
    };
    // First principal axis of the centred tail (power iteration on the covariance, started
    // from the largest-variance coordinate for determinism).
    let mut cov = vec![0.0; dim * dim];
    for i in 0..w {
        let r = row(i);
        for a in 0..dim {
            let da = r[a] - mean[a];
            if da == 0.0 {
                continue;
            }
            for b in 0..dim {
                cov[a * dim + b] += da * (r[b] - mean[b]);
            }
        }
    }
    let mut u = vec![0.0; dim];
    let best = (0..dim)
        .max_by(|&a, &b| cov[a * dim + a].total_cmp(&cov[b * dim + b]))
        .unwrap_or(0);
    u[best] = 1.0;
    for _ in 0..200 {
        let mut nu = vec![0.0; dim];
        for a in 0..dim {
            nu[a] = (0..dim).map(|b| cov[a * dim + b] * u[b]).sum();
        }
        let norm = nu.iter().map(|v| v * v).sum::<f64>().sqrt();
        if norm == 0.0 {
            break;
        }
        nu.iter_mut().for_each(|v| *v /= norm);
        u = nu;
    }
    let y: Vec<f64> = (0..w)
        .map(|i| {
            row(i)
                .iter()
                .zip(&mean)
                .zip(&u)
                .map(|((a, m), c)| (a - m) * c)
                .sum()
        })
        .collect();
    let (ymin, ymax) = y
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let amplitude = 0.5 * (ymax - ymin);
    let (period_steps, acf_peak) = acf_period(&y);
    let spectral_period_steps = spectral_period(&y);
    let asymptote = if tail_rms < cfg.settle_rms {
        Asymptote::Settled
    } else if acf_peak >= cfg.min_acf_peak {
        Asymptote::Oscillating
    } else {
        Asymptote::Drifting
    };
    let label = if asymptote == Asymptote::Oscillating {
        Mechanism::LimitCycle
    } else {
        Mechanism::SlowPoint
    };
    Ok(OutOfTrial {
        asymptote,
        label,
        tail_rms,
        amplitude,
        period_steps: if asymptote == Asymptote::Oscillating {
            period_steps
        } else {
            None
        },
        acf_peak,
        spectral_period_steps,
        final_step,
        final_state,
    })
}

/// Period from the normalised autocorrelation of a zero-mean signal: the first local maximum
/// after the first zero crossing, refined by a parabola through the three samples around it.
/// Returns (period, peak height); (None, NaN) without such a peak.
pub fn acf_period(y: &[f64]) -> (Option<f64>, f64) {
    let w = y.len();
    let c0: f64 = y.iter().map(|v| v * v).sum();
    if w < 4 || c0 == 0.0 {
        return (None, f64::NAN);
    }
    let max_lag = w / 2;
    // Unbiased normalisation so that a pure sinusoid has peaks ≈ 1 at every period.
    let acf: Vec<f64> = (0..=max_lag)
        .map(|k| {
            let s: f64 = (0..w - k).map(|i| y[i] * y[i + k]).sum();
            s / (w - k) as f64 / (c0 / w as f64)
        })
        .collect();
    let Some(zero) = acf.iter().position(|&a| a <= 0.0) else {
        return (None, f64::NAN);
    };
    for k in zero.max(1)..max_lag {
        if acf[k] > acf[k - 1] && acf[k] >= acf[k + 1] && acf[k] > 0.0 {
            let (a, b, c) = (acf[k - 1], acf[k], acf[k + 1]);
            let den = a - 2.0 * b + c;
            let off = if den != 0.0 { 0.5 * (a - c) / den } else { 0.0 };
            return (Some(k as f64 + off), b);
        }
    }
    (None, f64::NAN)
}

/// Period (steps) of the largest non-DC spectral peak of `y`, with parabolic interpolation of
/// log-power around the peak bin; None if the signal has no power.
pub fn spectral_period(y: &[f64]) -> Option<f64> {
    let w = y.len();
    if w < 4 {
        return None;
    }
    let mut buf: Vec<Complex<f64>> = y.iter().map(|&v| Complex::new(v, 0.0)).collect();
    FftPlanner::new().plan_fft_forward(w).process(&mut buf);
    let p: Vec<f64> = buf[..=w / 2].iter().map(|c| c.norm_sqr()).collect();
    let (k, &pk) = p
        .iter()
        .enumerate()
        .skip(1)
        .max_by(|a, b| a.1.total_cmp(b.1))?;
    if pk <= 0.0 {
        return None;
    }
    let mut kf = k as f64;
    if k + 1 < p.len() && p[k - 1] > 0.0 && p[k + 1] > 0.0 {
        let (a, b, c) = (p[k - 1].ln(), pk.ln(), p[k + 1].ln());
        let den = a - 2.0 * b + c;
        if den != 0.0 {
            kf += 0.5 * (a - c) / den;
        }
    }
    Some(w as f64 / kf)
}

/// Roll `field` forward from `x0` with Euler step `alpha` (the network's own update, input off,
/// noise-free) for `cfg.steps` steps and analyse the tail.
pub fn out_of_trial<V: VectorField + ?Sized>(
    field: &V,
    x0: &[f64],
    alpha: f64,
    cfg: &OutOfTrialConfig,
) -> crate::Result<(OutOfTrial, Vec<f64>)> {
    if x0.len() != field.dim() {
        return Err(crate::Error::invalid(
            "x0",
            format!(
                "has {} entries, the field has dim {}",
                x0.len(),
                field.dim()
            ),
        ));
    }
    crate::error::check_positive("alpha", alpha)?;
    if cfg.steps < 4 {
        return Err(crate::Error::invalid(
            "steps",
            "need at least 4 rollout steps",
        ));
    }
    let traj = euler_rollout(field, x0, alpha, cfg.steps);
    let res = analyse_tail(&traj, field.dim(), cfg)?;
    Ok((res, traj))
}
