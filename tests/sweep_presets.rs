//! Presets against docs/training.md: grids, the E(η) test vectors, the merged list and the counts.

use dynphase::grid::{broad_lrs, epoch_budget, logspace, merged_lrs, narrow_lrs};
use dynphase::sweep::preset::PRESET_NAMES;
use dynphase::sweep::{Experiment, Overrides, Preset};

fn budgets(c: f64, lrs: &[f64]) -> Vec<u64> {
    lrs.iter().map(|&lr| epoch_budget(c, lr)).collect()
}

#[test]
fn e_test_vectors_broad_narrow_post_long_tau() {
    let mut broad = vec![1000; 4];
    broad.extend([
        1118, 1553, 2159, 3000, 4168, 5792, 8048, 11182, 15538, 21590, 30000,
    ]);
    assert_eq!(budgets(30.0, &broad_lrs()), broad);
    let mut narrow = vec![1000; 13];
    narrow.extend([1007, 1208]);
    assert_eq!(budgets(30.0, &narrow_lrs()), narrow);
    assert_eq!(
        budgets(100.0, &broad_lrs()),
        vec![
            1000, 1389, 1930, 2682, 3727, 5179, 7196, 10000, 13894, 19306, 26826, 37275, 51794,
            71968, 100000
        ]
    );
    let mut lt = vec![1000; 3];
    lt.extend([1392, 2322, 3874, 6463, 10781, 17984, 30000]);
    assert_eq!(budgets(30.0, &logspace(-1.0, -3.0, 10)), lt);
}

#[test]
fn merged_list_matches_spec_to_six_digits() {
    let spec = [
        0.316228, 0.263665, 0.219839, 0.183298, 0.152831, 0.127427, 0.106247, 0.1, 0.0885867,
        0.073862, 0.0719686, 0.0615848, 0.0517947, 0.0513483, 0.0428133, 0.0372759, 0.035697,
        0.0297635, 0.026827, 0.0248163, 0.019307, 0.013895, 0.01, 0.00719686, 0.00517947,
        0.00372759, 0.0026827, 0.0019307, 0.0013895, 0.001,
    ];
    let m = merged_lrs();
    assert_eq!(m.len(), 30);
    for (k, (&got, &want)) in m.iter().zip(&spec).enumerate() {
        assert!(((got - want) / want).abs() < 5e-6, "k={k}: {got} vs {want}");
    }
    assert_eq!(m[7], 0.1);
    assert_eq!(m[29], 0.001);
    // Named values: post index 1, fixed-window index 6.
    assert!((broad_lrs()[1] - 0.0719686).abs() < 1e-7);
    assert!((logspace(0.0, -3.0, 20)[6] - 0.112884).abs() < 1e-6);
}

#[test]
fn network_counts_match_spec_totals() {
    let n = |name: &str| Preset::named(name).unwrap().len();
    assert_eq!(n("nopost-broad"), 31_500);
    assert_eq!(n("nopost-narrow"), 31_500);
    assert_eq!(n("nopost"), 63_000);
    assert_eq!(n("post"), 6_300);
    assert_eq!(n("long-tau"), 4_200);
    assert_eq!(n("no-memory"), 8_000);
    assert_eq!(n("rank2-post-study"), 1_600);
    let full_rank =
        n("nopost-broad") + n("nopost-narrow") + n("post") + n("long-tau") + n("no-memory");
    assert_eq!(full_rank, 81_500);
    // Row by row: delays per row times seeds.
    assert_eq!(n("quick"), 6 * 11 * 4 + 11 * 2 + 10 * 2 + 18 * 2 + 6);
    assert_eq!(
        n("workstation"),
        8 * 13 * 14 + 2 * 21 * 6 + 20 * 6 + 19 * 7 + 17 * 6 + 14 * 4 + 11 * 4
    );
    assert_eq!(n("quick-post"), 2 * 11 * 3 + 10 * 2 + 9 * 2 + 7 * 2);
    assert_eq!(n("quick-long-tau"), 11 * 3 + 11 * 2 + 10 * 2 + 9 * 2 + 7);
    assert_eq!(n("quick-no-memory"), 7 * 10 * 2);
    for name in PRESET_NAMES {
        assert!(!Preset::named(name).unwrap().is_empty(), "{name}");
    }
}

/// Every quick preset is a subset of its full preset: same run ids, same epoch budgets, so
/// its records can later be merged with (or resumed into) a larger sweep of the experiment.
#[test]
fn quick_presets_are_subsets_of_the_full_presets() {
    let runs = |name: &str| -> std::collections::BTreeSet<String> {
        Preset::named(name)
            .unwrap()
            .runs()
            .iter()
            .map(|r| format!("{} {}", r.id(), r.epochs))
            .collect()
    };
    for (quick, full) in [
        ("quick", "nopost"),
        ("workstation", "nopost"),
        ("quick-post", "post"),
        ("quick-long-tau", "long-tau"),
        ("quick-no-memory", "no-memory"),
    ] {
        let (q, f) = (runs(quick), runs(full));
        assert!(!q.is_empty());
        let missing: Vec<_> = q.difference(&f).collect();
        assert!(missing.is_empty(), "{quick}: not in {full}: {missing:?}");
    }
}

#[test]
fn broad_and_narrow_runs_are_the_merged_runs() {
    let ids = |name: &str| {
        let mut v: Vec<String> = Preset::named(name)
            .unwrap()
            .runs()
            .iter()
            .map(|r| format!("{} {}", r.id(), r.epochs))
            .collect();
        v.sort();
        v
    };
    let mut both = ids("nopost-broad");
    both.extend(ids("nopost-narrow"));
    both.sort();
    assert_eq!(both, ids("nopost"));
}

#[test]
fn grids_delays_seeds_and_budgets() {
    let p = Preset::named("long-tau").unwrap();
    let g = &p.grids[0];
    assert_eq!(g.delays_ms, (0..21).map(|l| 40 * l).collect::<Vec<u32>>());
    assert_eq!(g.seeds, (0..20).collect::<Vec<u64>>());
    let p = Preset::named("no-memory").unwrap();
    let g = &p.grids[0];
    assert_eq!(g.delays_ms.first(), Some(&20));
    assert_eq!(g.delays_ms.last(), Some(&400));
    assert!(p.runs().iter().all(|r| r.epochs == 3000));
    let p = Preset::named("rank2-post-study").unwrap();
    let exps: Vec<Experiment> = p.grids.iter().map(|g| g.experiment).collect();
    assert_eq!(exps, vec![Experiment::Rank2Post, Experiment::Rank2NoPost]);
    for r in p.runs() {
        assert_eq!(r.lr, 0.005);
        let t_steps = r.delay_ms / 5;
        assert!((6..=20).contains(&t_steps) && t_steps % 2 == 0);
        let want = if t_steps <= 8 { 500_000 } else { 1_500_000 };
        assert_eq!(r.epochs, want, "T = {t_steps}");
    }
    // Quick and workstation: the paper's budgets, and the merged grid's whole range of
    // learning rates, 0.316 … 0.001.
    for name in ["quick", "workstation"] {
        let runs = Preset::named(name).unwrap().runs();
        for r in &runs {
            assert_eq!(r.epochs, epoch_budget(30.0, r.lr));
        }
        let max = runs.iter().map(|r| r.lr).fold(0.0, f64::max);
        let min = runs.iter().map(|r| r.lr).fold(1.0, f64::min);
        assert_eq!((max, min), (merged_lrs()[0], 0.001), "{name}");
    }
}

#[test]
fn overrides_scale_down_and_validate() {
    let o = Overrides {
        seeds: Some(2),
        lrs: Some(vec![0.01, 0.1]),
        delays_ms: Some(vec![40, 0]),
        epochs: Some(50),
    };
    let p = Preset::named("post").unwrap().with_overrides(&o).unwrap();
    let runs = p.runs();
    assert_eq!(runs.len(), 8);
    assert_eq!(runs[0].lr, 0.1); // sorted descending
    assert_eq!(runs[0].delay_ms, 0);
    assert!(runs.iter().all(|r| r.epochs == 50));
    let bad = |o: Overrides, name: &str| {
        let e = Preset::named(name)
            .unwrap()
            .with_overrides(&o)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("invalid"), "{e}");
    };
    bad(
        Overrides {
            seeds: Some(0),
            ..Default::default()
        },
        "post",
    );
    bad(
        Overrides {
            lrs: Some(vec![-0.1]),
            ..Default::default()
        },
        "post",
    );
    bad(
        Overrides {
            lrs: Some(vec![f64::NAN]),
            ..Default::default()
        },
        "post",
    );
    bad(
        Overrides {
            delays_ms: Some(vec![30]),
            ..Default::default()
        },
        "post",
    );
    bad(
        Overrides {
            delays_ms: Some(vec![20]),
            ..Default::default()
        },
        "long-tau",
    );
    bad(
        Overrides {
            delays_ms: Some(vec![0]),
            ..Default::default()
        },
        "no-memory",
    );
    bad(
        Overrides {
            epochs: Some(0),
            ..Default::default()
        },
        "post",
    );
}

/// Regression: without correctly rounded float parsing, `0.10624678308940415` read back as
/// `...416` and the record's id no longer matched its lr.
#[test]
fn every_preset_lr_round_trips_through_a_record_line() {
    use dynphase::outcome::Outcome;
    use dynphase::sweep::{RunOutcome, RunRecord};
    for name in PRESET_NAMES {
        let p = Preset::named(name).unwrap();
        for g in &p.grids {
            for &lr in &g.lrs {
                let spec = dynphase::sweep::RunSpec {
                    experiment: g.experiment,
                    lr,
                    delay_ms: g.delays_ms[0],
                    seed: 0,
                    epochs: 1,
                };
                let out = RunOutcome {
                    epochs_run: 1,
                    // A learned outcome of the experiment (LC, correct, rotation).
                    outcome: Outcome::all(g.experiment.labels())[1],
                    index: Some(lr.sqrt()),
                    final_loss: 0.1,
                    final_accuracy: 0.9,
                    final_reliability: 0.9,
                    curve_start: 0,
                    loss: vec![lr as f32],
                    accuracy: vec![0.9],
                    reliability: vec![0.9],
                };
                let line = RunRecord::new(&spec, out, 0.5).to_line();
                let back = RunRecord::from_line(line.trim_end()).unwrap();
                assert_eq!(back.lr.to_bits(), lr.to_bits(), "{name} {lr}");
                assert_eq!(back.index.unwrap().to_bits(), lr.sqrt().to_bits());
                assert_eq!(back.to_line(), line);
            }
        }
    }
}

/// The presets' training cost, Σ trial steps × epochs at the measured speed: `quick` fits in
/// an hour on two cores, `workstation` in about 16 core-hours.
#[test]
fn quick_and_workstation_budgets() {
    use dynphase::sweep::design::design_cost;
    let hours = |name: &str| design_cost(&Preset::named(name).unwrap()).1;
    assert!(hours("quick") <= 2.0, "quick: {} core-h", hours("quick"));
    let w = hours("workstation");
    assert!((14.0..=17.0).contains(&w), "workstation: {w} core-h");
    // The paper's no-post sweep: 1.45e10 trial-step-epochs.
    let paper = design_cost(&Preset::named("nopost").unwrap()).0;
    assert!((paper / 1.45e10 - 1.0).abs() < 0.01, "{paper}");
}
