//! Bulk entry of member registration forms (003 附件1): the initiator
//! downloads an XLSX template (one row per current member, prefilled with
//! what the registry knows), fills it, and uploads it. Rows are validated
//! all-or-nothing: one bad cell and nothing is saved, with every error named
//! by row and column.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use entities::{
    alliance::{AllianceStatus, StaffCounts, check_staff_counts},
    values::{CreditCode, Email, FieldError, Phone, Postcode, optional_text, text},
};
use rust_xlsxwriter::{Format, Workbook};

use super::{
    load_as_initiator,
    members::{FormInput, upsert_form},
    require_status, view,
};
use crate::{
    auth::Caller,
    error::{ApiError, ApiResult, FieldMsg},
    i18n::Msg,
    state::AppState,
};

/// The template's columns: (header, field).
pub const COLUMNS: [(&str, &str); 23] = [
    ("统一社会信用代码", "credit_code"),
    ("单位名称", "name"),
    ("地址", "address"),
    ("邮编", "postcode"),
    ("电子邮箱", "email"),
    ("法定代表人", "legal_representative"),
    ("联系人", "contact_person"),
    ("办公电话", "office_phone"),
    ("手机", "mobile"),
    ("传真", "fax"),
    ("职工总数（人）", "total_staff"),
    ("其中：管理人员（人）", "management"),
    ("专业技术职称：高级（人）", "title_senior"),
    ("专业技术职称：中级（人）", "title_intermediate"),
    ("专业技术职称：初级（人）", "title_junior"),
    ("职业技能等级：高级技师（人）", "skill_senior_technician"),
    ("职业技能等级：技师（人）", "skill_technician"),
    ("职业技能等级：高级工（人）", "skill_senior_worker"),
    ("职业技能等级：中级工（人）", "skill_intermediate_worker"),
    ("职业技能等级：初级工（人）", "skill_junior_worker"),
    ("职业技能等级：专项能力（人）", "skill_special"),
    ("普工（人）", "general_workers"),
    ("单位简介", "profile"),
];

/// Data rows start after the title and header rows.
const FIRST_DATA_ROW: u32 = 2;

fn column_letter(col: usize) -> String {
    let mut n = col + 1;
    let mut s = String::new();
    while n > 0 {
        let r = (n - 1) % 26;
        s.insert(0, char::from(b'A' + u8::try_from(r).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    s
}

/// The template for `id`, prefilled with each current member's credit code,
/// name and registry contact details.
///
/// # Errors
/// 403/404, 500 when the workbook cannot be written.
pub async fn template(state: &AppState, caller: &Caller, id: uuid::Uuid) -> ApiResult<(String, Vec<u8>)> {
    let a = load_as_initiator(&state.db, caller, id).await?;
    let today = state.clock.today();
    let v = view(&state.db, a, today).await?;
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    let xlsx_err = |e: rust_xlsxwriter::XlsxError| ApiError::internal(&e);
    sheet.set_name("附件1").map_err(xlsx_err)?;
    let bold = Format::new().set_bold();
    sheet
        .write_string_with_format(
            0,
            0,
            format!("职业培训联盟成员单位登记表（附件1）——{}（每个成员单位一行，第一列用于识别单位，请勿修改）", v.alliance.name),
            &bold,
        )
        .map_err(xlsx_err)?;
    for (col, (header, _)) in COLUMNS.iter().enumerate() {
        let c = u16::try_from(col).unwrap_or(0);
        sheet.write_string_with_format(1, c, *header, &bold).map_err(xlsx_err)?;
        sheet.set_column_width(c, if col < 3 { 24 } else { 14 }).map_err(xlsx_err)?;
    }
    crate::services::reports::export::print_like_paper(sheet, (0, 1)).map_err(xlsx_err)?;
    for (i, m) in v.current_members(today).iter().enumerate() {
        let row = FIRST_DATA_ROW + u32::try_from(i).unwrap_or(0);
        let o = &m.organization;
        let cells = [
            &o.credit_code,
            &o.name,
            &o.address,
            &o.postcode,
            &o.email,
            &o.legal_representative,
            &o.contact_person,
            &o.office_phone,
            &o.mobile,
        ];
        for (col, value) in cells.iter().enumerate() {
            sheet.write_string(row, u16::try_from(col).unwrap_or(0), value.as_str()).map_err(xlsx_err)?;
        }
        if let Some(fax) = &o.fax {
            sheet.write_string(row, 9, fax).map_err(xlsx_err)?;
        }
    }
    let bytes = wb.save_to_buffer().map_err(xlsx_err)?;
    Ok((format!("{}-成员单位登记表.xlsx", v.alliance.name), bytes))
}

fn cell_text(cell: Option<&Data>) -> String {
    match cell {
        Some(Data::String(s)) => s.trim().to_string(),
        Some(Data::Int(i)) => i.to_string(),
        Some(Data::Float(f)) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Some(Data::Float(f)) => f.to_string(),
        Some(Data::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// A whole, non-negative count; an empty cell is 0 except for the total.
fn cell_count(field: &str, cell: Option<&Data>) -> Result<i64, FieldError> {
    let bad = || FieldError::new(field, "须为不小于0的整数", "must be a whole number ≥ 0");
    match cell {
        None | Some(Data::Empty) if field == "total_staff" => Err(FieldError::new(field, "必须填写", "is required")),
        None | Some(Data::Empty) => Ok(0),
        Some(Data::Int(i)) if *i >= 0 => Ok(*i),
        Some(Data::Float(f)) if f.fract() == 0.0 && *f >= 0.0 && *f <= 1e12 => format!("{f:.0}").parse::<i64>().map_err(|_| bad()),
        Some(Data::String(s)) => s.trim().parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(bad),
        _ => Err(bad()),
    }
}

/// Imports the filled template.
///
/// # Errors
/// 403/404, 409 wrong state, 422 with `errors[{field: "第R行第C列（表头）", message}]`, nothing saved.
pub async fn import(state: &AppState, caller: &Caller, id: uuid::Uuid, bytes: Vec<u8>) -> ApiResult<usize> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|_| ApiError::field("file", "无法读取该文件，请上传由模板填写的 .xlsx 文件", "Not a readable .xlsx file"))?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or_else(|| ApiError::field("file", "文件中没有工作表", "The workbook has no sheet"))?
        .map_err(|_| ApiError::field("file", "无法读取工作表", "Unreadable worksheet"))?;
    let now = state.clock.now();
    let today = state.clock.today();
    let txn = crate::db::begin_write(&state.db).await?;
    let a = load_as_initiator(&txn, caller, id).await?;
    require_status(&a, &AllianceStatus::TAKES_MEMBER_PAPERS, "导入登记表")?;
    let v = view(&txn, a.clone(), today).await?;
    let members = v.current_members(today);

    let mut errors: Vec<FieldMsg> = Vec::new();
    let mut parsed: Vec<(uuid::Uuid, FormInput)> = Vec::new();
    let (height, _) = range.get_size();
    let start_row = range.start().map_or(0, |(r, _)| r);
    for row in FIRST_DATA_ROW.max(start_row)..start_row + u32::try_from(height).unwrap_or(0) {
        let get = |col: usize| range.get_value((row, u32::try_from(col).unwrap_or(0)));
        if (0..COLUMNS.len()).all(|c| cell_text(get(c)).is_empty()) {
            continue;
        }
        let mut row_errors: Vec<(usize, FieldError)> = Vec::new();
        let mut take = |col: usize, r: Result<String, FieldError>| match r {
            Ok(v) => v,
            Err(e) => {
                row_errors.push((col, e));
                String::new()
            }
        };
        let code = take(0, CreditCode::parse("credit_code", &cell_text(get(0))).map(|c| c.as_str().to_string()));
        let member = members.iter().find(|m| m.organization.credit_code == code);
        let address = take(2, text("address", &cell_text(get(2)), 300));
        let postcode = take(3, Postcode::parse("postcode", &cell_text(get(3))).map(|p| p.as_str().to_string()));
        let email = take(4, Email::parse("email", &cell_text(get(4))).map(|e| e.as_str().to_string()));
        let legal = take(5, text("legal_representative", &cell_text(get(5)), 100));
        let contact = take(6, text("contact_person", &cell_text(get(6)), 100));
        let office = take(7, Phone::parse("office_phone", &cell_text(get(7))).map(|p| p.as_str().to_string()));
        let mobile = take(8, Phone::parse("mobile", &cell_text(get(8))).map(|p| p.as_str().to_string()));
        let fax_raw = cell_text(get(9));
        let fax = if fax_raw.is_empty() { None } else { Some(take(9, Phone::parse("fax", &fax_raw).map(|p| p.as_str().to_string()))) };
        let profile = match optional_text("profile", Some(&cell_text(get(22))), 5000) {
            Ok(p) => p,
            Err(e) => {
                row_errors.push((22, e));
                None
            }
        };
        let mut counts = [0i64; 12];
        for (i, slot) in counts.iter_mut().enumerate() {
            let col = 10 + i;
            match cell_count(COLUMNS[col].1, get(col)) {
                Ok(n) => *slot = n,
                Err(e) => row_errors.push((col, e)),
            }
        }
        let counts = StaffCounts {
            total_staff: counts[0],
            management: counts[1],
            title_senior: counts[2],
            title_intermediate: counts[3],
            title_junior: counts[4],
            skill_senior_technician: counts[5],
            skill_technician: counts[6],
            skill_senior_worker: counts[7],
            skill_intermediate_worker: counts[8],
            skill_junior_worker: counts[9],
            skill_special: counts[10],
            general_workers: counts[11],
        };
        if row_errors.is_empty() {
            for (field, zh, en) in check_staff_counts(&counts) {
                let col = COLUMNS.iter().position(|(_, f)| *f == field).unwrap_or(10);
                row_errors.push((col, FieldError::new(field, zh, en)));
            }
        }
        if row_errors.iter().all(|(c, _)| *c != 0) && member.is_none() {
            row_errors.push((0, FieldError::new("credit_code", "该单位不是本联盟的成员单位", "not a member of this alliance")));
        }
        let excel_row = row + 1;
        if !row_errors.is_empty() {
            row_errors.sort_by_key(|(c, _)| *c);
            for (col, e) in row_errors {
                let header = COLUMNS[col].0;
                let letter = column_letter(col);
                errors.push(FieldMsg {
                    field: format!("第{excel_row}行第{letter}列（{header}）"),
                    msg: Msg::new(
                        format!("第{excel_row}行第{letter}列（{header}）：{}", e.zh),
                        format!("row {excel_row}, column {letter} ({}): {}", e.field, e.en),
                    ),
                    code: None,
                    label: false,
                });
            }
            continue;
        }
        if let Some(m) = member {
            parsed.push((
                m.organization.id,
                FormInput {
                    address,
                    postcode,
                    email,
                    legal_representative: legal,
                    contact_person: contact,
                    office_phone: office,
                    mobile,
                    fax,
                    profile,
                    counts,
                },
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    if parsed.is_empty() {
        return Err(ApiError::field("file", "文件中没有填写任何成员单位", "No member rows in the file"));
    }
    let n = parsed.len();
    for (org, input) in parsed {
        upsert_form(&txn, caller, id, org, input, org != a.initiator_org_id, now).await?;
    }
    txn.commit().await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(10), "K");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
    }

    #[test]
    fn counts_from_cells() {
        assert_eq!(cell_count("management", None), Ok(0));
        assert!(cell_count("total_staff", None).is_err());
        assert_eq!(cell_count("management", Some(&Data::Float(12.0))), Ok(12));
        assert!(cell_count("management", Some(&Data::Float(1.5))).is_err());
        assert!(cell_count("management", Some(&Data::Int(-1))).is_err());
        assert_eq!(cell_count("management", Some(&Data::String(" 7 ".into()))), Ok(7));
        assert!(cell_count("management", Some(&Data::String("七".into()))).is_err());
    }
}
