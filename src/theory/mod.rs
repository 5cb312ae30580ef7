//! Critical learning rates across delays: scaling tables, local exponents, the crossing of the
//! two leading-order curves and the three dynamical phases (docs/toy-theory.md).
//!
//! For each delay T_d the table holds, for the saddle-node (SP) and limit-cycle (LC) toy models
//! of [`crate::toy`], the exact η* = (r* − r_NL)/|L'(r*⁺)|, its leading-order form
//! ((π⁴/4) T_r T_d⁻⁵ and T_r T_d⁻³/4), the same criterion evaluated numerically from the
//! integrated ODE, and the GD failure boundary from simulated gradient descent.

use std::f64::consts::PI;

use rayon::prelude::*;
use serde::Serialize;

use crate::toy::{ClosedForm, LimitCycle, SaddleNode, ToyNumerics};
use crate::{Error, Result};

pub use crate::outcome::Mechanism;

/// How the response window depends on the delay.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RespSpec {
    /// A fixed T_r.
    Fixed(f64),
    /// T_r = K · T_d.
    Ratio(f64),
}

impl RespSpec {
    /// T_r at delay `t_delay`; errors if the result is not finite and positive.
    pub fn t_resp(&self, t_delay: f64) -> Result<f64> {
        let v = match *self {
            RespSpec::Fixed(t) => t,
            RespSpec::Ratio(k) => {
                crate::error::check_positive("t_resp_ratio", k)?;
                k * t_delay
            }
        };
        crate::error::check_positive("t_resp", v)
    }
}

/// Exact η* of a mechanism (docs/toy-theory.md):
/// SP (π⁴/(8T_d²))(1/T_d² − 1/(T_d+T_r)²); LC (r* − r_NL)/|L'(r*⁺)| =
/// T_r/(4T_d²(T_d+T_r)) for T_r < T_d, 1/(24 T_d²) at T_r = T_d and T_r/(T_d+T_r)³ for
/// T_d < T_r < 2T_d. For T_r ≥ 2T_d the LC closed form does not exist:
/// [`Error::NoClosedForm`] (use [`crate::toy::ToyNumerics::critical_rate`]).
pub fn eta_star_exact(mech: Mechanism, t_delay: f64, t_resp: f64) -> Result<f64> {
    Ok(match mech {
        Mechanism::SlowPoint => SaddleNode::new(t_delay, t_resp)?.eta_star_closed(),
        Mechanism::LimitCycle => {
            let m = LimitCycle::new(t_delay, t_resp)?;
            m.closed_form_domain()?;
            m.eta_star_closed()
        }
    })
}

/// Leading-order η*: SP (π⁴/4) T_r T_d⁻⁵, LC T_r T_d⁻³/4 (the curves of Fig 4G).
pub fn eta_star_leading(mech: Mechanism, t_delay: f64, t_resp: f64) -> Result<f64> {
    Ok(match mech {
        Mechanism::SlowPoint => SaddleNode::new(t_delay, t_resp)?.eta_star_leading(),
        Mechanism::LimitCycle => LimitCycle::new(t_delay, t_resp)?.eta_star_leading(),
    })
}

/// Delay at which the two leading-order curves cross, T_d = π² ≈ 9.8696, for every T_r:
/// (π⁴/4) T_r T_d⁻⁵ = T_r T_d⁻³/4 ⇔ T_d² = π⁴.
pub fn leading_crossing_delay() -> f64 {
    PI * PI
}

/// Dynamical phase of the toy theory at learning rate η (docs/toy-theory.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Phase {
    /// Phase 1: η < η*_SP and η < η*_LC — both mechanisms are learnable.
    BothLearnable,
    /// Phase 2: η*_SP ≤ η < η*_LC — only the limit cycle is learnable.
    LimitCycleOnly,
    /// Phase 3: η ≥ max(η*_SP, η*_LC) — no learning.
    NoLearning,
    /// η*_LC ≤ η < η*_SP: only the slow point is learnable (occurs only at short delays,
    /// below the crossing of the two curves).
    SlowPointOnly,
}

/// Which η* formulas decide the phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Criterion {
    /// Exact η* of both models.
    Exact,
    /// Leading-order curves (as plotted in Fig 4G).
    Leading,
}

/// The phase at (η, T_d, T_r) under the given criterion. Errors for non-positive or NaN inputs.
pub fn phase(eta: f64, t_delay: f64, t_resp: f64, criterion: Criterion) -> Result<Phase> {
    crate::error::check_positive("eta", eta)?;
    let f = match criterion {
        Criterion::Exact => eta_star_exact,
        Criterion::Leading => eta_star_leading,
    };
    let sp = f(Mechanism::SlowPoint, t_delay, t_resp)?;
    let lc = f(Mechanism::LimitCycle, t_delay, t_resp)?;
    Ok(match (eta < sp, eta < lc) {
        (true, true) => Phase::BothLearnable,
        (false, true) => Phase::LimitCycleOnly,
        (true, false) => Phase::SlowPointOnly,
        (false, false) => Phase::NoLearning,
    })
}

/// η* of one mechanism four ways.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RateSet {
    /// Exact closed form where it exists (`closed_form`), else the criterion evaluated
    /// numerically from the ODE (NaN if the numerics were not computed).
    pub exact: f64,
    /// `true` if `exact` is the closed form, `false` if the model has no closed form at these
    /// windows (the limit cycle for T_r ≥ 2T_d) and `exact` fell back to the numerics.
    pub closed_form: bool,
    /// Leading-order form.
    pub leading: f64,
    /// Criterion evaluated numerically from the integrated ODE (NaN if not computed).
    pub numeric: f64,
    /// GD failure boundary from simulation (NaN if not computed).
    pub gd: f64,
}

/// One row of a scaling table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ScalingRow {
    /// Delay T_d.
    pub t_delay: f64,
    /// Response T_r.
    pub t_resp: f64,
    /// Saddle-node (slow point).
    pub sp: RateSet,
    /// Limit cycle.
    pub lc: RateSet,
}

/// What a scaling table computes beyond the closed forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableOptions {
    /// Evaluate the criterion numerically from the ODE.
    pub numeric: bool,
    /// Bisect the GD failure boundary.
    pub gd: bool,
}

impl Default for TableOptions {
    /// Both numeric columns.
    fn default() -> Self {
        Self {
            numeric: true,
            gd: true,
        }
    }
}

fn rate_set<M: ClosedForm>(m: &M, opts: TableOptions) -> Result<RateSet> {
    let closed_form = m.closed_form_domain().is_ok();
    let crit = if opts.numeric || (opts.gd && !closed_form) {
        Some(m.critical_rate()?)
    } else {
        None
    };
    let (exact, r_star) = match (closed_form, crit) {
        (true, _) => (m.eta_star_closed(), m.r_star_closed()),
        (false, Some(c)) => (c.eta_star, c.r_star),
        (false, None) => (f64::NAN, f64::NAN),
    };
    let numeric = match crit {
        Some(c) if opts.numeric => c.eta_star,
        _ => f64::NAN,
    };
    let gd = if opts.gd {
        m.gd_boundary(exact, r_star)?
    } else {
        f64::NAN
    };
    Ok(RateSet {
        exact,
        closed_form,
        leading: m.eta_star_leading(),
        numeric,
        gd,
    })
}

/// One scaling-table row at delay `t_delay`.
pub fn scaling_row(t_delay: f64, resp: RespSpec, opts: TableOptions) -> Result<ScalingRow> {
    crate::error::check_positive("t_delay", t_delay)?;
    let t_resp = resp.t_resp(t_delay)?;
    Ok(ScalingRow {
        t_delay,
        t_resp,
        sp: rate_set(&SaddleNode::new(t_delay, t_resp)?, opts)?,
        lc: rate_set(&LimitCycle::new(t_delay, t_resp)?, opts)?,
    })
}

/// Scaling table η*(T_d) over `t_delays` (rows computed in parallel; the result does not
/// depend on the thread count). Errors on an empty grid or invalid windows.
pub fn scaling_table(
    t_delays: &[f64],
    resp: RespSpec,
    opts: TableOptions,
) -> Result<Vec<ScalingRow>> {
    if t_delays.is_empty() {
        return Err(Error::invalid("t_delay", "the delay grid is empty"));
    }
    for &t in t_delays {
        crate::error::check_positive("t_delay", t)?;
        resp.t_resp(t)?;
    }
    t_delays
        .par_iter()
        .map(|&t| scaling_row(t, resp, opts))
        .collect()
}

/// `count` log-spaced points from `from` to `to` (inclusive; `count` = 1 gives `[from]`).
pub fn log_grid(from: f64, to: f64, count: usize) -> Result<Vec<f64>> {
    crate::error::check_positive("grid start", from)?;
    crate::error::check_positive("grid end", to)?;
    if count == 0 {
        return Err(Error::invalid("grid count", "must be at least 1"));
    }
    if count == 1 {
        return Ok(vec![from]);
    }
    let (a, b) = (from.ln(), to.ln());
    Ok((0..count)
        .map(|i| {
            if i == count - 1 {
                to
            } else {
                (a + (b - a) * i as f64 / (count - 1) as f64).exp()
            }
        })
        .collect())
}

/// Local exponents β_i = −d ln η / d ln T at each point of a sampled curve: central
/// differences in log–log coordinates (one-sided at the two ends). Needs ≥ 2 points, positive
/// values and strictly increasing T.
pub fn local_exponents(t: &[f64], eta: &[f64]) -> Result<Vec<f64>> {
    if t.len() != eta.len() || t.len() < 2 {
        return Err(Error::invalid(
            "curve",
            "need at least two (T, eta) points of equal count",
        ));
    }
    if t.iter().chain(eta).any(|v| !(v.is_finite() && *v > 0.0)) {
        return Err(Error::invalid(
            "curve",
            "values must be finite and positive",
        ));
    }
    if t.windows(2).any(|w| w[1] <= w[0]) {
        return Err(Error::invalid("curve", "T must be strictly increasing"));
    }
    let lt: Vec<f64> = t.iter().map(|v| v.ln()).collect();
    let le: Vec<f64> = eta.iter().map(|v| v.ln()).collect();
    let n = t.len();
    Ok((0..n)
        .map(|i| {
            let (a, b) = if i == 0 {
                (0, 1)
            } else if i == n - 1 {
                (n - 2, n - 1)
            } else {
                (i - 1, i + 1)
            };
            -(le[b] - le[a]) / (lt[b] - lt[a])
        })
        .collect())
}

/// Local exponent β(T_d) = −d ln η*/d ln T_d of the exact η* with T_r given by `resp`,
/// in closed form. At fixed T_r it depends only on K = T_r/T_d (q = 1 + K):
/// SP β = 2 + 2(q² + q + 1)/(q(q + 1)) ∈ [4, 5]; LC β = 2 + 1/q ∈ (2.5, 3] for K < 1 and
/// 3/q ∈ (1, 1.5) for 1 < K < 2 (η* = T_r/(T_d + T_r)³). The LC η* jumps at K = 1 (from
/// 1/(24T_d²) to 1/(8T_d²)) and has no closed form for K ≥ 2: both give
/// [`Error::NoClosedForm`]. With T_r = K T_d it is exactly 4 (SP) and 2 (LC) for every K
/// (every time scale of the models is proportional to T_d).
pub fn local_exponent_exact(mech: Mechanism, t_delay: f64, resp: RespSpec) -> Result<f64> {
    crate::error::check_positive("t_delay", t_delay)?;
    let t_resp = resp.t_resp(t_delay)?;
    if let RespSpec::Ratio(_) = resp {
        return Ok(match mech {
            Mechanism::SlowPoint => 4.0,
            Mechanism::LimitCycle => 2.0,
        });
    }
    let k = t_resp / t_delay;
    let q = 1.0 + k;
    Ok(match mech {
        Mechanism::SlowPoint => 2.0 + 2.0 * (q * q + q + 1.0) / (q * (q + 1.0)),
        Mechanism::LimitCycle => {
            LimitCycle::new(t_delay, t_resp)?.closed_form_domain()?;
            if t_resp < t_delay {
                2.0 + 1.0 / q
            } else if t_resp > t_delay {
                3.0 / q
            } else {
                return Err(Error::NoClosedForm {
                    what: "the limit-cycle local exponent".into(),
                    reason: "eta* jumps at T_resp = T_delay, so d ln eta*/d ln T_delay \
                             does not exist there"
                        .into(),
                });
            }
        }
    })
}

/// Names of the η columns of a scaling table, in CLI order.
pub const COLUMNS: [&str; 8] = [
    "eta_sp_exact",
    "eta_sp_leading",
    "eta_sp_numeric",
    "eta_sp_gd",
    "eta_lc_exact",
    "eta_lc_leading",
    "eta_lc_numeric",
    "eta_lc_gd",
];

impl ScalingRow {
    /// The eight η values in the order of [`COLUMNS`].
    pub fn values(&self) -> [f64; 8] {
        [
            self.sp.exact,
            self.sp.leading,
            self.sp.numeric,
            self.sp.gd,
            self.lc.exact,
            self.lc.leading,
            self.lc.numeric,
            self.lc.gd,
        ]
    }
}

/// Power-law fit η = C T_d^(−β) of every column of a table ([`crate::fit::fit_power_law`]);
/// `None` for columns that were not computed or cannot be fitted (fewer than three delays).
pub fn fit_columns(rows: &[ScalingRow]) -> Vec<(&'static str, Option<crate::fit::PowerLawFit>)> {
    let x: Vec<f64> = rows.iter().map(|r| r.t_delay).collect();
    COLUMNS
        .iter()
        .enumerate()
        .map(|(j, name)| {
            let y: Vec<f64> = rows.iter().map(|r| r.values()[j]).collect();
            let fit = if y.iter().all(|v| v.is_finite()) {
                crate::fit::fit_power_law(&x, &y).ok()
            } else {
                None
            };
            (*name, fit)
        })
        .collect()
}

/// One row of the table of a formula model ([`model_table`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ModelRow {
    /// Delay T_d.
    pub t_delay: f64,
    /// Response T_r.
    pub t_resp: f64,
    /// r* from the integrated ODE.
    pub r_star_numeric: f64,
    /// r* predicted from the normal form.
    pub r_star_predicted: f64,
    /// η* from the integrated ODE (exact slopes from the sensitivity equations).
    pub eta_numeric: f64,
    /// η* predicted from the normal form (all orders in T_r/T_d).
    pub eta_predicted: f64,
    /// Leading term C T_r T_d^−β.
    pub eta_leading: f64,
}

/// Numeric and predicted critical rates of a formula model over a delay grid (rows computed
/// in parallel; deterministic). The predictions come from
/// [`crate::toy::LeadingOrder::detect`].
pub fn model_table(
    m: &crate::toy::FormulaModel,
    t_delays: &[f64],
    resp: RespSpec,
) -> Result<(crate::toy::LeadingOrder, Vec<ModelRow>)> {
    use crate::toy::ToyModel;
    if t_delays.is_empty() {
        return Err(Error::invalid("t_delay", "the delay grid is empty"));
    }
    let lo = crate::toy::LeadingOrder::detect(m)?;
    let (c, p, beta) = lo.eta_leading();
    let rows = t_delays
        .par_iter()
        .map(|&td| {
            let tr = resp.t_resp(td)?;
            let mw = m.clone().with_windows(td, tr)?;
            let n = mw.critical_rate()?;
            let pr = lo.predict(mw.windows());
            Ok(ModelRow {
                t_delay: td,
                t_resp: tr,
                r_star_numeric: n.r_star,
                r_star_predicted: pr.r_star,
                eta_numeric: n.eta_star,
                eta_predicted: pr.eta_star,
                eta_leading: c * tr.powi(p) * td.powf(-beta),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((lo, rows))
}

/// Smallest delay of the grid from which every row has the leading term within `tol`
/// (relative) of the numeric η*; `None` if the last row is not.
pub fn leading_accurate_from(rows: &[ModelRow], tol: f64) -> Option<f64> {
    let mut from = None;
    for r in rows.iter().rev() {
        if (r.eta_leading / r.eta_numeric - 1.0).abs() < tol {
            from = Some(r.t_delay);
        } else {
            break;
        }
    }
    from
}
