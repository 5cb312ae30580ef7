//! `dynphase figures`.
//!
//! Where figures go: `figures all` writes the gallery `paper_figures/`; `figures sweep DIR`
//! writes next to its sweep, into `DIR/figures/`; the other families write `figures/`.
//! `--out DIR` overrides each default, so an ad-hoc sweep never replaces the gallery.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::checks;
use crate::fit::BoundaryFits;
use crate::plot::rank2::Rank2Budget;
use crate::sweep::discover::{self, Found};
use crate::{Error, Result};

/// Arguments of `dynphase figures`.
#[derive(Debug, Args)]
pub struct FiguresArgs {
    /// Which family of figures to render.
    #[command(subcommand)]
    pub which: Which,
    /// Output directory. Default: `paper_figures/` for `all`, `DIR/figures/` for
    /// `sweep DIR`, `figures/` otherwise.
    #[arg(long, global = true)]
    pub out: Option<PathBuf>,
}

/// `--paper` of the families that train rank-2 networks.
#[derive(Debug, Args)]
pub struct PaperArg {
    /// Rank-2 figures with the paper's full budgets (Fig 2 at lr 1e-4 trained for 5,000,000
    /// epochs instead of 1,000,000; about 90 s more).
    #[arg(long)]
    pub paper: bool,
}

impl PaperArg {
    fn budget(&self) -> Rank2Budget {
        if self.paper {
            Rank2Budget::Paper
        } else {
            Rank2Budget::Quick
        }
    }
}

/// Figure families.
#[derive(Debug, Subcommand)]
pub enum Which {
    /// Toy-model figures: Fig 4G, S2A, S2B and extensions.
    Theory,
    /// Rank-2 network figures: Fig 2, 3A/B, S1.
    Rank2(PaperArg),
    /// Mechanism-analysis figures (trains what it shows: about 5 minutes on two cores).
    Analysis,
    /// Figures from sweep results: Fig 4A-F, 4H, 4I, S3, S5, S6.
    ///
    /// Without DIR, the sweep directories are discovered under `$DYNPHASE_SWEEPS` (default
    /// `sweeps/`), the first found of each experiment: `nopost` or `quick`; `post` or
    /// `quick-post`; `long-tau` or `quick-long-tau`; `no-memory` or `quick-no-memory` (each
    /// directory's `merged/` first).
    Sweep {
        /// Sweep directories (each with a runs.jsonl), e.g. `sweeps/quick`. With one DIR the
        /// figures go to DIR/figures/; with several, give --out.
        dirs: Vec<PathBuf>,
    },
    /// Everything available, into `paper_figures/` by default.
    All(PaperArg),
}

/// The output directory: `--out`, else the family's default.
fn out_dir(args: &FiguresArgs) -> Result<PathBuf> {
    if let Some(o) = &args.out {
        return Ok(o.clone());
    }
    Ok(match &args.which {
        Which::All(_) => PathBuf::from("paper_figures"),
        Which::Sweep { dirs } => match dirs.as_slice() {
            [] => PathBuf::from("figures"),
            [one] => one.join("figures"),
            _ => {
                return Err(Error::invalid(
                    "out",
                    "several sweep directories: say where their figures go with --out DIR",
                ))
            }
        },
        _ => PathBuf::from("figures"),
    })
}

fn announce(what: &str, minutes: &str, out: &Path) {
    eprintln!("{what} into {} ({minutes})...", out.display());
}

/// Run `dynphase figures`.
pub fn run(args: &FiguresArgs) -> Result<()> {
    let out = out_dir(args)?;
    checks::output_dir("out", &out)?;
    let analysis = |out: &Path| {
        announce(
            "analysis figures: training the networks they show",
            "about 5 minutes on two cores",
            out,
        );
        crate::plot::analysis::render_all(out)
    };
    let written = match &args.which {
        Which::Theory => crate::plot::theory::render_all(&out)?,
        Which::Rank2(p) => crate::plot::rank2::render_all_with(&out, p.budget())?,
        Which::Analysis => analysis(&out)?,
        Which::Sweep { dirs } if dirs.is_empty() => {
            sweep_figures(&discover::discover(&discover::sweep_root())?, &out)?
        }
        Which::Sweep { dirs } => sweep_figures(&discover::load_dirs(dirs)?, &out)?,
        Which::All(p) => {
            let mut all = crate::plot::theory::render_all(&out)?;
            all.extend(crate::plot::rank2::render_all_with(&out, p.budget())?);
            all.extend(analysis(&out)?);
            all.extend(sweep_figures(
                &discover::discover(&discover::sweep_root())?,
                &out,
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
fn sweep_figures(found: &[Found], out: &Path) -> Result<Vec<PathBuf>> {
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
        let fits: Vec<BoundaryFits> = if e.has_scaling_fit() {
            crate::plot::sweep::fitted_boundaries(e)
                .into_iter()
                .map(|b| BoundaryFits::paper(&table, e, b))
                .collect()
        } else {
            Vec::new()
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
