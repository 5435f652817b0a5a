//! `sanctions`: violations recorded by bureau staff (000 第二十二条).

use chrono::{DateTime, NaiveDate, Utc};
use entities::{models::sanction, sanction::SanctionKind, values::text};
use poem::web::Data;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, param::Query, payload::Json};
use uuid::Uuid;

use crate::{
    auth::BearerAuth,
    error::{ApiError, ApiResult},
    pagination::PageParams,
    routes::Tag,
    services::sanctions::{self as svc, NewSanction},
    state::AppState,
    text::Str,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "SanctionKind", rename_all = "snake_case")]
pub enum KindDto {
    /// 未按协议履行（按协议处理，不限制申报）
    AgreementBreach,
    /// 开发过程中弄虚作假（终止项目，5年内不得申报）
    FraudDevelopment,
    /// 认定过程中弄虚作假（撤销认定，5年内不得申报）
    FraudCertification,
}

impl From<KindDto> for SanctionKind {
    fn from(k: KindDto) -> Self {
        match k {
            KindDto::AgreementBreach => Self::AgreementBreach,
            KindDto::FraudDevelopment => Self::FraudInDevelopment,
            KindDto::FraudCertification => Self::FraudInCertification,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Sanction {
    id: Uuid,
    organization_id: Uuid,
    credit_code: String,
    kind: String,
    kind_label: String,
    confirmed_on: NaiveDate,
    /// First day the organisation may apply again; absent when there is no ban.
    ban_until: Option<NaiveDate>,
    description: String,
    application_id: Option<Uuid>,
    created_at: DateTime<Utc>,
}

impl From<sanction::Model> for Sanction {
    fn from(s: sanction::Model) -> Self {
        Self {
            kind_label: SanctionKind::parse(&s.kind).map(SanctionKind::label_zh).unwrap_or_default().into(),
            id: s.id,
            organization_id: s.organization_id,
            credit_code: s.credit_code,
            kind: s.kind,
            confirmed_on: s.confirmed_on,
            ban_until: s.ban_until,
            description: s.description,
            application_id: s.application_id,
            created_at: s.created_at,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NewSanctionBody {
    organization_id: Uuid,
    kind: KindDto,
    /// The date the violation was confirmed.
    confirmed_on: NaiveDate,
    description: Str,
    application_id: Option<Uuid>,
}

impl NewSanctionBody {
    /// The sanction to record, checked.
    ///
    /// # Errors
    /// 422 naming `description`.
    pub fn parse(&self) -> ApiResult<NewSanction> {
        let description = text("description", &self.description, 5000).map_err(|e| ApiError::validation([e]))?;
        Ok(NewSanction {
            organization_id: self.organization_id,
            kind: self.kind.into(),
            confirmed_on: self.confirmed_on,
            description,
            application_id: self.application_id,
        })
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SanctionPage {
    items: Vec<Sanction>,
    next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum CreatedSanction {
    /// Recorded.
    #[oai(status = 201)]
    Created(Json<Sanction>),
}

#[derive(Default)]
pub struct SanctionsApi;

#[OpenApi(prefix_path = "/sanctions", tag = "Tag::Sanctions")]
impl SanctionsApi {
    /// 记录违规处理 Record a violation (bureau); fraud bans the credit code for 5 years.
    #[oai(path = "/", method = "post")]
    async fn create(&self, state: Data<&AppState>, auth: BearerAuth, body: Json<NewSanctionBody>) -> ApiResult<CreatedSanction> {
        auth.0.require_bureau()?;
        let n = body.0.parse()?;
        Ok(CreatedSanction::Created(Json(svc::create(&state, &auth.0, n).await?.into())))
    }

    /// 违规处理记录 Sanctions, optionally of one organisation (bureau).
    #[oai(path = "/", method = "get")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        organization_id: Query<Option<Uuid>>,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<SanctionPage>> {
        let page = PageParams::parse(limit.0, cursor.0.as_deref())?;
        let (items, next_cursor) = svc::list(&state, &auth.0, organization_id.0, page).await?;
        Ok(Json(SanctionPage { items: items.into_iter().map(Into::into).collect(), next_cursor }))
    }
}
