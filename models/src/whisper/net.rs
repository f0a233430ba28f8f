//! The network, mirroring openai-whisper's `model.py` (`AudioEncoder`, `TextDecoder` with its
//! kv_cache) over the Hugging Face tensor names that candle-transformers' `whisper/model.rs`
//! loads, from f32 safetensors or a GGUF.
//! Ours rather than candle-transformers' own because its decoder keeps no self-attention cache:
//! every step runs every earlier token again, cross-attention over all 1500 audio positions
//! included, which with a 200-token prompt is hundreds of times the work of one new token.

use candle_core::{DType, Device, Module, Tensor};
use candle_nn::{Conv1d, Conv1dConfig, LayerNorm};

use super::Config;
use super::layers::Block;
use crate::Result;
use crate::nn::{Gguf, QuantizedKernel, Source};

pub enum Weights {
    /// `model.safetensors` in the Hugging Face layout (`model.encoder.*`, `model.decoder.*`).
    Safetensors(Vec<u8>),
    /// A GGUF whose tensors carry the same names, as candle's quantized whisper example uses.
    Gguf(Vec<u8>),
}

/// `AudioEncoder`.
struct Encoder {
    conv1: Conv1d,
    conv2: Conv1d,
    positions: Tensor,
    blocks: Vec<Block>,
    ln_post: LayerNorm,
}

impl Encoder {
    fn load(source: &Source, config: &Config, device: &Device) -> Result<Self> {
        let n_state = config.d_model;
        let conv = |name: &str, input: usize, stride: usize| -> Result<Conv1d> {
            let s = source.pp(name);
            let config = Conv1dConfig {
                padding: 1,
                stride,
                ..Default::default()
            };
            Ok(Conv1d::new(
                s.tensor(&[n_state, input, 3], "weight")?,
                Some(s.tensor(&[n_state], "bias")?),
                config,
            ))
        };
        Ok(Encoder {
            conv1: conv("conv1", config.num_mel_bins, 1)?,
            conv2: conv("conv2", n_state, 2)?,
            positions: sinusoids(config.max_source_positions, n_state, device)?,
            blocks: (0..config.encoder_layers)
                .map(|i| {
                    Block::load(
                        &source.pp(&format!("layers.{i}")),
                        n_state,
                        config.encoder_attention_heads,
                        false,
                    )
                })
                .collect::<Result<_>>()?,
            ln_post: source.pp("layer_norm").layer_norm(n_state)?,
        })
    }

    fn forward(&self, mel: &Tensor) -> Result<Tensor> {
        let x = self.conv1.forward(mel)?.gelu_erf()?;
        let x = self.conv2.forward(&x)?.gelu_erf()?.transpose(1, 2)?;
        let n = x.dim(1)?;
        let mut x = x.broadcast_add(&self.positions.narrow(0, 0, n)?)?;
        for block in &self.blocks {
            let h = block.attn_ln.forward(&x)?;
            let (k, v) = block.attn.key_value(&h)?;
            x = (&x + block.attn.attend(&h, &k, &v, None)?)?;
            x = block.mlp(&x)?;
        }
        Ok(self.ln_post.forward(&x)?)
    }
}

/// `sinusoids` in model.py: the encoder's fixed position embedding.
fn sinusoids(length: usize, channels: usize, device: &Device) -> Result<Tensor> {
    let increment = 10000f32.ln() / (channels / 2 - 1) as f32;
    let inv: Vec<f32> = (0..channels / 2)
        .map(|i| (-increment * i as f32).exp())
        .collect();
    let inv = Tensor::new(inv.as_slice(), device)?.unsqueeze(0)?;
    let time = Tensor::arange(0u32, length as u32, device)?
        .to_dtype(DType::F32)?
        .unsqueeze(1)?;
    let scaled = time.broadcast_mul(&inv)?;
    Ok(Tensor::cat(&[scaled.sin()?, scaled.cos()?], 1)?)
}

/// One decoder layer's cached keys and values.
#[derive(Default)]
struct Cache {
    self_kv: Option<(Tensor, Tensor)>,
    cross_kv: Option<(Tensor, Tensor)>,
}

/// `TextDecoder` with openai-whisper's kv_cache: tokens go in once, in order.
struct Decoder {
    embeddings: Tensor,
    positions: Tensor,
    blocks: Vec<Block>,
    ln: LayerNorm,
    caches: Vec<Cache>,
    /// Tokens already in the self-attention cache.
    len: usize,
}

impl Decoder {
    fn load(source: &Source, config: &Config) -> Result<Self> {
        let n_state = config.d_model;
        Ok(Decoder {
            embeddings: source.tensor(&[config.vocab_size, n_state], "embed_tokens.weight")?,
            positions: source.tensor(
                &[config.max_target_positions, n_state],
                "embed_positions.weight",
            )?,
            blocks: (0..config.decoder_layers)
                .map(|i| {
                    Block::load(
                        &source.pp(&format!("layers.{i}")),
                        n_state,
                        config.decoder_attention_heads,
                        true,
                    )
                })
                .collect::<Result<_>>()?,
            ln: source.pp("layer_norm").layer_norm(n_state)?,
            caches: (0..config.decoder_layers)
                .map(|_| Cache::default())
                .collect(),
            len: 0,
        })
    }

    /// Hidden states of `tokens` `(1, n)` following those already decoded.
    fn forward(&mut self, tokens: &Tensor, audio: &Tensor) -> Result<Tensor> {
        let n = tokens.dim(1)?;
        let offset = self.len;
        let mut x = self
            .embeddings
            .embedding(&tokens.squeeze(0)?)?
            .unsqueeze(0)?
            .broadcast_add(&self.positions.narrow(0, offset, n)?)?;
        // New token i sits at offset + i and sees every key up to there.
        let mask = if n > 1 {
            let mask: Vec<f32> = (0..n)
                .flat_map(|i| {
                    (0..offset + n).map(move |j| {
                        if j > offset + i {
                            f32::NEG_INFINITY
                        } else {
                            0.0
                        }
                    })
                })
                .collect();
            Some(Tensor::from_vec(mask, (n, offset + n), tokens.device())?)
        } else {
            None
        };
        for (block, cache) in self.blocks.iter().zip(self.caches.iter_mut()) {
            let h = block.attn_ln.forward(&x)?;
            let (k, v) = block.attn.key_value(&h)?;
            let (k, v) = match cache.self_kv.take() {
                Some((pk, pv)) => (Tensor::cat(&[&pk, &k], 1)?, Tensor::cat(&[&pv, &v], 1)?),
                None => (k, v),
            };
            x = (&x + block.attn.attend(&h, &k, &v, mask.as_ref())?)?;
            cache.self_kv = Some((k, v));
            if let Some((attn, ln)) = &block.cross {
                let (k, v) = match &cache.cross_kv {
                    Some(kv) => kv.clone(),
                    None => {
                        let kv = attn.key_value(audio)?;
                        cache.cross_kv = Some(kv.clone());
                        kv
                    }
                };
                x = (&x + attn.attend(&ln.forward(&x)?, &k, &v, None)?)?;
            }
            x = block.mlp(&x)?;
        }
        self.len += n;
        Ok(self.ln.forward(&x)?)
    }

    /// Logits `(1, n, vocab)`: the output projection is the token embedding, transposed.
    fn logits(&self, hidden: &Tensor) -> Result<Tensor> {
        Ok(hidden.broadcast_matmul(&self.embeddings.t()?)?)
    }

    /// Forgets the tokens; `new_audio` also forgets the audio's keys and values.
    fn reset(&mut self, new_audio: bool) {
        for cache in &mut self.caches {
            cache.self_kv = None;
            if new_audio {
                cache.cross_kv = None;
            }
        }
        self.len = 0;
    }
}

pub(crate) struct Net {
    encoder: Encoder,
    decoder: Decoder,
}

impl Net {
    pub fn load(weights: Weights, config: &Config, device: &Device) -> Result<Self> {
        let source = match weights {
            // f32 on the CPU: candle's f16 matmuls there are slower, and wasm32 has no f16.
            Weights::Safetensors(bytes) => Source::Full(
                candle_nn::VarBuilder::from_buffered_safetensors(bytes, DType::F32, device)?,
            ),
            // Candle's kernels: Lantern's llama.cpp-exact ones are the LLM's, for its parity.
            Weights::Gguf(bytes) => {
                Source::Quantized(Gguf::read(&bytes, device, QuantizedKernel::Candle)?)
            }
        };
        let model = source.pp("model");
        Ok(Net {
            encoder: Encoder::load(&model.pp("encoder"), config, device)?,
            decoder: Decoder::load(&model.pp("decoder"), config)?,
        })
    }

    /// `model.encoder(mel)`: `(1, n_mels, 3000)` to `(1, 1500, d_model)`.
    pub fn encode(&mut self, mel: &Tensor) -> Result<Tensor> {
        self.encoder.forward(mel)
    }

    /// The decoder's hidden states for `tokens` `(1, n)`. `fresh` starts a new sequence over
    /// `audio` (a new window, or a new try at the same one); otherwise `tokens` continue the last.
    pub fn decode(&mut self, tokens: &Tensor, audio: &Tensor, fresh: bool) -> Result<Tensor> {
        if fresh {
            self.decoder.reset(true);
        }
        self.decoder.forward(tokens, audio)
    }

    /// Logits over the vocabulary for hidden states `(1, n, d_model)`.
    pub fn logits(&self, hidden: &Tensor) -> Result<Tensor> {
        self.decoder.logits(hidden)
    }
}
