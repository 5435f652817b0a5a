//! 公示 (000 第十一条(三), 十四条(三), 二十条(三)): bureau staff put
//! proposed applications on a notice of 5 working days (end computed by the
//! calendar, with its explanation); anyone may object while it is open
//! (rate-limited per client address); the bureau rules on each objection
//! (upheld → refused, reasons to the applicant; dismissed → continues) and
//! the objector is told the outcome.

use std::collections::HashMap;

use chrono::{Datelike, TimeDelta};
use entities::{
    models::{application, notice, notice_item, objection, organization},
    report::outstanding::load_calendar,
    resource::{
        ApplicationAction, ApplicationStatus, NoticePurpose, NoticeStatus, ObjectionStatus,
        notice::{NOTICE_WORKING_DAYS, is_open, period_of},
        transition,
    },
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{load_for_bureau, save_status, tell_applicant, wrong_state};
use crate::{
    audit::{self, Actor, Entry},
    auth::Caller,
    error::{ApiError, ApiResult},
    i18n::Msg,
    pagination::PageParams,
    state::AppState,
};

fn notice_not_found() -> ApiError {
    ApiError::not_found("公示", "Notice")
}

/// A notice with its applications (and their applicants' names).
pub struct NoticeView {
    pub notice: notice::Model,
    pub items: Vec<(application::Model, String)>,
}

async fn items(db: &impl ConnectionTrait, notice_ids: &[Uuid]) -> ApiResult<HashMap<Uuid, Vec<(application::Model, String)>>> {
    let rows = notice_item::Entity::find()
        .filter(notice_item::Column::NoticeId.is_in(notice_ids.to_vec()))
        .order_by_asc(notice_item::Column::Position)
        .find_also_related(application::Entity)
        .all(db)
        .await?;
    let orgs: Vec<Uuid> = rows.iter().filter_map(|(_, a)| a.as_ref().map(|a| a.organization_id)).collect();
    let names: HashMap<Uuid, String> = organization::Entity::find()
        .select_only()
        .column(organization::Column::Id)
        .column(organization::Column::Name)
        .filter(organization::Column::Id.is_in(orgs))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut out: HashMap<Uuid, Vec<(application::Model, String)>> = HashMap::new();
    for (item, a) in rows {
        if let Some(a) = a {
            let name = names.get(&a.organization_id).cloned().unwrap_or_default();
            out.entry(item.notice_id).or_default().push((a, name));
        }
    }
    Ok(out)
}

async fn views(db: &impl ConnectionTrait, notices: Vec<notice::Model>) -> ApiResult<Vec<NoticeView>> {
    let ids: Vec<Uuid> = notices.iter().map(|n| n.id).collect();
    let mut all = items(db, &ids).await?;
    Ok(notices.into_iter().map(|n| NoticeView { items: all.remove(&n.id).unwrap_or_default(), notice: n }).collect())
}

/// When a notice of `days` working days published now would end, and how
/// that was counted (shown to bureau staff before they publish).
///
/// # Errors
/// 409 `calendar_year_missing`.
pub async fn period_from_now(db: &impl ConnectionTrait, state: &AppState, days: u32) -> ApiResult<(chrono::DateTime<chrono::Utc>, String)> {
    let now = state.clock.now();
    let today = state.clock.today();
    let calendar = load_calendar(db, today.year(), today.year() + 1).await?;
    let period = period_of(&calendar, now, days).map_err(|e| ApiError::conflict("calendar_year_missing", e.zh(), e.en()))?;
    let ends_at = period.deadline().map(|d| d.to_utc()).ok_or_else(|| ApiError::internal(&"notice end out of range"))?;
    Ok((ends_at, period.explain_zh()))
}

/// Inserts an open notice of `days` working days published now (end and
/// explanation from the calendar), in the caller's transaction.
///
/// # Errors
/// 409 `calendar_year_missing`.
pub async fn insert_notice(
    txn: &impl ConnectionTrait,
    state: &AppState,
    caller: &Caller,
    title: String,
    body: String,
    purpose: NoticePurpose,
    days: u32,
) -> ApiResult<notice::Model> {
    let now = state.clock.now();
    let (ends_at, explanation) = period_from_now(txn, state, days).await?;
    let n = notice::ActiveModel {
        id: Set(Uuid::now_v7()),
        title: Set(title),
        body: Set(body),
        published_at: Set(now),
        ends_at: Set(ends_at),
        explanation: Set(explanation),
        status: Set(NoticeStatus::Open),
        purpose: Set(purpose),
        closed_at: Set(None),
        created_by: Set(caller.user_id),
        created_at: Set(now),
    }
    .insert(txn)
    .await?;
    audit::record(txn, Actor(Some(caller)), now, Entry::new("notice.published", "notice", n.id).after(&n)).await?;
    Ok(n)
}

/// Lists `application_id` on notice `notice_id` at `position`.
///
/// # Errors
/// Database errors.
pub async fn add_item(txn: &impl ConnectionTrait, notice_id: Uuid, application_id: Uuid, position: usize) -> ApiResult<()> {
    notice_item::ActiveModel {
        id: Set(Uuid::now_v7()),
        notice_id: Set(notice_id),
        application_id: Set(application_id),
        position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Puts applications on a new 公示 notice of 5 working days: those under
/// review (拟认定 / 拟立项 名单) or, for a 技研项目, accepted after the
/// acceptance review (结果公示, 000 第二十条(七)).
///
/// # Errors
/// 403, 404, 409 `wrong_state` / `calendar_year_missing`, 422 no applications.
pub async fn create(state: &AppState, caller: &Caller, title: String, body: String, application_ids: Vec<Uuid>) -> ApiResult<NoticeView> {
    caller.require_bureau()?;
    if application_ids.is_empty() {
        return Err(ApiError::field("application_ids", "公示名单不能为空", "At least one application"));
    }
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let n = insert_notice(&txn, state, caller, title, body, NoticePurpose::Publicity, NOTICE_WORKING_DAYS).await?;
    let ends_at = n.ends_at;
    let mut seen = Vec::new();
    for (i, id) in application_ids.iter().enumerate() {
        if seen.contains(id) {
            continue;
        }
        seen.push(*id);
        let before = load_for_bureau(&txn, caller, *id).await?;
        let next = transition(before.status, ApplicationAction::Propose, before.category).map_err(|e| {
            let mut err = wrong_state(&e);
            err.details.detail = Some(Msg::new(format!("application_ids[{i}]"), format!("application_ids[{i}]")));
            err
        })?;
        add_item(&txn, n.id, *id, i).await?;
        let after = save_status(&txn, &before, next, None, now).await?;
        audit::record(&txn, Actor(Some(caller)), now, Entry::new("application.proposed", "application", *id).before(&before).after(&after))
            .await?;
        let what = if next == ApplicationStatus::ResultsOnNotice {
            "已通过验收，列入拟公布项目结果公示"
        } else {
            "已列入拟认定（立项）名单公示"
        };
        tell_applicant(
            &txn,
            state,
            &after,
            &format!("{what}，公示期至{}。", ends_at.with_timezone(&jobs::clock::shanghai()).format("%Y-%m-%d %H:%M")),
        )
        .await?;
    }
    let mut v = views(&txn, vec![n]).await?;
    txn.commit().await?;
    v.pop().ok_or_else(|| ApiError::internal(&"notice missing"))
}

/// Not picked for the proposed list.
///
/// # Errors
/// 403, 404, 409.
pub async fn decline(state: &AppState, caller: &Caller, id: Uuid, reason: String) -> ApiResult<application::Model> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let before = load_for_bureau(&txn, caller, id).await?;
    let next = transition(before.status, ApplicationAction::Decline, before.category).map_err(|e| wrong_state(&e))?;
    let after = save_status(&txn, &before, next, Some(reason.clone()), now).await?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("application.declined", "application", id).before(&before).after(&after))
        .await?;
    tell_applicant(&txn, state, &after, &format!("经专家评审，未列入拟认定（立项）名单。理由：{reason}")).await?;
    txn.commit().await?;
    Ok(after)
}

/// Notices (bureau), newest last.
///
/// # Errors
/// 403.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    status: Option<NoticeStatus>,
    page: PageParams,
) -> ApiResult<(Vec<NoticeView>, Option<String>)> {
    caller.require_bureau()?;
    let mut q = notice::Entity::find().order_by_asc(notice::Column::Id).limit(page.fetch());
    if let Some(s) = status {
        q = q.filter(notice::Column::Status.eq(s));
    }
    if let Some(after) = page.after {
        q = q.filter(notice::Column::Id.gt(after));
    }
    let (rows, next) = page.finish(q.all(&state.db).await?, |n| n.id);
    Ok((views(&state.db, rows).await?, next))
}

/// Notices (bureau), newest last, each with the number of applications on
/// it and of objections still open — one statement per page besides the
/// notices, for the list page (the full views load every application).
///
/// # Errors
/// 403.
pub async fn list_brief(
    state: &AppState,
    caller: &Caller,
    page: PageParams,
) -> ApiResult<(Vec<(notice::Model, u64, u64)>, Option<String>)> {
    caller.require_bureau()?;
    let mut q = notice::Entity::find().order_by_asc(notice::Column::Id).limit(page.fetch());
    if let Some(after) = page.after {
        q = q.filter(notice::Column::Id.gt(after));
    }
    let (rows, next) = page.finish(q.all(&state.db).await?, |n| n.id);
    let ids: Vec<Uuid> = rows.iter().map(|n| n.id).collect();
    let items: HashMap<Uuid, i64> = notice_item::Entity::find()
        .select_only()
        .column(notice_item::Column::NoticeId)
        .column_as(notice_item::Column::Id.count(), "n")
        .filter(notice_item::Column::NoticeId.is_in(ids.clone()))
        .group_by(notice_item::Column::NoticeId)
        .into_tuple::<(Uuid, i64)>()
        .all(&state.db)
        .await?
        .into_iter()
        .collect();
    let open: HashMap<Uuid, i64> = objection::Entity::find()
        .select_only()
        .column(objection::Column::NoticeId)
        .column_as(objection::Column::Id.count(), "n")
        .filter(objection::Column::NoticeId.is_in(ids))
        .filter(objection::Column::Status.eq(ObjectionStatus::Open))
        .group_by(objection::Column::NoticeId)
        .into_tuple::<(Uuid, i64)>()
        .all(&state.db)
        .await?
        .into_iter()
        .collect();
    let count = |m: &HashMap<Uuid, i64>, id: Uuid| m.get(&id).map_or(0, |n| u64::try_from(*n).unwrap_or(0));
    Ok((rows.into_iter().map(|n| (count(&items, n.id), count(&open, n.id), n)).map(|(i, o, n)| (n, i, o)).collect(), next))
}

/// One notice with its objections (bureau).
///
/// # Errors
/// 403, 404.
pub async fn get(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<(NoticeView, Vec<objection::Model>)> {
    caller.require_bureau()?;
    let n = notice::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(notice_not_found)?;
    let objections =
        objection::Entity::find().filter(objection::Column::NoticeId.eq(id)).order_by_asc(objection::Column::Id).all(&state.db).await?;
    let v = views(&state.db, vec![n]).await?.pop().ok_or_else(notice_not_found)?;
    Ok((v, objections))
}

/// Open notices for the public (before their end).
///
/// # Errors
/// Database errors.
pub async fn public_list(state: &AppState, page: PageParams) -> ApiResult<(Vec<NoticeView>, Option<String>)> {
    let now = state.clock.now();
    let mut q = notice::Entity::find()
        .filter(notice::Column::Status.eq(NoticeStatus::Open))
        .filter(notice::Column::EndsAt.gt(now))
        .order_by_asc(notice::Column::Id)
        .limit(page.fetch());
    if let Some(after) = page.after {
        q = q.filter(notice::Column::Id.gt(after));
    }
    let (rows, next) = page.finish(q.all(&state.db).await?, |n| n.id);
    Ok((views(&state.db, rows).await?, next))
}

/// One notice for the public: open or closed ones stay readable (a closed notice is history), never personal data.
///
/// # Errors
/// 404.
pub async fn public_get(state: &AppState, id: Uuid) -> ApiResult<NoticeView> {
    let n = notice::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(notice_not_found)?;
    views(&state.db, vec![n]).await?.pop().ok_or_else(notice_not_found)
}

/// An evidence file attached to an objection.
pub struct Evidence {
    pub filename: String,
    pub bytes: Vec<u8>,
}

pub struct NewObjection {
    pub application_id: Uuid,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub argument: String,
    pub evidence: Option<Evidence>,
}

/// SHA-256 of the client address: enough to count, nothing to keep.
#[must_use]
pub fn ip_hash(ip: &str) -> String {
    hex::encode(Sha256::digest(format!("dg-skills-registry/objection/{ip}").as_bytes()))
}

/// Anyone files an objection while the notice is open.
///
/// # Errors
/// 404 unknown notice, 409 `notice_closed`, 422 application not on the notice or no contact, 429 `too_many_objections`.
pub async fn file_objection(state: &AppState, notice_id: Uuid, ip: &str, o: NewObjection) -> ApiResult<objection::Model> {
    let now = state.clock.now();
    if o.phone.is_none() && o.email.is_none() {
        return Err(ApiError::field("phone", "请至少填写联系电话或电子邮箱中的一项", "Give a phone number or an e-mail address"));
    }
    let evidence = match &o.evidence {
        Some(e) => {
            let mime = crate::services::documents::check_kind(&e.filename, &e.bytes).map_err(|_| {
                ApiError::field(
                    "evidence",
                    "证明材料须为 PDF、JPG、PNG、DOCX 或 XLSX 文件",
                    "Evidence must be a PDF, JPG, PNG, DOCX or XLSX file",
                )
            })?;
            Some((e.filename.clone(), mime, crate::services::documents::write_blob(&state.settings.documents_dir, &e.bytes).await?))
        }
        None => None,
    };
    let hash = ip_hash(ip);
    let txn = crate::db::begin_write(&state.db).await?;
    let n = notice::Entity::find_by_id(notice_id).one(&txn).await?.ok_or_else(notice_not_found)?;
    if n.status != NoticeStatus::Open || !is_open(n.ends_at, now) {
        return Err(ApiError::conflict(
            "notice_closed",
            "公示期已结束，不再受理异议",
            "The notice period has ended; objections are no longer accepted",
        ));
    }
    let on_notice = notice_item::Entity::find()
        .filter(notice_item::Column::NoticeId.eq(notice_id))
        .filter(notice_item::Column::ApplicationId.eq(o.application_id))
        .count(&txn)
        .await?
        > 0;
    if !on_notice {
        return Err(ApiError::field("application_id", "该项目不在本次公示名单中", "The application is not on this notice"));
    }
    let recent = objection::Entity::find()
        .filter(objection::Column::IpHash.eq(hash.clone()))
        .filter(objection::Column::CreatedAt.gt(now - TimeDelta::hours(1)))
        .count(&txn)
        .await?;
    if recent >= u64::from(state.settings.resources.objections_per_hour_per_ip) {
        return Err(ApiError::new(
            poem::http::StatusCode::TOO_MANY_REQUESTS,
            "too_many_objections",
            Msg::new("提交过于频繁，请一小时后再试", "Too many objections from this address; try again in an hour"),
        ));
    }
    let m = objection::ActiveModel {
        id: Set(Uuid::now_v7()),
        notice_id: Set(notice_id),
        application_id: Set(o.application_id),
        name: Set(o.name),
        phone: Set(o.phone),
        email: Set(o.email),
        argument: Set(o.argument),
        evidence_filename: Set(evidence.as_ref().map(|e| e.0.clone())),
        evidence_content_type: Set(evidence.as_ref().map(|e| e.1.to_string())),
        evidence_sha256: Set(evidence.map(|e| e.2)),
        ip_hash: Set(hash),
        status: Set(ObjectionStatus::Open),
        ruling: Set(None),
        ruled_by: Set(None),
        ruled_at: Set(None),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    // The audit row names the objection, not the objector's contact details.
    audit::record(
        &txn,
        Actor(None),
        now,
        Entry::new("objection.filed", "objection", m.id).after(&json!({"notice_id": notice_id, "application_id": m.application_id})),
    )
    .await?;
    for user_id in crate::services::notices::bureau_users(&txn).await? {
        jobs::notify::create(
            &txn,
            user_id,
            "objection.filed",
            if n.purpose == NoticePurpose::CommentPeriod { "征求意见期间收到意见" } else { "公示期间收到异议" },
            &if n.purpose == NoticePurpose::CommentPeriod {
                format!("“{}”收到一条意见，请转编写专家组研究修改。", n.title)
            } else {
                format!("公示“{}”收到一条异议，请调查核实并处理。", n.title)
            },
            Some(&format!("/api/v1/notices/{notice_id}")),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(m)
}

/// The bureau rules on an objection (000 第十一条(三)).
///
/// # Errors
/// 403, 404, 409 `already_ruled` / `wrong_state`.
pub async fn rule(state: &AppState, caller: &Caller, id: Uuid, upheld: bool, ruling: String) -> ApiResult<objection::Model> {
    caller.require_bureau()?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let before = objection::Entity::find_by_id(id).one(&txn).await?.ok_or_else(|| ApiError::not_found("异议", "Objection"))?;
    if before.status != ObjectionStatus::Open {
        return Err(ApiError::conflict("already_ruled", "该异议已处理", "Already ruled"));
    }
    let app = load_for_bureau(&txn, caller, before.application_id).await?;
    let n = notice::Entity::find_by_id(before.notice_id).one(&txn).await?.ok_or_else(notice_not_found)?;
    let mut m: objection::ActiveModel = before.clone().into();
    m.status = Set(if upheld { ObjectionStatus::Upheld } else { ObjectionStatus::Dismissed });
    m.ruling = Set(Some(ruling.clone()));
    m.ruled_by = Set(Some(caller.user_id));
    m.ruled_at = Set(Some(now));
    let after = m.update(&txn).await?;
    audit::record(
        &txn,
        Actor(Some(caller)),
        now,
        Entry::new("objection.ruled", "objection", id)
            .before(&json!({"status": before.status}))
            .after(&json!({"status": after.status, "ruling": ruling})),
    )
    .await?;
    if n.purpose == NoticePurpose::CommentPeriod {
        // 000 第十六条(四): a comment feeds the revision; ruling on it moves nothing.
    } else if upheld {
        // An upheld objection ends the application, whatever else is pending on it.
        let next = transition(app.status, ApplicationAction::UpholdObjection, app.category).map_err(|e| wrong_state(&e))?;
        let changed = save_status(&txn, &app, next, Some(ruling.clone()), now).await?;
        audit::record(
            &txn,
            Actor(Some(caller)),
            now,
            Entry::new("application.refused", "application", app.id).before(&app).after(&changed),
        )
        .await?;
        tell_applicant(&txn, state, &changed, &format!("公示期间收到异议，经调查核实异议成立，不予认定（立项）。理由：{ruling}")).await?;
    } else if matches!(app.status, ApplicationStatus::AwaitingRuling | ApplicationStatus::ResultsAwaitingRuling) {
        let still_open = objection::Entity::find()
            .filter(objection::Column::ApplicationId.eq(app.id))
            .filter(objection::Column::Status.eq(ObjectionStatus::Open))
            .count(&txn)
            .await?;
        if still_open == 0 {
            let next = transition(app.status, ApplicationAction::DismissObjection, app.category).map_err(|e| wrong_state(&e))?;
            let changed = save_status(&txn, &app, next, None, now).await?;
            audit::record(
                &txn,
                Actor(Some(caller)),
                now,
                Entry::new("application.objection_dismissed", "application", app.id).before(&app).after(&changed),
            )
            .await?;
            tell_applicant(&txn, state, &changed, "公示期间收到的异议经调查核实不成立，待市人力资源社会保障部门审定。").await?;
        }
    }
    if let Some(email) = &after.email {
        jobs::outbox::enqueue(
            &txn,
            jobs::outbox::OutgoingMail {
                to_address: email.clone(),
                to_user_id: None,
                template: "objection_ruling",
                vars: json!({
                    "recipient_name": after.name,
                    "notice_title": n.title,
                    "application_title": app.title,
                    "outcome": after.status.label_zh(),
                    "ruling": ruling,
                    "link": format!("{}/notices/{}", state.settings.public_base_url, n.id),
                }),
                dedupe_key: Some(format!("objection:{id}:ruling")),
            },
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(after)
}
