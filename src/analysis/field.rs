//! Autonomous vector fields ẋ = F(x) consumed by the fixed-point finder and the out-of-trial
//! rollout.
//!
//! * [`TanhRnnField`] — the full-rank network with its input off (docs/models.md, docs/mechanism-index.md):
//!   F(r) = −r + tanh(W_rec r + b), b = b_in + b_rec, Jacobian J = −I + diag(1 − tanh²(·)) W_rec.
//! * [`LowRankLatentField`] — the exact latent reduction of a low-rank network (docs/models.md):
//!   F(κ) = −κ + n tanh(m κ + b), J = −I + n diag(1 − tanh²(mκ + b)) m.
//!
//! Time is in units of τ. The network's discrete update with leak α is exactly one forward
//! Euler step of size α of these fields: x ← x + α F(x) (see [`euler_rollout`]).

#![allow(clippy::needless_range_loop)]

use crate::ode::{numeric_jacobian, System};
use crate::rnn::{Float, FullRankParams, Rank2Params};
use nalgebra::DMatrix;

/// An autonomous vector field ẋ = F(x) on ℝ^dim with its Jacobian: an [`ode::System`] (the
/// one vector-field trait of the crate, which the ODE integrators, the toy models' numerics,
/// the fixed-point finder, the periodic-orbit shooting and the continuation all consume) whose
/// right-hand side does not depend on t, plus the matrix operations of the analysis.
///
/// Implement [`ode::System`] (`dim`, and `rhs` ignoring `t`; its row-major `jacobian` if the
/// field has an analytic one) and then `impl VectorField for MyField {}`; override
/// [`jacobian_matrix`](Self::jacobian_matrix) and the products below where the structure of the
/// field makes them cheaper.
///
/// [`ode::System`]: crate::ode::System
pub trait VectorField: System + Sync {
    /// Evaluate F(x) into `out` (both of length [`System::dim`]): the right-hand side at t = 0.
    fn eval(&self, x: &[f64], out: &mut [f64]) {
        self.rhs(0.0, x, out);
    }
    /// The Jacobian ∂F/∂x at `x` (dim × dim): [`System::jacobian`] if the field has it, else
    /// central differences ([`numeric_jacobian`]).
    fn jacobian_matrix(&self, x: &[f64]) -> DMatrix<f64> {
        let n = self.dim();
        let mut j = vec![0.0; n * n];
        if !System::jacobian(self, 0.0, x, &mut j) {
            numeric_jacobian(self, 0.0, x, &mut j);
        }
        DMatrix::from_row_slice(n, n, &j)
    }
    /// out = J(x)·Φ for a dim × k matrix Φ (the variational equation of the periodic-orbit
    /// shooting). The default forms the Jacobian; implementors may do better.
    fn jacobian_mul(&self, x: &[f64], phi: &DMatrix<f64>, out: &mut DMatrix<f64>) {
        self.jacobian_matrix(x).mul_to(phi, out);
    }
    /// F(x) into `f` and J(x)·Φ into `out` together (the RK4 stages of the monodromy need
    /// both at the same point). The default calls [`eval`](Self::eval) and
    /// [`jacobian_mul`](Self::jacobian_mul); implementors may share the work.
    fn eval_and_jacobian_mul(
        &self,
        x: &[f64],
        f: &mut [f64],
        phi: &DMatrix<f64>,
        out: &mut DMatrix<f64>,
    ) {
        self.eval(x, f);
        self.jacobian_mul(x, phi, out);
    }
    /// The squared-speed objective q(x) = ½‖F(x)‖² and its gradient ∇q = Jᵀ F (written to
    /// `grad`). The default forms the Jacobian; implementors may do better.
    fn q_and_grad(&self, x: &[f64], grad: &mut [f64]) -> f64 {
        let d = self.dim();
        let mut f = vec![0.0; d];
        self.eval(x, &mut f);
        let j = self.jacobian_matrix(x);
        for (k, g) in grad.iter_mut().enumerate() {
            *g = (0..d).map(|i| j[(i, k)] * f[i]).sum();
        }
        0.5 * f.iter().map(|v| v * v).sum::<f64>()
    }
    /// The speed ‖F(x)‖.
    fn speed(&self, x: &[f64]) -> f64 {
        let mut f = vec![0.0; self.dim()];
        self.eval(x, &mut f);
        f.iter().map(|v| v * v).sum::<f64>().sqrt()
    }
}

/// F(r) = −r + tanh(W r + b) with a dense W (dim × dim, row-major: `w[i*dim + j]` is j → i).
#[derive(Debug, Clone, PartialEq)]
pub struct TanhRnnField {
    n: usize,
    w: Vec<f64>,
    b: Vec<f64>,
}

impl TanhRnnField {
    /// Build from a row-major W (n × n) and a bias b (n). Errors on inconsistent sizes or
    /// non-finite entries.
    pub fn new(w: Vec<f64>, b: Vec<f64>) -> crate::Result<Self> {
        let n = b.len();
        if n == 0 || w.len() != n * n {
            return Err(crate::Error::invalid(
                "field",
                format!(
                    "W has {} elements, b has {n}; need n² and n with n > 0",
                    w.len()
                ),
            ));
        }
        if w.iter().chain(&b).any(|x| !x.is_finite()) {
            return Err(crate::Error::invalid("field", "non-finite weight or bias"));
        }
        Ok(TanhRnnField { n, w, b })
    }

    /// The input-off field of a full-rank network: W = W_rec, b = b_in + b_rec (docs/models.md),
    /// converted to f64.
    pub fn from_params<T: Float>(p: &FullRankParams<T>) -> crate::Result<Self> {
        p.validate()?;
        let w = p.w_rec.iter().map(|x| x.to_f64()).collect();
        let b = p
            .b_in
            .iter()
            .zip(&p.b_rec)
            .map(|(a, c)| a.to_f64() + c.to_f64())
            .collect();
        Self::new(w, b)
    }

    /// W (row-major).
    pub fn weights(&self) -> &[f64] {
        &self.w
    }

    /// b.
    pub fn bias(&self) -> &[f64] {
        &self.b
    }

    /// J Φ = D (W Φ) − Φ, D = diag(1 − h²), from the activations h = tanh(Wx + b), with one
    /// dense product (W row-major, Φ and out column-major).
    fn jacobian_mul_with(&self, h: &[f64], phi: &DMatrix<f64>, out: &mut DMatrix<f64>) {
        let n = self.n;
        let k = phi.ncols();
        assert_eq!(phi.nrows(), n, "Φ must have dim rows");
        assert_eq!((out.nrows(), out.ncols()), (n, k), "out must match Φ");

        // SAFETY: the pointers cover n×n (W), n×k (Φ, out) elements with the given strides,
        // and out does not alias W or Φ.
        unsafe {
            matrixmultiply::dgemm(
                n,
                n,
                k,
                1.0,
                self.w.as_ptr(),
                n as isize,
                1,
                phi.as_ptr(),
                1,
                n as isize,
                0.0,
                out.as_mut_ptr(),
                1,
                n as isize,
            );
        }
        for c in 0..k {
            for i in 0..n {
                out[(i, c)] = (1.0 - h[i] * h[i]) * out[(i, c)] - phi[(i, c)];
            }
        }
    }

    /// h = tanh(W x + b). Each row's dot product is accumulated in 8 interleaved partial sums
    /// (a fixed order, so the result is the same on every CPU) that the compiler keeps in
    /// vector registers; a single running sum would be bound by the latency of its additions.
    fn tanh_pre(&self, x: &[f64], out: &mut [f64]) {
        let n = self.n;
        let body = n - n % 8;
        for i in 0..n {
            let row = &self.w[i * n..(i + 1) * n];
            let mut acc = [0.0f64; 8];
            for (r, v) in row[..body].chunks_exact(8).zip(x[..body].chunks_exact(8)) {
                for l in 0..8 {
                    acc[l] += r[l] * v[l];
                }
            }
            let mut tail = 0.0;
            for j in body..n {
                tail += row[j] * x[j];
            }
            let s =
                ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
            out[i] = (self.b[i] + (s + tail)).tanh();
        }
    }
}

impl System for TanhRnnField {
    fn dim(&self) -> usize {
        self.n
    }

    fn rhs(&self, _t: f64, x: &[f64], out: &mut [f64]) {
        self.tanh_pre(x, out);
        for i in 0..self.n {
            out[i] -= x[i];
        }
    }
}

impl VectorField for TanhRnnField {
    fn jacobian_matrix(&self, x: &[f64]) -> DMatrix<f64> {
        let n = self.n;
        let mut h = vec![0.0; n];
        self.tanh_pre(x, &mut h);
        DMatrix::from_fn(n, n, |i, j| {
            let d = 1.0 - h[i] * h[i];
            d * self.w[i * n + j] - if i == j { 1.0 } else { 0.0 }
        })
    }

    fn jacobian_mul(&self, x: &[f64], phi: &DMatrix<f64>, out: &mut DMatrix<f64>) {
        let mut h = vec![0.0; self.n];
        self.tanh_pre(x, &mut h);
        self.jacobian_mul_with(&h, phi, out);
    }

    fn eval_and_jacobian_mul(
        &self,
        x: &[f64],
        f: &mut [f64],
        phi: &DMatrix<f64>,
        out: &mut DMatrix<f64>,
    ) {
        self.tanh_pre(x, f);
        self.jacobian_mul_with(f, phi, out);
        for i in 0..self.n {
            f[i] -= x[i];
        }
    }

    fn q_and_grad(&self, x: &[f64], grad: &mut [f64]) -> f64 {
        // ∇q = Jᵀ F = −F + Wᵀ (D F), D = diag(1 − tanh²).
        let n = self.n;
        let mut h = vec![0.0; n];
        self.tanh_pre(x, &mut h);
        let mut q = 0.0;
        let mut df = vec![0.0; n];
        for i in 0..n {
            let f = h[i] - x[i];
            q += f * f;
            df[i] = (1.0 - h[i] * h[i]) * f;
            grad[i] = -f;
        }
        for i in 0..n {
            let row = &self.w[i * n..(i + 1) * n];
            let c = df[i];
            for j in 0..n {
                grad[j] += row[j] * c;
            }
        }
        0.5 * q
    }
}

/// The latent field of a rank-K network, F(κ) = −κ + n tanh(m κ + b) (docs/models.md), with
/// m (N × K, row-major `m[i*K + k]`), n (K × N, `n[k*N + i]`), b (N).
#[derive(Debug, Clone, PartialEq)]
pub struct LowRankLatentField {
    n_hidden: usize,
    k: usize,
    m: Vec<f64>,
    n: Vec<f64>,
    b: Vec<f64>,
}

impl LowRankLatentField {
    /// Build from m, n, b (see the type docs for the layout). Errors on inconsistent sizes or
    /// non-finite entries.
    pub fn new(k: usize, m: Vec<f64>, n: Vec<f64>, b: Vec<f64>) -> crate::Result<Self> {
        let nh = b.len();
        if nh == 0 || k == 0 || m.len() != nh * k || n.len() != k * nh {
            return Err(crate::Error::invalid(
                "field",
                format!(
                    "m has {}, n has {}, b has {nh} elements; need N·K, K·N, N with K = {k}",
                    m.len(),
                    n.len()
                ),
            ));
        }
        if m.iter().chain(&n).chain(&b).any(|x| !x.is_finite()) {
            return Err(crate::Error::invalid(
                "field",
                "non-finite connectivity or bias",
            ));
        }
        Ok(LowRankLatentField {
            n_hidden: nh,
            k,
            m,
            n,
            b,
        })
    }

    /// The latent field of a rank-2 network (K = 2), converted to f64.
    pub fn from_rank2<T: Float>(p: &Rank2Params<T>) -> crate::Result<Self> {
        p.validate()?;
        let c = |v: &[T]| v.iter().map(|x| x.to_f64()).collect::<Vec<f64>>();
        Self::new(2, c(&p.m), c(&p.n), c(&p.b))
    }

    fn hidden(&self, kappa: &[f64], h: &mut [f64]) {
        for i in 0..self.n_hidden {
            let mut acc = self.b[i];
            for r in 0..self.k {
                acc += self.m[i * self.k + r] * kappa[r];
            }
            h[i] = acc.tanh();
        }
    }
}

impl System for LowRankLatentField {
    fn dim(&self) -> usize {
        self.k
    }

    fn rhs(&self, _t: f64, x: &[f64], out: &mut [f64]) {
        let mut h = vec![0.0; self.n_hidden];
        self.hidden(x, &mut h);
        for r in 0..self.k {
            let row = &self.n[r * self.n_hidden..(r + 1) * self.n_hidden];
            out[r] = row.iter().zip(&h).map(|(a, b)| a * b).sum::<f64>() - x[r];
        }
    }
}

impl VectorField for LowRankLatentField {
    fn jacobian_matrix(&self, x: &[f64]) -> DMatrix<f64> {
        let mut h = vec![0.0; self.n_hidden];
        self.hidden(x, &mut h);
        let nh = self.n_hidden;
        DMatrix::from_fn(self.k, self.k, |r, c| {
            let mut acc = 0.0;
            for i in 0..nh {
                acc += self.n[r * nh + i] * (1.0 - h[i] * h[i]) * self.m[i * self.k + c];
            }
            acc - if r == c { 1.0 } else { 0.0 }
        })
    }
}

/// Forward-Euler rollout x_{t+1} = x_t + α F(x_t) for `steps` steps from `x0`; returns
/// x_1…x_steps as a (steps × dim) row-major matrix. For the RNN fields this is exactly the
/// network's noise-free, input-off update with leak α (docs/models.md).
pub fn euler_rollout<V: VectorField + ?Sized>(
    field: &V,
    x0: &[f64],
    alpha: f64,
    steps: usize,
) -> Vec<f64> {
    let d = field.dim();
    let mut x = x0.to_vec();
    let mut f = vec![0.0; d];
    let mut out = Vec::with_capacity(steps * d);
    for _ in 0..steps {
        field.eval(&x, &mut f);
        for i in 0..d {
            x[i] += alpha * f[i];
        }
        out.extend_from_slice(&x);
    }
    out
}

/// A one-parameter family of fields ẋ = F(x; s) with its parameter derivative ∂F/∂s: what
/// the continuation of [`super::bifurcation`] follows. For trained networks s runs along the
/// straight line between two checkpoints ([`Segment`]).
pub trait FieldFamily: Sync {
    /// The field at one parameter value.
    type Field: VectorField;
    /// F(·; s).
    fn at(&self, s: f64) -> Self::Field;
    /// ∂F/∂s at (x, s), written to `out`.
    fn d_ds(&self, x: &[f64], s: f64, out: &mut [f64]);
}

/// The straight line p(s) = (1 − s)·p₀ + s·p₁ between the parameters of two fields of the same
/// shape (two checkpoints of one training run).
#[derive(Debug, Clone, PartialEq)]
pub struct Segment<F> {
    /// The field at s = 0.
    pub from: F,
    /// The field at s = 1.
    pub to: F,
}

fn lerp_vec(a: &[f64], b: &[f64], s: f64) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x + s * (y - x)).collect()
}

/// A field whose parameters can be joined by a straight line: what [`Segment`] needs of the
/// two checkpoints it joins.
pub trait ChordField: VectorField + Sized {
    /// `Err` with a description when `self` and `other` differ in shape.
    fn check_same_shape(&self, other: &Self) -> crate::Result<()>;
    /// The field with parameters (1 − s)·self + s·other.
    fn lerp(&self, other: &Self, s: f64) -> Self;
    /// ∂F/∂s at (x, s) along that line, written to `out`.
    fn d_ds_chord(&self, other: &Self, x: &[f64], s: f64, out: &mut [f64]);
}

impl<F: ChordField> Segment<F> {
    /// Errors when the two networks differ in shape (size, or size and rank).
    pub fn new(from: F, to: F) -> crate::Result<Self> {
        from.check_same_shape(&to)?;
        Ok(Segment { from, to })
    }
}

impl<F: ChordField> FieldFamily for Segment<F> {
    type Field = F;

    fn at(&self, s: f64) -> F {
        self.from.lerp(&self.to, s)
    }

    fn d_ds(&self, x: &[f64], s: f64, out: &mut [f64]) {
        self.from.d_ds_chord(&self.to, x, s, out)
    }
}

impl ChordField for TanhRnnField {
    fn check_same_shape(&self, other: &Self) -> crate::Result<()> {
        if self.n != other.n {
            return Err(crate::Error::invalid(
                "segment",
                format!("networks of {} and {} units", self.n, other.n),
            ));
        }
        Ok(())
    }

    fn lerp(&self, other: &Self, s: f64) -> Self {
        TanhRnnField {
            n: self.n,
            w: lerp_vec(&self.w, &other.w, s),
            b: lerp_vec(&self.b, &other.b, s),
        }
    }

    /// F = −x + tanh(u), u = W(s)x + b(s): ∂F/∂s = (1 − tanh²u)(ΔW x + Δb).
    fn d_ds_chord(&self, other: &Self, x: &[f64], s: f64, out: &mut [f64]) {
        let n = self.n;
        let (a, b) = (self, other);
        for i in 0..n {
            let mut u = a.b[i] + s * (b.b[i] - a.b[i]);
            let mut du = b.b[i] - a.b[i];
            for j in 0..n {
                let (wa, wb) = (a.w[i * n + j], b.w[i * n + j]);
                u += (wa + s * (wb - wa)) * x[j];
                du += (wb - wa) * x[j];
            }
            let h = u.tanh();
            out[i] = (1.0 - h * h) * du;
        }
    }
}

impl ChordField for LowRankLatentField {
    fn check_same_shape(&self, other: &Self) -> crate::Result<()> {
        if self.n_hidden != other.n_hidden || self.k != other.k {
            return Err(crate::Error::invalid(
                "segment",
                format!(
                    "networks of {} units rank {} and {} units rank {}",
                    self.n_hidden, self.k, other.n_hidden, other.k
                ),
            ));
        }
        Ok(())
    }

    fn lerp(&self, other: &Self, s: f64) -> Self {
        LowRankLatentField {
            n_hidden: self.n_hidden,
            k: self.k,
            m: lerp_vec(&self.m, &other.m, s),
            n: lerp_vec(&self.n, &other.n, s),
            b: lerp_vec(&self.b, &other.b, s),
        }
    }

    /// F = −κ + n(s) h, h = tanh(m(s)κ + b(s)): ∂F/∂s = Δn h + n(s) (1 − h²)(Δm κ + Δb).
    fn d_ds_chord(&self, other: &Self, x: &[f64], s: f64, out: &mut [f64]) {
        let (a, b) = (self, other);
        let (nh, k) = (a.n_hidden, a.k);
        out.iter_mut().for_each(|o| *o = 0.0);
        for i in 0..nh {
            let mut u = a.b[i] + s * (b.b[i] - a.b[i]);
            let mut du = b.b[i] - a.b[i];
            for r in 0..k {
                let (ma, mb) = (a.m[i * k + r], b.m[i * k + r]);
                u += (ma + s * (mb - ma)) * x[r];
                du += (mb - ma) * x[r];
            }
            let h = u.tanh();
            let dh = (1.0 - h * h) * du;
            for r in 0..k {
                let (na, nb) = (a.n[r * nh + i], b.n[r * nh + i]);
                out[r] += (nb - na) * h + (na + s * (nb - na)) * dh;
            }
        }
    }
}
