//! Toy models: every model runs through one generic harness that compares the numerics derived
//! from its ODE with its closed forms (SPEC §7), plus the reference values of SPEC §7.2–7.3.

use dynphase::toy::{ClosedForm, LimitCycle, SaddleNode, Side, ToyModel};
use proptest::prelude::*;

fn rel(a: f64, b: f64) -> f64 {
    ((a - b) / b).abs()
}

/// Generic harness: numeric loss at probe points, r*, r_NL, both one-sided slopes and η*
/// against the closed forms. Returns the relative error of η*.
fn check_model<M: ClosedForm>(m: &M, tol_eta: f64) -> f64 {
    let w = m.windows();
    let tag = format!("{} T_d={} T_r={}", m.name(), w.t_delay, w.t_resp);
    let rs = m.r_star_closed();
    let rnl = m.r_nl_closed();
    // Loss at points across the landscape (away from kinks).
    for f in [0.3, 0.93, 1.07, 1.3, 2.2] {
        let r = rnl + f * (rs - rnl);
        let (ln, lc) = (m.loss(r).unwrap(), m.loss_closed(r));
        assert!(
            (ln - lc).abs() < 1e-6,
            "{tag}: L({r}) numeric {ln} vs closed {lc}"
        );
    }
    // Flat zone.
    assert!((m.loss(0.5 * rnl).unwrap() - 1.0).abs() < 1e-12, "{tag}");
    assert!(m.is_flat(0.5 * rnl).unwrap(), "{tag}");
    assert!(!m.is_flat(0.5 * (rnl + rs)).unwrap(), "{tag}");
    let c = m.critical_rate().unwrap();
    assert!(rel(c.r_star, rs) < 1e-7, "{tag}: r* {} vs {rs}", c.r_star);
    assert!(rel(c.r_nl, rnl) < 1e-7, "{tag}: r_NL {} vs {rnl}", c.r_nl);
    assert!(
        rel(c.slope_right, m.slope_right_closed()) < 1e-3,
        "{tag}: |L'(r*+)| {} vs {}",
        c.slope_right,
        m.slope_right_closed()
    );
    assert!(
        rel(c.slope_left, m.slope_left_closed()) < 1e-3,
        "{tag}: |L'(r*-)| {} vs {}",
        c.slope_left,
        m.slope_left_closed()
    );
    let e = rel(c.eta_star, m.eta_star_closed());
    assert!(
        e < tol_eta,
        "{tag}: eta* {} vs {}",
        c.eta_star,
        m.eta_star_closed()
    );
    // Closed-form slope agrees with a difference of the closed-form loss away from kinks.
    let r = rnl + 0.6 * (rs - rnl);
    let d = 1e-7 * r;
    let fd = (m.loss_closed(r + d) - m.loss_closed(r - d)) / (2.0 * d);
    assert!(rel(m.loss_slope_closed(r), fd) < 1e-5, "{tag}");
    let sn = m.loss_slope(r, Side::Central).unwrap();
    assert!(rel(sn, fd) < 1e-4, "{tag}: numeric slope {sn} vs {fd}");
    e
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, .. ProptestConfig::default() })]
    #[test]
    fn harness_random_windows(td in 10.0f64..400.0, frac in 0.02f64..1.0) {
        let tr = frac * td;
        check_model(&SaddleNode::new(td, tr).unwrap(), 0.01);
        check_model(&LimitCycle::new(td, tr).unwrap(), 0.01);
    }
}
