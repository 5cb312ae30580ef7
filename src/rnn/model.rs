//! Model parameters and single-trial simulation of the full-rank and rank-2 RNNs (docs/models.md).
//!
//! Parameters are stored in PyTorch orientation as flat row-major vectors, so that they can
//! be written to / read from `.npz` files unchanged (see [`crate::io::network`]).

use super::float::{dot, Float};
use super::rng::{self, Stream, StreamRng};

/// Time step of every model, ms (docs/tasks.md).
pub const DT_MS: f64 = 5.0;
/// Default membrane time constant, ms (docs/tasks.md).
pub const TAU_MS: f64 = 10.0;
/// Long-τ ablation time constant, ms (docs/tasks.md).
pub const TAU_LONG_MS: f64 = 20.0;
/// Number of hidden units of the paper's networks.
pub const N_HIDDEN: usize = 100;
/// Input channels of the full-rank network (two cues).
pub const N_IN: usize = 2;
/// Output channels of the full-rank network.
pub const N_OUT: usize = 2;
/// Standard deviation of the full-rank noise inside the tanh (0.001·ε).
pub const NOISE_STD: f64 = 0.001;
/// Rank of the low-rank network.
pub const RANK: usize = 2;

/// The leak α = Δt/τ (docs/tasks.md): 0.5 for τ = 10 ms, 0.25 for τ = 20 ms.
pub fn alpha(tau_ms: f64) -> f64 {
    DT_MS / tau_ms
}

/// Readout nonlinearity of the full-rank network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readout {
    /// o = sigmoid(W_out r + b_out) (DCDT, docs/models.md).
    Sigmoid,
    /// o = W_out r + b_out (fixed-window task, docs/models.md).
    Linear,
}

/// Parameters of the full-rank RNN (docs/models.md), PyTorch orientation, flat row-major.
///
/// With N hidden units: `w_in` `[N][2]` (`w_in[i*2 + c]`: input channel c → unit i), `b_in` `[N]`,
/// `w_rec` `[N][N]` (`w_rec[i*N + j]`: unit j → unit i), `b_rec` `[N]`, `w_out` `[2][N]`
/// (`w_out[k*N + i]`: unit i → output k), `b_out` `[2]`.
#[derive(Debug, Clone, PartialEq)]
pub struct FullRankParams<T> {
    /// Input weights W_in, shape `[N, 2]`.
    pub w_in: Vec<T>,
    /// Input bias b_in, shape `[N]`.
    pub b_in: Vec<T>,
    /// Recurrent weights W_rec, shape `[N, N]`.
    pub w_rec: Vec<T>,
    /// Recurrent bias b_rec, shape `[N]`.
    pub b_rec: Vec<T>,
    /// Readout weights W_out, shape `[2, N]`.
    pub w_out: Vec<T>,
    /// Readout bias b_out, shape `[2]`.
    pub b_out: Vec<T>,
}

/// Names of the full-rank arrays in file order.
pub const FULL_RANK_NAMES: [&str; 6] = ["w_in", "b_in", "w_rec", "b_rec", "w_out", "b_out"];
/// Names of the rank-2 arrays in file order.
pub const RANK2_NAMES: [&str; 6] = ["m", "n", "b", "w_out", "b_out", "x0"];

impl<T: Float> FullRankParams<T> {
    /// All-zero parameters for `n` hidden units.
    pub fn zeros(n: usize) -> Self {
        FullRankParams {
            w_in: vec![T::zero(); n * N_IN],
            b_in: vec![T::zero(); n],
            w_rec: vec![T::zero(); n * n],
            b_rec: vec![T::zero(); n],
            w_out: vec![T::zero(); N_OUT * n],
            b_out: vec![T::zero(); N_OUT],
        }
    }

    /// PyTorch-default initialisation from the INIT stream of `seed` (docs/models.md, docs/training.md).
    ///
    /// Draw order (f32, row-major): W_in ~ U(±√(6/(2+N))), b_in ~ U(±1/√2),
    /// W_rec ~ U(±√(6/2N)), b_rec ~ U(±1/√N), W_out ~ U(±√(6/(N+2))), b_out ~ U(±1/√N);
    /// then diag(W_rec) = 0. For N = 100 the bounds are 0.242536, 0.70711, 0.173205, 0.1,
    /// 0.242536, 0.1.
    pub fn init(n: usize, seed: u64) -> Self {
        let mut rng = rng::stream(seed, Stream::Init);
        let nf = n as f64;
        let xavier = |fi: f64, fo: f64| (6.0 / (fi + fo)).sqrt() as f32;
        let mut draw = |len: usize, bound: f32| -> Vec<T> {
            (0..len)
                .map(|_| T::from_f32(rng::uniform_f32(&mut rng, -bound, bound)))
                .collect()
        };
        let w_in = draw(n * N_IN, xavier(N_IN as f64, nf));
        let b_in = draw(n, (1.0 / (N_IN as f64).sqrt()) as f32);
        let mut w_rec = draw(n * n, xavier(nf, nf));
        let b_rec = draw(n, (1.0 / nf.sqrt()) as f32);
        let w_out = draw(N_OUT * n, xavier(nf, N_OUT as f64));
        let b_out = draw(N_OUT, (1.0 / nf.sqrt()) as f32);
        for i in 0..n {
            w_rec[i * n + i] = T::zero();
        }
        FullRankParams {
            w_in,
            b_in,
            w_rec,
            b_rec,
            w_out,
            b_out,
        }
    }

    /// Number of hidden units N.
    pub fn n_hidden(&self) -> usize {
        self.b_in.len()
    }

    /// Number of trainable scalars, N(N + 6) + 2 (10,602 for N = 100).
    pub fn num_params(&self) -> usize {
        self.tensors().iter().map(|t| t.len()).sum()
    }

    /// The six arrays in [`FULL_RANK_NAMES`] order.
    pub fn tensors(&self) -> [&[T]; 6] {
        [
            &self.w_in,
            &self.b_in,
            &self.w_rec,
            &self.b_rec,
            &self.w_out,
            &self.b_out,
        ]
    }

    /// The six arrays, mutable, in [`FULL_RANK_NAMES`] order.
    pub fn tensors_mut(&mut self) -> [&mut [T]; 6] {
        [
            &mut self.w_in,
            &mut self.b_in,
            &mut self.w_rec,
            &mut self.b_rec,
            &mut self.w_out,
            &mut self.b_out,
        ]
    }

    /// Shapes of the six arrays for N hidden units, [`FULL_RANK_NAMES`] order.
    pub fn shapes(n: usize) -> [Vec<usize>; 6] {
        [
            vec![n, N_IN],
            vec![n],
            vec![n, n],
            vec![n],
            vec![N_OUT, n],
            vec![N_OUT],
        ]
    }

    /// Check that the array lengths are consistent with N = `b_in.len()` > 0.
    pub fn validate(&self) -> crate::Result<()> {
        let n = self.n_hidden();
        check_shapes(n, &self.tensors(), &Self::shapes(n), &FULL_RANK_NAMES)
    }

    /// Convert to another float type (element-wise `as`).
    pub fn cast<U: Float>(&self) -> FullRankParams<U> {
        let c = cast_vec::<T, U>;
        FullRankParams {
            w_in: c(&self.w_in),
            b_in: c(&self.b_in),
            w_rec: c(&self.w_rec),
            b_rec: c(&self.b_rec),
            w_out: c(&self.w_out),
            b_out: c(&self.b_out),
        }
    }
}

/// Parameters of the rank-2 RNN (docs/models.md), PyTorch orientation, flat row-major.
///
/// `m` `[N][2]` (`m[i*2 + k]`), `n` `[2][N]` (`n[k*N + i]`), `b` `[N]`, `w_out` `[2]`, `b_out` `[1]`,
/// and the fixed initial state `x0` `[N]` (not trained). J = m n.
#[derive(Debug, Clone, PartialEq)]
pub struct Rank2Params<T> {
    /// Left connectivity vectors m, shape `[N, 2]`.
    pub m: Vec<T>,
    /// Right connectivity vectors n, shape `[2, N]`; κ = n x.
    pub n: Vec<T>,
    /// Hidden bias b, shape `[N]` (trainable, zero at init).
    pub b: Vec<T>,
    /// Readout weights on κ, shape `[2]`.
    pub w_out: Vec<T>,
    /// Readout bias, shape `[1]`.
    pub b_out: Vec<T>,
    /// Initial state x_0, shape `[N]`, drawn once and reused every epoch.
    pub x0: Vec<T>,
}

impl<T: Float> Rank2Params<T> {
    /// Initialisation from the INIT stream of `seed` (docs/models.md): m ~ N(0,1)/10 [N×2],
    /// n ~ N(0,1)/10 [2×N], b = 0, W_out ~ N(0,1)/√2, b_out ~ N(0,1), then x_0 ~ N(0,1)/10;
    /// draws in that order, row-major, in f32.
    pub fn init(n_hidden: usize, seed: u64) -> Self {
        let mut rng = rng::stream(seed, Stream::Init);
        let mut draw = |len: usize, scale: f32| -> Vec<T> {
            (0..len)
                .map(|_| T::from_f32(rng::normal_f32(&mut rng) * scale))
                .collect()
        };
        let m = draw(n_hidden * RANK, 0.1);
        let n = draw(RANK * n_hidden, 0.1);
        let w_out = draw(RANK, std::f32::consts::FRAC_1_SQRT_2);
        let b_out = draw(1, 1.0);
        let x0 = draw(n_hidden, 0.1);
        Rank2Params {
            m,
            n,
            b: vec![T::zero(); n_hidden],
            w_out,
            b_out,
            x0,
        }
    }

    /// Number of hidden units N.
    pub fn n_hidden(&self) -> usize {
        self.b.len()
    }

    /// Number of trainable scalars, 5N + 3 (503 for N = 100).
    pub fn num_params(&self) -> usize {
        self.m.len() + self.n.len() + self.b.len() + self.w_out.len() + self.b_out.len()
    }

    /// The six arrays in [`RANK2_NAMES`] order (the last, `x0`, is not trained).
    pub fn tensors(&self) -> [&[T]; 6] {
        [
            &self.m,
            &self.n,
            &self.b,
            &self.w_out,
            &self.b_out,
            &self.x0,
        ]
    }

    /// The five trainable arrays, mutable: m, n, b, w_out, b_out.
    pub fn trainable_mut(&mut self) -> [&mut [T]; 5] {
        [
            &mut self.m,
            &mut self.n,
            &mut self.b,
            &mut self.w_out,
            &mut self.b_out,
        ]
    }

    /// The five trainable arrays: m, n, b, w_out, b_out.
    pub fn trainable(&self) -> [&[T]; 5] {
        [&self.m, &self.n, &self.b, &self.w_out, &self.b_out]
    }

    /// Shapes of the six arrays for N hidden units, [`RANK2_NAMES`] order.
    pub fn shapes(n: usize) -> [Vec<usize>; 6] {
        [
            vec![n, RANK],
            vec![RANK, n],
            vec![n],
            vec![RANK],
            vec![1],
            vec![n],
        ]
    }

    /// Check that the array lengths are consistent with N = `b.len()` > 0.
    pub fn validate(&self) -> crate::Result<()> {
        let n = self.n_hidden();
        check_shapes(n, &self.tensors(), &Self::shapes(n), &RANK2_NAMES)
    }

    /// Convert to another float type.
    pub fn cast<U: Float>(&self) -> Rank2Params<U> {
        let c = cast_vec::<T, U>;
        Rank2Params {
            m: c(&self.m),
            n: c(&self.n),
            b: c(&self.b),
            w_out: c(&self.w_out),
            b_out: c(&self.b_out),
            x0: c(&self.x0),
        }
    }
}

/// One full-rank step for a single trial (docs/models.md), noise given explicitly:
/// z = tanh(W_in u + b_in + W_rec r + b_rec + σ·ε), r ← (1−α) r + α z.
fn full_step<T: Float>(
    p: &FullRankParams<T>,
    alpha: T,
    u: [T; 2],
    r: &mut [T],
    eps: &[T],
    sigma: T,
    pre: &mut [T],
) {
    let n = p.n_hidden();
    for (i, pi) in pre.iter_mut().enumerate() {
        let acc = dot(&p.w_rec[i * n..(i + 1) * n], r);
        // Same association as the batched trainer: ((W_in u + b_in) + b_rec + W_rec r) + noise.
        let drive = (p.w_in[i * 2] * u[0] + p.w_in[i * 2 + 1] * u[1] + p.b_in[i]) + p.b_rec[i];
        *pi = (drive + acc) + sigma * eps[i];
    }
    T::tanh_slice(pre);
    for (ri, &z) in r.iter_mut().zip(pre.iter()) {
        *ri = (T::one() - alpha) * *ri + alpha * z;
    }
}

/// Simulate ONE trial of a full-rank network for `inputs.len()` steps (docs/models.md, docs/mechanism-index.md):
/// r_0 = tanh(0.1 ξ), noise 0.001·ε_t inside the tanh, with ξ (N) and then ε_t (N) for each
/// step drawn by [`rng::fill_normal_f32`] from `rng`. Returns the rates r_1…r_T as a T×N
/// row-major matrix. The arithmetic is that of the batched trainer for a single trial.
pub fn simulate_trial_rng<T: Float>(
    p: &FullRankParams<T>,
    alpha: T,
    inputs: &[[T; 2]],
    rng: &mut StreamRng,
) -> Vec<T> {
    let n = p.n_hidden();
    let mut draw = vec![0f32; n];
    rng::fill_normal_f32(rng, &mut draw);
    let tenth = T::from_f64(0.1);
    let mut r: Vec<T> = draw.iter().map(|&x| tenth * T::from_f32(x)).collect();
    T::tanh_slice(&mut r);
    let mut eps = vec![T::zero(); n];
    let mut pre = vec![T::zero(); n];
    let mut out = Vec::with_capacity(inputs.len() * n);
    let sigma = T::from_f64(NOISE_STD);
    for &u in inputs {
        rng::fill_normal_f32(rng, &mut draw);
        for (e, &x) in eps.iter_mut().zip(&draw) {
            *e = T::from_f32(x);
        }
        full_step(p, alpha, u, &mut r, &eps, sigma, &mut pre);
        out.extend_from_slice(&r);
    }
    out
}

/// [`simulate_trial_rng`] with the CLASSIFY stream of network seed `seed` (docs/mechanism-index.md step 2).
pub fn simulate_trial<T: Float>(
    p: &FullRankParams<T>,
    alpha: T,
    inputs: &[[T; 2]],
    seed: u64,
) -> Vec<T> {
    let mut rng = rng::stream(seed, Stream::Classify);
    simulate_trial_rng(p, alpha, inputs, &mut rng)
}

/// Noise-free trial of a full-rank network from a given initial state `r0` (length N):
/// returns r_1…r_T (T×N row-major).
pub fn simulate_trial_noise_free<T: Float>(
    p: &FullRankParams<T>,
    alpha: T,
    inputs: &[[T; 2]],
    r0: &[T],
) -> Vec<T> {
    let n = p.n_hidden();
    assert_eq!(r0.len(), n, "r0 must have N elements");
    let mut r = r0.to_vec();
    let zeros = vec![T::zero(); n];
    let mut pre = vec![T::zero(); n];
    let mut out = Vec::with_capacity(inputs.len() * n);
    for &u in inputs {
        full_step(p, alpha, u, &mut r, &zeros, T::zero(), &mut pre);
        out.extend_from_slice(&r);
    }
    out
}

/// Readout of a full-rank network for one state `r`: o = W_out r + b_out, passed through the
/// sigmoid for [`Readout::Sigmoid`].
pub fn full_readout<T: Float>(p: &FullRankParams<T>, readout: Readout, r: &[T]) -> [T; 2] {
    let n = p.n_hidden();
    let mut o = [T::zero(); 2];
    for (k, ok) in o.iter_mut().enumerate() {
        let v = dot(&p.w_out[k * n..(k + 1) * n], r) + p.b_out[k];
        *ok = match readout {
            Readout::Sigmoid => v.sigmoid(),
            Readout::Linear => v,
        };
    }
    o
}

/// A rank-2 rollout from x_0 (docs/models.md): states, latents and outputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Rank2Rollout<T> {
    /// x_0…x_H, (H+1)×N row-major.
    pub x: Vec<T>,
    /// κ_t = n x_t for t = 0…H.
    pub kappa: Vec<[T; 2]>,
    /// o_t = sigmoid(W_out·κ_{t+1} + b_out) for t = 0…H−1 (readout after the update).
    pub output: Vec<T>,
}

/// Roll a rank-2 network forward for `steps` = H steps from its x_0:
/// κ_t = n x_t, x_{t+1} = (1−α) x_t + α tanh(m κ_t + b), o_t = sigmoid(W_out·κ_{t+1} + b_out).
pub fn rank2_rollout<T: Float>(p: &Rank2Params<T>, alpha: T, steps: usize) -> Rank2Rollout<T> {
    let n = p.n_hidden();
    let mut x = Vec::with_capacity((steps + 1) * n);
    x.extend_from_slice(&p.x0);
    let (n0, n1) = p.n.split_at(n);
    let latent = |xs: &[T]| -> [T; 2] { [dot(n0, xs), dot(n1, xs)] };
    let mut kappa = Vec::with_capacity(steps + 1);
    let mut output = Vec::with_capacity(steps);
    kappa.push(latent(&p.x0));
    let mut z = vec![T::zero(); n];
    for t in 0..steps {
        let k = kappa[t];
        for ((zi, m), &b) in z.iter_mut().zip(p.m.chunks_exact(2)).zip(&p.b) {
            *zi = m[0] * k[0] + m[1] * k[1] + b;
        }
        T::tanh_slice(&mut z);
        for (i, &zi) in z.iter().enumerate() {
            let xi = (T::one() - alpha) * x[t * n + i] + alpha * zi;
            x.push(xi);
        }
        let k1 = latent(&x[(t + 1) * n..(t + 2) * n]);
        kappa.push(k1);
        output.push((p.w_out[0] * k1[0] + p.w_out[1] * k1[1] + p.b_out[0]).sigmoid());
    }
    Rank2Rollout { x, kappa, output }
}

/// Convert a slice element-wise to another float type.
fn cast_vec<T: Float, U: Float>(v: &[T]) -> Vec<U> {
    v.iter().map(|x| U::from_f64(x.to_f64())).collect()
}

/// Check N > 0 and that every array has the element count of its shape.
fn check_shapes<T>(
    n: usize,
    tensors: &[&[T]],
    shapes: &[Vec<usize>],
    names: &[&str],
) -> crate::Result<()> {
    if n == 0 {
        return Err(crate::Error::invalid("network", "zero hidden units"));
    }
    for ((t, s), name) in tensors.iter().zip(shapes).zip(names) {
        let want: usize = s.iter().product();
        if t.len() != want {
            return Err(crate::Error::invalid(
                *name,
                format!("has {} elements, expected {:?} for N = {n}", t.len(), s),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_names_the_array_with_the_wrong_length() {
        let mut p = FullRankParams::<f32>::init(8, 0);
        assert!(p.validate().is_ok());
        p.w_rec.pop();
        let e = p.validate().unwrap_err().to_string();
        assert!(e.contains("w_rec") && e.contains("63 elements"), "{e}");

        let mut q = Rank2Params::<f32>::init(8, 0);
        assert!(q.validate().is_ok());
        q.x0.push(0.0);
        let e = q.validate().unwrap_err().to_string();
        assert!(e.contains("x0") && e.contains("9 elements"), "{e}");

        let z = FullRankParams::<f32>::zeros(0);
        assert!(z
            .validate()
            .unwrap_err()
            .to_string()
            .contains("zero hidden"));
    }

    #[test]
    fn cast_round_trips_f32_through_f64() {
        let p = Rank2Params::<f32>::init(8, 3);
        let back: Rank2Params<f32> = p.cast::<f64>().cast();
        assert_eq!(p.tensors(), back.tensors());
    }
}
