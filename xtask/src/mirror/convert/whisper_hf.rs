//! Whisper from a CTranslate2 `model.bin` (faster-whisper's format) to the Hugging Face layout:
//! `model.safetensors` with the tensor names `transformers`' `WhisperForConditionalGeneration`
//! uses, which are the names candle-transformers' `models/whisper/model.rs` loads, and the
//! `config.json` fields its `whisper::Config` reads.
//!
//! The inverse of CTranslate2's `converters/transformers.py` `WhisperLoader` (via `BartLoader`):
//! - self-attention `linear_0` fuses q, k, v along dim 0; cross-attention `linear_0` is q and
//!   `linear_1` fuses k, v; the last linear is the output projection;
//! - `layer_norm/{gamma,beta}` are `{weight,bias}`; `ffn/linear_{0,1}` are `fc1`/`fc2`;
//! - the k projection has no bias in HF (CT2 stores zeros when fusing). Dropping it is exact
//!   whatever its value: a key bias adds the same `q·b` to every score of a query, which softmax
//!   cancels;
//! - `decoder/projection` is an alias of the token embeddings (HF ties `proj_out` to them);
//! - sinusoidal position encodings are stored tensors in both formats.
//!
//! Weights keep their dtype (fp16 here): splitting fused rows is a byte split, nothing is
//! rounded.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde_json::{Value, json};

use super::ct2::{self, Ct2Error, Dtype};

/// CTranslate2's `Activation.GELU`.
const GELU: i64 = 3;

/// Scalars that must hold for the HF Whisper computation to be the same one, with their values.
const REQUIRED_FLAGS: [(&str, i64); 5] = [
    ("decoder/activation", GELU),
    ("decoder/pre_norm", 1),
    ("decoder/scale_embeddings", 0),
    ("decoder/alibi", 0),
    ("decoder/start_from_zero_embedding", 0),
];

/// Scalars read for the config or only meaningful to CTranslate2's own decoding.
const INFORMATIONAL: [&str; 4] = [
    "encoder/num_heads",
    "decoder/num_heads",
    "decoder/alignment_heads",
    "decoder/alignment_layer",
];

#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error(transparent)]
    Ct2(#[from] Ct2Error),
    #[error("spec {0:?} is not WhisperSpec")]
    NotWhisper(String),
    #[error("{name} has shape {shape:?}; expected {expected}")]
    Shape {
        name: String,
        shape: Vec<usize>,
        expected: &'static str,
    },
    #[error("{name} is {value}, but the Hugging Face Whisper layout computes it as {want}")]
    Unsupported { name: String, value: i64, want: i64 },
    #[error("decoder/projection is not tied to the token embeddings")]
    UntiedProjection,
    #[error("tensors with no place in the Hugging Face layout: {0:?}")]
    Unmapped(Vec<String>),
    #[error("tokenizer.json has no special token {0:?}")]
    MissingToken(&'static str),
    #[error("could not write safetensors: {0}")]
    Write(#[from] safetensors::SafeTensorError),
}

/// One output tensor, its bytes borrowed from the CT2 file.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor<'a> {
    pub name: String,
    pub shape: Vec<usize>,
    pub dtype: Dtype,
    pub data: &'a [u8],
}

/// Model dimensions, read from tensor shapes and head counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dims {
    pub d_model: usize,
    pub num_mel_bins: usize,
    pub encoder_layers: usize,
    pub decoder_layers: usize,
    pub encoder_heads: usize,
    pub decoder_heads: usize,
    pub encoder_ffn_dim: usize,
    pub decoder_ffn_dim: usize,
    pub max_source_positions: usize,
    pub max_target_positions: usize,
    pub vocab_size: usize,
}

pub fn dims(model: &ct2::Model) -> Result<Dims, ConvertError> {
    let shape = |name: &str| model.require(name).map(|t| t.shape.clone());
    let conv1 = shape("encoder/conv1/weight")?;
    let [d_model, num_mel_bins, _] = conv1[..] else {
        return Err(ConvertError::Shape {
            name: "encoder/conv1/weight".into(),
            shape: conv1,
            expected: "[d_model, mel bins, kernel]",
        });
    };
    let rows = |name: &str| -> Result<usize, ConvertError> {
        let shape = shape(name)?;
        shape.first().copied().ok_or(ConvertError::Shape {
            name: name.into(),
            shape,
            expected: "at least one dimension",
        })
    };
    let heads = |name: &str| -> Result<usize, ConvertError> {
        let value = model.int(name)?;
        usize::try_from(value)
            .ok()
            .filter(|&h| h > 0)
            .ok_or_else(|| ConvertError::Unsupported {
                name: name.into(),
                value,
                want: 1,
            })
    };
    Ok(Dims {
        d_model,
        num_mel_bins,
        encoder_layers: count_layers(model, "encoder"),
        decoder_layers: count_layers(model, "decoder"),
        encoder_heads: heads("encoder/num_heads")?,
        decoder_heads: heads("decoder/num_heads")?,
        encoder_ffn_dim: rows("encoder/layer_0/ffn/linear_0/weight")?,
        decoder_ffn_dim: rows("decoder/layer_0/ffn/linear_0/weight")?,
        max_source_positions: rows("encoder/position_encodings/encodings")?,
        max_target_positions: rows("decoder/position_encodings/encodings")?,
        vocab_size: rows("decoder/embeddings/weight")?,
    })
}

fn count_layers(model: &ct2::Model, stack: &str) -> usize {
    (0..)
        .take_while(|i| {
            model
                .get(&format!("{stack}/layer_{i}/ffn/linear_0/weight"))
                .is_some()
        })
        .count()
}

/// Every CT2 tensor under its HF name, fused projections split. Fails on anything it cannot
/// place, so no weight is silently left behind.
pub fn to_hf_tensors<'a>(model: &ct2::Model<'a>) -> Result<Vec<Tensor<'a>>, ConvertError> {
    if model.spec != "WhisperSpec" {
        return Err(ConvertError::NotWhisper(model.spec.clone()));
    }
    for (name, want) in REQUIRED_FLAGS {
        if let Some(tensor) = model.get(name) {
            let value = tensor.as_int().unwrap_or(i64::MIN);
            if value != want {
                return Err(ConvertError::Unsupported {
                    name: name.into(),
                    value,
                    want,
                });
            }
        }
    }
    let dims = dims(model)?;
    let mut map = Mapper {
        model,
        used: HashSet::new(),
        out: Vec::new(),
    };
    map.linear("encoder/conv1", "model.encoder.conv1")?;
    map.linear("encoder/conv2", "model.encoder.conv2")?;
    map.copy(
        "encoder/position_encodings/encodings",
        "model.encoder.embed_positions.weight",
    )?;
    for i in 0..dims.encoder_layers {
        let (ct2, hf) = (
            format!("encoder/layer_{i}"),
            format!("model.encoder.layers.{i}"),
        );
        map.self_attention(&ct2, &hf)?;
        map.feed_forward(&ct2, &hf)?;
    }
    map.layer_norm("encoder/layer_norm", "model.encoder.layer_norm")?;

    map.copy(
        "decoder/embeddings/weight",
        "model.decoder.embed_tokens.weight",
    )?;
    map.copy(
        "decoder/position_encodings/encodings",
        "model.decoder.embed_positions.weight",
    )?;
    for i in 0..dims.decoder_layers {
        let (ct2, hf) = (
            format!("decoder/layer_{i}"),
            format!("model.decoder.layers.{i}"),
        );
        map.self_attention(&ct2, &hf)?;
        map.cross_attention(&ct2, &hf)?;
        map.feed_forward(&ct2, &hf)?;
    }
    map.layer_norm("decoder/layer_norm", "model.decoder.layer_norm")?;
    map.tied_projection()?;

    map.used
        .extend(REQUIRED_FLAGS.iter().map(|(n, _)| n.to_string()));
    map.used.extend(INFORMATIONAL.iter().map(|n| n.to_string()));
    let unmapped: Vec<String> = model
        .tensors
        .iter()
        .map(|(name, _)| name)
        .filter(|name| !map.used.contains(*name))
        .cloned()
        .collect();
    if !unmapped.is_empty() {
        return Err(ConvertError::Unmapped(unmapped));
    }
    Ok(map.out)
}

struct Mapper<'m, 'a> {
    model: &'m ct2::Model<'a>,
    used: HashSet<String>,
    out: Vec<Tensor<'a>>,
}

impl<'a> Mapper<'_, 'a> {
    fn take(&mut self, name: &str) -> Result<ct2::Tensor<'a>, ConvertError> {
        self.used.insert(name.to_string());
        Ok(self.model.require(name)?.clone())
    }

    fn push(&mut self, name: String, shape: Vec<usize>, dtype: Dtype, data: &'a [u8]) {
        self.out.push(Tensor {
            name,
            shape,
            dtype,
            data,
        });
    }

    fn copy(&mut self, ct2: &str, hf: &str) -> Result<(), ConvertError> {
        let tensor = self.take(ct2)?;
        self.push(hf.into(), tensor.shape, tensor.dtype, tensor.data);
        Ok(())
    }

    fn linear(&mut self, ct2: &str, hf: &str) -> Result<(), ConvertError> {
        self.copy(&format!("{ct2}/weight"), &format!("{hf}.weight"))?;
        self.copy(&format!("{ct2}/bias"), &format!("{hf}.bias"))
    }

    fn layer_norm(&mut self, ct2: &str, hf: &str) -> Result<(), ConvertError> {
        self.copy(&format!("{ct2}/gamma"), &format!("{hf}.weight"))?;
        self.copy(&format!("{ct2}/beta"), &format!("{hf}.bias"))
    }

    /// Splits a fused linear along dim 0 into equal parts, one per HF name; parts named
    /// `k_proj` lose their bias (see the module note).
    fn split_linear(&mut self, ct2: &str, parts: &[&str]) -> Result<(), ConvertError> {
        let weight_name = format!("{ct2}/weight");
        let weight = self.take(&weight_name)?;
        let bias = self.take(&format!("{ct2}/bias"))?;
        let n = parts.len();
        let rows = weight.shape.first().copied().unwrap_or(0);
        if weight.shape.len() != 2 || rows % n != 0 || bias.shape != [rows] {
            return Err(ConvertError::Shape {
                name: weight_name,
                shape: weight.shape,
                expected: "[parts x rows, columns] with a bias per row",
            });
        }
        let weight_chunk = weight.data.len() / n;
        let bias_chunk = bias.data.len() / n;
        for (i, hf) in parts.iter().enumerate() {
            let shape = vec![rows / n, weight.shape[1]];
            let data = &weight.data[i * weight_chunk..(i + 1) * weight_chunk];
            self.push(format!("{hf}.weight"), shape, weight.dtype, data);
            if !hf.ends_with("k_proj") {
                let data = &bias.data[i * bias_chunk..(i + 1) * bias_chunk];
                self.push(format!("{hf}.bias"), vec![rows / n], bias.dtype, data);
            }
        }
        Ok(())
    }

    fn self_attention(&mut self, ct2: &str, hf: &str) -> Result<(), ConvertError> {
        let attn = format!("{hf}.self_attn");
        self.split_linear(
            &format!("{ct2}/self_attention/linear_0"),
            &[
                &format!("{attn}.q_proj"),
                &format!("{attn}.k_proj"),
                &format!("{attn}.v_proj"),
            ],
        )?;
        self.linear(
            &format!("{ct2}/self_attention/linear_1"),
            &format!("{attn}.out_proj"),
        )?;
        self.layer_norm(
            &format!("{ct2}/self_attention/layer_norm"),
            &format!("{hf}.self_attn_layer_norm"),
        )
    }

    fn cross_attention(&mut self, ct2: &str, hf: &str) -> Result<(), ConvertError> {
        let attn = format!("{hf}.encoder_attn");
        self.linear(
            &format!("{ct2}/attention/linear_0"),
            &format!("{attn}.q_proj"),
        )?;
        self.split_linear(
            &format!("{ct2}/attention/linear_1"),
            &[&format!("{attn}.k_proj"), &format!("{attn}.v_proj")],
        )?;
        self.linear(
            &format!("{ct2}/attention/linear_2"),
            &format!("{attn}.out_proj"),
        )?;
        self.layer_norm(
            &format!("{ct2}/attention/layer_norm"),
            &format!("{hf}.encoder_attn_layer_norm"),
        )
    }

    fn feed_forward(&mut self, ct2: &str, hf: &str) -> Result<(), ConvertError> {
        self.linear(&format!("{ct2}/ffn/linear_0"), &format!("{hf}.fc1"))?;
        self.linear(&format!("{ct2}/ffn/linear_1"), &format!("{hf}.fc2"))?;
        self.layer_norm(
            &format!("{ct2}/ffn/layer_norm"),
            &format!("{hf}.final_layer_norm"),
        )
    }

    /// HF ties `proj_out` to the embeddings and stores no copy; CT2 aliases it, or stores an
    /// equal copy. Anything else would need a separate output layer HF Whisper does not have.
    fn tied_projection(&mut self) -> Result<(), ConvertError> {
        const PROJECTION: &str = "decoder/projection/weight";
        const EMBEDDINGS: &str = "decoder/embeddings/weight";
        if self.model.aliases.get(PROJECTION).map(String::as_str) == Some(EMBEDDINGS) {
            return Ok(());
        }
        match self.model.get(PROJECTION) {
            None => Ok(()),
            Some(projection) if Some(projection) == self.model.get(EMBEDDINGS) => {
                self.used.insert(PROJECTION.into());
                Ok(())
            }
            Some(_) => Err(ConvertError::UntiedProjection),
        }
    }
}

/// The HF `config.json`: dimensions from the weights, suppressed tokens from CTranslate2's
/// `config.json`, special token ids from `tokenizer.json`.
pub fn hf_config(
    dims: &Dims,
    dtype: Dtype,
    ct2_config: &Value,
    tokenizer: &Value,
) -> Result<Value, ConvertError> {
    let token = |content: &'static str| -> Result<u64, ConvertError> {
        tokenizer["added_tokens"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|t| t["content"] == content)
            .and_then(|t| t["id"].as_u64())
            .ok_or(ConvertError::MissingToken(content))
    };
    let end_of_text = token("<|endoftext|>")?;
    let start_of_transcript = token("<|startoftranscript|>")?;
    Ok(json!({
        "architectures": ["WhisperForConditionalGeneration"],
        "model_type": "whisper",
        "activation_function": "gelu",
        "d_model": dims.d_model,
        "num_mel_bins": dims.num_mel_bins,
        "encoder_layers": dims.encoder_layers,
        "encoder_attention_heads": dims.encoder_heads,
        "encoder_ffn_dim": dims.encoder_ffn_dim,
        "decoder_layers": dims.decoder_layers,
        "decoder_attention_heads": dims.decoder_heads,
        "decoder_ffn_dim": dims.decoder_ffn_dim,
        "num_hidden_layers": dims.encoder_layers,
        "max_source_positions": dims.max_source_positions,
        "max_target_positions": dims.max_target_positions,
        "vocab_size": dims.vocab_size,
        "scale_embedding": false,
        "tie_word_embeddings": true,
        "is_encoder_decoder": true,
        "use_cache": true,
        "bos_token_id": end_of_text,
        "eos_token_id": end_of_text,
        "pad_token_id": end_of_text,
        "decoder_start_token_id": start_of_transcript,
        "suppress_tokens": ct2_config.get("suppress_ids").cloned().unwrap_or(json!([])),
        "begin_suppress_tokens": ct2_config.get("suppress_ids_begin").cloned().unwrap_or(json!([])),
        "torch_dtype": torch_dtype(dtype),
    }))
}

fn torch_dtype(dtype: Dtype) -> &'static str {
    match dtype {
        Dtype::F32 => "float32",
        Dtype::F16 => "float16",
        Dtype::Bf16 => "bfloat16",
        Dtype::I8 => "int8",
        Dtype::I16 => "int16",
        Dtype::I32 => "int32",
    }
}

fn safetensors_dtype(dtype: Dtype) -> safetensors::Dtype {
    match dtype {
        Dtype::F32 => safetensors::Dtype::F32,
        Dtype::F16 => safetensors::Dtype::F16,
        Dtype::Bf16 => safetensors::Dtype::BF16,
        Dtype::I8 => safetensors::Dtype::I8,
        Dtype::I16 => safetensors::Dtype::I16,
        Dtype::I32 => safetensors::Dtype::I32,
    }
}

/// Writes the tensors as one safetensors file, with the `format: pt` metadata HF files carry.
pub fn write_safetensors(tensors: &[Tensor], path: &Path) -> Result<(), ConvertError> {
    let views = tensors
        .iter()
        .map(|t| {
            safetensors::tensor::TensorView::new(
                safetensors_dtype(t.dtype),
                t.shape.clone(),
                t.data,
            )
            .map(|view| (t.name.clone(), view))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let metadata = HashMap::from([("format".to_string(), "pt".to_string())]);
    safetensors::tensor::serialize_to_file(views, Some(metadata), path)?;
    Ok(())
}

#[cfg(test)]
mod tests;
