//! `dynphase fit-power-law` end to end.

mod common;
use common::{run, value};

#[test]
fn fits_exact_power_law_from_csv() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("d.csv");
    let mut s = String::from("t_c,eta,other\n");
    for i in 0..10 {
        let t = 30.0 * 10f64.powf(i as f64 / 9.0);
        s.push_str(&format!("{t},{},x\n", 5.0 * t.powf(-2.72)));
    }
    std::fs::write(&p, s).unwrap();
    let (ok, out, err) = run(&[
        "fit-power-law",
        p.to_str().unwrap(),
        "--x",
        "t_c",
        "--y",
        "eta",
    ]);
    assert!(ok, "{err}");
    assert!((value(&out, "beta") - 2.72).abs() < 1e-10);
    assert!((value(&out, "intercept") - 5f64.ln()).abs() < 1e-9);
    assert!((value(&out, "r2") - 1.0).abs() < 1e-12);
    assert!(value(&out, "se") < 1e-10);
    assert!(value(&out, "ci95_low") <= 2.72 + 1e-9 && value(&out, "ci95_high") >= 2.72 - 1e-9);
    assert_eq!(value(&out, "n"), 10.0);
    value(&out, "p");
}

#[test]
fn bad_inputs_give_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("g.csv");
    std::fs::write(&good, "a,b\n1,2\n2,3\n3,5\n").unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                dir.path().join("missing.csv").display().to_string(),
                "a".into(),
                "b".into(),
            ],
            "missing.csv",
        ),
        (
            vec![good.display().to_string(), "a".into(), "zz".into()],
            "unknown column 'zz'",
        ),
    ];
    for (v, want) in cases {
        let (ok, _, err) = run(&["fit-power-law", &v[0], "--x", &v[1], "--y", &v[2]]);
        assert!(!ok);
        assert!(err.starts_with("error:") && err.contains(want), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
    let nonnum = dir.path().join("n.csv");
    std::fs::write(&nonnum, "a,b\n1,2\n2,abc\n3,5\n").unwrap();
    let (ok, _, err) = run(&[
        "fit-power-law",
        nonnum.to_str().unwrap(),
        "--x",
        "a",
        "--y",
        "b",
    ]);
    assert!(
        !ok && err.contains("line 3") && err.contains("not a number"),
        "{err}"
    );
    let neg = dir.path().join("m.csv");
    std::fs::write(&neg, "a,b\n1,2\n2,-3\n3,5\n").unwrap();
    let (ok, _, err) = run(&[
        "fit-power-law",
        neg.to_str().unwrap(),
        "--x",
        "a",
        "--y",
        "b",
    ]);
    assert!(
        !ok && err.contains("line 3") && err.contains("positive"),
        "{err}"
    );
    let short = dir.path().join("s.csv");
    std::fs::write(&short, "a,b\n1,2\n2,3\n").unwrap();
    let (ok, _, err) = run(&[
        "fit-power-law",
        short.to_str().unwrap(),
        "--x",
        "a",
        "--y",
        "b",
    ]);
    assert!(!ok && err.contains("at least 3"), "{err}");
}
