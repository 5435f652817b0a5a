//! `api backup --to FILE` and `api restore --from FILE`: one `.tar.gz` with
//! the database and the documents folder, taken while the service runs.
//!
//! # Layout of the archive
//! - `manifest.json`: format, backend, when, how many documents;
//! - `database.sqlite` (SQLite: `VACUUM INTO`, a consistent copy made inside
//!   one read transaction while writers go on) or `database.pgdump`
//!   (PostgreSQL: `pg_dump --format=custom`, one repeatable-read snapshot);
//! - `documents/xx/<sha256>`: the uploads, stored by their hash.
//!
//! The database is copied **before** the documents: an upload writes its
//! file before the row naming it commits (`services::documents::store`), so
//! every document the copied database names is on disk by the time the
//! folder is read. Files uploaded after the copy may ride along unnamed
//! (harmless: storage is by hash). Restore checks every file against its
//! hash and refuses a database that already holds tables.

use std::{
    fs::File,
    io::{BufReader, BufWriter},
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{config::Settings, db};

const FORMAT: u32 = 1;
const SQLITE_FILE: &str = "database.sqlite";
const PG_FILE: &str = "database.pgdump";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// `sqlite` or `postgres`.
    pub backend: String,
    pub created_at: DateTime<Utc>,
    pub database_file: String,
    pub documents: u64,
}

fn backend_name(url: &str) -> &'static str {
    if url.starts_with("sqlite:") { "sqlite" } else { "postgres" }
}

/// Writes a backup of the database at `conn` (opened on `settings.database_url`)
/// and of `settings.documents_dir` to `to` (written beside it, then renamed:
/// a crash never leaves half an archive under that name).
///
/// # Errors
/// `pg_dump` missing or failing, disk errors.
pub async fn backup(settings: &Settings, conn: &DatabaseConnection, to: &Path, now: DateTime<Utc>) -> anyhow::Result<Manifest> {
    let dir = to.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let staging = tempfile::tempdir_in(dir).with_context(|| format!("staging folder in {}", dir.display()))?;
    let database_file = match conn.get_database_backend() {
        DatabaseBackend::Sqlite => {
            let copy = staging.path().join(SQLITE_FILE);
            let path = copy.to_str().context("backup path is not UTF-8")?.replace('\'', "''");
            conn.execute_unprepared(&format!("VACUUM INTO '{path}'"))
                .await
                .context("VACUUM INTO (consistent copy of the SQLite database)")?;
            SQLITE_FILE
        }
        _ => {
            let out = staging.path().join(PG_FILE);
            let url = settings.database_url.clone();
            tokio::task::spawn_blocking(move || {
                pg_tool("pg_dump", &url, &["--format=custom", "--no-owner", "--no-privileges", "--file"], &out)
            })
            .await??;
            PG_FILE
        }
    };
    let manifest = Manifest {
        format: FORMAT,
        backend: backend_name(&settings.database_url).to_string(),
        created_at: now,
        database_file: database_file.to_string(),
        documents: 0,
    };
    let (docs, to, staging_path) = (settings.documents_dir.clone(), to.to_path_buf(), staging.path().to_path_buf());
    let manifest = tokio::task::spawn_blocking(move || write_archive(&staging_path, database_file, &docs, &to, manifest)).await??;
    drop(staging);
    Ok(manifest)
}

/// The stored documents: `(relative path, absolute path)`, skipping temporary files.
fn document_files(dir: &Path) -> anyhow::Result<Vec<(PathBuf, PathBuf)>> {
    let mut out = Vec::new();
    let Ok(prefixes) = std::fs::read_dir(dir) else { return Ok(out) };
    for prefix in prefixes {
        let prefix = prefix?;
        if !prefix.file_type()?.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(prefix.path())? {
            let file = file?;
            let name = file.file_name();
            if file.file_type()?.is_file() && !name.to_string_lossy().starts_with('.') {
                out.push((Path::new(&prefix.file_name()).join(&name), file.path()));
            }
        }
    }
    out.sort();
    Ok(out)
}

fn write_archive(staging: &Path, database_file: &str, docs: &Path, to: &Path, mut manifest: Manifest) -> anyhow::Result<Manifest> {
    let files = document_files(docs)?;
    manifest.documents = files.len() as u64;
    let partial = to.with_extension("partial");
    let out = File::create(&partial).with_context(|| format!("creating {}", partial.display()))?;
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(BufWriter::new(out), flate2::Compression::default()));
    let json = serde_json::to_vec_pretty(&manifest)?;
    let mut header = tar::Header::new_gnu();
    header.set_size(json.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(u64::try_from(manifest.created_at.timestamp()).unwrap_or(0));
    tar.append_data(&mut header, "manifest.json", json.as_slice())?;
    tar.append_path_with_name(staging.join(database_file), database_file)?;
    for (relative, absolute) in &files {
        tar.append_path_with_name(absolute, Path::new("documents").join(relative))?;
    }
    tar.into_inner()?.finish()?.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    std::fs::rename(&partial, to).with_context(|| format!("renaming to {}", to.display()))?;
    Ok(manifest)
}

/// Restores `from` into the (empty) database of `settings.database_url` and
/// its documents folder.
///
/// # Errors
/// Not a backup of this format or backend, a database that is not empty,
/// a document whose content does not match its hash, `pg_restore` failing.
pub async fn restore(settings: &Settings, from: &Path) -> anyhow::Result<Manifest> {
    let staging = tempfile::tempdir().context("staging folder")?;
    let (archive, into) = (from.to_path_buf(), staging.path().to_path_buf());
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let file = File::open(&archive).with_context(|| format!("opening {}", archive.display()))?;
        tar::Archive::new(flate2::read::GzDecoder::new(BufReader::new(file))).unpack(&into).context("reading the backup archive")
    })
    .await??;
    let manifest: Manifest =
        serde_json::from_slice(&std::fs::read(staging.path().join("manifest.json")).context("no manifest.json: not a backup")?)
            .context("reading manifest.json")?;
    if manifest.format != FORMAT {
        bail!("backup format {} is not supported (this version reads {FORMAT})", manifest.format);
    }
    let target = backend_name(&settings.database_url);
    if manifest.backend != target {
        bail!("the backup is of a {} database; database_url is {target}", manifest.backend);
    }
    let database = staging.path().join(&manifest.database_file);
    if target == "sqlite" {
        restore_sqlite(settings, &database).await?;
    } else {
        let conn = db::connect(&settings.database_url, 1, 0).await?;
        refuse_unless_empty(&conn).await?;
        conn.close().await?;
        let url = settings.database_url.clone();
        tokio::task::spawn_blocking(move || {
            pg_tool("pg_restore", &url, &["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"], &database)
        })
        .await??;
    }
    let (docs, from_docs) = (settings.documents_dir.clone(), staging.path().join("documents"));
    tokio::task::spawn_blocking(move || restore_documents(&from_docs, &docs)).await??;
    Ok(manifest)
}

async fn refuse_unless_empty(conn: &DatabaseConnection) -> anyhow::Result<()> {
    let sql = match conn.get_database_backend() {
        DatabaseBackend::Sqlite => "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'",
        _ => "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema()",
    };
    let row = conn.query_one_raw(Statement::from_string(conn.get_database_backend(), sql)).await?.context("counting tables")?;
    let tables: i64 = row.try_get("", "n")?;
    if tables > 0 {
        bail!("restore needs an empty database: this one already holds {tables} tables");
    }
    Ok(())
}

async fn restore_sqlite(settings: &Settings, copy: &Path) -> anyhow::Result<()> {
    let path = PathBuf::from(db::sqlite_path(&settings.database_url).context("restore needs a SQLite file, not an in-memory database")?);
    if path.exists() {
        let conn = db::connect(&settings.database_url, 1, 0).await?;
        let empty = refuse_unless_empty(&conn).await;
        conn.close().await?;
        empty?;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    } else if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let partial = path.with_extension("restoring");
    std::fs::copy(copy, &partial).with_context(|| format!("writing {}", partial.display()))?;
    std::fs::rename(&partial, &path).with_context(|| format!("renaming to {}", path.display()))?;
    Ok(())
}

/// Copies every document into `docs`, each checked against the hash it is named by.
fn restore_documents(from: &Path, docs: &Path) -> anyhow::Result<u64> {
    let mut n = 0;
    for (relative, absolute) in document_files(from)? {
        let bytes = std::fs::read(&absolute)?;
        let name = relative.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if hex::encode(Sha256::digest(&bytes)) != name {
            bail!("document {} does not match its hash: the backup is damaged", relative.display());
        }
        let target = docs.join(&relative);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if !target.exists() {
            std::fs::write(&target, &bytes).with_context(|| format!("writing {}", target.display()))?;
        }
        n += 1;
    }
    Ok(n)
}

/// Runs `pg_dump` / `pg_restore` on `url` with `args` then `file`; the
/// password travels in `PGPASSWORD`, not on the command line.
fn pg_tool(tool: &str, url: &str, args: &[&str], file: &Path) -> anyhow::Result<()> {
    let (url, password) = split_password(url);
    let mut cmd = Command::new(tool);
    cmd.args(args).arg(file).arg("--dbname").arg(&url);
    if let Some(pw) = password {
        cmd.env("PGPASSWORD", pw);
    }
    let out = cmd.output().with_context(|| {
        format!("running {tool}: is PostgreSQL's client (postgresql-client, the server's major version or newer) installed?")
    })?;
    if !out.status.success() {
        bail!("{tool} failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}

/// `postgres://u:pw@h/db` → (`postgres://u@h/db`, Some(pw)).
fn split_password(url: &str) -> (String, Option<String>) {
    if let (Some(scheme_end), Some(at)) = (url.find("://"), url.rfind('@'))
        && at > scheme_end
        && let Some(colon) = url[scheme_end + 3..at].find(':')
    {
        let colon = scheme_end + 3 + colon;
        return (format!("{}{}", &url[..colon], &url[at..]), Some(percent_decode(&url[colon + 1..at])));
    }
    (url.to_string(), None)
}

/// `p%40ss` → `p@ss`: a URL's password is percent-encoded, `PGPASSWORD` is not.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = (bytes[i] == b'%').then(|| s.get(i + 1..i + 3)).flatten().and_then(|h| u8::from_str_radix(h, 16).ok());
        if let Some(b) = hex {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_leave_the_url() {
        assert_eq!(split_password("postgres://u:pw@h:5432/db"), ("postgres://u@h:5432/db".into(), Some("pw".into())));
        assert_eq!(split_password("postgres://u@h/db"), ("postgres://u@h/db".into(), None));
        assert_eq!(split_password("postgres://h/db"), ("postgres://h/db".into(), None));
        assert_eq!(split_password("postgres://u:p%40ss%3Aw@h/db"), ("postgres://u@h/db".into(), Some("p@ss:w".into())));
        assert_eq!(percent_decode("100%"), "100%");
    }
}
