//! Property tests against analytic results (proptest). A failing case is persisted to
//! `tests/properties.proptest-regressions` and replayed first on every later run; commit that
//! file with the fix.
//!
//! * power-law regression recovers C and β exactly from y = C x^(−β);
//! * Levenberg–Marquardt on a linear model equals the ordinary-least-squares closed form;
//! * RK4 and Dopri5 follow the exponential x0 e^(−kt) and the harmonic cos ωt;
//! * `.npy` bytes round-trip every shape and both float dtypes;
//! * every shard split covers a preset's grid exactly once.

use std::collections::HashMap;

use dynphase::fit::{curve_fit, fit_power_law};
use dynphase::io::npy::{self, Dtype};
use dynphase::ode::{integrate_fixed, solve_adaptive, AdaptiveOptions, Rk4, System};
use dynphase::sweep::{Preset, Shard};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

struct Decay(f64);
impl System for Decay {
    fn dim(&self) -> usize {
        1
    }
    fn rhs(&self, _t: f64, x: &[f64], dx: &mut [f64]) {
        dx[0] = -self.0 * x[0];
    }
}

struct Harmonic(f64);
impl System for Harmonic {
    fn dim(&self) -> usize {
        2
    }
    fn rhs(&self, _t: f64, x: &[f64], dx: &mut [f64]) {
        dx[0] = x[1];
        dx[1] = -self.0 * self.0 * x[0];
    }
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn power_law_recovers_c_and_beta(
        ln_c in -8.0f64..8.0,
        beta in 0.2f64..6.0,
        x0 in 1.0f64..50.0,
        ratio in 1.05f64..1.6,
        n in 3usize..25,
    ) {
        let x: Vec<f64> = (0..n).map(|i| x0 * ratio.powi(i as i32)).collect();
        let y: Vec<f64> = x.iter().map(|&t| (ln_c - beta * t.ln()).exp()).collect();
        let f = fit_power_law(&x, &y).unwrap();
        prop_assert!((f.beta - beta).abs() < 1e-9 * beta.max(1.0), "beta {} vs {beta}", f.beta);
        prop_assert!((f.intercept - ln_c).abs() < 1e-8 * ln_c.abs().max(1.0), "ln C {} vs {ln_c}", f.intercept);
        prop_assert!(f.se < 1e-8, "exact data has no slope error: {}", f.se);
    }

    #[test]
    fn lm_on_a_linear_model_equals_ols(
        a in -10.0f64..10.0,
        b in -5.0f64..5.0,
        noise in prop::collection::vec(-1.0f64..1.0, 4..30),
    ) {
        let n = noise.len();
        let x: Vec<f64> = (0..n).map(|i| i as f64 * 0.5 - 3.0).collect();
        let y: Vec<f64> = x.iter().zip(&noise).map(|(t, e)| a + b * t + e).collect();
        let r = curve_fit(|t, p| p[0] + p[1] * t, &x, &y, &[0.0, 0.0], &Default::default()).unwrap();
        // OLS closed form.
        let nf = n as f64;
        let mx = x.iter().sum::<f64>() / nf;
        let my = y.iter().sum::<f64>() / nf;
        let sxx: f64 = x.iter().map(|t| (t - mx) * (t - mx)).sum();
        let sxy: f64 = x.iter().zip(&y).map(|(t, v)| (t - mx) * (v - my)).sum();
        let slope = sxy / sxx;
        let icpt = my - slope * mx;
        prop_assert!((r.params[1] - slope).abs() < 1e-6 * (1.0 + slope.abs()), "{:?} vs {slope}", r.params);
        prop_assert!((r.params[0] - icpt).abs() < 1e-6 * (1.0 + icpt.abs()), "{:?} vs {icpt}", r.params);
        let sse: f64 = x.iter().zip(&y).map(|(t, v)| (v - icpt - slope * t).powi(2)).sum();
        prop_assert!((r.sse - sse).abs() <= 1e-9 * (1.0 + sse), "sse {} vs {sse}", r.sse);
    }

    #[test]
    fn rk4_and_dopri5_follow_the_exponential(
        k in 0.1f64..3.0,
        x0 in -5.0f64..5.0,
        t1 in 0.5f64..5.0,
    ) {
        let exact = x0 * (-k * t1).exp();
        let mut x = [x0];
        integrate_fixed(&Decay(k), &mut Rk4::new(1), 0.0, t1, 1000, &mut x);
        prop_assert!((x[0] - exact).abs() < 1e-9 * (1.0 + x0.abs()), "rk4 {} vs {exact}", x[0]);
        let tr = solve_adaptive(&Decay(k), 0.0, &[x0], t1, &AdaptiveOptions::default()).unwrap();
        let last = tr.x.last().unwrap()[0];
        prop_assert!((tr.t.last().unwrap() - t1).abs() < 1e-12);
        prop_assert!((last - exact).abs() < 1e-8 * (1.0 + x0.abs()), "dopri5 {last} vs {exact}");
    }

    #[test]
    fn rk4_and_dopri5_follow_the_harmonic_oscillator(
        w in 0.5f64..5.0,
        t1 in 0.5f64..5.0,
    ) {
        // x'' = −ω² x from (1, 0): x = cos ωt, v = −ω sin ωt.
        let (xe, ve) = ((w * t1).cos(), -w * (w * t1).sin());
        let mut x = [1.0, 0.0];
        integrate_fixed(&Harmonic(w), &mut Rk4::new(2), 0.0, t1, 2000, &mut x);
        prop_assert!((x[0] - xe).abs() < 1e-7 && (x[1] - ve).abs() < 1e-7 * w, "rk4 {x:?} vs ({xe}, {ve})");
        let tr = solve_adaptive(&Harmonic(w), 0.0, &[1.0, 0.0], t1, &AdaptiveOptions::default()).unwrap();
        let last = tr.x.last().unwrap();
        prop_assert!((last[0] - xe).abs() < 1e-7 && (last[1] - ve).abs() < 1e-7 * w, "dopri5 {last:?} vs ({xe}, {ve})");
    }

    #[test]
    fn npy_round_trips_every_shape_and_dtype(
        shape in prop::collection::vec(0usize..5, 0..5),
        f64_dtype in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let count: usize = shape.iter().product();
        // Values from a simple hash of (seed, index): finite, signed, of varied magnitude.
        let vals: Vec<f64> = (0..count)
            .map(|i| {
                let h = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(i as u64 * 0xBF58_476D_1CE4_E5B9);
                ((h >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 10f64.powi((h % 13) as i32 - 6)
            })
            .collect();
        let (bytes, want, dtype) = if f64_dtype {
            (npy::to_bytes_f64(&shape, &vals).unwrap(), vals.clone(), Dtype::F64)
        } else {
            let v32: Vec<f32> = vals.iter().map(|&v| v as f32).collect();
            let back: Vec<f64> = v32.iter().map(|&v| v as f64).collect();
            (npy::to_bytes_f32(&shape, &v32).unwrap(), back, Dtype::F32)
        };
        let hlen = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
        prop_assert_eq!((10 + hlen) % 64, 0, "data must start 64-byte aligned");
        let arr = npy::from_bytes(&bytes).unwrap();
        prop_assert_eq!(&arr.shape, &shape);
        prop_assert_eq!(arr.dtype, dtype);
        prop_assert_eq!(arr.data, want);
    }
}

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn shard_splits_cover_the_grid_exactly_once(
        preset in prop::sample::select(vec!["quick", "quick-post", "quick-long-tau", "quick-no-memory", "post", "long-tau"]),
        count in 1usize..64,
    ) {
        let runs = Preset::named(preset).unwrap().runs();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut sizes = Vec::new();
        for index in 0..count {
            let shard = Shard::parse(&format!("{index}/{count}")).unwrap();
            let part = shard.select(runs.clone());
            sizes.push(part.len());
            for r in part {
                *seen.entry(r.id()).or_default() += 1;
            }
        }
        prop_assert_eq!(seen.len(), runs.len(), "every run is in some shard");
        prop_assert!(seen.values().all(|&c| c == 1), "no run is in two shards");
        prop_assert!(runs.iter().all(|r| seen.contains_key(&r.id())));
        // Round-robin: shard sizes differ by at most one.
        let (lo, hi) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
        prop_assert!(hi - lo <= 1, "sizes {sizes:?}");
    }
}
