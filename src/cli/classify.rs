//! `dynphase classify` and `dynphase fixed-points`.
//!
//! Examples:
//! ```text
//! dynphase classify net.npz --delay-ms 200 [--task dcdt] [--post] [--classifier-post exclude|include] [--seed S]
//! dynphase classify --rates rates.npy
//! dynphase fixed-points net.npz --delay-ms 200 [--format table|csv|json]
//! ```
//!
//! `classify` prints `key: value` lines: `index`, `spectral`, `dynamical`, `agree`, and
//! `period_steps` / `period_ms` when the out-of-trial dynamics oscillate; numbers in the
//! shortest form that reads back exactly (as `scaling` and `fit-power-law`). Rank-2 networks
//! (arrays `m`, `n`, `b`, ...) are detected from the array names; their task is the rank-2
//! delayed-activation task with T = delay, 2 response steps and, with `--post`, 6 post steps.

use crate::analysis::classify::{classify_full_rank, ClassifierPost, ClassifyConfig};
use crate::analysis::field::LowRankLatentField;
use crate::analysis::fixed_points::{CriticalPoint, FixedPointConfig, PointKind};
use crate::analysis::flow::{FlowConfig, FlowEvidence};
use crate::analysis::index::{mechanism_index, Mechanism};
use crate::analysis::out_of_trial::{out_of_trial, OutOfTrialConfig};
use crate::analysis::rank2::label_rank2;
use crate::analysis::studies::{post_study_task, rank2_latent_points};
use crate::io::{network, npy, npz};
use crate::rnn::model::{alpha, rank2_rollout, DT_MS, TAU_MS};
use crate::rnn::task::ms_to_steps;
use crate::rnn::Rank2Params;
use crate::{Error, Result};
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

/// `--task` values of `classify` (the training tasks of `dynphase train`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClassifyTaskArg {
    /// Delayed cue-discrimination task (full-rank networks).
    Dcdt,
    /// Rank-2 delayed-activation task (rank-2 networks).
    DelayedActivation,
    /// No-memory control (nothing to classify: it has no memory mechanism).
    NoMemory,
}

/// `--classifier-post` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClassifierPostArg {
    /// Classifier trial without the post period (reference default).
    Exclude,
    /// Classifier trial with the 6-step post period.
    Include,
}

/// `--format` values of `fixed-points`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Aligned text table.
    Table,
    /// CSV with a header row.
    Csv,
    /// JSON array of objects.
    Json,
}

/// Arguments of `dynphase classify`.
#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// Trained network (.npz with full-rank or rank-2 array names).
    pub net: Option<PathBuf>,
    /// Compute only the spectral index of a (time × neurons) rate matrix stored as .npy.
    #[arg(long, conflicts_with = "net")]
    pub rates: Option<PathBuf>,
    /// Task the network was trained on; default: the task of the network's kind (full-rank
    /// `dcdt`, rank-2 `delayed-activation`).
    #[arg(long, value_enum)]
    pub task: Option<ClassifyTaskArg>,
    /// Delay in ms of the classifier's trial (multiple of 5; as `fixed-points`).
    #[arg(long, allow_negative_numbers = true, default_value_t = 100.0)]
    pub delay_ms: f64,
    /// The network was trained with the 30 ms post period.
    #[arg(long)]
    pub post: bool,
    /// Whether the classifier's extended trial includes the post period (docs/mechanism-index.md).
    #[arg(long, value_enum, default_value = "exclude")]
    pub classifier_post: ClassifierPostArg,
    /// Network seed: selects the CLASSIFY random stream (initial state and noise).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Membrane time constant in ms (10; long-τ networks: 20).
    #[arg(long, default_value_t = TAU_MS)]
    pub tau_ms: f64,
    /// Full-rank networks: also run the flow classifier (attracting periodic orbit of the
    /// continuous-time flow → LC, fixed point → SP, with the evidence; docs/dynamics.md).
    #[arg(long)]
    pub flow: bool,
}

/// The trial that seeds the analysis of a trained network (`fixed-points`, `orbits`,
/// `bifurcations`).
#[derive(Debug, Args)]
pub struct TrialArgs {
    /// Delay in ms of the trial whose states seed the search (multiple of 5).
    #[arg(long, allow_negative_numbers = true, default_value_t = 100.0)]
    pub delay_ms: f64,
    /// The network was trained with the post period (rank-2: 6 post steps).
    #[arg(long)]
    pub post: bool,
    /// Network seed (CLASSIFY stream of the full-rank trial).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Membrane time constant in ms.
    #[arg(long, default_value_t = TAU_MS)]
    pub tau_ms: f64,
}

impl TrialArgs {
    /// The delay in steps and the leak α = Δt/τ, checked.
    pub fn steps_and_alpha(&self) -> Result<(usize, f64)> {
        let nd = ms_to_steps("delay-ms", self.delay_ms)?;
        crate::error::check_positive("tau-ms", self.tau_ms)?;
        Ok((nd, alpha(self.tau_ms)))
    }
}

/// Arguments of `dynphase fixed-points`.
#[derive(Debug, Args)]
pub struct FixedPointsArgs {
    /// Trained network (.npz with full-rank or rank-2 array names).
    pub net: PathBuf,
    /// The seeding trial.
    #[command(flatten)]
    pub trial: TrialArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: FormatArg,
    /// Number of leading eigenvalues printed per point.
    #[arg(long, default_value_t = 4)]
    pub n_eig: usize,
}

/// True if the .npz holds rank-2 parameters (arrays `m` and `n`), false for full-rank
/// (`w_rec`); an error otherwise.
pub fn is_rank2_file(path: &Path) -> Result<bool> {
    let arrays = npz::read(path)?;
    let has = |k: &str| arrays.iter().any(|(n, _)| n == k);
    if has("m") && has("n") {
        Ok(true)
    } else if has("w_rec") {
        Ok(false)
    } else {
        let names: Vec<&str> = arrays.iter().map(|(n, _)| n.as_str()).collect();
        Err(Error::format(
            path,
            format!(
                "neither a full-rank (w_rec, ...) nor a rank-2 (m, n, ...) network; arrays: [{}]",
                names.join(", ")
            ),
        ))
    }
}

fn label(m: Mechanism) -> &'static str {
    m.short()
}

/// Run `dynphase classify`.
pub fn run_classify(args: &ClassifyArgs) -> Result<()> {
    if let Some(path) = &args.rates {
        let a = npy::read(path)?;
        if a.shape.len() != 2 {
            return Err(Error::format(
                path,
                format!(
                    "expected a 2-D (time × neurons) array, got shape {:?}",
                    a.shape
                ),
            ));
        }
        let r = mechanism_index(&a.data, a.shape[0], a.shape[1])
            .map_err(|e| Error::format(path, e.to_string()))?;
        println!("index: {}", r.index);
        println!("spectral: {}", label(r.label));
        return Ok(());
    }
    let Some(path) = &args.net else {
        return Err(Error::invalid(
            "net",
            "give a network file or --rates FILE.npy",
        ));
    };
    let nd = ms_to_steps("delay-ms", args.delay_ms)?;
    crate::error::check_positive("tau-ms", args.tau_ms)?;
    let a = alpha(args.tau_ms);
    let rank2 = is_rank2_file(path)?;
    match (args.task, rank2) {
        (Some(ClassifyTaskArg::NoMemory), _) => {
            return Err(Error::invalid(
                "task",
                "no-memory networks hold nothing across a delay, so there is no mechanism to \
                 classify (their outcome, correct or not, is printed by `dynphase train`)",
            ))
        }
        (Some(ClassifyTaskArg::Dcdt), true) => {
            return Err(Error::invalid(
                "task",
                format!(
                    "{} is a rank-2 network: its task is delayed-activation",
                    path.display()
                ),
            ))
        }
        (Some(ClassifyTaskArg::DelayedActivation), false) => {
            return Err(Error::invalid(
                "task",
                format!(
                    "{} is a full-rank network: its task is dcdt",
                    path.display()
                ),
            ))
        }
        _ => {}
    }
    if rank2 && args.flow {
        return Err(Error::invalid(
            "--flow",
            "the flow classifier is implemented for full-rank networks (for the rank-2 latent \
             flow use `dynphase orbits`)",
        ));
    }
    if rank2 {
        let p = network::load_rank2(path)?;
        return classify_rank2(&p, nd, args.post, a);
    }
    let p = network::load_full_rank(path)?;
    let cfg = ClassifyConfig {
        post: match args.classifier_post {
            ClassifierPostArg::Exclude => ClassifierPost::Exclude,
            ClassifierPostArg::Include => ClassifierPost::Include,
        },
        flow: args.flow.then(|| FlowConfig {
            tau_ms: args.tau_ms,
            ..Default::default()
        }),
        ..Default::default()
    };
    let v = classify_full_rank(&p, a, nd, args.seed, &cfg)?;
    println!("model: full-rank");
    println!("trial_steps: {}", v.trial_len);
    println!("index: {}", v.spectral.index);
    println!("spectral: {}", label(v.spectral_label()));
    println!("dynamical: {}", label(v.dynamical_label()));
    println!("agree: {}", v.agree());
    println!("asymptote: {:?}", v.dynamical.asymptote);
    if let Some(ps) = v.dynamical.period_steps {
        println!("period_steps: {ps}");
        println!("period_ms: {}", ps * DT_MS);
        println!("amplitude: {}", v.dynamical.amplitude);
    }
    if let Some(f) = &v.flow {
        println!("flow: {}", label(f.label));
        match &f.evidence {
            FlowEvidence::Cycle {
                period_ms,
                max_multiplier,
                radius,
            } => {
                println!("flow_cycle_period_ms: {period_ms}");
                println!("flow_cycle_max_multiplier: {max_multiplier}");
                println!("flow_cycle_radius: {radius}");
            }
            FlowEvidence::FixedPoint {
                leading,
                min_passage_speed,
                arrival_ms,
                ..
            } => {
                println!("flow_fixed_point_leading_eigenvalue: {}", fmt_eig(leading));
                if let Some(d) = f.decay_ms(args.tau_ms) {
                    println!("flow_fixed_point_decay_ms: {d}");
                }
                println!("flow_min_passage_speed: {min_passage_speed}");
                println!("flow_arrival_ms: {arrival_ms}");
            }
            FlowEvidence::Unresolved { reason } => println!("flow_unresolved: {reason}"),
        }
    }
    Ok(())
}

fn classify_rank2(p: &Rank2Params<f32>, delay: usize, post: bool, a: f64) -> Result<()> {
    let task = post_study_task(delay, post)?;
    let total = task.total();
    let lab = label_rank2(p, &task)?;
    // Spectral index of the rank-2 rates over 9 trial lengths from x_0.
    let p64: Rank2Params<f64> = p.cast();
    let ro = rank2_rollout(&p64, a, 9 * total);
    let n = p.n_hidden();
    let rates = &ro.x[n..];
    let spec = mechanism_index(rates, 9 * total, n)?;
    let field = LowRankLatentField::from_rank2(p)?;
    let k = ro.kappa[total];
    let (dyn_, _) = out_of_trial(&field, &k, a, &OutOfTrialConfig::default())?;
    println!("model: rank-2");
    println!("trial_steps: {total}");
    println!("learned: {}", lab.learned);
    println!(
        "rotation: {}",
        if lab.rotation.is_lc { "LC" } else { "none" }
    );
    println!("max_dtheta: {}", lab.rotation.max_dtheta);
    println!("late_rms_ratio: {}", lab.rotation.late_rms_ratio);
    println!("index: {}", spec.index);
    println!("spectral: {}", label(spec.label));
    println!("dynamical: {}", label(dyn_.label));
    println!("agree: {}", spec.label == dyn_.label);
    println!("asymptote: {:?}", dyn_.asymptote);
    if let Some(ps) = dyn_.period_steps {
        println!("period_steps: {ps}");
        println!("period_ms: {}", ps * DT_MS);
        println!("amplitude: {}", dyn_.amplitude);
    }
    Ok(())
}

/// Run `dynphase fixed-points`.
pub fn run_fixed_points(args: &FixedPointsArgs) -> Result<()> {
    let (nd, a) = args.trial.steps_and_alpha()?;
    let fp = FixedPointConfig::default();
    let points = if is_rank2_file(&args.net)? {
        let p = network::load_rank2(&args.net)?;
        let task = post_study_task(nd, args.trial.post)?;
        rank2_latent_points(&p, task.total(), &fp)?
    } else {
        let p = network::load_full_rank(&args.net)?;
        let cfg = ClassifyConfig {
            fixed_points: Some(fp),
            ..Default::default()
        };
        classify_full_rank(&p, a, nd, args.trial.seed, &cfg)?.points
    };
    print_points(&points, args.format, args.n_eig);
    Ok(())
}

fn fmt_eig(e: &rustfft::num_complex::Complex<f64>) -> String {
    if e.im == 0.0 {
        format!("{:.4}", e.re)
    } else {
        format!("{:.4}{:+.4}i", e.re, e.im)
    }
}

fn print_points(points: &[CriticalPoint], format: FormatArg, n_eig: usize) {
    let kind = |p: &CriticalPoint| match p.kind {
        PointKind::Fixed => "fixed",
        PointKind::Slow => "slow",
    };
    match format {
        FormatArg::Table => {
            println!(
                "{:>3}  {:<5}  {:<18}  {:>11}  {:>11}  {:>4}  leading eigenvalues",
                "#", "kind", "type", "q", "speed", "hits"
            );
            for (i, p) in points.iter().enumerate() {
                let eig: Vec<String> = p.eigenvalues.iter().take(n_eig).map(fmt_eig).collect();
                println!(
                    "{:>3}  {:<5}  {:<18}  {:>11.4e}  {:>11.4e}  {:>4}  {}",
                    i,
                    kind(p),
                    p.point_type.name(),
                    p.q,
                    p.speed,
                    p.hits,
                    eig.join(" ")
                );
            }
        }
        FormatArg::Csv => {
            let mut head = vec!["index", "kind", "type", "q", "speed", "hits"]
                .into_iter()
                .map(String::from)
                .collect::<Vec<_>>();
            for k in 0..n_eig {
                head.push(format!("eig{k}_re"));
                head.push(format!("eig{k}_im"));
            }
            println!("{}", head.join(","));
            for (i, p) in points.iter().enumerate() {
                let mut row = vec![
                    i.to_string(),
                    kind(p).into(),
                    p.point_type.name(),
                    format!("{:e}", p.q),
                    format!("{:e}", p.speed),
                    p.hits.to_string(),
                ];
                push_complex_columns(&mut row, &p.eigenvalues, n_eig);
                println!("{}", row.join(","));
            }
        }
        FormatArg::Json => {
            let v: Vec<serde_json::Value> = points
                .iter()
                .map(|p| {
                    serde_json::json!({
                        "kind": kind(p),
                        "type": p.point_type.name(),
                        "q": p.q,
                        "speed": p.speed,
                        "hits": p.hits,
                        "x": p.x,
                        "eigenvalues": p.eigenvalues.iter().take(n_eig).map(|e| [e.re, e.im]).collect::<Vec<_>>(),
                    })
                })
                .collect();
            println!("{}", serde_json::Value::Array(v));
        }
    }
}

/// Append `n` pairs of CSV columns (real part, imaginary part) for `values`, empty where a row
/// has fewer than `n` values.
pub(super) fn push_complex_columns(
    row: &mut Vec<String>,
    values: &[rustfft::num_complex::Complex<f64>],
    n: usize,
) {
    for k in 0..n {
        match values.get(k) {
            Some(z) => {
                row.push(format!("{}", z.re));
                row.push(format!("{}", z.im));
            }
            None => {
                row.push(String::new());
                row.push(String::new());
            }
        }
    }
}
