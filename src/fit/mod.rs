//! Fitting: power laws with honest uncertainty, nonlinear least squares and onset models.
//!
//! * [`power_law`] — log-log OLS (`beta`, SE, R², p, 95 % CI) and the seeded Monte-Carlo band
//!   (docs/fits.md).
//! * [`lm`] — MINPACK `lmdif` Levenberg–Marquardt, as scipy's `curve_fit` (docs/fits.md).
//! * [`onset`] — exponential-saturation, logistic and transposed-logistic onset models.
//! * [`phase_table`] — the `lr,delay_ms,n,not_learned,limit_cycle,slow_point` table.
//! * [`scaling`] — the paper's two-step critical-boundary fits with their named setups, and a
//!   bootstrap over networks.
//! * [`mle`] — a binomial maximum-likelihood estimator of the exponent from raw counts.
//! * [`boundary_fits`] — both fits of one boundary, as the sweep figures show them.

pub mod boundary_fits;
pub mod estimator;
pub mod lm;
pub mod mle;
pub mod onset;
pub mod phase_table;
pub mod power_law;
pub mod scaling;

pub use boundary_fits::BoundaryFits;
pub use estimator::{bootstrap_beta, resample_table, BootstrapCi, Method};
pub use lm::{curve_fit, lmdif, FitError, LmOptions, LmResult, LmStatus};
pub use mle::{fit_mle, MleOptions, MleResult, MleRow};
pub use onset::{exp_saturation, logistic, transposed_logistic, OnsetModel};
pub use phase_table::{PhaseCell, PhaseTable, PHASE_HEADER};
pub use power_law::{fit_power_law, power_law_band, PowerLawBand, PowerLawFit};
pub use scaling::{
    boundary_rows, two_step, Boundary, BoundaryRow, Experiment, RowStatus, ScalingSetup,
    TwoStepResult,
};
