//! `predictor` (`modules.py` `ProsodyPredictor`): the duration encoder (LSTMs interleaved with
//! style-conditioned `AdaLayerNorm`), the duration LSTM and projection, and `F0Ntrain` (the
//! shared LSTM, then the F0 and energy (`N`) towers of `AdainResBlk1d`s at twice the frame rate).

use candle_core::Tensor;
use candle_nn::ops::sigmoid;

use super::layers::{AdainResBlk1d, Conv1d, Linear, Lstm, layer_norm_last};
use super::onnx::KokoroWeights;
use crate::Result;

/// `DurationEncoder`: `nlayers` pairs of (LSTM, AdaLayerNorm); the style rides along as extra
/// channels after every norm.
struct DurationEncoder {
    lstms: Vec<Lstm>,
    norms: Vec<Linear>,
}

pub(crate) struct Prosody {
    text_encoder: DurationEncoder,
    lstm: Lstm,
    duration_proj: Linear,
    shared: Lstm,
    f0: Vec<AdainResBlk1d>,
    n: Vec<AdainResBlk1d>,
    f0_proj: Conv1d,
    n_proj: Conv1d,
}

impl Prosody {
    pub fn load(w: &KokoroWeights, n_layer: usize, d_hid: usize) -> Result<Self> {
        let mut lstms = Vec::new();
        let mut norms = Vec::new();
        for i in 0..n_layer {
            lstms.push(Lstm::load(
                w,
                &format!("predictor.text_encoder.lstms.{}", 2 * i),
            )?);
            norms.push(Linear::load(
                w,
                &format!("predictor.text_encoder.lstms.{}.fc", 2 * i + 1),
            )?);
        }
        let tower = |name: &str| -> Result<Vec<AdainResBlk1d>> {
            Ok(vec![
                AdainResBlk1d::load(w, &format!("predictor.{name}.0"), d_hid, d_hid, false)?,
                AdainResBlk1d::load(w, &format!("predictor.{name}.1"), d_hid, d_hid / 2, true)?,
                AdainResBlk1d::load(
                    w,
                    &format!("predictor.{name}.2"),
                    d_hid / 2,
                    d_hid / 2,
                    false,
                )?,
            ])
        };
        Ok(Self {
            text_encoder: DurationEncoder { lstms, norms },
            lstm: Lstm::load(w, "predictor.lstm")?,
            duration_proj: Linear::load(w, "predictor.duration_proj.linear_layer")?,
            shared: Lstm::load(w, "predictor.shared")?,
            f0: tower("F0")?,
            n: tower("N")?,
            f0_proj: Conv1d::load(w, "predictor.F0_proj", 0, 1, 1)?,
            n_proj: Conv1d::load(w, "predictor.N_proj", 0, 1, 1)?,
        })
    }

    /// `d_en [T, 512]`, style `s [1, 128]` -> `d [T, 640]` (`predictor.text_encoder`).
    pub fn encode(&self, d_en: &Tensor, style: &Tensor) -> Result<Tensor> {
        let t = d_en.dim(0)?;
        let s = style.broadcast_as((t, style.dim(1)?))?;
        let mut x = Tensor::cat(&[d_en, &s], 1)?;
        for (lstm, fc) in self.text_encoder.lstms.iter().zip(&self.text_encoder.norms) {
            x = lstm.forward(&x)?;
            // AdaLayerNorm: layer norm over channels, `(1 + gamma) x + beta` from the style.
            let h = fc.forward(style)?.squeeze(0)?;
            let c = h.dim(0)? / 2;
            let gamma = (h.narrow(0, 0, c)? + 1.0)?;
            let beta = h.narrow(0, c, c)?;
            x = layer_norm_last(&x, 1e-5)?
                .broadcast_mul(&gamma)?
                .broadcast_add(&beta)?;
            x = Tensor::cat(&[&x, &s], 1)?;
        }
        Ok(x)
    }

    /// Frames per phoneme: `round(sum(sigmoid(duration_proj(lstm(d)))) / speed)`, at least 1.
    pub fn durations(&self, d: &Tensor, speed: f32) -> Result<Vec<usize>> {
        let x = self.lstm.forward(d)?;
        let logits = self.duration_proj.forward(&x)?;
        let sums: Vec<f32> = sigmoid(&logits)?.sum(1)?.to_vec1()?;
        Ok(sums
            .iter()
            // onnxruntime's Round (and torch.round) round half to even.
            .map(|&s| (s / speed).round_ties_even().max(1.0) as usize)
            .collect())
    }

    /// `F0Ntrain(en, s)`: `en [640, F]` -> `(F0, N)`, each `[2F]`.
    pub fn f0_n(&self, en: &Tensor, style: &Tensor) -> Result<(Tensor, Tensor)> {
        let x = self.shared.forward(&en.t()?.contiguous()?)?;
        let x = x.t()?.unsqueeze(0)?.contiguous()?;
        let run = |blocks: &[AdainResBlk1d], proj: &Conv1d| -> Result<Tensor> {
            let mut y = x.clone();
            for block in blocks {
                y = block.forward(&y, style)?;
            }
            Ok(proj.forward(&y)?.squeeze(0)?.squeeze(0)?)
        };
        Ok((run(&self.f0, &self.f0_proj)?, run(&self.n, &self.n_proj)?))
    }
}
