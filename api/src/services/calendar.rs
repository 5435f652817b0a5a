//! The working-day calendar as data (DESIGN §7): loading it for the rule in
//! `entities::calendar`, and bureau_admin's edits of a year.

use chrono::NaiveDate;
use entities::{
    calendar::{Calendar, CalendarError, SpecialDay, WorkingDays, validate_year},
    models::{calendar_day, calendar_year},
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::{
    audit::{self, Actor, Entry},
    auth::Caller,
    error::{ApiError, ApiResult, FieldMsg},
    i18n::Msg,
    state::AppState,
};

/// 422 naming the year whose data is missing.
pub fn calendar_error(err: &CalendarError) -> ApiError {
    match err {
        CalendarError::YearMissing(year) => ApiError::unprocessable(
            "calendar_year_missing",
            format!("{year}年的工作日历尚未录入，无法计算工作日"),
            format!("No working-day calendar data for {year}"),
        ),
        CalendarError::TooManyDays => ApiError::field("days", "工作日数不能超过3650", "days must not exceed 3650"),
    }
}

/// Calendar data for the years `from..=to` (whatever of them exists).
///
/// # Errors
/// Database errors.
pub async fn load(db: &impl sea_orm::ConnectionTrait, from: i32, to: i32) -> ApiResult<Calendar> {
    Ok(entities::report::outstanding::load_calendar(db, from, to).await?)
}

/// `days` working days after `from`, explained.
///
/// # Errors
/// 422 when a year on the way has no data.
pub async fn working_days(state: &AppState, from: NaiveDate, days: u32) -> ApiResult<WorkingDays> {
    use chrono::Datelike;
    // 3650 working days fit in 15 calendar years.
    let span = i32::try_from(days / 200).unwrap_or(20) + 2;
    let cal = load(&state.db, from.year(), from.year() + span).await?;
    cal.add_working_days(from, days).map_err(|e| calendar_error(&e))
}

/// One year's data and its source.
///
/// # Errors
/// 422 `calendar_year_missing`.
pub async fn year(state: &AppState, year: i32) -> ApiResult<(calendar_year::Model, Vec<calendar_day::Model>)> {
    let Some(y) = calendar_year::Entity::find_by_id(year).one(&state.db).await? else {
        return Err(calendar_error(&CalendarError::YearMissing(year)));
    };
    let days = calendar_day::Entity::find()
        .filter(calendar_day::Column::Year.eq(year))
        .order_by_asc(calendar_day::Column::Date)
        .all(&state.db)
        .await?;
    Ok((y, days))
}

/// Replaces a year's data (bureau_admin), keeping the source notice.
///
/// # Errors
/// 403, 422 with one entry per bad day.
pub async fn put_year(state: &AppState, caller: &Caller, year: i32, source_notice: String, days: Vec<SpecialDay>) -> ApiResult<()> {
    caller.require(&[entities::Role::BureauAdmin])?;
    if let Err(problems) = validate_year(year, &days) {
        return Err(ApiError::validation(problems.into_iter().map(|(i, zh, en)| FieldMsg {
            field: if i == entities::calendar::WHOLE_YEAR { "year".to_string() } else { format!("days[{i}]") },
            msg: Msg::new(zh, en),
            code: None,
            label: false,
        })));
    }
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let before_year = calendar_year::Entity::find_by_id(year).one(&txn).await?;
    let before_days = calendar_day::Entity::find().filter(calendar_day::Column::Year.eq(year)).all(&txn).await?;
    calendar_day::Entity::delete_many().filter(calendar_day::Column::Year.eq(year)).exec(&txn).await?;
    let row = calendar_year::ActiveModel {
        year: Set(year),
        source_notice: Set(source_notice.clone()),
        updated_at: Set(now),
        updated_by: Set(Some(caller.user_id)),
    };
    if before_year.is_some() {
        row.update(&txn).await?;
    } else {
        row.insert(&txn).await?;
    }
    let models: Vec<calendar_day::ActiveModel> = days
        .iter()
        .map(|d| calendar_day::ActiveModel { date: Set(d.date), year: Set(year), kind: Set(d.kind.into()), name: Set(d.name.clone()) })
        .collect();
    if !models.is_empty() {
        calendar_day::Entity::insert_many(models).exec(&txn).await?;
    }
    let snapshot =
        |source: Option<&str>, days: Vec<(NaiveDate, String, String)>| serde_json::json!({ "source_notice": source, "days": days });
    let before = snapshot(
        before_year.as_ref().map(|y| y.source_notice.as_str()),
        before_days.iter().map(|d| (d.date, format!("{:?}", d.kind), d.name.clone())).collect(),
    );
    let after = snapshot(Some(&source_notice), days.iter().map(|d| (d.date, format!("{:?}", d.kind), d.name.clone())).collect());
    audit::record(
        &txn,
        Actor(Some(caller)),
        now,
        Entry::new("calendar.year_replaced", "calendar_year", year).before(&before).after(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
