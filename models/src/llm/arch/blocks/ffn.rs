//! The gated feed-forward block (llama.cpp `build_ffn` with `LLM_FFN_PAR`): gate and up
//! projections (phi3's `ffn_up` holds both), the gate's activation times up, then down.

use candle_core::{D, Device, Tensor};

use crate::Result;
use crate::kernels::vec_f32;
use crate::llm::arch::graph::Pass;
use crate::llm::arch::loader::Loader;
use crate::nn::Linear;
use crate::profile;

/// The activation on the gate projection; each architecture's file names its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// `LLM_FFN_SILU`: ggml's SwiGLU (`kernels::vec_f32::swiglu`).
    Silu,
    /// Gemma's `gelu_pytorch_tanh` (llama.cpp `LLM_FFN_GELU`), Candle's.
    GeluTanh,
}

#[derive(Debug, Clone)]
enum GateUp {
    Separate {
        gate: Linear,
        up: Linear,
    },
    /// phi3's `ffn_up` holds gate then up (`LLM_FFN_SWIGLU` splits it in half).
    Fused(Linear),
}

/// One layer's feed-forward block.
#[derive(Debug, Clone)]
pub struct Ffn {
    gate_up: GateUp,
    down: Linear,
    activation: Activation,
}

impl Ffn {
    /// Layer `p` (`blk.N`)'s `ffn_gate` and `ffn_up` (or `ffn_up` alone, holding both, where the
    /// file has no `ffn_gate`) and `ffn_down`.
    pub fn load(ld: &mut Loader<'_>, p: &str, activation: Activation) -> Result<Ffn> {
        let gate_up = if ld.has(&format!("{p}.ffn_gate.weight")) {
            GateUp::Separate {
                gate: ld.linear(&format!("{p}.ffn_gate"))?,
                up: ld.linear(&format!("{p}.ffn_up"))?,
            }
        } else {
            GateUp::Fused(ld.linear(&format!("{p}.ffn_up"))?)
        };
        Ok(Ffn {
            gate_up,
            down: ld.linear(&format!("{p}.ffn_down"))?,
            activation,
        })
    }

    pub fn forward(&self, il: usize, x: &Tensor, pass: &mut Pass<'_>) -> Result<Tensor> {
        let gate_up_span = profile::span("ffn_gate_up");
        let (gate, up) = match &self.gate_up {
            GateUp::Separate { gate, up } => (gate.forward(x)?, up.forward(x)?),
            GateUp::Fused(gu) => {
                let both = gu.forward(x)?;
                let n = both.dim(D::Minus1)? / 2;
                (both.narrow(D::Minus1, 0, n)?, both.narrow(D::Minus1, n, n)?)
            }
        };
        drop(gate_up_span);
        pass.trace(format_args!("ffn_gate-{il}"), &gate);
        pass.trace(format_args!("ffn_up-{il}"), &up);
        let act_span = profile::span("ffn_act");
        let act = match self.activation {
            Activation::Silu => {
                let g = gate.flatten_all()?.to_vec1::<f32>()?;
                let u = up.flatten_all()?.to_vec1::<f32>()?;
                Tensor::from_vec(vec_f32::swiglu(&g, &u), gate.shape(), &Device::Cpu)?
            }
            Activation::GeluTanh => (gate.gelu()? * up)?,
        };
        drop(act_span);
        pass.trace(format_args!("ffn_swiglu-{il}"), &act);
        let out = {
            let _span = profile::span("ffn_down");
            self.down.forward(&act)?
        };
        pass.trace(format_args!("ffn_out-{il}"), &out);
        Ok(out)
    }
}
