//! 1-D convolutions as blocked matrix products, for the HiFi-GAN decoder and VITS flow, where
//! Candle's CPU convolutions were the bulk of the time (its transposed convolution ran at a
//! fraction of its matmul speed). A convolution is im2col + GEMM over blocks of output positions
//! sized to stay in cache; a transposed one is one GEMM (`Wᵀ·x`, every input sample's
//! contribution to each output channel and tap) followed by overlap-add. Blocks run on rayon's
//! pool (output positions for a convolution, output channels for a transposed one) and each
//! GEMM is single-threaded inside.

use gemm::{Parallelism, gemm};
use rayon::prelude::*;

/// Floats in one im2col block (512 KiB): big enough for an efficient GEMM, small enough to
/// stay in cache while it runs.
const BLOCK_FLOATS: usize = 128 * 1024;

/// Output positions per im2col block for a product of `depth` rows.
fn block_width(depth: usize) -> usize {
    (BLOCK_FLOATS / depth.max(1)).clamp(64, 4096) / 16 * 16
}

/// The shape of a 1-D convolution over one sequence.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConvShape {
    pub in_channels: usize,
    pub out_channels: usize,
    pub kernel: usize,
    pub dilation: usize,
    /// Zeros on each side.
    pub padding: usize,
    /// `F.leaky_relu(x, slope)` applied to the input on the way in (HiFi-GAN's every conv but
    /// the first follows one), which saves a pass over it.
    pub input_slope: Option<f32>,
}

impl ConvShape {
    pub fn output_len(&self, len: usize) -> usize {
        (len + 2 * self.padding + 1).saturating_sub(self.dilation * (self.kernel - 1) + 1)
    }
}

/// `y[o, t] = bias[o] + Σ_{i,k} w[o, i, k] · x[i, t + k·dilation − padding]`, stride 1.
/// `x` is `[in, len]`, `weight` `[out, in, kernel]`, the result `[out, output_len]`.
pub(crate) fn conv1d(
    x: &[f32],
    len: usize,
    weight: &[f32],
    bias: Option<&[f32]>,
    s: ConvShape,
) -> Vec<f32> {
    let out_len = s.output_len(len);
    let depth = s.in_channels * s.kernel;
    debug_assert_eq!(x.len(), s.in_channels * len);
    debug_assert_eq!(weight.len(), s.out_channels * depth);
    let mut out = vec![0f32; s.out_channels * out_len];
    if out_len == 0 {
        return out;
    }
    // Column blocks of the output, each written by one task: [out, start .. start + width].
    let block = block_width(depth);
    let starts: Vec<usize> = (0..out_len).step_by(block).collect();
    let out_ptr = SendPtr(out.as_mut_ptr());
    starts.par_iter().for_each_init(
        || vec![0f32; depth * block],
        |cols, &start| {
            let width = block.min(out_len - start);
            // cols[(i·kernel + k), j] = act(x[i, start + j + k·dilation − padding]), zero outside.
            for i in 0..s.in_channels {
                let row = &x[i * len..(i + 1) * len];
                for k in 0..s.kernel {
                    let dst = &mut cols[(i * s.kernel + k) * width..(i * s.kernel + k + 1) * width];
                    let offset = (start + k * s.dilation) as isize - s.padding as isize;
                    // The columns whose source lies inside x: j in lo..hi.
                    let lo = (-offset).clamp(0, width as isize) as usize;
                    let hi = (len as isize - offset).clamp(lo as isize, width as isize) as usize;
                    if lo == hi {
                        dst.fill(0.0);
                        continue;
                    }
                    dst[..lo].fill(0.0);
                    dst[hi..].fill(0.0);
                    let src =
                        &row[(offset + lo as isize) as usize..(offset + hi as isize) as usize];
                    match s.input_slope {
                        Some(slope) => {
                            for (d, &v) in dst[lo..hi].iter_mut().zip(src) {
                                *d = v.max(v * slope);
                            }
                        }
                        None => dst[lo..hi].copy_from_slice(src),
                    }
                }
            }
            let dst = out_ptr.get();
            // SAFETY: each task writes only columns start .. start + width of every output row,
            // and no two tasks share a start; all pointers stay inside their buffers for the
            // given sizes and strides.
            unsafe {
                let block = dst.add(start);
                if let Some(bias) = bias {
                    for (o, &b) in bias.iter().enumerate() {
                        std::slice::from_raw_parts_mut(block.add(o * out_len), width).fill(b);
                    }
                }
                gemm(
                    s.out_channels,
                    width,
                    depth,
                    block,
                    1,
                    out_len as isize,
                    bias.is_some(),
                    weight.as_ptr(),
                    1,
                    depth as isize,
                    cols.as_ptr(),
                    1,
                    width as isize,
                    1.0,
                    1.0,
                    false,
                    false,
                    false,
                    Parallelism::None,
                );
            }
        },
    );
    out
}

/// The shape of a 1-D transposed convolution over one sequence.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TransposedShape {
    pub in_channels: usize,
    pub out_channels: usize,
    pub kernel: usize,
    pub stride: usize,
    /// Output positions cropped from each side.
    pub padding: usize,
}

/// `nn.ConvTranspose1d` over `[in, len]` with `weight` `[in, out, kernel]`:
/// `y[o, t·stride + k − padding] += w[i, o, k] · x[i, t]`, plus `bias[o]`; the result is
/// `[out, (len − 1)·stride + kernel − 2·padding]`.
pub(crate) fn conv_transpose1d(
    x: &[f32],
    len: usize,
    weight: &[f32],
    bias: Option<&[f32]>,
    shape: TransposedShape,
) -> Vec<f32> {
    let TransposedShape {
        in_channels,
        out_channels,
        kernel,
        stride,
        padding,
    } = shape;
    let out_len = ((len.max(1) - 1) * stride + kernel).saturating_sub(2 * padding);
    debug_assert_eq!(x.len(), in_channels * len);
    debug_assert_eq!(weight.len(), in_channels * out_channels * kernel);
    let mut out = vec![0f32; out_channels * out_len];
    if len == 0 || out_len == 0 {
        return out;
    }
    // Each task owns a few output channels: their rows of Wᵀ·x, then their overlap-add.
    let per_task = out_channels
        .div_ceil(rayon::current_num_threads().max(1) * 2)
        .max(1);
    out.par_chunks_mut(per_task * out_len)
        .enumerate()
        .for_each(|(task, rows)| {
            let first = task * per_task;
            let channels = rows.len() / out_len;
            let m = channels * kernel;
            // contributions[(o − first)·kernel + k, t] = Σ_i w[i, o, k] · x[i, t]
            let mut contributions = vec![0f32; m * len];
            // SAFETY: the lhs view [m, in] reads weight[i, first.., ..] with row stride 1 (one
            // (o, k) per row) and column stride out·kernel (one input channel per column), all
            // inside `weight`; rhs and dst are dense buffers of the given sizes.
            unsafe {
                gemm(
                    m,
                    len,
                    in_channels,
                    contributions.as_mut_ptr(),
                    1,
                    len as isize,
                    false,
                    weight.as_ptr().add(first * kernel),
                    (out_channels * kernel) as isize,
                    1,
                    x.as_ptr(),
                    1,
                    len as isize,
                    0.0,
                    1.0,
                    false,
                    false,
                    false,
                    Parallelism::None,
                );
            }
            for c in 0..channels {
                let row = &mut rows[c * out_len..(c + 1) * out_len];
                row.fill(bias.map_or(0.0, |b| b[first + c]));
                for k in 0..kernel {
                    let contribution =
                        &contributions[(c * kernel + k) * len..(c * kernel + k + 1) * len];
                    for (t, &v) in contribution.iter().enumerate() {
                        let pos = (t * stride + k) as isize - padding as isize;
                        if pos >= 0 && (pos as usize) < out_len {
                            row[pos as usize] += v;
                        }
                    }
                }
            }
        });
    out
}

/// A raw pointer the tasks of one convolution share; each writes a disjoint part.
#[derive(Clone, Copy)]
struct SendPtr(*mut f32);

impl SendPtr {
    /// Through a method, so closures capture the whole `SendPtr` (Send + Sync), not its field.
    fn get(self) -> *mut f32 {
        self.0
    }
}
// SAFETY: see the writes in `conv1d`: tasks touch disjoint columns.
unsafe impl Send for SendPtr {}
unsafe impl Sync for SendPtr {}

#[cfg(test)]
mod tests {
    use super::*;

    fn pseudo(n: usize, seed: u32) -> Vec<f32> {
        (0..n)
            .map(|i| {
                ((i as u32).wrapping_mul(2_654_435_761).wrapping_add(seed) % 1000) as f32 / 500.0
                    - 1.0
            })
            .collect()
    }

    #[test]
    fn conv1d_matches_the_definition() {
        // Long inputs span several blocks; short ones are narrower than the dilated kernel.
        for (len, dilation) in [(600, 2), (3, 12), (1, 1)] {
            check_conv1d(len, dilation);
        }
    }

    fn check_conv1d(len: usize, dilation: usize) {
        let s = ConvShape {
            in_channels: 3,
            out_channels: 5,
            kernel: 3,
            dilation,
            padding: dilation,
            input_slope: Some(0.1),
        };
        let (x, w, b) = (pseudo(3 * len, 1), pseudo(5 * 3 * 3, 2), pseudo(5, 3));
        let y = conv1d(&x, len, &w, Some(&b), s);
        assert_eq!(y.len(), 5 * len);
        for o in 0..5 {
            for t in 0..len {
                let mut want = b[o];
                for i in 0..3 {
                    for k in 0..3 {
                        let pos = t as isize + (k * dilation) as isize - dilation as isize;
                        if pos >= 0 && (pos as usize) < len {
                            let v = x[i * len + pos as usize];
                            want += w[(o * 3 + i) * 3 + k] * if v < 0.0 { 0.1 * v } else { v };
                        }
                    }
                }
                assert!((y[o * len + t] - want).abs() < 1e-4, "{o} {t}");
            }
        }
    }

    #[test]
    fn conv_transpose1d_matches_the_definition() {
        let (cin, cout, kernel, stride, padding, len) = (4, 3, 8, 4, 2, 37);
        let (x, w, b) = (
            pseudo(cin * len, 4),
            pseudo(cin * cout * kernel, 5),
            pseudo(cout, 6),
        );
        let shape = TransposedShape {
            in_channels: cin,
            out_channels: cout,
            kernel,
            stride,
            padding,
        };
        let y = conv_transpose1d(&x, len, &w, Some(&b), shape);
        let out_len = (len - 1) * stride + kernel - 2 * padding;
        assert_eq!(y.len(), cout * out_len);
        let mut want = vec![0f32; cout * out_len];
        for o in 0..cout {
            want[o * out_len..(o + 1) * out_len].fill(b[o]);
            for i in 0..cin {
                for t in 0..len {
                    for k in 0..kernel {
                        let pos = (t * stride + k) as isize - padding as isize;
                        if pos >= 0 && (pos as usize) < out_len {
                            want[o * out_len + pos as usize] +=
                                w[(i * cout + o) * kernel + k] * x[i * len + t];
                        }
                    }
                }
            }
        }
        for (a, b) in y.iter().zip(&want) {
            assert!((a - b).abs() < 1e-4);
        }
    }
}
