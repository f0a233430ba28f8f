//! VITS's normalizing flow (`flow`, `models.ResidualCouplingBlock`) run in reverse: it turns
//! prior samples `z_p` into the decoder's latents `z` through mean-only affine coupling layers
//! (`modules.ResidualCouplingLayer`, each a WaveNet-style `modules.WN`) with channel flips
//! between them.

use candle_core::Tensor;

use super::layers::{Conv1d, flip_channels};
use super::onnx::OnnxWeights;
use crate::{ModelError, Result};

/// `modules.WN` without speaker conditioning: gated dilated convolutions whose skip outputs sum.
struct WaveNet {
    in_layers: Vec<Conv1d>,
    res_skip_layers: Vec<Conv1d>,
    hidden: usize,
}

impl WaveNet {
    fn load(w: &OnnxWeights, path: &str, hidden: usize) -> Result<Self> {
        let n = (0..)
            .take_while(|i| w.has_conv(&format!("{path}.in_layers.{i}")))
            .count();
        if n == 0 {
            return Err(ModelError::BadModel(format!("{path} has no layers")));
        }
        let mut in_layers = Vec::with_capacity(n);
        let mut res_skip_layers = Vec::with_capacity(n);
        for i in 0..n {
            let in_path = format!("{path}.in_layers.{i}");
            in_layers.push(Conv1d::load(w, &in_path, hidden, 2 * hidden)?);
            // Every layer but the last splits into residual and skip halves.
            let out = if i + 1 < n { 2 * hidden } else { hidden };
            let rs_path = format!("{path}.res_skip_layers.{i}");
            res_skip_layers.push(Conv1d::load(w, &rs_path, hidden, out)?);
        }
        Ok(WaveNet {
            in_layers,
            res_skip_layers,
            hidden,
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mut x = x.clone();
        let mut output: Option<Tensor> = None;
        let last = self.in_layers.len() - 1;
        for (i, (in_layer, res_skip)) in
            self.in_layers.iter().zip(&self.res_skip_layers).enumerate()
        {
            let x_in = in_layer.forward(&x)?;
            // `fused_add_tanh_sigmoid_multiply` with no condition.
            let acts = (x_in.narrow(1, 0, self.hidden)?.tanh()?
                * candle_nn::ops::sigmoid(&x_in.narrow(1, self.hidden, self.hidden)?)?)?;
            let res_skip_acts = res_skip.forward(&acts)?;
            let skip = if i < last {
                x = (x + res_skip_acts.narrow(1, 0, self.hidden)?)?;
                res_skip_acts.narrow(1, self.hidden, self.hidden)?
            } else {
                res_skip_acts
            };
            output = Some(match output {
                Some(o) => (o + skip)?,
                None => skip,
            });
        }
        output.ok_or_else(|| ModelError::BadModel("WN has no layers".into()))
    }
}

/// `modules.ResidualCouplingLayer` with `mean_only=True`.
struct CouplingLayer {
    pre: Conv1d,
    enc: WaveNet,
    post: Conv1d,
    half: usize,
}

impl CouplingLayer {
    fn load(w: &OnnxWeights, path: &str, channels: usize) -> Result<Self> {
        let half = channels / 2;
        let hidden = w.conv(&format!("{path}.pre"))?.weight.dim(0)?;
        Ok(CouplingLayer {
            pre: Conv1d::load(w, &format!("{path}.pre"), half, hidden)?,
            enc: WaveNet::load(w, &format!("{path}.enc"), hidden)?,
            post: Conv1d::load(w, &format!("{path}.post"), hidden, half)?,
            half,
        })
    }

    /// `reverse=True`: x1 <- x1 - m(x0).
    fn reverse(&self, x: &Tensor) -> Result<Tensor> {
        let x0 = x.narrow(1, 0, self.half)?;
        let x1 = x.narrow(1, self.half, self.half)?;
        let h = self.enc.forward(&self.pre.forward(&x0)?)?;
        let mean = self.post.forward(&h)?;
        Ok(Tensor::cat(&[&x0, &(x1 - mean)?], 1)?)
    }
}

pub(crate) struct Flow {
    /// `flows.0`, `flows.2`, …; a `Flip` follows each.
    layers: Vec<CouplingLayer>,
}

impl Flow {
    pub fn load(w: &OnnxWeights, channels: usize) -> Result<Self> {
        let mut layers = Vec::new();
        while w.has_conv(&format!("flow.flows.{}.pre", 2 * layers.len())) {
            let path = format!("flow.flows.{}", 2 * layers.len());
            layers.push(CouplingLayer::load(w, &path, channels)?);
        }
        if layers.is_empty() {
            return Err(ModelError::BadModel(
                "the flow has no coupling layers".into(),
            ));
        }
        Ok(Flow { layers })
    }

    /// `z_p` -> `z` (`reverse=True`: last flow first, each `Flip` before its coupling layer).
    pub fn reverse(&self, z_p: &Tensor) -> Result<Tensor> {
        let mut z = z_p.clone();
        for layer in self.layers.iter().rev() {
            z = layer.reverse(&flip_channels(&z)?)?;
        }
        Ok(z)
    }
}
