//! The bureau's workbook of one period: every alliance owing it, with its
//! standing (sheet `报送情况`), and each alliance's 合计 of 附件2 and 附件3
//! (sheets `附件2汇总`, `附件3汇总`) with a grand 合计 row. Sums are SQL
//! `GROUP BY` over the rows of members on the period's last day.

use chrono::{DateTime, Utc};
use entities::{
    models::report_row::{COUNT_COLUMNS, counts_from_values},
    report::{Period, RowCounts, Standing, days_until, sql},
};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};
use sea_orm::{
    ConnectionTrait, IdenStatic,
    sea_query::{Cond, Expr, ExprTrait, Func, JoinType, Query},
};
use uuid::Uuid;

use super::Annex;
use crate::{
    auth::Caller,
    error::{ApiError, ApiResult},
    services::reports::{
        deadlines,
        listing::{member_counts, require_begun},
    },
    state::AppState,
};

/// One alliance's line.
#[derive(Debug, Clone)]
pub struct AllianceTotals {
    pub alliance_id: Uuid,
    pub name: String,
    pub registration_no: Option<String>,
    pub standing: Standing,
    pub submitted_at: Option<DateTime<Utc>>,
    pub late_days: Option<i32>,
    pub rows: i64,
    pub members: u64,
    pub counts: RowCounts,
}

/// Every alliance owing `period` with its sums, by alliance id.
///
/// # Errors
/// Database errors.
pub async fn totals_by_alliance(db: &impl ConnectionTrait, period: Period, overdue_now: bool) -> ApiResult<Vec<AllianceTotals>> {
    let standing = sql::standing(overdue_now);
    // Rows of members on the period's last day only, as in the report itself.
    let counted = Query::select()
        .expr(Expr::val(1))
        .from_as("alliance_members", "m")
        .and_where(Expr::col(("m", "alliance_id")).equals(("a", "id")))
        .and_where(Expr::col(("m", "organization_id")).equals(("rr", "organization_id")))
        .cond_where(sql::member_on(period.end()))
        .to_owned();
    let mut q = Query::select();
    q.expr_as(Expr::col(("a", "id")), "alliance_id")
        .expr_as(Expr::col(("a", "name")), "name")
        .expr_as(Expr::col(("a", "registration_no")), "registration_no")
        .expr_as(Expr::col(("r", "submitted_at")), "submitted_at")
        .expr_as(Expr::col(("r", "late_days")), "late_days")
        .expr_as(standing, "standing")
        .expr_as(Expr::col(("rr", "id")).count(), "n_rows");
    for c in COUNT_COLUMNS {
        let sum = Func::coalesce([Expr::from(Func::sum(Expr::col(("rr", c.as_str())))), Expr::val(0)]);
        q.expr_as(Func::cast_as(sum, "BIGINT"), c.as_str());
    }
    q.from_as("alliances", "a")
        .join_as(JoinType::LeftJoin, "reports", "r", sql::report_join(period))
        .join_as(
            JoinType::LeftJoin,
            "report_rows",
            "rr",
            Cond::all().add(Expr::col(("rr", "report_id")).equals(("r", "id"))).add(Expr::exists(counted)),
        )
        .cond_where(sql::owes(period))
        .group_by_columns([
            ("a", "id"),
            ("a", "name"),
            ("a", "registration_no"),
            ("r", "id"),
            ("r", "status"),
            ("r", "submitted_at"),
            ("r", "late_days"),
        ])
        .order_by(("a", "id"), sea_orm::Order::Asc);
    let mut out = Vec::new();
    for row in db.query_all(&q).await? {
        let code: String = row.try_get("", "standing")?;
        let mut values = [0i64; 23];
        for (i, c) in COUNT_COLUMNS.iter().enumerate() {
            values[i] = row.try_get("", c.as_str())?;
        }
        out.push(AllianceTotals {
            alliance_id: row.try_get("", "alliance_id")?,
            name: row.try_get("", "name")?,
            registration_no: row.try_get("", "registration_no")?,
            standing: Standing::from_code(&code).ok_or_else(|| ApiError::internal(&format!("standing {code}")))?,
            submitted_at: row.try_get("", "submitted_at")?,
            late_days: row.try_get("", "late_days")?,
            rows: row.try_get("", "n_rows")?,
            members: 0,
            counts: counts_from_values(&values),
        });
    }
    let members = member_counts(db, out.iter().map(|a| a.alliance_id).collect(), period.end()).await?;
    for a in &mut out {
        a.members = members.get(&a.alliance_id).copied().unwrap_or(0);
    }
    Ok(out)
}

#[allow(clippy::cast_precision_loss)] // counts are far below 2^53
fn num(v: i64) -> f64 {
    v as f64
}

fn write_status(
    ws: &mut Worksheet,
    title: &str,
    items: &[AllianceTotals],
    due: chrono::NaiveDate,
    today: chrono::NaiveDate,
) -> Result<(), XlsxError> {
    let head = Format::new().set_bold().set_border(FormatBorder::Thin).set_align(FormatAlign::Center);
    ws.set_name("报送情况")?;
    ws.merge_range(0, 0, 0, 8, title, &Format::new().set_bold().set_font_size(14).set_align(FormatAlign::Center))?;
    let headers = ["序号", "联盟名称", "备案编号", "报送状态", "成员单位数", "已填报成员单位数", "报送时间", "逾期天数", "距截止日期天数"];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(1, u16::try_from(c).unwrap_or(0), *h, &head)?;
    }
    ws.set_column_width(1, 36)?;
    ws.set_column_width(2, 16)?;
    ws.set_column_width(6, 18)?;
    super::print_like_paper(ws, (0, 1))?;
    for (i, a) in items.iter().enumerate() {
        let r = u32::try_from(i).unwrap_or(u32::MAX - 2) + 2;
        ws.write_number(r, 0, num(i64::try_from(i + 1).unwrap_or(0)))?;
        ws.write_string(r, 1, &a.name)?;
        ws.write_string(r, 2, a.registration_no.as_deref().unwrap_or(""))?;
        ws.write_string(r, 3, a.standing.label_zh())?;
        ws.write_number(r, 4, num(i64::try_from(a.members).unwrap_or(0)))?;
        ws.write_number(r, 5, num(a.rows))?;
        if let Some(t) = a.submitted_at {
            ws.write_string(r, 6, t.with_timezone(&jobs::clock::shanghai()).format("%Y-%m-%d %H:%M").to_string())?;
        }
        if let Some(late) = a.late_days {
            ws.write_number(r, 7, f64::from(late))?;
        } else if a.standing == Standing::Overdue {
            ws.write_number(r, 7, num(-days_until(today, due)))?;
        }
        if matches!(a.standing, Standing::NotStarted | Standing::InProgress) {
            ws.write_number(r, 8, num(days_until(today, due)))?;
        }
    }
    Ok(())
}

fn write_sums(ws: &mut Worksheet, annex: Annex, title: &str, items: &[AllianceTotals]) -> Result<(), XlsxError> {
    let head = Format::new().set_bold().set_border(FormatBorder::Thin).set_align(FormatAlign::Center).set_text_wrap();
    let bold = Format::new().set_bold();
    let last = annex.value_columns() + 1;
    ws.set_name(format!("{}汇总", annex.sheet()))?;
    ws.merge_range(0, 0, 0, last, title, &Format::new().set_bold().set_font_size(14).set_align(FormatAlign::Center))?;
    let mut headers = annex.flat_header();
    headers[1] = "联盟名称".into();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(1, u16::try_from(c).unwrap_or(0), h, &head)?;
    }
    ws.set_column_width(1, 36)?;
    super::print_like_paper(ws, (0, 1))?;
    let mut grand = RowCounts::default();
    for (i, a) in items.iter().enumerate() {
        let r = u32::try_from(i).unwrap_or(u32::MAX - 3) + 2;
        ws.write_number(r, 0, num(i64::try_from(i + 1).unwrap_or(0)))?;
        ws.write_string(r, 1, &a.name)?;
        for (c, v) in annex.values(&a.counts).iter().enumerate() {
            ws.write_number(r, u16::try_from(c + 2).unwrap_or(0), num(*v))?;
        }
        grand = grand.plus(&a.counts);
    }
    let r = u32::try_from(items.len()).unwrap_or(u32::MAX - 3) + 2;
    ws.write_string_with_format(r, 1, "合计", &bold)?;
    for (c, v) in annex.values(&grand).iter().enumerate() {
        ws.write_number_with_format(r, u16::try_from(c + 2).unwrap_or(0), num(*v), &bold)?;
    }
    Ok(())
}

/// `(file name, bytes)` of the period's workbook (bureau).
///
/// # Errors
/// 403 unless bureau, 422 for a period not begun, 500.
pub async fn period_xlsx(state: &AppState, caller: &Caller, period: Period) -> ApiResult<(String, Vec<u8>)> {
    caller.require_bureau()?;
    let today = state.clock.today();
    require_begun(period, today)?;
    let dl = deadlines(&state.db, state, period).await?;
    let items = totals_by_alliance(&state.db, period, today > dl.report.due).await?;
    let label = period.label_zh();
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        write_status(
            wb.add_worksheet(),
            &format!("职业培训联盟{label}报送情况（截止日期{}）", dl.report.due),
            &items,
            dl.report.due,
            today,
        )?;
        write_sums(wb.add_worksheet(), Annex::Basic, &format!("职业培训联盟基本情况汇总表（{label}）"), &items)?;
        write_sums(wb.add_worksheet(), Annex::Progress, &format!("职业培训联盟工作进展情况汇总表（{label}）"), &items)?;
        wb.save_to_buffer()
    };
    let bytes = build().map_err(|e| ApiError::internal(&e))?;
    Ok((format!("职业培训联盟{label}报送汇总.xlsx"), bytes))
}
