//! `applications/{id}/agreement` and `applications/{id}/milestones`: the
//! development path of categories 4 and 5 after 立项 (000 第十四—十七条, 第二十条).

use chrono::{DateTime, NaiveDate, Utc};
use entities::{
    models::{development_agreement, milestone},
    resource::development::{Deliverable, LevelItems, Person},
    values::{optional_text, text},
};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use crate::{
    auth::BearerAuth,
    error::{ApiError, ApiResult},
    pagination::PageParams,
    routes::{
        Tag,
        resource_dto::{ApplicationOut, ExpertTypeDto, MilestoneKindDto, ResourceKindDto, ResourceOut},
        sanctions::Sanction,
    },
    services::resources::development::{self as svc, NewAgreement, NewMilestone},
    state::AppState,
    text::Str,
};

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DeliverableBody {
    /// The project's resource kind.
    kind: ResourceKindDto,
    /// How many: levels of a question bank (e.g. 2), else items.
    quantity: i64,
    description: Option<Str>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AgreementBody {
    /// 签订日期 (not in the future).
    signed_on: NaiveDate,
    /// 完成期限: 6 to 12 months after signing (000 第十七条), else 422 `due_date_out_of_range`.
    due_on: NaiveDate,
    deliverables: Vec<DeliverableBody>,
    /// The signed agreement (uploaded document).
    document_id: Option<Uuid>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DeliverableOut {
    kind: ResourceKindDto,
    kind_label: String,
    quantity: i64,
    description: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AgreementOut {
    id: Uuid,
    application_id: Uuid,
    signed_on: NaiveDate,
    due_on: NaiveDate,
    deliverables: Vec<DeliverableOut>,
    /// Total agreed quantity: what the payment on publication counts.
    quantity: i64,
    document_id: Option<Uuid>,
    /// Published or ingested.
    completed_at: Option<DateTime<Utc>>,
    /// Breaches of the agreement recorded by the bureau (000 第二十二条(一)).
    breaches: Vec<Sanction>,
    created_at: DateTime<Utc>,
}

pub(crate) fn agreement_out(a: development_agreement::Model, breaches: Vec<entities::models::sanction::Model>) -> AgreementOut {
    let deliverables: Vec<Deliverable> = serde_json::from_value(a.deliverables).unwrap_or_default();
    AgreementOut {
        id: a.id,
        application_id: a.application_id,
        signed_on: a.signed_on,
        due_on: a.due_on,
        deliverables: deliverables
            .into_iter()
            .map(|d| DeliverableOut {
                kind_label: d.kind.label_zh().into(),
                kind: d.kind.into(),
                quantity: d.quantity,
                description: d.description,
            })
            .collect(),
        quantity: a.quantity,
        document_id: a.document_id,
        completed_at: a.completed_at,
        breaches: breaches.into_iter().map(Into::into).collect(),
        created_at: a.created_at,
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SignedOut {
    application: ApplicationOut,
    agreement: AgreementOut,
}

#[derive(ApiResponse)]
pub enum CreatedAgreement {
    /// Recorded; the project is in development.
    #[oai(status = 201)]
    Created(Json<SignedOut>),
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PersonBody {
    name: Str,
    /// Writing group: method 方法专家, content 内容专家, practical 实际工作专家.
    expert_type: Option<ExpertTypeDto>,
    /// 组长
    #[oai(default)]
    leader: bool,
    /// 主笔人
    #[oai(default)]
    main_writer: bool,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LevelItemsBody {
    /// The level, e.g. 三级/高级工.
    level: Str,
    /// 理论知识题 (≥ 1,000).
    theory: i64,
    /// 操作技能题 (≥ 30).
    practical: i64,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MilestoneBody {
    kind: MilestoneKindDto,
    /// The date it happened.
    held_on: NaiveDate,
    #[oai(default)]
    documents: Vec<Uuid>,
    /// The writing group, or the reviewers of a review.
    #[oai(default)]
    people: Vec<PersonBody>,
    /// Submission of a question bank: item counts per level (000 第十五条(二)).
    #[oai(default)]
    item_counts: Vec<LevelItemsBody>,
    /// Acceptance review: passed or not.
    passed: Option<bool>,
    note: Option<Str>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PersonOut {
    name: String,
    expert_type: Option<ExpertTypeDto>,
    leader: bool,
    main_writer: bool,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LevelItemsOut {
    level: String,
    theory: i64,
    practical: i64,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MilestoneOut {
    id: Uuid,
    application_id: Uuid,
    kind: MilestoneKindDto,
    kind_label: String,
    /// 1, 2, … in order.
    position: i32,
    held_on: NaiveDate,
    documents: Vec<Uuid>,
    people: Vec<PersonOut>,
    item_counts: Vec<LevelItemsOut>,
    passed: Option<bool>,
    note: String,
    /// Comment period: its notice (public at `public/notices/{id}`, comments via its objections).
    notice_id: Option<Uuid>,
    created_at: DateTime<Utc>,
}

impl From<milestone::Model> for MilestoneOut {
    fn from(m: milestone::Model) -> Self {
        let people: Vec<Person> = serde_json::from_value(m.people).unwrap_or_default();
        let items: Vec<LevelItems> = serde_json::from_value(m.item_counts).unwrap_or_default();
        Self {
            id: m.id,
            application_id: m.application_id,
            kind: m.kind.into(),
            kind_label: m.kind.label_zh().into(),
            position: m.position,
            held_on: m.held_on,
            documents: serde_json::from_value(m.documents).unwrap_or_default(),
            people: people
                .into_iter()
                .map(|p| PersonOut {
                    name: p.name,
                    expert_type: p.expert_type.map(Into::into),
                    leader: p.leader,
                    main_writer: p.main_writer,
                })
                .collect(),
            item_counts: items.into_iter().map(|l| LevelItemsOut { level: l.level, theory: l.theory, practical: l.practical }).collect(),
            passed: m.passed,
            note: m.note,
            notice_id: m.notice_id,
            created_at: m.created_at,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RecordedOut {
    milestone: MilestoneOut,
    application: ApplicationOut,
    /// Published to the catalogue by an approval.
    resource: Option<ResourceOut>,
    /// Comment period: when it ends (17:30 on the 10th working day) and how that was counted.
    notice_ends_at: Option<DateTime<Utc>>,
    notice_explanation: Option<String>,
}

#[derive(ApiResponse)]
pub enum CreatedMilestone {
    /// Recorded.
    #[oai(status = 201)]
    Created(Json<RecordedOut>),
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MilestonePage {
    items: Vec<MilestoneOut>,
    next_cursor: Option<String>,
}

impl TryFrom<MilestoneBody> for NewMilestone {
    type Error = ApiError;

    fn try_from(b: MilestoneBody) -> ApiResult<Self> {
        let mut people = Vec::with_capacity(b.people.len());
        for (i, p) in b.people.iter().enumerate() {
            people.push(Person {
                name: name(&format!("people[{i}].name"), &p.name)?,
                expert_type: p.expert_type.map(Into::into),
                leader: p.leader,
                main_writer: p.main_writer,
            });
        }
        let mut item_counts = Vec::with_capacity(b.item_counts.len());
        for (i, l) in b.item_counts.iter().enumerate() {
            if l.theory < 0 || l.practical < 0 {
                return Err(ApiError::field(&format!("item_counts[{i}]"), "题量不能为负数", "Counts cannot be negative"));
            }
            item_counts.push(LevelItems {
                level: name(&format!("item_counts[{i}].level"), &l.level)?,
                theory: l.theory,
                practical: l.practical,
            });
        }
        let note = optional_text("note", b.note.as_deref(), 5000).map_err(|e| ApiError::validation([e]))?.unwrap_or_default();
        let m =
            NewMilestone { kind: b.kind.into(), held_on: b.held_on, documents: b.documents, people, item_counts, passed: b.passed, note };
        Ok(m)
    }
}

fn name(field: &str, raw: &str) -> ApiResult<String> {
    text(field, raw, 200).map_err(|e| ApiError::validation([e]))
}

#[derive(Default)]
pub struct DevelopmentApi;

#[OpenApi(prefix_path = "/applications", tag = "Tag::Resources")]
impl DevelopmentApi {
    /// 签订开发工作协议 Record the development agreement of a project approved for development (bureau): due 6–12 months after signing.
    #[oai(path = "/:id/agreement", method = "post")]
    async fn sign(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<AgreementBody>,
    ) -> ApiResult<CreatedAgreement> {
        auth.0.require_bureau()?;
        let mut deliverables = Vec::with_capacity(body.deliverables.len());
        for (i, d) in body.deliverables.iter().enumerate() {
            let description = optional_text(&format!("deliverables[{i}].description"), d.description.as_deref(), 500)
                .map_err(|e| ApiError::validation([e]))?;
            deliverables.push(Deliverable { kind: d.kind.into(), quantity: d.quantity, description: description.unwrap_or_default() });
        }
        let n = NewAgreement { signed_on: body.signed_on, due_on: body.due_on, deliverables, document_id: body.document_id };
        let (a, agreement) = svc::sign(&state, &auth.0, id.0, n).await?;
        Ok(CreatedAgreement::Created(Json(SignedOut { application: a.into(), agreement: agreement_out(agreement, Vec::new()) })))
    }

    /// 开发工作协议 The agreement of a project and any breaches recorded against it (bureau, the developer).
    #[oai(path = "/:id/agreement", method = "get")]
    async fn agreement(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<AgreementOut>> {
        let (_, a, breaches) = svc::agreement(&state, &auth.0, id.0).await?;
        Ok(Json(agreement_out(a, breaches)))
    }

    /// 记录开发环节 Record the next milestone, in order (000 第十六条, 第二十条): the developer records its writing group,
    /// 报批 and progress reports; the bureau the rest. Every failed rule is named at once (422 `milestone_refused`).
    #[oai(path = "/:id/milestones", method = "post")]
    async fn record(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<MilestoneBody>,
    ) -> ApiResult<CreatedMilestone> {
        let m = NewMilestone::try_from(body.0)?;
        let r = svc::record(&state, &auth.0, id.0, m).await?;
        Ok(CreatedMilestone::Created(Json(RecordedOut {
            notice_ends_at: r.notice.as_ref().map(|n| n.ends_at),
            notice_explanation: r.notice.map(|n| n.explanation),
            milestone: r.milestone.into(),
            application: r.application.into(),
            resource: r.resource.map(Into::into),
        })))
    }

    /// 开发环节 The milestones of a project, in order (bureau, the developer).
    #[oai(path = "/:id/milestones", method = "get")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<MilestonePage>> {
        let page = PageParams::parse(limit.0, cursor.0.as_deref())?;
        let (items, next_cursor) = svc::list(&state, &auth.0, id.0, page).await?;
        Ok(Json(MilestonePage { items: items.into_iter().map(Into::into).collect(), next_cursor }))
    }
}
