//! Onset models of the critical-delay fits (docs/fits.md) and their per-row least-squares fit.

use super::lm::{curve_fit, LmOptions, LmResult};
use crate::Result;

/// Exponential saturation `f(T; x0, a) = 0` for `T < x0`, `1 - exp(-a (T - x0))` for
/// `T >= x0` (docs/fits.md, no-solution boundary). `T`, `x0` in ms, `a` in 1/ms.
pub fn exp_saturation(t: f64, x0: f64, a: f64) -> f64 {
    if t < x0 {
        0.0
    } else {
        1.0 - (-a * (t - x0)).exp()
    }
}

/// Logistic `f(T; x0, k) = 1 / (1 + exp(-k (T - x0)))` (docs/fits.md, slow-point boundary;
/// `k` comes out negative because the SP fraction falls with the delay).
pub fn logistic(t: f64, x0: f64, k: f64) -> f64 {
    1.0 / (1.0 + (-k * (t - x0)).exp())
}

/// Transposed logistic `g(x; x0, k) = 1 / (1 + exp(k (x - x0)))` on `x = ln η` (docs/fits.md,
/// no-memory control); `η_c = exp(x0)`.
pub fn transposed_logistic(x: f64, x0: f64, k: f64) -> f64 {
    1.0 / (1.0 + (k * (x - x0)).exp())
}

/// Which onset model a critical-point fit uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnsetModel {
    /// [`exp_saturation`] in the delay; parameters `(x0, a)`.
    ExpSaturation,
    /// [`logistic`] in the delay; parameters `(x0, k)`.
    Logistic,
    /// [`transposed_logistic`] in `ln η`; parameters `(x0, k)`.
    TransposedLogistic,
}

impl OnsetModel {
    /// Evaluate the model at abscissa `t` with parameters `p = (x0, shape)`.
    pub fn eval(self, t: f64, p: &[f64]) -> f64 {
        match self {
            OnsetModel::ExpSaturation => exp_saturation(t, p[0], p[1]),
            OnsetModel::Logistic => logistic(t, p[0], p[1]),
            OnsetModel::TransposedLogistic => transposed_logistic(t, p[0], p[1]),
        }
    }

    /// Least-squares fit of the model to fractions `y` at abscissae `t` from `p0` by MINPACK
    /// Levenberg–Marquardt with scipy `curve_fit` defaults (`maxfev` overrides 200 (n + 1)).
    pub fn fit(
        self,
        t: &[f64],
        y: &[f64],
        p0: [f64; 2],
        maxfev: Option<usize>,
    ) -> Result<LmResult> {
        let opts = LmOptions {
            maxfev,
            ..LmOptions::default()
        };
        curve_fit(|x, p| self.eval(x, p), t, y, &p0, &opts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_values() {
        assert_eq!(exp_saturation(10.0, 20.0, 0.1), 0.0);
        assert!((exp_saturation(30.0, 20.0, 0.1) - (1.0 - (-1.0f64).exp())).abs() < 1e-15);
        assert_eq!(logistic(5.0, 5.0, -3.0), 0.5);
        assert!((transposed_logistic(0.0, -1.0, 2.0) - 1.0 / (1.0 + 2f64.exp())).abs() < 1e-15);
    }
}
