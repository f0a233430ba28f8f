//! The small layers VITS is built from, over `[1, channels, time]` tensors: a 1-D convolution
//! (plain, depthwise or transposed) as the ONNX node runs it, and VITS's channel `LayerNorm`
//! (`modules.LayerNorm`: normalizes each frame over its channels).

use candle_core::{D, Tensor};

use super::onnx::{ConvNode, OnnxWeights};
use crate::kernels::conv1d;
use crate::profile;
use crate::{ModelError, Result};

/// `nn.Conv1d` / `nn.ConvTranspose1d` with weight norm already folded in by the export.
#[derive(Debug, Clone)]
pub(crate) struct Conv1d {
    node: ConvNode,
    /// The weight's values, for the convolution kernels.
    weight: Vec<f32>,
    /// The bias's values (`node.bias`), fused into the kernels' output.
    bias_values: Option<Vec<f32>>,
    /// The bias as `[1, out, 1]`, ready to broadcast.
    bias: Option<Tensor>,
    /// For a depthwise conv: the weight as `[kernel][1, channels, 1]`, one tap at a time.
    depthwise_taps: Option<Vec<Tensor>>,
}

impl Conv1d {
    /// The convolution of module `path`, checked to map `input` channels to `output`.
    pub fn load(weights: &OnnxWeights, path: &str, input: usize, output: usize) -> Result<Self> {
        let node = weights.conv(path)?;
        let (a, b, kernel) = node.weight.dims3()?;
        let (w_in, w_out) = if node.transposed {
            (a * node.groups, b * node.groups)
        } else {
            (b * node.groups, a)
        };
        if (w_in, w_out) != (input, output) {
            return Err(ModelError::BadModel(format!(
                "{path} maps {w_in} channels to {w_out}, expected {input} to {output}"
            )));
        }
        let bias = match &node.bias {
            Some(bias) if bias.dims() == [output] => Some(bias.reshape((1, output, 1))?),
            Some(bias) => {
                return Err(ModelError::BadModel(format!(
                    "{path}'s bias has shape {:?}",
                    bias.dims()
                )));
            }
            None => None,
        };
        let depthwise = !node.transposed && node.groups > 1 && node.groups == input && b == 1;
        if node.groups > 1 && !depthwise {
            return Err(ModelError::BadModel(format!(
                "{path}: only depthwise grouped convolutions are supported"
            )));
        }
        let depthwise_taps = if depthwise {
            let taps = (0..kernel)
                .map(|k| node.weight.narrow(2, k, 1)?.reshape((1, output, 1)))
                .collect::<candle_core::Result<Vec<_>>>()?;
            Some(taps)
        } else {
            None
        };
        let weight = node.weight.flatten_all()?.to_vec1::<f32>()?;
        let bias_values = match &node.bias {
            Some(b) => Some(b.to_vec1::<f32>()?),
            None => None,
        };
        Ok(Conv1d {
            node,
            weight,
            bias_values,
            bias,
            depthwise_taps,
        })
    }

    pub fn kernel_size(&self) -> usize {
        self.node.weight.dim(2).unwrap_or(0)
    }

    pub fn output_channels(&self) -> usize {
        let dims = self.node.weight.dims();
        if self.node.transposed {
            dims[1] * self.node.groups
        } else {
            dims[0]
        }
    }

    pub fn stride(&self) -> usize {
        self.node.stride
    }

    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.forward_after(x, None)
    }

    /// `conv(F.leaky_relu(x, slope))`, the activation applied as the input is read.
    pub fn forward_leaky(&self, x: &Tensor, slope: f32) -> Result<Tensor> {
        self.forward_after(x, Some(slope))
    }

    fn forward_after(&self, x: &Tensor, input_slope: Option<f32>) -> Result<Tensor> {
        let n = &self.node;
        if let Some(taps) = &self.depthwise_taps {
            let x = match input_slope {
                Some(slope) => leaky_relu(x, f64::from(slope))?,
                None => x.clone(),
            };
            return self.depthwise(&x, taps);
        }
        let (batch, in_channels, len) = x.dims3()?;
        if batch != 1 {
            return Err(ModelError::Unsupported(format!(
                "a batch of {batch} sequences"
            )));
        }
        let mut values = x.flatten_all()?.to_vec1::<f32>()?;
        let kernel = self.kernel_size();
        let out = self.output_channels();
        let bias = self.bias_values.as_deref();
        let (y, out_len) = if n.transposed {
            let _span = profile::span("piper_conv_transpose1d");
            if let Some(slope) = input_slope {
                values.iter_mut().for_each(|v| *v = v.max(*v * slope));
            }
            let y = conv1d::conv_transpose1d(
                &values,
                len,
                &self.weight,
                bias,
                conv1d::TransposedShape {
                    in_channels,
                    out_channels: out,
                    kernel,
                    stride: n.stride,
                    padding: n.padding,
                },
            );
            let out_len = y.len() / out;
            (y, out_len)
        } else {
            let _span = profile::span("piper_conv1d");
            if n.stride != 1 {
                return Err(ModelError::Unsupported(format!("a stride of {}", n.stride)));
            }
            let shape = conv1d::ConvShape {
                in_channels,
                out_channels: out,
                kernel,
                dilation: n.dilation,
                padding: n.padding,
                input_slope,
            };
            (
                conv1d::conv1d(&values, len, &self.weight, bias, shape),
                shape.output_len(len),
            )
        };
        Ok(Tensor::from_vec(y, (1, out, out_len), x.device())?)
    }

    /// Candle runs a grouped conv as one conv per group (192 here): summing shifted,
    /// per-channel scaled copies of the input is the same arithmetic in `kernel` ops.
    fn depthwise(&self, x: &Tensor, taps: &[Tensor]) -> Result<Tensor> {
        let n = &self.node;
        let len = x.dim(2)?;
        let padded = x.pad_with_zeros(2, n.padding, n.padding)?;
        let out_len = (len + 2 * n.padding).saturating_sub(n.dilation * (taps.len() - 1));
        let mut sum: Option<Tensor> = None;
        for (k, tap) in taps.iter().enumerate() {
            let term = padded
                .narrow(2, k * n.dilation, out_len)?
                .broadcast_mul(tap)?;
            sum = Some(match sum {
                Some(s) => (s + term)?,
                None => term,
            });
        }
        let y = sum.ok_or_else(|| ModelError::BadModel("a depthwise conv with no taps".into()))?;
        Ok(match &self.bias {
            Some(bias) => y.broadcast_add(bias)?,
            None => y,
        })
    }
}

/// `modules.LayerNorm`: each frame normalized over its channels, then `gamma`, `beta`.
#[derive(Debug, Clone)]
pub(crate) struct ChannelNorm {
    gamma: Tensor,
    beta: Tensor,
}

impl ChannelNorm {
    /// `path.gamma` and `path.beta`.
    pub fn load(weights: &OnnxWeights, path: &str, channels: usize) -> Result<Self> {
        Ok(ChannelNorm {
            gamma: weights
                .tensor(&format!("{path}.gamma"), &[channels])?
                .reshape((1, channels, 1))?,
            beta: weights
                .tensor(&format!("{path}.beta"), &[channels])?
                .reshape((1, channels, 1))?,
        })
    }

    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        const EPS: f64 = 1e-5;
        let mean = x.mean_keepdim(1)?;
        let centered = x.broadcast_sub(&mean)?;
        let var = centered.sqr()?.mean_keepdim(1)?;
        let normed = centered.broadcast_div(&(var + EPS)?.sqrt()?)?;
        Ok(normed
            .broadcast_mul(&self.gamma)?
            .broadcast_add(&self.beta)?)
    }
}

/// `F.leaky_relu(x, slope)`.
fn leaky_relu(x: &Tensor, slope: f64) -> Result<Tensor> {
    let _span = profile::span("piper_leaky_relu");
    Ok(x.maximum(&(x * slope)?)?)
}

/// `torch.flip(x, [1])`: the channels in reverse order (VITS's `Flip` flow).
pub(crate) fn flip_channels(x: &Tensor) -> Result<Tensor> {
    let channels = x.dim(1)?;
    let order: Vec<u32> = (0..channels as u32).rev().collect();
    let index = Tensor::new(order.as_slice(), x.device())?;
    Ok(x.index_select(&index, 1)?.contiguous()?)
}

/// The last dimension's softmax, for attention scores.
pub(crate) fn softmax_last(x: &Tensor) -> Result<Tensor> {
    Ok(candle_nn::ops::softmax(x, D::Minus1)?)
}
