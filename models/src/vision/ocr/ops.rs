//! The ONNX operators PaddleOCR's exported networks use, each over Candle tensors with ONNX's
//! semantics (opsets 11 to 14): convolutions on `kernels::conv2d`, batch norm folded into a
//! per-channel scale and shift at load, the activations (HardSigmoid keeps each node's own
//! alpha: the detectors use 0.2, the rest 1/6), pooling, nearest upsampling, the attention's
//! MatMul/Softmax/Transpose, and the integer shape arithmetic (Shape, Slice, Concat, Reshape).

use std::collections::HashMap;

use candle_core::{D, Tensor};

use crate::kernels::conv2d::{Conv2dShape, conv_transpose2d, conv2d};
use crate::nn::onnx::{AttributeProto, NodeProto};
use crate::{ModelError, Result};

/// A value flowing through the graph: a float tensor, or integers with their shape.
#[derive(Debug, Clone)]
pub enum Value {
    F(Tensor),
    I(Vec<i64>, Vec<usize>),
}

impl Value {
    fn float(&self) -> Result<&Tensor> {
        match self {
            Value::F(t) => Ok(t),
            Value::I(..) => Err(bad("expected a float tensor, got integers")),
        }
    }

    fn ints(&self) -> Result<&[i64]> {
        match self {
            Value::I(v, _) => Ok(v),
            Value::F(_) => Err(bad("expected integers, got a float tensor")),
        }
    }
}

fn bad(why: impl Into<String>) -> ModelError {
    ModelError::BadModel(why.into())
}

#[derive(Debug, Clone, Copy)]
pub enum Binary {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Debug, Clone, Copy)]
pub enum Unary {
    Relu,
    Sigmoid,
    Sqrt,
    Erf,
    HardSwish,
    HardSigmoid { alpha: f32, beta: f32 },
}

pub enum Op {
    Identity,
    Cast,
    Conv {
        weight: Vec<f32>,
        bias: Option<Vec<f32>>,
        shape: ConvGeometry,
    },
    ConvTranspose {
        weight: Vec<f32>,
        bias: Option<Vec<f32>>,
        channels: (usize, usize),
        kernel: (usize, usize),
        stride: (usize, usize),
    },
    /// `x · scale + shift` per channel (axis 1).
    BatchNorm {
        scale: Tensor,
        shift: Tensor,
    },
    Binary(Binary),
    Unary(Unary),
    Pow,
    GlobalAveragePool,
    AveragePool {
        kernel: (usize, usize),
        stride: (usize, usize),
    },
    MaxPool {
        kernel: (usize, usize),
        stride: (usize, usize),
        pad_begin: (usize, usize),
        pad_end: (usize, usize),
    },
    Resize,
    Concat(i64),
    Reshape,
    Shape,
    Slice,
    Squeeze(Vec<i64>),
    Unsqueeze(Vec<i64>),
    Transpose(Vec<usize>),
    ReduceMean {
        axes: Vec<i64>,
        keepdims: bool,
    },
    MatMul,
    Softmax(i64),
}

/// A convolution's attributes; the input channels come from the weight.
pub struct ConvGeometry {
    out_channels: usize,
    in_per_group: usize,
    groups: usize,
    kernel: (usize, usize),
    stride: (usize, usize),
    dilation: (usize, usize),
    pads: Pads,
}

enum Pads {
    Explicit((usize, usize), (usize, usize)),
    /// ONNX `auto_pad = SAME_UPPER`: output = ceil(input / stride), the odd pixel at the end.
    SameUpper,
}

struct Attrs<'a>(&'a [AttributeProto]);

impl Attrs<'_> {
    fn get(&self, name: &str) -> Option<&AttributeProto> {
        self.0.iter().find(|a| a.name == name)
    }
    fn ints(&self, name: &str) -> Option<Vec<i64>> {
        self.get(name).map(|a| a.ints.clone())
    }
    fn int(&self, name: &str, default: i64) -> i64 {
        self.get(name).map_or(default, |a| a.i)
    }
    fn float(&self, name: &str, default: f32) -> f32 {
        self.get(name).map_or(default, |a| a.f)
    }
    fn string(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(|a| String::from_utf8_lossy(&a.s).into_owned())
    }
    fn pair(&self, name: &str, default: usize) -> Result<(usize, usize)> {
        match self.ints(name).as_deref() {
            None | Some([]) => Ok((default, default)),
            Some([a, b]) => Ok((to_usize(*a)?, to_usize(*b)?)),
            Some(other) => Err(bad(format!("{name} {other:?} is not 2-D"))),
        }
    }
}

fn to_usize(v: i64) -> Result<usize> {
    usize::try_from(v).map_err(|_| bad(format!("{v} is negative")))
}

fn float_constant(
    constants: &HashMap<String, Value>,
    name: Option<&String>,
) -> Result<Option<Tensor>> {
    match name.filter(|n| !n.is_empty()) {
        None => Ok(None),
        Some(name) => match constants.get(name) {
            Some(Value::F(t)) => Ok(Some(t.clone())),
            _ => Err(bad(format!("{name} is not a float constant"))),
        },
    }
}

fn flat(t: &Tensor) -> Result<Vec<f32>> {
    Ok(t.flatten_all()?.to_vec1::<f32>()?)
}

impl Op {
    /// The operator's name, for traces.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Identity => "Identity",
            Op::Cast => "Cast",
            Op::Conv { shape, .. } if shape.groups > 1 => "Conv (grouped)",
            Op::Conv { .. } => "Conv",
            Op::ConvTranspose { .. } => "ConvTranspose",
            Op::BatchNorm { .. } => "BatchNormalization",
            Op::Binary(_) => "Add/Sub/Mul/Div",
            Op::Unary(_) => "activation",
            Op::Pow => "Pow",
            Op::GlobalAveragePool => "GlobalAveragePool",
            Op::AveragePool { .. } => "AveragePool",
            Op::MaxPool { .. } => "MaxPool",
            Op::Resize => "Resize",
            Op::Concat(_) => "Concat",
            Op::Reshape => "Reshape",
            Op::Shape => "Shape",
            Op::Slice => "Slice",
            Op::Squeeze(_) => "Squeeze",
            Op::Unsqueeze(_) => "Unsqueeze",
            Op::Transpose(_) => "Transpose",
            Op::ReduceMean { .. } => "ReduceMean",
            Op::MatMul => "MatMul",
            Op::Softmax(_) => "Softmax",
        }
    }

    pub fn build(node: &NodeProto, constants: &HashMap<String, Value>) -> Result<Op> {
        let attrs = Attrs(&node.attribute);
        let weight = || {
            float_constant(constants, node.input.get(1))?
                .ok_or_else(|| bad("the weight is not a constant"))
        };
        let bias = || -> Result<Option<Vec<f32>>> {
            float_constant(constants, node.input.get(2))?
                .map(|t| flat(&t))
                .transpose()
        };
        Ok(match node.op_type.as_str() {
            "Identity" => Op::Identity,
            "Cast" => {
                if attrs.int("to", 1) != 1 {
                    return Err(bad("only casts to float are run"));
                }
                Op::Cast
            }
            "Conv" => {
                let w = weight()?;
                let (out_channels, in_per_group, kh, kw) = w.dims4()?;
                let pads = match attrs.string("auto_pad").as_deref() {
                    Some("SAME_UPPER") => Pads::SameUpper,
                    None | Some("NOTSET") | Some("") => match attrs.ints("pads").as_deref() {
                        None | Some([]) => Pads::Explicit((0, 0), (0, 0)),
                        Some([t, l, b, r]) => Pads::Explicit(
                            (to_usize(*t)?, to_usize(*l)?),
                            (to_usize(*b)?, to_usize(*r)?),
                        ),
                        Some(other) => return Err(bad(format!("pads {other:?}"))),
                    },
                    Some(other) => return Err(bad(format!("auto_pad {other} is not run"))),
                };
                Op::Conv {
                    weight: flat(&w)?,
                    bias: bias()?,
                    shape: ConvGeometry {
                        out_channels,
                        in_per_group,
                        groups: to_usize(attrs.int("group", 1))?,
                        kernel: (kh, kw),
                        stride: attrs.pair("strides", 1)?,
                        dilation: attrs.pair("dilations", 1)?,
                        pads,
                    },
                }
            }
            "ConvTranspose" => {
                let w = weight()?;
                let (cin, cout, kh, kw) = w.dims4()?;
                if attrs.int("group", 1) != 1
                    || attrs
                        .ints("pads")
                        .is_some_and(|p| p.iter().any(|&v| v != 0))
                    || attrs
                        .ints("output_padding")
                        .is_some_and(|p| p.iter().any(|&v| v != 0))
                    || attrs.pair("dilations", 1)? != (1, 1)
                {
                    return Err(bad("only ungrouped, unpadded ConvTranspose is run"));
                }
                Op::ConvTranspose {
                    weight: flat(&w)?,
                    bias: bias()?,
                    channels: (cin, cout),
                    kernel: (kh, kw),
                    stride: attrs.pair("strides", 1)?,
                }
            }
            "BatchNormalization" => {
                let get = |i: usize| {
                    float_constant(constants, node.input.get(i))?
                        .ok_or_else(|| bad("batch norm parameters must be constants"))
                };
                let (gamma, beta, mean, var) = (get(1)?, get(2)?, get(3)?, get(4)?);
                let eps = attrs.float("epsilon", 1e-5) as f64;
                let scale = gamma.div(&(var + eps)?.sqrt()?)?;
                let shift = beta.sub(&mean.mul(&scale)?)?;
                Op::BatchNorm { scale, shift }
            }
            "Add" => Op::Binary(Binary::Add),
            "Sub" => Op::Binary(Binary::Sub),
            "Mul" => Op::Binary(Binary::Mul),
            "Div" => Op::Binary(Binary::Div),
            "Pow" => Op::Pow,
            "Relu" => Op::Unary(Unary::Relu),
            "Sigmoid" => Op::Unary(Unary::Sigmoid),
            "Sqrt" => Op::Unary(Unary::Sqrt),
            "Erf" => Op::Unary(Unary::Erf),
            "HardSwish" => Op::Unary(Unary::HardSwish),
            "HardSigmoid" => Op::Unary(Unary::HardSigmoid {
                alpha: attrs.float("alpha", 0.2),
                beta: attrs.float("beta", 0.5),
            }),
            "GlobalAveragePool" => Op::GlobalAveragePool,
            "AveragePool" => {
                if attrs
                    .ints("pads")
                    .is_some_and(|p| p.iter().any(|&v| v != 0))
                    || attrs.int("ceil_mode", 0) != 0
                {
                    return Err(bad("only unpadded, floor-mode AveragePool is run"));
                }
                Op::AveragePool {
                    kernel: attrs.pair("kernel_shape", 1)?,
                    stride: attrs.pair("strides", 1)?,
                }
            }
            "MaxPool" => {
                let kernel = attrs.pair("kernel_shape", 1)?;
                let stride = attrs.pair("strides", 1)?;
                let (pad_begin, pad_end) = match attrs.string("auto_pad").as_deref() {
                    Some("SAME_UPPER") if stride == (1, 1) => {
                        let total = (kernel.0 - 1, kernel.1 - 1);
                        let begin = (total.0 / 2, total.1 / 2);
                        (begin, (total.0 - begin.0, total.1 - begin.1))
                    }
                    None | Some("NOTSET") | Some("") => match attrs.ints("pads").as_deref() {
                        None | Some([]) => ((0, 0), (0, 0)),
                        Some([t, l, b, r]) => (
                            (to_usize(*t)?, to_usize(*l)?),
                            (to_usize(*b)?, to_usize(*r)?),
                        ),
                        Some(other) => return Err(bad(format!("pads {other:?}"))),
                    },
                    Some(other) => return Err(bad(format!("MaxPool auto_pad {other}"))),
                };
                Op::MaxPool {
                    kernel,
                    stride,
                    pad_begin,
                    pad_end,
                }
            }
            "Resize" => {
                let mode = attrs.string("mode").unwrap_or_default();
                let coords = attrs
                    .string("coordinate_transformation_mode")
                    .unwrap_or_default();
                if mode != "nearest" || coords != "asymmetric" {
                    return Err(bad(format!("Resize {mode}/{coords} is not run")));
                }
                Op::Resize
            }
            "Concat" => Op::Concat(attrs.int("axis", 0)),
            "Reshape" => Op::Reshape,
            "Shape" => Op::Shape,
            "Slice" => Op::Slice,
            "Squeeze" => Op::Squeeze(attrs.ints("axes").unwrap_or_default()),
            "Unsqueeze" => Op::Unsqueeze(attrs.ints("axes").unwrap_or_default()),
            "Transpose" => Op::Transpose(
                attrs
                    .ints("perm")
                    .unwrap_or_default()
                    .into_iter()
                    .map(to_usize)
                    .collect::<Result<_>>()?,
            ),
            "ReduceMean" => Op::ReduceMean {
                axes: attrs.ints("axes").unwrap_or_default(),
                keepdims: attrs.int("keepdims", 1) != 0,
            },
            "MatMul" => Op::MatMul,
            "Softmax" => Op::Softmax(attrs.int("axis", -1)),
            other => return Err(bad(format!("operator {other} is not run"))),
        })
    }

    pub fn run(&self, args: &[Option<&Value>]) -> Result<Vec<Value>> {
        let arg = |i: usize| -> Result<&Value> {
            args.get(i)
                .copied()
                .flatten()
                .ok_or_else(|| bad(format!("input {i} is missing")))
        };
        let x = || arg(0)?.float();
        let out = match self {
            Op::Identity => arg(0)?.clone(),
            Op::Cast => match arg(0)? {
                Value::F(t) => Value::F(t.clone()),
                Value::I(v, dims) => Value::F(Tensor::from_vec(
                    v.iter().map(|&v| v as f32).collect::<Vec<_>>(),
                    dims.clone(),
                    &candle_core::Device::Cpu,
                )?),
            },
            Op::Conv {
                weight,
                bias,
                shape,
            } => Value::F(conv(x()?, weight, bias.as_deref(), shape)?),
            Op::ConvTranspose {
                weight,
                bias,
                channels,
                kernel,
                stride,
            } => {
                let x = x()?;
                let (batch, c, h, w) = x.dims4()?;
                if c != channels.0 {
                    return Err(bad(format!(
                        "{c} channels into ConvTranspose of {}",
                        channels.0
                    )));
                }
                let data = flat(x)?;
                let mut outs = Vec::new();
                let mut size = (0, 0);
                for b in 0..batch {
                    let image = &data[b * c * h * w..(b + 1) * c * h * w];
                    let (y, s) = conv_transpose2d(
                        image,
                        (h, w),
                        weight,
                        bias.as_deref(),
                        *channels,
                        *kernel,
                        *stride,
                    );
                    size = s;
                    outs.extend(y);
                }
                Value::F(Tensor::from_vec(
                    outs,
                    (batch, channels.1, size.0, size.1),
                    x.device(),
                )?)
            }
            Op::BatchNorm { scale, shift } => {
                let x = x()?;
                let (scale, shift) = (flat(scale)?, flat(shift)?);
                if x.rank() < 2 || x.dims()[1] != scale.len() {
                    return Err(bad(format!(
                        "batch norm of {} channels on {:?}",
                        scale.len(),
                        x.dims()
                    )));
                }
                let inner: usize = x.dims()[2..].iter().product();
                let mut values = flat(x)?;
                for (i, plane) in values.chunks_mut(inner.max(1)).enumerate() {
                    let c = i % scale.len();
                    for v in plane {
                        *v = *v * scale[c] + shift[c];
                    }
                }
                Value::F(Tensor::from_vec(values, x.dims(), x.device())?)
            }
            Op::Binary(op) => binary(*op, arg(0)?, arg(1)?)?,
            Op::Unary(op) => Value::F(unary(*op, x()?)?),
            Op::Pow => {
                let exponent = flat(arg(1)?.float()?)?;
                match exponent.as_slice() {
                    [e] if *e == 2.0 => Value::F(x()?.sqr()?),
                    [e] => Value::F(x()?.powf(*e as f64)?),
                    _ => return Err(bad("only a scalar exponent is run")),
                }
            }
            Op::GlobalAveragePool => {
                Value::F(x()?.mean_keepdim(D::Minus1)?.mean_keepdim(D::Minus2)?)
            }
            Op::AveragePool { kernel, stride } => {
                Value::F(x()?.avg_pool2d_with_stride(*kernel, *stride)?)
            }
            Op::MaxPool {
                kernel,
                stride,
                pad_begin,
                pad_end,
            } => {
                // Edge replication equals -inf padding here: every window holds its edge pixel.
                let padded = x()?
                    .pad_with_same(2, pad_begin.0, pad_end.0)?
                    .pad_with_same(3, pad_begin.1, pad_end.1)?;
                Value::F(padded.max_pool2d_with_stride(*kernel, *stride)?)
            }
            Op::Resize => {
                let x = x()?;
                let (_, _, h, w) = x.dims4()?;
                let (th, tw) = match (
                    args.get(2).copied().flatten(),
                    args.get(3).copied().flatten(),
                ) {
                    (_, Some(sizes)) => {
                        let s = sizes.ints()?;
                        (to_usize(s[2])?, to_usize(s[3])?)
                    }
                    (Some(scales), _) => {
                        let s = flat(scales.float()?)?;
                        if s.len() != 4 || s[0] != 1.0 || s[1] != 1.0 {
                            return Err(bad(format!("Resize scales {s:?}")));
                        }
                        (
                            (h as f32 * s[2]).floor() as usize,
                            (w as f32 * s[3]).floor() as usize,
                        )
                    }
                    _ => return Err(bad("Resize without scales or sizes")),
                };
                // Candle's nearest picks floor(i · in / out), ONNX's asymmetric/floor mode.
                Value::F(x.upsample_nearest2d(th, tw)?)
            }
            Op::Concat(axis) => {
                let values: Vec<&Value> = args.iter().flatten().copied().collect();
                if values.iter().all(|v| matches!(v, Value::I(..))) {
                    let mut all = Vec::new();
                    for v in &values {
                        all.extend_from_slice(v.ints()?);
                    }
                    let n = all.len();
                    Value::I(all, vec![n])
                } else {
                    let tensors: Vec<&Tensor> =
                        values.iter().map(|v| v.float()).collect::<Result<_>>()?;
                    let rank = tensors.first().map_or(1, |t| t.rank());
                    Value::F(Tensor::cat(&tensors, axis_index(*axis, rank)?)?)
                }
            }
            Op::Reshape => {
                let x = x()?;
                let spec = arg(1)?.ints()?;
                let dims = x.dims();
                let mut shape: Vec<usize> = Vec::new();
                let mut infer = None;
                for (i, &d) in spec.iter().enumerate() {
                    match d {
                        0 => shape.push(*dims.get(i).ok_or_else(|| bad("Reshape 0 past rank"))?),
                        -1 => {
                            infer = Some(i);
                            shape.push(1);
                        }
                        d => shape.push(to_usize(d)?),
                    }
                }
                if let Some(i) = infer {
                    let known: usize = shape.iter().product();
                    shape[i] = x.elem_count() / known.max(1);
                }
                Value::F(x.reshape(shape)?)
            }
            Op::Shape => {
                let dims: Vec<i64> = match arg(0)? {
                    Value::F(t) => t.dims().iter().map(|&d| d as i64).collect(),
                    Value::I(_, dims) => dims.iter().map(|&d| d as i64).collect(),
                };
                let n = dims.len();
                Value::I(dims, vec![n])
            }
            Op::Slice => slice(args)?,
            Op::Squeeze(axes) => {
                let axes = match (axes.is_empty(), args.get(1).copied().flatten()) {
                    (true, Some(v)) => v.ints()?.to_vec(),
                    _ => axes.clone(),
                };
                match arg(0)? {
                    Value::F(t) => {
                        let mut dims = t.dims().to_vec();
                        let mut idx: Vec<usize> = axes
                            .iter()
                            .map(|&a| axis_index(a, dims.len()))
                            .collect::<Result<_>>()?;
                        idx.sort_unstable();
                        for i in idx.into_iter().rev() {
                            dims.remove(i);
                        }
                        Value::F(t.reshape(dims)?)
                    }
                    Value::I(v, _) => Value::I(v.clone(), vec![v.len()]),
                }
            }
            Op::Unsqueeze(axes) => {
                let axes = match (axes.is_empty(), args.get(1).copied().flatten()) {
                    (true, Some(v)) => v.ints()?.to_vec(),
                    _ => axes.clone(),
                };
                match arg(0)? {
                    Value::F(t) => {
                        let mut dims = t.dims().to_vec();
                        let rank = dims.len() + axes.len();
                        let mut idx: Vec<usize> = axes
                            .iter()
                            .map(|&a| axis_index(a, rank))
                            .collect::<Result<_>>()?;
                        idx.sort_unstable();
                        for i in idx {
                            dims.insert(i, 1);
                        }
                        Value::F(t.reshape(dims)?)
                    }
                    Value::I(v, dims) => {
                        let mut dims = dims.clone();
                        for _ in &axes {
                            dims.insert(0, 1);
                        }
                        Value::I(v.clone(), dims)
                    }
                }
            }
            Op::Transpose(perm) => {
                let x = x()?;
                let perm: Vec<usize> = if perm.is_empty() {
                    (0..x.rank()).rev().collect()
                } else {
                    perm.clone()
                };
                Value::F(x.permute(perm)?.contiguous()?)
            }
            Op::ReduceMean { axes, keepdims } => {
                let x = x()?;
                let rank = x.rank();
                let mut idx: Vec<usize> = axes
                    .iter()
                    .map(|&a| axis_index(a, rank))
                    .collect::<Result<_>>()?;
                idx.sort_unstable();
                let mut t = x.clone();
                for &i in idx.iter().rev() {
                    t = if *keepdims {
                        t.mean_keepdim(i)?
                    } else {
                        t.mean(i)?
                    };
                }
                Value::F(t)
            }
            Op::MatMul => {
                let (a, b) = (x()?, arg(1)?.float()?);
                Value::F(a.contiguous()?.broadcast_matmul(&b.contiguous()?)?)
            }
            Op::Softmax(axis) => {
                let x = x()?;
                let axis = axis_index(*axis, x.rank())?;
                Value::F(candle_nn::ops::softmax(x, axis)?)
            }
        };
        Ok(vec![out])
    }
}

fn axis_index(axis: i64, rank: usize) -> Result<usize> {
    let a = if axis < 0 { axis + rank as i64 } else { axis };
    usize::try_from(a)
        .ok()
        .filter(|&a| a < rank.max(1))
        .ok_or_else(|| bad(format!("axis {axis} of rank {rank}")))
}

fn conv(x: &Tensor, weight: &[f32], bias: Option<&[f32]>, g: &ConvGeometry) -> Result<Tensor> {
    let (batch, c, h, w) = x.dims4()?;
    if c != g.in_per_group * g.groups {
        return Err(bad(format!(
            "{c} channels into a convolution of {} x {}",
            g.groups, g.in_per_group
        )));
    }
    let (pad_begin, pad_end) = match g.pads {
        Pads::Explicit(begin, end) => (begin, end),
        Pads::SameUpper => {
            let total = |len: usize, k: usize, s: usize, d: usize| {
                let out = len.div_ceil(s);
                ((out - 1) * s + (k - 1) * d + 1).saturating_sub(len)
            };
            let th = total(h, g.kernel.0, g.stride.0, g.dilation.0);
            let tw = total(w, g.kernel.1, g.stride.1, g.dilation.1);
            ((th / 2, tw / 2), (th - th / 2, tw - tw / 2))
        }
    };
    let shape = Conv2dShape {
        in_channels: c,
        out_channels: g.out_channels,
        groups: g.groups,
        kernel: g.kernel,
        stride: g.stride,
        dilation: g.dilation,
        pad_begin,
        pad_end,
    };
    let data = flat(x)?;
    let mut outs = Vec::new();
    let mut size = (0, 0);
    for b in 0..batch {
        let (y, s) = conv2d(
            &data[b * c * h * w..(b + 1) * c * h * w],
            h,
            w,
            weight,
            bias,
            shape,
        );
        size = s;
        outs.extend(y);
    }
    Ok(Tensor::from_vec(
        outs,
        (batch, g.out_channels, size.0, size.1),
        x.device(),
    )?)
}

fn binary(op: Binary, a: &Value, b: &Value) -> Result<Value> {
    if let (Value::I(x, dx), Value::I(y, _)) = (a, b) {
        // Shape arithmetic: elementwise with a scalar broadcast.
        let get = |v: &[i64], i: usize| if v.len() == 1 { v[0] } else { v[i] };
        let n = x.len().max(y.len());
        let values = (0..n)
            .map(|i| {
                let (p, q) = (get(x, i), get(y, i));
                match op {
                    Binary::Add => p + q,
                    Binary::Sub => p - q,
                    Binary::Mul => p * q,
                    Binary::Div => p.checked_div(q).unwrap_or(0),
                }
            })
            .collect();
        let dims = if x.len() >= y.len() {
            dx.clone()
        } else {
            vec![n]
        };
        return Ok(Value::I(values, dims));
    }
    let to_float = |v: &Value| -> Result<Tensor> {
        match v {
            Value::F(t) => Ok(t.clone()),
            Value::I(v, dims) => Ok(Tensor::from_vec(
                v.iter().map(|&v| v as f32).collect::<Vec<_>>(),
                dims.clone(),
                &candle_core::Device::Cpu,
            )?),
        }
    };
    let (a, b) = (to_float(a)?, to_float(b)?);
    if let Some(out) = binary_fast(op, &a, &b)? {
        return Ok(Value::F(out));
    }
    Ok(Value::F(match op {
        Binary::Add => a.broadcast_add(&b)?,
        Binary::Sub => a.broadcast_sub(&b)?,
        Binary::Mul => a.broadcast_mul(&b)?,
        Binary::Div => a.broadcast_div(&b)?,
    }))
}

/// How `b` spreads over `a` in the broadcasts these graphs make, each one loop over `a`'s
/// values (Candle's general broadcast walks every index, and these ops were most of the time).
enum Spread {
    /// `b` has `a`'s shape.
    Same,
    /// `b` is one value.
    Scalar,
    /// `b` is `[1, C, 1, ...]` over `a`'s `[N, C, ...]`: one value per plane of `inner` values.
    Channel { channels: usize, inner: usize },
    /// `b` is `[..., 1, K]` over `a`'s `[..., K]`: one row repeated.
    Row(usize),
}

fn spread(a: &[usize], b: &[usize]) -> Option<Spread> {
    let count: usize = b.iter().product();
    if a == b {
        return Some(Spread::Same);
    }
    if count == 1 && b.len() <= a.len() {
        return Some(Spread::Scalar);
    }
    if b.len() > a.len() {
        return None;
    }
    // Right-align b's dims with a's.
    let padded: Vec<usize> = std::iter::repeat_n(1, a.len() - b.len())
        .chain(b.iter().copied())
        .collect();
    let last = a.len() - 1;
    if padded[last] == a[last] && padded[..last].iter().all(|&d| d == 1) {
        return Some(Spread::Row(a[last]));
    }
    if a.len() >= 2
        && padded[1] == a[1]
        && padded.iter().enumerate().all(|(i, &d)| i == 1 || d == 1)
    {
        return Some(Spread::Channel {
            channels: a[1],
            inner: a[2..].iter().product(),
        });
    }
    None
}

/// `a op b` (or `b op a` when `a` is the smaller one) in one pass, for the broadcasts `spread`
/// knows; `None` for any other.
fn binary_fast(op: Binary, a: &Tensor, b: &Tensor) -> Result<Option<Tensor>> {
    let (big, small, swapped) = if a.elem_count() >= b.elem_count() {
        (a, b, false)
    } else {
        (b, a, true)
    };
    let Some(how) = spread(big.dims(), small.dims()) else {
        return Ok(None);
    };
    let f = move |x: f32, y: f32| -> f32 {
        let (l, r) = if swapped { (y, x) } else { (x, y) };
        match op {
            Binary::Add => l + r,
            Binary::Sub => l - r,
            Binary::Mul => l * r,
            Binary::Div => l / r,
        }
    };
    let mut values = flat(big)?;
    let other = flat(small)?;
    match how {
        Spread::Same => {
            for (v, &o) in values.iter_mut().zip(&other) {
                *v = f(*v, o);
            }
        }
        Spread::Scalar => {
            let o = other[0];
            for v in &mut values {
                *v = f(*v, o);
            }
        }
        Spread::Channel { channels, inner } => {
            for (i, plane) in values.chunks_mut(inner.max(1)).enumerate() {
                let o = other[i % channels];
                for v in plane {
                    *v = f(*v, o);
                }
            }
        }
        Spread::Row(len) => {
            for row in values.chunks_mut(len.max(1)) {
                for (v, &o) in row.iter_mut().zip(&other) {
                    *v = f(*v, o);
                }
            }
        }
    }
    Ok(Some(Tensor::from_vec(values, big.dims(), big.device())?))
}

/// `f` over every value of `x`, in one pass.
fn map(x: &Tensor, f: impl Fn(f32) -> f32) -> Result<Tensor> {
    let mut values = flat(x)?;
    for v in &mut values {
        *v = f(*v);
    }
    Ok(Tensor::from_vec(values, x.dims(), x.device())?)
}

fn unary(op: Unary, x: &Tensor) -> Result<Tensor> {
    Ok(match op {
        Unary::Relu => map(x, |v| v.max(0.0))?,
        Unary::Sigmoid => map(x, |v| 1.0 / (1.0 + (-v).exp()))?,
        Unary::Sqrt => x.sqrt()?,
        Unary::Erf => x.erf()?,
        Unary::HardSigmoid { alpha, beta } => map(x, |v| hard_sigmoid(v, alpha, beta))?,
        Unary::HardSwish => map(x, |v| v * hard_sigmoid(v, 1.0 / 6.0, 0.5))?,
    })
}

/// `max(0, min(1, alpha·x + beta))` with the node's own alpha (not Candle's fixed 1/6).
fn hard_sigmoid(x: f32, alpha: f32, beta: f32) -> f32 {
    (alpha * x + beta).clamp(0.0, 1.0)
}

/// ONNX Slice (opset 10+: starts, ends, axes, steps as inputs) on floats or integers.
fn slice(args: &[Option<&Value>]) -> Result<Value> {
    let get = |i: usize| args.get(i).copied().flatten();
    let data = get(0).ok_or_else(|| bad("Slice without data"))?;
    let starts = get(1).ok_or_else(|| bad("Slice without starts"))?.ints()?;
    let ends = get(2).ok_or_else(|| bad("Slice without ends"))?.ints()?;
    let dims: Vec<usize> = match data {
        Value::F(t) => t.dims().to_vec(),
        Value::I(_, d) => d.clone(),
    };
    let axes: Vec<usize> = match get(3) {
        Some(a) => a
            .ints()?
            .iter()
            .map(|&a| axis_index(a, dims.len()))
            .collect::<Result<_>>()?,
        None => (0..starts.len()).collect(),
    };
    if let Some(steps) = get(4)
        && steps.ints()?.iter().any(|&s| s != 1)
    {
        return Err(bad("only Slice steps of 1 are run"));
    }
    let clamp = |v: i64, len: usize| -> usize {
        let v = if v < 0 { v + len as i64 } else { v };
        v.clamp(0, len as i64) as usize
    };
    match data {
        Value::F(t) => {
            let mut t = t.clone();
            for ((&axis, &s), &e) in axes.iter().zip(starts).zip(ends) {
                let len = dims[axis];
                let (s, e) = (clamp(s, len), clamp(e, len));
                t = t.narrow(axis, s, e.saturating_sub(s))?;
            }
            Ok(Value::F(t.contiguous()?))
        }
        Value::I(v, d) => {
            if d.len() != 1 || axes != [0] {
                return Err(bad("integer Slice beyond one axis"));
            }
            let (s, e) = (clamp(starts[0], v.len()), clamp(ends[0], v.len()));
            let out = v[s..e.max(s)].to_vec();
            let n = out.len();
            Ok(Value::I(out, vec![n]))
        }
    }
}
