//! `dynphase scaling`: critical boundaries and their scaling exponent from a phase table
//! (docs/fits.md).

use std::path::PathBuf;

use clap::Args;

use crate::fit::{
    bootstrap_beta, fit_mle, two_step, Boundary, Experiment, Method, MleOptions, PhaseTable,
    RowStatus, ScalingSetup,
};
use crate::{Error, Result};

/// Arguments of `dynphase scaling`.
#[derive(Debug, Args)]
pub struct ScalingArgs {
    /// Phase table CSV (`lr,delay_ms,n,not_learned,limit_cycle,slow_point`).
    pub table: PathBuf,
    /// Experiment whose paper defaults to use: nopost, post, long-tau, no-memory.
    #[arg(long)]
    pub experiment: String,
    /// Boundary: failure (no-solution) or slow-point (ignored for no-memory).
    #[arg(long, default_value = "failure")]
    pub boundary: String,
    /// Estimator: two-step (the paper's) or mle (binomial maximum likelihood).
    #[arg(long, default_value = "two-step")]
    pub method: String,
    /// Starting point of the per-row fits, `X0,A` (overrides the experiment default).
    #[arg(long, allow_hyphen_values = true)]
    pub p0: Option<String>,
    /// Row filter: skip rows whose largest fraction is below this.
    #[arg(long, allow_hyphen_values = true)]
    pub min_peak: Option<f64>,
    /// Fit only the K largest learning rates (onset fits; ignored for no-memory).
    #[arg(long)]
    pub top_lrs: Option<usize>,
    /// Exclude this learning rate from the fit (repeatable; for no-memory its cells are
    /// dropped from every window).
    #[arg(long)]
    pub exclude_lr: Vec<f64>,
    /// Do not exclude any learning rate (drops the experiment's default exclusion).
    #[arg(long)]
    pub no_exclude: bool,
    /// Also print the per-row critical values.
    #[arg(long)]
    pub verbose: bool,
    /// Bootstrap replicates over networks for a percentile CI of beta (0 = none).
    #[arg(long, default_value_t = 0)]
    pub bootstrap: usize,
    /// Seed of the bootstrap generator.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// With `--method mle --boundary failure`: also estimate a baseline failure probability
    /// shared by all cells (networks that fail below the boundary, e.g. unstable ones).
    #[arg(long)]
    pub floor: bool,
}

fn parse_p0(s: &str) -> Result<[f64; 2]> {
    let v: Vec<&str> = s.split(',').map(|t| t.trim()).collect();
    let bad = || Error::invalid("p0", format!("expected two numbers X0,A, got '{s}'"));
    if v.len() != 2 {
        return Err(bad());
    }
    let a: f64 = v[0].parse().map_err(|_| bad())?;
    let b: f64 = v[1].parse().map_err(|_| bad())?;
    if !(a.is_finite() && b.is_finite()) {
        return Err(bad());
    }
    Ok([a, b])
}

/// Build the fit setup from the arguments: paper defaults, then the overrides.
pub fn setup_from_args(args: &ScalingArgs) -> Result<ScalingSetup> {
    let experiment = Experiment::parse_fitted(&args.experiment)?;
    let boundary = Boundary::parse(&args.boundary)?;
    let mut s = ScalingSetup::paper(experiment, boundary);
    if let Some(p) = &args.p0 {
        s.p0 = parse_p0(p)?;
    }
    if let Some(m) = args.min_peak {
        s.min_peak = crate::error::check_finite("min-peak", m)?;
    }
    if let Some(k) = args.top_lrs {
        if k == 0 {
            return Err(Error::invalid("top-lrs", "must be at least 1"));
        }
        s.top_lrs = Some(k);
    }
    if args.no_exclude {
        s.exclude_lrs.clear();
    }
    for &lr in &args.exclude_lr {
        s.exclude_lrs
            .push(crate::error::check_positive("exclude-lr", lr)?);
    }
    Ok(s)
}

fn status_str(s: &RowStatus) -> String {
    match s {
        RowStatus::Used => "used".into(),
        RowStatus::LowPeak => "skipped (max fraction below min-peak)".into(),
        RowStatus::Excluded => "excluded".into(),
        RowStatus::FitFailed(m) => format!("fit failed ({m})"),
        RowStatus::NonPositive => "dropped (critical value not positive)".into(),
    }
}

/// Run `dynphase scaling`: prints `beta`, `se`, `r2`, `p`, `n_points`, `ci95_low`,
/// `ci95_high` (and bootstrap and per-row lines on request) as `key: value` lines.
pub fn run(args: &ScalingArgs) -> Result<()> {
    let setup = setup_from_args(args)?;
    let method = Method::parse(&args.method)?;
    if args.floor
        && (method != Method::Mle || setup.boundary != Boundary::Failure || setup.transposed())
    {
        return Err(Error::invalid(
            "floor",
            "applies only to --method mle with the failure boundary of an onset experiment",
        ));
    }
    let mle_opts = MleOptions {
        floor: args.floor,
        ..MleOptions::default()
    };
    if args.bootstrap == 1 {
        return Err(Error::invalid(
            "bootstrap",
            "needs at least 2 replicates (or 0 for none)",
        ));
    }
    let table = PhaseTable::read_csv(&args.table)?;
    let (key_name, crit) = if setup.transposed() {
        ("window_ms", "eta_c")
    } else {
        ("lr", "t_c_ms")
    };
    match method {
        Method::TwoStep => {
            let r = two_step(&table, &setup)?;
            println!("method: two-step");
            println!("beta: {}", r.fit.beta);
            println!("se: {}", r.fit.se);
            println!("r2: {}", r.fit.r2);
            println!("p: {}", r.fit.p);
            println!("n_points: {}", r.fit.n);
            println!("ci95_low: {}", r.fit.ci95.0);
            println!("ci95_high: {}", r.fit.ci95.1);
            for w in r.warnings() {
                eprintln!("warning: two-step: {w}");
            }
            if args.verbose {
                for row in &r.rows {
                    let c = row.critical.map_or("nan".to_string(), |v| v.to_string());
                    println!(
                        "row: {key_name}={} {crit}={c} status={}",
                        row.key,
                        status_str(&row.status)
                    );
                }
            }
        }
        Method::Mle => {
            let r = fit_mle(&table, &setup, &mle_opts)?;
            let (lo, hi) = r.ci95.unwrap_or((f64::NAN, f64::NAN));
            println!("method: mle");
            println!("beta: {}", r.beta);
            println!("se: {}", r.se.unwrap_or(f64::NAN));
            // R² is a least-squares notion; the likelihood fit has none.
            println!("r2: nan");
            println!("p: {}", r.p.unwrap_or(f64::NAN));
            println!("n_points: {}", r.rows.len());
            println!("ci95_low: {lo}");
            println!("ci95_high: {hi}");
            println!("loglik: {}", r.loglik);
            if let Some(f0) = r.floor {
                println!("floor: {f0}");
            }
            if args.verbose {
                for row in &r.rows {
                    println!(
                        "row: {key_name}={} {crit}={} shape={}",
                        row.key, row.critical, row.shape
                    );
                }
            }
        }
    }
    if args.bootstrap > 0 {
        let b = bootstrap_beta(&table, &setup, method, &mle_opts, args.bootstrap, args.seed)?;
        println!("bootstrap_replicates: {}", b.replicates);
        println!("bootstrap_failed: {}", b.failed);
        println!("bootstrap_mean: {}", b.mean);
        println!("bootstrap_sd: {}", b.sd);
        println!("bootstrap_ci95_low: {}", b.low);
        println!("bootstrap_ci95_high: {}", b.high);
    }
    Ok(())
}
