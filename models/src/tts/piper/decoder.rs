//! VITS's HiFi-GAN generator (`dec`, `models.Generator`): latent frames upsampled by transposed
//! convolutions (`ups`), each stage followed by the mean of its multi-receptive-field residual
//! blocks (`resblocks`, `modules.ResBlock1` or `ResBlock2`, told apart by their weights), then
//! `conv_post` and `tanh` to a waveform. Strides, paddings and dilations come from the graph.

use candle_core::Tensor;

use super::layers::Conv1d;
use super::onnx::OnnxWeights;
use crate::profile;
use crate::{ModelError, Result};

/// `LRELU_SLOPE` inside the generator and its residual blocks.
const LRELU_SLOPE: f32 = 0.1;
/// The last `F.leaky_relu(x)` before `conv_post` uses PyTorch's default slope.
const FINAL_SLOPE: f32 = 0.01;

/// `ResBlock1` (`convs1` then `convs2`, pairwise) or `ResBlock2` (`convs`, one at a time).
enum ResBlock {
    Pairs(Vec<(Conv1d, Conv1d)>),
    Single(Vec<Conv1d>),
}

impl ResBlock {
    fn load(w: &OnnxWeights, path: &str, channels: usize) -> Result<Self> {
        let list = |name: &str| -> Result<Vec<Conv1d>> {
            (0..)
                .map_while(|j| {
                    let p = format!("{path}.{name}.{j}");
                    w.has_conv(&p)
                        .then(|| Conv1d::load(w, &p, channels, channels))
                })
                .collect()
        };
        let convs = list("convs")?;
        if !convs.is_empty() {
            return Ok(ResBlock::Single(convs));
        }
        let (convs1, convs2) = (list("convs1")?, list("convs2")?);
        if convs1.is_empty() || convs1.len() != convs2.len() {
            return Err(ModelError::BadModel(format!(
                "{path} is neither a ResBlock1 nor a ResBlock2"
            )));
        }
        Ok(ResBlock::Pairs(convs1.into_iter().zip(convs2).collect()))
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mut x = x.clone();
        match self {
            ResBlock::Single(convs) => {
                for c in convs {
                    x = (c.forward_leaky(&x, LRELU_SLOPE)? + x)?;
                }
            }
            ResBlock::Pairs(pairs) => {
                for (c1, c2) in pairs {
                    let xt = c1.forward_leaky(&x, LRELU_SLOPE)?;
                    x = (c2.forward_leaky(&xt, LRELU_SLOPE)? + x)?;
                }
            }
        }
        Ok(x)
    }
}

pub(crate) struct Decoder {
    conv_pre: Conv1d,
    ups: Vec<Conv1d>,
    /// `resblocks[i]`: the blocks after `ups[i]`, whose outputs are averaged.
    resblocks: Vec<Vec<ResBlock>>,
    conv_post: Conv1d,
}

impl Decoder {
    pub fn load(w: &OnnxWeights, inter: usize) -> Result<Self> {
        let initial = w.conv("dec.conv_pre")?.weight.dim(0)?;
        let conv_pre = Conv1d::load(w, "dec.conv_pre", inter, initial)?;
        let mut ups = Vec::new();
        let mut channels = initial;
        while w.has_conv(&format!("dec.ups.{}", ups.len())) {
            let path = format!("dec.ups.{}", ups.len());
            let out = w.conv(&path)?.weight.dim(1)?;
            ups.push(Conv1d::load(w, &path, channels, out)?);
            channels = out;
        }
        let blocks_total = (0..)
            .take_while(|j| {
                w.has_conv(&format!("dec.resblocks.{j}.convs.0"))
                    || w.has_conv(&format!("dec.resblocks.{j}.convs1.0"))
            })
            .count();
        if ups.is_empty() || blocks_total == 0 || blocks_total % ups.len() != 0 {
            return Err(ModelError::BadModel(format!(
                "the decoder has {} upsamplers and {blocks_total} residual blocks",
                ups.len()
            )));
        }
        let kernels = blocks_total / ups.len();
        let mut resblocks = Vec::with_capacity(ups.len());
        for (i, up) in ups.iter().enumerate() {
            let ch = up.output_channels();
            let stage = (0..kernels)
                .map(|k| ResBlock::load(w, &format!("dec.resblocks.{}", i * kernels + k), ch))
                .collect::<Result<Vec<_>>>()?;
            resblocks.push(stage);
        }
        Ok(Decoder {
            conv_pre,
            ups,
            resblocks,
            conv_post: Conv1d::load(w, "dec.conv_post", channels, 1)?,
        })
    }

    /// Samples per latent frame: the product of the upsampling strides.
    pub fn hop_length(&self) -> usize {
        self.ups.iter().map(Conv1d::stride).product()
    }

    /// `[1, inter, frames]` -> `[frames * hop]` samples in [-1, 1].
    pub fn forward(&self, z: &Tensor) -> Result<Tensor> {
        let mut x = self.conv_pre.forward(z)?;
        for (up, blocks) in self.ups.iter().zip(&self.resblocks) {
            x = {
                let _span = profile::span("piper_dec_ups");
                up.forward_leaky(&x, LRELU_SLOPE)?
            };
            let _span = profile::span("piper_dec_resblocks");
            let mut sum: Option<Tensor> = None;
            for block in blocks {
                let y = block.forward(&x)?;
                sum = Some(match sum {
                    Some(s) => (s + y)?,
                    None => y,
                });
            }
            let sum = sum.ok_or_else(|| ModelError::BadModel("no residual blocks".into()))?;
            x = (sum / blocks.len() as f64)?;
        }
        let y = self.conv_post.forward_leaky(&x, FINAL_SLOPE)?.tanh()?;
        Ok(y.flatten_all()?)
    }
}
