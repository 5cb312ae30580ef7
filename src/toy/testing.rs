//! A reusable test harness for toy models: the numerics a model derives from its ODE
//! ([`ToyNumerics`]) checked against closed forms ([`ClosedForm`]) or against a second
//! implementation of the same model (docs/toy-theory.md).
//!
//! Every model of the crate is tested through these functions, and a new model can be tested
//! the same way: give it closed forms and call [`check_closed_form`], or write it twice (for
//! instance as a Rust [`ToyModel`] and as a formula file) and call [`check_agree`]. A check
//! returns the worst relative error it saw, or a [`Mismatch`] naming the quantity, the model,
//! its windows and both values, so it can be asserted on in a test:
//!
//! ```
//! use dynphase::toy::testing::{check_closed_form, Tolerances};
//! use dynphase::toy::SaddleNode;
//! let m = SaddleNode::new(60.0, 5.0).unwrap();
//! let report = check_closed_form(&m, &Tolerances::default()).unwrap();
//! assert!(report.eta_star < 0.01);
//! ```

use super::{ClosedForm, Side, ToyModel, ToyNumerics};

/// Tolerances of the checks: absolute for the loss, relative for everything else.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerances {
    /// |L_numeric(r) − L_closed(r)| at probe points away from the kinks.
    pub loss_abs: f64,
    /// Relative error of r* and r_NL.
    pub r_rel: f64,
    /// Relative error of the one-sided slopes |L'(r*±)| (second-order one-sided differences).
    pub slope_rel: f64,
    /// Relative error of η* = (r* − r_NL)/|L'(r*⁺)|.
    pub eta_rel: f64,
    /// Relative error of the closed-form slope against a central difference of the closed-form
    /// loss, and of the numeric central slope against the same difference, away from kinks.
    pub central_slope_rel: f64,
}

impl Default for Tolerances {
    /// The tolerances the crate's own models meet on T_d ∈ [10, 400], T_r ∈ [0.02 T_d, T_d]:
    /// loss 1e-6, r* and r_NL 1e-7, one-sided slopes 1e-3, η* 1 %, central slopes 1e-4.
    fn default() -> Self {
        Tolerances {
            loss_abs: 1e-6,
            r_rel: 1e-7,
            slope_rel: 1e-3,
            eta_rel: 0.01,
            central_slope_rel: 1e-4,
        }
    }
}

impl Tolerances {
    /// The same relative tolerance for r*, r_NL, both slopes and η* (and the loss, absolute).
    pub fn uniform(tol: f64) -> Self {
        Tolerances {
            loss_abs: tol,
            r_rel: tol,
            slope_rel: tol,
            eta_rel: tol,
            central_slope_rel: tol,
        }
    }
}

/// What a passing check measured: the relative error of each quantity (the loss: the largest
/// absolute error over the probe points).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Report {
    /// Largest |ΔL| over the probe points.
    pub loss: f64,
    /// Relative error of r*.
    pub r_star: f64,
    /// Relative error of r_NL.
    pub r_nl: f64,
    /// Relative error of |L'(r*⁺)|.
    pub slope_right: f64,
    /// Relative error of |L'(r*⁻)|.
    pub slope_left: f64,
    /// Relative error of η*.
    pub eta_star: f64,
}

impl Report {
    /// The largest relative error of r*, r_NL, the slopes and η*.
    pub fn worst(&self) -> f64 {
        [
            self.r_star,
            self.r_nl,
            self.slope_right,
            self.slope_left,
            self.eta_star,
        ]
        .into_iter()
        .fold(0.0, f64::max)
    }
}

/// A failed check: which quantity, where, and both values.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{model} (T_d = {t_delay}, T_r = {t_resp}): {what}: got {got}, expected {want} (error {err:e} > {tol:e})")]
pub struct Mismatch {
    /// Model name.
    pub model: String,
    /// Its delay window.
    pub t_delay: f64,
    /// Its response window.
    pub t_resp: f64,
    /// The quantity, e.g. `"eta*"` or `"L(0.0123)"`.
    pub what: String,
    /// The value under test.
    pub got: f64,
    /// The reference value.
    pub want: f64,
    /// The error (relative, or absolute for the loss).
    pub err: f64,
    /// The tolerance it exceeded.
    pub tol: f64,
}

/// Failure of a harness check: a mismatch, or an error of the numerics themselves.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HarnessError {
    /// A quantity outside its tolerance.
    #[error(transparent)]
    Mismatch(#[from] Mismatch),
    /// The numerics failed (integration, root finding, …).
    #[error(transparent)]
    Numerics(#[from] crate::Error),
}

fn rel(a: f64, b: f64) -> f64 {
    ((a - b) / b).abs()
}

struct Checker<'a, M: ToyModel + ?Sized> {
    m: &'a M,
}

impl<M: ToyModel + ?Sized> Checker<'_, M> {
    fn check(
        &self,
        what: &str,
        got: f64,
        want: f64,
        err: f64,
        tol: f64,
    ) -> std::result::Result<f64, Mismatch> {
        // NaN errors fail too.
        if err <= tol {
            return Ok(err);
        }
        let w = self.m.windows();
        Err(Mismatch {
            model: self.m.name().to_string(),
            t_delay: w.t_delay,
            t_resp: w.t_resp,
            what: what.to_string(),
            got,
            want,
            err,
            tol,
        })
    }

    fn rel(&self, what: &str, got: f64, want: f64, tol: f64) -> std::result::Result<f64, Mismatch> {
        self.check(what, got, want, rel(got, want), tol)
    }
}

/// Check a model's ODE numerics against its own closed forms: the loss at five probe points
/// across the landscape (0.3, 0.93, 1.07, 1.3 and 2.2 of the way from r_NL to r*), the flat
/// zone below r_NL, r*, r_NL, both one-sided slopes at r*, η*, and at 0.6 of the way the
/// closed-form slope and the numeric central slope against a central difference of the
/// closed-form loss.
pub fn check_closed_form<M: ClosedForm + ?Sized>(
    m: &M,
    tol: &Tolerances,
) -> std::result::Result<Report, HarnessError> {
    m.closed_form_domain()?;
    let c = Checker { m };
    let rs = m.r_star_closed();
    let rnl = m.r_nl_closed();
    let mut report = Report::default();
    for f in [0.3, 0.93, 1.07, 1.3, 2.2] {
        let r = rnl + f * (rs - rnl);
        let (ln, lc) = (m.loss(r)?, m.loss_closed(r));
        let e = c.check(&format!("L({r})"), ln, lc, (ln - lc).abs(), tol.loss_abs)?;
        report.loss = report.loss.max(e);
    }
    let below = 0.5 * rnl;
    let l = m.loss(below)?;
    c.check(
        &format!("L({below}) in the flat zone"),
        l,
        1.0,
        (l - 1.0).abs(),
        1e-12,
    )?;
    let flat = |r: f64| -> std::result::Result<f64, HarnessError> {
        Ok(if m.is_flat(r)? { 1.0 } else { 0.0 })
    };
    c.check(
        "is_flat(r_NL / 2)",
        flat(below)?,
        1.0,
        1.0 - flat(below)?,
        0.0,
    )?;
    let mid = 0.5 * (rnl + rs);
    c.check("is_flat((r_NL + r*) / 2)", flat(mid)?, 0.0, flat(mid)?, 0.0)?;
    let n = m.critical_rate()?;
    report.r_star = c.rel("r*", n.r_star, rs, tol.r_rel)?;
    report.r_nl = c.rel("r_NL", n.r_nl, rnl, tol.r_rel)?;
    report.slope_right = c.rel(
        "|L'(r*+)|",
        n.slope_right,
        m.slope_right_closed(),
        tol.slope_rel,
    )?;
    report.slope_left = c.rel(
        "|L'(r*-)|",
        n.slope_left,
        m.slope_left_closed(),
        tol.slope_rel,
    )?;
    report.eta_star = c.rel("eta*", n.eta_star, m.eta_star_closed(), tol.eta_rel)?;
    let r = rnl + 0.6 * (rs - rnl);
    let d = 1e-7 * r;
    let fd = (m.loss_closed(r + d) - m.loss_closed(r - d)) / (2.0 * d);
    c.rel(
        &format!("closed-form L'({r})"),
        m.loss_slope_closed(r),
        fd,
        tol.central_slope_rel,
    )?;
    c.rel(
        &format!("numeric L'({r})"),
        m.loss_slope(r, Side::Central)?,
        fd,
        tol.central_slope_rel,
    )?;
    Ok(report)
}

/// Check a model's numerics (r*, r_NL, both one-sided slopes, η*) against the closed forms of
/// another model of the same dynamics, e.g. a formula file against the hand-written model.
pub fn check_against<M: ToyModel + ?Sized, C: ClosedForm + ?Sized>(
    m: &M,
    closed: &C,
    tol: &Tolerances,
) -> std::result::Result<Report, HarnessError> {
    closed.closed_form_domain()?;
    let c = Checker { m };
    let n = m.critical_rate()?;
    Ok(Report {
        loss: 0.0,
        r_star: c.rel("r*", n.r_star, closed.r_star_closed(), tol.r_rel)?,
        r_nl: c.rel("r_NL", n.r_nl, closed.r_nl_closed(), tol.r_rel)?,
        slope_right: c.rel(
            "|L'(r*+)|",
            n.slope_right,
            closed.slope_right_closed(),
            tol.slope_rel,
        )?,
        slope_left: c.rel(
            "|L'(r*-)|",
            n.slope_left,
            closed.slope_left_closed(),
            tol.slope_rel,
        )?,
        eta_star: c.rel("eta*", n.eta_star, closed.eta_star_closed(), tol.eta_rel)?,
    })
}

/// Check that two implementations of the same model agree: r*, r_NL, both one-sided slopes
/// and η* of `a`'s numerics against `b`'s (for models without closed forms).
pub fn check_agree<A: ToyModel + ?Sized, B: ToyModel + ?Sized>(
    a: &A,
    b: &B,
    tol: &Tolerances,
) -> std::result::Result<Report, HarnessError> {
    let c = Checker { m: a };
    let (x, y) = (a.critical_rate()?, b.critical_rate()?);
    Ok(Report {
        loss: 0.0,
        r_star: c.rel("r*", x.r_star, y.r_star, tol.r_rel)?,
        r_nl: c.rel("r_NL", x.r_nl, y.r_nl, tol.r_rel)?,
        slope_right: c.rel("|L'(r*+)|", x.slope_right, y.slope_right, tol.slope_rel)?,
        slope_left: c.rel("|L'(r*-)|", x.slope_left, y.slope_left, tol.slope_rel)?,
        eta_star: c.rel("eta*", x.eta_star, y.eta_star, tol.eta_rel)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::toy::{LimitCycle, SaddleNode};

    #[test]
    fn a_wrong_closed_form_is_reported() {
        // A saddle-node whose claimed r* is off by 1 %.
        struct Off(SaddleNode);
        impl ToyModel for Off {
            fn name(&self) -> &str {
                "off"
            }
            fn windows(&self) -> crate::toy::Windows {
                self.0.windows()
            }
            fn dim(&self) -> usize {
                1
            }
            fn rhs(&self, r: f64, t: f64, x: &[f64], dx: &mut [f64]) {
                self.0.rhs(r, t, x, dx)
            }
            fn initial_state(&self, r: f64, x: &mut [f64]) {
                self.0.initial_state(r, x)
            }
            fn indicator(&self, x: &[f64]) -> f64 {
                self.0.indicator(x)
            }
            fn r_search(&self) -> (f64, f64) {
                self.0.r_search()
            }
        }
        impl ClosedForm for Off {
            fn loss_closed(&self, r: f64) -> f64 {
                self.0.loss_closed(r)
            }
            fn loss_slope_closed(&self, r: f64) -> f64 {
                self.0.loss_slope_closed(r)
            }
            fn r_star_closed(&self) -> f64 {
                1.01 * self.0.r_star_closed()
            }
            fn r_nl_closed(&self) -> f64 {
                self.0.r_nl_closed()
            }
            fn slope_right_closed(&self) -> f64 {
                self.0.slope_right_closed()
            }
            fn slope_left_closed(&self) -> f64 {
                self.0.slope_left_closed()
            }
            fn eta_star_leading(&self) -> f64 {
                self.0.eta_star_leading()
            }
            fn eta_star_equal_windows(&self) -> f64 {
                self.0.eta_star_equal_windows()
            }
        }
        let m = Off(SaddleNode::new(60.0, 5.0).unwrap());
        let e = check_closed_form(&m, &Tolerances::default()).unwrap_err();
        let HarnessError::Mismatch(mm) = e else {
            panic!("expected a mismatch, got {e}")
        };
        // The loss probes move with r*, so the first failure is a probe or r* itself.
        assert!(mm.err > mm.tol, "{mm}");
        assert!(
            mm.to_string().starts_with("off (T_d = 60, T_r = 5): "),
            "{mm}"
        );
    }

    #[test]
    fn the_paper_models_pass_and_report_their_errors() {
        let sn = SaddleNode::new(100.0, 5.0).unwrap();
        let r = check_closed_form(&sn, &Tolerances::default()).unwrap();
        assert!(r.worst() < 0.01 && r.loss < 1e-6, "{r:?}");
        let lc = LimitCycle::new(100.0, 5.0).unwrap();
        let r = check_closed_form(&lc, &Tolerances::default()).unwrap();
        assert!(r.worst() < 0.01, "{r:?}");
        // Two models of different dynamics do not agree.
        assert!(check_agree(&sn, &lc, &Tolerances::default()).is_err());
        assert!(check_agree(&sn, &sn, &Tolerances::uniform(0.0)).is_ok());
    }
}
