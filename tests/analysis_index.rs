//! Tests of the spectral mechanism index (docs/mechanism-index.md).

use dynphase::analysis::index::{
    centred_frequency, index_from_signs, index_from_signs_fft2, mechanism_index, top2_pcs,
    top2_pcs_eigen, Mechanism,
};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Relative agreement; indices whose exact value is 0 (e.g. s with no power near DC) are
/// rounding noise of order 1e-30 or below in both paths, so an absolute floor of 1e-15 (far
/// below any index that matters) is added.
fn rel_close(a: f64, b: f64, tol: f64) -> bool {
    approx::relative_eq!(a, b, epsilon = 1e-15, max_relative = tol)
}

#[test]
fn spec_test_vector_n324_step_at_40() {
    // docs/mechanism-index.md: n = 324, P_t = (−1 if t < 40 else +1, 0) → s_t = sign(P_t1 − P_t2).
    let s: Vec<f64> = (0..324).map(|t| if t < 40 { -1.0 } else { 1.0 }).collect();
    let a = index_from_signs(&s);
    let b = index_from_signs_fft2(&s);
    assert!((a - 0.698385).abs() < 5e-7, "shortcut {a}");
    assert!((b - 0.698385).abs() < 5e-7, "fft2 {b}");
    assert!(rel_close(a, b, 1e-9));
}

#[test]
fn both_paths_agree_on_random_and_structured_signs() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for &n in &[1usize, 2, 3, 7, 16, 17, 100, 101, 144, 225] {
        // Random ±1/0.
        let s: Vec<f64> = (0..n)
            .map(|_| match rng.random_range(0..5u32) {
                0 => 0.0,
                1 | 2 => -1.0,
                _ => 1.0,
            })
            .collect();
        let (a, b) = (index_from_signs(&s), index_from_signs_fft2(&s));
        if s.iter().all(|&v| v == 0.0) {
            assert!(a.is_nan() && b.is_nan());
        } else {
            assert!(rel_close(a, b, 1e-9), "n={n}: {a} vs {b}");
        }
        // Structured: square waves of several periods and a single switch.
        for period in [2usize, 5, 12, 40] {
            let s: Vec<f64> = (0..n)
                .map(|t| if (t / period) % 2 == 0 { 1.0 } else { -1.0 })
                .collect();
            let (a, b) = (index_from_signs(&s), index_from_signs_fft2(&s));
            assert!(rel_close(a, b, 1e-9), "n={n} P={period}: {a} vs {b}");
        }
    }
}

#[test]
fn constant_signs_give_index_one_and_zero_signs_nan() {
    for n in [5usize, 64, 99] {
        for c in [1.0, -1.0] {
            let s = vec![c; n];
            // All power sits in the DC bin: index = 1 up to rounding of the DFT.
            assert!((index_from_signs(&s) - 1.0).abs() < 1e-12);
            assert!((index_from_signs_fft2(&s) - 1.0).abs() < 1e-12);
        }
        let z = vec![0.0; n];
        assert!(index_from_signs(&z).is_nan());
        assert_eq!(Mechanism::from_index(f64::NAN), Mechanism::SlowPoint);
    }
}

#[test]
fn fast_periodic_signs_give_index_near_zero() {
    // Alternating signs: all power at the Nyquist bin |k_c| = n/2, far outside the disk.
    let s: Vec<f64> = (0..200)
        .map(|t| if t % 2 == 0 { 1.0 } else { -1.0 })
        .collect();
    assert!(index_from_signs(&s) < 1e-20);
    // Period 8 over n = 216: power at |k_c| = 27 and odd harmonics; nothing at |k_c| ≤ 3.
    let s: Vec<f64> = (0..216)
        .map(|t| if (t / 4) % 2 == 0 { 1.0 } else { -1.0 })
        .collect();
    let i = index_from_signs(&s);
    assert!(i < 1e-20, "{i}");
    assert_eq!(Mechanism::from_index(i), Mechanism::LimitCycle);
}

#[test]
fn centred_frequencies_follow_fftshift() {
    // numpy: fftshift(fftfreq(5)*5) = [-2,-1,0,1,2]; fftshift(fftfreq(4)*4) = [-2,-1,0,1].
    let f5: Vec<i64> = (0..5).map(|k| centred_frequency(k, 5)).collect();
    assert_eq!(f5, vec![0, 1, 2, -2, -1]);
    let f4: Vec<i64> = (0..4).map(|k| centred_frequency(k, 4)).collect();
    assert_eq!(f4, vec![0, 1, -2, -1]);
}

fn random_rates(t: usize, n: usize, seed: u64) -> Vec<f64> {
    // Low-rank structure plus noise, so that the top two singular values are well separated.
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let a: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
    let b: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
    let mut f = Vec::with_capacity(t * n);
    for i in 0..t {
        let th = i as f64 * 0.37;
        for j in 0..n {
            f.push(
                3.0 * th.sin() * a[j]
                    + 1.5 * (0.5 * th).cos() * b[j]
                    + 0.1 * rng.random_range(-1.0..1.0),
            );
        }
    }
    f
}

#[test]
fn exact_pca_matches_eigen_decomposition_of_covariance() {
    for &(t, n, seed) in &[(200usize, 12usize, 1u64), (60, 100, 2), (5, 10, 3)] {
        let f = random_rates(t, n, seed);
        let (v, s) = top2_pcs(&f, t, n).unwrap();
        let (w, e) = top2_pcs_eigen(&f, t, n).unwrap();
        for k in 0..2 {
            assert!(
                rel_close(s[k] * s[k], e[k], 1e-9),
                "σ² {} vs λ {}",
                s[k] * s[k],
                e[k]
            );
            for j in 0..n {
                assert!((v[k][j] - w[k][j]).abs() < 1e-8, "t={t} n={n} k={k} j={j}");
            }
            // Sign convention: the largest-|.| loading is positive.
            let big = v[k]
                .iter()
                .copied()
                .fold(0.0f64, |m, x| if x.abs() > m.abs() { x } else { m });
            assert!(big > 0.0);
            let norm: f64 = v[k].iter().map(|x| x * x).sum();
            assert!((norm - 1.0).abs() < 1e-12);
        }
    }
}

#[test]
fn rotating_rates_are_lc_and_settling_rates_are_sp() {
    // Rates on a plane rotating with period 10 steps over 9·20 = 180 steps: LC.
    let (t, n) = (180usize, 6usize);
    let mut f = Vec::new();
    for i in 0..t {
        let th = 2.0 * std::f64::consts::PI * i as f64 / 10.0;
        f.extend_from_slice(&[
            th.cos(),
            th.sin(),
            0.5 * th.cos(),
            0.1,
            -0.2 * th.sin(),
            0.0,
        ]);
    }
    let r = mechanism_index(&f, t, n).unwrap();
    assert_eq!(r.label, Mechanism::LimitCycle, "index {}", r.index);
    assert!(r.index < 0.1);
    // Rates that move once and settle exponentially: SP.
    let mut g = Vec::new();
    for i in 0..t {
        let x = (-(i as f64) / 15.0).exp();
        g.extend_from_slice(&[x, 1.0 - x, 0.3 * x, 0.2, x * x, -x]);
    }
    let r = mechanism_index(&g, t, n).unwrap();
    assert_eq!(r.label, Mechanism::SlowPoint, "index {}", r.index);
}

#[test]
fn malformed_rate_matrices_are_errors() {
    assert!(mechanism_index(&[1.0, 2.0, 3.0], 2, 2).is_err());
    assert!(mechanism_index(&[1.0, f64::NAN, 3.0, 4.0], 2, 2).is_err());
    assert!(mechanism_index(&[1.0, 2.0], 2, 1).is_err());
    assert!(mechanism_index(&[], 0, 2).is_err());
}
