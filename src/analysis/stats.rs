//! Small exact statistics for the Fig 3C comparison (docs/outcomes.md): Fisher's exact test on a 2×2
//! table, Bonferroni correction and significance stars.

/// ln(n!) by summation of logarithms for small n and Stirling series above (error < 1e-12).
fn ln_factorial(n: u64) -> f64 {
    if n < 256 {
        (2..=n).map(|k| (k as f64).ln()).sum()
    } else {
        let x = n as f64 + 1.0;
        // ln Γ(x) Stirling series.
        (x - 0.5) * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI).ln() + 1.0 / (12.0 * x)
            - 1.0 / (360.0 * x.powi(3))
            + 1.0 / (1260.0 * x.powi(5))
    }
}

fn ln_choose(n: u64, k: u64) -> f64 {
    ln_factorial(n) - ln_factorial(k) - ln_factorial(n - k)
}

/// Hypergeometric probability of a 2×2 table [[a, b], [c, d]] given its margins:
/// P(a) = C(a+b, a) C(c+d, c) / C(n, a+c).
pub fn hypergeometric_table_probability(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let n = a + b + c + d;
    (ln_choose(a + b, a) + ln_choose(c + d, c) - ln_choose(n, a + c)).exp()
}

/// Two-sided Fisher exact test of the 2×2 table [[a, b], [c, d]]: the sum of the probabilities
/// of all tables with the same margins that are no more likely than the observed one
/// (relative tolerance 1e-7, as scipy.stats.fisher_exact). Returns 1 for an empty table.
pub fn fisher_exact_two_sided(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let n = a + b + c + d;
    if n == 0 {
        return 1.0;
    }
    let (r1, c1) = (a + b, a + c);
    let r2 = c + d;
    let lo = c1.saturating_sub(r2);
    let hi = r1.min(c1);
    let p_obs = hypergeometric_table_probability(a, b, c, d);
    let mut p = 0.0;
    for x in lo..=hi {
        let px = hypergeometric_table_probability(x, r1 - x, c1 - x, r2 - (c1 - x));
        if px <= p_obs * (1.0 + 1e-7) {
            p += px;
        }
    }
    p.min(1.0)
}

/// Bonferroni-corrected p value: min(1, m·p).
pub fn bonferroni(p: f64, m: usize) -> f64 {
    (p * m as f64).min(1.0)
}

/// Significance stars: `***` p < 0.001, `**` p < 0.01, `*` p < 0.05, `ns` otherwise.
pub fn stars(p: f64) -> &'static str {
    if p < 0.001 {
        "***"
    } else if p < 0.01 {
        "**"
    } else if p < 0.05 {
        "*"
    } else {
        "ns"
    }
}
