//! Out-of-trial dynamics, rank-2 rotation labels and the Fig 3C statistics.

use dynphase::analysis::field::{euler_rollout, TanhRnnField};
use dynphase::analysis::index::Mechanism;
use dynphase::analysis::out_of_trial::{out_of_trial, Asymptote, OutOfTrialConfig};
use dynphase::analysis::rank2::rank2_rotation;
use dynphase::analysis::stats::{bonferroni, fisher_exact_two_sided, stars};

fn rotation_field(g: f64, a: f64) -> TanhRnnField {
    TanhRnnField::new(
        vec![g * a.cos(), -g * a.sin(), g * a.sin(), g * a.cos()],
        vec![0.0; 2],
    )
    .unwrap()
}

/// Mean spacing of upward zero crossings of a zero-mean signal (linear interpolation) — an
/// estimate of the period independent of the autocorrelation used by the library.
fn zero_crossing_period(y: &[f64]) -> f64 {
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let mut cross = Vec::new();
    for t in 1..y.len() {
        let (a, b) = (y[t - 1] - mean, y[t] - mean);
        if a < 0.0 && b >= 0.0 {
            cross.push(t as f64 - 1.0 + a / (a - b));
        }
    }
    (cross[cross.len() - 1] - cross[0]) / (cross.len() - 1) as f64
}

#[test]
fn rotation_network_oscillates_with_the_zero_crossing_period() {
    for &(g, a, alpha) in &[
        (2.0, std::f64::consts::FRAC_PI_4, 0.5),
        (1.5, 1.0, 0.5),
        (2.0, 0.6, 0.1),
    ] {
        let f = rotation_field(g, a);
        let cfg = OutOfTrialConfig::default();
        let (res, traj) = out_of_trial(&f, &[0.01, 0.0], alpha, &cfg).unwrap();
        assert_eq!(
            res.asymptote,
            Asymptote::Oscillating,
            "g={g} a={a}: {res:?}"
        );
        assert_eq!(res.label, Mechanism::LimitCycle);
        let tail: Vec<f64> = traj[2 * (cfg.steps - cfg.tail)..]
            .iter()
            .step_by(2)
            .copied()
            .collect();
        let zc = zero_crossing_period(&tail);
        let p = res.period_steps.unwrap();
        assert!((p - zc).abs() < 0.01 * zc, "acf {p} vs zero crossings {zc}");
        let sp = res.spectral_period_steps.unwrap();
        assert!((sp - zc).abs() < 0.02 * zc, "spectral {sp} vs {zc}");
        // Amplitude: half the peak-to-peak range along the first principal axis; on a circle-like
        // cycle this is close to the RMS radius times √2 / √2... check against max |x| bounds.
        let rmax = tail.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(res.amplitude > 0.5 * rmax && res.amplitude < 1.5 * rmax);
        assert_eq!(res.period_ms(5.0), Some(p * 5.0));
    }
}

#[test]
fn contracting_network_settles_at_its_fixed_point() {
    // J(0) = −I + 0.5 R(a): eigenvalues −1 + 0.5 e^{±ia}, a stable focus at the origin.
    let f = rotation_field(0.5, 1.0);
    let (res, _) = out_of_trial(&f, &[0.8, -0.3], 0.5, &OutOfTrialConfig::default()).unwrap();
    assert_eq!(res.asymptote, Asymptote::Settled);
    assert_eq!(res.label, Mechanism::SlowPoint);
    assert!(res.period_steps.is_none());
    assert!(res.final_state.iter().all(|v| v.abs() < 1e-12));
}

#[test]
fn rollout_is_the_networks_own_update() {
    // x_{t+1} = (1 − α) x_t + α tanh(W x_t + b), written out by hand.
    let f = TanhRnnField::new(vec![0.3, -1.2, 0.9, 0.1], vec![0.2, -0.1]).unwrap();
    let traj = euler_rollout(&f, &[0.5, -0.5], 0.5, 3);
    let mut x = [0.5f64, -0.5];
    for t in 0..3 {
        let h0 = (0.3 * x[0] - 1.2 * x[1] + 0.2).tanh();
        let h1 = (0.9 * x[0] + 0.1 * x[1] - 0.1).tanh();
        x = [0.5 * x[0] + 0.5 * h0, 0.5 * x[1] + 0.5 * h1];
        assert!((traj[2 * t] - x[0]).abs() < 1e-15 && (traj[2 * t + 1] - x[1]).abs() < 1e-15);
    }
}

#[test]
fn rank2_rotation_criterion() {
    let total = 10;
    let circle: Vec<[f64; 2]> = (0..3 * total)
        .map(|t| {
            let th = 2.0 * std::f64::consts::PI * t as f64 / 10.0;
            [1.0 + th.cos(), -2.0 + th.sin()]
        })
        .collect();
    let r = rank2_rotation(&circle, total).unwrap();
    // 20 steps = two full turns at 2π/10 per step, so c is the centre: 19 increments of 2π/10.
    assert!((r.max_dtheta - 19.0 * 2.0 * std::f64::consts::PI / 10.0).abs() < 1e-9);
    assert!(r.is_lc);
    // A rotation that collapses to radius 1e-3 half way: still turns (≥ 2π about c = 0), but
    // the late RMS is 1e-3 against √((10 + 10·1e-6)/20) ≈ 0.707 overall → ratio ≈ 0.0014: not LC.
    let collapse: Vec<[f64; 2]> = (0..3 * total)
        .map(|t| {
            let th = 2.0 * std::f64::consts::PI * t as f64 / 10.0;
            let rr = if t < 2 * total { 1.0 } else { 1e-3 };
            [rr * th.cos(), rr * th.sin()]
        })
        .collect();
    let s = rank2_rotation(&collapse, total).unwrap();
    let want_ratio = 1e-3 / ((10.0 + 10.0 * 1e-6) / 20.0f64).sqrt();
    assert!(s.max_dtheta >= 2.0 * std::f64::consts::PI, "{s:?}");
    assert!(
        (s.late_rms_ratio - want_ratio).abs() < 1e-9 && !s.is_lc,
        "{s:?}"
    );
    // A point moving on a straight line never turns.
    let line: Vec<[f64; 2]> = (0..3 * total).map(|t| [t as f64, 0.5 * t as f64]).collect();
    assert!(!rank2_rotation(&line, total).unwrap().is_lc);
    assert!(rank2_rotation(&line[..5], total).is_err());
}

#[test]
fn fisher_exact_matches_hand_computed_tables() {
    // [[8, 2], [1, 5]]: margins 10/6 and 9/7, n = 16, C(16, 9) = 11440. For a = 3…9 the
    // numerators C(10, a) C(6, 9 − a) are 120, 1260, 3780, 4200, 1800, 270, 10. Observed a = 8
    // (270); tables no more likely: 120 + 270 + 10 = 400 → p = 400/11440 = 0.0349650…
    // (scipy.stats.fisher_exact gives 0.03496503496503495).
    let p = fisher_exact_two_sided(8, 2, 1, 5);
    assert!((p - 400.0 / 11440.0).abs() < 1e-12, "{p}");
    // Lady tasting tea [[3, 1], [1, 3]]: probabilities 1, 16, 36, 16, 1 over 70 → p = 34/70.
    assert!((fisher_exact_two_sided(3, 1, 1, 3) - 34.0 / 70.0).abs() < 1e-12);
    // Symmetric table: p = 1.
    assert!((fisher_exact_two_sided(5, 5, 5, 5) - 1.0).abs() < 1e-12);
    // [[20, 0], [5, 15]]: extreme; p = 2·C(20,0)... one-sided tail C(20,20)C(20,5)/C(40,25)
    // and the mirror table [[5, 15], [20, 0]] has the same probability; p = 2·15504/40225345056.
    let want = 2.0 * 15504.0 / 40225345056.0;
    let p = fisher_exact_two_sided(20, 0, 5, 15);
    assert!((p - want).abs() < 1e-9 * want, "{p} vs {want}");
    assert_eq!(bonferroni(0.01, 8), 0.08);
    assert_eq!(bonferroni(0.5, 8), 1.0);
    assert_eq!(stars(0.0009), "***");
    assert_eq!(stars(0.009), "**");
    assert_eq!(stars(0.049), "*");
    assert_eq!(stars(0.05), "ns");
}
