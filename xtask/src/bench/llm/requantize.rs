//! Re-quantizing a GGUF chat model with our own code (Candle's quantizers): every weight is
//! widened to f32 and quantized again, to one of llama.cpp's file types. The type each tensor
//! gets follows llama.cpp's `llama_tensor_get_type` (src/llama-quant.cpp): Q4_0 puts Q6_K on the
//! tied embedding / output and Q4_0 elsewhere; Q4_K_M puts Q6_K on the output and on `attn_v`
//! and `ffn_down` of the layers `use_more_bits` picks, Q4_K elsewhere; Q6_K and Q8_0 are
//! uniform. A row length that is not a multiple of 256 falls back (Q6_K -> Q8_0,
//! Q4_K -> Q5_0), as llama.cpp's quantize does. Norms and other 1-D tensors stay f32.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::Path;

use anyhow::Context;
use candle_core::Device;
use candle_core::quantized::{GgmlDType, QTensor, gguf_file};

/// The re-quantizations the LLM bench makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Q4_0,
    Q8_0,
    Q4KM,
    Q6K,
}

impl Scheme {
    pub fn label(self) -> &'static str {
        match self {
            Scheme::Q4_0 => "Q4_0",
            Scheme::Q8_0 => "Q8_0",
            Scheme::Q4KM => "Q4_K_M",
            Scheme::Q6K => "Q6_K",
        }
    }

    /// The label in lower case, as model ids carry it.
    pub fn suffix(self) -> String {
        self.label().to_lowercase()
    }

    /// llama.cpp's `llama_ftype` number, for `general.file_type`.
    fn file_type(self) -> u32 {
        match self {
            Scheme::Q4_0 => 2,
            Scheme::Q8_0 => 7,
            Scheme::Q4KM => 15,
            Scheme::Q6K => 18,
        }
    }
}

/// K-quants work on super-blocks of 256 values.
const QK_K: usize = 256;

/// llama.cpp's `use_more_bits`: the first and last eighth of the layers and every third between.
fn use_more_bits(layer: usize, layers: usize) -> bool {
    layer < layers / 8 || layer >= 7 * layers / 8 || (layer.wrapping_sub(layers / 8)) % 3 == 2
}

/// The block number in `blk.N.…`.
fn layer_of(name: &str) -> Option<usize> {
    name.strip_prefix("blk.")?.split('.').next()?.parse().ok()
}

/// The type a 2-D weight `name` with rows of `row` values gets under `scheme`.
fn target_type(scheme: Scheme, name: &str, row: usize, layers: usize, tied: bool) -> GgmlDType {
    let is_output = name == "output.weight" || (tied && name == "token_embd.weight");
    let more_bits = layer_of(name).is_some_and(|layer| use_more_bits(layer, layers));
    let wanted = match scheme {
        Scheme::Q8_0 => return GgmlDType::Q8_0,
        Scheme::Q4_0 if is_output => GgmlDType::Q6K,
        Scheme::Q4_0 => return GgmlDType::Q4_0,
        Scheme::Q6K => GgmlDType::Q6K,
        Scheme::Q4KM
            if is_output
                || (more_bits
                    && (name.ends_with("attn_v.weight") || name.ends_with("ffn_down.weight"))) =>
        {
            GgmlDType::Q6K
        }
        Scheme::Q4KM => GgmlDType::Q4K,
    };
    if row.is_multiple_of(QK_K) {
        wanted
    } else if wanted == GgmlDType::Q6K {
        GgmlDType::Q8_0
    } else {
        GgmlDType::Q5_0
    }
}

/// Writes `dst`, a `scheme` re-quantization of the GGUF `src`; returns how many tensors of each
/// type it holds (e.g. `[("Q5_0", 120), ...]`).
pub fn requantize(src: &Path, dst: &Path, scheme: Scheme) -> anyhow::Result<Vec<(String, usize)>> {
    let mut reader = BufReader::new(File::open(src).with_context(|| src.display().to_string())?);
    let content = gguf_file::Content::read(&mut reader)
        .with_context(|| format!("reading {}", src.display()))?;
    let arch = match content.metadata.get("general.architecture") {
        Some(gguf_file::Value::String(arch)) => arch.clone(),
        _ => anyhow::bail!("{} names no architecture", src.display()),
    };
    let layers = content
        .metadata
        .get(&format!("{arch}.block_count"))
        .and_then(|v| v.to_u32().ok())
        .context("no block_count")? as usize;
    let tied = !content.tensor_infos.contains_key("output.weight");
    let mut names: Vec<&String> = content.tensor_infos.keys().collect();
    names.sort_by_key(|name| content.tensor_infos[*name].offset);
    let mut tensors = Vec::with_capacity(names.len());
    let mut counts: Vec<(String, usize)> = Vec::new();
    for name in names {
        let tensor = content.tensor(&mut reader, name, &Device::Cpu)?;
        let dims = tensor.shape().dims().to_vec();
        let out = if dims.len() < 2 {
            tensor
        } else {
            let row = *dims.last().context("a 2-D tensor has a last dim")?;
            let dtype = target_type(scheme, name, row, layers, tied);
            let wide = tensor.dequantize(&Device::Cpu)?;
            QTensor::quantize(&wide, dtype).with_context(|| format!("quantizing {name}"))?
        };
        let label = format!("{:?}", out.dtype());
        match counts.iter_mut().find(|(l, _)| *l == label) {
            Some((_, n)) => *n += 1,
            None => counts.push((label, 1)),
        }
        tensors.push((name.clone(), out));
    }
    let mut metadata: Vec<(String, gguf_file::Value)> = content
        .metadata
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    metadata.sort_by(|a, b| a.0.cmp(&b.0));
    for (key, value) in metadata.iter_mut() {
        if key == "general.file_type" {
            *value = gguf_file::Value::U32(scheme.file_type());
        }
    }
    let partial = dst.with_extension("gguf.partial");
    {
        let mut out = BufWriter::new(File::create(&partial)?);
        let md: Vec<(&str, &gguf_file::Value)> =
            metadata.iter().map(|(k, v)| (k.as_str(), v)).collect();
        let ts: Vec<(&str, &QTensor)> = tensors.iter().map(|(k, t)| (k.as_str(), t)).collect();
        gguf_file::write(&mut out, &md, &ts)?;
    }
    std::fs::rename(&partial, dst)?;
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q4_k_m_mix_follows_llama_cpp() {
        // SmolLM2-135M: 30 layers, rows of 576 (not a multiple of 256) and ffn_down rows of 1536.
        let t = |name: &str, row| target_type(Scheme::Q4KM, name, row, 30, true);
        assert_eq!(t("token_embd.weight", 576), GgmlDType::Q8_0);
        assert_eq!(t("blk.0.attn_q.weight", 576), GgmlDType::Q5_0);
        assert_eq!(t("blk.0.attn_v.weight", 576), GgmlDType::Q8_0);
        assert_eq!(t("blk.0.ffn_down.weight", 1536), GgmlDType::Q6K);
        assert_eq!(t("blk.4.ffn_down.weight", 1536), GgmlDType::Q4K);
        assert_eq!(t("blk.5.ffn_down.weight", 1536), GgmlDType::Q6K);
        assert_eq!(t("blk.29.attn_v.weight", 4096), GgmlDType::Q6K);
        assert_eq!(t("blk.10.attn_output.weight", 4096), GgmlDType::Q4K);
        assert_eq!(
            target_type(Scheme::Q8_0, "blk.0.attn_q.weight", 576, 30, true),
            GgmlDType::Q8_0
        );
        let q4_0 = |name: &str, row| target_type(Scheme::Q4_0, name, row, 30, true);
        assert_eq!(q4_0("token_embd.weight", 576), GgmlDType::Q8_0);
        assert_eq!(q4_0("token_embd.weight", 1024), GgmlDType::Q6K);
        assert_eq!(q4_0("blk.3.ffn_down.weight", 1536), GgmlDType::Q4_0);
        let q6_k = |name: &str, row| target_type(Scheme::Q6K, name, row, 30, true);
        assert_eq!(q6_k("blk.3.ffn_down.weight", 1536), GgmlDType::Q6K);
        assert_eq!(q6_k("blk.3.attn_q.weight", 576), GgmlDType::Q8_0);
    }
}
