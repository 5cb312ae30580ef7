//! Forward pass and BPTT of the rank-2 RNN on its single deterministic trajectory
//! (docs/models.md).

use super::float::{dot, Float};
use super::model::Rank2Params;
use super::task::Rank2Task;

/// Preallocated buffers of one rank-2 epoch.
#[derive(Debug, Clone)]
pub struct Rank2Workspace<T> {
    n: usize,
    total: usize,
    /// x_0…x_total, (total+1) × N.
    x: Vec<T>,
    /// z_t = tanh(m κ_t + b), total × N.
    z: Vec<T>,
    /// κ_0…κ_total.
    kappa: Vec<[T; 2]>,
    /// o_t, t = 0…total−1.
    o: Vec<T>,
    /// ∂L/∂o_t·o_t(1−o_t) (i.e. g_t).
    g: Vec<T>,
    delta: Vec<T>,
    e: Vec<T>,
}

impl<T: Float> Rank2Workspace<T> {
    /// Buffers for N units and `total` steps.
    pub fn new(n: usize, total: usize) -> Self {
        Rank2Workspace {
            n,
            total,
            x: vec![T::zero(); (total + 1) * n],
            z: vec![T::zero(); total * n],
            kappa: vec![[T::zero(); 2]; total + 1],
            o: vec![T::zero(); total],
            g: vec![T::zero(); total],
            delta: vec![T::zero(); n],
            e: vec![T::zero(); n],
        }
    }

    /// Outputs o_0…o_{total−1} of the last forward pass.
    pub fn outputs(&self) -> &[T] {
        &self.o
    }

    /// Latents κ_0…κ_total of the last forward pass.
    pub fn kappa(&self) -> &[[T; 2]] {
        &self.kappa
    }

    /// Forward pass and loss L = mean_t w_t (o_t − y_t)²; with `grads` also the BPTT
    /// gradients of m, n, b, W_out, b_out (written into `grads`; `grads.x0` is untouched).
    /// Returns (loss, global gradient norm √Σ‖∂‖² or NaN without gradients).
    pub fn run(
        &mut self,
        p: &Rank2Params<T>,
        task: &Rank2Task<T>,
        grads: Option<&mut Rank2Params<T>>,
    ) -> (f64, f64) {
        let (n, total) = (self.n, self.total);
        assert_eq!(p.n_hidden(), n);
        assert_eq!(task.total(), total);
        let alpha = task.alpha;
        let one_m_a = T::one() - alpha;
        let (n0, n1) = p.n.split_at(n);
        let latent = |x: &[T]| -> [T; 2] { [dot(n0, x), dot(n1, x)] };
        self.x[..n].copy_from_slice(&p.x0);
        self.kappa[0] = latent(&p.x0);
        let mut loss = 0.0f64;
        let two_over = T::from_f64(2.0 / total as f64);
        for t in 0..total {
            let k = self.kappa[t];
            let z = &mut self.z[t * n..(t + 1) * n];
            for ((zi, m), &b) in z.iter_mut().zip(p.m.chunks_exact(2)).zip(&p.b) {
                *zi = m[0] * k[0] + m[1] * k[1] + b;
            }
            T::tanh_slice(z);
            let (xa, xb) = self.x[t * n..(t + 2) * n].split_at_mut(n);
            for ((x1, &x0), &zi) in xb.iter_mut().zip(xa.iter()).zip(z.iter()) {
                *x1 = one_m_a * x0 + alpha * zi;
            }
            let k1 = latent(xb);
            self.kappa[t + 1] = k1;
            let o = (p.w_out[0] * k1[0] + p.w_out[1] * k1[1] + p.b_out[0]).sigmoid();
            self.o[t] = o;
            let diff = o - task.targets[t];
            loss += (task.weights[t] * diff * diff).to_f64();
            self.g[t] = two_over * task.weights[t] * diff * o * (T::one() - o);
        }
        loss /= total as f64;
        let Some(gr) = grads else {
            return (loss, f64::NAN);
        };
        for v in
            gr.m.iter_mut()
                .chain(gr.n.iter_mut())
                .chain(gr.b.iter_mut())
                .chain(gr.w_out.iter_mut())
                .chain(gr.b_out.iter_mut())
        {
            *v = T::zero();
        }
        // δ_{t+1} = ∂L/∂x_{t+1} accumulated backwards; start with δ_total = nᵀ W_out g_{total−1}.
        self.delta.fill(T::zero());
        for t in (0..total).rev() {
            // Contribution of o_t through κ_{t+1} = n x_{t+1}.
            let gt = self.g[t];
            let c0 = p.w_out[0] * gt;
            let c1 = p.w_out[1] * gt;
            let k1 = self.kappa[t + 1];
            gr.w_out[0] += gt * k1[0];
            gr.w_out[1] += gt * k1[1];
            gr.b_out[0] += gt;
            let x1 = &self.x[(t + 1) * n..(t + 2) * n];
            {
                let (gn0, gn1) = gr.n.split_at_mut(n);
                let (pn0, pn1) = p.n.split_at(n);
                for (((((d, &a0), &a1), g0), g1), &xv) in self
                    .delta
                    .iter_mut()
                    .zip(pn0)
                    .zip(pn1)
                    .zip(gn0.iter_mut())
                    .zip(gn1.iter_mut())
                    .zip(x1)
                {
                    *d += a0 * c0 + a1 * c1;
                    *g0 += c0 * xv;
                    *g1 += c1 * xv;
                }
            }
            // e_t = α δ_{t+1} ⊙ (1 − z_t²)
            let z = &self.z[t * n..(t + 1) * n];
            for ((e, &d), &zz) in self.e.iter_mut().zip(&self.delta).zip(z) {
                *e = alpha * d * (T::one() - zz * zz);
            }
            let (mut me0, mut me1) = (T::zero(), T::zero());
            {
                let mut acc = [T::zero(); 8];
                let mut cm = p.m.chunks_exact(8);
                let mut ce = self.e.chunks_exact(4);
                for (m, e) in (&mut cm).zip(&mut ce) {
                    for k in 0..4 {
                        acc[2 * k] += m[2 * k] * e[k];
                        acc[2 * k + 1] += m[2 * k + 1] * e[k];
                    }
                }
                for (m, &e) in cm.remainder().chunks_exact(2).zip(ce.remainder()) {
                    me0 += m[0] * e;
                    me1 += m[1] * e;
                }
                me0 += (acc[0] + acc[4]) + (acc[2] + acc[6]);
                me1 += (acc[1] + acc[5]) + (acc[3] + acc[7]);
            }
            let k = self.kappa[t];
            let x0 = &self.x[t * n..(t + 1) * n];
            for ((gm, gb), &e) in gr.m.chunks_exact_mut(2).zip(gr.b.iter_mut()).zip(&self.e) {
                gm[0] += e * k[0];
                gm[1] += e * k[1];
                *gb += e;
            }
            {
                let (gn0, gn1) = gr.n.split_at_mut(n);
                let (pn0, pn1) = p.n.split_at(n);
                // δ_t = (1−α) δ_{t+1} + nᵀ mᵀ e_t (+ the readout term added next iteration)
                for ((((d, &a0), &a1), (g0, g1)), &xv) in self
                    .delta
                    .iter_mut()
                    .zip(pn0)
                    .zip(pn1)
                    .zip(gn0.iter_mut().zip(gn1.iter_mut()))
                    .zip(x0)
                {
                    *g0 += me0 * xv;
                    *g1 += me1 * xv;
                    *d = one_m_a * *d + a0 * me0 + a1 * me1;
                }
            }
        }
        let norm = gr
            .trainable()
            .iter()
            .flat_map(|t| t.iter())
            .map(|&v| {
                let v = v.to_f64();
                v * v
            })
            .sum::<f64>()
            .sqrt();
        (loss, norm)
    }
}
