//! `dynphase orbits`: the periodic orbit reached after the trial, with its Floquet multipliers.
//!
//! ```text
//! dynphase orbits net.npz --delay-ms 200 [--post] [--seed S] [--tau-ms 10] [--format table|csv|json]
//! ```
//!
//! The start is the state at the end of the classifier's trial (full-rank: r_L of the
//! extended trial, as `classify` uses; rank-2: the latent state κ at the end of the task).
//! The continuous flow is integrated from there, the period estimated from the first return
//! and refined by shooting. Periods are printed in τ, ms and network steps (T/α). A network
//! whose flow settles at a fixed point has no orbit: the table says so, CSV has only its
//! header and JSON is an empty array.

use super::classify::{is_rank2_file, push_complex_columns, FormatArg, TrialArgs};
use crate::analysis::classify::{classifier_trial_len, extended_trial_rates, ClassifierPost};
use crate::analysis::field::{LowRankLatentField, TanhRnnField};
use crate::analysis::orbits::{find_orbit, OrbitConfig, PeriodicOrbit};
use crate::analysis::studies::post_study_task;
use crate::io::network;
use crate::ode::System;
use crate::rnn::model::rank2_rollout;
use crate::rnn::Rank2Params;
use crate::Result;
use clap::Args;
use rustfft::num_complex::Complex;
use std::path::PathBuf;

/// Arguments of `dynphase orbits`.
#[derive(Debug, Args)]
pub struct OrbitsArgs {
    /// Trained network (.npz with full-rank or rank-2 array names).
    pub net: PathBuf,
    /// The trial whose final state starts the search.
    #[command(flatten)]
    pub trial: TrialArgs,
    /// RK4 steps per period in the shooting.
    #[arg(long, default_value_t = 400)]
    pub steps: usize,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: FormatArg,
    /// Number of leading Floquet multipliers printed.
    #[arg(long, default_value_t = 4)]
    pub n_mult: usize,
}

/// Run `dynphase orbits`.
pub fn run(args: &OrbitsArgs) -> Result<()> {
    let (nd, a) = args.trial.steps_and_alpha()?;
    let cfg = OrbitConfig {
        steps: args.steps,
        ..Default::default()
    };
    let (model, orbit) = if is_rank2_file(&args.net)? {
        let p = network::load_rank2(&args.net)?;
        let field = LowRankLatentField::from_rank2(&p)?;
        let start = rank2_trial_end(&p, nd, args.trial.post, a)?;
        ("rank-2 latent", find_orbit(&field, &start, &cfg)?)
    } else {
        let p = network::load_full_rank(&args.net)?;
        let field = TanhRnnField::from_params(&p)?;
        let rates = extended_trial_rates(&p, a, nd, ClassifierPost::Exclude, args.trial.seed)?;
        let n = field.dim();
        let l = classifier_trial_len(nd, ClassifierPost::Exclude);
        let start = rates[(l - 1) * n..l * n].to_vec();
        ("full-rank", find_orbit(&field, &start, &cfg)?)
    };
    print_orbit(
        model,
        orbit.as_ref(),
        a,
        args.trial.tau_ms,
        args.format,
        args.n_mult,
    );
    Ok(())
}

/// Latent state κ at the end of the rank-2 task (delay `nd` steps, with or without post).
pub fn rank2_trial_end(p: &Rank2Params<f32>, nd: usize, post: bool, a: f64) -> Result<Vec<f64>> {
    let task = post_study_task(nd, post)?;
    let total = task.total();
    let p64: Rank2Params<f64> = p.cast();
    let ro = rank2_rollout(&p64, a, total);
    Ok(ro.kappa[total].to_vec())
}

fn fmt_mult(z: &Complex<f64>) -> String {
    if z.im == 0.0 {
        format!("{:.6e}", z.re)
    } else {
        format!("{:.6e}{:+.6e}i", z.re, z.im)
    }
}

fn print_orbit(
    model: &str,
    orbit: Option<&PeriodicOrbit>,
    a: f64,
    tau_ms: f64,
    format: FormatArg,
    n_mult: usize,
) {
    let head = [
        "model",
        "dim",
        "period_tau",
        "period_ms",
        "period_steps",
        "radius",
        "stable",
        "max_nontrivial_modulus",
        "residual",
        "newton_iters",
    ];
    match (format, orbit) {
        (FormatArg::Table, None) => {
            println!("{model}: no periodic orbit (the flow from the end of the trial settles at a fixed point)");
        }
        (FormatArg::Table, Some(o)) => {
            println!("model: {model}");
            println!("dim: {}", o.dim);
            println!("period_tau: {:.8}", o.period);
            println!("period_ms: {:.6}", o.period * tau_ms);
            println!("period_steps: {:.6}", o.period / a);
            println!("radius: {:.6}", o.radius());
            println!("stable: {}", o.is_stable());
            println!("max_nontrivial_modulus: {:.6e}", o.max_nontrivial_modulus());
            println!("residual: {:.3e}", o.residual);
            println!("newton_iters: {}", o.newton_iters);
            println!("{:>3}  {:>14}  {:>14}  multiplier", "#", "modulus", "arg");
            for (i, z) in o.multipliers.iter().take(n_mult).enumerate() {
                let tag = if i == o.trivial { "  (trivial)" } else { "" };
                println!(
                    "{i:>3}  {:>14.6e}  {:>14.6}  {}{tag}",
                    z.norm(),
                    z.arg(),
                    fmt_mult(z)
                );
            }
        }
        (FormatArg::Csv, o) => {
            let mut h: Vec<String> = head.iter().map(|s| s.to_string()).collect();
            for k in 0..n_mult {
                h.push(format!("mult{k}_re"));
                h.push(format!("mult{k}_im"));
            }
            println!("{}", h.join(","));
            if let Some(o) = o {
                let mut row = vec![
                    model.to_string(),
                    o.dim.to_string(),
                    format!("{}", o.period),
                    format!("{}", o.period * tau_ms),
                    format!("{}", o.period / a),
                    format!("{}", o.radius()),
                    o.is_stable().to_string(),
                    format!("{}", o.max_nontrivial_modulus()),
                    format!("{:e}", o.residual),
                    o.newton_iters.to_string(),
                ];
                push_complex_columns(&mut row, &o.multipliers, n_mult);
                println!("{}", row.join(","));
            }
        }
        (FormatArg::Json, o) => {
            let v: Vec<serde_json::Value> = o
                .into_iter()
                .map(|o| {
                    serde_json::json!({
                        "model": model,
                        "dim": o.dim,
                        "period_tau": o.period,
                        "period_ms": o.period * tau_ms,
                        "period_steps": o.period / a,
                        "radius": o.radius(),
                        "stable": o.is_stable(),
                        "max_nontrivial_modulus": o.max_nontrivial_modulus(),
                        "residual": o.residual,
                        "newton_iters": o.newton_iters,
                        "trivial": o.trivial,
                        "x0": o.x0,
                        "multipliers": o.multipliers.iter().take(n_mult).map(|z| [z.re, z.im]).collect::<Vec<_>>(),
                    })
                })
                .collect();
            println!("{}", serde_json::Value::Array(v));
        }
    }
}
