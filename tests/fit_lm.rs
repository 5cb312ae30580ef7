//! MINPACK Levenberg–Marquardt port: Moré–Garbow–Hillstrom (1981) test problems, onset-model
//! recovery, scipy-style covariance, and input errors.

use dynphase::fit::{curve_fit, exp_saturation, lmdif, logistic, LmOptions, OnsetModel};

fn opts_maxfev(n: usize) -> LmOptions {
    LmOptions {
        maxfev: Some(n),
        ..LmOptions::default()
    }
}

#[test]
fn rosenbrock_reaches_published_minimum() {
    // MGH problem 1: f1 = 10 (x2 - x1^2), f2 = 1 - x1; x0 = (-1.2, 1); minimum 0 at (1, 1).
    let r = lmdif(
        |x, f| {
            f[0] = 10.0 * (x[1] - x[0] * x[0]);
            f[1] = 1.0 - x[0];
        },
        &[-1.2, 1.0],
        2,
        &LmOptions::default(),
    )
    .unwrap();
    println!(
        "rosenbrock: {:?} sse {} nfev {} {:?}",
        r.params, r.sse, r.nfev, r.status
    );
    assert!(r.status.converged());
    assert!((r.params[0] - 1.0).abs() < 1e-7 && (r.params[1] - 1.0).abs() < 1e-7);
    assert!(r.sse < 1e-20);
}

/// MGH problem 8 (Bard): m = 15, n = 3, published minimum sum of squares 8.21487e-3.
#[test]
fn bard_reaches_published_minimum() {
    let y = [
        0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34, 2.10, 4.39,
    ];
    let r = lmdif(
        |x, f| {
            for i in 0..15 {
                let u = (i + 1) as f64;
                let v = (15 - i) as f64;
                let w = u.min(v);
                f[i] = y[i] - (x[0] + u / (v * x[1] + w * x[2]));
            }
        },
        &[1.0, 1.0, 1.0],
        15,
        &LmOptions::default(),
    )
    .unwrap();
    println!(
        "bard: {:?} sse {} nfev {} {:?}",
        r.params, r.sse, r.nfev, r.status
    );
    assert!(r.status.converged());
    assert!((r.sse - 8.21487e-3).abs() < 1e-8, "sse {}", r.sse);
    // Published minimiser (0.08241, 1.133, 2.344).
    assert!((r.params[0] - 0.08241).abs() < 1e-4);
    assert!((r.params[1] - 1.133).abs() < 2e-3);
    assert!((r.params[2] - 2.344).abs() < 2e-3);
}

/// MGH problem 10 (Meyer): m = 16, n = 3, published minimum sum of squares 87.9458.
#[test]
fn meyer_reaches_published_minimum() {
    let y = [
        34780.0, 28610.0, 23650.0, 19630.0, 16370.0, 13720.0, 11540.0, 9744.0, 8261.0, 7030.0,
        6005.0, 5147.0, 4427.0, 3820.0, 3307.0, 2872.0,
    ];
    let r = lmdif(
        |x, f| {
            for i in 0..16 {
                let t = 45.0 + 5.0 * (i + 1) as f64;
                f[i] = x[0] * (x[1] / (t + x[2])).exp() - y[i];
            }
        },
        &[0.02, 4000.0, 250.0],
        16,
        &opts_maxfev(5000),
    )
    .unwrap();
    println!(
        "meyer: {:?} sse {} nfev {} {:?}",
        r.params, r.sse, r.nfev, r.status
    );
    assert!(r.status.converged());
    assert!((r.sse - 87.9458).abs() < 1e-3, "sse {}", r.sse);
    assert!((r.params[1] - 6181.35).abs() < 1.0);
    assert!((r.params[2] - 345.224).abs() < 0.1);
}

fn delays() -> Vec<f64> {
    (0..21).map(|i| 20.0 * i as f64).collect()
}

#[test]
fn exp_saturation_recovered_from_paper_start() {
    let t = delays();
    for &(x0, a) in &[(87.0, 0.03), (143.5, 0.012), (31.0, 0.1)] {
        let y: Vec<f64> = t.iter().map(|&v| exp_saturation(v, x0, a)).collect();
        let r = OnsetModel::ExpSaturation
            .fit(&t, &y, [0.1, 0.1], None)
            .unwrap();
        println!("saturation ({x0}, {a}): {:?} nfev {}", r.params, r.nfev);
        assert!((r.params[0] - x0).abs() < 1e-5, "{:?}", r.params);
        assert!((r.params[1] - a).abs() < 1e-7, "{:?}", r.params);
    }
}

#[test]
fn logistic_recovered_with_negative_slope() {
    let t = delays();
    let (x0, k) = (130.0, -0.04);
    let y: Vec<f64> = t.iter().map(|&v| logistic(v, x0, k)).collect();
    let r = OnsetModel::Logistic
        .fit(&t, &y, [100.0, -0.01], None)
        .unwrap();
    println!("logistic: {:?} nfev {}", r.params, r.nfev);
    assert!((r.params[0] - x0).abs() < 1e-6 && (r.params[1] - k).abs() < 1e-9);
    // Transposed logistic on x = ln eta.
    let x: Vec<f64> = (0..20)
        .map(|i| -3.0 * 10f64.ln() * i as f64 / 19.0)
        .collect();
    let y: Vec<f64> = x
        .iter()
        .map(|&v| dynphase::fit::transposed_logistic(v, -4.0, -6.0))
        .collect();
    let r = OnsetModel::TransposedLogistic
        .fit(&x, &y, [-5.0, -10.0], Some(1_000_000))
        .unwrap();
    assert!((r.params[0] + 4.0).abs() < 1e-7 && (r.params[1] + 6.0).abs() < 1e-6);
}

#[test]
fn covariance_is_inverse_normal_matrix_times_residual_variance() {
    // Noisy saturation data; independent pcov from the analytic Jacobian at the optimum.
    let t = delays();
    let noise = [
        0.0, 0.01, -0.02, 0.015, -0.01, 0.02, -0.015, 0.01, 0.0, -0.01, 0.02, -0.02, 0.01, 0.005,
        -0.005, 0.01, -0.01, 0.0, 0.015, -0.015, 0.0,
    ];
    let y: Vec<f64> = t
        .iter()
        .zip(&noise)
        .map(|(&v, e)| exp_saturation(v, 70.0, 0.02) + e)
        .collect();
    let r = curve_fit(
        |v, p| exp_saturation(v, p[0], p[1]),
        &t,
        &y,
        &[0.1, 0.1],
        &LmOptions::default(),
    )
    .unwrap();
    let (x0, a) = (r.params[0], r.params[1]);
    let (mut s00, mut s01, mut s11) = (0.0, 0.0, 0.0);
    for &v in &t {
        if v >= x0 {
            let e = (-a * (v - x0)).exp();
            let (j0, j1) = (-a * e, (v - x0) * e);
            s00 += j0 * j0;
            s01 += j0 * j1;
            s11 += j1 * j1;
        }
    }
    let det = s00 * s11 - s01 * s01;
    let s2 = r.sse / (t.len() - 2) as f64;
    let c = r.pcov.clone().unwrap();
    let want = [
        [s11 / det * s2, -s01 / det * s2],
        [-s01 / det * s2, s00 / det * s2],
    ];
    for i in 0..2 {
        for j in 0..2 {
            assert!(
                (c[i][j] - want[i][j]).abs()
                    < 1e-4 * want[i][i].abs().sqrt() * want[j][j].abs().sqrt(),
                "pcov {c:?} vs {want:?}"
            );
        }
    }
}

#[test]
fn bad_input_is_an_error() {
    let t = delays();
    let mut y: Vec<f64> = t.iter().map(|&v| exp_saturation(v, 50.0, 0.05)).collect();
    y[3] = f64::NAN;
    assert!(OnsetModel::ExpSaturation
        .fit(&t, &y, [0.1, 0.1], None)
        .is_err());
    let y: Vec<f64> = t.iter().map(|&v| exp_saturation(v, 50.0, 0.05)).collect();
    assert!(OnsetModel::ExpSaturation
        .fit(&t, &y, [f64::NAN, 0.1], None)
        .is_err());
    assert!(OnsetModel::ExpSaturation
        .fit(&t[..1], &y[..1], [0.1, 0.1], None)
        .is_err());
    assert!(OnsetModel::ExpSaturation
        .fit(&t, &y[..5], [0.1, 0.1], None)
        .is_err());
    // Budget exhausted -> error, as scipy's curve_fit raises.
    assert!(OnsetModel::ExpSaturation
        .fit(&t, &y, [0.1, 0.1], Some(4))
        .is_err());
}

#[test]
fn non_convergence_is_a_typed_status_with_its_source() {
    use dynphase::fit::{FitError, LmStatus};
    // An exponential decay from far away with 6 evaluations: MINPACK stops with status 5.
    let x = [0.0f64, 1.0, 2.0, 3.0, 4.0];
    let y: Vec<f64> = x.iter().map(|t| 2.0 * (-0.7 * t).exp()).collect();
    let e = curve_fit(
        |t, p| p[0] * (-p[1] * t).exp(),
        &x,
        &y,
        &[10.0, 5.0],
        &opts_maxfev(6),
    )
    .unwrap_err();
    match &e {
        dynphase::Error::Fit {
            source: FitError::NotConverged { status, nfev },
            ..
        } => {
            assert_eq!(*status, LmStatus::MaxFev);
            assert!(*nfev >= 6, "{nfev}");
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert!(std::error::Error::source(&e).is_some());
    assert!(e.to_string().contains("MINPACK status 5"), "{e}");
    // NaN residuals at the start.
    let e = curve_fit(|_, _| f64::NAN, &x, &y, &[1.0, 1.0], &Default::default()).unwrap_err();
    assert!(
        matches!(
            e,
            dynphase::Error::Fit {
                source: FitError::NonFiniteStart,
                ..
            }
        ),
        "{e:?}"
    );
}
