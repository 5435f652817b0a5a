//! Documents: uploads checked by content (pdf, jpg, png, docx, xlsx), stored
//! on disk by SHA-256, readable by the uploader, its organisation and the bureau.

use std::path::{Path, PathBuf};

use entities::models::document;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Entry},
    auth::Caller,
    error::{ApiError, ApiResult},
    i18n::Msg,
    state::AppState,
};

/// The accepted kinds: (mime type, accepted file-name extensions).
const ALLOWED: [(&str, &[&str]); 5] = [
    ("application/pdf", &["pdf"]),
    ("image/jpeg", &["jpg", "jpeg"]),
    ("image/png", &["png"]),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", &["docx"]),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &["xlsx"]),
];

/// The MIME type of `bytes` when it is an accepted kind and the name agrees.
///
/// # Errors
/// 422 naming `file`.
pub fn check_kind(filename: &str, bytes: &[u8]) -> ApiResult<&'static str> {
    let ext = Path::new(filename).extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
    let detected = infer::get(bytes).map(|t| t.mime_type());
    let Some((mime, exts)) = ALLOWED.iter().find(|(m, _)| Some(*m) == detected) else {
        return Err(ApiError::field(
            "file",
            "文件内容不是允许的类型（仅限 PDF、JPG、PNG、DOCX、XLSX）",
            "File content is not an accepted type (PDF, JPG, PNG, DOCX, XLSX only)",
        ));
    };
    if !exts.contains(&ext.as_str()) {
        return Err(ApiError::field(
            "file",
            format!("文件扩展名“.{ext}”与文件内容（{mime}）不符"),
            format!("File extension .{ext} does not match its content ({mime})"),
        ));
    }
    Ok(mime)
}

fn clean_filename(name: &str) -> ApiResult<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    entities::values::text("file", base, 255).map_err(|e| ApiError::validation([e]))
}

fn storage_path(dir: &Path, sha: &str) -> PathBuf {
    dir.join(&sha[..2]).join(sha)
}

/// Stores an upload.
///
/// # Errors
/// 413 over the limit, 422 wrong kind or empty, 500 disk errors.
pub async fn store(state: &AppState, caller: &Caller, filename: &str, bytes: Vec<u8>) -> ApiResult<document::Model> {
    let limit = state.settings.upload_limit_bytes;
    if bytes.len() > limit {
        return Err(ApiError::new(
            poem::http::StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            Msg::new(format!("文件超过{}MiB上限", limit / 1024 / 1024), format!("File exceeds {} MiB", limit / 1024 / 1024)),
        ));
    }
    if bytes.is_empty() {
        return Err(ApiError::field("file", "文件为空", "File is empty"));
    }
    let filename = clean_filename(filename)?;
    let mime = check_kind(&filename, &bytes)?;
    let sha = write_blob(&state.settings.documents_dir, &bytes).await?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let model = document::ActiveModel {
        id: Set(Uuid::now_v7()),
        filename: Set(filename),
        content_type: Set(mime.to_string()),
        size_bytes: Set(i64::try_from(bytes.len()).unwrap_or(i64::MAX)),
        sha256: Set(sha),
        uploaded_by: Set(caller.user_id),
        organization_id: Set(caller.organization_id),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("document.uploaded", "document", model.id).after(&model)).await?;
    txn.commit().await?;
    Ok(model)
}

/// Writes `bytes` under `dir` by their SHA-256 (once); answers the hash.
///
/// # Errors
/// Disk errors.
pub async fn write_blob(dir: &Path, bytes: &[u8]) -> ApiResult<String> {
    let sha = hex::encode(Sha256::digest(bytes));
    let path = storage_path(dir, &sha);
    if tokio::fs::metadata(&path).await.is_err() {
        let parent = path.parent().ok_or_else(|| ApiError::internal(&"bad storage path"))?;
        tokio::fs::create_dir_all(parent).await?;
        let tmp = parent.join(format!(".{}.tmp", Uuid::now_v7()));
        tokio::fs::write(&tmp, bytes).await?;
        tokio::fs::rename(&tmp, &path).await?;
    }
    Ok(sha)
}

/// Metadata of a document the caller may see; 404 otherwise.
///
/// # Errors
/// 404.
pub async fn get(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<document::Model> {
    let doc = document::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(|| ApiError::not_found("文件", "Document"))?;
    let visible = caller.is_bureau() || doc.uploaded_by == caller.user_id || doc.organization_id.is_some_and(|o| caller.belongs_to(o));
    if visible { Ok(doc) } else { Err(ApiError::not_found("文件", "Document")) }
}

/// The bytes of a visible document.
///
/// # Errors
/// 404, 500 when the file is missing on disk.
pub async fn content(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<(document::Model, Vec<u8>)> {
    let doc = get(state, caller, id).await?;
    read(state, doc).await
}

/// The bytes of `doc`, whose access the caller has already checked.
///
/// # Errors
/// 500 when the file is missing on disk.
pub async fn read(state: &AppState, doc: document::Model) -> ApiResult<(document::Model, Vec<u8>)> {
    let bytes = tokio::fs::read(storage_path(&state.settings.documents_dir, &doc.sha256)).await?;
    Ok((doc, bytes))
}
