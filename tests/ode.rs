//! ODE integrators against exact solutions (docs/toy-theory.md reference problems).
//!
//! Reference problems and their solutions:
//! * decay x' = −k x: x(t) = x0 e^{−kt};
//! * harmonic oscillator x'' = −ω² x from (1, 0): x = cos ωt, v = −ω sin ωt; x first
//!   crosses 0 at t = π/(2ω);
//! * saddle-node x' = x² + r, x(0) = 0: x(t) = √r tan(√r t), escape at t* = π/(2√r); past a
//!   threshold the chart u = −1/x obeys u' = 1 + r u², which is regular and crosses 0 at t*;
//! * Hopf normal-form radius ρ' = (1 − ρ²) ρ: ρ(t) = 1/√(1 + (1/ρ0² − 1) e^{−2t}).

use std::f64::consts::PI;

use dynphase::ode::*;

struct Decay(f64);
impl System for Decay {
    fn dim(&self) -> usize {
        1
    }
    fn rhs(&self, _t: f64, x: &[f64], dx: &mut [f64]) {
        dx[0] = -self.0 * x[0];
    }
}

struct Oscillator(f64);
impl System for Oscillator {
    fn dim(&self) -> usize {
        2
    }
    fn rhs(&self, _t: f64, x: &[f64], dx: &mut [f64]) {
        dx[0] = x[1];
        dx[1] = -self.0 * self.0 * x[0];
    }
    fn jacobian(&self, _t: f64, _x: &[f64], jac: &mut [f64]) -> bool {
        jac.copy_from_slice(&[0.0, 1.0, -self.0 * self.0, 0.0]);
        true
    }
}

struct SaddleX(f64);
impl System for SaddleX {
    fn dim(&self) -> usize {
        1
    }
    fn rhs(&self, _t: f64, x: &[f64], dx: &mut [f64]) {
        dx[0] = x[0] * x[0] + self.0;
    }
}

/// u = −1/x: u' = x'/x² = 1 + r u².
struct SaddleU(f64);
impl System for SaddleU {
    fn dim(&self) -> usize {
        1
    }
    fn rhs(&self, _t: f64, u: &[f64], du: &mut [f64]) {
        du[0] = 1.0 + self.0 * u[0] * u[0];
    }
}

struct HopfRadius;
impl System for HopfRadius {
    fn dim(&self) -> usize {
        1
    }
    fn rhs(&self, _t: f64, x: &[f64], dx: &mut [f64]) {
        dx[0] = (1.0 - x[0] * x[0]) * x[0];
    }
}

fn hopf_exact(rho0: f64, t: f64) -> f64 {
    1.0 / (1.0 + (1.0 / (rho0 * rho0) - 1.0) * (-2.0 * t).exp()).sqrt()
}

fn fixed_error<M: Stepper>(mk: impl Fn() -> M, n: usize) -> f64 {
    let mut x = [1.0, 0.0];
    integrate_fixed(&Oscillator(1.0), &mut mk(), 0.0, 2.0, n, &mut x);
    ((x[0] - 2f64.cos()).powi(2) + (x[1] + 2f64.sin()).powi(2)).sqrt()
}

/// Observed order from a log-log fit of error against step size.
fn observed_order<M: Stepper>(mk: impl Fn() -> M + Copy, ns: &[usize]) -> f64 {
    let h: Vec<f64> = ns.iter().map(|&n| 2.0 / n as f64).collect();
    let e: Vec<f64> = ns.iter().map(|&n| fixed_error(mk, n)).collect();
    // fit_power_law reports beta = −slope of ln e vs ln h.
    -dynphase::fit::fit_power_law(&h, &e).unwrap().beta
}

#[test]
fn convergence_orders_euler_1_rk4_4() {
    let p_euler = observed_order(|| Euler::new(2), &[400, 800, 1600, 3200, 6400]);
    let p_rk4 = observed_order(|| Rk4::new(2), &[10, 20, 40, 80, 160]);
    assert!((p_euler - 1.0).abs() < 0.1, "Euler order {p_euler}");
    assert!((p_rk4 - 4.0).abs() < 0.1, "RK4 order {p_rk4}");
    assert_eq!(Euler::new(1).order(), 1);
    assert_eq!(Rk4::new(1).order(), 4);
}

#[test]
fn exponential_decay_fixed_and_adaptive() {
    let exact = (-3.0f64).exp();
    let mut x = [1.0];
    integrate_fixed(&Decay(1.5), &mut Rk4::new(1), 0.0, 2.0, 200, &mut x);
    assert!((x[0] - exact).abs() < 1e-9, "{}", x[0]);
    for method in [Method::Dopri5, Method::Dop853] {
        let opts = AdaptiveOptions {
            method,
            rtol: 1e-12,
            atol: 1e-14,
            ..AdaptiveOptions::default()
        };
        let x = integrate_adaptive(&Decay(1.5), 0.0, &[1.0], 2.0, &opts).unwrap();
        assert!((x[0] - exact).abs() < 1e-11, "{method:?}: {}", x[0]);
    }
}

#[test]
fn harmonic_oscillator_adaptive_over_ten_periods() {
    let w = 2.0;
    let t1 = 10.0 * 2.0 * PI / w + 0.3;
    for method in [Method::Dopri5, Method::Dop853] {
        let opts = AdaptiveOptions {
            method,
            rtol: 1e-12,
            atol: 1e-12,
            ..AdaptiveOptions::default()
        };
        let tr = solve_adaptive(&Oscillator(w), 0.0, &[1.0, 0.0], t1, &opts).unwrap();
        for (t, x) in tr.t.iter().zip(&tr.x) {
            assert!((x[0] - (w * t).cos()).abs() < 1e-9, "{method:?} t={t}");
            assert!((x[1] + w * (w * t).sin()).abs() < 2e-9, "{method:?} t={t}");
        }
        assert!((tr.t.last().unwrap() - t1).abs() < 1e-12);
    }
}

#[test]
fn oscillator_crossings_at_quarter_periods() {
    let w = 1.3;
    let (cr, _) = find_crossings(
        &Oscillator(w),
        0.0,
        &[1.0, 0.0],
        10.0,
        |_, x| -x[0],
        &CrossingOptions::default(),
    )
    .unwrap();
    // cos(wt) = 0 at t = (k + 1/2) π / w.
    let expected: Vec<f64> = (0..)
        .map(|k| (k as f64 + 0.5) * PI / w)
        .take_while(|&t| t <= 10.0)
        .collect();
    assert_eq!(cr.len(), expected.len());
    for (k, (c, e)) in cr.iter().zip(&expected).enumerate() {
        assert!((c.t - e).abs() < 1e-9, "crossing {k}: {} vs {e}", c.t);
        assert_eq!(c.rising, k % 2 == 0);
    }
}

#[test]
fn analytic_jacobian_matches_finite_differences() {
    let mut a = [0.0; 4];
    let mut n = [0.0; 4];
    assert!(Oscillator(1.7).jacobian(0.0, &[0.3, -0.2], &mut a));
    numeric_jacobian(&Oscillator(1.7), 0.0, &[0.3, -0.2], &mut n);
    for i in 0..4 {
        assert!((a[i] - n[i]).abs() < 1e-7, "{i}: {} vs {}", a[i], n[i]);
    }
    assert!(!Decay(1.0).jacobian(0.0, &[1.0], &mut [0.0]));
}

#[test]
fn saddle_node_solution_and_escape_time_through_the_blow_up() {
    for r in [1e-4, 0.01, 0.3, 2.0] {
        let ts = PI / (2.0 * f64::sqrt(r));
        // x(t) = √r tan(√r t) on [0, 0.9 t*].
        let t1 = 0.9 * ts;
        let opts = AdaptiveOptions {
            method: Method::Dop853,
            rtol: 1e-12,
            atol: 1e-12,
            ..AdaptiveOptions::default()
        };
        let x = integrate_adaptive(&SaddleX(r), 0.0, &[0.0], t1, &opts).unwrap();
        let exact = r.sqrt() * (r.sqrt() * t1).tan();
        assert!(
            (x[0] - exact).abs() < 1e-8 * exact.max(1.0),
            "r={r}: {} vs {exact}",
            x[0]
        );
        // Integrate x up to the threshold x = 1, then switch to u = −1/x and find u = 0.
        let xth = 1.0;
        let c1 = first_crossing(
            &SaddleX(r),
            0.0,
            &[0.0],
            2.0 * ts,
            |_, x| x[0] - xth,
            &CrossingOptions::default(),
        )
        .unwrap()
        .expect("x reaches the threshold");
        let t_th = ((xth / r.sqrt()).atan()) / r.sqrt();
        assert!(
            (c1.t - t_th).abs() < 1e-8 * t_th,
            "r={r}: threshold time {} vs {t_th}",
            c1.t
        );
        let c2 = first_crossing(
            &SaddleU(r),
            c1.t,
            &[-1.0 / c1.x[0]],
            c1.t + 10.0,
            |_, u| u[0],
            &CrossingOptions::default(),
        )
        .unwrap()
        .expect("u crosses zero");
        assert!(
            (c2.t - ts).abs() < 1e-8 * ts,
            "r={r}: escape {} vs {ts}",
            c2.t
        );
    }
}

#[test]
fn hopf_radius_relaxes_to_the_unit_cycle() {
    for rho0 in [0.1, 0.5, 1.0, 2.5] {
        let mut x = [rho0];
        integrate_fixed(&HopfRadius, &mut Rk4::new(1), 0.0, 5.0, 2000, &mut x);
        assert!((x[0] - hopf_exact(rho0, 5.0)).abs() < 1e-9, "rho0={rho0}");
        let y = integrate_adaptive(&HopfRadius, 0.0, &[rho0], 5.0, &AdaptiveOptions::default())
            .unwrap();
        assert!((y[0] - hopf_exact(rho0, 5.0)).abs() < 1e-8, "rho0={rho0}");
    }
}

#[test]
fn bad_input_is_a_typed_error() {
    let o = AdaptiveOptions::default();
    assert!(solve_adaptive(&Decay(1.0), 0.0, &[f64::NAN], 1.0, &o).is_err());
    assert!(solve_adaptive(&Decay(1.0), 0.0, &[1.0, 2.0], 1.0, &o).is_err());
    assert!(solve_adaptive(&Decay(1.0), 0.0, &[1.0], f64::INFINITY, &o).is_err());
    // Finite-time blow-up of x' = x² + 1 before t = 2 is reported, not returned as a number.
    // x = tan t blows up at π/2: the error says where the solver stopped and what it saw.
    let e = integrate_adaptive(&SaddleX(1.0), 0.0, &[0.0], 2.0, &o)
        .unwrap_err()
        .to_string();
    assert!(e.contains("blows up in finite time"), "{e}");
    let t: f64 = e
        .split("last accepted step t = ")
        .nth(1)
        .and_then(|r| r.split(',').next())
        .and_then(|v| v.parse().ok())
        .expect("the last accepted time");
    assert!((t - PI / 2.0).abs() < 1e-3, "{e}");
    // A right-hand side that is NaN at a finite state is named with the state.
    struct SqrtBelowTen;
    impl System for SqrtBelowTen {
        fn dim(&self) -> usize {
            1
        }
        fn rhs(&self, _t: f64, x: &[f64], dx: &mut [f64]) {
            dx[0] = (x[0] - 10.0).sqrt();
        }
    }
    let e = integrate_adaptive(&SqrtBelowTen, 0.0, &[2.0], 1.0, &o)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("the right-hand side is NaN in component 0 at t = 0e0, x = [2e0]"),
        "{e}"
    );
}
