//! Hand-written single-precision GEMM kernels for the trainer's two shapes (AVX-512F), with
//! a portable fallback through `matrixmultiply`.
//!
//! * [`sgemm_nn`]: C (m×n) ← A (m×k, any strides) · B (k×n, rows contiguous) (+ C). Used per
//!   time step for W_rec R_t (forward) and W_recᵀ E_t (backward); no packing: B rows are read
//!   in place, A entries are broadcast.
//! * [`sgemm_nt`]: C (m×n) ← A (m×k) · Bᵀ with B stored n×k (both k-contiguous) (+ C). Used
//!   for ∂W_rec = E Rᵀ and ∂W_out = G Rᵀ over all (trial, step) columns; a 4×6 block of dot
//!   products with 16-lane partial sums.
//!
//! Results are deterministic for given inputs (fixed summation order, no threads).

/// C (m×n, row stride ldc) ← A·B (+ C if `accumulate`), with A(i, k) at
/// `a[i·rsa + k·csa]` and B(k, j) at `b[k·ldb + j]`.
///
/// # Safety
/// All indexed elements must be in bounds of the pointed-to buffers; C must not overlap A, B.
#[allow(clippy::too_many_arguments)]
pub unsafe fn sgemm_nn(
    m: usize,
    n: usize,
    k: usize,
    a: *const f32,
    rsa: usize,
    csa: usize,
    b: *const f32,
    ldb: usize,
    c: *mut f32,
    ldc: usize,
    accumulate: bool,
) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") && m > 0 && n > 0 {
            return nn_avx512(m, n, k, a, rsa, csa, b, ldb, c, ldc, accumulate);
        }
    }
    matrixmultiply::sgemm(
        m,
        k,
        n,
        1.0,
        a,
        rsa as isize,
        csa as isize,
        b,
        ldb as isize,
        1,
        if accumulate { 1.0 } else { 0.0 },
        c,
        ldc as isize,
        1,
    );
}

/// C (m×n, row stride ldc) ← A·Bᵀ (+ C if `accumulate`), with A(i, p) at `a[i·lda + p]` and
/// B(j, p) at `b[j·ldb + p]`, p < k.
///
/// # Safety
/// As [`sgemm_nn`].
#[allow(clippy::too_many_arguments)]
pub unsafe fn sgemm_nt(
    m: usize,
    n: usize,
    k: usize,
    a: *const f32,
    lda: usize,
    b: *const f32,
    ldb: usize,
    c: *mut f32,
    ldc: usize,
    accumulate: bool,
) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") && m > 0 && n > 0 {
            return nt_avx512(m, n, k, a, lda, b, ldb, c, ldc, accumulate);
        }
    }
    matrixmultiply::sgemm(
        m,
        k,
        n,
        1.0,
        a,
        lda as isize,
        1,
        b,
        1,
        ldb as isize,
        if accumulate { 1.0 } else { 0.0 },
        c,
        ldc as isize,
        1,
    );
}

#[cfg(target_arch = "x86_64")]
const NN_MR: usize = 6;

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[allow(clippy::too_many_arguments)]
unsafe fn nn_avx512(
    m: usize,
    n: usize,
    k: usize,
    a: *const f32,
    rsa: usize,
    csa: usize,
    b: *const f32,
    ldb: usize,
    c: *mut f32,
    ldc: usize,
    accumulate: bool,
) {
    use std::arch::x86_64::*;
    let mut j0 = 0;
    while j0 < n {
        // Up to 64 columns = NV ≤ 4 vectors, the last one masked.
        let w = (n - j0).min(64);
        let nv = w.div_ceil(16);
        let mut masks = [0 as __mmask16; 4];
        for (q, mk) in masks.iter_mut().enumerate() {
            let lanes = w.saturating_sub(16 * q).min(16);
            *mk = if lanes == 16 {
                0xffff
            } else {
                ((1u32 << lanes) - 1) as u16
            };
        }
        let mut i0 = 0;
        while i0 < m {
            let mr = (m - i0).min(NN_MR);
            // Rows past m re-read row m−1 (results discarded).
            let mut arow = [a; NN_MR];
            for (r, p) in arow.iter_mut().enumerate() {
                *p = a.add((i0 + r.min(mr - 1)) * rsa);
            }
            let bj = b.add(j0);
            let cij = c.add(i0 * ldc + j0);
            match nv {
                4 => nn_tile::<4>(k, &arow, csa, bj, ldb, &masks, cij, ldc, mr, accumulate),
                3 => nn_tile::<3>(k, &arow, csa, bj, ldb, &masks, cij, ldc, mr, accumulate),
                2 => nn_tile::<2>(k, &arow, csa, bj, ldb, &masks, cij, ldc, mr, accumulate),
                _ => nn_tile::<1>(k, &arow, csa, bj, ldb, &masks, cij, ldc, mr, accumulate),
            }
            i0 += NN_MR;
        }
        j0 += 64;
    }
}

/// One NN_MR × (16·NV) tile: acc = Σ_p A(r, p) B(p, ·), then stored (or added) into C.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[inline]
#[allow(clippy::too_many_arguments)]
unsafe fn nn_tile<const NV: usize>(
    k: usize,
    arow: &[*const f32; NN_MR],
    csa: usize,
    b: *const f32,
    ldb: usize,
    masks: &[std::arch::x86_64::__mmask16; 4],
    c: *mut f32,
    ldc: usize,
    mr: usize,
    accumulate: bool,
) {
    use std::arch::x86_64::*;
    let mut acc = [[_mm512_setzero_ps(); NV]; NN_MR];
    for p in 0..k {
        let brow = b.add(p * ldb);
        let mut bv = [_mm512_setzero_ps(); NV];
        for q in 0..NV {
            bv[q] = _mm512_maskz_loadu_ps(masks[q], brow.add(16 * q));
        }
        for r in 0..NN_MR {
            let av = _mm512_set1_ps(*arow[r].add(p * csa));
            for q in 0..NV {
                acc[r][q] = _mm512_fmadd_ps(av, bv[q], acc[r][q]);
            }
        }
    }
    for (r, accr) in acc.iter().enumerate().take(mr) {
        let crow = c.add(r * ldc);
        for q in 0..NV {
            let dst = crow.add(16 * q);
            let v = if accumulate {
                _mm512_add_ps(_mm512_maskz_loadu_ps(masks[q], dst), accr[q])
            } else {
                accr[q]
            };
            _mm512_mask_storeu_ps(dst, masks[q], v);
        }
    }
}

#[cfg(target_arch = "x86_64")]
const NT_MR: usize = 4;
#[cfg(target_arch = "x86_64")]
const NT_NR: usize = 6;
#[cfg(target_arch = "x86_64")]
const NT_KC: usize = 1024;

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[allow(clippy::too_many_arguments)]
unsafe fn nt_avx512(
    m: usize,
    n: usize,
    k: usize,
    a: *const f32,
    lda: usize,
    b: *const f32,
    ldb: usize,
    c: *mut f32,
    ldc: usize,
    accumulate: bool,
) {
    use std::arch::x86_64::*;
    let mut p0 = 0;
    let mut first = true;
    loop {
        let kc = (k - p0).min(NT_KC);
        let mut i0 = 0;
        while i0 < m {
            let mr = (m - i0).min(NT_MR);
            let mut arow = [a; NT_MR];
            for (r, p) in arow.iter_mut().enumerate() {
                *p = a.add((i0 + r.min(mr - 1)) * lda + p0);
            }
            let mut j0 = 0;
            while j0 < n {
                let nr = (n - j0).min(NT_NR);
                let mut brow = [b; NT_NR];
                for (s, p) in brow.iter_mut().enumerate() {
                    *p = b.add((j0 + s.min(nr - 1)) * ldb + p0);
                }
                let mut acc = [[_mm512_setzero_ps(); NT_NR]; NT_MR];
                let mut p = 0;
                while p < kc {
                    let lanes = (kc - p).min(16);
                    let mk: __mmask16 = if lanes == 16 {
                        0xffff
                    } else {
                        ((1u32 << lanes) - 1) as u16
                    };
                    let mut av = [_mm512_setzero_ps(); NT_MR];
                    for r in 0..NT_MR {
                        av[r] = _mm512_maskz_loadu_ps(mk, arow[r].add(p));
                    }
                    for s in 0..NT_NR {
                        let bv = _mm512_maskz_loadu_ps(mk, brow[s].add(p));
                        for r in 0..NT_MR {
                            acc[r][s] = _mm512_fmadd_ps(av[r], bv, acc[r][s]);
                        }
                    }
                    p += 16;
                }
                for (r, accr) in acc.iter().enumerate().take(mr) {
                    for (s, v) in accr.iter().enumerate().take(nr) {
                        let dst = c.add((i0 + r) * ldc + j0 + s);
                        let sum = _mm512_reduce_add_ps(*v);
                        *dst = if first && !accumulate {
                            sum
                        } else {
                            *dst + sum
                        };
                    }
                }
                j0 += NT_NR;
            }
            i0 += NT_MR;
        }
        first = false;
        p0 += kc;
        if p0 >= k {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(state: &mut u64) -> f32 {
        *state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((*state >> 40) as f32 / (1u64 << 24) as f32) - 0.5
    }

    #[allow(clippy::too_many_arguments)]
    fn reference_nn(
        m: usize,
        n: usize,
        k: usize,
        a: &[f32],
        rsa: usize,
        csa: usize,
        b: &[f32],
        ldb: usize,
    ) -> Vec<f64> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k)
                    .map(|p| a[i * rsa + p * csa] as f64 * b[p * ldb + j] as f64)
                    .sum();
            }
        }
        c
    }

    #[test]
    fn nn_and_nt_match_f64_reference_on_edge_shapes() {
        let mut st = 1u64;
        for &(m, n, k) in &[
            (100, 128, 100),
            (5, 4, 7),
            (7, 65, 3),
            (13, 200, 33),
            (1, 1, 1),
        ] {
            let lda = k + 3;
            let a: Vec<f32> = (0..m * lda).map(|_| lcg(&mut st)).collect();
            let ldb = n + 5;
            let b: Vec<f32> = (0..k * ldb).map(|_| lcg(&mut st)).collect();
            let ldc = n + 2;
            let c0: Vec<f32> = (0..m * ldc).map(|_| lcg(&mut st)).collect();
            for acc in [false, true] {
                let mut c = c0.clone();
                unsafe {
                    sgemm_nn(
                        m,
                        n,
                        k,
                        a.as_ptr(),
                        lda,
                        1,
                        b.as_ptr(),
                        ldb,
                        c.as_mut_ptr(),
                        ldc,
                        acc,
                    )
                };
                let r = reference_nn(m, n, k, &a, lda, 1, &b, ldb);
                for i in 0..m {
                    for j in 0..n {
                        let want = r[i * n + j] + if acc { c0[i * ldc + j] as f64 } else { 0.0 };
                        assert!(
                            (c[i * ldc + j] as f64 - want).abs() < 1e-5 * (k as f64).sqrt(),
                            "nn {m}x{n}x{k}"
                        );
                    }
                    // Padding columns untouched.
                    for j in n..ldc {
                        assert_eq!(c[i * ldc + j], c0[i * ldc + j]);
                    }
                }
            }
            // Transposed A (strides (1, m)): A(i, p) = at[p·m + i].
            let at: Vec<f32> = (0..k * m).map(|_| lcg(&mut st)).collect();
            let mut c = vec![0f32; m * ldc];
            unsafe {
                sgemm_nn(
                    m,
                    n,
                    k,
                    at.as_ptr(),
                    1,
                    m,
                    b.as_ptr(),
                    ldb,
                    c.as_mut_ptr(),
                    ldc,
                    false,
                )
            };
            let r = reference_nn(m, n, k, &at, 1, m, &b, ldb);
            for i in 0..m {
                for j in 0..n {
                    assert!(
                        (c[i * ldc + j] as f64 - r[i * n + j]).abs() < 1e-5 * (k as f64).sqrt()
                    );
                }
            }
        }
        for &(m, n, k) in &[(100, 100, 7168), (2, 100, 600), (5, 7, 17), (3, 1, 1030)] {
            let lda = k + 9;
            let a: Vec<f32> = (0..m * lda).map(|_| lcg(&mut st)).collect();
            let ldb = k + 4;
            let b: Vec<f32> = (0..n * ldb).map(|_| lcg(&mut st)).collect();
            let c0: Vec<f32> = (0..m * n).map(|_| lcg(&mut st)).collect();
            for acc in [false, true] {
                let mut c = c0.clone();
                unsafe {
                    sgemm_nt(
                        m,
                        n,
                        k,
                        a.as_ptr(),
                        lda,
                        b.as_ptr(),
                        ldb,
                        c.as_mut_ptr(),
                        n,
                        acc,
                    )
                };
                for i in 0..m {
                    for j in 0..n {
                        let want: f64 = (0..k)
                            .map(|p| a[i * lda + p] as f64 * b[j * ldb + p] as f64)
                            .sum::<f64>()
                            + if acc { c0[i * n + j] as f64 } else { 0.0 };
                        assert!(
                            (c[i * n + j] as f64 - want).abs() < 1e-5 * (k as f64).sqrt(),
                            "nt {m}x{n}x{k}"
                        );
                    }
                }
            }
        }
    }
}
