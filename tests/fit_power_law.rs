//! Power-law fit: textbook standard error, exact recovery, CI coverage, Monte-Carlo band.

use dynphase::fit::{fit_power_law, power_law_band};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

#[test]
fn exact_data_recovered_for_several_exponents() {
    for &beta in &[0.38, 2.72, 4.05] {
        let x: Vec<f64> = (0..15)
            .map(|i| 30.0 * 10f64.powf(i as f64 / 14.0))
            .collect();
        let y: Vec<f64> = x.iter().map(|v| 0.7 * v.powf(-beta)).collect();
        let f = fit_power_law(&x, &y).unwrap();
        assert!((f.beta - beta).abs() < 1e-12, "{beta}: {}", f.beta);
        assert!((f.intercept - 0.7f64.ln()).abs() < 1e-10);
        assert!(f.se < 1e-10 && (f.r2 - 1.0).abs() < 1e-12 && f.p < 1e-12);
        assert_eq!(f.n, 15);
    }
}

#[test]
fn standard_error_equals_matrix_formula() {
    // Independent computation: s^2 (X^T X)^{-1} with X = [ln x, 1], explicit 2x2 inverse.
    let x = [32.0, 45.0, 61.0, 80.0, 102.0, 150.0, 205.0, 290.0];
    let y = [0.31, 0.12, 0.071, 0.029, 0.018, 0.0049, 0.0023, 0.00081];
    let f = fit_power_law(&x, &y).unwrap();
    let u: Vec<f64> = x.iter().map(|v: &f64| v.ln()).collect();
    let v: Vec<f64> = y.iter().map(|v: &f64| v.ln()).collect();
    let n = u.len() as f64;
    let (s_uu, s_u, s_uv, s_v) = (
        u.iter().map(|a| a * a).sum::<f64>(),
        u.iter().sum::<f64>(),
        u.iter().zip(&v).map(|(a, b)| a * b).sum::<f64>(),
        v.iter().sum::<f64>(),
    );
    let det = s_uu * n - s_u * s_u;
    let slope = (n * s_uv - s_u * s_v) / det;
    let icpt = (s_uu * s_v - s_u * s_uv) / det;
    let sse: f64 = u
        .iter()
        .zip(&v)
        .map(|(a, b)| (b - slope * a - icpt).powi(2))
        .sum();
    let s2 = sse / (n - 2.0);
    let se_slope = (s2 * n / det).sqrt();
    let se_icpt = (s2 * s_uu / det).sqrt();
    assert!((f.slope - slope).abs() < 1e-12);
    assert!(
        (f.se - se_slope).abs() < 1e-12 * se_slope.max(1.0),
        "{} {}",
        f.se,
        se_slope
    );
    assert!((f.se_intercept - se_icpt).abs() < 1e-10);
    assert!((f.cov_slope_intercept - (-s2 * s_u / det)).abs() < 1e-12);
    // t quantile for 6 dof at 0.975 is 2.446912 (tables).
    let half = f.ci95.1 - f.beta;
    assert!((half / f.se - 2.446912).abs() < 1e-5);
}

#[test]
fn ci95_covers_true_exponent_at_nominal_rate() {
    // Log-normal noise makes the t interval exact, so the true coverage is 0.95. With 2000
    // data sets the binomial s.d. of the observed fraction is sqrt(0.95 * 0.05 / 2000) =
    // 0.0049, so [0.93, 0.97] is a +-4 s.d. window.
    let beta = 2.72;
    let x: Vec<f64> = (0..12)
        .map(|i| 30.0 * 10f64.powf(i as f64 / 11.0))
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let sets = 2000;
    let mut covered = 0;
    for _ in 0..sets {
        let y: Vec<f64> = x
            .iter()
            .map(|v| {
                let e: f64 = rng.sample(StandardNormal);
                2.0 * v.powf(-beta) * (0.3 * e).exp()
            })
            .collect();
        let f = fit_power_law(&x, &y).unwrap();
        if f.ci95.0 <= beta && beta <= f.ci95.1 {
            covered += 1;
        }
    }
    let frac = covered as f64 / sets as f64;
    println!("coverage of the 95% CI: {frac}");
    assert!((0.93..=0.97).contains(&frac), "coverage {frac}");
}

#[test]
fn monte_carlo_band_matches_normal_quantiles_and_is_seeded() {
    let x = [32.0, 45.0, 61.0, 80.0, 102.0, 150.0, 205.0, 290.0];
    let y = [0.31, 0.12, 0.071, 0.029, 0.018, 0.0049, 0.0023, 0.00081];
    let f = fit_power_law(&x, &y).unwrap();
    let b = power_law_band(&f, 32.0, 290.0, 7).unwrap();
    assert_eq!(b.x.len(), 100);
    assert!((b.x[0] - 32.0).abs() < 1e-9 && (b.x[99] - 290.0).abs() < 1e-9);
    for i in 0..100 {
        let u = b.x[i].ln();
        // Exact s.d. of B u + C under N(popt, pcov).
        let sd = (f.se.powi(2) * u * u + 2.0 * u * f.cov_slope_intercept + f.se_intercept.powi(2))
            .sqrt();
        let hi = b.y_high[i].ln() - b.y_fit[i].ln();
        let lo = b.y_fit[i].ln() - b.y_low[i].ln();
        // 1000 draws: the empirical 97.5 % quantile is within ~10 % of 1.96 sd.
        assert!(
            (hi / (1.96 * sd) - 1.0).abs() < 0.12,
            "i {i}: {hi} vs {}",
            1.96 * sd
        );
        assert!(
            (lo / (1.96 * sd) - 1.0).abs() < 0.12,
            "i {i}: {lo} vs {}",
            1.96 * sd
        );
        assert!(b.y_low[i] < b.y_fit[i] && b.y_fit[i] < b.y_high[i]);
    }
    assert_eq!(b, power_law_band(&f, 32.0, 290.0, 7).unwrap());
    assert_ne!(b, power_law_band(&f, 32.0, 290.0, 8).unwrap());
    assert!(power_law_band(&f, -1.0, 290.0, 7).is_err());
}
