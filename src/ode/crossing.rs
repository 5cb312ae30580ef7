//! Location of threshold crossings g(t, x(t)) = 0 along a trajectory.
//!
//! `ode_solvers` has no event handling, so crossings are found in two stages: an adaptive
//! Dopri5/Dop853 solve with a bounded step gives the accepted steps; every sign change of g
//! between two accepted steps brackets a crossing, which is then refined by a safeguarded
//! regula falsi (Illinois with bisection fallback) in which each trial point is reached by
//! re-integrating from the left end of the bracket with [`Rk4`] substeps.

use super::adaptive::solve_adaptive_until;
use super::{AdaptiveOptions, Method, Rk4, Stepper, System};
use crate::Result;

/// One located crossing of the threshold function through zero.
#[derive(Debug, Clone, PartialEq)]
pub struct Crossing {
    /// Crossing time (within [`CrossingOptions::time_tol`]).
    pub t: f64,
    /// State at the crossing.
    pub x: Vec<f64>,
    /// `true` if g goes from ≤ 0 to > 0, `false` for > 0 to ≤ 0.
    pub rising: bool,
}

/// Options of [`find_crossings`].
#[derive(Debug, Clone, Copy)]
pub struct CrossingOptions {
    /// Adaptive solve used to bracket crossings (set `h_max` below the shortest time between
    /// two crossings so none is stepped over).
    pub adaptive: AdaptiveOptions,
    /// Absolute tolerance on the crossing time.
    pub time_tol: f64,
    /// RK4 substeps per bracket used when re-integrating inside a bracket.
    pub substeps: usize,
}

impl Default for CrossingOptions {
    /// Dop853 at rtol = atol = 1e-11, time tolerance 1e-11, 16 RK4 substeps.
    fn default() -> Self {
        Self {
            adaptive: AdaptiveOptions {
                method: Method::Dop853,
                rtol: 1e-11,
                atol: 1e-11,
                ..AdaptiveOptions::default()
            },
            time_tol: 1e-11,
            substeps: 16,
        }
    }
}

/// Result of [`find_crossings`]: the crossings in time order and the final state x(t1).
pub type CrossingsAndFinal = (Vec<Crossing>, Vec<f64>);

/// Every crossing of g(t, x(t)) through zero for t in (t0, t1], in time order, and x(t1).
///
/// The sign convention is g > 0 versus g ≤ 0 (so a touch of zero from below is not a crossing).
pub fn find_crossings<S, G>(
    sys: &S,
    t0: f64,
    x0: &[f64],
    t1: f64,
    g: G,
    opts: &CrossingOptions,
) -> Result<CrossingsAndFinal>
where
    S: System + ?Sized,
    G: Fn(f64, &[f64]) -> f64,
{
    crossings_impl(sys, t0, x0, t1, &g, opts, false)
}

fn crossings_impl<S, G>(
    sys: &S,
    t0: f64,
    x0: &[f64],
    t1: f64,
    g: &G,
    opts: &CrossingOptions,
    first_only: bool,
) -> Result<CrossingsAndFinal>
where
    S: System + ?Sized,
    G: Fn(f64, &[f64]) -> f64,
{
    let p0 = g(t0, x0) > 0.0;
    let stop = |t: f64, x: &[f64]| (g(t, x) > 0.0) != p0;
    let stop_ref: &dyn Fn(f64, &[f64]) -> bool = &stop;
    let traj = solve_adaptive_until(
        sys,
        t0,
        x0,
        t1,
        &opts.adaptive,
        if first_only { Some(stop_ref) } else { None },
    )?;
    let mut out = Vec::new();
    let mut rk = Rk4::new(sys.dim());
    let mut buf = vec![0.0; sys.dim()];
    for k in 1..traj.t.len() {
        let (ta, tb) = (traj.t[k - 1], traj.t[k]);
        let ga = g(ta, &traj.x[k - 1]);
        let gb = g(tb, &traj.x[k]);
        let (pa, pb) = (ga > 0.0, gb > 0.0);
        if pa == pb {
            continue;
        }
        let xa = &traj.x[k - 1];
        let mut eval = |s: f64, buf: &mut [f64]| -> f64 {
            buf.copy_from_slice(xa);
            let m = opts.substeps.max(1);
            let h = s / m as f64;
            for j in 0..m {
                rk.step(sys, ta + j as f64 * h, buf, h);
            }
            g(ta + s, buf)
        };
        // Bracket in offset s ∈ [lo, hi] from ta with g(lo) ≤ 0 side = pa.
        let (mut lo, mut hi) = (0.0, tb - ta);
        let (mut glo, mut ghi) = (ga, gb);
        let mut side = 0i32;
        for _ in 0..200 {
            if hi - lo <= opts.time_tol {
                break;
            }
            let width = hi - lo;
            let mut s = if (ghi - glo).abs() > 0.0 {
                (lo * ghi - hi * glo) / (ghi - glo)
            } else {
                0.5 * (lo + hi)
            };
            if !(s > lo && s < hi) {
                s = 0.5 * (lo + hi);
            }
            let gs = eval(s, &mut buf);
            if (gs > 0.0) == pa {
                lo = s;
                glo = gs;
                if side == -1 {
                    ghi *= 0.5;
                }
                side = -1;
            } else {
                hi = s;
                ghi = gs;
                if side == 1 {
                    glo *= 0.5;
                }
                side = 1;
            }
            if hi - lo > 0.5 * width {
                // Regula falsi stalled: bisect.
                let m = 0.5 * (lo + hi);
                let gm = eval(m, &mut buf);
                if (gm > 0.0) == pa {
                    lo = m;
                    glo = gm;
                } else {
                    hi = m;
                    ghi = gm;
                }
                side = 0;
            }
        }
        let s = 0.5 * (lo + hi);
        eval(s, &mut buf);
        out.push(Crossing {
            t: ta + s,
            x: buf.clone(),
            rising: !pa,
        });
    }
    let last = traj.x.last().cloned().unwrap_or_else(|| x0.to_vec());
    Ok((out, last))
}

/// The first crossing of g(t, x(t)) through zero in (t0, t1], if any.
///
/// The adaptive solve stops at the first accepted step past the crossing, so the system only
/// needs to stay regular up to there (e.g. x' = x² + r up to a threshold before its blow-up).
pub fn first_crossing<S, G>(
    sys: &S,
    t0: f64,
    x0: &[f64],
    t1: f64,
    g: G,
    opts: &CrossingOptions,
) -> Result<Option<Crossing>>
where
    S: System + ?Sized,
    G: Fn(f64, &[f64]) -> f64,
{
    Ok(crossings_impl(sys, t0, x0, t1, &g, opts, true)?
        .0
        .into_iter()
        .next())
}
