//! Formula toy models against the hand-written models: the cost of one loss evaluation (one
//! ODE solve with crossing location) and of a whole numeric critical rate. The ratio
//! formula / hand-written of each pair is the number to read (target: within 3x).

use criterion::{criterion_group, criterion_main, Criterion};
use dynphase::toy::{FormulaModel, LimitCycle, SaddleNode, ToyNumerics};
use std::hint::black_box;

fn formula(file: &str) -> FormulaModel {
    FormulaModel::from_file(format!("{}/models/{file}", env!("CARGO_MANIFEST_DIR")))
        .unwrap()
        .with_windows(100.0, 5.0)
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let sp = SaddleNode::new(100.0, 5.0).unwrap();
    let fsp = formula("saddle_node.toml");
    let lc = LimitCycle::new(100.0, 5.0).unwrap();
    let flc = formula("limit_cycle.toml");
    let mut g = c.benchmark_group("toy_loss_td100");
    g.bench_function("saddle_node_rust", |b| {
        b.iter(|| black_box(sp.loss(black_box(2.0e-4)).unwrap()))
    });
    g.bench_function("saddle_node_formula", |b| {
        b.iter(|| black_box(fsp.loss(black_box(2.0e-4)).unwrap()))
    });
    g.bench_function("limit_cycle_rust", |b| {
        b.iter(|| black_box(lc.loss(black_box(4.0e-3)).unwrap()))
    });
    g.bench_function("limit_cycle_formula", |b| {
        b.iter(|| black_box(flc.loss(black_box(4.0e-3)).unwrap()))
    });
    g.finish();
    let mut g = c.benchmark_group("toy_eta_star_td100");
    g.sample_size(10);
    g.bench_function("saddle_node_rust", |b| {
        b.iter(|| black_box(sp.critical_rate().unwrap()))
    });
    g.bench_function("saddle_node_formula", |b| {
        b.iter(|| black_box(fsp.critical_rate().unwrap()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
