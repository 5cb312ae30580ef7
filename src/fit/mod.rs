//! Fitting: power laws with honest uncertainty, nonlinear least squares and onset models.

pub mod power_law;

pub use power_law::{fit_power_law, PowerLawFit};
