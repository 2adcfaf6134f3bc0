//! The reducers on arbitrary small matrices (any f32 bit pattern: NaN,
//! infinities, values near f32's limits) and parameters, with short runs:
//! never a panic, and every map they return is finite and N x dim.
#![no_main]

use crystal_atlas::parallel::Threads;
use crystal_atlas::reduce::tsne::{TsneParams, tsne};
use crystal_atlas::reduce::umap::{UmapParams, umap};
use crystal_atlas::reduce::{Silent, pca};
use libfuzzer_sys::fuzz_target;
use ndarray::Array2;

/// Reads the fuzzer's bytes front to back, zeros once they run out.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        let (first, rest) = self.0.split_first().map_or((0, &[][..]), |(f, r)| (*f, r));
        self.0 = rest;
        first
    }

    fn f32(&mut self) -> f32 {
        f32::from_le_bytes([self.byte(), self.byte(), self.byte(), self.byte()])
    }
}

fuzz_target!(|data: &[u8]| {
    let mut bytes = Bytes(data);
    let method = bytes.byte() % 3;
    let rows = 1 + bytes.byte() as usize % 48;
    let cols = 1 + bytes.byte() as usize % 6;
    let threads = Threads::new(1 + bytes.byte() as usize % 3).unwrap();
    // A few parameters as raw floats (any value), the rest from bytes.
    let (p1, p2, p3) = (bytes.f32(), bytes.f32(), bytes.f32());
    let (b1, b2) = (bytes.byte() as usize, bytes.byte() as usize);
    // The matrix: raw floats, or small integers scaled by a raw float, so
    // that both wild values and structured data come up.
    let scale = bytes.f32();
    let raw = bytes.byte() % 2 == 0;
    let x = Array2::from_shape_fn((rows, cols), |_| {
        if raw {
            bytes.f32()
        } else {
            (bytes.byte() as i8) as f32 * scale
        }
    });
    let (map, dim) = match method {
        0 => {
            let dim = 1 + b1 % 3;
            (pca::pca_on(&crystal_atlas::parallel::Pool::new(threads), x.view(), dim).map(|p| p.coords), dim)
        }
        1 => {
            let params = TsneParams {
                perplexity: p1,
                early_exaggeration: if b2 % 2 == 0 { 12.0 } else { p2 },
                learning_rate: (b2 % 3 == 0).then_some(p3),
                n_iter: b1 % 60,
                early_exaggeration_iter: b1 % 25,
                snapshot_every: 0,
                threads,
                ..TsneParams::default()
            };
            (tsne(x.view(), &params, &mut Silent), 2)
        }
        _ => {
            let dim = 1 + b1 % 4;
            let params = UmapParams {
                dim,
                n_neighbors: b2 % 220,
                min_dist: p1,
                spread: if b1 % 2 == 0 { 1.0 } else { p2 },
                learning_rate: if b1 % 3 == 0 { 1.0 } else { p3 },
                n_epochs: Some(1 + b1 % 30),
                snapshot_every: 0,
                threads,
                ..UmapParams::default()
            };
            (umap(x.view(), &params, &mut Silent), dim)
        }
    };
    if let Ok(map) = map {
        assert_eq!(map.dim(), (rows, dim), "method {method}");
        assert!(
            map.iter().all(|v| v.is_finite()),
            "method {method}: a non-finite coordinate"
        );
    }
});
