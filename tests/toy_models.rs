//! Toy models: every model runs through one generic harness that compares the numerics derived
//! from its ODE with its closed forms (docs/toy-theory.md), plus the reference values of docs/toy-theory.md.

mod common;
use common::rel;

use dynphase::toy::testing::{check_closed_form, Tolerances};
use dynphase::toy::{ClosedForm, LimitCycle, SaddleNode, ToyNumerics};
use proptest::prelude::*;

/// The public harness of `dynphase::toy::testing` with the default tolerances and η* within
/// `tol_eta`: the loss at probe points, the flat zone, r*, r_NL, both one-sided slopes, η*
/// and the central slopes against the closed forms. Returns the relative error of η*.
fn check_model<M: ClosedForm>(m: &M, tol_eta: f64) -> f64 {
    let tol = Tolerances {
        eta_rel: tol_eta,
        ..Tolerances::default()
    };
    match check_closed_form(m, &tol) {
        Ok(r) => r.eta_star,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn harness_over_delay_grid_eta_within_one_percent() {
    // T_d in [10, 400], T_r in {5, T_d}.
    let mut worst: f64 = 0.0;
    for &td in &[10.0, 25.0, 60.0, 100.0, 200.0, 400.0] {
        for tr in [5.0, td] {
            worst = worst.max(check_model(&SaddleNode::new(td, tr).unwrap(), 0.01));
            worst = worst.max(check_model(&LimitCycle::new(td, tr).unwrap(), 0.01));
        }
    }
    println!("worst relative eta* error: {worst:e}");
}

/// Limit cycle with T_d < T_r < 2T_d: no zero of the loss, the minimum moves to
/// r* = 1/(T_d + T_r); the closed forms of that regime against the ODE numerics.
#[test]
fn harness_limit_cycle_long_response_window() {
    for &td in &[10.0, 60.0, 200.0] {
        for k in [1.2, 1.5, 1.9] {
            let m = LimitCycle::new(td, k * td).unwrap();
            assert!(m.closed_form_domain().is_ok());
            let e = check_model(&m, 1e-6);
            assert!(e < 1e-6, "T_d={td} K={k}: {e}");
        }
        let m = LimitCycle::new(td, 2.0 * td).unwrap();
        assert!(m.closed_form_domain().is_err());
        assert!(m.r_star_closed().is_nan() && m.eta_star_closed().is_nan());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]
    #[test]
    fn harness_random_windows(td in 10.0f64..400.0, frac in 0.02f64..1.0) {
        let tr = frac * td;
        check_model(&SaddleNode::new(td, tr).unwrap(), 0.01);
        check_model(&LimitCycle::new(td, tr).unwrap(), 0.01);
    }
}

/// docs/toy-theory.md reference values: table, exact periodic loss and ODE loss agree to the printed
/// digits; the bracketed Riemann values (dt = 0.01) are reproduced too.
#[test]
fn limit_cycle_reference_values() {
    let m = LimitCycle::new(60.0, 10.0).unwrap();
    let cases = [
        (0.0, 1.0, Some(1.0)),
        (0.6 / 70.0, 0.027778, Some(0.027833)),
        (1.0 / 120.0, 0.0, Some(0.001)),
        (0.9 / 70.0, 0.351852, None),
        (1.0 / 70.0, 0.416667, None),
        (1.1 / 70.0, 1.106061, Some(1.105667)),
        (1.0 / 60.0, 1.5, Some(1.499)),
    ];
    for (r, l, riemann) in cases {
        assert!(
            (m.loss_table(r) - l).abs() < 5e-7,
            "table L({r}) = {}",
            m.loss_table(r)
        );
        assert!(
            (m.loss_closed(r) - l).abs() < 5e-7,
            "exact L({r}) = {}",
            m.loss_closed(r)
        );
        assert!(
            (m.loss(r).unwrap() - l).abs() < 5e-7,
            "ODE L({r}) = {}",
            m.loss(r).unwrap()
        );
        if let Some(v) = riemann {
            let got = m.loss_riemann(r, 0.01).unwrap();
            let digits = if v == 0.001 || v == 1.499 { 5e-4 } else { 5e-7 };
            assert!((got - v).abs() < digits, "Riemann L({r}) = {got} vs {v}");
        }
    }
    let m = LimitCycle::new(100.0, 40.0).unwrap();
    for (r, l) in [
        (0.6 / 140.0, 0.416667),
        (0.9 / 140.0, 0.222222),
        (1.0 / 140.0, 0.3),
        (1.1 / 140.0, 0.681818),
        (0.01, 1.5),
    ] {
        assert!(
            (m.loss_table(r) - l).abs() < 5e-7,
            "table L({r}) = {}",
            m.loss_table(r)
        );
        assert!((m.loss_closed(r) - l).abs() < 5e-7, "exact L({r})");
        assert!((m.loss(r).unwrap() - l).abs() < 5e-7, "ODE L({r})");
    }
    // Outside the modelled domain the table is NaN while the exact loss is defined.
    assert!(m.loss_table(0.02).is_nan());
    assert!(m.loss_closed(0.02).is_finite());
    // Equal windows: third branch 3 − 3/(2 T_d r) on [1/(2T_d), 3/(4T_d)].
    let e = LimitCycle::new(50.0, 50.0).unwrap();
    let r = 0.7 / 50.0;
    assert!((e.loss_table(r) - (3.0 - 3.0 / (2.0 * 50.0 * r))).abs() < 1e-12);
    assert!((e.loss_closed(r) - e.loss_table(r)).abs() < 1e-12);
}

/// docs/toy-theory.md test values to the printed digits, the slopes of §7.1–7.2 and the equal-window
/// forms.
#[test]
fn critical_rate_reference_values() {
    let close = |a: f64, b: f64| rel(a, b) < 5e-7;
    for (tr, td, sp, lc) in [
        (5.0, 10.0, 1.217614e-3, 1.25e-3),
        (5.0, 100.0, 1.217614e-8, 1.25e-6),
        (5.0, 400.0, 1.189076e-11, 1.953125e-8),
        (10.0, 60.0, 3.131722e-7, 1.157407e-5),
    ] {
        let s = SaddleNode::new(td, tr).unwrap().eta_star_leading();
        let l = LimitCycle::new(td, tr).unwrap().eta_star_leading();
        assert!(close(s, sp), "SP leading ({tr},{td}) = {s:e}");
        assert!(close(l, lc), "LC leading ({tr},{td}) = {l:e}");
    }
    for (td, tr, sp, lc) in [
        (100.0, 10.0, 2.113214e-8, 2.272727e-6),
        (100.0, 100.0, 9.132102e-8, 4.166667e-6),
    ] {
        let s = SaddleNode::new(td, tr).unwrap();
        let l = LimitCycle::new(td, tr).unwrap();
        assert!(
            close(s.eta_star_closed(), sp),
            "SP exact {:e}",
            s.eta_star_closed()
        );
        assert!(
            close(l.eta_star_closed(), lc),
            "LC exact {:e}",
            l.eta_star_closed()
        );
        // Numerics from the ODE agree with the closed forms within 1 %.
        assert!(rel(s.critical_rate().unwrap().eta_star, sp) < 0.01);
        assert!(rel(l.critical_rate().unwrap().eta_star, lc) < 0.01);
    }
    // Equal windows: (3π⁴/32) T_d⁻⁴ and T_d⁻²/24 equal the exact forms at T_r = T_d.
    let pi4 = std::f64::consts::PI.powi(4);
    for td in [20.0, 100.0, 300.0] {
        let s = SaddleNode::new(td, td).unwrap();
        let l = LimitCycle::new(td, td).unwrap();
        assert!(rel(s.eta_star_closed(), s.eta_star_equal_windows()) < 1e-12);
        assert!(rel(l.eta_star_closed(), l.eta_star_equal_windows()) < 1e-12);
        assert!(rel(s.eta_star_equal_windows(), 3.0 * pi4 / 32.0 / td.powi(4)) < 1e-14);
        assert!(rel(l.eta_star_equal_windows(), 1.0 / (24.0 * td * td)) < 1e-14);
        // LC right slope 6 T_d at equal windows.
        assert!(rel(l.slope_right_closed(), 6.0 * td) < 1e-14);
    }
    // SP with T_r → ∞: π⁴/(8 T_d⁴).
    let s = SaddleNode::new(50.0, 1e9).unwrap();
    assert!(rel(s.eta_star_closed(), pi4 / (8.0 * 50f64.powi(4))) < 1e-12);
}

#[test]
fn saddle_node_escape_times() {
    use std::f64::consts::PI;
    assert!(rel(SaddleNode::escape_time(0.01), PI / 0.2) < 1e-15);
    assert!(SaddleNode::escape_time(0.0).is_infinite());
    assert!(SaddleNode::escape_time(-1.0).is_infinite());
    // General form: x0 → −∞, x_th → ∞ gives π/√r.
    let t = SaddleNode::escape_time_general(0.04, -1e12, 1e12).unwrap();
    assert!(rel(t, PI / 0.2) < 1e-10);
    assert!(SaddleNode::escape_time_general(-0.1, 0.0, 1.0).is_err());
    // The switch time from the integrated ODE is t*.
    let m = SaddleNode::new(100.0, 20.0).unwrap();
    let (o0, sw) = m.switch_times(3e-4).unwrap();
    assert!(!o0);
    assert_eq!(sw.len(), 1);
    assert!(
        (sw[0] - SaddleNode::escape_time(3e-4)).abs() < 1e-7,
        "{}",
        sw[0]
    );
    // No switch for r ≤ 0.
    assert!(m.switch_times(-1e-3).unwrap().1.is_empty());
}

/// Smooth readout sigmoid(a (x − 10)): for a large gain the loss approaches the step loss with
/// the switch at the threshold time t_10 = arctan(10/√r)/√r (docs/toy-theory.md general escape time).
#[test]
fn saddle_node_sigmoid_readout_approaches_threshold_step() {
    let (td, tr) = (30.0, 10.0);
    let m = SaddleNode::new(td, tr)
        .unwrap()
        .with_sigmoid_readout(200.0, 0.002)
        .unwrap();
    for r in [2.0e-3, 3.0e-3, 5.0e-3] {
        let t10 = SaddleNode::escape_time_general(r, 0.0, 10.0).unwrap();
        let expected = if t10 >= td {
            (t10 - td) / tr
        } else {
            (td - t10) / td
        };
        let got = m.loss(r).unwrap();
        assert!((got - expected).abs() < 2e-3, "r={r}: {got} vs {expected}");
    }
    assert!(SaddleNode::new(30.0, 10.0)
        .unwrap()
        .with_sigmoid_readout(-1.0, 0.1)
        .is_err());
}

#[test]
fn bad_windows_are_typed_errors() {
    for (td, tr) in [
        (0.0, 5.0),
        (-1.0, 5.0),
        (f64::NAN, 5.0),
        (10.0, 0.0),
        (10.0, f64::INFINITY),
    ] {
        assert!(SaddleNode::new(td, tr).is_err());
        assert!(LimitCycle::new(td, tr).is_err());
    }
    let m = LimitCycle::new(10.0, 5.0).unwrap();
    assert!(m.loss(f64::NAN).is_err());
    assert!(m.gd_run(-1.0, 0.1, 10).is_err());
}

/// The output trajectory of the integrated LC model is H(−sin 2πrt) (away from the switches),
/// and the SP output is 𝟙[t ≥ t*].
#[test]
fn output_trajectories_match_closed_forms() {
    let lc = LimitCycle::new(20.0, 5.0).unwrap();
    let r = 0.13;
    let times: Vec<f64> = (0..500).map(|i| 0.05 * i as f64 + 0.013).collect();
    let o = lc.output_trajectory(r, &times).unwrap();
    for (t, v) in times.iter().zip(&o) {
        let s = (2.0 * std::f64::consts::PI * r * t).sin();
        if s.abs() > 1e-6 {
            assert_eq!(*v, if -s > 0.0 { 1.0 } else { 0.0 }, "t={t}");
        }
    }
    let sp = SaddleNode::new(20.0, 5.0).unwrap();
    let r = 0.01;
    let ts = SaddleNode::escape_time(r);
    let times: Vec<f64> = (0..200).map(|i| 0.1 * i as f64 + 0.0137).collect();
    let o = sp.output_trajectory(r, &times).unwrap();
    for (t, v) in times.iter().zip(&o) {
        assert_eq!(*v, if *t >= ts { 1.0 } else { 0.0 }, "t={t}");
    }
    assert!(sp.output_trajectory(r, &[2.0, 1.0]).is_err());
}
