//! Mechanism analysis: the spectral discrimination index, fixed and slow points with their
//! Jacobian spectra, and out-of-trial dynamics (docs/mechanism-index.md, docs/decisions.md).
//!
//! * [`index`] — the spectral mechanism index of docs/mechanism-index.md (exact PCA, sign sequence, 2-D FFT and
//!   rank-one shortcut).
//! * [`field`] — the [`field::VectorField`] trait (an autonomous [`crate::ode::System`] with
//!   its Jacobian products) and the network fields (full-rank with input off; rank-2 latent
//!   κ̇ = −κ + n tanh(mκ + b)).
//! * [`fixed_points`] — fixed and slow points by minimising q = ½‖F‖² with L-BFGS, Jacobian
//!   spectra and point types.
//! * [`out_of_trial`] — long noise-free rollout after the trial: settled / drifting /
//!   oscillating, period (autocorrelation and spectral peak) and amplitude.
//! * [`orbits`] — periodic orbits of the flow by shooting, monodromy and Floquet multipliers
//!   (docs/dynamics.md).
//! * [`bifurcation`] — continuation of fixed points (pseudo-arclength) and periodic orbits along
//!   a parameter path or between training checkpoints; fold, Hopf, SNIC and homoclinic events.
//! * [`flow`] — the third classifier: where the continuous-time flow goes after the trial (an
//!   attracting periodic orbit → LC, a fixed point after a slow passage → SP), with evidence.
//! * [`classify`] — the extended trial of docs/mechanism-index.md and the two-classifier [`classify::Verdict`];
//!   its docs list where the spectral and dynamical labels can disagree and why.
//! * [`rank2`] — automatic Fig 3C labels (docs/outcomes.md) and the per-delay Fisher comparison.
//! * [`stats`] — Fisher's exact test, Bonferroni, stars.
//! * [`studies`] — the Fig 3C rank-2 post study and the full-rank agreement study.
//! * [`tracking`] — classification of training checkpoints, SP → LC transition epoch.
//!
//! # Measured (seeds and settings in `tests/analysis_studies.rs`)
//! * Fig 3C, rank-2, lr 0.005, 500,000 epochs, seeds 0–19: with the 30 ms post period 19/19
//!   learned networks rotate at T = 30 ms and 19/19 at T = 40 ms; without it 0/20 and 0/20
//!   (two-sided Fisher p = 1.5e-11, Bonferroni ×8 p = 1.2e-10, ***). The no-post networks
//!   still turn by 3.7–5.0 rad inside the criterion's window [total, 3·total) (16 steps), and
//!   a long rollout of the latent flow from κ_total oscillates for 10/20 (30 ms) and 18/20
//!   (40 ms) of them, with periods of 17–66 steps: slow cycles that the 3·total window cannot
//!   resolve. With the post period all 19 learned networks oscillate in both analyses.
//! * 40 full-rank DCDT networks (lr 0.1, 1000 epochs, delays 20–300 ms, seeds 0–3): the
//!   spectral and dynamical labels agree on 39/40 (26/27 learned); the one disagreement
//!   (100 ms, seed 1, index 0.0106) has irregular, non-periodic after-trial activity.
//! * Fig S1 (seed-30 rank-2 network, T = 30, R = 10 steps, lr 0.01, checkpoints every 5,000
//!   epochs): SP-labelled up to epoch 80,000, LC from epoch 85,000 on (see
//!   `docs/mechanism-index.md` on how rounding can move the switch by a checkpoint).

pub mod bifurcation;
pub mod classify;
pub mod field;
pub mod fixed_points;
pub mod flow;
pub mod index;
pub mod orbits;
pub mod out_of_trial;
pub mod rank2;
pub mod stats;
pub mod studies;
pub mod tracking;

pub use field::{euler_rollout, LowRankLatentField, TanhRnnField, VectorField};
pub use fixed_points::{
    find_critical_points, CriticalPoint, FixedPointConfig, PointKind, PointType,
};
pub use index::{mechanism_index, Mechanism, SpectralResult};
