//! Limit-cycle toy model, docs/toy-theory.md.

use std::f64::consts::PI;

use super::{ClosedForm, ToyModel, Windows};
use crate::grid::linspace;
use crate::{Error, Result};

/// Limit-cycle toy model: the Hopf normal form ρ' = (1 − ρ²) ρ, θ' = 2π r, started at
/// (x, y) = (0, −1) and turning counter-clockwise, so x(t) = sin 2πrt; output
/// o = H(−x) = H(−sin 2πrt) with H(0) = 0 (docs/toy-theory.md).
///
/// Integrated in the polar coordinates of the normal form, state (ρ, θ) with ρ(0) = 1,
/// θ(0) = −π/2 and x = ρ cos θ; the indicator is −x.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LimitCycle {
    w: Windows,
}

/// Wrong-output helper: F(t) = ∫_0^t o(s) ds and dF/dr for o = H(−sin 2πrs).
fn on_time(r: f64, t: f64) -> (f64, f64) {
    if r == 0.0 || t <= 0.0 {
        return (0.0, 0.0);
    }
    let s = r.abs();
    let p = 1.0 / s;
    let n = (t * s).floor();
    let rem = t - n * p;
    let first_half = rem <= 0.5 * p;
    if r > 0.0 {
        // o = 0 on [kP, kP + P/2], 1 on (kP + P/2, (k+1)P).
        if first_half {
            (n / (2.0 * s), -n / (2.0 * s * s))
        } else {
            (t - (n + 1.0) / (2.0 * s), (n + 1.0) / (2.0 * s * s))
        }
    } else {
        // o = 1 on (kP, kP + P/2), 0 elsewhere; dF/dr = −dF/ds.
        if first_half {
            (n / (2.0 * s) + rem, -(n / (2.0 * s * s)))
        } else {
            ((n + 1.0) / (2.0 * s), (n + 1.0) / (2.0 * s * s))
        }
    }
}

impl LimitCycle {
    /// Model with windows T_d = `t_delay`, T_r = `t_resp` (both > 0).
    pub fn new(t_delay: f64, t_resp: f64) -> Result<Self> {
        Ok(Self {
            w: Windows::new(t_delay, t_resp)?,
        })
    }

    /// The piecewise table of docs/toy-theory.md (assumes T_d > T_r, last branch needs T_d ≥ 2 T_r;
    /// for T_d = T_r the third branch is 3 − 3/(2 T_d r) on [1/(2T_d), 3/(4T_d)]);
    /// NaN outside the modelled domain.
    pub fn loss_table(&self, r: f64) -> f64 {
        let (td, tr) = (self.w.t_delay, self.w.t_resp);
        let t = td + tr;
        if r.abs() <= 1.0 / (2.0 * t) {
            1.0
        } else if r > 1.0 / (2.0 * t) && r <= 1.0 / (2.0 * td) {
            1.0 / (2.0 * tr * r) - td / tr
        } else if tr == td && r > 1.0 / (2.0 * td) && r <= 3.0 / (4.0 * td) {
            3.0 - 3.0 / (2.0 * td * r)
        } else if tr < td && r > 1.0 / (2.0 * td) && r <= 1.0 / t {
            1.0 - 1.0 / (2.0 * td * r)
        } else if tr < td && td >= 2.0 * tr && r > 1.0 / t && r <= 1.0 / td {
            2.0 + td / tr - 1.0 / (2.0 * r * td) - 1.0 / (r * tr)
        } else {
            f64::NAN
        }
    }

    /// Riemann-sum loss of docs/toy-theory.md (numeric check of Fig S2B): with n_d = ⌊T_d/dt⌋ and
    /// n_r = ⌊T_r/dt⌋ points (numpy `linspace` including both ends),
    /// (dt/T_d) Σ H(−sin 2πrt) over linspace(0, T_d, n_d) plus
    /// (dt/T_r) Σ (1 − H(−sin 2πrt)) over linspace(T_d, T_d+T_r, n_r), with H(0) = 0.
    pub fn loss_riemann(&self, r: f64, dt: f64) -> Result<f64> {
        crate::error::check_positive("dt", dt)?;
        crate::error::check_finite("r", r)?;
        let (td, tr) = (self.w.t_delay, self.w.t_resp);
        let h = |t: f64| {
            if -(2.0 * PI * r * t).sin() > 0.0 {
                1.0
            } else {
                0.0
            }
        };
        let nd = (td / dt) as usize;
        let nr = (tr / dt) as usize;
        let sd: f64 = linspace(0.0, td, nd).into_iter().map(h).sum();
        let sr: f64 = linspace(td, td + tr, nr)
            .into_iter()
            .map(|t| 1.0 - h(t))
            .sum();
        Ok(dt / td * sd + dt / tr * sr)
    }

    /// Exact loss and slope for every r from the switch times t_k = k/(2r)
    /// (dt_k/dr = −t_k/r): the measure of wrong-output time, window-normalised.
    pub fn loss_exact(&self, r: f64) -> (f64, f64) {
        let (td, tr) = (self.w.t_delay, self.w.t_resp);
        let (fd, dfd) = on_time(r, td);
        let (ft, dft) = on_time(r, td + tr);
        let l = fd / td + (tr - (ft - fd)) / tr;
        let dl = dfd / td - (dft - dfd) / tr;
        (l, dl)
    }
}

impl ToyModel for LimitCycle {
    fn name(&self) -> &str {
        "limit-cycle"
    }
    fn windows(&self) -> Windows {
        self.w
    }
    fn dim(&self) -> usize {
        2
    }
    fn rhs(&self, r: f64, _t: f64, x: &[f64], dx: &mut [f64]) {
        dx[0] = (1.0 - x[0] * x[0]) * x[0];
        dx[1] = 2.0 * PI * r;
    }
    fn initial_state(&self, _r: f64, x: &mut [f64]) {
        x[0] = 1.0;
        x[1] = -std::f64::consts::FRAC_PI_2;
    }
    fn indicator(&self, x: &[f64]) -> f64 {
        -x[0] * x[1].cos()
    }
    fn r_search(&self) -> (f64, f64) {
        (0.05 / self.w.total(), 2.0 / self.w.t_delay)
    }
    /// A twentieth of the half period 1/(2|r|).
    fn max_step(&self, r: f64) -> f64 {
        if r != 0.0 {
            0.025 / r.abs()
        } else {
            f64::INFINITY
        }
    }
    fn exact_loss(&self, r: f64) -> Option<(f64, f64)> {
        Some(self.loss_exact(r))
    }
}

/// Where the closed forms of the critical rate hold, by K = T_r/T_d.
#[derive(Debug, Clone, Copy, PartialEq)]
enum LcRegime {
    /// K ≤ 1: r* = 1/(2T_d) is a zero of the loss.
    ZeroLoss,
    /// 1 < K < 2: no r has zero loss; the minimum moves to r* = 1/(T_d + T_r).
    Shifted,
    /// K ≥ 2: several output periods fall in the response window; no closed form here.
    None,
}

impl LimitCycle {
    fn regime(&self) -> LcRegime {
        let (td, tr) = (self.w.t_delay, self.w.t_resp);
        if tr <= td {
            LcRegime::ZeroLoss
        } else if tr < 2.0 * td {
            LcRegime::Shifted
        } else {
            LcRegime::None
        }
    }
}

/// Closed forms of the critical rate (paper Appendix, limit-cycle model). For T_r ≤ T_d the
/// minimum is the zero of the loss at r* = 1/(2T_d). For T_d < T_r < 2T_d the output turns
/// back to 0 at 1/r inside the response window, no r has zero loss, and the minimum moves to
/// r* = 1/T (T = T_d + T_r, half period T/2) with L(r*) = (T_r − T_d)/(2T_r) and a symmetric
/// V of slopes T²/(2T_r), so η* = T_r/T³. For T_r ≥ 2T_d [`ClosedForm::closed_form_domain`]
/// refuses and the closed-form methods return NaN (the numerics of [`ToyModel`] still apply).
impl ClosedForm for LimitCycle {
    fn closed_form_domain(&self) -> Result<()> {
        match self.regime() {
            LcRegime::None => Err(Error::NoClosedForm {
                what: "eta* of the limit-cycle model".into(),
                reason: format!(
                    "the closed form needs T_resp < 2 T_delay (got T_delay = {}, T_resp = {}); \
                     use the numeric criterion",
                    self.w.t_delay, self.w.t_resp
                ),
            }),
            _ => Ok(()),
        }
    }
    fn loss_closed(&self, r: f64) -> f64 {
        self.loss_exact(r).0
    }
    fn loss_slope_closed(&self, r: f64) -> f64 {
        self.loss_exact(r).1
    }
    /// r* = 1/(2 T_d) for T_r ≤ T_d, 1/(T_d + T_r) for T_d < T_r < 2T_d.
    fn r_star_closed(&self) -> f64 {
        match self.regime() {
            LcRegime::ZeroLoss => 1.0 / (2.0 * self.w.t_delay),
            LcRegime::Shifted => 1.0 / self.w.total(),
            LcRegime::None => f64::NAN,
        }
    }
    /// r_NL = 1/(2 (T_d + T_r)).
    fn r_nl_closed(&self) -> f64 {
        match self.regime() {
            LcRegime::None => f64::NAN,
            _ => 1.0 / (2.0 * self.w.total()),
        }
    }
    /// 2 T_d if T_r < T_d; 6 T_d at T_r = T_d; T²/(2 T_r) for T_d < T_r < 2T_d.
    fn slope_right_closed(&self) -> f64 {
        let (td, tr) = (self.w.t_delay, self.w.t_resp);
        match self.regime() {
            LcRegime::ZeroLoss if tr < td => 2.0 * td,
            LcRegime::ZeroLoss => 6.0 * td,
            LcRegime::Shifted => self.w.total().powi(2) / (2.0 * tr),
            LcRegime::None => f64::NAN,
        }
    }
    /// 2 T_d²/T_r for T_r ≤ T_d; T²/(2 T_r) for T_d < T_r < 2T_d.
    fn slope_left_closed(&self) -> f64 {
        let (td, tr) = (self.w.t_delay, self.w.t_resp);
        match self.regime() {
            LcRegime::ZeroLoss => 2.0 * td * td / tr,
            LcRegime::Shifted => self.w.total().powi(2) / (2.0 * tr),
            LcRegime::None => f64::NAN,
        }
    }
    /// T_r T_d⁻³/4 (β = 3).
    fn eta_star_leading(&self) -> f64 {
        self.w.t_resp * self.w.t_delay.powi(-3) / 4.0
    }
    /// T_d⁻²/24 (β = 2).
    fn eta_star_equal_windows(&self) -> f64 {
        self.w.t_delay.powi(-2) / 24.0
    }
}
