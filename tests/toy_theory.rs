//! Automatic leading-order theory of formula models: the paper's asymptotic forms recovered
//! from the formulas alone, predictions against closed forms and numerics, a property test over
//! random fold normal forms, and the `toy check` / `theory --model` command lines.

mod common;
use common::rel;

use std::f64::consts::PI;
use std::process::Command;

use dynphase::toy::{
    Bifurcation, ClosedForm, FormulaModel, LeadingOrder, LimitCycle, SaddleNode, ToyModel,
    ToyNumerics,
};
use proptest::prelude::*;

fn path(file: &str) -> String {
    format!("{}/models/{file}", env!("CARGO_MANIFEST_DIR"))
}

fn model(file: &str) -> FormulaModel {
    FormulaModel::from_file(path(file)).unwrap()
}

#[test]
fn paper_asymptotic_forms_from_the_formulas_alone() {
    let sp = LeadingOrder::detect(&model("saddle_node.toml")).unwrap();
    assert!(matches!(
        sp.bifurcation,
        Bifurcation::Fold {
            half_passage: true,
            ..
        }
    ));
    let (c, p, beta) = sp.eta_leading();
    assert!(
        rel(c, PI.powi(4) / 4.0) < 1e-9 && p == 1 && beta == 5.0,
        "{c}"
    );
    let (c, beta) = sp.eta_equal_windows().unwrap();
    assert!(rel(c, 3.0 * PI.powi(4) / 32.0) < 1e-9 && beta == 4.0, "{c}");

    let lc = LeadingOrder::detect(&model("limit_cycle.toml")).unwrap();
    assert!(matches!(lc.bifurcation, Bifurcation::Rotation { .. }));
    let (c, p, beta) = lc.eta_leading();
    assert!(rel(c, 0.25) < 1e-9 && p == 1 && beta == 3.0, "{c}");
    let (c, beta) = lc.eta_equal_windows().unwrap();
    assert!(rel(c, 1.0 / 24.0) < 1e-9 && beta == 2.0, "{c}");
    assert_eq!(
        lc.formulas()[0],
        "eta* ≈ 2.500000e-1 * T_r * T_d^-3 (T_r << T_d)"
    );
}

/// Within its normal form the prediction is exact for both paper models (T_r < T_d, and
/// T_r = T_d): r*, r_NL, both slopes and η* against the closed forms.
#[test]
fn predictions_equal_closed_forms_of_the_paper_models() {
    let sp = LeadingOrder::detect(&model("saddle_node.toml")).unwrap();
    let lc = LeadingOrder::detect(&model("limit_cycle.toml")).unwrap();
    for &td in &[10.0, 37.0, 100.0, 400.0] {
        for tr in [5.0, 0.5 * td, td] {
            let check = |lo: &LeadingOrder, c: &dyn Fn() -> [f64; 5], w| {
                let p = lo.predict(w);
                let got = [p.r_star, p.r_nl, p.slope_right, p.slope_left, p.eta_star];
                for (g, e) in got.iter().zip(c()) {
                    assert!(rel(*g, e) < 1e-9, "T_d={td} T_r={tr}: {got:?} vs {:?}", c());
                }
            };
            let s = SaddleNode::new(td, tr).unwrap();
            let closed = |m: &dyn ClosedForm| {
                [
                    m.r_star_closed(),
                    m.r_nl_closed(),
                    m.slope_right_closed(),
                    m.slope_left_closed(),
                    m.eta_star_closed(),
                ]
            };
            check(&sp, &|| closed(&s), s.windows());
            let l = LimitCycle::new(td, tr).unwrap();
            check(&lc, &|| closed(&l), l.windows());
        }
    }
}

/// SNIC θ' = r − cos θ: fold at (0, 1) with a = 1/2, b = 1, half passage; the prediction
/// converges to the numeric η* as T_d grows (measured: 34 % at T_d = 20, 1.9 % at 320).
#[test]
fn snic_prediction_converges_to_numerics() {
    let m = model("snic.toml");
    let lo = LeadingOrder::detect(&m).unwrap();
    match lo.bifurcation {
        Bifurcation::Fold {
            x_c,
            r_c,
            a,
            b,
            half_passage,
        } => {
            assert!(x_c.abs() < 1e-12 && (r_c - 1.0).abs() < 1e-12);
            assert!((a - 0.5).abs() < 1e-12 && (b - 1.0).abs() < 1e-12 && half_passage);
        }
        other => panic!("{other:?}"),
    }
    let mut last = f64::INFINITY;
    for td in [20.0, 80.0, 320.0] {
        let mw = m.clone().with_windows(td, 5.0).unwrap();
        let e = rel(
            lo.predict(mw.windows()).eta_star,
            mw.critical_rate().unwrap().eta_star,
        );
        assert!(e < last, "T_d={td}: {e} not below {last}");
        last = e;
    }
    assert!(last < 0.025, "{last}");
}

fn normal_form(a: f64, b: f64, td: f64, tr: f64) -> FormulaModel {
    // x' = a x² + b r in the angle chart x = tan φ (regular through the blow-up).
    let text = format!(
        r#"
name = "fold"
state = ["phi"]
rhs = ["a*sin(phi)^2 + b*r*cos(phi)^2"]
initial = ["0"]
indicator = "phi - PI/2"
r_search = ["0.05/(a*b*T_d^2)", "50/(a*b*T_d^2)"]
[windows]
t_delay = {td}
t_resp = {tr}
[constants]
a = {a}
b = {b}
"#
    );
    FormulaModel::from_toml(&text).unwrap()
}

proptest! {
    // Failure persistence stays on (the default: proptest-regressions/).
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]
    /// Random fold normal forms ẋ = a x² + b r with random windows: the normal-form
    /// prediction matches the numeric η* to 1e-6, and the leading term C T_r T_d⁻⁵ is off by
    /// exactly its stated factor 2(1 + K)²/(K + 2), K = T_r/T_d.
    #[test]
    fn fold_normal_forms(a in 0.2f64..5.0, b in 0.2f64..5.0, td in 20.0f64..200.0, k in 0.01f64..0.5) {
        let tr = k * td;
        let m = normal_form(a, b, td, tr);
        let lo = LeadingOrder::detect(&m).unwrap();
        let num = m.critical_rate().unwrap().eta_star;
        let pred = lo.predict(m.windows()).eta_star;
        prop_assert!(rel(pred, num) < 1e-6, "a={} b={} pred {} num {}", a, b, pred, num);
        let (c, _, beta) = lo.eta_leading();
        prop_assert!(rel(c, PI.powi(4) / (4.0 * a * a * b * b)) < 1e-9);
        let lead = c * tr * td.powf(-beta);
        let factor = 2.0 * (1.0 + k).powi(2) / (k + 2.0);
        prop_assert!(rel(lead / num, factor) < 1e-6, "{} vs {}", lead / num, factor);
    }
}

fn run_cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dynphase"))
        .args(args)
        .output()
        .expect("run dynphase");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_toy_check_and_theory_model() {
    let (code, out, err) = run_cli(&["toy", "check", &path("snic.toml")]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("theta' = r - cos(theta)"), "{out}");
    assert!(
        out.contains("fold of theta' at theta = 0.000000e0, r_c = 1.000000e0"),
        "{out}"
    );
    assert!(out.contains("eta* ≈ 9.740909e1 * T_r * T_d^-5"), "{out}");
    let (code, out, err) = run_cli(&[
        "theory",
        "--model",
        &path("limit_cycle.toml"),
        "--t-delay",
        "50,100,200",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "t_delay,t_resp,r_star_numeric,r_star_predicted,eta_numeric,eta_predicted,eta_leading"
    );
    for l in &lines[1..] {
        let v: Vec<f64> = l.split(',').map(|x| x.parse().unwrap()).collect();
        let exact = LimitCycle::new(v[0], v[1]).unwrap().eta_star_closed();
        assert!(rel(v[4], exact) < 1e-7 && rel(v[5], exact) < 1e-9, "{l}");
        assert!(rel(v[6], v[1] / (4.0 * v[0].powi(3))) < 1e-9, "{l}");
    }
    assert!(
        err.contains("leading order within 10 % of eta_numeric for T_delay >= 50"),
        "{err}"
    );
    // Errors: missing file, bad formula (with its column), no bifurcation.
    let dir = tempfile::tempdir().unwrap();
    // The model's theory figure: both files written and announced; --figures without a
    // model is an error, not a silent no-op.
    let figs = dir.path().join("figs");
    let (code, _, err) = run_cli(&[
        "theory",
        "--model",
        &path("snic.toml"),
        "--t-delay",
        "20,40,80,160",
        "--figures",
        figs.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    for ext in ["png", "svg"] {
        let f = figs.join(format!("model_snic_theory.{ext}"));
        assert!(std::fs::metadata(&f).unwrap().len() > 1000, "{f:?}");
        assert!(err.contains(&format!("wrote {}", f.display())), "{err}");
    }
    let (code, _, err) = run_cli(&["theory", "--figures", figs.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(
        err.contains("--figures") && err.contains("--model"),
        "{err}"
    );
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        std::fs::read_to_string(path("snic.toml"))
            .unwrap()
            .replace("r - cos(theta)", "r - cos(thta)"),
    )
    .unwrap();
    for (args, want) in [
        (
            vec!["toy", "check", "/nonexistent/m.toml"],
            "/nonexistent/m.toml",
        ),
        (
            vec!["toy", "check", bad.to_str().unwrap()],
            "unknown variable 'thta'",
        ),
        (vec!["theory", "--model", bad.to_str().unwrap()], "column 9"),
    ] {
        let (code, _, err) = run_cli(&args);
        assert_ne!(code, 0, "{args:?}");
        assert!(
            err.starts_with("error:") && err.contains(want),
            "{args:?}: {err}"
        );
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
}
