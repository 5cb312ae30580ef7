//! Command-line front end (clap). Thin: every subcommand parses its arguments and calls
//! library functions. Each subcommand lives in its own file.

use clap::{Parser, Subcommand};

mod bifurcations;
mod checks;
mod classify;
mod figures;
mod fit;
mod orbits;
mod reproduce;
mod results;
mod scaling;
mod sweep;
mod theory;
mod toy;
mod train;

/// Dynamical phases of short-term memory in RNNs: theory, training, analysis and sweeps.
#[derive(Debug, Parser)]
#[command(name = "dynphase", version, about, long_about = None)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// All subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Critical learning rates of the toy models: closed forms, numerics and GD boundaries.
    Theory(theory::TheoryArgs),
    /// Formula toy models: `toy check FILE` parses a model file and reports its bifurcation.
    Toy(toy::ToyArgs),
    /// Fit a power law y = C x^(-beta) to two columns of a CSV file.
    FitPowerLaw(fit::FitPowerLawArgs),
    /// Train one RNN (full-rank or rank-2) on one of the paper's tasks.
    Train(train::TrainArgs),
    /// Classify a trained network's mechanism (spectral index and dynamics).
    Classify(classify::ClassifyArgs),
    /// Find fixed and slow points of a trained network with their Jacobian spectra.
    FixedPoints(classify::FixedPointsArgs),
    /// Periodic orbit of a trained network's flow after the trial, with Floquet multipliers.
    Orbits(orbits::OrbitsArgs),
    /// Fixed points and periodic orbits followed across the checkpoints of one training run,
    /// with the bifurcations (fold, Hopf, SNIC, homoclinic) between them.
    Bifurcations(bifurcations::BifurcationsArgs),
    /// Run (a shard of) a learning-rate x delay x seed sweep; resumable.
    Sweep(sweep::SweepArgs),
    /// Merge the outputs of sweep shards.
    Merge(sweep::MergeArgs),
    /// Show the progress of sweep shards: done/total per shard and overall, with an ETA.
    Status(sweep::StatusArgs),
    /// Aggregate sweep results into a phase-diagram table.
    Phase(sweep::PhaseArgs),
    /// Fit critical boundaries and their scaling exponent from a phase table.
    Scaling(scaling::ScalingArgs),
    /// The results table: every boundary's exponent by both estimators beside the paper's
    /// value, with networks and core-hours (committed data, or sweep directories).
    Results(results::ResultsArgs),
    /// Draw figures: `all` into paper_figures/, `sweep DIR` into DIR/figures/ (or --out).
    Figures(figures::FiguresArgs),
    /// The whole pipeline: theory table and figures, then a sweep preset (default: quick):
    /// sweep, phase table, exponent by both estimators, figures; last the results table of
    /// every preset run. Rerun to resume.
    Reproduce(reproduce::ReproduceArgs),
}

/// Parse the command line, run it, and return the process exit code.
///
/// Errors are printed as one line on standard error, prefixed with `error:`, with exit code 1.
pub fn main() -> i32 {
    let cli = Cli::parse();
    match run_command(&cli.command) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

/// Run one parsed subcommand.
pub fn run_command(command: &Command) -> crate::Result<()> {
    crate::rnn::kernels::active()?;
    match command {
        Command::Theory(a) => theory::run(a),
        Command::Toy(a) => toy::run(a),
        Command::FitPowerLaw(a) => fit::run(a),
        Command::Train(a) => train::run(a),
        Command::Classify(a) => classify::run_classify(a),
        Command::FixedPoints(a) => classify::run_fixed_points(a),
        Command::Orbits(a) => orbits::run(a),
        Command::Bifurcations(a) => bifurcations::run(a),
        Command::Sweep(a) => sweep::run_sweep(a),
        Command::Merge(a) => sweep::run_merge(a),
        Command::Status(a) => sweep::run_status(a),
        Command::Phase(a) => sweep::run_phase(a),
        Command::Scaling(a) => scaling::run(a),
        Command::Results(a) => results::run(a),
        Command::Figures(a) => figures::run(a),
        Command::Reproduce(a) => reproduce::run(a),
    }
}
