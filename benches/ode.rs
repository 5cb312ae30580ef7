//! ODE benchmarks: allocation-free RK4 steps and the numeric critical learning rate.

use criterion::{criterion_group, criterion_main, Criterion};
use dynphase::ode::{Rk4, Stepper, System};
use dynphase::toy::{LimitCycle, SaddleNode, ToyNumerics};
use std::hint::black_box;

/// Harmonic oscillator x'' = −x.
struct Oscillator;
impl System for Oscillator {
    fn dim(&self) -> usize {
        2
    }
    fn rhs(&self, _t: f64, x: &[f64], dx: &mut [f64]) {
        dx[0] = x[1];
        dx[1] = -x[0];
    }
}

fn bench(c: &mut Criterion) {
    c.bench_function("rk4_1000_steps_dim2", |b| {
        let mut rk = Rk4::new(2);
        b.iter(|| {
            let mut x = [1.0, 0.0];
            for k in 0..1000 {
                rk.step(&Oscillator, k as f64 * 1e-3, &mut x, 1e-3);
            }
            black_box(x)
        })
    });
    let sp = SaddleNode::new(100.0, 5.0).unwrap();
    c.bench_function("saddle_node_loss_td100", |b| {
        b.iter(|| black_box(sp.loss(black_box(2.0e-4)).unwrap()))
    });
    c.bench_function("saddle_node_numeric_eta_star_td100", |b| {
        b.iter(|| black_box(sp.critical_rate().unwrap()))
    });
    let lc = LimitCycle::new(100.0, 5.0).unwrap();
    c.bench_function("limit_cycle_numeric_eta_star_td100", |b| {
        b.iter(|| black_box(lc.critical_rate().unwrap()))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
