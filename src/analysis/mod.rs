//! Mechanism analysis: the spectral discrimination index, fixed and slow points with their
//! Jacobian spectra, and out-of-trial dynamics (SPEC 6, 10 items 3, 5, 14).
//!
//! * [`index`] — the spectral mechanism index of SPEC 6 (exact PCA, sign sequence, 2-D FFT and
//!   rank-one shortcut).
//! * [`field`] — the [`field::VectorField`] trait and the network fields (full-rank with input
//!   off; rank-2 latent κ̇ = −κ + n tanh(mκ + b)).
//! * [`fixed_points`] — fixed and slow points by minimising q = ½‖F‖² with L-BFGS.

pub mod classify;
pub mod field;
pub mod fixed_points;
pub mod index;
pub mod out_of_trial;
pub mod rank2;
pub mod stats;
pub mod studies;

pub use field::{euler_rollout, LowRankLatentField, TanhRnnField, VectorField};
pub use fixed_points::{
    find_critical_points, CriticalPoint, FixedPointConfig, PointKind, PointType,
};
pub use index::{mechanism_index, Mechanism, SpectralResult};
