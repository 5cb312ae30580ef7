//! Periodic orbits of an autonomous flow ẋ = F(x) by shooting, with Floquet multipliers
//! (docs/dynamics.md).
//!
//! For a trained network F is the input-off, noise-free field of [`super::field`]
//! (τẋ = −x + tanh(W_rec x + b_in + b_rec), or the rank-2 latent flow); time is in units of τ.
//!
//! # Method
//! * **Guess.** From a starting state (typically the end of the trial) the *flow* is integrated
//!   with classical RK4 for [`OrbitConfig::settle_time`] τ so that the state relaxes onto an
//!   attracting cycle; the period is then read off the first return to the hyperplane through
//!   that state orthogonal to F (the Poincaré section), linearly interpolated between RK4 steps.
//!   A state whose speed ‖F‖ is below [`OrbitConfig::min_speed`] is at a fixed point: no orbit.
//! * **Shooting.** Unknowns (x₀, T). The time-scaled flow x' = T F(x) on s ∈ [0, 1] is
//!   integrated with [`OrbitConfig::steps`] fixed RK4 steps together with the variational
//!   equation Φ' = T J(x) Φ, Φ(0) = I, giving x(1) = φ_T(x₀) and the monodromy M = Φ(1).
//!   Newton solves φ_T(x₀) − x₀ = 0 with the phase condition F(x₀)·δx = 0 (the correction stays
//!   in the Poincaré section, which removes the time-shift invariance):
//!   ```text
//!   [ M − I        F(φ_T(x₀)) ] [δx]   [ −(φ_T(x₀) − x₀) ]
//!   [ F(x₀)ᵀ           0      ] [δT] = [        0         ]
//!   ```
//!   A step that does not lower ‖φ_T(x₀) − x₀‖ is halved (up to 8 times).
//! * **Floquet multipliers** are the eigenvalues of M at the converged orbit. One of them is 1
//!   (perturbation along the orbit, the *trivial* multiplier, identified as the multiplier
//!   closest to 1); the orbit is orbitally asymptotically stable when every other multiplier
//!   has modulus below 1.
//!
//! The RK4 error in the period and the multipliers is O((T/steps)⁴); with the default 400
//! steps per period it is below 1e-8 relative on the test systems (`tests/analysis_orbits.rs`:
//! the limit-cycle toy model, the Hopf and SNIC normal forms and a rank-2 network with a
//! closed-form cycle).
//!
//! # Flow cycles and the trained network's Euler map
//! The network updates x ← x + αF(x), one Euler step of the flow (α = Δt/τ = 0.5). A cycle of
//! the flow is not a periodic point of that map: its discrete counterpart is an *invariant
//! circle* on which the map rotates by about α/T of a turn per step, and the circle is an
//! O(α)-perturbation of the flow's cycle. The two need not exist together. At a focus with
//! Jacobian eigenvalues μ ± iω the map's multipliers are 1 + α(μ ± iω), of modulus
//! √((1 + αμ)² + α²ω²); the map's Neimark–Sacker bifurcation sits at
//! μ_NS = (√(1 − α²ω²) − 1)/α ≈ −αω²/2, *before* the flow's Hopf bifurcation at μ = 0. For
//! μ_NS < μ < 0 the flow spirals into a stable focus while the trained (Euler) network keeps
//! oscillating on an invariant circle; in that band the rollout classifier says LC and the
//! shooting finds no stable flow cycle. Conversely the map's circle can break up (resonances,
//! when αω ≳ 1) where the flow's cycle persists. Away from such bands the period of the map's
//! oscillation in steps is close to T/α.

#![allow(clippy::needless_range_loop)]

use super::field::VectorField;
use nalgebra::{DMatrix, DVector};
use rustfft::num_complex::Complex;

/// Settings of the orbit search.
#[derive(Debug, Clone, PartialEq)]
pub struct OrbitConfig {
    /// RK4 steps per period in the shooting integration (default 400).
    pub steps: usize,
    /// Newton iteration limit (default 30).
    pub max_newton: usize,
    /// Convergence: ‖φ_T(x₀) − x₀‖ ≤ `tol`·max(1, ‖x₀‖) (default 1e-10).
    pub tol: f64,
    /// Flow time (τ) integrated from the start before the period is estimated (default 100).
    pub settle_time: f64,
    /// RK4 step (τ) of the settling integration and the period estimate (default 0.05).
    pub settle_dt: f64,
    /// Longest period (τ) looked for (default 500).
    pub max_period: f64,
    /// Speed ‖F‖ below which the settled state counts as a fixed point (default 1e-7).
    pub min_speed: f64,
}

impl Default for OrbitConfig {
    fn default() -> Self {
        OrbitConfig {
            steps: 400,
            max_newton: 30,
            tol: 1e-10,
            settle_time: 100.0,
            settle_dt: 0.05,
            max_period: 500.0,
            min_speed: 1e-7,
        }
    }
}

/// A periodic orbit with its Floquet multipliers.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodicOrbit {
    /// A point on the orbit (the shooting point x₀).
    pub x0: Vec<f64>,
    /// Period T in units of τ.
    pub period: f64,
    /// Floquet multipliers (eigenvalues of the monodromy matrix), by decreasing modulus.
    pub multipliers: Vec<Complex<f64>>,
    /// Index in `multipliers` of the trivial multiplier (the one closest to 1).
    pub trivial: usize,
    /// Final shooting residual ‖φ_T(x₀) − x₀‖.
    pub residual: f64,
    /// Newton iterations used.
    pub newton_iters: usize,
    /// The orbit sampled at the `steps + 1` RK4 nodes (row-major, (steps + 1) × dim).
    pub samples: Vec<f64>,
    /// State dimension.
    pub dim: usize,
}

impl PeriodicOrbit {
    /// Largest modulus among the non-trivial multipliers (0 for a 1-D system).
    pub fn max_nontrivial_modulus(&self) -> f64 {
        self.multipliers
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != self.trivial)
            .map(|(_, m)| m.norm())
            .fold(0.0, f64::max)
    }

    /// The non-trivial multiplier of largest modulus (None for a 1-D system).
    pub fn leading_nontrivial(&self) -> Option<Complex<f64>> {
        self.multipliers
            .iter()
            .enumerate()
            .find(|(i, _)| *i != self.trivial)
            .map(|(_, m)| *m)
    }

    /// The shooting collapsed onto a fixed point instead of a cycle: a fixed point is a
    /// "periodic orbit" of every period, so Newton can converge to one from a guess taken on a
    /// slowly decaying spiral. Recognised by a radius below 1e-6·max(1, ‖x₀‖) or a trivial
    /// multiplier farther than 1e-3 from 1 (on a true cycle it is 1 to the integration error).
    pub fn is_degenerate(&self) -> bool {
        let scale = norm(&self.x0).max(1.0);
        self.radius() < 1e-6 * scale
            || self
                .multipliers
                .get(self.trivial)
                .is_none_or(|m| (m - 1.0).norm() > 1e-3)
    }

    /// Orbitally asymptotically stable: every non-trivial multiplier inside the unit circle.
    pub fn is_stable(&self) -> bool {
        self.max_nontrivial_modulus() < 1.0
    }

    /// Radius: the largest distance of a sample from the orbit's [`centroid`](Self::centroid).
    pub fn radius(&self) -> f64 {
        let d = self.dim;
        let c = self.centroid();
        let m = (self.samples.len() / d).saturating_sub(1).max(1);
        (0..m)
            .map(|i| dist(&self.samples[i * d..(i + 1) * d], &c))
            .fold(0.0, f64::max)
    }

    /// The centroid of the orbit (mean of the samples over one period; the last sample repeats
    /// the first and is left out).
    pub fn centroid(&self) -> Vec<f64> {
        let d = self.dim;
        let m = (self.samples.len() / d).saturating_sub(1).max(1);
        let mut c = vec![0.0; d];
        for i in 0..m {
            for j in 0..d {
                c[j] += self.samples[i * d + j] / m as f64;
            }
        }
        c
    }
}

pub(crate) fn dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

pub(crate) fn norm(a: &[f64]) -> f64 {
    a.iter().map(|v| v * v).sum::<f64>().sqrt()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// One RK4 step of ẋ = c·F(x) with step h (in place).
fn rk4_step<V: VectorField + ?Sized>(field: &V, x: &mut [f64], c: f64, h: f64, ws: &mut Ws) {
    let n = x.len();
    field.eval(x, &mut ws.k1);
    for i in 0..n {
        ws.tmp[i] = x[i] + 0.5 * h * c * ws.k1[i];
    }
    field.eval(&ws.tmp, &mut ws.k2);
    for i in 0..n {
        ws.tmp[i] = x[i] + 0.5 * h * c * ws.k2[i];
    }
    field.eval(&ws.tmp, &mut ws.k3);
    for i in 0..n {
        ws.tmp[i] = x[i] + h * c * ws.k3[i];
    }
    field.eval(&ws.tmp, &mut ws.k4);
    for i in 0..n {
        x[i] += h * c / 6.0 * (ws.k1[i] + 2.0 * ws.k2[i] + 2.0 * ws.k3[i] + ws.k4[i]);
    }
}

struct Ws {
    k1: Vec<f64>,
    k2: Vec<f64>,
    k3: Vec<f64>,
    k4: Vec<f64>,
    tmp: Vec<f64>,
}

impl Ws {
    fn new(n: usize) -> Self {
        Ws {
            k1: vec![0.0; n],
            k2: vec![0.0; n],
            k3: vec![0.0; n],
            k4: vec![0.0; n],
            tmp: vec![0.0; n],
        }
    }
}

/// Integrate the flow from `x` (in place) for time `t` with `steps` RK4 steps.
pub fn flow<V: VectorField + ?Sized>(field: &V, x: &mut [f64], t: f64, steps: usize) {
    let mut ws = Ws::new(x.len());
    let h = t / steps.max(1) as f64;
    for _ in 0..steps {
        rk4_step(field, x, 1.0, h, &mut ws);
    }
}

/// φ_T(x₀) and the monodromy matrix ∂φ_T/∂x₀, from `steps` RK4 steps of the state together with
/// its variational equation Φ' = J(x)Φ (the RK4 of the combined system, so Φ is the exact
/// derivative of the discrete RK4 map). Also returns the `steps + 1` state samples.
pub fn monodromy<V: VectorField + ?Sized>(
    field: &V,
    x0: &[f64],
    period: f64,
    steps: usize,
) -> (Vec<f64>, DMatrix<f64>, Vec<f64>) {
    let n = x0.len();
    let steps = steps.max(1);
    let h = period / steps as f64;
    let mut x = x0.to_vec();
    let mut phi = DMatrix::<f64>::identity(n, n);
    let mut ws = Ws::new(n);
    let mut samples = Vec::with_capacity((steps + 1) * n);
    samples.extend_from_slice(&x);
    let mut k1 = DMatrix::<f64>::zeros(n, n);
    let mut k2 = DMatrix::<f64>::zeros(n, n);
    let mut k3 = DMatrix::<f64>::zeros(n, n);
    let mut k4 = DMatrix::<f64>::zeros(n, n);
    let mut tmp = DMatrix::<f64>::zeros(n, n);
    for _ in 0..steps {
        // Stage states (as in rk4_step), their slopes and the variational stages.
        field.eval_and_jacobian_mul(&x, &mut ws.k1, &phi, &mut k1);
        for i in 0..n {
            ws.tmp[i] = x[i] + 0.5 * h * ws.k1[i];
        }
        set_axpy(&mut tmp, &phi, 0.5 * h, &k1);
        field.eval_and_jacobian_mul(&ws.tmp, &mut ws.k2, &tmp, &mut k2);
        for i in 0..n {
            ws.tmp[i] = x[i] + 0.5 * h * ws.k2[i];
        }
        set_axpy(&mut tmp, &phi, 0.5 * h, &k2);
        field.eval_and_jacobian_mul(&ws.tmp, &mut ws.k3, &tmp, &mut k3);
        for i in 0..n {
            ws.tmp[i] = x[i] + h * ws.k3[i];
        }
        set_axpy(&mut tmp, &phi, h, &k3);
        field.eval_and_jacobian_mul(&ws.tmp, &mut ws.k4, &tmp, &mut k4);
        for (((p, a), (b, c)), d) in phi
            .iter_mut()
            .zip(k1.iter())
            .zip(k2.iter().zip(k3.iter()))
            .zip(k4.iter())
        {
            *p += h / 6.0 * (a + 2.0 * b + 2.0 * c + d);
        }
        for i in 0..n {
            x[i] += h / 6.0 * (ws.k1[i] + 2.0 * ws.k2[i] + 2.0 * ws.k3[i] + ws.k4[i]);
        }
        samples.extend_from_slice(&x);
    }
    (x, phi, samples)
}

/// dst = base + a·k (element-wise, same shapes).
fn set_axpy(dst: &mut DMatrix<f64>, base: &DMatrix<f64>, a: f64, k: &DMatrix<f64>) {
    for ((d, b), x) in dst.iter_mut().zip(base.iter()).zip(k.iter()) {
        *d = b + a * x;
    }
}

/// Estimate of a cycle reached from `start`: the settled state and the first-return time to
/// its Poincaré section. `Ok(None)` when the flow settles at a fixed point or no return
/// happens within `max_period`.
pub fn orbit_guess<V: VectorField + ?Sized>(
    field: &V,
    start: &[f64],
    cfg: &OrbitConfig,
) -> crate::Result<Option<(Vec<f64>, f64)>> {
    check_cfg(field, start, cfg)?;
    let n = field.dim();
    let mut x = start.to_vec();
    let h = cfg.settle_dt;
    let mut ws = Ws::new(n);
    let settle_steps = (cfg.settle_time / h).ceil() as usize;
    for _ in 0..settle_steps {
        rk4_step(field, &mut x, 1.0, h, &mut ws);
    }
    if x.iter().any(|v| !v.is_finite()) {
        return Err(crate::Error::invalid(
            "orbit",
            "the flow left the finite range while settling",
        ));
    }
    let mut f0 = vec![0.0; n];
    field.eval(&x, &mut f0);
    let speed = norm(&f0);
    if speed < cfg.min_speed {
        return Ok(None);
    }
    let a = x.clone();
    // g(y) = (y − a)·F(a): zero at a, positive just after leaving it. A return is a crossing
    // from g < 0 to g ≥ 0 once the trajectory has moved away from a.
    let g = |y: &[f64]| dot(&f0, y) - dot(&f0, &a);
    let mut prev = g(&x);
    let mut left = false;
    let max_steps = (cfg.max_period / h).ceil() as usize;
    let mut far = 0.0f64;
    for k in 1..=max_steps {
        rk4_step(field, &mut x, 1.0, h, &mut ws);
        let d = dist(&x, &a);
        far = far.max(d);
        let cur = g(&x);
        if !left && prev < 0.0 {
            left = true;
        }
        if left && prev < 0.0 && cur >= 0.0 && d < 0.5 * far {
            let frac = prev / (prev - cur);
            let t = (k as f64 - 1.0 + frac) * h;
            return Ok(Some((a, t)));
        }
        prev = cur;
    }
    Ok(None)
}

fn check_cfg<V: VectorField + ?Sized>(
    field: &V,
    x: &[f64],
    cfg: &OrbitConfig,
) -> crate::Result<()> {
    if x.len() != field.dim() {
        return Err(crate::Error::invalid(
            "orbit start",
            format!("has {} entries, the field has dim {}", x.len(), field.dim()),
        ));
    }
    if x.iter().any(|v| !v.is_finite()) {
        return Err(crate::Error::invalid("orbit start", "non-finite entry"));
    }
    for (name, v) in [
        ("settle_dt", cfg.settle_dt),
        ("max_period", cfg.max_period),
        ("tol", cfg.tol),
    ] {
        crate::error::check_positive(name, v)?;
    }
    if cfg.settle_time.is_nan() || cfg.settle_time < 0.0 {
        return Err(crate::Error::invalid("settle_time", "must be ≥ 0"));
    }
    if cfg.steps < 4 {
        return Err(crate::Error::invalid(
            "steps",
            "need at least 4 RK4 steps per period",
        ));
    }
    Ok(())
}

/// Newton shooting for a periodic orbit from the guess (x₀, T). Errors if Newton does not
/// converge (the message says how far it got).
pub fn shoot<V: VectorField + ?Sized>(
    field: &V,
    x0: &[f64],
    period: f64,
    cfg: &OrbitConfig,
) -> crate::Result<PeriodicOrbit> {
    check_cfg(field, x0, cfg)?;
    crate::error::check_positive("period", period)?;
    let n = field.dim();
    let mut x = x0.to_vec();
    let mut t = period;
    let mut res_norm = f64::INFINITY;
    let mut f0 = vec![0.0; n];
    let mut f1 = vec![0.0; n];
    // Chord Newton: the monodromy (the expensive part: dim² variational unknowns) is reused
    // while the residual drops at least fourfold per step, and recomputed otherwise and at
    // the converged orbit for the multipliers.
    let mut jac: Option<DMatrix<f64>> = None;
    let mut fresh = false;
    let mut prev_res = f64::INFINITY;
    for it in 0..=cfg.max_newton {
        let mut xt = x.clone();
        flow(field, &mut xt, t, cfg.steps);
        let r: Vec<f64> = xt.iter().zip(&x).map(|(a, b)| a - b).collect();
        res_norm = norm(&r);
        if !res_norm.is_finite() {
            break;
        }
        if res_norm <= cfg.tol * norm(&x).max(1.0) {
            let (_, m, samples) = monodromy(field, &x, t, cfg.steps);
            return finish(x, t, &m, res_norm, it, samples, n);
        }
        if it == cfg.max_newton {
            break;
        }
        if jac.is_none() || res_norm > 0.25 * prev_res {
            jac = Some(monodromy(field, &x, t, cfg.steps).1);
            fresh = true;
        }
        prev_res = res_norm;
        let m = jac.as_ref().expect("monodromy present");
        field.eval(&x, &mut f0);
        field.eval(&xt, &mut f1);
        let mut a = DMatrix::<f64>::zeros(n + 1, n + 1);
        for i in 0..n {
            for j in 0..n {
                a[(i, j)] = m[(i, j)] - if i == j { 1.0 } else { 0.0 };
            }
            a[(i, n)] = f1[i];
            a[(n, i)] = f0[i];
        }
        let mut rhs = DVector::<f64>::zeros(n + 1);
        for i in 0..n {
            rhs[i] = -r[i];
        }
        let Some(step) = a.lu().solve(&rhs) else {
            return Err(crate::Error::invalid(
                "orbit",
                "singular shooting system (degenerate orbit or a fixed point)",
            ));
        };
        // Damped update: accept the first step length that lowers the residual.
        let mut lam = 1.0;
        let mut accepted = false;
        for _ in 0..9 {
            let xn: Vec<f64> = (0..n).map(|i| x[i] + lam * step[i]).collect();
            let tn = t + lam * step[n];
            if tn > 0.0 && xn.iter().all(|v| v.is_finite()) {
                let mut y = xn.clone();
                flow(field, &mut y, tn, cfg.steps);
                let rn = dist(&y, &xn);
                if rn.is_finite() && rn < res_norm {
                    x = xn;
                    t = tn;
                    accepted = true;
                    break;
                }
            }
            lam *= 0.5;
        }
        if !accepted {
            if fresh {
                break;
            }
            // A stale monodromy may be to blame: recompute it at the same point.
            jac = None;
            prev_res = f64::INFINITY;
            continue;
        }
        fresh = false;
    }
    Err(crate::Error::invalid(
        "orbit",
        format!(
            "shooting did not converge (residual {res_norm:.3e} after at most {} Newton steps, period guess {period:.4})",
            cfg.max_newton
        ),
    ))
}

/// Eigenvalues of `m` by the real Schur form with at most 30·dim QR sweeps (nalgebra's
/// `complex_eigenvalues` iterates without bound and can stall on clustered multipliers, such
/// as the many equal e^{−T} of directions that relax at the membrane rate). The deflation
/// tolerance (relative to the neighbouring diagonal entries) starts at 1e-14 and is relaxed to
/// 1e-12 and 1e-10; if that fails, the spectrum is computed as eig(M + sI) − s for a few
/// shifts s and then for seeded random orthogonal similarities of M: each changes the QR
/// iteration but not the answer.
pub fn eigenvalues_bounded(m: &DMatrix<f64>) -> crate::Result<Vec<Complex<f64>>> {
    use rand::SeedableRng;
    let n = m.nrows();
    let try_all = |a: &DMatrix<f64>| {
        for shift in [0.0, 0.3141, -0.2718] {
            let ms = a + DMatrix::<f64>::identity(n, n) * shift;
            for eps in [1e-14, 1e-12, 1e-10] {
                if let Some(s) = nalgebra::linalg::Schur::try_new(ms.clone(), eps, 30 * n.max(10)) {
                    return Some(
                        s.complex_eigenvalues()
                            .iter()
                            .map(|z| z - shift)
                            .collect::<Vec<_>>(),
                    );
                }
            }
        }
        None
    };
    if let Some(e) = try_all(m) {
        return Ok(e);
    }
    // Orthogonal similarities Qᵀ M Q (Q from the QR factors of seeded Gaussian matrices) give
    // the QR iteration different starting Hessenberg forms.
    for seed in 1..=3u64 {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let g = DMatrix::<f64>::from_fn(n, n, |_, _| {
            rand::RngExt::sample::<f64, _>(&mut rng, rand_distr::StandardNormal)
        });
        let q = g.qr().q();
        if let Some(e) = try_all(&(q.transpose() * m * &q)) {
            return Ok(e);
        }
    }
    Err(crate::Error::invalid(
        "monodromy",
        "the eigenvalue iteration did not converge",
    ))
}

fn finish(
    x: Vec<f64>,
    t: f64,
    m: &DMatrix<f64>,
    residual: f64,
    iters: usize,
    samples: Vec<f64>,
    n: usize,
) -> crate::Result<PeriodicOrbit> {
    let mut mult = eigenvalues_bounded(m)?;
    mult.sort_by(|a, b| {
        b.norm()
            .total_cmp(&a.norm())
            .then(b.re.total_cmp(&a.re))
            .then(b.im.total_cmp(&a.im))
    });
    let trivial = mult
        .iter()
        .enumerate()
        .min_by(|a, b| (a.1 - 1.0).norm().total_cmp(&(b.1 - 1.0).norm()))
        .map(|(i, _)| i)
        .unwrap_or(0);
    Ok(PeriodicOrbit {
        x0: x,
        period: t,
        multipliers: mult,
        trivial,
        residual,
        newton_iters: iters,
        samples,
        dim: n,
    })
}

/// Guess from `start` ([`orbit_guess`]) then shoot ([`shoot`]). `Ok(None)` when the flow from
/// `start` settles at a fixed point, does not return within `max_period`, or the shooting
/// collapses onto a fixed point ([`PeriodicOrbit::is_degenerate`]: a slowly decaying spiral
/// still faster than `min_speed` after settling).
pub fn find_orbit<V: VectorField + ?Sized>(
    field: &V,
    start: &[f64],
    cfg: &OrbitConfig,
) -> crate::Result<Option<PeriodicOrbit>> {
    match orbit_guess(field, start, cfg)? {
        None => Ok(None),
        Some((x0, t)) => {
            let orb = shoot(field, &x0, t, cfg)?;
            Ok((!orb.is_degenerate()).then_some(orb))
        }
    }
}

/// Connectivity of a rank-2 "ring" network with a known limit cycle: N units at equispaced
/// angles φ_i, u_i = (cos φ_i, sin φ_i), m_i = a u_i and n_i = (c/N) R(ψ) u_i (R a rotation by
/// ψ), bias 0. Its latent flow is κ̇ = −κ + c G(a|κ|) R(ψ) κ/|κ| with
/// G(s) = ⟨cos φ tanh(s cos φ)⟩_φ, so for a c cos ψ > 2 it has a circular cycle of radius
/// ρ* = c cos ψ G(aρ*), angular speed tan ψ and period 2π/tan ψ (τ). Returns (m, n) in the
/// layouts of [`super::field::LowRankLatentField`] (m: N × 2 row-major, n: 2 × N).
pub fn ring_rank2(n_units: usize, a: f64, c: f64, psi: f64) -> (Vec<f64>, Vec<f64>) {
    let n = n_units;
    let mut m = vec![0.0; n * 2];
    let mut nn = vec![0.0; 2 * n];
    let (cs, sn) = (psi.cos(), psi.sin());
    for i in 0..n {
        let phi = 2.0 * std::f64::consts::PI * i as f64 / n as f64;
        let (u0, u1) = (phi.cos(), phi.sin());
        m[i * 2] = a * u0;
        m[i * 2 + 1] = a * u1;
        nn[i] = c / n as f64 * (cs * u0 - sn * u1);
        nn[n + i] = c / n as f64 * (sn * u0 + cs * u1);
    }
    (m, nn)
}

/// The dense recurrent matrix W = m n (N × N row-major) of a rank-2 connectivity.
pub fn rank2_dense(m: &[f64], n: &[f64]) -> Vec<f64> {
    let nh = m.len() / 2;
    let mut w = vec![0.0; nh * nh];
    for i in 0..nh {
        for j in 0..nh {
            w[i * nh + j] = m[i * 2] * n[j] + m[i * 2 + 1] * n[nh + j];
        }
    }
    w
}
