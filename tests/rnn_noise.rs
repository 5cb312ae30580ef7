//! Statistics of the normal deviates of the random streams (Philox4x32-10 + Box–Muller):
//! moments and a Kolmogorov–Smirnov test against N(0, 1) on 2²⁰ draws, no correlation
//! between neighbouring lanes or consecutive epochs, and the epoch-0 loss distribution over
//! seeds against networks drawn by an independent generator (ChaCha8 + `rand_distr`).

use dynphase::rnn::full_rank::{EpochNoise, FullRankWorkspace};
use dynphase::rnn::model::FullRankParams;
use dynphase::rnn::rng::{self, Stream};
use dynphase::rnn::task::{FullRankTask, FullRankTaskKind, WindowMode};
use rand::{RngExt, SeedableRng};
use statrs::distribution::{ContinuousCDF, Normal};

const N: usize = 1 << 20;

fn draws(seed: u64, s: Stream, group: u64) -> Vec<f64> {
    let mut r = rng::stream(seed, s);
    r.seek(group, 0);
    let mut out = vec![0f32; N];
    rng::fill_normal_f32(&mut r, &mut out);
    out.into_iter().map(f64::from).collect()
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

fn corr(a: &[f64], b: &[f64]) -> f64 {
    let (ma, mb) = (mean(a), mean(b));
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    sab / (saa * sbb).sqrt()
}

#[test]
fn moments_and_kolmogorov_smirnov_against_the_normal() {
    for (seed, s, group) in [
        (0, Stream::Train, 0),
        (7, Stream::Train, 3),
        (1, Stream::Init, 0),
    ] {
        let mut x = draws(seed, s, group);
        let n = x.len() as f64;
        let m = mean(&x);
        let c = |k: i32| x.iter().map(|v| (v - m).powi(k)).sum::<f64>() / n;
        let var = c(2);
        let skew = c(3) / var.powf(1.5);
        let kurt = c(4) / (var * var);
        // Five standard errors: √(1/n), √(2/n), √(6/n), √(24/n).
        assert!(m.abs() < 5.0 * (1.0 / n).sqrt(), "mean {m}");
        assert!((var - 1.0).abs() < 5.0 * (2.0 / n).sqrt(), "variance {var}");
        assert!(skew.abs() < 5.0 * (6.0 / n).sqrt(), "skew {skew}");
        assert!(
            (kurt - 3.0).abs() < 5.0 * (24.0 / n).sqrt(),
            "kurtosis {kurt}"
        );
        // KS statistic D = sup |F_n − Φ|; P(√n D > 1.95) ≈ 0.001.
        x.sort_by(f64::total_cmp);
        let phi = Normal::new(0.0, 1.0).unwrap();
        let d = x
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let f = phi.cdf(v);
                (f - i as f64 / n).abs().max(((i + 1) as f64 / n - f).abs())
            })
            .fold(0.0, f64::max);
        assert!(n.sqrt() * d < 1.95, "KS √n·D = {}", n.sqrt() * d);
        // The extreme deviate is bounded by the 24-bit radius, √(48 ln 2) ≈ 5.77.
        assert!(x[0] > -5.78 && x[x.len() - 1] < 5.78);
    }
}

#[test]
fn no_correlation_between_lanes_epochs_or_seeds() {
    let x = draws(3, Stream::Train, 10);
    let bound = 5.0 / (N as f64).sqrt();
    // Neighbouring lanes: deviates i and i + k, within a Box–Muller pair (k = 1), a Philox
    // block (k < 4) and a 16-block vector chunk (k < 64); also their squares.
    for k in [1, 2, 3, 4, 5, 15, 16, 17, 63, 64] {
        let (a, b) = (&x[..N - k], &x[k..]);
        let r = corr(a, b);
        assert!(r.abs() < bound, "lag {k}: {r}");
        let sq = |v: &[f64]| v.iter().map(|t| t * t).collect::<Vec<_>>();
        let r2 = corr(&sq(a), &sq(b));
        assert!(r2.abs() < bound, "lag {k} squares: {r2}");
    }
    // Same index, consecutive epochs (groups) and consecutive seeds.
    for other in [draws(3, Stream::Train, 11), draws(4, Stream::Train, 10)] {
        let r = corr(&x, &other);
        assert!(r.abs() < bound, "{r}");
    }
}

/// Epoch-0 loss of the 200 ms DCDT (no post) for initial weights and noise supplied by
/// `fill(params, noise)`.
fn epoch0_losses(
    seeds: u64,
    mut fill: impl FnMut(u64, &mut FullRankParams<f32>, &mut EpochNoise<f32>),
) -> Vec<f64> {
    let kind = FullRankTaskKind::Dcdt {
        delay_ms: 200,
        post: false,
        tau_ms: 10.0,
    };
    let task = FullRankTask::<f32>::new(kind, WindowMode::Reference).unwrap();
    let (n, b, l) = (100, task.batch, task.steps);
    let mut ws = FullRankWorkspace::<f32>::new(n, b, l);
    (0..seeds)
        .map(|s| {
            let mut p = FullRankParams::<f32>::zeros(n);
            let mut noise = EpochNoise::<f32>::new(n, b, l);
            fill(s, &mut p, &mut noise);
            ws.run(&p, &task, &noise, None).loss
        })
        .collect()
}

#[test]
fn epoch0_loss_distribution_matches_an_independent_generator() {
    let seeds = 48;
    let ours = epoch0_losses(seeds, |s, p, noise| {
        *p = FullRankParams::init(100, s);
        noise.draw(&mut rng::stream(s, Stream::Train), 100, 128, 56);
    });
    // The same distributions (PyTorch's default initialisation,
    // r_0 = tanh(0.1 ξ), noise 0.001 ε) from ChaCha8 and rand_distr's normal.
    let theirs = epoch0_losses(seeds, |s, p, noise| {
        let mut g = rand_chacha::ChaCha8Rng::seed_from_u64(1000 + s);
        let mut u = |v: &mut Vec<f32>, len: usize, bound: f32| {
            *v = (0..len).map(|_| g.random_range(-bound..bound)).collect();
        };
        let x = |fi: f32, fo: f32| (6.0 / (fi + fo)).sqrt();
        u(&mut p.w_in, 200, x(2.0, 100.0));
        u(&mut p.b_in, 100, 1.0 / 2f32.sqrt());
        u(&mut p.w_rec, 10_000, x(100.0, 100.0));
        u(&mut p.b_rec, 100, 0.1);
        u(&mut p.w_out, 200, x(100.0, 2.0));
        u(&mut p.b_out, 2, 0.1);
        for i in 0..100 {
            p.w_rec[i * 100 + i] = 0.0;
        }
        let normal = rand_distr::StandardNormal;
        for r in noise.r0.iter_mut() {
            let v: f32 = g.sample(normal);
            *r = (0.1 * v).tanh();
        }
        for e in noise.noise.iter_mut() {
            let v: f32 = g.sample(normal);
            *e = 0.001 * v;
        }
    });
    let stats = |v: &[f64]| {
        let m = mean(v);
        let sd = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
        (m, sd)
    };
    let (m1, s1) = stats(&ours);
    let (m2, s2) = stats(&theirs);
    // Means agree within 4 standard errors of their difference; spreads within a factor 1.6
    // (the 99.9 % range of an F(47, 47) ratio of standard deviations is about 0.62–1.6).
    let se = ((s1 * s1 + s2 * s2) / seeds as f64).sqrt();
    assert!((m1 - m2).abs() < 4.0 * se, "{m1} ± {s1} vs {m2} ± {s2}");
    assert!(s1 / s2 < 1.6 && s2 / s1 < 1.6, "{s1} vs {s2}");
    assert!(m1 > 0.05 && m1 < 0.3, "{m1}");
}
