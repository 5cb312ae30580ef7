//! How the sweep presets' grids were chosen: by simulation (`dynphase::sweep::design`).
//!
//! Each candidate design (learning rates × delays × seeds, possibly several blocks) is scored
//! on synthetic phase tables drawn from the calibrated scatter model (per-row critical delays
//! with lognormal scatter, gradual row-dependent onsets, cell jitter, a slow-point boundary),
//! every table fitted with the binomial likelihood estimator. Cost is Σ trial steps × epochs
//! with the paper's budgets, in % of the paper's no-post sweep and in core-hours at the
//! measured training speed. The tables printed here are those of `docs/sweep-design.md`.
//!
//! Run: `cargo run --release --example quick_grid_design [-- SECTION [REPS]]`, SECTION one of
//! `issue`, `quick`, `workstation`, `post`, `long-tau`, `no-memory`, `presets`, `all`
//! (default `presets`); REPS simulated tables per design (default 100).
use dynphase::grid::merged_lrs;
use dynphase::sweep::design::{design_cost, evaluate, ScatterModel};
use dynphase::sweep::preset::{row_blocks, Budget, Grid, Preset, RowBlock};
use dynphase::sweep::spec::Experiment;

fn block(lrs: Vec<f64>, delays: Vec<u32>, seeds: u64) -> Grid {
    Grid {
        experiment: Experiment::NoPost,
        lrs,
        delays_ms: delays,
        seeds: (0..seeds).collect(),
        budget: Budget::Formula { c: 30.0 },
    }
}

fn ks(k: &[usize]) -> Vec<f64> {
    let m = merged_lrs();
    k.iter().map(|&i| m[i]).collect()
}

fn delays(start: u32, step: u32, end: u32) -> Vec<u32> {
    (start..=end).step_by(step as usize).collect()
}

fn design(name: &str, grids: Vec<Grid>) -> Preset {
    Preset {
        name: name.to_string(),
        grids,
    }
}

/// The designs of the issue's table (no-post, failure boundary).
fn issue_designs() -> Vec<Preset> {
    let all: Vec<usize> = (0..30).collect();
    let d21 = delays(0, 20, 400);
    vec![
        design(
            "old quick: 9 lrs 0.316 … 0.01 × 21 × 3",
            vec![block(ks(&[0, 3, 6, 9, 12, 15, 18, 20, 22]), d21.clone(), 3)],
        ),
        design("30 lrs × 21 × 1", vec![block(ks(&all), d21.clone(), 1)]),
        design(
            "15 lrs (every other) × 21 × 2",
            vec![block(
                ks(&(0..30).step_by(2).collect::<Vec<_>>()),
                d21.clone(),
                2,
            )],
        ),
        design(
            "k = 0, 3, …, 27, 29 (11 lrs) × 21 × 3",
            vec![block(
                ks(&[0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 29]),
                d21.clone(),
                3,
            )],
        ),
        design("30 lrs × 21 × 3", vec![block(ks(&all), d21.clone(), 3)]),
        design("30 lrs × 21 × 10", vec![block(ks(&all), d21.clone(), 10)]),
        design(
            "30 lrs × 11 delays (step 40) × 2",
            vec![block(ks(&all), delays(0, 40, 400), 2)],
        ),
    ]
}

fn rows(name: &str, r: &[RowBlock]) -> Preset {
    let c30 = Budget::Formula { c: 30.0 };
    design(name, row_blocks(Experiment::NoPost, &merged_lrs(), c30, r))
}

/// Rows `ks` of the merged grid, each with delays from `lo × T_c` to `T_c + span_ms` (step
/// 20 ms, clipped to 0–400 ms) around the paper's boundary `T_c = 32.7 ms (η/0.316)^(−1/2.72)`.
fn focused(ks: &[usize], seeds: impl Fn(usize) -> u64, lo: f64, span_ms: f64) -> Vec<RowBlock> {
    let m = merged_lrs();
    ks.iter()
        .map(|&k| {
            let tc = 32.7 * (m[k] / 0.316).powf(-1.0 / 2.72);
            let first = ((lo * tc / 20.0).floor() * 20.0) as u32;
            let last = (((tc + span_ms) / 20.0).ceil() * 20.0).min(400.0) as u32;
            (k, first, 20, last, seeds(k))
        })
        .collect()
}

/// Candidates for `quick` (no-post, about an hour on two cores).
fn quick_designs() -> Vec<Preset> {
    let top = |n: usize, last: u32, seeds: u64| -> Vec<RowBlock> {
        (0..n).map(|k| (k, 0, 20, last, seeds)).collect()
    };
    let mut f = top(6, 200, 4);
    f.extend([
        (14, 0, 40, 400, 2),
        (21, 40, 40, 400, 2),
        (24, 60, 20, 400, 2),
        (29, 200, 40, 400, 1),
    ]);
    let mut g = top(6, 200, 4);
    g.extend([
        (14, 0, 40, 400, 2),
        (21, 40, 40, 400, 2),
        (24, 60, 20, 400, 2),
        (27, 160, 40, 400, 1),
        (29, 240, 80, 400, 1),
    ]);
    let mut h = top(6, 200, 3);
    h.extend([
        (10, 0, 40, 400, 2),
        (17, 0, 40, 400, 2),
        (21, 40, 40, 400, 2),
        (24, 60, 20, 400, 2),
        (29, 200, 40, 400, 1),
    ]);
    vec![rows("F", &f), rows("G", &g), rows("H", &h)]
}

/// Candidates for `workstation` (no-post, about 16 core-hours).
fn workstation_designs() -> Vec<Preset> {
    let seeds_u = |k: usize| match k {
        0..=17 => 6,
        18..=23 => 4,
        24..=26 => 3,
        _ => 2,
    };
    let u = focused(&(0..30).collect::<Vec<_>>(), seeds_u, 0.45, 220.0);
    let seeds_v = |k: usize| match k {
        0..=17 => 5,
        18..=23 => 4,
        24..=26 => 3,
        _ => 2,
    };
    let v = focused(&(0..30).collect::<Vec<_>>(), seeds_v, 0.4, 260.0);
    vec![rows("U", &u), rows("V", &v)]
}

/// The first `n` rows of a full preset's grid, every one with the same delays and seeds.
fn old_slice(name: &str, preset: &str, n: usize, d: (u32, u32, u32), seeds: u64) -> Preset {
    let r: Vec<RowBlock> = (0..n).map(|k| (k, d.0, d.1, d.2, seeds)).collect();
    rows_of(name, preset, &r)
}

fn rows_of(name: &str, preset: &str, r: &[RowBlock]) -> Preset {
    let full = Preset::named(preset).expect("preset");
    let g = &full.grids[0];
    design(name, row_blocks(g.experiment, &g.lrs, g.budget, r))
}

/// Candidates for `quick-post`, `quick-long-tau`, `quick-no-memory` (rows of each full grid).
fn slice_designs(section: &str) -> Vec<Preset> {
    match section {
        "post" => vec![
            old_slice(
                "old quick-post: 5 lrs 0.1 … 0.0268 × 11 × 3",
                "post",
                5,
                (0, 40, 400),
                3,
            ),
            Preset::named("quick-post").expect("preset"),
            rows_of(
                "post P2",
                "post",
                &[
                    (0, 0, 40, 400, 4),
                    (2, 0, 40, 400, 3),
                    (4, 40, 40, 400, 2),
                    (6, 120, 40, 400, 2),
                    (8, 200, 40, 400, 1),
                ],
            ),
        ],
        "long-tau" => vec![
            old_slice(
                "old quick-long-tau: 5 lrs 0.1 … 0.0129 × 11 × 2",
                "long-tau",
                5,
                (0, 80, 800),
                2,
            ),
            Preset::named("quick-long-tau").expect("preset"),
            rows_of(
                "long-tau L2",
                "long-tau",
                &[
                    (0, 0, 80, 800, 3),
                    (2, 0, 80, 800, 2),
                    (3, 80, 80, 800, 2),
                    (5, 240, 80, 800, 1),
                ],
            ),
        ],
        _ => vec![
            Preset::named("quick-no-memory").expect("preset"),
            rows_of(
                "no-memory N1 (windows 40-400 step 40, lrs k = 0-14)",
                "no-memory",
                &[
                    (0, 40, 40, 400, 2),
                    (2, 40, 40, 400, 2),
                    (4, 40, 40, 400, 2),
                    (6, 40, 40, 400, 2),
                    (8, 40, 40, 400, 2),
                    (10, 40, 40, 400, 2),
                    (12, 40, 40, 400, 2),
                    (14, 40, 40, 400, 2),
                ],
            ),
        ],
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let section = args.get(1).map(String::as_str).unwrap_or("presets");
    let reps: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100);
    let paper = design_cost(&Preset::named("nopost").expect("preset")).0;
    let nopost = ScatterModel::calibrated(Experiment::NoPost).expect("model");
    let mut sets: Vec<(ScatterModel, Vec<Preset>)> = Vec::new();
    if section == "issue" || section == "all" {
        sets.push((nopost, issue_designs()));
    }
    if section == "quick" || section == "all" {
        sets.push((nopost, quick_designs()));
    }
    if section == "workstation" || section == "all" {
        sets.push((nopost, workstation_designs()));
    }
    for sl in ["post", "long-tau", "no-memory"] {
        if section == sl {
            let p = slice_designs(sl);
            let e = p[0].grids[0].experiment;
            sets.push((ScatterModel::calibrated(e).expect("model"), p));
        }
    }
    if section == "presets" || section == "all" {
        let names = [
            "quick",
            "workstation",
            "quick-post",
            "quick-long-tau",
            "quick-no-memory",
        ];
        for n in names {
            let p = Preset::named(n).expect("preset");
            let e = p.grids[0].experiment;
            sets.push((ScatterModel::calibrated(e).expect("model"), vec![p]));
        }
    }
    if section == "scatter" {
        // How the row scatter alone limits the shared-power-law likelihood.
        let d = [
            issue_designs().swap_remove(4),
            Preset::named("workstation").expect("preset"),
            Preset::named("quick").expect("preset"),
        ];
        for sd in [0.0, 0.06, 0.12] {
            let mut m = nopost;
            m.failure.sd_ln = sd;
            for p in &d {
                let r = evaluate(p, &m, reps, 11).expect("evaluate");
                println!(
                    "sd_T {sd}: {}: β {:.2} s.d. {:.2} (robust {:.2})",
                    p.name, r.failure.mean, r.failure.sd, r.failure.mad_sd
                );
            }
        }
        return;
    }
    if section == "calibrate" {
        let d = issue_designs();
        for rate in [0.005, 0.008, 0.012] {
            for sd in [0.10, 0.15] {
                let mut m = nopost;
                m.rate.at_ref = rate;
                m.failure.sd_ln = sd;
                let r1 = evaluate(&d[1], &m, reps, 11).expect("evaluate");
                let r3 = evaluate(&d[3], &m, reps, 11).expect("evaluate");
                println!(
                    "rate {rate} sd_T {sd}: 30x21x1 {:.2} ({:.2}), 11x21x3 {:.2} ({:.2})",
                    r1.failure.mean, r1.failure.sd, r3.failure.mean, r3.failure.sd
                );
            }
        }
        return;
    }
    println!("{reps} simulated tables per design; cost in % of the paper's no-post sweep ({paper:.3e} trial-step-epochs)");
    println!(
        "| design | networks | cost % | core-h | β mean | β s.d. | β median | robust s.d. | SP β median | SP robust s.d. |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (model, designs) in &sets {
        for d in designs {
            let r = evaluate(d, model, reps, 11).expect("evaluate");
            let sp = r
                .slow_point
                .map(|s| format!("{:.2} | {:.2}", s.median, s.mad_sd))
                .unwrap_or_else(|| "– | –".to_string());
            println!(
                "| {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {} |",
                d.name,
                r.networks,
                100.0 * r.step_epochs / paper,
                r.core_hours,
                r.failure.mean,
                r.failure.sd,
                r.failure.median,
                r.failure.mad_sd,
                sp
            );
        }
    }
}
