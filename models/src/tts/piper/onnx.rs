//! The part of an ONNX file a Piper voice needs: its initializers (the weights) and its Conv and
//! ConvTranspose nodes, which give weight-normed convolutions (stored under anonymous names such
//! as `onnx::Conv_8168`) their module path and their stride, padding, dilation and groups.
//! The messages are `nn::onnx`'s.

use std::collections::HashMap;

use crate::nn::onnx::{FLOAT, NodeProto, TensorProto, read_graph};
use crate::{ModelError, Result};
use candle_core::{Device, Tensor};

/// A 1-D convolution as the graph runs it: its folded weight and its node's attributes.
#[derive(Debug, Clone)]
pub(crate) struct ConvNode {
    /// `[out, in / groups, kernel]` for Conv, `[in, out, kernel]` for ConvTranspose.
    pub weight: Tensor,
    pub bias: Option<Tensor>,
    pub transposed: bool,
    pub stride: usize,
    pub padding: usize,
    pub dilation: usize,
    pub groups: usize,
}

/// The f32 weights of a voice: every float initializer by name, and every convolution by the
/// module path of its node (`/flow/flows.0/enc/in_layers.0/Conv` -> `flow.flows.0.enc.in_layers.0`).
pub(crate) struct OnnxWeights {
    pub tensors: HashMap<String, Tensor>,
    pub convs: HashMap<String, ConvNode>,
}

impl OnnxWeights {
    pub fn read(bytes: &[u8], device: &Device) -> Result<Self> {
        let graph = read_graph(bytes)?;
        let mut tensors = HashMap::new();
        for init in graph.initializer {
            // Integer initializers are shape constants of the exported graph, not weights.
            if init.data_type != FLOAT {
                continue;
            }
            let name = init.name.clone();
            tensors.insert(name, float_tensor(init, device)?);
        }
        let mut convs = HashMap::new();
        for node in &graph.node {
            let transposed = match node.op_type.as_str() {
                "Conv" => false,
                "ConvTranspose" => true,
                _ => continue,
            };
            let path = module_path(&node.name);
            let conv = conv_node(node, transposed, &mut tensors)
                .map_err(|e| ModelError::BadModel(format!("{}: {e}", node.name)))?;
            convs.insert(path, conv);
        }
        Ok(OnnxWeights { tensors, convs })
    }

    /// A weight that is not part of a convolution, checked for its shape.
    pub fn tensor(&self, name: &str, shape: &[usize]) -> Result<Tensor> {
        let tensor = self
            .tensors
            .get(name)
            .ok_or_else(|| ModelError::BadModel(format!("the voice has no weight {name}")))?;
        if tensor.dims() != shape {
            return Err(ModelError::BadModel(format!(
                "{name} has shape {:?}, expected {shape:?}",
                tensor.dims()
            )));
        }
        Ok(tensor.clone())
    }

    /// The convolution whose node is `path` (its module path in the PyTorch model).
    pub fn conv(&self, path: &str) -> Result<ConvNode> {
        self.convs
            .get(path)
            .cloned()
            .ok_or_else(|| ModelError::BadModel(format!("the voice has no convolution {path}")))
    }

    pub fn has_conv(&self, path: &str) -> bool {
        self.convs.contains_key(path)
    }
}

/// `/dec/ups.0/ConvTranspose` -> `dec.ups.0`: the exporter names nodes after their module.
fn module_path(node_name: &str) -> String {
    let trimmed = node_name.trim_start_matches('/');
    let module = trimmed
        .rsplit_once('/')
        .map_or(trimmed, |(module, _)| module);
    module.replace('/', ".")
}

fn conv_node(
    node: &NodeProto,
    transposed: bool,
    tensors: &mut HashMap<String, Tensor>,
) -> std::result::Result<ConvNode, String> {
    let weight_name = node.input.get(1).ok_or("no weight input")?;
    let weight = tensors
        .get(weight_name)
        .cloned()
        .ok_or_else(|| format!("weight {weight_name} is not an f32 initializer"))?;
    if weight.rank() != 3 {
        return Err(format!(
            "weight {weight_name} is not 1-D ({:?})",
            weight.dims()
        ));
    }
    let bias = match node.input.get(2).filter(|name| !name.is_empty()) {
        Some(name) => Some(
            tensors
                .get(name)
                .cloned()
                .ok_or_else(|| format!("bias {name} is not an f32 initializer"))?,
        ),
        None => None,
    };
    let ints = |name: &str| node.attribute.iter().find(|a| a.name == name);
    let single = |name: &str, default: i64| -> std::result::Result<usize, String> {
        let value = match ints(name) {
            Some(a) if a.ints.len() == 1 => a.ints[0],
            Some(a) if a.ints.is_empty() => a.i,
            Some(a) => return Err(format!("{name} {:?} is not one value", a.ints)),
            None => default,
        };
        usize::try_from(value).map_err(|_| format!("{name} {value} is negative"))
    };
    let padding = match ints("pads") {
        Some(a) if a.ints.len() == 2 && a.ints[0] == a.ints[1] => {
            usize::try_from(a.ints[0]).map_err(|_| format!("pads {:?}", a.ints))?
        }
        Some(a) => return Err(format!("pads {:?} are not symmetric 1-D padding", a.ints)),
        None => 0,
    };
    if ints("output_padding").is_some_and(|a| a.ints.iter().any(|&p| p != 0)) {
        return Err("output_padding is not supported".into());
    }
    let groups = single("group", 1)?;
    if groups == 0 {
        return Err("group 0".into());
    }
    Ok(ConvNode {
        weight,
        bias,
        transposed,
        stride: single("strides", 1)?,
        padding,
        dilation: single("dilations", 1)?,
        groups,
    })
}

fn float_tensor(init: TensorProto, device: &Device) -> Result<Tensor> {
    let bad = |why: String| ModelError::BadModel(format!("initializer {}: {why}", init.name));
    if init.data_location == 1 {
        return Err(bad("its data is in an external file".into()));
    }
    let dims = init
        .dims
        .iter()
        .map(|&d| usize::try_from(d).map_err(|_| bad(format!("dimension {d}"))))
        .collect::<Result<Vec<_>>>()?;
    let count: usize = dims.iter().product();
    let values: Vec<f32> = if !init.raw_data.is_empty() {
        if init.raw_data.len() != count * 4 {
            return Err(bad(format!(
                "{} bytes for {count} floats",
                init.raw_data.len()
            )));
        }
        init.raw_data
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    } else {
        if init.float_data.len() != count {
            return Err(bad(format!(
                "{} floats for shape {dims:?}",
                init.float_data.len()
            )));
        }
        init.float_data
    };
    Ok(Tensor::from_vec(values, dims, device)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_names_become_module_paths() {
        assert_eq!(
            module_path("/flow/flows.6/enc/in_layers.0/Conv"),
            "flow.flows.6.enc.in_layers.0"
        );
        assert_eq!(module_path("/dec/ups.2/ConvTranspose"), "dec.ups.2");
    }

    #[test]
    fn bytes_that_are_not_onnx_are_a_bad_model() {
        let err = OnnxWeights::read(b"\xff\xff\xff not protobuf", &Device::Cpu)
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("not an ONNX model")));
    }
}
