//! `dynphase figures`.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use crate::fit::BoundaryFits;
use crate::sweep::discover::{self, Found};

/// Arguments of `dynphase figures`.
#[derive(Debug, Args)]
pub struct FiguresArgs {
    /// Which family of figures to render.
    #[command(subcommand)]
    pub which: Which,
    /// Output directory.
    #[arg(long, default_value = "paper_figures", global = true)]
    pub out: PathBuf,
    /// Rank-2 figures with the paper's full budgets (Fig 2 at lr 1e-4 trained for 5,000,000
    /// epochs instead of 1,000,000; about 90 s more).
    #[arg(long, global = true)]
    pub paper: bool,
}

/// Figure families.
#[derive(Debug, Subcommand)]
pub enum Which {
    /// Toy-model figures: Fig 4G, S2A, S2B and extensions.
    Theory,
    /// Rank-2 network figures: Fig 2, 3A/B, S1.
    Rank2,
    /// Mechanism-analysis figures.
    Analysis,
    /// Figures from sweep results: Fig 4A-F, 4H, 4I, S3, S5, S6.
    ///
    /// Without DIR, the sweep directories are discovered under `$DYNPHASE_SWEEPS` (default
    /// `sweeps/`), the first found of each experiment: `nopost` or `quick`; `post` or
    /// `quick-post`; `long-tau` or `quick-long-tau`; `no-memory` or `quick-no-memory` (each
    /// directory's `merged/` first).
    Sweep {
        /// Sweep directories (each with a runs.jsonl), e.g. `sweeps/quick`.
        dirs: Vec<PathBuf>,
    },
    /// Everything available.
    All,
}

/// Run `dynphase figures`.
pub fn run(args: &FiguresArgs) -> crate::Result<()> {
    std::fs::create_dir_all(&args.out).map_err(|e| crate::Error::io(&args.out, e))?;
    let budget = if args.paper {
        crate::plot::rank2::Rank2Budget::Paper
    } else {
        crate::plot::rank2::Rank2Budget::Quick
    };
    let written = match &args.which {
        Which::Theory => crate::plot::theory::render_all(&args.out)?,
        Which::Rank2 => crate::plot::rank2::render_all_with(&args.out, budget)?,
        Which::Analysis => crate::plot::analysis::render_all(&args.out)?,
        Which::Sweep { dirs } if dirs.is_empty() => {
            sweep_figures(&discover::discover(&discover::sweep_root())?, &args.out)?
        }
        Which::Sweep { dirs } => sweep_figures(&discover::load_dirs(dirs)?, &args.out)?,
        Which::All => {
            let mut all = crate::plot::theory::render_all(&args.out)?;
            all.extend(crate::plot::rank2::render_all_with(&args.out, budget)?);
            all.extend(crate::plot::analysis::render_all(&args.out)?);
            all.extend(sweep_figures(
                &discover::discover(&discover::sweep_root())?,
                &args.out,
            )?);
            all
        }
    };
    for p in written {
        println!("{}", p.display());
    }
    Ok(())
}

/// Fit and draw the sweep figures of every set in `found` into `out`: per set, its phase
/// table, the fits of the boundaries its figures show ([`BoundaryFits::paper`]) and
/// [`crate::plot::sweep::render`]. What was found, what is missing and each failed fit are
/// reported on standard error. Returns the files written.
pub fn sweep_figures(found: &[Found], out: &Path) -> crate::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for f in found {
        let set = match f {
            Found::Missing(note) => {
                eprintln!("figures: {note}");
                continue;
            }
            Found::Set(set) => set,
        };
        let e = set.experiment;
        eprintln!(
            "figures: {} '{}' networks from {}",
            set.records.len(),
            e.name(),
            set.dir.display()
        );
        let table = crate::sweep::phase_table(&set.records, e);
        let fits: Vec<BoundaryFits> = match discover::fit_experiment(e) {
            Some(fe) => crate::plot::sweep::fitted_boundaries(e)
                .into_iter()
                .map(|b| BoundaryFits::paper(&table, fe, b))
                .collect(),
            None => Vec::new(),
        };
        for line in fits
            .iter()
            .flat_map(|f| f.failures(&format!("'{}'", e.name())))
        {
            eprintln!("figures: {line}");
        }
        files.extend(crate::plot::sweep::render(
            e,
            &set.records,
            &table,
            &fits,
            out,
        )?);
    }
    Ok(files)
}
