//! 2-D convolutions over one `[channels, height, width]` image, for the OCR networks: ordinary
//! and grouped ones as im2col blocks of output rows times one GEMM each (the blocks on rayon's
//! pool, each GEMM single-threaded inside, as `conv1d` does), depthwise ones (one input channel
//! per group) as direct loops per channel, since a GEMM of one row wastes its work; and the
//! transposed convolution the detector's head upsamples with. Candle's own `conv2d` takes one
//! stride and one padding for both axes, and the recognizers stride (2, 1) and pad (0, 1).

use gemm::{Parallelism, gemm};
use rayon::prelude::*;

/// Floats in one im2col block (1 MiB): big enough for an efficient GEMM, small enough that a
/// huge image never builds its whole column matrix.
const BLOCK_FLOATS: usize = 256 * 1024;

/// A 2-D convolution's geometry, as ONNX's Conv attributes give it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Conv2dShape {
    pub in_channels: usize,
    pub out_channels: usize,
    pub groups: usize,
    pub kernel: (usize, usize),
    pub stride: (usize, usize),
    pub dilation: (usize, usize),
    /// Zeros before the first row and column.
    pub pad_begin: (usize, usize),
    /// Zeros after the last row and column.
    pub pad_end: (usize, usize),
}

impl Conv2dShape {
    pub fn output_size(&self, height: usize, width: usize) -> (usize, usize) {
        let out = |len: usize, begin: usize, end: usize, k: usize, s: usize, d: usize| {
            let span = d * (k - 1) + 1;
            let padded = len + begin + end;
            if padded < span {
                0
            } else {
                (padded - span) / s + 1
            }
        };
        (
            out(
                height,
                self.pad_begin.0,
                self.pad_end.0,
                self.kernel.0,
                self.stride.0,
                self.dilation.0,
            ),
            out(
                width,
                self.pad_begin.1,
                self.pad_end.1,
                self.kernel.1,
                self.stride.1,
                self.dilation.1,
            ),
        )
    }

    fn depthwise(&self) -> bool {
        self.groups == self.in_channels && self.groups == self.out_channels
    }
}

struct SendPtr(*mut f32);
// SAFETY: used only to hand disjoint output regions to rayon tasks (see each use).
unsafe impl Send for SendPtr {}
unsafe impl Sync for SendPtr {}
impl SendPtr {
    fn get(&self) -> *mut f32 {
        self.0
    }
}

/// `y[o, oy, ox] = bias[o] + Σ w[o, i, ky, kx] · x[g·cin + i, oy·sy + ky·dy − py, ox·sx + kx·dx − px]`
/// over the input channels `i` of output channel `o`'s group `g`. `x` is `[in, height, width]`,
/// `weight` `[out, in / groups, kh, kw]`; returns `[out, oh, ow]` and `(oh, ow)`.
pub(crate) fn conv2d(
    x: &[f32],
    height: usize,
    width: usize,
    weight: &[f32],
    bias: Option<&[f32]>,
    s: Conv2dShape,
) -> (Vec<f32>, (usize, usize)) {
    let (oh, ow) = s.output_size(height, width);
    debug_assert_eq!(x.len(), s.in_channels * height * width);
    let cin = s.in_channels / s.groups;
    let cout = s.out_channels / s.groups;
    let taps = s.kernel.0 * s.kernel.1;
    debug_assert_eq!(weight.len(), s.out_channels * cin * taps);
    let mut out = vec![0f32; s.out_channels * oh * ow];
    if oh == 0 || ow == 0 {
        return (out, (oh, ow));
    }
    if s.depthwise() {
        depthwise(x, height, width, weight, bias, s, &mut out, (oh, ow));
        return (out, (oh, ow));
    }
    let depth = cin * taps;
    let rows_per_block = (BLOCK_FLOATS / (depth * ow).max(1)).clamp(1, oh);
    let blocks: Vec<(usize, usize)> = (0..s.groups)
        .flat_map(|g| (0..oh).step_by(rows_per_block).map(move |r| (g, r)))
        .collect();
    let out_ptr = SendPtr(out.as_mut_ptr());
    let plane = oh * ow;
    blocks.par_iter().for_each_init(
        || vec![0f32; depth * rows_per_block * ow],
        |cols, &(g, first_row)| {
            let rows = rows_per_block.min(oh - first_row);
            let n = rows * ow;
            let cols = &mut cols[..depth * n];
            // cols[(i·taps + ky·kw + kx), (r·ow + ox)] = x[g·cin + i, ...], zero outside.
            for i in 0..cin {
                let channel =
                    &x[(g * cin + i) * height * width..(g * cin + i + 1) * height * width];
                for ky in 0..s.kernel.0 {
                    for kx in 0..s.kernel.1 {
                        let row_of_cols = i * taps + ky * s.kernel.1 + kx;
                        let dst = &mut cols[row_of_cols * n..(row_of_cols + 1) * n];
                        for r in 0..rows {
                            let oy = first_row + r;
                            let iy = (oy * s.stride.0 + ky * s.dilation.0) as isize
                                - s.pad_begin.0 as isize;
                            let line = &mut dst[r * ow..(r + 1) * ow];
                            if iy < 0 || iy >= height as isize {
                                line.fill(0.0);
                                continue;
                            }
                            let src = &channel[iy as usize * width..(iy as usize + 1) * width];
                            let offset = (kx * s.dilation.1) as isize - s.pad_begin.1 as isize;
                            gather_row(line, src, offset, s.stride.1);
                        }
                    }
                }
            }
            let dst = out_ptr.get();
            // SAFETY: each task writes rows first_row .. first_row + rows of the output
            // channels of group g only, and no two tasks share a (group, first_row); every
            // pointer stays inside its buffer for the sizes and strides given.
            unsafe {
                let block = dst.add(g * cout * plane + first_row * ow);
                if let Some(bias) = bias {
                    for o in 0..cout {
                        std::slice::from_raw_parts_mut(block.add(o * plane), n)
                            .fill(bias[g * cout + o]);
                    }
                }
                gemm(
                    cout,
                    n,
                    depth,
                    block,
                    1,
                    plane as isize,
                    bias.is_some(),
                    weight.as_ptr().add(g * cout * depth),
                    1,
                    depth as isize,
                    cols.as_ptr(),
                    1,
                    n as isize,
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
    (out, (oh, ow))
}

/// `line[ox] = src[ox·stride + offset]`, zero where that falls outside `src`.
fn gather_row(line: &mut [f32], src: &[f32], offset: isize, stride: usize) {
    let len = src.len() as isize;
    if stride == 1 {
        let lo = (-offset).clamp(0, line.len() as isize) as usize;
        let hi = (len - offset).clamp(lo as isize, line.len() as isize) as usize;
        line[..lo].fill(0.0);
        line[hi..].fill(0.0);
        if lo < hi {
            line[lo..hi].copy_from_slice(
                &src[(offset + lo as isize) as usize..(offset + hi as isize) as usize],
            );
        }
        return;
    }
    for (ox, value) in line.iter_mut().enumerate() {
        let ix = ox as isize * stride as isize + offset;
        *value = if ix >= 0 && ix < len {
            src[ix as usize]
        } else {
            0.0
        };
    }
}

/// One filter per channel: each channel's output is the sum over taps of a shifted, strided
/// copy of its input, accumulated row by row.
#[allow(clippy::too_many_arguments)] // the convolution's operands, as `conv2d` takes them
fn depthwise(
    x: &[f32],
    height: usize,
    width: usize,
    weight: &[f32],
    bias: Option<&[f32]>,
    s: Conv2dShape,
    out: &mut [f32],
    (oh, ow): (usize, usize),
) {
    let taps = s.kernel.0 * s.kernel.1;
    out.par_chunks_mut(oh * ow)
        .enumerate()
        .for_each(|(c, plane)| {
            let channel = &x[c * height * width..(c + 1) * height * width];
            let filter = &weight[c * taps..(c + 1) * taps];
            plane.fill(bias.map_or(0.0, |b| b[c]));
            let mut line = vec![0f32; ow];
            for oy in 0..oh {
                let dst = &mut plane[oy * ow..(oy + 1) * ow];
                for ky in 0..s.kernel.0 {
                    let iy =
                        (oy * s.stride.0 + ky * s.dilation.0) as isize - s.pad_begin.0 as isize;
                    if iy < 0 || iy >= height as isize {
                        continue;
                    }
                    let src = &channel[iy as usize * width..(iy as usize + 1) * width];
                    for kx in 0..s.kernel.1 {
                        let w = filter[ky * s.kernel.1 + kx];
                        let offset = (kx * s.dilation.1) as isize - s.pad_begin.1 as isize;
                        gather_row(&mut line, src, offset, s.stride.1);
                        for (d, &v) in dst.iter_mut().zip(&line) {
                            *d += w * v;
                        }
                    }
                }
            }
        });
}

/// ONNX ConvTranspose (one group, no padding, no output padding) over `[in, height, width]`
/// with `weight` `[in, out, kh, kw]`: `y[o, iy·sy + ky, ix·sx + kx] += w[i, o, ky, kx] · x[i, iy, ix]`
/// plus `bias[o]`. One GEMM (`Wᵀ·x`) then the overlap-add; returns `[out, oh, ow]`, `(oh, ow)`.
pub(crate) fn conv_transpose2d(
    x: &[f32],
    (height, width): (usize, usize),
    weight: &[f32],
    bias: Option<&[f32]>,
    (in_channels, out_channels): (usize, usize),
    kernel: (usize, usize),
    stride: (usize, usize),
) -> (Vec<f32>, (usize, usize)) {
    let oh = (height.max(1) - 1) * stride.0 + kernel.0;
    let ow = (width.max(1) - 1) * stride.1 + kernel.1;
    let plane = height * width;
    let m = out_channels * kernel.0 * kernel.1;
    let mut contributions = vec![0f32; m * plane];
    // SAFETY: the lhs view [m, in] reads weight[i, (o, ky, kx)] with row stride 1 and column
    // stride m (one input channel per column), all inside `weight`; rhs and dst are dense.
    unsafe {
        gemm(
            m,
            plane,
            in_channels,
            contributions.as_mut_ptr(),
            1,
            plane as isize,
            false,
            weight.as_ptr(),
            m as isize,
            1,
            x.as_ptr(),
            1,
            plane as isize,
            0.0,
            1.0,
            false,
            false,
            false,
            Parallelism::Rayon(0),
        );
    }
    let mut out = vec![0f32; out_channels * oh * ow];
    out.par_chunks_mut(oh * ow)
        .enumerate()
        .for_each(|(o, dst)| {
            dst.fill(bias.map_or(0.0, |b| b[o]));
            for ky in 0..kernel.0 {
                for kx in 0..kernel.1 {
                    let src =
                        &contributions[((o * kernel.0 + ky) * kernel.1 + kx) * plane..][..plane];
                    for iy in 0..height {
                        let row = &mut dst[(iy * stride.0 + ky) * ow..];
                        for ix in 0..width {
                            row[ix * stride.1 + kx] += src[iy * width + ix];
                        }
                    }
                }
            }
        });
    (out, (oh, ow))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition, one output at a time.
    fn reference(x: &[f32], h: usize, w: usize, weight: &[f32], s: Conv2dShape) -> Vec<f32> {
        let (oh, ow) = s.output_size(h, w);
        let cin = s.in_channels / s.groups;
        let cout = s.out_channels / s.groups;
        let mut out = vec![0f32; s.out_channels * oh * ow];
        for o in 0..s.out_channels {
            let g = o / cout;
            for oy in 0..oh {
                for ox in 0..ow {
                    let mut sum = 0f32;
                    for i in 0..cin {
                        for ky in 0..s.kernel.0 {
                            for kx in 0..s.kernel.1 {
                                let iy = (oy * s.stride.0 + ky * s.dilation.0) as isize
                                    - s.pad_begin.0 as isize;
                                let ix = (ox * s.stride.1 + kx * s.dilation.1) as isize
                                    - s.pad_begin.1 as isize;
                                if iy < 0 || ix < 0 || iy >= h as isize || ix >= w as isize {
                                    continue;
                                }
                                let xv = x[((g * cin + i) * h + iy as usize) * w + ix as usize];
                                let wv =
                                    weight[((o * cin + i) * s.kernel.0 + ky) * s.kernel.1 + kx];
                                sum += xv * wv;
                            }
                        }
                    }
                    out[(o * oh + oy) * ow + ox] = sum;
                }
            }
        }
        out
    }

    fn values(n: usize, seed: u32) -> Vec<f32> {
        (0..n)
            .map(|i| {
                ((i as u32).wrapping_mul(2654435761).wrapping_add(seed) % 1000) as f32 / 500.0 - 1.0
            })
            .collect()
    }

    #[test]
    fn matches_the_definition_for_every_shape_the_ocr_graphs_use() {
        let shapes = [
            // stem: 3x3 stride 2
            (3, 8, 1, (3, 3), (2, 2), (1, 1), (1, 1)),
            // recognizer: stride (2, 1), and (1, 2)
            (4, 6, 1, (3, 3), (2, 1), (1, 1), (1, 1)),
            (4, 6, 1, (3, 3), (1, 2), (1, 1), (1, 1)),
            // pads (0, 1) both sides, 1x3 kernel
            (4, 4, 1, (1, 3), (1, 1), (0, 1), (0, 1)),
            // depthwise 5x5 stride 2 and 3x3 stride (2, 1)
            (6, 6, 6, (5, 5), (2, 2), (2, 2), (2, 2)),
            (6, 6, 6, (3, 3), (2, 1), (1, 1), (1, 1)),
            // grouped, and SAME_UPPER-style uneven padding
            (8, 4, 2, (3, 3), (1, 1), (1, 1), (1, 1)),
            (4, 4, 4, (2, 2), (1, 1), (0, 0), (1, 1)),
            // pointwise
            (16, 12, 1, (1, 1), (1, 1), (0, 0), (0, 0)),
        ];
        for (cin, cout, groups, kernel, stride, begin, end) in shapes {
            let s = Conv2dShape {
                in_channels: cin,
                out_channels: cout,
                groups,
                kernel,
                stride,
                dilation: (1, 1),
                pad_begin: begin,
                pad_end: end,
            };
            let (h, w) = (9, 13);
            let x = values(cin * h * w, 1);
            let weight = values(cout * cin / groups * kernel.0 * kernel.1, 7);
            let (got, _) = conv2d(&x, h, w, &weight, None, s);
            let want = reference(&x, h, w, &weight, s);
            assert_eq!(got.len(), want.len(), "{s:?}");
            let worst = got
                .iter()
                .zip(&want)
                .map(|(a, b)| (a - b).abs())
                .fold(0f32, f32::max);
            assert!(worst < 1e-4, "{s:?}: max difference {worst}");
        }
    }

    #[test]
    fn transposed_convolution_spreads_each_input_over_its_kernel() {
        // One input channel, two outputs, 2x2 kernel stride 2: each input pixel becomes a block.
        let x = [1.0, 2.0, 3.0, 4.0];
        let weight = [1.0, 2.0, 3.0, 4.0, -1.0, -1.0, -1.0, -1.0];
        let (y, (oh, ow)) = conv_transpose2d(
            &x,
            (2, 2),
            &weight,
            Some(&[0.5f32, 0.0][..]),
            (1, 2),
            (2, 2),
            (2, 2),
        );
        assert_eq!((oh, ow), (4, 4));
        assert_eq!(&y[..4], &[1.5, 2.5, 2.5, 4.5]);
        assert_eq!(&y[4..8], &[3.5, 4.5, 6.5, 8.5]);
        assert_eq!(y[16], -1.0);
        assert_eq!(y[31], -4.0);
    }
}
