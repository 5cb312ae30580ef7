//! `dynphase results`: the results table (docs/fits.md) — every boundary's exponent by both
//! estimators with its interval, the paper's value beside it, networks and core-hours — from
//! committed data (`paper_figures/data/`) or from sweep directories; `--update` rewrites the
//! generated block of markdown files.

use std::path::PathBuf;

use clap::Args;

use crate::sweep::results::{
    load_data_dir, load_sweep_dirs, render, replace_block, result_rows, Format, SweepResults,
};
use crate::{Error, Result};

/// Default data directory of `dynphase results`.
pub const DEFAULT_DATA: &str = "paper_figures/data";

/// Arguments of `dynphase results`.
#[derive(Debug, Args)]
pub struct ResultsArgs {
    /// Directory of committed sweeps: `NAME_runs.jsonl.gz`, each with its `NAME_phase.csv`
    /// (without one the table is computed from the records and `NAME_sweep.json` gives the
    /// planned networks). Default: paper_figures/data.
    #[arg(long, conflicts_with = "sweeps")]
    pub data: Option<PathBuf>,
    /// Read sweep directories ROOT/NAME/ (`runs.jsonl`, `phase.csv`) instead of --data.
    #[arg(long)]
    pub sweeps: Option<PathBuf>,
    /// With --sweeps: the sweeps to show, comma-separated (default: every ROOT/NAME/ with a
    /// `runs.jsonl`).
    #[arg(long, requires = "sweeps")]
    pub preset: Option<String>,
    /// Output format: text or markdown.
    #[arg(long, default_value = "text")]
    pub format: String,
    /// Write the markdown table into the generated block of each of these files (between
    /// the `<!-- results:begin ... -->` and `<!-- results:end -->` lines) instead of printing.
    #[arg(long, num_args = 1..)]
    pub update: Vec<PathBuf>,
}

/// The table of `sweeps` in `format`, with their data notes.
pub fn table(sweeps: &[SweepResults], format: Format) -> String {
    let rows = result_rows(sweeps);
    let notes: Vec<String> = sweeps.iter().flat_map(|s| s.notes.clone()).collect();
    render(&rows, &notes, format)
}

/// Run `dynphase results`.
pub fn run(a: &ResultsArgs) -> Result<()> {
    let format = Format::parse(&a.format)?;
    if !a.update.is_empty() && format != Format::Markdown {
        return Err(Error::invalid("update", "needs --format markdown"));
    }
    let sweeps = match &a.sweeps {
        Some(root) => {
            let names: Vec<String> = a
                .preset
                .as_deref()
                .map(|p| {
                    p.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            load_sweep_dirs(root, &names)?
        }
        None => load_data_dir(&a.data.clone().unwrap_or_else(|| DEFAULT_DATA.into()))?,
    };
    let out = table(&sweeps, format);
    if a.update.is_empty() {
        print!("{out}");
        return Ok(());
    }
    for path in &a.update {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let new = replace_block(&text, &out, path)?;
        if new == text {
            println!("{}: up to date", path.display());
        } else {
            std::fs::write(path, &new).map_err(|e| Error::io(path, e))?;
            println!("{}: updated", path.display());
        }
    }
    Ok(())
}
