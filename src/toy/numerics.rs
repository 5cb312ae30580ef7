//! Generic numerics of [`ToyModel`]: everything here is computed from the model's ODE.

use super::{invalid_r, Readout, ToyModel, ToyNumerics};
use crate::ode::{find_crossings, CrossingOptions, Rk4, Stepper, System};
use crate::{Error, Result};

/// Which one-sided or central difference to use for dL/dr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Second-order one-sided difference from the right, L'(r⁺).
    Right,
    /// Second-order one-sided difference from the left, L'(r⁻).
    Left,
    /// Central difference.
    Central,
}

/// Numeric critical learning rate and its ingredients (docs/toy-theory.md).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CriticalRate {
    /// Minimiser r* of L.
    pub r_star: f64,
    /// Edge r_NL of the flat zone.
    pub r_nl: f64,
    /// |L'(r*⁺)|.
    pub slope_right: f64,
    /// |L'(r*⁻)|.
    pub slope_left: f64,
    /// η* = (r* − r_NL)/|L'(r*⁺)|.
    pub eta_star: f64,
}

/// GD protocol: start at r0 = `r0_factor` · r* and run `steps` steps (docs/toy-theory.md).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GdProtocol {
    /// r0 / r*.
    pub r0_factor: f64,
    /// Number of GD steps.
    pub steps: usize,
}

/// Outcome of a GD run r ← r − η L'(r).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GdOutcome {
    /// No iterate landed in the flat zone; final r and L(r).
    Survived {
        /// Final iterate.
        r: f64,
        /// Loss there.
        loss: f64,
    },
    /// An iterate landed where L = 1 and L' = 0: learning stopped for ever.
    Frozen {
        /// Step index at which the iterate was found in the flat zone.
        step: usize,
        /// That iterate.
        r: f64,
    },
    /// The iterate became non-finite.
    Diverged {
        /// Step index.
        step: usize,
    },
}

impl GdOutcome {
    /// `true` for [`GdOutcome::Frozen`] and [`GdOutcome::Diverged`].
    pub fn failed(&self) -> bool {
        !matches!(self, GdOutcome::Survived { .. })
    }
}

/// A toy model's state ODE at a fixed parameter r as an [`crate::ode::System`] (the crate's
/// vector-field trait), from [`super::ToyNumerics::field_at`]: what the numerics integrate, and
/// what a user hands to the ODE integrators, [`crate::ode::find_crossings`] or the analysis.
#[derive(Debug, Clone, Copy)]
pub struct FieldAt<'a, M: ?Sized> {
    m: &'a M,
    r: f64,
}

impl<'a, M: ?Sized> FieldAt<'a, M> {
    /// The field of `m` at parameter `r`.
    pub fn new(m: &'a M, r: f64) -> Self {
        FieldAt { m, r }
    }

    /// The parameter r.
    pub fn r(&self) -> f64 {
        self.r
    }
}

impl<M: ToyModel + ?Sized> System for FieldAt<'_, M> {
    fn dim(&self) -> usize {
        self.m.dim()
    }
    fn rhs(&self, t: f64, x: &[f64], dx: &mut [f64]) {
        self.m.rhs(self.r, t, x, dx)
    }
}

pub(super) fn crossing_options<M: ToyModel + ?Sized>(m: &M, r: f64) -> CrossingOptions {
    let mut o = CrossingOptions::default();
    o.adaptive.h_max = m.max_step(r);
    o.adaptive.n_max = 2_000_000;
    o
}

pub(super) fn switch_times<M: ToyModel + ?Sized>(m: &M, r: f64) -> Result<(bool, Vec<f64>)> {
    invalid_r(r)?;
    switches_until(m, r, m.windows().total())
}

/// The step output at t = 0 and its switch times in (0, t_end] (none if t_end ≤ 0).
pub(super) fn switches_until<M: ToyModel + ?Sized>(
    m: &M,
    r: f64,
    t_end: f64,
) -> Result<(bool, Vec<f64>)> {
    let mut x0 = vec![0.0; m.dim()];
    m.initial_state(r, &mut x0);
    let o0 = m.indicator(&x0) > 0.0;
    if t_end <= 0.0 {
        return Ok((o0, Vec::new()));
    }
    let (cr, _) = find_crossings(
        &FieldAt { m, r },
        0.0,
        &x0,
        t_end,
        |_, x| m.indicator(x),
        &crossing_options(m, r),
    )?;
    Ok((o0, cr.into_iter().map(|c| c.t).collect()))
}

/// Wrong-output measure from a piecewise-constant output (o0, switch times).
fn loss_from_switches(o0: bool, switches: &[f64], t_d: f64, t_r: f64) -> f64 {
    let t = t_d + t_r;
    let mut wrong_d = 0.0;
    let mut wrong_r = 0.0;
    let mut a = 0.0;
    let mut o = o0;
    let mut edges: Vec<f64> = switches.iter().copied().filter(|&s| s < t).collect();
    edges.push(t);
    for &b in &edges {
        let b = b.max(a);
        let in_d = (b.min(t_d) - a).max(0.0);
        let in_r = (b - a.max(t_d)).max(0.0);
        if o {
            wrong_d += in_d;
        } else {
            wrong_r += in_r;
        }
        a = b;
        o = !o;
    }
    wrong_d / t_d + wrong_r / t_r
}

pub(super) fn output_trajectory<M: ToyModel + ?Sized>(
    m: &M,
    r: f64,
    times: &[f64],
) -> Result<Vec<f64>> {
    invalid_r(r)?;
    if times.windows(2).any(|w| w[1] < w[0]) || times.iter().any(|t| t.is_nan() || *t < 0.0) {
        return Err(Error::invalid(
            "times",
            "must be non-negative and non-decreasing",
        ));
    }
    match m.readout() {
        Readout::Step => {
            // Switch times over the span of the requested times.
            let t_end = times.last().copied().unwrap_or(0.0);
            let (o0, sw) = switches_until(m, r, t_end)?;
            Ok(times
                .iter()
                .map(|&t| {
                    let n = sw.iter().filter(|&&c| c <= t).count();
                    if o0 ^ (n % 2 == 1) {
                        1.0
                    } else {
                        0.0
                    }
                })
                .collect())
        }
        Readout::Sigmoid { gain, dt } => {
            let sys = FieldAt { m, r };
            let mut x = vec![0.0; m.dim()];
            m.initial_state(r, &mut x);
            let mut rk = Rk4::new(m.dim());
            let mut t = 0.0;
            let mut out = Vec::with_capacity(times.len());
            for &ts in times {
                let n = ((ts - t) / dt).ceil() as usize;
                if n > 0 {
                    let h = (ts - t) / n as f64;
                    for k in 0..n {
                        rk.step(&sys, t + k as f64 * h, &mut x, h);
                    }
                }
                t = ts;
                out.push(m.smooth_output(&x, gain));
            }
            Ok(out)
        }
    }
}

pub(super) fn loss<M: ToyModel + ?Sized>(m: &M, r: f64) -> Result<f64> {
    invalid_r(r)?;
    let w = m.windows();
    match m.readout() {
        Readout::Step => {
            let (o0, sw) = switch_times(m, r)?;
            Ok(loss_from_switches(o0, &sw, w.t_delay, w.t_resp))
        }
        Readout::Sigmoid { gain, dt } => {
            crate::error::check_positive("dt", dt)?;
            let sys = FieldAt { m, r };
            let mut x = vec![0.0; m.dim()];
            m.initial_state(r, &mut x);
            let mut rk = Rk4::new(m.dim());
            let mut total = 0.0;
            let mut t = 0.0;
            for (len, target) in [(w.t_delay, 0.0), (w.t_resp, 1.0)] {
                let n = (len / dt).ceil().max(1.0) as usize;
                let h = len / n as f64;
                let mut acc = 0.5 * (m.smooth_output(&x, gain) - target).abs();
                for k in 0..n {
                    rk.step(&sys, t + k as f64 * h, &mut x, h);
                    let e = (m.smooth_output(&x, gain) - target).abs();
                    acc += if k + 1 == n { 0.5 * e } else { e };
                }
                t += len;
                total += acc * h / len;
            }
            Ok(total)
        }
    }
}

/// Difference step for dL/dr: a millionth of the search range of r (the scale on which L
/// varies), but at most 1e-5 |r|.
fn diff_step<M: ToyModel + ?Sized>(m: &M, r: f64) -> f64 {
    let (lo, hi) = m.r_search();
    let span = if hi.is_finite() && lo.is_finite() && hi > lo {
        1e-6 * (hi - lo)
    } else {
        1e-10
    };
    if r != 0.0 {
        span.min(1e-5 * r.abs())
    } else {
        span
    }
}

pub(super) fn loss_slope<M: ToyModel + ?Sized>(m: &M, r: f64, side: Side) -> Result<f64> {
    let d = diff_step(m, invalid_r(r)?);
    Ok(match side {
        Side::Right => {
            (-3.0 * m.loss(r)? + 4.0 * m.loss(r + d)? - m.loss(r + 2.0 * d)?) / (2.0 * d)
        }
        Side::Left => (3.0 * m.loss(r)? - 4.0 * m.loss(r - d)? + m.loss(r - 2.0 * d)?) / (2.0 * d),
        Side::Central => (m.loss(r + d)? - m.loss(r - d)?) / (2.0 * d),
    })
}

const FLAT_TOL: f64 = 1e-12;

pub(super) fn is_flat<M: ToyModel + ?Sized>(m: &M, r: f64) -> Result<bool> {
    invalid_r(r)?;
    match m.readout() {
        Readout::Step => {
            let (o0, sw) = switch_times(m, r)?;
            let w = m.windows();
            Ok(sw.is_empty()
                && (loss_from_switches(o0, &sw, w.t_delay, w.t_resp) - 1.0).abs() <= FLAT_TOL)
        }
        Readout::Sigmoid { .. } => {
            Ok((m.loss(r)? - 1.0).abs() <= 1e-9 && m.loss_slope(r, Side::Central)?.abs() <= 1e-9)
        }
    }
}

pub(super) fn r_star<M: ToyModel + ?Sized>(m: &M) -> Result<f64> {
    let (lo, hi) = m.r_search();
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return Err(Error::invalid(
            "r_search",
            format!("model '{}' gave an empty range ({lo}, {hi})", m.name()),
        ));
    }
    const N: usize = 96;
    let grid: Vec<f64> = if lo > 0.0 {
        let (a, b) = (lo.ln(), hi.ln());
        (0..N)
            .map(|i| (a + (b - a) * i as f64 / (N - 1) as f64).exp())
            .collect()
    } else {
        (0..N)
            .map(|i| lo + (hi - lo) * i as f64 / (N - 1) as f64)
            .collect()
    };
    let mut best = (f64::INFINITY, 0usize);
    for (i, &r) in grid.iter().enumerate() {
        let l = m.loss(r)?;
        if l < best.0 {
            best = (l, i);
        }
    }
    let i = best.1;
    let mut a = grid[i.saturating_sub(1)];
    let mut b = grid[(i + 1).min(N - 1)];
    // Golden-section search on [a, b].
    let g = 0.5 * (5f64.sqrt() - 1.0);
    let mut c = b - g * (b - a);
    let mut d = a + g * (b - a);
    let mut fc = m.loss(c)?;
    let mut fd = m.loss(d)?;
    for _ in 0..200 {
        if (b - a).abs() <= 1e-14 * (a.abs() + b.abs()) {
            break;
        }
        if fc <= fd {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = m.loss(c)?;
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = m.loss(d)?;
        }
    }
    Ok(0.5 * (a + b))
}

pub(super) fn r_nl<M: ToyModel + ?Sized>(m: &M, r_star: f64) -> Result<f64> {
    if m.is_flat(r_star)? {
        return Err(Error::numerical(
            format!("r_NL of '{}'", m.name()),
            "the minimiser lies in the flat zone",
        ));
    }
    if r_star.is_nan() || r_star <= 0.0 {
        return Err(Error::numerical(
            format!("r_NL of '{}'", m.name()),
            "the generic search assumes r* > 0",
        ));
    }
    // Walk down from r* (first finely, then by halving towards 0) until the flat zone is hit.
    let candidates = (0..10)
        .map(|k| r_star * (1.0 - 1e-3 * 2f64.powi(k)))
        .chain((1..=80).map(|j| r_star * 0.5f64.powi(j)));
    let mut hi = r_star;
    let mut lo = f64::NAN;
    for cand in candidates {
        if cand >= hi {
            continue;
        }
        if m.is_flat(cand)? {
            lo = cand;
            break;
        }
        hi = cand;
    }
    if lo.is_nan() {
        return Err(Error::numerical(
            format!("r_NL of '{}'", m.name()),
            "no flat zone found below r*",
        ));
    }
    for _ in 0..200 {
        if hi - lo <= 1e-14 * (lo.abs() + hi.abs()) {
            break;
        }
        let mid = 0.5 * (lo + hi);
        if m.is_flat(mid)? {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(0.5 * (lo + hi))
}

pub(super) fn critical_rate<M: ToyModel + ?Sized>(m: &M) -> Result<CriticalRate> {
    let r_star = m.r_star()?;
    let r_nl = r_nl(m, r_star)?;
    let slope_right = m.loss_slope(r_star, Side::Right)?.abs();
    let slope_left = m.loss_slope(r_star, Side::Left)?.abs();
    if slope_right.is_nan() || slope_right <= 0.0 {
        return Err(Error::numerical(
            format!("eta* of '{}'", m.name()),
            "zero slope right of r*",
        ));
    }
    Ok(CriticalRate {
        r_star,
        r_nl,
        slope_right,
        slope_left,
        eta_star: (r_star - r_nl) / slope_right,
    })
}

pub(super) fn gd_run<M: ToyModel + ?Sized>(
    m: &M,
    eta: f64,
    r0: f64,
    steps: usize,
) -> Result<GdOutcome> {
    crate::error::check_positive("eta", eta)?;
    let mut r = invalid_r(r0)?;
    for step in 0..=steps {
        let (l, dl) = m.gd_loss(r)?;
        if (l - 1.0).abs() <= FLAT_TOL && dl.abs() <= FLAT_TOL {
            return Ok(GdOutcome::Frozen { step, r });
        }
        if step == steps {
            return Ok(GdOutcome::Survived { r, loss: l });
        }
        r -= eta * dl;
        if !r.is_finite() {
            return Ok(GdOutcome::Diverged { step });
        }
    }
    unreachable!("the loop returns at step == steps")
}

pub(super) fn gd_boundary<M: ToyModel + ?Sized>(m: &M, eta_ref: f64, r_star: f64) -> Result<f64> {
    crate::error::check_positive("eta_ref", eta_ref)?;
    let p = m.gd_protocol();
    let r0 = p.r0_factor * invalid_r(r_star)?;
    let fails = |eta: f64| -> Result<bool> { Ok(m.gd_run(eta, r0, p.steps)?.failed()) };
    let mut lo = 0.5 * eta_ref;
    let mut k = 0;
    while fails(lo)? {
        lo *= 0.5;
        k += 1;
        if k > 40 {
            return Err(Error::numerical(
                format!("GD boundary of '{}'", m.name()),
                "GD fails at every tested learning rate",
            ));
        }
    }
    let mut hi = lo;
    loop {
        hi *= 1.05;
        if fails(hi)? {
            break;
        }
        lo = hi;
        if hi > 100.0 * eta_ref {
            return Err(Error::numerical(
                format!("GD boundary of '{}'", m.name()),
                "GD never fails up to 100 eta_ref",
            ));
        }
    }
    while hi / lo > 1.0 + 1e-4 {
        let mid = (lo * hi).sqrt();
        if fails(mid)? {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok((lo * hi).sqrt())
}
