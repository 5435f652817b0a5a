//! Approval (审定, 000 第十一条(四), 第十六条(七), 第二十条(八)) and the published catalogue; new-occupation
//! proposals compiled into a batch reported upward (000 第七条) and marked
//! included in the national plan or not.

use entities::{
    models::{application, occupation_batch, organization, resource},
    resource::{ApplicationAction, ApplicationStatus, Category, ResourceKind, catalogue::next_assessment_due, transition},
};
use rust_xlsxwriter::{Format, Workbook};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
    Set,
};
use uuid::Uuid;

use super::{load_for_bureau, save_status, tell_applicant, wrong_state};
use crate::{
    audit::{self, Actor, Entry},
    auth::Caller,
    error::{ApiError, ApiResult},
    pagination::PageParams,
    services::alliances::governing_policy,
    state::AppState,
};

/// The bureau approves (审定): category 3 after its notice, a development
/// project after 报批 or its results notice. See [`decide`].
///
/// # Errors
/// 403, 404, 409 `wrong_state` / `fee_schedule_missing` / `milestone_required`.
pub async fn approve(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<(application::Model, Option<resource::Model>)> {
    let txn = crate::db::begin_write(&state.db).await?;
    let before = load_for_bureau(&txn, caller, id).await?;
    if before.category == Category::EvaluationResource && before.status == ApplicationStatus::AwaitingPublication {
        // 000 第十六条(七): for category 4 审定 is the last milestone, recorded with its date and documents.
        return Err(ApiError::conflict(
            "milestone_required",
            "评价资源的审定请通过开发里程碑“审定”记录",
            "Record the approval of an evaluation resource as its `approval` milestone",
        ));
    }
    let out = decide(&txn, state, caller, &before, ApplicationAction::Approve).await?;
    txn.commit().await?;
    Ok(out)
}

/// 审定 in the caller's transaction. Published (category 3; a development
/// project after 报批 or its results notice) goes to the catalogue with the
/// governing policy (seed 000) and its next assessment date; a question bank
/// (`Ingest`) is marked ingested into the public question bank system
/// (000 第十六条(七)) and stays out of the catalogue; both compute their
/// payment (000 第二十三条, [`super::funding::record_on_publication`]).
/// Categories 4 and 5 after their 立项 notice are approved for development.
///
/// # Errors
/// 409 `wrong_state` / `fee_schedule_missing`.
pub async fn decide(
    txn: &impl ConnectionTrait,
    state: &AppState,
    caller: &Caller,
    before: &application::Model,
    action: ApplicationAction,
) -> ApiResult<(application::Model, Option<resource::Model>)> {
    let now = state.clock.now();
    let today = state.clock.today();
    let id = before.id;
    let next = transition(before.status, action, before.category).map_err(|e| wrong_state(&e))?;
    let after = save_status(txn, before, next, None, now).await?;
    audit::record(txn, Actor(Some(caller)), now, Entry::new("application.approved", "application", id).before(before).after(&after))
        .await?;
    let published = match next {
        ApplicationStatus::Published => {
            let org = organization::Entity::find_by_id(before.organization_id).one(txn).await?.ok_or_else(super::not_found)?;
            let policy = governing_policy(txn, "skill_resource").await?;
            let months = state.settings.resources.assessment_months_for(before.resource_kind);
            let due = next_assessment_due(today, months).ok_or_else(|| ApiError::internal(&"assessment date out of range"))?;
            let r = resource::ActiveModel {
                id: Set(Uuid::now_v7()),
                application_id: Set(id),
                number: Set(before.number.clone().unwrap_or_default()),
                category: Set(before.category),
                kind: Set(before.resource_kind),
                title: Set(before.title.clone()),
                description: Set(before.description.clone()),
                occupation_code: Set(before.occupation_code.clone()),
                occupation_name: Set(before.occupation_name.clone()),
                levels: Set(before.levels.clone()),
                publisher_org_id: Set(org.id),
                publisher_name: Set(org.name.clone()),
                published_on: Set(today),
                last_assessed_on: Set(None),
                next_assessment_due: Set(due),
                policy_document_id: Set(policy.as_ref().map(|p| p.id)),
                policy_title: Set(policy.as_ref().map(|p| p.title.clone()).unwrap_or_default()),
                policy_valid_until: Set(policy.and_then(|p| p.valid_until)),
                revoked_on: Set(None),
                withdrawn_on: Set(None),
                created_at: Set(now),
            }
            .insert(txn)
            .await?;
            audit::record(txn, Actor(Some(caller)), now, Entry::new("resource.published", "resource", r.id).after(&r)).await?;
            // 000 第二十三条: the payment is computed on publication, in this transaction.
            super::funding::record_on_publication(txn, caller, before, Some(r.id), today, now).await?;
            super::development::complete(txn, id, now).await?;
            tell_applicant(txn, state, &after, &format!("已经审定并向社会公布，下次评估日期为{due}。")).await?;
            Some(r)
        }
        ApplicationStatus::Ingested => {
            super::funding::record_on_publication(txn, caller, before, None, today, now).await?;
            super::development::complete(txn, id, now).await?;
            tell_applicant(txn, state, &after, "题库已经审定，入库东莞市公共题库系统。").await?;
            None
        }
        _ => {
            tell_applicant(txn, state, &after, "已立项，市人力资源服务中心将与贵单位签订项目开发工作协议。").await?;
            None
        }
    };
    Ok((after, published))
}

pub struct CatalogueFilter {
    pub kind: Option<ResourceKind>,
    /// Occupation code (exact) or name (contains).
    pub occupation: Option<String>,
    /// Publisher name contains.
    pub publisher: Option<String>,
    /// Title or description contains.
    pub text: Option<String>,
}

/// The public catalogue, oldest first.
///
/// # Errors
/// Database errors.
pub async fn list(state: &AppState, f: CatalogueFilter, page: PageParams) -> ApiResult<(Vec<resource::Model>, Option<String>)> {
    let mut q = resource::Entity::find()
        .filter(resource::Column::RevokedOn.is_null())
        .filter(resource::Column::WithdrawnOn.is_null())
        .order_by_asc(resource::Column::Id)
        .limit(page.fetch());
    if let Some(k) = f.kind {
        q = q.filter(resource::Column::Kind.eq(k));
    }
    if let Some(o) = f.occupation.filter(|s| !s.is_empty()) {
        q = q
            .filter(Condition::any().add(resource::Column::OccupationCode.eq(o.clone())).add(resource::Column::OccupationName.contains(o)));
    }
    if let Some(p) = f.publisher.filter(|s| !s.is_empty()) {
        q = q.filter(resource::Column::PublisherName.contains(p));
    }
    if let Some(t) = f.text.filter(|s| !s.is_empty()) {
        q = q.filter(Condition::any().add(resource::Column::Title.contains(t.clone())).add(resource::Column::Description.contains(t)));
    }
    if let Some(after) = page.after {
        q = q.filter(resource::Column::Id.gt(after));
    }
    Ok(page.finish(q.all(&state.db).await?, |r| r.id))
}

/// Where a published resource stands: in the catalogue, withdrawn after an
/// assessment (000 第二十一条) or revoked (第二十二条).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    InCatalogue,
    Withdrawn,
    Revoked,
}

/// Published resources in one standing, for the bureau (the public sees the
/// catalogue only, [`list`]), oldest first.
///
/// # Errors
/// 403 unless bureau.
pub async fn list_by_standing(
    state: &AppState,
    caller: &Caller,
    standing: Standing,
    page: PageParams,
) -> ApiResult<(Vec<resource::Model>, Option<String>)> {
    caller.require_bureau()?;
    let mut q = resource::Entity::find().order_by_asc(resource::Column::Id).limit(page.fetch());
    q = match standing {
        Standing::InCatalogue => q.filter(resource::Column::RevokedOn.is_null()).filter(resource::Column::WithdrawnOn.is_null()),
        Standing::Withdrawn => q.filter(resource::Column::WithdrawnOn.is_not_null()),
        Standing::Revoked => q.filter(resource::Column::RevokedOn.is_not_null()),
    };
    if let Some(after) = page.after {
        q = q.filter(resource::Column::Id.gt(after));
    }
    Ok(page.finish(q.all(&state.db).await?, |r| r.id))
}

/// The resource an application was published as, whatever it stands (bureau).
///
/// # Errors
/// 403 unless bureau.
pub async fn resource_of_application(state: &AppState, caller: &Caller, application_id: Uuid) -> ApiResult<Option<resource::Model>> {
    caller.require_bureau()?;
    Ok(resource::Entity::find().filter(resource::Column::ApplicationId.eq(application_id)).one(&state.db).await?)
}

/// One published resource.
///
/// # Errors
/// 404.
pub async fn get(state: &AppState, id: Uuid) -> ApiResult<resource::Model> {
    resource::Entity::find_by_id(id)
        .filter(resource::Column::RevokedOn.is_null())
        .filter(resource::Column::WithdrawnOn.is_null())
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("技能资源", "Resource"))
}

/// The proposals a new batch takes: submitted new-occupation proposals not
/// yet in a batch (000 第七条(二)).
fn pending_proposals() -> Select<application::Entity> {
    application::Entity::find()
        .filter(application::Column::Category.eq(Category::NewOccupation))
        .filter(application::Column::Status.eq(ApplicationStatus::Submitted))
        .filter(application::Column::BatchId.is_null())
}

/// How many proposals [`create_batch`] would compile now (counted in SQL).
///
/// # Errors
/// 403.
pub async fn pending_count(state: &AppState, caller: &Caller) -> ApiResult<u64> {
    caller.require_bureau()?;
    Ok(pending_proposals().count(&state.db).await?)
}

/// The batches reported upward, newest first.
///
/// # Errors
/// 403.
pub async fn list_batches(
    state: &AppState,
    caller: &Caller,
    page: PageParams,
) -> ApiResult<(Vec<occupation_batch::Model>, Option<String>)> {
    caller.require_bureau()?;
    let mut q = occupation_batch::Entity::find().order_by_desc(occupation_batch::Column::Id).limit(page.fetch());
    if let Some(after) = page.after {
        q = q.filter(occupation_batch::Column::Id.lt(after));
    }
    Ok(page.finish(q.all(&state.db).await?, |b| b.id))
}

/// One batch.
///
/// # Errors
/// 403, 404.
pub async fn get_batch(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<occupation_batch::Model> {
    caller.require_bureau()?;
    occupation_batch::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(|| ApiError::not_found("上报批次", "Batch"))
}

/// The proposals of a batch with their applicants, in the order they were filed.
///
/// # Errors
/// 403, 404.
pub async fn batch_proposals(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    page: PageParams,
) -> ApiResult<(Vec<(application::Model, Option<organization::Model>)>, Option<String>)> {
    get_batch(state, caller, id).await?;
    let mut q = application::Entity::find()
        .filter(application::Column::BatchId.eq(id))
        .order_by_asc(application::Column::Id)
        .limit(page.fetch())
        .find_also_related(organization::Entity);
    if let Some(after) = page.after {
        q = q.filter(application::Column::Id.gt(after));
    }
    Ok(page.finish(q.all(&state.db).await?, |(a, _)| a.id))
}

/// Compiles every submitted new-occupation proposal not yet reported into a batch (000 第七条(二)).
///
/// # Errors
/// 403, 409 `nothing_to_report`.
pub async fn create_batch(
    state: &AppState,
    caller: &Caller,
    title: String,
) -> ApiResult<(occupation_batch::Model, Vec<application::Model>)> {
    caller.require_bureau()?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let proposals =
        pending_proposals().order_by_asc(application::Column::SubmittedAt).order_by_asc(application::Column::Id).all(&txn).await?;
    if proposals.is_empty() {
        return Err(ApiError::conflict("nothing_to_report", "没有待汇总上报的新职业申报", "No new-occupation proposal awaits reporting"));
    }
    let batch = occupation_batch::ActiveModel {
        id: Set(Uuid::now_v7()),
        title: Set(title),
        proposal_count: Set(i32::try_from(proposals.len()).unwrap_or(i32::MAX)),
        created_by: Set(caller.user_id),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let mut out = Vec::with_capacity(proposals.len());
    for before in proposals {
        let next = transition(before.status, ApplicationAction::ReportUpward, before.category).map_err(|e| wrong_state(&e))?;
        let mut m: application::ActiveModel = before.clone().into();
        m.status = Set(next);
        m.batch_id = Set(Some(batch.id));
        m.version = Set(before.version + 1);
        m.updated_at = Set(now);
        let after = m.update(&txn).await?;
        audit::record(
            &txn,
            Actor(Some(caller)),
            now,
            Entry::new("application.reported_upward", "application", after.id).before(&before).after(&after),
        )
        .await?;
        tell_applicant(&txn, state, &after, &format!("新职业建议已汇总并按要求上报（批次：{}）。", batch.title)).await?;
        out.push(after);
    }
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("occupation_batch.created", "occupation_batch", batch.id).after(&batch))
        .await?;
    txn.commit().await?;
    Ok((batch, out))
}

/// The batch as an XLSX workbook (汇总表), for reporting upward.
///
/// # Errors
/// 403, 404, 500 on a workbook error.
pub async fn export_batch(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<(occupation_batch::Model, Vec<u8>)> {
    caller.require_bureau()?;
    let batch = occupation_batch::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(|| ApiError::not_found("上报批次", "Batch"))?;
    let rows = application::Entity::find()
        .filter(application::Column::BatchId.eq(id))
        .order_by_asc(application::Column::SubmittedAt)
        .order_by_asc(application::Column::Id)
        .find_also_related(organization::Entity)
        .all(&state.db)
        .await?;
    let xerr = |e: rust_xlsxwriter::XlsxError| ApiError::internal(&e);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("新职业建议汇总").map_err(xerr)?;
    let bold = Format::new().set_bold();
    ws.write_string_with_format(0, 0, format!("新职业申报汇总表（{}）", batch.title), &bold).map_err(xerr)?;
    ws.write_string(1, 0, format!("汇总日期：{}", batch.created_at.with_timezone(&jobs::clock::shanghai()).date_naive())).map_err(xerr)?;
    let headers = [
        "序号",
        "申报编号",
        "建议职业名称",
        "参考职业编码",
        "申报单位",
        "统一社会信用代码",
        "建议书标题",
        "职业描述",
        "申报时间",
        "是否纳入开发计划",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(3, u16::try_from(c).unwrap_or(0), *h, &bold).map_err(xerr)?;
    }
    for (i, (a, org)) in rows.iter().enumerate() {
        let r = u32::try_from(i + 4).unwrap_or(u32::MAX);
        let included = match a.status {
            ApplicationStatus::Included | ApplicationStatus::Completed => "是",
            ApplicationStatus::NotIncluded => "否",
            _ => "待定",
        };
        let cells = [
            a.number.clone().unwrap_or_default(),
            a.occupation_name.clone(),
            a.occupation_code.clone(),
            org.as_ref().map(|o| o.name.clone()).unwrap_or_default(),
            org.as_ref().map(|o| o.credit_code.clone()).unwrap_or_default(),
            a.title.clone(),
            a.description.clone(),
            a.submitted_at.map(|t| t.with_timezone(&jobs::clock::shanghai()).date_naive().to_string()).unwrap_or_default(),
            included.to_string(),
        ];
        ws.write_number(r, 0, f64::from(u32::try_from(i + 1).unwrap_or(0))).map_err(xerr)?;
        for (c, v) in cells.iter().enumerate() {
            ws.write_string(r, u16::try_from(c + 1).unwrap_or(0), v).map_err(xerr)?;
        }
    }
    let bytes = wb.save_to_buffer().map_err(xerr)?;
    Ok((batch, bytes))
}

/// Marks a reported proposal included in the national plan or not, or an included one completed (000 第七条(三)).
///
/// # Errors
/// 403, 404, 409 `wrong_state`.
pub async fn mark(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    action: ApplicationAction,
    note: Option<String>,
) -> ApiResult<application::Model> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let before = load_for_bureau(&txn, caller, id).await?;
    let next = transition(before.status, action, before.category).map_err(|e| wrong_state(&e))?;
    let after = save_status(&txn, &before, next, note.clone(), now).await?;
    let verb = match next {
        ApplicationStatus::Included => "included",
        ApplicationStatus::NotIncluded => "not_included",
        _ => "completed",
    };
    audit::record(
        &txn,
        Actor(Some(caller)),
        now,
        Entry::new(&format!("application.{verb}"), "application", id).before(&before).after(&after),
    )
    .await?;
    tell_applicant(&txn, state, &after, note.as_deref().unwrap_or("")).await?;
    txn.commit().await?;
    Ok(after)
}
