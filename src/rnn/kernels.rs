//! The trainer's kernel paths and single-precision GEMM, bit-identical on every CPU.
//!
//! Three paths compute the same numbers: [`Kernel::Avx512`] (AVX-512F + FMA, hand-written
//! 16-lane tiles), [`Kernel::Avx2`] (AVX2 + FMA) and [`Kernel::Portable`] (plain Rust with
//! `f32::mul_add`, no `target_feature`). They can agree bit for bit because every result is
//! fixed by its operation sequence, not by the vector width:
//!
//! * **GEMM** ([`sgemm_nn`], C ← A·B (+ C)): output element (i, j) is
//!   `acc = 0; acc = fma(A(i, p), B(p, j), acc) for p = 0, 1, …, k−1` and then `C = acc` or
//!   `C = C + acc`. Each element is one chain of fused multiply-adds in ascending p; tiles
//!   only decide which elements are computed together.
//! * **Element-wise functions** (`tanh`, the logistic sigmoid, the normal transform of the
//!   noise) are polynomials and rational expressions in +, ×, fused multiply-add, exact
//!   division and square root, written once (see [`crate::rnn::float`], [`crate::rnn::rng`])
//!   and compiled for each path with `multiversion!`: the same source under
//!   `target_feature(avx512f)`, `target_feature(avx2, fma)` or none. Rust never contracts
//!   `a·b + c` into an FMA nor reassociates sums, so only the vector width differs.
//! * **Reductions** (dot products, loss, gradient norms) have a fixed order in the source.
//!
//! The path is chosen once per process from the environment variable `DYNPHASE_KERNEL`
//! (`avx512`, `avx2`, `portable`; unset or `auto`: the fastest this CPU runs), or by
//! [`set_kernel`]; [`with_kernel`] overrides it on one thread. [`active`] reports a bad
//! value of the variable as an error; the command-line tool checks it before any work.
//! The cross-path identity is tested by training full-rank and rank-2 networks under every
//! path this CPU supports and comparing histories and parameters byte for byte
//! (`tests/rnn_kernels.rs`).

use std::cell::Cell;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

/// A kernel path of the trainer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kernel {
    /// AVX-512F with FMA (16 lanes).
    Avx512,
    /// AVX2 with FMA (8 lanes).
    Avx2,
    /// Plain Rust (`f32::mul_add`), any CPU.
    Portable,
}

impl Kernel {
    /// Every path, fastest first.
    pub const ALL: [Kernel; 3] = [Kernel::Avx512, Kernel::Avx2, Kernel::Portable];

    /// The name used by `DYNPHASE_KERNEL` and in sweep manifests.
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Avx512 => "avx512",
            Kernel::Avx2 => "avx2",
            Kernel::Portable => "portable",
        }
    }

    /// Parse a name (`avx512`, `avx2`, `portable`).
    pub fn parse(name: &str) -> crate::Result<Kernel> {
        Kernel::ALL
            .into_iter()
            .find(|k| k.name() == name)
            .ok_or_else(|| crate::Error::Unknown {
                kind: "DYNPHASE_KERNEL path".into(),
                name: name.into(),
                expected: "avx512, avx2, portable, auto".into(),
            })
    }

    /// True if this CPU can run the path.
    pub fn is_supported(self) -> bool {
        match self {
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => {
                std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => {
                std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            Kernel::Portable => true,
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }

    /// The fastest path this CPU runs.
    pub fn detect() -> Kernel {
        Kernel::ALL
            .into_iter()
            .find(|k| k.is_supported())
            .unwrap_or(Kernel::Portable)
    }

    /// The paths this CPU runs, fastest first.
    pub fn supported_paths() -> Vec<Kernel> {
        Kernel::ALL
            .into_iter()
            .filter(|k| k.is_supported())
            .collect()
    }

    fn code(self) -> u8 {
        match self {
            Kernel::Avx512 => 1,
            Kernel::Avx2 => 2,
            Kernel::Portable => 3,
        }
    }

    fn from_code(c: u8) -> Option<Kernel> {
        Kernel::ALL.into_iter().find(|k| k.code() == c)
    }

    fn checked(self) -> crate::Result<Kernel> {
        if self.is_supported() {
            Ok(self)
        } else {
            Err(crate::Error::invalid(
                "DYNPHASE_KERNEL",
                format!(
                    "this CPU cannot run the {} path (it runs: {})",
                    self.name(),
                    Kernel::supported_paths()
                        .iter()
                        .map(|k| k.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ))
        }
    }
}

impl std::fmt::Display for Kernel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The process-wide path set by [`set_kernel`] (0: none).
static GLOBAL: AtomicU8 = AtomicU8::new(0);

thread_local! {
    static LOCAL: Cell<u8> = const { Cell::new(0) };
}

/// The path requested by `DYNPHASE_KERNEL` (unset, empty or `auto`: [`Kernel::detect`]).
pub fn from_env() -> crate::Result<Kernel> {
    static ENV: OnceLock<Result<Kernel, (String, bool)>> = OnceLock::new();
    let r = ENV.get_or_init(|| match std::env::var("DYNPHASE_KERNEL") {
        Err(_) => Ok(Kernel::detect()),
        Ok(v) if v.is_empty() || v == "auto" => Ok(Kernel::detect()),
        Ok(v) => match Kernel::parse(&v) {
            Err(_) => Err((v, false)),
            Ok(k) => k.checked().map_err(|_| (v, true)),
        },
    });
    match r {
        Ok(k) => Ok(*k),
        Err((v, false)) => Kernel::parse(v),
        Err((v, true)) => Kernel::parse(v)?.checked(),
    }
}

/// The path in use on this thread: [`with_kernel`]'s, else [`set_kernel`]'s, else
/// `DYNPHASE_KERNEL`'s; an invalid `DYNPHASE_KERNEL` is an error.
pub fn active() -> crate::Result<Kernel> {
    if let Some(k) = Kernel::from_code(LOCAL.with(|c| c.get())) {
        return Ok(k);
    }
    if let Some(k) = Kernel::from_code(GLOBAL.load(Ordering::Relaxed)) {
        return Ok(k);
    }
    from_env()
}

/// The path in use on this thread ([`active`], or [`Kernel::detect`] if `DYNPHASE_KERNEL`
/// is invalid: every path gives the same numbers, so only the speed can differ; the
/// trainers' constructors and the command-line tool report the invalid value instead).
#[inline]
pub fn current() -> Kernel {
    active().unwrap_or_else(|_| Kernel::detect())
}

/// Use `kernel` in the whole process from now on; an error if this CPU cannot run it.
pub fn set_kernel(kernel: Kernel) -> crate::Result<()> {
    GLOBAL.store(kernel.checked()?.code(), Ordering::Relaxed);
    Ok(())
}

/// Run `f` with `kernel` on the current thread (nested calls restore the previous path);
/// an error if this CPU cannot run it.
pub fn with_kernel<R>(kernel: Kernel, f: impl FnOnce() -> R) -> crate::Result<R> {
    let code = kernel.checked()?.code();
    struct Restore(u8);
    impl Drop for Restore {
        fn drop(&mut self) {
            LOCAL.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(LOCAL.with(|c| c.replace(code)));
    Ok(f())
}

/// Define `fn name(kernel: Kernel, args…)` that runs `body` compiled for the given path:
/// under `target_feature(avx512f, avx2, fma)`, `target_feature(avx2, fma)` or plain. The
/// body must be the same arithmetic on every path (see the module docs); `kernel` must be
/// one this CPU supports (as returned by [`current`]).
macro_rules! multiversion {
    ($(#[$meta:meta])* $vis:vis fn $name:ident $(<$($g:ident : $bound:path),*>)?
        ($($arg:ident : $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block) => {
        $(#[$meta])*
        $vis fn $name $(<$($g: $bound),*>)? (
            kernel: $crate::rnn::kernels::Kernel, $($arg: $ty),*
        ) $(-> $ret)? {
            #[inline(always)]
            fn imp $(<$($g: $bound),*>)? ($($arg: $ty),*) $(-> $ret)? $body
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f,avx2,fma")]
            unsafe fn v512 $(<$($g: $bound),*>)? ($($arg: $ty),*) $(-> $ret)? {
                imp($($arg),*)
            }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            unsafe fn v256 $(<$($g: $bound),*>)? ($($arg: $ty),*) $(-> $ret)? {
                imp($($arg),*)
            }
            debug_assert!(kernel.is_supported());
            match kernel {
                // SAFETY: `kernel` is supported by this CPU (the macro's contract).
                #[cfg(target_arch = "x86_64")]
                $crate::rnn::kernels::Kernel::Avx512 => unsafe { v512($($arg),*) },
                // SAFETY: as above.
                #[cfg(target_arch = "x86_64")]
                $crate::rnn::kernels::Kernel::Avx2 => unsafe { v256($($arg),*) },
                _ => imp($($arg),*),
            }
        }
    };
}
pub(crate) use multiversion;

/// C (m×n, row stride ldc) ← A·B (+ C if `accumulate`), with A(i, k) at
/// `a[i·rsa + k·csa]` and B(k, j) at `b[k·ldb + j]`, on the current path. Element (i, j)
/// is the FMA chain of the module docs.
///
/// Used per time step for R_t W_recᵀ (forward) and E_t W_rec (backward), and over all
/// (trial, step) rows for the weight gradients Eᵀ R, Gᵀ R (A transposed through its
/// strides). No packing: B rows are read in place, A entries are broadcast.
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
    sgemm_nn_with(current(), m, n, k, a, rsa, csa, b, ldb, c, ldc, accumulate)
}

/// [`sgemm_nn`] on an explicit path.
///
/// # Safety
/// As [`sgemm_nn`]; `kernel` must be supported by this CPU ([`Kernel::is_supported`]).
#[allow(clippy::too_many_arguments)]
pub unsafe fn sgemm_nn_with(
    kernel: Kernel,
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
    if m == 0 || n == 0 {
        return;
    }
    let g = GemmArgs {
        m,
        n,
        k,
        a,
        rsa,
        csa,
        b,
        ldb,
        c,
        ldc,
        accumulate,
    };
    match kernel {
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx512 => nn_avx512(m, n, k, a, rsa, csa, b, ldb, c, ldc, accumulate),
        _ => nn_generic(kernel, &g),
    }
}

/// The operands of one [`sgemm_nn`] call.
struct GemmArgs {
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
}

/// Rows and columns of the generic tile.
const G_MR: usize = 4;
const G_NC: usize = 16;

multiversion! {
    /// The AVX2 and portable GEMM: G_MR × G_NC tiles of FMA chains (padding lanes compute
    /// on zeros and are discarded; rows past m re-read row m−1 and are discarded).
    fn nn_generic(g: &GemmArgs) {
        // SAFETY: the caller of `sgemm_nn_with` guarantees the bounds of every indexed
        // element; padding lanes and rows are never read from or written to memory.
        unsafe {
            let mut j0 = 0;
            while j0 < g.n {
                let w = (g.n - j0).min(G_NC);
                let mut i0 = 0;
                while i0 < g.m {
                    let mr = (g.m - i0).min(G_MR);
                    let mut acc = [[0f32; G_NC]; G_MR];
                    for p in 0..g.k {
                        let brow = g.b.add(p * g.ldb + j0);
                        let mut bv = [0f32; G_NC];
                        for (l, v) in bv.iter_mut().enumerate().take(w) {
                            *v = *brow.add(l);
                        }
                        for (r, accr) in acc.iter_mut().enumerate() {
                            let av = *g.a.add((i0 + r.min(mr - 1)) * g.rsa + p * g.csa);
                            for (x, &bl) in accr.iter_mut().zip(&bv) {
                                *x = av.mul_add(bl, *x);
                            }
                        }
                    }
                    for (r, accr) in acc.iter().enumerate().take(mr) {
                        let crow = g.c.add((i0 + r) * g.ldc + j0);
                        for (l, &x) in accr.iter().enumerate().take(w) {
                            let dst = crow.add(l);
                            *dst = if g.accumulate { *dst + x } else { x };
                        }
                    }
                    i0 += G_MR;
                }
                j0 += G_NC;
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(state: &mut u64) -> f32 {
        *state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((*state >> 40) as f32 / (1u64 << 24) as f32) - 0.5
    }

    /// The FMA chain of one element, written out (the definition every path must meet).
    fn chain(k: usize, a: impl Fn(usize) -> f32, b: impl Fn(usize) -> f32) -> f32 {
        (0..k).fold(0f32, |acc, p| a(p).mul_add(b(p), acc))
    }

    #[test]
    fn every_path_computes_the_fma_chain_bit_for_bit() {
        let mut st = 1u64;
        let paths = Kernel::supported_paths();
        for &(m, n, k, transposed) in &[
            (128, 100, 100, false),
            (5, 4, 7, false),
            (7, 65, 3, false),
            (13, 200, 33, false),
            (1, 1, 1, false),
            (3, 2, 0, false),
            (100, 100, 512, true),
            (2, 100, 600, true),
            (5, 17, 9, true),
        ] {
            let (rsa, csa) = if transposed { (1, m + 3) } else { (k + 3, 1) };
            let a: Vec<f32> = (0..(m + 3) * (k + 3)).map(|_| lcg(&mut st)).collect();
            let ldb = n + 5;
            let b: Vec<f32> = (0..k.max(1) * ldb).map(|_| lcg(&mut st)).collect();
            let ldc = n + 2;
            let c0: Vec<f32> = (0..m * ldc).map(|_| lcg(&mut st)).collect();
            for acc in [false, true] {
                let mut want = c0.clone();
                for i in 0..m {
                    for j in 0..n {
                        let x = chain(k, |p| a[i * rsa + p * csa], |p| b[p * ldb + j]);
                        let w = &mut want[i * ldc + j];
                        *w = if acc { *w + x } else { x };
                    }
                }
                for &path in &paths {
                    let mut c = c0.clone();
                    // SAFETY: the buffers cover every indexed element; the path is supported.
                    unsafe {
                        sgemm_nn_with(
                            path,
                            m,
                            n,
                            k,
                            a.as_ptr(),
                            rsa,
                            csa,
                            b.as_ptr(),
                            ldb,
                            c.as_mut_ptr(),
                            ldc,
                            acc,
                        )
                    };
                    let same = c.iter().zip(&want).all(|(x, y)| x.to_bits() == y.to_bits());
                    assert!(same, "{path} {m}x{n}x{k} transposed={transposed} acc={acc}");
                    // Against f64: the chain is a sum of k rounded terms.
                    for i in 0..m {
                        for j in 0..n {
                            let exact: f64 = (0..k)
                                .map(|p| a[i * rsa + p * csa] as f64 * b[p * ldb + j] as f64)
                                .sum::<f64>()
                                + if acc { c0[i * ldc + j] as f64 } else { 0.0 };
                            let err = (c[i * ldc + j] as f64 - exact).abs();
                            assert!(err < 1e-5 * (k as f64).sqrt().max(1.0), "{path}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn kernel_names_parse_and_unsupported_paths_are_errors() {
        for k in Kernel::ALL {
            assert_eq!(Kernel::parse(k.name()).unwrap(), k);
        }
        let e = Kernel::parse("sse9").unwrap_err().to_string();
        assert!(e.contains("sse9") && e.contains("portable"), "{e}");
        assert!(Kernel::Portable.is_supported());
        assert!(Kernel::detect().is_supported());
        for k in Kernel::ALL {
            let r = with_kernel(k, current);
            match r {
                Ok(got) => assert!(k.is_supported() && got == k),
                Err(e) => {
                    assert!(!k.is_supported());
                    assert!(e.to_string().contains(k.name()));
                }
            }
        }
        // Nested overrides restore the outer path.
        with_kernel(Kernel::Portable, || {
            let _ = with_kernel(Kernel::detect(), || ());
            assert_eq!(current(), Kernel::Portable);
        })
        .unwrap();
    }
}
