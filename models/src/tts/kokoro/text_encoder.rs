//! `text_encoder` (`modules.py` `TextEncoder`): phoneme embedding, `depth` x (Conv1d k5,
//! LayerNorm over channels, leaky ReLU 0.2), then a bidirectional LSTM: the `[512, T]` acoustic
//! features the alignment stretches to frames (`asr`).

use candle_core::{D, Tensor};

use super::layers::{Conv1d, Lstm, layer_norm_last, leaky_relu};
use super::onnx::KokoroWeights;
use crate::Result;

struct CnnLayer {
    conv: Conv1d,
    gamma: Tensor,
    beta: Tensor,
}

pub(crate) struct TextEncoder {
    embedding: Tensor,
    cnn: Vec<CnnLayer>,
    lstm: Lstm,
}

impl TextEncoder {
    pub fn load(w: &KokoroWeights, depth: usize) -> Result<Self> {
        let mut cnn = Vec::new();
        for i in 0..depth {
            cnn.push(CnnLayer {
                conv: Conv1d::same(w, &format!("text_encoder.cnn.{i}.0"), 1)?,
                gamma: w.get(&format!("text_encoder.cnn.{i}.1.gamma"))?,
                beta: w.get(&format!("text_encoder.cnn.{i}.1.beta"))?,
            });
        }
        Ok(Self {
            embedding: w.get("text_encoder.embedding.weight")?,
            cnn,
            lstm: Lstm::load(w, "text_encoder.lstm")?,
        })
    }

    /// `ids [T]` -> `[512, T]`.
    pub fn forward(&self, ids: &Tensor) -> Result<Tensor> {
        let mut x = self.embedding.index_select(ids, 0)?.t()?.unsqueeze(0)?;
        for layer in &self.cnn {
            let y = layer.conv.forward(&x.contiguous()?)?;
            // LayerNorm over channels: normalize `[T, C]` rows.
            let y = layer_norm_last(&y.squeeze(0)?.t()?, 1e-5)?
                .broadcast_mul(&layer.gamma)?
                .broadcast_add(&layer.beta)?;
            x = leaky_relu(&y, 0.2)?.t()?.unsqueeze(0)?;
        }
        let x = x.squeeze(0)?.t()?.contiguous()?;
        let _ = D::Minus1;
        Ok(self.lstm.forward(&x)?.t()?.contiguous()?)
    }
}
