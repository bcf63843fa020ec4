//! The archive: a gzip-compressed tar with `manifest.json` first, then the files it lists. Packed
//! to a temporary name and renamed, so a half-written archive never carries the final name;
//! unpacked only for the names the manifest lists, each checked against its sum.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use super::manifest::{self, MANIFEST_FILE, Manifest};

/// Writes `manifest` and the files it lists (found in `dir`) into `to`; returns the archive's size.
pub fn pack(manifest: &Manifest, dir: &Path, to: &Path) -> anyhow::Result<u64> {
    let partial = partial_name(to);
    let written = write_archive(manifest, dir, &partial);
    if let Err(error) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(error.context(format!("cannot write {}", to.display())));
    }
    std::fs::rename(&partial, to).with_context(|| format!("cannot write {}", to.display()))?;
    Ok(std::fs::metadata(to)?.len())
}

fn partial_name(to: &Path) -> PathBuf {
    let mut name = to.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".partial");
    to.with_file_name(name)
}

fn write_archive(manifest: &Manifest, dir: &Path, to: &Path) -> anyhow::Result<()> {
    let file = File::create(to)?;
    let gzip = flate2::write::GzEncoder::new(BufWriter::new(file), flate2::Compression::default());
    let mut tar = tar::Builder::new(gzip);
    let text = serde_json::to_vec_pretty(manifest)?;
    append(&mut tar, MANIFEST_FILE, &mut text.as_slice(), text.len() as u64)?;
    for entry in manifest.modules.iter().map(|m| &m.file).chain(&manifest.extra_files) {
        let mut file = File::open(dir.join(&entry.file))?;
        append(&mut tar, &entry.file, &mut file, entry.size_bytes)?;
    }
    let mut out = tar.into_inner()?.finish()?;
    out.flush()?;
    out.into_inner().map_err(|error| error.into_error())?.sync_all()?;
    Ok(())
}

fn append<W: Write>(tar: &mut tar::Builder<W>, name: &str, data: &mut dyn Read, size: u64) -> anyhow::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(size);
    header.set_mode(0o600);
    header.set_mtime(chrono::Utc::now().timestamp().max(0) as u64);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, name, data)?;
    Ok(())
}

/// Reads only the manifest (the first entry).
pub fn read_manifest(from: &Path) -> anyhow::Result<Manifest> {
    let mut tar = open(from)?;
    let mut entries = tar.entries().map_err(damaged)?;
    let mut first = entries.next().context("the archive is empty")?.map_err(damaged)?;
    parse_manifest(&mut first)
}

/// Unpacks the archive into `into` and checks every file against the manifest's sum and size.
pub fn unpack(from: &Path, into: &Path) -> anyhow::Result<Manifest> {
    let mut tar = open(from)?;
    let mut entries = tar.entries().map_err(damaged)?;
    let mut first = entries.next().context("the archive is empty")?.map_err(damaged)?;
    let manifest = parse_manifest(&mut first)?;
    let expected: Vec<&manifest::FileEntry> =
        manifest.modules.iter().map(|m| &m.file).chain(&manifest.extra_files).collect();
    let mut seen = Vec::new();
    for entry in entries {
        let mut entry = entry.map_err(damaged)?;
        let name = entry.path().map_err(damaged)?.to_string_lossy().into_owned();
        let Some(listed) = expected.iter().find(|e| e.file == name && !seen.contains(&name)) else {
            bail!("the archive holds {name:?}, which its manifest does not list: it is damaged or was altered");
        };
        let target = into.join(&listed.file);
        let mut out = File::create(&target).with_context(|| format!("cannot write {}", target.display()))?;
        std::io::copy(&mut entry, &mut out).map_err(damaged)?;
        out.sync_all()?;
        let found = manifest::file_entry(&target)?;
        if found.sha256 != listed.sha256 || found.size_bytes != listed.size_bytes {
            bail!("{name} does not match the checksum in the manifest: the archive is damaged");
        }
        seen.push(name);
    }
    if let Some(missing) = expected.iter().find(|e| !seen.contains(&e.file)) {
        bail!("{} is listed in the manifest but missing from the archive: it is damaged or cut short", missing.file);
    }
    Ok(manifest)
}

fn open(from: &Path) -> anyhow::Result<tar::Archive<flate2::read::GzDecoder<BufReader<File>>>> {
    let file = File::open(from).with_context(|| format!("cannot read {}", from.display()))?;
    Ok(tar::Archive::new(flate2::read::GzDecoder::new(BufReader::new(file))))
}

fn parse_manifest(entry: &mut dyn Read) -> anyhow::Result<Manifest> {
    let mut text = Vec::new();
    entry.read_to_end(&mut text).map_err(damaged)?;
    let value: serde_json::Value =
        serde_json::from_slice(&text).map_err(|_| anyhow::anyhow!("the archive does not start with a manifest"))?;
    let format = value.get("format").and_then(serde_json::Value::as_u64).unwrap_or(0);
    if format != u64::from(manifest::FORMAT) {
        bail!("the archive's manifest has format {format}; this atq reads format {}", manifest::FORMAT);
    }
    serde_json::from_value(value).context("the archive's manifest cannot be read")
}

fn damaged(error: std::io::Error) -> anyhow::Error {
    anyhow::anyhow!("the archive is damaged or not an atq backup: {error}")
}
