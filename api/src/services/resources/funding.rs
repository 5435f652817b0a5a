//! The fee schedule (附件2, 000 第二十三条): versions with effective dates,
//! read by everyone signed in, a new version added by bureau_admin.

use chrono::NaiveDate;
use entities::{
    Role,
    models::fee_schedule,
    resource::funding::{FeeAmounts, check_new_version, in_force},
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Entry},
    auth::Caller,
    error::{ApiError, ApiResult, FieldMsg},
    i18n::Msg,
    pagination::PageParams,
    state::AppState,
};

#[derive(Debug, Clone)]
pub struct NewVersion {
    pub effective_from: NaiveDate,
    pub amounts: FeeAmounts,
    pub note: String,
}

/// Every version, oldest first (keyset-paged by id).
///
/// # Errors
/// Database errors.
pub async fn list(state: &AppState, page: PageParams) -> ApiResult<(Vec<fee_schedule::Model>, Option<String>)> {
    let mut q = fee_schedule::Entity::find().order_by_asc(fee_schedule::Column::Id).limit(page.fetch());
    if let Some(after) = page.after {
        q = q.filter(fee_schedule::Column::Id.gt(after));
    }
    Ok(page.finish(q.all(&state.db).await?, |r| r.id))
}

/// The version in force on `date` (None before the first one).
///
/// # Errors
/// Database errors.
pub async fn version_on(db: &impl ConnectionTrait, date: NaiveDate) -> ApiResult<Option<fee_schedule::Model>> {
    // Only versions already effective; the latest date wins, then the highest version.
    let candidates = fee_schedule::Entity::find()
        .filter(fee_schedule::Column::EffectiveFrom.lte(date))
        .order_by_desc(fee_schedule::Column::EffectiveFrom)
        .order_by_desc(fee_schedule::Column::Version)
        .limit(1)
        .all(db)
        .await?;
    let versions: Vec<_> = candidates.into_iter().map(|m| (m.version, m.effective_from, m)).collect();
    Ok(in_force(&versions, date).cloned())
}

/// bureau_admin adds a version: effective today or later, every amount > 0.
///
/// # Errors
/// 403, 422 naming each bad field (`effective_date_in_past`, `amount_not_positive`).
pub async fn create(state: &AppState, caller: &Caller, f: NewVersion) -> ApiResult<fee_schedule::Model> {
    caller.require(&[Role::BureauAdmin])?;
    let problems = check_new_version(f.effective_from, state.clock.today(), &f.amounts);
    if !problems.is_empty() {
        return Err(ApiError::validation(problems.iter().map(|p| {
            let (zh, en) = match p.code {
                "effective_date_in_past" => ("不能早于今天", "must not be in the past"),
                _ => ("须为大于0的整数（元）", "must be a whole number of yuan above 0"),
            };
            FieldMsg {
                field: p.field.to_string(),
                msg: Msg::new(crate::labels::with_label_zh(p.field, zh), format!("{}: {en}", p.field)),
                code: Some(p.code.to_string()),
            }
        })));
    }
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let last = fee_schedule::Entity::find().order_by_desc(fee_schedule::Column::Version).limit(1).one(&txn).await?;
    let a = f.amounts;
    let m = fee_schedule::ActiveModel {
        id: Set(Uuid::now_v7()),
        version: Set(last.map_or(1, |l| l.version + 1)),
        effective_from: Set(f.effective_from),
        printed_textbook: Set(a.printed_textbook),
        e_textbook: Set(a.e_textbook),
        certified_course: Set(a.certified_course),
        online_course: Set(a.online_course),
        evaluation_specification: Set(a.evaluation_specification),
        theory_question_bank_level: Set(a.theory_question_bank_level),
        integrated_case_course: Set(a.integrated_case_course),
        note: Set(f.note),
        created_by: Set(Some(caller.user_id)),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("fee_schedule.created", "fee_schedule", m.id).after(&m)).await?;
    txn.commit().await?;
    Ok(m)
}
