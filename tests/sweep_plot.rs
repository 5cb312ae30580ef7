//! Sweep figures render from records (fake executor data) into PNG + SVG files.

use dynphase::fit::BoundaryFits;
use dynphase::plot::sweep as sweep_plot;
use dynphase::sweep::discover::CANDIDATES;
use dynphase::sweep::phase_table;
use dynphase::sweep::{FakeExecutor, Overrides, Preset, RunExecutor, RunRecord};

/// Draw the sweep figures of `recs` (every experiment present) into `out`: per experiment,
/// its phase table, the paper's fits of the boundaries its figures show, and the figures.
fn render_records(recs: &[RunRecord], out: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for (e, _) in CANDIDATES {
        let mine: Vec<RunRecord> = recs.iter().filter(|r| r.experiment == e).cloned().collect();
        if mine.is_empty() {
            continue;
        }
        let table = phase_table(&mine, e);
        let fits: Vec<BoundaryFits> = sweep_plot::fitted_boundaries(e)
            .into_iter()
            .map(|b| BoundaryFits::paper(&table, e, b))
            .collect();
        files.extend(sweep_plot::render(e, &mine, &table, &fits, out).unwrap());
    }
    files
}

fn records(preset: &str, seeds: u64) -> Vec<RunRecord> {
    let o = Overrides {
        seeds: Some(seeds),
        epochs: Some(50),
        ..Default::default()
    };
    let p = Preset::named(preset).unwrap().with_overrides(&o).unwrap();
    let f = FakeExecutor::default();
    p.runs()
        .iter()
        .map(|s| RunRecord::new(s, f.run(s).unwrap(), 0.0))
        .collect()
}

#[test]
fn every_available_experiment_gets_its_panels() {
    let tmp = tempfile::tempdir().unwrap();
    let mut recs = records("nopost", 3);
    recs.extend(records("post", 2));
    recs.extend(records("long-tau", 2));
    recs.extend(records("no-memory", 2));
    let files = render_records(&recs, tmp.path());
    let mut names: Vec<String> = files
        .iter()
        .filter(|p| p.extension().unwrap() == "png")
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // Fake data follow a known boundary, so the scaling fits (4C, 4F, S3F, S6C) succeed.
    let want = [
        "fig4A",
        "fig4B",
        "fig4C",
        "fig4D",
        "fig4E",
        "fig4F",
        "fig4H",
        "fig4I",
        "figS3A",
        "figS3B",
        "figS3C",
        "figS3D",
        "figS3E",
        "figS3F",
        "figS5A",
        "figS5B",
        "figS5C",
        "figS5C_fits",
        "figS6A",
        "figS6B",
        "figS6C",
    ];
    assert_eq!(names, want);
    for f in &files {
        assert!(
            std::fs::metadata(f).unwrap().len() > 1000,
            "{}",
            f.display()
        );
    }
    // Only the experiments present are drawn.
    let only_post = records("post", 1);
    let tmp2 = tempfile::tempdir().unwrap();
    let files = render_records(&only_post, tmp2.path());
    let stems: Vec<String> = files
        .iter()
        .filter(|p| p.extension().unwrap() == "png")
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(stems
        .iter()
        .all(|s| ["fig4D", "fig4E", "fig4F", "fig4I"].contains(&s.as_str())));
    assert!(stems.len() >= 3, "{stems:?}");
}

#[test]
fn figures_cli_finds_sweeps_under_the_root_and_skips_missing_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("sweeps");
    let bin = env!("CARGO_BIN_EXE_dynphase");
    let o = std::process::Command::new(bin)
        .args([
            "sweep",
            "--preset",
            "post",
            "--executor",
            "fake",
            "--seeds",
            "2",
            "--epochs",
            "20",
            "--no-progress",
            "--out",
        ])
        .arg(root.join("post"))
        .output()
        .unwrap();
    assert!(o.status.success());
    // A quick slice is found when its full preset is absent.
    let o = std::process::Command::new(bin)
        .args([
            "sweep",
            "--preset",
            "quick-no-memory",
            "--executor",
            "fake",
            "--epochs",
            "20",
            "--no-progress",
            "--out",
        ])
        .arg(root.join("quick-no-memory"))
        .output()
        .unwrap();
    assert!(o.status.success());
    let figs = tmp.path().join("figs");
    let o = std::process::Command::new(bin)
        .args(["figures", "sweep", "--out"])
        .arg(&figs)
        .env("DYNPHASE_SWEEPS", &root)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("630 'post' networks"), "{err}");
    assert!(err.contains("no 'nopost' sweep data"), "{err}");
    assert!(err.contains("140 'no-memory' networks"), "{err}");
    assert!(err.contains("no 'long-tau' sweep data"), "{err}");
    assert!(figs.join("fig4I.png").exists() && figs.join("fig4I.svg").exists());
    assert!(figs.join("figS6A.png").exists());
    assert!(!figs.join("fig4H.png").exists());
}

#[test]
fn figures_cli_draws_from_an_explicit_sweep_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("mine");
    let bin = env!("CARGO_BIN_EXE_dynphase");
    let o = std::process::Command::new(bin)
        .args([
            "sweep",
            "--preset",
            "post",
            "--executor",
            "fake",
            "--seeds",
            "1",
            "--epochs",
            "20",
            "--no-progress",
            "--out",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(o.status.success());
    let figs = tmp.path().join("figs");
    let o = std::process::Command::new(bin)
        .args(["figures", "sweep"])
        .arg(&dir)
        .arg("--out")
        .arg(&figs)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // 15 lrs x 21 delays x 1 seed.
    assert!(String::from_utf8_lossy(&o.stderr).contains("315 'post' networks"));
    assert!(figs.join("fig4D.png").exists() && figs.join("fig4I.svg").exists());
    // A directory without runs.jsonl is a clear error, not a panic.
    let o = std::process::Command::new(bin)
        .args(["figures", "sweep"])
        .arg(tmp.path().join("nothing-here"))
        .arg("--out")
        .arg(&figs)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("runs.jsonl"), "{err}");
}
