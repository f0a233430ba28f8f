//! A tiny synthetic CTranslate2 Whisper (d_model 4, one layer each side) converted to the HF
//! layout: every name candle's whisper model loads is there, with the right shape and bytes.

use std::collections::BTreeMap;

use serde_json::json;

use super::*;
use crate::mirror::convert::ct2::testing::Writer;

const D: usize = 4;
const MELS: usize = 3;
const FFN: usize = 16;
const SOURCE: usize = 6;
const TARGET: usize = 5;
const VOCAB: usize = 7;

/// Distinct f16 bit patterns per tensor, so every moved byte can be traced to its source.
fn pattern(seed: u16, count: usize) -> Vec<u8> {
    (0..count)
        .flat_map(|i| (seed.wrapping_mul(1000).wrapping_add(i as u16)).to_le_bytes())
        .collect()
}

struct Synthetic {
    writer: Writer,
    seed: u16,
}

impl Synthetic {
    fn add(&mut self, name: &str, shape: &[usize]) {
        self.seed += 1;
        let count = shape.iter().product();
        self.writer
            .tensor(name, shape, Dtype::F16, pattern(self.seed, count));
    }

    fn linear(&mut self, name: &str, rows: usize, columns: usize) {
        self.add(&format!("{name}/weight"), &[rows, columns]);
        self.add(&format!("{name}/bias"), &[rows]);
    }

    fn norm(&mut self, name: &str) {
        self.add(&format!("{name}/gamma"), &[D]);
        self.add(&format!("{name}/beta"), &[D]);
    }

    fn layer(&mut self, prefix: &str, cross: bool) {
        self.linear(&format!("{prefix}/self_attention/linear_0"), 3 * D, D);
        self.linear(&format!("{prefix}/self_attention/linear_1"), D, D);
        self.norm(&format!("{prefix}/self_attention/layer_norm"));
        if cross {
            self.linear(&format!("{prefix}/attention/linear_0"), D, D);
            self.linear(&format!("{prefix}/attention/linear_1"), 2 * D, D);
            self.linear(&format!("{prefix}/attention/linear_2"), D, D);
            self.norm(&format!("{prefix}/attention/layer_norm"));
        }
        self.linear(&format!("{prefix}/ffn/linear_0"), FFN, D);
        self.linear(&format!("{prefix}/ffn/linear_1"), D, FFN);
        self.norm(&format!("{prefix}/ffn/layer_norm"));
    }
}

fn synthetic_writer() -> Writer {
    let mut s = Synthetic {
        writer: Writer::new(),
        seed: 0,
    };
    s.add("encoder/conv1/weight", &[D, MELS, 3]);
    s.add("encoder/conv1/bias", &[D]);
    s.add("encoder/conv2/weight", &[D, D, 3]);
    s.add("encoder/conv2/bias", &[D]);
    s.add("encoder/position_encodings/encodings", &[SOURCE, D]);
    s.layer("encoder/layer_0", false);
    s.norm("encoder/layer_norm");
    s.add("decoder/embeddings/weight", &[VOCAB, D]);
    s.add("decoder/position_encodings/encodings", &[TARGET, D]);
    s.layer("decoder/layer_0", true);
    s.norm("decoder/layer_norm");
    let mut writer = s.writer;
    writer.int16("encoder/num_heads", 2);
    writer.int16("decoder/num_heads", 2);
    writer.int8("decoder/activation", 3);
    writer.int8("decoder/pre_norm", 1);
    writer.int8("decoder/scale_embeddings", 0);
    writer.int8("decoder/alibi", 0);
    writer.int8("decoder/start_from_zero_embedding", 0);
    writer.int16("decoder/alignment_heads", 1);
    writer.int16("decoder/alignment_layer", -1);
    writer
}

/// As CTranslate2 writes Whisper: the output projection an alias of the embeddings.
fn tied_writer() -> Writer {
    let mut writer = synthetic_writer();
    writer.alias("decoder/projection/weight", "decoder/embeddings/weight");
    writer
}

fn synthetic() -> Vec<u8> {
    tied_writer().finish("WhisperSpec", 3)
}

/// The names and shapes candle-transformers' whisper `model.rs` asks its VarBuilder for
/// (plus the encoder's stored position table, which HF files carry and candle recomputes).
fn expected_shapes() -> BTreeMap<String, Vec<usize>> {
    let mut want = BTreeMap::new();
    let mut put = |name: String, shape: &[usize]| {
        want.insert(name, shape.to_vec());
    };
    let attention = |put: &mut dyn FnMut(String, &[usize]), prefix: &str| {
        for proj in ["q_proj", "k_proj", "v_proj", "out_proj"] {
            put(format!("{prefix}.{proj}.weight"), &[D, D]);
            if proj != "k_proj" {
                put(format!("{prefix}.{proj}.bias"), &[D]);
            }
        }
    };
    let norm = |put: &mut dyn FnMut(String, &[usize]), prefix: &str| {
        put(format!("{prefix}.weight"), &[D]);
        put(format!("{prefix}.bias"), &[D]);
    };
    put("model.encoder.conv1.weight".into(), &[D, MELS, 3]);
    put("model.encoder.conv1.bias".into(), &[D]);
    put("model.encoder.conv2.weight".into(), &[D, D, 3]);
    put("model.encoder.conv2.bias".into(), &[D]);
    put("model.encoder.embed_positions.weight".into(), &[SOURCE, D]);
    put("model.decoder.embed_tokens.weight".into(), &[VOCAB, D]);
    put("model.decoder.embed_positions.weight".into(), &[TARGET, D]);
    for stack in ["encoder", "decoder"] {
        let layer = format!("model.{stack}.layers.0");
        attention(&mut put, &format!("{layer}.self_attn"));
        norm(&mut put, &format!("{layer}.self_attn_layer_norm"));
        if stack == "decoder" {
            attention(&mut put, &format!("{layer}.encoder_attn"));
            norm(&mut put, &format!("{layer}.encoder_attn_layer_norm"));
        }
        put(format!("{layer}.fc1.weight"), &[FFN, D]);
        put(format!("{layer}.fc1.bias"), &[FFN]);
        put(format!("{layer}.fc2.weight"), &[D, FFN]);
        put(format!("{layer}.fc2.bias"), &[D]);
        norm(&mut put, &format!("{layer}.final_layer_norm"));
        norm(&mut put, &format!("model.{stack}.layer_norm"));
    }
    want
}

fn by_name<'a>(tensors: &'a [Tensor<'a>]) -> BTreeMap<&'a str, &'a Tensor<'a>> {
    tensors.iter().map(|t| (t.name.as_str(), t)).collect()
}

#[test]
fn converts_every_tensor_to_its_hf_name_and_shape() {
    let bytes = synthetic();
    let model = ct2::Model::parse(&bytes).expect("synthetic parses");
    let tensors = to_hf_tensors(&model).expect("converts");
    let got: BTreeMap<String, Vec<usize>> = tensors
        .iter()
        .map(|t| (t.name.clone(), t.shape.clone()))
        .collect();
    assert_eq!(got, expected_shapes());
    assert_eq!(got.len(), tensors.len(), "no name twice");
    assert!(tensors.iter().all(|t| t.dtype == Dtype::F16));
}

#[test]
fn fused_projections_split_into_q_k_v_rows() {
    let bytes = synthetic();
    let model = ct2::Model::parse(&bytes).expect("parses");
    let tensors = to_hf_tensors(&model).expect("converts");
    let out = by_name(&tensors);
    let row_bytes = D * 2;
    let fused = model
        .require("encoder/layer_0/self_attention/linear_0/weight")
        .expect("fused qkv")
        .data;
    let fused_bias = model
        .require("encoder/layer_0/self_attention/linear_0/bias")
        .expect("fused bias")
        .data;
    let attn = "model.encoder.layers.0.self_attn";
    for (i, proj) in ["q_proj", "k_proj", "v_proj"].iter().enumerate() {
        let rows = &fused[i * D * row_bytes..(i + 1) * D * row_bytes];
        assert_eq!(out[format!("{attn}.{proj}.weight").as_str()].data, rows);
    }
    assert_eq!(
        out[format!("{attn}.q_proj.bias").as_str()].data,
        &fused_bias[..D * 2]
    );
    assert_eq!(
        out[format!("{attn}.v_proj.bias").as_str()].data,
        &fused_bias[2 * D * 2..]
    );
    assert!(!out.contains_key(format!("{attn}.k_proj.bias").as_str()));

    let kv = model
        .require("decoder/layer_0/attention/linear_1/weight")
        .expect("fused kv")
        .data;
    let cross = "model.decoder.layers.0.encoder_attn";
    assert_eq!(
        out[format!("{cross}.k_proj.weight").as_str()].data,
        &kv[..D * row_bytes]
    );
    assert_eq!(
        out[format!("{cross}.v_proj.weight").as_str()].data,
        &kv[D * row_bytes..]
    );
    let q = model
        .require("decoder/layer_0/attention/linear_0/weight")
        .expect("cross q")
        .data;
    assert_eq!(out[format!("{cross}.q_proj.weight").as_str()].data, q);
    let gamma = model
        .require("decoder/layer_norm/gamma")
        .expect("gamma")
        .data;
    assert_eq!(out["model.decoder.layer_norm.weight"].data, gamma);
}

#[test]
fn config_carries_the_fields_candle_reads() {
    let bytes = synthetic();
    let model = ct2::Model::parse(&bytes).expect("parses");
    let dims = dims(&model).expect("dims");
    let tokenizer = json!({"added_tokens": [
        {"id": 5, "content": "<|endoftext|>"},
        {"id": 6, "content": "<|startoftranscript|>"},
    ]});
    let ct2_config = json!({"suppress_ids": [1, 2], "suppress_ids_begin": [220, 5]});
    let config = hf_config(&dims, Dtype::F16, &ct2_config, &tokenizer).expect("config");
    let want = json!({
        "num_mel_bins": MELS, "max_source_positions": SOURCE, "d_model": D,
        "encoder_attention_heads": 2, "encoder_layers": 1, "vocab_size": VOCAB,
        "max_target_positions": TARGET, "decoder_attention_heads": 2, "decoder_layers": 1,
        "suppress_tokens": [1, 2], "begin_suppress_tokens": [220, 5],
        "eos_token_id": 5, "decoder_start_token_id": 6, "torch_dtype": "float16",
        "encoder_ffn_dim": FFN, "model_type": "whisper",
    });
    for (key, value) in want.as_object().into_iter().flatten() {
        assert_eq!(&config[key], value, "{key}");
    }
    assert!(matches!(
        hf_config(&dims, Dtype::F16, &ct2_config, &json!({})),
        Err(ConvertError::MissingToken("<|endoftext|>"))
    ));
}

#[test]
fn written_safetensors_read_back_with_the_same_bytes() {
    let bytes = synthetic();
    let model = ct2::Model::parse(&bytes).expect("parses");
    let tensors = to_hf_tensors(&model).expect("converts");
    let dir = std::env::temp_dir().join(format!("lantern-whisper-hf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("model.safetensors");
    write_safetensors(&tensors, &path).expect("writes");
    let written = std::fs::read(&path).expect("reads");
    std::fs::remove_dir_all(&dir).ok();
    let file = safetensors::SafeTensors::deserialize(&written).expect("valid safetensors");
    assert_eq!(file.len(), tensors.len());
    for tensor in &tensors {
        let view = file.tensor(&tensor.name).expect("present");
        assert_eq!(view.dtype(), safetensors::Dtype::F16, "{}", tensor.name);
        assert_eq!(view.shape(), tensor.shape.as_slice(), "{}", tensor.name);
        assert_eq!(view.data(), tensor.data, "{}", tensor.name);
    }
    let (_, metadata) = safetensors::SafeTensors::read_metadata(&written).expect("header");
    let format = metadata.metadata().as_ref().and_then(|m| m.get("format"));
    assert_eq!(format.map(String::as_str), Some("pt"));
}

#[test]
fn refuses_what_the_hf_layout_cannot_express() {
    let refused = |writer: Writer, spec: &str| {
        let bytes = writer.finish(spec, 3);
        let model = ct2::Model::parse(&bytes).expect("parses");
        to_hf_tensors(&model).err()
    };
    let mut scaled = tied_writer();
    scaled.int8("decoder/scale_embeddings", 1);
    assert!(matches!(
        refused(scaled, "WhisperSpec"),
        Some(ConvertError::Unsupported { want: 0, .. })
    ));

    let mut extra = tied_writer();
    extra.int8("decoder/mystery", 1);
    match refused(extra, "WhisperSpec") {
        Some(ConvertError::Unmapped(names)) => assert_eq!(names, vec!["decoder/mystery"]),
        other => panic!("expected Unmapped, got {other:?}"),
    }

    assert!(matches!(
        refused(tied_writer(), "TransformerSpec"),
        Some(ConvertError::NotWhisper(_))
    ));

    let mut untied = synthetic_writer();
    untied.tensor(
        "decoder/projection/weight",
        &[VOCAB, D],
        Dtype::F16,
        pattern(999, VOCAB * D),
    );
    assert!(matches!(
        refused(untied, "WhisperSpec"),
        Some(ConvertError::UntiedProjection)
    ));
}

#[test]
fn an_equal_copy_of_the_embeddings_counts_as_tied() {
    let bytes = synthetic();
    let tied = ct2::Model::parse(&bytes).expect("parses");
    let embeddings = tied
        .require("decoder/embeddings/weight")
        .expect("embeddings")
        .data
        .to_vec();
    let mut copied = synthetic_writer();
    copied.tensor(
        "decoder/projection/weight",
        &[VOCAB, D],
        Dtype::F16,
        embeddings,
    );
    let bytes = copied.finish("WhisperSpec", 3);
    let model = ct2::Model::parse(&bytes).expect("parses");
    let tensors = to_hf_tensors(&model).expect("converts");
    assert_eq!(tensors.len(), expected_shapes().len());
}
