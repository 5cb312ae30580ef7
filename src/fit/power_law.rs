//! Power-law fits y = C x^(-beta) by ordinary least squares in log-log coordinates (docs/fits.md).

use crate::{Error, Result};

/// Result of a log-log OLS fit `ln y = B ln x + C`, reported as `beta = -B`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PowerLawFit {
    /// Exponent `beta = -slope`.
    pub beta: f64,
    /// OLS standard error of the slope (n - 2 degrees of freedom).
    pub se: f64,
    /// Slope `B` of `ln y` against `ln x`.
    pub slope: f64,
    /// Intercept `C` (so that `y = exp(C) x^B`).
    pub intercept: f64,
    /// Standard error of the intercept.
    pub se_intercept: f64,
    /// Covariance of (slope, intercept).
    pub cov_slope_intercept: f64,
    /// Coefficient of determination `r^2`.
    pub r2: f64,
    /// Two-sided p-value of the slope t-test (H0: slope = 0).
    pub p: f64,
    /// 95 % confidence interval of `beta` (Student t, n - 2 dof).
    pub ci95: (f64, f64),
    /// Number of points used.
    pub n: usize,
}

/// Fit `ln y = B ln x + C` by OLS and report `beta = -B` with its uncertainty.
///
/// Requires at least three points with `x > 0`, `y > 0`, all finite, and not all `x` equal.
pub fn fit_power_law(x: &[f64], y: &[f64]) -> Result<PowerLawFit> {
    if x.len() != y.len() {
        return Err(Error::invalid(
            "data",
            format!("x has {} values but y has {}", x.len(), y.len()),
        ));
    }
    for (i, (&xi, &yi)) in x.iter().zip(y).enumerate() {
        if !(xi.is_finite() && xi > 0.0 && yi.is_finite() && yi > 0.0) {
            return Err(Error::invalid(
                "data",
                format!("point {i} ({xi}, {yi}) is not finite and positive"),
            ));
        }
    }
    let lx: Vec<f64> = x.iter().map(|v| v.ln()).collect();
    let ly: Vec<f64> = y.iter().map(|v| v.ln()).collect();
    ols(&lx, &ly)
}

/// Ordinary least squares `v = B u + C` with the textbook uncertainties; `beta = -B`.
pub fn ols(u: &[f64], v: &[f64]) -> Result<PowerLawFit> {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    let n = u.len();
    if n < 3 || v.len() != n {
        return Err(Error::invalid(
            "data",
            format!("a regression needs at least 3 points, got {n}"),
        ));
    }
    let nf = n as f64;
    let mu = u.iter().sum::<f64>() / nf;
    let mv = v.iter().sum::<f64>() / nf;
    let sxx: f64 = u.iter().map(|a| (a - mu) * (a - mu)).sum();
    let syy: f64 = v.iter().map(|b| (b - mv) * (b - mv)).sum();
    let sxy: f64 = u.iter().zip(v).map(|(a, b)| (a - mu) * (b - mv)).sum();
    if sxx <= 0.0 || !sxx.is_finite() {
        return Err(Error::numerical("power-law fit", "all x values are equal"));
    }
    let slope = sxy / sxx;
    let intercept = mv - slope * mu;
    let sse: f64 = u
        .iter()
        .zip(v)
        .map(|(a, b)| {
            let e = b - (slope * a + intercept);
            e * e
        })
        .sum();
    let dof = nf - 2.0;
    let s2 = sse / dof;
    let se = (s2 / sxx).sqrt();
    let se_intercept = (s2 * (1.0 / nf + mu * mu / sxx)).sqrt();
    let cov_slope_intercept = -mu * s2 / sxx;
    let r2 = if syy > 0.0 {
        sxy * sxy / (sxx * syy)
    } else {
        1.0
    };
    let t_dist = StudentsT::new(0.0, 1.0, dof)
        .map_err(|e| Error::numerical("power-law fit", e.to_string()))?;
    let p = if se > 0.0 {
        2.0 * (1.0 - t_dist.cdf((slope / se).abs()))
    } else {
        0.0
    };
    let tq = t_dist.inverse_cdf(0.975);
    let beta = -slope;
    Ok(PowerLawFit {
        beta,
        se,
        slope,
        intercept,
        se_intercept,
        cov_slope_intercept,
        r2,
        p,
        ci95: (beta - tq * se, beta + tq * se),
        n,
    })
}

/// Monte-Carlo 95 % band of a power-law fit (docs/fits.md), in the original (not log) units.
#[derive(Debug, Clone, PartialEq)]
pub struct PowerLawBand {
    /// Abscissae `x = exp(u)` for `u` = 100 points of linspace(min ln x, max ln x).
    pub x: Vec<f64>,
    /// Best-fit line `exp(C) x^B`.
    pub y_fit: Vec<f64>,
    /// Exponentiated 2.5th percentile of `B u + C` over the draws.
    pub y_low: Vec<f64>,
    /// Exponentiated 97.5th percentile of `B u + C` over the draws.
    pub y_high: Vec<f64>,
}

/// Number of Monte-Carlo draws of the band (docs/fits.md).
pub const BAND_DRAWS: usize = 1000;
/// Number of evaluation points of the band (docs/fits.md).
pub const BAND_POINTS: usize = 100;

/// Percentile `q` in [0, 100] of `v` with linear interpolation between order statistics
/// (numpy's default `method="linear"`): position `(n - 1) q / 100` in the sorted data.
pub fn percentile(v: &[f64], q: f64) -> f64 {
    let mut s: Vec<f64> = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    percentile_sorted(&s, q)
}

/// [`percentile`] of already sorted data.
pub fn percentile_sorted(s: &[f64], q: f64) -> f64 {
    if s.is_empty() {
        return f64::NAN;
    }
    let pos = (s.len() - 1) as f64 * q / 100.0;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(s.len() - 1);
    let frac = pos - lo as f64;
    s[lo] + (s[hi] - s[lo]) * frac
}

/// Seeded Monte-Carlo confidence band of `y = exp(C) x^B` (docs/fits.md; docs/decisions.md, "Seeded Monte-Carlo band").
///
/// Draws [`BAND_DRAWS`] pairs `(B, C)` from the bivariate normal `N(popt, pcov)` of the OLS fit
/// (`pcov` from `se`, `se_intercept`, `cov_slope_intercept`) with a `ChaCha8Rng` seeded by
/// `seed`, evaluates `B u + C` on [`BAND_POINTS`] points `u` of linspace(min ln x, max ln x),
/// takes the 2.5 / 97.5 percentiles at each `u` (linear interpolation) and exponentiates.
/// `x_min`, `x_max` are the data range in original units (both > 0).
pub fn power_law_band(
    fit: &PowerLawFit,
    x_min: f64,
    x_max: f64,
    seed: u64,
) -> Result<PowerLawBand> {
    use rand::{RngExt, SeedableRng};
    use rand_distr::StandardNormal;
    crate::error::check_positive("x_min", x_min)?;
    crate::error::check_positive("x_max", x_max)?;
    let (u0, u1) = (x_min.ln(), x_max.ln());
    // Cholesky of [[var_B, cov], [cov, var_C]].
    let vb = fit.se * fit.se;
    let vc = fit.se_intercept * fit.se_intercept;
    let l11 = vb.sqrt();
    let l21 = if l11 > 0.0 {
        fit.cov_slope_intercept / l11
    } else {
        0.0
    };
    let l22 = (vc - l21 * l21).max(0.0).sqrt();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let draws: Vec<(f64, f64)> = (0..BAND_DRAWS)
        .map(|_| {
            let z1: f64 = rng.sample(StandardNormal);
            let z2: f64 = rng.sample(StandardNormal);
            (fit.slope + l11 * z1, fit.intercept + l21 * z1 + l22 * z2)
        })
        .collect();
    let mut band = PowerLawBand {
        x: Vec::with_capacity(BAND_POINTS),
        y_fit: Vec::with_capacity(BAND_POINTS),
        y_low: Vec::with_capacity(BAND_POINTS),
        y_high: Vec::with_capacity(BAND_POINTS),
    };
    let mut vals = vec![0.0; BAND_DRAWS];
    for i in 0..BAND_POINTS {
        let u = u0 + (u1 - u0) * i as f64 / (BAND_POINTS - 1) as f64;
        for (v, (b, c)) in vals.iter_mut().zip(&draws) {
            *v = b * u + c;
        }
        vals.sort_by(|a, b| a.total_cmp(b));
        band.x.push(u.exp());
        band.y_fit.push((fit.slope * u + fit.intercept).exp());
        band.y_low.push(percentile_sorted(&vals, 2.5).exp());
        band.y_high.push(percentile_sorted(&vals, 97.5).exp());
    }
    Ok(band)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_power_law_is_recovered() {
        let x: Vec<f64> = (1..=10).map(|i| i as f64 * 10.0).collect();
        let y: Vec<f64> = x.iter().map(|v| 3.0 * v.powf(-2.7)).collect();
        let f = fit_power_law(&x, &y).unwrap();
        assert!((f.beta - 2.7).abs() < 1e-12);
        assert!((f.intercept - 3f64.ln()).abs() < 1e-10);
        assert!(f.se < 1e-12);
        assert!((f.r2 - 1.0).abs() < 1e-12);
    }

    #[test]
    fn rejects_nonpositive_and_short_input() {
        assert!(fit_power_law(&[1.0, 2.0, 3.0], &[1.0, -1.0, 2.0]).is_err());
        assert!(fit_power_law(&[1.0, 2.0], &[1.0, 2.0]).is_err());
        assert!(fit_power_law(&[2.0, 2.0, 2.0], &[1.0, 2.0, 3.0]).is_err());
    }
}
