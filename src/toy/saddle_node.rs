//! Saddle-node (slow-point / ghost) toy model, docs/toy-theory.md.

use std::f64::consts::{FRAC_PI_2, PI};

use super::{ClosedForm, GdProtocol, Readout, ToyModel, Windows};
use crate::{Error, Result};

/// Saddle-node toy model x' = x² + r, x(0) = 0, with the step readout o = 𝟙[t ≥ t*] at the
/// escape time t* = π/(2√r) (docs/toy-theory.md), or the optional smooth readout
/// o = sigmoid(a (x − 10)) with x clipped at 1e6.
///
/// **Coordinates.** x blows up at t*, so the ODE is integrated in the angle chart φ = arctan x,
/// φ' = sin²φ + r cos²φ, φ(0) = 0, which is the same flow and stays regular through the
/// blow-up: x → +∞ is φ → π/2 (the indicator is φ − π/2), and for r > 0 φ increases
/// monotonically so the output stays 1 after the escape. For r ≤ 0, φ relaxes to
/// −arctan √(−r) and the output never switches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SaddleNode {
    w: Windows,
    readout: Readout,
}

impl SaddleNode {
    /// Model with windows T_d = `t_delay`, T_r = `t_resp` (both > 0) and the step readout.
    pub fn new(t_delay: f64, t_resp: f64) -> Result<Self> {
        Ok(Self {
            w: Windows::new(t_delay, t_resp)?,
            readout: Readout::Step,
        })
    }

    /// The same model with the smooth readout o = sigmoid(gain (x − 10)), x clipped at 1e6,
    /// integrated by RK4 with step `dt`.
    pub fn with_sigmoid_readout(mut self, gain: f64, dt: f64) -> Result<Self> {
        crate::error::check_positive("gain", gain)?;
        crate::error::check_positive("dt", dt)?;
        self.readout = Readout::Sigmoid { gain, dt };
        Ok(self)
    }

    /// Exact solution x(t) = √r tan(√r t) for r > 0 (valid for t < t*).
    pub fn solution(r: f64, t: f64) -> f64 {
        let s = r.sqrt();
        s * (s * t).tan()
    }

    /// Escape time t* = π/(2√r) from x(0) = 0 (∞ for r ≤ 0).
    pub fn escape_time(r: f64) -> f64 {
        if r > 0.0 {
            PI / (2.0 * r.sqrt())
        } else {
            f64::INFINITY
        }
    }

    /// General escape time from x0 to x_th (> x0), r > 0:
    /// t = [arctan(x_th/√r) − arctan(x0/√r)]/√r. Errors for r ≤ 0 (never reached from 0).
    pub fn escape_time_general(r: f64, x0: f64, x_th: f64) -> Result<f64> {
        crate::error::check_positive("r", r)?;
        if x_th.is_nan() || x0.is_nan() || x_th <= x0 {
            return Err(Error::invalid("x_th", "must exceed x0"));
        }
        let s = r.sqrt();
        Ok(((x_th / s).atan() - (x0 / s).atan()) / s)
    }

    /// Loss pieces of docs/toy-theory.md (valid for every real r): 1 for r ≤ r_NL;
    /// (t* − T_d)/T_r for T_d ≤ t* < T_d + T_r; 1 − π/(2 T_d √r) for t* < T_d.
    pub fn loss_pieces(&self, r: f64) -> (f64, f64) {
        let (td, tr) = (self.w.t_delay, self.w.t_resp);
        if r <= self.r_nl_closed() {
            return (1.0, 0.0);
        }
        let ts = Self::escape_time(r);
        let dts = -PI / (4.0 * r.powf(1.5));
        if ts >= td {
            ((ts - td) / tr, dts / tr)
        } else {
            (1.0 - ts / td, -dts / td)
        }
    }
}

impl ToyModel for SaddleNode {
    fn name(&self) -> &str {
        "saddle-node"
    }
    fn windows(&self) -> Windows {
        self.w
    }
    fn dim(&self) -> usize {
        1
    }
    fn rhs(&self, r: f64, _t: f64, x: &[f64], dx: &mut [f64]) {
        let (s, c) = x[0].sin_cos();
        dx[0] = s * s + r * c * c;
    }
    fn initial_state(&self, _r: f64, x: &mut [f64]) {
        x[0] = 0.0;
    }
    fn indicator(&self, x: &[f64]) -> f64 {
        x[0] - FRAC_PI_2
    }
    fn r_search(&self) -> (f64, f64) {
        let td = self.w.t_delay;
        (0.05 / (td * td), 50.0 / (td * td))
    }
    fn readout(&self) -> Readout {
        self.readout
    }
    fn smooth_output(&self, x: &[f64], gain: f64) -> f64 {
        let xv = if x[0] >= FRAC_PI_2 {
            1e6
        } else {
            x[0].tan().min(1e6)
        };
        1.0 / (1.0 + (-gain * (xv - 10.0)).exp())
    }
    fn exact_loss(&self, r: f64) -> Option<(f64, f64)> {
        match self.readout {
            Readout::Step => Some(self.loss_pieces(r)),
            Readout::Sigmoid { .. } => None,
        }
    }
    fn gd_protocol(&self) -> GdProtocol {
        GdProtocol {
            r0_factor: 10.0,
            steps: 20_000,
        }
    }
}

impl ClosedForm for SaddleNode {
    fn loss_closed(&self, r: f64) -> f64 {
        self.loss_pieces(r).0
    }
    fn loss_slope_closed(&self, r: f64) -> f64 {
        self.loss_pieces(r).1
    }
    /// r* = π²/(4 T_d²).
    fn r_star_closed(&self) -> f64 {
        PI * PI / (4.0 * self.w.t_delay.powi(2))
    }
    /// r_NL = π²/(4 (T_d + T_r)²).
    fn r_nl_closed(&self) -> f64 {
        PI * PI / (4.0 * self.w.total().powi(2))
    }
    /// |L'(r*⁺)| = 2 T_d²/π².
    fn slope_right_closed(&self) -> f64 {
        2.0 * self.w.t_delay.powi(2) / (PI * PI)
    }
    /// |L'(r*⁻)| = 2 T_d³/(π² T_r).
    fn slope_left_closed(&self) -> f64 {
        2.0 * self.w.t_delay.powi(3) / (PI * PI * self.w.t_resp)
    }
    /// η*_SP = (π⁴/(8 T_d²)) (1/T_d² − 1/(T_d + T_r)²).
    fn eta_star_closed(&self) -> f64 {
        let (td, t) = (self.w.t_delay, self.w.total());
        PI.powi(4) / (8.0 * td * td) * (1.0 / (td * td) - 1.0 / (t * t))
    }
    /// (π⁴/4) T_r T_d⁻⁵ (β = 5).
    fn eta_star_leading(&self) -> f64 {
        PI.powi(4) / 4.0 * self.w.t_resp * self.w.t_delay.powi(-5)
    }
    /// (3π⁴/32) T_d⁻⁴ (β = 4).
    fn eta_star_equal_windows(&self) -> f64 {
        3.0 * PI.powi(4) / 32.0 * self.w.t_delay.powi(-4)
    }
}
