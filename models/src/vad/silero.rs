//! Silero VAD v5/v6, 16 kHz branch, on Candle. Mirrors silero-vad 6.2.3's `tinygrad_model.py`
//! (`TinySileroVAD`) over the weights in `silero_vad_16k.safetensors`, and the streaming of
//! `utils_vad.OnnxWrapper`: each 512-sample frame is scored with the 64 samples before it as
//! context, and the LSTM state carries over.

use candle_core::{D, DType, Device, Module, Tensor};
use candle_nn::{Conv1d, Conv1dConfig};

use super::{FRAME, FrameScorer};
use crate::{ModelError, Result};

/// `context_size` for 16 kHz.
const CONTEXT: usize = 64;
/// `self.pad`: reflect padding on the right before the STFT convolution.
const PAD: usize = 64;
/// `self.cutoff`: n_fft / 2 + 1 frequency bins.
const CUTOFF: usize = 129;
/// `self.stride` of `stft_conv`.
const STFT_STRIDE: usize = 128;
/// The LSTM cell's width.
const HIDDEN: usize = 128;

pub struct SileroVad {
    /// `stft_conv.weight`: 258 fixed filters (real and imaginary parts of a windowed DFT).
    stft: Tensor,
    /// `conv1`..`conv4` (kernel 3, padding 1; strides 1, 2, 2, 1).
    convs: [Conv1d; 4],
    /// `lstm_cell.weight_ih`, `weight_hh` and the two biases summed (they are only ever added).
    w_ih: Tensor,
    w_hh: Tensor,
    bias: Tensor,
    /// `final_conv` (1x1, 128 -> 1).
    head: Conv1d,
    /// The recurrent state `(h, c)`, each `(1, 128)`.
    state: (Tensor, Tensor),
    /// The last 64 samples of the previous input.
    context: Vec<f32>,
    /// `(1, 128)` zeros: the state before the first frame.
    zeros: Tensor,
    device: Device,
}

impl SileroVad {
    /// Loads `silero_vad_16k.safetensors` (16 f32 tensors) from its bytes.
    pub fn from_safetensors(bytes: &[u8]) -> Result<Self> {
        let device = Device::Cpu;
        let tensors = candle_core::safetensors::load_buffer(bytes, &device)?;
        let get = |name: &str, shape: &[usize]| -> Result<Tensor> {
            let t = tensors
                .get(name)
                .ok_or_else(|| ModelError::BadModel(format!("silero: no tensor {name}")))?;
            if t.dims() != shape {
                return Err(ModelError::BadModel(format!(
                    "silero: {name} has shape {:?}, expected {shape:?}",
                    t.dims()
                )));
            }
            Ok(t.to_dtype(DType::F32)?)
        };
        let conv = |name: &str, out: usize, inp: usize, stride: usize| -> Result<Conv1d> {
            let config = Conv1dConfig {
                padding: 1,
                stride,
                ..Default::default()
            };
            Ok(Conv1d::new(
                get(&format!("{name}.weight"), &[out, inp, 3])?,
                Some(get(&format!("{name}.bias"), &[out])?),
                config,
            ))
        };
        let convs = [
            conv("conv1", 128, CUTOFF, 1)?,
            conv("conv2", 64, 128, 2)?,
            conv("conv3", 64, 64, 2)?,
            conv("conv4", 128, 64, 1)?,
        ];
        let bias =
            (get("lstm_cell.bias_ih", &[4 * HIDDEN])? + get("lstm_cell.bias_hh", &[4 * HIDDEN])?)?;
        let head = Conv1d::new(
            get("final_conv.weight", &[1, HIDDEN, 1])?,
            Some(get("final_conv.bias", &[1])?),
            Conv1dConfig::default(),
        );
        let zeros = Tensor::zeros((1, HIDDEN), DType::F32, &device)?;
        Ok(SileroVad {
            stft: get("stft_conv.weight", &[2 * CUTOFF, 1, 256])?,
            convs,
            w_ih: get("lstm_cell.weight_ih", &[4 * HIDDEN, HIDDEN])?.t()?,
            w_hh: get("lstm_cell.weight_hh", &[4 * HIDDEN, HIDDEN])?.t()?,
            bias: bias.unsqueeze(0)?,
            head,
            state: (zeros.clone(), zeros.clone()),
            context: vec![0.0; CONTEXT],
            zeros,
            device,
        })
    }

    /// `TinySileroVAD.__call__` on one frame with its context prepended.
    fn forward(&mut self, frame: &[f32]) -> Result<f32> {
        // x = torch.cat([context, x]); x.pad((0, 64), "reflect")
        let mut x = Vec::with_capacity(CONTEXT + FRAME + PAD);
        x.extend_from_slice(&self.context);
        x.extend_from_slice(frame);
        let n = x.len();
        for i in 0..PAD {
            x.push(x[n - 2 - i]);
        }
        self.context.copy_from_slice(&x[n - CONTEXT..n]);
        let len = x.len();
        let x = Tensor::from_vec(x, (1, 1, len), &self.device)?;
        // stft_conv, then magnitude: sqrt(real^2 + imag^2)
        let spec = x.conv1d(&self.stft, 0, STFT_STRIDE, 1, 1)?;
        let re = spec.narrow(1, 0, CUTOFF)?;
        let im = spec.narrow(1, CUTOFF, CUTOFF)?;
        let mut x = (re.sqr()? + im.sqr()?)?.sqrt()?;
        for conv in &self.convs {
            x = conv.forward(&x)?.relu()?;
        }
        // conv4 leaves one time step: (1, 128, 1) -> (1, 128)
        let x = x.squeeze(D::Minus1)?;
        let (h, c) = &self.state;
        // nn.LSTMCell, gates in PyTorch's order i, f, g, o
        let gates = (x.matmul(&self.w_ih)? + h.matmul(&self.w_hh)?)?.broadcast_add(&self.bias)?;
        let gate = |k: usize| gates.narrow(1, k * HIDDEN, HIDDEN);
        let i = candle_nn::ops::sigmoid(&gate(0)?)?;
        let f = candle_nn::ops::sigmoid(&gate(1)?)?;
        let g = gate(2)?.tanh()?;
        let o = candle_nn::ops::sigmoid(&gate(3)?)?;
        let c = ((f * c)? + (i * g)?)?;
        let h = (o * c.tanh()?)?;
        let out = self.head.forward(&h.relu()?.unsqueeze(D::Minus1)?)?;
        let prob = candle_nn::ops::sigmoid(&out)?
            .mean_all()?
            .to_scalar::<f32>()?;
        self.state = (h, c);
        Ok(prob)
    }
}

impl FrameScorer for SileroVad {
    fn score(&mut self, frame: &[f32]) -> Result<f32> {
        if frame.len() != FRAME {
            return Err(ModelError::BadAudio(format!(
                "silero takes {FRAME}-sample frames, got {}",
                frame.len()
            )));
        }
        self.forward(frame)
    }

    fn reset(&mut self) {
        self.state = (self.zeros.clone(), self.zeros.clone());
        self.context.fill(0.0);
    }
}
