//! The results table (docs/fits.md): for every boundary of every sweep, the scaling exponent by
//! both estimators beside the paper's value, with the networks and core-hours behind it.
//!
//! One row per boundary: the no-solution boundary (Fig 4C) and the slow-point boundary
//! (Fig S3F) of the no-post sweeps, the no-solution boundary with the post period (Fig 4F) and
//! with the long membrane time constant (Fig S5C; the paper gives no exponent), and the
//! critical learning rate of the no-memory control (Fig S6C). Each row holds
//!
//! * the likelihood estimate β with its 95 % profile interval ([`fit_mle`] with
//!   [`MleOptions::default`]);
//! * the paper's two-step estimate β ± s.e. with R² ([`two_step`]) and that estimator's own
//!   warnings ([`TwoStepResult::warnings`]), condensed to their first clause;
//! * the paper's value ([`paper_value`]);
//! * the networks (records) and core-hours (the records' `wall_s` summed) of the sweep.
//!
//! Both fits use the paper's setup ([`ScalingSetup::paper`]), exactly as `dynphase scaling
//! TABLE --experiment E --method mle|two-step` without overrides, so the table and that
//! command print the same numbers.
//!
//! The sweeps come from a data directory of committed files, `NAME_phase.csv` with
//! `NAME_runs.jsonl.gz` beside it ([`load_data_dir`], the layout of `paper_figures/data/`), or
//! from sweep directories `ROOT/NAME/` with `phase.csv` and `runs.jsonl`
//! ([`load_sweep_dirs`], the layout `dynphase reproduce` writes). A sweep whose records have no
//! phase table (a sweep in progress) gets one computed from its records ([`phase_table`]), and
//! its rows say how many of the planned networks are done.
//!
//! [`render`] prints the rows as an aligned text table or as markdown; the markdown is the
//! block between [`BEGIN_MARKER`] and [`END_MARKER`] in README.md and paper_figures/README.md
//! ([`replace_block`]).

use std::path::Path;

use super::phase::{phase_table, pick_experiment};
use super::preset::Preset;
use super::store::{scan_store, Manifest, RUNS_FILE};
use super::{Experiment, RunRecord};
use crate::fit::{
    fit_mle, two_step, Boundary, MleOptions, MleResult, PhaseTable, ScalingSetup, TwoStepResult,
};
use crate::outcome::Outcome;
use crate::{Error, Result};

pub use crate::assets::{
    paper_value, PaperValue, PAPER_NO_MEMORY, PAPER_NO_SOLUTION, PAPER_POST, PAPER_SLOW_POINT,
};

/// One boundary of the results table: what is fitted and where the paper shows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundaryKind {
    /// The fit experiment.
    pub experiment: Experiment,
    /// The boundary (the no-memory fit has only [`Boundary::Failure`]).
    pub boundary: Boundary,
    /// Short name, e.g. `no solution`.
    pub label: &'static str,
    /// The paper's figure, e.g. `Fig 4C`.
    pub figure: &'static str,
}

impl BoundaryKind {
    /// The paper's value of this boundary ([`paper_value`]).
    pub fn paper(&self) -> Option<PaperValue> {
        paper_value(self.experiment, self.boundary)
    }
}

/// The boundaries of the results table for one experiment, in the paper's order.
pub fn boundaries(experiment: Experiment) -> Vec<BoundaryKind> {
    let k = |boundary, label, figure| BoundaryKind {
        experiment,
        boundary,
        label,
        figure,
    };
    match experiment {
        Experiment::NoPost => vec![
            k(Boundary::Failure, "no solution", "Fig 4C"),
            k(Boundary::SlowPoint, "slow point", "Fig S3F"),
        ],
        Experiment::Post => vec![k(Boundary::Failure, "no solution, post period", "Fig 4F")],
        Experiment::LongTau => vec![k(Boundary::Failure, "no solution, long τ", "Fig S5C")],
        Experiment::NoMemory => vec![k(Boundary::Failure, "no memory", "Fig S6C")],
        Experiment::Rank2Post | Experiment::Rank2NoPost => Vec::new(),
    }
}

/// What the records of one sweep add up to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecordSummary {
    /// Networks (records).
    pub networks: usize,
    /// Seconds of training, summed over the records (`wall_s`: one thread each).
    pub wall_s: f64,
    /// Learned networks.
    pub learned: usize,
    /// Learned limit cycles (`None` for the no-memory control, which has no mechanism).
    pub limit_cycle: Option<usize>,
    /// Learned slow points (`None` for the no-memory control).
    pub slow_point: Option<usize>,
}

impl RecordSummary {
    /// The summary of `records`, all of one `experiment`.
    pub fn of(records: &[RunRecord], experiment: Experiment) -> Self {
        let mech = experiment.has_mechanism();
        let learned: Vec<&RunRecord> = records.iter().filter(|r| !r.not_learned()).collect();
        RecordSummary {
            networks: records.len(),
            wall_s: records.iter().map(|r| r.wall_s).sum(),
            learned: learned.len(),
            limit_cycle: mech.then(|| {
                learned
                    .iter()
                    .filter(|r| r.outcome == Outcome::LimitCycle)
                    .count()
            }),
            slow_point: mech.then(|| {
                learned
                    .iter()
                    .filter(|r| r.outcome != Outcome::LimitCycle)
                    .count()
            }),
        }
    }

    /// Core-hours of training: `wall_s` summed, / 3600.
    pub fn core_hours(&self) -> f64 {
        self.wall_s / 3600.0
    }
}

/// One sweep's phase table and records, ready to fit.
#[derive(Debug, Clone)]
pub struct SweepResults {
    /// The sweep's name (its preset, e.g. `quick-post`).
    pub name: String,
    /// Its experiment.
    pub experiment: Experiment,
    /// Its phase table (committed, or computed from the records).
    pub table: PhaseTable,
    /// Its records, summed up.
    pub summary: RecordSummary,
    /// `(done, planned)` networks of a sweep in progress: set when the phase table was
    /// computed from records that cover fewer networks than the preset plans.
    pub progress: Option<(usize, usize)>,
    /// Notes on the data (e.g. a phase table that counts other networks than the records).
    pub notes: Vec<String>,
}

/// The records of a store (curves dropped), in file order; an error for a missing file.
fn read_records(path: &Path) -> Result<Vec<RunRecord>> {
    if !path.is_file() {
        return Err(Error::format(path, "missing: no sweep records here"));
    }
    let mut records = Vec::new();
    let bad = scan_store(path, &mut |mut r| {
        r.loss_curve = Vec::new();
        r.accuracy_curve = Vec::new();
        r.reliability_curve = Vec::new();
        records.push(r);
    })?;
    if let Some(t) = bad {
        return Err(Error::format(
            path,
            format!("line {}: {}", t.line_no, t.reason),
        ));
    }
    Ok(records)
}

/// Networks the manifest's preset (with its overrides) plans, if it names a known preset.
fn planned(manifest: Option<&Manifest>, name: &str) -> Option<usize> {
    let preset = match manifest {
        Some(m) => Preset::named(&m.preset)
            .ok()?
            .with_overrides(&m.overrides)
            .ok()?,
        None => Preset::named(name).ok()?,
    };
    Some(preset.len())
}

/// Load one sweep: its records from `runs` (`runs.jsonl`, or `.jsonl.gz`), its phase table
/// from `table` if given (else computed from the records, with the progress against
/// `manifest`'s preset, or the preset called `name`).
pub fn load_sweep(
    name: &str,
    table: Option<&Path>,
    runs: &Path,
    manifest: Option<&Manifest>,
) -> Result<SweepResults> {
    let records = read_records(runs)?;
    let experiment =
        pick_experiment(&records, None).map_err(|e| Error::format(runs, e.to_string()))?;
    if !experiment.has_scaling_fit() {
        return Err(Error::format(
            runs,
            format!("'{}' records have no phase diagram", experiment.name()),
        ));
    }
    let summary = RecordSummary::of(&records, experiment);
    let mut notes = Vec::new();
    let (table, progress) = match table {
        Some(p) => {
            let t = PhaseTable::read_csv(p)?;
            let counted: u64 = t.cells.iter().map(|c| c.n).sum();
            if counted != summary.networks as u64 {
                notes.push(format!(
                    "{}: the phase table counts {counted} networks, its records {}",
                    name, summary.networks
                ));
            }
            (t, None)
        }
        None => {
            let t = phase_table(&records, experiment);
            let progress = planned(manifest, name)
                .filter(|&n| n > summary.networks)
                .map(|n| (summary.networks, n));
            (t, progress)
        }
    };
    Ok(SweepResults {
        name: name.to_string(),
        experiment,
        table,
        summary,
        progress,
        notes,
    })
}

/// Order of the sweeps in the table: the quick slices, the workstation sweep, the full
/// presets, then any other name alphabetically.
const ORDER: &[&str] = &[
    "quick",
    "quick-post",
    "quick-no-memory",
    "quick-long-tau",
    "workstation",
    "nopost",
    "post",
    "no-memory",
    "long-tau",
];

fn sort_names(names: &mut [String]) {
    let rank = |n: &str| ORDER.iter().position(|o| *o == n).unwrap_or(ORDER.len());
    names.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
}

/// Suffix of a committed phase table in a data directory.
pub const DATA_PHASE_SUFFIX: &str = "_phase.csv";
/// Suffix of committed records in a data directory.
pub const DATA_RUNS_SUFFIX: &str = "_runs.jsonl.gz";
/// Suffix of a committed manifest in a data directory.
pub const DATA_MANIFEST_SUFFIX: &str = "_sweep.json";

/// Every sweep of a data directory (the layout of `paper_figures/data/`): each
/// `NAME_runs.jsonl.gz` with its `NAME_phase.csv` if present (else the table is computed from
/// the records and `NAME_sweep.json` gives the planned networks). Errors for a missing
/// directory, one without records, a phase table without records, and unreadable files.
pub fn load_data_dir(dir: &Path) -> Result<Vec<SweepResults>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut names = Vec::new();
    let mut tables = Vec::new();
    for e in entries {
        let e = e.map_err(|e| Error::io(dir, e))?;
        let file = e.file_name().to_string_lossy().into_owned();
        if let Some(n) = file.strip_suffix(DATA_RUNS_SUFFIX) {
            names.push(n.to_string());
        } else if let Some(n) = file.strip_suffix(DATA_PHASE_SUFFIX) {
            tables.push(n.to_string());
        }
    }
    if let Some(t) = tables.iter().find(|t| !names.contains(t)) {
        return Err(Error::format(
            dir.join(format!("{t}{DATA_PHASE_SUFFIX}")),
            format!("no records beside it ({t}{DATA_RUNS_SUFFIX})"),
        ));
    }
    if names.is_empty() {
        return Err(Error::format(
            dir,
            format!("no sweep records here (expected NAME{DATA_RUNS_SUFFIX} files)"),
        ));
    }
    sort_names(&mut names);
    names
        .iter()
        .map(|n| {
            let table = dir.join(format!("{n}{DATA_PHASE_SUFFIX}"));
            let manifest = Manifest::read_file(&dir.join(format!("{n}{DATA_MANIFEST_SUFFIX}")))?;
            load_sweep(
                n,
                table.is_file().then_some(table.as_path()),
                &dir.join(format!("{n}{DATA_RUNS_SUFFIX}")),
                manifest.as_ref(),
            )
        })
        .collect()
}

/// The sweeps `ROOT/NAME/` for each of `names` (each with `runs.jsonl` and, if present,
/// `phase.csv` and `sweep.json`), the layout `dynphase sweep --out ROOT/NAME` writes. An empty
/// `names` takes every subdirectory of `root` with a `runs.jsonl` of full-rank records.
pub fn load_sweep_dirs(root: &Path, names: &[String]) -> Result<Vec<SweepResults>> {
    let names: Vec<String> = if names.is_empty() {
        let entries = std::fs::read_dir(root).map_err(|e| Error::io(root, e))?;
        let mut found = Vec::new();
        for e in entries {
            let e = e.map_err(|e| Error::io(root, e))?;
            if e.path().join(RUNS_FILE).is_file() {
                found.push(e.file_name().to_string_lossy().into_owned());
            }
        }
        if found.is_empty() {
            return Err(Error::format(
                root,
                format!("no sweep directories here (expected NAME/{RUNS_FILE})"),
            ));
        }
        sort_names(&mut found);
        found
    } else {
        names.to_vec()
    };
    names
        .iter()
        .map(|n| {
            let dir = root.join(n);
            let table = dir.join("phase.csv");
            let manifest = Manifest::read(&dir)?;
            load_sweep(
                n,
                table.is_file().then_some(table.as_path()),
                &dir.join(RUNS_FILE),
                manifest.as_ref(),
            )
        })
        .collect()
}

/// One row of the results table.
#[derive(Debug, Clone)]
pub struct ResultRow {
    /// The sweep's name.
    pub sweep: String,
    /// The boundary.
    pub kind: BoundaryKind,
    /// The sweep's records, summed up.
    pub summary: RecordSummary,
    /// `(done, planned)` networks of a sweep in progress.
    pub progress: Option<(usize, usize)>,
    /// The likelihood fit, or its error as one line.
    pub likelihood: std::result::Result<MleResult, String>,
    /// The two-step fit, or its error as one line.
    pub two_step: std::result::Result<TwoStepResult, String>,
}

fn one_line(e: Error) -> String {
    e.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl ResultRow {
    /// The row's two-step notes: its error, or its condensed warnings.
    fn two_step_notes(&self) -> Vec<String> {
        match &self.two_step {
            Ok(_) => self.two_step_warnings(),
            Err(e) => vec![format!("two-step fit failed: {e}")],
        }
    }

    /// Everything the notes under the table say about this row: the likelihood fit's error,
    /// then the two-step fit's error or its condensed warnings.
    pub fn notes(&self) -> Vec<String> {
        let mut n = Vec::new();
        if let Err(e) = &self.likelihood {
            n.push(format!("likelihood fit failed: {e}"));
        }
        n.extend(self.two_step_notes());
        n
    }

    /// The two-step estimator's warnings ([`TwoStepResult::warnings`]), each condensed to its
    /// first clause (the part before `": "`), e.g. `R² = 0.18 < 0.8`.
    pub fn two_step_warnings(&self) -> Vec<String> {
        match &self.two_step {
            Ok(r) => r
                .warnings()
                .iter()
                .map(|w| w.split(": ").next().unwrap_or(w).to_string())
                .collect(),
            Err(_) => Vec::new(),
        }
    }
}

/// Fit every boundary ([`boundaries`]) of every sweep with both estimators.
pub fn result_rows(sweeps: &[SweepResults]) -> Vec<ResultRow> {
    let mut rows = Vec::new();
    for s in sweeps {
        let experiment = s.experiment;
        for kind in boundaries(experiment) {
            let setup = ScalingSetup::paper(experiment, kind.boundary);
            rows.push(ResultRow {
                sweep: s.name.clone(),
                kind,
                summary: s.summary,
                progress: s.progress,
                likelihood: fit_mle(&s.table, &setup, &MleOptions::default()).map_err(one_line),
                two_step: two_step(&s.table, &setup).map_err(one_line),
            });
        }
    }
    rows
}

/// A number as the table prints it: two decimals below 10, three significant figures from
/// 10 on, a Unicode minus, `∞` for infinities.
pub fn fmt_value(x: f64) -> String {
    let s = if x.is_nan() {
        "nan".to_string()
    } else if x.is_infinite() {
        "∞".to_string()
    } else if x.abs() < 9.995 {
        format!("{:.2}", x.abs())
    } else {
        let digits = x.abs().log10().floor() as i32;
        let decimals = (2 - digits).max(0) as usize;
        let s = format!("{:.*}", decimals, x.abs());
        // 99.96 rounds to "100.0": one decimal too many.
        if decimals > 0
            && s.split('.')
                .next()
                .is_some_and(|i| i.len() > digits as usize + 1)
        {
            format!("{:.*}", decimals - 1, x.abs())
        } else {
            s
        }
    };
    if x < 0.0 && s != "0.00" {
        format!("−{s}")
    } else {
        s
    }
}

/// A 95 % interval: `[lo, hi]`, with an open end at an infinite bound: `[2.40, ∞)`,
/// `(−∞, 1.00]`.
pub fn fmt_interval(lo: f64, hi: f64) -> String {
    let open_lo = lo.is_infinite();
    let open_hi = hi.is_infinite();
    format!(
        "{}{}, {}{}",
        if open_lo { "(" } else { "[" },
        fmt_value(lo),
        fmt_value(hi),
        if open_hi { ")" } else { "]" }
    )
}

/// An integer with thousands separators: `2,163`.
pub fn fmt_count(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Output format of [`render`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// An aligned plain-text table.
    Text,
    /// A markdown table (the README blocks).
    Markdown,
}

impl Format {
    /// Accepted names, as on the command line.
    pub const NAMES: [&'static str; 2] = ["text", "markdown"];

    /// Parse a command-line name.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "text" => Ok(Format::Text),
            "markdown" | "md" => Ok(Format::Markdown),
            _ => Err(Error::unknown("format", s, &Self::NAMES)),
        }
    }
}

const HEADER: [&str; 8] = [
    "sweep",
    "boundary",
    "likelihood β (95 % profile interval)",
    "two-step β ± s.e.",
    "paper",
    "networks",
    "learned (LC, SP)",
    "core-hours",
];

/// The cells of one row; a failed fit's cell, and the two-step cell when that estimator warns,
/// get `⚠k` for the row's note `k` (1-based).
fn cells(row: &ResultRow, warning: Option<usize>, md: bool) -> [String; 8] {
    let code = |s: &str| {
        if md {
            format!("`{s}`")
        } else {
            s.to_string()
        }
    };
    let sweep = match row.progress {
        Some((done, planned)) => format!(
            "{} (in progress: {} of {})",
            code(&row.sweep),
            fmt_count(done),
            fmt_count(planned)
        ),
        None => code(&row.sweep),
    };
    let likelihood = match &row.likelihood {
        Ok(r) => match r.ci95 {
            Some((lo, hi)) => format!("{} {}", fmt_value(r.beta), fmt_interval(lo, hi)),
            None => fmt_value(r.beta),
        },
        Err(_) => format!("fit failed ⚠{}", warning.unwrap_or(0)),
    };
    let mut two = match &row.two_step {
        Ok(r) => format!(
            "{} ± {} (R² = {:.2})",
            fmt_value(r.fit.beta),
            fmt_value(r.fit.se),
            r.fit.r2
        ),
        Err(_) => "fit failed".to_string(),
    };
    if let Some(k) = warning.filter(|_| !row.two_step_notes().is_empty()) {
        two.push_str(&format!(" ⚠{k}"));
    }
    let paper = match row.kind.paper() {
        Some(p) => format!("{} ± {}", fmt_value(p.beta), fmt_value(p.se)),
        None => "not published".to_string(),
    };
    let s = &row.summary;
    let learned = match (s.limit_cycle, s.slow_point) {
        (Some(lc), Some(sp)) => format!(
            "{} ({}, {})",
            fmt_count(s.learned),
            fmt_count(lc),
            fmt_count(sp)
        ),
        _ => fmt_count(s.learned),
    };
    [
        sweep,
        format!("{} ({})", row.kind.label, row.kind.figure),
        likelihood,
        two,
        paper,
        fmt_count(s.networks),
        learned,
        format!("{:.2}", s.core_hours()),
    ]
}

/// The rows as a table, then each row's notes ([`ResultRow::notes`]: failed fits, the two-step
/// warnings; numbered, referenced from the cells as `⚠k`) and `notes` (e.g.
/// [`SweepResults::notes`]), one per line.
pub fn render(rows: &[ResultRow], notes: &[String], format: Format) -> String {
    let md = format == Format::Markdown;
    let mut warnings: Vec<((&str, &str), Vec<String>)> = Vec::new();
    let mut table: Vec<[String; 8]> = Vec::new();
    for row in rows {
        let w = row.notes();
        let k = if w.is_empty() {
            None
        } else {
            warnings.push(((row.sweep.as_str(), row.kind.label), w));
            Some(warnings.len())
        };
        table.push(cells(row, k, md));
    }
    let mut out = String::new();
    let header = HEADER.map(String::from);
    if md {
        let line = |c: &[String; 8]| format!("| {} |\n", c.join(" | "));
        out.push_str(&line(&header));
        out.push_str(&format!("|{}\n", "---|".repeat(HEADER.len())));
        for c in &table {
            out.push_str(&line(c));
        }
    } else {
        let width = |i: usize| {
            table
                .iter()
                .chain(std::iter::once(&header))
                .map(|c| c[i].chars().count())
                .max()
                .unwrap_or(0)
        };
        let widths: [usize; 8] = std::array::from_fn(width);
        let line = |c: &[String; 8]| {
            let padded: Vec<String> = c
                .iter()
                .zip(&widths)
                .map(|(s, &w)| format!("{s}{}", " ".repeat(w - s.chars().count())))
                .collect();
            format!("{}\n", padded.join("  ").trim_end())
        };
        out.push_str(&line(&header));
        out.push_str(&line(&widths.map(|w| "-".repeat(w))));
        for c in &table {
            out.push_str(&line(c));
        }
    }
    let failed = rows
        .iter()
        .any(|r| r.likelihood.is_err() || r.two_step.is_err());
    if failed {
        out.push_str(if md {
            "\nFailed fits, and the two-step estimator's own warnings (condensed; `dynphase \
             scaling` prints them in full):\n\n"
        } else {
            "\nfailed fits and two-step warnings (condensed; `dynphase scaling` prints them in \
             full):\n"
        });
    } else if !warnings.is_empty() {
        out.push_str(if md {
            "\nThe two-step estimator's own warnings (condensed; `dynphase scaling` prints them \
             in full):\n\n"
        } else {
            "\ntwo-step warnings (condensed; `dynphase scaling` prints them in full):\n"
        });
    }
    for (k, ((sweep, label), w)) in warnings.iter().enumerate() {
        let what = if md {
            format!("`{sweep}`, {label}")
        } else {
            format!("{sweep}, {label}")
        };
        let item = format!("⚠{} {what}: {}", k + 1, w.join("; "));
        out.push_str(&if md {
            format!("- {item}\n")
        } else {
            format!("  {item}\n")
        });
    }
    if !notes.is_empty() {
        out.push('\n');
        for n in notes {
            out.push_str(&if md {
                format!("- note: {n}\n")
            } else {
                format!("note: {n}\n")
            });
        }
    }
    out
}

/// First line of the generated block in a markdown file.
pub const BEGIN_MARKER: &str = "<!-- results:begin (generated by `dynphase results --format markdown --update README.md paper_figures/README.md`; do not edit) -->";
/// Last line of the generated block in a markdown file.
pub const END_MARKER: &str = "<!-- results:end -->";

/// The generated block of `text`: what lies between the [`BEGIN_MARKER`] line and the
/// [`END_MARKER`] line (`None` if either is missing or they are out of order).
pub fn block_of(text: &str) -> Option<&str> {
    let start = text.find(BEGIN_MARKER)? + BEGIN_MARKER.len();
    let start = start + text[start..].find('\n')? + 1;
    let end = start + text[start..].find(END_MARKER)?;
    Some(&text[start..end])
}

/// `text` (the contents of `path`) with its generated block replaced by `block` (a markdown
/// table from [`render`]); [`Error::Format`] naming `path` and the missing marker otherwise.
pub fn replace_block(text: &str, block: &str, path: &Path) -> Result<String> {
    let missing = |what: String| Error::format(path, what);
    let Some(b) = text.find(BEGIN_MARKER) else {
        return Err(missing(format!("no line '{BEGIN_MARKER}'")));
    };
    let start = b + BEGIN_MARKER.len();
    let Some(nl) = text[start..].find('\n') else {
        return Err(missing("nothing after the begin marker".into()));
    };
    let start = start + nl + 1;
    let Some(e) = text[start..].find(END_MARKER) else {
        return Err(missing(format!(
            "no line '{END_MARKER}' after the begin marker"
        )));
    };
    let end = start + e;
    Ok(format!("{}{block}{}", &text[..start], &text[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_as_the_readme_quotes_them() {
        assert_eq!(fmt_value(2.819358142648896), "2.82");
        assert_eq!(fmt_value(46.77115687549377), "46.8");
        assert_eq!(fmt_value(0.04690776440183991), "0.05");
        assert_eq!(fmt_value(-0.36215814064146606), "−0.36");
        assert_eq!(fmt_value(-0.001), "0.00");
        assert_eq!(fmt_value(9.996), "10.0");
        assert_eq!(fmt_value(99.96), "100");
        assert_eq!(fmt_value(1234.6), "1235");
        assert_eq!(fmt_value(f64::INFINITY), "∞");
        assert_eq!(fmt_value(f64::NEG_INFINITY), "−∞");
        assert_eq!(fmt_value(f64::NAN), "nan");
    }

    #[test]
    fn intervals_are_open_at_infinity() {
        assert_eq!(fmt_interval(2.048482165105112, 46.77), "[2.05, 46.8]");
        assert_eq!(fmt_interval(2.4046624292607377, f64::INFINITY), "[2.40, ∞)");
        assert_eq!(fmt_interval(f64::NEG_INFINITY, 1.0), "(−∞, 1.00]");
    }

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(fmt_count(0), "0");
        assert_eq!(fmt_count(348), "348");
        assert_eq!(fmt_count(2163), "2,163");
        assert_eq!(fmt_count(63000), "63,000");
        assert_eq!(fmt_count(1234567), "1,234,567");
    }

    #[test]
    fn blocks_are_found_and_replaced() {
        let text = format!("intro\n{BEGIN_MARKER}\nold\ntable\n{END_MARKER}\noutro\n");
        assert_eq!(block_of(&text), Some("old\ntable\n"));
        let new = replace_block(&text, "new\n", Path::new("R.md")).unwrap();
        assert_eq!(
            new,
            format!("intro\n{BEGIN_MARKER}\nnew\n{END_MARKER}\noutro\n")
        );
        assert_eq!(block_of(&new), Some("new\n"));
        let e = replace_block("no markers", "x", Path::new("R.md")).unwrap_err();
        assert!(matches!(e, Error::Format { .. }), "{e:?}");
        assert!(e.to_string().contains("R.md") && e.to_string().contains("results:begin"));
        assert!(block_of(&format!("{END_MARKER}\n{BEGIN_MARKER}\n")).is_none());
    }

    #[test]
    fn rows_render_open_intervals_failures_and_progress() {
        let summary = RecordSummary {
            networks: 296,
            wall_s: 5470.0,
            learned: 208,
            limit_cycle: Some(122),
            slow_point: Some(86),
        };
        let mle = MleResult {
            beta: 5.30992805250849,
            c0: 0.0,
            c1: 0.0,
            loglik: 0.0,
            ci95: Some((2.4046624292607377, f64::INFINITY)),
            se: Some(f64::INFINITY),
            p: None,
            rows: Vec::new(),
            floor: None,
        };
        let row = ResultRow {
            sweep: "workstation".into(),
            kind: boundaries(Experiment::NoPost)[1],
            summary,
            progress: Some((296, 2163)),
            likelihood: Ok(mle),
            two_step: Err("invalid rows: fewer than 3 usable".into()),
        };
        let md = render(
            std::slice::from_ref(&row),
            &["a note".into()],
            Format::Markdown,
        );
        assert_eq!(
            md.lines().nth(2).unwrap(),
            "| `workstation` (in progress: 296 of 2,163) | slow point (Fig S3F) | \
             5.31 [2.40, ∞) | fit failed ⚠1 | 4.05 ± 0.10 | 296 | 208 (122, 86) | 1.52 |"
        );
        assert!(
            md.contains(
                "- ⚠1 `workstation`, slow point: two-step fit failed: invalid rows: fewer than 3 \
                 usable\n"
            ),
            "{md}"
        );
        assert!(md.ends_with("\n- note: a note\n"), "{md}");
        let text = render(&[row], &[], Format::Text);
        assert!(
            text.lines()
                .nth(2)
                .unwrap()
                .starts_with("workstation (in progress: 296 of 2,163)  slow point"),
            "{text}"
        );
    }

    #[test]
    fn paper_values_per_boundary() {
        use Experiment as E;
        assert_eq!(
            paper_value(E::NoPost, Boundary::Failure),
            Some(PAPER_NO_SOLUTION)
        );
        assert_eq!(
            paper_value(E::NoPost, Boundary::SlowPoint),
            Some(PAPER_SLOW_POINT)
        );
        assert_eq!(paper_value(E::Post, Boundary::Failure), Some(PAPER_POST));
        assert_eq!(
            paper_value(E::NoMemory, Boundary::Failure),
            Some(PAPER_NO_MEMORY)
        );
        assert_eq!(paper_value(E::LongTau, Boundary::Failure), None);
        let figs: Vec<&str> = [E::NoPost, E::Post, E::LongTau, E::NoMemory]
            .into_iter()
            .flat_map(boundaries)
            .map(|k| k.figure)
            .collect();
        assert_eq!(figs, ["Fig 4C", "Fig S3F", "Fig 4F", "Fig S5C", "Fig S6C"]);
    }
}
