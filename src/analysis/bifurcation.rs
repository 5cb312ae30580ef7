//! Bifurcations along a one-parameter family of flows, and along training (docs/dynamics.md).
//!
//! A training run saves its parameters at epochs e₀ < e₁ < …; between two checkpoints the
//! parameters are joined by the straight line p(s) = (1 − s)pₖ + s pₖ₊₁, s ∈ [0, 1]
//! ([`Segment`](super::field::Segment)), and epoch eₖ + s(eₖ₊₁ − eₖ) is reported for an event
//! at s. Along each segment:
//!
//! * **Fixed points** are followed by pseudo-arclength continuation in (x, s): tangent t from
//!   `[J  ∂F/∂s; t_prevᵀ] t = [0; 1]`, Euler predictor y + h t, Newton corrector on
//!   `F(x, s) = 0, tᵀ(y − y_pred) = 0`, step h halved on failure and grown after easy steps.
//!   Pseudo-arclength goes round a fold, where natural continuation in s would stop.
//! * **Fold** (saddle-node): the s-component of the tangent changes sign. Where s has a maximum
//!   along the branch the pair of fixed points disappears as s grows (*annihilation*), at a
//!   minimum it appears (*creation*). Located by bisection on the arclength to
//!   [`ContinuationConfig::locate_tol`]; as s is quadratic in the arclength there, the fold's s
//!   is found to about the square of that tolerance.
//! * **Hopf**: the largest real part among the complex eigenvalues of J changes sign; located
//!   by bisection; the crossing pair ±iω is reported.
//! * **Periodic orbits** are followed by natural-parameter continuation: shooting
//!   ([`super::orbits::shoot`]) at the next s from the previous orbit, the step halved when the
//!   shooting fails or jumps (period changing by more than a factor 2), down to
//!   [`ContinuationConfig::orbit_min_ds`]. Where the orbit cannot be continued further its end
//!   is classified from the neighbouring fixed-point events:
//!   * **Hopf** — a Hopf point within [`ContinuationConfig::match_ds`], the orbit's radius
//!     below half of where the branch started and its period within 10 % of 2π/ω, ω the
//!     crossing frequency;
//!   * **SNIC** (saddle-node on an invariant circle) — a fold within `match_ds` whose point
//!     lies on the last orbit (distance below a tenth of its radius) and a period that grew
//!     toward the end; the period then diverges as (s − s_c)^(−1/2), and the exponent read off
//!     the last two orbits is reported;
//!   * **homoclinic** — the period grew threefold toward the end without a fold on the orbit
//!     (period ∝ −ln|s − s_c|);
//!   * **cycle fold** — a non-trivial Floquet multiplier within 0.05 of +1;
//!   * otherwise **orbit lost**, with the last orbit's numbers.
//!
//! [`scan`] runs this over a list of checkpoints: fixed and slow points of each checkpoint are
//! found from the given starts ([`find_critical_points`]), the orbit from the given start
//! (as [`find_orbit`](super::orbits::find_orbit); one orbit per checkpoint, the one the start
//! settles onto), every fixed point and orbit of checkpoint k is continued to k + 1 and
//! those of k + 1 that no branch reached are continued back to k. Branches that arrive at a
//! point the search missed add it to the next checkpoint, so a branch is followed across the
//! whole run once it has been found.

#![allow(clippy::needless_range_loop)]

use super::field::{FieldFamily, VectorField};
use super::fixed_points::{
    find_critical_points, jacobian_eigenvalues, FixedPointConfig, PointKind, PointType,
};
use super::orbits::{dist, norm, orbit_guess, shoot, OrbitConfig, PeriodicOrbit};
use crate::ode::System;
use nalgebra::{DMatrix, DVector};
use rustfft::num_complex::Complex;

/// Settings of the continuation and the event detection.
#[derive(Debug, Clone, PartialEq)]
pub struct ContinuationConfig {
    /// First arclength step (default 0.05).
    pub h0: f64,
    /// Smallest arclength step before a branch is declared lost (default 1e-9).
    pub h_min: f64,
    /// Largest arclength step (default 0.25).
    pub h_max: f64,
    /// Newton convergence: ‖F‖ ≤ `tol` (default 1e-11).
    pub tol: f64,
    /// Newton iterations per corrector (default 10).
    pub max_newton: usize,
    /// Accepted steps per branch before it is given up (default 4000).
    pub max_steps: usize,
    /// |Im λ| at or below this counts as real (default 1e-7).
    pub imag_tol: f64,
    /// Bisection tolerance (arclength) when locating a fold or Hopf point (default 1e-10).
    pub locate_tol: f64,
    /// Periodic-orbit shooting settings.
    pub orbit: OrbitConfig,
    /// Smallest parameter step of the orbit continuation (default 1e-4).
    pub orbit_min_ds: f64,
    /// Largest |Δs| between the end of an orbit branch and a fold or Hopf point for the two to
    /// be one event (default 0.02).
    pub match_ds: f64,
}

impl Default for ContinuationConfig {
    fn default() -> Self {
        ContinuationConfig {
            h0: 0.05,
            h_min: 1e-9,
            h_max: 0.25,
            tol: 1e-11,
            max_newton: 10,
            max_steps: 4000,
            imag_tol: 1e-7,
            locate_tol: 1e-10,
            orbit: OrbitConfig::default(),
            orbit_min_ds: 1e-4,
            match_ds: 0.02,
        }
    }
}

/// A fixed point on a branch.
#[derive(Debug, Clone, PartialEq)]
pub struct BranchPoint {
    /// Parameter.
    pub s: f64,
    /// Location.
    pub x: Vec<f64>,
    /// Jacobian eigenvalues, by decreasing real part.
    pub eigenvalues: Vec<Complex<f64>>,
    /// Type from the eigenvalues.
    pub point_type: PointType,
}

/// What a bifurcation does as s (the epoch) grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Direction {
    /// The objects (a pair of fixed points, an orbit) exist after the event, not before.
    Creation,
    /// They exist before, not after.
    Annihilation,
    /// A fixed point changes stability and stays (Hopf without a continued orbit).
    StabilityChange,
}

/// Type of a detected event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum EventKind {
    /// Saddle-node of fixed points (the tangent's s-component changes sign).
    Fold,
    /// A complex pair of eigenvalues crosses the imaginary axis.
    Hopf,
    /// Saddle-node on an invariant circle: a fold on a periodic orbit whose period diverges.
    Snic,
    /// A periodic orbit whose period diverges without a fold on it.
    Homoclinic,
    /// Fold of periodic orbits (a non-trivial multiplier reaches +1).
    CycleFold,
    /// A periodic orbit ends for a reason not identified.
    OrbitLost,
}

impl EventKind {
    /// Short name (`fold`, `hopf`, `snic`, `homoclinic`, `cycle-fold`, `orbit-lost`).
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Fold => "fold",
            EventKind::Hopf => "hopf",
            EventKind::Snic => "snic",
            EventKind::Homoclinic => "homoclinic",
            EventKind::CycleFold => "cycle-fold",
            EventKind::OrbitLost => "orbit-lost",
        }
    }
}

/// A bifurcation on one segment.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Type.
    pub kind: EventKind,
    /// What exists before and after.
    pub direction: Direction,
    /// Parameter of the event.
    pub s: f64,
    /// Location (the fold or Hopf point; for orbit events the point of the nearby fold, or the
    /// last orbit's shooting point).
    pub x: Vec<f64>,
    /// The critical eigenvalue (fold: the real one nearest 0; Hopf: the crossing pair's upper
    /// member); `None` for orbit events without a fixed-point partner.
    pub eigenvalue: Option<Complex<f64>>,
    /// Period (τ) of the last orbit before the event, for orbit events.
    pub period: Option<f64>,
    /// Exponent γ of period ∝ |s − s_c|^(−γ) from the last two orbits (SNIC: ½).
    pub period_exponent: Option<f64>,
    /// Orbital stability of the orbit involved, for orbit and Hopf events with an orbit.
    pub orbit_stable: Option<bool>,
}

/// How a fixed-point branch ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum BranchEnd {
    /// Reached the target s.
    Reached,
    /// Turned back (past a fold) and returned to the starting s.
    TurnedBack,
    /// Newton failed at the smallest step.
    Lost,
    /// [`ContinuationConfig::max_steps`] accepted steps.
    MaxSteps,
}

/// A continued branch of fixed points.
#[derive(Debug, Clone, PartialEq)]
pub struct Branch {
    /// Accepted points in arclength order (the first is the start, the last the end).
    pub points: Vec<BranchPoint>,
    /// Folds and Hopf points on the branch, in arclength order.
    pub events: Vec<Event>,
    /// How it ended.
    pub end: BranchEnd,
}

/// One point of a periodic-orbit branch.
#[derive(Debug, Clone, PartialEq)]
pub struct OrbitPoint {
    /// Parameter.
    pub s: f64,
    /// The orbit.
    pub orbit: PeriodicOrbit,
}

/// How an orbit branch ended.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub enum OrbitEnd {
    /// Reached the target s.
    Reached,
    /// Could not be continued beyond the last point (the step fell below the minimum).
    Lost {
        /// The parameter at which shooting first failed with the smallest step.
        s_fail: f64,
    },
}

/// A continued branch of periodic orbits.
#[derive(Debug, Clone, PartialEq)]
pub struct OrbitBranch {
    /// Accepted orbits in order.
    pub points: Vec<OrbitPoint>,
    /// How it ended.
    pub end: OrbitEnd,
}

/// Newton's method for F(x) = 0 at fixed parameter; `None` unless ‖F‖ ≤ `tol` within
/// `max_iter` steps.
pub fn newton<V: VectorField + ?Sized>(
    field: &V,
    x0: &[f64],
    tol: f64,
    max_iter: usize,
) -> Option<Vec<f64>> {
    let n = x0.len();
    let mut x = x0.to_vec();
    let mut f = vec![0.0; n];
    for _ in 0..=max_iter {
        field.eval(&x, &mut f);
        let r = norm(&f);
        if !r.is_finite() {
            return None;
        }
        if r <= tol {
            return Some(x);
        }
        let step = field
            .jacobian_matrix(&x)
            .lu()
            .solve(&DVector::from_column_slice(&f))?;
        for i in 0..n {
            x[i] -= step[i];
        }
    }
    None
}

/// Sorted eigenvalues and type at x (bounded QR iterations).
fn typed<V: VectorField + ?Sized>(
    field: &V,
    x: &[f64],
    imag_tol: f64,
) -> crate::Result<(Vec<Complex<f64>>, PointType)> {
    let e = jacobian_eigenvalues(field, x)?;
    let t = PointType::from_eigenvalues(&e, imag_tol);
    Ok((e, t))
}

/// Hopf test function: the largest real part among the complex eigenvalues (−∞ if none).
fn hopf_test(e: &[Complex<f64>], imag_tol: f64) -> f64 {
    e.iter()
        .filter(|l| l.im.abs() > imag_tol)
        .map(|l| l.re)
        .fold(f64::NEG_INFINITY, f64::max)
}

/// The extended system's matrix [[J, F_s], [tᵀ]] at (x, s).
fn extended<Fam: FieldFamily>(fam: &Fam, x: &[f64], s: f64, t: &[f64]) -> DMatrix<f64> {
    let n = x.len();
    let j = fam.at(s).jacobian_matrix(x);
    let mut fs = vec![0.0; n];
    fam.d_ds(x, s, &mut fs);
    let mut a = DMatrix::<f64>::zeros(n + 1, n + 1);
    for i in 0..n {
        for k in 0..n {
            a[(i, k)] = j[(i, k)];
        }
        a[(i, n)] = fs[i];
    }
    for k in 0..=n {
        a[(n, k)] = t[k];
    }
    a
}

/// Unit tangent at y = (x, s), oriented by `t_prev` (t·t_prev > 0).
fn tangent<Fam: FieldFamily>(fam: &Fam, y: &[f64], t_prev: &[f64]) -> Option<Vec<f64>> {
    let n = y.len() - 1;
    let a = extended(fam, &y[..n], y[n], t_prev);
    let mut rhs = DVector::<f64>::zeros(n + 1);
    rhs[n] = 1.0;
    let t = a.lu().solve(&rhs)?;
    let nt = t.norm();
    if !nt.is_finite() || nt == 0.0 {
        return None;
    }
    Some(t.iter().map(|v| v / nt).collect())
}

/// Corrector: Newton on F(x, s) = 0, tᵀ(y − y_pred) = 0.
fn correct<Fam: FieldFamily>(
    fam: &Fam,
    y_pred: &[f64],
    t: &[f64],
    cfg: &ContinuationConfig,
) -> Option<(Vec<f64>, usize)> {
    let n = y_pred.len() - 1;
    let mut y = y_pred.to_vec();
    let mut f = vec![0.0; n];
    for it in 0..=cfg.max_newton {
        let field = fam.at(y[n]);
        field.eval(&y[..n], &mut f);
        let c: f64 = (0..=n).map(|k| t[k] * (y[k] - y_pred[k])).sum();
        let r = norm(&f);
        if !r.is_finite() {
            return None;
        }
        if r <= cfg.tol && c.abs() <= cfg.tol {
            return Some((y, it));
        }
        if it == cfg.max_newton {
            break;
        }
        let a = extended(fam, &y[..n], y[n], t);
        let mut rhs = DVector::<f64>::zeros(n + 1);
        for i in 0..n {
            rhs[i] = -f[i];
        }
        rhs[n] = -c;
        let d = a.lu().solve(&rhs)?;
        for k in 0..=n {
            y[k] += d[k];
        }
    }
    None
}

/// A test function of (point, tangent) whose sign change marks an event.
type TestFn<'a> = &'a dyn Fn(&[f64], &[f64]) -> crate::Result<f64>;

/// Bisection on the arclength σ ∈ (0, h) from y along t for a sign change of `test`, which
/// is evaluated at the corrected point and its tangent. `lo` is test at σ = 0.
fn locate<Fam: FieldFamily>(
    fam: &Fam,
    y: &[f64],
    t: &[f64],
    h: f64,
    lo: f64,
    cfg: &ContinuationConfig,
    test: TestFn<'_>,
) -> crate::Result<Option<Vec<f64>>> {
    let (mut a, mut b) = (0.0, h);
    let mut best = None;
    let sign_lo = lo.signum();
    while b - a > cfg.locate_tol {
        let m = 0.5 * (a + b);
        let pred: Vec<f64> = y.iter().zip(t).map(|(v, d)| v + m * d).collect();
        let Some((ym, _)) = correct(fam, &pred, t, cfg) else {
            break;
        };
        let Some(tm) = tangent(fam, &ym, t) else {
            break;
        };
        let v = test(&ym, &tm)?;
        if v.signum() == sign_lo {
            a = m;
        } else {
            b = m;
        }
        best = Some(ym);
    }
    Ok(best)
}

/// Follow the fixed point near `x0` of `fam` at `s0` toward `s_target` by pseudo-arclength
/// continuation, detecting folds and Hopf points (module docs). Errors if `x0` does not
/// converge to a fixed point at `s0`.
pub fn continue_fixed_point<Fam: FieldFamily>(
    fam: &Fam,
    x0: &[f64],
    s0: f64,
    s_target: f64,
    cfg: &ContinuationConfig,
) -> crate::Result<Branch> {
    let n = x0.len();
    let dir = if s_target >= s0 { 1.0 } else { -1.0 };
    let start = newton(&fam.at(s0), x0, cfg.tol, cfg.max_newton).ok_or_else(|| {
        crate::Error::numerical(
            "continuation",
            format!("the start is not a fixed point at s = {s0} (Newton did not converge)"),
        )
    })?;
    let point = |x: Vec<f64>, s: f64| -> crate::Result<BranchPoint> {
        let (eigenvalues, point_type) = typed(&fam.at(s), &x, cfg.imag_tol)?;
        Ok(BranchPoint {
            s,
            x,
            eigenvalues,
            point_type,
        })
    };
    let mut points = vec![point(start.clone(), s0)?];
    let mut events = Vec::new();
    let mut y: Vec<f64> = start.iter().copied().chain([s0]).collect();
    let mut e0 = vec![0.0; n + 1];
    e0[n] = dir;
    let mut t = tangent(fam, &y, &e0).ok_or_else(|| {
        crate::Error::numerical("continuation", "singular extended system at the start")
    })?;
    let mut h = cfg
        .h0
        .min(cfg.h_max)
        .min((s_target - s0).abs().max(cfg.h_min));
    let imag_tol = cfg.imag_tol;
    for _ in 0..cfg.max_steps {
        let pred: Vec<f64> = y.iter().zip(&t).map(|(v, d)| v + h * d).collect();
        let corr = correct(fam, &pred, &t, cfg);
        let Some((mut yn, iters)) = corr else {
            h *= 0.5;
            if h < cfg.h_min {
                return Ok(Branch {
                    points,
                    events,
                    end: BranchEnd::Lost,
                });
            }
            continue;
        };
        // Guard against jumping to another branch: the step must stay close to h.
        let step = dist(&yn, &y);
        if step > 2.0 * h {
            h *= 0.5;
            if h < cfg.h_min {
                return Ok(Branch {
                    points,
                    events,
                    end: BranchEnd::Lost,
                });
            }
            continue;
        }
        let Some(mut tn) = tangent(fam, &yn, &t) else {
            h *= 0.5;
            continue;
        };
        // Crossed the target or returned past the start: finish exactly there.
        let past_target = (yn[n] - s_target) * dir >= 0.0;
        let past_start = (yn[n] - s0) * dir < 0.0;
        let mut end = None;
        if past_target || past_start {
            let s_end = if past_target { s_target } else { s0 };
            let w = (s_end - y[n]) / (yn[n] - y[n]);
            let guess: Vec<f64> = (0..n).map(|i| y[i] + w * (yn[i] - y[i])).collect();
            match newton(&fam.at(s_end), &guess, cfg.tol, cfg.max_newton) {
                Some(xe) => {
                    yn = xe.iter().copied().chain([s_end]).collect();
                    if let Some(te) = tangent(fam, &yn, &t) {
                        tn = te;
                    }
                    end = Some(if past_target {
                        BranchEnd::Reached
                    } else {
                        BranchEnd::TurnedBack
                    });
                }
                None => {
                    h *= 0.5;
                    if h < cfg.h_min {
                        return Ok(Branch {
                            points,
                            events,
                            end: BranchEnd::Lost,
                        });
                    }
                    continue;
                }
            }
        }
        let new_point = point(yn[..n].to_vec(), yn[n])?;
        let prev = points.last().expect("branch has a start");
        // Fold: the tangent's s-component changes sign.
        if t[n] * tn[n] < 0.0 {
            let test = |_: &[f64], tt: &[f64]| Ok(tt[n]);
            if let Some(l) = locate(fam, &y, &t, h, t[n], cfg, &test)? {
                let s = l[n];
                let x = l[..n].to_vec();
                let (e, _) = typed(&fam.at(s), &x, imag_tol)?;
                let crit = e
                    .iter()
                    .filter(|l| l.im.abs() <= imag_tol)
                    .min_by(|a, b| a.re.abs().total_cmp(&b.re.abs()))
                    .copied();
                // s has a maximum along the branch where t_s goes from + to −.
                let direction = if t[n] > 0.0 {
                    Direction::Annihilation
                } else {
                    Direction::Creation
                };
                events.push(Event {
                    kind: EventKind::Fold,
                    direction,
                    s,
                    x,
                    eigenvalue: crit,
                    period: None,
                    period_exponent: None,
                    orbit_stable: None,
                });
            }
        }
        // Hopf: the largest real part of a complex pair changes sign.
        let (ha, hb) = (
            hopf_test(&prev.eigenvalues, imag_tol),
            hopf_test(&new_point.eigenvalues, imag_tol),
        );
        if ha.is_finite() && hb.is_finite() && ha * hb < 0.0 {
            let test = |yy: &[f64], _: &[f64]| -> crate::Result<f64> {
                let (e, _) = typed(&fam.at(yy[n]), &yy[..n], imag_tol)?;
                Ok(hopf_test(&e, imag_tol))
            };
            if let Some(l) = locate(fam, &y, &t, h, ha, cfg, &test)? {
                let s = l[n];
                let x = l[..n].to_vec();
                let (e, _) = typed(&fam.at(s), &x, imag_tol)?;
                let crit = e
                    .iter()
                    .filter(|l| l.im > imag_tol)
                    .min_by(|a, b| a.re.abs().total_cmp(&b.re.abs()))
                    .copied();
                events.push(Event {
                    kind: EventKind::Hopf,
                    direction: Direction::StabilityChange,
                    s,
                    x,
                    eigenvalue: crit,
                    period: None,
                    period_exponent: None,
                    orbit_stable: None,
                });
            }
        }
        points.push(new_point);
        y = yn;
        t = tn;
        if let Some(end) = end {
            return Ok(Branch {
                points,
                events,
                end,
            });
        }
        h = if iters <= 3 {
            (h * 1.5).min(cfg.h_max)
        } else {
            h
        };
    }
    Ok(Branch {
        points,
        events,
        end: BranchEnd::MaxSteps,
    })
}

/// Follow a periodic orbit of `fam` at `s0` toward `s_target` by natural-parameter
/// continuation (module docs).
pub fn continue_orbit<Fam: FieldFamily>(
    fam: &Fam,
    orbit: &PeriodicOrbit,
    s0: f64,
    s_target: f64,
    cfg: &ContinuationConfig,
) -> crate::Result<OrbitBranch> {
    let dir = if s_target >= s0 { 1.0 } else { -1.0 };
    let mut points = vec![OrbitPoint {
        s: s0,
        orbit: orbit.clone(),
    }];
    let total = (s_target - s0).abs();
    // From a close guess Newton converges in a few steps; a failing step is better halved
    // than iterated.
    let shoot_cfg = OrbitConfig {
        max_newton: cfg.orbit.max_newton.min(12),
        ..cfg.orbit.clone()
    };
    let mut h = total;
    let mut s = s0;
    while (s_target - s) * dir > 0.0 {
        let s_try = if h >= (s_target - s).abs() {
            s_target
        } else {
            s + dir * h
        };
        let prev = &points.last().expect("branch has a start").orbit;
        // Secant predictor from the last two orbits (their shooting points lie on nearby
        // Poincaré sections, so x₀ and T vary smoothly along the branch).
        let (x_guess, t_guess) = match points.len() {
            1 => (prev.x0.clone(), prev.period),
            k => {
                let (p0, p1) = (&points[k - 2], &points[k - 1]);
                let w = (s_try - p1.s) / (p1.s - p0.s);
                let x: Vec<f64> = p1
                    .orbit
                    .x0
                    .iter()
                    .zip(&p0.orbit.x0)
                    .map(|(a, b)| a + w * (a - b))
                    .collect();
                let t = p1.orbit.period + w * (p1.orbit.period - p0.orbit.period);
                if t > 0.0 && w.abs() <= 2.0 {
                    (x, t)
                } else {
                    (prev.x0.clone(), prev.period)
                }
            }
        };
        let r = shoot(&fam.at(s_try), &x_guess, t_guess, &shoot_cfg);
        let ok = match r {
            Ok(o) => {
                let ratio = o.period / prev.period;
                (!o.is_degenerate() && (0.5..=2.0).contains(&ratio)).then_some(o)
            }
            Err(_) => None,
        };
        match ok {
            Some(o) => {
                points.push(OrbitPoint { s: s_try, orbit: o });
                s = s_try;
                h = (2.0 * h).min(total);
            }
            None => {
                h *= 0.5;
                if h < cfg.orbit_min_ds {
                    return Ok(OrbitBranch {
                        points,
                        end: OrbitEnd::Lost { s_fail: s_try },
                    });
                }
            }
        }
    }
    Ok(OrbitBranch {
        points,
        end: OrbitEnd::Reached,
    })
}

/// [`continue_orbit`] that uses the fixed-point events already located on the segment
/// (`stops`, their s values): an orbit that ends at one of them ends within
/// [`ContinuationConfig::match_ds`] of it, so instead of bisecting down to
/// [`ContinuationConfig::orbit_min_ds`] the orbit is followed to `match_ds/10` before each
/// stop and one shooting is tried `match_ds/10` beyond it. If that fails the branch ends there
/// (`OrbitEnd::Lost` with `s_fail` the stop); otherwise it goes on. Where no stop explains the
/// end, the plain bisection applies.
pub fn continue_orbit_with_stops<Fam: FieldFamily>(
    fam: &Fam,
    orbit: &PeriodicOrbit,
    s0: f64,
    s_target: f64,
    stops: &[f64],
    cfg: &ContinuationConfig,
) -> crate::Result<OrbitBranch> {
    let dir = if s_target >= s0 { 1.0 } else { -1.0 };
    let half = 0.1 * cfg.match_ds;
    let mut ahead: Vec<f64> = stops
        .iter()
        .copied()
        .filter(|&e| (e - s0) * dir > half && (s_target - e) * dir > half)
        .collect();
    ahead.sort_by(|a, b| (a * dir).total_cmp(&(b * dir)));
    ahead.dedup_by(|a, b| (*a - *b).abs() < cfg.match_ds);
    let mut points: Vec<OrbitPoint> = Vec::new();
    let mut start = OrbitPoint {
        s: s0,
        orbit: orbit.clone(),
    };
    let extend = |points: &mut Vec<OrbitPoint>, b: OrbitBranch| {
        let skip = usize::from(!points.is_empty());
        points.extend(b.points.into_iter().skip(skip));
    };
    for e in ahead {
        if (e - start.s) * dir <= half {
            continue;
        }
        let b = continue_orbit(fam, &start.orbit, start.s, e - dir * half, cfg)?;
        let end = b.end;
        extend(&mut points, b);
        if end != OrbitEnd::Reached {
            return Ok(OrbitBranch { points, end });
        }
        let last = points.last().expect("branch has a start").clone();
        let beyond = e + dir * half;
        match shoot(
            &fam.at(beyond),
            &last.orbit.x0,
            last.orbit.period,
            &cfg.orbit,
        ) {
            Ok(o)
                if !o.is_degenerate() && (0.5..=2.0).contains(&(o.period / last.orbit.period)) =>
            {
                let p = OrbitPoint {
                    s: beyond,
                    orbit: o,
                };
                points.push(p.clone());
                start = p;
            }
            _ => {
                return Ok(OrbitBranch {
                    points,
                    end: OrbitEnd::Lost { s_fail: e },
                })
            }
        }
    }
    let b = continue_orbit(fam, &start.orbit, start.s, s_target, cfg)?;
    let end = b.end;
    extend(&mut points, b);
    Ok(OrbitBranch { points, end })
}

/// Smallest distance from `x` to the samples of an orbit.
fn distance_to_orbit(o: &PeriodicOrbit, x: &[f64]) -> f64 {
    let d = o.dim;
    o.samples
        .chunks(d)
        .map(|p| dist(p, x))
        .fold(f64::INFINITY, f64::min)
}

/// Classify the end of an orbit branch that was lost, from the fixed-point events of the
/// same segment (module docs). `direction` is what the orbit does as s grows.
pub fn classify_orbit_end(
    branch: &OrbitBranch,
    fixed_events: &[Event],
    direction: Direction,
    cfg: &ContinuationConfig,
) -> Option<Event> {
    let OrbitEnd::Lost { s_fail } = branch.end else {
        return None;
    };
    let first = &branch.points.first()?.orbit;
    let last_p = branch.points.last()?;
    let last = &last_p.orbit;
    let s_end = last_p.s;
    let near = |e: &&Event, kind: EventKind| {
        e.kind == kind && (e.s - s_end).abs() <= cfg.match_ds.max((s_fail - s_end).abs())
    };
    let grown = last.period / first.period;
    let stable = Some(last.is_stable());
    let base = Event {
        kind: EventKind::OrbitLost,
        direction,
        s: 0.5 * (s_end + s_fail),
        x: last.x0.clone(),
        eigenvalue: None,
        period: Some(last.period),
        period_exponent: None,
        orbit_stable: stable,
    };
    if let Some(h) = fixed_events.iter().find(|e| near(e, EventKind::Hopf)) {
        // Born at a Hopf point the orbit is small and turns at the crossing frequency ω.
        let omega = h.eigenvalue.map_or(f64::NAN, |l| l.im.abs());
        let turns = last.period * omega / std::f64::consts::TAU;
        if last.radius() < 0.5 * first.radius() && (turns - 1.0).abs() < 0.1 {
            return Some(Event {
                kind: EventKind::Hopf,
                s: h.s,
                x: h.x.clone(),
                eigenvalue: h.eigenvalue,
                ..base
            });
        }
    }
    if let Some(f) = fixed_events
        .iter()
        .find(|e| near(e, EventKind::Fold) && distance_to_orbit(last, &e.x) < 0.1 * last.radius())
    {
        if grown > 1.0 {
            // γ from the last two orbits, with s_c the fold's s.
            let exponent = (branch.points.len() >= 2).then(|| {
                let p = &branch.points[branch.points.len() - 2];
                let (d1, d2) = ((p.s - f.s).abs(), (s_end - f.s).abs());
                (last.period / p.orbit.period).ln() / (d1 / d2).ln()
            });
            return Some(Event {
                kind: EventKind::Snic,
                s: f.s,
                x: f.x.clone(),
                eigenvalue: f.eigenvalue,
                period_exponent: exponent.filter(|g| g.is_finite()),
                ..base
            });
        }
    }
    if grown >= 3.0 {
        return Some(Event {
            kind: EventKind::Homoclinic,
            ..base
        });
    }
    if last
        .multipliers
        .iter()
        .enumerate()
        .any(|(i, m)| i != last.trivial && (m - 1.0).norm() < 0.05)
    {
        return Some(Event {
            kind: EventKind::CycleFold,
            ..base
        });
    }
    Some(base)
}

/// One checkpoint of a [`scan`]: its field and where to look for its invariant sets.
#[derive(Debug, Clone)]
pub struct ScanInput<F> {
    /// Training epoch of the checkpoint.
    pub epoch: usize,
    /// The flow at that epoch.
    pub field: F,
    /// Starts of the fixed-point search (e.g. states of the trial).
    pub starts: Vec<Vec<f64>>,
    /// Start of the orbit search (e.g. the state at the end of the trial).
    pub orbit_start: Vec<f64>,
}

/// A fixed point of a checkpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanPoint {
    /// Location.
    pub x: Vec<f64>,
    /// Jacobian eigenvalues, by decreasing real part.
    pub eigenvalues: Vec<Complex<f64>>,
    /// Type.
    pub point_type: PointType,
    /// True if the search from the starts missed it and a branch from a neighbouring
    /// checkpoint brought it.
    pub from_continuation: bool,
}

/// The invariant sets of one checkpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckpointSets {
    /// Epoch.
    pub epoch: usize,
    /// Fixed points.
    pub fixed_points: Vec<ScanPoint>,
    /// Speeds ‖F‖ of the slow points (local minima of ½‖F‖² that are not fixed points).
    pub slow_speeds: Vec<f64>,
    /// The periodic orbit, if any.
    pub orbit: Option<PeriodicOrbit>,
    /// True if the orbit search from the start missed it and continuation brought it.
    pub orbit_from_continuation: bool,
}

/// A bifurcation located on a segment of the training path.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanEvent {
    /// Index k of the segment (checkpoints k → k + 1).
    pub segment: usize,
    /// Interpolated epoch eₖ + s(eₖ₊₁ − eₖ).
    pub epoch: f64,
    /// The event (s in [0, 1] along the segment).
    pub event: Event,
}

/// A traced branch for plotting: (epoch, point) pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// Epoch and fixed point along the branch.
    pub points: Vec<(f64, BranchPoint)>,
}

/// Result of [`scan`].
#[derive(Debug, Clone, PartialEq)]
pub struct Scan {
    /// Invariant sets per checkpoint.
    pub checkpoints: Vec<CheckpointSets>,
    /// Events in epoch order.
    pub events: Vec<ScanEvent>,
    /// Fixed-point branches as followed (for figures).
    pub branches: Vec<Trace>,
    /// Orbits along the continuation: (epoch, period, radius, stable).
    pub orbits: Vec<(f64, f64, f64, bool)>,
}

fn same_point(a: &[f64], b: &[f64]) -> bool {
    dist(a, b) <= 1e-6 * norm(a).max(1.0)
}

fn same_orbit(a: &PeriodicOrbit, b: &PeriodicOrbit) -> bool {
    (a.period / b.period - 1.0).abs() < 1e-4 && distance_to_orbit(a, &b.x0) < 1e-3 * a.radius()
}

/// The fixed and slow points of one checkpoint and the guess (settled state, period) of the
/// orbit reached from its start; the shooting is left to [`scan`], which skips it where a
/// continued orbit already passes through the guess.
type OrbitGuess = Option<(Vec<f64>, f64)>;

fn sets_of<F: VectorField>(
    input: &ScanInput<F>,
    fp: &FixedPointConfig,
    cfg: &ContinuationConfig,
) -> crate::Result<(CheckpointSets, OrbitGuess)> {
    let pts = find_critical_points(&input.field, &input.starts, fp)?;
    let mut fixed_points = Vec::new();
    let mut slow_speeds = Vec::new();
    for p in pts {
        match p.kind {
            PointKind::Fixed => {
                // Polish to the continuation's tolerance so that branches start on it.
                let x = newton(&input.field, &p.x, cfg.tol, cfg.max_newton).unwrap_or(p.x);
                let (eigenvalues, point_type) = typed(&input.field, &x, cfg.imag_tol)?;
                if !fixed_points
                    .iter()
                    .any(|q: &ScanPoint| same_point(&q.x, &x))
                {
                    fixed_points.push(ScanPoint {
                        x,
                        eigenvalues,
                        point_type,
                        from_continuation: false,
                    });
                }
            }
            PointKind::Slow => slow_speeds.push(p.speed),
        }
    }
    let guess = orbit_guess(&input.field, &input.orbit_start, &cfg.orbit).unwrap_or(None);
    Ok((
        CheckpointSets {
            epoch: input.epoch,
            fixed_points,
            slow_speeds,
            orbit: None,
            orbit_from_continuation: false,
        },
        guess,
    ))
}

/// Shoot from an orbit guess; `None` if there is none, the shooting fails or collapses onto a
/// fixed point (as [`find_orbit`]).
fn resolve<F: VectorField>(
    field: &F,
    guess: &Option<(Vec<f64>, f64)>,
    cfg: &ContinuationConfig,
) -> Option<PeriodicOrbit> {
    let (x, t) = guess.as_ref()?;
    shoot(field, x, *t, &cfg.orbit)
        .ok()
        .filter(|o| !o.is_degenerate())
}

/// Fixed points, slow points, orbits and their bifurcations along a training run (module
/// docs). `segment` builds the parameter family between two consecutive fields. The
/// checkpoint searches run in parallel (rayon); the result does not depend on the thread
/// count.
pub fn scan<F, Fam, S>(
    inputs: &[ScanInput<F>],
    segment: S,
    fp: &FixedPointConfig,
    cfg: &ContinuationConfig,
) -> crate::Result<Scan>
where
    F: VectorField + Send,
    Fam: FieldFamily<Field = F>,
    S: Fn(&F, &F) -> crate::Result<Fam>,
{
    use rayon::prelude::*;
    if inputs.len() < 2 {
        return Err(crate::Error::invalid(
            "checkpoints",
            format!("need at least 2 checkpoints, got {}", inputs.len()),
        ));
    }
    if inputs.windows(2).any(|w| w[1].epoch <= w[0].epoch) {
        return Err(crate::Error::invalid(
            "checkpoints",
            "epochs must increase strictly",
        ));
    }
    let found: Vec<(CheckpointSets, OrbitGuess)> = inputs
        .par_iter()
        .map(|i| sets_of(i, fp, cfg))
        .collect::<crate::Result<_>>()?;
    let (mut sets, guesses): (Vec<CheckpointSets>, Vec<OrbitGuess>) = found.into_iter().unzip();
    sets[0].orbit = resolve(&inputs[0].field, &guesses[0], cfg);
    let mut events: Vec<ScanEvent> = Vec::new();
    let mut branches = Vec::new();
    let mut orbits = Vec::new();
    for k in 0..inputs.len() - 1 {
        let fam = segment(&inputs[k].field, &inputs[k + 1].field)?;
        let (e0, e1) = (inputs[k].epoch as f64, inputs[k + 1].epoch as f64);
        let epoch = |s: f64| e0 + s * (e1 - e0);
        let mut seg_events: Vec<Event> = Vec::new();
        let mut reached_next: Vec<bool> = vec![false; sets[k + 1].fixed_points.len()];
        let mut done_here = vec![false; sets[k].fixed_points.len()];
        let mut add_next: Vec<BranchPoint> = Vec::new();
        let mut record = |b: &Branch, seg_events: &mut Vec<Event>| {
            for e in &b.events {
                if !seg_events
                    .iter()
                    .any(|o| o.kind == e.kind && (o.s - e.s).abs() < 1e-6 && same_point(&o.x, &e.x))
                {
                    seg_events.push(e.clone());
                }
            }
            branches.push(Trace {
                points: b.points.iter().map(|p| (epoch(p.s), p.clone())).collect(),
            });
        };
        // Forward from checkpoint k.
        for i in 0..sets[k].fixed_points.len() {
            if done_here[i] {
                continue;
            }
            done_here[i] = true;
            let x0 = sets[k].fixed_points[i].x.clone();
            let Ok(b) = continue_fixed_point(&fam, &x0, 0.0, 1.0, cfg) else {
                continue;
            };
            let last = b.points.last().expect("branch has a start");
            match b.end {
                BranchEnd::Reached => {
                    match sets[k + 1]
                        .fixed_points
                        .iter()
                        .position(|q| same_point(&q.x, &last.x))
                    {
                        Some(j) => reached_next[j] = true,
                        None => {
                            if !add_next.iter().any(|q| same_point(&q.x, &last.x)) {
                                add_next.push(last.clone());
                            }
                        }
                    }
                }
                BranchEnd::TurnedBack => {
                    if let Some(j) = sets[k]
                        .fixed_points
                        .iter()
                        .position(|q| same_point(&q.x, &last.x))
                    {
                        done_here[j] = true;
                    }
                }
                BranchEnd::Lost | BranchEnd::MaxSteps => {}
            }
            record(&b, &mut seg_events);
        }
        // Backward from the points of k + 1 that no forward branch reached.
        for j in 0..sets[k + 1].fixed_points.len() {
            if reached_next[j] {
                continue;
            }
            reached_next[j] = true;
            let x0 = sets[k + 1].fixed_points[j].x.clone();
            let Ok(b) = continue_fixed_point(&fam, &x0, 1.0, 0.0, cfg) else {
                continue;
            };
            if b.end == BranchEnd::TurnedBack {
                let last = b.points.last().expect("branch has a start");
                if let Some(jj) = sets[k + 1]
                    .fixed_points
                    .iter()
                    .position(|q| same_point(&q.x, &last.x))
                {
                    reached_next[jj] = true;
                }
            }
            record(&b, &mut seg_events);
        }
        for p in add_next {
            sets[k + 1].fixed_points.push(ScanPoint {
                x: p.x,
                eigenvalues: p.eigenvalues,
                point_type: p.point_type,
                from_continuation: true,
            });
        }
        // Orbits.
        let mut orbit_events = Vec::new();
        let stops: Vec<f64> = seg_events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Fold | EventKind::Hopf))
            .map(|e| e.s)
            .collect();
        let mut continued: Option<PeriodicOrbit> = None;
        if let Some(o) = sets[k].orbit.clone() {
            let ob = continue_orbit_with_stops(&fam, &o, 0.0, 1.0, &stops, cfg)?;
            for p in &ob.points {
                orbits.push((
                    epoch(p.s),
                    p.orbit.period,
                    p.orbit.radius(),
                    p.orbit.is_stable(),
                ));
            }
            match ob.end {
                OrbitEnd::Reached => {
                    continued = Some(ob.points.last().expect("branch has a start").orbit.clone());
                }
                OrbitEnd::Lost { .. } => {
                    orbit_events.extend(classify_orbit_end(
                        &ob,
                        &seg_events,
                        Direction::Annihilation,
                        cfg,
                    ));
                }
            }
        }
        // The orbit reached from the start of checkpoint k + 1: the continued one if the
        // start settles onto it, else shot from its own guess.
        let own = match (&continued, &guesses[k + 1]) {
            (Some(c), Some((g, t)))
                if distance_to_orbit(c, g) < 1e-2 * c.radius()
                    && (t / c.period - 1.0).abs() < 0.1 =>
            {
                Some(c.clone())
            }
            (_, g) => resolve(&inputs[k + 1].field, g, cfg),
        };
        let matched_next = match (&continued, &own) {
            (Some(c), Some(o)) => same_orbit(o, c),
            (Some(_), None) => true,
            _ => false,
        };
        match (own, continued) {
            (Some(o), _) => sets[k + 1].orbit = Some(o),
            (None, Some(c)) => {
                sets[k + 1].orbit = Some(c);
                sets[k + 1].orbit_from_continuation = true;
            }
            (None, None) => {}
        }
        if !matched_next {
            if let Some(o) = sets[k + 1].orbit.clone() {
                let ob = continue_orbit_with_stops(&fam, &o, 1.0, 0.0, &stops, cfg)?;
                for p in ob.points.iter().rev() {
                    orbits.push((
                        epoch(p.s),
                        p.orbit.period,
                        p.orbit.radius(),
                        p.orbit.is_stable(),
                    ));
                }
                orbit_events.extend(classify_orbit_end(
                    &ob,
                    &seg_events,
                    Direction::Creation,
                    cfg,
                ));
            }
        }
        // An orbit event that identifies a fold (SNIC) or Hopf point replaces it.
        for oe in &orbit_events {
            if matches!(oe.kind, EventKind::Snic | EventKind::Hopf) {
                let partner = if oe.kind == EventKind::Snic {
                    EventKind::Fold
                } else {
                    EventKind::Hopf
                };
                seg_events.retain(|e| !(e.kind == partner && e.s == oe.s));
            }
        }
        seg_events.extend(orbit_events);
        seg_events.sort_by(|a, b| a.s.total_cmp(&b.s));
        events.extend(seg_events.into_iter().map(|e| ScanEvent {
            segment: k,
            epoch: epoch(e.s),
            event: e,
        }));
    }
    orbits.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(Scan {
        checkpoints: sets,
        events,
        branches,
        orbits,
    })
}

/// [`scan`] over full-rank checkpoints (epoch, parameters) as `dynphase bifurcations` runs
/// it: fixed-point starts from 16 states of the classifier's extended trial (delay
/// `delay_steps`, CLASSIFY stream of `seed`) and 16 of a noise-free rollout of 4 trial lengths
/// from its end; the orbit start is the state at the end of the trial.
pub fn scan_full_rank(
    checkpoints: &[(usize, crate::rnn::FullRankParams<f32>)],
    alpha: f64,
    delay_steps: usize,
    seed: u64,
    fp: &FixedPointConfig,
    cfg: &ContinuationConfig,
) -> crate::Result<Scan> {
    use super::classify::{classifier_trial_len, extended_trial_rates, ClassifierPost};
    use super::field::{euler_rollout, Segment, TanhRnnField};
    use super::fixed_points::starts_from_trajectory;
    let l = classifier_trial_len(delay_steps, ClassifierPost::Exclude);
    let inputs = checkpoints
        .iter()
        .map(|(e, p)| {
            let field = TanhRnnField::from_params(p)?;
            let n = field.dim();
            let rates = extended_trial_rates(p, alpha, delay_steps, ClassifierPost::Exclude, seed)?;
            let end = rates[(l - 1) * n..l * n].to_vec();
            let mut starts = starts_from_trajectory(&rates, n, 16);
            starts.extend(starts_from_trajectory(
                &euler_rollout(&field, &end, alpha, 4 * l),
                n,
                16,
            ));
            Ok(ScanInput {
                epoch: *e,
                field,
                starts,
                orbit_start: end,
            })
        })
        .collect::<crate::Result<Vec<_>>>()?;
    scan(
        &inputs,
        |p, q| Segment::<TanhRnnField>::new(p.clone(), q.clone()),
        fp,
        cfg,
    )
}

/// [`scan`] over rank-2 checkpoints in the latent plane, as `dynphase bifurcations` runs it:
/// starts from the latent rollout over 3 trials of `total` steps and a grid around it
/// ([`rank2_latent_starts`](super::studies::rank2_latent_starts)); the orbit start is κ at the
/// end of the trial.
pub fn scan_rank2(
    checkpoints: &[(usize, crate::rnn::Rank2Params<f32>)],
    alpha: f64,
    total: usize,
    fp: &FixedPointConfig,
    cfg: &ContinuationConfig,
) -> crate::Result<Scan> {
    use super::field::{LowRankLatentField, Segment};
    let inputs = checkpoints
        .iter()
        .map(|(e, p)| {
            let p64: crate::rnn::Rank2Params<f64> = p.cast();
            Ok(ScanInput {
                epoch: *e,
                field: LowRankLatentField::from_rank2(p)?,
                starts: super::studies::rank2_latent_starts(p, total),
                orbit_start: crate::rnn::model::rank2_rollout(&p64, alpha, total).kappa[total]
                    .to_vec(),
            })
        })
        .collect::<crate::Result<Vec<_>>>()?;
    scan(
        &inputs,
        |p, q| Segment::<LowRankLatentField>::new(p.clone(), q.clone()),
        fp,
        cfg,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ẋ = s − x², a fold at s = 0 (pair x = ±√s for s > 0).
    struct Fold1;
    struct Fold1Field(f64);
    impl System for Fold1Field {
        fn dim(&self) -> usize {
            1
        }

        fn rhs(&self, _t: f64, x: &[f64], out: &mut [f64]) {
            out[0] = self.0 - x[0] * x[0];
        }
    }

    impl VectorField for Fold1Field {
        fn jacobian_matrix(&self, x: &[f64]) -> DMatrix<f64> {
            DMatrix::from_element(1, 1, -2.0 * x[0])
        }
    }
    impl FieldFamily for Fold1 {
        type Field = Fold1Field;
        fn at(&self, s: f64) -> Fold1Field {
            Fold1Field(s - 0.3)
        }
        fn d_ds(&self, _: &[f64], _: f64, out: &mut [f64]) {
            out[0] = 1.0;
        }
    }

    #[test]
    fn a_branch_turns_back_at_the_fold_and_reaches_its_partner() {
        // From the stable x = +√0.7 at s = 1 down toward s = 0: the fold at s = 0.3.
        let b =
            continue_fixed_point(&Fold1, &[0.7f64.sqrt()], 1.0, 0.0, &Default::default()).unwrap();
        assert_eq!(b.end, BranchEnd::TurnedBack);
        let last = b.points.last().unwrap();
        assert!((last.x[0] + 0.7f64.sqrt()).abs() < 1e-10, "{:?}", last.x);
        assert_eq!(b.events.len(), 1);
        let f = &b.events[0];
        assert_eq!(f.kind, EventKind::Fold);
        assert_eq!(f.direction, Direction::Creation);
        assert!((f.s - 0.3).abs() < 1e-12, "fold at {}", f.s);
        assert!(f.x[0].abs() < 1e-6, "fold point {}", f.x[0]);
    }
}
