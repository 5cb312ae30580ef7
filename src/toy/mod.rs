//! Toy models of the two short-term-memory mechanisms (docs/toy-theory.md) and generic numerics.
//!
//! A toy model has one trainable scalar `r`, a state ODE x' = f(r, t, x) from an initial state
//! x0(r), and a binary readout o(t) = H(g(x(t))) (1 where the indicator g is positive), or a
//! smooth sigmoid readout. The target is 0 during the delay [0, T_d] and 1 during the response
//! [T_d, T_d + T_r]; the loss is normalised per window (docs/toy-theory.md),
//!
//! ```text
//! L(r) = (1/T_d) ∫_0^{T_d} |o − 0| dt + (1/T_r) ∫_{T_d}^{T_d+T_r} |o − 1| dt     (max 2).
//! ```
//!
//! Everything else is derived from the ODE by [`ToyNumerics`], implemented for every model:
//! the output switch times ([`ToyNumerics::switch_times`], located by [`crate::ode::find_crossings`]),
//! the loss ([`ToyNumerics::loss`]), one-sided and central slopes ([`ToyNumerics::loss_slope`]), the
//! minimiser r* ([`ToyNumerics::r_star`]), the edge r_NL of the flat no-learning zone where L = 1 and
//! L' = 0 ([`ToyNumerics::r_nl`]), the critical learning rate of docs/toy-theory.md
//!
//! ```text
//! η* = (r* − r_NL) / |L'(r*⁺)|            ([`ToyNumerics::critical_rate`]),
//! ```
//!
//! a gradient-descent simulator r ← r − η L'(r) ([`ToyNumerics::gd_run`]) and the bisection for the
//! GD failure boundary ([`ToyNumerics::gd_boundary`]).
//!
//! Two models ship with closed forms for every quantity ([`ClosedForm`]): [`SaddleNode`]
//! (slow point / ghost, docs/toy-theory.md) and [`LimitCycle`] (docs/toy-theory.md).
//!
//! # Adding a model
//!
//! Implement the seven required methods of [`ToyModel`]: `name`, `windows`, `dim`, `rhs`,
//! `initial_state`, `indicator`, and `r_search`, a range `(lo, hi)` that contains r* (only a
//! search hint; it also sets the difference step of dL/dr). The numerics of [`ToyNumerics`]
//! come for free and cannot be overridden, so the loss, its slope, r* and η* never disagree.
//! The generic r_NL search assumes r* > 0 with the flat zone below it. Optional overrides: `max_step` (an upper bound on the integrator step so that
//! no output switch is stepped over, e.g. a fraction of the period of a rotation),
//! `exact_loss` (a closed form for L and L' used by the GD simulator for speed),
//! `exact_loss_slope` (an exact dL/dr, e.g. from sensitivity equations), and
//! `gd_protocol`. Choose coordinates in which the flow is regular for every t: the saddle-node
//! x' = x² + r blows up in finite time, so [`SaddleNode`] integrates the same flow in the angle
//! chart φ = arctan x. A complete third model, the SNIC oscillator θ' = r − cos θ, is
//! `examples/custom_toy_model.rs` (to test a new model, [`testing`] checks its numerics against
//! closed forms or against a second implementation, as the crate's own tests do):
//!
//! ```
//! use dynphase::toy::{ToyModel, ToyNumerics, Windows};
//! struct Snic { w: Windows }
//! impl ToyModel for Snic {
//!     fn name(&self) -> &str { "snic" }
//!     fn windows(&self) -> Windows { self.w }
//!     fn dim(&self) -> usize { 1 }
//!     fn rhs(&self, r: f64, _t: f64, x: &[f64], dx: &mut [f64]) { dx[0] = r - x[0].cos(); }
//!     fn initial_state(&self, _r: f64, x: &mut [f64]) { x[0] = -std::f64::consts::PI / 2.0; }
//!     fn indicator(&self, x: &[f64]) -> f64 { x[0] - std::f64::consts::PI / 2.0 }
//!     fn r_search(&self) -> (f64, f64) { (1.0 + 1e-6, 3.0) }
//! }
//! let m = Snic { w: Windows::new(20.0, 5.0).unwrap() };
//! let c = m.critical_rate().unwrap();
//! assert!(c.eta_star > 0.0 && c.r_star > c.r_nl);
//! ```
//!
//! The same model as a formula file (`models/snic.toml`), read by [`FormulaModel`]; its
//! symbolic derivatives give an exact loss slope and [`LeadingOrder`] its leading-order theory
//! (a fold at θ = 0, r_c = 1 with a = ½, b = 1):
//!
//! ```
//! use dynphase::toy::{FormulaModel, LeadingOrder, ToyNumerics};
//! let m = FormulaModel::from_toml(r#"
//!     name = "snic"
//!     state = ["theta"]
//!     rhs = ["r - cos(theta)"]
//!     initial = ["-PI/2"]
//!     indicator = "sin(theta)"
//!     r_search = ["1 + 0.05/T_d^2", "1 + 50/T_d^2"]
//!     max_step = "0.5/(r + 1)"
//!     [windows]
//!     t_delay = 20.0
//!     t_resp = 5.0
//! "#).unwrap();
//! let c = m.critical_rate().unwrap();
//! assert!(c.eta_star > 0.0 && c.r_star > c.r_nl);
//! let lo = LeadingOrder::detect(&m).unwrap();
//! assert_eq!(lo.formulas()[0], "eta* ≈ 9.740909e1 * T_r * T_d^-5 (T_r << T_d)");
//! ```

pub mod formula;
pub mod leading;
mod limit_cycle;
mod numerics;
mod saddle_node;
pub mod testing;

pub use formula::{Formula, FormulaModel};
pub use leading::{Bifurcation, LeadingOrder, Prediction};
pub use limit_cycle::LimitCycle;
pub use numerics::{CriticalRate, FieldAt, GdOutcome, GdProtocol, Side};
pub use saddle_node::SaddleNode;

use crate::{Error, Result};

/// Delay and response windows (model time units), T_d > 0 and T_r > 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Windows {
    /// Delay T_d: target 0 on [0, T_d].
    pub t_delay: f64,
    /// Response T_r: target 1 on [T_d, T_d + T_r].
    pub t_resp: f64,
}

impl Windows {
    /// Validated windows: both finite and strictly positive, else [`Error::InvalidParameter`].
    pub fn new(t_delay: f64, t_resp: f64) -> Result<Self> {
        crate::error::check_positive("t_delay", t_delay)?;
        crate::error::check_positive("t_resp", t_resp)?;
        Ok(Self { t_delay, t_resp })
    }

    /// Trial length T = T_d + T_r.
    pub fn total(&self) -> f64 {
        self.t_delay + self.t_resp
    }
}

/// How the state is read out into the output o(t) ∈ [0, 1].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Readout {
    /// o = H(g(x)): 1 where the indicator is positive, 0 elsewhere (the idealised readout).
    Step,
    /// o = [`ToyModel::smooth_output`] (by default sigmoid(gain · g(x))), integrated with RK4
    /// at step `dt` and the trapezoid rule.
    Sigmoid {
        /// Sigmoid gain a.
        gain: f64,
        /// Integration step.
        dt: f64,
    },
}

/// A one-parameter toy model of short-term memory (docs/toy-theory.md) with numerics derived from its ODE.
///
/// See the [module documentation](self) for the loss, the criterion and how to add a model.
pub trait ToyModel: Sync {
    /// Short name (used in tables and error messages).
    fn name(&self) -> &str;
    /// The delay and response windows.
    fn windows(&self) -> Windows;
    /// State dimension.
    fn dim(&self) -> usize;
    /// State ODE: write f(r, t, x) into `dx`.
    fn rhs(&self, r: f64, t: f64, x: &[f64], dx: &mut [f64]);
    /// Initial state x(0) at parameter r, written into `x`.
    fn initial_state(&self, r: f64, x: &mut [f64]);
    /// Indicator g(x): the step readout is o = 1 where g(x) > 0, else 0.
    fn indicator(&self, x: &[f64]) -> f64;
    /// A search range (lo, hi) with lo < r* < hi for the numeric minimiser (a hint only).
    fn r_search(&self) -> (f64, f64);

    /// The readout (default [`Readout::Step`]).
    fn readout(&self) -> Readout {
        Readout::Step
    }
    /// Smooth output used by [`Readout::Sigmoid`]: default 1 / (1 + exp(−gain · g(x))).
    fn smooth_output(&self, x: &[f64], gain: f64) -> f64 {
        1.0 / (1.0 + (-gain * self.indicator(x)).exp())
    }
    /// Largest integrator step at parameter r (default: unbounded). Bound it by a fraction of
    /// the shortest time between two output switches.
    fn max_step(&self, r: f64) -> f64 {
        let _ = r;
        f64::INFINITY
    }
    /// Optional closed form (L(r), L'(r)) valid for every r; the GD simulator uses it when
    /// present (default `None`: numerics from the ODE).
    fn exact_loss(&self, r: f64) -> Option<(f64, f64)> {
        let _ = r;
        None
    }
    /// GD protocol of [`ToyNumerics::gd_boundary`] (default: r0 = 1.2 r*, 5,000 steps).
    fn gd_protocol(&self) -> GdProtocol {
        GdProtocol {
            r0_factor: 1.2,
            steps: 5_000,
        }
    }

    /// An exact slope dL/dr on the given side, if the model has one (default `None`: the
    /// slope of [`ToyNumerics::loss_slope`] is then a difference of the numeric loss). A
    /// formula model returns the slope of its sensitivity equations here.
    fn exact_loss_slope(&self, r: f64, side: Side) -> Option<Result<f64>> {
        let _ = (r, side);
        None
    }
}

/// The numerics every [`ToyModel`] gets from its ODE (docs/toy-theory.md): switch times,
/// output, loss, slopes, r*, r_NL, η* and the gradient-descent simulator.
///
/// Implemented for every `ToyModel` and not overridable, so that the loss, its slope, r* and
/// η* always come from the same computation; a model changes them only through the hooks of
/// [`ToyModel`] ([`ToyModel::exact_loss`], [`ToyModel::exact_loss_slope`],
/// [`ToyModel::readout`], [`ToyModel::max_step`], [`ToyModel::gd_protocol`]).
pub trait ToyNumerics: ToyModel {
    /// The state ODE at parameter r as an [`crate::ode::System`].
    fn field_at(&self, r: f64) -> FieldAt<'_, Self> {
        FieldAt::new(self, r)
    }
    /// Output switch times in (0, T_d + T_r] and the output at t = 0 (step readout).
    fn switch_times(&self, r: f64) -> Result<(bool, Vec<f64>)> {
        numerics::switch_times(self, r)
    }
    /// Output trajectory o(t) sampled at the given times (step or smooth readout).
    fn output_trajectory(&self, r: f64, times: &[f64]) -> Result<Vec<f64>> {
        numerics::output_trajectory(self, r, times)
    }
    /// Window-normalised loss L(r) of docs/toy-theory.md from the integrated ODE.
    fn loss(&self, r: f64) -> Result<f64> {
        numerics::loss(self, r)
    }
    /// Slope dL/dr on the given side: [`ToyModel::exact_loss_slope`] if the model has one,
    /// else second-order one-sided or central differences of the loss with step
    /// min(1e-6 (hi − lo), 1e-5 |r|) from [`ToyModel::r_search`].
    fn loss_slope(&self, r: f64, side: Side) -> Result<f64> {
        match self.exact_loss_slope(r, side) {
            Some(s) => s,
            None => numerics::loss_slope(self, r, side),
        }
    }
    /// `true` if r lies in the flat no-learning zone (L = 1 and L' = 0).
    fn is_flat(&self, r: f64) -> Result<bool> {
        numerics::is_flat(self, r)
    }
    /// Numeric minimiser r* of L (log-grid scan of [`ToyModel::r_search`] + golden section).
    fn r_star(&self) -> Result<f64> {
        numerics::r_star(self)
    }
    /// Numeric edge r_NL of the flat zone below r* (bisection on [`ToyNumerics::is_flat`]).
    fn r_nl(&self) -> Result<f64> {
        let rs = self.r_star()?;
        numerics::r_nl(self, rs)
    }
    /// Numeric critical learning rate η* = (r* − r_NL)/|L'(r*⁺)| with its ingredients.
    fn critical_rate(&self) -> Result<CriticalRate> {
        numerics::critical_rate(self)
    }
    /// Loss and slope used by GD: [`ToyModel::exact_loss`] if present, else numeric.
    fn gd_loss(&self, r: f64) -> Result<(f64, f64)> {
        match self.exact_loss(r) {
            Some(v) => Ok(v),
            None => Ok((self.loss(r)?, self.loss_slope(r, Side::Central)?)),
        }
    }
    /// Run GD r ← r − η L'(r) from r0 for at most `steps` steps.
    fn gd_run(&self, eta: f64, r0: f64, steps: usize) -> Result<GdOutcome> {
        numerics::gd_run(self, eta, r0, steps)
    }
    /// GD failure boundary: the smallest η (on a 5 % log scan from η_ref/2, refined by
    /// bisection to 1e-4 relative) at which GD under [`ToyModel::gd_protocol`], started at
    /// r0 = r0_factor · `r_star`, freezes in the flat zone. `eta_ref` is a scale (e.g. η*);
    /// `r_star` is the minimiser (closed form, or [`ToyNumerics::r_star`]).
    fn gd_boundary(&self, eta_ref: f64, r_star: f64) -> Result<f64> {
        numerics::gd_boundary(self, eta_ref, r_star)
    }
}

impl<M: ToyModel + ?Sized> ToyNumerics for M {}

/// Closed forms of docs/toy-theory.md that a toy model may provide; the generic test harness compares each
/// one with the numerics of [`ToyModel`].
pub trait ClosedForm: ToyModel {
    /// `Ok` if the closed forms below hold at this model's windows, else
    /// [`Error::NoClosedForm`] saying which domain they need (default: they hold everywhere).
    /// Outside it the methods below return NaN.
    fn closed_form_domain(&self) -> Result<()> {
        Ok(())
    }
    /// Exact loss L(r) for every r (the exact wrong-output measure).
    fn loss_closed(&self, r: f64) -> f64;
    /// Exact slope L'(r) wherever L is differentiable.
    fn loss_slope_closed(&self, r: f64) -> f64;
    /// Minimiser r*.
    fn r_star_closed(&self) -> f64;
    /// Edge r_NL of the flat zone.
    fn r_nl_closed(&self) -> f64;
    /// |L'(r*⁺)|.
    fn slope_right_closed(&self) -> f64;
    /// |L'(r*⁻)|.
    fn slope_left_closed(&self) -> f64;
    /// Exact η* = (r* − r_NL)/|L'(r*⁺)|.
    fn eta_star_closed(&self) -> f64 {
        (self.r_star_closed() - self.r_nl_closed()) / self.slope_right_closed()
    }
    /// Leading-order η* for T_r ≪ T_d.
    fn eta_star_leading(&self) -> f64;
    /// η* for equal windows T_r = T_d (evaluated at this model's T_d).
    fn eta_star_equal_windows(&self) -> f64;
}

pub(crate) fn invalid_r(r: f64) -> Result<f64> {
    if r.is_finite() {
        Ok(r)
    } else {
        Err(Error::invalid("r", format!("must be finite, got {r}")))
    }
}
