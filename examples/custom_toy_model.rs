//! A third toy model in a few lines: the SNIC oscillator θ' = r − cos θ.
//!
//! For r < 1 the flow has a stable fixed point (output frozen at 0: the flat zone); for r
//! slightly above 1 the fixed points have merged into a ghost near θ = 0 (a slow-point
//! bottleneck of duration ≈ π/√(2(r − 1))) and the phase rotates with period
//! 2π/√(r² − 1) — the model sits between the saddle-node and the limit cycle. Output
//! o = H(sin θ), started at θ = −π/2. Only the dynamics and the readout are written here;
//! loss, r*, r_NL and η* come from the generic numerics of `ToyModel`.
//!
//! Run: `cargo run --release --example custom_toy_model`

use dynphase::toy::{ToyModel, ToyNumerics, Windows};

struct Snic {
    w: Windows,
}

impl ToyModel for Snic {
    fn name(&self) -> &str {
        "snic"
    }
    fn windows(&self) -> Windows {
        self.w
    }
    fn dim(&self) -> usize {
        1
    }
    fn rhs(&self, r: f64, _t: f64, x: &[f64], dx: &mut [f64]) {
        dx[0] = r - x[0].cos();
    }
    fn initial_state(&self, _r: f64, x: &mut [f64]) {
        x[0] = -std::f64::consts::FRAC_PI_2;
    }
    fn indicator(&self, x: &[f64]) -> f64 {
        x[0].sin()
    }
    fn r_search(&self) -> (f64, f64) {
        let td2 = self.w.t_delay * self.w.t_delay;
        (1.0 + 0.05 / td2, 1.0 + 50.0 / td2)
    }
    fn max_step(&self, r: f64) -> f64 {
        0.5 / (r + 1.0) // resolve the fast part of the rotation
    }
}

fn main() -> dynphase::Result<()> {
    let t_resp = 5.0;
    let delays = [20.0, 40.0, 80.0, 160.0, 320.0];
    let mut etas = Vec::new();
    println!(
        "{:>8} {:>14} {:>14} {:>14}",
        "T_delay", "r* - 1", "r_NL - 1", "eta*"
    );
    for &t_delay in &delays {
        let m = Snic {
            w: Windows::new(t_delay, t_resp)?,
        };
        let c = m.critical_rate()?;
        println!(
            "{t_delay:>8} {:>14.6e} {:>14.6e} {:>14.6e}",
            c.r_star - 1.0,
            c.r_nl - 1.0,
            c.eta_star
        );
        etas.push(c.eta_star);
    }
    let fit = dynphase::fit::fit_power_law(&delays, &etas)?;
    println!(
        "fitted exponent: eta* ~ T_delay^-beta, beta = {:.3} +- {:.3} (R^2 = {:.5})",
        fit.beta, fit.se, fit.r2
    );
    Ok(())
}
