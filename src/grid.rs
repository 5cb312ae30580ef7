//! Grids: evenly and log-spaced points, the paper's learning-rate grids and the epoch budget
//! of a learning rate (docs/training.md). One definition each, shared by the trainer, the sweep
//! presets, the fits and the figures.

/// `n` evenly spaced points from `a` to `b` inclusive (numpy `linspace`):
/// `a + (b − a)·i/(n − 1)`.
pub fn linspace(a: f64, b: f64, n: usize) -> Vec<f64> {
    match n {
        0 => vec![],
        1 => vec![a],
        _ => (0..n)
            .map(|i| a + (b - a) * i as f64 / (n - 1) as f64)
            .collect(),
    }
}

/// numpy `logspace(a, b, n)`: `10^(a + i·step)`, `step = (b − a)/(n − 1)`, with the last
/// exponent exactly `b`, so that the paper's grids are reproduced to the last bit.
pub fn logspace(a: f64, b: f64, n: usize) -> Vec<f64> {
    if n == 0 {
        return Vec::new();
    }
    if n == 1 {
        return vec![10f64.powf(a)];
    }
    let step = (b - a) / (n - 1) as f64;
    (0..n)
        .map(|i| {
            let y = if i == n - 1 { b } else { i as f64 * step + a };
            10f64.powf(y)
        })
        .collect()
}

/// numpy `geomspace(a, b, n)`: `n` log-spaced points from `a` to `b` inclusive (a, b > 0),
/// `exp` of the [`linspace`] of `ln a … ln b` (figure axes; not the paper's grids).
pub fn geomspace(a: f64, b: f64, n: usize) -> Vec<f64> {
    linspace(a.ln(), b.ln(), n)
        .into_iter()
        .map(f64::exp)
        .collect()
}

/// The broad no-post grid, `logspace(−1, −3, 15)`; also the post grid.
pub fn broad_lrs() -> Vec<f64> {
    logspace(-1.0, -3.0, 15)
}

/// The narrow no-post grid, `logspace(−0.5, −2, 20)[:15]`.
pub fn narrow_lrs() -> Vec<f64> {
    let mut v = logspace(-0.5, -2.0, 20);
    v.truncate(15);
    v
}

/// The merged no-post grid: union of the broad and narrow grids, sorted descending (30 values).
pub fn merged_lrs() -> Vec<f64> {
    let mut v = broad_lrs();
    v.extend(narrow_lrs());
    v.sort_by(|a, b| b.total_cmp(a));
    v.dedup();
    v
}

/// The long-τ grid, `logspace(−1, −3, 10)`.
pub fn long_tau_lrs() -> Vec<f64> {
    logspace(-1.0, -3.0, 10)
}

/// The no-memory (fixed-window) grid, `logspace(0, −3, 20)`.
pub fn fixed_window_lrs() -> Vec<f64> {
    logspace(0.0, -3.0, 20)
}

/// Epoch budget `E(η) = trunc(max(1000, c/η))` in f64 (docs/training.md); `c` = 30 (no post,
/// long τ) or 100 (post).
pub fn epoch_budget(c: f64, lr: f64) -> u64 {
    (c / lr).max(1000.0).trunc() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logspace_endpoints_exact() {
        let v = logspace(-1.0, -3.0, 15);
        assert_eq!(v[0], 0.1);
        assert_eq!(v[14], 1e-3);
        assert!(logspace(0.0, 1.0, 0).is_empty());
        assert_eq!(logspace(2.0, 5.0, 1), vec![100.0]);
    }

    #[test]
    fn linear_and_geometric() {
        assert_eq!(linspace(0.0, 1.0, 5), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        let g = geomspace(1.0, 100.0, 3);
        assert!((g[1] - 10.0).abs() < 1e-12);
        assert_eq!(epoch_budget(30.0, 0.001), 30_000);
        assert_eq!(epoch_budget(100.0, 0.5), 1000);
    }
}
