//! `dynphase reproduce`: the whole pipeline in one command — the toy-model theory table and
//! figures, then for one sweep preset: train the sweep (resuming a partial one), aggregate the
//! phase table, fit the boundary exponent with both estimators, and draw the sweep figures;
//! last, the results table of every preset it ran (`dynphase results`).

use std::path::PathBuf;

use clap::{Args, Parser};

use super::{run_command, Cli};
use crate::sweep::preset::Preset;
use crate::{Error, Result};

/// Arguments of `dynphase reproduce`.
#[derive(Debug, Args)]
pub struct ReproduceArgs {
    /// Sweep preset, or a comma-separated list run one after the other (quick = about an hour
    /// on two cores; `quick,quick-post,quick-long-tau,quick-no-memory` draws every sweep
    /// figure; see `dynphase sweep --help`).
    #[arg(long, default_value = "quick")]
    pub preset: String,
    /// Root of the sweep directories; the sweep goes to ROOT/PRESET (rerun to resume).
    #[arg(long, default_value = "sweeps")]
    pub sweeps: PathBuf,
    /// Output directory of the figures.
    #[arg(long, default_value = "paper_figures")]
    pub out: PathBuf,
    /// Worker threads; default: all cores.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Override: seeds 0..N per cell.
    #[arg(long)]
    pub seeds: Option<u64>,
    /// Override: a fixed budget of N epochs for every run.
    #[arg(long)]
    pub epochs: Option<u64>,
    /// Executor: `train` or `fake` (a cheap deterministic stand-in, a testing aid).
    #[arg(long, default_value = "train")]
    pub executor: String,
    /// Do not show the progress bar.
    #[arg(long)]
    pub no_progress: bool,
}

/// The experiment (for `phase` and `scaling`) behind a preset, `None` for the rank-2 study.
fn experiment_of(preset: &str) -> Option<&'static str> {
    match preset {
        "quick" | "workstation" | "nopost" | "nopost-broad" | "nopost-narrow" | "test-tiny" => {
            Some("nopost")
        }
        "post" | "quick-post" => Some("post"),
        "long-tau" | "quick-long-tau" => Some("long-tau"),
        "no-memory" | "quick-no-memory" => Some("no-memory"),
        _ => None,
    }
}

fn step(title: &str, argv: Vec<String>) -> Result<()> {
    println!("\n== {title}\n$ dynphase {}", argv.join(" "));
    let cli = Cli::try_parse_from(std::iter::once("dynphase".to_string()).chain(argv))
        .map_err(|e| Error::invalid("reproduce", e.to_string()))?;
    run_command(&cli.command)
}

/// Run `dynphase reproduce`.
pub fn run(a: &ReproduceArgs) -> Result<()> {
    // Validate every preset before any work.
    let presets: Vec<&str> = a.preset.split(',').map(str::trim).collect();
    for p in &presets {
        Preset::named(p)?;
    }
    step(
        "0/4 toy-model theory: critical learning rates and exponents",
        vec!["theory".into()],
    )?;
    step(
        "0/4 toy-model figures",
        vec![
            "figures".into(),
            "theory".into(),
            "--out".into(),
            a.out.display().to_string(),
        ],
    )?;
    for p in &presets {
        run_preset(a, p)?;
    }
    // The results table of the presets with a phase diagram (the rank-2 study has none).
    let with_table: Vec<&str> = presets
        .iter()
        .copied()
        .filter(|p| experiment_of(p).is_some())
        .collect();
    if with_table.is_empty() {
        return Ok(());
    }
    step(
        "results: every boundary exponent by both estimators, beside the paper's",
        vec![
            "results".into(),
            "--sweeps".into(),
            a.sweeps.display().to_string(),
            "--preset".into(),
            with_table.join(","),
        ],
    )
}

/// Steps 1–4 for one preset.
fn run_preset(a: &ReproduceArgs, preset: &str) -> Result<()> {
    println!("\n==== preset {preset}");
    let dir = a.sweeps.join(preset);
    let d = dir.display().to_string();
    let mut sweep = vec![
        "sweep".into(),
        "--preset".into(),
        preset.to_string(),
        "--out".into(),
        d.clone(),
        "--executor".into(),
        a.executor.clone(),
    ];
    if let Some(t) = a.threads {
        sweep.extend(["--threads".into(), t.to_string()]);
    }
    if let Some(s) = a.seeds {
        sweep.extend(["--seeds".into(), s.to_string()]);
    }
    if let Some(e) = a.epochs {
        sweep.extend(["--epochs".into(), e.to_string()]);
    }
    if a.no_progress {
        sweep.push("--no-progress".into());
    }
    step("1/4 sweep (finished runs are skipped)", sweep)?;

    let Some(exp) = experiment_of(preset) else {
        println!(
            "\nThe '{preset}' preset has no phase diagram; its results are in {d}/runs.jsonl \
             (see `dynphase figures analysis`)."
        );
        return Ok(());
    };
    let table = dir.join("phase.csv").display().to_string();
    step(
        "2/4 phase table",
        vec![
            "phase".into(),
            d.clone(),
            "--out".into(),
            table.clone(),
            "--experiment".into(),
            exp.into(),
        ],
    )?;
    println!("wrote {table}");

    // A fit can fail on a small or degenerate grid; report it and go on to the figures.
    for method in ["two-step", "mle"] {
        let r = step(
            &format!("3/4 no-solution boundary exponent ({method})"),
            vec![
                "scaling".into(),
                table.clone(),
                "--experiment".into(),
                exp.into(),
                "--method".into(),
                method.into(),
            ],
        );
        if let Err(e) = r {
            println!("fit failed: {e}");
        }
    }
    step(
        "4/4 figures",
        vec![
            "figures".into(),
            "sweep".into(),
            d,
            "--out".into(),
            a.out.display().to_string(),
        ],
    )
}
