//! The building blocks Kokoro's modules share (hexgrad/kokoro `modules.py`, `istftnet.py`):
//! `nn.Linear`, weight-normed `Conv1d` (already folded in the export), the bidirectional LSTM,
//! `AdaIN1d`, `AdaLayerNorm` and `AdainResBlk1d`. Activations are `[1, channels, time]`.

use candle_core::{D, Tensor};

use super::onnx::KokoroWeights;
use crate::kernels::conv1d;
use crate::{Result, profile};

/// `nn.Linear`: `[.., in] -> [.., out]`.
pub(crate) struct Linear {
    weight_t: Tensor,
    bias: Option<Tensor>,
}

impl Linear {
    pub fn load(w: &KokoroWeights, path: &str) -> Result<Self> {
        let weight_t = w.get(&format!("{path}.weight"))?.t()?.contiguous()?;
        let bias_name = format!("{path}.bias");
        let bias = if w.contains(&bias_name) {
            Some(w.get(&bias_name)?)
        } else {
            None
        };
        Ok(Self { weight_t, bias })
    }

    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let _span = profile::span("kokoro_linear");
        let y = x.broadcast_matmul(&self.weight_t)?;
        Ok(match &self.bias {
            Some(b) => y.broadcast_add(b)?,
            None => y,
        })
    }
}

/// `nn.Conv1d` with its node's geometry. Stride 1 (all but three small ones) runs on the
/// project's im2col + GEMM kernel; Candle's CPU convolution was the bulk of the decoder's time.
pub(crate) struct Conv1d {
    /// `[out, in, kernel]`: as a tensor for the strided ones Candle runs, else as plain values
    /// for the kernel (never both: the weights are most of the model's memory).
    weight: ConvWeight,
    out_channels: usize,
    kernel: usize,
    bias: Option<Tensor>,
    bias_values: Option<Vec<f32>>,
    padding: usize,
    stride: usize,
    dilation: usize,
}

impl Conv1d {
    pub fn load(
        w: &KokoroWeights,
        path: &str,
        padding: usize,
        stride: usize,
        dilation: usize,
    ) -> Result<Self> {
        let weight = w.get(&format!("{path}.weight"))?;
        let bias_name = format!("{path}.bias");
        let bias_values = if w.contains(&bias_name) {
            Some(w.get(&bias_name)?.to_vec1::<f32>()?)
        } else {
            None
        };
        let (out_channels, _, kernel) = weight.dims3()?;
        Ok(Self {
            bias: match &bias_values {
                Some(b) => Some(Tensor::from_slice(b, (b.len(), 1), weight.device())?),
                None => None,
            },
            weight: if stride == 1 {
                ConvWeight::Values(weight.flatten_all()?.to_vec1()?)
            } else {
                ConvWeight::Tensor(weight)
            },
            out_channels,
            kernel,
            bias_values,
            padding,
            stride,
            dilation,
        })
    }

    /// "same" padding for an odd kernel at this dilation, stride 1.
    pub fn same(w: &KokoroWeights, path: &str, dilation: usize) -> Result<Self> {
        let k = w.get(&format!("{path}.weight"))?.dim(2)?;
        Self::load(w, path, (k - 1) * dilation / 2, 1, dilation)
    }

    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let _span = profile::span("kokoro_conv1d");
        let weight = match &self.weight {
            ConvWeight::Tensor(weight) => {
                let y = x.conv1d(weight, self.padding, self.stride, self.dilation, 1)?;
                return Ok(match &self.bias {
                    Some(b) => y.broadcast_add(b)?,
                    None => y,
                });
            }
            ConvWeight::Values(values) => values,
        };
        let (_, in_channels, len) = x.dims3()?;
        let (out_channels, kernel) = (self.out_channels, self.kernel);
        let shape = conv1d::ConvShape {
            in_channels,
            out_channels,
            kernel,
            dilation: self.dilation,
            padding: self.padding,
            input_slope: None,
        };
        let values = x.flatten_all()?.to_vec1::<f32>()?;
        let y = conv1d::conv1d(&values, len, weight, self.bias_values.as_deref(), shape);
        Ok(Tensor::from_vec(
            y,
            (1, out_channels, shape.output_len(len)),
            x.device(),
        )?)
    }
}

enum ConvWeight {
    Tensor(Tensor),
    Values(Vec<f32>),
}

/// `nn.ConvTranspose1d` (groups 1), on the project's GEMM + overlap-add kernel.
pub(crate) struct ConvTranspose1d {
    weight: Vec<f32>,
    bias: Vec<f32>,
    in_channels: usize,
    out_channels: usize,
    kernel: usize,
    padding: usize,
    stride: usize,
}

impl ConvTranspose1d {
    pub fn load(w: &KokoroWeights, path: &str, padding: usize, stride: usize) -> Result<Self> {
        let weight = w.get(&format!("{path}.weight"))?;
        let (in_channels, out_channels, kernel) = weight.dims3()?;
        Ok(Self {
            weight: weight.flatten_all()?.to_vec1()?,
            bias: w
                .get_shaped(&format!("{path}.bias"), &[out_channels])?
                .to_vec1()?,
            in_channels,
            out_channels,
            kernel,
            padding,
            stride,
        })
    }

    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let _span = profile::span("kokoro_conv_transpose1d");
        let len = x.dim(2)?;
        let values = x.flatten_all()?.to_vec1::<f32>()?;
        let y = conv1d::conv_transpose1d(
            &values,
            len,
            &self.weight,
            Some(&self.bias),
            conv1d::TransposedShape {
                in_channels: self.in_channels,
                out_channels: self.out_channels,
                kernel: self.kernel,
                stride: self.stride,
                padding: self.padding,
            },
        );
        let out_len = y.len() / self.out_channels;
        Ok(Tensor::from_vec(
            y,
            (1, self.out_channels, out_len),
            x.device(),
        )?)
    }
}

/// `AdainResBlk1d.pool`: a depthwise `ConvTranspose1d(k=3, stride=2, padding=1,
/// output_padding=1)` that doubles the time axis. Written out as even and odd taps: Candle runs
/// a grouped transposed convolution as one convolution per channel.
pub(crate) struct DepthwiseUpsample {
    /// Taps `w[0..3]`, each `[C, 1]`.
    taps: [Tensor; 3],
    bias: Tensor,
}

impl DepthwiseUpsample {
    pub fn load(w: &KokoroWeights, path: &str, channels: usize) -> Result<Self> {
        let weight = w.get_shaped(&format!("{path}.weight"), &[channels, 1, 3])?;
        let tap =
            |k: usize| -> Result<Tensor> { Ok(weight.narrow(2, k, 1)?.reshape((channels, 1))?) };
        Ok(Self {
            taps: [tap(0)?, tap(1)?, tap(2)?],
            bias: w.get(&format!("{path}.bias"))?.reshape((channels, 1))?,
        })
    }

    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (b, c, t) = x.dims3()?;
        // out[2i] = x[i] w1; out[2i+1] = x[i] w2 + x[i+1] w0 (x[t] = 0).
        let even = x.broadcast_mul(&self.taps[1])?;
        let next = Tensor::cat(
            &[x.narrow(2, 1, t - 1)?, x.zeros_like()?.narrow(2, 0, 1)?],
            2,
        )?;
        let odd = (x.broadcast_mul(&self.taps[2])? + next.broadcast_mul(&self.taps[0])?)?;
        let y = Tensor::stack(&[even, odd], 3)?.reshape((b, c, 2 * t))?;
        Ok(y.broadcast_add(&self.bias)?)
    }
}

pub(crate) fn leaky_relu(x: &Tensor, slope: f64) -> Result<Tensor> {
    let _span = profile::span("kokoro_leaky_relu");
    Ok(x.maximum(&(x * slope)?)?)
}

/// Normalizes `[1, C, T]` over time per channel (`nn.InstanceNorm1d`, biased variance).
pub(crate) fn instance_norm(x: &Tensor, eps: f64) -> Result<Tensor> {
    let _span = profile::span("kokoro_instance_norm");
    let mean = x.mean_keepdim(D::Minus1)?;
    let centered = x.broadcast_sub(&mean)?;
    let var = centered.sqr()?.mean_keepdim(D::Minus1)?;
    Ok(centered.broadcast_div(&(var + eps)?.sqrt()?)?)
}

/// Normalizes `[.., C]` over its last axis (`F.layer_norm` without affine).
pub(crate) fn layer_norm_last(x: &Tensor, eps: f64) -> Result<Tensor> {
    let mean = x.mean_keepdim(D::Minus1)?;
    let centered = x.broadcast_sub(&mean)?;
    let var = centered.sqr()?.mean_keepdim(D::Minus1)?;
    Ok(centered.broadcast_div(&(var + eps)?.sqrt()?)?)
}

/// `AdaIN1d`: instance norm, then `(1 + gamma) * x + beta` with both from the style vector.
pub(crate) struct AdaIn1d {
    fc: Linear,
}

impl AdaIn1d {
    pub fn load(w: &KokoroWeights, path: &str) -> Result<Self> {
        Ok(Self {
            fc: Linear::load(w, &format!("{path}.fc"))?,
        })
    }

    /// `(1 + gamma, beta)`, each `[C, 1]`: the style is fixed for a whole utterance, so callers
    /// that run the same block many times may compute these once.
    pub fn modulation(&self, style: &Tensor) -> Result<(Tensor, Tensor)> {
        let h = self.fc.forward(style)?.squeeze(0)?;
        let c = h.dim(0)? / 2;
        let gamma = (h.narrow(0, 0, c)? + 1.0)?.reshape((c, 1))?;
        let beta = h.narrow(0, c, c)?.reshape((c, 1))?;
        Ok((gamma, beta))
    }

    pub fn forward(&self, x: &Tensor, style: &Tensor) -> Result<Tensor> {
        let (gamma, beta) = self.modulation(style)?;
        Ok(instance_norm(x, 1e-5)?
            .broadcast_mul(&gamma)?
            .broadcast_add(&beta)?)
    }
}

/// `AdainResBlk1d` (StyleTTS2): AdaIN, leaky ReLU 0.2, optional 2x upsampling, two convolutions,
/// a shortcut (nearest upsampling, 1x1 convolution when the width changes), summed / sqrt 2.
pub(crate) struct AdainResBlk1d {
    norm1: AdaIn1d,
    norm2: AdaIn1d,
    conv1: Conv1d,
    conv2: Conv1d,
    conv1x1: Option<Conv1d>,
    pool: Option<DepthwiseUpsample>,
}

impl AdainResBlk1d {
    pub fn load(
        w: &KokoroWeights,
        path: &str,
        dim_in: usize,
        dim_out: usize,
        upsample: bool,
    ) -> Result<Self> {
        let conv1x1 = if dim_in != dim_out {
            Some(Conv1d::load(w, &format!("{path}.conv1x1"), 0, 1, 1)?)
        } else {
            None
        };
        let pool = if upsample {
            Some(DepthwiseUpsample::load(w, &format!("{path}.pool"), dim_in)?)
        } else {
            None
        };
        Ok(Self {
            norm1: AdaIn1d::load(w, &format!("{path}.norm1"))?,
            norm2: AdaIn1d::load(w, &format!("{path}.norm2"))?,
            conv1: Conv1d::same(w, &format!("{path}.conv1"), 1)?,
            conv2: Conv1d::same(w, &format!("{path}.conv2"), 1)?,
            conv1x1,
            pool,
        })
    }

    pub fn forward(&self, x: &Tensor, style: &Tensor) -> Result<Tensor> {
        // _residual
        let mut r = leaky_relu(&self.norm1.forward(x, style)?, 0.2)?;
        if let Some(pool) = &self.pool {
            r = pool.forward(&r)?;
        }
        let r = self.conv1.forward(&r)?;
        let r = leaky_relu(&self.norm2.forward(&r, style)?, 0.2)?;
        let r = self.conv2.forward(&r)?;
        // _shortcut
        let mut sc = x.clone();
        if self.pool.is_some() {
            let (b, c, t) = sc.dims3()?;
            sc = Tensor::stack(&[&sc, &sc], 3)?.reshape((b, c, 2 * t))?;
        }
        if let Some(conv) = &self.conv1x1 {
            sc = conv.forward(&sc)?;
        }
        Ok(((r + sc)? * std::f64::consts::FRAC_1_SQRT_2)?)
    }
}

/// A bidirectional single-layer LSTM in the export's layout: `W [2, in, 4H]`, `R [2, H, 4H]`,
/// `B [2, 8H]` (input bias, then recurrent bias), gates ordered i, o, f, c. The input projection
/// is one matmul; the recurrence runs on plain slices (one `[H] x [H, 4H]` product per step).
pub(crate) struct Lstm {
    w: [Tensor; 2],
    r: [Vec<f32>; 2],
    b: [Vec<f32>; 2],
    hidden: usize,
}

impl Lstm {
    pub fn load(w: &KokoroWeights, path: &str) -> Result<Self> {
        let wt = w.get(&format!("{path}.W"))?;
        let rt = w.get(&format!("{path}.R"))?;
        let bt = w.get(&format!("{path}.B"))?;
        let hidden = rt.dim(1)?;
        let dir = |t: &Tensor, d: usize| -> Result<Tensor> { Ok(t.get(d)?.contiguous()?) };
        let bias = |d: usize| -> Result<Vec<f32>> {
            let b = bt.get(d)?.to_vec1::<f32>()?;
            Ok((0..4 * hidden).map(|k| b[k] + b[4 * hidden + k]).collect())
        };
        Ok(Self {
            w: [dir(&wt, 0)?, dir(&wt, 1)?],
            r: [
                dir(&rt, 0)?.flatten_all()?.to_vec1()?,
                dir(&rt, 1)?.flatten_all()?.to_vec1()?,
            ],
            b: [bias(0)?, bias(1)?],
            hidden,
        })
    }

    /// `[T, in] -> [T, 2H]` (forward states, then backward states).
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let _span = profile::span("kokoro_lstm");
        let t_len = x.dim(0)?;
        let h = self.hidden;
        let mut out = vec![0f32; t_len * 2 * h];
        for d in 0..2 {
            let xw: Vec<f32> = x.matmul(&self.w[d])?.flatten_all()?.to_vec1()?;
            let r = &self.r[d];
            let mut state = vec![0f32; h];
            let mut cell = vec![0f32; h];
            let mut gates = vec![0f32; 4 * h];
            for step in 0..t_len {
                let t = if d == 0 { step } else { t_len - 1 - step };
                gates.copy_from_slice(&xw[t * 4 * h..(t + 1) * 4 * h]);
                for (g, b) in gates.iter_mut().zip(&self.b[d]) {
                    *g += b;
                }
                for (k, &hk) in state.iter().enumerate() {
                    if hk != 0.0 {
                        let row = &r[k * 4 * h..(k + 1) * 4 * h];
                        for (g, &rv) in gates.iter_mut().zip(row) {
                            *g += hk * rv;
                        }
                    }
                }
                for j in 0..h {
                    let i = sigmoid(gates[j]);
                    let o = sigmoid(gates[h + j]);
                    let f = sigmoid(gates[2 * h + j]);
                    let c = gates[3 * h + j].tanh();
                    cell[j] = f * cell[j] + i * c;
                    state[j] = o * cell[j].tanh();
                }
                out[t * 2 * h + d * h..t * 2 * h + (d + 1) * h].copy_from_slice(&state);
            }
        }
        Ok(Tensor::from_vec(out, (t_len, 2 * h), x.device())?)
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}
