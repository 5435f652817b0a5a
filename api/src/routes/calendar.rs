//! `calendar/{year}` and `calendar/working-days` (DESIGN §7).

use chrono::{DateTime, FixedOffset, NaiveDate};
use entities::calendar::{DayKind, SkipReason, SpecialDay, WorkingDays};
use entities::values::text;
use poem::web::Data;
use poem_openapi::{
    Enum, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use crate::{
    auth::BearerAuth,
    error::{ApiError, ApiResult},
    i18n::{Lang, Msg},
    routes::{Tag, auth::NoContent},
    services::calendar as svc,
    state::AppState,
    text::Str,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "DayKind", rename_all = "snake_case")]
pub enum DayKindDto {
    /// 法定节假日
    Holiday,
    /// 调休上班
    MakeupWorkday,
}

impl From<DayKindDto> for DayKind {
    fn from(k: DayKindDto) -> Self {
        match k {
            DayKindDto::Holiday => Self::Holiday,
            DayKindDto::MakeupWorkday => Self::MakeupWorkday,
        }
    }
}

impl From<DayKind> for DayKindDto {
    fn from(k: DayKind) -> Self {
        match k {
            DayKind::Holiday => Self::Holiday,
            DayKind::MakeupWorkday => Self::MakeupWorkday,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CalendarDay {
    date: NaiveDate,
    kind: DayKindDto,
    /// 节日名称, e.g. 春节.
    name: Str,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CalendarYear {
    year: i32,
    /// The official notice the data comes from.
    source_notice: String,
    days: Vec<CalendarDay>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PutCalendarYear {
    source_notice: Str,
    days: Vec<CalendarDay>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CountedDayDto {
    date: NaiveDate,
    /// 1..=N
    ordinal: u32,
    /// Set when the day is a make-up working day (调休上班), with its holiday's name.
    makeup: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SkippedDayDto {
    date: NaiveDate,
    /// `weekend` or `holiday`.
    reason: String,
    /// 周末 / 法定节假日：春节
    reason_label: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct WorkingDaysAnswer {
    from: NaiveDate,
    days: u32,
    /// The N-th working day.
    end_date: NaiveDate,
    /// 17:30 Beijing time on `end_date`.
    ends_at: Option<DateTime<FixedOffset>>,
    counted: Vec<CountedDayDto>,
    skipped: Vec<SkippedDayDto>,
    /// The calculation in words.
    explanation: String,
}

impl From<WorkingDays> for WorkingDaysAnswer {
    fn from(w: WorkingDays) -> Self {
        let explanation = match Lang::current() {
            Lang::Zh => w.explain_zh(),
            Lang::En => w.explain_en(),
        };
        Self {
            from: w.from,
            days: w.days,
            end_date: w.end_date,
            ends_at: w.deadline(),
            explanation,
            counted: w.counted.into_iter().map(|c| CountedDayDto { date: c.date, ordinal: c.ordinal, makeup: c.makeup }).collect(),
            skipped: w
                .skipped
                .into_iter()
                .map(|s| SkippedDayDto {
                    date: s.date,
                    reason: match s.reason {
                        SkipReason::Weekend => "weekend".into(),
                        SkipReason::Holiday { .. } => "holiday".into(),
                    },
                    reason_label: Msg::new(s.reason.zh(), s.reason.en()).render(),
                })
                .collect(),
        }
    }
}

#[derive(Default)]
pub struct CalendarApi;

#[OpenApi(prefix_path = "/calendar", tag = "Tag::Calendar")]
impl CalendarApi {
    /// 计算工作日 N working days after a date, explained.
    ///
    /// Day `from` itself is not counted: the next day is the first candidate. The period ends at 17:30 on the N-th working day.
    #[oai(path = "/working-days", method = "get")]
    async fn working_days(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
        /// YYYY-MM-DD
        from: Query<NaiveDate>,
        /// N, 0..=3650
        days: Query<u32>,
    ) -> ApiResult<Json<WorkingDaysAnswer>> {
        Ok(Json(svc::working_days(&state, from.0, days.0).await?.into()))
    }

    /// 年度工作日历 A year's holidays and make-up working days.
    #[oai(path = "/:year", method = "get")]
    async fn get_year(&self, state: Data<&AppState>, _auth: BearerAuth, year: Path<i32>) -> ApiResult<Json<CalendarYear>> {
        let (y, days) = svc::year(&state, year.0).await?;
        Ok(Json(CalendarYear {
            year: y.year,
            source_notice: y.source_notice,
            days: days.into_iter().map(|d| CalendarDay { date: d.date, kind: DayKind::from(d.kind).into(), name: Str(d.name) }).collect(),
        }))
    }

    /// 录入年度工作日历 Replace a year's data with the official notice's (bureau_admin).
    #[oai(path = "/:year", method = "put")]
    async fn put_year(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        year: Path<i32>,
        body: Json<PutCalendarYear>,
    ) -> ApiResult<NoContent> {
        auth.0.require(&[entities::Role::BureauAdmin])?;
        let source = text("source_notice", &body.source_notice, 300).map_err(|e| ApiError::validation([e]))?;
        let mut days = Vec::with_capacity(body.days.len());
        let mut problems = Vec::new();
        for (i, d) in body.days.iter().enumerate() {
            match text(&format!("days[{i}].name"), &d.name, 50) {
                Ok(name) => days.push(SpecialDay { date: d.date, kind: d.kind.into(), name }),
                Err(e) => problems.push(e),
            }
        }
        if !problems.is_empty() {
            return Err(ApiError::validation(problems));
        }
        svc::put_year(&state, &auth.0, year.0, source, days).await?;
        Ok(NoContent::Done)
    }
}
