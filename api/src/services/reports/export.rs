//! Exports of one report (DESIGN §5) in the layout of seed 003: sheet
//! `附件2` (职业培训联盟基本情况表) and sheet `附件3` (职业培训联盟工作进展情况表),
//! each with its title, 填写单位 / period line, the header rows, the 合计 row,
//! the category rows 一、企业 … 七、其他 (with subtotals) followed by their
//! member rows, and the 填报联系人 line; and the same as CSV (both tables,
//! one after the other). Bureau staff and the initiator may export.
//!
//! # Layout
//! - this file: the two tables (headers, rows) and the one-report XLSX/CSV
//! - [`period`]: the bureau-wide workbook of every alliance owing a period

pub mod period;

use entities::{OrgKind, report::RowCounts};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};
use uuid::Uuid;

use super::{
    context,
    view::{ReportView, assemble},
};
use crate::{
    auth::Caller,
    error::{ApiError, ApiResult},
    services::alliances::{Access, not_initiator},
    state::AppState,
};

/// Which of the two tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Annex {
    /// 附件2 职业培训联盟基本情况表
    Basic,
    /// 附件3 职业培训联盟工作进展情况表
    Progress,
}

/// A header cell: text, first and last row (0–2 within the header), first and last column.
type HeaderCell = (&'static str, u32, u32, u16, u16);

impl Annex {
    #[must_use]
    pub fn sheet(self) -> &'static str {
        match self {
            Self::Basic => "附件2",
            Self::Progress => "附件3",
        }
    }

    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Self::Basic => "职业培训联盟基本情况表",
            Self::Progress => "职业培训联盟工作进展情况表",
        }
    }

    /// Value columns (after 序号 and 类别及名称).
    #[must_use]
    pub fn value_columns(self) -> u16 {
        match self {
            Self::Basic => 12,
            Self::Progress => 11,
        }
    }

    #[must_use]
    pub fn values(self, c: &RowCounts) -> Vec<i64> {
        match self {
            Self::Basic => c.basic_values().to_vec(),
            Self::Progress => c.progress_values().to_vec(),
        }
    }

    /// The category heading as printed: 附件3 calls vocational colleges
    /// 职业技术院校 (003 附件3 "二、职业技术院校"), 附件2 职业院校.
    #[must_use]
    pub fn heading(self, kind: OrgKind) -> String {
        match (self, kind) {
            (Self::Progress, OrgKind::VocationalCollege) => "二、职业技术院校".into(),
            _ => kind.group_heading(),
        }
    }

    /// The three header rows of the seed's table.
    #[must_use]
    pub fn header(self) -> Vec<HeaderCell> {
        let mut cells: Vec<HeaderCell> = vec![("序号", 0, 2, 0, 0), ("类别及名称", 0, 2, 1, 1)];
        match self {
            Self::Basic => cells.extend([
                ("职工总数（人）", 0, 2, 2, 2),
                ("其中", 0, 0, 3, 13),
                ("管理人员（人）", 1, 2, 3, 3),
                ("专业技术职称（人）", 1, 1, 4, 6),
                ("职业技能等级（人）", 1, 1, 7, 12),
                ("普工（人）", 1, 2, 13, 13),
                ("高级", 2, 2, 4, 4),
                ("中级", 2, 2, 5, 5),
                ("初级", 2, 2, 6, 6),
                ("高级技师", 2, 2, 7, 7),
                ("技师", 2, 2, 8, 8),
                ("高级工", 2, 2, 9, 9),
                ("中级工", 2, 2, 10, 10),
                ("初级工", 2, 2, 11, 11),
                ("专项职业能力", 2, 2, 12, 12),
            ]),
            Self::Progress => cells.extend([
                ("当期培训（人）", 0, 2, 2, 2),
                ("其中", 0, 0, 3, 12),
                ("当期申报新职业（工种）（个）", 1, 2, 3, 3),
                ("当期申报专项职业能力（个）", 1, 2, 4, 4),
                ("当期加盟成员单位（个）", 1, 2, 5, 5),
                ("当期组织企业职工开展职业技能等级培训（人）", 1, 1, 6, 11),
                ("普工（人）", 1, 2, 12, 12),
                ("高级技师", 2, 2, 6, 6),
                ("技师", 2, 2, 7, 7),
                ("高级工", 2, 2, 8, 8),
                ("中级工", 2, 2, 9, 9),
                ("初级工", 2, 2, 10, 10),
                ("专项职业能力", 2, 2, 11, 11),
            ]),
        }
        cells
    }

    /// One flat header line (for CSV): the bottom-most label of each column,
    /// prefixed by its group.
    #[must_use]
    pub fn flat_header(self) -> Vec<String> {
        let header = self.header();
        let width = self.value_columns() + 2;
        (0..width)
            .map(|col| {
                let mut parts: Vec<&str> = header
                    .iter()
                    .filter(|(text, _, _, c1, c2)| *c1 <= col && col <= *c2 && *text != "其中")
                    .map(|(text, ..)| *text)
                    .collect();
                parts.dedup();
                parts.join("：")
            })
            .collect()
    }
}

/// A line of a table: 合计, a category, or a member.
#[derive(Debug, Clone)]
pub struct Line {
    /// 序号 of member lines.
    pub number: Option<usize>,
    pub label: String,
    /// None: the member has not filled its rows.
    pub values: Option<Vec<i64>>,
    pub is_group: bool,
}

/// The lines of `annex` for a report: 合计, then each category with its
/// subtotal and its members (required members; unfilled ones blank).
#[must_use]
pub fn lines(annex: Annex, v: &ReportView) -> Vec<Line> {
    let mut out = vec![Line { number: None, label: "合计".into(), values: Some(annex.values(&v.totals.total)), is_group: true }];
    let mut n = 0;
    for sub in &v.totals.by_kind {
        out.push(Line { number: None, label: annex.heading(sub.kind), values: Some(annex.values(&sub.counts)), is_group: true });
        for m in v.members.iter().filter(|m| m.member.required) {
            let kind = m.row.as_ref().map_or(m.member.organization.kind, |r| r.org_kind);
            if kind != sub.kind {
                continue;
            }
            n += 1;
            out.push(Line {
                number: Some(n),
                label: m.member.organization.name.clone(),
                values: m.row.as_ref().map(|r| annex.values(&r.counts())),
                is_group: false,
            });
        }
    }
    out
}

/// The date the table is "filled": the submission date, else today.
fn filled_on(v: &ReportView) -> chrono::NaiveDate {
    v.report.as_ref().and_then(|r| r.submitted_at).map_or(v.ctx.today, |t| t.with_timezone(&jobs::clock::shanghai()).date_naive())
}

/// Contact line of the initiator (填报联系人 / 联系电话).
fn contact(v: &ReportView) -> (String, String) {
    v.members
        .iter()
        .find(|m| m.member.organization.id == v.ctx.alliance.initiator_org_id)
        .map(|m| (m.member.organization.contact_person.clone(), m.member.organization.office_phone.clone()))
        .unwrap_or_default()
}

fn xlsx_err(e: XlsxError) -> ApiError {
    ApiError::internal(&e)
}

/// Prints a sheet like the paper forms (issue 16 item 6): A4 landscape, one
/// page wide (as many pages tall as the rows need), rows `repeat` (the
/// title and column headers) repeated on every page, narrow margins,
/// centred.
///
/// # Errors
/// Rows beyond the sheet's limits.
pub(crate) fn print_like_paper(ws: &mut Worksheet, repeat: (u32, u32)) -> Result<(), XlsxError> {
    const A4: u8 = 9;
    ws.set_paper_size(A4).set_landscape().set_print_fit_to_pages(1, 0).set_print_center_horizontally(true);
    // Inches: left, right, top, bottom, header, footer.
    ws.set_margins(0.4, 0.4, 0.5, 0.5, 0.3, 0.3);
    ws.set_repeat_rows(repeat.0, repeat.1)?;
    Ok(())
}

/// Writes one annex on `ws`.
fn write_sheet(ws: &mut Worksheet, annex: Annex, v: &ReportView) -> Result<(), XlsxError> {
    let last = annex.value_columns() + 1;
    let border = Format::new().set_border(FormatBorder::Thin);
    let head = border.clone().set_bold().set_align(FormatAlign::Center).set_align(FormatAlign::VerticalCenter).set_text_wrap();
    let group = border.clone().set_bold();
    let title = Format::new().set_bold().set_font_size(16).set_align(FormatAlign::Center);
    ws.set_name(annex.sheet())?;
    ws.write_string(0, 0, annex.sheet())?;
    ws.merge_range(1, 0, 1, last, annex.title(), &title)?;
    let a = &v.ctx.alliance;
    let date = filled_on(v);
    // The forms' own header lines, nothing more (003 附件2, 附件3).
    let (unit, right) = match annex {
        Annex::Basic => (format!("填写单位：{}", a.name), format!("填报日期：{}", date.format("%Y年%m月%d日"))),
        Annex::Progress => (format!("填报单位：{}", a.name), v.ctx.period.label_zh()),
    };
    let split = last / 2;
    ws.merge_range(2, 0, 2, split, &unit, &Format::new())?;
    ws.merge_range(2, split + 1, 2, last, &right, &Format::new())?;
    for (text, r1, r2, c1, c2) in annex.header() {
        if (r1, c1) == (r2, c2) {
            ws.write_string_with_format(3 + r1, c1, text, &head)?;
        } else {
            ws.merge_range(3 + r1, c1, 3 + r2, c2, text, &head)?;
        }
    }
    ws.set_column_width(1, 36)?;
    for c in 2..=last {
        ws.set_column_width(c, 10)?;
    }
    let mut row = 6;
    for line in lines(annex, v) {
        let fmt = if line.is_group { &group } else { &border };
        match line.number {
            Some(n) => ws.write_number_with_format(row, 0, u32::try_from(n).unwrap_or(u32::MAX), fmt)?,
            None => ws.write_blank(row, 0, fmt)?,
        };
        ws.write_string_with_format(row, 1, &line.label, fmt)?;
        for c in 0..annex.value_columns() {
            match &line.values {
                #[allow(clippy::cast_precision_loss)] // counts are far below 2^53
                Some(vals) => ws.write_number_with_format(row, c + 2, vals[usize::from(c)] as f64, fmt)?,
                None => ws.write_blank(row, c + 2, fmt)?,
            };
        }
        row += 1;
    }
    let (person, phone) = contact(v);
    ws.merge_range(row + 1, 0, row + 1, split, &format!("填报联系人：{person}"), &Format::new())?;
    ws.merge_range(row + 1, split + 1, row + 1, last, &format!("联系电话：{phone}"), &Format::new())?;
    if annex == Annex::Progress {
        ws.merge_range(
            row + 2,
            0,
            row + 2,
            last,
            "填报说明：本表以半年为统计期限，即每年1月1日至6月30日为上半年度，7月1日至12月31日为下半年度。",
            &Format::new(),
        )?;
    }
    ws.set_freeze_panes(6, 2)?;
    print_like_paper(ws, (1, 5))?;
    Ok(())
}

/// The workbook of one report.
///
/// # Errors
/// 500 when the workbook cannot be written.
pub fn workbook(v: &ReportView) -> ApiResult<Vec<u8>> {
    let mut wb = Workbook::new();
    for annex in [Annex::Basic, Annex::Progress] {
        write_sheet(wb.add_worksheet(), annex, v).map_err(xlsx_err)?;
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// Both tables as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese).
#[must_use]
pub fn csv(v: &ReportView) -> String {
    let mut out = String::from("\u{feff}");
    for annex in [Annex::Basic, Annex::Progress] {
        out.push_str(&format!("{}　{}\r\n", annex.sheet(), annex.title()));
        out.push_str(&format!("{},{}\r\n", csv_field(&format!("填写单位：{}", v.ctx.alliance.name)), v.ctx.period.label_zh()));
        out.push_str(&annex.flat_header().iter().map(|h| csv_field(h)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
        for line in lines(annex, v) {
            let mut cells = vec![line.number.map(|n| n.to_string()).unwrap_or_default(), csv_field(&line.label)];
            match &line.values {
                Some(vals) => cells.extend(vals.iter().map(ToString::to_string)),
                None => cells.extend((0..annex.value_columns()).map(|_| String::new())),
            }
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        }
        out.push_str("\r\n");
    }
    out
}

/// The report for export: bureau and initiator only (a member sees its own rows only).
async fn exportable(state: &AppState, caller: &Caller, alliance_id: Uuid, p: entities::report::Period) -> ApiResult<ReportView> {
    let ctx = context(&state.db, state, caller, alliance_id, p).await?;
    if !matches!(ctx.access, Access::Bureau | Access::Initiator) {
        return Err(not_initiator());
    }
    assemble(&state.db, ctx).await
}

fn file_name(v: &ReportView, ext: &str) -> String {
    format!("{}-{}报送.{ext}", v.ctx.alliance.name, v.ctx.period.label_zh())
}

/// `(file name, bytes)` of the report's workbook.
///
/// # Errors
/// 403/404, 500.
pub async fn report_xlsx(
    state: &AppState,
    caller: &Caller,
    alliance_id: Uuid,
    p: entities::report::Period,
) -> ApiResult<(String, Vec<u8>)> {
    let v = exportable(state, caller, alliance_id, p).await?;
    Ok((file_name(&v, "xlsx"), workbook(&v)?))
}

/// `(file name, text)` of the report's CSV.
///
/// # Errors
/// 403/404.
pub async fn report_csv(state: &AppState, caller: &Caller, alliance_id: Uuid, p: entities::report::Period) -> ApiResult<(String, String)> {
    let v = exportable(state, caller, alliance_id, p).await?;
    Ok((file_name(&v, "csv"), csv(&v)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_headers_name_every_column() {
        let h = Annex::Basic.flat_header();
        assert_eq!(h.len(), 14);
        assert_eq!(h[0], "序号");
        assert_eq!(h[4], "专业技术职称（人）：高级");
        assert_eq!(h[13], "普工（人）");
        let h = Annex::Progress.flat_header();
        assert_eq!(h.len(), 13);
        assert_eq!(h[6], "当期组织企业职工开展职业技能等级培训（人）：高级技师");
        assert_eq!(Annex::Progress.heading(OrgKind::VocationalCollege), "二、职业技术院校");
        assert_eq!(Annex::Basic.heading(OrgKind::VocationalCollege), "二、职业院校");
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("说\"明"), "\"说\"\"明\"");
        assert_eq!(csv_field("普通"), "普通");
    }
}
