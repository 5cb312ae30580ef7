//! Ordinary differential equations: the [`System`] trait, allocation-free fixed-step
//! integrators ([`Euler`], [`Rk4`]), adaptive Dormand–Prince integration through the
//! `ode_solvers` crate ([`integrate_adaptive`], [`Method`]) and location of threshold crossings
//! ([`find_crossings`], [`first_crossing`]).
//!
//! Every toy model of docs/toy-theory.md is integrated through this module, so the numeric loss, r*, r_NL
//! and η* of [`crate::toy`] are derived from the model's own ODE.
//!
//! ```
//! use dynphase::ode::{System, Rk4, integrate_fixed};
//! /// x' = -x, x(0) = 1.
//! struct Decay;
//! impl System for Decay {
//!     fn dim(&self) -> usize { 1 }
//!     fn rhs(&self, _t: f64, x: &[f64], dx: &mut [f64]) { dx[0] = -x[0]; }
//! }
//! let mut x = [1.0];
//! integrate_fixed(&Decay, &mut Rk4::new(1), 0.0, 1.0, 100, &mut x);
//! assert!((x[0] - (-1.0f64).exp()).abs() < 1e-9);
//! ```

mod adaptive;
mod crossing;
mod fixed;

pub use adaptive::{integrate_adaptive, solve_adaptive, AdaptiveOptions, Method, Trajectory};
pub use crossing::{find_crossings, first_crossing, Crossing, CrossingOptions};
pub use fixed::{integrate_fixed, Euler, Rk4, Stepper};

/// An autonomous or non-autonomous first-order system x' = f(t, x) in R^n.
///
/// Implementors write the right-hand side into a caller-provided buffer, so integrators never
/// allocate per step.
pub trait System {
    /// State dimension n.
    fn dim(&self) -> usize;

    /// Right-hand side: write f(t, x) into `dx` (both of length [`System::dim`]).
    fn rhs(&self, t: f64, x: &[f64], dx: &mut [f64]);

    /// Analytic Jacobian ∂f/∂x at (t, x), written row-major into `jac` (length n²).
    ///
    /// Returns `false` (the default) when the system provides no analytic Jacobian.
    fn jacobian(&self, t: f64, x: &[f64], jac: &mut [f64]) -> bool {
        let _ = (t, x, jac);
        false
    }
}

impl<S: System + ?Sized> System for &S {
    fn dim(&self) -> usize {
        (**self).dim()
    }
    fn rhs(&self, t: f64, x: &[f64], dx: &mut [f64]) {
        (**self).rhs(t, x, dx)
    }
    fn jacobian(&self, t: f64, x: &[f64], jac: &mut [f64]) -> bool {
        (**self).jacobian(t, x, jac)
    }
}

/// Central finite-difference Jacobian of `sys` at (t, x), row-major into `jac` (length n²).
///
/// Step h_j = 1e-6 (1 + |x_j|). Used when [`System::jacobian`] returns `false` and to test
/// analytic Jacobians.
pub fn numeric_jacobian<S: System + ?Sized>(sys: &S, t: f64, x: &[f64], jac: &mut [f64]) {
    let n = sys.dim();
    let mut xp = x.to_vec();
    let mut fp = vec![0.0; n];
    let mut fm = vec![0.0; n];
    for j in 0..n {
        let h = 1e-6 * (1.0 + x[j].abs());
        xp[j] = x[j] + h;
        sys.rhs(t, &xp, &mut fp);
        xp[j] = x[j] - h;
        sys.rhs(t, &xp, &mut fm);
        xp[j] = x[j];
        for i in 0..n {
            jac[i * n + j] = (fp[i] - fm[i]) / (2.0 * h);
        }
    }
}
