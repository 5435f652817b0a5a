//! Exports of the dashboard, with Chinese headers: the overview as XLSX, one
//! sheet per section (联盟, 成员单位, 报送情况, 报送趋势, 培训情况, 培训（按联盟）,
//! 逾期未报, 禁入与邮件, 申报, 公示, 经费, 复评), and the overdue list as CSV (UTF-8 with BOM, so
//! spreadsheet programs read the Chinese text).

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use super::{
    AllianceOrder, Overview, Scope, by_alliance,
    overdue::{self, OverdueItem, OverduePaging},
    overview,
};
use crate::{
    auth::Caller,
    error::{ApiError, ApiResult},
    state::AppState,
};

#[allow(clippy::cast_precision_loss)] // counts are far below 2^53
fn num(v: i64) -> f64 {
    v as f64
}

fn unum(v: u64) -> f64 {
    num(i64::try_from(v).unwrap_or(i64::MAX))
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

fn row(r: usize) -> u32 {
    u32::try_from(r).unwrap_or(u32::MAX)
}

/// A sheet with a title row and a header row; data starts on row 2.
fn sheet<'a>(wb: &'a mut Workbook, name: &str, title: &str, headers: &[&str]) -> Result<&'a mut Worksheet, XlsxError> {
    let head = Format::new().set_bold().set_border(FormatBorder::Thin).set_align(FormatAlign::Center);
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    ws.merge_range(0, 0, 0, col(headers.len().max(2) - 1), title, &Format::new().set_bold().set_font_size(14))?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(1, col(c), *h, &head)?;
        ws.set_column_width(col(c), if c == 0 { 30 } else { 14 })?;
    }
    crate::services::reports::export::print_like_paper(ws, (0, 1))?;
    Ok(ws)
}

fn permille_cell(ws: &mut Worksheet, r: u32, c: u16, p: Option<u32>) -> Result<(), XlsxError> {
    match p {
        Some(p) => ws.write_number_with_format(r, c, f64::from(p) / 1000.0, &Format::new().set_num_format("0.0%")).map(|_| ()),
        None => ws.write_string(r, c, "—").map(|_| ()),
    }
}

fn write(o: &Overview, all_alliances: &[super::AllianceTraining], overdue_items: &[OverdueItem]) -> Result<Vec<u8>, XlsxError> {
    let label = o.scope.period.label_zh();
    let mut wb = Workbook::new();

    let ws = sheet(&mut wb, "联盟", &format!("职业培训联盟情况（{}）", o.today), &["状态", "联盟数"])?;
    let mut r = 2;
    for (s, n) in &o.alliances.by_status {
        ws.write_string(row(r), 0, s.label_zh())?;
        ws.write_number(row(r), 1, unum(*n))?;
        r += 1;
    }
    ws.write_string(row(r), 0, "合计")?;
    ws.write_number(row(r), 1, unum(o.alliances.total))?;
    r += 2;
    ws.write_string(row(r), 0, "产业领域（已备案、已暂停）")?;
    ws.write_string(row(r), 1, "联盟数")?;
    for (industry, n) in &o.alliances.by_industry {
        r += 1;
        ws.write_string(row(r), 0, industry)?;
        ws.write_number(row(r), 1, unum(*n))?;
    }

    let ws = sheet(&mut wb, "成员单位", &format!("联盟成员单位（{}，按单位类型）", o.today), &["单位类型", "成员单位数", "成员关系数"])?;
    for (i, (k, units, memberships)) in o.members.by_kind.iter().enumerate() {
        ws.write_string(row(i + 2), 0, k.group_heading())?;
        ws.write_number(row(i + 2), 1, unum(*units))?;
        ws.write_number(row(i + 2), 2, unum(*memberships))?;
    }
    let r = o.members.by_kind.len() + 2;
    ws.write_string(row(r), 0, "合计")?;
    ws.write_number(row(r), 1, unum(o.members.units))?;
    ws.write_number(row(r), 2, unum(o.members.memberships))?;

    let mut headers = vec!["报送期", "截止日期", "应报联盟数"];
    headers.extend(entities::report::Standing::ALL.iter().map(|s| s.label_zh()));
    headers.extend(["已报送", "按时报送", "报送率", "按时报送率"]);
    for (name, title, list) in [
        ("报送情况", format!("{label}报送情况"), std::slice::from_ref(&o.compliance)),
        ("报送趋势", "近六期报送情况".to_string(), o.compliance_history.as_slice()),
    ] {
        let ws = sheet(&mut wb, name, &title, &headers)?;
        for (i, c) in list.iter().enumerate() {
            let r = row(i + 2);
            ws.write_string(r, 0, c.period.label_zh())?;
            ws.write_string(r, 1, c.deadlines.report.due.to_string())?;
            ws.write_number(r, 2, unum(c.owed))?;
            for (j, (_, n)) in c.by_standing.iter().enumerate() {
                ws.write_number(r, col(3 + j), unum(*n))?;
            }
            let base = 3 + c.by_standing.len();
            ws.write_number(r, col(base), unum(c.handed_in))?;
            ws.write_number(r, col(base + 1), unum(c.on_time))?;
            permille_cell(ws, r, col(base + 2), c.handed_in_permille())?;
            permille_cell(ws, r, col(base + 3), c.on_time_permille())?;
        }
    }

    let t = &o.training;
    let prev_label = t.previous_period.map(entities::report::Period::label_zh).unwrap_or_default();
    let mut headers = vec!["单位类别".to_string()];
    for (l, _) in t.total.labelled() {
        headers.push(format!("{l}（本期）"));
        headers.push(format!("{l}（上期）"));
    }
    let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let ws = sheet(&mut wb, "培训情况", &format!("培训情况（附件3）：本期{label}，上期{prev_label}"), &refs)?;
    let mut r = 2;
    for (k, cur, prev) in &t.by_category {
        ws.write_string(row(r), 0, k.group_heading())?;
        for (j, ((_, a), (_, b))) in cur.labelled().iter().zip(prev.labelled().iter()).enumerate() {
            ws.write_number(row(r), col(1 + 2 * j), num(*a))?;
            ws.write_number(row(r), col(2 + 2 * j), num(*b))?;
        }
        r += 1;
    }
    ws.write_string(row(r), 0, "合计")?;
    for (j, ((_, a), (_, b))) in t.total.labelled().iter().zip(t.previous_total.labelled().iter()).enumerate() {
        ws.write_number(row(r), col(1 + 2 * j), num(*a))?;
        ws.write_number(row(r), col(2 + 2 * j), num(*b))?;
    }
    r += 2;
    ws.write_string(row(r), 0, "报送期")?;
    ws.write_string(row(r), 1, "当期培训人数")?;
    for (p, n) in &t.trainees_history {
        r += 1;
        ws.write_string(row(r), 0, p.label_zh())?;
        ws.write_number(row(r), 1, num(*n))?;
    }

    headers[0] = "联盟名称".into();
    let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let ws = sheet(&mut wb, "培训（按联盟）", &format!("各联盟培训情况：本期{label}，上期{prev_label}"), &refs)?;
    for (i, a) in all_alliances.iter().enumerate() {
        ws.write_string(row(i + 2), 0, &a.name)?;
        for (j, ((_, x), (_, y))) in a.current.labelled().iter().zip(a.previous.labelled().iter()).enumerate() {
            ws.write_number(row(i + 2), col(1 + 2 * j), num(*x))?;
            ws.write_number(row(i + 2), col(2 + 2 * j), num(*y))?;
        }
    }

    let ws = sheet(&mut wb, "逾期未报", &format!("逾期未报（{}，按报送期由早到晚）", o.today), &OVERDUE_HEADERS)?;
    for (i, it) in overdue_items.iter().enumerate() {
        for (c, v) in overdue_cells(it).iter().enumerate() {
            ws.write_string(row(i + 2), col(c), v)?;
        }
    }

    let ws = sheet(&mut wb, "禁入与邮件", &format!("禁入处理与邮件投递（{}）", o.today), &["项目", "数量"])?;
    let lines = [
        ("禁入期内的处理决定", o.bans.active),
        ("被禁入的单位（统一社会信用代码）", o.bans.organizations),
        ("90天内到期的禁入", o.bans.ending_within_90_days),
        ("投递失败的邮件", o.mail.dead),
        ("待发送的邮件", o.mail.pending),
    ];
    for (i, (l, n)) in lines.iter().enumerate() {
        ws.write_string(row(i + 2), 0, *l)?;
        ws.write_number(row(i + 2), 1, unum(*n))?;
    }
    resource_sheets(&mut wb, o)?;
    wb.save_to_buffer()
}

/// Sheets 申报, 公示, 经费, 复评 (the skill-resource sections).
fn resource_sheets(wb: &mut Workbook, o: &Overview) -> Result<(), XlsxError> {
    let a = &o.applications;
    let mut headers = vec!["项目类别"];
    headers.extend(entities::dashboard::FUNNEL_STAGES);
    let ws = sheet(wb, "申报", &format!("{}年技能资源申报（按项目类别，由申报到认定公布或立项）", a.year), &headers)?;
    let mut r = 2;
    for (c, stages) in &a.funnel_by_category {
        ws.write_string(row(r), 0, c.label_zh())?;
        for (j, n) in stages.iter().enumerate() {
            ws.write_number(row(r), col(j + 1), unum(*n))?;
        }
        r += 1;
    }
    ws.write_string(row(r), 0, "合计")?;
    for (j, n) in a.funnel.iter().enumerate() {
        ws.write_number(row(r), col(j + 1), unum(*n))?;
    }
    r += 2;
    for (j, h) in ["项目类别", "申报状态", "申报数"].iter().enumerate() {
        ws.write_string(row(r), col(j), *h)?;
    }
    for (c, st, n) in &a.by_status {
        r += 1;
        ws.write_string(row(r), 0, c.label_zh())?;
        ws.write_string(row(r), 1, st.label_zh())?;
        ws.write_number(row(r), 2, unum(*n))?;
    }

    let n = &o.notices;
    let ws = sheet(
        wb,
        "公示",
        &format!("本周结束的公示（{}至{}）· 公示中 {} · 待处理异议 {}", n.week.0, n.week.1, n.open, n.open_objections),
        &["公示", "发布时间", "结束时间", "状态", "申报数", "待处理异议", "接口地址"],
    )?;
    let beijing = entities::calendar::CHINA_OFFSET;
    for (i, it) in n.ending.iter().enumerate() {
        ws.write_string(row(i + 2), 0, &it.title)?;
        ws.write_string(row(i + 2), 1, it.published_at.with_timezone(&beijing).format("%Y-%m-%d %H:%M").to_string())?;
        ws.write_string(row(i + 2), 2, it.ends_at.with_timezone(&beijing).format("%Y-%m-%d %H:%M").to_string())?;
        ws.write_string(row(i + 2), 3, if it.status == entities::resource::NoticeStatus::Open { "公示中" } else { "公示期满" })?;
        ws.write_number(row(i + 2), 4, unum(it.applications))?;
        ws.write_number(row(i + 2), 5, unum(it.open_objections))?;
        ws.write_string(row(i + 2), 6, super::resources::notice_path(it.id))?;
    }

    let f = &o.funding;
    let ws = sheet(
        wb,
        "经费",
        &format!("{}年经费（元）· 现行支付标准第{}版", f.year, f.schedule_version.map_or_else(|| "—".to_string(), |v| v.to_string())),
        &["项目类别", "笔数", "已记录", "已拨付", "待拨付", "已追回", "应追回"],
    )?;
    let money_row = |ws: &mut Worksheet, r: usize, label: &str, m: &super::resources::Money| -> Result<(), XlsxError> {
        ws.write_string(row(r), 0, label)?;
        let values = [unum(m.payments), num(m.committed), num(m.disbursed), num(m.undisbursed()), num(m.clawed_back), num(m.to_recover)];
        for (j, v) in values.iter().enumerate() {
            ws.write_number(row(r), col(j + 1), *v)?;
        }
        Ok(())
    };
    let mut r = 2;
    for (c, m) in &f.by_category {
        money_row(ws, r, c.label_zh(), m)?;
        r += 1;
    }
    money_row(ws, r, "合计", &f.total)?;
    r += 2;
    for (j, h) in ["支付标准项目（附件2）", "现行单价", "数量", "已记录", "已拨付"].iter().enumerate() {
        ws.write_string(row(r), col(j), *h)?;
    }
    for (item, m, unit) in &f.by_fee_item {
        r += 1;
        ws.write_string(row(r), 0, item.label_zh())?;
        match unit {
            Some(u) => ws.write_number(row(r), 1, num(*u))?,
            None => ws.write_string(row(r), 1, "—")?,
        };
        ws.write_number(row(r), 2, num(m.quantity))?;
        ws.write_number(row(r), 3, num(m.committed))?;
        ws.write_number(row(r), 4, num(m.disbursed))?;
    }

    let re = &o.reassessments;
    let ws = sheet(
        wb,
        "复评",
        &format!("待复评的技能资源（{}，{}天内到期或已逾期）", o.today, entities::dashboard::REASSESSMENT_WINDOW_DAYS),
        &["项目类别", "已逾期", "60天内到期"],
    )?;
    let mut r = 2;
    for (c, od, soon) in &re.by_category {
        ws.write_string(row(r), 0, c.label_zh())?;
        ws.write_number(row(r), 1, unum(*od))?;
        ws.write_number(row(r), 2, unum(*soon))?;
        r += 1;
    }
    ws.write_string(row(r), 0, "合计")?;
    ws.write_number(row(r), 1, unum(re.overdue))?;
    ws.write_number(row(r), 2, unum(re.due_soon))?;
    Ok(())
}

/// Column headers of the overdue list (CSV and the XLSX sheet).
pub const OVERDUE_HEADERS: [&str; 11] =
    ["报送期", "截止日期", "逾期天数", "联盟名称", "备案编号", "产业领域", "发起单位", "联系人", "办公电话", "填报情况", "接口地址"];

fn overdue_cells(it: &OverdueItem) -> [String; 11] {
    [
        it.period.label_zh(),
        it.due.to_string(),
        it.days_overdue.to_string(),
        it.alliance_name.clone(),
        it.registration_no.clone().unwrap_or_default(),
        it.industry.clone(),
        it.initiator_name.clone(),
        it.contact_person.clone(),
        it.office_phone.clone(),
        if it.started { "填报中" } else { "未开始" }.to_string(),
        report_path(it),
    ]
}

/// The API resource of an overdue report.
#[must_use]
pub fn report_path(it: &OverdueItem) -> String {
    format!("/api/v1/alliances/{}/reports/{}", it.alliance_id, it.period)
}

/// `(file name, bytes)` of the overview workbook (bureau roles).
///
/// # Errors
/// 403 unless bureau; database errors; 500 when the workbook cannot be written.
pub async fn overview_xlsx(state: &AppState, caller: &Caller, scope: Scope) -> ApiResult<(String, Vec<u8>)> {
    let o = overview(state, caller, scope).await?;
    let all = by_alliance(&state.db, scope.period, AllianceOrder::Name, None).await?;
    let overdue_items = overdue::list(state, caller, &OverduePaging::all()).await?.items;
    let bytes = write(&o, &all, &overdue_items).map_err(|e| ApiError::internal(&e))?;
    Ok((format!("统计看板{}.xlsx", scope.period.label_zh()), bytes))
}

fn csv_field(v: &str) -> String {
    if v.contains([',', '"', '\n', '\r']) { format!("\"{}\"", v.replace('"', "\"\"")) } else { v.to_string() }
}

/// `(file name, bytes)` of the overdue list as CSV (bureau roles).
///
/// # Errors
/// 403 unless bureau; database errors.
pub async fn overdue_csv(state: &AppState, caller: &Caller) -> ApiResult<(String, Vec<u8>)> {
    let items = overdue::list(state, caller, &OverduePaging::all()).await?.items;
    let mut out = String::from("\u{feff}");
    out.push_str(&OVERDUE_HEADERS.join(","));
    out.push_str("\r\n");
    for it in &items {
        let line: Vec<String> = overdue_cells(it).iter().map(|v| csv_field(v)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    Ok((format!("逾期未报{}.csv", state.clock.today()), out.into_bytes()))
}
