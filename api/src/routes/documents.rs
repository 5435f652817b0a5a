//! `documents`: multipart upload (≤ 20 MiB; pdf, jpg, png, docx, xlsx checked
//! by content) and download by those allowed to see them.

use chrono::{DateTime, Utc};
use entities::models::document;
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Multipart, Object, OpenApi,
    param::Path,
    payload::{Attachment, AttachmentType, Json},
    types::multipart::Upload,
};
use uuid::Uuid;

use crate::{auth::BearerAuth, error::ApiResult, routes::Tag, services::documents as svc, state::AppState};

#[derive(Multipart)]
#[oai(deny_unknown_fields)]
pub struct UploadForm {
    /// The file (PDF, JPG, PNG, DOCX or XLSX, at most 20 MiB).
    file: Upload,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Document {
    id: Uuid,
    filename: String,
    content_type: String,
    size_bytes: i64,
    sha256: String,
    uploaded_by: Uuid,
    organization_id: Option<Uuid>,
    created_at: DateTime<Utc>,
}

impl From<document::Model> for Document {
    fn from(d: document::Model) -> Self {
        Self {
            id: d.id,
            filename: d.filename,
            content_type: d.content_type,
            size_bytes: d.size_bytes,
            sha256: d.sha256,
            uploaded_by: d.uploaded_by,
            organization_id: d.organization_id,
            created_at: d.created_at,
        }
    }
}

#[derive(ApiResponse)]
pub enum UploadResponse {
    /// Stored.
    #[oai(status = 201)]
    Created(Json<Document>),
}

#[derive(ApiResponse)]
pub enum ContentResponse {
    /// The file.
    #[oai(status = 200)]
    Ok(Attachment<Vec<u8>>),
}

#[derive(Default)]
pub struct DocumentsApi;

#[OpenApi(prefix_path = "/documents", tag = "Tag::Documents")]
impl DocumentsApi {
    /// 上传文件 Upload a document.
    #[oai(path = "/", method = "post")]
    async fn upload(&self, state: Data<&AppState>, auth: BearerAuth, form: UploadForm) -> ApiResult<UploadResponse> {
        let name = form.file.file_name().unwrap_or_default().to_string();
        let bytes = form.file.into_vec().await?;
        Ok(UploadResponse::Created(Json(svc::store(&state, &auth.0, &name, bytes).await?.into())))
    }

    /// 文件信息 Document metadata.
    #[oai(path = "/:id", method = "get")]
    async fn get(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<Document>> {
        Ok(Json(svc::get(&state, &auth.0, id.0).await?.into()))
    }

    /// 下载文件 Download the document.
    #[oai(path = "/:id/content", method = "get")]
    async fn content(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<ContentResponse> {
        let (doc, bytes) = svc::content(&state, &auth.0, id.0).await?;
        Ok(ContentResponse::Ok(Attachment::new(bytes).attachment_type(AttachmentType::Attachment).filename(doc.filename)))
    }
}
