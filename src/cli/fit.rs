//! `dynphase fit-power-law`: log-log OLS of two CSV columns (docs/fits.md).

use std::path::{Path, PathBuf};

use clap::Args;

use crate::fit::fit_power_law;
use crate::{Error, Result};

/// Arguments of `dynphase fit-power-law`.
#[derive(Debug, Args)]
pub struct FitPowerLawArgs {
    /// CSV file with a header row.
    pub file: PathBuf,
    /// Column holding x (must be positive).
    #[arg(long)]
    pub x: String,
    /// Column holding y (must be positive).
    #[arg(long)]
    pub y: String,
}

/// Read two named numeric columns of a CSV file; every value must be finite and positive.
fn read_columns(path: &Path, xname: &str, yname: &str) -> Result<(Vec<f64>, Vec<f64>)> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(file);
    let headers = rdr
        .headers()
        .map_err(|e| Error::format(path, format!("cannot read the header: {e}")))?
        .clone();
    let names: Vec<&str> = headers.iter().collect();
    let col = |name: &str| {
        names
            .iter()
            .position(|h| *h == name)
            .ok_or_else(|| Error::unknown("column", name, &names))
    };
    let (ix, iy) = (col(xname)?, col(yname)?);
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| Error::format(path, format!("line {line}: {e}")))?;
        let get = |idx: usize, name: &str| -> Result<f64> {
            let s = rec.get(idx).unwrap_or("");
            let v: f64 = s.parse().map_err(|_| {
                Error::format(
                    path,
                    format!("line {line}: {name} value '{s}' is not a number"),
                )
            })?;
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::format(
                    path,
                    format!("line {line}: {name} value {v} is not finite and positive"),
                ));
            }
            Ok(v)
        };
        x.push(get(ix, xname)?);
        y.push(get(iy, yname)?);
    }
    Ok((x, y))
}

/// Run `dynphase fit-power-law`: prints `beta`, `se`, `intercept`, `r2`, `p`, `ci95_low`,
/// `ci95_high`, `n` as `key: value` lines.
pub fn run(args: &FitPowerLawArgs) -> Result<()> {
    let (x, y) = read_columns(&args.file, &args.x, &args.y)?;
    let f = fit_power_law(&x, &y)?;
    println!("beta: {}", f.beta);
    println!("se: {}", f.se);
    println!("intercept: {}", f.intercept);
    println!("r2: {}", f.r2);
    println!("p: {}", f.p);
    println!("ci95_low: {}", f.ci95.0);
    println!("ci95_high: {}", f.ci95.1);
    println!("n: {}", f.n);
    Ok(())
}
