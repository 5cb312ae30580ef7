//! The spectral mechanism discrimination index (docs/mechanism-index.md).
//!
//! Given a (T × N) rate matrix F of one extended trial:
//!
//! 1. exact PCA: v₁, v₂ = top two right singular vectors of the column-centred F_c, each
//!    flipped so that its largest-|·| loading is positive (ties: lowest index);
//! 2. projection of the **uncentred** rates P = F [v₁ v₂] (T × 2);
//! 3. s_t = sign(P_t1 − P_t2), 0 for a zero-variance row; C = s sᵀ (the Pearson correlation
//!    between rows of P, each a 2-vector);
//! 4. M = |fftshift(fft2(C))| with DC at (n/2, n/2) (integer division), n = T;
//! 5. index = Σ_{(i−n/2)²+(j−n/2)² ≤ 9} M² / Σ M² (29 bins including DC).
//!
//! index < 0.5 → limit cycle (LC, class 1), otherwise slow-point manifold (SP, class 2); a
//! NaN index (s ≡ 0) is SP.
//!
//! Two independent implementations of step 4–5 are provided: the literal 2-D FFT
//! ([`index_from_signs_fft2`], O(n² log n)) and the rank-one shortcut
//! ([`index_from_signs`]): since fft2(s sᵀ)_{kl} = S_k S_l with S = DFT(s),
//! index = Σ_{k_c²+l_c² ≤ 9} |S_k|²|S_l|² / (Σ_k |S_k|²)² with signed (fftshift-centred)
//! frequencies k_c. Production code uses the shortcut; tests assert that both agree.

#![allow(clippy::needless_range_loop)]

use nalgebra::{DMatrix, SymmetricEigen};
use rustfft::{num_complex::Complex, FftPlanner};

/// Radius² of the low-frequency disk around DC (docs/mechanism-index.md step 7).
pub const DISK_RADIUS2: i64 = 9;

pub use crate::outcome::{Mechanism, INDEX_THRESHOLD};

fn check_matrix(rates: &[f64], t: usize, n: usize) -> crate::Result<()> {
    if t == 0 || n < 2 {
        return Err(crate::Error::invalid(
            "rates",
            format!("need at least 1 time step and 2 units, got {t} x {n}"),
        ));
    }
    if rates.len() != t * n {
        return Err(crate::Error::invalid(
            "rates",
            format!(
                "has {} elements, expected {t} x {n} = {}",
                rates.len(),
                t * n
            ),
        ));
    }
    if let Some(i) = rates.iter().position(|x| !x.is_finite()) {
        return Err(crate::Error::invalid(
            "rates",
            format!("non-finite value at time {} unit {}", i / n, i % n),
        ));
    }
    Ok(())
}

/// Flip `v` in place so that its largest-|·| entry is positive (ties: lowest index), docs/mechanism-index.md
/// step 3.
pub fn apply_sign_convention(v: &mut [f64]) {
    let mut best = 0usize;
    for (i, x) in v.iter().enumerate() {
        if x.abs() > v[best].abs() {
            best = i;
        }
    }
    if v.get(best).is_some_and(|&x| x < 0.0) {
        v.iter_mut().for_each(|x| *x = -*x);
    }
}

/// Exact PCA of a (T × N) row-major rate matrix: the top two right singular vectors of the
/// column-centred matrix F_c (SVD), with the sign convention of [`apply_sign_convention`].
///
/// Returns `[v₁, v₂]` (each of length N, unit norm) and the two singular values σ₁ ≥ σ₂.
/// Errors on a malformed matrix (wrong length, non-finite entries, N < 2).
pub fn top2_pcs(rates: &[f64], t: usize, n: usize) -> crate::Result<([Vec<f64>; 2], [f64; 2])> {
    check_matrix(rates, t, n)?;
    let mut fc = DMatrix::from_row_slice(t, n, rates);
    for j in 0..n {
        let mean = fc.column(j).sum() / t as f64;
        fc.column_mut(j).add_scalar_mut(-mean);
    }
    let (vecs, vals) = if t >= n {
        // Right singular vectors of F_c from its thin SVD.
        let svd = fc.svd(false, true);
        let v_t = svd
            .v_t
            .ok_or_else(|| crate::Error::numerical("PCA", "SVD did not return V"))?;
        let sv = svd.singular_values;
        let mut order: Vec<usize> = (0..sv.len()).collect();
        order.sort_by(|&a, &b| sv[b].total_cmp(&sv[a]).then(a.cmp(&b)));
        let pick = |k: usize| -> (Vec<f64>, f64) {
            match order.get(k) {
                Some(&i) => (v_t.row(i).iter().copied().collect(), sv[i]),
                None => (vec![0.0; n], 0.0),
            }
        };
        let (a, sa) = pick(0);
        let (b, sb) = pick(1);
        ([a, b], [sa, sb])
    } else {
        // Fewer time points than units: the thin SVD of F_cᵀ gives V as its U factor.
        let svd = fc.transpose().svd(true, false);
        let u = svd
            .u
            .ok_or_else(|| crate::Error::numerical("PCA", "SVD did not return U"))?;
        let sv = svd.singular_values;
        let mut order: Vec<usize> = (0..sv.len()).collect();
        order.sort_by(|&a, &b| sv[b].total_cmp(&sv[a]).then(a.cmp(&b)));
        let pick = |k: usize| -> (Vec<f64>, f64) {
            match order.get(k) {
                Some(&i) => (u.column(i).iter().copied().collect(), sv[i]),
                None => (vec![0.0; n], 0.0),
            }
        };
        let (a, sa) = pick(0);
        let (b, sb) = pick(1);
        ([a, b], [sa, sb])
    };
    let [mut v1, mut v2] = vecs;
    apply_sign_convention(&mut v1);
    apply_sign_convention(&mut v2);
    Ok(([v1, v2], vals))
}

/// Top two principal axes from the symmetric eigen-decomposition of F_cᵀF_c (an independent
/// route to [`top2_pcs`], used for checks), same sign convention; returns the axes and the
/// two largest eigenvalues (= σ²).
pub fn top2_pcs_eigen(
    rates: &[f64],
    t: usize,
    n: usize,
) -> crate::Result<([Vec<f64>; 2], [f64; 2])> {
    check_matrix(rates, t, n)?;
    let mut fc = DMatrix::from_row_slice(t, n, rates);
    for j in 0..n {
        let mean = fc.column(j).sum() / t as f64;
        fc.column_mut(j).add_scalar_mut(-mean);
    }
    let g = fc.transpose() * &fc;
    let eig = SymmetricEigen::new(g);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
    let mut v1: Vec<f64> = eig.eigenvectors.column(order[0]).iter().copied().collect();
    let mut v2: Vec<f64> = eig.eigenvectors.column(order[1]).iter().copied().collect();
    apply_sign_convention(&mut v1);
    apply_sign_convention(&mut v2);
    Ok((
        [v1, v2],
        [eig.eigenvalues[order[0]], eig.eigenvalues[order[1]]],
    ))
}

/// Projection of the uncentred rates on two axes: P = F [v₁ v₂], returned as T pairs.
pub fn project2(rates: &[f64], t: usize, n: usize, axes: &[Vec<f64>; 2]) -> Vec<[f64; 2]> {
    (0..t)
        .map(|i| {
            let row = &rates[i * n..(i + 1) * n];
            let p = |v: &[f64]| row.iter().zip(v).map(|(a, b)| a * b).sum::<f64>();
            [p(&axes[0]), p(&axes[1])]
        })
        .collect()
}

/// The sign sequence s_t = sign(P_t1 − P_t2) of a projection (0 when P_t1 = P_t2, i.e. a
/// zero-variance row), docs/mechanism-index.md step 5.
pub fn signs_of_projection(p: &[[f64; 2]]) -> Vec<f64> {
    p.iter()
        .map(|q| {
            let d = q[0] - q[1];
            if d > 0.0 {
                1.0
            } else if d < 0.0 {
                -1.0
            } else {
                0.0
            }
        })
        .collect()
}

/// Signed (fftshift-centred) frequency of DFT bin `k` of a length-`n` transform: the shifted
/// position of bin k is (k + n/2) mod n and its centred frequency is that minus n/2.
pub fn centred_frequency(k: usize, n: usize) -> i64 {
    let shifted = (k + n / 2) % n;
    shifted as i64 - (n / 2) as i64
}

/// Rank-one shortcut of the index (docs/mechanism-index.md): with S = DFT(s),
/// index = Σ_{k_c²+l_c² ≤ 9} |S_k|²|S_l|² / (Σ_k |S_k|²)². NaN if Σ|S|² = 0 (s ≡ 0) or s is empty.
pub fn index_from_signs(s: &[f64]) -> f64 {
    let n = s.len();
    if n == 0 {
        return f64::NAN;
    }
    let mut buf: Vec<Complex<f64>> = s.iter().map(|&x| Complex::new(x, 0.0)).collect();
    FftPlanner::new().plan_fft_forward(n).process(&mut buf);
    let pow: Vec<f64> = buf.iter().map(|c| c.norm_sqr()).collect();
    let total: f64 = pow.iter().sum();
    if total == 0.0 {
        return f64::NAN;
    }
    // Only bins with |k_c| ≤ 3 can enter the disk.
    let low: Vec<(i64, f64)> = (0..n)
        .map(|k| (centred_frequency(k, n), pow[k]))
        .filter(|(kc, _)| kc * kc <= DISK_RADIUS2)
        .collect();
    let mut inside = 0.0;
    for &(kc, pk) in &low {
        for &(lc, pl) in &low {
            if kc * kc + lc * lc <= DISK_RADIUS2 {
                inside += pk * pl;
            }
        }
    }
    inside / (total * total)
}

/// The literal 2-D path of docs/mechanism-index.md steps 5–7: C = s sᵀ, M = |fftshift(fft2(C))|,
/// index = Σ_disk M² / Σ M² with the disk (i−n/2)² + (j−n/2)² ≤ 9. NaN if Σ M² = 0.
/// O(n² log n) time and O(n²) memory; kept as an independent check of [`index_from_signs`].
pub fn index_from_signs_fft2(s: &[f64]) -> f64 {
    let n = s.len();
    if n == 0 {
        return f64::NAN;
    }
    let mut planner = FftPlanner::new();
    let fft = planner.plan_fft_forward(n);
    // C row-major.
    let mut c: Vec<Complex<f64>> = Vec::with_capacity(n * n);
    for i in 0..n {
        for j in 0..n {
            c.push(Complex::new(s[i] * s[j], 0.0));
        }
    }
    // Rows.
    for row in c.chunks_exact_mut(n) {
        fft.process(row);
    }
    // Columns.
    let mut col = vec![Complex::new(0.0, 0.0); n];
    for j in 0..n {
        for i in 0..n {
            col[i] = c[i * n + j];
        }
        fft.process(&mut col);
        for i in 0..n {
            c[i * n + j] = col[i];
        }
    }
    // fftshift: out[i] = in[(i + n − n/2) mod n]; DC lands at n/2.
    let h = n / 2;
    let src = |i: usize| (i + n - h) % n;
    let mut total = 0.0;
    let mut inside = 0.0;
    for i in 0..n {
        for j in 0..n {
            let m2 = c[src(i) * n + src(j)].norm_sqr();
            total += m2;
            let di = i as i64 - h as i64;
            let dj = j as i64 - h as i64;
            if di * di + dj * dj <= DISK_RADIUS2 {
                inside += m2;
            }
        }
    }
    if total == 0.0 {
        f64::NAN
    } else {
        inside / total
    }
}

/// Everything the spectral classifier computes for one rate matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct SpectralResult {
    /// The discrimination index in [0, 1] (NaN if s ≡ 0).
    pub index: f64,
    /// LC if index < 0.5, else SP.
    pub label: Mechanism,
    /// The sign sequence s_t (length T).
    pub signs: Vec<f64>,
    /// The two principal axes (length N each), sign-normalised.
    pub axes: [Vec<f64>; 2],
    /// The uncentred projection P (T × 2).
    pub projection: Vec<[f64; 2]>,
}

/// The full spectral classifier of docs/mechanism-index.md steps 3–8 on a (T × N) row-major rate matrix,
/// using the rank-one shortcut. Errors on malformed input.
pub fn mechanism_index(rates: &[f64], t: usize, n: usize) -> crate::Result<SpectralResult> {
    let (axes, _) = top2_pcs(rates, t, n)?;
    let projection = project2(rates, t, n, &axes);
    let signs = signs_of_projection(&projection);
    let index = index_from_signs(&signs);
    Ok(SpectralResult {
        index,
        label: Mechanism::from_index(index),
        signs,
        axes,
        projection,
    })
}
