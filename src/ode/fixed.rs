//! Fixed-step explicit integrators with preallocated workspaces.

use super::System;

/// A one-step method x_{k+1} = Φ_h(t_k, x_k) that advances the state in place.
pub trait Stepper {
    /// Order of accuracy p (global error O(h^p)).
    fn order(&self) -> u32;
    /// Advance `x` from `t` to `t + h` in place, without allocating.
    ///
    /// Panics if `x.len()` differs from the dimension the stepper was built for.
    fn step<S: System + ?Sized>(&mut self, sys: &S, t: f64, x: &mut [f64], h: f64);
}

/// Explicit Euler, x_{k+1} = x_k + h f(t_k, x_k) (order 1).
#[derive(Debug, Clone)]
pub struct Euler {
    k: Vec<f64>,
}

impl Euler {
    /// Workspace for systems of dimension `dim`.
    pub fn new(dim: usize) -> Self {
        Self { k: vec![0.0; dim] }
    }
}

impl Stepper for Euler {
    fn order(&self) -> u32 {
        1
    }
    fn step<S: System + ?Sized>(&mut self, sys: &S, t: f64, x: &mut [f64], h: f64) {
        assert_eq!(x.len(), self.k.len(), "state dimension mismatch");
        sys.rhs(t, x, &mut self.k);
        for (xi, ki) in x.iter_mut().zip(&self.k) {
            *xi += h * ki;
        }
    }
}

/// Classical fourth-order Runge–Kutta (order 4) with a preallocated workspace.
#[derive(Debug, Clone)]
pub struct Rk4 {
    k1: Vec<f64>,
    k2: Vec<f64>,
    k3: Vec<f64>,
    k4: Vec<f64>,
    tmp: Vec<f64>,
}

impl Rk4 {
    /// Workspace for systems of dimension `dim`.
    pub fn new(dim: usize) -> Self {
        Self {
            k1: vec![0.0; dim],
            k2: vec![0.0; dim],
            k3: vec![0.0; dim],
            k4: vec![0.0; dim],
            tmp: vec![0.0; dim],
        }
    }
}

impl Stepper for Rk4 {
    fn order(&self) -> u32 {
        4
    }
    fn step<S: System + ?Sized>(&mut self, sys: &S, t: f64, x: &mut [f64], h: f64) {
        let n = self.k1.len();
        assert_eq!(x.len(), n, "state dimension mismatch");
        sys.rhs(t, x, &mut self.k1);
        for i in 0..n {
            self.tmp[i] = x[i] + 0.5 * h * self.k1[i];
        }
        sys.rhs(t + 0.5 * h, &self.tmp, &mut self.k2);
        for i in 0..n {
            self.tmp[i] = x[i] + 0.5 * h * self.k2[i];
        }
        sys.rhs(t + 0.5 * h, &self.tmp, &mut self.k3);
        for i in 0..n {
            self.tmp[i] = x[i] + h * self.k3[i];
        }
        sys.rhs(t + h, &self.tmp, &mut self.k4);
        for i in 0..n {
            x[i] += h / 6.0 * (self.k1[i] + 2.0 * self.k2[i] + 2.0 * self.k3[i] + self.k4[i]);
        }
    }
}

/// Integrate `x` in place from `t0` to `t1` with `n_steps` equal steps of `stepper`.
///
/// Returns the final time (= `t1` up to rounding). No allocation.
pub fn integrate_fixed<S: System + ?Sized, M: Stepper>(
    sys: &S,
    stepper: &mut M,
    t0: f64,
    t1: f64,
    n_steps: usize,
    x: &mut [f64],
) -> f64 {
    if n_steps == 0 {
        return t0;
    }
    let h = (t1 - t0) / n_steps as f64;
    for k in 0..n_steps {
        stepper.step(sys, t0 + k as f64 * h, x, h);
    }
    t1
}
