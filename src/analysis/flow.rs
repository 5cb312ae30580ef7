//! The third classifier: what the continuous-time flow does after the trial
//! (docs/dynamics.md).
//!
//! The spectral index reads a correlation matrix of the extended trial and the rollout
//! classifier reads the shape of the tail of the network's own (Euler) map. This classifier
//! asks the flow τẋ = F(x) = −x + tanh(W_rec x + b_in + b_rec) (input off, noise off) where it
//! goes from the state at the end of the trial, and names the invariant set it reaches:
//!
//! 1. **Cycle.** [`find_orbit`] settles the flow for [`OrbitConfig::settle_time`] τ, estimates
//!    the first-return time to a Poincaré section and refines the orbit by Newton shooting. A
//!    converged orbit whose non-trivial Floquet multipliers all lie inside the unit circle is
//!    an attracting limit cycle: label **LC**, with the period (ms) and the largest non-trivial
//!    multiplier as evidence.
//! 2. **Fixed point.** Otherwise the flow is integrated from the same start for
//!    [`FlowConfig::settle_time`] τ (RK4, step [`OrbitConfig::settle_dt`]); its end state is
//!    polished by Newton's method. If that reaches a fixed point (q = ½‖F‖² ≤
//!    [`FlowConfig::q_fixed`]) the label is **SP**, with the evidence of a slow passage: the
//!    leading Jacobian eigenvalue λ₁ at the fixed point (a ghost or a slow manifold has
//!    Re λ₁ near 0; the decay time is −τ/Re λ₁), the smallest speed ‖F‖ along the first
//!    [`FlowConfig::passage_time`] τ of the path (a slow point the trajectory passes), and the
//!    time the flow takes to come within [`FlowConfig::arrival_dist`] of the fixed point.
//! 3. **Unresolved.** Neither: an unstable or unconverged cycle, or a flow still drifting at
//!    the end. The label is SP (as the rollout classifier labels a non-oscillating tail) and
//!    the reason is kept, so an agreement table can count these separately.
//!
//! Units: flow time in τ (10 ms for the paper's networks), reported in ms through
//! [`FlowConfig::tau_ms`]; speeds in state units per τ.

use rustfft::num_complex::Complex;

use super::field::VectorField;
use super::fixed_points::{jacobian_eigenvalues, newton_polish};
use super::index::Mechanism;
use super::orbits::{dist, find_orbit, flow, norm, OrbitConfig, PeriodicOrbit};

/// Settings of [`classify_flow`].
#[derive(Debug, Clone, PartialEq)]
pub struct FlowConfig {
    /// The orbit search (settling, period estimate, shooting).
    pub orbit: OrbitConfig,
    /// Flow time (τ) integrated towards a fixed point when no attracting cycle is found
    /// (default 2000: 20 s of network time at τ = 10 ms, long enough for a decay time of
    /// 200 τ to shrink a distance by e⁻¹⁰).
    pub settle_time: f64,
    /// Newton iterations that polish the end state (default 20).
    pub newton_iters: usize,
    /// q = ½‖F‖² at or below which the polished state is a fixed point (default 1e-14).
    pub q_fixed: f64,
    /// Length (τ) of the start of the path searched for the slowest speed (default 100).
    pub passage_time: f64,
    /// Distance to the fixed point that counts as arrival (default 1e-3).
    pub arrival_dist: f64,
    /// τ in ms, to report times in ms (default 10).
    pub tau_ms: f64,
}

impl Default for FlowConfig {
    fn default() -> Self {
        FlowConfig {
            orbit: OrbitConfig::default(),
            settle_time: 2000.0,
            newton_iters: 20,
            q_fixed: 1e-14,
            passage_time: 100.0,
            arrival_dist: 1e-3,
            tau_ms: 10.0,
        }
    }
}

/// What the flow reached, with the numbers that show it.
#[derive(Debug, Clone, PartialEq)]
pub enum FlowEvidence {
    /// An attracting periodic orbit.
    Cycle {
        /// Period, ms.
        period_ms: f64,
        /// Largest modulus of the non-trivial Floquet multipliers (< 1).
        max_multiplier: f64,
        /// Largest distance of the orbit from its centroid (state units).
        radius: f64,
    },
    /// A fixed point.
    FixedPoint {
        /// The fixed point.
        x: Vec<f64>,
        /// Its leading Jacobian eigenvalue (1/τ; largest real part).
        leading: Complex<f64>,
        /// Smallest speed ‖F‖ over the first [`FlowConfig::passage_time`] τ of the path.
        min_passage_speed: f64,
        /// Flow time until the path stays within [`FlowConfig::arrival_dist`] of the fixed
        /// point, ms.
        arrival_ms: f64,
    },
    /// Neither could be established.
    Unresolved {
        /// Why (an unstable cycle, a shooting failure, a drifting end state).
        reason: String,
    },
}

/// The flow classifier's label and its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowVerdict {
    /// LC for an attracting cycle, SP otherwise.
    pub label: Mechanism,
    /// What was found.
    pub evidence: FlowEvidence,
}

impl FlowVerdict {
    /// True when the flow reached an attracting cycle or a fixed point.
    pub fn resolved(&self) -> bool {
        !matches!(self.evidence, FlowEvidence::Unresolved { .. })
    }
    /// Decay time −τ/Re λ₁ (ms) of the fixed point reached (None unless a fixed point with
    /// Re λ₁ < 0).
    pub fn decay_ms(&self, tau_ms: f64) -> Option<f64> {
        match &self.evidence {
            FlowEvidence::FixedPoint { leading, .. } if leading.re < 0.0 => {
                Some(-tau_ms / leading.re)
            }
            _ => None,
        }
    }
}

fn speed<V: VectorField + ?Sized>(field: &V, x: &[f64], buf: &mut [f64]) -> f64 {
    field.eval(x, buf);
    norm(buf)
}

/// Classify where the flow goes from `start` (see the module docs). Errors only for bad input
/// (a start of the wrong length or non-finite, invalid settings).
pub fn classify_flow<V: VectorField + ?Sized>(
    field: &V,
    start: &[f64],
    cfg: &FlowConfig,
) -> crate::Result<FlowVerdict> {
    for (name, v) in [
        ("settle_time", cfg.settle_time),
        ("q_fixed", cfg.q_fixed),
        ("passage_time", cfg.passage_time),
        ("arrival_dist", cfg.arrival_dist),
        ("tau_ms", cfg.tau_ms),
        ("orbit.settle_dt", cfg.orbit.settle_dt),
        ("orbit.max_period", cfg.orbit.max_period),
        ("orbit.tol", cfg.orbit.tol),
    ] {
        crate::error::check_positive(name, v)?;
    }
    if cfg.orbit.steps < 4 || cfg.orbit.settle_time.is_nan() || cfg.orbit.settle_time < 0.0 {
        return Err(crate::Error::invalid(
            "orbit",
            "needs at least 4 RK4 steps per period and settle_time ≥ 0",
        ));
    }
    if start.len() != field.dim() || start.iter().any(|v| !v.is_finite()) {
        return Err(crate::Error::invalid(
            "flow start",
            format!(
                "needs {} finite entries, got {} (finite: {})",
                field.dim(),
                start.len(),
                start.iter().all(|v| v.is_finite())
            ),
        ));
    }
    let mut reason = match find_orbit(field, start, &cfg.orbit) {
        Ok(Some(orb)) if orb.is_stable() => return Ok(cycle(&orb, cfg.tau_ms)),
        Ok(Some(orb)) => format!(
            "an unstable cycle (period {:.1} ms, largest non-trivial multiplier {:.4})",
            orb.period * cfg.tau_ms,
            orb.max_nontrivial_modulus()
        ),
        Ok(None) => String::new(),
        // The start was checked above, and the settings by check_positive; what remains is a
        // shooting failure (no convergence, a flow leaving the finite range).
        Err(e) => format!("no orbit ({e})"),
    };
    // Towards a fixed point: integrate in chunks of one τ, recording the path's speed.
    let n = field.dim();
    let h = cfg.orbit.settle_dt;
    let per_tau = (1.0 / h).round().max(1.0) as usize;
    let chunks = cfg.settle_time.ceil() as usize;
    let mut x = start.to_vec();
    let mut buf = vec![0.0; n];
    let mut path = Vec::with_capacity(chunks + 1);
    let mut min_passage = speed(field, &x, &mut buf);
    path.push(x.clone());
    for k in 1..=chunks {
        flow(field, &mut x, 1.0, per_tau);
        if x.iter().any(|v| !v.is_finite()) {
            return Ok(unresolved("the flow left the finite range".into()));
        }
        if (k as f64) <= cfg.passage_time {
            min_passage = min_passage.min(speed(field, &x, &mut buf));
        }
        path.push(x.clone());
    }
    let (xs, q) = newton_polish(field, &x, cfg.newton_iters);
    if q.is_nan() || q > cfg.q_fixed {
        if !reason.is_empty() {
            reason.push_str("; ");
        }
        reason.push_str(&format!(
            "still drifting after {} ms (speed {:.2e} per τ, q = {q:.2e} after Newton)",
            cfg.settle_time * cfg.tau_ms,
            speed(field, &x, &mut buf)
        ));
        return Ok(unresolved(reason));
    }
    // Arrival: after the last path point farther than arrival_dist.
    let last_far = path.iter().rposition(|y| dist(y, &xs) > cfg.arrival_dist);
    let arrival_tau = last_far.map_or(0.0, |i| (i + 1) as f64);
    let leading = jacobian_eigenvalues(field, &xs)?[0];
    Ok(FlowVerdict {
        label: Mechanism::SlowPoint,
        evidence: FlowEvidence::FixedPoint {
            x: xs,
            leading,
            min_passage_speed: min_passage,
            arrival_ms: arrival_tau * cfg.tau_ms,
        },
    })
}

fn cycle(orb: &PeriodicOrbit, tau_ms: f64) -> FlowVerdict {
    FlowVerdict {
        label: Mechanism::LimitCycle,
        evidence: FlowEvidence::Cycle {
            period_ms: orb.period * tau_ms,
            max_multiplier: orb.max_nontrivial_modulus(),
            radius: orb.radius(),
        },
    }
}

fn unresolved(reason: String) -> FlowVerdict {
    FlowVerdict {
        label: Mechanism::SlowPoint,
        evidence: FlowEvidence::Unresolved { reason },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::orbits::{rank2_dense, ring_rank2};
    use crate::analysis::TanhRnnField;

    /// A full-rank field from a dense W (row-major, n × n), zero bias.
    fn field(w: Vec<f64>, n: usize) -> TanhRnnField {
        TanhRnnField::new(w, vec![0.0; n]).unwrap()
    }

    #[test]
    fn ring_network_is_a_cycle_with_its_closed_form_period() {
        // The ring rank-2 network of `ring_rank2` has a circular cycle of period 2π/tan ψ τ.
        // (tests/analysis_orbits.rs checks the same network's cycle against a quadrature.)
        let (n_units, a, c, psi) = (100, 1.0, 4.0, std::f64::consts::FRAC_PI_4);
        let (m, nn) = ring_rank2(n_units, a, c, psi);
        let w = rank2_dense(&m, &nn);
        let f = field(w, n_units);
        let start: Vec<f64> = (0..n_units).map(|i| (0.5 * m[2 * i]).tanh()).collect();
        let v = classify_flow(&f, &start, &FlowConfig::default()).unwrap();
        assert_eq!(v.label, Mechanism::LimitCycle, "{v:?}");
        let FlowEvidence::Cycle {
            period_ms,
            max_multiplier,
            ..
        } = v.evidence
        else {
            unreachable!()
        };
        let want = 2.0 * std::f64::consts::PI / psi.tan() * 10.0;
        assert!(
            (period_ms / want - 1.0).abs() < 1e-6,
            "{period_ms} vs {want}"
        );
        assert!(max_multiplier < 1.0);
    }

    #[test]
    fn contracting_network_reaches_its_fixed_point_with_the_known_eigenvalue() {
        // W = w I, |w| < 1: the only fixed point is 0, with Jacobian (w − 1) I.
        let n = 5;
        let w = 0.6;
        let mut m = vec![0.0; n * n];
        for i in 0..n {
            m[i * n + i] = w;
        }
        let f = field(m, n);
        let v = classify_flow(&f, &[0.5, -0.2, 0.1, 0.3, -0.4], &FlowConfig::default()).unwrap();
        assert_eq!(v.label, Mechanism::SlowPoint);
        let FlowEvidence::FixedPoint { x, leading, .. } = &v.evidence else {
            panic!("{v:?}")
        };
        assert!(x.iter().all(|v| v.abs() < 1e-9), "{x:?}");
        assert!((leading.re - (w - 1.0)).abs() < 1e-9 && leading.im.abs() < 1e-12);
        assert!((v.decay_ms(10.0).unwrap() - 25.0).abs() < 1e-6);
        assert!(v.resolved());
    }

    #[test]
    fn bad_input_is_an_error() {
        let f = field(vec![0.0; 4], 2);
        assert!(classify_flow(&f, &[0.0], &FlowConfig::default()).is_err());
        assert!(classify_flow(&f, &[f64::NAN, 0.0], &FlowConfig::default()).is_err());
        let cfg = FlowConfig {
            settle_time: -1.0,
            ..Default::default()
        };
        assert!(classify_flow(&f, &[0.1, 0.0], &cfg).is_err());
    }
}
