//! Continuation and bifurcation detection against closed forms: a saddle-node on an invariant
//! circle (fold at μ = 1, period 2π/√(μ² − 1)), the Hopf normal form (Hopf at μ = 0,
//! eigenvalues ±iω, cycle radius √μ) and a rank-2 ring network whose origin has the
//! eigenvalues −1 + (ca/2)e^{±iψ}, followed along a straight line in its parameters as between
//! two training checkpoints, both as the 2-D latent flow and as the N-dimensional network.

mod common;
use common::rel;

use dynphase::analysis::bifurcation::{
    continue_fixed_point, continue_orbit, scan, BranchEnd, ContinuationConfig, Direction,
    EventKind, OrbitEnd, ScanInput,
};
use dynphase::analysis::field::{
    FieldFamily, LowRankLatentField, Segment, TanhRnnField, VectorField,
};
use dynphase::analysis::fixed_points::FixedPointConfig;
use dynphase::analysis::orbits::{find_orbit, rank2_dense, ring_rank2, OrbitConfig};
use dynphase::ode::System;
use nalgebra::DMatrix;
use std::f64::consts::PI;

/// ẋ = x(1 − ρ²) − y(μ − x), ẏ = y(1 − ρ²) + x(μ − x): the unit circle is invariant and on it
/// θ' = μ − cos θ, so for μ < 1 a node and a saddle sit on the circle at cos θ = μ, they merge
/// at (1, 0) when μ = 1, and for μ > 1 the circle is a cycle of period 2π/√(μ² − 1).
struct Snic {
    mu: f64,
}

impl System for Snic {
    fn dim(&self) -> usize {
        2
    }

    fn rhs(&self, _t: f64, v: &[f64], out: &mut [f64]) {
        let (x, y) = (v[0], v[1]);
        let f = 1.0 - x * x - y * y;
        let g = self.mu - x;
        out[0] = x * f - y * g;
        out[1] = y * f + x * g;
    }
}

impl VectorField for Snic {
    fn jacobian_matrix(&self, v: &[f64]) -> DMatrix<f64> {
        let (x, y) = (v[0], v[1]);
        let f = 1.0 - x * x - y * y;
        let g = self.mu - x;
        DMatrix::from_row_slice(
            2,
            2,
            &[
                f - 2.0 * x * x + y,
                -2.0 * x * y - g,
                -2.0 * x * y + g - x,
                f - 2.0 * y * y,
            ],
        )
    }
}

/// μ(s) = μ₀ + s(μ₁ − μ₀); ∂F/∂s = (μ₁ − μ₀)(−y, x).
struct SnicLine {
    mu0: f64,
    mu1: f64,
}

impl FieldFamily for SnicLine {
    type Field = Snic;
    fn at(&self, s: f64) -> Snic {
        Snic {
            mu: self.mu0 + s * (self.mu1 - self.mu0),
        }
    }
    fn d_ds(&self, v: &[f64], _: f64, out: &mut [f64]) {
        let d = self.mu1 - self.mu0;
        out[0] = -d * v[1];
        out[1] = d * v[0];
    }
}

/// ż = (μ + iω)z − |z|²z.
struct Hopf {
    mu: f64,
    omega: f64,
}

impl System for Hopf {
    fn dim(&self) -> usize {
        2
    }

    fn rhs(&self, _t: f64, v: &[f64], out: &mut [f64]) {
        let (x, y) = (v[0], v[1]);
        let r2 = x * x + y * y;
        out[0] = self.mu * x - self.omega * y - r2 * x;
        out[1] = self.omega * x + self.mu * y - r2 * y;
    }
}

impl VectorField for Hopf {
    fn jacobian_matrix(&self, v: &[f64]) -> DMatrix<f64> {
        let (x, y) = (v[0], v[1]);
        let r2 = x * x + y * y;
        DMatrix::from_row_slice(
            2,
            2,
            &[
                self.mu - r2 - 2.0 * x * x,
                -self.omega - 2.0 * x * y,
                self.omega - 2.0 * x * y,
                self.mu - r2 - 2.0 * y * y,
            ],
        )
    }
}

struct HopfLine {
    mu0: f64,
    mu1: f64,
    omega: f64,
}

impl FieldFamily for HopfLine {
    type Field = Hopf;
    fn at(&self, s: f64) -> Hopf {
        Hopf {
            mu: self.mu0 + s * (self.mu1 - self.mu0),
            omega: self.omega,
        }
    }
    fn d_ds(&self, v: &[f64], _: f64, out: &mut [f64]) {
        let d = self.mu1 - self.mu0;
        out[0] = d * v[0];
        out[1] = d * v[1];
    }
}

fn grid_starts(half: f64, n: usize) -> Vec<Vec<f64>> {
    let mut s = Vec::new();
    for i in 0..n {
        for j in 0..n {
            let a = -half + 2.0 * half * i as f64 / (n - 1) as f64;
            let b = -half + 2.0 * half * j as f64 / (n - 1) as f64;
            s.push(vec![a + 1e-3, b + 2e-3]);
        }
    }
    s
}

#[test]
fn the_snic_fold_is_found_at_mu_1_with_the_period_diverging_as_an_inverse_square_root() {
    let (mu0, mu1) = (0.9, 1.1);
    let inputs: Vec<ScanInput<Snic>> = [(0, mu0), (1000, mu1)]
        .iter()
        .map(|&(epoch, mu)| ScanInput {
            epoch,
            field: Snic { mu },
            starts: grid_starts(1.3, 7),
            orbit_start: vec![0.0, -1.2],
        })
        .collect();
    let cfg = ContinuationConfig::default();
    let sc = scan(
        &inputs,
        |a: &Snic, b: &Snic| {
            Ok(SnicLine {
                mu0: a.mu,
                mu1: b.mu,
            })
        },
        &FixedPointConfig::default(),
        &cfg,
    )
    .unwrap();
    // Before: origin + node + saddle; after: the origin only, and the unit-circle cycle.
    assert_eq!(sc.checkpoints[0].fixed_points.len(), 3);
    assert_eq!(sc.checkpoints[1].fixed_points.len(), 1);
    assert!(sc.checkpoints[0].orbit.is_none());
    let orb = sc.checkpoints[1].orbit.as_ref().expect("cycle at μ = 1.1");
    let want = 2.0 * PI / (mu1 * mu1 - 1.0f64).sqrt();
    assert!(rel(orb.period, want) < 1e-6, "{} vs {want}", orb.period);
    assert_eq!(sc.events.len(), 1, "{:?}", sc.events);
    let e = &sc.events[0];
    assert_eq!(e.event.kind, EventKind::Snic);
    assert_eq!(e.event.direction, Direction::Creation);
    // μ = 1 at s = 0.5: epoch 500.
    assert!((e.event.s - 0.5).abs() < 1e-9, "s = {}", e.event.s);
    assert!((e.epoch - 500.0).abs() < 1e-6);
    assert!((e.event.x[0] - 1.0).abs() < 1e-4 && e.event.x[1].abs() < 1e-4);
    assert!(e.event.eigenvalue.unwrap().norm() < 1e-4);
    let g = e.event.period_exponent.expect("exponent");
    assert!((g - 0.5).abs() < 0.05, "period exponent {g}");
}

#[test]
fn the_fold_branch_turns_back_onto_the_saddle() {
    let fam = SnicLine { mu0: 0.9, mu1: 1.1 };
    let th = 0.9f64.acos();
    // Start at the node (θ = −acos 0.9 is stable for θ' = μ − cos θ), end at the saddle.
    let b =
        continue_fixed_point(&fam, &[th.cos(), -th.sin()], 0.0, 1.0, &Default::default()).unwrap();
    assert_eq!(b.end, BranchEnd::TurnedBack);
    assert!(b.points[0].point_type.is_stable());
    let last = b.points.last().unwrap();
    assert!(!last.point_type.is_stable());
    assert!((last.x[0] - 0.9).abs() < 1e-9 && (last.x[1] - th.sin()).abs() < 1e-9);
    assert_eq!(b.events.len(), 1);
    assert_eq!(b.events[0].direction, Direction::Annihilation);
    assert!((b.events[0].s - 0.5).abs() < 1e-9, "{}", b.events[0].s);
}

#[test]
fn the_hopf_point_and_the_cycle_born_there() {
    let omega = 1.7;
    let inputs: Vec<ScanInput<Hopf>> = [(0, -0.5), (200, 0.5)]
        .iter()
        .map(|&(epoch, mu)| ScanInput {
            epoch,
            field: Hopf { mu, omega },
            starts: vec![vec![0.01, -0.02], vec![0.3, 0.1]],
            orbit_start: vec![0.4, 0.0],
        })
        .collect();
    let cfg = ContinuationConfig::default();
    let sc = scan(
        &inputs,
        |a: &Hopf, b: &Hopf| {
            Ok(HopfLine {
                mu0: a.mu,
                mu1: b.mu,
                omega,
            })
        },
        &FixedPointConfig::default(),
        &cfg,
    )
    .unwrap();
    let orb = sc.checkpoints[1].orbit.as_ref().expect("cycle at μ = 0.5");
    assert!(rel(orb.period, 2.0 * PI / omega) < 1e-6);
    assert!(rel(orb.radius(), 0.5f64.sqrt()) < 1e-6);
    let radial = orb.leading_nontrivial().unwrap().norm();
    assert!(rel(radial, (-2.0 * 0.5 * orb.period).exp()) < 1e-6);
    assert_eq!(sc.events.len(), 1, "{:?}", sc.events);
    let e = &sc.events[0];
    assert_eq!(e.event.kind, EventKind::Hopf);
    assert_eq!(e.event.direction, Direction::Creation);
    assert_eq!(e.event.orbit_stable, Some(true));
    assert!((e.event.s - 0.5).abs() < 1e-9, "s = {}", e.event.s);
    assert!((e.epoch - 100.0).abs() < 1e-6);
    let l = e.event.eigenvalue.unwrap();
    assert!(l.re.abs() < 1e-9 && (l.im - omega).abs() < 1e-9, "{l}");
}

#[test]
fn the_hopf_orbit_shrinks_as_the_square_root_of_mu_along_its_branch() {
    let fam = HopfLine {
        mu0: 0.5,
        mu1: -0.5,
        omega: 1.0,
    };
    let start = find_orbit(&fam.at(0.0), &[0.5, 0.0], &OrbitConfig::default())
        .unwrap()
        .unwrap();
    let ob = continue_orbit(&fam, &start, 0.0, 1.0, &Default::default()).unwrap();
    assert!(matches!(ob.end, OrbitEnd::Lost { .. }));
    // Newton's tolerance ‖φ_T(x₀) − x₀‖ ≤ 1e-10 cannot tell a cycle from the slow spiral
    // of the weakly attracting focus once the radial decay per period, r³T, is below it
    // (r ≲ 2.5e-4, μ ≲ 6e-8): the law is checked where the cycle is resolved.
    for p in ob.points.iter().filter(|p| 0.5 - p.s > 1e-6) {
        let mu = 0.5 - p.s;
        assert!(
            rel(p.orbit.radius(), mu.sqrt()) < 1e-6,
            "s {} radius {}",
            p.s,
            p.orbit.radius()
        );
    }
    let last = ob.points.last().unwrap();
    assert!(last.s > 0.48, "orbit followed to μ = {}", 0.5 - last.s);
}

/// The ring network's origin: eigenvalues −1 + (ca/2)e^{±iψ}, so along c(s) = c₀ + s(c₁ − c₀)
/// the Hopf point is at c_H = 2/(a cos ψ) with frequency tan ψ.
fn ring_fields(nu: usize, a: f64, c: f64, psi: f64) -> (LowRankLatentField, TanhRnnField) {
    let (m, n) = ring_rank2(nu, a, c, psi);
    let latent = LowRankLatentField::new(2, m.clone(), n.clone(), vec![0.0; nu]).unwrap();
    let dense = TanhRnnField::new(rank2_dense(&m, &n), vec![0.0; nu]).unwrap();
    (latent, dense)
}

#[test]
fn a_ring_network_between_two_checkpoints_has_its_hopf_point_where_the_closed_form_says() {
    let (nu, a, psi) = (24, 1.5, 0.6f64);
    let (c0, c1) = (1.2, 2.4);
    let c_h = 2.0 / (a * psi.cos());
    let s_h = (c_h - c0) / (c1 - c0);
    let (l0, d0) = ring_fields(nu, a, c0, psi);
    let (l1, d1) = ring_fields(nu, a, c1, psi);
    let cfg = ContinuationConfig::default();
    // Latent 2-D flow.
    let lat = scan(
        &[
            ScanInput {
                epoch: 0,
                field: l0,
                starts: vec![vec![0.05, 0.02]],
                orbit_start: vec![0.3, 0.0],
            },
            ScanInput {
                epoch: 10,
                field: l1,
                starts: vec![vec![0.05, 0.02]],
                orbit_start: vec![0.3, 0.0],
            },
        ],
        |p, q| Segment::<LowRankLatentField>::new(p.clone(), q.clone()),
        &FixedPointConfig::default(),
        &cfg,
    )
    .unwrap();
    // The N-dimensional network with W = m n.
    let mut s0 = vec![0.0; nu];
    s0[0] = 0.05;
    s0[3] = -0.02;
    let o0: Vec<f64> = (0..nu)
        .map(|i| 0.3 * (2.0 * PI * i as f64 / nu as f64).cos())
        .collect();
    let full = scan(
        &[
            ScanInput {
                epoch: 0,
                field: d0,
                starts: vec![s0.clone()],
                orbit_start: o0.clone(),
            },
            ScanInput {
                epoch: 10,
                field: d1,
                starts: vec![s0],
                orbit_start: o0,
            },
        ],
        |p, q| Segment::<TanhRnnField>::new(p.clone(), q.clone()),
        &FixedPointConfig::default(),
        &cfg,
    )
    .unwrap();
    for (name, sc) in [("latent", &lat), ("full", &full)] {
        assert_eq!(sc.events.len(), 1, "{name}: {:?}", sc.events);
        let e = &sc.events[0].event;
        assert_eq!(e.kind, EventKind::Hopf, "{name}");
        assert_eq!(e.direction, Direction::Creation, "{name}");
        assert!((e.s - s_h).abs() < 1e-9, "{name}: s {} vs {s_h}", e.s);
        let l = e.eigenvalue.unwrap();
        assert!(
            l.re.abs() < 1e-9 && (l.im - psi.tan()).abs() < 1e-9,
            "{name}: {l}"
        );
        assert!((sc.events[0].epoch - 10.0 * s_h).abs() < 1e-8);
    }
    // The latent and the full network's cycles have the same period.
    let (pl, pf) = (
        lat.checkpoints[1].orbit.as_ref().unwrap().period,
        full.checkpoints[1].orbit.as_ref().unwrap().period,
    );
    assert!(rel(pf, pl) < 1e-8, "{pf} vs {pl}");
}

/// (s, x, out) ↦ a field or its s-derivative.
type Eval<'a> = &'a dyn Fn(f64, &[f64], &mut [f64]);

#[test]
fn segment_parameter_derivatives_match_central_differences() {
    let (nu, a, psi) = (7, 1.3, 0.4);
    let (l0, d0) = ring_fields(nu, a, 1.1, psi);
    // The second end differs in m, n and the bias.
    let (m, n) = ring_rank2(nu, 0.7, 2.9, -0.3);
    let b: Vec<f64> = (0..nu).map(|i| 0.1 * i as f64 - 0.2).collect();
    let l1 = LowRankLatentField::new(2, m.clone(), n.clone(), b.clone()).unwrap();
    let d1 = TanhRnnField::new(rank2_dense(&m, &n), b).unwrap();
    let lat = Segment::<LowRankLatentField>::new(l0, l1).unwrap();
    let full = Segment::<TanhRnnField>::new(d0, d1).unwrap();
    let check = |fam: Eval<'_>, ds: Eval<'_>, x: &[f64]| {
        let d = x.len();
        let (s, h) = (0.37, 1e-5);
        let (mut fp, mut fm, mut an) = (vec![0.0; d], vec![0.0; d], vec![0.0; d]);
        fam(s + h, x, &mut fp);
        fam(s - h, x, &mut fm);
        ds(s, x, &mut an);
        for i in 0..d {
            let num = (fp[i] - fm[i]) / (2.0 * h);
            assert!(
                (num - an[i]).abs() < 1e-8 * (1.0 + an[i].abs()),
                "{num} vs {}",
                an[i]
            );
        }
    };
    check(
        &|s, x, o| lat.at(s).eval(x, o),
        &|s, x, o| lat.d_ds(x, s, o),
        &[0.3, -0.7],
    );
    let x: Vec<f64> = (0..nu).map(|i| (i as f64).sin()).collect();
    check(
        &|s, x, o| full.at(s).eval(x, o),
        &|s, x, o| full.d_ds(x, s, o),
        &x,
    );
}
