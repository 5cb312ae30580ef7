//! Batched forward pass and hand-written BPTT of the full-rank RNN (SPEC 3.1, 3.2, 3.4).
//!
//! Layout: every state matrix is N × (steps·B) row-major with the batch contiguous, so that
//! step t is the N × B column block starting at column t·B. Per step the forward pass does
//! one GEMM (W_rec R_t) and the backward pass one (W_recᵀ E_t); all sums over time are single
//! GEMMs after the pass (∂W_rec = E Rᵀ, ∂W_out = G Rᵀ, W_outᵀ G). Nothing allocates per step
//! or per epoch: all buffers live in [`FullRankWorkspace`].

use super::float::Float;
use super::metrics::MetricAcc;
use super::model::{FullRankParams, Readout, NOISE_STD};
use super::rng::{self, StreamRng};
use super::task::FullRankTask;

/// Random inputs of one epoch: initial states ξ and noise ε (SPEC 3.1, 4.5), stored scaled
/// and transposed into the trainer's N × (·) layout.
#[derive(Debug, Clone)]
pub struct EpochNoise<T> {
    /// r_0 = tanh(0.1 ξ), N × B.
    pub r0: Vec<T>,
    /// 0.001·ε_t for t = 0…L−1, N rows of leading dimension [`padded`]`(L·B)`.
    pub noise: Vec<T>,
    scratch: Vec<f32>,
}

impl<T: Float> EpochNoise<T> {
    /// Buffers for N units, batch B and L steps.
    pub fn new(n: usize, batch: usize, steps: usize) -> Self {
        EpochNoise {
            r0: vec![T::zero(); n * batch],
            noise: vec![T::zero(); n * padded(batch * steps)],
            scratch: vec![0.0; n * batch],
        }
    }

    /// Draw one epoch from `rng` in the SPEC 4.5 order: ξ (B×N, trial-major), then ε_t
    /// (B×N) for t = 0…L−1.
    pub fn draw(&mut self, rng: &mut StreamRng, n: usize, batch: usize, steps: usize) {
        let lb = steps * batch;
        let tenth = T::from_f64(0.1);
        rng::fill_normal_f32(rng, &mut self.scratch);
        for i in 0..n {
            for b in 0..batch {
                self.r0[i * batch + b] = (tenth * T::from_f32(self.scratch[b * n + i])).tanh();
            }
        }
        let sigma = T::from_f64(NOISE_STD);
        let ld = padded(lb);
        for t in 0..steps {
            rng::fill_normal_f32(rng, &mut self.scratch);
            for i in 0..n {
                let row = &mut self.noise[i * ld + t * batch..i * ld + (t + 1) * batch];
                for (b, v) in row.iter_mut().enumerate() {
                    *v = sigma * T::from_f32(self.scratch[b * n + i]);
                }
            }
        }
    }
}

/// Column chunk of the gradient GEMMs.
const GEMM_CHUNK: usize = 512;

/// Leading dimension used for a row of `cols` elements: rounded up to 16 and offset by 32
/// elements so that consecutive rows never sit a multiple of 4 KiB apart (cache-set
/// aliasing).
pub fn padded(cols: usize) -> usize {
    cols.div_ceil(16) * 16 + 32
}

/// Preallocated buffers of one full-rank network's epoch.
#[derive(Debug, Clone)]
pub struct FullRankWorkspace<T> {
    n: usize,
    batch: usize,
    steps: usize,
    /// r_0…r_L, N × ((L+1)·B).
    r: Vec<T>,
    /// z_t in the forward pass, then e_t in the backward pass, N × (L·B).
    ze: Vec<T>,
    /// W_outᵀ g_t, then δ_t, N × (L·B).
    d: Vec<T>,
    /// Outputs o_t, 2 × (L·B).
    o: Vec<T>,
    /// Output gradients g_t, 2 × (L·B).
    g: Vec<T>,
    /// Per-unit input drive W_in u_t(c) + b_in + b_rec for the two classes, N × 2.
    drive: Vec<T>,
}

/// Loss and metrics of one forward pass (pre-update).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochStats {
    /// Weighted MSE loss (SPEC 2.1/2.2), accumulated in f64.
    pub loss: f64,
    /// Accuracy over the window (rounded to 4 decimals).
    pub accuracy: f64,
    /// Reliability over the window (rounded to 4 decimals).
    pub reliability: f64,
    /// ‖∂L/∂W_rec‖_F (full-rank, without weight decay) or the global gradient norm (rank-2).
    pub grad_norm: f64,
}

impl<T: Float> FullRankWorkspace<T> {
    /// Buffers for N units, batch B and L steps.
    pub fn new(n: usize, batch: usize, steps: usize) -> Self {
        let lb = steps * batch;
        FullRankWorkspace {
            n,
            batch,
            steps,
            r: vec![T::zero(); n * padded(lb + batch)],
            ze: vec![T::zero(); n * padded(lb)],
            d: vec![T::zero(); n * padded(lb)],
            o: vec![T::zero(); 2 * padded(lb)],
            g: vec![T::zero(); 2 * padded(lb)],
            drive: vec![T::zero(); 2 * n],
        }
    }

    /// Rates r_0…r_L of the last forward pass, N × ((L+1)·B) (unit i, step t, trial b at
    /// `i·(L+1)B + t·B + b`).
    pub fn rates(&self) -> &[T] {
        &self.r
    }

    /// Outputs o_0…o_{L−1} of the last forward pass, 2 × (L·B).
    pub fn outputs(&self) -> &[T] {
        &self.o
    }

    /// Forward pass, loss, metrics and (if `grads` is given) full BPTT gradients.
    ///
    /// Gradients are written (not accumulated) into `grads`, without weight decay.
    /// `stats.grad_norm` is ‖∂L/∂W_rec‖_F when gradients are computed, else NaN.
    pub fn run(
        &mut self,
        p: &FullRankParams<T>,
        task: &FullRankTask<T>,
        noise: &EpochNoise<T>,
        grads: Option<&mut FullRankParams<T>>,
    ) -> EpochStats {
        let (n, bsz, l) = (self.n, self.batch, self.steps);
        assert_eq!(p.n_hidden(), n);
        assert_eq!(task.batch, bsz);
        assert_eq!(task.steps, l);
        let lb = l * bsz;
        let ldr = padded(lb + bsz);
        let ld = padded(lb);
        let alpha = task.alpha;
        let one_m_a = T::one() - alpha;

        // r_0
        for i in 0..n {
            self.r[i * ldr..i * ldr + bsz].copy_from_slice(&noise.r0[i * bsz..(i + 1) * bsz]);
        }
        // Forward.
        for t in 0..l {
            for c in 0..2 {
                let u = task.inputs[2 * t + c];
                for i in 0..n {
                    self.drive[2 * i + c] =
                        (p.w_in[2 * i] * u[0] + p.w_in[2 * i + 1] * u[1] + p.b_in[i]) + p.b_rec[i];
                }
            }
            // ze[:, t] = W_rec r_t
            // SAFETY: the blocks lie inside `r` and `ze` (strides ldr / ld, width bsz).
            unsafe {
                T::gemm_raw(
                    n,
                    n,
                    bsz,
                    T::one(),
                    p.w_rec.as_ptr(),
                    n as isize,
                    1,
                    self.r.as_ptr().add(t * bsz),
                    ldr as isize,
                    1,
                    T::zero(),
                    self.ze.as_mut_ptr().add(t * bsz),
                    ld as isize,
                    1,
                );
            }
            for i in 0..n {
                let z = &mut self.ze[i * ld + t * bsz..i * ld + (t + 1) * bsz];
                let nz = &noise.noise[i * ld + t * bsz..i * ld + (t + 1) * bsz];
                let (d0, d1) = (self.drive[2 * i], self.drive[2 * i + 1]);
                for ((zz, nn), k) in z.chunks_exact_mut(2).zip(nz.chunks_exact(2)).zip(0..) {
                    let _ = k;
                    zz[0] = d0 + zz[0] + nn[0];
                    zz[1] = d1 + zz[1] + nn[1];
                }
                if bsz % 2 == 1 {
                    let last = bsz - 1;
                    z[last] = d0 + z[last] + nz[last];
                }
                T::tanh_slice(z);
                let (rt, rt1) =
                    self.r[i * ldr + t * bsz..i * ldr + (t + 2) * bsz].split_at_mut(bsz);
                for ((r1, &r0), &zz) in rt1.iter_mut().zip(rt.iter()).zip(z.iter()) {
                    *r1 = one_m_a * r0 + alpha * zz;
                }
            }
        }
        // Outputs o = W_out R[:, 0..L] + b_out.
        // SAFETY: R's first lb columns, row stride ldr.
        unsafe {
            T::gemm_raw(
                2,
                n,
                lb,
                T::one(),
                p.w_out.as_ptr(),
                n as isize,
                1,
                self.r.as_ptr(),
                ldr as isize,
                1,
                T::zero(),
                self.o.as_mut_ptr(),
                ld as isize,
                1,
            );
        }
        let inv_bl = T::one() / T::from_f64((bsz * l) as f64);
        let mut loss = 0.0f64;
        let mut acc = MetricAcc::default();
        let single = T::NAME == "f32";
        for t in 0..l {
            let w = task.weights[t];
            let in_win = t >= task.window.0 && t < task.window.1;
            for b in 0..bsz {
                let y = task.targets[2 * t + b % 2];
                let mut ov = [T::zero(); 2];
                for k in 0..2 {
                    let idx = k * ld + t * bsz + b;
                    let v = self.o[idx] + p.b_out[k];
                    let o = match task.readout {
                        Readout::Sigmoid => v.sigmoid(),
                        Readout::Linear => v,
                    };
                    self.o[idx] = o;
                    ov[k] = o;
                    let diff = o - y[k];
                    loss += (w * diff * diff).to_f64();
                    let gk = match task.readout {
                        Readout::Sigmoid => inv_bl * w * diff * o * (T::one() - o),
                        Readout::Linear => inv_bl * w * diff,
                    };
                    self.g[idx] = gk;
                }
                if in_win {
                    acc.add(
                        [ov[0].to_f64(), ov[1].to_f64()],
                        [y[0].to_f64(), y[1].to_f64()],
                        single,
                    );
                }
            }
        }
        loss /= (bsz * l * 2) as f64;
        let (accuracy, reliability) = acc.finish();
        let mut stats = EpochStats {
            loss,
            accuracy,
            reliability,
            grad_norm: f64::NAN,
        };
        let Some(gr) = grads else {
            return stats;
        };

        // Backward. d = W_outᵀ G (N × lb).
        // SAFETY: W_outᵀ read with strides (1, n); G and d have row stride ld over lb columns.
        unsafe {
            T::gemm_raw(
                n,
                2,
                lb,
                T::one(),
                p.w_out.as_ptr(),
                1,
                n as isize,
                self.g.as_ptr(),
                ld as isize,
                1,
                T::zero(),
                self.d.as_mut_ptr(),
                ld as isize,
                1,
            );
        }
        for t in (0..l).rev() {
            if t == l - 1 {
                for i in 0..n {
                    self.ze[i * ld + t * bsz..i * ld + (t + 1) * bsz].fill(T::zero());
                }
                continue;
            }
            for i in 0..n {
                let row = i * ld;
                let (dt, dt1) = self.d[row + t * bsz..row + (t + 2) * bsz].split_at_mut(bsz);
                let ze = &mut self.ze[row + t * bsz..row + (t + 1) * bsz];
                for ((e, &d1), dd) in ze.iter_mut().zip(dt1.iter()).zip(dt.iter_mut()) {
                    let z = *e;
                    *e = alpha * d1 * (T::one() - z * z);
                    *dd += one_m_a * d1;
                }
            }
            if t > 0 {
                // δ_t += W_recᵀ e_t
                // SAFETY: blocks inside `ze` and `d`, row stride ld, width bsz.
                unsafe {
                    T::gemm_raw(
                        n,
                        n,
                        bsz,
                        T::one(),
                        p.w_rec.as_ptr(),
                        1,
                        n as isize,
                        self.ze.as_ptr().add(t * bsz),
                        ld as isize,
                        1,
                        T::one(),
                        self.d.as_mut_ptr().add(t * bsz),
                        ld as isize,
                        1,
                    );
                }
            }
        }
        // ∂W_rec = E R[:, 0..L]ᵀ, ∂W_out = G R[:, 0..L]ᵀ, accumulated over column chunks of
        // GEMM_CHUNK (matrixmultiply is markedly faster on k ≈ 512 than on one k = L·B call).
        let mut c0 = 0;
        while c0 < lb {
            let kc = GEMM_CHUNK.min(lb - c0);
            let beta = if c0 == 0 { T::zero() } else { T::one() };
            // SAFETY: columns c0..c0+kc of E (row stride ld), G (row stride ld) and R (row
            // stride ldr; read transposed with strides (1, ldr)) lie inside their buffers.
            unsafe {
                T::gemm_raw(
                    n,
                    kc,
                    n,
                    T::one(),
                    self.ze.as_ptr().add(c0),
                    ld as isize,
                    1,
                    self.r.as_ptr().add(c0),
                    1,
                    ldr as isize,
                    beta,
                    gr.w_rec.as_mut_ptr(),
                    n as isize,
                    1,
                );
                T::gemm_raw(
                    2,
                    kc,
                    n,
                    T::one(),
                    self.g.as_ptr().add(c0),
                    ld as isize,
                    1,
                    self.r.as_ptr().add(c0),
                    1,
                    ldr as isize,
                    beta,
                    gr.w_out.as_mut_ptr(),
                    n as isize,
                    1,
                );
            }
            c0 += kc;
        }
        for k in 0..2 {
            gr.b_out[k] = sum(&self.g[k * ld..k * ld + lb]);
        }
        for i in 0..n {
            let row = &self.ze[i * ld..i * ld + lb];
            let s = sum(row);
            gr.b_in[i] = s;
            gr.b_rec[i] = s;
            let mut w = [T::zero(); 2];
            for t in 0..l {
                let u0 = task.inputs[2 * t];
                let u1 = task.inputs[2 * t + 1];
                if u0 == [T::zero(); 2] && u1 == [T::zero(); 2] {
                    continue;
                }
                let blk = &row[t * bsz..(t + 1) * bsz];
                let (mut s0, mut s1) = (T::zero(), T::zero());
                for pair in blk.chunks_exact(2) {
                    s0 += pair[0];
                    s1 += pair[1];
                }
                if bsz % 2 == 1 {
                    s0 += blk[bsz - 1];
                }
                for c in 0..2 {
                    w[c] += s0 * u0[c] + s1 * u1[c];
                }
            }
            gr.w_in[2 * i] = w[0];
            gr.w_in[2 * i + 1] = w[1];
        }
        stats.grad_norm = gr
            .w_rec
            .iter()
            .map(|&x| {
                let v = x.to_f64();
                v * v
            })
            .sum::<f64>()
            .sqrt();
        stats
    }
}

fn sum<T: Float>(x: &[T]) -> T {
    let mut acc = [T::zero(); 8];
    let mut chunks = x.chunks_exact(8);
    for c in &mut chunks {
        for k in 0..8 {
            acc[k] += c[k];
        }
    }
    let mut s = T::zero();
    for v in chunks.remainder() {
        s += *v;
    }
    for a in acc {
        s += a;
    }
    s
}
