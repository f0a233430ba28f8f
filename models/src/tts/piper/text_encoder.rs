//! VITS's text encoder (`enc_p`, `models.TextEncoder` over `attentions.Encoder`): phoneme
//! embeddings through transformer layers with windowed relative-position self-attention
//! (`MultiHeadAttention` with `window_size`, heads sharing one table) and a convolutional
//! feed-forward, then the prior's mean and log-scale per phoneme (`proj` -> `m_p`, `logs_p`).
//! One sentence at a time, so no masks: every position is real.

use candle_core::{IndexOp, Tensor};

use super::layers::{ChannelNorm, Conv1d, softmax_last};
use super::onnx::OnnxWeights;
use crate::{ModelError, Result};

/// `enc_p`'s output: `x` feeds the duration predictor, `m` and `logs` the prior.
pub(crate) struct Encoded {
    /// `[1, hidden, phonemes]`.
    pub hidden: Tensor,
    /// `m_p`, `[1, inter, phonemes]`.
    pub mean: Tensor,
    /// `logs_p`, `[1, inter, phonemes]`.
    pub log_scale: Tensor,
}

struct Attention {
    conv_q: Conv1d,
    conv_k: Conv1d,
    conv_v: Conv1d,
    conv_o: Conv1d,
    /// `emb_rel_k`, `[2 * window + 1, k_channels]`.
    emb_rel_k: Tensor,
    /// `emb_rel_v`, `[2 * window + 1, k_channels]`.
    emb_rel_v: Tensor,
    heads: usize,
    window: usize,
}

struct FeedForward {
    conv_1: Conv1d,
    conv_2: Conv1d,
}

struct Layer {
    attn: Attention,
    norm_1: ChannelNorm,
    ffn: FeedForward,
    norm_2: ChannelNorm,
}

pub(crate) struct TextEncoder {
    /// `emb`, `[vocab, hidden]` (the export names it `sid`).
    emb: Tensor,
    layers: Vec<Layer>,
    proj: Conv1d,
    hidden: usize,
    inter: usize,
}

/// The export named the phoneme embedding after the graph input it sits beside.
const EMBEDDING: &str = "sid";

impl TextEncoder {
    pub fn load(w: &OnnxWeights) -> Result<Self> {
        let emb = w
            .tensors
            .get(EMBEDDING)
            .cloned()
            .ok_or_else(|| ModelError::BadModel("no phoneme embedding (enc_p.emb)".into()))?;
        let (_, hidden) = emb.dims2()?;
        let mut layers = Vec::new();
        while w.has_conv(&format!(
            "enc_p.encoder.attn_layers.{}.conv_q",
            layers.len()
        )) {
            layers.push(Layer::load(w, layers.len(), hidden)?);
        }
        if layers.is_empty() {
            return Err(ModelError::BadModel(
                "the text encoder has no layers".into(),
            ));
        }
        let proj_out = w.conv("enc_p.proj")?.weight.dim(0)?;
        let proj = Conv1d::load(w, "enc_p.proj", hidden, proj_out)?;
        Ok(TextEncoder {
            emb,
            layers,
            proj,
            hidden,
            inter: proj_out / 2,
        })
    }

    pub fn hidden_channels(&self) -> usize {
        self.hidden
    }

    pub fn inter_channels(&self) -> usize {
        self.inter
    }

    pub fn vocab_size(&self) -> usize {
        self.emb.dim(0).unwrap_or(0)
    }

    /// `ids`: one sentence's phoneme ids, each below `vocab_size`.
    pub fn forward(&self, ids: &[u32]) -> Result<Encoded> {
        let index = Tensor::new(ids, self.emb.device())?;
        // emb(x) * sqrt(hidden), [t, h] -> [1, h, t]
        let mut x = (self.emb.index_select(&index, 0)? * (self.hidden as f64).sqrt())?
            .t()?
            .unsqueeze(0)?
            .contiguous()?;
        for layer in &self.layers {
            let y = layer.attn.forward(&x)?;
            x = layer.norm_1.forward(&(x + y)?)?;
            let y = layer.ffn.forward(&x)?;
            x = layer.norm_2.forward(&(x + y)?)?;
        }
        let stats = self.proj.forward(&x)?;
        Ok(Encoded {
            mean: stats.narrow(1, 0, self.inter)?,
            log_scale: stats.narrow(1, self.inter, self.inter)?,
            hidden: x,
        })
    }
}

impl Layer {
    fn load(w: &OnnxWeights, i: usize, hidden: usize) -> Result<Self> {
        let attn_path = format!("enc_p.encoder.attn_layers.{i}");
        let rel_k = w
            .tensors
            .get(&format!("{attn_path}.emb_rel_k"))
            .ok_or_else(|| ModelError::BadModel(format!("no {attn_path}.emb_rel_k")))?;
        // Heads share one table: [1, 2 * window + 1, k_channels].
        let (_, span, k_channels) = rel_k.dims3()?;
        if k_channels == 0 || !hidden.is_multiple_of(k_channels) || span.is_multiple_of(2) {
            return Err(ModelError::BadModel(format!(
                "{attn_path}.emb_rel_k has shape {:?}",
                rel_k.dims()
            )));
        }
        let conv = |name: &str| Conv1d::load(w, &format!("{attn_path}.{name}"), hidden, hidden);
        let attn = Attention {
            conv_q: conv("conv_q")?,
            conv_k: conv("conv_k")?,
            conv_v: conv("conv_v")?,
            conv_o: conv("conv_o")?,
            emb_rel_k: w
                .tensor(&format!("{attn_path}.emb_rel_k"), &[1, span, k_channels])?
                .i(0)?,
            emb_rel_v: w
                .tensor(&format!("{attn_path}.emb_rel_v"), &[1, span, k_channels])?
                .i(0)?,
            heads: hidden / k_channels,
            window: span / 2,
        };
        let ffn_path = format!("enc_p.encoder.ffn_layers.{i}");
        let filter = w.conv(&format!("{ffn_path}.conv_1"))?.weight.dim(0)?;
        let ffn = FeedForward {
            conv_1: Conv1d::load(w, &format!("{ffn_path}.conv_1"), hidden, filter)?,
            conv_2: Conv1d::load(w, &format!("{ffn_path}.conv_2"), filter, hidden)?,
        };
        Ok(Layer {
            attn,
            norm_1: ChannelNorm::load(w, &format!("enc_p.encoder.norm_layers_1.{i}"), hidden)?,
            ffn,
            norm_2: ChannelNorm::load(w, &format!("enc_p.encoder.norm_layers_2.{i}"), hidden)?,
        })
    }
}

impl Attention {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (_, channels, t) = x.dims3()?;
        let k_channels = channels / self.heads;
        // [1, d, t] -> [heads, t, k_channels]
        let split = |y: Tensor| -> Result<Tensor> {
            Ok(y.reshape((self.heads, k_channels, t))?
                .transpose(1, 2)?
                .contiguous()?)
        };
        let q = (split(self.conv_q.forward(x)?)? / (k_channels as f64).sqrt())?;
        let k = split(self.conv_k.forward(x)?)?;
        let v = split(self.conv_v.forward(x)?)?;
        let scores = q.matmul(&k.t()?)?;
        // `_matmul_with_relative_keys` then `_relative_position_to_absolute_position`: the score
        // of i attending to j gains q_i . emb_rel_k[j - i + window] inside the window.
        let rel_logits = q.matmul(
            &self
                .emb_rel_k
                .t()?
                .unsqueeze(0)?
                .broadcast_as((self.heads, k_channels, 2 * self.window + 1))?
                .contiguous()?,
        )?;
        let local = self.band_to_square(&rel_logits, t)?;
        let p = softmax_last(&(scores + local)?)?;
        let mut out = p.matmul(&v)?;
        // `_absolute_position_to_relative_position`, then `_matmul_with_relative_values`.
        let rel_weights = self.square_to_band(&p, t)?;
        let rel_v = self
            .emb_rel_v
            .unsqueeze(0)?
            .broadcast_as((self.heads, 2 * self.window + 1, k_channels))?
            .contiguous()?;
        out = (out + rel_weights.matmul(&rel_v)?)?;
        // [heads, t, k] -> [1, d, t]
        let out = out.transpose(1, 2)?.reshape((1, channels, t))?;
        self.conv_o.forward(&out)
    }

    /// `[heads, t, 2w+1]` relative scores -> `[heads, t, t]`, zero outside the window.
    fn band_to_square(&self, band: &Tensor, t: usize) -> Result<Tensor> {
        let span = 2 * self.window + 1;
        let band = band.flatten_all()?.to_vec1::<f32>()?;
        let mut square = vec![0f32; self.heads * t * t];
        for h in 0..self.heads {
            for i in 0..t {
                let row = &mut square[(h * t + i) * t..(h * t + i + 1) * t];
                let from = i.saturating_sub(self.window);
                let to = (i + self.window + 1).min(t);
                for (j, value) in row.iter_mut().enumerate().take(to).skip(from) {
                    *value = band[(h * t + i) * span + j + self.window - i];
                }
            }
        }
        Ok(Tensor::from_vec(
            square,
            (self.heads, t, t),
            self.emb_rel_k.device(),
        )?)
    }

    /// `[heads, t, t]` weights -> `[heads, t, 2w+1]`: the weights within the window of each row.
    fn square_to_band(&self, square: &Tensor, t: usize) -> Result<Tensor> {
        let span = 2 * self.window + 1;
        let square = square.flatten_all()?.to_vec1::<f32>()?;
        let mut band = vec![0f32; self.heads * t * span];
        for h in 0..self.heads {
            for i in 0..t {
                let from = i.saturating_sub(self.window);
                let to = (i + self.window + 1).min(t);
                for j in from..to {
                    band[(h * t + i) * span + j + self.window - i] = square[(h * t + i) * t + j];
                }
            }
        }
        Ok(Tensor::from_vec(
            band,
            (self.heads, t, span),
            self.emb_rel_k.device(),
        )?)
    }
}

impl FeedForward {
    /// `FFN` with "same" padding (`_same_padding`) and ReLU.
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let same = |x: &Tensor, kernel: usize| x.pad_with_zeros(2, (kernel - 1) / 2, kernel / 2);
        let y = self
            .conv_1
            .forward(&same(x, self.conv_1.kernel_size())?)?
            .relu()?;
        self.conv_2.forward(&same(&y, self.conv_2.kernel_size())?)
    }
}
