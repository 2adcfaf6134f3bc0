//! The input copied once into rows padded with zeros to a multiple of sixteen
//! floats, and the distance kernels that run over them.
//!
//! Every kernel sums in sixteen fixed lanes (four independent vector
//! accumulators at 128 bits, so additions overlap) and folds them in a fixed order, so
//! the compiler can use whatever vector width the target has (SSE, AVX, wasm
//! SIMD128) while the rounding, and hence the result, stays the same
//! everywhere. Zero padding adds nothing to a distance or a dot product.

use ndarray::ArrayView2;

pub const LANES: usize = 16;

pub struct Rows {
    values: Vec<f32>,
    stride: usize,
    len: usize,
}

impl Rows {
    pub fn new(data: ArrayView2<f32>) -> Rows {
        let (len, dim) = data.dim();
        let stride = dim.div_ceil(LANES).max(1) * LANES;
        let mut values = vec![0.0f32; len * stride];
        for (row, out) in data.rows().into_iter().zip(values.chunks_exact_mut(stride)) {
            for (o, &x) in out.iter_mut().zip(row.iter()) {
                *o = x;
            }
        }
        Rows {
            values,
            stride,
            len,
        }
    }

    /// The rows in another order: row r of the result is row `order[r]` here.
    pub fn permuted(&self, order: &[u32]) -> Rows {
        let mut values = Vec::with_capacity(order.len() * self.stride);
        for &i in order {
            values.extend_from_slice(self.row(i as usize));
        }
        Rows {
            values,
            stride: self.stride,
            len: order.len(),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn stride(&self) -> usize {
        self.stride
    }

    #[inline(always)]
    pub fn row(&self, i: usize) -> &[f32] {
        &self.values[i * self.stride..(i + 1) * self.stride]
    }
}

/// Folds the lanes pairwise, halves first. `black_box` keeps the optimiser
/// from fusing this fold into the loop above, which it would otherwise
/// vectorise two lanes at a time.
#[inline(always)]
fn fold(acc: [f32; LANES]) -> f32 {
    let acc = std::hint::black_box(acc);
    let h: [f32; 8] = std::array::from_fn(|l| acc[l] + acc[l + 8]);
    let q: [f32; 4] = std::array::from_fn(|l| h[l] + h[l + 4]);
    (q[0] + q[2]) + (q[1] + q[3])
}

/// Squared Euclidean distance between two padded rows.
#[inline(always)]
pub fn squared_distance(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; LANES];
    for (x, y) in a
        .as_chunks::<LANES>()
        .0
        .iter()
        .zip(b.as_chunks::<LANES>().0)
    {
        for l in 0..LANES {
            let d = x[l] - y[l];
            acc[l] += d * d;
        }
    }
    fold(acc)
}

/// Dot product of two padded rows.
#[inline(always)]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; LANES];
    for (x, y) in a
        .as_chunks::<LANES>()
        .0
        .iter()
        .zip(b.as_chunks::<LANES>().0)
    {
        for l in 0..LANES {
            acc[l] += x[l] * y[l];
        }
    }
    fold(acc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn padding_changes_nothing() {
        let x = array![[1.0f32, 2.0, 3.0], [4.0, 6.0, 3.0]];
        let rows = Rows::new(x.view());
        assert_eq!(rows.stride(), 16);
        assert_eq!(squared_distance(rows.row(0), rows.row(1)), 25.0);
        assert_eq!(dot(rows.row(0), rows.row(1)), 25.0);
    }
}
