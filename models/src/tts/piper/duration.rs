//! VITS's stochastic duration predictor (`dp`, `models.StochasticDurationPredictor`) run in
//! reverse, as inference runs it: noise (scaled by `noise_w`) goes back through the flows
//! `Flip, ConvFlow, …, Flip, ElementwiseAffine` (the first ConvFlow, `flows.1`, is dropped
//! upstream as "a useless vflow"), conditioned on the text encoder's output, and the first
//! channel is each phoneme's log-duration `logw`.

use candle_core::{Device, Tensor};

use super::layers::{ChannelNorm, Conv1d, flip_channels};
use super::onnx::OnnxWeights;
use super::spline;
use crate::nn::Rng;
use crate::{ModelError, Result};

/// `modules.DDSConv`: dilated depthwise-separable convolutions with residuals.
struct DdsConv {
    layers: Vec<DdsLayer>,
}

struct DdsLayer {
    sep: Conv1d,
    norm_1: ChannelNorm,
    conv_1x1: Conv1d,
    norm_2: ChannelNorm,
}

impl DdsConv {
    fn load(w: &OnnxWeights, path: &str, channels: usize) -> Result<Self> {
        let mut layers = Vec::new();
        while w.has_conv(&format!("{path}.convs_sep.{}", layers.len())) {
            let i = layers.len();
            layers.push(DdsLayer {
                sep: Conv1d::load(w, &format!("{path}.convs_sep.{i}"), channels, channels)?,
                norm_1: ChannelNorm::load(w, &format!("{path}.norms_1.{i}"), channels)?,
                conv_1x1: Conv1d::load(w, &format!("{path}.convs_1x1.{i}"), channels, channels)?,
                norm_2: ChannelNorm::load(w, &format!("{path}.norms_2.{i}"), channels)?,
            });
        }
        if layers.is_empty() {
            return Err(ModelError::BadModel(format!("{path} has no layers")));
        }
        Ok(DdsConv { layers })
    }

    /// `forward(x, x_mask, g)`: `g`, when given, is added to the input first.
    fn forward(&self, x: &Tensor, g: Option<&Tensor>) -> Result<Tensor> {
        let mut x = match g {
            Some(g) => (x + g)?,
            None => x.clone(),
        };
        for layer in &self.layers {
            let y = layer.norm_1.forward(&layer.sep.forward(&x)?)?.gelu_erf()?;
            let y = layer
                .norm_2
                .forward(&layer.conv_1x1.forward(&y)?)?
                .gelu_erf()?;
            x = (x + y)?;
        }
        Ok(x)
    }
}

/// `modules.ConvFlow` over 2 channels: the second is mapped through a spline whose knots the
/// first one (and the condition) predicts.
struct ConvFlow {
    pre: Conv1d,
    convs: DdsConv,
    proj: Conv1d,
    filter_channels: usize,
    num_bins: usize,
}

/// `ConvFlow`'s `tail_bound`.
const TAIL_BOUND: f64 = 5.0;

impl ConvFlow {
    fn load(w: &OnnxWeights, path: &str, filter_channels: usize) -> Result<Self> {
        let proj_out = w.conv(&format!("{path}.proj"))?.weight.dim(0)?;
        // proj emits num_bins widths, num_bins heights and num_bins - 1 derivatives.
        if proj_out % 3 != 2 {
            return Err(ModelError::BadModel(format!(
                "{path}.proj has {proj_out} outputs, not 3 * bins - 1"
            )));
        }
        Ok(ConvFlow {
            pre: Conv1d::load(w, &format!("{path}.pre"), 1, filter_channels)?,
            convs: DdsConv::load(w, &format!("{path}.convs"), filter_channels)?,
            proj: Conv1d::load(w, &format!("{path}.proj"), filter_channels, proj_out)?,
            filter_channels,
            num_bins: proj_out.div_ceil(3),
        })
    }

    fn reverse(&self, z: &Tensor, condition: &Tensor) -> Result<Tensor> {
        let x0 = z.narrow(1, 0, 1)?;
        let x1 = z.narrow(1, 1, 1)?.flatten_all()?.to_vec1::<f32>()?;
        let h = self.pre.forward(&x0)?;
        let h = self.convs.forward(&h, Some(condition))?;
        // [1, 3 * bins - 1, t] -> per frame, its 3 * bins - 1 spline parameters.
        let h = self.proj.forward(&h)?.squeeze(0)?.t()?.contiguous()?;
        let params = h.to_vec2::<f32>()?;
        let scale = (self.filter_channels as f64).sqrt();
        let bins = self.num_bins;
        let x1: Vec<f32> = x1
            .iter()
            .zip(&params)
            .map(|(&y, p)| {
                let p: Vec<f64> = p.iter().map(|&v| f64::from(v)).collect();
                let widths: Vec<f64> = p[..bins].iter().map(|v| v / scale).collect();
                let heights: Vec<f64> = p[bins..2 * bins].iter().map(|v| v / scale).collect();
                let derivatives = &p[2 * bins..];
                spline::inverse(f64::from(y), &widths, &heights, derivatives, TAIL_BOUND) as f32
            })
            .collect();
        let x1 = Tensor::from_vec(x1, (1, 1, params.len()), z.device())?;
        Ok(Tensor::cat(&[&x0, &x1], 1)?)
    }
}

pub(crate) struct DurationPredictor {
    pre: Conv1d,
    convs: DdsConv,
    proj: Conv1d,
    /// Highest first: the order reverse inference runs them.
    flows: Vec<ConvFlow>,
    /// `flows.0` (`ElementwiseAffine`): `m`, `[1, 2, 1]`.
    affine_m: Tensor,
    /// `exp(-logs)` of `flows.0`, `[1, 2, 1]`.
    affine_inv_scale: Tensor,
}

impl DurationPredictor {
    pub fn load(w: &OnnxWeights, hidden: usize) -> Result<Self> {
        let filter = w.conv("dp.pre")?.weight.dim(0)?;
        let mut flows = Vec::new();
        // flows.1 is never run in reverse, so the export leaves it out; the rest are odd.
        let mut i = 3;
        while w.has_conv(&format!("dp.flows.{i}.pre")) {
            flows.push(ConvFlow::load(w, &format!("dp.flows.{i}"), filter)?);
            i += 2;
        }
        if flows.is_empty() {
            return Err(ModelError::BadModel(
                "the duration predictor has no flows".into(),
            ));
        }
        flows.reverse();
        let affine_m = w.tensor("dp.flows.0.m", &[2, 1])?.reshape((1, 2, 1))?;
        // The export folded `exp(-logs)` into a constant; a model keeping `logs` gives it too.
        let affine_inv_scale = match w.tensor("dp.flows.0.logs", &[2, 1]) {
            Ok(logs) => logs.neg()?.exp()?,
            Err(_) => w.tensor("/dp/flows.0/Exp_output_0", &[2, 1])?,
        }
        .reshape((1, 2, 1))?;
        Ok(DurationPredictor {
            pre: Conv1d::load(w, "dp.pre", hidden, filter)?,
            convs: DdsConv::load(w, "dp.convs", filter)?,
            proj: Conv1d::load(w, "dp.proj", filter, filter)?,
            flows,
            affine_m,
            affine_inv_scale,
        })
    }

    /// `logw`, `[1, 1, t]`, for the encoder output `hidden` (`[1, hidden, t]`).
    pub fn log_durations(&self, hidden: &Tensor, noise_w: f32, rng: &mut Rng) -> Result<Tensor> {
        let t = hidden.dim(2)?;
        let x = self.pre.forward(hidden)?;
        let x = self.proj.forward(&self.convs.forward(&x, None)?)?;
        let noise = standard_normal(rng, 2 * t)
            .into_iter()
            .map(|v| v * noise_w)
            .collect();
        let mut z = Tensor::from_vec(noise, (1, 2, t), &Device::Cpu)?.to_device(hidden.device())?;
        for flow in &self.flows {
            z = flip_channels(&z)?;
            z = flow.reverse(&z, &x)?;
        }
        z = flip_channels(&z)?;
        z = z
            .broadcast_sub(&self.affine_m)?
            .broadcast_mul(&self.affine_inv_scale)?;
        Ok(z.narrow(1, 0, 1)?)
    }
}

/// `n` draws from N(0, 1) (Box-Muller), reproducible from the seed.
pub(crate) fn standard_normal(rng: &mut Rng, n: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(n + 1);
    while out.len() < n {
        let u1 = rng.next_f64().max(f64::MIN_POSITIVE);
        let u2 = rng.next_f64();
        let radius = (-2.0 * u1.ln()).sqrt();
        let angle = std::f64::consts::TAU * u2;
        out.push((radius * angle.cos()) as f32);
        out.push((radius * angle.sin()) as f32);
    }
    out.truncate(n);
    out
}
