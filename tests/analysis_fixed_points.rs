//! Fixed/slow points and Jacobian spectra on fields with known answers.

use dynphase::analysis::field::{LowRankLatentField, TanhRnnField, VectorField};
use dynphase::analysis::fixed_points::{
    find_critical_points, FixedPointConfig, PointKind, PointType,
};
use nalgebra::{DMatrix, SymmetricEigen};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rustfft::num_complex::Complex;

fn random_starts(d: usize, k: usize, scale: f64, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..k)
        .map(|_| (0..d).map(|_| rng.random_range(-scale..scale)).collect())
        .collect()
}

fn sorted(mut e: Vec<Complex<f64>>) -> Vec<Complex<f64>> {
    e.sort_by(|a, b| b.re.total_cmp(&a.re).then(b.im.total_cmp(&a.im)));
    e
}

#[test]
fn zero_weights_single_stable_node_at_tanh_b() {
    let n = 20;
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let b: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
    let f = TanhRnnField::new(vec![0.0; n * n], b.clone()).unwrap();
    let pts = find_critical_points(
        &f,
        &random_starts(n, 12, 1.0, 1),
        &FixedPointConfig::default(),
    )
    .unwrap();
    assert_eq!(pts.len(), 1, "{pts:?}");
    let p = &pts[0];
    assert_eq!(p.kind, PointKind::Fixed);
    assert_eq!(p.point_type, PointType::StableNode);
    for (i, bi) in b.iter().enumerate() {
        assert!((p.x[i] - bi.tanh()).abs() < 1e-12);
    }
    for e in &p.eigenvalues {
        assert!((e.re + 1.0).abs() < 1e-12 && e.im.abs() < 1e-12);
    }
    assert_eq!(p.hits, 24);
}

#[test]
fn linear_regime_spectrum_is_eig_w_minus_one() {
    // b = 0 → the origin is a fixed point with J = −I + W (tanh'(0) = 1).
    let n = 30;
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let w: Vec<f64> = (0..n * n)
        .map(|_| rng.random_range(-1.0..1.0) * 0.3 / (n as f64).sqrt())
        .collect();
    let f = TanhRnnField::new(w.clone(), vec![0.0; n]).unwrap();
    let pts = find_critical_points(
        &f,
        &random_starts(n, 8, 0.5, 2),
        &FixedPointConfig::default(),
    )
    .unwrap();
    assert_eq!(pts.len(), 1);
    let p = &pts[0];
    assert!(p.x.iter().all(|v| v.abs() < 1e-12));
    assert!(p.point_type.is_stable());
    // Independent: eigenvalues of W itself, shifted by −1.
    let wm = DMatrix::from_row_slice(n, n, &w);
    let want = sorted(
        wm.complex_eigenvalues()
            .iter()
            .map(|l| Complex::new(l.re - 1.0, l.im))
            .collect(),
    );
    for (a, b) in p.eigenvalues.iter().zip(&want) {
        assert!((a - b).norm() < 1e-10, "{a} vs {b}");
    }

    // Symmetric W: compare with the symmetric eigen-solver (a different algorithm).
    let ws: Vec<f64> = (0..n * n)
        .map(|k| {
            let (i, j) = (k / n, k % n);
            0.5 * (w[i * n + j] + w[j * n + i])
        })
        .collect();
    let f = TanhRnnField::new(ws.clone(), vec![0.0; n]).unwrap();
    let pts = find_critical_points(
        &f,
        &random_starts(n, 4, 0.5, 4),
        &FixedPointConfig::default(),
    )
    .unwrap();
    let mut want: Vec<f64> = SymmetricEigen::new(DMatrix::from_row_slice(n, n, &ws))
        .eigenvalues
        .iter()
        .map(|l| l - 1.0)
        .collect();
    want.sort_by(|a, b| b.total_cmp(a));
    for (a, b) in pts[0].eigenvalues.iter().zip(&want) {
        assert!((a.re - b).abs() < 1e-10 && a.im.abs() < 1e-10);
    }
}

#[test]
fn rotation_network_has_a_single_unstable_focus() {
    // W = g R(a): J(0) = −I + g R(a), eigenvalues −1 + g cos a ± i g sin a.
    let (g, a) = (2.0f64, std::f64::consts::FRAC_PI_4);
    let w = vec![g * a.cos(), -g * a.sin(), g * a.sin(), g * a.cos()];
    let f = TanhRnnField::new(w, vec![0.0, 0.0]).unwrap();
    let pts = find_critical_points(
        &f,
        &random_starts(2, 20, 1.0, 5),
        &FixedPointConfig::default(),
    )
    .unwrap();
    let fixed: Vec<_> = pts.iter().filter(|p| p.kind == PointKind::Fixed).collect();
    assert_eq!(fixed.len(), 1, "{pts:?}");
    let p = fixed[0];
    assert!(p.x.iter().all(|v| v.abs() < 1e-12));
    assert_eq!(p.point_type, PointType::UnstableFocus);
    let re = -1.0 + g * a.cos();
    let im = g * a.sin();
    assert!((p.eigenvalues[0] - Complex::new(re, im)).norm() < 1e-12);
    assert!((p.eigenvalues[1] - Complex::new(re, -im)).norm() < 1e-12);
}

/// Root of x = tanh(w x) with x > 0 (w > 1), by bisection — independent of the finder.
fn tanh_root(w: f64) -> f64 {
    let (mut lo, mut hi) = (1e-6, 1.0);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if (w * mid).tanh() - mid > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[test]
fn decoupled_bistable_network_has_saddle_and_two_stable_nodes() {
    // W = diag(2, 0.5), b = 0: x₂ → 0; x₁ ∈ {0, ±x*}, x* = tanh(2x*).
    let f = TanhRnnField::new(vec![2.0, 0.0, 0.0, 0.5], vec![0.0, 0.0]).unwrap();
    let pts = find_critical_points(
        &f,
        &random_starts(2, 30, 1.5, 6),
        &FixedPointConfig::default(),
    )
    .unwrap();
    let fixed: Vec<_> = pts.iter().filter(|p| p.kind == PointKind::Fixed).collect();
    assert_eq!(fixed.len(), 3, "{fixed:?}");
    let xs = tanh_root(2.0);
    let lam = -1.0 + 2.0 * (1.0 - xs * xs);
    let mut seen = [false; 3];
    for p in fixed {
        assert!(p.x[1].abs() < 1e-12);
        if p.x[0].abs() < 1e-9 {
            seen[0] = true;
            assert_eq!(
                p.point_type,
                PointType::Saddle {
                    unstable_dim: 1,
                    oscillatory: false
                }
            );
            assert!((p.eigenvalues[0].re - 1.0).abs() < 1e-12);
            assert!((p.eigenvalues[1].re + 0.5).abs() < 1e-12);
        } else {
            seen[if p.x[0] > 0.0 { 1 } else { 2 }] = true;
            assert!((p.x[0].abs() - xs).abs() < 1e-10);
            assert_eq!(p.point_type, PointType::StableNode);
            // Eigenvalues −1 + 2(1 − x*²) and −1 + 0.5.
            let mut re: Vec<f64> = p.eigenvalues.iter().map(|e| e.re).collect();
            re.sort_by(|a, b| a.total_cmp(b));
            let mut want = [lam, -0.5];
            want.sort_by(|a, b| a.total_cmp(b));
            assert!((re[0] - want[0]).abs() < 1e-10 && (re[1] - want[1]).abs() < 1e-10);
        }
    }
    assert!(seen.iter().all(|&s| s));
}

#[test]
fn ghost_beyond_saddle_node_is_a_slow_point() {
    // F(x) = −x + tanh(2x + b). F'(x) = 0 where tanh²(2x + b) = 1/2, i.e. 2x + b = ±u with
    // u = atanh(1/√2). At 2x + b = +u, F = −(u − b)/2 + 1/√2, which vanishes at the saddle-node
    // b_c = u − √2 ≈ −0.5328. For b = −0.6 (just beyond it) that tangency is a ghost: a local
    // minimum of q with F ≠ 0, at x_g = (u − b)/2, speed |F(x_g)| ≈ 0.0336.
    let b = -0.6;
    let u = (1.0f64 / 2f64.sqrt()).atanh();
    let xg = (u - b) / 2.0;
    let fg = -xg + u.tanh();
    let f = TanhRnnField::new(vec![2.0], vec![b]).unwrap();
    let starts: Vec<Vec<f64>> = (0..21).map(|i| vec![-1.0 + 0.1 * i as f64]).collect();
    let pts = find_critical_points(&f, &starts, &FixedPointConfig::default()).unwrap();
    let slow: Vec<_> = pts.iter().filter(|p| p.kind == PointKind::Slow).collect();
    let fixed: Vec<_> = pts.iter().filter(|p| p.kind == PointKind::Fixed).collect();
    assert_eq!(fixed.len(), 1);
    assert!(fixed[0].x[0] < 0.0 && fixed[0].point_type == PointType::StableNode);
    assert_eq!(slow.len(), 1, "{pts:?}");
    assert!((slow[0].x[0] - xg).abs() < 1e-6, "{} vs {xg}", slow[0].x[0]);
    assert!((slow[0].speed - fg.abs()).abs() < 1e-10);
    // The Jacobian is singular at a 1-D ghost: eigenvalue 0.
    assert!(slow[0].eigenvalues[0].re.abs() < 1e-5);
}

fn fd_jacobian<V: VectorField>(f: &V, x: &[f64]) -> DMatrix<f64> {
    let d = f.dim();
    let h = 1e-6;
    let mut j = DMatrix::zeros(d, d);
    for c in 0..d {
        let (mut xp, mut xm) = (x.to_vec(), x.to_vec());
        xp[c] += h;
        xm[c] -= h;
        let (mut fp, mut fm) = (vec![0.0; d], vec![0.0; d]);
        f.eval(&xp, &mut fp);
        f.eval(&xm, &mut fm);
        for r in 0..d {
            j[(r, c)] = (fp[r] - fm[r]) / (2.0 * h);
        }
    }
    j
}

#[test]
fn analytic_jacobians_and_gradients_match_central_differences() {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let n = 15;
    let w: Vec<f64> = (0..n * n).map(|_| rng.random_range(-0.5..0.5)).collect();
    let b: Vec<f64> = (0..n).map(|_| rng.random_range(-0.5..0.5)).collect();
    let full = TanhRnnField::new(w, b).unwrap();
    let m: Vec<f64> = (0..n * 2).map(|_| rng.random_range(-1.0..1.0)).collect();
    let nn: Vec<f64> = (0..2 * n).map(|_| rng.random_range(-1.0..1.0)).collect();
    let bb: Vec<f64> = (0..n).map(|_| rng.random_range(-0.3..0.3)).collect();
    let lat = LowRankLatentField::new(2, m, nn, bb).unwrap();
    let x: Vec<f64> = (0..n).map(|_| rng.random_range(-0.8..0.8)).collect();
    let k = [0.4, -0.7];
    for (jac, fd) in [
        (full.jacobian_matrix(&x), fd_jacobian(&full, &x)),
        (lat.jacobian_matrix(&k), fd_jacobian(&lat, &k)),
    ] {
        assert!((jac - fd).amax() < 1e-8);
    }
    // Specialised ∇q = Jᵀ F of the full field against Jᵀ F formed explicitly.
    let mut g = vec![0.0; n];
    let q = full.q_and_grad(&x, &mut g);
    let mut fx = vec![0.0; n];
    full.eval(&x, &mut fx);
    let want = full.jacobian_matrix(&x).transpose() * nalgebra::DVector::from_vec(fx.clone());
    assert!((q - 0.5 * fx.iter().map(|v| v * v).sum::<f64>()).abs() < 1e-15);
    for i in 0..n {
        assert!((g[i] - want[i]).abs() < 1e-13);
    }
}

#[test]
fn latent_field_of_rank_one_loop_matches_scalar_network() {
    // Rank 1 with m = u, n = w uᵀ/‖u‖² on N units collapses to κ̇ = −κ + (w/‖u‖²) Σ u_i tanh(u_i κ).
    // With u_i = 1 for all i and n_i = w/N this is κ̇ = −κ + w tanh(κ): fixed points 0 and ±x*.
    let n = 10;
    let w = 2.0;
    let lat =
        LowRankLatentField::new(1, vec![1.0; n], vec![w / n as f64; n], vec![0.0; n]).unwrap();
    let starts: Vec<Vec<f64>> = (0..9).map(|i| vec![-2.0 + 0.5 * i as f64]).collect();
    let pts = find_critical_points(&lat, &starts, &FixedPointConfig::default()).unwrap();
    let mut xs: Vec<f64> = pts.iter().map(|p| p.x[0]).collect();
    xs.sort_by(|a, b| a.total_cmp(b));
    // κ = w tanh(κ) ⇔ κ/w = tanh(κ): with y = κ/w, y = tanh(w y).
    let y = tanh_root(w) * w;
    assert_eq!(xs.len(), 3);
    assert!((xs[0] + y).abs() < 1e-9 && xs[1].abs() < 1e-12 && (xs[2] - y).abs() < 1e-9);
}

#[test]
fn bad_inputs_are_errors() {
    assert!(TanhRnnField::new(vec![1.0; 3], vec![0.0; 2]).is_err());
    assert!(TanhRnnField::new(vec![f64::NAN], vec![0.0]).is_err());
    assert!(LowRankLatentField::new(2, vec![0.0; 3], vec![0.0; 4], vec![0.0; 2]).is_err());
    let f = TanhRnnField::new(vec![0.0; 4], vec![0.0; 2]).unwrap();
    assert!(find_critical_points(&f, &[], &FixedPointConfig::default()).is_err());
    assert!(find_critical_points(&f, &[vec![0.0; 3]], &FixedPointConfig::default()).is_err());
}
