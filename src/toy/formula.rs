//! Toy models written as formulas: [`FormulaModel`].
//!
//! A model file (TOML) gives the state variables, the right-hand sides f_i(x, r, t), the
//! initial state x0_i(r), the readout indicator g(x), the windows and named constants; the
//! formulas are parsed and differentiated symbolically (crate `exmex`), and the model then has
//! every numeric method of [`ToyModel`]. The loss slope is exact: it comes from the
//! sensitivity equations s' = (∂f/∂x) s + ∂f/∂r, s(0) = ∂x0/∂r, and the switch-time
//! derivative dt_k/dr = −(∇g · s)/(∇g · f) at each output switch, instead of differences in r.
//!
//! ```toml
//! name = "snic"
//! state = ["theta"]
//! rhs = ["r - cos(theta)"]
//! initial = ["-PI/2"]
//! indicator = "sin(theta)"
//! r_search = ["1 + 0.05/T_d^2", "1 + 50/T_d^2"]
//! max_step = "0.5/(r + 1)"
//!
//! [windows]
//! t_delay = 20.0
//! t_resp = 5.0
//! ```
//!
//! Formulas may use the state variables, `r`, `t` (right-hand sides only), the windows `T_d`
//! and `T_r`, the constants of an optional `[constants]` table, the numbers `PI`, `E`, `TAU`,
//! the operators `+ - * / ^` and the functions `sin cos tan asin acos atan sinh cosh tanh exp
//! ln log sqrt cbrt abs signum`. The indicator may use the state and the constants; the
//! initial state `r`, the windows and the constants; `r_search` and `max_step` the windows,
//! the constants and (`max_step`) `r`. An optional `[readout]` table selects
//! `kind = "sigmoid"` with `gain` and `dt` (default `kind = "step"`).

use std::collections::BTreeMap;
use std::path::Path;

use exmex::prelude::*;
use exmex::Differentiate;
use serde::Deserialize;

use super::numerics::{self, Side};
use super::{Readout, ToyModel, Windows};
use crate::ode::{find_crossings, System};
use crate::{Error, Result};

/// Functions a formula may call (all unary).
const FUNCTIONS: [&str; 16] = [
    "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "exp", "ln", "log",
    "sqrt", "cbrt", "abs", "signum",
];
/// Named numbers of the expression language.
const NUMBERS: [&str; 3] = ["PI", "E", "TAU"];

/// A parsed formula: the expression and, for each of its variables, the slot of the model's
/// variable vector that feeds it.
#[derive(Clone, Debug)]
pub struct Formula {
    text: String,
    ex: FlatEx<f64>,
    slots: Vec<usize>,
}

impl Formula {
    /// The formula as written (or as produced by differentiation).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Slots of the model's variable vector this formula reads.
    pub(crate) fn slots(&self) -> &[usize] {
        &self.slots
    }

    /// Value at the slot vector `v` (NaN if the expression cannot be evaluated).
    #[inline]
    fn eval(&self, v: &[f64]) -> f64 {
        const STACK: usize = 12;
        let n = self.slots.len();
        let r = if n <= STACK {
            let mut buf = [0.0; STACK];
            for (b, &s) in buf.iter_mut().zip(&self.slots) {
                *b = v[s];
            }
            self.ex.eval(&buf[..n])
        } else {
            let buf: Vec<f64> = self.slots.iter().map(|&s| v[s]).collect();
            self.ex.eval(&buf)
        };
        r.unwrap_or(f64::NAN)
    }

    /// Symbolic partial derivative with respect to slot `slot` (the zero formula if the
    /// formula does not depend on it).
    pub(crate) fn partial(&self, slot: usize, what: &str) -> Result<Formula> {
        match self.slots.iter().position(|&s| s == slot) {
            None => Ok(Formula {
                text: "0".into(),
                ex: FlatEx::parse("0").expect("the literal 0 parses"),
                slots: Vec::new(),
            }),
            Some(i) => {
                let ex = self.ex.clone().partial(i).map_err(|e| {
                    Error::invalid(what, format!("cannot differentiate: {}", e.msg()))
                })?;
                Ok(Formula {
                    text: ex.unparse().to_string(),
                    ex,
                    slots: self.slots.clone(),
                })
            }
        }
    }
}

/// Grammar check with 1-based character columns, so that syntax errors and unknown names are
/// reported where they are (the expression crate reports no positions).
fn check_syntax(src: &str, what: &str, allowed: &[&str]) -> Result<()> {
    let chars: Vec<char> = src.chars().collect();
    let err = |col: usize, msg: String| Error::invalid(what, format!("{msg} at column {col}"));
    let mut p = Parser {
        c: &chars,
        i: 0,
        depth: 0,
    };
    p.skip_ws();
    if p.i == chars.len() {
        return Err(Error::invalid(what, "empty formula"));
    }
    p.expr(allowed).map_err(|(col, msg)| err(col, msg))?;
    p.skip_ws();
    if p.i < chars.len() {
        let msg = if chars[p.i] == ')' {
            "unmatched ')'".to_string()
        } else {
            format!("unexpected '{}'", chars[p.i])
        };
        return Err(err(p.i + 1, msg));
    }
    Ok(())
}

struct Parser<'a> {
    c: &'a [char],
    i: usize,
    depth: usize,
}

type PResult = std::result::Result<(), (usize, String)>;

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.i < self.c.len() && self.c[self.i].is_whitespace() {
            self.i += 1;
        }
    }
    fn peek(&self) -> Option<char> {
        self.c.get(self.i).copied()
    }
    fn expr(&mut self, allowed: &[&str]) -> PResult {
        loop {
            self.skip_ws();
            while matches!(self.peek(), Some('-') | Some('+')) {
                self.i += 1;
                self.skip_ws();
            }
            self.primary(allowed)?;
            self.skip_ws();
            match self.peek() {
                Some('+' | '-' | '*' | '/' | '^') => self.i += 1,
                _ => return Ok(()),
            }
        }
    }
    fn primary(&mut self, allowed: &[&str]) -> PResult {
        let start = self.i;
        let Some(ch) = self.peek() else {
            return Err((
                start + 1,
                "formula ends where an operand is expected".into(),
            ));
        };
        if ch == '(' {
            self.i += 1;
            self.depth += 1;
            if self.depth > 200 {
                return Err((start + 1, "parentheses nested too deeply".into()));
            }
            self.expr(allowed)?;
            self.skip_ws();
            if self.peek() != Some(')') {
                return Err((start + 1, "unclosed '('".into()));
            }
            self.depth -= 1;
            self.i += 1;
            return Ok(());
        }
        if ch.is_ascii_digit() || ch == '.' {
            while matches!(self.peek(), Some(c) if c.is_ascii_digit() || c == '.') {
                self.i += 1;
            }
            if matches!(self.peek(), Some('e' | 'E'))
                && matches!(self.c.get(self.i + 1), Some(c) if c.is_ascii_digit() || *c == '-' || *c == '+')
            {
                self.i += 2;
                while matches!(self.peek(), Some(c) if c.is_ascii_digit()) {
                    self.i += 1;
                }
            }
            let lit: String = self.c[start..self.i].iter().collect();
            if lit.parse::<f64>().is_err() {
                return Err((start + 1, format!("malformed number '{lit}'")));
            }
            return Ok(());
        }
        if ch.is_alphabetic() || ch == '_' {
            while matches!(self.peek(), Some(c) if c.is_alphanumeric() || c == '_') {
                self.i += 1;
            }
            let name: String = self.c[start..self.i].iter().collect();
            self.skip_ws();
            if self.peek() == Some('(') {
                if !FUNCTIONS.contains(&name.as_str()) {
                    return Err((
                        start + 1,
                        format!(
                            "unknown function '{name}' (known: {})",
                            FUNCTIONS.join(", ")
                        ),
                    ));
                }
                return self.primary(allowed);
            }
            if FUNCTIONS.contains(&name.as_str()) {
                return Err((start + 1, format!("function '{name}' needs '(...)'")));
            }
            if !NUMBERS.contains(&name.as_str()) && !allowed.contains(&name.as_str()) {
                return Err((
                    start + 1,
                    format!(
                        "unknown variable '{name}' (known here: {})",
                        allowed.join(", ")
                    ),
                ));
            }
            return Ok(());
        }
        Err((start + 1, format!("unexpected '{ch}'")))
    }
}

/// The TOML layout of a model file (see the [module documentation](self)).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    name: String,
    state: Vec<String>,
    rhs: Vec<String>,
    initial: Vec<String>,
    indicator: String,
    r_search: [String; 2],
    max_step: Option<String>,
    windows: WindowsFile,
    #[serde(default)]
    constants: BTreeMap<String, f64>,
    readout: Option<ReadoutFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WindowsFile {
    t_delay: f64,
    t_resp: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadoutFile {
    kind: String,
    gain: Option<f64>,
    dt: Option<f64>,
}

/// A toy model defined by formulas (see the [module documentation](self)).
///
/// Variable slots: the n state variables, then `r`, `t`, `T_d`, `T_r`, then the constants.
#[derive(Clone, Debug)]
pub struct FormulaModel {
    name: String,
    state: Vec<String>,
    w: Windows,
    readout: Readout,
    constants: Vec<(String, f64)>,
    rhs: Vec<Formula>,
    initial: Vec<Formula>,
    indicator: Formula,
    r_search: [Formula; 2],
    max_step: Option<Formula>,
    /// ∂f_i/∂x_j, row-major.
    jac: Vec<Formula>,
    /// ∂f_i/∂r.
    dfdr: Vec<Formula>,
    /// ∂x0_i/∂r.
    dx0dr: Vec<Formula>,
    /// ∂g/∂x_j.
    grad_g: Vec<Formula>,
}

const RESERVED: [&str; 4] = ["r", "t", "T_d", "T_r"];

impl FormulaModel {
    /// Read and build a model file; errors name the file and the field.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::from_toml(&text).map_err(|e| match e {
            Error::Format { reason, .. } => Error::format(path, reason),
            Error::InvalidParameter { name, reason } => {
                Error::format(path, format!("{name}: {reason}"))
            }
            other => other,
        })
    }

    /// Build a model from the text of a model file.
    pub fn from_toml(text: &str) -> Result<Self> {
        let f: ModelFile = toml::from_str(text).map_err(|e| {
            let pos = e
                .span()
                .map(|s| {
                    let line = text[..s.start].matches('\n').count() + 1;
                    let col = s.start - text[..s.start].rfind('\n').map_or(0, |i| i + 1) + 1;
                    format!(" at line {line}, column {col}")
                })
                .unwrap_or_default();
            Error::format("<model>", format!("{}{pos}", e.message().trim()))
        })?;
        let w = Windows::new(f.windows.t_delay, f.windows.t_resp)?;
        let readout = match &f.readout {
            None => Readout::Step,
            Some(r) => match r.kind.as_str() {
                "step" => Readout::Step,
                "sigmoid" => Readout::Sigmoid {
                    gain: crate::error::check_positive(
                        "readout.gain",
                        r.gain
                            .ok_or_else(|| Error::invalid("readout.gain", "missing"))?,
                    )?,
                    dt: crate::error::check_positive(
                        "readout.dt",
                        r.dt.ok_or_else(|| Error::invalid("readout.dt", "missing"))?,
                    )?,
                },
                other => return Err(Error::unknown("readout kind", other, &["step", "sigmoid"])),
            },
        };
        let constants: Vec<(String, f64)> = f.constants.into_iter().collect();
        Self::build(
            f.name,
            f.state,
            &f.rhs,
            &f.initial,
            &f.indicator,
            &f.r_search,
            f.max_step.as_deref(),
            w,
            readout,
            constants,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn build(
        name: String,
        state: Vec<String>,
        rhs: &[String],
        initial: &[String],
        indicator: &str,
        r_search: &[String; 2],
        max_step: Option<&str>,
        w: Windows,
        readout: Readout,
        constants: Vec<(String, f64)>,
    ) -> Result<Self> {
        let n = state.len();
        if n == 0 {
            return Err(Error::invalid("state", "needs at least one variable"));
        }
        if rhs.len() != n || initial.len() != n {
            return Err(Error::invalid(
                "rhs",
                format!(
                    "{n} state variables need {n} right-hand sides and {n} initial values (got {} and {})",
                    rhs.len(),
                    initial.len()
                ),
            ));
        }
        let mut names: Vec<String> = state.clone();
        names.extend(RESERVED.iter().map(|s| s.to_string()));
        for (c, v) in &constants {
            crate::error::check_finite(&format!("constants.{c}"), *v)?;
            names.push(c.clone());
        }
        for (i, nm) in names.iter().enumerate() {
            let ok = nm
                .chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && nm.chars().all(|c| c.is_alphanumeric() || c == '_');
            if !ok
                || FUNCTIONS.contains(&nm.as_str())
                || NUMBERS.contains(&nm.as_str())
                || nm == "e"
            {
                return Err(Error::invalid(
                    "state",
                    format!("'{nm}' cannot be a variable name"),
                ));
            }
            if names[..i].contains(nm) {
                return Err(Error::invalid(
                    "state",
                    format!("'{nm}' is defined twice (state variables, r, t, T_d, T_r and constants share one namespace)"),
                ));
            }
        }
        let slot = |s: &str| names.iter().position(|x| x == s).expect("known name");
        let consts: Vec<&str> = constants.iter().map(|(c, _)| c.as_str()).collect();
        let st: Vec<&str> = state.iter().map(String::as_str).collect();
        fn scope<'a>(extra: &[&'a str], consts: &[&'a str]) -> Vec<&'a str> {
            let mut v: Vec<&str> = extra.to_vec();
            v.extend(consts);
            v
        }
        let mut rhs_scope = st.clone();
        rhs_scope.extend(RESERVED);
        let rhs_scope = scope(&rhs_scope, &consts);
        let init_scope = scope(&["r", "T_d", "T_r"], &consts);
        let ind_scope = scope(&st, &consts);
        let search_scope = scope(&["T_d", "T_r"], &consts);
        let step_scope = scope(&["r", "T_d", "T_r"], &consts);
        let parse = |src: &str, what: &str, allowed: &[&str]| -> Result<Formula> {
            check_syntax(src, what, allowed)?;
            let ex = FlatEx::<f64>::parse(src)
                .map_err(|e| Error::invalid(what, format!("cannot parse '{src}': {}", e.msg())))?;
            let slots = ex.var_names().iter().map(|v| slot(v)).collect();
            Ok(Formula {
                text: src.to_string(),
                ex,
                slots,
            })
        };
        let rhs: Vec<Formula> = rhs
            .iter()
            .enumerate()
            .map(|(i, s)| parse(s, &format!("rhs[{i}] ({})", state[i]), &rhs_scope))
            .collect::<Result<_>>()?;
        let initial: Vec<Formula> = initial
            .iter()
            .enumerate()
            .map(|(i, s)| parse(s, &format!("initial[{i}] ({})", state[i]), &init_scope))
            .collect::<Result<_>>()?;
        let indicator = parse(indicator, "indicator", &ind_scope)?;
        let r_search = [
            parse(&r_search[0], "r_search[0]", &search_scope)?,
            parse(&r_search[1], "r_search[1]", &search_scope)?,
        ];
        let max_step = max_step
            .map(|s| parse(s, "max_step", &step_scope))
            .transpose()?;
        let r_slot = slot("r");
        let mut jac = Vec::with_capacity(n * n);
        for (i, f) in rhs.iter().enumerate() {
            for j in 0..n {
                jac.push(f.partial(j, &format!("rhs[{i}]"))?);
            }
        }
        let dfdr = rhs
            .iter()
            .enumerate()
            .map(|(i, f)| f.partial(r_slot, &format!("rhs[{i}]")))
            .collect::<Result<_>>()?;
        let dx0dr = initial
            .iter()
            .enumerate()
            .map(|(i, f)| f.partial(r_slot, &format!("initial[{i}]")))
            .collect::<Result<_>>()?;
        let grad_g = (0..n)
            .map(|j| indicator.partial(j, "indicator"))
            .collect::<Result<_>>()?;
        Ok(Self {
            name,
            state,
            w,
            readout,
            constants,
            rhs,
            initial,
            indicator,
            r_search,
            max_step,
            jac,
            dfdr,
            dx0dr,
            grad_g,
        })
    }

    /// The same model with other windows.
    pub fn with_windows(mut self, t_delay: f64, t_resp: f64) -> Result<Self> {
        self.w = Windows::new(t_delay, t_resp)?;
        Ok(self)
    }

    /// Names of the state variables, in order.
    pub fn state_names(&self) -> &[String] {
        &self.state
    }
    /// The named constants and their values.
    pub fn constants(&self) -> &[(String, f64)] {
        &self.constants
    }
    /// The right-hand sides f_i.
    pub fn rhs_formulas(&self) -> &[Formula] {
        &self.rhs
    }
    /// The initial state x0_i(r).
    pub fn initial_formulas(&self) -> &[Formula] {
        &self.initial
    }
    /// The indicator g(x).
    pub fn indicator_formula(&self) -> &Formula {
        &self.indicator
    }
    /// Symbolic Jacobian ∂f_i/∂x_j, row-major.
    pub fn jacobian_formulas(&self) -> &[Formula] {
        &self.jac
    }
    /// Symbolic parameter sensitivity ∂f_i/∂r.
    pub fn dfdr_formulas(&self) -> &[Formula] {
        &self.dfdr
    }

    /// Slot vector for (x, r, t).
    #[inline]
    fn fill(&self, x: &[f64], r: f64, t: f64, v: &mut [f64]) {
        let n = self.state.len();
        v[..n].copy_from_slice(x);
        v[n] = r;
        v[n + 1] = t;
        v[n + 2] = self.w.t_delay;
        v[n + 3] = self.w.t_resp;
        for (k, (_, c)) in self.constants.iter().enumerate() {
            v[n + 4 + k] = *c;
        }
    }

    fn n_slots(&self) -> usize {
        self.state.len() + 4 + self.constants.len()
    }

    /// Evaluate `f` at (x, r, t).
    pub fn eval(&self, f: &Formula, x: &[f64], r: f64, t: f64) -> f64 {
        self.with_slots(x, r, t, |v| f.eval(v))
    }

    #[inline]
    fn with_slots<R>(&self, x: &[f64], r: f64, t: f64, body: impl FnOnce(&[f64]) -> R) -> R {
        const STACK: usize = 16;
        let m = self.n_slots();
        if m <= STACK {
            let mut v = [0.0; STACK];
            self.fill(x, r, t, &mut v[..m]);
            body(&v[..m])
        } else {
            let mut v = vec![0.0; m];
            self.fill(x, r, t, &mut v);
            body(&v)
        }
    }

    /// Exact slope dL/dr of the step-readout loss from the sensitivity equations, on the given
    /// side of a kink (a switch at the window edge T_d or at T moves in or out of a window).
    pub fn loss_slope_sensitivity(&self, r: f64, side: Side) -> Result<f64> {
        super::invalid_r(r)?;
        let n = self.state.len();
        let mut z0 = vec![0.0; 2 * n];
        self.with_slots(&vec![0.0; n], r, 0.0, |v| {
            for i in 0..n {
                z0[i] = self.initial[i].eval(v);
                z0[n + i] = self.dx0dr[i].eval(v);
            }
        });
        let o0 = self.indicator(&z0[..n]) > 0.0;
        let sys = Sensitivity { m: self, r };
        let (td, tr) = (self.w.t_delay, self.w.t_resp);
        let t_end = td + tr;
        let opts = numerics::crossing_options(self, r);
        // Integrate a little past T so that a switch sitting at T (a kink) is seen.
        let tol = 1e-6 * t_end;
        let (cr, _) = find_crossings(
            &sys,
            0.0,
            &z0,
            t_end + 2.0 * tol,
            |_, z| self.indicator(&z[..n]),
            &opts,
        )?;
        let mut dl = [0.0f64; 2];
        let mut f = vec![0.0; n];
        for (k, c) in cr.iter().enumerate() {
            let (x, s) = c.x.split_at(n);
            self.rhs(r, c.t, x, &mut f);
            let (mut gs, mut gf) = (0.0, 0.0);
            self.with_slots(x, r, c.t, |v| {
                for j in 0..n {
                    let gj = self.grad_g[j].eval(v);
                    gs += gj * s[j];
                    gf += gj * f[j];
                }
            });
            let dt = -gs / gf;
            if !dt.is_finite() {
                return Err(Error::numerical(
                    format!("loss slope of '{}'", self.name),
                    format!(
                        "the indicator is tangent to the flow at the switch t = {}",
                        c.t
                    ),
                ));
            }
            // Output before the switch, and the contribution of moving it by dt.
            let before = o0 ^ (k % 2 == 1);
            for (j, dir) in [1.0, -1.0].into_iter().enumerate() {
                // Position of the switch just to the right (j = 0) or left (j = 1) of r.
                let at = |edge: f64| {
                    if (c.t - edge).abs() <= tol {
                        edge + dir * dt.signum()
                    } else {
                        c.t
                    }
                };
                let pos_d = at(td);
                let pos_t = at(t_end);
                if pos_d < td {
                    dl[j] += if before { dt / td } else { -dt / td };
                } else if pos_t < t_end {
                    dl[j] += if before { -dt / tr } else { dt / tr };
                }
            }
        }
        Ok(match side {
            Side::Right => dl[0],
            Side::Left => dl[1],
            Side::Central => 0.5 * (dl[0] + dl[1]),
        })
    }
}

/// The state ODE with its sensitivity: z = (x, s), s' = (∂f/∂x) s + ∂f/∂r.
struct Sensitivity<'a> {
    m: &'a FormulaModel,
    r: f64,
}

impl System for Sensitivity<'_> {
    fn dim(&self) -> usize {
        2 * self.m.state.len()
    }
    fn rhs(&self, t: f64, z: &[f64], dz: &mut [f64]) {
        let n = self.m.state.len();
        let (x, s) = z.split_at(n);
        self.m.with_slots(x, self.r, t, |v| {
            for i in 0..n {
                dz[i] = self.m.rhs[i].eval(v);
                let row = &self.m.jac[i * n..(i + 1) * n];
                dz[n + i] = self.m.dfdr[i].eval(v)
                    + row.iter().zip(s).map(|(j, sj)| j.eval(v) * sj).sum::<f64>();
            }
        });
    }
}

impl ToyModel for FormulaModel {
    fn name(&self) -> &str {
        &self.name
    }
    fn windows(&self) -> Windows {
        self.w
    }
    fn dim(&self) -> usize {
        self.state.len()
    }
    #[inline]
    fn rhs(&self, r: f64, t: f64, x: &[f64], dx: &mut [f64]) {
        self.with_slots(x, r, t, |v| {
            for (d, f) in dx.iter_mut().zip(&self.rhs) {
                *d = f.eval(v);
            }
        });
    }
    fn initial_state(&self, r: f64, x: &mut [f64]) {
        let n = self.state.len();
        self.with_slots(&vec![0.0; n], r, 0.0, |v| {
            for (xi, f) in x.iter_mut().zip(&self.initial) {
                *xi = f.eval(v);
            }
        });
    }
    fn indicator(&self, x: &[f64]) -> f64 {
        self.with_slots(x, 0.0, 0.0, |v| self.indicator.eval(v))
    }
    fn r_search(&self) -> (f64, f64) {
        let n = self.state.len();
        let z = vec![0.0; n];
        (
            self.eval(&self.r_search[0], &z, 0.0, 0.0),
            self.eval(&self.r_search[1], &z, 0.0, 0.0),
        )
    }
    fn readout(&self) -> Readout {
        self.readout
    }
    fn max_step(&self, r: f64) -> f64 {
        match &self.max_step {
            Some(f) => {
                let h = self.eval(f, &vec![0.0; self.state.len()], r, 0.0);
                if h.is_finite() && h > 0.0 {
                    h
                } else {
                    f64::INFINITY
                }
            }
            None => f64::INFINITY,
        }
    }
    /// Exact slope from the sensitivity equations (step readout); the sigmoid readout uses
    /// differences in r.
    fn exact_loss_slope(&self, r: f64, side: Side) -> Option<Result<f64>> {
        match self.readout {
            Readout::Step => Some(self.loss_slope_sensitivity(r, side)),
            Readout::Sigmoid { .. } => None,
        }
    }
}
