//! `dynphase toy check FILE` and the model table of `dynphase theory --model FILE`.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use crate::toy::{FormulaModel, LeadingOrder, ToyModel};
use crate::Result;

/// Arguments of `dynphase toy`.
#[derive(Debug, Args)]
pub struct ToyArgs {
    /// What to do with a model file.
    #[command(subcommand)]
    pub cmd: ToyCmd,
}

/// Subcommands of `dynphase toy`.
#[derive(Debug, Subcommand)]
pub enum ToyCmd {
    /// Parse a model file; list its variables, formulas and symbolic derivatives, the detected
    /// bifurcation with its coefficients, and evaluate the formulas at a test point.
    Check {
        /// The model file (TOML; see models/).
        file: PathBuf,
    },
}

/// Run `dynphase toy`.
pub fn run(args: &ToyArgs) -> Result<()> {
    match &args.cmd {
        ToyCmd::Check { file } => print!("{}", check_report(file)?),
    }
    Ok(())
}

/// The text printed by `dynphase toy check FILE`.
pub fn check_report(file: &Path) -> Result<String> {
    let m = FormulaModel::from_file(file)?;
    let mut s = String::new();
    let w = m.windows();
    s.push_str(&format!("model '{}' ({})\n", m.name(), file.display()));
    s.push_str(&format!(
        "state: {}   parameter: r   windows: T_d = {}, T_r = {}\n",
        m.state_names().join(", "),
        w.t_delay,
        w.t_resp
    ));
    if !m.constants().is_empty() {
        let c: Vec<String> = m
            .constants()
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        s.push_str(&format!("constants: {}\n", c.join(", ")));
    }
    let n = m.dim();
    for (i, name) in m.state_names().iter().enumerate() {
        s.push_str(&format!("  {name}' = {}\n", m.rhs_formulas()[i].text()));
        for (j, xj) in m.state_names().iter().enumerate() {
            s.push_str(&format!(
                "    d/d{xj} = {}\n",
                m.jacobian_formulas()[i * n + j].text()
            ));
        }
        s.push_str(&format!("    d/dr = {}\n", m.dfdr_formulas()[i].text()));
        s.push_str(&format!(
            "  {name}(0) = {}\n",
            m.initial_formulas()[i].text()
        ));
    }
    s.push_str(&format!(
        "  indicator g = {}  (output 1 where g > 0)\n",
        m.indicator_formula().text()
    ));
    let (lo, hi) = m.r_search();
    s.push_str(&format!("r search range: [{lo:.6e}, {hi:.6e}]\n"));
    // Test point: the initial state at the geometric middle of the search range.
    let r = if lo > 0.0 {
        (lo * hi).sqrt()
    } else {
        0.5 * (lo + hi)
    };
    let mut x = vec![0.0; n];
    m.initial_state(r, &mut x);
    let mut dx = vec![0.0; n];
    m.rhs(r, 0.0, &x, &mut dx);
    let fmt = |v: &[f64]| {
        v.iter()
            .map(|a| format!("{a:.6e}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    s.push_str(&format!(
        "test point r = {r:.6e}, t = 0, x = x0(r) = [{}]: f = [{}], g = {:.6e}\n",
        fmt(&x),
        fmt(&dx),
        m.indicator(&x)
    ));
    if dx.iter().any(|v| !v.is_finite()) {
        s.push_str("warning: the right-hand side is not finite at the test point\n");
    }
    match LeadingOrder::detect(&m) {
        Ok(lo) => {
            s.push_str(&format!("bifurcation: {}\n", lo.describe(&m)));
            for f in lo.formulas() {
                s.push_str(&format!("leading order: {f}\n"));
            }
        }
        Err(e) => s.push_str(&format!("bifurcation: none detected ({e})\n")),
    }
    Ok(s)
}
