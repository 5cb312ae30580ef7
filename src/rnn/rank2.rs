//! Forward pass and BPTT of the rank-2 RNN on its single deterministic trajectory
//! (SPEC 3.3, 3.4).

use super::float::Float;
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
        let latent = |x: &[T]| -> [T; 2] {
            let (mut k0, mut k1) = (T::zero(), T::zero());
            for i in 0..n {
                k0 += p.n[i] * x[i];
                k1 += p.n[n + i] * x[i];
            }
            [k0, k1]
        };
        self.x[..n].copy_from_slice(&p.x0);
        self.kappa[0] = latent(&p.x0);
        let mut loss = 0.0f64;
        let two_over = T::from_f64(2.0 / total as f64);
        for t in 0..total {
            let k = self.kappa[t];
            let z = &mut self.z[t * n..(t + 1) * n];
            for i in 0..n {
                z[i] = p.m[2 * i] * k[0] + p.m[2 * i + 1] * k[1] + p.b[i];
            }
            T::tanh_slice(z);
            let (xa, xb) = self.x[t * n..(t + 2) * n].split_at_mut(n);
            for i in 0..n {
                xb[i] = one_m_a * xa[i] + alpha * z[i];
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
            for i in 0..n {
                self.delta[i] += p.n[i] * c0 + p.n[n + i] * c1;
                gr.n[i] += c0 * x1[i];
                gr.n[n + i] += c1 * x1[i];
            }
            // e_t = α δ_{t+1} ⊙ (1 − z_t²)
            let z = &self.z[t * n..(t + 1) * n];
            let (mut me0, mut me1) = (T::zero(), T::zero());
            for i in 0..n {
                let e = alpha * self.delta[i] * (T::one() - z[i] * z[i]);
                self.e[i] = e;
                me0 += p.m[2 * i] * e;
                me1 += p.m[2 * i + 1] * e;
            }
            let k = self.kappa[t];
            let x0 = &self.x[t * n..(t + 1) * n];
            for i in 0..n {
                let e = self.e[i];
                gr.m[2 * i] += e * k[0];
                gr.m[2 * i + 1] += e * k[1];
                gr.b[i] += e;
                gr.n[i] += me0 * x0[i];
                gr.n[n + i] += me1 * x0[i];
                // δ_t = (1−α) δ_{t+1} + nᵀ mᵀ e_t (+ the readout term added next iteration)
                self.delta[i] = one_m_a * self.delta[i] + p.n[i] * me0 + p.n[n + i] * me1;
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
