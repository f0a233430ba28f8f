//! Reading a CTranslate2 `model.bin`: its header, named tensors and aliases, borrowed from the
//! file's bytes without copying.
//!
//! Layout (CTranslate2 `python/ctranslate2/specs/model_spec.py` `_serialize`, read back by
//! `src/models/model.cc` `Model::load`), all little-endian:
//! `u32 binary_version`, `string spec_name`, `u32 spec_revision`, `u32 n`, then n times
//! `string name, u8 rank, u32 dims[rank], u8 dtype, u32 n_bytes, bytes`, then `u32 n_aliases`
//! and n times `string alias, string target`. A string is a `u16` length that counts a trailing
//! NUL, then that many bytes.

use std::collections::HashMap;

/// Binary versions whose tensors carry a dtype id (4 on) up to the newest known (6).
const SUPPORTED_VERSIONS: std::ops::RangeInclusive<u32> = 4..=6;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Ct2Error {
    #[error("the file ends early: {wanted} at byte {at}")]
    Truncated { wanted: &'static str, at: usize },
    #[error("binary version {0} is not supported (only 4 to 6, where tensors carry a dtype)")]
    UnsupportedVersion(u32),
    #[error("a name at byte {0} is not UTF-8 with a trailing NUL")]
    BadString(usize),
    #[error("tensor {name:?} has unknown dtype id {id}")]
    UnknownDtype { name: String, id: u8 },
    #[error("tensor {name:?} has {got} bytes; its shape and dtype need {want}")]
    SizeMismatch {
        name: String,
        got: usize,
        want: usize,
    },
    #[error("{0} bytes follow the aliases")]
    TrailingBytes(usize),
    #[error("alias {alias:?} points at {target:?}, which is not a tensor")]
    DanglingAlias { alias: String, target: String },
    #[error("no tensor {0:?}")]
    Missing(String),
    #[error("{name:?} is not a scalar integer")]
    NotAnInteger { name: String },
}

/// The dtypes CTranslate2 stores, by their id in `include/ctranslate2/types.h`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dtype {
    F32,
    I8,
    I16,
    I32,
    F16,
    Bf16,
}

impl Dtype {
    fn from_id(id: u8) -> Option<Dtype> {
        Some(match id {
            0 => Dtype::F32,
            1 => Dtype::I8,
            2 => Dtype::I16,
            3 => Dtype::I32,
            4 => Dtype::F16,
            5 => Dtype::Bf16,
            _ => return None,
        })
    }

    #[cfg(test)]
    pub fn id(self) -> u8 {
        match self {
            Dtype::F32 => 0,
            Dtype::I8 => 1,
            Dtype::I16 => 2,
            Dtype::I32 => 3,
            Dtype::F16 => 4,
            Dtype::Bf16 => 5,
        }
    }

    pub fn size(self) -> usize {
        match self {
            Dtype::I8 => 1,
            Dtype::I16 | Dtype::F16 | Dtype::Bf16 => 2,
            Dtype::F32 | Dtype::I32 => 4,
        }
    }
}

/// One named tensor, its bytes borrowed from the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor<'a> {
    pub shape: Vec<usize>,
    pub dtype: Dtype,
    pub data: &'a [u8],
}

impl Tensor<'_> {
    /// The value of a scalar integer tensor (CTranslate2 stores flags and head counts this way).
    pub fn as_int(&self) -> Option<i64> {
        if !self.shape.is_empty() {
            return None;
        }
        let bytes = self.data;
        Some(match self.dtype {
            Dtype::I8 => i64::from(i8::from_le_bytes(bytes.try_into().ok()?)),
            Dtype::I16 => i64::from(i16::from_le_bytes(bytes.try_into().ok()?)),
            Dtype::I32 => i64::from(i32::from_le_bytes(bytes.try_into().ok()?)),
            _ => return None,
        })
    }
}

/// A parsed `model.bin`.
#[derive(Debug)]
pub struct Model<'a> {
    pub binary_version: u32,
    /// e.g. `WhisperSpec`.
    pub spec: String,
    pub revision: u32,
    /// Tensors in file order (CTranslate2 writes them sorted by name).
    pub tensors: Vec<(String, Tensor<'a>)>,
    /// alias -> the tensor it stands for (e.g. a projection tied to the embeddings).
    pub aliases: HashMap<String, String>,
    index: HashMap<String, usize>,
}

impl<'a> Model<'a> {
    pub fn parse(bytes: &'a [u8]) -> Result<Model<'a>, Ct2Error> {
        let mut cursor = Cursor { bytes, at: 0 };
        let binary_version = cursor.u32("binary version")?;
        if !SUPPORTED_VERSIONS.contains(&binary_version) {
            return Err(Ct2Error::UnsupportedVersion(binary_version));
        }
        let spec = cursor.string()?;
        let revision = cursor.u32("spec revision")?;
        let count = cursor.u32("tensor count")?;
        let mut tensors = Vec::new();
        for _ in 0..count {
            let name = cursor.string()?;
            let rank = cursor.u8("rank")?;
            let shape = (0..rank)
                .map(|_| cursor.u32("dimension").map(|d| d as usize))
                .collect::<Result<Vec<_>, _>>()?;
            let id = cursor.u8("dtype")?;
            let dtype = Dtype::from_id(id).ok_or(Ct2Error::UnknownDtype {
                name: name.clone(),
                id,
            })?;
            let n_bytes = cursor.u32("byte count")? as usize;
            let want = shape.iter().product::<usize>() * dtype.size();
            if n_bytes != want {
                return Err(Ct2Error::SizeMismatch {
                    name,
                    got: n_bytes,
                    want,
                });
            }
            let data = cursor.take(n_bytes, "tensor data")?;
            tensors.push((name, Tensor { shape, dtype, data }));
        }
        let index: HashMap<String, usize> = tensors
            .iter()
            .enumerate()
            .map(|(i, (name, _))| (name.clone(), i))
            .collect();
        let mut aliases = HashMap::new();
        let alias_count = cursor.u32("alias count")?;
        for _ in 0..alias_count {
            let alias = cursor.string()?;
            let target = cursor.string()?;
            if !index.contains_key(&target) {
                return Err(Ct2Error::DanglingAlias { alias, target });
            }
            aliases.insert(alias, target);
        }
        let rest = bytes.len() - cursor.at;
        if rest != 0 {
            return Err(Ct2Error::TrailingBytes(rest));
        }
        Ok(Model {
            binary_version,
            spec,
            revision,
            tensors,
            aliases,
            index,
        })
    }

    /// A tensor by name, following an alias when the name is one.
    pub fn get(&self, name: &str) -> Option<&Tensor<'a>> {
        let name = self.aliases.get(name).map_or(name, String::as_str);
        self.index.get(name).map(|&i| &self.tensors[i].1)
    }

    pub fn require(&self, name: &str) -> Result<&Tensor<'a>, Ct2Error> {
        self.get(name).ok_or_else(|| Ct2Error::Missing(name.into()))
    }

    pub fn int(&self, name: &str) -> Result<i64, Ct2Error> {
        self.require(name)?
            .as_int()
            .ok_or_else(|| Ct2Error::NotAnInteger { name: name.into() })
    }
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, wanted: &'static str) -> Result<&'a [u8], Ct2Error> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or(Ct2Error::Truncated {
                wanted,
                at: self.at,
            })?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self, wanted: &'static str) -> Result<[u8; N], Ct2Error> {
        let at = self.at;
        self.take(N, wanted)?
            .try_into()
            .map_err(|_| Ct2Error::Truncated { wanted, at })
    }

    fn u8(&mut self, wanted: &'static str) -> Result<u8, Ct2Error> {
        Ok(self.array::<1>(wanted)?[0])
    }

    fn u32(&mut self, wanted: &'static str) -> Result<u32, Ct2Error> {
        self.array(wanted).map(u32::from_le_bytes)
    }

    fn string(&mut self) -> Result<String, Ct2Error> {
        let at = self.at;
        let len = usize::from(u16::from_le_bytes(self.array("string length")?));
        let raw = self.take(len, "string")?;
        let text = raw.strip_suffix(&[0]).ok_or(Ct2Error::BadString(at))?;
        String::from_utf8(text.to_vec()).map_err(|_| Ct2Error::BadString(at))
    }
}

/// Writing `model.bin` files, for tests that need a small synthetic one.
#[cfg(test)]
pub mod testing {
    use super::Dtype;

    pub struct Writer {
        tensors: Vec<(String, Vec<usize>, Dtype, Vec<u8>)>,
        aliases: Vec<(String, String)>,
    }

    impl Writer {
        pub fn new() -> Writer {
            Writer {
                tensors: Vec::new(),
                aliases: Vec::new(),
            }
        }

        /// Adds a tensor, replacing any earlier one of the same name.
        pub fn tensor(&mut self, name: &str, shape: &[usize], dtype: Dtype, data: Vec<u8>) {
            self.tensors.retain(|t| t.0 != name);
            self.tensors
                .push((name.into(), shape.to_vec(), dtype, data));
        }

        pub fn int8(&mut self, name: &str, value: i8) {
            self.tensor(name, &[], Dtype::I8, value.to_le_bytes().to_vec());
        }

        pub fn int16(&mut self, name: &str, value: i16) {
            self.tensor(name, &[], Dtype::I16, value.to_le_bytes().to_vec());
        }

        pub fn alias(&mut self, alias: &str, target: &str) {
            self.aliases.push((alias.into(), target.into()));
        }

        /// The file, tensors sorted by name as CTranslate2 writes them.
        pub fn finish(mut self, spec: &str, revision: u32) -> Vec<u8> {
            self.tensors.sort_by(|a, b| a.0.cmp(&b.0));
            let mut out = Vec::new();
            out.extend(6u32.to_le_bytes());
            string(&mut out, spec);
            out.extend(revision.to_le_bytes());
            out.extend((self.tensors.len() as u32).to_le_bytes());
            for (name, shape, dtype, data) in &self.tensors {
                string(&mut out, name);
                out.push(shape.len() as u8);
                for dim in shape {
                    out.extend((*dim as u32).to_le_bytes());
                }
                out.push(dtype.id());
                out.extend((data.len() as u32).to_le_bytes());
                out.extend(data);
            }
            out.extend((self.aliases.len() as u32).to_le_bytes());
            for (alias, target) in &self.aliases {
                string(&mut out, alias);
                string(&mut out, target);
            }
            out
        }
    }

    fn string(out: &mut Vec<u8>, text: &str) {
        out.extend((text.len() as u16 + 1).to_le_bytes());
        out.extend(text.as_bytes());
        out.push(0);
    }
}

#[cfg(test)]
mod tests {
    use super::testing::Writer;
    use super::*;

    fn small_file() -> Vec<u8> {
        let mut writer = Writer::new();
        let weights: Vec<u8> = [1.0f32, -2.0, 0.5, 4.0, 8.0, 16.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        writer.tensor("decoder/embeddings/weight", &[3, 2], Dtype::F32, weights);
        writer.int16("decoder/num_heads", 6);
        writer.int8("decoder/scale_embeddings", 0);
        writer.alias("decoder/projection/weight", "decoder/embeddings/weight");
        writer.finish("WhisperSpec", 3)
    }

    #[test]
    fn reads_header_tensors_and_aliases() {
        let bytes = small_file();
        let model = Model::parse(&bytes).expect("parses");
        assert_eq!(
            (model.binary_version, model.spec.as_str(), model.revision),
            (6, "WhisperSpec", 3)
        );
        assert_eq!(model.tensors.len(), 3);
        let embeddings = model.require("decoder/embeddings/weight").expect("tensor");
        assert_eq!(embeddings.shape, vec![3, 2]);
        assert_eq!(embeddings.dtype, Dtype::F32);
        assert_eq!(&embeddings.data[4..8], &(-2.0f32).to_le_bytes());
        assert_eq!(model.get("decoder/projection/weight"), Some(embeddings));
        assert_eq!(model.int("decoder/num_heads"), Ok(6));
        assert_eq!(model.int("decoder/scale_embeddings"), Ok(0));
        assert!(matches!(
            model.int("decoder/embeddings/weight"),
            Err(Ct2Error::NotAnInteger { .. })
        ));
        assert_eq!(
            model.require("nope").err(),
            Some(Ct2Error::Missing("nope".into()))
        );
    }

    #[test]
    fn refuses_truncated_and_malformed_files() {
        let bytes = small_file();
        for cut in [0, 3, 10, 40, bytes.len() - 1] {
            assert!(
                matches!(Model::parse(&bytes[..cut]), Err(Ct2Error::Truncated { .. })),
                "cut at {cut}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            Model::parse(&longer).err(),
            Some(Ct2Error::TrailingBytes(1))
        );
        let mut old = bytes.clone();
        old[..4].copy_from_slice(&3u32.to_le_bytes());
        assert_eq!(
            Model::parse(&old).err(),
            Some(Ct2Error::UnsupportedVersion(3))
        );
    }

    #[test]
    fn refuses_a_byte_count_that_disagrees_with_the_shape() {
        let mut writer = Writer::new();
        writer.tensor("w", &[2, 2], Dtype::F16, vec![0; 6]);
        let bytes = writer.finish("WhisperSpec", 3);
        assert!(matches!(
            Model::parse(&bytes),
            Err(Ct2Error::SizeMismatch {
                got: 6,
                want: 8,
                ..
            })
        ));
    }

    #[test]
    fn refuses_an_alias_to_nothing() {
        let mut writer = Writer::new();
        writer.int8("a", 1);
        writer.alias("b", "c");
        let bytes = writer.finish("WhisperSpec", 3);
        assert!(matches!(
            Model::parse(&bytes),
            Err(Ct2Error::DanglingAlias { .. })
        ));
    }
}
