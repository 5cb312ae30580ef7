//! Periodic orbits and Floquet multipliers against closed forms: the limit-cycle toy model
//! (paper §4, unit circle, period 1/r), the Hopf normal form (radial multiplier e^{−2μT}), the
//! SNIC normal form θ' = r − cos θ (period 2π/√(r² − 1)) and a rank-2 network whose latent
//! cycle is solved independently on a fine quadrature grid.

mod common;
use common::rel;

use dynphase::analysis::field::{LowRankLatentField, TanhRnnField, VectorField};
use dynphase::analysis::orbits::{find_orbit, rank2_dense, ring_rank2, shoot, OrbitConfig};
use dynphase::ode::System;
use nalgebra::DMatrix;
use std::f64::consts::PI;

/// ż = (μ + iω) z − (1 + iβ)|z|² z: cycle ρ = √μ, period 2π/(ω − βμ), radial multiplier
/// e^{−2μT}.
struct Hopf {
    mu: f64,
    omega: f64,
    beta: f64,
}

impl System for Hopf {
    fn dim(&self) -> usize {
        2
    }

    fn rhs(&self, _t: f64, x: &[f64], out: &mut [f64]) {
        let (a, b) = (x[0], x[1]);
        let r2 = a * a + b * b;
        out[0] = self.mu * a - self.omega * b - r2 * (a - self.beta * b);
        out[1] = self.omega * a + self.mu * b - r2 * (self.beta * a + b);
    }
}

impl VectorField for Hopf {
    fn jacobian_matrix(&self, x: &[f64]) -> DMatrix<f64> {
        let (a, b) = (x[0], x[1]);
        let r2 = a * a + b * b;
        let (mu, om, be) = (self.mu, self.omega, self.beta);
        DMatrix::from_row_slice(
            2,
            2,
            &[
                mu - 2.0 * a * (a - be * b) - r2,
                -om - 2.0 * b * (a - be * b) + be * r2,
                om - 2.0 * a * (be * a + b) - be * r2,
                mu - 2.0 * b * (be * a + b) - r2,
            ],
        )
    }
}

/// θ' = r − cos θ on the unit circle, ρ' = ρ(1 − ρ²) across it: for r > 1 a cycle of period
/// 2π/√(r² − 1) born at r_c = 1 in a saddle-node on the invariant circle; radial multiplier
/// e^{−2T}.
struct Snic {
    r: f64,
}

impl System for Snic {
    fn dim(&self) -> usize {
        2
    }

    fn rhs(&self, _t: f64, x: &[f64], out: &mut [f64]) {
        let (a, b) = (x[0], x[1]);
        let rho = (a * a + b * b).sqrt();
        let f = 1.0 - rho * rho;
        let g = self.r - a / rho;
        out[0] = a * f - b * g;
        out[1] = b * f + a * g;
    }
}

impl VectorField for Snic {
    fn jacobian_matrix(&self, x: &[f64]) -> DMatrix<f64> {
        let (a, b) = (x[0], x[1]);
        let rho = (a * a + b * b).sqrt();
        let r3 = rho * rho * rho;
        let f = 1.0 - rho * rho;
        let g = self.r - a / rho;
        DMatrix::from_row_slice(
            2,
            2,
            &[
                f - 2.0 * a * a + b * b * b / r3,
                -2.0 * a * b - g - a * b * b / r3,
                -2.0 * a * b + g - a * b * b / r3,
                f - 2.0 * b * b + a * a * b / r3,
            ],
        )
    }
}

#[test]
fn limit_cycle_toy_model_unit_circle_period_one_over_r() {
    // The paper's limit-cycle model ρ' = (1 − ρ²)ρ, θ' = 2πr: μ = 1, ω = 2πr.
    for r in [0.5, 1.0, 2.0] {
        let f = Hopf {
            mu: 1.0,
            omega: 2.0 * PI * r,
            beta: 0.0,
        };
        let orb = find_orbit(&f, &[0.0, -0.3], &OrbitConfig::default())
            .unwrap()
            .expect("a cycle");
        assert!(rel(orb.period, 1.0 / r) < 1e-8, "r {r}: T {}", orb.period);
        assert!((orb.radius() - 1.0).abs() < 1e-8);
        assert!(orb
            .samples
            .chunks(2)
            .all(|p| (p[0].hypot(p[1]) - 1.0).abs() < 1e-8));
        let radial = orb.leading_nontrivial().unwrap();
        assert!(radial.im.abs() < 1e-12);
        assert!(rel(radial.re, (-2.0 / r).exp()) < 1e-6, "r {r}: {radial}");
        assert!((orb.multipliers[orb.trivial] - 1.0).norm() < 1e-8);
        assert!(orb.is_stable());
    }
}

#[test]
fn hopf_normal_form_radial_multiplier() {
    for (mu, omega, beta) in [(0.1, 1.0, 0.0), (0.5, 2.0, 0.5), (0.02, 1.0, -1.0)] {
        let f = Hopf { mu, omega, beta };
        let cfg = OrbitConfig {
            settle_time: 40.0 / mu,
            ..Default::default()
        };
        let orb = find_orbit(&f, &[0.01, 0.0], &cfg)
            .unwrap()
            .expect("a cycle");
        let t = 2.0 * PI / (omega - beta * mu);
        assert!(
            rel(orb.period, t) < 1e-8,
            "{mu} {omega} {beta}: T {}",
            orb.period
        );
        assert!(rel(orb.radius(), mu.sqrt()) < 1e-8);
        let radial = orb.leading_nontrivial().unwrap();
        let want = (-2.0 * mu * t).exp();
        assert!(rel(radial.norm(), want) < 1e-6, "{radial} vs {want}");
        assert!(orb.is_stable());
    }
}

#[test]
fn unstable_cycle_is_found_by_shooting_and_reported_unstable() {
    // Time-reversed Hopf: the cycle repels; forward integration cannot reach it, shooting
    // from a nearby guess can. Radial multiplier e^{+2μT}.
    struct Reversed(Hopf);
    impl System for Reversed {
        fn dim(&self) -> usize {
            2
        }

        fn rhs(&self, _t: f64, x: &[f64], out: &mut [f64]) {
            self.0.eval(x, out);
            out.iter_mut().for_each(|v| *v = -*v);
        }
    }

    impl VectorField for Reversed {
        fn jacobian_matrix(&self, x: &[f64]) -> DMatrix<f64> {
            -self.0.jacobian_matrix(x)
        }
    }
    let f = Reversed(Hopf {
        mu: 0.25,
        omega: 1.0,
        beta: 0.0,
    });
    let orb = shoot(&f, &[0.505, 0.01], 6.2, &OrbitConfig::default()).unwrap();
    let t = 2.0 * PI;
    assert!(rel(orb.period, t) < 1e-8);
    assert!(rel(orb.leading_nontrivial().unwrap().norm(), (0.5 * t).exp()) < 1e-6);
    assert!(!orb.is_stable());
}

#[test]
fn snic_period_diverges_as_inverse_square_root() {
    let mut periods = Vec::new();
    for eps in [1e-1, 1e-2, 1e-3] {
        let r = 1.0 + eps;
        let exact = 2.0 * PI / (r * r - 1.0f64).sqrt();
        let cfg = OrbitConfig {
            steps: 8000,
            settle_time: 50.0,
            max_period: 3.0 * exact,
            settle_dt: 0.005,
            ..Default::default()
        };
        let orb = find_orbit(&Snic { r }, &[0.5, 0.5], &cfg)
            .unwrap()
            .expect("a cycle");
        assert!(
            rel(orb.period, exact) < 1e-6,
            "r {r}: {} vs {exact}",
            orb.period
        );
        periods.push((eps, orb.period));
    }
    // Log-log slope of T against r − r_c approaches −1/2 (exactly −1/2 − ε/(2(2 + ε)) locally).
    let slope = (periods[2].1 / periods[1].1).ln() / (periods[2].0 / periods[1].0).ln();
    assert!((slope + 0.5).abs() < 3e-3, "slope {slope}");
    // Away from the bifurcation the radial multiplier is e^{−2T}.
    let r = 2.0;
    let orb = find_orbit(&Snic { r }, &[0.5, 0.5], &OrbitConfig::default())
        .unwrap()
        .unwrap();
    let t = 2.0 * PI / 3f64.sqrt();
    assert!(rel(orb.period, t) < 1e-8);
    assert!(rel(orb.leading_nontrivial().unwrap().norm(), (-2.0 * t).exp()) < 1e-6);
}

#[test]
fn snic_below_onset_settles_at_a_fixed_point() {
    let orb = find_orbit(&Snic { r: 0.99 }, &[0.5, 0.5], &OrbitConfig::default()).unwrap();
    assert!(orb.is_none());
}

/// The ring network of `ring_rank2` (N = 100, b = 0): m_i = a u_i, n_i = (c/N) R(ψ) u_i,
/// u_i = (cos φ_i, sin φ_i), φ_i equispaced. Its latent flow is κ̇ = −κ + c G(a|κ|) R(ψ) κ/|κ| with
/// G(s) = ⟨cos φ tanh(s cos φ)⟩_φ (the discrete mean equals the integral to rounding), so the
/// cycle has radius ρ* = c cos ψ G(aρ*), angular speed tan ψ, period 2π/tan ψ and radial rate
/// λ = −1 + a c cos ψ G'(aρ*).
struct Ring {
    a: f64,
    c: f64,
    psi: f64,
    n: usize,
}

impl Ring {
    fn mn(&self) -> (Vec<f64>, Vec<f64>) {
        ring_rank2(self.n, self.a, self.c, self.psi)
    }

    /// ρ*, λ from G and G' on a 20,000-point trapezoid grid, ρ* by bisection.
    fn closed_form(&self) -> (f64, f64, f64) {
        let k = 20_000;
        let quad = |f: &dyn Fn(f64) -> f64| {
            (0..k)
                .map(|i| f(2.0 * PI * i as f64 / k as f64))
                .sum::<f64>()
                / k as f64
        };
        let g = |s: f64| quad(&|p: f64| p.cos() * (s * p.cos()).tanh());
        let gp = |s: f64| quad(&|p: f64| p.cos().powi(2) / (s * p.cos()).cosh().powi(2));
        let cc = self.c * self.psi.cos();
        let (mut lo, mut hi) = (1e-6, 10.0 * cc);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if cc * g(self.a * mid) - mid > 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let rho = 0.5 * (lo + hi);
        let lam = -1.0 + self.a * cc * gp(self.a * rho);
        (rho, 2.0 * PI / self.psi.tan(), lam)
    }
}

#[test]
fn rank2_ring_network_latent_cycle_matches_fine_grid_solution() {
    let ring = Ring {
        a: 1.0,
        c: 4.0,
        psi: PI / 4.0,
        n: 100,
    };
    let (m, n) = ring.mn();
    let field = LowRankLatentField::new(2, m, n, vec![0.0; 100]).unwrap();
    let (rho, t, lam) = ring.closed_form();
    let orb = find_orbit(&field, &[0.3, -0.1], &OrbitConfig::default())
        .unwrap()
        .expect("a cycle");
    assert!(rel(orb.period, t) < 1e-8, "T {} vs {t}", orb.period);
    assert!(rel(orb.radius(), rho) < 1e-8, "ρ {} vs {rho}", orb.radius());
    assert!(orb.centroid().iter().all(|c| c.abs() < 1e-8));
    let radial = orb.leading_nontrivial().unwrap();
    assert!(
        rel(radial.norm(), (lam * t).exp()) < 1e-6,
        "{radial} vs {}",
        (lam * t).exp()
    );
}

#[test]
fn rank2_ring_network_full_state_n100_cycle_and_multipliers() {
    // The same network as a full N = 100 flow ẋ = −x + tanh(m n x): κ = n x follows the latent
    // flow exactly, so the period is 2π/tan ψ; the multipliers are 1, e^{λT} and e^{−T} on
    // the 98 directions of ker n.
    let ring = Ring {
        a: 1.0,
        c: 4.0,
        psi: PI / 4.0,
        n: 100,
    };
    let (m, nn) = ring.mn();
    let n = ring.n;
    let field = TanhRnnField::new(rank2_dense(&m, &nn), vec![0.0; n]).unwrap();
    let start: Vec<f64> = (0..n).map(|i| (0.5 * m[i * 2]).tanh()).collect();
    let (_, t, lam) = ring.closed_form();
    let orb = find_orbit(&field, &start, &OrbitConfig::default())
        .unwrap()
        .expect("a cycle");
    assert!(rel(orb.period, t) < 1e-8, "T {} vs {t}", orb.period);
    assert_eq!(orb.multipliers.len(), n);
    assert!((orb.multipliers[orb.trivial] - 1.0).norm() < 1e-7);
    assert!(rel(orb.leading_nontrivial().unwrap().norm(), (lam * t).exp()) < 1e-6);
    let fast = (-t).exp();
    let n_fast = orb
        .multipliers
        .iter()
        .filter(|z| rel(z.norm(), fast) < 1e-6 && z.im.abs() < 1e-9)
        .count();
    assert_eq!(n_fast, n - 2);
    assert!(orb.is_stable());
}

#[test]
fn bad_inputs_are_errors() {
    let f = Hopf {
        mu: 1.0,
        omega: 1.0,
        beta: 0.0,
    };
    assert!(find_orbit(&f, &[0.0], &OrbitConfig::default()).is_err());
    assert!(find_orbit(&f, &[f64::NAN, 0.0], &OrbitConfig::default()).is_err());
    assert!(shoot(&f, &[1.0, 0.0], -1.0, &OrbitConfig::default()).is_err());
    let cfg = OrbitConfig {
        steps: 2,
        ..Default::default()
    };
    assert!(shoot(&f, &[1.0, 0.0], 6.0, &cfg).is_err());
}

#[test]
fn a_slow_stable_focus_is_no_orbit() {
    // τẋ = −x + tanh(W x), W = [[0.98, −0.5], [0.5, 0.98]]: the origin is a stable focus with
    // Jacobian eigenvalues −0.02 ± 0.5i, so after the 100 τ of settling the spiral still moves
    // (speed ≈ 0.03, far above min_speed) and the period guess exists, but Newton shooting
    // converges onto the fixed point (a "cycle" of radius 0 whose trivial multiplier is not 1).
    let field = TanhRnnField::new(vec![0.98, -0.5, 0.5, 0.98], vec![0.0; 2]).unwrap();
    let cfg = OrbitConfig::default();
    assert!(
        dynphase::analysis::orbits::orbit_guess(&field, &[0.5, 0.0], &cfg)
            .unwrap()
            .is_some()
    );
    assert!(find_orbit(&field, &[0.5, 0.0], &cfg).unwrap().is_none());
}
