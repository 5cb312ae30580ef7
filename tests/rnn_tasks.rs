//! Tasks, grids, epoch budgets and accuracy windows against the numbers of docs/tasks.md, docs/training.md, docs/outcomes.md.

use dynphase::grid::*;
use dynphase::rnn::task::*;

fn budgets(grid: &[f64], c: f64) -> Vec<usize> {
    grid.iter()
        .map(|&lr| epoch_budget(c, lr) as usize)
        .collect()
}

#[test]
fn epoch_budget_test_vectors() {
    let mut broad = vec![1000; 4];
    broad.extend([
        1118, 1553, 2159, 3000, 4168, 5792, 8048, 11182, 15538, 21590, 30000,
    ]);
    assert_eq!(budgets(&broad_lrs(), 30.0), broad);
    let mut narrow = vec![1000; 13];
    narrow.extend([1007, 1208]);
    assert_eq!(budgets(&narrow_lrs(), 30.0), narrow);
    let post = vec![
        1000, 1389, 1930, 2682, 3727, 5179, 7196, 10000, 13894, 19306, 26826, 37275, 51794, 71968,
        100000,
    ];
    assert_eq!(budgets(&broad_lrs(), 100.0), post);
    let mut long = vec![1000; 3];
    long.extend([1392, 2322, 3874, 6463, 10781, 17984, 30000]);
    assert_eq!(budgets(&long_tau_lrs(), 30.0), long);
}

#[test]
fn merged_grid_values() {
    let want = [
        0.316228, 0.263665, 0.219839, 0.183298, 0.152831, 0.127427, 0.106247, 0.1, 0.0885867,
        0.073862, 0.0719686, 0.0615848, 0.0517947, 0.0513483, 0.0428133, 0.0372759, 0.035697,
        0.0297635, 0.026827, 0.0248163, 0.019307, 0.013895, 0.01, 0.00719686, 0.00517947,
        0.00372759, 0.0026827, 0.0019307, 0.0013895, 0.001,
    ];
    let m = merged_lrs();
    assert_eq!(m.len(), 30);
    for (k, (&a, &b)) in m.iter().zip(want.iter()).enumerate() {
        assert!((a - b).abs() / b < 5e-6, "k = {k}: {a} vs {b}");
    }
    assert_eq!(m[7], 0.1);
    assert_eq!(m[29], 0.001);
    assert!((broad_lrs()[1] - 0.0719686).abs() < 1e-7);
    assert!((fixed_window_lrs()[6] - 0.112884).abs() < 1e-6);
    assert_eq!(logspace(-1.0, -3.0, 15)[14], 1e-3);
}

fn dcdt(delay_ms: u32, post: bool, tau_ms: f64, w: WindowMode) -> FullRankTask<f32> {
    FullRankTask::new(
        FullRankTaskKind::Dcdt {
            delay_ms,
            post,
            tau_ms,
        },
        w,
    )
    .unwrap()
}

#[test]
fn reference_windows_and_glitches() {
    for l in 0..=20u32 {
        let d = 20 * l;
        let t = dcdt(d, false, 10.0, WindowMode::Reference);
        let nd = 4 * l as usize;
        assert_eq!(t.steps, 16 + nd);
        let want = match d {
            300 => (64, 74),
            320 => (69, 78),
            _ => (5 + nd, 15 + nd),
        };
        assert_eq!(t.window, want, "delay {d}");
        let c = dcdt(d, false, 10.0, WindowMode::Corrected);
        assert_eq!(c.window, (6 + nd, 16 + nd));
        // Post uses the same formula.
        let p = dcdt(d, true, 10.0, WindowMode::Reference);
        assert_eq!(p.steps, 22 + nd);
        assert_eq!(p.window, want);
    }
    for l in 0..=20u32 {
        let d = 40 * l;
        let t = dcdt(d, false, 20.0, WindowMode::Reference);
        let nd = 8 * l as usize;
        assert_eq!(t.steps, 16 + nd);
        let want = match d {
            320 => (69, 78),
            440 => (92, 103),
            _ => (5 + nd, 15 + nd),
        };
        assert_eq!(t.window, want, "long-tau delay {d}");
        assert_eq!(t.alpha, 0.25);
    }
}

#[test]
fn fixed_window_scores_last_step_only() {
    for l in 0..20u32 {
        let r = 20 * (l + 1);
        let t: FullRankTask<f32> = FullRankTask::new(
            FullRankTaskKind::NoMemory { window_ms: r },
            WindowMode::Reference,
        )
        .unwrap();
        let nr = 4 * (l as usize + 1);
        assert_eq!(t.steps, 6 + nr);
        let want = if r == 300 { (64, 66) } else { (5 + nr, 6 + nr) };
        assert_eq!(t.window, want, "R = {r}");
        assert!(t.weights.iter().all(|&w| w == 1.0));
        // Target e(c) at every step, cue included.
        assert_eq!(t.targets[0], [0.0, 1.0]);
        assert_eq!(t.targets[2 * (t.steps - 1) + 1], [1.0, 0.0]);
        let c: FullRankTask<f32> = FullRankTask::new(
            FullRankTaskKind::NoMemory { window_ms: r },
            WindowMode::Corrected,
        )
        .unwrap();
        assert_eq!(c.window, (6, 6 + nr));
    }
}

#[test]
fn dcdt_inputs_targets_weights() {
    let t = dcdt(200, false, 10.0, WindowMode::Reference);
    assert_eq!((t.steps, t.batch), (56, 128));
    for s in 0..56 {
        for c in 0..2 {
            let e = if c == 0 { [0.0, 1.0] } else { [1.0, 0.0] };
            let u = if s < 6 { e } else { [0.0, 0.0] };
            let y = if (46..56).contains(&s) { e } else { [0.0, 0.0] };
            assert_eq!(t.inputs[2 * s + c], u);
            assert_eq!(t.targets[2 * s + c], y);
        }
        let w = if s >= 46 {
            1.0 - 10.0 / 56.0
        } else {
            10.0 / 56.0
        };
        assert_eq!(t.weights[s], w as f32);
    }
    // Post: K = 16, target zero during the 6 post steps.
    let p = dcdt(200, true, 10.0, WindowMode::Reference);
    assert_eq!(p.steps, 62);
    assert_eq!(p.weights[45], (16.0f64 / 62.0) as f32);
    assert_eq!(p.weights[46], (1.0 - 16.0f64 / 62.0) as f32);
    assert_eq!(p.targets[2 * 56], [0.0, 0.0]);
    assert_eq!(p.targets[2 * 55], [0.0, 1.0]);
    // Long-τ maximum length 176.
    assert_eq!(dcdt(800, false, 20.0, WindowMode::Reference).steps, 176);
}

#[test]
fn rank2_task_weights() {
    let t = Rank2Task::<f64>::from_ms(75.0, 10.0, 0.0).unwrap();
    assert_eq!(t.total(), 17);
    assert_eq!(t.weights[0], 1.0 - 15.0 / 17.0);
    assert!((t.weights[0] - 2.0 / 17.0).abs() < 1e-15);
    assert_eq!(t.weights[15], 15.0 / 17.0);
    assert_eq!(&t.targets[13..], &[0.0, 0.0, 1.0, 1.0]);
    let s1 = Rank2Task::<f64>::from_steps(30, 10, 0).unwrap();
    assert_eq!((s1.weights[0], s1.weights[39]), (0.25, 0.75));
    let s6 = Rank2Task::<f64>::from_steps(6, 2, 0).unwrap();
    assert_eq!((s6.weights[0], s6.weights[7]), (0.25, 0.75));
    // Fig 3 post: T zeros, 2 ones, 6 zeros; 8/(T+8) then T/(T+8).
    let p = Rank2Task::<f64>::from_ms(30.0, 10.0, 30.0).unwrap();
    assert_eq!(p.total(), 14);
    assert_eq!(
        p.targets,
        vec![0., 0., 0., 0., 0., 0., 1., 1., 0., 0., 0., 0., 0., 0.]
    );
    assert!((p.weights[0] - 8.0 / 14.0).abs() < 1e-15);
    assert!((p.weights[13] - 6.0 / 14.0).abs() < 1e-15);
}

#[test]
fn invalid_durations_are_errors() {
    assert!(Rank2Task::<f32>::from_ms(-5.0, 10.0, 0.0).is_err());
    assert!(Rank2Task::<f32>::from_ms(7.0, 10.0, 0.0).is_err());
    assert!(Rank2Task::<f32>::from_ms(75.0, 0.0, 0.0).is_err());
    assert!(Rank2Task::<f32>::from_ms(f64::NAN, 10.0, 0.0).is_err());
    assert!(FullRankTask::<f32>::new(
        FullRankTaskKind::Dcdt {
            delay_ms: 203,
            post: false,
            tau_ms: 10.0
        },
        WindowMode::Reference
    )
    .is_err());
    assert!(FullRankTask::<f32>::new(
        FullRankTaskKind::NoMemory { window_ms: 0 },
        WindowMode::Reference
    )
    .is_err());
}
