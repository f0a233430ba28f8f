//! Kokoro's weights out of its int8 ONNX export (`kokoro-v1.0.int8.onnx`): every initializer
//! dequantized to f32 as `(q - zero_point) * scale` and filed under the upstream parameter name
//! (hexgrad/kokoro `model.py`: `bert`, `bert_encoder`, `predictor`, `text_encoder`, `decoder`).
//!
//! The export was optimized by onnxruntime: weight-normed convolutions and ALBERT's q/k/v are
//! anonymous (`/encoder/F0.0/Mul_output_0_quantized`, `onnx::MatMul_6548_3_quantized`), so they
//! are named by the node that consumes them; zero points were deduplicated across tensors, so
//! they too are read from the consuming node's inputs. The messages are `nn::onnx`'s.

use std::collections::HashMap;

use crate::nn::onnx::{FLOAT, INT8, TensorProto, UINT8, read_graph};
use crate::{ModelError, Result};
use candle_core::{Device, Tensor};

/// An initializer's values widened to f32, with its shape.
struct Raw {
    dims: Vec<usize>,
    values: Vec<f32>,
}

fn raw(t: &TensorProto) -> Result<Raw> {
    let dims: Vec<usize> = t.dims.iter().map(|&d| d.max(0) as usize).collect();
    let count: usize = dims.iter().product();
    let values: Vec<f32> = match t.data_type {
        FLOAT if !t.raw_data.is_empty() => t
            .raw_data
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
        FLOAT => t.float_data.clone(),
        UINT8 if !t.raw_data.is_empty() => t.raw_data.iter().map(|&b| b as f32).collect(),
        INT8 if !t.raw_data.is_empty() => t.raw_data.iter().map(|&b| b as i8 as f32).collect(),
        // Small integer tensors may be stored unpacked in `int32_data`.
        UINT8 | INT8 => t.int32_data.iter().map(|&v| v as f32).collect(),
        other => {
            return Err(ModelError::BadModel(format!(
                "{}: data type {other} is not a weight type",
                t.name
            )));
        }
    };
    if values.len() != count {
        return Err(ModelError::BadModel(format!(
            "{}: {} values for shape {dims:?}",
            t.name,
            values.len()
        )));
    }
    Ok(Raw { dims, values })
}

/// Which axis a vector of scales runs along, by the kind of node that consumes the weight.
#[derive(Clone, Copy)]
enum ScaleAxis {
    /// MatMulInteger's `[in, out]` weights: one scale per output column.
    Last,
    /// Convolutions (per output channel) and LSTMs (per direction).
    First,
}

/// All of Kokoro's weights in f32, keyed by upstream parameter names.
pub(crate) struct KokoroWeights {
    tensors: HashMap<String, Tensor>,
}

impl KokoroWeights {
    pub fn read(bytes: &[u8], device: &Device) -> Result<Self> {
        let graph = read_graph(bytes)?;
        let inits: HashMap<&str, &TensorProto> = graph
            .initializer
            .iter()
            .map(|t| (t.name.as_str(), t))
            .collect();
        let mut tensors = HashMap::new();
        let mut insert = |name: String, raw: Raw| -> Result<()> {
            if let std::collections::hash_map::Entry::Vacant(slot) = tensors.entry(name) {
                slot.insert(Tensor::from_vec(raw.values, raw.dims, device)?);
            }
            Ok(())
        };

        // Named f32 initializers: biases, norms, snake alphas, the iSTFT basis.
        for t in &graph.initializer {
            if t.data_type == FLOAT && !t.name.starts_with('/') && !t.name.starts_with("onnx::") {
                insert(upstream_name(&t.name), raw(t)?)?;
            }
        }

        // Weights by the node that consumes them.
        for node in &graph.node {
            let path = || module_path(&node.name);
            match node.op_type.as_str() {
                "MatMulInteger" => {
                    let (Some(w), Some(zp)) = (node.input.get(1), node.input.get(3)) else {
                        continue;
                    };
                    let deq = dequantize(&inits, w, zp, ScaleAxis::Last)?;
                    // Stored `[in, out]` for `x @ W`; upstream `nn.Linear` keeps `[out, in]`.
                    insert(format!("{}.weight", path()), transpose2(deq)?)?;
                }
                "MatMul" => {
                    let Some(w) = node.input.get(1).and_then(|w| inits.get(w.as_str())) else {
                        continue;
                    };
                    insert(format!("{}.weight", path()), transpose2(raw(w)?)?)?;
                }
                "ConvInteger" => {
                    let (Some(w), Some(zp)) = (node.input.get(1), node.input.get(3)) else {
                        continue;
                    };
                    let deq = dequantize(&inits, w, zp, ScaleAxis::First)?;
                    insert(format!("{}.weight", path()), deq)?;
                }
                "Conv" | "ConvTranspose" => {
                    let Some(w) = node.input.get(1).and_then(|w| inits.get(w.as_str())) else {
                        continue;
                    };
                    if w.name.starts_with('/') || w.name.starts_with("onnx::") {
                        insert(format!("{}.weight", path()), raw(w)?)?;
                    }
                }
                "DequantizeLinear" => {
                    // The embedding tables: Gather on the int8 table, then this node.
                    let (Some(scale), Some(zp)) = (node.input.get(1), node.input.get(2)) else {
                        continue;
                    };
                    let Some(table) = scale.strip_suffix("_scale") else {
                        continue;
                    };
                    let q = format!("{table}_quantized");
                    if inits.contains_key(q.as_str()) {
                        let deq = dequantize(&inits, &q, zp, ScaleAxis::First)?;
                        insert(upstream_name(table), deq)?;
                    }
                }
                "DynamicQuantizeLSTM" => {
                    // Inputs: X, W, R, B, seq_lens, h0, c0, P, W_scale, W_zp, R_scale, R_zp.
                    let input = |i: usize| node.input.get(i).map(String::as_str).unwrap_or("");
                    let w = dequantize(&inits, input(1), input(9), ScaleAxis::First)?;
                    let r = dequantize(&inits, input(2), input(11), ScaleAxis::First)?;
                    let b = raw(lookup(&inits, input(3))?)?;
                    insert(format!("{}.W", path()), w)?;
                    insert(format!("{}.R", path()), r)?;
                    insert(format!("{}.B", path()), b)?;
                }
                _ => {}
            }
        }
        Ok(Self { tensors })
    }

    pub fn get(&self, name: &str) -> Result<Tensor> {
        self.tensors
            .get(name)
            .cloned()
            .ok_or_else(|| ModelError::BadModel(format!("Kokoro ONNX: no weight {name:?}")))
    }

    pub fn get_shaped(&self, name: &str, dims: &[usize]) -> Result<Tensor> {
        let t = self.get(name)?;
        if t.dims() != dims {
            return Err(ModelError::BadModel(format!(
                "Kokoro ONNX: {name} has shape {:?}, expected {dims:?}",
                t.dims()
            )));
        }
        Ok(t)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.tensors.contains_key(name)
    }

    /// Bytes held in f32 (the whole model, dequantized).
    pub fn f32_bytes(&self) -> usize {
        self.tensors.values().map(|t| t.elem_count() * 4).sum()
    }
}

fn lookup<'a>(inits: &HashMap<&str, &'a TensorProto>, name: &str) -> Result<&'a TensorProto> {
    inits
        .get(name)
        .copied()
        .ok_or_else(|| ModelError::BadModel(format!("Kokoro ONNX: no initializer {name:?}")))
}

/// `(q - zero_point) * scale`, the scale (and zero point) a scalar or a vector along `axis`.
fn dequantize(
    inits: &HashMap<&str, &TensorProto>,
    quantized: &str,
    zero_point: &str,
    axis: ScaleAxis,
) -> Result<Raw> {
    let q = raw(lookup(inits, quantized)?)?;
    let base = quantized.strip_suffix("_quantized").ok_or_else(|| {
        ModelError::BadModel(format!(
            "Kokoro ONNX: {quantized} is not a quantized weight"
        ))
    })?;
    let scale = raw(lookup(inits, &format!("{base}_scale"))?)?.values;
    let zp = raw(lookup(inits, zero_point)?)?.values;
    let n = q.values.len();
    let (groups, inner) = match axis {
        ScaleAxis::First => (q.dims.first().copied().unwrap_or(1), 1),
        ScaleAxis::Last => (1, q.dims.last().copied().unwrap_or(1)),
    };
    let at = |v: &[f32], i: usize| -> Result<f32> {
        match v.len() {
            1 => Ok(v[0]),
            len => {
                let k = match axis {
                    ScaleAxis::First => i / (n / groups.max(1)),
                    ScaleAxis::Last => i % inner,
                };
                if matches!(axis, ScaleAxis::First) && len != groups
                    || matches!(axis, ScaleAxis::Last) && len != inner
                {
                    return Err(ModelError::BadModel(format!(
                        "Kokoro ONNX: {quantized}: {len} scales for shape {:?}",
                        q.dims
                    )));
                }
                Ok(v[k])
            }
        }
    };
    let mut values = Vec::with_capacity(n);
    for (i, &x) in q.values.iter().enumerate() {
        values.push((x - at(&zp, i)?) * at(&scale, i)?);
    }
    Ok(Raw {
        dims: q.dims,
        values,
    })
}

fn transpose2(r: Raw) -> Result<Raw> {
    let [rows, cols] = r.dims[..] else {
        return Err(ModelError::BadModel(format!(
            "Kokoro ONNX: a matmul weight of shape {:?}",
            r.dims
        )));
    };
    let mut values = vec![0f32; rows * cols];
    for i in 0..rows {
        for j in 0..cols {
            values[j * rows + i] = r.values[i * cols + j];
        }
    }
    Ok(Raw {
        dims: vec![cols, rows],
        values,
    })
}

/// An initializer's own name as upstream spells it: the export prefixes the encoder half with
/// `encoder.` and the decoder with `decoder.decoder.`.
fn upstream_name(name: &str) -> String {
    if let Some(rest) = name.strip_prefix("decoder.decoder.") {
        format!("decoder.{rest}")
    } else if let Some(rest) = name.strip_prefix("encoder.") {
        rest.to_string()
    } else {
        name.to_string()
    }
}

/// The upstream module a node belongs to, from its name:
/// `/encoder/F0.0/conv1/Conv_quant` -> `predictor.F0.0.conv1`,
/// `/encoder/bert/encoder/albert_layer_groups.0/albert_layers.0/attention/query_3/MatMul_quant`
/// -> `bert.encoder.albert_layer_groups.0.albert_layers.0.attention.query` (ALBERT's one shared
/// layer runs twelve times; each run's nodes get a `_k` suffix).
fn module_path(node_name: &str) -> String {
    let mut parts: Vec<&str> = node_name.trim_start_matches('/').split('/').collect();
    parts.pop(); // the op itself
    let mut out: Vec<String> = Vec::new();
    match parts.first().copied() {
        Some("decoder") => {
            // `/decoder/decoder/...`
            out.push("decoder".into());
            parts.drain(..parts.len().min(2));
        }
        Some("encoder") => {
            parts.remove(0);
            match parts.first().copied() {
                Some(p)
                    if p.starts_with("F0")
                        || p.starts_with("N.")
                        || p.starts_with("N_")
                        || p == "shared" =>
                {
                    out.push("predictor".into());
                }
                _ => {}
            }
        }
        _ => {}
    }
    let in_bert = parts.first() == Some(&"bert");
    let mut previous: Option<&str> = None;
    for p in parts {
        // `/encoder/text_encoder/cnn.0/cnn.0.0/Conv` repeats the Sequential's index.
        if let Some(prev) = previous
            && p.starts_with(prev)
            && p.len() > prev.len()
        {
            out.pop();
        }
        let p_clean = if in_bert { strip_run_suffix(p) } else { p };
        out.push(p_clean.to_string());
        previous = Some(p);
    }
    out.join(".")
}

/// `query_3` -> `query`, `ffn_output_11` -> `ffn_output`; names without a numeric suffix stay.
fn strip_run_suffix(part: &str) -> &str {
    match part.rsplit_once('_') {
        Some((head, tail)) if !tail.is_empty() && tail.bytes().all(|b| b.is_ascii_digit()) => head,
        _ => part,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_names_map_to_upstream_modules() {
        assert_eq!(
            module_path("/encoder/F0.0/conv1/Conv_quant"),
            "predictor.F0.0.conv1"
        );
        assert_eq!(
            module_path("/encoder/shared/LSTM_quant"),
            "predictor.shared"
        );
        assert_eq!(
            module_path("/encoder/N_proj/Conv_quant"),
            "predictor.N_proj"
        );
        assert_eq!(
            module_path("/encoder/predictor/text_encoder/lstms.0/LSTM_quant"),
            "predictor.text_encoder.lstms.0"
        );
        assert_eq!(
            module_path("/encoder/text_encoder/cnn.0/cnn.0.0/Conv_quant"),
            "text_encoder.cnn.0.0"
        );
        assert_eq!(
            module_path(
                "/encoder/bert/encoder/albert_layer_groups.0/albert_layers.0/attention/query_3/MatMul_quant"
            ),
            "bert.encoder.albert_layer_groups.0.albert_layers.0.attention.query"
        );
        assert_eq!(
            module_path("/decoder/decoder/generator/ups.0/ConvTranspose"),
            "decoder.generator.ups.0"
        );
        assert_eq!(
            module_path("/encoder/bert_encoder/MatMul_quant"),
            "bert_encoder"
        );
    }
}
