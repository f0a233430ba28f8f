//! An OCR network as its ONNX graph lays it out, run on Candle tensors: the nodes in their
//! (topological) file order, each an [`ops::Op`] built once at load with its weights widened to
//! f32 (int8 initializers included: their Cast and per-channel Mul are folded away at load, as
//! is every node whose inputs are all constants). PaddleOCR's exported graphs are the reference:
//! the DBNet detector, the PP-LCNet orientation classifier and the SVTR-LCNet / PP-OCRv6 tiny
//! recognizers all use the same ~35 operators, so one interpreter serves the five files, each
//! kept by its upstream node names in errors. Values die after their last use, so a big image's
//! feature maps do not pile up.

use std::collections::HashMap;

use candle_core::{Device, Tensor};

use super::ops::{Op, Value};
use crate::nn::onnx::{FLOAT, INT8, INT32, INT64, TensorProto, UINT8, read_model};
use crate::{ModelError, Result};

/// Told each node's operator and its run time.
pub type Trace<'a> = dyn FnMut(&str, std::time::Duration) + 'a;

struct Node {
    name: String,
    op: Op,
    inputs: Vec<String>,
    outputs: Vec<String>,
}

/// A loaded network: one float input, one float output.
pub struct Graph {
    nodes: Vec<Node>,
    constants: HashMap<String, Value>,
    input: String,
    output: String,
    /// After node `i` runs, the values in `dead[i]` are never read again.
    dead: Vec<Vec<String>>,
    metadata: HashMap<String, String>,
}

impl Graph {
    /// Reads the ONNX model in `bytes`.
    pub fn load(bytes: &[u8]) -> Result<Graph> {
        let model = read_model(bytes)?;
        let metadata = model
            .metadata_props
            .into_iter()
            .map(|p| (p.key, p.value))
            .collect();
        let graph = model
            .graph
            .ok_or_else(|| ModelError::BadModel("the ONNX model has no graph".into()))?;
        let mut constants = HashMap::new();
        for init in graph.initializer {
            let name = init.name.clone();
            constants.insert(name, constant(init)?);
        }
        let input = graph
            .input
            .iter()
            .map(|i| i.name.clone())
            .find(|name| !constants.contains_key(name))
            .ok_or_else(|| ModelError::BadModel("the graph has no input".into()))?;
        let output = graph
            .output
            .first()
            .map(|o| o.name.clone())
            .ok_or_else(|| ModelError::BadModel("the graph has no output".into()))?;
        let mut nodes = Vec::new();
        for node in graph.node {
            let bad = |e: ModelError| ModelError::BadModel(format!("node {}: {e}", node.name));
            if node.op_type == "Constant" {
                let value = node
                    .attribute
                    .into_iter()
                    .find(|a| a.name == "value")
                    .and_then(|a| a.t)
                    .ok_or_else(|| bad(ModelError::BadModel("no tensor value".into())))?;
                let out = node.output.first().cloned().unwrap_or_default();
                constants.insert(out, constant(value).map_err(bad)?);
                continue;
            }
            let op = Op::build(&node, &constants).map_err(bad)?;
            let inputs: Vec<String> = node.input.clone();
            let foldable = inputs
                .iter()
                .all(|i| i.is_empty() || constants.contains_key(i));
            if foldable {
                // Weights decoded in the graph (int8 times scale), shapes of constants: once.
                let args: Vec<Option<&Value>> =
                    inputs.iter().map(|i| constants.get(i)).collect::<Vec<_>>();
                let results = op.run(&args).map_err(bad)?;
                for (name, value) in node.output.iter().zip(results) {
                    constants.insert(name.clone(), value);
                }
                continue;
            }
            nodes.push(Node {
                name: node.name,
                op,
                inputs,
                outputs: node.output,
            });
        }
        let mut last_use: HashMap<&str, usize> = HashMap::new();
        for (i, node) in nodes.iter().enumerate() {
            for input in &node.inputs {
                last_use.insert(input.as_str(), i);
            }
        }
        let mut dead = vec![Vec::new(); nodes.len()];
        for (name, i) in last_use {
            if name != output && !constants.contains_key(name) {
                dead[i].push(name.to_string());
            }
        }
        // Only what the nodes still read stays loaded (folded-away weights are dropped).
        let used: std::collections::HashSet<&String> =
            nodes.iter().flat_map(|n| n.inputs.iter()).collect();
        constants.retain(|name, _| used.contains(name));
        Ok(Graph {
            nodes,
            constants,
            input,
            output,
            dead,
            metadata,
        })
    }

    /// The model's `metadata_props` entry `key` (PP-OCRv6 keeps its characters there).
    pub fn metadata(&self, key: &str) -> Option<&str> {
        self.metadata.get(key).map(String::as_str)
    }

    /// Runs the network on `input` and returns its output.
    pub fn run(&self, input: Tensor) -> Result<Tensor> {
        self.run_traced(input, None)
    }

    /// `run`, telling `trace` each node's operator and how long it took (for finding where the
    /// time goes; `run` passes nothing and reads no clock).
    pub fn run_traced(&self, input: Tensor, mut trace: Option<&mut Trace<'_>>) -> Result<Tensor> {
        let mut values: HashMap<&str, Value> = HashMap::new();
        values.insert(self.input.as_str(), Value::F(input));
        for (i, node) in self.nodes.iter().enumerate() {
            let args: Vec<Option<&Value>> = node
                .inputs
                .iter()
                .map(|name| {
                    if name.is_empty() {
                        Ok(None)
                    } else if let Some(v) = values.get(name.as_str()) {
                        Ok(Some(v))
                    } else if let Some(v) = self.constants.get(name) {
                        Ok(Some(v))
                    } else {
                        Err(ModelError::BadModel(format!(
                            "node {}: input {name} is not computed yet",
                            node.name
                        )))
                    }
                })
                .collect::<Result<_>>()?;
            let started = trace.as_ref().map(|_| web_time());
            let results = node
                .op
                .run(&args)
                .map_err(|e| ModelError::BadModel(format!("node {}: {e}", node.name)))?;
            if let (Some(trace), Some(started)) = (trace.as_mut(), started) {
                trace(node.op.name(), started.elapsed());
            }
            for (name, value) in node.outputs.iter().zip(results) {
                values.insert(name.as_str(), value);
            }
            for name in &self.dead[i] {
                values.remove(name.as_str());
            }
        }
        match values.remove(self.output.as_str()) {
            Some(Value::F(t)) => Ok(t),
            Some(Value::I(..)) => Err(ModelError::BadModel("the output is not float".into())),
            None => Err(ModelError::BadModel(format!(
                "the graph never computes its output {}",
                self.output
            ))),
        }
    }
}

/// The clock for traces (natively; wasm32 has no `Instant`, and traces are native-only).
#[cfg(not(target_arch = "wasm32"))]
fn web_time() -> std::time::Instant {
    std::time::Instant::now()
}

#[cfg(target_arch = "wasm32")]
fn web_time() -> NoClock {
    NoClock
}

#[cfg(target_arch = "wasm32")]
struct NoClock;

#[cfg(target_arch = "wasm32")]
impl NoClock {
    fn elapsed(&self) -> std::time::Duration {
        std::time::Duration::ZERO
    }
}

/// An initializer or Constant as a value: floats (int8 and uint8 widened, to be scaled by the
/// graph) or integers (shapes, axes).
fn constant(init: TensorProto) -> Result<Value> {
    let bad = |why: String| ModelError::BadModel(format!("tensor {}: {why}", init.name));
    if init.data_location == 1 {
        return Err(bad("its data is in an external file".into()));
    }
    let dims = init
        .dims
        .iter()
        .map(|&d| usize::try_from(d).map_err(|_| bad(format!("dimension {d}"))))
        .collect::<Result<Vec<_>>>()?;
    let count: usize = dims.iter().product();
    let raw = &init.raw_data;
    let check = |len: usize| {
        if len == count {
            Ok(())
        } else {
            Err(bad(format!("{len} values for shape {dims:?}")))
        }
    };
    match init.data_type {
        FLOAT | INT8 | UINT8 => {
            let values: Vec<f32> = match (init.data_type, raw.is_empty()) {
                (FLOAT, false) => raw
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect(),
                (FLOAT, true) => init.float_data.clone(),
                (INT8, false) => raw.iter().map(|&b| b as i8 as f32).collect(),
                (UINT8, false) => raw.iter().map(|&b| b as f32).collect(),
                (_, true) => init.int32_data.iter().map(|&v| v as f32).collect(),
                _ => Vec::new(),
            };
            check(values.len())?;
            Ok(Value::F(Tensor::from_vec(values, dims, &Device::Cpu)?))
        }
        INT64 | INT32 => {
            let values: Vec<i64> = match (init.data_type, raw.is_empty()) {
                (INT64, false) => raw
                    .chunks_exact(8)
                    .map(|b| i64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
                    .collect(),
                (INT64, true) => init.int64_data.clone(),
                (_, false) => raw
                    .chunks_exact(4)
                    .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as i64)
                    .collect(),
                (_, true) => init.int32_data.iter().map(|&v| v as i64).collect(),
            };
            check(values.len())?;
            Ok(Value::I(values, dims))
        }
        other => Err(bad(format!("data type {other} is not read"))),
    }
}
