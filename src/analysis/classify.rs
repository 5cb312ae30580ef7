//! Two classifiers, one verdict: the spectral index (docs/mechanism-index.md) and the dynamical classifier
//! (out-of-trial rollout plus fixed points), run on the same extended trial; optionally a
//! third, the flow classifier of [`super::flow`] (periodic orbit or fixed point of the
//! continuous-time flow from the same state r_L).
//!
//! # The extended trial (docs/mechanism-index.md steps 1–2)
//! L = 6 + n_d + 10 steps (no post period, even for networks trained with one; with
//! [`ClassifierPost::Include`] 6 more), T_ext = 9L; input = class-0 cue [0, 1] for steps 0…5,
//! then zeros; noise σ = 0.001 and r_0 = tanh(0.1 ξ) drawn from the network's CLASSIFY
//! stream, so the labels are deterministic. F = r_1…r_{T_ext} in f64.
//!
//! # The dynamical classifier
//! From the state at the end of the in-trial part (r_L of the same run) the network is rolled
//! on noise-free with the input off for [`OutOfTrialConfig::steps`] steps and the tail is
//! judged settled / drifting / oscillating ([`super::out_of_trial`]); oscillating → LC, else SP.
//! Optionally the fixed and slow points are found from starts along the trial and the
//! rollout, giving the distance from the final state to the nearest fixed point.
//!
//! # Where the two can disagree, and why
//! * **Slow limit cycles.** The index only sees 9L steps; a cycle with period P ≳ 3L puts its
//!   power inside the radius-3 disk (bin 9L/P ≤ 3) and reads SP, while the rollout finds a
//!   periodic tail (LC).
//! * **Long transients.** A slowly decaying spiral into a stable focus, or a long ghost
//!   passage that switches s_t several times within 9L, can give a low index (LC) although
//!   the rollout settles (SP). Conversely a trajectory that is still drifting at the end of the
//!   rollout is called SP by the dynamics.
//! * **Small cycles on an offset.** The index projects the *uncentred* rates and uses only
//!   sign(P₁ − P₂); an oscillation whose amplitude is smaller than the offset of P₁ − P₂ never
//!   changes the sign and reads SP (index ≈ 1); the rollout (which centres the tail) sees LC.
//! * **Noise.** The index trial has σ = 0.001 noise, the rollout is noise-free; near a
//!   bifurcation (a barely stable focus) noise can sustain oscillations the deterministic
//!   dynamics damp.
//! * **Threshold.** Indices near 0.5 are fragile by construction (docs/mechanism-index.md).

use super::field::TanhRnnField;
use super::fixed_points::{
    find_critical_points, starts_from_trajectory, CriticalPoint, FixedPointConfig, PointKind,
};
use super::flow::{classify_flow, FlowConfig, FlowVerdict};
use super::index::{mechanism_index, Mechanism, SpectralResult};
use super::out_of_trial::{out_of_trial, OutOfTrial, OutOfTrialConfig};
use crate::rnn::model::DT_MS;
use crate::rnn::{simulate_trial, Float, FullRankParams};

/// Cue length (steps, docs/tasks.md).
pub const CUE_STEPS: usize = 6;
/// Response length (steps, docs/tasks.md).
pub const RESPONSE_STEPS: usize = 10;
/// Post-period length (steps, docs/tasks.md).
pub const POST_STEPS: usize = 6;
/// The extended trial is this many trial lengths long (docs/mechanism-index.md).
pub const EXTENSION_FACTOR: usize = 9;

/// Whether the classifier's trial includes the post period (`--classifier-post`, docs/mechanism-index.md, docs/decisions.md
/// item 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClassifierPost {
    /// L = 6 + n_d + 10 (reference default).
    #[default]
    Exclude,
    /// L = 6 + n_d + 10 + 6.
    Include,
}

impl std::str::FromStr for ClassifierPost {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        match s {
            "exclude" => Ok(ClassifierPost::Exclude),
            "include" => Ok(ClassifierPost::Include),
            other => Err(crate::Error::unknown(
                "classifier-post",
                other,
                &["exclude", "include"],
            )),
        }
    }
}

/// Trial length L (steps) of the classifier's trial for a delay of `delay_steps` (docs/mechanism-index.md step 1).
pub fn classifier_trial_len(delay_steps: usize, post: ClassifierPost) -> usize {
    CUE_STEPS
        + delay_steps
        + RESPONSE_STEPS
        + match post {
            ClassifierPost::Exclude => 0,
            ClassifierPost::Include => POST_STEPS,
        }
}

/// Inputs of the extended trial: T_ext = 9L steps, class-0 cue [0, 1] for steps 0…5, then 0.
pub fn extended_trial_inputs<T: Float>(delay_steps: usize, post: ClassifierPost) -> Vec<[T; 2]> {
    let l = classifier_trial_len(delay_steps, post);
    (0..EXTENSION_FACTOR * l)
        .map(|t| {
            if t < CUE_STEPS {
                [T::zero(), T::one()]
            } else {
                [T::zero(), T::zero()]
            }
        })
        .collect()
}

/// The extended-trial rates F (T_ext × N, f64) of a full-rank network, simulated in the
/// parameters' precision with the CLASSIFY stream of `seed` (docs/mechanism-index.md step 2).
pub fn extended_trial_rates<T: Float>(
    p: &FullRankParams<T>,
    alpha: f64,
    delay_steps: usize,
    post: ClassifierPost,
    seed: u64,
) -> crate::Result<Vec<f64>> {
    p.validate()?;
    crate::error::check_positive("alpha", alpha)?;
    let inputs = extended_trial_inputs::<T>(delay_steps, post);
    let rates = simulate_trial(p, T::from_f64(alpha), &inputs, seed);
    Ok(rates.iter().map(|x| x.to_f64()).collect())
}

/// Settings of [`classify_full_rank`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClassifyConfig {
    /// Classifier trial with or without the post period.
    pub post: ClassifierPost,
    /// Out-of-trial rollout settings.
    pub rollout: OutOfTrialConfig,
    /// Fixed-point search settings; `None` skips the search.
    pub fixed_points: Option<FixedPointConfig>,
    /// Number of trajectory states used as fixed-point starts (default 0 means 32).
    pub n_starts: usize,
    /// The flow classifier ([`super::flow`]); `None` (the default) skips it.
    pub flow: Option<FlowConfig>,
}

/// The two labels of one network and their comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The spectral classifier (index, label, signs, axes, projection).
    pub spectral: SpectralResult,
    /// The out-of-trial classifier.
    pub dynamical: OutOfTrial,
    /// Fixed and slow points (empty if the search was skipped).
    pub points: Vec<CriticalPoint>,
    /// Distance from the rollout's final state to the nearest fixed point (None if no search
    /// or no fixed point).
    pub nearest_fixed_point: Option<f64>,
    /// Trial length L used (steps).
    pub trial_len: usize,
    /// The extended-trial rates (T_ext × N).
    pub rates: Vec<f64>,
    /// The out-of-trial rollout (steps × N), starting after r_L.
    pub rollout: Vec<f64>,
    /// The flow classifier's verdict from r_L (None unless [`ClassifyConfig::flow`] is set).
    pub flow: Option<FlowVerdict>,
}

impl Verdict {
    /// Spectral label.
    pub fn spectral_label(&self) -> Mechanism {
        self.spectral.label
    }
    /// Dynamical label.
    pub fn dynamical_label(&self) -> Mechanism {
        self.dynamical.label
    }
    /// True if both labels agree.
    pub fn agree(&self) -> bool {
        self.spectral.label == self.dynamical.label
    }
    /// Period of the limit cycle in ms (None unless the dynamics oscillate).
    pub fn period_ms(&self) -> Option<f64> {
        self.dynamical.period_ms(DT_MS)
    }
}

/// Run both classifiers on a full-rank network trained on the DCDT with a delay of
/// `delay_steps` (n_d), leak `alpha`, network seed `seed` (CLASSIFY stream).
pub fn classify_full_rank<T: Float>(
    p: &FullRankParams<T>,
    alpha: f64,
    delay_steps: usize,
    seed: u64,
    cfg: &ClassifyConfig,
) -> crate::Result<Verdict> {
    let n = p.n_hidden();
    let rates = extended_trial_rates(p, alpha, delay_steps, cfg.post, seed)?;
    let t_ext = rates.len() / n;
    let l = classifier_trial_len(delay_steps, cfg.post);
    let spectral = mechanism_index(&rates, t_ext, n)?;
    let field = TanhRnnField::from_params(p)?;
    let r_l = &rates[(l - 1) * n..l * n];
    let (dynamical, rollout) = out_of_trial(&field, r_l, alpha, &cfg.rollout)?;
    let (points, nearest_fixed_point) = match &cfg.fixed_points {
        None => (Vec::new(), None),
        Some(fp) => {
            let k = if cfg.n_starts == 0 { 32 } else { cfg.n_starts };
            let mut starts = starts_from_trajectory(&rates, n, k / 2);
            starts.extend(starts_from_trajectory(&rollout, n, k - k / 2));
            let pts = find_critical_points(&field, &starts, fp)?;
            let near = nearest_fixed_distance(&pts, &dynamical.final_state);
            (pts, near)
        }
    };
    let flow = match &cfg.flow {
        None => None,
        Some(fc) => Some(classify_flow(&field, r_l, fc)?),
    };
    Ok(Verdict {
        spectral,
        dynamical,
        points,
        nearest_fixed_point,
        trial_len: l,
        rates,
        rollout,
        flow,
    })
}

/// Euclidean distance from `x` to the nearest point of kind [`PointKind::Fixed`].
pub fn nearest_fixed_distance(points: &[CriticalPoint], x: &[f64]) -> Option<f64> {
    points
        .iter()
        .filter(|p| p.kind == PointKind::Fixed)
        .map(|p| {
            p.x.iter()
                .zip(x)
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>()
                .sqrt()
        })
        .min_by(|a, b| a.total_cmp(b))
}
