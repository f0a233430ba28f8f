//! Reading one file out of a downloaded package: a wheel (a zip), or an sdist or npm tarball
//! (a .tar.gz or .tgz), or a crates.io .crate (a .tar.gz by another name).

use std::fs::File;
use std::io::{self, BufReader, Write};
use std::path::Path;

use anyhow::{Context, bail};

/// Streams the member at `path` inside `archive` into `out`; returns the bytes copied.
pub fn copy_member(archive: &Path, path: &str, out: &mut impl Write) -> anyhow::Result<u64> {
    let name = archive.to_string_lossy();
    let file = File::open(archive).with_context(|| format!("opening {name}"))?;
    if name.ends_with(".tar.gz") || name.ends_with(".tgz") || name.ends_with(".crate") {
        copy_from_tar_gz(file, path, out).with_context(|| format!("reading {path} from {name}"))
    } else {
        copy_from_zip(file, path, out).with_context(|| format!("reading {path} from {name}"))
    }
}

fn copy_from_zip(file: File, path: &str, out: &mut impl Write) -> anyhow::Result<u64> {
    let mut zip = zip::ZipArchive::new(BufReader::new(file))?;
    let mut member = zip.by_name(path)?;
    Ok(io::copy(&mut member, out)?)
}

fn copy_from_tar_gz(file: File, path: &str, out: &mut impl Write) -> anyhow::Result<u64> {
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(BufReader::new(file)));
    for entry in tar.entries()? {
        let mut entry = entry?;
        if entry.path()?.as_os_str() == path {
            return Ok(io::copy(&mut entry, out)?);
        }
    }
    bail!("no such member")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("lantern-archive-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir.join(name)
    }

    #[test]
    fn reads_members_of_zips_and_tar_gzs() {
        let wheel = temp("pkg-1.0-py3-none-any.whl");
        let mut zip = zip::ZipWriter::new(File::create(&wheel).expect("creates"));
        let deflated = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("pkg/data/a.bin", deflated).expect("starts");
        zip.write_all(&[7u8; 1000]).expect("writes");
        zip.finish().expect("finishes");

        let sdist = temp("pkg-1.0.tar.gz");
        let gz = flate2::write::GzEncoder::new(
            File::create(&sdist).expect("creates"),
            flate2::Compression::fast(),
        );
        let mut tar = tar::Builder::new(gz);
        let mut header = tar::Header::new_gnu();
        header.set_size(3);
        header.set_cksum();
        tar.append_data(&mut header, "pkg-1.0/assets/b.txt", &b"abc"[..])
            .expect("appends");
        tar.into_inner()
            .and_then(|gz| gz.finish())
            .expect("finishes");

        let mut out = Vec::new();
        assert_eq!(
            copy_member(&wheel, "pkg/data/a.bin", &mut out).ok(),
            Some(1000)
        );
        assert_eq!(out, vec![7u8; 1000]);
        let mut out = Vec::new();
        assert_eq!(
            copy_member(&sdist, "pkg-1.0/assets/b.txt", &mut out).ok(),
            Some(3)
        );
        assert_eq!(out, b"abc");
        assert!(copy_member(&wheel, "pkg/data/missing", &mut Vec::new()).is_err());
        assert!(copy_member(&sdist, "pkg-1.0/missing", &mut Vec::new()).is_err());
        std::fs::remove_dir_all(wheel.parent().expect("dir")).ok();
    }
}
