//! `dynphase theory`: critical learning rates of the toy models across delays.

use clap::{Args, ValueEnum};

use crate::theory::{fit_columns, log_grid, scaling_table, RespSpec, ScalingRow, TableOptions};
use crate::{Error, Result};

/// Output format of `dynphase theory`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned text table plus a summary of fitted exponents.
    Table,
    /// One JSON document with the rows and the fitted exponents.
    Json,
    /// CSV rows on standard output (the exponent summary goes to standard error).
    Csv,
}

/// Arguments of `dynphase theory`.
#[derive(Debug, Args)]
pub struct TheoryArgs {
    /// Delays T_delay (model time units): a comma list `10,100,400` or a log-spaced grid
    /// `FROM:TO:COUNT`.
    #[arg(long, default_value = "10:400:8", allow_hyphen_values = true)]
    pub t_delay: String,
    /// Fixed response window T_resp (default 5 unless --t-resp-ratio is given).
    #[arg(long, conflicts_with = "t_resp_ratio", allow_negative_numbers = true)]
    pub t_resp: Option<f64>,
    /// Response proportional to the delay: T_resp = K * T_delay.
    #[arg(long, allow_negative_numbers = true)]
    pub t_resp_ratio: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Skip the criterion evaluated from the integrated ODE (columns become NaN).
    #[arg(long)]
    pub no_numeric: bool,
    /// Skip the GD-boundary simulation (columns become NaN).
    #[arg(long)]
    pub no_gd: bool,
    /// A formula model file (TOML, see models/): print its numeric eta* next to the
    /// automatic leading-order theory instead of the paper's two models.
    #[arg(long)]
    pub model: Option<std::path::PathBuf>,
    /// With --model: also draw the model's theory figure (η* against T_delay and the local
    /// exponent) into this directory as `model_<name>_theory.{png,svg}`. The paper's two
    /// models have their figures in `dynphase figures theory`.
    #[arg(long, value_name = "DIR")]
    pub figures: Option<std::path::PathBuf>,
}

/// Parse a delay grid: `a,b,c` or `FROM:TO:COUNT` (log-spaced).
pub fn parse_grid(s: &str) -> Result<Vec<f64>> {
    let bad = |why: &str| Error::invalid("--t-delay", format!("'{s}': {why}"));
    let s = s.trim();
    if s.is_empty() {
        return Err(bad("the delay grid is empty"));
    }
    if s.contains(':') {
        let parts: Vec<&str> = s.split(':').collect();
        if parts.len() != 3 {
            return Err(bad("expected FROM:TO:COUNT"));
        }
        let from: f64 = parts[0]
            .trim()
            .parse()
            .map_err(|_| bad("FROM is not a number"))?;
        let to: f64 = parts[1]
            .trim()
            .parse()
            .map_err(|_| bad("TO is not a number"))?;
        let count: usize = parts[2]
            .trim()
            .parse()
            .map_err(|_| bad("COUNT is not a non-negative integer"))?;
        if count == 0 {
            return Err(bad("COUNT must be at least 1"));
        }
        if !(from.is_finite() && from > 0.0 && to.is_finite() && to > 0.0) {
            return Err(bad("FROM and TO must be finite and positive"));
        }
        return log_grid(from, to, count);
    }
    let mut v = Vec::new();
    for p in s.split(',') {
        let x: f64 = p
            .trim()
            .parse()
            .map_err(|_| bad(&format!("'{}' is not a number", p.trim())))?;
        crate::error::check_positive("--t-delay", x)?;
        v.push(x);
    }
    Ok(v)
}

/// The CSV header. The last two columns say where each `eta_*_exact` value comes from:
/// `closed` (the closed form) or `numeric` (no closed form at these windows: the criterion
/// evaluated from the integrated ODE).
pub const CSV_HEADER: &str = "t_delay,t_resp,eta_sp_exact,eta_sp_leading,eta_sp_numeric,eta_sp_gd,eta_lc_exact,eta_lc_leading,eta_lc_numeric,eta_lc_gd,sp_exact_form,lc_exact_form";

fn form(closed: bool) -> &'static str {
    if closed {
        "closed"
    } else {
        "numeric"
    }
}

const NUMERIC_NOTE: &str = "eta_lc_exact rows marked 'numeric': the limit-cycle closed form needs T_resp < 2 T_delay; the value is the criterion evaluated from the ODE";

fn summary(rows: &[ScalingRow]) -> String {
    let mut s = String::from("fitted exponents eta = C * T_delay^(-beta) (log-log OLS):\n");
    for (name, fit) in fit_columns(rows) {
        match fit {
            Some(f) => s.push_str(&format!(
                "  {name:<16} beta = {:.4} +- {:.4}  (95% CI {:.4}..{:.4}, R^2 = {:.6})\n",
                f.beta, f.se, f.ci95.0, f.ci95.1, f.r2
            )),
            None => s.push_str(&format!(
                "  {name:<16} (not fitted: needs >= 3 computed delays)\n"
            )),
        }
    }
    s
}

/// Run `dynphase theory`.
pub fn run(args: &TheoryArgs) -> Result<()> {
    let grid = parse_grid(&args.t_delay)?;
    let resp = match (args.t_resp, args.t_resp_ratio) {
        (Some(_), Some(_)) => {
            return Err(Error::invalid(
                "--t-resp",
                "--t-resp and --t-resp-ratio are mutually exclusive",
            ))
        }
        (Some(t), None) => RespSpec::Fixed(crate::error::check_positive("--t-resp", t)?),
        (None, Some(k)) => RespSpec::Ratio(crate::error::check_positive("--t-resp-ratio", k)?),
        (None, None) => RespSpec::Fixed(5.0),
    };
    if let Some(path) = &args.model {
        return run_model(path, &grid, resp, args.format, args.figures.as_deref());
    }
    if args.figures.is_some() {
        return Err(Error::invalid(
            "--figures",
            "draws the figure of a --model file; the paper's models are drawn by `dynphase figures theory`",
        ));
    }
    let opts = TableOptions {
        numeric: !args.no_numeric,
        gd: !args.no_gd,
    };
    let rows = scaling_table(&grid, resp, opts)?;
    let any_numeric = rows.iter().any(|r| !(r.sp.closed_form && r.lc.closed_form));
    match args.format {
        Format::Csv => {
            println!("{CSV_HEADER}");
            for r in &rows {
                let mut vals: Vec<String> = [r.t_delay, r.t_resp]
                    .iter()
                    .chain(r.values().iter())
                    .map(|v| format!("{v:e}"))
                    .collect();
                vals.extend([form(r.sp.closed_form), form(r.lc.closed_form)].map(String::from));
                println!("{}", vals.join(","));
            }
            if any_numeric {
                eprintln!("{NUMERIC_NOTE}");
            }
            eprint!("{}", summary(&rows));
        }
        Format::Table => {
            let cols: Vec<&str> = CSV_HEADER.split(',').collect();
            let line: Vec<String> = cols.iter().map(|c| format!("{c:>15}")).collect();
            println!("{}", line.join(" "));
            for r in &rows {
                let mut cells = vec![
                    format!("{:>15.4}", r.t_delay),
                    format!("{:>15.4}", r.t_resp),
                ];
                cells.extend(r.values().iter().map(|v| format!("{v:>15.6e}")));
                cells.extend(
                    [form(r.sp.closed_form), form(r.lc.closed_form)].map(|f| format!("{f:>15}")),
                );
                println!("{}", cells.join(" "));
            }
            println!();
            if any_numeric {
                println!("{NUMERIC_NOTE}");
            }
            print!("{}", summary(&rows));
            println!(
                "leading-order curves cross at T_delay = pi^2 = {:.4}",
                crate::theory::leading_crossing_delay()
            );
        }
        Format::Json => {
            let fits: serde_json::Map<String, serde_json::Value> = fit_columns(&rows)
                .into_iter()
                .map(|(name, f)| {
                    let v = match f {
                        Some(f) => serde_json::json!({
                            "beta": f.beta, "se": f.se, "r2": f.r2, "p": f.p,
                            "ci95": [f.ci95.0, f.ci95.1], "n": f.n
                        }),
                        None => serde_json::Value::Null,
                    };
                    (name.to_string(), v)
                })
                .collect();
            let doc = serde_json::json!({ "rows": rows, "exponents": fits });
            println!(
                "{}",
                serde_json::to_string_pretty(&doc)
                    .map_err(|e| Error::numerical("json output", e.to_string()))?
            );
        }
    }
    Ok(())
}

const MODEL_HEADER: &str =
    "t_delay,t_resp,r_star_numeric,r_star_predicted,eta_numeric,eta_predicted,eta_leading";

/// `dynphase theory --model FILE`: numeric η* of a formula model next to its automatic
/// leading-order theory.
fn run_model(
    path: &std::path::Path,
    grid: &[f64],
    resp: RespSpec,
    format: Format,
    figures: Option<&std::path::Path>,
) -> Result<()> {
    use crate::toy::ToyModel;
    let m = crate::toy::FormulaModel::from_file(path)?;
    let (lo, rows) = crate::theory::model_table(&m, grid, resp)?;
    let vals = |r: &crate::theory::ModelRow| {
        [
            r.t_delay,
            r.t_resp,
            r.r_star_numeric,
            r.r_star_predicted,
            r.eta_numeric,
            r.eta_predicted,
            r.eta_leading,
        ]
    };
    let x: Vec<f64> = rows.iter().map(|r| r.t_delay).collect();
    let fit = |y: Vec<f64>| crate::fit::fit_power_law(&x, &y).ok();
    let fit_num = fit(rows.iter().map(|r| r.eta_numeric).collect());
    let local =
        crate::theory::local_exponents(&x, &rows.iter().map(|r| r.eta_numeric).collect::<Vec<_>>())
            .ok();
    let accurate = crate::theory::leading_accurate_from(&rows, 0.1);
    if let Some(dir) = figures {
        // Checked before the table is printed, so an unwritable directory fails cleanly.
        for f in crate::plot::theory::render_model(m.name(), &rows, lo.eta_leading().2, dir)? {
            eprintln!("wrote {}", f.display());
        }
    }
    let mut notes = vec![format!("bifurcation: {}", lo.describe(&m))];
    notes.extend(
        lo.formulas()
            .into_iter()
            .map(|f| format!("leading order: {f}")),
    );
    if let Some(f) = &fit_num {
        notes.push(format!(
            "fitted eta_numeric = C * T_delay^(-beta): beta = {:.4} +- {:.4} (R^2 = {:.6}); leading-order beta = {}",
            f.beta,
            f.se,
            f.r2,
            lo.eta_leading().2
        ));
    }
    notes.push(match accurate {
        Some(t) => {
            format!("leading order within 10 % of eta_numeric for T_delay >= {t:.4} on this grid")
        }
        None => {
            "leading order not within 10 % of eta_numeric at the largest delay of this grid".into()
        }
    });
    match format {
        Format::Csv => {
            println!("{MODEL_HEADER}");
            for r in &rows {
                let v: Vec<String> = vals(r).iter().map(|v| format!("{v:e}")).collect();
                println!("{}", v.join(","));
            }
            for n in &notes {
                eprintln!("{n}");
            }
        }
        Format::Table => {
            let mut cols: Vec<String> = MODEL_HEADER
                .split(',')
                .map(|c| format!("{c:>16}"))
                .collect();
            cols.push(format!("{:>16}", "local_beta"));
            println!("{}", cols.join(" "));
            for (i, r) in rows.iter().enumerate() {
                let mut cells: Vec<String> =
                    vals(r).iter().map(|v| format!("{v:>16.6e}")).collect();
                let b = local.as_ref().map_or(f64::NAN, |l| l[i]);
                cells.push(format!("{b:>16.4}"));
                println!("{}", cells.join(" "));
            }
            println!();
            for n in &notes {
                println!("{n}");
            }
        }
        Format::Json => {
            let doc = serde_json::json!({
                "model": m.name(),
                "rows": rows,
                "local_beta": local,
                "beta_numeric": fit_num.map(|f| f.beta),
                "beta_leading": lo.eta_leading().2,
                "leading_order": lo.formulas(),
                "bifurcation": lo.describe(&m),
                "leading_within_10pct_from": accurate,
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&doc)
                    .map_err(|e| Error::numerical("json output", e.to_string()))?
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_parsing() {
        assert_eq!(parse_grid("10,100,400").unwrap(), vec![10.0, 100.0, 400.0]);
        let g = parse_grid("10:1000:3").unwrap();
        assert_eq!(g.len(), 3);
        assert!((g[1] - 100.0).abs() < 1e-9);
        for bad in [
            "", "10:400", "10:400:0", "a,b", "10:-1:3", "nan:4:2", "0,5", "-3", "1:2:x", "inf,2",
        ] {
            assert!(parse_grid(bad).is_err(), "{bad}");
        }
    }
}
