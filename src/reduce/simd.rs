//! Runtime choice of the widest vector instructions for the hot loops.
//!
//! The kernels are written over fixed lanes in plain Rust; compiled for the
//! baseline target they use SSE2 (x86-64) or SIMD128 (wasm with
//! `+simd128`). On x86-64 CPUs with AVX2 the same code compiled with AVX2
//! runs about twice as fast. The choice never changes a result.

/// Runs `f` compiled for AVX2 when the CPU has it (x86-64 only), else as
/// compiled for the baseline target; `f` learns which through its argument so
/// it can choose tile sizes. The results are identical either way: Rust never
/// fuses a multiply and an add on its own, and the kernels fix the order of
/// every addition. `f` and what it calls must be `#[inline(always)]` for the
/// wider instructions to reach them.
#[inline(always)]
pub fn with_best_simd<R>(f: impl FnOnce(bool) -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx2")]
        fn avx2<R>(f: impl FnOnce(bool) -> R) -> R {
            f(true)
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked on the line above.
            return unsafe { avx2(f) };
        }
    }
    f(false)
}
