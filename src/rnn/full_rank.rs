//! Batched forward pass and hand-written BPTT of the full-rank RNN (docs/models.md).
//!
//! Layout: time-major, trial-major blocks. The state at step t is a B × N block (trial b,
//! unit i at `t·B·N + b·N + i`), so the whole trajectory is one (L·B) × N row-major matrix.
//! This is also the draw order of the noise (docs/training.md), so ξ and ε need no transposition.
//!
//! Per step the forward pass does one GEMM, Z_t = R_t W_recᵀ (B×N times N×N), and the backward
//! pass one, δ_t += E_t W_rec. All sums over time are single GEMMs over the (L·B) rows after
//! the pass: ∂W_rec = Eᵀ R and ∂W_out = Gᵀ R. Nothing allocates per step or per epoch: all
//! buffers live in [`FullRankWorkspace`].

use super::float::{dot, gemm_nn, Float};
use super::kernels::{self, multiversion};
use super::metrics::MetricAcc;
use super::model::{FullRankParams, Readout, NOISE_STD};
use super::rng::{self, StreamRng};
use super::task::FullRankTask;

/// Rows of the gradient GEMMs processed per call (keeps the operands in L2).
const GRAD_CHUNK: usize = 512;

/// Random inputs of one epoch: initial states ξ and noise ε (docs/models.md, docs/training.md), already
/// transformed: r_0 = tanh(0.1 ξ) and 0.001·ε_t, both in the trainer's B × N block layout.
#[derive(Debug, Clone)]
pub struct EpochNoise<T> {
    /// r_0 = tanh(0.1 ξ), B × N (trial-major).
    pub r0: Vec<T>,
    /// 0.001·ε_t for t = 0…L−1, L blocks of B × N.
    pub noise: Vec<T>,
    scratch: Vec<f32>,
}

impl<T: Float> EpochNoise<T> {
    /// Buffers for N units, batch B and L steps.
    pub fn new(n: usize, batch: usize, steps: usize) -> Self {
        EpochNoise {
            r0: vec![T::zero(); n * batch],
            noise: vec![T::zero(); n * batch * steps],
            scratch: vec![0.0; n * batch],
        }
    }

    /// Draw one epoch from the current group of `rng`: ξ (B×N, trial-major), then ε_t
    /// (B×N) for t = 0…L−1; then move `rng` to the next group (the next epoch).
    pub fn draw(&mut self, rng: &mut StreamRng, n: usize, batch: usize, steps: usize) {
        draw_dispatch(kernels::current(), self, rng, n, batch, steps);
        rng.next_group();
    }

    #[inline(always)]
    pub(crate) fn draw_impl(&mut self, rng: &mut StreamRng, n: usize, batch: usize, steps: usize) {
        let nb = n * batch;
        let tenth = T::from_f64(0.1);
        rng::fill_normal_f32(rng, &mut self.scratch);
        for (r, &x) in self.r0.iter_mut().zip(&self.scratch) {
            *r = tenth * T::from_f32(x);
        }
        T::tanh_slice(&mut self.r0);
        let sigma = T::from_f64(NOISE_STD);
        for t in 0..steps {
            let block = &mut self.noise[t * nb..(t + 1) * nb];
            if T::NAME == "f32" && std::mem::size_of::<T>() == 4 {
                // f32 training: draw straight into the block and scale in place (the same
                // two roundings as below, without the copy).
                // SAFETY: T is f32 (same size, layout and bit patterns).
                let b32 = unsafe {
                    std::slice::from_raw_parts_mut(block.as_mut_ptr() as *mut f32, block.len())
                };
                rng::fill_normal_f32(rng, b32);
                for v in block.iter_mut() {
                    *v = sigma * *v;
                }
            } else {
                rng::fill_normal_f32(rng, &mut self.scratch);
                for (v, &x) in block.iter_mut().zip(&self.scratch) {
                    *v = sigma * T::from_f32(x);
                }
            }
        }
    }
}

/// Preallocated buffers of one full-rank network's epoch.
#[derive(Debug, Clone)]
pub struct FullRankWorkspace<T> {
    n: usize,
    batch: usize,
    steps: usize,
    /// r_0…r_L, (L+1) blocks of B × N.
    r: Vec<T>,
    /// z_t in the forward pass, then e_t in the backward pass, L blocks of B × N.
    ze: Vec<T>,
    /// δ_{t+1} and δ_t, B × N each.
    d_next: Vec<T>,
    d_cur: Vec<T>,
    /// W_recᵀ (N × N), refreshed at every run.
    w_rec_t: Vec<T>,
    /// Outputs o_t, (L·B) × 2.
    o: Vec<T>,
    /// Output gradients g_t, (L·B) × 2.
    g: Vec<T>,
    /// Per-class input drive W_in u_t(c) + b_in + b_rec, 2 × N.
    drive: Vec<T>,
    /// Column sums of E and input-weight gradient accumulators, 3 × N.
    acc: Vec<T>,
}

/// Loss and metrics of one forward pass (pre-update).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochStats {
    /// Weighted MSE loss (docs/tasks.md), accumulated in f64.
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
        let nb = n * batch;
        FullRankWorkspace {
            n,
            batch,
            steps,
            r: vec![T::zero(); nb * (steps + 1)],
            ze: vec![T::zero(); nb * steps],
            d_next: vec![T::zero(); nb],
            d_cur: vec![T::zero(); nb],
            w_rec_t: vec![T::zero(); n * n],
            o: vec![T::zero(); 2 * batch * steps],
            g: vec![T::zero(); 2 * batch * steps],
            drive: vec![T::zero(); 2 * n],
            acc: vec![T::zero(); 3 * n],
        }
    }

    /// Rates r_0…r_L of the last forward pass: trial b, unit i, step t at `(t·B + b)·N + i`.
    pub fn rates(&self) -> &[T] {
        &self.r
    }

    /// Outputs o_0…o_{L−1} of the last forward pass: channel k of trial b at step t at
    /// `(t·B + b)·2 + k`.
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
        run_dispatch(kernels::current(), self, p, task, noise, grads)
    }

    #[inline(always)]
    pub(crate) fn run_impl(
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
        let nb = n * bsz;
        let lb = l * bsz;
        let alpha = task.alpha;
        let one_m_a = T::one() - alpha;

        for i in 0..n {
            for j in 0..n {
                self.w_rec_t[j * n + i] = p.w_rec[i * n + j];
            }
        }
        self.r[..nb].copy_from_slice(&noise.r0);
        // Forward.
        for t in 0..l {
            for c in 0..2 {
                let u = task.inputs[2 * t + c];
                for i in 0..n {
                    self.drive[c * n + i] =
                        (p.w_in[2 * i] * u[0] + p.w_in[2 * i + 1] * u[1] + p.b_in[i]) + p.b_rec[i];
                }
            }
            // Z_t = R_t W_recᵀ
            // SAFETY: block t of `r` and `ze` (B × N, row stride N) and W_recᵀ (N × N).
            unsafe {
                gemm_nn(
                    bsz,
                    n,
                    n,
                    self.r.as_ptr().add(t * nb),
                    n,
                    1,
                    self.w_rec_t.as_ptr(),
                    n,
                    self.ze.as_mut_ptr().add(t * nb),
                    n,
                    false,
                );
            }
            let z = &mut self.ze[t * nb..(t + 1) * nb];
            let nz = &noise.noise[t * nb..(t + 1) * nb];
            for (b, (zr, nr)) in z.chunks_exact_mut(n).zip(nz.chunks_exact(n)).enumerate() {
                let dr = &self.drive[(b % 2) * n..(b % 2 + 1) * n];
                for ((zz, &d), &e) in zr.iter_mut().zip(dr).zip(nr) {
                    *zz = (d + *zz) + e;
                }
            }
            T::tanh_slice(z);
            let (rt, rt1) = self.r[t * nb..(t + 2) * nb].split_at_mut(nb);
            for ((r1, &r0), &zz) in rt1.iter_mut().zip(rt.iter()).zip(z.iter()) {
                *r1 = one_m_a * r0 + alpha * zz;
            }
        }
        // Outputs, loss, output gradients and metrics.
        let (w0, w1) = p.w_out.split_at(n);
        let inv_bl = T::one() / T::from_f64((bsz * l) as f64);
        let mut loss = 0.0f64;
        let mut acc = MetricAcc::default();
        let single = T::NAME == "f32";
        for t in 0..l {
            let w = task.weights[t];
            let in_win = t >= task.window.0 && t < task.window.1;
            for b in 0..bsz {
                let row = (t * bsz + b) * n;
                let rr = &self.r[row..row + n];
                let y = task.targets[2 * t + b % 2];
                let pre = [dot(w0, rr) + p.b_out[0], dot(w1, rr) + p.b_out[1]];
                let mut ov = [T::zero(); 2];
                for k in 0..2 {
                    let o = match task.readout {
                        Readout::Sigmoid => pre[k].sigmoid(),
                        Readout::Linear => pre[k],
                    };
                    ov[k] = o;
                    let diff = o - y[k];
                    loss += (w * diff * diff).to_f64();
                    self.g[(t * bsz + b) * 2 + k] = match task.readout {
                        Readout::Sigmoid => inv_bl * w * diff * o * (T::one() - o),
                        Readout::Linear => inv_bl * w * diff,
                    };
                }
                self.o[(t * bsz + b) * 2..(t * bsz + b) * 2 + 2].copy_from_slice(&ov);
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

        // Backward: δ_{t+1} in d_next; δ_L = 0.
        self.d_next.fill(T::zero());
        for t in (0..l).rev() {
            let ze = &mut self.ze[t * nb..(t + 1) * nb];
            if t == l - 1 {
                ze.fill(T::zero());
            } else {
                for (e, &d1) in ze.iter_mut().zip(&self.d_next) {
                    let z = *e;
                    *e = alpha * d1 * (T::one() - z * z);
                }
            }
            if t == 0 {
                break;
            }
            // δ_t = W_outᵀ g_t + (1−α) δ_{t+1} + W_recᵀ e_t
            for b in 0..bsz {
                let g0 = self.g[(t * bsz + b) * 2];
                let g1 = self.g[(t * bsz + b) * 2 + 1];
                let dc = &mut self.d_cur[b * n..(b + 1) * n];
                let dn = &self.d_next[b * n..(b + 1) * n];
                for (((d, &x0), &x1), &d1) in dc.iter_mut().zip(w0).zip(w1).zip(dn) {
                    *d = (x0 * g0 + x1 * g1) + one_m_a * d1;
                }
            }
            if t < l - 1 {
                // SAFETY: block t of `ze` (B × N), W_rec (N × N), d_cur (B × N).
                unsafe {
                    gemm_nn(
                        bsz,
                        n,
                        n,
                        self.ze.as_ptr().add(t * nb),
                        n,
                        1,
                        p.w_rec.as_ptr(),
                        n,
                        self.d_cur.as_mut_ptr(),
                        n,
                        true,
                    );
                }
            }
            std::mem::swap(&mut self.d_cur, &mut self.d_next);
        }
        // ∂W_rec = Eᵀ R and ∂W_out = Gᵀ R over the L·B rows, in chunks of GRAD_CHUNK rows.
        let mut c0 = 0;
        while c0 < lb {
            let kc = GRAD_CHUNK.min(lb - c0);
            // SAFETY: rows c0..c0+kc of E, G and R lie inside their buffers.
            unsafe {
                gemm_nn(
                    n,
                    n,
                    kc,
                    self.ze.as_ptr().add(c0 * n),
                    1,
                    n,
                    self.r.as_ptr().add(c0 * n),
                    n,
                    gr.w_rec.as_mut_ptr(),
                    n,
                    c0 > 0,
                );
                gemm_nn(
                    2,
                    n,
                    kc,
                    self.g.as_ptr().add(c0 * 2),
                    1,
                    2,
                    self.r.as_ptr().add(c0 * n),
                    n,
                    gr.w_out.as_mut_ptr(),
                    n,
                    c0 > 0,
                );
            }
            c0 += kc;
        }
        // Biases and input weights.
        self.acc.fill(T::zero());
        let (colsum, win) = self.acc.split_at_mut(n);
        for (k, row) in self.ze.chunks_exact(n).enumerate() {
            for (s, &e) in colsum.iter_mut().zip(row) {
                *s += e;
            }
            let t = k / bsz;
            let u = task.inputs[2 * t + (k % bsz) % 2];
            if u != [T::zero(); 2] {
                let (wi0, wi1) = win.split_at_mut(n);
                for ((a0, a1), &e) in wi0.iter_mut().zip(wi1.iter_mut()).zip(row) {
                    *a0 += e * u[0];
                    *a1 += e * u[1];
                }
            }
        }
        gr.b_in.copy_from_slice(colsum);
        gr.b_rec.copy_from_slice(colsum);
        for i in 0..n {
            gr.w_in[2 * i] = win[i];
            gr.w_in[2 * i + 1] = win[n + i];
        }
        let (mut s0, mut s1) = (T::zero(), T::zero());
        for gk in self.g.chunks_exact(2) {
            s0 += gk[0];
            s1 += gk[1];
        }
        gr.b_out[0] = s0;
        gr.b_out[1] = s1;
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

multiversion! {
    /// [`EpochNoise::draw`] compiled for the given path (the scaling loops are lane-wise).
    fn draw_dispatch<T: Float>(
        noise: &mut EpochNoise<T>,
        rng: &mut StreamRng,
        n: usize,
        batch: usize,
        steps: usize,
    ) {
        noise.draw_impl(rng, n, batch, steps)
    }
}

multiversion! {
    /// [`FullRankWorkspace::run`] compiled for the given path: the element-wise loops are
    /// lane-wise IEEE operations in source order, so only the vector width differs.
    fn run_dispatch<T: Float>(
        ws: &mut FullRankWorkspace<T>,
        p: &FullRankParams<T>,
        task: &FullRankTask<T>,
        noise: &EpochNoise<T>,
        grads: Option<&mut FullRankParams<T>>,
    ) -> EpochStats {
        ws.run_impl(p, task, noise, grads)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rnn::kernels::Kernel;
    use crate::rnn::rng::{stream, Stream};
    use crate::rnn::task::{FullRankTaskKind, WindowMode};

    fn bits(v: &[f32]) -> Vec<u32> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    /// Every kernel path gives the same epoch bit for bit: noise, rates, outputs, loss,
    /// metrics and every gradient, for the DCDT with and without post period and the
    /// linear-readout no-memory task.
    #[test]
    fn every_kernel_path_gives_the_same_epoch() {
        let kinds = [
            FullRankTaskKind::Dcdt {
                delay_ms: 60,
                post: false,
                tau_ms: 10.0,
            },
            FullRankTaskKind::Dcdt {
                delay_ms: 40,
                post: true,
                tau_ms: 20.0,
            },
            FullRankTaskKind::NoMemory { window_ms: 40 },
        ];
        for (s, kind) in kinds.into_iter().enumerate() {
            let task = FullRankTask::<f32>::new(kind, WindowMode::Reference).unwrap();
            let n = 100;
            let (b, l) = (task.batch, task.steps);
            let p = FullRankParams::<f32>::init(n, s as u64);
            let epoch = |k: Kernel| {
                kernels::with_kernel(k, || {
                    let mut noise = EpochNoise::<f32>::new(n, b, l);
                    noise.draw(&mut stream(s as u64, Stream::Train), n, b, l);
                    let mut ws = FullRankWorkspace::<f32>::new(n, b, l);
                    let mut g = FullRankParams::<f32>::zeros(n);
                    let st = ws.run(&p, &task, &noise, Some(&mut g));
                    let mut all = bits(&noise.noise);
                    for v in [&noise.r0, &ws.r, &ws.o, &g.w_in, &g.b_in, &g.w_rec]
                        .into_iter()
                        .chain([&g.b_rec, &g.w_out, &g.b_out])
                    {
                        all.extend(bits(v));
                    }
                    let scores = [st.loss, st.accuracy, st.reliability, st.grad_norm];
                    (all, scores.map(f64::to_bits))
                })
                .unwrap()
            };
            let base = epoch(Kernel::Portable);
            assert!(f64::from_bits(base.1[0]).is_finite());
            for k in Kernel::supported_paths() {
                assert!(epoch(k) == base, "{k} differs from portable");
            }
        }
    }
}
