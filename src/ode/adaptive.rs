//! Adaptive Dormand–Prince integration (Dopri5, Dop853) through the `ode_solvers` crate.

use ode_solvers::{DVector, Dop853, Dopri5, OutputType};

use super::System;
use crate::{Error, Result};

/// Adaptive embedded Runge–Kutta method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Dormand–Prince 5(4) with 4th-order dense output.
    Dopri5,
    /// Dormand–Prince 8(5,3).
    Dop853,
}

/// Tolerances and step limits of an adaptive solve.
#[derive(Debug, Clone, Copy)]
pub struct AdaptiveOptions {
    /// Which method.
    pub method: Method,
    /// Relative tolerance.
    pub rtol: f64,
    /// Absolute tolerance.
    pub atol: f64,
    /// Largest allowed step (use it to avoid stepping over oscillations); `f64::INFINITY` = none.
    pub h_max: f64,
    /// Largest number of steps.
    pub n_max: u32,
}

impl Default for AdaptiveOptions {
    /// Dopri5, rtol = atol = 1e-10, no step limit, 100,000 steps.
    fn default() -> Self {
        Self {
            method: Method::Dopri5,
            rtol: 1e-10,
            atol: 1e-10,
            h_max: f64::INFINITY,
            n_max: 100_000,
        }
    }
}

/// Accepted steps of an adaptive solve: `t[k]` and the state `x[k]` there.
#[derive(Debug, Clone, Default)]
pub struct Trajectory {
    /// Times of the accepted steps, starting with t0 and ending at t1.
    pub t: Vec<f64>,
    /// States at those times.
    pub x: Vec<Vec<f64>>,
}

/// Stop predicate evaluated after every accepted step.
pub(crate) type StopFn<'a> = &'a dyn Fn(f64, &[f64]) -> bool;

/// A non-finite right-hand side seen at a finite state: (t, x, component, value).
type BadEval = (f64, Vec<f64>, usize, f64);

struct Adapter<'a, S: ?Sized> {
    sys: &'a S,
    stop: Option<StopFn<'a>>,
    /// The first evaluation at a finite state whose right-hand side was not finite, to name
    /// the cause when the solver then fails.
    bad: &'a std::cell::RefCell<Option<BadEval>>,
}

impl<S: System + ?Sized> ode_solvers::System<f64, DVector<f64>> for Adapter<'_, S> {
    fn system(&self, t: f64, y: &DVector<f64>, dy: &mut DVector<f64>) {
        self.sys.rhs(t, y.as_slice(), dy.as_mut_slice());
        if let Some(i) = dy.iter().position(|v| !v.is_finite()) {
            let mut bad = self.bad.borrow_mut();
            if bad.is_none() && y.iter().all(|v| v.is_finite()) {
                *bad = Some((t, y.as_slice().to_vec(), i, dy[i]));
            }
        }
    }
    fn solout(&mut self, t: f64, y: &DVector<f64>, _dy: &DVector<f64>) -> bool {
        match self.stop {
            Some(f) => f(t, y.as_slice()),
            None => false,
        }
    }
}

/// Solve x' = f(t, x) from (t0, x0) to t1 adaptively; returns every accepted step.
///
/// Errors: non-finite times or state, a dimension mismatch, or a solver failure
/// (too many steps, step-size underflow, stiffness) as [`Error::Numerical`].
pub fn solve_adaptive<S: System + ?Sized>(
    sys: &S,
    t0: f64,
    x0: &[f64],
    t1: f64,
    opts: &AdaptiveOptions,
) -> Result<Trajectory> {
    solve_adaptive_until(sys, t0, x0, t1, opts, None)
}

/// As [`solve_adaptive`], but stops after the first accepted step at which `stop(t, x)` holds.
pub(crate) fn solve_adaptive_until<S: System + ?Sized>(
    sys: &S,
    t0: f64,
    x0: &[f64],
    t1: f64,
    opts: &AdaptiveOptions,
    stop: Option<StopFn<'_>>,
) -> Result<Trajectory> {
    crate::error::check_finite("t0", t0)?;
    crate::error::check_finite("t1", t1)?;
    if x0.len() != sys.dim() {
        return Err(Error::invalid(
            "x0",
            format!(
                "length {} but the system has dimension {}",
                x0.len(),
                sys.dim()
            ),
        ));
    }
    if x0.iter().any(|v| !v.is_finite()) {
        return Err(Error::invalid("x0", "state must be finite"));
    }
    if t1 == t0 {
        return Ok(Trajectory {
            t: vec![t0],
            x: vec![x0.to_vec()],
        });
    }
    let y0 = DVector::from_column_slice(x0);
    let h_max = if opts.h_max.is_finite() {
        opts.h_max
    } else {
        (t1 - t0).abs()
    };
    let bad = std::cell::RefCell::new(None);
    let f = Adapter {
        sys,
        stop,
        bad: &bad,
    };
    let convert = |xs: &Vec<f64>, ys: &Vec<DVector<f64>>| Trajectory {
        t: xs.clone(),
        x: ys.iter().map(|y| y.as_slice().to_vec()).collect(),
    };
    let fmt_x = |x: &[f64]| {
        x.iter()
            .map(|v| format!("{v:e}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // The solver's own message ("step size underflow") hides the cause: name it, with the
    // first non-finite right-hand side or else the last accepted state.
    let err = |e: ode_solvers::dop_shared::IntegrationError, xs: &[f64], ys: &[DVector<f64>]| {
        let why = match (bad.borrow().as_ref(), xs.last().zip(ys.last())) {
            (Some((t, x, i, v)), _) => format!(
                "the right-hand side is {v} in component {i} at t = {t:e}, x = [{}] \
                 (the solver then stopped: {e})",
                fmt_x(x)
            ),
            (None, Some((t, y))) => format!(
                "{e} (last accepted step t = {t:e}, x = [{}]; a solution that blows up in \
                 finite time, or a discontinuous right-hand side?)",
                fmt_x(y.as_slice())
            ),
            (None, None) => e.to_string(),
        };
        Error::numerical("adaptive ODE integration", why)
    };
    // Both solvers take the same arguments apart from the step-size control constants
    // (β, fac1, fac2 of Hairer & Wanner), the values their authors recommend.
    macro_rules! solve {
        ($solver:ident, $beta:expr, $fac1:expr, $fac2:expr) => {{
            let mut s = $solver::from_param(
                f,
                t0,
                t1,
                0.0,
                y0,
                opts.rtol,
                opts.atol,
                0.9,
                $beta,
                $fac1,
                $fac2,
                h_max,
                0.0,
                opts.n_max,
                1000,
                OutputType::Sparse,
            );
            if let Err(e) = s.integrate() {
                return Err(err(e, s.x_out(), s.y_out()));
            }
            convert(s.x_out(), s.y_out())
        }};
    }
    let traj = match opts.method {
        Method::Dopri5 => solve!(Dopri5, 0.04, 0.2, 10.0),
        Method::Dop853 => solve!(Dop853, 0.0, 0.333, 6.0),
    };
    if traj
        .x
        .last()
        .is_none_or(|x| x.iter().any(|v| !v.is_finite()))
    {
        return Err(Error::numerical(
            "adaptive ODE integration",
            "the solution left the finite range",
        ));
    }
    Ok(traj)
}

/// Integrate from (t0, x0) to t1 adaptively and return the final state x(t1).
pub fn integrate_adaptive<S: System + ?Sized>(
    sys: &S,
    t0: f64,
    x0: &[f64],
    t1: f64,
    opts: &AdaptiveOptions,
) -> Result<Vec<f64>> {
    let traj = solve_adaptive(sys, t0, x0, t1, opts)?;
    Ok(traj.x.last().cloned().unwrap_or_else(|| x0.to_vec()))
}
