//! Optimisers with PyTorch semantics (docs/training.md).

use super::float::Float;

/// SGD with momentum and weight decay, exactly as `torch.optim.SGD(momentum, weight_decay)`
/// without dampening or Nesterov:
///
/// d = ∇θ + λθ;  v = d on the first step, else v = μv + d;  θ ← θ − ηv.
///
/// The full-rank trainer uses μ = 0.9, λ = 1e-7. Velocities are kept per tensor.
#[derive(Debug, Clone)]
pub struct SgdMomentum<T> {
    /// Learning rate η.
    pub lr: T,
    /// Momentum μ.
    pub momentum: T,
    /// Weight decay λ.
    pub weight_decay: T,
    velocity: Vec<Vec<T>>,
    started: bool,
}

impl<T: Float> SgdMomentum<T> {
    /// A fresh optimiser (no momentum buffers yet).
    pub fn new(lr: T, momentum: T, weight_decay: T) -> Self {
        SgdMomentum {
            lr,
            momentum,
            weight_decay,
            velocity: Vec::new(),
            started: false,
        }
    }

    /// The paper's full-rank optimiser: μ = 0.9, λ = 1e-7.
    pub fn paper(lr: T) -> Self {
        Self::new(lr, T::from_f64(0.9), T::from_f64(1e-7))
    }

    /// Apply one step to the tensors `params` with gradients `grads` (same order and lengths
    /// at every call). Allocates the velocity buffers only on the first call.
    pub fn step(&mut self, params: &mut [&mut [T]], grads: &[&[T]]) {
        assert_eq!(params.len(), grads.len());
        if !self.started {
            self.velocity = grads.iter().map(|g| vec![T::zero(); g.len()]).collect();
        }
        let (lr, mu, wd) = (self.lr, self.momentum, self.weight_decay);
        for ((p, g), v) in params.iter_mut().zip(grads).zip(self.velocity.iter_mut()) {
            assert_eq!(p.len(), g.len());
            for ((pi, &gi), vi) in p.iter_mut().zip(g.iter()).zip(v.iter_mut()) {
                let d = gi + wd * *pi;
                *vi = if self.started { mu * *vi + d } else { d };
                *pi -= lr * *vi;
            }
        }
        self.started = true;
    }

    /// The momentum buffers (empty before the first step).
    pub fn velocity(&self) -> &[Vec<T>] {
        &self.velocity
    }
}

/// Plain SGD θ ← θ − η∇θ (rank-2 trainer, docs/training.md).
pub fn sgd_step<T: Float>(lr: T, params: &mut [&mut [T]], grads: &[&[T]]) {
    for (p, g) in params.iter_mut().zip(grads) {
        for (pi, &gi) in p.iter_mut().zip(g.iter()) {
            *pi -= lr * gi;
        }
    }
}
