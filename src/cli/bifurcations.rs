//! `dynphase bifurcations`: fixed points, slow points and periodic orbits followed across the
//! checkpoints of one training run, with the bifurcations between them.
//!
//! ```text
//! dynphase bifurcations DIR [--delay-ms 150] [--response-ms 50] [--post] [--seed S]
//!     [--format table|json] [--json FILE] [--figures DIR]
//! ```
//!
//! DIR holds the checkpoints `<stem>_epoch<E>.npz` that `train --checkpoint-every` (full-rank)
//! or `train --model rank2 --snapshot-epochs` writes next to `--save`. The starts of the
//! searches come from the trial of each checkpoint (full-rank: the classifier's extended trial
//! and a free rollout from its end; rank-2: the latent rollout and a grid around it); the
//! continuation between checkpoints is that of [`crate::analysis::bifurcation`].

use super::classify::{is_rank2_file, TrialArgs};
use crate::analysis::bifurcation::{
    scan_full_rank, scan_rank2, ContinuationConfig, Direction, EventKind, Scan,
};
use crate::analysis::fixed_points::FixedPointConfig;
use crate::io::network;
use crate::rnn::task::{ms_to_steps, Rank2Task};
use crate::{Error, Result};
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

/// Output format of `bifurcations`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    /// Checkpoint table and event list.
    Table,
    /// One JSON object (checkpoints and events).
    Json,
}

/// Arguments of `dynphase bifurcations`.
#[derive(Debug, Args)]
pub struct BifurcationsArgs {
    /// Directory with the checkpoints `<stem>_epoch<E>.npz` of one run.
    pub dir: PathBuf,
    /// The trial whose states seed the searches.
    #[command(flatten)]
    pub trial: TrialArgs,
    /// Rank-2: response window in ms of that trial (multiple of 5).
    #[arg(long, allow_negative_numbers = true, default_value_t = 10.0)]
    pub response_ms: f64,
    /// Only checkpoints of this file stem (when DIR holds several runs).
    #[arg(long)]
    pub stem: Option<String>,
    /// Output format on standard output.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ScanFormat,
    /// Also write the JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write the figure `bifurcations_<stem>.{png,svg}` into this directory.
    #[arg(long)]
    pub figures: Option<PathBuf>,
}

/// The checkpoints `<stem>_epoch<E>.npz` of `dir`, sorted by epoch: (stem, [(epoch, path)]).
pub fn checkpoint_files(dir: &Path, stem: Option<&str>) -> Result<(String, Vec<(usize, PathBuf)>)> {
    let rd = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut found: Vec<(String, usize, PathBuf)> = Vec::new();
    for entry in rd {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(base) = name.strip_suffix(".npz") else {
            continue;
        };
        let Some((st, ep)) = base.rsplit_once("_epoch") else {
            continue;
        };
        let Ok(epoch) = ep.parse::<usize>() else {
            continue;
        };
        if stem.is_none_or(|s| s == st) {
            found.push((st.to_string(), epoch, path));
        }
    }
    let mut stems: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    stems.sort();
    stems.dedup();
    match stems.len() {
        0 => Err(Error::invalid(
            "dir",
            format!(
                "{} holds no checkpoints <stem>_epoch<E>.npz{} (train --checkpoint-every or --snapshot-epochs writes them)",
                dir.display(),
                stem.map_or(String::new(), |s| format!(" with stem {s}"))
            ),
        )),
        1 => {
            let st = stems[0].to_string();
            let mut v: Vec<(usize, PathBuf)> = found.into_iter().map(|f| (f.1, f.2)).collect();
            v.sort();
            if v.len() < 2 {
                return Err(Error::invalid(
                    "dir",
                    format!("{} holds one checkpoint; need at least 2", dir.display()),
                ));
            }
            Ok((st, v))
        }
        _ => Err(Error::invalid(
            "dir",
            format!(
                "{} holds checkpoints of several runs ({}); choose one with --stem",
                dir.display(),
                stems.join(", ")
            ),
        )),
    }
}

/// Run `dynphase bifurcations`.
pub fn run(args: &BifurcationsArgs) -> Result<()> {
    let (nd, a) = args.trial.steps_and_alpha()?;
    let nr = ms_to_steps("response-ms", args.response_ms)?;
    if let Some(p) = &args.json {
        super::checks::output_file("json", p)?;
    }
    let (stem, files) = checkpoint_files(&args.dir, args.stem.as_deref())?;
    let fp = FixedPointConfig::default();
    let cfg = ContinuationConfig::default();
    let (model, sc) = if is_rank2_file(&files[0].1)? {
        let task = Rank2Task::<f32>::from_steps(nd, nr, if args.trial.post { 6 } else { 0 })?;
        let cps = files
            .iter()
            .map(|(e, path)| Ok((*e, network::load_rank2(path)?)))
            .collect::<Result<Vec<_>>>()?;
        (
            "rank-2 latent",
            scan_rank2(&cps, a, task.total(), &fp, &cfg)?,
        )
    } else {
        let cps = files
            .iter()
            .map(|(e, path)| Ok((*e, network::load_full_rank(path)?)))
            .collect::<Result<Vec<_>>>()?;
        (
            "full-rank",
            scan_full_rank(&cps, a, nd, args.trial.seed, &fp, &cfg)?,
        )
    };
    let json = scan_json(&sc, model, args.trial.tau_ms);
    if let Some(p) = &args.json {
        std::fs::write(p, format!("{json:#}\n")).map_err(|e| Error::io(p, e))?;
    }
    match args.format {
        ScanFormat::Json => println!("{json:#}"),
        ScanFormat::Table => print_table(&sc, model, args.trial.tau_ms),
    }
    if let Some(dir) = &args.figures {
        let title =
            format!("{model} network {stem}: invariant sets and bifurcations along training");
        for f in crate::plot::bifurcation::render_scan(
            &sc,
            &title,
            args.trial.tau_ms,
            dir,
            &format!("bifurcations_{stem}"),
        )? {
            eprintln!("wrote {}", f.display());
        }
    }
    Ok(())
}

fn direction_name(d: Direction) -> &'static str {
    match d {
        Direction::Creation => "creation",
        Direction::Annihilation => "annihilation",
        Direction::StabilityChange => "stability change",
    }
}

/// What an event means, in words.
fn describe(kind: EventKind, d: Direction) -> &'static str {
    match (kind, d) {
        (EventKind::Fold, Direction::Creation) => "a stable/unstable pair of fixed points appears",
        (EventKind::Fold, _) => "a pair of fixed points collides and disappears",
        (EventKind::Hopf, Direction::Creation) => {
            "a fixed point loses stability and a cycle is born"
        }
        (EventKind::Hopf, Direction::Annihilation) => "a cycle shrinks onto a fixed point",
        (EventKind::Hopf, _) => "a focus changes stability",
        (EventKind::Snic, Direction::Creation) => {
            "two fixed points collide on a closed curve, which becomes a cycle"
        }
        (EventKind::Snic, _) => "a cycle's period diverges as a pair of fixed points appears on it",
        (EventKind::Homoclinic, _) => "a cycle's period diverges (homoclinic orbit)",
        (EventKind::CycleFold, _) => "a cycle collides with another cycle",
        (EventKind::OrbitLost, _) => "the cycle could not be continued",
    }
}

fn print_table(sc: &Scan, model: &str, tau_ms: f64) {
    let cps = &sc.checkpoints;
    println!(
        "{model}, {} checkpoints, epochs {} to {}",
        cps.len(),
        cps[0].epoch,
        cps[cps.len() - 1].epoch
    );
    println!(
        "{:>9}  {:>6}  {:>6}  {:>8}  {:>4}  {:>11}  {:>9}  {:>6}  leading eigenvalue of the stable points",
        "epoch", "fixed", "stable", "unstable", "slow", "period_ms", "radius", "stable"
    );
    for c in cps {
        let stable = c
            .fixed_points
            .iter()
            .filter(|p| p.point_type.is_stable())
            .count();
        let (per, rad, st) = match &c.orbit {
            Some(o) => (
                format!("{:.3}", o.period * tau_ms),
                format!("{:.4}", o.radius()),
                if o.is_stable() { "yes" } else { "no" }.to_string(),
            ),
            None => ("-".into(), "-".into(), "-".into()),
        };
        let lead: Vec<String> = c
            .fixed_points
            .iter()
            .filter(|p| p.point_type.is_stable())
            .map(|p| format!("{:.4}", p.eigenvalues[0].re))
            .collect();
        println!(
            "{:>9}  {:>6}  {:>6}  {:>8}  {:>4}  {:>11}  {:>9}  {:>6}  {}",
            c.epoch,
            c.fixed_points.len(),
            stable,
            c.fixed_points.len() - stable,
            c.slow_speeds.len(),
            per,
            rad,
            st,
            lead.join(" ")
        );
    }
    if sc.events.is_empty() {
        println!("no bifurcation between the checkpoints");
        return;
    }
    println!("bifurcations:");
    for e in &sc.events {
        let ev = &e.event;
        let mut detail = Vec::new();
        if let Some(l) = ev.eigenvalue {
            detail.push(format!("critical eigenvalue {:.2e}{:+.4}i", l.re, l.im));
        }
        if let Some(p) = ev.period {
            detail.push(format!("last period {:.1} ms", p * tau_ms));
        }
        if let Some(g) = ev.period_exponent {
            detail.push(format!("period ~ |Δepoch|^-{g:.2}"));
        }
        println!(
            "  epoch {:.1}: {} ({}): {}{}",
            e.epoch,
            ev.kind.name(),
            direction_name(ev.direction),
            describe(ev.kind, ev.direction),
            if detail.is_empty() {
                String::new()
            } else {
                format!("; {}", detail.join(", "))
            }
        );
    }
}

fn scan_json(sc: &Scan, model: &str, tau_ms: f64) -> serde_json::Value {
    use serde_json::json;
    let c = |z: &rustfft::num_complex::Complex<f64>| json!([z.re, z.im]);
    let checkpoints: Vec<serde_json::Value> = sc
        .checkpoints
        .iter()
        .map(|cp| {
            json!({
                "epoch": cp.epoch,
                "fixed_points": cp.fixed_points.iter().map(|p| json!({
                    "type": p.point_type.name(),
                    "stable": p.point_type.is_stable(),
                    "leading_eigenvalue": c(&p.eigenvalues[0]),
                    "from_continuation": p.from_continuation,
                    "x": p.x,
                })).collect::<Vec<_>>(),
                "slow_point_speeds": cp.slow_speeds,
                "orbit": cp.orbit.as_ref().map(|o| json!({
                    "period_tau": o.period,
                    "period_ms": o.period * tau_ms,
                    "radius": o.radius(),
                    "stable": o.is_stable(),
                    "max_nontrivial_modulus": o.max_nontrivial_modulus(),
                    "from_continuation": cp.orbit_from_continuation,
                })),
            })
        })
        .collect();
    let events: Vec<serde_json::Value> = sc
        .events
        .iter()
        .map(|e| {
            let ev = &e.event;
            json!({
                "epoch": e.epoch,
                "segment": e.segment,
                "s": ev.s,
                "kind": ev.kind.name(),
                "direction": direction_name(ev.direction),
                "description": describe(ev.kind, ev.direction),
                "critical_eigenvalue": ev.eigenvalue.as_ref().map(c),
                "period_ms": ev.period.map(|p| p * tau_ms),
                "period_exponent": ev.period_exponent,
                "orbit_stable": ev.orbit_stable,
                "x": ev.x,
            })
        })
        .collect();
    json!({
        "model": model,
        "tau_ms": tau_ms,
        "checkpoints": checkpoints,
        "events": events,
    })
}
