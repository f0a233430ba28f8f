use std::io::Cursor;

use super::read_content;
use crate::ModelError;

/// A GGUF v3 file written byte by byte, so a test can make it say anything.
pub(crate) struct RawGguf {
    pub kvs: Vec<(String, Vec<u8>)>,
    /// (name, dims innermost first as stored, ggml type, offset)
    pub tensors: Vec<(String, Vec<u64>, u32, u64)>,
    pub data: Vec<u8>,
}

pub(crate) fn u32_value(v: u32) -> Vec<u8> {
    let mut b = 4u32.to_le_bytes().to_vec();
    b.extend(v.to_le_bytes());
    b
}

pub(crate) fn string_value(s: &str) -> Vec<u8> {
    let mut b = 8u32.to_le_bytes().to_vec();
    b.extend((s.len() as u64).to_le_bytes());
    b.extend(s.as_bytes());
    b
}

impl RawGguf {
    /// One f32 tensor of 8 elements, correctly laid out.
    pub fn one_tensor() -> RawGguf {
        RawGguf {
            kvs: vec![("general.name".into(), string_value("t"))],
            tensors: vec![("w".into(), vec![8], 0, 0)],
            data: vec![0u8; 32],
        }
    }

    pub fn bytes(&self) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend(0x4655_4747u32.to_le_bytes());
        b.extend(3u32.to_le_bytes());
        b.extend((self.tensors.len() as u64).to_le_bytes());
        b.extend((self.kvs.len() as u64).to_le_bytes());
        for (k, v) in &self.kvs {
            b.extend((k.len() as u64).to_le_bytes());
            b.extend(k.as_bytes());
            b.extend(v);
        }
        for (name, dims, ty, offset) in &self.tensors {
            b.extend((name.len() as u64).to_le_bytes());
            b.extend(name.as_bytes());
            b.extend((dims.len() as u32).to_le_bytes());
            for d in dims {
                b.extend(d.to_le_bytes());
            }
            b.extend(ty.to_le_bytes());
            b.extend(offset.to_le_bytes());
        }
        let align = 32;
        while b.len() % align != 0 {
            b.push(0);
        }
        b.extend(&self.data);
        b
    }
}

fn read(bytes: Vec<u8>) -> Result<(), String> {
    read_content(&mut Cursor::new(bytes))
        .map(|_| ())
        .map_err(|e| match e {
            ModelError::BadModel(m) => m,
            other => format!("not BadModel: {other}"),
        })
}

#[test]
fn a_well_formed_file_reads() {
    read(RawGguf::one_tensor().bytes()).unwrap();
}

#[test]
fn zero_alignment_is_refused_not_a_panic() {
    let mut g = RawGguf::one_tensor();
    g.kvs.push(("general.alignment".into(), u32_value(0)));
    let err = read(g.bytes()).unwrap_err();
    assert!(err.contains("general.alignment is 0"), "{err}");
}

#[test]
fn an_alignment_that_is_not_a_power_of_two_is_refused() {
    let mut g = RawGguf::one_tensor();
    g.kvs.push(("general.alignment".into(), u32_value(24)));
    assert!(read(g.bytes()).unwrap_err().contains("power of two"));
}

#[test]
fn a_truncated_file_names_the_tensor_that_runs_past_its_end() {
    let mut b = RawGguf::one_tensor().bytes();
    b.truncate(b.len() - 4);
    let err = read(b).unwrap_err();
    assert!(
        err.contains("tensor w") && err.contains("past the end"),
        "{err}"
    );
}

#[test]
fn dimensions_whose_product_overflows_are_refused() {
    let mut g = RawGguf::one_tensor();
    g.tensors[0].1 = vec![1 << 40, 1 << 40];
    let err = read(g.bytes()).unwrap_err();
    assert!(err.contains("overflow"), "{err}");
}

#[test]
fn an_array_that_claims_more_elements_than_the_file_holds_is_refused() {
    let mut g = RawGguf::one_tensor();
    // An array of strings (type 9, element type 8) claiming 2^60 elements.
    let mut v = 9u32.to_le_bytes().to_vec();
    v.extend(8u32.to_le_bytes());
    v.extend((1u64 << 60).to_le_bytes());
    g.kvs.push(("tokenizer.ggml.tokens".into(), v));
    assert!(read(g.bytes()).is_err());
}

#[test]
fn a_misaligned_tensor_offset_is_refused() {
    let mut g = RawGguf::one_tensor();
    g.tensors[0].3 = 4;
    g.data.extend([0u8; 4]);
    assert!(read(g.bytes()).unwrap_err().contains("alignment"));
}

#[test]
fn any_prefix_of_a_valid_file_is_an_error_never_a_panic() {
    let b = RawGguf::one_tensor().bytes();
    for n in 0..b.len() {
        assert!(read(b[..n].to_vec()).is_err(), "prefix of {n} bytes");
    }
}

fn u64_value(v: u64) -> Vec<u8> {
    let mut b = 10u32.to_le_bytes().to_vec();
    b.extend(v.to_le_bytes());
    b
}

/// A llama-architecture header whose `block_count` is `layers`, with embeddings and one layer.
fn llama_with_layers(layers: u64) -> Vec<u8> {
    let g = RawGguf {
        kvs: vec![
            ("general.architecture".into(), string_value("llama")),
            ("llama.embedding_length".into(), u32_value(8)),
            ("llama.attention.head_count".into(), u32_value(2)),
            ("llama.feed_forward_length".into(), u32_value(16)),
            ("llama.vocab_size".into(), u32_value(4)),
            ("llama.block_count".into(), u64_value(layers)),
        ],
        tensors: vec![
            ("token_embd.weight".into(), vec![8, 4], 0, 0),
            ("blk.0.attn_norm.weight".into(), vec![8], 0, 128),
        ],
        data: vec![0u8; 160],
    };
    g.bytes()
}

fn load_error(bytes: Vec<u8>) -> String {
    match crate::llm::LlmModel::from_reader(&mut Cursor::new(bytes), None) {
        Ok(_) => panic!("a lying header loaded"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_block_count_past_the_tensors_is_refused_before_allocating() {
    let err = load_error(llama_with_layers(1 << 40));
    assert!(err.contains("block_count"), "{err}");
    let err = load_error(llama_with_layers(2));
    assert!(err.contains("no tensors for layer 1"), "{err}");
}
