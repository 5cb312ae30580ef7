//! Automatic leading-order theory of a [`FormulaModel`]: locate the bifurcation its memory
//! relies on and predict r*, r_NL, the slopes and η* from its normal-form coefficients.
//!
//! **Fold (1-D, autonomous).** A point with f = 0 = ∂f/∂x, found by Newton's method from the
//! bottleneck of the trajectory (where |f| is smallest between the start and the switch),
//! with a = ½ ∂²f/∂x² and b = ∂f/∂r there (symbolic derivatives). Near the fold the passage
//! time is t*(r) ≈ C/√(r − r_c): C = π/(2√(ab)) when the start or the switch sits at the fold
//! (half a passage, as in the saddle-node model started at its ghost) and C = π/√(ab) for a
//! full passage. With one output switch 0 → 1 at t*, the loss of the toy-model section gives
//!
//! ```text
//! r* − r_c = C²/T_d²,  r_NL − r_c = C²/T²,  |L'(r*⁺)| = T_d²/(2C²),  |L'(r*⁻)| = T_d³/(2C²T_r),
//! η* = 2C⁴ (1/T_d² − 1/T²)/T_d²  ≈ 4C⁴ T_r T_d⁻⁵ (T_r ≪ T_d, β = 5),  (3/2) C⁴ T_d⁻⁴ (T_r = T_d, β = 4).
//! ```
//!
//! **Rotation.** A state variable θ with θ' = ω(r) = c r (linear, through 0; no dependence on
//! the state or on t) and r-independent switch phases φ_k (measured once on the integrated
//! trajectory): the switches are at t_k = φ_k/(c r), so
//!
//! ```text
//! r* = φ_1/(c T_d),  r_NL = φ_1/(c T),  |L'(r*⁺)| = c T_d/φ_1,  |L'(r*⁻)| = c T_d²/(φ_1 T_r),
//! η* = (φ_1/c)² T_r/(T_d² T)  ≈ (φ_1/c)² T_r T_d⁻³ (β = 3),
//! ```
//!
//! valid while the second switch stays after the trial (φ_2 T_d/φ_1 > T); for a symmetric
//! output (φ_2 = 2φ_1) at T_r = T_d the second switch adds to the right slope (3 c T_d/φ_1)
//! and η* = (φ_1/c)²/(6 T_d²) (β = 2).

use super::formula::{Formula, FormulaModel};
use super::numerics::switches_until;
use super::{FieldAt, ToyModel, Windows};
use crate::ode::{find_crossings, CrossingOptions};
use crate::{Error, Result};
use std::f64::consts::PI;

/// The bifurcation a model's memory relies on, with its normal-form coefficients.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bifurcation {
    /// Saddle-node (fold) of a 1-D flow at (x_c, r_c).
    Fold {
        /// Fold point.
        x_c: f64,
        /// Critical parameter.
        r_c: f64,
        /// a = ½ ∂²f/∂x² at the fold.
        a: f64,
        /// b = ∂f/∂r at the fold.
        b: f64,
        /// `true` if the trajectory starts or switches at the fold (half a passage).
        half_passage: bool,
    },
    /// Rotation θ' = c r of state variable `state` with first two switch phases.
    Rotation {
        /// Index of the phase variable.
        state: usize,
        /// c = dω/dr.
        c: f64,
        /// Phase advance to the first output switch.
        phi1: f64,
        /// Phase advance to the second output switch (∞ if none within four turns).
        phi2: f64,
    },
}

/// Leading-order predictions of a model (see the [module documentation](self)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LeadingOrder {
    /// The detected bifurcation.
    pub bifurcation: Bifurcation,
}

/// Predicted quantities at one pair of windows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prediction {
    /// r*.
    pub r_star: f64,
    /// r_NL.
    pub r_nl: f64,
    /// |L'(r*⁺)|.
    pub slope_right: f64,
    /// |L'(r*⁻)|.
    pub slope_left: f64,
    /// η* = (r* − r_NL)/|L'(r*⁺)| within the normal form.
    pub eta_star: f64,
}

impl LeadingOrder {
    /// Detect the bifurcation of `m` and read off its coefficients.
    pub fn detect(m: &FormulaModel) -> Result<Self> {
        if let Some(b) = detect_rotation(m)? {
            return Ok(Self { bifurcation: b });
        }
        Ok(Self {
            bifurcation: detect_fold(m)?,
        })
    }

    /// C of t* ≈ C/√(r − r_c) (fold) or φ_1/c of t_1 = (φ_1/c)/r (rotation).
    fn scale(&self) -> f64 {
        match self.bifurcation {
            Bifurcation::Fold {
                a, b, half_passage, ..
            } => {
                let full = PI / (a * b).sqrt();
                if half_passage {
                    0.5 * full
                } else {
                    full
                }
            }
            Bifurcation::Rotation { c, phi1, .. } => phi1 / c,
        }
    }

    /// Predicted r*, r_NL, slopes and η* at windows `w`.
    pub fn predict(&self, w: Windows) -> Prediction {
        let (td, tr) = (w.t_delay, w.t_resp);
        let t = w.total();
        let k = self.scale();
        match self.bifurcation {
            Bifurcation::Fold { r_c, .. } => {
                let c2 = k * k;
                let sr = td * td / (2.0 * c2);
                let (rs, rnl) = (r_c + c2 / (td * td), r_c + c2 / (t * t));
                Prediction {
                    r_star: rs,
                    r_nl: rnl,
                    slope_right: sr,
                    slope_left: td.powi(3) / (2.0 * c2 * tr),
                    eta_star: (rs - rnl) / sr,
                }
            }
            Bifurcation::Rotation { phi1, phi2, .. } => {
                let (rs, rnl) = (k / td, k / t);
                let second_at_end = ((phi2 / phi1) * td - t).abs() <= 1e-9 * t;
                let sr = if second_at_end {
                    td / k * (1.0 + (phi2 / phi1) * td / tr)
                } else {
                    td / k
                };
                Prediction {
                    r_star: rs,
                    r_nl: rnl,
                    slope_right: sr,
                    slope_left: td * td / (k * tr),
                    eta_star: (rs - rnl) / sr,
                }
            }
        }
    }

    /// Leading term for T_r ≪ T_d: (coefficient, power of T_r, β) in η* ≈ C T_r^p T_d^−β.
    pub fn eta_leading(&self) -> (f64, i32, f64) {
        let k = self.scale();
        match self.bifurcation {
            Bifurcation::Fold { .. } => (4.0 * k.powi(4), 1, 5.0),
            Bifurcation::Rotation { .. } => (k * k, 1, 3.0),
        }
    }

    /// Leading term for T_r = T_d: (coefficient, β) in η* ≈ C T_d^−β, if the model has one.
    pub fn eta_equal_windows(&self) -> Option<(f64, f64)> {
        let k = self.scale();
        match self.bifurcation {
            Bifurcation::Fold { .. } => Some((1.5 * k.powi(4), 4.0)),
            Bifurcation::Rotation { phi1, phi2, .. } => {
                ((phi2 / phi1 - 2.0).abs() < 1e-9).then(|| (k * k / 6.0, 2.0))
            }
        }
    }

    /// The leading-order forms as text, e.g. `eta* ≈ 2.435227e1 * T_r * T_d^-5`.
    pub fn formulas(&self) -> Vec<String> {
        let (c, _, b) = self.eta_leading();
        let mut v = vec![format!("eta* ≈ {c:.6e} * T_r * T_d^-{b} (T_r << T_d)")];
        if let Some((c, b)) = self.eta_equal_windows() {
            v.push(format!("eta* ≈ {c:.6e} * T_d^-{b} (T_r = T_d)"));
        }
        v
    }

    /// One-line description of the bifurcation and its coefficients.
    pub fn describe(&self, m: &FormulaModel) -> String {
        match self.bifurcation {
            Bifurcation::Fold {
                x_c,
                r_c,
                a,
                b,
                half_passage,
            } => format!(
                "fold of {}' at {} = {x_c:.6e}, r_c = {r_c:.6e}: a = 1/2 d2f/dx2 = {a:.6e}, b = df/dr = {b:.6e}; {} passage, t* ≈ {:.6e}/sqrt(r - r_c)",
                m.state_names()[0],
                m.state_names()[0],
                if half_passage { "half" } else { "full" },
                self.scale()
            ),
            Bifurcation::Rotation {
                state,
                c,
                phi1,
                phi2,
            } => format!(
                "rotation {}' = {c:.6e} * r; output switches at phase {phi1:.6e} and {phi2:.6e}; t_1 = {:.6e}/r",
                m.state_names()[state],
                self.scale()
            ),
        }
    }
}

fn depends_on(f: &Formula, slots: std::ops::Range<usize>) -> bool {
    f.slots().iter().any(|s| slots.contains(s))
}

/// A state variable whose rhs is c·r (no state, no t): the rotation case.
fn detect_rotation(m: &FormulaModel) -> Result<Option<Bifurcation>> {
    let n = m.dim();
    let r_slot = n;
    for (k, f) in m.rhs_formulas().iter().enumerate() {
        // Depends on r, on neither the state nor t.
        if depends_on(f, 0..n) || depends_on(f, n + 1..n + 2) || !depends_on(f, r_slot..r_slot + 1)
        {
            continue;
        }
        let z = vec![0.0; n];
        let w0 = m.eval(f, &z, 0.0, 0.0);
        let (w1, w2) = (m.eval(f, &z, 1.0, 0.0), m.eval(f, &z, 2.0, 0.0));
        let c = w1 - w0;
        if w0.abs() > 1e-12 * c.abs() || (w2 - 2.0 * w1).abs() > 1e-12 * c.abs() || c == 0.0 {
            continue; // not linear through 0
        }
        // Switch phases from one run at a reference r with t_1 of order the trial.
        let (lo, hi) = m.r_search();
        let r_ref = (lo * hi).sqrt();
        let (o0, sw) = switches_until(m, r_ref, 4.0 * 2.0 * PI / (c * r_ref).abs())?;
        if o0 || sw.is_empty() {
            return Ok(None);
        }
        let phi1 = sw[0] * c * r_ref;
        let phi2 = sw.get(1).map_or(f64::INFINITY, |t| t * c * r_ref);
        return Ok(Some(Bifurcation::Rotation {
            state: k,
            c,
            phi1,
            phi2,
        }));
    }
    Ok(None)
}

fn no_fold(m: &FormulaModel, why: &str) -> Error {
    Error::numerical(format!("bifurcation of '{}'", m.name()), why.to_string())
}

/// Fold of a 1-D autonomous flow: Newton on (f, ∂f/∂x) = 0 from the bottleneck.
fn detect_fold(m: &FormulaModel) -> Result<Bifurcation> {
    if m.dim() != 1 {
        return Err(no_fold(
            m,
            "neither a rotation theta' = c r nor a 1-D flow with a fold",
        ));
    }
    let f = &m.rhs_formulas()[0];
    if depends_on(f, 2..3) {
        return Err(no_fold(
            m,
            "the fold analysis needs an autonomous flow (no t)",
        ));
    }
    let fx = &m.jacobian_formulas()[0];
    let fr = &m.dfdr_formulas()[0];
    let fxx = fx.partial(0, "d2f/dx2")?;
    let fxr = fx.partial(1, "d2f/dxdr")?;
    // Bottleneck: where |f| is smallest on the path from the start to the switch, at r_lo.
    let (lo, hi) = m.r_search();
    let r_mid = (lo * hi).sqrt();
    let mut x0 = [0.0];
    m.initial_state(r_mid, &mut x0);
    let t_guess = 10.0 * m.windows().total();
    let (_, sw) = switches_until(m, r_mid, t_guess)?;
    let Some(&t1) = sw.first() else {
        return Err(no_fold(
            m,
            "the indicator never changes sign inside the search range of r",
        ));
    };
    let x_sw = state_at(m, r_mid, t1)?;
    let ev = |g: &Formula, x: f64, r: f64| m.eval(g, &[x], r, 0.0);
    let mut best = (f64::INFINITY, x0[0]);
    for i in 0..=400 {
        let x = x0[0] + (x_sw - x0[0]) * i as f64 / 400.0;
        let v = ev(f, x, lo).abs();
        if v < best.0 {
            best = (v, x);
        }
    }
    let (mut x, mut r) = (best.1, lo);
    for _ in 0..100 {
        let (g1, g2) = (ev(f, x, r), ev(fx, x, r));
        let (j11, j12, j21, j22) = (ev(fx, x, r), ev(fr, x, r), ev(&fxx, x, r), ev(&fxr, x, r));
        let det = j11 * j22 - j12 * j21;
        if det == 0.0 || !det.is_finite() {
            return Err(no_fold(m, "singular Newton system while locating the fold"));
        }
        let dx = (g1 * j22 - g2 * j12) / det;
        let dr = (j11 * g2 - j21 * g1) / det;
        x -= dx;
        r -= dr;
        if dx.abs() <= 1e-15 * (1.0 + x.abs()) && dr.abs() <= 1e-15 * (1.0 + r.abs()) {
            break;
        }
    }
    if !(x.is_finite() && r.is_finite()) || ev(f, x, r).abs() > 1e-10 || ev(fx, x, r).abs() > 1e-10
    {
        return Err(no_fold(
            m,
            "no point with f = 0 = df/dx near the bottleneck",
        ));
    }
    let a = 0.5 * ev(&fxx, x, r);
    let b = ev(fr, x, r);
    if a * b <= 0.0 || (a * b).is_nan() {
        return Err(no_fold(m, "the fold has a * b <= 0 (no ghost for r > r_c)"));
    }
    let span = (x_sw - x0[0]).abs();
    let half = (x0[0] - x).abs() <= 1e-6 * span || (x_sw - x).abs() <= 1e-6 * span;
    Ok(Bifurcation::Fold {
        x_c: x,
        r_c: r,
        a,
        b,
        half_passage: half,
    })
}

fn state_at(m: &FormulaModel, r: f64, t: f64) -> Result<f64> {
    let mut x0 = vec![0.0; m.dim()];
    m.initial_state(r, &mut x0);
    let mut o = CrossingOptions::default();
    o.adaptive.h_max = m.max_step(r);
    o.adaptive.n_max = 2_000_000;
    let (_, xf) = find_crossings(&FieldAt::new(m, r), 0.0, &x0, t, |_, _| 1.0, &o)?;
    Ok(xf[0])
}
